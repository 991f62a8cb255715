//! `cronbridge import`: the rules already live in EventBridge back into schedule YAML in local
//! time, proven by the one cron engine, and the target settings that make the next `apply`
//! take them over in place (only cronbridge's tags added). Pure: live rules in, YAML text,
//! the settings to set and the rules left out (with why) out.
//!
//! How a batch is recognised (the decisions, in the README too):
//! - the rules that start the same batch are one batch: the same target ARN (and task
//!   definition) and the same batch in the input: its `batch` (else its `batch_class`) for a
//!   Step Functions input, the class path in the container command for an ECS target;
//! - the name is the input's `batch` when it is a valid batch name, else the rule's name
//!   (split rules `X-1`, `X-2`: `X`); `batch_class` is the input's `batch_class` (or the class
//!   in the command, without what follows it); the description is the rule's;
//! - the schedule is converted to the zone by [`crate::cron::to_local`], and kept in UTC
//!   (`timezone: UTC`, with the reason in a comment) when no local expression is exact;
//! - one target for the repository: the settings' target when a batch has it, else the one
//!   most batches share; the input template is the live input with the batch's values
//!   replaced by `<batch>`, `<batch_class>` and `<rule>`, kept only when rendering it gives
//!   every rule's input back exactly. Batches with another target or input are left out.

use crate::cron::{self, Expression, rewrite};
use crate::deploy::desired::{ContainerCommand, EcsTarget, MANAGED_TAG, Target};
use crate::deploy::plan::LiveRule;
use crate::settings::Settings;
use crate::settings::Zone;
use crate::settings::aws::TargetKind;
use crate::settings::template;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub mod scheduler;

/// Which live rules to import.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Rule names starting with this.
    pub prefix: Option<String>,
    /// Rule names matching this glob (`*` any text, `?` one character).
    pub pattern: Option<String>,
    /// Rules whose target is this ARN (a state machine or an ECS cluster).
    pub target_arn: Option<String>,
}

impl Filter {
    /// Whether the filter lets a rule through by its name.
    pub fn name_matches(&self, name: &str) -> bool {
        self.prefix.as_deref().is_none_or(|p| name.starts_with(p))
            && self.pattern.as_deref().is_none_or(|p| glob(p, name))
    }
}

/// What an import is made from, besides the rules.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub settings: &'a Settings,
    /// The zone the schedules are written in (`--timezone`, default the settings').
    pub zone: Zone,
    pub now: Timestamp,
    pub filter: Filter,
    /// The bus the rules were read from, for the file's header.
    pub bus: String,
}

/// One batch of the written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedBatch {
    pub name: String,
    pub cron: String,
    /// `Some` when the batch names its zone (`UTC` when no local expression is exact).
    pub timezone: Option<String>,
    pub description: Option<String>,
    pub batch_class: String,
    pub is_active: bool,
    /// The live rules it takes over, in the order of its UTC rules.
    pub rules: Vec<String>,
    /// Why the schedule stayed in UTC, or what the next plan changes besides tags.
    pub note: Option<String>,
    /// Scheduler only: the keys a schedule adds (`rules` then names the one schedule).
    pub scheduler: Option<scheduler::ScheduleKeys>,
}

/// A live rule that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rule: String,
    pub reason: String,
}

/// The target the imported batches share, as settings.
#[derive(Debug, Clone, PartialEq)]
pub struct InferredTarget {
    pub role_arn: Option<String>,
    pub kind: InferredKind,
    pub input: Value,
    pub retry: (Option<u32>, Option<u32>),
    pub dead_letter_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InferredKind {
    StepFunctions {
        state_machine_arn: String,
    },
    Ecs {
        cluster_arn: String,
        container: String,
        ecs: EcsTarget,
    },
}

/// The result: the YAML to write and what to tell the user.
#[derive(Debug, Clone)]
pub struct Import {
    pub batches: Vec<ImportedBatch>,
    pub skipped: Vec<Skipped>,
    pub target: Option<InferredTarget>,
    /// Settings that differ from the live target: `aws.target.x: live value (settings: …)`.
    pub settings_to_set: Vec<String>,
    pub yaml: String,
    /// Where the batches were read.
    pub source: Source,
    /// Scheduler only: how the team hands its group to cronbridge, when it is not yet.
    pub adoption: Option<scheduler::Adoption>,
}

/// What an import read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The rules of this event bus.
    Bus(String),
    /// The schedules of this EventBridge Scheduler group.
    Group(String),
}

/// A live rule's batch, read from its target.
#[derive(Debug, Clone)]
struct Identified<'a> {
    /// The rule's (or schedule's) name, state and description.
    name: &'a str,
    state: &'a str,
    description: Option<&'a str>,
    /// A rule's UTC expression (schedules keep theirs as they are and have none here).
    expression: Option<Expression>,
    target: &'a Target,
    input: Value,
    batch: Option<String>,
    batch_class: String,
    /// The ECS container the command override is for.
    container: Option<String>,
}

