//! The settings file (`cronbridge.yml` at the repository root, optional): default time zone,
//! where schedules and rules live, the rule-name prefix, the `aws:` section (`aws`, with the
//! input template in `template`) and the `manual_runs:` section (`manual`), and the scalar
//! readers every file shares (zones, durations). Defaults live here and only here.

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

pub mod aws;
pub mod manual;
pub mod template;

use crate::finding::{Finding, Rule};
use crate::shape::{DefaultValue, FileShape, Object, Type, field};
use crate::yaml;
use jiff::tz::TimeZone;

/// A time zone with the IANA name it was given by.
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
    pub tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Zone {
    /// Looks up an IANA zone name in the bundled time zone database.
    pub fn get(name: &str) -> Option<Zone> {
        TimeZone::get(name).ok().map(|tz| Zone {
            name: name.to_string(),
            tz,
        })
    }
}

pub const DEFAULT_ZONE: &str = "Asia/Tokyo";
pub const DEFAULT_SCHEDULES_DIR: &str = "schedules";
pub const DEFAULT_RULES_DIR: &str = "rules";
pub const DEFAULT_RULE_PREFIX: &str = "cronbridge-";
/// The settings file looked for at the repository root when `--config` is not given.
pub const DEFAULT_SETTINGS_FILE: &str = "cronbridge.yml";

/// Settings, with defaults for anything the file does not say.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Zone of schedules that do not name one.
    pub zone: Zone,
    /// Directory of schedule files, relative to the repository root.
    pub schedules_dir: String,
    /// Directory of policy and alert files, relative to the repository root.
    pub rules_dir: String,
    /// Prefix of the EventBridge rule names cronbridge manages.
    pub rule_prefix: String,
    /// The `aws:` section: where rules go and what they start (`plan` and `apply`).
    pub aws: crate::settings::aws::AwsSettings,
    /// The `manual_runs:` section: who may start batches by hand (its loader is `run`).
    pub manual_runs: crate::settings::manual::ManualRuns,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            zone: Zone {
                name: DEFAULT_ZONE.to_string(),
                tz: TimeZone::get(DEFAULT_ZONE).unwrap_or(TimeZone::UTC),
            },
            schedules_dir: DEFAULT_SCHEDULES_DIR.to_string(),
            rules_dir: DEFAULT_RULES_DIR.to_string(),
            rule_prefix: DEFAULT_RULE_PREFIX.to_string(),
            aws: crate::settings::aws::AwsSettings::default(),
            manual_runs: crate::settings::manual::ManualRuns::default(),
        }
    }
}

/// The longest `rule_prefix`: EventBridge rule names have 64 characters, and the batch name
/// needs the rest.
pub const MAX_RULE_PREFIX_CHARS: usize = 32;

/// Whether `c` may appear in an EventBridge rule name (`[.\-_A-Za-z0-9]`).
pub fn is_rule_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// Looks up an IANA zone name, case-insensitively, and keeps the database's spelling
/// (`asia/tokyo` becomes `Asia/Tokyo`). On failure, the closest known names.
pub fn lookup_zone(name: &str) -> Result<Zone, Vec<String>> {
    // `Etc/Unknown` is a placeholder zone in jiff, not a place anyone's batches run in.
    if !name.eq_ignore_ascii_case("etc/unknown")
        && let Ok(tz) = TimeZone::get(name)
    {
        let name = tz.iana_name().unwrap_or(name).to_string();
        return Ok(Zone { name, tz });
    }
    Err(zone_suggestions(name))
}

