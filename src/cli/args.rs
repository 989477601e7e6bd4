//! Command-line arguments as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::Format;

#[derive(Debug, Parser)]
#[command(
    name = "escape-report",
    version,
    about = "Turns defect and incident records into honest, readable quality reports.",
    long_about = "Turns defect and incident records into honest, readable quality reports: how many problems escaped to production, what kind they were, what they cost, and whether that is getting better.",
    after_help = "Example:\n  escape-report summary samples/problems.csv\n\nExit codes: 0 fine, 1 gate exceeded, 2 usage, input or output error, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate input files and list every finding (exit 2 when a row is rejected).
    #[command(after_help = "Example:\n  escape-report check samples/bad-rows.csv")]
    Check(InputArgs),
    /// Print the period's key figures as a table on the terminal.
    #[command(
        after_help = "Example:\n  escape-report summary samples/problems.csv --period 2026-Q2"
    )]
    Summary(InputArgs),
    /// Print every metric as one JSON object (the contract other tools read).
    #[command(
        after_help = "Example:\n  escape-report metrics samples/problems.csv --json > metrics.json"
    )]
    Metrics(MetricsArgs),
    /// Fail (exit 1) when the escape rate exceeds a limit, for CI pipelines.
    #[command(
        after_help = "Example:\n  escape-report gate samples/problems.csv --max-escape-rate 15 --max-weighted 25"
    )]
    Gate(GateArgs),
    /// Write a report for one audience as Markdown, HTML or PDF.
    #[command(
        after_help = "Examples:\n  escape-report render samples/problems.csv --audience sprint --format html -o sprint.html\n  escape-report render samples/problems.csv --audience board --format md -o board.md\n\nMarkdown written to a file gets its charts as SVG files beside it (board-escaped-by-quarter.svg, …)."
    )]
    Render(RenderArgs),
    /// Convert an export (Jira, GitHub, PagerDuty, Zendesk, Freshdesk, a mapping) to native CSV,
    /// to review and correct the classification before reporting.
    #[command(
        after_help = "Example:\n  escape-report import jira jira-export.csv -o problems.csv\n  escape-report check problems.csv && escape-report render problems.csv --audience sprint"
    )]
    Import(ImportArgs),
    /// Work with the report templates.
    #[command(
        subcommand,
        after_help = "Example:\n  escape-report templates export my-templates"
    )]
    Templates(TemplatesCommand),
    /// Write the default configuration, commented, to escape-report.toml.
    #[command(after_help = "Example:\n  escape-report init && $EDITOR escape-report.toml")]
    Init(InitArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  escape-report completions bash > ~/.local/share/bash-completion/completions/escape-report"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// What every command that reads records takes.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files: CSV, JSON array or JSON Lines, or exports (Jira, GitHub, PagerDuty,
    /// Zendesk, Freshdesk) detected from their header; plain, gzip or zstd compressed.
    /// `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Configuration file [default: ./escape-report.toml when present, else built-in defaults].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Period to report: 2025-Q4, 2025-11, 2025-W47, a sprint name, or FROM..TO
    /// [default: the latest full quarter in the data].
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Deployments (CSV or JSON: release, deployed_at, environment, status; or the GitHub or
    /// GitLab deployments API): releases per period, change failure rate, and escapes
    /// attributed to the release that shipped them.
    #[arg(long, value_name = "FILE")]
    pub deployments: Vec<String>,
    /// No progress bar (without it, one shows on stderr when it is a terminal and a read
    /// lasts more than a second).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Treat every finding (rejected or repaired row, duplicate) as an error: list them all, exit 2.
    #[arg(long)]
    pub strict: bool,
    /// Read every input as this format instead of detecting it: csv, json, jsonl, jira,
    /// github, pagerduty, zendesk, freshdesk, or mapping:NAME for an [import.mapping.NAME].
    #[arg(long, value_parser = Format::parse, value_name = "FORMAT")]
    pub input_format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print JSON (the only output of this command; kept for scripts that spell it out).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Highest acceptable escape rate, in percent.
    #[arg(long, value_name = "PCT")]
    pub max_escape_rate: f64,
    /// Highest acceptable severity-weighted escape rate, in percent.
    #[arg(long, value_name = "PCT")]
    pub max_weighted: Option<f64>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Who the report is for: sprint (QA lead), em (engineering manager), board (executives).
    #[arg(long, value_enum)]
    pub audience: crate::narrative::Audience,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    pub format: crate::render::OutputFormat,
    /// Where to write the report; `-` or nothing is standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// A directory of templates; a file there replaces the built-in of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Leave the charts out.
    #[arg(long)]
    pub no_charts: bool,
    /// PDF paper for sprint and em reports (board is always a 16:9 deck).
    #[arg(long, value_enum, default_value = "a4")]
    pub paper: crate::render::pdf::Paper,
    /// Markdown only: write the chart files into DIR (needed to get charts with stdout).
    #[arg(long, value_name = "DIR")]
    pub charts_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files are: jira, github, pagerduty, zendesk, freshdesk, csv, json, jsonl or mapping:NAME.
    #[arg(value_parser = Format::parse, value_name = "SOURCE")]
    pub source: Format,
    /// The exported files, plain, gzip or zstd compressed; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Where to write the native CSV; `-` or nothing is standard output.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Configuration file (classification rules under [import]).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Fail (exit 2) when any record was skipped or repaired.
    #[arg(long)]
    pub strict: bool,
    /// No progress bar (without it, one shows on stderr when it is a terminal and a read
    /// lasts more than a second).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write the built-in templates into DIR, to edit and use with `render --templates DIR`.
    #[command(
        after_help = "Example:\n  escape-report templates export my-templates && escape-report render samples/problems.csv --audience em --templates my-templates"
    )]
    Export {
        /// The directory to write into (created if missing).
        dir: PathBuf,
        /// Replace templates already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the configuration.
    #[arg(default_value = crate::model::config::CONFIG_FILE_NAME, value_name = "PATH")]
    pub path: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}
