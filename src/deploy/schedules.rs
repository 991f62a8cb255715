//! The schedules of `aws.backend: scheduler`, pure: what cronbridge wants in its EventBridge
//! Scheduler group (from the same batches, names, targets and limits as rules), and the plan
//! against what the group holds, field by field, with the group's ownership and the delete
//! guard. `aws::scheduler_sync` reads the group and applies the plan.
//!
//! Schedules take no tags, so the **group** is the unit of ownership: cronbridge creates it
//! tagged `cronbridge:managed=true` (and `cronbridge:repository`), and every schedule in a
//! group it owns is its own. A group of that name without the tag, or tagged for another
//! repository, is refused and never touched; no other group is read or written.

use super::desired::{
    self, Desired, EcsTarget, MANAGED_TAG, MANAGED_VALUE, REPOSITORY_TAG, Rule, Target,
};
use super::plan::{Action, DeleteGuard, FieldChange};
use crate::finding::{self, Finding, Location};
use crate::schedule::Batch;
use crate::settings::aws::AwsSettings;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// `cronbridge:kind` of the group.
pub const GROUP_KIND: &str = "schedule-group";
/// What Scheduler does after the last run of a schedule. Always `NONE`: with `DELETE` a
/// one-time schedule would vanish after it ran, the next apply would create it again and it
/// would run again. A fired `at(...)` schedule stays until the batch is removed from the YAML.
pub const ACTION_AFTER_COMPLETION: &str = "NONE";
/// Scheduler's retry policy when none is given (and EventBridge's): 185 attempts over 24 h.
/// Desired schedules always carry one, so a live default and a desired default agree.
pub const DEFAULT_RETRY_ATTEMPTS: u32 = 185;
pub const DEFAULT_EVENT_AGE_SECONDS: u32 = 86_400;

/// A schedule as Scheduler holds it: the fields cronbridge sets and compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub name: String,
    /// `cron(...)`, `rate(...)` or `at(...)`, in `timezone`.
    pub expression: String,
    /// `ScheduleExpressionTimezone`.
    pub timezone: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    pub description: Option<String>,
    /// `FlexibleTimeWindow`: `None` is `OFF`, else `FLEXIBLE` with this many minutes.
    pub flexible_window: Option<u32>,
    /// `StartDate` and `EndDate`, whole seconds.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// `ActionAfterCompletion` (`NONE` when absent).
    pub action_after_completion: Option<String>,
    /// The one target: its ARN, role, input, retry policy, dead-letter queue, ECS parameters
    /// (`id` is unused).
    pub target: Option<Target>,
}

/// A schedule the repository asks for, with its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSchedule {
    pub schedule: Schedule,
    pub batch: String,
    pub location: Location,
}

/// The schedule of one batch from the rule the rules backend would have built in the
/// batch's own zone (same name, state, target and input).
pub fn from_rule(batch: &Batch, rule: desired::DesiredRule, aws: &AwsSettings) -> DesiredSchedule {
    let Rule {
        name,
        state,
        targets,
        ..
    } = rule.rule;
    let expression = batch.scheduler_expression();
    let description = desired::describe(
        &format!("{expression} {}", batch.zone.name),
        batch.description.as_deref(),
    );
    let retry = aws.target.retry_policy;
    let target = targets.into_iter().next().map(|t| Target {
        maximum_retry_attempts: Some(
            retry
                .and_then(|r| r.maximum_retry_attempts)
                .unwrap_or(DEFAULT_RETRY_ATTEMPTS),
        ),
        maximum_event_age_seconds: Some(
            retry
                .and_then(|r| r.maximum_event_age_seconds)
                .unwrap_or(DEFAULT_EVENT_AGE_SECONDS),
        ),
        ..t
    });
    let keys = &batch.scheduler;
    DesiredSchedule {
        schedule: Schedule {
            name,
            expression,
            timezone: batch.zone.name.clone(),
            state,
            description: Some(description),
            flexible_window: keys.flexible_window,
            start: keys.start.map(|b| b.instant),
            end: keys.end.map(|b| b.instant),
            action_after_completion: Some(ACTION_AFTER_COMPLETION.to_string()),
            target,
        },
        batch: batch.name.clone(),
        location: rule.location,
    }
}

