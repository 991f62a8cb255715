//! The PR bot through the built binary, the way the Action runs it: a temporary git repository
//! with a base and a head commit, the Actions environment, a real webhook payload, and a small
//! stateful fake GitHub API (wiremock) that serves the documented example responses and
//! records every request. Also: the workflow files and action.yml are checked here.

use crate::common::{self, BACKUP, NOW, Repo, Run};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A token the tests look for everywhere it must not be.
const TOKEN: &str = "ghs_TESTTOKENnotarealone0123456789";
const MARKER: &str = "<!-- cronbridge:pull-request -->";

fn fixture(path: &str) -> Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap()
}

/// What the fake GitHub holds: the comments of one pull request.
#[derive(Default)]
struct State {
    comments: Vec<Value>,
    next_id: u64,
    /// Comments per page of the listing (GitHub's is up to 100; small here to force paging).
    page_size: usize,
    /// Answer writes with 403, as GitHub does for a fork's read-only token.
    deny_writes: bool,
    /// Seconds for `created_at`, increasing with each new comment.
    clock: u64,
}

impl State {
    /// A comment in the shape of the API's example response, with our fields set.
    /// `bot`: written by the workflow's token (github-actions[bot]) rather than a person.
    fn comment(&mut self, id: u64, body: &str, bot: bool) -> Value {
        self.clock += 60;
        let mut c = fixture("api/issues.create-comment.201.json");
        c["id"] = json!(id);
        c["body"] = json!(body);
        if bot {
            c["user"]["login"] = json!("github-actions[bot]");
            c["user"]["type"] = json!("Bot");
        }
        c["html_url"] = json!(format!("https://github.com/o/r/pull/1#issuecomment-{id}"));
        c["created_at"] = json!(format!(
            "2026-11-29T{:02}:{:02}:00Z",
            self.clock / 3600 % 24,
            self.clock / 60 % 60
        ));
        c
    }
}

/// The fake API: one responder per endpoint over shared state.
struct FakeGitHub {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

struct Handler {
    state: Arc<Mutex<State>>,
    base: String,
}

fn forbidden() -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(json!({
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
    }))
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        let path = req.url.path().to_string();
        match req.method.as_str() {
            "GET" => {
                let page: usize = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(1);
                let size = s.page_size.max(1);
                let items: Vec<Value> = s
                    .comments
                    .iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .cloned()
                    .collect();
                let mut response = ResponseTemplate::new(200).set_body_json(items);
                if page * size < s.comments.len() {
                    response = response.insert_header(
                        "link",
                        format!(
                            "<{}{path}?per_page={size}&page={}>; rel=\"next\"",
                            self.base,
                            page + 1
                        )
                        .as_str(),
                    );
                }
                response
            }
            "POST" if s.deny_writes => forbidden(),
            "POST" => {
                let body: Value = req.body_json().unwrap();
                s.next_id += 1;
                let id = s.next_id;
                let comment = s.comment(id, body["body"].as_str().unwrap(), true);
                s.comments.push(comment.clone());
                ResponseTemplate::new(201).set_body_json(comment)
            }
            "PATCH" if s.deny_writes => forbidden(),
            "PATCH" => {
                let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
                let body: Value = req.body_json().unwrap();
                match s.comments.iter_mut().find(|c| c["id"] == json!(id)) {
                    Some(c) => {
                        c["body"] = body["body"].clone();
                        ResponseTemplate::new(200).set_body_json(c.clone())
                    }
                    None => {
                        ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}))
                    }
                }
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

impl FakeGitHub {
    async fn start(repository: &str) -> FakeGitHub {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            page_size: 100,
            ..State::default()
        }));
        let handler = || Handler {
            state: state.clone(),
            base: server.uri(),
        };
        let comments = format!("^/repos/{repository}/issues/[0-9]+/comments$");
        let comment = format!("^/repos/{repository}/issues/comments/[0-9]+$");
        Mock::given(method("GET"))
            .and(path_regex(comments.as_str()))
            .respond_with(handler())
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(comments.as_str()))
            .respond_with(handler())
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path_regex(comment.as_str()))
            .respond_with(handler())
            .mount(&server)
            .await;
        FakeGitHub { server, state }
    }

    /// Adds an existing comment (before the run).
    /// A comment an earlier run of the bot left.
    fn seed(&self, id: u64, body: &str) {
        let mut s = self.state.lock().unwrap();
        let c = s.comment(id, body, true);
        s.comments.push(c);
    }

    /// A comment a person wrote.
    fn seed_by_person(&self, id: u64, body: &str) {
        let mut s = self.state.lock().unwrap();
        let c = s.comment(id, body, false);
        s.comments.push(c);
    }

    fn comments(&self) -> Vec<Value> {
        self.state.lock().unwrap().comments.clone()
    }

    /// Every request so far as `METHOD path?query`.
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

    async fn raw_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap()
    }
}

