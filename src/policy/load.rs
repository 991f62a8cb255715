//! Reads policy files (`rules/*.yml`) into [`Policies`], with a located finding for every
//! value that is wrong. Pure: text in, policies and findings out.
//!
//! # Format
//!
//! ```yaml
//! quiet_hours:
//!   - name: online-peak              # required, unique across all policy files
//!     window: "11:00-14:00"          # or `windows:` a list of them
//!     days: [MON, TUE, WED, THU, FRI]   # optional, SUN-SAT; default every day
//!     dates: ["12-29..01-03"]        # optional month-day ranges, inclusive; "MM-DD" alone is one day
//!     timezone: Asia/Tokyo           # optional, default: the settings' timezone
//!     scope:                         # optional; absent = all batches
//!       groups: [heavy]              # batches whose `group` is one of these
//!       batches: [Backup]            # batches by name
//!       classes: ["Batches::Monthly::*"]   # `batch_class` patterns; `*` matches anything
//!     except: [SessionCleanup]       # optional batch names exempt from the window
//!     severity: error                # error | warning, default error
//! overlap:                           # at most one `overlap` section across all files
//!   default_duration: 10m            # for batches without `duration`; default 5m
//!   self_overlap: warning            # error | warning, default warning
//!   max_starts_per_minute: 3         # optional; or {limit: 3, severity: warning}
//!   groups:
//!     - name: heavy                  # a `group` of the schedules
//!       max_concurrent: 1            # default 1
//!       severity: error              # error | warning, default error
//! alerts:                            # EventBridge event-pattern rules with an SNS target
//!   - name: batch-task-failed        # required: the rule is `<rule_prefix><name>`
//!     description: A batch's ECS task failed   # optional
//!     topic_arn: arn:aws:sns:ap-northeast-1:123456789012:batch-alerts  # else CRONBRIDGE_ALERT_TOPIC_ARN
//!     enabled: true                  # optional, default true
//!     cluster_arn: arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch   # optional
//!     task_definition_arn: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch
//!     pattern:                       # YAML, or JSON text in a string
//!       source: [aws.ecs]
//!       detail-type: [ECS Task State Change]
//!       detail:
//!         clusterArn: ["<cluster_arn>"]
//!         taskDefinitionArn: [{prefix: "<task_definition>:"}]
//!         lastStatus: [STOPPED]
//!         containers:
//!           exitCode: [{anything-but: 0}, {exists: false}]
//! ```
//!
//! A window is `HH:MM-HH:MM` in local time: `24:00` may end a window, a window whose end is
//! not after its start crosses midnight (`22:00-06:00`), and `00:00-24:00` is the whole day.
//! `days` and `dates` say on which days a window *starts*. Severities default to `error`,
//! except `self_overlap`, which applies even without a policy file and so defaults to
//! `warning`.
//!
//! An alert's pattern is checked as EventBridge checks it (operators, lists where it wants
//! lists). Patterns may use `<cluster_arn>`, `<task_definition>` (the task definition's ARN
//! without revision) and `<task_family>`, filled from the alert's `cluster_arn` and
//! `task_definition_arn`, else the settings' ECS target, else `CRONBRIDGE_ECS_CLUSTER_ARN`
//! and `CRONBRIDGE_ECS_TASK_DEFINITION_ARN` at deploy time. A pattern about ECS task state
//! changes is tested on a failed task (non-zero exit, and never started) and on a successful
//! one: matching no failure is an error, missing one kind or matching success a warning.

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use super::{Alert, GroupLimit, Overlap, Policies, QuietHours, Scope, StartLimit};
use crate::finding::{Finding, Rule, Severity};
use crate::policy::pattern::{self as pattern, PatternError, Seg};
use crate::settings::duration_value;
use crate::settings::template;
use crate::settings::{Settings, zone_value};
use crate::shape::{self, DefaultValue, FileShape, Object, Type, field};
use crate::yaml::{self, Entry, Node, Sink};

/// A policy file (`rules/*.yml`): every key of every mapping in it, once. The loader's key
/// checks, hints and required keys, the JSON Schema (`schema/rules.schema.json`) and the
/// README's reference are read from these.
#[rustfmt::skip]
pub static RULES: Object = Object {
    name: "rules",
    title: "a policy file",
    description: "Quiet hours, overlap limits and alert rules; each key may be in any of the files.",
    fields: &[
        field("quiet_hours", Type::List { item: &Type::Object(&QUIET_HOURS), min: 0 }, "Windows in which batches must not run."),
        field("overlap", Type::Object(&OVERLAP), "Limits on runs at the same time; at most one `overlap` across all files."),
        field("alerts", Type::List { item: &Type::Object(&ALERT), min: 1 }, "EventBridge event-pattern rules with an SNS target; to remove all, delete the key."),
    ],
    one_of: &[],
    dependent_required: &[],
};

/// `rules/*.yml`.
pub static FILE: FileShape = FileShape {
    kind: "rules",
    path: "rules/*.yml",
    title: "cronbridge policies and alerts",
    description: "A policy file: quiet hours, overlap limits and alert rules.",
    root: Type::Object(&RULES),
};

const SEVERITIES: &[&str] = &["error", "warning"];

/// `HH:MM-HH:MM`, as [`parse_window`] reads it (the values are its to check).
const WINDOW: Type = Type::Pattern {
    pattern: "^ *[0-9]{1,2}:[0-9]{2} *- *[0-9]{1,2}:[0-9]{2} *$",
    what: "window (`11:00-14:00`)",
};

#[rustfmt::skip]
pub static QUIET_HOURS: Object = Object {
    name: "quiet_hours",
    title: "a `quiet_hours` entry",
    description: "A window in which the batches in scope must not run (start plus expected duration).",
    fields: &[
        field("name", shape::NON_EMPTY, "Unique across all policy files.").required(),
        field("window", WINDOW, "`HH:MM-HH:MM` local time; `22:00-06:00` crosses midnight, `24:00` may end a window."),
        field("windows", Type::List { item: &WINDOW, min: 1 }, "Several windows, instead of `window`."),
        field("days", Type::List { item: &Type::Word(&DAY_NAMES), min: 1 }, "Days on which a window starts; default every day."),
        field("dates", Type::List { item: &Type::Pattern { pattern: "^[0-9]{2}-[0-9]{2}([.][.][0-9]{2}-[0-9]{2})?$", what: "`MM-DD..MM-DD` or `MM-DD`" }, min: 1 }, "Month-day ranges, inclusive, on which a window starts; may wrap the year."),
        field("timezone", Type::Zone, "The windows' zone; default: the settings' `timezone`."),
        field("scope", Type::Object(&SCOPE), "Which batches; absent: all."),
        field("except", shape::NAMES, "Batch names exempt from the window."),
        field("severity", Type::Enum(SEVERITIES), "The severity of a violation.").default(DefaultValue::Str("error")),
    ],
    one_of: &["window", "windows"],
    dependent_required: &[],
};

#[rustfmt::skip]
pub static SCOPE: Object = Object {
    name: "scope",
    title: "`scope`",
    description: "The batches quiet hours apply to: any batch matching one of the lists.",
    fields: &[
        field("groups", shape::NAMES, "Batches whose `group` is one of these."),
        field("batches", shape::NAMES, "Batches by name."),
        field("classes", Type::List { item: &Type::Pattern { pattern: "^[A-Za-z0-9_:*]+$", what: "class pattern (`Batches::Monthly::*`)" }, min: 0 }, "`batch_class` patterns; `*` matches anything."),
    ],
    one_of: &[],
    dependent_required: &[],
};

