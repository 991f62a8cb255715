//! What a manual run sends: which batch a name means, the execution input with who asked,
//! deterministic run names, the target as the sync would deploy it, the ECS command, and
//! console links.

use crate::deploy::desired::{ContainerCommand, EcsTarget};
use crate::schedule::Batch;
use crate::settings::aws::{AwsSettings, TargetKind, env};
use serde::Serialize;
use serde_json::{Map, Value};

/// What a batch name means among the loaded batches.
#[derive(Debug)]
pub enum Lookup<'b> {
    Found(&'b Batch),
    /// Defined in more than one file (a `check` error): which one would be a guess.
    Duplicate(Vec<&'b str>),
    /// No such batch; the closest names, best first.
    Unknown(Vec<String>),
}

/// Finds a batch by its exact name (case and all): a name that merely looks like one is
/// never run, only suggested.
pub fn find<'b>(batches: &'b [Batch], name: &str) -> Lookup<'b> {
    let found: Vec<&Batch> = batches.iter().filter(|b| b.name == name).collect();
    match found.as_slice() {
        [one] => Lookup::Found(one),
        [] => Lookup::Unknown(suggestions(name, batches.iter().map(|b| b.name.as_str()))),
        many => Lookup::Duplicate(many.iter().map(|b| b.file.as_str()).collect()),
    }
}

/// Up to three names close to `name`: the same letters in another case or in full width
/// (`ｂａｃｋｕｐ`), else by similarity.
pub fn suggestions<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Vec<String> {
    let folded = fold(name);
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| {
            let score = if fold(n) == folded {
                2.0
            } else {
                strsim::jaro_winkler(&folded, &fold(n))
            };
            (score, n)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// Lowercase, with full-width ASCII (what a Japanese input method types) made ASCII: for
/// suggestions only, never for matching.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where the request came from: recorded in the input and in the audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Cli,
    GitHub,
}

/// Who asked for a run, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub via: Via,
    /// A GitHub login, or the terminal's user.
    pub who: String,
    /// The comment that asked, for chat.
    pub url: Option<String>,
}

/// Keys cronbridge adds to the input of a manual run. The scheduled input has none of them,
/// so a state machine tells the two apart by `trigger`.
pub const TRIGGER_KEY: &str = "trigger";
pub const REQUESTED_BY_KEY: &str = "requested_by";
pub const REQUESTED_VIA_KEY: &str = "requested_via";
pub const REQUEST_URL_KEY: &str = "request_url";
const RESERVED_KEYS: &[&str] = &[
    TRIGGER_KEY,
    REQUESTED_BY_KEY,
    REQUESTED_VIA_KEY,
    REQUEST_URL_KEY,
];

/// The input cannot be built: the settings or the `--input-override` are wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The user's settings: the template is not an object, so nothing can be added to it.
    #[error(
        "the `aws.target.input` template gives {0}, not a JSON object, so a manual run cannot add `\"trigger\": \"manual\"` to it\nhelp: write the input as a mapping, e.g. `input: {{batch: \"<batch>\", batch_class: \"<batch_class>\"}}`"
    )]
    NotAnObject(&'static str),
    /// The user's `--input-override`: not JSON, or not an object.
    #[error(
        "--input-override: {0}\nhelp: give a JSON object, e.g. --input-override '{{\"dry_run\": true}}'"
    )]
    Override(String),
    /// The user's `--input-override` sets a key cronbridge records the request in.
    #[error("--input-override may not set `{0}`: cronbridge sets it to record who started the run")]
    Reserved(String),
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Parses `--input-override`: a JSON object without the keys cronbridge sets.
pub fn parse_override(text: &str) -> Result<Map<String, Value>, InputError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| InputError::Override(format!("not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(InputError::Override(format!(
            "{} is not an object",
            kind_of(&value)
        )));
    };
    if let Some(key) = map.keys().find(|k| RESERVED_KEYS.contains(&k.as_str())) {
        return Err(InputError::Reserved(key.clone()));
    }
    Ok(map)
}

/// The rule name `<rule>` stands for in a manual run: the batch's rule without the `-1`, `-2`
/// of a schedule split over several rules (a manual run comes from none of them).
pub fn rule_name(prefix: &str, batch: &Batch) -> String {
    // A batch that adopted live rules (`rule:`) runs under their names, the first for `<rule>`.
    match batch.rules.first() {
        Some(adopted) => adopted.clone(),
        None => format!("{prefix}{}", batch.name),
    }
}

