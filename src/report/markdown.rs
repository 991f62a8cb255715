//! The Markdown report: what the PR comment and the job summary carry.
//!
//! Everything that came from YAML is hostile: it goes through the escapers of
//! [`super::escape`] (text, code spans, table-cell code spans, code blocks), so nothing from a
//! file becomes markup, a mention, a link or an image.

use super::check::{NEXT_RUNS, next_runs, verdict};
use super::escape::{markdown_cell_code, markdown_code, markdown_code_block, markdown_text};
use crate::check::{Analysis, Diff, deployed_text};
use crate::finding::{Finding, Severity};
use crate::timetable::local_and_utc;

/// One of our messages, which quote values in backticks: the quoted parts become code spans
/// ([`markdown_cell_code`] when `in_cell`), the rest [`markdown_text`]. A backtick inside a
/// hostile value only shifts which parts are code; both kinds of part are escaped.
pub fn message(text: &str, in_cell: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&if in_cell {
                markdown_cell_code(part)
            } else {
                markdown_code(part)
            });
        } else if i == 0 {
            out.push_str(&markdown_text(part));
        } else {
            // Mid-line: leading spaces cannot start a block here, so they stay spaces.
            let rest = part.trim_start_matches(' ');
            out.push_str(&part[..part.len() - rest.len()]);
            out.push_str(&markdown_text(rest));
        }
    }
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

