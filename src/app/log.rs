//! Pane 6, Logboek: the audit log, newest first, filtered as one types.

use crate::store::{AuditEntry, Store, StoreError};

use super::list::{Selection, matches};
use super::{Action, App};

/// At most this many entries are listed; the filter searches the whole log.
pub const LOG_LIMIT: usize = 2000;

#[derive(Default)]
pub struct LogPane {
    pub entries: Vec<AuditEntry>,
    pub selection: Selection,
    /// More entries matched than are listed.
    pub truncated: bool,
}

impl LogPane {
    pub(crate) fn load(&mut self, store: &Store) -> Result<(), StoreError> {
        let filter = self.selection.filter.clone();
        let mut entries = Vec::new();
        self.truncated = false;
        for entry in store.audit_entries_newest_first() {
            let entry = entry?;
            let text = format!("{} {} {} {}", entry.user, entry.action, entry.subject, entry.at.format("%d-%m-%Y"));
            if matches(&filter, &text) {
                if entries.len() == LOG_LIMIT {
                    self.truncated = true;
                    break;
                }
                entries.push(entry);
            }
        }
        self.entries = entries;
        self.selection.clamp(self.entries.len());
        Ok(())
    }

    pub fn selected(&self) -> Option<&AuditEntry> {
        self.entries.get(self.selection.index)
    }
}

impl App {
    pub(super) fn log_action(&mut self, action: Action) {
        let len = self.log.entries.len();
        let page = self.page();
        self.log.selection.apply(action, page, len);
    }
}
