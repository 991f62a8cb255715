//! `issue_comment`: chat commands such as `/run Backup`, at the GitHub edge. The commenter's
//! role and teams come from the API, the batch from the default branch (through the contents
//! API, read by `source` with the same checks as a checkout), the start from `manual::flow`
//! over the AWS launcher; then the reaction, the reply and the audit record.

use super::GithubError;
use super::client::{ClientError, Contents, GitHub, Reaction};
use super::env::{self, ActionsEnv};
use super::event::{self, IssueCommentEvent};
use crate::aws::launch;
use crate::check::Inputs;
use crate::manual::access::Commenter;
use crate::manual::audit::{Audit, AuditOutcome};
use crate::manual::command::{Command, Parsed, parse};
use crate::manual::flow::{self, Begun, Request, RunId};
use crate::manual::request::{Requester, Via};
use crate::outcome::Outcome;
use crate::report::escape::{log_inline, markdown_code as code, markdown_text, mask_secrets};
use crate::report::github::{Level, message};
use crate::report::manual::{self as manual_report, Reply, reply_body};
use crate::report::markdown;
use crate::settings::DEFAULT_SETTINGS_FILE;
use crate::settings::manual::Role;
use crate::source::{self, MAX_FILE_BYTES, Remote, RepoError, Snapshot, Source};
use jiff::Timestamp;
use std::io::Write;

/// How a handled command ends: reactions, reply, audit, exit code.
struct Conclusion {
    reaction: Option<Reaction>,
    reply: Option<String>,
    audit: Audit,
    outcome: Outcome,
    /// A line for the job log (an error or warning), never with a secret.
    log: Option<&'static str>,
}

/// Handles an `issue_comment` event. Refusals are answers, not failures (exit 0); the exit
/// code is 2 when the repository's setup is wrong and 3 when GitHub or AWS failed.
pub async fn handle(
    env: &ActionsEnv,
    config: Option<&str>,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    let event = event::read_issue_comment(&env.event_path)?;
    let body = event.comment.body.as_deref().unwrap_or("");
    let parsed = parse(body);
    let line = match &parsed {
        Parsed::NoCommand => {
            super::notice(stdout, "the comment has no `/run` command; nothing to do")?;
            return Ok(Outcome::Success);
        }
        Parsed::Command { line, .. } | Parsed::Rejected { line, .. } => *line,
    };
    let user = &event.comment.user;
    let mut audit =
        Audit::new(now, Via::GitHub, &user.login, AuditOutcome::Refused).with_command(line);
    audit.repository = Some(env.repository.clone());
    audit.request_url = Some(event.comment.html_url.clone());
    // Ignored without a single API call, but audited: an edit would turn an old comment (whose
    // id may have run already) into a new command, and a bot may be cronbridge answering.
    let ignored = if event.action != "created" {
        Some(format!(
            "comment {}: only new comments are read as commands",
            event.action
        ))
    } else if user.is_bot() {
        Some("the comment is by a bot, and bots do not give commands".to_string())
    } else {
        None
    };
    if let Some(reason) = ignored {
        super::notice(stdout, &format!("{reason}; nothing was started"))?;
        audit.reason = Some(reason);
        record(env, &audit, stdout)?;
        return Ok(Outcome::Success);
    }
    let conclusion = decide(env, &event, &parsed, config, audit).await;
    conclude(env, &event, conclusion, stdout).await
}

/// A refusal: 👎, the reason in the thread, and success (cronbridge did its job).
fn refused(mut audit: Audit, summary: String, reply: String) -> Conclusion {
    audit.outcome = AuditOutcome::Refused;
    audit.reason = Some(summary);
    Conclusion {
        reaction: Some(Reaction::ThumbsDown),
        reply: Some(reply),
        audit,
        outcome: Outcome::Success,
        log: None,
    }
}

/// A failure to do what was allowed: 👎, the reason in the thread, and `outcome`.
fn failed(mut audit: Audit, summary: String, reason: String, outcome: Outcome) -> Conclusion {
    audit.outcome = AuditOutcome::Failed;
    audit.reason = Some(summary);
    let reply = reply_body(&audit.who, &Reply::Failed { reason });
    Conclusion {
        reaction: Some(Reaction::ThumbsDown),
        reply: Some(reply),
        audit,
        outcome,
        log: None,
    }
}

