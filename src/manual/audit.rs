//! The audit record of every manual-run request: who asked for what, when, and what came of
//! it. `report::manual` renders it as the log line and the job-summary section.

use super::request::Via;
use serde::Serialize;

/// What became of a request, for the audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// A new execution started.
    Started,
    /// This request had already started its execution (a redelivered event).
    AlreadyStarted,
    /// Not allowed or not understood; nothing was started.
    Refused,
    /// Allowed, but starting failed (AWS, configuration).
    Failed,
    /// `/run help`: nothing to start.
    Help,
}

/// One audit record: who asked for what, when, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// Always `manual_run`: what a log search filters on.
    pub audit: &'static str,
    /// When cronbridge handled the request (RFC 3339, UTC).
    pub at: String,
    pub via: Via,
    pub who: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The comment, for chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// The command as written (cut to 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    pub outcome: AuditOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
}

impl Audit {
    /// A record for `who` at `at`; the rest is filled in as the request is handled.
    pub fn new(at: jiff::Timestamp, via: Via, who: &str, outcome: AuditOutcome) -> Audit {
        Audit {
            audit: "manual_run",
            at: at.round(jiff::Unit::Second).unwrap_or(at).to_string(),
            via,
            who: who.to_string(),
            repository: None,
            request_url: None,
            command: None,
            batch: None,
            outcome,
            reason: None,
            execution_arn: None,
        }
    }

    /// Keeps the command as written, cut short: it came from a stranger's comment.
    pub fn with_command(mut self, command: &str) -> Audit {
        let mut text: String = command.chars().take(200).collect();
        if command.chars().count() > 200 {
            text.push('…');
        }
        self.command = Some(text);
        self
    }
}
