//! The progress bar on standard error for reads that last. When standard error is a
//! terminal (and `--quiet` was not given) every input gets a hidden bar that shows once
//! its read has run for [`REVEAL_AFTER`], so a quick run prints nothing; a piped
//! standard error gets no bar at all.

use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a read runs before its bar shows.
const REVEAL_AFTER: Duration = Duration::from_secs(1);

/// How often a shown bar is redrawn (elapsed time and the spinner move on even while
/// the input waits).
const TICK: Duration = Duration::from_millis(100);

/// Rows are counted for the bar in steps of this many.
pub const ROW_STEP: u64 = 4096;

static QUIET: AtomicBool = AtomicBool::new(false);

/// The bar of the input being read: for a second reader of the same file and for the
/// row counts.
static CURRENT: Mutex<Option<Arc<Shared>>> = Mutex::new(None);

/// Turns progress bars off (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// `input` itself, or `input` counted by a hidden progress bar that shows when the
/// read lasts. `size` is the input's length in bytes when known (a regular file; for a
/// compressed file, its compressed size, which is what `input` yields); without it the
/// bar is a spinner with bytes, rows and rate.
pub fn wrap<R: Read + Send + 'static>(
    input: R,
    name: &str,
    size: Option<u64>,
) -> Box<dyn Read + Send> {
    if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
        return Box::new(input);
    }
    let shared = Arc::new(Shared::new(
        name,
        size,
        Reveal::new(Instant::now(), REVEAL_AFTER),
        ProgressDrawTarget::stderr,
    ));
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(shared.clone());
    }
    Box::new(Finishing(Counted {
        inner: input,
        shared,
    }))
}

/// Another handle on the file [`wrap`] opened last, counted by the same bar (when it
/// has one): a second thread reading part of the file. The bytes it adds to the bar
/// are also added to `added`, so that they can be taken back (see [`take_back`]).
pub fn wrap_more(file: std::fs::File, added: Arc<AtomicU64>) -> Box<dyn Read + Send> {
    let shared = CURRENT.lock().ok().and_then(|current| current.clone());
    match shared {
        Some(shared) if !shared.bar.is_finished() => Box::new(Also {
            counted: Counted {
                inner: file,
                shared,
            },
            added,
        }),
        _ => Box::new(file),
    }
}

/// Takes `bytes` and `rows` off the bar of the input being read: the work of a second
/// reader that was dropped, whose part of the file is read again.
pub fn take_back(bytes: u64, rows: u64) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(shared) = current.as_ref() {
            shared
                .bar
                .set_position(shared.bar.position().saturating_sub(bytes));
            let left = shared.rows.load(Ordering::Relaxed).saturating_sub(rows);
            shared.rows.store(left, Ordering::Relaxed);
            shared.bar.set_prefix(crate::text::int(left));
        }
    }
}

/// A [`Counted`] reader that also keeps its own count.
struct Also<R> {
    counted: Counted<R>,
    added: Arc<AtomicU64>,
}

impl<R: Read> Read for Also<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.counted.read(buf)?;
        self.added.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Counts `n` more rows read from the input being read (readers report every
/// [`ROW_STEP`] rows).
pub fn add_rows(n: u64) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(shared) = current.as_ref() {
            shared.add_rows(n);
        }
    }
}

/// Clears the bar of the input being read, if one shows: for a run stopped by a signal,
/// so the terminal is not left with a stale line.
pub fn clear() {
    if let Ok(current) = CURRENT.try_lock() {
        if let Some(shared) = current.as_ref() {
            shared.bar.finish_and_clear();
        }
    }
}

/// When a hidden bar is due to show: the first time it is asked at least `after` past
/// `start`, and never again.
struct Reveal {
    start: Instant,
    after: Duration,
    shown: AtomicBool,
}

impl Reveal {
    fn new(start: Instant, after: Duration) -> Reveal {
        Reveal {
            start,
            after,
            shown: AtomicBool::new(false),
        }
    }

    fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// True exactly once, at the first `now` at least `after` past the start.
    fn due(&self, now: Instant) -> bool {
        !self.is_shown()
            && now.saturating_duration_since(self.start) >= self.after
            && !self.shown.swap(true, Ordering::Relaxed)
    }
}

/// One input's bar, shared by the readers of that input.
struct Shared {
    bar: ProgressBar,
    reveal: Reveal,
    /// Where the bar draws once shown (standard error; a recorder in tests).
    target: fn() -> ProgressDrawTarget,
    rows: AtomicU64,
}

impl Shared {
    fn new(
        name: &str,
        size: Option<u64>,
        reveal: Reveal,
        target: fn() -> ProgressDrawTarget,
    ) -> Shared {
        // Both fit in 80 columns.
        let template = if size.is_some() {
            "{msg} [{bar:20}] {bytes}/{total_bytes}, {prefix} rows, {eta} left"
        } else {
            "{spinner} {msg}: {bytes} read, {prefix} rows, {bytes_per_sec}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        // Prefix and message are set before the bar can draw, so no frame lacks them.
        let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::hidden())
            .with_prefix("0")
            .with_message(shortened(name, MAX_NAME))
            .with_style(style);
        Shared {
            bar,
            reveal,
            target,
            rows: AtomicU64::new(0),
        }
    }

