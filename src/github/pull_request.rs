//! The `pull_request` flow: check the pull request's base commit against the checked-out
//! tree, annotate every finding, write the job summary and step outputs, and keep one comment
//! on the pull request up to date. Nothing from the pull request is ever executed.

use super::client::{ClientError, GitHub, IssueComment};
use super::env::{self, ActionsEnv, EnvError};
use super::event::{PullRequestEvent, is_object_id};
use crate::aws::eventbridge::{ClientOptions, Connection, ReadOnly};
use crate::aws::sync;
use crate::check::{self, Analysis};
use crate::deploy::plan::LiveView;
use crate::finding::Severity;
use crate::outcome::Outcome;

use crate::report;
use crate::report::comment::{self, Context, Links, MARKER};
use crate::source::{self, RepoError, Source};
use jiff::Timestamp;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to check and when from.
#[derive(Debug, Clone)]
pub struct Options {
    /// Repository root (the checkout).
    pub root: PathBuf,
    /// Settings file, repository-relative, like `check --config`.
    pub config: Option<String>,
    pub now: Timestamp,
    pub horizon_days: u32,
    /// Also read EventBridge (read-only) for the live plan: drift, and rules that would start
    /// a batch twice.
    pub live_plan: bool,
}

/// The pull request cannot be checked as set up: the workflow must change, not cronbridge.
#[derive(Debug, thiserror::Error)]
pub enum PullRequestError {
    /// The payload's base is not a commit id (the payload is not GitHub's).
    #[error("the pull request's base `{0}` is not a commit id")]
    BadBase(String),
    /// The clone lacks the base commit: a shallow checkout.
    #[error(
        "the pull request's base commit {0} is not in the clone\nhelp: check out with `actions/checkout` and `fetch-depth: 0`, or run `git fetch --no-tags origin {0}` before cronbridge"
    )]
    MissingBase(String),
    /// Reading the files of the head (working tree) or the base (commit) failed.
    #[error("{side}: {source}")]
    Repo {
        side: &'static str,
        #[source]
        source: RepoError,
    },
    /// Writing the summary or outputs failed.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// Writing to standard output failed.
    #[error("writing the annotations: {0}")]
    Stdout(#[source] std::io::Error),
    /// GitHub failed in a way other than a missing permission (which only warns).
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl PullRequestError {
    /// Configuration for problems of the workflow's setup, failure for the rest.
    pub fn outcome(&self) -> Outcome {
        match self {
            PullRequestError::BadBase(_)
            | PullRequestError::MissingBase(_)
            | PullRequestError::Repo { .. } => Outcome::Config,
            // A token GitHub does not accept is the workflow's setup.
            PullRequestError::Client(ClientError::Unauthorized { .. }) => Outcome::Config,
            PullRequestError::Env(_)
            | PullRequestError::Stdout(_)
            | PullRequestError::Client(_) => Outcome::Failure,
        }
    }
}

/// What happened to the comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    Created(IssueComment),
    Updated(IssueComment),
    /// The newest marked comment already says exactly this.
    Unchanged(IssueComment),
    /// No marked comment, and creating one was not asked for.
    Skipped,
}

impl Upsert {
    /// The comment's URL, when there is one.
    pub fn url(&self) -> Option<&str> {
        match self {
            Upsert::Created(c) | Upsert::Updated(c) | Upsert::Unchanged(c) => Some(&c.html_url),
            Upsert::Skipped => None,
        }
    }
}

/// The newest comment by a bot account whose body starts with `marker`. Starting with it,
/// not containing it: someone quoting the comment in a reply must not become its new home.
/// By a bot: anyone can post a comment that starts with the marker, and the report must not
/// move into a comment shown under their name, which they could later edit into a fake one.
pub fn find_marked<'c>(comments: &'c [IssueComment], marker: &str) -> Option<&'c IssueComment> {
    let created = |c: &IssueComment| {
        c.created_at
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok())
    };
    comments
        .iter()
        .filter(|c| {
            c.user.as_ref().is_some_and(|u| u.kind == "Bot")
                && c.body
                    .as_deref()
                    .is_some_and(|b| b.trim_start().starts_with(marker))
        })
        .max_by_key(|c| (created(c), c.id))
}

