//! The edge to Step Functions, for manual runs: a thin client (one method per call, on the
//! SDK's standard chain with `AWS_ENDPOINT_URL` and the same retry mode as the EventBridge
//! client) and the start-at-most-once logic on it.

use super::eventbridge::{ClientOptions, Connection};
use crate::manual::flow::LaunchError;
use crate::manual::request as manual;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::{ProvideErrorMetadata, SdkError};
use jiff::Timestamp;
use std::time::Duration;

pub(super) fn api_error<E, R>(
    operation: &'static str,
    subject: &str,
    err: &SdkError<E, R>,
) -> LaunchError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (code, message) = super::sdk_failure(err);
    LaunchError::Api {
        operation,
        subject: subject.to_string(),
        code,
        message,
    }
}

/// An execution as DescribeExecution reports it: the fields cronbridge shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub status: String,
    pub start_date: Option<Timestamp>,
    pub stop_date: Option<Timestamp>,
    pub input: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Execution {
    /// Whether the execution has ended (a redrive can still restart a failed one, but that is
    /// a new decision by someone).
    pub fn has_ended(&self) -> bool {
        !matches!(self.status.as_str(), "RUNNING" | "PENDING_REDRIVE")
    }

    pub fn succeeded(&self) -> bool {
        self.status == "SUCCEEDED"
    }
}

fn timestamp(dt: &aws_sdk_sfn::primitives::DateTime) -> Option<Timestamp> {
    Timestamp::from_second(dt.secs()).ok()
}

/// The client: Step Functions in one region.
#[derive(Debug, Clone)]
pub struct StepFunctions {
    inner: Client,
    region: Option<String>,
}

impl StepFunctions {
    /// Loads the SDK configuration (the same chain and options as `EventBridge::connect`) and
    /// builds the client.
    pub async fn connect(connection: &Connection, options: &ClientOptions) -> StepFunctions {
        let sdk = connection.load().await;
        let conf = aws_sdk_sfn::config::Builder::from(&sdk)
            .retry_config(options.retry())
            .timeout_config(options.timeouts())
            .build();
        StepFunctions {
            inner: Client::from_conf(conf),
            region: sdk.region().map(ToString::to_string),
        }
    }

    /// The region the SDK resolved, if any: without one nothing can be called.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// StartExecution. `Ok(None)`: an execution of that name already exists (with another
    /// input, or already ended) — Step Functions started nothing.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: &str,
        input: &str,
    ) -> Result<Option<String>, LaunchError> {
        match self
            .inner
            .start_execution()
            .state_machine_arn(state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.execution_arn().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_already_exists()) =>
            {
                Ok(None)
            }
            Err(e) => Err(api_error("StartExecution", state_machine_arn, &e)),
        }
    }

    /// DescribeExecution; `Ok(None)` when there is no such execution.
    pub async fn describe_execution(&self, arn: &str) -> Result<Option<Execution>, LaunchError> {
        match self
            .inner
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
        {
            Ok(out) => Ok(Some(Execution {
                arn: out.execution_arn().to_string(),
                status: out.status().as_str().to_string(),
                start_date: timestamp(out.start_date()),
                stop_date: out.stop_date().and_then(timestamp),
                input: out.input().map(str::to_string),
                error: out.error().map(str::to_string),
                cause: out.cause().map(str::to_string),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_does_not_exist()) =>
            {
                Ok(None)
            }
            Err(e) => Err(api_error("DescribeExecution", arn, &e)),
        }
    }
}

/// What a start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new execution, with its ARN.
    Started(String),
    /// An execution of this name existed already: this request was handled before (a
    /// redelivered event, a re-run job). Nothing new was started.
    AlreadyStarted(Execution),
}

/// Starts `name` unless an execution of that name exists. StartExecution alone cannot tell:
/// for a running execution with the same name and input it answers success with the old ARN,
/// so the execution is looked up first; a start that still finds one (two deliveries at
/// once) answers ExecutionAlreadyExists or the old ARN, and either way one execution exists.
pub async fn start_once(
    client: &StepFunctions,
    state_machine_arn: &str,
    name: &str,
    input: &str,
) -> Result<Start, LaunchError> {
    if client.region().is_none() {
        return Err(LaunchError::NoRegion);
    }
    let expected = manual::execution_arn(state_machine_arn, name);
    if let Some(arn) = &expected
        && let Some(existing) = client.describe_execution(arn).await?
    {
        return Ok(Start::AlreadyStarted(existing));
    }
    match client
        .start_execution(state_machine_arn, name, input)
        .await?
    {
        Some(arn) => Ok(Start::Started(arn)),
        None => {
            let arn = expected.unwrap_or_default();
            match client.describe_execution(&arn).await? {
                Some(existing) => Ok(Start::AlreadyStarted(existing)),
                None => Err(LaunchError::Api {
                    operation: "StartExecution",
                    subject: state_machine_arn.to_string(),
                    code: Some("ExecutionAlreadyExists".to_string()),
                    message: format!(
                        "an execution named `{name}` exists, but it cannot be described"
                    ),
                }),
            }
        }
    }
}

/// Polls DescribeExecution every `interval` until the execution ends.
pub async fn wait(
    client: &StepFunctions,
    arn: &str,
    interval: Duration,
) -> Result<Execution, LaunchError> {
    loop {
        match client.describe_execution(arn).await? {
            Some(e) if e.has_ended() => return Ok(e),
            Some(_) => {}
            None => {
                return Err(LaunchError::Api {
                    operation: "DescribeExecution",
                    subject: arn.to_string(),
                    code: Some("ExecutionDoesNotExist".to_string()),
                    message: "the execution disappeared".to_string(),
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
    fn only_running_executions_have_not_ended() {
        let e = |status: &str| Execution {
            arn: String::new(),
            status: status.to_string(),
            start_date: None,
            stop_date: None,
            input: None,
            error: None,
            cause: None,
        };
        assert!(!e("RUNNING").has_ended());
        assert!(!e("PENDING_REDRIVE").has_ended());
        for s in ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] {
            assert!(e(s).has_ended());
            assert_eq!(e(s).succeeded(), s == "SUCCEEDED");
        }
    }
}
