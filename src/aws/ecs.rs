//! The edge to ECS, for manual runs on a direct ECS target: a thin client (RunTask with the
//! rule's `EcsParameters` and command, found again by `startedBy`) and the start-at-most-once
//! logic on it.

use super::eventbridge::{ClientOptions, Connection};
use super::sfn::api_error;
use crate::deploy::desired::{ContainerCommand, EcsTarget};
use crate::manual::flow::LaunchError;
use crate::manual::request::ContainerExit;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerOverride, DesiredStatus, KeyValuePair,
    LaunchType, NetworkConfiguration, TaskOverride,
};
use std::time::Duration;

/// A task as DescribeTasks reports it: the fields cronbridge shows and judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub arn: String,
    /// `PROVISIONING`, `PENDING`, `RUNNING`, … `STOPPED`.
    pub last_status: String,
    pub task_definition_arn: Option<String>,
    pub started_by: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<ContainerExit>,
}

impl Task {
    pub fn has_stopped(&self) -> bool {
        self.last_status == "STOPPED"
    }
}

/// The client: ECS in one region.
#[derive(Debug, Clone)]
pub struct Ecs {
    inner: Client,
    region: Option<String>,
}

/// The network configuration RunTask needs for `awsvpc` tasks, as the rule sends it; `None`
/// when the settings have no `network` (EC2 tasks in bridge mode).
pub fn network_configuration(
    params: &EcsTarget,
) -> Result<Option<NetworkConfiguration>, LaunchError> {
    if params.subnets.is_empty() {
        return Ok(None);
    }
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(params.subnets.clone()))
        .set_security_groups(
            (!params.security_groups.is_empty()).then(|| params.security_groups.clone()),
        )
        .set_assign_public_ip(params.assign_public_ip.map(|on| {
            if on {
                AssignPublicIp::Enabled
            } else {
                AssignPublicIp::Disabled
            }
        }))
        .build()
        .map_err(|e| LaunchError::Api {
            operation: "RunTask",
            subject: "network".to_string(),
            code: None,
            message: e.to_string(),
        })?;
    Ok(Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    ))
}

