//! The command line: argument types (separate from domain types) and the dispatch to them.

pub mod deploy;
pub mod import;
pub mod manual;
pub mod schema;

use crate::cron::{self, words};
use crate::outcome::Outcome;
use crate::report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Check schedules and policies: syntax, UTC rules, timetable, quiet hours, overlaps.
    Check(CheckArgs),
    /// Show what `apply` would change in EventBridge; writes nothing.
    Plan(crate::cli::deploy::PlanArgs),
    /// Make EventBridge follow the repository: create, update, delete the managed rules.
    Apply(crate::cli::deploy::ApplyArgs),
    /// Start a batch now, by hand, through its Step Functions state machine.
    Run(manual::RunArgs),
    /// Print the JSON Schema (draft 2020-12) of a kind of file, for editors.
    Schema(schema::SchemaArgs),
    /// Write the rules already in EventBridge as a schedules file in local time, for the
    /// next `apply` to take them over in place.
    Import(import::ImportArgs),
    /// Run as the GitHub Action: read the Actions environment and handle the event
    /// (pull_request: check, annotate, summarise and comment).
    Github(GithubArgs),
}

#[derive(Debug, Args)]
pub struct GithubArgs {
    /// GitHub token; default $GITHUB_TOKEN. Prefer the environment: arguments show in process
    /// lists.
    ///
    /// Checked after parsing, so that a malformed value is never echoed in the error.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Start of the timetable (RFC 3339); default now.
    #[arg(long, value_parser = parse_instant)]
    pub now: Option<Timestamp>,
    /// How far ahead the timetable reaches, in days (`366d`).
    #[arg(long, default_value = "366d", value_parser = parse_horizon)]
    pub horizon: u32,
    /// Settings file, relative to the repository root (default: cronbridge.yml if present).
    #[arg(long)]
    pub config: Option<String>,
    /// Repository root (the checkout).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// On `push`: allow a deployment that deletes more than `aws.max_delete_share` of the
    /// managed rules, or all of them.
    #[arg(long)]
    pub allow_delete: bool,
    /// On `pull_request`: also read EventBridge with the job's AWS credentials (read-only
    /// suffices: `events:List*`, `events:Describe*`) and add the live plan to the comment:
    /// drift since the last apply, and rules that would start a batch twice.
    #[arg(long)]
    pub live_plan: bool,
    /// The most the whole run may take, in seconds (`300s`): a GitHub API or AWS endpoint
    /// that accepts connections and never answers cannot hold the job longer.
    #[arg(long, default_value = "300s", value_parser = parse_seconds)]
    pub timeout: u64,
}

fn parse_seconds(text: &str) -> Result<u64, String> {
    text.strip_suffix('s')
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| (1..=21_600).contains(n))
        .ok_or_else(|| {
            format!("`{text}` is not a timeout; write seconds from 1s to 21600s, e.g. 300s")
        })
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Compare with this git revision (branch, tag or commit): what it adds, changes, removes.
    #[arg(long)]
    pub base: Option<String>,
    /// Start of the timetable (RFC 3339); default now. Fix it for reproducible output.
    #[arg(long, value_parser = parse_instant)]
    pub now: Option<Timestamp>,
    /// How far ahead the timetable reaches, in days (`366d`).
    #[arg(long, default_value = "366d", value_parser = parse_horizon)]
    pub horizon: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Settings file, relative to the repository root (default: cronbridge.yml if present).
    #[arg(long)]
    pub config: Option<String>,
    /// Repository root.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Markdown,
    /// GitHub workflow commands (annotations); the Markdown report goes to $GITHUB_STEP_SUMMARY.
    Github,
}

/// The most runs `explain` lists: each is a line, and a person reads them.
pub const MAX_EXPLAIN_COUNT: i64 = 10_000;

/// The longest horizon: five years keeps a minutely batch's timetable within memory.
pub const MAX_HORIZON_DAYS: u32 = 1830;

