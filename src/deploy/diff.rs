//! The deploy diff of two revisions, offline: everything cronbridge will own in EventBridge
//! (schedule and alert rules, field by field) as the base revision asks for it and as the head
//! asks for it, with renames, and the settings that change where or how rules are deployed.
//! Pure: no AWS credentials, no environment.
//!
//! It is the plan of the head's desired rules against the base's desired rules taken as the
//! live state, so renames are recognised exactly as `plan` recognises them (same batch or alert
//! under another name; same `batch_class` and UTC schedule; see [`super::plan`]). Values that
//! would come from the environment are never guessed: they show as `from $VAR` (`from $VAR, if
//! set` for the optional dead-letter queue and repository).

use super::desired::{self, Desired, Model, Origin};
use super::plan::{self, Action, FieldChange, Limits, Live, LiveRule};
use crate::settings::Settings;
use crate::settings::aws::env;
use serde::Serialize;

/// How one rule changes between the revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// `+`: only the head has it.
    Added,
    /// `~`: both have it, with different fields.
    Changed,
    /// `-`: only the base has it.
    Removed,
    /// `~` with a new name: the same batch or alert's rule under another name.
    Renamed,
}

impl Sign {
    /// `+`, `~` or `-`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Added => "+",
            Sign::Changed | Sign::Renamed => "~",
            Sign::Removed => "-",
        }
    }
}

/// One rule that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDiff {
    pub sign: Sign,
    /// The rule's name in the head (in the base when removed).
    pub name: String,
    /// Renamed: its name in the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The batch or alert it comes from (in the head; in the base when removed).
    pub origin: Origin,
    /// Added under a name the batch's `rule:` gives: the merge takes over the live rule of
    /// that name in place (only cronbridge's tags added when the rest is equal), if it exists.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub adopts: bool,
    /// Added: every field as `after`; removed: as `before`; changed or renamed: the fields
    /// that differ (`name` first when renamed). Fields: `name`, `schedule`, `event_pattern`,
    /// `state`, `description`, `target`, `target.role`, `target.input`,
    /// `target.retry_policy`, `target.dead_letter`, `target.ecs`, `tag <key>`.
    pub fields: Vec<FieldChange>,
}

/// What the merge changes in EventBridge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeployDiff {
    /// Rules by name (head names; removed ones by their base name).
    pub rules: Vec<RuleDiff>,
    /// Settings that change where or how the rules are deployed but are no rule field
    /// (`aws.region`, `aws.event_bus`, the quota, the delete share, the repository,
    /// `manual_runs.*`); the rule prefix and target settings show in the rules as well.
    pub settings: Vec<FieldChange>,
    /// Environment variables the values shown as `from $VAR` would come from.
    pub from_env: Vec<&'static str>,
}

impl DeployDiff {
    /// Whether the merge changes nothing cronbridge deploys.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.settings.is_empty()
    }

    pub fn count(&self, sign: Sign) -> usize {
        self.rules.iter().filter(|r| r.sign == sign).count()
    }
}

/// The ARN (or repository) the offline lookup gives for `var`: valid for its service so the
/// rules build, and replaced by `from $var` afterwards.
fn placeholder(var: &str) -> Option<String> {
    let id = format!("cronbridge-from-env-{var}");
    Some(match var {
        env::ROLE_ARN => format!("arn:aws:iam::000000000000:role/{id}"),
        env::STATE_MACHINE_ARN => format!("arn:aws:states:env:000000000000:stateMachine:{id}"),
        env::ECS_CLUSTER_ARN => format!("arn:aws:ecs:env:000000000000:cluster/{id}"),
        env::ECS_TASK_DEFINITION_ARN => {
            format!("arn:aws:ecs:env:000000000000:task-definition/{id}")
        }
        env::DEAD_LETTER_ARN => format!("arn:aws:sqs:env:000000000000:{id}"),
        env::ALERT_TOPIC_ARN => format!("arn:aws:sns:env:000000000000:{id}"),
        env::REPOSITORY => id,
        _ => return None,
    })
}

