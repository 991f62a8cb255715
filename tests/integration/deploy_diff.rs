//! Issue 11 against moto: renames cut over without a double or a lost run, rules owned by
//! their repository tag, and the guards that make the pull request fail instead of the
//! deploy. After each scenario the emulator's state is checked: no batch with two enabled
//! rules, every active batch with its rule, no alert lost unless deleting it was allowed.

use crate::aws_sync::{bundled_repo, client_at, endpoint, prefix, settings};
use crate::common::{self, Repo};
use cronbridge::aws::eventbridge::EventBridge;
use cronbridge::aws::sync::{self, Cutover, SyncError};
use cronbridge::check::{self, Analysis, Options};
use cronbridge::deploy::desired::{
    ALERT_TAG, BATCH_TAG, KIND_TAG, MANAGED_TAG, REPOSITORY_TAG, Rule,
};
use cronbridge::deploy::plan::Action;
use cronbridge::deploy::{DeployOptions, DeployReport, Status};
use cronbridge::finding::Rule as Code;
use cronbridge::source::{self as repo_io, Source};
use std::collections::BTreeMap;

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

/// Cut over at once: the wait for a free minute is the pure `deploy::cutover`'s, unit-tested.
const NO_WAIT: Cutover = Cutover {
    busy_seconds: 10,
    max_wait_seconds: 0,
};

async fn deploy(
    client: &EventBridge,
    repo: &Repo,
    allow_delete: bool,
) -> Result<DeployReport, SyncError> {
    let options = DeployOptions {
        allow_delete,
        ..DeployOptions::default()
    };
    sync::deploy_with(client, &analysis(repo), &|_| None, &options, &NO_WAIT).await
}

fn applied(report: &DeployReport) {
    match &report.status {
        Status::Applied(a) => assert!(a.failed().next().is_none(), "{a:?}"),
        other => panic!("not applied: {other:?}"),
    }
}

/// Every rule on the bus tagged for `repository` (any prefix), by name.
async fn owned(client: &EventBridge, repository: &str) -> BTreeMap<String, Rule> {
    // A prefix no rule has: only the repository tag finds them.
    let live = sync::read_live_for(client, "\u{1}", Some(repository), 8)
        .await
        .unwrap();
    // The bus's other schedule rules are read too (to find a batch started twice).
    live.rules
        .into_iter()
        .filter(|r| r.rule.tags.get(REPOSITORY_TAG).map(String::as_str) == Some(repository))
        .map(|r| (r.rule.name.clone(), r.rule))
        .collect()
}

/// The invariants of every scenario: each batch of `active` has exactly one enabled rule,
/// no batch has two, and the alerts are `alerts`.
fn assert_state(rules: &BTreeMap<String, Rule>, active: &[&str], alerts: &[&str]) {
    let mut enabled: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut alert_names = Vec::new();
    for r in rules.values() {
        assert_eq!(r.tags[MANAGED_TAG], "true");
        if r.tags[KIND_TAG] == "alert" {
            assert_eq!(r.state, "ENABLED", "{r:?}");
            alert_names.push(r.tags[ALERT_TAG].as_str());
        } else if r.state == "ENABLED" {
            enabled
                .entry(r.tags[BATCH_TAG].as_str())
                .or_default()
                .push(r.name.as_str());
        }
    }
    for (batch, names) in &enabled {
        assert_eq!(names.len(), 1, "`{batch}` has two enabled rules: {names:?}");
    }
    for batch in active {
        assert!(
            enabled.contains_key(batch),
            "`{batch}` has no enabled rule: {rules:?}"
        );
    }
    alert_names.sort();
    assert_eq!(alert_names, alerts);
}

const ACTIVE: &[&str] = &[
    "Backup",
    "DailyReport",
    "MonthlyInvoice",
    "PayrollExport",
    "SessionCleanup",
    "WeeklyAggregation",
];

/// The bundled repository, owned by `repository`.
fn owned_repo(prefix: &str, repository: &str) -> Repo {
    let repo = bundled_repo(prefix);
    repo.write(
        "cronbridge.yml",
        &settings(prefix, &format!("  repository: {repository}\n")),
    );
    repo
}

