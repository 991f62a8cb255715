//! Manual runs end to end: `cronbridge github` on real `issue_comment` payloads against a fake
//! GitHub API (permissions, reactions, replies, files per ref) and moto's Step Functions, and
//! `cronbridge run`. Every refusal checks on moto that no execution exists.

use crate::common::{self, BACKUP, Repo, Run};
use aws_sdk_sfn::Client as Sfn;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ENDPOINT_VAR: &str = "CRONBRIDGE_TEST_AWS_ENDPOINT";
/// A token the tests look for everywhere it must not be.
const TOKEN: &str = "ghs_MANUALRUNnotarealtoken0123456789";
/// The fixtures' repositories have this default branch.
const DEFAULT_BRANCH: &str = "master";
/// The pull request's head branch in the fake API.
const HEAD_BRANCH: &str = "feature";
const ROLE: &str = "arn:aws:iam::123456789012:role/cronbridge-events";

/// The emulator's URL; the tests fail (never skip) without it.
pub(crate) fn endpoint() -> String {
    std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!("{ENDPOINT_VAR} is not set: these tests need the moto AWS emulator. Run ./test.sh, which installs and starts it, or start `moto_server` yourself and set {ENDPOINT_VAR}=http://127.0.0.1:PORT")
    })
}

pub(crate) fn fixture(path: &str) -> Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap()
}

pub(crate) fn sfn() -> Sfn {
    let conf = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    Sfn::from_conf(conf)
}

/// A state machine no other test (or earlier run against the same emulator) uses.
pub(crate) async fn state_machine(client: &Sfn, tag: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "cb-{tag}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    client
        .create_state_machine()
        .name(name)
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .definition(r#"{"StartAt": "Run", "States": {"Run": {"Type": "Pass", "End": true}}}"#)
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_string()
}

/// Every execution of a state machine: its name and input.
async fn executions(client: &Sfn, arn: &str) -> Vec<(String, Value)> {
    let list = client
        .list_executions()
        .state_machine_arn(arn)
        .send()
        .await
        .unwrap();
    let mut out = Vec::new();
    for e in list.executions() {
        let d = client
            .describe_execution()
            .execution_arn(e.execution_arn())
            .send()
            .await
            .unwrap();
        let input = serde_json::from_str(d.input().unwrap_or("null")).unwrap();
        out.push((e.name().to_string(), input));
    }
    out
}

fn settings(state_machine: &str, extra: &str) -> String {
    format!(
        "aws:\n  region: us-east-1\n  target:\n    role_arn: {ROLE}\n    state_machine_arn: {state_machine}\n{extra}"
    )
}

const NIGHTLY: &str = "Nightly:\n  cron: \"0 2 * * ? *\"\n  description: 夜間集計\n  batch_class: \"Batches::Nightly\"\n  is_active: false\n";
const OTHER: &str = "Other:\n  cron: \"0 3 * * ? *\"\n  description: added by the pull request\n  batch_class: \"Batches::Other\"\n  is_active: true\n";

/// What the fake GitHub holds.
#[derive(Default)]
struct State {
    /// login → (`permission`, `role_name`); other logins answer 404 like a stranger.
    roles: HashMap<String, (String, String)>,
    /// (ref, path) → text. Directories are the prefixes of these paths.
    files: HashMap<(String, String), String>,
    /// (comment id, content).
    reactions: Vec<(u64, String)>,
    /// (issue number, body).
    replies: Vec<(u64, String)>,
    next_id: u64,
    /// `org/slug` → active members.
    teams: HashMap<String, Vec<String>>,
    /// Answer team lookups with 403, as GitHub does for the Actions token.
    teams_forbidden: bool,
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest"
    }))
}

/// A file as the contents API returns it: base64 with a newline every 60 characters, as the
/// real API sends (the documented example's base64 is broken; see the fixtures README).
pub(crate) fn file_json(path: &str, text: &str) -> Value {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    json!({
        "type": "file",
        "encoding": "base64",
        "size": text.len(),
        "name": path.rsplit('/').next().unwrap(),
        "path": path,
        "content": wrapped.join("\n") + "\n",
        "sha": "3d21ec53a331a6f037a91c368710b99387d012c1"
    })
}

