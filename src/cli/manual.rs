//! `cronbridge run`: start a batch now from a terminal, through the same flow as `/run` in a
//! comment (`manual::flow`), then optionally wait for it to end.

use crate::aws::eventbridge::{ClientOptions, Connection};
use crate::aws::{ecs, launch, sfn};
use crate::manual::audit::{Audit, AuditOutcome};
use crate::manual::flow::{self, Launch, LaunchError, Request, RunId};
use crate::manual::request::{self, Requester, Via};
use crate::outcome::Outcome;
use crate::report;
use crate::report::escape::{log_inline, mask_secrets};
use crate::source::{self, Source};
use clap::Args;
use jiff::Timestamp;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// `cronbridge run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The batch to start: its name in the schedule files, exactly.
    pub batch: String,
    /// A JSON object whose top-level keys replace those of the batch's input.
    #[arg(long, value_name = "JSON")]
    pub input_override: Option<String>,
    /// Wait until the execution ends (an ECS task stops); exit 1 unless it succeeded.
    #[arg(long)]
    pub wait: bool,
    /// How often `--wait` asks for the status, in milliseconds.
    #[arg(long, default_value_t = 5000, hide = true, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    pub poll_interval_ms: u64,
    /// Settings file, relative to the repository root (default: cronbridge.yml if present).
    #[arg(long)]
    pub config: Option<String>,
    /// Repository root.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
}

