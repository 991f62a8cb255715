//! `check`: from loaded inputs to an analysis (UTC rules, timetable, findings), and the
//! comparison of a base analysis with a head one. Pure: no files, no git, no clock.

use crate::cron::Expression;
use crate::cron::rewrite::{self, RewriteError};
use crate::finding::{Finding, Rule, Severity};
use crate::policy::{self, Policies};
use crate::schedule::Batch;
use crate::settings::Settings;
use crate::timetable::Timetable;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Everything read from one revision of a repository.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub settings: Settings,
    pub batches: Vec<Batch>,
    pub policies: Policies,
    /// Problems found while reading and loading the files.
    pub findings: Vec<Finding>,
    /// The text of every file read, by repository path, so reports can quote the lines
    /// findings point at.
    pub sources: BTreeMap<String, String>,
}

/// When the analysis starts and how far it looks.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub now: Timestamp,
    pub horizon_days: u32,
}

/// One revision, analysed.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub inputs: Inputs,
    /// Per batch (same order as `inputs.batches`): its UTC rules or why there are none.
    pub utc: Vec<Result<Vec<Expression>, RewriteError>>,
    /// Per batch: the minutes a run occupies: the expected duration (its own, else the
    /// policy default) plus, on Scheduler, its flexible window.
    pub durations: Vec<u32>,
    pub timetable: Timetable,
    /// Loading, lint and policy findings, ordered by file, line and column.
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// The loaded repository and its UTC rules, as the deploy model takes them.
    pub fn model(&self) -> crate::deploy::desired::Model<'_> {
        crate::deploy::desired::Model {
            settings: &self.inputs.settings,
            batches: &self.inputs.batches,
            utc: &self.utc,
            alerts: &self.inputs.policies.alerts,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Rewrites, expands and checks every batch.
pub fn analyse(inputs: Inputs, options: &Options) -> Analysis {
    // Many batches share an expression and zone; the rewrite (with its proof) runs once for
    // each distinct pair, on all cores.
    let mut distinct: HashMap<(String, String), usize> = HashMap::new();
    let mut firsts = Vec::new();
    let slots: Vec<usize> = inputs
        .batches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            *distinct
                .entry((b.cron.to_string(), b.zone.name.clone()))
                .or_insert_with(|| {
                    firsts.push(i);
                    firsts.len() - 1
                })
        })
        .collect();
    let rewrites = crate::parallel::map(&firsts, 16, |&i| {
        let b = &inputs.batches[i];
        // Scheduler takes the batch's own expression and zone: no UTC rule, no refusal.
        if b.on_scheduler() {
            return Ok(Vec::new());
        }
        let max_rules = inputs.settings.aws.max_rules_per_schedule as usize;
        rewrite::to_utc_with_max_rules(&b.cron, &b.zone.tz, options.now, max_rules)
    });
    let utc: Vec<_> = slots.iter().map(|&slot| rewrites[slot].clone()).collect();
    let durations: Vec<u32> = inputs
        .batches
        .iter()
        .map(|b| {
            b.occupied_minutes(
                b.duration
                    .unwrap_or(inputs.policies.overlap.default_duration),
            )
        })
        .collect();
    let minutes = options.horizon_days.saturating_mul(1440);
    let timetable = Timetable::build(&inputs.batches, options.now, minutes);
    let mut findings = inputs.findings.clone();
    let batches = &inputs.batches;
    let days = options.horizon_days;
    if let Some(i) = timetable.truncated {
        let batch = &inputs.batches[i];
        findings.push(
            Finding::of(
                Rule::LintTooManyRuns,
                batch.field_location("cron").clone(),
                format!(
                    "the timetable over {days} days would hold more than {} progressions of runs (`{}` is one of the batches with the most), so cronbridge stopped expanding it and the policies were not checked in full",
                    crate::timetable::DEFAULT_MAX_PROGRESSIONS,
                    batch.name
                ),
            )
            .help("shorten the horizon (`--horizon 30d`), or give such batches regular times (every n minutes, the same minutes every hour)"),
        );
    }
    findings.extend(policy::lint::check(batches, &utc));
    findings.extend(policy::lint::references(&inputs.policies, batches));
    findings.extend(policy::lint::never_fires(batches, options.now));
    // What the sync would refuse (rule-name collisions, EventBridge limits) is reported in the
    // pull request already, not first at deploy time; it reads neither the timetable nor the
    // policies' findings, so it runs beside them.
    let model = crate::deploy::desired::Model {
        settings: &inputs.settings,
        batches,
        utc: &utc,
        alerts: &inputs.policies.alerts,
    };
    let (timed, sync) = crate::parallel::join(
        || policy::check_timetable(&inputs.policies, batches, &timetable, &durations, days),
        || crate::deploy::desired::lint(&model),
    );
    findings.extend(timed);
    findings.extend(sync);
    let mut analysis = Analysis {
        inputs,
        utc,
        durations,
        timetable,
        findings,
    };
    analysis.findings.sort_by(|a, b| {
        (&a.location, a.severity, a.rule.id()).cmp(&(&b.location, b.severity, b.rule.id()))
    });
    analysis
}

