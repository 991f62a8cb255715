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

/// Schedules that never fire again from `now` on (EventBridge fires nothing after 2199): the
/// rule would be deployed dead. The reason named is the years when the same schedule with any
/// year would fire, else the days (a day of the month that the months it names lack).
pub fn never_fires(batches: &[Batch], now: jiff::Timestamp) -> Vec<Finding> {
    let mut findings = Vec::new();
    for batch in batches {
        if batch.runs_after(now).next_second().is_some() {
            continue;
        }
        // On Scheduler: a one-time run in the past, or an `end` that has passed.
        let scheduler_reason = if batch.scheduler.at.is_some() {
            Some((
                "its one-time run is in the past",
                "remove the batch once it has run (its schedule stays, fired, until then), or set `at` to a later time",
            ))
        } else if batch.scheduler.end.is_some()
            && batch
                .cron
                .fire_times_after(now, &batch.zone.tz)
                .next_second()
                .is_some()
        {
            Some((
                "its `end` has passed, or no run falls between `start` and `end`",
                "move `end` later, or remove the batch if it is done",
            ))
        } else {
            None
        };
        if let Some((reason, help)) = scheduler_reason {
            let at = batch.field_location("cron").clone();
            let message = format!("`{}` never fires: {reason}", batch.cron_text);
            // A one-time run that has passed has (usually) run: a warning to remove it, not
            // an error that would block every later deploy of the repository.
            let finding = if batch.scheduler.at.is_some() {
                Finding::warning(Rule::LintNeverFires, at, message)
            } else {
                Finding::of(Rule::LintNeverFires, at, message)
            };
            findings.push(finding.help(help));
            continue;
        }
        let year = now.to_zoned_datetime(batch.zone.tz.clone()).year();
        let any_year = with_any_year(&batch.cron).is_some_and(|e| {
            e.fire_times_after(now, &batch.zone.tz)
                .next_second()
                .is_some()
        });
        let (reason, help) = if any_year {
            (
                format!(
                    "the years it names have passed (it is {year} in {})",
                    batch.zone.name
                ),
                "set the year field to `*`, or remove the batch if it is done".to_string(),
            )
        } else {
            (
                "the day it names does not exist in the months it names (such as the 30th of February or the 31st of April)".to_string(),
                "pick a day every month it names has, or `L` for the last day of the month".to_string(),
            )
        };
        findings.push(
            Finding::of(
                Rule::LintNeverFires,
                batch.field_location("cron").clone(),
                format!("`{}` never fires: {reason}", batch.cron_text),
            )
            .help(help),
        );
    }
    findings
}

/// The expression with its year field `*` (rate expressions have none).
fn with_any_year(expr: &Expression) -> Option<Expression> {
    let text = expr.to_aws();
    let inner = text.strip_prefix("cron(")?.strip_suffix(')')?;
    let (fields, _year) = inner.rsplit_once(' ')?;
    crate::cron::parse(&format!("cron({fields} *)")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(cron: &str) -> Vec<Finding> {
        let text = format!(
            "A:\n  cron: \"{cron}\"\n  batch_class: \"A\"\n  is_active: true\n  description: a\n"
        );
        let (batches, f) = crate::schedule::load(
            "schedules/a.yml",
            &text,
            &crate::settings::Settings::default(),
        );
        assert!(f.is_empty(), "{f:?}");
        never_fires(&batches, "2026-11-29T00:00:00Z".parse().unwrap())
    }

    #[test]
    fn schedules_that_never_fire_name_the_reason() {
        for cron in ["0 9 30 2 ? *", "0 0 31 4 ? *", "0 0 31 2,4,6 ? *"] {
            let f = never(cron);
            assert_eq!(f.len(), 1, "{cron}");
            assert_eq!(f[0].rule, Rule::LintNeverFires);
            assert!(f[0].message.contains("does not exist"), "{}", f[0].message);
        }
        let f = never("0 9 * * ? 2020");
        assert!(
            f[0].message.contains("years it names have passed"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.line, 2);
        for cron in [
            "0 9 29 2 ? *",
            "0 9 * * ? 2020-2030",
            "0 9 31 * ? *",
            "0 9 ? 2 5#5 *",
        ] {
            assert!(never(cron).is_empty(), "{cron}");
        }
    }

    fn on_scheduler(keys: &str) -> Vec<Finding> {
        let text = format!("A:\n  batch_class: \"A\"\n  is_active: true\n  description: a\n{keys}");
        let mut settings = crate::settings::Settings::default();
        settings.aws.backend = crate::settings::aws::Backend::Scheduler;
        let (batches, f) = crate::schedule::load("schedules/a.yml", &text, &settings);
        assert!(f.is_empty(), "{f:?}");
        never_fires(&batches, "2026-11-29T00:00:00Z".parse().unwrap())
    }

    #[test]
    fn a_past_one_time_run_warns_and_a_passed_end_is_an_error() {
        let f = on_scheduler("  at: 2026-01-01T09:00\n");
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
        assert!(
            f[0].message.contains("one-time run is in the past"),
            "{}",
            f[0].message
        );
        let f = on_scheduler("  cron: \"0 9 * * ? *\"\n  end: 2026-06-01\n");
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
        assert!(
            f[0].message.contains("`end` has passed"),
            "{}",
            f[0].message
        );
        assert!(on_scheduler("  at: 2027-01-01T09:00\n").is_empty());
    }
}
