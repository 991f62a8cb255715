//! Property tests for the cron engine: the parser never panics; valid expressions survive
//! parse → print → parse; every fire time matches a naive oracle written here, and no fire time
//! is missed (brute force, minute by minute); the `cron` crate reads the common syntax alike.

use cronbridge::cron::{
    Cron, DayOfMonth, DayOfWeek, Expression, Field, Item, Rate, RateUnit, StepBase, parse,
};
use jiff::civil::{self, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::str::FromStr;

// =============================================================================================
// Generators of valid expressions, each paired with a text that spells it.

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// One field's grammar: bounds, names, whether `/` is allowed, the largest step to generate.
#[derive(Debug, Clone, Copy)]
struct Spec {
    min: u16,
    max: u16,
    names: Option<&'static [&'static str]>,
    max_step: u16,
}

impl Spec {
    const fn new(min: u16, max: u16) -> Spec {
        Spec {
            min,
            max,
            names: None,
            max_step: max - min + 1,
        }
    }
}

const MINUTES: Spec = Spec::new(0, 59);
const HOURS: Spec = Spec::new(0, 23);
const DAYS: Spec = Spec::new(1, 31);
const MONTHS: Spec = Spec {
    names: Some(&MONTH_NAMES),
    ..Spec::new(1, 12)
};
const WEEKDAYS: Spec = Spec {
    names: Some(&DAY_NAMES),
    max_step: 0, // no `/` in day-of-week
    ..Spec::new(1, 7)
};
const YEARS: Spec = Spec::new(1970, 2199);

/// The name to spell value `v` with, if the field has names.
fn name_of(spec: Spec, v: u16) -> Option<&'static str> {
    Some(spec.names?[usize::from(v - spec.min)])
}

/// Mixes the case of a name: names are case-insensitive.
fn mixed_case(name: &str, mask: u8) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask & (1 << i) != 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

/// A text for value `v`: a number (sometimes with a leading zero) or, where the field has
/// names, sometimes a name in mixed case.
fn value_text(spec: Spec, v: u16) -> BoxedStrategy<String> {
    let number = prop_oneof![
        6 => Just(v.to_string()),
        1 => Just(format!("0{v}")),
    ];
    match name_of(spec, v) {
        Some(name) => prop_oneof![
            1 => number,
            1 => any::<u8>().prop_map(move |mask| mixed_case(name, mask)),
        ]
        .boxed(),
        None => number.boxed(),
    }
}

fn value(spec: Spec) -> impl Strategy<Value = u16> {
    spec.min..=spec.max
}

fn ordered_pair(spec: Spec) -> impl Strategy<Value = (u16, u16)> {
    (value(spec), value(spec)).prop_map(|(a, b)| (a.min(b), a.max(b)))
}

fn step(spec: Spec) -> impl Strategy<Value = u16> {
    // Mostly small steps, sometimes anything up to the field's width.
    let small = spec.max_step.min(12);
    prop_oneof![3 => 1..=small, 1 => 1..=spec.max_step]
}

/// One list item and a text for it.
fn item(spec: Spec) -> BoxedStrategy<(Item, String)> {
    let single = value(spec)
        .prop_flat_map(move |v| value_text(spec, v).prop_map(move |t| (Item::Value(v), t)));
    let range = ordered_pair(spec).prop_flat_map(move |(a, b)| {
        (value_text(spec, a), value_text(spec, b))
            .prop_map(move |(ta, tb)| (Item::Range(a, b), format!("{ta}-{tb}")))
    });
    if spec.max_step == 0 {
        return prop_oneof![2 => single, 1 => range].boxed();
    }
    let all = step(spec).prop_map(|n| (Item::Step(StepBase::All, n), format!("*/{n}")));
    let from = (value(spec), step(spec)).prop_flat_map(move |(a, n)| {
        value_text(spec, a)
            .prop_map(move |ta| (Item::Step(StepBase::From(a), n), format!("{ta}/{n}")))
    });
    let range_step = (ordered_pair(spec), step(spec)).prop_flat_map(move |((a, b), n)| {
        (value_text(spec, a), value_text(spec, b)).prop_map(move |(ta, tb)| {
            (
                Item::Step(StepBase::Range(a, b), n),
                format!("{ta}-{tb}/{n}"),
            )
        })
    });
    prop_oneof![4 => single, 2 => range, 1 => all, 1 => from, 1 => range_step].boxed()
}

