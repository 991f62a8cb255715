//! `cronbridge check` through the binary: exit codes, located findings, formats, `--base`.

use crate::common::{BACKUP, NOW, Repo};

#[test]
fn the_design_example_is_clean() {
    let repo = Repo::new();
    repo.write("schedules/batches.yml", BACKUP);
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
    repo.write(
        "schedules/batches.yml",
        &BACKUP.replace("0 9 * * ? *", "0 9 * * * *"),
    );
    let run = repo.run(&["check", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "schedule/invalid-cron");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], "schedules/batches.yml");
    // Line 2 is `  cron: "0 9 * * * *"`; the value starts in column 9 after the quote at 9,
    // and the finding covers day-of-month to day-of-week, `* * *` at columns 14-19.
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(2), Some(14))
    );
    assert!(finding["help"].as_str().unwrap().contains("0 9 * * ? *"));
    assert_eq!(report["verdict"], "errors");
}
