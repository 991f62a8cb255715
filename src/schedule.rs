//! Schedule files (`schedules/*.yml`): the typed model of a batch, with where each part came
//! from, and the loader that builds it from YAML text (pure: text in, batches and findings out).

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use crate::cron::Expression;
use crate::finding::{Finding, Location, Rule};
use crate::settings::aws::Backend;
use crate::settings::{Settings, Zone};
use crate::shape::{self, FileShape, Object, Type, field};
use crate::yaml;
use jiff::Timestamp;
use jiff::civil::DateTime;
use std::collections::{BTreeMap, HashMap};

/// One batch, as its schedule file defines it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The top-level key: the batch's name.
    pub name: String,
    /// Repository-relative path of the file that defines it.
    pub file: String,
    /// Where the name (the top-level key) is.
    pub location: Location,
    /// The parsed `cron` (a cron or rate expression), in `zone`.
    pub cron: Expression,
    /// `cron` as written.
    pub cron_text: String,
    pub description: Option<String>,
    pub batch_class: String,
    pub is_active: bool,
    /// The batch's `timezone`, else the settings' default.
    pub zone: Zone,
    /// Whether `timezone` was written on the batch.
    pub zone_explicit: bool,
    /// Expected run time in minutes, when the batch says.
    pub duration: Option<u32>,
    pub group: Option<String>,
    pub tags: Vec<String>,
    /// `rule:`: the names of the live rules the batch adopts in place, one per UTC rule of its
    /// schedule (empty: the rules are `<rule_prefix><name>`, `-1`, `-2`…).
    pub rules: Vec<String>,
    /// Where each key's value is (`"cron"`, `"description"`, …).
    pub fields: BTreeMap<&'static str, Location>,
    /// The backend the batch is deployed with, and the keys only EventBridge Scheduler has.
    pub scheduler: SchedulerKeys,
}

/// The runs of a batch on its backend, in increasing order.
#[derive(Debug, Clone)]
pub enum Runs {
    Rules(crate::cron::FireTimes),
    Scheduler(crate::cron::scheduler::SchedulerTimes),
}

impl Runs {
    /// The next run, as seconds since the epoch.
    pub fn next_second(&mut self) -> Option<i64> {
        match self {
            Runs::Rules(t) => t.next_second(),
            Runs::Scheduler(t) => t.next_second(),
        }
    }

    /// Continues strictly after `after` (seconds since the epoch), skipping the runs up to
    /// it; never goes back.
    pub fn skip_to(&mut self, after: i64) {
        match self {
            Runs::Rules(t) => t.skip_to(after),
            Runs::Scheduler(t) => t.skip_to(after),
        }
    }
}

impl Iterator for Runs {
    type Item = Timestamp;

    fn next(&mut self) -> Option<Timestamp> {
        Timestamp::from_second(self.next_second()?).ok()
    }
}

/// What `aws.backend: scheduler` adds to a batch. On the rules backend every key but
/// `backend` is absent (the loader refuses them there).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchedulerKeys {
    /// The backend of the settings the batch was loaded with.
    pub backend: Backend,
    /// `flexible_window`: minutes (1–1,440) in which Scheduler may start each run.
    pub flexible_window: Option<u32>,
    /// `start`: the first instant a run may fire (inclusive).
    pub start: Option<Bound>,
    /// `end`: the instant from which no run fires (exclusive).
    pub end: Option<Bound>,
    /// `at`: a one-time run at this local time (then `cron` is that minute of that year).
    pub at: Option<DateTime>,
}

/// A local date-time of `start` or `end`, and the instant it is in the batch's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub local: DateTime,
    /// Of a local time that a daylight-saving change skips, the instant just after the gap;
    /// of a repeated one, the earlier instant (jiff's "compatible" choice, as RFC 5545).
    pub instant: Timestamp,
}

impl Batch {
    /// The runs strictly after `from`, as the batch's backend fires them: on rules every
    /// matching instant (a repeated local time twice); on Scheduler once per local time,
    /// within `start` and `end` (see [`crate::cron::scheduler`]).
    pub fn runs_after(&self, from: Timestamp) -> Runs {
        match self.scheduler.backend {
            Backend::Rules => Runs::Rules(self.cron.fire_times_after(from, &self.zone.tz)),
            Backend::Scheduler => Runs::Scheduler(crate::cron::scheduler::SchedulerTimes::new(
                &self.cron,
                from,
                &self.zone.tz,
                self.scheduler.start.map(|b| b.instant),
                self.scheduler.end.map(|b| b.instant),
            )),
        }
    }

    /// The expression Scheduler gets (with `ScheduleExpressionTimezone` = the batch's zone):
    /// `cron(...)` and `rate(...)` as written, `at(...)` for a one-time run.
    pub fn scheduler_expression(&self) -> String {
        match self.scheduler.at {
            Some(local) => at_expression(local),
            None => self.cron.to_aws(),
        }
    }

    /// Whether the batch is deployed with EventBridge Scheduler.
    pub fn on_scheduler(&self) -> bool {
        self.scheduler.backend == Backend::Scheduler
    }

    /// The minutes one run may occupy: its flexible window (Scheduler may start it anywhere
    /// inside) plus its expected duration.
    pub fn occupied_minutes(&self, duration: u32) -> u32 {
        duration.saturating_add(self.scheduler.flexible_window.unwrap_or(0))
    }

    /// The location of a field's value, else of the batch's name.
    pub fn field_location(&self, key: &str) -> &Location {
        self.fields.get(key).unwrap_or(&self.location)
    }
}

