//! General lint: a missing description, inactive batches, schedules that need several UTC
//! rules, and schedules that cannot become UTC rules at all.

use crate::cron::Expression;
use crate::cron::rewrite::RewriteError;
use crate::finding::{Finding, Rule};
use crate::schedule::Batch;

/// Lint findings for each batch, given its UTC rewrite.
pub fn check(batches: &[Batch], utc: &[Result<Vec<Expression>, RewriteError>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (batch, rules) in batches.iter().zip(utc) {
        if batch
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            findings.push(
                Finding::of(
                    Rule::LintMissingDescription,
                    batch.location.clone(),
                    format!("`{}` has no description", batch.name),
                )
                .help("add `description:` so reviewers and the on-call know what it does"),
            );
        }
        if !batch.is_active {
            findings.push(Finding::of(
                Rule::LintInactive,
                batch.field_location("is_active").clone(),
                format!(
                    "`{}` is inactive: its rule stays in EventBridge, disabled, and it does not run",
                    batch.name
                ),
            ));
        }
        match rules {
            Ok(rules) if rules.len() > 1 => findings.push(Finding::of(
                Rule::LintSeveralUtcRules,
                batch.field_location("cron").clone(),
                format!(
                    "`{}` needs {} UTC rules to fire at exactly its {} times: {}",
                    batch.name,
                    rules.len(),
                    batch.zone.name,
                    rules
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Ok(_) => {}
            Err(err) => {
                // A proof that failed is cronbridge's bug, not the schedule's.
                let rule = match err {
                    crate::cron::rewrite::RewriteError::ProofFailed { .. } => {
                        Rule::LintRewriteUnproven
                    }
                    _ => Rule::LintNotConvertible,
                };
                let mut finding = Finding::of(
                    rule,
                    batch.field_location("cron").clone(),
                    format!(
                        "`{}` in {} has no exact UTC rule: {err}",
                        batch.cron_text, batch.zone.name
                    ),
                );
                if let Some(help) = err.help() {
                    finding = finding.help(help);
                }
                findings.push(finding);
            }
        }
    }
    findings
}

/// Policy entries that name nothing: a batch, group or class pattern no batch has. A typo in
/// `except:` would otherwise exempt nobody, silently.
pub fn references(policies: &crate::policy::Policies, batches: &[Batch]) -> Vec<Finding> {
    use crate::policy::quiet_hours::glob;
    let has_batch = |name: &str| batches.iter().any(|b| b.name == name);
    let has_group = |name: &str| batches.iter().any(|b| b.group.as_deref() == Some(name));
    let has_class = |pattern: &str| batches.iter().any(|b| glob(pattern, &b.batch_class));
    let mut findings = Vec::new();
    let names: Vec<&str> = batches.iter().map(|b| b.name.as_str()).collect();
    let groups: Vec<&str> = batches.iter().filter_map(|b| b.group.as_deref()).collect();
    let mut unknown = |location: &crate::finding::Location, what: &str, name: &str, owner: &str| {
        let candidates = if what == "the group" { &groups } else { &names };
        let help = match crate::yaml::suggest(name, candidates.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "check the spelling, or remove the entry".to_string(),
        };
        findings.push(
            Finding::of(
                Rule::LintUnknownReference,
                location.clone(),
                format!("{owner} names {what} `{name}`, but no batch has it"),
            )
            .help(help),
        );
    };
    for q in &policies.quiet_hours {
        let owner = format!("quiet hours `{}`", q.name);
        for name in q.scope.batches.iter().chain(&q.except) {
            if !has_batch(name) {
                unknown(&q.location, "the batch", name, &owner);
            }
        }
        for group in q.scope.groups.iter().filter(|g| !has_group(g)) {
            unknown(&q.location, "the group", group, &owner);
        }
        for pattern in q.scope.classes.iter().filter(|p| !has_class(p)) {
            unknown(&q.location, "the batch_class pattern", pattern, &owner);
        }
    }
    for g in policies
        .overlap
        .groups
        .iter()
        .filter(|g| !has_group(&g.name))
    {
        unknown(&g.location, "the group", &g.name, "overlap");
    }
    findings
}
