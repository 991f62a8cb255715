//! `cronbridge import` on `aws.backend: scheduler`: the schedules of an EventBridge Scheduler
//! group back into schedule YAML, kept as they are (Scheduler is zone-native: no conversion),
//! and how the team hands the group to cronbridge. Pure: the group as read in, the same
//! [`Import`] as for rules out.
//!
//! The decisions (in the README too):
//! - the batch, its class and the target template are read from the target exactly as for
//!   rules (the same [`read_target`], [`infer_target`] and [`select`]);
//! - the expression, its zone, the window, the start and end and the state are written as
//!   Scheduler holds them; a one-time schedule that has run, one whose end has passed, and
//!   two schedules of one batch are left out with the reason;
//! - a schedule keeps its name: cronbridge names one `<rule_prefix><batch>`, and Scheduler
//!   cannot rename a schedule in place, so the prefix the live names share is proposed as
//!   `rule_prefix` and a schedule named otherwise is left out (there is no `rule:` for
//!   schedules);
//! - the group becomes cronbridge's only by the team's explicit consent: the import prints the
//!   exact `aws scheduler tag-resource` command, and lists first the schedules that must leave
//!   the group (once it is cronbridge's, every schedule in it that the YAML lacks is deleted).

use super::{
    Candidate, Filter, Import, ImportedBatch, Options, Skipped, Source, comment, infer_target,
    is_batch_name, read_target, render_yaml, select, stem,
};
use crate::deploy::desired::{MANAGED_TAG, MANAGED_VALUE};
use crate::deploy::schedules::{
    DEFAULT_EVENT_AGE_SECONDS, DEFAULT_RETRY_ATTEMPTS, LiveSchedules, Schedule, group_tags,
};
use crate::settings::{self, Zone};
use jiff::Timestamp;
use jiff::civil::DateTime;
use std::collections::BTreeMap;

/// The keys a schedule has that a rule has not, as the YAML writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleKeys {
    /// `at`: the local date-time of a one-time schedule (then there is no `cron`).
    pub at: Option<String>,
    /// `flexible_window`, minutes.
    pub flexible_window: Option<u32>,
    /// `start` and `end`, local date-times in the batch's zone.
    pub start: Option<String>,
    pub end: Option<String>,
}

/// How the group becomes cronbridge's: the team's own command, after the schedules that
/// would otherwise be deleted have left the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub group: String,
    /// `aws scheduler tag-resource …`, to run once the file is merged.
    pub command: String,
    /// Schedules in the group that the file does not have: the first apply after the tag
    /// would delete them, so they are moved out (or deleted) first.
    pub must_leave: Vec<String>,
}

