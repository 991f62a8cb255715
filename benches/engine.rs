//! Engine benchmark: parse throughput and fire-time enumeration.
//!
//! `cargo bench --bench engine` prints the median of several repetitions of:
//!
//! - (a) parsing a fixed list of varied expressions, in ns per expression;
//! - (b) one year of `* * * * ? *` in Asia/Tokyo (525,600 fire times), target ≤ 40 ns per fire;
//! - (c) ten years of 1,000 generated daily/weekly/monthly expressions, target ≤ 150 ns per fire;
//! - (d) rewriting 5,000 distinct realistic expressions into UTC rules, each with its proof to
//!   2200, in six zones (Tokyo, Seoul, Kolkata, Kathmandu, São Paulo, London), target < 1 s.
//!
//! Fire times are counted with `FireTimes::next_second` until the end of the window; the time
//! includes building each iterator. Unless run by `cargo bench` (which passes `--bench`), or
//! with `--test` in the arguments or `CRONBRIDGE_BENCH_QUICK` set, it runs one small repetition
//! and exits: `cargo test --all-targets` runs it with no arguments.
#![allow(clippy::print_stdout)]

use cronbridge::cron::rewrite::{RewriteError, to_utc};
use cronbridge::cron::{Expression, parse};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::hint::black_box;
use std::time::Instant;

/// Varied valid expressions for the parse benchmark.
const PARSE_INPUTS: [&str; 20] = [
    "cron(0 9 * * ? *)",
    "0 8 ? * mon-fri *",
    "0 0 1 jan ? *",
    "rate(5 minutes)",
    "rate(1 hour)",
    "*/5 * * * ? *",
    "0,15,30,45 9-17 ? * MON-FRI *",
    "0 18 L * ? *",
    "30 6 LW * ? *",
    "0 12 15W * ? *",
    "0 10 ? * 6L *",
    "0 10 ? * 2#1 *",
    "5-50/5 */2 1-15 */3 ? 2025-2030",
    "cron(15 3 ? * SUN,SAT 2026)",
    "0 0 1,15 1,4,7,10 ? *",
    "0 23 ? * FRI *",
    "45 4 * 1-6 ? *",
    "0 */6 * * ? 2025/2",
    "cron( 0  9 * *   ? * )",
    "rate(7 days)",
];

struct Config {
    reps: usize,
    parse_rounds: usize,
    /// Days enumerated for (b).
    every_minute_days: i64,
    /// Expressions and years for (c).
    varied_count: usize,
    varied_years: i32,
    /// Expressions rewritten in (d).
    rewrite_count: usize,
}

const FULL: Config = Config {
    reps: 9,
    parse_rounds: 5_000,
    every_minute_days: 365,
    varied_count: 1_000,
    varied_years: 10,
    rewrite_count: 5_000,
};

const QUICK: Config = Config {
    reps: 1,
    parse_rounds: 10,
    every_minute_days: 1,
    varied_count: 20,
    varied_years: 1,
    rewrite_count: 60,
};

/// xorshift64: a tiny deterministic generator, so every run measures the same expressions.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-enough value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// A daily, weekly or monthly expression: values, lists, ranges, steps, `L`, `LW`, `nW`, `nL`,
/// `n#k`, `L` in day-of-week. Numbers only, so the generator does not depend on name handling.
fn generate(rng: &mut XorShift) -> String {
    let minutes = match rng.range(0, 3) {
        0 | 1 => rng.range(0, 59).to_string(),
        2 => {
            let a = rng.range(0, 29);
            format!("{a},{}", a + 30)
        }
        _ => format!(
            "{}/{}",
            rng.range(0, 9),
            [15, 20, 30][rng.range(0, 2) as usize]
        ),
    };
    let hours = match rng.range(0, 4) {
        0 | 1 => rng.range(0, 23).to_string(),
        2 => {
            let a = rng.range(0, 11);
            format!("{a},{}", a + rng.range(1, 12))
        }
        3 => {
            let a = rng.range(0, 16);
            format!("{a}-{}", a + rng.range(1, 7))
        }
        _ => format!("*/{}", [3, 4, 6, 8, 12][rng.range(0, 4) as usize]),
    };
    let (dom, dow) = match rng.range(0, 9) {
        // Daily.
        0..=2 => ("*".to_string(), "?".to_string()),
        // Weekly.
        3 | 4 => {
            let dow = match rng.range(0, 2) {
                0 => rng.range(1, 7).to_string(),
                1 => {
                    let a = rng.range(1, 3);
                    format!("{a},{},{}", a + 2, a + 4)
                }
                _ => {
                    let a = rng.range(1, 4);
                    format!("{a}-{}", a + rng.range(1, 3))
                }
            };
            ("?".to_string(), dow)
        }
        // Monthly by day of the month.
        5 | 6 => {
            let dom = match rng.range(0, 3) {
                0 => rng.range(1, 31).to_string(),
                1 => {
                    let a = rng.range(1, 14);
                    format!("{a},{}", a + 14)
                }
                2 => {
                    let a = rng.range(1, 25);
                    format!("{a}-{}", a + rng.range(1, 6))
                }
                _ => format!("{}/{}", rng.range(1, 7), rng.range(5, 10)),
            };
            (dom, "?".to_string())
        }
        7 => (
            if rng.range(0, 1) == 0 { "L" } else { "LW" }.to_string(),
            "?".to_string(),
        ),
        8 => (format!("{}W", rng.range(1, 31)), "?".to_string()),
        // Monthly by day of the week.
        _ => {
            let dow = match rng.range(0, 2) {
                0 => format!("{}L", rng.range(1, 7)),
                1 => format!("{}#{}", rng.range(1, 7), rng.range(1, 5)),
                _ => "L".to_string(),
            };
            ("?".to_string(), dow)
        }
    };
    let month = match rng.range(0, 5) {
        0 => {
            let a = rng.range(1, 3);
            format!("{a},{},{},{}", a + 3, a + 6, a + 9)
        }
        1 => {
            let a = rng.range(1, 6);
            format!("{a}-{}", a + rng.range(1, 6))
        }
        _ => "*".to_string(),
    };
    format!("{minutes} {hours} {dom} {month} {dow} *")
}