/// Up to three zone names close to `name`: by the whole name (`Asia/Tokio`) or by the city
/// alone (`Tokyo`).
fn zone_suggestions(name: &str) -> Vec<String> {
    // Abbreviations are not zone names, and Japan time is the default users come from.
    if name.eq_ignore_ascii_case("JST") {
        return vec![DEFAULT_ZONE.to_string()];
    }
    let lower = name.to_lowercase();
    let city = |s: &str| s.rsplit('/').next().unwrap_or(s).to_lowercase();
    let wanted_city = city(name);
    let mut scored: Vec<(f64, String)> = jiff::tz::db()
        .available()
        .map(|n| {
            let candidate = n.as_str();
            let whole = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
            let by_city = strsim::jaro_winkler(&wanted_city, &city(candidate));
            (whole.max(by_city), candidate.to_string())
        })
        .filter(|(score, _)| *score >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// For a zone written as an offset (`UTC+9`, `GMT+09:00`, `+9`): the zones to write instead,
/// with the sign of `Etc/GMT` explained — it is POSIX's, the opposite of ISO's, so the fuzzy
/// match to `Etc/GMT+9` would be nine hours off in the other direction.
fn offset_help(name: &str) -> Option<String> {
    let upper = name.trim().to_ascii_uppercase();
    let rest = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|p| upper.strip_prefix(p))
        .unwrap_or(&upper);
    let (sign, digits) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        None => (digits.parse().ok()?, 0),
    };
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return None;
    }
    let ahead = if sign > 0 { "ahead of" } else { "behind" };
    let places = match (sign * hours, minutes) {
        (9, 0) => "`Asia/Tokyo` (or `Asia/Seoul`)",
        (8, 0) => "`Asia/Shanghai` (or `Asia/Singapore`)",
        (5, 30) => "`Asia/Kolkata`",
        (5, 45) => "`Asia/Kathmandu`",
        (7, 0) => "`Asia/Bangkok`",
        (0, 0) => "`UTC`",
        (-3, 0) => "`America/Sao_Paulo`",
        (-5, 0) => "`America/New_York` (with daylight saving time)",
        (1, 0) => "`Europe/Berlin` (with daylight saving time)",
        _ => "the IANA name of the place the batches follow",
    };
    let fixed = if minutes == 0 && hours != 0 {
        let posix = if sign > 0 { '-' } else { '+' };
        format!(
            "; for a fixed offset with no daylight saving time, `Etc/GMT{posix}{hours}` (its sign is POSIX's: `Etc/GMT{posix}{hours}` is {hours} hours {ahead} UTC)"
        )
    } else {
        String::new()
    };
    Some(format!(
        "an offset is not a zone name: write {places}{fixed}"
    ))
}

