//! A picture of one day for the PR comment: a Mermaid `gantt` of the runs on a representative
//! local day, changed batches highlighted (their old place greyed), quiet hours shown.
//! Pure. Every label comes from YAML, so labels are cut down to a charset Mermaid cannot
//! misread and that cannot close the code fence.

use crate::check::Analysis;
use crate::cron::civil::{civil_from_days, days_from_civil, weekday};
use crate::policy::QuietHours;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

/// Rows drawn at most; past this, unchanged batches are left out (and counted).
pub const MAX_ROWS: usize = 40;
/// A batch with more runs than this in the day is drawn as one bar from first to last run.
pub const MAX_BARS_PER_BATCH: usize = 4;
/// Days after today considered for the picture.
pub const DAYS_CONSIDERED: i64 = 7;

/// Which batches a change touches and how.
#[derive(Debug, Clone, Default)]
pub struct Highlight<'a> {
    /// Added or changed batches: drawn in head, highlighted.
    pub changed: BTreeSet<&'a str>,
    /// Changed or removed batches: their base runs drawn greyed, labelled "before".
    pub before: BTreeSet<&'a str>,
}

/// The most runs of one day the chart reads.
const MAX_CHART_RUNS: usize = 20_000;

/// One bar.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bar {
    label: String,
    tag: &'static str,
    start: u32,
    minutes: u32,
}

/// Local minute of the day (0..1440 and past, for runs after a DST change) of runs of each
/// batch of `a` on `date` in `tz`, as (batch index, start minutes); at most
/// [`MAX_CHART_RUNS`] runs, the day's first.
fn runs_on(a: &Analysis, date: Date, tz: &TimeZone) -> Vec<(usize, Vec<u32>)> {
    let (Ok(start), Ok(end)) = (
        date.to_zoned_datetime(tz.clone()),
        date.tomorrow()
            .and_then(|d| d.to_zoned_datetime(tz.clone())),
    ) else {
        return Vec::new();
    };
    let t = &a.timetable;
    let index = |ts: Timestamp| -> u32 {
        let minute = ts.as_second().div_euclid(60) - t.base_minute;
        u32::try_from(minute.max(0)).unwrap_or(u32::MAX)
    };
    let (from, to) = (index(start.timestamp()), index(end.timestamp()));
    let mut per_batch: Vec<(usize, Vec<u32>)> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    // A day of frequent batches is more than a chart can draw: the first runs of the day.
    let (runs, _) = t.first_in(from, to, MAX_CHART_RUNS);
    for (minute, b) in runs {
        let local = t.instant(minute).to_zoned_datetime(tz.clone());
        let of_day =
            u32::from(local.hour().unsigned_abs()) * 60 + u32::from(local.minute().unsigned_abs());
        let i = *slot.entry(b).or_insert_with(|| {
            per_batch.push((b, Vec::new()));
            per_batch.len() - 1
        });
        per_batch[i].1.push(of_day);
    }
    per_batch
}

/// The first local day of the next [`DAYS_CONSIDERED`] (from tomorrow) on which the most
/// changed batches run, before or after; tomorrow when nothing changed.
pub fn pick_day(head: &Analysis, base: Option<&Analysis>, highlight: &Highlight<'_>) -> Date {
    let tz = &head.inputs.settings.zone.tz;
    let today = head
        .timetable
        .instant(0)
        .to_zoned_datetime(tz.clone())
        .date();
    let count = |a: &Analysis, names: &BTreeSet<&str>, date: Date| -> usize {
        runs_on(a, date, tz)
            .iter()
            .filter(|(b, _)| names.contains(a.inputs.batches[*b].name.as_str()))
            .count()
    };
    let mut best = (0, today.tomorrow().unwrap_or(today));
    for offset in 1..=DAYS_CONSIDERED {
        let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else {
            break;
        };
        let score = count(head, &highlight.changed, date)
            + base.map_or(0, |b| count(b, &highlight.before, date));
        if score > best.0 {
            best = (score, date);
        }
    }
    best.1
}

/// Words Mermaid's gantt grammar reads at the start of a line.
const KEYWORDS: &[&str] = &[
    "title",
    "section",
    "dateformat",
    "axisformat",
    "tickinterval",
    "excludes",
    "includes",
    "todaymarker",
    "inclusiveenddates",
    "topaxis",
    "weekday",
    "weekend",
    "click",
    "acctitle",
    "accdescr",
    "displaymode",
    "gantt",
];

