//! The desired state: every EventBridge rule the repository asks for, built from the
//! loaded model (batches and their proven UTC rules, alerts, settings) and the environment, with
//! every EventBridge limit checked before anything is sent. Pure.

use crate::cron::Expression;
use crate::cron::rewrite::RewriteError;
use crate::finding::{self, Finding, Location};
use crate::policy::Alert;
use crate::policy::pattern::{self as alert, TaskValues};
use crate::schedule::Batch;
use crate::settings::Settings;
use crate::settings::aws::{self as config, Sourced, TargetKind, env};
use crate::settings::template;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The tag every rule cronbridge manages carries; rules without it are never touched.
pub const MANAGED_TAG: &str = "cronbridge:managed";
pub const MANAGED_VALUE: &str = "true";
/// `schedule` or `alert`.
pub const KIND_TAG: &str = "cronbridge:kind";
/// The batch a schedule rule runs.
pub const BATCH_TAG: &str = "cronbridge:batch";
/// The `batch_class` a schedule rule starts: with its schedule, how a renamed batch's old
/// rule is recognised.
pub const CLASS_TAG: &str = "cronbridge:batch-class";
/// The alert an alert rule comes from.
pub const ALERT_TAG: &str = "cronbridge:alert";
/// The repository file that defines the rule.
pub const SOURCE_TAG: &str = "cronbridge:source";
/// The repository whose rules these are: two repositories sharing a bus and a prefix never
/// touch each other's rules.
pub const REPOSITORY_TAG: &str = "cronbridge:repository";
/// Tags with this prefix are cronbridge's; others on a managed rule are left alone.
pub const TAG_PREFIX: &str = "cronbridge:";
/// The id of the one target of every managed rule.
pub const TARGET_ID: &str = "cronbridge";

/// EventBridge limits.
pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_EXPRESSION_CHARS: usize = 256;
pub const MAX_DESCRIPTION_CHARS: usize = 512;
pub const MAX_INPUT_CHARS: usize = 8192;
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Origin {
    Schedule(String),
    Alert(String),
}

/// A rule as EventBridge holds it: the fields cronbridge sets and compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub name: String,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    /// `ENABLED` or `DISABLED` (or whatever else AWS reports for a live rule).
    pub state: String,
    pub description: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub targets: Vec<Target>,
}

/// A rule target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub id: String,
    pub arn: String,
    pub role_arn: Option<String>,
    pub input: Option<String>,
    pub maximum_retry_attempts: Option<u32>,
    pub maximum_event_age_seconds: Option<u32>,
    pub dead_letter_arn: Option<String>,
    pub ecs: Option<EcsTarget>,
}

/// `EcsParameters` of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcsTarget {
    pub task_definition_arn: String,
    pub task_count: i32,
    pub launch_type: Option<String>,
    pub platform_version: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: Option<bool>,
}

/// A rule the repository asks for, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredRule {
    pub rule: Rule,
    pub origin: Origin,
    pub location: Location,
    /// Named by the batch's `rule:`: a live rule taken over in place. The plan adopts it even
    /// without cronbridge's tag, and keeps its one target's id.
    pub adopted: bool,
}

/// What the repository asks for, and what stops it from being deployed.
#[derive(Debug, Clone, Default)]
pub struct Desired {
    pub rules: Vec<DesiredRule>,
    /// Errors (nothing may be deployed) and warnings.
    pub findings: Vec<Finding>,
    /// Which values came from the environment, by variable name (never the values).
    pub from_env: Vec<&'static str>,
    /// The value of [`REPOSITORY_TAG`] on every rule: `aws.repository`, else
    /// `GITHUB_REPOSITORY`; `None` when neither says (rules then carry no repository tag).
    pub repository: Option<String>,
    /// On `aws.backend: scheduler`: the batches' schedules (then `rules` holds only alerts).
    pub schedules: Vec<super::schedules::DesiredSchedule>,
}

/// Reads an environment variable; tests pass a closure over a map.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The target every schedule rule gets, with the environment's gaps filled.
#[derive(Debug, Clone)]
struct ResolvedTarget {
    arn: String,
    role_arn: String,
    ecs: Option<(EcsTarget, String)>,
    dead_letter_arn: Option<String>,
}

/// What the desired state is built from: a loaded repository and its proven UTC rules
/// (`check::Analysis::model` gives it).
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    pub settings: &'a Settings,
    pub batches: &'a [Batch],
    /// Per batch, in the same order: its UTC rules or why there are none.
    pub utc: &'a [Result<Vec<Expression>, RewriteError>],
    pub alerts: &'a [Alert],
}

