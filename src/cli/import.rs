//! The `import` command: read the live rules of the bus (or, with `aws.backend: scheduler`, the
//! schedules of `aws.schedule_group`), write them as a schedules file in local time, and say
//! what was left out, which settings the live target needs and how a group is handed over.

use crate::aws::eventbridge::{ClientOptions, Connection, EventBridge};
use crate::aws::scheduler::Scheduler;
use crate::deploy::plan::LiveRule;
use crate::deploy::schedules::LiveSchedules;
use crate::import::{self, Filter, Options};
use crate::outcome::Outcome;
use crate::report::diagnostic;
use crate::settings::{self, DEFAULT_SETTINGS_FILE, Settings};
use clap::Args;
use jiff::Timestamp;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to write, relative to the repository root (default: `imported.yml` in the
    /// schedules directory).
    #[arg(long, short)]
    pub output: Option<String>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Only rules whose names start with this.
    #[arg(long)]
    pub prefix: Option<String>,
    /// Only rules whose names match this glob (`*` any text, `?` one character).
    #[arg(long)]
    pub pattern: Option<String>,
    /// Only rules whose target is this ARN (a state machine or an ECS cluster).
    #[arg(long, value_name = "ARN")]
    pub target_arn: Option<String>,
    /// The zone to write the schedules in (IANA); default the settings' `timezone`. Rules
    /// only: a Scheduler schedule keeps its own zone.
    #[arg(long)]
    pub timezone: Option<String>,
    /// The instant conversions are proven from (RFC 3339); default now.
    #[arg(long, value_parser = parse_instant)]
    pub now: Option<Timestamp>,
    /// Settings file, relative to the repository root (default: cronbridge.yml if present).
    #[arg(long)]
    pub config: Option<String>,
    /// Repository root.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Rules read at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// What was read: the bus's rules, or the schedule group.
enum Live {
    Rules(Vec<LiveRule>),
    Group(LiveSchedules),
}

fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!("`{text}` is not an RFC 3339 instant; write e.g. 2026-11-29T00:00:00Z")
    })
}

pub fn command(args: ImportArgs) -> anyhow::Result<Outcome> {
    let mut stderr = anstream::stderr().lock();
    let root = crate::source::repository_root(&args.repo);
    let settings = match read_settings(&root, args.config.as_deref()) {
        Ok(s) => s,
        Err(message) => {
            write!(stderr, "{}", diagnostic("error", &message))?;
            return Ok(Outcome::Config);
        }
    };
    let zone = match &args.timezone {
        None => settings.zone.clone(),
        Some(name) => match settings::lookup_zone(name) {
            Ok(z) => z,
            Err(close) => {
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", close.join(", "))
                };
                let text = format!("--timezone: `{name}` is not an IANA time zone{hint}");
                write!(stderr, "{}", diagnostic("error", &text))?;
                return Ok(Outcome::Config);
            }
        },
    };
    let on_scheduler = settings.aws.backend == crate::settings::aws::Backend::Scheduler;
    if on_scheduler && args.timezone.is_some() {
        let text = "--timezone converts rules' UTC crons; with `aws.backend: scheduler` each schedule keeps the zone it has";
        write!(stderr, "{}", diagnostic("error", text))?;
        return Ok(Outcome::Config);
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| format!("{}/imported.yml", settings.schedules_dir));
    let path = root.join(&output);
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        let problem = if meta.file_type().is_symlink() {
            format!("{output} is a symbolic link; cronbridge does not write through links")
        } else if !args.force {
            format!("{output} exists; pass --force to overwrite it, or --output another file")
        } else if !meta.is_file() {
            format!("{output} is not a file")
        } else {
            String::new()
        };
        if !problem.is_empty() {
            write!(stderr, "{}", diagnostic("error", &problem))?;
            return Ok(Outcome::Config);
        }
    }
    let filter = Filter {
        prefix: args.prefix.clone(),
        pattern: args.pattern.clone(),
        target_arn: args.target_arn.clone(),
    };
    let aws = &settings.aws;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let connection = Connection {
        region: aws.region.clone(),
        ..Connection::default()
    };
    let concurrency = usize::from(args.concurrency);
    let read = runtime.block_on(async {
        if on_scheduler {
            let client =
                Scheduler::connect(&connection, &aws.schedule_group, &ClientOptions::default())
                    .await;
            crate::aws::import::read_group(&client, concurrency)
                .await
                .map(Live::Group)
        } else {
            let client =
                EventBridge::connect(&connection, &aws.event_bus, &ClientOptions::default()).await;
            crate::aws::import::read_rules(&client, &filter, concurrency)
                .await
                .map(Live::Rules)
        }
    });
    let live = match read {
        Ok(r) => r,
        Err(err) => {
            write!(stderr, "{}", diagnostic("error", &err.to_string()))?;
            return Ok(err.outcome());
        }
    };
    let options = Options {
        settings: &settings,
        zone,
        now: args.now.unwrap_or_else(Timestamp::now),
        filter,
        bus: aws.event_bus.clone(),
    };
    let result = match &live {
        Live::Rules(rules) => import::import(rules, &options),
        Live::Group(group) => {
            if group.group.is_none() {
                let text = format!(
                    "there is no schedule group `{}` (`aws.schedule_group`) to import from",
                    aws.schedule_group
                );
                write!(stderr, "{}", diagnostic("error", &text))?;
                return Ok(Outcome::Findings);
            }
            let repository = aws.repository.clone().or_else(|| {
                std::env::var(crate::settings::aws::env::REPOSITORY)
                    .ok()
                    .filter(|r| crate::settings::aws::is_repository(r))
            });
            import::scheduler::import(&aws.schedule_group, group, repository.as_deref(), &options)
        }
    };
    let mut stdout = anstream::stdout().lock();
    if result.batches.is_empty() {
        write!(stdout, "{}", crate::report::import::human(&result, &output))?;
        let what = if on_scheduler { "schedule" } else { "rule" };
        let text = format!("no {what} could be imported, so {output} was not written");
        write!(stderr, "{}", diagnostic("error", &text))?;
        return Ok(Outcome::Findings);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, &result.yaml).map_err(|e| anyhow::anyhow!("writing {output}: {e}"))?;
    write!(stdout, "{}", crate::report::import::human(&result, &output))?;
    Ok(Outcome::Success)
}

/// The settings file, or the defaults when there is none; any error in it stops the import
/// (the rule prefix, the zone and the target all come from it).
fn read_settings(root: &Path, config: Option<&str>) -> Result<Settings, String> {
    let file = config.unwrap_or(DEFAULT_SETTINGS_FILE);
    // As everywhere else, a link is not followed.
    if std::fs::symlink_metadata(root.join(file)).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{file} is a symbolic link; cronbridge does not follow links"
        ));
    }
    let text = match std::fs::read_to_string(root.join(file)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && config.is_none() => {
            return Ok(Settings::default());
        }
        Err(e) => return Err(format!("reading {file}: {e}")),
    };
    let (settings, findings) = settings::load(file, &text);
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == crate::finding::Severity::Error)
        .map(|f| format!("{}: {}", f.location, f.message))
        .collect();
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(format!("the settings have errors:\n{}", errors.join("\n")))
    }
}