#[tokio::test]
async fn a_changed_prefix_moves_every_rule_without_two_enabled_or_a_gap() {
    let (old, new) = (prefix("pfxold"), prefix("pfxnew"));
    let repository = format!("test/{old}");
    let repo = owned_repo(&old, &repository);
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    assert_state(
        &owned(&client, &repository).await,
        ACTIVE,
        &["batch-task-failed"],
    );

    repo.write(
        "cronbridge.yml",
        &settings(&new, &format!("  repository: {repository}\n")),
    );
    let report = deploy(&client, &repo, false).await.unwrap();
    // Found by its tags under the old prefix, each rule is renamed, not duplicated, and
    // no --allow-delete is needed: nothing is lost.
    assert_eq!(report.plan.renames.len(), 8, "{:?}", report.plan.renames);
    assert!(report.plan.delete_guard.is_none());
    applied(&report);
    let Status::Applied(a) = &report.status else {
        unreachable!()
    };
    let moved = a
        .rules
        .iter()
        .find(|r| r.name == format!("{new}Backup"))
        .unwrap();
    // The new rule is created disabled with its target and enabled last; the old one is
    // disabled (between those), then loses its target and goes.
    let new_steps: Vec<&str> = moved
        .steps
        .iter()
        .copied()
        .filter(|s| !matches!(*s, "Wait" | "NoGap"))
        .collect();
    assert_eq!(new_steps, ["PutRule", "PutTargets", "PutRule"]);
    let gone = a
        .rules
        .iter()
        .find(|r| r.name == format!("{old}Backup"))
        .unwrap();
    assert_eq!(gone.action, Action::Delete);
    assert_eq!(gone.steps, ["PutRule", "RemoveTargets", "DeleteRule"]);
    // The inactive batch's old rule was disabled already: nothing to switch off.
    let legacy = a
        .rules
        .iter()
        .find(|r| r.name == format!("{old}LegacyCsvExport"))
        .unwrap();
    assert_eq!(legacy.steps, ["RemoveTargets", "DeleteRule"]);
    let rules = owned(&client, &repository).await;
    assert!(
        rules.keys().all(|n| n.starts_with(&new)),
        "{:?}",
        rules.keys()
    );
    assert_eq!(rules.len(), 8);
    assert_state(&rules, ACTIVE, &["batch-task-failed"]);
    // Run again: nothing left to do.
    assert!(
        !deploy(&client, &repo, false)
            .await
            .unwrap()
            .plan
            .has_changes()
    );
}

#[tokio::test]
async fn a_renamed_batch_is_moved_and_the_old_rule_goes() {
    let p = prefix("rename");
    let repository = format!("test/{p}");
    let repo = owned_repo(&p, &repository);
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    let text = include_str!("../../schedules/batches.yml").replace("Backup:", "NightlyBackup:");
    repo.write("schedules/batches.yml", &text);
    let report = deploy(&client, &repo, false).await.unwrap();
    let renames: Vec<_> = report
        .plan
        .renames
        .iter()
        .map(|r| (r.from.clone(), r.to.clone(), r.by))
        .collect();
    assert_eq!(
        renames,
        vec![(
            format!("{p}Backup"),
            format!("{p}NightlyBackup"),
            "same_class_and_schedule"
        )]
    );
    applied(&report);
    let rules = owned(&client, &repository).await;
    assert!(!rules.contains_key(&format!("{p}Backup")));
    let mut active = ACTIVE.to_vec();
    active[0] = "NightlyBackup";
    assert_state(&rules, &active, &["batch-task-failed"]);
}

