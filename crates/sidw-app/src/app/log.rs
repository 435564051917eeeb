//! Pane 6, Logboek: the audit log, newest first, filtered as one types; Enter shows one entry
//! whole, Esc goes back to the list.
//!
//! A filter is looked up in the log's indexes (`Store::audit_search`): a date (`12-03-2025`,
//! `03-2025`, `2025`) in the time index; any other word in the word index, where it finds the
//! entries with a word (of the user, the action, or a record's name: network, partner, month)
//! that begins with it. So an old entry is found at once however long the log. Only a word that
//! begins very many different words (`1`, `f`) is searched for in the log itself, a bounded part
//! per keystroke; the screen then says how much was searched, and moving past the last entry
//! searches on.

use crate::report::log::{Described, describe};
use crate::store::audit::{AuditCursor, AuditPage};
use crate::store::{AuditHead, Store, StoreError};

use super::list::Selection;
use super::{Action, App};

/// At most this many matching entries are listed at a time; moving past the last one lists more.
pub const LOG_PAGE: usize = 100;
/// At most this many entries are looked at for one keystroke (or one "more"): the cost of a filter
/// keystroke does not grow with the log. Only the heads (who, what, when, subject) are read; an
/// entry's records before and after are read only for the entries listed.
pub const LOG_SCAN: usize = 250;
/// At most this many entries are kept read into Dutch.
const DESCRIBED_KEPT: usize = 2_000;

#[derive(Default)]
pub struct LogPane {
    /// The entries listed: their heads (who, when, what, which record). The records before and
    /// after are read for the rows drawn only.
    pub entries: Vec<AuditHead>,
    pub selection: Selection,
    /// More of the log is left to search (moving past the last entry searches on).
    pub truncated: bool,
    /// Where the search goes on.
    resume: Option<AuditCursor>,
    /// How many entries were looked at for what is listed.
    pub searched: usize,
    /// The filter has a word the indexes cannot narrow: the log itself is searched, in parts.
    pub unindexed: bool,
    /// The selected entry is shown whole (Enter), instead of the list (Esc).
    pub open: bool,
    /// The first line of the whole entry shown (it scrolls with ↑↓).
    pub scroll: usize,
    /// The audit id of the entry shown whole.
    opened: Option<u64>,
    /// The entries listed, read into Dutch once each (as they are drawn), by audit id.
    described: std::sync::Mutex<std::collections::HashMap<u64, std::sync::Arc<Described>>>,
}

impl LogPane {
    /// Lists the newest entries that match the filter (one page, within the scan budget).
    /// The entry shown whole stays shown (and selected) when it is listed again, as after a
    /// colleague's save; else it closes.
    pub(crate) fn load(&mut self, store: &Store) -> Result<(), StoreError> {
        let kept = if self.open { self.opened } else { None };
        self.entries.clear();
        self.resume = None;
        self.searched = 0;
        self.search(store)?;
        match kept.and_then(|id| self.entries.iter().position(|e| e.id == id)) {
            Some(index) => self.selection.index = index,
            None => self.open = false,
        }
        self.selection.clamp(self.entries.len());
        Ok(())
    }

    /// Lists the next page of matches, searching on where the last search stopped.
    pub(crate) fn more(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.resume.is_some() {
            self.search(store)?;
            self.selection.clamp(self.entries.len());
        }
        Ok(())
    }

    fn search(&mut self, store: &Store) -> Result<(), StoreError> {
        let AuditPage { entries, resume, examined, unindexed } =
            store.audit_search(&self.selection.filter, self.resume.as_ref(), LOG_PAGE, LOG_SCAN)?;
        self.entries.extend(entries);
        self.searched += examined;
        self.resume = resume;
        self.unindexed = unindexed;
        self.truncated = self.resume.is_some();
        Ok(())
    }

    pub fn selected(&self) -> Option<&AuditHead> {
        self.entries.get(self.selection.index)
    }

    /// What the listed entry at `index` changed, on one line: kept in its head when the entry was
    /// written (never reading the entry's records), else read from the store and described.
    pub fn changes_line(&self, store: &Store, index: usize) -> String {
        match self.entries.get(index).and_then(|head| head.changes.clone()) {
            Some(line) => line,
            None => {
                self.described(store, index).map_or(String::new(), |d| crate::report::log::changes_text(&d.changes))
            }
        }
    }

    /// The listed entry at `index` in Dutch: read from the store and described once, then kept
    /// (a frame draws the same rows again and again, and a filter typed and erased lists them
    /// again). An entry that cannot be read is described from its head, with the reason.
    pub fn described(&self, store: &Store, index: usize) -> Option<std::sync::Arc<Described>> {
        let head = self.entries.get(index)?;
        let mut cache = self.described.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(described) = cache.get(&head.id) {
            return Some(described.clone());
        }
        if cache.len() >= DESCRIBED_KEPT {
            cache.clear();
        }
        let entry = match store.audit_entry(head.id) {
            Ok(Some(entry)) => entry,
            Ok(None) => return None,
            Err(error) => crate::store::AuditEntry {
                id: head.id,
                at: head.at,
                user: head.user.clone(),
                action: head.action.clone(),
                subject: head.subject.clone(),
                before: None,
                after: Some(format!("(onleesbaar: {error})")),
            },
        };
        let described = std::sync::Arc::new(describe(&entry));
        cache.insert(head.id, described.clone());
        Some(described)
    }
}

impl App {
    pub(super) fn log_action(&mut self, action: Action) {
        if self.log.open {
            match action {
                Action::Back | Action::Open => self.log.open = false,
                Action::Up => self.log.scroll = self.log.scroll.saturating_sub(1),
                Action::Down => self.log.scroll += 1,
                Action::PageUp => self.log.scroll = self.log.scroll.saturating_sub(self.page()),
                Action::PageDown => self.log.scroll += self.page(),
                Action::Home => self.log.scroll = 0,
                _ => {}
            }
            return;
        }
        if action == Action::Open {
            if let Some(entry) = self.log.selected() {
                self.log.opened = Some(entry.id);
                self.log.open = true;
                self.log.scroll = 0;
            }
            return;
        }
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