/// Builds the desired rules. Batches without UTC rules are left out (their `check` findings
/// are errors, and deploying refuses to run with errors).
pub fn build(model: &Model<'_>, lookup: Lookup<'_>) -> Desired {
    let settings = model.settings;
    let aws = &settings.aws;
    let mut desired = Desired::default();
    let config_at = aws
        .target
        .location
        .clone()
        .or_else(|| aws.location.clone())
        .unwrap_or_else(|| Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE));
    desired.repository = aws.repository.clone().or_else(|| {
        let r = lookup(env::REPOSITORY).filter(|r| config::is_repository(r))?;
        desired.from_env.push(env::REPOSITORY);
        Some(r)
    });
    let target = if model.batches.is_empty() {
        None
    } else {
        resolve_target(aws, lookup, &config_at, &mut desired)
    };
    // On Scheduler the batches become schedules, not rules: the bus holds only the alerts.
    let scheduler = aws.backend == config::Backend::Scheduler;
    if aws.event_bus != config::DEFAULT_EVENT_BUS && !model.batches.is_empty() && !scheduler {
        desired.findings.push(
            Finding::of(finding::Rule::AwsScheduleBus, aws.location.clone().unwrap_or(config_at.clone()), format!("schedules cannot run on the event bus `{}`: EventBridge runs schedule expressions only on the default event bus", aws.event_bus))
                .help("remove `event_bus` (default: `default`)"),
        );
    }
    for (i, batch) in model.batches.iter().enumerate() {
        let Some(Ok(utc)) = model.utc.get(i) else {
            continue;
        };
        if batch.on_scheduler() {
            // The same name, state, description, target and limits as a rule, in the
            // batch's own zone; then what only a schedule has.
            let mut one = Desired {
                repository: desired.repository.clone(),
                ..Desired::default()
            };
            let zone_native = [batch.cron.clone()];
            schedule_rules(
                batch,
                &zone_native,
                &settings.rule_prefix,
                aws,
                target.as_ref(),
                &mut one,
            );
            desired.findings.extend(one.findings);
            for r in one.rules {
                desired
                    .schedules
                    .push(super::schedules::from_rule(batch, r, aws));
            }
            continue;
        }
        schedule_rules(
            batch,
            utc,
            &settings.rule_prefix,
            aws,
            target.as_ref(),
            &mut desired,
        );
    }
    for a in model.alerts {
        alert_rule(a, &settings.rule_prefix, aws, lookup, &mut desired);
    }
    collisions(&mut desired);
    desired
}

/// Only the findings that need no AWS access or environment: for `check` to report early.
pub fn lint(model: &Model<'_>) -> Vec<Finding> {
    let desired = build(model, &|_| None);
    let mut findings: Vec<Finding> = desired
        .findings
        .into_iter()
        // Both depend on the environment, which `check` does not read.
        .filter(|f| {
            f.rule != finding::Rule::AwsMissingSetting
                && f.rule != finding::Rule::AwsAdoptWithoutRepository
        })
        .collect();
    // The desired rules alone over the quota fail every deploy, whatever else the bus holds;
    // what the bus holds besides is the live plan's to count.
    let aws = &model.settings.aws;
    let count = desired.rules.len();
    if count > aws.rules_quota as usize {
        let at = aws
            .location
            .clone()
            .unwrap_or_else(|| Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE));
        findings.push(
            Finding::of(
                finding::Rule::AwsRulesQuota,
                at,
                format!(
                    "the repository asks for {count} EventBridge rules, more than the event bus `{}` may hold (`aws.rules_quota`: {})",
                    aws.event_bus, aws.rules_quota
                ),
            )
            .help("raise the quota with AWS (and `aws.rules_quota` in the settings), or schedule fewer rules"),
        );
    }
    findings
}

fn missing(desired: &mut Desired, at: &Location, what: &str, key: &str, var: &str) {
    desired.findings.push(
        Finding::of(
            finding::Rule::AwsMissingSetting,
            at.clone(),
            format!("no {what}: deploying needs it"),
        )
        .help(format!("{key}, or the environment variable {var}")),
    );
}

fn sourced(
    desired: &mut Desired,
    value: Option<Sourced>,
    at: &Location,
    service: &str,
    resource: &str,
) -> Option<String> {
    let v = value?;
    if let Some(var) = v.env {
        // The value is not repeated: whatever an environment holds stays out of logs.
        if let Err(problem) = config::check_arn(&v.value, service, resource) {
            let problem = problem.replace(&v.value, "the value");
            desired.findings.push(
                Finding::of(
                    finding::Rule::AwsInvalidEnv,
                    at.clone(),
                    format!("{var}: {problem}"),
                )
                .help(config::arn_help(var, service, resource)),
            );
            return None;
        }
        if !desired.from_env.contains(&var) {
            desired.from_env.push(var);
        }
    }
    Some(v.value)
}

