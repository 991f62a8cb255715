//! cronbridge keeps batch-job schedules in Git and makes Amazon EventBridge follow them.
//!
//! Pure logic (the cron engine, the rewrite to UTC, timetables, policies) is plain data in,
//! plain data out; the command line and the service clients sit at the edges.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod aws;
pub mod check;
pub mod cli;
pub mod cron;
pub mod finding;
pub mod github;
pub mod parallel;
pub mod policy;
pub mod repo;
pub mod report;
pub mod rule;
pub mod run;
pub mod schedule;
pub mod settings;
pub mod timetable;
pub mod yaml;
