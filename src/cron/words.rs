//! One-line descriptions of expressions in English and Japanese, so that a reviewer can check
//! a schedule without decoding cron. Each phrase is computed from the set of values a field
//! selects, not from how it was written, so it stays true for anything the parser accepts.

use super::{Cron, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, Rate, RateUnit};
use super::{StepBase, ast::DAY_NAMES};
use std::collections::BTreeSet;

/// Language of a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ja,
}

/// Describes an expression in one line.
pub fn describe(expr: &Expression, lang: Lang) -> String {
    match expr {
        Expression::Rate(rate) => describe_rate(*rate, lang),
        Expression::Cron(cron) => describe_cron(cron, lang),
    }
}

fn describe_rate(rate: Rate, lang: Lang) -> String {
    let n = rate.value;
    match lang {
        Lang::En => {
            let unit = match rate.unit {
                RateUnit::Minute => "minute",
                RateUnit::Hour => "hour",
                RateUnit::Day => "day",
            };
            if n == 1 {
                format!("every {unit}")
            } else {
                format!("every {n} {unit}s")
            }
        }
        // Japanese keeps the number even for 1 (`1日ごと`): a rate is an interval from an
        // anchor, unlike `毎日`, which reads as "at the same time each day".
        Lang::Ja => {
            let unit = match rate.unit {
                RateUnit::Minute => "分",
                RateUnit::Hour => "時間",
                RateUnit::Day => "日",
            };
            format!("{n}{unit}ごと")
        }
    }
}

const EN_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const JA_DAYS: [&str; 7] = [
    "日曜日",
    "月曜日",
    "火曜日",
    "水曜日",
    "木曜日",
    "金曜日",
    "土曜日",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What one field selects, reduced to the forms a sentence can say.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// Every value of the field, however it was written (`*`, `0-59`, `*/1`).
    All,
    /// A set of values, sorted; spoken as single values and runs.
    Values(Vec<u16>),
    /// A lone step item selecting at least two values: `first`, `first + every`, … `last`.
    Step { first: u16, last: u16, every: u16 },
}

impl Shape {
    fn of(field: &Field, kind: FieldKind) -> Shape {
        let values = values_of(field, kind);
        let (min, max) = kind.bounds();
        if values.len() == usize::from(max - min) + 1 {
            return Shape::All;
        }
        let values: Vec<u16> = values.into_iter().collect();
        // Only a step the user wrote on its own reads as a step; a step inside a list is
        // spoken as the values it selects, which is always true and rarely longer.
        if let Field::List(items) = field
            && let [Item::Step(_, every)] = items.as_slice()
            && let (Some(&first), Some(&last)) = (values.first(), values.last())
            && *every > 1
            && first < last
        {
            return Shape::Step {
                first,
                last,
                every: *every,
            };
        }
        Shape::Values(values)
    }

    fn count(&self, kind: FieldKind) -> usize {
        match self {
            Shape::All => {
                let (min, max) = kind.bounds();
                usize::from(max - min) + 1
            }
            Shape::Values(v) => v.len(),
            Shape::Step { first, last, every } => {
                usize::from(last.saturating_sub(*first) / (*every).max(1)) + 1
            }
        }
    }

    /// The values selected, for fields small enough to list.
    fn values(&self, kind: FieldKind) -> Vec<u16> {
        let (min, max) = kind.bounds();
        match self {
            Shape::All => (min..=max).collect(),
            Shape::Values(v) => v.clone(),
            Shape::Step { first, last, every } => (*first..=*last)
                .step_by(usize::from(*every).max(1))
                .collect(),
        }
    }

