//! Overlap: a batch starting again before its previous run's expected end, more concurrent
//! runs in a group than it allows, and too many batches starting in one minute.
//!
//! Concurrency is a difference array over the horizon's minutes (a sweep in linear time);
//! the batches involved are then found only for the first few collisions.

use super::Overlap;
use super::quiet_hours::EXAMPLES;
use crate::finding::{Finding, Rule};
use crate::schedule::Batch;
use crate::timetable::{Timetable, local_and_utc};
use std::collections::BTreeMap;

/// How many collisions are examined in detail to name the batches involved.
const DETAILED: usize = 1_000;

/// A batch that starts again before its previous run is expected to end.
pub fn self_overlap(
    policy: &Overlap,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for runs in &timetable.runs {
        let duration = durations[runs.batch];
        let clashes: Vec<u32> = runs
            .starts
            .windows(2)
            .filter(|w| w[1] - w[0] < duration)
            .map(|w| w[1])
            .collect();
        if clashes.is_empty() {
            continue;
        }
        let batch = &batches[runs.batch];
        let examples: Vec<String> = clashes
            .iter()
            .take(EXAMPLES)
            .map(|&s| local_and_utc(timetable.instant(s), &batch.zone))
            .collect();
        let source = if batch.duration.is_some() {
            "its `duration`"
        } else {
            "the default duration"
        };
        findings.push(
            Finding::new(
                Rule::PolicySelfOverlap,
                policy.self_overlap,
                batch.field_location("cron").clone(),
                format!(
                    "`{}` starts again before its previous run ends ({duration} min, {source}): {} of its {} runs in the next {horizon_days} days, first {}",
                    batch.name,
                    clashes.len(),
                    runs.starts.len(),
                    examples.join(", ")
                ),
            )
            .help("space the runs further apart than the expected duration, or correct `duration`"),
        );
    }
    findings
}

/// Several batches that collide: the finding sits on the last of them in file order, the
/// others are related locations, and the first few times read in its zone and UTC.
struct Collision {
    location: crate::finding::Location,
    names: String,
    examples: String,
    others: Vec<(crate::finding::Location, String)>,
}

impl Collision {
    fn of(
        batches: &[Batch],
        set: &[usize],
        minutes: &[u32],
        timetable: &Timetable,
    ) -> Option<Collision> {
        let (&primary, rest) = set.split_last()?;
        let name = |b: usize| format!("`{}`", batches[b].name);
        Some(Collision {
            location: batches[primary].field_location("cron").clone(),
            names: set.iter().map(|&b| name(b)).collect::<Vec<_>>().join(", "),
            examples: minutes
                .iter()
                .take(EXAMPLES)
                .map(|&m| local_and_utc(timetable.instant(m), &batches[primary].zone))
                .collect::<Vec<_>>()
                .join(", "),
            others: rest
                .iter()
                .map(|&b| (batches[b].field_location("cron").clone(), name(b)))
                .collect(),
        })
    }

    fn relate(self, mut finding: Finding) -> Finding {
        for (location, note) in self.others {
            finding = finding.related(location, note);
        }
        finding
    }
}

/// Maximal stretches of minutes `[start, end)` where `count` exceeds `limit`.
fn stretches_over(count: &[i32], limit: i32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in count.iter().enumerate() {
        match (c > limit, start) {
            (true, None) => start = Some(i as u32),
            (false, Some(s)) => {
                out.push((s, i as u32));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, count.len() as u32));
    }
    out
}

/// Batches (indices into `runs` entries) running at minute `m`.
fn running_at(timetable: &Timetable, members: &[usize], durations: &[u32], m: u32) -> Vec<usize> {
    members
        .iter()
        .copied()
        .filter(|&r| {
            let runs = &timetable.runs[r];
            let i = runs.starts.partition_point(|&s| s <= m);
            i > 0 && runs.starts[i - 1] + durations[runs.batch] > m
        })
        .collect()
}

