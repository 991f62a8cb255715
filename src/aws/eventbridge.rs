//! The edge to EventBridge: a thin client, one method per API call, on the AWS SDK with its
//! standard retry mode (bounded attempts, backoff with jitter, throttling classified by the
//! SDK), and an interceptor that counts calls and attempts by operation.

use crate::deploy::CallStats;
use crate::deploy::desired::{EcsTarget, Rule, Target};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_eventbridge::config::retry::RetryConfig;
use aws_sdk_eventbridge::config::timeout::TimeoutConfig;
use aws_sdk_eventbridge::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::types;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A failed API call, with the operation and what AWS said.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} {subject}: {message}")]
pub struct ApiError {
    pub operation: &'static str,
    /// The rule (or resource) the call was about.
    pub subject: String,
    /// AWS's error code (`ThrottlingException`, `AccessDeniedException`…), when it sent one.
    pub code: Option<String>,
    pub message: String,
}

pub(crate) fn api_error<E, R>(
    operation: &'static str,
    subject: &str,
    err: SdkError<E, R>,
) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (code, message) = super::sdk_failure(&err);
    ApiError {
        operation,
        subject: subject.to_string(),
        code,
        message,
    }
}

/// Counts calls (from the client's methods) and attempts (from the SDK, retries included).
/// Every SDK shares the interceptor trait, so the Scheduler client counts with it too.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counter(pub(crate) Arc<Mutex<CallStats>>);

impl Counter {
    pub(crate) fn bump(&self, op: &str, attempt: bool) {
        if let Ok(mut stats) = self.0.lock() {
            let op = op.to_string();
            let c = stats.0.entry(op).or_default();
            if attempt {
                c.attempts += 1;
            } else {
                c.calls += 1;
            }
        }
    }
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "cronbridge-call-counter"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_eventbridge::error::BoxError> {
        // The operation's metadata is in the bag once the request is built.
        self.bump(
            cfg.load::<Metadata>().map_or("unknown", Metadata::name),
            true,
        );
        Ok(())
    }
}

/// How the client retries and waits.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Attempts per call, the first included (standard retry mode).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Limit on one attempt.
    pub attempt_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

/// Where to connect: the SDK's standard chain (environment, profile, web identity;
/// `AWS_ENDPOINT_URL` included), with the settings' region when they name one.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub region: Option<String>,
    /// Overrides the endpoint (tests); `AWS_ENDPOINT_URL` does the same from outside.
    pub endpoint_url: Option<String>,
    /// Fixed credentials (tests against an emulator); else the standard chain.
    pub static_credentials: Option<(String, String)>,
}

impl Connection {
    /// The SDK configuration every cronbridge client starts from: the standard chain
    /// (environment, profile, web identity; `AWS_ENDPOINT_URL`), unless given here.
    pub async fn load(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        if let Some((key, secret)) = &self.static_credentials {
            loader = loader.credentials_provider(Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "cronbridge-static",
            ));
        }
        loader.load().await
    }
}

impl ClientOptions {
    /// The SDK's standard retry mode, bounded: throttling and transient errors back off and
    /// retry; nothing is retried by hand.
    pub fn retry(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts.max(1))
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    pub fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(self.attempt_timeout)
            .build()
    }
}

/// EventBridge on one event bus, for reading only: it has no method that writes. The
/// pull-request path and `plan` hold one of these and nothing else, so they cannot change AWS
/// whatever credentials they run with.
#[derive(Debug, Clone)]
pub struct ReadOnly {
    inner: Client,
    bus: String,
    counter: Counter,
    region: Option<String>,
}

/// The full client: a [`ReadOnly`] reader (through `Deref`, so every read is on both) with the
/// calls that write.
#[derive(Debug, Clone)]
pub struct EventBridge {
    reader: ReadOnly,
}

impl std::ops::Deref for EventBridge {
    type Target = ReadOnly;

    fn deref(&self) -> &ReadOnly {
        &self.reader
    }
}

impl EventBridge {
    /// Loads the SDK configuration and builds the client.
    pub async fn connect(
        connection: &Connection,
        bus: &str,
        options: &ClientOptions,
    ) -> EventBridge {
        EventBridge {
            reader: ReadOnly::connect(connection, bus, options).await,
        }
    }
}