    fn single(&self) -> Option<u16> {
        match self {
            Shape::Values(v) => match v.as_slice() {
                [one] => Some(*one),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The values a field selects within the field's bounds. Out-of-range values cannot come from
/// the parser; dropping them keeps a hand-built AST from producing nonsense.
fn values_of(field: &Field, kind: FieldKind) -> BTreeSet<u16> {
    let (min, max) = kind.bounds();
    let mut set = BTreeSet::new();
    let items = match field {
        Field::All => return (min..=max).collect(),
        Field::List(items) => items,
    };
    for item in items {
        let (a, b, every) = match *item {
            Item::Value(v) => (v, v, 1),
            Item::Range(a, b) => (a, b, 1),
            Item::Step(StepBase::All, every) => (min, max, every),
            Item::Step(StepBase::From(a), every) => (a, max, every),
            Item::Step(StepBase::Range(a, b), every) => (a, b, every),
        };
        let (a, b) = (a.max(min), b.min(max));
        if a <= b {
            set.extend((a..=b).step_by(usize::from(every.max(1))));
        }
    }
    set
}

/// Whether a step repeats at the same interval across the wrap of its field (`*/15` minutes:
/// 45 → 00 is also 15 minutes), so that "every n minutes" is true without a range.
fn uniform(first: u16, last: u16, every: u16, kind: FieldKind) -> bool {
    let (min, max) = kind.bounds();
    let width = u32::from(max - min) + 1;
    u32::from(first) + width == u32::from(last) + u32::from(every)
}

/// Runs of consecutive values; a run of three or more reads as a range.
fn runs(values: &[u16]) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    for &v in values {
        match out.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(v) => *end = v,
            _ => out.push((v, v)),
        }
    }
    out
}

fn spoken_runs(
    values: &[u16],
    one: impl Fn(u16) -> String,
    range: impl Fn(u16, u16) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for (a, b) in runs(values) {
        if b - a >= 2 {
            out.push(range(a, b));
        } else {
            out.extend((a..=b).map(&one));
        }
    }
    out
}

/// "a", "a and b", "a, b and c".
fn join_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn join_ja(items: &[String]) -> String {
    items.join(", ")
}

fn ordinal(n: u16) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn nth_en(k: u8) -> String {
    match k {
        1 => "first".to_string(),
        2 => "second".to_string(),
        3 => "third".to_string(),
        4 => "fourth".to_string(),
        5 => "fifth".to_string(),
        _ => ordinal(u16::from(k)),
    }
}

fn day_name(d: u16, lang: Lang) -> String {
    let names = match lang {
        Lang::En => &EN_DAYS,
        Lang::Ja => &JA_DAYS,
    };
    match names.get(usize::from(d).wrapping_sub(1)) {
        Some(name) => (*name).to_string(),
        None => DAY_NAMES
            .get(usize::from(d).wrapping_sub(1))
            .map_or_else(|| d.to_string(), |s| (*s).to_string()),
    }
}

fn month_name(m: u16, lang: Lang) -> String {
    match lang {
        Lang::En => EN_MONTHS
            .get(usize::from(m).wrapping_sub(1))
            .map_or_else(|| m.to_string(), |s| (*s).to_string()),
        Lang::Ja => format!("{m}月"),
    }
}

/// How the time-of-day part came out, which decides how the day part attaches to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeForm {
    /// Clock times ("at 09:00"): the day part follows directly.
    At,
    /// Repeats at one interval through midnight ("every 5 minutes", "every 2 hours from
    /// 00:00"): "every day" goes without saying.
    AroundTheClock,
    /// Minutes and hours described apart: a comma keeps the day part from reading as part
    /// of the hours.
    Split,
}

/// The time-of-day part of a description.
fn time_part(minutes: &Shape, hours: &Shape, lang: Lang) -> (String, TimeForm) {
    let m_kind = FieldKind::Minutes;
    let h_kind = FieldKind::Hours;
    // Listing is clearer than two separate rules as long as the list stays short.
    if minutes.count(m_kind).saturating_mul(hours.count(h_kind)) <= 6 {
        let mut times = Vec::new();
        for h in hours.values(h_kind) {
            for m in minutes.values(m_kind) {
                times.push(format!("{h:02}:{m:02}"));
            }
        }
        let text = match lang {
            Lang::En => format!("at {}", join_en(&times)),
            Lang::Ja => join_ja(&times),
        };
        return (text, TimeForm::At);
    }
    match lang {
        Lang::En => time_en(minutes, hours),
        Lang::Ja => time_ja(minutes, hours),
    }
}

fn time_en(minutes: &Shape, hours: &Shape) -> (String, TimeForm) {
    let m_kind = FieldKind::Minutes;
    let h_kind = FieldKind::Hours;
    let minute_runs = |v: &[u16]| {
        let word = if v.len() == 1 { "minute" } else { "minutes" };
        let list = spoken_runs(v, |m| format!("{m:02}"), |a, b| format!("{a:02} to {b:02}"));
        format!("at {word} {}", join_en(&list))
    };
    let minute_step = |first: u16, last: u16, every: u16| {
        if uniform(first, last, every, m_kind) {
            if first == 0 {
                format!("every {every} minutes")
            } else {
                format!("every {every} minutes from minute {first:02}")
            }
        } else {
            format!("every {every} minutes from minute {first:02} to {last:02}")
        }
    };
    if *hours == Shape::All {
        let text = match minutes {
            Shape::All => "every minute".to_string(),
            Shape::Values(v) => format!("every hour {}", minute_runs(v)),
            Shape::Step { first, last, every } if uniform(*first, *last, *every, m_kind) => {
                minute_step(*first, *last, *every)
            }
            Shape::Step { first, last, every } => {
                format!("{} of every hour", minute_step(*first, *last, *every))
            }
        };
        return (text, TimeForm::AroundTheClock);
    }
    // The start time says which hours, which "every 2 hours" alone would not.
    if let (Some(m), Shape::Step { first, last, every }) = (minutes.single(), hours)
        && uniform(*first, *last, *every, h_kind)
    {
        return (
            format!("every {every} hours from {first:02}:{m:02}"),
            TimeForm::AroundTheClock,
        );
    }
    let minute_text = match minutes {
        Shape::All => "every minute".to_string(),
        Shape::Values(v) => minute_runs(v),
        Shape::Step { first, last, every } => minute_step(*first, *last, *every),
    };
    let hour_text = match hours {
        // Unreachable (returned above), but "every hour" would be the true reading.
        Shape::All => "every hour".to_string(),
        Shape::Values(v) => {
            let word = if v.len() == 1 { "hour" } else { "hours" };
            let list = spoken_runs(v, |h| format!("{h:02}"), |a, b| format!("{a:02} to {b:02}"));
            format!("{word} {}", join_en(&list))
        }
        Shape::Step { first, last, every } => {
            let nth = ordinal(*every);
            if !uniform(*first, *last, *every, h_kind) {
                format!("every {nth} hour from hour {first:02} to {last:02}")
            } else if *first == 0 {
                format!("every {nth} hour")
            } else {
                format!("every {nth} hour from hour {first:02}")
            }
        }
    };
    (format!("{minute_text} past {hour_text}"), TimeForm::Split)
}

fn time_ja(minutes: &Shape, hours: &Shape) -> (String, TimeForm) {
    let m_kind = FieldKind::Minutes;
    let h_kind = FieldKind::Hours;
    let minute_runs = |v: &[u16]| {
        join_ja(&spoken_runs(
            v,
            |m| format!("{m:02}分"),
            |a, b| format!("{a:02}分〜{b:02}分"),
        ))
    };
    if *hours == Shape::All {
        let text = match minutes {
            Shape::All => "毎分".to_string(),
            Shape::Values(v) => format!("毎時{}", minute_runs(v)),
            Shape::Step { first, last, every } => {
                if !uniform(*first, *last, *every, m_kind) {
                    format!("毎時{first:02}分から{last:02}分まで{every}分ごと")
                } else if *first == 0 {
                    format!("{every}分ごと")
                } else {
                    format!("毎時{first:02}分から{every}分ごと")
                }
            }
        };
        return (text, TimeForm::AroundTheClock);
    }
    if let (Some(m), Shape::Step { first, last, every }) = (minutes.single(), hours)
        && uniform(*first, *last, *every, h_kind)
    {
        return (
            format!("{first:02}:{m:02}から{every}時間ごと"),
            TimeForm::AroundTheClock,
        );
    }
    let minute_text = match minutes {
        Shape::All => "毎分".to_string(),
        Shape::Values(v) => minute_runs(v),
        Shape::Step { first, last, every } => {
            if !uniform(*first, *last, *every, m_kind) {
                format!("{first:02}分から{last:02}分まで{every}分ごと")
            } else if *first == 0 {
                format!("{every}分ごと")
            } else {
                format!("{first:02}分から{every}分ごと")
            }
        }
    };
    let hour_text = match hours {
        Shape::All => "毎時".to_string(),
        Shape::Values(v) => join_ja(&spoken_runs(
            v,
            |h| format!("{h:02}時"),
            |a, b| format!("{a:02}時〜{b:02}時"),
        )),
        Shape::Step { first, last, every } => {
            if uniform(*first, *last, *every, h_kind) {
                format!("{first:02}時から{every}時間ごと")
            } else {
                format!("{first:02}時から{last:02}時まで{every}時間ごと")
            }
        }
    };
    (format!("{hour_text}の{minute_text}"), TimeForm::Split)
}

/// Which days fire, with the two day fields merged into one reading.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Days {
    Daily,
    /// Days of the week, 1 = Sunday.
    Weekly(Vec<u16>),
    /// Days of the month from the day-of-month field.
    OfMonth(Shape),
    LastDay,
    LastWeekday,
    NearestWeekday(u8),
    LastInMonth(u8),
    Nth(u8, u8),
    Never,
}

