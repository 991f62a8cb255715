//! `aws.backend: scheduler` against moto's EventBridge Scheduler (server mode). Each test uses
//! its own schedule group, prefix and repository, so they run in parallel on one emulator.
//!
//! What moto 5.2.5 covers, and what it does not (so what these tests cannot show): it stores
//! and returns every field cronbridge sends (expression, zone, state, description, window,
//! start/end, target with role, input, retry policy, dead-letter queue and ECS parameters) and
//! the group's tags; it does not validate expressions, zones or names, ignores ClientToken,
//! and its UpdateSchedule drops `ActionAfterCompletion` (cronbridge always sends `NONE`, which
//! is also what an absent value means, so plans still agree). It fires nothing, so the
//! instants are checked by the engine's own tests (`cron::scheduler`).

use crate::aws_sync::{bundled_repo, endpoint, prefix};
use crate::common::{self, Repo};
use cronbridge::aws::eventbridge::{ClientOptions, Connection};
use cronbridge::aws::scheduler::Scheduler;
use cronbridge::aws::scheduler_sync;
use std::time::Duration;

pub(crate) async fn client(group: &str) -> Scheduler {
    let connection = Connection {
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(endpoint()),
        static_credentials: Some(("testing".to_string(), "testing".to_string())),
    };
    let options = ClientOptions {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        attempt_timeout: Duration::from_secs(30),
    };
    Scheduler::connect(&connection, group, &options).await
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Settings on the scheduler backend, with their own group and repository.
fn on_scheduler(repo: &Repo, prefix: &str) -> String {
    let group = format!("{}grp", prefix);
    let text = crate::aws_sync::settings(
        prefix,
        &format!("  backend: scheduler\n  schedule_group: {group}\n  repository: octo/{prefix}x\n"),
    );
    repo.write("cronbridge.yml", &text);
    group
}

fn cli(repo: &Repo, args: &[&str]) -> common::Run {
    let mut cmd = common::cronbridge(&repo.dir);
    cmd.env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(args);
    common::run(&mut cmd, &repo.dir)
}

#[test]
fn the_bundled_repository_deploys_to_its_group_and_a_second_plan_is_empty() {
    let prefix = prefix("sch");
    let repo = bundled_repo(&prefix);
    let group = on_scheduler(&repo, &prefix);
    let plan = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains(&format!("  + group {group}")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains(&format!("  + {prefix}Backup  (batch Backup)")),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("timezone:"), "{}", plan.stdout);
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply
            .stdout
            .contains("Applied: 7 schedule(s) written, 0 failed."),
        "{}",
        apply.stdout
    );
    let again = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(
        again
            .stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 7 unchanged."),
        "{}",
        again.stdout
    );
    // What Scheduler holds: the zone-native expression, its zone, the target and the group's
    // tags; no schedule rule on the bus.
    runtime().block_on(async {
        let c = client(&group).await;
        let live = scheduler_sync::read_live(&c, Some(&format!("octo/{prefix}x")), 4)
            .await
            .unwrap();
        let g = live.group.unwrap();
        assert_eq!(
            g.tags.get("cronbridge:managed").map(String::as_str),
            Some("true")
        );
        let backup = live
            .schedules
            .iter()
            .find(|s| s.name == format!("{prefix}Backup"))
            .unwrap();
        assert_eq!(backup.expression, "cron(0 9 * * ? *)");
        assert_eq!(backup.timezone, "Asia/Tokyo");
        let t = backup.target.as_ref().unwrap();
        assert!(t.arn.contains("stateMachine:batch"));
        assert!(
            t.input
                .as_deref()
                .unwrap()
                .contains("Batches::Daily::Backup")
        );
        let events = crate::aws_sync::client_at(&endpoint(), 3).await;
        let rules = crate::aws_sync::live_rules(&events, &prefix).await;
        assert!(
            rules.values().all(|r| r.schedule_expression.is_none()),
            "only alert rules on the bus: {rules:?}"
        );
    });
}

