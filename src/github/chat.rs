//! Chat commands on `issue_comment`: `/run <Batch>` starts a batch now, `/run help` lists them.
//! Parsing, the replies and the decisions are pure; [`handle`] makes the calls — the
//! commenter's role from the API, the batch from the default branch, the start in AWS.

use super::GithubError;
use super::client::{ClientError, Contents, GitHub, Reaction};
use super::env::{self, ActionsEnv};
use super::event::{self, IssueCommentEvent};
use crate::aws::client::{ClientOptions, Connection};
use crate::aws::ecs_run;
use crate::aws::run::{self as aws_run, Start, StepFunctions};
use crate::cli::exit;
use crate::finding::{Finding, Location, Rule, Severity};
use crate::report::markdown::{code, escape, inline};
use crate::run::{self as manual, Audit, Commenter, Lookup, Outcome, Requester, Via};
use crate::schedule::{self, Batch};
use crate::settings::{self, DEFAULT_SETTINGS_FILE, Settings};
use jiff::Timestamp;
use std::io::Write;

/// Starts every reply, so replies can be told from other comments.
pub const MARKER: &str = "<!-- cronbridge:run -->";

/// The longest batch name: a rule name has 64 characters.
const MAX_NAME_CHARS: usize = 64;

/// A command cronbridge understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/run help`: list the batches.
    Help,
    /// `/run <name>`: the name is ASCII letters, digits, `.`, `-` and `_`.
    Run(String),
}

/// Why a `/run` line is not a command. Nothing is started for any of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// More than one `/run` line.
    Several(usize),
    /// `/run` alone.
    MissingName,
    /// Something after the name (`/run Backup now`, `/run Backup; rm -rf /`).
    ExtraText { name: String, extra: String },
    /// A space that is not an ASCII space or tab (U+3000 from a Japanese input method, a
    /// no-break space from a copy), or another non-ASCII character right after `/run`.
    OddSpace(char),
    /// The name has a character batch names cannot have.
    BadName { name: String, problem: NameProblem },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// Not ASCII: a look-alike (Cyrillic `а`), full-width letters, an invisible character.
    NonAscii(char),
    /// ASCII, but not a letter, digit, `.`, `-` or `_`.
    Char(char),
    TooLong(usize),
}

/// What a comment says to cronbridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// No `/run` line: the comment is not for cronbridge.
    NoCommand,
    Command {
        line: &'a str,
        command: Command,
    },
    Rejected {
        line: &'a str,
        reason: Rejection,
    },
}

/// The lines of a comment that are `/run` commands, skipping fenced code blocks, HTML
/// comments (`<!-- … -->` hides text from readers) and anything not at the start of a line
/// (quotes begin with `>`). CR of CRLF bodies is dropped.
fn command_lines(body: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut in_html_comment = false;
    for raw in body.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let indented = line.len() - line.trim_start_matches(' ').len();
        let text = line.trim_start_matches(' ');
        if indented <= 3 {
            let run = |c: char| text.chars().take_while(|x| *x == c).count();
            let opener = ['`', '~'].into_iter().find(|c| run(*c) >= 3);
            match (fence, opener) {
                (None, Some(c)) => {
                    fence = Some((c, run(c)));
                    continue;
                }
                (Some((c, n)), Some(o)) if o == c && run(c) >= n => {
                    fence = None;
                    continue;
                }
                _ => {}
            }
        }
        if fence.is_some() {
            continue;
        }
        if in_html_comment {
            if line.contains("-->") {
                in_html_comment = false;
            }
            continue;
        }
        if is_command_line(line) {
            found.push(line);
        }
        if let Some(at) = line.rfind("<!--")
            && !line[at..].contains("-->")
        {
            in_html_comment = true;
        }
    }
    found
}

/// `/run` followed by nothing, white space, or any non-ASCII character (a look-alike space
/// is a command written wrong, not prose). `/runner` and `/run-all` are not commands.
fn is_command_line(line: &str) -> bool {
    match line.strip_prefix("/run") {
        Some(rest) => rest
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || !c.is_ascii()),
        None => false,
    }
}

/// Reads the command of a comment. Deliberately strict, because a comment is anyone's text:
/// - a command is a line that starts with `/run` (outside code blocks, quotes and HTML
///   comments), then ASCII spaces, then exactly one batch name, then nothing but trailing
///   ASCII spaces or tabs; anything else on the line is rejected, never ignored;
/// - one command per comment: a comment with two `/run` lines starts nothing (each would need
///   its own answer and execution name, and a half-done list is worse than none);
/// - a name is ASCII; a non-ASCII character or space is named by its code point, and close
///   names (another case, full-width letters, a typo) are only suggested, later.
pub fn parse(body: &str) -> Parsed<'_> {
    let lines = command_lines(body);
    match lines.as_slice() {
        [] => Parsed::NoCommand,
        [line] => match parse_line(line) {
            Ok(command) => Parsed::Command { line, command },
            Err(reason) => Parsed::Rejected { line, reason },
        },
        [first, ..] => Parsed::Rejected {
            line: first,
            reason: Rejection::Several(lines.len()),
        },
    }
}

