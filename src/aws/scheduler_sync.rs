//! The Scheduler side of a deploy (`aws.backend: scheduler`): read cronbridge's schedule
//! group, plan against the desired schedules (`deploy::schedules`), and apply: the group
//! first (created tagged, or tagged), then the schedules with bounded concurrency. Every
//! write sends the complete definition, so applying twice writes nothing the second time and
//! an apply cut short is finished by the next one.

use super::eventbridge::ApiError;
use super::scheduler::Scheduler;
use super::sync::SyncError;
use crate::deploy::DeployOptions;
use crate::deploy::desired::Desired;
use crate::deploy::plan::Action;
use crate::deploy::schedules::{
    self, GroupAction, LiveSchedules, ScheduleOutcome, SchedulePlan, ScheduleReport,
    ScheduleStatus, ToRulesReport,
};
use crate::finding::Location;
use futures_util::stream::{self, StreamExt};
use jiff::Timestamp;

/// Reads the group: whether it exists and its tags, and, when it is cronbridge's, every
/// schedule in it (ListSchedules, then GetSchedule each, `concurrency` at a time). A group
/// that is not cronbridge's is not listed.
pub async fn read_live(
    client: &Scheduler,
    repository: Option<&str>,
    concurrency: usize,
) -> Result<LiveSchedules, SyncError> {
    let group = client.get_group().await.map_err(SyncError::Read)?;
    let ours = group.as_ref().is_some_and(|g| {
        let managed = g
            .tags
            .get(crate::deploy::desired::MANAGED_TAG)
            .map(String::as_str)
            == Some(crate::deploy::desired::MANAGED_VALUE);
        let theirs = g.tags.get(crate::deploy::desired::REPOSITORY_TAG);
        managed && theirs.is_none_or(|t| Some(t.as_str()) == repository)
    });
    if !ours {
        return Ok(LiveSchedules {
            group,
            schedules: Vec::new(),
        });
    }
    let schedules = read_schedules(client, concurrency).await?;
    Ok(LiveSchedules { group, schedules })
}

