//! YAML text to a located tree: every node keeps the line and column where it starts and ends,
//! so the loaders of schedules, settings and policies can point at the exact characters.
//! Syntax errors and resource limits are findings here; what the values mean is the loaders'.

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use crate::finding::{Finding, Location, Rule};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use std::collections::HashMap;

/// The largest file read, in bytes. Schedules are a few kilobytes; anything near this is a
/// mistake or an attack.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The deepest nesting of mappings and sequences. Our files need four levels.
pub const MAX_DEPTH: usize = 64;
/// The most nodes a document may have once aliases are expanded: an alias to a large node
/// counts as a copy of it, which is what stops "billion laughs" documents.
pub const MAX_NODES: usize = 100_000;
/// The most bytes of scalar text a document may have once aliases are expanded: a hundred
/// aliases to a large string must not copy it a hundred times.
pub const MAX_EXPANDED_BYTES: usize = 8 * MAX_BYTES;

/// A position: 1-based line, and 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A node of the tree with where it is: from `start` to `end` (exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub start: Pos,
    pub end: Pos,
}

/// What a node holds. Scalars stay text; [`Scalar::resolve`] reads them with the YAML 1.2 core
/// schema when a loader asks for a type. An alias (`*name`) is a copy of the node it refers
/// to, with that node's locations: a problem in it is where it was written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in file order; keys are scalars and unique.
    Mapping(Vec<Entry>),
}

/// One `key: value` of a mapping. The key is always a scalar node.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The key's text.
    pub fn key_text(&self) -> &str {
        self.key.text().unwrap_or("")
    }
}

/// How a scalar was written. Only plain scalars can be booleans, numbers or null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// A scalar's text as YAML reads it (quotes removed, escapes applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: Style,
    /// The tag, when one was written (`!!str`).
    pub tag: Option<String>,
    /// Where `text` starts in the file when the file holds it character for character on one
    /// line (no escapes, no folding), so that a span inside the text maps to columns.
    verbatim: Option<Pos>,
}

/// A scalar read with the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(&'a str),
    Float(&'a str),
    String(&'a str),
}

impl Scalar {
    /// Reads the scalar as the YAML 1.2 core schema does: only plain scalars can be null,
    /// booleans or numbers, and `yes`/`no`/`on`/`off` are strings (they were booleans in
    /// YAML 1.1, which is why loaders give a hint for them).
    pub fn resolve(&self) -> Resolved<'_> {
        let t = self.text.as_str();
        if self.style != Style::Plain || self.tag.as_deref() == Some("!!str") {
            return Resolved::String(t);
        }
        match t {
            "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
            "true" | "True" | "TRUE" => Resolved::Bool(true),
            "false" | "False" | "FALSE" => Resolved::Bool(false),
            _ if is_int(t) => Resolved::Int(t),
            _ if is_float(t) => Resolved::Float(t),
            _ => Resolved::String(t),
        }
    }
}

fn is_int(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if let Some(oct) = t.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float(t: &str) -> bool {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [0-9]+(\.[0-9]*)? or \.[0-9]+, then an optional exponent.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

impl Node {
    /// Where the node is, in `file`.
    pub fn location(&self, file: &str) -> Location {
        Location::new(
            file,
            self.start.line,
            self.start.column,
            self.end.line,
            self.end.column,
        )
    }

    /// Where characters `offset..offset + len` of a scalar's text are, when the file holds
    /// the text verbatim on one line; else the whole node. The opening quote of a quoted
    /// scalar is accounted for.
    pub fn inner_location(&self, file: &str, offset: usize, len: usize) -> Location {
        match &self.value {
            Value::Scalar(Scalar {
                verbatim: Some(at), ..
            }) => {
                let column = at.column.saturating_add(to_u32(offset));
                Location::new(
                    file,
                    at.line,
                    column,
                    at.line,
                    column.saturating_add(to_u32(len.max(1))),
                )
            }
            _ => self.location(file),
        }
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar, whatever its type.
    pub fn text(&self) -> Option<&str> {
        self.scalar().map(|s| s.text.as_str())
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The entry with key `key`, when this is a mapping that has one.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key_text() == key)
    }

    /// Whether this is null: `~`, `null` or nothing at all.
    pub fn is_null(&self) -> bool {
        self.scalar().is_some_and(|s| s.resolve() == Resolved::Null)
    }

    /// What the node is, for "expected X, found Y" messages: `the string "yes"`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Mapping(_) => "a mapping".to_string(),
            Value::Sequence(_) => "a list".to_string(),
            Value::Scalar(s) => match s.resolve() {
                Resolved::Null if s.text.is_empty() => "nothing".to_string(),
                Resolved::Null => format!("null (`{}`)", s.text),
                Resolved::Bool(_) => format!("the boolean `{}`", s.text),
                Resolved::Int(t) | Resolved::Float(t) => format!("the number {t}"),
                Resolved::String(t) => format!("the string {}", quote(t)),
            },
        }
    }
}