fn parse_line(line: &str) -> Result<Command, Rejection> {
    let rest = line.get(4..).unwrap_or("");
    // Trailing ASCII spaces and tabs are invisible and common (editors, phones): allowed.
    let rest = rest.trim_end_matches([' ', '\t']);
    let Some(first) = rest.chars().next() else {
        return Err(Rejection::MissingName);
    };
    if first != ' ' && first != '\t' {
        return Err(Rejection::OddSpace(first));
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return Err(Rejection::MissingName);
    }
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    if !after.is_empty() {
        let extra = after.trim_start_matches([' ', '\t']);
        return Err(match after.chars().next() {
            // `Backup` then a non-ASCII space: that space is the problem.
            Some(c) if c != ' ' && c != '\t' => Rejection::OddSpace(c),
            _ => Rejection::ExtraText {
                name: name.to_string(),
                extra: extra.to_string(),
            },
        });
    }
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(Rejection::BadName {
            name: name.to_string(),
            problem: NameProblem::TooLong(count),
        });
    }
    if let Some(c) = name.chars().find(|c| !settings::is_rule_name_char(*c)) {
        let problem = if c.is_ascii() {
            NameProblem::Char(c)
        } else {
            NameProblem::NonAscii(c)
        };
        return Err(Rejection::BadName {
            name: name.to_string(),
            problem,
        });
    }
    Ok(if name == "help" {
        Command::Help
    } else {
        Command::Run(name.to_string())
    })
}

/// `U+3000` for a character in messages (its glyph may be invisible or look like another).
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

impl Rejection {
    /// The reason, in Markdown, with everything from the comment escaped.
    pub fn markdown(&self) -> String {
        match self {
            Rejection::Several(n) => format!(
                "this comment has {n} `/run` lines; write one command per comment, so that each gets its own answer"
            ),
            Rejection::MissingName => {
                "`/run` needs a batch name: `/run Backup`, or `/run help` for the list".to_string()
            }
            Rejection::ExtraText { name, extra } => format!(
                "`/run` takes one batch name and nothing after it; found {} followed by {}",
                code(name),
                code(extra)
            ),
            Rejection::OddSpace(c) => format!(
                "the command has the character {} where an ASCII space belongs (a full-width or no-break space, or an invisible character); type `/run`, a plain space, and the name",
                code_point(*c)
            ),
            Rejection::BadName { name, problem } => match problem {
                NameProblem::NonAscii(c) => format!(
                    "{} is not a batch name: it has {}, which is not ASCII (a look-alike letter, a full-width character or an invisible one); batch names are ASCII letters, digits, `.`, `-` and `_`",
                    code(name),
                    code_point(*c)
                ),
                NameProblem::Char(c) => format!(
                    "{} is not a batch name: {} cannot be part of one (batch names are ASCII letters, digits, `.`, `-` and `_`)",
                    code(name),
                    code(&c.to_string())
                ),
                NameProblem::TooLong(n) => format!(
                    "a batch name has at most {MAX_NAME_CHARS} characters; this one has {n}"
                ),
            },
        }
    }

    /// A short reason for the audit line.
    pub fn summary(&self) -> String {
        match self {
            Rejection::Several(n) => format!("{n} commands in one comment"),
            Rejection::MissingName => "no batch name".to_string(),
            Rejection::ExtraText { .. } => "text after the batch name".to_string(),
            Rejection::OddSpace(c) => format!("{} instead of a space", code_point(*c)),
            Rejection::BadName { problem, .. } => match problem {
                NameProblem::NonAscii(c) => format!("non-ASCII {} in the name", code_point(*c)),
                NameProblem::Char(c) => format!("{c:?} in the name"),
                NameProblem::TooLong(n) => format!("a name of {n} characters"),
            },
        }
    }
}

/// What the reply reports.
#[derive(Debug, Clone)]
pub enum Reply<'a> {
    Started {
        batch: &'a Batch,
        execution_arn: &'a str,
        execution_name: &'a str,
        default_branch: &'a str,
    },
    /// This comment had already started its execution.
    AlreadyStarted {
        batch: &'a Batch,
        execution_arn: &'a str,
        status: &'a str,
        default_branch: &'a str,
    },
    Refused {
        /// Markdown, escaped.
        reason: String,
        help: Option<String>,
    },
    /// Allowed, but the start failed.
    Failed { reason: String },
    Help {
        batches: &'a [Batch],
        default_branch: &'a str,
    },
}

