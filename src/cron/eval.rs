//! Fire times of an expression in a time zone, found by jumping field by field.
//!
//! A cron expression fires at every instant whose wall-clock time in the zone matches it. So a
//! local time skipped by a daylight-saving change never fires, and one that occurs twice fires
//! twice, once per instant. The zone's offset is constant between transitions; the evaluator
//! searches one such segment at a time, so its answers are exact across every transition.
//!
//! # The end of the range
//!
//! EventBridge rules fire in UTC up to, not including, 2200-01-01T00:00:00Z
//! ([`END_OF_RANGE`]); no later instant is ever a fire time. Before it, a year field that
//! selects every year (`*`, or `1970-2199`) means every year without end: in Tokyo
//! `0 3 * * ? *` fires at 2200-01-01T03:00 local (2199-12-31T18:00Z), as the UTC rule
//! `0 18 * * ? *` does. Any other year field names local years, so `0 3 * * ? 2199` fires last
//! at 2199-12-31T03:00 local. In a zone behind UTC a local 2199-12-31T22:00 that is already
//! 2200 in UTC does not fire: no rule could. At the other end local time starts with 1970 on
//! the zone's clock, as the year field's first value says (that past matters to no rule).

use super::ast::{Cron, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, StepBase};
use super::civil::{Wall, days_from_civil, days_in_month, weekday};
use jiff::Timestamp;
use jiff::tz::TimeZone;

const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;
/// 2200-01-01T00:00:00Z: the first instant no EventBridge rule can fire at.
pub const END_OF_RANGE: i64 = 7_258_118_400;

/// Calls `f` with every value an item list selects, in the field's bounds.
fn for_each_value(field: &Field, kind: FieldKind, mut f: impl FnMut(u16)) {
    let (min, max) = kind.bounds();
    let items = match field {
        Field::All => return (min..=max).for_each(f),
        Field::List(items) => items,
    };
    // The parser only produces in-range values; a hand-built AST may not, and is clamped.
    let mut f = |v: u16| {
        if (min..=max).contains(&v) {
            f(v);
        }
    };
    for item in items {
        match *item {
            Item::Value(v) => f(v),
            Item::Range(a, b) => (a..=b).for_each(&mut f),
            Item::Step(base, every) => {
                let (a, b) = match base {
                    StepBase::All => (min, max),
                    StepBase::From(a) => (a, max),
                    StepBase::Range(a, b) => (a, b),
                };
                (a..=b).step_by(usize::from(every.max(1))).for_each(&mut f);
            }
        }
    }
}

fn mask64(field: &Field, kind: FieldKind) -> u64 {
    let mut mask = 0u64;
    for_each_value(field, kind, |v| mask |= 1u64 << v);
    mask
}

/// Which days of a month match, as a rule computed per (year, month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// Bit `d` set for day `d`.
    MonthDays(u32),
    Last,
    LastWeekday,
    Nearest(u8),
    /// Bit `w` set for weekday `w` (1 = Sunday).
    Weekdays(u8),
    LastInMonth(u8),
    Nth(u8, u8),
}

/// A cron expression compiled to bit sets: the form the evaluator and the rewrite use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    minutes: u64,
    hours: u32,
    months: u16,
    years: [u64; 4],
    days: DayRule,
    /// Every year 1970-2199 is selected.
    every_year: bool,
    /// For `Weekdays`: the day-of-month mask for each weekday of the 1st.
    weekday_masks: [u32; 8],
}