/// More concurrent runs in a group than its `max_concurrent`.
pub fn groups(
    policy: &Overlap,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for limit in &policy.groups {
        let members: Vec<usize> = (0..timetable.runs.len())
            .filter(|&r| {
                batches[timetable.runs[r].batch].group.as_deref() == Some(limit.name.as_str())
            })
            .collect();
        if members.len() < 2 && limit.max_concurrent >= 1 {
            // One batch alone can only collide with itself, which self-overlap reports.
            continue;
        }
        let len = timetable.minutes as usize;
        let mut count = vec![0i32; len + 1];
        for &r in &members {
            let runs = &timetable.runs[r];
            let d = durations[runs.batch].max(1) as usize;
            for &s in &runs.starts {
                count[s as usize] += 1;
                count[(s as usize + d).min(len)] -= 1;
            }
        }
        let mut running = 0;
        for c in count.iter_mut() {
            running += *c;
            *c = running;
        }
        count.truncate(len);
        let stretches = stretches_over(&count, limit.max_concurrent as i32);
        if stretches.is_empty() {
            continue;
        }
        // The same set of batches colliding again and again is one finding.
        let mut by_set: BTreeMap<Vec<usize>, Vec<u32>> = BTreeMap::new();
        for &(start, _) in stretches.iter().take(DETAILED) {
            let mut set: Vec<usize> = running_at(timetable, &members, durations, start)
                .into_iter()
                .map(|r| timetable.runs[r].batch)
                .collect();
            set.dedup();
            set.sort_unstable();
            by_set.entry(set).or_default().push(start);
        }
        let more = stretches.len().saturating_sub(DETAILED);
        for (set, starts) in by_set {
            // Fewer distinct batches than the limit: the excess is a batch overlapping
            // itself, which self-overlap reports.
            if set.len() <= limit.max_concurrent as usize {
                continue;
            }
            let Some(c) = Collision::of(batches, &set, &starts, timetable) else {
                continue;
            };
            let finding = Finding::new(
                Rule::PolicyGroupOverlap,
                limit.severity,
                c.location.clone(),
                format!(
                    "group `{}` allows {} at a time, but {} run together {} time{} in the next {horizon_days} days{}, first {}",
                    limit.name,
                    limit.max_concurrent,
                    c.names,
                    starts.len(),
                    if starts.len() == 1 { "" } else { "s" },
                    if more > 0 { format!(" (and {more} more collisions not itemised)") } else { String::new() },
                    c.examples
                ),
            )
            .related(limit.location.clone(), format!("group `{}`", limit.name))
            .help("move one of them to a time when the others have finished, or raise `max_concurrent`");
            findings.push(c.relate(finding));
        }
    }
    findings
}

/// Too many batches starting in the same minute.
pub fn starts_per_minute(
    policy: &Overlap,
    batches: &[Batch],
    timetable: &Timetable,
    horizon_days: u32,
) -> Vec<Finding> {
    let Some(limit) = &policy.max_starts_per_minute else {
        return Vec::new();
    };
    let mut count = vec![0u32; timetable.minutes as usize];
    for runs in &timetable.runs {
        for &s in &runs.starts {
            count[s as usize] += 1;
        }
    }
    let busy: Vec<u32> = (0..timetable.minutes)
        .filter(|&m| count[m as usize] > limit.limit)
        .collect();
    // One pass over all runs collects who starts in each itemised minute.
    let mut starters: Vec<Vec<usize>> = vec![Vec::new(); busy.len().min(DETAILED)];
    let mut slot = vec![u32::MAX; timetable.minutes as usize];
    for (i, &m) in busy.iter().take(DETAILED).enumerate() {
        slot[m as usize] = i as u32;
    }
    for runs in &timetable.runs {
        for &s in &runs.starts {
            if let Some(list) = starters.get_mut(slot[s as usize] as usize) {
                list.push(runs.batch);
            }
        }
    }
    let mut by_set: BTreeMap<Vec<usize>, Vec<u32>> = BTreeMap::new();
    for (mut set, &m) in starters.into_iter().zip(&busy) {
        set.sort_unstable();
        by_set.entry(set).or_default().push(m);
    }
    let more = busy.len().saturating_sub(DETAILED);
    let mut findings = Vec::new();
    for (set, minutes) in by_set {
        let Some(c) = Collision::of(batches, &set, &minutes, timetable) else {
            continue;
        };
        let finding = Finding::new(
            Rule::PolicyStartsPerMinute,
            limit.severity,
            c.location.clone(),
            format!(
                "{} batches start in the same minute (at most {} may): {} — {} time{} in the next {horizon_days} days{}, first {}",
                set.len(),
                limit.limit,
                c.names,
                minutes.len(),
                if minutes.len() == 1 { "" } else { "s" },
                if more > 0 { format!(" (and {more} more busy minutes not itemised)") } else { String::new() },
                c.examples
            ),
        )
        .related(limit.location.clone(), "max_starts_per_minute".to_string())
        .help("stagger the start minutes (e.g. 00:00, 00:05, 00:10)");
        findings.push(c.relate(finding));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::stretches_over;

    #[test]
    fn stretches_are_maximal() {
        assert_eq!(
            stretches_over(&[0, 2, 2, 1, 2, 0, 3], 1),
            vec![(1, 3), (4, 5), (6, 7)]
        );
        assert!(stretches_over(&[1, 1, 0], 1).is_empty());
    }
}