#[tokio::test]
async fn emptied_alerts_fail_the_check_and_a_deleted_alerts_file_needs_allow_delete() {
    let p = prefix("alerts");
    let repository = format!("test/{p}");
    let repo = owned_repo(&p, &repository);
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    for (text, code) in [
        ("", Code::PolicyEmptyFile),
        ("# no alerts for now\n", Code::PolicyEmptyFile),
        ("alerts: []\n", Code::PolicyEmptyAlerts),
    ] {
        repo.write("rules/alerts.yml", text);
        let Err(SyncError::Blocked(blocked)) = deploy(&client, &repo, false).await else {
            panic!("{text:?} was not refused");
        };
        assert!(
            blocked.findings().iter().any(|f| f.rule == code),
            "{text:?}: {:?}",
            blocked.findings()
        );
        assert_state(
            &owned(&client, &repository).await,
            ACTIVE,
            &["batch-task-failed"],
        );
    }
    // Deleting the file is a deliberate removal: visible, and guarded at apply.
    repo.remove("rules/alerts.yml");
    let report = deploy(&client, &repo, false).await.unwrap();
    let Status::Refused { reasons } = &report.status else {
        panic!("not refused: {:?}", report.status);
    };
    assert!(
        reasons[0].message.contains("every alert rule"),
        "{reasons:?}"
    );
    assert!(report.plan.delete_guard.unwrap().last_alert);
    assert_state(
        &owned(&client, &repository).await,
        ACTIVE,
        &["batch-task-failed"],
    );
    applied(&deploy(&client, &repo, true).await.unwrap());
    assert_state(&owned(&client, &repository).await, ACTIVE, &[]);
}