fn days_of(cron: &Cron) -> Days {
    match (&cron.day_of_month, &cron.day_of_week) {
        (DayOfMonth::Days(field), _) => match Shape::of(field, FieldKind::DayOfMonth) {
            Shape::All => Days::Daily,
            Shape::Values(v) if v.is_empty() => Days::Never,
            shape => Days::OfMonth(shape),
        },
        (DayOfMonth::Last, _) => Days::LastDay,
        (DayOfMonth::LastWeekday, _) => Days::LastWeekday,
        (DayOfMonth::NearestWeekday(d), _) => Days::NearestWeekday(*d),
        (DayOfMonth::NoSpecific, DayOfWeek::Days(field)) => {
            match Shape::of(field, FieldKind::DayOfWeek) {
                Shape::All => Days::Daily,
                shape => {
                    let v = shape.values(FieldKind::DayOfWeek);
                    if v.is_empty() {
                        Days::Never
                    } else {
                        Days::Weekly(v)
                    }
                }
            }
        }
        // `L` alone in day-of-week is the last day of the week, Saturday.
        (DayOfMonth::NoSpecific, DayOfWeek::Last) => Days::Weekly(vec![7]),
        (DayOfMonth::NoSpecific, DayOfWeek::LastInMonth(w)) => Days::LastInMonth(*w),
        (DayOfMonth::NoSpecific, DayOfWeek::Nth(w, k)) => Days::Nth(*w, *k),
        // The parser rejects two `?`; the evaluator then matches no day, and so do we.
        (DayOfMonth::NoSpecific, DayOfWeek::NoSpecific) => Days::Never,
    }
}