fn list(spec: Spec) -> impl Strategy<Value = (Field, String)> {
    prop::collection::vec(item(spec), 1..=4).prop_map(|items| {
        let text = items
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(",");
        (
            Field::List(items.into_iter().map(|(i, _)| i).collect()),
            text,
        )
    })
}

/// `*` (weighted by `star`) or a list.
fn field(spec: Spec, star: u32) -> BoxedStrategy<(Field, String)> {
    prop_oneof![
        star => Just((Field::All, "*".to_string())),
        4 => list(spec),
    ]
    .boxed()
}

fn letter(upper: &'static str, lower: bool) -> String {
    if lower {
        upper.to_ascii_lowercase()
    } else {
        upper.to_string()
    }
}

fn day_of_month(star: u32) -> BoxedStrategy<(DayOfMonth, String)> {
    prop_oneof![
        4 => field(DAYS, star).prop_map(|(f, t)| (DayOfMonth::Days(f), t)),
        1 => any::<bool>().prop_map(|l| (DayOfMonth::Last, letter("L", l))),
        1 => any::<bool>().prop_map(|l| (DayOfMonth::LastWeekday, letter("LW", l))),
        2 => (1..=31u8, any::<bool>())
            .prop_map(|(d, l)| (DayOfMonth::NearestWeekday(d), format!("{d}{}", letter("W", l)))),
    ]
    .boxed()
}

fn day_of_week(star: u32) -> BoxedStrategy<(DayOfWeek, String)> {
    let nth = (1..=7u8, 1..=5u8).prop_flat_map(|(d, k)| {
        value_text(WEEKDAYS, u16::from(d))
            .prop_map(move |t| (DayOfWeek::Nth(d, k), format!("{t}#{k}")))
    });
    prop_oneof![
        4 => field(WEEKDAYS, star).prop_map(|(f, t)| (DayOfWeek::Days(f), t)),
        1 => any::<bool>().prop_map(|l| (DayOfWeek::Last, letter("L", l))),
        1 => (1..=7u8, any::<bool>())
            .prop_map(|(d, l)| (DayOfWeek::LastInMonth(d), format!("{d}{}", letter("L", l)))),
        2 => nth,
    ]
    .boxed()
}

/// Exactly one of the two day fields is `?`.
fn day_fields(star: u32) -> BoxedStrategy<(DayOfMonth, DayOfWeek, String, String)> {
    prop_oneof![
        day_of_month(star).prop_map(|(d, t)| (d, DayOfWeek::NoSpecific, t, "?".to_string())),
        day_of_week(star).prop_map(|(w, t)| (DayOfMonth::NoSpecific, w, "?".to_string(), t)),
    ]
    .boxed()
}

/// Separators and an optional `cron(...)` wrapper around six field texts.
fn assemble(fields: [String; 6]) -> impl Strategy<Value = String> {
    let seps = prop::collection::vec(
        prop_oneof![4 => Just(" "), 1 => Just("  "), 1 => Just("\t")],
        5,
    );
    let wrapper = prop_oneof![
        3 => Just(("", "")),
        1 => Just(("cron(", ")")),
        1 => Just(("CRON( ", " )")),
        1 => Just(("  ", " ")),
    ];
    (seps, wrapper).prop_map(move |(seps, (open, close))| {
        let mut text = open.to_string();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                text.push_str(seps[i - 1]);
            }
            text.push_str(f);
        }
        text.push_str(close);
        text
    })
}

/// A valid cron expression and a text for it. `dense` favours `*` in the date fields so that
/// short windows contain fire times.
pub(crate) fn cron_expr(dense: bool) -> BoxedStrategy<(Cron, String)> {
    let (star_date, star_year) = if dense { (12, 16) } else { (2, 4) };
    (
        field(MINUTES, 1),
        field(HOURS, if dense { 3 } else { 1 }),
        day_fields(star_date),
        field(MONTHS, star_date),
        field(YEARS, star_year),
    )
        .prop_flat_map(
            |((mi, mt), (hi, ht), (dom, dow, domt, dowt), (mo, mot), (y, yt))| {
                let cron = Cron {
                    minutes: mi,
                    hours: hi,
                    day_of_month: dom,
                    month: mo,
                    day_of_week: dow,
                    year: y,
                };
                assemble([mt, ht, domt, mot, dowt, yt]).prop_map(move |text| (cron.clone(), text))
            },
        )
        .boxed()
}

