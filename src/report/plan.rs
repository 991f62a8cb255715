//! The plan and the deploy report as text: a terminal view like an infrastructure plan
//! (`+` create, `~` update, `-` delete), versioned JSON, and Markdown for the job summary
//! and the pull-request comment. Pure renderers.

use super::escape::{log_inline, markdown_cell_code, markdown_code, markdown_text, mask_secrets};
use crate::deploy::desired::Origin;
use crate::deploy::plan::{Action, Change, FieldChange, Plan};
use crate::deploy::{DeployReport, Status};
use crate::finding::Finding;
use std::fmt::Write as _;

/// Longest field value shown in human and Markdown output; JSON has them whole.
const MAX_VALUE_CHARS: usize = 160;

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE_CHARS {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        s.push('…');
        s
    }
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Unchanged => "=",
    }
}

fn origin(c: &Change) -> String {
    match &c.origin {
        Some(Origin::Schedule(n)) if c.adopts => {
            format!("batch {n}, takes over the rule without cronbridge's tags")
        }
        Some(Origin::Schedule(n)) => format!("batch {n}"),
        Some(Origin::Alert(n)) => format!("alert {n}"),
        None => "no longer in the repository".to_string(),
    }
}

fn value(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "(none)".to_string(), cut)
}

fn field_line(f: &FieldChange, action: Action) -> String {
    match action {
        Action::Create => value(&f.after),
        Action::Delete => value(&f.before),
        _ => format!("{} -> {}", value(&f.before), value(&f.after)),
    }
}

/// The rules a changed `event_bus` moves: (old rule, its bus, the new rule).
fn moved_lines(plan: &Plan) -> Vec<(&str, &str, &str)> {
    plan.moves()
        .filter_map(|m| {
            Some((
                m.change.name.as_str(),
                m.bus.as_str(),
                m.replaced_by.as_deref()?,
            ))
        })
        .collect()
}

/// A one-line count: `2 to create, 1 to update, 0 to delete, 5 unchanged`.
pub fn summary_line(plan: &Plan) -> String {
    format!(
        "{} to create, {} to update, {} to delete, {} unchanged",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete) + plan.moves().count(),
        plan.count(Action::Unchanged)
    )
}

/// The plan for a terminal.
pub fn plan_human(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "EventBridge plan: event bus `{}`, rules named `{}*`",
        log_inline(&plan.bus),
        log_inline(&plan.prefix)
    );
    let _ = writeln!(out);
    for c in plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
    {
        let _ = writeln!(
            out,
            "  {} {}  ({})",
            symbol(c.action),
            log_inline(&c.name),
            log_inline(&origin(c))
        );
        let width = c
            .fields
            .iter()
            .map(|f| log_inline(&f.field).chars().count())
            .max()
            .unwrap_or(0);
        for f in &c.fields {
            let _ = writeln!(
                out,
                "      {:width$}  {}",
                format!("{}:", log_inline(&f.field)),
                log_inline(&field_line(f, c.action)),
                width = width + 1
            );
        }
    }
    let unchanged = plan.count(Action::Unchanged);
    if unchanged > 0 {
        let _ = writeln!(out, "  = {unchanged} unchanged");
    }
    if !plan.renames.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Renamed (the new rule is created disabled, the old one disabled, then the new one enabled):"
        );
        for r in &plan.renames {
            let _ = writeln!(out, "  {} → {}", log_inline(&r.from), log_inline(&r.to));
        }
    }
    let moves = moved_lines(plan);
    if !moves.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Moved from another event bus (the old rule goes once the new one is in place):"
        );
        for (from, bus, to) in moves {
            let _ = writeln!(
                out,
                "  - {} on {} → {}",
                log_inline(from),
                log_inline(bus),
                log_inline(to)
            );
        }
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Left alone (the prefix, but no `cronbridge:managed` tag): {}",
            log_inline(&plan.unmanaged.join(", "))
        );
    }
    for f in plan.warnings.iter().chain(&plan.errors) {
        let _ = write!(out, "{}", super::snippet::render(&masked(f), None, false));
    }
    if let Some(g) = plan.delete_guard {
        let _ = writeln!(
            out,
            "note: this plan deletes {} of {} managed rules; apply needs --allow-delete",
            g.deletes, g.managed
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Plan: {}; the bus will have {} of {} rules.",
        summary_line(plan),
        plan.quota.after,
        plan.quota.limit
    );
    out
}

/// The head of the table [`change_rows`] fills.
pub const CHANGE_TABLE_HEAD: &str = "| | rule | from | changes |\n|---|---|---|---|\n";

/// One Markdown table row per change, with the fields that change (lines end in `\n`).
pub fn change_rows<'c>(changes: impl IntoIterator<Item = &'c Change>) -> Vec<String> {
    changes
        .into_iter()
        .map(|c| {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        markdown_text(&f.field),
                        markdown_text(&field_line(f, c.action))
                    )
                })
                .collect();
            format!(
                "| `{}` | {} | {} | {} |\n",
                symbol(c.action),
                markdown_cell_code(&c.name),
                markdown_text(&origin(c)),
                fields.join("<br>")
            )
        })
        .collect()
}

