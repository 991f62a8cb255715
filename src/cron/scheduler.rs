//! Fire times as EventBridge Scheduler fires them: the same expression in the schedule's own
//! IANA zone (`ScheduleExpressionTimezone`), with Scheduler's daylight-saving rule and the
//! schedule's start and end.
//!
//! AWS, "Schedule types on EventBridge Scheduler", section "Daylight saving time"
//! (<https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time>):
//! "EventBridge Scheduler automatically adjusts your schedule for daylight saving time. When
//! time shifts forward in the Spring, if a cron expression falls on a non-existent date and
//! time, your schedule invocation is skipped. When time shifts backwards in the Fall, your
//! schedule runs only once and does not repeat its invocation."
//!
//! So, against the local engine of [`crate::cron`] (which fires a repeated local time twice):
//! - a local time that spring-forward skips never fires (the same as the local engine);
//! - a local time that fall-back repeats fires **once, at the earlier instant** (the first
//!   pass, still on the summer offset); the second pass is dropped. AWS says "only once" but
//!   not which of the two; cronbridge takes the first, as `java.time` and jiff resolve a
//!   repeated local time by default, and the timetable, the policies and the PR comment show
//!   that instant. `30 1 * * ? *` in America/New_York on 2026-11-01 fires at 01:30 EDT
//!   (05:30Z) only; `*/30 * * * ? *` in Europe/London on 2026-10-25 fires at 01:00 and 01:30
//!   BST and then not again until 02:00 GMT.
//! - rates are durations (`rate(1 days)` is 24 hours) and do not move with the clocks;
//! - `start` is inclusive and `end` exclusive: a run at exactly the end instant does not fire.
//!
//! Scheduler fires with 60-second precision, and (like rules) anchors a rate when the
//! schedule is created; cronbridge anchors rates at 1970-01-01T00:00Z as the local engine does.

use super::{Expression, FireTimes};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The fire times of an expression on EventBridge Scheduler strictly after an instant.
#[derive(Debug, Clone)]
pub struct SchedulerTimes {
    inner: FireTimes,
    /// Cron expressions only: rates do not see wall-clock time.
    folds: Option<Folds>,
    /// First second that may fire (inclusive).
    start: Option<i64>,
    /// First second that may no longer fire.
    end: Option<i64>,
}

impl SchedulerTimes {
    /// `start` (inclusive) and `end` (exclusive) bound the runs, as `StartDate` and `EndDate`.
    pub fn new(
        expr: &Expression,
        after: Timestamp,
        tz: &TimeZone,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> SchedulerTimes {
        let start = start.map(|s| s.as_second());
        // Nothing before `start` fires: begin the search just before it.
        let after = match start {
            Some(s) if s - 1 > after.as_second() => Timestamp::from_second(s - 1).unwrap_or(after),
            _ => after,
        };
        SchedulerTimes {
            inner: expr.fire_times_after(after, tz),
            folds: matches!(expr, Expression::Cron(_)).then(|| Folds::new(tz)),
            start,
            end: end.map(|e| e.as_second()),
        }
    }

    /// Continues strictly after `after` (seconds since the epoch); never goes back.
    pub fn skip_to(&mut self, after: i64) {
        self.inner.skip_to(after);
    }

    /// The next fire time, as seconds since the epoch.
    pub fn next_second(&mut self) -> Option<i64> {
        loop {
            let s = self.inner.next_second()?;
            if self.end.is_some_and(|end| s >= end) {
                return None;
            }
            if self.start.is_some_and(|start| s < start) {
                continue;
            }
            if self.folds.as_mut().is_some_and(|f| f.is_repeat(s)) {
                continue;
            }
            return Some(s);
        }
    }
}

impl Iterator for SchedulerTimes {
    type Item = Timestamp;