impl Compiled {
    pub fn new(cron: &Cron) -> Compiled {
        let mut years = [0u64; 4];
        for_each_value(&cron.year, FieldKind::Year, |y| {
            let bit = usize::from(y) - FIRST_YEAR as usize;
            years[bit / 64] |= 1 << (bit % 64);
        });
        let days = match (&cron.day_of_month, &cron.day_of_week) {
            (DayOfMonth::Days(f), _) => DayRule::MonthDays(mask64(f, FieldKind::DayOfMonth) as u32),
            (DayOfMonth::Last, _) => DayRule::Last,
            (DayOfMonth::LastWeekday, _) => DayRule::LastWeekday,
            (DayOfMonth::NearestWeekday(d), _) if (1..=31).contains(d) => DayRule::Nearest(*d),
            (DayOfMonth::NearestWeekday(_), _) => DayRule::MonthDays(0),
            (DayOfMonth::NoSpecific, DayOfWeek::Days(f)) => {
                DayRule::Weekdays(mask64(f, FieldKind::DayOfWeek) as u8)
            }
            (DayOfMonth::NoSpecific, DayOfWeek::Last) => DayRule::Weekdays(1 << 7),
            (DayOfMonth::NoSpecific, DayOfWeek::LastInMonth(w)) if (1..=7).contains(w) => {
                DayRule::LastInMonth(*w)
            }
            (DayOfMonth::NoSpecific, DayOfWeek::Nth(w, k))
                if (1..=7).contains(w) && (1..=5).contains(k) =>
            {
                DayRule::Nth(*w, *k)
            }
            // The parser never produces both `?` nor out-of-range specials; matching nothing is
            // the safe reading of a hand-built one.
            (DayOfMonth::NoSpecific, _) => DayRule::MonthDays(0),
        };
        let mut weekday_masks = [0u32; 8];
        if let DayRule::Weekdays(wanted) = days {
            for (first, mask) in weekday_masks.iter_mut().enumerate().skip(1) {
                for d in 1..=31u32 {
                    let w = (first as u32 - 1 + d - 1) % 7 + 1;
                    if wanted & (1 << w) != 0 {
                        *mask |= 1 << d;
                    }
                }
            }
        }
        let every_year = (FIRST_YEAR..=LAST_YEAR).all(|y| {
            let bit = (y - FIRST_YEAR) as usize;
            years[bit / 64] & (1 << (bit % 64)) != 0
        });
        Compiled {
            every_year,
            minutes: mask64(&cron.minutes, FieldKind::Minutes),
            hours: mask64(&cron.hours, FieldKind::Hours) as u32,
            months: mask64(&cron.month, FieldKind::Month) as u16,
            years,
            days,
            weekday_masks,
        }
    }

    /// Bit `d` is set when day `d` of `month` in `year` matches the day fields (and the month
    /// and year fields). A year after 2199 matches when every year does (see the module docs:
    /// year `*` has no end).
    pub fn day_mask(&self, year: i32, month: u8) -> u32 {
        if !self.has_year(year) || self.months & (1 << month) == 0 {
            return 0;
        }
        self.days_of(year, month)
    }

    /// Like [`Compiled::day_mask`], with year `*` open before 1970 too: the rewrite builds
    /// rules for every UTC year, and UTC 1970-01-01 is local 1969-12-31 behind UTC.
    pub fn day_mask_unbounded(&self, year: i32, month: u8) -> u32 {
        if year < FIRST_YEAR && self.every_year && self.months & (1 << month) != 0 {
            return self.days_of(year, month);
        }
        self.day_mask(year, month)
    }

    /// Whether every year 1970-2199 is selected (then the year field has no end).
    pub fn every_year(&self) -> bool {
        self.every_year
    }

    /// Whether every month of every year 1970-2199 is selected.
    pub fn every_month_and_year(&self) -> bool {
        self.every_year && self.months == 0b1_1111_1111_1110
    }

