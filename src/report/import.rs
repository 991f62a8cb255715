//! What `cronbridge import` says: the batches written and the rules each came from, the
//! rules left out and why, and the settings the live target needs. Every value from AWS is
//! escaped for the terminal and the job log.

use super::escape::log_inline;
use crate::import::{Import, Source, settings_snippet};
use std::fmt::Write as _;

/// The human report, after `file` was written.
pub fn human(import: &Import, file: &str) -> String {
    let mut out = String::new();
    let rules: usize = import.batches.iter().map(|b| b.rules.len()).sum();
    let (what, of) = match &import.source {
        Source::Bus(bus) => ("rule", format!("the event bus `{}`", log_inline(bus))),
        Source::Group(group) => (
            "schedule",
            format!("the schedule group `{}`", log_inline(group)),
        ),
    };
    let _ = writeln!(
        out,
        "Imported {} batch{} from {rules} {what}{} of {of} into {}",
        import.batches.len(),
        if import.batches.len() == 1 { "" } else { "es" },
        if rules == 1 { "" } else { "s" },
        log_inline(file)
    );
    for b in &import.batches {
        let zone = b
            .timezone
            .as_deref()
            .map(|z| format!(" ({z})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {}{}  <- {}",
            log_inline(&b.name),
            log_inline(&b.cron),
            log_inline(&zone),
            log_inline(&b.rules.join(", "))
        );
        if let Some(note) = &b.note {
            let _ = writeln!(out, "      {}", log_inline(note));
        }
    }
    if !import.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\nLeft out {} {what}{}{}:",
            import.skipped.len(),
            if import.skipped.len() == 1 { "" } else { "s" },
            match import.source {
                Source::Bus(_) => " (they stay as they are, and cronbridge does not touch them)",
                Source::Group(_) => "",
            }
        );
        for s in &import.skipped {
            let _ = writeln!(out, "  {}: {}", log_inline(&s.rule), log_inline(&s.reason));
        }
    }
    match &import.target {
        _ if import.settings_to_set.is_empty() => {}
        target => {
            let _ = writeln!(
                out,
                "\nThe settings do not describe the live rules yet; until they do, `plan` shows more than tag additions, or refuses. Set:"
            );
            for s in &import.settings_to_set {
                let _ = writeln!(out, "  {}", log_inline(s));
            }
            if let Some(t) = target.as_ref().filter(|_| {
                import
                    .settings_to_set
                    .iter()
                    .any(|s| s.starts_with("aws.target"))
            }) {
                let _ = writeln!(out, "for example:\n");
                for line in settings_snippet(t).lines() {
                    let _ = writeln!(out, "  {}", log_inline(line));
                }
            }
        }
    }
    if let Some(a) = &import.adoption {
        let group = log_inline(&a.group);
        let _ = writeln!(
            out,
            "\nThe group `{group}` is not cronbridge's yet, and `plan` refuses it (aws/unowned-group) until you hand it over:"
        );
        let mut step = 1;
        if !a.must_leave.is_empty() {
            let _ = writeln!(
                out,
                "  {step}. Once the group is cronbridge's, every schedule in it is, and `apply` deletes those the YAML lacks. Move these out of `{group}` (create them in another group, then delete them here) or delete them:"
            );
            for name in &a.must_leave {
                let _ = writeln!(out, "       {}", log_inline(name));
            }
            step += 1;
        }
        let _ = writeln!(
            out,
            "  {step}. Merge the file (and the settings above), then tag the group, which is the consent:\n       {}",
            log_inline(&a.command)
        );
        let _ = writeln!(
            out,
            "  {}. `cronbridge plan`: no schedule created or deleted; `cronbridge apply`.",
            step + 1
        );
    } else if !import.batches.is_empty() {
        let _ = writeln!(
            out,
            "\nNext: `cronbridge check`, then `cronbridge plan`: it should only add cronbridge's tags to the rules above."
        );
    }
    out
}
