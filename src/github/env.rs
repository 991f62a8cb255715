//! The GitHub Actions environment: the variables a step is given, the token, and the two files a
//! step writes its results to (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
//! Reading is a pure function of a variable lookup, so tests need no process environment.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The Actions environment is missing something or holds something unusable: the workflow
/// (or whoever runs `cronbridge github` by hand) must fix it, not cronbridge.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// A variable Actions always sets is missing: not running in Actions.
    #[error(
        "{0} is not set; `cronbridge github` runs inside GitHub Actions (set the GITHUB_* variables to run it elsewhere)"
    )]
    Missing(&'static str),
    /// A variable is set to something unusable.
    #[error("{name} is not usable: {message}")]
    Invalid { name: &'static str, message: String },
    /// Writing the step summary or the outputs file failed.
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A GitHub token. It is never printed: `Debug` shows `***` and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl Token {
    /// Checks that the text can travel in an HTTP header (the client would panic on a newline)
    /// without ever echoing it: the error names the problem, not the token.
    pub fn new(text: &str) -> Result<Token, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the token is empty".to_string());
        }
        if !text.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the token has spaces or characters outside printable ASCII".to_string());
        }
        Ok(Token(text.to_string()))
    }

    /// The secret itself, for the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a step is told about its run.
#[derive(Debug, Clone)]
pub struct ActionsEnv {
    /// `GITHUB_EVENT_NAME`: `pull_request`, `push`, `issue_comment`, …
    pub event_name: String,
    /// `GITHUB_EVENT_PATH`: the webhook payload.
    pub event_path: PathBuf,
    /// `GITHUB_REPOSITORY`: `owner/name` of the repository the workflow runs in.
    pub repository: String,
    /// `GITHUB_API_URL`, default `https://api.github.com` (GHES: `https://host/api/v3`).
    pub api_url: String,
    /// `GITHUB_SERVER_URL`, default `https://github.com`: where links in comments point.
    pub server_url: String,
    /// `GITHUB_SHA`: the commit the workflow runs on (for `pull_request`, the test merge).
    pub sha: Option<String>,
    /// `GITHUB_RUN_ID`: for a link to the run, whose summary has the full report.
    pub run_id: Option<String>,
    /// The token: `--token`, else `GITHUB_TOKEN`. Without one nothing is posted.
    pub token: Option<Token>,
    /// `GITHUB_STEP_SUMMARY`: Markdown appended here is the job summary.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: step outputs are appended here.
    pub output: Option<PathBuf>,
}

impl ActionsEnv {
    /// Reads the environment through `var` (a lookup such as `std::env::var`); `token`
    /// overrides `GITHUB_TOKEN`.
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
        token: Option<Token>,
    ) -> Result<ActionsEnv, EnvError> {
        // Actions sets empty strings for some variables outside their context: empty = unset.
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| get(name).ok_or(EnvError::Missing(name));
        let repository = required("GITHUB_REPOSITORY")?;
        if !is_repository_name(&repository) {
            return Err(EnvError::Invalid {
                name: "GITHUB_REPOSITORY",
                message: format!("`{repository}` is not `owner/name`"),
            });
        }
        let url = |name: &'static str, default: &str| -> Result<String, EnvError> {
            let value = get(name).unwrap_or_else(|| default.to_string());
            let value = value.trim().trim_end_matches('/').to_string();
            if value.starts_with("https://") || value.starts_with("http://") {
                Ok(value)
            } else {
                Err(EnvError::Invalid {
                    name,
                    message: format!("`{value}` is not an http(s) URL"),
                })
            }
        };
        let token = match token {
            Some(t) => Some(t),
            None => match get("GITHUB_TOKEN") {
                Some(text) => Some(Token::new(&text).map_err(|message| EnvError::Invalid {
                    name: "GITHUB_TOKEN",
                    message,
                })?),
                None => None,
            },
        };
        Ok(ActionsEnv {
            event_name: required("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(required("GITHUB_EVENT_PATH")?),
            repository,
            api_url: url("GITHUB_API_URL", "https://api.github.com")?,
            server_url: url("GITHUB_SERVER_URL", "https://github.com")?,
            sha: get("GITHUB_SHA"),
            run_id: get("GITHUB_RUN_ID").filter(|id| id.chars().all(|c| c.is_ascii_digit())),
            token,
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: get("GITHUB_OUTPUT").map(PathBuf::from),
        })
    }

    /// Reads the process environment.
    pub fn from_process(token: Option<Token>) -> Result<ActionsEnv, EnvError> {
        ActionsEnv::from_lookup(|name| std::env::var(name).ok(), token)
    }

    /// `owner` and `name` of [`ActionsEnv::repository`].
    pub fn owner_and_name(&self) -> (&str, &str) {
        self.repository
            .split_once('/')
            .unwrap_or((&self.repository, ""))
    }

    /// The run's page, whose job summary holds the full report.
    pub fn run_url(&self) -> Option<String> {
        self.run_id
            .as_ref()
            .map(|id| format!("{}/{}/actions/runs/{id}", self.server_url, self.repository))
    }
}

