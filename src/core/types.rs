//! The documented shapes: parameters in camelCase on the JS side, results in
//! snake_case on the wire and in JS (`session_id`, `authorize_url`, ...).

use serde::Serialize;

/// Parameters of `createSession`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateSessionParams {
    pub integration_type: String,
    pub workspace_id: Option<String>,
    pub return_to: Option<String>,
}

/// What `createSession` resolves with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuthSession {
    pub session_id: String,
    pub authorize_url: String,
}

/// The state of a session as the gateway reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    Pending,
    Complete,
    Error,
}

impl SessionState {
    pub const ALL: [SessionState; 3] = [SessionState::Pending, SessionState::Complete, SessionState::Error];
    /// The wire names, in the order of `ALL`.
    pub const NAMES: [&'static str; 3] = ["pending", "complete", "error"];

    pub fn parse(s: &str) -> Option<SessionState> {
        Self::NAMES.iter().position(|n| *n == s).and_then(|i| Self::ALL.get(i).copied())
    }

    pub fn name(self) -> &'static str {
        match self {
            SessionState::Pending => "pending",
            SessionState::Complete => "complete",
            SessionState::Error => "error",
        }
    }
}

/// What `getSession` and `poll` resolve with. Absent fields are omitted from
/// the JS object, never `null`, as the gateway does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionStatus {
    pub status: SessionState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
}
