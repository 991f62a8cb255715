//! The escaping table: hostile strings put where a stranger can put them (a description, a
//! batch class, a batch name, a YAML key, a policy name, a file name, a `/run` comment, an AWS
//! error), rendered through every renderer and format, and checked per medium: what the job
//! log, GitHub Markdown and JSON on the log may contain. The checks themselves are tested on
//! raw strings, so a bypassed escaper cannot pass unnoticed.

use crate::common::Repo;
use cronbridge::check::{self, Analysis, Options};
use cronbridge::deploy::desired::Origin;
use cronbridge::deploy::plan::{Action, Change, Elsewhere, FieldChange, Plan, Quota, Rename};
use cronbridge::deploy::{ApplyOutcome, CallCount, CallStats, DeployReport, RuleOutcome, Status};
use cronbridge::finding::{Finding, Location, Rule};
use cronbridge::manual::audit::{Audit, AuditOutcome};
use cronbridge::manual::command::{Parsed, parse};
use cronbridge::manual::flow::Refusal;
use cronbridge::manual::request::Via;
use cronbridge::report;
use cronbridge::report::comment::{Context, Links};
use cronbridge::report::manual::Reply;
use cronbridge::source::{self, Source};

const NOW: &str = "2026-11-29T00:00:00Z";

/// What a stranger may write, one per entry.
const HOSTILE: &[&str] = &[
    "a\n::error::x",
    "\r::warning::x",
    "  ::add-mask::x",
    "##[add-mask]x",
    "##[stop-commands]tok",
    "#\u{200B}#[set-output name=a;]b",
    "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
    "\x1b[2J",
    "\u{202E}txt.exe",
    "@everyone",
    "@org/team",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![i](http://x)",
    "|",
    "a | b",
    "`",
    "a ``` b",
    "<!-- cronbridge -->",
    "<!-- cronbridge:run -->",
    "<!-- cronbridge:deploy -->",
    "<!-- cronbridge:pull-request -->",
    "- list",
    "1. list",
    "www.evil.example",
    "Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789",
];

// ----- what each medium may contain -----

/// Characters .NET's culture-sensitive search may skip, and controls: removed before looking
/// for `##[` and a leading `::`, as the runner would see them.
fn significant(line: &str) -> String {
    line.chars()
        .filter(|&c| {
            !(c.is_control()
                || matches!(u32::from(c),
                    0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5
                    | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E
                    | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
                    | 0xE0000..=0xE0FFF))
        })
        .collect()
}

/// One of cronbridge's own workflow commands: a known command, properties without a raw `:`
/// or `,` in their values, and the `cronbridge` title.
fn own_command(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("::") else {
        return false;
    };
    let Some((head, _message)) = rest.split_once("::") else {
        return false;
    };
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    if !matches!(command, "error" | "warning" | "notice") {
        return false;
    }
    let mut titled = false;
    for prop in props.split(',').filter(|p| !p.is_empty()) {
        let Some((key, value)) = prop.split_once('=') else {
            return false;
        };
        if !matches!(
            key,
            "file" | "line" | "col" | "endLine" | "endColumn" | "title"
        ) || value.contains(':')
        {
            return false;
        }
        titled |= key == "title" && value.starts_with("cronbridge");
    }
    titled
}

/// Text for stdout/stderr (the job log): no control character but LF and tab, no line that
/// is a workflow command unless cronbridge wrote it, no `##[` outside those.
fn log_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        if let Some(c) = line.chars().find(|&c| c.is_control() && c != '\t') {
            problems.push(format!("line {n}: control {c:?}: {line:?}"));
        }
        let seen = significant(line);
        let trimmed = seen.trim_start();
        if trimmed.starts_with("::") {
            if !own_command(line) {
                problems.push(format!("line {n}: a workflow command: {line:?}"));
            }
        } else if seen.contains("##[") {
            problems.push(format!("line {n}: a legacy command: {line:?}"));
        }
    }
    problems
}

/// Markdown with inline code spans and fenced blocks taken out: what GitHub reads as markup.
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.split('\n') {
        let ticks: String = line.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(f) if ticks.len() >= f.len() && line.trim_end() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                let chars: Vec<char> = line.chars().collect();
                let mut i = 0;
                while i < chars.len() {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        out.push(chars[i]);
                        out.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    if chars[i] == '`' {
                        let n = chars[i..].iter().take_while(|&&c| c == '`').count();
                        // The closing run: exactly n backticks.
                        let mut j = i + n;
                        let mut close = None;
                        while j < chars.len() {
                            let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                            if m == n {
                                close = Some(j);
                                break;
                            }
                            j += m.max(1);
                        }
                        match close {
                            Some(j) => {
                                out.push_str("CODE");
                                i = j + n;
                            }
                            None => {
                                out.extend(&chars[i..i + n]);
                                i += n;
                            }
                        }
                        continue;
                    }
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        out.push('\n');
    }
    out
}

