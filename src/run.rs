//! Manual runs, the pure part: who may start a batch by hand (the `manual_runs:` settings), which
//! batch a name means, and what a start sends — the execution input, its deterministic name, the
//! console link — and the audit record of every request. `aws::run` makes the call.

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use crate::aws::config::{self, AwsSettings, TargetKind, env};
use crate::aws::desired::{ContainerCommand, EcsTarget};
use crate::finding::{Finding, Location, Rule};
use crate::report::markdown;
use crate::schedule::Batch;
use crate::yaml::{self, Entry, Node, Sink};
use serde::Serialize;
use serde_json::{Map, Value};

/// A repository role, weakest first: GitHub's five built-in roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Triage => "triage",
            Role::Write => "write",
            Role::Maintain => "maintain",
            Role::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "read" | "pull" => Role::Read,
            "triage" => Role::Triage,
            "write" | "push" => Role::Write,
            "maintain" => Role::Maintain,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// The role the collaborator-permission API reports. `role_name` tells triage from read
    /// and maintain from write, which the legacy `permission` field folds together; for a
    /// custom role `role_name` is its own name and `permission` its base role. `None` is no
    /// access at all (`none`, or anything this version does not know: failing closed).
    pub fn from_api(permission: &str, role_name: Option<&str>) -> Option<Role> {
        let base = Role::parse(permission)?;
        match role_name.and_then(Role::parse) {
            // A built-in role name is exact. It is above what `permission` says only where
            // the legacy field folds it: maintain is reported as `write`, triage as `read`.
            Some(named)
                if named <= base
                    || matches!(
                        (named, base),
                        (Role::Maintain, Role::Write) | (Role::Triage, Role::Read)
                    ) =>
            {
                Some(named)
            }
            _ => Some(base),
        }
    }
}

/// A team, written `org/team-slug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub org: String,
    pub slug: String,
}

impl std::fmt::Display for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.org, self.slug)
    }
}

/// The `manual_runs:` section of `cronbridge.yml`: who may start batches from a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualRuns {
    /// Where the `manual_runs:` key is, when the file has one.
    pub location: Option<Location>,
    /// The least role a commenter needs: `write` (default), `maintain` or `admin`.
    pub permission: Role,
    /// When not empty (or `teams` is not), the commenter must also be one of these logins…
    pub users: Vec<String>,
    /// …or an active member of one of these teams. Lists narrow `permission`, never widen it.
    pub teams: Vec<Team>,
    /// Whether a batch with `is_active: false` may be started by hand (default true: the reply
    /// says that it is inactive).
    pub allow_inactive: bool,
}

impl Default for ManualRuns {
    fn default() -> ManualRuns {
        ManualRuns {
            location: None,
            permission: Role::Write,
            users: Vec::new(),
            teams: Vec::new(),
            allow_inactive: true,
        }
    }
}

const KEYS: &[&str] = &["permission", "users", "teams", "allow_inactive"];
const WRONG_TYPE: Rule = Rule::SettingsWrongType;
const INVALID: Rule = Rule::SettingsInvalidValue;

/// Reads the `manual_runs:` entry of the settings file. Anything wrong is an error finding,
/// and a settings file with errors starts nothing (chat and `run` both refuse), so a typo in
/// `permission: amdin` can never fall back to the weaker default.
pub fn load(entry: &Entry, file: &str, findings: &mut Vec<Finding>) -> ManualRuns {
    let mut runs = ManualRuns {
        location: Some(entry.key.location(file)),
        ..ManualRuns::default()
    };
    let mut sink = Sink::new(findings);
    let Some(entries) = sink.take(yaml::expect_map(
        &entry.value,
        file,
        WRONG_TYPE,
        "`manual_runs`",
    )) else {
        return runs;
    };
    for f in yaml::unknown_keys(
        entries,
        KEYS,
        file,
        Rule::SettingsUnknownKey,
        "`manual_runs`",
    ) {
        sink.push(f);
    }
    for e in entries {
        let v = &e.value;
        match e.key_text() {
            "permission" => {
                if let Some(role) = sink.take(permission(v, file)) {
                    runs.permission = role;
                }
            }
            "users" => {
                if let Some(users) = sink.take(list(v, file, "`users`", login)) {
                    runs.users = users;
                }
            }
            "teams" => {
                if let Some(teams) = sink.take(list(v, file, "`teams`", team)) {
                    runs.teams = teams;
                }
            }
            "allow_inactive" => {
                if let Some(b) =
                    sink.take(yaml::expect_bool(v, file, WRONG_TYPE, "`allow_inactive`"))
                {
                    runs.allow_inactive = b;
                }
            }
            _ => {}
        }
    }
    runs
}