struct Handler {
    state: Arc<Mutex<State>>,
    repository: String,
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        let path = req.url.path().to_string();
        if let Some(["orgs", org, "teams", slug, "memberships", login]) = path
            .strip_prefix('/')
            .map(|p| p.split('/').collect::<Vec<_>>())
            .as_deref()
        {
            if s.teams_forbidden {
                return ResponseTemplate::new(403)
                    .set_body_json(json!({"message": "Resource not accessible by integration"}));
            }
            let member = s
                .teams
                .get(&format!("{org}/{slug}"))
                .is_some_and(|m| m.iter().any(|l| l == login));
            return if member {
                ResponseTemplate::new(200)
                    .set_body_json(json!({"state": "active", "role": "member"}))
            } else {
                not_found()
            };
        }
        let Some(rest) = path.strip_prefix(&format!("/repos/{}/", self.repository)) else {
            return not_found();
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["collaborators", login, "permission"]) => match s.roles.get(*login) {
                Some((permission, role)) => {
                    let mut body = fixture("api/repos.get-collaborator-permission-level.200.json");
                    body["permission"] = json!(permission);
                    body["role_name"] = json!(role);
                    body["user"]["login"] = json!(login);
                    ResponseTemplate::new(200).set_body_json(body)
                }
                None => not_found(),
            },
            ("POST", ["issues", "comments", id, "reactions"]) => {
                let id: u64 = id.parse().unwrap();
                let body: Value = req.body_json().unwrap();
                let content = body["content"].as_str().unwrap().to_string();
                let exists = s.reactions.contains(&(id, content.clone()));
                if !exists {
                    s.reactions.push((id, content.clone()));
                }
                let mut reaction = fixture("api/reactions.create-for-issue-comment.201.json");
                reaction["content"] = json!(content);
                // 200 "Reaction exists" for a repeat, as GitHub answers.
                ResponseTemplate::new(if exists { 200 } else { 201 }).set_body_json(reaction)
            }
            ("POST", ["issues", number, "comments"]) => {
                let number: u64 = number.parse().unwrap();
                let body: Value = req.body_json().unwrap();
                let text = body["body"].as_str().unwrap().to_string();
                s.next_id += 1;
                let mut comment = fixture("api/issues.create-comment.201.json");
                comment["id"] = json!(s.next_id);
                comment["body"] = json!(text);
                comment["user"]["login"] = json!("github-actions[bot]");
                comment["user"]["type"] = json!("Bot");
                s.replies.push((number, text));
                ResponseTemplate::new(201).set_body_json(comment)
            }
            ("GET", ["contents", ..]) => {
                let wanted = parts[1..].join("/");
                let git_ref = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "ref")
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_else(|| DEFAULT_BRANCH.to_string());
                if let Some(text) = s.files.get(&(git_ref.clone(), wanted.clone())) {
                    return ResponseTemplate::new(200).set_body_json(file_json(&wanted, text));
                }
                let prefix = format!("{wanted}/");
                let mut entries: Vec<Value> = s
                    .files
                    .iter()
                    .filter(|((r, p), _)| *r == git_ref && p.starts_with(&prefix))
                    .filter(|((_, p), _)| !p[prefix.len()..].contains('/'))
                    .map(|((_, p), text)| {
                        json!({"type": "file", "name": &p[prefix.len()..], "path": p, "size": text.len()})
                    })
                    .collect();
                if entries.is_empty() {
                    return not_found();
                }
                entries.sort_by_key(|e| e["path"].as_str().unwrap().to_string());
                ResponseTemplate::new(200).set_body_json(entries)
            }
            _ => not_found(),
        }
    }
}

/// One repository, its fake API, a checkout, a runner directory and the state machines.
struct Scene {
    server: MockServer,
    state: Arc<Mutex<State>>,
    repository: String,
    payload: &'static str,
    /// The checkout the job runs in: the pull request's head, whose files must never be used.
    checkout: Repo,
    /// Holds the payload and the job summary.
    runner: Repo,
    sfn: Sfn,
    /// The state machine the default branch's settings name.
    machine: String,
    /// The one the checkout's settings name: nothing may ever start there.
    decoy: String,
}

impl Scene {
    async fn new(tag: &str, payload: &'static str) -> Scene {
        let repository = fixture(&format!("events/{payload}"))["repository"]["full_name"]
            .as_str()
            .unwrap()
            .to_string();
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            next_id: 5000,
            ..State::default()
        }));
        Mock::given(any())
            .respond_with(Handler {
                state: state.clone(),
                repository: repository.clone(),
            })
            .mount(&server)
            .await;
        let sfn = sfn();
        let machine = state_machine(&sfn, tag).await;
        let decoy = state_machine(&sfn, &format!("{tag}-decoy")).await;
        let scene = Scene {
            server,
            state,
            repository,
            payload,
            checkout: Repo::new(),
            runner: Repo::new(),
            sfn,
            machine,
            decoy,
        };
        let head_schedules = format!("{BACKUP}{NIGHTLY}{OTHER}");
        scene
            .checkout
            .write("cronbridge.yml", &settings(&scene.decoy, ""))
            .write("schedules/batches.yml", &head_schedules);
        scene.branch(
            DEFAULT_BRANCH,
            &settings(&scene.machine, ""),
            &format!("{BACKUP}{NIGHTLY}"),
        );
        scene.branch(HEAD_BRANCH, &settings(&scene.decoy, ""), &head_schedules);
        scene.role("writer", "write", "write");
        scene
    }

    /// Puts the settings and one schedule file on a branch of the fake API.
    fn branch(&self, git_ref: &str, settings: &str, schedules: &str) {
        let mut s = self.state.lock().unwrap();
        s.files.retain(|(r, _), _| r != git_ref);
        s.files.insert(
            (git_ref.to_string(), "cronbridge.yml".to_string()),
            settings.to_string(),
        );
        s.files.insert(
            (git_ref.to_string(), "schedules/batches.yml".to_string()),
            schedules.to_string(),
        );
    }

    fn role(&self, login: &str, permission: &str, role_name: &str) {
        self.state.lock().unwrap().roles.insert(
            login.to_string(),
            (permission.to_string(), role_name.to_string()),
        );
    }

    /// Writes the payload: the fixture with this comment id, author and body, then `patch`.
    fn comment(&self, id: u64, login: &str, body: &str, patch: impl FnOnce(&mut Value)) {
        let mut event = fixture(&format!("events/{}", self.payload));
        event["comment"]["id"] = json!(id);
        event["comment"]["user"]["login"] = json!(login);
        event["comment"]["body"] = json!(body);
        event["comment"]["html_url"] = json!(format!(
            "https://github.com/{}/issues/{}#issuecomment-{id}",
            self.repository, event["issue"]["number"]
        ));
        event["sender"]["login"] = json!(login);
        patch(&mut event);
        self.runner
            .write("event.json", &serde_json::to_string(&event).unwrap());
    }

    /// Runs `cronbridge github` as the Action would, with AWS pointed at moto.
    fn run(&self) -> Run {
        let mut cmd = common::cronbridge(&self.checkout.dir);
        cmd.args(["github"])
            .env("GITHUB_EVENT_NAME", "issue_comment")
            .env("GITHUB_EVENT_PATH", self.runner.dir.join("event.json"))
            .env("GITHUB_REPOSITORY", &self.repository)
            .env("GITHUB_API_URL", self.server.uri())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_STEP_SUMMARY", self.runner.dir.join("summary.md"));
        aws_env(&mut cmd);
        common::run(&mut cmd, &self.checkout.dir)
    }

    async fn executions(&self) -> Vec<(String, Value)> {
        executions(&self.sfn, &self.machine).await
    }

    /// Nothing started anywhere: not on the default branch's state machine, not on the decoy.
    async fn assert_nothing_started(&self, run: &Run) {
        assert_eq!(
            self.executions().await,
            [],
            "{}\n{}",
            run.stdout,
            run.stderr
        );
        assert_eq!(executions(&self.sfn, &self.decoy).await, []);
    }

    fn replies(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .replies
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }

    fn reactions(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .reactions
            .iter()
            .map(|(_, c)| c.clone())
            .collect()
    }

    async fn requests(&self) -> Vec<String> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
                format!("{} {}{query}", r.method, r.url.path())
            })
            .collect()
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.runner.dir.join("summary.md")).unwrap_or_default()
    }
}

