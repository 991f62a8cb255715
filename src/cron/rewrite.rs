//! The exact rewrite of a local-time expression into UTC EventBridge rules.
//!
//! A fixed-offset zone shifts every local minute by the same amount, so the local fire set
//! (dates × times of day) becomes, per day shift δ ∈ {-1, 0, +1}, "dates + δ" × "shifted times".
//! Dates + δ are rebuilt from per-month day masks over the whole calendar EventBridge accepts,
//! so the result is exact by construction; then [`prove`] checks it independently before use.

use super::ast::{Cron, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, StepBase};
use super::civil::{Wall, days_in_month};
use super::eval::Compiled;
use super::parse::{MAX_EXPRESSION_CHARS, parse};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::{BTreeMap, HashMap};

const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;
/// More rules than this for one schedule is a sign the expression fights the offset.
pub const MAX_RULES: usize = 8;
/// A longer year list is exact but unreadable in review; such schedules get an error instead.
const MAX_YEAR_TEXT: usize = 40;

/// Why a local expression has no exact set of UTC rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// The user's input: EventBridge rules cannot express this schedule exactly in UTC.
    #[error("{reason}")]
    NotExpressible { reason: String, help: String },
    /// A bug in cronbridge: the rewrite did not fire at exactly the local instants.
    #[error(
        "internal error: the UTC rules do not fire at exactly the local times ({detail}); nothing was deployed — please report this"
    )]
    ProofFailed { detail: String },
}

impl RewriteError {
    /// The fix to suggest, when there is one.
    pub fn help(&self) -> Option<&str> {
        match self {
            RewriteError::NotExpressible { help, .. } => Some(help),
            RewriteError::ProofFailed { .. } => None,
        }
    }
}

fn not_expressible(reason: impl Into<String>, help: impl Into<String>) -> RewriteError {
    RewriteError::NotExpressible {
        reason: reason.into(),
        help: help.into(),
    }
}

/// The UTC rules for `expr` written in `zone`, valid from `now` on, proven before they are
/// returned. Rate expressions do not depend on the zone and come back unchanged.
pub fn to_utc(
    expr: &Expression,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Vec<Expression>, RewriteError> {
    let cron = match expr {
        Expression::Rate(_) => return Ok(vec![expr.clone()]),
        Expression::Cron(c) => c,
    };
    let regime = Regime::of(zone, now);
    let rules = if regime.offsets.len() == 1 {
        let offset = regime.offsets[0];
        if offset % 60 != 0 {
            return Err(not_expressible(
                format!("the zone's UTC offset ({offset} s) is not a whole number of minutes"),
                "use a zone with a whole-minute offset",
            ));
        }
        synthesize(cron, offset / 60)?
    } else {
        offset_independent(cron, &regime)?
    };
    prove(cron, zone, &regime, &rules, now)?;
    Ok(rules.into_iter().map(Expression::Cron).collect())
}

/// The offsets a zone uses from `now` to the end of 2199, and since when the current one holds.
#[derive(Debug, Clone)]
struct Regime {
    /// Distinct offsets in seconds, the current one first.
    offsets: Vec<i64>,
    /// The instant from which the zone has kept the current offset (or `now`'s regime began).
    since: i64,
}

/// 2200-01-01T00:00:00Z: the end of the instants EventBridge rules can describe.
const END_OF_RANGE: i64 = 7_258_118_400;

impl Regime {
    fn of(zone: &TimeZone, now: Timestamp) -> Regime {
        let current = i64::from(zone.to_offset(now).seconds());
        let mut offsets = vec![current];
        for tr in zone.following(now) {
            if tr.timestamp().as_second() >= END_OF_RANGE {
                break;
            }
            let o = i64::from(tr.offset().seconds());
            if !offsets.contains(&o) {
                offsets.push(o);
            }
            // Daylight saving alternates between two or three offsets; once one repeats
            // after a few years nothing new will appear, so stop early.
            if offsets.len() > 4 {
                break;
            }
        }
        let since = zone
            .preceding(now)
            .next()
            .map_or(i64::MIN, |tr| tr.timestamp().as_second());
        Regime { offsets, since }
    }
}

/// Which days of a UTC month the shifted local dates cover, for every month 1970-2199.
struct ShiftedDays {
    /// Index: (year - 1970) * 12 + (month - 1).
    masks: Vec<u32>,
}

fn month_index(year: i32, month: u8) -> usize {
    (year - FIRST_YEAR) as usize * 12 + usize::from(month) - 1
}

fn full_month(year: i32, month: u8) -> u32 {
    ((1u64 << (days_in_month(year, month) + 1)) - 2) as u32
}

fn prev_month(year: i32, month: u8) -> (i32, u8) {
    if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    }
}

fn next_month(year: i32, month: u8) -> (i32, u8) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

fn months() -> impl Iterator<Item = (i32, u8)> {
    (FIRST_YEAR..=LAST_YEAR).flat_map(|y| (1..=12u8).map(move |m| (y, m)))
}

