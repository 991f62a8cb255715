//! Starting a batch by hand in AWS: a thin Step Functions client (one method per call, on the
//! SDK's standard chain with `AWS_ENDPOINT_URL` and the same retry mode as the EventBridge
//! client), the start-at-most-once logic on it, and the `cronbridge run` command.

use super::eventbridge::{ClientOptions, Connection};
use crate::finding::Severity;
use crate::manual::{self as manual, Audit, AuditOutcome, Lookup, Requester, Target, Via};
use crate::outcome::Outcome;
use crate::source::{self, Source};
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use clap::Args;
use jiff::Timestamp;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// A Step Functions or ECS call failed (after the SDK's retries): credentials, permissions,
/// network, or a state machine or cluster that does not exist. Never the user's YAML.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    /// The environment: the SDK found no region.
    #[error("no AWS region: set `aws.region` in the settings file, or AWS_REGION")]
    NoRegion,
    /// AWS answered with an error, or did not answer.
    #[error("{operation} {subject}: {message}")]
    Api {
        operation: &'static str,
        subject: String,
        /// AWS's error code (`AccessDeniedException`, `StateMachineDoesNotExist`…).
        code: Option<String>,
        message: String,
    },
}

pub(super) fn api_error<E, R>(
    operation: &'static str,
    subject: &str,
    err: &SdkError<E, R>,
) -> RunError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        _ => DisplayErrorContext(err).to_string(),
    };
    RunError::Api {
        operation,
        subject: subject.to_string(),
        code: err.code().map(str::to_string),
        message,
    }
}

/// An execution as DescribeExecution reports it: the fields cronbridge shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub status: String,
    pub start_date: Option<Timestamp>,
    pub stop_date: Option<Timestamp>,
    pub input: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Execution {
    /// Whether the execution has ended (a redrive can still restart a failed one, but that is
    /// a new decision by someone).
    pub fn has_ended(&self) -> bool {
        !matches!(self.status.as_str(), "RUNNING" | "PENDING_REDRIVE")
    }

    pub fn succeeded(&self) -> bool {
        self.status == "SUCCEEDED"
    }
}

fn timestamp(dt: &aws_sdk_sfn::primitives::DateTime) -> Option<Timestamp> {
    Timestamp::from_second(dt.secs()).ok()
}

/// The client: Step Functions in one region.
#[derive(Debug, Clone)]
pub struct StepFunctions {
    inner: Client,
    region: Option<String>,
}

impl StepFunctions {
    /// Loads the SDK configuration (the same chain and options as `EventBridge::connect`) and
    /// builds the client.
    pub async fn connect(connection: &Connection, options: &ClientOptions) -> StepFunctions {
        let sdk = connection.load().await;
        let conf = aws_sdk_sfn::config::Builder::from(&sdk)
            .retry_config(options.retry())
            .timeout_config(options.timeouts())
            .build();
        StepFunctions {
            inner: Client::from_conf(conf),
            region: sdk.region().map(ToString::to_string),
        }
    }

    /// The region the SDK resolved, if any: without one nothing can be called.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// StartExecution. `Ok(None)`: an execution of that name already exists (with another
    /// input, or already ended) — Step Functions started nothing.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Result<Option<String>, RunError> {
        match self
            .inner
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.execution_arn().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_already_exists()) =>
            {
                Ok(None)
            }
            Err(e) => Err(api_error("StartExecution", state_machine_arn, &e)),
        }
    }

    /// DescribeExecution; `Ok(None)` when there is no such execution.
    pub async fn describe_execution(&self, arn: &str) -> Result<Option<Execution>, RunError> {
        match self
            .inner
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
        {
            Ok(out) => Ok(Some(Execution {
                arn: out.execution_arn().to_string(),
                status: out.status().as_str().to_string(),
                start_date: timestamp(out.start_date()),
                stop_date: out.stop_date().and_then(timestamp),
                input: out.input().map(str::to_string),
                error: out.error().map(str::to_string),
                cause: out.cause().map(str::to_string),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_does_not_exist()) =>
            {
                Ok(None)
            }
            Err(e) => Err(api_error("DescribeExecution", arn, &e)),
        }
    }
}

/// What a start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new execution, with its ARN.
    Started(String),
    /// An execution of this name existed already: this request was handled before (a
    /// redelivered event, a re-run job). Nothing new was started.
    AlreadyStarted(Execution),
}

