//! The published JSON Schemas against an independent validator (Python's `jsonschema`, which
//! ./test.sh installs): every valid fixture and bundled file passes it and cronbridge's own
//! check; every fixture with an unknown key, a wrong type or a missing required key fails
//! both, at the same lines and columns. Fixtures: `tests/fixtures/files/`.

use cronbridge::check::{self, Options};
use cronbridge::finding::{Finding, Rule, Severity};
use cronbridge::settings::template;
use cronbridge::shape::Type;
use cronbridge::source::{self, Source};
use cronbridge::yaml::{self, Document, Node};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{self, Repo};

const PYTHON_VAR: &str = "CRONBRIDGE_TEST_PYTHON";

/// The Python with `jsonschema`; the tests fail (never skip) without it.
fn python() -> String {
    std::env::var(PYTHON_VAR).unwrap_or_else(|_| {
        panic!("{PYTHON_VAR} is not set: these tests need Python with `jsonschema` (tests/requirements.txt). Run ./test.sh, which installs it into .venv and sets it, or set {PYTHON_VAR}=/path/to/python yourself")
    })
}

/// Checks the schema against the 2020-12 meta-schema, then prints each instance's errors as
/// `{path, validator, keys}`: the keys an `additionalProperties` error is about, the missing
/// keys of a `required` one.
const VALIDATE: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
job = json.load(sys.stdin)
Draft202012Validator.check_schema(job["schema"])
validator = Draft202012Validator(job["schema"])
out = []
for instance in job["instances"]:
    errors = []
    for e in validator.iter_errors(instance):
        keys = []
        if e.validator == "additionalProperties":
            known = e.schema.get("properties", {})
            keys = [k for k in e.instance if k not in known]
        elif e.validator == "required":
            keys = [k for k in e.validator_value if k not in e.instance]
        errors.append({"path": list(e.absolute_path), "validator": e.validator, "keys": keys, "message": e.message})
    out.append(errors)
json.dump(out, sys.stdout)
"#;

/// One validator error.
#[derive(Debug)]
struct SchemaError {
    path: Vec<Value>,
    validator: String,
    keys: Vec<String>,
    message: String,
}