fn permission(node: &Node, file: &str) -> Result<Role, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`permission`")?;
    match Role::parse(text) {
        Some(role) if role >= Role::Write => Ok(role),
        Some(role) => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`permission`: `{}` is too weak to start batches", role.as_str()),
        )
        .help("write `write`, `maintain` or `admin`; to let fewer people run batches, add `users:` or `teams:`")),
        None => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`permission`: `{text}` is not a repository role"),
        )
        .help(match yaml::suggest(text, ["write", "maintain", "admin"]) {
            Some(s) => format!("did you mean `{s}`? the roles are `write`, `maintain` and `admin`"),
            None => "write `write` (the default), `maintain` or `admin`".to_string(),
        })),
    }
}

fn list<T>(
    node: &Node,
    file: &str,
    what: &str,
    item: fn(&Node, &str) -> Result<T, Finding>,
) -> Result<Vec<T>, Finding> {
    yaml::expect_seq(node, file, WRONG_TYPE, what)?
        .iter()
        .map(|i| item(i, file))
        .collect()
}

/// Whether text is a GitHub login: 1–39 ASCII letters, digits and single inner hyphens.
pub fn is_login(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 39
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn login(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "a user")?;
    if is_login(text) {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`{text}` is not a GitHub login"),
        )
        .help("write the login without `@`, e.g. `octocat`"))
    }
}

fn team(node: &Node, file: &str) -> Result<Team, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "a team")?;
    let slug_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match text.trim_start_matches('@').split_once('/') {
        Some((org, slug)) if is_login(org) && slug_ok(slug) => Ok(Team {
            org: org.to_string(),
            slug: slug.to_string(),
        }),
        _ => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`{text}` is not a team"),
        )
        .help("write `org/team-slug`, e.g. `octo-org/batch-operators`")),
    }
}

/// What the permission check needs to know about a commenter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commenter<'a> {
    pub login: &'a str,
    /// From the collaborator-permission API; `None` when they have no access.
    pub role: Option<Role>,
    /// The teams of `ManualRuns::teams` they are an active member of.
    pub teams: Vec<&'a Team>,
}

/// Why someone may not start a batch (a sentence, shown in the reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    Role { have: Option<Role>, need: Role },
    NotListed,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denial::Role { have, need } => write!(
                f,
                "starting a batch needs the `{}` role on this repository or higher; you have {}",
                need.as_str(),
                match have {
                    Some(r) => format!("`{}`", r.as_str()),
                    None => "no access".to_string(),
                }
            ),
            Denial::NotListed => f.write_str(
                "starting a batch is limited to the users and teams listed under `manual_runs` in the settings on the default branch",
            ),
        }
    }
}

impl ManualRuns {
    /// Whether lists narrow who may run.
    pub fn has_lists(&self) -> bool {
        !self.users.is_empty() || !self.teams.is_empty()
    }

    /// Whether `who` may start batches: the role first, then the lists when there are any.
    pub fn allows(&self, who: &Commenter<'_>) -> Result<(), Denial> {
        match who.role {
            Some(role) if role >= self.permission => {}
            have => {
                return Err(Denial::Role {
                    have,
                    need: self.permission,
                });
            }
        }
        if !self.has_lists() {
            return Ok(());
        }
        let listed =
            self.users.iter().any(|u| u.eq_ignore_ascii_case(who.login)) || !who.teams.is_empty();
        if listed {
            Ok(())
        } else {
            Err(Denial::NotListed)
        }
    }
}

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
    format!("{prefix}{}", batch.name)
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
        crate::aws::desired::render_input(template, batch, &rule_name(rule_prefix, batch));
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
    let sourced = config::from_file_or_env(file_value, var, lookup)?;
    if let Some(var) = sourced.env
        && let Err(problem) = config::check_arn(&sourced.value, service, resource)
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
                parameters: crate::aws::desired::ecs_parameters(e, task_definition_arn),
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
        crate::aws::desired::render_input(template, batch, &rule_name(rule_prefix, batch));
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

