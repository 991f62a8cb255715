//! When a renamed schedule rule may be cut over: the old generation is disabled and the new
//! one enabled only at a moment when neither is due, so that no run is lost in the gap and none
//! runs twice. Pure: the schedule and the time in, how long to wait out.
//!
//! EventBridge fires a scheduled rule at some second within the minute it is due. A rule
//! disabled in that minute, before it fired, loses the run; a rule enabled in it may fire it
//! again. So the cutover (disable old → enable new, a few API calls) must not overlap a minute
//! in which either rule is due: it waits, at most `max_wait` seconds, until the next due minute
//! of both has passed.

use crate::cron::Expression;
use jiff::Timestamp;

/// Seconds the calls between disabling the old rule and enabling the new one are allowed.
pub const BUSY_SECONDS: i64 = 10;
/// The longest a cutover waits for a minute when no run is due.
pub const MAX_WAIT_SECONDS: i64 = 150;

/// When to cut over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Nothing is due within the cutover: go.
    Now,
    /// Wait this many seconds first.
    Seconds(i64),
    /// No free moment within the bound (a rule due every minute): go now; one run may be lost
    /// or doubled, and the outcome says so.
    NoGap,
}

/// How long to wait from `now` before a cutover of `busy` seconds so that none of the
/// `expressions` (EventBridge's `cron(...)`, in UTC) is due during it. Rate expressions are
/// anchored when their rule is created, which nobody outside AWS knows; they do not wait.
pub fn wait(expressions: &[&str], now: Timestamp, busy: i64, max_wait: i64) -> Wait {
    let crons: Vec<Expression> = expressions
        .iter()
        .filter_map(|e| crate::cron::parse(e).ok())
        .filter(|e| matches!(e, Expression::Cron(_)))
        .collect();
    let now = now.as_second();
    let mut start = now;
    loop {
        // A run due at `t` may fire any time in [t, t + 60): it is at risk when that minute
        // meets [start, start + busy].
        let due = crons
            .iter()
            .filter_map(|e| {
                let after = Timestamp::from_second(start - 60).ok()?;
                e.fire_times_after(after, &jiff::tz::TimeZone::UTC)
                    .next_second()
            })
            .filter(|&t| t <= start + busy)
            .max();
        match due {
            None if start == now => return Wait::Now,
            None => return Wait::Seconds(start - now),
            Some(t) => {
                start = t + 61;
                if start - now > max_wait {
                    return Wait::NoGap;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn waits_out_a_due_minute_and_only_then() {
        let daily = "cron(0 0 * * ? *)";
        // Far from 00:00: go.
        assert_eq!(
            wait(&[daily], at("2026-12-01T10:00:00Z"), 10, 150),
            Wait::Now
        );
        // Five seconds before it is due: wait until its minute is over.
        assert_eq!(
            wait(&[daily], at("2026-12-01T23:59:55Z"), 10, 150),
            Wait::Seconds(66)
        );
        // Within the due minute (it may not have fired yet): wait until it is over.
        assert_eq!(
            wait(&[daily], at("2026-12-02T00:00:30Z"), 10, 150),
            Wait::Seconds(31)
        );
        // Both generations count: the new rule due at 01:00.
        assert_eq!(
            wait(
                &[daily, "cron(0 1 * * ? *)"],
                at("2026-12-02T00:59:58Z"),
                10,
                150
            ),
            Wait::Seconds(63)
        );
        // Every minute: no gap within the bound.
        assert_eq!(
            wait(&["cron(* * * * ? *)"], at("2026-12-01T10:00:00Z"), 10, 150),
            Wait::NoGap
        );
        // Every two minutes: the odd minute is free.
        assert_eq!(
            wait(
                &["cron(0/2 * * * ? *)"],
                at("2026-12-01T10:00:10Z"),
                10,
                150
            ),
            Wait::Seconds(51)
        );
        assert_eq!(
            wait(&["rate(1 minute)"], at("2026-12-01T10:00:00Z"), 10, 150),
            Wait::Now
        );
    }
}