fn describe_cron(cron: &Cron, lang: Lang) -> String {
    let minutes = Shape::of(&cron.minutes, FieldKind::Minutes);
    let hours = Shape::of(&cron.hours, FieldKind::Hours);
    let months = Shape::of(&cron.month, FieldKind::Month);
    let years = Shape::of(&cron.year, FieldKind::Year);
    let days = days_of(cron);
    let empty = |s: &Shape| matches!(s, Shape::Values(v) if v.is_empty());
    if days == Days::Never || [&minutes, &hours, &months, &years].into_iter().any(empty) {
        return match lang {
            Lang::En => "never".to_string(),
            Lang::Ja => "実行なし".to_string(),
        };
    }
    let (time, form) = time_part(&minutes, &hours, lang);
    match lang {
        Lang::En => assemble_en(time, form, &days, &months, &years),
        Lang::Ja => assemble_ja(time, form, &days, &months, &years),
    }
}

/// The months as a scope, `(after a day: "in January", after "of": "January")`; a lone range
/// reads "from January to March" because "in January to March" is not English.
fn months_en(months: &Shape, year: Option<u16>) -> (String, String) {
    let v = months.values(FieldKind::Month);
    let year = year.map(|y| format!(" {y}")).unwrap_or_default();
    if let [(a, b)] = runs(&v).as_slice()
        && b - a >= 2
    {
        let span = format!(
            "from {} to {}{year}",
            month_name(*a, Lang::En),
            month_name(*b, Lang::En)
        );
        return (span.clone(), format!("every month {span}"));
    }
    let list = join_en(&spoken_runs(
        &v,
        |m| month_name(m, Lang::En),
        |a, b| format!("{} to {}", month_name(a, Lang::En), month_name(b, Lang::En)),
    ));
    (format!("in {list}{year}"), format!("{list}{year}"))
}

fn months_ja(months: &Shape) -> String {
    let v = months.values(FieldKind::Month);
    join_ja(&spoken_runs(
        &v,
        |m| month_name(m, Lang::Ja),
        |a, b| format!("{}〜{}", month_name(a, Lang::Ja), month_name(b, Lang::Ja)),
    ))
}

/// The years as a trailing clause, with its preposition.
fn years_en(years: &Shape) -> String {
    if let Shape::Step { first, last, every } = years {
        return format!("in every {} year from {first} to {last}", ordinal(*every));
    }
    let v = years.values(FieldKind::Year);
    if let [(a, b)] = runs(&v).as_slice()
        && b - a >= 2
    {
        return format!("from {a} to {b}");
    }
    let list = spoken_runs(&v, |y| y.to_string(), |a, b| format!("{a} to {b}"));
    format!("in {}", join_en(&list))
}

fn years_ja(years: &Shape) -> String {
    match years {
        Shape::Step { first, last, every } => format!("{first}年から{last}年まで{every}年ごと"),
        _ => {
            let v = years.values(FieldKind::Year);
            join_ja(&spoken_runs(
                &v,
                |y| format!("{y}年"),
                |a, b| format!("{a}年〜{b}年"),
            ))
        }
    }
}

fn assemble_en(time: String, form: TimeForm, days: &Days, months: &Shape, years: &Shape) -> String {
    let mut year_said = *years == Shape::All;
    // "in January 2027" rather than "in January in 2027".
    let (in_months, of_months) = if *months == Shape::All {
        (String::new(), "every month".to_string())
    } else {
        let year = years.single();
        year_said |= year.is_some();
        let (in_text, of_text) = months_en(months, year);
        (format!(" {in_text}"), of_text)
    };
    let day_text = match days {
        Days::Daily if form == TimeForm::AroundTheClock => None,
        Days::Daily => Some(format!("every day{in_months}")),
        Days::Weekly(v) => {
            let list = spoken_runs(
                v,
                |d| day_name(d, Lang::En),
                |a, b| format!("{} to {}", day_name(a, Lang::En), day_name(b, Lang::En)),
            );
            Some(format!("every {}{in_months}", join_en(&list)))
        }
        Days::OfMonth(shape) => {
            let text = match (shape, shape.single(), months.single()) {
                // A single date reads as a date: "on 1 January 2027".
                (_, Some(d), Some(_)) => format!("on {d} {of_months}"),
                (Shape::Values(v), ..) => {
                    let word = if v.len() == 1 { "day" } else { "days" };
                    let list = spoken_runs(v, |d| d.to_string(), |a, b| format!("{a} to {b}"));
                    format!("on {word} {} of {of_months}", join_en(&list))
                }
                (Shape::Step { first, last, every }, ..) => format!(
                    "on every {} day from day {first} to {last} of {of_months}",
                    ordinal(*every)
                ),
                (Shape::All, ..) => format!("every day{in_months}"),
            };
            Some(text)
        }
        Days::LastDay => Some(format!("on the last day of {of_months}")),
        Days::LastWeekday => Some(format!("on the last weekday of {of_months}")),
        Days::NearestWeekday(d) => Some(format!("on the weekday nearest day {d} of {of_months}")),
        Days::LastInMonth(w) => Some(format!(
            "on the last {} of {of_months}",
            day_name(u16::from(*w), Lang::En)
        )),
        Days::Nth(w, k) => Some(format!(
            "on the {} {} of {of_months}",
            nth_en(*k),
            day_name(u16::from(*w), Lang::En)
        )),
        Days::Never => None,
    };
    let mut out = time;
    match day_text {
        Some(d) => {
            out.push_str(if form == TimeForm::At { " " } else { ", " });
            out.push_str(&d);
        }
        // Only the around-the-clock, every-day case lands here; the months still apply.
        None => out.push_str(&in_months),
    }
    if !year_said {
        out.push(' ');
        out.push_str(&years_en(years));
    }
    out
}

