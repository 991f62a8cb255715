//! `cronbridge check` through the binary: exit codes, located findings, formats, `--base`.
//!
//! Every test builds a small repository in a temporary directory, runs the built binary with a
//! scrubbed environment and a fixed `--now` (2026-11-29T00:00:00Z, a Sunday, 09:00 in Japan),
//! and asserts on what it printed. Expected times in messages are worked out by hand in the
//! comments next to them.

use crate::common::{BACKUP, NOW, Repo, cronbridge, run};
use serde_json::Value;

// ----- helpers -----

/// `check --now NOW --format json` plus `extra`: the exit code and the parsed report.
fn check_json(repo: &Repo, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--now", NOW, "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run(&args);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
            run.code, run.stdout, run.stderr
        )
    });
    (run.code, report)
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings is a list")
}

/// The codes of all findings, in report order.
fn codes(report: &Value) -> Vec<&str> {
    findings(report)
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect()
}

/// The one finding with `code` (there must be exactly one).
#[track_caller]
fn only<'a>(report: &'a Value, code: &str) -> &'a Value {
    let all: Vec<&Value> = findings(report)
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(
        all.len(),
        1,
        "expected one `{code}` finding: {:#}",
        report["findings"]
    );
    all[0]
}

/// Checks a finding's code, severity and place.
#[track_caller]
fn assert_at(f: &Value, code: &str, severity: &str, file: &str, line: u64, column: u64) {
    let got = (
        f["code"].as_str(),
        f["severity"].as_str(),
        f["file"].as_str(),
        f["line"].as_u64(),
        f["column"].as_u64(),
    );
    assert_eq!(
        got,
        (
            Some(code),
            Some(severity),
            Some(file),
            Some(line),
            Some(column)
        ),
        "{f:#}"
    );
}

/// Checks that a finding's `key` (`message` or `help`) contains each of `words`.
#[track_caller]
fn assert_says(f: &Value, key: &str, words: &[&str]) {
    let text = f[key].as_str().unwrap_or_else(|| panic!("no {key}: {f:#}"));
    for w in words {
        assert!(text.contains(w), "{key} lacks {w:?}: {text}");
    }
}

/// A valid batch with a description, `extra` lines appended (each `  key: value\n`).
fn batch(name: &str, cron: &str, class: &str, extra: &str) -> String {
    format!(
        "{name}:\n  cron: \"{cron}\"\n  description: test\n  batch_class: {class}\n  is_active: true\n{extra}"
    )
}

/// The line of the cron of batch `name` in text made by [`batch`]: the line after `name:`.
#[track_caller]
fn cron_line(text: &str, name: &str) -> u64 {
    let header = format!("{name}:");
    let at = text
        .lines()
        .position(|l| l == header)
        .unwrap_or_else(|| panic!("no {header} in {text}"));
    at as u64 + 2
}

/// The schedules file of [`repo_with`].
const FILE: &str = "schedules/batches.yml";

/// A repository with one schedules file, [`FILE`].
fn repo_with(schedules: &str) -> Repo {
    let repo = Repo::new();
    repo.write(FILE, schedules);
    repo
}

// ----- the basics -----

#[test]
fn the_design_example_is_clean() {
    let repo = Repo::new();
    repo.write(FILE, BACKUP);
    let run = repo.run(&["check", "--now", NOW]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Backup"), "{}", run.stdout);
    assert!(
        run.stdout.contains("0 0 * * ? *"),
        "the UTC rule: {}",
        run.stdout
    );
    assert!(run.stdout.contains("✓ no errors"), "{}", run.stdout);
}

#[test]
fn an_invalid_cron_is_located_inside_its_value_and_fails() {
    let repo = Repo::new();
    repo.write(FILE, &BACKUP.replace("0 9 * * ? *", "0 9 * * * *"));
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "schedule/invalid-cron");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], FILE);
    // Line 2 is `  cron: "0 9 * * * *"`; the value starts in column 9 after the quote at 9,
    // and the finding covers day-of-month to day-of-week, `* * *` at columns 14-19.
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(2), Some(14))
    );
    assert!(finding["help"].as_str().unwrap().contains("0 9 * * ? *"));
    assert_eq!(report["verdict"], "errors");
}

// ----- bad schedule files: one test per case of the issue -----

#[test]
fn malformed_yaml_is_a_located_syntax_error() {
    // The closing quote of the cron is missing; the scanner runs to the end of the file.
    let repo = repo_with("Backup:\n  cron: \"0 9 * * ? *\n");
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["yaml/syntax"]);
    let f = only(&report, "yaml/syntax");
    // Line 2, column 9: where the unterminated quoted scalar starts.
    assert_at(f, "yaml/syntax", "error", FILE, 2, 9);
    assert_says(f, "message", &["YAML syntax error", "quoted scalar"]);
    assert_eq!(report["batches"], serde_json::json!([]));
}

#[test]
fn a_top_level_list_is_refused() {
    let repo = repo_with("- Backup\n- Report\n");
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/wrong-type"]);
    let f = only(&report, "schedule/wrong-type");
    assert_at(f, "schedule/wrong-type", "error", FILE, 1, 1);
    assert_says(f, "message", &["mapping of batch names", "found a list"]);
    assert_says(f, "help", &["`Backup:`", "`cron:`"]);
}

#[test]
fn an_unknown_key_suggests_the_right_one() {
    let repo = repo_with(
        "Backup:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: Batches::Daily::Backup\n  is_activ: true\n",
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let f = only(&report, "schedule/unknown-key");
    // `  is_activ: true` is line 5; the key starts in column 3.
    assert_at(f, "schedule/unknown-key", "error", FILE, 5, 3);
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(5), Some(11))
    );
    assert_says(f, "message", &["unknown key `is_activ`", "batch `Backup`"]);
    assert_eq!(f["help"], "did you mean `is_active`?");
    // The required key is missing too, reported at the batch name.
    let missing = only(&report, "schedule/missing-key");
    assert_at(missing, "schedule/missing-key", "error", FILE, 1, 1);
    assert_says(missing, "message", &["`is_active`", "required"]);
    assert_eq!(report["batches"], serde_json::json!([]));
}

