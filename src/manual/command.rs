//! The `/run` command in a comment: which lines are commands (as GitHub renders them: not in
//! code blocks, quotes or HTML comments), one command per comment, and exactly one ASCII batch
//! name. Everything else is a [`Rejection`] with its reason; nothing is started for it.

/// The longest batch name: a rule name has 64 characters.
pub const MAX_NAME_CHARS: usize = 64;

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
    // The closing tag of a raw HTML block (`<pre>`, `<script>`…) being skipped.
    let mut html_block: Option<&str> = None;
    // Inside a block quote's paragraph: a following line without `>` still belongs to it
    // (CommonMark's lazy continuation), and GitHub renders it inside the quote.
    let mut in_quote = false;
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
        if let Some(close) = html_block {
            if line.to_ascii_lowercase().contains(close) {
                html_block = None;
            }
            continue;
        }
        if indented <= 3
            && let Some(close) = raw_html_block(text)
        {
            if !text.to_ascii_lowercase().contains(close) {
                html_block = Some(close);
            }
            continue;
        }
        if text.trim().is_empty() {
            in_quote = false;
            continue;
        }
        if indented <= 3 && text.starts_with('>') {
            in_quote = !text[1..].trim().is_empty();
            continue;
        }
        if in_quote {
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

/// The closing tag when `text` opens one of CommonMark's raw HTML blocks of the first kind
/// (`<pre>`, `<script>`, `<style>`, `<textarea>`), whose lines GitHub shows as they are.
fn raw_html_block(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    [
        ("<pre", "</pre>"),
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<textarea", "</textarea>"),
    ]
    .into_iter()
    .find(|(open, _)| {
        lower
            .strip_prefix(open)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '>']))
    })
    .map(|(_, close)| close)
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
    if let Some(c) = name
        .chars()
        .find(|c| !crate::settings::is_rule_name_char(*c))
    {
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
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

impl Rejection {
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
        let text = rejection("/run B\u{430}ckup").summary();
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

    // `/run` inside `<pre>…</pre>` was a command, though GitHub shows it as preformatted text.
    #[test]
    fn a_command_inside_pre_is_not_a_command() {
        assert_eq!(parse("<pre>\n/run Backup\n</pre>"), Parsed::NoCommand);
        assert_eq!(
            parse("<PRE class=x>\n/run Backup\n</PRE>\n"),
            Parsed::NoCommand
        );
        assert_eq!(
            parse("<pre>/run Backup</pre>\n/run Other"),
            Parsed::Command {
                line: "/run Other",
                command: run("Other"),
            }
        );
    }

    // A quote's lazy continuation line was read as a command, though GitHub renders it
    // inside the quote.
    #[test]
    fn a_quotes_continuation_line_is_not_a_command() {
        assert_eq!(parse("> could you\n/run Backup"), Parsed::NoCommand);
        assert_eq!(
            parse("> quoted\n\n/run Backup"),
            Parsed::Command {
                line: "/run Backup",
                command: run("Backup"),
            }
        );
        assert_eq!(
            parse(">\n/run Backup"),
            Parsed::Command {
                line: "/run Backup",
                command: run("Backup"),
            }
        );
    }
}
