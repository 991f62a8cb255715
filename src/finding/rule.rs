//! The registry of finding rules: every kind of finding cronbridge reports, with its stable id,
//! what kind of problem it is, its default severity and what it means.
//!
//! The ids are a public contract (the `code` of the JSON report, the title of an annotation);
//! the README's table of findings is generated from [`Rule::ALL`] and checked by a test.

use super::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

/// Whose problem a finding is: it decides, for example, that `plan` exits 2 (configuration)
/// rather than 1 (input errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// The user's schedules or policies are wrong.
    Input,
    /// The settings file or the environment is wrong.
    Config,
    /// The desired EventBridge state breaks one of its limits or collides with itself.
    Deploy,
    /// A bug in cronbridge.
    Internal,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::Input => "input",
            Category::Config => "config",
            Category::Deploy => "deploy",
            Category::Internal => "internal",
        })
    }
}

/// One line per rule: `Variant = "id", Category, default Severity, "summary";`. The macro
/// keeps the enum, [`Rule::ALL`] and the lookups from ever disagreeing.
macro_rules! rules {
    ($($variant:ident = $id:literal, $category:ident, $severity:ident, $summary:literal;)+) => {
        /// The rule a finding reports. Compare these (or their [`Category`]), never ids.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $(#[doc = $summary] $variant,)+
        }

        impl Rule {
            /// Every rule, in the README's order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            /// The stable id, such as `schedule/unknown-key`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)+
                }
            }

            /// Whose problem a finding of this rule is.
            pub fn category(self) -> Category {
                match self {
                    $(Rule::$variant => Category::$category,)+
                }
            }

            /// The severity unless a policy sets another.
            pub fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)+
                }
            }

            /// What a finding of this rule means, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Rule::$variant => $summary,)+
                }
            }
        }
    };
}