const ZONES: &str = "NewYork:\n  cron: \"30 1 * * ? *\"\n  timezone: America/New_York\n  batch_class: \"Batches::NewYork\"\n  is_active: true\n  description: a\n  flexible_window: 15m\nLondon:\n  cron: \"0 1 ? * SUN *\"\n  timezone: Europe/London\n  batch_class: \"Batches::London\"\n  is_active: true\n  description: b\n  end: 2027-12-31\nSydney:\n  cron: \"30 2 * * ? *\"\n  timezone: Australia/Sydney\n  batch_class: \"Batches::Sydney\"\n  is_active: false\n  description: c\nChatham:\n  at: 2027-04-04T03:00\n  timezone: Pacific/Chatham\n  batch_class: \"Batches::Chatham\"\n  is_active: true\n  description: d\n";

#[test]
fn hour_specific_schedules_in_four_zones_deploy_field_by_field_and_converge() {
    let prefix = prefix("schz");
    let repo = Repo::new();
    repo.write("schedules/zones.yml", ZONES);
    let group = on_scheduler(&repo, &prefix);
    // Rules would refuse every one of these (hours that move with daylight saving); check
    // passes on Scheduler.
    let check = repo.run(&["check", "--now", common::NOW]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    runtime().block_on(async {
        let c = client(&group).await;
        let live = scheduler_sync::read_live(&c, Some(&format!("octo/{prefix}x")), 4)
            .await
            .unwrap();
        let by = |n: &str| {
            live.schedules
                .iter()
                .find(|s| s.name == format!("{prefix}{n}"))
                .unwrap()
                .clone()
        };
        let ny = by("NewYork");
        assert_eq!(
            (
                ny.expression.as_str(),
                ny.timezone.as_str(),
                ny.flexible_window
            ),
            ("cron(30 1 * * ? *)", "America/New_York", Some(15))
        );
        assert_eq!(
            by("London").end.unwrap().to_string(),
            "2027-12-31T00:00:00Z"
        );
        assert_eq!(by("Sydney").state, "DISABLED");
        let ch = by("Chatham");
        assert_eq!(ch.expression, "at(2027-04-04T03:00:00)");
        assert_eq!(ch.action_after_completion.as_deref(), Some("NONE"));
        let retry = ch.target.as_ref().unwrap();
        assert_eq!(
            (
                retry.maximum_retry_attempts,
                retry.maximum_event_age_seconds
            ),
            (Some(185), Some(86_400))
        );
        // An interrupted apply: one schedule lost, one changed behind cronbridge's back.
        c.delete_schedule(&format!("{prefix}London")).await.unwrap();
        let mut drifted = by("NewYork");
        drifted.timezone = "Europe/London".to_string();
        c.update_schedule(&drifted).await.unwrap();
    });
    let plan = cli(&repo, &["plan", "--now", common::NOW]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to create, 1 to update, 0 to delete, 2 unchanged."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("timezone:  Europe/London -> America/New_York"),
        "{}",
        plan.stdout
    );
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let again = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    // Removing every batch is guarded; one of four may go.
    repo.write("schedules/zones.yml", &ZONES.replace("Sydney:", "Gone:"));
    let renamed = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(renamed.code, 0, "{}{}", renamed.stdout, renamed.stderr);
    repo.remove("schedules/zones.yml");
    repo.write("schedules/other.yml", "Only:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n  description: x\n");
    let guarded = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(guarded.code, 1, "{}{}", guarded.stdout, guarded.stderr);
    assert!(
        guarded.stdout.contains("the plan deletes all 4 schedules"),
        "{}",
        guarded.stdout
    );
}

#[test]
fn a_group_without_cronbridges_tag_is_refused_and_untouched() {
    let prefix = prefix("schu");
    let repo = Repo::new();
    repo.write(
        "schedules/a.yml",
        "A:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n  description: x\n",
    );
    let group = on_scheduler(&repo, &prefix);
    runtime().block_on(async {
        let c = client(&group).await;
        c.create_group(&[("team".to_string(), "other".to_string())].into())
            .await
            .unwrap();
    });
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 1, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("exists without cronbridge's tag"),
        "{}",
        apply.stdout
    );
    runtime().block_on(async {
        let c = client(&group).await;
        let (names, _) = c.list_schedules(None).await.unwrap();
        assert!(names.is_empty(), "{names:?}");
    });
}

