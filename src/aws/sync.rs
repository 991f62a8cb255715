//! The EventBridge side of a deploy: reading the live rules, and applying a plan: the writes for each rule, in an order that never lets a rule fire with a
//! missing or stale target, several rules at a time. A failed rule stops its own steps and
//! is reported; the others go on, and a re-run converges because the plan is recomputed.

use super::eventbridge::{ApiError, EventBridge, ReadOnly};
use crate::check::Analysis;
use crate::deploy::cutover;
use crate::deploy::desired::{Lookup, REPOSITORY_TAG, Rule, TAG_PREFIX};
use crate::deploy::plan::{Action, Change, Limits, Live, LivePlan, LiveRule, Plan};
use crate::deploy::{
    self, ApplyOutcome, Blocked, DeployOptions, DeployReport, RuleOutcome, Status,
};
use crate::finding::Severity;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;

/// Why a sync did not get as far as a plan.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The repository: `check` has errors or the rules cannot be built.
    #[error(transparent)]
    Blocked(#[from] Blocked),
    /// The environment: the SDK found no region.
    #[error("no AWS region: set `aws.region` in the settings file, or AWS_REGION")]
    NoRegion,
    /// The environment or AWS: reading the live rules failed (credentials, permissions,
    /// network), after the SDK's retries.
    #[error("reading EventBridge: {0}")]
    Read(ApiError),
}

impl SyncError {
    /// The verdict: the repository's findings, no region is configuration, AWS failing is a
    /// failure.
    pub fn outcome(&self) -> crate::outcome::Outcome {
        use crate::outcome::Outcome;
        match self {
            SyncError::Blocked(b) => b.outcome(),
            SyncError::NoRegion => Outcome::Config,
            SyncError::Read(_) => Outcome::Failure,
        }
    }
}

/// Reads the bus without a repository: every rule once (ListRules), the tags of those with
/// the prefix and of the enabled schedule rules, the targets of the managed ones and of those
/// enabled schedule rules (see [`read_live_for`]).
pub async fn read_live(
    client: &ReadOnly,
    prefix: &str,
    concurrency: usize,
) -> Result<Live, SyncError> {
    read_live_for(client, prefix, None, concurrency).await
}

/// Reads the bus for `repository`: with one, the tags of every rule on the bus, so that its
/// rules are found by their tags under any name (an old prefix, a renamed batch); without one,
/// only of the rules with the prefix. Kept: the rules with the prefix, every rule tagged for
/// the repository, and every enabled schedule rule (whoever owns it: the plan needs to know
/// when one already starts a batch it is about to schedule); targets are read for the managed
/// ones and those enabled schedule rules.
pub async fn read_live_for(
    client: &ReadOnly,
    prefix: &str,
    repository: Option<&str>,
    concurrency: usize,
) -> Result<Live, SyncError> {
    read_live_adopting(client, prefix, repository, &[], concurrency).await
}

/// [`read_live_for`], and the rules the batches name with `rule:` (adopted in place) under
/// any name and whoever tagged them, with their targets, so the plan can compare them.
pub async fn read_live_adopting(
    client: &ReadOnly,
    prefix: &str,
    repository: Option<&str>,
    adopted: &[String],
    concurrency: usize,
) -> Result<Live, SyncError> {
    let adopts = |name: &str| adopted.iter().any(|a| a == name);
    let mut summaries = Vec::new();
    let mut count = 0;
    let mut token = None;
    loop {
        let (page, next) = client.list_rules(token).await.map_err(SyncError::Read)?;
        count += page.len();
        summaries.extend(page.into_iter().filter(|r| {
            repository.is_some()
                || r.name.starts_with(prefix)
                || runs_on_schedule(r)
                || adopts(&r.name)
        }));
        token = next;
        if token.is_none() {
            break;
        }
    }
    let limit = concurrency.max(1);
    let rules: Vec<Result<Option<LiveRule>, ApiError>> = stream::iter(summaries)
        .map(|s| async move {
            // A rule deleted between ListRules and here (another apply on the shared bus) is
            // simply not there.
            let tags = match client.list_tags(&s.arn).await {
                Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => {
                    return Ok(None);
                }
                other => other?,
            };
            let ours =
                repository.is_some() && tags.get(REPOSITORY_TAG).map(String::as_str) == repository;
            let scheduled = runs_on_schedule(&s);
            if !ours && !s.name.starts_with(prefix) && !scheduled && !adopts(&s.name) {
                return Ok(None);
            }
            let mut rule = LiveRule {
                arn: s.arn,
                rule: Rule {
                    name: s.name,
                    schedule_expression: s.schedule_expression,
                    event_pattern: s.event_pattern,
                    state: s.state,
                    description: s.description,
                    tags,
                    targets: Vec::new(),
                },
            };
            // Targets of other rules are none of cronbridge's business, except what an enabled
            // schedule rule starts (it may be a batch cronbridge is about to schedule too) and
            // the rules a batch takes over.
            if rule.is_managed() || scheduled || adopts(&rule.rule.name) {
                rule.rule.targets = match client.list_targets(&rule.rule.name).await {
                    Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => {
                        return Ok(None);
                    }
                    other => other?,
                };
            }
            Ok(Some(rule))
        })
        .buffer_unordered(limit)
        .collect()
        .await;
    let mut live = Live {
        rules: rules
            .into_iter()
            .filter_map(Result::transpose)
            .collect::<Result<_, _>>()
            .map_err(SyncError::Read)?,
        bus_rule_count: count,
    };
    live.rules.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    Ok(live)
}