fn rate() -> impl Strategy<Value = (Rate, String)> {
    (
        prop_oneof![3 => 1..=60u32, 1 => 1..=10_000u32],
        prop_oneof![
            Just(RateUnit::Minute),
            Just(RateUnit::Hour),
            Just(RateUnit::Day)
        ],
        any::<bool>(),
    )
        .prop_map(|(value, unit, upper)| {
            let name = match unit {
                RateUnit::Minute => "minute",
                RateUnit::Hour => "hour",
                RateUnit::Day => "day",
            };
            let plural = if value == 1 { "" } else { "s" };
            let mut text = format!("rate({value} {name}{plural})");
            if upper {
                text = text.to_ascii_uppercase();
            }
            (Rate { value, unit }, text)
        })
}

fn expression(dense: bool) -> impl Strategy<Value = (Expression, String)> {
    prop_oneof![
        8 => cron_expr(dense).prop_map(|(c, t)| (Expression::Cron(c), t)),
        1 => rate().prop_map(|(r, t)| (Expression::Rate(r), t)),
    ]
}

// =============================================================================================
// The oracle: a direct, slow reading of the dialect's semantics, one wall-clock minute at a time.

fn in_field(field: &Field, (min, max): (u16, u16), v: u16) -> bool {
    let items = match field {
        Field::All => return (min..=max).contains(&v),
        Field::List(items) => items,
    };
    items.iter().any(|item| match *item {
        Item::Value(x) => v == x,
        Item::Range(a, b) => a <= v && v <= b,
        Item::Step(base, n) => {
            let (a, b) = match base {
                StepBase::All => (min, max),
                StepBase::From(a) => (a, max),
                StepBase::Range(a, b) => (a, b),
            };
            a <= v && v <= b && (v - a).is_multiple_of(n)
        }
    })
}

fn is_weekday(year: i16, month: i8, day: i8) -> bool {
    !matches!(
        civil::date(year, month, day).weekday(),
        Weekday::Saturday | Weekday::Sunday
    )
}

/// Whether the wall-clock time `dt` matches `cron`.
fn cron_matches(cron: &Cron, dt: civil::DateTime) -> bool {
    if dt.second() != 0 || dt.subsec_nanosecond() != 0 {
        return false;
    }
    let (year, month, day) = (dt.year(), dt.month(), dt.day());
    let dim = dt.days_in_month();
    // 1 = Sunday … 7 = Saturday, as AWS numbers them.
    let weekday = dt.weekday().to_sunday_one_offset();
    // A year field that selects every year has no end (2200 in Tokyo is still year `*`);
    // any other names local years 1970-2199. Instants from 2200 UTC on never fire (oracle).
    let year_ok = match year {
        1970..=2199 => in_field(&cron.year, (1970, 2199), year as u16),
        2200.. => (1970..=2199).all(|y| in_field(&cron.year, (1970, 2199), y)),
        _ => false,
    };
    let date_ok = year_ok
        && in_field(&cron.month, (1, 12), month as u16)
        && in_field(&cron.hours, (0, 23), dt.hour() as u16)
        && in_field(&cron.minutes, (0, 59), dt.minute() as u16);
    let dom_ok = match &cron.day_of_month {
        DayOfMonth::NoSpecific => true,
        DayOfMonth::Days(f) => in_field(f, (1, 31), day as u16),
        DayOfMonth::Last => day == dim,
        DayOfMonth::LastWeekday => {
            is_weekday(year, month, day) && (day + 1..=dim).all(|d| !is_weekday(year, month, d))
        }
        DayOfMonth::NearestWeekday(n) => {
            // The weekday of this month closest to day n (never a tie: a weekday n is itself;
            // a Saturday has Friday at 1 and Monday at 2; a Sunday has Monday at 1 and Friday
            // at 2).
            let n = *n as i8;
            n <= dim
                && (1..=dim)
                    .filter(|&d| is_weekday(year, month, d))
                    .min_by_key(|&d| (d - n).abs())
                    == Some(day)
        }
    };
    let dow_ok = match &cron.day_of_week {
        DayOfWeek::NoSpecific => true,
        DayOfWeek::Days(f) => in_field(f, (1, 7), weekday as u16),
        DayOfWeek::Last => weekday == 7,
        DayOfWeek::LastInMonth(w) => weekday == *w as i8 && day + 7 > dim,
        DayOfWeek::Nth(w, k) => weekday == *w as i8 && (day - 1) / 7 + 1 == *k as i8,
    };
    date_ok && dom_ok && dow_ok
}