#[rustfmt::skip]
pub static OVERLAP: Object = Object {
    name: "overlap",
    title: "`overlap`",
    description: "Limits on batches running at the same time.",
    fields: &[
        field("default_duration", Type::Duration, "Expected run time of batches without `duration`.").default(DefaultValue::Minutes(super::DEFAULT_DURATION_MINUTES)),
        field("self_overlap", Type::Enum(SEVERITIES), "Severity of a batch starting before its previous run ends.").default(DefaultValue::Str("warning")),
        field("max_starts_per_minute", Type::OneOf(&[Type::Int { min: 1, max: None }, Type::Object(&START_LIMIT)]), "Most batches that may start in one minute."),
        field("groups", Type::List { item: &Type::Object(&GROUP_LIMIT), min: 0 }, "Limits per `group` of the schedules."),
    ],
    one_of: &[],
    dependent_required: &[],
};

#[rustfmt::skip]
pub static START_LIMIT: Object = Object {
    name: "start_limit",
    title: "`max_starts_per_minute` with a severity",
    description: "A limit on starts per minute, with its severity.",
    fields: &[
        field("limit", Type::Int { min: 1, max: None }, "Most starts in one minute.").required(),
        field("severity", Type::Enum(SEVERITIES), "The severity of too many starts.").default(DefaultValue::Str("error")),
    ],
    one_of: &[],
    dependent_required: &[],
};

#[rustfmt::skip]
pub static GROUP_LIMIT: Object = Object {
    name: "group_limit",
    title: "a group limit",
    description: "How many batches of one group may run at once.",
    fields: &[
        field("name", shape::NON_EMPTY, "A `group` of the schedules.").required(),
        field("max_concurrent", Type::Int { min: 1, max: None }, "Most of its batches running at once.").default(DefaultValue::Int(1)),
        field("severity", Type::Enum(SEVERITIES), "The severity of too many at once.").default(DefaultValue::Str("error")),
    ],
    one_of: &[],
    dependent_required: &[],
};

#[rustfmt::skip]
pub static ALERT: Object = Object {
    name: "alert",
    title: "an `alerts` entry",
    description: "An EventBridge rule matching an event pattern, with an SNS topic as target.",
    fields: &[
        field("name", Type::Pattern { pattern: "^[A-Za-z0-9._-]+$", what: "rule name" }, "The rule is `<rule_prefix><name>`; unique across all policy files.").required(),
        field("description", Type::Str, "What the alert is for.").nullable(),
        field("pattern", Type::Json { what: "event pattern (YAML, or JSON text)", types: &["object", "string"] }, "The event pattern; may use `<cluster_arn>`, `<task_definition>` and `<task_family>`.").required(),
        field("topic_arn", Type::Arn { service: "sns", resource: "" }, "The SNS topic; else `CRONBRIDGE_ALERT_TOPIC_ARN`."),
        field("enabled", Type::Bool, "Whether the rule is enabled.").default(DefaultValue::Bool(true)),
        field("cluster_arn", Type::Arn { service: "ecs", resource: "cluster/" }, "`<cluster_arn>`; else the settings' ECS target, else `CRONBRIDGE_ECS_CLUSTER_ARN`."),
        field("task_definition_arn", Type::Arn { service: "ecs", resource: "task-definition/" }, "`<task_definition>` and `<task_family>`; else the settings' ECS target, else `CRONBRIDGE_ECS_TASK_DEFINITION_ARN`."),
    ],
    one_of: &[],
    dependent_required: &[],
};

const WRONG_TYPE: Rule = Rule::PolicyWrongType;
const UNKNOWN_KEY: Rule = Rule::PolicyUnknownKey;
const MISSING_KEY: Rule = Rule::PolicyMissingKey;
const INVALID_VALUE: Rule = Rule::PolicyInvalidValue;
const DUPLICATE_NAME: Rule = Rule::PolicyDuplicateName;

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Reads one policy file. `file` is its repository-relative path, used in every location.
/// An entry with an error is left out; the rest of the file still loads.
pub fn load(file: &str, text: &str, settings: &Settings) -> (Policies, Vec<Finding>) {
    let mut policies = Policies::default();
    let (doc, mut findings) = yaml::parse(file, text);
    // A file that exists and says nothing (empty, only comments, `~`, `{}`) is refused like an
    // empty schedules file: an emptied alerts file would delete its alert rules unseen. To
    // remove a file's policies, delete the file (the deploy diff shows what goes).
    let root = match doc {
        yaml::Document::Invalid => return (policies, findings),
        yaml::Document::Root(root) if !root.is_null() => root,
        yaml::Document::Empty | yaml::Document::Root(_) => {
            findings.push(empty_file(file));
            return (policies, findings);
        }
    };
    let Some(entries) = root.entries() else {
        findings.push(
            Finding::of(
                WRONG_TYPE,
                root.location(file),
                format!(
                    "a policy file is a mapping with `quiet_hours` and `overlap`, found {}",
                    root.describe()
                ),
            )
            .help("start the file with `quiet_hours:` or `overlap:`"),
        );
        return (policies, findings);
    };
    if entries.is_empty() {
        findings.push(empty_file(file));
        return (policies, findings);
    }
    findings.extend(RULES.unknown_keys(entries, file, UNKNOWN_KEY, "the policy file"));
    for entry in entries {
        match entry.key_text() {
            "quiet_hours" => {
                let Some(items) = Sink::new(&mut findings).take(yaml::expect_seq(
                    &entry.value,
                    file,
                    WRONG_TYPE,
                    "`quiet_hours`",
                )) else {
                    continue;
                };
                for item in items {
                    if let Some(quiet) = quiet_hours(item, file, settings, &mut findings) {
                        policies.add_quiet_hours(quiet, &mut findings);
                    }
                }
            }
            "overlap" => policies.overlap = overlap(entry, file, &mut findings),
            "alerts" => {
                let Some(items) = Sink::new(&mut findings).take(yaml::expect_seq(
                    &entry.value,
                    file,
                    WRONG_TYPE,
                    "`alerts`",
                )) else {
                    continue;
                };
                if items.is_empty() {
                    findings.push(
                        Finding::of(
                            Rule::PolicyEmptyAlerts,
                            entry.value.location(file),
                            "`alerts` is an empty list",
                        )
                        .help("an empty list is refused so that an edit cannot remove every alert rule unseen; to remove all alerts, delete the `alerts` key"),
                    );
                }
                for item in items {
                    if let Some(alert) = alert(item, file, settings, &mut findings) {
                        policies.add_alert(alert, &mut findings);
                    }
                }
            }
            _ => {}
        }
    }
    (policies, findings)
}

impl Policies {
    /// Adds the policies of another file. Quiet-hours names must stay unique and only one
    /// file may have an `overlap` section; a second one is reported and ignored.
    pub fn merge(&mut self, other: Policies, findings: &mut Vec<Finding>) {
        for quiet in other.quiet_hours {
            self.add_quiet_hours(quiet, findings);
        }
        for alert in other.alerts {
            self.add_alert(alert, findings);
        }
        match (&self.overlap.location, &other.overlap.location) {
            (Some(first), Some(second)) => findings.push(
                Finding::of(
                    Rule::PolicyDuplicateOverlap,
                    second.clone(),
                    "a second `overlap` section; only one is allowed across all policy files",
                )
                .related(first.clone(), "the first `overlap` section")
                .help("merge the two sections into one"),
            ),
            (None, Some(_)) => self.overlap = other.overlap,
            _ => {}
        }
    }

    fn add_alert(&mut self, alert: Alert, findings: &mut Vec<Finding>) {
        if let Some(first) = self.alerts.iter().find(|a| a.name == alert.name) {
            findings.push(
                Finding::of(
                    DUPLICATE_NAME,
                    alert.location.clone(),
                    format!("alert `{}` is defined twice", alert.name),
                )
                .related(first.location.clone(), "first defined here")
                .help("alert names become rule names and must be unique across all policy files; rename one"),
            );
        } else {
            self.alerts.push(alert);
        }
    }

