//! escape-report: turns defect and incident records into quality reports.
//!
//! The pipeline runs one way: `input` reads rows, `model` validates them into
//! problems, `metrics` aggregates them, and the command layer in `cli` prints or writes.

pub mod charts;
pub mod cli;
pub mod ids;
pub mod ingest;
pub mod input;
pub mod metrics;
pub mod model;
pub mod narrative;
pub mod output_csv;
pub mod progress;
pub mod render;
pub mod short_key;
pub mod text;

#[cfg(test)]
mod properties;