/// Whether `expression` fires at instant `t` in `tz`.
fn oracle(expression: &Expression, t: Timestamp, tz: &TimeZone) -> bool {
    match expression {
        // EventBridge rules fire from 1970-01-01T00:00Z up to 2200-01-01T00:00Z, not after.
        Expression::Cron(cron) => {
            t.as_second() < 7_258_118_400 && cron_matches(cron, tz.to_datetime(t))
        }
        Expression::Rate(rate) => {
            let period = i64::from(rate.value)
                * match rate.unit {
                    RateUnit::Minute => 60,
                    RateUnit::Hour => 3_600,
                    RateUnit::Day => 86_400,
                };
            t.subsec_nanosecond() == 0 && t.as_second().rem_euclid(period) == 0
        }
    }
}

// =============================================================================================
// Shared inputs.

static ZONES: [&str; 6] = [
    "UTC",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "Europe/London",
];

static TRANSITION_ZONES: [&str; 7] = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Apia",
    "Asia/Kathmandu",
];

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|e| panic!("unknown zone {name:?}: {e}"))
}

fn second(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn utc(text: &str) -> i64 {
    Timestamp::from_str(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .as_second()
}

/// A start instant between 1970 and 2150, sometimes with a fractional second.
fn start(until: &'static str) -> impl Strategy<Value = Timestamp> {
    let end = utc(until);
    (0..end, prop_oneof![3 => Just(0), 1 => 0..1_000_000_000i32])
        .prop_map(|(s, ns)| Timestamp::new(s, ns).unwrap_or_else(|e| panic!("{s}: {e}")))
}

fn minute_floor(t: Timestamp) -> i64 {
    t.as_second().div_euclid(60) * 60
}

/// Every minute instant in `[from, to)` (UTC minutes) that the oracle accepts.
fn brute_force(expression: &Expression, tz: &TimeZone, from: i64, to: i64) -> Vec<Timestamp> {
    (from..to)
        .step_by(60)
        .map(second)
        .filter(|&t| oracle(expression, t, tz))
        .collect()
}

/// The engine's fire times in `[from, to)`.
fn engine_window(expression: &Expression, tz: &TimeZone, from: i64, to: i64) -> Vec<Timestamp> {
    expression
        .fire_times_after(second(from - 1), tz)
        .take_while(|t| t.as_second() < to)
        .collect()
}

fn same_window(
    expression: &Expression,
    tz: &TimeZone,
    from: i64,
    to: i64,
) -> Result<(), TestCaseError> {
    let expected = brute_force(expression, tz, from, to);
    let got = engine_window(expression, tz, from, to);
    prop_assert_eq!(
        &got,
        &expected,
        "{} in {:?} over [{}, {})",
        expression,
        tz.iana_name(),
        second(from),
        second(to)
    );
    Ok(())
}

const THREE_DAYS: i64 = 3 * 86_400;

/// Proptest settings: `cases` cases, and no regression files written into the source tree.
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// =============================================================================================
// The parser never panics.

/// A token from the cron alphabet, biased towards pieces that reach the parser's deep paths.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9A-Za-z*?/,#LW-]{1,8}",
        2 => "[0-9*?/,#LW-]{1,8}",
        2 => "[0-9]{1,3}(-[0-9]{1,3})?(/[0-9]{0,3})?(,[0-9]{1,3}(-[0-9]{1,3})?)?",
        1 => "[0-9]{1,25}",
        1 => "(L|LW|l|lw|[0-9]{1,2}[WLwl#]|[0-9]{1,2}#[0-9]{0,2}|L-[0-9]{1,2})",
        1 => "(SUN|MON|TUE|WED|THU|FRI|SAT|JAN|FEB|MAR|DEC|mon|Fri|Thursday|X)(-(SUN|FRI|SAT|DEC|[0-9]))?(/[0-9])?(#[0-9])?",
        1 => Just("*".to_string()),
        1 => Just("?".to_string()),
    ]
}