    fn add_quiet_hours(&mut self, quiet: QuietHours, findings: &mut Vec<Finding>) {
        if let Some(first) = self.quiet_hours.iter().find(|q| q.name == quiet.name) {
            findings.push(
                Finding::of(
                    DUPLICATE_NAME,
                    quiet.location.clone(),
                    format!("quiet hours `{}` are defined twice", quiet.name),
                )
                .related(first.location.clone(), "first defined here")
                .help("quiet-hours names must be unique across all policy files; rename one"),
            );
        } else {
            self.quiet_hours.push(quiet);
        }
    }
}

/// The value of `key` in `entries`.
fn get<'n>(entries: &'n [Entry], key: &str) -> Option<&'n Node> {
    entries
        .iter()
        .find(|e| e.key_text() == key)
        .map(|e| &e.value)
}

/// How a kind of named entry is called, and its declaration (which keys it has and needs).
struct EntryKind {
    unnamed: &'static str,
    named: fn(&str) -> String,
    object: &'static Object,
}

/// What every named entry (a quiet-hours window, an alert, a group limit) starts with: a
/// mapping with a `name` read by `read_name`, how messages call it, no unknown keys, and the
/// required keys present. `None` when it is not a mapping at all.
fn named_entry<'n>(
    sink: &mut Sink<'_>,
    item: &'n Node,
    file: &str,
    kind: &EntryKind,
    read_name: impl Fn(&Node) -> Result<String, Finding>,
) -> Option<(&'n [Entry], Option<String>, String)> {
    let entries = sink.take(yaml::expect_map(item, file, WRONG_TYPE, kind.unnamed))?;
    let name = get(entries, "name").and_then(|n| sink.take(read_name(n)));
    let what = name
        .as_deref()
        .map_or_else(|| kind.unnamed.to_string(), kind.named);
    for f in kind.object.unknown_keys(entries, file, UNKNOWN_KEY, &what) {
        sink.push(f);
    }
    for f in kind
        .object
        .missing_keys(entries, &item.location(file), MISSING_KEY, &what)
    {
        sink.push(f);
    }
    Some((entries, name, what))
}

fn quiet_hours(
    item: &Node,
    file: &str,
    settings: &Settings,
    findings: &mut Vec<Finding>,
) -> Option<QuietHours> {
    let mut sink = Sink::new(findings);
    let (entries, name, what) = named_entry(
        &mut sink,
        item,
        file,
        &EntryKind {
            unnamed: "a `quiet_hours` entry",
            named: |name| format!("quiet hours `{name}`"),
            object: &QUIET_HOURS,
        },
        |n| name_value(n, file, "`name`"),
    )?;

    let windows = match (get(entries, "window"), get(entries, "windows")) {
        (Some(one), None) => sink.take(window(one, file)).map(|w| vec![w]),
        (None, Some(list)) => {
            let items = sink.take(yaml::expect_seq(list, file, WRONG_TYPE, "`windows`"))?;
            if items.is_empty() {
                sink.push(empty_list(
                    list,
                    file,
                    "`windows`",
                    "write at least one window",
                ));
            }
            let windows: Vec<_> = items
                .iter()
                .filter_map(|w| sink.take(window(w, file)))
                .collect();
            Some(windows)
        }
        (Some(_), Some(both)) => {
            sink.push(
                Finding::of(
                    INVALID_VALUE,
                    both.location(file),
                    format!("{what} has both `window` and `windows`"),
                )
                .help("put every window in `windows`, and remove `window`"),
            );
            None
        }
        (None, None) => {
            sink.push(
                yaml::missing_key(item.location(file), MISSING_KEY, "window", &what)
                    .help("add `window: \"HH:MM-HH:MM\"`, or `windows:` with a list of them"),
            );
            None
        }
    };

    let days = get(entries, "days").and_then(|n| sink.take(days(n, file)));
    let dates = match get(entries, "dates") {
        Some(n) => sink.take(dates(n, file)).unwrap_or_default(),
        None => Vec::new(),
    };
    let zone = match get(entries, "timezone") {
        Some(n) => sink.take(zone_value(
            n,
            file,
            WRONG_TYPE,
            Rule::PolicyInvalidTimezone,
            "`timezone`",
        )),
        None => Some(settings.zone.clone()),
    };
    let scope = match get(entries, "scope") {
        Some(n) => scope_value(n, file, &mut sink),
        None => Some(Scope::default()),
    };
    let except = match get(entries, "except") {
        Some(n) => names(n, file, "`except`", &mut sink),
        None => Some(Vec::new()),
    };
    let severity = match get(entries, "severity") {
        Some(n) => sink.take(severity(n, file)),
        None => Some(Rule::PolicyQuietHours.severity()),
    };
    if sink.failed {
        return None;
    }
    Some(QuietHours {
        name: name?,
        location: get(entries, "name")?.location(file),
        windows: windows?,
        days,
        dates,
        zone: zone?,
        scope: scope?,
        except: except?,
        severity: severity?,
    })
}

/// One `alerts:` entry.
fn alert(
    item: &Node,
    file: &str,
    settings: &Settings,
    findings: &mut Vec<Finding>,
) -> Option<Alert> {
    let mut sink = Sink::new(findings);
    let (entries, name, what) = named_entry(
        &mut sink,
        item,
        file,
        &EntryKind {
            unnamed: "an `alerts` entry",
            named: |name| format!("alert `{name}`"),
            object: &ALERT,
        },
        |n| alert_name(n, file, settings),
    )?;
    let text = |sink: &mut Sink<'_>, key: &str| {
        get(entries, key)
            .filter(|n| !n.is_null())
            .and_then(|n| sink.take(yaml::expect_str(n, file, WRONG_TYPE, &format!("`{key}`"))))
            .map(str::to_string)
    };
    let description = text(&mut sink, "description");
    let arn = |sink: &mut Sink<'_>, key: &str, service: &str, resource: &str| {
        let node = get(entries, key)?;
        let value = sink.take(yaml::expect_str(
            node,
            file,
            WRONG_TYPE,
            &format!("`{key}`"),
        ))?;
        match crate::settings::aws::check_arn(value, service, resource) {
            Ok(()) => Some(value.to_string()),
            Err(message) => {
                sink.push(
                    Finding::of(
                        Rule::PolicyInvalidArn,
                        node.location(file),
                        format!("`{key}`: {message}"),
                    )
                    .help(crate::settings::aws::arn_help(key, service, resource)),
                );
                None
            }
        }
    };
    let topic_arn = arn(&mut sink, "topic_arn", "sns", "");
    let cluster_arn = arn(&mut sink, "cluster_arn", "ecs", "cluster/");
    let task_definition_arn = arn(&mut sink, "task_definition_arn", "ecs", "task-definition/");
    let enabled = match get(entries, "enabled") {
        Some(n) => sink.take(yaml::expect_bool(n, file, WRONG_TYPE, "`enabled`")),
        None => Some(true),
    };
    let pattern_node = get(entries, "pattern");
    let pattern = pattern_node.and_then(|node| {
        let value = sink.take(template::json_value(
            node,
            file,
            Rule::PolicyInvalidPattern,
            "`pattern`",
        ))?;
        let errors = pattern::validate(&value);
        for e in &errors {
            sink.push(pattern_finding(node, file, e));
        }
        if let Some((name, hint)) =
            template::unknown_placeholders(&value, pattern::PATTERN_PLACEHOLDERS)
                .into_iter()
                .next()
        {
            let known = pattern::PATTERN_PLACEHOLDERS
                .iter()
                .map(|p| format!("`<{p}>`"))
                .collect::<Vec<_>>()
                .join(", ");
            sink.push(
                Finding::of(
                    Rule::PolicyInvalidPattern,
                    node.location(file),
                    format!("the pattern has the unknown placeholder `<{name}>`"),
                )
                .help(match hint {
                    Some(h) => format!("did you mean `<{h}>`? the placeholders are {known}"),
                    None => format!("the placeholders are {known}"),
                }),
            );
            return None;
        }
        errors.is_empty().then_some(value)
    });
    if sink.failed {
        return None;
    }
    let (pattern, pattern_node) = (pattern?, pattern_node?);
    if pattern::is_task_state_alert(&pattern) {
        let task = task_values(
            &pattern,
            cluster_arn.as_deref(),
            task_definition_arn.as_deref(),
            settings,
        );
        let filled = template::render(&pattern, &task.vars());
        let at = pattern_node.location(file);
        match pattern::failure_coverage(&filled, &task) {
            Ok(c) if !c.nonzero_exit && !c.never_started => sink.push(
                Finding::of(Rule::PolicyAlertNeverFires, at, format!("{what} would never match a failed task: neither a container exiting non-zero nor a task that never started"))
                    .help("match `lastStatus: [STOPPED]` and `containers: {exitCode: [{anything-but: 0}, {exists: false}]}`; exit codes are numbers, not strings"),
            ),
            Ok(c) => {
                if !c.never_started {
                    sink.push(
                        Finding::of(Rule::PolicyAlertMissesFailures, at.clone(), format!("{what} does not match a task that stopped before its container ran (no exit code)"))
                            .help("add `{exists: false}` next to the exit-code condition: `exitCode: [{anything-but: 0}, {exists: false}]`"),
                    );
                }
                if !c.nonzero_exit {
                    sink.push(
                        Finding::of(Rule::PolicyAlertMissesFailures, at.clone(), format!("{what} does not match a container that exited with a non-zero code"))
                            .help("match `exitCode: [{anything-but: 0}, {exists: false}]`"),
                    );
                }
                if c.success {
                    sink.push(
                        Finding::of(Rule::PolicyAlertMatchesSuccess, at, format!("{what} also matches a task whose container exited 0"))
                            .help("restrict the exit code: `exitCode: [{anything-but: 0}, {exists: false}]` (a number, not a string)"),
                    );
                }
            }
            Err(unsupported) => sink.push(
                Finding::of(Rule::PolicyAlertUntested, at, format!("{what} was not tested on a failed task: {unsupported}")),
            ),
        }
    }
    Some(Alert {
        name: name?,
        location: get(entries, "name")?.location(file),
        description,
        pattern,
        pattern_location: pattern_node.location(file),
        topic_arn,
        enabled: enabled?,
        cluster_arn,
        task_definition_arn,
    })
}

