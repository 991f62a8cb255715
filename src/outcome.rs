//! What a command ended with, and the one mapping from it to the process exit code.
//!
//! Every command (and every GitHub event handler) returns an [`Outcome`]; only
//! [`crate::cli::run`] turns it into an exit code, through [`Outcome::exit_code`]. The README's
//! table of exit codes is this module's.

use crate::finding::{Category, Finding, Severity};

/// How a command ended, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Done; nothing wrong (warnings and notes allowed).
    Success,
    /// Done, and `plan` found changes to make (exit 2 only with `--detailed-exitcode`).
    Changes,
    /// The user's input is wrong: an invalid expression, findings of severity error, a
    /// refused plan or manual run.
    Findings,
    /// Usage or configuration: bad flags, a broken settings file or environment, no
    /// `schedules/`, the Actions environment missing.
    Config,
    /// cronbridge itself failed: I/O, git, network, AWS or GitHub, a bug.
    Failure,
}

/// The exit codes; the README's table.
pub mod code {
    pub const OK: u8 = 0;
    pub const INPUT_ERRORS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const FAILURE: u8 = 3;
    /// `plan --detailed-exitcode`: there are changes.
    pub const CHANGES: u8 = 2;
}

impl Outcome {
    /// The process exit code. With `--detailed-exitcode` (`detailed`) the codes are
    /// Terraform's: 0 no change, 2 changes, 1 any error.
    pub fn exit_code(self, detailed: bool) -> u8 {
        match (self, detailed) {
            (Outcome::Success, _) | (Outcome::Changes, false) => code::OK,
            (Outcome::Changes, true) => code::CHANGES,
            (_, true) | (Outcome::Findings, false) => code::INPUT_ERRORS,
            (Outcome::Config, false) => code::USAGE,
            (Outcome::Failure, false) => code::FAILURE,
        }
    }

    /// The worse of two outcomes.
    pub fn and(self, other: Outcome) -> Outcome {
        self.max(other)
    }

    /// The verdict on a list of findings: any error whose category is configuration makes it
    /// a configuration problem, an internal error a failure, any other error the input's.
    pub fn of_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Outcome {
        findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| match f.category {
                Category::Config => Outcome::Config,
                Category::Internal => Outcome::Failure,
                Category::Input | Category::Deploy => Outcome::Findings,
            })
            .max()
            .unwrap_or(Outcome::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_readme_table() {
        assert_eq!(Outcome::Success.exit_code(false), 0);
        assert_eq!(Outcome::Changes.exit_code(false), 0);
        assert_eq!(Outcome::Findings.exit_code(false), 1);
        assert_eq!(Outcome::Config.exit_code(false), 2);
        assert_eq!(Outcome::Failure.exit_code(false), 3);
        assert_eq!(Outcome::Success.exit_code(true), 0);
        assert_eq!(Outcome::Changes.exit_code(true), 2);
        for bad in [Outcome::Findings, Outcome::Config, Outcome::Failure] {
            assert_eq!(bad.exit_code(true), 1, "{bad:?}");
        }
    }

    #[test]
    fn the_worse_outcome_wins() {
        assert_eq!(Outcome::Success.and(Outcome::Findings), Outcome::Findings);
        assert_eq!(Outcome::Config.and(Outcome::Findings), Outcome::Config);
        assert_eq!(Outcome::Failure.and(Outcome::Config), Outcome::Failure);
    }
}