/// A pull request in a temporary repository: base and head commits, the payload, and the
/// files Actions hands a step.
struct Pr {
    repo: Repo,
    /// Holds the payload, the summary and the outputs file (outside the checkout).
    runner: Repo,
    base: String,
    head: String,
    payload: &'static str,
}

const POLICY: &str = "quiet_hours:\n  - name: morning-peak\n    window: \"10:00-10:30\"\n    severity: warning\n    scope:\n      batches: [Backup]\n";
/// A description no comment may render as HTML, a mention or a link.
const HOSTILE: &str =
    "\"@octocat <img src=x onerror=alert(1)> ``` | [x](https://evil.example) #1\"";

fn schedule(hour: &str) -> String {
    BACKUP
        .replace("0 9 * * ? *", &format!("0 {hour} * * ? *"))
        .replace("バックアップ", HOSTILE)
        .replace("is_active: true\n", "is_active: true\n  duration: 45m\n")
}

impl Pr {
    /// Base: `Backup` at 09:00 JST; head: the given schedule file.
    fn new(head_schedule: &str, payload: &'static str) -> Pr {
        let repo = Repo::new();
        repo.init();
        repo.write("schedules/batches.yml", &schedule("9"))
            .write("rules/policies.yml", POLICY);
        let base = repo.commit("base");
        repo.write("schedules/batches.yml", head_schedule);
        let head = repo.commit("head");
        let pr = Pr {
            repo,
            runner: Repo::new(),
            base,
            head,
            payload,
        };
        pr.write_payload();
        pr
    }

    /// Moves the head to a new commit with this schedule (a push to the pull request).
    fn push(&mut self, head_schedule: &str) {
        self.repo.write("schedules/batches.yml", head_schedule);
        self.head = self.repo.commit("another push");
        self.write_payload();
    }

    /// The real payload with the commits patched to this repository's.
    fn write_payload(&self) {
        let mut event = fixture(&format!("events/{}", self.payload));
        event["pull_request"]["base"]["sha"] = json!(self.base);
        event["pull_request"]["head"]["sha"] = json!(self.head);
        self.runner
            .write("event.json", &serde_json::to_string(&event).unwrap());
    }

    fn repository(&self) -> String {
        fixture(&format!("events/{}", self.payload))["repository"]["full_name"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.runner.dir.join(name)
    }

    /// Runs `cronbridge github` with the Actions environment against the fake API.
    fn run(&self, api: &FakeGitHub, event_name: &str) -> Run {
        self.run_with(api, event_name, |_| {})
    }

    /// [`Pr::run`] with more arguments or environment.
    fn run_with(
        &self,
        api: &FakeGitHub,
        event_name: &str,
        more: impl FnOnce(&mut std::process::Command),
    ) -> Run {
        let mut cmd = common::cronbridge(&self.repo.dir);
        cmd.args(["github", "--now", NOW])
            .env("GITHUB_EVENT_NAME", event_name)
            .env("GITHUB_EVENT_PATH", self.path("event.json"))
            .env("GITHUB_REPOSITORY", self.repository())
            .env("GITHUB_API_URL", api.server.uri())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_SHA", &self.head)
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_OUTPUT", self.path("output.txt"));
        more(&mut cmd);
        common::run(&mut cmd, &self.repo.dir)
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.path("summary.md")).unwrap_or_default()
    }

    fn outputs_text(&self) -> String {
        std::fs::read_to_string(self.path("output.txt")).unwrap_or_default()
    }

    /// The last value of each output, read the way the runner reads the heredoc format.
    fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        let text = self.outputs_text();
        let mut out = std::collections::BTreeMap::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let (name, delimiter) = line.split_once("<<").expect("heredoc output");
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            out.insert(name.to_string(), value.join("\n"));
        }
        out
    }
}

