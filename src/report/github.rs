//! GitHub Actions workflow commands: one annotation per finding, on its line.
//!
//! Escaping follows the Actions toolkit: in the message `%`, CR and LF are percent-encoded;
//! in properties `:` and `,` are too, so a file name cannot inject another property.

use crate::finding::{Finding, Severity};

/// Escapes a workflow command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
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
        escape_property(&l.file),
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
        escape_property(&format!("cronbridge {}", f.rule))
    ));
    format!("::{command} {props}::{}", escape_data(&message))
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