fn assemble_ja(time: String, form: TimeForm, days: &Days, months: &Shape, years: &Shape) -> String {
    let restricted_months = *months != Shape::All;
    // A single year and a single month read as one date prefix: "2027年1月".
    let (year_prefix, month_prefix) = match (years.single(), months.single()) {
        (Some(y), Some(m)) => (String::new(), Some(format!("{y}年{m}月"))),
        _ => {
            let y = if *years == Shape::All {
                String::new()
            } else {
                format!("{}の", years_ja(years))
            };
            let m = restricted_months.then(|| months_ja(months));
            (y, m)
        }
    };
    // "毎月1日" for every month, "1月, 7月の1日" for some.
    let monthly = |desc: String| match &month_prefix {
        Some(m) => format!("{m}の{desc}"),
        None => format!("毎月{desc}"),
    };
    let within = |desc: &str| match &month_prefix {
        Some(m) => format!("{m}の{desc}"),
        None => desc.to_string(),
    };
    let day_text = match days {
        Days::Daily
            if form == TimeForm::AroundTheClock
                && month_prefix.is_none()
                && year_prefix.is_empty() =>
        {
            String::new()
        }
        Days::Daily => within("毎日"),
        Days::Weekly(v) => {
            let list = spoken_runs(
                v,
                |d| day_name(d, Lang::Ja),
                |a, b| format!("{}〜{}", day_name(a, Lang::Ja), day_name(b, Lang::Ja)),
            );
            within(&format!("毎週{}", join_ja(&list)))
        }
        Days::OfMonth(shape) => match (shape, shape.single(), &month_prefix, months.single()) {
            // A single date reads as a date: "1月1日", "2027年1月1日".
            (_, Some(d), Some(m), Some(_)) => format!("{m}{d}日"),
            (Shape::Values(v), ..) => monthly(join_ja(&spoken_runs(
                v,
                |d| format!("{d}日"),
                |a, b| format!("{a}日〜{b}日"),
            ))),
            (Shape::Step { first, last, every }, ..) => {
                monthly(format!("{first}日から{last}日まで{every}日ごと"))
            }
            (Shape::All, ..) => within("毎日"),
        },
        Days::LastDay => monthly("末日".to_string()),
        Days::LastWeekday => monthly("最終平日".to_string()),
        Days::NearestWeekday(d) => monthly(format!("{d}日に最も近い平日")),
        Days::LastInMonth(w) => monthly(format!("最終{}", day_name(u16::from(*w), Lang::Ja))),
        Days::Nth(w, k) => monthly(format!("第{k}{}", day_name(u16::from(*w), Lang::Ja))),
        Days::Never => String::new(),
    };
    let date = format!("{year_prefix}{day_text}");
    if date.is_empty() {
        time
    } else {
        format!("{date} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, describe};
    use crate::cron::{Cron, DayOfMonth, DayOfWeek, Expression, Field, Item, StepBase, parse};

    /// Asserts both descriptions of `text`.
    #[track_caller]
    fn check(text: &str, en: &str, ja: &str) {
        let expr = match parse(text) {
            Ok(e) => e,
            Err(err) => panic!("`{text}` does not parse: {err}"),
        };
        assert_eq!(describe(&expr, Lang::En), en, "English for `{text}`");
        assert_eq!(describe(&expr, Lang::Ja), ja, "Japanese for `{text}`");
    }

    #[test]
    fn single_time_every_day() {
        check("0 9 * * ? *", "at 09:00 every day", "毎日 09:00");
        check("cron(0 9 * * ? *)", "at 09:00 every day", "毎日 09:00");
    }

    #[test]
    fn day_of_week_value() {
        check("0 8 ? * MON *", "at 08:00 every Monday", "毎週月曜日 08:00");
        check("0 8 ? * * *", "at 08:00 every day", "毎日 08:00");
    }

    #[test]
    fn short_product_lists_the_times() {
        check(
            "0 8-10 ? * MON-FRI *",
            "at 08:00, 09:00 and 10:00 every Monday to Friday",
            "毎週月曜日〜金曜日 08:00, 09:00, 10:00",
        );
        check(
            "0,30 9-10 * * ? *",
            "at 09:00, 09:30, 10:00 and 10:30 every day",
            "毎日 09:00, 09:30, 10:00, 10:30",
        );
        check(
            "0,10,20 9,12 * * ? *",
            "at 09:00, 09:10, 09:20, 12:00, 12:10 and 12:20 every day",
            "毎日 09:00, 09:10, 09:20, 12:00, 12:10, 12:20",
        );
        // Steps that select few values are listed too.
        check(
            "*/30 9 * * ? *",
            "at 09:00 and 09:30 every day",
            "毎日 09:00, 09:30",
        );
        check(
            "0 9-17/2 * * ? *",
            "at 09:00, 11:00, 13:00, 15:00 and 17:00 every day",
            "毎日 09:00, 11:00, 13:00, 15:00, 17:00",
        );
    }

    #[test]
    fn minutes_around_the_clock() {
        check("* * * * ? *", "every minute", "毎分");
        check("*/5 * * * ? *", "every 5 minutes", "5分ごと");
        check("*/1 * * * ? *", "every minute", "毎分");
        check("0-59 * * * ? *", "every minute", "毎分");
        check("0 * * * ? *", "every hour at minute 00", "毎時00分");
        check(
            "15,45 * * * ? *",
            "every hour at minutes 15 and 45",
            "毎時15分, 45分",
        );
        check(
            "0-29 * * * ? *",
            "every hour at minutes 00 to 29",
            "毎時00分〜29分",
        );
        check(
            "5/1 * * * ? *",
            "every hour at minutes 05 to 59",
            "毎時05分〜59分",
        );
    }

    #[test]
    fn minute_steps() {
        // 5, 20, 35, 50, then 05 again: truly every 15 minutes.
        check(
            "5/15 * * * ? *",
            "every 15 minutes from minute 05",
            "毎時05分から15分ごと",
        );
        check(
            "3/10 * * * ? *",
            "every 10 minutes from minute 03",
            "毎時03分から10分ごと",
        );
        check(
            "10-40/10 * * * ? *",
            "every 10 minutes from minute 10 to 40 of every hour",
            "毎時10分から40分まで10分ごと",
        );
        // 56 → 00 is 4 minutes, so the range must be said.
        check(
            "*/7 * * * ? *",
            "every 7 minutes from minute 00 to 56 of every hour",
            "毎時00分から56分まで7分ごと",
        );
        // 0-50/10 is */10 however written.
        check("0-50/10 * * * ? *", "every 10 minutes", "10分ごと");
    }

    #[test]
    fn minutes_and_hours_apart() {
        check(
            "15,45 9-17 ? * MON-FRI *",
            "at minutes 15 and 45 past hours 09 to 17, every Monday to Friday",
            "毎週月曜日〜金曜日 09時〜17時の15分, 45分",
        );
        check(
            "* 9 * * ? *",
            "every minute past hour 09, every day",
            "毎日 09時の毎分",
        );
        check(
            "*/5 9-17 * * ? *",
            "every 5 minutes past hours 09 to 17, every day",
            "毎日 09時〜17時の5分ごと",
        );
        check(
            "0 9,12,18 ? * 7 *",
            "at 09:00, 12:00 and 18:00 every Saturday",
            "毎週土曜日 09:00, 12:00, 18:00",
        );
        check(
            "0,30 8,9,12,18 * * ? *",
            "at minutes 00 and 30 past hours 08, 09, 12 and 18, every day",
            "毎日 08時, 09時, 12時, 18時の00分, 30分",
        );
    }

    #[test]
    fn hour_steps() {
        check(
            "0 */2 * * ? *",
            "every 2 hours from 00:00",
            "00:00から2時間ごと",
        );
        check(
            "30 1/3 * * ? *",
            "every 3 hours from 01:30",
            "01:30から3時間ごと",
        );
        check(
            "0 */2 ? * MON *",
            "every 2 hours from 00:00, every Monday",
            "毎週月曜日 00:00から2時間ごと",
        );
        check(
            "15,45 */2 * * ? *",
            "at minutes 15 and 45 past every 2nd hour, every day",
            "毎日 00時から2時間ごとの15分, 45分",
        );
        check(
            "*/10 */5 * * ? *",
            "every 10 minutes past every 5th hour from hour 00 to 20, every day",
            "毎日 00時から20時まで5時間ごとの10分ごと",
        );
        // 2, 4, … 22 and then 02 the next day: not a steady interval.
        check(
            "0 2/2 * * ? *",
            "at minute 00 past every 2nd hour from hour 02 to 22, every day",
            "毎日 02時から22時まで2時間ごとの00分",
        );
        check(
            "0 */4 * * ? *",
            "at 00:00, 04:00, 08:00, 12:00, 16:00 and 20:00 every day",
            "毎日 00:00, 04:00, 08:00, 12:00, 16:00, 20:00",
        );
    }

    #[test]
    fn day_of_month_values_ranges_steps() {
        check(
            "0 3 1 * ? *",
            "at 03:00 on day 1 of every month",
            "毎月1日 03:00",
        );
        check(
            "0 9 1,15 * ? *",
            "at 09:00 on days 1 and 15 of every month",
            "毎月1日, 15日 09:00",
        );
        check(
            "0 9 1-7 * ? *",
            "at 09:00 on days 1 to 7 of every month",
            "毎月1日〜7日 09:00",
        );
        check(
            "0 9 */2 * ? *",
            "at 09:00 on every 2nd day from day 1 to 31 of every month",
            "毎月1日から31日まで2日ごと 09:00",
        );
        check("0 9 1-31 * ? *", "at 09:00 every day", "毎日 09:00");
    }

    #[test]
    fn last_day_of_month() {
        check(
            "30 23 L * ? *",
            "at 23:30 on the last day of every month",
            "毎月末日 23:30",
        );
    }

    #[test]
    fn last_weekday_of_month() {
        check(
            "0 9 LW * ? *",
            "at 09:00 on the last weekday of every month",
            "毎月最終平日 09:00",
        );
    }

    #[test]
    fn nearest_weekday() {
        check(
            "0 9 15W * ? *",
            "at 09:00 on the weekday nearest day 15 of every month",
            "毎月15日に最も近い平日 09:00",
        );
    }

    #[test]
    fn day_of_week_lists_and_ranges() {
        check(
            "0 9 ? * 2,4,6 *",
            "at 09:00 every Monday, Wednesday and Friday",
            "毎週月曜日, 水曜日, 金曜日 09:00",
        );
        check(
            "0 9 ? * 2-4,6 *",
            "at 09:00 every Monday to Wednesday and Friday",
            "毎週月曜日〜水曜日, 金曜日 09:00",
        );
        check(
            "0 9 ? * SUN,SAT *",
            "at 09:00 every Sunday and Saturday",
            "毎週日曜日, 土曜日 09:00",
        );
        check("0 9 ? * SUN-SAT *", "at 09:00 every day", "毎日 09:00");
    }

    #[test]
    fn last_in_day_of_week_is_saturday() {
        check("0 9 ? * L *", "at 09:00 every Saturday", "毎週土曜日 09:00");
    }

    #[test]
    fn last_weekday_of_kind_in_month() {
        check(
            "0 9 ? * 6L *",
            "at 09:00 on the last Friday of every month",
            "毎月最終金曜日 09:00",
        );
    }

    #[test]
    fn nth_weekday_of_month() {
        check(
            "0 9 ? * 2#1 *",
            "at 09:00 on the first Monday of every month",
            "毎月第1月曜日 09:00",
        );
        check(
            "0 9 ? * 4#2 *",
            "at 09:00 on the second Wednesday of every month",
            "毎月第2水曜日 09:00",
        );
        check(
            "0 9 ? * FRI#5 *",
            "at 09:00 on the fifth Friday of every month",
            "毎月第5金曜日 09:00",
        );
    }

    #[test]
    fn months() {
        check(
            "0 3 1 1,4,7,10 ? *",
            "at 03:00 on day 1 of January, April, July and October",
            "1月, 4月, 7月, 10月の1日 03:00",
        );
        check(
            "0 9 1 JAN-MAR ? *",
            "at 09:00 on day 1 of every month from January to March",
            "1月〜3月の1日 09:00",
        );
        check("0 3 1 1 ? *", "at 03:00 on 1 January", "1月1日 03:00");
        check(
            "0 9 * */3 ? *",
            "at 09:00 every day in January, April, July and October",
            "1月, 4月, 7月, 10月の毎日 09:00",
        );
        check(
            "*/5 * * 1 ? *",
            "every 5 minutes in January",
            "1月の毎日 5分ごと",
        );
        check(
            "0 9 ? 1,7 6L *",
            "at 09:00 on the last Friday of January and July",
            "1月, 7月の最終金曜日 09:00",
        );
        check(
            "0 9 15W 12 ? *",
            "at 09:00 on the weekday nearest day 15 of December",
            "12月の15日に最も近い平日 09:00",
        );
        check(
            "0 9 ? 4-6 2 *",
            "at 09:00 every Monday from April to June",
            "4月〜6月の毎週月曜日 09:00",
        );
    }

    #[test]
    fn years() {
        check(
            "0 3 1 1 ? 2027",
            "at 03:00 on 1 January 2027",
            "2027年1月1日 03:00",
        );
        check(
            "0 9 * * ? 2027",
            "at 09:00 every day in 2027",
            "2027年の毎日 09:00",
        );
        check(
            "0 9 1 * ? 2027",
            "at 09:00 on day 1 of every month in 2027",
            "2027年の毎月1日 09:00",
        );
        check(
            "0 0 * * ? 2027,2029",
            "at 00:00 every day in 2027 and 2029",
            "2027年, 2029年の毎日 00:00",
        );
        check(
            "0 9 L 2 ? 2028",
            "at 09:00 on the last day of February 2028",
            "2028年2月の末日 09:00",
        );
        check(
            "0 9 ? 1 MON 2027",
            "at 09:00 every Monday in January 2027",
            "2027年1月の毎週月曜日 09:00",
        );
        check(
            "0 9 * 1,4 ? 2027",
            "at 09:00 every day in January and April 2027",
            "2027年の1月, 4月の毎日 09:00",
        );
        check(
            "0 9 * * ? 2027-2030",
            "at 09:00 every day from 2027 to 2030",
            "2027年〜2030年の毎日 09:00",
        );
        check(
            "0 9 * * ? 2027/2",
            "at 09:00 every day in every 2nd year from 2027 to 2199",
            "2027年から2199年まで2年ごとの毎日 09:00",
        );
        check(
            "*/5 * * * ? 2027",
            "every 5 minutes in 2027",
            "2027年の毎日 5分ごと",
        );
    }

    #[test]
    fn rates() {
        check("rate(1 minute)", "every minute", "1分ごと");
        check("rate(5 minutes)", "every 5 minutes", "5分ごと");
        check("rate(1 hour)", "every hour", "1時間ごと");
        check("rate(2 hours)", "every 2 hours", "2時間ごと");
        check("rate(1 day)", "every day", "1日ごと");
        check("rate(3 days)", "every 3 days", "3日ごと");
    }

    fn cron(minutes: Field, day_of_month: DayOfMonth, day_of_week: DayOfWeek) -> Expression {
        Expression::Cron(Cron {
            minutes,
            hours: Field::List(vec![Item::Value(9)]),
            day_of_month,
            month: Field::All,
            day_of_week,
            year: Field::All,
        })
    }

    #[test]
    fn hand_built_impossible_schedules_read_as_never() {
        // The parser rejects both, but the description must not lie about them either.
        let both_unspecified = cron(
            Field::List(vec![Item::Value(0)]),
            DayOfMonth::NoSpecific,
            DayOfWeek::NoSpecific,
        );
        assert_eq!(describe(&both_unspecified, Lang::En), "never");
        assert_eq!(describe(&both_unspecified, Lang::Ja), "実行なし");
        let out_of_range = cron(
            Field::List(vec![Item::Value(99), Item::Range(50, 10)]),
            DayOfMonth::Days(Field::All),
            DayOfWeek::NoSpecific,
        );
        assert_eq!(describe(&out_of_range, Lang::En), "never");
    }

    #[test]
    fn hand_built_odd_values_do_not_panic() {
        let odd = [
            cron(
                Field::List(vec![Item::Step(StepBase::All, 0)]),
                DayOfMonth::NearestWeekday(0),
                DayOfWeek::NoSpecific,
            ),
            cron(
                Field::List(vec![Item::Step(StepBase::Range(u16::MAX - 1, u16::MAX), 3)]),
                DayOfMonth::NoSpecific,
                DayOfWeek::Nth(0, 0),
            ),
            cron(
                Field::All,
                DayOfMonth::NoSpecific,
                DayOfWeek::LastInMonth(u8::MAX),
            ),
            cron(
                Field::All,
                DayOfMonth::NoSpecific,
                DayOfWeek::Days(Field::List(vec![Item::Value(0), Item::Value(8)])),
            ),
        ];
        for expr in &odd {
            for lang in [Lang::En, Lang::Ja] {
                assert!(!describe(expr, lang).is_empty());
            }
        }
    }

    mod never_panics {
        use super::super::{Lang, describe};
        use crate::cron::parse;
        use proptest::prelude::*;

        fn item(max: u16) -> impl Strategy<Value = String> {
            prop_oneof![
                (0..=max).prop_map(|v| v.to_string()),
                (0..=max, 0..=max).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
                (1..=max).prop_map(|n| format!("*/{n}")),
                (0..=max, 1..=max).prop_map(|(a, n)| format!("{a}/{n}")),
                (0..=max, 0..=max, 1..=max).prop_map(|(a, b, n)| format!(
                    "{}-{}/{n}",
                    a.min(b),
                    a.max(b)
                )),
            ]
        }

        fn field(max: u16) -> impl Strategy<Value = String> {
            prop_oneof![
                Just("*".to_string()),
                prop::collection::vec(item(max), 1..4).prop_map(|v| v.join(",")),
            ]
        }

        proptest! {
            #[test]
            fn on_anything_the_parser_accepts(
                minutes in field(59),
                hours in field(23),
                dom in prop_oneof![
                    field(31),
                    Just("L".to_string()),
                    Just("LW".to_string()),
                    (1..=31u16).prop_map(|d| format!("{d}W")),
                ],
                month in field(12),
                dow in prop_oneof![
                    Just("*".to_string()),
                    Just("L".to_string()),
                    (1..=7u16).prop_map(|d| format!("{d}L")),
                    (1..=7u16, 1..=5u16).prop_map(|(d, k)| format!("{d}#{k}")),
                    prop::collection::vec(1..=7u16, 1..4).prop_map(|v| v
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(",")),
                ],
                year in prop_oneof![
                    Just("*".to_string()),
                    (1970..=2199u16).prop_map(|y| y.to_string()),
                    (1970..=2199u16, 1..=10u16).prop_map(|(y, n)| format!("{y}/{n}")),
                ],
                day_first in any::<bool>(),
            ) {
                let (dom, dow) = if day_first { (dom, "?".to_string()) } else { ("?".to_string(), dow) };
                let text = format!("{minutes} {hours} {dom} {month} {dow} {year}");
                if let Ok(expr) = parse(&text) {
                    for lang in [Lang::En, Lang::Ja] {
                        prop_assert!(!describe(&expr, lang).is_empty());
                    }
                }
            }
        }
    }
}
