//! A finding: one problem (or note) about the user's files, with where it is and how to fix it.
//!
//! Every output format renders the same list of findings. A finding cannot exist without a
//! primary location: the constructor takes one.

use serde::Serialize;
use std::fmt;

mod rule;

pub use rule::{Category, Rule};

/// How bad a finding is. Errors fail `check`; warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A place in a file: 1-based line and column (in characters) of the start, and of the end
/// (exclusive) when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path relative to the repository root, with `/` separators.
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    /// A location covering `line:column` to `end_line:end_column`.
    pub fn new(
        file: impl Into<String>,
        line: u32,
        column: u32,
        end_line: u32,
        end_column: u32,
    ) -> Location {
        Location {
            file: file.into(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The start of a file, for problems with the file as a whole.
    pub fn file_start(file: impl Into<String>) -> Location {
        Location::new(file, 1, 1, 1, 1)
    }

    /// The same line, columns shifted: for a span inside a one-line value such as a cron
    /// expression, `offset` characters into it and `len` long.
    pub fn inner(&self, offset: u32, len: u32) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: self.column + offset,
            end_line: self.line,
            end_column: self.column + offset + len.max(1),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// How often a finding about runs happens over the horizon: exact, however many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrences {
    /// What is counted, per rule: runs that start before the previous one ends, stretches of
    /// minutes over a group's limit, minutes with too many starts, runs in a quiet window.
    pub count: usize,
    /// The first and last occurrence (a run's start, a stretch's first minute); RFC 3339.
    #[serde(serialize_with = "as_text")]
    pub first: jiff::Timestamp,
    #[serde(serialize_with = "as_text")]
    pub last: jiff::Timestamp,
    /// The batches involved, by name, in file order.
    pub batches: Vec<String>,
}

fn as_text<S: serde::Serializer>(t: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

/// One problem, with its rule id, severity, message, location, related places and a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule it reports; serialised as its id, `schedule/unknown-key` say, under `code`.
    #[serde(rename = "code")]
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// Other places involved (the other batch of an overlap, the first definition of a
    /// duplicate), each with a short note.
    pub related: Vec<(Location, String)>,
    pub help: Option<String>,
    /// Whether the base revision already had this finding (set by `check --base`).
    pub preexisting: bool,
    /// For findings about runs (overlaps, quiet hours): how often, first and last, and the
    /// batches involved, counted over the whole horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<Occurrences>,
    /// Whose problem it is: the rule's, except that everything wrong with the settings file
    /// (its YAML too) is configuration (see [`Finding::in_settings`]).
    #[serde(skip)]
    pub category: Category,
}

impl Finding {
    pub fn new(
        rule: Rule,
        severity: Severity,
        location: Location,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message: message.into(),
            location,
            related: Vec::new(),
            help: None,
            preexisting: false,
            occurrences: None,
            category: rule.category(),
        }
    }

    /// The finding, as a problem of the settings file: whatever is wrong there (its YAML, a
    /// link, a value) is configuration.
    pub fn in_settings(mut self) -> Finding {
        self.category = Category::Config;
        self
    }

    /// A finding of `rule` at its default severity.
    pub fn of(rule: Rule, location: Location, message: impl Into<String>) -> Finding {
        Finding::new(rule, rule.severity(), location, message)
    }

    pub fn error(rule: Rule, location: Location, message: impl Into<String>) -> Finding {
        Finding::new(rule, Severity::Error, location, message)
    }

    pub fn warning(rule: Rule, location: Location, message: impl Into<String>) -> Finding {
        Finding::new(rule, Severity::Warning, location, message)
    }

    pub fn info(rule: Rule, location: Location, message: impl Into<String>) -> Finding {
        Finding::new(rule, Severity::Info, location, message)
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn occurrences(mut self, occurrences: Occurrences) -> Finding {
        self.occurrences = Some(occurrences);
        self
    }

    pub fn related(mut self, location: Location, note: impl Into<String>) -> Finding {
        self.related.push((location, note.into()));
        self
    }
}