// Rules → Scheduler in one apply: the plan shows each schedule replacing its rules; the
// apply deletes the rules at a moment when none is due and starts the schedules at the next
// whole minute, so no run is doubled or lost; afterwards only the alert rule is on the bus
// and a second plan is empty.
#[test]
fn rules_move_to_scheduler_in_one_apply_with_no_run_doubled_or_lost() {
    let prefix = prefix("schm");
    let repo = bundled_repo(&prefix);
    let rules = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(rules.code, 0, "{}{}", rules.stdout, rules.stderr);
    let group = on_scheduler(&repo, &prefix);
    // The rules carry no repository tag (the settings of `bundled_repo` name none): the same
    // owner on the new backend.
    let settings = std::fs::read_to_string(repo.dir.join("cronbridge.yml")).unwrap();
    repo.write(
        "cronbridge.yml",
        &settings.replace(&format!("  repository: octo/{prefix}x\n"), ""),
    );
    let plan = cli(&repo, &["plan", "--now", common::NOW]);
    assert!(
        plan.stdout.contains(&format!(
            "  + {prefix}Backup  (batch Backup; replaces the rule {prefix}Backup: deleted at a moment when none is due"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("From rules: 7 batch(es) move from their rules to their schedules."),
        "{}",
        plan.stdout
    );
    let before = jiff::Timestamp::now();
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply
            .stdout
            .contains("Applied: 7 schedule(s) written, 0 failed."),
        "{}",
        apply.stdout
    );
    let last_start = runtime().block_on(async {
        let events = crate::aws_sync::client_at(&endpoint(), 3).await;
        let left = crate::aws_sync::live_rules(&events, &prefix).await;
        assert!(
            left.values().all(|r| r.schedule_expression.is_none()),
            "only the alert rule is left: {left:?}"
        );
        assert_eq!(left.len(), 1, "{left:?}");
        let c = client(&group).await;
        let live = scheduler_sync::read_live(&c, None, 4).await.unwrap();
        assert_eq!(live.schedules.len(), 7);
        let mut last = before;
        for s in &live.schedules {
            // Starting at a whole minute after the rules went, within the wait's bound.
            let start = s.start.unwrap();
            assert_eq!(start.as_second() % 60, 0, "{}", s.name);
            assert!(start > before, "{}: {start}", s.name);
            assert!(
                start.as_second() - before.as_second() <= 150 + 60 + 30,
                "{}: {start}",
                s.name
            );
            last = last.max(start);
        }
        last
    });
    // Until that minute the plan shows the start the move set (only that); from it on, the
    // start has passed and the plan is empty.
    let soon = cli(&repo, &["plan", "--now", &before.to_string()]);
    assert!(
        soon.stdout
            .contains("Plan: 0 to create, 7 to update, 0 to delete, 0 unchanged."),
        "{}",
        soon.stdout
    );
    let after = cli(
        &repo,
        &[
            "plan",
            "--detailed-exitcode",
            "--now",
            &last_start.to_string(),
        ],
    );
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
}

// Scheduler → rules in one apply: the rules are written disabled, the schedules deleted at a
// moment when none is due, then the rules enabled; afterwards the group is empty, the rules
// are as the rules backend wants them and a second plan is empty.
#[test]
fn scheduler_moves_back_to_rules_in_one_apply() {
    let prefix = prefix("schb");
    let repo = bundled_repo(&prefix);
    let group = on_scheduler(&repo, &prefix);
    let on = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(on.code, 0, "{}{}", on.stdout, on.stderr);
    let settings = std::fs::read_to_string(repo.dir.join("cronbridge.yml")).unwrap();
    repo.write(
        "cronbridge.yml",
        &settings.replace("  backend: scheduler\n", ""),
    );
    let plan = cli(&repo, &["plan", "--now", common::NOW]);
    assert!(
        plan.stdout.contains(&format!(
            "  - schedule {prefix}Backup  (replaced by the rule {prefix}Backup)"
        )),
        "{}",
        plan.stdout
    );
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("Moved: 7 schedule(s), 0 failed."),
        "{}",
        apply.stdout
    );
    runtime().block_on(async {
        let c = client(&group).await;
        let (names, _) = c.list_schedules(None).await.unwrap();
        assert!(names.is_empty(), "{names:?}");
        let events = crate::aws_sync::client_at(&endpoint(), 3).await;
        let rules = crate::aws_sync::live_rules(&events, &prefix).await;
        let backup = &rules[&format!("{prefix}Backup")];
        assert_eq!(backup.state, "ENABLED");
        assert_eq!(
            backup.schedule_expression.as_deref(),
            Some("cron(0 0 * * ? *)")
        );
        assert_eq!(backup.targets.len(), 1);
    });
    let again = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
}

