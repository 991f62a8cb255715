//! GitHub Actions workflow commands: one annotation per finding, on its line.
//!
//! Every value goes through [`command_property`] or [`command_message`]: percent-encoding as
//! the runner decodes it, and no control or invisible character.

use super::escape::{command_message, command_property, mask_secrets};
use crate::finding::{Finding, Severity};

/// A workflow command's level: what annotation it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// `::notice title=cronbridge::message` (or `::warning`, `::error`) without a location,
/// ending in a newline. The message may quote API error bodies, so secrets are masked.
pub fn message(level: Level, text: &str) -> String {
    format!(
        "::{} title=cronbridge::{}\n",
        level.command(),
        command_message(&mask_secrets(text))
    )
}

/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`
pub fn annotation(f: &Finding) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let l = &f.location;
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut props = format!(
        "file={},line={},col={}",
        command_property(&l.file),
        l.line,
        l.column
    );
    if l.end_line >= l.line && (l.end_line, l.end_column) > (l.line, l.column) {
        props.push_str(&format!(
            ",endLine={},endColumn={}",
            l.end_line, l.end_column
        ));
    }
    props.push_str(&format!(
        ",title={}",
        command_property(&format!("cronbridge {}", f.rule))
    ));
    format!("::{command} {props}::{}", command_message(&message))
}

/// All annotations, one per line.
pub fn annotations(findings: &[Finding]) -> String {
    findings.iter().map(|f| annotation(f) + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;

    #[test]
    fn plain_messages_are_one_command_line() {
        assert_eq!(
            message(Level::Notice, "a\n::error::x \u{1b}[2J Bearer abcdef"),
            "::notice title=cronbridge::a%0A::error::x \\u{1b}[2J Bearer ***\n"
        );
    }

    #[test]
    fn commands_are_escaped() {
        let f = Finding::of(
            crate::finding::Rule::YamlSyntax,
            Location::new("a,b:c.yml", 3, 5, 3, 9),
            "100% bad\r\nnext ::error::",
        )
        .help("fix");
        assert_eq!(
            annotation(&f),
            "::error file=a%2Cb%3Ac.yml,line=3,col=5,endLine=3,endColumn=9,title=cronbridge yaml/syntax::100%25 bad%0D%0Anext ::error::%0Ahelp: fix"
        );
    }
}
