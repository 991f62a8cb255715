//! The plan: what must change so that the live rules become the desired ones, field by
//! field, with the guards that stop a dangerous plan (mass deletion, the rules quota, a
//! rule cronbridge does not own). Pure: desired and live state in, a plan out.

use super::desired::{
    ALERT_TAG, BATCH_TAG, CLASS_TAG, Desired, KIND_TAG, MANAGED_TAG, MANAGED_VALUE, Origin,
    REPOSITORY_TAG, Rule, TAG_PREFIX, TARGET_ID, Target,
};
use crate::finding::{self, Finding, Location};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A rule as read from EventBridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveRule {
    pub rule: Rule,
    pub arn: String,
}

impl LiveRule {
    /// Whether the rule carries cronbridge's managed tag.
    pub fn is_managed(&self) -> bool {
        self.rule.tags.get(MANAGED_TAG).map(String::as_str) == Some(MANAGED_VALUE)
    }

    /// Whose rule this is, seen from `repository` with `prefix`.
    pub fn owner(&self, prefix: &str, repository: Option<&str>) -> Owner {
        if !self.is_managed() {
            return Owner::Unmanaged;
        }
        match self.rule.tags.get(REPOSITORY_TAG) {
            Some(r) if Some(r.as_str()) == repository => Owner::Ours,
            Some(r) => Owner::Repository(r.clone()),
            // Managed before the repository tag existed: ours if it has our prefix (the next
            // apply adds the tag); under another prefix it may be another repository's.
            None if self.rule.name.starts_with(prefix) => Owner::Ours,
            None => Owner::Legacy,
        }
    }
}

/// Whose a live rule is. cronbridge changes only its own: managed, and tagged with this
/// repository (or with no repository yet, under this prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Ours,
    /// Managed by cronbridge for another repository.
    Repository(String),
    /// Managed without a repository tag, under another prefix: nobody can tell whose.
    Legacy,
    /// Not cronbridge's.
    Unmanaged,
}

/// What EventBridge holds: the rules with the prefix or this repository's tag, and every
/// enabled schedule rule (targets read for managed rules and enabled schedule rules), and how
/// many rules the bus has in all (for the quota).
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub rules: Vec<LiveRule>,
    pub bus_rule_count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

/// One field that differs: text before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What happens to one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub name: String,
    pub action: Action,
    /// Where the desired rule comes from (absent for deletions).
    pub origin: Option<Origin>,
    /// A create that replaces a managed rule under another name (the prefix, the batch's name
    /// or the bus changed): the old name. Its deletion has `renamed_to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// An update that takes over a rule without cronbridge's tag, named by the batch's
    /// `rule:` (after it, the rule is cronbridge's).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub adopts: bool,
    /// Updates: the fields that differ. Creates and deletes: the rule's fields.
    pub fields: Vec<FieldChange>,
    /// The rule as it must be afterwards (creates, updates, unchanged).
    #[serde(skip)]
    pub desired: Option<Rule>,
    /// The rule as it is (updates, deletes, unchanged).
    #[serde(skip)]
    pub live: Option<LiveRule>,
    /// What an update must write: the rule itself, its target, its tags.
    #[serde(skip)]
    pub rule_changed: bool,
    #[serde(skip)]
    pub targets_changed: bool,
    #[serde(skip)]
    pub tags_changed: bool,
}

/// A plan that deletes too much; applying it needs `--allow-delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeleteGuard {
    pub deletes: usize,
    pub managed: usize,
    /// The most one apply may delete without `--allow-delete`.
    pub allowed: usize,
    /// The plan deletes every alert rule: nobody would hear of a failed batch.
    pub last_alert: bool,
}

/// A rule that changes name: the old generation is replaced by the new one, never both
/// enabled (see `aws::sync` for the cutover).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    pub from: String,
    pub to: String,
    pub origin: Origin,
    /// How the old rule was recognised: `same_batch` or `same_alert` (its tag), or
    /// `same_class_and_schedule` (a batch renamed: same `batch_class` and UTC schedule).
    pub by: &'static str,
}

/// The rules-per-bus quota after the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub after: usize,
    pub limit: u32,
}

/// The whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub bus: String,
    pub prefix: String,
    /// Every desired or managed rule, by name.
    pub changes: Vec<Change>,
    /// Rules with the prefix but without the managed tag, or another repository's: never
    /// touched.
    pub unmanaged: Vec<String>,
    /// Rules whose name changes (each also a create and a delete in `changes`).
    pub renames: Vec<Rename>,
    /// The repository tag the plan's rules carry.
    pub repository: Option<String>,
    /// Reasons the plan must not be applied at all, located where they can be fixed
    /// (serialised as their messages; the deploy report lists them in full as `findings`).
    #[serde(serialize_with = "crate::deploy::messages")]
    pub errors: Vec<Finding>,
    #[serde(serialize_with = "crate::deploy::messages")]
    pub warnings: Vec<Finding>,
    /// Set when the plan deletes more than `max_delete_share` allows.
    pub delete_guard: Option<DeleteGuard>,
    pub quota: Quota,
    /// This repository's rules on other event buses (an earlier `event_bus`).
    pub elsewhere: Vec<Elsewhere>,
}

/// A rule of this repository found on another event bus.
#[derive(Debug, Clone, Serialize)]
pub struct Elsewhere {
    pub bus: String,
    /// A deletion: applied once its counterpart on the plan's bus is in place.
    pub change: Change,
    /// The rule on the plan's bus that replaces it; `None`: its alert is no longer in the
    /// repository, and it is left where it is (with a warning) rather than deleted from a
    /// bus the settings no longer name.
    pub replaced_by: Option<String>,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// Whether applying would write anything.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::Unchanged)
            || self.elsewhere.iter().any(|e| e.replaced_by.is_some())
    }

    /// The rules on other buses that the apply deletes.
    pub fn moves(&self) -> impl Iterator<Item = &Elsewhere> {
        self.elsewhere.iter().filter(|e| e.replaced_by.is_some())
    }
}

/// The share of the quota above which the plan warns.
const QUOTA_WARN_SHARE: f64 = 0.8;

/// Where the settings of a plan are: the bus, the quota and the delete share.
#[derive(Debug, Clone)]
pub struct Limits<'a> {
    pub bus: &'a str,
    pub prefix: &'a str,
    pub rules_quota: u32,
    pub max_delete_share: f64,
    /// Where problems of the settings (the quota, the share) are reported.
    pub at: Location,
}