/// The batches' schedules as the rules the rules backend would have made of them (name,
/// state, target, class tag): what the double-run check compares with the bus's rules.
pub fn as_rules(desired: &Desired, batches: &[Batch]) -> Desired {
    let rules = desired
        .schedules
        .iter()
        .map(|s| {
            let class = batches
                .iter()
                .find(|b| b.name == s.batch)
                .map(|b| b.batch_class.clone());
            desired::DesiredRule {
                rule: Rule {
                    name: s.schedule.name.clone(),
                    schedule_expression: Some(s.schedule.expression.clone()),
                    event_pattern: None,
                    state: s.schedule.state.clone(),
                    description: None,
                    tags: class
                        .map(|c| BTreeMap::from([(desired::CLASS_TAG.to_string(), c)]))
                        .unwrap_or_default(),
                    targets: s.schedule.target.iter().cloned().collect(),
                },
                origin: desired::Origin::Schedule(s.batch.clone()),
                location: s.location.clone(),
                adopted: false,
            }
        })
        .collect();
    Desired {
        rules,
        repository: desired.repository.clone(),
        ..Desired::default()
    }
}

/// The tags of the group cronbridge owns.
pub fn group_tags(repository: Option<&str>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        (MANAGED_TAG.to_string(), MANAGED_VALUE.to_string()),
        (desired::KIND_TAG.to_string(), GROUP_KIND.to_string()),
    ]);
    if let Some(r) = repository {
        tags.insert(REPOSITORY_TAG.to_string(), r.to_string());
    }
    tags
}

/// The group as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveGroup {
    pub arn: String,
    pub tags: BTreeMap<String, String>,
}

/// What the group holds, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSchedules {
    /// `None`: no group of that name.
    pub group: Option<LiveGroup>,
    pub schedules: Vec<Schedule>,
}

/// What happens to the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupAction {
    /// Created with these tags before any schedule is written.
    Create { tags: BTreeMap<String, String> },
    /// Ours, but these cronbridge tags are added (a group from before the repository tag).
    Tag { tags: BTreeMap<String, String> },
    /// Ours as it is.
    Unchanged,
    /// Not ours: nothing is touched (the plan has the error).
    Refused,
}

/// What happens to one schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleChange {
    pub name: String,
    pub action: Action,
    /// The batch (absent for deletions).
    pub batch: Option<String>,
    /// Updates: the fields that differ. Creates and deletes: the schedule's fields.
    pub fields: Vec<FieldChange>,
    /// The schedule as it must be afterwards (creates, updates).
    #[serde(skip)]
    pub desired: Option<Schedule>,
}

/// The plan for the group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchedulePlan {
    pub group: String,
    pub group_action: GroupAction,
    /// Sorted by name.
    pub changes: Vec<ScheduleChange>,
    #[serde(serialize_with = "super::messages")]
    pub errors: Vec<Finding>,
    pub delete_guard: Option<DeleteGuard>,
    /// Batches that move from their rules to their schedule in this plan (their schedules
    /// are among `changes` as creates or updates).
    pub from_rules: Vec<FromRules>,
}

impl SchedulePlan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// Whether applying would write anything.
    pub fn has_changes(&self) -> bool {
        !matches!(
            self.group_action,
            GroupAction::Unchanged | GroupAction::Refused
        ) || self.changes.iter().any(|c| c.action != Action::Unchanged)
    }
}

/// What happened to one schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleOutcome {
    pub name: String,
    pub action: Action,
    /// The failure that stopped it, if any.
    pub error: Option<String>,
    /// What a reviewer should know (a migration without a free minute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How a Scheduler deploy ended once it had a plan.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ScheduleStatus {
    Planned,
    Refused {
        #[serde(serialize_with = "crate::deploy::messages")]
        reasons: Vec<Finding>,
    },
    Applied {
        schedules: Vec<ScheduleOutcome>,
    },
}

/// Everything a Scheduler deploy did.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleReport {
    pub plan: SchedulePlan,
    pub status: ScheduleStatus,
    pub calls: super::CallStats,
}

impl ScheduleReport {
    pub fn failed(&self) -> bool {
        match &self.status {
            ScheduleStatus::Planned => false,
            ScheduleStatus::Refused { .. } => true,
            ScheduleStatus::Applied { schedules } => schedules.iter().any(|s| s.error.is_some()),
        }
    }

