//! Known fire-time sequences worked out by hand: month ends, leap days, `#`, `L`, `W`, year
//! lists that end, expressions that never fire, steps, rates, strictly-after semantics, and
//! daylight-saving changes and odd offsets in real zones (each reasoning is in a comment).

use cronbridge::cron::parse;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::sync::mpsc;
use std::time::Duration;

fn ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {s:?}: {e}"))
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|e| panic!("unknown zone {name:?}: {e}"))
}

/// The first `n` fire times of `expr` strictly after `after`, in `tz`, as RFC 3339 UTC text.
///
/// Runs on another thread with a deadline, so an evaluator that loops forever fails the test
/// instead of hanging it.
fn fires(expr: &str, tz: &str, after: &str, n: usize) -> Vec<String> {
    let parsed = parse(expr).unwrap_or_else(|e| panic!("{expr:?} does not parse: {e}"));
    let tz = zone(tz);
    let after = ts(after);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let out: Vec<String> = parsed
            .fire_times_after(after, &tz)
            .take(n)
            .map(|t| t.to_string())
            .collect();
        // The receiver may have given up already; nothing to do then.
        let _ = send.send(out);
    });
    receive
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|e| match e {
            mpsc::RecvTimeoutError::Timeout => {
                panic!("{expr:?}: no answer within 20 s (endless search?)")
            }
            mpsc::RecvTimeoutError::Disconnected => panic!("{expr:?}: the evaluation panicked"),
        })
}

fn check(expr: &str, tz: &str, after: &str, expected: &[&str]) {
    let got = fires(expr, tz, after, expected.len());
    assert_eq!(got, expected, "{expr:?} in {tz} after {after}");
}

/// All fire times until the iterator ends (at most `limit`, which must not be reached).
fn check_all(expr: &str, tz: &str, after: &str, expected: &[&str]) {
    let limit = expected.len() + 5;
    let got = fires(expr, tz, after, limit);
    assert_eq!(
        got, expected,
        "{expr:?} in {tz} after {after}: the whole sequence"
    );
}

// ---------------------------------------------------------------------------------------------
// Month ends: `L` in day-of-month.

#[test]
fn last_day_of_month_in_tokyo_across_february_2027() {
    // 2027 is not a leap year (2027 % 4 = 3): February has 28 days. Tokyo is UTC+9 with no DST,
    // so local midnight on day D is D-1 at 15:00 UTC.
    check(
        "0 0 L * ? *",
        "Asia/Tokyo",
        "2027-01-15T00:00:00Z",
        &[
            "2027-01-30T15:00:00Z", // Jan 31
            "2027-02-27T15:00:00Z", // Feb 28
            "2027-03-30T15:00:00Z", // Mar 31
            "2027-04-29T15:00:00Z", // Apr 30
        ],
    );
}

#[test]
fn last_day_of_month_in_leap_february_2028() {
    // 2028 % 4 = 0 and not a century: leap year, February has 29 days.
    check(
        "0 0 L * ? *",
        "UTC",
        "2028-01-31T00:00:00Z",
        &["2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z"],
    );
    check(
        "0 0 L * ? *",
        "Asia/Tokyo",
        "2028-01-31T00:00:00Z",
        &["2028-02-28T15:00:00Z", "2028-03-30T15:00:00Z"],
    );
}

#[test]
fn last_day_of_february_2100_is_the_28th() {
    // 2100 is divisible by 100 but not by 400: not a leap year.
    check(
        "0 0 L * ? *",
        "UTC",
        "2100-01-31T00:00:00Z",
        &["2100-02-28T00:00:00Z", "2100-03-31T00:00:00Z"],
    );
}

// ---------------------------------------------------------------------------------------------
// February 29.

#[test]
fn february_29_only_in_leap_years() {
    // After mid-2026 the leap years are 2028, 2032, 2036.
    check(
        "0 0 29 2 ? *",
        "UTC",
        "2026-06-01T00:00:00Z",
        &[
            "2028-02-29T00:00:00Z",
            "2032-02-29T00:00:00Z",
            "2036-02-29T00:00:00Z",
        ],
    );
    // In Tokyo, local midnight of Feb 29 is Feb 28 15:00 UTC.
    check(
        "0 0 29 2 ? *",
        "Asia/Tokyo",
        "2026-06-01T00:00:00Z",
        &["2028-02-28T15:00:00Z", "2032-02-28T15:00:00Z"],
    );
}

