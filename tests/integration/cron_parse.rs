//! The parser against the EventBridge dialect: every wildcard in every field and every AWS
//! restriction, each with its exact outcome.
//!
//! Valid input is checked by its canonical text (and that the canonical text parses back to the
//! same expression); invalid input by the field at fault, the exact character span, and key
//! words of the message and the help. Every whole expression a help text suggests must itself
//! parse: a suggestion the parser would reject is a bug.

use cronbridge::cron::{Expression, FieldKind, MAX_EXPRESSION_CHARS, ParseError, parse};

use FieldKind::{DayOfMonth as Dom, DayOfWeek as Dow, Hours, Minutes, Month, Year};

/// Asserts that `input` parses and prints as `canonical`, and that `canonical` is a fixed point.
#[track_caller]
fn ok(input: &str, canonical: &str) -> Expression {
    let expr = match parse(input) {
        Ok(e) => e,
        Err(e) => panic!("{input:?} should parse, got {e:?}"),
    };
    assert_eq!(expr.to_string(), canonical, "canonical text of {input:?}");
    match parse(canonical) {
        Ok(again) => {
            assert_eq!(
                again, expr,
                "canonical text {canonical:?} parses to the same expression"
            );
            assert_eq!(
                again.to_string(),
                canonical,
                "canonical text is a fixed point"
            );
        }
        Err(e) => panic!("canonical text {canonical:?} of {input:?} does not parse: {e:?}"),
    }
    expr
}

/// The characters of `input` in `span`, for failure messages.
fn spanned(input: &str, (start, end): (usize, usize)) -> String {
    input
        .chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// The whole expressions a help text suggests: back-quoted pieces that are `cron(...)`,
/// `rate(...)` or six fields starting like a minutes field.
fn suggestions(help: &str) -> Vec<&str> {
    help.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.starts_with("cron(")
                || s.starts_with("rate(")
                || (s.split_whitespace().count() == 6
                    && s.starts_with(|c: char| c.is_ascii_digit() || c == '*'))
        })
        .collect()
}

/// Asserts that `input` is rejected with exactly `field` and `span`, a message containing every
/// word of `message`, and a help containing every word of `help` (when `help` is empty the help
/// is not checked). Key words are compared case-insensitively.
#[track_caller]
fn err(
    input: &str,
    field: Option<FieldKind>,
    span: (usize, usize),
    message: &[&str],
    help: &[&str],
) -> ParseError {
    let e = match parse(input) {
        Ok(expr) => panic!("{input:?} should be rejected, parsed as `{expr}`"),
        Err(e) => e,
    };
    let context = format!(
        "{input:?}: got {e:?} (span covers {:?})",
        spanned(input, e.span)
    );
    assert_eq!(e.field, field, "field of {context}");
    assert_eq!(
        e.span,
        span,
        "span of {context}; expected it to cover {:?}",
        spanned(input, span)
    );
    assert!(e.span.0 <= e.span.1, "span runs backwards: {context}");
    assert!(
        e.span.1 <= input.chars().count(),
        "span past the end: {context}"
    );
    let lower = e.message.to_lowercase();
    for word in message {
        assert!(
            lower.contains(&word.to_lowercase()),
            "message should mention {word:?}: {context}"
        );
    }
    if !help.is_empty() {
        let h = e.help.as_deref().unwrap_or_default().to_lowercase();
        for word in help {
            assert!(
                h.contains(&word.to_lowercase()),
                "help should mention {word:?}: {context}"
            );
        }
    }
    if let Some(h) = &e.help {
        for s in suggestions(h) {
            assert!(
                parse(s).is_ok(),
                "help suggests {s:?}, which does not parse ({:?}): {context}",
                parse(s).err()
            );
        }
    }
    let shown = e.to_string();
    assert!(shown.contains(&e.message), "Display shows the message");
    if let Some(f) = field {
        assert!(shown.starts_with(f.name()), "Display names the field");
    }
    e
}

// ---------------------------------------------------------------------------------------------
// Valid input: canonical text.
// ---------------------------------------------------------------------------------------------

#[test]
fn wrapper_and_canonical_text() {
    let e = ok("cron(0 9 * * ? *)", "0 9 * * ? *");
    assert_eq!(e.to_aws(), "cron(0 9 * * ? *)");
    ok("0 9 * * ? *", "0 9 * * ? *");
    ok("0 8 ? * mon-fri *", "0 8 ? * MON-FRI *");
    ok("0 0 1 jan ? *", "0 0 1 1 ? *");
    ok("CRON(0 9 * * ? *)", "0 9 * * ? *");
    ok("  cron( 0  9 * *   ? * )  ", "0 9 * * ? *");
    ok("0\t9\t*\t*\t?\t*", "0 9 * * ? *");
    ok("0 9 * * ? * ", "0 9 * * ? *");
    ok("01 09 * * ? *", "1 9 * * ? *");
}

