//! The exit-code matrix: every command, and `cronbridge github` on each event, run with a
//! broken settings file, a broken schedule, a failing AWS or GitHub, and on success — each
//! code compared with the README's table, which is read from README.md itself.

use crate::common::{self, BACKUP, NOW, Repo, Run};
use crate::manual_run::{aws_env, file_json, fixture, sfn, state_machine};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ROLE: &str = "arn:aws:iam::123456789012:role/cronbridge-events";
const TOKEN: &str = "ghs_EXITCODESnotarealtoken0123456789";
/// A settings file that is not YAML.
const BROKEN_SETTINGS: &str = "aws: [unclosed\n";
/// A schedule whose cron is invalid (day-of-month and day-of-week both set).
const BROKEN_BACKUP: &str = "Backup:\n  cron: \"0 9 * * * *\"\n  description: バックアップ\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n";
/// Nothing listens here: every AWS call fails to connect.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

/// The README's table: command → column → code.
fn readme_table() -> BTreeMap<String, BTreeMap<String, String>> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("<!-- exit-codes:begin -->")
        .expect("README.md has the exit-code matrix between exit-codes markers");
    let end = readme.find("<!-- exit-codes:end -->").expect("end marker");
    let mut lines = readme[start..end]
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        });
    let header = lines.next().expect("a header row");
    let mut table = BTreeMap::new();
    for row in lines.filter(|r| !r[0].starts_with("---")) {
        let mut cells = BTreeMap::new();
        for (name, cell) in header.iter().zip(&row).skip(1) {
            // The code is the cell's first word: `0`, `2 (…)`, `—`.
            let code = cell.split_whitespace().next().unwrap_or("").to_string();
            cells.insert(name.clone(), code);
        }
        table.insert(row[0].replace('`', ""), cells);
    }
    table
}

/// Compares what happened with the README, naming the row and column.
fn expect(table: &BTreeMap<String, BTreeMap<String, String>>, row: &str, column: &str, run: &Run) {
    let want = &table
        .get(row)
        .unwrap_or_else(|| panic!("the README's exit-code table has no row `{row}`"))[column];
    assert_eq!(
        &run.code.to_string(),
        want,
        "`{row}` with {column}: README says {want}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

const SUCCESS: &str = "success";
const SETTINGS: &str = "broken settings";
const SCHEDULE: &str = "broken schedule";
const SERVICE: &str = "AWS or GitHub failure";

/// A rule prefix no other test uses on the shared emulator.
fn prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "ec{}x{}-",
        std::process::id() % 100_000,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn settings(state_machine: &str) -> String {
    format!(
        "rule_prefix: {}\naws:\n  region: us-east-1\n  rules_quota: 100000\n  target:\n    role_arn: {ROLE}\n    state_machine_arn: {state_machine}\n",
        prefix()
    )
}

/// A repository in one of the four states. The quota is raised: every test shares the
/// emulator's one bus.
fn repo(state: &str, machine: &str) -> Repo {
    let repo = Repo::new();
    repo.init();
    repo.write(
        "cronbridge.yml",
        &if state == SETTINGS {
            BROKEN_SETTINGS.to_string()
        } else {
            settings(machine)
        },
    )
    .write(
        "schedules/batches.yml",
        if state == SCHEDULE {
            BROKEN_BACKUP
        } else {
            BACKUP
        },
    );
    repo
}

fn with_aws<'c>(cmd: &'c mut Command, state: &str) -> &'c mut Command {
    aws_env(cmd);
    if state == SERVICE {
        cmd.env("AWS_ENDPOINT_URL", DEAD_ENDPOINT)
            .env("AWS_MAX_ATTEMPTS", "1");
    }
    cmd
}

#[tokio::test]
async fn the_commands_exit_as_the_readme_says() {
    let table = readme_table();
    for state in [SUCCESS, SETTINGS, SCHEDULE, SERVICE] {
        // A state machine each: Backup of one state's repository, deployed, would be started
        // twice by the next one's.
        let machine = state_machine(&sfn(), "exit").await;
        let r = repo(state, &machine);
        if state != SERVICE {
            // `check` makes no AWS or GitHub call.
            expect(&table, "check", state, &r.run(&["check", "--now", NOW]));
        }
        for (row, args) in [
            ("plan", vec!["plan", "--now", NOW]),
            ("apply", vec!["apply", "--now", NOW]),
            ("run", vec!["run", "Backup"]),
        ] {
            let mut cmd = common::cronbridge(&r.dir);
            cmd.args(&args).env("USER", "tester");
            with_aws(&mut cmd, state);
            expect(&table, row, state, &common::run(&mut cmd, &r.dir));
        }
    }
}