impl ShiftedDays {
    /// UTC day `d` is in the set when local day `d - delta` matches.
    fn new(local: &Compiled, delta: i64) -> ShiftedDays {
        let around = |y: i32, m: u8| {
            if (FIRST_YEAR..=LAST_YEAR).contains(&y) {
                local.day_mask(y, m)
            } else {
                local.day_mask_beyond_range(y, m)
            }
        };
        let masks = months()
            .map(|(y, m)| {
                let here = local.day_mask(y, m);
                match delta {
                    0 => here,
                    -1 => {
                        // UTC d <- local d+1; the last UTC day <- local day 1 of next month.
                        let (ny, nm) = next_month(y, m);
                        let mut mask = (here >> 1) & full_month(y, m);
                        if around(ny, nm) & 0b10 != 0 {
                            mask |= 1 << days_in_month(y, m);
                        }
                        mask
                    }
                    _ => {
                        // UTC d <- local d-1; UTC day 1 <- local last day of previous month.
                        let (py, pm) = prev_month(y, m);
                        let mut mask = (here << 1) & full_month(y, m);
                        if around(py, pm) & (1 << days_in_month(py, pm)) != 0 {
                            mask |= 0b10;
                        }
                        mask
                    }
                }
            })
            .collect();
        ShiftedDays { masks }
    }

    fn get(&self, year: i32, month: u8) -> u32 {
        self.masks[month_index(year, month)]
    }

    fn is_empty(&self) -> bool {
        self.masks.iter().all(|&m| m == 0)
    }
}

/// The date part of a rule: day-of-month, month, day-of-week and year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct DayPart {
    dom: String,
    dow: String,
    month: String,
    year: String,
}

impl DayPart {
    fn of(cron: &Cron) -> DayPart {
        let printed = cron.to_string();
        let fields: Vec<&str> = printed.split(' ').collect();
        DayPart {
            dom: fields.get(2).copied().unwrap_or("?").to_string(),
            month: fields.get(3).copied().unwrap_or("*").to_string(),
            dow: fields.get(4).copied().unwrap_or("?").to_string(),
            year: fields.get(5).copied().unwrap_or("*").to_string(),
        }
    }

    fn with_times(&self, minutes: &str, hours: &str) -> String {
        format!(
            "{minutes} {hours} {} {} {} {}",
            self.dom, self.month, self.dow, self.year
        )
    }

    fn compiled(&self) -> Result<Compiled, RewriteError> {
        match parse(&self.with_times("0", "0")) {
            Ok(Expression::Cron(c)) => Ok(Compiled::new(&c)),
            other => Err(RewriteError::ProofFailed {
                detail: format!("generated day fields do not parse: {other:?}"),
            }),
        }
    }
}

/// Whether a candidate date part covers exactly the shifted days, in every month.
fn covers_exactly(candidates: &[DayPart], target: &ShiftedDays) -> Result<bool, RewriteError> {
    let compiled: Vec<Compiled> = candidates
        .iter()
        .map(DayPart::compiled)
        .collect::<Result<_, _>>()?;
    Ok(months().all(|(y, m)| {
        let mut union = 0u32;
        for c in &compiled {
            let mask = c.day_mask(y, m);
            if union & mask != 0 {
                return false; // two rules on one day would fire twice
            }
            union |= mask;
        }
        union == target.get(y, m)
    }))
}

/// Date parts for the shifted days; `None` when no short set of rules expresses them.
fn date_parts(
    local: &Cron,
    compiled: &Compiled,
    delta: i64,
) -> Result<Option<Vec<DayPart>>, RewriteError> {
    let same = DayPart::of(local);
    if delta == 0 {
        return Ok(Some(vec![same]));
    }
    // Weekday lists shift with the day, wrapping SAT+1 = SUN.
    let weekdays = match &local.day_of_week {
        DayOfWeek::Days(field) => Some(mask_of(field, FieldKind::DayOfWeek)),
        DayOfWeek::Last => Some(1 << 7),
        _ => None,
    };
    let every_day = matches!(local.day_of_month, DayOfMonth::Days(Field::All));
    let mut target = None;
    if let Some(mask) = weekdays.or(every_day.then_some(0b1111_1110)) {
        let mut shifted = 0u64;
        for w in 1..=7i64 {
            if mask & (1 << w) != 0 {
                shifted |= 1 << ((w - 1 + delta).rem_euclid(7) + 1);
            }
        }
        let candidate = DayPart {
            dom: "?".into(),
            dow: if shifted == 0b1111_1110 {
                "*".into()
            } else {
                field_text(FieldKind::DayOfWeek, &ordered(shifted, 1, 7))
            },
            ..same.clone()
        };
        let candidate = if candidate.dow == "*" {
            DayPart {
                dom: "*".into(),
                dow: "?".into(),
                ..candidate
            }
        } else {
            candidate
        };
        // In every month of every year the days of the week run on across month and year
        // ends, so the shifted list is exact without scanning the calendar (the proof still
        // checks it).
        if compiled.every_month_and_year() {
            return Ok(Some(vec![candidate]));
        }
        let shifted_days = ShiftedDays::new(compiled, delta);
        if shifted_days.is_empty() {
            return Ok(Some(Vec::new()));
        }
        if covers_exactly(std::slice::from_ref(&candidate), &shifted_days)? {
            return Ok(Some(vec![candidate]));
        }
        target = Some(shifted_days);
    }
    let target = target.unwrap_or_else(|| ShiftedDays::new(compiled, delta));
    if target.is_empty() {
        return Ok(Some(Vec::new()));
    }
    // Otherwise rebuild the days as day-of-month lists, once with month ends written as `L`
    // and once as plain days, and keep the shorter result.
    let mut best: Option<Vec<DayPart>> = None;
    for use_last in [false, true] {
        let parts = dom_parts(&target, use_last);
        if parts.len() <= MAX_RULES
            && parts.iter().all(|p| p.year.len() <= MAX_YEAR_TEXT)
            && best.as_ref().is_none_or(|b| parts.len() < b.len())
            && covers_exactly(&parts, &target)?
        {
            best = Some(parts);
        }
    }
    Ok(best)
}