/// A setup problem found before anything could be asked: no reply, a line in the job log.
fn unable(mut audit: Audit, reason: String, log: &'static str) -> Conclusion {
    audit.outcome = AuditOutcome::Failed;
    audit.reason = Some(reason);
    Conclusion {
        reaction: None,
        reply: None,
        audit,
        outcome: Outcome::Config,
        log: Some(log),
    }
}

/// 👎 and the reason in the thread for a request the flow refused (`audit` says so already).
/// A refusal is an answer, so the job succeeds; a setup that cannot start anything does not.
fn refusal_answer(
    audit: Audit,
    login: &str,
    refusal: &flow::Refusal,
    default_branch: &str,
) -> Conclusion {
    let outcome = match refusal.audit_outcome() {
        AuditOutcome::Refused => Outcome::Success,
        _ => refusal.outcome(),
    };
    Conclusion {
        reaction: Some(Reaction::ThumbsDown),
        reply: Some(manual_report::refusal_reply(login, refusal, default_branch)),
        audit,
        outcome,
        log: None,
    }
}

/// Why the default branch could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Api(#[from] ClientError),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Records what the contents API says `path` is, fetching a regular file's bytes only when
/// it is within the size limit.
async fn fetch(
    client: &GitHub,
    git_ref: &str,
    path: &str,
    snapshot: &mut Snapshot,
) -> Result<Option<Vec<String>>, ClientError> {
    let Some(contents) = client.get_contents(path, git_ref).await? else {
        return Ok(None);
    };
    let mut children = None;
    let entry = match contents {
        Contents::File(bytes) => Remote::File {
            size: bytes.len() as u64,
            bytes: Some(bytes),
        },
        Contents::Dir(entries) => {
            let mut names = Vec::new();
            for e in entries {
                let remote = match e.kind.as_str() {
                    "file" if e.size > MAX_FILE_BYTES => Remote::File {
                        size: e.size,
                        bytes: None,
                    },
                    "file" => {
                        names.push(e.path.clone());
                        continue;
                    }
                    "dir" => Remote::Dir,
                    "symlink" => Remote::Link,
                    other => Remote::Other(format!("a {other}")),
                };
                snapshot.insert(&e.path, remote);
            }
            children = Some(names);
            Remote::Dir
        }
        Contents::Other { kind, size } if kind.starts_with("file") => {
            Remote::File { size, bytes: None }
        }
        Contents::Other { kind, .. } if kind == "symlink" => Remote::Link,
        Contents::Other { kind, .. } => Remote::Other(format!("a {kind}")),
    };
    snapshot.insert(path, entry);
    Ok(children)
}

/// Reads settings, schedules and rules at `git_ref` through the API — never the checkout,
/// which for a comment on a pull request could be anything — into the same [`Inputs`] a
/// checkout gives, with the same checks.
pub async fn read_branch(
    client: &GitHub,
    git_ref: &str,
    config: Option<&str>,
) -> Result<Inputs, ReadError> {
    let settings_file = config.unwrap_or(DEFAULT_SETTINGS_FILE);
    let mut snapshot = Snapshot::default();
    fetch(client, git_ref, settings_file, &mut snapshot).await?;
    // The settings name the directories to read.
    let settings = source::read_inputs(&Source::Snapshot(snapshot.clone()), config)?.settings;
    for dir in [&settings.schedules_dir, &settings.rules_dir] {
        let dir = dir.trim_end_matches('/');
        // What each directory on the way is, so that a link there is refused as on disk.
        let parts: Vec<&str> = dir.split('/').collect();
        for end in 1..parts.len() {
            fetch(client, git_ref, &parts[..end].join("/"), &mut snapshot).await?;
        }
        if let Some(files) = fetch(client, git_ref, dir, &mut snapshot).await? {
            for path in files {
                let name = path.rsplit('/').next().unwrap_or(&path);
                if name.ends_with(".yml") || name.ends_with(".yaml") {
                    fetch(client, git_ref, &path, &mut snapshot).await?;
                }
            }
        }
    }
    Ok(source::read_inputs(&Source::Snapshot(snapshot), config)?)
}

