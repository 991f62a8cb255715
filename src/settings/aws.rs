//! The `aws:` section of `cronbridge.yml`: where rules go and what they start. Pure: the
//! loader reads the YAML node; `desired` later fills what the file leaves out from the
//! environment through a lookup function, so tests never touch the process environment.
//!
//! ```yaml
//! aws:
//!   region: ap-northeast-1        # optional; else the SDK's chain (AWS_REGION, profile)
//!   event_bus: default            # default "default"
//!   rules_quota: 300              # the account's rules-per-bus quota; default 300
//!   max_rules_per_schedule: 8     # UTC rules one local schedule may become; default 8
//!   max_delete_share: 0.25        # share of managed rules one apply may delete; default 0.25
//!   backend: rules                # rules (default) or scheduler (EventBridge Scheduler)
//!   schedule_group: cronbridge    # the Scheduler schedule group cronbridge owns; default cronbridge
//!   target:
//!     role_arn: arn:aws:iam::123456789012:role/cronbridge-events   # or CRONBRIDGE_ROLE_ARN
//!     state_machine_arn: arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch
//!     input: {batch: "<batch>", batch_class: "<batch_class>"}        # the default
//!     retry_policy: {maximum_retry_attempts: 2, maximum_event_age: 1h}
//!     dead_letter_arn: arn:aws:sqs:ap-northeast-1:123456789012:batch-dlq
//! ```

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use super::template;
use crate::finding::{Finding, Location, Rule};
use crate::shape::{DefaultValue, Object, Type, field};
use crate::yaml::{self, Entry, Node, Resolved, Sink};
use serde_json::Value;

pub const DEFAULT_EVENT_BUS: &str = "default";
pub const DEFAULT_RULES_QUOTA: u32 = 300;
pub const DEFAULT_MAX_DELETE_SHARE: f64 = 0.25;
/// The schedule group of `backend: scheduler` when `aws.schedule_group` is not set.
pub const DEFAULT_SCHEDULE_GROUP: &str = "cronbridge";

/// What batches are deployed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// EventBridge scheduled rules on the default bus, in UTC (local crons rewritten).
    #[default]
    Rules,
    /// EventBridge Scheduler schedules, each in its own IANA zone, in one schedule group.
    Scheduler,
}

impl Backend {
    /// The name the settings file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Rules => "rules",
            Backend::Scheduler => "scheduler",
        }
    }
}

/// Environment variables that may hold what the settings file leaves out. The file wins
/// when it says; these fill the gaps, so one repository can deploy to several accounts.
pub mod env {
    pub const ROLE_ARN: &str = "CRONBRIDGE_ROLE_ARN";
    pub const STATE_MACHINE_ARN: &str = "CRONBRIDGE_STATE_MACHINE_ARN";
    pub const ECS_CLUSTER_ARN: &str = "CRONBRIDGE_ECS_CLUSTER_ARN";
    pub const ECS_TASK_DEFINITION_ARN: &str = "CRONBRIDGE_ECS_TASK_DEFINITION_ARN";
    pub const DEAD_LETTER_ARN: &str = "CRONBRIDGE_DEAD_LETTER_ARN";
    pub const ALERT_TOPIC_ARN: &str = "CRONBRIDGE_ALERT_TOPIC_ARN";
    /// The repository tag's value when `aws.repository` is not set (GitHub Actions sets it).
    pub const REPOSITORY: &str = "GITHUB_REPOSITORY";
    /// All of them, for documentation and for tests that scrub the environment.
    pub const ALL: &[&str] = &[
        ROLE_ARN,
        STATE_MACHINE_ARN,
        ECS_CLUSTER_ARN,
        ECS_TASK_DEFINITION_ARN,
        DEAD_LETTER_ARN,
        ALERT_TOPIC_ARN,
        REPOSITORY,
    ];
}

/// The `aws:` section, with defaults for what it does not say.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsSettings {
    /// Where the `aws:` key is, when the file has one.
    pub location: Option<Location>,
    pub region: Option<String>,
    pub event_bus: String,
    pub rules_quota: u32,
    /// The most UTC rules one local schedule may be rewritten into.
    pub max_rules_per_schedule: u32,
    pub max_delete_share: f64,
    /// The repository whose rules these are (`owner/name`), the `cronbridge:repository` tag
    /// of every rule; without it, `GITHUB_REPOSITORY` from the environment.
    pub repository: Option<String>,
    pub target: TargetSettings,
    /// `rules` (the default) or `scheduler`.
    pub backend: Backend,
    /// The schedule group the scheduler backend owns.
    pub schedule_group: String,
}