fn mask_of(field: &Field, kind: FieldKind) -> u64 {
    let (min, max) = kind.bounds();
    let mut mask = 0u64;
    let mut add = |a: u16, b: u16, step: u16| {
        let mut v = a;
        while v <= b {
            mask |= 1 << v;
            v += step.max(1);
        }
    };
    match field {
        Field::All => add(min, max, 1),
        Field::List(items) => {
            for item in items {
                match *item {
                    Item::Value(v) => add(v, v, 1),
                    Item::Range(a, b) => add(a, b, 1),
                    Item::Step(StepBase::All, s) => add(min, max, s),
                    Item::Step(StepBase::From(a), s) => add(a, max, s),
                    Item::Step(StepBase::Range(a, b), s) => add(a, b, s),
                }
            }
        }
    }
    mask
}

/// Day-of-month date parts: one per distinct day list, months grouped by the years they hold.
fn dom_parts(target: &ShiftedDays, use_last: bool) -> Vec<DayPart> {
    // (day list or "L") -> month -> years where that month has exactly this list.
    let mut plan: BTreeMap<String, BTreeMap<u8, Vec<i32>>> = BTreeMap::new();
    let mut add = |key: String, y: i32, m: u8| {
        plan.entry(key).or_default().entry(m).or_default().push(y);
    };
    for (y, m) in months() {
        let mut mask = target.get(y, m);
        if mask == 0 {
            continue;
        }
        let full = full_month(y, m);
        if mask == full {
            add("*".into(), y, m);
            continue;
        }
        let last = 1u32 << days_in_month(y, m);
        if use_last && mask & last != 0 {
            add("L".into(), y, m);
            mask &= !last;
            if mask == 0 {
                continue;
            }
        }
        add(
            field_text(FieldKind::DayOfMonth, &ordered(u64::from(mask), 1, 31)),
            y,
            m,
        );
    }
    let mut parts = Vec::new();
    for (dom, by_month) in plan {
        // Months that hold this list in the same years share one rule.
        let mut groups: BTreeMap<Vec<i32>, Vec<u16>> = BTreeMap::new();
        for (m, years) in by_month {
            groups.entry(years).or_default().push(u16::from(m));
        }
        for (years, months) in groups {
            let month_mask = months.iter().fold(0u64, |acc, &m| acc | 1 << m);
            let year_text = years_text(&years);
            parts.push(DayPart {
                dom: dom.clone(),
                dow: "?".into(),
                month: if month_mask == 0b1_1111_1111_1110 {
                    "*".into()
                } else {
                    field_text(FieldKind::Month, &ordered(month_mask, 1, 12))
                },
                year: year_text,
            });
        }
    }
    parts
}

/// The values of a bit mask in increasing order.
fn ordered(mask: u64, min: u16, max: u16) -> Vec<u16> {
    (min..=max).filter(|v| mask & (1 << v) != 0).collect()
}

/// Field text for values in the given order: `*` when complete, `a/s` or `a-b/s` for an
/// arithmetic progression, otherwise a list with ascending runs of three or more as ranges.
fn field_text(kind: FieldKind, values: &[u16]) -> String {
    let (min, max) = kind.bounds();
    let name = |v: u16| match kind {
        FieldKind::DayOfWeek => super::ast::DAY_NAMES
            .get(usize::from(v).wrapping_sub(1))
            .map_or_else(|| v.to_string(), |s| (*s).to_string()),
        _ => v.to_string(),
    };
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() == usize::from(max - min + 1) {
        return "*".into();
    }
    if sorted.len() >= 3 && kind != FieldKind::DayOfWeek {
        let step = sorted[1] - sorted[0];
        if step >= 2 && sorted.windows(2).all(|w| w[1] - w[0] == step) {
            let (first, last) = (sorted[0], sorted[sorted.len() - 1]);
            return if last + step > max {
                if first == min {
                    format!("*/{step}")
                } else {
                    format!("{first}/{step}")
                }
            } else {
                format!("{first}-{last}/{step}")
            };
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}-{}", name(values[i]), name(values[j])));
        } else {
            for v in &values[i..=j] {
                parts.push(name(*v));
            }
        }
        i = j + 1;
    }
    parts.join(",")
}

