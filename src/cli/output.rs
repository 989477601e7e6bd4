//! Writing results: to standard output or error, or atomically to files, alone or as a
//! group (a Markdown report and its charts). An interrupted run (SIGINT, SIGTERM, SIGHUP)
//! removes the temporary files of writes in progress.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

/// Exit status of a run stopped by a signal (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Test hook: milliseconds to sleep after a temporary file is written and before it is
/// renamed, so a test can interrupt a write in progress. Not for users.
const PAUSE_BEFORE_RENAME: &str = "ESCAPE_REPORT_TEST_PAUSE_BEFORE_RENAME_MS";

/// The temporary files of writes in progress. The lock is held while one is created and
/// while a group is renamed, so the interrupt handler sees each group either not yet
/// renamed (and removes its temporary files) or completely renamed.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_progress() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Directories this run created for its output (`--charts-dir new/charts`), deepest
/// first. An interrupt removes those still empty, as it removes the temporary files.
static CREATED_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn created_dirs() -> MutexGuard<'static, Vec<PathBuf>> {
    CREATED_DIRS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records directories the run created (deepest first), so an interrupt before their
/// files are in place leaves none of them behind.
pub fn remember_created_dirs(dirs: &[PathBuf]) {
    created_dirs().extend_from_slice(dirs);
}

/// Installs, once at startup, the handler that removes the temporary files of writes in
/// progress (and the directories made for them) and exits with status 130 on SIGINT,
/// SIGTERM or SIGHUP.
pub fn remove_temporary_files_on_interrupt() {
    // Failing to install it (another handler is set) only loses the clean-up.
    let _ = ctrlc::set_handler(|| {
        crate::progress::clear();
        let files = in_progress();
        for path in files.iter() {
            let _ = std::fs::remove_file(path);
        }
        // Only an empty directory is removed: one holding a finished group stays.
        for dir in created_dirs().iter() {
            let _ = std::fs::remove_dir(dir);
        }
        // Exits with the lock held: no write renames its file after this point.
        std::process::exit(EXIT_INTERRUPTED);
    });
}

/// A temporary file registered in [`IN_PROGRESS`] until it is renamed or dropped.
struct Temporary {
    file: Option<NamedTempFile>,
    path: PathBuf,
}

impl Temporary {
    fn create(builder: &tempfile::Builder<'_, '_>, dir: &Path) -> io::Result<Temporary> {
        let mut files = in_progress();
        let file = builder.tempfile_in(dir)?;
        let path = file.path().to_path_buf();
        files.push(path.clone());
        Ok(Temporary {
            file: Some(file),
            path,
        })
    }

    fn file(&mut self) -> &mut NamedTempFile {
        self.file.as_mut().expect("present until renamed")
    }

    /// Takes the file out and forgets its path; the caller holds the lock (`files`).
    fn take(&mut self, files: &mut Vec<PathBuf>) -> NamedTempFile {
        files.retain(|p| *p != self.path);
        self.file.take().expect("present until renamed")
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // A file not taken out is removed (NamedTempFile's drop) before it is forgotten.
        if let Some(file) = self.file.take() {
            drop(file);
            in_progress().retain(|p| *p != self.path);
        }
    }
}

/// Renames every temporary file to its target while holding the lock. When one rename
/// fails, the files already renamed and the temporaries not yet renamed are removed, so
/// the group is all there or not at all.
fn persist_all(temporaries: Vec<(Temporary, PathBuf)>) -> Result<()> {
    let mut files = in_progress();
    let mut renamed: Vec<PathBuf> = Vec::new();
    let mut rest = temporaries.into_iter();
    for (mut temp, target) in rest.by_ref() {
        if let Err(e) = temp.take(&mut files).persist(&target) {
            // Dropping the error removes the temporary file it holds.
            let error = e.error;
            for (mut temp, _) in rest {
                drop(temp.take(&mut files));
            }
            for path in &renamed {
                let _ = std::fs::remove_file(path);
            }
            let removed = if renamed.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = renamed.iter().map(|p| p.display().to_string()).collect();
                format!(
                    " (the files written with it were removed: {})",
                    names.join(", ")
                )
            };
            return Err(error)
                .with_context(|| format!("cannot write {}{removed}", target.display()));
        }
        renamed.push(target);
    }
    Ok(())
}