#[test]
fn february_29_skips_2100() {
    // After 2096 the next leap year is 2104: 2100 is not one.
    check(
        "0 0 29 2 ? *",
        "UTC",
        "2096-03-01T00:00:00Z",
        &["2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"],
    );
}

// ---------------------------------------------------------------------------------------------
// `n#k`, `nL`, `L` in day-of-week.

#[test]
fn fifth_thursday_skips_months_without_one() {
    // 2026-01-01 is a Thursday. Month by month (first day of month → its Thursdays):
    //   Jan: Thu 1 → 1, 8, 15, 22, 29            fifth = Jan 29
    //   Feb: Sun 1 → 5, 12, 19, 26               none
    //   Mar: Sun 1 → 5, 12, 19, 26               none
    //   Apr: Wed 1 → 2, 9, 16, 23, 30            fifth = Apr 30
    //   May: Fri 1 → 7, 14, 21, 28               none
    //   Jun: Mon 1 → 4, 11, 18, 25               none
    //   Jul: Wed 1 → 2, 9, 16, 23, 30            fifth = Jul 30
    //   Aug: Sat 1, Sep: Tue 1                   none
    //   Oct: Thu 1 → 1, 8, 15, 22, 29            fifth = Oct 29
    //   Nov: Sun 1                               none
    //   Dec: Tue 1 → 3, 10, 17, 24, 31           fifth = Dec 31
    // 09:00 in Tokyo is 00:00 UTC the same day.
    check(
        "0 9 ? * 5#5 *",
        "Asia/Tokyo",
        "2025-12-31T00:00:00Z",
        &[
            "2026-01-29T00:00:00Z",
            "2026-04-30T00:00:00Z",
            "2026-07-30T00:00:00Z",
            "2026-10-29T00:00:00Z",
            "2026-12-31T00:00:00Z",
        ],
    );
}

#[test]
fn fifth_thursday_of_february_needs_a_leap_year_starting_on_thursday() {
    // A 28-day February has exactly four of each weekday; a 29-day one has a fifth Thursday
    // only when Feb 1 is a Thursday. 2024-02-01 was a Thursday; from one leap year to the next
    // (1461 days = 208 weeks + 5 days) Feb 1 moves 5 weekdays on: 2028 Tue, 2032 Sun, 2036 Fri,
    // 2040 Wed, 2044 Mon, 2048 Sat, 2052 Thu, ..., 2080 Thu.
    check(
        "0 0 ? 2 5#5 *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &["2052-02-29T00:00:00Z", "2080-02-29T00:00:00Z"],
    );
    // Restricted to 2027, which is not a leap year: nothing at all.
    check_all("0 0 ? 2 5#5 2027", "UTC", "2026-01-01T00:00:00Z", &[]);
}

#[test]
fn first_monday_with_a_name() {
    // `MON#1`: 2026-06-01 is a Monday (May 1 Fri + 31 days = Jun 1 Mon); Jul 1 is a Wednesday,
    // so the first Monday of July is the 6th.
    check(
        "30 8 ? * MON#1 *",
        "UTC",
        "2026-05-15T00:00:00Z",
        &["2026-06-01T08:30:00Z", "2026-07-06T08:30:00Z"],
    );
}

#[test]
fn last_friday_6l() {
    // Jan 2026 starts on Thursday: Fridays 2, 9, 16, 23, 30 → Jan 30.
    // Feb starts on Sunday: Fridays 6, 13, 20, 27 → Feb 27. Mar starts on Sunday → Mar 27.
    // Apr starts on Wednesday: Fridays 3, 10, 17, 24 → Apr 24.
    // 18:00 in Tokyo is 09:00 UTC the same day.
    check(
        "0 18 ? * 6L *",
        "Asia/Tokyo",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-30T09:00:00Z",
            "2026-02-27T09:00:00Z",
            "2026-03-27T09:00:00Z",
            "2026-04-24T09:00:00Z",
        ],
    );
}