/// Every schedule of the group, sorted by name (ListSchedules, then GetSchedule each,
/// `concurrency` at a time), whoever owns the group: the deploy reads them only from a group
/// that is cronbridge's, `import` from any.
pub async fn read_schedules(
    client: &Scheduler,
    concurrency: usize,
) -> Result<Vec<schedules::Schedule>, SyncError> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = client
            .list_schedules(token)
            .await
            .map_err(SyncError::Read)?;
        names.extend(page);
        token = next;
        if token.is_none() {
            break;
        }
    }
    let got: Vec<Result<Option<schedules::Schedule>, ApiError>> = stream::iter(names)
        .map(|name| async move {
            match client.get_schedule(&name).await {
                // Deleted between the list and here: not there.
                Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => Ok(None),
                other => other.map(Some),
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut schedules: Vec<_> = got
        .into_iter()
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()
        .map_err(SyncError::Read)?;
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(schedules)
}

/// Plans and, unless `dry_run`, applies the desired schedules.
pub async fn deploy(
    client: &Scheduler,
    desired: &Desired,
    max_delete_share: f64,
    at: &Location,
    options: &DeployOptions,
    now: Timestamp,
) -> Result<ScheduleReport, SyncError> {
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let live = read_live(client, desired.repository.as_deref(), options.concurrency).await?;
    let plan = schedules::plan(desired, &live, client.group(), max_delete_share, at, now);
    let reasons = schedules::refusals(&plan, options.allow_delete, at);
    let status = if options.dry_run {
        ScheduleStatus::Planned
    } else if !reasons.is_empty() {
        ScheduleStatus::Refused { reasons }
    } else {
        apply(client, &plan, live.group.as_ref(), options.concurrency).await
    };
    Ok(ScheduleReport {
        plan,
        status,
        calls: client.stats(),
    })
}

/// The group first (no schedule can be created in a group that does not exist), then every
/// schedule change, `concurrency` at a time.
pub async fn apply(
    client: &Scheduler,
    plan: &SchedulePlan,
    group: Option<&schedules::LiveGroup>,
    concurrency: usize,
) -> ScheduleStatus {
    let group_result = match (&plan.group_action, group) {
        (GroupAction::Create { tags }, _) => match client.create_group(tags).await {
            // Created by an apply that was cut short after the call: tag it as it should be.
            Err(e) if e.code.as_deref() == Some("ConflictException") => Ok(()),
            other => other,
        },
        (GroupAction::Tag { tags }, Some(g)) => client.tag_resource(&g.arn, tags).await,
        _ => Ok(()),
    };
    if let Err(e) = group_result {
        // Nothing else can be written: every change fails with the group's error.
        return ScheduleStatus::Applied {
            schedules: plan
                .changes
                .iter()
                .filter(|c| c.action != Action::Unchanged)
                .map(|c| ScheduleOutcome {
                    name: c.name.clone(),
                    action: c.action,
                    error: Some(e.to_string()),
                    note: None,
                })
                .collect(),
        };
    }
    // Schedules that replace rules are written by `migrate_from_rules`, at their moment.
    let moving: std::collections::BTreeSet<&str> = plan
        .from_rules
        .iter()
        .map(|m| m.schedule.as_str())
        .collect();
    let outcomes: Vec<ScheduleOutcome> = stream::iter(
        plan.changes
            .iter()
            .filter(|c| c.action != Action::Unchanged && !moving.contains(c.name.as_str())),
    )
    .map(|c| async move {
        let result = match (c.action, &c.desired) {
            (Action::Create, Some(s)) => match client.create_schedule(s).await {
                // There already (a cut-short apply, or a read that missed it): make it right.
                Err(e) if e.code.as_deref() == Some("ConflictException") => {
                    client.update_schedule(s).await
                }
                other => other,
            },
            (Action::Update, Some(s)) => client.update_schedule(s).await,
            (Action::Delete, _) => match client.delete_schedule(&c.name).await {
                Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => Ok(()),
                other => other,
            },
            _ => Ok(()),
        };
        ScheduleOutcome {
            name: c.name.clone(),
            action: c.action,
            error: result.err().map(|e| e.to_string()),
            note: None,
        }
    })
    .buffer_unordered(concurrency.max(1))
    .collect()
    .await;
    let mut schedules = outcomes;
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    ScheduleStatus::Applied { schedules }
}

/// Moves batches from their rules to their schedules (`plan.from_rules`), so that no run is
/// doubled or lost: (1) wait for a moment when none of the rules is due for the whole
/// operation (`deploy::cutover::wait`, at most 150 s; a rule due every minute has none, and
/// the outcome says so); (2) delete the rules (RemoveTargets, DeleteRule); (3) create the
/// schedules with `StartDate` at the first whole minute after that stretch. A run due before
/// the deletions came from a rule, one due after from the schedule, and none was due between.
/// Called after `apply` (the group exists) and before the alert rules are synced.
pub async fn migrate_from_rules(
    events: &super::eventbridge::EventBridge,
    client: &Scheduler,
    plan: &SchedulePlan,
    concurrency: usize,
) -> Vec<ScheduleOutcome> {
    if plan.from_rules.is_empty() {
        return Vec::new();
    }
    // No rule is deleted unless its schedule can be created: the group must be there.
    if let Err(why) = match client.get_group().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(format!(
            "the schedule group `{}` does not exist",
            client.group()
        )),
        Err(e) => Err(e.to_string()),
    } {
        return plan
            .from_rules
            .iter()
            .map(|m| ScheduleOutcome {
                name: m.schedule.clone(),
                action: Action::Create,
                error: Some(format!("{why}; its rules were left running")),
                note: None,
            })
            .collect();
    }
    let expressions: Vec<&str> = plan
        .from_rules
        .iter()
        .flat_map(|m| m.expressions.iter().map(String::as_str))
        .collect();
    let rule_count: usize = plan.from_rules.iter().map(|m| m.rules.len()).sum();
    let (busy, note) = wait_for_a_free_moment(&expressions, rule_count, concurrency).await;
    let deleted_at = Timestamp::now();
    let deletions: Vec<(String, Result<(), ApiError>)> = stream::iter(
        plan.from_rules
            .iter()
            .flat_map(|m| m.rules.iter().map(move |r| (m.schedule.clone(), r))),
    )
    .map(|(schedule, (rule, ids))| async move {
        let result = async {
            if !ids.is_empty() {
                events.remove_targets(rule, ids).await?;
            }
            events.delete_rule(rule).await
        }
        .await;
        (schedule, result)
    })
    .buffer_unordered(concurrency.max(1))
    .collect()
    .await;
    let start = |own| schedules::start_after_rules(deleted_at, busy, own);
    let mut outcomes = Vec::new();
    for m in &plan.from_rules {
        let failed: Vec<String> = deletions
            .iter()
            .filter(|(s, r)| *s == m.schedule && r.is_err())
            .filter_map(|(_, r)| r.as_ref().err().map(ToString::to_string))
            .collect();
        let change = plan.changes.iter().find(|c| c.name == m.schedule);
        let action = change.map_or(Action::Create, |c| c.action);
        // A rule that could not be deleted still runs the batch: its schedule is not created.
        let result = if !failed.is_empty() {
            Err(failed.join("; "))
        } else {
            match change.and_then(|c| c.desired.as_ref()) {
                Some(s) => {
                    let s = schedules::Schedule {
                        start: Some(start(s.start)),
                        ..s.clone()
                    };
                    let written = match action {
                        Action::Update => client.update_schedule(&s).await,
                        _ => match client.create_schedule(&s).await {
                            Err(e) if e.code.as_deref() == Some("ConflictException") => {
                                client.update_schedule(&s).await
                            }
                            other => other,
                        },
                    };
                    written.map_err(|e| e.to_string())
                }
                None => Ok(()),
            }
        };
        outcomes.push(ScheduleOutcome {
            name: m.schedule.clone(),
            action,
            error: result.err(),
            note: note.clone(),
        });
    }
    outcomes
}

/// Waits, if it has to, for a moment when none of `expressions` is due while `rules` rules
/// are handled (two calls each, `concurrency` at a time: a second for each round, and the
/// schedules' side besides). The seconds the move may take, and a note when a rule is due
/// every minute, so no such moment exists.
async fn wait_for_a_free_moment(
    expressions: &[&str],
    rules: usize,
    concurrency: usize,
) -> (i64, Option<String>) {
    use crate::deploy::cutover::{self, Wait};
    let rounds = i64::try_from(rules.div_ceil(concurrency.max(1))).unwrap_or(i64::MAX);
    let busy = cutover::BUSY_SECONDS.saturating_add(rounds.saturating_mul(2));
    let wait = cutover::wait(
        expressions,
        Timestamp::now(),
        busy,
        cutover::MAX_WAIT_SECONDS,
    );
    if let Wait::Seconds(s) = wait {
        tokio::time::sleep(std::time::Duration::from_secs(
            u64::try_from(s).unwrap_or(0),
        ))
        .await;
    }
    let note = (wait == Wait::NoGap).then(|| {
        "a rule is due every minute: the run of the minute of the move may be lost or doubled"
            .to_string()
    });
    (busy, note)
}

/// On `backend: rules`, before the rules are synced: the schedules still in cronbridge's
/// group would run their batches a second time, so they are replaced in one apply, with no
/// run doubled or lost: (1) each batch's rules are written `DISABLED` with their targets;
/// (2) wait for a moment when none of them is due for the whole operation (as for the rename
/// cutover); (3) the schedules are deleted; (4) the rules take their state. The rules sync
/// that follows finds them as they should be. A schedule of a batch no longer in the
/// repository is deleted. Without access to Scheduler (`AccessDeniedException`, such as a
/// role that never deployed schedules), without the group or without a region there is
/// nothing to do.
pub async fn move_to_rules(
    events: &super::eventbridge::EventBridge,
    connection: &super::eventbridge::Connection,
    group: &str,
    desired: &Desired,
    prefix: &str,
    dry_run: bool,
    concurrency: usize,
) -> Result<Option<ToRulesReport>, SyncError> {
    // Without a region there is no account to read, and so nothing to move.
    if events.region().is_none() {
        return Ok(None);
    }
    let client = &Scheduler::connect(
        connection,
        group,
        &super::eventbridge::ClientOptions::default(),
    )
    .await;
    let live = match read_live(client, desired.repository.as_deref(), concurrency).await {
        Err(SyncError::Read(e)) if e.code.as_deref() == Some("AccessDeniedException") => {
            return Ok(None);
        }
        other => other?,
    };
    if live.schedules.is_empty() {
        return Ok(None);
    }
    let moves = schedules::to_rules(desired, &live, prefix);
    let mut report = ToRulesReport {
        group: client.group().to_string(),
        moves,
        errors: Vec::new(),
        note: None,
    };
    if dry_run {
        return Ok(Some(report));
    }
    let rules: Vec<&crate::deploy::desired::Rule> = desired
        .rules
        .iter()
        .filter(|r| report.moves.iter().any(|m| m.rules.contains(&r.rule.name)))
        .map(|r| &r.rule)
        .collect();
    // (1) The rules, disabled, with their targets: nothing runs from them yet.
    let written: Vec<(String, Result<(), ApiError>)> = stream::iter(rules.iter())
        .map(|r| async move {
            let result = async {
                events.put_rule(r, "DISABLED").await?;
                events.put_targets(&r.name, &r.targets).await
            }
            .await;
            (r.name.clone(), result)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let written_ok = settle(&written, &mut report.errors);
    // A batch whose rule could not be written keeps its schedule.
    let movable: Vec<&schedules::ToRules> = report
        .moves
        .iter()
        .filter(|m| m.rules.iter().all(|r| written_ok.contains(&r.as_str())))
        .collect();
    let expressions: Vec<&str> = rules
        .iter()
        .filter_map(|r| r.schedule_expression.as_deref())
        .collect();
    // (2) A moment when none is due.
    report.note = wait_for_a_free_moment(&expressions, rules.len(), concurrency)
        .await
        .1;
    // (3) The schedules go; (4) the rules take their state.
    let deleted: Vec<(String, Result<(), ApiError>)> = stream::iter(movable.iter())
        .map(|m| async move {
            let r = match client.delete_schedule(&m.schedule).await {
                Err(e) if e.code.as_deref() == Some("ResourceNotFoundException") => Ok(()),
                other => other,
            };
            (m.schedule.clone(), r)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let gone = settle(&deleted, &mut report.errors);
    let enable: Vec<&&crate::deploy::desired::Rule> = rules
        .iter()
        .filter(|r| {
            movable
                .iter()
                .any(|m| gone.contains(&m.schedule.as_str()) && m.rules.contains(&r.name))
        })
        .filter(|r| r.state != "DISABLED")
        .collect();
    let enabled: Vec<(String, Result<String, ApiError>)> = stream::iter(enable)
        .map(|r| async move { (r.name.clone(), events.put_rule(r, &r.state).await) })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    settle(&enabled, &mut report.errors);
    Ok(Some(report))
}

/// Records the failed calls of `results` (by rule or schedule name) in `errors`; the names
/// whose call succeeded.
fn settle<'r, T>(
    results: &'r [(String, Result<T, ApiError>)],
    errors: &mut Vec<(String, String)>,
) -> Vec<&'r str> {
    let mut ok = Vec::new();
    for (name, r) in results {
        match r {
            Ok(_) => ok.push(name.as_str()),
            Err(e) => errors.push((name.clone(), e.to_string())),
        }
    }
    ok
}

/// The whole deploy of `backend: scheduler`, for `plan`, `apply` and the Action: the desired
/// state (refused on `check` errors), the managed rules of the bus (batches moving from rules),
/// the group's plan, and unless `dry_run` its apply with the move from rules; then the alert
/// rules, which stay on the bus, by the rules sync. The alerts are left alone when the
/// schedules' plan is refused or a move failed (a rule that could not be deleted must not be
/// deleted by the rules sync without its schedule).
pub async fn deploy_all(
    connection: &super::eventbridge::Connection,
    analysis: &crate::check::Analysis,
    lookup: crate::deploy::desired::Lookup<'_>,
    options: &DeployOptions,
    now: Timestamp,
) -> Result<(ScheduleReport, Option<crate::deploy::DeployReport>), SyncError> {
    use super::eventbridge::{ClientOptions, EventBridge};
    let settings = &analysis.inputs.settings;
    let aws = &settings.aws;
    let at = aws.location.clone().unwrap_or_else(|| {
        crate::finding::Location::file_start(crate::settings::DEFAULT_SETTINGS_FILE)
    });
    let desired = crate::deploy::desired_state(&analysis.findings, &analysis.model(), lookup)?;
    let events = EventBridge::connect(connection, &aws.event_bus, &ClientOptions::default()).await;
    if events.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let repository = desired.repository.as_deref();
    let live_rules = super::sync::read_live_for(
        &events,
        &settings.rule_prefix,
        repository,
        options.concurrency,
    )
    .await?;
    let client =
        Scheduler::connect(connection, &aws.schedule_group, &ClientOptions::default()).await;
    let live = read_live(&client, repository, options.concurrency).await?;
    let mut plan = schedules::plan(
        &desired,
        &live,
        client.group(),
        aws.max_delete_share,
        &at,
        now,
    );
    plan.from_rules = schedules::from_rules(&desired, &live_rules, &settings.rule_prefix);
    // A rule outside cronbridge that starts a batch would run it beside its schedule.
    plan.errors.extend(crate::deploy::plan::started_twice(
        &schedules::as_rules(&desired, &analysis.inputs.batches),
        &live_rules,
        &settings.rule_prefix,
        repository,
        &Default::default(),
        false,
    ));
    let reasons = schedules::refusals(&plan, options.allow_delete, &at);
    let status = if options.dry_run {
        ScheduleStatus::Planned
    } else if !reasons.is_empty() {
        ScheduleStatus::Refused { reasons }
    } else {
        match apply(&client, &plan, live.group.as_ref(), options.concurrency).await {
            ScheduleStatus::Applied { mut schedules } => {
                schedules
                    .extend(migrate_from_rules(&events, &client, &plan, options.concurrency).await);
                schedules.sort_by(|a, b| a.name.cmp(&b.name));
                ScheduleStatus::Applied { schedules }
            }
            other => other,
        }
    };
    let moved_ok = match &status {
        ScheduleStatus::Applied { schedules } => !schedules
            .iter()
            .any(|s| s.error.is_some() && plan.from_rules.iter().any(|m| m.schedule == s.name)),
        ScheduleStatus::Refused { .. } => false,
        ScheduleStatus::Planned => true,
    };
    let report = ScheduleReport {
        plan,
        status,
        calls: client.stats(),
    };
    if !report.plan.errors.is_empty() || !moved_ok {
        return Ok((report, None));
    }
    let alerts = super::sync::deploy(&events, analysis, lookup, options).await?;
    Ok((report, Some(alerts)))
}
