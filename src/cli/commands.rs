//! One function per command: read, compute, and print or write. Exit codes are decided here.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::CommandFactory;

use super::args::{
    Cli, GateArgs, ImportArgs, InitArgs, InputArgs, MetricsArgs, RenderArgs, TemplatesCommand,
};
use super::output;
use super::table::{Align, Table};
use crate::ingest::Ingest;
use crate::input::Source;
use crate::metrics::{Metrics, PeriodChoice, Settings};
use crate::model::period::Period;
use crate::model::{Config, Outcome};
use crate::text::{count, hours, int, opt_pct, pct};

/// Exit code when a gate is exceeded.
pub const EXIT_GATE: u8 = 1;
/// Exit code for usage, input and output errors.
pub const EXIT_ERROR: u8 = 2;

/// An error whose message was already printed; only the exit code remains.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("errors were reported")
    }
}

impl std::error::Error for Reported {}

/// Everything read from the inputs, plus what is needed to talk about it.
struct Loaded {
    metrics: Metrics,
    settings: Settings,
}

fn load(args: &InputArgs) -> Result<Loaded> {
    crate::progress::set_quiet(args.quiet);
    let (config, _) = Config::load(args.config.as_deref())?;
    let settings = Settings::from_config(&config)?;
    let choice = match &args.period {
        Some(text) => PeriodChoice::Given(Period::parse(text, &config.sprints)?),
        None => PeriodChoice::LatestFullQuarter,
    };
    let mut ingest = Ingest::new(&config, choice);
    if !args.deployments.is_empty() {
        let sources: Vec<Source> = args.deployments.iter().map(|d| Source::parse(d)).collect();
        ingest.read_deployments(&sources, &config)?;
    }
    for file in &args.files {
        ingest.read(&Source::parse(file), args.input_format.clone())?;
    }
    if args.strict && ingest.quality().findings_total > 0 {
        print_findings(ingest.quality(), true);
        output::stderr(format_args!(
            "error: --strict: {} found in the input; fix them or run without --strict",
            count(
                ingest.quality().findings_total,
                "problem was",
                "problems were"
            )
        ));
        return Err(Reported.into());
    }
    Ok(Loaded {
        metrics: ingest.finish(&settings),
        settings,
    })
}

/// [`load`] for the commands that report figures: a whole file that could not be read
/// (a fatal finding) is named on stderr, and when no input gave a usable record there
/// is nothing to report, which is an input error rather than an empty report.
fn load_usable(args: &InputArgs) -> Result<Loaded> {
    let loaded = load(args)?;
    if !usable(&loaded, args) {
        return Err(Reported.into());
    }
    Ok(loaded)
}

/// Names on stderr each input that could not be read at all; false, with an error
/// saying so, when no input gave a usable record.
fn usable(loaded: &Loaded, args: &InputArgs) -> bool {
    usable_or_say(loaded, args, false)
}

/// [`usable`]; with `only_warn`, no usable record is said with warnings and is not a
/// failure (`metrics --json` on inputs that were read, SPEC 4).
fn usable_or_say(loaded: &Loaded, args: &InputArgs, only_warn: bool) -> bool {
    let q = &loaded.metrics.data_quality;
    let level = match q.rows_used > 0 || !only_warn {
        true => "error",
        false => "warning",
    };
    for finding in q.findings.iter().filter(|f| f.outcome == Outcome::Fatal) {
        output::stderr(format_args!("{level}: {}", printable(&finding.to_string())));
    }
    if q.rows_used > 0 {
        return true;
    }
    let skipped = q.findings.iter().filter(|f| f.outcome == Outcome::Skipped);
    for finding in skipped.take(5) {
        output::stderr(format_args!("{level}: {}", printable(&finding.to_string())));
    }
    if q.rows_skipped > 5 {
        output::stderr(format_args!(
            "… and {} more rows skipped",
            int(q.rows_skipped - 5)
        ));
    }
    let files = printable(&args.files.join(", "));
    if only_warn {
        output::stderr(format_args!(
            "warning: no usable record in {files}: the figures are null and data_quality says why (`escape-report check` lists every problem)"
        ));
    } else {
        output::stderr(format_args!(
            "error: no usable record in {files}, so there is nothing to report; fix the problems above (`escape-report check` lists every one)"
        ));
    }
    only_warn
}