impl Default for AwsSettings {
    fn default() -> AwsSettings {
        AwsSettings {
            location: None,
            region: None,
            event_bus: DEFAULT_EVENT_BUS.to_string(),
            rules_quota: DEFAULT_RULES_QUOTA,
            max_rules_per_schedule: crate::cron::rewrite::MAX_RULES as u32,
            max_delete_share: DEFAULT_MAX_DELETE_SHARE,
            repository: None,
            target: TargetSettings::default(),
            backend: Backend::Rules,
            schedule_group: DEFAULT_SCHEDULE_GROUP.to_string(),
        }
    }
}

/// What every schedule rule targets. ARNs left out may come from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSettings {
    pub location: Option<Location>,
    pub role_arn: Option<String>,
    pub kind: TargetKind,
    /// The `input` template (placeholders unfilled).
    pub input: Value,
    pub retry_policy: Option<RetryPolicy>,
    pub dead_letter_arn: Option<String>,
}

impl Default for TargetSettings {
    fn default() -> TargetSettings {
        TargetSettings {
            location: None,
            role_arn: None,
            kind: TargetKind::StepFunctions {
                state_machine_arn: None,
            },
            input: template::default_input(),
            retry_policy: None,
            dead_letter_arn: None,
        }
    }
}

/// Step Functions (the default) or ECS directly.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetKind {
    StepFunctions { state_machine_arn: Option<String> },
    Ecs(EcsSettings),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EcsSettings {
    pub cluster_arn: Option<String>,
    pub task_definition_arn: Option<String>,
    pub launch_type: LaunchType,
    pub platform_version: Option<String>,
    /// The container whose command the input replaces.
    pub container_name: String,
    pub network: Option<Network>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchType {
    Fargate,
    Ec2,
    External,
}

impl LaunchType {
    pub const fn as_aws(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
            LaunchType::External => "EXTERNAL",
        }
    }
}

/// `awsvpc` networking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
}

/// EventBridge's retry policy for a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// 0–185.
    pub maximum_retry_attempts: Option<u32>,
    /// 60–86,400 seconds.
    pub maximum_event_age_seconds: Option<u32>,
}

/// The `aws:` section: every key it may have, once (the loader's key checks and hints, the
/// JSON Schema and the README's reference are read from it).
#[rustfmt::skip]
pub static AWS: Object = Object {
    name: "aws",
    title: "`aws`",
    description: "Where the rules go and what they start.",
    fields: &[
        field("region", Type::Pattern { pattern: "^[a-z0-9]+(-[a-z0-9]+){2,}$", what: "AWS region (`ap-northeast-1`)" }, "The region; else `AWS_REGION` or the profile's."),
        field("event_bus", Type::Pattern { pattern: "^[A-Za-z0-9/._-]{1,256}$", what: "event bus name" }, "The event bus (schedules run only on the default bus).").default(DefaultValue::Str(DEFAULT_EVENT_BUS)),
        field("rules_quota", Type::Int { min: 1, max: None }, "The account's rules-per-bus quota.").default(DefaultValue::Int(DEFAULT_RULES_QUOTA)),
        field("max_rules_per_schedule", Type::Int { min: 1, max: Some(64) }, "UTC rules one local schedule may become.").default(DefaultValue::Int(crate::cron::rewrite::MAX_RULES as u32)),
        field("max_delete_share", Type::Number { min: 0.0, max: 1.0 }, "Share of the managed rules one apply may delete without `--allow-delete`.").default(DefaultValue::Float(DEFAULT_MAX_DELETE_SHARE)),
        field("repository", Type::Pattern { pattern: "^\\S{1,256}$", what: "`owner/name`" }, "The `cronbridge:repository` tag of every rule; else `GITHUB_REPOSITORY`."),
        field("target", Type::Object(&TARGET), "What every schedule rule starts: a Step Functions state machine, or an ECS task."),
        field("backend", Type::Enum(&["rules", "scheduler"]), "How batches are scheduled: EventBridge scheduled rules (UTC), or EventBridge Scheduler (each in its own zone).").default(DefaultValue::Str("rules")),
        field("schedule_group", Type::Pattern { pattern: "^(?!default$)[0-9A-Za-z._-]{1,64}$", what: "schedule group name (not `default`)" }, "`backend: scheduler`: the schedule group cronbridge owns (tagged; no other group is touched).").default(DefaultValue::Str(DEFAULT_SCHEDULE_GROUP)),
    ],
    one_of: &[],
    dependent_required: &[],
};