fn assert_no_token(texts: &[&str]) {
    for text in texts {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
}

fn count(requests: &[String], prefix: &str) -> usize {
    requests.iter().filter(|r| r.starts_with(prefix)).count()
}

#[tokio::test]
async fn moving_backup_creates_one_comment_and_a_later_push_edits_it() {
    let mut pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    let run = pr.run(&api, "pull_request");
    // A warning (quiet hours) is not an error: the check passes.
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // One comment, created with a POST after reading the existing ones.
    let requests = api.requests().await;
    assert_eq!(
        requests,
        [
            "GET /repos/Codertocat/Hello-World/issues/2/comments?per_page=100",
            "POST /repos/Codertocat/Hello-World/issues/2/comments"
        ]
    );
    let comments = api.comments();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap().to_string();
    assert!(body.starts_with(MARKER), "{body}");
    // The changes table: old and new local crons, each with its UTC rule, and next runs.
    assert!(
        body.contains(
            "` 0 9 * * ? * ` Asia/Tokyo → ` 0 0 * * ? * `<br>→ ` 0 10 * * ? * ` Asia/Tokyo → ` 0 1 * * ? * `"
        ),
        "{body}"
    );
    assert!(
        body.contains("2026-11-29 Sun 10:00 JST \\(01:00 UTC\\)"),
        "{body}"
    );
    // The day chart and the timetable diff.
    assert!(body.contains("```mermaid\ngantt\n"), "{body}");
    assert!(
        body.contains("    Backup before :done, 09:00, 45m\n"),
        "{body}"
    );
    assert!(body.contains("    Backup :crit, 10:00, 45m\n"), "{body}");
    assert!(
        body.contains("    morning-peak :active, 10:00, 30m\n"),
        "{body}"
    );
    assert!(body.contains("```diff\n"), "{body}");
    assert!(
        body.contains("-2026-11-30 Mon 09:00 JST  11-30 00:00 UTC  Backup"),
        "{body}"
    );
    assert!(
        body.contains("+2026-11-30 Mon 10:00 JST  11-30 01:00 UTC  Backup"),
        "{body}"
    );
    // The finding links to its line at the checked-out commit.
    assert!(
        body.contains(&format!(
            "(https://github.com/Codertocat/Hello-World/blob/{}/schedules/batches.yml#L",
            pr.head
        )),
        "{body}"
    );
    // The hostile description is text: no mention, no HTML, no link, no broken fence.
    assert!(!body.contains("@octocat"), "{body}");
    assert!(body.contains("@\u{200B}octocat"), "{body}");
    assert!(!body.contains("<img") && body.contains("&lt;img"), "{body}");
    assert!(!body.contains("https://evil"), "{body}");
    assert_eq!(body.matches("```").count() % 2, 0, "{body}");
    assert!(
        body.contains(&format!("head ` {} `", &pr.head[..7])),
        "{body}"
    );

    // Annotations on stdout, one per finding, on the YAML line.
    assert!(
        run.stdout.lines().any(
            |l| l.starts_with("::warning file=schedules/batches.yml,line=")
                && l.contains("title=cronbridge policy/quiet-hours")
        ),
        "{}",
        run.stdout
    );
    // The summary has the same report without the marker; the outputs say what happened.
    let summary = pr.summary();
    assert!(
        summary.contains("## ⏰ cronbridge") && !summary.contains(MARKER),
        "{summary}"
    );
    assert!(summary.contains("```mermaid"), "{summary}");
    let outputs = pr.outputs();
    assert_eq!(outputs["errors"], "0");
    assert_eq!(outputs["warnings"], "1");
    assert_eq!(outputs["changed"], "true");
    assert_eq!(
        outputs["comment-url"],
        "https://github.com/o/r/pull/1#issuecomment-1001"
    );

    // Another push moves it again: the same comment is edited, no second one is created.
    pr.push(&schedule("11"));
    let again = pr.run(&api, "pull_request");
    assert_eq!(again.code, 0, "{}", again.stderr);
    let requests = api.requests().await;
    assert_eq!(count(&requests, "POST"), 1, "{requests:?}");
    assert_eq!(
        requests.last().unwrap(),
        "PATCH /repos/Codertocat/Hello-World/issues/comments/1001"
    );
    let comments = api.comments();
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]["body"]
            .as_str()
            .unwrap()
            .contains("` 0 11 * * ? * ` Asia/Tokyo → ` 0 2 * * ? * `")
    );

    // The same run once more: the comment already says it, so nothing is written.
    let same = pr.run(&api, "pull_request");
    assert_eq!(same.code, 0);
    let after = api.requests().await;
    assert_eq!(after.len(), requests.len() + 1, "{after:?}");
    assert!(after.last().unwrap().starts_with("GET "));

    // The token went to the API and nowhere else.
    let raw = api.raw_requests().await;
    assert!(raw.iter().all(|r| {
        r.headers
            .get("authorization")
            .is_some_and(|v| v.to_str().unwrap().ends_with(TOKEN))
    }));
    let bodies: Vec<String> = raw
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    let mut texts = vec![
        run.stdout.as_str(),
        run.stderr.as_str(),
        again.stdout.as_str(),
        again.stderr.as_str(),
    ];
    let (summary, outputs) = (pr.summary(), pr.outputs_text());
    texts.extend([summary.as_str(), outputs.as_str()]);
    texts.extend(bodies.iter().map(String::as_str));
    assert_no_token(&texts);
}

#[tokio::test]
async fn pagination_is_followed_to_the_marker_on_the_second_page() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    api.state.lock().unwrap().page_size = 2;
    api.seed(11, "LGTM");
    api.seed(12, "@someone have a look");
    api.seed(13, &format!("{MARKER}\nan earlier report"));
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = api.requests().await;
    assert_eq!(
        requests,
        [
            "GET /repos/Codertocat/Hello-World/issues/2/comments?per_page=100",
            "GET /repos/Codertocat/Hello-World/issues/2/comments?per_page=2&page=2",
            "PATCH /repos/Codertocat/Hello-World/issues/comments/13"
        ]
    );
    assert_eq!(api.comments().len(), 3);
}