/// Imports the schedules of `group` as read (`live`, every schedule of the group whoever owns
/// it). `repository` is the one the deploy will tag (`aws.repository`, else
/// `GITHUB_REPOSITORY`).
pub fn import(
    group: &str,
    live: &LiveSchedules,
    repository: Option<&str>,
    options: &Options<'_>,
) -> Import {
    let mut skipped = Vec::new();
    let managed = live
        .group
        .as_ref()
        .is_some_and(|g| g.tags.get(MANAGED_TAG).map(String::as_str) == Some(MANAGED_VALUE));
    let mut sorted: Vec<&Schedule> = live.schedules.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut by_batch: BTreeMap<(String, String, String), Vec<Candidate>> = BTreeMap::new();
    for s in sorted {
        if managed {
            skipped.push(Skipped {
                rule: s.name.clone(),
                reason: format!(
                    "the group is already cronbridge's (`{MANAGED_TAG}` tag): its schedules come from a repository's YAML"
                ),
            });
            continue;
        }
        match candidate(s, &options.filter, options) {
            Ok((key, c)) => by_batch.entry(key).or_default().push(c),
            Err(reason) => skipped.push(Skipped {
                rule: s.name.clone(),
                reason,
            }),
        }
    }
    // A batch has one schedule: two that start it would be two runs of one batch.
    let mut candidates = Vec::new();
    for group in by_batch.into_values() {
        if let [_] = group.as_slice() {
            candidates.extend(group);
            continue;
        }
        let names: Vec<String> = group.iter().flat_map(|c| c.batch.rules.clone()).collect();
        let reason = format!(
            "{} schedules start the batch `{}` ({}); a batch has one schedule",
            names.len(),
            group[0].batch.name,
            names.join(", ")
        );
        skipped.extend(names.into_iter().map(|rule| Skipped {
            rule,
            reason: reason.clone(),
        }));
    }
    let (batches, target) = select(candidates, options.settings, &mut skipped);
    let (mut batches, prefix) = names(batches, &options.settings.rule_prefix, &mut skipped);
    batches.sort_by(|a, b| a.name.cmp(&b.name));
    skipped.sort_by(|a, b| a.rule.cmp(&b.rule));
    let mut settings_to_set: Vec<String> = target
        .as_ref()
        .map(|t| super::differences(t, options.settings))
        .unwrap_or_default();
    if let Some(p) = prefix.filter(|p| *p != options.settings.rule_prefix) {
        settings_to_set.push(format!(
            "rule_prefix: {} (the settings: {}): a schedule is named `<rule_prefix><batch>`, and Scheduler cannot rename one in place",
            super::quote(&p),
            super::quote(&options.settings.rule_prefix)
        ));
    }
    let adoption = live
        .group
        .as_ref()
        .filter(|_| !managed && !batches.is_empty())
        .map(|g| {
            let kept: std::collections::BTreeSet<&str> = batches
                .iter()
                .flat_map(|b| b.rules.iter().map(String::as_str))
                .collect();
            let mut must_leave: Vec<String> = live
                .schedules
                .iter()
                .filter(|s| !kept.contains(s.name.as_str()))
                .map(|s| s.name.clone())
                .collect();
            must_leave.sort();
            Adoption {
                group: group.to_string(),
                command: tag_command(&g.arn, repository),
                must_leave,
            }
        });
    let yaml = render_yaml(
        &batches,
        options,
        &format!("the EventBridge Scheduler group {}", comment(group)),
    );
    Import {
        batches,
        skipped,
        target,
        settings_to_set,
        yaml,
        source: Source::Group(group.to_string()),
        adoption,
    }
}

/// The command that hands the group to cronbridge: the tags its deploy gives a group it
/// creates. Every value is single-quoted for a POSIX shell.
pub fn tag_command(group_arn: &str, repository: Option<&str>) -> String {
    let sh = |t: &str| format!("'{}'", t.replace('\'', r"'\''"));
    let tags: Vec<String> = group_tags(repository)
        .iter()
        .map(|(k, v)| sh(&format!("Key={k},Value={v}")))
        .collect();
    format!(
        "aws scheduler tag-resource --resource-arn {} --tags {}",
        sh(group_arn),
        tags.join(" ")
    )
}

/// The names the batches need: `<rule_prefix><batch>` for one prefix, the settings' when some
/// schedule has it, else the one most share. The others are left out (and the prefix chosen
/// is returned, to propose).
fn names(
    batches: Vec<ImportedBatch>,
    settings_prefix: &str,
    skipped: &mut Vec<Skipped>,
) -> (Vec<ImportedBatch>, Option<String>) {
    let prefix_of = |b: &ImportedBatch| -> Option<String> {
        let name = b.rules.first()?;
        let p = name.strip_suffix(b.name.as_str())?;
        (!p.is_empty() && p.chars().count() <= 32 && p.chars().all(settings::is_rule_name_char))
            .then(|| p.to_string())
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in batches.iter().filter_map(prefix_of) {
        *counts.entry(p).or_default() += 1;
    }
    let chosen = if counts.contains_key(settings_prefix) {
        Some(settings_prefix.to_string())
    } else {
        let mut best: Option<(&String, usize)> = None;
        for (p, &n) in &counts {
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((p, n));
            }
        }
        best.map(|(p, _)| p.clone())
    };
    let mut kept = Vec::new();
    for b in batches {
        if chosen.is_some() && prefix_of(&b) == chosen {
            kept.push(b);
            continue;
        }
        let want = format!("{}{}", chosen.as_deref().unwrap_or(settings_prefix), b.name);
        let reason = format!(
            "its name is not `<rule_prefix><batch>` (`{want}`): cronbridge names a schedule only that way, and Scheduler cannot rename one in place (it would be deleted and created again)"
        );
        skipped.extend(b.rules.iter().map(|rule| Skipped {
            rule: rule.clone(),
            reason: reason.clone(),
        }));
    }
    (kept, chosen)
}

