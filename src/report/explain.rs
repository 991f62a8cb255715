//! `cronbridge explain`: an expression, its meaning, its next runs, as human text or JSON.
//!
//! The JSON shape is a contract that scripts and the PR bot rely on; see the README.

use super::escape::{Keep, log_inline, log_text_mapped, to_log_json};
use super::{BOLD, DIM, ERROR, HELP, char_width};
use crate::cron::rewrite::RewriteError;
use crate::cron::{Expression, ParseError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Everything `explain` shows about a valid expression.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub expression: Expression,
    pub zone_name: String,
    pub zone: TimeZone,
    pub description: String,
    pub next: Vec<Timestamp>,
    /// The exact UTC rules, or why there are none (empty on Scheduler).
    pub utc: Result<Vec<Expression>, RewriteError>,
    /// Whether `next` is as EventBridge Scheduler fires the expression in `zone`.
    pub scheduler: bool,
}

#[derive(Serialize)]
struct JsonRun {
    local: String,
    utc: String,
}

#[derive(Serialize)]
struct JsonExplanation<'a> {
    expression: String,
    timezone: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    utc_expressions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utc_error: Option<String>,
    /// `"scheduler"` when the runs are Scheduler's; absent for rules (the shape before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'static str>,
    next: Vec<JsonRun>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    message: &'a str,
    field: Option<&'static str>,
    span: [usize; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonErrorDoc<'a> {
    error: JsonError<'a>,
}

/// RFC 3339 with the zone's offset, seconds included: `2026-11-29T09:00:00+09:00`.
fn local_rfc3339(ts: Timestamp, zone: &TimeZone) -> String {
    ts.to_zoned_datetime(zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn utc_rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn json(e: &Explanation) -> String {
    let doc = JsonExplanation {
        expression: e.expression.to_string(),
        timezone: &e.zone_name,
        description: &e.description,
        utc_expressions: e
            .utc
            .as_ref()
            .ok()
            .filter(|_| !e.scheduler)
            .map(|rules| rules.iter().map(ToString::to_string).collect()),
        backend: e.scheduler.then_some("scheduler"),
        utc_error: e.utc.as_ref().err().map(|err| match err.help() {
            Some(help) => format!("{err}; {help}"),
            None => err.to_string(),
        }),
        next: e
            .next
            .iter()
            .map(|&ts| JsonRun {
                local: local_rfc3339(ts, &e.zone),
                utc: utc_rfc3339(ts),
            })
            .collect(),
    };
    to_json(&doc)
}

pub fn json_error(err: &ParseError) -> String {
    to_json(&JsonErrorDoc {
        error: JsonError {
            message: &err.message,
            field: err.field.map(|f| f.name()),
            span: [err.span.0, err.span.1],
            help: err.help.as_deref(),
        },
    })
}

fn to_json(value: &impl Serialize) -> String {
    // Serialising plain structs of strings cannot fail; an empty object is never printed.
    to_log_json(value)
}

pub fn human(e: &Explanation) -> String {
    let mut out = format!(
        "{BOLD}{}{BOLD:#}  {DIM}({}){DIM:#}\n{}\n",
        e.expression.to_aws(),
        log_inline(&e.zone_name),
        log_inline(&e.description)
    );
    match &e.utc {
        _ if e.scheduler => out.push_str(&format!(
            "{DIM}EventBridge Scheduler:{DIM:#} {} with ScheduleExpressionTimezone {} (no UTC rule; a repeated local time runs once, at its first instant)\n",
            e.expression.to_aws(),
            log_inline(&e.zone_name)
        )),
        Ok(rules) => {
            let label = if rules.len() == 1 {
                "UTC rule"
            } else {
                "UTC rules"
            };
            out.push_str(&format!("{DIM}{label}:{DIM:#}"));
            for rule in rules {
                out.push_str(&format!(" {}", rule.to_aws()));
            }
            out.push('\n');
        }
        Err(err) => {
            out.push_str(&format!(
                "{ERROR}no exact UTC rule{ERROR:#}: {}\n",
                log_inline(&err.to_string())
            ));
            if let Some(help) = err.help() {
                out.push_str(&format!("{HELP}help{HELP:#}: {help}\n"));
            }
        }
    }
    if e.next.is_empty() {
        out.push_str("\nno more runs: every year this expression names has passed\n");
        return out;
    }
    let rows: Vec<(String, String)> = e
        .next
        .iter()
        .map(|&ts| {
            let local = ts.to_zoned_datetime(e.zone.clone());
            (
                local.strftime("%Y-%m-%d %a %H:%M %:z").to_string(),
                ts.strftime("%Y-%m-%d %a %H:%M").to_string(),
            )
        })
        .collect();
    let width = rows
        .iter()
        .map(|(l, _)| l.len())
        .max()
        .unwrap_or(0)
        .max(e.zone_name.len());
    let n_width = rows.len().to_string().len();
    out.push_str(&format!(
        "\n{DIM}{:>n_width$}  {:<width$}  UTC{DIM:#}\n",
        "#", e.zone_name
    ));
    for (i, (local, utc)) in rows.iter().enumerate() {
        out.push_str(&format!("{:>n_width$}  {local:<width$}  {utc}\n", i + 1));
    }
    out
}

/// A parse error for a terminal: the message, the expression as typed (escaped for the log)
/// with carets under the span, mapped through the escaping so they sit under the right
/// characters, and the help.
pub fn human_error(input: &str, err: &ParseError) -> String {
    let mut out = format!("{ERROR}error{ERROR:#}: {}\n", log_inline(&err.to_string()));
    let (text, offsets) = log_text_mapped(input, Keep::NOTHING);
    let at = |i: usize| offsets[i.min(offsets.len() - 1)];
    let (start, end) = (at(err.span.0), at(err.span.1.max(err.span.0)));
    let width = |s: &str| s.chars().map(char_width).sum::<usize>();
    let carets = "^".repeat(width(&text[start..end]).max(1));
    out.push_str(&format!(
        "  {text}\n  {}{ERROR}{carets}{ERROR:#}\n",
        " ".repeat(width(&text[..start]))
    ));
    if let Some(help) = &err.help {
        out.push_str(&format!("{HELP}help{HELP:#}: {}\n", log_inline(help)));
    }
    out
}
