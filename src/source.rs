//! Reading a repository's settings, schedules and rules, from the working tree, from a git
//! revision without touching the working tree, or from a snapshot of a branch that the GitHub
//! edge fetched through the contents API — one reader with the same checks for all three.
//!
//! Files come from strangers' pull requests: symbolic links are not followed (a link to
//! `/etc/passwd` must not end up in a PR comment), only regular files are read, and sizes are
//! checked before reading.

use crate::check::Inputs;
use crate::finding::{Finding, Location, Rule};
use crate::policy::{self, Policies};
use crate::schedule;
use crate::settings::{self, DEFAULT_SETTINGS_FILE, Settings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Largest file read; the YAML loader enforces the same limit on text.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Where files come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The files on disk under this repository root.
    WorkTree(PathBuf),
    /// The files of a git revision, read with `git show`.
    Revision { root: PathBuf, rev: String },
    /// Files fetched from elsewhere (a branch on GitHub), by repository-relative path.
    Snapshot(Snapshot),
}

/// Files and directory entries fetched from a remote tree, with what the remote said each
/// one is; [`read_inputs`] applies the same checks as on disk.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    entries: std::collections::BTreeMap<String, Remote>,
}

/// One path of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    /// A regular file with its bytes (`None`: not fetched, it is over the size limit).
    File {
        size: u64,
        bytes: Option<Vec<u8>>,
    },
    Dir,
    Link,
    /// A submodule or anything else that is not a file (its kind, as the remote names it).
    Other(String),
}

impl Snapshot {
    /// Records what the remote says `path` is.
    pub fn insert(&mut self, path: &str, entry: Remote) {
        self.entries
            .insert(path.trim_end_matches('/').to_string(), entry);
    }

    fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a Remote)> + 'a {
        let prefix = format!("{dir}/");
        self.entries.iter().filter_map(move |(path, entry)| {
            let name = path.strip_prefix(&prefix)?;
            (!name.contains('/')).then_some((path.as_str(), entry))
        })
    }
}