#[tokio::test]
async fn of_several_marker_comments_the_newest_is_updated() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    api.seed(20, &format!("{MARKER}\nolder"));
    api.seed(15, &format!("{MARKER}\nnewer, though its id is smaller"));
    api.seed(30, &format!("> {MARKER}\na reply quoting it"));
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = api.requests().await;
    assert_eq!(
        requests.last().unwrap(),
        "PATCH /repos/Codertocat/Hello-World/issues/comments/15"
    );
    assert_eq!(count(&requests, "PATCH"), 1);
    assert_eq!(count(&requests, "POST"), 0);
    let comments = api.comments();
    assert!(comments[0]["body"].as_str().unwrap().ends_with("older"));
}

/// Anyone can post a comment that starts with the marker; the report must not move into it
/// (it would show under their name, and they could edit it into a fake report).
#[tokio::test]
async fn a_marker_comment_written_by_a_person_is_not_taken_over() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    api.seed_by_person(40, &format!("{MARKER}\n✅ clean — trust me"));
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = api.requests().await;
    assert_eq!(count(&requests, "PATCH"), 0, "{requests:?}");
    assert_eq!(count(&requests, "POST"), 1, "{requests:?}");
    let comments = api.comments();
    assert!(comments[0]["body"].as_str().unwrap().ends_with("trust me"));
    assert_eq!(comments[1]["user"]["type"], "Bot");
}

#[tokio::test]
async fn a_fork_gets_annotations_summary_outputs_and_one_warning_when_commenting_is_denied() {
    let broken = schedule("10").replace("0 10 * * ? *", "0 10 * * * *");
    let pr = Pr::new(&broken, "pull_request.opened.fork.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    api.state.lock().unwrap().deny_writes = true;
    let run = pr.run(&api, "pull_request");
    // The exit code is the check's: 1 for the invalid cron, not a failure of the tool.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let requests = api.requests().await;
    assert_eq!(
        requests,
        [
            "GET /repos/ailisp/gcbapp-buildconfig-example/issues/3/comments?per_page=100",
            "POST /repos/ailisp/gcbapp-buildconfig-example/issues/3/comments"
        ]
    );
    let warnings: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::warning title=cronbridge::"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert!(warnings[0].contains("comes from a fork"), "{}", warnings[0]);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error file=schedules/batches.yml,line=2,")),
        "{}",
        run.stdout
    );
    assert!(pr.summary().contains("❌ **1 error**"), "{}", pr.summary());
    let outputs = pr.outputs();
    assert_eq!(outputs["errors"], "1");
    assert_eq!(outputs["comment-url"], "");
    assert_no_token(&[&run.stdout, &run.stderr]);
}

#[tokio::test]
async fn without_changes_and_without_a_comment_nothing_is_posted() {
    let pr = Pr::new(&schedule("9"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        api.requests().await,
        ["GET /repos/Codertocat/Hello-World/issues/2/comments?per_page=100"]
    );
    let outputs = pr.outputs();
    assert_eq!(outputs["changed"], "false");
    assert_eq!(outputs["comment-url"], "");
}

#[tokio::test]
async fn without_changes_an_earlier_comment_is_updated_to_say_so() {
    let pr = Pr::new(&schedule("9"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    api.seed(7, &format!("{MARKER}\nBackup moves to 10:00"));
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let requests = api.requests().await;
    assert_eq!(
        requests.last().unwrap(),
        "PATCH /repos/Codertocat/Hello-World/issues/comments/7"
    );
    let body = api.comments()[0]["body"].as_str().unwrap().to_string();
    assert!(body.starts_with(MARKER));
    assert!(body.contains("no longer changes any batch"), "{body}");
    assert_eq!(
        pr.outputs()["comment-url"],
        "https://github.com/o/r/pull/1#issuecomment-7"
    );
}

#[tokio::test]
async fn a_shallow_clone_without_the_base_commit_is_a_clear_usage_error() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let mut event = fixture("events/pull_request.opened.json");
    event["pull_request"]["head"]["sha"] = json!(pr.head);
    pr.runner
        .write("event.json", &serde_json::to_string(&event).unwrap());
    let api = FakeGitHub::start(&pr.repository()).await;
    let run = pr.run(&api, "pull_request");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("f95f852bd8fca8fcc58a9a2d6c842781e32a215e is not in the clone")
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(api.requests().await.is_empty());
}

#[tokio::test]
async fn other_events_are_left_alone_with_a_notice() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    for (event, payload) in [
        ("issue_comment", "issue_comment.created.pull_request.json"),
        ("workflow_dispatch", "push.default_branch.json"),
        ("pull_request", "pull_request.closed.not_merged.json"),
    ] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/github/events")
                .join(payload),
        )
        .unwrap();
        pr.runner.write("event.json", &text);
        let run = pr.run(&api, event);
        assert_eq!(run.code, 0, "{event}: {}", run.stderr);
        assert!(
            run.stdout.starts_with("::notice title=cronbridge::"),
            "{event}: {}",
            run.stdout
        );
    }
    assert!(api.requests().await.is_empty());
    // pull_request_target would run with a write token on the pull request's files.
    let run = pr.run(&api, "pull_request_target");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pull_request_target"), "{}", run.stderr);
}