/// The plan as Markdown: a table of changes with the fields that change.
pub fn plan_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### EventBridge plan\n");
    let _ = writeln!(
        out,
        "**{}** (event bus {}, prefix {})\n",
        summary_line(plan),
        markdown_code(&plan.bus),
        markdown_code(&plan.prefix)
    );
    let changed: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .collect();
    if changed.is_empty() {
        let _ = writeln!(
            out,
            "No changes: EventBridge already matches the repository.\n"
        );
    } else {
        out.push_str(CHANGE_TABLE_HEAD);
        for row in change_rows(changed) {
            out.push_str(&row);
        }
        let _ = writeln!(out);
    }
    if !plan.renames.is_empty() {
        let _ = writeln!(
            out,
            "Renamed, cut over so that the old and the new rule are never enabled together:\n"
        );
        for r in &plan.renames {
            let _ = writeln!(
                out,
                "- {} → {}",
                markdown_code(&r.from),
                markdown_code(&r.to)
            );
        }
        let _ = writeln!(out);
    }
    let moves = moved_lines(plan);
    if !moves.is_empty() {
        let _ = writeln!(
            out,
            "Moved from another event bus (the old rule goes once the new one is in place):\n"
        );
        for (from, bus, to) in moves {
            let _ = writeln!(
                out,
                "- {} on {} → {}",
                markdown_code(from),
                markdown_code(bus),
                markdown_code(to)
            );
        }
        let _ = writeln!(out);
    }
    if !plan.unmanaged.is_empty() {
        let names: Vec<String> = plan.unmanaged.iter().map(|n| markdown_code(n)).collect();
        let _ = writeln!(
            out,
            "Left alone (no `cronbridge:managed` tag): {}\n",
            names.join(", ")
        );
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "> [!WARNING]\n> {}\n", md_finding(w));
    }
    for e in &plan.errors {
        let _ = writeln!(out, "> [!CAUTION]\n> {}\n", md_finding(e));
    }
    if let Some(g) = plan.delete_guard {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> This plan deletes {} of {} managed rules; applying it needs `--allow-delete`.\n",
            g.deletes, g.managed
        );
    }
    out
}

/// `f` with what looks like a credential masked: refusals and sync problems quote AWS errors.
fn masked(f: &Finding) -> Finding {
    let mut f = f.clone();
    f.message = mask_secrets(&f.message);
    f.help = f.help.as_deref().map(mask_secrets);
    f
}

/// A finding on one Markdown line: the message, the fix and where. Messages may quote AWS
/// error text, so secrets are masked first.
fn md_finding(f: &Finding) -> String {
    let f = masked(f);
    let help = f
        .help
        .as_deref()
        .map(|h| format!(" — {}", super::markdown::message(h, false)))
        .unwrap_or_default();
    format!(
        "{}{help} ({})",
        super::markdown::message(&f.message, false),
        markdown_code(&f.location.to_string())
    )
}

/// The plan as JSON, version 1 (fields are only ever added).
pub fn plan_json(plan: &Plan) -> String {
    let value = serde_json::json!({
        "version": 1,
        "plan": plan,
        "counts": counts(plan),
    });
    super::escape::to_log_json(&value)
}

fn counts(plan: &Plan) -> serde_json::Value {
    serde_json::json!({
        "create": plan.count(Action::Create),
        "update": plan.count(Action::Update),
        "delete": plan.count(Action::Delete),
        "unchanged": plan.count(Action::Unchanged),
    })
}

/// The deploy report as JSON, version 1.
pub fn deploy_json(report: &DeployReport) -> String {
    let value = serde_json::json!({
        "version": 1,
        "plan": report.plan,
        "counts": counts(&report.plan),
        "outcome": report.status,
        "calls": report.calls,
        "from_env": report.from_env,
    });
    super::escape::to_log_json(&value)
}

fn calls_line(report: &DeployReport) -> String {
    let parts: Vec<String> = report
        .calls
        .0
        .iter()
        .map(|(op, c)| format!("{op} {}", c.calls))
        .collect();
    let retries = report.calls.retries();
    format!(
        "{} API call(s): {}{}",
        report.calls.total(),
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        },
        if retries > 0 {
            format!("; {retries} retried")
        } else {
            String::new()
        }
    )
}

