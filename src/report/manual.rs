//! Manual runs as people read them: the reply in the thread to `/run`, the reasons a
//! command is rejected, and the audit record as a log line and a job-summary section.

use super::escape::{
    log_inline, log_json, markdown_cell_code as cell, markdown_code as code, markdown_text,
};
use super::markdown::message;
use crate::manual::audit::{Audit, AuditOutcome};
use crate::manual::command::{MAX_NAME_CHARS, NameProblem, Rejection, code_point};
use crate::manual::flow::Refusal;
use crate::manual::request::Via;
use crate::schedule::Batch;

/// Starts every reply, so replies can be told from other comments.
pub const MARKER: &str = "<!-- cronbridge:run -->";

/// Why a `/run` line is not a command, in Markdown, with everything from the comment escaped.
pub fn rejection(reason: &Rejection) -> String {
    match reason {
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
            NameProblem::TooLong(n) => {
                format!("a batch name has at most {MAX_NAME_CHARS} characters; this one has {n}")
            }
        },
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
    match crate::manual::request::console_url(execution_arn) {
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
        .map(|d| format!(" — {}", markdown_text(d)))
        .unwrap_or_default();
    out.push_str(&format!("| Batch | {}{description} |\n", cell(&batch.name)));
    out.push_str(&format!("| Class | {} |\n", cell(&batch.batch_class)));
    let active = if batch.is_active {
        ""
    } else {
        " (inactive: `is_active: false`, so its schedule does not run)"
    };
    out.push_str(&format!(
        "| Schedule | {} {}{active} |\n",
        cell(&batch.cron_text),
        markdown_text(&batch.zone.name)
    ));
}

/// The reply comment. `login` was checked to be a GitHub login, so the mention is safe.
pub fn reply_body(login: &str, reply: &Reply<'_>) -> String {
    let mut out = format!("{MARKER}\n");
    let mention = if crate::settings::manual::is_login(login) {
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
            out.push_str(&format!("| Execution | {} |\n", cell(execution_arn)));
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
            out.push_str(&format!("| Execution | {} |\n", cell(execution_arn)));
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
                        cell(&b.name),
                        b.description
                            .as_deref()
                            .map(markdown_text)
                            .unwrap_or_default(),
                        cell(&b.cron_text),
                        markdown_text(&b.zone.name)
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

/// Why a manual run did not start, for a terminal: `error:` with `help:` and `note:` lines.
pub fn refusal_text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::SettingsErrors { file, count } => {
            let file = log_inline(file);
            format!(
            "error: the settings file `{file}` has {count} error(s); nothing is started until they are fixed (run `cronbridge check`)"
            )
        }
        Refusal::UnknownBatch {
            name,
            suggestions,
            broken,
        } => {
            let mut text = format!(
                "error: no batch `{}` in the schedule files",
                log_inline(name)
            );
            if !suggestions.is_empty() {
                let list: Vec<String> = suggestions.iter().map(|s| format!("`{}`", log_inline(s))).collect();
                text.push_str(&format!("\nhelp: did you mean {}?", list.join(" or ")));
            }
            if *broken > 0 {
                text.push_str(&format!("\nnote: the schedule files have {broken} error(s), and a batch with errors is not loaded; run `cronbridge check`"));
            }
            text
        }
        Refusal::Duplicate { name, files } => format!(
            "error: batch `{}` is defined in {}; fix the duplicate first (`cronbridge check`)",
            log_inline(name),
            log_inline(&files.join(" and "))
        ),
        Refusal::Inactive { name } => format!(
            "error: `{}` is inactive, and `manual_runs.allow_inactive` is false",
            log_inline(name)
        ),
        Refusal::Target(e) => format!("error: {}", log_inline(&e.to_string())),
        Refusal::Input(e) => format!("error: {}", log_inline(&e.to_string())),
        Refusal::OverrideOnEcs => "error: --input-override changes a Step Functions input, and `aws.target` is a direct ECS target, whose input is the container command".to_string(),
    }
}

/// Why a `/run` did not start, for the reply: the reason and the help, in Markdown, with
/// everything from the repository escaped.
pub fn refusal_reply(login: &str, refusal: &Refusal, default_branch: &str) -> String {
    let reply = match refusal {
        Refusal::SettingsErrors { file, count } => Reply::Failed {
            reason: format!(
                "the settings file {} on the default branch has {count} error(s), and it says who may start what; run `cronbridge check` and fix it first.",
                code(file)
            ),
        },
        Refusal::UnknownBatch {
            name,
            suggestions,
            broken,
        } => {
            let mut help = did_you_mean(suggestions);
            if *broken > 0 {
                let text = format!(
                    "The schedule files on the default branch have {broken} error(s); a batch with errors is not loaded."
                );
                help = Some(match help {
                    Some(h) => format!("{h} {text}"),
                    None => text,
                });
            }
            Reply::Refused {
                reason: format!(
                    "there is no batch {} on the default branch {} (a batch added by a pull request can be run once it is merged)",
                    code(name),
                    code(default_branch)
                ),
                help,
            }
        }
        Refusal::Duplicate { name, files } => {
            let files: Vec<String> = files.iter().map(|f| code(f)).collect();
            Reply::Refused {
                reason: format!(
                    "{} is defined in {} on the default branch; fix the duplicate first",
                    code(name),
                    files.join(" and ")
                ),
                help: None,
            }
        }
        Refusal::Inactive { name } => Reply::Refused {
            reason: format!(
                "{} is inactive (`is_active: false`), and the settings keep inactive batches from manual runs (`manual_runs.allow_inactive: false`)",
                code(name)
            ),
            help: None,
        },
        Refusal::Target(_) | Refusal::Input(_) | Refusal::OverrideOnEcs => Reply::Failed {
            reason: format!("{}.", message(&refusal.summary(), false)),
        },
    };
    reply_body(login, &reply)
}

/// What `cronbridge run` prints once the run has started: the batch, the execution (or task
/// and its `startedBy`) and the console link.
pub fn started_text(batch: &Batch, launch: &crate::manual::flow::Launch, arn: &str) -> String {
    use super::escape::log_inline;
    use crate::manual::flow::Launch;
    let description = batch
        .description
        .as_deref()
        .map(|d| format!(" ({})", log_inline(d)))
        .unwrap_or_default();
    let mut out = format!("Started {}{description}\n", log_inline(&batch.name));
    match launch {
        Launch::StepFunctions { .. } => {
            out.push_str(&format!("  execution: {}\n", log_inline(arn)));
        }
        Launch::Ecs { started_by, .. } => {
            out.push_str(&format!("  task:      {}\n", log_inline(arn)));
            out.push_str(&format!("  startedBy: {}\n", log_inline(started_by)));
        }
    }
    if let Some(url) = crate::manual::request::console_url(arn) {
        out.push_str(&format!("  console:   {}\n", log_inline(&url)));
    }
    out
}

/// The audit log line: one JSON object on one line, made log-safe: JSON escapes line breaks,
/// and [`log_json`] the `##[` and invisible characters it would leave raw, so nothing from a
/// comment can start a new line or a workflow command.
pub fn audit_line(audit: &Audit) -> String {
    // The reason can quote an API's error body, which a proxy may fill with headers.
    let mut audit = audit.clone();
    audit.reason = audit.reason.as_deref().map(super::escape::mask_secrets);
    let audit = &audit;
    let json = serde_json::to_string(audit).unwrap_or_else(|_| {
        // Serialising plain strings cannot fail; keep a line anyway.
        format!(
            "{{\"audit\":\"manual_run\",\"outcome\":\"{:?}\"}}",
            audit.outcome
        )
    });
    log_json(&json)
}

/// The audit record as a job-summary section: the same fields, escaped for Markdown.
pub fn audit_markdown(audit: &Audit) -> String {
    let mut rows = vec![
        ("when", cell(&audit.at)),
        ("who", cell(&audit.who)),
        (
            "via",
            match audit.via {
                Via::Cli => "terminal".to_string(),
                Via::GitHub => "comment".to_string(),
            },
        ),
    ];
    if let Some(c) = &audit.command {
        rows.push(("command", cell(c)));
    }
    if let Some(b) = &audit.batch {
        rows.push(("batch", cell(b)));
    }
    let outcome = match audit.outcome {
        AuditOutcome::Started => "started",
        AuditOutcome::AlreadyStarted => "already started (nothing new)",
        AuditOutcome::Refused => "refused",
        AuditOutcome::Failed => "failed",
        AuditOutcome::Help => "help",
    };
    rows.push(("outcome", outcome.to_string()));
    if let Some(r) = &audit.reason {
        rows.push(("reason", message(&super::escape::mask_secrets(r), true)));
    }
    if let Some(a) = &audit.execution_arn {
        rows.push(("execution", cell(a)));
    }
    if let Some(u) = &audit.request_url {
        rows.push(("request", cell(u)));
    }
    let mut out = String::from("### cronbridge: manual run\n\n| | |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manual::command::Parsed;
    use crate::manual::command::parse;
    use crate::schedule;
    use crate::settings::Settings;
    use serde_json::Value;

    fn rejection_of(body: &str) -> Rejection {
        match parse(body) {
            Parsed::Rejected { reason, .. } => reason,
            other => panic!("{body:?}: {other:?}"),
        }
    }

    #[test]
    fn rejections_escape_what_the_comment_said() {
        let r = rejection_of("/run Backup `@team` <img src=x> | x");
        let text = rejection(&r);
        // Inside code spans HTML and mentions are inert; the span's fence is longer than the
        // backticks inside, and outside a table a pipe needs no backslash (it would show).
        assert!(
            text.ends_with("found ` Backup ` followed by `` `@team` <img src=x> | x ``"),
            "{text}"
        );
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
        assert!(
            body.contains("🚀 @octocat started ` Backup ` now."),
            "{body}"
        );
        assert!(
            body.contains(&format!("| Execution | ` {arn} ` |")),
            "{body}"
        );
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
        assert!(refused.contains("Did you mean ` Backup `?"), "{refused}");
        let help = reply_body(
            "octocat",
            &Reply::Help {
                batches: std::slice::from_ref(&b),
                default_branch: "main",
            },
        );
        assert!(help.contains("| ` Backup ` (inactive) | バックアップ &lt;b&gt;@\u{200B}all&lt;/b&gt; | ` 0 9 * * ? * ` Asia/Tokyo |"), "{help}");
    }

    #[test]
    fn audit_lines_are_one_line_of_json_and_markdown_is_escaped() {
        let mut a = Audit::new(
            "2026-11-29T00:00:00.5Z".parse().unwrap(),
            Via::GitHub,
            "octocat",
            AuditOutcome::Refused,
        )
        .with_command("/run Backup\n::error::pwned | @team <b>");
        a.reason = Some("`x` is not a batch".into());
        let line = audit_line(&a);
        assert!(!line.contains('\n'), "{line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["outcome"], "refused");
        assert_eq!(v["at"], "2026-11-29T00:00:01Z");
        assert!(v.get("execution_arn").is_none());
        let md = audit_markdown(&a);
        // In a code span mentions and HTML are inert; the pipe cannot split the cell.
        assert!(md.contains("| reason | ` x ` is not a batch |"), "{md}");
        assert!(
            md.contains("| command | ` /run Backup ::error::pwned \\| @team <b> ` |"),
            "{md}"
        );
        assert_eq!(md.lines().filter(|l| l.starts_with("| command")).count(), 1);
        let long = Audit::new(
            jiff::Timestamp::UNIX_EPOCH,
            Via::Cli,
            "u",
            AuditOutcome::Help,
        )
        .with_command(&"x".repeat(300));
        assert_eq!(long.command.unwrap().chars().count(), 201);
    }

    // An API that echoes request headers put `Bearer <token>` into the audit line.
    #[test]
    fn tokens_in_an_audit_reason_are_masked() {
        let mut a = Audit::new(
            jiff::Timestamp::UNIX_EPOCH,
            Via::GitHub,
            "o",
            AuditOutcome::Failed,
        );
        a.reason = Some(
            "permission lookup: 401 Authorization: Bearer ghs_abcdefghijklmnopqrstuvwxyz0123456789"
                .into(),
        );
        for text in [audit_line(&a), audit_markdown(&a)] {
            assert!(!text.contains("ghs_abcdef"), "{text}");
            assert!(text.contains("***") || text.contains("\\*\\*\\*"), "{text}");
        }
    }
}