/// The console link as Markdown, only when the URL has nothing that could end the link.
fn console_link(execution_arn: &str) -> String {
    match manual::console_url(execution_arn) {
        Some(url)
            if url
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '(' | ')' | '<' | '>' | '"')) =>
        {
            format!("[open in the AWS console]({url})")
        }
        _ => "—".to_string(),
    }
}

fn batch_rows(batch: &Batch, out: &mut String) {
    out.push_str("| | |\n|---|---|\n");
    let description = batch
        .description
        .as_deref()
        .map(|d| format!(" — {}", escape(d)))
        .unwrap_or_default();
    out.push_str(&format!("| Batch | {}{description} |\n", code(&batch.name)));
    out.push_str(&format!("| Class | {} |\n", code(&batch.batch_class)));
    let active = if batch.is_active {
        ""
    } else {
        " (inactive: `is_active: false`, so its schedule does not run)"
    };
    out.push_str(&format!(
        "| Schedule | {} {}{active} |\n",
        code(&batch.cron_text),
        escape(&batch.zone.name)
    ));
}

/// The reply comment. `login` was checked to be a GitHub login, so the mention is safe.
pub fn reply_body(login: &str, reply: &Reply<'_>) -> String {
    let mut out = format!("{MARKER}\n");
    let mention = if manual::is_login(login) {
        format!("@{login}")
    } else {
        code(login)
    };
    match reply {
        Reply::Started {
            batch,
            execution_arn,
            execution_name,
            default_branch,
        } => {
            out.push_str(&format!(
                "🚀 {mention} started {} now.\n\n",
                code(&batch.name)
            ));
            batch_rows(batch, &mut out);
            out.push_str(&format!("| Execution | {} |\n", code(execution_arn)));
            out.push_str(&format!("| Console | {} |\n", console_link(execution_arn)));
            out.push_str(&format!(
                "\n<sub>As defined on the default branch {} in {}. The run is named {} after this comment, so it starts at most once.</sub>\n",
                code(default_branch),
                code(&batch.file),
                code(execution_name)
            ));
        }
        Reply::AlreadyStarted {
            batch,
            execution_arn,
            status,
            default_branch,
        } => {
            out.push_str(&format!(
                "🔁 {mention}, this comment already started {}; nothing new was started (status: {}).\n\n",
                code(&batch.name),
                code(status)
            ));
            batch_rows(batch, &mut out);
            out.push_str(&format!("| Execution | {} |\n", code(execution_arn)));
            out.push_str(&format!("| Console | {} |\n", console_link(execution_arn)));
            out.push_str(&format!(
                "\n<sub>As defined on the default branch {}. To run it again, write a new comment.</sub>\n",
                code(default_branch)
            ));
        }
        Reply::Refused { reason, help } => {
            out.push_str(&format!("👎 {mention}, nothing was started: {reason}.\n"));
            if let Some(h) = help {
                out.push_str(&format!("\n{h}\n"));
            }
        }
        Reply::Failed { reason } => {
            out.push_str(&format!(
                "⚠️ {mention}, the batch could not be started: {reason}\n\nNothing was started. The job log has the details.\n"
            ));
        }
        Reply::Help {
            batches,
            default_branch,
        } => {
            out.push_str(&format!(
                "{mention}, these batches can be started with `/run <name>` (one command per comment), as defined on the default branch {}:\n\n",
                code(default_branch)
            ));
            if batches.is_empty() {
                out.push_str("(none: the default branch has no batches)\n");
            } else {
                out.push_str("| Batch | Description | Schedule |\n|---|---|---|\n");
                for b in *batches {
                    let inactive = if b.is_active { "" } else { " (inactive)" };
                    out.push_str(&format!(
                        "| {}{inactive} | {} | {} {} |\n",
                        code(&b.name),
                        b.description.as_deref().map(escape).unwrap_or_default(),
                        code(&b.cron_text),
                        escape(&b.zone.name)
                    ));
                }
            }
        }
    }
    out
}

/// "did you mean" for an unknown name, in Markdown.
fn did_you_mean(suggestions: &[String]) -> Option<String> {
    if suggestions.is_empty() {
        return None;
    }
    let names: Vec<String> = suggestions.iter().map(|s| code(s)).collect();
    Some(format!(
        "Did you mean {}? Names must match exactly; `/run help` lists them.",
        names.join(" or ")
    ))
}

/// The default branch's settings and batches, read through the contents API.
#[derive(Debug)]
pub struct Branch {
    pub settings: Settings,
    pub batches: Vec<Batch>,
    pub findings: Vec<Finding>,
    pub settings_file: String,
}

impl Branch {
    /// Errors in the settings file: the settings say who may run and what starts, so none
    /// of them can be trusted then.
    pub fn settings_errors(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.location.file == self.settings_file)
            .collect()
    }

    fn schedule_errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.location.file != self.settings_file)
            .count()
    }
}