/// One schedule as a batch, or why it cannot be one.
/// The key is the rules import's: the target (ARN and task definition) and the input's batch
/// (else its class).
fn candidate(
    s: &Schedule,
    filter: &Filter,
    options: &Options<'_>,
) -> Result<((String, String, String), Candidate), String> {
    // Unlike rules, a schedule the filter leaves out is reported: once the group is
    // cronbridge's, every schedule in it is, so it must leave the group.
    if !filter.name_matches(&s.name) {
        return Err("not selected by --prefix or --pattern".to_string());
    }
    let Some(target) = s.target.as_ref() else {
        return Err("no target: it starts nothing".to_string());
    };
    if filter
        .target_arn
        .as_deref()
        .is_some_and(|a| target.arn != a)
    {
        return Err("not selected by --target-arn".to_string());
    }
    let id = read_target(
        &s.name,
        &s.state,
        s.description.as_deref(),
        None,
        std::slice::from_ref(target),
    )?;
    if s.state != "ENABLED" && s.state != "DISABLED" {
        return Err(format!("its state is `{}`", s.state));
    }
    let zone = settings::lookup_zone(&s.timezone).map_err(|_| {
        format!(
            "its zone `{}` is not an IANA time zone cronbridge knows",
            s.timezone
        )
    })?;
    let now = options.now;
    let mut keys = ScheduleKeys::default();
    let cron = if let Some(inner) = s
        .expression
        .strip_prefix("at(")
        .and_then(|t| t.strip_suffix(')'))
    {
        let local: DateTime = inner
            .parse()
            .map_err(|_| format!("its one-time expression `{}` is not read", s.expression))?;
        if local.second() != 0 || local.subsec_nanosecond() != 0 {
            return Err(format!(
                "its one-time expression `{}` has seconds, which `at` cannot say",
                s.expression
            ));
        }
        let instant = instant(local, &zone)?;
        if instant <= now {
            let gone = if s.action_after_completion.as_deref() == Some("DELETE") {
                " (with `ActionAfterCompletion: DELETE` Scheduler deletes it)"
            } else {
                ""
            };
            return Err(format!(
                "a one-time schedule that has run ({}){gone}: nothing is left to run",
                s.expression
            ));
        }
        let text = local.strftime("%Y-%m-%dT%H:%M").to_string();
        keys.at = Some(text);
        s.expression.clone()
    } else {
        let e = crate::cron::parse(&s.expression).map_err(|e| {
            format!(
                "its schedule `{}` is not one cronbridge reads: {e}",
                s.expression
            )
        })?;
        super::body(&e)
    };
    if let Some(end) = s.end
        && end <= now
    {
        return Err(format!("its end date ({end}) has passed: it runs no more"));
    }
    keys.flexible_window = s.flexible_window;
    if let Some(w) = s.flexible_window
        && !(1..=1440).contains(&w)
    {
        return Err(format!(
            "its flexible window is {w} minutes; `flexible_window` is 1 to 1,440"
        ));
    }
    keys.start = s.start.map(|t| local_text(t, &zone, "start")).transpose()?;
    keys.end = s.end.map(|t| local_text(t, &zone, "end")).transpose()?;
    let unprefixed = options
        .filter
        .prefix
        .as_deref()
        .or(Some(options.settings.rule_prefix.as_str()))
        .and_then(|p| s.name.strip_prefix(p))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(&s.name)
        .to_string();
    let name = id
        .batch
        .clone()
        .filter(|b| is_batch_name(b))
        .unwrap_or_else(|| stem(std::slice::from_ref(&unprefixed)));
    let mut notes = Vec::new();
    // cronbridge describes a schedule as `<expression> <zone>: <description>`; one it wrote
    // comes back as the description alone.
    let ours = format!("{} {}", s.expression, s.timezone);
    let description = match s.description.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) if d == ours => None,
        Some(d) => match d.strip_prefix(&format!("{ours}: ")) {
            Some(rest) => Some(rest.to_string()),
            None => {
                notes.push(format!(
                    "the first apply writes the description as `{ours}: …` (in place)"
                ));
                Some(d.to_string())
            }
        },
    };
    if s.action_after_completion.as_deref() == Some("DELETE") {
        notes.push("the first apply sets `ActionAfterCompletion: NONE` (in place)".to_string());
    }
    let mut target = infer_target(std::slice::from_ref(&id), &name)?;
    // Scheduler's default retry policy is what cronbridge sends when the settings have none.
    if target.retry
        == (
            Some(DEFAULT_RETRY_ATTEMPTS),
            Some(DEFAULT_EVENT_AGE_SECONDS),
        )
    {
        target.retry = (None, None);
    }
    let timezone = (s.timezone != options.settings.zone.name).then(|| s.timezone.clone());
    let key = (
        id.target.arn.clone(),
        id.target
            .ecs
            .as_ref()
            .map(|e| e.task_definition_arn.clone())
            .unwrap_or_default(),
        id.batch.clone().unwrap_or_else(|| id.batch_class.clone()),
    );
    let candidate = Candidate {
        batch: ImportedBatch {
            name,
            cron,
            timezone,
            description,
            batch_class: id.batch_class.clone(),
            is_active: s.state == "ENABLED",
            rules: vec![s.name.clone()],
            note: (!notes.is_empty()).then(|| notes.join("; ")),
            scheduler: Some(keys),
        },
        target,
    };
    Ok((key, candidate))
}