/// Years as a field: `*`, or ranges and leap-year-like progressions.
fn years_text(years: &[i32]) -> String {
    if years.len() == (LAST_YEAR - FIRST_YEAR + 1) as usize {
        return "*".into();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < years.len() {
        // Longest arithmetic run from i (step 1 makes a range, larger steps a progression).
        let mut best = (i, 1i32);
        if i + 1 < years.len() {
            let step = years[i + 1] - years[i];
            let mut j = i + 1;
            while j + 1 < years.len() && years[j + 1] - years[j] == step {
                j += 1;
            }
            best = (j, step);
        }
        let (j, step) = best;
        let (a, b) = (years[i], years[j]);
        if j == i {
            parts.push(a.to_string());
        } else if step == 1 && j - i >= 2 {
            parts.push(format!("{a}-{b}"));
        } else if step > 1 && j - i >= 2 {
            parts.push(format!("{a}-{b}/{step}"));
        } else {
            parts.push(a.to_string());
            parts.push(b.to_string());
        }
        i = j + 1;
    }
    parts.join(",")
}

/// UTC times of day per day shift: for each δ, a minute mask per UTC hour.
type Times = BTreeMap<i64, [u64; 24]>;

fn shifted_times(local: &Compiled, offset_minutes: i64) -> Times {
    let mut times = Times::new();
    for h in 0..24u8 {
        for m in 0..60u8 {
            if !local.matches_time(h, m) {
                continue;
            }
            let t = i64::from(h) * 60 + i64::from(m) - offset_minutes;
            let (delta, u) = (t.div_euclid(1440), t.rem_euclid(1440));
            times.entry(delta).or_insert([0; 24])[(u / 60) as usize] |= 1 << (u % 60);
        }
    }
    times
}

/// The rules for a fixed offset (UTC = local − offset).
fn synthesize(local: &Cron, offset_minutes: i64) -> Result<Vec<Cron>, RewriteError> {
    let compiled = Compiled::new(local);
    let times = shifted_times(&compiled, offset_minutes);
    // Date part -> UTC times of day, merging day shifts that land on the same dates.
    let mut by_dates: Vec<(DayPart, [u64; 24])> = Vec::new();
    for (&delta, hours) in &times {
        let Some(parts) = date_parts(local, &compiled, delta)? else {
            return Err(why_not(local, delta, offset_minutes));
        };
        for part in parts {
            match by_dates.iter_mut().find(|(p, _)| *p == part) {
                Some((_, existing)) => existing.iter_mut().zip(hours).for_each(|(e, h)| *e |= h),
                None => by_dates.push((part, *hours)),
            }
        }
    }
    // Local hour order keeps the UTC hours readable next to the local ones (JST 8-10 → 23,0,1).
    let hour_order: Vec<u16> = (0..24)
        .map(|h: i64| (h - offset_minutes.div_euclid(60)).rem_euclid(24) as u16)
        .collect();
    let mut rules = Vec::new();
    for (part, hours) in by_dates {
        // Hours with the same minutes share a rule.
        let mut groups: Vec<(u64, Vec<u16>)> = Vec::new();
        for &h in &hour_order {
            let minutes = hours[usize::from(h)];
            if minutes == 0 {
                continue;
            }
            match groups.iter_mut().find(|(m, _)| *m == minutes) {
                Some((_, hs)) => hs.push(h),
                None => groups.push((minutes, vec![h])),
            }
        }
        for (minutes, hs) in groups {
            let text = part.with_times(
                &field_text(FieldKind::Minutes, &ordered(minutes, 0, 59)),
                &field_text(FieldKind::Hours, &hs),
            );
            match parse(&text) {
                Ok(Expression::Cron(c)) => rules.push(c),
                other => {
                    return Err(RewriteError::ProofFailed {
                        detail: format!("generated rule `{text}` does not parse: {other:?}"),
                    });
                }
            }
        }
    }
    let mut fitted = Vec::with_capacity(rules.len());
    for rule in rules {
        fitted.extend(fit(rule)?);
    }
    let rules = fitted;
    if rules.len() > MAX_RULES {
        return Err(not_expressible(
            format!(
                "this schedule needs {} UTC rules (more than {MAX_RULES})",
                rules.len()
            ),
            "split the batch into simpler schedules, or choose times that keep their UTC day",
        ));
    }
    Ok(rules)
}

/// A rule within EventBridge's 256 characters: one that is longer (its shifted hour or
/// minute list no longer compresses) is split over its hours, then its minutes, never
/// truncated; the parts are disjoint, so the proof still finds each instant exactly once.
fn fit(rule: Cron) -> Result<Vec<Cron>, RewriteError> {
    if Expression::Cron(rule.clone()).to_aws().len() <= MAX_EXPRESSION_CHARS {
        return Ok(vec![rule]);
    }
    let halves = |field: &Field, kind: FieldKind| -> Option<(String, String)> {
        let (min, max) = kind.bounds();
        let values = ordered(mask_of(field, kind), min, max);
        if values.len() < 2 {
            return None;
        }
        let (a, b) = values.split_at(values.len() / 2);
        Some((field_text(kind, a), field_text(kind, b)))
    };
    let printed = rule.to_string();
    let fields: Vec<&str> = printed.split(' ').collect();
    let (index, (a, b)) = match halves(&rule.hours, FieldKind::Hours) {
        Some(h) => (1, h),
        None => match halves(&rule.minutes, FieldKind::Minutes) {
            Some(m) => (0, m),
            None => {
                return Err(not_expressible(
                    format!(
                        "the UTC rule `{printed}` is longer than EventBridge's {MAX_EXPRESSION_CHARS} characters"
                    ),
                    "shorten the day-of-month, month or year lists of the schedule",
                ));
            }
        },
    };
    let mut out = Vec::new();
    for half in [a, b] {
        let mut parts = fields.clone();
        parts[index] = &half;
        match parse(&parts.join(" ")) {
            Ok(Expression::Cron(c)) => out.extend(fit(c)?),
            other => {
                return Err(RewriteError::ProofFailed {
                    detail: format!("a split of `{printed}` does not parse: {other:?}"),
                });
            }
        }
    }
    Ok(out)
}

/// Explains why a date part cannot follow its times across UTC midnight.
fn why_not(local: &Cron, delta: i64, offset_minutes: i64) -> RewriteError {
    let direction = if delta < 0 { "previous" } else { "next" };
    let construct = match (&local.day_of_month, &local.day_of_week) {
        (DayOfMonth::Last, _) => "`L` (the last day of the month)".to_string(),
        (DayOfMonth::LastWeekday, _) => "`LW` (the last weekday of the month)".to_string(),
        (DayOfMonth::NearestWeekday(d), _) => format!("`{d}W` (the weekday nearest day {d})"),
        (_, DayOfWeek::Nth(d, k)) => format!("`{d}#{k}` (a numbered weekday of the month)"),
        (_, DayOfWeek::LastInMonth(d)) => format!("`{d}L` (the last such weekday of the month)"),
        (_, DayOfWeek::Days(_) | DayOfWeek::Last) => {
            "a day of the week restricted to some months or years".to_string()
        }
        _ => "these days of the month".to_string(),
    };
    let safe = safe_hours(offset_minutes);
    not_expressible(
        format!(
            "{construct} at these hours falls on the {direction} day in UTC, and no short set of EventBridge rules names exactly those UTC days"
        ),
        format!(
            "pick a time between {safe} local time (the same day in UTC), split the batch, or use a zone-aware backend such as EventBridge Scheduler"
        ),
    )
}

/// The local times whose UTC time is on the same day, as `HH:MM-HH:MM`.
fn safe_hours(offset_minutes: i64) -> String {
    let (from, to) = if offset_minutes >= 0 {
        (offset_minutes, 1439)
    } else {
        (0, 1439 + offset_minutes)
    };
    format!(
        "{:02}:{:02} and {:02}:{:02}",
        from / 60,
        from % 60,
        to / 60,
        to % 60
    )
}

/// Zones whose offset changes: only expressions that fire the same way under every offset
/// (all hours, all days) can be rules in UTC.
fn offset_independent(local: &Cron, regime: &Regime) -> Result<Vec<Cron>, RewriteError> {
    let every_day = matches!(
        (&local.day_of_month, &local.day_of_week),
        (DayOfMonth::Days(Field::All), _) | (DayOfMonth::NoSpecific, DayOfWeek::Days(Field::All))
    );
    let independent = local.hours == Field::All
        && every_day
        && local.month == Field::All
        && local.year == Field::All;
    let dst_error = || {
        not_expressible(
            "this zone changes its UTC offset (daylight saving time), so a schedule tied to local hours or dates has no fixed equivalent in UTC rules",
            "write the schedule in a fixed-offset zone (e.g. UTC), or use a zone-aware backend such as EventBridge Scheduler",
        )
    };
    if !independent {
        return Err(dst_error());
    }
    let minutes = mask_of(&local.minutes, FieldKind::Minutes);
    let mut shifted_sets = regime.offsets.iter().map(|o| {
        let shift = (o / 60).rem_euclid(60) as u16;
        let mut out = 0u64;
        for m in 0..60u16 {
            if minutes & (1 << m) != 0 {
                out |= 1 << ((m + 60 - shift) % 60);
            }
        }
        out
    });
    let first = shifted_sets.next().unwrap_or(minutes);
    if shifted_sets.any(|s| s != first) {
        return Err(dst_error());
    }
    let text = format!(
        "{} * * * ? *",
        field_text(FieldKind::Minutes, &ordered(first, 0, 59))
    );
    match parse(&text) {
        Ok(Expression::Cron(c)) => Ok(vec![c]),
        other => Err(RewriteError::ProofFailed {
            detail: format!("generated rule `{text}` does not parse: {other:?}"),
        }),
    }
}

/// Checks that the rules fire at exactly the local expression's instants, none twice, and
/// that every rule prints canonically. A failure is a bug in the rewrite.
///
/// With a fixed offset each side is "dates × times of day", so the instants of one UTC date
/// follow from which local dates (δ = -1, 0, +1) and which rules match it: the comparison runs
/// date by date, memoised by that pattern, over the window. With a changing offset the
/// instants themselves are compared, over two years from `now`.
fn prove(
    local: &Cron,
    zone: &TimeZone,
    regime: &Regime,
    rules: &[Cron],
    now: Timestamp,
) -> Result<(), RewriteError> {
    let fail = |detail: String| Err(RewriteError::ProofFailed { detail });
    let mut compiled_rules = Vec::new();
    for rule in rules {
        let text = rule.to_string();
        match parse(&format!("cron({text})")) {
            Ok(Expression::Cron(c)) if c == *rule && text.len() + 6 <= MAX_EXPRESSION_CHARS => {
                compiled_rules.push(Compiled::new(&c));
            }
            _ => return fail(format!("rule `{text}` does not print canonically")),
        }
    }
    let local_compiled = Compiled::new(local);
    match regime.offsets.as_slice() {
        [offset] => {
            let (from, to) = regime.window(local, now);
            prove_fixed(&local_compiled, *offset, &compiled_rules, from, to)
        }
        _ => {
            let from = now.as_second();
            prove_instants(local, zone, rules, from, from + 2 * 366 * 86_400)
        }
    }
}

/// A UTC time-of-day set: bit `60h + m`.
type DayTimes = [u64; 23];

fn union(a: &mut DayTimes, b: &DayTimes) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
}