/// `"text"`, cut to a readable length.
fn quote(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{:?}…", cut)
    } else {
        format!("{text:?}")
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The result of reading a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// No document at all: an empty file, or only comments.
    Empty,
    /// One document. Findings may still hold errors that did not stop the reading
    /// (duplicate keys, unsupported tags).
    Root(Node),
    /// The file could not be read; the findings say why.
    Invalid,
}

/// Reads YAML text into a located tree. `file` is the repository-relative path used in the
/// findings' locations. Whatever the input, it returns findings rather than panicking, and
/// stays within [`MAX_BYTES`], [`MAX_DEPTH`], [`MAX_NODES`] and [`MAX_EXPANDED_BYTES`].
pub fn parse(file: &str, text: &str) -> (Document, Vec<Finding>) {
    if text.len() > MAX_BYTES {
        let finding = Finding::of(
            Rule::YamlTooLarge,
            Location::file_start(file),
            format!(
                "the file is {} bytes; cronbridge reads YAML files of at most {MAX_BYTES} bytes (1 MiB)",
                text.len()
            ),
        )
        .help("split it into several files");
        return (Document::Invalid, vec![finding]);
    }
    // The parser counts a byte-order mark in its character index but not in its column;
    // without it, index and column agree.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder {
        file,
        cursor: Cursor {
            text,
            chars: 0,
            byte: 0,
        },
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: Size::default(),
        documents: 0,
        root: None,
        findings: Vec::new(),
    };
    match builder.run(text) {
        Ok(()) => {
            let doc = match builder.root {
                Some(root) => Document::Root(root),
                None => Document::Empty,
            };
            (doc, builder.findings)
        }
        Err(fatal) => {
            let mut findings = builder.findings;
            findings.push(*fatal);
            (Document::Invalid, findings)
        }
    }
}

/// A collection being built.
struct Frame {
    start: Pos,
    /// End of the last child: where a block collection ends.
    last_end: Pos,
    anchor: usize,
    /// The counts when the collection started, to know its expanded size at the end.
    before: Size,
    /// Nesting levels of collections below this one so far.
    child_height: usize,
    kind: FrameKind,
}

enum FrameKind {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<Entry>,
        key: Option<Node>,
        seen: HashMap<String, Location>,
    },
}

/// How much a node holds once its aliases are expanded.
#[derive(Clone, Copy, Default)]
struct Size {
    nodes: usize,
    /// Bytes of scalar text.
    bytes: usize,
}

/// A finished node with what the limits need to know about it.
struct Built {
    node: Node,
    size: Size,
    /// Nesting levels of collections in it (0 for a scalar).
    height: usize,
}

/// An anchored node, kept so that aliases can copy it.
struct Anchored {
    node: Node,
    size: Size,
    height: usize,
}

/// Maps the parser's character indices to byte offsets, moving forward through the text.
struct Cursor<'t> {
    text: &'t str,
    chars: usize,
    byte: usize,
}

impl Cursor<'_> {
    fn byte_of(&mut self, target: usize) -> Option<usize> {
        if target < self.chars {
            self.chars = 0;
            self.byte = 0;
        }
        let rest = self.text.get(self.byte..)?;
        let mut chars = rest.chars();
        while self.chars < target {
            let c = chars.next()?;
            self.byte += c.len_utf8();
            self.chars += 1;
        }
        Some(self.byte)
    }

    /// The source text between two character indices.
    fn slice(&mut self, from: usize, to: usize) -> Option<&str> {
        let a = self.byte_of(from)?;
        let b = self.byte_of(to)?;
        self.text.get(a..b)
    }
}

struct Builder<'f, 't> {
    file: &'f str,
    cursor: Cursor<'t>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Everything read so far, aliases expanded.
    total: Size,
    documents: usize,
    root: Option<Node>,
    /// Errors that do not stop the reading.
    findings: Vec<Finding>,
}

type Fatal = Box<Finding>;

fn pos(marker: saphyr_parser::Marker) -> Pos {
    Pos {
        line: to_u32(marker.line()),
        column: to_u32(marker.col().saturating_add(1)),
    }
}

fn tag_text(tag: Option<&Tag>) -> Option<String> {
    tag.map(|t| {
        if t.is_yaml_core_schema() {
            format!("!!{}", t.suffix)
        } else {
            t.to_string()
        }
    })
}