impl<'a> Limits<'a> {
    /// The limits the settings give, for rules on `bus`.
    pub fn of(settings: &'a crate::settings::Settings, bus: &'a str) -> Limits<'a> {
        let aws = &settings.aws;
        Limits {
            bus,
            prefix: &settings.rule_prefix,
            rules_quota: aws.rules_quota,
            max_delete_share: aws.max_delete_share,
            at: aws
                .location
                .clone()
                .unwrap_or_else(|| Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE)),
        }
    }
}

/// Compares desired and live rules within the settings' `limits`.
pub fn plan(desired: &Desired, live: &Live, limits: &Limits<'_>) -> Plan {
    let Limits {
        bus,
        prefix,
        rules_quota,
        max_delete_share,
        ..
    } = *limits;
    let repository = desired.repository.as_deref();
    let live_by_name: BTreeMap<&str, &LiveRule> = live
        .rules
        .iter()
        .map(|r| (r.rule.name.as_str(), r))
        .collect();
    let desired_names: BTreeSet<&str> =
        desired.rules.iter().map(|r| r.rule.name.as_str()).collect();
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for d in &desired.rules {
        let origin = Some(d.origin.clone());
        let Some(l) = live_by_name.get(d.rule.name.as_str()) else {
            changes.push(Change {
                name: d.rule.name.clone(),
                action: Action::Create,
                origin,
                renamed_from: None,
                renamed_to: None,
                adopts: false,
                fields: describe_rule(&d.rule, true),
                desired: Some(d.rule.clone()),
                live: None,
                rule_changed: true,
                targets_changed: true,
                tags_changed: true,
            });
            continue;
        };
        match l.owner(prefix, repository) {
            Owner::Unmanaged if !d.adopted => errors.push(
                Finding::of(
                    finding::Rule::AwsUnownedRule,
                    d.location.clone(),
                    format!(
                        "the rule `{}` exists without the `{MANAGED_TAG}` tag, so cronbridge does not own it and will not overwrite it",
                        d.rule.name
                    ),
                )
                .help(format!("delete or rename it, or tag it `{MANAGED_TAG}={MANAGED_VALUE}` to let cronbridge take it over")),
            ),
            Owner::Repository(other) => errors.push(
                Finding::of(
                    finding::Rule::AwsUnownedRule,
                    d.location.clone(),
                    format!(
                        "the rule `{}` belongs to the repository `{other}` (its `{REPOSITORY_TAG}` tag), so this repository will not overwrite it",
                        d.rule.name
                    ),
                )
                .help("two repositories on one bus need different `rule_prefix`es, or set `aws.repository` to the repository that owns these rules"),
            ),
            // A rule the batch names with `rule:` is taken over in place: the same update as
            // for a rule of ours, so that only what differs (cronbridge's tags, at least) is
            // written, and nothing is deleted or created.
            owner @ (Owner::Ours | Owner::Legacy | Owner::Unmanaged) => {
                let want = adopted_target_id(d, l);
                let (rule_fields, target_fields, tag_fields) = diff(&want, &l.rule);
                let (rule_changed, targets_changed, tags_changed) = (!rule_fields.is_empty(), !target_fields.is_empty(), !tag_fields.is_empty());
                let fields: Vec<FieldChange> = rule_fields.into_iter().chain(target_fields).chain(tag_fields).collect();
                changes.push(Change {
                    name: d.rule.name.clone(),
                    action: if fields.is_empty() { Action::Unchanged } else { Action::Update },
                    origin,
                    renamed_from: None,
                    renamed_to: None,
                    adopts: owner == Owner::Unmanaged,
                    fields,
                    desired: Some(want),
                    live: Some((*l).clone()),
                    rule_changed,
                    targets_changed,
                    tags_changed,
                });
            }
        }
    }
    let mut unmanaged = Vec::new();
    let mut managed = 0;
    let mut managed_alerts = 0;
    for l in &live.rules {
        let owner = l.owner(prefix, repository);
        if owner != Owner::Ours {
            // Listed: what shares the prefix. The bus's other schedule rules are read only to
            // find a batch started twice.
            if !desired_names.contains(l.rule.name.as_str()) && l.rule.name.starts_with(prefix) {
                unmanaged.push(l.rule.name.clone());
            }
            continue;
        }
        managed += 1;
        if l.rule.tags.get(KIND_TAG).map(String::as_str) == Some("alert") {
            managed_alerts += 1;
        }
        if !desired_names.contains(l.rule.name.as_str()) {
            changes.push(Change {
                name: l.rule.name.clone(),
                action: Action::Delete,
                origin: None,
                renamed_from: None,
                renamed_to: None,
                adopts: false,
                fields: describe_rule(&l.rule, false),
                desired: None,
                live: Some(l.clone()),
                rule_changed: true,
                targets_changed: true,
                tags_changed: false,
            });
        }
    }
    errors.extend(started_twice(
        desired,
        live,
        prefix,
        repository,
        &desired_names,
        true,
    ));
    let renames = pair_renames(&mut changes, desired);
    changes.sort_by(|a, b| a.name.cmp(&b.name));
    unmanaged.sort();
    let deletes = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count();
    let creates = changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .count();
    // A rename replaces a rule: it is no loss, so the guard counts only real deletions.
    let lost: Vec<&Change> = changes
        .iter()
        .filter(|c| c.action == Action::Delete && c.renamed_to.is_none())
        .collect();
    let lost_alerts = lost
        .iter()
        .filter(|c| {
            c.live
                .as_ref()
                .and_then(|l| l.rule.tags.get(KIND_TAG))
                .map(String::as_str)
                == Some("alert")
        })
        .count();
    // Deleting one rule at a time is ordinary; deleting the last one, or more than the share,
    // is what a broken or emptied schedules directory looks like, and deleting the last alert
    // rule leaves failures unheard.
    let allowed = ((managed as f64 * max_delete_share).floor() as usize).max(1);
    let last_alert = managed_alerts > 0 && lost_alerts == managed_alerts;
    let real = lost.len();
    let delete_guard =
        (real > 0 && (real == managed || real > allowed || last_alert)).then_some(DeleteGuard {
            deletes: real,
            managed,
            allowed: allowed.min(managed.saturating_sub(1)),
            last_alert,
        });
    let after = (live.bus_rule_count + creates).saturating_sub(deletes);
    let quota = Quota {
        after,
        limit: rules_quota,
    };
    let mut warnings = Vec::new();
    if after > rules_quota as usize && creates > 0 {
        errors.push(
            Finding::of(
                finding::Rule::AwsRulesQuota,
                limits.at.clone(),
                format!("the event bus `{bus}` would have {after} rules, more than its quota of {rules_quota}"),
            )
            .help("raise the quota with AWS (and `aws.rules_quota` in the settings), or schedule fewer rules"),
        );
    } else if after as f64 > QUOTA_WARN_SHARE * f64::from(rules_quota) {
        warnings.push(
            Finding::of(
                finding::Rule::AwsRulesQuotaNear,
                limits.at.clone(),
                format!(
                    "the event bus `{bus}` will have {after} of its {rules_quota} rules ({}%)",
                    after * 100 / rules_quota.max(1) as usize
                ),
            )
            .help("ask AWS to raise the quota before it runs out"),
        );
    }
    Plan {
        bus: bus.to_string(),
        prefix: prefix.to_string(),
        changes,
        unmanaged,
        renames,
        repository: desired.repository.clone(),
        errors,
        warnings,
        delete_guard,
        quota,
        elsewhere: Vec::new(),
    }
}

