//! The one integration-test binary: it links once, which keeps builds fast.

#![allow(clippy::unwrap_used)]

mod cron_eval;
mod cron_parse;
mod cron_props;
mod rewrite_props;