#[tokio::test]
async fn the_merged_pull_request_of_a_commit_is_found() {
    // What the `push` flow uses to report a deployment on the pull request it merged.
    let server = MockServer::start().await;
    let sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    Mock::given(method("GET"))
        .and(path_regex(
            format!("^/repos/octocat/Hello-World/commits/{sha}/pulls$").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([fixture("api/pulls.get.200.json")])),
        )
        .mount(&server)
        .await;
    let token = cronbridge::github::env::Token::new(TOKEN).unwrap();
    let client =
        cronbridge::github::client::GitHub::new(&server.uri(), &token, "octocat/Hello-World")
            .unwrap();
    assert_no_token(&[&format!("{client:?} {token:?}")]);
    let pulls = client.list_pull_requests_for_commit(sha).await.unwrap();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].number, 1347);
    assert_eq!(
        pulls[0].html_url,
        "https://github.com/octocat/Hello-World/pull/1347"
    );
    // Not a commit id: refused before any request.
    assert!(client.list_pull_requests_for_commit("main").await.is_err());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_next_page_on_another_host_is_not_followed_with_the_token() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/repos/o/r/issues/1/comments$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("api/issues.list-comments.200.json"))
                .insert_header(
                    "link",
                    format!(
                        "<{}/repos/o/r/issues/1/comments?page=2>; rel=\"next\"",
                        elsewhere.uri()
                    )
                    .as_str(),
                ),
        )
        .mount(&api)
        .await;
    let token = cronbridge::github::env::Token::new(TOKEN).unwrap();
    let client = cronbridge::github::client::GitHub::new(&api.uri(), &token, "o/r").unwrap();
    let err = client.list_issue_comments(1).await.unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

// --- The Action and the workflows -------------------------------------------------------

fn yaml(path: &str) -> cronbridge::yaml::Node {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (doc, findings) = cronbridge::yaml::parse(path, &text);
    assert!(findings.is_empty(), "{path}: {findings:?}");
    match doc {
        cronbridge::yaml::Document::Root(node) => node,
        other => panic!("{path}: {other:?}"),
    }
}

/// Every `uses:` of every step of every job, with its `with:` keys.
fn steps_uses(workflow: &cronbridge::yaml::Node) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let jobs = workflow
        .entry("jobs")
        .expect("jobs")
        .value
        .entries()
        .unwrap();
    for job in jobs {
        let Some(steps) = job.value.entry("steps") else {
            continue;
        };
        for step in steps.value.items().unwrap() {
            if let Some(uses) = step.entry("uses") {
                let with = step
                    .entry("with")
                    .and_then(|w| w.value.entries())
                    .map(|e| e.iter().map(|e| e.key_text().to_string()).collect())
                    .unwrap_or_default();
                out.push((uses.value.text().unwrap().to_string(), with));
            }
        }
    }
    out
}

fn workflow_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .map(|n| format!(".github/workflows/{n}"))
        .collect();
    files.sort();
    files
}

#[test]
fn workflows_pin_third_party_actions_and_use_only_existing_inputs() {
    let action = yaml("action.yml");
    let inputs: Vec<String> = action
        .entry("inputs")
        .and_then(|i| i.value.entries())
        .unwrap()
        .iter()
        .map(|e| e.key_text().to_string())
        .collect();
    for key in ["token", "version", "args"] {
        assert!(
            inputs.contains(&key.to_string()),
            "action.yml lacks input {key}"
        );
    }
    let outputs: Vec<String> = action
        .entry("outputs")
        .and_then(|o| o.value.entries())
        .unwrap()
        .iter()
        .map(|e| e.key_text().to_string())
        .collect();
    assert_eq!(
        outputs,
        ["errors", "warnings", "changed", "comment-url", "path"]
    );
    let files = workflow_files();
    for name in [
        "ci.yml",
        "release.yml",
        "example-cronbridge.yml",
        "example-drift.yml",
    ] {
        assert!(
            files.contains(&format!(".github/workflows/{name}")),
            "{files:?}"
        );
    }
    let mut local_uses = 0;
    for file in &files {
        let workflow = yaml(file);
        for (uses, with) in steps_uses(&workflow) {
            if uses == "./" {
                local_uses += 1;
                for key in with {
                    assert!(
                        inputs.contains(&key),
                        "{file}: `with: {key}` is not an input of action.yml"
                    );
                }
            } else if !uses.starts_with("./") && !uses.starts_with("docker://") {
                let (_, rev) = uses.rsplit_once('@').unwrap_or((&uses, ""));
                assert!(
                    rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                    "{file}: `{uses}` is not pinned to a commit"
                );
            }
        }
        // Never the event that hands a write token to a pull request's files.
        let on = workflow.entry("on").expect("on");
        let events: Vec<&str> = match on.value.entries() {
            Some(e) => e.iter().map(|e| e.key_text()).collect(),
            None => vec![on.value.text().unwrap_or("")],
        };
        assert!(!events.contains(&"pull_request_target"), "{file}");
    }
    assert!(
        local_uses >= 2,
        "the self-test runs the Action twice (pass, fail)"
    );
    // Steps in the composite action pin their actions too.
    let runs = action.entry("runs").unwrap();
    for step in runs.value.entry("steps").unwrap().value.items().unwrap() {
        if let Some(uses) = step.entry("uses") {
            let rev = uses.value.text().unwrap().rsplit_once('@').unwrap().1;
            assert_eq!(rev.len(), 40);
        }
    }
}