impl ReadOnly {
    /// Loads the SDK configuration and builds the reader.
    pub async fn connect(connection: &Connection, bus: &str, options: &ClientOptions) -> ReadOnly {
        let sdk = connection.load().await;
        let counter = Counter::default();
        let conf = aws_sdk_eventbridge::config::Builder::from(&sdk)
            .retry_config(options.retry())
            .timeout_config(options.timeouts())
            .interceptor(counter.clone())
            .build();
        ReadOnly {
            inner: Client::from_conf(conf),
            bus: bus.to_string(),
            region: sdk.region().map(ToString::to_string),
            counter,
        }
    }

    /// The region the SDK resolved, if any: without one nothing can be called.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn bus(&self) -> &str {
        &self.bus
    }

    /// Calls made so far.
    pub fn stats(&self) -> CallStats {
        self.counter.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The same client on another event bus.
    pub fn on_bus(&self, bus: &str) -> ReadOnly {
        ReadOnly {
            bus: bus.to_string(),
            ..self.clone()
        }
    }

    /// The names of every event bus of the account and region (every page).
    pub async fn list_event_buses(&self) -> Result<Vec<String>, ApiError> {
        let mut names = Vec::new();
        let mut token = None;
        loop {
            self.counter.bump("ListEventBuses", false);
            let out = self
                .inner
                .list_event_buses()
                .limit(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| api_error("ListEventBuses", "", e))?;
            names.extend(
                out.event_buses()
                    .iter()
                    .filter_map(|b| b.name().map(str::to_string)),
            );
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(names);
            }
        }
    }

    /// One page of the bus's rules.
    pub async fn list_rules(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<LiveSummary>, Option<String>), ApiError> {
        self.counter.bump("ListRules", false);
        let out = self
            .inner
            .list_rules()
            .event_bus_name(&self.bus)
            .limit(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| api_error("ListRules", &self.bus, e))?;
        let rules = out.rules().iter().map(LiveSummary::from_sdk).collect();
        Ok((rules, out.next_token().map(str::to_string)))
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

    /// All targets of a rule (every page).
    pub async fn list_targets(&self, rule: &str) -> Result<Vec<Target>, ApiError> {
        let mut targets = Vec::new();
        let mut token = None;
        loop {
            self.counter.bump("ListTargetsByRule", false);
            let out = self
                .inner
                .list_targets_by_rule()
                .rule(rule)
                .event_bus_name(&self.bus)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| api_error("ListTargetsByRule", rule, e))?;
            targets.extend(out.targets().iter().map(target_from_sdk));
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(targets);
            }
        }
    }
}

impl EventBridge {
    /// The same client on another event bus.
    pub fn on_bus(&self, bus: &str) -> EventBridge {
        EventBridge {
            reader: self.reader.on_bus(bus),
        }
    }