/// Adds this repository's rules `found` on other buses (bus, rule): the old generation of a
/// changed `event_bus`. Each is deleted after the apply when a desired rule of the same alert
/// (or batch) replaces it; one without a replacement is left alone with a warning, since the
/// settings no longer say that bus is the repository's.
pub fn elsewhere(plan: &mut Plan, desired: &Desired, found: Vec<(String, LiveRule)>) {
    for (bus, l) in found {
        let origin = |r: &Rule| {
            r.tags
                .get(ALERT_TAG)
                .map(|a| ("alert", a.clone()))
                .or_else(|| r.tags.get(BATCH_TAG).map(|b| ("batch", b.clone())))
        };
        let mine = origin(&l.rule);
        let replaced_by = desired
            .rules
            .iter()
            .find(|d| mine.is_some() && origin(&d.rule) == mine)
            .map(|d| d.rule.name.clone());
        if replaced_by.is_none() {
            plan.warnings.push(
                Finding::of(
                    finding::Rule::AwsLeftOnOtherBus,
                    Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE),
                    format!(
                        "the rule `{}` on the event bus `{bus}` is this repository's, but nothing in the repository replaces it; it is left there",
                        l.rule.name
                    ),
                )
                .help(format!("delete it on `{bus}` if it is no longer wanted, or set `event_bus: {bus}` again")),
            );
        }
        plan.elsewhere.push(Elsewhere {
            bus,
            change: Change {
                name: l.rule.name.clone(),
                action: Action::Delete,
                origin: None,
                renamed_from: None,
                renamed_to: replaced_by.clone(),
                adopts: false,
                fields: describe_rule(&l.rule, false),
                desired: None,
                live: Some(l),
                rule_changed: true,
                targets_changed: true,
                tags_changed: false,
            },
            replaced_by,
        });
    }
}

/// The live plan of a pull request, read with read-only credentials: what applying the head
/// would do to EventBridge as it is now, and how EventBridge differs from the base branch
/// (drift since the last apply: a rule changed or deleted in the console, or a deploy that
/// did not finish).
#[derive(Debug, Clone, Serialize)]
pub struct LivePlan {
    pub plan: Plan,
    /// What applying the base branch now would change; `None` when the base's rules cannot
    /// be built (its own errors) or live on another bus.
    pub drift: Option<Vec<Change>>,
}

/// What the pull request shows of EventBridge now.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum LiveView {
    Planned(Box<LivePlan>),
    /// Not read, and why (the head has errors, no region, access denied, …).
    Unavailable {
        reason: String,
    },
}

/// Plans the head against `live`, and the base (when given) to find the drift.
pub fn live_plan(
    head: &Desired,
    base: Option<(&Desired, &Limits<'_>)>,
    live: &Live,
    limits: &Limits<'_>,
) -> LivePlan {
    let drift = base
        .filter(|(_, base_limits)| base_limits.bus == limits.bus)
        .map(|(desired, base_limits)| {
            plan(desired, live, base_limits)
                .changes
                .into_iter()
                .filter(|c| c.action != Action::Unchanged)
                .collect()
        });
    LivePlan {
        plan: plan(head, live, limits),
        drift,
    }
}

/// The desired rule, with the id of the live rule's one target when the batch adopts it: a
/// target replaced under its own id is never absent and never doubled, where a new id beside
/// the old one would start the batch twice until the old one is removed.
fn adopted_target_id(d: &super::desired::DesiredRule, l: &LiveRule) -> Rule {
    let mut want = d.rule.clone();
    if let (true, [w], [h]) = (
        d.adopted,
        want.targets.as_mut_slice(),
        l.rule.targets.as_slice(),
    ) {
        w.id = h.id.clone();
    }
    want
}

/// What identifies a rule across a rename: its kind and origin name (tags), its class, and
/// its schedule or pattern.
struct Identity {
    kind: Option<String>,
    origin: Option<String>,
    class: Option<String>,
    expression: Option<String>,
}

fn identity(rule: &Rule) -> Identity {
    let tag = |k: &str| rule.tags.get(k).cloned();
    let expression = rule.schedule_expression.clone().or_else(|| {
        // Patterns compare as JSON: EventBridge may re-space them.
        rule.event_pattern.as_deref().map(|p| {
            serde_json::from_str::<serde_json::Value>(p)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| p.to_string())
        })
    });
    Identity {
        kind: tag(KIND_TAG),
        origin: tag(BATCH_TAG).or_else(|| tag(ALERT_TAG)),
        class: tag(CLASS_TAG),
        expression,
    }
}