fn cron_like_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(token(), 5..=7),
        prop_oneof![
            3 => Just(("", "")),
            1 => Just(("cron(", ")")),
            1 => Just(("cron(", "")),
            1 => Just(("rate(", ")")),
        ],
    )
        .prop_map(|(tokens, (open, close))| format!("{open}{}{close}", tokens.join(" ")))
}

/// Parsing never panics; whatever parses round-trips through its canonical text and evaluates
/// without panicking; errors point inside the text.
fn parse_is_total(input: &str) -> Result<(), TestCaseError> {
    match parse(input) {
        Ok(expression) => {
            let printed = expression.to_string();
            let reparsed = parse(&printed);
            prop_assert_eq!(
                reparsed.as_ref(),
                Ok(&expression),
                "{:?} printed as {:?}",
                input,
                printed
            );
            prop_assert_eq!(parse(&expression.to_aws()), Ok(expression.clone()));
            let from = second(utc("2026-01-01T00:00:00Z"));
            let times: Vec<Timestamp> = expression
                .fire_times_after(from, &zone("Asia/Tokyo"))
                .take(3)
                .collect();
            prop_assert!(times.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(times.iter().all(|t| *t > from));
        }
        Err(err) => {
            let len = input.chars().count();
            prop_assert!(
                err.span.0 <= err.span.1 && err.span.1 <= len,
                "{:?}: span {:?} outside 0..={}",
                input,
                err.span,
                len
            );
            prop_assert!(!err.message.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parser_is_total_on_arbitrary_strings(input in any::<String>()) {
        parse_is_total(&input)?;
    }

    #[test]
    fn parser_is_total_on_the_cron_alphabet(input in "[0-9A-Za-z*?/,#LW -]{0,60}") {
        parse_is_total(&input)?;
    }

    #[test]
    fn parser_is_total_on_cron_shaped_text(input in cron_like_text()) {
        parse_is_total(&input)?;
    }

    #[test]
    fn parser_is_total_on_rate_shaped_text(input in "(rate|RATE|Rate)\\( ?[0-9]{0,12} ?(minute|minutes|hour|hours|day|days|Days|week|s)? ?\\)?") {
        parse_is_total(&input)?;
    }

    // =========================================================================================
    // Valid expressions: the text parses to the generated AST, and the canonical text parses
    // back to the same AST and prints identically.

    #[test]
    fn valid_text_parses_to_its_ast_and_round_trips((expected, text) in expression(false)) {
        let parsed = parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&expected), "text {:?}", text);
        let printed = expected.to_string();
        let reparsed = parse(&printed);
        prop_assert_eq!(reparsed.as_ref(), Ok(&expected), "canonical {:?}", printed);
        prop_assert_eq!(reparsed.map(|e| e.to_string()), Ok(printed.clone()));
        prop_assert_eq!(parse(&expected.to_aws()), Ok(expected.clone()));
    }
}

// =============================================================================================
// Fire times against the oracle.

proptest! {
    #![proptest_config(config(64))]

    /// The first 50 fire times from a random start in a random zone: each is strictly after
    /// the start, strictly after the one before, and matches the oracle; and restarting from a
    /// fire time gives the next one.
    #[test]
    fn every_fire_time_matches_the_oracle(
        (expression, _text) in expression(false),
        zone_name in prop::sample::select(ZONES.to_vec()),
        from in start("2150-01-01T00:00:00Z"),
    ) {
        let tz = zone(zone_name);
        let times: Vec<Timestamp> = expression.fire_times_after(from, &tz).take(50).collect();
        let mut previous = from;
        for (i, &t) in times.iter().enumerate() {
            prop_assert!(t > previous, "{} in {}: #{} {} is not after {}", expression, zone_name, i, t, previous);
            prop_assert!(
                oracle(&expression, t, &tz),
                "{} in {}: #{} {} (wall {}) does not match", expression, zone_name, i, t, tz.to_datetime(t)
            );
            previous = t;
        }
        for pair in times.windows(2) {
            let next = expression.fire_times_after(pair[0], &tz).next();
            prop_assert_eq!(next, Some(pair[1]), "{} in {}: restarting at {}", expression, zone_name, pair[0]);
        }
        if let Some(&first) = times.first() {
            let just_before = first.checked_sub(SignedDuration::from_nanos(1)).expect("in range");
            prop_assert_eq!(expression.fire_times_after(just_before, &tz).next(), Some(first));
        }
    }

    /// Nothing missed: minute by minute over three days, the oracle and the engine give exactly
    /// the same instants; once from a random start, once around the engine's first fire time.
    #[test]
    fn no_fire_time_is_missed(
        (expression, _text) in expression(true),
        zone_name in prop::sample::select(ZONES.to_vec()),
        from in start("2150-01-01T00:00:00Z"),
    ) {
        let tz = zone(zone_name);
        let window = minute_floor(from);
        same_window(&expression, &tz, window, window + THREE_DAYS)?;
        if let Some(first) = expression.fire_times_after(from, &tz).next() {
            let centre = minute_floor(first) - THREE_DAYS / 2;
            same_window(&expression, &tz, centre, centre + THREE_DAYS)?;
        }
    }

    /// Nothing missed across offset changes: three days around a random transition of a zone
    /// with daylight saving time (New York, London, Sydney), a half-hour one (Lord Howe Island,
    /// St. John's), Samoa's skipped day (2011-12-30) or Nepal's move from +05:30 to +05:45
    /// (1986).
    #[test]
    fn no_fire_time_is_missed_around_offset_changes(
        (expression, _text) in expression(true),
        zone_name in prop::sample::select(TRANSITION_ZONES.to_vec()),
        from in start("2150-01-01T00:00:00Z"),
    ) {
        let tz = zone(zone_name);
        let transition = tz
            .following(from)
            .next()
            .or_else(|| tz.preceding(from).next())
            .map(|tr| tr.timestamp());
        prop_assume!(transition.is_some());
        let at = transition.expect("checked").as_second();
        let window = at.div_euclid(60) * 60 - THREE_DAYS / 2;
        same_window(&expression, &tz, window, window + THREE_DAYS)?;
    }

    /// Last-year boundary: windows at the very end of 2199 in every zone.
    #[test]
    fn the_end_of_2199_is_exact(
        (expression, _text) in expression(true),
        zone_name in prop::sample::select(ZONES.to_vec()),
    ) {
        let tz = zone(zone_name);
        let from = utc("2199-12-30T12:00:00Z");
        same_window(&expression, &tz, from, from + THREE_DAYS)?;
        // After 2200-01-01T00:00Z, the end of EventBridge's range, a cron expression has ended.
        if let Expression::Cron(_) = expression {
            let after = second(utc("2200-01-02T00:00:00Z"));
            prop_assert_eq!(expression.fire_times_after(after, &tz).next(), None);
        }
    }
}

// =============================================================================================
// Differential test against the `cron` crate (0.17).
//
// That crate parses `sec min hour day-of-month month day-of-week [year]`, numbers the days of
// the week 1 = Sunday … 7 = Saturday like AWS, reads `?` as `*`, and accepts names (any case)
// for months and days. Where it differs, the generator stays on common ground:
// - its years end at 2100 (ours at 2199): year values are drawn from 1970-2100 and only fire
//   times up to 2100 are compared;
// - a step must not exceed the field's maximum (ours: the field's width), so minute steps stop
//   at 59 and hour steps at 23;
// - a step after a single name (`MAR/2`) and ranges mixing a name and a number (`1-MAR`) are
//   not in its grammar, so names appear only in plain values and name-name ranges;
// - L, W and # are not supported by it at all.
//
// Its `Schedule::after` takes a `chrono::DateTime`, and chrono is not a dependency of this
// crate (only of `cron`), so this test cannot name one. It therefore compares what each
// parser makes of the text: the `cron` crate's parsed field sets (`TimeUnitSpec`) drive an
// enumeration of the first 20 fire times in UTC written here, and the engine's own fire times
// must equal them exactly.

fn common_item(spec: Spec) -> BoxedStrategy<(Item, String)> {
    // Names only where both ends have one: the `cron` crate does not mix names and numbers.
    let names = move |a: u16, b: u16| Some((name_of(spec, a)?, name_of(spec, b)?));
    let single = (value(spec), any::<bool>()).prop_map(move |(v, named)| {
        let text = match names(v, v) {
            Some((n, _)) if named => n.to_string(),
            _ => v.to_string(),
        };
        (Item::Value(v), text)
    });
    let range = (ordered_pair(spec), any::<bool>()).prop_map(move |((a, b), named)| {
        let text = match names(a, b) {
            Some((na, nb)) if named => format!("{na}-{nb}"),
            _ => format!("{a}-{b}"),
        };
        (Item::Range(a, b), text)
    });
    if spec.max_step == 0 {
        return prop_oneof![2 => single, 1 => range].boxed();
    }
    let steps = prop_oneof![3 => 1..=spec.max_step.min(12), 1 => 1..=spec.max_step];
    let all = steps
        .clone()
        .prop_map(|n| (Item::Step(StepBase::All, n), format!("*/{n}")));
    let from = (value(spec), steps.clone())
        .prop_map(|(a, n)| (Item::Step(StepBase::From(a), n), format!("{a}/{n}")));
    let range_step =
        (ordered_pair(spec), steps, any::<bool>()).prop_map(move |((a, b), n, named)| {
            let text = match names(a, b) {
                Some((na, nb)) if named => format!("{na}-{nb}/{n}"),
                _ => format!("{a}-{b}/{n}"),
            };
            (Item::Step(StepBase::Range(a, b), n), text)
        });
    prop_oneof![4 => single, 2 => range, 1 => all, 1 => from, 1 => range_step].boxed()
}

fn common_field(spec: Spec, star: u32) -> BoxedStrategy<(Field, String)> {
    let list = prop::collection::vec(common_item(spec), 1..=3).prop_map(|items| {
        let text = items
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(",");
        (
            Field::List(items.into_iter().map(|(i, _)| i).collect()),
            text,
        )
    });
    prop_oneof![star => Just((Field::All, "*".to_string())), 4 => list].boxed()
}

/// Six AWS fields both crates understand.
fn common_cron() -> impl Strategy<Value = (Cron, [String; 6])> {
    let days = prop_oneof![
        common_field(DAYS, 2).prop_map(|(f, t)| (
            DayOfMonth::Days(f),
            DayOfWeek::NoSpecific,
            t,
            "?".to_string()
        )),
        common_field(WEEKDAYS, 1).prop_map(|(f, t)| (
            DayOfMonth::NoSpecific,
            DayOfWeek::Days(f),
            "?".to_string(),
            t
        )),
    ];
    (
        common_field(
            Spec {
                max_step: 59,
                ..MINUTES
            },
            1,
        ),
        common_field(
            Spec {
                max_step: 23,
                ..HOURS
            },
            1,
        ),
        days,
        common_field(MONTHS, 2),
        common_field(Spec::new(1970, 2100), 4),
    )
        .prop_map(
            |((mi, mt), (hi, ht), (dom, dow, domt, dowt), (mo, mot), (y, yt))| {
                (
                    Cron {
                        minutes: mi,
                        hours: hi,
                        day_of_month: dom,
                        month: mo,
                        day_of_week: dow,
                        year: y,
                    },
                    [mt, ht, domt, mot, dowt, yt],
                )
            },
        )
}

/// The first `n` fire times in UTC strictly after `from` (whole seconds) and before 2101, from
/// the `cron` crate's own search (`Schedule::after`).
fn cron_crate_fire_times(schedule: &cron::Schedule, from: i64, n: usize) -> Vec<Timestamp> {
    let start = chrono::DateTime::from_timestamp(from, 0).expect("in range");
    let end = utc("2101-01-01T00:00:00Z");
    schedule
        .after(&start)
        .map(|t| second(t.timestamp()))
        .take_while(|t| t.as_second() < end)
        .take(n)
        .collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn agrees_with_the_cron_crate_in_utc(
        (expected, fields) in common_cron(),
        from in 0..utc("2095-01-01T00:00:00Z"),
    ) {
        let aws = fields.join(" ");
        let ours = parse(&aws);
        prop_assert_eq!(ours.as_ref(), Ok(&Expression::Cron(expected.clone())), "{}", aws);
        let ours = ours.expect("checked");
        let theirs_text = format!("0 {aws}");
        let theirs = cron::Schedule::from_str(&theirs_text);
        prop_assert!(theirs.is_ok(), "the cron crate rejects {:?}: {:?}", theirs_text, theirs.err());
        let theirs = theirs.expect("checked");

        let end = utc("2101-01-01T00:00:00Z");
        let got: Vec<Timestamp> = ours
            .fire_times_after(second(from), &TimeZone::UTC)
            .take_while(|t| t.as_second() < end)
            .take(20)
            .collect();
        let want = cron_crate_fire_times(&theirs, from, 20);
        prop_assert_eq!(got, want, "{} from {}", aws, second(from));
    }
}

// =============================================================================================
// A few fixed checks of the test machinery itself, so that a broken oracle cannot pass
// everything silently.

#[test]
fn the_oracle_agrees_with_hand_worked_dates() {
    let tz = TimeZone::UTC;
    let at = |s: &str| Timestamp::from_str(s).expect("timestamp");
    let e = |s: &str| parse(s).expect("parses");
    // Jan 31 2026 is a Saturday: LW and 31W are Friday the 30th; 1W of Aug 2026 (a Saturday)
    // is Monday the 3rd; the fifth Thursday of Dec 2026 is the 31st; the last Friday of Jan
    // 2026 is the 30th.
    assert!(oracle(&e("0 0 LW * ? *"), at("2026-01-30T00:00:00Z"), &tz));
    assert!(!oracle(&e("0 0 LW * ? *"), at("2026-01-31T00:00:00Z"), &tz));
    assert!(oracle(&e("0 0 31W * ? *"), at("2026-01-30T00:00:00Z"), &tz));
    assert!(oracle(&e("0 0 1W * ? *"), at("2026-08-03T00:00:00Z"), &tz));
    assert!(!oracle(&e("0 0 1W * ? *"), at("2026-07-31T00:00:00Z"), &tz));
    assert!(oracle(&e("0 0 ? * 5#5 *"), at("2026-12-31T00:00:00Z"), &tz));
    assert!(oracle(&e("0 0 ? * 6L *"), at("2026-01-30T00:00:00Z"), &tz));
    assert!(oracle(&e("0 0 ? * L *"), at("2026-11-28T00:00:00Z"), &tz));
    assert!(!oracle(&e("0 0 ? * L *"), at("2026-11-29T00:00:00Z"), &tz));
    assert!(oracle(
        &e("1/10 * * * ? *"),
        at("2026-01-01T05:51:00Z"),
        &tz
    ));
    assert!(!oracle(
        &e("1/10 * * * ? *"),
        at("2026-01-01T05:50:00Z"),
        &tz
    ));
    assert!(!oracle(&e("* * * * ? *"), at("2026-01-01T05:50:01Z"), &tz));
    assert!(oracle(&e("rate(7 days)"), at("2026-01-01T00:00:00Z"), &tz));
    // The brute force finds New York's doubled 01:30 on Nov 1 2026.
    let ny = zone("America/New_York");
    let found = brute_force(
        &e("30 1 * * ? *"),
        &ny,
        utc("2026-11-01T00:00:00Z"),
        utc("2026-11-02T00:00:00Z"),
    );
    assert_eq!(
        found,
        [at("2026-11-01T05:30:00Z"), at("2026-11-01T06:30:00Z")]
    );
}

/// Regression: the parser once looked for the special characters `L` and `W` before reading
/// names, so it rejected `JUL` and `WED` (and canonical text with a Wednesday did not parse
/// back). The generators above found it.
#[test]
fn names_containing_l_or_w_parse() {
    let p = |s: &str| parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    assert_eq!(p("0 0 1 JUL ? *"), p("0 0 1 7 ? *"));
    assert_eq!(p("0 0 1 jun-Jul ? *"), p("0 0 1 6-7 ? *"));
    assert_eq!(p("0 0 1 JUL/2 ? *"), p("0 0 1 7/2 ? *"));
    assert_eq!(p("0 0 ? * WED *"), p("0 0 ? * 4 *"));
    assert_eq!(p("0 0 ? * mon-wed *"), p("0 0 ? * 2-4 *"));
    let wednesday = p("0 0 ? * 4 *");
    assert_eq!(wednesday.to_string(), "0 0 ? * WED *");
    assert_eq!(p(&wednesday.to_string()), wednesday);
}
