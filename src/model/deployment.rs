//! Deployments: what was released to which environment, when, and how it went.

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployStatus {
    Success,
    Failed,
    RolledBack,
}

impl DeployStatus {
    /// Parses `success`, `failed`, `rolled_back` and the words GitHub and GitLab use.
    pub fn parse(text: &str) -> Option<DeployStatus> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "" | "success" | "succeeded" | "successful" | "done" | "deployed" | "ok" => {
                Some(DeployStatus::Success)
            }
            "failed" | "failure" | "error" | "canceled" | "cancelled" => Some(DeployStatus::Failed),
            "rolled_back" | "rollback" | "rolledback" | "reverted" => {
                Some(DeployStatus::RolledBack)
            }
            _ => None,
        }
    }
}

/// One deployment, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub release: String,
    /// Microseconds since the Unix epoch, UTC.
    pub deployed_at: i64,
    pub environment: Option<String>,
    pub status: DeployStatus,
    /// Whether the environment counts as production.
    pub production: bool,
}
