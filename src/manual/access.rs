//! Who may start a batch by hand: the commenter's role (from GitHub's permission API, never
//! from the comment) against the `manual_runs:` settings, then the user and team lists.

use crate::settings::manual::{ManualRuns, Role, Team};

/// What the permission check needs to know about a commenter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commenter<'a> {
    pub login: &'a str,
    /// From the collaborator-permission API; `None` when they have no access.
    pub role: Option<Role>,
    /// The teams of `ManualRuns::teams` they are an active member of.
    pub teams: Vec<&'a Team>,
}

/// Why someone may not start a batch (a sentence, shown in the reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    Role { have: Option<Role>, need: Role },
    NotListed,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denial::Role { have, need } => write!(
                f,
                "starting a batch needs the `{}` role on this repository or higher; you have {}",
                need.as_str(),
                match have {
                    Some(r) => format!("`{}`", r.as_str()),
                    None => "no access".to_string(),
                }
            ),
            Denial::NotListed => f.write_str(
                "starting a batch is limited to the users and teams listed under `manual_runs` in the settings on the default branch",
            ),
        }
    }
}

impl ManualRuns {
    /// Whether lists narrow who may run.
    pub fn has_lists(&self) -> bool {
        !self.users.is_empty() || !self.teams.is_empty()
    }

    /// Whether `who` may start batches: the role first, then the lists when there are any.
    pub fn allows(&self, who: &Commenter<'_>) -> Result<(), Denial> {
        match who.role {
            Some(role) if role >= self.permission => {}
            have => {
                return Err(Denial::Role {
                    have,
                    need: self.permission,
                });
            }
        }
        if !self.has_lists() {
            return Ok(());
        }
        let listed =
            self.users.iter().any(|u| u.eq_ignore_ascii_case(who.login)) || !who.teams.is_empty();
        if listed {
            Ok(())
        } else {
            Err(Denial::NotListed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::manual::Team;

    #[test]
    fn permission_then_lists() {
        let runs = ManualRuns::default();
        let who = |role, teams| Commenter {
            login: "Alice",
            role,
            teams,
        };
        assert!(runs.allows(&who(Some(Role::Write), vec![])).is_ok());
        assert!(runs.allows(&who(Some(Role::Admin), vec![])).is_ok());
        for weak in [None, Some(Role::Read), Some(Role::Triage)] {
            let err = runs.allows(&who(weak, vec![])).unwrap_err();
            assert!(err.to_string().contains("`write`"), "{err}");
        }
        let listed = ManualRuns {
            users: vec!["alice".into()],
            ..ManualRuns::default()
        };
        assert!(listed.allows(&who(Some(Role::Write), vec![])).is_ok());
        // A list never widens: a listed reader is still refused.
        assert!(matches!(
            listed.allows(&who(Some(Role::Read), vec![])),
            Err(Denial::Role { .. })
        ));
        let bob = Commenter {
            login: "bob",
            role: Some(Role::Admin),
            teams: vec![],
        };
        assert_eq!(listed.allows(&bob), Err(Denial::NotListed));
        let team = Team {
            org: "o".into(),
            slug: "ops".into(),
        };
        let by_team = ManualRuns {
            teams: vec![team.clone()],
            ..ManualRuns::default()
        };
        assert!(
            by_team
                .allows(&Commenter {
                    teams: vec![&team],
                    ..bob.clone()
                })
                .is_ok()
        );
        assert_eq!(by_team.allows(&bob), Err(Denial::NotListed));
    }
}