fn resolve_target(
    aws: &config::AwsSettings,
    lookup: Lookup<'_>,
    at: &Location,
    desired: &mut Desired,
) -> Option<ResolvedTarget> {
    let t = &aws.target;
    let role = config::from_file_or_env(t.role_arn.as_ref(), env::ROLE_ARN, lookup);
    if role.is_none() {
        missing(
            desired,
            at,
            "role for EventBridge to start the target",
            "set `aws.target.role_arn` in the settings file",
            env::ROLE_ARN,
        );
    }
    let role_arn = sourced(desired, role, at, "iam", "role/");
    let dlq = config::from_file_or_env(t.dead_letter_arn.as_ref(), env::DEAD_LETTER_ARN, lookup);
    let dead_letter_arn = sourced(desired, dlq, at, "sqs", "");
    let (arn, ecs) = match &t.kind {
        TargetKind::StepFunctions { state_machine_arn } => {
            let sm = config::from_file_or_env(
                state_machine_arn.as_ref(),
                env::STATE_MACHINE_ARN,
                lookup,
            );
            if sm.is_none() {
                missing(
                    desired,
                    at,
                    "Step Functions state machine to target",
                    "set `aws.target.state_machine_arn` in the settings file",
                    env::STATE_MACHINE_ARN,
                );
            }
            (sourced(desired, sm, at, "states", "stateMachine:"), None)
        }
        TargetKind::Ecs(e) => {
            let cluster =
                config::from_file_or_env(e.cluster_arn.as_ref(), env::ECS_CLUSTER_ARN, lookup);
            if cluster.is_none() {
                missing(
                    desired,
                    at,
                    "ECS cluster to target",
                    "set `aws.target.cluster_arn` in the settings file",
                    env::ECS_CLUSTER_ARN,
                );
            }
            let task = config::from_file_or_env(
                e.task_definition_arn.as_ref(),
                env::ECS_TASK_DEFINITION_ARN,
                lookup,
            );
            if task.is_none() {
                missing(
                    desired,
                    at,
                    "ECS task definition to run",
                    "set `aws.target.task_definition_arn` in the settings file",
                    env::ECS_TASK_DEFINITION_ARN,
                );
            }
            let cluster = sourced(desired, cluster, at, "ecs", "cluster/");
            let task = sourced(desired, task, at, "ecs", "task-definition/");
            let params = task.map(|task_definition_arn| {
                (
                    ecs_parameters(e, task_definition_arn),
                    e.container_name.clone(),
                )
            });
            (cluster, params)
        }
    };
    let (arn, role_arn) = (arn?, role_arn?);
    if matches!(t.kind, TargetKind::Ecs(_)) && ecs.is_none() {
        return None;
    }
    Some(ResolvedTarget {
        arn,
        role_arn,
        ecs,
        dead_letter_arn,
    })
}