fn prove_fixed(
    local: &Compiled,
    offset: i64,
    rules: &[Compiled],
    from_day: i64,
    to_day: i64,
) -> Result<(), RewriteError> {
    // Local times of day, mapped through real instants to (UTC day shift, UTC time of day).
    let mut local_times: [DayTimes; 3] = [[0; 23]; 3];
    let base = Wall {
        year: 2001,
        month: 1,
        day: 2,
        hour: 0,
        minute: 0,
    };
    let base_day = base.to_seconds().div_euclid(86_400);
    for h in 0..24u8 {
        for m in 0..60u8 {
            if !local.matches_time(h, m) {
                continue;
            }
            let instant = Wall {
                hour: h,
                minute: m,
                ..base
            }
            .to_seconds()
                - offset;
            let utc = Wall::from_seconds(instant);
            let delta = instant.div_euclid(86_400) - base_day;
            let bit = usize::from(utc.hour) * 60 + usize::from(utc.minute);
            let Some(slot) = usize::try_from(delta + 1).ok().filter(|&i| i < 3) else {
                return Err(RewriteError::ProofFailed {
                    detail: format!("offset {offset} s moves a time by more than a day"),
                });
            };
            local_times[slot][bit / 64] |= 1 << (bit % 64);
        }
    }
    let rule_times: Vec<DayTimes> = rules
        .iter()
        .map(|r| {
            let mut t = [0u64; 23];
            for h in 0..24u8 {
                for m in 0..60u8 {
                    if r.matches_time(h, m) {
                        let bit = usize::from(h) * 60 + usize::from(m);
                        t[bit / 64] |= 1 << (bit % 64);
                    }
                }
            }
            t
        })
        .collect();
    let mut verdicts: HashMap<(u8, u32), bool> = HashMap::new();
    let mut check = |shifts: u8, firing: u32| -> bool {
        *verdicts.entry((shifts, firing)).or_insert_with(|| {
            let mut want = [0u64; 23];
            for (slot, times) in local_times.iter().enumerate() {
                if shifts & (1 << slot) != 0 {
                    union(&mut want, times);
                }
            }
            let mut got = [0u64; 23];
            for (i, times) in rule_times.iter().enumerate() {
                if firing & (1 << i) != 0 {
                    if got.iter().zip(times).any(|(g, t)| g & t != 0) {
                        return false; // two rules at one instant would run the batch twice
                    }
                    union(&mut got, times);
                }
            }
            want == got
        })
    };
    let mut day = from_day;
    while day < to_day {
        let (y, m, _) = super::civil::civil_from_days(day);
        let first = super::civil::days_from_civil(y, m, 1);
        let dim = i64::from(days_in_month(y, m));
        let (py, pm) = prev_month(y, m);
        let (ny, nm) = next_month(y, m);
        // Local masks around this month, as one 64-bit line: bit 1 = day 0 (the last day of
        // the previous month), bit d+1 = day d, bit dim+2 = day 1 of the next month.
        let prev_last = local.day_mask(py, pm) >> days_in_month(py, pm) & 1;
        let line = u64::from(prev_last) << 1
            | u64::from(local.day_mask(y, m)) << 1
            | u64::from(local.day_mask(ny, nm) >> 1 & 1) << (dim + 2);
        let rule_masks: Vec<u32> = rules.iter().map(|r| r.day_mask(y, m)).collect();
        let last = (first + dim).min(to_day);
        while day < last {
            let d = (day - first + 1) as u32;
            // δ = -1: local date d+1; δ = 0: d; δ = +1: d-1 (slots 0, 1, 2).
            let shifts =
                ((line >> (d + 2) & 1) | (line >> (d + 1) & 1) << 1 | (line >> d & 1) << 2) as u8;
            let firing = rule_masks
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, mask)| acc | ((mask >> d & 1) << i));
            if !check(shifts, firing) {
                return Err(RewriteError::ProofFailed {
                    detail: format!("the instants differ on {y:04}-{m:02}-{d:02} UTC"),
                });
            }
            day += 1;
        }
    }
    Ok(())
}