/// Everything between reading the command and answering it.
async fn decide(
    env: &ActionsEnv,
    event: &IssueCommentEvent,
    parsed: &Parsed<'_>,
    config: Option<&str>,
    audit: Audit,
) -> Conclusion {
    let login = event.comment.user.login.as_str();
    let Some(token) = &env.token else {
        return unable(
            audit,
            "no GitHub token".to_string(),
            "no token (GITHUB_TOKEN or --token): cronbridge cannot check who asked, so nothing is started",
        );
    };
    let client = match GitHub::new(&env.api_url, token, &env.repository) {
        Ok(c) => c,
        Err(err) => {
            return unable(
                audit,
                err.to_string(),
                "the GitHub client could not be set up; nothing is started",
            );
        }
    };
    if let Err(err) = client
        .react_to_comment(event.comment.id, Reaction::Eyes)
        .await
    {
        eprintln!(
            "cronbridge: could not react to the comment: {}",
            log_inline(&mask_secrets(&err.to_string()))
        );
    }
    let default_branch = event.repository.default_branch.as_str();
    let inputs = match read_branch(&client, default_branch, config).await {
        Ok(b) => b,
        Err(err) => {
            let outcome = match &err {
                ReadError::Repo(e) => e.outcome(),
                ReadError::Api(_) => Outcome::Failure,
            };
            return failed(
                audit,
                format!("reading the default branch: {err}"),
                format!(
                    "the default branch {} could not be read ({}).",
                    code(default_branch),
                    markdown_text(&mask_secrets(&err.to_string()))
                ),
                outcome,
            );
        }
    };
    let settings_file = config.unwrap_or(DEFAULT_SETTINGS_FILE);
    let broken = flow::settings_errors(&inputs.findings);
    if broken > 0 {
        // The settings say who may start what: nothing of them can be trusted now.
        let refusal = flow::Refusal::SettingsErrors {
            file: settings_file.to_string(),
            count: broken,
        };
        let mut audit = audit;
        flow::refuse(&mut audit, &refusal);
        return refusal_answer(audit, login, &refusal, default_branch);
    }
    let runs = &inputs.settings.manual_runs;

    // Who: the role from the API, and the lists of the settings when there are any.
    let role = match client.collaborator_permission(login).await {
        Ok(p) => Role::from_api(&p.permission, p.role_name.as_deref()),
        Err(err) if err.is_denied() => None,
        Err(err) => {
            return failed(
                audit,
                format!("permission lookup: {err}"),
                "your permission on this repository could not be checked, so nothing was started."
                    .to_string(),
                Outcome::Failure,
            );
        }
    };
    let mut teams = Vec::new();
    let mut team_errors = Vec::new();
    let listed_user = runs.users.iter().any(|u| u.eq_ignore_ascii_case(login));
    if role.is_some_and(|r| r >= runs.permission) && !listed_user {
        for team in &runs.teams {
            match client.is_team_member(&team.org, &team.slug, login).await {
                Ok(true) => {
                    teams.push(team);
                    break;
                }
                Ok(false) => {}
                Err(err) => team_errors.push(format!("{team}: {err}")),
            }
        }
    }
    let commenter = Commenter { login, role, teams };
    if let Err(denial) = runs.allows(&commenter) {
        let help = (!team_errors.is_empty()).then(|| {
            "Team memberships could not be read: the workflow's token needs `members: read` on the organisation (a GitHub App token; the default `GITHUB_TOKEN` cannot read teams).".to_string()
        });
        for e in &team_errors {
            eprintln!("cronbridge: {}", log_inline(&mask_secrets(&e.to_string())));
        }
        let reply = reply_body(
            login,
            &Reply::Refused {
                reason: markdown::message(&denial.to_string(), false),
                help,
            },
        );
        return refused(audit, denial.to_string(), reply);
    }

    let name = match parsed {
        Parsed::Command {
            command: Command::Run(name),
            ..
        } => name,
        Parsed::Command {
            command: Command::Help,
            ..
        } => {
            let body = reply_body(
                login,
                &Reply::Help {
                    batches: &inputs.batches,
                    default_branch,
                },
            );
            let mut audit = audit;
            audit.outcome = AuditOutcome::Help;
            return Conclusion {
                reaction: None,
                reply: Some(body),
                audit,
                outcome: Outcome::Success,
                log: None,
            };
        }
        Parsed::Rejected { reason, .. } => {
            let reply = reply_body(
                login,
                &Reply::Refused {
                    reason: manual_report::rejection(reason),
                    help: None,
                },
            );
            return refused(audit, reason.summary(), reply);
        }
        Parsed::NoCommand => {
            return refused(audit, "no command".into(), "no command".into());
        }
    };
    let request = Request {
        batch: name,
        requester: Requester {
            via: Via::GitHub,
            who: login.to_string(),
            url: Some(event.comment.html_url.clone()),
        },
        id: RunId::Comment(event.comment.id),
        input_override: None,
    };
    let launcher = launch::Aws::in_region(inputs.settings.aws.region.clone());
    let lookup = |name: &str| std::env::var(name).ok();
    let mut audit = audit;
    let result = flow::start(
        &inputs,
        settings_file,
        &request,
        &lookup,
        &launcher,
        &mut audit,
    )
    .await;
    let (prepared, begun) = match result {
        Ok(done) => done,
        Err(refusal) => {
            return refusal_answer(audit, login, &refusal, default_branch);
        }
    };
    let batch = prepared.batch;
    let run_name = prepared.launch.run_name();
    let (reply, outcome) = match &begun {
        Ok(Begun::New(arn)) => (
            Reply::Started {
                batch,
                execution_arn: arn,
                execution_name: run_name,
                default_branch,
            },
            Outcome::Success,
        ),
        // The rocket was likely left by the first delivery; adding it again is a no-op.
        Ok(Begun::Existing { arn, status }) => (
            Reply::AlreadyStarted {
                batch,
                execution_arn: arn,
                status,
                default_branch,
            },
            Outcome::Success,
        ),
        Err(err) => (
            Reply::Failed {
                reason: format!("{}.", markdown_text(&mask_secrets(&err.to_string()))),
            },
            err.outcome(),
        ),
    };
    let reaction = if begun.is_ok() {
        Reaction::Rocket
    } else {
        Reaction::ThumbsDown
    };
    Conclusion {
        reaction: Some(reaction),
        reply: Some(reply_body(login, &reply)),
        audit,
        outcome,
        log: None,
    }
}