fn unplaceholder(text: &str) -> String {
    let mut out = text.to_string();
    for var in env::ALL {
        if let Some(p) = placeholder(var) {
            // Optional values: without the variable there is none.
            let optional = matches!(*var, env::DEAD_LETTER_ARN | env::REPOSITORY);
            let shown = if optional {
                format!("from ${var}, if set")
            } else {
                format!("from ${var}")
            };
            out = out.replace(&p, &shown);
        }
    }
    out
}

fn offline(model: &Model<'_>) -> Desired {
    desired::build(model, &placeholder)
}

/// The deploy diff from `base` to `head` (both as `check::Analysis::model` gives them).
pub fn between(base: &Model<'_>, head: &Model<'_>) -> DeployDiff {
    let (old, new) = (offline(base), offline(head));
    let live = Live {
        bus_rule_count: old.rules.len(),
        rules: old
            .rules
            .iter()
            .map(|d| LiveRule {
                arn: String::new(),
                rule: d.rule.clone(),
            })
            .collect(),
    };
    // The base's rules are owned as the base owned them; a changed repository shows as a
    // tag change of every rule.
    let mut head_owning_base = new.clone();
    head_owning_base.repository = old.repository.clone();
    let limits = Limits {
        bus: &base.settings.aws.event_bus,
        prefix: &base.settings.rule_prefix,
        rules_quota: u32::MAX,
        max_delete_share: 1.0,
        at: crate::finding::Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE),
    };
    let p = plan::plan(&head_owning_base, &live, &limits);
    let origin_of = |name: &str, d: &Desired| {
        d.rules
            .iter()
            .find(|r| r.rule.name == name)
            .map(|r| r.origin.clone())
    };
    let mut rules = Vec::new();
    // Alert rules follow `aws.event_bus` under the same names: a moved bus is a change of
    // each of them (EventBridge has no move: a new rule on the new bus, the old one deleted).
    let (old_bus, new_bus) = (&base.settings.aws.event_bus, &head.settings.aws.event_bus);
    for c in &p.changes {
        let is_alert = matches!(c.origin, Some(Origin::Alert(_)));
        if old_bus != new_bus && is_alert && matches!(c.action, Action::Unchanged | Action::Update)
        {
            let mut fields = vec![FieldChange {
                field: "event_bus".to_string(),
                before: Some(old_bus.clone()),
                after: Some(new_bus.clone()),
            }];
            fields.extend(c.fields.iter().cloned().map(clean));
            rules.push(RuleDiff {
                sign: Sign::Changed,
                name: c.name.clone(),
                renamed_from: None,
                origin: c
                    .origin
                    .clone()
                    .unwrap_or_else(|| Origin::Alert(c.name.clone())),
                adopts: false,
                fields,
            });
            continue;
        }
        let (sign, fields) = match (c.action, &c.renamed_from, &c.renamed_to) {
            (Action::Unchanged, ..) | (Action::Delete, _, Some(_)) => continue,
            (Action::Create, Some(_), _) => (Sign::Renamed, c.fields.clone()),
            (Action::Create, None, _) => (Sign::Added, full(c.desired.as_ref(), true)),
            (Action::Delete, ..) => (Sign::Removed, full(c.live.as_ref().map(|l| &l.rule), false)),
            (Action::Update, ..) => (Sign::Changed, c.fields.clone()),
        };
        let origin = c
            .origin
            .clone()
            .or_else(|| origin_of(&c.name, &old))
            .unwrap_or_else(|| Origin::Schedule(c.name.clone()));
        let adopts =
            sign == Sign::Added && new.rules.iter().any(|r| r.adopted && r.rule.name == c.name);
        rules.push(RuleDiff {
            sign,
            name: c.name.clone(),
            renamed_from: c.renamed_from.clone(),
            origin,
            adopts,
            fields: fields.into_iter().map(clean).collect(),
        });
    }
    rules.extend(schedule_diffs(
        &old,
        &new,
        &head.settings.aws.schedule_group,
    ));
    let mut from_env: Vec<&'static str> = old.from_env.clone();
    for v in new.from_env {
        if !from_env.contains(&v) {
            from_env.push(v);
        }
    }
    DeployDiff {
        rules,
        settings: settings(base.settings, head.settings),
        from_env,
    }
}