#[test]
fn l_in_day_of_week_is_saturday() {
    // 2026-11-29 is a Sunday, so Saturdays are Nov 28, Dec 5, Dec 12.
    check(
        "0 12 ? * L *",
        "UTC",
        "2026-11-25T00:00:00Z",
        &[
            "2026-11-28T12:00:00Z",
            "2026-12-05T12:00:00Z",
            "2026-12-12T12:00:00Z",
        ],
    );
}

#[test]
fn weekday_names_in_tokyo_cross_the_utc_date_line() {
    // 08:00 on a Monday in Tokyo is 23:00 UTC on the Sunday before. 2026-11-29 is a Sunday, so
    // Monday Nov 30 08:00 JST = Nov 29 23:00 UTC; then Tuesday Dec 1 = Nov 30 23:00 UTC.
    check(
        "0 8 ? * MON-FRI *",
        "Asia/Tokyo",
        "2026-11-28T00:00:00Z",
        &[
            "2026-11-29T23:00:00Z",
            "2026-11-30T23:00:00Z",
            "2026-12-01T23:00:00Z",
            "2026-12-02T23:00:00Z",
            "2026-12-03T23:00:00Z",
            // Saturday Dec 5 and Sunday Dec 6 are skipped: Monday Dec 7 08:00 JST.
            "2026-12-06T23:00:00Z",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// `LW` and `nW`.

#[test]
fn last_weekday_lw() {
    // Jan 31 2026 is a Saturday (Jan 1 Thu) → Friday Jan 30.
    // Feb 28 2026 is a Saturday (Feb 1 Sun) → Friday Feb 27.
    // Mar 31 2026 is a Tuesday (Mar 1 Sun, 29 Sun) → Mar 31.
    // Apr 30 2026 is a Thursday (Apr 1 Wed) → Apr 30.
    // May 31 2026 is a Sunday (May 1 Fri, 29 Fri) → Friday May 29.
    check(
        "0 0 LW * ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-30T00:00:00Z",
            "2026-02-27T00:00:00Z",
            "2026-03-31T00:00:00Z",
            "2026-04-30T00:00:00Z",
            "2026-05-29T00:00:00Z",
        ],
    );
}

#[test]
fn nearest_weekday_15w() {
    // Feb 15 2026 is a Sunday (Feb 1 Sun) → Monday Feb 16.
    // Mar 15 2026 is a Sunday (Mar 1 Sun) → Monday Mar 16.
    // Apr 15 2026 is a Wednesday (Apr 1 Wed) → Apr 15.
    // May 15 2026 is a Friday (May 1 Fri) → May 15.
    // Aug 15 2026 is a Saturday (Aug 1 Sat) → Friday Aug 14.
    check(
        "0 10 15W * ? *",
        "UTC",
        "2026-02-01T00:00:00Z",
        &[
            "2026-02-16T10:00:00Z",
            "2026-03-16T10:00:00Z",
            "2026-04-15T10:00:00Z",
            "2026-05-15T10:00:00Z",
        ],
    );
    check(
        "0 10 15W 8 ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &["2026-08-14T10:00:00Z"],
    );
}

#[test]
fn nearest_weekday_1w_never_leaves_the_month() {
    // Aug 1 2026 is a Saturday: the nearest weekday, Friday Jul 31, is in another month, so it
    // is Monday Aug 3. Feb 1 and Mar 1 2026 are Sundays → Monday the 2nd.
    // Apr 1 2026 is a Wednesday → Apr 1.
    check(
        "0 0 1W * ? *",
        "UTC",
        "2026-01-31T00:00:00Z",
        &[
            "2026-02-02T00:00:00Z",
            "2026-03-02T00:00:00Z",
            "2026-04-01T00:00:00Z",
        ],
    );
    check(
        "0 0 1W 8 ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &["2026-08-03T00:00:00Z"],
    );
}

#[test]
fn nearest_weekday_31w_never_leaves_the_month_and_skips_short_months() {
    // Jan 31 2026: Saturday → Friday Jan 30.
    // Feb (28 days), Apr, Jun (30 days): no 31st → nothing.
    // Mar 31: Tuesday → Mar 31.
    // May 31: Sunday; Monday Jun 1 is in another month → Friday May 29.
    // Jul 31: Friday (Jul 1 Wed) → Jul 31.
    // Aug 31: Monday (Aug 1 Sat, 29 Sat) → Aug 31.
    check(
        "0 0 31W * ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-30T00:00:00Z",
            "2026-03-31T00:00:00Z",
            "2026-05-29T00:00:00Z",
            "2026-07-31T00:00:00Z",
            "2026-08-31T00:00:00Z",
        ],
    );
    // Only in 30-day months: never.
    check_all("0 0 31W 4,6,9,11 ? *", "UTC", "2026-01-01T00:00:00Z", &[]);
}

// ---------------------------------------------------------------------------------------------
// Sequences that end, and expressions that never fire.

#[test]
fn year_list_ends_after_its_last_year() {
    check_all(
        "0 0 1 1 ? 2027,2029",
        "UTC",
        "2026-06-01T00:00:00Z",
        &["2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z"],
    );
    // Tokyo: local New Year's midnight is Dec 31 15:00 UTC of the year before.
    check_all(
        "0 0 1 1 ? 2027,2029",
        "Asia/Tokyo",
        "2026-06-01T00:00:00Z",
        &["2026-12-31T15:00:00Z", "2028-12-31T15:00:00Z"],
    );
    // Starting after the last year: nothing at all.
    check_all("0 0 1 1 ? 2027,2029", "UTC", "2029-01-01T00:00:00Z", &[]);
}

#[test]
fn an_ended_iterator_stays_ended() {
    let expr = parse("0 0 1 1 ? 2027").expect("parses");
    let mut it = expr.fire_times_after(ts("2026-01-01T00:00:00Z"), &TimeZone::UTC);
    assert_eq!(it.next(), Some(ts("2027-01-01T00:00:00Z")));
    for _ in 0..3 {
        assert_eq!(it.next(), None);
    }
}

#[test]
fn the_last_year_2199_then_nothing() {
    // EventBridge's years end at 2199.
    check_all(
        "59 23 31 12 ? *",
        "UTC",
        "2199-12-01T00:00:00Z",
        &["2199-12-31T23:59:00Z"],
    );
    // 23:59 on Dec 31 2199 in Tokyo is 14:59 UTC the same day.
    check_all(
        "59 23 31 12 ? *",
        "Asia/Tokyo",
        "2199-12-01T00:00:00Z",
        &["2199-12-31T14:59:00Z"],
    );
    // A single far year, found from 1970 without walking every minute in between.
    check_all(
        "0 0 1 1 ? 2199",
        "UTC",
        "1970-01-01T00:00:00Z",
        &["2199-01-01T00:00:00Z"],
    );
}

#[test]
fn year_star_runs_to_2200_utc_and_no_further() {
    // Issue 13: year `*` has no end, and nothing fires from 2200-01-01T00:00Z on. In Tokyo
    // 03:00 on 2200-01-01 is 2199-12-31T18:00Z, which the UTC rule `0 18 * * ? *` fires.
    check_all(
        "0 3 * * ? *",
        "Asia/Tokyo",
        "2199-12-30T00:00:00Z",
        &["2199-12-30T18:00:00Z", "2199-12-31T18:00:00Z"],
    );
    // A listed year is a local year: 2199 ends at 2199-12-31T03:00 JST.
    check_all(
        "0 3 * * ? 2199",
        "Asia/Tokyo",
        "2199-12-29T00:00:00Z",
        &["2199-12-29T18:00:00Z", "2199-12-30T18:00:00Z"],
    );
    // Behind UTC: 22:00 on 2199-12-31 in São Paulo is 2200-01-01T01:00Z, past the end.
    check_all(
        "0 22 31 12 ? *",
        "America/Sao_Paulo",
        "2199-06-01T00:00:00Z",
        &[],
    );
    check_all(
        "0 20 31 12 ? *",
        "America/Sao_Paulo",
        "2199-06-01T00:00:00Z",
        &["2199-12-31T23:00:00Z"],
    );
}

#[test]
fn february_30_never_fires() {
    check_all("0 0 30 2 ? *", "UTC", "1970-01-01T00:00:00Z", &[]);
    check_all("0 0 30 2 ? *", "Asia/Tokyo", "2026-01-01T00:00:00Z", &[]);
    check_all("0 0 31 2,4,6,9,11 ? *", "UTC", "2026-01-01T00:00:00Z", &[]);
    check_all(
        "0 0 30,31 FEB ? *",
        "America/New_York",
        "2026-01-01T00:00:00Z",
        &[],
    );
}

#[test]
fn a_year_range_in_the_past_never_fires() {
    check_all("* * * * ? 1970-2025", "UTC", "2026-01-01T00:00:00Z", &[]);
}

// ---------------------------------------------------------------------------------------------
// Steps.

#[test]
fn minute_step_from_a_value() {
    // `1/10` = 1, 11, 21, 31, 41, 51 (from 1 up to 59, every 10).
    check(
        "1/10 * * * ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-01T00:01:00Z",
            "2026-01-01T00:11:00Z",
            "2026-01-01T00:21:00Z",
            "2026-01-01T00:31:00Z",
            "2026-01-01T00:41:00Z",
            "2026-01-01T00:51:00Z",
            "2026-01-01T01:01:00Z",
        ],
    );
}