/// `aws.target`. Which keys an ECS target needs is the loader's to say ([`ECS_KEYS`]).
#[rustfmt::skip]
pub static TARGET: Object = Object {
    name: "target",
    title: "`aws.target`",
    description: "Step Functions (`state_machine_arn`) or a direct ECS task (`cluster_arn`, `task_definition_arn`, `container_name`, `input`, and `network` for Fargate); ARNs left out come from the environment.",
    fields: &[
        field("role_arn", Type::Arn { service: "iam", resource: "role/" }, "The role EventBridge assumes; else `CRONBRIDGE_ROLE_ARN`."),
        field("state_machine_arn", Type::Arn { service: "states", resource: "stateMachine:" }, "Step Functions: the state machine; else `CRONBRIDGE_STATE_MACHINE_ARN`."),
        field("cluster_arn", Type::Arn { service: "ecs", resource: "cluster/" }, "ECS: the cluster; else `CRONBRIDGE_ECS_CLUSTER_ARN`."),
        field("task_definition_arn", Type::Arn { service: "ecs", resource: "task-definition/" }, "ECS: the task definition; else `CRONBRIDGE_ECS_TASK_DEFINITION_ARN`."),
        field("launch_type", Type::Word(&["FARGATE", "EC2", "EXTERNAL"]), "ECS: the launch type.").default(DefaultValue::Str(LaunchType::Fargate.as_aws())),
        field("platform_version", Type::Str, "ECS: the platform version (`LATEST`)."),
        field("container_name", Type::Str, "ECS: the container whose command `input` sets."),
        field("network", Type::Object(&NETWORK), "ECS: `awsvpc` networking (required for Fargate)."),
        field("input", Type::Json { what: "JSON (for ECS: a list of strings)", types: &[] }, "The target input, with `<batch>`, `<batch_class>` and `<rule>` filled in; for ECS the container command. Default `{batch: \"<batch>\", batch_class: \"<batch_class>\"}`."),
        field("retry_policy", Type::Object(&RETRY_POLICY), "EventBridge's retry policy for the target."),
        field("dead_letter_arn", Type::Arn { service: "sqs", resource: "" }, "An SQS queue for events that could not be delivered; else `CRONBRIDGE_DEAD_LETTER_ARN`."),
    ],
    one_of: &[],
    dependent_required: &[
        ("cluster_arn", &["container_name", "input"]),
        ("task_definition_arn", &["container_name", "input"]),
        ("launch_type", &["container_name", "input"]),
        ("platform_version", &["container_name", "input"]),
        ("container_name", &["input"]),
        ("network", &["container_name", "input"]),
    ],
};

/// `aws.target.network`.
#[rustfmt::skip]
pub static NETWORK: Object = Object {
    name: "network",
    title: "`aws.target.network`",
    description: "`awsvpc` networking of an ECS task.",
    fields: &[
        field("subnets", Type::List { item: &Type::Str, min: 1 }, "The subnets the tasks run in.").required(),
        field("security_groups", Type::List { item: &Type::Str, min: 0 }, "Their security groups."),
        field("assign_public_ip", Type::Bool, "Whether tasks get a public IP address.").default(DefaultValue::Bool(false)),
    ],
    one_of: &[],
    dependent_required: &[],
};

/// `aws.target.retry_policy`.
#[rustfmt::skip]
pub static RETRY_POLICY: Object = Object {
    name: "retry_policy",
    title: "`aws.target.retry_policy`",
    description: "How EventBridge retries a target it could not start.",
    fields: &[
        field("maximum_retry_attempts", Type::Int { min: 0, max: Some(185) }, "Retries, 0 to 185."),
        field("maximum_event_age", Type::Duration, "How long to keep trying, 1 minute to `24h`."),
    ],
    one_of: &[],
    dependent_required: &[],
};

/// Keys that make the target an ECS one.
const ECS_KEYS: &[&str] = &[
    "cluster_arn",
    "task_definition_arn",
    "launch_type",
    "platform_version",
    "container_name",
    "network",
];

const WRONG_TYPE: Rule = Rule::SettingsWrongType;
const UNKNOWN_KEY: Rule = Rule::SettingsUnknownKey;
const INVALID: Rule = Rule::SettingsInvalidValue;
const INVALID_ARN: Rule = Rule::SettingsInvalidArn;
const INVALID_TEMPLATE: Rule = Rule::SettingsInvalidTemplate;