    fn has_year(&self, year: i32) -> bool {
        if year > LAST_YEAR {
            return self.every_year;
        }
        if year < FIRST_YEAR {
            return false;
        }
        let bit = (year - FIRST_YEAR) as usize;
        self.years[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// Day mask from the day fields alone.
    fn days_of(&self, year: i32, month: u8) -> u32 {
        let dim = days_in_month(year, month);
        let in_month = ((1u64 << (dim + 1)) - 2) as u32;
        let first = || weekday(days_from_civil(year, month, 1));
        let weekday_of = |d: u8| (first() - 1 + (d - 1) % 7) % 7 + 1;
        match self.days {
            DayRule::MonthDays(mask) => mask & in_month,
            DayRule::Last => 1 << dim,
            DayRule::LastWeekday => {
                let last = match weekday_of(dim) {
                    7 => dim - 1,
                    1 => dim - 2,
                    _ => dim,
                };
                1 << last
            }
            DayRule::Nearest(n) => {
                if n > dim {
                    return 0;
                }
                let day = match weekday_of(n) {
                    7 if n == 1 => 3,
                    7 => n - 1,
                    1 if n == dim => n - 2,
                    1 => n + 1,
                    _ => n,
                };
                1 << day
            }
            DayRule::Weekdays(_) => self.weekday_masks[usize::from(first())] & in_month,
            DayRule::LastInMonth(w) => {
                let back = (weekday_of(dim) + 7 - w) % 7;
                1 << (dim - back)
            }
            DayRule::Nth(w, k) => {
                let day = 1 + (w + 7 - first()) % 7 + 7 * (k - 1);
                if day <= dim { 1 << day } else { 0 }
            }
        }
    }

    fn next_year(&self, from: i32) -> Option<i32> {
        // A wall time of an instant before the end is at most in 2200 in every zone.
        (from.max(FIRST_YEAR)..=LAST_YEAR + 1).find(|&y| self.has_year(y))
    }

    /// The first matching wall time at or after `w`, or `None` past 2200 (which matches only
    /// when every year does).
    pub fn first_at_or_after(&self, w: Wall) -> Option<Wall> {
        let Wall {
            mut year,
            mut month,
            mut day,
            mut hour,
            mut minute,
        } = w;
        loop {
            let y = self.next_year(year)?;
            if y != year {
                (year, month, day, hour, minute) = (y, 1, 1, 0, 0);
            }
            let Some(m) = next_bit(u64::from(self.months), month) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0);
                continue;
            };
            if m != month {
                (month, day, hour, minute) = (m, 1, 0, 0);
            }
            let Some(d) = next_bit(u64::from(self.days_of(year, month)), day) else {
                (month, day, hour, minute) = (month + 1, 1, 0, 0);
                continue;
            };
            if d != day {
                (day, hour, minute) = (d, 0, 0);
            }
            let Some(h) = next_bit(u64::from(self.hours), hour) else {
                (day, hour, minute) = (day + 1, 0, 0);
                continue;
            };
            if h != hour {
                (hour, minute) = (h, 0);
            }
            let Some(mi) = next_bit(self.minutes, minute) else {
                (hour, minute) = (hour + 1, 0);
                continue;
            };
            return Some(Wall {
                year,
                month,
                day,
                hour,
                minute: mi,
            });
        }
    }

    /// The times of day that match the minutes and hours fields, as minutes after midnight,
    /// increasing.
    pub fn times_of_day(&self) -> impl Iterator<Item = u32> + '_ {
        (0..24u32)
            .filter(|h| self.hours & (1 << h) != 0)
            .flat_map(|h| {
                (0..60u32)
                    .filter(|m| self.minutes & (1 << m) != 0)
                    .map(move |m| h * 60 + m)
            })
    }

    /// Whether a time of day matches the minutes and hours fields.
    pub fn matches_time(&self, hour: u8, minute: u8) -> bool {
        hour < 24
            && minute < 60
            && self.hours & (1 << hour) != 0
            && self.minutes & (1 << minute) != 0
    }

    /// Whether a wall time matches.
    pub fn matches(&self, w: Wall) -> bool {
        self.minutes & (1 << w.minute) != 0
            && self.hours & (1 << w.hour) != 0
            && self.day_mask(w.year, w.month) & (1 << w.day) != 0
    }
}

/// The lowest set bit at position ≥ `from`.
#[inline]
fn next_bit(mask: u64, from: u8) -> Option<u8> {
    if from >= 64 {
        return None;
    }
    let rest = mask >> from;
    (rest != 0).then(|| from + rest.trailing_zeros() as u8)
}

/// A stretch of time with one UTC offset: `[start, end)`, in seconds since the epoch.
#[derive(Debug, Clone, Copy)]
struct Segment {
    end: i64,
    offset: i64,
}

fn segment_at(tz: &TimeZone, t: i64) -> Segment {
    let Ok(ts) = Timestamp::from_second(t) else {
        return Segment {
            end: i64::MAX,
            offset: 0,
        };
    };
    let offset = i64::from(tz.to_offset(ts).seconds());
    let end = tz
        .following(ts)
        .map(|tr| tr.timestamp().as_second())
        .find(|&e| e > t)
        .unwrap_or(i64::MAX);
    Segment { end, offset }
}