/// Who is asking from a terminal: the Actions actor inside a workflow, else the login user.
/// AWS records the credentials' identity itself (CloudTrail); this is for people reading.
fn terminal_user(lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let in_actions = lookup("GITHUB_ACTIONS").as_deref() == Some("true");
    let candidates: &[&str] = if in_actions {
        &["GITHUB_ACTOR", "USER", "USERNAME"]
    } else {
        &["USER", "USERNAME"]
    };
    candidates
        .iter()
        .filter_map(|k| lookup(k))
        .map(|v| {
            v.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Something random enough to tell two runs of the same second apart.
fn nonce() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}

/// The audit line on stderr (stdout is the human report), and in the job summary when run
/// inside a workflow step.
fn record(audit: &Audit) -> anyhow::Result<()> {
    writeln!(
        anstream::stderr().lock(),
        "{}",
        report::manual::audit_line(audit)
    )?;
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        crate::github::env::append(
            std::path::Path::new(&path),
            &report::manual::audit_markdown(audit),
        )?;
    }
    Ok(())
}

/// Runs `cronbridge run`: [`Outcome::Success`] when started (with `--wait`: and succeeded);
/// findings when refused (an inactive batch the settings keep from manual runs, a batch
/// defined twice) or, with `--wait`, when the run did not succeed; configuration for a name
/// that is no batch or a broken setup; failure when AWS failed.
pub fn command(args: RunArgs) -> anyhow::Result<Outcome> {
    let now = Timestamp::now();
    let lookup = |name: &str| std::env::var(name).ok();
    let who = terminal_user(&lookup);
    let mut audit = Audit::new(now, Via::Cli, &who, AuditOutcome::Refused)
        .with_command(&format!("cronbridge run {}", args.batch));
    audit.batch = Some(args.batch.clone());
    let inputs = match source::read_inputs(
        &Source::WorkTree(source::repository_root(&args.repo)),
        args.config.as_deref(),
    ) {
        Ok(inputs) => inputs,
        Err(err) => {
            let text = report::diagnostic("error", &err.to_string());
            write!(anstream::stderr().lock(), "{text}")?;
            audit.reason = Some(err.to_string());
            record(&audit)?;
            return Ok(err.outcome());
        }
    };
    let settings_file = args
        .config
        .as_deref()
        .unwrap_or(crate::settings::DEFAULT_SETTINGS_FILE);
    let request = Request {
        batch: &args.batch,
        requester: Requester {
            via: Via::Cli,
            who: who.clone(),
            url: None,
        },
        id: RunId::Terminal {
            now,
            nonce: nonce(),
        },
        input_override: args.input_override.as_deref(),
    };
    let launcher = launch::Aws::in_region(inputs.settings.aws.region.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(flow::start(
        &inputs,
        settings_file,
        &request,
        &lookup,
        &launcher,
        &mut audit,
    ));
    let (prepared, begun) = match result {
        Ok(done) => done,
        Err(refusal) => {
            let mut stderr = anstream::stderr().lock();
            writeln!(stderr, "{}", report::manual::refusal_text(&refusal))?;
            if let flow::Refusal::SettingsErrors { .. } = refusal {
                let errors: Vec<_> = inputs
                    .findings
                    .iter()
                    .filter(|f| f.category == crate::finding::Category::Config)
                    .cloned()
                    .collect();
                write!(
                    stderr,
                    "{}",
                    report::check::human_findings(&errors, &inputs.sources, true)
                )?;
            }
            drop(stderr);
            record(&audit)?;
            return Ok(refusal.outcome());
        }
    };
    let batch = prepared.batch;
    if !batch.is_active {
        writeln!(
            anstream::stderr().lock(),
            "note: `{}` is inactive (`is_active: false`); starting it by hand anyway",
            log_inline(&batch.name)
        )?;
    }
    let arn = match &begun {
        Ok(b) => b.arn().to_string(),
        Err(err) => {
            let text = report::diagnostic("error", &err.to_string());
            write!(anstream::stderr().lock(), "{text}")?;
            record(&audit)?;
            return Ok(err.outcome());
        }
    };
    {
        let text = report::manual::started_text(batch, &prepared.launch, &arn);
        write!(anstream::stdout().lock(), "{text}")?;
    }
    record(&audit)?;
    if !args.wait {
        return Ok(Outcome::Success);
    }
    let interval = Duration::from_millis(args.poll_interval_ms);
    let ended = runtime.block_on(wait(&launcher.connection, &prepared.launch, &arn, interval));
    let mut stdout = anstream::stdout().lock();
    match ended {
        Ok((status, None)) => {
            writeln!(
                stdout,
                "{}: {}",
                log_inline(&batch.name),
                log_inline(&status.to_string())
            )?;
            Ok(Outcome::Success)
        }
        Ok((status, Some(why))) => {
            let line = format!("{status}{why}");
            writeln!(
                stdout,
                "{}: {}",
                log_inline(&batch.name),
                log_inline(&mask_secrets(&line))
            )?;
            Ok(Outcome::Findings)
        }
        Err(err) => {
            let text = report::diagnostic("error", &err.to_string());
            write!(anstream::stderr().lock(), "{text}")?;
            Ok(Outcome::Failure)
        }
    }
}

/// Waits for the run to end: its final status, and what went wrong when it did not succeed.
async fn wait(
    connection: &Connection,
    launch: &Launch,
    arn: &str,
    interval: Duration,
) -> Result<(String, Option<String>), LaunchError> {
    let options = ClientOptions::default();
    match launch {
        Launch::StepFunctions { .. } => {
            eprintln!("waiting for the execution to end…");
            let client = sfn::StepFunctions::connect(connection, &options).await;
            let ended = sfn::wait(&client, arn, interval).await?;
            let took = match (ended.start_date, ended.stop_date) {
                (Some(a), Some(b)) => format!(" after {}s", (b.as_second() - a.as_second()).max(0)),
                _ => String::new(),
            };
            let status = format!("{}{took}", ended.status);
            if ended.succeeded() {
                return Ok((status, None));
            }
            let mut why = String::new();
            if let Some(error) = &ended.error {
                why.push_str(&format!(": {error}"));
            }
            if let Some(cause) = &ended.cause {
                why.push_str(&format!(": {}", cause.lines().next().unwrap_or("")));
            }
            Ok((status, Some(why)))
        }
        Launch::Ecs {
            cluster_arn,
            parameters,
            ..
        } => {
            eprintln!("waiting for the task to stop…");
            let client = ecs::Ecs::connect(connection, &options).await;
            let task = ecs::wait(&client, cluster_arn, arn, interval).await?;
            let definition = task
                .task_definition_arn
                .as_deref()
                .unwrap_or(&parameters.task_definition_arn);
            let non_essential = client.non_essential(definition).await?;
            let failures = request::task_failures(&task.containers, &non_essential);
            if failures.is_empty() {
                return Ok((task.last_status, None));
            }
            let mut why = format!(": {}", failures.join("; "));
            if let Some(reason) = task.stopped_reason.as_deref().filter(|r| !r.is_empty()) {
                why.push_str(&format!(" (task: {reason})"));
            }
            Ok((task.last_status, Some(why)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_user_prefers_the_actions_actor_in_actions() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(terminal_user(&env(&[("USER", "alice")])), "alice");
        assert_eq!(
            terminal_user(&env(&[
                ("USER", "runner"),
                ("GITHUB_ACTOR", "octocat"),
                ("GITHUB_ACTIONS", "true")
            ])),
            "octocat"
        );
        assert_eq!(
            terminal_user(&env(&[("GITHUB_ACTOR", "octocat")])),
            "unknown"
        );
        assert_eq!(terminal_user(&env(&[("USER", "a\nb")])), "ab");
    }
}