/// Lists the findings on stderr; with `strict`, every one is an error.
fn print_findings(quality: &crate::metrics::DataQuality, strict: bool) {
    for finding in &quality.findings {
        let level = match finding.outcome {
            _ if strict => "error",
            Outcome::Skipped | Outcome::Fatal => "error",
            Outcome::Repaired | Outcome::Duplicate => "warning",
        };
        output::stderr(format_args!("{level}: {}", printable(&finding.to_string())));
    }
    let unlisted = quality.findings_total - quality.findings.len() as u64;
    if unlisted > 0 {
        output::stderr(format_args!("… and {unlisted} more findings not listed"));
    }
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    stdin_once(&cli.command)?;
    match cli.command {
        super::args::Command::Check(args) => check(&args),
        super::args::Command::Summary(args) => summary(&args),
        super::args::Command::Metrics(args) => metrics(&args),
        super::args::Command::Gate(args) => gate(&args),
        super::args::Command::Init(args) => init(&args),
        super::args::Command::Render(args) => render(&args),
        super::args::Command::Import(args) => import(&args),
        super::args::Command::Templates(TemplatesCommand::Export { dir, force }) => {
            export_templates(&dir, force)
        }
        super::args::Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "escape-report", &mut out);
            output::stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Refuses, before anything is read, a command line that names standard input more
/// than once (two inputs, or an input and the deployments): it can be read only once.
fn stdin_once(command: &super::args::Command) -> Result<()> {
    use super::args::Command;
    let (files, deployments): (&[String], &[String]) = match command {
        Command::Check(a) | Command::Summary(a) => (&a.files, &a.deployments),
        Command::Metrics(a) => (&a.input.files, &a.input.deployments),
        Command::Gate(a) => (&a.input.files, &a.input.deployments),
        Command::Render(a) => (&a.input.files, &a.input.deployments),
        Command::Import(a) => (&a.files, &[]),
        Command::Templates(_) | Command::Init(_) | Command::Completions { .. } => return Ok(()),
    };
    if files
        .iter()
        .chain(deployments)
        .filter(|f| *f == "-")
        .count()
        > 1
    {
        bail!("standard input (-) can be read only once; name it once");
    }
    Ok(())
}

fn check(args: &InputArgs) -> Result<ExitCode> {
    let loaded = load(args)?;
    let q = &loaded.metrics.data_quality;
    print_findings(q, false);
    let mut out = String::new();
    for f in &q.files {
        out.push_str(&format!(
            "{} ({}): {} read, {} used, {} skipped, {}\n",
            f.file,
            f.format,
            count(f.rows_read, "row", "rows"),
            int(f.rows_used),
            int(f.rows_skipped),
            count(f.duplicates, "duplicate", "duplicates"),
        ));
    }
    for f in &q.deployment_files {
        out.push_str(&format!(
            "{} (deployments): {} read, {} used ({} to production), {} skipped\n",
            f.file,
            count(f.rows_read, "row", "rows"),
            int(f.rows_used),
            int(f.production),
            int(f.rows_skipped),
        ));
    }
    if q.files.len() > 1 {
        out.push_str(&format!(
            "total: {} read, {} used, {} skipped, {}\n",
            count(q.rows_read, "row", "rows"),
            int(q.rows_used),
            int(q.rows_skipped),
            count(q.duplicates, "duplicate", "duplicates"),
        ));
    }
    // (With --strict, any finding has already ended the run in `load`.)
    let failed = q.has_errors();
    let repaired: u64 = q.repaired_by_reason.values().sum();
    let mut warnings = Vec::new();
    if repaired > 0 {
        warnings.push(count(
            repaired,
            "value was repaired",
            "values were repaired",
        ));
    }
    if q.duplicates > 0 {
        warnings.push(format!(
            "{} counted once",
            count(q.duplicates, "repeated id was", "repeated ids were")
        ));
    }
    let warnings = warnings.join(" and ");
    out.push_str(&if failed {
        "check failed: rows were rejected (listed above on stderr); fix them and run again\n"
            .to_string()
    } else if q.findings_total > 0 {
        format!("check passed with warnings: no row was rejected; {warnings} (listed above on stderr)\n")
    } else {
        "check passed: every row is usable\n".to_string()
    });
    output::stdout(out.as_bytes())?;
    Ok(if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

/// The JSON is written whenever the inputs could be read (SPEC 4), even when no row
/// was usable (every row skipped, a header without rows, an empty file): the figures
/// are then null and its data quality says why, which is what a tool reading it needs.
/// It is an error only when no row was usable and an input could not be read at all
/// (a header without the required columns, a file that is not JSON).
fn metrics(args: &MetricsArgs) -> Result<ExitCode> {
    let loaded = load(&args.input)?;
    let q = &loaded.metrics.data_quality;
    let unreadable = q
        .findings
        .iter()
        .any(|f| f.outcome == Outcome::Fatal && !matches!(f.reason, "empty file" | "no rows"));
    let ok = usable_or_say(&loaded, &args.input, !unreadable);
    let mut json = serde_json::to_string_pretty(&loaded.metrics)?;
    json.push('\n');
    output::stdout(json.as_bytes())?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ERROR)
    })
}

