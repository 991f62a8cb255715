//! Proleptic Gregorian calendar arithmetic on plain integers.
//!
//! The evaluator works on wall-clock fields and seconds since the Unix epoch; these helpers
//! convert between them without allocation or time-zone lookups, which keeps enumeration fast.

/// Whether `year` is a leap year (2028 is, 2100 is not, 2000 was).
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1-12) of `year`.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Day of the week in AWS numbering: 1 = Sunday … 7 = Saturday.
pub fn weekday(days: i64) -> u8 {
    // 1970-01-01 was a Thursday (5).
    ((days + 4).rem_euclid(7) + 1) as u8
}

/// A wall-clock minute: what a cron expression is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wall {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

impl Wall {
    /// The wall time `seconds` after 1970-01-01T00:00 on the same clock, rounded down to the minute.
    pub fn from_seconds(seconds: i64) -> Wall {
        let days = seconds.div_euclid(86_400);
        let in_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Wall {
            year,
            month,
            day,
            hour: (in_day / 3_600) as u8,
            minute: (in_day % 3_600 / 60) as u8,
        }
    }

    /// Seconds from 1970-01-01T00:00 on the same clock.
    pub fn to_seconds(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3_600
            + i64::from(self.minute) * 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_over_the_whole_eventbridge_range() {
        let start = days_from_civil(1969, 1, 1);
        let end = days_from_civil(2201, 1, 1);
        let mut expected = (1969, 1, 1);
        for d in start..end {
            assert_eq!(civil_from_days(d), expected);
            assert_eq!(days_from_civil(expected.0, expected.1, expected.2), d);
            let (y, m, day) = expected;
            expected = if day < days_in_month(y, m) {
                (y, m, day + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn known_weekdays_and_leap_years() {
        assert_eq!(weekday(days_from_civil(2026, 11, 29)), 1); // a Sunday
        assert_eq!(weekday(days_from_civil(2000, 1, 1)), 7); // a Saturday
        assert!(is_leap(2028) && is_leap(2000) && !is_leap(2100) && !is_leap(2027));
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2028, 2), 29);
    }
}
