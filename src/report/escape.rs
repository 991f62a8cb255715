//! One escaper per output medium: GitHub Markdown (text, code spans, table cells), GitHub
//! workflow commands, the job log / terminal, and JSON printed to the log; plus masking of
//! tokens in untrusted error bodies. Every value that came from a user's files or an API goes
//! through exactly one of these on its way out, chosen by where it is written.
//!
//! # What the Actions runner parses in a log line
//!
//! Everything a step prints to stdout or stderr is read by the runner line by line
//! (`StreamReader.ReadLine` in `src/Runner.Sdk/ProcessInvoker.cs` of actions/runner: a line
//! ends at LF, CR or CRLF), and each line is offered to
//! `ActionCommandManager.TryProcessCommand` (`src/Runner.Worker/ActionCommandManager.cs`),
//! which tries two parsers from `src/Runner.Common/ActionCommand.cs`:
//!
//! - `TryParseV2`: `message.TrimStart()` (every `Char.IsWhiteSpace` character, the same set as
//!   Rust's [`char::is_whitespace`], ideographic space U+3000 included), then the line must
//!   start with `::`; the command runs up to the next `::`, properties are split on `,` and
//!   `=`, and the data after it is unescaped (`%0D`, `%0A`, then `%25`; properties also
//!   `%3A` and `%2C`).
//! - `TryParse`, the legacy form, only when `TryParseV2` failed: `message.IndexOf("##[")`
//!   **anywhere in the line**, the command up to the next `]`, properties split on `;`.
//!   `##[add-mask]`, `##[set-output name=a;]b` and `##[stop-commands]tok` all still work.
//!
//! Both searches (`IndexOf(string)`, `StartsWith(string)`) are .NET's culture-sensitive
//! overloads, and the runner does not turn on invariant globalization (its `.csproj` files
//! only set `PredefinedCulturesOnly=false`), so they go through ICU. ICU ignores characters
//! without collation weight: Microsoft's "Behavior changes when comparing strings on .NET 5+"
//! shows `"Hel\0lo".IndexOf("\0")` returning 0; the same holds for other controls, zero-width
//! and format characters and variation selectors. So `#\u{200B}#[` can match `##[`. The log escapers therefore never
//! rely on inserting an invisible character: they write a visible escape, and they look past
//! every character that may be ignored when deciding whether `#`, `#` and `[` (or `:` at the
//! start of a line) meet.

use std::fmt::Write as _;

/// Which control characters the caller lets through to a log unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keep {
    /// LF stays a line break (CRLF becomes LF; a lone CR is still shown as `\r`).
    pub newlines: bool,
    /// A tab stays a tab.
    pub tabs: bool,
}

impl Keep {
    /// Nothing: the value stays on one line.
    pub const NOTHING: Keep = Keep {
        newlines: false,
        tabs: false,
    };
    /// Tabs only: one line, laid out as in the source.
    pub const TABS: Keep = Keep {
        newlines: false,
        tabs: true,
    };
    /// Line breaks and tabs.
    pub const LINES: Keep = Keep {
        newlines: true,
        tabs: true,
    };
}

// ---------------------------------------------------------------------------------------------
// Character classes shared by the escapers.

/// Unicode's `Default_Ignorable_Code_Point` characters: invisible when displayed, and without
/// collation weight in ICU (so .NET's culture-sensitive search skips them).
fn is_default_ignorable(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// Invisible characters that real text needs and that are therefore kept: the zero-width
/// (non-)joiner (emoji sequences, Persian, Indic scripts) and variation selectors (emoji
/// presentation, Japanese ideographic variation sequences).
fn is_kept_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x200C | 0x200D | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF
    )
}

/// A character written as a visible escape in every medium: controls (C0, DEL, C1), every
/// invisible or reordering character (bidi controls, zero-width space, BOM, tags, Hangul
/// fillers) except the few that text needs, and the Unicode line and paragraph separators.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || (is_default_ignorable(c) && !is_kept_invisible(c))
}

/// A character that may pass through unescaped yet be skipped by the runner's culture-sensitive
/// search: only the kept invisible ones remain after escaping.
fn may_be_ignored(c: char) -> bool {
    is_kept_invisible(c)
}

/// `\t`, `\n`, `\r`, or `\u{1b}`: what a hidden character looks like in escaped text.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown.

