//! The pull-request comment: a pure function of the analyses, starting with a hidden marker
//! so the next run finds and edits it. It stays under GitHub's size limit by cutting the
//! least important parts first: the timetable diff, the day chart, then finding details.

use super::gantt::{self, Highlight};
use crate::check::{Analysis, Diff};
use crate::deploy::plan::{Action, LiveView};
use crate::finding::{Finding, Rule, Severity};
use crate::report::escape::{markdown_code, markdown_code_block, markdown_text};
use crate::report::markdown::{batches_table, finding_item, headline};
use std::collections::HashMap;

/// The hidden first line of every comment cronbridge writes on a pull request.
pub const MARKER: &str = "<!-- cronbridge:pull-request -->";
/// GitHub rejects comment bodies longer than this many characters.
pub const MAX_COMMENT_CHARS: usize = 65_536;
/// What the comment aims for: a margin under the limit, in case GitHub counts a character
/// differently (line ends, astral characters) from `chars()`.
pub const COMMENT_BUDGET: usize = 64_000;
/// The job summary takes up to 1 MiB per step; the same report, far less cut.
pub const SUMMARY_BUDGET: usize = 900_000;

/// Where links point and what the footer says.
#[derive(Debug, Clone)]
pub struct Links<'a> {
    /// `GITHUB_SERVER_URL`, e.g. `https://github.com`.
    pub server_url: &'a str,
    /// `owner/name` of the repository whose pull request this is.
    pub repository: &'a str,
    /// The commit the analysed files are from: line links point into it.
    pub blob_sha: &'a str,
    /// The pull request's head commit.
    pub head_sha: &'a str,
    /// The run, whose job summary holds the full report.
    pub run_url: Option<&'a str>,
    /// cronbridge's version.
    pub version: &'a str,
}

/// Everything the comment is made from.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub head: &'a Analysis,
    pub base: &'a Analysis,
    pub diff: &'a Diff,
    /// What the merge changes in EventBridge, computed from the two commits alone.
    pub deploy: &'a crate::deploy::diff::DeployDiff,
    /// EventBridge now, when the job read it (`--live-plan`).
    pub live: Option<&'a LiveView>,
    pub links: Links<'a>,
}

impl Context<'_> {
    /// Findings of the base that the head no longer has, matched as `check::diff` matches
    /// them: by file, code and message, each head finding standing for one base finding.
    pub fn fixed(&self) -> usize {
        let mut now: HashMap<(&str, Rule, &str), usize> = HashMap::new();
        for f in &self.head.findings {
            *now.entry((f.location.file.as_str(), f.rule, f.message.as_str()))
                .or_default() += 1;
        }
        self.base
            .findings
            .iter()
            .filter(|f| {
                match now.get_mut(&(f.location.file.as_str(), f.rule, f.message.as_str())) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            })
            .count()
    }

    /// Whether the pull request changes anything cronbridge reports: a batch, anything the
    /// merge would change in AWS, or a finding (new in head, or fixed). Without changes no
    /// comment is created.
    pub fn has_changes(&self) -> bool {
        !self.diff.is_empty()
            || !self.deploy.is_empty()
            || matches!(self.live, Some(LiveView::Planned(l)) if l.drift.as_ref().is_some_and(|d| !d.is_empty()))
            || self.head.findings.iter().any(|f| !f.preexisting)
            || self.fixed() > 0
    }
}

/// `https://github.com/o/r/blob/<sha>/<path>#L<line>`, the path percent-encoded so no file
/// name can end the Markdown link or add to the URL.
pub fn blob_url(links: &Links<'_>, file: &str, line: u32) -> String {
    let mut path = String::new();
    for byte in file.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    format!(
        "{}/{}/blob/{}/{path}#L{line}",
        links.server_url, links.repository, links.blob_sha
    )
}