/// A loopback proxy in front of the emulator that answers the first attempt of every
/// distinct request (request line and body) with `ThrottlingException` (HTTP 429), as
/// Scheduler does over its request quotas. Scheduler speaks REST-JSON, so requests are told
/// apart by their line, not an `X-Amz-Target` header.
fn throttling_proxy(upstream: &str) -> (String, std::sync::Arc<std::sync::Mutex<usize>>) {
    fault_proxy(upstream, None)
}

/// [`throttling_proxy`], or with `fail_write: Some(n)` one that instead refuses the `n`th
/// write (any request but a GET, 1-based) with a non-retryable `AccessDeniedException`: an
/// apply interrupted halfway. The counter counts the faults.
fn fault_proxy(
    upstream: &str,
    fail_write: Option<usize>,
) -> (String, std::sync::Arc<std::sync::Mutex<usize>>) {
    use std::collections::HashSet;
    use std::io::Write;
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let throttled = Arc::new(Mutex::new(0usize));
    /// Request lines and bodies already throttled once.
    type Seen = Arc<Mutex<HashSet<(String, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let counter = throttled.clone();
    let writes = Arc::new(Mutex::new(0usize));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (upstream, seen, counter) = (upstream.clone(), seen.clone(), counter.clone());
            let writes = writes.clone();
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut client = stream;
                let (head, body) = crate::aws_sync::read_request(&mut client)?;
                let line = head.lines().next().unwrap_or("").to_string();
                if let Some(n) = fail_write {
                    let is_write = !line.starts_with("GET ");
                    let nth = is_write && {
                        let mut w = writes.lock().unwrap();
                        *w += 1;
                        *w == n
                    };
                    if nth {
                        *counter.lock().unwrap() += 1;
                        let text = "{\"message\":\"injected failure\"}";
                        let response = format!(
                            "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nx-amzn-RequestId: 0\r\nx-amzn-ErrorType: AccessDeniedException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                            text.len()
                        );
                        return client.write_all(response.as_bytes());
                    }
                } else if seen.lock().unwrap().insert((line, body.clone())) {
                    *counter.lock().unwrap() += 1;
                    let text = "{\"message\":\"Rate exceeded\"}";
                    let response = format!(
                        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nx-amzn-RequestId: 0\r\nx-amzn-ErrorType: ThrottlingException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    return client.write_all(response.as_bytes());
                }
                crate::aws_sync::forward(&mut client, &upstream, &head, &body)
            });
        }
    });
    (url, throttled)
}

// Every distinct Scheduler call throttled once: the SDK's standard retry mode backs off and
// retries, the apply converges, and the counter sees the extra attempts.
#[tokio::test]
async fn throttled_calls_are_retried_by_the_sdk() {
    use cronbridge::deploy::desired::Desired;
    use cronbridge::deploy::schedules::{self, ScheduleStatus};
    let prefix = prefix("scht");
    let group = format!("{prefix}grp");
    let repo = Repo::new();
    repo.write("schedules/zones.yml", ZONES);
    on_scheduler(&repo, &prefix);
    let inputs = cronbridge::source::read_inputs(
        &cronbridge::source::Source::WorkTree(repo.dir.clone()),
        None,
    )
    .unwrap();
    let analysis = cronbridge::check::analyse(
        inputs,
        &cronbridge::check::Options {
            now: common::NOW.parse().unwrap(),
            horizon_days: 30,
        },
    );
    // The settings name the target; nothing comes from the environment.
    let env = |_: &str| None;
    let desired: Desired =
        cronbridge::deploy::desired_state(&analysis.findings, &analysis.model(), &env).unwrap();
    let (url, throttled) = throttling_proxy(&endpoint());
    let connection = Connection {
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(url),
        static_credentials: Some(("testing".to_string(), "testing".to_string())),
    };
    let options = ClientOptions {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        attempt_timeout: Duration::from_secs(30),
    };
    let c = Scheduler::connect(&connection, &group, &options).await;
    let at = cronbridge::finding::Location::file_start("cronbridge.yml");
    let now = common::NOW.parse().unwrap();
    let live = scheduler_sync::read_live(&c, desired.repository.as_deref(), 4)
        .await
        .unwrap();
    let plan = schedules::plan(&desired, &live, &group, 0.25, &at, now);
    let status = scheduler_sync::apply(&c, &plan, live.group.as_ref(), 4).await;
    let ScheduleStatus::Applied { schedules: done } = status else {
        panic!("{status:?}");
    };
    assert!(done.iter().all(|s| s.error.is_none()), "{done:?}");
    assert_eq!(done.len(), 4);
    let stats = c.stats();
    let n = *throttled.lock().unwrap() as u64;
    assert!(
        n >= 1 + 1 + 4,
        "group read, group creation, four creations: {n}"
    );
    assert_eq!(stats.retries(), n, "{stats:?}");
    let live = scheduler_sync::read_live(&c, desired.repository.as_deref(), 4)
        .await
        .unwrap();
    assert!(!schedules::plan(&desired, &live, &group, 0.25, &at, now).has_changes());
}