/// One batch's rules: one per UTC expression, each split further if EventBridge's 256
/// characters cannot hold it.
fn schedule_rules(
    batch: &Batch,
    utc: &[Expression],
    prefix: &str,
    aws: &config::AwsSettings,
    target: Option<&ResolvedTarget>,
    desired: &mut Desired,
) {
    let mut expressions = Vec::new();
    for e in utc {
        match e {
            // The rewrite already splits long rules; this only guards what is sent.
            _ if e.to_aws().chars().count() > MAX_EXPRESSION_CHARS => {
                desired.findings.push(
                    Finding::of(
                        finding::Rule::AwsExpressionTooLong,
                        batch.field_location("cron").clone(),
                        format!(
                            "the UTC rule `{}` is longer than EventBridge's {MAX_EXPRESSION_CHARS} characters",
                            e.to_aws()
                        ),
                    )
                    .help("simplify the minutes or hours of the schedule"),
                );
                return;
            }
            _ => expressions.push(e.clone()),
        }
    }
    let count = expressions.len();
    let adopted = !batch.rules.is_empty();
    if adopted && batch.rules.len() != count {
        let listed: Vec<String> = expressions.iter().map(Expression::to_aws).collect();
        desired.findings.push(
            Finding::of(
                finding::Rule::ScheduleInvalidRule,
                batch.field_location("rule").clone(),
                format!(
                    "`rule` names {} rule{} but `{}` {} needs {count} UTC rule{}: {}",
                    batch.rules.len(),
                    if batch.rules.len() == 1 { "" } else { "s" },
                    batch.cron_text,
                    batch.zone.name,
                    if count == 1 { "" } else { "s" },
                    listed.join(", ")
                ),
            )
            .help(format!(
                "name one live rule per UTC rule, in this order, or remove `rule` to deploy `{prefix}{}`",
                batch.name
            )),
        );
        return;
    }
    if adopted && desired.repository.is_none() && batch.rules.iter().any(|r| !r.starts_with(prefix))
    {
        desired.findings.push(
            Finding::of(
                finding::Rule::AwsAdoptWithoutRepository,
                batch.field_location("rule").clone(),
                format!(
                    "batch `{}` takes over rules outside the prefix `{prefix}`, and without a repository tag cronbridge would not find them again to update or delete",
                    batch.name
                ),
            )
            .help("set `aws.repository` in the settings (or GITHUB_REPOSITORY)"),
        );
        return;
    }
    for (i, expr) in expressions.iter().enumerate() {
        let name = if adopted {
            batch.rules[i].clone()
        } else if count == 1 {
            format!("{prefix}{}", batch.name)
        } else {
            format!("{prefix}{}-{}", batch.name, i + 1)
        };
        if let Err(message) = valid_name(&name) {
            desired.findings.push(
                Finding::of(
                    finding::Rule::AwsInvalidRuleName,
                    batch.location.clone(),
                    message,
                )
                .help("shorten the batch name or `rule_prefix`"),
            );
            continue;
        }
        let local = format!("{} {}", batch.cron.to_aws(), batch.zone.name);
        let part = if count > 1 {
            format!(" (rule {} of {count})", i + 1)
        } else {
            String::new()
        };
        // An adopted rule keeps the description it had, which the import wrote as the
        // batch's: taking it over changes nothing but the tags.
        let description = if adopted {
            batch
                .description
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.chars().take(MAX_DESCRIPTION_CHARS).collect())
        } else {
            Some(describe(
                &format!("{local}{part}"),
                batch.description.as_deref(),
            ))
        };
        let input = target.map(|t| input_for(batch, &name, aws, t));
        if let Some(input) = &input {
            let len = input.chars().count();
            if len > MAX_INPUT_CHARS {
                desired.findings.push(
                    Finding::of(finding::Rule::AwsInputTooLong, batch.location.clone(), format!("the target input of `{name}` is {len} characters; EventBridge allows {MAX_INPUT_CHARS}"))
                        .help("shorten the `input` template in the settings"),
                );
                continue;
            }
        }
        let mut tags = base_tags("schedule", &batch.file, desired.repository.as_deref());
        tags.insert(BATCH_TAG.to_string(), batch.name.clone());
        tags.insert(CLASS_TAG.to_string(), batch.batch_class.clone());
        check_tags(&tags, &batch.location, desired);
        let targets = target
            .map(|t| {
                vec![Target {
                    id: TARGET_ID.to_string(),
                    arn: t.arn.clone(),
                    role_arn: Some(t.role_arn.clone()),
                    input,
                    maximum_retry_attempts: aws
                        .target
                        .retry_policy
                        .and_then(|r| r.maximum_retry_attempts),
                    maximum_event_age_seconds: aws
                        .target
                        .retry_policy
                        .and_then(|r| r.maximum_event_age_seconds),
                    dead_letter_arn: t.dead_letter_arn.clone(),
                    ecs: t.ecs.as_ref().map(|(e, _)| e.clone()),
                }]
            })
            .unwrap_or_default();
        desired.rules.push(DesiredRule {
            rule: Rule {
                name,
                schedule_expression: Some(expr.to_aws()),
                event_pattern: None,
                state: if batch.is_active {
                    "ENABLED"
                } else {
                    "DISABLED"
                }
                .to_string(),
                description,
                tags,
                targets,
            },
            origin: Origin::Schedule(batch.name.clone()),
            location: batch.location.clone(),
            adopted,
        });
    }
}

/// The target `Input`: the template with the batch's values; for ECS, the container command
/// wrapped in the task overrides EventBridge passes to RunTask.
fn input_for(
    batch: &Batch,
    rule: &str,
    aws: &config::AwsSettings,
    target: &ResolvedTarget,
) -> String {
    let rendered = render_input(&aws.target.input, batch, rule);
    let value = match &target.ecs {
        Some((_, container)) => ContainerCommand::new(container, &rendered).to_input(),
        None => rendered,
    };
    value.to_string()
}

/// The `EcsParameters` of an ECS target: one task, with the settings' launch type, platform
/// version and network. A manual run sends the same values to RunTask.
pub fn ecs_parameters(e: &config::EcsSettings, task_definition_arn: String) -> EcsTarget {
    let network = e.network.as_ref();
    EcsTarget {
        task_definition_arn,
        task_count: 1,
        launch_type: Some(e.launch_type.as_aws().to_string()),
        platform_version: e.platform_version.clone(),
        subnets: network.map(|n| n.subnets.clone()).unwrap_or_default(),
        security_groups: network
            .map(|n| n.security_groups.clone())
            .unwrap_or_default(),
        assign_public_ip: network.map(|n| n.assign_public_ip),
    }
}

/// The `input` template with a batch's values: the scheduled rule's and a manual run's input
/// come from here, so the two cannot drift apart.
pub fn render_input(template: &serde_json::Value, batch: &Batch, rule: &str) -> serde_json::Value {
    let vars = [
        ("batch", batch.name.as_str()),
        ("batch_class", batch.batch_class.as_str()),
        ("rule", rule),
    ];
    template::render(template, &vars)
}

/// The container command override of an ECS target: what the rule's `Input` carries, and what
/// a manual run passes to RunTask itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCommand {
    pub container: String,
    pub command: Vec<String>,
    /// Environment overrides: none for a scheduled rule; a manual run says who asked.
    pub environment: Vec<(String, String)>,
}