/// How one field of a batch changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// What a head revision changes relative to a base revision.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// Names of batches only in head, only in base, and in both with changes.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Batches of the base that head fails to load: missing because of errors in their file,
    /// not removed on purpose.
    pub unreadable: Vec<String>,
    pub changed: Vec<(String, Vec<FieldChange>)>,
    /// Unified diff of the next `days` days' runs, local time and UTC; empty when equal.
    pub timetable: String,
    pub days: u32,
    /// Set when the revisions run more than [`MAX_DIFF_RUNS`] times in those days: the
    /// diff stops before this instant (local time and UTC).
    pub timetable_until: Option<String>,
    /// What the merge changes in EventBridge: every rule field and setting, offline.
    pub deploy: crate::deploy::diff::DeployDiff,
}

impl Diff {
    /// The sentence saying where the timetable diff stops, when it does.
    pub fn timetable_cut_note(&self) -> Option<String> {
        self.timetable_until.as_ref().map(|until| {
            format!(
                "The timetable diff stops before {until}: the batches run more than {MAX_DIFF_RUNS} times in these days."
            )
        })
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.unreadable.is_empty()
            && self.changed.is_empty()
    }
}

/// The UTC rules of a batch as one line of text.
pub fn utc_text(utc: &Result<Vec<Expression>, RewriteError>) -> String {
    match utc {
        Ok(rules) => rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + "),
        Err(_) => "(no exact UTC rule)".to_string(),
    }
}

/// What a batch is deployed as, in one line: its UTC rules, or on Scheduler the zone-native
/// expression, and when Scheduler may start a run late (its flexible window) or the bounds.
pub fn deployed_text(batch: &Batch, utc: &Result<Vec<Expression>, RewriteError>) -> String {
    if !batch.on_scheduler() {
        return utc_text(utc);
    }
    let mut text = format!(
        "Scheduler {} in {}",
        batch.scheduler_expression(),
        batch.zone.name
    );
    let keys = &batch.scheduler;
    if let Some(w) = keys.flexible_window {
        text.push_str(&format!(
            ", flexible window {w}m: each run starts within {w} minutes (the policies count the window and the duration)"
        ));
    }
    if let Some(s) = &keys.start {
        text.push_str(&format!(", from {}", s.local));
    }
    if let Some(e) = &keys.end {
        text.push_str(&format!(", until {}", e.local));
    }
    text
}

fn fields_of(analysis: &Analysis, i: usize) -> Vec<(&'static str, String)> {
    let b = &analysis.inputs.batches[i];
    vec![
        ("cron", b.cron_text.clone()),
        ("timezone", b.zone.name.clone()),
        ("utc", deployed_text(b, &analysis.utc[i])),
        ("description", b.description.clone().unwrap_or_default()),
        ("batch_class", b.batch_class.clone()),
        ("is_active", b.is_active.to_string()),
        (
            "duration",
            b.duration.map(|d| format!("{d}m")).unwrap_or_default(),
        ),
        ("group", b.group.clone().unwrap_or_default()),
        ("tags", b.tags.join(", ")),
    ]
}

/// Days of timetable shown in the diff.
pub const DIFF_DAYS: u32 = 7;

/// Days the timetable diff covers: [`DIFF_DAYS`], or the whole horizon when shorter.
pub fn diff_days(analysis: &Analysis) -> u32 {
    DIFF_DAYS.min(analysis.timetable.minutes / 1440).max(1)
}