#[test]
fn the_action_never_expands_inputs_inside_scripts() {
    // `${{ }}` in a `run:` is pasted into the script before bash sees it: script injection.
    let action = yaml("action.yml");
    let runs = action.entry("runs").unwrap();
    for step in runs.value.entry("steps").unwrap().value.items().unwrap() {
        if let Some(run) = step.entry("run") {
            let script = run.value.text().unwrap();
            assert!(
                !script.contains("${{"),
                "inline expression in a script:\n{script}"
            );
        }
    }
    for file in workflow_files() {
        let workflow = yaml(&file);
        for job in workflow.entry("jobs").unwrap().value.entries().unwrap() {
            let Some(steps) = job.value.entry("steps") else {
                continue;
            };
            for step in steps.value.items().unwrap() {
                if let Some(run) = step.entry("run") {
                    let script = run.value.text().unwrap();
                    for untrusted in ["github.event.", "inputs.", "github.head_ref"] {
                        assert!(
                            !script.contains(&format!("${{{{ {untrusted}")),
                            "{file}: `{untrusted}` expanded inside a script:\n{script}"
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `push` to the default branch: the sync, its summary, and the comment on the merged PR.

/// A repository like the bundled one, committed, with a push payload for its commit.
struct Push {
    repo: Repo,
    runner: Repo,
    prefix: String,
    sha: String,
}

impl Push {
    fn new(tag: &str, git_ref: &str) -> Push {
        let prefix = crate::aws_sync::prefix(tag);
        let repo = crate::aws_sync::bundled_repo(&prefix);
        repo.init();
        let sha = repo.commit("merge");
        let runner = Repo::new();
        let mut event = fixture("events/push.default_branch.created.json");
        event["after"] = json!(sha);
        event["ref"] = json!(git_ref);
        runner.write("event.json", &serde_json::to_string(&event).unwrap());
        Push {
            repo,
            runner,
            prefix,
            sha,
        }
    }

    fn run(&self, api: &FakeGitHub) -> Run {
        let mut cmd = common::cronbridge(&self.repo.dir);
        cmd.args(["github", "--now", NOW])
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_EVENT_PATH", self.runner.dir.join("event.json"))
            .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
            .env("GITHUB_API_URL", api.server.uri())
            .env("GITHUB_SHA", &self.sha)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_STEP_SUMMARY", self.runner.dir.join("summary.md"))
            .env("GITHUB_OUTPUT", self.runner.dir.join("output.txt"))
            .env("AWS_ENDPOINT_URL", crate::aws_sync::endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1");
        common::run(&mut cmd, &self.repo.dir)
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.runner.dir.join("summary.md")).unwrap_or_default()
    }
}

/// The commit-to-pulls lookup answers with the example pull request, merged.
async fn serve_merged_pull(api: &FakeGitHub, sha: &str) {
    let mut pr = fixture("api/pulls.get.200.json");
    pr["merged_at"] = json!("2026-11-29T00:00:00Z");
    pr["state"] = json!("closed");
    Mock::given(method("GET"))
        .and(path_regex(
            format!("^/repos/Codertocat/Hello-World/commits/{sha}/pulls$").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([pr])))
        .mount(&api.server)
        .await;
}

#[tokio::test]
async fn a_push_to_the_default_branch_deploys_summarises_and_comments_on_the_merged_pull_request() {
    let push = Push::new("push", "refs/heads/master");
    let api = FakeGitHub::start("Codertocat/Hello-World").await;
    serve_merged_pull(&api, &push.sha).await;

    let run = push.run(&api);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let client = crate::aws_sync::client_at(&crate::aws_sync::endpoint(), 3).await;
    let rules = crate::aws_sync::live_rules(&client, &push.prefix).await;
    // The bundled schedules: seven batches, one UTC rule each, and the alert.
    assert!(
        rules.contains_key(&format!("{}Backup", push.prefix)),
        "{rules:?}"
    );
    assert_eq!(rules.len(), 8, "{:?}", rules.keys());
    let summary = push.summary();
    assert!(
        summary.contains(&format!("{}Backup", push.prefix)),
        "{summary}"
    );
    // One comment on the merged pull request (#1347 in the example), with its own marker.
    let comments = api.comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- cronbridge:deploy -->"), "{body}");
    assert!(
        body.contains("deployed to EventBridge") && body.contains(&push.sha),
        "{body}"
    );
    let requests = api.requests().await;
    assert!(
        requests.contains(&"POST /repos/Codertocat/Hello-World/issues/1347/comments".to_string()),
        "{requests:?}"
    );
    assert_no_token(&[&run.stdout, &run.stderr, &summary, body]);

    // The same push again changes nothing in EventBridge and edits, not duplicates, the comment.
    let again = push.run(&api);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(
        again
            .stdout
            .contains("0 to create, 0 to update, 0 to delete"),
        "{}",
        again.stdout
    );
    assert_eq!(api.comments().len(), 1);
}

#[tokio::test]
async fn a_push_to_another_branch_deploys_nothing() {
    let push = Push::new("feature", "refs/heads/feature");
    let api = FakeGitHub::start("Codertocat/Hello-World").await;
    let run = push.run(&api);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("not the default branch"),
        "{}",
        run.stdout
    );
    let client = crate::aws_sync::client_at(&crate::aws_sync::endpoint(), 3).await;
    assert!(
        crate::aws_sync::live_rules(&client, &push.prefix)
            .await
            .is_empty()
    );
    assert!(api.requests().await.is_empty());
}

#[tokio::test]
async fn a_push_with_check_errors_deploys_nothing_and_says_why() {
    let push = Push::new("push-broken", "refs/heads/master");
    // A syntax error loads no batches: deploying would delete every rule of the file.
    push.repo
        .write("schedules/batches.yml", "Backup: [unclosed\n");
    let api = FakeGitHub::start("Codertocat/Hello-World").await;
    let run = push.run(&api);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("::error"), "{}", run.stdout);
    assert!(
        push.summary().contains("not deployed"),
        "{}",
        push.summary()
    );
    let client = crate::aws_sync::client_at(&crate::aws_sync::endpoint(), 3).await;
    assert!(
        crate::aws_sync::live_rules(&client, &push.prefix)
            .await
            .is_empty()
    );
}

/// `Report`, a batch the team's script already registered by hand.
const REPORT: &str = "Report:\n  cron: \"0 3 * * ? *\"\n  description: report\n  batch_class: \"Batches::Daily::Report\"\n  is_active: true\n";

#[tokio::test]
async fn the_live_plan_reads_with_a_role_that_cannot_write_and_shows_drift_and_a_batch_started_twice()
 {
    use crate::aws_sync::{Proxy, client_at, endpoint, prefix, settings, state_machine};
    let prefix = prefix("liveplan");
    let repository = format!("test/{prefix}");
    let repo = Repo::new();
    repo.init();
    repo.write(
        "cronbridge.yml",
        &settings(&prefix, &format!("  repository: {repository}\n")),
    )
    .write("schedules/batches.yml", BACKUP);
    let base = repo.commit("base");
    // The base branch is what the last merge deployed.
    let mut apply = common::cronbridge(&repo.dir);
    apply.args(["apply", "--now", NOW]);
    crate::manual_run::aws_env(&mut apply);
    let applied = common::run(&mut apply, &repo.dir);
    assert_eq!(applied.code, 0, "{}\n{}", applied.stdout, applied.stderr);
    let client = client_at(&endpoint(), 3).await;
    // Since then, someone disabled Backup in the console...
    let live = cronbridge::aws::sync::read_live(&client, &prefix, 4)
        .await
        .unwrap();
    let backup = format!("{prefix}Backup");
    let rule = live.rules.iter().find(|r| r.rule.name == backup).unwrap();
    client.put_rule(&rule.rule, "DISABLED").await.unwrap();
    // ...and Report has run from a rule of the team's own script all along.
    let by_hand = format!("{}Report", prefix.replace('-', "_"));
    crate::deploy_diff::seed_foreign(
        &client,
        &by_hand,
        &state_machine(&prefix),
        r#"{"batch_class": "Batches::Daily::Report"}"#,
    )
    .await;
    repo.write(
        "schedules/batches.yml",
        &format!("{}{REPORT}", BACKUP.replace("0 9 * * ? *", "0 10 * * ? *")),
    );
    let head = repo.commit("head");
    let mut pr = Pr {
        repo,
        runner: Repo::new(),
        base,
        head,
        payload: "pull_request.opened.json",
    };
    pr.write_payload();
    let api = FakeGitHub::start(&pr.repository()).await;
    // Every call but List and Describe is refused, as by the read-only IAM policy.
    let proxy = Proxy::start(&endpoint());
    proxy.state().read_only = true;
    let run_live = |pr: &Pr| {
        pr.run_with(&api, "pull_request", |cmd| {
            cmd.arg("--live-plan");
            crate::manual_run::aws_env(cmd);
            cmd.env("AWS_ENDPOINT_URL", &proxy.url);
        })
    };
    let run = run_live(&pr);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let twice = format!(
        "`Report` would run twice: the rule `{by_hand}` already starts it (same target, and its input names `Batches::Daily::Report`)"
    );
    assert!(
        run.stdout
            .contains("::error file=schedules/batches.yml,line=6")
            && run.stdout.contains(&twice),
        "{}",
        run.stdout
    );
    let body = api.comments()[0]["body"].as_str().unwrap().to_string();
    assert!(
        body.contains("### EventBridge now (live plan, read-only)"),
        "{body}"
    );
    assert!(
        body.contains("Applying this pull request to EventBridge as it is now: **1 to create, 1 to update, 0 to delete, 0 unchanged**"),
        "{body}"
    );
    // The drift: what applying the base now would change back.
    assert!(
        body.contains("**Drift since the last apply**: 1 rule where"),
        "{body}"
    );
    assert!(
        body.contains("state: DISABLED -&gt; ENABLED")
            || body.contains("state: DISABLED -> ENABLED"),
        "{body}"
    );
    assert!(body.contains("would run twice"), "{body}");
    {
        let s = proxy.state();
        assert_eq!(s.writes, 0, "a write was attempted: {:?}", s.seen);
        assert!(
            s.seen.iter().any(|op| op == "ListTargetsByRule"),
            "{:?}",
            s.seen
        );
    }

    // Without Report the pull request passes, still through the read-only role.
    pr.push(&BACKUP.replace("0 9 * * ? *", "0 10 * * ? *"));
    let run = run_live(&pr);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains("could not read the live plan"),
        "{}",
        run.stdout
    );
    let comments = api.comments();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.contains("**Drift since the last apply**"), "{body}");
    assert!(!body.contains("would run twice"), "{body}");
    assert_eq!(proxy.state().writes, 0);
    assert_no_token(&[&run.stdout, &run.stderr, body]);
}

#[tokio::test]
async fn a_live_plan_that_cannot_be_read_is_a_warning_and_the_check_stands() {
    let pr = Pr::new(&schedule("10"), "pull_request.opened.json");
    let api = FakeGitHub::start(&pr.repository()).await;
    let proxy = crate::aws_sync::Proxy::start(&crate::aws_sync::endpoint());
    // A pull-request job without the deploy job's environment: no target, so no rules.
    let run = pr.run_with(&api, "pull_request", |cmd| {
        cmd.arg("--live-plan");
        crate::manual_run::aws_env(cmd);
        cmd.env("AWS_ENDPOINT_URL", &proxy.url);
    });
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("could not read the live plan"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        line.starts_with("::warning title=cronbridge::cronbridge could not read the live plan: the EventBridge rules cannot be built")
            && line.contains("state_machine_arn"),
        "{line}"
    );
    let body = api.comments()[0]["body"].as_str().unwrap().to_string();
    assert!(
        body.contains(
            "> [!WARNING]\n> The live plan could not be read: the EventBridge rules cannot be built"
        ),
        "{body}"
    );
    // Nothing was asked of AWS.
    assert!(proxy.state().seen.is_empty(), "{:?}", proxy.state().seen);
}

// `backend: scheduler` on push deploys the schedules (and the alert rules) as `apply` does,
// with the plan and result in the log and the job summary.
#[tokio::test]
async fn a_push_on_the_scheduler_backend_deploys_the_schedules() {
    let push = Push::new("pushsch", "refs/heads/master");
    let group = format!("{}grp", push.prefix);
    let settings = crate::aws_sync::settings(
        &push.prefix,
        // Its own repository tag: the other push tests share GITHUB_REPOSITORY, and rules of
        // the same repository are found under any prefix.
        &format!(
            "  backend: scheduler\n  schedule_group: {group}\n  repository: octo/{}x\n",
            push.prefix
        ),
    );
    push.repo.write("cronbridge.yml", &settings);
    let api = FakeGitHub::start("Codertocat/Hello-World").await;
    serve_merged_pull(&api, &push.sha).await;
    let run = push.run(&api);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Applied: 7 schedule(s) written, 0 failed."),
        "{}",
        run.stdout
    );
    assert!(
        push.summary()
            .contains("## ⏰ cronbridge: EventBridge Scheduler deploy"),
        "{}",
        push.summary()
    );
    let client = crate::aws_sync::client_at(&crate::aws_sync::endpoint(), 3).await;
    let rules = crate::aws_sync::live_rules(&client, &push.prefix).await;
    assert!(
        rules.values().all(|r| r.schedule_expression.is_none()),
        "only the alert rule on the bus: {rules:?}"
    );
    // The merged pull request's deploy comment, under the deploy marker.
    let comments = api.comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- cronbridge:deploy -->"), "{body}");
    assert!(
        body.contains("deployed to EventBridge Scheduler")
            && body.contains(&format!("+ {}Backup", push.prefix))
            && body.contains(&push.sha),
        "{body}"
    );
    // Again: nothing to write, and the same comment edited.
    let again = push.run(&api);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(
        again
            .stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete, 7 unchanged."),
        "{}",
        again.stdout
    );
    assert_eq!(api.comments().len(), 1);
}