/// The execution input: the batch's scheduled input (the same template with the same values),
/// the overrides (top-level keys replace), and then who asked — last, so nothing can hide it.
pub fn input(
    template: &Value,
    batch: &Batch,
    rule_prefix: &str,
    requester: &Requester,
    overrides: Option<&Map<String, Value>>,
) -> Result<Value, InputError> {
    let rendered =
        crate::deploy::desired::render_input(template, batch, &rule_name(rule_prefix, batch));
    let Value::Object(mut map) = rendered else {
        return Err(InputError::NotAnObject(kind_of(&rendered)));
    };
    if let Some(o) = overrides {
        for (k, v) in o {
            map.insert(k.clone(), v.clone());
        }
    }
    map.insert(TRIGGER_KEY.into(), Value::String("manual".into()));
    map.insert(
        REQUESTED_BY_KEY.into(),
        Value::String(requester.who.clone()),
    );
    let via = match requester.via {
        Via::Cli => "cli",
        Via::GitHub => "github",
    };
    map.insert(REQUESTED_VIA_KEY.into(), Value::String(via.into()));
    if let Some(url) = &requester.url {
        map.insert(REQUEST_URL_KEY.into(), Value::String(url.clone()));
    }
    Ok(Value::Object(map))
}

/// Step Functions' limit on execution names.
pub const MAX_EXECUTION_NAME_CHARS: usize = 80;

/// Keeps what execution names with CloudWatch logging allow (`A-Za-z0-9-_`), and cuts to
/// the limit.
fn execution_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_EXECUTION_NAME_CHARS)
        .collect()
}

/// The execution name of a chat command: derived from the comment alone, so a redelivered
/// event (or a re-run job) asks for the same name and Step Functions starts nothing new.
pub fn comment_execution_name(comment_id: u64, batch: &str) -> String {
    execution_name(&format!("github-{comment_id}-{batch}"))
}

/// The execution name of `cronbridge run`: each call is a new request. `nonce` tells apart
/// two calls in the same second.
pub fn cli_execution_name(now: jiff::Timestamp, nonce: u32, batch: &str) -> String {
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    execution_name(&format!("cli-{stamp}-{:04x}-{batch}", nonce & 0xffff))
}

/// The ARN Step Functions gives an execution: the state machine's with `execution` for
/// `stateMachine` (a version or alias qualifier dropped) and the name appended.
pub fn execution_arn(state_machine_arn: &str, name: &str) -> Option<String> {
    let (head, rest) = state_machine_arn.split_once(":stateMachine:")?;
    let machine = rest.split(':').next().filter(|m| !m.is_empty())?;
    Some(format!("{head}:execution:{machine}:{name}"))
}

/// The AWS console page of a run, in its partition's console: a Step Functions execution, or
/// an ECS task whose ARN names its cluster (the long ARN format, the default since 2021).
pub fn console_url(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, _, resource] = parts.as_slice() else {
        return None;
    };
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return None;
    }
    let host = match *partition {
        "aws" => format!("{region}.console.aws.amazon.com"),
        "aws-cn" => format!("{region}.console.amazonaws.cn"),
        "aws-us-gov" => "console.amazonaws-us-gov.com".to_string(),
        _ => return None,
    };
    match *service {
        "states" => Some(format!(
            "https://{host}/states/home?region={region}#/v2/executions/details/{arn}"
        )),
        "ecs" => {
            let (cluster, task) = resource.strip_prefix("task/")?.split_once('/')?;
            let plain = |t: &str| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            };
            (plain(cluster) && plain(task)).then(|| {
                format!(
                    "https://{host}/ecs/v2/clusters/{cluster}/tasks/{task}/configuration?region={region}"
                )
            })
        }
        _ => None,
    }
}

/// ECS's limit on `startedBy`.
pub const MAX_STARTED_BY_CHARS: usize = 36;

/// The `startedBy` of a chat command's ECS task: derived from the comment alone, so a
/// redelivered event finds the task it started (ECS has no unique run names). At most 31
/// characters, as a comment id has at most 20 digits.
pub fn comment_started_by(comment_id: u64) -> String {
    format!("cronbridge-{comment_id}")
}

