//! The exact rewrite of a local-time expression into UTC EventBridge rules.
//!
//! # What is exact
//!
//! The rules must fire at exactly the local schedule's instants, none twice, over the whole
//! range they will fire in: from the UTC day of `now` to 2200-01-01T00:00:00Z, the end of
//! EventBridge's years. At that end a year field selecting every year (`*`) has no end (see
//! the evaluator's docs): Tokyo `0 3 * * ? *` is `0 18 * * ? *`, whose last instant
//! 2199-12-31T18:00Z is 2200-01-01T03:00 local, and a local instant already in 2200 UTC (behind
//! UTC) is no fire time at all; an explicit year list names local years.
//!
//! # How the rules are found
//!
//! A fixed offset shifts every local minute by the same amount, so the local fire set
//! (dates × times of day) becomes, per day shift δ ∈ {-1, 0, +1}, "dates + δ" × "shifted
//! times". The shifted dates are a set of UTC days (a day mask per month, 1970-2199), which is
//! rebuilt as date parts (day-of-month or day-of-week × months × years) by several
//! constructions — weekday lists where the weekdays follow the shift, day-of-month lists per
//! month with the days every year has split from the leap-year or year-specific ones, `L` or
//! plain numbers for month ends, years as ranges and progressions (leap years are
//! `1972-2096/4,2104-2196/4`) — and the set with the fewest rules wins, then day numbers
//! over `L`, then the shortest text. In a zone with daylight saving time the months in which
//! the offset never changes are rewritten with their offset, month group by month group.
//!
//! Every rule set is checked by [`prove`] before use, over that whole range, a month at a time
//! with bit masks (each kind of month once when every year is selected), and on the days a
//! zone changes its offset, the minutes on either side with their own offset.
//!
//! # What stays refused
//!
//! `LW`, `nW`, `n#k` and `nL` moved to another day, at once: they follow a weekday of the local
//! month that no UTC rule can name. A day set for which none of the constructions above fits
//! in the rule budget ([`MAX_RULES`] by default) and 256 characters; the constructions are not
//! an exhaustive search, but they cover every shape of issue 13 and every expressible
//! schedule the property tests build. In a zone with daylight saving time, hour-specific
//! schedules in a month with a change. Each refusal names the construct and what would work.

use super::ast::{Cron, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, StepBase};
use super::civil::{Wall, days_in_month, is_leap};
use super::eval::{Compiled, END_OF_RANGE};
use super::parse::{MAX_EXPRESSION_CHARS, parse};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;
const YEAR_COUNT: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
/// The default most rules for one schedule; [`to_utc_with_max_rules`] takes another.
pub const MAX_RULES: usize = 8;
/// The largest rule budget [`to_utc_with_max_rules`] accepts (the proof tracks rules in a u64).
pub const MAX_RULES_LIMIT: usize = 64;

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

fn bug(detail: impl Into<String>) -> RewriteError {
    RewriteError::ProofFailed {
        detail: detail.into(),
    }
}

/// The UTC rules for `expr` written in `zone`, valid from `now` on, proven before they are
/// returned; at most [`MAX_RULES`] rules. Rate expressions do not depend on the zone and come
/// back unchanged.
pub fn to_utc(
    expr: &Expression,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Vec<Expression>, RewriteError> {
    to_utc_with_max_rules(expr, zone, now, MAX_RULES)
}

/// [`to_utc`] with another budget of rules per schedule (1 to [`MAX_RULES_LIMIT`]).
pub fn to_utc_with_max_rules(
    expr: &Expression,
    zone: &TimeZone,
    now: Timestamp,
    max_rules: usize,
) -> Result<Vec<Expression>, RewriteError> {
    let cron = match expr {
        Expression::Rate(_) => return Ok(vec![expr.clone()]),
        Expression::Cron(c) => c,
    };
    let max_rules = max_rules.clamp(1, MAX_RULES_LIMIT);
    let regime = Regime::of(zone, now);
    let rules = match regime.fixed_offset() {
        Some(offset) => {
            if offset % 60 != 0 {
                return Err(not_expressible(
                    format!("the zone's UTC offset ({offset} s) is not a whole number of minutes"),
                    "use a zone with a whole-minute offset",
                ));
            }
            synthesize(cron, offset / 60, max_rules)?
        }
        None => seasonal(cron, &regime, max_rules)?,
    };
    prove(cron, zone, &regime, &rules)?;
    Ok(rules.into_iter().map(Expression::Cron).collect())
}

/// A stretch `[from, to)` of instants with one UTC offset (seconds).
#[derive(Debug, Clone, Copy)]
struct Segment {
    from: i64,
    to: i64,
    offset: i64,
}

/// The zone's offsets over the range the rules will fire in: from the UTC midnight at or
/// before `now` to [`END_OF_RANGE`].
#[derive(Debug, Clone)]
struct Regime {
    segments: Vec<Segment>,
}

impl Regime {
    fn of(zone: &TimeZone, now: Timestamp) -> Regime {
        let start = now.as_second().div_euclid(86_400) * 86_400;
        let mut from = start.min(END_OF_RANGE - 86_400);
        let mut offset = i64::from(zone.to_offset(ts(from)).seconds());
        let mut segments = Vec::new();
        for tr in zone.following(ts(from)) {
            let at = tr.timestamp().as_second();
            if at >= END_OF_RANGE {
                break;
            }
            let o = i64::from(tr.offset().seconds());
            if o == offset || at <= from {
                // A change of abbreviation only, or a transition at the start itself.
                offset = if at <= from { o } else { offset };
                continue;
            }
            segments.push(Segment {
                from,
                to: at,
                offset,
            });
            (from, offset) = (at, o);
        }
        segments.push(Segment {
            from,
            to: END_OF_RANGE,
            offset,
        });
        Regime { segments }
    }

    fn fixed_offset(&self) -> Option<i64> {
        match self.segments.as_slice() {
            [only] => Some(only.offset),
            _ => None,
        }
    }

    fn start(&self) -> i64 {
        self.segments.first().map_or(0, |s| s.from)
    }

    /// The one offset at which every local wall time in `[from, to)` (seconds on the local
    /// clock) occurs, each exactly once, within the regime. Wall times before the regime
    /// starts or after it ends are left out (no rule fires there).
    fn offset_of_walls(&self, from: i64, to: i64) -> Walls {
        let (Some(first), Some(last)) = (self.segments.first(), self.segments.last()) else {
            return Walls::Outside;
        };
        let from = from.max(first.from + first.offset);
        let to = to.min(last.to + last.offset);
        if from >= to {
            return Walls::Outside;
        }
        // Wall ranges of the segments ascend (a repeated hour makes neighbours overlap).
        let i = self
            .segments
            .partition_point(|s| s.to + s.offset <= from)
            .min(self.segments.len() - 1);
        let seg = self.segments[i];
        let inside = seg.from + seg.offset <= from && to <= seg.to + seg.offset;
        let clear_before = i == 0 || {
            let p = self.segments[i - 1];
            p.to + p.offset <= from
        };
        let clear_after = self
            .segments
            .get(i + 1)
            .is_none_or(|n| n.from + n.offset >= to);
        if inside && clear_before && clear_after {
            Walls::One(seg.offset)
        } else {
            Walls::Changing
        }
    }
}

/// What offsets a stretch of local wall time has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walls {
    /// None of it is in the regime.
    Outside,
    One(i64),
    Changing,
}

