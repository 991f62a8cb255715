//! The edge to EventBridge Scheduler: a thin client on one schedule group, one method per API
//! call, on the SDK's standard retry mode (throttling backs off and retries, bounded, as for
//! EventBridge) with the same call counter.

use super::eventbridge::{ApiError, ClientOptions, Connection, Counter, api_error, build_error};
use crate::deploy::CallStats;
use crate::deploy::desired::{EcsTarget, Target};
use crate::deploy::schedules::{LiveGroup, Schedule};
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::primitives::DateTime;
use aws_sdk_scheduler::types;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The client: Scheduler, one group.
#[derive(Debug, Clone)]
pub struct Scheduler {
    inner: Client,
    group: String,
    counter: Counter,
    region: Option<String>,
}

type BuildError = aws_sdk_scheduler::error::BuildError;

impl Scheduler {
    /// Loads the SDK configuration (the same chain as every client) and builds the client.
    pub async fn connect(
        connection: &Connection,
        group: &str,
        options: &ClientOptions,
    ) -> Scheduler {
        let sdk = connection.load().await;
        let counter = Counter::default();
        let conf = aws_sdk_scheduler::config::Builder::from(&sdk)
            .retry_config(options.retry())
            .timeout_config(options.timeouts())
            .interceptor(counter.clone())
            .build();
        Scheduler {
            inner: Client::from_conf(conf),
            group: group.to_string(),
            region: sdk.region().map(ToString::to_string),
            counter,
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn group(&self) -> &str {
        &self.group
    }

    /// Calls made so far.
    pub fn stats(&self) -> CallStats {
        self.counter.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The group with its tags, or `None` when there is no group of that name.
    pub async fn get_group(&self) -> Result<Option<LiveGroup>, ApiError> {
        self.counter.bump("GetScheduleGroup", false);
        let out = match self
            .inner
            .get_schedule_group()
            .name(&self.group)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(api_error("GetScheduleGroup", &self.group, e)),
        };
        let arn = out.arn().unwrap_or_default().to_string();
        let tags = self.list_tags(&arn).await?;
        Ok(Some(LiveGroup { arn, tags }))
    }

    pub async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, ApiError> {
        self.counter.bump("ListTagsForResource", false);
        let out = self
            .inner
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| api_error("ListTagsForResource", arn, e))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }

    /// Creates the group with its tags (schedules take none; the group's are the ownership).
    pub async fn create_group(&self, tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
        self.counter.bump("CreateScheduleGroup", false);
        let tags =
            sdk_tags(tags).map_err(|e| build_error("CreateScheduleGroup", &self.group, &e))?;
        self.inner
            .create_schedule_group()
            .name(&self.group)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| api_error("CreateScheduleGroup", &self.group, e))?;
        Ok(())
    }

