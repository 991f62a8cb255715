//! General lint: a missing description, inactive batches, schedules that need several UTC
//! rules, and schedules that cannot become UTC rules at all.

use crate::cron::Expression;
use crate::cron::rewrite::RewriteError;
use crate::finding::Finding;
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
                Finding::warning(
                    "lint/missing-description",
                    batch.location.clone(),
                    format!("`{}` has no description", batch.name),
                )
                .help("add `description:` so reviewers and the on-call know what it does"),
            );
        }
        if !batch.is_active {
            findings.push(Finding::info(
                "lint/inactive",
                batch.field_location("is_active").clone(),
                format!(
                    "`{}` is inactive: its rule stays in EventBridge, disabled, and it does not run",
                    batch.name
                ),
            ));
        }
        match rules {
            Ok(rules) if rules.len() > 1 => findings.push(Finding::info(
                "lint/several-utc-rules",
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
                let mut finding = Finding::error(
                    "lint/not-convertible",
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
