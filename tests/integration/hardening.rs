//! Hostile and mistaken input, through the binary: each test is named after the problem it
//! pins, with a line saying what broke before.

use crate::common::{self, BACKUP, NOW, Repo};
use serde_json::Value;
use std::time::{Duration, Instant};

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

const SECRET_SCHEDULE: &str = "Secret:\n  cron: \"0 9 * * ? *\"\n  description: OUTSIDE-THE-CHECKOUT\n  batch_class: \"Batches::Secret\"\n  is_active: true\n";

// A committed link on a parent path (`ext -> /outside`, `schedules: ext/conf`) was followed,
// and YAML from outside the checkout reached the report.
#[test]
fn a_link_on_a_parent_of_the_schedules_directory_is_not_followed() {
    let outside = Repo::new();
    outside.write("conf/secret.yml", SECRET_SCHEDULE);
    let repo = Repo::new();
    repo.init();
    repo.write("cronbridge.yml", "schedules: ext/conf\n")
        .symlink(&outside.dir, "ext");
    let run = repo.run(&["check", "--now", NOW]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("`ext` is a symbolic link"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("OUTSIDE") && !run.stderr.contains("OUTSIDE"));
    // The same at a git revision: the link is committed.
    repo.write("schedules/batches.yml", BACKUP);
    let base = repo.commit("a linked parent");
    repo.write("cronbridge.yml", "").commit("head");
    let run = repo.run(&["check", "--now", NOW, "--base", &base, "--format", "json"]);
    assert!(!run.stdout.contains("OUTSIDE"), "{}", run.stdout);
    assert!(
        run.stderr.contains("`ext` is a symbolic link"),
        "{}",
        run.stderr
    );
}

// A settings file behind a linked directory was read.
#[test]
fn a_settings_file_behind_a_link_is_not_read() {
    let outside = Repo::new();
    outside.write("cronbridge.yml", "timezone: UTC\n");
    let repo = Repo::new();
    repo.write("schedules/batches.yml", BACKUP)
        .symlink(&outside.dir, "conf");
    let run = repo.run(&[
        "check",
        "--now",
        NOW,
        "--config",
        "conf/cronbridge.yml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(codes(&json(&run)).contains(&"repo/symlink".to_string()));
}

// A FIFO at `schedules/x.yml` blocked `check` forever.
#[test]
fn a_fifo_among_the_schedules_is_refused_not_read() {
    let repo = Repo::new();
    repo.write("schedules/batches.yml", BACKUP);
    let fifo = repo.dir.join("schedules/x.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = Instant::now();
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    assert!(
        codes(&report).contains(&"repo/not-a-file".to_string()),
        "{report}"
    );
}

// `schedules/x.YML` and `schedules/sub/*.yml` were skipped in silence.
#[test]
fn files_cronbridge_does_not_read_get_a_note() {
    let repo = Repo::new();
    repo.write("schedules/batches.yml", BACKUP)
        .write(
            "schedules/other.YML",
            BACKUP.replace("Backup", "Other").as_str(),
        )
        .write(
            "schedules/sub/deeper.yml",
            BACKUP.replace("Backup", "Deeper").as_str(),
        );
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = json(&run);
    let notes: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "repo/not-read")
        .collect();
    assert_eq!(notes.len(), 2, "{report}");
    assert!(notes.iter().all(|f| f["severity"] == "info"));
    let files: Vec<&str> = notes.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["schedules/other.YML", "schedules/sub"]);
}

// `explain '-5 * * * ? *'` was read as a flag: exit 2 with the usage text.
#[test]
fn an_expression_that_starts_with_a_dash_is_an_expression() {
    let repo = Repo::new();
    let run = repo.run(&["explain", "-5 * * * ? *", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(json(&run)["error"]["message"].is_string());
    assert_eq!(repo.run(&["explain", "-h"]).code, 0);
}

// `explain --count 1000000000` tried to list a billion runs and aborted.
#[test]
fn explain_lists_a_bounded_number_of_runs() {
    let run = Repo::new().run(&["explain", "0 9 * * ? *", "--count", "1000000000"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("1..=10000"), "{}", run.stderr);
}

// A malformed `--token` value was echoed back by the argument parser.
#[test]
fn a_malformed_token_is_not_echoed() {
    let run = Repo::new().run(&["github", "--token", "ghp_SECRETVALUE with a space"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--token"), "{}", run.stderr);
    assert!(!run.stderr.contains("SECRETVALUE") && !run.stdout.contains("SECRETVALUE"));
}

// `check | head -1` printed "Broken pipe" and exited 3.
#[test]
fn a_closed_pipe_ends_quietly() {
    let repo = Repo::new();
    let many: String = (0..3000)
        .map(|i| BACKUP.replace("Backup:", &format!("Backup{i}:")))
        .collect();
    repo.write("schedules/batches.yml", &many);
    let script = format!(
        "set -o pipefail; '{}' check --now {NOW} --format json | head -c 1 > /dev/null",
        common::bin().display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(&repo.dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.to_lowercase().contains("broken pipe"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

// `FORCE_COLOR` was ignored when output is not a terminal.
#[test]
fn force_color_colours_and_no_color_wins() {
    let repo = Repo::new();
    repo.write(
        "schedules/batches.yml",
        &BACKUP.replace("0 9 * * ? *", "0 9 * * * *"),
    );
    let colour = |vars: &[(&str, &str)]| {
        let mut cmd = common::cronbridge(&repo.dir);
        cmd.env_remove("NO_COLOR").args(["check", "--now", NOW]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        common::run(&mut cmd, &repo.dir).stdout.contains('\u{1b}')
    };
    assert!(!colour(&[]));
    assert!(colour(&[("FORCE_COLOR", "1")]));
    assert!(!colour(&[("FORCE_COLOR", "0")]));
    assert!(!colour(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
}

// `Backup` and `backup` were two batches, and `/run backup` started the other one.
#[test]
fn batch_names_that_differ_only_in_case_fail_check() {
    let repo = Repo::new();
    repo.write("schedules/a.yml", BACKUP)
        .write("schedules/b.yml", &BACKUP.replace("Backup:", "backup:"));
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(codes(&json(&run)).contains(&"schedule/case-collision".to_string()));
}

// Unquoted `cron: */5 * * * ? *` said "found unknown anchor" and nothing about quoting.
#[test]
fn an_unquoted_cron_says_to_quote_it() {
    let repo = Repo::new();
    repo.write(
        "schedules/batches.yml",
        "Backup:\n  cron: */5 * * * ? *\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n",
    );
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = json(&run);
    let help = report["findings"][0]["help"].as_str().unwrap_or_default();
    assert!(help.contains("cron: \"*/5 * * * ? *\""), "{report}");
}

// `timezone: UTC+9` suggested `Etc/UTC`, nine hours off.
#[test]
fn an_offset_for_a_zone_suggests_the_place() {
    let repo = Repo::new();
    repo.write("cronbridge.yml", "timezone: UTC+9\n")
        .write("schedules/batches.yml", BACKUP);
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 2);
    let report = json(&run);
    let help = report["findings"][0]["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("`Asia/Tokyo`") && help.contains("`Etc/GMT-9`"),
        "{help}"
    );
    assert!(!help.contains("Etc/UTC"), "{help}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Whatever the bytes, every loader returns findings instead of panicking, and each
    /// finding points into the file.
    #[test]
    fn loaders_take_arbitrary_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let settings = cronbridge::settings::Settings::default();
        // YAML breaks lines at LF, CRLF and a lone CR.
        let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count() as u32;
        let (_, a) = cronbridge::schedule::load("s.yml", &text, &settings);
        let (_, b) = cronbridge::settings::load("c.yml", &text);
        let (_, c) = cronbridge::policy::load::load("p.yml", &text, &settings);
        for f in a.iter().chain(&b).chain(&c) {
            proptest::prop_assert!(f.location.line >= 1 && f.location.line <= lines, "{f:?}");
        }
    }

    /// The same for text made of YAML's own punctuation, where the parser has most to do.
    #[test]
    fn loaders_take_arbitrary_yaml_shapes(text in "([A-Za-z_]{1,8}: ?|- |  |[\\[\\]{},:&*!|>'\"#?%@`]|\"[^\"]{0,6}\"|[0-9 ?*/LW#-]{1,12}|\n){0,60}") {
        let settings = cronbridge::settings::Settings::default();
        let _ = cronbridge::schedule::load("s.yml", &text, &settings);
        let _ = cronbridge::settings::load("c.yml", &text);
        let _ = cronbridge::policy::load::load("p.yml", &text, &settings);
    }
}

// `check` from a subdirectory failed with "no `schedules` directory".
#[test]
fn check_from_a_subdirectory_finds_the_repository_root() {
    let repo = Repo::new();
    repo.init();
    repo.write("schedules/batches.yml", BACKUP)
        .write("docs/deep/er/README.md", "notes\n");
    let sub = repo.dir.join("docs/deep/er");
    let run = common::run(
        common::cronbridge(&sub).args(["check", "--now", NOW]),
        &repo.dir,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 batch"), "{}", run.stdout);
}

// `check --base HEAD~1` in a shallow clone said only that the revision is unknown.
#[test]
fn a_base_missing_from_a_shallow_clone_says_to_fetch_the_history() {
    let origin = Repo::new();
    origin.init();
    origin.write("schedules/batches.yml", BACKUP);
    origin.commit("one");
    origin.write("schedules/batches.yml", &BACKUP.replace("0 9", "0 10"));
    origin.commit("two");
    let clone = Repo::new();
    let url = format!("file://{}", origin.dir.display());
    let dest = clone.dir.join("c");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(&dest)
        .output()
        .expect("git clone");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = common::run(
        common::cronbridge(&dest).args(["check", "--now", NOW, "--base", "HEAD~1"]),
        &dest,
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}

// An unwritable GITHUB_STEP_SUMMARY failed with "Permission denied" and no path.
#[test]
fn an_unwritable_job_summary_is_named() {
    let repo = Repo::new();
    repo.write("schedules/batches.yml", BACKUP);
    let missing = repo.dir.join("no-such-dir/summary.md");
    let run = common::run(
        common::cronbridge(&repo.dir)
            .args(["check", "--now", NOW, "--format", "github"])
            .env("GITHUB_STEP_SUMMARY", &missing),
        &repo.dir,
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("no-such-dir/summary.md"),
        "{}",
        run.stderr
    );
}

// The rule limit of the rewrite could be set only in code: `aws.max_rules_per_schedule`.
#[test]
fn the_number_of_utc_rules_per_schedule_is_a_setting() {
    let repo = Repo::new();
    let month_end = BACKUP.replace("0 9 * * ? *", "0 3 L * ? *");
    repo.write("schedules/batches.yml", &month_end);
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let rules = json(&run)["batches"][0]["utc_expressions"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        rules, 4,
        "the month-end close at 03:00 JST is four UTC rules"
    );
    repo.write("cronbridge.yml", "aws:\n  max_rules_per_schedule: 3\n");
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(codes(&json(&run)).contains(&"lint/not-convertible".to_string()));
}