/// Imports `rules` (as the AWS reader gives them, targets included).
pub fn import(rules: &[LiveRule], options: &Options<'_>) -> Import {
    let mut skipped = Vec::new();
    let mut sorted: Vec<&LiveRule> = rules
        .iter()
        .filter(|r| options.filter.name_matches(&r.rule.name))
        .collect();
    sorted.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    let mut groups: BTreeMap<(String, String, String), Vec<Identified<'_>>> = BTreeMap::new();
    for live in sorted {
        match identify(live, &options.filter) {
            Ok(None) => {}
            Ok(Some(id)) => {
                let key = (
                    id.target.arn.clone(),
                    id.target
                        .ecs
                        .as_ref()
                        .map(|e| e.task_definition_arn.clone())
                        .unwrap_or_default(),
                    id.batch.clone().unwrap_or_else(|| id.batch_class.clone()),
                );
                groups.entry(key).or_default().push(id);
            }
            Err(reason) => skipped.push(Skipped {
                rule: live.rule.name.clone(),
                reason,
            }),
        }
    }
    let mut candidates = Vec::new();
    for group in groups.into_values() {
        let names = || group.iter().map(|g| g.name.to_string()).collect::<Vec<_>>();
        match batch_of(&group, options) {
            Ok(c) => candidates.push(c),
            Err(reason) => skipped.extend(names().into_iter().map(|rule| Skipped {
                rule,
                reason: reason.clone(),
            })),
        }
    }
    let (mut batches, target) = select(candidates, options.settings, &mut skipped);
    batches.sort_by(|a, b| a.name.cmp(&b.name));
    skipped.sort_by(|a, b| a.rule.cmp(&b.rule));
    let mut settings_to_set: Vec<String> = target
        .as_ref()
        .map(|t| differences(t, options.settings))
        .unwrap_or_default();
    let prefix = &options.settings.rule_prefix;
    if options.settings.aws.repository.is_none()
        && batches
            .iter()
            .flat_map(|b| &b.rules)
            .any(|r| !r.starts_with(prefix.as_str()))
    {
        // The pure core cannot see GITHUB_REPOSITORY; the deploy can, and refuses without it.
        settings_to_set.push(format!(
            "aws.repository: owner/name, or GITHUB_REPOSITORY where cronbridge applies (rules outside the prefix `{prefix}` are found again by the repository tag)"
        ));
    }
    let yaml = render_yaml(
        &batches,
        options,
        &format!("the EventBridge bus {}", comment(&options.bus)),
    );
    Import {
        batches,
        skipped,
        target,
        settings_to_set,
        yaml,
        source: Source::Bus(options.bus.clone()),
        adoption: None,
    }
}

/// The batches of the one target the import keeps (the settings' when some batch has it, else
/// the most shared), each name once case aside; the others go to `skipped` with why.
fn select(
    candidates: Vec<Candidate>,
    settings: &Settings,
    skipped: &mut Vec<Skipped>,
) -> (Vec<ImportedBatch>, Option<InferredTarget>) {
    let target = choose_target(&candidates, settings);
    let mut batches: Vec<ImportedBatch> = Vec::new();
    for c in candidates {
        if Some(&c.target) != target.as_ref() {
            let reason = match &target {
                Some(t) => format!(
                    "its target ({}) differs from the one imported ({}); one repository deploys one target: import it on its own with --target-arn",
                    c.target.summary(),
                    t.summary()
                ),
                None => "no target".to_string(),
            };
            skipped.extend(c.batch.rules.iter().map(|rule| Skipped {
                rule: rule.clone(),
                reason: reason.clone(),
            }));
            continue;
        }
        // Names are unique across the file, case aside (`Backup` and `backup` are one batch to
        // people). Renaming one would change the input `<batch>` fills in, so it is left out.
        if let Some(other) = batches
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(&c.batch.name))
        {
            let reason = format!(
                "its batch `{}` is also the batch `{}` of {}; batch names must differ in more than case",
                c.batch.name,
                other.name,
                other.rules.join(", ")
            );
            skipped.extend(c.batch.rules.iter().map(|rule| Skipped {
                rule: rule.clone(),
                reason: reason.clone(),
            }));
            continue;
        }
        batches.push(c.batch);
    }
    (batches, target)
}

/// The rule's batch, `None` when the filter leaves it out, or why it cannot be imported.
fn identify<'a>(live: &'a LiveRule, filter: &Filter) -> Result<Option<Identified<'a>>, String> {
    let rule = &live.rule;
    // `--target-arn` selects rules as the name filters do: the others are not reported.
    if filter
        .target_arn
        .as_deref()
        .is_some_and(|a| rule.targets.iter().all(|t| t.arn != a))
    {
        return Ok(None);
    }
    if live.is_managed() {
        return Err(format!(
            "already managed by cronbridge (`{MANAGED_TAG}` tag)"
        ));
    }
    let Some(text) = rule.schedule_expression.as_deref() else {
        return Err(if rule.event_pattern.is_some() {
            "an event-pattern rule: it reacts to events, it is no schedule".to_string()
        } else {
            "no schedule expression".to_string()
        });
    };
    let expression = cron::parse(text)
        .map_err(|e| format!("its schedule `{text}` is not one cronbridge reads: {e}"))?;
    read_target(
        &rule.name,
        &rule.state,
        rule.description.as_deref(),
        Some(expression),
        &rule.targets,
    )
    .map(Some)
}

/// The batch a rule's or schedule's one target starts, read from its input, or why not.
fn read_target<'a>(
    name: &'a str,
    state: &'a str,
    description: Option<&'a str>,
    expression: Option<Expression>,
    targets: &'a [Target],
) -> Result<Identified<'a>, String> {
    let target = match targets {
        [] => return Err("no target: it starts nothing".to_string()),
        [one] => one,
        many => {
            return Err(format!("{} targets; a batch has one", many.len()));
        }
    };
    let Some(input_text) = target.input.as_deref() else {
        return Err("its target has no input, so nothing names the batch".to_string());
    };
    let input: Value =
        serde_json::from_str(input_text).map_err(|_| "its target input is not JSON".to_string())?;
    let text_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let (batch, class, container) = if target.ecs.is_some() {
        let overrides = input
            .get("containerOverrides")
            .and_then(Value::as_array)
            .filter(|o| o.len() == 1)
            .and_then(|o| o.first());
        let Some(o) = overrides else {
            return Err("its ECS input has no container override with a command".to_string());
        };
        let command: Vec<&str> = o
            .get("command")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let class = command.iter().find_map(|c| class_in(c));
        let Some(class) = class else {
            return Err(
                "its container command names no batch class (such as `Batches::Daily::Backup`)"
                    .to_string(),
            );
        };
        (None, class, text_of(o, "name"))
    } else if target.arn.contains(":states:") && target.arn.contains(":stateMachine:") {
        if !input.is_object() {
            return Err("its target input is not a JSON object naming the batch".to_string());
        }
        let batch = text_of(&input, "batch");
        let class = text_of(&input, "batch_class").filter(|c| is_class(c));
        match (batch, class) {
            (_, Some(class)) => (text_of(&input, "batch"), class, None),
            (Some(_), None) => {
                return Err("its input names a batch but no valid `batch_class`".to_string());
            }
            (None, None) => {
                return Err("its input names no batch (no `batch` or `batch_class`)".to_string());
            }
        }
    } else {
        return Err(format!(
            "its target `{}` is neither a Step Functions state machine nor an ECS task",
            target.arn
        ));
    };
    Ok(Identified {
        name,
        state,
        description,
        expression,
        target,
        input,
        batch,
        batch_class: class,
        container,
    })
}