/// The `startedBy` of `cronbridge run`'s ECS task: each call is a new request, so it only
/// says where the task came from.
pub const CLI_STARTED_BY: &str = "cronbridge-cli";

/// How a container of a stopped task ended, as DescribeTasks reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerExit {
    pub name: String,
    /// `None`: the container never ran (an image pull or a resource failure).
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

/// Why a stopped task failed, one sentence per essential container that did not exit 0; empty
/// when it succeeded. `non_essential` names the containers whose end does not matter (the
/// task definition says `essential: false`); any other container counts.
pub fn task_failures(containers: &[ContainerExit], non_essential: &[String]) -> Vec<String> {
    let essential: Vec<&ContainerExit> = containers
        .iter()
        .filter(|c| !non_essential.contains(&c.name))
        .collect();
    if essential.is_empty() {
        return vec!["no essential container was reported".to_string()];
    }
    essential
        .into_iter()
        .filter_map(|c| {
            let reason = c
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            match c.exit_code {
                Some(0) => None,
                Some(code) => Some(format!("`{}` exited with {code}{reason}", c.name)),
                None => Some(format!("`{}` never ran{reason}", c.name)),
            }
        })
        .collect()
}

/// Manual runs cannot use the settings' target as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The user's configuration: no state machine named anywhere.
    #[error(
        "no Step Functions state machine to start\nhelp: set `aws.target.state_machine_arn` in the settings file, or the environment variable {}",
        env::STATE_MACHINE_ARN
    )]
    Missing,
    /// The user's configuration: a direct ECS target without its cluster or task definition.
    #[error(
        "no {what} to run the task in\nhelp: set `aws.target.{key}` in the settings file, or the environment variable {var}"
    )]
    MissingEcs {
        what: &'static str,
        key: &'static str,
        var: &'static str,
    },
    /// The environment's value is not an ARN of the right kind (the value is not repeated).
    #[error("{var}: {problem}")]
    InvalidEnv { var: &'static str, problem: String },
}

/// What a manual run starts: the settings' target, with the environment's gaps filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    StepFunctions {
        state_machine_arn: String,
    },
    /// A direct ECS target: RunTask in `cluster_arn` with the rule's `EcsParameters`.
    Ecs {
        cluster_arn: String,
        parameters: EcsTarget,
        container: String,
    },
}

/// A value of the file, else of the environment, checked when it came from the environment
/// (the file's values were checked when it was loaded).
fn resolve(
    file_value: Option<&String>,
    var: &'static str,
    lookup: &dyn Fn(&str) -> Option<String>,
    (service, resource): (&str, &str),
) -> Option<Result<String, TargetError>> {
    let sourced = crate::settings::aws::from_file_or_env(file_value, var, lookup)?;
    if let Some(var) = sourced.env
        && let Err(problem) = crate::settings::aws::check_arn(&sourced.value, service, resource)
    {
        return Some(Err(TargetError::InvalidEnv {
            var,
            problem: problem.replace(&sourced.value, "the value"),
        }));
    }
    Some(Ok(sourced.value))
}