/// The same limit as for files on disk.
const MAX_FILE_BYTES: usize = crate::repo::MAX_FILE_BYTES as usize;

#[allow(
    clippy::result_large_err,
    reason = "a `Finding` is what a file that cannot be read becomes; a handful per comment"
)]
fn text_of(path: &str, contents: Contents) -> Result<String, Finding> {
    match contents {
        Contents::File(bytes) if bytes.len() > MAX_FILE_BYTES => Err(Finding::of(
            Rule::RepoTooLarge,
            Location::file_start(path),
            format!(
                "`{path}` is {} bytes; files over {MAX_FILE_BYTES} bytes are not read",
                bytes.len()
            ),
        )),
        Contents::File(bytes) => String::from_utf8(bytes).map_err(|_| {
            Finding::of(
                Rule::RepoNotUtf8,
                Location::file_start(path),
                format!("`{path}` is not UTF-8 text"),
            )
        }),
        Contents::Dir(_) => Err(Finding::of(
            Rule::RepoNotAFile,
            Location::file_start(path),
            format!("`{path}` is a directory"),
        )),
        Contents::Other { kind, .. } => Err(Finding::of(
            Rule::RepoNotAFile,
            Location::file_start(path),
            format!("`{path}` is a {kind}; cronbridge reads only regular files"),
        )),
    }
}

/// Reads settings and schedules at `git_ref` through the API: never the checkout, which for
/// a comment on a pull request could be anything.
pub async fn read_branch(
    client: &GitHub,
    git_ref: &str,
    config: Option<&str>,
) -> Result<Branch, ClientError> {
    let settings_file = config.unwrap_or(DEFAULT_SETTINGS_FILE).to_string();
    let mut findings = Vec::new();
    let settings = match client.get_contents(&settings_file, git_ref).await? {
        None => Settings::default(),
        Some(contents) => match text_of(&settings_file, contents) {
            Ok(text) => {
                let (s, mut f) = settings::load(&settings_file, &text);
                findings.append(&mut f);
                s
            }
            Err(f) => {
                findings.push(f);
                Settings::default()
            }
        },
    };
    let mut batches = Vec::new();
    if let Some(Contents::Dir(mut entries)) = client
        .get_contents(&settings.schedules_dir, git_ref)
        .await?
    {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        for e in entries {
            let is_yaml = e.name.ends_with(".yml") || e.name.ends_with(".yaml");
            if !is_yaml || e.kind == "dir" {
                continue;
            }
            if e.kind != "file" {
                findings.push(Finding::of(
                    Rule::RepoSymlink,
                    Location::file_start(&e.path),
                    format!(
                        "`{}` is a {}; cronbridge does not follow links",
                        e.path, e.kind
                    ),
                ));
                continue;
            }
            let Some(contents) = client.get_contents(&e.path, git_ref).await? else {
                continue;
            };
            match text_of(&e.path, contents) {
                Ok(text) => {
                    let (mut loaded, mut f) = schedule::load(&e.path, &text, &settings);
                    batches.append(&mut loaded);
                    findings.append(&mut f);
                }
                Err(f) => findings.push(f),
            }
        }
    }
    findings.extend(schedule::duplicates(&batches));
    Ok(Branch {
        settings,
        batches,
        findings,
        settings_file,
    })
}

/// How a handled command ends: reactions, reply, audit, exit code.
struct Conclusion {
    reaction: Option<Reaction>,
    reply: Option<String>,
    audit: Audit,
    code: u8,
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
) -> Result<u8, GithubError> {
    let event = event::read_issue_comment(&env.event_path)?;
    let body = event.comment.body.as_deref().unwrap_or("");
    let parsed = parse(body);
    let line = match &parsed {
        Parsed::NoCommand => {
            super::notice(stdout, "the comment has no `/run` command; nothing to do")?;
            return Ok(exit::OK);
        }
        Parsed::Command { line, .. } | Parsed::Rejected { line, .. } => *line,
    };
    let user = &event.comment.user;
    let mut audit = Audit::new(now, Via::GitHub, &user.login, Outcome::Refused).with_command(line);
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
        return Ok(exit::OK);
    }
    let conclusion = decide(env, &event, &parsed, config, audit).await;
    conclude(env, &event, conclusion, stdout).await
}

/// A refusal: 👎, the reason in the thread, exit 0 (cronbridge did its job).
fn refused(mut audit: Audit, summary: String, reason: String, help: Option<String>) -> Conclusion {
    audit.outcome = Outcome::Refused;
    audit.reason = Some(summary);
    let reply = reply_body(&audit.who, &Reply::Refused { reason, help });
    Conclusion {
        reaction: Some(Reaction::ThumbsDown),
        reply: Some(reply),
        audit,
        code: exit::OK,
        log: None,
    }
}

