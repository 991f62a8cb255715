//! cronbridge keeps batch-job schedules in Git and makes Amazon EventBridge follow them.
//!
//! Pure logic (the cron engine, the rewrite to UTC, timetables, policies) is plain data in,
//! plain data out; the command line and the service clients sit at the edges.

pub mod cli;
pub mod cron;