impl ContainerCommand {
    /// From the rendered template; the settings check that an ECS `input` is a list of
    /// strings, so nothing is dropped here.
    pub fn new(container: &str, rendered: &serde_json::Value) -> ContainerCommand {
        let command = rendered
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        ContainerCommand {
            container: container.to_string(),
            command,
            environment: Vec::new(),
        }
    }

    /// The rule's `Input`: the task overrides EventBridge passes to RunTask.
    pub fn to_input(&self) -> serde_json::Value {
        serde_json::json!({"containerOverrides": [{"name": self.container, "command": self.command}]})
    }
}

fn base_tags(kind: &str, file: &str, repository: Option<&str>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::from([
        (MANAGED_TAG.to_string(), MANAGED_VALUE.to_string()),
        (KIND_TAG.to_string(), kind.to_string()),
        (SOURCE_TAG.to_string(), file.to_string()),
    ]);
    if let Some(r) = repository {
        tags.insert(REPOSITORY_TAG.to_string(), r.to_string());
    }
    tags
}

/// AWS tag values: 256 characters of letters, digits, spaces and `_.:/=+-@`.
fn check_tags(tags: &BTreeMap<String, String>, at: &Location, desired: &mut Desired) {
    for (k, v) in tags {
        let ok = v.chars().count() <= MAX_TAG_VALUE_CHARS
            && v.chars()
                .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c));
        if !ok {
            desired.findings.push(
                Finding::of(finding::Rule::AwsInvalidTag, at.clone(), format!("the tag `{k}` would be `{v}`, which AWS does not accept as a tag value"))
                    .help("tag values have at most 256 letters, digits, spaces and `_.:/=+-@`; rename the file or batch"),
            );
        }
    }
}

