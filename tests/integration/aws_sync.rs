//! The EventBridge sync against moto's server mode (started by ./test.sh), through a small
//! fault-injecting proxy on loopback for what the emulator cannot do (throttling, a failing
//! Nth call); plus the alert matcher on the event-ruler cases and sample events.
//!
//! Tests share one emulator and run in parallel: each uses its own rule prefix.

use crate::common::{self, Repo};
use cronbridge::aws::eventbridge::{ClientOptions, Connection, EventBridge};
use cronbridge::aws::sync::{self, SyncError};
use cronbridge::check::{self, Analysis, Options};
use cronbridge::deploy::desired::{BATCH_TAG, MANAGED_TAG, Rule};
use cronbridge::deploy::plan::Action;
use cronbridge::deploy::{ApplyOutcome, DeployOptions, DeployReport, Status};
use cronbridge::policy::pattern as alert;
use cronbridge::settings::template;
use cronbridge::source::{self as repo_io, Source};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ENDPOINT_VAR: &str = "CRONBRIDGE_TEST_AWS_ENDPOINT";

/// The emulator's URL; the tests fail (never skip) without it.
pub(crate) fn endpoint() -> String {
    std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!("{ENDPOINT_VAR} is not set: these tests need the moto AWS emulator. Run ./test.sh, which installs and starts it, or start `moto_server` yourself and set {ENDPOINT_VAR}=http://127.0.0.1:PORT")
    })
}

pub(crate) const ROLE: &str = "arn:aws:iam::123456789012:role/cronbridge-events";
const STATE_MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:batch";
const CLUSTER: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/batch";
const TASK_DEFINITION: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/batch:3";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:batch-alerts";

/// A prefix no other test (or earlier run against the same emulator) uses.
pub(crate) fn prefix(tag: &str) -> String {
    format!("t{}-{tag}-", std::process::id() % 100_000)
}

/// The state machine of the repository with `prefix`. Every test repository has its own: all
/// tests share one bus, and a rule of another test starting the same batch on the same state
/// machine is a double run the plan refuses.
pub(crate) fn state_machine(prefix: &str) -> String {
    format!("{STATE_MACHINE}-{}", prefix.trim_end_matches('-'))
}

pub(crate) fn settings(prefix: &str, extra: &str) -> String {
    format!(
        "rule_prefix: {prefix}\naws:\n  region: us-east-1\n  rules_quota: 100000\n{extra}  target:\n    role_arn: {ROLE}\n    state_machine_arn: {}\n",
        state_machine(prefix)
    )
}

/// A repository with the bundled schedules and rules, an alert with explicit values, and
/// settings for `prefix`.
pub(crate) fn bundled_repo(prefix: &str) -> Repo {
    let repo = Repo::new();
    repo.write("schedules/batches.yml", include_str!("../../schedules/batches.yml"))
        .write("rules/policies.yml", include_str!("../../rules/policies.yml"))
        .write(
            "rules/alerts.yml",
            &include_str!("../../rules/alerts.yml").replace(
                "    pattern:",
                &format!("    topic_arn: {TOPIC}\n    cluster_arn: {CLUSTER}\n    task_definition_arn: {TASK_DEFINITION}\n    pattern:"),
            ),
        )
        .write("cronbridge.yml", &settings(prefix, ""));
    repo
}

fn analysis(repo: &Repo) -> Analysis {
    let inputs = repo_io::read_inputs(&Source::WorkTree(repo.dir.clone()), None).unwrap();
    let now = common::NOW.parse().unwrap();
    check::analyse(
        inputs,
        &Options {
            now,
            horizon_days: 366,
        },
    )
}

pub(crate) async fn client_at(url: &str, max_attempts: u32) -> EventBridge {
    let connection = Connection {
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(url.to_string()),
        static_credentials: Some(("testing".to_string(), "testing".to_string())),
    };
    let options = ClientOptions {
        max_attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        attempt_timeout: Duration::from_secs(30),
    };
    EventBridge::connect(&connection, "default", &options).await
}

fn no_env(_: &str) -> Option<String> {
    None
}

async fn deploy(client: &EventBridge, repo: &Repo, allow_delete: bool) -> DeployReport {
    let options = DeployOptions {
        allow_delete,
        ..DeployOptions::default()
    };
    sync::deploy(client, &analysis(repo), &no_env, &options)
        .await
        .unwrap()
}