fn gate(args: &GateArgs) -> Result<ExitCode> {
    for (name, value) in [
        ("--max-escape-rate", Some(args.max_escape_rate)),
        ("--max-weighted", args.max_weighted),
    ] {
        if let Some(v) = value {
            if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
                bail!("{name} takes a percentage from 0 to 100, not {v}");
            }
        }
    }
    let loaded = load_usable(&args.input)?;
    let m = &loaded.metrics;
    let label = m.period.label.as_deref().unwrap_or("no period");
    let Some(rate) = m.totals.escape_rate else {
        output::stdout(
            format!("gate passed: {label} has no problems, so there is no escape rate to check\n")
                .as_bytes(),
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    let checks = [
        ("escape rate", Some(rate), Some(args.max_escape_rate)),
        (
            "severity-weighted escape rate",
            m.totals.weighted_escape_rate,
            args.max_weighted,
        ),
    ];
    for (name, value, limit) in checks {
        let (Some(value), Some(limit)) = (value, limit) else {
            continue;
        };
        // The limit as a fraction: a rate of 7 in 100 is then exactly a limit of 7 %
        // (both are the nearest double to 7/100), where `value * 100.0` is 7.000…01.
        let exceeded = value > limit / 100.0;
        let line = format!(
            "{name} {} {} the limit of {limit} %",
            pct(value),
            if exceeded { "exceeds" } else { "is within" }
        );
        if exceeded {
            failures.push(line.clone());
        }
        lines.push(line);
    }
    let verdict = if failures.is_empty() {
        "passed"
    } else {
        "failed"
    };
    let text = format!(
        "gate {verdict} for {label} ({} escaped of {}): {}\n",
        m.totals.escaped,
        count(m.totals.problems, "problem", "problems"),
        lines.join("; ")
    );
    output::stdout(text.as_bytes())?;
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_GATE)
    })
}