/// Validates every instance against the schema, in one Python run.
fn validate(schema: &Value, instances: &[Value]) -> Vec<Vec<SchemaError>> {
    let mut child = Command::new(python())
        .args(["-c", VALIDATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    let job = json!({"schema": schema, "instances": instances});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the validator failed (is `jsonschema` installed in {PYTHON_VAR}?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Vec<Value>> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .into_iter()
        .map(|errors| {
            errors
                .into_iter()
                .map(|e| SchemaError {
                    path: e["path"].as_array().unwrap().clone(),
                    validator: e["validator"].as_str().unwrap().to_string(),
                    keys: e["keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| k.as_str().unwrap().to_string())
                        .collect(),
                    message: e["message"].as_str().unwrap().to_string(),
                })
                .collect()
        })
        .collect()
}

/// The committed schema of a kind (`schedules`, `rules`, `settings`).
fn schema(kind: &str) -> Value {
    let path = format!("{}/schema/{kind}.schema.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read schema")).unwrap()
}

/// A YAML file's tree, which must be valid YAML.
fn tree(file: &str, text: &str) -> Node {
    match yaml::parse(file, text) {
        (Document::Root(root), findings) if findings.is_empty() => root,
        other => panic!("{file}: {other:?}"),
    }
}

/// The document as JSON, with YAML 1.2's core schema (as yaml-language-server reads it).
fn instance(file: &str, root: &Node) -> Value {
    template::to_json(root, file, Rule::YamlSyntax).unwrap()
}

/// Where a schema error is, as cronbridge places the same mistake: an unknown key at the
/// key, a missing key (also one that another key needs) at the name of the mapping that
/// lacks it (or at the mapping, in a list), anything else at the value.
fn locations(file: &str, root: &Node, error: &SchemaError) -> Vec<(u32, u32)> {
    let mut node = root;
    let mut named_by = None;
    for seg in &error.path {
        let (next, key) = match seg {
            Value::String(k) => {
                let entry = node.entry(k).expect("path in the tree");
                (&entry.value, Some(&entry.key))
            }
            Value::Number(i) => (&node.items().unwrap()[i.as_u64().unwrap() as usize], None),
            other => panic!("{other}"),
        };
        node = next;
        named_by = key;
    }
    let at = |n: &Node| {
        let l = n.location(file);
        (l.line, l.column)
    };
    match error.validator.as_str() {
        "additionalProperties" => error
            .keys
            .iter()
            .map(|k| at(&node.entry(k).unwrap().key))
            .collect(),
        "required" | "dependentRequired" => vec![at(named_by.unwrap_or(node))],
        _ => vec![at(node)],
    }
}

/// Where a fixture goes in a repository, and what else the repository needs for `check`.
fn repo_with(kind: &str, name: &str, text: &str) -> (Repo, String) {
    let repo = Repo::new();
    let bundled = include_str!("../../schedules/batches.yml");
    let path = match kind {
        "schedules" => {
            // Keys only EventBridge Scheduler has are checked on that backend.
            if name.starts_with("scheduler-") {
                repo.write("cronbridge.yml", "aws:\n  backend: scheduler\n");
            }
            format!("schedules/{name}")
        }
        "rules" => {
            repo.write("schedules/batches.yml", bundled);
            format!("rules/{name}")
        }
        "settings" => {
            repo.write("schedules/batches.yml", bundled);
            "cronbridge.yml".to_string()
        }
        other => panic!("{other}"),
    };
    repo.write(&path, text);
    (repo, path)
}

/// Everything `check` finds in the file.
fn check_findings(repo: &Repo, path: &str) -> Vec<Finding> {
    let inputs = source::read_inputs(&Source::WorkTree(repo.dir.clone()), None).unwrap();
    let options = Options {
        now: common::NOW.parse().unwrap(),
        horizon_days: 30,
    };
    check::analyse(inputs, &options)
        .findings
        .into_iter()
        .filter(|f| f.location.file == path)
        .collect()
}

/// The fixtures of `tests/fixtures/files/<which>/<kind>/`.
fn fixtures(which: &str, kind: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/files")
        .join(which)
        .join(kind);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {}", dir.display());
    names
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

const KINDS: [&str; 3] = ["schedules", "rules", "settings"];

fn describe(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {:?} {}: {}", e.path, e.validator, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn valid_fixtures_and_bundled_files_pass_the_schema_and_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for kind in KINDS {
        let mut files = fixtures("valid", kind);
        // The bundled files, under their own names.
        let bundled = match kind {
            "schedules" => vec!["schedules/batches.yml"],
            "rules" => vec!["rules/policies.yml", "rules/alerts.yml"],
            _ => vec!["cronbridge.yml"],
        };
        for path in bundled {
            if let Ok(text) = std::fs::read_to_string(root.join(path)) {
                let name = Path::new(path).file_name().unwrap().to_string_lossy();
                files.push((name.to_string(), text));
            }
        }
        let trees: Vec<Node> = files.iter().map(|(n, t)| tree(n, t)).collect();
        let instances: Vec<Value> = files
            .iter()
            .zip(&trees)
            .map(|((n, _), t)| instance(n, t))
            .collect();
        let results = validate(&schema(kind), &instances);
        for ((name, text), errors) in files.iter().zip(results) {
            assert!(
                errors.is_empty(),
                "{kind}/{name} fails the schema:\n{}",
                describe(&errors)
            );
            let (repo, path) = repo_with(kind, name, text);
            let errors: Vec<_> = check_findings(&repo, &path)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{kind}/{name} fails check: {errors:#?}");
        }
    }
}

#[test]
fn invalid_fixtures_fail_the_schema_and_check_at_the_same_places() {
    let key_rules = ["/unknown-key", "/wrong-type", "/missing-key"];
    for kind in KINDS {
        let files = fixtures("invalid", kind);
        let trees: Vec<Node> = files.iter().map(|(n, t)| tree(n, t)).collect();
        let instances: Vec<Value> = files
            .iter()
            .zip(&trees)
            .map(|((n, _), t)| instance(n, t))
            .collect();
        let results = validate(&schema(kind), &instances);
        for (((name, text), root), errors) in files.iter().zip(&trees).zip(results) {
            let (repo, path) = repo_with(kind, name, text);
            assert!(!errors.is_empty(), "{kind}/{name} passes the schema");
            let from_schema: BTreeSet<(u32, u32)> = errors
                .iter()
                .flat_map(|e| locations(&path, root, e))
                .collect();
            let findings = check_findings(&repo, &path);
            let errors_at: BTreeSet<(u32, u32)> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| (f.location.line, f.location.column))
                .collect();
            let key_errors_at: BTreeSet<(u32, u32)> = findings
                .iter()
                .filter(|f| key_rules.iter().any(|r| f.rule.id().ends_with(r)))
                .map(|f| (f.location.line, f.location.column))
                .collect();
            assert!(
                !key_errors_at.is_empty(),
                "{kind}/{name}: check finds no unknown key, wrong type or missing key: {findings:#?}"
            );
            assert!(
                from_schema.is_subset(&errors_at),
                "{kind}/{name}: the schema finds errors at {from_schema:?}, check at {errors_at:?}:\n{}",
                describe(&errors)
            );
            assert!(
                key_errors_at.is_subset(&from_schema),
                "{kind}/{name}: check finds key and type errors at {key_errors_at:?}, the schema at {from_schema:?}:\n{}",
                describe(&errors)
            );
        }
    }
}

/// The declared keys under `ty` that `value` uses, as `object.key`.
fn used_keys(ty: &Type, value: &Value, out: &mut BTreeSet<String>) {
    match (ty, value) {
        (Type::Object(object), Value::Object(map)) => {
            for (key, v) in map {
                if let Some(field) = object.field(key) {
                    out.insert(format!("{}.{key}", object.name));
                    used_keys(&field.ty, v, out);
                }
            }
        }
        (Type::List { item, .. }, Value::Array(items)) => {
            items.iter().for_each(|v| used_keys(item, v, out))
        }
        (Type::Map { value: ty, .. }, Value::Object(map)) => {
            map.values().for_each(|v| used_keys(ty, v, out))
        }
        (Type::OneOf(types), v) => types.iter().for_each(|t| used_keys(t, v, out)),
        _ => {}
    }
}

/// Every declared key under `ty`, as `object.key`.
fn declared_keys(ty: &Type, out: &mut BTreeSet<String>) {
    match ty {
        Type::Object(object) => {
            for f in object.fields {
                if out.insert(format!("{}.{}", object.name, f.key)) {
                    declared_keys(&f.ty, out);
                }
            }
        }
        Type::List { item, .. } => declared_keys(item, out),
        Type::Map { value, .. } => declared_keys(value, out),
        Type::OneOf(types) => types.iter().for_each(|t| declared_keys(t, out)),
        _ => {}
    }
}

// A key declared but used by no valid fixture would be in the schema without ever having
// been read by the loader in a test: each new key gets a line in a valid fixture.
#[test]
fn the_valid_fixtures_use_every_declared_key() {
    for file in cronbridge::cli::schema::files() {
        let mut used = BTreeSet::new();
        for (name, text) in fixtures("valid", file.kind) {
            let root = tree(&name, &text);
            used_keys(&file.root, &instance(&name, &root), &mut used);
        }
        let mut declared = BTreeSet::new();
        declared_keys(&file.root, &mut declared);
        let unused: Vec<_> = declared.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "{}: no valid fixture in tests/fixtures/files/valid/{} uses {unused:?}",
            file.kind,
            file.kind
        );
    }
}

#[test]
fn the_schema_command_prints_the_committed_schemas() {
    let repo = Repo::new();
    for kind in KINDS {
        let run = repo.run(&["schema", kind]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let committed: Value = schema(kind);
        let printed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(printed, committed, "cronbridge schema {kind}");
    }
    let run = repo.run(&["schema", "schedule"]);
    assert_eq!(run.code, 2, "an unknown kind is a usage error");
}

/// Values the loader accepts, for each place where the schema has a pattern: the schema must
/// accept them too, or an editor would mark a correct file. (The schema may accept more; the
/// loader has the last word.) Words the loader takes in any case are here in several.
const ACCEPTED: &[(&str, &str, &[&str])] = &[
    (
        "schedules",
        "\"{}\":\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::A\n  is_active: true\n",
        &["Backup", "a.b-c_d", "X1", "B-1"],
    ),
    (
        "schedules",
        "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"{}\"\n  is_active: true\n",
        &["Batches::Daily::Backup", "A", "A1_b::B2"],
    ),
    (
        "schedules",
        "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::A\n  is_active: true\n  duration: \"{}\"\n",
        &["90m", "1h30m", "2h", "1d", "1d12h", "7d", "1m", "1d1h1m"],
    ),
    (
        "schedules",
        "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::A\n  is_active: true\n  timezone: \"{}\"\n",
        &["UTC", "asia/tokyo", "America/Sao_Paulo"],
    ),
    (
        "settings",
        "rule_prefix: \"{}\"\n",
        &["cronbridge-", "x", "a.b_c-"],
    ),
    (
        "settings",
        "aws:\n  region: \"{}\"\n",
        &["ap-northeast-1", "us-gov-west-1", "cn-north-1"],
    ),
    (
        "settings",
        "aws:\n  event_bus: \"{}\"\n",
        &["default", "my-bus/x.y_z"],
    ),
    (
        "settings",
        "aws:\n  repository: \"{}\"\n",
        &["acme/batches", "octo-org/cat.js", "ünïcode/repo"],
    ),
    (
        "settings",
        "aws:\n  target:\n    role_arn: \"{}\"\n",
        &[
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role/path/to/x",
            "arn:aws-us-gov:iam::123456789012:role/x",
        ],
    ),
    (
        "settings",
        "aws:\n  target:\n    state_machine_arn: \"{}\"\n",
        &[
            "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch",
            "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:b-1",
        ],
    ),
    (
        "settings",
        "aws:\n  target:\n    dead_letter_arn: \"{}\"\n",
        &[
            "arn:aws:sqs:ap-northeast-1:123456789012:dlq",
            "arn:aws:sqs:us-east-1:123456789012:batch-dlq.fifo",
        ],
    ),
    (
        "settings",
        "aws:\n  target:\n    retry_policy: {maximum_event_age: \"{}\"}\n",
        &["1h", "24h", "1m", "1d"],
    ),
    (
        "settings",
        "manual_runs:\n  users: [\"{}\"]\n",
        &["alice", "Bob-2", "a", "a-b-c"],
    ),
    (
        "settings",
        "manual_runs:\n  teams: [\"{}\"]\n",
        &["octo-org/batch-ops", "@octo/x_y.z", "o/t"],
    ),
    (
        "rules",
        "quiet_hours:\n  - name: q\n    window: \"{}\"\n    scope: {batches: [Nobody]}\n",
        &[
            "11:00-14:00",
            "22:00-06:00",
            "0:00-24:00",
            "9:00 - 10:30",
            "00:00-00:01",
        ],
    ),
    (
        "rules",
        "quiet_hours:\n  - name: q\n    window: \"11:00-12:00\"\n    dates: [\"{}\"]\n    scope: {batches: [Nobody]}\n",
        &["12-29..01-03", "05-05", "02-29", "01-01..12-31"],
    ),
    (
        "rules",
        "quiet_hours:\n  - name: q\n    window: \"11:00-12:00\"\n    scope: {classes: [\"{}\"]}\n",
        &["Batches::Monthly::*", "*", "A_b::C"],
    ),
    (
        "rules",
        "quiet_hours:\n  - name: \"{}\"\n    window: \"11:00-12:00\"\n    scope: {batches: [Nobody]}\n",
        &["online-peak", "ランチ", " x"],
    ),
    (
        "settings",
        "aws:\n  target:\n    cluster_arn: arn:aws:ecs:us-east-1:123456789012:cluster/b\n    task_definition_arn: arn:aws:ecs:us-east-1:123456789012:task-definition/b:1\n    container_name: app\n    input: [\"<batch_class>\"]\n    launch_type: \"{}\"\n    network: {subnets: [subnet-1]}\n",
        &["FARGATE", "fargate", "Ec2", "EXTERNAL"],
    ),
    (
        "settings",
        "manual_runs:\n  permission: \"{}\"\n",
        &["write", "push", "maintain", "admin"],
    ),
    (
        "rules",
        "quiet_hours:\n  - name: q\n    window: \"11:00-12:00\"\n    days: [\"{}\"]\n    scope: {batches: [Nobody]}\n",
        &["MON", "mon", "Sat"],
    ),
    (
        "rules",
        "alerts:\n  - name: \"{}\"\n    pattern: {source: [aws.codedeploy]}\n",
        &["batch-task-failed", "A.b_1"],
    ),
    (
        "rules",
        "alerts:\n  - name: a\n    topic_arn: \"{}\"\n    pattern: {source: [aws.codedeploy]}\n",
        &["arn:aws:sns:ap-northeast-1:123456789012:batch-alerts"],
    ),
    (
        "rules",
        "alerts:\n  - name: a\n    cluster_arn: \"{}\"\n    pattern: {source: [aws.codedeploy]}\n",
        &["arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch"],
    ),
    (
        "rules",
        "alerts:\n  - name: a\n    task_definition_arn: \"{}\"\n    pattern: {source: [aws.codedeploy]}\n",
        &["arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:3"],
    ),
];

#[test]
fn the_schema_accepts_what_the_loader_accepts() {
    for kind in KINDS {
        let cases: Vec<(String, String)> = ACCEPTED
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .flat_map(|(_, template, values)| {
                values
                    .iter()
                    .map(move |v| (v.to_string(), template.replace("{}", v)))
            })
            .collect();
        let trees: Vec<Node> = cases.iter().map(|(_, t)| tree("case.yml", t)).collect();
        let instances: Vec<Value> = trees.iter().map(|t| instance("case.yml", t)).collect();
        let results = validate(&schema(kind), &instances);
        for ((value, text), errors) in cases.iter().zip(results) {
            let (repo, path) = repo_with(kind, "case.yml", text);
            // The loaders' findings; later checks (`aws/schedule-bus`) judge more than the file.
            let loader_errors: Vec<_> = check_findings(&repo, &path)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .filter(|f| {
                    ["yaml/", "schedule/", "settings/", "policy/"]
                        .iter()
                        .any(|p| f.rule.id().starts_with(p))
                })
                .collect();
            assert!(
                loader_errors.is_empty(),
                "{kind}: the loader refuses `{value}` (fix the case): {loader_errors:#?}"
            );
            assert!(
                errors.is_empty(),
                "{kind}: the loader accepts `{value}`, the schema does not:\n{}",
                describe(&errors)
            );
        }
    }
}