/// A batch with the target it needs.
#[derive(Debug, Clone)]
struct Candidate {
    batch: ImportedBatch,
    target: InferredTarget,
}

impl InferredTarget {
    fn summary(&self) -> String {
        let arn = match &self.kind {
            InferredKind::StepFunctions { state_machine_arn } => state_machine_arn.clone(),
            InferredKind::Ecs {
                cluster_arn, ecs, ..
            } => format!("{cluster_arn}, {}", ecs.task_definition_arn),
        };
        format!("{arn}, input {}", self.input)
    }
}

fn batch_of(group: &[Identified<'_>], options: &Options<'_>) -> Result<Candidate, String> {
    let first = &group[0];
    let names: Vec<&str> = group.iter().map(|g| g.name).collect();
    if group.iter().any(|g| g.state != first.state) {
        return Err(format!(
            "the rules of one batch ({}) are not all in the same state",
            names.join(", ")
        ));
    }
    let state = first.state;
    if state != "ENABLED" && state != "DISABLED" {
        return Err(format!("its state is `{state}`"));
    }
    let expressions: Vec<Expression> = group.iter().filter_map(|g| g.expression.clone()).collect();
    let max = options.settings.aws.max_rules_per_schedule as usize;
    let (cron, timezone, note, order) =
        match schedule(&expressions, &options.zone.tz, options.now, max) {
            Ok((e, order, note)) => (e, None, note, order),
            Err(reason) => match schedule(&expressions, &TimeZone::UTC, options.now, max) {
                Ok((e, order, _)) => (
                    e,
                    Some("UTC".to_string()),
                    Some(format!(
                        "kept in UTC: no expression in {} fires at exactly these times: {reason}",
                        options.zone.name
                    )),
                    order,
                ),
                // Why not in the zone is the reason a person can act on.
                Err(_) => return Err(reason),
            },
        };
    let rules: Vec<String> = order.iter().map(|&i| names[i].to_string()).collect();
    // A rule name's `--prefix` is the namespace the rules were found in, not the batch's.
    let unprefixed: Vec<String> = rules
        .iter()
        .map(|r| {
            options
                .filter
                .prefix
                .as_deref()
                .and_then(|p| r.strip_prefix(p))
                .filter(|rest| !rest.is_empty())
                .unwrap_or(r)
                .to_string()
        })
        .collect();
    let name = first
        .batch
        .clone()
        .filter(|b| is_batch_name(b))
        .unwrap_or_else(|| stem(&unprefixed));
    // Verbatim: the adopted rule keeps it, so the plan compares it as it is.
    let description = group
        .iter()
        .find_map(|g| g.description)
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string);
    let target = infer_target(group, &name)?;
    let zone_written = timezone.or_else(|| {
        (options.zone.name != options.settings.zone.name && !matches!(cron, Expression::Rate(_)))
            .then(|| options.zone.name.clone())
    });
    Ok(Candidate {
        batch: ImportedBatch {
            name,
            cron: body(&cron),
            timezone: zone_written,
            description,
            batch_class: first.batch_class.clone(),
            is_active: state == "ENABLED",
            rules,
            note,
            scheduler: None,
        },
        target,
    })
}

/// The one expression in `zone` for the rules, and the rules' order as its UTC rewrite
/// gives them (so that `rule:` names them in the order the desired state uses), or why not.
fn schedule(
    rules: &[Expression],
    zone: &TimeZone,
    now: Timestamp,
    max: usize,
) -> Result<(Expression, Vec<usize>, Option<String>), String> {
    let local = cron::to_local::to_local(rules, zone, now)?;
    let utc = rewrite::to_utc_with_max_rules(&local, zone, now, max)
        .map_err(|e| format!("`{}` cannot be deployed: {e}", body(&local)))?;
    if utc.len() != rules.len() {
        return Err(format!(
            "`{}` is {} UTC rule{} where {} are live, so the rules cannot be taken over one for one",
            body(&local),
            utc.len(),
            if utc.len() == 1 { "" } else { "s" },
            rules.len()
        ));
    }
    // Each UTC rule of the rewrite takes the live rule written the same way; one written
    // otherwise (same instants, other text) takes what is left, and the plan shows it.
    let mut order: Vec<Option<usize>> = utc
        .iter()
        .map(|u| (0..rules.len()).find(|i| rules[*i].to_aws() == u.to_aws()))
        .collect();
    let taken: Vec<usize> = order.iter().flatten().copied().collect();
    let mut rest = (0..rules.len()).filter(|i| !taken.contains(i));
    let mut rewritten = Vec::new();
    for (slot, u) in order.iter_mut().zip(&utc) {
        if slot.is_none() {
            *slot = rest.next();
            if let Some(i) = *slot {
                rewritten.push(format!("`{}` as `{}`", rules[i].to_aws(), u.to_aws()));
            }
        }
    }
    let order: Vec<usize> = order.into_iter().flatten().collect();
    let note = (!rewritten.is_empty()).then(|| {
        format!(
            "the first apply rewrites {} (the same fire times)",
            rewritten.join(", ")
        )
    });
    Ok((local, order, note))
}

