//! Parser and validator for the EventBridge cron and rate dialect.
//!
//! Every error names the field, the character span inside the text as typed, what was expected
//! and, where one is obvious, the fix. The parser never panics, whatever the input.

use super::ast::{
    Cron, DAY_NAMES, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, MONTH_NAMES, Rate,
    RateUnit, StepBase,
};
use std::fmt;

/// The longest expression accepted: EventBridge's `ScheduleExpression` limit.
pub const MAX_EXPRESSION_CHARS: usize = 256;

/// An expression the user wrote that EventBridge would not accept. Always the user's input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// What is wrong, in one sentence.
    pub message: String,
    /// The field at fault, when one is.
    pub field: Option<FieldKind>,
    /// Character offsets (0-based, end exclusive) into the text as given.
    pub span: (usize, usize),
    /// How to fix it, when there is an obvious fix.
    pub help: Option<String>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ParseError {
    fn new(message: impl Into<String>, field: Option<FieldKind>, span: (usize, usize)) -> Self {
        ParseError {
            message: message.into(),
            field,
            span,
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Parses `cron(...)`, `rate(...)` or the six bare cron fields.
pub fn parse(input: &str) -> Result<Expression, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_EXPRESSION_CHARS {
        return Err(ParseError::new(
            format!(
                "the expression is {} characters long; EventBridge accepts at most {MAX_EXPRESSION_CHARS}",
                chars.len()
            ),
            None,
            (0, chars.len()),
        ));
    }
    if let Some((pos, c)) = chars
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || (c.is_ascii_control() && **c != '\t'))
    {
        let mut err = ParseError::new(
            format!("unexpected character {c:?} (U+{:04X})", u32::from(*c)),
            None,
            (pos, pos + 1),
        );
        if c.is_whitespace() {
            err = err.help("separate the fields with ordinary ASCII spaces");
        } else if ('０'..='９').contains(c) {
            err = err.help("write digits as ASCII 0-9, not full-width digits");
        }
        return Err(err);
    }
    // From here on the text is ASCII, so byte offsets are character offsets.
    let start = chars.iter().take_while(|c| is_space(**c)).count();
    let end = chars.len() - chars.iter().rev().take_while(|c| is_space(**c)).count();
    if start >= end {
        return Err(
            ParseError::new("the expression is empty", None, (0, chars.len()))
                .help("write six fields, e.g. `0 9 * * ? *` for 09:00 every day"),
        );
    }
    let text = &input[start..end];
    let lower = text.to_ascii_lowercase();
    for (prefix, is_rate) in [("cron(", false), ("rate(", true)] {
        if lower.starts_with(prefix) {
            let inner_start = start + prefix.len();
            if !text.ends_with(')') {
                return Err(ParseError::new("missing the closing `)`", None, (end, end))
                    .help(format!("close the expression: `{text})`")));
            }
            let inner = Span {
                text: &input[inner_start..end - 1],
                start: inner_start,
            };
            return if is_rate {
                parse_rate(inner).map(Expression::Rate)
            } else {
                parse_cron(inner).map(Expression::Cron)
            };
        }
    }
    if lower.starts_with("rate") || lower.starts_with("cron") {
        return Err(
            ParseError::new("expected `(` after the keyword", None, (start, start + 4))
                .help("write `cron(0 9 * * ? *)`, `rate(5 minutes)`, or just the six cron fields"),
        );
    }
    parse_cron(Span { text, start }).map(Expression::Cron)
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A piece of the input and where it starts (ASCII, so bytes = characters).
#[derive(Clone, Copy)]
struct Span<'a> {
    text: &'a str,
    start: usize,
}

impl<'a> Span<'a> {
    fn range(&self) -> (usize, usize) {
        (self.start, self.start + self.text.len())
    }

    fn sub(&self, from: usize, to: usize) -> Span<'a> {
        Span {
            text: &self.text[from..to],
            start: self.start + from,
        }
    }

    fn split(&self, sep: char) -> impl Iterator<Item = Span<'a>> + 'a {
        let this = *self;
        let mut offset = 0;
        this.text.split(sep).map(move |piece| {
            let s = Span {
                text: piece,
                start: this.start + offset,
            };
            offset += piece.len() + 1;
            s
        })
    }

    fn words(&self) -> Vec<Span<'a>> {
        let mut out = Vec::new();
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_space(char::from(bytes[i])) {
                i += 1;
                continue;
            }
            let begin = i;
            while i < bytes.len() && !is_space(char::from(bytes[i])) {
                i += 1;
            }
            out.push(self.sub(begin, i));
        }
        out
    }
}

