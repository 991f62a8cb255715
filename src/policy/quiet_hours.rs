//! Quiet hours: a batch violates a window if any of its runs (start plus expected duration)
//! overlaps it. The windows become maximal intervals of quiet minutes over the horizon; an
//! interval `[a, b)` is hit by the runs starting in `(a - duration, b)`, which a progression
//! of runs counts by arithmetic, so the cost follows progressions and intervals, not runs.

use super::{QuietHours, Scope, Tally};
use crate::cron::civil::{civil_from_days, weekday};
use crate::finding::{Finding, Occurrences, Rule};
use crate::schedule::Batch;
use crate::timetable::{Progression, Timetable, local_and_utc, offset_segments};

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

    /// Whether a local minute (minutes since the epoch on the zone's clock) is quiet: the
    /// definition [`QuietHours::intervals`] computes a day at a time.
    #[cfg(test)]
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

    /// The quiet minutes of the horizon (extended by `tail` minutes so runs that start near
    /// its end are judged whole), as maximal intervals `[start, end)` in order: for each
    /// stretch of constant offset and each local day in it, the windows that apply that day
    /// (one crossing midnight belongs to the day it starts on), so the cost follows days and
    /// windows, not minutes.
    fn intervals(&self, timetable: &Timetable, tail: u32) -> Vec<(u32, u32)> {
        let len = timetable.minutes + tail;
        let base = timetable.base_minute;
        let segments = offset_segments(&self.zone.tz, base, len);
        let mut out: Vec<(u32, u32)> = Vec::new();
        let mut day_ranges: Vec<(i64, i64)> = Vec::new();
        for (k, &(first, offset)) in segments.iter().enumerate() {
            let end = segments.get(k + 1).map_or(len, |next| next.0);
            // Index `i` of this stretch is local minute `base + i + offset`.
            let shift = base + offset;
            let (from, to) = (shift + i64::from(first), shift + i64::from(end));
            for day in from.div_euclid(1440)..=(to - 1).div_euclid(1440) {
                let midnight = day * 1440;
                day_ranges.clear();
                for &(start, stop) in &self.windows {
                    let (start, stop) = (i64::from(start), i64::from(stop));
                    if start < stop {
                        if self.applies_on(day) {
                            day_ranges.push((midnight + start, midnight + stop));
                        }
                        continue;
                    }
                    if self.applies_on(day) {
                        day_ranges.push((midnight + start, midnight + 1440));
                    }
                    if self.applies_on(day - 1) {
                        day_ranges.push((midnight, midnight + stop));
                    }
                }
                day_ranges.sort_unstable();
                for &(a, b) in &day_ranges {
                    let (a, b) = (a.max(from), b.min(to));
                    if a >= b {
                        continue;
                    }
                    let (a, b) = ((a - shift) as u32, (b - shift) as u32);
                    match out.last_mut() {
                        Some(last) if last.1 >= a => last.1 = last.1.max(b),
                        _ => out.push((a, b)),
                    }
                }
            }
        }
        out
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

/// The runs of `progressions` (in time order) that meet a quiet interval: a run at `r`
/// meets `[a, b)` when `a - duration < r < b`, so each interval is a range of starts, and a
/// progression's starts in a range are counted by arithmetic.
fn hits(progressions: &[Progression], quiet: &[(u32, u32)], duration: u32) -> Tally {
    let mut tally = Tally::default();
    for p in progressions {
        let reach = p.last() + duration;
        let mut i = quiet.partition_point(|&(_, end)| end <= p.start);
        // Ranges of starts that hit, merged where they touch (intervals closer than the
        // duration).
        let mut pending: Option<(u32, u32)> = None;
        let mut count = |(from, to): (u32, u32)| {
            tally.add_indices(p, p.index_at_or_after(from), p.index_at_or_after(to));
        };
        while let Some(&(a, b)) = quiet.get(i) {
            if a >= reach {
                break;
            }
            let range = ((a + 1).saturating_sub(duration), b);
            pending = match pending {
                Some((from, to)) if range.0 <= to => Some((from, to.max(range.1))),
                Some(done) => {
                    count(done);
                    Some(range)
                }
                None => Some(range),
            };
            i += 1;
        }
        if let Some(done) = pending {
            count(done);
        }
    }
    tally
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
    let mut quiet: Option<Vec<(u32, u32)>> = None;
    let mut findings = Vec::new();
    for runs in &timetable.runs {
        let batch = &batches[runs.batch];
        if !policy.scope.covers(batch) || policy.except.contains(&batch.name) {
            continue;
        }
        let quiet = quiet.get_or_insert_with(|| policy.intervals(timetable, tail));
        let duration = durations[runs.batch].max(1);
        let hits = hits(runs.starts.progressions(), quiet, duration);
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
    use super::*;
    use crate::finding::{Location, Severity};
    use crate::settings::{Settings, Zone};
    use jiff::Timestamp;

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

    /// Minute by minute: the runs of each batch that have a quiet minute (on the window's
    /// clock) among the minutes they occupy.
    fn brute_force(q: &QuietHours, t: &Timetable, d: &[u32]) -> Vec<(usize, usize, u32, u32)> {
        let offset = |m: u32| {
            let at = t.instant(m);
            i64::from(q.zone.tz.to_offset(at).seconds()).div_euclid(60)
        };
        let quiet = |m: u32| q.is_quiet(t.base_minute + i64::from(m) + offset(m));
        t.runs
            .iter()
            .filter_map(|r| {
                let hits: Vec<u32> = r
                    .starts
                    .iter()
                    .filter(|&s| (s..s + d[r.batch].max(1)).any(quiet))
                    .collect();
                Some((r.batch, hits.len(), *hits.first()?, *hits.last()?))
            })
            .collect()
    }

    /// The quiet intervals minute by minute, from [`QuietHours::is_quiet`].
    fn intervals_minute_by_minute(q: &QuietHours, t: &Timetable, tail: u32) -> Vec<(u32, u32)> {
        let len = t.minutes + tail;
        let mut out: Vec<(u32, u32)> = Vec::new();
        for i in 0..len {
            let at = Timestamp::from_second((t.base_minute + i64::from(i)) * 60).unwrap();
            let offset = i64::from(q.zone.tz.to_offset(at).seconds()).div_euclid(60);
            if q.is_quiet(t.base_minute + i64::from(i) + offset) {
                match out.last_mut() {
                    Some(last) if last.1 == i => last.1 = i + 1,
                    _ => out.push((i, i + 1)),
                }
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Quiet-hours findings (how many runs, first, last) equal a minute-by-minute check
        /// on random schedules, durations, windows (across midnight too), days, dates and
        /// zones.
        #[test]
        fn quiet_hours_match_a_minute_by_minute_reference(
            crons in proptest::collection::vec(
                (proptest::sample::select(vec!["* * * * ? *", "*/7 * * * ? *", "0 * * * ? *", "15 2 * * ? *", "0/20 1-4 ? * MON-FRI *", "5,6,7 23 * * ? *", "rate(3 hours)", "10-50 0,12 L * ? *"]), 1u32..200),
                1..4,
            ),
            windows in proptest::collection::vec((0u16..1440, 1u16..1440), 1..3),
            days in proptest::option::of(1u8..255),
            dates in proptest::option::of(((1u8..13, 1u8..29), (1u8..13, 1u8..29))),
            zone in proptest::sample::select(vec!["Asia/Tokyo", "Europe/London", "America/New_York"]),
            from_minute in 0i64..(366 * 1440),
        ) {
            let text: String = crons
                .iter()
                .enumerate()
                .map(|(i, (cron, _))| format!("B{i}:\n  cron: \"{cron}\"\n  timezone: Europe/Berlin\n  batch_class: \"A\"\n  is_active: true\n"))
                .collect();
            let (batches, findings) = crate::schedule::load("s.yml", &text, &Settings::default());
            proptest::prop_assert!(findings.is_empty(), "{:?}", findings);
            let from = Timestamp::from_second(1_761_955_200 + from_minute * 60).unwrap();
            let t = Timetable::build(&batches, from, 6 * 1440);
            let d: Vec<u32> = crons.iter().map(|c| c.1).collect();
            let q = QuietHours {
                name: "q".into(),
                location: Location::file_start("rules/p.yml"),
                windows: windows.iter().map(|&(s, l)| (s, (s + l) % 1440)).map(|(s, e)| if e == 0 { (s, 1440) } else { (s, e) }).collect(),
                days: days.map(|d| d << 1),
                dates: dates.into_iter().collect(),
                zone: Zone::get(zone).unwrap(),
                scope: Scope::default(),
                except: Vec::new(),
                severity: Severity::Warning,
            };
            let found: Vec<(usize, usize, u32, u32)> = check(&q, &batches, &t, &d, 6)
                .iter()
                .map(|f| {
                    let how = f.occurrences.as_ref().unwrap();
                    let b = batches.iter().position(|b| b.name == how.batches[0]).unwrap();
                    let minute = |ts: Timestamp| (ts.as_second() / 60 - t.base_minute) as u32;
                    (b, how.count, minute(how.first), minute(how.last))
                })
                .collect();
            proptest::prop_assert_eq!(found, brute_force(&q, &t, &d));
            proptest::prop_assert_eq!(q.intervals(&t, 240), intervals_minute_by_minute(&q, &t, 240));
        }
    }
}