/// A batch: every key it may have, once. The loader's key checks and hints, the JSON
/// Schema (`schema/schedules.schema.json`) and the README's key reference are read from it;
/// a new key is a line here and an arm in [`load_batch`].
#[rustfmt::skip]
pub static BATCH: Object = Object {
    name: "batch",
    title: "a batch",
    description: "One batch: when it runs and what it starts.",
    fields: &[
        field("cron", Type::Str, "EventBridge cron (6 fields) or `rate(...)`, in the batch's zone; `cron(...)` optional. Required unless `at` is given."),
        field("description", Type::Str, "What the batch does; shown in reports and the rule's description.").nullable(),
        field("batch_class", Type::Pattern { pattern: BATCH_CLASS_PATTERN, what: "class name (`Batches::Daily::Backup`)" }, "The class the task runs: capitalised names joined by `::`.").required(),
        field("is_active", Type::Bool, "`false` keeps the rule, disabled.").required(),
        field("timezone", Type::Zone, "The zone `cron` is written in; default: the settings' `timezone`."),
        field("duration", Type::Duration, "Expected run time, for quiet hours and overlaps; default: `overlap.default_duration`."),
        field("group", shape::NON_EMPTY, "A group, for overlap limits and quiet-hours scopes."),
        field("tags", shape::NAMES, "Free labels."),
        field("flexible_window", Type::Duration, "EventBridge Scheduler only: each run may start anywhere in this window after its time (1m to 24h)."),
        field("start", Type::Pattern { pattern: START_END_PATTERN, what: "local date or date-time (`2026-12-01`, `2026-12-01T09:00`)" }, "EventBridge Scheduler only: the first moment the batch may run, in its zone (inclusive)."),
        field("end", Type::Pattern { pattern: START_END_PATTERN, what: "local date or date-time (`2027-06-30T18:00`)" }, "EventBridge Scheduler only: the first moment the batch no longer runs, in its zone (exclusive)."),
        field("at", Type::Pattern { pattern: AT_PATTERN, what: "local date-time (`2026-12-31T23:00`)" }, "EventBridge Scheduler only: one run at this local time, instead of `cron`."),
        field("rule", Type::OneOf(&[RULE_NAME, Type::List { item: &RULE_NAME, min: 1 }]), "The live EventBridge rule(s) the batch takes over in place (`cronbridge import` writes it): one name per UTC rule of its schedule; default `<rule_prefix><name>`."),
    ],
    one_of: &["cron", "at"],
    dependent_required: &[],
};

/// `schedules/*.yml`: batch names to batches.
pub static FILE: FileShape = FileShape {
    kind: "schedules",
    path: "schedules/*.yml",
    title: "cronbridge schedules",
    description: "A schedules file: batch names to batches. A name becomes the EventBridge rule `<rule_prefix><name>`: letters, digits, `.`, `-` and `_`.",
    root: Type::Map {
        key: "^[A-Za-z0-9._-]+$",
        value: &Type::Object(&BATCH),
        min: 1,
    },
};

/// An EventBridge rule name, for `rule:`.
const RULE_NAME: Type = Type::Pattern {
    pattern: "^[A-Za-z0-9._-]{1,64}$",
    what: "EventBridge rule name",
};

/// What [`date_time`] accepts for `start` and `end` (a date is its midnight), and for `at`:
/// local, whole minutes.
const START_END_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:00)?)?$";
const AT_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:00)?$";

/// What [`batch_class_value`] accepts, for the schema.
const BATCH_CLASS_PATTERN: &str = "^[A-Z][A-Za-z0-9_]*(::[A-Z][A-Za-z0-9_]*)*$";

/// Keys only EventBridge Scheduler supports, and why rules cannot have them.
const SCHEDULER_KEYS: &[(&str, &str)] = &[
    (
        "flexible_window",
        "scheduled rules start at the minute they are due and have no flexible time window",
    ),
    ("start", "scheduled rules have no start date"),
    ("end", "scheduled rules have no end date"),
    ("at", "scheduled rules have no one-time schedules"),
];

/// EventBridge's limit on rule names.
const MAX_RULE_NAME_CHARS: usize = 64;
/// A local cron that needs several UTC rules gets `-1` … `-8` after its name.
const SPLIT_SUFFIX_CHARS: usize = 2;

pub use crate::settings::MAX_DURATION_MINUTES;

/// Reads one schedule file. `file` is its repository-relative path, used in every location.
/// A batch with any error is left out (its findings say why); the others are returned.
pub fn load(file: &str, text: &str, settings: &Settings) -> (Vec<Batch>, Vec<Finding>) {
    let (doc, mut findings) = yaml::parse(file, text);
    let root = match doc {
        yaml::Document::Invalid => return (Vec::new(), findings),
        yaml::Document::Root(root) if !root.is_null() => root,
        yaml::Document::Empty | yaml::Document::Root(_) => {
            findings.push(empty_file(file));
            return (Vec::new(), findings);
        }
    };
    let Some(entries) = root.entries() else {
        findings.push(
            Finding::of(
                Rule::ScheduleWrongType,
                root.location(file),
                format!(
                    "a schedules file is a mapping of batch names to batches, found {}",
                    root.describe()
                ),
            )
            .help(
                "write `Backup:` and, indented below it, `cron:`, `batch_class:` and `is_active:`",
            ),
        );
        return (Vec::new(), findings);
    };
    if entries.is_empty() {
        findings.push(empty_file(file));
        return (Vec::new(), findings);
    }
    let batches = entries
        .iter()
        .filter_map(|entry| load_batch(file, entry, settings, &mut findings))
        .collect();
    (batches, findings)
}

/// An emptied schedules file would delete every rule it used to define, so it is refused
/// rather than read as "no batches".
fn empty_file(file: &str) -> Finding {
    Finding::of(
        Rule::ScheduleEmptyFile,
        Location::file_start(file),
        "the schedules file is empty",
    )
    .help("an empty file is refused so that a broken edit cannot remove production rules; to remove all of its batches, delete the file")
}