    /// Shows the bar when the read has run long enough: one atomic load per call once
    /// it shows, a clock reading before.
    fn check(&self) {
        if !self.reveal.is_shown() && self.reveal.due(Instant::now()) {
            self.bar.set_draw_target((self.target)());
            // Drawn at once: a steady tick draws only from its own thread, later.
            self.bar.tick();
            self.bar.enable_steady_tick(TICK);
        }
    }

    fn add_rows(&self, n: u64) {
        let total = self.rows.fetch_add(n, Ordering::Relaxed) + n;
        self.bar.set_prefix(crate::text::int(total));
        self.check();
    }
}

/// The most characters of an input's name a bar shows.
const MAX_NAME: usize = 24;

/// `name`, or its start and end around an ellipsis when it has more than `max` characters.
fn shortened(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_string();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let start: String = name.chars().take(head).collect();
    let end: String = name.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// Counts the bytes read into a shared bar and shows the bar when it is due.
struct Counted<R> {
    inner: R,
    shared: Arc<Shared>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.shared.bar.inc(n as u64);
        self.shared.check();
        Ok(n)
    }
}

/// The first reader of an input: clears its bar (nothing, if it never showed) when
/// the input is done with.
struct Finishing<R>(Counted<R>);

impl<R: Read> Read for Finishing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R> Drop for Finishing<R> {
    fn drop(&mut self) {
        let shared = &self.0.shared;
        shared.bar.finish_and_clear();
        if let Ok(mut current) = CURRENT.lock() {
            if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, shared)) {
                *current = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// What the bars of the tests drew, per thread (tests run side by side).
    static DRAWN: Mutex<Vec<(std::thread::ThreadId, String)>> = Mutex::new(Vec::new());

    #[derive(Debug)]
    struct Recorder(std::thread::ThreadId);

    impl Recorder {
        fn push(&self, text: &str) -> std::io::Result<()> {
            DRAWN.lock().unwrap().push((self.0, text.to_string()));
            Ok(())
        }
    }

    impl indicatif::TermLike for Recorder {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.push(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.push(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.push("<clear>")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn recorder() -> ProgressDrawTarget {
        ProgressDrawTarget::term_like(Box::new(Recorder(std::thread::current().id())))
    }

    fn drawn() -> String {
        let me = std::thread::current().id();
        let drawn = DRAWN.lock().unwrap();
        drawn
            .iter()
            .filter(|(id, _)| *id == me)
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads 1 MiB through a bar that shows after `after`, reporting rows midway.
    fn read_through(size: Option<u64>, after: Duration) -> Arc<Shared> {
        let shared = Arc::new(Shared::new(
            "big.csv",
            size,
            Reveal::new(Instant::now(), after),
            recorder,
        ));
        let mut reader = Finishing(Counted {
            inner: Cursor::new(vec![b'x'; 1 << 20]),
            shared: shared.clone(),
        });
        let mut buf = [0; 64 * 1024];
        let mut first = true;
        while reader.read(&mut buf).unwrap() > 0 {
            if first {
                shared.add_rows(ROW_STEP);
                first = false;
            }
        }
        drop(reader);
        shared
    }

    #[test]
    fn long_names_are_shortened_in_the_middle() {
        assert_eq!(shortened("problems.csv", 24), "problems.csv");
        let long = shortened("defects-exported-from-jira-2025-q4-final.csv", 24);
        assert_eq!(long, "defects-exp…q4-final.csv");
        assert_eq!(long.chars().count(), 24);
    }

    #[test]
    fn a_bar_is_due_once_the_threshold_has_passed() {
        let start = Instant::now();
        let reveal = Reveal::new(start, Duration::from_secs(1));
        assert!(!reveal.due(start));
        assert!(!reveal.due(start + Duration::from_millis(999)));
        assert!(reveal.due(start + Duration::from_secs(1)));
        assert!(reveal.is_shown());
        assert!(!reveal.due(start + Duration::from_secs(2)));
    }

    #[test]
    fn a_read_quicker_than_the_threshold_draws_nothing() {
        let shared = read_through(Some(1 << 20), Duration::from_secs(3600));
        assert!(!shared.reveal.is_shown());
        assert_eq!(shared.bar.position(), 1 << 20);
        assert_eq!(drawn(), "");
    }

    #[test]
    fn a_long_read_shows_its_bar_with_a_row_count_from_the_first_frame() {
        let shared = read_through(Some(1 << 20), Duration::ZERO);
        assert!(shared.reveal.is_shown());
        assert!(shared.bar.is_finished());
        let drawn = drawn();
        let first = drawn.lines().next().unwrap_or_default();
        assert!(first.starts_with("big.csv ["), "{drawn}");
        assert!(first.contains(", 0 rows, "), "{drawn}");
        assert!(drawn.contains(", 4,096 rows, "), "{drawn}");
        assert!(first.trim_end().chars().count() <= 80, "{drawn}");
        assert!(!drawn.contains(",  rows"), "{drawn}");
        assert!(drawn.ends_with("<clear>"), "{drawn}");
    }

    #[test]
    fn input_of_unknown_size_shows_bytes_rows_and_rate_without_a_total() {
        read_through(None, Duration::ZERO);
        let drawn = drawn();
        assert!(drawn.contains(" big.csv: "), "{drawn}");
        assert!(drawn.contains(" read, 0 rows, "), "{drawn}");
        assert!(!drawn.contains('['), "{drawn}");
    }
}
