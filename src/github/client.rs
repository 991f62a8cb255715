//! A thin client for the few GitHub REST calls cronbridge makes: one method per call, each
//! naming the call in its errors. octocrab does the HTTP; its base URL is `GITHUB_API_URL`, so
//! GitHub Enterprise Server and a local test server work unchanged.

use super::env::{Token, is_repository_name};
use http::StatusCode;
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Comments are listed 100 to a page (GitHub's maximum); this many pages is 10,000 comments,
/// far past any real pull request, and stops a server that links pages in a circle.
const MAX_PAGES: usize = 100;

/// A GitHub API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The client could not be set up from the environment (a bad `GITHUB_API_URL`).
    #[error("GITHUB_API_URL `{url}` is not usable: {message}")]
    Setup { url: String, message: String },
    /// The token may not do this: 401, 403 or 404 (GitHub answers 404 to hide what a token
    /// cannot see). Pull requests from forks get a read-only token, so this is expected there.
    #[error("{operation}: GitHub answered {status}: {message}")]
    Denied {
        operation: &'static str,
        status: u16,
        message: String,
    },
    /// Any other answer from GitHub (a 5xx after retries, a 422).
    #[error("{operation}: GitHub answered {status}: {message}")]
    Api {
        operation: &'static str,
        status: u16,
        message: String,
    },
    /// No answer, or one that is not the JSON the call returns.
    #[error("{operation}: {message}")]
    Transport {
        operation: &'static str,
        message: String,
    },
}

impl ClientError {
    /// Whether the token lacks the permission (the fork case, or missing `permissions:`).
    pub fn is_denied(&self) -> bool {
        matches!(self, ClientError::Denied { .. })
    }

    fn from_octocrab(operation: &'static str, err: octocrab::Error) -> ClientError {
        match err {
            octocrab::Error::GitHub { source, .. } => {
                let status = source.status_code.as_u16();
                let message = source.message.clone();
                if matches!(
                    source.status_code,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) {
                    ClientError::Denied {
                        operation,
                        status,
                        message,
                    }
                } else {
                    ClientError::Api {
                        operation,
                        status,
                        message,
                    }
                }
            }
            // octocrab's own Display of other errors can include a backtrace; keep one line.
            other => ClientError::Transport {
                operation,
                message: other
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or("request failed")
                    .to_string(),
            },
        }
    }
}

/// An issue or pull request comment: only the fields cronbridge reads.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct IssueComment {
    pub id: u64,
    pub html_url: String,
    #[serde(default)]
    pub body: Option<String>,
    /// RFC 3339, e.g. `2011-04-14T16:00:49Z`.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub user: Option<CommentAuthor>,
}

/// Who wrote a comment.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CommentAuthor {
    pub login: String,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A pull request as the commit-to-pulls listing returns it: only the fields cronbridge reads.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PullRequestRef {
    pub number: u64,
    pub html_url: String,
    pub state: String,
    #[serde(default)]
    pub merged_at: Option<String>,
}

#[derive(Serialize)]
struct BodyRequest<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct PageRequest {
    per_page: u32,
}

/// The client for one repository.
#[derive(Debug, Clone)]
pub struct GitHub {
    octocrab: Octocrab,
    /// `owner/name`, checked to hold only characters that are safe in a path.
    repository: String,
    /// Scheme and authority of the API: pagination links elsewhere are not followed, so the
    /// token never goes to another host.
    origin: String,
}

