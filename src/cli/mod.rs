//! The command layer: clap arguments, one function per command, and the only code that
//! writes to the terminal or to files.

pub mod args;
pub mod commands;
pub mod output;
pub mod table;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
pub use commands::Reported;

/// Parses the command line and runs it; used by the binary.
pub fn main() -> ExitCode {
    output::remove_temporary_files_on_interrupt();
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<Reported>().is_none() {
                let message = commands::printable_error(&format!("{e:#}"));
                output::stderr(format_args!("error: {message}"));
            }
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}
