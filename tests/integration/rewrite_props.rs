//! The UTC rewrite against enumeration: for random valid expressions in each fixed-offset zone,
//! either the UTC rules fire at exactly the local instants (compared instant by instant here,
//! independently of the rewrite's own date-by-date proof) or the rewrite says why it cannot.

use crate::cron_props::{config, cron_expr};
use cronbridge::cron::rewrite::{RewriteError, to_utc};
use cronbridge::cron::{Expression, parse};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

const ZONES: [&str; 5] = [
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "UTC",
];

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// Windows compared instant by instant: year ends, a leap day, a far-future year end.
fn windows() -> Vec<(Timestamp, Timestamp)> {
    vec![
        (ts("2026-12-20T00:00:00Z"), ts("2027-01-10T00:00:00Z")),
        (ts("2028-02-20T00:00:00Z"), ts("2028-03-05T00:00:00Z")),
        (ts("2027-04-25T00:00:00Z"), ts("2027-05-05T00:00:00Z")),
        (ts("2099-12-20T00:00:00Z"), ts("2100-03-05T00:00:00Z")),
    ]
}

/// At most this many instants per window: enough for every daily or weekly pattern, and a
/// fortnight of a minutely one.
const MAX_INSTANTS: usize = 20_000;

fn instants(expr: &Expression, tz: &TimeZone, from: Timestamp, to: Timestamp) -> Vec<i64> {
    let end = to.as_second();
    let mut times = expr.fire_times_after(from, tz);
    let mut out = Vec::new();
    while let Some(t) = times.next_second() {
        if t >= end || out.len() == MAX_INSTANTS {
            break;
        }
        out.push(t);
    }
    out
}

/// Checks one rewrite; returns whether it produced rules.
fn check(local: &Expression, zone: &str) -> Result<bool, TestCaseError> {
    let tz = TimeZone::get(zone).unwrap();
    let now = ts("2026-11-29T00:00:00Z");
    let rules = match to_utc(local, &tz, now) {
        Ok(rules) => rules,
        Err(RewriteError::NotExpressible { reason, help }) => {
            prop_assert!(!reason.is_empty() && !help.is_empty());
            return Ok(false);
        }
        Err(e @ RewriteError::ProofFailed { .. }) => {
            return Err(TestCaseError::fail(format!("{local} in {zone}: {e}")));
        }
    };
    // Round trip: each rule parses from its AWS form and prints canonically.
    for rule in &rules {
        let again =
            parse(&rule.to_aws()).map_err(|e| TestCaseError::fail(format!("{rule}: {e}")))?;
        prop_assert_eq!(&again, rule);
        prop_assert_eq!(again.to_string(), rule.to_string());
        prop_assert!(rule.to_aws().len() <= 256);
    }
    for (from, to) in windows() {
        let want = instants(local, &tz, from, to);
        let mut got: Vec<i64> = rules
            .iter()
            .flat_map(|r| instants(r, &TimeZone::UTC, from, to))
            .collect();
        got.sort_unstable();
        let before = got.len();
        got.dedup();
        prop_assert_eq!(
            before,
            got.len(),
            "two rules fire at one instant: {} in {} -> {:?}",
            local,
            zone,
            rules
        );
        // A capped window compares the common prefix.
        let n = want.len().min(got.len());
        let n = if want.len() == MAX_INSTANTS || got.len() >= MAX_INSTANTS {
            n
        } else {
            want.len().max(got.len())
        };
        prop_assert_eq!(
            want.get(..n.min(want.len())),
            got.get(..n.min(got.len())),
            "{} in {} -> {:?}, window from {}",
            local,
            zone,
            rules,
            from
        );
    }
    Ok(true)
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn rewrite_is_exact_or_says_why((cron, _text) in cron_expr(false), zone in prop::sample::select(ZONES.to_vec())) {
        check(&Expression::Cron(cron), zone)?;
    }
}

/// Converted count for a sample in a zone (every failure must be a `NotExpressible`).
fn converted(samples: &[Expression], zone: &str) -> usize {
    samples.iter().filter(|e| check(e, zone).unwrap()).count()
}

