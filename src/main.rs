//! The `cronbridge` binary: parse arguments, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cronbridge::cli::Cli::parse();
    match cronbridge::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(cronbridge::cli::exit::FAILURE)
        }
    }
}