fn load_batch(
    file: &str,
    entry: &yaml::Entry,
    settings: &Settings,
    findings: &mut Vec<Finding>,
) -> Option<Batch> {
    let name = entry.key_text();
    let location = entry.key.location(file);
    let what = format!("batch `{name}`");
    let mut sink = yaml::Sink::new(findings);
    // A batch that names its rules (`rule:`) is not `<prefix><name>`: only the name's
    // characters matter then.
    let adopts = entry
        .value
        .entries()
        .is_some_and(|es| es.iter().any(|e| e.key_text() == "rule"));
    if let Err(f) = rule_name(name, &entry.key, file, &settings.rule_prefix, adopts) {
        sink.push(f);
    }
    let Some(entries) = entry.value.entries() else {
        sink.push(
            Finding::of(
                Rule::ScheduleWrongType,
                entry.value.location(file),
                format!(
                    "{what}: expected a mapping, found {}",
                    entry.value.describe()
                ),
            )
            .help("indent `cron:`, `batch_class:` and `is_active:` under the batch name"),
        );
        return None;
    };
    for finding in BATCH.unknown_keys(entries, file, Rule::ScheduleUnknownKey, &what) {
        sink.push(finding);
    }
    let has = |key: &str| entries.iter().any(|e| e.key_text() == key);
    let backend = settings.aws.backend;
    if backend == Backend::Rules {
        for e in entries {
            if let Some((key, why)) = SCHEDULER_KEYS.iter().find(|(k, _)| *k == e.key_text()) {
                sink.push(
                    Finding::of(
                        Rule::ScheduleBackendKey,
                        e.key.location(file),
                        format!("{what}: `{key}` needs EventBridge Scheduler, but `aws.backend` is `rules`: {why}"),
                    )
                    .help(format!("set `aws.backend: scheduler` in the settings to deploy with EventBridge Scheduler, or remove `{key}`")),
                );
            }
        }
    }
    if backend == Backend::Scheduler
        && let Some(e) = entries.iter().find(|e| e.key_text() == "rule")
    {
        sink.push(
            Finding::of(
                Rule::ScheduleBackendKey,
                e.key.location(file),
                format!("{what}: `rule` takes over EventBridge rules, but `aws.backend` is `scheduler`: the batch becomes a schedule, not a rule"),
            )
            .help("remove `rule` (the migration to Scheduler removes the batch's managed rules), or set `aws.backend: rules`"),
        );
    }
    if let (Some(c), Some(a)) = (
        entries.iter().find(|e| e.key_text() == "cron"),
        entries.iter().find(|e| e.key_text() == "at"),
    ) {
        sink.push(
            Finding::of(
                Rule::ScheduleInvalidDate,
                a.key.location(file),
                format!("{what} has both `cron` and `at`"),
            )
            .related(c.key.location(file), "`cron` is here")
            .help("a batch runs on a schedule (`cron`) or once (`at`); remove one of them"),
        );
    }
    // `at` stands in for `cron`: a one-time run has no recurring expression.
    if !has("cron") && !has("at") {
        sink.push(yaml::missing_key(
            location.clone(),
            Rule::ScheduleMissingKey,
            "cron",
            &what,
        ));
    }
    for finding in BATCH.missing_keys(entries, &location, Rule::ScheduleMissingKey, &what) {
        sink.push(finding);
    }

    let type_code = Rule::ScheduleWrongType;
    let mut fields = BTreeMap::new();
    let mut cron = None;
    let mut cron_text = String::new();
    let mut description = None;
    let mut batch_class = None;
    let mut is_active = None;
    let mut zone = None;
    let mut duration = None;
    let mut group = None;
    let mut tags = Vec::new();
    let mut rules = Vec::new();
    let mut keys = SchedulerKeys {
        backend,
        ..SchedulerKeys::default()
    };
    let mut start = None;
    let mut end = None;
    for e in entries {
        let node = &e.value;
        let Some(key) = BATCH.key(e.key_text()) else {
            continue;
        };
        fields.insert(key, node.location(file));
        let what = format!("`{key}`");
        match key {
            "cron" => {
                let Some(text) = sink.take(yaml::expect_str(node, file, type_code, &what)) else {
                    continue;
                };
                cron_text = text.to_string();
                cron = sink.take(crate::cron::parse(text).map_err(|err| {
                    let (from, to) = err.span;
                    let finding = Finding::of(
                        Rule::ScheduleInvalidCron,
                        node.inner_location(file, from, to.saturating_sub(from)),
                        format!("invalid `cron`: {err}"),
                    );
                    match err.help {
                        Some(help) => finding.help(help),
                        None => finding,
                    }
                }));
            }
            // `description:` with nothing after it is no description, which is a lint (a
            // warning) rather than a reason to drop the batch.
            "description" if node.is_null() => {}
            "description" => {
                description = sink
                    .take(yaml::expect_str(node, file, type_code, &what))
                    .map(str::to_string);
            }
            "batch_class" => {
                batch_class = sink
                    .take(yaml::expect_str(node, file, type_code, &what))
                    .and_then(|text| sink.take(batch_class_value(text, node, file)));
            }
            "is_active" => is_active = sink.take(yaml::expect_bool(node, file, type_code, &what)),
            "timezone" => {
                zone = sink.take(crate::settings::zone_value(
                    node,
                    file,
                    type_code,
                    Rule::ScheduleInvalidTimezone,
                    &what,
                ));
            }
            "duration" => {
                duration = sink.take(crate::settings::duration_value(
                    node,
                    file,
                    Rule::ScheduleInvalidDuration,
                    &what,
                ));
            }
            "group" => {
                group = sink
                    .take(yaml::expect_str(node, file, type_code, &what))
                    .and_then(|text| sink.take(non_empty(text, node, file, &what)));
            }
            "tags" => {
                let Some(items) = sink.take(yaml::expect_seq(node, file, type_code, &what)) else {
                    continue;
                };
                for item in items {
                    if let Some(tag) = sink
                        .take(yaml::expect_str(item, file, type_code, "a tag"))
                        .and_then(|text| sink.take(non_empty(text, item, file, "a tag")))
                    {
                        tags.push(tag);
                    }
                }
            }
            "rule" => {
                if let Some(names) = sink.take(rule_names(node, file)) {
                    rules = names;
                }
            }
            "flexible_window" => keys.flexible_window = sink.take(flexible_window(node, file)),
            "start" => start = sink.take(date_time(node, file, "start", true)),
            "end" => end = sink.take(date_time(node, file, "end", true)),
            "at" => {
                let Some(local) = sink.take(date_time(node, file, "at", false)) else {
                    continue;
                };
                // A one-time run is, to the engine, the cron of its one minute: the timetable,
                // the policies and `never-fires` then need nothing of their own.
                let text = format!(
                    "{} {} {} {} ? {}",
                    local.minute(),
                    local.hour(),
                    local.day(),
                    local.month(),
                    local.year()
                );
                match crate::cron::parse(&text) {
                    Ok(expr) => {
                        cron = Some(expr);
                        cron_text = at_expression(local);
                        keys.at = Some(local);
                        fields.insert("cron", node.location(file));
                    }
                    Err(err) => sink.push(
                        Finding::of(
                            Rule::ScheduleInvalidDate,
                            node.location(file),
                            format!("`at`: {err}"),
                        )
                        .help("write a local date-time from 1970 to 2199, e.g. `2026-12-31T23:00`"),
                    ),
                }
            }
            _ => {}
        }
    }
    let zone_for_bounds = zone.clone().unwrap_or_else(|| settings.zone.clone());
    keys.start = start.map(|local| bound(local, &zone_for_bounds));
    keys.end = end.map(|local| bound(local, &zone_for_bounds));
    if let (Some(s), Some(e)) = (&keys.start, &keys.end)
        && e.instant <= s.instant
    {
        sink.push(
            Finding::of(
                Rule::ScheduleInvalidDate,
                fields
                    .get("end")
                    .cloned()
                    .unwrap_or_else(|| location.clone()),
                format!(
                    "{what}: `end` ({}) is not after `start` ({})",
                    e.local, s.local
                ),
            )
            .help("`end` is the first moment the batch no longer runs; make it later than `start`"),
        );
    }
    if sink.failed {
        return None;
    }
    let (Some(cron), Some(batch_class), Some(is_active)) = (cron, batch_class, is_active) else {
        return None;
    };
    let zone_explicit = zone.is_some();
    Some(Batch {
        name: name.to_string(),
        file: file.to_string(),
        location,
        cron,
        cron_text,
        description,
        batch_class,
        is_active,
        zone: zone.unwrap_or_else(|| settings.zone.clone()),
        zone_explicit,
        duration,
        group,
        tags,
        rules,
        fields,
        scheduler: keys,
    })
}