#[test]
fn hour_step_over_a_range_and_a_step_over_all() {
    // `9-17/4` = 9, 13, 17. Tokyo 9:00 = 00:00 UTC.
    check(
        "0 9-17/4 * * ? *",
        "Asia/Tokyo",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-01T04:00:00Z",
            "2026-01-01T08:00:00Z",
            "2026-01-02T00:00:00Z",
        ],
    );
    // `*/25` minutes = 0, 25, 50.
    check(
        "*/25 3 * * ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-01T03:00:00Z",
            "2026-01-01T03:25:00Z",
            "2026-01-01T03:50:00Z",
            "2026-01-02T03:00:00Z",
        ],
    );
    // `1/7` in months = 1 and 8 (January and August).
    check(
        "0 0 1 1/7 ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &["2026-08-01T00:00:00Z", "2027-01-01T00:00:00Z"],
    );
}

// ---------------------------------------------------------------------------------------------
// Rates: multiples of the interval since 1970-01-01T00:00:00Z.

#[test]
fn rate_minutes_are_anchored_at_the_epoch() {
    check(
        "rate(5 minutes)",
        "UTC",
        "2026-01-01T00:02:30Z",
        &["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z"],
    );
    // From exactly a fire time: the next one.
    check(
        "rate(5 minutes)",
        "Asia/Kathmandu",
        "2026-01-01T00:05:00Z",
        &["2026-01-01T00:10:00Z"],
    );
    // 2026-01-01T00:00Z is 20454 days after the epoch; 86400 s / 5400 s = 16, so every
    // midnight UTC is a multiple of 90 minutes.
    check(
        "rate(90 minutes)",
        "UTC",
        "2025-12-31T23:59:59Z",
        &["2026-01-01T00:00:00Z", "2026-01-01T01:30:00Z"],
    );
}

