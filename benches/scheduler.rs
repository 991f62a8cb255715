//! EventBridge Scheduler benchmark (`aws.backend: scheduler`): 10,000 batches in zones with and
//! without daylight saving time. Without `--bench` (as `cargo test --all-targets` runs it) it
//! builds the desired schedules and plans them against an empty group and against themselves
//! (pure, no emulator). With `--bench` it applies them to moto from nothing, then plans again
//! with nothing changed: wall time and API calls of each kind; the re-plan writes nothing.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use cronbridge::aws::eventbridge::{ClientOptions, Connection};
use cronbridge::aws::scheduler::Scheduler;
use cronbridge::aws::scheduler_sync;
use cronbridge::check::{self, Analysis, Inputs, Options};
use cronbridge::deploy::plan::Action;
use cronbridge::deploy::schedules::{self, LiveSchedules, ScheduleStatus};
use cronbridge::deploy::{self, CallStats};
use cronbridge::finding::Location;
use std::time::{Duration, Instant};

const BATCHES: usize = 10_000;
const ZONES: &[&str] = &[
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Pacific/Chatham",
];

fn analysis(group: &str) -> Analysis {
    let settings_text = format!(
        "aws:\n  region: us-east-1\n  backend: scheduler\n  schedule_group: {group}\n  repository: bench/scheduler\n  target:\n    role_arn: arn:aws:iam::123456789012:role/scheduler\n    state_machine_arn: arn:aws:states:us-east-1:123456789012:stateMachine:batch\n"
    );
    let (settings, mut findings) = cronbridge::settings::load("cronbridge.yml", &settings_text);
    let mut batches = Vec::new();
    // In files of 500: a file over 1 MiB is refused.
    for file in 0..BATCHES / 500 {
        let mut text = String::new();
        for j in 0..500 {
            let i = file * 500 + j;
            let cron = match i % 4 {
                0 => format!("{} {} * * ? *", i % 60, (i / 60) % 24),
                1 => format!("{} {} ? * MON-FRI *", i % 60, (i / 7) % 24),
                2 => format!("{} {} ? * MON#1 *", i % 60, (i / 3) % 24),
                _ => format!("{} {} L * ? *", i % 60, (i / 11) % 24),
            };
            let window = if i.is_multiple_of(5) {
                "  flexible_window: 15m\n"
            } else {
                ""
            };
            text.push_str(&format!(
                "Batch{i:05}:\n  cron: \"{cron}\"\n  timezone: {}\n  description: batch {i}\n  batch_class: \"Batches::Bench::Job{i:05}\"\n  is_active: {}\n{window}",
                ZONES[i % ZONES.len()],
                !i.is_multiple_of(7)
            ));
        }
        let (b, f) =
            cronbridge::schedule::load(&format!("schedules/bench{file:02}.yml"), &text, &settings);
        batches.extend(b);
        findings.extend(f);
    }
    let inputs = Inputs {
        settings,
        batches,
        policies: Default::default(),
        findings,
        sources: Default::default(),
    };
    check::analyse(
        inputs,
        &Options {
            now: "2026-11-29T00:00:00Z".parse().unwrap(),
            horizon_days: 1,
        },
    )
}

fn print_calls(title: &str, elapsed: Duration, calls: &CallStats) {
    println!(
        "{title}: {:.2} s, {} calls, {} retried",
        elapsed.as_secs_f64(),
        calls.total(),
        calls.retries()
    );
    for (op, c) in &calls.0 {
        println!("    {op:<22} {:>6}", c.calls);
    }
}

fn diff(after: &CallStats, before: &CallStats) -> CallStats {
    let mut out = after.clone();
    for (op, c) in out.0.iter_mut() {
        if let Some(b) = before.0.get(op) {
            c.calls -= b.calls;
            c.attempts -= b.attempts;
        }
    }
    out.0.retain(|_, c| c.calls > 0);
    out
}

const WRITES: &[&str] = &[
    "CreateSchedule",
    "UpdateSchedule",
    "DeleteSchedule",
    "CreateScheduleGroup",
    "TagResource",
];

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let group = format!("bench{}", std::process::id() % 100_000);
    let started = Instant::now();
    let analysis = analysis(&group);
    let errors: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.severity == cronbridge::finding::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{:?}", errors.first());
    let desired = deploy::desired_state(&analysis.findings, &analysis.model(), &|_| None).unwrap();
    assert_eq!(desired.schedules.len(), BATCHES);
    println!(
        "scheduler benchmark: {BATCHES} schedules in {} zones; load, check and desired state {:.2} s",
        ZONES.len(),
        started.elapsed().as_secs_f64()
    );
    let at = Location::file_start("cronbridge.yml");
    let now = "2026-11-29T00:00:00Z".parse().unwrap();
    let started = Instant::now();
    let first = schedules::plan(&desired, &LiveSchedules::default(), &group, 0.25, &at, now);
    let from_nothing = started.elapsed();
    assert_eq!(first.count(Action::Create), BATCHES);
    let live = LiveSchedules {
        group: Some(schedules::LiveGroup {
            arn: "arn".to_string(),
            tags: schedules::group_tags(desired.repository.as_deref()),
        }),
        schedules: first
            .changes
            .iter()
            .filter_map(|c| c.desired.clone())
            .collect(),
    };
    let started = Instant::now();
    let again = schedules::plan(&desired, &live, &group, 0.25, &at, now);
    let unchanged = started.elapsed();
    assert!(!again.has_changes());
    println!(
        "pure plan: from nothing {:.1} ms, with nothing changed {:.1} ms",
        from_nothing.as_secs_f64() * 1e3,
        unchanged.as_secs_f64() * 1e3
    );
    if !bench {
        return;
    }
    let Ok(endpoint) = std::env::var("CRONBRIDGE_TEST_AWS_ENDPOINT") else {
        eprintln!("CRONBRIDGE_TEST_AWS_ENDPOINT is not set: start moto_server and set it");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let connection = Connection {
            region: Some("us-east-1".to_string()),
            endpoint_url: Some(endpoint),
            static_credentials: Some(("testing".to_string(), "testing".to_string())),
        };
        let client = Scheduler::connect(&connection, &group, &ClientOptions::default()).await;
        let concurrency = 8;
        let started = Instant::now();
        let live = scheduler_sync::read_live(&client, desired.repository.as_deref(), concurrency)
            .await
            .unwrap();
        let plan = schedules::plan(&desired, &live, &group, 0.25, &at, now);
        let status = scheduler_sync::apply(&client, &plan, live.group.as_ref(), concurrency).await;
        let apply_time = started.elapsed();
        let ScheduleStatus::Applied { schedules: done } = &status else {
            panic!("{status:?}")
        };
        assert!(done.iter().all(|s| s.error.is_none()));
        let first = client.stats();
        print_calls("apply from nothing", apply_time, &first);
        let started = Instant::now();
        let live = scheduler_sync::read_live(&client, desired.repository.as_deref(), concurrency)
            .await
            .unwrap();
        let plan = schedules::plan(&desired, &live, &group, 0.25, &at, now);
        let plan_time = started.elapsed();
        assert!(!plan.has_changes(), "a second plan changes nothing");
        let second = diff(&client.stats(), &first);
        print_calls("plan with no changes", plan_time, &second);
        let writes: u64 = WRITES.iter().map(|op| second.calls(op)).sum();
        assert_eq!(writes, 0, "a no-change plan writes nothing");
        assert!(second.calls("GetSchedule") as usize <= BATCHES);
    });
}
