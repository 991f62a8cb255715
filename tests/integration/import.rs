//! `cronbridge import` and adoption in place against moto, seeded as the DESIGN.md team's
//! script left its account: rules named after the batches, in UTC, with a Step Functions
//! target whose input names the batch. The round trip: import → check clean → plan shows only
//! tag additions → apply → plan shows no change → the timetable is the live rules' fire times.

use crate::aws_sync::{client_at, endpoint, prefix};
use crate::common::{self, Repo};
use cronbridge::aws::eventbridge::EventBridge;
use cronbridge::aws::sync;
use cronbridge::check::{self, Analysis, Options};
use cronbridge::cron::{self, Expression};
use cronbridge::deploy::desired::{EcsTarget, Rule, Target};
use cronbridge::deploy::plan::Action;
use cronbridge::deploy::{DeployOptions, DeployReport, Status};
use cronbridge::source::{self as repo_io, Source};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

const ROLE: &str = "arn:aws:iam::123456789012:role/events-to-sfn";
const STATE_MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:batch";
const CLUSTER: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";
const TASK_DEFINITION: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/batch:7";

/// A rule as the team's script registered it: no tags, one target with its own id.
fn team_rule(
    name: &str,
    schedule: &str,
    state: &str,
    description: &str,
    target: Option<Target>,
) -> Rule {
    Rule {
        name: name.to_string(),
        schedule_expression: Some(schedule.to_string()),
        event_pattern: None,
        state: state.to_string(),
        description: (!description.is_empty()).then(|| description.to_string()),
        tags: BTreeMap::new(),
        targets: target.into_iter().collect(),
    }
}

fn sfn_target(input: &str) -> Target {
    Target {
        id: "Id1".to_string(),
        arn: STATE_MACHINE.to_string(),
        role_arn: Some(ROLE.to_string()),
        input: Some(input.to_string()),
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
        dead_letter_arn: None,
        ecs: None,
    }
}

fn names(batch: &str, class: &str) -> String {
    json!({"batch": batch, "batch_class": class}).to_string()
}

async fn seed(client: &EventBridge, rules: &[Rule]) {
    for r in rules {
        client.put_rule(r, &r.state).await.unwrap();
        if !r.targets.is_empty() {
            client.put_targets(&r.name, &r.targets).await.unwrap();
        }
    }
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

fn analysis(repo: &Repo) -> Analysis {
    let inputs = repo_io::read_inputs(&Source::WorkTree(repo.dir.clone()), None).unwrap();
    check::analyse(
        inputs,
        &Options {
            now: common::NOW.parse().unwrap(),
            horizon_days: 366,
        },
    )
}

async fn deploy(client: &EventBridge, repo: &Repo, dry_run: bool) -> DeployReport {
    let options = DeployOptions {
        dry_run,
        ..DeployOptions::default()
    };
    sync::deploy(client, &analysis(repo), &|_| None, &options)
        .await
        .unwrap()
}

/// The rules as they are live now, by name, with all targets.
async fn live(client: &EventBridge, prefix: &str) -> BTreeMap<String, Rule> {
    let filter = cronbridge::import::Filter {
        prefix: Some(prefix.to_string()),
        ..Default::default()
    };
    cronbridge::aws::import::read_rules(client, &filter, 4)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.rule.name.clone(), r.rule))
        .collect()
}

/// Asserts the plan adopts exactly `adopted`, each with tag additions only.
fn only_tag_additions(report: &DeployReport, adopted: &BTreeSet<String>) {
    let plan = &report.plan;
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let changed: BTreeSet<String> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(&changed, adopted);
    for c in &plan.changes {
        assert_eq!(c.action, Action::Update, "{c:?}");
        assert!(c.renamed_from.is_none() && c.renamed_to.is_none(), "{c:?}");
        assert!(c.adopts, "{c:?}");
        assert!(
            !c.rule_changed && !c.targets_changed,
            "{}: {:?}",
            c.name,
            c.fields
        );
        for f in &c.fields {
            assert!(
                f.field.starts_with("tag cronbridge:") && f.before.is_none(),
                "{}: {f:?}",
                c.name
            );
        }
    }
}