    fn next(&mut self) -> Option<Timestamp> {
        Timestamp::from_second(self.next_second()?).ok()
    }
}

/// Whether an instant is the second pass over a repeated local time. Fire times increase,
/// so the transitions around the last instant asked about are kept.
#[derive(Debug, Clone)]
struct Folds {
    tz: TimeZone,
    /// The instants `[from, until)` between two transitions that `fold` describes.
    from: i64,
    until: i64,
    /// The second pass of the latest transition before `until`, when it set the clock back.
    fold: Option<(i64, i64)>,
}

impl Folds {
    fn new(tz: &TimeZone) -> Folds {
        Folds {
            tz: tz.clone(),
            from: 1,
            until: 0,
            fold: None,
        }
    }

    fn is_repeat(&mut self, s: i64) -> bool {
        if !(self.from <= s && s < self.until) {
            self.locate(s);
        }
        self.fold.is_some_and(|(a, b)| a <= s && s < b)
    }

    fn locate(&mut self, s: i64) {
        let Ok(at) = Timestamp::from_second(s) else {
            self.from = s;
            self.until = s + 1;
            self.fold = None;
            return;
        };
        let after = Timestamp::from_second(s + 1).unwrap_or(at);
        let prev = self.tz.preceding(after).next();
        let next = self.tz.following(at).next();
        self.from = prev
            .as_ref()
            .map_or(i64::MIN, |t| t.timestamp().as_second());
        self.until = next
            .as_ref()
            .map_or(i64::MAX, |t| t.timestamp().as_second());
        self.fold = prev.and_then(|t| {
            let at = t.timestamp();
            let before = self
                .tz
                .to_offset(Timestamp::from_second(at.as_second() - 1).ok()?)
                .seconds();
            let after = t.offset().seconds();
            // The clock went back by `before - after`: local times in that stretch after the
            // transition were already lived once.
            (before > after).then(|| (at.as_second(), at.as_second() + i64::from(before - after)))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(expr: &str, zone: &str, from: &str, to: &str) -> Vec<String> {
        let tz = TimeZone::get(zone).unwrap();
        let e = crate::cron::parse(expr).unwrap();
        let from: Timestamp = from.parse().unwrap();
        let to: Timestamp = to.parse().unwrap();
        SchedulerTimes::new(&e, from, &tz, None, None)
            .take_while(|t| *t < to)
            .map(|t| {
                t.to_zoned_datetime(tz.clone())
                    .strftime("%Y-%m-%dT%H:%M%:z")
                    .to_string()
            })
            .collect()
    }

    // Worked by hand: New York leaves EDT (-04) for EST (-05) at 2026-11-01 06:00Z, when
    // 02:00 EDT becomes 01:00 EST; 01:00-01:59 happens twice. Scheduler runs 01:30 once,
    // at the first pass (05:30Z); the local engine also ran it at 06:30Z.
    #[test]
    fn new_york_fall_back_runs_a_repeated_time_once_at_the_first_pass() {
        let got = runs(
            "30 1 * * ? *",
            "America/New_York",
            "2026-10-31T00:00:00Z",
            "2026-11-03T00:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-10-31T01:30-04:00",
                "2026-11-01T01:30-04:00",
                "2026-11-02T01:30-05:00"
            ]
        );
    }

    // New York jumps from 02:00 EST to 03:00 EDT at 2026-03-08 07:00Z: 02:30 does not exist
    // that day and is skipped; 03:30 exists and runs.
    #[test]
    fn new_york_spring_forward_skips_the_missing_time() {
        let got = runs(
            "30 2,3 * * ? *",
            "America/New_York",
            "2026-03-07T12:00:00Z",
            "2026-03-09T12:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-03-08T03:30-04:00",
                "2026-03-09T02:30-04:00",
                "2026-03-09T03:30-04:00"
            ]
        );
    }

    // London: BST (+01) ends 2026-10-25 01:00Z, when 02:00 BST becomes 01:00 GMT. Every half
    // hour: 01:00 and 01:30 BST run, their repeats at 01:00 and 01:30 GMT do not, so the next
    // run after 01:30 BST (00:30Z) is 02:00 GMT (02:00Z), 90 minutes later.
    #[test]
    fn london_fall_back_leaves_a_gap_instead_of_repeating() {
        let got = runs(
            "*/30 * * * ? *",
            "Europe/London",
            "2026-10-24T23:45:00Z",
            "2026-10-25T02:45:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-10-25T01:00+01:00",
                "2026-10-25T01:30+01:00",
                "2026-10-25T02:00+00:00",
                "2026-10-25T02:30+00:00"
            ]
        );
    }