/// A `timezone` value: a string naming an IANA zone. `type_code` and `rule` are the loader's
/// rules for a value that is not a string and for an unknown zone.
pub(crate) fn zone_value(
    node: &yaml::Node,
    file: &str,
    type_code: Rule,
    rule: Rule,
    what: &str,
) -> Result<Zone, Finding> {
    let name = yaml::expect_str(node, file, type_code, what)?;
    lookup_zone(name).map_err(|suggestions| {
        let finding = Finding::error(
            rule,
            node.location(file),
            format!("{what}: unknown time zone `{name}`"),
        );
        if let Some(help) = offset_help(name) {
            return finding.help(help);
        }
        match suggestions.as_slice() {
            [] => finding.help(
                "write an IANA time zone name such as `Asia/Tokyo` or `UTC` (the tz database list)",
            ),
            [one] => finding.help(format!("did you mean `{one}`?")),
            many => finding.help(format!(
                "did you mean one of {}?",
                many.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    })
}

/// The settings file: every key it may have, once (the loader's key checks and hints, the
/// JSON Schema `schema/settings.schema.json` and the README's reference are read from it).
#[rustfmt::skip]
pub static SETTINGS: Object = Object {
    name: "settings",
    title: "the settings file",
    description: "Optional, at the repository root; anything it does not say keeps its default.",
    fields: &[
        field("timezone", Type::Zone, "Default zone of schedules and quiet hours.").default(DefaultValue::Str(DEFAULT_ZONE)),
        field("schedules", Type::Str, "Directory of schedule files, relative to the repository root.").default(DefaultValue::Str(DEFAULT_SCHEDULES_DIR)),
        field("rules", Type::Str, "Directory of policy and alert files, relative to the repository root.").default(DefaultValue::Str(DEFAULT_RULES_DIR)),
        field("rule_prefix", Type::Pattern { pattern: "^[A-Za-z0-9._-]{1,32}$", what: "1 to 32 of letters, digits, `.`, `-`, `_`" }, "Prefix of the EventBridge rule names cronbridge manages.").default(DefaultValue::Str(DEFAULT_RULE_PREFIX)),
        field("aws", Type::Object(&aws::AWS), "Where rules go and what they start (`plan`, `apply`, `run`)."),
        field("manual_runs", Type::Object(&manual::MANUAL_RUNS), "Who may start batches by hand with `/run`."),
    ],
    one_of: &[],
    dependent_required: &[],
};

/// `cronbridge.yml`.
pub static FILE: FileShape = FileShape {
    kind: "settings",
    path: "cronbridge.yml",
    title: "cronbridge settings",
    description: "The settings file (`cronbridge.yml`, or `--config`): optional; every key has a default.",
    root: Type::Object(&SETTINGS),
};

/// The longest `duration`: a batch that runs longer than a week is not what overlap checks
/// are for, and a bigger number is more likely a typo.
pub const MAX_DURATION_MINUTES: u32 = 7 * 24 * 60;

/// A duration value such as `90m`, `1h30m` or `2h`, in minutes. A plain number is read as
/// text so that the error can say which units to add.
pub fn duration_value(
    node: &yaml::Node,
    file: &str,
    rule: Rule,
    what: &str,
) -> Result<u32, Finding> {
    let text = match node.scalar().map(yaml::Scalar::resolve) {
        Some(yaml::Resolved::String(t) | yaml::Resolved::Int(t) | yaml::Resolved::Float(t)) => t,
        _ => {
            return Err(Finding::error(
                rule,
                node.location(file),
                format!(
                    "{what}: expected a duration such as `90m`, found {}",
                    node.describe()
                ),
            )
            .help(DURATION_HELP));
        }
    };
    parse_duration(text).map_err(|message| {
        Finding::error(rule, node.location(file), format!("{what}: {message}")).help(DURATION_HELP)
    })
}

const DURATION_HELP: &str =
    "write whole minutes, hours and days, largest first: `45m`, `2h`, `1h30m`, `1d`";

/// Parses `90m`, `1h30m`, `2h`, `1d12h` into minutes: numbers with the units `d`, `h` and
/// `m`, largest first, each at most once; from 1 minute to 7 days. The error is a sentence.
pub fn parse_duration(text: &str) -> Result<u32, String> {
    if text.trim().is_empty() {
        return Err("the duration is empty".to_string());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{text}` has no unit; durations take `m` (minutes), `h` (hours) or `d` (days), e.g. `{text}m`"
        ));
    }
    let mut total: u64 = 0;
    let mut last_rank = None;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, after) = rest.split_at(digits);
        let mut chars = after.chars();
        let Some(unit) = chars.next() else {
            return Err(format!("`{text}` ends in a number without a unit"));
        };
        if number.is_empty() {
            return Err(format!(
                "`{text}` has {unit:?} where a number should be; durations take `m`, `h` or `d`"
            ));
        }
        let (rank, minutes) = match unit {
            'd' => (0, 24 * 60),
            'h' => (1, 60),
            'm' => (2, 1),
            _ => {
                return Err(format!(
                    "`{text}` has the unit {unit:?}; durations take `m` (minutes), `h` (hours) or `d` (days)"
                ));
            }
        };
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(format!(
                "`{text}`: write each unit once, largest first, like `1h30m`"
            ));
        }
        last_rank = Some(rank);
        // More than seven digits is over the limit whatever the unit, and would overflow.
        let value: u64 = if number.len() > 7 {
            u64::MAX / 2
        } else {
            number.parse().unwrap_or(u64::MAX / 2)
        };
        total = total.saturating_add(value.saturating_mul(minutes));
        rest = chars.as_str();
    }
    if total < 1 {
        return Err(format!("`{text}` is shorter than the minimum, 1 minute"));
    }
    if total > u64::from(MAX_DURATION_MINUTES) {
        return Err(format!(
            "`{text}` is longer than the maximum, 7 days (`7d`)"
        ));
    }
    u32::try_from(total).map_err(|_| format!("`{text}` is too long"))
}

/// Reads `cronbridge.yml` (`file` is its repository-relative path, for locations). Anything
/// missing or wrong keeps its default; what was wrong is in the findings.
pub fn load(file: &str, text: &str) -> (Settings, Vec<Finding>) {
    let mut settings = Settings::default();
    let (doc, mut findings) = yaml::parse(file, text);
    // An empty settings file means "all defaults", like no file at all.
    let yaml::Document::Root(root) = doc else {
        return (settings, findings);
    };
    if root.is_null() {
        return (settings, findings);
    }
    let entries = match yaml::expect_map(&root, file, Rule::SettingsWrongType, "the settings file")
    {
        Ok(entries) => entries,
        Err(f) => {
            findings.push(f.help(format!(
                "write a mapping with some of the keys {}",
                SETTINGS.keys().join(", ")
            )));
            return (settings, findings);
        }
    };
    findings.extend(SETTINGS.unknown_keys(
        entries,
        file,
        Rule::SettingsUnknownKey,
        "the settings file",
    ));
    let mut sink = yaml::Sink::new(&mut findings);
    for entry in entries {
        let value = &entry.value;
        match entry.key_text() {
            "timezone" => {
                if let Some(zone) = sink.take(zone_value(
                    value,
                    file,
                    Rule::SettingsWrongType,
                    Rule::SettingsInvalidTimezone,
                    "`timezone`",
                )) {
                    settings.zone = zone;
                }
            }
            key @ ("schedules" | "rules") => {
                let what = format!("`{key}`");
                let Some(text) = sink.take(yaml::expect_str(
                    value,
                    file,
                    Rule::SettingsWrongType,
                    &what,
                )) else {
                    continue;
                };
                if let Some(dir) = sink.take(directory(text, value, file, &what)) {
                    if key == "schedules" {
                        settings.schedules_dir = dir;
                    } else {
                        settings.rules_dir = dir;
                    }
                }
            }
            "rule_prefix" => {
                let Some(text) = sink.take(yaml::expect_str(
                    value,
                    file,
                    Rule::SettingsWrongType,
                    "`rule_prefix`",
                )) else {
                    continue;
                };
                if let Some(prefix) = sink.take(rule_prefix(text, value, file)) {
                    settings.rule_prefix = prefix;
                }
            }
            "aws" => settings.aws = crate::settings::aws::load(entry, file, sink.findings),
            "manual_runs" => {
                settings.manual_runs = crate::settings::manual::load(entry, file, sink.findings)
            }
            _ => {}
        }
    }
    (settings, findings)
}

/// A directory relative to the repository root, without `./` or a trailing `/`.
fn directory(text: &str, node: &yaml::Node, file: &str, what: &str) -> Result<String, Finding> {
    let error = |message: String| {
        Finding::of(Rule::SettingsInvalidPath, node.location(file), message).help(
            "write a directory relative to the repository root, with `/` separators, e.g. `schedules`",
        )
    };
    let trimmed = text.trim();
    let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
    let trimmed = trimmed.trim_end_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        return Err(error(format!("{what}: the directory is empty")));
    }
    if trimmed.starts_with('/') || trimmed.contains('\\') || trimmed.contains(':') {
        return Err(error(format!(
            "{what}: `{text}` is not a relative path inside the repository"
        )));
    }
    // cronbridge reads files from git revisions too, where nothing outside the tree exists.
    if trimmed
        .split('/')
        .any(|part| part == ".." || part.is_empty())
    {
        return Err(error(format!(
            "{what}: `{text}` leaves the repository or has an empty part"
        )));
    }
    Ok(trimmed.to_string())
}

fn rule_prefix(text: &str, node: &yaml::Node, file: &str) -> Result<String, Finding> {
    let rule = Rule::SettingsInvalidPrefix;
    if text.is_empty() {
        // The prefix is what keeps cronbridge away from rules it does not manage.
        return Err(Finding::of(rule, node.location(file), "`rule_prefix` is empty")
            .help(format!("keep a prefix such as `{DEFAULT_RULE_PREFIX}`, so that cronbridge's rules stand apart from others")));
    }
    if let Some((i, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !is_rule_name_char(*c))
    {
        return Err(Finding::of(
            rule,
            node.inner_location(file, i, 1),
            format!("`rule_prefix`: {c:?} cannot be part of an EventBridge rule name"),
        )
        .help("use only letters A-Z and a-z, digits, `.`, `-` and `_`"));
    }
    let len = text.chars().count();
    if len > MAX_RULE_PREFIX_CHARS {
        return Err(Finding::of(
            rule,
            node.location(file),
            format!("`rule_prefix` is {len} characters long; at most {MAX_RULE_PREFIX_CHARS} are allowed"),
        )
        .help("rule names have at most 64 characters and the batch name needs the rest; shorten the prefix"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn one(text: &str) -> Finding {
        let (_, findings) = load("cronbridge.yml", text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings.into_iter().next().unwrap()
    }

    #[test]
    fn full_settings_load() {
        let (s, findings) = load(
            "cronbridge.yml",
            "timezone: UTC\nschedules: ./jobs/\nrules: policy/rules\nrule_prefix: team-a.\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(s.zone.name, "UTC");
        assert_eq!(s.schedules_dir, "jobs");
        assert_eq!(s.rules_dir, "policy/rules");
        assert_eq!(s.rule_prefix, "team-a.");
    }

    #[test]
    fn empty_settings_are_defaults() {
        for text in ["", "# nothing\n", "~\n"] {
            let (s, findings) = load("cronbridge.yml", text);
            assert!(findings.is_empty());
            assert_eq!(s.zone.name, DEFAULT_ZONE);
            assert_eq!(s.schedules_dir, DEFAULT_SCHEDULES_DIR);
            assert_eq!(s.rules_dir, DEFAULT_RULES_DIR);
            assert_eq!(s.rule_prefix, DEFAULT_RULE_PREFIX);
        }
    }

    #[test]
    fn zone_names_are_canonicalised() {
        let (s, findings) = load("cronbridge.yml", "timezone: asia/tokyo\n");
        assert!(findings.is_empty());
        assert_eq!(s.zone.name, "Asia/Tokyo");
    }

    #[test]
    fn unknown_zone_suggests_the_closest() {
        let f = one("timezone: Asia/Tokio\n");
        assert_eq!(f.rule, Rule::SettingsInvalidTimezone);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!((f.location.line, f.location.column), (1, 11));
        assert!(f.message.contains("Asia/Tokio"));
        assert!(f.help.unwrap().contains("`Asia/Tokyo`"));
        assert!(
            lookup_zone("Tokyo")
                .unwrap_err()
                .contains(&"Asia/Tokyo".to_string())
        );
        assert_eq!(
            lookup_zone("JST").unwrap_err(),
            vec!["Asia/Tokyo".to_string()]
        );
        assert!(lookup_zone("Etc/Unknown").is_err());
    }

    // `timezone: UTC+9` suggested `Etc/UTC`, nine hours off, and the fuzzy match could have
    // offered `Etc/GMT+9`, nine hours the other way.
    #[test]
    fn an_offset_suggests_the_zone_and_explains_the_etc_sign() {
        let f = one("timezone: UTC+9\n");
        let help = f.help.unwrap();
        assert!(help.contains("`Asia/Tokyo`"), "{help}");
        assert!(
            help.contains("`Etc/GMT-9` is 9 hours ahead of UTC"),
            "{help}"
        );
        assert!(!help.contains("Etc/UTC"), "{help}");
        let help = one("timezone: \"GMT-03:00\"\n").help.unwrap();
        assert!(
            help.contains("`America/Sao_Paulo`")
                && help.contains("`Etc/GMT+3` is 3 hours behind UTC"),
            "{help}"
        );
        let help = one("timezone: \"+05:30\"\n").help.unwrap();
        assert!(
            help.contains("`Asia/Kolkata`") && !help.contains("Etc/GMT"),
            "{help}"
        );
    }

    #[test]
    fn unknown_key_has_a_hint() {
        let f = one("timezone: UTC\nrule_prefx: a-\n");
        assert_eq!(f.rule, Rule::SettingsUnknownKey);
        assert_eq!((f.location.line, f.location.column), (2, 1));
        assert_eq!(f.help.as_deref(), Some("did you mean `rule_prefix`?"));
    }

    #[test]
    fn bad_prefix_character_is_pointed_at() {
        let f = one("rule_prefix: \"team a-\"\n");
        assert_eq!(f.rule, Rule::SettingsInvalidPrefix);
        assert_eq!((f.location.line, f.location.column), (1, 19));
        assert!(f.message.contains("' '"));
    }

    #[test]
    fn long_prefix_is_refused() {
        let (s, findings) = load(
            "cronbridge.yml",
            &format!("rule_prefix: {}\n", "a".repeat(33)),
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, Rule::SettingsInvalidPrefix);
        assert!(findings[0].message.contains("33 characters"));
        assert_eq!(s.rule_prefix, DEFAULT_RULE_PREFIX);
        assert_eq!(one("rule_prefix: \"\"\n").rule, Rule::SettingsInvalidPrefix);
    }

    #[test]
    fn paths_stay_inside_the_repository() {
        for bad in ["/etc", "../other", "a//b", "\"\"", "C:\\x"] {
            let f = one(&format!("schedules: {bad}\n"));
            assert_eq!(f.rule, Rule::SettingsInvalidPath, "{bad}");
            assert_eq!((f.location.line, f.location.column), (1, 12));
        }
    }

    #[test]
    fn wrong_types() {
        let f = one("- a\n");
        assert_eq!(f.rule, Rule::SettingsWrongType);
        assert!(f.message.contains("found a list"));
        let f = one("rule_prefix: 5\n");
        assert_eq!(f.rule, Rule::SettingsWrongType);
        let f = one("timezone: [UTC]\n");
        assert_eq!(f.rule, Rule::SettingsWrongType);
    }

    #[test]
    fn syntax_errors_come_from_yaml() {
        let (s, findings) = load("cronbridge.yml", "timezone: [UTC\n");
        assert_eq!(findings[0].rule, Rule::YamlSyntax);
        assert_eq!(s.zone.name, DEFAULT_ZONE);
    }
}