/// The repository cannot be read as asked: configuration or environment, not file content.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The user named a settings file that does not exist.
    #[error("settings file `{0}` not found")]
    MissingConfig(String),
    /// The schedules directory is missing from the working tree.
    #[error(
        "no `{0}` directory: nothing to check (set `schedules:` in {DEFAULT_SETTINGS_FILE} if they live elsewhere)"
    )]
    MissingSchedules(String),
    /// `git` failed: not a repository, an unknown revision, git not installed.
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
    /// The base revision given to `--base` is not a commit here.
    #[error("`{rev}` is not a commit of the repository at {root}{detail}")]
    UnknownRevision {
        rev: String,
        root: String,
        detail: String,
    },
    /// A directory cronbridge reads is a symbolic link (links are never followed).
    #[error(
        "`{0}` is a symbolic link; cronbridge does not follow links — commit the directory itself"
    )]
    LinkedDirectory(String),
    /// Reading the disk failed.
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The repository root for `given`: itself, unless it is the current directory and has
/// neither settings nor schedules nor `.git` — then the nearest parent with `.git`, as git
/// finds its root, so that `check` works from a subdirectory.
pub fn repository_root(given: &Path) -> PathBuf {
    if given != Path::new(".") {
        return given.to_path_buf();
    }
    let here = |dir: &Path| {
        [
            ".git",
            DEFAULT_SETTINGS_FILE,
            settings::DEFAULT_SCHEDULES_DIR,
        ]
        .iter()
        .any(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
    };
    let Ok(cwd) = std::env::current_dir() else {
        return given.to_path_buf();
    };
    if here(&cwd) {
        return given.to_path_buf();
    }
    cwd.ancestors()
        .skip(1)
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .map_or_else(|| given.to_path_buf(), Path::to_path_buf)
}

impl RepoError {
    /// The verdict: everything but a failing disk is how cronbridge was set up or called.
    pub fn outcome(&self) -> crate::outcome::Outcome {
        match self {
            RepoError::Io { .. } => crate::outcome::Outcome::Failure,
            _ => crate::outcome::Outcome::Config,
        }
    }
}

/// The files of a directory cronbridge reads, and what it does not read there (with why).
#[derive(Debug, Default)]
struct Listing {
    files: Vec<(String, bool)>,
    unread: Vec<(String, String)>,
}

/// What reading one file gave: its text, or a finding saying why it was not read.
enum Read {
    Text(String),
    Skipped(Finding),
    Missing,
}

impl Source {
    fn root(&self) -> &Path {
        match self {
            Source::WorkTree(root) | Source::Revision { root, .. } => root,
            Source::Snapshot(_) => Path::new("."),
        }
    }

    fn git(&self, args: &[&str]) -> Result<Vec<u8>, RepoError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args(args)
            .output()
            .map_err(|e| RepoError::Git {
                args: args.join(" "),
                message: e.to_string(),
            })?;
        if !out.status.success() {
            return Err(RepoError::Git {
                args: args.join(" "),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(out.stdout)
    }

    /// The first directory on the way to `path` (not `path` itself) that is a symbolic link:
    /// every component is checked, since a link anywhere leads out of the checkout.
    fn linked_parent(&self, path: &str) -> Result<Option<String>, RepoError> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        for end in 1..parts.len() {
            let parent = parts[..end].join("/");
            let linked = match self {
                Source::WorkTree(root) => std::fs::symlink_metadata(root.join(&parent))
                    .is_ok_and(|m| m.file_type().is_symlink()),
                Source::Revision { rev, .. } => {
                    let listing = self.git(&["ls-tree", rev, "--", &parent])?;
                    // `<mode> <type> <object>\t<path>`; mode 120000 is a symbolic link.
                    String::from_utf8_lossy(&listing).starts_with("120000")
                }
                Source::Snapshot(snapshot) => snapshot.entries.get(&parent) == Some(&Remote::Link),
            };
            if linked {
                return Ok(Some(parent));
            }
        }
        Ok(None)
    }

    /// The YAML files directly in `dir`, sorted, and what else is there that looks meant to be
    /// read; `None` when the directory does not exist.
    fn list(&self, dir: &str) -> Result<Option<Listing>, RepoError> {
        let dir = dir.trim_end_matches('/');
        if let Some(link) = self.linked_parent(dir)? {
            return Err(RepoError::LinkedDirectory(link));
        }
        // Every entry directly in `dir`: its path and whether it is a directory or a link.
        let mut entries: Vec<(String, bool, bool)> = Vec::new();
        match self {
            Source::WorkTree(root) => {
                let path = root.join(dir);
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Err(RepoError::LinkedDirectory(dir.to_string()));
                }
                let read = match std::fs::read_dir(&path) {
                    Ok(e) => e,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => {
                        return Err(RepoError::Io {
                            path: dir.to_string(),
                            source,
                        });
                    }
                };
                for entry in read {
                    let io = |source| RepoError::Io {
                        path: dir.to_string(),
                        source,
                    };
                    let entry = entry.map_err(io)?;
                    let name = entry.file_name().to_string_lossy().to_string();
                    let kind = entry.file_type().map_err(io)?;
                    entries.push((format!("{dir}/{name}"), kind.is_dir(), kind.is_symlink()));
                }
            }
            Source::Revision { rev, .. } => {
                // `rev:dir` must be a tree; a missing directory at the base is no schedules.
                let spec = format!("{rev}:{dir}");
                if self.git(&["cat-file", "-e", &spec]).is_err() {
                    return Ok(None);
                }
                let listing = self.git(&["ls-tree", "-z", rev, "--", &format!("{dir}/")])?;
                for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
                    let entry = String::from_utf8_lossy(entry);
                    // `<mode> <type> <object>\t<path>`; mode 120000 is a symbolic link.
                    let Some((meta, path)) = entry.split_once('\t') else {
                        continue;
                    };
                    let is_dir = meta.contains(" tree ");
                    if is_dir || meta.contains(" blob ") {
                        entries.push((path.to_string(), is_dir, meta.starts_with("120000")));
                    }
                }
            }
            Source::Snapshot(snapshot) => {
                match snapshot.entries.get(dir) {
                    Some(Remote::Dir) => {}
                    Some(Remote::Link) => return Err(RepoError::LinkedDirectory(dir.to_string())),
                    _ => return Ok(None),
                }
                entries.extend(snapshot.children(dir).map(|(path, entry)| {
                    (
                        path.to_string(),
                        *entry == Remote::Dir,
                        *entry == Remote::Link,
                    )
                }));
            }
        }
        entries.sort();
        let mut listing = Listing::default();
        for (path, is_dir, is_link) in entries {
            let name = path.rsplit('/').next().unwrap_or(&path).to_string();
            let lower = name.to_ascii_lowercase();
            let yaml = |n: &str| n.ends_with(".yml") || n.ends_with(".yaml");
            if is_dir {
                listing.unread.push((
                    path.clone(),
                    format!("`{path}/` is a directory; cronbridge reads only the files directly in `{dir}/`, not those below"),
                ));
            } else if yaml(&name) {
                listing.files.push((path, is_link));
            } else if yaml(&lower) {
                listing.unread.push((
                    path.clone(),
                    format!("`{path}` is not read: cronbridge reads files ending in `.yml` or `.yaml`, in lower case"),
                ));
            }
        }
        Ok(Some(listing))
    }

    fn read(&self, path: &str, is_link: bool) -> Result<Read, RepoError> {
        if is_link {
            return Ok(Read::Skipped(
                Finding::of(
                    Rule::RepoSymlink,
                    Location::file_start(path),
                    format!("`{path}` is a symbolic link; cronbridge does not follow links"),
                )
                .help("commit the file itself instead of a link"),
            ));
        }
        let too_large = |size: u64| {
            Read::Skipped(Finding::of(
                Rule::RepoTooLarge,
                Location::file_start(path),
                format!("`{path}` is {size} bytes; files over {MAX_FILE_BYTES} bytes are not read"),
            ))
        };
        let not_a_file = |kind: &str| {
            Read::Skipped(
                Finding::error(
                    Rule::RepoNotAFile,
                    Location::file_start(path),
                    format!("`{path}` is {kind}; cronbridge reads only regular files"),
                )
                .help("commit the file itself"),
            )
        };
        let bytes = match self {
            Source::WorkTree(root) => {
                let full = root.join(path);
                let meta = match std::fs::symlink_metadata(&full) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::Missing),
                    Err(source) => {
                        return Err(RepoError::Io {
                            path: path.to_string(),
                            source,
                        });
                    }
                };
                if meta.file_type().is_symlink() {
                    return self.read(path, true);
                }
                // A FIFO would block the read forever, a device would never end.
                if !meta.is_file() {
                    return Ok(not_a_file("not a regular file"));
                }
                if meta.len() > MAX_FILE_BYTES {
                    return Ok(too_large(meta.len()));
                }
                std::fs::read(&full).map_err(|source| RepoError::Io {
                    path: path.to_string(),
                    source,
                })?
            }
            Source::Revision { rev, .. } => {
                let spec = format!("{rev}:{path}");
                let Ok(size) = self.git(&["cat-file", "-s", &spec]) else {
                    return Ok(Read::Missing);
                };
                let size: u64 = String::from_utf8_lossy(&size)
                    .trim()
                    .parse()
                    .unwrap_or(u64::MAX);
                if size > MAX_FILE_BYTES {
                    return Ok(too_large(size));
                }
                self.git(&["cat-file", "blob", &spec])?
            }
            Source::Snapshot(snapshot) => match snapshot.entries.get(path) {
                None => return Ok(Read::Missing),
                Some(Remote::Link) => return self.read(path, true),
                Some(Remote::Dir) => return Ok(not_a_file("a directory")),
                Some(Remote::Other(kind)) => return Ok(not_a_file(kind)),
                Some(Remote::File { size, bytes }) => match bytes {
                    Some(bytes) if *size <= MAX_FILE_BYTES => bytes.clone(),
                    _ => return Ok(too_large(*size)),
                },
            },
        };
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Read::Text(text)),
            Err(_) => Ok(Read::Skipped(
                Finding::of(
                    Rule::RepoNotUtf8,
                    Location::file_start(path),
                    format!("`{path}` is not UTF-8 text"),
                )
                .help("save the file as UTF-8"),
            )),
        }
    }
}

