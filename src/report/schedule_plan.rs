//! The Scheduler plan and deploy report (`aws.backend: scheduler`) as terminal text and JSON,
//! in the same shape as the rules plan: `+` create, `~` update, `-` delete. Pure renderers.

use super::escape::{log_inline, markdown_code, markdown_code_block, mask_secrets, to_log_json};
use crate::deploy::plan::{Action, FieldChange};
use crate::deploy::schedules::{
    GroupAction, SchedulePlan, ScheduleReport, ScheduleStatus, ToRulesReport,
};
use std::fmt::Write as _;

const MAX_VALUE_CHARS: usize = 160;

fn value(v: &Option<String>) -> String {
    match v.as_deref() {
        None => "(none)".to_string(),
        Some(t) if t.chars().count() > MAX_VALUE_CHARS => {
            let mut s: String = t.chars().take(MAX_VALUE_CHARS - 1).collect();
            s.push('…');
            s
        }
        Some(t) => t.to_string(),
    }
}

fn field_line(f: &FieldChange, action: Action) -> String {
    match action {
        Action::Create => value(&f.after),
        Action::Delete => value(&f.before),
        _ => format!("{} -> {}", value(&f.before), value(&f.after)),
    }
}

/// `2 to create, 1 to update, 0 to delete, 5 unchanged`.
pub fn summary_line(plan: &SchedulePlan) -> String {
    format!(
        "{} to create, {} to update, {} to delete, {} unchanged",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete),
        plan.count(Action::Unchanged)
    )
}

/// The plan for a terminal or a job log.
pub fn plan_human(plan: &SchedulePlan) -> String {
    let mut out = format!(
        "EventBridge Scheduler plan: schedule group `{}`\n\n",
        log_inline(&plan.group)
    );
    match &plan.group_action {
        GroupAction::Create { tags } => {
            let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "  + group {}  (tags {})",
                log_inline(&plan.group),
                log_inline(&tags.join(", "))
            );
        }
        GroupAction::Tag { tags } => {
            let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "  ~ group {}  (adds tags {})",
                log_inline(&plan.group),
                log_inline(&tags.join(", "))
            );
        }
        GroupAction::Unchanged | GroupAction::Refused => {}
    }
    let mut unchanged = 0;
    for c in &plan.changes {
        let symbol = match c.action {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Unchanged => {
                unchanged += 1;
                continue;
            }
        };
        let mut origin = c.batch.as_deref().map_or_else(
            || "no longer in the repository".to_string(),
            |b| format!("batch {b}"),
        );
        if let Some(m) = plan.from_rules.iter().find(|m| m.schedule == c.name) {
            let rules: Vec<&str> = m.rules.iter().map(|(r, _)| r.as_str()).collect();
            origin.push_str(&format!(
                "; replaces the rule {}: deleted at a moment when none is due, the schedule starting at the next whole minute",
                rules.join(", ")
            ));
        }
        let _ = writeln!(
            out,
            "  {symbol} {}  ({})",
            log_inline(&c.name),
            log_inline(&origin)
        );
        let width = c.fields.iter().map(|f| f.field.len()).max().unwrap_or(0) + 1;
        for f in &c.fields {
            let _ = writeln!(
                out,
                "      {:<width$}  {}",
                format!("{}:", f.field),
                log_inline(&mask_secrets(&field_line(f, c.action)))
            );
        }
    }
    if unchanged > 0 {
        let _ = writeln!(out, "  = {unchanged} unchanged");
    }
    for e in &plan.errors {
        let _ = writeln!(out, "\nerror: {}", log_inline(&e.message));
        if let Some(help) = &e.help {
            let _ = writeln!(out, "help: {}", log_inline(help));
        }
    }
    if !plan.from_rules.is_empty() {
        let _ = writeln!(
            out,
            "\nFrom rules: {} batch(es) move from their rules to their schedules.",
            plan.from_rules.len()
        );
    }
    let _ = writeln!(out, "\nPlan: {}.", summary_line(plan));
    out
}

