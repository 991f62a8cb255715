//! The one integration-test binary: it links once, which keeps builds fast.

#![allow(clippy::unwrap_used)]

mod aws_sync;
mod check_cli;
mod common;
mod cron_eval;
mod cron_parse;
mod cron_props;
mod deploy_diff;
mod escaping;
mod exit_codes;
mod github_bot;
mod hardening;
mod import;
mod layers;
mod manual_run;
mod rewrite_props;
mod scheduler_sync;
mod schema;