fn parse_horizon(text: &str) -> Result<u32, String> {
    let days = text
        .strip_suffix('d')
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|d| (1..=MAX_HORIZON_DAYS).contains(d));
    days.ok_or_else(|| format!("`{text}` is not a horizon; write a number of days from 1d to {MAX_HORIZON_DAYS}d, e.g. 366d"))
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The expression: `cron(0 9 * * ? *)`, `0 9 * * ? *` or `rate(5 minutes)`. One that
    /// starts with `-` is read as the expression too (and rejected as one), not as a flag.
    #[arg(allow_hyphen_values = true)]
    pub expression: String,
    /// IANA time zone the expression is written in.
    #[arg(long, default_value = "Asia/Tokyo", value_parser = parse_zone)]
    pub tz: (String, TimeZone),
    /// List runs strictly after this instant (RFC 3339, e.g. 2026-11-29T00:00:00Z); default now.
    #[arg(long, value_parser = parse_instant)]
    pub from: Option<Timestamp>,
    /// How many runs to list (at most 10,000).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=MAX_EXPLAIN_COUNT))]
    pub count: u16,
    /// Language of the description.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// The backend whose runs to list: `rules` (UTC rules; a repeated local time runs twice)
    /// or `scheduler` (EventBridge Scheduler in the zone; a repeated local time runs once).
    #[arg(long, value_enum, default_value_t = BackendArg::Rules)]
    pub backend: BackendArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    Rules,
    Scheduler,
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

/// `FORCE_COLOR` (set, not empty, not `0`) asks for colour when it is not a terminal, unless
/// `NO_COLOR` says otherwise; anstream itself honours `NO_COLOR` and `CLICOLOR_FORCE`.
fn force_color(var: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty() && v != "0");
    set("FORCE_COLOR") && var("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the parsed command line and returns the process exit code: the one place where an
/// [`Outcome`] becomes one.
pub fn run(cli: Cli) -> ExitCode {
    anstream::ColorChoice::write_global(match cli.color {
        ColorArg::Auto if force_color(&|k| std::env::var_os(k)) => anstream::ColorChoice::Always,
        ColorArg::Auto => anstream::ColorChoice::Auto,
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
    });
    let detailed = matches!(&cli.command, Command::Plan(args) if args.detailed_exitcode);
    let result = match cli.command {
        Command::Explain(args) => explain(args),
        Command::Check(args) => check(args),
        Command::Plan(args) => deploy::plan(args),
        Command::Apply(args) => deploy::apply(args),
        Command::Run(args) => manual::command(args),
        Command::Schema(args) => schema::command(args),
        Command::Import(args) => import::command(args),
        Command::Github(args) => github(args),
    };
    let outcome = result.unwrap_or_else(|err| {
        // A reader that stopped reading (`check | head -1`) is not a failure: stop quietly,
        // as other command-line tools do.
        let closed = err.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        });
        if closed {
            return Outcome::Success;
        }
        // What is left here is cronbridge failing: standard output or error gone, no runtime.
        let _ = write!(
            anstream::stderr().lock(),
            "{}",
            report::diagnostic("error", &format!("{err:#}"))
        );
        Outcome::Failure
    });
    ExitCode::from(outcome.exit_code(detailed))
}

fn github(args: GithubArgs) -> anyhow::Result<Outcome> {
    let token = match args.token.as_deref().map(crate::github::env::Token::new) {
        None => None,
        Some(Ok(token)) => Some(token),
        Some(Err(problem)) => {
            let text = report::diagnostic("error", &format!("--token: {problem}"));
            write!(anstream::stderr().lock(), "{text}")?;
            return Ok(Outcome::Config);
        }
    };
    let options = crate::github::Options {
        token,
        root: crate::source::repository_root(&args.repo),
        config: args.config,
        now: args.now.unwrap_or_else(Timestamp::now),
        horizon_days: args.horizon,
        allow_delete: args.allow_delete,
        live_plan: args.live_plan,
        deadline: std::time::Duration::from_secs(args.timeout),
    };
    let mut stdout = std::io::stdout().lock();
    match crate::github::run(options, &mut stdout) {
        Ok(outcome) => Ok(outcome),
        Err(err) => {
            let text = report::diagnostic("error", &err.to_string());
            write!(anstream::stderr().lock(), "{text}")?;
            Ok(err.outcome())
        }
    }
}

