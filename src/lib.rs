//! cronbridge keeps batch-job schedules in Git and makes Amazon EventBridge follow them.
//!
//! The modules follow the data, input → model → checks → findings → report:
//!
//! - foundations: [`cron`] (the one cron engine: dialect, evaluation, rewrite to UTC, words),
//!   [`yaml`] (a YAML tree that keeps where every value came from), [`finding`], and
//!   [`shape`] (the declaration machinery of each file's keys: checks, schema, reference);
//! - the model of a repository: [`settings`], [`schedule`], [`policy`] (quiet hours,
//!   overlaps, alert rules and their event patterns);
//! - checks: [`timetable`] (concrete runs over a horizon) and [`check`] (the analysis);
//! - [`deploy`] (the rules cronbridge wants in EventBridge and the plan against what is live)
//!   and [`manual`] (starting a batch by hand: who may, what is sent, the audit record);
//! - [`report`]: every renderer, with one escaper per output medium;
//! - edges: [`source`] (repository files from a work tree, a git revision or GitHub), [`aws`]
//!   and [`github`] (thin service clients and the Action's event handlers);
//! - [`cli`]: the command line, and the one place that turns an [`outcome::Outcome`] into an
//!   exit code.
//!
//! Everything up to `report` is plain data in, plain data out, with no I/O; a test enforces
//! that and that no module imports a later one.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod aws;
pub mod check;
pub mod cli;
pub mod cron;
pub mod deploy;
pub mod finding;
pub mod github;
pub mod import;
pub mod manual;
pub mod outcome;
pub mod parallel;
pub mod policy;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod shape;
pub mod source;
pub mod timetable;
pub mod yaml;