/// Keeps one comment carrying `marker` on issue or pull request `issue`: edits the newest
/// such comment (leaving older duplicates alone), or creates one when `create` is true.
/// `body` must start with `marker`. The `push` flow can use it with its own marker to report a
/// deployment on the merged pull request.
pub async fn upsert_comment(
    client: &GitHub,
    issue: u64,
    marker: &str,
    body: &str,
    create: bool,
) -> Result<Upsert, ClientError> {
    let comments = client.list_issue_comments(issue).await?;
    match find_marked(&comments, marker) {
        Some(existing) if existing.body.as_deref() == Some(body) => {
            Ok(Upsert::Unchanged(existing.clone()))
        }
        Some(existing) => Ok(Upsert::Updated(
            client.update_issue_comment(existing.id, body).await?,
        )),
        None if create => Ok(Upsert::Created(
            client.create_issue_comment(issue, body).await?,
        )),
        None => Ok(Upsert::Skipped),
    }
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The verdict `check` would give.
pub fn outcome(head: &Analysis) -> Outcome {
    Outcome::of_findings(&head.findings)
}

/// A workflow-command warning (one line, escaped).
fn warning(text: &str) -> String {
    report::github::message(report::github::Level::Warning, text)
}

/// Runs the flow; returns the exit code (that of `check`).
pub async fn run(
    env: &ActionsEnv,
    event: &PullRequestEvent,
    options: &Options,
    stdout: &mut dyn Write,
) -> Result<Outcome, PullRequestError> {
    let pr = &event.pull_request;
    let base_sha = pr.base.sha.as_str();
    if !is_object_id(base_sha) {
        return Err(PullRequestError::BadBase(base_sha.to_string()));
    }
    let root = &options.root;
    if git(root, &["cat-file", "-e", &format!("{base_sha}^{{commit}}")]).is_none() {
        return Err(PullRequestError::MissingBase(base_sha.to_string()));
    }
    let config = options.config.as_deref();
    let read = |source: &Source, side| {
        source::read_inputs(source, config)
            .map_err(|source| PullRequestError::Repo { side, source })
    };
    let head_inputs = read(&Source::WorkTree(root.clone()), "head")?;
    let base_inputs = read(
        &Source::Revision {
            root: root.clone(),
            rev: base_sha.to_string(),
        },
        "base",
    )?;
    let check_options = check::Options {
        now: options.now,
        horizon_days: options.horizon_days,
    };
    let base = check::analyse(base_inputs, &check_options);
    let mut head = check::analyse(head_inputs, &check_options);
    let diff = check::diff(&base, &mut head);
    // What the merge will change in AWS, from the two commits alone (no credentials).
    let deploy = &diff.deploy;
    let live = if options.live_plan {
        let view = read_live_plan(&head, &base).await;
        match &view {
            LiveView::Planned(live) => {
                // A batch that would run twice is the pull request's error, annotated on it.
                head.findings
                    .extend(live.plan.errors.iter().chain(&live.plan.warnings).cloned());
            }
            LiveView::Unavailable { reason } => {
                stdout
                    .write_all(
                        warning(&format!(
                            "cronbridge could not read the live plan: {reason}"
                        ))
                        .as_bytes(),
                    )
                    .map_err(PullRequestError::Stdout)?;
            }
        }
        Some(view)
    } else {
        None
    };

    // Annotations and the summary first: they must survive anything that fails later.
    stdout
        .write_all(report::github::annotations(&head.findings).as_bytes())
        .map_err(PullRequestError::Stdout)?;
    // Links point into the commit whose files were read: the checkout (by default GitHub's
    // merge of head into base), so line numbers are exact.
    let blob_sha = git(root, &["rev-parse", "HEAD"])
        .filter(|s| is_object_id(s))
        .or_else(|| env.sha.clone().filter(|s| is_object_id(s)))
        .unwrap_or_else(|| pr.head.sha.clone());
    let run_url = env.run_url();
    let ctx = Context {
        head: &head,
        base: &base,
        diff: &diff,
        deploy,
        live: live.as_ref(),
        links: Links {
            server_url: &env.server_url,
            repository: &env.repository,
            blob_sha: &blob_sha,
            head_sha: &pr.head.sha,
            run_url: run_url.as_deref(),
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    match &env.step_summary {
        Some(path) => env::append(path, &comment::summary(&ctx))?,
        None => eprintln!("cronbridge: GITHUB_STEP_SUMMARY is not set; no job summary written"),
    }

    let commented = comment_on(env, event, &ctx).await;
    let (url, failure) = match commented {
        Ok(Some(upsert)) => {
            if let Some(url) = upsert.url() {
                let verb = match upsert {
                    Upsert::Created(_) => "created",
                    Upsert::Updated(_) => "updated",
                    _ => "unchanged",
                };
                eprintln!(
                    "cronbridge: comment {verb}: {}",
                    report::escape::log_inline(url)
                );
            } else {
                eprintln!("cronbridge: no schedule changes and no earlier comment; not commenting");
            }
            (upsert.url().map(str::to_string), None)
        }
        Ok(None) => (None, None),
        Err(err) if err.is_denied() => {
            let text = if event.is_from_fork() {
                format!(
                    "This pull request comes from a fork, so its token is read-only and cronbridge cannot comment ({err}). The findings are annotated on the files and the full report is in the job summary."
                )
            } else {
                format!(
                    "cronbridge cannot comment on this pull request ({err}). Give the job `permissions: pull-requests: write`; the findings are annotated and the full report is in the job summary."
                )
            };
            stdout
                .write_all(warning(&text).as_bytes())
                .map_err(PullRequestError::Stdout)?;
            (None, None)
        }
        Err(err) => (None, Some(err)),
    };

    let outputs = [
        ("errors", head.count(Severity::Error).to_string()),
        ("warnings", head.count(Severity::Warning).to_string()),
        (
            "changed",
            (!diff.is_empty() || !deploy.is_empty()).to_string(),
        ),
        ("comment-url", url.unwrap_or_default()),
    ];
    match &env.output {
        Some(path) => env::append(path, &env::format_outputs(&outputs, env::delimiter_seed()))?,
        None => eprintln!("cronbridge: GITHUB_OUTPUT is not set; no step outputs written"),
    }
    if let Some(err) = failure {
        return Err(err.into());
    }
    Ok(outcome(&head))
}

/// Reads EventBridge for the live plan with the runner's AWS credentials, through a client
/// that has no write calls. Any failure is a reason shown in the comment, not an error of the
/// job: the check of the files stands on its own.
async fn read_live_plan(head: &Analysis, base: &Analysis) -> LiveView {
    let aws = &head.inputs.settings.aws;
    if aws.backend == crate::settings::aws::Backend::Scheduler {
        return LiveView::Unavailable {
            reason: "the live plan reads EventBridge rules; with `aws.backend: scheduler` it is not built yet (`cronbridge plan` shows the schedules' plan)".to_string(),
        };
    }
    let connection = Connection {
        region: aws.region.clone(),
        ..Connection::default()
    };
    let client = ReadOnly::connect(&connection, &aws.event_bus, &ClientOptions::default()).await;
    let lookup = |name: &str| std::env::var(name).ok();
    match sync::live_plan(&client, head, base, &lookup, LIVE_CONCURRENCY).await {
        Ok(plan) => LiveView::Planned(Box::new(plan)),
        Err(err) => {
            // The settings' problems say what the job lacks (say, a target from the deploy
            // job's environment); the check's own errors are listed in the comment already.
            let mut reason = err.to_string();
            if let sync::SyncError::Blocked(crate::deploy::Blocked::Invalid(findings)) = &err {
                for f in findings.iter().take(3) {
                    reason.push_str(&format!("; {}", f.message));
                    if let Some(help) = &f.help {
                        reason.push_str(&format!(" ({help})"));
                    }
                }
            }
            LiveView::Unavailable {
                reason: report::escape::mask_secrets(&reason),
            }
        }
    }
}

/// Rules read at once for the live plan.
const LIVE_CONCURRENCY: usize = 8;

/// Posts or edits the comment; `Ok(None)` when there is no token to do it with.
async fn comment_on(
    env: &ActionsEnv,
    event: &PullRequestEvent,
    ctx: &Context<'_>,
) -> Result<Option<Upsert>, ClientError> {
    let Some(token) = &env.token else {
        eprintln!("cronbridge: no token (GITHUB_TOKEN or --token); not commenting");
        return Ok(None);
    };
    let client = GitHub::new(&env.api_url, token, &env.repository)?;
    let number = event.pull_request.number;
    let upsert = if ctx.has_changes() {
        upsert_comment(&client, number, MARKER, &comment::body(ctx), true).await?
    } else {
        upsert_comment(
            &client,
            number,
            MARKER,
            &comment::no_changes_body(ctx),
            false,
        )
        .await?
    };
    Ok(Some(upsert))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, created: &str, body: &str) -> IssueComment {
        IssueComment {
            id,
            html_url: format!("https://github.com/o/r/pull/1#issuecomment-{id}"),
            body: Some(body.to_string()),
            created_at: Some(created.to_string()),
            user: Some(super::super::client::CommentAuthor {
                login: "github-actions[bot]".to_string(),
                kind: "Bot".to_string(),
            }),
        }
    }

    #[test]
    fn the_newest_marked_comment_wins() {
        let comments = [
            comment(5, "2026-01-02T00:00:00Z", &format!("{MARKER}\nold")),
            comment(
                9,
                "2026-01-03T00:00:00Z",
                "> quoting\n<!-- cronbridge:pull-request -->",
            ),
            comment(7, "2026-01-04T00:00:00Z", &format!("{MARKER}\nnewer")),
            comment(8, "2026-01-01T00:00:00Z", "unrelated"),
        ];
        assert_eq!(find_marked(&comments, MARKER).map(|c| c.id), Some(7));
        assert_eq!(find_marked(&comments[1..2], MARKER), None);
        // The same body from a person is not ours.
        let mut forged = comment(10, "2026-01-05T00:00:00Z", &format!("{MARKER}\nforged"));
        if let Some(user) = forged.user.as_mut() {
            user.kind = "User".to_string();
        }
        let with_forged = [comments[2].clone(), forged];
        assert_eq!(find_marked(&with_forged, MARKER).map(|c| c.id), Some(7));
    }
}