/// `line` with its value quoted, when the value is plain text that starts with a character
/// YAML reads as an indicator: `cron: */5 * * * ? *` is an alias to YAML, not a string.
fn quoted_fix(line: &str) -> Option<String> {
    let (key, value) = line.split_once(": ")?;
    let value = value.trim();
    let starts = value.chars().next()?;
    if !matches!(starts, '*' | '&' | '!' | '%' | '@' | '`') || key.trim().is_empty() {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
}

impl Builder<'_, '_> {
    fn at(&self, p: Pos) -> Location {
        Location::new(
            self.file,
            p.line,
            p.column,
            p.line,
            p.column.saturating_add(1),
        )
    }

    fn run(&mut self, text: &str) -> Result<(), Fatal> {
        // The parser's own `load` recurses once per nesting level; pulling events one by one
        // and keeping our own stack is what keeps deep input from overflowing the stack.
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| self.scan_error(&e))?;
            self.event(event, span)?;
        }
        Ok(())
    }

    fn scan_error(&self, e: &ScanError) -> Fatal {
        let mut at = self.at(pos(*e.marker()));
        // The scanner can point one line past the end (a directive with no document after
        // it); a finding points into the file. YAML breaks lines at LF, CRLF and a lone CR.
        let text = self.cursor.text;
        let lines = 1 + text.matches('\n').count() + text.matches('\r').count()
            - text.matches("\r\n").count();
        let lines = u32::try_from(lines).unwrap_or(u32::MAX);
        if at.line > lines {
            at = Location::new(self.file, lines, 1, lines, 2);
        }
        // The scanner has its own nesting limit for flow collections, above ours.
        if e.info() == "recursion limit exceeded" {
            return too_deep(at);
        }
        let line = self
            .cursor
            .text
            .lines()
            .nth(at.line.saturating_sub(1) as usize);
        let finding = Finding::of(
            Rule::YamlSyntax,
            at,
            format!("YAML syntax error: {}", e.info()),
        );
        Box::new(match line.and_then(quoted_fix) {
            Some(fixed) => finding.help(format!(
                "a value that starts with a YAML indicator (`*` is an alias, `&` an anchor, `!` a tag…) must be quoted: `{}`",
                fixed.trim()
            )),
            None => finding,
        })
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Fatal> {
        let start = pos(span.start);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Box::new(
                        Finding::of(
                            Rule::YamlMultipleDocuments,
                            self.at(start),
                            "the file has more than one YAML document; cronbridge reads only one",
                        )
                        .help("remove the `---` line, or move the second document to its own file"),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let size = Size {
                    nodes: 1,
                    bytes: text.len(),
                };
                self.count(size, start, false)?;
                let tag = tag_text(tag.as_deref());
                self.check_tag(tag.as_deref(), start, false);
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let verbatim = self.verbatim(&text, style, span);
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        style,
                        tag,
                        verbatim,
                    }),
                    start,
                    end: pos(span.end),
                };
                self.finish(
                    Built {
                        node,
                        size,
                        height: 0,
                    },
                    anchor,
                )?;
            }
            Event::Alias(id) => {
                let Some((size, height)) = self.anchors.get(&id).map(|a| (a.size, a.height)) else {
                    return Err(Box::new(Finding::of(
                        Rule::YamlSyntax,
                        self.at(start),
                        "YAML syntax error: this alias refers to the node that contains it",
                    )));
                };
                // Counted before copying, so a bomb is refused without building it.
                self.count(size, start, true)?;
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(too_deep(self.at(start)));
                }
                let Some(node) = self.anchors.get(&id).map(|a| a.node.clone()) else {
                    return Ok(());
                };
                self.finish(Built { node, size, height }, 0)?;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let (is_mapping, anchor, tag) = match event {
                    Event::MappingStart(anchor, tag) => (true, anchor, tag),
                    Event::SequenceStart(anchor, tag) => (false, anchor, tag),
                    _ => return Ok(()),
                };
                let before = self.total;
                self.count(Size { nodes: 1, bytes: 0 }, start, false)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(too_deep(self.at(start)));
                }
                self.check_tag(tag_text(tag.as_deref()).as_deref(), start, true);
                let kind = if is_mapping {
                    FrameKind::Mapping {
                        entries: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                } else {
                    FrameKind::Sequence(Vec::new())
                };
                self.stack.push(Frame {
                    start,
                    last_end: start,
                    anchor,
                    before,
                    child_height: 0,
                    kind,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                // A flow collection's end event covers its `]` or `}`; a block collection's is
                // empty and placed at whatever comes next, so its last child marks the end.
                let end = if span.is_empty() {
                    frame.last_end
                } else {
                    pos(span.end)
                };
                let value = match frame.kind {
                    FrameKind::Sequence(items) => Value::Sequence(items),
                    FrameKind::Mapping { entries, .. } => Value::Mapping(entries),
                };
                let built = Built {
                    node: Node {
                        value,
                        start: frame.start,
                        end,
                    },
                    size: Size {
                        nodes: self.total.nodes.saturating_sub(frame.before.nodes),
                        bytes: self.total.bytes.saturating_sub(frame.before.bytes),
                    },
                    height: frame.child_height + 1,
                };
                self.finish(built, frame.anchor)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Counts more nodes and text, and stops past the limits.
    fn count(&mut self, more: Size, at: Pos, alias: bool) -> Result<(), Fatal> {
        self.total.nodes = self.total.nodes.saturating_add(more.nodes);
        self.total.bytes = self.total.bytes.saturating_add(more.bytes);
        if self.total.nodes <= MAX_NODES && self.total.bytes <= MAX_EXPANDED_BYTES {
            return Ok(());
        }
        let at = self.at(at);
        Err(Box::new(if alias {
            Finding::of(
                Rule::YamlAliasBomb,
                at,
                format!(
                    "aliases here expand the document past {MAX_NODES} values or {} MiB of text; cronbridge refuses it",
                    MAX_EXPANDED_BYTES / MAX_BYTES
                ),
            )
            .help("write the values out instead of repeating them through `*` aliases")
        } else {
            Finding::of(
                Rule::YamlTooLarge,
                at,
                format!("the file has more than {MAX_NODES} values; cronbridge refuses it"),
            )
            .help("split it into several files")
        }))
    }

    /// Tags other than the core schema's would change what a value means in ways cronbridge
    /// does not follow (`!Ref` from CloudFormation, say), so they are errors.
    fn check_tag(&mut self, tag: Option<&str>, at: Pos, collection: bool) {
        let Some(tag) = tag else { return };
        let known: &[&str] = if collection {
            &["!!map", "!!seq"]
        } else {
            &["!!str", "!!null", "!!bool", "!!int", "!!float"]
        };
        if !known.contains(&tag) {
            self.findings.push(
                Finding::of(
                    Rule::YamlUnsupportedTag,
                    self.at(at),
                    format!("the YAML tag `{tag}` is not supported"),
                )
                .help("remove the tag; write plain values"),
            );
        }
    }

    /// Where a scalar's text starts when the source holds it character for character.
    fn verbatim(&mut self, text: &str, style: Style, span: Span) -> Option<Pos> {
        if span.start.line() != span.end.line() {
            return None;
        }
        let quote = match style {
            Style::SingleQuoted | Style::DoubleQuoted => 1,
            Style::Plain => 0,
            Style::Literal | Style::Folded => return None,
        };
        let from = span.start.index().checked_add(quote)?;
        let to = span.end.index().checked_sub(quote)?;
        if from > to || self.cursor.slice(from, to)? != text {
            return None;
        }
        let start = pos(span.start);
        Some(Pos {
            line: start.line,
            column: start.column.saturating_add(to_u32(quote)),
        })
    }

    /// Stores a finished node in its parent, or as the document.
    fn finish(&mut self, built: Built, anchor: usize) -> Result<(), Fatal> {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: built.node.clone(),
                    size: built.size,
                    height: built.height,
                },
            );
        }
        let file = self.file;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(built.node);
            return Ok(());
        };
        frame.last_end = built.node.end;
        frame.child_height = frame.child_height.max(built.height);
        match &mut frame.kind {
            FrameKind::Sequence(items) => items.push(built.node),
            FrameKind::Mapping { entries, key, seen } => match key.take() {
                None => {
                    if built.node.scalar().is_none() {
                        return Err(Box::new(
                            Finding::of(
                                Rule::YamlComplexKey,
                                built.node.location(file),
                                format!(
                                    "a key must be plain text, found {}",
                                    built.node.describe()
                                ),
                            )
                            .help("write the key as text"),
                        ));
                    }
                    *key = Some(built.node);
                }
                Some(k) => {
                    let text = k.text().unwrap_or("").to_string();
                    if let Some(first) = seen.get(&text) {
                        let shown = if text.is_empty() { "(empty)" } else { &text };
                        self.findings.push(
                            Finding::of(
                                Rule::YamlDuplicateKey,
                                k.location(file),
                                format!("duplicate key `{shown}`: this mapping already has it"),
                            )
                            .related(first.clone(), "first defined here")
                            .help("remove one of them, or rename it"),
                        );
                    } else {
                        seen.insert(text, k.location(file));
                        entries.push(Entry {
                            key: k,
                            value: built.node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

fn too_deep(at: Location) -> Fatal {
    Box::new(
        Finding::of(
            Rule::YamlTooDeep,
            at,
            format!("the YAML is nested more than {MAX_DEPTH} levels deep; cronbridge refuses it"),
        )
        .help("cronbridge files need only a few levels of nesting"),
    )
}

// ----- Helpers for the loaders -----

/// Collects the findings of one item (a batch, a quiet-hours entry) and remembers whether any
/// was an error, so the loader can drop the item and still report everything wrong with it.
pub struct Sink<'a> {
    pub findings: &'a mut Vec<Finding>,
    pub failed: bool,
}

impl<'a> Sink<'a> {
    pub fn new(findings: &'a mut Vec<Finding>) -> Sink<'a> {
        Sink {
            findings,
            failed: false,
        }
    }

    pub fn push(&mut self, finding: Finding) {
        if finding.severity == crate::finding::Severity::Error {
            self.failed = true;
        }
        self.findings.push(finding);
    }

    /// The value, or `None` after recording the error.
    pub fn take<T>(&mut self, result: Result<T, Finding>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(f) => {
                self.push(f);
                None
            }
        }
    }
}

fn type_error(node: &Node, file: &str, rule: Rule, what: &str, expected: &str) -> Finding {
    Finding::error(
        rule,
        node.location(file),
        format!("{what}: expected {expected}, found {}", node.describe()),
    )
}

/// The entries of a mapping, else a type error about `what` (e.g. "`scope`").
pub fn expect_map<'n>(
    node: &'n Node,
    file: &str,
    rule: Rule,
    what: &str,
) -> Result<&'n [Entry], Finding> {
    node.entries()
        .ok_or_else(|| type_error(node, file, rule, what, "a mapping"))
}

/// The items of a sequence, else a type error.
pub fn expect_seq<'n>(
    node: &'n Node,
    file: &str,
    rule: Rule,
    what: &str,
) -> Result<&'n [Node], Finding> {
    node.items().ok_or_else(|| {
        let err = type_error(node, file, rule, what, "a list");
        if node.scalar().is_some() && !node.is_null() {
            err.help("write a list: `[a, b]`, or one `- item` per line")
        } else {
            err
        }
    })
}

/// A string, else a type error. Plain `5`, `true` or `~` are not strings in YAML; the help
/// says to quote them when that was meant.
pub fn expect_str<'n>(
    node: &'n Node,
    file: &str,
    rule: Rule,
    what: &str,
) -> Result<&'n str, Finding> {
    match node.scalar().map(|s| (s, s.resolve())) {
        Some((_, Resolved::String(t))) => Ok(t),
        Some((_, Resolved::Null)) => {
            Err(type_error(node, file, rule, what, "a string")
                .help("give a value, or remove the key"))
        }
        Some((s, _)) => Err(type_error(node, file, rule, what, "a string")
            .help(format!("quote it if it is meant as text: \"{}\"", s.text))),
        None => Err(type_error(node, file, rule, what, "a string")),
    }
}