/// Reads the `aws:` entry of the settings file.
pub fn load(entry: &Entry, file: &str, findings: &mut Vec<Finding>) -> AwsSettings {
    let mut aws = AwsSettings {
        location: Some(entry.key.location(file)),
        ..AwsSettings::default()
    };
    let mut sink = Sink::new(findings);
    let Some(entries) = sink.take(yaml::expect_map(&entry.value, file, WRONG_TYPE, "`aws`")) else {
        return aws;
    };
    for f in AWS.unknown_keys(entries, file, UNKNOWN_KEY, "`aws`") {
        sink.push(f);
    }
    for e in entries {
        let v = &e.value;
        match e.key_text() {
            "region" => {
                if let Some(r) = sink.take(region(v, file)) {
                    aws.region = Some(r);
                }
            }
            "event_bus" => {
                if let Some(bus) = sink.take(event_bus(v, file)) {
                    aws.event_bus = bus;
                }
            }
            "max_rules_per_schedule" => {
                let what = "`max_rules_per_schedule`";
                if let Some(n) = sink.take(yaml::expect_positive(v, file, INVALID, what)) {
                    if n <= 64 {
                        aws.max_rules_per_schedule = n;
                    } else {
                        sink.push(
                            Finding::of(INVALID, v.location(file), format!("{what} is {n}; at most 64"))
                                .help("each UTC rule is one rule of the bus's quota; a schedule that needs more is better on a zone-aware backend"),
                        );
                    }
                }
            }
            "rules_quota" => {
                if let Some(n) = sink.take(yaml::expect_positive(v, file, INVALID, "`rules_quota`"))
                {
                    aws.rules_quota = n;
                }
            }
            "max_delete_share" => {
                if let Some(share) = sink.take(share(v, file)) {
                    aws.max_delete_share = share;
                }
            }
            "repository" => {
                if let Some(r) = sink.take(repository(v, file)) {
                    aws.repository = Some(r);
                }
            }
            "target" => aws.target = target(e, file, &mut sink),
            "backend" => {
                if let Some(b) = sink.take(backend(v, file)) {
                    aws.backend = b;
                }
            }
            "schedule_group" => {
                if let Some(g) = sink.take(schedule_group(v, file)) {
                    aws.schedule_group = g;
                }
            }
            _ => {}
        }
    }
    aws
}

fn backend(node: &Node, file: &str) -> Result<Backend, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`backend`")?;
    match text {
        "rules" => Ok(Backend::Rules),
        "scheduler" => Ok(Backend::Scheduler),
        _ => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`backend`: `{text}` is neither `rules` nor `scheduler`"),
        )
        .help("write `rules` (EventBridge scheduled rules, the default) or `scheduler` (EventBridge Scheduler)")),
    }
}

/// Scheduler's group names: 1 to 64 of `[0-9a-zA-Z-_.]`; `default` is the account's shared
/// group, which cronbridge cannot own (groups are the unit of ownership: schedules carry no tags).
fn schedule_group(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`schedule_group`")?;
    let ok = !text.is_empty()
        && text.chars().count() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        return Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`schedule_group`: `{text}` is not a schedule group name"),
        )
        .help("schedule group names have 1 to 64 of letters, digits, `.`, `-` and `_`"));
    }
    if text == "default" {
        return Err(Finding::of(
            INVALID,
            node.location(file),
            "`schedule_group`: `default` is the account's shared group, which cronbridge cannot own",
        )
        .help("name a group of its own, e.g. `cronbridge` (the default): cronbridge tags it and touches no other"));
    }
    Ok(text.to_string())
}

fn region(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`region`")?;
    let ok = !text.is_empty()
        && text.split('-').count() >= 3
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`region`: `{text}` is not an AWS region name"),
        )
        .help("write a region such as `ap-northeast-1`, or remove `region` to use AWS_REGION"))
    }
}

fn event_bus(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`event_bus`")?;
    let ok = !text.is_empty()
        && text.chars().count() <= 256
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    if ok {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`event_bus`: `{text}` is not an event bus name"),
        )
        .help("event bus names have 1 to 256 of letters, digits, `.`, `-`, `_` and `/`"))
    }
}

/// `owner/name`, or any text a tag value may hold.
fn repository(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`repository`")?;
    if is_repository(text) {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`repository`: `{text}` cannot be a tag value"),
        )
        .help("write the repository as `owner/name`: 1 to 256 of letters, digits, `_.:/=+-@`"))
    }
}

/// Whether a repository name can be the value of the repository tag.
pub fn is_repository(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().count() <= 256
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "_.:/=+-@".contains(c))
}

fn share(node: &Node, file: &str) -> Result<f64, Finding> {
    let value = match node.scalar().map(yaml::Scalar::resolve) {
        Some(Resolved::Int(t) | Resolved::Float(t)) => t.parse::<f64>().ok(),
        _ => None,
    };
    match value {
        Some(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`max_delete_share`: expected a number from 0 to 1, found {}", node.describe()),
        )
        .help("write e.g. `0.25`: one apply may then delete at most a quarter of the managed rules without --allow-delete")),
    }
}