/// Fire times strictly after `now`, up to `days` later.
fn fires(e: &Expression, tz: &TimeZone, now: Timestamp, days: i64) -> BTreeSet<i64> {
    let end = now.as_second() + days * 86_400;
    e.fire_times_after(now, tz)
        .map(|t| t.as_second())
        .take_while(|s| *s < end)
        .collect()
}

#[tokio::test]
async fn the_design_teams_rules_come_back_as_jst_yaml_and_are_adopted_in_place() {
    let client = client_at(&endpoint(), 3).await;
    let p = prefix("imp");
    let now: Timestamp = common::NOW.parse().unwrap();
    let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
    // `0 8-10 ? * MON *` JST, as the script split it over two UTC rules.
    let split =
        cron::rewrite::to_utc(&cron::parse("0 8-10 ? * MON *").unwrap(), &tokyo, now).unwrap();
    assert_eq!(split.len(), 2);
    let long = format!("Long{}", "x".repeat(60 - p.len()));
    let rules = vec![
        team_rule(
            &format!("{p}Backup"),
            "cron(0 0 * * ? *)",
            "ENABLED",
            "バックアップ",
            Some(sfn_target(&names("Backup", "Batches::Daily::Backup"))),
        ),
        team_rule(
            &format!("{p}DailyReport"),
            "cron(0 23 ? * SUN-THU *)",
            "ENABLED",
            "日次レポート",
            Some(sfn_target(&names("DailyReport", "Batches::Daily::Report"))),
        ),
        team_rule(
            &format!("{p}MonthlyClose"),
            "cron(0 18 L * ? *)",
            "ENABLED",
            "月次締め",
            Some(sfn_target(&names(
                "MonthlyClose",
                "Batches::Monthly::Close",
            ))),
        ),
        team_rule(
            &format!("{p}Report-1"),
            &split[0].to_aws(),
            "ENABLED",
            "週次",
            Some(sfn_target(&names("Report", "Batches::Weekly::Report"))),
        ),
        team_rule(
            &format!("{p}Report-2"),
            &split[1].to_aws(),
            "ENABLED",
            "週次",
            Some(sfn_target(&names("Report", "Batches::Weekly::Report"))),
        ),
        team_rule(
            &format!("{p}Legacy"),
            "cron(0 15 * * ? *)",
            "DISABLED",
            "old \"quoted\" # and\nnewline",
            Some(sfn_target(&names("Legacy", "Batches::Old::Legacy"))),
        ),
        team_rule(
            &format!("{p}Sweep"),
            "rate(5 minutes)",
            "ENABLED",
            "",
            Some(sfn_target(&names("Sweep", "Batches::Minutely::Sweep"))),
        ),
        // A name that, with cronbridge's prefix and a `-N`, would not fit in 64 characters.
        team_rule(
            &format!("{p}{long}"),
            "cron(30 3 ? * SAT *)",
            "ENABLED",
            "long",
            Some(sfn_target(&names(&long, "Batches::Weekly::Long"))),
        ),
        // Left out: no target, odd input, one batch at two unrelated times.
        team_rule(
            &format!("{p}Orphan"),
            "cron(0 1 * * ? *)",
            "ENABLED",
            "no target",
            None,
        ),
        team_rule(
            &format!("{p}Odd"),
            "cron(0 2 * * ? *)",
            "ENABLED",
            "odd",
            Some(sfn_target("{\"batch\": [1, {\"x\": null}]")),
        ),
        team_rule(
            &format!("{p}Twice-a"),
            "cron(0 1 ? * MON *)",
            "ENABLED",
            "twice",
            Some(sfn_target(&names("Twice", "Batches::Twice"))),
        ),
        team_rule(
            &format!("{p}Twice-b"),
            "cron(30 5 ? * WED *)",
            "ENABLED",
            "twice",
            Some(sfn_target(&names("Twice", "Batches::Twice"))),
        ),
    ];
    seed(&client, &rules).await;
    // A rule another tool made for the same service, straight to ECS: another target than
    // the one this repository deploys, so it is left out (import it with --target-arn).
    let mut ecs = team_rule(
        &format!("{p}EcsNightly"),
        "cron(0 16 * * ? *)",
        "ENABLED",
        "ecs",
        Some(sfn_target("")),
    );
    ecs.targets[0] = Target {
        id: "ecs".to_string(),
        arn: CLUSTER.to_string(),
        input: Some(json!({"containerOverrides": [{"name": "app", "command": ["rails", "runner", "Batches::Nightly::Ecs.run"]}]}).to_string()),
        ecs: Some(EcsTarget {
            task_definition_arn: TASK_DEFINITION.to_string(),
            task_count: 1,
            launch_type: Some("FARGATE".to_string()),
            platform_version: None,
            subnets: vec!["subnet-0123456789abcdef0".to_string()],
            security_groups: vec![],
            assign_public_ip: Some(false),
        }),
        ..ecs.targets[0].clone()
    };
    seed(&client, &[ecs]).await;
    // The unrelated event-pattern rule (the task-failure alert), with its SNS target.
    let mut alert = team_rule(&format!("{p}task-failed"), "", "ENABLED", "alert", None);
    alert.schedule_expression = None;
    alert.event_pattern = Some(r#"{"source":["aws.ecs"]}"#.to_string());
    alert.targets = vec![Target {
        id: "sns".to_string(),
        arn: "arn:aws:sns:us-east-1:123456789012:alerts".to_string(),
        role_arn: None,
        input: None,
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
        dead_letter_arn: None,
        ecs: None,
    }];
    seed(&client, &[alert]).await;
    let before = live(&client, &p).await;
    assert_eq!(before.len(), 14);

    let repo = Repo::new();
    repo.write(
        "cronbridge.yml",
        &format!("rule_prefix: {p}cb-\naws:\n  region: us-east-1\n  rules_quota: 100000\n  repository: acme/{p}batches\n  target:\n    role_arn: {ROLE}\n    state_machine_arn: {STATE_MACHINE}\n"),
    );
    let import = cli(&repo, &["import", "--prefix", &p, "--now", common::NOW]);
    assert_eq!(import.code, 0, "{}{}", import.stdout, import.stderr);
    let yaml = std::fs::read_to_string(repo.dir.join("schedules/imported.yml")).unwrap();
    for (batch, cron) in [
        ("Backup", "0 9 * * ? *"),
        ("DailyReport", "0 8 ? * MON-FRI *"),
        ("MonthlyClose", "0 3 1 * ? *"),
        ("Report", "0 8,9,10 ? * MON *"),
        ("Legacy", "0 0 * * ? *"),
        ("Sweep", "rate(5 minutes)"),
    ] {
        assert!(
            yaml.contains(&format!("{batch}:\n  cron: \"{cron}\"\n")),
            "{batch}: {yaml}"
        );
    }
    assert!(
        yaml.contains(&format!("# from rules {p}Report-1, {p}Report-2\n")),
        "{yaml}"
    );
    assert!(yaml.contains("  is_active: false\n"), "{yaml}");
    for skipped in [
        "Orphan",
        "Odd",
        "Twice-a",
        "Twice-b",
        "task-failed",
        "EcsNightly",
    ] {
        assert!(
            import.stdout.contains(&format!("  {p}{skipped}: ")),
            "{skipped}: {}",
            import.stdout
        );
    }
    assert!(
        !import.stdout.contains("do not describe the live rules"),
        "{}",
        import.stdout
    );
    // Never overwritten without --force.
    let again = cli(&repo, &["import", "--prefix", &p, "--now", common::NOW]);
    assert_eq!(again.code, 2, "{}{}", again.stdout, again.stderr);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);

    let check = cli(&repo, &["check", "--now", common::NOW]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("✓ no errors"), "{}", check.stdout);
    let json = cli(&repo, &["check", "--now", common::NOW, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let report_batch = report["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Report")
        .unwrap();
    assert_eq!(
        report_batch["rule"],
        json!([format!("{p}Report-1"), format!("{p}Report-2")])
    );

    let adopted: BTreeSet<String> = [
        "Backup",
        "DailyReport",
        "MonthlyClose",
        "Report-1",
        "Report-2",
        "Legacy",
        "Sweep",
        long.as_str(),
    ]
    .iter()
    .map(|n| format!("{p}{n}"))
    .collect();
    let plan = deploy(&client, &repo, true).await;
    only_tag_additions(&plan, &adopted);
    let shown = cli(&repo, &["plan", "--now", common::NOW]);
    assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
    assert!(
        shown.stdout.contains(&format!(
            "  ~ {p}Backup  (batch Backup, takes over the rule without cronbridge's tags)\n"
        )),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains("Plan: 0 to create, 8 to update, 0 to delete"),
        "{}",
        shown.stdout
    );
    let applied = deploy(&client, &repo, false).await;
    let Status::Applied(outcome) = &applied.status else {
        panic!("{:?}", applied.status)
    };
    for r in &outcome.rules {
        assert_eq!(
            (r.steps.as_slice(), &r.error),
            (&["TagResource"][..], &None),
            "{}",
            r.name
        );
    }
    let after = deploy(&client, &repo, true).await;
    assert!(!after.plan.has_changes(), "{:?}", after.plan.changes);
    assert!(
        after.plan.changes.iter().all(|c| !c.adopts),
        "{:?}",
        after.plan.changes
    );

    // Nothing but the tags changed, and every batch fires exactly when its rules did.
    let now_live = live(&client, &p).await;
    assert_eq!(now_live.len(), before.len());
    for (name, was) in &before {
        let is = &now_live[name];
        let mut untagged = is.clone();
        untagged.tags.retain(|k, _| !k.starts_with("cronbridge:"));
        assert_eq!(&untagged, was, "{name}");
        assert_eq!(
            is.tags.contains_key("cronbridge:managed"),
            adopted.contains(name),
            "{name}"
        );
    }
    let a = analysis(&repo);
    for batch in &a.inputs.batches {
        let local = fires(&batch.cron, &batch.zone.tz, now, 400);
        let mut utc = BTreeSet::new();
        for r in &batch.rules {
            let e = cron::parse(now_live[r].schedule_expression.as_deref().unwrap()).unwrap();
            utc.extend(fires(&e, &TimeZone::UTC, now, 400));
        }
        assert_eq!(local, utc, "{}", batch.name);
    }

    // Adopted, the rule is cronbridge's: dropping `rule:` later is the rename path (one
    // cutover to `<prefix>Backup`), not a second rule beside the first.
    let adopted_line = format!("  rule: \"{p}Backup\"\n");
    assert!(yaml.contains(&adopted_line), "{yaml}");
    repo.write("schedules/imported.yml", &yaml.replace(&adopted_line, ""));
    let renamed = deploy(&client, &repo, true).await;
    let r: Vec<(&str, &str)> = renamed
        .plan
        .renames
        .iter()
        .map(|r| (r.from.as_str(), r.to.as_str()))
        .collect();
    let (from, to) = (format!("{p}Backup"), format!("{p}cb-Backup"));
    assert_eq!(
        r,
        vec![(from.as_str(), to.as_str())],
        "{:?}",
        renamed.plan.changes
    );
}

#[tokio::test]
async fn ecs_target_rules_are_imported_with_their_command_and_the_settings_to_set() {
    let client = client_at(&endpoint(), 3).await;
    let p = prefix("impecs");
    let ecs = EcsTarget {
        task_definition_arn: TASK_DEFINITION.to_string(),
        task_count: 1,
        launch_type: Some("FARGATE".to_string()),
        platform_version: None,
        subnets: vec!["subnet-0123456789abcdef0".to_string()],
        security_groups: vec!["sg-0123456789abcdef0".to_string()],
        assign_public_ip: Some(false),
    };
    let target = |class: &str| {
        Target {
        id: "ecs".to_string(),
        arn: CLUSTER.to_string(),
        role_arn: Some(ROLE.to_string()),
        input: Some(json!({"containerOverrides": [{"name": "app", "command": ["bundle", "exec", "rails", "runner", format!("{class}.run")]}]}).to_string()),
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
        dead_letter_arn: None,
        ecs: Some(ecs.clone()),
    }
    };
    seed(
        &client,
        &[
            team_rule(
                &format!("{p}Backup"),
                "cron(0 0 * * ? *)",
                "ENABLED",
                "バックアップ",
                Some(target("Batches::Daily::Backup")),
            ),
            team_rule(
                &format!("{p}Cleanup"),
                "cron(0 23 ? * SUN-THU *)",
                "ENABLED",
                "掃除",
                Some(target("Batches::Daily::Cleanup")),
            ),
        ],
    )
    .await;
    let repo = Repo::new();
    let base = format!(
        "rule_prefix: {p}cb-\naws:\n  region: us-east-1\n  rules_quota: 100000\n  repository: acme/{p}batches\n"
    );
    repo.write("cronbridge.yml", &base);
    let import = cli(&repo, &["import", "--prefix", &p, "--now", common::NOW]);
    assert_eq!(import.code, 0, "{}{}", import.stdout, import.stderr);
    assert!(
        import.stdout.contains("do not describe the live rules"),
        "{}",
        import.stdout
    );
    assert!(
        import
            .stdout
            .contains(&format!("aws.target.cluster_arn: {CLUSTER}")),
        "{}",
        import.stdout
    );
    let yaml = std::fs::read_to_string(repo.dir.join("schedules/imported.yml")).unwrap();
    assert!(
        yaml.contains("Cleanup:\n  cron: \"0 8 ? * MON-FRI *\"\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  batch_class: \"Batches::Daily::Cleanup\"\n"),
        "{yaml}"
    );
    // The settings the import proposes make the plan tags only.
    let rules: Vec<_> = live(&client, &p)
        .await
        .into_values()
        .map(|rule| cronbridge::deploy::plan::LiveRule {
            arn: String::new(),
            rule,
        })
        .collect();
    let settings = cronbridge::settings::Settings::default();
    let proposed = cronbridge::import::import(
        &rules,
        &cronbridge::import::Options {
            settings: &settings,
            zone: settings.zone.clone(),
            now: common::NOW.parse().unwrap(),
            filter: Default::default(),
            bus: "default".to_string(),
        },
    );
    let snippet = cronbridge::import::settings_snippet(proposed.target.as_ref().unwrap());
    assert!(snippet.contains("\"[\\\"bundle\\\",\\\"exec\\\",\\\"rails\\\",\\\"runner\\\",\\\"<batch_class>.run\\\"]\""), "{snippet}");
    repo.write(
        "cronbridge.yml",
        &format!("{base}{}", snippet.trim_start_matches("aws:\n")),
    );
    let check = cli(&repo, &["check", "--now", common::NOW]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("✓ no errors"), "{}", check.stdout);
    let plan = deploy(&client, &repo, true).await;
    only_tag_additions(
        &plan,
        &[format!("{p}Backup"), format!("{p}Cleanup")]
            .into_iter()
            .collect(),
    );
}

#[test]
fn import_without_importable_rules_writes_nothing() {
    let p = prefix("impnone");
    let repo = Repo::new();
    repo.write("cronbridge.yml", "aws:\n  region: us-east-1\n");
    let run = cli(&repo, &["import", "--prefix", &p, "--now", common::NOW]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(!repo.dir.join("schedules/imported.yml").exists());
    let linked = Repo::new();
    linked.symlink(&repo.dir.join("cronbridge.yml"), "cronbridge.yml");
    let refused = cli(&linked, &["import"]);
    assert_eq!(refused.code, 2, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("symbolic link"),
        "{}",
        refused.stderr
    );
    let bad = cli(&repo, &["import", "--timezone", "Asia/Tokio"]);
    assert_eq!(bad.code, 2, "{}{}", bad.stdout, bad.stderr);
    assert!(bad.stderr.contains("Asia/Tokyo"), "{}", bad.stderr);
}

/// A schedule as a team's own tooling left it in its group: the zone it was written in, the
/// default retry policy, no cronbridge description.
fn team_schedule(
    name: &str,
    expression: &str,
    zone: &str,
    input: &str,
    state_machine: &str,
) -> cronbridge::deploy::schedules::Schedule {
    cronbridge::deploy::schedules::Schedule {
        name: name.to_string(),
        expression: expression.to_string(),
        timezone: zone.to_string(),
        state: "ENABLED".to_string(),
        description: Some(format!("{name}: the team's own words")),
        flexible_window: None,
        start: None,
        end: None,
        action_after_completion: Some("NONE".to_string()),
        target: Some(Target {
            id: String::new(),
            arn: state_machine.to_string(),
            role_arn: Some(crate::aws_sync::ROLE.to_string()),
            input: Some(input.to_string()),
            maximum_retry_attempts: Some(185),
            maximum_event_age_seconds: Some(86_400),
            dead_letter_arn: None,
            ecs: None,
        }),
    }
}

#[test]
fn a_teams_schedule_group_is_imported_as_it_is_and_taken_over_without_a_create_or_delete() {
    use cronbridge::deploy::schedules::Schedule;
    let prefix = prefix("sci");
    let group = format!("{prefix}grp");
    let repository = format!("octo/{prefix}x");
    let sm = crate::aws_sync::state_machine(&prefix);
    let repo = Repo::new();
    repo.write(
        "cronbridge.yml",
        &format!(
            "timezone: Asia/Tokyo\n{}",
            crate::aws_sync::settings(
                &prefix,
                &format!(
                    "  backend: scheduler\n  schedule_group: {group}\n  repository: {repository}\n"
                ),
            )
        ),
    );
    let n = |b: &str| format!("{prefix}{b}");
    let input = |b: &str| names(b, &format!("Batches::Daily::{b}"));
    let seeded: Vec<Schedule> = vec![
        team_schedule(
            &n("Backup"),
            "cron(0 9 * * ? *)",
            "Asia/Tokyo",
            &input("Backup"),
            &sm,
        ),
        Schedule {
            flexible_window: Some(15),
            start: Some("2027-01-04T00:00:00Z".parse().unwrap()),
            end: Some("2027-06-30T17:00:00Z".parse().unwrap()),
            ..team_schedule(
                &n("London"),
                "cron(30 8 ? * MON-FRI *)",
                "Europe/London",
                &input("London"),
                &sm,
            )
        },
        team_schedule(&n("Poll"), "rate(30 minutes)", "UTC", &input("Poll"), &sm),
        team_schedule(
            &n("NewYear"),
            "at(2026-12-31T23:00:00)",
            "Asia/Tokyo",
            &input("NewYear"),
            &sm,
        ),
        Schedule {
            state: "DISABLED".to_string(),
            ..team_schedule(
                &n("Monthly"),
                "cron(0 3 1 * ? *)",
                "Asia/Tokyo",
                &input("Monthly"),
                &sm,
            )
        },
        team_schedule(
            &n("Cleanup"),
            "cron(0 4 * * ? *)",
            "Asia/Tokyo",
            r#"{"job":"cleanup"}"#,
            &sm,
        ),
    ];
    let runtime = crate::scheduler_sync::runtime();
    let arn = runtime.block_on(async {
        let c = crate::scheduler_sync::client(&group).await;
        // An untagged group, as the team created it.
        c.create_group(&BTreeMap::new()).await.unwrap();
        for s in &seeded {
            c.create_schedule(s).await.unwrap();
        }
        c.get_group().await.unwrap().unwrap().arn
    });

    let import = cli(&repo, &["import", "--now", common::NOW]);
    assert_eq!(import.code, 0, "{}{}", import.stdout, import.stderr);
    let out = &import.stdout;
    assert!(
        out.contains(&format!(
            "Imported 5 batches from 5 schedules of the schedule group `{group}` into schedules/imported.yml"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  {}: its input names no batch (no `batch` or `batch_class`)",
            n("Cleanup")
        )),
        "{out}"
    );
    let command = cronbridge::import::scheduler::tag_command(&arn, Some(&repository));
    assert!(out.contains(&command), "{out}");
    let yaml = std::fs::read_to_string(repo.dir.join("schedules/imported.yml")).unwrap();
    for line in [
        "Backup:\n  cron: \"0 9 * * ? *\"\n",
        "  cron: \"30 8 ? * MON-FRI *\"\n",
        "  timezone: \"Europe/London\"\n  flexible_window: 15m\n  start: \"2027-01-04T00:00\"\n  end: \"2027-06-30T18:00\"\n",
        "Poll:\n  cron: \"rate(30 minutes)\"\n",
        "NewYear:\n  at: \"2026-12-31T23:00\"\n",
        "  is_active: false\n",
    ] {
        assert!(yaml.contains(line), "{line:?} not in\n{yaml}");
    }

    let check = repo.run(&["check", "--now", common::NOW]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // Not handed over yet: the plan refuses the group and touches nothing.
    let refused = cli(&repo, &["plan", "--now", common::NOW]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        format!("{}{}", refused.stdout, refused.stderr).contains("exists without cronbridge's tag"),
        "{}{}",
        refused.stdout,
        refused.stderr
    );

    // The team's steps: the schedule the file lacks leaves the group, then the consent.
    runtime.block_on(async {
        let c = crate::scheduler_sync::client(&group).await;
        c.delete_schedule(&n("Cleanup")).await.unwrap();
        c.tag_resource(
            &arn,
            &cronbridge::deploy::schedules::group_tags(Some(&repository)),
        )
        .await
        .unwrap();
    });
    let plan = cli(&repo, &["plan", "--format", "json", "--now", common::NOW]);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", plan.stdout, plan.stderr));
    let changes = doc["plan"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5, "{doc:#}");
    for c in changes {
        let action = c["action"].as_str().unwrap();
        assert!(action == "update" || action == "unchanged", "{doc:#}");
        // In place: only cronbridge's description `<expression> <zone>: …`.
        for f in c["fields"].as_array().unwrap() {
            assert_eq!(f["field"], "description", "{doc:#}");
        }
    }
    assert_eq!(doc["plan"]["group_action"], "unchanged", "{doc:#}");

    let apply = cli(&repo, &["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let again = cli(
        &repo,
        &["plan", "--detailed-exitcode", "--now", common::NOW],
    );
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    // The same schedules, none recreated: the expressions, zones, windows and bounds as seeded.
    runtime.block_on(async {
        let c = crate::scheduler_sync::client(&group).await;
        let live = cronbridge::aws::scheduler_sync::read_schedules(&c, 4)
            .await
            .unwrap();
        let kept: Vec<&Schedule> = seeded.iter().filter(|s| s.name != n("Cleanup")).collect();
        assert_eq!(live.len(), kept.len());
        for s in kept {
            let l = live.iter().find(|l| l.name == s.name).unwrap();
            assert_eq!(
                (
                    &l.expression,
                    &l.timezone,
                    &l.state,
                    l.flexible_window,
                    l.start,
                    l.end
                ),
                (
                    &s.expression,
                    &s.timezone,
                    &s.state,
                    s.flexible_window,
                    s.start,
                    s.end
                ),
                "{}",
                s.name
            );
        }
    });
}
