//! EventBridge sync benchmark against moto: apply 500 batches from nothing, then plan again
//! with nothing to change; wall time and API calls by kind. The no-change plan must write
//! nothing and read each rule at most once.
//!
//! `./test.sh --bench` starts moto and runs this with `--bench`. Without `--bench` (as
//! `cargo test --all-targets` runs it) it only builds the desired state and a plan against an
//! empty bus, with no emulator.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use cronbridge::aws::eventbridge::{ClientOptions, Connection, EventBridge};
use cronbridge::aws::sync;
use cronbridge::check::{self, Analysis, Inputs, Options};
use cronbridge::deploy::CallStats;
use cronbridge::deploy::plan::{self, Action, Live};
use cronbridge::deploy::{self, DeployOptions, Status};
use std::time::{Duration, Instant};

const BATCHES: usize = 500;

fn analysis(prefix: &str) -> Analysis {
    let settings_text = format!(
        "rule_prefix: {prefix}\naws:\n  region: us-east-1\n  rules_quota: 2000\n  target:\n    role_arn: arn:aws:iam::123456789012:role/events\n    state_machine_arn: arn:aws:states:us-east-1:123456789012:stateMachine:batch\n"
    );
    let (settings, mut findings) = cronbridge::settings::load("cronbridge.yml", &settings_text);
    let mut text = String::new();
    for i in 0..BATCHES {
        // Spread over the day; hours that cross UTC midnight on weekdays need two rules.
        let cron = if i.is_multiple_of(10) {
            format!("{} 8 ? * MON-FRI *", i % 60)
        } else {
            format!("{} {} * * ? *", i % 60, (i / 60) % 24)
        };
        text.push_str(&format!(
            "Batch{i:03}:\n  cron: \"{cron}\"\n  description: バッチ {i}\n  batch_class: \"Batches::Bench::Job{i:03}\"\n  is_active: {}\n",
            !i.is_multiple_of(7)
        ));
    }
    let (batches, f) = cronbridge::schedule::load("schedules/bench.yml", &text, &settings);
    findings.extend(f);
    let inputs = Inputs {
        settings,
        batches,
        policies: Default::default(),
        findings,
        sources: Default::default(),
    };
    let now = "2026-11-29T00:00:00Z".parse().unwrap();
    check::analyse(
        inputs,
        &Options {
            now,
            horizon_days: 7,
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
        println!("    {op:<22} {:>5}", c.calls);
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

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let prefix = format!("bench{}-", std::process::id() % 100_000);
    let analysis = analysis(&prefix);
    let desired = deploy::desired_state(&analysis.findings, &analysis.model(), &|_| None).unwrap();
    if !bench {
        // Quick mode: the pure half only.
        let mut limits = plan::Limits::of(&analysis.inputs.settings, "default");
        limits.rules_quota = 2000;
        let p = plan::plan(&desired, &Live::default(), &limits);
        assert_eq!(p.count(Action::Create), desired.rules.len());
        return;
    }
    let Ok(endpoint) = std::env::var("CRONBRIDGE_TEST_AWS_ENDPOINT") else {
        eprintln!(
            "CRONBRIDGE_TEST_AWS_ENDPOINT is not set: run `./test.sh --bench`, which starts moto"
        );
        std::process::exit(2);
    };
    let rules = desired.rules.len();
    println!("sync benchmark: {BATCHES} batches, {rules} rules, against moto at {endpoint}");
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
        let client = EventBridge::connect(&connection, "default", &ClientOptions::default()).await;
        let options = DeployOptions::default();

        let started = Instant::now();
        let report = sync::deploy(&client, &analysis, &|_| None, &options)
            .await
            .unwrap();
        let apply_time = started.elapsed();
        let Status::Applied(outcome) = &report.status else {
            panic!("{:?}", report.status)
        };
        assert_eq!(outcome.succeeded(), rules);
        let first = client.stats();
        print_calls("apply from nothing", apply_time, &first);

        let started = Instant::now();
        let dry = DeployOptions {
            dry_run: true,
            ..options
        };
        let report = sync::deploy(&client, &analysis, &|_| None, &dry)
            .await
            .unwrap();
        let plan_time = started.elapsed();
        assert!(!report.plan.has_changes());
        let second = diff(&client.stats(), &first);
        print_calls("plan with no changes", plan_time, &second);
        assert_eq!(second.writes(), 0, "a no-change plan writes nothing");
        for op in ["ListTagsForResource", "ListTargetsByRule"] {
            assert!(
                second.calls(op) as usize <= rules,
                "{op}: each rule at most once"
            );
        }
        assert!(second.calls("ListRules") as usize <= report.plan.quota.after / 100 + 1);
    });
}