fn target(entry: &Entry, file: &str, sink: &mut Sink<'_>) -> TargetSettings {
    let mut t = TargetSettings {
        location: Some(entry.key.location(file)),
        ..TargetSettings::default()
    };
    let Some(entries) = sink.take(yaml::expect_map(&entry.value, file, WRONG_TYPE, "`target`"))
    else {
        return t;
    };
    for f in TARGET.unknown_keys(entries, file, UNKNOWN_KEY, "`aws.target`") {
        sink.push(f);
    }
    let get = |key: &str| {
        entries
            .iter()
            .find(|e| e.key_text() == key)
            .map(|e| &e.value)
    };
    let arn_of = |sink: &mut Sink<'_>, key: &str, service: &str, resource: &str| {
        get(key).and_then(|node| sink.take(arn_value(node, file, key, service, resource)))
    };
    t.role_arn = arn_of(sink, "role_arn", "iam", "role/");
    t.dead_letter_arn = arn_of(sink, "dead_letter_arn", "sqs", "");
    let is_ecs = entries.iter().any(|e| ECS_KEYS.contains(&e.key_text()));
    if is_ecs {
        if let Some(node) = get("state_machine_arn") {
            sink.push(
                Finding::of(
                    INVALID,
                    node.location(file),
                    "`aws.target` has both `state_machine_arn` and ECS keys",
                )
                .help("target either Step Functions (`state_machine_arn`) or ECS (`cluster_arn`, `task_definition_arn`, `container_name`, …), not both"),
            );
        }
        let container_name = match get("container_name") {
            Some(node) => sink
                .take(yaml::expect_str(node, file, WRONG_TYPE, "`container_name`"))
                .map(str::to_string),
            None => {
                sink.push(
                    yaml::missing_key(
                        entry.key.location(file),
                        Rule::SettingsMissingKey,
                        "container_name",
                        "an ECS `target`",
                    )
                    .help(
                        "name the container of the task definition whose command each batch sets",
                    ),
                );
                None
            }
        };
        let launch_type = match get("launch_type") {
            Some(node) => sink.take(launch_type(node, file)),
            None => Some(LaunchType::Fargate),
        };
        let network = get("network").and_then(|n| sink.take(network(n, file)));
        if launch_type == Some(LaunchType::Fargate) && get("network").is_none() {
            sink.push(
                yaml::missing_key(
                    entry.key.location(file),
                    Rule::SettingsMissingKey,
                    "network",
                    "a Fargate `target`",
                )
                .help("Fargate tasks need `network: {subnets: [...], security_groups: [...]}`"),
            );
        }
        let platform_version = get("platform_version")
            .and_then(|n| sink.take(yaml::expect_str(n, file, WRONG_TYPE, "`platform_version`")))
            .map(str::to_string);
        t.kind = TargetKind::Ecs(EcsSettings {
            cluster_arn: arn_of(sink, "cluster_arn", "ecs", "cluster/"),
            task_definition_arn: arn_of(sink, "task_definition_arn", "ecs", "task-definition/"),
            launch_type: launch_type.unwrap_or(LaunchType::Fargate),
            platform_version,
            container_name: container_name.unwrap_or_default(),
            network,
        });
    } else {
        t.kind = TargetKind::StepFunctions {
            state_machine_arn: arn_of(sink, "state_machine_arn", "states", "stateMachine:"),
        };
    }
    match get("input") {
        Some(node) => {
            if let Some(v) = sink.take(input(node, file, is_ecs)) {
                t.input = v;
            }
        }
        None if is_ecs => sink.push(
            yaml::missing_key(entry.key.location(file), Rule::SettingsMissingKey, "input", "an ECS `target`")
                .help("write the container command, e.g. `input: [bundle, exec, rails, runner, \"<batch_class>.run\"]`"),
        ),
        None => {}
    }
    if let Some(node) = get("retry_policy") {
        t.retry_policy = sink.take(retry_policy(node, file));
    }
    t
}

fn launch_type(node: &Node, file: &str) -> Result<LaunchType, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`launch_type`")?;
    match text.to_ascii_uppercase().as_str() {
        "FARGATE" => Ok(LaunchType::Fargate),
        "EC2" => Ok(LaunchType::Ec2),
        "EXTERNAL" => Ok(LaunchType::External),
        _ => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`launch_type`: `{text}` is not a launch type"),
        )
        .help("write FARGATE, EC2 or EXTERNAL")),
    }
}

