//! The `plan` and `apply` commands: their arguments (flattened into the CLI in `cli.rs`) and
//! the glue from a repository on disk to [`sync::deploy`] on a current-thread runtime.

use crate::aws::eventbridge::{ClientOptions, Connection, EventBridge};
use crate::aws::sync::{self, SyncError};
use crate::check::{self, Options};
use crate::deploy::DeployOptions;
use crate::outcome::Outcome;
use crate::report::diagnostic;
use crate::report::escape::log_markdown;
use crate::report::plan as report;
use crate::source::{self, Source};
use clap::{Args, ValueEnum};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Options shared by `plan` and `apply`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Settings file, relative to the repository root (default: cronbridge.yml if present).
    #[arg(long)]
    pub config: Option<String>,
    /// Repository root.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SyncFormat::Human)]
    pub format: SyncFormat,
    /// Rules read or written at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Instant the UTC rewrite starts from (RFC 3339); default now.
    #[arg(long, value_parser = parse_instant)]
    pub now: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub sync: SyncArgs,
    /// Exit 0 when nothing would change, 2 when something would, 1 on any error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub sync: SyncArgs,
    /// Allow deleting more than `aws.max_delete_share` of the managed rules, or all of them.
    #[arg(long)]
    pub allow_delete: bool,
    /// Plan only: the same as `cronbridge plan`.
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!("`{text}` is not an RFC 3339 instant; write e.g. 2026-11-29T00:00:00Z")
    })
}

/// Days of timetable the policies look at: the same default as `check`, so `plan` refuses
/// exactly when `check` fails.
const HORIZON_DAYS: u32 = 366;

pub fn plan(args: PlanArgs) -> anyhow::Result<Outcome> {
    run(
        &args.sync,
        DeployOptions {
            dry_run: true,
            allow_delete: false,
            concurrency: usize::from(args.sync.concurrency),
        },
    )
}

pub fn apply(args: ApplyArgs) -> anyhow::Result<Outcome> {
    let options = DeployOptions {
        dry_run: args.dry_run,
        allow_delete: args.allow_delete,
        concurrency: usize::from(args.sync.concurrency),
    };
    run(&args.sync, options)
}

fn run(args: &SyncArgs, options: DeployOptions) -> anyhow::Result<Outcome> {
    let mut stderr = anstream::stderr().lock();
    let inputs = match source::read_inputs(
        &Source::WorkTree(source::repository_root(&args.repo)),
        args.config.as_deref(),
    ) {
        Ok(inputs) => inputs,
        Err(err) => {
            write!(stderr, "{}", diagnostic("error", &err.to_string()))?;
            return Ok(err.outcome());
        }
    };
    let now = args.now.unwrap_or_else(Timestamp::now);
    let analysis = check::analyse(
        inputs,
        &Options {
            now,
            horizon_days: HORIZON_DAYS,
        },
    );
    let aws = &analysis.inputs.settings.aws;
    let lookup = |name: &str| std::env::var(name).ok();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if aws.backend == crate::settings::aws::Backend::Scheduler {
        return run_scheduler(args, options, &analysis, &runtime, now);
    }
    let result = runtime.block_on(async {
        // Refuse before connecting: a broken repository never gets as far as AWS.
        let desired = crate::deploy::desired_state(&analysis.findings, &analysis.model(), &lookup)?;
        let connection = Connection {
            region: aws.region.clone(),
            ..Connection::default()
        };
        let client =
            EventBridge::connect(&connection, &aws.event_bus, &ClientOptions::default()).await;
        // Schedules left from `backend: scheduler` would run their batches a second time.
        let moved = crate::aws::scheduler_sync::move_to_rules(
            &client,
            &connection,
            &aws.schedule_group,
            &desired,
            &analysis.inputs.settings.rule_prefix,
            options.dry_run,
            options.concurrency,
        )
        .await?;
        if options.dry_run {
            // The rules' side of a plan through the reader (no write calls).
            return sync::plan(&client, &analysis, &lookup, &options)
                .await
                .map(|r| (r, moved));
        }
        sync::deploy(&client, &analysis, &lookup, &options)
            .await
            .map(|r| (r, moved))
    });
    let (report, moved) = match result {
        Ok(report) => report,
        Err(err) => return failure(&err, &analysis.inputs.sources),
    };
    let mut stdout = anstream::stdout().lock();
    if let Some(moved) = &moved
        && args.format != SyncFormat::Json
    {
        let text = crate::report::schedule_plan::to_rules_human(moved, options.dry_run);
        write!(stdout, "{text}")?;
    }
    let text = match (args.format, options.dry_run) {
        (SyncFormat::Human, true) => report::plan_human(&report.plan),
        (SyncFormat::Human, false) => report::deploy_human(&report),
        (SyncFormat::Json, _) => report::deploy_json(&report) + "\n",
        // On stdout, which is the job log in a workflow step, Markdown is made log-safe too.
        (SyncFormat::Markdown, true) => log_markdown(&report::plan_markdown(&report.plan)),
        (SyncFormat::Markdown, false) => log_markdown(&report::deploy_markdown(&report)),
    };
    write!(stdout, "{text}")?;
    for w in &report.warnings {
        let text = format!("{}: {}", w.location, w.message);
        write!(stderr, "{}", diagnostic("warning", &text))?;
    }
    Ok(report.outcome())
}