#[test]
fn rates() {
    let e = ok("rate(5 minutes)", "rate(5 minutes)");
    assert_eq!(e.to_aws(), "rate(5 minutes)");
    ok("rate(1 minute)", "rate(1 minute)");
    ok("rate(1 hour)", "rate(1 hour)");
    ok("rate(12 hours)", "rate(12 hours)");
    ok("rate(1 day)", "rate(1 day)");
    ok("rate(2 days)", "rate(2 days)");
    ok("RATE(1 HOUR)", "rate(1 hour)");
    ok("rate(5 Minutes)", "rate(5 minutes)");
    ok(" rate( 5   minutes ) ", "rate(5 minutes)");
}

#[test]
fn wildcards_in_minutes() {
    ok("0 * * * ? *", "0 * * * ? *");
    ok("* * * * ? *", "* * * * ? *");
    ok("0,30 * * * ? *", "0,30 * * * ? *");
    ok("10-20 * * * ? *", "10-20 * * * ? *");
    ok("*/15 * * * ? *", "*/15 * * * ? *");
    ok("5/15 * * * ? *", "5/15 * * * ? *");
    ok("5-50/5 * * * ? *", "5-50/5 * * * ? *");
    ok("0,10-20,40/5 * * * ? *", "0,10-20,40/5 * * * ? *");
    ok("*/60 * * * ? *", "*/60 * * * ? *");
    ok("59 * * * ? *", "59 * * * ? *");
}

#[test]
fn wildcards_in_hours() {
    ok("0 9,17 * * ? *", "0 9,17 * * ? *");
    ok("0 9-17 * * ? *", "0 9-17 * * ? *");
    ok("0 * * * ? *", "0 * * * ? *");
    ok("0 */2 * * ? *", "0 */2 * * ? *");
    ok("0 8-18/2 * * ? *", "0 8-18/2 * * ? *");
    ok("0 */24 * * ? *", "0 */24 * * ? *");
    ok("0 0,23 * * ? *", "0 0,23 * * ? *");
}

#[test]
fn wildcards_in_day_of_month() {
    ok("0 9 1,15 * ? *", "0 9 1,15 * ? *");
    ok("0 9 1-7 * ? *", "0 9 1-7 * ? *");
    ok("0 9 30-30 * ? *", "0 9 30-30 * ? *");
    ok("0 9 * * ? *", "0 9 * * ? *");
    ok("0 9 ? * MON *", "0 9 ? * MON *");
    ok("0 9 */5 * ? *", "0 9 */5 * ? *");
    ok("0 9 1/10 * ? *", "0 9 1/10 * ? *");
    ok("0 9 1/31 * ? *", "0 9 1/31 * ? *");
    ok("0 9 L * ? *", "0 9 L * ? *");
    ok("0 9 l * ? *", "0 9 L * ? *");
    ok("0 9 LW * ? *", "0 9 LW * ? *");
    ok("0 9 lw * ? *", "0 9 LW * ? *");
    ok("0 9 15W * ? *", "0 9 15W * ? *");
    ok("0 9 1w * ? *", "0 9 1W * ? *");
    ok("0 9 31W * ? *", "0 9 31W * ? *");
}

#[test]
fn wildcards_in_month() {
    ok("0 9 1 1,7 ? *", "0 9 1 1,7 ? *");
    ok("0 9 1 jan,jun ? *", "0 9 1 1,6 ? *");
    ok("0 9 1 JAN-MAR ? *", "0 9 1 1-3 ? *");
    ok("0 9 1 jun-aug ? *", "0 9 1 6-8 ? *");
    ok("0 9 1 * ? *", "0 9 1 * ? *");
    ok("0 9 1 */3 ? *", "0 9 1 */3 ? *");
    ok("0 9 1 FEB/3 ? *", "0 9 1 2/3 ? *");
    ok("0 9 1 1-12/2 ? *", "0 9 1 1-12/2 ? *");
    ok("0 9 1 1/12 ? *", "0 9 1 1/12 ? *");
}

#[test]
fn wildcards_in_day_of_week() {
    ok("0 9 ? * MON,FRI *", "0 9 ? * MON,FRI *");
    ok("0 9 ? * 2,6 *", "0 9 ? * MON,FRI *");
    ok("0 9 ? * 2-6 *", "0 9 ? * MON-FRI *");
    ok("0 9 ? * 1-7 *", "0 9 ? * SUN-SAT *");
    ok("0 9 ? * sat,sun *", "0 9 ? * SAT,SUN *");
    ok("0 9 ? * 7 *", "0 9 ? * SAT *");
    ok("0 9 ? * * *", "0 9 ? * * *");
    ok("0 9 1 * ? *", "0 9 1 * ? *");
    ok("0 9 ? * L *", "0 9 ? * L *");
    ok("0 9 ? * 6L *", "0 9 ? * 6L *");
    ok("0 9 ? * 6l *", "0 9 ? * 6L *");
    ok("0 9 ? * 1L *", "0 9 ? * 1L *");
    ok("0 9 ? * 2#1 *", "0 9 ? * 2#1 *");
    ok("0 9 ? * MON#1 *", "0 9 ? * 2#1 *");
    ok("0 9 ? * 6#5 *", "0 9 ? * 6#5 *");
}