/// `rule:` — one EventBridge rule name, or a list of them (a schedule split over several UTC
/// rules): valid names, each once. Whether their number fits the schedule is the desired
/// state's to say, where the UTC rules are known.
fn rule_names(node: &yaml::Node, file: &str) -> Result<Vec<String>, Finding> {
    let what = "`rule`";
    let type_code = Rule::ScheduleWrongType;
    let items: Vec<&yaml::Node> = match node.items() {
        Some(items) => items.iter().collect(),
        None => vec![node],
    };
    if items.is_empty() {
        return Err(Finding::of(
            Rule::ScheduleInvalidRule,
            node.location(file),
            "`rule` names no rule",
        )
        .help("name the live rule this batch takes over, e.g. `rule: Backup`, or remove `rule`"));
    }
    let mut names: Vec<String> = Vec::new();
    for item in items {
        let text = yaml::expect_str(item, file, type_code, what)?;
        let len = text.chars().count();
        let bad = text
            .chars()
            .position(|c| !crate::settings::is_rule_name_char(c));
        if text.is_empty() || len > MAX_RULE_NAME_CHARS || bad.is_some() {
            let at = match bad {
                Some(i) => item.inner_location(file, i, 1),
                None => item.location(file),
            };
            return Err(Finding::of(
                Rule::ScheduleInvalidRule,
                at,
                format!("`rule`: `{text}` is not an EventBridge rule name"),
            )
            .help(format!(
                "a rule name has 1 to {MAX_RULE_NAME_CHARS} letters, digits, `.`, `-` and `_`"
            )));
        }
        if names.iter().any(|n| n == text) {
            return Err(Finding::of(
                Rule::ScheduleInvalidRule,
                item.location(file),
                format!("`rule` names `{text}` twice"),
            )
            .help("each UTC rule of the schedule is its own EventBridge rule; name each once"));
        }
        names.push(text.to_string());
    }
    Ok(names)
}

/// Scheduler's one-time expression for a local time: `at(2026-12-31T23:00:00)`.
pub fn at_expression(local: DateTime) -> String {
    format!("at({})", local.strftime("%Y-%m-%dT%H:%M:%S"))
}

fn bound(local: DateTime, zone: &Zone) -> Bound {
    let instant = zone
        .tz
        .to_ambiguous_timestamp(local)
        .compatible()
        .unwrap_or(Timestamp::MAX);
    Bound { local, instant }
}

/// `15m`, `1h`: 1 minute to 24 hours, Scheduler's `MaximumWindowInMinutes` range.
fn flexible_window(node: &yaml::Node, file: &str) -> Result<u32, Finding> {
    let rule = Rule::ScheduleInvalidWindow;
    let minutes = crate::settings::duration_value(node, file, rule, "`flexible_window`")?;
    if minutes > 1440 {
        return Err(Finding::of(
            rule,
            node.location(file),
            format!("`flexible_window` is {minutes} minutes; EventBridge Scheduler allows at most 1,440 (24 hours)"),
        )
        .help("write a window from `1m` to `24h`, or remove `flexible_window` to start at the minute"));
    }
    Ok(minutes)
}

/// A local date-time in the batch's zone: `2026-12-31T23:00` (seconds `:00` allowed), and
/// for `start`/`end` also a date, meaning its midnight. No offset or `Z`: the zone is the
/// batch's. Scheduler fires on whole minutes, so seconds other than 0 are refused.
fn date_time(node: &yaml::Node, file: &str, key: &str, date_ok: bool) -> Result<DateTime, Finding> {
    let rule = Rule::ScheduleInvalidDate;
    let what = format!("`{key}`");
    let text = yaml::expect_str(node, file, Rule::ScheduleWrongType, &what)?;
    let example = if date_ok {
        "write a local date-time such as `2026-12-31T23:00`, or a date such as `2026-12-31` (its midnight), in the batch's zone"
    } else {
        "write a local date-time such as `2026-12-31T23:00`, in the batch's zone"
    };
    let shape_ok = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T'));
    let parsed = if !shape_ok {
        None
    } else if text.len() == 10 && date_ok {
        text.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    } else if text.len() == 16 || text.len() == 19 {
        text.parse::<DateTime>().ok()
    } else {
        None
    };
    let Some(local) = parsed else {
        return Err(Finding::of(
            rule,
            node.location(file),
            format!("{what}: `{text}` is not a local date-time"),
        )
        .help(example));
    };
    if local.second() != 0 || local.subsec_nanosecond() != 0 {
        return Err(Finding::of(
            rule,
            node.location(file),
            format!("{what}: `{text}` is not a whole minute"),
        )
        .help("EventBridge Scheduler fires on whole minutes; write seconds as `:00` or leave them out"));
    }
    Ok(local)
}