fn parse_rate(inner: Span<'_>) -> Result<Rate, ParseError> {
    let words = inner.words();
    let usage = "write `rate(1 minute)`, `rate(5 minutes)`, `rate(1 hour)` or `rate(2 days)`";
    let [value, unit] = words.as_slice() else {
        return Err(
            ParseError::new("a rate needs a value and a unit", None, inner.range()).help(usage),
        );
    };
    let digits = !value.text.is_empty() && value.text.bytes().all(|b| b.is_ascii_digit());
    let number: u32 = match value.text.parse() {
        Ok(n) if digits => n,
        _ if digits => {
            return Err(ParseError::new(
                format!("`{}` is too large for a rate", value.text),
                None,
                value.range(),
            )
            .help("use a larger unit, e.g. `rate(7 days)` instead of `rate(10080 minutes)`"));
        }
        _ => {
            return Err(ParseError::new(
                format!("`{}` is not a whole number", value.text),
                None,
                value.range(),
            )
            .help(usage));
        }
    };
    if number == 0 {
        return Err(ParseError::new(
            "a rate must be at least 1; EventBridge runs nothing faster than once a minute",
            None,
            value.range(),
        )
        .help(usage));
    }
    let lower = unit.text.to_ascii_lowercase();
    let (base, plural) = match lower.strip_suffix('s') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let rate_unit = match base {
        "minute" => RateUnit::Minute,
        "hour" => RateUnit::Hour,
        "day" => RateUnit::Day,
        _ => {
            return Err(ParseError::new(
                format!("unknown unit `{}`", unit.text),
                None,
                unit.range(),
            )
            .help("the unit is minute(s), hour(s) or day(s)"));
        }
    };
    let rate = Rate {
        value: number,
        unit: rate_unit,
    };
    if plural != (number != 1) {
        return Err(ParseError::new(
            if number == 1 {
                format!(
                    "EventBridge wants the singular unit for 1, not `{}`",
                    unit.text
                )
            } else {
                format!(
                    "EventBridge wants the plural unit for {number}, not `{}`",
                    unit.text
                )
            },
            None,
            unit.range(),
        )
        .help(format!("write `{rate}`")));
    }
    if rate.period_seconds() > i64::from(u32::MAX) {
        return Err(ParseError::new(
            "the interval is too long to schedule",
            None,
            value.range(),
        ));
    }
    Ok(rate)
}

fn parse_cron(inner: Span<'_>) -> Result<Cron, ParseError> {
    let words = inner.words();
    let texts: Vec<&str> = words.iter().map(|w| w.text).collect();
    match words.len() {
        6 => {}
        5 => return Err(five_fields(inner, &texts)),
        7 => {
            let err = ParseError::new(
                "7 fields: EventBridge cron has no seconds field; it needs exactly 6 (minutes hours day-of-month month day-of-week year)",
                None,
                inner.range(),
            );
            let fixed = texts[1..].join(" ");
            return Err(if parse(&fixed).is_ok() {
                err.help(format!("drop the leading seconds field: `{fixed}`"))
            } else {
                err.help("remove the seconds field; the six EventBridge fields are minutes hours day-of-month month day-of-week year")
            });
        }
        0 => {
            return Err(
                ParseError::new("the expression is empty", None, inner.range())
                    .help("write six fields, e.g. `0 9 * * ? *` for 09:00 every day"),
            );
        }
        n => {
            return Err(ParseError::new(
                format!(
                    "{n} field{}: EventBridge cron needs exactly 6 (minutes hours day-of-month month day-of-week year)",
                    if n == 1 { "" } else { "s" }
                ),
                None,
                inner.range(),
            )
            .help("for example `0 9 * * ? *` runs at 09:00 every day"));
        }
    }
    let minutes = parse_list(words[0], FieldKind::Minutes)?;
    let hours = parse_list(words[1], FieldKind::Hours)?;
    let day_of_month = parse_day_of_month(words[2])?;
    let month = parse_list(words[3], FieldKind::Month)?;
    let day_of_week = parse_day_of_week(words[4])?;
    let year = parse_list(words[5], FieldKind::Year)?;

    let dom_any = day_of_month == DayOfMonth::NoSpecific;
    let dow_any = day_of_week == DayOfWeek::NoSpecific;
    let replace = |index: usize, with: &str| {
        let mut t = texts.clone();
        t[index] = with;
        t.join(" ")
    };
    if dom_any && dow_any {
        return Err(ParseError::new(
            "day-of-month and day-of-week are both `?`; exactly one of them must be `?`",
            Some(FieldKind::DayOfWeek),
            words[4].range(),
        )
        .help(format!("for every day write `{}`", replace(2, "*"))));
    }
    if !dom_any && !dow_any {
        let err = ParseError::new(
            "day-of-month and day-of-week are both set; EventBridge needs `?` in exactly one of them",
            Some(FieldKind::DayOfWeek),
            (words[2].start, words[4].start + words[4].text.len()),
        );
        return Err(if day_of_week == DayOfWeek::Days(Field::All) {
            err.help(format!("write `{}`", replace(4, "?")))
        } else if day_of_month == DayOfMonth::Days(Field::All) {
            err.help(format!("write `{}`", replace(2, "?")))
        } else {
            err.help("one rule cannot combine a day of the month with a day of the week; keep one and put `?` in the other, or split the batch")
        });
    }
    Ok(Cron {
        minutes,
        hours,
        day_of_month,
        month,
        day_of_week,
        year,
    })
}

