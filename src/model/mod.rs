//! The typed, validated records, the configuration and the vocabulary they use.

pub mod band;
pub mod config;
pub mod deployment;
pub mod finding;
pub mod import_config;
pub mod period;
pub mod problem;
pub mod raw;
pub mod time;
pub mod validate;
pub mod vocabulary;

pub use config::Config;
pub use finding::{Finding, Outcome};
pub use period::{Period, Quarter};
pub use problem::{Cost, Mechanism, OriginStage, Problem, ProblemType, Severity};
