//! The GitHub side: `cronbridge github`, the single entry point of the Action. It reads the
//! Actions environment and dispatches on the event: `pull_request` checks and comments, `push`
//! to the default branch deploys, `issue_comment` runs chat commands; others are left alone.

pub mod client;
pub mod env;
pub mod event;
pub mod issue_comment;
pub mod pull_request;
pub mod push;

use crate::outcome::Outcome;
use env::{ActionsEnv, Token};
use jiff::Timestamp;
use std::io::Write;
use std::path::PathBuf;

/// What `cronbridge github` was given on its command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--token`; else `GITHUB_TOKEN`.
    pub token: Option<Token>,
    /// Repository root (the checkout).
    pub root: PathBuf,
    /// Settings file, repository-relative.
    pub config: Option<String>,
    pub now: Timestamp,
    pub horizon_days: u32,
    /// On `push`: allow a deployment that deletes many managed rules.
    pub allow_delete: bool,
    /// On `pull_request`: add the live plan, read from EventBridge with the job's (read-only)
    /// AWS credentials.
    pub live_plan: bool,
    /// The most the whole run may take; past it, it stops and says what it was waiting for.
    pub deadline: std::time::Duration,
}

/// `cronbridge github` failed before it could give a verdict.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// The Actions environment is missing or wrong (the workflow's setup).
    #[error(transparent)]
    Env(#[from] env::EnvError),
    /// The event payload is unreadable or not the event named.
    #[error(transparent)]
    Event(#[from] event::EventError),
    /// The pull-request flow failed.
    #[error(transparent)]
    PullRequest(#[from] pull_request::PullRequestError),
    /// `pull_request_target` runs with a write token next to the pull request's files.
    #[error(
        "cronbridge does not run on `pull_request_target`: that event has a write token and secrets while the files come from the pull request\nhelp: trigger the workflow on `pull_request`; pull requests from forks then get annotations and the job summary instead of a comment"
    )]
    PullRequestTarget,
    /// The async runtime could not start (the system is out of resources).
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Reading the repository failed (a usage or environment problem).
    #[error(transparent)]
    Repo(crate::source::RepoError),
    /// The sync could not plan (check errors, settings) or read EventBridge.
    #[error(transparent)]
    Sync(#[from] crate::aws::sync::SyncError),
    /// Writing to standard output failed.
    #[error("writing to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// The run took longer than its deadline: a service that accepts connections and does
    /// not answer.
    #[error(
        "timed out after {seconds} s talking to {host}; nothing after that point was done\nhelp: check that the GitHub API ({host}) and AWS are reachable from the runner, or raise `--timeout`"
    )]
    Deadline { seconds: u64, host: String },
}

impl GithubError {
    /// The verdict for this error (see [`crate::outcome`]).
    pub fn outcome(&self) -> Outcome {
        match self {
            GithubError::Env(_) | GithubError::Event(_) | GithubError::PullRequestTarget => {
                Outcome::Config
            }
            GithubError::PullRequest(e) => e.outcome(),
            GithubError::Repo(e) => e.outcome(),
            GithubError::Sync(e) => e.outcome(),
            GithubError::Runtime(_) | GithubError::Stdout(_) | GithubError::Deadline { .. } => {
                Outcome::Failure
            }
        }
    }
}

/// Runs `cronbridge github` against the process environment on a single-threaded runtime
/// (one job, a few sequential API calls: threads would buy nothing).
pub fn run(options: Options, stdout: &mut dyn Write) -> Result<Outcome, GithubError> {
    let env = ActionsEnv::from_process(options.token.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(GithubError::Runtime)?;
    let host = http::Uri::try_from(env.api_url.as_str())
        .ok()
        .and_then(|u| u.authority().map(ToString::to_string))
        .unwrap_or_else(|| env.api_url.clone());
    runtime.block_on(async {
        tokio::time::timeout(options.deadline, dispatch(&env, &options, stdout))
            .await
            .unwrap_or(Err(GithubError::Deadline {
                seconds: options.deadline.as_secs(),
                host,
            }))
    })
}

/// One arm per event.
pub async fn dispatch(
    env: &ActionsEnv,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    match env.event_name.as_str() {
        "pull_request" => pull_request_event(env, options, stdout).await,
        "push" => push::run(env, options, stdout).await,
        "issue_comment" => issue_comment(env, options, stdout).await,
        "pull_request_target" => Err(GithubError::PullRequestTarget),
        other => {
            notice(
                stdout,
                &format!(
                    "cronbridge handles pull_request, push and issue_comment events; `{other}` is left alone"
                ),
            )?;
            Ok(Outcome::Success)
        }
    }
}

async fn pull_request_event(
    env: &ActionsEnv,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    let event = event::read_pull_request(&env.event_path)?;
    if event.action == "closed" {
        notice(
            stdout,
            &format!(
                "pull request #{} was closed; nothing to check",
                event.number
            ),
        )?;
        return Ok(Outcome::Success);
    }
    let pr_options = pull_request::Options {
        root: options.root.clone(),
        config: options.config.clone(),
        now: options.now,
        horizon_days: options.horizon_days,
        live_plan: options.live_plan,
    };
    Ok(pull_request::run(env, &event, &pr_options, stdout).await?)
}

/// `issue_comment`: chat commands such as `/run Backup` (see [`issue_comment`]).
async fn issue_comment(
    env: &ActionsEnv,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    // The audit records when a command was handled, whatever `--now` says for timetables.
    issue_comment::handle(env, options.config.as_deref(), Timestamp::now(), stdout).await
}

/// A workflow-command notice: shown in the run's annotations, never fails the job.
fn notice(stdout: &mut dyn Write, text: &str) -> Result<(), GithubError> {
    use crate::report::github::{Level, message};
    write!(stdout, "{}", message(Level::Notice, text)).map_err(GithubError::Stdout)
}