/// GitHub Markdown text that stays text: safe in a paragraph, a list item, a heading, and a
/// table cell, at the start of a line or in the middle of one.
///
/// Guarantees, for any input:
/// - one line: CR, LF, CRLF, tabs and U+2028/U+2029 become a space; other control and
///   invisible characters (bidi controls, zero-width space, BOM) are shown as `\u{…}`;
/// - no raw HTML and no HTML comment: `<`, `>` and `&` become entities, so the output never
///   contains `<` (the bot's hidden `<!-- cronbridge:… -->` marker cannot be forged);
/// - no link, image, footnote, emphasis, strikethrough, code span or table cell break:
///   `` \ ` * _ [ ] ( ) ! ~ | `` are backslash-escaped (so neither `](` nor an unescaped `|`
///   appears);
/// - no autolink and no mention or reference: a zero-width space follows every `@`
///   (`@user`, `@org/team`, `@everyone`, e-mail addresses, `mailto:`), every `#` (`#12`,
///   `org/repo#12`, headings), the `:` of `://` and the `www` of `www.`, and the `-` of `GH-1`.
///   (GitHub finds mentions and references in the rendered text, after backslashes and entities
///   are decoded, so only a character in between stops them.)
/// - no new block: a leading space is written `&#32;` (no indented code), and a leading `-`,
///   `+`, `=` or the `.`/`)` of a leading `1.`/`1)` is backslash-escaped (no list, thematic
///   break or setext underline).
///
/// Letters, digits, spaces, CJK and most punctuation pass unchanged. Not handled: `$…$` math
/// (GitHub offers no escape for it) and `:emoji:` codes.
pub fn markdown_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    // Block syntax is only recognised at the start of the value (nothing here starts a line).
    let mut leading = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if leading {
            match c {
                ' ' | '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
                    out.push_str("&#32;");
                    i += if c == '\r' && next == Some('\n') {
                        2
                    } else {
                        1
                    };
                    continue;
                }
                '-' | '+' | '=' => {
                    out.push('\\');
                    out.push(c);
                    leading = false;
                    i += 1;
                    continue;
                }
                '0'..='9' => {
                    let digits = chars[i..].iter().take_while(|d| d.is_ascii_digit()).count();
                    out.extend(&chars[i..i + digits]);
                    i += digits;
                    if let Some(&p @ ('.' | ')')) = chars.get(i) {
                        out.push('\\');
                        out.push(p);
                        i += 1;
                    }
                    leading = false;
                    continue;
                }
                _ => leading = false,
            }
        }
        match c {
            '\r' if next == Some('\n') => {
                out.push(' ');
                i += 1;
            }
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if is_hidden(c) => {
                out.push('\\');
                push_visible(&mut out, c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                out.push(c);
                out.push('\u{200B}');
            }
            ':' if next == Some('/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str(":\u{200B}");
            }
            '.' if i >= 3 && chars[i - 3..i].iter().all(|w| matches!(w, 'w' | 'W')) => {
                out.push_str("\u{200B}.");
            }
            '-' if i >= 2
                && chars[i - 2].eq_ignore_ascii_case(&'g')
                && chars[i - 1].eq_ignore_ascii_case(&'h')
                && next.is_some_and(|d| d.is_ascii_digit()) =>
            {
                out.push_str("-\u{200B}");
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// A code span for use outside tables; see [`markdown_cell_code`] for one in a table cell.
///
/// Guarantees, for any input: the output is exactly one code span on one line. The fence is
/// one backtick longer than the longest run of backticks inside, and a space pads each side
/// (CommonMark strips exactly one from each), so the text can neither close the span early
/// nor touch the fence. CR, LF, tabs and U+2028/U+2029 become spaces (a line break could start
/// a new block before inline parsing even sees the span); other control and invisible
/// characters are shown as `\u{…}`. Inside a code span nothing is markup, so mentions, links
/// and HTML are inert; `<!` is still split with a zero-width space so the Markdown source
/// never contains an HTML comment opener that a search for the bot's marker could match.
pub fn markdown_code(text: &str) -> String {
    code_span(text, false)
}

/// A code span inside a GitHub table cell: as [`markdown_code`], and `|` is written `\|`.
///
/// GitHub splits table rows before parsing inline content; a `|` preceded by a backslash always
/// stays in the cell (cmark-gfm's `table_cell` scanner takes the longest match), and that one
/// backslash is removed again before the code span is read, so the span shows exactly the text.
/// Outside a table the backslash would show, hence the two functions.
pub fn markdown_cell_code(text: &str) -> String {
    code_span(text, true)
}

fn code_span(text: &str, in_table: bool) -> String {
    let mut body = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                body.push(' ');
            }
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => body.push(' '),
            c if is_hidden(c) => push_visible(&mut body, c),
            '<' if chars.peek() == Some(&'!') => body.push_str("<\u{200B}"),
            '|' if in_table => body.push_str("\\|"),
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if body.chars().all(|c| c == ' ') {
        // All spaces are kept as they are (CommonMark strips nothing then); empty becomes one.
        let body = if body.is_empty() { " " } else { &body };
        format!("{fence}{body}{fence}")
    } else {
        format!("{fence} {body} {fence}")
    }
}

/// A fenced code block (top level, not inside a list or a quote) holding `text` line by line;
/// `info` is the language tag (`diff`), reduced to ASCII letters, digits, `-` and `_`.
///
/// Guarantees, for any input: the fence is at least three backticks and longer than any run of
/// backticks in the text, so no line of the text can close the block; CRLF and lone CR become
/// LF, tabs stay, other control and invisible characters are shown as `\u{…}`; `<!` is split
/// with a zero-width space as in [`markdown_code`]. The output ends with a newline.
pub fn markdown_code_block(text: &str, info: &str) -> String {
    let mut body = String::with_capacity(text.len() + 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                body.push('\n');
            }
            '\n' | '\t' => body.push(c),
            c if is_hidden(c) => push_visible(&mut body, c),
            '<' if chars.peek() == Some(&'!') => body.push_str("<\u{200B}"),
            c => body.push(c),
        }
    }
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let info: String = info
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    format!("{fence}{info}\n{body}{fence}\n")
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands.

/// The value of a workflow command property (`file=…`, `title=…`).
///
/// Encodes `%`, CR, LF, `:` and `,` as the runner decodes them (`%25`, `%0D`, `%0A`, `%3A`,
/// `%2C`), so a value can neither end the property list (`::`), start another property (`,`)
/// nor another line; the runner gives back exactly the text. Other control and invisible
/// characters, which the runner would pass through, are shown as `\u{…}` instead.
pub fn command_property(text: &str) -> String {
    command_escape(text, true)
}

/// The message of a workflow command (after the second `::`).
///
/// Encodes `%`, CR and LF (`%25`, `%0D`, `%0A`), so a message cannot start another line and
/// keeps its line breaks in the annotation. Other control and invisible characters are shown as
/// `\u{…}`. The message may contain `::` and `##[`: the runner has already recognised the
/// line as a command by then and does not try the legacy parser on it.
pub fn command_message(text: &str) -> String {
    command_escape(text, false)
}

fn command_escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if is_hidden(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The job log and the terminal.

/// A value on one line of a log or terminal: [`log_text`] keeping nothing, so line breaks and
/// tabs are shown as `\n`, `\r` and `\t`.
pub fn log_inline(text: &str) -> String {
    log_text(text, Keep::NOTHING)
}

/// Text of several lines for a log or terminal: [`log_text`] keeping line breaks (CRLF becomes
/// LF) and tabs, with every line made safe.
pub fn log_lines(text: &str) -> String {
    log_text(text, Keep::LINES)
}

/// Text for stdout/stderr, which in GitHub Actions is the job log the runner parses.
///
/// Guarantees, for any input:
/// - no control character reaches the output except what `keep` allows: other C0 characters,
///   DEL and C1 (so no ESC: no colours, OSC 8 links, screen clears or title changes) and every
///   invisible or reordering character (bidi controls, zero-width space, BOM) are shown as
///   `\n`, `\r`, `\t` or `\u{1b}`;
/// - no line of the output starts with `:` once leading white space (and characters the
///   runner's search ignores) is skipped: such a `:` is written `\:`, so no line is a
///   workflow command (`::error::`, `::stop-commands::`, `::add-mask::`);
/// - no `#` is followed by `[`, even with ignorable characters between: such a `[` is written
///   `\[`, so no line contains the legacy `##[command]`.
///
/// The output is for reading, not for decoding: a backslash from the input is left as it is.
/// The guarantees hold for the value on its own; text the caller puts right before it must not
/// end with `#`, or with `:` when the value starts a line.
pub fn log_text(text: &str, keep: Keep) -> String {
    log_text_mapped(text, keep).0
}

/// [`log_text`], with where each input character's rendering starts in the output (in bytes,
/// one entry per input character plus one for the end), to place carets under escaped text.
pub(crate) fn log_text_mapped(text: &str, keep: Keep) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len() + 8);
    let mut offsets = Vec::with_capacity(text.len() + 1);
    // Only white space and ignorable characters so far on this output line.
    let mut line_start = true;
    // The last character written that the runner's search does not skip.
    let mut last: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        offsets.push(out.len());
        match c {
            '\r' if keep.newlines && chars.peek() == Some(&'\n') => {
                chars.next();
                offsets.push(out.len());
                out.push('\n');
                line_start = true;
                last = None;
            }
            '\n' if keep.newlines => {
                out.push('\n');
                line_start = true;
                last = None;
            }
            '\t' if keep.tabs => {
                out.push('\t');
                last = Some('\t');
            }
            c if is_hidden(c) => {
                push_visible(&mut out, c);
                line_start = false;
                last = out.chars().next_back();
            }
            ':' if line_start => {
                out.push_str("\\:");
                line_start = false;
                last = Some(':');
            }
            '[' if last == Some('#') => {
                out.push_str("\\[");
                line_start = false;
                last = Some('[');
            }
            c => {
                out.push(c);
                if !may_be_ignored(c) {
                    line_start = line_start && c.is_whitespace();
                    last = Some(c);
                }
            }
        }
    }
    offsets.push(out.len());
    (out, offsets)
}