    pub fn outcome(&self) -> crate::outcome::Outcome {
        use crate::outcome::Outcome;
        match &self.status {
            ScheduleStatus::Planned if !self.plan.errors.is_empty() => Outcome::Findings,
            ScheduleStatus::Planned if self.plan.has_changes() => Outcome::Changes,
            ScheduleStatus::Planned => Outcome::Success,
            ScheduleStatus::Refused { .. } => Outcome::Findings,
            ScheduleStatus::Applied { .. } if self.failed() => Outcome::Failure,
            ScheduleStatus::Applied { .. } => Outcome::Success,
        }
    }
}

/// Text of each field cronbridge compares, in the order plans show them. A `StartDate` that
/// has passed (`now` or earlier) shows as absent: Scheduler refuses a start more than five
/// minutes in the past, so it is not sent, and a live start that has passed is equal to none.
fn fields(s: &Schedule, now: Timestamp) -> Vec<(&'static str, Option<String>)> {
    let t = s.target.as_ref();
    let ecs = t.and_then(|t| t.ecs.as_ref());
    vec![
        ("schedule", Some(s.expression.clone())),
        ("timezone", Some(s.timezone.clone())),
        ("state", Some(s.state.clone())),
        ("description", s.description.clone()),
        (
            "flexible_window",
            Some(
                s.flexible_window
                    .map_or("OFF".to_string(), |m| format!("{m}m")),
            ),
        ),
        ("start", s.start.filter(|t| *t > now).map(|t| t.to_string())),
        ("end", s.end.map(|t| t.to_string())),
        (
            "action_after_completion",
            Some(
                s.action_after_completion
                    .clone()
                    .unwrap_or_else(|| ACTION_AFTER_COMPLETION.to_string()),
            ),
        ),
        ("target", t.map(|t| t.arn.clone())),
        ("target.role", t.and_then(|t| t.role_arn.clone())),
        ("target.input", t.and_then(|t| t.input.clone())),
        (
            "target.retry_attempts",
            t.and_then(|t| t.maximum_retry_attempts)
                .map(|n| n.to_string()),
        ),
        (
            "target.event_age",
            t.and_then(|t| t.maximum_event_age_seconds)
                .map(|n| format!("{n}s")),
        ),
        (
            "target.dead_letter",
            t.and_then(|t| t.dead_letter_arn.clone()),
        ),
        ("target.ecs", ecs.map(ecs_text)),
    ]
}

fn ecs_text(e: &EcsTarget) -> String {
    format!(
        "{} x{} {} {} subnets [{}] security groups [{}] public ip {}",
        e.task_definition_arn,
        e.task_count,
        e.launch_type.as_deref().unwrap_or("-"),
        e.platform_version.as_deref().unwrap_or("-"),
        e.subnets.join(","),
        e.security_groups.join(","),
        e.assign_public_ip
            .map_or("-".to_string(), |b| if b { "ENABLED" } else { "DISABLED" }
                .to_string())
    )
}

fn all_fields(s: &Schedule, now: Timestamp) -> Vec<FieldChange> {
    fields(s, now)
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(field, v)| FieldChange {
            field: field.to_string(),
            before: None,
            after: v,
        })
        .collect()
}

/// The desired schedule as it is sent at `now`: a start that has passed is left out.
pub fn as_sent(s: &Schedule, now: Timestamp) -> Schedule {
    Schedule {
        start: s.start.filter(|t| *t > now),
        ..s.clone()
    }
}

