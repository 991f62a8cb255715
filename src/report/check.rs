//! `check` as human text and as versioned JSON.
//!
//! The JSON shape (`"version": 1`) is a contract for scripts: fields are only ever added.

use super::escape::{log_inline, log_lines};
use super::snippet;
use super::{BOLD, DIM, ERROR};
use crate::check::{Analysis, Diff, deployed_text};
use crate::finding::{Finding, Severity};
use crate::timetable::local_and_utc;
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::collections::BTreeMap;

const OK: Style = AnsiColor::Green.on_default().bold();
/// Runs shown per batch in tables.
pub const NEXT_RUNS: usize = 3;

/// The verdict word for counts of errors and warnings.
pub fn verdict(a: &Analysis) -> &'static str {
    if a.count(Severity::Error) > 0 {
        "errors"
    } else if a.count(Severity::Warning) > 0 {
        "warnings"
    } else {
        "clean"
    }
}

/// Next start instants of batch `i` (at most `n`).
pub fn next_runs(a: &Analysis, i: usize, n: usize) -> Vec<jiff::Timestamp> {
    a.timetable.starts_of(i).map_or_else(Vec::new, |starts| {
        starts
            .iter()
            .take(n)
            .map(|m| a.timetable.instant(m))
            .collect()
    })
}

/// Findings as cargo prints them: `file:line:col: severity[code] message`, the source line
/// with a caret under the span, notes and help ([`snippet::render`]), one after another and
/// each after a blank line. `sources` holds the files' text by path; a finding whose file is
/// not there is shown without its line. With `color`, ANSI styles (for `anstream`).
pub fn human_findings(
    findings: &[Finding],
    sources: &BTreeMap<String, String>,
    color: bool,
) -> String {
    let mut out = String::new();
    for f in findings {
        let source = sources.get(&f.location.file).map(String::as_str);
        let mut text = snippet::render(f, source, color);
        if f.preexisting
            && let Some(end) = text.find('\n')
        {
            let seen = if color {
                format!(" {DIM}(already on base){DIM:#}")
            } else {
                " (already on base)".to_string()
            };
            text.insert_str(end, &seen);
        }
        out.push('\n');
        out.push_str(&text);
    }
    out
}

/// The human report of `check`: a summary line, the batches with their UTC rules and next run,
/// the diff against a base, the findings and the counts. Every value from a file is escaped for
/// the log; findings quote their source line from `a.inputs.sources`.
pub fn human(a: &Analysis, diff: Option<&Diff>, horizon_days: u32) -> String {
    let batches = &a.inputs.batches;
    let active = batches.iter().filter(|b| b.is_active).count();
    let mut out = format!(
        "{BOLD}cronbridge check{BOLD:#}: {} batches ({active} active) in {}/, {} quiet-hours polic{}, horizon {horizon_days} days, {} runs\n",
        batches.len(),
        log_inline(&a.inputs.settings.schedules_dir),
        a.inputs.policies.quiet_hours.len(),
        if a.inputs.policies.quiet_hours.len() == 1 {
            "y"
        } else {
            "ies"
        },
        a.timetable.len()
    );
    let names: Vec<String> = batches.iter().map(|b| log_inline(&b.name)).collect();
    let crons: Vec<String> = batches.iter().map(|b| log_inline(&b.cron_text)).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let cron_width = crons.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    if !batches.is_empty() {
        out.push_str(&format!(
            "\n{DIM}{:<name_width$}  {:<cron_width$}  zone → UTC rule(s); next run{DIM:#}\n",
            "batch", "cron"
        ));
    }
    for (i, b) in batches.iter().enumerate() {
        let state = if b.is_active {
            String::new()
        } else {
            format!(" {DIM}(inactive){DIM:#}")
        };
        let next = next_runs(a, i, 1)
            .first()
            .map(|t| local_and_utc(*t, &b.zone))
            .unwrap_or_else(|| "no run in the horizon".to_string());
        out.push_str(&format!(
            "{:<name_width$}  {:<cron_width$}  {} → {}; {}{state}\n",
            names[i],
            crons[i],
            log_inline(&b.zone.name),
            log_inline(&deployed_text(b, &a.utc[i])),
            log_inline(&next)
        ));
    }
    if let Some(diff) = diff {
        out.push_str(&human_diff(diff));
    }
    out.push_str(&human_findings(&a.findings, &a.inputs.sources, true));
    let (e, w, n) = (
        a.count(Severity::Error),
        a.count(Severity::Warning),
        a.count(Severity::Info),
    );
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push('\n');
    if e > 0 {
        out.push_str(&format!(
            "{ERROR}✗ {}{ERROR:#}, {}, {}\n",
            plural(e, "error"),
            plural(w, "warning"),
            plural(n, "note")
        ));
    } else {
        out.push_str(&format!(
            "{OK}✓ no errors{OK:#}, {}, {}\n",
            plural(w, "warning"),
            plural(n, "note")
        ));
    }
    out
}

