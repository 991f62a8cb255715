//! The AWS side of a manual run: the [`Launcher`] that sends a decided [`Launch`] to Step
//! Functions or ECS, connecting to the one it needs.

use super::eventbridge::{ClientOptions, Connection};
use super::{ecs, sfn};
use crate::manual::flow::{Begun, Launch, LaunchError, Launcher};

/// Starts runs in the region of `connection`.
#[derive(Debug, Clone, Default)]
pub struct Aws {
    pub connection: Connection,
    pub options: ClientOptions,
}

impl Aws {
    /// The standard chain and options, in `region` when the settings name one.
    pub fn in_region(region: Option<String>) -> Aws {
        Aws {
            connection: Connection {
                region,
                ..Connection::default()
            },
            options: ClientOptions::default(),
        }
    }
}

impl Launcher for Aws {
    async fn launch(&self, launch: &Launch) -> Result<Begun, LaunchError> {
        match launch {
            Launch::StepFunctions {
                state_machine_arn,
                name,
                input,
            } => {
                let client = sfn::StepFunctions::connect(&self.connection, &self.options).await;
                Ok(
                    match sfn::start_once(&client, state_machine_arn, name, input).await? {
                        sfn::Start::Started(arn) => Begun::New(arn),
                        sfn::Start::AlreadyStarted(e) => Begun::Existing {
                            arn: e.arn,
                            status: e.status,
                        },
                    },
                )
            }
            Launch::Ecs {
                cluster_arn,
                parameters,
                command,
                started_by,
                once,
            } => {
                let client = ecs::Ecs::connect(&self.connection, &self.options).await;
                let start =
                    ecs::start(&client, cluster_arn, parameters, command, started_by, *once)
                        .await?;
                Ok(match start {
                    ecs::Start::Started(arn) => Begun::New(arn),
                    ecs::Start::AlreadyStarted(task) => Begun::Existing {
                        arn: task.arn,
                        status: task.last_status,
                    },
                })
            }
        }
    }
}