pub(crate) fn aws_env(cmd: &mut std::process::Command) {
    cmd.env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

/// The one audit line of a run, parsed.
fn audit(run: &Run) -> Value {
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("{\"audit\":\"manual_run\""))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    serde_json::from_str(lines[0]).unwrap()
}

/// The checks every refusal shares: exit 0, 👀 then 👎, one reply saying why, the audit line
/// says refused, and nothing started anywhere.
async fn assert_refused(scene: &Scene, run: &Run, reason: &str) -> String {
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    scene.assert_nothing_started(run).await;
    assert_eq!(scene.reactions(), ["eyes", "-1"], "{}", run.stderr);
    let replies = scene.replies();
    assert_eq!(replies.len(), 1, "{replies:?}");
    let reply = replies[0].clone();
    assert!(reply.starts_with("<!-- cronbridge:run -->\n👎 "), "{reply}");
    assert!(reply.contains("nothing was started"), "{reply}");
    assert!(reply.contains(reason), "expected {reason:?} in:\n{reply}");
    assert_eq!(audit(run)["outcome"], "refused", "{}", run.stdout);
    reply
}

fn assert_no_token(texts: &[&str]) {
    for text in texts {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
}

#[tokio::test]
async fn a_writer_starts_exactly_one_execution_even_when_the_event_is_delivered_twice() {
    let scene = Scene::new("happy", "issue_comment.created.pull_request.json").await;
    scene.comment(9001, "writer", "/run Backup", |_| {});
    let first = scene.run();
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);

    let runs = scene.executions().await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    let (name, input) = &runs[0];
    assert_eq!(name, "github-9001-Backup");
    assert_eq!(
        *input,
        json!({
            "batch": "Backup",
            "batch_class": "Batches::Daily::Backup",
            "trigger": "manual",
            "requested_by": "writer",
            "requested_via": "github",
            "request_url": "https://github.com/chhsia0/knative-route-demo/issues/3#issuecomment-9001"
        })
    );
    // The checkout's settings (which name the decoy) were never used.
    assert_eq!(executions(&scene.sfn, &scene.decoy).await, []);

    // 👀 when taken up, 🚀 when started; one reply in the pull request's thread.
    assert_eq!(scene.reactions(), ["eyes", "rocket"]);
    let replies = scene.replies();
    assert_eq!(replies.len(), 1);
    let reply = &replies[0];
    let arn = format!(
        "{}:github-9001-Backup",
        scene.machine.replace(":stateMachine:", ":execution:")
    );
    assert!(
        reply.starts_with("<!-- cronbridge:run -->\n🚀 @writer started ` Backup ` now."),
        "{reply}"
    );
    assert!(
        reply.contains("| Batch | ` Backup ` — バックアップ |"),
        "{reply}"
    );
    assert!(
        reply.contains(&format!("| Execution | ` {arn} ` |")),
        "{reply}"
    );
    assert!(
        reply.contains(&format!(
            "[open in the AWS console](https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/{arn})"
        )),
        "{reply}"
    );
    let requests = scene.requests().await;
    let repo = &scene.repository;
    assert!(
        requests.contains(&format!(
            "GET /repos/{repo}/collaborators/writer/permission"
        )),
        "{requests:?}"
    );
    assert!(
        requests.contains(&format!("POST /repos/{repo}/issues/3/comments")),
        "{requests:?}"
    );
    // Files came from the default branch, and only from it.
    let contents: Vec<&String> = requests
        .iter()
        .filter(|r| r.contains("/contents/"))
        .collect();
    assert!(!contents.is_empty());
    assert!(
        contents.iter().all(|r| r.ends_with("?ref=master")),
        "{contents:?}"
    );

    // The audit line (stdout) and the job summary.
    let line = audit(&first);
    assert_eq!(line["outcome"], "started");
    assert_eq!(line["who"], "writer");
    assert_eq!(line["batch"], "Backup");
    assert_eq!(line["via"], "github");
    assert_eq!(line["execution_arn"], json!(arn));
    assert!(
        scene.summary().contains("| outcome | started |"),
        "{}",
        scene.summary()
    );

    // The same event again (a redelivery, a re-run job): nothing new starts, and the reply
    // says so.
    let second = scene.run();
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert_eq!(scene.executions().await.len(), 1);
    assert_eq!(audit(&second)["outcome"], "already_started");
    let replies = scene.replies();
    assert_eq!(replies.len(), 2);
    assert!(
        replies[1].contains("this comment already started ` Backup `; nothing new was started"),
        "{}",
        replies[1]
    );
    assert!(replies[1].contains(&arn), "{}", replies[1]);

    // The token went to the API and nowhere else.
    let raw = scene.server.received_requests().await.unwrap();
    let bodies: Vec<String> = raw
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    let summary = scene.summary();
    let mut texts = vec![
        first.stdout.as_str(),
        first.stderr.as_str(),
        second.stdout.as_str(),
        second.stderr.as_str(),
        summary.as_str(),
    ];
    texts.extend(bodies.iter().map(String::as_str));
    assert_no_token(&texts);
}