/// The pull request's live plan: the head planned against EventBridge as it is, and the base
/// (the last applied state, when the default branch deploys on every merge) to show drift.
/// Only reads, through a [`ReadOnly`] client: read-only credentials are enough, and nothing
/// here can write.
pub async fn live_plan(
    client: &ReadOnly,
    head: &Analysis,
    base: &Analysis,
    lookup: Lookup<'_>,
    concurrency: usize,
) -> Result<LivePlan, SyncError> {
    let (desired, live, elsewhere) = desired_and_live(client, head, lookup, concurrency).await?;
    let limits = Limits::of(&head.inputs.settings, client.bus());
    let base_settings = &base.inputs.settings;
    let base_desired = deploy::desired_state(&base.findings, &base.model(), lookup).ok();
    let base_limits = Limits::of(base_settings, &base_settings.aws.event_bus);
    let mut live_plan = crate::deploy::plan::live_plan(
        &desired,
        base_desired.as_ref().map(|d| (d, &base_limits)),
        &live,
        &limits,
    );
    crate::deploy::plan::elsewhere(&mut live_plan.plan, &desired, elsewhere);
    Ok(live_plan)
}

/// An enabled rule with a schedule: one that starts something by itself.
fn runs_on_schedule(rule: &super::eventbridge::LiveSummary) -> bool {
    rule.schedule_expression.is_some() && rule.state == "ENABLED"
}

/// Plans and (unless `dry_run`) applies: the one call the CLI and the GitHub `push` handler
/// make. Errors before a plan exists are `Err`; a refused or partly failed apply is an `Ok`
/// report whose [`DeployReport::failed`] is true.
pub async fn deploy(
    client: &EventBridge,
    analysis: &Analysis,
    lookup: Lookup<'_>,
    options: &DeployOptions,
) -> Result<DeployReport, SyncError> {
    deploy_with(client, analysis, lookup, options, &Cutover::default()).await
}

/// [`deploy`] with the cutover's bounds given (tests shorten the wait).
pub async fn deploy_with(
    client: &EventBridge,
    analysis: &Analysis,
    lookup: Lookup<'_>,
    options: &DeployOptions,
    cutover: &Cutover,
) -> Result<DeployReport, SyncError> {
    let (plan, desired) = planned(client, analysis, lookup, options).await?;
    let at = &Limits::of(&analysis.inputs.settings, client.bus()).at;
    let reasons = deploy::refusals(&plan, options.allow_delete, at);
    let status = if options.dry_run {
        Status::Planned
    } else if !reasons.is_empty() {
        Status::Refused { reasons }
    } else {
        let mut outcome = apply_with(client, &plan, options.concurrency, cutover).await;
        apply_moves(client, &plan, &mut outcome).await;
        Status::Applied(outcome)
    };
    Ok(report(plan, status, client, desired))
}

/// Plans only, through a client that cannot write: `cronbridge plan` and the nightly drift
/// check need no more than read-only credentials.
pub async fn plan(
    client: &ReadOnly,
    analysis: &Analysis,
    lookup: Lookup<'_>,
    options: &DeployOptions,
) -> Result<DeployReport, SyncError> {
    let (plan, desired) = planned(client, analysis, lookup, options).await?;
    Ok(report(plan, Status::Planned, client, desired))
}

/// The desired state and its plan against the live rules.
async fn planned(
    client: &ReadOnly,
    analysis: &Analysis,
    lookup: Lookup<'_>,
    options: &DeployOptions,
) -> Result<(Plan, crate::deploy::desired::Desired), SyncError> {
    let (desired, live, elsewhere) =
        desired_and_live(client, analysis, lookup, options.concurrency).await?;
    let limits = Limits::of(&analysis.inputs.settings, client.bus());
    let mut plan = crate::deploy::plan::plan(&desired, &live, &limits);
    crate::deploy::plan::elsewhere(&mut plan, &desired, elsewhere);
    Ok((plan, desired))
}

