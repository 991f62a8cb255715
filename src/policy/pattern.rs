//! Alert rules: EventBridge event patterns checked the way EventBridge reads them, a small
//! matcher to test them on sample events locally, and the ECS task-failure events every
//! task-state alert is tested against. Pure: JSON values in, verdicts out.
//!
//! The matcher follows aws/event-ruler: exact values, `prefix`, `suffix`,
//! `equals-ignore-case`, `anything-but`, `numeric`, `exists` and `$or`, with array-consistent
//! matching (fields under one pattern object must match inside the same array element).
//! `cidr` and `wildcard` are valid in patterns but not evaluated here.

use serde_json::{Map, Value, json};

/// The placeholders alert patterns may use, filled from the alert, the settings or the
/// environment: the cluster's ARN, the task definition's ARN without its revision, and the
/// task family.
pub const PATTERN_PLACEHOLDERS: &[&str] = &["cluster_arn", "task_definition", "task_family"];

/// EventBridge's limit on `EventPattern`.
pub const MAX_PATTERN_CHARS: usize = 4096;

/// The operators EventBridge patterns know.
const OPERATORS: &[&str] = &[
    "prefix",
    "suffix",
    "equals-ignore-case",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "wildcard",
];

/// One step of a path into a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Something EventBridge would reject in a pattern: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub path: Vec<Seg>,
    pub message: String,
    pub help: String,
}

/// Every problem EventBridge would reject the pattern for.
pub fn validate(pattern: &Value) -> Vec<PatternError> {
    let mut errors = Vec::new();
    let mut path = Vec::new();
    match pattern {
        Value::Object(map) if !map.is_empty() => object(map, &mut path, &mut errors),
        Value::Object(_) => errors.push(err(
            &path,
            "the pattern is empty",
            "match at least one field, e.g. `source: [aws.ecs]`",
        )),
        _ => errors.push(err(
            &path,
            "a pattern is a mapping of event fields",
            "write e.g. `source: [aws.ecs]` under `pattern:`",
        )),
    }
    errors
}

fn err(path: &[Seg], message: impl Into<String>, help: impl Into<String>) -> PatternError {
    PatternError {
        path: path.to_vec(),
        message: message.into(),
        help: help.into(),
    }
}

