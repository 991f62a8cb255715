//! The timetable: every run of every active batch over a horizon, from the one cron engine.
//!
//! Runs are kept per batch as minutes since the horizon's first minute (exact: EventBridge
//! fires on whole minutes), stored as arithmetic progressions `start, step, count` in time
//! order ([`Starts`]): a minutely, hourly or daily batch in a zone without a change of offset
//! is one progression for the whole horizon, so memory follows progressions, not runs.
//!
//! Expansion uses the periodic structure of a cron expression: the times of day it fires at
//! do not depend on the day, and the days of a month it fires on are the engine's day mask.
//! So once the engine has found a day's first fire time on the rules backend, and the rest
//! of that local month lies in one stretch of constant UTC offset (and inside the horizon),
//! each of its fire days is the day's pattern shifted, and the engine is asked for the next
//! month. Otherwise, for a frequent batch (16 fire times a day or more), a whole day that
//! lies in one stretch (on Scheduler also away from a repeated hour and inside
//! `start`/`end`) is the pattern shifted. What neither can vouch for (the horizon's first
//! and last days, days with an offset change) is enumerated one fire time at a time. A rate
//! is one progression. So expansion costs about one engine step per month of a batch in a
//! zone without daylight saving time, not one per run.
//!
//! Policy checks walk these progressions (or stream the runs of short ones); nothing compares
//! runs pairwise. The timetable's limit ([`DEFAULT_MAX_PROGRESSIONS`]) counts progressions,
//! since memory and the policies' time follow them: frequent regular batches never reach it,
//! a very large estate of irregular lists of minutes over a long horizon does.

use crate::cron::{Compiled, Expression};
use crate::schedule::Batch;
use crate::settings::Zone;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `count` start minutes `start, start + step, …`; `step` is 0 when `count` is 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progression {
    pub start: u32,
    pub step: u32,
    pub count: u32,
}

impl Progression {
    /// The last start minute.
    pub fn last(&self) -> u32 {
        self.start + self.step * (self.count - 1)
    }

    /// The index of the first start at or after `minute` (`count` when there is none).
    pub fn index_at_or_after(&self, minute: u32) -> u32 {
        if minute <= self.start {
            0
        } else if self.step == 0 {
            1
        } else {
            (minute - self.start).div_ceil(self.step).min(self.count)
        }
    }

    /// The start minute at index `i`.
    pub fn at(&self, i: u32) -> u32 {
        self.start + self.step * i
    }
}

/// The increasing start minutes of one batch, as progressions in time order (each one's last
/// start before the next one's first).
#[derive(Debug, Clone, Default)]
pub struct Starts {
    progressions: Vec<Progression>,
    len: usize,
}

impl PartialEq for Starts {
    /// The same runs, however they are cut into progressions.
    fn eq(&self, other: &Starts) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Starts {}

impl Starts {
    /// Appends a start after the last one.
    pub fn push(&mut self, minute: u32) {
        self.push_progression(Progression {
            start: minute,
            step: 0,
            count: 1,
        });
    }

    /// Appends `count` starts `start, start + step, …` after the last one, extending the
    /// last progression when they continue it.
    pub fn push_progression(&mut self, p: Progression) {
        if p.count == 0 {
            return;
        }
        debug_assert!(self.last().is_none_or(|l| l < p.start));
        self.len += p.count as usize;
        if let Some(q) = self.progressions.last_mut() {
            let gap = p.start - q.last();
            // One start and the next: a progression of two, whatever the gap.
            let fits = (q.count == 1 || q.step == gap) && (p.count == 1 || p.step == gap);
            if fits {
                q.step = gap;
                q.count += p.count;
                return;
            }
        }
        self.progressions.push(p);
    }

    /// The progressions, in time order.
    pub fn progressions(&self) -> &[Progression] {
        &self.progressions
    }

    /// Number of starts.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn first(&self) -> Option<u32> {
        self.progressions.first().map(|p| p.start)
    }

    pub fn last(&self) -> Option<u32> {
        self.progressions.last().map(Progression::last)
    }