    /// Creates or replaces a rule with its complete definition in state `state`: PutRule
    /// resets every argument it is not given. Tags go along (EventBridge applies them when it
    /// creates the rule).
    pub async fn put_rule(&self, rule: &Rule, state: &str) -> Result<String, ApiError> {
        self.counter.bump("PutRule", false);
        let tags = rule
            .tags
            .iter()
            .map(|(k, v)| types::Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error("PutRule", &rule.name, &e))?;
        let out = self
            .inner
            .put_rule()
            .name(&rule.name)
            .event_bus_name(&self.bus)
            .set_schedule_expression(rule.schedule_expression.clone())
            .set_event_pattern(rule.event_pattern.clone())
            .state(types::RuleState::from(state))
            .set_description(rule.description.clone())
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| api_error("PutRule", &rule.name, e))?;
        Ok(out.rule_arn().unwrap_or_default().to_string())
    }

    /// Puts targets (a target with an existing id is replaced in place).
    pub async fn put_targets(&self, rule: &str, targets: &[Target]) -> Result<(), ApiError> {
        self.counter.bump("PutTargets", false);
        let sdk_targets = targets
            .iter()
            .map(target_to_sdk)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error("PutTargets", rule, &e))?;
        let out = self
            .inner
            .put_targets()
            .rule(rule)
            .event_bus_name(&self.bus)
            .set_targets(Some(sdk_targets))
            .send()
            .await
            .map_err(|e| api_error("PutTargets", rule, e))?;
        failed_entries(
            "PutTargets",
            rule,
            out.failed_entries()
                .iter()
                .map(|f| (f.error_code(), f.error_message())),
        )
    }

    pub async fn remove_targets(&self, rule: &str, ids: &[String]) -> Result<(), ApiError> {
        self.counter.bump("RemoveTargets", false);
        let out = self
            .inner
            .remove_targets()
            .rule(rule)
            .event_bus_name(&self.bus)
            .set_ids(Some(ids.to_vec()))
            .send()
            .await
            .map_err(|e| api_error("RemoveTargets", rule, e))?;
        failed_entries(
            "RemoveTargets",
            rule,
            out.failed_entries()
                .iter()
                .map(|f| (f.error_code(), f.error_message())),
        )
    }

    pub async fn delete_rule(&self, rule: &str) -> Result<(), ApiError> {
        self.counter.bump("DeleteRule", false);
        self.inner
            .delete_rule()
            .name(rule)
            .event_bus_name(&self.bus)
            .send()
            .await
            .map_err(|e| api_error("DeleteRule", rule, e))?;
        Ok(())
    }

    pub async fn tag_resource(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        self.counter.bump("TagResource", false);
        let tags = tags
            .iter()
            .map(|(k, v)| types::Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error("TagResource", arn, &e))?;
        self.inner
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| api_error("TagResource", arn, e))?;
        Ok(())
    }

    pub async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ApiError> {
        self.counter.bump("UntagResource", false);
        self.inner
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(|e| api_error("UntagResource", arn, e))?;
        Ok(())
    }
}

pub(crate) fn build_error(
    operation: &'static str,
    subject: &str,
    e: &dyn std::error::Error,
) -> ApiError {
    ApiError {
        operation,
        subject: subject.to_string(),
        code: None,
        message: format!("internal error building the request: {e}"),
    }
}

/// PutTargets and RemoveTargets answer 200 with per-entry failures.
fn failed_entries<'a>(
    operation: &'static str,
    rule: &str,
    entries: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> Result<(), ApiError> {
    let failures: Vec<String> = entries
        .map(|(code, message)| format!("{}: {}", code.unwrap_or("error"), message.unwrap_or("")))
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(ApiError {
            operation,
            subject: rule.to_string(),
            code: None,
            message: failures.join("; "),
        })
    }
}

/// A rule as ListRules returns it (no tags or targets yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSummary {
    pub name: String,
    pub arn: String,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    pub state: String,
    pub description: Option<String>,
}

impl LiveSummary {
    fn from_sdk(r: &types::Rule) -> LiveSummary {
        LiveSummary {
            name: r.name().unwrap_or_default().to_string(),
            arn: r.arn().unwrap_or_default().to_string(),
            schedule_expression: r.schedule_expression().map(str::to_string),
            event_pattern: r.event_pattern().map(str::to_string),
            state: r
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            description: r.description().map(str::to_string),
        }
    }
}

fn target_from_sdk(t: &types::Target) -> Target {
    let retry = t.retry_policy();
    let u32_of = |v: Option<i32>| v.and_then(|x| u32::try_from(x).ok());
    Target {
        id: t.id().to_string(),
        arn: t.arn().to_string(),
        role_arn: t.role_arn().map(str::to_string),
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

fn target_to_sdk(t: &Target) -> Result<types::Target, aws_sdk_eventbridge::error::BuildError> {
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
                                .set_assign_public_ip(e.assign_public_ip.map(|on| {
                                    types::AssignPublicIp::from(if on {
                                        "ENABLED"
                                    } else {
                                        "DISABLED"
                                    })
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
        .id(&t.id)
        .arn(&t.arn)
        .set_role_arn(t.role_arn.clone())
        .set_input(t.input.clone())
        .set_retry_policy(retry)
        .set_dead_letter_config(
            t.dead_letter_arn
                .clone()
                .map(|arn| types::DeadLetterConfig::builder().arn(arn).build()),
        )
        .set_ecs_parameters(ecs)
        .build()
}