/// The plan for the group: create what is missing, update what differs, delete what the
/// repository no longer has, in a group cronbridge owns (else refused, touching nothing).
pub fn plan(
    desired: &Desired,
    live: &LiveSchedules,
    group: &str,
    max_delete_share: f64,
    at: &Location,
    now: Timestamp,
) -> SchedulePlan {
    let repository = desired.repository.as_deref();
    let wanted = group_tags(repository);
    let mut errors = Vec::new();
    let group_action = match &live.group {
        None => GroupAction::Create { tags: wanted },
        Some(g) => {
            let managed = g.tags.get(MANAGED_TAG).map(String::as_str) == Some(MANAGED_VALUE);
            let theirs = g.tags.get(REPOSITORY_TAG);
            match (managed, theirs, repository) {
                (false, _, _) => {
                    errors.push(
                        Finding::of(
                            finding::Rule::AwsUnownedGroup,
                            at.clone(),
                            format!("the schedule group `{group}` exists without cronbridge's tag `{MANAGED_TAG}={MANAGED_VALUE}`: its schedules are not cronbridge's, so nothing in it is touched"),
                        )
                        .help("set `aws.schedule_group` to a group of cronbridge's own (it is created and tagged); to take this group over with its schedules, run `cronbridge import`: it writes them as YAML, lists what must leave the group, and prints the `aws scheduler tag-resource` command that hands it over"),
                    );
                    GroupAction::Refused
                }
                (true, Some(other), Some(mine)) if other != mine => {
                    errors.push(
                        Finding::of(
                            finding::Rule::AwsUnownedGroup,
                            at.clone(),
                            format!("the schedule group `{group}` belongs to the repository `{other}`, not `{mine}`: nothing in it is touched"),
                        )
                        .help("give each repository its own `aws.schedule_group`"),
                    );
                    GroupAction::Refused
                }
                (true, Some(other), None) => {
                    errors.push(
                        Finding::of(
                            finding::Rule::AwsUnownedGroup,
                            at.clone(),
                            format!("the schedule group `{group}` belongs to the repository `{other}`, and this deploy names no repository: nothing in it is touched"),
                        )
                        .help("set `aws.repository` (or run in GitHub Actions, which sets GITHUB_REPOSITORY), or use another `aws.schedule_group`"),
                    );
                    GroupAction::Refused
                }
                _ => {
                    let missing: BTreeMap<String, String> = wanted
                        .into_iter()
                        .filter(|(k, v)| g.tags.get(k) != Some(v))
                        .collect();
                    if missing.is_empty() {
                        GroupAction::Unchanged
                    } else {
                        GroupAction::Tag { tags: missing }
                    }
                }
            }
        }
    };
    if group_action == GroupAction::Refused {
        return SchedulePlan {
            group: group.to_string(),
            group_action,
            changes: Vec::new(),
            errors,
            delete_guard: None,
            from_rules: Vec::new(),
        };
    }
    let live_by_name: BTreeMap<&str, &Schedule> = live
        .schedules
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let mut changes = Vec::new();
    for d in &desired.schedules {
        let want = as_sent(&d.schedule, now);
        let change = match live_by_name.get(want.name.as_str()) {
            None => ScheduleChange {
                name: want.name.clone(),
                action: Action::Create,
                batch: Some(d.batch.clone()),
                fields: all_fields(&want, now),
                desired: Some(want),
            },
            Some(l) => {
                let before = fields(l, now);
                let after = fields(&want, now);
                let diff: Vec<FieldChange> = before
                    .into_iter()
                    .zip(after)
                    .filter(|((_, b), (_, a))| b != a)
                    .map(|((field, b), (_, a))| FieldChange {
                        field: field.to_string(),
                        before: b,
                        after: a,
                    })
                    .collect();
                ScheduleChange {
                    name: want.name.clone(),
                    action: if diff.is_empty() {
                        Action::Unchanged
                    } else {
                        Action::Update
                    },
                    batch: Some(d.batch.clone()),
                    fields: diff,
                    desired: Some(want),
                }
            }
        };
        changes.push(change);
    }
    let wanted_names: std::collections::BTreeSet<&str> = desired
        .schedules
        .iter()
        .map(|d| d.schedule.name.as_str())
        .collect();
    for l in &live.schedules {
        if !wanted_names.contains(l.name.as_str()) {
            changes.push(ScheduleChange {
                name: l.name.clone(),
                action: Action::Delete,
                batch: None,
                fields: all_fields(l, now),
                desired: None,
            });
        }
    }
    changes.sort_by(|a, b| a.name.cmp(&b.name));
    // As for rules: one deletion is ordinary, the last schedule or more than the share is
    // what an emptied schedules directory looks like.
    let managed = live.schedules.len();
    let deletes = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count();
    let allowed = ((managed as f64 * max_delete_share).floor() as usize).max(1);
    let delete_guard =
        (deletes > 0 && (deletes == managed || deletes > allowed)).then_some(DeleteGuard {
            deletes,
            managed,
            allowed: allowed.min(managed.saturating_sub(1)),
            last_alert: false,
        });
    SchedulePlan {
        group: group.to_string(),
        group_action,
        changes,
        errors,
        delete_guard,
        from_rules: Vec::new(),
    }
}