    /// Every start, increasing.
    pub fn iter(&self) -> impl Iterator<Item = u32> + Clone + '_ {
        self.progressions
            .iter()
            .flat_map(|p| (0..p.count).map(move |i| p.at(i)))
    }

    /// The starts in `[from, to)`, increasing.
    pub fn range(&self, from: u32, to: u32) -> impl Iterator<Item = u32> + '_ {
        let first = self.progressions.partition_point(|p| p.last() < from);
        self.progressions[first..]
            .iter()
            .take_while(move |p| p.start < to)
            .flat_map(move |p| {
                let lo = p.index_at_or_after(from);
                let hi = p.index_at_or_after(to);
                (lo..hi).map(move |i| p.at(i))
            })
    }
}

/// The runs of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRuns {
    /// Index into the batch list the timetable was built from; `Timetable::runs` is sorted
    /// by it.
    pub batch: usize,
    /// Start minutes since [`Timetable::base_minute`], increasing.
    pub starts: Starts,
}

/// All runs of the active batches from `from` (exclusive) over `minutes` minutes.
#[derive(Debug, Clone)]
pub struct Timetable {
    /// Epoch minute of the horizon's first whole minute after `from`.
    pub base_minute: i64,
    /// Length of the horizon in minutes.
    pub minutes: u32,
    pub runs: Vec<BatchRuns>,
    /// Set when the progressions were more than the limit and expanding stopped: the batch
    /// that was being expanded then. Policies on a truncated timetable are incomplete.
    pub truncated: Option<usize>,
}

/// The most progressions one timetable holds by default (12 bytes each, about 240 MB).
/// Memory and the policies' time follow progressions, not runs: a minutely batch is one a
/// year, a daily one too; an irregular list of minutes is about one per two runs. So the
/// limit is reached by tens of thousands of such batches over a year, never by frequent
/// regular ones. A repository that needs more shortens `--horizon`.
pub const DEFAULT_MAX_PROGRESSIONS: u64 = 20_000_000;

/// A day's pattern uses the periodic path from this many fire times a day on; below it one
/// engine step per fire time is as cheap as one per day.
const PERIODIC_FROM: usize = 16;

/// The times of day (minutes after local midnight) a cron expression fires at, as
/// progressions, with the first and last: the same on every day it fires, read from the
/// engine's compiled fields, which also say on which days of a month it fires.
struct DayPattern {
    compiled: Compiled,
    progressions: Vec<Progression>,
    first: u32,
    last: u32,
    /// Fire times a day.
    count: usize,
}

impl DayPattern {
    fn of(expr: &Expression) -> Option<DayPattern> {
        let Expression::Cron(cron) = expr else {
            return None;
        };
        let compiled = Compiled::new(cron);
        let mut starts = Starts::default();
        for minute in compiled.times_of_day() {
            starts.push(minute);
        }
        Some(DayPattern {
            compiled,
            first: starts.first()?,
            last: starts.last()?,
            count: starts.len(),
            progressions: starts.progressions,
        })
    }
}

/// The zone's stretches of constant UTC offset over the horizon: `(first second, offset in
/// seconds)`, the first one from the horizon's start.
struct Stretches {
    starts: Vec<i64>,
    offsets: Vec<i64>,
}

impl Stretches {
    fn new(tz: &TimeZone, from: Timestamp, end_second: i64) -> Stretches {
        let mut starts = vec![from.as_second()];
        let mut offsets = vec![i64::from(tz.to_offset(from).seconds())];
        for tr in tz.following(from) {
            let at = tr.timestamp().as_second();
            if at >= end_second {
                break;
            }
            starts.push(at);
            offsets.push(i64::from(tr.offset().seconds()));
        }
        Stretches { starts, offsets }
    }

    /// The stretch of instant `s`: its first second (the horizon's start for the first),
    /// its end (exclusive) and its offset.
    fn at(&self, s: i64) -> (i64, i64, i64) {
        let i = self.starts.partition_point(|&x| x <= s).max(1) - 1;
        let end = self.starts.get(i + 1).copied().unwrap_or(i64::MAX);
        (self.starts[i], end, self.offsets[i])
    }

    /// Whether every change of offset is less than a day (so a repeated stretch of local
    /// time ends within a day of the change).
    fn changes_under_a_day(&self) -> bool {
        self.offsets
            .windows(2)
            .all(|w| (w[0] - w[1]).abs() < 86_400)
    }
}