/// `owner/name` with GitHub's characters only, so it can go into URLs and API routes as is.
pub fn is_repository_name(text: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(text.split_once('/'), Some((owner, name)) if ok(owner) && ok(name))
}

/// Step outputs in the `$GITHUB_OUTPUT` file format. Every value uses the heredoc form
/// (`name<<DELIMITER`), which is safe for any value: the delimiter is chosen so it appears in
/// none of them (a value holding a line equal to the delimiter could set other outputs).
pub fn format_outputs(outputs: &[(&str, String)], seed: u64) -> String {
    let mut n = seed;
    let delimiter = loop {
        let candidate = format!("ghadelimiter_cronbridge_{n:016x}");
        if outputs.iter().all(|(_, v)| !v.contains(&candidate)) {
            break candidate;
        }
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    };
    let mut out = String::new();
    for (name, value) in outputs {
        out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    out
}

/// Appends text to a file Actions reads after the step (summary, outputs).
pub fn append(path: &Path, text: &str) -> Result<(), EnvError> {
    let err = |source| EnvError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)
}

/// A seed for the outputs delimiter that differs between runs.
pub fn delimiter_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const BASE: &[(&str, &str)] = &[
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", "/tmp/event.json"),
        ("GITHUB_REPOSITORY", "octo/cat"),
        ("GITHUB_TOKEN", "ghs_secret123"),
        ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
        ("GITHUB_RUN_ID", "42"),
    ];

    #[test]
    fn reads_the_variables_with_defaults() {
        let env = ActionsEnv::from_lookup(vars(BASE), None).unwrap();
        assert_eq!(env.event_name, "pull_request");
        assert_eq!(env.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(env.server_url, "https://github.com");
        assert_eq!(env.owner_and_name(), ("octo", "cat"));
        assert_eq!(
            env.run_url().as_deref(),
            Some("https://github.com/octo/cat/actions/runs/42")
        );
        assert_eq!(env.token.as_ref().map(Token::expose), Some("ghs_secret123"));
    }

    #[test]
    fn the_token_never_prints() {
        let env = ActionsEnv::from_lookup(vars(BASE), None).unwrap();
        let debug = format!("{env:?}");
        assert!(!debug.contains("secret123"), "{debug}");
        assert!(debug.contains("Token(***)"));
        let bad = Token::new("abc\ndef").unwrap_err();
        assert!(!bad.contains("abc"));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = ActionsEnv::from_lookup(vars(&BASE[1..]), None).unwrap_err();
        assert!(err.to_string().contains("GITHUB_EVENT_NAME"), "{err}");
        let mut bad = BASE.to_vec();
        bad[2] = ("GITHUB_REPOSITORY", "../../etc");
        assert!(ActionsEnv::from_lookup(vars(&bad), None).is_err());
    }

    #[test]
    fn outputs_use_a_delimiter_absent_from_every_value() {
        let hostile = "x\nghadelimiter_cronbridge_0000000000000007\nerrors=0".to_string();
        let text = format_outputs(&[("errors", "1".into()), ("comment-url", hostile)], 7);
        let first = text.lines().next().unwrap();
        let delimiter = first.strip_prefix("errors<<").unwrap();
        assert_ne!(delimiter, "ghadelimiter_cronbridge_0000000000000007");
        assert_eq!(text.matches(delimiter).count(), 4);
        assert!(text.starts_with(&format!("errors<<{delimiter}\n1\n{delimiter}\n")));
    }
}