#[test]
fn wildcards_in_year() {
    ok("0 9 * * ? 2025", "0 9 * * ? 2025");
    ok("0 9 * * ? 1970", "0 9 * * ? 1970");
    ok("0 9 * * ? 2199", "0 9 * * ? 2199");
    ok("0 9 * * ? 2025,2027", "0 9 * * ? 2025,2027");
    ok("0 9 * * ? 2025-2030", "0 9 * * ? 2025-2030");
    ok("0 9 * * ? 2025/2", "0 9 * * ? 2025/2");
    ok("0 9 * * ? 2025-2035/5", "0 9 * * ? 2025-2035/5");
    ok("0 9 * * ? */10", "0 9 * * ? */10");
    ok("0 9 * * ? 2025/230", "0 9 * * ? 2025/230");
}

/// Every month name, in any case. `JUL` contains an `L`; it must still read as a name.
#[test]
fn every_month_name_is_accepted() {
    let months = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    for (i, name) in months.iter().enumerate() {
        let n = i + 1;
        ok(&format!("0 9 1 {name} ? *"), &format!("0 9 1 {n} ? *"));
        ok(
            &format!("0 9 1 {} ? *", name.to_lowercase()),
            &format!("0 9 1 {n} ? *"),
        );
        ok(&format!("0 9 1 {name}/2 ? *"), &format!("0 9 1 {n}/2 ? *"));
        ok(
            &format!("0 9 1 JAN-{name} ? *"),
            &format!("0 9 1 1-{n} ? *"),
        );
    }
    ok("0 9 1 jun,jul ? *", "0 9 1 6,7 ? *");
}

/// Every day name, in any case. `WED` contains a `W`; it must still read as a name.
#[test]
fn every_day_name_is_accepted() {
    let days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    for (i, name) in days.iter().enumerate() {
        let n = i + 1;
        ok(&format!("0 9 ? * {name} *"), &format!("0 9 ? * {name} *"));
        ok(
            &format!("0 9 ? * {} *", name.to_lowercase()),
            &format!("0 9 ? * {name} *"),
        );
        ok(&format!("0 9 ? * {n} *"), &format!("0 9 ? * {name} *"));
        ok(
            &format!("0 9 ? * SUN-{name} *"),
            &format!("0 9 ? * SUN-{name} *"),
        );
        ok(&format!("0 9 ? * {name}#2 *"), &format!("0 9 ? * {n}#2 *"));
    }
    ok("0 9 ? * MON,WED,FRI *", "0 9 ? * MON,WED,FRI *");
    ok("0 9 ? * wed-fri *", "0 9 ? * WED-FRI *");
}

// ---------------------------------------------------------------------------------------------
// Shape of the expression: fields, wrapper, characters, length.
// ---------------------------------------------------------------------------------------------

#[test]
fn both_day_fields_set() {
    err(
        "0 9 * * * *",
        Some(Dow),
        (4, 9),
        &["both set", "`?`"],
        &["`0 9 * * ? *`"],
    );
    err(
        "0 9 * * MON *",
        Some(Dow),
        (4, 11),
        &["both set"],
        &["`0 9 ? * MON *`"],
    );
    err(
        "0 9 1 * MON *",
        Some(Dow),
        (4, 11),
        &["both set"],
        &["cannot combine", "`?`"],
    );
}

#[test]
fn both_day_fields_no_specific() {
    err(
        "0 9 ? * ? *",
        Some(Dow),
        (8, 9),
        &["both `?`", "exactly one"],
        &["`0 9 * * ? *`"],
    );
}

#[test]
fn five_fields_without_year() {
    err(
        "0 9 * * ? ",
        None,
        (0, 9),
        &["5 fields", "6", "year"],
        &["append ` *`", "`0 9 * * ? *`"],
    );
    err(
        "0 9 ? * MON-FRI",
        None,
        (0, 15),
        &["5 fields", "year"],
        &["`0 9 ? * MON-FRI *`"],
    );
}