/// Reads settings, schedules and policies. `config` overrides the settings file's path
/// (repository-relative); without it `cronbridge.yml` is used when present.
pub fn read_inputs(source: &Source, config: Option<&str>) -> Result<Inputs, RepoError> {
    if let Source::Revision { root, rev } = source {
        // Without this, an unknown revision would read as one without schedules, and every
        // batch would look added.
        let commit = format!("{rev}^{{commit}}");
        if let Err(err) = source.git(&["rev-parse", "--verify", "--quiet", &commit]) {
            let detail = match err {
                RepoError::Git { message, .. } if !message.is_empty() => format!(" ({message})"),
                _ => String::new(),
            };
            // A shallow clone has no history to compare with: say how to get it.
            let shallow = source
                .git(&["rev-parse", "--is-shallow-repository"])
                .is_ok_and(|out| out.starts_with(b"true"));
            let detail = if shallow {
                format!(
                    "{detail}; this clone is shallow, so older commits are not in it: fetch the history (`fetch-depth: 0` for actions/checkout, or `git fetch --unshallow`)"
                )
            } else {
                detail
            };
            return Err(RepoError::UnknownRevision {
                rev: rev.clone(),
                root: root.display().to_string(),
                detail,
            });
        }
    }
    let mut findings = Vec::new();
    let mut sources = BTreeMap::new();
    let settings_path = config.unwrap_or(DEFAULT_SETTINGS_FILE);
    // The settings file is named, not listed: the directories on its way are checked here.
    let settings_read = match source.linked_parent(settings_path)? {
        Some(link) => Read::Skipped(
            Finding::of(
                Rule::RepoSymlink,
                Location::file_start(settings_path),
                format!(
                    "`{link}`, on the way to `{settings_path}`, is a symbolic link; cronbridge does not follow links"
                ),
            )
            .help("commit the directory itself instead of a link"),
        ),
        None => source.read(settings_path, false)?,
    };
    let settings = match settings_read {
        Read::Text(text) => {
            let (settings, problems) = settings::load(settings_path, &text);
            findings.extend(problems.into_iter().map(Finding::in_settings));
            sources.insert(settings_path.to_string(), text);
            settings
        }
        Read::Skipped(finding) => {
            findings.push(finding.in_settings());
            Settings::default()
        }
        Read::Missing if config.is_some() => {
            return Err(RepoError::MissingConfig(settings_path.to_string()));
        }
        Read::Missing => Settings::default(),
    };
    let mut batches = Vec::new();
    let unread = |listing: &Listing, findings: &mut Vec<Finding>| {
        for (path, why) in &listing.unread {
            findings.push(Finding::of(
                Rule::RepoNotRead,
                Location::file_start(path),
                why,
            ));
        }
    };
    match source.list(&settings.schedules_dir)? {
        Some(listing) => {
            unread(&listing, &mut findings);
            let mut read = Vec::new();
            for (path, is_link) in listing.files {
                let text = source.read(&path, is_link)?;
                read.push((path, text));
            }
            // Files load independently: on all cores, then taken in file order.
            let loaded = crate::parallel::map(&read, 4, |(path, text)| match text {
                Read::Text(text) => Some(schedule::load(path, text, &settings)),
                _ => None,
            });
            for ((path, text), loaded) in read.into_iter().zip(loaded) {
                match (text, loaded) {
                    (Read::Text(text), Some((mut loaded, mut problems))) => {
                        batches.append(&mut loaded);
                        findings.append(&mut problems);
                        sources.insert(path, text);
                    }
                    (Read::Skipped(finding), _) => findings.push(finding),
                    _ => {}
                }
            }
        }
        None if matches!(source, Source::WorkTree(_)) => {
            return Err(RepoError::MissingSchedules(settings.schedules_dir.clone()));
        }
        None => {}
    }
    findings.extend(schedule::duplicates(&batches));
    let mut policies = Policies::default();
    let rules = source.list(&settings.rules_dir)?.unwrap_or_default();
    unread(&rules, &mut findings);
    for (path, is_link) in rules.files {
        match source.read(&path, is_link)? {
            Read::Text(text) => {
                let (loaded, mut problems) = policy::load::load(&path, &text, &settings);
                findings.append(&mut problems);
                policies.merge(loaded, &mut findings);
                sources.insert(path.clone(), text);
            }
            Read::Skipped(finding) => findings.push(finding),
            Read::Missing => {}
        }
    }
    Ok(Inputs {
        settings,
        batches,
        policies,
        findings,
        sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Remote {
        Remote::File {
            size: text.len() as u64,
            bytes: Some(text.as_bytes().to_vec()),
        }
    }

    // A branch whose `schedules: ext/conf` goes through a committed link `ext` was read
    // through it, since only the last part of the path was checked.
    #[test]
    fn a_link_on_the_way_to_a_directory_of_a_snapshot_is_refused() {
        let mut snapshot = Snapshot::default();
        snapshot.insert("cronbridge.yml", file("schedules: ext/conf\n"));
        snapshot.insert("ext", Remote::Link);
        snapshot.insert("ext/conf", Remote::Dir);
        snapshot.insert(
            "ext/conf/a.yml",
            file("A:\n  cron: \"0 9 * * ? *\"\n  batch_class: \"A::B\"\n  is_active: true\n"),
        );
        let err = read_inputs(&Source::Snapshot(snapshot.clone()), None).unwrap_err();
        assert!(
            matches!(&err, RepoError::LinkedDirectory(l) if l == "ext"),
            "{err}"
        );
        // The same tree without the link reads.
        snapshot.insert("ext", Remote::Dir);
        let inputs = read_inputs(&Source::Snapshot(snapshot), None).unwrap();
        assert_eq!(inputs.batches.len(), 1);
    }
}
