//! The append-only audit log: who changed what, when, and the record before and after.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who makes a change, and when: passed in by the caller, so tests fix the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    pub user: String,
    pub at: DateTime<Utc>,
}

impl ChangeContext {
    pub fn new(user: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self { user: user.into(), at }
    }

    /// The current login name and the system clock: for the command line and the local UI.
    pub fn local_now() -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "onbekend".into());
        Self::new(user, Utc::now())
    }
}

/// One change, as the audit log keeps it. `before` and `after` are the records as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub user: String,
    /// What was done, in Dutch: "uren toegevoegd", "netwerk gewijzigd", ...
    pub action: String,
    /// What it was done to: a readable name, e.g. "Zwolle-Zuid / Fysio De Wijk / 2025-03".
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The first fields of an audit entry, without the records before and after (the bulk of the
/// log): what the Logboek lists and filters on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditHead {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub user: String,
    pub action: String,
    pub subject: String,
}
