//! Pane 6, Logboek: the audit log, newest first, filtered as one types.

use crate::store::{AuditEntry, Store, StoreError};

use super::list::Selection;
use super::{Action, App};

/// At most this many matching entries are listed at a time; moving past the last one lists more.
pub const LOG_PAGE: usize = 200;
/// At most this many entries are looked at for one keystroke (or one "more"): the cost of a filter
/// keystroke does not grow with the log. Only the heads (who, what, when, subject) are read; an
/// entry's records before and after are read only for the entries listed.
pub const LOG_SCAN: usize = 10_000;

#[derive(Default)]
pub struct LogPane {
    pub entries: Vec<AuditEntry>,
    pub selection: Selection,
    /// More of the log is left to search (moving past the last entry searches on).
    pub truncated: bool,
    /// The entries below this id are not searched yet.
    resume: Option<u64>,
    /// How many entries were searched for what is listed.
    pub searched: usize,
}

impl LogPane {
    /// Lists the newest entries that match the filter (one page, within the scan budget).
    pub(crate) fn load(&mut self, store: &Store) -> Result<(), StoreError> {
        self.entries.clear();
        self.resume = None;
        self.searched = 0;
        self.search(store, None)?;
        self.selection.clamp(self.entries.len());
        Ok(())
    }

    /// Lists the next page of matches, searching on where the last search stopped.
    pub(crate) fn more(&mut self, store: &Store) -> Result<(), StoreError> {
        if let Some(below) = self.resume {
            self.search(store, Some(below))?;
            self.selection.clamp(self.entries.len());
        }
        Ok(())
    }

    fn search(&mut self, store: &Store, below: Option<u64>) -> Result<(), StoreError> {
        let filter = self.selection.filter.to_lowercase();
        let words: Vec<&str> = filter.split_whitespace().collect();
        let mut found = 0;
        let mut scanned = 0;
        let mut date: Option<(chrono::NaiveDate, String)> = None;
        self.resume = None;
        for head in store.audit_heads_newest_first(below) {
            let head = head?;
            if scanned == LOG_SCAN || found == LOG_PAGE {
                self.resume = Some(head.id + 1);
                break;
            }
            scanned += 1;
            // The day as the filter sees it (dd-mm-jjjj), formatted once per day: the log is in
            // time order, so most entries share the previous one's day. Words hold no spaces, so
            // a word is in the line "user action subject day" when it is in one of its parts.
            let day = head.at.date_naive();
            if date.as_ref().is_none_or(|(known, _)| *known != day) {
                date = Some((day, day.format("%d-%m-%Y").to_string()));
            }
            let day_text = date.as_ref().map_or("", |(_, text)| text.as_str());
            let text = format!("{} {} {}", head.user, head.action, head.subject).to_lowercase();
            if words.iter().all(|word| text.contains(word) || day_text.contains(word))
                && let Some(entry) = store.audit_entry(head.id)?
            {
                self.entries.push(entry);
                found += 1;
            }
        }
        self.searched += scanned;
        self.truncated = self.resume.is_some();
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
        let at_end = len == 0 || self.log.selection.index + 1 >= len;
        let down = matches!(action, Action::Down | Action::PageDown | Action::End);
        self.log.selection.apply(action, page, len);
        // Moving on from the last entry listed searches on in the older part of the log.
        if down && at_end && self.log.truncated {
            let index = self.log.selection.index;
            if let Err(error) = self.log.more(&self.store) {
                self.error(error.to_string());
            }
            if self.log.entries.len() > len {
                self.log.selection.index = index + usize::from(action == Action::Down);
                let len = self.log.entries.len();
                self.log.selection.clamp(len);
            }
        }
    }
}