fn prove_instants(
    local: &Cron,
    zone: &TimeZone,
    rules: &[Cron],
    from: i64,
    to: i64,
) -> Result<(), RewriteError> {
    let fail = |detail: String| Err(RewriteError::ProofFailed { detail });
    let start = ts(from - 1);
    let mut local_times = Expression::Cron(local.clone()).fire_times_after(start, zone);
    let mut streams: Vec<_> = rules
        .iter()
        .map(|r| Expression::Cron(r.clone()).fire_times_after(start, &TimeZone::UTC))
        .collect();
    let mut heads: Vec<Option<i64>> = streams.iter_mut().map(|s| s.next_second()).collect();
    loop {
        let expected = local_times.next_second().filter(|&t| t < to);
        let next = heads.iter().flatten().copied().min().filter(|&t| t < to);
        match (expected, next) {
            (None, None) => return Ok(()),
            (Some(e), Some(n)) if e == n => {
                let firing = heads.iter().filter(|h| **h == Some(n)).count();
                if firing > 1 {
                    return fail(format!("{firing} rules fire at {}", ts(n)));
                }
                for (head, stream) in heads.iter_mut().zip(streams.iter_mut()) {
                    if *head == Some(n) {
                        *head = stream.next_second();
                    }
                }
            }
            (e, n) => {
                return fail(format!(
                    "local next {:?}, UTC rules next {:?}",
                    e.map(ts),
                    n.map(ts)
                ));
            }
        }
    }
}

