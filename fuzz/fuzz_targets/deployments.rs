//! Deployments files (native CSV or JSON, GitHub's and GitLab's API JSON): bytes →
//! `Ingest::read_deployments_from`, then the deployments fixture's problems attributed
//! to what was read, and the metrics of 2025-Q4 checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    escape_report_fuzz::deployments(data, escape_report_fuzz::DEPLOYMENT_PROBLEMS);
});