#[tokio::test]
async fn a_changed_target_or_input_template_updates_in_place() {
    let p = prefix("target");
    let repository = format!("test/{p}");
    let repo = owned_repo(&p, &repository);
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    let base = settings(&p, &format!("  repository: {repository}\n"));
    let other = base.replace("stateMachine:batch", "stateMachine:batch-v2");
    repo.write("cronbridge.yml", &other);
    let report = deploy(&client, &repo, false).await.unwrap();
    assert_eq!(report.plan.count(Action::Update), 7, "{:?}", report.plan);
    assert!(report.plan.renames.is_empty());
    applied(&report);
    let rules = owned(&client, &repository).await;
    assert!(
        rules[&format!("{p}Backup")].targets[0]
            .arn
            .contains(":stateMachine:batch-v2-")
    );
    assert_state(&rules, ACTIVE, &["batch-task-failed"]);

    let template = format!("{other}    input:\n      job: \"<batch_class>\"\n");
    repo.write("cronbridge.yml", &template);
    let report = deploy(&client, &repo, false).await.unwrap();
    assert_eq!(report.plan.count(Action::Update), 7);
    applied(&report);
    let rules = owned(&client, &repository).await;
    assert_eq!(
        rules[&format!("{p}Backup")].targets[0].input.as_deref(),
        Some(r#"{"job":"Batches::Daily::Backup"}"#)
    );
    assert_state(&rules, ACTIVE, &["batch-task-failed"]);
}

#[tokio::test]
async fn more_batches_than_the_quota_fail_the_check_and_create_nothing() {
    let p = prefix("quota");
    let repo = Repo::new();
    let batches: String = (0..400)
        .map(|i| format!("B{i}:\n  cron: \"0 9 * * ? *\"\n  description: d\n  batch_class: \"Batches::B{i}\"\n  is_active: true\n"))
        .collect();
    repo.write("schedules/many.yml", &batches).write(
        "cronbridge.yml",
        &settings(&p, "").replace("rules_quota: 100000", "rules_quota: 300"),
    );
    let client = client_at(&endpoint(), 3).await;
    let Err(SyncError::Blocked(blocked)) = deploy(&client, &repo, false).await else {
        panic!("400 rules against a quota of 300 were not refused");
    };
    assert!(
        blocked
            .findings()
            .iter()
            .any(|f| f.rule == Code::AwsRulesQuota)
    );
    assert!(crate::aws_sync::live_rules(&client, &p).await.is_empty());
}

#[tokio::test]
async fn two_repositories_on_one_bus_and_prefix_never_touch_each_other() {
    let p = prefix("shared");
    let (a, b) = (format!("test/{p}a"), format!("test/{p}b"));
    let client = client_at(&endpoint(), 3).await;
    let repo_a = owned_repo(&p, &a);
    applied(&deploy(&client, &repo_a, false).await.unwrap());
    // B has other batches and alerts under the same prefix: A's rules are not B's to delete.
    let repo_b = Repo::new();
    repo_b
        .write(
            "schedules/b.yml",
            "Reindex:\n  cron: \"0 2 * * ? *\"\n  description: d\n  batch_class: \"Batches::Reindex\"\n  is_active: true\n",
        )
        .write(
            "cronbridge.yml",
            &settings(&p, &format!("  repository: {b}\n")),
        );
    let report = deploy(&client, &repo_b, false).await.unwrap();
    assert_eq!(report.plan.count(Action::Delete), 0, "{:?}", report.plan);
    assert!(report.plan.delete_guard.is_none());
    applied(&report);
    assert_state(&owned(&client, &a).await, ACTIVE, &["batch-task-failed"]);
    assert_state(&owned(&client, &b).await, &["Reindex"], &[]);
    // B asking for a rule A owns is refused, naming the owner.
    repo_b.write("schedules/b.yml", common::BACKUP);
    let report = deploy(&client, &repo_b, false).await.unwrap();
    let Status::Refused { reasons } = &report.status else {
        panic!("not refused: {:?}", report.status);
    };
    assert!(
        reasons.iter().any(|f| f
            .message
            .contains(&format!("belongs to the repository `{a}`"))),
        "{reasons:?}"
    );
    assert_state(&owned(&client, &a).await, ACTIVE, &["batch-task-failed"]);
}

#[tokio::test]
async fn rules_managed_before_the_repository_tag_are_adopted() {
    let p = prefix("adopt");
    let repo = bundled_repo(&p);
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    let repository = format!("test/{p}");
    repo.write(
        "cronbridge.yml",
        &settings(&p, &format!("  repository: {repository}\n")),
    );
    let report = deploy(&client, &repo, false).await.unwrap();
    assert_eq!(report.plan.count(Action::Update), 8);
    assert!(
        report
            .plan
            .changes
            .iter()
            .all(|c| c.tags_changed && !c.rule_changed && !c.targets_changed)
    );
    applied(&report);
    let rules = owned(&client, &repository).await;
    assert!(rules.values().all(|r| r.tags[REPOSITORY_TAG] == repository));
    assert_state(&rules, ACTIVE, &["batch-task-failed"]);
}

// Changing `rule_prefix` or emptying the alerts said "No batch changes", and no comment was
// posted, though the merge would recreate or delete rules.
#[test]
fn the_pull_request_report_shows_what_the_merge_changes_in_aws() {
    let repo = Repo::new();
    repo.init();
    repo.write("cronbridge.yml", "rule_prefix: team-a-\n")
        .write("schedules/batches.yml", common::BACKUP);
    let base = repo.commit("base");
    repo.write("cronbridge.yml", "rule_prefix: team-b-\n");
    repo.commit("a new prefix");
    let run = repo.run(&[
        "check",
        "--now",
        common::NOW,
        "--base",
        &base,
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("### What the merge changes in AWS"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("team-b-Backup") && run.stdout.contains("team-a-Backup"),
        "{}",
        run.stdout
    );
    let run = repo.run(&[
        "check",
        "--now",
        common::NOW,
        "--base",
        &base,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules = report["diff"]["deploy"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{report:#}");
    assert_eq!(rules[0]["name"], "team-b-Backup");
    assert_eq!(rules[0]["renamed_from"], "team-a-Backup");
}

/// Registers a rule the way a team's own script would: no cronbridge tags, a schedule, and a
/// Step Functions target whose input names the batch.
pub(crate) async fn seed_foreign(
    client: &EventBridge,
    name: &str,
    state_machine: &str,
    input: &str,
) {
    let rule = Rule {
        name: name.to_string(),
        schedule_expression: Some("cron(0 0 * * ? *)".to_string()),
        event_pattern: None,
        state: "ENABLED".to_string(),
        description: Some("registered by hand".to_string()),
        tags: BTreeMap::new(),
        targets: Vec::new(),
    };
    client.put_rule(&rule, "ENABLED").await.unwrap();
    let target = cronbridge::deploy::desired::Target {
        id: "1".to_string(),
        arn: state_machine.to_string(),
        role_arn: Some("arn:aws:iam::123456789012:role/by-hand".to_string()),
        input: Some(input.to_string()),
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
        dead_letter_arn: None,
        ecs: None,
    };
    client.put_targets(name, &[target]).await.unwrap();
}

#[tokio::test]
async fn a_rule_outside_cronbridge_that_starts_the_same_batch_stops_the_deploy() {
    let p = prefix("twice");
    let repository = format!("test/{p}");
    let repo = owned_repo(&p, &repository);
    let client = client_at(&endpoint(), 3).await;
    // The team's script registered Backup under its own name, not under the prefix.
    let by_hand = format!("{}Backup", p.replace('-', "_"));
    seed_foreign(
        &client,
        &by_hand,
        &crate::aws_sync::state_machine(&p),
        r#"{"batch_class": "Batches::Daily::Backup"}"#,
    )
    .await;
    let report = deploy(&client, &repo, false).await.unwrap();
    let Status::Refused { reasons } = &report.status else {
        panic!("not refused: {:?}", report.status);
    };
    let twice: Vec<_> = reasons
        .iter()
        .filter(|f| f.rule == Code::AwsRunsTwice)
        .collect();
    assert_eq!(twice.len(), 1, "{reasons:?}");
    assert_eq!(
        twice[0].message,
        format!(
            "`Backup` would run twice: the rule `{by_hand}` already starts it (same target, and its input names `Batches::Daily::Backup`)"
        )
    );
    assert_eq!(twice[0].location.file, "schedules/batches.yml");
    // Nothing was created: no moment with two rules starting Backup.
    assert!(owned(&client, &repository).await.is_empty());
    // Once the old rule is gone, the deploy goes through.
    client
        .remove_targets(&by_hand, &["1".to_string()])
        .await
        .unwrap();
    client.delete_rule(&by_hand).await.unwrap();
    applied(&deploy(&client, &repo, false).await.unwrap());
    assert_state(
        &owned(&client, &repository).await,
        ACTIVE,
        &["batch-task-failed"],
    );
}

#[tokio::test]
async fn a_changed_event_bus_moves_the_alert_rules_and_leaves_no_copy_behind() {
    let p = prefix("bus");
    let repository = format!("test/{p}");
    // Alerts only: schedules run on the default bus alone, so only alert rules can move.
    let repo = bundled_repo(&p);
    repo.remove("schedules/batches.yml");
    repo.write(
        "cronbridge.yml",
        &settings(&p, &format!("  repository: {repository}\n")),
    );
    let client = client_at(&endpoint(), 3).await;
    applied(&deploy(&client, &repo, false).await.unwrap());
    assert_state(
        &owned(&client, &repository).await,
        &[],
        &["batch-task-failed"],
    );

    let bus = format!("{p}alerts");
    let conf = aws_sdk_eventbridge::Config::builder()
        .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
        .region(aws_sdk_eventbridge::config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_eventbridge::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_eventbridge::Client::from_conf(conf)
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap();
    repo.write(
        "cronbridge.yml",
        &settings(
            &p,
            &format!("  repository: {repository}\n  event_bus: {bus}\n"),
        ),
    );
    let on_new = client.on_bus(&bus);
    let report = deploy(&on_new, &repo, false).await.unwrap();
    let moves: Vec<_> = report
        .plan
        .moves()
        .map(|m| (m.bus.as_str(), m.change.name.as_str()))
        .collect();
    let alert = format!("{p}batch-task-failed");
    assert_eq!(
        moves,
        vec![("default", alert.as_str())],
        "{:?}",
        report.plan
    );
    assert!(report.plan.delete_guard.is_none());
    applied(&report);
    // The alert is on the new bus, and no copy is left on the old one.
    assert!(owned(&client, &repository).await.is_empty());
    assert_state(
        &owned(&on_new, &repository).await,
        &[],
        &["batch-task-failed"],
    );
    // Converged: nothing left to do on either bus.
    let again = deploy(&on_new, &repo, false).await.unwrap();
    assert!(!again.plan.has_changes(), "{:?}", again.plan);
    assert!(again.plan.elsewhere.is_empty());
}