fn applied(report: &DeployReport) -> &ApplyOutcome {
    match &report.status {
        Status::Applied(a) => a,
        other => panic!("not applied: {other:?}"),
    }
}

/// The managed rules with the prefix, as EventBridge has them now.
pub(crate) async fn live_rules(client: &EventBridge, prefix: &str) -> BTreeMap<String, Rule> {
    let live = sync::read_live(client, prefix, 4).await.unwrap();
    // The bus's other schedule rules are read too (to find a batch started twice).
    live.rules
        .into_iter()
        .filter(|r| r.rule.name.starts_with(prefix))
        .map(|r| (r.rule.name.clone(), r.rule))
        .collect()
}

/// What the proxy does to requests.
#[derive(Debug, Default)]
pub(crate) struct ProxyState {
    /// Refuse every call that is not a List or Describe call (a read-only role), and count
    /// them in `writes`.
    pub(crate) read_only: bool,
    /// Every request seen, by operation (`PutRule`…), faults included.
    pub(crate) seen: Vec<String>,
    /// Answer the first attempt of every distinct request with a throttling error.
    throttle_first_attempts: bool,
    throttled: usize,
    seen_bodies: HashSet<(String, Vec<u8>)>,
    /// Fail the Nth write request (1-based) with a non-retryable error.
    fail_write: Option<usize>,
    pub(crate) writes: usize,
}

const WRITES: &[&str] = &[
    "PutRule",
    "PutTargets",
    "RemoveTargets",
    "DeleteRule",
    "TagResource",
    "UntagResource",
];

impl ProxyState {
    fn count(&self, ops: &[&str]) -> usize {
        self.seen
            .iter()
            .filter(|op| ops.contains(&op.as_str()))
            .count()
    }
}

/// A loopback HTTP proxy in front of the emulator: one request per connection, forwarded
/// with `Connection: close`, or answered with an injected AWS error.
pub(crate) struct Proxy {
    pub(crate) url: String,
    state: Arc<Mutex<ProxyState>>,
}

impl Proxy {
    pub(crate) fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (shared, upstream) = (shared.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &upstream, &shared);
                });
            }
        });
        Proxy { url, state }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, ProxyState> {
        self.state.lock().unwrap()
    }
}

/// One HTTP/1.1 request off the stream: its head (request line and headers) and body.
pub(crate) fn read_request(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[header_end..].to_vec();
    Ok((head, body))
}