#[test]
fn rate_days_fire_at_utc_midnight_whatever_the_zone() {
    for tz in ["UTC", "Asia/Tokyo", "America/New_York"] {
        check(
            "rate(1 day)",
            tz,
            "2026-03-05T12:00:00Z",
            &["2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z"],
        );
    }
    // 2026-01-01 is 20454 = 7 × 2922 days after 1970-01-01 (a Thursday): `rate(7 days)`
    // fires on Thursdays at 00:00 UTC.
    check(
        "rate(7 days)",
        "UTC",
        "2025-12-31T00:00:00Z",
        &["2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z"],
    );
}

#[test]
fn rate_from_a_fractional_second() {
    check(
        "rate(1 hour)",
        "UTC",
        "2026-01-01T00:59:59.999999999Z",
        &["2026-01-01T01:00:00Z"],
    );
    check(
        "rate(1 hour)",
        "UTC",
        "2026-01-01T01:00:00.000000001Z",
        &["2026-01-01T02:00:00Z"],
    );
}

// ---------------------------------------------------------------------------------------------
// Strictly after.

#[test]
fn from_exactly_a_fire_time_the_next_one() {
    // 09:00 in Tokyo = 00:00 UTC.
    check(
        "0 9 * * ? *",
        "Asia/Tokyo",
        "2026-01-01T00:00:00Z",
        &["2026-01-02T00:00:00Z"],
    );
    check(
        "* * * * ? *",
        "UTC",
        "2026-01-01T00:00:00Z",
        &["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"],
    );
}