/// A boolean, else a type error that explains YAML 1.2's booleans when a YAML 1.1 word such
/// as `yes` was written.
pub fn expect_bool(node: &Node, file: &str, rule: Rule, what: &str) -> Result<bool, Finding> {
    let Some(scalar) = node.scalar() else {
        return Err(type_error(node, file, rule, what, "true or false"));
    };
    match scalar.resolve() {
        Resolved::Bool(b) => Ok(b),
        Resolved::String(t) => {
            let err = type_error(node, file, rule, what, "true or false");
            let meant = match t.to_ascii_lowercase().as_str() {
                "yes" | "y" | "on" | "true" => Some(true),
                "no" | "n" | "off" | "false" => Some(false),
                _ => None,
            };
            Err(match meant {
                Some(b) => err.help(format!(
                    "YAML 1.2 reads only plain `true` and `false` as booleans; write `{b}` without quotes"
                )),
                None => err.help("write `true` or `false`"),
            })
        }
        _ => {
            Err(type_error(node, file, rule, what, "true or false").help("write `true` or `false`"))
        }
    }
}

/// A whole number from 1 to `u32::MAX`, else an error.
pub fn expect_positive(node: &Node, file: &str, rule: Rule, what: &str) -> Result<u32, Finding> {
    let expected = "a whole number of at least 1";
    match node.scalar().map(Scalar::resolve) {
        Some(Resolved::Int(t)) => match t.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(Finding::error(
                rule,
                node.location(file),
                format!("{what}: expected {expected}, found {t}"),
            )),
        },
        Some(Resolved::String(t)) if t.parse::<u32>().is_ok() => {
            Err(type_error(node, file, rule, what, expected)
                .help(format!("write {t} without quotes")))
        }
        _ => Err(type_error(node, file, rule, what, expected)),
    }
}