fn error_response(code: &str, message: &str) -> Vec<u8> {
    let body = format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}");
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\nx-amzn-ErrorType: {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(mut client: TcpStream, upstream: &str, state: &Mutex<ProxyState>) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let op = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-amz-target:")
                .then(|| l.rsplit('.').next().unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let fault = {
        let mut s = state.lock().unwrap();
        s.seen.push(op.clone());
        let mut fault = None;
        if s.read_only && !(op.starts_with("List") || op.starts_with("Describe")) {
            s.writes += 1;
            fault = Some(error_response(
                "AccessDeniedException",
                "the role is read-only",
            ));
        } else if WRITES.contains(&op.as_str()) {
            s.writes += 1;
            if s.fail_write == Some(s.writes) {
                fault = Some(error_response("AccessDeniedException", "injected failure"));
            }
        }
        if fault.is_none()
            && s.throttle_first_attempts
            && s.seen_bodies.insert((op.clone(), body.clone()))
        {
            s.throttled += 1;
            fault = Some(error_response("ThrottlingException", "Rate exceeded"));
        }
        fault
    };
    if let Some(response) = fault {
        return client.write_all(&response);
    }
    forward(&mut client, upstream, &head, &body)
}

/// Sends the request to `upstream` with `Connection: close` and relays the whole answer.
pub(crate) fn forward(
    client: &mut TcpStream,
    upstream: &str,
    head: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let mut server = TcpStream::connect(upstream)?;
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let head = head.trim_end_matches("\r\n").to_string() + "\r\nConnection: close\r\n\r\n";
    server.write_all(head.as_bytes())?;
    server.write_all(body)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    client.write_all(&response)
}

#[tokio::test]
async fn bundled_schedules_apply_from_nothing_and_twice_is_a_no_op() {
    let prefix = prefix("bundled");
    let repo = bundled_repo(&prefix);
    let proxy = Proxy::start(&endpoint());
    let client = client_at(&proxy.url, 3).await;
    let report = deploy(&client, &repo, false).await;
    assert_eq!(report.plan.count(Action::Create), 8, "{:?}", report.plan);
    assert!(!report.failed(), "{report:?}");
    assert_eq!(applied(&report).succeeded(), 8);

    let rules = live_rules(&client, &prefix).await;
    assert_eq!(rules.len(), 8);
    let backup = &rules[&format!("{prefix}Backup")];
    assert_eq!(
        backup.schedule_expression.as_deref(),
        Some("cron(0 0 * * ? *)")
    );
    assert_eq!(backup.state, "ENABLED");
    assert_eq!(
        backup.description.as_deref(),
        Some("cron(0 9 * * ? *) Asia/Tokyo: バックアップ")
    );
    assert_eq!(backup.tags[MANAGED_TAG], "true");
    assert_eq!(backup.tags[BATCH_TAG], "Backup");
    assert_eq!(backup.targets.len(), 1);
    let target = &backup.targets[0];
    assert_eq!(
        (target.arn.as_str(), target.role_arn.as_deref()),
        (state_machine(&prefix).as_str(), Some(ROLE))
    );
    let input: Value = serde_json::from_str(target.input.as_deref().unwrap()).unwrap();
    assert_eq!(
        input,
        json!({"batch": "Backup", "batch_class": "Batches::Daily::Backup"})
    );
    // An inactive batch keeps its rule, disabled.
    assert_eq!(rules[&format!("{prefix}LegacyCsvExport")].state, "DISABLED");
    let alert_rule = &rules[&format!("{prefix}batch-task-failed")];
    assert_eq!(alert_rule.targets[0].arn, TOPIC);
    let pattern: Value =
        serde_json::from_str(alert_rule.event_pattern.as_deref().unwrap()).unwrap();
    assert_eq!(pattern["detail"]["clusterArn"], json!([CLUSTER]));
    assert_eq!(
        pattern["detail"]["containers"]["exitCode"],
        json!([{"anything-but": 0}, {"exists": false}])
    );

    // The second apply reads and writes nothing: no write call reaches the emulator, and
    // each rule's tags and targets are read once.
    let before = proxy.state().seen.len();
    let second = deploy(&client, &repo, false).await;
    assert!(!second.plan.has_changes(), "{:?}", second.plan.changes);
    let s = proxy.state();
    let second_calls = &s.seen[before..];
    assert_eq!(
        second_calls
            .iter()
            .filter(|op| WRITES.contains(&op.as_str()))
            .count(),
        0,
        "{second_calls:?}"
    );
    // Targets: of the 8 managed rules, and of the bus's other enabled schedule rules (other
    // tests' rules on the shared emulator), each at most once.
    let calls = |name: &str| second_calls.iter().filter(|op| *op == name).count();
    let (targets, tags) = (calls("ListTargetsByRule"), calls("ListTagsForResource"));
    assert!(
        (8..=tags).contains(&targets),
        "{targets} ListTargetsByRule, {tags} ListTagsForResource"
    );
    // The report counts calls cumulatively for this client; the proxy agrees with it.
    assert_eq!(s.count(WRITES) as u64, second.calls.writes());
}

#[tokio::test]
async fn one_change_one_update_one_removal_one_delete_and_unmanaged_rules_survive() {
    let prefix = prefix("edit");
    let repo = bundled_repo(&prefix);
    let client = client_at(&endpoint(), 3).await;
    deploy(&client, &repo, false).await;
    // Someone created a rule by hand with the same prefix: cronbridge must leave it alone.
    let manual = Rule {
        name: format!("{prefix}Manual"),
        schedule_expression: Some("rate(1 day)".to_string()),
        event_pattern: None,
        state: "ENABLED".to_string(),
        description: None,
        tags: BTreeMap::new(),
        targets: Vec::new(),
    };
    client.put_rule(&manual, "ENABLED").await.unwrap();

    let text = include_str!("../../schedules/batches.yml")
        .replace("cron: \"0 9 * * ? *\"", "cron: \"0 10 * * ? *\"");
    repo.write("schedules/batches.yml", &text);
    let report = deploy(&client, &repo, false).await;
    let changes: Vec<_> = report
        .plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].name.clone(), changes[0].action),
        (format!("{prefix}Backup"), Action::Update)
    );
    let fields: Vec<_> = changes[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["schedule", "description"]);
    assert_eq!(report.plan.unmanaged, vec![format!("{prefix}Manual")]);
    assert_eq!(applied(&report).rules[0].steps, vec!["PutRule"]);
    assert_eq!(
        live_rules(&client, &prefix).await[&format!("{prefix}Backup")]
            .schedule_expression
            .as_deref(),
        Some("cron(0 1 * * ? *)")
    );

    // Remove one batch: exactly its rule goes, targets first.
    let start = text.find("PayrollExport:").unwrap();
    let end = start + text[start..].find("\n\n").unwrap() + 2;
    repo.write(
        "schedules/batches.yml",
        &format!("{}{}", &text[..start], &text[end..]),
    );
    let report = deploy(&client, &repo, false).await;
    let changes: Vec<_> = report
        .plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].action, Action::Delete);
    assert_eq!(
        applied(&report).rules[0].steps,
        vec!["RemoveTargets", "DeleteRule"]
    );
    let live = sync::read_live(&client, &prefix, 4).await.unwrap();
    let names: Vec<_> = live.rules.iter().map(|r| r.rule.name.clone()).collect();
    assert!(!names.contains(&format!("{prefix}PayrollExport")));
    assert!(
        names.contains(&format!("{prefix}Manual")),
        "the unmanaged rule survives"
    );
}