#[tokio::test]
async fn readers_triagers_and_strangers_are_refused() {
    for (login, permission, role) in [
        ("reader", Some("read"), "read"),
        ("triager", Some("read"), "triage"),
        ("stranger", None, ""),
    ] {
        let scene = Scene::new("reader", "issue_comment.created.issue.json").await;
        if let Some(p) = permission {
            scene.role(login, p, role);
        }
        scene.comment(9100, login, "/run Backup", |_| {});
        let run = scene.run();
        let reply = assert_refused(&scene, &run, "needs the ` write ` role").await;
        let have = if permission.is_some() {
            format!("you have ` {role} `")
        } else {
            "you have no access".to_string()
        };
        assert!(reply.contains(&have), "{login}: {reply}");
    }
}

#[tokio::test]
async fn a_member_by_association_with_read_permission_is_refused() {
    // author_association says MEMBER (the organisation), but the repository role is read:
    // only the permission API counts.
    let scene = Scene::new("member", "issue_comment.created.issue.json").await;
    scene.role("member", "read", "read");
    scene.comment(9200, "member", "/run Backup", |e| {
        e["comment"]["author_association"] = json!("MEMBER");
    });
    let run = scene.run();
    assert_refused(&scene, &run, "you have ` read `").await;
}

#[tokio::test]
async fn a_batch_that_only_the_pull_requests_head_defines_is_not_run() {
    let scene = Scene::new("head-only", "issue_comment.created.pull_request.json").await;
    scene.comment(9300, "writer", "/run Other", |_| {});
    let run = scene.run();
    let reply = assert_refused(
        &scene,
        &run,
        "there is no batch ` Other ` on the default branch ` master `",
    )
    .await;
    assert!(reply.contains("once it is merged"), "{reply}");
    let requests = scene.requests().await;
    assert!(
        requests
            .iter()
            .filter(|r| r.contains("/contents/"))
            .all(|r| r.ends_with("?ref=master")),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|r| r.contains(HEAD_BRANCH)),
        "{requests:?}"
    );
}

#[tokio::test]
async fn text_after_the_name_is_rejected_not_ignored() {
    let scene = Scene::new("extra", "issue_comment.created.issue.json").await;
    scene.comment(9400, "writer", "/run Backup; rm -rf /", |_| {});
    let run = scene.run();
    assert_refused(
        &scene,
        &run,
        "`/run` takes one batch name and nothing after it; found ` Backup; ` followed by ` rm -rf / `",
    )
    .await;
}

#[tokio::test]
async fn two_commands_in_one_comment_start_nothing() {
    let scene = Scene::new("two", "issue_comment.created.issue.json").await;
    scene.comment(9500, "writer", "/run Backup\n/run Nightly", |_| {});
    let run = scene.run();
    assert_refused(
        &scene,
        &run,
        "this comment has 2 `/run` lines; write one command per comment",
    )
    .await;
}

#[tokio::test]
async fn look_alike_names_and_odd_spaces_are_refused_with_a_reason() {
    for (id, body, reason) in [
        // Cyrillic а (U+0430) looks like a.
        (9601, "/run B\u{430}ckup", "U+0430"),
        // Full-width letters, as a Japanese input method types them.
        (
            9602,
            "/run \u{ff22}\u{ff41}\u{ff43}\u{ff4b}\u{ff55}\u{ff50}",
            "U+FF22",
        ),
        // An ideographic space, and a no-break space after the name.
        (9603, "/run\u{3000}Backup", "U+3000"),
        (9604, "/run Backup\u{a0}", "U+00A0"),
        // Another case: names match exactly; the right one is suggested.
        (9605, "/run backup", "Did you mean ` Backup `?"),
    ] {
        let scene = Scene::new("lookalike", "issue_comment.created.issue.json").await;
        scene.comment(id, "writer", body, |_| {});
        let run = scene.run();
        assert_refused(&scene, &run, reason).await;
    }
}