/// Markdown from the escapers above, made safe to print to the job log as well (`check
/// --format markdown` on stdout): a code span or block may hold `##[` or a line starting with
/// `::`, which the runner would run.
///
/// Only those two are touched: a `[` after `#` (even with ignorable characters between) is
/// written `\[`, and a `:` that starts a line (after white space) `\:`. In Markdown text both
/// are plain escapes that render as the character; inside a code span the backslash shows,
/// which only hostile text ever needs. Everything else, the zero-width spaces that stop
/// mentions included, is kept, so the output is still the same Markdown for a file or a pipe.
/// `markdown` must already be escaped for Markdown (no control characters but line breaks).
pub fn log_markdown(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 8);
    let mut line_start = true;
    let mut last: Option<char> = None;
    for c in markdown.chars() {
        match c {
            '\n' => {
                out.push('\n');
                line_start = true;
                last = None;
            }
            ':' if line_start => {
                out.push_str("\\:");
                line_start = false;
                last = Some(':');
            }
            '[' if last == Some('#') => {
                out.push_str("\\[");
                line_start = false;
                last = Some('[');
            }
            c if is_default_ignorable(c) || may_be_ignored(c) => out.push(c),
            c => {
                out.push(c);
                line_start = line_start && c.is_whitespace();
                last = Some(c);
            }
        }
    }
    out
}