#[test]
fn is_active_quoted_yes_is_a_string_not_a_boolean() {
    let repo = repo_with(
        "Backup:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: Batches::Daily::Backup\n  is_active: \"yes\"\n",
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/wrong-type"]);
    let f = only(&report, "schedule/wrong-type");
    // The value, opening quote included, starts in column 14 of line 5.
    assert_at(f, "schedule/wrong-type", "error", FILE, 5, 14);
    assert_eq!(
        f["message"],
        "`is_active`: expected true or false, found the string \"yes\""
    );
    assert_says(f, "help", &["YAML 1.2", "write `true` without quotes"]);
}

#[test]
fn is_active_plain_yes_is_yaml_1_1_and_refused() {
    let repo = repo_with(
        "Backup:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: Batches::Daily::Backup\n  is_active: yes\n",
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/wrong-type"]);
    let f = only(&report, "schedule/wrong-type");
    assert_at(f, "schedule/wrong-type", "error", FILE, 5, 14);
    assert_says(
        f,
        "message",
        &["`is_active`", "expected true or false", "\"yes\""],
    );
    assert_says(
        f,
        "help",
        &["only plain `true` and `false`", "write `true`"],
    );
}

#[test]
fn a_duplicate_batch_in_one_file_points_at_the_first() {
    let text = format!("{BACKUP}{BACKUP}");
    let repo = repo_with(&text);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["yaml/duplicate-key"]);
    let f = only(&report, "yaml/duplicate-key");
    // BACKUP is five lines: the second `Backup:` is line 6.
    assert_at(f, "yaml/duplicate-key", "error", FILE, 6, 1);
    assert_says(f, "message", &["duplicate key `Backup`"]);
    let related = &f["related"][0];
    assert_eq!(related["file"], FILE);
    assert_eq!(
        (related["line"].as_u64(), related["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(related["note"], "first defined here");
    // The first definition still loads.
    assert_eq!(report["batches"].as_array().unwrap().len(), 1);
}

#[test]
fn a_duplicate_batch_across_files_points_at_the_first_file() {
    let repo = Repo::new();
    repo.write("schedules/a.yml", BACKUP);
    repo.write(
        "schedules/b.yml",
        &format!(
            "{}{BACKUP}",
            batch("Other", "0 10 * * ? *", "Batches::Daily::Other", "")
        ),
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/duplicate-batch"]);
    let f = only(&report, "schedule/duplicate-batch");
    // `Other` takes lines 1-5 of b.yml; its `Backup:` is line 6.
    assert_at(
        f,
        "schedule/duplicate-batch",
        "error",
        "schedules/b.yml",
        6,
        1,
    );
    assert_says(f, "message", &["batch `Backup`", "`schedules/a.yml`"]);
    assert_says(f, "help", &["unique across all schedule files"]);
    let related = &f["related"][0];
    assert_eq!(related["file"], "schedules/a.yml");
    assert_eq!(
        (related["line"].as_u64(), related["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(related["note"], "first defined here");
    // Removing the second file removes the finding.
    repo.remove("schedules/b.yml");
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(codes(&report), Vec::<&str>::new());
}

#[test]
fn an_empty_file_is_refused_not_read_as_no_batches() {
    for text in ["", "# every batch removed\n", "{}\n"] {
        let repo = Repo::new();
        repo.write("schedules/a.yml", BACKUP);
        repo.write("schedules/emptied.yml", text);
        let (code, report) = check_json(&repo, &[]);
        assert_eq!(code, 1, "{text:?}");
        assert_eq!(codes(&report), ["schedule/empty-file"], "{text:?}");
        let f = only(&report, "schedule/empty-file");
        assert_at(
            f,
            "schedule/empty-file",
            "error",
            "schedules/emptied.yml",
            1,
            1,
        );
        assert_says(f, "message", &["empty"]);
        assert_says(f, "help", &["delete the file"]);
        // The other file is still checked.
        assert_eq!(report["batches"][0]["name"], "Backup");
    }
}

#[test]
fn an_unknown_time_zone_suggests_the_closest_names() {
    let repo = repo_with(&batch(
        "Backup",
        "0 9 * * ? *",
        "Batches::Daily::Backup",
        "  timezone: Asia/Tokio\n",
    ));
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/invalid-timezone"]);
    let f = only(&report, "schedule/invalid-timezone");
    // `  timezone: Asia/Tokio` is line 6; the value starts in column 13.
    assert_at(f, "schedule/invalid-timezone", "error", FILE, 6, 13);
    assert_says(f, "message", &["unknown time zone `Asia/Tokio`"]);
    assert_says(f, "help", &["did you mean", "`Asia/Tokyo`"]);
}

#[test]
fn a_duration_without_unit_says_which_units_exist() {
    let repo = repo_with(&batch(
        "Backup",
        "0 9 * * ? *",
        "Batches::Daily::Backup",
        "  duration: 90\n",
    ));
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/invalid-duration"]);
    let f = only(&report, "schedule/invalid-duration");
    assert_at(f, "schedule/invalid-duration", "error", FILE, 6, 13);
    assert_says(
        f,
        "message",
        &[
            "`90` has no unit",
            "`m` (minutes)",
            "`h` (hours)",
            "`d` (days)",
            "`90m`",
        ],
    );
    assert_says(f, "help", &["`45m`", "`1h30m`"]);
}

#[test]
fn a_batch_class_must_be_a_constant_path() {
    let repo = repo_with(
        "Backup:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: batches::daily-backup\n  is_active: true\n",
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/invalid-batch-class"]);
    let f = only(&report, "schedule/invalid-batch-class");
    assert_at(f, "schedule/invalid-batch-class", "error", FILE, 4, 16);
    assert_says(
        f,
        "message",
        &["`batches::daily-backup` is not a class name"],
    );
    assert_says(f, "help", &["capital letter", "`Batches::Daily::Backup`"]);
}

#[test]
fn a_batch_name_too_long_for_a_rule_name_with_the_prefix() {
    // cronbridge- (11) + 51 = 62 leaves room for `-N`; 52 makes 63.
    let fits = "B".repeat(51);
    let long = "L".repeat(52);
    let text = format!(
        "{}{}",
        batch(&fits, "0 9 * * ? *", "Batches::Fits", ""),
        batch(&long, "0 9 * * ? *", "Batches::Long", "")
    );
    let repo = repo_with(&text);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["schedule/invalid-name"]);
    let f = only(&report, "schedule/invalid-name");
    assert_at(f, "schedule/invalid-name", "error", FILE, 6, 1);
    assert_says(
        f,
        "message",
        &[
            &format!("`cronbridge-{long}`"),
            "63 characters",
            "at most 62",
        ],
    );
    assert_says(f, "help", &["at most 51 characters", "`rule_prefix`"]);
    assert_eq!(report["batches"][0]["name"], fits.as_str());

    // A longer prefix from the settings leaves less room: 20 + 43 = 63.
    let repo = Repo::new();
    repo.write("cronbridge.yml", "rule_prefix: team-analytics-prod-\n");
    repo.write(
        FILE,
        &batch(&"N".repeat(43), "0 9 * * ? *", "Batches::N", ""),
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    let f = only(&report, "schedule/invalid-name");
    assert_at(f, "schedule/invalid-name", "error", FILE, 1, 1);
    assert_says(f, "message", &["`team-analytics-prod-NNN", "63 characters"]);
    assert_says(f, "help", &["at most 42 characters"]);
}

#[test]
fn a_batch_name_with_characters_a_rule_name_cannot_have() {
    let text = format!(
        "{}{}",
        batch("Daily Backup", "0 9 * * ? *", "Batches::Daily::Backup", ""),
        batch("バックアップ", "0 9 * * ? *", "Batches::Daily::Backup", "")
    );
    let repo = repo_with(&text);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&report),
        ["schedule/invalid-name", "schedule/invalid-name"]
    );
    let all = findings(&report);
    // The space is the sixth character of `Daily Backup`.
    assert_at(&all[0], "schedule/invalid-name", "error", FILE, 1, 6);
    assert_says(
        &all[0],
        "message",
        &["`Daily Backup`", "' '", "EventBridge rule name"],
    );
    assert_says(&all[0], "help", &["letters", "digits", "`description`"]);
    assert_at(&all[1], "schedule/invalid-name", "error", FILE, 6, 1);
    assert_says(&all[1], "message", &["'バ'"]);
    assert_eq!(report["batches"], serde_json::json!([]));
}

#[test]
fn an_alias_bomb_is_refused_where_it_goes_off() {
    // Each line holds ten aliases of the one above: e would expand to 111,111 values.
    let text = "\
a: &a [x,x,x,x,x,x,x,x,x,x]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
";
    let repo = repo_with(text);
    let started = std::time::Instant::now();
    let (code, report) = check_json(&repo, &[]);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["yaml/alias-bomb"]);
    let f = only(&report, "yaml/alias-bomb");
    // Values before line 5: the root and 4 keys, then a 11, b 111, c 1111, d 11111 = 12,349.
    // Line 5 adds its key and list (12,351), and each `*d` 11,111 more: the eighth alias
    // passes 100,000. It starts in column 8 + 7 × 3 = 29.
    assert_at(f, "yaml/alias-bomb", "error", FILE, 5, 29);
    assert_says(f, "message", &["100000 values", "refuses"]);
    assert_says(f, "help", &["`*` aliases"]);
}

#[test]
fn a_file_over_one_mib_is_not_read_and_not_echoed() {
    const MIB: usize = 1024 * 1024;
    let secret = "# SECRET-IN-A-HUGE-FILE padding padding padding padding padding\n";
    let huge = secret.repeat(MIB / secret.len() + 1);
    let size = huge.len();
    assert!(size > MIB);
    let repo = Repo::new();
    repo.write("schedules/a.yml", BACKUP);
    repo.write("schedules/huge.yml", &huge);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["repo/too-large"]);
    let f = only(&report, "repo/too-large");
    assert_at(f, "repo/too-large", "error", "schedules/huge.yml", 1, 1);
    assert_says(
        f,
        "message",
        &[&format!("is {size} bytes"), "over 1048576 bytes"],
    );
    assert!(!report.to_string().contains("SECRET"));
    for format in ["human", "markdown", "github"] {
        let run = repo.run(&["check", "--now", NOW, "--format", format]);
        assert!(!run.stdout.contains("SECRET"), "{format}: {}", run.stdout);
        assert!(run.stdout.contains("huge.yml"), "{format}: {}", run.stdout);
    }

    // Exactly 1 MiB is still read.
    let mut limit = BACKUP.to_string();
    let pad = MIB - limit.len();
    limit.push_str(&format!("#{}\n", "x".repeat(pad - 2)));
    assert_eq!(limit.len(), MIB);
    repo.write("schedules/huge.yml", &limit.replace("Backup", "Other"));
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
    assert_eq!(report["batches"][1]["name"], "Other");
}

#[test]
fn a_symlinked_schedule_file_is_refused_and_not_followed() {
    // The link points outside the repository, at a file whose content must not be echoed.
    let outside = Repo::new();
    outside.write(
        "secret.yml",
        "Backup:\n  SECRET_TOKEN_abc123: hunter2\n  description: SECRET-DESCRIPTION\n",
    );
    let repo = Repo::new();
    repo.write("schedules/a.yml", BACKUP);
    repo.symlink(&outside.dir.join("secret.yml"), "schedules/evil.yml");
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["repo/symlink"]);
    let f = only(&report, "repo/symlink");
    assert_at(f, "repo/symlink", "error", "schedules/evil.yml", 1, 1);
    assert_says(f, "message", &["symbolic link", "does not follow links"]);
    assert_says(f, "help", &["commit the file itself"]);
    // The linked file's batch was not read: no duplicate of `Backup`.
    assert_eq!(report["batches"].as_array().unwrap().len(), 1);
    let outside_path = outside.dir.display().to_string();
    for format in ["human", "json", "markdown", "github"] {
        let run = repo.run(&["check", "--now", NOW, "--format", format]);
        for leaked in ["SECRET", "hunter2", outside_path.as_str()] {
            assert!(!run.stdout.contains(leaked), "{format}: {}", run.stdout);
        }
    }
}

#[test]

fn a_symlinked_schedules_directory_is_not_followed() {
    // Files come from strangers' pull requests: `schedules -> /elsewhere` must not be read.
    let outside = Repo::new();
    outside.write(
        "jobs/secret.yml",
        "Backup:\n  SECRET_TOKEN_abc123: hunter2\n  cron: \"0 9 * * ? *\"\n",
    );
    let repo = Repo::new();
    repo.symlink(&outside.dir.join("jobs"), "schedules");
    let run = repo.run(&["check", "--now", NOW]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("SECRET"), "{}", run.stdout);
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
}

// ----- settings and command line: exit 2 -----

#[test]
fn a_settings_file_with_an_error_is_a_configuration_problem() {
    let repo = Repo::new();
    repo.write(
        "cronbridge.yml",
        "timezone: Asia/Tokio\nrule_prefix: team-\n",
    );
    repo.write(FILE, BACKUP);
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 2);
    let f = only(&report, "settings/invalid-timezone");
    assert_at(
        f,
        "settings/invalid-timezone",
        "error",
        "cronbridge.yml",
        1,
        11,
    );
    assert_says(f, "help", &["`Asia/Tokyo`"]);

    // An unknown key in the settings is one too.
    repo.write("cronbridge.yml", "timezon: UTC\n");
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 2);
    let f = only(&report, "settings/unknown-key");
    assert_at(f, "settings/unknown-key", "error", "cronbridge.yml", 1, 1);
    assert_eq!(f["help"], "did you mean `timezone`?");
}

#[test]

fn a_settings_file_that_is_not_yaml_is_a_configuration_problem() {
    // README: exit 2 for "a broken settings file"; the syntax error is coded `yaml/syntax`.
    let repo = Repo::new();
    repo.write("cronbridge.yml", "timezone: [Asia/Tokyo\n");
    repo.write(FILE, BACKUP);
    let (code, report) = check_json(&repo, &[]);
    let f = only(&report, "yaml/syntax");
    assert_eq!(f["file"], "cronbridge.yml");
    assert_eq!(code, 2);
}

#[test]
fn an_explicit_config_that_does_not_exist_is_a_usage_error() {
    let repo = repo_with(BACKUP);
    let run = repo.run(&["check", "--now", NOW, "--config", "ops/cronbridge.yml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("settings file `ops/cronbridge.yml` not found"),
        "{}",
        run.stderr
    );

    // The same file, once it exists, is used instead of cronbridge.yml.
    repo.write("ops/cronbridge.yml", "timezone: UTC\n");
    let (code, report) = check_json(&repo, &["--config", "ops/cronbridge.yml"]);
    assert_eq!(code, 0);
    assert_eq!(report["batches"][0]["timezone"], "UTC");
    assert_eq!(report["batches"][0]["utc_expressions"][0], "0 9 * * ? *");
}

#[test]
fn no_schedules_directory_is_a_usage_error() {
    let repo = Repo::new();
    repo.write("README.md", "nothing here\n");
    let run = repo.run(&["check", "--now", NOW]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("no `schedules` directory"),
        "{}",
        run.stderr
    );

    // With `schedules:` set in the settings, the message names that directory.
    repo.write("cronbridge.yml", "schedules: jobs\n");
    let run = repo.run(&["check", "--now", NOW]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no `jobs` directory"), "{}", run.stderr);
}

#[test]
fn a_bad_now_or_horizon_is_a_usage_error() {
    let repo = repo_with(BACKUP);
    for (args, words) in [
        (
            ["--now", "yesterday"],
            "`yesterday` is not an RFC 3339 instant",
        ),
        (["--now", "2026-11-29"], "is not an RFC 3339 instant"),
        (["--horizon", "30"], "`30` is not a horizon"),
        (["--horizon", "0d"], "from 1d to 1830d"),
        (["--horizon", "1831d"], "from 1d to 1830d"),
    ] {
        let mut all = vec!["check"];
        all.extend_from_slice(&args);
        let run = repo.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
    }
    // The limits themselves are accepted.
    for horizon in ["1d", "1830d"] {
        let run = repo.run(&["check", "--now", NOW, "--horizon", horizon]);
        assert_eq!(run.code, 0, "{horizon}: {}", run.stderr);
    }
}

// ----- policies -----

#[test]
fn quiet_hours_name_the_first_runs_in_local_time_and_utc_and_count_them() {
    let schedules = [
        // 12:30 on weekdays: inside 11:00-14:00.
        batch(
            "Report",
            "30 12 ? * MON-FRI *",
            "Batches::Daily::Report",
            "",
        ),
        // 10:45 for 20 minutes reaches 11:05; for 15 minutes it ends exactly at 11:00.
        batch(
            "EarlyLong",
            "45 10 ? * MON-FRI *",
            "Batches::Daily::EarlyLong",
            "  duration: 20m\n",
        ),
        batch(
            "EarlyShort",
            "45 10 ? * MON-FRI *",
            "Batches::Daily::EarlyShort",
            "  duration: 15m\n",
        ),
        // Weekends are not in `days`; 14:00 is the (exclusive) end.
        batch(
            "Weekend",
            "0 12 ? * SAT,SUN *",
            "Batches::Weekly::Weekend",
            "",
        ),
        batch("AtTwo", "0 14 ? * MON-FRI *", "Batches::Daily::AtTwo", ""),
    ]
    .concat();
    let policy = "quiet_hours:\n  - name: online-peak\n    window: \"11:00-14:00\"\n    days: [MON, TUE, WED, THU, FRI]\n";
    let repo = repo_with(&schedules);
    repo.write("rules/quiet.yml", policy);
    let (code, report) = check_json(&repo, &["--horizon", "30d"]);
    assert_eq!(code, 1);
    let all: Vec<&Value> = findings(&report)
        .iter()
        .filter(|f| f["code"] == "policy/quiet-hours")
        .collect();
    assert_eq!(all.len(), 2, "{:#}", report["findings"]);
    let (report_f, long) = (all[0], all[1]);
    assert_eq!(codes(&report).len(), 2, "{:#}", report["findings"]);

    // The 30-day horizon runs from 2026-11-29 09:01 JST to 2026-12-29 09:01 JST: weekdays
    // Nov 30 - Dec 4, Dec 7-11, 14-18, 21-25 and Dec 28, 21 of them. 12:30 JST is 03:30 UTC on
    // the same day.
    let line = cron_line(&schedules, "Report");
    assert_at(report_f, "policy/quiet-hours", "error", FILE, line, 9);
    assert_eq!(
        report_f["message"],
        "`Report` runs during quiet hours `online-peak` (11:00-14:00): 21 of its 21 runs in the next 30 days, first 2026-11-30 Mon 12:30 JST (03:30 UTC), 2026-12-01 Tue 12:30 JST (03:30 UTC), 2026-12-02 Wed 12:30 JST (03:30 UTC)"
    );
    assert_says(
        report_f,
        "help",
        &["move `Report`", "5 min", "`except` of `online-peak`"],
    );
    let related = &report_f["related"][0];
    assert_eq!(related["file"], "rules/quiet.yml");
    // `  - name: online-peak`: the name's value is line 2, column 11.
    assert_eq!(
        (related["line"].as_u64(), related["column"].as_u64()),
        (Some(2), Some(11))
    );
    assert_eq!(related["note"], "quiet hours `online-peak`");

    // 10:45 JST is 01:45 UTC.
    let line = cron_line(&schedules, "EarlyLong");
    assert_at(long, "policy/quiet-hours", "error", FILE, line, 9);
    assert_says(
        long,
        "message",
        &[
            "`EarlyLong`",
            "21 of its 21 runs",
            "first 2026-11-30 Mon 10:45 JST (01:45 UTC)",
        ],
    );
    assert_says(long, "help", &["20 min"]);
}

#[test]
fn quiet_hours_crossing_midnight_follow_the_day_they_start() {
    // 22:00-06:00 on Fridays: Friday 22:00 to Saturday 06:00.
    let schedules = [
        batch("FriLate", "30 23 ? * FRI *", "Batches::Weekly::FriLate", ""),
        batch("SatEarly", "0 3 ? * SAT *", "Batches::Weekly::SatEarly", ""),
        // Saturday night's window is not in `days`; neither is Thursday's.
        batch("SunEarly", "0 3 ? * SUN *", "Batches::Weekly::SunEarly", ""),
        batch("FriEarly", "0 3 ? * FRI *", "Batches::Weekly::FriEarly", ""),
        // The window ends at 06:00, exclusive.
        batch("SatSix", "0 6 ? * SAT *", "Batches::Weekly::SatSix", ""),
    ]
    .concat();
    let policy =
        "quiet_hours:\n  - name: friday-night\n    window: \"22:00-06:00\"\n    days: [FRI]\n";
    let repo = repo_with(&schedules);
    repo.write("rules/quiet.yml", policy);
    let (code, report) = check_json(&repo, &["--horizon", "30d"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&report),
        ["policy/quiet-hours", "policy/quiet-hours"],
        "{:#}",
        report["findings"]
    );
    let all = findings(&report);
    // Fridays in the horizon: Dec 4, 11, 18, 25. 23:30 JST is 14:30 UTC the same day.
    assert_at(
        &all[0],
        "policy/quiet-hours",
        "error",
        FILE,
        cron_line(&schedules, "FriLate"),
        9,
    );
    assert_eq!(
        all[0]["message"],
        "`FriLate` runs during quiet hours `friday-night` (22:00-06:00): 4 of its 4 runs in the next 30 days, first 2026-12-04 Fri 23:30 JST (14:30 UTC), 2026-12-11 Fri 23:30 JST (14:30 UTC), 2026-12-18 Fri 23:30 JST (14:30 UTC)"
    );
    // Saturdays Dec 5, 12, 19, 26; 03:00 JST is 18:00 UTC on the Friday before.
    assert_at(
        &all[1],
        "policy/quiet-hours",
        "error",
        FILE,
        cron_line(&schedules, "SatEarly"),
        9,
    );
    assert_eq!(
        all[1]["message"],
        "`SatEarly` runs during quiet hours `friday-night` (22:00-06:00): 4 of its 4 runs in the next 30 days, first 2026-12-05 Sat 03:00 JST (2026-12-04 Fri 18:00 UTC), 2026-12-12 Sat 03:00 JST (2026-12-11 Fri 18:00 UTC), 2026-12-19 Sat 03:00 JST (2026-12-18 Fri 18:00 UTC)"
    );
}

#[test]
fn a_year_end_freeze_wraps_the_year_with_scope_and_except() {
    let schedules = [
        // Exempt by `except`.
        batch(
            "MonthlyInvoice",
            "0 3 1 * ? *",
            "Batches::Monthly::Invoice",
            "",
        ),
        // In scope by class: runs on Jan 1, inside Dec 29 - Jan 3.
        batch("MonthlyClose", "0 3 1 * ? *", "Batches::Monthly::Close", ""),
        // Dec 31, inside.
        batch("YearEnd", "0 12 31 12 ? *", "Batches::Monthly::YearEnd", ""),
        // Dec 28 23:50 for 15 minutes runs into Dec 29.
        batch(
            "Dec28Late",
            "50 23 28 12 ? *",
            "Batches::Monthly::Dec28",
            "  duration: 15m\n",
        ),
        // Jan 4 00:00 and the 15th: outside the dates.
        batch("Jan4", "0 0 4 1 ? *", "Batches::Monthly::Jan4", ""),
        batch("MidMonth", "0 3 15 * ? *", "Batches::Monthly::Mid", ""),
        // Out of scope: not a monthly class.
        batch("DailyBackup", "0 9 * * ? *", "Batches::Daily::Backup", ""),
    ]
    .concat();
    let policy = r#"quiet_hours:
  - name: year-end-freeze
    window: "00:00-24:00"
    dates: ["12-29..01-03"]
    scope:
      classes: ["Batches::Monthly::*"]
    except: [MonthlyInvoice]
    severity: warning
"#;
    let repo = repo_with(&schedules);
    repo.write("rules/freeze.yml", policy);
    let (code, report) = check_json(&repo, &[]);
    // Warnings only.
    assert_eq!(code, 0, "{:#}", report["findings"]);
    assert_eq!(report["verdict"], "warnings");
    let all = findings(&report);
    let names: Vec<&str> = all
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "policy/quiet-hours");
            assert_eq!(f["severity"], "warning");
            f["message"].as_str().unwrap().split('`').nth(1).unwrap()
        })
        .collect();
    assert_eq!(names, ["MonthlyClose", "YearEnd", "Dec28Late"]);
    // In the 366 days from 2026-11-29: Dec 1 2026 and Jan 1 - Nov 1 2027, 12 runs; only
    // Jan 1 is frozen. 03:00 JST on Jan 1 is 18:00 UTC on Dec 31.
    assert_eq!(
        all[0]["message"],
        "`MonthlyClose` runs during quiet hours `year-end-freeze` (00:00-24:00): 1 of its 12 runs in the next 366 days, first 2027-01-01 Fri 03:00 JST (2026-12-31 Thu 18:00 UTC)"
    );
    assert_eq!(
        all[0]["line"].as_u64(),
        Some(cron_line(&schedules, "MonthlyClose"))
    );
    assert_says(
        &all[1],
        "message",
        &[
            "1 of its 1 runs",
            "first 2026-12-31 Thu 12:00 JST (03:00 UTC)",
        ],
    );
    assert_says(
        &all[2],
        "message",
        &[
            "1 of its 1 runs",
            "first 2026-12-28 Mon 23:50 JST (14:50 UTC)",
        ],
    );
}

#[test]
fn quiet_hours_scope_by_group_name_and_class_glob() {
    let schedules = [
        batch(
            "Heavy",
            "0 12 * * ? *",
            "Batches::Daily::Heavy",
            "  group: heavy\n",
        ),
        batch(
            "Light",
            "0 12 * * ? *",
            "Batches::Daily::Light",
            "  group: light\n",
        ),
        batch("NoGroup", "0 12 * * ? *", "Batches::Daily::NoGroup", ""),
        batch("Sales", "0 12 * * ? *", "Batches::Reports::Sales", ""),
        // `*::Reports::*` needs a whole `Reports` part.
        batch(
            "Archive",
            "0 12 * * ? *",
            "Batches::ReportsArchive::Old",
            "",
        ),
        batch("Named", "0 12 * * ? *", "Batches::Daily::Named", ""),
    ]
    .concat();
    let policy = r#"quiet_hours:
  - name: lunch
    window: "11:00-14:00"
    scope:
      groups: [heavy]
      batches: [Named]
      classes: ["*::Reports::*"]
"#;
    let repo = repo_with(&schedules);
    repo.write("rules/quiet.yml", policy);
    let (code, report) = check_json(&repo, &["--horizon", "7d"]);
    assert_eq!(code, 1);
    let names: Vec<&str> = findings(&report)
        .iter()
        .filter(|f| f["code"] == "policy/quiet-hours")
        .map(|f| f["message"].as_str().unwrap().split('`').nth(1).unwrap())
        .collect();
    assert_eq!(names, ["Heavy", "Sales", "Named"]);
    // Every day from Nov 29 12:00 JST to Dec 5 12:00 JST.
    let heavy = &findings(&report)[0];
    assert_says(
        heavy,
        "message",
        &[
            "7 of its 7 runs in the next 7 days",
            "first 2026-11-29 Sun 12:00 JST (03:00 UTC)",
        ],
    );
}

#[test]
fn a_group_over_max_concurrent_names_the_batches_and_times() {
    let schedules = [
        batch(
            "Alpha",
            "0 2 * * ? *",
            "Batches::Daily::Alpha",
            "  duration: 30m\n  group: heavy\n",
        ),
        batch(
            "Beta",
            "15 2 * * ? *",
            "Batches::Daily::Beta",
            "  duration: 10m\n  group: heavy\n",
        ),
        // Starts when Alpha ends.
        batch(
            "Gamma",
            "30 2 * * ? *",
            "Batches::Daily::Gamma",
            "  duration: 10m\n  group: heavy\n",
        ),
        // Same time, other group.
        batch(
            "Other",
            "15 2 * * ? *",
            "Batches::Daily::Other",
            "  duration: 10m\n  group: light\n",
        ),
    ]
    .concat();
    let policy = "overlap:\n  groups:\n    - name: heavy\n      max_concurrent: 1\n";
    let repo = repo_with(&schedules);
    repo.write("rules/overlap.yml", policy);
    let (code, report) = check_json(&repo, &["--horizon", "30d"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&report),
        ["policy/group-overlap"],
        "{:#}",
        report["findings"]
    );
    let f = only(&report, "policy/group-overlap");
    // Reported at the later batch's cron, with the group limit and the other batch related.
    assert_at(
        f,
        "policy/group-overlap",
        "error",
        FILE,
        cron_line(&schedules, "Beta"),
        9,
    );
    // 02:15 JST is 17:15 UTC the day before; Nov 30 to Dec 29, 30 days.
    assert_eq!(
        f["message"],
        "group `heavy` allows 1 at a time, but more of its batches run at once (`Alpha`, `Beta`) 30 times in the next 30 days, first 2026-11-30 Mon 02:15 JST (2026-11-29 Sun 17:15 UTC), 2026-12-01 Tue 02:15 JST (2026-11-30 Mon 17:15 UTC), 2026-12-02 Wed 02:15 JST (2026-12-01 Tue 17:15 UTC), last 2026-12-29 Tue 02:15 JST (2026-12-28 Mon 17:15 UTC)"
    );
    assert_says(f, "help", &["`max_concurrent`"]);
    // The same as fields, for tools: exact, first and last (02:15 JST is 17:15 UTC).
    assert_eq!(f["occurrences"], 30);
    assert_eq!(f["first"], "2026-11-29T17:15:00Z");
    assert_eq!(f["last"], "2026-12-28T17:15:00Z");
    assert_eq!(f["batches"], serde_json::json!(["Alpha", "Beta"]));
    let related = f["related"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["file"], "rules/overlap.yml");
    // `    - name: heavy`: line 3, column 13.
    assert_eq!(
        (related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some(3), Some(13))
    );
    assert_eq!(related[0]["note"], "group `heavy`");
    assert_eq!(related[1]["note"], "`Alpha`");
    assert_eq!(
        related[1]["line"].as_u64(),
        Some(cron_line(&schedules, "Alpha"))
    );

    // Two at a time are allowed with max_concurrent: 2.
    repo.write(
        "rules/overlap.yml",
        "overlap:\n  groups:\n    - name: heavy\n      max_concurrent: 2\n",
    );
    let (code, report) = check_json(&repo, &["--horizon", "30d"]);
    assert_eq!(code, 0);
    assert_eq!(codes(&report), Vec::<&str>::new());
}

#[test]
fn a_batch_that_starts_before_its_previous_run_ends_overlaps_itself() {
    let schedules = [
        batch(
            "Hourly",
            "0 * * * ? *",
            "Batches::Hourly::Sync",
            "  duration: 90m\n",
        ),
        // Every 5 minutes with the default 5 minutes: back to back, no overlap.
        batch("Every5", "*/5 * * * ? *", "Batches::Frequent::Poll", ""),
    ]
    .concat();
    let repo = repo_with(&schedules);
    let (code, report) = check_json(&repo, &["--horizon", "1d"]);
    // Without a policy file, self-overlap is a warning.
    assert_eq!(code, 0);
    assert_eq!(codes(&report), ["policy/self-overlap"]);
    let f = only(&report, "policy/self-overlap");
    assert_at(f, "policy/self-overlap", "warning", FILE, 2, 9);
    // From 09:01 JST: 10:00 JST to 09:00 JST the next day, 24 runs; all but the first start
    // while the previous one (90 minutes) still runs. 11:00 JST is 02:00 UTC.
    assert_eq!(
        f["message"],
        "`Hourly` starts again before its previous run ends (90 min, its `duration`): 23 of its 24 runs in the next 1 days, first 2026-11-29 Sun 11:00 JST (02:00 UTC), 2026-11-29 Sun 12:00 JST (03:00 UTC), 2026-11-29 Sun 13:00 JST (04:00 UTC)"
    );
    assert_says(f, "help", &["expected duration", "`duration`"]);

    // The policy can make it an error.
    repo.write("rules/overlap.yml", "overlap:\n  self_overlap: error\n");
    let (code, report) = check_json(&repo, &["--horizon", "1d"]);
    assert_eq!(code, 1);
    assert_eq!(only(&report, "policy/self-overlap")["severity"], "error");
}

#[test]
fn too_many_batches_starting_in_one_minute() {
    let schedules = [
        batch("A", "0 0 * * ? *", "Batches::Daily::A", ""),
        batch("B", "0 0 * * ? *", "Batches::Daily::B", ""),
        batch("C", "0 0 * * ? *", "Batches::Daily::C", ""),
        batch("D", "5 0 * * ? *", "Batches::Daily::D", ""),
    ]
    .concat();
    let repo = repo_with(&schedules);
    repo.write(
        "rules/overlap.yml",
        "overlap:\n  max_starts_per_minute: 2\n",
    );
    let (code, report) = check_json(&repo, &["--horizon", "3d"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["policy/starts-per-minute"]);
    let f = only(&report, "policy/starts-per-minute");
    // At C's cron (the last of the three, line 12), with A's and B's related.
    assert_at(f, "policy/starts-per-minute", "error", FILE, 12, 9);
    // Midnight JST is 15:00 UTC the day before: Nov 30, Dec 1 and Dec 2 in three days.
    assert_eq!(
        f["message"],
        "3 batches start in the same minute (at most 2 may): `A`, `B`, `C` — 3 times in the next 3 days, first 2026-11-30 Mon 00:00 JST (2026-11-29 Sun 15:00 UTC), 2026-12-01 Tue 00:00 JST (2026-11-30 Mon 15:00 UTC), 2026-12-02 Wed 00:00 JST (2026-12-01 Tue 15:00 UTC)"
    );
    assert_says(f, "help", &["stagger"]);
    let related: Vec<(Option<&str>, Option<u64>, Option<&str>)> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["file"].as_str(), r["line"].as_u64(), r["note"].as_str()))
        .collect();
    assert_eq!(
        related,
        [
            (
                Some("rules/overlap.yml"),
                Some(2),
                Some("max_starts_per_minute")
            ),
            (Some(FILE), Some(2), Some("`A`")),
            (Some(FILE), Some(7), Some("`B`")),
        ]
    );
}