// A YAML or repository finding in the settings file is a configuration problem all the same:
// `check` decides that by the finding's file, not by its rule.
rules! {
    YamlAliasBomb = "yaml/alias-bomb", Input, Error, "aliases expand the document past the size cronbridge reads";
    YamlComplexKey = "yaml/complex-key", Input, Error, "a mapping key is not plain text";
    YamlDuplicateKey = "yaml/duplicate-key", Input, Error, "a mapping has the same key twice";
    YamlMultipleDocuments = "yaml/multiple-documents", Input, Error, "the file has more than one YAML document";
    YamlSyntax = "yaml/syntax", Input, Error, "the file is not valid YAML";
    YamlTooDeep = "yaml/too-deep", Input, Error, "the YAML is nested too deep";
    YamlTooLarge = "yaml/too-large", Input, Error, "the file has too many bytes or values";
    YamlUnsupportedTag = "yaml/unsupported-tag", Input, Error, "a YAML tag outside the core schema, such as `!Ref`";

    RepoNotAFile = "repo/not-a-file", Input, Error, "a path cronbridge reads is a directory or another non-file";
    RepoNotRead = "repo/not-read", Input, Info, "a file or directory beside the schedules or rules is not read (a subdirectory, an upper-case extension)";
    RepoNotUtf8 = "repo/not-utf8", Input, Error, "a file is not UTF-8 text";
    RepoSymlink = "repo/symlink", Input, Error, "a file is a symbolic link, which cronbridge does not follow";
    RepoTooLarge = "repo/too-large", Input, Error, "a file is over 1 MiB and is not read";

    ScheduleBackendKey = "schedule/backend-key", Input, Error, "a batch uses a key that the deploy backend (`aws.backend`) does not have";
    ScheduleCaseCollision = "schedule/case-collision", Input, Error, "two batch names differ only in case";
    ScheduleDuplicateBatch = "schedule/duplicate-batch", Input, Error, "the same batch name is defined in two schedule files";
    ScheduleEmptyFile = "schedule/empty-file", Input, Error, "a schedules file is empty, which would remove its rules";
    ScheduleInvalidBatchClass = "schedule/invalid-batch-class", Input, Error, "`batch_class` is not a class name such as `Batches::Daily::Backup`";
    ScheduleInvalidDate = "schedule/invalid-date", Input, Error, "`start`, `end` or `at` is not a local date-time, or `end` is not after `start`";
    ScheduleInvalidCron = "schedule/invalid-cron", Input, Error, "`cron` is not a valid EventBridge expression";
    ScheduleInvalidDuration = "schedule/invalid-duration", Input, Error, "`duration` is not a duration such as `90m`";
    ScheduleInvalidName = "schedule/invalid-name", Input, Error, "a batch name cannot become an EventBridge rule name";
    ScheduleInvalidRule = "schedule/invalid-rule", Input, Error, "`rule` does not name valid, distinct EventBridge rules, one per UTC rule of the schedule";
    ScheduleInvalidWindow = "schedule/invalid-window", Input, Error, "`flexible_window` is not a duration from 1 minute to 24 hours";
    ScheduleInvalidTimezone = "schedule/invalid-timezone", Input, Error, "`timezone` is not an IANA time zone";
    ScheduleInvalidValue = "schedule/invalid-value", Input, Error, "a value of a batch is empty";
    ScheduleMissingKey = "schedule/missing-key", Input, Error, "a batch lacks a required key";
    ScheduleUnknownKey = "schedule/unknown-key", Input, Error, "a batch has a key cronbridge does not know";
    ScheduleWrongType = "schedule/wrong-type", Input, Error, "a value of a schedules file has the wrong type";

    SettingsInvalidArn = "settings/invalid-arn", Config, Error, "an ARN in the settings is malformed or of the wrong service";
    SettingsInvalidPath = "settings/invalid-path", Config, Error, "a directory is not a relative path inside the repository";
    SettingsInvalidPrefix = "settings/invalid-prefix", Config, Error, "`rule_prefix` is empty, too long or not part of a rule name";
    SettingsInvalidTemplate = "settings/invalid-template", Config, Error, "the target `input` template is not valid";
    SettingsInvalidTimezone = "settings/invalid-timezone", Config, Error, "the default `timezone` is not an IANA time zone";
    SettingsInvalidValue = "settings/invalid-value", Config, Error, "a value of the settings is out of range or unknown";
    SettingsMissingKey = "settings/missing-key", Config, Error, "the settings lack a required key";
    SettingsUnknownKey = "settings/unknown-key", Config, Error, "the settings have a key cronbridge does not know";
    SettingsWrongType = "settings/wrong-type", Config, Error, "a value of the settings has the wrong type";

    PolicyAlertMatchesSuccess = "policy/alert-matches-success", Input, Warning, "an alert pattern also matches a task that succeeded";
    PolicyAlertMissesFailures = "policy/alert-misses-failures", Input, Warning, "an alert pattern misses some kind of failed task";
    PolicyAlertNeverFires = "policy/alert-never-fires", Input, Error, "an alert pattern matches no failed task at all";
    PolicyAlertUntested = "policy/alert-untested", Input, Info, "an alert pattern uses matching cronbridge cannot test";
    PolicyEmptyAlerts = "policy/empty-alerts", Input, Error, "`alerts: []` in a policy file, which would remove its alert rules";
    PolicyEmptyFile = "policy/empty-file", Input, Error, "a policy file is empty or only comments, which would remove its alert rules";
    PolicyDuplicateName = "policy/duplicate-name", Input, Error, "two alerts, quiet hours or group limits have the same name";
    PolicyDuplicateOverlap = "policy/duplicate-overlap", Input, Error, "more than one `overlap` section across the policy files";
    PolicyGroupOverlap = "policy/group-overlap", Input, Error, "more batches of a group run at once than it allows";
    PolicyInvalidArn = "policy/invalid-arn", Input, Error, "an ARN of an alert is malformed or of the wrong service";
    PolicyInvalidDate = "policy/invalid-date", Input, Error, "an entry of `dates` is not a month-day range";
    PolicyInvalidDay = "policy/invalid-day", Input, Error, "an entry of `days` is not a day of the week";
    PolicyInvalidDuration = "policy/invalid-duration", Input, Error, "`default_duration` is not a duration such as `10m`";
    PolicyInvalidName = "policy/invalid-name", Input, Error, "an alert name cannot become an EventBridge rule name";
    PolicyInvalidNumber = "policy/invalid-number", Input, Error, "a limit is not a whole number of at least 1";
    PolicyInvalidPattern = "policy/invalid-pattern", Input, Error, "an alert's event pattern is not valid";
    PolicyInvalidSeverity = "policy/invalid-severity", Input, Error, "`severity` is neither `error` nor `warning`";
    PolicyInvalidTimezone = "policy/invalid-timezone", Input, Error, "the `timezone` of quiet hours is not an IANA time zone";
    PolicyInvalidValue = "policy/invalid-value", Input, Error, "a value of a policy is empty, contradictory or not a pattern";
    PolicyInvalidWindow = "policy/invalid-window", Input, Error, "a window is not `HH:MM-HH:MM`";
    PolicyMissingKey = "policy/missing-key", Input, Error, "a policy lacks a required key";
    PolicyQuietHours = "policy/quiet-hours", Input, Error, "a batch runs during quiet hours";
    PolicySelfOverlap = "policy/self-overlap", Input, Warning, "a batch starts again before its previous run ends";
    PolicyStartsPerMinute = "policy/starts-per-minute", Input, Error, "more batches start in one minute than allowed";
    PolicyUnknownKey = "policy/unknown-key", Input, Error, "a policy has a key cronbridge does not know";
    PolicyWrongType = "policy/wrong-type", Input, Error, "a value of a policy file has the wrong type";

    LintInactive = "lint/inactive", Input, Info, "a batch is inactive: its rule is kept, disabled";
    LintMissingDescription = "lint/missing-description", Input, Warning, "a batch has no description";
    LintNeverFires = "lint/never-fires", Input, Error, "a schedule never fires again: its days do not exist or its years have passed";
    LintNotConvertible = "lint/not-convertible", Input, Error, "no set of UTC rules fires at exactly the schedule's times";
    LintRewriteUnproven = "lint/rewrite-unproven", Internal, Error, "a bug: the UTC rules did not prove exact, so nothing is deployed";
    LintSeveralUtcRules = "lint/several-utc-rules", Input, Info, "a schedule needs more than one UTC rule";
    LintTooManyRuns = "lint/too-many-runs", Input, Error, "the timetable holds more progressions of runs than one check expands";
    LintUnknownReference = "lint/unknown-reference", Input, Warning, "a policy names a batch or group that no batch has";

    AwsAdoptWithoutRepository = "aws/adopt-without-repository", Config, Error, "a batch adopts a rule outside the prefix, but no repository tag would keep it found as this repository's";
    AwsDeleteGuard = "aws/delete-guard", Deploy, Error, "the plan deletes all managed rules, or more than `aws.max_delete_share` allows";
    AwsExpressionTooLong = "aws/expression-too-long", Deploy, Error, "a UTC rule is longer than EventBridge allows";
    AwsInputTooLong = "aws/input-too-long", Deploy, Error, "a rule's target input is longer than EventBridge allows";
    AwsInvalidEnv = "aws/invalid-env", Config, Error, "an environment variable holds an invalid ARN";
    AwsInvalidRuleName = "aws/invalid-rule-name", Deploy, Error, "a rule name is too long or has a character EventBridge rejects";
    AwsInvalidTag = "aws/invalid-tag", Deploy, Error, "a rule's tag value is one AWS does not accept";
    AwsMissingSetting = "aws/missing-setting", Config, Error, "deploying needs a setting given neither in the settings nor the environment";
    AwsPatternTooLong = "aws/pattern-too-long", Deploy, Error, "an alert's event pattern is longer than EventBridge allows";
    AwsRuleNameCollision = "aws/rule-name-collision", Deploy, Error, "two batches or alerts would be the same EventBridge rule";
    AwsRulesQuota = "aws/rules-quota", Deploy, Error, "the event bus would hold more rules than its quota";
    AwsLeftOnOtherBus = "aws/left-on-other-bus", Deploy, Warning, "a rule of this repository on another event bus has no replacement, and is left there";
    AwsRunsTwice = "aws/runs-twice", Deploy, Error, "a rule cronbridge does not own already starts a batch it would schedule";
    AwsRulesQuotaNear = "aws/rules-quota-near", Deploy, Warning, "the event bus will use most of its rules quota";
    AwsScheduleBus = "aws/schedule-bus", Config, Error, "the settings' `event_bus` is not the default bus, where schedules run";
    AwsUnownedGroup = "aws/unowned-group", Deploy, Error, "the Scheduler schedule group exists without cronbridge's tag, or belongs to another repository";
    AwsUnownedRule = "aws/unowned-rule", Deploy, Error, "a rule of the name cronbridge would use exists without cronbridge's tag";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A rule serialises as its id.
impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const BEGIN: &str = "<!-- rules:begin -->\n";
    const END: &str = "<!-- rules:end -->";

    /// The README's table of findings, as the registry says it should be.
    fn table() -> String {
        let mut out = String::from("| code | category | severity | meaning |\n|---|---|---|---|\n");
        for rule in Rule::ALL {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                rule.id(),
                rule.category(),
                rule.severity(),
                rule.summary()
            ));
        }
        out
    }

    #[test]
    fn readme_table_is_the_registry() {
        let readme = include_str!("../../README.md");
        let start = readme.find(BEGIN).map(|i| i + BEGIN.len());
        let end = readme.find(END);
        let expected = table();
        if let (Some(start), Some(end), Some(_)) =
            (start, end, std::env::var_os("CRONBRIDGE_BLESS"))
        {
            // `CRONBRIDGE_BLESS=1 cargo test --lib readme_table` rewrites the table.
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
            let text = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(path, text).expect("write README.md");
            return;
        }
        let (Some(start), Some(end)) = (start, end) else {
            panic!(
                "README.md has no `{}` … `{END}` markers; put this between them:\n{expected}",
                BEGIN.trim()
            );
        };
        assert!(
            readme[start..end] == expected,
            "README.md's table of findings is not the registry in src/finding/rule.rs; replace it with:\n{expected}"
        );
    }

    #[test]
    fn ids_are_unique_and_follow_the_naming_scheme() {
        let mut seen = HashSet::new();
        for rule in Rule::ALL {
            let id = rule.id();
            assert!(seen.insert(id), "`{id}` is the id of two rules");
            let (prefix, name) = id
                .split_once('/')
                .unwrap_or_else(|| panic!("`{id}` has no prefix"));
            assert!(
                [
                    "yaml", "repo", "schedule", "settings", "policy", "lint", "aws"
                ]
                .contains(&prefix),
                "`{id}`: unknown prefix"
            );
            assert!(
                !name.is_empty()
                    && name.split('-').all(|w| {
                        !w.is_empty()
                            && w.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    }),
                "`{id}`: the name after the prefix is lowercase words joined by `-`"
            );
            // `schedule/unknown-key` is `ScheduleUnknownKey`.
            let camel: String = id
                .split(['/', '-'])
                .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
                .collect();
            assert_eq!(format!("{rule:?}"), camel, "the variant of `{id}`");
            if prefix == "settings" {
                assert_eq!(rule.category(), Category::Config, "`{id}`");
            }
            assert!(
                !rule.summary().contains('|'),
                "`{id}`: a `|` would split the README table"
            );
        }
        assert_eq!(seen.len(), Rule::ALL.len());
    }

    #[test]
    fn serialises_as_its_id() {
        let json = serde_json::to_string(&Rule::ScheduleUnknownKey).unwrap();
        assert_eq!(json, "\"schedule/unknown-key\"");
    }
}