/// How much of each part a rendering keeps; the fitting loop lowers these in order.
#[derive(Debug, Clone, Copy)]
struct Keep {
    /// Lines of the timetable diff; `None` leaves the section out.
    diff_lines: Option<usize>,
    gantt: bool,
    /// Help lines under findings.
    help: bool,
    /// Findings the base already had (collapsed under their own heading).
    preexisting: bool,
    /// New findings listed.
    findings: usize,
    /// Rows of the changes table.
    rows: usize,
    /// Rows of the AWS changes table.
    aws_rows: usize,
    /// Rows of each live-plan table (the plan, the drift).
    live_rows: usize,
}

/// The live plan's section: its lead, the plan's rows, and the drift's (`None`: not computed).
struct LiveParts {
    top: String,
    plan_rows: Vec<String>,
    drift_rows: Option<Vec<String>>,
}

fn live_parts(view: &LiveView) -> LiveParts {
    let head = "### EventBridge now (live plan, read-only)\n\n";
    match view {
        LiveView::Unavailable { reason } => LiveParts {
            top: format!(
                "{head}> [!WARNING]\n> The live plan could not be read: {}\n\n",
                super::markdown::message(reason, false)
            ),
            plan_rows: Vec::new(),
            drift_rows: None,
        },
        LiveView::Planned(live) => {
            let p = &live.plan;
            let changed = p.changes.iter().filter(|c| c.action != Action::Unchanged);
            LiveParts {
                top: format!(
                    "{head}Applying this pull request to EventBridge as it is now: **{}** (event bus {}, prefix {}).\n\n",
                    super::plan::summary_line(p),
                    markdown_code(&p.bus),
                    markdown_code(&p.prefix)
                ),
                plan_rows: super::plan::change_rows(changed),
                drift_rows: live
                    .drift
                    .as_ref()
                    .map(|d| super::plan::change_rows(d.iter())),
            }
        }
    }
}