/// Five fields: either an EventBridge expression without its year, or a Unix crontab line.
fn five_fields(inner: Span<'_>, texts: &[&str]) -> ParseError {
    let joined = texts.join(" ");
    if texts.iter().any(|t| t.contains('?')) {
        let fixed = format!("{joined} *");
        let err = ParseError::new(
            "5 fields: EventBridge cron needs 6, the last one being the year",
            None,
            inner.range(),
        );
        return if parse(&fixed).is_ok() {
            err.help(format!("append ` *` for every year: `{fixed}`"))
        } else {
            err.help("add the year field (`*` for every year)")
        };
    }
    let err = ParseError::new(
        "5 fields: this looks like a Unix crontab line; EventBridge cron has 6 fields (a year at the end), needs `?` in day-of-month or day-of-week, and numbers days of the week 1-7 from Sunday",
        None,
        inner.range(),
    );
    match unix_to_eventbridge(texts) {
        Some(s) if parse(&s).is_ok() => err.help(format!("the EventBridge form is `{s}`")),
        _ => err.help(
            "rewrite it as `minutes hours day-of-month month day-of-week year`, e.g. `0 9 * * ? *`",
        ),
    }
}

/// Best-effort translation of a Unix crontab line, offered only as a suggestion (and only
/// when the result parses).
fn unix_to_eventbridge(t: &[&str]) -> Option<String> {
    let [min, hour, dom, month, dow] = *t else {
        return None;
    };
    let day_name = |s: &str| -> Option<String> {
        if let Ok(n) = s.parse::<usize>() {
            // Unix numbers Sunday 0 (or 7) to Saturday 6; anything else has no translation.
            (n <= 7).then(|| DAY_NAMES[n % 7].to_string())
        } else {
            Some(s.to_ascii_uppercase())
        }
    };
    let dow_aws = if dow == "*" {
        None
    } else {
        let mut parts = Vec::new();
        for part in dow.split(',') {
            if part.contains('/') {
                return None;
            }
            let mapped: Option<Vec<String>> = part.split('-').map(day_name).collect();
            parts.push(mapped?.join("-"));
        }
        Some(parts.join(","))
    };
    Some(match (dom, dow_aws) {
        ("*", None) => format!("{min} {hour} * {month} ? *"),
        ("*", Some(d)) => format!("{min} {hour} ? {month} {d} *"),
        (dom, None) => format!("{min} {hour} {dom} {month} ? *"),
        (_, Some(_)) => return None,
    })
}

fn parse_list(span: Span<'_>, kind: FieldKind) -> Result<Field, ParseError> {
    misplaced_name(span, kind)?;
    if span.text == "*" {
        return Ok(Field::All);
    }
    let mut items = Vec::new();
    let parts: Vec<Span<'_>> = span.split(',').collect();
    for part in &parts {
        if part.text.is_empty() {
            return Err(ParseError::new("empty list item", Some(kind), part.range())
                .help("remove the extra comma"));
        }
        if part.text == "*" {
            return Err(ParseError::new(
                "`*` already means every value and cannot be part of a list",
                Some(kind),
                part.range(),
            )
            .help("write either `*` or the list of values"));
        }
        items.push(parse_item(*part, kind)?);
    }
    Ok(Field::List(items))
}