/// The headline: verdict and counts.
pub fn headline(a: &Analysis) -> String {
    let (e, w, n) = (
        a.count(Severity::Error),
        a.count(Severity::Warning),
        a.count(Severity::Info),
    );
    match verdict(a) {
        "errors" => format!(
            "❌ **{e} error{}**, {w} warning{}, {n} note{}",
            s(e),
            s(w),
            s(n)
        ),
        "warnings" => format!("⚠️ **no errors**, {w} warning{}, {n} note{}", s(w), s(n)),
        _ => format!("✅ **clean**, {n} note{}", s(n)),
    }
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn runs_cell(a: &Analysis, i: usize) -> String {
    let b = &a.inputs.batches[i];
    let runs: Vec<String> = next_runs(a, i, NEXT_RUNS)
        .into_iter()
        .map(|t| markdown_text(&local_and_utc(t, &b.zone)))
        .collect();
    if runs.is_empty() {
        "—".to_string()
    } else {
        runs.join("<br>")
    }
}

fn rule_cell(a: &Analysis, i: usize) -> String {
    let b = &a.inputs.batches[i];
    format!(
        "{} {} → {}",
        markdown_cell_code(&b.cron_text),
        markdown_text(&b.zone.name),
        markdown_cell_code(&deployed_text(b, &a.utc[i]))
    )
}

/// The table of batches: all of them, or only what a diff touches.
pub fn batches_table(head: &Analysis, base: Option<&Analysis>, diff: Option<&Diff>) -> String {
    let header = if head
        .inputs
        .batches
        .iter()
        .any(crate::schedule::Batch::on_scheduler)
    {
        "Local cron → EventBridge Scheduler (zone-native)"
    } else {
        "Local cron → UTC rule(s)"
    };
    let mut out = format!(
        "| Batch | Change | {header} | Description | Next runs |\n|---|---|---|---|---|\n",
    );
    let index = |a: &Analysis, name: &str| a.inputs.batches.iter().position(|b| b.name == name);
    let mut row = |a: &Analysis, i: usize, change: &str, rule: String| {
        let b = &a.inputs.batches[i];
        out.push_str(&format!(
            "| {} | {change} | {rule} | {} | {} |\n",
            markdown_cell_code(&b.name),
            markdown_text(b.description.as_deref().unwrap_or("")),
            if change == "removed" {
                "—".to_string()
            } else {
                runs_cell(a, i)
            }
        ));
    };
    match (base, diff) {
        (Some(base), Some(diff)) => {
            for name in &diff.added {
                if let Some(i) = index(head, name) {
                    row(head, i, "added", rule_cell(head, i));
                }
            }
            for (name, changes) in &diff.changed {
                let (Some(i), Some(j)) = (index(head, name), index(base, name)) else {
                    continue;
                };
                let active = changes.iter().find(|c| c.field == "is_active");
                let change = match active.map(|c| c.after.as_str()) {
                    Some("true") => "enabled".to_string(),
                    Some(_) => "disabled".to_string(),
                    None => format!(
                        "changed: {}",
                        changes
                            .iter()
                            .map(|c| c.field)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let rule = if changes
                    .iter()
                    .any(|c| matches!(c.field, "cron" | "utc" | "timezone"))
                {
                    format!("{}<br>→ {}", rule_cell(base, j), rule_cell(head, i))
                } else {
                    rule_cell(head, i)
                };
                row(head, i, &change, rule);
            }
            for name in &diff.removed {
                if let Some(j) = index(base, name) {
                    row(base, j, "removed", rule_cell(base, j));
                }
            }
            for name in &diff.unreadable {
                if let Some(j) = index(base, name) {
                    row(base, j, "not loaded (errors)", rule_cell(base, j));
                }
            }
        }
        _ => {
            for i in 0..head.inputs.batches.len() {
                let change = if head.inputs.batches[i].is_active {
                    ""
                } else {
                    "inactive"
                };
                row(head, i, change, rule_cell(head, i));
            }
        }
    }
    out
}

/// One finding as a list item; `link` turns a location into a URL (the PR bot links lines).
pub fn finding_item(f: &Finding, link: &dyn Fn(&Finding) -> Option<String>) -> String {
    let place = format!(
        "{}:{}:{}",
        f.location.file, f.location.line, f.location.column
    );
    let place = match link(f) {
        Some(url) => format!("[{}]({url})", markdown_code(&place)),
        None => markdown_code(&place),
    };
    let seen = if f.preexisting {
        " _(already on base)_"
    } else {
        ""
    };
    let mut out = format!(
        "- {} {place} {}{seen} ({})",
        icon(f.severity),
        message(&f.message, false),
        markdown_code(f.rule.id())
    );
    if let Some(help) = &f.help {
        out.push_str(&format!("<br>help: {}", message(help, false)));
    }
    out.push('\n');
    out
}

/// The whole report, as `check --format markdown` prints it.
pub fn report(head: &Analysis, base: Option<&Analysis>, diff: Option<&Diff>) -> String {
    let mut out = format!("## cronbridge check\n\n{}\n\n", headline(head));
    match diff {
        Some(d) if d.is_empty() => out.push_str("No batch changes.\n\n"),
        Some(_) => out.push_str(&format!(
            "### Changes\n\n{}\n",
            batches_table(head, base, diff)
        )),
        None => out.push_str(&format!(
            "### Batches\n\n{}\n",
            batches_table(head, None, None)
        )),
    }
    if let Some(d) = diff
        && !d.deploy.is_empty()
    {
        out.push_str("### What the merge changes in AWS\n\n| | rule | changes |\n|---|---|---|\n");
        for row in super::plan::deploy_diff_rows(&d.deploy) {
            out.push_str(&row);
        }
        out.push('\n');
    }
    if !head.findings.is_empty() {
        out.push_str("### Findings\n\n");
        for f in &head.findings {
            out.push_str(&finding_item(f, &|_| None));
        }
        out.push('\n');
    }
    if let Some(d) = diff
        && !d.timetable.is_empty()
    {
        out.push_str(&format!(
            "<details><summary>Timetable diff, next {} days</summary>\n\n{}\n{}</details>\n",
            d.days,
            markdown_code_block(&d.timetable, "diff"),
            d.timetable_cut_note()
                .map(|n| format!("{}\n", markdown_text(&n)))
                .unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quote_values_as_code_and_escape_the_rest() {
        assert_eq!(
            message("found `a|b` near @x", false),
            "found ` a|b ` near @\u{200B}x"
        );
        assert_eq!(message("`a|b`", true), "` a\\|b `");
        let m = message("- `x` <img> [y](z)", false);
        assert!(m.starts_with("\\-") && !m.contains('<') && !m.contains("]("));
    }

    // The comment's table on Scheduler: the zone-native expression and its window, no UTC rule.
    #[test]
    fn the_batches_table_shows_what_scheduler_gets() {
        let mut settings = crate::settings::Settings::default();
        settings.aws.backend = crate::settings::aws::Backend::Scheduler;
        let text = "Closing:\n  cron: \"0 6 ? * MON#1 *\"\n  timezone: Europe/London\n  batch_class: \"A\"\n  is_active: true\n  description: c\n  flexible_window: 15m\n";
        let (batches, f) = crate::schedule::load("schedules/a.yml", text, &settings);
        assert!(f.is_empty(), "{f:?}");
        let inputs = crate::check::Inputs {
            settings,
            batches,
            ..Default::default()
        };
        let a = crate::check::analyse(
            inputs,
            &crate::check::Options {
                now: "2026-11-29T00:00:00Z".parse().unwrap(),
                horizon_days: 40,
            },
        );
        let table = batches_table(&a, None, None);
        assert!(
            table.contains("Local cron → EventBridge Scheduler (zone-native)"),
            "{table}"
        );
        assert!(
            table.contains("Scheduler cron(0 6 ? * 2#1 *) in Europe/London, flexible window 15m"),
            "{table}"
        );
        assert!(table.contains("2026-12-07 Mon 06:00"), "{table}");
    }
}
