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
//! fed with each batch's runs as progressions of disjoint intervals (a progression whose
//! step is at most the duration is one interval; runs of one batch that overlap are joined),
//! placed through strided difference arrays where a step has enough runs; who runs in each
//! stretch over a limit is found per interval or per stretch, whichever is fewer. Starts
//! per minute sums progressions the same way; self-overlap reads the steps of the
//! progressions.

use super::Overlap;
use super::Tally;
use super::quiet_hours::EXAMPLES;
use crate::finding::{Finding, Occurrences, Rule};
use crate::schedule::Batch;
use crate::timetable::Starts;
use crate::timetable::{Timetable, local_and_utc};
use std::collections::{BTreeMap, HashMap};

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

/// A hasher for starts-per-minute sums, which are sums of random keys: their low 64 bits
/// are already a good hash.
#[derive(Default)]
struct SumHasher(u64);

impl std::hash::Hasher for SumHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u128`s are hashed; any other input still hashes, byte by byte.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
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

/// Disjoint minute intervals of one batch, as a progression: `count` intervals
/// `[start + k·step, start + k·step + len)`; `step` is 0 when `count` is 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spans {
    start: u32,
    step: u32,
    count: u32,
    len: u32,
}

impl Spans {
    fn last_start(&self) -> u32 {
        self.start + self.step * (self.count - 1)
    }

    /// The end (exclusive) of the last interval.
    fn end(&self) -> u32 {
        self.last_start() + self.len
    }

    /// Whether one of the intervals meets `[from, to)`: the first one ending after `from`,
    /// found by division, starts before `to`.
    fn meets(&self, from: u32, to: u32) -> bool {
        let k = if self.start + self.len > from {
            0
        } else {
            // A single interval (step 0) that ends by `from` meets nothing.
            let Some(k) = (from - self.start - self.len).checked_div(self.step) else {
                return false;
            };
            k + 1
        };
        k < self.count && self.start + k * self.step < to
    }
}

/// A batch's runs as disjoint spans in time order, overlapping runs merged (a batch running
/// twice at once runs once for its group): a progression whose step is at most the duration
/// is one interval, others keep their step; where a progression's first run begins before
/// the previous one's last has ended, the two runs become one interval.
fn spans(starts: &Starts, duration: u32) -> Vec<Spans> {
    let d = duration.max(1);
    let mut out: Vec<Spans> = Vec::new();
    for p in starts.progressions() {
        let mut next = if p.count > 1 && p.step <= d {
            Spans {
                start: p.start,
                step: 0,
                count: 1,
                len: p.last() - p.start + d,
            }
        } else {
            Spans {
                start: p.start,
                step: p.step,
                count: p.count,
                len: d,
            }
        };
        if let Some(prev) = out.last_mut()
            && next.start < prev.end()
        {
            let from = prev.last_start();
            if prev.count == 1 {
                out.pop();
            } else {
                prev.count -= 1;
            }
            // Progressions are in time order, so the joined run ends where `next`'s first does.
            out.push(Spans {
                start: from,
                step: 0,
                count: 1,
                len: next.start + next.len - from,
            });
            if next.count == 1 {
                continue;
            }
            next.start += next.step;
            next.count -= 1;
            if next.count == 1 {
                next.step = 0;
            }
        }
        out.push(next);
    }
    out
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
    policy
        .groups
        .iter()
        .flat_map(|limit| group(limit, batches, timetable, durations, horizon_days))
        .collect()
}

/// The findings of one group's limit: more of its batches running at once than it allows.
pub fn group(
    limit: &super::GroupLimit,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let len = timetable.minutes;
    let members: Vec<(usize, &Starts)> = timetable
        .runs
        .iter()
        .filter(|r| batches[r.batch].group.as_deref() == Some(limit.name.as_str()))
        .map(|r| (r.batch, &r.starts))
        .collect();
    let spans: Vec<Vec<Spans>> = members
        .iter()
        .map(|&(b, starts)| spans(starts, durations[b]))
        .collect();
    // Concurrency per minute: each interval is +1 at its start and -1 at its end, placed
    // as progressions (so a year of hourly runs is four entries), then summed.
    let placed: Vec<Placed<i32>> = spans
        .iter()
        .flatten()
        .flat_map(|s| {
            [(s.start, 1), (s.start + s.len, -1)].map(|(start, w)| Placed {
                start,
                step: s.step,
                count: s.count,
                w,
            })
        })
        .collect();
    let mut count = Vec::with_capacity(len as usize);
    let mut running = 0i32;
    each_sum(
        len,
        &placed,
        i32::wrapping_add,
        i32::wrapping_neg,
        |_, d| {
            running += d;
            count.push(running);
        },
    );
    drop(placed);
    let stretches = stretches_over(&count, limit.max_concurrent as i32);
    // For each minute, the first stretch ending after it, so that a run finds its
    // stretches in constant time (the counts are done with).
    let mut j = 0;
    let next_stretch: Vec<u32> = count
        .into_iter()
        .enumerate()
        .map(|(m, _)| {
            while stretches.get(j).is_some_and(|&(_, end)| end as usize <= m) {
                j += 1;
            }
            j as u32
        })
        .collect();
    // Who runs in each stretch, as (stretch, batch) pairs: a span either tests each
    // stretch it reaches by division, or looks up the stretches of each of its intervals,
    // whichever is fewer.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (&(b, _), spans) in members.iter().zip(&spans) {
        let mut mark = |i: usize| pairs.push((i as u32, b as u32));
        for s in spans {
            let lo = next_stretch[s.start as usize] as usize;
            let hi = lo + stretches[lo..].partition_point(|&(start, _)| start < s.end());
            if hi - lo <= s.count as usize {
                for (i, &(from, to)) in stretches.iter().enumerate().take(hi).skip(lo) {
                    if s.meets(from, to) {
                        mark(i);
                    }
                }
                continue;
            }
            for k in 0..s.count {
                let (from, to) = (s.start + k * s.step, s.start + k * s.step + s.len);
                let mut i = next_stretch[from as usize] as usize;
                while i < hi && stretches[i].0 < to {
                    mark(i);
                    i += 1;
                }
            }
        }
    }
    drop(next_stretch);
    // The pairs came batch by batch: a counting sort by stretch keeps each stretch's
    // batches in order, a batch that met it twice next to itself.
    let mut offsets = vec![0usize; stretches.len() + 1];
    for &(i, _) in &pairs {
        offsets[i as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let mut fill = offsets.clone();
    let mut by_stretch = vec![0u32; pairs.len()];
    for &(i, b) in &pairs {
        by_stretch[fill[i as usize]] = b;
        fill[i as usize] += 1;
    }
    drop((pairs, fill));
    // The same set of batches colliding again and again is one finding, in the order of
    // the sets.
    let mut by_set: HashMap<Vec<u32>, Vec<u32>> = HashMap::new();
    let mut set = Vec::new();
    for (i, &(start, _)) in stretches.iter().enumerate() {
        set.clear();
        set.extend_from_slice(&by_stretch[offsets[i]..offsets[i + 1]]);
        set.dedup();
        match by_set.get_mut(&set) {
            Some(starts) => starts.push(start),
            None => {
                by_set.insert(set.clone(), vec![start]);
            }
        }
    }
    let mut by_set: Vec<(Vec<usize>, Vec<u32>)> = by_set
        .into_iter()
        .map(|(set, starts)| (set.into_iter().map(|b| b as usize).collect(), starts))
        .collect();
    by_set.sort_unstable();
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

/// Progressions at least this long may be summed through a strided difference array.
const LONG: u32 = 64;
/// Strided difference arrays at most (each one is a value per minute of the horizon); the
/// progressions of any other step are walked run by run.
const STRIDES: usize = 6;

/// `count` weights `w` at minutes `start + k·step`.
#[derive(Debug, Clone, Copy)]
struct Placed<T> {
    start: u32,
    step: u32,
    count: u32,
    w: T,
}

/// Per minute of a horizon of `len` minutes, in order, the sum of the weights placed there
/// (`add`, `neg`: wrapping arithmetic), handed to `each`; minutes at or after the end are
/// dropped. The long progressions of a step that has at least a run per minute of the
/// horizon among them are two entries each of a difference array of that step (`+w` at the
/// start, `-w` one step after the last), summed with that stride, so the cost follows
/// progressions and minutes, not runs; the rest are added run by run, which is cheaper than
/// a pass over the horizon.
fn each_sum<T: Copy + Default>(
    len: u32,
    placed: &[Placed<T>],
    add: fn(T, T) -> T,
    neg: fn(T) -> T,
    mut each: impl FnMut(u32, T),
) {
    let len = len as usize;
    let mut runs_by_step: BTreeMap<u32, u64> = BTreeMap::new();
    for p in placed.iter().filter(|p| p.count >= LONG) {
        *runs_by_step.entry(p.step).or_default() += u64::from(p.count);
    }
    let mut worth: Vec<(u64, u32)> = runs_by_step
        .into_iter()
        .filter(|&(_, runs)| runs >= len as u64)
        .map(|(step, runs)| (runs, step))
        .collect();
    worth.sort_unstable_by(|a, b| b.cmp(a));
    worth.truncate(STRIDES);
    let mut strided: Vec<(usize, Vec<T>)> = worth
        .into_iter()
        .map(|(_, step)| (step as usize, vec![T::default(); len]))
        .collect();
    let mut total = vec![T::default(); len];
    for p in placed {
        let (start, step) = (p.start as usize, p.step as usize);
        if start >= len {
            continue;
        }
        let diff = strided
            .iter_mut()
            .find(|(k, _)| *k == step && p.count >= LONG);
        match diff {
            Some((_, diff)) => {
                diff[start] = add(diff[start], p.w);
                let after = start + step * p.count as usize;
                if after < len {
                    diff[after] = add(diff[after], neg(p.w));
                }
            }
            None => {
                for m in (start..len).step_by(step.max(1)).take(p.count as usize) {
                    total[m] = add(total[m], p.w);
                }
            }
        }
    }
    for (k, mut diff) in strided {
        for i in k..len {
            diff[i] = add(diff[i], diff[i - k]);
        }
        for (t, d) in total.iter_mut().zip(&diff) {
            *t = add(*t, *d);
        }
    }
    for (i, sum) in total.into_iter().enumerate() {
        each(i as u32, sum);
    }
}

/// Per minute of the horizon, the sum of `weight(batch)` over the batches starting then,
/// handed to `each` in order.
fn per_minute<T: Copy + Default>(
    timetable: &Timetable,
    weight: impl Fn(usize) -> T,
    add: fn(T, T) -> T,
    neg: fn(T) -> T,
    each: impl FnMut(u32, T),
) {
    let placed: Vec<Placed<T>> = timetable
        .runs
        .iter()
        .flat_map(|runs| {
            let w = weight(runs.batch);
            runs.starts.progressions().iter().map(move |p| Placed {
                start: p.start,
                step: p.step,
                count: p.count,
                w,
            })
        })
        .collect();
    each_sum(timetable.minutes, &placed, add, neg, each);
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
    let mut busy = vec![false; timetable.minutes as usize];
    let mut any = false;
    per_minute(
        timetable,
        |_| 1u32,
        u32::wrapping_add,
        u32::wrapping_neg,
        |m, n| {
            busy[m as usize] = n > limit.limit;
            any |= n > limit.limit;
        },
    );
    if !any {
        return Vec::new();
    }
    // Who starts in each busy minute, without a list per minute (a thousand minutely batches
    // would make that a list of every run): each batch adds a random 128-bit key to a
    // minute's sum, so minutes with the same starters have the same sum; the starters are
    // then read for one minute of each sum. The sums are uniformly random already, so they
    // are their own hash.
    let mut by_sum: HashMap<u128, Vec<u32>, std::hash::BuildHasherDefault<SumHasher>> =
        HashMap::default();
    per_minute(
        timetable,
        batch_key,
        u128::wrapping_add,
        u128::wrapping_neg,
        |m, sum| {
            if busy[m as usize] {
                by_sum.entry(sum).or_default().push(m);
            }
        },
    );
    drop(busy);
    // One more pass over the progressions reads the starters of one minute of each sum: a
    // progression tests each representative minute in its range by division, or looks up
    // each of its starts, whichever is fewer.
    let groups: Vec<Vec<u32>> = by_sum.into_values().collect();
    let mut representatives: Vec<u32> = groups.iter().map(|minutes| minutes[0]).collect();
    representatives.sort_unstable();
    let mut group_at = vec![u32::MAX; timetable.minutes as usize];
    for (g, minutes) in groups.iter().enumerate() {
        group_at[minutes[0] as usize] = g as u32;
    }
    let mut sets: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for runs in &timetable.runs {
        for p in runs.starts.progressions() {
            let from = representatives.partition_point(|&m| m < p.start);
            let to = from + representatives[from..].partition_point(|&m| m <= p.last());
            let mut add = |m: u32| {
                if let Some(set) = sets.get_mut(group_at[m as usize] as usize) {
                    set.push(runs.batch);
                }
            };
            if to - from <= p.count as usize {
                for &m in &representatives[from..to] {
                    if p.step == 0 || (m - p.start) % p.step == 0 {
                        add(m);
                    }
                }
            } else {
                (0..p.count).for_each(|i| add(p.at(i)));
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

    // A stretch's end is exclusive: a batch starting the minute the others have finished is
    // not in it. A 03:00–03:10, B 03:05–03:10, C 03:10–03:15, every day.
    #[test]
    fn a_batch_starting_as_a_stretch_ends_is_not_named() {
        let (batches, t, d) = scene(
            &[
                ("A", "0 3 * * ? *", 10),
                ("B", "5 3 * * ? *", 5),
                ("C", "10 3 * * ? *", 5),
            ],
            2,
        );
        let found = groups(&max_one(), &batches, &t, &d, 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(names(&found[0]), ["A", "B"]);
        let how = found[0].occurrences.as_ref().unwrap();
        // 03:05 JST on 29 and 30 November.
        assert_eq!(how.count, 2);
        assert_eq!(how.first.to_string(), "2026-11-28T18:05:00Z");
        assert_eq!(how.last.to_string(), "2026-11-29T18:05:00Z");
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
        // Each batch's minutes, marked run by run.
        let covered: Vec<(usize, Vec<bool>)> = t
            .runs
            .iter()
            .map(|r| {
                let mut on = vec![false; t.minutes as usize];
                for s in r.starts.iter() {
                    for m in s..(s + d[r.batch].max(1)).min(t.minutes) {
                        on[m as usize] = true;
                    }
                }
                (r.batch, on)
            })
            .collect();
        let running = |m: u32| -> Vec<usize> {
            covered
                .iter()
                .filter(|(_, on)| on[m as usize])
                .map(|(b, _)| *b)
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
                (
                    proptest::collection::btree_set(0u32..60, 1..3),
                    proptest::collection::btree_set(0u32..24, 1..3),
                    1u32..120,
                    // Frequent ones too, so that long progressions of intervals (summed by
                    // stride) and runs joined across progressions are compared.
                    proptest::option::weighted(0.4, proptest::sample::select(vec!["* * * * ? *", "*/2 * * * ? *", "*/7 * * * ? *", "0 * * * ? *", "*/10 2-4 ? * MON-FRI *", "rate(6 minutes)", "*/13 * * * ? *", "* 3-5 * * ? *", "*/2 1-6 * * ? *", "0,1,2,30 * * * ? *", "0/20 1-23/2 * * ? *"])),
                ),
                1..6,
            ),
            limit in 1u32..3,
        ) {
            let names: Vec<String> = (0..specs.len()).map(|i| format!("B{i}")).collect();
            let crons: Vec<String> = specs
                .iter()
                .map(|(mins, hours, _, frequent)| {
                    let list = |s: &std::collections::BTreeSet<u32>| s.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                    frequent.map_or_else(|| format!("{} {} * * ? *", list(mins), list(hours)), str::to_string)
                })
                .collect();
            let triples: Vec<(&str, &str, u32)> = specs
                .iter()
                .enumerate()
                .map(|(i, (_, _, dur, _))| (names[i].as_str(), crons[i].as_str(), *dur))
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