/// Why the plan may not be applied: its errors, and the delete guard unless `allow_delete`.
pub fn refusals(plan: &SchedulePlan, allow_delete: bool, at: &Location) -> Vec<Finding> {
    let mut reasons = plan.errors.clone();
    if let (Some(g), false) = (plan.delete_guard, allow_delete) {
        let message = if g.deletes == g.managed {
            format!(
                "the plan deletes all {} schedules of the group `{}`",
                g.managed, plan.group
            )
        } else {
            format!(
                "the plan deletes {} of the {} schedules of the group `{}`, more than the {} that `aws.max_delete_share` allows",
                g.deletes, g.managed, plan.group, g.allowed
            )
        };
        reasons.push(
            Finding::of(finding::Rule::AwsDeleteGuard, at.clone(), message).help(
                "if that is really meant (and not a broken or emptied schedules directory), run again with --allow-delete",
            ),
        );
    }
    reasons
}

/// Rules (with their target ids) and their expressions.
type MovingRules = (Vec<(String, Vec<String>)>, Vec<String>);

/// One batch moving from its managed rule(s) on the bus to its schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FromRules {
    pub batch: String,
    /// The schedule that replaces them.
    pub schedule: String,
    /// Its managed rules (several when the UTC rewrite split it), with their target ids.
    pub rules: Vec<(String, Vec<String>)>,
    /// Their UTC expressions, for the moment when none is due.
    pub expressions: Vec<String>,
}

/// The batches whose managed schedule rules (this repository's, on the bus) are replaced by
/// a schedule in this plan. Their schedules are created by the migration, not as plain
/// creates: see `aws::scheduler_sync::migrate_from_rules` for the order.
pub fn from_rules(desired: &Desired, live: &super::plan::Live, prefix: &str) -> Vec<FromRules> {
    let repository = desired.repository.as_deref();
    let mut by_batch: BTreeMap<&str, MovingRules> = BTreeMap::new();
    for r in &live.rules {
        if r.owner(prefix, repository) != super::plan::Owner::Ours
            || r.rule.tags.get(desired::KIND_TAG).map(String::as_str) != Some("schedule")
        {
            continue;
        }
        let Some(batch) = r.rule.tags.get(desired::BATCH_TAG) else {
            continue;
        };
        let entry = by_batch.entry(batch.as_str()).or_default();
        let ids = r.rule.targets.iter().map(|t| t.id.clone()).collect();
        entry.0.push((r.rule.name.clone(), ids));
        entry.1.extend(r.rule.schedule_expression.clone());
    }
    desired
        .schedules
        .iter()
        .filter_map(|d| {
            let (rules, expressions) = by_batch.get(d.batch.as_str())?.clone();
            Some(FromRules {
                batch: d.batch.clone(),
                schedule: d.schedule.name.clone(),
                rules,
                expressions,
            })
        })
        .collect()
}

/// The `StartDate` of a schedule that replaces rules deleted from `deleted_at` for up to
/// `busy` seconds (a moment when none of them is due, `deploy::cutover::wait`): the first
/// whole minute after that stretch. A run due before it came from a rule; one due after it,
/// from the schedule; none is due in between. The batch's own `start` wins when it is later.
pub fn start_after_rules(deleted_at: Timestamp, busy: i64, own: Option<Timestamp>) -> Timestamp {
    let end = deleted_at.as_second() + busy;
    let minute = end.div_euclid(60) * 60 + if end.rem_euclid(60) == 0 { 0 } else { 60 };
    let at = Timestamp::from_second(minute).unwrap_or(deleted_at);
    match own {
        Some(o) if o > at => o,
        _ => at,
    }
}

/// A schedule of cronbridge's group that the rules backend replaces (or, for a batch no
/// longer in the repository, only deletes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToRules {
    pub schedule: String,
    pub batch: Option<String>,
    /// The batch's desired rules (empty when the batch is gone).
    pub rules: Vec<String>,
}

/// What moving back from Scheduler to rules did (or, planning, would do).
#[derive(Debug, Clone)]
pub struct ToRulesReport {
    pub group: String,
    pub moves: Vec<ToRules>,
    /// Per schedule, the failure that stopped its move.
    pub errors: Vec<(String, String)>,
    pub note: Option<String>,
}