/// The schedules of `backend: scheduler` that change, as rows named `<group>/<schedule>`,
/// field by field (the fields of `deploy::schedules`; every start shown, passed or not).
fn schedule_diffs(old: &Desired, new: &Desired, group: &str) -> Vec<RuleDiff> {
    use super::schedules::{self, LiveGroup, LiveSchedules};
    if old.schedules.is_empty() && new.schedules.is_empty() {
        return Vec::new();
    }
    let live = LiveSchedules {
        group: Some(LiveGroup {
            arn: String::new(),
            tags: schedules::group_tags(new.repository.as_deref()),
        }),
        schedules: old.schedules.iter().map(|d| d.schedule.clone()).collect(),
    };
    let at = crate::finding::Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE);
    let p = schedules::plan(new, &live, group, 1.0, &at, jiff::Timestamp::MIN);
    p.changes
        .into_iter()
        .filter_map(|c| {
            let sign = match c.action {
                Action::Create => Sign::Added,
                Action::Update => Sign::Changed,
                Action::Delete => Sign::Removed,
                _ => return None,
            };
            let batch = c
                .batch
                .clone()
                .or_else(|| {
                    old.schedules
                        .iter()
                        .find(|d| d.schedule.name == c.name)
                        .map(|d| d.batch.clone())
                })
                .unwrap_or_else(|| c.name.clone());
            Some(RuleDiff {
                sign,
                name: format!("{group}/{}", c.name),
                renamed_from: None,
                origin: Origin::Schedule(batch),
                // Scheduler has no `rule:` adoption: schedules are cronbridge's by their group.
                adopts: false,
                fields: c.fields.into_iter().map(clean).collect(),
            })
        })
        .collect()
}

/// Every field of a rule, against nothing.
fn full(rule: Option<&desired::Rule>, added: bool) -> Vec<FieldChange> {
    let Some(rule) = rule else {
        return Vec::new();
    };
    let nothing = desired::Rule {
        name: String::new(),
        schedule_expression: None,
        event_pattern: None,
        state: String::new(),
        description: None,
        tags: Default::default(),
        targets: Vec::new(),
    };
    let (r, t, g) = plan::diff(rule, &nothing);
    r.into_iter()
        .chain(t)
        .chain(g)
        .map(|mut f| {
            if f.before.as_deref() == Some("") {
                f.before = None;
            }
            if !added {
                std::mem::swap(&mut f.before, &mut f.after);
            }
            f
        })
        .collect()
}

fn clean(f: FieldChange) -> FieldChange {
    FieldChange {
        field: f.field,
        before: f.before.as_deref().map(unplaceholder),
        after: f.after.as_deref().map(unplaceholder),
    }
}

