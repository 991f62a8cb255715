//! Amazon EventBridge sync: the desired rules from the repository, the live ones from AWS,
//! the plan between them, and its application. `deploy` runs the whole way; each stage is
//! its own module, and only `client` (and the functions here that call it) talk to AWS.
//!
//! ```text
//! Analysis ──desired::build──▶ Desired ─┐
//! EventBridge ──read_live─────▶ Live ───┴─plan::plan──▶ Plan ──apply::apply──▶ ApplyOutcome
//! ```

pub mod alert;
pub mod apply;
pub mod client;
pub mod command;
pub mod config;
pub mod desired;
pub mod ecs_run;
pub mod plan;
pub mod report;
pub mod run;
pub mod template;

use crate::check::Analysis;
use crate::finding::{self, Finding, Severity};
use client::{ApiError, CallStats, EventBridge};
use desired::{Desired, Lookup, Rule};
use futures_util::stream::{self, StreamExt};
use plan::{DeleteGuard, Live, LiveRule, Plan};
use serde::Serialize;

/// Why a sync did not get as far as a plan.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The user's input: `check` has errors, so the desired state cannot be trusted (a
    /// schedules file with a syntax error loads no batches, and applying would delete its
    /// rules).
    #[error("`check` found {} error(s); nothing is planned or applied until they are fixed (run `cronbridge check`)", .0.len())]
    CheckErrors(Vec<Finding>),
    /// The user's configuration: a setting or environment variable is missing or wrong, or
    /// a rule would break an EventBridge limit.
    #[error("the EventBridge rules cannot be built: {} problem(s)", .0.len())]
    Invalid(Vec<Finding>),
    /// The environment: the SDK found no region.
    #[error("no AWS region: set `aws.region` in the settings file, or AWS_REGION")]
    NoRegion,
    /// The environment or AWS: reading the live rules failed (credentials, permissions,
    /// network), after the SDK's retries.
    #[error("reading EventBridge: {0}")]
    Read(ApiError),
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
pub enum Outcome {
    /// `--dry-run` or `plan`: nothing was written.
    Planned,
    /// The plan was not applied: the reasons (a rule cronbridge does not own, the quota, the
    /// delete guard).
    Refused { reasons: Vec<String> },
    /// The plan was applied (possibly with failures, listed per rule).
    Applied(apply::ApplyOutcome),
}

/// Everything a deploy did: the plan, what became of it, and the API calls it took.
#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    pub plan: Plan,
    pub outcome: Outcome,
    pub calls: CallStats,
    /// Environment variables that supplied settings (names only).
    pub from_env: Vec<&'static str>,
    /// Findings of the desired state below error (the plan has its own warnings).
    #[serde(skip)]
    pub warnings: Vec<Finding>,
}

impl SyncError {
    /// The process exit code (see the README): configuration problems are 2, errors in the
    /// schedules 1, failing to reach AWS 3.
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::CheckErrors(findings) | SyncError::Invalid(findings) => {
                let config = findings
                    .iter()
                    .all(|f| f.rule.category() == finding::Category::Config);
                if config {
                    crate::cli::exit::USAGE
                } else {
                    crate::cli::exit::INPUT_ERRORS
                }
            }
            SyncError::NoRegion => crate::cli::exit::USAGE,
            SyncError::Read(_) => crate::cli::exit::FAILURE,
        }
    }
}

impl DeployReport {
    /// Whether anything failed: a refusal or a rule that could not be written.
    pub fn failed(&self) -> bool {
        match &self.outcome {
            Outcome::Planned => false,
            Outcome::Refused { .. } => true,
            Outcome::Applied(a) => a.failed().next().is_some(),
        }
    }
}

/// The desired rules of an analysis, refusing when `check` has errors or the rules cannot
/// be built. Pure.
pub fn desired_state(analysis: &Analysis, lookup: Lookup<'_>) -> Result<Desired, SyncError> {
    let mut errors: Vec<Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    // Rule-name collisions and limits are errors of the repository too.
    let desired = desired::build(analysis, lookup);
    if !errors.is_empty() {
        errors.extend(desired.findings.into_iter().filter(|f| {
            f.severity == Severity::Error && f.rule != finding::Rule::AwsMissingSetting
        }));
        return Err(SyncError::CheckErrors(errors));
    }
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
        Err(SyncError::Invalid(errors))
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

/// Why a plan may not be applied, if it may not.
pub fn refusals(plan: &Plan, allow_delete: bool) -> Vec<String> {
    let mut reasons = plan.errors.clone();
    if let (
        Some(DeleteGuard {
            deletes,
            managed,
            allowed,
        }),
        false,
    ) = (plan.delete_guard, allow_delete)
    {
        reasons.push(if deletes == managed {
            format!("the plan deletes all {managed} rules cronbridge manages; if that is really meant (and not a broken or emptied schedules directory), run again with --allow-delete")
        } else {
            format!("the plan deletes {deletes} of the {managed} rules cronbridge manages, more than the {allowed} that `aws.max_delete_share` allows; check the deletions and run again with --allow-delete")
        });
    }
    reasons
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
    let desired = desired_state(analysis, lookup)?;
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let settings = &analysis.inputs.settings;
    let live = read_live(client, &settings.rule_prefix, options.concurrency).await?;
    let aws = &settings.aws;
    let plan = plan::plan(
        &desired,
        &live,
        client.bus(),
        &settings.rule_prefix,
        aws.rules_quota,
        aws.max_delete_share,
    );
    let reasons = refusals(&plan, options.allow_delete);
    let outcome = if options.dry_run {
        Outcome::Planned
    } else if !reasons.is_empty() {
        Outcome::Refused { reasons }
    } else {
        Outcome::Applied(apply::apply(client, &plan, options.concurrency).await)
    };
    Ok(DeployReport {
        plan,
        outcome,
        calls: client.stats(),
        from_env: desired.from_env.clone(),
        warnings: desired
            .findings
            .into_iter()
            .filter(|f| f.severity != Severity::Error)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::exit::{INPUT_ERRORS, USAGE};
    use crate::finding::{Location, Rule as R};

    fn refused(rules: &[R]) -> u8 {
        let at = Location::file_start("cronbridge.yml");
        let findings = rules
            .iter()
            .map(|r| Finding::of(*r, at.clone(), "x"))
            .collect();
        SyncError::CheckErrors(findings).exit_code()
    }

    #[test]
    fn refusals_for_configuration_alone_exit_2() {
        let config = [
            R::SettingsUnknownKey,
            R::AwsMissingSetting,
            R::AwsInvalidEnv,
        ];
        assert_eq!(refused(&config), USAGE);
        // An `event_bus` schedules cannot run on exited 1 here, though `check` exits 2 for it.
        assert_eq!(refused(&[R::AwsScheduleBus]), USAGE);
        assert_eq!(
            refused(&[R::SettingsUnknownKey, R::ScheduleInvalidCron]),
            INPUT_ERRORS
        );
        assert_eq!(refused(&[R::AwsRuleNameCollision]), INPUT_ERRORS);
    }
}