/// The parts, rendered once; `render` assembles them under a [`Keep`].
struct Parts {
    top: String,
    table_head: String,
    rows: Vec<String>,
    aws_rows: Vec<String>,
    live: Option<LiveParts>,
    new_findings: Vec<Finding>,
    old_findings: Vec<Finding>,
    gantt: Option<String>,
    /// The timetable diff's code block: its fence, and the lines between the fences.
    diff_fence: String,
    diff_lines: Vec<String>,
    footer: String,
    summary_link: String,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if word.ends_with('h') {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

fn counts_line(ctx: &Context<'_>) -> String {
    let d = ctx.diff;
    let (mut enabled, mut disabled) = (0, 0);
    for (_, changes) in &d.changed {
        match changes.iter().find(|c| c.field == "is_active") {
            Some(c) if c.after == "true" => enabled += 1,
            Some(_) => disabled += 1,
            None => {}
        }
    }
    let mut parts = Vec::new();
    for (n, word) in [
        (d.added.len(), "added"),
        (d.changed.len() - enabled - disabled, "changed"),
        (d.removed.len(), "removed"),
        (d.unreadable.len(), "not loaded because of errors"),
        (enabled, "enabled"),
        (disabled, "disabled"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let mut line = if parts.is_empty() {
        "No batch changes.".to_string()
    } else {
        format!("Batches: {}.", parts.join(", "))
    };
    let new = ctx.head.findings.iter().filter(|f| !f.preexisting).count();
    let fixed = ctx.fixed();
    if new > 0 || fixed > 0 {
        line.push_str(&format!(" Findings: {new} new, {fixed} fixed."));
    }
    line
}

fn parts(ctx: &Context<'_>) -> Parts {
    let (head, base, diff) = (ctx.head, ctx.base, ctx.diff);
    let top = format!(
        "## ⏰ cronbridge\n\n{}\n\n{}\n\n",
        headline(head),
        counts_line(ctx)
    );
    let table = if diff.is_empty() {
        String::new()
    } else {
        batches_table(head, Some(base), Some(diff))
    };
    let mut lines = table.lines().map(|l| format!("{l}\n"));
    let table_head: String = lines.by_ref().take(2).collect();
    let rows: Vec<String> = lines.collect();
    let (old_findings, new_findings): (Vec<Finding>, Vec<Finding>) =
        head.findings.iter().cloned().partition(|f| f.preexisting);
    let highlight = Highlight {
        changed: diff
            .added
            .iter()
            .chain(diff.changed.iter().map(|(n, _)| n))
            .map(String::as_str)
            .collect(),
        before: diff
            .removed
            .iter()
            .chain(&diff.unreadable)
            .chain(diff.changed.iter().map(|(n, _)| n))
            .map(String::as_str)
            .collect(),
    };
    let gantt = if diff.is_empty() {
        None
    } else {
        let day = gantt::pick_day(head, Some(base), &highlight);
        gantt::gantt(head, Some(base), &highlight, day).map(|chart| {
            format!(
                "### A day in {}: {}\n\n{chart}\n<sub>Red: changed batches at their new times; grey: where they ran before; blue: quiet hours.</sub>\n\n",
                markdown_text(&head.inputs.settings.zone.name),
                day.strftime("%a %Y-%m-%d")
            )
        })
    };
    let block = markdown_code_block(&diff.timetable, "diff");
    let mut block_lines: Vec<String> = block.lines().map(|l| format!("{l}\n")).collect();
    let diff_fence = block_lines.pop().unwrap_or_default();
    let diff_lines: Vec<String> = block_lines.into_iter().skip(1).collect();
    let l = &ctx.links;
    let short = |sha: &str| sha.chars().take(7).collect::<String>();
    let mut footer = format!(
        "<sub>cronbridge {} · head {}",
        markdown_text(l.version),
        markdown_code(&short(l.head_sha))
    );
    if l.blob_sha != l.head_sha {
        footer.push_str(&format!(
            " · checked {} (head merged into base)",
            markdown_code(&short(l.blob_sha))
        ));
    }
    let summary_link = match l.run_url {
        Some(url) => format!("[job summary]({url})"),
        None => "job summary".to_string(),
    };
    footer.push_str(&format!(" · full report in the {summary_link}</sub>\n"));
    Parts {
        top,
        table_head,
        rows,
        aws_rows: super::plan::deploy_diff_rows(ctx.deploy),
        live: ctx.live.map(live_parts),
        new_findings,
        old_findings,
        gantt,
        diff_fence,
        diff_lines,
        footer,
        summary_link,
    }
}

/// The first `keep` of a table's `rows`, and a line counting the rest; whether any were cut.
fn push_rows(out: &mut String, rows: &[String], keep: usize, noun: &str, link: &str) -> bool {
    for row in rows.iter().take(keep) {
        out.push_str(row);
    }
    let cut = keep < rows.len();
    if cut {
        out.push_str(&format!(
            "\n… and {} more in the {link}.\n",
            plural(rows.len() - keep, noun)
        ));
    }
    cut
}

fn render(ctx: &Context<'_>, p: &Parts, keep: Keep, marker: bool) -> String {
    let link = |f: &Finding| Some(blob_url(&ctx.links, &f.location.file, f.location.line));
    let item = |f: &Finding| {
        if keep.help {
            finding_item(f, &link)
        } else {
            let mut f = f.clone();
            f.help = None;
            finding_item(&f, &link)
        }
    };
    let mut cut = false;
    let mut out = String::new();
    if marker {
        out.push_str(MARKER);
        out.push('\n');
    }
    out.push_str(&p.top);
    if !p.rows.is_empty() {
        out.push_str("### Changes\n\n");
        out.push_str(&p.table_head);
        cut |= push_rows(&mut out, &p.rows, keep.rows, "batch", &p.summary_link);
        out.push('\n');
    }
    if !p.aws_rows.is_empty() {
        out.push_str("### What the merge changes in AWS\n\n| | rule | changes |\n|---|---|---|\n");
        cut |= push_rows(
            &mut out,
            &p.aws_rows,
            keep.aws_rows,
            "rule",
            &p.summary_link,
        );
        let from_env = &ctx.deploy.from_env;
        if !from_env.is_empty() {
            out.push_str(&format!(
                "\n<sub>Values shown as `from $VAR` come from the deploy job's environment ({}).</sub>\n",
                from_env
                    .iter()
                    .map(|v| markdown_code(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push('\n');
    }
    if let Some(live) = &p.live {
        out.push_str(&live.top);
        if !live.plan_rows.is_empty() {
            out.push_str(super::plan::CHANGE_TABLE_HEAD);
            cut |= push_rows(
                &mut out,
                &live.plan_rows,
                keep.live_rows,
                "rule",
                &p.summary_link,
            );
            out.push('\n');
        }
        match &live.drift_rows {
            Some(rows) if rows.is_empty() => {
                out.push_str("No drift: EventBridge holds what the base branch deploys.\n\n");
            }
            Some(rows) => {
                out.push_str(&format!(
                    "**Drift since the last apply**: {} EventBridge differs from what the base branch deploys (changed in the console, or a deploy that did not finish); the merge puts the pull request's version in place.\n\n{}",
                    plural(rows.len(), "rule where"),
                    super::plan::CHANGE_TABLE_HEAD
                ));
                cut |= push_rows(&mut out, rows, keep.live_rows, "rule", &p.summary_link);
                out.push('\n');
            }
            None if matches!(ctx.live, Some(LiveView::Planned(_))) => out.push_str(
                "Drift not shown: the base branch's rules cannot be built (its own errors), or it deploys to another event bus.\n\n",
            ),
            None => {}
        }
    }
    if !p.new_findings.is_empty() {
        out.push_str("### Findings\n\n");
        for f in p.new_findings.iter().take(keep.findings) {
            out.push_str(&item(f));
        }
        if keep.findings < p.new_findings.len() {
            cut = true;
            out.push_str(&format!(
                "- … and {} more in the {}\n",
                plural(p.new_findings.len() - keep.findings, "finding"),
                p.summary_link
            ));
        }
        out.push('\n');
    }
    if !p.old_findings.is_empty() {
        out.push_str(&format!(
            "<details><summary>{} already on the base branch</summary>\n\n",
            plural(p.old_findings.len(), "finding")
        ));
        if keep.preexisting {
            for f in &p.old_findings {
                out.push_str(&item(f));
            }
        } else {
            cut = true;
            out.push_str(&format!("Listed in the {}.\n", p.summary_link));
        }
        out.push_str("\n</details>\n\n");
    }
    match (&p.gantt, keep.gantt) {
        (Some(chart), true) => out.push_str(chart),
        (Some(_), false) => cut = true,
        (None, _) => {}
    }
    if !p.diff_lines.is_empty() {
        match keep.diff_lines {
            Some(n) => {
                out.push_str(&format!(
                    "<details><summary>Timetable diff, next {} days (local time, UTC)</summary>\n\n{}diff\n",
                    ctx.diff.days,
                    p.diff_fence.trim_end()
                ));
                for l in p.diff_lines.iter().take(n) {
                    out.push_str(l);
                }
                if n < p.diff_lines.len() {
                    cut = true;
                    out.push_str(&format!(
                        "… {} more lines in the job summary\n",
                        p.diff_lines.len() - n
                    ));
                }
                out.push_str(&p.diff_fence);
                if let Some(note) = ctx.diff.timetable_cut_note() {
                    out.push_str(&format!("\n{}\n", markdown_text(&note)));
                }
                out.push_str("\n</details>\n\n");
            }
            None => cut = true,
        }
    }
    if cut {
        out.push_str(&format!(
            "✂️ Parts of this report were left out to fit GitHub's comment size limit; the full report is in the {}.\n\n",
            p.summary_link
        ));
    }
    out.push_str(&p.footer);
    out
}

fn len(text: &str) -> usize {
    text.chars().count()
}

/// The largest `n` in `0..=max` for which `fits(n)`, assuming `fits` is monotone; `None` when
/// not even 0 fits.
fn largest(max: usize, fits: impl Fn(usize) -> bool) -> Option<usize> {
    if !fits(0) {
        return None;
    }
    let (mut lo, mut hi) = (0, max);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    Some(lo)
}

fn fitted(ctx: &Context<'_>, budget: usize, marker: bool) -> String {
    let p = parts(ctx);
    let mut keep = Keep {
        diff_lines: Some(p.diff_lines.len()),
        gantt: true,
        help: true,
        preexisting: true,
        findings: p.new_findings.len(),
        rows: p.rows.len(),
        aws_rows: p.aws_rows.len(),
        live_rows: p.live.as_ref().map_or(0, |l| {
            l.plan_rows
                .len()
                .max(l.drift_rows.as_ref().map_or(0, Vec::len))
        }),
    };
    let fits = |k: Keep| len(&render(ctx, &p, k, marker)) <= budget;
    if fits(keep) {
        return render(ctx, &p, keep, marker);
    }
    // 1. The timetable diff: as many lines as fit (a handful is not worth showing).
    let lines = largest(p.diff_lines.len(), |n| {
        fits(Keep {
            diff_lines: Some(n),
            ..keep
        })
    });
    keep.diff_lines = lines.filter(|&n| n >= 5);
    if fits(keep) {
        return render(ctx, &p, keep, marker);
    }
    keep.diff_lines = None;
    // 2. The day chart (a chart cut short would not parse).
    keep.gantt = false;
    // 3. Finding details: help lines, then the findings the base already had.
    for step in 0..2 {
        if fits(keep) {
            return render(ctx, &p, keep, marker);
        }
        match step {
            0 => keep.help = false,
            _ => keep.preexisting = false,
        }
    }
    if fits(keep) {
        return render(ctx, &p, keep, marker);
    }
    // 4. The new findings, then the changes table, cut to what fits.
    match largest(p.new_findings.len(), |n| {
        fits(Keep {
            findings: n,
            ..keep
        })
    }) {
        Some(n) => keep.findings = n,
        None => {
            keep.findings = 0;
            keep.rows = largest(p.rows.len(), |n| fits(Keep { rows: n, ..keep })).unwrap_or(0);
        }
    }
    if !fits(keep) {
        keep.live_rows = largest(keep.live_rows, |n| {
            fits(Keep {
                live_rows: n,
                ..keep
            })
        })
        .unwrap_or(0);
    }
    if !fits(keep) {
        keep.aws_rows = largest(p.aws_rows.len(), |n| {
            fits(Keep {
                aws_rows: n,
                ..keep
            })
        })
        .unwrap_or(0);
    }
    let text = render(ctx, &p, keep, marker);
    if len(&text) <= budget {
        return text;
    }
    // Unreachable with cronbridge's own fixed text; a last guard that keeps GitHub's limit.
    text.chars().take(budget).collect()
}

/// The comment body: marker first, at most [`COMMENT_BUDGET`] characters.
pub fn body(ctx: &Context<'_>) -> String {
    fitted(ctx, COMMENT_BUDGET, true)
}

/// The same report for the job summary (no marker, a far larger budget).
pub fn summary(ctx: &Context<'_>) -> String {
    fitted(ctx, SUMMARY_BUDGET, false)
}

/// The body that replaces an earlier comment when the pull request no longer changes
/// anything cronbridge reports.
pub fn no_changes_body(ctx: &Context<'_>) -> String {
    let p = parts(ctx);
    let errors = ctx.head.count(Severity::Error);
    let mut out = format!(
        "{MARKER}\n## ⏰ cronbridge\n\n{}\n\nThis pull request no longer changes any batch or finding.",
        headline(ctx.head)
    );
    if errors > 0 {
        out.push_str(" The errors above were already on the base branch.");
    }
    out.push_str("\n\n");
    out.push_str(&p.footer);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, Options};
    use crate::policy::load;
    use crate::schedule;
    use crate::settings::Settings;

    const NOW: &str = "2026-11-29T00:00:00Z";

    fn analyse(schedules: &str, rules: &str) -> Analysis {
        let settings = Settings::default();
        let (batches, mut findings) = schedule::load("schedules/b.yml", schedules, &settings);
        let (policies, mut more) = load::load("rules/p.yml", rules, &settings);
        findings.append(&mut more);
        let inputs = check::Inputs {
            settings,
            batches,
            policies,
            findings,
            ..Default::default()
        };
        let options = Options {
            now: NOW.parse().unwrap(),
            horizon_days: 30,
        };
        check::analyse(inputs, &options)
    }

    const BACKUP: &str = "Backup:\n  cron: \"0 9 * * ? *\"\n  description: バックアップ\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n  duration: 45m\n";
    const QUIET: &str = "quiet_hours:\n  - name: online-peak\n    window: \"11:00-14:00\"\n";

    fn links() -> Links<'static> {
        Links {
            server_url: "https://github.com",
            repository: "octo/cat",
            blob_sha: "1111111111111111111111111111111111111111",
            head_sha: "1111111111111111111111111111111111111111",
            run_url: Some("https://github.com/octo/cat/actions/runs/7"),
            version: "0.1.0",
        }
    }

    fn with<T>(base: &str, head: &str, rules: &str, f: impl FnOnce(&Context<'_>) -> T) -> T {
        let base = analyse(base, rules);
        let mut head = analyse(head, rules);
        let diff = check::diff(&base, &mut head);
        let ctx = Context {
            head: &head,
            base: &base,
            diff: &diff,
            live: None,
            deploy: &diff.deploy,
            links: links(),
        };
        f(&ctx)
    }

    #[test]
    fn moving_backup_shows_old_and_new_rules_chart_and_diff() {
        let moved = BACKUP.replace("0 9 * * ? *", "0 10 * * ? *");
        let body = with(BACKUP, &moved, QUIET, |ctx| {
            assert!(ctx.has_changes());
            body(ctx)
        });
        assert!(body.starts_with(MARKER), "{body}");
        assert!(body.contains("✅ **clean**"), "{body}");
        assert!(body.contains("Batches: 1 changed."), "{body}");
        assert!(
            body.contains("` 0 9 * * ? * ` Asia/Tokyo → ` 0 0 * * ? * `"),
            "{body}"
        );
        assert!(
            body.contains("` 0 10 * * ? * ` Asia/Tokyo → ` 0 1 * * ? * `"),
            "{body}"
        );
        assert!(body.contains("```mermaid\ngantt\n"), "{body}");
        assert!(
            body.contains("    Backup before :done, 09:00, 45m\n"),
            "{body}"
        );
        assert!(body.contains("    Backup :crit, 10:00, 45m\n"), "{body}");
        assert!(
            body.contains("    online-peak :active, 11:00, 180m\n"),
            "{body}"
        );
        assert!(body.contains("```diff\n"), "{body}");
        assert!(
            body.contains("+2026-11-30 Mon 10:00 JST  11-30 01:00 UTC  Backup"),
            "{body}"
        );
        assert!(body.contains("head ` 1111111 `"), "{body}");
        assert!(!body.contains("✂️"), "{body}");
        if std::env::var_os("CRONBRIDGE_PRINT_COMMENT").is_some() {
            eprintln!("{body}");
        }
    }

    #[test]
    fn findings_link_to_their_line_at_the_commit() {
        let broken = BACKUP.replace("0 9 * * ? *", "0 9 * * * *");
        let body = with(BACKUP, &broken, "", body);
        assert!(
            body.contains("](https://github.com/octo/cat/blob/1111111111111111111111111111111111111111/schedules/b.yml#L2)"),
            "{body}"
        );
        assert!(body.contains("Findings: 1 new, 0 fixed."), "{body}");
    }

    #[test]
    fn hostile_yaml_text_stays_text() {
        let hostile = BACKUP.replace(
            "バックアップ",
            "\"@octocat </details> ```\\n<script>x</script> | [x](https://evil.example)\"",
        );
        let moved = hostile.replace("0 9 * * ? *", "0 10 * * ? *");
        let body = with(&hostile, &moved, "", body);
        assert!(!body.contains("@octocat"), "{body}");
        assert!(!body.contains("<script>"), "{body}");
        assert!(!body.contains("</details> "), "{body}");
        assert!(!body.contains("https://evil"), "{body}");
        assert_eq!(body.matches("```").count() % 2, 0, "{body}");
    }

    #[test]
    fn a_file_broken_by_the_pull_request_is_not_a_removal() {
        let body = with(BACKUP, "Backup:\n  cron: [\n", QUIET, body);
        assert!(
            body.contains("Batches: 1 not loaded because of errors."),
            "{body}"
        );
        assert!(body.contains("not loaded (errors)"), "{body}");
        assert!(!body.contains("removed"), "{body}");
        assert!(
            body.contains("    Backup before :done, 09:00, 45m\n"),
            "{body}"
        );
    }

    #[test]
    fn no_changes_means_no_new_comment_but_a_clear_update() {
        with(BACKUP, BACKUP, "", |ctx| {
            assert!(!ctx.has_changes());
            let text = no_changes_body(ctx);
            assert!(text.starts_with(MARKER));
            assert!(text.contains("no longer changes"), "{text}");
        });
    }

    #[test]
    fn paths_are_encoded_in_links() {
        let url = blob_url(&links(), "schedules/a b)(#.yml", 3);
        assert!(url.ends_with("/schedules/a%20b%29%28%23.yml#L3"), "{url}");
    }

    #[test]
    fn a_huge_change_is_cut_to_the_limit_least_important_parts_first() {
        // 600 batches added, each with a long description: far past 65,536 characters.
        let mut head = String::new();
        for i in 0..600 {
            head.push_str(&format!(
                "Batch{i}:\n  cron: \"{} {} * * ? *\"\n  description: \"{}\"\n  batch_class: \"Batches::X\"\n  is_active: true\n",
                i % 60,
                i % 24,
                "長い説明".repeat(20)
            ));
        }
        let (body, summary) = with(BACKUP, &head, "", |ctx| (body(ctx), summary(ctx)));
        assert!(body.chars().count() <= COMMENT_BUDGET);
        assert!(body.contains("✂️"), "says it was cut");
        assert!(!body.contains("```diff"), "the diff goes first");
        assert!(!body.contains("```mermaid"), "then the chart");
        assert!(
            body.contains("more in the [job summary](https://github.com/octo/cat/actions/runs/7)")
        );
        assert!(body.ends_with("</sub>\n"), "the footer stays");
        // The summary has room for everything.
        assert!(summary.contains("```diff") && !summary.contains("✂️"));
    }

    #[test]
    fn a_long_diff_is_shortened_before_anything_else_goes() {
        // Minutely batches make a 7-day diff of tens of thousands of lines.
        let minutely =
            "Poll:\n  cron: \"* * * * ? *\"\n  batch_class: \"Batches::Poll\"\n  is_active: true\n";
        let body = with(BACKUP, &format!("{BACKUP}{minutely}"), "", body);
        assert!(body.chars().count() <= COMMENT_BUDGET);
        assert!(body.contains("```diff"), "{body}");
        assert!(body.contains("more lines in the job summary"), "{body}");
        assert!(body.contains("```mermaid"), "the chart stays");
    }

    // A monthly batch moved within the month disappeared from the chart without a word.
    #[test]
    fn a_changed_batch_that_does_not_run_on_the_charted_day_is_named() {
        let monthly = BACKUP.replace("0 9 * * ? *", "0 3 25 * ? *");
        let moved = monthly.replace("0 3 25 * ? *", "0 3 26 * ? *");
        let body = with(&monthly, &moved, "", body);
        assert!(body.contains("Changed, but not running on"), "{body}");
        assert!(body.contains("` Backup `"), "{body}");
    }
}