/// Floor of a timestamp in whole seconds (jiff truncates toward zero).
fn floor_second(ts: Timestamp) -> i64 {
    let s = ts.as_second();
    if ts.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// The fire times of an expression strictly after an instant, in increasing order.
///
/// Cron expressions fire from 1970 on the zone's clock to the end of 2199 UTC, EventBridge's
/// range (see the module docs for year `*` at its end). Rate expressions fire at whole
/// multiples of their interval counted from 1970-01-01T00:00:00Z (see the module docs of
/// [`crate::cron`]).
#[derive(Debug, Clone)]
pub struct FireTimes {
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Cron {
        compiled: Box<Compiled>,
        tz: TimeZone,
        /// The earliest instant still to search (inclusive).
        cursor: i64,
        segment: Option<Segment>,
        /// The last fire time and its wall time, for the same-day fast path.
        last: Option<(i64, Wall)>,
    },
    Rate {
        period: i64,
        cursor: i64,
    },
    Done,
}

impl FireTimes {
    pub(crate) fn new(expr: &Expression, after: Timestamp, tz: &TimeZone) -> FireTimes {
        let cursor = floor_second(after).saturating_add(1);
        let state = match expr {
            Expression::Cron(cron) => State::Cron {
                compiled: Box::new(Compiled::new(cron)),
                tz: tz.clone(),
                cursor,
                segment: None,
                last: None,
            },
            Expression::Rate(rate) => State::Rate {
                period: rate.period_seconds(),
                cursor,
            },
        };
        FireTimes { state }
    }

    /// Continues the search strictly after `after` (seconds since the epoch), skipping the
    /// fire times up to it; never goes back.
    pub fn skip_to(&mut self, after: i64) {
        match &mut self.state {
            State::Cron { cursor, last, .. } => {
                *cursor = (*cursor).max(after.saturating_add(1));
                // The same-day fast path steps from the last fire time, which this skips.
                *last = None;
            }
            State::Rate { cursor, .. } => *cursor = (*cursor).max(after.saturating_add(1)),
            State::Done => {}
        }
    }

    /// The next fire time, as seconds since the epoch.
    pub fn next_second(&mut self) -> Option<i64> {
        let found = match &mut self.state {
            State::Done => None,
            State::Rate { period, cursor } => {
                let fire = cursor.div_euclid(*period) * *period
                    + if cursor.rem_euclid(*period) == 0 {
                        0
                    } else {
                        *period
                    };
                *cursor = fire + 1;
                Some(fire).filter(|f| Timestamp::from_second(*f).is_ok())
            }
            State::Cron {
                compiled,
                tz,
                cursor,
                segment,
                last,
            } => next_cron(compiled, tz, cursor, segment, last),
        };
        if found.is_none() {
            self.state = State::Done;
        }
        found
    }
}

fn next_cron(
    compiled: &Compiled,
    tz: &TimeZone,
    cursor: &mut i64,
    segment: &mut Option<Segment>,
    last: &mut Option<(i64, Wall)>,
) -> Option<i64> {
    // Fast path: another minute or hour later on the same day, within the same offset.
    if let (Some((t, w)), Some(seg)) = (*last, *segment)
        && *cursor == t + 1
    {
        let step = next_bit(compiled.minutes, w.minute + 1)
            .map(|mi| (w.hour, mi))
            .or_else(|| {
                let h = next_bit(u64::from(compiled.hours), w.hour + 1)?;
                Some((h, next_bit(compiled.minutes, 0)?))
            });
        if let Some((h, mi)) = step {
            let fire = t
                + (i64::from(h) - i64::from(w.hour)) * 3_600
                + (i64::from(mi) - i64::from(w.minute)) * 60;
            if fire < seg.end && fire < END_OF_RANGE {
                let wall = Wall {
                    hour: h,
                    minute: mi,
                    ..w
                };
                *last = Some((fire, wall));
                *cursor = fire + 1;
                return Some(fire);
            }
        }
    }
    loop {
        let seg = match *segment {
            Some(s) if *cursor < s.end => s,
            _ => {
                let s = segment_at(tz, *cursor);
                *segment = Some(s);
                s
            }
        };
        // Round the local time up to a whole minute: cron fires at second 0.
        let local = cursor.checked_add(seg.offset)?;
        let local = local.div_euclid(60) * 60 + if local.rem_euclid(60) == 0 { 0 } else { 60 };
        let wall = compiled.first_at_or_after(Wall::from_seconds(local))?;
        let fire = wall.to_seconds() - seg.offset;
        if fire < seg.end {
            if fire >= END_OF_RANGE {
                return None;
            }
            *last = Some((fire, wall));
            *cursor = fire + 1;
            return Some(fire);
        }
        if seg.end == i64::MAX {
            return None;
        }
        *cursor = seg.end;
        *last = None;
    }
}

impl Iterator for FireTimes {
    type Item = Timestamp;

    fn next(&mut self) -> Option<Timestamp> {
        let s = self.next_second()?;
        match Timestamp::from_second(s) {
            Ok(ts) => Some(ts),
            Err(_) => {
                self.state = State::Done;
                None
            }
        }
    }
}