#[test]
fn unix_crontab_lines() {
    err(
        "0 9 * * 1",
        None,
        (0, 9),
        &[
            "5 fields",
            "unix crontab",
            "6 fields",
            "`?`",
            "1-7 from sunday",
        ],
        &["`0 9 ? * MON *`"],
    );
    err(
        "0 9 * * 1-5",
        None,
        (0, 11),
        &["unix"],
        &["`0 9 ? * MON-FRI *`"],
    );
    err("0 9 * * 0", None, (0, 9), &["unix"], &["`0 9 ? * SUN *`"]);
    err(
        "0 9 * * 0,6",
        None,
        (0, 11),
        &["unix"],
        &["`0 9 ? * SUN,SAT *`"],
    );
    err("30 2 1 * *", None, (0, 10), &["unix"], &["`30 2 1 * ? *`"]);
    err(
        "*/15 * * * *",
        None,
        (0, 12),
        &["unix"],
        &["`*/15 * * * ? *`"],
    );
    // No faithful translation: both day fields set, or a step in day-of-week.
    err(
        "0 9 1 * 1",
        None,
        (0, 9),
        &["unix"],
        &["minutes hours day-of-month month day-of-week year"],
    );
    err("0 9 * * */2", None, (0, 11), &["unix"], &["`0 9 * * ? *`"]);
    // Spans are offsets into the text as given, leading blanks included.
    err(
        "  0 9 * * 1",
        None,
        (2, 11),
        &["unix"],
        &["`0 9 ? * MON *`"],
    );
}

/// Unix 3 is Wednesday; the translation `0 9 ? * WED *` must be offered (and parse).
#[test]
fn unix_wednesday_is_translated() {
    err("0 9 * * 3", None, (0, 9), &["unix"], &["`0 9 ? * WED *`"]);
}

#[test]
fn seven_fields_seconds() {
    err(
        "0 0 9 * * ? *",
        None,
        (0, 13),
        &["7 fields", "no seconds field", "exactly 6"],
        &["drop the leading seconds field", "`0 9 * * ? *`"],
    );
    err(
        "cron(0 0 9 ? * MON *)",
        None,
        (5, 20),
        &["7 fields", "seconds"],
        &["`0 9 ? * MON *`"],
    );
}

/// Seven fields that are not seconds + six: dropping the first field gives `9 * * ? * *`, which
/// is not a valid expression, so it must not be suggested (`err` checks every suggestion).
#[test]
fn seven_fields_suggestion_must_parse() {
    err(
        "0 9 * * ? * *",
        None,
        (0, 13),
        &["7 fields", "exactly 6"],
        &[],
    );
}

#[test]
fn other_field_counts() {
    err(
        "0 9 * * ? * * *",
        None,
        (0, 15),
        &["8 fields", "exactly 6"],
        &["`0 9 * * ? *`"],
    );
    err(
        "0 9",
        None,
        (0, 3),
        &["2 fields", "exactly 6"],
        &["`0 9 * * ? *`"],
    );
    err("0", None, (0, 1), &["1 field:", "exactly 6"], &[]);
}

#[test]
fn wrapper_errors() {
    err(
        "cron(0 9 * * ? *",
        None,
        (16, 16),
        &["missing", "`)`"],
        &["`cron(0 9 * * ? *)`"],
    );
    err(
        " cron(0 9 * * ? *",
        None,
        (17, 17),
        &["missing", "`)`"],
        &["`cron(0 9 * * ? *)`"],
    );
    err(
        "rate(5 minutes",
        None,
        (14, 14),
        &["missing", "`)`"],
        &["`rate(5 minutes)`"],
    );
    err(
        "cron 0 9 * * ? *",
        None,
        (0, 4),
        &["expected `(`"],
        &["`cron(0 9 * * ? *)`"],
    );
    err("rate 5 minutes", None, (0, 4), &["expected `(`"], &[]);
    err("cron()", None, (5, 5), &["empty"], &["`0 9 * * ? *`"]);
    err("cron(   )", None, (5, 8), &["empty"], &["`0 9 * * ? *`"]);
}

#[test]
fn empty_and_blank() {
    err(
        "",
        None,
        (0, 0),
        &["empty"],
        &["six fields", "`0 9 * * ? *`"],
    );
    err(" ", None, (0, 1), &["empty"], &["`0 9 * * ? *`"]);
    err("   ", None, (0, 3), &["empty"], &["`0 9 * * ? *`"]);
    err("\t \t", None, (0, 3), &["empty"], &["`0 9 * * ? *`"]);
}

#[test]
fn non_ascii() {
    err(
        "０ 9 * * ? *",
        None,
        (0, 1),
        &["unexpected character", "U+FF10"],
        &["ASCII 0-9", "full-width"],
    );
    // Spans count characters, not bytes: `２` is three bytes in UTF-8.
    err(
        "0 9 * * ? ２０２５",
        None,
        (10, 11),
        &["U+FF12"],
        &["full-width"],
    );
    err(
        "0\u{3000}9 * * ? *",
        None,
        (1, 2),
        &["unexpected character", "U+3000"],
        &["ASCII spaces"],
    );
    err("cron(0 9 * * ？ *)", None, (13, 14), &["U+FF1F"], &[]);
    err("0 9 * * ? *\n", None, (11, 12), &["U+000A"], &[]);
}