/// An empty field value, shown as such.
pub fn or_none(value: &str) -> &str {
    if value.is_empty() { "(none)" } else { value }
}

fn human_diff(diff: &Diff) -> String {
    let mut out = format!("\n{BOLD}Changes against base{BOLD:#}\n");
    if diff.is_empty() {
        out.push_str("  no batch changed\n");
    }
    for name in &diff.added {
        out.push_str(&format!("  + {}\n", log_inline(name)));
    }
    for name in &diff.removed {
        out.push_str(&format!("  - {}\n", log_inline(name)));
    }
    for name in &diff.unreadable {
        out.push_str(&format!(
            "  ? {} (not loaded: its file has errors)\n",
            log_inline(name)
        ));
    }
    for (name, changes) in &diff.changed {
        out.push_str(&format!("  ~ {}\n", log_inline(name)));
        for c in changes {
            out.push_str(&format!(
                "      {}: {} → {}\n",
                log_inline(c.field),
                log_inline(or_none(&c.before)),
                log_inline(or_none(&c.after))
            ));
        }
    }
    if !diff.deploy.is_empty() {
        out.push_str(&format!("\n{BOLD}What the merge changes in AWS{BOLD:#}\n"));
        for r in &diff.deploy.rules {
            let renamed = r
                .renamed_from
                .as_deref()
                .map(|old| format!(" (was {})", log_inline(old)))
                .or_else(|| {
                    r.adopts
                        .then(|| " (takes over the live rule of this name)".to_string())
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {}{renamed}\n",
                r.sign.symbol(),
                log_inline(&r.name)
            ));
            for c in &r.fields {
                out.push_str(&format!(
                    "      {}: {} → {}\n",
                    log_inline(&c.field),
                    log_inline(c.before.as_deref().unwrap_or("—")),
                    log_inline(c.after.as_deref().unwrap_or("—"))
                ));
            }
        }
        for c in &diff.deploy.settings {
            out.push_str(&format!(
                "  ~ {}: {} → {}\n",
                log_inline(&c.field),
                log_inline(c.before.as_deref().unwrap_or("—")),
                log_inline(c.after.as_deref().unwrap_or("—"))
            ));
        }
    }
    if !diff.timetable.is_empty() {
        out.push_str(&format!(
            "\n{BOLD}Timetable, next {} days{BOLD:#}\n{}",
            diff.days,
            log_lines(&diff.timetable)
        ));
    }
    if let Some(note) = diff.timetable_cut_note() {
        out.push_str(&format!("{}\n", log_inline(&note)));
    }
    out
}

#[derive(Serialize)]
struct JsonRun {
    local: String,
    utc: String,
}

#[derive(Serialize)]
struct JsonBatch<'a> {
    name: &'a str,
    file: &'a str,
    line: u32,
    cron: &'a str,
    timezone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    utc_expressions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utc_error: Option<String>,
    /// On `aws.backend: scheduler`: the expression Scheduler gets, in `timezone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduler_expression: Option<String>,
    /// On Scheduler: the flexible window, included in `duration_minutes` (the minutes a run
    /// occupies for the policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    flexible_window_minutes: Option<u32>,
    description: Option<&'a str>,
    batch_class: &'a str,
    is_active: bool,
    duration_minutes: u32,
    group: Option<&'a str>,
    tags: &'a [String],
    /// The live rules the batch takes over (`rule:`); absent when it names none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    rule: &'a [String],
    next: Vec<JsonRun>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    note: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    /// False when the base revision already had it (only with `--base`).
    new: bool,
    /// Findings about runs: how often over the horizon, exactly (what is counted is the
    /// rule's: overlapping runs, stretches over a group's limit, busy minutes, runs in quiet
    /// hours), the first and last occurrence (RFC 3339) and the batches involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    batches: Option<&'a [String]>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    field: &'a str,
    before: &'a str,
    after: &'a str,
}