/// The target settings a group needs, or why its inputs have no one template.
fn infer_target(group: &[Identified<'_>], name: &str) -> Result<InferredTarget, String> {
    let first = &group[0];
    let t = first.target;
    let vars = |g: &Identified<'_>| {
        vec![
            ("batch".to_string(), name.to_string()),
            ("batch_class".to_string(), g.batch_class.clone()),
            ("rule".to_string(), g.name.to_string()),
        ]
    };
    let template_of = |g: &Identified<'_>| -> Value {
        let v = vars(g);
        match &g.container {
            Some(_) => {
                let command = g.input["containerOverrides"][0]["command"].clone();
                abstract_value(&command, &v)
            }
            None => abstract_value(&g.input, &v),
        }
    };
    // Text that reads as a placeholder cannot be written in a template as itself.
    for g in group {
        let strings = template::strings(&g.input);
        if let Some(p) = strings
            .iter()
            .flat_map(|t| template::placeholders(t))
            .next()
        {
            return Err(format!(
                "its input holds `<{}>`, which an input template would read as a placeholder",
                p.name
            ));
        }
    }
    let input = template_of(first);
    for g in group {
        if g.target.arn != t.arn
            || g.target.role_arn != t.role_arn
            || g.target.ecs != t.ecs
            || g.target.dead_letter_arn != t.dead_letter_arn
            || (
                g.target.maximum_retry_attempts,
                g.target.maximum_event_age_seconds,
            ) != (t.maximum_retry_attempts, t.maximum_event_age_seconds)
        {
            return Err(format!(
                "the rules of batch `{name}` have different targets"
            ));
        }
        let v = vars(g);
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let rendered = template::render(&input, &pairs);
        let back = match &g.container {
            Some(container) => ContainerCommand::new(container, &rendered).to_input(),
            None => rendered,
        };
        if back != g.input {
            return Err(format!(
                "its input `{}` cannot be written as an input template of the batch's name and class",
                g.input
            ));
        }
    }
    let kind = match (&t.ecs, &first.container) {
        (Some(ecs), Some(container)) => InferredKind::Ecs {
            cluster_arn: t.arn.clone(),
            container: container.clone(),
            ecs: ecs.clone(),
        },
        (Some(_), None) => {
            return Err("its ECS input names no container".to_string());
        }
        (None, _) => InferredKind::StepFunctions {
            state_machine_arn: t.arn.clone(),
        },
    };
    Ok(InferredTarget {
        role_arn: t.role_arn.clone(),
        kind,
        input,
        retry: (t.maximum_retry_attempts, t.maximum_event_age_seconds),
        dead_letter_arn: t.dead_letter_arn.clone(),
    })
}

