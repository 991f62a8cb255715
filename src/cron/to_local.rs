//! The way back, for importing rules that are already live: UTC rules to one expression in a
//! local zone, accepted only when it fires at exactly the rules' instants.
//!
//! Each UTC rule is shifted into the zone by the same exact rewrite that goes the other way
//! (a rule in UTC is, to a zone at +9 h, a local expression in a zone at −9 h rewritten to
//! "UTC"); the shifted rules of one batch are merged where they differ in one field only
//! (split rules differ in their hours, long ones in their minutes); and the one expression
//! left is proven by enumerating both sides' instants with the one engine, from `now` to the
//! end of the range both sides can express (before 2200-01-01 in either zone), and by its
//! own rewrite back to UTC succeeding. Anything else is refused with the reason.

use super::rewrite;
use super::{Expression, parse};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use std::collections::BTreeMap;

/// The most instants compared for one proof; a minutely schedule to 2199 is about 91 million.
const MAX_COMPARED: u64 = 200_000_000;

/// The one expression in `zone` that fires at exactly the instants of `rules` (UTC), or why
/// there is none.
pub fn to_local(
    rules: &[Expression],
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Expression, String> {
    match rules {
        [] => return Err("there is no rule to convert".to_string()),
        [Expression::Rate(_)] => return Ok(rules[0].clone()),
        _ if rules.iter().any(|r| matches!(r, Expression::Rate(_))) => {
            return Err("a rate rule cannot be combined with other rules".to_string());
        }
        _ => {}
    }
    let offset = zone.to_offset(now).seconds();
    let against = TimeZone::fixed(
        Offset::from_seconds(-offset).map_err(|e| format!("the zone's offset: {e}"))?,
    );
    let mut local: Vec<String> = Vec::new();
    for rule in rules {
        let shifted = rewrite::to_utc(rule, &against, now)
            .map_err(|e| format!("`{}` has no exact local form: {e}", rule))?;
        local.extend(shifted.iter().map(|e| body(&e.to_string())));
    }
    let merged = merge(merge(local, 1), 0);
    let [one] = merged.as_slice() else {
        return Err(format!(
            "the rules need {} local expressions ({}); a batch has one",
            merged.len(),
            merged.join("; ")
        ));
    };
    let candidate = parse(one).map_err(|e| format!("`{one}` is not valid: {e}"))?;
    prove(&candidate, zone, rules, now)?;
    rewrite::to_utc(&candidate, zone, now)
        .map_err(|e| format!("`{one}` fires at the rules' times but cannot be deployed: {e}"))?;
    Ok(candidate)
}

/// `cron(0 9 * * ? *)` → `0 9 * * ? *`.
fn body(text: &str) -> String {
    text.strip_prefix("cron(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text)
        .to_string()
}

/// Joins expressions equal but in field `field` (0 minutes, 1 hours) into one with both
/// lists; the others are kept.
fn merge(exprs: Vec<String>, field: usize) -> Vec<String> {
    let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for e in exprs {
        let mut fields: Vec<String> = e.split_whitespace().map(str::to_string).collect();
        if fields.len() != 6 {
            order.push(vec![e]);
            continue;
        }
        for f in fields.iter_mut() {
            *f = canonical(f);
        }
        let value = std::mem::take(&mut fields[field]);
        if !groups.contains_key(&fields) {
            order.push(fields.clone());
        }
        groups.entry(fields).or_default().push(value);
    }
    order
        .into_iter()
        .map(|key| match groups.get(&key) {
            None => key.concat(),
            Some(values) => {
                let mut fields = key;
                let mut items: Vec<&str> = values.iter().flat_map(|v| v.split(',')).collect();
                items.dedup();
                fields[field] = items.join(",");
                fields.join(" ")
            }
        })
        .collect()
}

/// A field's list in order of where each item starts (`SUN,SAT` and `SAT,SUN` are one list),
/// so that expressions equal but for the order of a list merge.
fn canonical(field: &str) -> String {
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let start = |item: &str| -> Option<u32> {
        let first = item.split(['-', '/']).next()?;
        first.parse().ok().or_else(|| {
            DAYS.iter()
                .chain(&MONTHS)
                .position(|n| n.eq_ignore_ascii_case(first))
                .map(|i| i as u32)
        })
    };
    let mut items: Vec<&str> = field.split(',').collect();
    if items.len() < 2 || items.iter().any(|i| start(i).is_none()) {
        return field.to_string();
    }
    items.sort_by_key(|i| start(i));
    items.dedup();
    items.join(",")
}

/// Whether `candidate` in `zone` and `rules` in UTC fire at the same instants from `now` to
/// the end of the range both express.
fn prove(
    candidate: &Expression,
    zone: &TimeZone,
    rules: &[Expression],
    now: Timestamp,
) -> Result<(), String> {
    // 2200-01-01T00:00 in UTC and in the zone; whichever comes first ends the comparison.
    let midnight = jiff::civil::date(2200, 1, 1).at(0, 0, 0, 0);
    let utc_end = TimeZone::UTC
        .to_ambiguous_timestamp(midnight)
        .compatible()
        .map_err(|e| e.to_string())?;
    let local_end = zone
        .to_ambiguous_timestamp(midnight)
        .compatible()
        .map_err(|e| e.to_string())?;
    let end = utc_end.min(local_end).as_second();
    let mut local = candidate.fire_times_after(now, zone);
    let mut utc: Vec<_> = rules
        .iter()
        .map(|r| r.fire_times_after(now, &TimeZone::UTC))
        .collect();
    let mut heads: Vec<Option<i64>> = utc.iter_mut().map(|t| t.next_second()).collect();
    let at = |s: i64| Timestamp::from_second(s).map_or_else(|_| s.to_string(), |t| t.to_string());
    for _ in 0..MAX_COMPARED {
        let next = heads.iter().flatten().copied().min().filter(|&s| s < end);
        let mine = local.next_second().filter(|&s| s < end);
        match (mine, next) {
            (None, None) => return Ok(()),
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) if a < b => {
                return Err(format!(
                    "it would also fire at {}, where no rule does",
                    at(a)
                ));
            }
            (Some(_) | None, Some(b)) => {
                return Err(format!("it would not fire at {}, where a rule does", at(b)));
            }
            (Some(a), None) => {
                return Err(format!(
                    "it would also fire at {}, where no rule does",
                    at(a)
                ));
            }
        }
        let Some(b) = next else { continue };
        let mut fired = 0;
        for (head, times) in heads.iter_mut().zip(utc.iter_mut()) {
            if *head == Some(b) {
                fired += 1;
                *head = times.next_second();
            }
        }
        if fired > 1 {
            return Err(format!(
                "{fired} of the rules fire at {}: the batch runs {fired} times then",
                at(b)
            ));
        }
    }
    Err(format!(
        "more than {MAX_COMPARED} fire times to compare; too many to prove"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    fn now() -> Timestamp {
        "2026-11-29T00:00:00Z".parse().unwrap()
    }

    fn local(rules: &[&str]) -> Result<String, String> {
        let rules: Vec<Expression> = rules.iter().map(|r| parse(r).unwrap()).collect();
        to_local(&rules, &tokyo(), now()).map(|e| body(&e.to_string()))
    }

    #[test]
    fn a_shifted_weekday_comes_back_on_its_own_day() {
        assert_eq!(local(&["0 23 ? * SUN-THU *"]).unwrap(), "0 8 ? * MON-FRI *");
    }

    #[test]
    fn the_last_day_of_the_month_in_utc_is_the_first_in_tokyo() {
        assert_eq!(local(&["0 18 L * ? *"]).unwrap(), "0 3 1 * ? *");
    }

    #[test]
    fn two_split_rules_become_one_local_expression() {
        // `0 8-10 ? * MON *` in Tokyo is 23:00 Sunday and 00:00-01:00 Monday in UTC.
        assert_eq!(
            local(&["0 23 ? * SUN *", "0 0,1 ? * MON *"]).unwrap(),
            "0 8,9,10 ? * MON *"
        );
        assert_eq!(local(&["30 0 * * ? *"]).unwrap(), "30 9 * * ? *");
    }

    #[test]
    fn rules_with_no_one_local_form_are_refused_with_the_reason() {
        // Two different days and times: no one expression.
        let err = local(&["0 1 ? * MON *", "30 5 ? * WED *"]).unwrap_err();
        assert!(err.contains("2 local expressions"), "{err}");
        // Two rules at the same instant: a double run, never hidden.
        let err = local(&["0 0 * * ? *", "0 0 * * ? *"]).unwrap_err();
        assert!(err.contains("runs 2 times"), "{err}");
        assert!(local(&["rate(5 minutes)"]).is_ok());
        assert!(local(&["rate(5 minutes)", "0 0 * * ? *"]).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// What the rewrite makes of a daily or weekly local schedule comes back as one local
        /// expression with the same instants (the proof inside `to_local` compares them).
        #[test]
        fn the_rewrite_of_a_daily_or_weekly_schedule_comes_back(
            minute in 0u32..60,
            hours in proptest::collection::btree_set(0u32..24, 1..4),
            days in proptest::sample::select(vec!["*", "MON-FRI", "SAT,SUN", "TUE", "MON,WED,FRI"]),
            zone in proptest::sample::select(vec!["Asia/Tokyo", "Asia/Kolkata", "America/Sao_Paulo", "UTC"]),
        ) {
            let hours: Vec<String> = hours.iter().map(u32::to_string).collect();
            let text = if days == "*" {
                format!("{minute} {} * * ? *", hours.join(","))
            } else {
                format!("{minute} {} ? * {days} *", hours.join(","))
            };
            let original = parse(&text).unwrap();
            let tz = TimeZone::get(zone).unwrap();
            let utc = rewrite::to_utc(&original, &tz, now()).unwrap();
            let back = to_local(&utc, &tz, now());
            proptest::prop_assert!(back.is_ok(), "{text} in {zone} → {:?}: {:?}", utc, back);
        }
    }
}