/// The task the failure check pretends failed: the alert's values, else the settings' ECS
/// target, else the first literal the pattern itself names, else stand-ins (deploy fills the
/// placeholders from the environment).
fn task_values(
    pattern: &serde_json::Value,
    cluster_arn: Option<&str>,
    task_definition_arn: Option<&str>,
    settings: &Settings,
) -> pattern::TaskValues {
    let ecs = match &settings.aws.target.kind {
        crate::settings::aws::TargetKind::Ecs(ecs) => Some(ecs),
        crate::settings::aws::TargetKind::StepFunctions { .. } => None,
    };
    let literal = |field: &str| -> Option<String> {
        let first = pattern.get("detail")?.get(field)?.as_array()?.first()?;
        let text = first.as_str().or_else(|| first.get("prefix")?.as_str())?;
        (!text.contains('<')).then(|| text.trim_end_matches(':').to_string())
    };
    let example = pattern::TaskValues::example();
    pattern::TaskValues {
        cluster_arn: cluster_arn
            .map(str::to_string)
            .or_else(|| ecs.and_then(|e| e.cluster_arn.clone()))
            .or_else(|| literal("clusterArn"))
            .unwrap_or(example.cluster_arn),
        task_definition: task_definition_arn
            .map(str::to_string)
            .or_else(|| ecs.and_then(|e| e.task_definition_arn.clone()))
            .or_else(|| literal("taskDefinitionArn"))
            .map(|t| pattern::without_revision(&t).to_string())
            .unwrap_or(example.task_definition),
    }
}

/// A pattern problem, placed on the YAML node it is about when the pattern is YAML.
fn pattern_finding(node: &Node, file: &str, e: &PatternError) -> Finding {
    let mut at = node;
    for seg in &e.path {
        let next = match seg {
            Seg::Key(k) => at.entry(k).map(|e| &e.value),
            Seg::Index(i) => at.items().and_then(|items| items.get(*i)),
        };
        match next {
            Some(n) => at = n,
            None => break,
        }
    }
    let path: Vec<String> = e
        .path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => format!("[{i}]"),
        })
        .collect();
    let place = if path.is_empty() {
        String::new()
    } else {
        format!(" at `{}`", path.join(".").replace(".[", "["))
    };
    Finding::of(
        Rule::PolicyInvalidPattern,
        at.location(file),
        format!("the pattern{place}: {}", e.message),
    )
    .help(e.help.clone())
}

/// An alert name: part of an EventBridge rule name.
fn alert_name(node: &Node, file: &str, settings: &Settings) -> Result<String, Finding> {
    let name = name_value(node, file, "`name`")?;
    if let Some((i, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| !crate::settings::is_rule_name_char(*c))
    {
        return Err(Finding::of(
            Rule::PolicyInvalidName,
            node.inner_location(file, i, 1),
            format!(
                "the alert name `{name}` has {c:?}, which an EventBridge rule name cannot contain"
            ),
        )
        .help("use only letters A-Z and a-z, digits, `.`, `-` and `_`"));
    }
    let len = settings.rule_prefix.chars().count() + name.chars().count();
    if len > 64 {
        return Err(Finding::of(
            Rule::PolicyInvalidName,
            node.location(file),
            format!(
                "the rule name `{}{name}` would be {len} characters long; EventBridge allows 64",
                settings.rule_prefix
            ),
        )
        .help("shorten the alert name"));
    }
    Ok(name)
}

/// A required, non-empty name.
fn name_value(node: &Node, file: &str, what: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, what)?;
    if text.trim().is_empty() {
        return Err(Finding::of(
            INVALID_VALUE,
            node.location(file),
            format!("{what} is empty"),
        )
        .help("write a name"));
    }
    Ok(text.to_string())
}

/// A policy file that says nothing: refused, like an empty schedules file.
fn empty_file(file: &str) -> Finding {
    Finding::of(
        Rule::PolicyEmptyFile,
        crate::finding::Location::file_start(file),
        "the policy file is empty",
    )
    .help("an empty file is refused so that a broken edit cannot remove alert rules unseen; to remove its policies, delete the file")
}

fn empty_list(node: &Node, file: &str, what: &str, help: &str) -> Finding {
    Finding::of(
        INVALID_VALUE,
        node.location(file),
        format!("{what} is an empty list"),
    )
    .help(help.to_string())
}

/// `"HH:MM-HH:MM"` as minutes of the day.
fn window(node: &Node, file: &str) -> Result<(u16, u16), Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "a window")?;
    parse_window(text).map_err(|(message, offset, len)| {
        Finding::of(
            Rule::PolicyInvalidWindow,
            node.inner_location(file, offset, len),
            format!("window `{text}`: {message}"),
        )
        .help("write `HH:MM-HH:MM` in 24-hour time, e.g. `11:00-14:00`, `20:00-24:00` or `22:00-06:00` (crosses midnight)")
    })
}

/// Parses a window; the error is a message with the character offset and length it is about.
fn parse_window(text: &str) -> Result<(u16, u16), (String, usize, usize)> {
    let whole = text.chars().count();
    let Some((start, end)) = text.split_once('-') else {
        return Err((
            "expected a start and an end joined by `-`".to_string(),
            0,
            whole,
        ));
    };
    let start_len = start.chars().count();
    let end_offset = start_len + 1;
    let end_len = end.chars().count();
    let from = parse_time(start.trim()).map_err(|m| (m, 0, start_len))?;
    let to = parse_time(end.trim()).map_err(|m| (m, end_offset, end_len))?;
    if from == 24 * 60 {
        return Err(("24:00 can only end a window".to_string(), 0, start_len));
    }
    if from == to {
        return Err((
            "the window starts and ends at the same time".to_string(),
            0,
            whole,
        ));
    }
    Ok((from, to))
}