fn ts(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Regime {
    /// UTC days `[from, to)` the fixed-offset proof covers: a year before `now` to eight years
    /// after (at least two leap days), and every year the expression names with its
    /// neighbours, clipped to the time the zone has kept this offset and to 1970-2199.
    fn window(&self, local: &Cron, now: Timestamp) -> (i64, i64) {
        let day = |y: i32| super::civil::days_from_civil(y, 1, 1);
        let now_year = now.to_zoned_datetime(TimeZone::UTC).year() as i32;
        let (mut from, mut to) = (day(now_year - 1), day(now_year + 9));
        if local.year != Field::All {
            let years = mask_years(&local.year);
            if let (Some(first), Some(last)) = (years.first(), years.last()) {
                from = from.min(day(first - 1));
                to = to.max(day(last + 2));
            }
        }
        let floor = day(FIRST_YEAR).max(self.since.div_euclid(86_400) + 1);
        (from.max(floor), to.min(day(LAST_YEAR + 1)))
    }
}

fn mask_years(field: &Field) -> Vec<i32> {
    let cron = Cron {
        minutes: Field::All,
        hours: Field::All,
        day_of_month: DayOfMonth::Days(Field::All),
        month: Field::All,
        day_of_week: DayOfWeek::NoSpecific,
        year: field.clone(),
    };
    let compiled = Compiled::new(&cron);
    (FIRST_YEAR..=LAST_YEAR)
        .filter(|&y| compiled.day_mask(y, 1) != 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-29T00:00:00Z".parse().unwrap()
    }

    fn utc(expr: &str, zone: &str) -> Result<Vec<String>, RewriteError> {
        let tz = TimeZone::get(zone).unwrap();
        to_utc(&parse(expr).unwrap(), &tz, now())
            .map(|rules| rules.iter().map(ToString::to_string).collect())
    }

    /// Each expected rule set was worked out by hand; the comment says how.
    #[test]
    fn hard_cases_have_their_exact_utc_rules() {
        let cases: &[(&str, &str, &[&str])] = &[
            // 09:00 JST is 00:00 UTC the same day.
            ("0 9 * * ? *", "Asia/Tokyo", &["0 0 * * ? *"]),
            // Monday 08:00 JST is Sunday 23:00 UTC: the weekday moves with the day.
            ("0 8 ? * MON *", "Asia/Tokyo", &["0 23 ? * SUN *"]),
            // Every day, so the day shift does not matter: one rule, hours in local order.
            ("0 8-10 * * ? *", "Asia/Tokyo", &["0 23,0,1 * * ? *"]),
            // 08:00 moves to the previous weekday, 09:00 and 10:00 keep theirs.
            (
                "0 8-10 ? * MON-FRI *",
                "Asia/Tokyo",
                &["0 23 ? * SUN-THU *", "0 0,1 ? * MON-FRI *"],
            ),
            // SUN - 1 wraps to SAT.
            ("0 5 ? * SUN,MON *", "Asia/Tokyo", &["0 20 ? * SUN,SAT *"]),
            // Day 1 at 03:00 JST is the last day of the previous month at 18:00 UTC.
            ("0 3 1 * ? *", "Asia/Tokyo", &["0 18 L * ? *"]),
            // January 1 2027 03:00 JST is December 31 2026 18:00 UTC: month and year shift.
            ("0 3 1 1 ? 2027", "Asia/Tokyo", &["0 18 31 12 ? 2026"]),
            // Days 1 and 15: day 14 every month, and the last day of every month.
            (
                "0 3 1,15 * ? *",
                "Asia/Tokyo",
                &["0 18 14 * ? *", "0 18 L * ? *"],
            ),
            // Day 31 exists only in 31-day months; UTC day 30 of those months.
            (
                "0 3 31 * ? *",
                "Asia/Tokyo",
                &["0 18 30 1,3,5,7,8,10,12 ? *"],
            ),
            // Day 29 of February exists only in leap years (2100 is not one).
            (
                "0 3 29 * ? *",
                "Asia/Tokyo",
                &["0 18 28 1,3-12 ? *", "0 18 28 2 ? 1972-2096/4,2104-2196/4"],
            ),
            // Saturday (L in day-of-week) 03:00 JST is Friday 18:00 UTC.
            ("0 3 ? * L *", "Asia/Tokyo", &["0 18 ? * FRI *"]),
            // +05:30: 09:00 IST is 03:30 UTC; minute steps are unchanged by a 30-minute shift.
            ("0 9 * * ? *", "Asia/Kolkata", &["30 3 * * ? *"]),
            ("*/15 * * * ? *", "Asia/Kolkata", &["*/15 * * * ? *"]),
            // +05:45: 22:30 NPT Friday is 16:45 UTC Friday.
            ("30 22 ? * FRI *", "Asia/Kathmandu", &["45 16 ? * FRI *"]),
            // +05:45: minutes 0 and 30 become 15 and 45 of the previous hour.
            ("0,30 10 * * ? *", "Asia/Kathmandu", &["15,45 4 * * ? *"]),
            // -03:00: Friday 22:30 is Saturday 01:30 UTC.
            ("30 22 ? * FRI *", "America/Sao_Paulo", &["30 1 ? * SAT *"]),
            // -03:00: the last day at 23:00 is day 1 of the next month at 02:00 UTC.
            ("0 23 L * ? *", "America/Sao_Paulo", &["0 2 1 * ? *"]),
            // -03:00: December 31 2027 22:00 is January 1 2028 01:00 UTC.
            (
                "0 22 31 12 ? 2027",
                "America/Sao_Paulo",
                &["0 1 1 1 ? 2028"],
            ),
            // Hours across UTC midnight, every day: one rule with a range.
            ("0 */2 * * ? *", "Asia/Tokyo", &["0 1/2 * * ? *"]),
            // UTC itself is the identity.
            ("0 23 L * ? *", "UTC", &["0 23 L * ? *"]),
            // A daylight-saving zone, but every 15 minutes of every hour: offset-independent.
            ("*/15 * * * ? *", "America/New_York", &["*/15 * * * ? *"]),
        ];
        for (expr, zone, expected) in cases {
            let expected: Vec<String> = expected.iter().map(ToString::to_string).collect();
            assert_eq!(
                utc(expr, zone).map_err(|e| e.to_string()),
                Ok(expected),
                "{expr} in {zone}"
            );
        }
    }

    #[test]
    fn inexpressible_schedules_are_errors_that_name_the_construct() {
        let cases: &[(&str, &str, &str)] = &[
            // The day before the last day is 27, 28, 29 or 30: not one rule.
            ("0 3 L * ? *", "Asia/Tokyo", "`L`"),
            ("0 3 LW * ? *", "Asia/Tokyo", "`LW`"),
            ("0 3 15W * ? *", "Asia/Tokyo", "`15W`"),
            ("0 3 ? * 2#1 *", "Asia/Tokyo", "`2#1`"),
            ("0 3 ? * 6L *", "Asia/Tokyo", "`6L`"),
            ("0 3 ? 1 MON *", "Asia/Tokyo", "restricted to some months"),
            ("0 9 * * ? *", "America/New_York", "daylight saving"),
            ("0 9 * * ? *", "Europe/London", "daylight saving"),
            ("0 9 * * ? *", "Australia/Sydney", "daylight saving"),
        ];
        for (expr, zone, needle) in cases {
            match utc(expr, zone) {
                Err(RewriteError::NotExpressible { reason, help }) => {
                    assert!(reason.contains(needle), "{expr} in {zone}: {reason}");
                    assert!(!help.is_empty());
                }
                other => panic!("{expr} in {zone}: expected an error, got {other:?}"),
            }
        }
    }

    /// A local expression near the 256-character limit whose UTC form no longer compresses:
    /// split over its hours, never truncated, never reported as a bug.
    #[test]
    fn a_rule_over_256_characters_is_split_over_its_hours() {
        let minutes = "1,3,6,8,11,14,17,19,22,25,27,29,32,34,36,38,41,43,45,48,51,53,55,58";
        let hours = "0,2,3,5,7,8,10,12,14,15,17,19,21,22";
        let days = "1,3,5,7,9,11,13,15,17,19,21,23,25,27";
        let years = "2027,2029,2031,2034,2037,2040,2044,2049,2051,2056,2058,2063,2067,2072,2075,2081,2088,2093,2097,2099";
        // 255 characters bare, so 261 inside `cron(...)`: even the identity needs a split.
        let local = format!("{minutes} {hours} {days} 1,3,5,7,9,11 ? {years}");
        assert_eq!(local.len(), 255);
        let rules = utc(&local, "UTC").unwrap();
        assert!(rules.len() >= 2, "{rules:?}");
        for r in &rules {
            assert!(r.len() + 6 <= MAX_EXPRESSION_CHARS, "{r}");
        }
    }

    #[test]
    fn rates_pass_through() {
        assert_eq!(
            utc("rate(5 minutes)", "America/New_York").ok(),
            Some(vec!["rate(5 minutes)".to_string()])
        );
    }

    fn cron(text: &str) -> Cron {
        match parse(text) {
            Ok(Expression::Cron(c)) => c,
            other => panic!("{text}: {other:?}"),
        }
    }

    /// The proof must reject the classic mistakes, or it proves nothing.
    #[test]
    fn the_proof_rejects_wrong_rewrites() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let regime = Regime::of(&tokyo, now());
        let wrong: &[(&str, &[&str])] = &[
            // Subtracting nine hours without moving the day.
            ("0 8 ? * MON *", &["0 23 ? * MON *"]),
            // Day 1 kept as day 1.
            ("0 3 1 * ? *", &["0 18 1 * ? *"]),
            // A rule set that fires twice at one instant.
            ("0 9 * * ? *", &["0 0 * * ? *", "0 0 1 * ? *"]),
            // A missing rule.
            ("0 8-10 ? * MON-FRI *", &["0 0,1 ? * MON-FRI *"]),
        ];
        for (local, rules) in wrong {
            let rules: Vec<Cron> = rules.iter().map(|r| cron(r)).collect();
            let verdict = prove(&cron(local), &tokyo, &regime, &rules, now());
            assert!(
                matches!(verdict, Err(RewriteError::ProofFailed { .. })),
                "{local}: {verdict:?}"
            );
        }
        let ny = TimeZone::get("America/New_York").unwrap();
        let regime = Regime::of(&ny, now());
        let verdict = prove(
            &cron("0 9 * * ? *"),
            &ny,
            &regime,
            &[cron("0 14 * * ? *")],
            now(),
        );
        assert!(matches!(verdict, Err(RewriteError::ProofFailed { .. })));
    }
}