fn object(map: &Map<String, Value>, path: &mut Vec<Seg>, errors: &mut Vec<PatternError>) {
    for (key, value) in map {
        path.push(Seg::Key(key.clone()));
        match value {
            Value::Array(items) if key == "$or" => {
                if items.len() < 2 || !items.iter().all(Value::is_object) {
                    errors.push(err(
                        path,
                        "`$or` takes a list of at least two mappings",
                        "write `$or: [{a: [x]}, {b: [y]}]`",
                    ));
                }
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(sub) = item {
                        path.push(Seg::Index(i));
                        object(sub, path, errors);
                        path.pop();
                    }
                }
            }
            Value::Object(sub) if sub.is_empty() => {
                errors.push(err(
                    path,
                    format!("`{key}` is an empty mapping"),
                    "match a field inside it, or remove it",
                ));
            }
            Value::Object(sub) => {
                if let Some(op) = sub.keys().find(|k| OPERATORS.contains(&k.as_str())) {
                    errors.push(err(
                        path,
                        format!("`{key}` has the operator `{op}` outside a list"),
                        format!(
                            "EventBridge wants operators in a list: write `{key}: [{{{op}: ...}}]`"
                        ),
                    ));
                } else {
                    object(sub, path, errors);
                }
            }
            Value::Array(items) => leaf(key, items, path, errors),
            other => errors.push(err(
                path,
                format!(
                    "`{key}` is {}, and EventBridge wants a list of values here",
                    kind(other)
                ),
                format!("write `{key}: [{other}]`"),
            )),
        }
        path.pop();
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn leaf(key: &str, items: &[Value], path: &mut Vec<Seg>, errors: &mut Vec<PatternError>) {
    if items.is_empty() {
        errors.push(err(
            path,
            format!("`{key}` is an empty list, which matches nothing"),
            "list the values to match, or remove the field",
        ));
    }
    for (i, item) in items.iter().enumerate() {
        path.push(Seg::Index(i));
        match item {
            Value::Array(_) => errors.push(err(
                path,
                "a list inside a list of values",
                "list the values once: `[a, b]`",
            )),
            Value::Object(op) => operator(op, path, errors),
            _ => {}
        }
        path.pop();
    }
}

fn operator(op: &Map<String, Value>, path: &[Seg], errors: &mut Vec<PatternError>) {
    let mut keys = op.keys();
    let (Some(name), None) = (keys.next(), keys.next()) else {
        errors.push(err(
            path,
            "an operator is a mapping with exactly one key",
            "write one operator per list item, e.g. `[{prefix: a}, {prefix: b}]`",
        ));
        return;
    };
    let value = &op[name];
    let string_or_ignore_case = |v: &Value| match v {
        Value::String(_) => true,
        Value::Object(m) => {
            m.len() == 1 && m.get("equals-ignore-case").is_some_and(Value::is_string)
        }
        _ => false,
    };
    let problem: Option<(String, String)> = match name.as_str() {
        "prefix" | "suffix" if !string_or_ignore_case(value) => Some((
            format!("`{name}` takes a string"),
            format!("write `{{{name}: text}}` or `{{{name}: {{equals-ignore-case: text}}}}`"),
        )),
        "equals-ignore-case" | "cidr" | "wildcard" if !value.is_string() => {
            Some((format!("`{name}` takes a string"), format!("write `{{{name}: text}}`")))
        }
        "exists" if !value.is_boolean() => Some((
            "`exists` takes true or false".to_string(),
            "write `{exists: true}` or `{exists: false}` (a boolean, not a string)".to_string(),
        )),
        "anything-but" => anything_but(value),
        "numeric" => numeric(value).err().map(|m| {
            (m, "write e.g. `{numeric: [\">\", 0]}`, `{numeric: [\">=\", 1, \"<\", 10]}` or `{numeric: [\"=\", 5]}`".to_string())
        }),
        "prefix" | "suffix" | "equals-ignore-case" | "cidr" | "wildcard" | "exists" => None,
        other => Some((
            format!("`{other}` is not an EventBridge pattern operator"),
            match crate::yaml::suggest(other, OPERATORS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? the operators are {}", OPERATORS.join(", ")),
                None => format!("the operators are {}", OPERATORS.join(", ")),
            },
        )),
    };
    if let Some((message, help)) = problem {
        errors.push(err(path, message, help));
    }
}

fn anything_but(value: &Value) -> Option<(String, String)> {
    let help =
        "write `{anything-but: 0}`, `{anything-but: [a, b]}` or `{anything-but: {prefix: a}}`"
            .to_string();
    let ok = match value {
        Value::String(_) | Value::Number(_) => true,
        Value::Array(items) => {
            !items.is_empty()
                && (items.iter().all(Value::is_string) || items.iter().all(Value::is_number))
        }
        Value::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, v)) if k == "prefix" || k == "suffix" || k == "wildcard" => v.is_string(),
            Some((k, Value::Array(items))) if k == "equals-ignore-case" => {
                !items.is_empty() && items.iter().all(Value::is_string)
            }
            Some((k, v)) if k == "equals-ignore-case" => v.is_string(),
            _ => false,
        },
        _ => false,
    };
    (!ok).then(|| {
        (
            "`anything-but` takes a string, a number, a list of only strings or only numbers, or one of prefix, suffix, equals-ignore-case, wildcard".to_string(),
            help,
        )
    })
}

/// The bounds of a `numeric` operator: `(lower, lower inclusive, upper, upper inclusive)`.
type Range = (Option<f64>, bool, Option<f64>, bool);

/// EventBridge's numeric range: ±5e9.
const NUMERIC_LIMIT: f64 = 5.0e9;

