//! Policies from `rules/*.yml`: the typed model (quiet hours, overlap limits, alert rules),
//! its loader, and one module per check. Checks run on a timetable, never on cron text.

pub mod lint;
pub mod load;
pub mod overlap;
pub mod pattern;
pub mod quiet_hours;

use crate::finding::{Finding, Location, Rule, Severity};
use crate::schedule::Batch;
use crate::settings::Zone;
use crate::timetable::Timetable;

/// Every policy that reads the timetable: each quiet-hours entry, self-overlap, each group's
/// limit and starts per minute, as independent tasks on all cores. The findings come in that
/// order whatever the threads do.
pub fn check_timetable(
    policies: &Policies,
    batches: &[Batch],
    timetable: &Timetable,
    durations: &[u32],
    horizon_days: u32,
) -> Vec<Finding> {
    type Task<'a> = Box<dyn Fn() -> Vec<Finding> + Sync + 'a>;
    let overlap = &policies.overlap;
    let mut tasks: Vec<Task> = Vec::new();
    for quiet in &policies.quiet_hours {
        tasks.push(Box::new(move || {
            quiet_hours::check(quiet, batches, timetable, durations, horizon_days)
        }));
    }
    tasks.push(Box::new(|| {
        overlap::self_overlap(overlap, batches, timetable, durations, horizon_days)
    }));
    for limit in &overlap.groups {
        tasks.push(Box::new(move || {
            overlap::group(limit, batches, timetable, durations, horizon_days)
        }));
    }
    tasks.push(Box::new(|| {
        overlap::starts_per_minute(overlap, batches, timetable, horizon_days)
    }));
    // Starts per minute, the longest single task, begins first, so no core waits on it
    // at the end; the findings keep the order above.
    let last = tasks.len() - 1;
    let order: Vec<usize> = std::iter::once(last).chain(0..last).collect();
    let mut done = crate::parallel::map(&order, 1, |&i| (i, tasks[i]()));
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().flat_map(|(_, found)| found).collect()
}

/// All policies of a repository.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    pub quiet_hours: Vec<QuietHours>,
    pub overlap: Overlap,
    /// Event-pattern rules deployed next to the schedules (`alerts:`).
    pub alerts: Vec<Alert>,
}

/// An alert rule: an EventBridge event pattern whose matches go to an SNS topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Becomes the rule name `<rule_prefix><name>`.
    pub name: String,
    /// Where the entry's `name` is.
    pub location: Location,
    pub description: Option<String>,
    /// The event pattern, placeholders (`<cluster_arn>`, …) not yet filled.
    pub pattern: serde_json::Value,
    /// Where the `pattern` value is.
    pub pattern_location: Location,
    /// The SNS topic; else `CRONBRIDGE_ALERT_TOPIC_ARN`.
    pub topic_arn: Option<String>,
    pub enabled: bool,
    /// Values for the pattern's placeholders; else the settings' ECS target, else the
    /// environment.
    pub cluster_arn: Option<String>,
    pub task_definition_arn: Option<String>,
}

/// Default expected run time of a batch that does not give its `duration`.
pub const DEFAULT_DURATION_MINUTES: u32 = 5;

/// A named local-time window in which (some) batches must not run.
#[derive(Debug, Clone)]
pub struct QuietHours {
    pub name: String,
    /// Where the entry starts (its `name`).
    pub location: Location,
    /// Windows as minutes of the day `[start, end)`; `end <= start` crosses midnight, and
    /// `00:00-24:00` is `(0, 1440)`.
    pub windows: Vec<(u16, u16)>,
    /// Days of the week (bit 1 = Sunday … bit 7 = Saturday) on which a window starts; all
    /// days when `None`.
    pub days: Option<u8>,
    /// Inclusive month-day ranges on which a window starts (`12-29..01-03` wraps the year);
    /// all dates when empty.
    pub dates: Vec<((u8, u8), (u8, u8))>,
    /// The zone of the windows; the settings' default when not given.
    pub zone: Zone,
    pub scope: Scope,
    /// Batch names exempt from this window.
    pub except: Vec<String>,
    pub severity: Severity,
}

/// Which batches a policy applies to: everyone when all lists are empty, else the union.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub groups: Vec<String>,
    pub batches: Vec<String>,
    /// Glob patterns over `batch_class`: `*` matches any run of characters, including `::`.
    pub classes: Vec<String>,
}

/// Overlap limits.
#[derive(Debug, Clone)]
pub struct Overlap {
    /// Where the `overlap` section is, when a file has one.
    pub location: Option<Location>,
    /// Expected duration in minutes of batches without their own `duration`.
    pub default_duration: u32,
    /// Severity of a batch starting again before its previous run's expected end.
    pub self_overlap: Severity,
    pub groups: Vec<GroupLimit>,
    /// At most this many batches may start in the same minute.
    pub max_starts_per_minute: Option<StartLimit>,
}

impl Default for Overlap {
    fn default() -> Overlap {
        Overlap {
            location: None,
            default_duration: DEFAULT_DURATION_MINUTES,
            self_overlap: Rule::PolicySelfOverlap.severity(),
            groups: Vec::new(),
            max_starts_per_minute: None,
        }
    }
}

/// At most `max_concurrent` runs of the group's batches at once.
#[derive(Debug, Clone)]
pub struct GroupLimit {
    pub name: String,
    pub location: Location,
    pub max_concurrent: u32,
    pub severity: Severity,
}

/// The thundering-herd cap.
#[derive(Debug, Clone)]
pub struct StartLimit {
    pub location: Location,
    pub limit: u32,
    pub severity: Severity,
}

/// The occurrences of a finding counted as they are found, in time order, without a list of
/// them: how many, the first few (for the message) and the last.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub count: usize,
    /// The first [`quiet_hours::EXAMPLES`] occurrences.
    pub first: Vec<u32>,
    pub last: Option<u32>,
}

impl Tally {
    /// Counts an occurrence later than every one before.
    pub fn add(&mut self, minute: u32) {
        self.count += 1;
        if self.first.len() < quiet_hours::EXAMPLES {
            self.first.push(minute);
        }
        self.last = Some(minute);
    }

    /// Counts the occurrences `p.at(from..p.count)` of a progression, later than every one
    /// before, in constant time.
    pub fn add_progression(&mut self, p: &crate::timetable::Progression, from: u32) {
        self.add_indices(p, from, p.count);
    }

    /// Counts the occurrences `p.at(from..to)` of a progression, later than every one
    /// before, in constant time.
    pub fn add_indices(&mut self, p: &crate::timetable::Progression, from: u32, to: u32) {
        let to = to.min(p.count);
        if from >= to {
            return;
        }
        for i in from..to.min(from + quiet_hours::EXAMPLES as u32) {
            if self.first.len() < quiet_hours::EXAMPLES {
                self.first.push(p.at(i));
            }
        }
        self.count += (to - from) as usize;
        self.last = Some(p.at(to - 1));
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}
