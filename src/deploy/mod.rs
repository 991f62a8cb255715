//! The deploy model, pure: from the analysed repository to the rules cronbridge wants in
//! EventBridge (`desired`), the plan against what is live (`plan`), the guards that refuse a
//! plan, and the data a deploy reports. `aws` reads the live state and applies plans.
//!
//! ```text
//! Analysis ──desired::build──▶ Desired ─┐
//! aws::sync::read_live ──────▶ Live ────┴─plan::plan──▶ Plan ──aws::sync::apply──▶ ApplyOutcome
//! ```

pub mod cutover;
pub mod desired;
pub mod diff;
pub mod plan;
pub mod schedules;

use crate::finding::{Finding, Location, Rule, Severity};
use crate::outcome::Outcome;
use desired::{Desired, Lookup, Model};
use plan::{Action, DeleteGuard, Plan};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why the desired state cannot be deployed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Blocked {
    /// The user's input: `check` has errors, so the desired state cannot be trusted (a
    /// schedules file with a syntax error loads no batches, and applying would delete its
    /// rules).
    #[error("`check` found {} error(s); nothing is planned or applied until they are fixed (run `cronbridge check`)", .0.len())]
    CheckErrors(Vec<Finding>),
    /// The user's configuration: a setting or environment variable is missing or wrong, or
    /// a rule would break an EventBridge limit.
    #[error("the EventBridge rules cannot be built: {} problem(s)", .0.len())]
    Invalid(Vec<Finding>),
}

impl Blocked {
    /// The verdict: the findings' (configuration problems are the settings' to fix).
    pub fn outcome(&self) -> Outcome {
        Outcome::of_findings(self.findings())
    }

    /// The findings that block the deploy.
    pub fn findings(&self) -> &[Finding] {
        match self {
            Blocked::CheckErrors(f) | Blocked::Invalid(f) => f,
        }
    }
}

/// How a deploy runs.
#[derive(Debug, Clone, Copy)]
pub struct DeployOptions {
    /// Plan only; write nothing.
    pub dry_run: bool,
    /// Allow a plan that deletes more than `max_delete_share` of the managed rules.
    pub allow_delete: bool,
    /// Rules read or written at once.
    pub concurrency: usize,
}

impl Default for DeployOptions {
    fn default() -> DeployOptions {
        DeployOptions {
            dry_run: false,
            allow_delete: false,
            concurrency: 8,
        }
    }
}

/// How a deploy ended once it had a plan.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// `--dry-run` or `plan`: nothing was written.
    Planned,
    /// The plan was not applied: the reasons (a rule cronbridge does not own, the quota, the
    /// delete guard).
    Refused {
        #[serde(serialize_with = "messages")]
        reasons: Vec<Finding>,
    },
    /// The plan was applied (possibly with failures, listed per rule).
    Applied(ApplyOutcome),
}

/// Everything a deploy did: the plan, what became of it, and the API calls it took.
#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    pub plan: Plan,
    pub status: Status,
    pub calls: CallStats,
    /// Environment variables that supplied settings (names only).
    pub from_env: Vec<&'static str>,
    /// Findings of the desired state below error (the plan has its own warnings).
    #[serde(skip)]
    pub warnings: Vec<Finding>,
}

/// Calls and attempts (retries included) per operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallCount {
    pub calls: u64,
    pub attempts: u64,
}

/// API use by operation name (`PutRule`, `ListRules`…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallStats(pub BTreeMap<String, CallCount>);

/// The operations that change EventBridge.
pub const WRITE_OPERATIONS: &[&str] = &[
    "PutRule",
    "PutTargets",
    "RemoveTargets",
    "DeleteRule",
    "TagResource",
    "UntagResource",
];

impl CallStats {
    pub fn calls(&self, op: &str) -> u64 {
        self.0.get(op).map_or(0, |c| c.calls)
    }

    pub fn writes(&self) -> u64 {
        WRITE_OPERATIONS.iter().map(|op| self.calls(op)).sum()
    }

    /// Attempts beyond the first of each call: the SDK's retries.
    pub fn retries(&self) -> u64 {
        self.0
            .values()
            .map(|c| c.attempts.saturating_sub(c.calls))
            .sum()
    }

    pub fn total(&self) -> u64 {
        self.0.values().map(|c| c.calls).sum()
    }
}

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

impl DeployReport {
    /// The verdict: a plan with errors or a refused one is the input's problem, a write
    /// that failed is a failure, changes to make are [`Outcome::Changes`].
    pub fn outcome(&self) -> Outcome {
        match &self.status {
            Status::Planned if !self.plan.errors.is_empty() => Outcome::Findings,
            Status::Planned if self.plan.has_changes() => Outcome::Changes,
            Status::Planned => Outcome::Success,
            Status::Refused { .. } => Outcome::Findings,
            Status::Applied(a) if a.failed().next().is_some() => Outcome::Failure,
            Status::Applied(_) => Outcome::Success,
        }
    }

    /// Whether anything failed: a refusal or a rule that could not be written.
    pub fn failed(&self) -> bool {
        match &self.status {
            Status::Planned => false,
            Status::Refused { .. } => true,
            Status::Applied(a) => a.failed().next().is_some(),
        }
    }
}

/// The desired rules of an analysed repository, refusing when `check` has errors (its
/// `findings`) or the rules cannot be built.
pub fn desired_state(
    findings: &[Finding],
    model: &Model<'_>,
    lookup: Lookup<'_>,
) -> Result<Desired, Blocked> {
    let mut errors: Vec<Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    // `check` reports rule-name collisions and limits already (everything the desired state
    // finds without the environment), so they are among these.
    if !errors.is_empty() {
        return Err(Blocked::CheckErrors(errors));
    }
    let desired = desired::build(model, lookup);
    errors.extend(
        desired
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned(),
    );
    if errors.is_empty() {
        Ok(desired)
    } else {
        Err(Blocked::Invalid(errors))
    }
}

/// Why a plan may not be applied, if it may not: its errors, and the delete guard unless
/// `allow_delete`, located at `at` (the settings' `aws:` section).
pub fn refusals(plan: &Plan, allow_delete: bool, at: &Location) -> Vec<Finding> {
    let mut reasons = plan.errors.clone();
    if let (
        Some(DeleteGuard {
            deletes,
            managed,
            allowed,
            last_alert,
        }),
        false,
    ) = (plan.delete_guard, allow_delete)
    {
        let (message, help) = if deletes == managed {
            (
                format!("the plan deletes all {managed} rules cronbridge manages"),
                "if that is really meant (and not a broken or emptied schedules directory), run again with --allow-delete".to_string(),
            )
        } else if last_alert && deletes <= allowed {
            (
                "the plan deletes every alert rule cronbridge manages: a failed batch would go unheard".to_string(),
                "if that is really meant (and not an emptied alerts file), run again with --allow-delete".to_string(),
            )
        } else {
            (
                format!(
                    "the plan deletes {deletes} of the {managed} rules cronbridge manages, more than the {allowed} that `aws.max_delete_share` allows"
                ),
                "check the deletions and run again with --allow-delete".to_string(),
            )
        };
        reasons.push(Finding::of(Rule::AwsDeleteGuard, at.clone(), message).help(help));
    }
    reasons
}

/// Findings as their messages: the JSON shape of `errors`, `warnings` and `reasons`
/// (version 1 had strings there; the full findings are in the report's `findings`).
pub(crate) fn messages<S: serde::Serializer>(
    findings: &[Finding],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(findings.iter().map(|f| match &f.help {
        Some(help) => format!("{}; {help}", f.message),
        None => f.message.clone(),
    }))
}
