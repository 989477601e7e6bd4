//! A progress bar on standard error for long reads, only when standard error is a
//! terminal (and `--quiet` was not given); silent when piped.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

/// Files smaller than this are read too fast for a bar to help.
const MIN_BYTES: u64 = 32 * 1024 * 1024;

static QUIET: AtomicBool = AtomicBool::new(false);

/// The bar of the file being read, for a second reader of the same file.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Turns progress bars off (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The file itself, or the file counted by a progress bar when one should show.
pub fn wrap(file: std::fs::File, path: &Path) -> Box<dyn std::io::Read + Send> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let show =
        size >= MIN_BYTES && !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal();
    if !show {
        return Box::new(file);
    }
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes}, {prefix} rows, {bytes_per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    bar.set_prefix("0");
    ROWS.store(0, Ordering::Relaxed);
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(bar.clone());
    }
    Box::new(Finishing(bar.wrap_read(file)))
}

/// Rows read from the file the bar shows.
static ROWS: AtomicU64 = AtomicU64::new(0);

/// Rows are counted for the bar in steps of this many.
pub const ROW_STEP: u64 = 4096;

/// Counts `n` more rows read (readers report every [`ROW_STEP`] rows).
pub fn add_rows(n: u64) {
    let total = ROWS.fetch_add(n, Ordering::Relaxed) + n;
    if let Ok(current) = CURRENT.lock() {
        if let Some(bar) = current.as_ref() {
            bar.set_prefix(total.to_string());
        }
    }
}

/// Another handle on the file [`wrap`] opened last, counted by the same bar (when it
/// shows one): a second thread reading part of the file.
pub fn wrap_more(file: std::fs::File) -> Box<dyn std::io::Read + Send> {
    let bar = CURRENT.lock().ok().and_then(|current| current.clone());
    match bar {
        Some(bar) if !bar.is_finished() => Box::new(bar.wrap_read(file)),
        _ => Box::new(file),
    }
}

/// Clears the bar when the reader is done with.
struct Finishing(indicatif::ProgressBarIter<std::fs::File>);

impl std::io::Read for Finishing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        self.0.progress.finish_and_clear();
        if let Ok(mut current) = CURRENT.lock() {
            *current = None;
        }
    }
}
