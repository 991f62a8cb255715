//! The EventBridge side of a deploy: reading the live rules, and applying a plan: the writes for each rule, in an order that never lets a rule fire with a
//! missing or stale target, several rules at a time. A failed rule stops its own steps and
//! is reported; the others go on, and a re-run converges because the plan is recomputed.

use super::eventbridge::{ApiError, EventBridge};
use crate::check::Analysis;
use crate::deploy::desired::{Lookup, Rule, TAG_PREFIX};
use crate::deploy::plan::{Action, Change, Limits, Live, LiveRule, Plan};
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

/// Reads the bus: every rule once (ListRules), the tags of those with the prefix, and the
/// targets of those cronbridge manages.
pub async fn read_live(
    client: &EventBridge,
    prefix: &str,
    concurrency: usize,
) -> Result<Live, SyncError> {
    let mut summaries = Vec::new();
    let mut count = 0;
    let mut token = None;
    loop {
        let (page, next) = client.list_rules(token).await.map_err(SyncError::Read)?;
        count += page.len();
        summaries.extend(page.into_iter().filter(|r| r.name.starts_with(prefix)));
        token = next;
        if token.is_none() {
            break;
        }
    }
    let limit = concurrency.max(1);
    let rules: Vec<Result<LiveRule, ApiError>> = stream::iter(summaries)
        .map(|s| async move {
            let tags = client.list_tags(&s.arn).await?;
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
            // Targets of rules cronbridge does not own are none of its business.
            if rule.is_managed() {
                rule.rule.targets = client.list_targets(&rule.rule.name).await?;
            }
            Ok(rule)
        })
        .buffer_unordered(limit)
        .collect()
        .await;
    let mut live = Live {
        rules: rules
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(SyncError::Read)?,
        bus_rule_count: count,
    };
    live.rules.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    Ok(live)
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
    let desired = deploy::desired_state(&analysis.findings, &analysis.model(), lookup)?;
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let settings = &analysis.inputs.settings;
    let live = read_live(client, &settings.rule_prefix, options.concurrency).await?;
    let limits = Limits::of(settings, client.bus());
    let plan = crate::deploy::plan::plan(&desired, &live, &limits);
    let reasons = deploy::refusals(&plan, options.allow_delete, &limits.at);
    let status = if options.dry_run {
        Status::Planned
    } else if !reasons.is_empty() {
        Status::Refused { reasons }
    } else {
        Status::Applied(apply(client, &plan, options.concurrency).await)
    };
    Ok(DeployReport {
        plan,
        status,
        calls: client.stats(),
        from_env: desired.from_env.clone(),
        warnings: desired
            .findings
            .into_iter()
            .filter(|f| f.severity != Severity::Error)
            .collect(),
    })
}

const DISABLED: &str = "DISABLED";

/// Runs every change of the plan, `concurrency` rules at a time. Creates and updates go
/// first and deletions last, so a renamed batch's new rule exists before its old one goes.
pub async fn apply(client: &EventBridge, plan: &Plan, concurrency: usize) -> ApplyOutcome {
    let limit = concurrency.max(1);
    let (deletes, others): (Vec<&Change>, Vec<&Change>) = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .partition(|c| c.action == Action::Delete);
    let mut rules: Vec<RuleOutcome> = stream::iter(others)
        .map(|c| one(client, c))
        .buffer_unordered(limit)
        .collect()
        .await;
    let deleted: Vec<RuleOutcome> = stream::iter(deletes)
        .map(|c| one(client, c))
        .buffer_unordered(limit)
        .collect()
        .await;
    rules.extend(deleted);
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    ApplyOutcome { rules }
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