#[tokio::test]
async fn trailing_ascii_spaces_and_crlf_are_accepted() {
    let scene = Scene::new("trailing", "issue_comment.created.issue.json").await;
    scene.comment(
        9700,
        "writer",
        "Rerun please:\r\n/run Backup  \t\r\n",
        |_| {},
    );
    let run = scene.run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let runs = scene.executions().await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].0, "github-9700-Backup");
}

#[tokio::test]
async fn comments_by_bots_and_edited_comments_are_ignored() {
    let scene = Scene::new("ignored", "issue_comment.created.issue.json").await;
    scene.role("github-actions[bot]", "write", "write");
    type Patch = fn(&mut Value);
    let cases: [(&str, Patch); 3] = [
        ("bot type", |e| e["comment"]["user"]["type"] = json!("Bot")),
        ("bot login", |e| {
            e["comment"]["user"]["login"] = json!("github-actions[bot]");
        }),
        ("edited", |e| e["action"] = json!("edited")),
    ];
    for (what, patch) in cases {
        scene.comment(9800, "writer", "/run Backup", patch);
        let run = scene.run();
        assert_eq!(run.code, 0, "{what}: {}", run.stderr);
        assert!(
            run.stdout.starts_with("::notice title=cronbridge::"),
            "{what}: {}",
            run.stdout
        );
        // Audited all the same.
        let line = audit(&run);
        assert_eq!(line["outcome"], "refused", "{what}");
        assert!(
            line["reason"]
                .as_str()
                .unwrap()
                .contains(if what == "edited" { "edited" } else { "bot" }),
            "{line}"
        );
    }
    // The real edited payload, with a command in the new body.
    let mut edited = fixture("events/issue_comment.edited.issue.json");
    edited["comment"]["body"] = json!("/run Backup");
    scene
        .runner
        .write("event.json", &serde_json::to_string(&edited).unwrap());
    let run = scene.run();
    assert!(run.stdout.contains("comment edited"), "{}", run.stdout);
    // Not one API call: no reaction, no reply, no lookup.
    assert_eq!(scene.requests().await, Vec::<String>::new());
    scene.assert_nothing_started(&run).await;
}

#[tokio::test]
async fn a_comment_without_a_command_costs_nothing() {
    let scene = Scene::new("prose", "issue_comment.created.issue.json").await;
    scene.comment(
        9850,
        "writer",
        "LGTM\n```\n/run Backup\n```\n> /run Backup",
        |_| {},
    );
    let run = scene.run();
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("no `/run` command"), "{}", run.stdout);
    assert!(scene.requests().await.is_empty());
    scene.assert_nothing_started(&run).await;
}

#[tokio::test]
async fn help_lists_the_default_branchs_batches() {
    let scene = Scene::new("help", "issue_comment.created.issue.json").await;
    scene.comment(9900, "writer", "/run help", |_| {});
    let run = scene.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    scene.assert_nothing_started(&run).await;
    let replies = scene.replies();
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0].contains("| ` Backup ` | バックアップ | ` 0 9 * * ? * ` Asia/Tokyo |"),
        "{}",
        replies[0]
    );
    assert!(
        replies[0].contains("| ` Nightly ` (inactive) |"),
        "{}",
        replies[0]
    );
    assert!(!replies[0].contains("` Other `"), "{}", replies[0]);
    assert_eq!(scene.reactions(), ["eyes"]);
    assert_eq!(audit(&run)["outcome"], "help");
}

#[tokio::test]
async fn inactive_batches_run_by_default_unless_the_settings_say_no() {
    let scene = Scene::new("inactive", "issue_comment.created.issue.json").await;
    scene.comment(9950, "writer", "/run Nightly", |_| {});
    let run = scene.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(scene.executions().await.len(), 1);
    assert!(
        scene.replies()[0].contains("inactive"),
        "{}",
        scene.replies()[0]
    );

    let scene = Scene::new("inactive-no", "issue_comment.created.issue.json").await;
    scene.branch(
        DEFAULT_BRANCH,
        &settings(&scene.machine, "manual_runs:\n  allow_inactive: false\n"),
        &format!("{BACKUP}{NIGHTLY}"),
    );
    scene.comment(9951, "writer", "/run Nightly", |_| {});
    let run = scene.run();
    assert_refused(&scene, &run, "`manual_runs.allow_inactive: false`").await;
}

#[tokio::test]
async fn settings_can_require_more_than_write_or_name_people() {
    let scene = Scene::new("lists", "issue_comment.created.issue.json").await;
    scene.branch(
        DEFAULT_BRANCH,
        &settings(
            &scene.machine,
            "manual_runs:\n  permission: maintain\n  users: [Lead]\n",
        ),
        BACKUP,
    );
    scene.role("lead", "write", "maintain");
    scene.role("admin2", "admin", "admin");
    // A writer lacks maintain.
    scene.comment(9960, "writer", "/run Backup", |_| {});
    let run = scene.run();
    assert_refused(&scene, &run, "needs the ` maintain ` role").await;
    // An admin who is not listed.
    scene.state.lock().unwrap().replies.clear();
    scene.state.lock().unwrap().reactions.clear();
    scene.comment(9961, "admin2", "/run Backup", |_| {});
    let run = scene.run();
    assert_refused(&scene, &run, "limited to the users and teams listed").await;
    // The listed maintainer (logins compare without case).
    scene.comment(9962, "lead", "/run Backup", |_| {});
    let run = scene.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(scene.executions().await.len(), 1);
}

