//! Webhook payloads, typed: only the fields cronbridge uses, so a payload GitHub extends (or a
//! GHES version that lacks an unrelated field) still reads.

use serde::Deserialize;
use std::path::Path;

/// The payload at `$GITHUB_EVENT_PATH` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The file is missing or unreadable: the runner or whoever set the variable is wrong.
    #[error("reading the event payload {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The JSON is not the event `GITHUB_EVENT_NAME` says it is.
    #[error("the event payload {path} is not a `{event}` event: {source}")]
    Parse {
        path: String,
        event: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// A `pull_request` event.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequestEvent {
    /// `opened`, `synchronize`, `reopened`, `edited`, `closed`, …
    pub action: String,
    pub number: u64,
    pub pull_request: PullRequest,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub html_url: Option<String>,
    pub head: Branch,
    pub base: Branch,
}

/// One side of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct Branch {
    /// The commit: for `base`, the tip of the target branch when the event fired.
    pub sha: String,
    #[serde(rename = "ref")]
    pub name: String,
    /// `null` when the fork the pull request came from was deleted.
    pub repo: Option<Repository>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Repository {
    pub id: u64,
    pub full_name: String,
}

impl PullRequestEvent {
    /// Whether the pull request comes from another repository, whose token is read-only.
    /// `head.repo.fork` cannot tell: it is true for a same-repository pull request when the
    /// repository itself is a fork. Compare the two repositories instead.
    pub fn is_from_fork(&self) -> bool {
        match (&self.pull_request.head.repo, &self.pull_request.base.repo) {
            (Some(head), Some(base)) => head.id != base.id || head.full_name != base.full_name,
            // A deleted head repository was a fork; a missing base repository never happens.
            _ => true,
        }
    }
}

/// Reads a payload as the event named `event`.
pub fn read<T: serde::de::DeserializeOwned>(
    path: &Path,
    event: &'static str,
) -> Result<T, EventError> {
    let text = std::fs::read_to_string(path).map_err(|source| EventError::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| EventError::Parse {
        path: path.display().to_string(),
        event,
        source,
    })
}

/// Reads a `pull_request` payload.
pub fn read_pull_request(path: &Path) -> Result<PullRequestEvent, EventError> {
    read(path, "pull_request")
}

/// An `issue_comment` event: a comment on an issue or a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueCommentEvent {
    /// `created`, `edited` or `deleted`.
    pub action: String,
    pub issue: Issue,
    pub comment: Comment,
    pub repository: CommentRepository,
}

/// The issue (or pull request) commented on.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    /// Present when the issue is a pull request.
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub html_url: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: User,
    /// Shown for context only: who may run is decided by the permission API, never by this.
    #[serde(default)]
    pub author_association: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl User {
    /// Bots (apps, `github-actions[bot]` — cronbridge itself) never give commands.
    pub fn is_bot(&self) -> bool {
        self.kind.eq_ignore_ascii_case("Bot") || self.login.to_ascii_lowercase().ends_with("[bot]")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommentRepository {
    pub full_name: String,
    /// Where manual runs read batches from.
    pub default_branch: String,
}

impl IssueCommentEvent {
    pub fn is_pull_request(&self) -> bool {
        self.issue.pull_request.is_some()
    }
}

/// Reads an `issue_comment` payload.
pub fn read_issue_comment(path: &Path) -> Result<IssueCommentEvent, EventError> {
    read(path, "issue_comment")
}

/// Whether text is a full git object id (SHA-1 or SHA-256), and so cannot be mistaken for an
/// option or a revision expression when it is passed to git.
pub fn is_object_id(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PullRequestEvent {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/events")
            .join(name);
        read_pull_request(&path).unwrap()
    }

    #[test]
    fn reads_real_payloads() {
        let e = fixture("pull_request.opened.json");
        assert_eq!((e.action.as_str(), e.number), ("opened", 2));
        assert_eq!(
            e.pull_request.base.sha,
            "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
        );
        assert!(!e.is_from_fork());
    }

    #[test]
    fn forks_are_told_by_repository_not_by_the_fork_flag() {
        // Both repositories here are forks (`head.repo.fork` is true), yet the PR is not.
        assert!(!fixture("pull_request.synchronize.same_repo.json").is_from_fork());
        assert!(fixture("pull_request.opened.fork.json").is_from_fork());
        assert!(fixture("pull_request.synchronize.fork.json").is_from_fork());
    }

    #[test]
    fn reads_comment_payloads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github/events/issue_comment.created.pull_request.json");
        let e = read_issue_comment(&path).unwrap();
        assert_eq!((e.action.as_str(), e.issue.number), ("created", 3));
        assert!(e.is_pull_request());
        assert_eq!(e.comment.body.as_deref(), Some("/build"));
        assert_eq!(e.repository.default_branch, "master");
        assert!(!e.comment.user.is_bot());
        let bot = User {
            login: "github-actions[bot]".into(),
            kind: "User".into(),
        };
        assert!(bot.is_bot());
    }

    #[test]
    fn object_ids_only() {
        assert!(is_object_id("f95f852bd8fca8fcc58a9a2d6c842781e32a215e"));
        assert!(!is_object_id("--output=/tmp/x"));
        assert!(!is_object_id("HEAD~1"));
    }
}
