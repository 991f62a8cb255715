//! `push` to the default branch: apply the schedules to EventBridge, put the plan and its
//! result in the job summary, and report them on the pull request the push merged.
//!
//! Pushes to other branches and branch deletions deploy nothing. The delete guard holds here
//! too: a push that would delete many rules needs `cronbridge github --allow-delete`.

use super::client::GitHub;
use super::env::{self, ActionsEnv};
use super::pull_request::upsert_comment;
use super::{GithubError, Options, notice};
use crate::aws::eventbridge::{ClientOptions, Connection, EventBridge};
use crate::aws::sync::{self, SyncError};
use crate::check;
use crate::deploy::{DeployOptions, DeployReport, Status};
use crate::outcome::Outcome;
use crate::report::escape::mask_secrets;
use crate::report::github::{Level, message};
use crate::source::{self, Source};
use serde::Deserialize;
use std::io::Write;

pub use crate::report::plan::DEPLOY_MARKER as MARKER;

/// The fields of a `push` payload this flow reads.
#[derive(Debug, Deserialize)]
pub struct PushEvent {
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The pushed commit.
    pub after: String,
    #[serde(default)]
    pub deleted: bool,
    pub repository: PushRepository,
}

#[derive(Debug, Deserialize)]
pub struct PushRepository {
    pub default_branch: String,
}

impl PushEvent {
    /// Whether this push updates the default branch (and does not delete it).
    pub fn deploys(&self) -> bool {
        !self.deleted && self.git_ref == format!("refs/heads/{}", self.repository.default_branch)
    }
}

pub async fn run(
    env: &ActionsEnv,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    let event: PushEvent = super::event::read(&env.event_path, "push")?;
    if !event.deploys() {
        notice(
            stdout,
            &format!(
                "`{}` is not the default branch `{}`; nothing is deployed",
                event.git_ref, event.repository.default_branch
            ),
        )?;
        return Ok(Outcome::Success);
    }
    let inputs = source::read_inputs(
        &Source::WorkTree(options.root.clone()),
        options.config.as_deref(),
    )
    .map_err(GithubError::Repo)?;
    let analysis = check::analyse(
        inputs,
        &check::Options {
            now: options.now,
            horizon_days: options.horizon_days,
        },
    );
    write!(
        stdout,
        "{}",
        crate::report::github::annotations(&analysis.findings)
    )
    .map_err(GithubError::Stdout)?;
    let lookup = |name: &str| std::env::var(name).ok();
    let settings = &analysis.inputs.settings.aws;
    if settings.backend == crate::settings::aws::Backend::Scheduler {
        return deploy_schedules(env, &event, &analysis, &lookup, options, stdout).await;
    }
    // Refuse before connecting: a broken repository never gets as far as AWS.
    let deployed =
        match crate::deploy::desired_state(&analysis.findings, &analysis.model(), &lookup) {
            Err(err) => Err(SyncError::from(err)),
            Ok(desired) => {
                let connection = Connection {
                    region: settings.region.clone(),
                    ..Connection::default()
                };
                let client = EventBridge::connect(
                    &connection,
                    &settings.event_bus,
                    &ClientOptions::default(),
                )
                .await;
                let deploy_options = DeployOptions {
                    dry_run: false,
                    allow_delete: options.allow_delete,
                    ..DeployOptions::default()
                };
                // Schedules left from `backend: scheduler` would run their batches twice.
                let moved = crate::aws::scheduler_sync::move_to_rules(
                    &client,
                    &connection,
                    &settings.schedule_group,
                    &desired,
                    &analysis.inputs.settings.rule_prefix,
                    false,
                    deploy_options.concurrency,
                )
                .await;
                match moved {
                    Err(e) => Err(e),
                    Ok(moved) => {
                        if let Some(m) = &moved {
                            let text = crate::report::schedule_plan::to_rules_human(m, false);
                            write!(stdout, "{text}").map_err(GithubError::Stdout)?;
                        }
                        sync::deploy(&client, &analysis, &lookup, &deploy_options).await
                    }
                }
            }
        };
    let report = match deployed {
        Ok(report) => report,
        Err(err) => return refuse(env, &err, stdout),
    };
    write!(stdout, "{}", crate::report::plan::deploy_human(&report))
        .map_err(GithubError::Stdout)?;
    if let Some(path) = &env.step_summary {
        env::append(path, &crate::report::plan::deploy_markdown(&report))?;
    }
    if let Some(path) = &env.output {
        let outputs = [
            ("changed", report.plan.has_changes().to_string()),
            ("failed", report.failed().to_string()),
        ];
        env::append(path, &env::format_outputs(&outputs, env::delimiter_seed()))?;
    }
    let body = crate::report::plan::deploy_comment(&report, &event.after);
    report_on_pull_request(env, &event, &body, stdout).await?;
    Ok(match &report.status {
        Status::Refused { .. } => Outcome::Findings,
        Status::Applied(_) if report.failed() => Outcome::Failure,
        _ => Outcome::Success,
    })
}