#[tokio::test]
async fn a_team_list_admits_its_members_only() {
    let scene = Scene::new("teams", "issue_comment.created.issue.json").await;
    scene.branch(
        DEFAULT_BRANCH,
        &settings(
            &scene.machine,
            "manual_runs:\n  teams: [octo-org/batch-ops]\n",
        ),
        BACKUP,
    );
    scene.role("operator", "write", "write");
    scene
        .state
        .lock()
        .unwrap()
        .teams
        .insert("octo-org/batch-ops".into(), vec!["operator".into()]);
    // A writer outside the team.
    scene.comment(9980, "writer", "/run Backup", |_| {});
    let run = scene.run();
    assert_refused(&scene, &run, "limited to the users and teams listed").await;
    // A token that cannot read teams: refused, and the reply says what the token lacks.
    scene.state.lock().unwrap().teams_forbidden = true;
    scene.state.lock().unwrap().replies.clear();
    scene.state.lock().unwrap().reactions.clear();
    scene.comment(9981, "operator", "/run Backup", |_| {});
    let run = scene.run();
    let reply = assert_refused(&scene, &run, "limited to the users and teams listed").await;
    assert!(reply.contains("`members: read`"), "{reply}");
    // A member, with a token that can read the team.
    scene.state.lock().unwrap().teams_forbidden = false;
    scene.comment(9982, "operator", "/run Backup", |_| {});
    let run = scene.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = scene.requests().await;
    assert!(
        requests.contains(&"GET /orgs/octo-org/teams/batch-ops/memberships/operator".to_string()),
        "{requests:?}"
    );
    assert_eq!(scene.executions().await.len(), 1);
}

#[tokio::test]
async fn broken_settings_on_the_default_branch_start_nothing() {
    // A typo must never fall back to the weaker default.
    let scene = Scene::new("broken", "issue_comment.created.issue.json").await;
    scene.branch(
        DEFAULT_BRANCH,
        &settings(&scene.machine, "manual_runs:\n  permission: amdin\n"),
        BACKUP,
    );
    scene.comment(9970, "writer", "/run Backup", |_| {});
    let run = scene.run();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    scene.assert_nothing_started(&run).await;
    assert!(
        scene.replies()[0].contains("has 1 error(s)"),
        "{}",
        scene.replies()[0]
    );
    assert_eq!(audit(&run)["outcome"], "failed");
}

// --- `cronbridge run` from a terminal ---------------------------------------------------

fn terminal_repo(machine: &str, extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write("cronbridge.yml", &settings(machine, extra))
        .write("schedules/batches.yml", &format!("{BACKUP}{NIGHTLY}"));
    repo
}

fn terminal(repo: &Repo, args: &[&str]) -> std::process::Command {
    let mut cmd = common::cronbridge(&repo.dir);
    cmd.arg("run").args(args).env("USER", "tester");
    aws_env(&mut cmd);
    cmd
}