fn settings(base: &Settings, head: &Settings) -> Vec<FieldChange> {
    let fields = |s: &Settings| -> Vec<(&'static str, Option<String>)> {
        let m = &s.manual_runs;
        vec![
            ("rule_prefix", Some(s.rule_prefix.clone())),
            ("aws.region", s.aws.region.clone()),
            ("aws.event_bus", Some(s.aws.event_bus.clone())),
            ("aws.rules_quota", Some(s.aws.rules_quota.to_string())),
            (
                "aws.max_delete_share",
                Some(s.aws.max_delete_share.to_string()),
            ),
            ("aws.repository", s.aws.repository.clone()),
            (
                "aws.backend",
                Some(match s.aws.backend {
                    crate::settings::aws::Backend::Rules => "rules".to_string(),
                    // Said here, in the pull request, before the merge meets the refusal.
                    crate::settings::aws::Backend::Scheduler => {
                        "scheduler (the batches become EventBridge Scheduler schedules, listed as `<group>/<name>`)".to_string()
                    }
                }),
            ),
            ("aws.schedule_group", Some(s.aws.schedule_group.clone())),
            (
                "manual_runs.permission",
                serde_json::to_value(m.permission)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string)),
            ),
            ("manual_runs.users", Some(m.users.join(", "))),
            (
                "manual_runs.teams",
                Some(
                    m.teams
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ),
            (
                "manual_runs.allow_inactive",
                Some(m.allow_inactive.to_string()),
            ),
        ]
    };
    fields(base)
        .into_iter()
        .zip(fields(head))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, before), (_, after))| FieldChange {
            field: field.to_string(),
            before,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Analysis, Inputs, Options, analyse};

    /// A repository: its settings, one schedules file and one alerts file (`None`: no file).
    fn repo(settings: &str, schedules: &str, alerts: Option<&str>) -> Analysis {
        let (settings, mut findings) = crate::settings::load("cronbridge.yml", settings);
        let (batches, f) = crate::schedule::load("schedules/a.yml", schedules, &settings);
        findings.extend(f);
        let mut policies = crate::policy::Policies::default();
        if let Some(text) = alerts {
            let (p, f) = crate::policy::load::load("rules/alerts.yml", text, &settings);
            policies = p;
            findings.extend(f);
        }
        let inputs = Inputs {
            settings,
            batches,
            policies,
            findings,
            ..Inputs::default()
        };
        analyse(
            inputs,
            &Options {
                now: "2026-11-29T00:00:00Z".parse().unwrap(),
                horizon_days: 30,
            },
        )
    }

    const SETTINGS: &str = "rule_prefix: cb-\naws:\n  target:\n    state_machine_arn: arn:aws:states:us-east-1:123456789012:stateMachine:batch\n";
    const BATCHES: &str = "Backup:\n  cron: \"0 9 * * ? *\"\n  description: backup\n  batch_class: \"Batches::Backup\"\n  is_active: true\nReport:\n  cron: \"0 8 ? * MON-FRI *\"\n  description: report\n  batch_class: \"Batches::Report\"\n  is_active: true\n";
    const ALERTS: &str = "alerts:\n  - name: task-failed\n    topic_arn: arn:aws:sns:us-east-1:123456789012:alerts\n    pattern:\n      source: [aws.ecs]\n      detail-type: [ECS Task State Change]\n      detail:\n        lastStatus: [STOPPED]\n        containers:\n          exitCode: [{anything-but: 0}, {exists: false}]\n";

    fn diff(base: &Analysis, head: &Analysis) -> DeployDiff {
        between(&base.model(), &head.model())
    }

    fn signs(d: &DeployDiff) -> Vec<(Sign, &str, Option<&str>)> {
        d.rules
            .iter()
            .map(|r| (r.sign, r.name.as_str(), r.renamed_from.as_deref()))
            .collect()
    }

    fn field<'a>(d: &'a DeployDiff, rule: &str, field: &str) -> &'a FieldChange {
        d.rules
            .iter()
            .find(|r| r.name == rule)
            .and_then(|r| r.fields.iter().find(|f| f.field == field))
            .unwrap_or_else(|| panic!("no {field} of {rule}: {d:?}"))
    }

    // Rules → Scheduler in one pull request: the comment shows each rule removed and each
    // schedule added with its zone-native expression; a later change of a schedule is a
    // field-by-field change of `<group>/<name>`.
    #[test]
    fn moving_to_scheduler_shows_rules_removed_and_schedules_added() {
        let base = repo(SETTINGS, BATCHES, None);
        let on = SETTINGS.replace("aws:\n", "aws:\n  backend: scheduler\n");
        let head = repo(&on, BATCHES, None);
        let d = diff(&base, &head);
        let s = signs(&d);
        assert!(s.contains(&(Sign::Removed, "cb-Backup", None)), "{s:?}");
        assert!(
            s.contains(&(Sign::Added, "cronbridge/cb-Backup", None)),
            "{s:?}"
        );
        let f = field(&d, "cronbridge/cb-Report", "schedule");
        assert_eq!(f.after.as_deref(), Some("cron(0 8 ? * MON-FRI *)"));
        assert_eq!(
            field(&d, "cronbridge/cb-Report", "timezone")
                .after
                .as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(d.settings[0].field, "aws.backend");
        let later = repo(&on, &BATCHES.replace("0 9 * * ? *", "0 10 * * ? *"), None);
        let d = diff(&head, &later);
        assert_eq!(signs(&d), [(Sign::Changed, "cronbridge/cb-Backup", None)]);
        let f = field(&d, "cronbridge/cb-Backup", "schedule");
        assert_eq!(
            (f.before.as_deref(), f.after.as_deref()),
            (Some("cron(0 9 * * ? *)"), Some("cron(0 10 * * ? *)"))
        );
    }

    #[test]
    fn the_same_revision_is_an_empty_diff() {
        let a = repo(SETTINGS, BATCHES, Some(ALERTS));
        let d = diff(&a, &a);
        assert!(d.is_empty(), "{d:?}");
        // The role is from the environment: shown, never guessed.
        assert_eq!(
            d.from_env,
            vec![env::REPOSITORY, env::ROLE_ARN, env::DEAD_LETTER_ARN]
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["rules"], serde_json::json!([]));
    }

    #[test]
    fn alerts_removed_three_ways_are_removals_of_the_alert_rule() {
        // Regression: emptying rules/alerts.yml said "No batch changes" and apply deleted the alert.
        let base = repo(SETTINGS, BATCHES, Some(ALERTS));
        for alerts in [None, Some(""), Some("# none\n"), Some("alerts: []\n")] {
            let d = diff(&base, &repo(SETTINGS, BATCHES, alerts));
            assert_eq!(
                signs(&d),
                vec![(Sign::Removed, "cb-task-failed", None)],
                "{alerts:?}"
            );
            let r = &d.rules[0];
            assert_eq!(r.origin, Origin::Alert("task-failed".into()));
            assert_eq!(
                field(&d, "cb-task-failed", "target").before.as_deref(),
                Some("arn:aws:sns:us-east-1:123456789012:alerts")
            );
            assert!(field(&d, "cb-task-failed", "target").after.is_none());
        }
    }

    #[test]
    fn an_imported_batch_shows_as_taking_over_its_live_rule() {
        let base = repo(SETTINGS, BATCHES, None);
        let imported = "Nightly:\n  cron: \"0 3 * * ? *\"\n  description: n\n  batch_class: \"Batches::Nightly\"\n  is_active: true\n  rule: Nightly\n";
        let d = diff(
            &base,
            &repo(SETTINGS, &format!("{BATCHES}{imported}"), None),
        );
        assert_eq!(signs(&d), vec![(Sign::Added, "Nightly", None)]);
        assert!(d.rules[0].adopts);
        let rows = crate::report::plan::deploy_diff_rows(&d).concat();
        assert!(
            rows.contains("(takes over the live rule of this name)"),
            "{rows}"
        );
    }

    #[test]
    fn a_changed_prefix_renames_every_rule() {
        // Regression: a new rule_prefix was "No batch changes" and ran every batch twice.
        let base = repo(SETTINGS, BATCHES, Some(ALERTS));
        let head = repo(&SETTINGS.replace("cb-", "team-"), BATCHES, Some(ALERTS));
        let d = diff(&base, &head);
        assert_eq!(
            signs(&d),
            vec![
                (Sign::Renamed, "team-Backup", Some("cb-Backup")),
                (Sign::Renamed, "team-Report", Some("cb-Report")),
                (Sign::Renamed, "team-task-failed", Some("cb-task-failed")),
            ]
        );
        let name = field(&d, "team-Backup", "name");
        assert_eq!(
            (name.before.as_deref(), name.after.as_deref()),
            (Some("cb-Backup"), Some("team-Backup"))
        );
        assert_eq!(d.settings[0].field, "rule_prefix");
    }

    #[test]
    fn a_renamed_batch_is_recognised_by_class_and_schedule() {
        let base = repo(SETTINGS, BATCHES, None);
        let head = repo(
            SETTINGS,
            &BATCHES.replace("Backup:", "NightlyBackup:"),
            None,
        );
        let d = diff(&base, &head);
        assert_eq!(
            signs(&d),
            vec![(Sign::Renamed, "cb-NightlyBackup", Some("cb-Backup"))]
        );
        let input = field(&d, "cb-NightlyBackup", "target.input");
        assert!(input.after.as_deref().unwrap().contains("NightlyBackup"));
        assert!(
            field(&d, "cb-NightlyBackup", "tag cronbridge:batch")
                .after
                .as_deref()
                == Some("NightlyBackup")
        );
        // A renamed batch that also changes class and time is a new batch and a removed one.
        let other = BATCHES
            .replace("Backup:", "Other:")
            .replace("Batches::Backup", "Batches::Other")
            .replace("0 9 * * ? *", "0 7 * * ? *");
        let d = diff(&base, &repo(SETTINGS, &other, None));
        assert_eq!(
            signs(&d),
            vec![
                (Sign::Removed, "cb-Backup", None),
                (Sign::Added, "cb-Other", None)
            ]
        );
    }

    #[test]
    fn target_input_and_settings_changes_are_rule_changes() {
        let base = repo(SETTINGS, BATCHES, None);
        let sm2 = SETTINGS.replace("stateMachine:batch", "stateMachine:batch2");
        let d = diff(&base, &repo(&sm2, BATCHES, None));
        assert_eq!(
            signs(&d),
            vec![
                (Sign::Changed, "cb-Backup", None),
                (Sign::Changed, "cb-Report", None)
            ]
        );
        assert!(
            field(&d, "cb-Backup", "target")
                .after
                .as_deref()
                .unwrap()
                .ends_with("batch2")
        );
        let input = format!(
            "{SETTINGS}    input:\n      job: \"<batch_class>\"\n    retry_policy:\n      maximum_retry_attempts: 2\n"
        );
        let d = diff(&base, &repo(&input, BATCHES, None));
        let f = field(&d, "cb-Backup", "target.input");
        assert_eq!(f.after.as_deref(), Some(r#"{"job":"Batches::Backup"}"#));
        assert!(
            field(&d, "cb-Backup", "target.retry_policy")
                .before
                .is_none()
        );
        // A value moved from the settings to the environment shows where it will come from.
        let d = diff(&base, &repo("rule_prefix: cb-\n", BATCHES, None));
        assert_eq!(
            field(&d, "cb-Backup", "target").after.as_deref(),
            Some("from $CRONBRIDGE_STATE_MACHINE_ARN")
        );
        // Region and manual-run settings are changes too.
        let region = SETTINGS.replace("aws:\n", "aws:\n  region: eu-west-1\n");
        let d = diff(&base, &repo(&region, BATCHES, None));
        assert!(d.rules.is_empty());
        assert_eq!(d.settings[0].field, "aws.region");
        assert_eq!(d.settings[0].after.as_deref(), Some("eu-west-1"));
        assert!(!d.is_empty());
    }

    #[test]
    fn a_moved_bus_changes_every_alert_rule_and_a_new_repository_tags_every_rule() {
        let base = repo("rule_prefix: cb-\n", "", Some(ALERTS));
        let head = repo(
            "rule_prefix: cb-\naws:\n  event_bus: ops\n",
            "",
            Some(ALERTS),
        );
        let d = diff(&base, &head);
        assert_eq!(signs(&d), vec![(Sign::Changed, "cb-task-failed", None)]);
        assert_eq!(
            field(&d, "cb-task-failed", "event_bus").after.as_deref(),
            Some("ops")
        );
        let head = repo(
            "rule_prefix: cb-\naws:\n  repository: o/r\n",
            "",
            Some(ALERTS),
        );
        let d = diff(&base, &head);
        let tag = field(&d, "cb-task-failed", "tag cronbridge:repository");
        assert_eq!(
            (tag.before.as_deref(), tag.after.as_deref()),
            (Some("from $GITHUB_REPOSITORY, if set"), Some("o/r"))
        );
    }

    #[test]
    fn added_and_removed_rules_list_every_field() {
        let base = repo(SETTINGS, "", None);
        let d = diff(&base, &repo(SETTINGS, BATCHES, None));
        assert_eq!(d.count(Sign::Added), 2);
        let fields: Vec<_> = d.rules[0].fields.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "schedule",
            "state",
            "description",
            "target",
            "target.role",
            "target.input",
            "tag cronbridge:batch",
        ] {
            assert!(fields.contains(&f), "{f}: {fields:?}");
        }
        assert_eq!(
            field(&d, "cb-Backup", "target.role").after.as_deref(),
            Some("from $CRONBRIDGE_ROLE_ARN")
        );
        assert_eq!(Sign::Added.symbol(), "+");
    }
}
