//! The one integration-test binary: it links once, which keeps builds fast.

mod cron_eval;
mod cron_parse;
mod cron_props;
