//! Overlap: a batch starting again before its previous run's expected end, more batches of a
//! group at once than it allows, and too many batches starting in one minute.
//!
//! What is counted, exactly, over the whole horizon (a run counts from its start minute for
//! its duration; a run starting at the horizon's end is outside it):
//! - self-overlap: the runs that start before the batch's previous run ends;
//! - a group: the maximal stretches of minutes in which more of its *batches* run than
//!   `max_concurrent` allows. A batch overlapping itself counts once — two copies of one
//!   batch are the self-overlap finding's business, and counting them here would hide or
//!   invent collisions of the group — and every batch that runs at some minute of a stretch
//!   is named, including one that joins a stretch already over the limit;
//! - starts per minute: the minutes in which more batches start than allowed.
//!
//! Concurrency is a difference array over the horizon's minutes (a sweep in linear time),
//! fed with each batch's merged intervals: a progression whose step is at most the duration
//! is one interval, others one per run. Starts per minute sums progressions through strided
//! difference arrays; self-overlap reads the steps of the progressions.

use super::Overlap;
use super::Tally;
use super::quiet_hours::EXAMPLES;
use crate::finding::{Finding, Occurrences, Rule};
use crate::schedule::Batch;
use crate::timetable::Starts;
use crate::timetable::{Timetable, local_and_utc};
use std::collections::BTreeMap;

/// Batches a message and its related places name; the rest are counted there and listed in
/// the finding's `occurrences`.
const NAMED: usize = 8;