#[tokio::test]
async fn cronbridge_run_starts_the_batch_from_the_terminal() {
    let client = sfn();
    let machine = state_machine(&client, "cli").await;
    let repo = terminal_repo(&machine, "");
    let run = common::run(
        &mut terminal(
            &repo,
            &["Backup", "--input-override", r#"{"dry_run": true}"#],
        ),
        &repo.dir,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let runs = executions(&client, &machine).await;
    assert_eq!(runs.len(), 1);
    let (name, input) = &runs[0];
    assert!(
        name.starts_with("cli-") && name.ends_with("-Backup"),
        "{name}"
    );
    assert_eq!(
        *input,
        json!({
            "batch": "Backup",
            "batch_class": "Batches::Daily::Backup",
            "dry_run": true,
            "trigger": "manual",
            "requested_by": "tester",
            "requested_via": "cli"
        })
    );
    let arn = format!(
        "{}:{name}",
        machine.replace(":stateMachine:", ":execution:")
    );
    assert!(
        run.stdout.starts_with("Started Backup (バックアップ)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("  execution: {arn}\n")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("  console:   https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/"), "{}", run.stdout);
    // The audit line goes to stderr, keeping stdout for people.
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("{\"audit\""))
        .unwrap();
    let line: Value = serde_json::from_str(line).unwrap();
    assert_eq!(
        (line["outcome"].as_str(), line["via"].as_str()),
        (Some("started"), Some("cli"))
    );

    // Mistakes are usage errors, with nothing started.
    let unknown = common::run(&mut terminal(&repo, &["Bakup"]), &repo.dir);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("help: did you mean `Backup`?"),
        "{}",
        unknown.stderr
    );
    let reserved = common::run(
        &mut terminal(
            &repo,
            &["Backup", "--input-override", r#"{"trigger": "cron"}"#],
        ),
        &repo.dir,
    );
    assert_eq!(reserved.code, 2);
    assert!(
        reserved.stderr.contains("may not set `trigger`"),
        "{}",
        reserved.stderr
    );
    assert_eq!(executions(&client, &machine).await.len(), 1);
}

#[tokio::test]
async fn cronbridge_run_wait_follows_the_execution_to_its_end() {
    let client = sfn();
    let machine = state_machine(&client, "wait").await;
    let repo = terminal_repo(&machine, "");
    let child = terminal(&repo, &["Backup", "--wait", "--poll-interval-ms", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // moto leaves executions running; stop this one, as an operator would in the console.
    let deadline = Instant::now() + Duration::from_secs(30);
    let arn = loop {
        let list = client
            .list_executions()
            .state_machine_arn(&machine)
            .send()
            .await
            .unwrap();
        if let Some(e) = list.executions().first() {
            break e.execution_arn().to_string();
        }
        assert!(Instant::now() < deadline, "no execution started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    client
        .stop_execution()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Stopped is not success: exit 1.
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("Backup: ABORTED"), "{stdout}");
    assert!(
        stderr.contains("waiting for the execution to end"),
        "{stderr}"
    );
}

// --- A direct ECS target ---------------------------------------------------------------

fn ecs() -> aws_sdk_ecs::Client {
    let conf = aws_sdk_ecs::Config::builder()
        .behavior_version(aws_sdk_ecs::config::BehaviorVersion::latest())
        .region(aws_sdk_ecs::config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_ecs::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_ecs::Client::from_conf(conf)
}

/// A cluster and a task definition no other test uses: (cluster ARN, task definition ARN).
async fn ecs_target(client: &aws_sdk_ecs::Client, tag: &str) -> (String, String) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "cb-{tag}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let cluster = client
        .create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .unwrap()
        .cluster()
        .unwrap()
        .cluster_arn()
        .unwrap()
        .to_string();
    let task_definition = client
        .register_task_definition()
        .family(&name)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("batch:latest")
                .memory(512)
                .command("true")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    (cluster, task_definition)
}

fn ecs_settings(cluster: &str, task_definition: &str) -> String {
    format!(
        "aws:\n  region: us-east-1\n  target:\n    role_arn: {ROLE}\n    cluster_arn: {cluster}\n    task_definition_arn: {task_definition}\n    container_name: app\n    platform_version: \"1.4.0\"\n    network: {{subnets: [subnet-0abc], security_groups: [sg-0abc]}}\n    input: [bundle, exec, rails, runner, \"<batch_class>.run\", \"<rule>\"]\n"
    )
}

/// Every task of a cluster, as DescribeTasks reports it.
async fn tasks(client: &aws_sdk_ecs::Client, cluster: &str) -> Vec<aws_sdk_ecs::types::Task> {
    let list = client.list_tasks().cluster(cluster).send().await.unwrap();
    if list.task_arns().is_empty() {
        return Vec::new();
    }
    client
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(list.task_arns().to_vec()))
        .send()
        .await
        .unwrap()
        .tasks()
        .to_vec()
}

/// An environment override of a task's container, by name.
fn env_of<'t>(task: &'t aws_sdk_ecs::types::Task, name: &str) -> Option<&'t str> {
    task.overrides()?.container_overrides()[0]
        .environment()
        .iter()
        .find(|kv| kv.name() == Some(name))
        .and_then(|kv| kv.value())
}

/// The container command override a task was started with.
fn command_of(task: &aws_sdk_ecs::types::Task) -> (Option<&str>, Vec<&str>) {
    let o = &task.overrides().unwrap().container_overrides()[0];
    (o.name(), o.command().iter().map(String::as_str).collect())
}

const BACKUP_COMMAND: [&str; 6] = [
    "bundle",
    "exec",
    "rails",
    "runner",
    "Batches::Daily::Backup.run",
    // `<rule>`: the default `rule_prefix` and the batch, as the scheduled rule's input has it.
    "cronbridge-Backup",
];

#[tokio::test]
async fn a_comment_runs_the_ecs_task_as_the_rule_would_and_only_once() {
    let scene = Scene::new("ecs", "issue_comment.created.issue.json").await;
    let client = ecs();
    let (cluster, task_definition) = ecs_target(&client, "chat").await;
    scene.branch(
        DEFAULT_BRANCH,
        &ecs_settings(&cluster, &task_definition),
        &format!("{BACKUP}{NIGHTLY}"),
    );
    scene.comment(9101, "writer", "/run Backup", |_| {});
    let first = scene.run();
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);

    let started = tasks(&client, &cluster).await;
    assert_eq!(started.len(), 1, "{started:?}");
    let task = &started[0];
    assert_eq!(task.started_by(), Some("cronbridge-9101"));
    assert_eq!(task.task_definition_arn(), Some(task_definition.as_str()));
    assert_eq!(
        task.launch_type(),
        Some(&aws_sdk_ecs::types::LaunchType::Fargate)
    );
    assert_eq!(task.platform_version(), Some("1.4.0"));
    assert_eq!(command_of(task), (Some("app"), BACKUP_COMMAND.to_vec()));
    // The task knows it was started by hand, by whom, from where.
    assert_eq!(env_of(task, "CRONBRIDGE_TRIGGER"), Some("manual"));
    assert_eq!(env_of(task, "CRONBRIDGE_REQUESTED_VIA"), Some("github"));
    assert!(env_of(task, "CRONBRIDGE_REQUESTED_BY").is_some_and(|who| !who.is_empty()));
    let arn = task.task_arn().unwrap().to_string();

    assert_eq!(scene.reactions(), ["eyes", "rocket"]);
    let replies = scene.replies();
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0].starts_with("<!-- cronbridge:run -->\n🚀 @writer started ` Backup ` now."),
        "{}",
        replies[0]
    );
    assert!(
        replies[0].contains(&format!("| Execution | ` {arn} ` |")),
        "{}",
        replies[0]
    );
    let (cluster_name, task_id) = arn
        .rsplit_once(":task/")
        .unwrap()
        .1
        .split_once('/')
        .unwrap();
    assert!(
        replies[0].contains(&format!("[open in the AWS console](https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/{cluster_name}/tasks/{task_id}/configuration?region=us-east-1)")),
        "{}",
        replies[0]
    );
    let line = audit(&first);
    assert_eq!(line["outcome"], "started");
    assert_eq!(line["execution_arn"], json!(arn));
    // Nothing went to Step Functions.
    scene.assert_nothing_started(&first).await;

    // Redelivered: the task with this comment's `startedBy` is found, nothing new starts.
    let second = scene.run();
    assert_eq!(second.code, 0, "{}\n{}", second.stdout, second.stderr);
    assert_eq!(tasks(&client, &cluster).await.len(), 1);
    assert_eq!(audit(&second)["outcome"], "already_started");
    assert_eq!(audit(&second)["execution_arn"], json!(arn));
    let replies = scene.replies();
    assert_eq!(replies.len(), 2);
    assert!(
        replies[1].contains("this comment already started ` Backup `; nothing new was started"),
        "{}",
        replies[1]
    );

    // Still found once the task has stopped: ListTasks is asked for stopped tasks too.
    client
        .stop_task()
        .cluster(&cluster)
        .task(&arn)
        .send()
        .await
        .unwrap();
    let third = scene.run();
    assert_eq!(
        audit(&third)["outcome"],
        "already_started",
        "{}",
        third.stdout
    );
    assert_eq!(tasks(&client, &cluster).await.len(), 1);

    // Another comment is another request.
    scene.comment(9102, "writer", "/run Backup", |_| {});
    let other = scene.run();
    assert_eq!(audit(&other)["outcome"], "started", "{}", other.stdout);
    let mut by: Vec<String> = tasks(&client, &cluster)
        .await
        .iter()
        .filter_map(|t| t.started_by().map(str::to_string))
        .collect();
    by.sort();
    assert_eq!(by, ["cronbridge-9101", "cronbridge-9102"]);
}