/// How one batch's runs can be taken a day (or a whole rate) at a time.
enum Shortcut {
    None,
    /// A rate on either backend: every `step` minutes until the end.
    Rate {
        step: u32,
    },
    Days {
        pattern: DayPattern,
        stretches: Stretches,
        /// On Scheduler: days within a day of an offset change are enumerated (a repeated
        /// local time fires once there), and no day reaches `end` (exclusive, seconds).
        scheduler: Option<Option<i64>>,
    },
}

impl Shortcut {
    fn of(batch: &Batch, from: Timestamp, end_second: i64) -> Shortcut {
        if let Expression::Rate(rate) = &batch.cron {
            let period = rate.period_seconds();
            // Rates fire at whole multiples of a whole number of minutes.
            if period % 60 == 0 && period > 0 {
                return Shortcut::Rate {
                    step: u32::try_from(period / 60).unwrap_or(u32::MAX),
                };
            }
            return Shortcut::None;
        }
        let Some(pattern) = DayPattern::of(&batch.cron) else {
            return Shortcut::None;
        };
        let stretches = Stretches::new(&batch.zone.tz, from, end_second);
        let scheduler = if batch.on_scheduler() {
            if !stretches.changes_under_a_day() {
                return Shortcut::None;
            }
            Some(batch.scheduler.end.map(|b| b.instant.as_second()))
        } else {
            None
        };
        Shortcut::Days {
            pattern,
            stretches,
            scheduler,
        }
    }
}

impl Timetable {
    /// Expands every active batch, up to [`DEFAULT_MAX_PROGRESSIONS`] progressions.
    pub fn build(batches: &[Batch], from: Timestamp, minutes: u32) -> Timetable {
        Timetable::build_bounded(batches, from, minutes, DEFAULT_MAX_PROGRESSIONS)
    }

    /// Expands every active batch, stopping once more than `max_progressions` progressions
    /// were made (see
    /// [`Timetable::truncated`]). Work is split across the available cores: each batch's runs
    /// depend on that batch alone.
    pub fn build_bounded(
        batches: &[Batch],
        from: Timestamp,
        minutes: u32,
        max_progressions: u64,
    ) -> Timetable {
        use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
        let total = AtomicU64::new(0);
        let over = AtomicUsize::new(usize::MAX);
        let base_minute = from.as_second().div_euclid(60) + 1;
        let end_second = (base_minute + i64::from(minutes)) * 60;
        let active: Vec<usize> = (0..batches.len())
            .filter(|&i| batches[i].is_active)
            .collect();
        let expand = |i: usize| -> BatchRuns {
            let batch = &batches[i];
            let shortcut = Shortcut::of(batch, from, end_second);
            let mut times = batch.runs_after(from);
            let mut starts = Starts::default();
            let index = |s: i64| (s.div_euclid(60) - base_minute) as u32;
            // Counted in blocks, so the threads rarely touch the shared counter.
            let mut pending = 0u64;
            while let Some(s) = times.next_second() {
                if s >= end_second {
                    break;
                }
                let before = starts.progressions().len();
                match &shortcut {
                    Shortcut::Rate { step } => {
                        // Every later run, up to the horizon's end and on Scheduler its
                        // `end` (exclusive).
                        let until = batch
                            .scheduler
                            .end
                            .map_or(end_second, |b| b.instant.as_second().min(end_second));
                        let step_seconds = i64::from(*step) * 60;
                        let count = (until - 1 - s).div_euclid(step_seconds) + 1;
                        starts.push_progression(Progression {
                            start: index(s),
                            step: if count > 1 { *step } else { 0 },
                            count: u32::try_from(count.max(1)).unwrap_or(u32::MAX),
                        });
                        pending += (starts.progressions().len() - before) as u64;
                        break;
                    }
                    Shortcut::Days {
                        pattern,
                        stretches,
                        scheduler: None,
                    } if let Some((days, from, last)) =
                        whole_month(s, pattern, stretches, end_second) =>
                    {
                        // The pattern on each fire day of the rest of the month.
                        let first = index(s);
                        let mut rest = days;
                        while rest != 0 {
                            let day = rest.trailing_zeros();
                            rest &= rest - 1;
                            let at = first + (day - u32::from(from)) * 1440;
                            for p in &pattern.progressions {
                                starts.push_progression(Progression {
                                    start: at + (p.start - pattern.first),
                                    ..*p
                                });
                            }
                        }
                        times.skip_to(last);
                    }
                    Shortcut::Days {
                        pattern,
                        stretches,
                        scheduler,
                    } if pattern.count >= PERIODIC_FROM => {
                        match whole_day(s, pattern, stretches, *scheduler, end_second) {
                            Some(last) => {
                                // The day's pattern from `s`, its first fire time.
                                let first = index(s);
                                for p in &pattern.progressions {
                                    starts.push_progression(Progression {
                                        start: first + (p.start - pattern.first),
                                        ..*p
                                    });
                                }
                                times.skip_to(last);
                            }
                            None => starts.push(index(s)),
                        }
                    }
                    Shortcut::Days { .. } | Shortcut::None => starts.push(index(s)),
                }
                pending += (starts.progressions().len() - before) as u64;
                if pending >= 4096 {
                    let added = pending;
                    pending = 0;
                    if total.fetch_add(added, Ordering::Relaxed) + added > max_progressions {
                        over.fetch_min(i, Ordering::Relaxed);
                        return BatchRuns { batch: i, starts };
                    }
                }
                if over.load(Ordering::Relaxed) != usize::MAX {
                    break;
                }
            }
            if total.fetch_add(pending, Ordering::Relaxed) + pending > max_progressions {
                over.fetch_min(i, Ordering::Relaxed);
            }
            BatchRuns { batch: i, starts }
        };
        let runs = crate::parallel::map(&active, 32, |&i| expand(i));
        let over = over.into_inner();
        Timetable {
            base_minute,
            minutes,
            runs,
            truncated: (over != usize::MAX).then_some(over),
        }
    }