fn string_list(node: &Node, file: &str, what: &str) -> Result<Vec<String>, Finding> {
    yaml::expect_seq(node, file, WRONG_TYPE, what)?
        .iter()
        .map(|i| yaml::expect_str(i, file, WRONG_TYPE, what).map(str::to_string))
        .collect()
}

fn network(node: &Node, file: &str) -> Result<Network, Finding> {
    let entries = yaml::expect_map(node, file, WRONG_TYPE, "`network`")?;
    if let Some(f) = NETWORK
        .unknown_keys(entries, file, UNKNOWN_KEY, "`network`")
        .into_iter()
        .next()
    {
        return Err(f);
    }
    let mut net = Network {
        subnets: Vec::new(),
        security_groups: Vec::new(),
        assign_public_ip: false,
    };
    for e in entries {
        match e.key_text() {
            "subnets" => net.subnets = string_list(&e.value, file, "`subnets`")?,
            "security_groups" => {
                net.security_groups = string_list(&e.value, file, "`security_groups`")?
            }
            "assign_public_ip" => {
                net.assign_public_ip =
                    yaml::expect_bool(&e.value, file, WRONG_TYPE, "`assign_public_ip`")?;
            }
            _ => {}
        }
    }
    if net.subnets.is_empty() {
        return Err(
            Finding::of(INVALID, node.location(file), "`network` has no `subnets`")
                .help("list the subnets the tasks run in: `subnets: [subnet-0123456789abcdef0]`"),
        );
    }
    Ok(net)
}

fn retry_policy(node: &Node, file: &str) -> Result<RetryPolicy, Finding> {
    let entries = yaml::expect_map(node, file, WRONG_TYPE, "`retry_policy`")?;
    if let Some(f) = RETRY_POLICY
        .unknown_keys(entries, file, UNKNOWN_KEY, "`retry_policy`")
        .into_iter()
        .next()
    {
        return Err(f);
    }
    let mut policy = RetryPolicy {
        maximum_retry_attempts: None,
        maximum_event_age_seconds: None,
    };
    for e in entries {
        match e.key_text() {
            "maximum_retry_attempts" => {
                let n = match e.value.scalar().map(yaml::Scalar::resolve) {
                    Some(Resolved::Int(t)) => t.parse::<u32>().ok().filter(|n| *n <= 185),
                    _ => None,
                };
                policy.maximum_retry_attempts = Some(n.ok_or_else(|| {
                    Finding::of(
                        INVALID,
                        e.value.location(file),
                        format!("`maximum_retry_attempts`: expected a whole number from 0 to 185, found {}", e.value.describe()),
                    )
                })?);
            }
            "maximum_event_age" => {
                let minutes = crate::settings::duration_value(
                    &e.value,
                    file,
                    INVALID,
                    "`maximum_event_age`",
                )?;
                if minutes > 24 * 60 {
                    return Err(Finding::of(
                        INVALID,
                        e.value.location(file),
                        "`maximum_event_age` is longer than EventBridge's 24 hours",
                    )
                    .help("write at most `24h`"));
                }
                policy.maximum_event_age_seconds = Some(minutes * 60);
            }
            _ => {}
        }
    }
    Ok(policy)
}

/// The `input` template: any JSON for Step Functions; a list of strings (the container
/// command) for ECS. Placeholders must be known ones.
fn input(node: &Node, file: &str, is_ecs: bool) -> Result<Value, Finding> {
    let value = template::json_value(node, file, INVALID_TEMPLATE, "`input`")?;
    if is_ecs {
        let is_command = value
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(Value::is_string));
        if !is_command {
            return Err(Finding::of(
                INVALID_TEMPLATE,
                node.location(file),
                "`input` of an ECS target is the container command: a list of strings",
            )
            .help("write e.g. `input: [bundle, exec, rails, runner, \"<batch_class>.run\"]`"));
        }
    }
    if let Some((name, hint)) = template::unknown_placeholders(&value, template::INPUT_PLACEHOLDERS)
        .into_iter()
        .next()
    {
        let known = template::INPUT_PLACEHOLDERS
            .iter()
            .map(|p| format!("`<{p}>`"))
            .collect::<Vec<_>>()
            .join(", ");
        let finding = Finding::of(
            INVALID_TEMPLATE,
            node.location(file),
            format!("`input` has the unknown placeholder `<{name}>`"),
        );
        return Err(match hint {
            Some(h) => finding.help(format!(
                "did you mean `<{h}>`? the placeholders are {known}"
            )),
            None => finding.help(format!("the placeholders are {known}")),
        });
    }
    Ok(value)
}