fn explain(args: ExplainArgs) -> anyhow::Result<Outcome> {
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
            return Ok(Outcome::Findings);
        }
    };
    let (zone_name, zone) = args.tz;
    let from = args.from.unwrap_or_else(Timestamp::now);
    let lang = match args.lang {
        LangArg::En => words::Lang::En,
        LangArg::Ja => words::Lang::Ja,
    };
    let count = usize::from(args.count);
    let (utc, next, scheduler) = match args.backend {
        BackendArg::Rules => (
            Some(cron::rewrite::to_utc(&expression, &zone, from)),
            expression
                .fire_times_after(from, &zone)
                .take(count)
                .collect(),
            false,
        ),
        BackendArg::Scheduler => (
            None,
            cron::scheduler::SchedulerTimes::new(&expression, from, &zone, None, None)
                .take(count)
                .collect(),
            true,
        ),
    };
    let explanation = report::explain::Explanation {
        description: words::describe(&expression, lang),
        utc: utc.unwrap_or_else(|| Ok(Vec::new())),
        scheduler,
        next,
        expression,
        zone_name,
        zone,
    };
    match args.format {
        FormatArg::Json => writeln!(stdout, "{}", report::explain::json(&explanation))?,
        FormatArg::Human => write!(stdout, "{}", report::explain::human(&explanation))?,
    }
    Ok(Outcome::Success)
}

fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    use crate::check::{self, Options};
    use crate::source::{self, Source};

    let options = Options {
        now: args.now.unwrap_or_else(Timestamp::now),
        horizon_days: args.horizon,
    };
    let config = args.config.as_deref();
    let root = source::repository_root(&args.repo);
    let head_inputs = match source::read_inputs(&Source::WorkTree(root.clone()), config) {
        Ok(inputs) => inputs,
        Err(err) => {
            let text = report::diagnostic("error", &err.to_string());
            write!(anstream::stderr().lock(), "{text}")?;
            return Ok(err.outcome());
        }
    };
    let mut head = check::analyse(head_inputs, &options);
    let (base, diff) = match &args.base {
        Some(rev) => {
            let source = Source::Revision {
                root: root.clone(),
                rev: rev.clone(),
            };
            let base_inputs = match source::read_inputs(&source, config) {
                Ok(inputs) => inputs,
                Err(err) => {
                    let text = report::diagnostic("error", &format!("base {rev}: {err}"));
                    write!(anstream::stderr().lock(), "{text}")?;
                    return Ok(err.outcome());
                }
            };
            let base = check::analyse(base_inputs, &options);
            let diff = check::diff(&base, &mut head);
            (Some(base), Some(diff))
        }
        None => (None, None),
    };
    let days = options.horizon_days;
    // Only the human report carries ANSI styles for anstream to adapt; the others are plain
    // and already escaped for their medium, so tens of megabytes of JSON are not scanned
    // for styles.
    let mut stdout = std::io::stdout().lock();
    match args.format {
        CheckFormat::Human => write!(
            anstream::AutoStream::auto(stdout),
            "{}",
            report::check::human(&head, diff.as_ref(), days)
        )?,
        CheckFormat::Json => writeln!(
            stdout,
            "{}",
            report::check::json(&head, diff.as_ref(), options.now, days)
        )?,
        // Standard output is the job log in a workflow step: a code span could still hold a
        // `##[command]`, so the Markdown is made log-safe too (the job summary file is not).
        CheckFormat::Markdown => write!(
            stdout,
            "{}",
            report::escape::log_markdown(&report::markdown::report(
                &head,
                base.as_ref(),
                diff.as_ref()
            ))
        )?,
        CheckFormat::Github => {
            write!(stdout, "{}", report::github::annotations(&head.findings))?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                let markdown = report::markdown::report(&head, base.as_ref(), diff.as_ref());
                // The error names the file: "writing <path>: Permission denied".
                crate::github::env::append(std::path::Path::new(&path), &markdown)?;
            }
        }
    }
    Ok(Outcome::of_findings(&head.findings))
}