#[tokio::test]
async fn mass_deletion_needs_allow_delete() {
    let prefix = prefix("guard");
    let repo = Repo::new();
    repo.write(
        "cronbridge.yml",
        &settings(&prefix, "  max_delete_share: 0.25\n"),
    );
    let batch = |name: &str| {
        format!(
            "{name}:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: \"Batches::{name}\"\n  is_active: true\n"
        )
    };
    for name in ["A", "B", "C", "D", "E"] {
        repo.write(&format!("schedules/{name}.yml"), &batch(name));
    }
    let client = client_at(&endpoint(), 3).await;
    assert_eq!(applied(&deploy(&client, &repo, false).await).succeeded(), 5);
    // Two of five is more than a quarter.
    repo.remove("schedules/A.yml").remove("schedules/B.yml");
    let report = deploy(&client, &repo, false).await;
    let Status::Refused { reasons } = &report.status else {
        panic!("{:?}", report.status)
    };
    assert!(
        reasons[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("--allow-delete"),
        "{reasons:?}"
    );
    assert!(report.failed());
    assert_eq!(
        live_rules(&client, &prefix).await.len(),
        5,
        "nothing was deleted"
    );
    // Every schedule file gone: all managed rules would go.
    for name in ["C", "D", "E"] {
        repo.remove(&format!("schedules/{name}.yml"));
    }
    let report = deploy(&client, &repo, false).await;
    let Status::Refused { reasons } = &report.status else {
        panic!("{:?}", report.status)
    };
    assert!(
        reasons[0].message.contains("deletes all 5 rules"),
        "{reasons:?}"
    );
    let report = deploy(&client, &repo, true).await;
    assert_eq!(applied(&report).succeeded(), 5);
    assert!(live_rules(&client, &prefix).await.is_empty());
}

#[tokio::test]
async fn check_errors_refuse_before_anything_is_read() {
    // Regression: a schedules file with a syntax error loads no batches; deploying it would
    // have deleted every rule it defines.
    let prefix = prefix("broken");
    let repo = bundled_repo(&prefix);
    let client = client_at(&endpoint(), 3).await;
    deploy(&client, &repo, false).await;
    repo.write(
        "schedules/batches.yml",
        "Backup:\n  cron: \"0 9 * * ? *\n  is_active: true\n",
    );
    let err = sync::deploy(
        &client,
        &analysis(&repo),
        &no_env,
        &DeployOptions::default(),
    )
    .await
    .unwrap_err();
    let SyncError::Blocked(cronbridge::deploy::Blocked::CheckErrors(findings)) = &err else {
        panic!("{err:?}")
    };
    assert!(
        findings
            .iter()
            .any(|f| f.rule == cronbridge::finding::Rule::YamlSyntax),
        "{findings:?}"
    );
    assert!(err.to_string().contains("nothing is planned or applied"));
    assert_eq!(live_rules(&client, &prefix).await.len(), 8);
}

#[tokio::test]
async fn an_apply_failing_at_the_nth_call_converges_when_run_again() {
    let prefix = prefix("fail");
    let repo = bundled_repo(&prefix);
    let proxy = Proxy::start(&endpoint());
    proxy.state().fail_write = Some(7);
    let client = client_at(&proxy.url, 3).await;
    let first = deploy(&client, &repo, false).await;
    let failed: Vec<_> = applied(&first).failed().collect();
    assert_eq!(failed.len(), 1, "{first:?}");
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("AccessDeniedException")
    );
    assert!(first.failed());
    // The next run plans afresh from what EventBridge has, and finishes.
    let second = deploy(&client, &repo, false).await;
    assert!(second.plan.has_changes());
    assert!(!second.failed(), "{second:?}");
    let third = deploy(&client, &repo, false).await;
    assert!(!third.plan.has_changes(), "{:?}", third.plan.changes);
    let rules = live_rules(&client, &prefix).await;
    assert_eq!(rules.len(), 8);
    assert!(rules.values().all(|r| r.targets.len() == 1));
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk() {
    let prefix = prefix("throttle");
    let repo = bundled_repo(&prefix);
    let proxy = Proxy::start(&endpoint());
    proxy.state().throttle_first_attempts = true;
    let client = client_at(&proxy.url, 4).await;
    let report = deploy(&client, &repo, false).await;
    assert!(!report.failed(), "{report:?}");
    let throttled = proxy.state().throttled as u64;
    assert!(
        throttled >= 8 * 3,
        "every distinct call was throttled once: {throttled}"
    );
    assert_eq!(report.calls.retries(), throttled);
    assert_eq!(live_rules(&client, &prefix).await.len(), 8);
}

#[test]
fn cli_plan_apply_and_detailed_exit_codes() {
    let url = endpoint();
    let prefix = prefix("cli");
    let repo = bundled_repo(&prefix);
    let run = |args: &[&str]| {
        let mut cmd = common::cronbridge(&repo.dir);
        cmd.env("AWS_ENDPOINT_URL", &url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(args);
        common::run(&mut cmd, &repo.dir)
    };
    let plan = run(&["plan", "--detailed-exitcode", "--now", common::NOW]);
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout
            .contains(&format!("  + {prefix}Backup  (batch Backup)")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 8 to create, 0 to update, 0 to delete, 0 unchanged")
    );
    let apply = run(&["apply", "--now", common::NOW]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("Applied: 8 rule(s) done, 0 failed."),
        "{}",
        apply.stdout
    );
    let again = run(&[
        "plan",
        "--detailed-exitcode",
        "--now",
        common::NOW,
        "--format",
        "json",
    ]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let json: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["counts"],
        json!({"create": 0, "update": 0, "delete": 0, "unchanged": 8})
    );
    let md = run(&[
        "apply",
        "--dry-run",
        "--format",
        "markdown",
        "--now",
        common::NOW,
    ]);
    assert!(
        md.stdout
            .contains("No changes: EventBridge already matches the repository."),
        "{}",
        md.stdout
    );
    // A broken schedules file: refused with a clear message, exit 1 (also with the flag).
    repo.write("schedules/batches.yml", "Backup: [\n");
    let broken = run(&["plan", "--detailed-exitcode", "--now", common::NOW]);
    assert_eq!(broken.code, 1, "{}{}", broken.stdout, broken.stderr);
    assert!(
        broken
            .stderr
            .contains("nothing is planned or applied until they are fixed"),
        "{}",
        broken.stderr
    );
    let broken = run(&["apply", "--now", common::NOW]);
    assert_eq!(broken.code, 1);
}

/// Cases of `fixtures/aws/event-patterns` whose operators the matcher evaluates.
#[test]
fn matcher_agrees_with_event_ruler() {
    let cases: Vec<Value> = serde_json::from_str(include_str!(
        "../fixtures/aws/event-patterns/event-ruler.RulerTest.cases.json"
    ))
    .unwrap();
    let mut ran = 0;
    for case in &cases {
        let pattern = &case["pattern"];
        assert!(
            alert::validate(pattern).is_empty(),
            "{}: {:?}",
            case["name"],
            alert::validate(pattern)
        );
        match alert::matches(pattern, &case["event"]) {
            Ok(got) => {
                assert_eq!(got, case["matches"].as_bool().unwrap(), "{}", case["name"]);
                ran += 1;
            }
            // Only `cidr` is outside what the matcher evaluates.
            Err(unsupported) => assert_eq!(unsupported.0, "cidr", "{}", case["name"]),
        }
    }
    assert_eq!((ran, cases.len()), (54, 55));
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/aws/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The bundled alert's pattern with the placeholders filled for `cluster` and `task`.
fn bundled_pattern(cluster: &str, task_definition: &str) -> Value {
    let settings = cronbridge::settings::Settings::default();
    let (policies, findings) = cronbridge::policy::load::load(
        "rules/alerts.yml",
        include_str!("../../rules/alerts.yml"),
        &settings,
    );
    assert!(findings.is_empty(), "{findings:?}");
    let task = alert::TaskValues {
        cluster_arn: cluster.to_string(),
        task_definition: alert::without_revision(task_definition).to_string(),
    };
    template::render(&policies.alerts[0].pattern, &task.vars())
}

#[test]
fn bundled_alert_ignores_the_sample_events_that_are_no_failure() {
    for name in [
        "ecs.task-state-change.stopped.exit-0.user-initiated.json",
        "ecs.task-state-change.running.container-exit-0.json",
        "ecs.task-state-change.running.fargate.awsdocs.json",
        "scheduled-event.awsdocs.json",
        "scheduled-event.aws-lambda-dotnet.json",
    ] {
        let event = fixture(name);
        // The alert is pointed at the event's own cluster and task definition, so only the
        // status and exit code decide.
        let detail = &event["detail"];
        let cluster = detail["clusterArn"].as_str().unwrap_or(CLUSTER);
        let task = detail["taskDefinitionArn"]
            .as_str()
            .unwrap_or(TASK_DEFINITION);
        let pattern = bundled_pattern(cluster, task);
        assert!(!alert::matches(&pattern, &event).unwrap(), "{name}");
    }
}

/// Failed tasks, built by hand from the documented ECS task state change fields (no licensed
/// sample of either exists; see fixtures/aws/README.md), from the stopped fixture event.
#[test]
fn bundled_alert_matches_a_non_zero_exit_and_a_task_that_never_started() {
    let stopped = fixture("ecs.task-state-change.stopped.exit-0.user-initiated.json");
    let detail = &stopped["detail"];
    let pattern = bundled_pattern(
        detail["clusterArn"].as_str().unwrap(),
        detail["taskDefinitionArn"].as_str().unwrap(),
    );

    let mut exited = stopped.clone();
    exited["detail"]["stopCode"] = json!("EssentialContainerExited");
    exited["detail"]["stoppedReason"] = json!("Essential container in task exited");
    exited["detail"]["containers"][0]["exitCode"] = json!(1);
    assert!(alert::matches(&pattern, &exited).unwrap());

    let mut never_started = stopped.clone();
    never_started["detail"]["stopCode"] = json!("TaskFailedToStart");
    never_started["detail"]["stoppedReason"] =
        json!("CannotPullContainerError: pull image manifest has been retried 5 time(s)");
    let container = never_started["detail"]["containers"][0]
        .as_object_mut()
        .unwrap();
    container.remove("exitCode");
    container.insert(
        "reason".into(),
        json!("CannotPullContainerError: ref not found"),
    );
    assert!(alert::matches(&pattern, &never_started).unwrap());

    // Another family's failure is not this alert's.
    let mut other = exited.clone();
    other["detail"]["taskDefinitionArn"] =
        json!("arn:aws:ecs:eu-west-1:0123456789:task-definition/webapp-worker:2");
    assert!(!alert::matches(&pattern, &other).unwrap());
    // The library's own synthetic events agree.
    let task = alert::TaskValues::example();
    let c = alert::failure_coverage(
        &template::render(
            &bundled_pattern(&task.cluster_arn, &task.task_definition),
            &task.vars(),
        ),
        &task,
    )
    .unwrap();
    assert!(c.nonzero_exit && c.never_started && !c.success);
}
