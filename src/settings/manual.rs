//! The `manual_runs:` section of `cronbridge.yml`: who may start a batch by hand (the least
//! role, and optional lists of users and teams) and whether inactive batches may be started.
//! Deciding whether a given person may is [`crate::manual::access`].

#![allow(
    clippy::result_large_err,
    reason = "a `Finding` is the error of every value check; they run once per value of a small file"
)]

use crate::finding::{Finding, Location, Rule};
use crate::shape::{DefaultValue, Object, Type, field};
use crate::yaml::{self, Entry, Node, Sink};
use serde::Serialize;

/// A repository role, weakest first: GitHub's five built-in roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Triage => "triage",
            Role::Write => "write",
            Role::Maintain => "maintain",
            Role::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "read" | "pull" => Role::Read,
            "triage" => Role::Triage,
            "write" | "push" => Role::Write,
            "maintain" => Role::Maintain,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// The role the collaborator-permission API reports. `role_name` tells triage from read
    /// and maintain from write, which the legacy `permission` field folds together; for a
    /// custom role `role_name` is its own name and `permission` its base role. `None` is no
    /// access at all (`none`, or anything this version does not know: failing closed).
    pub fn from_api(permission: &str, role_name: Option<&str>) -> Option<Role> {
        let base = Role::parse(permission)?;
        match role_name.and_then(Role::parse) {
            // A built-in role name is exact. It is above what `permission` says only where
            // the legacy field folds it: maintain is reported as `write`, triage as `read`.
            Some(named)
                if named <= base
                    || matches!(
                        (named, base),
                        (Role::Maintain, Role::Write) | (Role::Triage, Role::Read)
                    ) =>
            {
                Some(named)
            }
            _ => Some(base),
        }
    }
}

/// A team, written `org/team-slug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub org: String,
    pub slug: String,
}

impl std::fmt::Display for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.org, self.slug)
    }
}

/// The `manual_runs:` section of `cronbridge.yml`: who may start batches from a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualRuns {
    /// Where the `manual_runs:` key is, when the file has one.
    pub location: Option<Location>,
    /// The least role a commenter needs: `write` (default), `maintain` or `admin`.
    pub permission: Role,
    /// When not empty (or `teams` is not), the commenter must also be one of these logins…
    pub users: Vec<String>,
    /// …or an active member of one of these teams. Lists narrow `permission`, never widen it.
    pub teams: Vec<Team>,
    /// Whether a batch with `is_active: false` may be started by hand (default true: the reply
    /// says that it is inactive).
    pub allow_inactive: bool,
}

impl Default for ManualRuns {
    fn default() -> ManualRuns {
        ManualRuns {
            location: None,
            permission: Role::Write,
            users: Vec::new(),
            teams: Vec::new(),
            allow_inactive: true,
        }
    }
}

/// The `manual_runs:` section: every key it may have, once.
#[rustfmt::skip]
pub static MANUAL_RUNS: Object = Object {
    name: "manual_runs",
    title: "`manual_runs`",
    description: "Who may start a batch by hand from a comment (`/run`); the lists narrow `permission`, never widen it.",
    fields: &[
        field("permission", Type::Enum(&["write", "maintain", "admin", "push"]), "The least repository role a commenter needs.").default(DefaultValue::Str(Role::Write.as_str())),
        field("users", Type::List { item: &Type::Pattern { pattern: "^[A-Za-z0-9](-?[A-Za-z0-9])*$", what: "GitHub login" }, min: 0 }, "Only these logins…"),
        field("teams", Type::List { item: &Type::Pattern { pattern: "^@?[A-Za-z0-9](-?[A-Za-z0-9])*/[A-Za-z0-9._-]+$", what: "team (`org/team-slug`)" }, min: 0 }, "…or active members of these teams."),
        field("allow_inactive", Type::Bool, "Whether a batch with `is_active: false` may be started by hand.").default(DefaultValue::Bool(true)),
    ],
    one_of: &[],
    dependent_required: &[],
};
const WRONG_TYPE: Rule = Rule::SettingsWrongType;
const INVALID: Rule = Rule::SettingsInvalidValue;

/// Reads the `manual_runs:` entry of the settings file. Anything wrong is an error finding,
/// and a settings file with errors starts nothing (`/run` and `cronbridge run` both refuse), so a typo in
/// `permission: amdin` can never fall back to the weaker default.
pub fn load(entry: &Entry, file: &str, findings: &mut Vec<Finding>) -> ManualRuns {
    let mut runs = ManualRuns {
        location: Some(entry.key.location(file)),
        ..ManualRuns::default()
    };
    let mut sink = Sink::new(findings);
    let Some(entries) = sink.take(yaml::expect_map(
        &entry.value,
        file,
        WRONG_TYPE,
        "`manual_runs`",
    )) else {
        return runs;
    };
    for f in MANUAL_RUNS.unknown_keys(entries, file, Rule::SettingsUnknownKey, "`manual_runs`") {
        sink.push(f);
    }
    for e in entries {
        let v = &e.value;
        match e.key_text() {
            "permission" => {
                if let Some(role) = sink.take(permission(v, file)) {
                    runs.permission = role;
                }
            }
            "users" => {
                if let Some(users) = sink.take(list(v, file, "`users`", login)) {
                    runs.users = users;
                }
            }
            "teams" => {
                if let Some(teams) = sink.take(list(v, file, "`teams`", team)) {
                    runs.teams = teams;
                }
            }
            "allow_inactive" => {
                if let Some(b) =
                    sink.take(yaml::expect_bool(v, file, WRONG_TYPE, "`allow_inactive`"))
                {
                    runs.allow_inactive = b;
                }
            }
            _ => {}
        }
    }
    runs
}