#[tokio::test]
async fn a_reader_cannot_start_an_ecs_task() {
    let scene = Scene::new("ecs-reader", "issue_comment.created.issue.json").await;
    let client = ecs();
    let (cluster, task_definition) = ecs_target(&client, "reader").await;
    scene.branch(
        DEFAULT_BRANCH,
        &ecs_settings(&cluster, &task_definition),
        BACKUP,
    );
    scene.role("reader", "read", "read");
    scene.comment(9103, "reader", "/run Backup", |_| {});
    let run = scene.run();
    assert_refused(&scene, &run, "needs the ` write ` role").await;
    assert_eq!(tasks(&client, &cluster).await.len(), 0);
}

#[tokio::test]
async fn cronbridge_run_starts_the_ecs_task_from_the_terminal_and_waits_for_it() {
    let client = ecs();
    let (cluster, task_definition) = ecs_target(&client, "cli").await;
    let repo = Repo::new();
    repo.write("cronbridge.yml", &ecs_settings(&cluster, &task_definition))
        .write("schedules/batches.yml", BACKUP);
    let run = common::run(&mut terminal(&repo, &["Backup"]), &repo.dir);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let started = tasks(&client, &cluster).await;
    assert_eq!(started.len(), 1);
    let task = &started[0];
    assert_eq!(task.started_by(), Some("cronbridge-cli"));
    assert_eq!(command_of(task), (Some("app"), BACKUP_COMMAND.to_vec()));
    assert_eq!(env_of(task, "CRONBRIDGE_TRIGGER"), Some("manual"));
    assert_eq!(env_of(task, "CRONBRIDGE_REQUESTED_VIA"), Some("cli"));
    let arn = task.task_arn().unwrap();
    assert!(
        run.stdout.starts_with("Started Backup (バックアップ)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("  task:      {arn}\n")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  console:   https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/"),
        "{}",
        run.stdout
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("{\"audit\""))
        .unwrap();
    let line: Value = serde_json::from_str(line).unwrap();
    assert_eq!(line["outcome"], "started");
    assert_eq!(line["execution_arn"], json!(arn));

    // Each terminal run is a new request, with the same `startedBy`.
    let again = common::run(
        &mut terminal(&repo, &["Backup", "--wait", "--poll-interval-ms", "10"]),
        &repo.dir,
    );
    // moto walks a task to STOPPED one step per DescribeTasks, with exit code 0.
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(
        again.stdout.contains("Backup: STOPPED\n"),
        "{}",
        again.stdout
    );
    assert!(
        again.stderr.contains("waiting for the task to stop"),
        "{}",
        again.stderr
    );
    assert_eq!(tasks(&client, &cluster).await.len(), 2);

    // An input override has no meaning for a container command.
    let overridden = common::run(
        &mut terminal(&repo, &["Backup", "--input-override", "{}"]),
        &repo.dir,
    );
    assert_eq!(overridden.code, 2, "{}", overridden.stderr);
    assert!(
        overridden.stderr.contains("direct ECS target"),
        "{}",
        overridden.stderr
    );
    assert_eq!(tasks(&client, &cluster).await.len(), 2);
}