    pub async fn tag_resource(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        self.counter.bump("TagResource", false);
        let tags = sdk_tags(tags).map_err(|e| build_error("TagResource", arn, &e))?;
        self.inner
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| api_error("TagResource", arn, e))?;
        Ok(())
    }

    /// One page of the names of the group's schedules.
    pub async fn list_schedules(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), ApiError> {
        self.counter.bump("ListSchedules", false);
        let out = self
            .inner
            .list_schedules()
            .group_name(&self.group)
            .max_results(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| api_error("ListSchedules", &self.group, e))?;
        let names = out
            .schedules()
            .iter()
            .filter_map(|s| s.name().map(str::to_string))
            .collect();
        Ok((names, out.next_token().map(str::to_string)))
    }

    /// One schedule of the group, every field cronbridge compares.
    pub async fn get_schedule(&self, name: &str) -> Result<Schedule, ApiError> {
        self.counter.bump("GetSchedule", false);
        let out = self
            .inner
            .get_schedule()
            .group_name(&self.group)
            .name(name)
            .send()
            .await
            .map_err(|e| api_error("GetSchedule", name, e))?;
        let window = out.flexible_time_window();
        Ok(Schedule {
            name: out.name().unwrap_or(name).to_string(),
            expression: out.schedule_expression().unwrap_or_default().to_string(),
            timezone: out
                .schedule_expression_timezone()
                .unwrap_or("UTC")
                .to_string(),
            state: out.state().map_or("ENABLED", |s| s.as_str()).to_string(),
            description: out.description().map(str::to_string),
            flexible_window: window
                .filter(|w| w.mode().as_str() == "FLEXIBLE")
                .and_then(|w| w.maximum_window_in_minutes())
                .and_then(|m| u32::try_from(m).ok()),
            start: out.start_date().and_then(timestamp),
            end: out.end_date().and_then(timestamp),
            action_after_completion: out
                .action_after_completion()
                .map(|a| a.as_str().to_string()),
            target: out.target().map(target_from_sdk),
        })
    }

    /// Creates a schedule with its complete definition.
    pub async fn create_schedule(&self, s: &Schedule) -> Result<(), ApiError> {
        self.counter.bump("CreateSchedule", false);
        let (window, target) = parts(s).map_err(|e| build_error("CreateSchedule", &s.name, &e))?;
        self.inner
            .create_schedule()
            .group_name(&self.group)
            .name(&s.name)
            .schedule_expression(&s.expression)
            .schedule_expression_timezone(&s.timezone)
            .state(types::ScheduleState::from(s.state.as_str()))
            .set_description(s.description.clone())
            .flexible_time_window(window)
            .set_start_date(s.start.map(date_time))
            .set_end_date(s.end.map(date_time))
            .set_action_after_completion(
                s.action_after_completion
                    .as_deref()
                    .map(types::ActionAfterCompletion::from),
            )
            .set_target(target)
            .send()
            .await
            .map_err(|e| api_error("CreateSchedule", &s.name, e))?;
        Ok(())
    }

    /// Replaces a schedule's definition: UpdateSchedule resets every field it is not given,
    /// so every field is sent.
    pub async fn update_schedule(&self, s: &Schedule) -> Result<(), ApiError> {
        self.counter.bump("UpdateSchedule", false);
        let (window, target) = parts(s).map_err(|e| build_error("UpdateSchedule", &s.name, &e))?;
        self.inner
            .update_schedule()
            .group_name(&self.group)
            .name(&s.name)
            .schedule_expression(&s.expression)
            .schedule_expression_timezone(&s.timezone)
            .state(types::ScheduleState::from(s.state.as_str()))
            .set_description(s.description.clone())
            .flexible_time_window(window)
            .set_start_date(s.start.map(date_time))
            .set_end_date(s.end.map(date_time))
            .set_action_after_completion(
                s.action_after_completion
                    .as_deref()
                    .map(types::ActionAfterCompletion::from),
            )
            .set_target(target)
            .send()
            .await
            .map_err(|e| api_error("UpdateSchedule", &s.name, e))?;
        Ok(())
    }

    pub async fn delete_schedule(&self, name: &str) -> Result<(), ApiError> {
        self.counter.bump("DeleteSchedule", false);
        self.inner
            .delete_schedule()
            .group_name(&self.group)
            .name(name)
            .send()
            .await
            .map_err(|e| api_error("DeleteSchedule", name, e))?;
        Ok(())
    }
}

fn timestamp(d: &DateTime) -> Option<Timestamp> {
    Timestamp::from_second(d.secs()).ok()
}

fn date_time(t: Timestamp) -> DateTime {
    DateTime::from_secs(t.as_second())
}

fn sdk_tags(tags: &BTreeMap<String, String>) -> Result<Vec<types::Tag>, BuildError> {
    tags.iter()
        .map(|(k, v)| types::Tag::builder().key(k).value(v).build())
        .collect()
}

type Parts = (types::FlexibleTimeWindow, Option<types::Target>);