/// Nothing was planned: say why on stdout and in the summary.
/// `backend: scheduler` on push: the schedules (and the move from rules) and the alert
/// rules, as `cronbridge apply` does; the plan and result go to the log and the job summary,
/// the outputs are set, and the merged pull request gets the deploy comment.
async fn deploy_schedules(
    env: &ActionsEnv,
    event: &PushEvent,
    analysis: &check::Analysis,
    lookup: crate::deploy::desired::Lookup<'_>,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    let aws = &analysis.inputs.settings.aws;
    let connection = Connection {
        region: aws.region.clone(),
        ..Connection::default()
    };
    let deploy_options = DeployOptions {
        dry_run: false,
        allow_delete: options.allow_delete,
        ..DeployOptions::default()
    };
    let (report, alerts) = match crate::aws::scheduler_sync::deploy_all(
        &connection,
        analysis,
        lookup,
        &deploy_options,
        options.now,
    )
    .await
    {
        Ok(r) => r,
        Err(err) => return refuse(env, &err, stdout),
    };
    let alerts_text = alerts.as_ref().map(crate::report::plan::deploy_human);
    let mut text = crate::report::schedule_plan::deploy_human(&report);
    if let Some(a) = &alerts_text {
        text.push_str("\nAlert rules:\n");
        text.push_str(a);
    }
    write!(stdout, "{text}").map_err(GithubError::Stdout)?;
    if let Some(path) = &env.step_summary {
        let md = format!(
            "## ⏰ cronbridge: EventBridge Scheduler deploy\n\n{}\n",
            crate::report::escape::markdown_code_block(&mask_secrets(&text), "text")
        );
        env::append(path, &md)?;
    }
    let failed = report.failed() || alerts.as_ref().is_some_and(DeployReport::failed);
    let changed =
        report.plan.has_changes() || alerts.as_ref().is_some_and(|a| a.plan.has_changes());
    if let Some(path) = &env.output {
        let outputs = [
            ("changed", changed.to_string()),
            ("failed", failed.to_string()),
        ];
        env::append(path, &env::format_outputs(&outputs, env::delimiter_seed()))?;
    }
    let body =
        crate::report::schedule_plan::deploy_comment(&report, alerts_text.as_deref(), &event.after);
    report_on_pull_request(env, event, &body, stdout).await?;
    let outcome = report.outcome();
    Ok(match alerts {
        Some(a) => outcome.max(a.outcome()),
        None => outcome,
    })
}

fn refuse(
    env: &ActionsEnv,
    err: &SyncError,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    let findings = match err {
        SyncError::Blocked(b) => b.findings(),
        _ => &[],
    };
    let text = format!(
        "{err}\n{}",
        crate::report::check::human_findings(findings, &Default::default(), false)
    );
    write!(stdout, "{}", message(Level::Error, &text)).map_err(GithubError::Stdout)?;
    if let Some(path) = &env.step_summary {
        let mut md = format!(
            "## ⏰ cronbridge: not deployed\n\n{}\n\n",
            crate::report::markdown::message(&mask_secrets(&err.to_string()), false)
        );
        for f in findings {
            md.push_str(&crate::report::markdown::finding_item(f, &|_| None));
        }
        env::append(path, &md)?;
    }
    Ok(err.outcome())
}

/// Comments the result on the pull request whose merge this push is, when there is one. A
/// comment that cannot be written is a warning: the deployment itself has happened.
async fn report_on_pull_request(
    env: &ActionsEnv,
    event: &PushEvent,
    body: &str,
    stdout: &mut dyn Write,
) -> Result<(), GithubError> {
    let Some(token) = &env.token else {
        return Ok(());
    };
    let result = async {
        let client = GitHub::new(&env.api_url, token, &env.repository)?;
        let pulls = client.list_pull_requests_for_commit(&event.after).await?;
        let Some(pr) = pulls.iter().find(|p| p.merged_at.is_some()) else {
            return Ok(None);
        };
        upsert_comment(&client, pr.number, MARKER, body, true)
            .await
            .map(Some)
    }
    .await;
    if let Err(err) = result {
        let text =
            format!("deployed, but the result could not be commented on the pull request: {err}");
        write!(stdout, "{}", message(Level::Warning, &text)).map_err(GithubError::Stdout)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(git_ref: &str, deleted: bool) -> PushEvent {
        PushEvent {
            git_ref: git_ref.to_string(),
            after: "a".repeat(40),
            deleted,
            repository: PushRepository {
                default_branch: "main".to_string(),
            },
        }
    }

    #[test]
    fn only_the_default_branch_deploys() {
        assert!(event("refs/heads/main", false).deploys());
        assert!(!event("refs/heads/main", true).deploys());
        assert!(!event("refs/heads/feature", false).deploys());
        assert!(!event("refs/tags/main", false).deploys());
    }
}