#[tokio::test]
async fn plan_detailed_exitcode_is_terraforms() {
    let machine = state_machine(&sfn(), "exit-detailed").await;
    let r = repo(SUCCESS, &machine);
    let plan = |r: &Repo, state: &str| {
        let mut cmd = common::cronbridge(&r.dir);
        cmd.args(["plan", "--detailed-exitcode", "--now", NOW]);
        with_aws(&mut cmd, state);
        common::run(&mut cmd, &r.dir)
    };
    assert_eq!(plan(&r, SUCCESS).code, 2, "changes to make");
    let mut cmd = common::cronbridge(&r.dir);
    cmd.args(["apply", "--now", NOW]);
    with_aws(&mut cmd, SUCCESS);
    assert_eq!(common::run(&mut cmd, &r.dir).code, 0);
    assert_eq!(plan(&r, SUCCESS).code, 0, "nothing to change");
    assert_eq!(plan(&r, SERVICE).code, 1, "every failure is 1");
    assert_eq!(plan(&repo(SETTINGS, &machine), SUCCESS).code, 1);
}

/// A fake GitHub for the three events: comments, reactions, permissions, the contents of
/// the default branch and the pull requests of a commit; or, failing, a 500 for everything.
#[derive(Clone)]
struct Api {
    files: Arc<Mutex<BTreeMap<String, String>>>,
    /// Answer every request with this status.
    failing: Option<u16>,
    repository: String,
}

impl Respond for Api {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if let Some(status) = self.failing {
            return ResponseTemplate::new(status)
                .set_body_json(json!({"message": "Server Error or Bad credentials"}));
        }
        let not_found =
            || ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        let path = req.url.path().to_string();
        let Some(rest) = path.strip_prefix(&format!("/repos/{}/", self.repository)) else {
            return not_found();
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", ["issues", _, "comments"]) => {
                ResponseTemplate::new(200).set_body_json(json!([]))
            }
            ("POST", ["issues", _, "comments"]) => ResponseTemplate::new(201)
                .set_body_json(fixture("api/issues.create-comment.201.json")),
            ("POST", ["issues", "comments", _, "reactions"]) => ResponseTemplate::new(201)
                .set_body_json(fixture("api/reactions.create-for-issue-comment.201.json")),
            ("GET", ["collaborators", login, "permission"]) => {
                let mut body = fixture("api/repos.get-collaborator-permission-level.200.json");
                body["permission"] = json!("write");
                body["role_name"] = json!("write");
                body["user"]["login"] = json!(login);
                ResponseTemplate::new(200).set_body_json(body)
            }
            ("GET", ["commits", _, "pulls"]) => ResponseTemplate::new(200).set_body_json(json!([])),
            ("GET", ["contents", ..]) => {
                let wanted = parts[1..].join("/");
                let files = self.files.lock().unwrap();
                if let Some(text) = files.get(&wanted) {
                    return ResponseTemplate::new(200).set_body_json(file_json(&wanted, text));
                }
                let prefix = format!("{wanted}/");
                let entries: Vec<Value> = files
                    .iter()
                    .filter(|(p, _)| p.starts_with(&prefix))
                    .map(|(p, text)| {
                        json!({"type": "file", "name": &p[prefix.len()..], "path": p, "size": text.len()})
                    })
                    .collect();
                if entries.is_empty() {
                    not_found()
                } else {
                    ResponseTemplate::new(200).set_body_json(entries)
                }
            }
            _ => not_found(),
        }
    }
}

/// One `cronbridge github` run of `event` on a repository in `state`.
async fn github(event: &str, state: &str, machine: &str) -> Run {
    github_with(event, state, machine, None).await
}