#[test]
fn over_long() {
    let longest = format!("0 9 * * ? *{}", " ".repeat(MAX_EXPRESSION_CHARS - 11));
    assert_eq!(longest.chars().count(), 256);
    ok(&longest, "0 9 * * ? *");
    let too_long = format!("{longest} ");
    err(
        &too_long,
        None,
        (0, 257),
        &["257 characters", "at most 256"],
        &[],
    );
    // Characters, not bytes.
    let wide = "０".repeat(300);
    err(&wide, None, (0, 300), &["300 characters", "256"], &[]);
    let list =
        |r: std::ops::RangeInclusive<u32>| r.map(|v| v.to_string()).collect::<Vec<_>>().join(",");
    let long_list = format!(
        "cron({} {} {} * ? *)",
        list(0..=59),
        list(0..=23),
        list(1..=31)
    );
    assert!(long_list.chars().count() > 256);
    err(
        &long_list,
        None,
        (0, long_list.chars().count()),
        &["at most 256"],
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Day-of-week and day-of-month specials.
// ---------------------------------------------------------------------------------------------

#[test]
fn nth_and_last_weekday_stand_alone() {
    err(
        "0 9 ? * 3#1,6#3 *",
        Some(Dow),
        (8, 11),
        &["stand alone", "`3#1,6#3`"],
        &["split"],
    );
    err(
        "0 9 ? * 2#1,2#3 *",
        Some(Dow),
        (8, 11),
        &["stand alone"],
        &["split"],
    );
    err(
        "0 9 ? * 2,6L *",
        Some(Dow),
        (10, 12),
        &["stand alone"],
        &["split"],
    );
    err(
        "0 9 ? * L,2 *",
        Some(Dow),
        (8, 9),
        &["stand alone"],
        &["split"],
    );
}

#[test]
fn nth_bounds() {
    err(
        "0 9 ? * 3#6 *",
        Some(Dow),
        (10, 11),
        &["`#6`", "at most five", "1-5"],
        &["`2#1`", "`6L`"],
    );
    err(
        "0 9 ? * 3#0 *",
        Some(Dow),
        (10, 11),
        &["`#0`", "1-5"],
        &["`6L`"],
    );
    err("0 9 ? * 2# *", Some(Dow), (10, 10), &["1-5"], &[]);
    err(
        "0 9 ? * 0#1 *",
        Some(Dow),
        (8, 9),
        &["0 is out of range", "1-7"],
        &["1 (SUN)", "Unix"],
    );
    err(
        "0 9 ? * 8#1 *",
        Some(Dow),
        (8, 9),
        &["8 is out of range", "1-7"],
        &[],
    );
}

#[test]
fn last_weekday_of_month_bounds() {
    err(
        "0 9 ? * 8L *",
        Some(Dow),
        (8, 9),
        &["8 is out of range", "1-7"],
        &[],
    );
    err(
        "0 9 ? * 0L *",
        Some(Dow),
        (8, 9),
        &["0 is out of range"],
        &["1 (SUN)"],
    );
}

#[test]
fn day_of_week_zero() {
    err(
        "0 9 ? * 0 *",
        Some(Dow),
        (8, 9),
        &["0 is out of range", "1-7"],
        &["1 (SUN) to 7 (SAT)", "Unix's 0"],
    );
    err(
        "0 9 ? * 0-5 *",
        Some(Dow),
        (8, 9),
        &["0 is out of range"],
        &["SUN"],
    );
}

#[test]
fn no_step_in_day_of_week() {
    for (input, span) in [
        ("0 9 ? * */2 *", (8, 11)),
        ("0 9 ? * 1/2 *", (8, 11)),
        ("0 9 ? * MON/2 *", (8, 13)),
        ("0 9 ? * MON-FRI/2 *", (8, 17)),
        ("0 9 ? * */ *", (8, 10)),
    ] {
        err(
            input,
            Some(Dow),
            span,
            &["does not allow `/` in day-of-week"],
            &["list the days", "MON,WED,FRI"],
        );
    }
}

#[test]
fn last_minus_n_is_rejected() {
    err(
        "0 9 L-2 * ? *",
        Some(Dom),
        (4, 7),
        &["`L-2`", "not part of the EventBridge"],
        &["`L`", "`28`"],
    );
    err("0 9 l-10 * ? *", Some(Dom), (4, 8), &["`L-10`"], &["`L`"]);
}

#[test]
fn w_needs_a_day() {
    err(
        "0 9 W * ? *",
        Some(Dom),
        (4, 5),
        &["`W` needs a day"],
        &["`15W`", "`LW`"],
    );
    err(
        "0 9 0W * ? *",
        Some(Dom),
        (4, 5),
        &["0 is out of range", "1-31"],
        &[],
    );
    err(
        "0 9 32W * ? *",
        Some(Dom),
        (4, 6),
        &["32 is out of range", "1-31"],
        &[],
    );
}

#[test]
fn day_of_month_specials_stand_alone() {
    err(
        "0 9 L,5 * ? *",
        Some(Dom),
        (4, 5),
        &["stand alone", "cannot be combined"],
        &["split"],
    );
    err(
        "0 9 1,L * ? *",
        Some(Dom),
        (6, 7),
        &["stand alone"],
        &["split"],
    );
    err(
        "0 9 5W,6 * ? *",
        Some(Dom),
        (4, 6),
        &["stand alone"],
        &["split"],
    );
    err(
        "0 9 LW,1 * ? *",
        Some(Dom),
        (4, 6),
        &["stand alone"],
        &["split"],
    );
}

// ---------------------------------------------------------------------------------------------
// Special characters where a field does not take them.
// ---------------------------------------------------------------------------------------------

#[test]
fn question_mark_outside_the_day_fields() {
    for (input, field, span) in [
        ("? 9 * * ? *", Minutes, (0, 1)),
        ("0 ? * * ? *", Hours, (2, 3)),
        ("0 9 * ? ? *", Month, (6, 7)),
        ("0 9 * * ? ?", Year, (10, 11)),
    ] {
        err(
            input,
            Some(field),
            span,
            &[
                "`?` is only allowed in day-of-month and day-of-week",
                field.name(),
            ],
            &["use `*`"],
        );
    }
    err(
        "0 9 1,? * ? *",
        Some(Dom),
        (6, 7),
        &["`?` stands alone"],
        &[],
    );
    err(
        "0 9 ? * 2,? *",
        Some(Dow),
        (10, 11),
        &["`?` stands alone"],
        &[],
    );
}

#[test]
fn l_w_hash_where_not_allowed() {
    for (input, field, span, c) in [
        ("L 9 * * ? *", Minutes, (0, 1), "L"),
        ("5W 9 * * ? *", Minutes, (0, 2), "W"),
        ("1#2 9 * * ? *", Minutes, (0, 3), "#"),
        ("0 L * * ? *", Hours, (2, 3), "L"),
        ("0 5W * * ? *", Hours, (2, 4), "W"),
        ("0 1#2 * * ? *", Hours, (2, 5), "#"),
        ("0 9 1#2 * ? *", Dom, (4, 7), "#"),
        ("0 9 * L ? *", Month, (6, 7), "L"),
        ("0 9 * 5W ? *", Month, (6, 8), "W"),
        ("0 9 * 1#2 ? *", Month, (6, 9), "#"),
        ("0 9 ? * 2W *", Dow, (8, 10), "W"),
        ("0 9 * * ? L", Year, (10, 11), "L"),
        ("0 9 * * ? 2025W", Year, (10, 15), "W"),
        ("0 9 * * ? 2025#1", Year, (10, 16), "#"),
    ] {
        err(
            input,
            Some(field),
            span,
            &[&format!("`{c}` is not allowed in {}", field.name())],
            &[&format!("{} takes", field.name())],
        );
    }
}

#[test]
fn star_inside_a_list() {
    err(
        "0 9 *,1 * ? *",
        Some(Dom),
        (4, 5),
        &["`*` already means every value"],
        &["either `*` or the list"],
    );
    err(
        "0 9 1,,2 * ? *",
        Some(Dom),
        (6, 6),
        &["empty list item"],
        &["comma"],
    );
}

// ---------------------------------------------------------------------------------------------
// Values out of range, ranges, steps.
// ---------------------------------------------------------------------------------------------

#[test]
fn out_of_range_in_each_field() {
    err(
        "60 9 * * ? *",
        Some(Minutes),
        (0, 2),
        &["60 is out of range", "0-59"],
        &[],
    );
    err(
        "0,60 9 * * ? *",
        Some(Minutes),
        (2, 4),
        &["60", "0-59"],
        &[],
    );
    err(
        "0 24 * * ? *",
        Some(Hours),
        (2, 4),
        &["24 is out of range", "0-23"],
        &["midnight is hour 0"],
    );
    err(
        "0 99999 * * ? *",
        Some(Hours),
        (2, 7),
        &["out of range", "0-23"],
        &[],
    );
    err(
        "0 9 32 * ? *",
        Some(Dom),
        (4, 6),
        &["32 is out of range", "1-31"],
        &[],
    );
    err(
        "0 9 0 * ? *",
        Some(Dom),
        (4, 5),
        &["0 is out of range", "1-31"],
        &[],
    );
    err(
        "0 9 1 13 ? *",
        Some(Month),
        (6, 8),
        &["13 is out of range", "1-12"],
        &[],
    );
    err(
        "0 9 1 0 ? *",
        Some(Month),
        (6, 7),
        &["0 is out of range", "1-12"],
        &[],
    );
    err(
        "0 9 ? * 8 *",
        Some(Dow),
        (8, 9),
        &["8 is out of range", "1-7"],
        &[],
    );
    err(
        "0 9 * * ? 1969",
        Some(Year),
        (10, 14),
        &["1969 is out of range", "1970-2199"],
        &[],
    );
    err(
        "0 9 * * ? 2200",
        Some(Year),
        (10, 14),
        &["2200 is out of range", "1970-2199"],
        &[],
    );
    err(
        "0 9 * * ? 2025-2200",
        Some(Year),
        (15, 19),
        &["2200 is out of range"],
        &[],
    );
}

#[test]
fn not_a_value() {
    err(
        "0 9 ? * MONDAY *",
        Some(Dow),
        (8, 14),
        &["`MONDAY` is not a valid value"],
        &["`MON`"],
    );
    err(
        "0 9 1 JANUARY ? *",
        Some(Month),
        (6, 13),
        &["`JANUARY`"],
        &["`JAN`"],
    );
    err(
        "0 MON * * ? *",
        Some(Hours),
        (2, 5),
        &["`MON`"],
        &["day-of-week"],
    );
    err("0 9 JAN * ? *", Some(Dom), (4, 7), &["`JAN`"], &["month"]);
    err("0 9 +5 * ? *", Some(Dom), (4, 6), &["`+5`"], &["1-31"]);
    err(
        "0 9 -1 * ? *",
        Some(Dom),
        (4, 4),
        &["expected a value"],
        &[],
    );
    err(
        "0 9 1- * ? *",
        Some(Dom),
        (6, 6),
        &["expected a value"],
        &[],
    );
}

#[test]
fn backwards_ranges() {
    err(
        "0 9 ? * FRI-MON *",
        Some(Dow),
        (8, 15),
        &["`FRI-MON` runs backwards", "low to high"],
        &["two ranges", "`FRI-SAT,SUN-MON`"],
    );
    err(
        "0 22-2 * * ? *",
        Some(Hours),
        (2, 6),
        &["`22-2` runs backwards"],
        &["`22-23,0-2`"],
    );
    err(
        "50-10 * * * ? *",
        Some(Minutes),
        (0, 5),
        &["runs backwards"],
        &["`50-59,0-10`"],
    );
    err(
        "0 9 25-5 * ? *",
        Some(Dom),
        (4, 8),
        &["runs backwards"],
        &["`25-31,1-5`"],
    );
    err(
        "0 9 1 NOV-FEB ? *",
        Some(Month),
        (6, 13),
        &["`NOV-FEB` runs backwards"],
        &["`11-12,1-2`"],
    );
    err(
        "0 9 * * ? 2030-2025",
        Some(Year),
        (10, 19),
        &["runs backwards"],
        &[],
    );
    err(
        "0 10-5/2 * * ? *",
        Some(Hours),
        (2, 6),
        &["runs backwards"],
        &[],
    );
}

#[test]
fn step_zero_and_too_large() {
    for (input, field, span, width) in [
        ("*/0 9 * * ? *", Minutes, (2, 3), 60),
        ("5/0 9 * * ? *", Minutes, (2, 3), 60),
        ("10-20/0 9 * * ? *", Minutes, (6, 7), 60),
        ("*/61 9 * * ? *", Minutes, (2, 4), 60),
        ("0 */0 * * ? *", Hours, (4, 5), 24),
        ("0 */25 * * ? *", Hours, (4, 6), 24),
        ("0 9 */0 * ? *", Dom, (6, 7), 31),
        ("0 9 1/32 * ? *", Dom, (6, 8), 31),
        ("0 9 1 */0 ? *", Month, (8, 9), 12),
        ("0 9 1 1/13 ? *", Month, (8, 10), 12),
        ("0 9 * * ? */0", Year, (12, 13), 230),
        ("0 9 * * ? */231", Year, (12, 15), 230),
    ] {
        err(
            input,
            Some(field),
            span,
            &["step", &format!("between 1 and {width}")],
            &[],
        );
    }
}

#[test]
fn step_missing_or_not_a_number() {
    err(
        "*/ 9 * * ? *",
        Some(Minutes),
        (2, 2),
        &["expected a step", "after `/`"],
        &["`*/5`"],
    );
    err(
        "0 9 1 */ ? *",
        Some(Month),
        (8, 8),
        &["expected a step"],
        &["`*/5`", "`1/5`"],
    );
    err(
        "*/x 9 * * ? *",
        Some(Minutes),
        (2, 3),
        &["expected a step", "`x`"],
        &["`*/5`"],
    );
}

// ---------------------------------------------------------------------------------------------
// Rates.
// ---------------------------------------------------------------------------------------------

#[test]
fn rate_errors() {
    err(
        "rate(0 minutes)",
        None,
        (5, 6),
        &["at least 1"],
        &["`rate(1 minute)`"],
    );
    err(
        "rate(1 minutes)",
        None,
        (7, 14),
        &["singular", "`minutes`"],
        &["`rate(1 minute)`"],
    );
    err(
        "rate(1 hours)",
        None,
        (7, 12),
        &["singular"],
        &["`rate(1 hour)`"],
    );
    err(
        "rate(5 minute)",
        None,
        (7, 13),
        &["plural", "`minute`"],
        &["`rate(5 minutes)`"],
    );
    err(
        "rate(10 hour)",
        None,
        (8, 12),
        &["plural"],
        &["`rate(10 hours)`"],
    );
    err(
        "rate(5 weeks)",
        None,
        (7, 12),
        &["unknown unit `weeks`"],
        &["minute(s), hour(s) or day(s)"],
    );
    err(
        "rate(5 seconds)",
        None,
        (7, 14),
        &["unknown unit"],
        &["minute(s)"],
    );
    err(
        "rate(x minutes)",
        None,
        (5, 6),
        &["`x`", "not a whole number"],
        &["`rate(5 minutes)`"],
    );
    err(
        "rate(1.5 hours)",
        None,
        (5, 8),
        &["not a whole number"],
        &[],
    );
    err(
        "rate(-1 minutes)",
        None,
        (5, 7),
        &["not a whole number"],
        &[],
    );
    err(
        "rate(5)",
        None,
        (5, 6),
        &["a value and a unit"],
        &["`rate(5 minutes)`"],
    );
    err("rate()", None, (5, 5), &["a value and a unit"], &[]);
    err(
        "rate(5 minutes extra)",
        None,
        (5, 20),
        &["a value and a unit"],
        &[],
    );
    err(
        "rate(4294967295 minutes)",
        None,
        (5, 15),
        &["too long"],
        &[],
    );
}

/// A number too large for the parser is still a whole number; saying it is not misleads.
#[test]
fn rate_huge_value_is_too_long_not_fractional() {
    let e = err("rate(99999999999 minutes)", None, (5, 16), &[], &[]);
    assert!(
        !e.message.contains("not a whole number"),
        "99999999999 is a whole number; the message should say it is too large: {e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Messages that must not mislead.
// ---------------------------------------------------------------------------------------------

/// A name in the wrong field is a misplaced name, not a stray `W` or `L`, and not a truncated
/// `JU` + `L`.
#[test]
fn names_in_the_wrong_field() {
    for (input, field, span, name, belongs) in [
        ("0 9 WED * ? *", Dom, (4, 7), "`WED`", "day-of-week"),
        ("0 9 1 WED ? *", Month, (6, 9), "`WED`", "day-of-week"),
        ("0 9 ? * JUL *", Dow, (8, 11), "`JUL`", "month"),
        ("0 9 * * ? JUL", Year, (10, 13), "`JUL`", "month"),
    ] {
        let e = err(input, Some(field), span, &[name], &[belongs]);
        assert!(
            !e.message.contains("stand alone") && !e.message.contains("is not allowed in"),
            "{input:?}: a misplaced name is not a misplaced special character: {e:?}"
        );
    }
}

/// `5L` is not a combination of `L` with other values; `L-2` in day-of-week is not a list.
#[test]
fn special_forms_are_named_as_written() {
    let e = err("0 9 5L * ? *", Some(Dom), (4, 6), &[], &[]);
    assert!(
        !e.message.contains("combined"),
        "`5L` combines nothing: {e:?}"
    );
    err("0 9 ? * L-2 *", Some(Dow), (8, 11), &["`L-2`"], &[]);
}

/// `1-2-3` is one malformed range, not a bad value `2-3`.
#[test]
fn double_range_names_the_whole_item() {
    err("0 9 1-2-3 * ? *", Some(Dom), (4, 9), &["`1-2-3`"], &[]);
}

/// A missing step is missing; "found ``" quotes nothing.
#[test]
fn missing_step_does_not_quote_nothing() {
    let e = err(
        "*/ 9 * * ? *",
        Some(Minutes),
        (2, 2),
        &["expected a step"],
        &[],
    );
    assert!(!e.message.contains("``"), "empty quote in {e:?}");
}

/// Unix day-of-week 8 is invalid there too; it must not be translated to Monday.
#[test]
fn unix_day_eight_is_not_monday() {
    let e = err("0 9 * * 8", None, (0, 9), &["unix"], &[]);
    assert!(
        !e.help.as_deref().unwrap_or_default().contains("MON"),
        "8 is no Unix weekday: {e:?}"
    );
}