type Key = (Option<String>, Option<String>, Option<String>);
/// A pass of the pairing: its name and the key it pairs by.
type Pass = (&'static str, fn(&Identity) -> Option<Key>);

/// Pairs creates with deletions of the same batch or alert under another name, in passes from
/// the surest key to the loosest, and only where the key picks exactly one of each:
///
/// 1. the same kind, batch (or alert) tag and schedule (or pattern): the prefix changed;
/// 2. the same kind and batch (or alert): the prefix changed and the schedule with it;
/// 3. the same `batch_class` and UTC schedule (schedules), or the same pattern (alerts): the
///    batch or alert was renamed.
///
/// A paired create gets `renamed_from`, its fields become the difference from the old rule, and
/// the deletion gets `renamed_to`.
fn pair_renames(changes: &mut [Change], desired: &Desired) -> Vec<Rename> {
    let passes: [Pass; 3] = [
        ("same_origin_and_schedule", |i| {
            Some((
                i.kind.clone(),
                Some(i.origin.clone()?),
                i.expression.clone(),
            ))
        }),
        ("same_origin", |i| {
            Some((i.kind.clone(), Some(i.origin.clone()?), None))
        }),
        ("same_class_and_schedule", |i| match i.kind.as_deref() {
            Some("schedule") => {
                Some((i.kind.clone(), Some(i.class.clone()?), i.expression.clone()))
            }
            Some("alert") => Some((i.kind.clone(), None, i.expression.clone())),
            _ => None,
        }),
    ];
    let mut renames = Vec::new();
    for (by, key) in passes {
        let mut creates: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        let mut deletes: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        for (i, c) in changes.iter().enumerate() {
            match (c.action, &c.desired, &c.live) {
                (Action::Create, Some(d), _) if c.renamed_from.is_none() => {
                    if let Some(k) = key(&identity(d)) {
                        creates.entry(k).or_default().push(i);
                    }
                }
                (Action::Delete, _, Some(l)) if c.renamed_to.is_none() => {
                    if let Some(k) = key(&identity(&l.rule)) {
                        deletes.entry(k).or_default().push(i);
                    }
                }
                _ => {}
            }
        }
        for (k, new) in &creates {
            let (Some(old), [new]) = (deletes.get(k), new.as_slice()) else {
                continue;
            };
            let [old] = old.as_slice() else {
                continue;
            };
            let (new, old) = (*new, *old);
            let from = changes[old].name.clone();
            let to = changes[new].name.clone();
            let (Some(want), Some(have)) =
                (changes[new].desired.clone(), changes[old].live.clone())
            else {
                continue;
            };
            let (rule_fields, target_fields, tag_fields) = diff(&want, &have.rule);
            let mut fields = vec![change("name", Some(from.clone()), Some(to.clone()))];
            fields.extend(
                rule_fields
                    .into_iter()
                    .chain(target_fields)
                    .chain(tag_fields),
            );
            changes[new].fields = fields;
            changes[new].renamed_from = Some(from.clone());
            changes[new].live = Some(have);
            changes[old].renamed_to = Some(to.clone());
            let origin = changes[new].origin.clone().unwrap_or_else(|| {
                desired
                    .rules
                    .iter()
                    .find(|d| d.rule.name == to)
                    .map_or(Origin::Schedule(to.clone()), |d| d.origin.clone())
            });
            renames.push(Rename {
                from,
                to,
                origin,
                by: match (by, &origin_kind(&changes[new])) {
                    ("same_origin_and_schedule" | "same_origin", Some(true)) => "same_alert",
                    ("same_origin_and_schedule" | "same_origin", _) => "same_batch",
                    (_, Some(true)) => "same_pattern",
                    _ => "same_class_and_schedule",
                },
            });
        }
    }
    renames.sort_by(|a, b| a.to.cmp(&b.to));
    renames
}

/// Enabled schedule rules that this repository does not own and that start a batch it
/// schedules (same target, and an input that is the same or names the batch): once the plan is
/// applied, that batch would run twice. One error per batch and rule, at the batch. Rules
/// named in `skip` are the plan's own business (a desired rule's name); `rules_backend` says
/// whether adopting the rule with `rule:` is a way out (not when batches become schedules).
pub fn started_twice(
    desired: &Desired,
    live: &Live,
    prefix: &str,
    repository: Option<&str>,
    skip: &BTreeSet<&str>,
    rules_backend: bool,
) -> Vec<Finding> {
    let others: Vec<(&LiveRule, Owner)> = live
        .rules
        .iter()
        .filter(|l| {
            l.rule.schedule_expression.is_some()
                && l.rule.state == "ENABLED"
                && !skip.contains(l.rule.name.as_str())
        })
        .map(|l| (l, l.owner(prefix, repository)))
        .filter(|(_, owner)| *owner != Owner::Ours)
        .collect();
    let mut seen = BTreeSet::new();
    let mut findings = Vec::new();
    for d in &desired.rules {
        let Origin::Schedule(batch) = &d.origin else {
            continue;
        };
        if d.rule.state != "ENABLED" {
            continue;
        }
        let class = d.rule.tags.get(CLASS_TAG).map(String::as_str);
        for (l, owner) in &others {
            let Some(why) = d.rule.targets.iter().find_map(|dt| {
                l.rule
                    .targets
                    .iter()
                    .filter(|lt| lt.arn == dt.arn)
                    .find_map(|lt| starts_same(lt, dt, batch, class))
            }) else {
                continue;
            };
            if !seen.insert((batch.as_str(), l.rule.name.as_str())) {
                continue;
            }
            let whose = match owner {
                Owner::Repository(other) => format!(" of the repository `{other}`"),
                Owner::Legacy => " (cronbridge's, with no repository tag)".to_string(),
                Owner::Ours | Owner::Unmanaged => String::new(),
            };
            findings.push(
                Finding::of(
                    finding::Rule::AwsRunsTwice,
                    d.location.clone(),
                    format!(
                        "`{batch}` would run twice: the rule `{}`{whose} already starts it ({why})",
                        l.rule.name
                    ),
                )
                .help(if rules_backend {
                    format!(
                        "delete or disable the rule `{}` in EventBridge, or adopt it in place: name it on the batch with `rule: {}` (`cronbridge import` writes these)",
                        l.rule.name, l.rule.name
                    )
                } else {
                    format!(
                        "delete or disable the rule `{}` in EventBridge as the batch moves to its schedule",
                        l.rule.name
                    )
                }),
            );
        }
    }
    findings
}

/// Why a live target starts what a desired one does, if it does: the same input, or an
/// input naming the batch (a string that is its name, or that contains its class as a
/// whole word, as a command does).
fn starts_same(
    live: &Target,
    desired: &Target,
    batch: &str,
    class: Option<&str>,
) -> Option<String> {
    if live.input.is_some() && same_json(&live.input, &desired.input) {
        return Some("same target and input".to_string());
    }
    let value: serde_json::Value = serde_json::from_str(live.input.as_deref()?).ok()?;
    let mut strings = Vec::new();
    collect_strings(&value, &mut strings, 0);
    if strings.contains(&batch) {
        return Some(format!("same target, and its input names `{batch}`"));
    }
    let class = class.filter(|c| !c.is_empty())?;
    strings
        .iter()
        .any(|s| contains_word(s, class))
        .then(|| format!("same target, and its input names `{class}`"))
}

/// The string values of a JSON document, to a bounded depth (inputs are at most 8 KiB).
fn collect_strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>, depth: usize) {
    if depth > 32 {
        return;
    }
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => {
            for v in items {
                collect_strings(v, out, depth + 1);
            }
        }
        serde_json::Value::Object(map) => {
            for v in map.values() {
                collect_strings(v, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Whether `word` occurs in `text` with no identifier character (letters, digits, `_`, `:`)
/// right before or after it: `Batches::Daily::Backup.run` names `Batches::Daily::Backup`,
/// `Batches::Daily::BackupVerify` does not.
fn contains_word(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(part)
            && !text[i + word.len()..].chars().next().is_some_and(part)
    })
}

/// Whether a change's rule is an alert rule (`None`: unknown).
fn origin_kind(c: &Change) -> Option<bool> {
    c.origin.as_ref().map(|o| matches!(o, Origin::Alert(_)))
}

fn text(v: &Option<String>) -> Option<String> {
    v.clone()
}

/// Whether two JSON texts mean the same; EventBridge may reformat what it was given.
fn same_json(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => match (
            serde_json::from_str::<serde_json::Value>(a),
            serde_json::from_str::<serde_json::Value>(b),
        ) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        },
        (a, b) => a == b,
    }
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        before,
        after,
    }
}