/// GitHub Markdown: no raw HTML but cronbridge's own tags, no link but its own, no mention
/// but `allowed_mention`, no hidden marker but `marker` on the first line, no control or
/// reordering character, and table rows that keep their cells.
fn markdown_problems(md: &str, marker: Option<&str>, allowed_mention: Option<&str>) -> Vec<String> {
    let mut problems = Vec::new();
    let body = match marker {
        Some(m) => match md.strip_prefix(m) {
            Some(rest) => rest,
            None => {
                problems.push(format!("does not start with {m:?}"));
                md
            }
        },
        None => md,
    };
    if body.contains("<!--") {
        problems.push("a hidden comment besides the marker".to_string());
    }
    if let Some(c) = md
        .chars()
        .find(|&c| (c.is_control() && c != '\n') || ('\u{202A}'..='\u{202E}').contains(&c))
    {
        problems.push(format!("control {c:?}"));
    }
    let text = outside_code(body);
    let mut html = text.clone();
    for tag in [
        "<br>",
        "<sub>",
        "</sub>",
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
    ] {
        html = html.replace(tag, "");
    }
    if html.contains('<') {
        problems.push(format!("raw `<`: {html}"));
    }
    let mut links = text.replace("\\]", "").replace("\\(", "");
    for own in [
        "](https://github.com/",
        "](https://ap-northeast-1.console.aws.amazon.com/",
    ] {
        links = links.replace(own, "");
    }
    if links.contains("](") {
        problems.push(format!("a link: {links}"));
    }
    let mut mentions = text.clone();
    if let Some(m) = allowed_mention {
        mentions = mentions.replace(m, "");
    }
    let chars: Vec<char> = mentions.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '@' && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) {
            problems.push(format!("a mention at {i}: {mentions}"));
            break;
        }
    }
    // Tables: every row has the unescaped pipes of its header.
    let lines: Vec<&str> = text.lines().collect();
    let pipes = |l: &str| l.replace("\\|", "").matches('|').count();
    let mut cells = None;
    for (n, line) in lines.iter().enumerate() {
        if !line.starts_with('|') {
            cells = None;
            continue;
        }
        if lines.get(n + 1).is_some_and(|l| l.starts_with("|---")) && cells.is_none() {
            cells = Some(pipes(line));
        } else if let Some(c) = cells
            && pipes(line) != c
        {
            problems.push(format!("a row with {} pipes, not {c}: {line}", pipes(line)));
        }
    }
    problems
}

/// JSON for stdout: it parses, and as log text it is safe.
fn json_problems(json: &str) -> Vec<String> {
    let mut problems = log_problems(json);
    if let Err(err) = serde_json::from_str::<serde_json::Value>(json) {
        problems.push(format!("not JSON: {err}"));
    }
    problems
}

#[track_caller]
fn assert_none(what: &str, problems: Vec<String>, text: &str) {
    assert!(
        problems.is_empty(),
        "{what}:\n{}\n---\n{text}",
        problems.join("\n")
    );
}

#[track_caller]
fn assert_log(what: &str, text: &str) {
    assert_none(what, log_problems(text), text);
}

#[track_caller]
fn assert_markdown(what: &str, md: &str, marker: Option<&str>, mention: Option<&str>) {
    assert_none(what, markdown_problems(md, marker, mention), md);
}

#[track_caller]
fn assert_json(what: &str, json: &str) {
    assert_none(what, json_problems(json), json);
}

/// Each hostile string survived somewhere in recognisable form: the renderers did not just
/// drop the content (which would make the other checks pass trivially).
#[track_caller]
fn assert_mentions_hostile(what: &str, text: &str, needle: &str) {
    assert!(text.contains(needle), "{what} lacks {needle:?}:\n{text}");
}

