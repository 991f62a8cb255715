//! Shared test helpers: run the built binary with a scrubbed environment, and build small git
//! repositories in temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `cronbridge` binary cargo built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cronbridge"))
}

/// A command for the binary with an environment that cannot leak the developer's or CI's
/// settings into a test: only PATH and HOME survive, colour is off, and no GitHub or AWS
/// variables are set unless a test adds them.
pub fn cronbridge(dir: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir).env_clear();
    for key in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(key) {
            cmd.env(key, v);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// What a run printed, with the temporary directory replaced by `[REPO]`.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command, dir: &Path) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run cronbridge");
    let scrub =
        |b: Vec<u8>| String::from_utf8_lossy(&b).replace(&dir.display().to_string(), "[REPO]");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: scrub(stdout),
        stderr: scrub(stderr),
    }
}

/// A temporary repository; removed when dropped.
pub struct Repo {
    pub dir: PathBuf,
}

impl Repo {
    /// An empty directory (not yet a git repository).
    pub fn new() -> Repo {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "cronbridge-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp repo");
        Repo { dir }
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, text: &str) -> &Repo {
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(full, text).expect("write file");
        self
    }

    /// Creates a symbolic link at `link` (inside the repository) pointing to `target`.
    pub fn symlink(&self, target: &Path, link: &str) -> &Repo {
        let full = self.dir.join(link);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::os::unix::fs::symlink(target, full).expect("create symlink");
        self
    }

    pub fn remove(&self, path: &str) -> &Repo {
        std::fs::remove_file(self.dir.join(path)).expect("remove file");
        self
    }

    /// Runs git in the repository with a fixed identity and no user configuration.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// `git init` on branch main.
    pub fn init(&self) -> &Repo {
        self.git(&["init", "-q", "-b", "main"]);
        self
    }

    /// Commits everything; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs the binary in this repository.
    pub fn run(&self, args: &[&str]) -> Run {
        run(cronbridge(&self.dir).args(args), &self.dir)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The example schedule from the design document.
pub const BACKUP: &str = "Backup:\n  cron: \"0 9 * * ? *\"\n  description: バックアップ\n  batch_class: \"Batches::Daily::Backup\"\n  is_active: true\n";

/// A fixed start for reproducible timetables: 2026-11-29T09:00 JST.
pub const NOW: &str = "2026-11-29T00:00:00Z";