/// On `backend: rules`: the schedules left in cronbridge's group, and the rules that take
/// over each (`<rule_prefix><batch>` is the schedule's name).
pub fn to_rules(desired: &Desired, live: &LiveSchedules, prefix: &str) -> Vec<ToRules> {
    live.schedules
        .iter()
        .map(|s| {
            let batch = s.name.strip_prefix(prefix).map(str::to_string);
            let rules: Vec<String> = desired
                .rules
                .iter()
                .filter(|r| {
                    matches!(&r.origin, desired::Origin::Schedule(b) if Some(b) == batch.as_ref())
                })
                .map(|r| r.rule.name.clone())
                .collect();
            ToRules {
                schedule: s.name.clone(),
                batch: batch.filter(|_| !rules.is_empty()),
                rules,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::settings::aws::Backend;

    const NOW: &str = "2026-11-29T00:00:00Z";
    const ARN: &str = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";
    const ROLE: &str = "arn:aws:iam::123456789012:role/cronbridge-scheduler";

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn desired_of(text: &str) -> Desired {
        let mut settings = Settings::default();
        settings.aws.backend = Backend::Scheduler;
        settings.aws.repository = Some("octo/cat".to_string());
        let (batches, f) = crate::schedule::load("schedules/a.yml", text, &settings);
        assert!(f.is_empty(), "{f:?}");
        let utc: Vec<_> = batches.iter().map(|_| Ok(Vec::new())).collect();
        let model = desired::Model {
            settings: &settings,
            batches: &batches,
            utc: &utc,
            alerts: &[],
        };
        let env = |name: &str| match name {
            "CRONBRIDGE_STATE_MACHINE_ARN" => Some(ARN.to_string()),
            "CRONBRIDGE_ROLE_ARN" => Some(ROLE.to_string()),
            _ => None,
        };
        let d = desired::build(&model, &env);
        assert!(
            d.rules.is_empty(),
            "no schedule rule on the scheduler backend"
        );
        d
    }

    const TWO: &str = "Backup:\n  cron: \"30 1 * * ? *\"\n  timezone: America/New_York\n  batch_class: \"Batches::Backup\"\n  is_active: true\n  description: nightly\n  flexible_window: 15m\n  end: 2027-06-30T18:00\nYearEnd:\n  at: 2026-12-31T23:00\n  batch_class: \"Batches::YearEnd\"\n  is_active: false\n";

    fn plan_of(d: &Desired, live: &LiveSchedules) -> SchedulePlan {
        plan(
            d,
            live,
            "cronbridge",
            0.25,
            &Location::file_start("cronbridge.yml"),
            now(),
        )
    }

    fn owned() -> Option<LiveGroup> {
        Some(LiveGroup {
            arn: "arn:aws:scheduler:ap-northeast-1:123456789012:schedule-group/cronbridge"
                .to_string(),
            tags: group_tags(Some("octo/cat")),
        })
    }

    #[test]
    fn batches_become_zone_native_schedules_with_their_target() {
        let d = desired_of(TWO);
        let s = &d.schedules[0].schedule;
        assert_eq!(s.name, "cronbridge-Backup");
        assert_eq!(s.expression, "cron(30 1 * * ? *)");
        assert_eq!(s.timezone, "America/New_York");
        assert_eq!(s.flexible_window, Some(15));
        assert_eq!(s.end.unwrap().to_string(), "2027-06-30T22:00:00Z");
        assert_eq!(
            s.description.as_deref(),
            Some("cron(30 1 * * ? *) America/New_York: nightly")
        );
        assert_eq!(s.action_after_completion.as_deref(), Some("NONE"));
        let t = s.target.as_ref().unwrap();
        assert_eq!((t.arn.as_str(), t.role_arn.as_deref()), (ARN, Some(ROLE)));
        assert_eq!(t.maximum_retry_attempts, Some(185));
        assert!(t.input.as_deref().unwrap().contains("Batches::Backup"));
        let y = &d.schedules[1].schedule;
        assert_eq!(y.expression, "at(2026-12-31T23:00:00)");
        assert_eq!(y.timezone, "Asia/Tokyo");
        assert_eq!(y.state, "DISABLED");
    }

    #[test]
    fn a_new_group_is_created_tagged_then_a_second_plan_is_empty() {
        let d = desired_of(TWO);
        let p = plan_of(&d, &LiveSchedules::default());
        assert!(
            matches!(&p.group_action, GroupAction::Create { tags } if tags.get(REPOSITORY_TAG).map(String::as_str) == Some("octo/cat"))
        );
        assert_eq!(p.count(Action::Create), 2);
        let live = LiveSchedules {
            group: owned(),
            schedules: p.changes.iter().filter_map(|c| c.desired.clone()).collect(),
        };
        let again = plan_of(&d, &live);
        assert!(!again.has_changes(), "{again:?}");
    }

    #[test]
    fn changes_are_shown_field_by_field_and_deletions_are_guarded() {
        let d = desired_of(TWO);
        let mut live: Vec<Schedule> = d.schedules.iter().map(|s| s.schedule.clone()).collect();
        live[0].timezone = "Europe/London".to_string();
        live[0].flexible_window = None;
        let mut gone = live[1].clone();
        gone.name = "cronbridge-Gone".to_string();
        live.push(gone);
        let p = plan_of(
            &d,
            &LiveSchedules {
                group: owned(),
                schedules: live,
            },
        );
        let backup = &p.changes[0];
        assert_eq!(backup.action, Action::Update);
        let f: Vec<_> = backup
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.before.as_deref(), f.after.as_deref()))
            .collect();
        assert_eq!(
            f,
            [
                ("timezone", Some("Europe/London"), Some("America/New_York")),
                ("flexible_window", Some("OFF"), Some("15m"))
            ]
        );
        assert_eq!(p.changes[1].action, Action::Delete);
        // One of three may go without --allow-delete.
        assert!(p.delete_guard.is_none());
        let at = Location::file_start("cronbridge.yml");
        assert!(refusals(&p, false, &at).is_empty());
        let none = Desired {
            repository: Some("octo/cat".to_string()),
            ..Desired::default()
        };
        let p = plan_of(
            &none,
            &LiveSchedules {
                group: owned(),
                schedules: d.schedules.iter().map(|s| s.schedule.clone()).collect(),
            },
        );
        assert_eq!(p.count(Action::Delete), 2);
        let r = refusals(&p, false, &at);
        assert_eq!(r[0].rule, finding::Rule::AwsDeleteGuard);
        assert!(refusals(&p, true, &at).is_empty());
    }

    #[test]
    fn a_group_that_is_not_ours_is_refused_and_untouched() {
        let d = desired_of(TWO);
        for tags in [BTreeMap::new(), group_tags(Some("octo/other"))] {
            let live = LiveSchedules {
                group: Some(LiveGroup {
                    arn: "arn".to_string(),
                    tags,
                }),
                schedules: vec![d.schedules[0].schedule.clone()],
            };
            let p = plan_of(&d, &live);
            assert_eq!(p.group_action, GroupAction::Refused);
            assert!(p.changes.is_empty());
            assert_eq!(p.errors[0].rule, finding::Rule::AwsUnownedGroup);
            assert!(p.errors[0].help.is_some());
        }
        // A managed group from before the repository tag is adopted by tagging it.
        let live = LiveSchedules {
            group: Some(LiveGroup {
                arn: "arn".to_string(),
                tags: group_tags(None),
            }),
            schedules: Vec::new(),
        };
        let p = plan_of(&d, &live);
        assert!(matches!(&p.group_action, GroupAction::Tag { tags } if tags.len() == 1));
    }

    #[test]
    fn schedules_replacing_rules_start_at_the_first_minute_after_the_deletions() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            start_after_rules(t("2026-12-01T10:00:05Z"), 10, None),
            t("2026-12-01T10:01:00Z")
        );
        assert_eq!(
            start_after_rules(t("2026-12-01T10:00:50Z"), 10, None),
            t("2026-12-01T10:01:00Z")
        );
        assert_eq!(
            start_after_rules(t("2026-12-01T10:00:51Z"), 10, None),
            t("2026-12-01T10:02:00Z")
        );
        let own = t("2027-01-01T00:00:00Z");
        assert_eq!(
            start_after_rules(t("2026-12-01T10:00:05Z"), 10, Some(own)),
            own
        );
    }

    #[test]
    fn a_start_that_has_passed_is_not_sent_and_not_a_change() {
        let text = "A:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n  start: 2026-01-01\n";
        let d = desired_of(text);
        let p = plan_of(&d, &LiveSchedules::default());
        assert_eq!(p.changes[0].desired.as_ref().unwrap().start, None);
        let mut live = d.schedules[0].schedule.clone();
        live.start = Some("2026-06-01T00:00:00Z".parse().unwrap());
        let p = plan_of(
            &d,
            &LiveSchedules {
                group: owned(),
                schedules: vec![live],
            },
        );
        assert!(!p.has_changes(), "{p:?}");
    }
}