/// What became of a request, for the audit line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new execution started.
    Started,
    /// This request had already started its execution (a redelivered event).
    AlreadyStarted,
    /// Not allowed or not understood; nothing was started.
    Refused,
    /// Allowed, but starting failed (AWS, configuration).
    Failed,
    /// `/run help`: nothing to start.
    Help,
}

/// One audit record: who asked for what, when, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// Always `manual_run`: what a log search filters on.
    pub audit: &'static str,
    /// When cronbridge handled the request (RFC 3339, UTC).
    pub at: String,
    pub via: Via,
    pub who: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The comment, for chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// The command as written (cut to 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
}

impl Audit {
    /// A record for `who` at `at`; the rest is filled in as the request is handled.
    pub fn new(at: jiff::Timestamp, via: Via, who: &str, outcome: Outcome) -> Audit {
        Audit {
            audit: "manual_run",
            at: at.round(jiff::Unit::Second).unwrap_or(at).to_string(),
            via,
            who: who.to_string(),
            repository: None,
            request_url: None,
            command: None,
            batch: None,
            outcome,
            reason: None,
            execution_arn: None,
        }
    }

    /// Keeps the command as written, cut short: it came from a stranger's comment.
    pub fn with_command(mut self, command: &str) -> Audit {
        let mut text: String = command.chars().take(200).collect();
        if command.chars().count() > 200 {
            text.push('…');
        }
        self.command = Some(text);
        self
    }