/// A failure to do what was allowed: 👎, the reason in the thread, and `code`.
fn failed(mut audit: Audit, summary: String, reason: String, code: u8) -> Conclusion {
    audit.outcome = Outcome::Failed;
    audit.reason = Some(summary);
    let reply = reply_body(&audit.who, &Reply::Failed { reason });
    Conclusion {
        reaction: Some(Reaction::ThumbsDown),
        reply: Some(reply),
        audit,
        code,
        log: None,
    }
}

/// An answer that is not a refusal: the reply as given.
fn answered(
    mut audit: Audit,
    outcome: Outcome,
    reaction: Option<Reaction>,
    reply: String,
) -> Conclusion {
    audit.outcome = outcome;
    Conclusion {
        reaction,
        reply: Some(reply),
        audit,
        code: exit::OK,
        log: None,
    }
}

/// Everything between reading the command and answering it.
async fn decide(
    env: &ActionsEnv,
    event: &IssueCommentEvent,
    parsed: &Parsed<'_>,
    config: Option<&str>,
    mut audit: Audit,
) -> Conclusion {
    let login = event.comment.user.login.as_str();
    let Some(token) = &env.token else {
        audit.outcome = Outcome::Failed;
        audit.reason = Some("no GitHub token".to_string());
        return Conclusion {
            reaction: None,
            reply: None,
            audit,
            code: exit::USAGE,
            log: Some(
                "no token (GITHUB_TOKEN or --token): cronbridge cannot check who asked, so nothing is started",
            ),
        };
    };
    let client = match GitHub::new(&env.api_url, token, &env.repository) {
        Ok(c) => c,
        Err(err) => {
            audit.outcome = Outcome::Failed;
            audit.reason = Some(err.to_string());
            return Conclusion {
                reaction: None,
                reply: None,
                audit,
                code: exit::USAGE,
                log: Some("the GitHub client could not be set up; nothing is started"),
            };
        }
    };
    if let Err(err) = client
        .react_to_comment(event.comment.id, Reaction::Eyes)
        .await
    {
        eprintln!("cronbridge: could not react to the comment: {err}");
    }
    let default_branch = event.repository.default_branch.as_str();
    let branch = match read_branch(&client, default_branch, config).await {
        Ok(b) => b,
        Err(err) => {
            return failed(
                audit,
                format!("reading the default branch: {err}"),
                format!(
                    "the default branch {} could not be read ({}).",
                    code(default_branch),
                    escape(&err.to_string())
                ),
                exit::FAILURE,
            );
        }
    };
    if !branch.settings_errors().is_empty() {
        let n = branch.settings_errors().len();
        return failed(
            audit,
            format!("{n} error(s) in the settings file"),
            format!(
                "the settings file {} on the default branch has {n} error(s), and it says who may start what; run `cronbridge check` and fix it first.",
                code(&branch.settings_file)
            ),
            exit::USAGE,
        );
    }
    let runs = &branch.settings.manual_runs;

    // Who: the role from the API, and the lists of the settings when there are any.
    let role = match client.collaborator_permission(login).await {
        Ok(p) => manual::Role::from_api(&p.permission, p.role_name.as_deref()),
        Err(err) if err.is_denied() => None,
        Err(err) => {
            return failed(
                audit,
                format!("permission lookup: {err}"),
                "your permission on this repository could not be checked, so nothing was started."
                    .to_string(),
                exit::FAILURE,
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
            eprintln!("cronbridge: {e}");
        }
        return refused(audit, denial.to_string(), inline(&denial.to_string()), help);
    }

    let command = match parsed {
        Parsed::Command { command, .. } => command,
        Parsed::Rejected { reason, .. } => {
            return refused(audit, reason.summary(), reason.markdown(), None);
        }
        Parsed::NoCommand => {
            return refused(audit, "no command".into(), "no command".into(), None);
        }
    };
    let name = match command {
        Command::Help => {
            let body = reply_body(
                login,
                &Reply::Help {
                    batches: &branch.batches,
                    default_branch,
                },
            );
            return answered(audit, Outcome::Help, None, body);
        }
        Command::Run(name) => name,
    };
    audit.batch = Some(name.clone());
    let batch = match manual::find(&branch.batches, name) {
        Lookup::Found(b) => b,
        Lookup::Unknown(suggestions) => {
            let mut help = did_you_mean(&suggestions);
            let broken = branch.schedule_errors();
            if broken > 0 {
                let text = format!(
                    "The schedule files on the default branch have {broken} error(s); a batch with errors is not loaded."
                );
                help = Some(match help {
                    Some(h) => format!("{h} {text}"),
                    None => text,
                });
            }
            return refused(
                audit,
                "no such batch on the default branch".to_string(),
                format!(
                    "there is no batch {} on the default branch {} (a batch added by a pull request can be run once it is merged)",
                    code(name),
                    code(default_branch)
                ),
                help,
            );
        }
        Lookup::Duplicate(files) => {
            let files: Vec<String> = files.iter().map(|f| code(f)).collect();
            return refused(
                audit,
                "batch defined twice".to_string(),
                format!(
                    "{} is defined in {} on the default branch; fix the duplicate first",
                    code(name),
                    files.join(" and ")
                ),
                None,
            );
        }
    };
    if !batch.is_active && !runs.allow_inactive {
        return refused(
            audit,
            "inactive batch".to_string(),
            format!(
                "{} is inactive (`is_active: false`), and the settings keep inactive batches from manual runs (`manual_runs.allow_inactive: false`)",
                code(&batch.name)
            ),
            None,
        );
    }
    let lookup = |name: &str| std::env::var(name).ok();
    let state_machine = match manual::target(&branch.settings.aws, &lookup) {
        Ok(manual::Target::StepFunctions { state_machine_arn }) => state_machine_arn,
        Ok(manual::Target::Ecs {
            cluster_arn,
            parameters,
            container,
        }) => {
            let requester = Requester {
                via: Via::GitHub,
                who: login.to_string(),
                url: Some(event.comment.html_url.clone()),
            };
            let command = manual::ecs_command(
                &branch.settings.aws.target.input,
                batch,
                &branch.settings.rule_prefix,
                &container,
                &requester,
            );
            let started_by = manual::comment_started_by(event.comment.id);
            let connection = Connection {
                region: branch.settings.aws.region.clone(),
                ..Connection::default()
            };
            let ecs = ecs_run::Ecs::connect(&connection, &ClientOptions::default()).await;
            let start =
                ecs_run::start(&ecs, &cluster_arn, &parameters, &command, &started_by, true).await;
            let begun = start.map(|s| match s {
                ecs_run::Start::Started(arn) => Begun::New(arn),
                ecs_run::Start::AlreadyStarted(task) => Begun::Existing {
                    arn: task.arn,
                    status: task.last_status,
                },
            });
            return conclude_start(audit, login, batch, default_branch, &started_by, begun);
        }
        Err(err) => {
            let first = err.to_string().lines().next().unwrap_or("").to_string();
            return failed(
                audit,
                first.clone(),
                format!("{}.", inline(&first)),
                exit::USAGE,
            );
        }
    };
    let requester = Requester {
        via: Via::GitHub,
        who: login.to_string(),
        url: Some(event.comment.html_url.clone()),
    };
    let input = match manual::input(
        &branch.settings.aws.target.input,
        batch,
        &branch.settings.rule_prefix,
        &requester,
        None,
    ) {
        Ok(v) => v.to_string(),
        Err(err) => {
            let first = err.to_string().lines().next().unwrap_or("").to_string();
            return failed(
                audit,
                first.clone(),
                format!("{}.", inline(&first)),
                exit::USAGE,
            );
        }
    };
    let execution_name = manual::comment_execution_name(event.comment.id, &batch.name);
    let connection = Connection {
        region: branch.settings.aws.region.clone(),
        ..Connection::default()
    };
    let sfn = StepFunctions::connect(&connection, &ClientOptions::default()).await;
    let begun = aws_run::start_once(&sfn, &state_machine, &execution_name, &input)
        .await
        .map(|s| match s {
            Start::Started(arn) => Begun::New(arn),
            Start::AlreadyStarted(existing) => Begun::Existing {
                arn: existing.arn,
                status: existing.status,
            },
        });
    conclude_start(audit, login, batch, default_branch, &execution_name, begun)
}

/// What starting gave, whichever the target: a new run, or the one this request started
/// before (a redelivered event).
enum Begun {
    New(String),
    Existing { arn: String, status: String },
}

/// The reply, reaction and audit for a start, the same for Step Functions and ECS.
fn conclude_start(
    mut audit: Audit,
    login: &str,
    batch: &Batch,
    default_branch: &str,
    name: &str,
    begun: Result<Begun, aws_run::RunError>,
) -> Conclusion {
    match begun {
        Ok(Begun::New(arn)) => {
            audit.execution_arn = Some(arn.clone());
            let body = reply_body(
                login,
                &Reply::Started {
                    batch,
                    execution_arn: &arn,
                    execution_name: name,
                    default_branch,
                },
            );
            answered(audit, Outcome::Started, Some(Reaction::Rocket), body)
        }
        Ok(Begun::Existing { arn, status }) => {
            audit.execution_arn = Some(arn.clone());
            let body = reply_body(
                login,
                &Reply::AlreadyStarted {
                    batch,
                    execution_arn: &arn,
                    status: &status,
                    default_branch,
                },
            );
            // The rocket was likely left by the first delivery; adding it again is a no-op.
            answered(audit, Outcome::AlreadyStarted, Some(Reaction::Rocket), body)
        }
        Err(err) => {
            let code = if matches!(err, aws_run::RunError::NoRegion) {
                exit::USAGE
            } else {
                exit::FAILURE
            };
            failed(
                audit,
                err.to_string(),
                format!("{}.", escape(&err.to_string())),
                code,
            )
        }
    }
}

/// Reacts, replies, logs the audit line and writes the summary.
async fn conclude(
    env: &ActionsEnv,
    event: &IssueCommentEvent,
    c: Conclusion,
    stdout: &mut dyn Write,
) -> Result<u8, GithubError> {
    if let Some(text) = c.log {
        writeln!(
            stdout,
            "::error title=cronbridge::{}",
            crate::report::github::escape_data(text)
        )
        .map_err(GithubError::Stdout)?;
    }
    let client = env
        .token
        .as_ref()
        .and_then(|t| GitHub::new(&env.api_url, t, &env.repository).ok());
    if let Some(client) = &client {
        if let Some(reaction) = c.reaction
            && let Err(err) = client.react_to_comment(event.comment.id, reaction).await
        {
            eprintln!("cronbridge: could not react to the comment: {err}");
        }
        if let Some(body) = &c.reply
            && let Err(err) = client.create_issue_comment(event.issue.number, body).await
        {
            let text = format!(
                "cronbridge could not answer in the thread ({err}); give the job `permissions: issues: write` and `pull-requests: write`"
            );
            writeln!(
                stdout,
                "::warning title=cronbridge::{}",
                crate::report::github::escape_data(&text)
            )
            .map_err(GithubError::Stdout)?;
        }
    }
    record(env, &c.audit, stdout)?;
    Ok(c.code)
}

/// The audit line on stdout (the job log) and the same record in the job summary.
fn record(env: &ActionsEnv, audit: &Audit, stdout: &mut dyn Write) -> Result<(), GithubError> {
    writeln!(stdout, "{}", audit.line()).map_err(GithubError::Stdout)?;
    match &env.step_summary {
        Some(path) => env::append(path, &audit.markdown())?,
        None => eprintln!("cronbridge: GITHUB_STEP_SUMMARY is not set; no job summary written"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str) -> Command {
        Command::Run(name.to_string())
    }

    fn command(body: &str) -> Command {
        match parse(body) {
            Parsed::Command { command, .. } => command,
            other => panic!("{body:?}: {other:?}"),
        }
    }

    fn rejection(body: &str) -> Rejection {
        match parse(body) {
            Parsed::Rejected { reason, .. } => reason,
            other => panic!("{body:?}: {other:?}"),
        }
    }

    #[test]
    fn one_name_after_run() {
        assert_eq!(command("/run Backup"), run("Backup"));
        assert_eq!(command("/run help"), Command::Help);
        assert_eq!(command("/run  Daily.Report-2_b"), run("Daily.Report-2_b"));
        // Anywhere in the comment, with prose around it and CRLF line ends.
        assert_eq!(
            command("Could someone rerun it?\r\n/run Backup\r\nthanks"),
            run("Backup")
        );
    }

    #[test]
    fn trailing_ascii_white_space_is_allowed_and_other_spaces_are_not() {
        assert_eq!(command("/run Backup   "), run("Backup"));
        assert_eq!(command("/run Backup\t\r\n"), run("Backup"));
        assert_eq!(command("/run\tBackup"), run("Backup"));
        // U+3000 IDEOGRAPHIC SPACE (Japanese input), U+00A0 NO-BREAK SPACE (copy and paste).
        assert_eq!(
            rejection("/run\u{3000}Backup"),
            Rejection::OddSpace('\u{3000}')
        );
        assert_eq!(
            rejection("/run Backup\u{3000}"),
            Rejection::OddSpace('\u{3000}')
        );
        assert_eq!(rejection("/run\u{a0}Backup"), Rejection::OddSpace('\u{a0}'));
        assert_eq!(
            rejection("/run Backup\u{a0}"),
            Rejection::OddSpace('\u{a0}')
        );
    }

    #[test]
    fn anything_after_the_name_is_rejected() {
        assert_eq!(
            rejection("/run Backup; rm -rf /"),
            Rejection::ExtraText {
                name: "Backup;".into(),
                extra: "rm -rf /".into()
            }
        );
        assert_eq!(
            rejection("/run Backup now please"),
            Rejection::ExtraText {
                name: "Backup".into(),
                extra: "now please".into()
            }
        );
        assert_eq!(
            rejection("/run Backup;"),
            Rejection::BadName {
                name: "Backup;".into(),
                problem: NameProblem::Char(';')
            }
        );
        assert_eq!(
            rejection("/run $(curl evil)"),
            Rejection::ExtraText {
                name: "$(curl".into(),
                extra: "evil)".into()
            }
        );
        assert_eq!(rejection("/run"), Rejection::MissingName);
        assert_eq!(rejection("/run   "), Rejection::MissingName);
    }

    #[test]
    fn one_command_per_comment() {
        assert_eq!(rejection("/run Backup\n/run Other"), Rejection::Several(2));
        assert_eq!(
            rejection("/run Backup\r\n/run Backup"),
            Rejection::Several(2)
        );
    }

    #[test]
    fn look_alikes_and_invisible_characters_are_named() {
        // Cyrillic а (U+0430), full-width Ｂ (U+FF22), a zero-width space (U+200B).
        for (body, c) in [
            ("/run B\u{430}ckup", '\u{430}'),
            ("/run \u{ff22}ackup", '\u{ff22}'),
            ("/run Backup\u{200b}", '\u{200b}'),
        ] {
            match rejection(body) {
                Rejection::BadName {
                    problem: NameProblem::NonAscii(found),
                    ..
                } => assert_eq!(found, c, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        let text = rejection("/run B\u{430}ckup").markdown();
        assert!(text.contains("U+0430"), "{text}");
        assert!(matches!(
            rejection(&format!("/run {}", "a".repeat(65))),
            Rejection::BadName {
                problem: NameProblem::TooLong(65),
                ..
            }
        ));
    }

    #[test]
    fn only_lines_that_start_with_run_outside_code_count() {
        for body in [
            "",
            "LGTM",
            "please /run Backup",
            "> /run Backup",
            "  /run Backup",
            "/runner Backup",
            "/run-all",
            "/Run Backup",
            "```\n/run Backup\n```",
            "~~~~\n/run Backup\n~~~\n~~~~",
            "<!--\n/run Backup\n-->",
            "    /run Backup",
        ] {
            assert_eq!(parse(body), Parsed::NoCommand, "{body:?}");
        }
        assert_eq!(command("```\n/run Other\n```\n/run Backup"), run("Backup"));
        assert_eq!(command("<!-- hidden -->\n/run Backup"), run("Backup"));
    }

    #[test]
    fn rejections_escape_what_the_comment_said() {
        let r = rejection("/run Backup `@team` <img src=x> | x");
        let text = r.markdown();
        // Inside code spans HTML and mentions are inert; outside them nothing may remain.
        assert_eq!(text.matches('`').count() % 2, 0, "{text}");
        let outside: String = text.split('`').step_by(2).collect();
        assert!(
            !outside.contains("<img") && !outside.contains("@team"),
            "{text}"
        );
        assert!(text.contains("<img src=x> \\| x`"), "{text}");
        assert!(!text.contains('\n'));
    }

    fn batch(name: &str, description: &str, active: bool) -> Batch {
        let text = format!(
            "{name}:\n  cron: \"0 9 * * ? *\"\n  description: \"{description}\"\n  batch_class: \"Batches::Daily::{name}\"\n  is_active: {active}\n"
        );
        let (mut b, f) = schedule::load("schedules/a.yml", &text, &Settings::default());
        assert!(f.is_empty(), "{f:?}");
        b.remove(0)
    }

    #[test]
    fn replies_carry_the_batch_the_execution_and_a_link() {
        let b = batch("Backup", "バックアップ <b>@all</b>", false);
        let arn = "arn:aws:states:ap-northeast-1:123456789012:execution:batch:github-7-Backup";
        let body = reply_body(
            "octocat",
            &Reply::Started {
                batch: &b,
                execution_arn: arn,
                execution_name: "github-7-Backup",
                default_branch: "main",
            },
        );
        assert!(body.starts_with(MARKER), "{body}");
        assert!(body.contains("🚀 @octocat started `Backup` now."), "{body}");
        assert!(body.contains(&format!("| Execution | `{arn}` |")), "{body}");
        assert!(body.contains("(https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/arn:aws:states:"), "{body}");
        assert!(body.contains("inactive"), "{body}");
        assert!(!body.contains("<b>") && !body.contains("@all"), "{body}");
        let refused = reply_body(
            "octocat",
            &Reply::Refused {
                reason: "there is no batch `Bakup`".into(),
                help: did_you_mean(&["Backup".to_string()]),
            },
        );
        assert!(refused.contains("👎 @octocat, nothing was started: there is no batch `Bakup`."));
        assert!(refused.contains("Did you mean `Backup`?"), "{refused}");
        let help = reply_body(
            "octocat",
            &Reply::Help {
                batches: std::slice::from_ref(&b),
                default_branch: "main",
            },
        );
        assert!(help.contains("| `Backup` (inactive) | バックアップ &lt;b&gt;@\u{200B}all&lt;/b&gt; | `0 9 * * ? *` Asia/Tokyo |"), "{help}");
    }
}
