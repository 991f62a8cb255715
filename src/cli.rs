//! The command line: argument types (separate from domain types) and the dispatch to them.

use crate::cron::{self, words};
use crate::report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::io::Write;
use std::process::ExitCode;

/// Exit codes; the README has the table.
pub mod exit {
    /// Success, nothing wrong.
    pub const OK: u8 = 0;
    /// The input has errors (an invalid expression, findings of severity error).
    pub const INPUT_ERRORS: u8 = 1;
    /// Usage or configuration problem.
    pub const USAGE: u8 = 2;
    /// cronbridge itself failed (I/O, network, a bug).
    pub const FAILURE: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "cronbridge",
    version,
    about = "Keep batch schedules in Git and make Amazon EventBridge follow them"
)]
pub struct Cli {
    /// When to colour human output (also honours NO_COLOR and CLICOLOR_FORCE).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain a cron or rate expression: its meaning and when it runs next.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The expression: `cron(0 9 * * ? *)`, `0 9 * * ? *` or `rate(5 minutes)`.
    pub expression: String,
    /// IANA time zone the expression is written in.
    #[arg(long, default_value = "Asia/Tokyo", value_parser = parse_zone)]
    pub tz: (String, TimeZone),
    /// List runs strictly after this instant (RFC 3339, e.g. 2026-11-29T00:00:00Z); default now.
    #[arg(long, value_parser = parse_instant)]
    pub from: Option<Timestamp>,
    /// How many runs to list.
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// Language of the description.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
}

fn parse_zone(name: &str) -> Result<(String, TimeZone), String> {
    TimeZone::get(name)
        .map(|tz| (name.to_string(), tz))
        .map_err(|_| {
            format!("unknown time zone `{name}`; use an IANA name such as Asia/Tokyo or UTC")
        })
}

fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!("`{text}` is not an RFC 3339 instant; write e.g. 2026-11-29T09:00:00+09:00 or 2026-11-29T00:00:00Z")
    })
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    anstream::ColorChoice::write_global(match cli.color {
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    });
    match cli.command {
        Command::Explain(args) => explain(args),
    }
}

fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let mut stdout = anstream::stdout().lock();
    let expression = match cron::parse(&args.expression) {
        Ok(e) => e,
        Err(err) => {
            match args.format {
                FormatArg::Json => writeln!(stdout, "{}", report::explain::json_error(&err))?,
                FormatArg::Human => write!(
                    anstream::stderr().lock(),
                    "{}",
                    report::explain::human_error(&args.expression, &err)
                )?,
            }
            return Ok(ExitCode::from(exit::INPUT_ERRORS));
        }
    };
    let (zone_name, zone) = args.tz;
    let from = args.from.unwrap_or_else(Timestamp::now);
    let lang = match args.lang {
        LangArg::En => words::Lang::En,
        LangArg::Ja => words::Lang::Ja,
    };
    let explanation = report::explain::Explanation {
        description: words::describe(&expression, lang),
        utc: cron::rewrite::to_utc(&expression, &zone, from),
        next: expression
            .fire_times_after(from, &zone)
            .take(args.count)
            .collect(),
        expression,
        zone_name,
        zone,
    };
    match args.format {
        FormatArg::Json => writeln!(stdout, "{}", report::explain::json(&explanation))?,
        FormatArg::Human => write!(stdout, "{}", report::explain::human(&explanation))?,
    }
    Ok(ExitCode::from(exit::OK))
}