    // London: GMT jumps to BST at 2026-03-29 01:00Z (01:00 GMT becomes 02:00 BST).
    #[test]
    fn london_spring_forward_skips_one_oclock() {
        let got = runs(
            "0 1,2 * * ? *",
            "Europe/London",
            "2026-03-28T12:00:00Z",
            "2026-03-30T12:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-03-29T02:00+01:00",
                "2026-03-30T01:00+01:00",
                "2026-03-30T02:00+01:00"
            ]
        );
    }

    // Sydney: AEDT (+11) ends 2026-04-05 at 03:00 local (16:00Z on the 4th), back to 02:00
    // AEST (+10). Chatham: +13:45 ends the same night at 03:45 local (14:00Z), back to 02:45
    // +12:45, so 03:00 local repeats there too.
    #[test]
    fn sydney_and_chatham_fall_back_run_once() {
        let got = runs(
            "30 2 * * ? *",
            "Australia/Sydney",
            "2026-04-03T12:00:00Z",
            "2026-04-05T12:00:00Z",
        );
        assert_eq!(got, ["2026-04-04T02:30+11:00", "2026-04-05T02:30+11:00"]);
        let got = runs(
            "0 3 * * ? *",
            "Pacific/Chatham",
            "2026-04-03T12:00:00Z",
            "2026-04-06T12:00:00Z",
        );
        assert_eq!(
            got,
            [
                "2026-04-04T03:00+13:45",
                "2026-04-05T03:00+13:45",
                "2026-04-06T03:00+12:45"
            ]
        );
    }

    // Spring-forward in the south: Sydney jumps from 02:00 AEST to 03:00 AEDT on 2026-10-04
    // (16:00Z on the 3rd), so 02:30 is skipped that day; Chatham jumps from 02:45 (+12:45)
    // to 03:45 (+13:45) on 2026-09-27 (14:00Z on the 26th), so 03:00 is skipped there.
    #[test]
    fn sydney_and_chatham_spring_forward_skip_the_missing_time() {
        let got = runs(
            "30 2 * * ? *",
            "Australia/Sydney",
            "2026-10-02T12:00:00Z",
            "2026-10-05T12:00:00Z",
        );
        assert_eq!(got, ["2026-10-03T02:30+10:00", "2026-10-05T02:30+11:00"]);
        let got = runs(
            "0 3 * * ? *",
            "Pacific/Chatham",
            "2026-09-25T12:00:00Z",
            "2026-09-28T12:00:00Z",
        );
        assert_eq!(got, ["2026-09-26T03:00+12:45", "2026-09-28T03:00+13:45"]);
    }

    #[test]
    fn start_is_inclusive_and_end_exclusive() {
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        let e = crate::cron::parse("0 9 * * ? *").unwrap();
        let start: Timestamp = "2026-12-02T00:00:00Z".parse().unwrap(); // 09:00 JST
        let end: Timestamp = "2026-12-04T00:00:00Z".parse().unwrap();
        let from: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let got: Vec<_> = SchedulerTimes::new(&e, from, &tz, Some(start), Some(end)).collect();
        assert_eq!(
            got,
            [start, "2026-12-03T00:00:00Z".parse::<Timestamp>().unwrap()]
        );
    }

    #[test]
    fn rates_do_not_see_the_clocks() {
        let tz = TimeZone::get("Europe/London").unwrap();
        let e = crate::cron::parse("rate(30 minutes)").unwrap();
        let from: Timestamp = "2026-10-25T00:10:00Z".parse().unwrap();
        let got: Vec<_> = SchedulerTimes::new(&e, from, &tz, None, None)
            .take(3)
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "2026-10-25T00:30:00Z",
                "2026-10-25T01:00:00Z",
                "2026-10-25T01:30:00Z"
            ]
        );
    }
}