fn instant(local: DateTime, zone: &Zone) -> Result<Timestamp, String> {
    zone.tz
        .to_ambiguous_timestamp(local)
        .compatible()
        .map_err(|e| format!("`{local}` is no instant in {}: {e}", zone.name))
}

/// `start` or `end` as the batch writes it: the local minute, which must read back as the
/// same instant (not in the middle of a minute, nor the later of a repeated local time).
fn local_text(t: Timestamp, zone: &Zone, key: &str) -> Result<String, String> {
    let local = zone.tz.to_datetime(t);
    if local.second() != 0 || local.subsec_nanosecond() != 0 || instant(local, zone)? != t {
        return Err(format!(
            "its {key} ({t}) is no local minute `{key}` can say in {}",
            zone.name
        ));
    }
    Ok(local.strftime("%Y-%m-%dT%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::desired::Target;
    use crate::deploy::schedules::LiveGroup;
    use crate::settings::Settings;

    const SM: &str = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:batch";
    const ROLE: &str = "arn:aws:iam::123456789012:role/events";
    const GROUP_ARN: &str = "arn:aws:scheduler:ap-northeast-1:123456789012:schedule-group/batches";

    fn schedule(name: &str, expression: &str, zone: &str, input: Option<&str>) -> Schedule {
        Schedule {
            name: name.to_string(),
            expression: expression.to_string(),
            timezone: zone.to_string(),
            state: "ENABLED".to_string(),
            description: Some(format!("{name} の説明")),
            flexible_window: None,
            start: None,
            end: None,
            action_after_completion: None,
            target: input.map(|i| Target {
                id: String::new(),
                arn: SM.to_string(),
                role_arn: Some(ROLE.to_string()),
                input: Some(i.to_string()),
                maximum_retry_attempts: Some(DEFAULT_RETRY_ATTEMPTS),
                maximum_event_age_seconds: Some(DEFAULT_EVENT_AGE_SECONDS),
                dead_letter_arn: None,
                ecs: None,
            }),
        }
    }

    fn input(batch: &str) -> String {
        serde_json::json!({"batch": batch, "batch_class": format!("Batches::Daily::{batch}")})
            .to_string()
    }

    fn settings(prefix: &str) -> Settings {
        let text = format!(
            "timezone: Asia/Tokyo\nrule_prefix: {prefix}\naws:\n  backend: scheduler\n  schedule_group: batches\n  repository: acme/batches\n  target:\n    role_arn: {ROLE}\n    state_machine_arn: {SM}\n"
        );
        let (s, f) = crate::settings::load("cronbridge.yml", &text);
        assert!(f.is_empty(), "{f:?}");
        s
    }

    fn run(schedules: Vec<Schedule>, settings: &Settings, tags: &[(&str, &str)]) -> Import {
        let options = Options {
            settings,
            zone: settings.zone.clone(),
            now: "2026-11-29T00:00:00Z".parse().unwrap(),
            filter: Filter::default(),
            bus: "default".to_string(),
        };
        let live = LiveSchedules {
            group: Some(LiveGroup {
                arn: GROUP_ARN.to_string(),
                tags: tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
            schedules,
        };
        import("batches", &live, Some("acme/batches"), &options)
    }

    fn team() -> Vec<Schedule> {
        let at = |s: Timestamp| Some(s);
        vec![
            schedule(
                "batch-Backup",
                "cron(0 9 * * ? *)",
                "Asia/Tokyo",
                Some(&input("Backup")),
            ),
            Schedule {
                flexible_window: Some(15),
                start: at("2026-12-01T00:00:00Z".parse().unwrap()),
                end: at("2027-03-31T09:30:00Z".parse().unwrap()),
                ..schedule(
                    "batch-London",
                    "cron(30 8 ? * MON-FRI *)",
                    "Europe/London",
                    Some(&input("London")),
                )
            },
            schedule("batch-Poll", "rate(5 minutes)", "UTC", Some(&input("Poll"))),
            Schedule {
                action_after_completion: Some("DELETE".to_string()),
                ..schedule(
                    "batch-Once",
                    "at(2026-12-31T23:00:00)",
                    "Asia/Tokyo",
                    Some(&input("Once")),
                )
            },
            Schedule {
                action_after_completion: Some("DELETE".to_string()),
                ..schedule(
                    "batch-Fired",
                    "at(2026-11-01T09:00:00)",
                    "Asia/Tokyo",
                    Some(&input("Fired")),
                )
            },
            Schedule {
                state: "DISABLED".to_string(),
                description: Some("cron(0 3 1 * ? *) Asia/Tokyo: 月初".to_string()),
                ..schedule(
                    "batch-Monthly",
                    "cron(0 3 1 * ? *)",
                    "Asia/Tokyo",
                    Some(&input("Monthly")),
                )
            },
            schedule(
                "batch-Nothing",
                "cron(0 1 * * ? *)",
                "Asia/Tokyo",
                Some("{\"x\":1}"),
            ),
            schedule("batch-NoTarget", "cron(0 1 * * ? *)", "Asia/Tokyo", None),
            schedule(
                "Elsewhere",
                "cron(0 2 * * ? *)",
                "Asia/Tokyo",
                Some(&input("Elsewhere")),
            ),
        ]
    }

    #[test]
    fn a_teams_schedules_come_back_as_they_are_with_the_keys_scheduler_has() {
        let i = run(team(), &settings("batch-"), &[]);
        let names: Vec<&str> = i.batches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["Backup", "London", "Monthly", "Once", "Poll"]);
        let y = &i.yaml;
        // Kept as they are: the expression, its zone unless the settings', no `rule`.
        assert!(y.contains("Backup:\n  cron: \"0 9 * * ? *\"\n  description: \"batch-Backup の説明\"\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n\n"), "{y}");
        assert!(y.contains("  cron: \"30 8 ? * MON-FRI *\"\n"), "{y}");
        assert!(y.contains("  timezone: \"Europe/London\"\n  flexible_window: 15m\n  start: \"2026-12-01T00:00\"\n  end: \"2027-03-31T10:30\"\n"), "{y}");
        assert!(y.contains("Poll:\n  cron: \"rate(5 minutes)\"\n"), "{y}");
        assert!(y.contains("  timezone: \"UTC\"\n"), "{y}");
        assert!(y.contains("Once:\n  at: \"2026-12-31T23:00\"\n"), "{y}");
        // cronbridge's own description format comes back as the description alone.
        assert!(y.contains("  description: \"月初\"\n  batch_class: \"Batches::Daily::Monthly\"\n  is_active: false\n"), "{y}");
        assert!(!y.contains("rule:"), "{y}");
        let once = i.batches.iter().find(|b| b.name == "Once").unwrap();
        assert!(
            once.note
                .as_deref()
                .unwrap()
                .contains("ActionAfterCompletion: NONE")
        );
        let reasons: BTreeMap<&str, &str> = i
            .skipped
            .iter()
            .map(|s| (s.rule.as_str(), s.reason.as_str()))
            .collect();
        assert!(reasons["batch-Fired"].contains("has run"), "{reasons:?}");
        assert!(
            reasons["batch-Nothing"].contains("names no batch"),
            "{reasons:?}"
        );
        assert!(
            reasons["batch-NoTarget"].contains("no target"),
            "{reasons:?}"
        );
        assert!(
            reasons["Elsewhere"].contains("`<rule_prefix><batch>`"),
            "{reasons:?}"
        );
        // The settings describe the target: nothing to set (Scheduler's default retry
        // policy is the one cronbridge sends).
        assert!(i.settings_to_set.is_empty(), "{:?}", i.settings_to_set);
        // The consent: the command, after the schedules that would be deleted have left.
        let a = i.adoption.as_ref().unwrap();
        assert_eq!(
            a.command,
            format!(
                "aws scheduler tag-resource --resource-arn '{GROUP_ARN}' --tags 'Key=cronbridge:kind,Value=schedule-group' 'Key=cronbridge:managed,Value=true' 'Key=cronbridge:repository,Value=acme/batches'"
            )
        );
        assert_eq!(
            a.must_leave,
            [
                "Elsewhere",
                "batch-Fired",
                "batch-NoTarget",
                "batch-Nothing"
            ]
        );
    }

    #[test]
    fn the_written_file_loads_on_the_scheduler_backend_as_the_live_schedules() {
        let s = settings("batch-");
        let i = run(team(), &s, &[]);
        let (batches, findings) = crate::schedule::load("schedules/imported.yml", &i.yaml, &s);
        assert!(findings.is_empty(), "{findings:?}\n{}", i.yaml);
        let live = team();
        for b in &batches {
            let l = live
                .iter()
                .find(|l| l.name == format!("batch-{}", b.name))
                .unwrap();
            assert_eq!(b.scheduler_expression(), l.expression, "{}", b.name);
            assert_eq!(b.zone.name, l.timezone, "{}", b.name);
            assert_eq!(b.scheduler.flexible_window, l.flexible_window);
            assert_eq!(b.scheduler.start.map(|x| x.instant), l.start);
            assert_eq!(b.scheduler.end.map(|x| x.instant), l.end);
            assert_eq!(b.is_active, l.state == "ENABLED");
        }
    }

    #[test]
    fn the_prefix_the_names_share_is_proposed_and_a_managed_group_is_not_imported() {
        let i = run(team(), &settings("cronbridge-"), &[]);
        assert_eq!(i.batches.len(), 5, "{:?}", i.skipped);
        assert!(
            i.settings_to_set
                .iter()
                .any(|s| s.starts_with("rule_prefix: \"batch-\"")),
            "{:?}",
            i.settings_to_set
        );
        let i = run(
            team(),
            &settings("batch-"),
            &[("cronbridge:managed", "true")],
        );
        assert!(i.batches.is_empty());
        assert!(i.adoption.is_none());
        assert!(
            i.skipped
                .iter()
                .all(|s| s.reason.contains("already cronbridge's"))
        );
    }

    #[test]
    fn two_schedules_of_one_batch_are_left_out() {
        let mut s = team();
        s.push(schedule(
            "batch-Backup2",
            "cron(0 21 * * ? *)",
            "Asia/Tokyo",
            Some(&input("Backup")),
        ));
        let i = run(s, &settings("batch-"), &[]);
        assert!(i.batches.iter().all(|b| b.name != "Backup"));
        let r: Vec<&Skipped> = i
            .skipped
            .iter()
            .filter(|s| s.rule.starts_with("batch-Backup"))
            .collect();
        assert_eq!(r.len(), 2);
        assert!(r[0].reason.contains("a batch has one schedule"), "{r:?}");
    }

    #[test]
    fn ecs_schedules_are_imported_with_their_command_as_for_rules() {
        let cluster = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch";
        let ecs = crate::deploy::desired::EcsTarget {
            task_definition_arn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/batch:3"
                .to_string(),
            task_count: 1,
            launch_type: Some("FARGATE".to_string()),
            platform_version: None,
            subnets: vec!["subnet-1".to_string()],
            security_groups: vec![],
            assign_public_ip: Some(false),
        };
        let mk = |batch: &str, class: &str| {
            let input = serde_json::json!({"containerOverrides": [{"name": "app", "command": ["bundle", "exec", "rails", "runner", format!("{class}.run")]}]});
            let mut s = schedule(
                &format!("batch-{batch}"),
                "cron(0 9 * * ? *)",
                "Asia/Tokyo",
                Some(&input.to_string()),
            );
            if let Some(t) = s.target.as_mut() {
                t.arn = cluster.to_string();
                t.ecs = Some(ecs.clone());
            }
            s
        };
        let i = run(
            vec![
                mk("Backup", "Batches::Daily::Backup"),
                mk("Sweep", "Batches::Hourly::Sweep"),
            ],
            &settings("batch-"),
            &[],
        );
        let names: Vec<&str> = i.batches.iter().map(|b| b.name.as_str()).collect();
        // No `batch` in a command: the name is the schedule's without the prefix.
        assert_eq!(names, ["Backup", "Sweep"], "{:?}", i.skipped);
        assert_eq!(i.batches[1].batch_class, "Batches::Hourly::Sweep");
        let t = i.target.as_ref().unwrap();
        assert_eq!(
            t.input,
            serde_json::json!(["bundle", "exec", "rails", "runner", "<batch_class>.run"])
        );
        assert!(
            i.settings_to_set
                .iter()
                .any(|s| s.starts_with("aws.target.cluster_arn")),
            "{:?}",
            i.settings_to_set
        );
    }

    #[test]
    fn hostile_descriptions_and_bounds_no_minute_can_say_are_handled() {
        let mut odd = schedule(
            "batch-Odd",
            "cron(0 9 * * ? *)",
            "Asia/Tokyo",
            Some(&input("Odd")),
        );
        odd.start = Some("2027-01-01T00:00:30Z".parse().unwrap());
        let mut hostile = schedule(
            "batch-Hostile",
            "cron(0 9 * * ? *)",
            "Asia/Tokyo",
            Some(&input("Hostile")),
        );
        hostile.description = Some("a\"\nb: # c".to_string());
        let s = settings("batch-");
        let i = run(vec![odd, hostile], &s, &[]);
        assert!(
            i.skipped[0].reason.contains("no local minute"),
            "{:?}",
            i.skipped
        );
        let (batches, findings) = crate::schedule::load("schedules/imported.yml", &i.yaml, &s);
        assert!(findings.is_empty(), "{findings:?}\n{}", i.yaml);
        assert_eq!(batches[0].description.as_deref(), Some("a\"\nb: # c"));
    }
}
