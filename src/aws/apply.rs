//! Applying a plan: the writes for each rule, in an order that never lets a rule fire with a
//! missing or stale target, several rules at a time. A failed rule stops its own steps and
//! is reported; the others go on, and a re-run converges because the plan is recomputed.

use super::client::{ApiError, EventBridge};
use super::desired::{Rule, TAG_PREFIX};
use super::plan::{Action, Change, Plan};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::BTreeMap;

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    pub name: String,
    pub action: Action,
    /// The API calls made for it, in order.
    pub steps: Vec<&'static str>,
    /// The failure that stopped it, if any.
    pub error: Option<String>,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyOutcome {
    pub rules: Vec<RuleOutcome>,
}

impl ApplyOutcome {
    pub fn failed(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.rules.iter().filter(|r| r.error.is_some())
    }

    pub fn succeeded(&self) -> usize {
        self.rules.iter().filter(|r| r.error.is_none()).count()
    }
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
