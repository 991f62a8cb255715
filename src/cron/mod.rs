//! The one cron engine: the EventBridge dialect parsed into a typed form, validated with AWS's
//! rules, evaluated to fire times in any IANA zone, described in words, and printed back.
//!
//! # The dialect
//!
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)` or `rate(value unit)`, with or
//! without the `cron(...)` wrapper, as the EventBridge user guide ("Cron expressions
//! reference") defines them. Exactly one of day-of-month and day-of-week is `?`.
//!
//! Where the AWS documentation is silent, cronbridge takes the stricter reading, so that
//! anything it accepts EventBridge accepts too, and says what to write instead:
//!
//! - `L`, `LW` and `nW` stand alone in day-of-month; `L`, `nL` and `n#k` stand alone in
//!   day-of-week (AWS: "`3#1,6#3` is invalid").
//! - `LW` is the last weekday (Monday–Friday) of the month, as in Quartz, from which the
//!   dialect comes. `L-n` (Quartz's "n days before the last") is not documented by AWS and is
//!   rejected.
//! - `nW` is the weekday nearest day `n` and never leaves the month: `1W` on a Saturday is
//!   Monday the 3rd, `31W` on a Sunday is Friday the 29th. A day the month lacks (`31W` in
//!   April) fires nothing that month, like `31` does.
//! - `L` alone in day-of-week is the last day of the week, Saturday.
//! - `n#k` takes k in 1-5; a month without a fifth such weekday fires nothing.
//! - Ranges run low to high: wrap-around ranges such as `FRI-MON` or hours `22-2` are
//!   rejected with the equivalent pair of ranges (`FRI-SAT,SUN-MON`). `30-30` is fine.
//! - Steps: `*/n`, `a/n` (from a to the field's maximum) and `a-b/n`; n from 1 to the width of
//!   the field. Day-of-week has no `/` (AWS lists none for it).
//! - Names (`JAN`-`DEC`, `SUN`-`SAT`) are case-insensitive, three letters, and allowed in
//!   ranges. Canonical text prints day-of-week as names and every other field as numbers.
//! - `rate(1 minute)`, `rate(5 minutes)`: the unit's number must agree with the value.
//!
//! # Time
//!
//! An expression fires at every instant whose wall-clock time in the zone matches it. A local
//! time that a daylight-saving change skips never fires; one that occurs twice fires at both
//! instants. That is exactly what a set of UTC rules does for offset-independent expressions
//! such as `*/5 * * * ? *`, which is why it is the rule here. EventBridge Scheduler runs a
//! repeated local time once: [`scheduler`] evaluates an expression as that backend fires it.
//!
//! Rate expressions fire at whole multiples of their interval since 1970-01-01T00:00:00Z.
//! EventBridge anchors a rate at the moment the rule is created, which cronbridge cannot know:
//! only the interval is guaranteed, and the fixed reference keeps timetables reproducible.

mod ast;
pub mod civil;
mod eval;
mod parse;
pub mod rewrite;
pub mod scheduler;
pub mod to_local;
pub mod words;

pub use ast::{
    Cron, DayOfMonth, DayOfWeek, Expression, Field, FieldKind, Item, Rate, RateUnit, StepBase,
};
pub use eval::{Compiled, END_OF_RANGE, FireTimes};
pub use parse::{MAX_EXPRESSION_CHARS, ParseError, parse};

use jiff::Timestamp;
use jiff::tz::TimeZone;

impl Expression {
    /// The fire times strictly after `after`, with wall-clock fields read in `tz`.
    pub fn fire_times_after(&self, after: Timestamp, tz: &TimeZone) -> FireTimes {
        FireTimes::new(self, after, tz)
    }
}

impl std::str::FromStr for Expression {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}