fn parse_item(span: Span<'_>, kind: FieldKind) -> Result<Item, ParseError> {
    // Look for special characters outside the field's names: the W of WED and the L of JUL
    // are letters of a name, not wildcards.
    let upper = span.text.to_ascii_uppercase();
    let names: &[&str] = match kind {
        FieldKind::Month => &MONTH_NAMES,
        FieldKind::DayOfWeek => &DAY_NAMES,
        _ => &[],
    };
    let outside_names: String = upper
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !names.contains(word))
        .collect();
    let symbols = upper.chars().filter(|c| !c.is_ascii_alphabetic());
    for special in ['?', 'L', 'W', '#'] {
        if outside_names.contains(special) || symbols.clone().any(|c| c == special) {
            return Err(special_misplaced(span, kind, special));
        }
    }
    let (base, step) = match span.text.split_once('/') {
        Some((b, s)) => {
            let step_span = span.sub(b.len() + 1, span.text.len());
            if kind == FieldKind::DayOfWeek {
                return Err(ParseError::new(
                    "EventBridge does not allow `/` in day-of-week",
                    Some(kind),
                    span.range(),
                )
                .help("list the days instead, e.g. `MON,WED,FRI`"));
            }
            (span.sub(0, b.len()), Some(parse_step(step_span, s, kind)?))
        }
        None => (span, None),
    };
    let (min, max) = kind.bounds();
    if base.text == "*" {
        return match step {
            Some(every) => Ok(Item::Step(StepBase::All, every)),
            None => Err(ParseError::new("unexpected `*`", Some(kind), base.range())),
        };
    }
    if base.text.matches('-').count() > 1 {
        return Err(ParseError::new(
            format!(
                "`{}` is not a valid range; a range is `low-high`",
                base.text
            ),
            Some(kind),
            base.range(),
        )
        .help("separate ranges with a comma, e.g. `1-2,5-6`"));
    }
    let item = match base.text.split_once('-') {
        Some((a, _)) => {
            let a_span = base.sub(0, a.len());
            let b_span = base.sub(a.len() + 1, base.text.len());
            let lo = parse_value(a_span, kind)?;
            let hi = parse_value(b_span, kind)?;
            if lo > hi {
                let name = |v: u16| value_text(kind, v);
                let mut err = ParseError::new(
                    format!(
                        "the range `{}` runs backwards; EventBridge ranges go from low to high",
                        base.text
                    ),
                    Some(kind),
                    base.range(),
                );
                if kind != FieldKind::Year {
                    let range = |a: u16, b: u16| {
                        if a == b {
                            name(a)
                        } else {
                            format!("{}-{}", name(a), name(b))
                        }
                    };
                    err = err.help(format!(
                        "to wrap around, write two ranges: `{},{}`",
                        range(lo, max),
                        range(min, hi)
                    ));
                }
                return Err(err);
            }
            match step {
                Some(every) => Item::Step(StepBase::Range(lo, hi), every),
                None => Item::Range(lo, hi),
            }
        }
        None => {
            let v = parse_value(base, kind)?;
            match step {
                Some(every) => Item::Step(StepBase::From(v), every),
                None => Item::Value(v),
            }
        }
    };
    Ok(item)
}

fn parse_step(span: Span<'_>, text: &str, kind: FieldKind) -> Result<u16, ParseError> {
    let (min, max) = kind.bounds();
    let width = max - min + 1;
    let step = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u16>().ok()
    } else {
        None
    };
    match step {
        Some(s) if (1..=width).contains(&s) => Ok(s),
        Some(_) => Err(ParseError::new(
            format!("the step must be between 1 and {width}"),
            Some(kind),
            span.range(),
        )),
        None if text.is_empty() => Err(ParseError::new(
            "expected a step (a whole number) after `/`",
            Some(kind),
            span.range(),
        )
        .help(format!("for example `*/5` or `{min}/5`"))),
        None => Err(ParseError::new(
            format!("expected a step (a whole number) after `/`, found `{text}`"),
            Some(kind),
            span.range(),
        )
        .help(format!("for example `*/5` or `{min}/5`"))),
    }
}

fn value_text(kind: FieldKind, v: u16) -> String {
    match kind {
        FieldKind::DayOfWeek => DAY_NAMES
            .get(usize::from(v).wrapping_sub(1))
            .map_or_else(|| v.to_string(), |s| (*s).to_string()),
        _ => v.to_string(),
    }
}