/// The other half of a changed `event_bus`: once the apply has put a rule on the new bus, its
/// old generation on the other bus goes (make-before-break, as for alerts on one bus). An old
/// rule whose replacement failed stays.
async fn apply_moves(client: &EventBridge, plan: &Plan, outcome: &mut ApplyOutcome) {
    for moved in plan.moves() {
        let replacement_failed = outcome
            .rules
            .iter()
            .any(|r| Some(&r.name) == moved.replaced_by.as_ref() && r.error.is_some());
        if replacement_failed {
            continue;
        }
        let mut done = one(&client.on_bus(&moved.bus), &moved.change).await;
        done.name = format!("{} (event bus {})", done.name, moved.bus);
        outcome.rules.push(done);
    }
}

/// This repository's managed rules on the account's other event buses, found among the rules
/// with the prefix there: the old generation of a changed `event_bus`.
async fn on_other_buses(
    client: &ReadOnly,
    prefix: &str,
    repository: &str,
    concurrency: usize,
) -> Result<Vec<(String, LiveRule)>, SyncError> {
    let buses = client.list_event_buses().await.map_err(SyncError::Read)?;
    let mut found = Vec::new();
    for bus in buses.into_iter().filter(|b| b != client.bus()) {
        let live = read_live_for(&client.on_bus(&bus), prefix, None, concurrency).await?;
        found.extend(
            live.rules
                .into_iter()
                .filter(|l| {
                    l.is_managed()
                        && l.rule.name.starts_with(prefix)
                        && l.rule.tags.get(REPOSITORY_TAG).map(String::as_str) == Some(repository)
                })
                .map(|l| (bus.clone(), l)),
        );
    }
    Ok(found)
}

/// What the repository asks for (refusing before any call when it cannot be built), and
/// the live rules it is planned against.
async fn desired_and_live(
    client: &ReadOnly,
    analysis: &Analysis,
    lookup: Lookup<'_>,
    concurrency: usize,
) -> Result<
    (
        crate::deploy::desired::Desired,
        Live,
        Vec<(String, LiveRule)>,
    ),
    SyncError,
