//! The timetable: every run of every active batch over a horizon, from the one cron engine.
//!
//! Runs are kept per batch as minutes since the horizon's first minute (`u32`), which is exact
//! (EventBridge fires on whole minutes) and small enough for a year of minutely batches.
//! Policy checks sweep over these sorted lists; nothing compares runs pairwise.

use crate::schedule::Batch;
use crate::settings::Zone;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The runs of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRuns {
    /// Index into the batch list the timetable was built from; `Timetable::runs` is sorted
    /// by it.
    pub batch: usize,
    /// Start minutes since [`Timetable::base_minute`], increasing.
    pub starts: Vec<u32>,
}

/// All runs of the active batches from `from` (exclusive) over `minutes` minutes.
#[derive(Debug, Clone)]
pub struct Timetable {
    /// Epoch minute of the horizon's first whole minute after `from`.
    pub base_minute: i64,
    /// Length of the horizon in minutes.
    pub minutes: u32,
    pub runs: Vec<BatchRuns>,
    /// Set when the runs were more than the limit and expanding stopped: the batch that was
    /// being expanded then. Policies on a truncated timetable are incomplete.
    pub truncated: Option<usize>,
}

/// The most runs one timetable holds by default: about 400 MB of start minutes, and a
/// thousand minutely batches over 90 days. A repository that needs more raises it with
/// `--max-runs` or shortens `--horizon`.
pub const DEFAULT_MAX_RUNS: u64 = 100_000_000;

impl Timetable {
    /// Expands every active batch, up to [`DEFAULT_MAX_RUNS`] runs.
    pub fn build(batches: &[Batch], from: Timestamp, minutes: u32) -> Timetable {
        Timetable::build_bounded(batches, from, minutes, DEFAULT_MAX_RUNS)
    }

    /// Expands every active batch, stopping once more than `max_runs` runs were found (see
    /// [`Timetable::truncated`]). Work is split across the available cores: each batch's runs
    /// depend on that batch alone.
    pub fn build_bounded(
        batches: &[Batch],
        from: Timestamp,
        minutes: u32,
        max_runs: u64,
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
            let mut times = batch.runs_after(from);
            let mut starts = Vec::new();
            while let Some(s) = times.next_second() {
                if s >= end_second {
                    break;
                }
                starts.push((s.div_euclid(60) - base_minute) as u32);
                // Counted in blocks, so the threads rarely touch the shared counter.
                if starts.len() % 4096 == 0
                    && total.fetch_add(4096, Ordering::Relaxed) + 4096 > max_runs
                {
                    over.fetch_min(i, Ordering::Relaxed);
                    return BatchRuns { batch: i, starts };
                }
                if over.load(Ordering::Relaxed) != usize::MAX {
                    break;
                }
            }
            if total.fetch_add((starts.len() % 4096) as u64, Ordering::Relaxed)
                + (starts.len() % 4096) as u64
                > max_runs
            {
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
    pub fn starts_of(&self, batch: usize) -> &[u32] {
        self.runs
            .binary_search_by_key(&batch, |r| r.batch)
            .map_or(&[], |i| self.runs[i].starts.as_slice())
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

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The runs starting in `[from, to)` minutes, as (minute, batch index), sorted by time
    /// and then by batch order.
    pub fn window(&self, from: u32, to: u32) -> Vec<(u32, usize)> {
        let mut out: Vec<(u32, usize)> = self
            .runs
            .iter()
            .flat_map(|r| {
                let lo = r.starts.partition_point(|&s| s < from);
                let hi = r.starts.partition_point(|&s| s < to);
                r.starts[lo..hi].iter().map(move |&s| (s, r.batch))
            })
            .collect();
        out.sort_unstable();
        out
    }
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
                assert!(starts.is_empty(), "{}", b.name);
                continue;
            }
            // Daily at (i % 24):(i % 60) Tokyo time: two runs in two days, at that wall time.
            assert_eq!(starts.len(), 2, "{}", b.name);
            let local = t.instant(starts[0]).to_zoned_datetime(b.zone.tz.clone());
            assert_eq!(
                (local.hour() as usize, local.minute() as usize),
                (i % 24, i % 60),
                "{}",
                b.name
            );
        }
    }

    // One thousand minutely batches took 2 GB: expanding stops at the limit and says so.
    #[test]
    fn expanding_stops_at_the_run_limit() {
        let text: String = (0..40)
            .map(|i| {
                format!(
                    "M{i}:\n  cron: \"* * * * ? *\"\n  batch_class: \"A::B\"\n  is_active: true\n"
                )
            })
            .collect();
        let (batches, _) = crate::schedule::load("s.yml", &text, &Settings::default());
        let from: Timestamp = "2026-11-29T00:00:00Z".parse().unwrap();
        let t = Timetable::build_bounded(&batches, from, 1440, 20_000);
        assert!(t.truncated.is_some());
        // Bounded: the limit plus at most one block per thread.
        assert!(t.len() <= 20_000 + 4096 * 16, "{}", t.len());
        let t = Timetable::build_bounded(&batches, from, 1440, 40 * 1440);
        assert_eq!(t.truncated, None);
        assert_eq!(t.len(), 40 * 1440);
    }
}
