//! The typed form of an EventBridge schedule expression, and its canonical text.
//!
//! Values are kept exactly as AWS numbers them (day-of-week 1 = Sunday … 7 = Saturday), so
//! printing a parsed expression gives back text EventBridge accepts.

use std::fmt;

/// A schedule expression: `cron(...)` or `rate(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expression {
    Cron(Cron),
    Rate(Rate),
}

/// `rate(value unit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    pub value: u32,
    pub unit: RateUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateUnit {
    Minute,
    Hour,
    Day,
}

impl RateUnit {
    /// Length of one unit in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            RateUnit::Minute => 60,
            RateUnit::Hour => 3_600,
            RateUnit::Day => 86_400,
        }
    }
}

impl Rate {
    /// The interval in seconds.
    pub fn period_seconds(self) -> i64 {
        i64::from(self.value) * self.unit.seconds()
    }
}

/// The six fields of an EventBridge cron expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cron {
    pub minutes: Field,
    pub hours: Field,
    pub day_of_month: DayOfMonth,
    pub month: Field,
    pub day_of_week: DayOfWeek,
    pub year: Field,
}

/// Which of the six fields; used by errors and descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    Minutes,
    Hours,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl FieldKind {
    pub const ALL: [FieldKind; 6] = [
        FieldKind::Minutes,
        FieldKind::Hours,
        FieldKind::DayOfMonth,
        FieldKind::Month,
        FieldKind::DayOfWeek,
        FieldKind::Year,
    ];

    /// The name used in messages and in the JSON contract (`"day-of-week"`).
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Minutes => "minutes",
            FieldKind::Hours => "hours",
            FieldKind::DayOfMonth => "day-of-month",
            FieldKind::Month => "month",
            FieldKind::DayOfWeek => "day-of-week",
            FieldKind::Year => "year",
        }
    }

    /// Smallest and largest value AWS accepts in this field.
    pub fn bounds(self) -> (u16, u16) {
        match self {
            FieldKind::Minutes => (0, 59),
            FieldKind::Hours => (0, 23),
            FieldKind::DayOfMonth => (1, 31),
            FieldKind::Month => (1, 12),
            FieldKind::DayOfWeek => (1, 7),
            FieldKind::Year => (1970, 2199),
        }
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field made of `*` or a comma-separated list of items.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `*`
    All,
    /// `a,b-c,d/e` — never empty.
    List(Vec<Item>),
}

/// One element of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// `5`
    Value(u16),
    /// `1-5`, low ≤ high
    Range(u16, u16),
    /// `*/5`, `3/5`, `3-40/5`
    Step(StepBase, u16),
}

/// What a step counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepBase {
    /// `*/n`: from the field's minimum to its maximum.
    All,
    /// `a/n`: from `a` to the field's maximum.
    From(u16),
    /// `a-b/n`
    Range(u16, u16),
}

/// The day-of-month field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayOfMonth {
    /// `?`: the day is given by day-of-week.
    NoSpecific,
    /// `*` or a list of days.
    Days(Field),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday–Friday) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest day `n`, never leaving the month.
    NearestWeekday(u8),
}

/// The day-of-week field; days are numbered 1 = Sunday … 7 = Saturday.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayOfWeek {
    /// `?`: the day is given by day-of-month.
    NoSpecific,
    /// `*` or a list of days (no steps: AWS does not allow `/` here).
    Days(Field),
    /// `L`: the last day of the week, Saturday.
    Last,
    /// `nL`: the last such weekday of the month (`6L` = last Friday).
    LastInMonth(u8),
    /// `n#k`: the k-th such weekday of the month (`2#1` = first Monday).
    Nth(u8, u8),
}

pub(crate) const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// How values of one field print: day-of-week as names, everything else as numbers.
fn write_value(f: &mut fmt::Formatter<'_>, kind: FieldKind, v: u16) -> fmt::Result {
    match kind {
        FieldKind::DayOfWeek => match DAY_NAMES.get(usize::from(v).wrapping_sub(1)) {
            Some(name) => f.write_str(name),
            None => write!(f, "{v}"),
        },
        _ => write!(f, "{v}"),
    }
}

pub(crate) struct FieldDisplay<'a>(pub FieldKind, pub &'a Field);

impl fmt::Display for FieldDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FieldDisplay(kind, field) = *self;
        let items = match field {
            Field::All => return f.write_str("*"),
            Field::List(items) => items,
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match *item {
                Item::Value(v) => write_value(f, kind, v)?,
                Item::Range(a, b) => {
                    write_value(f, kind, a)?;
                    f.write_str("-")?;
                    write_value(f, kind, b)?;
                }
                Item::Step(base, every) => {
                    match base {
                        StepBase::All => f.write_str("*")?,
                        StepBase::From(a) => write_value(f, kind, a)?,
                        StepBase::Range(a, b) => {
                            write_value(f, kind, a)?;
                            f.write_str("-")?;
                            write_value(f, kind, b)?;
                        }
                    }
                    write!(f, "/{every}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for DayOfMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayOfMonth::NoSpecific => f.write_str("?"),
            DayOfMonth::Days(field) => FieldDisplay(FieldKind::DayOfMonth, field).fmt(f),
            DayOfMonth::Last => f.write_str("L"),
            DayOfMonth::LastWeekday => f.write_str("LW"),
            DayOfMonth::NearestWeekday(d) => write!(f, "{d}W"),
        }
    }
}

impl fmt::Display for DayOfWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayOfWeek::NoSpecific => f.write_str("?"),
            DayOfWeek::Days(field) => FieldDisplay(FieldKind::DayOfWeek, field).fmt(f),
            DayOfWeek::Last => f.write_str("L"),
            // Numbers, not names: AWS documents `nL` and `n#k` with numbers only.
            DayOfWeek::LastInMonth(d) => write!(f, "{d}L"),
            DayOfWeek::Nth(d, k) => write!(f, "{d}#{k}"),
        }
    }
}

/// The six fields separated by single spaces, without the `cron(...)` wrapper.
impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            FieldDisplay(FieldKind::Minutes, &self.minutes),
            FieldDisplay(FieldKind::Hours, &self.hours),
            self.day_of_month,
            FieldDisplay(FieldKind::Month, &self.month),
            self.day_of_week,
            FieldDisplay(FieldKind::Year, &self.year),
        )
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            RateUnit::Minute => "minute",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        };
        let plural = if self.value == 1 { "" } else { "s" };
        write!(f, "rate({} {unit}{plural})", self.value)
    }
}

/// Canonical text: a cron expression's six fields (no wrapper), or `rate(...)`.
impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expression::Cron(c) => c.fmt(f),
            Expression::Rate(r) => r.fmt(f),
        }
    }
}

impl Expression {
    /// The text EventBridge's `ScheduleExpression` takes: `cron(...)` or `rate(...)`.
    pub fn to_aws(&self) -> String {
        match self {
            Expression::Cron(c) => format!("cron({c})"),
            Expression::Rate(r) => r.to_string(),
        }
    }
}