/// The input with the batch's values as placeholders: whole strings equal to the batch name
/// or the rule name, and the class wherever it appears in a string.
fn abstract_value(value: &Value, vars: &[(String, String)]) -> Value {
    let get = |k: &str| {
        vars.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    match value {
        Value::String(s) if s == get("batch") => Value::String("<batch>".to_string()),
        Value::String(s) if s == get("rule") => Value::String("<rule>".to_string()),
        Value::String(s) => Value::String(s.replace(get("batch_class"), "<batch_class>")),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| abstract_value(i, vars)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), abstract_value(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The settings' target when some batch has it; else the one most batches share (the first
/// by name on a tie).
fn choose_target(candidates: &[Candidate], settings: &Settings) -> Option<InferredTarget> {
    if let Some(c) = candidates
        .iter()
        .find(|c| differences(&c.target, settings).is_empty())
    {
        return Some(c.target.clone());
    }
    let mut best: Option<(&InferredTarget, usize)> = None;
    for c in candidates {
        let n = candidates.iter().filter(|o| o.target == c.target).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((&c.target, n));
        }
    }
    best.map(|(t, _)| t.clone())
}

/// What the settings file must say for the live target, where it does not already.
fn differences(t: &InferredTarget, settings: &Settings) -> Vec<String> {
    let s = &settings.aws.target;
    let mut out = Vec::new();
    let mut want = |key: &str, live: Option<String>, have: Option<String>| {
        if live != have {
            out.push(format!(
                "aws.target.{key}: {} (the settings: {})",
                live.unwrap_or_else(|| "none".to_string()),
                have.unwrap_or_else(|| "none".to_string())
            ));
        }
    };
    want("role_arn", t.role_arn.clone(), s.role_arn.clone());
    match (&t.kind, &s.kind) {
        (
            InferredKind::StepFunctions { state_machine_arn },
            TargetKind::StepFunctions {
                state_machine_arn: have,
            },
        ) => {
            want(
                "state_machine_arn",
                Some(state_machine_arn.clone()),
                have.clone(),
            );
        }
        (
            InferredKind::Ecs {
                cluster_arn,
                container,
                ecs,
            },
            TargetKind::Ecs(have),
        ) => {
            let params = have
                .task_definition_arn
                .clone()
                .map(|td| crate::deploy::desired::ecs_parameters(have, td));
            want(
                "cluster_arn",
                Some(cluster_arn.clone()),
                have.cluster_arn.clone(),
            );
            want(
                "task_definition_arn",
                Some(ecs.task_definition_arn.clone()),
                have.task_definition_arn.clone(),
            );
            want(
                "container_name",
                Some(container.clone()),
                Some(have.container_name.clone()),
            );
            if params.as_ref() != Some(ecs) {
                want(
                    "launch_type, platform_version, network",
                    Some(serde_json::to_string(ecs).unwrap_or_default()),
                    params.map(|p| serde_json::to_string(&p).unwrap_or_default()),
                );
            }
        }
        // Another kind of target: every key of the live one is to set (and the settings'
        // other keys to remove, which the snippet shows).
        (InferredKind::StepFunctions { state_machine_arn }, TargetKind::Ecs(_)) => {
            want("state_machine_arn", Some(state_machine_arn.clone()), None);
        }
        (
            InferredKind::Ecs {
                cluster_arn,
                container,
                ecs,
            },
            TargetKind::StepFunctions { .. },
        ) => {
            want("cluster_arn", Some(cluster_arn.clone()), None);
            want(
                "task_definition_arn",
                Some(ecs.task_definition_arn.clone()),
                None,
            );
            want("container_name", Some(container.clone()), None);
        }
    }
    want(
        "input",
        Some(t.input.to_string()),
        Some(s.input.to_string()),
    );
    let retry = s
        .retry_policy
        .map(|r| (r.maximum_retry_attempts, r.maximum_event_age_seconds))
        .filter(|r| *r != (None, None));
    let live_retry = (t.retry != (None, None)).then_some(t.retry);
    want(
        "retry_policy",
        live_retry.map(retry_yaml),
        retry.map(retry_yaml),
    );
    want(
        "dead_letter_arn",
        t.dead_letter_arn.clone(),
        s.dead_letter_arn.clone(),
    );
    out
}

fn retry_yaml((attempts, age): (Option<u32>, Option<u32>)) -> String {
    let mut parts = Vec::new();
    if let Some(a) = attempts {
        parts.push(format!("maximum_retry_attempts: {a}"));
    }
    match age {
        // The settings take whole minutes, EventBridge seconds.
        Some(s) if s % 60 == 0 => parts.push(format!("maximum_event_age: {}m", s / 60)),
        Some(s) => parts.push(format!(
            "maximum_event_age: {}m  # live: {s} seconds, which the settings cannot say",
            s.div_ceil(60)
        )),
        None => {}
    }
    format!("{{{}}}", parts.join(", "))
}

/// The `aws.target:` section for the live target, to paste into the settings file.
pub fn settings_snippet(t: &InferredTarget) -> String {
    let mut out = String::from("aws:\n  target:\n");
    if let Some(role) = &t.role_arn {
        let _ = writeln!(out, "    role_arn: {}", quote(role));
    }
    match &t.kind {
        InferredKind::StepFunctions { state_machine_arn } => {
            let _ = writeln!(out, "    state_machine_arn: {}", quote(state_machine_arn));
        }
        InferredKind::Ecs {
            cluster_arn,
            container,
            ecs,
        } => {
            let _ = writeln!(out, "    cluster_arn: {}", quote(cluster_arn));
            let _ = writeln!(
                out,
                "    task_definition_arn: {}",
                quote(&ecs.task_definition_arn)
            );
            if let Some(l) = &ecs.launch_type {
                let _ = writeln!(out, "    launch_type: {}", quote(l));
            }
            if let Some(p) = &ecs.platform_version {
                let _ = writeln!(out, "    platform_version: {}", quote(p));
            }
            let _ = writeln!(out, "    container_name: {}", quote(container));
            if !ecs.subnets.is_empty() {
                let list = |v: &[String]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ");
                let _ = writeln!(
                    out,
                    "    network: {{subnets: [{}], security_groups: [{}], assign_public_ip: {}}}",
                    list(&ecs.subnets),
                    list(&ecs.security_groups),
                    ecs.assign_public_ip.unwrap_or(false)
                );
            }
        }
    }
    // JSON text in a YAML string: the settings read it back as the same JSON.
    let _ = writeln!(out, "    input: {}", quote(&t.input.to_string()));
    if t.retry != (None, None) {
        let _ = writeln!(out, "    retry_policy: {}", retry_yaml(t.retry));
    }
    if let Some(d) = &t.dead_letter_arn {
        let _ = writeln!(out, "    dead_letter_arn: {}", quote(d));
    }
    out
}

/// The schedules file: a header, then each batch with a comment naming its rules.
fn render_yaml(batches: &[ImportedBatch], options: &Options<'_>, from: &str) -> String {
    let mut out = format!(
        "# Imported by `cronbridge import` from {from} at {}.\n# Times are in {} unless a batch says otherwise; {}\n",
        options.now,
        comment(&options.zone.name),
        if batches.iter().any(|b| b.scheduler.is_some()) {
            "each schedule keeps its name, `<rule_prefix><batch>`."
        } else {
            "`rule` names the live rules each batch takes over."
        }
    );
    for b in batches {
        out.push('\n');
        let plural = if b.rules.len() == 1 { "" } else { "s" };
        let what = if b.scheduler.is_some() {
            "schedule"
        } else {
            "rule"
        };
        let _ = writeln!(
            out,
            "# from {what}{plural} {}",
            comment(&b.rules.join(", "))
        );
        if let Some(note) = &b.note {
            let _ = writeln!(out, "# {}", comment(note));
        }
        let _ = writeln!(out, "{}:", key(&b.name));
        match b.scheduler.as_ref().and_then(|k| k.at.as_ref()) {
            Some(at) => {
                let _ = writeln!(out, "  at: {}", quote(at));
            }
            None => {
                let _ = writeln!(out, "  cron: {}", quote(&b.cron));
            }
        }
        if let Some(d) = &b.description {
            let _ = writeln!(out, "  description: {}", quote(d));
        }
        let _ = writeln!(out, "  batch_class: {}", quote(&b.batch_class));
        let _ = writeln!(out, "  is_active: {}", b.is_active);
        if let Some(z) = &b.timezone {
            let _ = writeln!(out, "  timezone: {}", quote(z));
        }
        if let Some(k) = &b.scheduler {
            if let Some(w) = k.flexible_window {
                let _ = writeln!(out, "  flexible_window: {w}m");
            }
            if let Some(start) = &k.start {
                let _ = writeln!(out, "  start: {}", quote(start));
            }
            if let Some(end) = &k.end {
                let _ = writeln!(out, "  end: {}", quote(end));
            }
            // A schedule is named `<rule_prefix><batch>`; `rule` is for rules only.
            continue;
        }
        match b.rules.as_slice() {
            [one] => {
                let _ = writeln!(out, "  rule: {}", quote(one));
            }
            many => {
                let list: Vec<String> = many.iter().map(|r| quote(r)).collect();
                let _ = writeln!(out, "  rule: [{}]", list.join(", "));
            }
        }
    }
    out
}

/// A YAML double-quoted string: every value from AWS goes through here, so no name,
/// description or input can end the string, start a comment, or hide a line break.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{85}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A batch name as a mapping key: plain when it cannot read as anything but text.
fn key(name: &str) -> String {
    let special = matches!(
        name.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
    );
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(crate::settings::is_rule_name_char);
    if plain && !special {
        name.to_string()
    } else {
        quote(name)
    }
}

/// Text in a comment: one line, whatever it held.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `cron(0 9 * * ? *)` → `0 9 * * ? *`; a rate stays as it is.
fn body(e: &Expression) -> String {
    let text = e.to_aws();
    text.strip_prefix("cron(")
        .and_then(|t| t.strip_suffix(')'))
        .map_or(text.clone(), str::to_string)
}

/// The batch name of rules without one in their input: the rule's name, or the common stem
/// of split rules (`Report-1`, `Report-2` → `Report`).
fn stem(rules: &[String]) -> String {
    let Some(first) = rules.first() else {
        return String::new();
    };
    if rules.len() > 1
        && let Some((base, _)) = first.rsplit_once('-')
        && rules.iter().all(|r| {
            r.strip_prefix(base)
                .and_then(|s| s.strip_prefix('-'))
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        && !base.is_empty()
    {
        return base.to_string();
    }
    first.clone()
}

/// A name a batch may have: 1 to 64 letters, digits, `.`, `-` and `_`.
fn is_batch_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count()) && name.chars().all(crate::settings::is_rule_name_char)
}

/// `Batches::Daily::Backup`: names that start with a capital letter joined by `::`.
fn is_class(text: &str) -> bool {
    !text.is_empty()
        && text.split("::").all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The class path inside a command word: `Batches::Daily::Backup.run` → `Batches::Daily::Backup`
/// (at least two names joined by `::`).
fn class_in(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_uppercase() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric() || chars[j] == '_' || chars[j] == ':')
            {
                j += 1;
            }
            let found: String = chars[i..j].iter().collect();
            let found = found.trim_end_matches(':').to_string();
            if found.contains("::") && is_class(&found) {
                return Some(found);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// `*` any text, `?` one character; the rest literal.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::desired::Rule;
    use std::collections::BTreeMap;

    const SM: &str = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";
    const ROLE: &str = "arn:aws:iam::123456789012:role/events";

    fn target(input: Option<&str>) -> Target {
        Target {
            id: "1".to_string(),
            arn: SM.to_string(),
            role_arn: Some(ROLE.to_string()),
            input: input.map(str::to_string),
            maximum_retry_attempts: None,
            maximum_event_age_seconds: None,
            dead_letter_arn: None,
            ecs: None,
        }
    }

    fn rule(name: &str, cron: &str, input: &str) -> LiveRule {
        LiveRule {
            arn: format!("arn:aws:events:ap-northeast-1:123456789012:rule/{name}"),
            rule: Rule {
                name: name.to_string(),
                schedule_expression: Some(if cron.starts_with("rate(") {
                    cron.to_string()
                } else {
                    format!("cron({cron})")
                }),
                event_pattern: None,
                state: "ENABLED".to_string(),
                description: Some(format!("{name} の説明")),
                tags: BTreeMap::new(),
                targets: vec![target(Some(input))],
            },
        }
    }

    fn sfn(name: &str, cron: &str, batch: &str) -> LiveRule {
        let input =
            serde_json::json!({"batch": batch, "batch_class": format!("Batches::Daily::{batch}")});
        rule(name, cron, &input.to_string())
    }

    fn settings() -> Settings {
        let text = format!(
            "aws:\n  repository: acme/batches\n  target:\n    role_arn: {ROLE}\n    state_machine_arn: {SM}\n"
        );
        let (s, f) = crate::settings::load("cronbridge.yml", &text);
        assert!(f.is_empty(), "{f:?}");
        s
    }

    fn run(rules: &[LiveRule], settings: &Settings) -> Import {
        let options = Options {
            settings,
            zone: settings.zone.clone(),
            now: "2026-11-29T00:00:00Z".parse().unwrap(),
            filter: Filter::default(),
            bus: "default".to_string(),
        };
        import(rules, &options)
    }

    fn find<'a>(i: &'a Import, name: &str) -> &'a ImportedBatch {
        i.batches
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no {name} in {:?} (skipped {:?})", i.batches, i.skipped))
    }

    #[test]
    fn utc_rules_come_back_in_local_time_as_the_design_document_writes_them() {
        let s = settings();
        let i = run(
            &[
                sfn("DailyReport", "0 23 ? * SUN-THU *", "DailyReport"),
                sfn("MonthlyClose", "0 18 L * ? *", "MonthlyClose"),
                sfn("Backup", "0 0 * * ? *", "Backup"),
            ],
            &s,
        );
        assert!(i.skipped.is_empty(), "{:?}", i.skipped);
        assert!(i.settings_to_set.is_empty(), "{:?}", i.settings_to_set);
        assert_eq!(find(&i, "DailyReport").cron, "0 8 ? * MON-FRI *");
        assert_eq!(find(&i, "MonthlyClose").cron, "0 3 1 * ? *");
        let backup = find(&i, "Backup");
        assert_eq!(backup.cron, "0 9 * * ? *");
        assert_eq!(backup.batch_class, "Batches::Daily::Backup");
        assert_eq!(backup.rules, vec!["Backup"]);
        assert_eq!(backup.timezone, None);
        assert!(i.yaml.contains("# from rule Backup\nBackup:\n  cron: \"0 9 * * ? *\"\n  description: \"Backup の説明\"\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n  rule: \"Backup\"\n"), "{}", i.yaml);
        // The file is a schedules file cronbridge reads back, batch for batch.
        let (batches, findings) = crate::schedule::load("schedules/imported.yml", &i.yaml, &s);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(batches.len(), 3);
    }

    #[test]
    fn split_rules_of_one_batch_become_one_local_cron_naming_both() {
        // `0 8-10 ? * MON *` in Tokyo is 23:00 Sunday and 00:00-01:00 Monday in UTC.
        let local: Expression = cron::parse("0 8-10 ? * MON *").unwrap();
        let now = "2026-11-29T00:00:00Z".parse().unwrap();
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        let utc = rewrite::to_utc(&local, &tz, now).unwrap();
        assert_eq!(utc.len(), 2);
        let body_of = |e: &Expression| body(e);
        // Listed in the other order, as ListRules might: `rule:` follows the rewrite's order.
        let rules = [
            sfn("Report-2", &body_of(&utc[1]), "Report"),
            sfn("Report-1", &body_of(&utc[0]), "Report"),
        ];
        let i = run(&rules, &settings());
        assert!(i.skipped.is_empty(), "{:?}", i.skipped);
        let b = find(&i, "Report");
        assert_eq!(b.cron, "0 8,9,10 ? * MON *");
        assert_eq!(b.rules, vec!["Report-1", "Report-2"]);
        assert!(
            i.yaml.contains("# from rules Report-1, Report-2\n"),
            "{}",
            i.yaml
        );
        assert!(
            i.yaml.contains("  rule: [\"Report-1\", \"Report-2\"]\n"),
            "{}",
            i.yaml
        );
    }

    #[test]
    fn what_cannot_be_imported_is_listed_with_the_reason() {
        let mut pattern = sfn("OnFailure", "0 0 * * ? *", "X");
        pattern.rule.schedule_expression = None;
        pattern.rule.event_pattern = Some(r#"{"source":["aws.ecs"]}"#.to_string());
        let mut bare = sfn("NoTarget", "0 0 * * ? *", "X");
        bare.rule.targets.clear();
        let mut managed = sfn("cronbridge-Backup", "0 0 * * ? *", "Backup");
        managed
            .rule
            .tags
            .insert(MANAGED_TAG.to_string(), "true".to_string());
        let i = run(
            &[
                pattern,
                bare,
                managed,
                rule("Nameless", "0 0 * * ? *", r#"{"dry_run":true}"#),
                rule("NotJson", "0 0 * * ? *", "batch=Backup"),
                rule("List", "0 0 * * ? *", "[\"Backup\"]"),
                rule(
                    "Literal",
                    "0 0 * * ? *",
                    r#"{"batch":"Literal","batch_class":"Batches::Literal","note":"<rule>"}"#,
                ),
                // The same batch twice at different times: no one schedule, never guessed.
                sfn("Twice-a", "0 1 ? * MON *", "Twice"),
                sfn("Twice-b", "30 5 ? * WED *", "Twice"),
                // And twice at the same time: a batch that already runs twice.
                sfn("Dup-a", "0 0 * * ? *", "Dup"),
                sfn("Dup-b", "0 0 * * ? *", "Dup"),
            ],
            &settings(),
        );
        assert!(i.batches.is_empty(), "{:?}", i.batches);
        let why: BTreeMap<&str, &str> = i
            .skipped
            .iter()
            .map(|s| (s.rule.as_str(), s.reason.as_str()))
            .collect();
        assert!(why["OnFailure"].contains("event-pattern"), "{why:?}");
        assert!(why["NoTarget"].contains("no target"), "{why:?}");
        assert!(
            why["cronbridge-Backup"].contains("already managed"),
            "{why:?}"
        );
        assert!(why["Nameless"].contains("names no batch"), "{why:?}");
        assert!(why["NotJson"].contains("not JSON"), "{why:?}");
        assert!(why["List"].contains("not a JSON object"), "{why:?}");
        assert!(why["Literal"].contains("`<rule>`"), "{why:?}");
        assert!(why["Twice-a"].contains("2 local expressions"), "{why:?}");
        assert_eq!(why["Twice-a"], why["Twice-b"]);
        assert!(why["Dup-a"].contains("runs 2 times"), "{why:?}");
    }

    #[test]
    fn a_rule_with_no_exact_local_form_stays_in_utc_with_the_reason() {
        // The last weekday at 15:00 UTC is the day after it in Tokyo: no local expression.
        let i = run(&[sfn("Close", "0 15 LW * ? *", "Close")], &settings());
        let b = find(&i, "Close");
        assert_eq!(
            (b.cron.as_str(), b.timezone.as_deref()),
            ("0 15 LW * ? *", Some("UTC"))
        );
        assert!(
            b.note.as_deref().unwrap().starts_with("kept in UTC"),
            "{b:?}"
        );
        assert!(i.yaml.contains("# kept in UTC"), "{}", i.yaml);
        assert!(i.yaml.contains("  timezone: \"UTC\"\n"), "{}", i.yaml);
        let (batches, findings) = crate::schedule::load("schedules/i.yml", &i.yaml, &settings());
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(batches[0].zone.name, "UTC");
    }

    #[test]
    fn hostile_names_and_descriptions_are_escaped_and_read_back_as_they_were() {
        let input = serde_json::json!({"batch": "true", "batch_class": "Batches::Daily::Backup"});
        let mut r = rule("Backup", "0 0 * * ? *", &input.to_string());
        let evil = "x\" # not a comment\nmalicious: 1\u{2028}\\ &anchor *alias {a: b} ' ｢」\u{7}";
        r.rule.description = Some(evil.to_string());
        // A batch name too long for the prefix is fine when it names its rule.
        let long = "L".repeat(64);
        let i = run(&[r, sfn(&long, "rate(5 minutes)", &long)], &settings());
        assert!(i.skipped.is_empty(), "{:?}", i.skipped);
        let (batches, findings) = crate::schedule::load("schedules/i.yml", &i.yaml, &settings());
        assert!(findings.is_empty(), "{findings:?}\n{}", i.yaml);
        let b = batches.iter().find(|b| b.name == "true").unwrap();
        assert_eq!(b.description.as_deref(), Some(evil));
        assert_eq!(b.rules, vec!["Backup"]);
        let rate = batches.iter().find(|b| b.name == long).unwrap();
        assert_eq!(rate.cron_text, "rate(5 minutes)");
    }

    #[test]
    fn ecs_rules_are_imported_with_their_command_as_the_template() {
        let cluster = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch";
        let ecs = EcsTarget {
            task_definition_arn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:3"
                .to_string(),
            task_count: 1,
            launch_type: Some("FARGATE".to_string()),
            platform_version: None,
            subnets: vec!["subnet-1".to_string()],
            security_groups: vec![],
            assign_public_ip: Some(false),
        };
        let mk = |name: &str, class: &str| {
            let input = serde_json::json!({"containerOverrides": [{"name": "app", "command": ["bundle", "exec", "rails", "runner", format!("{class}.run")]}]});
            let mut r = rule(name, "0 0 * * ? *", &input.to_string());
            r.rule.targets[0].arn = cluster.to_string();
            r.rule.targets[0].ecs = Some(ecs.clone());
            r
        };
        let i = run(
            &[
                mk("Backup", "Batches::Daily::Backup"),
                mk("Sweep", "Batches::Hourly::Sweep"),
            ],
            &settings(),
        );
        assert!(i.skipped.is_empty(), "{:?}", i.skipped);
        assert_eq!(find(&i, "Sweep").batch_class, "Batches::Hourly::Sweep");
        let t = i.target.as_ref().unwrap();
        assert_eq!(
            t.input,
            serde_json::json!(["bundle", "exec", "rails", "runner", "<batch_class>.run"])
        );
        assert!(
            i.settings_to_set
                .iter()
                .any(|s| s.starts_with("aws.target.cluster_arn")),
            "{:?}",
            i.settings_to_set
        );
        // The snippet is settings cronbridge reads, with this very target.
        let snippet = settings_snippet(t);
        let with_repository = snippet.replacen("aws:\n", "aws:\n  repository: acme/batches\n", 1);
        let (s, f) = crate::settings::load("cronbridge.yml", &with_repository);
        assert!(f.is_empty(), "{f:?}\n{snippet}");
        let again = run(&[mk("Backup", "Batches::Daily::Backup")], &s);
        assert!(
            again.settings_to_set.is_empty(),
            "{:?}\n{snippet}",
            again.settings_to_set
        );
    }

    #[test]
    fn retry_policy_and_dead_letter_queue_are_proposed_as_settings_that_read_back() {
        let dlq = Some("arn:aws:sqs:ap-northeast-1:123456789012:dlq".to_string());
        let with_retry = |mut r: LiveRule| {
            r.rule.targets[0].maximum_retry_attempts = Some(2);
            r.rule.targets[0].maximum_event_age_seconds = Some(3600);
            r.rule.targets[0].dead_letter_arn = dlq.clone();
            r
        };
        // `backup` is `Backup` to people: left out, never renamed (its input names it).
        let other = serde_json::json!({"batch": "backup", "batch_class": "Batches::Daily::Backup"});
        let i = run(
            &[
                with_retry(sfn("Backup", "0 0 * * ? *", "Backup")),
                with_retry(rule("backup", "0 1 * * ? *", &other.to_string())),
            ],
            &settings(),
        );
        assert_eq!(i.batches.len(), 1, "{:?}", i.batches);
        assert!(
            i.skipped[0].reason.contains("more than case"),
            "{:?}",
            i.skipped
        );
        assert_eq!(i.settings_to_set.len(), 2, "{:?}", i.settings_to_set);
        let snippet = settings_snippet(i.target.as_ref().unwrap());
        assert!(snippet.contains("maximum_event_age: 60m"), "{snippet}");
        let text = snippet.replacen("aws:\n", "aws:\n  repository: acme/batches\n", 1);
        let (s, f) = crate::settings::load("cronbridge.yml", &text);
        assert!(f.is_empty(), "{f:?}\n{snippet}");
        let again = run(&[with_retry(sfn("Backup", "0 0 * * ? *", "Backup"))], &s);
        assert!(
            again.settings_to_set.is_empty(),
            "{:?}",
            again.settings_to_set
        );
    }

    #[test]
    fn filters_and_globs() {
        let f = Filter {
            prefix: Some("batch-".to_string()),
            pattern: Some("*-Daily?".to_string()),
            target_arn: None,
        };
        assert!(f.name_matches("batch-x-Daily1"));
        let only = Filter {
            target_arn: Some(
                "arn:aws:states:ap-northeast-1:123456789012:stateMachine:other".to_string(),
            ),
            ..Filter::default()
        };
        let mut elsewhere = sfn("Elsewhere", "0 0 * * ? *", "Elsewhere");
        elsewhere.rule.targets[0].arn = only.target_arn.clone().unwrap();
        let mut bare = sfn("Bare", "0 0 * * ? *", "Bare");
        bare.rule.targets.clear();
        let s = settings();
        let i = import(
            &[sfn("Backup", "0 0 * * ? *", "Backup"), elsewhere, bare],
            &Options {
                settings: &s,
                zone: s.zone.clone(),
                now: "2026-11-29T00:00:00Z".parse().unwrap(),
                filter: only,
                bus: "default".to_string(),
            },
        );
        let names: Vec<&str> = i.batches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            (names, i.skipped.len()),
            (vec!["Elsewhere"], 0),
            "{:?}",
            i.skipped
        );
        assert!(
            i.settings_to_set
                .iter()
                .any(|d| d.starts_with("aws.target.state_machine_arn"))
        );
        assert!(!f.name_matches("batch-x-Daily"));
        assert!(!f.name_matches("other-x-Daily1"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert_eq!(
            class_in("Batches::Daily::Backup.run").as_deref(),
            Some("Batches::Daily::Backup")
        );
        assert_eq!(
            class_in("--class=Batches::X"),
            Some("Batches::X".to_string())
        );
        assert_eq!(class_in("Backup"), None);
        assert_eq!(
            stem(&["Report-1".to_string(), "Report-2".to_string()]),
            "Report"
        );
    }
}