/// The batch name becomes the EventBridge rule name `<prefix><name>`, with `-N` appended when
/// a local cron needs several UTC rules; all of it must be a valid rule name.
fn rule_name(
    name: &str,
    key: &yaml::Node,
    file: &str,
    prefix: &str,
    adopts: bool,
) -> Result<(), Finding> {
    let rule = Rule::ScheduleInvalidName;
    if name.is_empty() {
        return Err(
            Finding::of(rule, key.location(file), "the batch name is empty")
                .help("name the batch with letters, digits, `.`, `-` or `_`, e.g. `Backup`"),
        );
    }
    if let Some((i, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !crate::settings::is_rule_name_char(*c))
    {
        return Err(Finding::of(
            rule,
            key.inner_location(file, i, 1),
            format!("the batch name `{name}` has {c:?}, which an EventBridge rule name cannot contain"),
        )
        .help("batch names become rule names: use only letters A-Z and a-z, digits, `.`, `-` and `_`; put other text in `description`"));
    }
    let (prefix, suffix) = if adopts {
        ("", 0)
    } else {
        (prefix, SPLIT_SUFFIX_CHARS)
    };
    let len = prefix.chars().count() + name.chars().count();
    let room = MAX_RULE_NAME_CHARS - suffix;
    if len > room {
        return Err(Finding::of(
            rule,
            key.location(file),
            format!(
                "the batch name `{name}` makes the rule name `{prefix}{name}` {len} characters long; with room for a `-N` suffix it may have at most {room}"
            ),
        )
        .help(format!(
            "shorten the batch name to at most {} characters, or shorten `rule_prefix` in the settings",
            room.saturating_sub(prefix.chars().count())
        )));
    }
    Ok(())
}

/// `Batches::Daily::Backup`: constant names joined by `::`.
fn batch_class_value(text: &str, node: &yaml::Node, file: &str) -> Result<String, Finding> {
    let valid = !text.is_empty()
        && text.split("::").all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            Rule::ScheduleInvalidBatchClass,
            node.location(file),
            format!("`batch_class`: `{text}` is not a class name"),
        )
        .help("write the class the task runs, as names that start with a capital letter joined by `::`, e.g. `Batches::Daily::Backup`"))
    }
}

fn non_empty(text: &str, node: &yaml::Node, file: &str, what: &str) -> Result<String, Finding> {
    if text.trim().is_empty() {
        Err(Finding::of(
            Rule::ScheduleInvalidValue,
            node.location(file),
            format!("{what} is empty"),
        )
        .help("write a name, or remove it"))
    } else {
        Ok(text.to_string())
    }
}