impl GitHub {
    /// A client for `repository` (`owner/name`) at `api_url`, authenticated with `token`.
    pub fn new(api_url: &str, token: &Token, repository: &str) -> Result<GitHub, ClientError> {
        let setup = |message: String| ClientError::Setup {
            url: api_url.to_string(),
            message,
        };
        if !is_repository_name(repository) {
            return Err(setup(format!("`{repository}` is not `owner/name`")));
        }
        let uri: http::Uri = api_url
            .parse()
            .map_err(|e: http::uri::InvalidUri| setup(e.to_string()))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(setup("it needs a scheme and a host".to_string()));
        };
        let origin = format!("{scheme}://{authority}");
        // Without timeouts a hung connection would hold the job until Actions' own limit.
        let octocrab = Octocrab::builder()
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .set_write_timeout(Some(Duration::from_secs(60)))
            .base_uri(uri.clone())
            .map_err(|e| setup(first_line(&e.to_string())))?
            .personal_token(token.expose().to_string())
            .build()
            .map_err(|e| setup(first_line(&e.to_string())))?;
        Ok(GitHub {
            octocrab,
            repository: repository.to_string(),
            origin,
        })
    }

    /// `GET /repos/{owner}/{repo}/issues/{issue}/comments`, every page (following `Link`).
    pub async fn list_issue_comments(&self, issue: u64) -> Result<Vec<IssueComment>, ClientError> {
        const OP: &str = "listing the pull request's comments";
        let route = format!("/repos/{}/issues/{issue}/comments", self.repository);
        let mut page: octocrab::Page<IssueComment> = self
            .octocrab
            .get(&route, Some(&PageRequest { per_page: 100 }))
            .await
            .map_err(|e| ClientError::from_octocrab(OP, e))?;
        let mut comments = page.take_items();
        for _ in 1..MAX_PAGES {
            let Some(next) = page.next.take() else {
                return Ok(comments);
            };
            let next_origin = match (next.scheme_str(), next.authority()) {
                (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
                // A relative link stays on the API host.
                _ => self.origin.clone(),
            };
            if next_origin != self.origin {
                return Err(ClientError::Transport {
                    operation: OP,
                    message: format!(
                        "the next page is on another host ({next_origin}, not {}); not following it",
                        self.origin
                    ),
                });
            }
            page = self
                .octocrab
                .get(next.to_string(), None::<&()>)
                .await
                .map_err(|e| ClientError::from_octocrab(OP, e))?;
            comments.append(&mut page.take_items());
        }
        Err(ClientError::Transport {
            operation: OP,
            message: format!("more than {MAX_PAGES} pages of comments"),
        })
    }

    /// `POST /repos/{owner}/{repo}/issues/{issue}/comments`
    pub async fn create_issue_comment(
        &self,
        issue: u64,
        body: &str,
    ) -> Result<IssueComment, ClientError> {
        let route = format!("/repos/{}/issues/{issue}/comments", self.repository);
        self.octocrab
            .post(route, Some(&BodyRequest { body }))
            .await
            .map_err(|e| ClientError::from_octocrab("creating the pull request comment", e))
    }

    /// `PATCH /repos/{owner}/{repo}/issues/comments/{id}`
    pub async fn update_issue_comment(
        &self,
        id: u64,
        body: &str,
    ) -> Result<IssueComment, ClientError> {
        let route = format!("/repos/{}/issues/comments/{id}", self.repository);
        self.octocrab
            .patch(route, Some(&BodyRequest { body }))
            .await
            .map_err(|e| ClientError::from_octocrab("updating the pull request comment", e))
    }

    /// `GET /repos/{owner}/{repo}/commits/{sha}/pulls`: the pull requests a commit belongs to
    /// (after a merge, the one that was merged). The first page is enough for that.
    pub async fn list_pull_requests_for_commit(
        &self,
        sha: &str,
    ) -> Result<Vec<PullRequestRef>, ClientError> {
        const OP: &str = "listing the pull requests of a commit";
        if !super::event::is_object_id(sha) {
            return Err(ClientError::Transport {
                operation: OP,
                message: format!("`{sha}` is not a commit id"),
            });
        }
        let route = format!("/repos/{}/commits/{sha}/pulls", self.repository);
        self.octocrab
            .get(route, Some(&PageRequest { per_page: 100 }))
            .await
            .map_err(|e| ClientError::from_octocrab(OP, e))
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}