#[test]
fn the_checks_catch_raw_strings() {
    for raw in [
        "ok\n::error::x",
        "  ::add-mask::x",
        "\u{3000}::warning::y",
        "x ##[stop-commands]tok",
        "#\u{200B}#[add-mask]x",
        "\x1b[2J",
        "\x1b]8;;http://evil\x1b\\",
        "a\rb",
        "::error title=evil,x=a:b::y",
    ] {
        assert!(!log_problems(raw).is_empty(), "log check missed {raw:?}");
    }
    assert!(log_problems("::error file=a.yml,line=1,col=2,title=cronbridge x::m ##[x]").is_empty());
    assert!(!json_problems("{\"a\": \"##[add-mask]x\"}").is_empty());
    assert!(!json_problems("{\"a\": ").is_empty());
    for raw in [
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "![i](http://x)",
        "hi @everyone",
        "ping @org/team",
        "<!-- cronbridge:run -->",
        "a\x1bb",
        "\u{202E}txt",
        "| a | b |\n|---|---|\n| x | y | z |",
    ] {
        assert!(
            !markdown_problems(raw, None, None).is_empty(),
            "Markdown check missed {raw:?}"
        );
    }
    // The marker only counts at the start, once.
    assert!(
        !markdown_problems(
            "x\n<!-- cronbridge:run -->",
            Some("<!-- cronbridge:run -->"),
            None
        )
        .is_empty()
    );
    // Inside code spans and with escapes, the same text is inert.
    for ok in [
        "` <img src=x> @everyone [x](y) `",
        "&lt;img&gt; @\u{200B}everyone \\[x\\]\\(y\\)",
        "| a | b |\n|---|---|\n| ` x\\|y ` | z |",
        "<details><summary>x</summary>\n\n```diff\n<img>\n```\n\n</details>",
    ] {
        assert_eq!(
            markdown_problems(ok, None, None),
            Vec::<String>::new(),
            "{ok:?}"
        );
    }
    // And a raw string through a renderer that bypassed its escaper is caught.
    let raw = format!("| {} | x |\n", "a|b");
    assert!(!markdown_problems(&format!("| A | B |\n|---|---|\n{raw}"), None, None).is_empty());
}

// ----- the repository a stranger's pull request could hold -----

