//! The EventBridge side of `cronbridge import`: every rule of the bus whose name the filter
//! lets through, with its tags and all its targets (unlike a deploy's read, which reads the
//! targets of managed rules only). Read-only: ListRules, ListTagsForResource,
//! ListTargetsByRule; on Scheduler, GetScheduleGroup, ListTagsForResource, ListSchedules and
//! GetSchedule.

use super::eventbridge::{ApiError, EventBridge};
use super::sync::SyncError;
use crate::deploy::desired::Rule;
use crate::deploy::plan::LiveRule;
use crate::import::Filter;
use futures_util::stream::{self, StreamExt};

use super::scheduler::Scheduler;
use crate::deploy::schedules::LiveSchedules;

/// The bus's rules that `filter` lets through by name, sorted by name, with tags and targets.
pub async fn read_rules(
    client: &EventBridge,
    filter: &Filter,
    concurrency: usize,
) -> Result<Vec<LiveRule>, SyncError> {
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let mut summaries = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = client.list_rules(token).await.map_err(SyncError::Read)?;
        summaries.extend(page.into_iter().filter(|r| filter.name_matches(&r.name)));
        token = next;
        if token.is_none() {
            break;
        }
    }
    let gone = |e: &ApiError| e.code.as_deref() == Some("ResourceNotFoundException");
    let rules: Vec<Result<Option<LiveRule>, ApiError>> = stream::iter(summaries)
        .map(|s| async move {
            // A rule deleted since ListRules is simply not there.
            let tags = match client.list_tags(&s.arn).await {
                Err(e) if gone(&e) => return Ok(None),
                other => other?,
            };
            let targets = match client.list_targets(&s.name).await {
                Err(e) if gone(&e) => return Ok(None),
                other => other?,
            };
            Ok(Some(LiveRule {
                arn: s.arn,
                rule: Rule {
                    name: s.name,
                    schedule_expression: s.schedule_expression,
                    event_pattern: s.event_pattern,
                    state: s.state,
                    description: s.description,
                    tags,
                    targets,
                },
            }))
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut rules: Vec<LiveRule> = rules
        .into_iter()
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()
        .map_err(SyncError::Read)?;
    rules.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    Ok(rules)
}

/// The group and every schedule in it, whoever owns it (the import reports each one: once the
/// group is cronbridge's, all of them are). No group: `group` is `None` and nothing is listed.
pub async fn read_group(
    client: &Scheduler,
    concurrency: usize,
) -> Result<LiveSchedules, SyncError> {
    if client.region().is_none() {
        return Err(SyncError::NoRegion);
    }
    let group = client.get_group().await.map_err(SyncError::Read)?;
    if group.is_none() {
        return Ok(LiveSchedules::default());
    }
    let schedules = super::scheduler_sync::read_schedules(client, concurrency).await?;
    Ok(LiveSchedules { group, schedules })
}