/// Starts `name` unless an execution of that name exists. StartExecution alone cannot tell:
/// for a running execution with the same name and input it answers success with the old ARN,
/// so the execution is looked up first; a start that still finds one (two deliveries at
/// once) answers ExecutionAlreadyExists or the old ARN, and either way one execution exists.
pub async fn start_once(
    client: &StepFunctions,
    state_machine_arn: &str,
    name: &str,
    input: &str,
) -> Result<Start, RunError> {
    if client.region().is_none() {
        return Err(RunError::NoRegion);
    }
    let expected = manual::execution_arn(state_machine_arn, name);
    if let Some(arn) = &expected
        && let Some(existing) = client.describe_execution(arn).await?
    {
        return Ok(Start::AlreadyStarted(existing));
    }
    match client
        .start_execution(state_machine_arn, name, input)
        .await?
    {
        Some(arn) => Ok(Start::Started(arn)),
        None => {
            let arn = expected.unwrap_or_default();
            match client.describe_execution(&arn).await? {
                Some(existing) => Ok(Start::AlreadyStarted(existing)),
                None => Err(RunError::Api {
                    operation: "StartExecution",
                    subject: state_machine_arn.to_string(),
                    code: Some("ExecutionAlreadyExists".to_string()),
                    message: format!(
                        "an execution named `{name}` exists, but it cannot be described"
                    ),
                }),
            }
        }
    }
}

/// Polls DescribeExecution every `interval` until the execution ends.
pub async fn wait(
    client: &StepFunctions,
    arn: &str,
    interval: Duration,
) -> Result<Execution, RunError> {
    loop {
        match client.describe_execution(arn).await? {
            Some(e) if e.has_ended() => return Ok(e),
            Some(_) => {}
            None => {
                return Err(RunError::Api {
                    operation: "DescribeExecution",
                    subject: arn.to_string(),
                    code: Some("ExecutionDoesNotExist".to_string()),
                    message: "the execution disappeared".to_string(),
                });
            }
        }
        tokio::time::sleep(interval).await;
    }
}

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

/// Ends a refused or failed run: the message on stderr, the audit line, the exit code.
fn finish(audit: &Audit, code: Outcome, message: &str) -> anyhow::Result<Outcome> {
    let mut stderr = anstream::stderr().lock();
    if !message.is_empty() {
        writeln!(stderr, "{message}")?;
    }
    record(audit)?;
    Ok(code)
}

/// The audit line on stderr (stdout is the human report), and in the job summary when run
/// inside a workflow step.
pub(super) fn record(audit: &Audit) -> anyhow::Result<()> {
    writeln!(anstream::stderr().lock(), "{}", audit.line())?;
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        crate::github::env::append(std::path::Path::new(&path), &audit.markdown())?;
    }
    Ok(())
}