/// The most runs the timetable diff lists of each revision. Past it, both sides stop at the
/// same minute (the first at which either has more), so the diff stays exact up to there and
/// costs what it shows: 1,000 batches every minute would otherwise be 10 million lines.
pub const MAX_DIFF_RUNS: usize = 20_000;

/// The runs the timetable diff lists: the first [`MAX_DIFF_RUNS`] of the first
/// [`diff_days`] days, and the minute it stops at when there are more.
fn diff_runs(analysis: &Analysis) -> (Vec<(u32, usize)>, Option<u32>) {
    let (runs, more) =
        analysis
            .timetable
            .first_in(0, diff_days(analysis) * 1440, MAX_DIFF_RUNS + 1);
    let cut = more.then(|| runs.last().map_or(0, |&(m, _)| m));
    (runs, cut)
}

/// One line per run in `runs` before minute `until`: local time, UTC, batch.
pub fn timetable_lines(analysis: &Analysis, runs: &[(u32, usize)], until: u32) -> String {
    let t = &analysis.timetable;
    let mut out = String::new();
    for &(minute, b) in runs.iter().take_while(|(m, _)| *m < until) {
        let batch = &analysis.inputs.batches[b];
        let at = t.instant(minute);
        let local = at.to_zoned_datetime(batch.zone.tz.clone());
        out.push_str(&format!(
            "{}  {} UTC  {}\n",
            local.strftime("%Y-%m-%d %a %H:%M %Z"),
            at.strftime("%m-%d %H:%M"),
            batch.name
        ));
    }
    out
}