fn numeric(value: &Value) -> Result<Range, String> {
    let Value::Array(items) = value else {
        return Err("`numeric` takes a list of comparisons".to_string());
    };
    let pairs: Vec<(&str, f64)> = items
        .chunks(2)
        .map(|c| match c {
            [Value::String(op), Value::Number(n)] => match n.as_f64() {
                Some(x) if x.abs() <= NUMERIC_LIMIT => Ok((op.as_str(), x)),
                _ => Err(format!(
                    "`numeric` compares numbers from -5e9 to 5e9; {n} is outside"
                )),
            },
            _ => Err("`numeric` takes pairs of an operator in quotes and a number".to_string()),
        })
        .collect::<Result<_, _>>()?;
    let mut range: Range = (None, false, None, false);
    match pairs.as_slice() {
        [("=", x)] => return Ok((Some(*x), true, Some(*x), true)),
        [_] | [_, _] => {}
        _ => return Err("`numeric` takes one or two comparisons".to_string()),
    }
    for (op, x) in &pairs {
        match *op {
            ">" | ">=" if range.0.is_none() => range = (Some(*x), *op == ">=", range.2, range.3),
            "<" | "<=" if range.2.is_none() => range = (range.0, range.1, Some(*x), *op == "<="),
            ">" | ">=" | "<" | "<=" => {
                return Err("`numeric` has two lower or two upper bounds".to_string());
            }
            other => {
                return Err(format!(
                    "`{other}` is not a numeric operator: use >, >=, <, <= or ="
                ));
            }
        }
    }
    if pairs.len() == 2 && pairs[0].0.starts_with('<') {
        return Err(
            "`numeric` with two comparisons starts with the lower bound (> or >=)".to_string(),
        );
    }
    if let (Some(lo), Some(hi)) = (range.0, range.2)
        && lo >= hi
    {
        return Err(format!("`numeric` range from {lo} to {hi} is empty"));
    }
    Ok(range)
}

/// An operator the matcher cannot evaluate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cronbridge cannot test the `{0}` operator locally")]
pub struct Unsupported(pub &'static str);

/// Whether `event` matches `pattern` (a pattern [`validate`] accepts).
pub fn matches(pattern: &Value, event: &Value) -> Result<bool, Unsupported> {
    match pattern {
        Value::Object(map) => match_object(map, Some(event)),
        _ => Ok(false),
    }
}

/// The scalars and objects of a value, with nested arrays flattened.
fn flatten<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        other => out.push(other),
    }
}