#[test]
fn fractional_seconds_around_a_fire_time() {
    // A nanosecond before: the fire time itself.
    check(
        "0 9 * * ? *",
        "Asia/Tokyo",
        "2025-12-31T23:59:59.999999999Z",
        &["2026-01-01T00:00:00Z"],
    );
    // A nanosecond after: the next day.
    check(
        "0 9 * * ? *",
        "Asia/Tokyo",
        "2026-01-01T00:00:00.000000001Z",
        &["2026-01-02T00:00:00Z"],
    );
    // Half a second before the epoch (a negative timestamp): the epoch itself.
    check(
        "* * * * ? *",
        "UTC",
        "1969-12-31T23:59:59.5Z",
        &["1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z"],
    );
    check(
        "rate(1 minute)",
        "UTC",
        "1969-12-31T23:59:59.5Z",
        &["1970-01-01T00:00:00Z"],
    );
}

// ---------------------------------------------------------------------------------------------
// Daylight saving time.

#[test]
fn new_york_spring_forward_skips_0230() {
    // DST starts on the second Sunday of March: Mar 1 2026 is a Sunday, so Mar 8. At 02:00 EST
    // (07:00 UTC) clocks jump to 03:00 EDT: 02:30 does not exist on Mar 8.
    //   Mar 7 02:30 EST (-5) = 07:30 UTC;  Mar 9 02:30 EDT (-4) = 06:30 UTC.
    check(
        "30 2 * * ? *",
        "America/New_York",
        "2026-03-07T00:00:00Z",
        &[
            "2026-03-07T07:30:00Z",
            "2026-03-09T06:30:00Z",
            "2026-03-10T06:30:00Z",
        ],
    );
}

#[test]
fn new_york_fall_back_runs_0130_twice() {
    // DST ends on the first Sunday of November: Nov 1 2026 (Nov 29 is a Sunday). At 02:00 EDT
    // (06:00 UTC) clocks go back to 01:00 EST, so 01:30 happens at -4 and again at -5.
    //   Oct 31 01:30 EDT = 05:30 UTC
    //   Nov 1  01:30 EDT = 05:30 UTC, 01:30 EST = 06:30 UTC
    //   Nov 2  01:30 EST = 06:30 UTC
    check(
        "30 1 * * ? *",
        "America/New_York",
        "2026-10-31T00:00:00Z",
        &[
            "2026-10-31T05:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:30:00Z",
            "2026-11-02T06:30:00Z",
        ],
    );
}

#[test]
fn new_york_every_30_minutes_equals_utc_across_both_changes() {
    // New York's offsets are whole hours, so `*/30` matches exactly the UTC half hours, whatever
    // the offset: 3 days × 48 = 144 fire times around each change, identical to UTC's.
    for (start, first, last) in [
        (
            "2026-03-07T00:00:00Z",
            "2026-03-07T00:30:00Z",
            "2026-03-10T00:00:00Z",
        ),
        (
            "2026-10-31T00:00:00Z",
            "2026-10-31T00:30:00Z",
            "2026-11-03T00:00:00Z",
        ),
    ] {
        let ny = fires("*/30 * * * ? *", "America/New_York", start, 144);
        let utc = fires("*/30 * * * ? *", "UTC", start, 144);
        assert_eq!(ny, utc, "from {start}");
        assert_eq!(ny.first().map(String::as_str), Some(first));
        assert_eq!(ny.last().map(String::as_str), Some(last));
    }
}