/// The closest of `candidates` to `word`, when one is close enough to be a likely typo.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let word_squashed = squash(word);
    let word_lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        // `isActive`, `is-active` and `IS_ACTIVE` are all `is_active`.
        let score = if squash(candidate) == word_squashed {
            2.0
        } else {
            strsim::jaro_winkler(&word_lower, &candidate.to_lowercase())
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

/// Errors for keys of `entries` that are not in `allowed`, each with a "did you mean" hint.
/// `what` names the mapping in the message: "batch `Backup`".
pub fn unknown_keys(
    entries: &[Entry],
    allowed: &[&str],
    file: &str,
    rule: Rule,
    what: &str,
) -> Vec<Finding> {
    entries
        .iter()
        .filter(|e| !allowed.contains(&e.key_text()))
        .map(|e| {
            let key = e.key_text();
            let finding = Finding::error(
                rule,
                e.key.location(file),
                format!("unknown key `{key}` in {what}"),
            );
            if key == "<<" {
                finding.help("YAML merge keys (`<<`) are not supported; write the keys out")
            } else if let Some(s) = suggest(key, allowed.iter().copied()) {
                finding.help(format!("did you mean `{s}`?"))
            } else {
                finding.help(format!("the keys are: {}", allowed.join(", ")))
            }
        })
        .collect()
}

/// An error at `at` (the mapping's name or start) for a required key that is missing.
pub fn missing_key(at: Location, rule: Rule, key: &str, what: &str) -> Finding {
    Finding::error(
        rule,
        at,
        format!("{what} has no `{key}`, which is required"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use std::time::{Duration, Instant};

    fn root(text: &str) -> Node {
        match parse("f.yml", text) {
            (Document::Root(n), f) if f.is_empty() => n,
            other => panic!("{other:?}"),
        }
    }

    fn only_finding(text: &str) -> Finding {
        let (_, findings) = parse("f.yml", text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings.into_iter().next().unwrap()
    }

    #[test]
    fn positions_are_one_based_characters() {
        let n = root("# c\nBackup:\n  cron: \"0 9 * * ? *\"\n  desc: バックアップ\n  x: y\n");
        let batch = &n.entry("Backup").unwrap().value;
        assert_eq!(batch.start, Pos { line: 3, column: 3 });
        assert_eq!(batch.end, Pos { line: 5, column: 7 });
        let cron = &batch.entry("cron").unwrap().value;
        assert_eq!(cron.start, Pos { line: 3, column: 9 });
        assert_eq!(
            cron.end,
            Pos {
                line: 3,
                column: 22
            }
        );
        // Inside the quotes: `9` is the third character of the text.
        let loc = cron.inner_location("f.yml", 2, 1);
        assert_eq!((loc.line, loc.column, loc.end_column), (3, 12, 13));
        let x = &batch.entry("x").unwrap();
        // Columns count characters, not bytes: the line above has multi-byte text.
        assert_eq!(x.key.start, Pos { line: 5, column: 3 });
        let desc = &batch.entry("desc").unwrap().value;
        assert_eq!((desc.start.column, desc.end.column), (9, 15));
    }

    #[test]
    fn inner_location_falls_back_to_the_node_when_not_verbatim() {
        let n = root("a: \"x\\ty\"\nb: |\n  text\n");
        let a = &n.entry("a").unwrap().value;
        assert_eq!(a.inner_location("f.yml", 1, 1), a.location("f.yml"));
        let b = &n.entry("b").unwrap().value;
        assert_eq!(b.inner_location("f.yml", 1, 1), b.location("f.yml"));
    }

    #[test]
    fn flow_collection_ends_after_its_bracket() {
        let n = root("tags: [a, b]\n");
        let tags = &n.entry("tags").unwrap().value;
        assert_eq!((tags.start.column, tags.end.column), (7, 13));
    }

    #[test]
    fn core_schema_booleans_and_strings() {
        let n = root("a: true\nb: yes\nc: 'true'\nd: ~\ne:\nf: 12\ng: 1.5\nh: !!str 12\ni: 0x1F\n");
        let r = |k: &str| n.entry(k).unwrap().value.scalar().unwrap().resolve();
        assert_eq!(r("a"), Resolved::Bool(true));
        assert_eq!(r("b"), Resolved::String("yes"));
        assert_eq!(r("c"), Resolved::String("true"));
        assert_eq!(r("d"), Resolved::Null);
        assert_eq!(r("e"), Resolved::Null);
        assert_eq!(r("f"), Resolved::Int("12"));
        assert_eq!(r("g"), Resolved::Float("1.5"));
        assert_eq!(r("h"), Resolved::String("12"));
        assert_eq!(r("i"), Resolved::Int("0x1F"));
        assert!(!is_float("."));
        assert!(!is_float("1e"));
        assert!(is_float("-.5e3"));
    }

    #[test]
    fn empty_and_comment_only_files_are_empty() {
        assert_eq!(parse("f.yml", ""), (Document::Empty, vec![]));
        assert_eq!(parse("f.yml", "# nothing\n\n"), (Document::Empty, vec![]));
    }

    #[test]
    fn byte_order_mark_does_not_shift_columns() {
        let n = root("\u{feff}a: \"xy\"\n");
        let a = &n.entry("a").unwrap().value;
        assert_eq!(a.inner_location("f.yml", 1, 1).column, 6);
    }

    // Unquoted `cron: */5 * * * ? *` said only "found unknown anchor"; the fix is to quote it.
    #[test]
    fn an_unquoted_value_that_yaml_reads_as_an_alias_says_to_quote_it() {
        for (text, fixed) in [
            ("A:\n  cron: */5 * * * ? *\n", "cron: \"*/5 * * * ? *\""),
            ("A:\n  cron: * 9 * * ? *\n", "cron: \"* 9 * * ? *\""),
        ] {
            let f = only_finding(text);
            assert_eq!(f.rule, Rule::YamlSyntax);
            assert_eq!(f.location.line, 2, "{text}");
            let help = f.help.unwrap_or_default();
            assert!(help.contains(fixed), "{text}: {help}");
        }
    }

    #[test]
    fn syntax_error_is_located() {
        let f = only_finding("a:\n  b: 1\n c: 2\n");
        assert_eq!(f.rule, Rule::YamlSyntax);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!((f.location.line, f.location.column), (3, 2));
        assert!(
            f.message.starts_with("YAML syntax error: "),
            "{}",
            f.message
        );
    }

    #[test]
    fn unterminated_quote_is_a_syntax_error() {
        let f = only_finding("a: \"open\nb: c\n");
        assert_eq!(f.rule, Rule::YamlSyntax);
        assert_eq!(f.location.line, 1);
    }

    #[test]
    fn duplicate_key_points_at_the_second_with_the_first_related() {
        let (doc, findings) = parse("f.yml", "a: 1\nb: 2\na: 3\n");
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule, Rule::YamlDuplicateKey);
        assert_eq!((f.location.line, f.location.column), (3, 1));
        assert_eq!(f.related[0].0.line, 1);
        assert!(f.message.contains("`a`"));
        // The first definition is kept.
        let Document::Root(n) = doc else { panic!() };
        assert_eq!(n.entries().unwrap().len(), 2);
        assert_eq!(n.entry("a").unwrap().value.text(), Some("1"));
    }

    #[test]
    fn quoted_and_plain_keys_are_the_same_key() {
        let f = only_finding("a: 1\n\"a\": 2\n");
        assert_eq!(f.rule, Rule::YamlDuplicateKey);
        assert_eq!((f.location.line, f.location.column), (2, 1));
    }

    #[test]
    fn second_document_is_an_error() {
        let f = only_finding("a: 1\n---\nb: 2\n");
        assert_eq!(f.rule, Rule::YamlMultipleDocuments);
        assert_eq!((f.location.line, f.location.column), (2, 1));
    }

    #[test]
    fn explicit_single_document_is_fine() {
        let n = root("---\na: 1\n...\n");
        assert!(n.entry("a").is_some());
    }

    #[test]
    fn too_large_file_is_refused() {
        let text = format!("a: \"{}\"\n", "x".repeat(MAX_BYTES));
        let f = only_finding(&text);
        assert_eq!(f.rule, Rule::YamlTooLarge);
        assert_eq!((f.location.line, f.location.column), (1, 1));
    }

    #[test]
    fn too_many_nodes_is_refused() {
        let text = format!("[{}]", "1,".repeat(MAX_NODES + 1));
        let f = only_finding(&text);
        assert_eq!(f.rule, Rule::YamlTooLarge);
    }

    #[test]
    fn deep_flow_nesting_does_not_crash() {
        let text = "[".repeat(100_000);
        let f = only_finding(&text);
        assert_eq!(f.rule, Rule::YamlTooDeep);
        assert_eq!(f.location.line, 1);
        let text = "{a: ".repeat(100_000);
        assert_eq!(only_finding(&text).rule, Rule::YamlTooDeep);
    }

    #[test]
    fn deep_block_nesting_does_not_crash() {
        let text = "- ".repeat(100_000);
        let f = only_finding(&text);
        assert_eq!(f.rule, Rule::YamlTooDeep);
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        assert_eq!(only_finding(&text).rule, Rule::YamlTooDeep);
    }

    #[test]
    fn depth_at_the_limit_is_fine() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        root(&text);
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let started = Instant::now();
        let f = only_finding(&text);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(f.rule, Rule::YamlAliasBomb);
        assert_eq!(f.severity, Severity::Error);
    }

    #[test]
    fn alias_to_a_large_string_is_refused_without_copying_it() {
        // 100 kB of text, repeated through 1,000 aliases: 100 MB if copied.
        let text = format!(
            "a: &a \"{}\"\nb: [{}]\n",
            "x".repeat(100_000),
            vec!["*a"; 1_000].join(",")
        );
        let f = only_finding(&text);
        assert_eq!(f.rule, Rule::YamlAliasBomb);
        assert_eq!(f.location.line, 2);
    }

    #[test]
    fn aliases_are_expanded() {
        let n = root("base: &t [x, y]\nother: *t\n");
        assert_eq!(n.entry("other").unwrap().value.items().unwrap().len(), 2);
    }

    #[test]
    fn alias_cannot_deepen_past_the_limit() {
        let half = MAX_DEPTH / 2 + 1;
        let text = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(half),
            "]".repeat(half),
            "[".repeat(half),
            "]".repeat(half)
        );
        assert_eq!(only_finding(&text).rule, Rule::YamlTooDeep);
    }

    #[test]
    fn custom_tags_are_errors() {
        let f = only_finding("a: !Ref x\n");
        assert_eq!(f.rule, Rule::YamlUnsupportedTag);
        assert_eq!((f.location.line, f.location.column), (1, 4));
    }

    #[test]
    fn complex_keys_are_errors() {
        let f = only_finding("? [a]\n: b\n");
        assert_eq!(f.rule, Rule::YamlComplexKey);
    }

    #[test]
    fn type_errors_describe_what_was_found() {
        let n = root("a: yes\nb: \"true\"\nc: 5\nd: [1]\n");
        let get = |k: &str| &n.entry(k).unwrap().value;
        let f = expect_bool(get("a"), "f.yml", Rule::ScheduleWrongType, "`is_active`").unwrap_err();
        assert_eq!(
            f.message,
            "`is_active`: expected true or false, found the string \"yes\""
        );
        assert!(f.help.unwrap().contains("YAML 1.2"));
        assert_eq!((f.location.line, f.location.column), (1, 4));
        let f = expect_bool(get("b"), "f.yml", Rule::ScheduleWrongType, "`is_active`").unwrap_err();
        assert!(f.help.unwrap().contains("without quotes"));
        let f = expect_str(get("c"), "f.yml", Rule::ScheduleWrongType, "`group`").unwrap_err();
        assert!(f.message.contains("found the number 5"));
        assert!(f.help.unwrap().contains("\"5\""));
        assert!(
            expect_map(get("d"), "f.yml", Rule::ScheduleWrongType, "`x`")
                .unwrap_err()
                .message
                .contains("found a list")
        );
        assert_eq!(
            expect_positive(get("c"), "f.yml", Rule::ScheduleWrongType, "`n`").unwrap(),
            5
        );
        assert!(expect_positive(get("b"), "f.yml", Rule::ScheduleWrongType, "`n`").is_err());
    }

    #[test]
    fn suggestions() {
        let keys = ["cron", "description", "batch_class", "is_active"];
        assert_eq!(suggest("isActive", keys), Some("is_active"));
        assert_eq!(suggest("is_activ", keys), Some("is_active"));
        assert_eq!(suggest("crn", keys), Some("cron"));
        assert_eq!(suggest("zzzz", keys), None);
    }

    #[test]
    fn unknown_keys_have_hints() {
        let n = root("cron: x\nis_actve: true\nfoo: 1\n<<: {}\n");
        let f = unknown_keys(
            n.entries().unwrap(),
            &["cron", "is_active"],
            "f.yml",
            Rule::ScheduleUnknownKey,
            "batch `B`",
        );
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].help.as_deref(), Some("did you mean `is_active`?"));
        assert_eq!((f[0].location.line, f[0].location.column), (2, 1));
        assert!(f[1].help.as_deref().unwrap().contains("cron, is_active"));
        assert!(f[2].help.as_deref().unwrap().contains("merge keys"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever the text, reading it returns findings instead of panicking, and every
        /// position is 1-based.
        #[test]
        fn never_panics(text in "[-:\\[\\]{}&*!|>'\" a-zA-Z0-9#\n?,~.\t]{0,120}") {
            let (doc, findings) = parse("f.yml", &text);
            for f in &findings {
                proptest::prop_assert!(f.location.line >= 1 && f.location.column >= 1);
            }
            if let Document::Root(root) = doc {
                let mut stack = vec![&root];
                while let Some(node) = stack.pop() {
                    proptest::prop_assert!(node.start.line >= 1 && node.start.column >= 1);
                    proptest::prop_assert!(node.start <= node.end);
                    match &node.value {
                        Value::Scalar(_) => {}
                        Value::Sequence(items) => stack.extend(items),
                        Value::Mapping(entries) => {
                            for e in entries {
                                stack.push(&e.key);
                                stack.push(&e.value);
                            }
                        }
                    }
                }
            }
            let settings = crate::settings::Settings::default();
            let _ = crate::schedule::load("f.yml", &text, &settings);
            let _ = crate::settings::load("f.yml", &text);
            let _ = crate::policy::load::load("f.yml", &text, &settings);
        }
    }
}