> {
    let desired = deploy::desired_state(&analysis.findings, &analysis.model(), lookup)?;
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let adopted: Vec<String> = desired
        .rules
        .iter()
        .filter(|r| r.adopted)
        .map(|r| r.rule.name.clone())
        .collect();
    let live = read_live_adopting(
        client,
        &analysis.inputs.settings.rule_prefix,
        desired.repository.as_deref(),
        &adopted,
        concurrency,
    )
    .await?;
    // Only a repository's rules can be told apart on a bus the settings do not name.
    let elsewhere = match desired.repository.as_deref() {
        Some(repository) => {
            on_other_buses(
                client,
                &analysis.inputs.settings.rule_prefix,
                repository,
                concurrency,
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok((desired, live, elsewhere))
}

fn report(
    plan: Plan,
    status: Status,
    client: &ReadOnly,
    desired: crate::deploy::desired::Desired,
) -> DeployReport {
    DeployReport {
        plan,
        status,
        calls: client.stats(),
        from_env: desired.from_env.clone(),
        warnings: desired
            .findings
            .into_iter()
            .filter(|f| f.severity != Severity::Error)
            .collect(),
    }
}

const DISABLED: &str = "DISABLED";

/// The bounds of a rename's cutover (see [`crate::deploy::cutover`]).
#[derive(Debug, Clone, Copy)]
pub struct Cutover {
    /// Seconds the disable → enable calls are given.
    pub busy_seconds: i64,
    /// The longest wait for a moment when neither generation is due.
    pub max_wait_seconds: i64,
}

impl Default for Cutover {
    fn default() -> Cutover {
        Cutover {
            busy_seconds: cutover::BUSY_SECONDS,
            max_wait_seconds: cutover::MAX_WAIT_SECONDS,
        }
    }
}

/// Runs every change of the plan, `concurrency` rules at a time. Creates and updates go
/// first and deletions last; a rename (a create with `renamed_from`) is one cutover of both
/// rules, so the two generations are never enabled at once.
pub async fn apply(client: &EventBridge, plan: &Plan, concurrency: usize) -> ApplyOutcome {
    apply_with(client, plan, concurrency, &Cutover::default()).await
}

/// [`apply`] with the cutover's bounds given.
pub async fn apply_with(
    client: &EventBridge,
    plan: &Plan,
    concurrency: usize,
    cutover: &Cutover,
) -> ApplyOutcome {
    let limit = concurrency.max(1);
    let (renamed, plain): (Vec<&Change>, Vec<&Change>) = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .partition(|c| c.renamed_from.is_some() || c.renamed_to.is_some());
    let (deletes, others): (Vec<&Change>, Vec<&Change>) =
        plain.into_iter().partition(|c| c.action == Action::Delete);
    let mut rules: Vec<RuleOutcome> = stream::iter(others)
        .map(|c| one(client, c))
        .buffer_unordered(limit)
        .collect()
        .await;
    let pairs: Vec<(&Change, &Change)> = renamed
        .iter()
        .filter_map(|new| {
            let from = new.renamed_from.as_deref()?;
            let old = renamed.iter().find(|c| c.name == from)?;
            Some((*new, *old))
        })
        .collect();
    let moved: Vec<(RuleOutcome, RuleOutcome)> = stream::iter(pairs)
        .map(|(new, old)| rename(client, new, old, cutover))
        .buffer_unordered(limit)
        .collect()
        .await;
    rules.extend(moved.into_iter().flat_map(|(a, b)| [a, b]));
    let deleted: Vec<RuleOutcome> = stream::iter(deletes)
        .map(|c| one(client, c))
        .buffer_unordered(limit)
        .collect()
        .await;
    rules.extend(deleted);
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    ApplyOutcome { rules }
}

/// Moves one rule to its new name. Schedules, break before make at a moment when neither
/// generation is due: create the new rule disabled with its target → wait while a run is due
/// → disable the old → enable the new → remove the old's targets → delete it; the gap between
/// disabling and enabling is two calls, and no run falls in it. If enabling the new rule fails
/// the old one is enabled again. Alerts, make before break: the new rule is enabled before the
/// old goes, so an event in that second may be notified twice but never lost.
async fn rename(
    client: &EventBridge,
    new: &Change,
    old: &Change,
    cutover: &Cutover,
) -> (RuleOutcome, RuleOutcome) {
    let mut new_steps = Vec::new();
    let mut old_steps = Vec::new();
    let (mut new_error, mut old_error) = (None, None);
    let result: Result<(), (bool, ApiError)> = async {
        let rule = new.desired.as_ref().ok_or_else(|| (true, missing(new)))?;
        let live = old.live.as_ref().ok_or_else(|| (false, missing(old)))?;
        new_steps.push("PutRule");
        client
            .put_rule(rule, DISABLED)
            .await
            .map_err(|e| (true, e))?;
        new_steps.push("PutTargets");
        client
            .put_targets(&rule.name, &rule.targets)
            .await
            .map_err(|e| (true, e))?;
        let old_on = live.rule.state != DISABLED;
        if rule.schedule_expression.is_some() && old_on {
            let expressions: Vec<&str> =
                [&live.rule.schedule_expression, &rule.schedule_expression]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
            match cutover::wait(
                &expressions,
                jiff::Timestamp::now(),
                cutover.busy_seconds,
                cutover.max_wait_seconds,
            ) {
                cutover::Wait::Now => {}
                cutover::Wait::Seconds(s) => {
                    new_steps.push("Wait");
                    tokio::time::sleep(std::time::Duration::from_secs(s.unsigned_abs())).await;
                }
                cutover::Wait::NoGap => new_steps.push("NoGap"),
            }
            old_steps.push("PutRule");
            client
                .put_rule(&live.rule, DISABLED)
                .await
                .map_err(|e| (false, e))?;
            if rule.state != DISABLED {
                new_steps.push("PutRule");
                if let Err(e) = client.put_rule(rule, &rule.state).await {
                    // Never leave the batch without an enabled rule.
                    old_steps.push("PutRule");
                    let _ = client.put_rule(&live.rule, &live.rule.state).await;
                    return Err((true, e));
                }
            }
        } else if rule.state != DISABLED {
            new_steps.push("PutRule");
            client
                .put_rule(rule, &rule.state)
                .await
                .map_err(|e| (true, e))?;
        }
        let ids: Vec<String> = live.rule.targets.iter().map(|t| t.id.clone()).collect();
        if !ids.is_empty() {
            old_steps.push("RemoveTargets");
            client
                .remove_targets(&live.rule.name, &ids)
                .await
                .map_err(|e| (false, e))?;
        }
        old_steps.push("DeleteRule");
        client
            .delete_rule(&live.rule.name)
            .await
            .map_err(|e| (false, e))
    }
    .await;
    if let Err((on_new, e)) = result {
        if on_new {
            new_error = Some(e.to_string());
        } else {
            old_error = Some(e.to_string());
        }
    }
    (
        RuleOutcome {
            name: new.name.clone(),
            action: new.action,
            steps: new_steps,
            error: new_error,
        },
        RuleOutcome {
            name: old.name.clone(),
            action: old.action,
            steps: old_steps,
            error: old_error,
        },
    )
}

async fn one(client: &EventBridge, change: &Change) -> RuleOutcome {
    let mut steps = Vec::new();
    let result = match change.action {
        Action::Create => create(client, change, &mut steps).await,
        Action::Update => update(client, change, &mut steps).await,
        Action::Delete => delete(client, change, &mut steps).await,
        Action::Unchanged => Ok(()),
    };
    RuleOutcome {
        name: change.name.clone(),
        action: change.action,
        steps,
        error: result.err().map(|e| e.to_string()),
    }
}

fn missing(change: &Change) -> ApiError {
    ApiError {
        operation: "apply",
        subject: change.name.clone(),
        code: None,
        message: "internal error: the plan has no rule definition for this change".to_string(),
    }
}

/// A new rule is created disabled, gets its target, and only then takes its desired state.
async fn create(
    client: &EventBridge,
    change: &Change,
    steps: &mut Vec<&'static str>,
) -> Result<(), ApiError> {
    let rule = change.desired.as_ref().ok_or_else(|| missing(change))?;
    steps.push("PutRule");
    client.put_rule(rule, DISABLED).await?;
    steps.push("PutTargets");
    client.put_targets(&rule.name, &rule.targets).await?;
    if rule.state != DISABLED {
        steps.push("PutRule");
        client.put_rule(rule, &rule.state).await?;
    }
    Ok(())
}

async fn update(
    client: &EventBridge,
    change: &Change,
    steps: &mut Vec<&'static str>,
) -> Result<(), ApiError> {
    let rule = change.desired.as_ref().ok_or_else(|| missing(change))?;
    let live = change.live.as_ref().ok_or_else(|| missing(change))?;
    let extra: Vec<String> = live
        .rule
        .targets
        .iter()
        .filter(|h| rule.targets.iter().all(|w| w.id != h.id))
        .map(|h| h.id.clone())
        .collect();
    match (change.rule_changed, change.targets_changed) {
        // Schedule and target change together: disable first, so the new schedule never
        // fires the old target nor the old schedule the new one.
        (true, true) => {
            steps.push("PutRule");
            client.put_rule(rule, DISABLED).await?;
            put_targets(client, rule, &extra, steps).await?;
            if rule.state != DISABLED {
                steps.push("PutRule");
                client.put_rule(rule, &rule.state).await?;
            }
        }
        // PutTargets replaces a target with the same id in place: the rule fires the old or
        // the new one, never none.
        (false, true) => put_targets(client, rule, &extra, steps).await?,
        (true, false) => {
            steps.push("PutRule");
            client.put_rule(rule, &rule.state).await?;
        }
        (false, false) => {}
    }
    if change.tags_changed {
        let ours = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            m.iter()
                .filter(|(k, _)| k.starts_with(TAG_PREFIX))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let (want, have) = (ours(&rule.tags), ours(&live.rule.tags));
        let set: BTreeMap<String, String> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let unset: Vec<String> = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .cloned()
            .collect();
        if !set.is_empty() {
            steps.push("TagResource");
            client.tag_resource(&live.arn, &set).await?;
        }
        if !unset.is_empty() {
            steps.push("UntagResource");
            client.untag_resource(&live.arn, &unset).await?;
        }
    }
    Ok(())
}

async fn put_targets(
    client: &EventBridge,
    rule: &Rule,
    extra: &[String],
    steps: &mut Vec<&'static str>,
) -> Result<(), ApiError> {
    steps.push("PutTargets");
    client.put_targets(&rule.name, &rule.targets).await?;
    if !extra.is_empty() {
        steps.push("RemoveTargets");
        client.remove_targets(&rule.name, extra).await?;
    }
    Ok(())
}

/// Targets go first, so a rule interrupted half-way is a rule without targets, which fires
/// nothing and is deleted by the next run.
async fn delete(
    client: &EventBridge,
    change: &Change,
    steps: &mut Vec<&'static str>,
) -> Result<(), ApiError> {
    let live = change.live.as_ref().ok_or_else(|| missing(change))?;
    let ids: Vec<String> = live.rule.targets.iter().map(|t| t.id.clone()).collect();
    if !ids.is_empty() {
        steps.push("RemoveTargets");
        client.remove_targets(&live.rule.name, &ids).await?;
    }
    steps.push("DeleteRule");
    client.delete_rule(&live.rule.name).await
}
