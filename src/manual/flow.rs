//! The one flow of a manual run, for `cronbridge run` and `/run` alike: find the batch in the
//! repository as read (the work tree, or the default branch for a comment), decide what to
//! start ([`prepare`]), start it through a [`Launcher`] (Step Functions or ECS, in `aws`), and
//! fill in the audit record ([`conclude`]). Who may ask is decided before, in `access`.

use super::audit::{Audit, AuditOutcome};
use super::request::{
    self, InputError, Lookup, Requester, Target, TargetError, comment_execution_name,
    comment_started_by,
};
use crate::check::Inputs;
use crate::deploy::desired::{ContainerCommand, EcsTarget};
use crate::finding::{Category, Finding, Severity};
use crate::outcome::Outcome;
use crate::schedule::Batch;
use jiff::Timestamp;

/// Which request this is, for the name of the run it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunId {
    /// A comment: its id names the run, so a redelivered event starts nothing new.
    Comment(u64),
    /// A terminal: every invocation is a new request.
    Terminal { now: Timestamp, nonce: u32 },
}

/// What a person asked for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The batch name as written.
    pub batch: &'a str,
    pub requester: Requester,
    pub id: RunId,
    /// `--input-override`: JSON whose top-level keys replace those of the input.
    pub input_override: Option<&'a str>,
}

/// What to start, fully decided: the edge only sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// StartExecution of `name` with `input`, unless an execution of that name exists.
    StepFunctions {
        state_machine_arn: String,
        name: String,
        input: String,
    },
    /// RunTask with the rule's parameters and command; with `once`, unless a task of the
    /// cluster already has this `started_by`.
    Ecs {
        cluster_arn: String,
        parameters: EcsTarget,
        command: ContainerCommand,
        started_by: String,
        once: bool,
    },
}

impl Launch {
    /// The name the run is known by: the execution name, or the task's `startedBy`.
    pub fn run_name(&self) -> &str {
        match self {
            Launch::StepFunctions { name, .. } => name,
            Launch::Ecs { started_by, .. } => started_by,
        }
    }
}

/// A request that may go ahead: the batch and what starts it.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    pub batch: &'a Batch,
    pub launch: Launch,
}

/// Why nothing was started, before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The settings file has errors: it says who may start what, so none of it is trusted.
    SettingsErrors { file: String, count: usize },
    /// No batch of that name (exactly); the closest names, and how many schedule errors
    /// kept batches from loading.
    UnknownBatch {
        name: String,
        suggestions: Vec<String>,
        broken: usize,
    },
    /// The batch is defined in several files.
    Duplicate { name: String, files: Vec<String> },
    /// The batch is inactive and the settings keep inactive batches from manual runs.
    Inactive { name: String },
    /// The target cannot be built from the settings and environment.
    Target(TargetError),
    /// The input cannot be built (the template, or `--input-override`).
    Input(InputError),
    /// `--input-override` with a direct ECS target, whose input is the container command.
    OverrideOnEcs,
}

impl Refusal {
    /// Whether the request was refused (the person's to fix: the reply says why) or allowed
    /// but impossible with this setup.
    pub fn audit_outcome(&self) -> AuditOutcome {
        match self {
            Refusal::UnknownBatch { .. } | Refusal::Duplicate { .. } | Refusal::Inactive { .. } => {
                AuditOutcome::Refused
            }
            _ => AuditOutcome::Failed,
        }
    }

    /// The verdict for `cronbridge run`: a duplicate or inactive batch, or one that the
    /// schedule files' errors kept from loading, is the schedules' problem; a name that is no
    /// batch is usage; the rest configuration.
    pub fn outcome(&self) -> Outcome {
        match self {
            Refusal::Duplicate { .. } | Refusal::Inactive { .. } => Outcome::Findings,
            Refusal::UnknownBatch { broken, .. } if *broken > 0 => Outcome::Findings,
            _ => Outcome::Config,
        }
    }

