//! Rendering: every output format is a pure function from data to text.
//!
//! Human text may carry ANSI styles; the caller writes it through `anstream`, which strips
//! them when colour is off (`--color`, `NO_COLOR`, not a terminal).

pub mod check;
pub mod comment;
pub mod escape;
pub mod explain;
pub mod gantt;
pub mod github;
pub mod import;
pub mod manual;
pub mod markdown;
pub mod plan;
pub mod schedule_plan;
pub mod snippet;

use anstyle::{AnsiColor, Style};

pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const HELP: Style = AnsiColor::Cyan.on_default().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const BOLD: Style = Style::new().bold();

/// Terminal columns a character takes: East Asian wide and full-width characters take two.
pub(crate) fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// A diagnostic for stderr, `level: text` and a newline (`error`, `warning`): the text may
/// quote API error bodies or values from YAML, so secrets are masked and every line is
/// escaped for the log.
pub fn diagnostic(level: &str, text: &str) -> String {
    format!(
        "{level}: {}\n",
        escape::log_lines(&escape::mask_secrets(text))
    )
}