/// Serialized JSON made safe to print to the job log, still valid and the same JSON value.
///
/// Inside strings, `#` before `[` (even with ignorable characters between) is written
/// `\u0023`, and the characters serde_json leaves raw but a terminal or the runner would act
/// on (DEL, C1, invisible and reordering characters, U+2028/U+2029) become `\u` escapes
/// (surrogate pairs above U+FFFF). Outside strings JSON has no `#`; a `:` that would begin a
/// line is moved to the end of the previous one. `json` must be JSON (as serde_json writes
/// it); parsing the output gives the same value.
pub fn log_json(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + 8);
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        // Most of a report is ASCII that needs no decision: copied a stretch at a time.
        let plain = bytes[i..]
            .iter()
            .position(|&b| {
                if in_string {
                    matches!(b, b'"' | b'\\' | b'#') || !(0x20..0x7f).contains(&b)
                } else {
                    matches!(b, b'"' | b':')
                }
            })
            .unwrap_or(bytes.len() - i);
        out.push_str(&json[i..i + plain]);
        i += plain;
        let Some(c) = json[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if !in_string {
            if c == ':' {
                let line = out.rsplit('\n').next().unwrap_or("");
                if out.contains('\n') && line.chars().all(char::is_whitespace) {
                    out.truncate(out.trim_end().len());
                }
            }
            in_string = c == '"';
            out.push(c);
            continue;
        }
        match c {
            '\\' => {
                // An escape sequence is ASCII and copied as it is (`\"` does not end the string).
                out.push(c);
                if let Some(e) = json[i..].chars().next() {
                    out.push(e);
                    i += e.len_utf8();
                }
            }
            '"' => {
                in_string = false;
                out.push(c);
            }
            '#' if json[i..]
                .chars()
                .find(|n| !may_be_ignored(*n))
                .is_some_and(|n| n == '[') =>
            {
                out.push_str("\\u0023");
            }
            c if is_hidden(c) || may_be_ignored(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A value as pretty JSON that is safe to print to the job log: exactly
/// `log_json(&serde_json::to_string_pretty(value))`, written in one pass. A report of tens
/// of megabytes is not scanned a second time.
pub fn to_log_json(value: &impl serde::Serialize) -> String {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, LogFormatter::default());
    if value.serialize(&mut ser).is_err() {
        // Our reports are plain data: serialising them cannot fail.
        return String::new();
    }
    // Everything written came from `&str`s and ASCII escapes.
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json's pretty formatter, with [`log_json`]'s escapes inside strings: serde_json
/// hands over each stretch of a string between its own escapes, and a `#` that may start
/// `#[` is always followed by its `[` within the same stretch.
#[derive(Default)]
struct LogFormatter {
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl serde_json::ser::Formatter for LogFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Most stretches are printable ASCII without `#`: written as they are.
        if !fragment
            .bytes()
            .any(|b| b == b'#' || !(0x20..0x7f).contains(&b))
        {
            return writer.write_all(fragment.as_bytes());
        }
        let mut plain = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '#' => fragment[i + 1..]
                    .chars()
                    .find(|n| !may_be_ignored(*n))
                    .is_some_and(|n| n == '['),
                ' '..='~' => false,
                c => is_hidden(c) || may_be_ignored(c),
            };
            if !escape {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[plain..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            plain = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[plain..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets.

/// Replaces what looks like a credential with `***`, for API error bodies and other untrusted
/// text that may echo one back. Apply it before the medium's escaper.
///
/// Masked: the word after `Bearer` (any), the word after `token` when it looks like one (eight
/// or more token characters with a digit, or twenty or more), GitHub tokens (`ghp_`, `gho_`,
/// `ghs_`, `ghu_`, `ghr_`, `github_pat_` followed by eight or more characters) and AWS access
/// key ids (`AKIA`/`ASIA` and sixteen upper-case letters or digits). A heuristic, not a
/// guarantee: it cannot know a secret without a recognisable shape (an AWS secret key alone).
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut boundary = true;
    while let Some(c) = rest.chars().next() {
        if boundary && let Some((kept, len)) = secret_at(rest) {
            out.push_str(kept);
            out.push_str("***");
            rest = &rest[len..];
            boundary = false;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        boundary = !(c.is_alphanumeric() || c == '_');
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/' | '=')
}

/// At the start of `s` (a word boundary): the text to keep and the length of what it replaces.
fn secret_at(s: &str) -> Option<(&str, usize)> {
    let word_len = |s: &str, ok: fn(char) -> bool| s.find(|c: char| !ok(c)).unwrap_or(s.len());
    for prefix in ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"] {
        if let Some(after) = s.strip_prefix(prefix) {
            let n = word_len(after, |c| c.is_ascii_alphanumeric() || c == '_');
            if n >= 8 {
                return Some(("", prefix.len() + n));
            }
        }
    }
    for prefix in ["AKIA", "ASIA"] {
        if let Some(after) = s.strip_prefix(prefix) {
            let n = word_len(after, |c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if n == 16 && !after[n..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                return Some(("", prefix.len() + n));
            }
        }
    }
    for (keyword, always) in [("bearer", true), ("token", false)] {
        let Some(head) = s.get(..keyword.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(keyword) {
            continue;
        }
        let after = &s[keyword.len()..];
        let gap = word_len(after, |c| matches!(c, ' ' | '\t' | ':' | '='));
        if gap == 0 {
            continue;
        }
        let value = &after[gap..];
        let n = word_len(value, is_token_char);
        let looks_like_token =
            n >= 20 || (n >= 8 && value[..n].contains(|c: char| c.is_ascii_digit()));
        if n > 0 && (always || looks_like_token) {
            let kept = keyword.len() + gap;
            return Some((&s[..kept], kept + n));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hostile values: what a schedule file, a comment or an API error body could hold.
    const HOSTILE: &[&str] = &[
        "\n::error::x",
        "::stop-commands::tok",
        "  ::add-mask::x",
        "\u{3000}::error::x",
        "\u{200d}::error::x",
        "a\n\t::warning::b",
        "##[add-mask]x",
        "##[set-output name=a;]b",
        "x ##[stop-commands]tok",
        "#\u{200b}#[add-mask]x",
        "#\u{200d}#\u{fe0f}[x]",
        "#\0#[x]",
        "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
        "\x1b[2J",
        "\u{9b}2J",
        "\x07\x08\x7f",
        "@everyone",
        "@org/team",
        "ping @octocat now",
        "mail me@evil.example",
        "mailto:me@evil.example",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "![i](http://x)",
        "[^1]: note",
        "|",
        "a | b \\| c",
        "`",
        "``",
        "a ``` b",
        "````",
        "<!-- cronbridge:pull-request -->",
        "https://evil.example",
        "HTTPS://evil.example",
        "www.evil.example",
        "WwW.evil.example",
        "<https://x.example>",
        "GH-12 and #12 and org/repo#12",
        "\r",
        "a\rb",
        "a\r\nb",
        "\u{200d}",
        "\u{202e}txt.exe",
        "\u{feff}\u{200b}\u{2028}\u{2029}",
        "バックアップ（日次）",
        "# heading",
        "- item",
        "+ item",
        "1. item",
        "12) item",
        "> quote",
        "    code",
        "---",
        "===",
        "*a* _b_ ~c~",
        "\\",
        "%0A%25",
        "100%",
        "a,b:c",
        "\t",
        "\0",
        "",
    ];

    /// `s` without the characters the runner's culture-sensitive search may skip.
    fn significant(s: &str) -> String {
        s.chars().filter(|c| !may_be_ignored(*c)).collect()
    }

    /// What must hold for every line a log escaper writes.
    fn assert_log_line_safe(line: &str, tabs: bool) {
        for c in line.chars() {
            assert!(!c.is_control() || (tabs && c == '\t'), "{c:?} in {line:?}");
            assert!(!is_hidden(c) || (tabs && c == '\t'), "{c:?} in {line:?}");
        }
        let sig = significant(line);
        assert!(!sig.contains("#["), "{line:?}");
        assert!(!sig.trim_start().starts_with(':'), "{line:?}");
    }

    fn assert_markdown_text_safe(md: &str) {
        for c in md.chars() {
            assert!(!c.is_control(), "{c:?} in {md:?}");
            assert!(!is_hidden(c) || c == '\u{200B}', "{c:?} in {md:?}");
        }
        assert!(!md.contains(['<', '>']), "{md:?}");
        assert!(!md.contains("]("), "{md:?}");
        assert!(!md.contains("://"), "{md:?}");
        assert!(!md.to_ascii_lowercase().contains("www."), "{md:?}");
        // Our own entities aside, `#` and `@` are always followed by a zero-width space.
        let plain = md.replace("&#32;", " ");
        let chars: Vec<char> = plain.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let next = chars.get(i + 1);
            if matches!(c, '@' | '#') {
                assert_eq!(next, Some(&'\u{200B}'), "{md:?}");
            }
            if matches!(c, '|' | '`' | '*' | '_' | '[' | ']' | '~') {
                // Escaped: preceded by an odd number of backslashes.
                let slashes = chars[..i].iter().rev().take_while(|b| **b == '\\').count();
                assert!(slashes % 2 == 1, "unescaped {c:?} in {md:?}");
            }
        }
        let first = md.chars().next();
        assert!(
            !matches!(first, Some(' ' | '-' | '+' | '=' | '>')),
            "{md:?}"
        );
    }

    /// A code span: one fence, and what a CommonMark reader would take out of it.
    fn code_content(span: &str) -> String {
        assert!(!span.contains(['\n', '\r']), "{span:?}");
        assert!(!span.contains("<!"), "{span:?}");
        let n = span.chars().take_while(|c| *c == '`').count();
        assert!(n > 0 && span.len() > 2 * n, "{span:?}");
        let fence = "`".repeat(n);
        assert!(span.ends_with(&fence), "{span:?}");
        let inner = &span[n..span.len() - n];
        assert!(!inner.starts_with('`') && !inner.ends_with('`'), "{span:?}");
        let longest = inner.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        assert!(longest < n, "{span:?}");
        if inner.starts_with(' ') && inner.ends_with(' ') && !inner.chars().all(|c| c == ' ') {
            inner[1..inner.len() - 1].to_string()
        } else {
            inner.to_string()
        }
    }

    /// The runner's own unescaping (`ActionCommand.UnescapeProperty`), in its order.
    fn runner_unescape(s: &str, property: bool) -> String {
        let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
        if property {
            s = s.replace("%3A", ":").replace("%2C", ",");
        }
        s.replace("%25", "%")
    }

    fn assert_all_safe(s: &str) {
        let inline = log_inline(s);
        assert!(!inline.contains('\n'), "{inline:?}");
        assert_log_line_safe(&inline, false);
        for line in log_lines(s).split('\n') {
            assert_log_line_safe(line, true);
        }

        assert_markdown_text_safe(&markdown_text(s));
        let code = code_content(&markdown_code(s));
        // A code span shows plain text exactly as it is.
        if !s.chars().any(is_hidden) && !s.contains("<!") && !s.chars().all(|c| c == ' ') {
            assert_eq!(code, s);
        }
        let cell = markdown_cell_code(s);
        code_content(&cell);
        let chars: Vec<char> = cell.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if *c == '|' {
                assert!(i > 0 && chars[i - 1] == '\\', "{cell:?}");
            }
        }

        let block = markdown_code_block(s, "diff`\n");
        let lines: Vec<&str> = block.lines().collect();
        let fence = lines[0].trim_end_matches("diff");
        assert!(
            fence.len() >= 3 && fence.chars().all(|c| c == '`'),
            "{block:?}"
        );
        assert_eq!(lines.last(), Some(&fence), "{block:?}");
        assert!(block.ends_with('\n') && !block.contains(['\r']) && !block.contains("<!"));
        for line in &lines[1..lines.len() - 1] {
            let run = line.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            assert!(run < fence.len(), "{block:?}");
        }

        let property = command_property(s);
        assert!(!property.contains([':', ',', '\r', '\n']), "{property:?}");
        let message = command_message(s);
        assert!(!message.contains(['\r', '\n']), "{message:?}");
        // The runner gets back exactly the text, unless it had other controls (shown visibly).
        if s.chars().all(|c| !is_hidden(c) || c == '\r' || c == '\n') {
            assert_eq!(runner_unescape(&message, false), s);
            assert_eq!(runner_unescape(&property, true), s);
        }

        let value = serde_json::json!({ "s": s, "k#[": [s, 1], s: null });
        for json in [
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let safe = log_json(&json);
            assert_eq!(safe, log_json_reference(&json));
            if json.contains('\n') {
                assert_eq!(to_log_json(&value), safe);
            }
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            assert_eq!(back, value, "{safe}");
            for line in safe.split('\n') {
                assert_log_line_safe(line, false);
            }
        }
    }

    #[test]
    fn hostile_strings_are_inert_in_every_medium() {
        for s in HOSTILE {
            assert_all_safe(s);
        }
    }

    #[test]
    fn log_escapes_are_visible_and_minimal() {
        assert_eq!(log_inline("\n::error::x"), "\\n::error::x");
        assert_eq!(log_lines("\n::error::x"), "\n\\::error::x");
        assert_eq!(log_inline("  ::add-mask::x"), "  \\::add-mask::x");
        assert_eq!(log_inline("\u{3000}::x::y"), "\u{3000}\\::x::y");
        assert_eq!(log_inline("a::b"), "a::b");
        assert_eq!(log_inline("##[add-mask]x"), "##\\[add-mask]x");
        assert_eq!(
            log_inline("#\u{200d}#\u{fe0f}[x]"),
            "#\u{200d}#\u{fe0f}\\[x]"
        );
        assert_eq!(log_inline("#\u{200b}#[x]"), "#\\u{200b}#\\[x]");
        assert_eq!(log_inline("\x1b[2J"), "\\u{1b}[2J");
        assert_eq!(
            log_inline("\x1b]8;;http://evil\x1b\\x"),
            "\\u{1b}]8;;http://evil\\u{1b}\\x"
        );
        assert_eq!(log_inline("\u{9b}2J\u{7f}"), "\\u{9b}2J\\u{7f}");
        assert_eq!(log_inline("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(log_lines("a\r\nb\rc\td"), "a\nb\\rc\td");
        assert_eq!(log_inline("\u{202e}exe.txt"), "\\u{202e}exe.txt");
        // Ordinary text, Japanese included, is untouched.
        for s in [
            "バックアップ（日次） 0 9 * * ? *",
            "Batches::Daily::Backup",
            "C:\\temp #1 [info] 100%",
            "👨\u{200d}👩\u{200d}👧 ⚠\u{fe0f}",
        ] {
            assert_eq!(log_inline(s), s);
        }
    }

    #[test]
    fn log_offsets_point_at_each_character() {
        let (out, offsets) = log_text_mapped("a\x1b[漢", Keep::NOTHING);
        assert_eq!(out, "a\\u{1b}[漢");
        assert_eq!(offsets, vec![0, 1, 7, 8, 11]);
    }

    #[test]
    fn markdown_text_escapes_syntax_not_letters() {
        assert_eq!(
            markdown_text("バックアップ（日次）"),
            "バックアップ（日次）"
        );
        assert_eq!(markdown_text("Nightly backup 2"), "Nightly backup 2");
        assert_eq!(
            markdown_text("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert\\(1\\)&gt;"
        );
        assert_eq!(
            markdown_text("![i](http://x)"),
            "\\!\\[i\\]\\(http:\u{200B}//x\\)"
        );
        assert_eq!(markdown_text("@org/team"), "@\u{200B}org/team");
        assert_eq!(markdown_text("a\r\nb|c"), "a b\\|c");
        assert_eq!(markdown_text("www.x.example"), "www\u{200B}.x.example");
        assert_eq!(markdown_text("GH-12"), "GH-\u{200B}12");
        assert_eq!(markdown_text("  - x"), "&#32;&#32;\\- x");
        assert_eq!(markdown_text("1. x"), "1\\. x");
        assert_eq!(markdown_text("# x"), "#\u{200B} x");
        assert_eq!(markdown_text("a\u{202e}b"), "a\\\\u{202e}b");
        assert_eq!(markdown_text("&lt;"), "&amp;lt;");
    }

    #[test]
    fn code_spans_cannot_be_left() {
        assert_eq!(markdown_code("0 9 * * ? *"), "` 0 9 * * ? * `");
        assert_eq!(markdown_code("a`b"), "`` a`b ``");
        assert_eq!(markdown_code("``x"), "``` ``x ```");
        assert_eq!(markdown_code("a|b\nc"), "` a|b c `");
        assert_eq!(markdown_cell_code("a|b"), "` a\\|b `");
        assert_eq!(markdown_code(" a "), "`  a  `");
        assert_eq!(markdown_code(""), "` `");
        assert_eq!(markdown_code("  "), "`  `");
        assert_eq!(
            markdown_code("<!-- cronbridge -->"),
            "` <\u{200B}!-- cronbridge --> `"
        );
        assert_eq!(markdown_code("\x1b[2J"), "` \\u{1b}[2J `");
    }

    #[test]
    fn code_blocks_cannot_be_closed_from_inside() {
        assert_eq!(
            markdown_code_block("- a\r\n+ b", "diff"),
            "```diff\n- a\n+ b\n```\n"
        );
        assert_eq!(
            markdown_code_block("```\n<!-- x -->\n", "diff"),
            "````diff\n```\n<\u{200B}!-- x -->\n````\n"
        );
        assert_eq!(markdown_code_block("", "a b`c"), "```abc\n```\n");
    }

    #[test]
    fn workflow_commands_follow_the_runner() {
        assert_eq!(command_property("a,b:c%\r\n"), "a%2Cb%3Ac%25%0D%0A");
        assert_eq!(command_message("100% a:b,c\nnext"), "100%25 a:b,c%0Anext");
        assert_eq!(command_message("\x1b[2J"), "\\u{1b}[2J");
        assert_eq!(command_message("バックアップ"), "バックアップ");
    }

    #[test]
    fn markdown_on_the_log_keeps_its_markup() {
        assert_eq!(log_markdown("` ##[add-mask]x `"), "` ##\\[add-mask]x `");
        assert_eq!(log_markdown("a\n  ::error::x"), "a\n  \\::error::x");
        assert_eq!(log_markdown("#\u{200B}#[x"), "#\u{200B}#\\[x");
        let md = markdown_text("@everyone ##[x] | `a`");
        assert_eq!(log_markdown(&md), md);
        for s in HOSTILE {
            let md = format!("{}\n{}", markdown_text(s), markdown_code(s));
            for line in log_markdown(&md).lines() {
                // The runner's search also skips the zero-width spaces Markdown keeps.
                let sig: String = significant(line)
                    .chars()
                    .filter(|c| !is_default_ignorable(*c))
                    .collect();
                assert!(!sig.contains("#["), "{line:?}");
                assert!(!sig.trim_start().starts_with(':'), "{line:?}");
            }
        }
    }

    /// The first, character-at-a-time version: the fast one must write exactly what it wrote.
    fn log_json_reference(json: &str) -> String {
        let chars: Vec<char> = json.chars().collect();
        let mut out = String::with_capacity(json.len() + 8);
        let mut in_string = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_string {
                if c == ':' {
                    let line = out.rsplit('\n').next().unwrap_or("");
                    if out.contains('\n') && line.chars().all(char::is_whitespace) {
                        out.truncate(out.trim_end().len());
                    }
                }
                in_string = c == '"';
                out.push(c);
                i += 1;
                continue;
            }
            match c {
                '\\' => {
                    // An escape sequence is ASCII and copied as it is (`\"` does not end the string).
                    out.push(c);
                    if let Some(&e) = chars.get(i + 1) {
                        out.push(e);
                    }
                    i += 2;
                    continue;
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '#' if chars[i + 1..]
                    .iter()
                    .find(|n| !may_be_ignored(**n))
                    .is_some_and(|n| *n == '[') =>
                {
                    out.push_str("\\u0023");
                }
                c if is_hidden(c) || may_be_ignored(c) => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        out
    }

    #[test]
    fn json_stays_the_same_json() {
        let json = serde_json::to_string(&serde_json::json!({"a": "##[add-mask]x", "b": "\u{9b}"}))
            .unwrap();
        assert_eq!(
            log_json(&json),
            r##"{"a":"#\u0023[add-mask]x","b":"\u009b"}"##
        );
        assert_eq!(log_json("{\"a\"\n  : 1}"), "{\"a\": 1}");
        assert_eq!(log_json(r##"{"k":"\"#["}"##), r##"{"k":"\"\u0023["}"##);
        assert_eq!(log_json(r#"["日本語 #1"]"#), r#"["日本語 #1"]"#);
    }

    #[test]
    fn tokens_are_masked() {
        let cases = [
            ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
            (
                "token ghp_0123456789abcdefABCDEF0123456789abcd",
                "token ***",
            ),
            (
                "bad credentials ghs_16C7e42F292c6912E7710c838347Ae178B4a!",
                "bad credentials ***!",
            ),
            ("github_pat_11ABCDEFG0123456789_abcdef end", "*** end"),
            ("key AKIAIOSFODNN7EXAMPLE in use", "key *** in use"),
            ("ASIAIOSFODNN7EXAMPLE", "***"),
            ("x-access-token:gho_abcdefghij123", "x-access-token:***"),
            ("token=0123456789abcdef", "token=***"),
            // Words that only look like the start of a secret stay.
            (
                "the token expired, ghp_ is a prefix",
                "the token expired, ghp_ is a prefix",
            ),
            (
                "AKIA is an access key id prefix",
                "AKIA is an access key id prefix",
            ),
            (
                "tokens: 3, mytoken 1234567890",
                "tokens: 3, mytoken 1234567890",
            ),
            ("バックアップ token 失効", "バックアップ token 失効"),
        ];
        for (input, masked) in cases {
            assert_eq!(mask_secrets(input), masked, "{input}");
        }
    }

    /// Characters that matter to some medium, mixed with anything at all.
    fn hostile_text() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '\n', '\r', '\t', '\0', '\x1b', '\u{7f}', '\u{9b}', '\u{200b}', '\u{200d}', '\u{fe0f}',
            '\u{202e}', '\u{feff}', '\u{2028}', '\u{3000}', ' ', '#', '[', ']', '(', ')', ':', ',',
            '%', '@', '<', '>', '!', '|', '`', '\\', '/', '-', '+', '=', '.', '*', '_', '~', '&',
            '"', 'w', 'h', 'g', '1', '漢', 'ア',
        ]);
        prop::collection::vec(prop_oneof![4 => special, 1 => any::<char>()], 0..48)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn every_escaper_keeps_its_promise(s in hostile_text()) {
            assert_all_safe(&s);
        }
    }
}