/// The target a manual run starts, as the sync would deploy it.
pub fn target(
    aws: &AwsSettings,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, TargetError> {
    match &aws.target.kind {
        TargetKind::StepFunctions { state_machine_arn } => {
            let arn = resolve(
                state_machine_arn.as_ref(),
                env::STATE_MACHINE_ARN,
                lookup,
                ("states", "stateMachine:"),
            )
            .ok_or(TargetError::Missing)??;
            Ok(Target::StepFunctions {
                state_machine_arn: arn,
            })
        }
        TargetKind::Ecs(e) => {
            let cluster_arn = resolve(
                e.cluster_arn.as_ref(),
                env::ECS_CLUSTER_ARN,
                lookup,
                ("ecs", "cluster/"),
            )
            .ok_or(TargetError::MissingEcs {
                what: "ECS cluster",
                key: "cluster_arn",
                var: env::ECS_CLUSTER_ARN,
            })??;
            let task_definition_arn = resolve(
                e.task_definition_arn.as_ref(),
                env::ECS_TASK_DEFINITION_ARN,
                lookup,
                ("ecs", "task-definition/"),
            )
            .ok_or(TargetError::MissingEcs {
                what: "ECS task definition",
                key: "task_definition_arn",
                var: env::ECS_TASK_DEFINITION_ARN,
            })??;
            Ok(Target::Ecs {
                cluster_arn,
                parameters: crate::deploy::desired::ecs_parameters(e, task_definition_arn),
                container: e.container_name.clone(),
            })
        }
    }
}

/// The container command of a manual ECS run: the scheduled rule's, from the same template
/// with the same values. The command has no room for who asked; `startedBy` records it.
pub fn ecs_command(
    template: &Value,
    batch: &Batch,
    rule_prefix: &str,
    container: &str,
    requester: &Requester,
) -> ContainerCommand {
    let rendered =
        crate::deploy::desired::render_input(template, batch, &rule_name(rule_prefix, batch));
    let mut command = ContainerCommand::new(container, &rendered);
    command.environment = manual_environment(requester);
    command
}

/// What a Step Functions input says in its `trigger`, `requested_by`… keys, for a task whose
/// only input is its command: environment variables, so the batch can tell a manual run
/// from a scheduled one and log who asked.
pub fn manual_environment(requester: &Requester) -> Vec<(String, String)> {
    let via = match requester.via {
        Via::Cli => "cli",
        Via::GitHub => "github",
    };
    let mut env = vec![
        ("CRONBRIDGE_TRIGGER".to_string(), "manual".to_string()),
        ("CRONBRIDGE_REQUESTED_BY".to_string(), requester.who.clone()),
        ("CRONBRIDGE_REQUESTED_VIA".to_string(), via.to_string()),
    ];
    if let Some(url) = &requester.url {
        env.push(("CRONBRIDGE_REQUEST_URL".to_string(), url.clone()));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{self, Settings};

    fn batch(name: &str) -> Batch {
        let text = format!(
            "{name}:\n  cron: \"0 9 * * ? *\"\n  description: d\n  batch_class: \"Batches::Daily::{name}\"\n  is_active: true\n"
        );
        let (mut b, f) = crate::schedule::load("schedules/a.yml", &text, &Settings::default());
        assert!(f.is_empty(), "{f:?}");
        b.remove(0)
    }

    #[test]
    fn an_adopted_batch_runs_under_its_rules_name() {
        let text = "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\n  rule: Backup\n";
        let (b, f) = crate::schedule::load("schedules/a.yml", text, &Settings::default());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(rule_name("cronbridge-", &b[0]), "Backup");
        assert_eq!(
            rule_name("cronbridge-", &batch("Report")),
            "cronbridge-Report"
        );
    }

    #[test]
    fn names_match_exactly_and_look_alikes_are_only_suggested() {
        let batches = [batch("Backup"), batch("DailyReport")];
        assert!(matches!(find(&batches, "Backup"), Lookup::Found(b) if b.name == "Backup"));
        for near in ["backup", "BACKUP", "Ｂａｃｋｕｐ", "Bakup", "Backup "] {
            match find(&batches, near) {
                Lookup::Unknown(s) => {
                    assert_eq!(s.first().map(String::as_str), Some("Backup"), "{near}")
                }
                other => panic!("{near}: {other:?}"),
            }
        }
        // Cyrillic а in the middle: not found; still suggested by similarity.
        assert!(matches!(
            find(&batches, "B\u{0430}ckup"),
            Lookup::Unknown(_)
        ));
        assert!(matches!(find(&batches, "Nothing"), Lookup::Unknown(s) if s.is_empty()));
        let mut twice = batches.to_vec();
        let mut again = batch("Backup");
        again.file = "schedules/b.yml".into();
        twice.push(again);
        assert!(matches!(find(&twice, "Backup"), Lookup::Duplicate(f) if f.len() == 2));
    }

    fn requester() -> Requester {
        Requester {
            via: Via::GitHub,
            who: "octocat".into(),
            url: Some("https://github.com/o/r/issues/1#issuecomment-9".into()),
        }
    }

    #[test]
    fn input_is_the_scheduled_input_plus_who_asked() {
        let b = batch("Backup");
        let template = crate::settings::template::default_input();
        let v = input(&template, &b, "cronbridge-", &requester(), None).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "batch": "Backup",
                "batch_class": "Batches::Daily::Backup",
                "trigger": "manual",
                "requested_by": "octocat",
                "requested_via": "github",
                "request_url": "https://github.com/o/r/issues/1#issuecomment-9"
            })
        );
        let with_rule = serde_json::json!({"rule": "<rule>", "trigger": "scheduled"});
        let v = input(&with_rule, &b, "p-", &requester(), None).unwrap();
        assert_eq!(v["rule"], "p-Backup");
        // The template cannot make a manual run look scheduled.
        assert_eq!(v["trigger"], "manual");
        assert_eq!(
            input(&serde_json::json!(["a"]), &b, "p-", &requester(), None),
            Err(InputError::NotAnObject("a list"))
        );
    }

    #[test]
    fn overrides_replace_top_level_keys_but_not_the_record() {
        let b = batch("Backup");
        let o = parse_override(r#"{"batch_class": "X", "dry_run": true}"#).unwrap();
        let v = input(
            &crate::settings::template::default_input(),
            &b,
            "p-",
            &requester(),
            Some(&o),
        )
        .unwrap();
        assert_eq!(
            (v["batch_class"].as_str(), v["dry_run"].as_bool()),
            (Some("X"), Some(true))
        );
        assert_eq!(
            parse_override(r#"{"trigger": "scheduled"}"#),
            Err(InputError::Reserved("trigger".into()))
        );
        assert!(
            matches!(parse_override("[1]"), Err(InputError::Override(m)) if m.contains("a list"))
        );
        assert!(matches!(parse_override("{"), Err(InputError::Override(_))));
    }

    #[test]
    fn execution_names_are_deterministic_and_within_limits() {
        assert_eq!(comment_execution_name(42, "Backup"), "github-42-Backup");
        assert_eq!(comment_execution_name(42, "a.b"), "github-42-a_b");
        let long = "x".repeat(100);
        assert_eq!(comment_execution_name(1, &long).chars().count(), 80);
        let now: jiff::Timestamp = "2026-11-29T00:00:00Z".parse().unwrap();
        assert_eq!(
            cli_execution_name(now, 0x1_2345, "Backup"),
            "cli-20261129T000000Z-2345-Backup"
        );
    }

    #[test]
    fn execution_arns_and_console_links() {
        let sm = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";
        let arn = execution_arn(sm, "github-1-Backup").unwrap();
        assert_eq!(
            arn,
            "arn:aws:states:ap-northeast-1:123456789012:execution:batch:github-1-Backup"
        );
        assert_eq!(
            execution_arn(&format!("{sm}:prod"), "n").unwrap(),
            format!("{}:n", sm.replace("stateMachine", "execution"))
        );
        assert_eq!(execution_arn("arn:aws:sqs:x", "n"), None);
        assert_eq!(
            console_url(&arn).unwrap(),
            format!(
                "https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/{arn}"
            )
        );
        assert!(
            console_url("arn:aws-cn:states:cn-north-1:123456789012:execution:b:n")
                .unwrap()
                .starts_with("https://cn-north-1.console.amazonaws.cn/")
        );
        assert_eq!(console_url("arn:evil:states:x/y:1:execution:b:n"), None);
    }

    #[test]
    fn the_state_machine_comes_from_the_file_else_the_environment() {
        let none = |_: &str| None;
        let (s, _) = settings::load(
            "cronbridge.yml",
            "aws:\n  target:\n    state_machine_arn: arn:aws:states:us-east-1:123456789012:stateMachine:b\n",
        );
        assert!(matches!(
            target(&s.aws, &none),
            Ok(Target::StepFunctions { state_machine_arn }) if state_machine_arn.ends_with(":b")
        ));
        let d = AwsSettings::default();
        assert_eq!(target(&d, &none), Err(TargetError::Missing));
        let bad = |_: &str| Some("secret-value".to_string());
        let err = target(&d, &bad).unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");
    }

    #[test]
    fn an_ecs_target_runs_with_the_rules_parameters_and_command() {
        let none = |_: &str| None;
        let (s, f) = settings::load(
            "cronbridge.yml",
            "rule_prefix: p-\naws:\n  target:\n    cluster_arn: arn:aws:ecs:us-east-1:123456789012:cluster/batch\n    container_name: app\n    platform_version: \"1.4.0\"\n    network: {subnets: [subnet-1], security_groups: [sg-1], assign_public_ip: true}\n    input: [run, \"<batch_class>\", \"<rule>\"]\n",
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(
            target(&s.aws, &none),
            Err(TargetError::MissingEcs {
                what: "ECS task definition",
                key: "task_definition_arn",
                var: env::ECS_TASK_DEFINITION_ARN
            })
        );
        let task = |k: &str| {
            (k == env::ECS_TASK_DEFINITION_ARN)
                .then(|| "arn:aws:ecs:us-east-1:123456789012:task-definition/b:3".to_string())
        };
        let Ok(Target::Ecs {
            cluster_arn,
            parameters,
            container,
        }) = target(&s.aws, &task)
        else {
            panic!()
        };
        assert!(cluster_arn.ends_with(":cluster/batch"));
        assert_eq!(
            parameters.task_definition_arn,
            task(env::ECS_TASK_DEFINITION_ARN).unwrap()
        );
        assert_eq!(parameters.launch_type.as_deref(), Some("FARGATE"));
        assert_eq!(parameters.platform_version.as_deref(), Some("1.4.0"));
        assert_eq!(
            (parameters.subnets.as_slice(), parameters.assign_public_ip),
            (&["subnet-1".to_string()][..], Some(true))
        );
        let requester = Requester {
            via: Via::GitHub,
            who: "octocat".to_string(),
            url: Some("https://github.com/o/r/issues/1#issuecomment-9".to_string()),
        };
        let cmd = ecs_command(
            &s.aws.target.input,
            &batch("Backup"),
            &s.rule_prefix,
            &container,
            &requester,
        );
        assert_eq!(cmd.container, "app");
        assert_eq!(cmd.command, ["run", "Batches::Daily::Backup", "p-Backup"]);
        // The scheduled rule's command, plus who asked, as the task's environment.
        let env: Vec<(&str, &str)> = cmd
            .environment
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("CRONBRIDGE_TRIGGER", "manual"),
                ("CRONBRIDGE_REQUESTED_BY", "octocat"),
                ("CRONBRIDGE_REQUESTED_VIA", "github"),
                (
                    "CRONBRIDGE_REQUEST_URL",
                    "https://github.com/o/r/issues/1#issuecomment-9"
                ),
            ]
        );
        let bad = |k: &str| (k == env::ECS_TASK_DEFINITION_ARN).then(|| "secret-value".to_string());
        let err = target(&s.aws, &bad).unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");
    }

    #[test]
    fn started_by_fits_ecs_and_names_the_comment() {
        assert_eq!(comment_started_by(9001), "cronbridge-9001");
        assert!(comment_started_by(u64::MAX).len() <= MAX_STARTED_BY_CHARS);
        assert!(CLI_STARTED_BY.len() <= MAX_STARTED_BY_CHARS);
    }

    #[test]
    fn ecs_task_console_links_need_the_long_arn() {
        assert_eq!(
            console_url("arn:aws:ecs:us-east-1:123456789012:task/batch/0123abcd").as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/batch/tasks/0123abcd/configuration?region=us-east-1"
            )
        );
        assert_eq!(
            console_url("arn:aws:ecs:us-east-1:123456789012:task/0123abcd"),
            None
        );
        assert_eq!(
            console_url("arn:aws:ecs:us-east-1:123456789012:task/b/x)y"),
            None
        );
        assert_eq!(console_url("arn:aws:sqs:us-east-1:123456789012:q"), None);
    }

    #[test]
    fn a_task_fails_when_an_essential_container_did_not_exit_0() {
        let c = |name: &str, exit_code, reason: Option<&str>| ContainerExit {
            name: name.into(),
            exit_code,
            reason: reason.map(str::to_string),
        };
        assert!(task_failures(&[c("app", Some(0), None)], &[]).is_empty());
        assert_eq!(
            task_failures(&[c("app", Some(1), None), c("log", Some(0), None)], &[]),
            ["`app` exited with 1"]
        );
        assert_eq!(
            task_failures(&[c("app", None, Some("CannotPullContainerError"))], &[]),
            ["`app` never ran (CannotPullContainerError)"]
        );
        // A sidecar marked `essential: false` may fail.
        let sidecar = vec!["log".to_string()];
        assert!(
            task_failures(
                &[c("app", Some(0), None), c("log", Some(137), None)],
                &sidecar
            )
            .is_empty()
        );
        assert_eq!(
            task_failures(&[], &[]),
            ["no essential container was reported"]
        );
    }
}