/// Compares two analyses, and marks head findings the base already had.
pub fn diff(base: &Analysis, head: &mut Analysis) -> Diff {
    let index = |a: &Analysis| -> BTreeMap<String, usize> {
        a.inputs
            .batches
            .iter()
            .enumerate()
            .map(|(i, b)| (b.name.clone(), i))
            .collect()
    };
    let (before, after) = (index(base), index(head));
    let mut diff = Diff {
        deploy: crate::deploy::diff::between(&base.model(), &head.model()),
        ..Diff::default()
    };
    for (name, &i) in &after {
        match before.get(name) {
            None => diff.added.push(name.clone()),
            Some(&j) => {
                let changes: Vec<FieldChange> = fields_of(base, j)
                    .into_iter()
                    .zip(fields_of(head, i))
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((field, before), (_, after))| FieldChange {
                        field,
                        before,
                        after,
                    })
                    .collect();
                if !changes.is_empty() {
                    diff.changed.push((name.clone(), changes));
                }
            }
        }
    }
    let broken_files: HashSet<&str> = head
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.location.file.as_str())
        .collect();
    for (name, &j) in before.iter().filter(|(n, _)| !after.contains_key(*n)) {
        if broken_files.contains(base.inputs.batches[j].file.as_str()) {
            diff.unreadable.push(name.clone());
        } else {
            diff.removed.push(name.clone());
        }
    }
    diff.days = diff_days(head);
    let ((old_runs, old_cut), (new_runs, new_cut)) = (diff_runs(base), diff_runs(head));
    // The earlier cut for both: a minute is listed whole on both sides or not at all.
    let until = match (old_cut, new_cut) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(minute) = until {
        diff.timetable_until = Some(crate::timetable::local_and_utc(
            head.timetable.instant(minute),
            &head.inputs.settings.zone,
        ));
    }
    let until = until.unwrap_or(u32::MAX);
    let (old, new) = (
        timetable_lines(base, &old_runs, until),
        timetable_lines(head, &new_runs, until),
    );
    if old != new {
        // Patience keeps hunks in time order on these long, repetitive line lists.
        diff.timetable = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Patience)
            .diff_lines(&old, &new)
            .unified_diff()
            .context_radius(2)
            .header("base", "head")
            .to_string();
    }
    // Lines move between revisions, so a finding is matched by file, code and message; many
    // messages name no batch, so each base finding vouches for one head finding only.
    let mut known: HashMap<(&str, Rule, &str), usize> = HashMap::new();
    for f in &base.findings {
        *known
            .entry((f.location.file.as_str(), f.rule, f.message.as_str()))
            .or_default() += 1;
    }
    for f in &mut head.findings {
        let key = (f.location.file.as_str(), f.rule, f.message.as_str());
        f.preexisting = match known.get_mut(&key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::aws::Backend;

    fn analyse_on(backend: Backend, text: &str) -> Analysis {
        let mut settings = Settings::default();
        settings.aws.backend = backend;
        let (batches, findings) = crate::schedule::load("schedules/a.yml", text, &settings);
        assert!(findings.is_empty(), "{findings:?}");
        let inputs = Inputs {
            settings,
            batches,
            ..Inputs::default()
        };
        let options = Options {
            now: "2026-10-31T00:00:00Z".parse().unwrap(),
            horizon_days: 3,
        };
        analyse(inputs, &options)
    }

    fn minutely(names: std::ops::Range<usize>) -> String {
        names
            .map(|i| {
                format!("B{i}:\n  cron: \"* * * * ? *\"\n  batch_class: \"B\"\n  is_active: true\n  description: b\n")
            })
            .collect()
    }

    // Frequent batches: each side lists its first MAX_DIFF_RUNS runs and both stop at the
    // same minute, so what is shown is exact; the diff says where it stops.
    #[test]
    fn the_timetable_diff_of_frequent_batches_stops_at_one_minute_on_both_sides() {
        let base = analyse_on(Backend::Rules, &minutely(0..300));
        let mut head = analyse_on(Backend::Rules, &minutely(0..301));
        let d = diff(&base, &mut head);
        // The horizon starts at 00:01 UTC. 20,001 runs at 300 and at 301 a minute both end
        // in minute 66 (01:07 UTC): both sides list minutes 0 to 65.
        let until = d.timetable_until.as_deref().expect("cut");
        assert_eq!(until, "2026-10-31 Sat 10:07 JST (01:07 UTC)");
        let added: Vec<&str> = d
            .timetable
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .collect();
        // B300 every minute before the cut, and nothing else added or removed.
        assert!(added.iter().all(|l| l.ends_with("  B300")), "{added:?}");
        assert_eq!(added.len(), 66, "{}", added.len());
        assert!(
            !d.timetable
                .lines()
                .any(|l| l.starts_with('-') && !l.starts_with("---"))
        );
        assert!(d.timetable_cut_note().unwrap().contains("stops before"));
        // Below the limit nothing is cut.
        let small = analyse_on(Backend::Rules, &minutely(0..2));
        let mut small_head = analyse_on(Backend::Rules, &minutely(0..3));
        assert!(diff(&small, &mut small_head).timetable_until.is_none());
    }

    const NEW_YORK: &str = "A:\n  cron: \"30 1 * * ? *\"\n  timezone: America/New_York\n  batch_class: \"A\"\n  is_active: true\n  description: a\n  duration: 10m\n";

    // The same hour-specific New York cron: rules refuse it (its hour moves with the clocks
    // in November), Scheduler deploys it as it is and runs 01:30 once on 2026-11-01.
    #[test]
    fn scheduler_needs_no_utc_rule_and_runs_a_repeated_time_once() {
        let rules = analyse_on(Backend::Rules, NEW_YORK);
        assert!(
            rules
                .findings
                .iter()
                .any(|f| f.rule == Rule::LintNotConvertible)
        );
        let on = analyse_on(Backend::Scheduler, NEW_YORK);
        assert!(on.findings.is_empty(), "{:?}", on.findings);
        let starts: Vec<String> = on
            .timetable
            .starts_of(0)
            .unwrap()
            .iter()
            .map(|m| on.timetable.instant(m).to_string())
            .collect();
        assert_eq!(
            starts,
            [
                "2026-10-31T05:30:00Z",
                "2026-11-01T05:30:00Z",
                "2026-11-02T06:30:00Z"
            ]
        );
        assert_eq!(
            deployed_text(&on.inputs.batches[0], &on.utc[0]),
            "Scheduler cron(30 1 * * ? *) in America/New_York"
        );
    }

    #[test]
    fn a_flexible_window_occupies_the_window_and_the_duration() {
        let text = format!("{NEW_YORK}  flexible_window: 15m\n");
        let on = analyse_on(Backend::Scheduler, &text);
        assert_eq!(on.durations, [25]);
        assert!(deployed_text(&on.inputs.batches[0], &on.utc[0]).contains("flexible window 15m"),);
    }
}