/// An ARN of `service` whose resource starts with `resource` (empty: any).
fn arn_value(
    node: &Node,
    file: &str,
    key: &str,
    service: &str,
    resource: &str,
) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, &format!("`{key}`"))?;
    check_arn(text, service, resource).map_err(|message| {
        Finding::of(
            INVALID_ARN,
            node.location(file),
            format!("`{key}`: {message}"),
        )
        .help(arn_help(key, service, resource))
    })?;
    Ok(text.to_string())
}

pub(crate) fn arn_help(what: &str, service: &str, resource: &str) -> String {
    let region = if service == "iam" {
        ""
    } else {
        "ap-northeast-1"
    };
    format!("`{what}` is an ARN like `arn:aws:{service}:{region}:123456789012:{resource}name`")
}

/// Checks `arn:partition:service:region:account:resource`. The error is a sentence.
pub fn check_arn(text: &str, service: &str, resource: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition, svc, region, account, rest] = parts.as_slice() else {
        return Err(format!("`{text}` is not an ARN"));
    };
    if *arn != "arn" || !matches!(*partition, "aws" | "aws-cn" | "aws-us-gov") {
        return Err(format!("`{text}` is not an ARN"));
    }
    if *svc != service {
        return Err(format!("`{text}` is an ARN of `{svc}`, not of `{service}`"));
    }
    let region_ok = if service == "iam" {
        region.is_empty()
    } else {
        !region.is_empty()
    };
    if !region_ok || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{text}` does not have the region and 12-digit account an ARN of `{service}` has"
        ));
    }
    if !rest.starts_with(resource) || rest.len() == resource.len() {
        return Err(format!("`{text}` does not name a `{resource}…` resource"));
    }
    if text.chars().any(char::is_whitespace) {
        return Err(format!("`{text}` has white space"));
    }
    Ok(())
}

/// A value that came from the settings file or from an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub value: String,
    /// `None`: the settings file; else the variable's name.
    pub env: Option<&'static str>,
}

/// The value of the file when it has one, else of the environment variable.
pub fn from_file_or_env(
    file_value: Option<&String>,
    var: &'static str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<Sourced> {
    match file_value {
        Some(v) => Some(Sourced {
            value: v.clone(),
            env: None,
        }),
        None => lookup(var)
            .filter(|v| !v.trim().is_empty())
            .map(|value| Sourced {
                value: value.trim().to_string(),
                env: Some(var),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings;

    fn load_text(text: &str) -> (AwsSettings, Vec<Finding>) {
        let (s, findings) = settings::load("cronbridge.yml", text);
        (s.aws, findings)
    }

    #[test]
    fn ecs_keys_are_declared_target_keys() {
        for key in ECS_KEYS {
            assert!(TARGET.key(key).is_some(), "`{key}` is not a key of TARGET");
        }
        // The schema's "an ECS key needs `container_name` and `input`" is the loader's.
        let triggers: Vec<&str> = TARGET.dependent_required.iter().map(|(k, _)| *k).collect();
        assert_eq!(triggers, ECS_KEYS);
        for (key, needs) in TARGET.dependent_required {
            for need in ["container_name", "input"] {
                assert!(*key == need || needs.contains(&need), "{key} needs {need}");
            }
        }
    }

    #[test]
    fn step_functions_target_loads() {
        let (aws, findings) = load_text(
            "aws:\n  region: ap-northeast-1\n  rules_quota: 500\n  max_delete_share: 0.5\n  target:\n    role_arn: arn:aws:iam::123456789012:role/events\n    state_machine_arn: arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch\n    retry_policy: {maximum_retry_attempts: 2, maximum_event_age: 1h}\n    dead_letter_arn: arn:aws:sqs:ap-northeast-1:123456789012:dlq\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(aws.region.as_deref(), Some("ap-northeast-1"));
        assert_eq!((aws.rules_quota, aws.max_delete_share), (500, 0.5));
        assert_eq!(aws.event_bus, "default");
        assert_eq!(
            aws.target.kind,
            TargetKind::StepFunctions {
                state_machine_arn: Some(
                    "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch".into()
                )
            }
        );
        assert_eq!(aws.target.input, template::default_input());
        assert_eq!(
            aws.target.retry_policy,
            Some(RetryPolicy {
                maximum_retry_attempts: Some(2),
                maximum_event_age_seconds: Some(3600)
            })
        );
    }

    #[test]
    fn ecs_target_loads() {
        let (aws, findings) = load_text(
            "aws:\n  target:\n    cluster_arn: arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch\n    task_definition_arn: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:3\n    container_name: app\n    network: {subnets: [subnet-1], security_groups: [sg-1]}\n    input: [bundle, exec, rails, runner, \"<batch_class>.run\"]\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        let TargetKind::Ecs(ecs) = aws.target.kind else {
            panic!()
        };
        assert_eq!(ecs.launch_type, LaunchType::Fargate);
        assert_eq!(ecs.container_name, "app");
        assert_eq!(ecs.network.unwrap().subnets, vec!["subnet-1"]);
        assert_eq!(aws.target.input[4], "<batch_class>.run");
    }

    #[test]
    fn mistakes_are_located_with_hints() {
        let (_, f) = load_text("aws:\n  evnt_bus: x\n");
        assert_eq!(f[0].rule, Rule::SettingsUnknownKey);
        assert_eq!(f[0].help.as_deref(), Some("did you mean `event_bus`?"));
        assert_eq!((f[0].location.line, f[0].location.column), (2, 3));
        let (_, f) = load_text(
            "aws:\n  target:\n    state_machine_arn: arn:aws:lambda:ap-northeast-1:123456789012:function:x\n",
        );
        assert_eq!(f[0].rule, Rule::SettingsInvalidArn);
        assert!(f[0].message.contains("not of `states`"), "{}", f[0].message);
        let (_, f) = load_text("aws:\n  target:\n    input: {batch: \"<batch_clas>\"}\n");
        assert_eq!(f[0].rule, Rule::SettingsInvalidTemplate);
        assert!(
            f[0].help
                .as_deref()
                .unwrap()
                .contains("did you mean `<batch_class>`?")
        );
        let (_, f) = load_text("aws:\n  max_delete_share: 2\n");
        assert_eq!(f[0].rule, Rule::SettingsInvalidValue);
        let (_, f) = load_text(
            "aws:\n  target:\n    container_name: app\n    launch_type: EC2\n    input: {a: b}\n",
        );
        assert_eq!(f[0].rule, Rule::SettingsInvalidTemplate);
        let (_, f) = load_text("aws:\n  target:\n    container_name: app\n    input: [a]\n");
        assert_eq!(f[0].rule, Rule::SettingsMissingKey);
        assert!(f[0].message.contains("`network`"));
        let (_, f) = load_text("aws:\n  target:\n    input: '{\"a\": '\n");
        assert!(f[0].message.contains("not valid JSON"));
    }

    #[test]
    fn backend_and_schedule_group_load_with_defaults() {
        let (aws, f) = load_text("aws:\n  region: ap-northeast-1\n");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(aws.backend, Backend::Rules);
        assert_eq!(aws.schedule_group, DEFAULT_SCHEDULE_GROUP);
        let (aws, f) = load_text("aws:\n  backend: scheduler\n  schedule_group: team-a.batch\n");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(aws.backend, Backend::Scheduler);
        assert_eq!(aws.schedule_group, "team-a.batch");
        let (_, f) = load_text("aws:\n  backend: schedular\n");
        assert_eq!(f[0].rule, Rule::SettingsInvalidValue);
        assert_eq!((f[0].location.line, f[0].location.column), (2, 12));
        for bad in ["default", "a b", "x/y"] {
            let (_, f) = load_text(&format!("aws:\n  schedule_group: \"{bad}\"\n"));
            assert_eq!(f[0].rule, Rule::SettingsInvalidValue, "{bad}");
            assert!(f[0].help.is_some());
        }
    }

    #[test]
    fn arns_are_checked() {
        assert!(check_arn("arn:aws:iam::123456789012:role/x", "iam", "role/").is_ok());
        assert!(check_arn("arn:aws:iam:us-east-1:123456789012:role/x", "iam", "role/").is_err());
        assert!(check_arn("arn:aws:sqs:us-east-1:12345:q", "sqs", "").is_err());
        assert!(
            check_arn(
                "arn:aws:states:us-east-1:123456789012:stateMachine:",
                "states",
                "stateMachine:"
            )
            .is_err()
        );
        assert!(check_arn("nope", "sqs", "").is_err());
    }

    #[test]
    fn file_wins_over_environment() {
        let env = |k: &str| (k == env::ROLE_ARN).then(|| "from-env".to_string());
        let file = "from-file".to_string();
        assert_eq!(
            from_file_or_env(Some(&file), env::ROLE_ARN, &env)
                .unwrap()
                .env,
            None
        );
        let s = from_file_or_env(None, env::ROLE_ARN, &env).unwrap();
        assert_eq!((s.value.as_str(), s.env), ("from-env", Some(env::ROLE_ARN)));
        assert_eq!(from_file_or_env(None, env::DEAD_LETTER_ARN, &env), None);
    }
}
