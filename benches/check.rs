//! `check` benchmark: generated repositories over a 366-day horizon.
//!
//! `cargo bench --bench check` writes a repository to a temporary directory, then runs the
//! whole `check` pipeline in-process — read files, load, rewrite to UTC with proofs, build
//! the timetable, run every policy, render JSON — and prints the median wall time and the
//! peak resident memory (VmHWM). Each case runs in its own process (the benchmark runs
//! itself with `--case NAME`), so each peak is its own:
//! - `varied-5000`, `varied-20000`: realistic schedules (mostly daily and weekly, some hourly
//!   and monthly, about 1% every minute or every five minutes) in twelve groups, with quiet
//!   hours and overlap limits; targets (issue 16) ≤ 0.3 s and ≤ 1.2 s;
//! - `minutely-1000`, `minutely-5000`: every batch `* * * * ? *`, in ten groups of
//!   `max_concurrent: 2`, with the same quiet hours and starts-per-minute cap; targets
//!   ≤ 2 s and 256 MB, ≤ 10 s and 512 MB.
//!
//! Without `--bench` (as under `cargo test --all-targets`) it runs 200 varied schedules once.
//! `--case NAME --write-repo DIR` only writes that case's repository to `DIR`, to time the
//! release CLI on it (`/usr/bin/time -v target/release/cronbridge check --format json`).
#![allow(clippy::print_stdout)]

use cronbridge::check::{self, Options};
use cronbridge::source::{self, Source};
use std::fmt::Write as _;
use std::time::Instant;

// The allocator the binary ships with, so the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A tiny deterministic generator (xorshift64*), so every run checks the same repository.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn cron(rng: &mut Rng) -> String {
    let (m, h) = (rng.below(60), rng.below(24));
    match rng.below(1000) {
        0..=4 => "* * * * ? *".to_string(),
        5..=9 => "*/5 * * * ? *".to_string(),
        10..=109 => format!("{m} * * * ? *"),
        110..=159 => format!("{m} {h} {} * ? *", 1 + rng.below(28)),
        160..=179 => format!("{m} {} L * ? *", 9 + rng.below(15)),
        180..=419 => format!("{m} {h} ? * {} *", DAYS[rng.below(7) as usize]),
        420..=469 => format!("{m} {h} ? * MON-FRI *"),
        _ => format!("{m} {h} * * ? *"),
    }
}

fn write_repo(dir: &std::path::Path, count: usize, minutely: bool) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let schedules = dir.join("schedules");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&schedules).expect("create schedules/");
    std::fs::create_dir_all(&rules).expect("create rules/");
    // Fifty files of a hundred batches, as a large team would split them.
    for file in 0..count.div_ceil(100) {
        let mut text = String::new();
        for i in file * 100..((file + 1) * 100).min(count) {
            let _ = write!(
                text,
                "Batch{i:05}:\n  cron: \"{}\"\n  description: バッチ {i}\n  batch_class: \"Batches::Group{g}::Job{i}\"\n  is_active: {}\n  duration: {}m\n  group: g{g}\n",
                if minutely {
                    "* * * * ? *".to_string()
                } else {
                    cron(&mut rng)
                },
                minutely || rng.below(50) != 0,
                1 + rng.below(30),
                g = if minutely { i % 10 } else { i % 12 },
            );
        }
        std::fs::write(schedules.join(format!("team{file:02}.yml")), text).expect("write schedule");
    }
    let mut policy = String::from(
        "quiet_hours:\n  - name: online-peak\n    window: \"11:00-14:00\"\n    days: [MON, TUE, WED, THU, FRI]\n    severity: warning\n    scope:\n      groups: [g0, g1, g2]\n  - name: year-end-freeze\n    window: \"00:00-24:00\"\n    dates: [\"12-29..01-03\"]\n    severity: warning\n    scope:\n      classes: [\"Batches::Group3::*\"]\n  - name: maintenance\n    window: \"02:00-03:00\"\n    days: [SUN]\n    severity: warning\noverlap:\n  default_duration: 5m\n  self_overlap: warning\n  max_starts_per_minute: 20\n  groups:\n",
    );
    for g in 0..if minutely { 10 } else { 12 } {
        let _ = write!(
            policy,
            "    - name: g{g}\n      max_concurrent: {}\n      severity: warning\n",
            if minutely { 2 } else { 8 + g }
        );
    }
    std::fs::write(rules.join("policies.yml"), policy).expect("write policies");
}

/// Peak resident memory of this process in kB (Linux), if known.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const CASES: [(&str, usize, bool, usize); 4] = [
    ("varied-5000", 5_000, false, 5),
    ("varied-20000", 20_000, false, 5),
    ("minutely-1000", 1_000, true, 5),
    ("minutely-5000", 5_000, true, 3),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full =
        args.iter().any(|a| a == "--bench") && std::env::var_os("CRONBRIDGE_BENCH_QUICK").is_none();
    let case = args
        .iter()
        .position(|a| a == "--case")
        .and_then(|i| args.get(i + 1));
    match case {
        Some(name) => {
            let &(name, count, minutely, reps) = CASES
                .iter()
                .find(|c| c.0 == name.as_str())
                .expect("a known case");
            match args.iter().position(|a| a == "--write-repo") {
                Some(i) => write_repo(
                    std::path::Path::new(args.get(i + 1).expect("a directory after --write-repo")),
                    count,
                    minutely,
                ),
                None => run(name, count, minutely, reps),
            }
        }
        None if full => {
            let exe = std::env::current_exe().expect("the benchmark's own path");
            for (name, ..) in CASES {
                let status = std::process::Command::new(&exe)
                    .args(["--bench", "--case", name])
                    .status()
                    .expect("run a case");
                assert!(status.success(), "case {name} failed");
            }
        }
        None => run("varied-200", 200, false, 1),
    }
}

fn run(name: &str, count: usize, minutely: bool, reps: usize) {
    let dir = std::env::temp_dir().join(format!("cronbridge-bench-check-{}", std::process::id()));
    write_repo(&dir, count, minutely);
    let options = Options {
        now: "2026-11-29T00:00:00Z".parse().expect("instant"),
        horizon_days: 366,
    };
    let mut times = Vec::new();
    let mut summary = String::new();
    for _ in 0..reps {
        let start = Instant::now();
        let inputs =
            source::read_inputs(&Source::WorkTree(dir.clone()), None).expect("read the repository");
        let analysis = check::analyse(inputs, &options);
        let json =
            cronbridge::report::check::json(&analysis, None, options.now, options.horizon_days);
        times.push(start.elapsed().as_secs_f64());
        summary = format!(
            "{} batches, {} runs in {} progressions, {} findings, {} bytes of JSON",
            analysis.inputs.batches.len(),
            analysis.timetable.len(),
            analysis.timetable.progressions(),
            analysis.findings.len(),
            json.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let peak_mb = peak_kb().map_or("unknown".to_string(), |kb| {
        format!("{:.0} MB", kb as f64 / 1024.0)
    });
    println!("check {name}, 366 days: {summary}");
    println!("  median wall {median:.3} s over {reps} runs; peak memory {peak_mb}");
}