impl Ecs {
    /// Loads the SDK configuration (the same chain and options as `EventBridge::connect`) and
    /// builds the client.
    pub async fn connect(connection: &Connection, options: &ClientOptions) -> Ecs {
        let sdk = connection.load().await;
        let conf = aws_sdk_ecs::config::Builder::from(&sdk)
            .retry_config(options.retry())
            .timeout_config(options.timeouts())
            .build();
        Ecs {
            inner: Client::from_conf(conf),
            region: sdk.region().map(ToString::to_string),
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The tasks of `cluster` started with `started_by`, running or stopped (ECS keeps a
    /// stopped task listed for about an hour).
    pub async fn list_tasks(
        &self,
        cluster: &str,
        started_by: &str,
    ) -> Result<Vec<String>, LaunchError> {
        let mut arns = Vec::new();
        for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
            let out = self
                .inner
                .list_tasks()
                .cluster(cluster)
                .started_by(started_by)
                .desired_status(status)
                .send()
                .await
                .map_err(|e| api_error("ListTasks", cluster, &e))?;
            arns.extend(out.task_arns().iter().cloned());
        }
        Ok(arns)
    }

    /// RunTask with the rule's parameters and command. `client_token` makes a retry of the
    /// same request (within ECS's idempotency window) start nothing new.
    pub async fn run_task(
        &self,
        cluster: &str,
        params: &EcsTarget,
        command: &ContainerCommand,
        started_by: &str,
        client_token: Option<&str>,
    ) -> Result<String, LaunchError> {
        let overrides = TaskOverride::builder()
            .container_overrides(
                ContainerOverride::builder()
                    .name(&command.container)
                    .set_command(Some(command.command.clone()))
                    .set_environment(Some(
                        command
                            .environment
                            .iter()
                            .map(|(name, value)| {
                                KeyValuePair::builder().name(name).value(value).build()
                            })
                            .collect(),
                    ))
                    .build(),
            )
            .build();
        let out = self
            .inner
            .run_task()
            .cluster(cluster)
            .task_definition(&params.task_definition_arn)
            .count(params.task_count)
            .set_launch_type(params.launch_type.as_deref().map(LaunchType::from))
            .set_platform_version(params.platform_version.clone())
            .set_network_configuration(network_configuration(params)?)
            .overrides(overrides)
            .started_by(started_by)
            .set_client_token(client_token.map(str::to_string))
            .send()
            .await
            .map_err(|e| api_error("RunTask", cluster, &e))?;
        if let Some(arn) = out.tasks().first().and_then(|t| t.task_arn()) {
            return Ok(arn.to_string());
        }
        // RunTask answers 200 with `failures` when no task could be placed.
        let message = out
            .failures()
            .iter()
            .map(|f| {
                [f.reason(), f.detail()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ")
            })
            .collect::<Vec<_>>()
            .join("; ");
        Err(LaunchError::Api {
            operation: "RunTask",
            subject: cluster.to_string(),
            code: None,
            message: if message.is_empty() {
                "no task was started".to_string()
            } else {
                message
            },
        })
    }

    /// DescribeTasks of one task; `Ok(None)` when ECS no longer knows it.
    pub async fn describe_task(
        &self,
        cluster: &str,
        arn: &str,
    ) -> Result<Option<Task>, LaunchError> {
        let out = self
            .inner
            .describe_tasks()
            .cluster(cluster)
            .tasks(arn)
            .send()
            .await
            .map_err(|e| api_error("DescribeTasks", arn, &e))?;
        Ok(out.tasks().first().map(|t| Task {
            arn: t.task_arn().unwrap_or(arn).to_string(),
            last_status: t.last_status().unwrap_or("UNKNOWN").to_string(),
            task_definition_arn: t.task_definition_arn().map(str::to_string),
            started_by: t.started_by().map(str::to_string),
            stopped_reason: t.stopped_reason().map(str::to_string),
            containers: t
                .containers()
                .iter()
                .map(|c| ContainerExit {
                    name: c.name().unwrap_or("").to_string(),
                    exit_code: c.exit_code(),
                    reason: c.reason().map(str::to_string),
                })
                .collect(),
        }))
    }

    /// The containers the task definition marks `essential: false`: DescribeTasks does not
    /// say which containers are essential, and only those decide whether a task failed.
    pub async fn non_essential(&self, task_definition: &str) -> Result<Vec<String>, LaunchError> {
        let out = self
            .inner
            .describe_task_definition()
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|e| api_error("DescribeTaskDefinition", task_definition, &e))?;
        Ok(out
            .task_definition()
            .map(|d| {
                d.container_definitions()
                    .iter()
                    .filter(|c| c.essential() == Some(false))
                    .filter_map(|c| c.name().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// What a start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new task, with its ARN.
    Started(String),
    /// A task with this `startedBy` exists: this request was handled before. Nothing new.
    AlreadyStarted(Task),
}

/// Starts the task unless `once` names a `startedBy` a task of the cluster already has. ECS
/// has no unique run names, so the look-up comes first, and the same value as RunTask's
/// client token covers two deliveries that look up at the same moment.
pub async fn start(
    client: &Ecs,
    cluster: &str,
    params: &EcsTarget,
    command: &ContainerCommand,
    started_by: &str,
    once: bool,
) -> Result<Start, LaunchError> {
    if client.region().is_none() {
        return Err(LaunchError::NoRegion);
    }
    if once {
        for arn in client.list_tasks(cluster, started_by).await? {
            if let Some(task) = client.describe_task(cluster, &arn).await? {
                return Ok(Start::AlreadyStarted(task));
            }
        }
    }
    let token = once.then_some(started_by);
    let arn = client
        .run_task(cluster, params, command, started_by, token)
        .await?;
    Ok(Start::Started(arn))
}

/// Polls DescribeTasks every `interval` until the task has stopped.
pub async fn wait(
    client: &Ecs,
    cluster: &str,
    arn: &str,
    interval: Duration,
) -> Result<Task, LaunchError> {
    loop {
        match client.describe_task(cluster, arn).await? {
            Some(t) if t.has_stopped() => return Ok(t),
            Some(_) => {}
            None => {
                return Err(LaunchError::Api {
                    operation: "DescribeTasks",
                    subject: arn.to_string(),
                    code: Some("MISSING".to_string()),
                    message: "the task disappeared".to_string(),
                });
            }
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_network_is_the_rules() {
        let mut params = EcsTarget {
            task_definition_arn: "td".into(),
            task_count: 1,
            launch_type: Some("FARGATE".into()),
            platform_version: None,
            subnets: vec![],
            security_groups: vec![],
            assign_public_ip: None,
        };
        assert_eq!(network_configuration(&params).ok(), Some(None));
        params.subnets = vec!["subnet-1".into()];
        params.security_groups = vec!["sg-1".into()];
        params.assign_public_ip = Some(false);
        let vpc = network_configuration(&params)
            .ok()
            .flatten()
            .and_then(|n| n.awsvpc_configuration().cloned());
        let vpc = vpc.expect("an awsvpc configuration");
        assert_eq!(vpc.subnets(), ["subnet-1"]);
        assert_eq!(vpc.security_groups(), ["sg-1"]);
        assert_eq!(vpc.assign_public_ip(), Some(&AssignPublicIp::Disabled));
    }
}
