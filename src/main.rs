//! The `cronbridge` binary: parse arguments, run, exit with the code the run decided.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    cronbridge::cli::run(cronbridge::cli::Cli::parse())
}