#[test]
fn new_york_hourly_has_23_and_25_hour_days() {
    // Every hour on the hour, counted per local day: Mar 8 2026 has 23 hours, Nov 1 has 25.
    // Local midnight Mar 8 = 05:00 UTC (EST); Mar 9 = 04:00 UTC (EDT): 23 fire times from
    // 05:00 UTC on Mar 8 up to 03:00 UTC on Mar 9.
    let spring = fires(
        "0 * 8 3 ? 2026",
        "America/New_York",
        "2026-03-01T00:00:00Z",
        30,
    );
    assert_eq!(spring.len(), 23);
    assert_eq!(
        spring.first().map(String::as_str),
        Some("2026-03-08T05:00:00Z")
    );
    assert_eq!(
        spring.last().map(String::as_str),
        Some("2026-03-09T03:00:00Z")
    );
    // Local midnight Nov 1 = 04:00 UTC (EDT); Nov 2 = 05:00 UTC (EST): 25 fire times.
    let autumn = fires(
        "0 * 1 11 ? 2026",
        "America/New_York",
        "2026-10-01T00:00:00Z",
        30,
    );
    assert_eq!(autumn.len(), 25);
    assert_eq!(
        autumn.first().map(String::as_str),
        Some("2026-11-01T04:00:00Z")
    );
    assert_eq!(
        autumn.last().map(String::as_str),
        Some("2026-11-02T04:00:00Z")
    );
}

#[test]
fn london_spring_forward_skips_0130() {
    // BST starts on the last Sunday of March: Mar 1 2026 is a Sunday, so Mar 29. At 01:00 GMT
    // clocks jump to 02:00 BST: 01:30 does not exist on Mar 29.
    //   Mar 28 01:30 GMT (+0) = 01:30 UTC;  Mar 30 01:30 BST (+1) = 00:30 UTC.
    check(
        "30 1 * * ? *",
        "Europe/London",
        "2026-03-28T00:00:00Z",
        &["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"],
    );
}