fn parts(s: &Schedule) -> Result<Parts, BuildError> {
    let window = match s.flexible_window {
        None => types::FlexibleTimeWindow::builder()
            .mode(types::FlexibleTimeWindowMode::Off)
            .build()?,
        Some(m) => types::FlexibleTimeWindow::builder()
            .mode(types::FlexibleTimeWindowMode::Flexible)
            .maximum_window_in_minutes(i32::try_from(m).unwrap_or(1440))
            .build()?,
    };
    let target = s.target.as_ref().map(target_to_sdk).transpose()?;
    Ok((window, target))
}

fn target_to_sdk(t: &Target) -> Result<types::Target, BuildError> {
    let retry = match (t.maximum_retry_attempts, t.maximum_event_age_seconds) {
        (None, None) => None,
        (a, s) => Some(
            types::RetryPolicy::builder()
                .set_maximum_retry_attempts(a.and_then(|x| i32::try_from(x).ok()))
                .set_maximum_event_age_in_seconds(s.and_then(|x| i32::try_from(x).ok()))
                .build(),
        ),
    };
    let ecs = match &t.ecs {
        None => None,
        Some(e) => {
            let network = if e.subnets.is_empty() {
                None
            } else {
                Some(
                    types::NetworkConfiguration::builder()
                        .awsvpc_configuration(
                            types::AwsVpcConfiguration::builder()
                                .set_subnets(Some(e.subnets.clone()))
                                .set_security_groups(
                                    (!e.security_groups.is_empty())
                                        .then(|| e.security_groups.clone()),
                                )
                                .set_assign_public_ip(e.assign_public_ip.map(|b| {
                                    if b {
                                        types::AssignPublicIp::Enabled
                                    } else {
                                        types::AssignPublicIp::Disabled
                                    }
                                }))
                                .build()?,
                        )
                        .build(),
                )
            };
            Some(
                types::EcsParameters::builder()
                    .task_definition_arn(&e.task_definition_arn)
                    .task_count(e.task_count)
                    .set_launch_type(e.launch_type.as_deref().map(types::LaunchType::from))
                    .set_platform_version(e.platform_version.clone())
                    .set_network_configuration(network)
                    .build()?,
            )
        }
    };
    types::Target::builder()
        .arn(&t.arn)
        .role_arn(t.role_arn.clone().unwrap_or_default())
        .set_input(t.input.clone())
        .set_retry_policy(retry)
        .set_dead_letter_config(
            t.dead_letter_arn
                .as_ref()
                .map(|a| types::DeadLetterConfig::builder().arn(a).build()),
        )
        .set_ecs_parameters(ecs)
        .build()
}

fn target_from_sdk(t: &types::Target) -> Target {
    let retry = t.retry_policy();
    let u32_of = |v: Option<i32>| v.and_then(|x| u32::try_from(x).ok());
    Target {
        id: crate::deploy::desired::TARGET_ID.to_string(),
        arn: t.arn().to_string(),
        role_arn: Some(t.role_arn().to_string()),
        input: t.input().map(str::to_string),
        maximum_retry_attempts: u32_of(retry.and_then(|r| r.maximum_retry_attempts())),
        maximum_event_age_seconds: u32_of(retry.and_then(|r| r.maximum_event_age_in_seconds())),
        dead_letter_arn: t
            .dead_letter_config()
            .and_then(|d| d.arn())
            .map(str::to_string),
        ecs: t.ecs_parameters().map(|e| {
            let vpc = e
                .network_configuration()
                .and_then(|n| n.awsvpc_configuration());
            EcsTarget {
                task_definition_arn: e.task_definition_arn().to_string(),
                task_count: e.task_count().unwrap_or(1),
                launch_type: e.launch_type().map(|l| l.as_str().to_string()),
                platform_version: e.platform_version().map(str::to_string),
                subnets: vpc.map(|v| v.subnets().to_vec()).unwrap_or_default(),
                security_groups: vpc
                    .map(|v| v.security_groups().to_vec())
                    .unwrap_or_default(),
                assign_public_ip: vpc
                    .and_then(|v| v.assign_public_ip())
                    .map(|a| a.as_str() == "ENABLED"),
            }
        }),
    }
}