// `explain --backend scheduler`: the runs as Scheduler fires them (01:30 once on the New York
// fall-back day, at its first instant), and no UTC rule.
#[test]
fn explain_lists_the_runs_scheduler_fires() {
    let repo = Repo::new();
    let run = repo.run(&[
        "explain",
        "30 1 * * ? *",
        "--tz",
        "America/New_York",
        "--from",
        "2026-10-31T00:00:00Z",
        "--count",
        "3",
        "--backend",
        "scheduler",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["backend"], "scheduler");
    assert!(json.get("utc_expressions").is_none());
    let utc: Vec<&str> = json["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["utc"].as_str().unwrap())
        .collect();
    assert_eq!(
        utc,
        [
            "2026-10-31T05:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:30:00Z"
        ]
    );
    // The rules backend refuses this schedule (its hour moves with the clocks).
    let rules = repo.run(&[
        "explain",
        "30 1 * * ? *",
        "--tz",
        "America/New_York",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&rules.stdout).unwrap();
    assert!(json.get("utc_error").is_some(), "{json}");
}

// A rule outside cronbridge that already starts a batch would run it beside its schedule:
// the Scheduler plan refuses, naming the rule, and writes nothing.
#[test]
fn a_foreign_rule_starting_a_batch_stops_the_move_to_scheduler() {
    let prefix = prefix("schtw");
    let repo = Repo::new();
    repo.write("schedules/a.yml", common::BACKUP);
    let group = on_scheduler(&repo, &prefix);
    let by_hand = format!("{}Backup", prefix.replace('-', "_"));
    runtime().block_on(async {
        let events = crate::aws_sync::client_at(&endpoint(), 3).await;
        crate::deploy_diff::seed_foreign(
            &events,
            &by_hand,
            &crate::aws_sync::state_machine(&prefix),
            r#"{"batch": "Backup"}"#,
        )
        .await;
    });
    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 1, "{}{}", apply.stdout, apply.stderr);
    let text = format!("{}{}", apply.stdout, apply.stderr);
    assert!(
        text.contains(&format!(
            "`Backup` would run twice: the rule `{by_hand}` already starts it"
        )) && text.contains("as the batch moves to its schedule"),
        "{text}"
    );
    runtime().block_on(async {
        let c = client(&group).await;
        let (names, _) = c.list_schedules(None).await.unwrap_or_default();
        assert!(names.is_empty(), "{names:?}");
    });
}

// An apply that fails halfway (the third write refused, not retried) reports the failure;
// run again, it converges: every schedule is there as desired and the next plan is empty.
#[test]
fn an_interrupted_apply_converges_when_run_again() {
    let prefix = prefix("schi");
    let repo = Repo::new();
    repo.write("schedules/zones.yml", ZONES);
    let group = on_scheduler(&repo, &prefix);
    let (url, faults) = fault_proxy(&endpoint(), Some(3));
    let through = |url: &str| {
        let mut cmd = common::cronbridge(&repo.dir);
        cmd.env("AWS_ENDPOINT_URL", url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["apply", "--now", common::NOW]);
        common::run(&mut cmd, &repo.dir)
    };
    let first = through(&url);
    assert_eq!(first.code, 3, "{}{}", first.stdout, first.stderr);
    assert_eq!(*faults.lock().unwrap(), 1);
    let again = through(&endpoint());
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let plan = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    runtime().block_on(async {
        let c = client(&group).await;
        let (names, _) = c.list_schedules(None).await.unwrap();
        assert_eq!(names.len(), 4, "{names:?}");
    });
}
