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
    self, GroupAction, LiveSchedules, ScheduleOutcome, SchedulePlan, ScheduleReport, ScheduleStatus,
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
    Ok(LiveSchedules { group, schedules })
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
                })
                .collect(),
        };
    }
    let outcomes: Vec<ScheduleOutcome> = stream::iter(
        plan.changes
            .iter()
            .filter(|c| c.action != Action::Unchanged),
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
        }
    })
    .buffer_unordered(concurrency.max(1))
    .collect()
    .await;
    let mut schedules = outcomes;
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    ScheduleStatus::Applied { schedules }
}