#[test]
fn a_cron_with_no_exact_utc_rule_is_an_error() {
    // The last weekday of the month at 03:00 JST is 18:00 UTC on the day before it, which
    // no EventBridge rule can name. (`0 3 L * ? *` was the example until it became four
    // exact rules.)
    let repo = repo_with(&batch(
        "MonthEnd",
        "0 3 LW * ? *",
        "Batches::Monthly::Close",
        "",
    ));
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["lint/not-convertible"]);
    let f = only(&report, "lint/not-convertible");
    assert_at(f, "lint/not-convertible", "error", FILE, 2, 9);
    assert_says(
        f,
        "message",
        &[
            "`0 3 LW * ? *` in Asia/Tokyo has no exact UTC rule",
            "previous day in UTC",
        ],
    );
    assert_says(f, "help", &["09:00 and 23:59"]);
    let b = &report["batches"][0];
    assert!(b.get("utc_expressions").is_none(), "{b:#}");
    assert_says(b, "utc_error", &["`LW`"]);
}

#[test]
fn a_rewrite_needing_several_utc_rules_is_a_note() {
    // 08:00-10:00 JST on weekdays: 23:00 UTC the day before, and 00:00-01:00 UTC the same day.
    let repo = repo_with(&batch(
        "Morning",
        "0 8-10 ? * MON-FRI *",
        "Batches::Daily::Morning",
        "",
    ));
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "clean");
    assert_eq!(codes(&report), ["lint/several-utc-rules"]);
    let f = only(&report, "lint/several-utc-rules");
    assert_at(f, "lint/several-utc-rules", "info", FILE, 2, 9);
    assert_eq!(
        f["message"],
        "`Morning` needs 2 UTC rules to fire at exactly its Asia/Tokyo times: `0 23 ? * SUN-THU *`, `0 0,1 ? * MON-FRI *`"
    );
    assert_eq!(
        report["batches"][0]["utc_expressions"],
        serde_json::json!(["0 23 ? * SUN-THU *", "0 0,1 ? * MON-FRI *"])
    );
}