/// `<local schedule>: <description>`, cut to EventBridge's 512 characters.
pub(crate) fn describe(local: &str, description: Option<&str>) -> String {
    let text = match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{local}: {d}"),
        None => local.to_string(),
    };
    if text.chars().count() <= MAX_DESCRIPTION_CHARS {
        text
    } else {
        let mut cut: String = text.chars().take(MAX_DESCRIPTION_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

fn valid_name(name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if len > MAX_NAME_CHARS {
        return Err(format!(
            "the rule name `{name}` is {len} characters; EventBridge allows {MAX_NAME_CHARS}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !crate::settings::is_rule_name_char(*c))
    {
        return Err(format!(
            "the rule name `{name}` has {c:?}; EventBridge allows letters, digits, `.`, `-` and `_`"
        ));
    }
    Ok(())
}

fn alert_rule(
    a: &crate::policy::Alert,
    prefix: &str,
    aws: &config::AwsSettings,
    lookup: Lookup<'_>,
    desired: &mut Desired,
) {
    let at = a.location.clone();
    let name = format!("{prefix}{}", a.name);
    if let Err(message) = valid_name(&name) {
        desired.findings.push(
            Finding::of(finding::Rule::AwsInvalidRuleName, at, message)
                .help("shorten the alert name or `rule_prefix`"),
        );
        return;
    }
    let ecs = match &aws.target.kind {
        TargetKind::Ecs(e) => Some(e),
        TargetKind::StepFunctions { .. } => None,
    };
    let used: Vec<String> = template::strings(&a.pattern)
        .into_iter()
        .flat_map(template::placeholders)
        .map(|p| p.name)
        .collect();
    let mut task = TaskValues {
        cluster_arn: String::new(),
        task_definition: String::new(),
    };
    if used.iter().any(|p| p == "cluster_arn") {
        let v = config::from_file_or_env(
            a.cluster_arn
                .as_ref()
                .or(ecs.and_then(|e| e.cluster_arn.as_ref())),
            env::ECS_CLUSTER_ARN,
            lookup,
        );
        if v.is_none() {
            missing(
                desired,
                &a.pattern_location,
                "cluster for the alert's `<cluster_arn>`",
                "set `cluster_arn` on the alert or `aws.target.cluster_arn` in the settings file",
                env::ECS_CLUSTER_ARN,
            );
        }
        task.cluster_arn =
            sourced(desired, v, &a.pattern_location, "ecs", "cluster/").unwrap_or_default();
    }
    if used
        .iter()
        .any(|p| p == "task_definition" || p == "task_family")
    {
        let v = config::from_file_or_env(
            a.task_definition_arn
                .as_ref()
                .or(ecs.and_then(|e| e.task_definition_arn.as_ref())),
            env::ECS_TASK_DEFINITION_ARN,
            lookup,
        );
        if v.is_none() {
            missing(
                desired,
                &a.pattern_location,
                "task definition for the alert's `<task_definition>`",
                "set `task_definition_arn` on the alert or `aws.target.task_definition_arn` in the settings file",
                env::ECS_TASK_DEFINITION_ARN,
            );
        }
        task.task_definition = sourced(desired, v, &a.pattern_location, "ecs", "task-definition/")
            .map(|t| alert::without_revision(&t).to_string())
            .unwrap_or_default();
    }
    let pattern = template::render(&a.pattern, &task.vars()).to_string();
    let len = pattern.chars().count();
    if len > alert::MAX_PATTERN_CHARS {
        desired.findings.push(
            Finding::of(
                finding::Rule::AwsPatternTooLong,
                a.pattern_location.clone(),
                format!(
                    "the event pattern of `{name}` is {len} characters; EventBridge allows {}",
                    alert::MAX_PATTERN_CHARS
                ),
            )
            .help("match fewer values"),
        );
        return;
    }
    let topic = config::from_file_or_env(a.topic_arn.as_ref(), env::ALERT_TOPIC_ARN, lookup);
    if topic.is_none() {
        missing(
            desired,
            &at,
            &format!("SNS topic for alert `{}`", a.name),
            "set `topic_arn` on the alert",
            env::ALERT_TOPIC_ARN,
        );
    }
    let topic = sourced(desired, topic, &at, "sns", "");
    let mut tags = base_tags("alert", &a.location.file, desired.repository.as_deref());
    tags.insert(ALERT_TAG.to_string(), a.name.clone());
    check_tags(&tags, &at, desired);
    let description = describe(&format!("alert {}", a.name), a.description.as_deref());
    desired.rules.push(DesiredRule {
        rule: Rule {
            name,
            schedule_expression: None,
            event_pattern: Some(pattern),
            state: if a.enabled { "ENABLED" } else { "DISABLED" }.to_string(),
            description: Some(description),
            tags,
            targets: topic
                .map(|arn| {
                    vec![Target {
                        id: TARGET_ID.to_string(),
                        arn,
                        role_arn: None,
                        input: None,
                        maximum_retry_attempts: None,
                        maximum_event_age_seconds: None,
                        dead_letter_arn: None,
                        ecs: None,
                    }]
                })
                .unwrap_or_default(),
        },
        origin: Origin::Alert(a.name.clone()),
        location: at,
        adopted: false,
    });
}

/// Two sources that would write the same rule (`Foo` split into `Foo-1`, and a batch named
/// `Foo-1`) are an error: one would silently overwrite the other.
fn collisions(desired: &mut Desired) {
    let mut seen: HashMap<&str, &DesiredRule> = HashMap::new();
    let mut findings = Vec::new();
    for r in &desired.rules {
        if let Some(first) = seen.get(r.rule.name.as_str()) {
            // The same batch name twice is a duplicate batch, which the schedule loader
            // already reports where it happens.
            if r.origin == first.origin {
                continue;
            }
            let what = |o: &Origin| match o {
                Origin::Schedule(n) => format!("batch `{n}`"),
                Origin::Alert(n) => format!("alert `{n}`"),
            };
            findings.push(
                Finding::of(finding::Rule::AwsRuleNameCollision, r.location.clone(), format!("{} and {} would both be the EventBridge rule `{}`", what(&r.origin), what(&first.origin), r.rule.name))
                    .related(first.location.clone(), format!("{} is defined here", what(&first.origin)))
                    .help("rename one: a schedule that needs several UTC rules gets `-1`, `-2`… after its name"),
            );
        } else {
            seen.insert(&r.rule.name, r);
        }
    }
    desired.findings.extend(findings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Analysis, Inputs, Options, analyse};
    use crate::settings::Settings;

    const ROLE: &str = "arn:aws:iam::123456789012:role/events";
    const SM: &str = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";

    fn analysis(schedules: &str, settings_text: &str, rules: &str) -> Analysis {
        let (settings, mut findings) = crate::settings::load("cronbridge.yml", settings_text);
        let (batches, f) = crate::schedule::load("schedules/a.yml", schedules, &settings);
        findings.extend(f);
        let mut policies = crate::policy::Policies::default();
        if !rules.is_empty() {
            let (p, f) = crate::policy::load::load("rules/alerts.yml", rules, &settings);
            (policies, findings) = (p, findings.into_iter().chain(f).collect());
        }
        let inputs = Inputs {
            settings,
            batches,
            policies,
            findings,
            ..Default::default()
        };
        let now = "2026-11-29T00:00:00Z".parse().unwrap();
        analyse(
            inputs,
            &Options {
                now,
                horizon_days: 30,
            },
        )
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    const BATCHES: &str = "Backup:\n  cron: \"0 9 * * ? *\"\n  description: バックアップ\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\nReport:\n  cron: \"0 8-10 ? * MON-FRI *\"\n  batch_class: \"Batches::Daily::Report\"\n  is_active: false\n";

    #[test]
    fn schedules_become_rules() {
        let a = analysis(BATCHES, "", "");
        let d = build(
            &a.model(),
            &env(&[(env::ROLE_ARN, ROLE), (env::STATE_MACHINE_ARN, SM)]),
        );
        assert!(d.findings.is_empty(), "{:?}", d.findings);
        assert_eq!(d.from_env, vec![env::ROLE_ARN, env::STATE_MACHINE_ARN]);
        let names: Vec<_> = d.rules.iter().map(|r| r.rule.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "cronbridge-Backup",
                "cronbridge-Report-1",
                "cronbridge-Report-2"
            ]
        );
        let backup = &d.rules[0].rule;
        assert_eq!(
            backup.schedule_expression.as_deref(),
            Some("cron(0 0 * * ? *)")
        );
        assert_eq!(backup.state, "ENABLED");
        assert_eq!(
            backup.description.as_deref(),
            Some("cron(0 9 * * ? *) Asia/Tokyo: バックアップ")
        );
        assert_eq!(backup.tags[BATCH_TAG], "Backup");
        assert_eq!(backup.tags[SOURCE_TAG], "schedules/a.yml");
        assert_eq!(backup.tags[MANAGED_TAG], "true");
        let t = &backup.targets[0];
        assert_eq!((t.arn.as_str(), t.role_arn.as_deref()), (SM, Some(ROLE)));
        assert_eq!(
            t.input.as_deref(),
            Some(r#"{"batch":"Backup","batch_class":"Batches::Daily::Backup"}"#)
        );
        let report = &d.rules[1].rule;
        assert_eq!(report.state, "DISABLED");
        assert!(
            report
                .description
                .as_deref()
                .unwrap()
                .ends_with("Asia/Tokyo (rule 1 of 2)")
        );
    }

    #[test]
    fn ecs_target_wraps_the_command() {
        let settings = "aws:\n  target:\n    role_arn: arn:aws:iam::123456789012:role/events\n    cluster_arn: arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch\n    task_definition_arn: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:3\n    container_name: app\n    launch_type: EC2\n    input: [bundle, exec, rails, runner, \"<batch_class>.run\"]\n";
        let a = analysis(BATCHES, settings, "");
        assert_eq!(
            a.count(crate::finding::Severity::Error),
            0,
            "{:?}",
            a.findings
        );
        let d = build(&a.model(), &|_| None);
        assert!(d.findings.is_empty(), "{:?}", d.findings);
        let t = &d.rules[0].rule.targets[0];
        assert_eq!(
            t.arn,
            "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch"
        );
        assert_eq!(
            t.input.as_deref(),
            Some(
                r#"{"containerOverrides":[{"command":["bundle","exec","rails","runner","Batches::Daily::Backup.run"],"name":"app"}]}"#
            )
        );
        assert_eq!(t.ecs.as_ref().unwrap().launch_type.as_deref(), Some("EC2"));
    }

    #[test]
    fn missing_and_bad_environment_values_are_errors_without_the_value() {
        let a = analysis(BATCHES, "", "");
        let d = build(&a.model(), &env(&[(env::ROLE_ARN, "secret-looking-value")]));
        let messages: Vec<_> = d.findings.iter().map(|f| f.message.clone()).collect();
        assert_eq!(d.findings.len(), 2, "{messages:?}");
        assert!(messages.iter().all(|m| !m.contains("secret-looking-value")));
        assert!(
            d.findings
                .iter()
                .any(|f| f.rule == finding::Rule::AwsInvalidEnv)
        );
        assert!(
            d.findings
                .iter()
                .any(|f| f.rule == finding::Rule::AwsMissingSetting
                    && f.help.as_deref().unwrap().contains(env::STATE_MACHINE_ARN))
        );
        assert!(lint(&a.model()).is_empty());
    }

    #[test]
    fn colliding_rule_names_are_an_error() {
        // Regression: `Foo` split into `Foo-1`/`Foo-2` and a batch named `Foo-1` wrote one rule.
        let text = "Foo:\n  cron: \"0 8-10 ? * MON-FRI *\"\n  batch_class: \"A\"\n  is_active: true\nFoo-1:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"B\"\n  is_active: true\n";
        let a = analysis(text, "", "");
        let f = lint(&a.model());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, finding::Rule::AwsRuleNameCollision);
        assert_eq!(f[0].location.line, 5);
        assert_eq!(f[0].related[0].0.line, 1);
    }

    #[test]
    fn adopted_rules_keep_their_names_and_descriptions_and_must_match_the_split() {
        let text = "Backup:\n  cron: \"0 9 * * ? *\"\n  description: バックアップ\n  batch_class: \"A\"\n  is_active: true\n  rule: Backup\nReport:\n  cron: \"0 8-10 ? * MON-FRI *\"\n  batch_class: \"B\"\n  is_active: true\n  rule: Report\n";
        let a = analysis(text, "aws:\n  repository: acme/batches\n", "");
        let f = lint(&a.model());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].rule, f[0].location.line),
            (finding::Rule::ScheduleInvalidRule, 11)
        );
        assert!(
            f[0].message.contains("needs 2 UTC rules"),
            "{}",
            f[0].message
        );
        let d = build(
            &a.model(),
            &env(&[(env::ROLE_ARN, ROLE), (env::STATE_MACHINE_ARN, SM)]),
        );
        let backup = &d.rules[0];
        assert!(backup.adopted);
        assert_eq!(backup.rule.name, "Backup");
        assert_eq!(backup.rule.description.as_deref(), Some("バックアップ"));
        // Outside the prefix and with no repository tag, the rule would be lost track of.
        let a = analysis(text, "", "");
        let d = build(
            &a.model(),
            &env(&[(env::ROLE_ARN, ROLE), (env::STATE_MACHINE_ARN, SM)]),
        );
        assert!(
            d.findings
                .iter()
                .any(|f| f.rule == finding::Rule::AwsAdoptWithoutRepository)
        );
        assert!(
            lint(&a.model())
                .iter()
                .all(|f| f.rule != finding::Rule::AwsAdoptWithoutRepository)
        );
        // Two batches cannot take over one rule.
        let twice = format!(
            "{text}Other:\n  cron: \"0 1 * * ? *\"\n  batch_class: \"C\"\n  is_active: true\n  rule: Backup\n"
        );
        let a = analysis(&twice, "aws:\n  repository: acme/batches\n", "");
        assert!(
            lint(&a.model())
                .iter()
                .any(|f| f.rule == finding::Rule::AwsRuleNameCollision)
        );
    }

    #[test]
    fn long_descriptions_are_cut_to_the_limit() {
        let d = describe("cron(0 9 * * ? *) Asia/Tokyo", Some(&"あ".repeat(600)));
        assert_eq!(d.chars().count(), MAX_DESCRIPTION_CHARS);
        assert!(d.starts_with("cron(0 9 * * ? *) Asia/Tokyo: "));
        assert!(d.ends_with('…'));
    }

    #[test]
    fn alerts_fill_placeholders_and_need_a_topic() {
        let rules = "alerts:\n  - name: task-failed\n    cluster_arn: arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch\n    pattern:\n      source: [aws.ecs]\n      detail-type: [ECS Task State Change]\n      detail:\n        clusterArn: [\"<cluster_arn>\"]\n        taskDefinitionArn: [{prefix: \"<task_definition>:\"}]\n        lastStatus: [STOPPED]\n        containers:\n          exitCode: [{anything-but: 0}, {exists: false}]\n";
        let a = analysis(BATCHES, "", rules);
        assert_eq!(
            a.count(crate::finding::Severity::Error),
            0,
            "{:?}",
            a.findings
        );
        let d = build(
            &a.model(),
            &env(&[
                (env::ROLE_ARN, ROLE),
                (env::STATE_MACHINE_ARN, SM),
                (
                    env::ECS_TASK_DEFINITION_ARN,
                    "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:7",
                ),
                (
                    env::ALERT_TOPIC_ARN,
                    "arn:aws:sns:ap-northeast-1:123456789012:alerts",
                ),
            ]),
        );
        assert!(d.findings.is_empty(), "{:?}", d.findings);
        let alert = &d.rules.last().unwrap().rule;
        assert_eq!(alert.name, "cronbridge-task-failed");
        let pattern: serde_json::Value =
            serde_json::from_str(alert.event_pattern.as_deref().unwrap()).unwrap();
        assert_eq!(
            pattern["detail"]["clusterArn"][0],
            "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch"
        );
        assert_eq!(
            pattern["detail"]["taskDefinitionArn"][0]["prefix"],
            "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:"
        );
        assert_eq!(
            alert.targets[0].arn,
            "arn:aws:sns:ap-northeast-1:123456789012:alerts"
        );
        assert_eq!(alert.tags[KIND_TAG], "alert");
        let d = build(
            &a.model(),
            &env(&[(env::ROLE_ARN, ROLE), (env::STATE_MACHINE_ARN, SM)]),
        );
        assert_eq!(d.findings.len(), 2, "{:?}", d.findings);
    }

    #[test]
    fn more_rules_than_the_quota_is_certain_offline() {
        // Regression: 400 batches against a quota of 300 passed the pull request, failed the deploy.
        let text: String = (0..400)
            .map(|i| format!("B{i}:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n  description: d\n"))
            .collect();
        let a = analysis(&text, "aws:\n  rules_quota: 300\n", "");
        let quota: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.rule == finding::Rule::AwsRulesQuota)
            .collect();
        assert_eq!(quota.len(), 1, "{:?}", a.findings);
        assert!(
            quota[0].message.contains("400 EventBridge rules"),
            "{}",
            quota[0].message
        );
        assert_eq!(quota[0].location.line, 1);
        let a = analysis(&text, "aws:\n  rules_quota: 400\n", "");
        assert!(
            a.findings
                .iter()
                .all(|f| f.rule != finding::Rule::AwsRulesQuota)
        );
    }

    #[test]
    fn schedules_only_on_the_default_bus() {
        let a = analysis(BATCHES, "aws:\n  event_bus: custom\n", "");
        assert!(
            lint(&a.model())
                .iter()
                .any(|f| f.rule == finding::Rule::AwsScheduleBus)
        );
        let _ = Settings::default();
    }
}
