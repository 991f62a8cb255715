//! Quiet hours: a batch violates a window if any of its runs (start plus expected duration)
//! overlaps it. The windows become a per-minute prefix sum over the horizon, so each run is
//! checked in constant time.

use super::{QuietHours, Scope, Tally};
use crate::cron::civil::{civil_from_days, weekday};
use crate::finding::{Finding, Occurrences, Rule};
use crate::schedule::Batch;
use crate::timetable::{Timetable, local_and_utc, offset_segments};

/// How many example runs a finding lists.
pub const EXAMPLES: usize = 3;

impl Scope {
    /// Whether the scope covers a batch: everyone when it names nothing.
    pub fn covers(&self, batch: &Batch) -> bool {
        if self.groups.is_empty() && self.batches.is_empty() && self.classes.is_empty() {
            return true;
        }
        self.batches.contains(&batch.name)
            || batch
                .group
                .as_ref()
                .is_some_and(|g| self.groups.iter().any(|x| x == g))
            || self.classes.iter().any(|p| glob(p, &batch.batch_class))
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl QuietHours {
    /// Whether a window starting on local date `day` (days since the epoch) applies.
    fn applies_on(&self, day: i64) -> bool {
        if let Some(days) = self.days
            && days & (1 << weekday(day)) == 0
        {
            return false;
        }
        if self.dates.is_empty() {
            return true;
        }
        let (_, m, d) = civil_from_days(day);
        self.dates.iter().any(|&(from, to)| {
            if from <= to {
                from <= (m, d) && (m, d) <= to
            } else {
                (m, d) >= from || (m, d) <= to
            }
        })
    }

    /// Whether a local minute (minutes since the epoch on the zone's clock) is quiet.
    fn is_quiet(&self, local: i64) -> bool {
        let day = local.div_euclid(1440);
        let minute = local.rem_euclid(1440) as u16;
        self.windows.iter().any(|&(start, end)| {
            if start < end {
                (start..end).contains(&minute) && self.applies_on(day)
            } else {
                (minute >= start && self.applies_on(day))
                    || (minute < end && self.applies_on(day - 1))
            }
        })
    }

    /// `prefix[i]` = number of quiet minutes among the first `i` of the horizon (extended by
    /// `tail` minutes so runs that start near its end are judged whole).
    fn prefix(&self, timetable: &Timetable, tail: u32) -> Vec<u32> {
        let len = timetable.minutes + tail;
        let segments = offset_segments(&self.zone.tz, timetable.base_minute, len);
        let mut prefix = Vec::with_capacity(len as usize + 1);
        prefix.push(0u32);
        let mut count = 0u32;
        let mut seg = 0;
        for i in 0..len {
            while seg + 1 < segments.len() && segments[seg + 1].0 <= i {
                seg += 1;
            }
            let local = timetable.base_minute + i64::from(i) + segments[seg].1;
            count += u32::from(self.is_quiet(local));
            prefix.push(count);
        }
        prefix
    }

    /// `11:00-14:00, 20:00-24:00`
    pub fn windows_text(&self) -> String {
        self.windows
            .iter()
            .map(|&(s, e)| format!("{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Findings of one quiet-hours policy: one per batch that runs into it. A run counts when any
/// minute of it, from its start for its expected duration, falls in a window; runs are those
/// of the horizon (a run exactly at its start is outside it, see `Timetable`), and a run near
/// the horizon's end is judged with its whole duration.
pub fn check(
    policy: &QuietHours,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    let tail = durations.iter().copied().max().unwrap_or(0);
    let mut prefix: Option<Vec<u32>> = None;
    let mut findings = Vec::new();
    for runs in &timetable.runs {
        let batch = &batches[runs.batch];
        if !policy.scope.covers(batch) || policy.except.contains(&batch.name) {
            continue;
        }
        let prefix = prefix.get_or_insert_with(|| policy.prefix(timetable, tail));
        let duration = durations[runs.batch].max(1);
        let mut hits = Tally::default();
        for s in runs.starts.iter() {
            let end = (s + duration).min(prefix.len() as u32 - 1);
            if prefix[end as usize] > prefix[s as usize] {
                hits.add(s);
            }
        }
        let (Some(&first), Some(last)) = (hits.first.first(), hits.last) else {
            continue;
        };
        let examples: Vec<String> = hits
            .first
            .iter()
            .map(|&s| local_and_utc(timetable.instant(s), &batch.zone))
            .collect();
        let message = format!(
            "`{}` runs during quiet hours `{}` ({}): {} of its {} runs in the next {horizon_days} days, first {}",
            batch.name,
            policy.name,
            policy.windows_text(),
            hits.count,
            runs.starts.len(),
            examples.join(", "),
        );
        let how_often = Occurrences {
            count: hits.count,
            first: timetable.instant(first),
            last: timetable.instant(last),
            batches: vec![batch.name.clone()],
        };
        findings.push(
            Finding::new(Rule::PolicyQuietHours, policy.severity, batch.field_location("cron").clone(), message)
                .occurrences(how_often)
                .related(policy.location.clone(), format!("quiet hours `{}`", policy.name))
                .help(format!(
                    "move `{}` (expected to run {duration} min) out of {}, or list it under `except` of `{}`",
                    batch.name,
                    policy.windows_text(),
                    policy.name
                )),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_class_paths() {
        assert!(glob("Batches::Monthly::*", "Batches::Monthly::Invoice"));
        assert!(glob("*::Invoice", "Batches::Monthly::Invoice"));
        assert!(glob("Batches::*::Invoice", "Batches::Monthly::Invoice"));
        assert!(glob("Batches::Daily::Backup", "Batches::Daily::Backup"));
        assert!(!glob("Batches::Daily::*", "Batches::Monthly::Invoice"));
        assert!(!glob("Batches::*::Backup", "Batches::Daily::BackupX"));
        assert!(glob("*", ""));
        assert!(!glob("a*a", "a"));
    }
}