    /// The start minutes of batch `batch`; empty when it is inactive. `runs` is in batch
    /// order (built from the batches in order), so this is a binary search.
    pub fn starts_of(&self, batch: usize) -> Option<&Starts> {
        self.runs
            .binary_search_by_key(&batch, |r| r.batch)
            .ok()
            .map(|i| &self.runs[i].starts)
    }

    /// The instant of a start minute.
    pub fn instant(&self, minute: u32) -> Timestamp {
        Timestamp::from_second((self.base_minute + i64::from(minute)) * 60)
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Total number of runs.
    pub fn len(&self) -> usize {
        self.runs.iter().map(|r| r.starts.len()).sum()
    }

    /// Total number of progressions the runs are stored as.
    pub fn progressions(&self) -> usize {
        self.runs
            .iter()
            .map(|r| r.starts.progressions().len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `limit` runs starting in `[from, to)` minutes, as (minute, batch index) in
    /// time and then batch order, and whether more were left out: a merge of the batches'
    /// sorted runs that stops at the limit, so a listing of frequent batches (the timetable
    /// diff, the day chart) costs what it shows, not what the estate runs.
    pub fn first_in(&self, from: u32, to: u32, limit: usize) -> (Vec<(u32, usize)>, bool) {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut streams: Vec<_> = self
            .runs
            .iter()
            .map(|r| (r.batch, r.starts.range(from, to)))
            .collect();
        let mut heap = BinaryHeap::new();
        for (i, (batch, runs)) in streams.iter_mut().enumerate() {
            if let Some(s) = runs.next() {
                heap.push(Reverse((s, *batch, i)));
            }
        }
        let mut out = Vec::new();
        while let Some(Reverse((s, batch, i))) = heap.pop() {
            if out.len() == limit {
                return (out, true);
            }
            out.push((s, batch));
            if let Some(next) = streams[i].1.next() {
                heap.push(Reverse((next, batch, i)));
            }
        }
        (out, false)
    }
}

/// When fire time `s` is the first of its local day (the pattern's first time, at a whole
/// minute of a whole-minute offset): its stretch of offset (first second, end) and `s` on
/// the local clock.
fn first_of_day(s: i64, pattern: &DayPattern, stretches: &Stretches) -> Option<(i64, i64, i64)> {
    let (start, end, offset) = stretches.at(s);
    let local = s + offset;
    let first = offset % 60 == 0
        && local.rem_euclid(60) == 0
        && local.div_euclid(60).rem_euclid(1440) == i64::from(pattern.first);
    first.then_some((start, end, local))
}

/// When fire time `s` is the first of a local day that can be taken whole — the day lies in
/// one stretch of offset, inside the horizon and EventBridge's range, and on Scheduler more
/// than a day after an offset change (no repeated local time) and before `end` — the day's
/// last fire time.
fn whole_day(
    s: i64,
    pattern: &DayPattern,
    stretches: &Stretches,
    scheduler: Option<Option<i64>>,
    end_second: i64,
) -> Option<i64> {
    let (start, end, _) = first_of_day(s, pattern, stretches)?;
    let last = s + i64::from(pattern.last - pattern.first) * 60;
    if last >= end || last >= end_second || last >= crate::cron::END_OF_RANGE {
        return None;
    }
    if let Some(until) = scheduler
        && (s - start < 86_400 || until.is_some_and(|e| last >= e))
    {
        return None;
    }
    Some(last)
}

/// When fire time `s` is the first of a local day and the rest of its month can be taken
/// whole — every fire time from `s` to the month's last lies in one stretch of offset,
/// inside the horizon and EventBridge's range (rules only: Scheduler's repeated and skipped
/// times are its own) — the days of the month from `s`'s on that fire (bit `d` for day
/// `d`), `s`'s day, and the month's last fire time. In such a stretch each fire day's runs
/// are the day pattern at local midnight less the constant offset.
fn whole_month(
    s: i64,
    pattern: &DayPattern,
    stretches: &Stretches,
    end_second: i64,
) -> Option<(u32, u8, i64)> {
    let (_, end, local) = first_of_day(s, pattern, stretches)?;
    let wall = crate::cron::civil::Wall::from_seconds(local);
    let days = pattern.compiled.day_mask(wall.year, wall.month) & !((1u32 << wall.day) - 1);
    if days & (1 << wall.day) == 0 {
        return None;
    }
    let last_day = 31 - days.leading_zeros() as u8;
    let last =
        s + i64::from(last_day - wall.day) * 86_400 + i64::from(pattern.last - pattern.first) * 60;
    if last >= end || last >= end_second || last >= crate::cron::END_OF_RANGE {
        return None;
    }
    Some((days, wall.day, last))
}

/// `2026-12-01 Tue 09:00 JST (00:00 UTC)`; the UTC date is shown when it differs.
pub fn local_and_utc(ts: Timestamp, zone: &Zone) -> String {
    let local = ts.to_zoned_datetime(zone.tz.clone());
    let utc = ts.to_zoned_datetime(TimeZone::UTC);
    let utc_text = if utc.date() == local.date() {
        utc.strftime("%H:%M").to_string()
    } else {
        utc.strftime("%Y-%m-%d %a %H:%M").to_string()
    };
    format!(
        "{} ({utc_text} UTC)",
        local.strftime("%Y-%m-%d %a %H:%M %Z")
    )
}

/// The UTC offset of `tz` in whole minutes for every minute of `[base_minute, base_minute +
/// len)`, as segments `(first minute index, offset)` in order.
pub fn offset_segments(tz: &TimeZone, base_minute: i64, len: u32) -> Vec<(u32, i64)> {
    let start = Timestamp::from_second(base_minute * 60).unwrap_or(Timestamp::UNIX_EPOCH);
    let end = base_minute + i64::from(len);
    let mut segments = vec![(0, i64::from(tz.to_offset(start).seconds()).div_euclid(60))];
    for tr in tz.following(start) {
        let minute = tr.timestamp().as_second().div_euclid(60);
        if minute >= end {
            break;
        }
        segments.push((
            (minute - base_minute) as u32,
            i64::from(tr.offset().seconds()).div_euclid(60),
        ));
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    /// Enough batches to be built on several threads: each one's runs must still be found
    /// under its own index (the lookup relies on `runs` staying in batch order).
    #[test]
    fn starts_of_finds_each_batch_across_threads() {
        let text: String = (0..100)
            .map(|i| {
                format!(
                    "B{i}:\n  cron: \"{} {} * * ? *\"\n  batch_class: \"A::B\"\n  is_active: {}\n",
                    i % 60,
                    i % 24,
                    i % 7 != 3
                )
            })
            .collect();
        let (batches, findings) = crate::schedule::load("s.yml", &text, &Settings::default());
        assert!(findings.is_empty(), "{findings:?}");
        let from: Timestamp = "2026-11-29T00:00:00Z".parse().unwrap();
        let t = Timetable::build(&batches, from, 2 * 1440);
        for (i, b) in batches.iter().enumerate() {
            let starts = t.starts_of(i);
            if !b.is_active {
                assert!(starts.is_none(), "{}", b.name);
                continue;
            }
            let starts = starts.unwrap();
            // Daily at (i % 24):(i % 60) Tokyo time: two runs in two days, at that wall time.
            assert_eq!(starts.len(), 2, "{}", b.name);
            let local = t
                .instant(starts.first().unwrap())
                .to_zoned_datetime(b.zone.tz.clone());
            assert_eq!(
                (local.hour() as usize, local.minute() as usize),
                (i % 24, i % 60),
                "{}",
                b.name
            );
        }
    }

    // One thousand minutely batches took 2 GB: they are a progression each now, and what
    // grows (progressions of irregular runs) stops at the limit and says so.
    #[test]
    fn expanding_stops_at_the_progression_limit() {
        let text: String = (0..40)
            .map(|i| {
                format!(
                    "M{i}:\n  cron: \"0,1,3,{} * * * ? *\"\n  batch_class: \"A::B\"\n  is_active: true\n",
                    10 + i
                )
            })
            .collect();
        let (batches, _) = crate::schedule::load("s.yml", &text, &Settings::default());
        let from: Timestamp = "2026-11-29T00:00:00Z".parse().unwrap();
        let t = Timetable::build_bounded(&batches, from, 366 * 1440, 20_000);
        assert!(t.truncated.is_some());
        // Bounded: the limit plus at most one block per thread.
        assert!(
            t.progressions() <= 20_000 + 4096 * 16,
            "{}",
            t.progressions()
        );
        let t = Timetable::build_bounded(&batches, from, 366 * 1440, 10_000_000);
        assert_eq!(t.truncated, None);
        assert_eq!(t.len(), 40 * 4 * 24 * 366);
        let minutely = "M:\n  cron: \"* * * * ? *\"\n  batch_class: \"A::B\"\n  is_active: true\n";
        let (batches, _) = crate::schedule::load("s.yml", minutely, &Settings::default());
        let t = Timetable::build_bounded(&batches, from, 366 * 1440, 1);
        assert_eq!((t.truncated, t.len()), (None, 366 * 1440));
    }

    #[test]
    fn starts_are_cut_into_progressions_and_read_back() {
        let mut s = Starts::default();
        for m in [3, 5, 7, 9, 20, 21, 40] {
            s.push(m);
        }
        s.push_progression(Progression {
            start: 60,
            step: 20,
            count: 3,
        });
        s.push_progression(Progression {
            start: 120,
            step: 20,
            count: 2,
        });
        let all: Vec<u32> = s.iter().collect();
        assert_eq!(all, [3, 5, 7, 9, 20, 21, 40, 60, 80, 100, 120, 140]);
        assert_eq!(s.len(), 12);
        assert_eq!((s.first(), s.last()), (Some(3), Some(140)));
        // 3..9 by 2; 20, 21; 40..140 by 20.
        assert_eq!(s.progressions().len(), 3, "{:?}", s.progressions());
        for (from, to) in [
            (0, 200),
            (4, 21),
            (9, 10),
            (10, 20),
            (41, 100),
            (140, 141),
            (0, 0),
        ] {
            let want: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&m| from <= m && m < to)
                .collect();
            assert_eq!(s.range(from, to).collect::<Vec<_>>(), want, "{from}..{to}");
        }
    }

    /// The runs one fire time at a time from the engine, as before progressions.
    fn enumerated(batch: &Batch, from: Timestamp, minutes: u32) -> Vec<u32> {
        let base = from.as_second().div_euclid(60) + 1;
        let end = (base + i64::from(minutes)) * 60;
        let mut times = batch.runs_after(from);
        let mut out = Vec::new();
        while let Some(s) = times.next_second() {
            if s >= end {
                break;
            }
            out.push((s.div_euclid(60) - base) as u32);
        }
        out
    }

    // A month is taken whole only up to a change of offset: London's 09:00 is 09:00 UTC
    // until 29 March 2026, then 08:00 UTC (British Summer Time from 01:00 UTC that day).
    #[test]
    fn a_month_is_cut_where_the_offset_changes() {
        let text = "B:\n  cron: \"0 9 * * ? *\"\n  timezone: Europe/London\n  batch_class: \"A\"\n  is_active: true\n";
        let (batches, findings) = crate::schedule::load("s.yml", text, &Settings::default());
        assert!(findings.is_empty(), "{findings:?}");
        let from: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        let t = Timetable::build(&batches, from, 40 * 1440);
        // Minute 0 is 00:01 UTC on 1 March.
        let want: Vec<u32> = (0..40)
            .map(|day| day * 1440 + if day < 28 { 539 } else { 479 })
            .collect();
        let got: Vec<u32> = t.starts_of(0).unwrap().iter().collect();
        assert_eq!(got, want);
    }

    // A minutely batch is one progression for the whole year, a daily one too; a zone with
    // daylight saving time cuts them where the offset changes.
    #[test]
    fn a_minutely_year_is_one_progression() {
        let text = "M:\n  cron: \"* * * * ? *\"\n  batch_class: \"A\"\n  is_active: true\nD:\n  cron: \"30 4 * * ? *\"\n  batch_class: \"A\"\n  is_active: true\nL:\n  cron: \"*/5 * * * ? *\"\n  timezone: Europe/London\n  batch_class: \"A\"\n  is_active: true\n";
        let (batches, findings) = crate::schedule::load("s.yml", text, &Settings::default());
        assert!(findings.is_empty(), "{findings:?}");
        let from: Timestamp = "2026-11-29T00:00:00Z".parse().unwrap();
        let t = Timetable::build(&batches, from, 366 * 1440);
        let m = t.starts_of(0).unwrap();
        assert_eq!(m.len(), 366 * 1440);
        assert_eq!(m.progressions().len(), 1);
        assert_eq!(t.starts_of(1).unwrap().progressions().len(), 1);
        let l = t.starts_of(2).unwrap();
        assert!(l.progressions().len() <= 4, "{:?}", l.progressions());
        for (i, b) in batches.iter().enumerate() {
            let want = enumerated(b, from, 366 * 1440);
            assert!(t.starts_of(i).unwrap().iter().eq(want), "{}", b.name);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The progressions hold exactly the runs the engine enumerates one by one, on both
        /// backends, in zones with and without daylight saving time, over horizons that
        /// start at any minute and cross offset changes.
        #[test]
        fn progressions_equal_the_enumerated_runs(
            minutes in proptest::sample::select(vec!["*", "*/5", "0/7", "3-40", "0,30", "15", "10-50/10", "*/2"]),
            hours in proptest::sample::select(vec!["*", "1-3", "0/2", "9-17", "2", "0,1,2,23"]),
            days in proptest::sample::select(vec!["* * ?", "? * MON-FRI", "L * ?", "? * SUN", "1,15 * ?", "* 3,10,11 ?", "LW * ?", "15W * ?", "? * 2#1", "? * 6L", "31 * ?", "29 2 ?", "1-7 * ?"]),
            years in proptest::sample::select(vec!["*", "*", "2026", "2025,2027"]),
            zone in proptest::sample::select(vec!["Asia/Tokyo", "Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"]),
            scheduler in proptest::bool::ANY,
            rate in proptest::option::of(proptest::sample::select(vec!["rate(1 minute)", "rate(7 minutes)", "rate(2 hours)"])),
            start_minute in 0i64..(366 * 1440),
            days_long in 1u32..40,
            end_day in proptest::option::of(0i64..400),
        ) {
            let cron = rate.map_or_else(|| format!("{minutes} {hours} {days} {years}"), str::to_string);
            let mut settings = Settings::default();
            if scheduler {
                settings.aws.backend = crate::settings::aws::Backend::Scheduler;
            }
            let mut text = format!("B:\n  cron: \"{cron}\"\n  timezone: {zone}\n  batch_class: \"A\"\n  is_active: true\n");
            // On Scheduler, sometimes an `end` (exclusive) inside or after the horizon.
            if let (true, Some(day)) = (scheduler, end_day) {
                let date = jiff::civil::date(2025, 11, 1).checked_add(jiff::Span::new().days(day)).unwrap();
                text.push_str(&format!("  end: {date}T13:37\n"));
            }
            let (batches, findings) = crate::schedule::load("s.yml", &text, &settings);
            proptest::prop_assert!(findings.is_empty(), "{:?}", findings);
            let from = Timestamp::from_second(1_761_955_200 + start_minute * 60 + 17).unwrap();
            let t = Timetable::build(&batches, from, days_long * 1440);
            let want = enumerated(&batches[0], from, days_long * 1440);
            let got: Vec<u32> = t.starts_of(0).unwrap().iter().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