/// Day forms as teams write them: daily, weekdays, weekly, a fixed day of the month, the last
/// day; most all year, some in one season.
const REALISTIC_DAYS: [&str; 12] = [
    "* * ?",
    "? * MON-FRI",
    "? * MON",
    "? * FRI",
    "? * SAT,SUN",
    "1 * ?",
    "15 * ?",
    "25 * ?",
    "1,15 * ?",
    "L * ?",
    "* 4-9 ?",
    "L 1,2,11,12 ?",
];

/// `count` distinct (expression, zone index) pairs of realistic shapes at every time of day.
fn realistic(count: usize, zones: usize) -> Vec<(String, usize)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count);
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    while out.len() < count {
        let day = REALISTIC_DAYS[rng.range(0, REALISTIC_DAYS.len() as u64 - 1) as usize];
        let minute = [0, 0, 0, 15, 30, 45, rng.range(0, 59)][rng.range(0, 6) as usize];
        let hour = rng.range(0, 23);
        let zone = rng.range(0, zones as u64 - 1) as usize;
        let (dom, rest) = day.split_once(' ').unwrap_or((day, "* ?"));
        let text = format!("{minute} {hour} {dom} {rest} *");
        if seen.insert((text.clone(), zone)) {
            out.push((text, zone));
        }
    }
    out
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn timestamp(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {text:?}: {e}"))
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|e| panic!("unknown zone {name}: {e}"))
}

/// Counts the fire times in `[start, end)`.
fn count_fires(expr: &Expression, start: Timestamp, end: i64, tz: &TimeZone) -> u64 {
    let after = start - jiff::SignedDuration::from_secs(1);
    let mut fires = expr.fire_times_after(after, tz);
    let mut n = 0;
    while let Some(t) = fires.next_second() {
        if t >= end {
            break;
        }
        n += 1;
    }
    n
}

/// Runs `f` `reps` times; returns the median duration in ns and the last result.
fn measure<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(reps);
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let out = black_box(f());
        times.push(t0.elapsed().as_secs_f64() * 1e9);
        last = Some(out);
    }
    match last {
        Some(out) => (median(times), out),
        None => panic!("at least one repetition"),
    }
}

fn ms(ns: f64) -> String {
    format!("{:.2} ms", ns / 1e6)
}