/// A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's.
fn yaml(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A file name from a hostile string (no `/`, no NUL).
fn file_name(text: &str) -> String {
    text.replace(['/', '\0'], "_")
}

fn hostile_repo() -> Repo {
    let repo = Repo::new();
    let mut batches = String::new();
    for (i, h) in HOSTILE.iter().enumerate() {
        let h = yaml(h);
        batches.push_str(&format!(
            "Desc{i}:\n  cron: \"0 9 * * ? *\"\n  description: {h}\n  batch_class: Batches::Daily::Desc\n  is_active: true\n"
        ));
        batches.push_str(&format!(
            "Class{i}:\n  cron: \"0 9 * * ? *\"\n  description: c\n  batch_class: {h}\n  is_active: true\n"
        ));
        batches.push_str(&format!(
            "Key{i}:\n  cron: \"0 9 * * ? *\"\n  description: k\n  batch_class: Batches::Daily::Key\n  is_active: true\n  {h}: 1\n"
        ));
        batches.push_str(&format!(
            "{h}:\n  cron: \"0 9 * * ? *\"\n  description: n\n  batch_class: Batches::Daily::Name\n  is_active: true\n"
        ));
    }
    repo.write("schedules/batches.yml", &batches);
    let mut policies = String::from("quiet_hours:\n");
    for h in HOSTILE {
        policies.push_str(&format!(
            "  - name: {}\n    window: \"08:00-10:00\"\n",
            yaml(h)
        ));
    }
    repo.write("rules/policies.yml", &policies);
    for h in HOSTILE {
        repo.write(
            &format!("schedules/{}.yml", file_name(h)),
            "Broken:\n  cron: \"0 9 * * ? *\"\n  is_activ: true\n",
        );
    }
    repo
}

fn analysis(repo: &Repo) -> Analysis {
    let inputs = source::read_inputs(&Source::WorkTree(repo.dir.clone()), None).unwrap();
    check::analyse(
        inputs,
        &Options {
            now: NOW.parse().unwrap(),
            horizon_days: 7,
        },
    )
}

#[test]
fn check_in_every_format_keeps_hostile_text_inert() {
    let repo = hostile_repo();
    let human = repo.run(&["check", "--now", NOW, "--horizon", "7d"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert_log("check human stdout", &human.stdout);
    assert_log("check human stderr", &human.stderr);
    // Findings are clickable places with their source line.
    assert_mentions_hostile("check human", &human.stdout, "schedules/batches.yml:");
    assert_mentions_hostile("check human", &human.stdout, "@everyone");
    assert_mentions_hostile("check human", &human.stdout, "stop-commands");

    let json = repo.run(&["check", "--now", NOW, "--horizon", "7d", "--format", "json"]);
    assert_json("check json", &json.stdout);
    assert_log("check json stderr", &json.stderr);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    // Log-safe JSON is still the same JSON: the values are exactly what the files said.
    let descriptions: Vec<&str> = value["batches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["description"].as_str())
        .collect();
    assert!(
        descriptions.contains(&"##[stop-commands]tok"),
        "{descriptions:?}"
    );

    let md = repo.run(&[
        "check",
        "--now",
        NOW,
        "--horizon",
        "7d",
        "--format",
        "markdown",
    ]);
    assert_markdown("check markdown", &md.stdout, None, None);
    assert_log("check markdown on stdout", &md.stdout);
    assert_mentions_hostile("check markdown", &md.stdout, "everyone");

    let summary = repo.dir.join("summary.md");
    let mut cmd = crate::common::cronbridge(&repo.dir);
    cmd.env("GITHUB_STEP_SUMMARY", &summary).args([
        "check",
        "--now",
        NOW,
        "--horizon",
        "7d",
        "--format",
        "github",
    ]);
    let github = crate::common::run(&mut cmd, &repo.dir);
    assert_log("check github", &github.stdout);
    assert!(
        github
            .stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .count()
            > HOSTILE.len(),
        "{}",
        github.stdout
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert_markdown("check job summary", &written, None, None);
}

#[test]
fn the_pull_request_comment_keeps_hostile_text_inert() {
    let base_repo = Repo::new();
    base_repo.write(
        "schedules/batches.yml",
        "Desc0:\n  cron: \"0 7 * * ? *\"\n  description: d\n  batch_class: Batches::Daily::Desc\n  is_active: true\n",
    );
    let base = analysis(&base_repo);
    let mut head = analysis(&hostile_repo());
    let diff = check::diff(&base, &mut head);
    let ctx = Context {
        head: &head,
        base: &base,
        diff: &diff,
        deploy: &diff.deploy,
        live: None,
        links: Links {
            server_url: "https://github.com",
            repository: "o/r",
            blob_sha: "1111111111111111111111111111111111111111",
            head_sha: "1111111111111111111111111111111111111111",
            run_url: Some("https://github.com/o/r/actions/runs/1"),
            version: "0.1.0",
        },
    };
    let body = report::comment::body(&ctx);
    assert_markdown("PR comment", &body, Some(report::comment::MARKER), None);
    assert_mentions_hostile("PR comment", &body, "everyone");
    assert_markdown("job summary", &report::comment::summary(&ctx), None, None);
    let none = report::comment::no_changes_body(&ctx);
    assert_markdown(
        "PR comment, no changes",
        &none,
        Some(report::comment::MARKER),
        None,
    );
}

/// A credential an AWS error body echoes back: masked wherever the error is shown.
const AWS_TOKEN: &str = "SecretFromTheErrorBody0123";

fn finding(text: &str) -> Finding {
    Finding::of(
        Rule::YamlSyntax,
        Location::new(file_name(text), 1, 1, 1, 2),
        format!("PutRule failed: {text}: Bearer {AWS_TOKEN}"),
    )
    .help(text)
}

fn hostile_plan() -> Plan {
    let mut changes = Vec::new();
    for (i, h) in HOSTILE.iter().enumerate() {
        let action = [Action::Create, Action::Update, Action::Delete][i % 3];
        changes.push(Change {
            name: format!("cronbridge-{h}"),
            action,
            origin: match i % 3 {
                0 => Some(Origin::Schedule(h.to_string())),
                1 => Some(Origin::Alert(h.to_string())),
                _ => None,
            },
            fields: vec![
                FieldChange {
                    field: h.to_string(),
                    before: Some(h.to_string()),
                    after: Some(format!("{h}{h}")),
                },
                FieldChange {
                    field: "description".to_string(),
                    before: None,
                    after: Some(h.to_string()),
                },
            ],
            desired: None,
            live: None,
            rule_changed: true,
            tags_changed: false,
            targets_changed: false,
            renamed_from: (i % 3 == 0).then(|| format!("old-{h}")),
            renamed_to: (i % 3 == 2).then(|| format!("new-{h}")),
            adopts: false,
        });
    }
    // Rules a changed event bus moves: the old bus and both names from strangers.
    let elsewhere = HOSTILE
        .iter()
        .zip(&changes)
        .map(|(h, c)| Elsewhere {
            bus: h.to_string(),
            change: c.clone(),
            replaced_by: Some(format!("new-{h}")),
        })
        .collect();
    Plan {
        elsewhere,
        bus: HOSTILE.join(" "),
        prefix: "##[add-mask]".to_string(),
        changes,
        unmanaged: HOSTILE.iter().map(|h| h.to_string()).collect(),
        errors: HOSTILE.iter().map(|h| finding(h)).collect(),
        warnings: HOSTILE.iter().map(|h| finding(h)).collect(),
        delete_guard: None,
        quota: Quota {
            after: 1,
            limit: 300,
        },
        renames: HOSTILE
            .iter()
            .map(|h| Rename {
                from: format!("old-{h}"),
                to: format!("new-{h}"),
                origin: Origin::Schedule(h.to_string()),
                by: "same_batch",
            })
            .collect(),
        repository: Some(HOSTILE.join("/")),
    }
}

#[test]
fn plans_and_deploy_reports_keep_hostile_text_and_aws_errors_inert() {
    let plan = hostile_plan();
    let calls = CallStats(
        [(
            "PutRule".to_string(),
            CallCount {
                calls: 1,
                attempts: 2,
            },
        )]
        .into_iter()
        .collect(),
    );
    let applied = Status::Applied(ApplyOutcome {
        rules: HOSTILE
            .iter()
            .map(|h| RuleOutcome {
                name: h.to_string(),
                action: Action::Create,
                steps: vec!["PutRule"],
                error: Some(format!(
                    "AccessDenied: {h} (Authorization: Bearer {AWS_TOKEN}, key ghs_{AWS_TOKEN})"
                )),
            })
            .collect(),
    });
    let refused = Status::Refused {
        reasons: HOSTILE.iter().map(|h| finding(h)).collect(),
    };
    for status in [Status::Planned, applied, refused] {
        let report = DeployReport {
            plan: plan.clone(),
            status,
            calls: calls.clone(),
            from_env: vec!["CRONBRIDGE_EVENT_BUS"],
            warnings: Vec::new(),
        };
        let human = report::plan::deploy_human(&report);
        assert_log("deploy human", &human);
        let md = report::plan::deploy_markdown(&report);
        assert_markdown("deploy markdown", &md, None, None);
        assert_json("deploy json", &report::plan::deploy_json(&report));
        for text in [&human, &md] {
            assert!(!text.contains(AWS_TOKEN), "a token leaked:\n{text}");
        }
    }
    assert_log("plan human", &report::plan::plan_human(&plan));
    let md = report::plan::plan_markdown(&plan);
    assert_markdown("plan markdown", &md, None, None);
    assert_mentions_hostile("plan markdown", &md, "everyone");
    assert_json("plan json", &report::plan::plan_json(&plan));
}

#[test]
fn run_replies_and_audit_records_keep_the_comment_inert() {
    let repo = hostile_repo();
    let head = analysis(&repo);
    let batches = &head.inputs.batches;
    let batch = batches
        .iter()
        .find(|b| b.description.as_deref() == Some("##[stop-commands]tok"))
        .unwrap();
    let marker = Some(report::manual::MARKER);
    let mention = Some("@octocat");
    let help = report::manual::reply_body(
        "octocat",
        &Reply::Help {
            batches,
            default_branch: "main",
        },
    );
    assert_markdown("/run help", &help, marker, mention);
    for login in ["octocat", "@everyone", "<img src=x>"] {
        let started = report::manual::reply_body(
            login,
            &Reply::Started {
                batch,
                execution_arn: "arn:aws:states:ap-northeast-1:123456789012:execution:m:github-1-Desc4",
                execution_name: "github-1-Desc4",
                default_branch: "main",
            },
        );
        assert_markdown("/run started", &started, marker, mention);
    }
    for h in HOSTILE {
        let comment = format!("/run Backup {h}");
        if let Parsed::Rejected { reason, .. } = parse(&comment) {
            let body = report::manual::reply_body(
                "octocat",
                &Reply::Refused {
                    reason: report::manual::rejection(&reason),
                    help: None,
                },
            );
            assert_markdown("/run rejected", &body, marker, mention);
        }
        let unknown = Refusal::UnknownBatch {
            name: h.to_string(),
            suggestions: vec![h.to_string()],
            broken: 1,
        };
        let reply = report::manual::refusal_reply("octocat", &unknown, h);
        assert_markdown("/run refusal", &reply, marker, mention);
        assert_log("refusal text", &report::manual::refusal_text(&unknown));

        let mut audit = Audit::new(NOW.parse().unwrap(), Via::GitHub, h, AuditOutcome::Refused)
            .with_command(&comment);
        audit.reason = Some(h.to_string());
        audit.batch = Some(h.to_string());
        let line = report::manual::audit_line(&audit);
        assert_json("audit line", &line);
        assert!(!line.contains('\n'), "{line}");
        assert_markdown(
            "audit markdown",
            &report::manual::audit_markdown(&audit),
            None,
            None,
        );
    }
}
