//! The `cronbridge` binary: parse arguments, run, exit with the code the run decided.

use clap::Parser;
use std::process::ExitCode;

// Why this allocator: see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cronbridge::cli::run(cronbridge::cli::Cli::parse())
}