    /// The log line: one JSON object on one line. JSON escapes every control character, so
    /// nothing from a comment can start a new line (or a workflow command).
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            // Serialising plain strings cannot fail; keep a line anyway.
            format!(
                "{{\"audit\":\"manual_run\",\"outcome\":\"{:?}\"}}",
                self.outcome
            )
        })
    }

    /// The job-summary section: the same fields, escaped for Markdown.
    pub fn markdown(&self) -> String {
        let mut rows = vec![
            ("when", markdown::code(&self.at)),
            ("who", markdown::code(&self.who)),
            (
                "via",
                match self.via {
                    Via::Cli => "terminal".to_string(),
                    Via::GitHub => "comment".to_string(),
                },
            ),
        ];
        if let Some(c) = &self.command {
            rows.push(("command", markdown::code(c)));
        }
        if let Some(b) = &self.batch {
            rows.push(("batch", markdown::code(b)));
        }
        let outcome = match self.outcome {
            Outcome::Started => "started",
            Outcome::AlreadyStarted => "already started (nothing new)",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Help => "help",
        };
        rows.push(("outcome", outcome.to_string()));
        if let Some(r) = &self.reason {
            rows.push(("reason", markdown::inline(r)));
        }
        if let Some(a) = &self.execution_arn {
            rows.push(("execution", markdown::code(a)));
        }
        if let Some(u) = &self.request_url {
            rows.push(("request", markdown::code(u)));
        }
        let mut out = String::from("### cronbridge: manual run\n\n| | |\n|---|---|\n");
        for (k, v) in rows {
            out.push_str(&format!("| {k} | {v} |\n"));
        }
        out.push('\n');
        out
    }
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

    fn load_text(text: &str) -> (ManualRuns, Vec<Finding>) {
        let (s, f) = settings::load("cronbridge.yml", text);
        (s.manual_runs, f)
    }

    #[test]
    fn settings_default_to_write_and_allow_inactive() {
        let (runs, f) = load_text("timezone: UTC\n");
        assert!(f.is_empty());
        assert_eq!(runs, ManualRuns::default());
        assert_eq!(runs.permission, Role::Write);
        assert!(runs.allow_inactive);
    }

    #[test]
    fn settings_load_lists() {
        let (runs, f) = load_text(
            "manual_runs:\n  permission: maintain\n  users: [alice, Bob-2]\n  teams: [octo-org/batch-ops]\n  allow_inactive: false\n",
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(runs.permission, Role::Maintain);
        assert_eq!(runs.users, ["alice", "Bob-2"]);
        assert_eq!(runs.teams[0].to_string(), "octo-org/batch-ops");
        assert!(!runs.allow_inactive);
    }

    #[test]
    fn settings_mistakes_are_errors() {
        let (_, f) = load_text("manual_runs:\n  permission: amdin\n");
        assert_eq!(f[0].rule, Rule::SettingsInvalidValue);
        assert!(f[0].help.as_deref().unwrap().contains("`admin`"));
        let (_, f) = load_text("manual_runs:\n  permission: read\n");
        assert!(f[0].message.contains("too weak"), "{}", f[0].message);
        let (_, f) = load_text("manual_runs:\n  users: [\"@alice\"]\n");
        assert!(f[0].message.contains("not a GitHub login"));
        let (_, f) = load_text("manual_runs:\n  teams: [ops]\n");
        assert!(f[0].message.contains("not a team"));
        let (_, f) = load_text("manual_runs:\n  alow_inactive: true\n");
        assert_eq!(f[0].help.as_deref(), Some("did you mean `allow_inactive`?"));
        let (_, f) = load_text("manual_runs:\n  allow_inactive: \"yes\"\n");
        assert_eq!(f[0].rule, Rule::SettingsWrongType);
    }

    #[test]
    fn roles_come_from_role_name_when_it_is_built_in() {
        assert_eq!(Role::from_api("admin", Some("admin")), Some(Role::Admin));
        assert_eq!(
            Role::from_api("write", Some("maintain")),
            Some(Role::Maintain)
        );
        assert_eq!(Role::from_api("read", Some("triage")), Some(Role::Triage));
        assert_eq!(Role::from_api("write", Some("deployer")), Some(Role::Write));
        assert_eq!(Role::from_api("none", None), None);
        assert_eq!(Role::from_api("superuser", Some("admin")), None);
        // A role name above the permission is not believed.
        assert_eq!(Role::from_api("read", Some("admin")), Some(Role::Read));
    }

    #[test]
    fn permission_then_lists() {
        let runs = ManualRuns::default();
        let who = |role, teams| Commenter {
            login: "Alice",
            role,
            teams,
        };
        assert!(runs.allows(&who(Some(Role::Write), vec![])).is_ok());
        assert!(runs.allows(&who(Some(Role::Admin), vec![])).is_ok());
        for weak in [None, Some(Role::Read), Some(Role::Triage)] {
            let err = runs.allows(&who(weak, vec![])).unwrap_err();
            assert!(err.to_string().contains("`write`"), "{err}");
        }
        let listed = ManualRuns {
            users: vec!["alice".into()],
            ..ManualRuns::default()
        };
        assert!(listed.allows(&who(Some(Role::Write), vec![])).is_ok());
        // A list never widens: a listed reader is still refused.
        assert!(matches!(
            listed.allows(&who(Some(Role::Read), vec![])),
            Err(Denial::Role { .. })
        ));
        let bob = Commenter {
            login: "bob",
            role: Some(Role::Admin),
            teams: vec![],
        };
        assert_eq!(listed.allows(&bob), Err(Denial::NotListed));
        let team = Team {
            org: "o".into(),
            slug: "ops".into(),
        };
        let by_team = ManualRuns {
            teams: vec![team.clone()],
            ..ManualRuns::default()
        };
        assert!(
            by_team
                .allows(&Commenter {
                    teams: vec![&team],
                    ..bob.clone()
                })
                .is_ok()
        );
        assert_eq!(by_team.allows(&bob), Err(Denial::NotListed));
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
        let template = crate::aws::template::default_input();
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
            &crate::aws::template::default_input(),
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

    #[test]
    fn audit_lines_are_one_line_of_json_and_markdown_is_escaped() {
        let mut a = Audit::new(
            "2026-11-29T00:00:00.5Z".parse().unwrap(),
            Via::GitHub,
            "octocat",
            Outcome::Refused,
        )
        .with_command("/run Backup\n::error::pwned | @team <b>");
        a.reason = Some("`x` is not a batch".into());
        let line = a.line();
        assert!(!line.contains('\n'), "{line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["outcome"], "refused");
        assert_eq!(v["at"], "2026-11-29T00:00:01Z");
        assert!(v.get("execution_arn").is_none());
        let md = a.markdown();
        // In a code span mentions and HTML are inert; the pipe cannot split the cell.
        assert!(
            md.contains("| command | `/run Backup ::error::pwned \\| @team <b>` |"),
            "{md}"
        );
        assert!(md.contains("| reason | `x` is not a batch |"), "{md}");
        assert_eq!(md.lines().filter(|l| l.starts_with("| command")).count(), 1);
        let long = Audit::new(jiff::Timestamp::UNIX_EPOCH, Via::Cli, "u", Outcome::Help)
            .with_command(&"x".repeat(300));
        assert_eq!(long.command.unwrap().chars().count(), 201);
    }
}