/// Reacts, replies, logs the audit line and writes the summary.
async fn conclude(
    env: &ActionsEnv,
    event: &IssueCommentEvent,
    c: Conclusion,
    stdout: &mut dyn Write,
) -> Result<Outcome, GithubError> {
    if let Some(text) = c.log {
        write!(stdout, "{}", message(Level::Error, text)).map_err(GithubError::Stdout)?;
    }
    let client = env
        .token
        .as_ref()
        .and_then(|t| GitHub::new(&env.api_url, t, &env.repository).ok());
    if let Some(client) = &client {
        if let Some(reaction) = c.reaction
            && let Err(err) = client.react_to_comment(event.comment.id, reaction).await
        {
            eprintln!(
                "cronbridge: could not react to the comment: {}",
                log_inline(&mask_secrets(&err.to_string()))
            );
        }
        if let Some(body) = &c.reply
            && let Err(err) = client.create_issue_comment(event.issue.number, body).await
        {
            let text = format!(
                "cronbridge could not answer in the thread ({err}); give the job `permissions: issues: write` and `pull-requests: write`"
            );
            write!(stdout, "{}", message(Level::Warning, &text)).map_err(GithubError::Stdout)?;
        }
    }
    record(env, &c.audit, stdout)?;
    Ok(c.outcome)
}

/// The audit line on stdout (the job log) and the same record in the job summary.
fn record(env: &ActionsEnv, audit: &Audit, stdout: &mut dyn Write) -> Result<(), GithubError> {
    writeln!(stdout, "{}", manual_report::audit_line(audit)).map_err(GithubError::Stdout)?;
    match &env.step_summary {
        Some(path) => env::append(path, &manual_report::audit_markdown(audit))?,
        None => eprintln!("cronbridge: GITHUB_STEP_SUMMARY is not set; no job summary written"),
    }
    Ok(())
}