    /// One line of plain text, for the audit record.
    pub fn summary(&self) -> String {
        match self {
            Refusal::SettingsErrors { count, .. } => {
                format!("{count} error(s) in the settings file")
            }
            Refusal::UnknownBatch { .. } => "no such batch".to_string(),
            Refusal::Duplicate { .. } => "batch defined twice".to_string(),
            Refusal::Inactive { .. } => "inactive batch".to_string(),
            Refusal::Target(e) => first_line(&e.to_string()),
            Refusal::Input(e) => first_line(&e.to_string()),
            Refusal::OverrideOnEcs => "--input-override with a direct ECS target".to_string(),
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

/// Errors in the settings file, whatever kind (its YAML too).
pub fn settings_errors(findings: &[Finding]) -> usize {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.category == Category::Config)
        .count()
}

/// Decides what `request` starts in the repository `inputs`, or why nothing starts.
/// `lookup` reads the environment (ARNs the settings leave out).
pub fn prepare<'a>(
    inputs: &'a Inputs,
    settings_file: &str,
    request: &Request<'_>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared<'a>, Refusal> {
    let count = settings_errors(&inputs.findings);
    if count > 0 {
        return Err(Refusal::SettingsErrors {
            file: settings_file.to_string(),
            count,
        });
    }
    let settings = &inputs.settings;
    let batch = match request::find(&inputs.batches, request.batch) {
        Lookup::Found(b) => b,
        Lookup::Unknown(suggestions) => {
            let broken = inputs
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            return Err(Refusal::UnknownBatch {
                name: request.batch.to_string(),
                suggestions,
                broken,
            });
        }
        Lookup::Duplicate(files) => {
            return Err(Refusal::Duplicate {
                name: request.batch.to_string(),
                files: files.into_iter().map(str::to_string).collect(),
            });
        }
    };
    if !batch.is_active && !settings.manual_runs.allow_inactive {
        return Err(Refusal::Inactive {
            name: batch.name.clone(),
        });
    }
    let template = &settings.aws.target.input;
    let prefix = &settings.rule_prefix;
    let launch = match request::target(&settings.aws, lookup).map_err(Refusal::Target)? {
        Target::StepFunctions { state_machine_arn } => {
            let overrides = request
                .input_override
                .map(request::parse_override)
                .transpose()
                .map_err(Refusal::Input)?;
            let input = request::input(
                template,
                batch,
                prefix,
                &request.requester,
                overrides.as_ref(),
            )
            .map_err(Refusal::Input)?;
            let name = match request.id {
                RunId::Comment(id) => comment_execution_name(id, &batch.name),
                RunId::Terminal { now, nonce } => {
                    request::cli_execution_name(now, nonce, &batch.name)
                }
            };
            Launch::StepFunctions {
                state_machine_arn,
                name,
                input: input.to_string(),
            }
        }
        Target::Ecs {
            cluster_arn,
            parameters,
            container,
        } => {
            if request.input_override.is_some() {
                return Err(Refusal::OverrideOnEcs);
            }
            let command =
                request::ecs_command(template, batch, prefix, &container, &request.requester);
            let (started_by, once) = match request.id {
                RunId::Comment(id) => (comment_started_by(id), true),
                // Every terminal run is a new request: no look-up by `startedBy`.
                RunId::Terminal { .. } => (request::CLI_STARTED_BY.to_string(), false),
            };
            Launch::Ecs {
                cluster_arn,
                parameters,
                command,
                started_by,
                once,
            }
        }
    };
    Ok(Prepared { batch, launch })
}

/// What starting gave, whichever the target: a new run, or the one this request started
/// before (a redelivered event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    New(String),
    Existing { arn: String, status: String },
}

impl Begun {
    pub fn arn(&self) -> &str {
        match self {
            Begun::New(arn) | Begun::Existing { arn, .. } => arn,
        }
    }
}

/// A Step Functions or ECS call failed (after the SDK's retries): credentials, permissions,
/// network, or a state machine or cluster that does not exist. Never the user's YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
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

impl LaunchError {
    /// No region is configuration; AWS failing is a failure.
    pub fn outcome(&self) -> Outcome {
        match self {
            LaunchError::NoRegion => Outcome::Config,
            LaunchError::Api { .. } => Outcome::Failure,
        }
    }
}

/// Where batches start: Step Functions and ECS, implemented at the AWS edge.
pub trait Launcher {
    /// Sends `launch`: starts the run unless this request's run exists already.
    fn launch(
        &self,
        launch: &Launch,
    ) -> impl std::future::Future<Output = Result<Begun, LaunchError>>;
}

/// Records in `audit` what came of a start.
pub fn conclude(audit: &mut Audit, begun: &Result<Begun, LaunchError>) {
    match begun {
        Ok(b) => {
            audit.outcome = match b {
                Begun::New(_) => AuditOutcome::Started,
                Begun::Existing { .. } => AuditOutcome::AlreadyStarted,
            };
            audit.execution_arn = Some(b.arn().to_string());
        }
        Err(err) => {
            audit.outcome = AuditOutcome::Failed;
            audit.reason = Some(err.to_string());
        }
    }
}

/// Records a refusal in `audit`.
pub fn refuse(audit: &mut Audit, refusal: &Refusal) {
    audit.outcome = refusal.audit_outcome();
    audit.reason = Some(refusal.summary());
}

/// Prepares, launches and concludes: the whole flow once the requester may ask.
pub async fn start<'a, L: Launcher>(
    inputs: &'a Inputs,
    settings_file: &str,
    request: &Request<'_>,
    lookup: &dyn Fn(&str) -> Option<String>,
    launcher: &L,
    audit: &mut Audit,
) -> Result<(Prepared<'a>, Result<Begun, LaunchError>), Refusal> {
    audit.batch = Some(request.batch.to_string());
    let prepared = match prepare(inputs, settings_file, request, lookup) {
        Ok(p) => p,
        Err(refusal) => {
            refuse(audit, &refusal);
            return Err(refusal);
        }
    };
    let begun = launcher.launch(&prepared.launch).await;
    conclude(audit, &begun);
    Ok((prepared, begun))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manual::request::Via;
    use crate::settings::{self, Settings};
    use std::cell::RefCell;

    const SM: &str = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";

    fn inputs(settings_text: &str, schedules: &str) -> Inputs {
        let (settings, mut findings) = if settings_text.is_empty() {
            (Settings::default(), Vec::new())
        } else {
            let (s, f) = settings::load("cronbridge.yml", settings_text);
            (s, f.into_iter().map(Finding::in_settings).collect())
        };
        let (batches, f) = crate::schedule::load("schedules/a.yml", schedules, &settings);
        findings.extend(f);
        Inputs {
            settings,
            batches,
            findings,
            ..Inputs::default()
        }
    }

    const BATCHES: &str = "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\nOld:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"Batches::Daily::Old\"\n  is_active: false\n";

    fn request(batch: &str) -> Request<'_> {
        Request {
            batch,
            requester: Requester {
                via: Via::GitHub,
                who: "octocat".into(),
                url: Some("https://github.com/o/r/pull/1#issuecomment-7".into()),
            },
            id: RunId::Comment(7),
            input_override: None,
        }
    }

    fn env(name: &str) -> Option<String> {
        (name == crate::settings::aws::env::STATE_MACHINE_ARN).then(|| SM.to_string())
    }

    /// Records what it was asked to launch.
    struct Recorder(RefCell<Vec<Launch>>);

    impl Launcher for Recorder {
        async fn launch(&self, launch: &Launch) -> Result<Begun, LaunchError> {
            self.0.borrow_mut().push(launch.clone());
            Ok(Begun::New("arn:x".into()))
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_comment_starts_its_named_execution_once() {
        let i = inputs("", BATCHES);
        let p = prepare(&i, "cronbridge.yml", &request("Backup"), &env).unwrap();
        let Launch::StepFunctions { name, input, .. } = &p.launch else {
            panic!("{:?}", p.launch)
        };
        assert_eq!(name, "github-7-Backup");
        let v: serde_json::Value = serde_json::from_str(input).unwrap();
        assert_eq!(v["batch"], "Backup");
        assert_eq!(v["trigger"], "manual");
        assert_eq!(v["requested_by"], "octocat");
    }

    #[test]
    fn refusals_start_nothing_and_say_why() {
        let i = inputs("", BATCHES);
        let launcher = Recorder(RefCell::new(Vec::new()));
        let mut audit = Audit::new(
            Timestamp::UNIX_EPOCH,
            Via::GitHub,
            "o",
            AuditOutcome::Refused,
        );
        let err = block_on(start(
            &i,
            "cronbridge.yml",
            &request("backup"),
            &env,
            &launcher,
            &mut audit,
        ))
        .unwrap_err();
        assert_eq!(
            err,
            Refusal::UnknownBatch {
                name: "backup".into(),
                suggestions: vec!["Backup".into()],
                broken: 0
            }
        );
        assert_eq!(err.outcome(), Outcome::Config);
        assert_eq!(audit.outcome, AuditOutcome::Refused);
        assert!(launcher.0.borrow().is_empty());
        let i = inputs("manual_runs:\n  allow_inactive: false\n", BATCHES);
        let err = prepare(&i, "cronbridge.yml", &request("Old"), &env).unwrap_err();
        assert_eq!(err, Refusal::Inactive { name: "Old".into() });
        assert_eq!(err.outcome(), Outcome::Findings);
        // A broken settings file says who may start what: nothing is trusted.
        let i = inputs("manual_runs:\n  permission: amdin\n", BATCHES);
        let err = prepare(&i, "cronbridge.yml", &request("Backup"), &env).unwrap_err();
        assert!(
            matches!(err, Refusal::SettingsErrors { count: 1, .. }),
            "{err:?}"
        );
        assert_eq!(err.audit_outcome(), AuditOutcome::Failed);
    }

    #[test]
    fn the_started_run_is_audited() {
        let i = inputs("", BATCHES);
        let launcher = Recorder(RefCell::new(Vec::new()));
        let mut audit = Audit::new(
            Timestamp::UNIX_EPOCH,
            Via::GitHub,
            "o",
            AuditOutcome::Refused,
        );
        let (prepared, begun) = block_on(start(
            &i,
            "cronbridge.yml",
            &request("Backup"),
            &env,
            &launcher,
            &mut audit,
        ))
        .unwrap();
        assert_eq!(prepared.batch.name, "Backup");
        assert_eq!(begun, Ok(Begun::New("arn:x".into())));
        assert_eq!(audit.outcome, AuditOutcome::Started);
        assert_eq!(audit.execution_arn.as_deref(), Some("arn:x"));
        assert_eq!(launcher.0.borrow().len(), 1);
    }
}