/// Runs `cronbridge run`. Exit codes: 0 started (with `--wait`: and succeeded); 1 refused (an
/// inactive batch the settings keep from manual runs, a batch defined twice) or, with `--wait`,
/// the execution did not succeed; 2 usage or configuration; 3 an AWS call failed.
pub fn command(args: RunArgs) -> anyhow::Result<Outcome> {
    let now = Timestamp::now();
    let lookup = |name: &str| std::env::var(name).ok();
    let who = terminal_user(&lookup);
    let mut audit = Audit::new(now, Via::Cli, &who, AuditOutcome::Refused)
        .with_command(&format!("cronbridge run {}", args.batch));
    audit.batch = Some(args.batch.clone());
    let refuse = |audit: &mut Audit, code: Outcome, message: String| {
        audit.reason = Some(
            message
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string(),
        );
        finish(audit, code, &message)
    };

    let inputs =
        match source::read_inputs(&Source::WorkTree(args.repo.clone()), args.config.as_deref()) {
            Ok(inputs) => inputs,
            Err(err) => return refuse(&mut audit, Outcome::Config, format!("error: {err}")),
        };
    let settings_file = args
        .config
        .as_deref()
        .unwrap_or(crate::settings::DEFAULT_SETTINGS_FILE);
    let settings_errors: Vec<_> = inputs
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.location.file == settings_file)
        .cloned()
        .collect();
    if !settings_errors.is_empty() {
        let text = format!(
            "error: the settings file has errors; nothing is started until they are fixed\n{}",
            crate::report::check::human_findings(&settings_errors)
        );
        return refuse(&mut audit, Outcome::Config, text);
    }
    let settings = &inputs.settings;
    let batch = match manual::find(&inputs.batches, &args.batch) {
        Lookup::Found(b) => b,
        Lookup::Unknown(suggestions) => {
            let mut text = format!("error: no batch `{}` in the schedule files", args.batch);
            if !suggestions.is_empty() {
                let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                text.push_str(&format!("\nhelp: did you mean {}?", list.join(" or ")));
            }
            let broken = inputs
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            if broken > 0 {
                text.push_str(&format!("\nnote: the schedule files have {broken} error(s), and a batch with errors is not loaded; run `cronbridge check`"));
            }
            return refuse(&mut audit, Outcome::Config, text);
        }
        Lookup::Duplicate(files) => {
            let text = format!(
                "error: batch `{}` is defined in {}; fix the duplicate first (`cronbridge check`)",
                args.batch,
                files.join(" and ")
            );
            return refuse(&mut audit, Outcome::Findings, text);
        }
    };
    if !batch.is_active {
        if settings.manual_runs.allow_inactive {
            writeln!(
                anstream::stderr().lock(),
                "note: `{}` is inactive (`is_active: false`); starting it by hand anyway",
                batch.name
            )?;
        } else {
            let text = format!(
                "error: `{}` is inactive, and `manual_runs.allow_inactive` is false",
                batch.name
            );
            return refuse(&mut audit, Outcome::Findings, text);
        }
    }
    let state_machine = match manual::target(&settings.aws, &lookup) {
        Ok(Target::StepFunctions { state_machine_arn }) => state_machine_arn,
        Ok(Target::Ecs {
            cluster_arn,
            parameters,
            container,
        }) => {
            if args.input_override.is_some() {
                let text = "error: --input-override changes a Step Functions input, and `aws.target` is a direct ECS target, whose input is the container command".to_string();
                return refuse(&mut audit, Outcome::Config, text);
            }
            let requester = Requester {
                via: Via::Cli,
                who: who.clone(),
                url: None,
            };
            let command = manual::ecs_command(
                &settings.aws.target.input,
                batch,
                &settings.rule_prefix,
                &container,
                &requester,
            );
            let run = super::ecs::CliRun {
                args: &args,
                batch,
                region: settings.aws.region.clone(),
                cluster_arn: &cluster_arn,
                parameters: &parameters,
                command: &command,
            };
            return super::ecs::command(run, audit);
        }
        Err(err) => return refuse(&mut audit, Outcome::Config, format!("error: {err}")),
    };
    let overrides = match args.input_override.as_deref().map(manual::parse_override) {
        None => None,
        Some(Ok(map)) => Some(map),
        Some(Err(err)) => return refuse(&mut audit, Outcome::Config, format!("error: {err}")),
    };
    let requester = Requester {
        via: Via::Cli,
        who: who.clone(),
        url: None,
    };
    let input = match manual::input(
        &settings.aws.target.input,
        batch,
        &settings.rule_prefix,
        &requester,
        overrides.as_ref(),
    ) {
        Ok(v) => v.to_string(),
        Err(err) => return refuse(&mut audit, Outcome::Config, format!("error: {err}")),
    };
    let name = manual::cli_execution_name(now, nonce(), &batch.name);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let connection = Connection {
        region: settings.aws.region.clone(),
        ..Connection::default()
    };
    let started = runtime.block_on(async {
        let client = StepFunctions::connect(&connection, &ClientOptions::default()).await;
        let start = start_once(&client, &state_machine, &name, &input).await?;
        Ok::<_, RunError>((client, start))
    });
    let (client, arn) = match started {
        Ok((client, Start::Started(arn))) => (client, arn),
        Ok((client, Start::AlreadyStarted(e))) => (client, e.arn),
        Err(err) => {
            audit.outcome = AuditOutcome::Failed;
            let code = if matches!(err, RunError::NoRegion) {
                Outcome::Config
            } else {
                Outcome::Failure
            };
            return refuse(&mut audit, code, format!("error: {err}"));
        }
    };
    audit.outcome = AuditOutcome::Started;
    audit.execution_arn = Some(arn.clone());
    {
        let mut stdout = anstream::stdout().lock();
        let description = batch
            .description
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        writeln!(stdout, "Started {}{description}", batch.name)?;
        writeln!(stdout, "  execution: {arn}")?;
        if let Some(url) = manual::console_url(&arn) {
            writeln!(stdout, "  console:   {url}")?;
        }
    }
    record(&audit)?;
    if !args.wait {
        return Ok(Outcome::Success);
    }
    writeln!(
        anstream::stderr().lock(),
        "waiting for the execution to end…"
    )?;
    let interval = Duration::from_millis(args.poll_interval_ms);
    let ended = match runtime.block_on(wait(&client, &arn, interval)) {
        Ok(e) => e,
        Err(err) => {
            writeln!(anstream::stderr().lock(), "error: {err}")?;
            return Ok(Outcome::Failure);
        }
    };
    let took = match (ended.start_date, ended.stop_date) {
        (Some(a), Some(b)) => format!(" after {}s", (b.as_second() - a.as_second()).max(0)),
        _ => String::new(),
    };
    let mut stdout = anstream::stdout().lock();
    write!(stdout, "{}: {}{took}", batch.name, ended.status)?;
    if let Some(error) = &ended.error {
        write!(stdout, ": {error}")?;
    }
    if let Some(cause) = &ended.cause {
        write!(stdout, ": {}", cause.lines().next().unwrap_or(""))?;
    }
    writeln!(stdout)?;
    Ok(if ended.succeeded() {
        Outcome::Success
    } else {
        Outcome::Findings
    })
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

    #[test]
    fn only_running_executions_have_not_ended() {
        let e = |status: &str| Execution {
            arn: String::new(),
            status: status.to_string(),
            start_date: None,
            stop_date: None,
            input: None,
            error: None,
            cause: None,
        };
        assert!(!e("RUNNING").has_ended());
        assert!(!e("PENDING_REDRIVE").has_ended());
        for s in ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] {
            assert!(e(s).has_ended());
            assert_eq!(e(s).succeeded(), s == "SUCCEEDED");
        }
    }
}