fn permission(node: &Node, file: &str) -> Result<Role, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "`permission`")?;
    match Role::parse(text) {
        Some(role) if role >= Role::Write => Ok(role),
        Some(role) => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`permission`: `{}` is too weak to start batches", role.as_str()),
        )
        .help("write `write`, `maintain` or `admin`; to let fewer people run batches, add `users:` or `teams:`")),
        None => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`permission`: `{text}` is not a repository role"),
        )
        .help(match yaml::suggest(text, ["write", "maintain", "admin"]) {
            Some(s) => format!("did you mean `{s}`? the roles are `write`, `maintain` and `admin`"),
            None => "write `write` (the default), `maintain` or `admin`".to_string(),
        })),
    }
}

fn list<T>(
    node: &Node,
    file: &str,
    what: &str,
    item: fn(&Node, &str) -> Result<T, Finding>,
) -> Result<Vec<T>, Finding> {
    yaml::expect_seq(node, file, WRONG_TYPE, what)?
        .iter()
        .map(|i| item(i, file))
        .collect()
}

/// Whether text is a GitHub login: 1–39 ASCII letters, digits and single inner hyphens.
pub fn is_login(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 39
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn login(node: &Node, file: &str) -> Result<String, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "a user")?;
    if is_login(text) {
        Ok(text.to_string())
    } else {
        Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`{text}` is not a GitHub login"),
        )
        .help("write the login without `@`, e.g. `octocat`"))
    }
}

fn team(node: &Node, file: &str) -> Result<Team, Finding> {
    let text = yaml::expect_str(node, file, WRONG_TYPE, "a team")?;
    let slug_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match text.trim_start_matches('@').split_once('/') {
        Some((org, slug)) if is_login(org) && slug_ok(slug) => Ok(Team {
            org: org.to_string(),
            slug: slug.to_string(),
        }),
        _ => Err(Finding::of(
            INVALID,
            node.location(file),
            format!("`{text}` is not a team"),
        )
        .help("write `org/team-slug`, e.g. `octo-org/batch-operators`")),
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings;

    fn load_text(text: &str) -> (ManualRuns, Vec<Finding>) {
        let (s, f) = settings::load("cronbridge.yml", text);
        (s.manual_runs, f)
    }

    #[test]
    fn settings_default_to_write_and_allow_inactive() {
        let (runs, f) = load_text("timezone: UTC\n");
        assert!(f.is_empty());
        assert_eq!(runs, ManualRuns::default());
        assert_eq!(runs.permission, Role::Write);
        assert!(runs.allow_inactive);
    }

    #[test]
    fn settings_load_lists() {
        let (runs, f) = load_text(
            "manual_runs:\n  permission: maintain\n  users: [alice, Bob-2]\n  teams: [octo-org/batch-ops]\n  allow_inactive: false\n",
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(runs.permission, Role::Maintain);
        assert_eq!(runs.users, ["alice", "Bob-2"]);
        assert_eq!(runs.teams[0].to_string(), "octo-org/batch-ops");
        assert!(!runs.allow_inactive);
    }

    #[test]
    fn settings_mistakes_are_errors() {
        let (_, f) = load_text("manual_runs:\n  permission: amdin\n");
        assert_eq!(f[0].rule, Rule::SettingsInvalidValue);
        assert!(f[0].help.as_deref().unwrap().contains("`admin`"));
        let (_, f) = load_text("manual_runs:\n  permission: read\n");
        assert!(f[0].message.contains("too weak"), "{}", f[0].message);
        let (_, f) = load_text("manual_runs:\n  users: [\"@alice\"]\n");
        assert!(f[0].message.contains("not a GitHub login"));
        let (_, f) = load_text("manual_runs:\n  teams: [ops]\n");
        assert!(f[0].message.contains("not a team"));
        let (_, f) = load_text("manual_runs:\n  alow_inactive: true\n");
        assert_eq!(f[0].help.as_deref(), Some("did you mean `allow_inactive`?"));
        let (_, f) = load_text("manual_runs:\n  allow_inactive: \"yes\"\n");
        assert_eq!(f[0].rule, Rule::SettingsWrongType);
    }

    #[test]
    fn roles_come_from_role_name_when_it_is_built_in() {
        assert_eq!(Role::from_api("admin", Some("admin")), Some(Role::Admin));
        assert_eq!(
            Role::from_api("write", Some("maintain")),
            Some(Role::Maintain)
        );
        assert_eq!(Role::from_api("read", Some("triage")), Some(Role::Triage));
        assert_eq!(Role::from_api("write", Some("deployer")), Some(Role::Write));
        assert_eq!(Role::from_api("none", None), None);
        assert_eq!(Role::from_api("superuser", Some("admin")), None);
        // A role name above the permission is not believed.
        assert_eq!(Role::from_api("read", Some("admin")), Some(Role::Read));
    }
}