#[test]
fn sydney_autumn_change_runs_0230_twice() {
    // Sydney's DST ends on the first Sunday of April: Apr 1 2026 is a Wednesday, so Apr 5. At
    // 03:00 AEDT (+11) clocks go back to 02:00 AEST (+10): 02:30 happens twice.
    //   Apr 4 02:30 AEDT = Apr 3 15:30 UTC
    //   Apr 5 02:30 AEDT = Apr 4 15:30 UTC, 02:30 AEST = Apr 4 16:30 UTC
    //   Apr 6 02:30 AEST = Apr 5 16:30 UTC
    check(
        "30 2 * * ? *",
        "Australia/Sydney",
        "2026-04-03T00:00:00Z",
        &[
            "2026-04-03T15:30:00Z",
            "2026-04-04T15:30:00Z",
            "2026-04-04T16:30:00Z",
            "2026-04-05T16:30:00Z",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Odd fixed offsets.

#[test]
fn kolkata_half_hour_offset() {
    // India is UTC+05:30 all year: 09:00 IST = 03:30 UTC; midnight of Feb 28 2027 (the last
    // day: 2027 is not a leap year) = Feb 27 18:30 UTC.
    check(
        "0 9 * * ? *",
        "Asia/Kolkata",
        "2026-01-01T00:00:00Z",
        &["2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z"],
    );
    check(
        "0 0 L 2 ? *",
        "Asia/Kolkata",
        "2027-01-01T00:00:00Z",
        &["2027-02-27T18:30:00Z", "2028-02-28T18:30:00Z"],
    );
}

#[test]
fn kathmandu_quarter_hour_offset() {
    // Nepal is UTC+05:45: New Year's midnight = Dec 31 18:15 UTC; local :00 and :30 are
    // UTC :15 and :45.
    check(
        "0 0 1 1 ? *",
        "Asia/Kathmandu",
        "2026-06-01T00:00:00Z",
        &["2026-12-31T18:15:00Z", "2027-12-31T18:15:00Z"],
    );
    check(
        "*/30 * * * ? *",
        "Asia/Kathmandu",
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-01T00:15:00Z",
            "2026-01-01T00:45:00Z",
            "2026-01-01T01:15:00Z",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Stranger offset changes.

#[test]
fn lord_howe_half_hour_fall_back_runs_0145_twice() {
    // Lord Howe Island's DST ends on the first Sunday of April (Apr 5 2026) and moves the clock
    // back by only 30 minutes: 02:00 +11:00 becomes 01:30 +10:30 (at Apr 4 15:00 UTC), so
    // 01:30-01:59 happen twice.
    //   Apr 4 01:45 +11:00 = Apr 3 14:45 UTC
    //   Apr 5 01:45 +11:00 = Apr 4 14:45 UTC, 01:45 +10:30 = Apr 4 15:15 UTC
    //   Apr 6 01:45 +10:30 = Apr 5 15:15 UTC
    check(
        "45 1 * * ? *",
        "Australia/Lord_Howe",
        "2026-04-03T00:00:00Z",
        &[
            "2026-04-03T14:45:00Z",
            "2026-04-04T14:45:00Z",
            "2026-04-04T15:15:00Z",
            "2026-04-05T15:15:00Z",
        ],
    );
}

#[test]
fn samoa_skipped_december_30_2011() {
    // Samoa moved across the date line: 2011-12-29 23:59:59 -10:00 was followed by
    // 2011-12-31 00:00:00 +14:00 (at Dec 30 10:00 UTC). Dec 30 2011 never happened there.
    //   Dec 29 12:00 -10:00 = Dec 29 22:00 UTC;  Dec 31 12:00 +14:00 = Dec 30 22:00 UTC.
    check(
        "0 12 * * ? *",
        "Pacific/Apia",
        "2011-12-29T00:00:00Z",
        &["2011-12-29T22:00:00Z", "2011-12-30T22:00:00Z"],
    );
    check_all(
        "0 12 30 12 ? 2011",
        "Pacific/Apia",
        "2011-01-01T00:00:00Z",
        &[],
    );
}

#[test]
fn kathmandu_moved_from_0530_to_0545_in_1986() {
    // At 1985-12-31T18:30Z Nepal went from +05:30 to +05:45: local 00:00-00:14 on 1986-01-01
    // never happened.
    //   Dec 31 1985 00:05 +05:30 = Dec 30 18:35 UTC
    //   Jan 1 1986 00:05: skipped
    //   Jan 2 1986 00:05 +05:45 = Jan 1 18:20 UTC
    check(
        "5 0 * * ? *",
        "Asia/Kathmandu",
        "1985-12-30T00:00:00Z",
        &["1985-12-30T18:35:00Z", "1986-01-01T18:20:00Z"],
    );
    // Every quarter hour of that first hour: only 00:15, 00:30 and 00:45 exist.
    check_all(
        "*/15 0 1 1 ? 1986",
        "Asia/Kathmandu",
        "1985-01-01T00:00:00Z",
        &[
            "1985-12-31T18:30:00Z",
            "1985-12-31T18:45:00Z",
            "1985-12-31T19:00:00Z",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// The ends of time.

#[test]
fn from_the_smallest_and_largest_timestamps() {
    let every_minute = parse("* * * * ? *").expect("parses");
    // From the beginning of time, the first minute of 1970 on the zone's clock: in Tokyo that
    // is 1970-01-01 00:00 +09:00 = 1969-12-31 15:00 UTC.
    let first = |tz: &TimeZone| every_minute.fire_times_after(Timestamp::MIN, tz).next();
    assert_eq!(first(&TimeZone::UTC), Some(ts("1970-01-01T00:00:00Z")));
    assert_eq!(first(&zone("Asia/Tokyo")), Some(ts("1969-12-31T15:00:00Z")));
    // From the end of time: nothing, for crons and rates alike.
    for expr in ["* * * * ? *", "rate(1 minute)", "rate(1000 days)"] {
        let e = parse(expr).expect("parses");
        assert_eq!(
            e.fire_times_after(Timestamp::MAX, &TimeZone::UTC).next(),
            None,
            "{expr}"
        );
    }
    // A rate from the beginning of time: a whole multiple of the period, in range.
    let rate = parse("rate(7 days)").expect("parses");
    let t = rate
        .fire_times_after(Timestamp::MIN, &TimeZone::UTC)
        .next()
        .expect("a first fire time");
    assert_eq!(t.as_second().rem_euclid(7 * 86_400), 0);
    assert!(t > Timestamp::MIN);
}