// =============================================================================================
// Sets of UTC days and of years.

/// Index of a month 1970-2199: (year - 1970) * 12 + (month - 1).
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

/// UTC days as one day mask per month, 1970-2199.
#[derive(Debug, Clone)]
struct Days {
    masks: Vec<u32>,
}

impl Days {
    fn empty() -> Days {
        Days {
            masks: vec![0; YEAR_COUNT * 12],
        }
    }

    /// UTC day `d` is in the set when local day `d - delta` matches.
    fn shifted(local: &Compiled, delta: i64) -> Days {
        // Local masks from December 1969 to January 2200: index i + 1 for month index i.
        let mut around = Vec::with_capacity(YEAR_COUNT * 12 + 2);
        around.push(local.day_mask_unbounded(FIRST_YEAR - 1, 12));
        around.extend(months().map(|(y, m)| local.day_mask_unbounded(y, m)));
        around.push(local.day_mask_unbounded(LAST_YEAR + 1, 1));
        let masks = months()
            .enumerate()
            .map(|(i, (y, m))| {
                let here = around[i + 1];
                match delta {
                    0 => here,
                    -1 => {
                        // UTC d <- local d+1; the last UTC day <- local day 1 of next month.
                        let mut mask = (here >> 1) & full_month(y, m);
                        if around[i + 2] & 0b10 != 0 {
                            mask |= 1 << days_in_month(y, m);
                        }
                        mask
                    }
                    _ => {
                        // UTC d <- local d-1; UTC day 1 <- local last day of previous month.
                        let (py, pm) = prev_month(y, m);
                        let mut mask = (here << 1) & full_month(y, m);
                        if around[i] & (1 << days_in_month(py, pm)) != 0 {
                            mask |= 0b10;
                        }
                        mask
                    }
                }
            })
            .collect();
        Days { masks }
    }

    fn get(&self, year: i32, month: u8) -> u32 {
        self.masks[month_index(year, month)]
    }

    fn set(&mut self, year: i32, month: u8, mask: u32) {
        self.masks[month_index(year, month)] = mask;
    }

    fn is_empty(&self) -> bool {
        self.masks.iter().all(|&m| m == 0)
    }
}

/// A set of years 1970-2199.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
struct Years([u64; 4]);

impl Years {
    fn all() -> Years {
        let mut y = Years::default();
        (FIRST_YEAR..=LAST_YEAR).for_each(|year| y.insert(year));
        y
    }

    fn bit(year: i32) -> (usize, u64) {
        let i = (year - FIRST_YEAR) as usize;
        (i / 64, 1 << (i % 64))
    }

    fn insert(&mut self, year: i32) {
        let (w, b) = Years::bit(year);
        self.0[w] |= b;
    }

    fn contains(&self, year: i32) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return false;
        }
        let (w, b) = Years::bit(year);
        self.0[w] & b != 0
    }

    fn union(&self, other: &Years) -> Years {
        Years(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }

    fn is_all(&self) -> bool {
        *self == Years::all()
    }

    fn list(&self) -> Vec<i32> {
        (FIRST_YEAR..=LAST_YEAR)
            .filter(|&y| self.contains(y))
            .collect()
    }

    /// Years as a field: `*`, or ranges, progressions (`1972-2096/4`) and single years,
    /// chosen greedily for the most years per character, in increasing order.
    fn text(&self) -> String {
        if self.is_all() {
            return "*".into();
        }
        thread_local! {
            // The same sets (leap years, a year range) recur in every rewrite.
            static TEXTS: std::cell::RefCell<std::collections::HashMap<Years, String>> =
                std::cell::RefCell::default();
        }
        if let Some(text) = TEXTS.with(|t| t.borrow().get(self).cloned()) {
            return text;
        }
        let text = self.compute_text();
        TEXTS.with(|t| {
            let mut t = t.borrow_mut();
            if t.len() > 4_096 {
                t.clear();
            }
            t.insert(*self, text.clone());
        });
        text
    }

    fn compute_text(&self) -> String {
        let years = self.list();
        // Maximal progressions of three or more years inside the set, for steps up to 28
        // (the weekday calendar repeats every 28 years between century years).
        let mut runs: Vec<(i32, i32, i32)> = Vec::new();
        for step in 1..=28 {
            for &a in &years {
                if self.contains(a - step) {
                    continue;
                }
                let mut b = a;
                while self.contains(b + step) {
                    b += step;
                }
                if (b - a) / step >= 2 {
                    runs.push((a, b, step));
                }
            }
        }
        let run_text = |&(a, b, step): &(i32, i32, i32)| {
            if step == 1 {
                format!("{a}-{b}")
            } else {
                format!("{a}-{b}/{step}")
            }
        };
        let mut covered = Years::default();
        let mut chosen: Vec<(i32, String)> = Vec::new();
        loop {
            let left: Vec<i32> = years
                .iter()
                .copied()
                .filter(|&y| !covered.contains(y))
                .collect();
            let Some(&single) = left.first() else { break };
            // Best gain per character; a single year is 1 per 5.
            let mut best: Option<(usize, usize, usize)> = None; // (gain, cost, run index)
            for (i, run) in runs.iter().enumerate() {
                let (a, b, step) = *run;
                let gain = (0..=(b - a) / step)
                    .filter(|k| !covered.contains(a + k * step))
                    .count();
                let cost = run_text(run).len() + 1;
                if gain * 5 > cost
                    && best.is_none_or(|(g, c, _)| {
                        gain * c > g * cost || (gain * c == g * cost && gain > g)
                    })
                {
                    best = Some((gain, cost, i));
                }
            }
            match best {
                Some((_, _, i)) => {
                    let (a, b, step) = runs[i];
                    (0..=(b - a) / step).for_each(|k| covered.insert(a + k * step));
                    chosen.push((a, run_text(&runs[i])));
                }
                None => {
                    covered.insert(single);
                    chosen.push((single, single.to_string()));
                }
            }
        }
        chosen.sort();
        chosen
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join(",")
    }
}

// =============================================================================================
// Date parts.

/// The date part of a rule: day-of-month, month, day-of-week and year, as text.
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

    fn len(&self) -> usize {
        self.dom.len() + self.dow.len() + self.month.len() + self.year.len()
    }

    fn compiled(&self) -> Result<Compiled, RewriteError> {
        match parse(&self.with_times("0", "0")) {
            Ok(Expression::Cron(c)) => Ok(Compiled::new(&c)),
            other => Err(bug(format!("generated day fields do not parse: {other:?}"))),
        }
    }
}

/// The longest date part text that still leaves room for times in 256 characters.
const MAX_DAY_PART: usize = MAX_EXPRESSION_CHARS - "cron(0 0    )".len();