#[derive(Serialize)]
struct JsonChanged<'a> {
    name: &'a str,
    fields: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    added: &'a [String],
    removed: &'a [String],
    unreadable: &'a [String],
    changed: Vec<JsonChanged<'a>>,
    timetable: &'a str,
    /// Where `timetable` stops when the runs were too many to list (local time and UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    timetable_until: Option<&'a str>,
    /// What the merge changes in EventBridge, rule by rule and field by field.
    deploy: &'a crate::deploy::diff::DeployDiff,
}

#[derive(Serialize)]
struct JsonCounts {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    verdict: &'static str,
    counts: JsonCounts,
    now: String,
    horizon_days: u32,
    batches: Vec<JsonBatch<'a>>,
    findings: Vec<JsonFinding<'a>>,
    diff: Option<JsonDiff<'a>>,
}

pub fn json(a: &Analysis, diff: Option<&Diff>, now: jiff::Timestamp, horizon_days: u32) -> String {
    let batches = a
        .inputs
        .batches
        .iter()
        .enumerate()
        .map(|(i, b)| JsonBatch {
            name: &b.name,
            file: &b.file,
            line: b.location.line,
            cron: &b.cron_text,
            timezone: &b.zone.name,
            utc_expressions: a.utc[i]
                .as_ref()
                .ok()
                .filter(|_| !b.on_scheduler())
                .map(|r| r.iter().map(ToString::to_string).collect()),
            utc_error: a.utc[i].as_ref().err().map(ToString::to_string),
            scheduler_expression: b.on_scheduler().then(|| b.scheduler_expression()),
            flexible_window_minutes: b.scheduler.flexible_window,
            description: b.description.as_deref(),
            batch_class: &b.batch_class,
            is_active: b.is_active,
            rule: &b.rules,
            duration_minutes: a.durations[i],
            group: b.group.as_deref(),
            tags: &b.tags,
            next: next_runs(a, i, NEXT_RUNS)
                .into_iter()
                .map(|t| JsonRun {
                    local: t
                        .to_zoned_datetime(b.zone.tz.clone())
                        .strftime("%Y-%m-%dT%H:%M:%S%:z")
                        .to_string(),
                    utc: t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                })
                .collect(),
        })
        .collect();
    let findings = a
        .findings
        .iter()
        .map(|f| JsonFinding {
            occurrences: f.occurrences.as_ref().map(|o| o.count),
            first: f.occurrences.as_ref().map(|o| o.first.to_string()),
            last: f.occurrences.as_ref().map(|o| o.last.to_string()),
            batches: f.occurrences.as_ref().map(|o| o.batches.as_slice()),
            code: f.rule.id(),
            severity: f.severity,
            message: &f.message,
            file: &f.location.file,
            line: f.location.line,
            column: f.location.column,
            end_line: f.location.end_line,
            end_column: f.location.end_column,
            help: f.help.as_deref(),
            related: f
                .related
                .iter()
                .map(|(l, note)| JsonRelated {
                    file: &l.file,
                    line: l.line,
                    column: l.column,
                    note,
                })
                .collect(),
            new: !f.preexisting,
        })
        .collect();
    let report = JsonReport {
        version: 1,
        verdict: verdict(a),
        counts: JsonCounts {
            error: a.count(Severity::Error),
            warning: a.count(Severity::Warning),
            info: a.count(Severity::Info),
        },
        now: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        horizon_days,
        batches,
        findings,
        diff: diff.map(|d| JsonDiff {
            deploy: &d.deploy,
            added: &d.added,
            removed: &d.removed,
            unreadable: &d.unreadable,
            changed: d
                .changed
                .iter()
                .map(|(name, fields)| JsonChanged {
                    name,
                    fields: fields
                        .iter()
                        .map(|c| JsonChange {
                            field: c.field,
                            before: &c.before,
                            after: &c.after,
                        })
                        .collect(),
                })
                .collect(),
            timetable: &d.timetable,
            timetable_until: d.timetable_until.as_deref(),
        }),
    };
    super::escape::to_log_json(&report)
}