/// A created or deleted rule's fields, as `after` (create) or `before` (delete).
fn describe_rule(rule: &Rule, create: bool) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    let mut add = |field: &str, value: Option<String>| {
        if value.is_some() {
            fields.push(if create {
                change(field, None, value)
            } else {
                change(field, value, None)
            });
        }
    };
    add("schedule", text(&rule.schedule_expression));
    add("event_pattern", text(&rule.event_pattern));
    add("state", Some(rule.state.clone()));
    add("description", text(&rule.description));
    if let Some(t) = rule
        .targets
        .iter()
        .find(|t| t.id == TARGET_ID)
        .or(rule.targets.first())
    {
        add("target", Some(t.arn.clone()));
        add("target.role", t.role_arn.clone());
        add("target.input", t.input.clone());
    }
    fields
}

fn retry_text(t: &Target) -> Option<String> {
    match (t.maximum_retry_attempts, t.maximum_event_age_seconds) {
        (None, None) => None,
        (a, s) => Some(format!(
            "attempts {}, event age {}",
            a.map_or("default".to_string(), |a| a.to_string()),
            s.map_or("default".to_string(), |s| format!("{s}s"))
        )),
    }
}

fn ecs_text(t: &Target) -> Option<String> {
    t.ecs
        .as_ref()
        .map(|e| serde_json::to_string(e).unwrap_or_default())
}