#[test]
fn a_missing_description_is_a_warning() {
    let repo = repo_with(
        "Backup:\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::Daily::Backup\n  is_active: true\n",
    );
    let (code, report) = check_json(&repo, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["verdict"], "warnings");
    assert_eq!(codes(&report), ["lint/missing-description"]);
    let f = only(&report, "lint/missing-description");
    assert_at(f, "lint/missing-description", "warning", FILE, 1, 1);
    assert_eq!(f["message"], "`Backup` has no description");
    assert_says(f, "help", &["`description:`"]);
}

// ----- --base -----

const BASE_SCHEDULES: &str = "\
Backup:
  cron: \"0 9 * * ? *\"
  description: バックアップ
  batch_class: Batches::Daily::Backup
  is_active: true
Report:
  cron: \"0 10 * * ? *\"
  description: 日報
  batch_class: Batches::Daily::Report
  is_active: true
Legacy:
  cron: \"0 11 * * ? *\"
  batch_class: Batches::Daily::Legacy
  is_active: true
Nightly:
  cron: \"0 1 * * ? *\"
  description: 夜間処理
  batch_class: Batches::Daily::Nightly
  is_active: true
";

/// Backup moved and described, Report removed, Legacy untouched (still no description),
/// Nightly disabled, Cleanup added without a description.
const HEAD_SCHEDULES: &str = "\
Backup:
  cron: \"30 9 * * ? *\"
  description: バックアップ（差分）
  batch_class: Batches::Daily::Backup
  is_active: true
  duration: 45m