/// The same batch name defined in two files: an error at each later definition, with the
/// first as related location. (Within one file the YAML reader already reports it.)
pub fn duplicates(batches: &[Batch]) -> Vec<Finding> {
    let mut first: HashMap<&str, &Batch> = HashMap::new();
    let mut folded: HashMap<String, &Batch> = HashMap::new();
    let mut findings = Vec::new();
    for batch in batches {
        // `Backup` and `backup` are two rules to EventBridge but one batch to people, and
        // `/run backup` would start the one they did not mean.
        if let Some(other) = folded.get(&batch.name.to_ascii_lowercase())
            && other.name != batch.name
        {
            findings.push(
                Finding::of(
                    Rule::ScheduleCaseCollision,
                    batch.location.clone(),
                    format!(
                        "batch `{}` differs from batch `{}` only in case",
                        batch.name, other.name
                    ),
                )
                .related(other.location.clone(), "the other batch")
                .help("give the batches names that differ in more than case"),
            );
        }
        folded
            .entry(batch.name.to_ascii_lowercase())
            .or_insert(batch);
        match first.get(batch.name.as_str()) {
            Some(earlier) => findings.push(
                Finding::of(
                    Rule::ScheduleDuplicateBatch,
                    batch.location.clone(),
                    format!(
                        "batch `{}` is also defined in `{}`",
                        batch.name, earlier.file
                    ),
                )
                .related(earlier.location.clone(), "first defined here")
                .help("batch names are rule names and must be unique across all schedule files; rename or remove one"),
            ),
            None => {
                first.insert(&batch.name, batch);
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::settings::parse_duration;

    const FILE: &str = "schedules/batches.yml";

    fn run(text: &str) -> (Vec<Batch>, Vec<Finding>) {
        load(FILE, text, &Settings::default())
    }

    /// The only finding of `text`, after checking that no batch loaded.
    fn one(text: &str) -> Finding {
        let (batches, findings) = run(text);
        assert!(batches.is_empty(), "{batches:?}");
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings.into_iter().next().unwrap()
    }

    #[test]
    fn rule_names_the_live_rules_a_batch_takes_over() {
        let base = "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n";
        let (b, f) = run(&format!("{base}  rule: Backup\n"));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(b[0].rules, vec!["Backup"]);
        let (b, f) = run(&format!("{base}  rule: [Backup-1, Backup-2]\n"));
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(b[0].rules, vec!["Backup-1", "Backup-2"]);
        let f = one(&format!("{base}  rule: [Backup, Backup]\n"));
        assert_eq!((f.rule, f.location.line), (Rule::ScheduleInvalidRule, 5));
        let f = one(&format!("{base}  rule: \"Back up\"\n"));
        assert_eq!((f.rule, f.location.column), (Rule::ScheduleInvalidRule, 14));
        let f = one(&format!("{base}  rule: []\n"));
        assert_eq!(f.rule, Rule::ScheduleInvalidRule);
        let f = one(&format!("{base}  rule: {}\n", "x".repeat(65)));
        assert_eq!(f.rule, Rule::ScheduleInvalidRule);
        // A name too long for `<prefix><name>-N` is fine when the batch names its rule.
        let long = "L".repeat(64);
        let text =
            format!("{long}:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n");
        assert_eq!(one(&text).rule, Rule::ScheduleInvalidName);
        let (b, f) = run(&format!("{text}  rule: {long}\n"));
        assert!(f.is_empty() && b.len() == 1, "{f:?}");
    }

    fn at(f: &Finding) -> (Severity, u32, u32) {
        (f.severity, f.location.line, f.location.column)
    }

    fn batch(body: &str) -> String {
        format!("Backup:\n{body}")
    }

    const OK: &str =
        "  cron: \"0 9 * * ? *\"\n  batch_class: Batches::Daily::Backup\n  is_active: true\n";

    #[test]
    fn repository_schedules_load_cleanly() {
        let (batches, findings) = run(include_str!("../schedules/batches.yml"));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(batches.len(), 7);
        let backup = &batches[0];
        assert_eq!(backup.name, "Backup");
        assert_eq!(backup.file, FILE);
        assert_eq!((backup.location.line, backup.location.column), (5, 1));
        assert_eq!(backup.cron_text, "0 9 * * ? *");
        assert_eq!(backup.description.as_deref(), Some("バックアップ"));
        assert_eq!(backup.batch_class, "Batches::Daily::Backup");
        assert!(backup.is_active);
        assert_eq!(backup.zone.name, "Asia/Tokyo");
        assert!(!backup.zone_explicit);
        assert_eq!(backup.field_location("cron").line, 6);
        assert_eq!(backup.field_location("cron").column, 9);
        assert!(!batches[6].is_active);
    }

    #[test]
    fn optional_fields_load() {
        let text = batch(&format!(
            "{OK}  timezone: America/New_York\n  duration: 1h30m\n  group: heavy\n  tags: [nightly, \"db\"]\n  description: \"x\"\n"
        ));
        let (batches, findings) = run(&text);
        assert!(findings.is_empty(), "{findings:?}");
        let b = &batches[0];
        assert_eq!(b.zone.name, "America/New_York");
        assert!(b.zone_explicit);
        assert_eq!(b.duration, Some(90));
        assert_eq!(b.group.as_deref(), Some("heavy"));
        assert_eq!(b.tags, vec!["nightly", "db"]);
        assert_eq!(b.field_location("tags").line, 8);
    }

    #[test]
    fn empty_description_is_no_description() {
        let (batches, findings) = run(&batch(&format!("{OK}  description:\n")));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(batches[0].description, None);
        assert_eq!(batches[0].field_location("description").line, 5);
        let f = one(&batch(&format!("{OK}  description: [a]\n")));
        assert_eq!(f.rule, Rule::ScheduleWrongType);
    }

    #[test]
    fn rate_expressions_are_accepted() {
        let text =
            "Poll:\n  cron: rate(5 minutes)\n  batch_class: Batches::Poll\n  is_active: false\n";
        let (batches, findings) = run(text);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(batches[0].cron_text, "rate(5 minutes)");
    }

    #[test]
    fn settings_zone_is_the_default() {
        let settings = Settings {
            zone: crate::settings::lookup_zone("UTC").unwrap(),
            ..Settings::default()
        };
        let (batches, _) = load(FILE, &batch(OK), &settings);
        assert_eq!(batches[0].zone.name, "UTC");
    }

    #[test]
    fn malformed_yaml() {
        let f = one("Backup:\n  cron: \"0 9 * * ? *\n");
        assert_eq!(f.rule, Rule::YamlSyntax);
        assert!(f.message.starts_with("YAML syntax error"));
    }

    #[test]
    fn empty_file_is_an_error() {
        for text in ["", "# all gone\n", "~\n", "{}\n"] {
            let f = one(text);
            assert_eq!(f.rule, Rule::ScheduleEmptyFile, "{text:?}");
            assert_eq!(at(&f), (Severity::Error, 1, 1));
            assert!(f.help.as_deref().unwrap().contains("delete the file"));
        }
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let f = one("- Backup\n");
        assert_eq!(f.rule, Rule::ScheduleWrongType);
        assert_eq!(at(&f), (Severity::Error, 1, 1));
        assert!(f.message.contains("found a list"));
    }

    #[test]
    fn batch_must_be_a_mapping() {
        let f = one("Backup: \"0 9 * * ? *\"\n");
        assert_eq!(f.rule, Rule::ScheduleWrongType);
        assert_eq!(at(&f), (Severity::Error, 1, 9));
        assert!(f.message.contains("batch `Backup`: expected a mapping"));
        let f = one("Backup:\n");
        assert!(f.message.contains("found nothing"), "{}", f.message);
    }

    #[test]
    fn unknown_key_has_a_hint() {
        let f = one(&batch(&format!("{OK}  is_actve: true\n")));
        assert_eq!(f.rule, Rule::ScheduleUnknownKey);
        assert_eq!(at(&f), (Severity::Error, 5, 3));
        assert!(f.message.contains("`is_actve`") && f.message.contains("batch `Backup`"));
        assert_eq!(f.help.as_deref(), Some("did you mean `is_active`?"));
    }

    #[test]
    fn wrong_type_for_is_active() {
        let f = one(&batch(
            "  cron: \"0 9 * * ? *\"\n  batch_class: Batches::Daily::Backup\n  is_active: yes\n",
        ));
        assert_eq!(f.rule, Rule::ScheduleWrongType);
        assert_eq!(at(&f), (Severity::Error, 4, 14));
        assert_eq!(
            f.message,
            "`is_active`: expected true or false, found the string \"yes\""
        );
        assert!(f.help.as_deref().unwrap().contains("write `true`"));
    }

    #[test]
    fn wrong_type_for_tags_and_group() {
        let (batches, findings) = run(&batch(&format!("{OK}  tags: nightly\n  group: 5\n")));
        assert!(batches.is_empty());
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].rule, Rule::ScheduleWrongType);
        assert_eq!(at(&findings[0]), (Severity::Error, 5, 9));
        assert!(findings[0].message.contains("expected a list"));
        assert_eq!(at(&findings[1]), (Severity::Error, 6, 10));
        assert!(findings[1].message.contains("found the number 5"));
    }

    #[test]
    fn missing_keys_point_at_the_batch_name() {
        let (batches, findings) = run("Other:\n  cron: \"0 9 * * ? *\"\n");
        assert!(batches.is_empty());
        let codes: Vec<_> = findings.iter().map(|f| (f.rule, at(f))).collect();
        assert_eq!(
            codes,
            vec![
                (Rule::ScheduleMissingKey, (Severity::Error, 1, 1)),
                (Rule::ScheduleMissingKey, (Severity::Error, 1, 1)),
            ]
        );
        assert!(findings[0].message.contains("`batch_class`"));
        assert!(findings[1].message.contains("`is_active`"));
    }

    #[test]
    fn cron_error_points_inside_the_quotes() {
        let f = one(&batch(
            "  cron: \"0 25 * * ? *\"\n  batch_class: Batches::Daily::Backup\n  is_active: true\n",
        ));
        assert_eq!(f.rule, Rule::ScheduleInvalidCron);
        // `cron: "` ends at column 9; `25` is characters 2-3 of the text.
        assert_eq!(at(&f), (Severity::Error, 2, 12));
        assert_eq!(f.location.end_column, 14);
        assert!(f.message.contains("hours"), "{}", f.message);
    }

    #[test]
    fn cron_error_in_a_plain_scalar() {
        let f = one(&batch(
            "  cron: 0 9 * * MON *\n  batch_class: Batches::Daily::Backup\n  is_active: true\n",
        ));
        assert_eq!(f.rule, Rule::ScheduleInvalidCron);
        assert_eq!(f.location.line, 2);
        assert!(f.location.column >= 13, "{:?}", f.location);
        assert!(f.help.is_some());
    }

    #[test]
    fn cron_help_comes_from_the_parser() {
        let f = one(&batch(
            "  cron: '0 0 9 * * ? *'\n  batch_class: Batches::Daily::Backup\n  is_active: true\n",
        ));
        assert_eq!(f.rule, Rule::ScheduleInvalidCron);
        assert!(f.message.contains("7 fields"));
        assert!(f.help.as_deref().unwrap().contains("0 9 * * ? *"));
        assert_eq!(at(&f), (Severity::Error, 2, 10));
    }

    #[test]
    fn invalid_zone_suggests_names() {
        let f = one(&batch(&format!("{OK}  timezone: Asia/Tokio\n")));
        assert_eq!(f.rule, Rule::ScheduleInvalidTimezone);
        assert_eq!(at(&f), (Severity::Error, 5, 13));
        assert!(f.help.as_deref().unwrap().contains("Asia/Tokyo"));
    }

    #[test]
    fn invalid_durations() {
        for (text, words) in [
            ("90", "no unit"),
            ("\"90\"", "no unit"),
            ("0m", "minimum"),
            ("8d", "maximum"),
            ("30m1h", "largest first"),
            ("90s", "unit 's'"),
            ("1.5h", "unit '.'"),
            ("h", "where a number should be"),
            ("[1h]", "expected a duration"),
        ] {
            let f = one(&batch(&format!("{OK}  duration: {text}\n")));
            assert_eq!(f.rule, Rule::ScheduleInvalidDuration, "{text}");
            assert_eq!(at(&f), (Severity::Error, 5, 13), "{text}");
            assert!(f.message.contains(words), "{text}: {}", f.message);
            assert!(f.help.as_deref().unwrap().contains("1h30m"));
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(90));
        assert_eq!(parse_duration("2h"), Ok(120));
        assert_eq!(parse_duration("1h30m"), Ok(90));
        assert_eq!(parse_duration("1d12h"), Ok(2160));
        assert_eq!(parse_duration("7d"), Ok(MAX_DURATION_MINUTES));
        assert_eq!(parse_duration("1m"), Ok(1));
        assert!(parse_duration("99999999999999999999m").is_err());
        assert!(parse_duration("1h1h").is_err());
        assert!(parse_duration("1h ").is_err());
    }

    #[test]
    fn invalid_batch_class() {
        for class in [
            "batches::daily",
            "Batches:Daily",
            "\"Batches::\"",
            "\"\"",
            "Batches::Daily-Backup",
        ] {
            let f = one(&batch(&format!(
                "  cron: \"0 9 * * ? *\"\n  batch_class: {class}\n  is_active: true\n"
            )));
            assert_eq!(f.rule, Rule::ScheduleInvalidBatchClass, "{class}");
            assert_eq!(at(&f), (Severity::Error, 3, 16));
            assert!(
                f.help
                    .as_deref()
                    .unwrap()
                    .contains("Batches::Daily::Backup")
            );
        }
    }

    #[test]
    fn batch_name_with_bad_character() {
        let f = one(&format!("Daily Backup:\n{OK}"));
        assert_eq!(f.rule, Rule::ScheduleInvalidName);
        assert_eq!(at(&f), (Severity::Error, 1, 6));
        assert!(f.message.contains("' '"));
        let f = one(&format!("バックアップ:\n{OK}"));
        assert_eq!(f.rule, Rule::ScheduleInvalidName);
        assert_eq!(at(&f), (Severity::Error, 1, 1));
        assert!(f.help.as_deref().unwrap().contains("description"));
    }

    #[test]
    fn batch_name_too_long_for_a_rule_name() {
        // cronbridge- (11) + 51 = 62: fits with a `-N` suffix.
        let ok = "B".repeat(51);
        let (batches, findings) = run(&format!("{ok}:\n{OK}"));
        assert!(findings.is_empty());
        assert_eq!(batches.len(), 1);
        let long = "B".repeat(52);
        let f = one(&format!("{long}:\n{OK}"));
        assert_eq!(f.rule, Rule::ScheduleInvalidName);
        assert_eq!(at(&f), (Severity::Error, 1, 1));
        assert!(f.message.contains("63 characters"), "{}", f.message);
        assert!(f.help.as_deref().unwrap().contains("at most 51"));
    }

    #[test]
    fn one_bad_batch_does_not_hide_the_others() {
        let text = format!(
            "Good:\n{OK}Bad:\n  cron: nope\n  batch_class: X\n  is_active: true\nAlsoGood:\n{OK}"
        );
        let (batches, findings) = run(&text);
        let names: Vec<_> = batches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, vec!["Good", "AlsoGood"]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, Rule::ScheduleInvalidCron);
    }

    #[test]
    fn duplicate_in_one_file_is_a_yaml_error() {
        let (batches, findings) = run(&format!("Backup:\n{OK}Backup:\n{OK}"));
        assert_eq!(batches.len(), 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, Rule::YamlDuplicateKey);
        assert_eq!(at(&findings[0]), (Severity::Error, 5, 1));
    }

    #[test]
    fn duplicate_across_files() {
        let settings = Settings::default();
        let (mut a, _) = load("schedules/a.yml", &batch(OK), &settings);
        let (b, _) = load(
            "schedules/b.yml",
            &format!("Other:\n{OK}\nBackup:\n{OK}"),
            &settings,
        );
        a.extend(b);
        let findings = duplicates(&a);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule, Rule::ScheduleDuplicateBatch);
        assert_eq!(f.location.file, "schedules/b.yml");
        assert_eq!(at(f), (Severity::Error, 6, 1));
        assert_eq!(f.related[0].0.file, "schedules/a.yml");
        assert!(f.message.contains("schedules/a.yml"));
    }

    // `Backup` and `backup` loaded as two batches, and `/run backup` started the other one.
    #[test]
    fn names_that_differ_only_in_case_are_an_error() {
        let (batches, findings) = run(&format!(
            "{}{}",
            "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"Batches::A\"\n  is_active: true\n",
            "backup:\n  cron: \"0 10 * * ? *\"\n  batch_class: \"Batches::B\"\n  is_active: true\n"
        ));
        assert!(findings.is_empty(), "{findings:?}");
        let found = duplicates(&batches);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, Rule::ScheduleCaseCollision);
        assert_eq!(found[0].location.line, 5);
        assert_eq!(found[0].related[0].0.line, 1);
    }

    fn on_scheduler(text: &str) -> (Vec<Batch>, Vec<Finding>) {
        let mut settings = Settings::default();
        settings.aws.backend = Backend::Scheduler;
        load(FILE, text, &settings)
    }

    const BASE: &str = "A:\n  batch_class: \"A\"\n  is_active: true\n";

    #[test]
    fn scheduler_keys_on_rules_are_errors_with_the_reason() {
        let text =
            format!("{BASE}  cron: \"0 9 * * ? *\"\n  flexible_window: 15m\n  end: 2027-01-01\n");
        let (batches, f) = run(&text);
        assert!(batches.is_empty());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|f| f.rule == Rule::ScheduleBackendKey));
        assert_eq!((f[0].location.line, f[0].location.column), (5, 3));
        assert!(
            f[0].message.contains("no flexible time window"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].help
                .as_deref()
                .unwrap()
                .contains("aws.backend: scheduler")
        );
        // `at` on rules: the backend error, not also a missing `cron`.
        let f = one(&format!("{BASE}  at: 2026-12-31T23:00\n"));
        assert_eq!(f.rule, Rule::ScheduleBackendKey);
        assert!(f.message.contains("one-time"));
    }

    #[test]
    fn scheduler_keys_load_on_scheduler() {
        let text = format!(
            "{BASE}  cron: \"0 9 * * ? *\"\n  timezone: Europe/London\n  flexible_window: 1h30m\n  start: 2026-12-01\n  end: 2027-03-29T01:30\n"
        );
        let (batches, f) = on_scheduler(&text);
        assert!(f.is_empty(), "{f:?}");
        let k = &batches[0].scheduler;
        assert_eq!(k.backend, Backend::Scheduler);
        assert_eq!(k.flexible_window, Some(90));
        let start = k.start.unwrap();
        assert_eq!(start.instant.to_string(), "2026-12-01T00:00:00Z");
        // 01:30 on 2027-03-28 does not exist in London; 2027-03-29 01:30 is BST.
        assert_eq!(k.end.unwrap().instant.to_string(), "2027-03-29T00:30:00Z");
        assert_eq!(batches[0].occupied_minutes(10), 100);
    }

    #[test]
    fn at_is_a_one_time_run_in_the_batch_zone() {
        let text = format!("{BASE}  at: \"2026-12-31T23:00\"\n  timezone: America/New_York\n");
        let (batches, f) = on_scheduler(&text);
        assert!(f.is_empty(), "{f:?}");
        let b = &batches[0];
        assert_eq!(b.scheduler_expression(), "at(2026-12-31T23:00:00)");
        assert_eq!(b.cron_text, "at(2026-12-31T23:00:00)");
        let runs: Vec<_> = b
            .runs_after("2026-01-01T00:00:00Z".parse().unwrap())
            .map(|t| t.to_string())
            .collect();
        assert_eq!(runs, ["2027-01-01T04:00:00Z"]);
    }

    #[test]
    fn scheduler_key_mistakes_are_located() {
        let cron = "  cron: \"0 9 * * ? *\"\n";
        for (extra, rule, line) in [
            ("  flexible_window: 0m\n", Rule::ScheduleInvalidWindow, 5),
            ("  flexible_window: 25h\n", Rule::ScheduleInvalidWindow, 5),
            ("  start: 2026-13-01\n", Rule::ScheduleInvalidDate, 5),
            (
                "  start: 2026-12-01T09:00+09:00\n",
                Rule::ScheduleInvalidDate,
                5,
            ),
            (
                "  start: 2026-12-01T09:00:30\n",
                Rule::ScheduleInvalidDate,
                5,
            ),
            (
                "  start: 2026-12-02\n  end: 2026-12-01\n",
                Rule::ScheduleInvalidDate,
                6,
            ),
            ("  at: 2026-12-01T09:00\n", Rule::ScheduleInvalidDate, 5),
        ] {
            let (batches, f) = on_scheduler(&format!("{BASE}{cron}{extra}"));
            assert!(batches.is_empty(), "{extra}");
            assert_eq!(f.len(), 1, "{extra}: {f:?}");
            assert_eq!((f[0].rule, f[0].location.line), (rule, line), "{extra}");
            assert!(f[0].help.is_some(), "{extra}");
        }
    }
}