/// The differences in the rule itself, in its targets, and in cronbridge's tags.
pub(crate) fn diff(
    want: &Rule,
    have: &Rule,
) -> (Vec<FieldChange>, Vec<FieldChange>, Vec<FieldChange>) {
    let mut rule = Vec::new();
    if want.schedule_expression != have.schedule_expression {
        rule.push(change(
            "schedule",
            text(&have.schedule_expression),
            text(&want.schedule_expression),
        ));
    }
    if !same_json(&want.event_pattern, &have.event_pattern) {
        rule.push(change(
            "event_pattern",
            text(&have.event_pattern),
            text(&want.event_pattern),
        ));
    }
    if want.state != have.state {
        rule.push(change(
            "state",
            Some(have.state.clone()),
            Some(want.state.clone()),
        ));
    }
    if want.description != have.description {
        rule.push(change(
            "description",
            text(&have.description),
            text(&want.description),
        ));
    }

    let mut targets = Vec::new();
    let empty_target = Target {
        id: TARGET_ID.to_string(),
        arn: String::new(),
        role_arn: None,
        input: None,
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
        dead_letter_arn: None,
        ecs: None,
    };
    for w in &want.targets {
        let h = have.targets.iter().find(|t| t.id == w.id);
        let h_or_empty = h.unwrap_or(&empty_target);
        let arn = |t: &Target| (!t.arn.is_empty()).then(|| t.arn.clone());
        if h.is_none() || w.arn != h_or_empty.arn {
            targets.push(change("target", arn(h_or_empty), arn(w)));
        }
        if w.role_arn != h_or_empty.role_arn {
            targets.push(change(
                "target.role",
                h_or_empty.role_arn.clone(),
                w.role_arn.clone(),
            ));
        }
        if !same_json(&w.input, &h_or_empty.input) {
            targets.push(change(
                "target.input",
                h_or_empty.input.clone(),
                w.input.clone(),
            ));
        }
        if retry_text(w) != retry_text(h_or_empty) {
            targets.push(change(
                "target.retry_policy",
                retry_text(h_or_empty),
                retry_text(w),
            ));
        }
        if w.dead_letter_arn != h_or_empty.dead_letter_arn {
            targets.push(change(
                "target.dead_letter",
                h_or_empty.dead_letter_arn.clone(),
                w.dead_letter_arn.clone(),
            ));
        }
        if w.ecs != h_or_empty.ecs {
            targets.push(change("target.ecs", ecs_text(h_or_empty), ecs_text(w)));
        }
    }
    // A managed rule has exactly cronbridge's target; anything else was added by hand.
    let extra: Vec<&str> = have
        .targets
        .iter()
        .filter(|h| want.targets.iter().all(|w| w.id != h.id))
        .map(|h| h.id.as_str())
        .collect();
    if !extra.is_empty() {
        targets.push(change("targets.other", Some(extra.join(", ")), None));
    }

    let mut tags = Vec::new();
    let ours = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .filter(|(k, _)| k.starts_with(TAG_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (w, h) = (ours(&want.tags), ours(&have.tags));
    for key in w.keys().chain(h.keys()).collect::<BTreeSet<_>>() {
        if w.get(key) != h.get(key) {
            tags.push(change(
                &format!("tag {key}"),
                h.get(key).cloned(),
                w.get(key).cloned(),
            ));
        }
    }
    (rule, targets, tags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::desired::{DesiredRule, KIND_TAG};
    use crate::finding::Location;

    fn rule(name: &str, schedule: &str) -> Rule {
        Rule {
            name: name.to_string(),
            schedule_expression: Some(schedule.to_string()),
            event_pattern: None,
            state: "ENABLED".to_string(),
            description: Some("d".to_string()),
            tags: BTreeMap::from([
                (MANAGED_TAG.to_string(), MANAGED_VALUE.to_string()),
                (KIND_TAG.to_string(), "schedule".to_string()),
            ]),
            targets: vec![Target {
                id: TARGET_ID.to_string(),
                arn: "arn:sm".to_string(),
                role_arn: Some("arn:role".to_string()),
                input: Some(r#"{"batch":"X"}"#.to_string()),
                maximum_retry_attempts: None,
                maximum_event_age_seconds: None,
                dead_letter_arn: None,
                ecs: None,
            }],
        }
    }

    fn desired(rules: Vec<Rule>) -> Desired {
        Desired {
            rules: rules
                .into_iter()
                .map(|rule| DesiredRule {
                    origin: Origin::Schedule(rule.name.clone()),
                    rule,
                    location: Location::file_start("schedules/a.yml"),
                    adopted: false,
                })
                .collect(),
            ..Desired::default()
        }
    }

    fn live(rules: Vec<Rule>, extra: usize) -> Live {
        Live {
            bus_rule_count: rules.len() + extra,
            rules: rules
                .into_iter()
                .map(|rule| LiveRule {
                    arn: format!("arn:aws:events:r:1:rule/{}", rule.name),
                    rule,
                })
                .collect(),
        }
    }

    fn limits(rules_quota: u32) -> Limits<'static> {
        Limits {
            bus: "default",
            prefix: "cb-",
            rules_quota,
            max_delete_share: 0.25,
            at: Location::file_start("cronbridge.yml"),
        }
    }

    fn p(d: &Desired, l: &Live) -> Plan {
        plan(d, l, &limits(300))
    }

    #[test]
    fn an_adopted_rule_gets_only_cronbridges_tags_and_keeps_its_target() {
        // The team's rule `Backup`: no cronbridge tags, its target under its own id.
        let want = rule("Backup", "cron(0 0 * * ? *)");
        let mut have = want.clone();
        have.tags.clear();
        have.tags.insert("team".to_string(), "ops".to_string());
        have.targets[0].id = "Id1".to_string();
        let mut d = desired(vec![want.clone()]);
        let l = live(vec![have.clone()], 0);
        // Without `rule:` the name is someone else's rule: refused, as before.
        let refused = p(&d, &l);
        assert_eq!(refused.errors.len(), 1, "{:?}", refused.errors);
        d.rules[0].adopted = true;
        let plan = p(&d, &l);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let [c] = plan.changes.as_slice() else {
            panic!("{:?}", plan.changes)
        };
        assert_eq!(c.action, Action::Update);
        assert!(
            c.tags_changed && !c.rule_changed && !c.targets_changed,
            "{c:?}"
        );
        assert!(
            c.fields.iter().all(|f| f.field.starts_with("tag ")
                || f.field.starts_with("tags")
                || f.before.is_none()),
            "{:?}",
            c.fields
        );
        assert_eq!(c.desired.as_ref().unwrap().targets[0].id, "Id1");
        assert!(c.adopts);
        assert!(!refused.changes.iter().any(|c| c.adopts));
        assert_eq!(plan.count(Action::Delete) + plan.count(Action::Create), 0);
        // A different schedule is shown field by field, still in place.
        let mut moved = have;
        moved.schedule_expression = Some("cron(0 1 * * ? *)".to_string());
        let plan = p(&d, &live(vec![moved], 0));
        let c = &plan.changes[0];
        assert!(c.rule_changed && !c.targets_changed, "{c:?}");
        assert!(
            c.fields.iter().any(|f| f.field == "schedule"),
            "{:?}",
            c.fields
        );
    }

    #[test]
    fn equal_state_is_unchanged() {
        let r = vec![
            rule("cb-A", "cron(0 0 * * ? *)"),
            rule("cb-B", "rate(5 minutes)"),
        ];
        let mut l = live(r.clone(), 0);
        // EventBridge may re-space the input JSON; that is no change.
        l.rules[0].rule.targets[0].input = Some(r#"{ "batch": "X" }"#.to_string());
        // Tags someone added by hand are not cronbridge's business.
        l.rules[0]
            .rule
            .tags
            .insert("team".to_string(), "ops".to_string());
        let plan = p(&desired(r), &l);
        assert!(!plan.has_changes(), "{:?}", plan.changes);
        assert_eq!(plan.count(Action::Unchanged), 2);
    }

    #[test]
    fn create_update_delete_field_by_field() {
        let mut changed = rule("cb-A", "cron(0 1 * * ? *)");
        changed.state = "DISABLED".to_string();
        changed.targets[0].input = Some(r#"{"batch":"Y"}"#.to_string());
        let d = desired(vec![changed, rule("cb-New", "rate(1 hour)")]);
        let mut live_a = rule("cb-A", "cron(0 0 * * ? *)");
        live_a.targets.push(Target {
            id: "manual".into(),
            ..live_a.targets[0].clone()
        });
        let l = live(
            vec![
                live_a,
                rule("cb-Old1", "rate(1 day)"),
                rule("cb-Old2", "rate(1 day)"),
                rule("cb-Old3", "rate(1 day)"),
                rule("cb-Old4", "rate(1 day)"),
            ],
            0,
        );
        let d2 = Desired {
            rules: d
                .rules
                .clone()
                .into_iter()
                .chain(
                    desired(vec![
                        rule("cb-Old2", "rate(1 day)"),
                        rule("cb-Old3", "rate(1 day)"),
                        rule("cb-Old4", "rate(1 day)"),
                    ])
                    .rules,
                )
                .collect(),
            ..Desired::default()
        };
        let plan = p(&d2, &l);
        let actions: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.name.as_str(), c.action))
            .collect();
        assert_eq!(
            actions,
            vec![
                ("cb-A", Action::Update),
                ("cb-New", Action::Create),
                ("cb-Old1", Action::Delete),
                ("cb-Old2", Action::Unchanged),
                ("cb-Old3", Action::Unchanged),
                ("cb-Old4", Action::Unchanged)
            ]
        );
        let a = &plan.changes[0];
        let fields: Vec<_> = a.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["schedule", "state", "target.input", "targets.other"]
        );
        assert!(a.rule_changed && a.targets_changed && !a.tags_changed);
        assert_eq!(a.fields[0].before.as_deref(), Some("cron(0 0 * * ? *)"));
        assert_eq!(a.fields[0].after.as_deref(), Some("cron(0 1 * * ? *)"));
        assert_eq!(plan.delete_guard, None);
    }

    #[test]
    fn unmanaged_rules_are_left_alone_and_never_overwritten() {
        let mut foreign = rule("cb-Manual", "rate(1 day)");
        foreign.tags.clear();
        let mut taken = rule("cb-A", "rate(1 day)");
        taken.tags.clear();
        let plan = p(
            &desired(vec![rule("cb-A", "rate(1 day)")]),
            &live(vec![foreign, taken], 0),
        );
        assert_eq!(plan.unmanaged, vec!["cb-Manual"]);
        assert!(plan.changes.is_empty());
        assert!(
            plan.errors[0].message.contains("will not overwrite"),
            "{:?}",
            plan.errors
        );
    }

    #[test]
    fn deleting_everything_or_too_much_is_guarded() {
        let all: Vec<Rule> = (0..8)
            .map(|i| rule(&format!("cb-{i}"), "rate(1 day)"))
            .collect();
        let l = live(all.clone(), 0);
        // Emptied schedules: every managed rule would go.
        let g = p(&desired(vec![]), &l).delete_guard.unwrap();
        assert_eq!((g.deletes, g.managed), (8, 8));
        // Two of eight is the share (0.25); three is too many.
        assert_eq!(p(&desired(all[2..].to_vec()), &l).delete_guard, None);
        assert_eq!(
            p(&desired(all[3..].to_vec()), &l)
                .delete_guard
                .unwrap()
                .allowed,
            2
        );
        // One rule may always go, unless it is the last.
        let one = live(all[..2].to_vec(), 0);
        assert_eq!(p(&desired(all[..1].to_vec()), &one).delete_guard, None);
        assert!(
            p(&desired(vec![]), &live(all[..1].to_vec(), 0))
                .delete_guard
                .is_some()
        );
    }

    #[test]
    fn quota_warns_then_refuses() {
        let d = desired(vec![
            rule("cb-A", "rate(1 day)"),
            rule("cb-B", "rate(1 day)"),
        ]);
        let plan = plan(&d, &live(vec![], 7), &limits(10));
        assert!(plan.errors.is_empty());
        assert!(
            plan.warnings[0].message.contains("9 of its 10"),
            "{:?}",
            plan.warnings
        );
        let plan2 = super::plan(&d, &live(vec![], 9), &limits(10));
        assert!(
            plan2.errors[0]
                .message
                .contains("more than its quota of 10")
        );
        assert_eq!(
            plan2.quota,
            Quota {
                after: 11,
                limit: 10
            }
        );
    }

    #[test]
    fn tags_are_compared_on_cronbridge_keys() {
        let mut want = rule("cb-A", "rate(1 day)");
        want.tags.insert("cronbridge:batch".into(), "A".into());
        let plan = p(
            &desired(vec![want]),
            &live(vec![rule("cb-A", "rate(1 day)")], 0),
        );
        let c = &plan.changes[0];
        assert_eq!(
            (c.rule_changed, c.targets_changed, c.tags_changed),
            (false, false, true)
        );
        assert_eq!(c.fields[0].field, "tag cronbridge:batch");
    }

    fn tagged(name: &str, schedule: &str, batch: &str, class: &str) -> Rule {
        let mut r = rule(name, schedule);
        r.tags.insert(BATCH_TAG.into(), batch.into());
        r.tags.insert(CLASS_TAG.into(), class.into());
        r
    }

    #[test]
    fn a_changed_prefix_or_batch_name_is_a_rename_not_a_loss() {
        let l = live(
            vec![
                tagged("cb-A", "cron(0 0 * * ? *)", "A", "X::A"),
                tagged("cb-B", "cron(0 1 * * ? *)", "B", "X::B"),
                tagged("cb-C", "cron(0 2 * * ? *)", "C", "X::C"),
            ],
            0,
        );
        // The prefix changed (A, and B with its schedule), and C was renamed D.
        let d = desired(vec![
            tagged("new-A", "cron(0 0 * * ? *)", "A", "X::A"),
            tagged("new-B", "cron(0 3 * * ? *)", "B", "X::B"),
            tagged("new-D", "cron(0 2 * * ? *)", "D", "X::C"),
        ]);
        let plan = p(&d, &l);
        let renames: Vec<_> = plan
            .renames
            .iter()
            .map(|r| (r.from.as_str(), r.to.as_str(), r.by))
            .collect();
        assert_eq!(
            renames,
            vec![
                ("cb-A", "new-A", "same_batch"),
                ("cb-B", "new-B", "same_batch"),
                ("cb-C", "new-D", "same_class_and_schedule"),
            ]
        );
        // Renames are no deletions for the guard, though all three old names go.
        assert_eq!(plan.delete_guard, None);
        let b = plan.changes.iter().find(|c| c.name == "new-B").unwrap();
        assert_eq!(b.renamed_from.as_deref(), Some("cb-B"));
        let fields: Vec<_> = b.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "schedule"]);
        let old = plan.changes.iter().find(|c| c.name == "cb-B").unwrap();
        assert_eq!(
            (old.action, old.renamed_to.as_deref()),
            (Action::Delete, Some("new-B"))
        );
    }

    #[test]
    fn another_repositorys_rules_are_never_touched_and_untagged_ones_are_adopted() {
        let mut mine = rule("cb-A", "rate(1 day)");
        mine.tags.insert(REPOSITORY_TAG.into(), "o/mine".into());
        let mut theirs = rule("cb-T", "rate(1 day)");
        theirs.tags.insert(REPOSITORY_TAG.into(), "o/theirs".into());
        // Their batches, not ours: a rule starting one of ours would be a double run.
        theirs.targets[0].input = Some(r#"{"batch":"T"}"#.into());
        let mut clash = theirs.clone();
        clash.name = "cb-C".into();
        let legacy = rule("cb-L", "rate(1 day)");
        let mut old_prefix_legacy = rule("old-L", "rate(1 day)");
        old_prefix_legacy.name = "old-L".into();
        old_prefix_legacy.targets[0].input = Some(r#"{"batch":"old"}"#.into());
        let mut d = desired(vec![mine.clone(), mine.clone(), mine.clone()]);
        for (r, name) in d.rules.iter_mut().zip(["cb-A", "cb-C", "cb-L"]) {
            r.rule.name = name.into();
            r.origin = Origin::Schedule(name.into());
        }
        d.repository = Some("o/mine".into());
        let plan = p(
            &d,
            &live(vec![mine, theirs, clash, legacy, old_prefix_legacy], 0),
        );
        let actions: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.name.as_str(), c.action))
            .collect();
        // cb-T is theirs (not deleted), cb-C is theirs (refused), cb-L gains the tag.
        assert_eq!(
            actions,
            vec![("cb-A", Action::Unchanged), ("cb-L", Action::Update)]
        );
        let adopt = &plan.changes[1];
        assert_eq!(adopt.fields[0].field, format!("tag {REPOSITORY_TAG}"));
        assert!(adopt.tags_changed && !adopt.rule_changed);
        assert_eq!(plan.errors.len(), 1);
        assert!(
            plan.errors[0]
                .message
                .contains("belongs to the repository `o/theirs`")
        );
        assert_eq!(plan.unmanaged, vec!["cb-T"]);
    }

    #[test]
    fn deleting_the_last_alert_is_guarded() {
        let mut alert = rule("cb-alert", "rate(1 day)");
        alert.schedule_expression = None;
        alert.event_pattern = Some(r#"{"source":["aws.ecs"]}"#.into());
        alert.tags.insert(KIND_TAG.into(), "alert".into());
        let schedules: Vec<Rule> = (0..7)
            .map(|i| rule(&format!("cb-{i}"), "rate(1 day)"))
            .collect();
        let mut all = schedules.clone();
        all.push(alert);
        let plan = p(&desired(schedules), &live(all, 0));
        let g = plan.delete_guard.unwrap();
        assert!(g.last_alert && g.deletes == 1, "{g:?}");
    }

    /// A rule someone else registered: no cronbridge tags.
    fn foreign(name: &str, schedule: &str, input: &str) -> Rule {
        let mut r = rule(name, schedule);
        r.tags.clear();
        r.targets[0].id = "1".to_string();
        r.targets[0].input = Some(input.to_string());
        r
    }

    fn with_class(mut r: Rule, class: &str) -> Rule {
        r.tags.insert(CLASS_TAG.to_string(), class.to_string());
        r
    }

    fn twice(d: &Desired, l: &Live) -> Vec<String> {
        p(d, l)
            .errors
            .into_iter()
            .filter(|f| f.rule == finding::Rule::AwsRunsTwice)
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_foreign_rule_starting_the_same_batch_is_an_error_at_the_batch() {
        let mine = with_class(
            rule("cb-Backup", "cron(0 0 * * ? *)"),
            "Batches::Daily::Backup",
        );
        let mut d = desired(vec![mine]);
        d.rules[0].origin = Origin::Schedule("Backup".to_string());
        for input in [
            r#"{"batch":"X"}"#,
            r#"{"batch_class":"Batches::Daily::Backup"}"#,
            r#"{"command":["bundle","exec","rails","runner","Batches::Daily::Backup.run"]}"#,
            r#"{"name":"Backup"}"#,
        ] {
            let l = live(vec![foreign("Backup", "cron(0 0 * * ? *)", input)], 0);
            let found = twice(&d, &l);
            assert_eq!(found.len(), 1, "{input}: {found:?}");
            assert!(
                found[0]
                    .starts_with("`Backup` would run twice: the rule `Backup` already starts it"),
                "{found:?}"
            );
        }
        // Another batch on the same state machine, a longer class, a disabled rule, an
        // event-pattern rule, another target: no double run.
        let mut disabled = foreign("Backup", "cron(0 0 * * ? *)", r#"{"batch":"X"}"#);
        disabled.state = "DISABLED".to_string();
        let mut elsewhere = foreign("Other", "cron(0 0 * * ? *)", r#"{"batch":"X"}"#);
        elsewhere.targets[0].arn = "arn:other-sm".to_string();
        let mut pattern = foreign("Alert", "x", r#"{"batch":"X"}"#);
        pattern.schedule_expression = None;
        for r in [
            foreign(
                "Verify",
                "cron(0 0 * * ? *)",
                r#"{"batch_class":"Batches::Daily::BackupVerify"}"#,
            ),
            foreign("Report", "cron(0 0 * * ? *)", r#"{"batch":"Report"}"#),
            disabled,
            elsewhere,
            pattern,
        ] {
            let l = live(vec![r.clone()], 0);
            assert_eq!(twice(&d, &l), Vec::<String>::new(), "{r:?}");
        }
        // A disabled batch starts nothing.
        d.rules[0].rule.state = "DISABLED".to_string();
        let l = live(
            vec![foreign("Backup", "cron(0 0 * * ? *)", r#"{"batch":"X"}"#)],
            0,
        );
        assert!(twice(&d, &l).is_empty());
    }

    #[test]
    fn another_repositorys_rule_starting_the_batch_is_named_so_and_split_rules_count_once() {
        let a = with_class(rule("cb-Backup-1", "cron(0 0 * * ? *)"), "C");
        let b = with_class(rule("cb-Backup-2", "cron(0 1 * * ? *)"), "C");
        let mut d = desired(vec![a, b]);
        for r in &mut d.rules {
            r.origin = Origin::Schedule("Backup".to_string());
        }
        d.repository = Some("o/mine".to_string());
        let mut theirs = rule("team-Backup", "cron(0 0 * * ? *)");
        theirs
            .tags
            .insert(REPOSITORY_TAG.to_string(), "o/theirs".to_string());
        let found = twice(&d, &live(vec![theirs], 0));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("the rule `team-Backup` of the repository `o/theirs`"));
        // Our own old generation is the rename's business, not a double run.
        let mut ours = rule("cb-Old", "cron(0 0 * * ? *)");
        ours.tags
            .insert(REPOSITORY_TAG.to_string(), "o/mine".to_string());
        assert!(twice(&d, &live(vec![ours], 0)).is_empty());
    }

    #[test]
    fn a_word_is_matched_whole() {
        assert!(contains_word(
            "Batches::Daily::Backup.run",
            "Batches::Daily::Backup"
        ));
        assert!(contains_word(
            "runner Batches::Daily::Backup",
            "Batches::Daily::Backup"
        ));
        assert!(!contains_word(
            "Batches::Daily::BackupVerify",
            "Batches::Daily::Backup"
        ));
        assert!(!contains_word(
            "X::Batches::Daily::Backup",
            "Batches::Daily::Backup"
        ));
        assert!(!contains_word("", "Backup"));
    }

    #[test]
    fn drift_is_what_applying_the_base_would_change_and_only_on_its_bus() {
        let base = desired(vec![rule("cb-A", "cron(0 0 * * ? *)")]);
        let head = desired(vec![rule("cb-A", "cron(0 1 * * ? *)")]);
        // Someone disabled the rule in the console.
        let mut changed = rule("cb-A", "cron(0 0 * * ? *)");
        changed.state = "DISABLED".to_string();
        let l = live(vec![changed], 0);
        let lim = limits(300);
        let lp = live_plan(&head, Some((&base, &lim)), &l, &lim);
        let drift = lp.drift.unwrap();
        assert_eq!(drift.len(), 1);
        assert_eq!(drift[0].action, Action::Update);
        assert_eq!(drift[0].fields[0].field, "state");
        assert_eq!(lp.plan.count(Action::Update), 1);
        let other = Limits {
            bus: "elsewhere",
            ..limits(300)
        };
        assert!(
            live_plan(&head, Some((&base, &other)), &l, &lim)
                .drift
                .is_none()
        );
    }

    #[test]
    fn a_rule_on_another_bus_goes_only_when_something_replaces_it() {
        let mut alert = rule("cb-fail", "x");
        alert.schedule_expression = None;
        alert.tags.insert(ALERT_TAG.to_string(), "fail".to_string());
        let mut gone = alert.clone();
        gone.name = "cb-gone".to_string();
        gone.tags.insert(ALERT_TAG.to_string(), "gone".to_string());
        let d = desired(vec![alert.clone()]);
        let mut plan = p(&d, &live(vec![alert.clone()], 0));
        assert!(!plan.has_changes());
        let found = live(vec![alert, gone], 0).rules;
        elsewhere(
            &mut plan,
            &d,
            found.into_iter().map(|l| ("old".to_string(), l)).collect(),
        );
        let moves: Vec<_> = plan.moves().map(|m| m.change.name.as_str()).collect();
        assert_eq!(moves, vec!["cb-fail"]);
        assert!(plan.has_changes());
        // The alert no longer in the repository stays where it is, with a warning.
        assert_eq!(plan.elsewhere.len(), 2);
        assert_eq!(plan.warnings.len(), 1);
        assert!(
            plan.warnings[0]
                .message
                .contains("`cb-gone` on the event bus `old`")
        );
    }
}
