//! The edge to AWS: thin clients, one method per API call, with context and retry policy —
//! EventBridge (`eventbridge`), Step Functions (`sfn`) and ECS (`ecs`) — and the EventBridge
//! side of a deploy (`sync`: read the live rules, apply a plan) and of an import (`import`:
//! read every rule with its targets). What to deploy is decided in
//! the pure `deploy` model.

pub mod ecs;
pub mod eventbridge;
pub mod import;
pub mod launch;
pub mod scheduler;
pub mod scheduler_sync;
pub mod sfn;
pub mod sync;

// The SDKs share these types; EventBridge's re-export is as good as any.
use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};

/// What an SDK call's failure was, for a person: AWS's code and message when AWS answered;
/// else what kept the call from an answer (the innermost cause, not the SDK's debug dump),
/// with where it went and which credentials it could use, so the fix is clear.
pub(crate) fn sdk_failure<E, R>(err: &SdkError<E, R>) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let (Some(code), Some(message)) = (err.code(), err.message()) {
        return (Some(code.to_string()), format!("{code}: {message}"));
    }
    let mut innermost: &dyn std::error::Error = err;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    let cause = innermost.to_string();
    let var = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| format!("`{v}` (AWS_ENDPOINT_URL)"))
        .unwrap_or_else(|| "the region's AWS endpoint".to_string());
    let credentials: Vec<&str> = [
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]
    .into_iter()
    .filter(|k| var(k))
    .collect();
    let credentials = if credentials.is_empty() {
        "none in the environment (so the profile file or the instance role)".to_string()
    } else {
        credentials.join(", ")
    };
    let message = match err {
        SdkError::ConstructionFailure(_) => format!(
            "the request could not be made: {cause}; check the credentials (from: {credentials}) and the region"
        ),
        SdkError::TimeoutError(_) => {
            format!("no answer from {endpoint} in time; check the network and the endpoint")
        }
        SdkError::DispatchFailure(_) => format!(
            "could not reach {endpoint}: {cause}; check the network, the region and the endpoint (credentials from: {credentials})"
        ),
        _ => format!("an answer that could not be read from {endpoint}: {cause}"),
    };
    (None, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_eventbridge::operation::list_rules::ListRulesError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    // A refused connection printed the SDK's debug dump (`DispatchFailure(DispatchFailure {
    // source: ConnectorError …`).
    #[test]
    fn a_failed_connection_says_where_and_why_in_one_sentence() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let err: SdkError<ListRulesError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let (code, message) = sdk_failure(&err);
        assert_eq!(code, None);
        assert!(message.starts_with("could not reach "), "{message}");
        assert!(message.contains("Connection refused"), "{message}");
        assert!(message.contains("check the network"), "{message}");
        assert!(
            !message.contains("DispatchFailure") && !message.contains('{'),
            "{message}"
        );
    }
}