/// `H:MM` or `HH:MM`, 00:00 to 24:00, as minutes.
fn parse_time(text: &str) -> Result<u16, String> {
    let bad = || format!("`{text}` is not a time; write `HH:MM`");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len: usize| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let hours: u16 = h.parse().map_err(|_| bad())?;
    let minutes: u16 = m.parse().map_err(|_| bad())?;
    if minutes > 59 {
        return Err(format!("`{text}`: minutes go up to 59"));
    }
    if hours > 24 || (hours == 24 && minutes != 0) {
        return Err(format!(
            "`{text}`: hours go up to 23 (and `24:00` to end a window)"
        ));
    }
    Ok(hours * 60 + minutes)
}

/// `[MON, TUE]` as the bit mask of [`QuietHours::days`].
fn days(node: &Node, file: &str) -> Result<u8, Finding> {
    let items = yaml::expect_seq(node, file, WRONG_TYPE, "`days`")?;
    if items.is_empty() {
        return Err(empty_list(
            node,
            file,
            "`days`",
            "remove `days` for every day of the week",
        ));
    }
    let mut mask = 0u8;
    for item in items {
        let text = yaml::expect_str(item, file, WRONG_TYPE, "a day")?;
        let upper = text.to_ascii_uppercase();
        let Some(index) = DAY_NAMES.iter().position(|d| *d == upper) else {
            let help = if text.contains('-') {
                "list each day: `[MON, TUE, WED, THU, FRI]`".to_string()
            } else {
                match yaml::suggest(text, DAY_NAMES) {
                    Some(s) => {
                        format!("did you mean `{s}`? days are SUN, MON, TUE, WED, THU, FRI, SAT")
                    }
                    None => "days are SUN, MON, TUE, WED, THU, FRI, SAT".to_string(),
                }
            };
            return Err(Finding::of(
                Rule::PolicyInvalidDay,
                item.location(file),
                format!("`{text}` is not a day of the week"),
            )
            .help(help));
        };
        // Bit 1 is Sunday, as in `QuietHours::days`.
        mask |= 1 << (index + 1);
    }
    Ok(mask)
}

type MonthDay = (u8, u8);

/// `["12-29..01-03", "05-05"]`.
fn dates(node: &Node, file: &str) -> Result<Vec<(MonthDay, MonthDay)>, Finding> {
    let items = yaml::expect_seq(node, file, WRONG_TYPE, "`dates`")?;
    if items.is_empty() {
        return Err(empty_list(
            node,
            file,
            "`dates`",
            "remove `dates` for every date",
        ));
    }
    items
        .iter()
        .map(|item| {
            let text = yaml::expect_str(item, file, WRONG_TYPE, "a date range")?;
            parse_date_range(text).map_err(|(message, offset, len)| {
                Finding::of(
                    Rule::PolicyInvalidDate,
                    item.inner_location(file, offset, len),
                    format!("date range `{text}`: {message}"),
                )
                .help("write `MM-DD..MM-DD` (inclusive, may wrap the year: `12-29..01-03`) or one day `MM-DD`")
            })
        })
        .collect()
}

fn parse_date_range(text: &str) -> Result<(MonthDay, MonthDay), (String, usize, usize)> {
    match text.split_once("..") {
        Some((a, b)) => {
            let a_len = a.chars().count();
            let from = parse_month_day(a).map_err(|m| (m, 0, a_len))?;
            let to = parse_month_day(b).map_err(|m| (m, a_len + 2, b.chars().count()))?;
            Ok((from, to))
        }
        None => {
            let day = parse_month_day(text).map_err(|m| (m, 0, text.chars().count()))?;
            Ok((day, day))
        }
    }
}

/// `MM-DD`, a real day of some year (February 29 included).
fn parse_month_day(text: &str) -> Result<MonthDay, String> {
    let bad = || format!("`{text}` is not a month and day; write `MM-DD`");
    let (m, d) = text.split_once('-').ok_or_else(bad)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(m) || !two_digits(d) {
        return Err(bad());
    }
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 29,
        _ => return Err(format!("`{text}`: there is no month {month}")),
    };
    if day < 1 || day > last {
        return Err(format!("`{text}`: month {month} has days 1 to {last}"));
    }
    Ok((month, day))
}

/// The `scope` mapping. Its problems go to `sink`, which drops the whole entry.
fn scope_value(node: &Node, file: &str, sink: &mut Sink<'_>) -> Option<Scope> {
    let entries = sink.take(yaml::expect_map(node, file, WRONG_TYPE, "`scope`"))?;
    for f in SCOPE.unknown_keys(entries, file, UNKNOWN_KEY, "`scope`") {
        sink.push(f);
    }
    let mut scope = Scope::default();
    for entry in entries {
        let what = format!("`scope.{}`", entry.key_text());
        let list = match entry.key_text() {
            "groups" => &mut scope.groups,
            "batches" => &mut scope.batches,
            "classes" => &mut scope.classes,
            _ => continue,
        };
        if let Some(values) = names(&entry.value, file, &what, sink) {
            *list = values;
        }
    }
    if let Some(classes) = get(entries, "classes").and_then(Node::items) {
        for item in classes {
            if let Some(text) = item.text().filter(|t| !is_class_pattern(t)) {
                sink.push(
                    Finding::of(
                        INVALID_VALUE,
                        item.location(file),
                        format!("`{text}` is not a class pattern"),
                    )
                    .help(
                        "write a `batch_class` with `*` for any part, e.g. `Batches::Monthly::*`",
                    ),
                );
            }
        }
    }
    Some(scope)
}

fn is_class_pattern(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '*'))
}