/// The plan, what was done, and the calls made.
pub fn deploy_human(report: &ScheduleReport) -> String {
    let mut out = plan_human(&report.plan);
    match &report.status {
        ScheduleStatus::Planned => {}
        ScheduleStatus::Refused { reasons } => {
            out.push_str("\nNot applied:\n");
            for r in reasons {
                let _ = writeln!(out, "  - {}", log_inline(&r.message));
                if let Some(help) = &r.help {
                    let _ = writeln!(out, "    help: {}", log_inline(help));
                }
            }
        }
        ScheduleStatus::Applied { schedules } => {
            let failed: Vec<_> = schedules.iter().filter(|s| s.error.is_some()).collect();
            let _ = writeln!(
                out,
                "\nApplied: {} schedule(s) written, {} failed.",
                schedules.len() - failed.len(),
                failed.len()
            );
            for s in schedules.iter().filter(|s| s.note.is_some()) {
                let _ = writeln!(
                    out,
                    "  note: {}: {}",
                    log_inline(&s.name),
                    log_inline(s.note.as_deref().unwrap_or(""))
                );
            }
            for f in failed {
                let _ = writeln!(
                    out,
                    "  ! {}: {}",
                    log_inline(&f.name),
                    log_inline(f.error.as_deref().unwrap_or(""))
                );
            }
        }
    }
    let calls: Vec<String> = report
        .calls
        .0
        .iter()
        .map(|(op, c)| format!("{op} {}", c.calls))
        .collect();
    let _ = writeln!(out, "API calls: {}", calls.join(", "));
    out
}

/// Version 1 of the JSON report (fields are only ever added).
pub fn deploy_json(report: &ScheduleReport) -> String {
    let doc = serde_json::json!({
        "version": 1,
        "backend": "scheduler",
        "plan": report.plan,
        "result": report.status,
        "calls": report.calls,
    });
    to_log_json(&doc)
}

/// The schedules that `backend: rules` replaces by rules (shown before the rules plan).
pub fn to_rules_human(report: &ToRulesReport, dry_run: bool) -> String {
    let mut out = format!(
        "EventBridge Scheduler → rules: schedule group `{}`\n\n",
        log_inline(&report.group)
    );
    for m in &report.moves {
        let by = if m.rules.is_empty() {
            "its batch is no longer in the repository".to_string()
        } else {
            format!("replaced by the rule {}", m.rules.join(", "))
        };
        let _ = writeln!(
            out,
            "  - schedule {}  ({})",
            log_inline(&m.schedule),
            log_inline(&by)
        );
    }
    if dry_run {
        out.push_str("\nThe apply writes the rules disabled, waits for a moment when none is due, deletes the schedules, then enables the rules.\n");
    } else {
        let _ = writeln!(
            out,
            "\nMoved: {} schedule(s), {} failed.",
            report.moves.len().saturating_sub(report.errors.len()),
            report.errors.len()
        );
        for (name, e) in &report.errors {
            let _ = writeln!(out, "  ! {}: {}", log_inline(name), log_inline(e));
        }
        if let Some(n) = &report.note {
            let _ = writeln!(out, "  note: {}", log_inline(n));
        }
    }
    out.push('\n');
    out
}

/// The comment on the merged pull request for `backend: scheduler`: the verdict and, as
/// text, what was done to the schedules (and to the alert rules, `alerts`), under the same
/// marker as the rules backend's, so the same comment is found and edited.
pub fn deploy_comment(report: &ScheduleReport, alerts: Option<&str>, sha: &str) -> String {
    let verdict = match &report.status {
        ScheduleStatus::Applied { .. } if report.failed() => "⚠️ deployed with failures",
        ScheduleStatus::Applied { .. } => "✅ deployed to EventBridge Scheduler",
        ScheduleStatus::Refused { .. } => "❌ not deployed: the plan was refused",
        ScheduleStatus::Planned => "plan only",
    };
    let mut text = deploy_human(report);
    if let Some(a) = alerts {
        text.push_str("\nAlert rules:\n");
        text.push_str(a);
    }
    format!(
        "{}\n## ⏰ cronbridge: {verdict}\n\n{}\n<sub>commit {}</sub>\n",
        super::plan::DEPLOY_MARKER,
        markdown_code_block(&mask_secrets(&text), "text"),
        markdown_code(sha)
    )
}