fn verdict(quick: bool, per: f64, target: f64) -> String {
    let mark = if quick {
        "(not judged in a quick check)"
    } else if per <= target {
        "ok"
    } else {
        "MISSED"
    };
    format!("<= {target:.0} ns  {mark}")
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary with no
    // arguments (in the unoptimised test profile), `cargo bench -- --test` adds `--test`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--test")
        || !args.iter().any(|a| a == "--bench")
        || std::env::var_os("CRONBRIDGE_BENCH_QUICK").is_some();
    let cfg = if quick { QUICK } else { FULL };

    // (a) Parse throughput.
    for input in PARSE_INPUTS {
        if let Err(e) = parse(input) {
            panic!("benchmark input {input:?} does not parse: {e}");
        }
    }
    let (parse_ns, _) = measure(cfg.reps, || {
        let mut ok = 0usize;
        for _ in 0..cfg.parse_rounds {
            for input in PARSE_INPUTS {
                ok += usize::from(parse(black_box(input)).is_ok());
            }
        }
        ok
    });
    let parses = (cfg.parse_rounds * PARSE_INPUTS.len()) as f64;

    // (b) Every minute for a year in Asia/Tokyo.
    let tokyo = zone("Asia/Tokyo");
    let every_minute = match parse("* * * * ? *") {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    let b_start = timestamp("2025-01-01T00:00:00+09:00");
    let b_end = b_start.as_second() + cfg.every_minute_days * 86_400;
    let (b_ns, b_fires) = measure(cfg.reps, || {
        count_fires(black_box(&every_minute), b_start, b_end, &tokyo)
    });
    let expected = (cfg.every_minute_days * 1_440) as u64;
    assert_eq!(b_fires, expected, "every-minute fire count");

    // (c) Ten years of 1,000 varied expressions, spread over zones with and without DST.
    let zones = [
        zone("Asia/Tokyo"),
        zone("America/New_York"),
        zone("Europe/Berlin"),
        zone("Australia/Sydney"),
        TimeZone::UTC,
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let varied: Vec<(Expression, &TimeZone)> = (0..cfg.varied_count)
        .map(|i| {
            let text = generate(&mut rng);
            match parse(&text) {
                Ok(e) => (e, &zones[i % zones.len()]),
                Err(e) => panic!("generated {text:?} does not parse: {e}"),
            }
        })
        .collect();
    let c_start = timestamp("2025-01-01T00:00:00Z");
    let c_end = timestamp(&format!("{}-01-01T00:00:00Z", 2025 + cfg.varied_years)).as_second();
    let (c_ns, c_fires) = measure(cfg.reps, || {
        varied
            .iter()
            .map(|(e, tz)| count_fires(black_box(e), c_start, c_end, tz))
            .sum::<u64>()
    });

    // (d) Rewrite 5,000 distinct realistic expressions, each proven to 2200.
    let rewrite_zones = [
        zone("Asia/Tokyo"),
        zone("Asia/Seoul"),
        zone("Asia/Kolkata"),
        zone("Asia/Kathmandu"),
        zone("America/Sao_Paulo"),
        zone("Europe/London"),
    ];
    let inputs: Vec<(Expression, &TimeZone)> = realistic(cfg.rewrite_count, rewrite_zones.len())
        .into_iter()
        .map(|(text, z)| match parse(&text) {
            Ok(e) => (e, &rewrite_zones[z]),
            Err(e) => panic!("generated {text:?} does not parse: {e}"),
        })
        .collect();
    let d_now = timestamp("2026-11-29T00:00:00Z");
    let (d_ns, (d_rules, d_refused)) = measure(cfg.reps, || {
        let (mut rules, mut refused) = (0usize, 0usize);
        for (e, tz) in &inputs {
            match to_utc(black_box(e), tz, d_now) {
                Ok(r) => rules += r.len(),
                Err(RewriteError::NotExpressible { .. }) => refused += 1,
                Err(err) => panic!("{e} in {:?}: {err}", tz.iana_name()),
            }
        }
        (rules, refused)
    });

    let b_per = b_ns / b_fires as f64;
    let c_per = c_ns / c_fires.max(1) as f64;
    println!(
        "cronbridge engine ({}, median of {} run{})",
        if quick { "quick check" } else { "full" },
        cfg.reps,
        if cfg.reps == 1 { "" } else { "s" }
    );
    println!(
        "{:<44} {:>12} {:>12} {:>16}  target",
        "case", "count", "total", "per item"
    );
    println!(
        "{:<44} {:>12} {:>12} {:>12.1} ns  -",
        format!("(a) parse, {} expressions", PARSE_INPUTS.len()),
        parses,
        ms(parse_ns),
        parse_ns / parses
    );
    println!(
        "{:<44} {:>12} {:>12} {:>12.1} ns  {}",
        format!(
            "(b) * * * * ? *, {} day(s), Asia/Tokyo",
            cfg.every_minute_days
        ),
        b_fires,
        ms(b_ns),
        b_per,
        verdict(quick, b_per, 40.0)
    );
    println!(
        "{:<44} {:>12} {:>12} {:>12.1} ns  {}",
        format!(
            "(c) {} varied, {} year(s), 5 zones",
            cfg.varied_count, cfg.varied_years
        ),
        c_fires,
        ms(c_ns),
        c_per,
        verdict(quick, c_per, 150.0)
    );
    let d_target_ms = 1_000.0;
    println!(
        "{:<44} {:>12} {:>12} {:>12.1} µs  < {d_target_ms:.0} ms total  {}",
        format!("(d) rewrite + prove, 6 zones"),
        inputs.len(),
        ms(d_ns),
        d_ns / inputs.len() as f64 / 1e3,
        if quick {
            "(not judged in a quick check)"
        } else if d_ns / 1e6 < d_target_ms {
            "ok"
        } else {
            "MISSED"
        }
    );
    println!(
        "    {} rules for {} expressions, {} refused",
        d_rules,
        inputs.len(),
        d_refused
    );
}