fn failure(err: &SyncError, sources: &BTreeMap<String, String>) -> anyhow::Result<Outcome> {
    let mut stderr = anstream::stderr().lock();
    write!(stderr, "{}", diagnostic("error", &err.to_string()))?;
    if let SyncError::Blocked(blocked) = err {
        write!(
            stderr,
            "{}",
            crate::report::check::human_findings(blocked.findings(), sources, true)
        )?;
    }
    Ok(err.outcome())
}

/// `aws.backend: scheduler`: the batches' schedules in cronbridge's group, after checking
/// that no managed schedule rule of the repository is left on the bus (it would run every
/// batch a second time). Alert rules stay event-pattern rules on the bus: they are deployed
/// by the rules path, which then holds no schedule rule.
fn run_scheduler(
    args: &SyncArgs,
    options: DeployOptions,
    analysis: &check::Analysis,
    runtime: &tokio::runtime::Runtime,
    now: Timestamp,
) -> anyhow::Result<Outcome> {
    use crate::aws::scheduler_sync;
    use crate::report::schedule_plan;
    let aws = &analysis.inputs.settings.aws;
    let lookup = |name: &str| std::env::var(name).ok();
    let connection = Connection {
        region: aws.region.clone(),
        ..Connection::default()
    };
    let result = runtime.block_on(scheduler_sync::deploy_all(
        &connection,
        analysis,
        &lookup,
        &options,
        now,
    ));
    let (report, alerts) = match result {
        Ok(r) => r,
        Err(err) => return failure(&err, &analysis.inputs.sources),
    };
    let mut stdout = anstream::stdout().lock();
    let text = match args.format {
        SyncFormat::Json => schedule_plan::deploy_json(&report) + "\n",
        SyncFormat::Human | SyncFormat::Markdown => {
            let text = if options.dry_run {
                schedule_plan::plan_human(&report.plan)
            } else {
                schedule_plan::deploy_human(&report)
            };
            if args.format == SyncFormat::Markdown {
                // The same text as a code block, for a job summary or the drift issue.
                log_markdown(&crate::report::escape::markdown_code_block(&text, "text"))
            } else {
                text
            }
        }
    };
    write!(stdout, "{text}")?;
    let mut outcome = report.outcome();
    if let Some(alerts) = alerts {
        if args.format != SyncFormat::Json {
            let text = if options.dry_run {
                report::plan_human(&alerts.plan)
            } else {
                report::deploy_human(&alerts)
            };
            write!(stdout, "\nAlert rules:\n{text}")?;
        }
        outcome = outcome.max(alerts.outcome());
    }
    Ok(outcome)
}
