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
    /// The token is not accepted at all (401): invalid, expired or revoked.
    #[error(
        "{operation}: GitHub answered 401, the token is invalid or expired ({message}); check the `token` input or GITHUB_TOKEN"
    )]
    Unauthorized {
        operation: &'static str,
        message: String,
    },
    /// The token may not do this: 403 or 404 (GitHub answers 404 to hide what a token
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
                if source.status_code == StatusCode::UNAUTHORIZED {
                    ClientError::Unauthorized { operation, message }
                } else if matches!(
                    source.status_code,
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
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
            // A hung connection surfaces as an opaque "client error (SendRequest)": say so.
            other if timed_out(&other) => ClientError::Transport {
                operation,
                message: "GitHub did not answer in time (the connection timed out)".to_string(),
            },
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
            .map_err(|e| ClientError::from_octocrab("creating the comment", e))
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
            .map_err(|e| ClientError::from_octocrab("updating the comment", e))
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

    /// `GET /repos/{owner}/{repo}/collaborators/{username}/permission`: the user's role on
    /// the repository, whatever the comment's `author_association` claims.
    pub async fn collaborator_permission(
        &self,
        login: &str,
    ) -> Result<CollaboratorPermission, ClientError> {
        const OP: &str = "reading the commenter's permission";
        let login = checked_login(OP, login)?;
        let route = format!(
            "/repos/{}/collaborators/{login}/permission",
            self.repository
        );
        self.octocrab
            .get(route, None::<&()>)
            .await
            .map_err(|e| ClientError::from_octocrab(OP, e))
    }

    /// `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: `Ok(true)` for an active
    /// member, `Ok(false)` when GitHub says there is no membership (404). The Actions token
    /// cannot read organisation teams; the call then fails with `Denied`.
    pub async fn is_team_member(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> Result<bool, ClientError> {
        const OP: &str = "reading a team membership";
        let login = checked_login(OP, login)?;
        let route = format!(
            "/orgs/{}/teams/{}/memberships/{login}",
            encode_segment(org),
            encode_segment(team_slug)
        );
        match self
            .octocrab
            .get::<TeamMembership, _, _>(route, None::<&()>)
            .await
        {
            Ok(m) => Ok(m.state == "active"),
            Err(octocrab::Error::GitHub { source, .. })
                if source.status_code == StatusCode::NOT_FOUND =>
            {
                Ok(false)
            }
            Err(e) => Err(ClientError::from_octocrab(OP, e)),
        }
    }

    /// `POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions`. Adding a reaction
    /// that is already there answers 200 with it, so this is safe to repeat.
    pub async fn react_to_comment(
        &self,
        comment_id: u64,
        reaction: Reaction,
    ) -> Result<(), ClientError> {
        let route = format!(
            "/repos/{}/issues/comments/{comment_id}/reactions",
            self.repository
        );
        let _: serde_json::Value = self
            .octocrab
            .post(
                route,
                Some(&ReactionRequest {
                    content: reaction.as_api(),
                }),
            )
            .await
            .map_err(|e| ClientError::from_octocrab("reacting to the comment", e))?;
        Ok(())
    }

    /// `GET /repos/{owner}/{repo}/contents/{path}?ref={git_ref}`: a file (decoded) or a
    /// directory listing; `Ok(None)` when the path does not exist at that ref.
    pub async fn get_contents(
        &self,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<Contents>, ClientError> {
        const OP: &str = "reading a file from the default branch";
        let encoded: Vec<String> = path.split('/').map(encode_segment).collect();
        let route = format!("/repos/{}/contents/{}", self.repository, encoded.join("/"));
        let value: serde_json::Value =
            match self.octocrab.get(route, Some(&RefQuery { git_ref })).await {
                Ok(v) => v,
                Err(octocrab::Error::GitHub { source, .. })
                    if source.status_code == StatusCode::NOT_FOUND =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(ClientError::from_octocrab(OP, e)),
            };
        let malformed = |message: String| ClientError::Transport {
            operation: OP,
            message: format!("`{path}`: {message}"),
        };
        if let serde_json::Value::Array(items) = value {
            let entries = items
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<Vec<ContentEntry>, _>>()
                .map_err(|e| malformed(e.to_string()))?;
            return Ok(Some(Contents::Dir(entries)));
        }
        let file: FileContent =
            serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        if file.kind != "file" {
            return Ok(Some(Contents::Other {
                kind: file.kind,
                size: file.size,
            }));
        }
        // Files over 1 MB come without content (`encoding: none`).
        if file.encoding.as_deref() != Some("base64") {
            return Ok(Some(Contents::Other {
                kind: format!("file without content ({} bytes)", file.size),
                size: file.size,
            }));
        }
        let compact: String = file
            .content
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| malformed(format!("the content is not base64: {e}")))?;
        Ok(Some(Contents::File(bytes)))
    }
}

/// A login as it may appear in a route: checked, so it can never add a path segment.
fn checked_login<'a>(operation: &'static str, login: &'a str) -> Result<&'a str, ClientError> {
    if crate::settings::manual::is_login(login) {
        Ok(login)
    } else {
        Err(ClientError::Transport {
            operation,
            message: format!("`{login}` is not a GitHub login"),
        })
    }
}

/// Percent-encodes one path segment (everything but unreserved characters), so a file
/// name with `?`, `#` or `%` stays one segment of one route.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The commenter's role, as the permission API reports it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CollaboratorPermission {
    /// `admin`, `write`, `read` or `none` (maintain reads as write, triage as read).
    pub permission: String,
    /// `admin`, `maintain`, `write`, `triage`, `read`, or a custom role's name.
    #[serde(default)]
    pub role_name: Option<String>,
}

#[derive(Deserialize)]
struct TeamMembership {
    state: String,
}

/// The reactions cronbridge leaves on a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// 👀 the command is being handled.
    Eyes,
    /// 🚀 the execution started.
    Rocket,
    /// 👎 refused.
    ThumbsDown,
}

impl Reaction {
    pub fn as_api(self) -> &'static str {
        match self {
            Reaction::Eyes => "eyes",
            Reaction::Rocket => "rocket",
            Reaction::ThumbsDown => "-1",
        }
    }
}

#[derive(Serialize)]
struct ReactionRequest {
    content: &'static str,
}

#[derive(Serialize)]
struct RefQuery<'a> {
    #[serde(rename = "ref")]
    git_ref: &'a str,
}

/// What the contents API returned for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// A file's bytes.
    File(Vec<u8>),
    Dir(Vec<ContentEntry>),
    /// A symbolic link, a submodule, or a file too large to come with its content.
    Other {
        kind: String,
        size: u64,
    },
}

/// One entry of a directory listing.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ContentEntry {
    pub name: String,
    pub path: String,
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub size: u64,
}

#[derive(Deserialize)]
struct FileContent {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

/// Whether an error, or anything that caused it, is a timeout.
fn timed_out(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        let text = e.to_string().to_lowercase();
        if text.contains("timed out") || text.contains("deadline has elapsed") {
            return true;
        }
        cause = e.source();
    }
    false
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}