/// A list of non-empty strings (batch, group or class names).
fn names(node: &Node, file: &str, what: &str, sink: &mut Sink<'_>) -> Option<Vec<String>> {
    let items = sink.take(yaml::expect_seq(node, file, WRONG_TYPE, what))?;
    let mut out = Vec::new();
    let mut ok = true;
    for item in items {
        match name_value(item, file, &format!("an item of {what}")) {
            Ok(name) => out.push(name),
            Err(f) => {
                sink.push(f);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// `error` or `warning`.
fn severity(node: &Node, file: &str) -> Result<Severity, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`severity`")?;
    match text {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        _ => {
            let finding = Finding::of(
                Rule::PolicyInvalidSeverity,
                node.location(file),
                format!("`{text}` is not a severity"),
            );
            Err(match yaml::suggest(text, ["error", "warning"]) {
                Some(s) => finding.help(format!(
                    "did you mean `{s}`? the severities are `error` and `warning`"
                )),
                None => finding.help("the severities are `error` and `warning`"),
            })
        }
    }
}

fn overlap(entry: &Entry, file: &str, findings: &mut Vec<Finding>) -> Overlap {
    let mut overlap = Overlap {
        location: Some(entry.key.location(file)),
        ..Overlap::default()
    };
    let mut sink = Sink::new(findings);
    let Some(entries) = sink.take(yaml::expect_map(
        &entry.value,
        file,
        WRONG_TYPE,
        "`overlap`",
    )) else {
        return overlap;
    };
    for f in OVERLAP.unknown_keys(entries, file, UNKNOWN_KEY, "`overlap`") {
        sink.push(f);
    }
    for e in entries {
        let node = &e.value;
        match e.key_text() {
            "default_duration" => {
                if let Some(minutes) = sink.take(duration_value(
                    node,
                    file,
                    Rule::PolicyInvalidDuration,
                    "`default_duration`",
                )) {
                    overlap.default_duration = minutes;
                }
            }
            "self_overlap" => {
                if let Some(s) = sink.take(severity(node, file)) {
                    overlap.self_overlap = s;
                }
            }
            "max_starts_per_minute" => {
                overlap.max_starts_per_minute = start_limit(node, file, sink.findings);
            }
            "groups" => {
                let Some(items) = sink.take(yaml::expect_seq(node, file, WRONG_TYPE, "`groups`"))
                else {
                    continue;
                };
                for item in items {
                    let Some(group) = group_limit(item, file, sink.findings) else {
                        continue;
                    };
                    if let Some(first) = overlap.groups.iter().find(|g| g.name == group.name) {
                        sink.push(
                            Finding::of(
                                DUPLICATE_NAME,
                                group.location.clone(),
                                format!("group `{}` has two limits", group.name),
                            )
                            .related(first.location.clone(), "first limit")
                            .help("keep one limit per group"),
                        );
                    } else {
                        overlap.groups.push(group);
                    }
                }
            }
            _ => {}
        }
    }
    overlap
}

const NUMBER: Rule = Rule::PolicyInvalidNumber;

/// `3`, or `{limit: 3, severity: warning}`.
fn start_limit(node: &Node, file: &str, findings: &mut Vec<Finding>) -> Option<StartLimit> {
    let mut sink = Sink::new(findings);
    let what = "`max_starts_per_minute`";
    let location = node.location(file);
    let Some(entries) = node.entries() else {
        let limit = sink.take(
            yaml::expect_positive(node, file, NUMBER, what).map_err(|f| {
                f.help("write a number such as `3`, or `{limit: 3, severity: warning}`")
            }),
        )?;
        return Some(StartLimit {
            location,
            limit,
            severity: Rule::PolicyStartsPerMinute.severity(),
        });
    };
    for f in START_LIMIT.unknown_keys(entries, file, UNKNOWN_KEY, what) {
        sink.push(f);
    }
    for f in START_LIMIT.missing_keys(entries, &location, MISSING_KEY, what) {
        sink.push(f);
    }
    let limit = get(entries, "limit")
        .and_then(|n| sink.take(yaml::expect_positive(n, file, NUMBER, "`limit`")));
    let severity = match get(entries, "severity") {
        Some(n) => sink.take(severity(n, file)),
        None => Some(Rule::PolicyStartsPerMinute.severity()),
    };
    if sink.failed {
        return None;
    }
    Some(StartLimit {
        location,
        limit: limit?,
        severity: severity?,
    })
}

fn group_limit(item: &Node, file: &str, findings: &mut Vec<Finding>) -> Option<GroupLimit> {
    let mut sink = Sink::new(findings);
    let (entries, name, _) = named_entry(
        &mut sink,
        item,
        file,
        &EntryKind {
            unnamed: "a group limit",
            named: |name| format!("the limit of group `{name}`"),
            object: &GROUP_LIMIT,
        },
        |n| name_value(n, file, "`name`"),
    )?;
    let max_concurrent = match get(entries, "max_concurrent") {
        Some(n) => sink.take(yaml::expect_positive(n, file, NUMBER, "`max_concurrent`")),
        None => Some(1),
    };
    let severity = match get(entries, "severity") {
        Some(n) => sink.take(severity(n, file)),
        None => Some(Rule::PolicyGroupOverlap.severity()),
    };
    if sink.failed {
        return None;
    }
    Some(GroupLimit {
        name: name?,
        location: get(entries, "name")?.location(file),
        max_concurrent: max_concurrent?,
        severity: severity?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "rules/policy.yml";

    fn run(text: &str) -> (Policies, Vec<Finding>) {
        load(FILE, text, &Settings::default())
    }

    fn one(text: &str) -> Finding {
        let (_, findings) = run(text);
        assert_eq!(findings.len(), 1, "{findings:?}");
        findings.into_iter().next().unwrap()
    }

    fn at(f: &Finding) -> (Severity, u32, u32) {
        (f.severity, f.location.line, f.location.column)
    }

    #[test]
    fn declared_severity_defaults_are_the_rules() {
        let default = |object: &Object, key: &str| match object.field(key).and_then(|f| f.default) {
            Some(DefaultValue::Str(s)) => s.to_string(),
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(
            default(&QUIET_HOURS, "severity"),
            Rule::PolicyQuietHours.severity().to_string()
        );
        assert_eq!(
            default(&OVERLAP, "self_overlap"),
            Rule::PolicySelfOverlap.severity().to_string()
        );
        assert_eq!(
            default(&START_LIMIT, "severity"),
            Rule::PolicyStartsPerMinute.severity().to_string()
        );
        assert_eq!(
            default(&GROUP_LIMIT, "severity"),
            Rule::PolicyGroupOverlap.severity().to_string()
        );
    }

    /// A quiet-hours entry with `extra` lines added.
    fn quiet(extra: &str) -> String {
        format!("quiet_hours:\n  - name: peak\n    window: \"11:00-14:00\"\n{extra}")
    }

    const FULL: &str = r#"
quiet_hours:
  - name: online-peak
    window: "11:00-14:00"
    days: [MON, TUE, WED, THU, FRI]
    dates: ["12-29..01-03", "02-29"]
    timezone: UTC
    scope:
      groups: [heavy]
      batches: [Backup]
      classes: ["Batches::Monthly::*"]
    except: [SessionCleanup]
    severity: warning
  - name: night
    windows: ["22:00-06:00", "20:00-24:00", "00:00-24:00"]
overlap:
  default_duration: 10m
  self_overlap: error
  max_starts_per_minute: {limit: 3, severity: warning}
  groups:
    - name: heavy
      max_concurrent: 2
      severity: warning
    - name: db
"#;

    #[test]
    fn full_example_loads() {
        let (p, findings) = run(FULL);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(p.quiet_hours.len(), 2);
        let q = &p.quiet_hours[0];
        assert_eq!(q.name, "online-peak");
        assert_eq!((q.location.line, q.location.column), (3, 11));
        assert_eq!(q.windows, vec![(660, 840)]);
        // Bit 1 is Sunday, so Monday to Friday are bits 2 to 6.
        assert_eq!(q.days, Some(0b0111_1100));
        assert_eq!(q.dates, vec![((12, 29), (1, 3)), ((2, 29), (2, 29))]);
        assert_eq!(q.zone.name, "UTC");
        assert_eq!(q.scope.groups, vec!["heavy"]);
        assert_eq!(q.scope.batches, vec!["Backup"]);
        assert_eq!(q.scope.classes, vec!["Batches::Monthly::*"]);
        assert_eq!(q.except, vec!["SessionCleanup"]);
        assert_eq!(q.severity, Severity::Warning);
        let night = &p.quiet_hours[1];
        assert_eq!(night.windows, vec![(1320, 360), (1200, 1440), (0, 1440)]);
        assert_eq!(night.days, None);
        assert!(night.dates.is_empty());
        assert_eq!(night.zone.name, "Asia/Tokyo");
        assert_eq!(night.scope, Scope::default());
        assert_eq!(night.severity, Severity::Error);
        let o = &p.overlap;
        assert_eq!(o.location.as_ref().map(|l| l.line), Some(16));
        assert_eq!(o.default_duration, 10);
        assert_eq!(o.self_overlap, Severity::Error);
        let limit = o.max_starts_per_minute.as_ref().unwrap();
        assert_eq!((limit.limit, limit.severity), (3, Severity::Warning));
        assert_eq!(o.groups.len(), 2);
        assert_eq!(
            (o.groups[0].max_concurrent, o.groups[0].severity),
            (2, Severity::Warning)
        );
        assert_eq!(
            (o.groups[1].max_concurrent, o.groups[1].severity),
            (1, Severity::Error)
        );
        assert_eq!(o.groups[1].location.line, 24);
    }

    #[test]
    fn module_doc_example_loads() {
        // The example in the module documentation, which the README copies.
        let doc = include_str!("load.rs");
        let start = doc.find("//! ```yaml\n").unwrap() + "//! ```yaml\n".len();
        let end = start + doc[start..].find("//! ```\n").unwrap();
        let example: String = doc[start..end]
            .lines()
            .map(|l| {
                l.strip_prefix("//! ")
                    .or(l.strip_prefix("//!"))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let (p, findings) = run(&example);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(p.quiet_hours.len(), 1);
        assert_eq!(p.overlap.groups.len(), 1);
        let limit = p.overlap.max_starts_per_minute.unwrap();
        assert_eq!((limit.limit, limit.severity), (3, Severity::Error));
    }

    #[test]
    fn empty_file_is_an_error_and_has_no_policies() {
        // Regression: emptying rules/alerts.yml was clean, and apply deleted the alert rule.
        for text in ["", "# nothing yet\n", "~\n", "{}\n"] {
            let (p, findings) = run(text);
            assert_eq!(findings.len(), 1, "{text:?}: {findings:?}");
            assert_eq!(findings[0].rule, Rule::PolicyEmptyFile);
            assert!(p.quiet_hours.is_empty() && p.alerts.is_empty());
            assert_eq!(p.overlap.location, None);
            assert_eq!(
                p.overlap.default_duration,
                crate::policy::DEFAULT_DURATION_MINUTES
            );
        }
        let f = one("alerts: []\n");
        assert_eq!(f.rule, Rule::PolicyEmptyAlerts);
        assert_eq!(at(&f), (Severity::Error, 1, 9));
    }

    #[test]
    fn unknown_top_level_key() {
        let f = one("quiet_hour: []\n");
        assert_eq!(f.rule, Rule::PolicyUnknownKey);
        assert_eq!(at(&f), (Severity::Error, 1, 1));
        assert_eq!(f.help.as_deref(), Some("did you mean `quiet_hours`?"));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let f = one("- peak\n");
        assert_eq!(f.rule, Rule::PolicyWrongType);
        assert!(f.message.contains("found a list"));
    }

    #[test]
    fn unknown_key_in_an_entry() {
        let f = one(&quiet("    severty: warning\n"));
        assert_eq!(f.rule, Rule::PolicyUnknownKey);
        assert_eq!(at(&f), (Severity::Error, 4, 5));
        assert!(f.message.contains("quiet hours `peak`"));
        assert_eq!(f.help.as_deref(), Some("did you mean `severity`?"));
    }

    #[test]
    fn bad_windows() {
        for (window, column, words) in [
            ("\"11:00-25:00\"", 20, "hours go up to 23"),
            ("\"24:00-02:00\"", 14, "can only end"),
            ("\"11:00-11:00\"", 14, "same time"),
            ("\"11:00\"", 14, "joined by `-`"),
            ("\"11:60-12:00\"", 14, "minutes go up to 59"),
            ("\"11-12\"", 14, "not a time"),
            ("\"11:00-24:30\"", 20, "hours go up to 23"),
        ] {
            let text = format!("quiet_hours:\n  - name: peak\n    window: {window}\n");
            let f = one(&text);
            assert_eq!(f.rule, Rule::PolicyInvalidWindow, "{window}");
            assert_eq!(at(&f), (Severity::Error, 3, column), "{window}");
            assert!(f.message.contains(words), "{window}: {}", f.message);
            assert!(f.help.as_deref().unwrap().contains("HH:MM-HH:MM"));
        }
    }

    #[test]
    fn window_and_windows_together() {
        let f = one(&quiet("    windows: [\"01:00-02:00\"]\n"));
        assert_eq!(f.rule, Rule::PolicyInvalidValue);
        assert_eq!(at(&f), (Severity::Error, 4, 14));
    }

    #[test]
    fn missing_name_and_window() {
        let (p, findings) = run("quiet_hours:\n  - days: [MON]\n");
        assert!(p.quiet_hours.is_empty());
        let codes: Vec<_> = findings.iter().map(|f| (f.rule, at(f))).collect();
        assert_eq!(
            codes,
            vec![
                (Rule::PolicyMissingKey, (Severity::Error, 2, 5)),
                (Rule::PolicyMissingKey, (Severity::Error, 2, 5)),
            ]
        );
        assert!(findings[0].message.contains("`name`"));
        assert!(findings[1].message.contains("`window`"));
    }

    #[test]
    fn empty_name() {
        let f = one("quiet_hours:\n  - name: \"\"\n    window: \"01:00-02:00\"\n");
        assert_eq!(f.rule, Rule::PolicyInvalidValue);
        assert_eq!(at(&f), (Severity::Error, 2, 11));
    }

    #[test]
    fn bad_day() {
        let f = one(&quiet("    days: [MON, TUS]\n"));
        assert_eq!(f.rule, Rule::PolicyInvalidDay);
        assert_eq!(at(&f), (Severity::Error, 4, 17));
        assert!(f.help.as_deref().unwrap().contains("did you mean `TUE`?"));
        let f = one(&quiet("    days: [MON-FRI]\n"));
        assert!(f.help.as_deref().unwrap().contains("list each day"));
        let f = one(&quiet("    days: []\n"));
        assert_eq!(f.rule, Rule::PolicyInvalidValue);
    }

    #[test]
    fn bad_dates() {
        for (date, column, words) in [
            ("\"02-30\"", 14, "days 1 to 29"),
            ("\"13-01\"", 14, "no month 13"),
            ("\"12-29..1-3\"", 21, "MM-DD"),
            ("\"04-31..05-01\"", 14, "days 1 to 30"),
            ("\"12/25\"", 14, "MM-DD"),
        ] {
            let f = one(&quiet(&format!("    dates: [{date}]\n")));
            assert_eq!(f.rule, Rule::PolicyInvalidDate, "{date}");
            assert_eq!(at(&f), (Severity::Error, 4, column), "{date}");
            assert!(f.message.contains(words), "{date}: {}", f.message);
        }
    }

    #[test]
    fn bad_severity() {
        let f = one(&quiet("    severity: warn\n"));
        assert_eq!(f.rule, Rule::PolicyInvalidSeverity);
        assert_eq!(at(&f), (Severity::Error, 4, 15));
        assert!(
            f.help
                .as_deref()
                .unwrap()
                .contains("did you mean `warning`?")
        );
    }

    #[test]
    fn bad_timezone() {
        let f = one(&quiet("    timezone: Asia/Tokio\n"));
        assert_eq!(f.rule, Rule::PolicyInvalidTimezone);
        assert_eq!(at(&f), (Severity::Error, 4, 15));
        assert!(f.help.as_deref().unwrap().contains("Asia/Tokyo"));
    }

    #[test]
    fn bad_scope() {
        let (p, findings) = run(&quiet(
            "    scope:\n      group: [heavy]\n      classes: [\"Batches Daily\"]\n",
        ));
        assert!(p.quiet_hours.is_empty());
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].rule, Rule::PolicyUnknownKey);
        assert_eq!(at(&findings[0]), (Severity::Error, 5, 7));
        assert_eq!(findings[0].help.as_deref(), Some("did you mean `groups`?"));
        assert_eq!(findings[1].rule, Rule::PolicyInvalidValue);
        assert_eq!(at(&findings[1]), (Severity::Error, 6, 17));
        let f = one(&quiet("    except: SessionCleanup\n"));
        assert_eq!(f.rule, Rule::PolicyWrongType);
    }

    #[test]
    fn duplicate_quiet_hours_names() {
        let text = "quiet_hours:\n  - name: peak\n    window: \"01:00-02:00\"\n  - name: peak\n    window: \"03:00-04:00\"\n";
        let (p, findings) = run(text);
        assert_eq!(p.quiet_hours.len(), 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, Rule::PolicyDuplicateName);
        assert_eq!(at(&findings[0]), (Severity::Error, 4, 11));
        assert_eq!(findings[0].related[0].0.line, 2);
    }

    #[test]
    fn overlap_errors() {
        let f = one("overlap:\n  default_duration: 10\n");
        assert_eq!(f.rule, Rule::PolicyInvalidDuration);
        assert_eq!(at(&f), (Severity::Error, 2, 21));
        assert!(f.message.contains("no unit"));
        let f = one("overlap:\n  self_overlap: fatal\n");
        assert_eq!(f.rule, Rule::PolicyInvalidSeverity);
        let f = one("overlap:\n  max_starts_per_minute: 0\n");
        assert_eq!(f.rule, Rule::PolicyInvalidNumber);
        assert_eq!(at(&f), (Severity::Error, 2, 26));
        let (p, findings) = run("overlap:\n  max_starts_per_minute: {limt: 3}\n");
        assert!(p.overlap.max_starts_per_minute.is_none());
        assert_eq!(findings[0].rule, Rule::PolicyUnknownKey);
        assert_eq!(findings[0].help.as_deref(), Some("did you mean `limit`?"));
        assert_eq!(findings[1].rule, Rule::PolicyMissingKey);
        let f = one("overlap:\n  groups:\n    - name: heavy\n      max_concurrent: -1\n");
        assert_eq!(f.rule, Rule::PolicyInvalidNumber);
        assert_eq!(at(&f), (Severity::Error, 4, 23));
        let f = one("overlap:\n  groups:\n    - max_concurrent: 2\n");
        assert_eq!(f.rule, Rule::PolicyMissingKey);
        let f = one("overlap:\n  group: []\n");
        assert_eq!(f.help.as_deref(), Some("did you mean `groups`?"));
        let f = one("overlap: 5\n");
        assert_eq!(f.rule, Rule::PolicyWrongType);
    }

    #[test]
    fn duplicate_group_limit() {
        let (p, findings) = run("overlap:\n  groups:\n    - name: heavy\n    - name: heavy\n");
        assert_eq!(p.overlap.groups.len(), 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, Rule::PolicyDuplicateName);
        assert_eq!(at(&findings[0]), (Severity::Error, 4, 13));
    }

    #[test]
    fn bad_entry_does_not_hide_the_others() {
        let text = "quiet_hours:\n  - name: a\n    window: nope\n  - name: b\n    window: \"01:00-02:00\"\n";
        let (p, findings) = run(text);
        assert_eq!(findings.len(), 1);
        assert_eq!(p.quiet_hours.len(), 1);
        assert_eq!(p.quiet_hours[0].name, "b");
    }

    #[test]
    fn merge_across_files() {
        let settings = Settings::default();
        let (mut all, _) = load(
            "rules/a.yml",
            "quiet_hours:\n  - name: peak\n    window: \"11:00-14:00\"\noverlap:\n  self_overlap: error\n",
            &settings,
        );
        let (b, f) = load(
            "rules/b.yml",
            "quiet_hours:\n  - name: peak\n    window: \"01:00-02:00\"\n  - name: night\n    window: \"22:00-06:00\"\noverlap:\n  default_duration: 1h\n",
            &settings,
        );
        assert!(f.is_empty());
        let mut findings = Vec::new();
        all.merge(b, &mut findings);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert_eq!(findings[0].rule, Rule::PolicyDuplicateName);
        assert_eq!(findings[0].location.file, "rules/b.yml");
        assert_eq!(findings[0].related[0].0.file, "rules/a.yml");
        assert_eq!(findings[1].rule, Rule::PolicyDuplicateOverlap);
        assert_eq!(at(&findings[1]), (Severity::Error, 6, 1));
        assert_eq!(findings[1].related[0].0.file, "rules/a.yml");
        let names: Vec<_> = all.quiet_hours.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, vec!["peak", "night"]);
        // The first `overlap` stays.
        assert_eq!(all.overlap.self_overlap, Severity::Error);
        assert_eq!(
            all.overlap.default_duration,
            crate::policy::DEFAULT_DURATION_MINUTES
        );
    }

    #[test]
    fn merge_takes_the_only_overlap() {
        let mut all = Policies::default();
        let (b, _) = run("overlap:\n  default_duration: 1h\n");
        all.merge(b, &mut Vec::new());
        assert_eq!(all.overlap.default_duration, 60);
        assert!(all.overlap.location.is_some());
    }

    const ALERT: &str = "alerts:\n  - name: task-failed\n    pattern:\n      source: [aws.ecs]\n      detail-type: [ECS Task State Change]\n      detail:\n        clusterArn: [\"<cluster_arn>\"]\n        lastStatus: [STOPPED]\n        containers:\n          exitCode: EXIT\n";

    fn alert_with(exit: &str) -> (Policies, Vec<Finding>) {
        run(&ALERT.replace("EXIT", exit))
    }

    #[test]
    fn alerts_load() {
        let (p, findings) = alert_with("[{anything-but: 0}, {exists: false}]");
        assert!(findings.is_empty(), "{findings:?}");
        let a = &p.alerts[0];
        assert_eq!(
            (a.name.as_str(), a.enabled, a.location.line),
            ("task-failed", true, 2)
        );
        assert_eq!(
            a.pattern["detail"]["containers"]["exitCode"][0]["anything-but"],
            0
        );
        assert_eq!(a.pattern_location.line, 4);
    }

    #[test]
    fn alert_pattern_mistakes_are_located() {
        let (p, findings) = alert_with("{anything-but: 0}");
        assert!(p.alerts.is_empty());
        assert_eq!(findings[0].rule, Rule::PolicyInvalidPattern);
        assert_eq!(at(&findings[0]), (Severity::Error, 10, 21));
        assert!(
            findings[0].message.contains("detail.containers.exitCode"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].help.as_deref().unwrap().contains("in a list"));
        let (_, findings) = alert_with("[{anythingbut: 0}]");
        assert_eq!(at(&findings[0]), (Severity::Error, 10, 22));
        assert!(
            findings[0]
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `anything-but`?")
        );
        let f = one(&ALERT
            .replace("EXIT", "[{anything-but: 0}]")
            .replace("<cluster_arn>", "<cluster>"));
        assert!(
            f.help
                .as_deref()
                .unwrap()
                .contains("did you mean `<cluster_arn>`?"),
            "{f:?}"
        );
    }

    #[test]
    fn an_alert_that_never_fires_on_a_failed_task_is_an_error() {
        // Exit codes are numbers: the string "1" never matches.
        let f = one(&ALERT.replace("EXIT", "[\"1\"]"));
        assert_eq!(f.rule, Rule::PolicyAlertNeverFires);
        assert_eq!(at(&f), (Severity::Error, 4, 7));
        let f = one(&ALERT.replace("EXIT", "[{anything-but: 0}]"));
        assert_eq!(
            (f.rule, f.severity),
            (Rule::PolicyAlertMissesFailures, Severity::Warning)
        );
        assert!(
            f.message.contains("before its container ran"),
            "{}",
            f.message
        );
        let f = one(&ALERT.replace("EXIT", "[{anything-but: \"0\"}, {exists: false}]"));
        assert_eq!(
            (f.rule, f.severity),
            (Rule::PolicyAlertMatchesSuccess, Severity::Warning)
        );
    }

    #[test]
    fn duplicate_alert_names() {
        let text = ALERT.replace("EXIT", "[{anything-but: 0}, {exists: false}]");
        let (mut all, _) = run(&text);
        let (b, _) = run(&text);
        let mut findings = Vec::new();
        all.merge(b, &mut findings);
        assert_eq!(findings[0].rule, Rule::PolicyDuplicateName);
        assert_eq!(all.alerts.len(), 1);
    }
}