fn init(args: &InitArgs) -> Result<ExitCode> {
    if args.path.exists() && !args.force {
        bail!(
            "{} already exists; use --force to replace it",
            args.path.display()
        );
    }
    output::write_file(&args.path, crate::model::config::default_toml().as_bytes())?;
    output::stderr(format_args!(
        "wrote {}: every key is optional, delete what you do not change",
        args.path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn summary(args: &InputArgs) -> Result<ExitCode> {
    let loaded = load_usable(args)?;
    let style = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = summary_text(&loaded.metrics, style);
    output::stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The terminal summary; `style` adds ANSI bold to headings.
pub fn summary_text(m: &Metrics, style: bool) -> String {
    let heading = |s: &str| {
        if style {
            format!("\x1b[1m{s}\x1b[0m\n")
        } else {
            format!("{s}\n")
        }
    };
    let mut out = String::new();
    let t = &m.totals;
    let period = match (&m.period.label, &m.period.start, &m.period.end) {
        (Some(label), Some(start), Some(end)) => format!("{label} ({start} to {end})"),
        _ => "no period: no usable rows".to_string(),
    };
    out.push_str(&heading(&format!(
        "Escaped problems, {period}, boundary {}",
        m.boundary
    )));
    out.push('\n');
    if t.problems == 0 {
        out.push_str("  No problems were found in this period.\n");
        if let (Some(first), Some(last)) = (&m.data_range.first, &m.data_range.last) {
            let latest = chrono::NaiveDate::parse_from_str(last, "%Y-%m-%d")
                .map(|d| crate::model::Quarter::of(d).to_string())
                .unwrap_or_default();
            out.push_str(&format!(
                "  The data runs from {first} to {last}; choose a period with data, e.g. --period {latest}.\n"
            ));
        }
    } else {
        let mut facts = Table::new(&[("", Align::Left), ("", Align::Right), ("", Align::Left)]);
        facts.row(vec![
            "Problems found".into(),
            t.problems.to_string(),
            String::new(),
        ]);
        facts.row(vec![
            "Escaped".into(),
            t.escaped.to_string(),
            format!(
                "escape rate {} (95 % interval {} to {}), {}",
                opt_pct(t.escape_rate),
                opt_pct(t.ci95_low),
                opt_pct(t.ci95_high),
                t.band.as_deref().unwrap_or("")
            ),
        ]);
        facts.row(vec![
            "Severity-weighted".into(),
            opt_pct(t.weighted_escape_rate),
            String::new(),
        ]);
        facts.row(vec![
            "Detection rate".into(),
            opt_pct(t.detection_rate),
            String::new(),
        ]);
        let money = match (t.cost_money, &t.currency) {
            (Some(v), Some(c)) => format!(", about {}", crate::text::money(v, c)),
            _ => String::new(),
        };
        facts.row(vec![
            "Cost of escapes".into(),
            format!("{} h", hours(t.cost_hours)),
            format!("{} h estimated{money}", hours(t.estimated_hours)),
        ]);
        if let Some(prev) = &m.previous {
            if let Some(label) = &prev.period.label {
                facts.row(vec![
                    format!("Previous ({label})"),
                    opt_pct(prev.escape_rate),
                    format!(
                        "{} escaped of {}",
                        prev.escaped,
                        count(prev.problems, "problem", "problems")
                    ),
                ]);
            }
        }
        let rendered = facts.render(false);
        out.extend(
            rendered
                .lines()
                .skip(1)
                .map(|l| format!("{}\n", l.trim_end())),
        );
        if t.small_sample {
            out.push_str(&format!(
                "  Note: these rates rest on only {}; read them as rough.\n",
                count(t.problems, "problem", "problems")
            ));
        }
        out.push('\n');
        let mut types = Table::new(&[
            ("Type", Align::Left),
            ("Escaped", Align::Right),
            ("Share", Align::Right),
            ("Hours", Align::Right),
            ("Estimated h", Align::Right),
        ]);
        for row in &m.by_type {
            types.row(vec![
                row.kind.as_str().into(),
                row.escaped.to_string(),
                opt_pct(row.share),
                hours(row.cost_hours),
                hours(row.estimated_hours),
            ]);
        }
        out.push_str(&types.render(style));
        out.push('\n');
        let mut stages = Table::new(&[
            ("Stage", Align::Left),
            ("Found", Align::Right),
            ("Leakage", Align::Right),
        ]);
        for row in &m.stages {
            stages.row(vec![
                row.stage.clone(),
                row.found.to_string(),
                opt_pct(row.leakage),
            ]);
        }
        out.push_str(&stages.render(style));
        out.push('\n');
    }
    if !m.quarters.is_empty() {
        let mut quarters = Table::new(&[
            ("Quarter", Align::Left),
            ("Problems", Align::Right),
            ("Escaped", Align::Right),
            ("Rate", Align::Right),
            ("Hours", Align::Right),
        ]);
        for q in &m.quarters {
            quarters.row(vec![
                q.label.clone(),
                q.problems.to_string(),
                q.escaped.to_string(),
                opt_pct(q.escape_rate),
                hours(q.cost_hours),
            ]);
        }
        out.push_str(&quarters.render(style));
        let trends: Vec<String> = m
            .trends
            .iter()
            .map(|t| format!("{} {}", t.kind.as_str(), t.direction.as_str()))
            .collect();
        out.push_str(&format!("  Trends: {}\n\n", trends.join(", ")));
    }
    for signal in &m.integrity.signals {
        out.push_str(&format!("  Note: {signal}\n"));
    }
    let q = &m.data_quality;
    out.push_str(&format!(
        "  Data quality: {} read, {} used, {} skipped, {}; {} unclassified, {} to verify, {} with estimated cost.\n",
        count(q.rows_read, "row", "rows"),
        int(q.rows_used),
        int(q.rows_skipped),
        count(q.duplicates, "duplicate", "duplicates"),
        int(q.unclassified),
        int(q.to_verify),
        q.estimated_costs
    ));
    if q.findings_total > 0 {
        out.push_str("  Run `escape-report check` on the same files to list the findings.\n");
    }
    out
}

fn export_templates(dir: &std::path::Path, force: bool) -> Result<ExitCode> {
    if !force {
        if let Some((name, _)) = crate::render::templates::BUILT_IN
            .iter()
            .find(|(name, _)| dir.join(name).exists())
        {
            bail!(
                "{} already exists; use --force to replace the templates there",
                dir.join(name).display()
            );
        }
    }
    let created = create_dirs(dir, "the templates directory")?;
    let paths: Vec<std::path::PathBuf> = crate::render::templates::BUILT_IN
        .iter()
        .map(|(name, _)| dir.join(name))
        .collect();
    let group: Vec<(output::To<'_>, &[u8])> = paths
        .iter()
        .zip(crate::render::templates::BUILT_IN)
        .map(|(path, (_, text))| (output::To::File(path), text.as_bytes()))
        .collect();
    // All the templates or none, and no directory left behind when none.
    if let Err(e) = output::write_group(&group) {
        for dir in &created {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(e);
    }
    output::stderr(format_args!(
        "wrote {} templates to {}; use them with `render --templates {}`",
        crate::render::templates::BUILT_IN.len(),
        dir.display(),
        dir.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Where Markdown's chart files go and how the document links them.
struct ChartPlace {
    dir: std::path::PathBuf,
    /// Prefix of each file name on disk.
    file_prefix: String,
    /// Prefix of each link, percent-encoded for CommonMark.
    link_prefix: String,
}

fn render(args: &RenderArgs) -> Result<ExitCode> {
    use crate::render::{ChartFiles, OutputFormat};
    let output = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    let inputs = Inputs::of(
        &args.input.files,
        &args.input.deployments,
        args.input.config.as_deref(),
        args.templates.as_deref(),
    );
    if let Some(out) = output {
        inputs.refuse(out, "the output", "write the report somewhere else")?;
    }
    // Load templates first so a broken template is reported before reading large inputs.
    let templates = crate::render::Templates::load(args.templates.as_deref())?;
    let loaded = load_usable(&args.input)?;
    let report = crate::narrative::build(&loaded.metrics, &loaded.settings, args.audience);
    let charts = if args.no_charts {
        Vec::new()
    } else {
        crate::charts::all(&loaded.metrics, &loaded.settings.bands)
    };
    let target = output.map(output::Target::of);
    let place = if args.format != OutputFormat::Md || args.no_charts {
        None
    } else if let Some(dir) = &args.charts_dir {
        // Links are relative to the report's directory (the charts directory as given
        // when the report goes to standard output).
        let link = match output {
            Some(out) => relative_to(out.parent().unwrap_or(std::path::Path::new("")), dir),
            None => dir.clone(),
        };
        let mut prefix = link.display().to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Some(ChartPlace {
            dir: dir.clone(),
            file_prefix: String::new(),
            link_prefix: link_destination(&prefix),
        })
    } else {
        match (output, &target) {
            (Some(out), Some(output::Target::File)) => {
                let stem = out
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "report".into());
                let dir = out
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| std::path::PathBuf::from("."), |p| p.to_path_buf());
                Some(ChartPlace {
                    dir,
                    link_prefix: link_destination(&format!("{stem}-")),
                    file_prefix: format!("{stem}-"),
                })
            }
            _ => None,
        }
    };
    let files = place.as_ref().map(|p| ChartFiles {
        link_prefix: p.link_prefix.clone(),
    });
    let rendered = if args.format == OutputFormat::Pdf {
        if output.is_none() && std::io::stdout().is_terminal() {
            bail!("a PDF is not for the terminal; write it with -o report.pdf, or pipe it");
        }
        let options = crate::render::pdf::PdfOptions {
            paper: args.paper,
            creation_date: creation_date(&loaded.metrics),
        };
        crate::render::Rendered {
            document: crate::render::pdf::render_pdf(&report, &charts, &options)?,
            attachments: Vec::new(),
        }
    } else {
        let guard = watchdog(args.templates.as_deref());
        let rendered =
            crate::render::render(&templates, &report, &charts, args.format, files.as_ref());
        drop(guard);
        rendered?
    };
    let mut chart_files = Vec::new();
    if let Some(place) = &place {
        for (name, bytes) in &rendered.attachments {
            let file = format!("{}{name}", place.file_prefix);
            let path = if place.dir.as_os_str() == "." {
                std::path::PathBuf::from(file)
            } else {
                place.dir.join(file)
            };
            if path.is_dir() {
                bail!(
                    "the chart file {} is a directory; move it, or choose another -o name or --charts-dir",
                    path.display()
                );
            }
            inputs.refuse(
                &path,
                "the chart file",
                "choose another -o name or --charts-dir",
            )?;
            chart_files.push((path, bytes.as_slice()));
        }
    }
    // Only a directory named with --charts-dir is created, before anything is written.
    let created = match (&place, &args.charts_dir) {
        (Some(place), Some(_)) => create_dirs(&place.dir, "--charts-dir")?,
        _ => Vec::new(),
    };
    let mut group = vec![(
        output.map_or(output::To::Stdout, output::To::File),
        rendered.document.as_slice(),
    )];
    group.extend(
        chart_files
            .iter()
            .map(|(path, bytes)| (output::To::File(path), *bytes)),
    );
    if let Err(e) = output::write_group(&group) {
        for dir in &created {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(e);
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates `dir` (`what` names it in errors) and its missing parents; returns those it
/// created, deepest first, so a failed write can remove them again. On failure, removes
/// what it created.
fn create_dirs(dir: &std::path::Path, what: &str) -> Result<Vec<std::path::PathBuf>> {
    let missing: Vec<std::path::PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
        .map(|d| d.to_path_buf())
        .collect();
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "{what} {} is a file, not a directory; name a directory (it is created when missing)",
            dir.display()
        );
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        for d in &missing {
            let _ = std::fs::remove_dir(d);
        }
        return Err(e).with_context(|| format!("cannot create {}", dir.display()));
    }
    output::remember_created_dirs(&missing);
    Ok(missing)
}

/// The path from directory `from` to `to`, both taken from the current directory when
/// relative and tidied of `.` and `..` without asking the file system:
/// `relative_to("out", "charts")` is `../charts`.
fn relative_to(from: &std::path::Path, to: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let here = std::env::current_dir().unwrap_or_default();
    let tidy = |path: &std::path::Path| {
        let mut parts: Vec<std::ffi::OsString> = Vec::new();
        for component in here.join(path).components() {
            match component {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(part) => parts.push(part.to_os_string()),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        parts
    };
    let (from, to) = (tidy(from), tidy(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut link = std::path::PathBuf::new();
    for _ in common..from.len() {
        link.push("..");
    }
    for part in &to[common..] {
        link.push(part);
    }
    link
}

/// A path prefix as a CommonMark link destination that leads to the file whatever its
/// name: every byte but ASCII letters, digits and `-._~/` is percent-encoded (spaces,
/// parentheses, `<`, `>`, `%`, `#`, `?`, `&`, `\`, control and non-ASCII bytes).
fn link_destination(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for b in prefix.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else if cfg!(windows) && b == b'\\' {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The files a run reads, each with what it is, so no output replaces one of them.
struct Inputs {
    files: Vec<(std::path::PathBuf, &'static str)>,
}

impl Inputs {
    /// The positional inputs, the deployments files, the configuration (named, or
    /// ./escape-report.toml when present, as [`Config::load`] finds it) and the templates
    /// read from `templates` (its .md and .html files, as `Templates::load` reads them).
    fn of(
        files: &[String],
        deployments: &[String],
        config: Option<&std::path::Path>,
        templates: Option<&std::path::Path>,
    ) -> Inputs {
        let named = |list: &[String], what| {
            list.iter()
                .filter(|f| *f != "-")
                .map(move |f| (std::path::PathBuf::from(f), what))
                .collect::<Vec<_>>()
        };
        let mut all = named(files, "an input");
        all.extend(named(deployments, "the deployments file"));
        match config {
            Some(path) => all.push((path.to_path_buf(), "the configuration")),
            None => {
                let path = std::path::PathBuf::from(crate::model::config::CONFIG_FILE_NAME);
                if path.is_file() {
                    all.push((path, "the configuration"));
                }
            }
        }
        if let Some(entries) = templates.and_then(|dir| std::fs::read_dir(dir).ok()) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".md") || name.ends_with(".html") {
                    all.push((entry.path(), "a template"));
                }
            }
        }
        Inputs { files: all }
    }

    /// Refuses to write `out` (`what`, e.g. "the output") when it is one of the inputs;
    /// `advice` says what to do instead.
    fn refuse(&self, out: &std::path::Path, what: &str, advice: &str) -> Result<()> {
        // A device or a pipe is written in place, never replaced.
        if std::fs::metadata(out).is_ok_and(|m| !m.is_file()) {
            return Ok(());
        }
        if let Some((_, kind)) = self.files.iter().find(|(input, _)| same_file(out, input)) {
            let kind = match *kind {
                "an input" => String::new(),
                other => format!(" ({other})"),
            };
            bail!("{what} {} is also an input{kind}; {advice}", out.display());
        }
        Ok(())
    }
}

/// Whether two paths name the same file: the same device and inode when both exist
/// (hard links, symbolic links), else the same canonical path.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn import(args: &ImportArgs) -> Result<ExitCode> {
    crate::progress::set_quiet(args.quiet);
    let output = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    if let Some(out) = output {
        Inputs::of(&args.files, &[], args.config.as_deref(), None).refuse(
            out,
            "the output",
            "write the CSV somewhere else",
        )?;
    }
    let (config, _) = Config::load(args.config.as_deref())?;
    let mut ingest = Ingest::new(&config, PeriodChoice::LatestFullQuarter);
    ingest.export_rows();
    for file in &args.files {
        ingest.read(&Source::parse(file), Some(args.source.clone()))?;
    }
    let (bytes, quality) = ingest.exported();
    print_findings(&quality, args.strict);
    if args.strict && quality.findings_total > 0 {
        output::stderr(format_args!(
            "error: --strict: {} found; nothing was written",
            count(quality.findings_total, "problem was", "problems were")
        ));
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    if quality.rows_used == 0 {
        // As the other commands: nothing usable is an error, not an empty file.
        output::stderr(format_args!(
            "error: no usable record in {}, so nothing was written; fix the problems above (`escape-report check --input-format {}` lists every one)",
            printable(&args.files.join(", ")),
            args.source.name()
        ));
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    match output {
        Some(out) => output::write_file(out, &bytes)?,
        None => output::stdout(&bytes)?,
    }
    let skipped: Vec<String> = quality
        .skipped_by_reason
        .iter()
        .map(|(reason, n)| format!("{} {reason}", int(*n)))
        .collect();
    output::stderr(format_args!(
        "imported {} of {} as {}: {} skipped{}, {}",
        int(quality.rows_used),
        count(quality.rows_read, "record", "records"),
        args.source.name(),
        int(quality.rows_skipped),
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({})", skipped.join(", "))
        },
        count(quality.duplicates, "duplicate", "duplicates"),
    ));
    Ok(ExitCode::SUCCESS)
}

/// The PDF's creation date: `SOURCE_DATE_EPOCH` when set, else the day after the period
/// ends (never the clock, so the same input gives the same bytes).
fn creation_date(m: &Metrics) -> i64 {
    if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") {
        match value.trim().parse::<i64>() {
            Ok(epoch) => return epoch,
            Err(_) => output::stderr(format_args!(
                "warning: SOURCE_DATE_EPOCH '{}' is not a whole number of seconds since 1970, so the PDF is dated the day after the period instead",
                printable(&value)
            )),
        }
    }
    m.period
        .end
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or(0, |d| {
            (crate::model::time::start_of(d) + crate::model::time::MICROS_PER_DAY)
                / crate::model::time::MICROS_PER_SECOND
        })
}

/// How long templates may run (`ESCAPE_REPORT_TEMPLATE_SECONDS` overrides it), and how
/// much memory the process may reach meanwhile.
const TEMPLATE_SECONDS: u64 = 10;
const TEMPLATE_MEMORY: u64 = 1 << 30;

/// Stops the program with a clear error when a user's templates loop or grow without
/// end (tera has no limits of its own); dropping the guard ends the watch.
fn watchdog(dir: Option<&std::path::Path>) -> Option<std::sync::mpsc::Sender<()>> {
    let dir = dir?.display().to_string();
    let seconds = std::env::var("ESCAPE_REPORT_TEMPLATE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(TEMPLATE_SECONDS);
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let step = std::time::Duration::from_millis(100);
        for _ in 0..seconds * 10 {
            match wait.recv_timeout(step) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                _ => return,
            }
            if resident_bytes().is_some_and(|b| b > TEMPLATE_MEMORY) {
                output::stderr(format_args!("error: the templates in {dir} use more than {} GB of memory (a loop that grows a value?); fix them or render without --templates", TEMPLATE_MEMORY >> 30));
                std::process::exit(EXIT_ERROR.into());
            }
        }
        output::stderr(format_args!("error: the templates in {dir} ran for more than {seconds} s (a loop that does not end?); fix them or render without --templates"));
        std::process::exit(EXIT_ERROR.into());
    });
    Some(done)
}

/// Resident memory of this process, where the system tells it (Linux).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// An error message made safe for a terminal: it may quote what was typed (`--period`)
/// or read, so control characters are shown as `\u{…}` (line breaks and tabs, which
/// messages use, stay).
pub(crate) fn printable_error(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(printable)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text from the data made safe for a terminal: control characters (escape sequences
/// could retitle or clear it) and invisible ones (a right-to-left override shows the
/// rest of the line backwards; a zero-width space hides a difference) shown as `\u{…}`,
/// and very long text cut.
fn printable(text: &str) -> String {
    const MAX: usize = 2000;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || crate::model::finding::invisible(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}