/// A label Mermaid cannot misread, its text kept (Japanese included): at most 40 characters,
/// never starting with a keyword. No `:` (ends a label), `;` or `#` (statement and comment
/// syntax), no `,` or `%` (task fields, `%%` comments), no backtick (closes the fence), no
/// line break or other control character (ends the statement), no `<`, `>`, `&` or quotes
/// (HTML where Mermaid renders labels).
pub fn label(text: &str) -> String {
    let safe: String = text
        .chars()
        .map(|c| {
            // Line breaks, and the invisible format characters (bidi overrides, zero widths)
            // that make a label read other than it is.
            let breaks = c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{61C}' | '\u{FEFF}'
                )
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
                || matches!(c, '\u{2060}'..='\u{2069}' | '\u{FFF9}'..='\u{FFFB}');
            if breaks || ":;#,%`<>&\"'\\{}[]|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(40)
        .collect();
    let safe = match safe.trim() {
        "" => "_",
        trimmed => trimmed,
    };
    let lower = safe.to_ascii_lowercase();
    if KEYWORDS.iter().any(|k| lower.starts_with(k)) {
        format!("batch {safe}")
    } else {
        safe.to_string()
    }
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Whether a quiet-hours window starting on local day `day` (days since the epoch) applies.
fn applies_on(q: &QuietHours, day: i64) -> bool {
    if let Some(days) = q.days
        && days & (1 << weekday(day)) == 0
    {
        return false;
    }
    if q.dates.is_empty() {
        return true;
    }
    let (_, m, d) = civil_from_days(day);
    q.dates.iter().any(|&(from, to)| {
        if from <= to {
            from <= (m, d) && (m, d) <= to
        } else {
            (m, d) >= from || (m, d) <= to
        }
    })
}

/// The quiet windows of the day as bars, for policies in the chart's zone.
fn quiet_bars(a: &Analysis, date: Date) -> Vec<Bar> {
    let zone = &a.inputs.settings.zone.name;
    let day = days_from_civil(
        i32::from(date.year()),
        date.month().unsigned_abs(),
        date.day().unsigned_abs(),
    );
    let mut bars = Vec::new();
    for q in a.inputs.policies.quiet_hours.iter() {
        if &q.zone.name != zone {
            continue;
        }
        for &(start, end) in &q.windows {
            let (start, end) = (u32::from(start), u32::from(end));
            let mut push = |from: u32, to: u32| {
                bars.push(Bar {
                    label: label(&q.name),
                    tag: "active",
                    start: from,
                    minutes: to.saturating_sub(from).max(1),
                })
            };
            if start < end {
                if applies_on(q, day) {
                    push(start, end);
                }
            } else {
                // Crosses midnight: the evening part starts today, the morning part started
                // yesterday.
                if end > 0 && applies_on(q, day - 1) {
                    push(0, end);
                }
                if applies_on(q, day) {
                    push(start, 1440);
                }
            }
        }
    }
    bars
}

/// Minutes in the day the chart draws: a run going past midnight is cut there, and drawn
/// again from 00:00 on the next day's chart.
const DAY: u32 = 1440;

/// Bars of one batch: one per run, or one spanning them all for a frequent batch; none
/// reaches past midnight.
fn batch_bars(name: &str, tag: &'static str, starts: &[u32], minutes: u32) -> Vec<Bar> {
    let minutes = minutes.max(1);
    let clip = |start: u32, len: u32| len.min(DAY.saturating_sub(start)).max(1);
    match starts {
        [] => Vec::new(),
        [first, .., last] if starts.len() > MAX_BARS_PER_BATCH => vec![Bar {
            label: label(&format!("{name} ({} runs)", starts.len())),
            tag,
            start: *first,
            minutes: clip(*first, last - first + minutes),
        }],
        _ => starts
            .iter()
            .map(|&s| Bar {
                label: label(name),
                tag,
                start: s,
                minutes: clip(s, minutes),
            })
            .collect(),
    }
}

/// The part after midnight of the runs of the day before that reach into `date`, per batch
/// of `a`: (batch index, minutes from 00:00).
fn spill_over(a: &Analysis, date: Date, tz: &TimeZone) -> Vec<(usize, u32)> {
    let Ok(yesterday) = date.yesterday() else {
        return Vec::new();
    };
    runs_on(a, yesterday, tz)
        .into_iter()
        .filter_map(|(b, starts)| {
            let end = starts.iter().map(|s| s + a.durations[b].max(1)).max()?;
            (end > DAY).then(|| (b, (end - DAY).min(DAY)))
        })
        .collect()
}

/// The chart, fenced as a `mermaid` block, with a line below naming what was left out; `None`
/// when nothing runs that day and there are no quiet hours to show.
pub fn gantt(
    head: &Analysis,
    base: Option<&Analysis>,
    highlight: &Highlight<'_>,
    date: Date,
) -> Option<String> {
    let zone = &head.inputs.settings.zone;
    let quiet = quiet_bars(head, date);
    let mut changed = Vec::new();
    // Changed batches drawn this day, before or after; the others are named below the chart.
    let mut drawn: BTreeSet<&str> = BTreeSet::new();
    if let Some(base) = base {
        for (b, starts) in runs_on(base, date, &zone.tz) {
            let batch = &base.inputs.batches[b];
            if highlight.before.contains(batch.name.as_str()) {
                let name = format!("{} before", batch.name);
                changed.extend(batch_bars(&name, "done", &starts, base.durations[b]));
                drawn.insert(batch.name.as_str());
            }
        }
        for (b, minutes) in spill_over(base, date, &zone.tz) {
            let batch = &base.inputs.batches[b];
            if highlight.before.contains(batch.name.as_str()) {
                let name = format!("{} before, from the day before", batch.name);
                changed.extend(batch_bars(&name, "done", &[0], minutes));
            }
        }
    }
    let mut others = Vec::new();
    for (b, starts) in runs_on(head, date, &zone.tz) {
        let batch = &head.inputs.batches[b];
        if highlight.changed.contains(batch.name.as_str()) {
            changed.extend(batch_bars(&batch.name, "crit", &starts, head.durations[b]));
            drawn.insert(batch.name.as_str());
        } else {
            others.push((
                starts[0],
                batch_bars(&batch.name, "", &starts, head.durations[b]),
            ));
        }
    }
    for (b, minutes) in spill_over(head, date, &zone.tz) {
        let batch = &head.inputs.batches[b];
        let name = format!("{}, from the day before", batch.name);
        if highlight.changed.contains(batch.name.as_str()) {
            changed.extend(batch_bars(&name, "crit", &[0], minutes));
        } else {
            others.push((0, batch_bars(&name, "", &[0], minutes)));
        }
    }
    let absent: Vec<&str> = highlight
        .changed
        .iter()
        .chain(&highlight.before)
        .copied()
        .filter(|n| !drawn.contains(n))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let absent_line = (!absent.is_empty()).then(|| {
        // A changed batch missing from the chart without a word would look unchanged.
        let names: Vec<String> = absent
            .iter()
            .map(|n| crate::report::escape::markdown_code(n))
            .collect();
        format!(
            "Changed, but not running on {}: {}.\n",
            date.strftime("%a %Y-%m-%d"),
            names.join(", ")
        )
    });
    if quiet.is_empty() && changed.is_empty() && others.is_empty() {
        return absent_line;
    }
    changed.sort_by_key(|bar| (bar.start, bar.tag != "done"));
    others.sort_by_key(|(start, _)| *start);
    let room = MAX_ROWS.saturating_sub(quiet.len() + changed.len());
    let mut shown = 0;
    let mut left_out = 0;
    let mut other_bars = Vec::new();
    for (_, bars) in others {
        if shown + bars.len() <= room {
            shown += bars.len();
            other_bars.extend(bars);
        } else {
            left_out += 1;
        }
    }
    let title = format!(
        "{} {}",
        date.strftime("%a %Y-%m-%d"),
        label(&zone.name).replace(' ', "_")
    );
    let mut out = format!(
        "```mermaid\ngantt\n    title {title}\n    dateFormat HH:mm\n    axisFormat %H:%M\n    todayMarker off\n"
    );
    let mut section = |name: &str, bars: &[Bar]| {
        if bars.is_empty() {
            return;
        }
        out.push_str(&format!("    section {name}\n"));
        for bar in bars {
            let tag = if bar.tag.is_empty() {
                String::new()
            } else {
                format!("{}, ", bar.tag)
            };
            out.push_str(&format!(
                "    {} :{tag}{}, {}m\n",
                bar.label,
                hhmm(bar.start),
                bar.minutes
            ));
        }
    };
    section("Quiet hours", &quiet);
    section("Changed", &changed);
    section("Unchanged", &other_bars);
    out.push_str("```\n");
    if left_out > 0 {
        out.push_str(&format!(
            "\n{left_out} more batch{} that day not drawn.\n",
            if left_out == 1 { "" } else { "es" }
        ));
    }
    if let Some(line) = absent_line {
        out.push('\n');
        out.push_str(&line);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_the_chart_or_the_fence() {
        assert_eq!(label("Backup"), "Backup");
        assert_eq!(label("a:b;c#d`e\nf"), "a_b_c_d_e_f");
        assert_eq!(label("```\n:crit, 00:00"), "_____crit_ 00_00");
        assert_eq!(label("section x"), "batch section x");
        assert_eq!(label("Title"), "batch Title");
        assert_eq!(label("バックアップ"), "バックアップ");
        assert_eq!(label("a<b>&\"c\u{2028}d"), "a_b___c_d");
        assert_eq!(label("a\u{202e}b\u{200b}c"), "a_b_c");
        assert_eq!(label(&"x".repeat(100)).len(), 40);
    }

    #[test]
    fn frequent_batches_are_one_bar() {
        let starts: Vec<u32> = (0..96).map(|i| i * 15).collect();
        let bars = batch_bars("SessionCleanup", "", &starts, 5);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].label, "SessionCleanup (96 runs)");
        assert_eq!((bars[0].start, bars[0].minutes), (0, 1425 + 5));
        assert_eq!(batch_bars("B", "crit", &[540, 600], 0).len(), 2);
    }

    // A run that crosses midnight ran off the right edge of the chart.
    #[test]
    fn a_run_is_cut_at_midnight() {
        let bars = batch_bars("Night", "", &[1410], 60);
        assert_eq!((bars[0].start, bars[0].minutes), (1410, 30));
    }
}