/// What apply did, after the plan, for a terminal.
pub fn deploy_human(report: &DeployReport) -> String {
    let mut out = plan_human(&report.plan);
    let _ = writeln!(out);
    match &report.status {
        Status::Planned => {
            let _ = writeln!(out, "Nothing was written (plan only).");
        }
        Status::Refused { reasons } => {
            let _ = writeln!(out, "Not applied:");
            for r in reasons {
                let _ = write!(out, "{}", super::snippet::render(&masked(r), None, false));
            }
        }
        Status::Applied(a) => {
            let failed: Vec<_> = a.failed().collect();
            if report.plan.has_changes() {
                let _ = writeln!(
                    out,
                    "Applied: {} rule(s) done, {} failed.",
                    a.succeeded(),
                    failed.len()
                );
            } else {
                let _ = writeln!(
                    out,
                    "Applied: nothing to do; EventBridge already matches the repository."
                );
            }
            for f in failed {
                let _ = writeln!(
                    out,
                    "  failed {} {}: {}",
                    symbol(f.action),
                    log_inline(&f.name),
                    log_inline(&mask_secrets(f.error.as_deref().unwrap_or("")))
                );
            }
            if a.failed().next().is_some() {
                let _ = writeln!(
                    out,
                    "Run apply again: it plans afresh and finishes what is left."
                );
            }
        }
    }
    if !report.from_env.is_empty() {
        let _ = writeln!(
            out,
            "From the environment: {}",
            log_inline(&report.from_env.join(", "))
        );
    }
    let _ = writeln!(out, "{}", log_inline(&calls_line(report)));
    out
}

/// The deploy report as Markdown (job summary, merged-PR comment).
pub fn deploy_markdown(report: &DeployReport) -> String {
    let mut out = plan_markdown(&report.plan);
    match &report.status {
        Status::Planned => {
            let _ = writeln!(out, "Nothing was written (plan only).\n");
        }
        Status::Refused { reasons } => {
            let _ = writeln!(out, "**Not applied:**\n");
            for r in reasons {
                let _ = writeln!(out, "- {}", md_finding(r));
            }
            let _ = writeln!(out);
        }
        Status::Applied(a) => {
            let failed: Vec<_> = a.failed().collect();
            if failed.is_empty() {
                let _ = writeln!(out, "**Applied** ✅ {} rule(s) written.\n", a.succeeded());
            } else {
                let _ = writeln!(
                    out,
                    "**Applied with failures** ❌ {} done, {} failed:\n",
                    a.succeeded(),
                    failed.len()
                );
                for f in failed {
                    let _ = writeln!(
                        out,
                        "- {}: {}",
                        markdown_code(&f.name),
                        markdown_text(&mask_secrets(f.error.as_deref().unwrap_or("")))
                    );
                }
                let _ = writeln!(out, "\nRe-running apply finishes what is left.\n");
            }
        }
    }
    let _ = writeln!(out, "<sub>{}</sub>", markdown_text(&calls_line(report)));
    out
}

/// What a merge changes in EventBridge, as Markdown table rows (`| ± | rule | changes |`),
/// one a rule and then one for the settings: every value escaped, long ones cut.
pub fn deploy_diff_rows(diff: &crate::deploy::diff::DeployDiff) -> Vec<String> {
    let value = |v: &Option<String>| match v {
        Some(v) => markdown_cell_code(&short(v)),
        None => "—".to_string(),
    };
    let fields = |fields: &[FieldChange]| -> String {
        fields
            .iter()
            .map(|f| {
                // A description is prose from the YAML: text, not code.
                let value = |v: &Option<String>| match v {
                    Some(v) if f.field == "description" => markdown_text(&short(v)),
                    _ => value(v),
                };
                match (&f.before, &f.after) {
                    (None, _) => format!("{} {}", markdown_text(&f.field), value(&f.after)),
                    (_, None) => format!("{} ~~{}~~", markdown_text(&f.field), value(&f.before)),
                    _ => format!(
                        "{} {} → {}",
                        markdown_text(&f.field),
                        value(&f.before),
                        value(&f.after)
                    ),
                }
            })
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let mut rows: Vec<String> = diff
        .rules
        .iter()
        .map(|r| {
            let name = match &r.renamed_from {
                Some(old) => format!(
                    "{} ← {}",
                    markdown_cell_code(&r.name),
                    markdown_cell_code(old)
                ),
                None if r.adopts => format!(
                    "{} (takes over the live rule of this name)",
                    markdown_cell_code(&r.name)
                ),
                None => markdown_cell_code(&r.name),
            };
            format!("| {} | {name} | {} |\n", r.sign.symbol(), fields(&r.fields))
        })
        .collect();
    if !diff.settings.is_empty() {
        rows.push(format!("| ~ | settings | {} |\n", fields(&diff.settings)));
    }
    rows
}

/// A value of at most 120 characters in a table cell (inputs and patterns can be long).
fn short(v: &str) -> String {
    if v.chars().count() <= 120 {
        v.to_string()
    } else {
        format!("{}…", v.chars().take(119).collect::<String>())
    }
}

/// Marks the deployment comment on a merged pull request (not the check comment).
pub const DEPLOY_MARKER: &str = "<!-- cronbridge:deploy -->";

/// The comment on the merged pull request: what was deployed, from which commit.
pub fn deploy_comment(report: &DeployReport, sha: &str) -> String {
    let verdict = match &report.status {
        Status::Applied(_) if report.failed() => "⚠️ deployed with failures",
        Status::Applied(_) => "✅ deployed to EventBridge",
        Status::Refused { .. } => "❌ not deployed: the plan was refused",
        Status::Planned => "plan only",
    };
    format!(
        "{DEPLOY_MARKER}\n## ⏰ cronbridge: {verdict}\n\n{}\n<sub>commit {}</sub>\n",
        deploy_markdown(report),
        markdown_code(sha)
    )
}