/// Random expressions restrict months or years in most cases and pick hours on both sides of
/// UTC midnight, and a weekday restricted to some months cannot follow its hours to the
/// previous UTC day (the last day of the month before would need a weekday condition). So
/// up to half of them cannot be rules in Tokyo; UTC converts all.
#[test]
fn share_of_inexpressible_random_expressions_is_bounded() {
    let mut runner = TestRunner::deterministic();
    let strategy = cron_expr(false);
    let samples: Vec<Expression> = (0..150)
        .map(|_| Expression::Cron(strategy.new_tree(&mut runner).unwrap().current().0))
        .collect();
    for zone in ZONES {
        let n = converted(&samples, zone);
        let share = 100 * (samples.len() - n) / samples.len();
        eprintln!(
            "random: {zone}: {n} of {} converted, {share}% not expressible",
            samples.len()
        );
        if zone == "UTC" {
            assert_eq!(n, samples.len());
        } else {
            assert!(share <= 50, "{zone}: {share}% not expressible");
        }
    }
}

/// Schedules as teams write them (one time a day, every day, weekdays, a day of the month,
/// the last day, the n-th weekday): only the month-end and n-th-weekday forms at hours that
/// change the UTC day fail.
#[test]
fn realistic_schedules_almost_always_convert() {
    let days = [
        "* * ?",
        "* * ?",
        "* * ?",
        "? * MON-FRI",
        "? * MON",
        "? * SAT,SUN",
        "1 * ?",
        "15 * ?",
        "1,15 * ?",
        "25 * ?",
        "L * ?",
        "? * 2#1",
        "? * 6L",
        "15W * ?",
        "31 * ?",
        "29 * ?",
    ];
    let mut samples = Vec::new();
    for (i, day) in days.iter().enumerate() {
        for hour in 0..24 {
            let minute = (i * 7 + hour * 13) % 60;
            samples.push(parse(&format!("{minute} {hour} {day} *")).unwrap());
        }
    }
    for zone in ZONES {
        let n = converted(&samples, zone);
        let share = 100 * (samples.len() - n) / samples.len();
        eprintln!(
            "realistic: {zone}: {n} of {} converted, {share}% not expressible",
            samples.len()
        );
        // Five of the sixteen day forms are month-relative specials: L, 2#1, 6L, 15W (and
        // their hours that cross midnight are 9 of 24 in Tokyo): at most 5 * 9 / 384 ≈ 12%.
        assert!(share <= 13, "{zone}: {share}% not expressible");
    }
}

/// The refusal rate of realistic shapes per zone, printed for BENCHMARKS.md
/// (`cargo test --test integration refusal_rates -- --nocapture`).
#[test]
fn refusal_rates_of_realistic_shapes() {
    let shapes: &[(&str, &[&str])] = &[
        ("daily", &["* * ?"]),
        ("weekly", &["? * MON", "? * SUN"]),
        ("weekday range", &["? * MON-FRI"]),
        (
            "monthly, fixed day",
            &["1 * ?", "15 * ?", "28 * ?", "31 * ?"],
        ),
        ("last day (L)", &["L * ?"]),
    ];
    let zones = [
        "Asia/Tokyo",
        "Asia/Seoul",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/Sao_Paulo",
        "Europe/London",
    ];
    let now = ts("2026-11-29T00:00:00Z");
    for (season, months) in [
        ("all year", "*"),
        ("Apr-Sep", "4-9"),
        ("Nov-Feb", "1,2,11,12"),
    ] {
        for zone in zones {
            let tz = TimeZone::get(zone).unwrap();
            let mut line = format!("refusals {season:<8} {zone:<18}");
            let (mut refused_all, mut total_all) = (0, 0);
            for (name, days) in shapes {
                let (mut refused, mut total) = (0, 0);
                for day in *days {
                    let (dom, dow) = day.split_once(" * ").unwrap();
                    for hour in 0..24 {
                        for minute in [0, 30] {
                            let text = format!("{minute} {hour} {dom} {months} {dow} *");
                            let expr = parse(&text).unwrap();
                            total += 1;
                            match to_utc(&expr, &tz, now) {
                                Ok(_) => {}
                                Err(RewriteError::NotExpressible { .. }) => refused += 1,
                                Err(e) => panic!("{text} in {zone}: {e}"),
                            }
                        }
                    }
                }
                line.push_str(&format!(" | {name}: {refused}/{total}"));
                refused_all += refused;
                total_all += total;
            }
            eprintln!(
                "{line} | all: {refused_all}/{total_all} ({:.1}%)",
                100.0 * f64::from(refused_all) / f64::from(total_all)
            );
        }
    }
}