/// Whether date parts cover exactly the target days, none twice, in every month.
fn covers_exactly(candidates: &[DayPart], target: &Days) -> Result<bool, RewriteError> {
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

/// Fewest parts; then day numbers rather than `L` (a date reads better in review, and `L`
/// saves a character or two at most); then the shortest text.
fn cost(parts: &[DayPart]) -> (usize, bool, usize) {
    (
        parts.len(),
        parts.iter().any(|p| p.dom == "L"),
        parts.iter().map(DayPart::len).sum(),
    )
}

/// Date parts for the shifted days; `None` when no construction names them within the
/// limits (or the local day is one of the constructs that cannot move to another day).
fn date_parts(
    local: &Cron,
    compiled: &Compiled,
    delta: i64,
) -> Result<Option<Vec<DayPart>>, RewriteError> {
    let same = DayPart::of(local);
    if delta == 0 {
        return Ok(Some(vec![same]));
    }
    let weekdays = match (&local.day_of_month, &local.day_of_week) {
        (DayOfMonth::NoSpecific, DayOfWeek::Days(field)) => {
            Some(mask_of(field, FieldKind::DayOfWeek))
        }
        (DayOfMonth::NoSpecific, DayOfWeek::Last) => Some(1 << 7),
        (DayOfMonth::Days(Field::All), _) => Some(0b1111_1110),
        (DayOfMonth::Days(_) | DayOfMonth::Last, _) => None,
        // `LW`, `nW`, `n#k` and `nL` follow the weekdays of the local month.
        _ => return Ok(None),
    };
    // Weekday lists shift with the day, wrapping SAT+1 = SUN.
    let shifted_weekdays = weekdays.map(|mask| {
        let mut shifted = 0u64;
        for w in 1..=7i64 {
            if mask & (1 << w) != 0 {
                shifted |= 1 << ((w - 1 + delta).rem_euclid(7) + 1);
            }
        }
        shifted
    });
    if let Some(shifted) = shifted_weekdays
        && compiled.every_month_and_year()
    {
        // In every month of every year the days of the week run on across month and year
        // ends, so the shifted list is exact without scanning the calendar (the proof still
        // checks it).
        let part = if shifted == 0b1111_1110 {
            DayPart {
                dom: "*".into(),
                dow: "?".into(),
                ..same
            }
        } else {
            DayPart {
                dom: "?".into(),
                dow: field_text(FieldKind::DayOfWeek, &ordered(shifted, 1, 7)),
                ..same
            }
        };
        return Ok(Some(vec![part]));
    }
    let target = Days::shifted(compiled, delta);
    if target.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut candidates: Vec<Vec<DayPart>> = Vec::new();
    if let Some(shifted) = shifted_weekdays.filter(|&s| s != 0b1111_1110) {
        candidates.extend(weekday_family(&target, shifted));
    }
    candidates.extend(dom_family(&target));
    candidates.retain(|c| c.iter().all(|p| p.len() + 3 <= MAX_DAY_PART));
    candidates.sort_by_key(|c| cost(c));
    for candidate in candidates {
        if covers_exactly(&candidate, &target)? {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
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

/// The weekday list where it names a month's days exactly (grouped into months × years), and
/// day-of-month parts for the months where it does not (a month end that moved away).
fn weekday_family(target: &Days, shifted: u64) -> Option<Vec<DayPart>> {
    let weekday_text = field_text(FieldKind::DayOfWeek, &ordered(shifted, 1, 7));
    let rule = Compiled::new(&Cron {
        minutes: Field::All,
        hours: Field::All,
        day_of_month: DayOfMonth::NoSpecific,
        month: Field::All,
        day_of_week: DayOfWeek::Days(Field::List(
            ordered(shifted, 1, 7)
                .into_iter()
                .map(Item::Value)
                .collect(),
        )),
        year: Field::All,
    });
    let mut good: [Years; 13] = [Years::default(); 13];
    let mut rest = Days::empty();
    for (y, m) in months() {
        let t = target.get(y, m);
        if t == 0 {
            continue;
        }
        if t == rule.day_mask(y, m) {
            good[usize::from(m)].insert(y);
        } else {
            rest.set(y, m, t);
        }
    }
    let mut groups: BTreeMap<Years, u64> = BTreeMap::new();
    for m in 1..=12u8 {
        if good[usize::from(m)] != Years::default() {
            *groups.entry(good[usize::from(m)]).or_default() |= 1 << m;
        }
    }
    let mut parts = Vec::new();
    for (years, month_mask) in groups {
        let year = years.text();
        if year.len() > MAX_DAY_PART {
            // Too long a list: these months go to day-of-month parts.
            for (y, m) in months() {
                if month_mask & (1 << m) != 0 && years.contains(y) {
                    rest.set(y, m, target.get(y, m));
                }
            }
            continue;
        }
        parts.push(DayPart {
            dom: "?".into(),
            dow: weekday_text.clone(),
            month: month_text(month_mask),
            year,
        });
    }
    if rest.is_empty() {
        return Some(parts);
    }
    let best = dom_family(&rest).into_iter().min_by_key(|c| cost(c))?;
    parts.extend(best);
    Some(parts)
}

fn month_text(mask: u64) -> String {
    field_text(FieldKind::Month, &ordered(mask, 1, 12))
}

/// Days 1-31: a whole month, whatever its length.
const EVERY_DAY: u32 = 0xFFFF_FFFE;

/// What a day-of-month part names in a month: a list of days, or `L`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DomKey {
    Days(u32),
    Last,
}

/// Day-of-month candidates: with month ends as `L` or as numbers, and with or without the
/// days every year of a month has split from the days only some years have.
fn dom_family(target: &Days) -> Vec<Vec<DayPart>> {
    let has_last = months().any(|(y, m)| {
        let t = target.get(y, m);
        t & (1 << days_in_month(y, m)) != 0 && t != full_month(y, m)
    });
    let mut out = Vec::new();
    for use_last in [false, true] {
        if use_last && !has_last {
            continue;
        }
        let plan = dom_plan(target, use_last);
        for split in [false, true] {
            if let Some(parts) = dom_parts(plan.clone(), split) {
                out.push(parts);
            }
        }
    }
    out
}

/// Month of the year -> day-of-month key -> the years in which that month has exactly it.
type Plan = [BTreeMap<DomKey, Years>; 13];

fn dom_plan(target: &Days, use_last: bool) -> Plan {
    let mut plan: Plan = std::array::from_fn(|_| BTreeMap::new());
    for (y, m) in months() {
        let mut mask = target.get(y, m);
        if mask == 0 {
            continue;
        }
        if mask == full_month(y, m) {
            plan[usize::from(m)]
                .entry(DomKey::Days(EVERY_DAY))
                .or_default()
                .insert(y);
            continue;
        }
        let last = 1u32 << days_in_month(y, m);
        if use_last && mask & last != 0 {
            plan[usize::from(m)]
                .entry(DomKey::Last)
                .or_default()
                .insert(y);
            mask &= !last;
            if mask == 0 {
                continue;
            }
        }
        plan[usize::from(m)]
            .entry(DomKey::Days(mask))
            .or_default()
            .insert(y);
    }
    plan
}

fn dom_parts(mut plan: Plan, split: bool) -> Option<Vec<DayPart>> {
    let mut split_any = false;
    if split {
        for (m, by_key) in plan.iter_mut().enumerate().skip(1) {
            let m = m as u8;
            let lists: Vec<(u32, Years)> = by_key
                .iter()
                .filter_map(|(k, y)| match k {
                    DomKey::Days(mask) => Some((*mask, *y)),
                    DomKey::Last => None,
                })
                .collect();
            if lists.len() < 2 {
                continue;
            }
            let common = lists.iter().fold(u32::MAX, |acc, (mask, _)| acc & mask);
            if common == 0 {
                continue;
            }
            split_any = true;
            let all = lists
                .iter()
                .fold(Years::default(), |acc, (_, y)| acc.union(y));
            by_key.retain(|k, _| matches!(k, DomKey::Last));
            let mut add = |mask: u32, years: Years| {
                let entry = by_key.entry(DomKey::Days(mask)).or_default();
                *entry = entry.union(&years);
            };
            add(common, all);
            for (mask, years) in lists {
                let rest = mask & !common;
                // Days beyond the month's end (of a whole month written `*`) name nothing.
                if years.list().iter().any(|&y| rest & full_month(y, m) != 0) {
                    add(rest, years);
                }
            }
        }
        if !split_any {
            return None; // the same as without splitting
        }
    }
    // key -> chosen years -> months.
    let mut rules: BTreeMap<DomKey, BTreeMap<Years, u64>> = BTreeMap::new();
    for (m, by_key) in plan.iter().enumerate().skip(1) {
        let m = m as u8;
        for (&key, &years) in by_key {
            // Years in which the key names no day of this month are free to add.
            let free = free_years(key, m);
            let chosen = if years.union(&free).is_all() {
                Years::all()
            } else {
                years
            };
            *rules.entry(key).or_default().entry(chosen).or_default() |= 1 << m;
        }
    }
    let mut parts = Vec::new();
    for (key, by_years) in rules {
        for (years, month_mask) in by_years {
            let dom = match key {
                DomKey::Last => "L".to_string(),
                DomKey::Days(mask) => dom_text(mask, month_mask, &years),
            };
            // Months in which the key never names a day may join, when that reads shorter.
            let never = (1..=12u8)
                .filter(|&m| free_years(key, m).is_all())
                .fold(0u64, |acc, m| acc | 1 << m);
            let month = month_text(month_mask);
            let wider = month_text(month_mask | never);
            parts.push(DayPart {
                dom,
                dow: "?".into(),
                month: if wider.len() < month.len() {
                    wider
                } else {
                    month
                },
                year: years.text(),
            });
        }
    }
    parts.sort_by(|a, b| {
        a.dom
            .cmp(&b.dom)
            .then_with(|| year_order(a).cmp(&year_order(b)))
    });
    Some(parts)
}

/// Orders parts of one day list by their first years, as a reader scans them.
fn year_order(part: &DayPart) -> Vec<String> {
    if part.year == "*" {
        Vec::new()
    } else {
        part.year.split(',').map(str::to_string).collect()
    }
}

/// Years in which `key` names no day of `month`.
fn free_years(key: DomKey, month: u8) -> Years {
    let mut free = Years::default();
    if let DomKey::Days(mask) = key {
        for y in FIRST_YEAR..=LAST_YEAR {
            if mask & full_month(y, month) == 0 {
                free.insert(y);
            }
        }
    }
    free
}

/// A day list as a field, `*` when it holds every day the months have in those years.
fn dom_text(mask: u32, month_mask: u64, years: &Years) -> String {
    let longest = (1..=12u8)
        .filter(|m| month_mask & (1 << m) != 0)
        .map(|m| match m {
            2 if years.list().iter().any(|&y| is_leap(y)) => 29,
            2 => 28,
            m => days_in_month(2001, m),
        })
        .max()
        .unwrap_or(31);
    let needed = ((1u64 << (longest + 1)) - 2) as u32;
    if mask & needed == needed {
        "*".into()
    } else {
        field_text(FieldKind::DayOfMonth, &ordered(u64::from(mask), 1, 31))
    }
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

/// The rules for a fixed offset (UTC = local − offset), at most `max_rules` of them.
fn synthesize(
    local: &Cron,
    offset_minutes: i64,
    max_rules: usize,
) -> Result<Vec<Cron>, RewriteError> {
    let compiled = Compiled::new(local);
    let times = shifted_times(&compiled, offset_minutes);
    // Date part -> UTC times of day, merging day shifts that land on the same dates.
    let mut by_dates: Vec<(DayPart, [u64; 24])> = Vec::new();
    for (&delta, hours) in &times {
        let Some(parts) = date_parts(local, &compiled, delta)? else {
            return Err(why_not(local, delta, offset_minutes, max_rules));
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
            fitted_rules(&part, &ordered(minutes, 0, 59), &hs, &mut rules)?;
        }
    }
    if rules.len() > max_rules {
        let why = if times.keys().any(|&d| d != 0) {
            format!(
                ": {} at these hours falls on another day in UTC",
                construct(local)
            )
        } else {
            String::new()
        };
        return Err(not_expressible(
            format!(
                "this schedule needs {} UTC rules (more than {max_rules}){why}",
                rules.len()
            ),
            "split the batch into simpler schedules, choose times that keep their UTC day, or use a zone-aware backend such as EventBridge Scheduler",
        ));
    }
    Ok(rules)
}
/// The rule for a date part at these minutes and hours, within EventBridge's 256 characters:
/// one that is longer (its shifted hour or minute list no longer compresses, or its year list
/// is long) is split over its hours, then its minutes, never truncated; the parts are
/// disjoint, so the proof still finds each instant exactly once.
fn fitted_rules(
    part: &DayPart,
    minutes: &[u16],
    hours: &[u16],
    out: &mut Vec<Cron>,
) -> Result<(), RewriteError> {
    let text = part.with_times(
        &field_text(FieldKind::Minutes, minutes),
        &field_text(FieldKind::Hours, hours),
    );
    if text.len() + "cron()".len() <= MAX_EXPRESSION_CHARS {
        return match parse(&text) {
            Ok(Expression::Cron(c)) => {
                out.push(c);
                Ok(())
            }
            other => Err(bug(format!(
                "generated rule `{text}` does not parse: {other:?}"
            ))),
        };
    }
    if hours.len() > 1 {
        let (a, b) = hours.split_at(hours.len() / 2);
        fitted_rules(part, minutes, a, out)?;
        return fitted_rules(part, minutes, b, out);
    }
    if minutes.len() > 1 {
        let (a, b) = minutes.split_at(minutes.len() / 2);
        fitted_rules(part, a, hours, out)?;
        return fitted_rules(part, b, hours, out);
    }
    Err(not_expressible(
        format!(
            "the UTC rule `{text}` is longer than EventBridge's {MAX_EXPRESSION_CHARS} characters"
        ),
        "shorten the day-of-month, month or year lists of the schedule",
    ))
}

/// What a local day field is, for messages.
fn construct(local: &Cron) -> &'static str {
    match (&local.day_of_month, &local.day_of_week) {
        (DayOfMonth::Last, _) => "`L` (the last day of the month)",
        (_, DayOfWeek::Days(_) | DayOfWeek::Last) => {
            "a day of the week restricted to some months or years"
        }
        (DayOfMonth::Days(Field::All), _) => "every day of some months or years",
        _ => "these days of the month",
    }
}

/// Explains why a date part cannot follow its times across UTC midnight.
fn why_not(local: &Cron, delta: i64, offset_minutes: i64, max_rules: usize) -> RewriteError {
    let direction = if delta < 0 { "previous" } else { "next" };
    let safe = safe_hours(offset_minutes);
    let weekday_of_month = match (&local.day_of_month, &local.day_of_week) {
        (DayOfMonth::LastWeekday, _) => Some("`LW` (the last weekday of the month)".to_string()),
        (DayOfMonth::NearestWeekday(d), _) => Some(format!("`{d}W` (the weekday nearest day {d})")),
        (_, DayOfWeek::Nth(d, k)) => Some(format!("`{d}#{k}` (a numbered weekday of the month)")),
        (_, DayOfWeek::LastInMonth(d)) => {
            Some(format!("`{d}L` (the last such weekday of the month)"))
        }
        _ => None,
    };
    if let Some(construct) = weekday_of_month {
        return not_expressible(
            format!(
                "{construct} at these hours falls on the {direction} day in UTC, and no UTC rule can name the day next to a weekday of the local month"
            ),
            format!(
                "pick a time between {safe} local time (the same day in UTC), or use a zone-aware backend such as EventBridge Scheduler"
            ),
        );
    }
    let construct = construct(local);
    not_expressible(
        format!(
            "{construct} at these hours falls on the {direction} day in UTC, and no set of at most {max_rules} EventBridge rules of {MAX_EXPRESSION_CHARS} characters names exactly those UTC days"
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

/// An expression that fires the same way under every offset of the zone (all hours, all
/// days, and minutes that every offset maps to the same UTC minutes) is one rule in UTC.
fn offset_independent(local: &Cron, regime: &Regime) -> Result<Option<Vec<Cron>>, RewriteError> {
    let every_day = matches!(
        (&local.day_of_month, &local.day_of_week),
        (DayOfMonth::Days(Field::All), _) | (DayOfMonth::NoSpecific, DayOfWeek::Days(Field::All))
    );
    let independent = local.hours == Field::All
        && every_day
        && local.month == Field::All
        && local.year == Field::All;
    if !independent {
        return Ok(None);
    }
    let minutes = mask_of(&local.minutes, FieldKind::Minutes);
    let mut shifted_sets = regime.segments.iter().map(|s| {
        let shift = (s.offset / 60).rem_euclid(60) as u16;
        let mut out = 0u64;
        for m in 0..60u16 {
            if minutes & (1 << m) != 0 {
                out |= 1 << ((m + 60 - shift) % 60);
            }
        }
        out
    });
    let first = shifted_sets.next().unwrap_or(minutes);
    if shifted_sets.any(|s| s != first) || regime.segments.iter().any(|s| s.offset % 60 != 0) {
        return Ok(None);
    }
    let text = format!(
        "{} * * * ? *",
        field_text(FieldKind::Minutes, &ordered(first, 0, 59))
    );
    match parse(&text) {
        Ok(Expression::Cron(c)) => Ok(Some(vec![c])),
        other => Err(bug(format!(
            "generated rule `{text}` does not parse: {other:?}"
        ))),
    }
}

/// Zones with daylight saving time: an expression that fires the same way under every offset
/// (all hours, all days) is one rule; otherwise the months in which the offset never changes
/// are rewritten with their offset, and a schedule running in a month with a change is refused.
fn seasonal(local: &Cron, regime: &Regime, max_rules: usize) -> Result<Vec<Cron>, RewriteError> {
    if let Some(rules) = offset_independent(local, regime)? {
        return Ok(rules);
    }
    let compiled = Compiled::new(local);
    let first_year = Wall::from_seconds(regime.start()).year;
    // Local month -> its one offset (`Changing` when some year changes it within the month).
    let mut offsets: [Walls; 13] = [Walls::Outside; 13];
    for year in first_year..=LAST_YEAR + 1 {
        for month in 1..=12u8 {
            if compiled.day_mask(year, month) == 0 {
                continue;
            }
            let from = Wall {
                year,
                month,
                day: 1,
                hour: 0,
                minute: 0,
            }
            .to_seconds();
            let to = from + 86_400 * i64::from(days_in_month(year, month));
            let slot = &mut offsets[usize::from(month)];
            *slot = match (*slot, regime.offset_of_walls(from, to)) {
                (seen, Walls::Outside) => seen,
                (Walls::Outside, here) => here,
                (Walls::One(a), Walls::One(b)) if a == b => Walls::One(a),
                _ => Walls::Changing,
            };
        }
    }
    let changing: Vec<&str> = (1..=12)
        .filter(|&m| offsets[m] == Walls::Changing)
        .map(|m| super::ast::MONTH_NAMES[m - 1])
        .collect();
    if !changing.is_empty() {
        return Err(not_expressible(
            format!(
                "this zone changes its UTC offset (daylight saving time) in {} within the months this schedule runs in, so its local hours there have no fixed equivalent in UTC rules",
                changing.join(", ")
            ),
            "leave those months out of this schedule (a separate schedule can cover them in a fixed-offset zone such as UTC), or use a zone-aware backend such as EventBridge Scheduler",
        ));
    }
    let mut groups: BTreeMap<i64, u64> = BTreeMap::new();
    for (m, offset) in offsets.iter().enumerate() {
        if let Walls::One(o) = offset {
            *groups.entry(*o).or_default() |= 1 << m;
        }
    }
    let mut rules = Vec::new();
    for (offset, months) in groups {
        if offset % 60 != 0 {
            return Err(not_expressible(
                format!("the zone's UTC offset ({offset} s) is not a whole number of minutes"),
                "use a zone with a whole-minute offset",
            ));
        }
        let text = format!("0 0 * {} ? *", month_text(months));
        let month = match parse(&text) {
            Ok(Expression::Cron(c)) => c.month,
            other => return Err(bug(format!("`{text}` does not parse: {other:?}"))),
        };
        let part = Cron {
            month,
            ..local.clone()
        };
        rules.extend(synthesize(&part, offset / 60, max_rules)?);
    }
    if rules.len() > max_rules {
        return Err(not_expressible(
            format!(
                "this schedule needs {} UTC rules (more than {max_rules}), one set per offset of the zone",
                rules.len()
            ),
            "split the batch into simpler schedules, or use a zone-aware backend such as EventBridge Scheduler",
        ));
    }
    Ok(rules)
}

// =============================================================================================
// The proof.

/// Checks that the rules fire at exactly the local expression's instants, none twice, and
/// that every rule prints canonically, over the whole range they fire in: from the UTC day of
/// `now` to [`END_OF_RANGE`]. A failure is a bug in the rewrite.
///
/// Within one offset each side is "dates × times of day", so the instants of a UTC date
/// follow from which local dates (δ = -1, 0, +1) and which rules match it: the comparison runs
/// a month at a time on day masks, per class of UTC minutes that the same local shift and the
/// same rules name. Minutes on either side of an offset change are checked the same way with
/// their own offset, so the proof is exact across every change.
fn prove(
    local: &Cron,
    zone: &TimeZone,
    regime: &Regime,
    rules: &[Cron],
) -> Result<(), RewriteError> {
    let mut compiled_rules = Vec::new();
    for rule in rules {
        let text = rule.to_string();
        match parse(&format!("cron({text})")) {
            Ok(Expression::Cron(c)) if c == *rule && text.len() + 6 <= MAX_EXPRESSION_CHARS => {
                compiled_rules.push(Compiled::new(&c));
            }
            _ => return Err(bug(format!("rule `{text}` does not print canonically"))),
        }
    }
    if compiled_rules.len() > MAX_RULES_LIMIT {
        return Err(bug(format!("{} rules", compiled_rules.len())));
    }
    let local_compiled = Compiled::new(local);
    let prover = Prover {
        periodic: local_compiled.every_year() && compiled_rules.iter().all(Compiled::every_year),
        local: local_compiled,
        rules: compiled_rules,
    };
    let mut tables: Vec<Table> = Vec::new();
    for seg in &regime.segments {
        if seg.offset % 60 != 0 {
            // Rules fire on whole UTC minutes only; compare the instants themselves.
            prove_instants(local, zone, rules, seg.from, seg.to)?;
            continue;
        }
        let index = match tables.iter().position(|t| t.offset == seg.offset) {
            Some(i) => i,
            None => {
                tables.push(prover.table(seg.offset));
                tables.len() - 1
            }
        };
        let table = &mut tables[index];
        let first_day = seg.from.div_euclid(86_400);
        let last_day = (seg.to - 1).div_euclid(86_400);
        // Minute of the day (rounded up) at which an instant is in the segment.
        let minute =
            |t: i64, day: i64| (t - day * 86_400 + 59).div_euclid(60).clamp(0, 1440) as usize;
        if first_day == last_day {
            let (lo, hi) = (minute(seg.from, first_day), minute(seg.to, first_day));
            prover.check(table, first_day, first_day + 1, lo, hi)?;
            continue;
        }
        let lo = minute(seg.from, first_day);
        prover.check(table, first_day, first_day + 1, lo, 1440)?;
        prover.check(table, first_day + 1, last_day, 0, 1440)?;
        let hi = minute(seg.to, last_day);
        prover.check(table, last_day, last_day + 1, 0, hi)?;
    }
    Ok(())
}

struct Prover {
    local: Compiled,
    rules: Vec<Compiled>,
    /// Every year selected on both sides: a whole month's verdict depends only on its month,
    /// leap year and weekday of the 1st (its neighbours follow from those).
    periodic: bool,
}

/// For each UTC minute of the day at one offset: the local day shift whose local time fires
/// there (slot δ + 1, or `NO_SLOT`), and the rules that fire at that minute.
struct Table {
    offset: i64,
    slot: Vec<u8>,
    rules: Vec<u64>,
    /// The classes of minutes per minute range `[lo, hi)` seen so far.
    atoms: Vec<((usize, usize), Vec<Atom>)>,
    /// Kinds of whole months (see [`Prover::periodic`]) already checked over all minutes.
    seen: [u64; 3],
}

/// A class of UTC minutes: the local shift's slot and the rules that fire there.
type Atom = (u8, u64);

const NO_SLOT: u8 = 3;
/// All 168 kinds of whole months: 12 months × leap or not × 7 weekdays of the 1st.
const EVERY_KIND: [u64; 3] = [u64::MAX, u64::MAX, (1 << 40) - 1];

impl Prover {
    fn table(&self, offset: i64) -> Table {
        let offset_minutes = offset / 60;
        let mut slot = vec![NO_SLOT; 1440];
        let mut rules = vec![0u64; 1440];
        for u in 0..1440i64 {
            let local = u + offset_minutes;
            // Local date = UTC date + k, so the UTC date is the local one shifted by δ = -k.
            let k = local.div_euclid(1440);
            let l = local.rem_euclid(1440);
            if self.local.matches_time((l / 60) as u8, (l % 60) as u8) {
                slot[u as usize] = (1 - k) as u8;
            }
            let (h, m) = ((u / 60) as u8, (u % 60) as u8);
            rules[u as usize] = self
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.matches_time(h, m))
                .fold(0, |acc, (i, _)| acc | 1 << i);
        }
        Table {
            offset,
            slot,
            rules,
            atoms: Vec::new(),
            seen: [0; 3],
        }
    }

    /// UTC days `[from_day, to_day)`, minutes of the day `[lo, hi)`.
    fn check(
        &self,
        table: &mut Table,
        from_day: i64,
        to_day: i64,
        lo: usize,
        hi: usize,
    ) -> Result<(), RewriteError> {
        if from_day >= to_day || lo >= hi {
            return Ok(());
        }
        let atoms = match table.atoms.iter().position(|(range, _)| *range == (lo, hi)) {
            Some(i) => i,
            None => {
                let mut atoms: Vec<Atom> = Vec::new();
                for u in lo..hi {
                    let atom = (table.slot[u], table.rules[u]);
                    if atom != (NO_SLOT, 0) && !atoms.contains(&atom) {
                        atoms.push(atom);
                    }
                }
                table.atoms.push(((lo, hi), atoms));
                table.atoms.len() - 1
            }
        };
        let all_day = (lo, hi) == (0, 1440);
        let (table_atoms, seen) = (&table.atoms[atoms].1, &mut table.seen);
        if table_atoms.is_empty() {
            return Ok(());
        }
        let (mut y, mut m, d) = super::civil::civil_from_days(from_day);
        let mut first = from_day - i64::from(d) + 1;
        let mut weekday = super::civil::weekday(first);
        let mut day = from_day;
        while day < to_day {
            if self.periodic && all_day && *seen == EVERY_KIND {
                // Every kind of whole month is proven: only a last, partial month is left.
                let last = to_day - 1;
                let (ly, lm, ld) = super::civil::civil_from_days(last);
                let last_first = last - i64::from(ld) + 1;
                if last_first > first {
                    (y, m, first) = (ly, lm, last_first);
                    weekday = super::civil::weekday(first);
                    day = day.max(first);
                }
            }
            let dim = days_in_month(y, m);
            let end = (first + i64::from(dim)).min(to_day);
            // Bits of the UTC days of this month under check.
            let lo_bit = (day - first + 1) as u32;
            let hi_bit = (end - first + 1) as u32;
            let range = (((1u64 << hi_bit) - 1) & !((1u64 << lo_bit) - 1)) as u32;
            let full = full_month(y, m);
            let skip = if self.periodic && all_day && range == full {
                let kind = usize::from(m - 1) * 14
                    + usize::from(is_leap(y)) * 7
                    + usize::from(weekday - 1);
                let known = seen[kind / 64] & (1 << (kind % 64)) != 0;
                seen[kind / 64] |= 1 << (kind % 64);
                known
            } else {
                false
            };
            if !skip {
                self.check_month(table_atoms, y, m, range)?;
            }
            // On to the next month.
            day = end;
            first += i64::from(dim);
            weekday = ((weekday - 1 + dim % 7) % 7) + 1;
            (y, m) = next_month(y, m);
        }
        Ok(())
    }

    /// One UTC month, the days in `range`, every class of minutes.
    fn check_month(&self, atoms: &[Atom], y: i32, m: u8, range: u32) -> Result<(), RewriteError> {
        let dim = days_in_month(y, m);
        let (py, pm) = prev_month(y, m);
        let (ny, nm) = next_month(y, m);
        let here = self.local.day_mask(y, m);
        let full = full_month(y, m);
        // Slot 0: δ = -1, UTC d <- local d+1; slot 1: δ = 0; slot 2: δ = +1, UTC d <- local d-1.
        let want = [
            ((here >> 1) & full)
                | if self.local.day_mask(ny, nm) & 0b10 != 0 {
                    1 << dim
                } else {
                    0
                },
            here,
            ((here << 1) & full)
                | if self.local.day_mask(py, pm) & (1 << days_in_month(py, pm)) != 0 {
                    0b10
                } else {
                    0
                },
        ];
        let mut fired = [0u32; MAX_RULES_LIMIT];
        for (f, r) in fired.iter_mut().zip(&self.rules) {
            *f = r.day_mask(y, m) & range;
        }
        for &(slot, rules) in atoms {
            let expected = want.get(usize::from(slot)).map_or(0, |w| w & range);
            let (mut got, mut twice) = (0u32, 0u32);
            let mut bits = rules;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                twice |= got & fired[i];
                got |= fired[i];
            }
            if got != expected || twice != 0 {
                let wrong = (got ^ expected) | twice;
                return Err(bug(format!(
                    "the instants differ on {y:04}-{m:02}-{:02} UTC",
                    wrong.trailing_zeros()
                )));
            }
        }
        Ok(())
    }
}

fn prove_instants(
    local: &Cron,
    zone: &TimeZone,
    rules: &[Cron],
    from: i64,
    to: i64,
) -> Result<(), RewriteError> {
    let fail = |detail: String| Err(bug(detail));
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

    const LEAP: &str = "1972-2096/4,2104-2196/4";
    /// The other years: 1970, 1974, … (2 mod 4), the odd years, and 2100.
    const NOT_LEAP: &str = "1970-2198/4,1971-2199/2,2100";

    /// The shapes of issue 13, each rule set worked out by hand; the comment says how.
    #[test]
    fn issue_13_shapes_have_their_exact_utc_rules() {
        let cases: Vec<(&str, &str, Vec<String>)> = vec![
            // The last day at 03:00 JST is the day before it at 18:00 UTC: 30 in 31-day months,
            // 29 in 30-day months, 28 in February of leap years, 27 in the other years.
            (
                "0 3 L * ? *",
                "Asia/Tokyo",
                vec![
                    format!("0 18 27 2 ? {NOT_LEAP}"),
                    format!("0 18 28 2 ? {LEAP}"),
                    "0 18 29 4,6,9,11 ? *".into(),
                    "0 18 30 1,3,5,7,8,10,12 ? *".into(),
                ],
            ),
            // Seoul is +09:00 too.
            (
                "0 3 L * ? *",
                "Asia/Seoul",
                vec![
                    format!("0 18 27 2 ? {NOT_LEAP}"),
                    format!("0 18 28 2 ? {LEAP}"),
                    "0 18 29 4,6,9,11 ? *".into(),
                    "0 18 30 1,3,5,7,8,10,12 ? *".into(),
                ],
            ),
            // +05:30: 03:00 IST is 21:30 UTC the day before.
            (
                "0 3 L * ? *",
                "Asia/Kolkata",
                vec![
                    format!("30 21 27 2 ? {NOT_LEAP}"),
                    format!("30 21 28 2 ? {LEAP}"),
                    "30 21 29 4,6,9,11 ? *".into(),
                    "30 21 30 1,3,5,7,8,10,12 ? *".into(),
                ],
            ),
            // An hour range across the offset: 08:00 moves to the day before, 09:00 and 10:00
            // stay on the last day.
            (
                "0 8-10 L * ? *",
                "Asia/Tokyo",
                vec![
                    format!("0 23 27 2 ? {NOT_LEAP}"),
                    format!("0 23 28 2 ? {LEAP}"),
                    "0 23 29 4,6,9,11 ? *".into(),
                    "0 23 30 1,3,5,7,8,10,12 ? *".into(),
                    "0 0,1 L * ? *".into(),
                ],
            ),
            // `L` in some months only.
            (
                "0 3 L 2,3 ? *",
                "Asia/Tokyo",
                vec![
                    format!("0 18 27 2 ? {NOT_LEAP}"),
                    format!("0 18 28 2 ? {LEAP}"),
                    "0 18 30 3 ? *".into(),
                ],
            ),
            // Days 1, 11, 21, 31: the 1st is the last day of the month before, 11 and 21 are
            // 10 and 20, the 31st is the 30th of 31-day months (whose last day is the 31st).
            (
                "0 3 1,11,21,31 * ? *",
                "Asia/Tokyo",
                vec![
                    "0 18 10,20 2,4,6,9,11 ? *".into(),
                    "0 18 10/10 1,3,5,7,8,10,12 ? *".into(),
                    "0 18 L * ? *".into(),
                ],
            ),
            // The same days written as a step.
            (
                "0 3 */10 * ? *",
                "Asia/Tokyo",
                vec![
                    "0 18 10,20 2,4,6,9,11 ? *".into(),
                    "0 18 10/10 1,3,5,7,8,10,12 ? *".into(),
                    "0 18 L * ? *".into(),
                ],
            ),
            // -03:00: the 28th at 22:30 is the 29th at 01:30 UTC, or 1 March in the years
            // without a 29 February (where day 29 of February names nothing).
            (
                "30 22 28 * ? *",
                "America/Sao_Paulo",
                vec![format!("30 1 1 3 ? {NOT_LEAP}"), "30 1 29 * ? *".into()],
            ),
            // February every day at 03:00 JST: 31 January, 1-27 February every year and the
            // 28th in leap years (29 February local); 1 March local is not in the schedule.
            (
                "0 3 * 2 ? *",
                "Asia/Tokyo",
                vec![
                    "0 18 1-27 2 ? *".into(),
                    format!("0 18 28 2 ? {LEAP}"),
                    "0 18 31 1 ? *".into(),
                ],
            ),
            // November to February: 31 October, whole November, December and January, and
            // February as above.
            (
                "0 3 * 1,2,11,12 ? *",
                "Asia/Tokyo",
                vec![
                    "0 18 * 1,11,12 ? *".into(),
                    "0 18 1-27 2 ? *".into(),
                    format!("0 18 28 2 ? {LEAP}"),
                    "0 18 31 10 ? *".into(),
                ],
            ),
            // Mondays of 2027-2028 are Sundays in UTC, except that 2028-12-31 is a Sunday
            // whose Monday (2029-01-01) is not in the schedule.
            (
                "0 3 ? * MON 2027-2028",
                "Asia/Tokyo",
                vec![
                    "0 18 ? 12 SUN 2027".into(),
                    "0 18 ? 1-11 SUN 2027,2028".into(),
                    "0 18 3-24/7 12 ? 2028".into(),
                ],
            ),
            // A year list: 2199 local starts on 2198-12-31 UTC and ends on 2199-12-30.
            (
                "0 3 * * ? 2199",
                "Asia/Tokyo",
                vec![
                    "0 18 * 1-11 ? 2199".into(),
                    "0 18 1-30 12 ? 2199".into(),
                    "0 18 31 12 ? 2198".into(),
                ],
            ),
            // Daylight saving time, months without a change: GMT from November to February,
            // BST (+01:00) from April to September.
            (
                "0 9 * 4-9 ? *",
                "Europe/London",
                vec!["0 8 * 4-9 ? *".into()],
            ),
            (
                "0 9 ? 1,2,11,12 MON-FRI *",
                "Europe/London",
                vec!["0 9 ? 1,2,11,12 MON-FRI *".into()],
            ),
            (
                "30 7 * 1,2,4-9,11,12 ? *",
                "Europe/London",
                vec!["30 7 * 1,2,11,12 ? *".into(), "30 6 * 4-9 ? *".into()],
            ),
        ];
        for (expr, zone, expected) in cases {
            assert_eq!(
                utc(expr, zone).map_err(|e| e.to_string()),
                Ok(expected),
                "{expr} in {zone}"
            );
        }
    }

    /// Year `*` has no end: in Tokyo the last UTC day of 2199 is the first local day of 2200,
    /// and the rules are proven up to 2200-01-01T00:00Z from any start (this failed as an
    /// internal error from 2190 on).
    #[test]
    fn the_end_of_the_range_is_proven_from_any_start() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let sao_paulo = TimeZone::get("America/Sao_Paulo").unwrap();
        for start in ["2190-06-01T00:00:00Z", "2199-12-31T12:00:00Z"] {
            let start: Timestamp = start.parse().unwrap();
            let rules = to_utc(&parse("0 3 * * ? *").unwrap(), &tokyo, start).unwrap();
            assert_eq!(rules, vec![parse("0 18 * * ? *").unwrap()]);
            let rules = to_utc(&parse("0 3 1 * ? *").unwrap(), &tokyo, start).unwrap();
            assert_eq!(rules, vec![parse("0 18 L * ? *").unwrap()]);
            let rules = to_utc(&parse("0 22 31 12 ? *").unwrap(), &sao_paulo, start).unwrap();
            assert_eq!(rules, vec![parse("0 1 1 1 ? *").unwrap()]);
        }
        // What `explain` lists agrees: 2200-01-01T03:00 JST fires, 2199-12-31T22:00 in São
        // Paulo (2200-01-01T01:00Z) does not.
        let from: Timestamp = "2199-12-30T00:00:00Z".parse().unwrap();
        let next: Vec<String> = parse("0 3 * * ? *")
            .unwrap()
            .fire_times_after(from, &tokyo)
            .map(|t| t.to_string())
            .collect();
        assert_eq!(next, ["2199-12-30T18:00:00Z", "2199-12-31T18:00:00Z"]);
        let from: Timestamp = "2199-06-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            parse("0 22 31 12 ? *")
                .unwrap()
                .fire_times_after(from, &sao_paulo)
                .next(),
            None
        );
    }

    /// Mondays of January in Tokyo were refused; eight rules with long year lists (one per
    /// weekday of 1 January, and 31 December before a Monday) are exact.
    #[test]
    fn mondays_of_january_at_night_take_eight_rules() {
        let rules = utc("0 3 ? 1 MON *", "Asia/Tokyo").unwrap();
        assert_eq!(rules.len(), 8, "{rules:?}");
        assert!(rules.iter().any(|r| r.starts_with("0 18 31 12 ? ")));
    }

    #[test]
    fn a_smaller_rule_budget_is_respected() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let expr = parse("0 3 L * ? *").unwrap();
        assert!(to_utc_with_max_rules(&expr, &tokyo, now(), 4).is_ok());
        match to_utc_with_max_rules(&expr, &tokyo, now(), 3) {
            Err(RewriteError::NotExpressible { reason, .. }) => {
                assert!(reason.contains("4 UTC rules (more than 3)"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn inexpressible_schedules_are_errors_that_name_the_construct() {
        let cases: &[(&str, &str, &str)] = &[
            ("0 3 LW * ? *", "Asia/Tokyo", "`LW`"),
            ("0 3 15W * ? *", "Asia/Tokyo", "`15W`"),
            ("0 3 ? * 2#1 *", "Asia/Tokyo", "`2#1`"),
            ("0 3 ? * 6L *", "Asia/Tokyo", "`6L`"),
            // Sundays from April to September, less 30 September when it is a Sunday (its
            // Monday is in October), plus 31 March when it is one: no short year list names
            // the years of either.
            ("0 3 ? 4-9 MON *", "Asia/Tokyo", "restricted to some months"),
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

    /// Regression: a Saturday schedule whose Friday UTC rule carries a long year list came out
    /// at 325 characters and was reported as an internal error; it is split over its hours.
    #[test]
    fn a_rule_long_from_its_year_list_is_split_not_a_bug() {
        let local = "0,0/2,55 */7,5-8,2-17 ? */4,4,3-9 L 2124-2188/85,2037,1971-2080,2151-2192";
        match utc(local, "Asia/Kathmandu") {
            Ok(rules) => {
                assert!(rules.len() <= MAX_RULES);
                for r in &rules {
                    assert!(r.len() + 6 <= MAX_EXPRESSION_CHARS, "{r}");
                }
            }
            Err(RewriteError::NotExpressible { reason, .. }) => assert!(!reason.is_empty()),
            Err(e) => panic!("{e}"),
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
            // Wrong only on 28 February of the years that have no 29th.
            ("0 3 29 * ? *", &["0 18 28 * ? *"]),
            // Wrong only at the very end: local years end with 2199, so 2199-12-31T18:00Z
            // (2200-01-01 local) must not fire.
            ("0 3 * * ? 2026-2199", &["0 18 * * ? *"]),
            // Wrong only in 2100, which is not a leap year.
            (
                "0 3 1 3 ? *",
                &[
                    "0 18 29 2 ? 1972-2196/4",
                    "0 18 28 2 ? 1970-2198/4,1971-2199/2",
                ],
            ),
        ];
        for (local, rules) in wrong {
            let rules: Vec<Cron> = rules.iter().map(|r| cron(r)).collect();
            let verdict = prove(&cron(local), &tokyo, &regime, &rules);
            assert!(
                matches!(verdict, Err(RewriteError::ProofFailed { .. })),
                "{local}: {verdict:?}"
            );
        }
        // Daylight saving time: summer rules at the winter offset, and a rule that misses
        // half the minutes, checked across every change of the clocks.
        let london = TimeZone::get("Europe/London").unwrap();
        let regime = Regime::of(&london, now());
        for (local, rules) in [
            ("0 9 * 4-9 ? *", &["0 9 * 4-9 ? *"][..]),
            ("*/30 * * * ? *", &["0 * * * ? *"][..]),
        ] {
            let rules: Vec<Cron> = rules.iter().map(|r| cron(r)).collect();
            let verdict = prove(&cron(local), &london, &regime, &rules);
            assert!(
                matches!(verdict, Err(RewriteError::ProofFailed { .. })),
                "{local}: {verdict:?}"
            );
        }
        let ny = TimeZone::get("America/New_York").unwrap();
        let regime = Regime::of(&ny, now());
        let verdict = prove(&cron("0 9 * * ? *"), &ny, &regime, &[cron("0 14 * * ? *")]);
        assert!(matches!(verdict, Err(RewriteError::ProofFailed { .. })));
    }
}