fn parse_value(span: Span<'_>, kind: FieldKind) -> Result<u16, ParseError> {
    let (min, max) = kind.bounds();
    let text = span.text;
    if text.is_empty() {
        return Err(ParseError::new(
            "expected a value",
            Some(kind),
            span.range(),
        ));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let value = text.parse::<u16>().ok().filter(|v| (min..=max).contains(v));
        return match value {
            Some(v) => Ok(v),
            None => {
                let mut err = ParseError::new(
                    format!("{text} is out of range; {kind} is {min}-{max}"),
                    Some(kind),
                    span.range(),
                );
                if kind == FieldKind::DayOfWeek && text.parse::<u16>() == Ok(0) {
                    err = err.help("EventBridge numbers the days 1 (SUN) to 7 (SAT): Unix's 0 for Sunday is 1 or SUN here");
                } else if kind == FieldKind::Hours && text == "24" {
                    err = err.help("midnight is hour 0");
                }
                Err(err)
            }
        };
    }
    let upper = text.to_ascii_uppercase();
    let position = |names: &[&str]| names.iter().position(|n| *n == upper);
    match kind {
        FieldKind::Month => {
            if let Some(i) = position(&MONTH_NAMES) {
                return Ok(i as u16 + 1);
            }
        }
        FieldKind::DayOfWeek => {
            if let Some(i) = position(&DAY_NAMES) {
                return Ok(i as u16 + 1);
            }
        }
        _ => {}
    }
    let mut err = ParseError::new(
        format!("`{text}` is not a valid value"),
        Some(kind),
        span.range(),
    );
    let help = if kind == FieldKind::Month {
        Some("months are 1-12 or JAN-DEC".to_string())
    } else if kind == FieldKind::DayOfWeek {
        Some("days are 1-7 or SUN-SAT (1 = SUN)".to_string())
    } else if position(&DAY_NAMES).is_some() {
        Some("day names belong in day-of-week, the fifth field".to_string())
    } else if position(&MONTH_NAMES).is_some() {
        Some("month names belong in month, the fourth field".to_string())
    } else {
        Some(format!("{kind} takes numbers {min}-{max}"))
    };
    if kind == FieldKind::DayOfWeek || kind == FieldKind::Month {
        let prefix: String = upper.chars().take(3).collect();
        let names: &[&str] = if kind == FieldKind::Month {
            &MONTH_NAMES
        } else {
            &DAY_NAMES
        };
        if upper.len() > 3 && names.contains(&prefix.as_str()) {
            err = err.help(format!("use the three-letter name `{prefix}`"));
            return Err(err);
        }
    }
    if let Some(h) = help {
        err = err.help(h);
    }
    Err(err)
}

fn special_misplaced(span: Span<'_>, kind: FieldKind, special: char) -> ParseError {
    let (message, help) = match (special, kind) {
        ('?', FieldKind::DayOfMonth | FieldKind::DayOfWeek) => (
            "`?` stands alone; it cannot be part of a list".to_string(),
            None,
        ),
        ('?', _) => (
            format!("`?` is only allowed in day-of-month and day-of-week, not in {kind}"),
            Some("use `*` for every value".to_string()),
        ),
        ('L' | 'W', FieldKind::DayOfMonth) => (
            "`L`, `LW` and `nW` stand alone in day-of-month; they cannot be combined with other values".to_string(),
            Some("split the batch into two schedules".to_string()),
        ),
        ('L' | '#', FieldKind::DayOfWeek) => (
            "`L`, `nL` and `n#k` stand alone in day-of-week (`3#1,6#3` is two expressions)".to_string(),
            Some("split the batch into one schedule per day".to_string()),
        ),
        (c, _) => (
            format!("`{c}` is not allowed in {kind}"),
            Some(format!(
                "{kind} takes {}",
                match kind {
                    FieldKind::DayOfWeek => "1-7 or SUN-SAT with `, - * ? L #`",
                    FieldKind::DayOfMonth => "1-31 with `, - * ? / L W`",
                    FieldKind::Month => "1-12 or JAN-DEC with `, - * /`",
                    _ => "numbers with `, - * /`",
                }
            )),
        ),
    };
    let err = ParseError::new(message, Some(kind), span.range());
    match help {
        Some(h) => err.help(h),
        None => err,
    }
}

