//! The Markdown report: what the PR comment and the job summary carry.
//!
//! Everything that came from YAML is hostile: it is escaped for Markdown tables and HTML,
//! `@mentions` are neutralised, and nothing from a file ever becomes a link or an image.

use super::check::{NEXT_RUNS, next_runs, verdict};
use crate::check::{Analysis, Diff, utc_text};
use crate::finding::{Finding, Severity};
use crate::timetable::local_and_utc;

/// Escapes text for Markdown (tables included) and HTML, and breaks `@mentions` and
/// `#references` so a schedule's description cannot ping people or link issues.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("&#124;"),
            // A zero-width space after @ and # stops mentions and issue links.
            '@' => out.push_str("@\u{200B}"),
            '#' => out.push_str("#\u{200B}"),
            // Everything is inline (newlines become spaces), so only inline syntax matters.
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    // GitHub turns bare URLs and www. names into links; a zero-width space stops that.
    out.replace("://", ":\u{200B}//")
        .replace("www.", "www\u{200B}.")
}

/// Our own messages quote values in backticks: those parts become code spans, the rest is
/// escaped. A backtick inside a hostile value only shifts which parts are code; both kinds
/// of part are inert.
pub fn inline(message: &str) -> String {
    message
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) })
        .collect()
}

/// A code span that cannot be broken out of: backticks and newlines become spaces.
pub fn code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c == '`' || c.is_control() { ' ' } else { c })
        .collect();
    format!("`{}`", escape_code_span(&clean))
}

/// Inside a code span Markdown escapes do not apply, but table pipes still split cells.
fn escape_code_span(text: &str) -> String {
    text.replace('|', "\\|")
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
        .map(|t| escape(&local_and_utc(t, &b.zone)))
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
        code(&b.cron_text),
        escape(&b.zone.name),
        code(&utc_text(&a.utc[i]))
    )
}

/// The table of batches: all of them, or only what a diff touches.
pub fn batches_table(head: &Analysis, base: Option<&Analysis>, diff: Option<&Diff>) -> String {
    let mut out = String::from(
        "| Batch | Change | Local cron → UTC rule(s) | Description | Next runs |\n|---|---|---|---|---|\n",
    );
    let index = |a: &Analysis, name: &str| a.inputs.batches.iter().position(|b| b.name == name);
    let mut row = |a: &Analysis, i: usize, change: &str, rule: String| {
        let b = &a.inputs.batches[i];
        out.push_str(&format!(
            "| {} | {change} | {rule} | {} | {} |\n",
            code(&b.name),
            escape(b.description.as_deref().unwrap_or("")),
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
        Some(url) => format!("[{}]({url})", code(&place)),
        None => code(&place),
    };
    let seen = if f.preexisting {
        " _(already on base)_"
    } else {
        ""
    };
    let mut out = format!(
        "- {} {place} {}{seen} ({})",
        icon(f.severity),
        inline(&f.message),
        code(f.rule.id())
    );
    if let Some(help) = &f.help {
        out.push_str(&format!("<br>help: {}", inline(help)));
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
            "<details><summary>Timetable diff, next {} days</summary>\n\n```diff\n{}```\n\n</details>\n",
            d.days,
            fence_safe(&d.timetable)
        ));
    }
    out
}

/// Text inside a ``` fence: a line of backticks from a batch name could close it early.
pub fn fence_safe(text: &str) -> String {
    text.replace("```", "`\u{200B}``")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        let e = escape("<img src=x onerror=alert(1)> @octocat | ![x](http://e/x.png) #1");
        assert!(!e.contains('<') && !e.contains("@o") && !e.contains(" | "));
        // Every bracket is escaped, so nothing can become a link or an image.
        assert!(!e.replace("\\]", "").contains(']') && !e.replace("\\[", "").contains('['));
        assert!(!e.contains("http://"));
        assert!(e.contains("&lt;img"));
        assert_eq!(code("a`b|c"), "`a b\\|c`");
    }
}