/// One `cronbridge github` run, with GitHub answering `status` to everything when given.
async fn github_with(event: &str, state: &str, machine: &str, status: Option<u16>) -> Run {
    let payload_file = match event {
        "pull_request" => "events/pull_request.opened.json",
        "push" => "events/push.default_branch.json",
        _ => "events/issue_comment.created.issue.json",
    };
    let mut payload = fixture(payload_file);
    let repository = payload["repository"]["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let default_branch = payload["repository"]["default_branch"]
        .as_str()
        .unwrap()
        .to_string();
    // The pull request's base is always sound; its head, the pushed commit and the default
    // branch are in `state`.
    let r = repo(SUCCESS, machine);
    let base = r.commit("base");
    let broken = repo(state, machine);
    for file in ["cronbridge.yml", "schedules/batches.yml"] {
        let text = std::fs::read_to_string(broken.dir.join(file)).unwrap();
        r.write(file, &text);
    }
    let head = r.commit("head");
    let files: BTreeMap<String, String> = ["cronbridge.yml", "schedules/batches.yml"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read_to_string(r.dir.join(f)).unwrap(),
            )
        })
        .collect();
    match event {
        "pull_request" => {
            payload["pull_request"]["base"]["sha"] = json!(base);
            payload["pull_request"]["head"]["sha"] = json!(head);
        }
        "push" => {
            payload["after"] = json!(head);
            payload["ref"] = json!(format!("refs/heads/{default_branch}"));
        }
        _ => {
            payload["comment"]["body"] = json!("/run Backup");
            payload["comment"]["user"]["login"] = json!("writer");
            payload["comment"]["user"]["type"] = json!("User");
        }
    }
    let runner = Repo::new();
    runner.write("event.json", &payload.to_string());
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(Api {
            files: Arc::new(Mutex::new(files)),
            // AWS fails for the push (which calls it first), GitHub for the others.
            failing: status.or((state == SERVICE && event != "push").then_some(500)),
            repository: repository.clone(),
        })
        .mount(&server)
        .await;
    let mut cmd = common::cronbridge(&r.dir);
    cmd.args(["github", "--now", NOW])
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", runner.dir.join("event.json"))
        .env("GITHUB_REPOSITORY", &repository)
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_SHA", &head)
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", runner.dir.join("summary.md"))
        .env("GITHUB_OUTPUT", runner.dir.join("output.txt"));
    with_aws(&mut cmd, if event == "push" { state } else { SUCCESS });
    let run = common::run(&mut cmd, &r.dir);
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    run
}

#[tokio::test]
async fn the_action_exits_as_the_readme_says_on_each_event() {
    let table = readme_table();
    for event in ["pull_request", "push", "issue_comment"] {
        for state in [SUCCESS, SETTINGS, SCHEDULE, SERVICE] {
            // A state machine each (see above).
            let machine = state_machine(&sfn(), "exit-github").await;
            let run = github(event, state, &machine).await;
            expect(&table, &format!("github on {event}"), state, &run);
        }
    }
}

// A 401 from GitHub suggested `permissions: pull-requests: write`; the token itself is bad.
#[tokio::test]
async fn a_token_github_does_not_accept_is_called_invalid_or_expired() {
    let machine = state_machine(&sfn(), "exit-401").await;
    let run = github_with("pull_request", SUCCESS, &machine, Some(401)).await;
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("invalid or expired"), "{all}");
    assert!(!all.contains("pull-requests: write"), "{all}");
}

// A GitHub API that accepts connections and never answers held the job 240 s and then said
// "client error (SendRequest)".
#[tokio::test]
async fn a_github_that_never_answers_is_bounded_by_the_deadline() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // Accepts and holds every connection, answering nothing, until the test ends.
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let r = repo(
        SUCCESS,
        "arn:aws:states:us-east-1:123456789012:stateMachine:x",
    );
    let base = r.commit("base");
    r.write("schedules/batches.yml", &BACKUP.replace("0 9", "0 10"));
    let head = r.commit("head");
    let mut payload = fixture("events/pull_request.opened.json");
    payload["pull_request"]["base"]["sha"] = json!(base);
    payload["pull_request"]["head"]["sha"] = json!(head);
    let runner = Repo::new();
    runner.write("event.json", &payload.to_string());
    let repository = payload["repository"]["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let mut cmd = common::cronbridge(&r.dir);
    cmd.args(["github", "--now", NOW, "--timeout", "3s"])
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", runner.dir.join("event.json"))
        .env("GITHUB_REPOSITORY", &repository)
        .env("GITHUB_API_URL", format!("http://{address}"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", runner.dir.join("summary.md"))
        .env("GITHUB_OUTPUT", runner.dir.join("output.txt"));
    let started = std::time::Instant::now();
    let run = tokio::task::spawn_blocking(move || common::run(&mut cmd, &r.dir))
        .await
        .unwrap();
    held.abort();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("timed out after 3 s talking to {address}")),
        "{}",
        run.stderr
    );
}