/// A day name outside day-of-week or a month name outside month, reported as such before any
/// letter of it is mistaken for `L` or `W`.
fn misplaced_name(span: Span<'_>, kind: FieldKind) -> Result<(), ParseError> {
    let mut offset = 0;
    for word in span.text.split(|c: char| !c.is_ascii_alphabetic()) {
        let start = offset;
        offset += word.len() + 1;
        let upper = word.to_ascii_uppercase();
        let (owner, position) = if DAY_NAMES.contains(&upper.as_str()) {
            (FieldKind::DayOfWeek, "fifth")
        } else if MONTH_NAMES.contains(&upper.as_str()) {
            (FieldKind::Month, "fourth")
        } else {
            continue;
        };
        if owner != kind {
            let what = if owner == FieldKind::Month {
                "a month"
            } else {
                "a day"
            };
            return Err(ParseError::new(
                format!("`{word}` is {what} name; it belongs in {owner}, not {kind}"),
                Some(kind),
                span.sub(start, start + word.len()).range(),
            )
            .help(format!("{owner} is the {position} field")));
        }
    }
    Ok(())
}

fn parse_day_of_month(span: Span<'_>) -> Result<DayOfMonth, ParseError> {
    let kind = FieldKind::DayOfMonth;
    misplaced_name(span, kind)?;
    let upper = span.text.to_ascii_uppercase();
    if let Some(day) = upper.strip_suffix('L')
        && !day.is_empty()
        && day.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ParseError::new(
            format!(
                "`{}` is not valid in day-of-month: `L` alone is the last day of the month",
                span.text
            ),
            Some(kind),
            span.range(),
        )
        .help("write `L` for the last day; `nL` (the last such weekday) belongs in day-of-week"));
    }
    match upper.as_str() {
        "?" => return Ok(DayOfMonth::NoSpecific),
        "L" => return Ok(DayOfMonth::Last),
        "LW" => return Ok(DayOfMonth::LastWeekday),
        _ => {}
    }
    if !span.text.contains(',') {
        if let Some(rest) = upper.strip_prefix("L-") {
            return Err(ParseError::new(
                format!("`L-{rest}` (days before the end of the month) is not part of the EventBridge cron dialect"),
                Some(kind),
                span.range(),
            )
            .help("use `L` for the last day, or a fixed day such as `28`"));
        }
        if let Some(day) = upper.strip_suffix('W') {
            let day_span = span.sub(0, day.len());
            if day.is_empty() {
                return Err(ParseError::new(
                    "`W` needs a day before it",
                    Some(kind),
                    span.range(),
                )
                .help("write `15W` for the weekday nearest the 15th, or `LW` for the last weekday"));
            }
            let d = parse_value(day_span, kind)?;
            return Ok(DayOfMonth::NearestWeekday(d as u8));
        }
    }
    parse_list(span, kind).map(DayOfMonth::Days)
}

fn parse_day_of_week(span: Span<'_>) -> Result<DayOfWeek, ParseError> {
    let kind = FieldKind::DayOfWeek;
    misplaced_name(span, kind)?;
    let upper = span.text.to_ascii_uppercase();
    if upper.starts_with("L-") || upper == "LW" {
        return Err(ParseError::new(
            format!("`{}` is not valid in day-of-week", span.text),
            Some(kind),
            span.range(),
        )
        .help("day-of-week takes `L` (Saturday), `nL` (the last such weekday, e.g. `6L`) or `n#k`; `L-n` and `LW` are not EventBridge syntax here"));
    }
    match upper.as_str() {
        "?" => return Ok(DayOfWeek::NoSpecific),
        "L" => return Ok(DayOfWeek::Last),
        _ => {}
    }
    if !span.text.contains(',') {
        if let Some((day, nth)) = upper.split_once('#') {
            let d = parse_value(span.sub(0, day.len()), kind)?;
            let nth_span = span.sub(day.len() + 1, span.text.len());
            let k = match nth.parse::<u8>() {
                Ok(k @ 1..=5) if nth.bytes().all(|b| b.is_ascii_digit()) => k,
                _ => {
                    return Err(ParseError::new(
                        format!("`#{nth}`: a month has at most five of each weekday; expected 1-5"),
                        Some(kind),
                        nth_span.range(),
                    )
                    .help("`2#1` is the first Monday, `6#5` the fifth Friday; for the last one write `6L`"));
                }
            };
            return Ok(DayOfWeek::Nth(d as u8, k));
        }
        if let Some(day) = upper.strip_suffix('L') {
            let d = parse_value(span.sub(0, day.len()), kind)?;
            return Ok(DayOfWeek::LastInMonth(d as u8));
        }
    }
    parse_list(span, kind).map(DayOfWeek::Days)
}