Legacy:
  cron: \"0 11 * * ? *\"
  batch_class: Batches::Daily::Legacy
  is_active: true
Nightly:
  cron: \"0 1 * * ? *\"
  description: 夜間処理
  batch_class: Batches::Daily::Nightly
  is_active: false
Cleanup:
  cron: \"0 12 * * ? *\"
  batch_class: Batches::Daily::Cleanup
  is_active: true
";

/// A repository with BASE_SCHEDULES committed on main and HEAD_SCHEDULES in the working tree.
fn base_and_head() -> Repo {
    let repo = Repo::new();
    repo.init();
    repo.write(FILE, BASE_SCHEDULES);
    repo.commit("base");
    repo.write(FILE, HEAD_SCHEDULES);
    repo
}

#[test]
fn base_diff_lists_added_removed_and_changed_fields() {
    let repo = base_and_head();
    let (code, report) = check_json(&repo, &["--base", "main"]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
    let diff = &report["diff"];
    assert_eq!(diff["added"], serde_json::json!(["Cleanup"]));
    assert_eq!(diff["removed"], serde_json::json!(["Report"]));
    assert_eq!(
        diff["changed"],
        serde_json::json!([
            {"name": "Backup", "fields": [
                {"field": "cron", "before": "0 9 * * ? *", "after": "30 9 * * ? *"},
                {"field": "utc", "before": "0 0 * * ? *", "after": "30 0 * * ? *"},
                {"field": "description", "before": "バックアップ", "after": "バックアップ（差分）"},
                {"field": "duration", "before": "", "after": "45m"},
            ]},
            {"name": "Nightly", "fields": [
                {"field": "is_active", "before": "true", "after": "false"},
            ]},
        ])
    );
}

#[test]
fn base_diff_has_a_unified_timetable_diff_in_local_time_and_utc() {
    let repo = base_and_head();
    let (_, report) = check_json(&repo, &["--base", "main"]);
    let timetable = report["diff"]["timetable"].as_str().unwrap();
    let lines: Vec<&str> = timetable.lines().collect();
    assert!(lines.contains(&"--- base"), "{timetable}");
    assert!(lines.contains(&"+++ head"), "{timetable}");
    // The first run after 2026-11-29 09:01 JST: Report at 10:00 (01:00 UTC) goes, Backup at
    // 09:30 (00:30 UTC) and Cleanup at 12:00 (03:00 UTC) come; Legacy at 11:00 stays.
    for line in [
        "-2026-11-29 Sun 10:00 JST  11-29 01:00 UTC  Report",
        "+2026-11-29 Sun 09:30 JST  11-29 00:30 UTC  Backup",
        " 2026-11-29 Sun 11:00 JST  11-29 02:00 UTC  Legacy",
        "+2026-11-29 Sun 12:00 JST  11-29 03:00 UTC  Cleanup",
        // Nightly, disabled, no longer runs at 01:00 JST (16:00 UTC the day before).
        "-2026-11-30 Mon 01:00 JST  11-29 16:00 UTC  Nightly",
        "-2026-11-30 Mon 09:00 JST  11-30 00:00 UTC  Backup",
        "+2026-11-30 Mon 09:30 JST  11-30 00:30 UTC  Backup",
    ] {
        assert!(lines.contains(&line), "{line:?} missing in:\n{timetable}");
    }
    assert!(
        !lines
            .iter()
            .any(|l| (l.starts_with('+') || l.starts_with('-')) && l.contains("Legacy")),
        "{timetable}"
    );
    // The human report carries the same diff and the field changes.
    let run = repo.run(&["check", "--now", NOW, "--base", "main"]);
    assert!(
        run.stdout.contains("Changes against base"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  + Cleanup\n  - Report\n  ~ Backup\n      cron: 0 9 * * ? * → 30 9 * * ? *\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("+2026-11-29 Sun 12:00 JST  11-29 03:00 UTC  Cleanup")
    );
}

#[test]
fn base_findings_are_marked_new_or_already_on_base() {
    let repo = base_and_head();
    let (_, report) = check_json(&repo, &["--base", "main"]);
    let marks: Vec<(&str, &str, bool)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap().split('`').nth(1).unwrap(),
                f["new"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        marks,
        [
            ("lint/missing-description", "Legacy", false),
            ("lint/inactive", "Nightly", true),
            ("lint/missing-description", "Cleanup", true),
        ]
    );
    // Without --base every finding is new.
    let (_, report) = check_json(&repo, &[]);
    assert!(findings(&report).iter().all(|f| f["new"] == true));
    assert_eq!(report["diff"], Value::Null);
    // The human report says which were already there.
    let run = repo.run(&["check", "--now", NOW, "--base", "main"]);
    assert!(
        run.stdout
            .contains("`Legacy` has no description (already on base)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`Cleanup` has no description\n"),
        "{}",
        run.stdout
    );
}

#[test]

fn base_findings_in_another_file_are_new() {
    // A new file copying a mistake that an old file already has is still new in this PR.
    let broken = |name: &str| {
        format!(
            "{name}:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: Batches::Daily::X\n  is_active: \"yes\"\n"
        )
    };
    let repo = Repo::new();
    repo.init();
    repo.write("schedules/old.yml", &broken("Old"));
    repo.commit("base");
    repo.write("schedules/new.yml", &broken("New"));
    let (_, report) = check_json(&repo, &["--base", "main"]);
    let marks: Vec<(&str, bool)> = findings(&report)
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["new"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        marks,
        [("schedules/new.yml", true), ("schedules/old.yml", false)]
    );
}

#[test]
fn a_symlink_committed_at_the_base_is_refused_there_too() {
    // Read from git (mode 120000), the link is refused like on disk, and its target unread.
    let outside = Repo::new();
    outside.write("secret.yml", "Backup:\n  SECRET_TOKEN_abc123: hunter2\n");
    let repo = Repo::new();
    repo.init();
    repo.write("schedules/a.yml", BACKUP);
    repo.symlink(&outside.dir.join("secret.yml"), "schedules/evil.yml");
    repo.commit("base with a link");
    let (code, report) = check_json(&repo, &["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["repo/symlink"]);
    let f = only(&report, "repo/symlink");
    assert_at(f, "repo/symlink", "error", "schedules/evil.yml", 1, 1);
    // The base reported the same link, so it is not new.
    assert_eq!(f["new"], false);
    assert!(!report.to_string().contains("SECRET"), "{report:#}");
    assert_eq!(report["diff"]["timetable"], "");
}

#[test]
fn a_base_without_schedules_adds_every_batch() {
    let repo = Repo::new();
    repo.init();
    repo.write("README.md", "before cronbridge\n");
    repo.commit("no schedules yet");
    repo.write(FILE, BASE_SCHEDULES);
    repo.commit("add schedules");
    let (code, report) = check_json(&repo, &["--base", "HEAD~1"]);
    assert_eq!(code, 0, "{:#}", report["findings"]);
    let diff = &report["diff"];
    assert_eq!(
        diff["added"],
        serde_json::json!(["Backup", "Legacy", "Nightly", "Report"])
    );
    assert_eq!(diff["removed"], serde_json::json!([]));
    assert_eq!(diff["changed"], serde_json::json!([]));
    let timetable = diff["timetable"].as_str().unwrap();
    assert!(
        timetable
            .lines()
            .any(|l| l == "+2026-11-29 Sun 10:00 JST  11-29 01:00 UTC  Report"),
        "{timetable}"
    );
    assert!(
        !timetable
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{timetable}"
    );
    // The base had no findings, so all of head's are new.
    assert!(findings(&report).iter().all(|f| f["new"] == true));

    // Against itself nothing changes.
    let (code, report) = check_json(&repo, &["--base", "HEAD"]);
    assert_eq!(code, 0);
    assert_eq!(report["diff"]["timetable"], "");
    assert!(findings(&report).iter().all(|f| f["new"] == false));
    let run = repo.run(&[
        "check", "--now", NOW, "--base", "HEAD", "--format", "markdown",
    ]);
    assert!(run.stdout.contains("No batch changes."), "{}", run.stdout);
}

#[test]

fn a_base_that_is_not_a_revision_is_a_usage_error() {
    let repo = base_and_head();
    let run = repo.run(&["check", "--now", NOW, "--base", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);
}

#[test]

fn a_base_outside_a_git_repository_is_a_usage_error() {
    let repo = repo_with(BACKUP);
    let run = repo.run(&["check", "--now", NOW, "--base", "main"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("git"), "{}", run.stderr);
}

// ----- formats -----

#[test]
fn json_report_has_the_documented_version_1_fields() {
    let repo = repo_with(&format!(
        "{}{}Legacy:\n  cron: \"0 6 ? * MON *\"\n  batch_class: Batches::Weekly::Legacy\n  is_active: false\n",
        batch(
            "Backup",
            "0 9 * * ? *",
            "Batches::Daily::Backup",
            "  duration: 45m\n  group: heavy\n  tags: [storage, nightly]\n"
        ),
        batch("MonthEnd", "0 3 LW * ? *", "Batches::Monthly::Close", ""),
    ));
    let (code, report) = check_json(&repo, &["--horizon", "30d"]);
    assert_eq!(code, 1);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&report),
        [
            "batches",
            "counts",
            "diff",
            "findings",
            "horizon_days",
            "now",
            "verdict",
            "version"
        ]
    );
    assert_eq!(report["version"], 1);
    assert_eq!(report["verdict"], "errors");
    assert_eq!(
        report["counts"],
        serde_json::json!({"error": 1, "warning": 1, "info": 1})
    );
    assert_eq!(report["now"], NOW);
    assert_eq!(report["horizon_days"], 30);
    assert_eq!(report["diff"], Value::Null);

    let backup = &report["batches"][0];
    assert_eq!(
        backup,
        &serde_json::json!({
            "name": "Backup",
            "file": FILE,
            "line": 1,
            "cron": "0 9 * * ? *",
            "timezone": "Asia/Tokyo",
            "utc_expressions": ["0 0 * * ? *"],
            "description": "test",
            "batch_class": "Batches::Daily::Backup",
            "is_active": true,
            "duration_minutes": 45,
            "group": "heavy",
            "tags": ["storage", "nightly"],
            "next": [
                {"local": "2026-11-30T09:00:00+09:00", "utc": "2026-11-30T00:00:00Z"},
                {"local": "2026-12-01T09:00:00+09:00", "utc": "2026-12-01T00:00:00Z"},
                {"local": "2026-12-02T09:00:00+09:00", "utc": "2026-12-02T00:00:00Z"},
            ],
        })
    );
    let month_end = &report["batches"][1];
    assert!(month_end.get("utc_expressions").is_none());
    assert!(month_end["utc_error"].is_string());
    // Without a `duration` the default 5 minutes is reported; no group is null.
    assert_eq!(month_end["duration_minutes"], 5);
    assert_eq!(month_end["group"], Value::Null);
    let legacy = &report["batches"][2];
    assert_eq!(legacy["is_active"], false);
    assert_eq!(legacy["description"], Value::Null);
    assert_eq!(legacy["next"], serde_json::json!([]));
    assert_eq!(legacy["line"], 14);

    for f in findings(&report) {
        assert_eq!(
            keys(f),
            [
                "code",
                "column",
                "end_column",
                "end_line",
                "file",
                "help",
                "line",
                "message",
                "new",
                "related",
                "severity"
            ]
        );
        assert_eq!(f["new"], true);
    }
    let f = only(&report, "lint/not-convertible");
    // `  cron: "0 3 LW * ? *"` on line 10 (Backup takes lines 1-8): the value with its quotes
    // is columns 9 to 23.
    assert_eq!(
        (
            f["line"].as_u64(),
            f["column"].as_u64(),
            f["end_line"].as_u64(),
            f["end_column"].as_u64()
        ),
        (Some(10), Some(9), Some(10), Some(23))
    );
    let inactive = only(&report, "lint/inactive");
    assert_eq!(inactive["help"], Value::Null);
    assert_eq!(inactive["related"], serde_json::json!([]));
}

#[test]
fn github_annotations_are_escaped_and_the_summary_is_appended() {
    let repo = Repo::new();
    // A comma in the file name, and `%`, CR and LF in a key that ends up in the message.
    repo.write(
        "schedules/odd,name.yml",
        "Backup:\n  cron: \"0 9 * * ? *\"\n  description: x\n  batch_class: Batches::Daily::Backup\n  is_active: true\n  \"group%\\r\\n\": 1\n",
    );
    repo.write(
        "schedules/ok.yml",
        "Plain:\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::Daily::Plain\n  is_active: false\n",
    );
    let summary = repo.dir.join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let mut cmd = cronbridge(&repo.dir);
    cmd.args(["check", "--now", NOW, "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary);
    let out = run(&mut cmd, &repo.dir);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=schedules/odd%2Cname.yml,line=6,col=3,endLine=6,endColumn=15,title=cronbridge schedule/unknown-key::unknown key `group%25%0D%0A` in batch `Backup`%0Ahelp: did you mean `group`?",
            "::warning file=schedules/ok.yml,line=1,col=1,endLine=1,endColumn=6,title=cronbridge lint/missing-description::`Plain` has no description%0Ahelp: add `description:` so reviewers and the on-call know what it does",
            "::notice file=schedules/ok.yml,line=4,col=14,endLine=4,endColumn=19,title=cronbridge lint/inactive::`Plain` is inactive: its rule stays in EventBridge, disabled, and it does not run",
        ],
        "{}",
        out.stdout
    );
    // The Markdown report is appended to what earlier steps wrote.
    let written = std::fs::read_to_string(&summary).unwrap();
    let markdown = repo.run(&["check", "--now", NOW, "--format", "markdown"]);
    assert_eq!(written, format!("previous step\n{}", markdown.stdout));
    assert!(written.contains("## cronbridge check"), "{written}");
}

#[test]
fn markdown_escapes_a_hostile_description() {
    let repo = repo_with(
        r#"Hostile:
  cron: "0 9 * * ? *"
  description: "<img src=x onerror=alert(1)> @octocat [click](https://evil.example) ![pic](https://evil.example/x.png) a|b #1\n| injected | row |"
  batch_class: Batches::Daily::Hostile
  is_active: true
"#,
    );
    let run = repo.run(&["check", "--now", NOW, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    let zw = '\u{200B}';
    let expected = format!(
        "&lt;img src=x onerror=alert\\(1\\)&gt; @{zw}octocat \\[click\\]\\(https:{zw}//evil.example\\) \\!\\[pic\\]\\(https:{zw}//evil.example/x.png\\) a\\|b #{zw}1 \\| injected \\| row \\|"
    );
    assert!(md.contains(&expected), "{md}");
    for raw in ["<img", "@octocat", "https://"] {
        assert!(!md.contains(raw), "{raw:?} in {md}");
    }
    assert!(!md.replace("\\|", "").contains("| injected"), "{md}");
    // Every bracket, parenthesis and `!` from the description is escaped: no link, no image.
    let unescaped = md
        .replace("\\[", "")
        .replace("\\]", "")
        .replace("\\(", "")
        .replace("\\!", "");
    assert!(!unescaped.contains("]("), "{md}");
    assert!(!unescaped.contains("!["), "{md}");
    // The row keeps its five cells: six unescaped pipes, and no extra row.
    let row = md
        .lines()
        .find(|l| l.starts_with("| ` Hostile ` |"))
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(row.replace("\\|", "").matches('|').count(), 6, "{row}");
    assert_eq!(md.lines().filter(|l| l.starts_with('|')).count(), 3, "{md}");
}

#[test]
fn human_findings_are_clickable_snippets_and_plain_when_not_a_tty() {
    let repo = Repo::new();
    repo.write(
        "schedules/b.yml",
        "Beta:\n  cron: \"0 9 * * ? *\"\n  batch_class: Batches::Daily::Beta\n  is_active: true\n",
    );
    repo.write(
        "schedules/a.yml",
        "Alpha:\n  cron: \"0 9 * * ? *\"\n  description: a\n  batch_class: Batches::Daily::Alpha\n  is_activ: true\n",
    );
    let run = repo.run(&["check", "--now", NOW]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    // `file:line:col: severity[code] message`, which editors and terminals link, then the
    // source line with a caret under the span, then help.
    let expected = "
schedules/a.yml:1:1: error[schedule/missing-key] batch `Alpha` has no `is_active`, which is required
  |
1 | Alpha:
  | ^^^^^

schedules/a.yml:5:3: error[schedule/unknown-key] unknown key `is_activ` in batch `Alpha`
  |
5 |   is_activ: true
  |   ^^^^^^^^
  |
  = help: did you mean `is_active`?

schedules/b.yml:1:1: warning[lint/missing-description] `Beta` has no description
  |
1 | Beta:
  | ^^^^
  |
  = help: add `description:` so reviewers and the on-call know what it does

✗ 2 errors, 1 warning, 0 notes
";
    assert!(run.stdout.ends_with(expected), "{}", run.stdout);

    // Not a terminal is enough, without NO_COLOR.
    let mut cmd = cronbridge(&repo.dir);
    cmd.env_remove("NO_COLOR").args(["check", "--now", NOW]);
    let plain = crate::common::run(&mut cmd, &repo.dir).stdout;
    assert!(!plain.contains('\x1b'), "{plain:?}");
    // `--color always` does colour it, so the checks above can see escapes.
    let coloured = repo.run(&["check", "--now", NOW, "--color", "always"]);
    assert!(coloured.stdout.contains("\x1b["), "{:?}", coloured.stdout);
}

// ----- snapshots -----

const SMALL_SCHEDULES: &str = "\
Backup:
  cron: \"0 9 * * ? *\"
  description: バックアップ
  batch_class: \"Batches::Daily::Backup\"
  is_active: true
  duration: 45m
  group: heavy
Lunch:
  cron: \"0 12 ? * MON-FRI *\"
  description: 昼の集計
  batch_class: \"Batches::Daily::Lunch\"
  is_active: true
  group: heavy
MonthlyInvoice:
  cron: \"0 3 1 * ? *\"
  description: 月次請求書の発行
  batch_class: \"Batches::Monthly::Invoice\"
  is_active: true
Legacy:
  cron: \"0 6 ? * MON *\"
  batch_class: \"Batches::Weekly::Legacy\"
  is_active: false
";

const SMALL_POLICY: &str = "\
quiet_hours:
  - name: online-peak
    window: \"11:00-14:00\"
    days: [MON, TUE, WED, THU, FRI]
    scope:
      groups: [heavy]
";

fn small_repo() -> Repo {
    let repo = repo_with(SMALL_SCHEDULES);
    repo.write("rules/policies.yml", SMALL_POLICY);
    repo
}

#[test]
fn snapshot_human_report() {
    let repo = small_repo();
    let run = repo.run(&["check", "--now", NOW, "--horizon", "30d"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("human_report", run.stdout);
}

#[test]
fn snapshot_markdown_report() {
    let repo = small_repo();
    let run = repo.run(&[
        "check",
        "--now",
        NOW,
        "--horizon",
        "30d",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("markdown_report", run.stdout);
}

#[test]
fn snapshot_human_report_against_base() {
    let repo = base_and_head();
    let run = repo.run(&["check", "--now", NOW, "--horizon", "30d", "--base", "main"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("human_report_base", run.stdout);
}

#[test]
fn snapshot_markdown_report_against_base() {
    let repo = base_and_head();
    let run = repo.run(&[
        "check",
        "--now",
        NOW,
        "--horizon",
        "30d",
        "--base",
        "main",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("markdown_report_base", run.stdout);
}