/// A batch's key in the starts-per-minute sums: a fixed mix of its index (SplitMix64), so
/// that distinct sets of starters have distinct sums but for a 2^-128 chance.
fn batch_key(batch: usize) -> u128 {
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let a = mix((batch as u64).wrapping_add(0x9e37_79b9_7f4a_7c15));
    let b = mix(a.wrapping_add(0x9e37_79b9_7f4a_7c15));
    (u128::from(a) << 64) | u128::from(b)
}

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
        // A run clashes when it starts less than `duration` after the one before: the first
        // of a progression against the last of the one before, the rest by their step.
        let mut clashes = Tally::default();
        let mut previous: Option<u32> = None;
        for p in runs.starts.progressions() {
            if previous.is_some_and(|last| p.start - last < duration) {
                clashes.add(p.start);
            }
            if p.count > 1 && p.step < duration {
                clashes.add_progression(p, 1);
            }
            previous = Some(p.last());
        }
        if clashes.is_empty() {
            continue;
        }
        let batch = &batches[runs.batch];
        let how_often = tally_occurrences(timetable, &clashes, batches, &[runs.batch]);
        let examples: Vec<String> = clashes
            .first
            .iter()
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
                    clashes.count,
                    runs.starts.len(),
                    examples.join(", ")
                ),
            )
            .help("space the runs further apart than the expected duration, or correct `duration`"),
        );
        if let (Some(f), Some(how)) = (findings.last_mut(), how_often) {
            f.occurrences = Some(how);
        }
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
        // Every batch is in the finding's `occurrences`; the message and the related
        // places name the first few, so a crowded group stays one readable finding.
        let mut names: Vec<String> = set.iter().take(NAMED).map(|&b| name(b)).collect();
        if set.len() > NAMED {
            names.push(format!("and {} more", set.len() - NAMED));
        }
        Some(Collision {
            location: batches[primary].field_location("cron").clone(),
            names: names.join(", "),
            examples: minutes
                .iter()
                .take(EXAMPLES)
                .map(|&m| local_and_utc(timetable.instant(m), &batches[primary].zone))
                .collect::<Vec<_>>()
                .join(", "),
            others: rest
                .iter()
                .take(NAMED)
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

/// A batch's runs as disjoint minute intervals `[start, end)`, overlapping runs merged,
/// made as they are read: a progression whose step is at most the duration is one interval.
fn merged_intervals(starts: &Starts, duration: u32, len: u32) -> impl Iterator<Item = (u32, u32)> {
    let duration = duration.max(1);
    let end = move |s: u32| s.saturating_add(duration).min(len);
    let mut pieces = starts.progressions().iter().flat_map(move |p| {
        let whole = p.count > 1 && p.step <= duration;
        let runs = if whole { 1 } else { p.count };
        (0..runs).map(move |i| {
            if whole {
                (p.start, end(p.last()))
            } else {
                (p.at(i), end(p.at(i)))
            }
        })
    });
    let mut pending: Option<(u32, u32)> = None;
    std::iter::from_fn(move || {
        for (s, e) in pieces.by_ref() {
            match pending {
                Some((from, to)) if s <= to => pending = Some((from, to.max(e))),
                Some(done) => {
                    pending = Some((s, e));
                    return Some(done);
                }
                None => pending = Some((s, e)),
            }
        }
        pending.take()
    })
}

/// How often, first and last, of a tally of occurrences.
fn tally_occurrences(
    timetable: &Timetable,
    tally: &Tally,
    batches: &[Batch],
    set: &[usize],
) -> Option<Occurrences> {
    Some(Occurrences {
        count: tally.count,
        first: timetable.instant(*tally.first.first()?),
        last: timetable.instant(tally.last?),
        batches: set.iter().map(|&b| batches[b].name.clone()).collect(),
    })
}

/// How often, first and last, for the start minutes of the occurrences of a finding.
fn occurrences(
    timetable: &Timetable,
    minutes: &[u32],
    batches: &[Batch],
    set: &[usize],
) -> Option<Occurrences> {
    Some(Occurrences {
        count: minutes.len(),
        first: timetable.instant(*minutes.first()?),
        last: timetable.instant(*minutes.last()?),
        batches: set.iter().map(|&b| batches[b].name.clone()).collect(),
    })
}

/// More batches of a group running at once than its `max_concurrent`.
pub fn groups(
    policy: &Overlap,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let len = timetable.minutes;
    for limit in &policy.groups {
        let members: Vec<(usize, &Starts)> = timetable
            .runs
            .iter()
            .filter(|r| batches[r.batch].group.as_deref() == Some(limit.name.as_str()))
            .map(|r| (r.batch, &r.starts))
            .collect();
        let mut count = vec![0i32; len as usize + 1];
        for &(b, starts) in &members {
            for (start, end) in merged_intervals(starts, durations[b], len) {
                count[start as usize] += 1;
                count[end as usize] -= 1;
            }
        }
        let mut running = 0;
        for c in count.iter_mut() {
            running += *c;
            *c = running;
        }
        count.truncate(len as usize);
        let stretches = stretches_over(&count, limit.max_concurrent as i32);
        // Who runs in each stretch: every interval finds the stretches it meets by binary
        // search (stretches are sorted and disjoint), so the cost follows the runs, not
        // runs × stretches.
        let mut sets: Vec<Vec<usize>> = vec![Vec::new(); stretches.len()];
        for &(b, starts) in &members {
            for (from, to) in merged_intervals(starts, durations[b], len) {
                let mut i = stretches.partition_point(|&(_, end)| end <= from);
                while let Some(&(start, _)) = stretches.get(i) {
                    if start >= to {
                        break;
                    }
                    if sets[i].last() != Some(&b) {
                        sets[i].push(b);
                    }
                    i += 1;
                }
            }
        }
        // The same set of batches colliding again and again is one finding.
        let mut by_set: BTreeMap<Vec<usize>, Vec<u32>> = BTreeMap::new();
        for (mut set, &(start, _)) in sets.into_iter().zip(&stretches) {
            set.sort_unstable();
            by_set.entry(set).or_default().push(start);
        }
        for (set, starts) in by_set {
            let Some(c) = Collision::of(batches, &set, &starts, timetable) else {
                continue;
            };
            let Some(how_often) = occurrences(timetable, &starts, batches, &set) else {
                continue;
            };
            let n = starts.len();
            let finding = Finding::new(
                Rule::PolicyGroupOverlap,
                limit.severity,
                c.location.clone(),
                format!(
                    "group `{}` allows {} at a time, but more of its batches run at once ({}) {n} time{} in the next {horizon_days} days, first {}{}",
                    limit.name,
                    limit.max_concurrent,
                    c.names,
                    if n == 1 { "" } else { "s" },
                    c.examples,
                    last_text(&starts, timetable, &batches[set[set.len() - 1]]),
                ),
            )
            .occurrences(how_often)
            .related(limit.location.clone(), format!("group `{}`", limit.name))
            .help("move one of them to a time when the others have finished, or raise `max_concurrent`");
            findings.push(c.relate(finding));
        }
    }
    findings
}

/// `, last …` when the last occurrence is not among the examples already listed.
fn last_text(minutes: &[u32], timetable: &Timetable, batch: &Batch) -> String {
    match minutes.last() {
        Some(last) if minutes.len() > EXAMPLES => {
            format!(
                ", last {}",
                local_and_utc(timetable.instant(*last), &batch.zone)
            )
        }
        _ => String::new(),
    }
}

/// Progressions at least this long are summed through a strided difference array.
const LONG: u32 = 64;
/// Strided difference arrays at most (each one is a value per minute of the horizon); the
/// progressions of any other step are walked run by run.
const STRIDES: usize = 6;

/// Per minute of the horizon, the sum of `weight(batch)` over the batches starting then, in
/// a group (`add`, `neg`: wrapping arithmetic). A long progression is two entries of a
/// difference array of its step (`+w` at its start, `-w` one step after its last), summed
/// with that stride, so the cost follows progressions and minutes, not runs.
fn per_minute<T: Copy + Default>(
    timetable: &Timetable,
    weight: impl Fn(usize) -> T,
    add: impl Fn(T, T) -> T,
    neg: impl Fn(T) -> T,
) -> Vec<T> {
    let len = timetable.minutes as usize;
    let mut total = vec![T::default(); len];
    let mut strided: BTreeMap<u32, Vec<T>> = BTreeMap::new();
    for runs in &timetable.runs {
        let w = weight(runs.batch);
        for p in runs.starts.progressions() {
            let long =
                p.count >= LONG && (strided.len() < STRIDES || strided.contains_key(&p.step));
            if !long {
                for i in 0..p.count {
                    let m = p.at(i) as usize;
                    total[m] = add(total[m], w);
                }
                continue;
            }
            let diff = strided
                .entry(p.step)
                .or_insert_with(|| vec![T::default(); len]);
            let start = p.start as usize;
            diff[start] = add(diff[start], w);
            let after = start + p.step as usize * p.count as usize;
            if after < len {
                diff[after] = add(diff[after], neg(w));
            }
        }
    }
    for (step, mut diff) in strided {
        let k = step as usize;
        for i in k..len {
            diff[i] = add(diff[i], diff[i - k]);
        }
        for (t, d) in total.iter_mut().zip(&diff) {
            *t = add(*t, *d);
        }
    }
    total
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
    let count = per_minute(timetable, |_| 1u32, u32::wrapping_add, u32::wrapping_neg);
    let busy: Vec<u32> = (0..timetable.minutes)
        .filter(|&m| count[m as usize] > limit.limit)
        .collect();
    drop(count);
    // Who starts in each busy minute, without a list per minute (a thousand minutely batches
    // would make that a list of every run): each batch adds a random 128-bit key to a
    // minute's sum, so minutes with the same starters have the same sum; the starters are
    // then read for one minute of each sum.
    let sums = per_minute(timetable, batch_key, u128::wrapping_add, u128::wrapping_neg);
    let mut by_sum: BTreeMap<u128, Vec<u32>> = BTreeMap::new();
    for &m in &busy {
        by_sum.entry(sums[m as usize]).or_default().push(m);
    }
    drop(sums);
    // One more pass over the progressions reads the starters of one minute of each sum.
    let groups: Vec<Vec<u32>> = by_sum.into_values().collect();
    let mut representatives: Vec<(u32, usize)> = groups
        .iter()
        .enumerate()
        .map(|(g, minutes)| (minutes[0], g))
        .collect();
    representatives.sort_unstable();
    let mut sets: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for runs in &timetable.runs {
        for p in runs.starts.progressions() {
            let from = representatives.partition_point(|&(m, _)| m < p.start);
            for &(m, g) in representatives[from..]
                .iter()
                .take_while(|&&(m, _)| m <= p.last())
            {
                if p.step == 0 || (m - p.start) % p.step == 0 {
                    sets[g].push(runs.batch);
                }
            }
        }
    }
    let mut by_set: BTreeMap<Vec<usize>, Vec<u32>> = BTreeMap::new();
    for (set, minutes) in sets.into_iter().zip(groups) {
        by_set.entry(set).or_default().extend(minutes);
    }
    let mut findings = Vec::new();
    for (set, mut minutes) in by_set {
        minutes.sort_unstable();
        let Some(c) = Collision::of(batches, &set, &minutes, timetable) else {
            continue;
        };
        let Some(how_often) = occurrences(timetable, &minutes, batches, &set) else {
            continue;
        };
        let finding = Finding::new(
            Rule::PolicyStartsPerMinute,
            limit.severity,
            c.location.clone(),
            format!(
                "{} batches start in the same minute (at most {} may): {} — {} time{} in the next {horizon_days} days, first {}{}",
                set.len(),
                limit.limit,
                c.names,
                minutes.len(),
                if minutes.len() == 1 { "" } else { "s" },
                c.examples,
                last_text(&minutes, timetable, &batches[set[set.len() - 1]]),
            ),
        )
        .occurrences(how_often)
        .related(limit.location.clone(), "max_starts_per_minute".to_string())
        .help("stagger the start minutes (e.g. 00:00, 00:05, 00:10)");
        findings.push(c.relate(finding));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity};
    use crate::policy::{GroupLimit, StartLimit};
    use crate::settings::Settings;
    use jiff::Timestamp;

    #[test]
    fn stretches_are_maximal() {
        assert_eq!(
            stretches_over(&[0, 2, 2, 1, 2, 0, 3], 1),
            vec![(1, 3), (4, 5), (6, 7)]
        );
        assert!(stretches_over(&[1, 1, 0], 1).is_empty());
    }

    /// Batches in group `g` from `(name, cron, duration)`, in Asia/Tokyo, over `days` days
    /// from 2026-11-29T00:00 JST (so a `0 1 * * ? *` batch runs at minute 60 of each day).
    fn scene(specs: &[(&str, &str, u32)], days: u32) -> (Vec<Batch>, Timetable, Vec<u32>) {
        let text: String = specs
            .iter()
            .map(|(name, cron, _)| {
                format!("{name}:\n  cron: \"{cron}\"\n  batch_class: \"A::B\"\n  is_active: true\n  group: g\n")
            })
            .collect();
        let (batches, findings) = crate::schedule::load("s.yml", &text, &Settings::default());
        assert!(findings.is_empty(), "{findings:?}");
        // One minute before midnight JST, so the horizon's minute 0 is 00:00 JST.
        let from: Timestamp = "2026-11-28T14:59:00Z".parse().unwrap();
        let timetable = Timetable::build(&batches, from, days * 1440);
        let durations = specs.iter().map(|s| s.2).collect();
        (batches, timetable, durations)
    }

    fn max_one() -> Overlap {
        Overlap {
            groups: vec![GroupLimit {
                name: "g".into(),
                location: Location::file_start("rules/p.yml"),
                max_concurrent: 1,
                severity: Severity::Error,
            }],
            ..Overlap::default()
        }
    }

    fn names(f: &Finding) -> Vec<String> {
        f.occurrences.as_ref().unwrap().batches.clone()
    }

    // A 01:00–02:00, B 01:10–01:50 and C 01:20–01:30 in a max-1 group: the finding named
    // A and B only, though C collides with both.
    #[test]
    fn a_batch_that_joins_a_stretch_already_over_the_limit_is_named() {
        let (batches, t, d) = scene(
            &[
                ("A", "0 1 * * ? *", 60),
                ("B", "10 1 * * ? *", 40),
                ("C", "20 1 * * ? *", 10),
            ],
            3,
        );
        let found = groups(&max_one(), &batches, &t, &d, 3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(names(&found[0]), ["A", "B", "C"]);
        let how = found[0].occurrences.as_ref().unwrap();
        // One stretch a day, 01:10–01:50 JST.
        assert_eq!(how.count, 3);
        assert_eq!(how.first.to_string(), "2026-11-28T16:10:00Z");
        assert_eq!(how.last.to_string(), "2026-11-30T16:10:00Z");
    }

    // R overlapping itself 06:00–06:30 (every 10 minutes, 20 each) and W 06:10–06:20 in the
    // same group: the stretch began with R's two copies and was dropped whole.
    #[test]
    fn self_overlap_does_not_hide_another_batch_in_the_group() {
        let (batches, t, d) = scene(&[("R", "0,10 6 * * ? *", 20), ("W", "10 6 * * ? *", 10)], 2);
        let found = groups(&max_one(), &batches, &t, &d, 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(names(&found[0]), ["R", "W"]);
        assert_eq!(found[0].occurrences.as_ref().unwrap().count, 2);
        // R alone, two copies of itself, is not a group collision: self-overlap says so.
        let (batches, t, d) = scene(&[("R", "0,10 6 * * ? *", 20)], 2);
        assert!(groups(&max_one(), &batches, &t, &d, 2).is_empty());
        assert_eq!(self_overlap(&max_one(), &batches, &t, &d, 2).len(), 1);
    }

    // Two batches that overlap each other every day went unreported when a third batch of
    // the group always ran two copies of itself.
    #[test]
    fn a_batch_always_overlapping_itself_does_not_mask_a_pair() {
        let (batches, t, d) = scene(
            &[
                ("Busy", "0/30 * * * ? *", 45),
                ("X", "0 3 * * ? *", 30),
                ("Y", "10 3 * * ? *", 30),
            ],
            2,
        );
        let found = groups(&max_one(), &batches, &t, &d, 2);
        // Busy runs all the time: with any of X, Y it is over the limit; the stretch that
        // holds X and Y is named with all three.
        assert!(
            found.iter().any(|f| names(f) == ["Busy", "X", "Y"]),
            "{:?}",
            found.iter().map(names).collect::<Vec<_>>()
        );
    }

    // Beyond the first 1,000 itemised collisions the count was what was listed: "998 times"
    // where 21,600 was right.
    #[test]
    fn counts_are_exact_however_many() {
        // Two batches every two minutes for one minute each, at the same minutes: a
        // collision stretch of one minute, 720 a day, for 30 days.
        let (batches, t, d) = scene(&[("P", "0/2 * * * ? *", 1), ("Q", "0/2 * * * ? *", 1)], 30);
        let found = groups(&max_one(), &batches, &t, &d, 30);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].occurrences.as_ref().unwrap().count, 21_600);
        assert!(
            found[0].message.contains("21600 times"),
            "{}",
            found[0].message
        );
        let policy = Overlap {
            max_starts_per_minute: Some(StartLimit {
                location: Location::file_start("rules/p.yml"),
                limit: 1,
                severity: Severity::Error,
            }),
            ..Overlap::default()
        };
        let found = starts_per_minute(&policy, &batches, &t, 30);
        assert_eq!(found.len(), 1);
        let how = found[0].occurrences.as_ref().unwrap();
        assert_eq!(how.count, 21_600);
        assert_eq!(how.batches, ["P", "Q"]);
    }

    /// Minute by minute, the sets of batches of each stretch over the limit and how often.
    fn brute_force(t: &Timetable, d: &[u32], limit: usize) -> BTreeMap<Vec<usize>, usize> {
        let running = |m: u32| -> Vec<usize> {
            t.runs
                .iter()
                .filter(|r| r.starts.iter().any(|s| s <= m && m < s + d[r.batch].max(1)))
                .map(|r| r.batch)
                .collect()
        };
        let mut out: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        let mut stretch: Option<std::collections::BTreeSet<usize>> = None;
        for m in 0..=t.minutes {
            let now = if m < t.minutes {
                running(m)
            } else {
                Vec::new()
            };
            if now.len() > limit {
                stretch.get_or_insert_with(Default::default).extend(now);
            } else if let Some(set) = stretch.take() {
                *out.entry(set.into_iter().collect()).or_default() += 1;
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Group findings equal a minute-by-minute count on random repositories, with
        /// batches that overlap themselves among them.
        #[test]
        fn groups_match_a_minute_by_minute_reference(
            specs in proptest::collection::vec(
                (proptest::collection::btree_set(0u32..60, 1..3), proptest::collection::btree_set(0u32..24, 1..3), 1u32..120),
                1..5,
            ),
            limit in 1u32..3,
        ) {
            let names: Vec<String> = (0..specs.len()).map(|i| format!("B{i}")).collect();
            let crons: Vec<String> = specs
                .iter()
                .map(|(mins, hours, _)| {
                    let list = |s: &std::collections::BTreeSet<u32>| s.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                    format!("{} {} * * ? *", list(mins), list(hours))
                })
                .collect();
            let triples: Vec<(&str, &str, u32)> = specs
                .iter()
                .enumerate()
                .map(|(i, (_, _, dur))| (names[i].as_str(), crons[i].as_str(), *dur))
                .collect();
            let (batches, t, d) = scene(&triples, 2);
            let mut policy = max_one();
            policy.groups[0].max_concurrent = limit;
            let found: BTreeMap<Vec<usize>, usize> = groups(&policy, &batches, &t, &d, 2)
                .iter()
                .map(|f| {
                    let how = f.occurrences.as_ref().unwrap();
                    let set = how.batches.iter().map(|n| names.iter().position(|x| x == n).unwrap()).collect();
                    (set, how.count)
                })
                .collect();
            proptest::prop_assert_eq!(found, brute_force(&t, &d, limit as usize));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Starts-per-minute findings (the set of starters, how many minutes, first, last)
        /// equal a minute-by-minute count, with long progressions (minutely, every few
        /// minutes, hourly) summed by stride and short ones run by run.
        #[test]
        fn starts_per_minute_match_a_minute_by_minute_reference(
            crons in proptest::collection::vec(
                proptest::sample::select(vec!["* * * * ? *", "*/2 * * * ? *", "*/3 * * * ? *", "0/5 * * * ? *", "1/5 * * * ? *", "*/7 * * * ? *", "0 * * * ? *", "0,1,2 3 * * ? *", "0 3 * * ? *", "*/10 2-4 ? * MON-FRI *", "rate(6 minutes)", "rate(1 hour)", "*/11 * * * ? *", "*/13 * * * ? *", "*/17 * * * ? *", "*/19 * * * ? *", "* 3-5 * * ? *", "*/2 1-6 * * ? *", "*/3 4 * * ? *"]),
                1..9,
            ),
            limit in 1u32..4,
        ) {
            let names: Vec<String> = (0..crons.len()).map(|i| format!("B{i}")).collect();
            let triples: Vec<(&str, &str, u32)> = crons.iter().enumerate().map(|(i, c)| (names[i].as_str(), *c, 1)).collect();
            let (batches, t, _) = scene(&triples, 3);
            let policy = Overlap {
                max_starts_per_minute: Some(StartLimit {
                    location: Location::file_start("rules/p.yml"),
                    limit,
                    severity: Severity::Error,
                }),
                ..Overlap::default()
            };
            let minute = |ts: Timestamp| (ts.as_second() / 60 - t.base_minute) as u32;
            let found: BTreeMap<Vec<usize>, (usize, u32, u32)> = starts_per_minute(&policy, &batches, &t, 3)
                .iter()
                .map(|f| {
                    let how = f.occurrences.as_ref().unwrap();
                    let set = how.batches.iter().map(|n| names.iter().position(|x| x == n).unwrap()).collect();
                    (set, (how.count, minute(how.first), minute(how.last)))
                })
                .collect();
            let mut want: BTreeMap<Vec<usize>, (usize, u32, u32)> = BTreeMap::new();
            for m in 0..t.minutes {
                let set: Vec<usize> = t.runs.iter().filter(|r| r.starts.range(m, m + 1).next().is_some()).map(|r| r.batch).collect();
                if set.len() > limit as usize {
                    let e = want.entry(set).or_insert((0, m, m));
                    e.0 += 1;
                    e.2 = m;
                }
            }
            proptest::prop_assert_eq!(found, want);
        }
    }
}