fn pause_before_rename() {
    if let Some(ms) = std::env::var(PAUSE_BEFORE_RENAME)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Set once standard error could not be written; later messages are dropped.
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line (a finding, an error, a note) to standard error. A standard error
/// that cannot be written (closed: `2>&1 | head -1`) ends the messages and is not an
/// error: the run goes on to the exit code it would have had. Used instead of
/// `eprintln!`, which panics there.
pub fn stderr(line: std::fmt::Arguments<'_>) {
    if STDERR_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let text = format!("{line}\n");
    let mut err = io::stderr().lock();
    if err
        .write_all(text.as_bytes())
        .and_then(|_| err.flush())
        .is_err()
    {
        STDERR_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes to a file in place (a device, a pipe); a closed pipe is not an error.
fn write_in_place(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    write_closed_pipe_ok(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_closed_pipe_ok(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// What an output path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A regular file, or nothing yet: written atomically.
    File,
    /// A device, a pipe or another special file, or the file standard output or error
    /// goes to: written directly.
    Special,
}

impl Target {
    pub fn of(path: &Path) -> Target {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => Target::Special,
            Ok(meta) if standard_stream(&meta).is_some() => Target::Special,
            _ => Target::File,
        }
    }
}

/// A standard stream of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// Which standard stream, if any, is connected to the file `meta` describes: with
/// `-o /dev/stdout > report.md`, /dev/stdout leads to report.md, a regular file, and
/// a rename would replace /dev/stdout itself.
#[cfg(unix)]
fn standard_stream(meta: &std::fs::Metadata) -> Option<Stream> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .and_then(|fd| std::fs::File::from(fd).metadata())
            .is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino())
    };
    if same(io::stdout().as_fd()) {
        Some(Stream::Stdout)
    } else if same(io::stderr().as_fd()) {
        Some(Stream::Stderr)
    } else {
        None
    }
}

#[cfg(not(unix))]
fn standard_stream(_meta: &std::fs::Metadata) -> Option<Stream> {
    None
}

/// Where a chain of symbolic links ends, so a rename replaces the file they lead to and
/// never a link.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)
                    .with_context(|| format!("cannot read the link {}", current.display()))?;
                current = match current.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(current),
        }
    }
    anyhow::bail!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )
}

/// Where one file of a group goes.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    Stdout,
    File(&'a Path),
}

/// How one file of a group is written.
enum Plan<'a> {
    /// Written in place, never replaced: standard output or error, a device, a pipe.
    Stdout,
    Stderr,
    InPlace(&'a Path),
    /// Written to a temporary file in `dir`, then renamed to `target`.
    Replace {
        target: PathBuf,
        dir: PathBuf,
    },
}

fn plan(path: &Path) -> Result<Plan<'_>> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            anyhow::bail!("{} is a directory; give a file name", path.display());
        }
        if !meta.is_file() {
            return Ok(Plan::InPlace(path));
        }
        match standard_stream(&meta) {
            Some(Stream::Stdout) => return Ok(Plan::Stdout),
            Some(Stream::Stderr) => return Ok(Plan::Stderr),
            None => {}
        }
    }
    let target = resolve_links(path)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write {}: the directory {} does not exist",
            target.display(),
            dir.display()
        );
    }
    Ok(Plan::Replace { target, dir })
}

/// Writes a whole file through a temporary file in the same directory and a rename, so
/// no reader ever sees it half-written. A path that exists and is not a regular file
/// (a device, a pipe) is written to directly and never replaced, and so is the file a
/// standard stream goes to (`-o /dev/stdout > report.md`). A symbolic link is followed:
/// the file it leads to is replaced, the link stays.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_group(&[(To::File(path), bytes)])
}

/// Writes files as one group, each as [`write_file`] writes it: every temporary file is
/// written whole first, then what goes in place (standard output, devices, pipes), then
/// the temporary files are all renamed under one lock. A failure before the renames
/// leaves none of the group's files; a failed rename removes those renamed before it; an
/// interrupt finds the group either not renamed (its temporary files are removed) or
/// renamed whole.
pub fn write_group(files: &[(To<'_>, &[u8])]) -> Result<()> {
    let mut plans = Vec::with_capacity(files.len());
    for (to, bytes) in files {
        let plan = match to {
            To::Stdout => Plan::Stdout,
            To::File(path) => plan(path)?,
        };
        plans.push((plan, *bytes));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (plan, _) in &plans {
        if let Plan::Replace { target, dir } = plan {
            let name = target.file_name().unwrap_or(target.as_os_str());
            let canonical = dir
                .canonicalize()
                .unwrap_or_else(|_| dir.clone())
                .join(name);
            if !seen.insert(canonical) {
                anyhow::bail!(
                    "{} would be written twice in one run; choose another name",
                    target.display()
                );
            }
        }
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".escape-report-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created like any other file: 0666 less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temporaries = Vec::new();
    for (plan, bytes) in &plans {
        let Plan::Replace { target, dir } = plan else {
            continue;
        };
        let mut temp = Temporary::create(&builder, dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        let file = temp.file();
        // A file replaced keeps its permissions (a report kept private stays private);
        // set before anything is written.
        if let Ok(meta) = std::fs::metadata(target) {
            file.as_file()
                .set_permissions(meta.permissions())
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        // Through the plain file: the temporary's own writer would name its path, which
        // is gone by the time the error is read.
        file.as_file_mut()
            .write_all(bytes)
            .and_then(|_| file.as_file().sync_all())
            .with_context(|| format!("cannot write {}", target.display()))?;
        temporaries.push((temp, target.clone()));
    }
    for (plan, bytes) in &plans {
        match plan {
            Plan::Stdout => stdout(bytes)?,
            Plan::Stderr => write_closed_pipe_ok(&mut io::stderr().lock(), bytes)
                .context("cannot write to standard error")?,
            Plan::InPlace(path) => write_in_place(path, bytes)?,
            Plan::Replace { .. } => {}
        }
    }
    if !temporaries.is_empty() {
        pause_before_rename();
        persist_all(temporaries)?;
    }
    Ok(())
}