/// A pattern object against a value: in an array, one element must match all of it.
fn match_object(pattern: &Map<String, Value>, value: Option<&Value>) -> Result<bool, Unsupported> {
    match value {
        Some(array @ Value::Array(_)) => {
            let mut elements = Vec::new();
            flatten(array, &mut elements);
            if elements.is_empty() {
                return match_fields(pattern, None);
            }
            for element in elements {
                if match_object(pattern, Some(element))? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Some(Value::Object(obj)) => match_fields(pattern, Some(obj)),
        // Below a scalar or a missing field, every field of the pattern is absent.
        _ => match_fields(pattern, None),
    }
}

fn match_fields(
    pattern: &Map<String, Value>,
    obj: Option<&Map<String, Value>>,
) -> Result<bool, Unsupported> {
    for (key, sub) in pattern {
        let ok = match sub {
            Value::Array(alternatives) if key == "$or" => {
                let mut any = false;
                for alt in alternatives {
                    if let Value::Object(alt) = alt
                        && match_fields(alt, obj)?
                    {
                        any = true;
                        break;
                    }
                }
                any
            }
            Value::Object(sub) => match_object(sub, obj.and_then(|o| o.get(key)))?,
            Value::Array(matchers) => match_leaf(matchers, obj.and_then(|o| o.get(key)))?,
            _ => false,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A list of matchers against the leaf values at one path; `exists` looks only at leaves.
fn match_leaf(matchers: &[Value], value: Option<&Value>) -> Result<bool, Unsupported> {
    let mut all = Vec::new();
    if let Some(v) = value {
        flatten(v, &mut all);
    }
    let leaves: Vec<&Value> = all.into_iter().filter(|v| !v.is_object()).collect();
    for m in matchers {
        if let Some(Value::Bool(want)) = m.as_object().and_then(|o| o.get("exists")) {
            if leaves.is_empty() != *want {
                return Ok(true);
            }
            continue;
        }
        for leaf in &leaves {
            if match_one(m, leaf)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// `{prefix: s}` or `{prefix: {equals-ignore-case: s}}` against a string.
fn affix(arg: &Value, text: &str, prefix: bool) -> bool {
    let (needle, ignore_case) = match arg {
        Value::String(s) => (s.as_str(), false),
        Value::Object(m) => match m.get("equals-ignore-case") {
            Some(Value::String(s)) => (s.as_str(), true),
            _ => return false,
        },
        _ => return false,
    };
    let (text, needle) = if ignore_case {
        (lower(text), lower(needle))
    } else {
        (text.to_string(), needle.to_string())
    };
    if prefix {
        text.starts_with(&needle)
    } else {
        text.ends_with(&needle)
    }
}

fn match_one(matcher: &Value, leaf: &Value) -> Result<bool, Unsupported> {
    let Value::Object(op) = matcher else {
        return Ok(same(matcher, leaf));
    };
    let Some((name, arg)) = op.iter().next() else {
        return Ok(false);
    };
    let text = leaf.as_str();
    Ok(match name.as_str() {
        "prefix" => text.is_some_and(|t| affix(arg, t, true)),
        "suffix" => text.is_some_and(|t| affix(arg, t, false)),
        "equals-ignore-case" => {
            matches!((text, arg.as_str()), (Some(t), Some(a)) if lower(t) == lower(a))
        }
        "numeric" => match (leaf.as_f64(), numeric(arg)) {
            (Some(x), Ok((lo, lo_inc, hi, hi_inc))) => {
                lo.is_none_or(|l| if lo_inc { x >= l } else { x > l })
                    && hi.is_none_or(|h| if hi_inc { x <= h } else { x < h })
            }
            _ => false,
        },
        "anything-but" => match arg {
            Value::Array(items) => !items.iter().any(|i| same(i, leaf)),
            Value::Object(m) => match m.iter().next() {
                Some((k, v)) if k == "prefix" || k == "suffix" => {
                    text.is_some_and(|t| !affix(v, t, k == "prefix"))
                }
                Some((k, v)) if k == "equals-ignore-case" => {
                    let values: Vec<&Value> = match v {
                        Value::Array(items) => items.iter().collect(),
                        one => vec![one],
                    };
                    text.is_some_and(|t| {
                        !values
                            .iter()
                            .any(|v| v.as_str().is_some_and(|v| lower(v) == lower(t)))
                    })
                }
                Some((k, _)) if k == "wildcard" => {
                    return Err(Unsupported("anything-but/wildcard"));
                }
                _ => false,
            },
            one => !same(one, leaf),
        },
        "cidr" => return Err(Unsupported("cidr")),
        "wildcard" => return Err(Unsupported("wildcard")),
        _ => false,
    })
}

/// Whether a pattern is about ECS task state changes: such an alert must catch failed tasks.
pub fn is_task_state_alert(pattern: &Value) -> bool {
    let has = |key: &str, want: &str| {
        pattern
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|i| i.as_str() == Some(want)))
    };
    has("source", "aws.ecs") && has("detail-type", "ECS Task State Change")
}

/// The task the synthetic events describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskValues {
    pub cluster_arn: String,
    /// The task definition ARN without its revision.
    pub task_definition: String,
}

impl TaskValues {
    /// Stand-ins for values that will come from the environment at deploy time.
    pub fn example() -> TaskValues {
        TaskValues {
            cluster_arn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/example".to_string(),
            task_definition: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/example"
                .to_string(),
        }
    }

    /// The family: the task definition's name.
    pub fn family(&self) -> &str {
        self.task_definition
            .rsplit_once('/')
            .map_or(self.task_definition.as_str(), |(_, f)| f)
    }

    /// The values of [`PATTERN_PLACEHOLDERS`].
    pub fn vars(&self) -> [(&'static str, &str); 3] {
        [
            ("cluster_arn", self.cluster_arn.as_str()),
            ("task_definition", self.task_definition.as_str()),
            ("task_family", self.family()),
        ]
    }
}

/// A task definition ARN without its `:revision`.
pub fn without_revision(arn: &str) -> &str {
    match arn.rsplit_once(':') {
        Some((head, rev))
            if !rev.is_empty()
                && rev.bytes().all(|b| b.is_ascii_digit())
                && head.contains("task-definition/") =>
        {
            head
        }
        _ => arn,
    }
}

/// An "ECS Task State Change" event for a STOPPED task, built from the documented field set
/// (the ECS developer guide's task state change events): `exit_code` `None` is a container
/// that never ran (the task failed to start).
pub fn stopped_task_event(task: &TaskValues, exit_code: Option<i64>) -> Value {
    let region = task
        .cluster_arn
        .split(':')
        .nth(3)
        .unwrap_or("ap-northeast-1");
    let account = task.cluster_arn.split(':').nth(4).unwrap_or("123456789012");
    let cluster = task.cluster_arn.rsplit('/').next().unwrap_or("example");
    let task_arn =
        format!("arn:aws:ecs:{region}:{account}:task/{cluster}/0123456789abcdef0123456789abcdef");
    let mut container = json!({
        "containerArn": format!("arn:aws:ecs:{region}:{account}:container/{cluster}/0123456789abcdef0123456789abcdef/0a97d723-d9c4-45d7-8109-471e94afa4af"),
        "lastStatus": "STOPPED",
        "name": "app",
        "taskArn": task_arn,
    });
    let mut detail = json!({
        "clusterArn": task.cluster_arn,
        "containers": [],
        "createdAt": "2026-11-29T00:00:00.000Z",
        "desiredStatus": "STOPPED",
        "group": format!("family:{}", task.family()),
        "launchType": "FARGATE",
        "lastStatus": "STOPPED",
        "startedBy": "AWS Step Functions",
        "stoppedAt": "2026-11-29T00:05:00.000Z",
        "taskArn": task_arn,
        "taskDefinitionArn": format!("{}:1", task.task_definition),
        "version": 4,
    });
    match exit_code {
        Some(code) => {
            container["exitCode"] = json!(code);
            detail["stopCode"] = json!("EssentialContainerExited");
            detail["stoppedReason"] = json!("Essential container in task exited");
            detail["startedAt"] = json!("2026-11-29T00:00:30.000Z");
        }
        None => {
            container["reason"] = json!(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref"
            );
            detail["stopCode"] = json!("TaskFailedToStart");
            detail["stoppedReason"] =
                json!("CannotPullContainerError: pull image manifest has been retried 5 time(s)");
        }
    }
    detail["containers"] = json!([container]);
    json!({
        "version": "0",
        "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": account,
        "time": "2026-11-29T00:05:00Z",
        "region": region,
        "resources": [task_arn],
        "detail": detail,
    })
}

/// What a task-state alert catches, on the synthetic events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCoverage {
    /// A container exited non-zero.
    pub nonzero_exit: bool,
    /// The task stopped before its container ran (no exit code).
    pub never_started: bool,
    /// A task whose container exited 0 (not a failure).
    pub success: bool,
}

/// Tests a pattern (placeholders already filled with `task`'s values) on the synthetic
/// events of `task`.
pub fn failure_coverage(
    pattern: &Value,
    task: &TaskValues,
) -> Result<FailureCoverage, Unsupported> {
    Ok(FailureCoverage {
        nonzero_exit: matches(pattern, &stopped_task_event(task, Some(1)))?,
        never_started: matches(pattern, &stopped_task_event(task, None))?,
        success: matches(pattern, &stopped_task_event(task, Some(0)))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Value {
        json!({
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "clusterArn": ["<cluster_arn>"],
                "taskDefinitionArn": [{"prefix": "<task_definition>:"}],
                "lastStatus": ["STOPPED"],
                "containers": {"exitCode": [{"anything-but": 0}, {"exists": false}]}
            }
        })
    }

    #[test]
    fn the_failure_pattern_catches_failures_only() {
        let task = TaskValues::example();
        let pattern = crate::settings::template::render(&bundled(), &task.vars());
        assert!(validate(&pattern).is_empty());
        let c = failure_coverage(&pattern, &task).unwrap();
        assert_eq!(
            c,
            FailureCoverage {
                nonzero_exit: true,
                never_started: true,
                success: false
            }
        );
        // Another cluster's task, or another family, is not ours.
        let other = TaskValues {
            cluster_arn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/other".into(),
            ..task.clone()
        };
        assert!(!matches(&pattern, &stopped_task_event(&other, Some(1))).unwrap());
        let other = TaskValues {
            task_definition: format!("{}-v2", task.task_definition),
            ..task
        };
        assert!(!matches(&pattern, &stopped_task_event(&other, Some(1))).unwrap());
    }

    #[test]
    fn anything_but_alone_misses_a_task_that_never_started() {
        let task = TaskValues::example();
        let pattern = json!({"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"], "detail": {"containers": {"exitCode": [{"anything-but": 0}]}}});
        let c = failure_coverage(&pattern, &task).unwrap();
        assert!(c.nonzero_exit && !c.never_started && !c.success);
        // A string "0" never equals the number 0: this alerts on every stop.
        let pattern = json!({"detail": {"containers": {"exitCode": [{"anything-but": "0"}]}}});
        assert!(failure_coverage(&pattern, &task).unwrap().success);
    }

    #[test]
    fn validation_finds_what_eventbridge_rejects() {
        let msgs = |p: Value| {
            validate(&p)
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert!(msgs(json!({"source": "aws.ecs"}))[0].contains("wants a list"));
        assert!(
            msgs(json!({"detail": {"exitCode": {"anything-but": 0}}}))[0]
                .contains("outside a list")
        );
        assert!(
            msgs(json!({"a": [{"prefx": "x"}]}))[0].contains("not an EventBridge pattern operator")
        );
        assert!(msgs(json!({"a": [{"exists": "false"}]}))[0].contains("true or false"));
        assert!(msgs(json!({"a": [{"numeric": ["<", 1, ">", 0]}]}))[0].contains("lower bound"));
        assert!(msgs(json!({"a": [{"numeric": [">", 5, "<", 1]}]}))[0].contains("empty"));
        assert!(
            msgs(json!({"a": [{"anything-but": [1, "a"]}]}))[0]
                .contains("only strings or only numbers")
        );
        assert!(msgs(json!({"a": []}))[0].contains("matches nothing"));
        assert!(msgs(json!({}))[0].contains("empty"));
        assert!(msgs(json!({"$or": [{"a": ["x"]}]}))[0].contains("at least two"));
        let e = &validate(&json!({"detail": {"x": [{"prefx": "a"}]}}))[0];
        assert_eq!(
            e.path,
            vec![
                Seg::Key("detail".into()),
                Seg::Key("x".into()),
                Seg::Index(0)
            ]
        );
        assert!(e.help.contains("did you mean `prefix`?"));
        assert!(validate(&bundled()).is_empty());
    }

    #[test]
    fn or_and_unsupported_operators() {
        let p = json!({"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 1]}]}]});
        assert!(matches(&p, &json!({"b": 2})).unwrap());
        assert!(!matches(&p, &json!({"b": 1, "a": "y"})).unwrap());
        assert_eq!(
            matches(
                &json!({"ip": [{"cidr": "10.0.0.0/8"}]}),
                &json!({"ip": "10.0.0.1"})
            ),
            Err(Unsupported("cidr"))
        );
    }

    #[test]
    fn revisions_are_dropped() {
        assert_eq!(
            without_revision("arn:aws:ecs:r:1:task-definition/batch:12"),
            "arn:aws:ecs:r:1:task-definition/batch"
        );
        assert_eq!(
            without_revision("arn:aws:ecs:r:1:task-definition/batch"),
            "arn:aws:ecs:r:1:task-definition/batch"
        );
    }
}
