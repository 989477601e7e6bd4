//! Writing results: to standard output, or atomically to a file.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// What an output path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A regular file, or nothing yet: written atomically.
    File,
    /// A device, a pipe or another special file: written directly.
    Special,
}

impl Target {
    pub fn of(path: &Path) -> Target {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => Target::Special,
            _ => Target::File,
        }
    }
}

/// Writes a whole file through a temporary file in the same directory and a rename, so
/// no reader ever sees it half-written. A path that exists and is not a regular file
/// (a device, a pipe) is written to directly and never replaced.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            anyhow::bail!("{} is a directory; give a file name", path.display());
        }
        if !meta.is_file() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            return file
                .write_all(bytes)
                .and_then(|_| file.flush())
                .with_context(|| format!("cannot write {}", path.display()));
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".escape-report-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created like any other file: 0666 less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
