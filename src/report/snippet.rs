//! One finding as cargo and ruff print it: a `file:line:col: severity[code] message` line that
//! editors and terminals make clickable, then the source line with carets under the span, then
//! notes and help. Every piece of user text goes through the log escaper first.

use super::escape::{Keep, log_inline, log_text_mapped};
use super::{BOLD, ERROR, HELP};
use crate::finding::{Finding, Location, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use std::ops::Range;

const WARN: Style = AnsiColor::Yellow.on_default().bold();

/// `finding` as text for a terminal or the job log, ending in a newline.
///
/// `source` is the text of the finding's file; without it (or when the location does not fit
/// it: a missing line, a column past the end of the line, so the file changed) only the header,
/// notes and help are shown, never a panic. A span over several lines is shown on its first.
/// Related places in the same file are marked `-` in the snippet; every related place also gets
/// a `note: file:line:col: …` line. With `color`, the text carries ANSI styles (write it through
/// `anstream`); without, it has no control character but line breaks, no line that starts with
/// `::`, and no `##[`, whatever the file name, message or source line hold.
pub fn render(finding: &Finding, source: Option<&str>, color: bool) -> String {
    let loc = &finding.location;
    let style = match finding.severity {
        Severity::Error => ERROR,
        Severity::Warning => WARN,
        Severity::Info => HELP,
    };
    let (style, bold) = if color {
        (style, BOLD)
    } else {
        (Style::new(), Style::new())
    };
    let mut out = format!(
        "{}:{}:{}: {style}{}[{}]{style:#} {bold}{}{bold:#}\n",
        log_inline(&loc.file),
        loc.line,
        loc.column,
        finding.severity,
        log_inline(finding.rule.id()),
        log_inline(&finding.message),
    );

    let lines: Vec<&str> = source.map(|s| s.lines().collect()).unwrap_or_default();
    let primary = span_on_line(&lines, loc, true);
    // Related places shown in the snippet: same file, and only when the primary line is shown.
    let marked: Vec<(usize, Range<usize>)> = match primary {
        Some(_) => finding
            .related
            .iter()
            .filter(|(l, _)| l.file == loc.file)
            .filter_map(|(l, _)| span_on_line(&lines, l, false))
            .collect(),
        None => Vec::new(),
    };
    let notes: Vec<String> = finding
        .related
        .iter()
        .map(|(l, note)| {
            format!(
                "{}:{}:{}: {}",
                log_inline(&l.file),
                l.line,
                l.column,
                log_inline(note)
            )
        })
        .collect();
    let help = finding.help.as_deref().map(log_inline);

    let mut text = String::new();
    let mut annotations = Vec::new();
    let mut first_line = 0;
    if let Some((line, span)) = &primary {
        let first = marked.iter().map(|(l, _)| *l).fold(*line, usize::min);
        let last = marked.iter().map(|(l, _)| *l).fold(*line, usize::max);
        first_line = first;
        // Each line escaped on its own; where its rendering starts in `text`, by line.
        let mut starts = Vec::new();
        let mut maps = Vec::new();
        for line in &lines[first..=last] {
            let (escaped, offsets) = log_text_mapped(line, Keep::TABS);
            if !maps.is_empty() {
                text.push('\n');
            }
            starts.push(text.len());
            text.push_str(&escaped);
            maps.push(offsets);
        }
        let bytes = |n: usize, span: &Range<usize>| {
            let (base, map) = (starts[n - first], &maps[n - first]);
            base + map[span.start]..base + map[span.end]
        };
        annotations.push(AnnotationKind::Primary.span(bytes(*line, span)));
        for (n, span) in &marked {
            annotations.push(AnnotationKind::Context.span(bytes(*n, span)));
        }
    }

    let level = match finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let mut group = Group::with_level(level.clone());
    if primary.is_some() {
        group = group.element(
            Snippet::source(text.as_str())
                .line_start(first_line + 1)
                .annotations(annotations),
        );
    }
    for note in &notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if !group.is_empty() {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        out.push_str(&renderer.render(&[group]));
        out.push('\n');
    }
    out
}

/// The 0-based line and character range `loc` covers on its first line, if the file has that
/// line and the columns fit it. A point (empty span) covers one character, or sits at the end
/// of the line; a span over several lines runs to the end of its first line. `strict`: an end
/// column past the end of a one-line span means the file changed, so nothing is shown.
fn span_on_line(lines: &[&str], loc: &Location, strict: bool) -> Option<(usize, Range<usize>)> {
    let n = usize::try_from(loc.line).ok()?.checked_sub(1)?;
    let len = lines.get(n)?.chars().count();
    let start = usize::try_from(loc.column).ok()?.checked_sub(1)?;
    if start > len {
        return None;
    }
    let end_col = usize::try_from(loc.end_column).ok()?;
    let end = if loc.end_line > loc.line {
        len.max(start)
    } else if loc.end_line == loc.line && loc.end_column > loc.column {
        let end = end_col - 1;
        if end > len {
            if strict {
                return None;
            }
            len
        } else {
            end
        }
    } else {
        start
    };
    let end = if end == start {
        (start + 1).min(len)
    } else {
        end
    };
    Some((n, start..end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Rule;

    const FILE: &str = "schedules/batches.yml";
    const SOURCE: &str = "Backup:\n  cron: \"0 9 * * * *\"\n  description: バックアップ「日次」\n\tbatch_class: \"Batches::Daily::Backup\"\n";

    fn cron_finding() -> Finding {
        Finding::error(
            Rule::ScheduleInvalidCron,
            Location::new(FILE, 2, 14, 2, 19),
            "day-of-month and day-of-week cannot both be `*`",
        )
    }

    #[test]
    fn a_simple_span() {
        assert_eq!(
            render(&cron_finding(), Some(SOURCE), false),
            "\
schedules/batches.yml:2:14: error[schedule/invalid-cron] day-of-month and day-of-week cannot both be `*`
  |
2 |   cron: \"0 9 * * * *\"
  |              ^^^^^
"
        );
    }

    #[test]
    fn carets_sit_under_wide_characters() {
        let f = Finding::warning(
            Rule::LintMissingDescription,
            Location::new(FILE, 3, 22, 3, 26),
            "brackets in a description",
        );
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:3:22: warning[lint/missing-description] brackets in a description
  |
3 |   description: バックアップ「日次」
  |                            ^^^^^^^^
"
        );
    }

    #[test]
    fn tabs_are_laid_out_like_the_carets() {
        let f = Finding::info(
            Rule::ScheduleInvalidBatchClass,
            Location::new(FILE, 4, 2, 4, 13),
            "a class",
        );
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:4:2: info[schedule/invalid-batch-class] a class
  |
4 |     batch_class: \"Batches::Daily::Backup\"
  |     ^^^^^^^^^^^
"
        );
    }

    #[test]
    fn a_span_past_the_end_of_the_line_shows_the_header_only() {
        // The file changed since the finding was made: the line is shorter now.
        let f = Finding::error(
            Rule::ScheduleInvalidValue,
            Location::new(FILE, 1, 30, 1, 32),
            "gone",
        )
        .help("fix it");
        let expected = "\
schedules/batches.yml:1:30: error[schedule/invalid-value] gone
 = help: fix it
";
        assert_eq!(render(&f, Some(SOURCE), false), expected);
        // The end past the end of the line means the same.
        let f = Finding::error(
            Rule::ScheduleInvalidValue,
            Location::new(FILE, 1, 2, 1, 40),
            "gone",
        )
        .help("fix it");
        assert!(
            render(&f, Some(SOURCE), false)
                .ends_with(":1:2: error[schedule/invalid-value] gone\n = help: fix it\n")
        );
        // So does a line the file does not have, or line 0.
        for line in [0, 5, 99] {
            let f = Finding::error(
                Rule::ScheduleInvalidValue,
                Location::new(FILE, line, 1, line, 2),
                "gone",
            );
            assert_eq!(
                render(&f, Some(SOURCE), false),
                format!("schedules/batches.yml:{line}:1: error[schedule/invalid-value] gone\n")
            );
        }
    }

    #[test]
    fn a_point_at_the_end_of_a_line_and_a_span_over_lines() {
        let f = Finding::error(
            Rule::ScheduleInvalidValue,
            Location::new(FILE, 1, 8, 1, 8),
            "value missing",
        );
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:1:8: error[schedule/invalid-value] value missing
  |
1 | Backup:
  |        ^
"
        );
        let f = Finding::error(
            Rule::ScheduleInvalidValue,
            Location::new(FILE, 2, 3, 3, 5),
            "two lines",
        );
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:2:3: error[schedule/invalid-value] two lines
  |
2 |   cron: \"0 9 * * * *\"
  |   ^^^^^^^^^^^^^^^^^^^
"
        );
    }

    #[test]
    fn without_the_source_only_the_header_and_help() {
        let f = cron_finding().help("write `?` in one of the two fields");
        assert_eq!(
            render(&f, None, false),
            "\
schedules/batches.yml:2:14: error[schedule/invalid-cron] day-of-month and day-of-week cannot both be `*`
 = help: write `?` in one of the two fields
"
        );
        assert_eq!(
            render(&cron_finding(), None, false),
            "schedules/batches.yml:2:14: error[schedule/invalid-cron] day-of-month and day-of-week cannot both be `*`\n"
        );
    }

    #[test]
    fn a_help_line() {
        let f = cron_finding().help("write `?` in one of the two fields");
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:2:14: error[schedule/invalid-cron] day-of-month and day-of-week cannot both be `*`
  |
2 |   cron: \"0 9 * * * *\"
  |              ^^^^^
  |
  = help: write `?` in one of the two fields
"
        );
    }

    #[test]
    fn related_locations_in_this_file_and_another() {
        let f = Finding::warning(
            Rule::PolicyGroupOverlap,
            Location::new(FILE, 2, 9, 2, 22),
            "runs at the same time as `Report`",
        )
        .related(Location::new(FILE, 1, 1, 1, 7), "this batch")
        .related(
            Location::new("schedules/reports.yml", 7, 9, 7, 22),
            "`Report` runs here",
        );
        assert_eq!(
            render(&f, Some(SOURCE), false),
            "\
schedules/batches.yml:2:9: warning[policy/group-overlap] runs at the same time as `Report`
  |
1 | Backup:
  | ------
2 |   cron: \"0 9 * * * *\"
  |         ^^^^^^^^^^^^^
  |
  = note: schedules/batches.yml:1:1: this batch
  = note: schedules/reports.yml:7:9: `Report` runs here
"
        );
    }

    #[test]
    fn hostile_text_reaches_the_log_inert() {
        let source = "a: 1\n  cron: \"\x1b[2J##[add-mask]x\u{9b}\"\n";
        let f = Finding::error(
            Rule::ScheduleInvalidCron,
            Location::new("::error::x.yml", 2, 10, 2, 14),
            "bad\n::stop-commands::tok",
        )
        .related(
            Location::new("b.yml", 1, 1, 1, 2),
            "##[set-output name=a;]b",
        )
        .help("\x1b]8;;http://evil\x1b\\click");
        let out = render(&f, Some(source), false);
        assert_eq!(
            out,
            "\
\\::error::x.yml:2:10: error[schedule/invalid-cron] bad\\n::stop-commands::tok
  |
2 |   cron: \"\\u{1b}[2J##\\[add-mask]x\\u{9b}\"
  |          ^^^^^^^^^
  |
  = note: b.yml:1:1: ##\\[set-output name=a;]b
  = help: \\u{1b}]8;;http://evil\\u{1b}\\click
"
        );
        for line in out.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line}");
            assert!(!line.contains("##["), "{line}");
            assert!(!line.contains(|c: char| c.is_control()), "{line:?}");
        }
    }

    #[test]
    fn colour_is_only_styles_around_the_same_text() {
        let f = cron_finding().help("fix");
        let styled = render(&f, Some(SOURCE), true);
        assert!(styled.contains('\x1b'));
        let mut plain = String::new();
        let mut in_escape = false;
        for c in styled.chars() {
            match c {
                '\x1b' => in_escape = true,
                'm' if in_escape => in_escape = false,
                c if !in_escape => plain.push(c),
                _ => {}
            }
        }
        assert_eq!(plain, render(&f, Some(SOURCE), false));
    }

    #[test]
    fn a_long_line_is_cut_without_making_a_command() {
        let source = format!("x: \"##[add-mask]{}#[end\"", "漢a".repeat(120));
        let f = Finding::error(
            Rule::ScheduleInvalidValue,
            Location::new(FILE, 1, 250, 1, 253),
            "long",
        );
        let out = render(&f, Some(&source), false);
        assert!(out.contains("..."), "{out}");
        for line in out.lines() {
            assert!(!line.contains("#["), "{line}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the file holds and wherever the finding points: no panic, and nothing the
        /// terminal or the runner would act on.
        #[test]
        fn any_finding_on_any_text_renders_inert(
            source in "(\\PC|[\t\r\n\x1b\u{9b}#\\[:漢]){0,400}",
            message in "(\\PC|[\n\x1b#\\[:]){0,20}",
            file in "(\\PC|[\n\x1b#\\[:]){0,12}",
            line in 0u32..6, column in 0u32..200, end_line in 0u32..6, end_column in 0u32..200,
            related_line in 0u32..6,
        ) {
            let f = Finding::error(Rule::ScheduleInvalidValue, Location::new(file.clone(), line, column, end_line, end_column), message.clone())
                .related(Location::new(file, related_line, 1, related_line, 3), message.clone())
                .help(message);
            let out = render(&f, Some(&source), false);
            for l in out.lines() {
                proptest::prop_assert!(!l.trim_start().starts_with("::"), "{l:?}");
                proptest::prop_assert!(!l.contains("#["), "{l:?}");
                proptest::prop_assert!(!l.contains(|c: char| c.is_control()), "{l:?}");
            }
        }
    }
}
