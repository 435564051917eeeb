//! Store functions only the generator of the benchmark data set uses (`examples/gen-large.rs`,
//! `benches/fixture`): they write in bulk what the real paths write one change at a time.

use serde::Serialize;

use super::audit::{AuditEntry, ChangeContext};
use super::codec::{decode, encode};
use super::keys::{ID_FLOOR_KEY, TreeName};
use super::{Store, StoreError};

/// The action of the one audit entry an hours import writes.
const IMPORT_ACTION: &str = "uren geïmporteerd";

impl Store {
    /// Replaces the audit entry of the hours import just written (the newest entry) by one entry
    /// per line, `(subject, line)`, as keying the lines one cell at a time writes them
    /// ("uren toegevoegd", nothing before, the line after). Written as one batch.
    #[doc(hidden)]
    pub fn audit_import_as_keyed_for_generator<T: Serialize>(
        &self,
        ctx: &ChangeContext,
        lines: &[(String, T)],
    ) -> Result<(), StoreError> {
        if ctx.access != crate::domain::Access::full() {
            return Err(StoreError::Denied("de generator schrijft alleen met alle rechten".into()));
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some((key, bytes)) = self.tree(TreeName::Audit).last()? else {
            return Err(StoreError::Refused("geen importregel in het logboek".into()));
        };
        let newest: AuditEntry = decode(&bytes).map_err(|e| StoreError::Corrupt {
            tree: "audit",
            key: super::keys::hex(&key),
            reason: e.to_string(),
        })?;
        if newest.action != IMPORT_ACTION {
            return Err(StoreError::Refused(format!("het nieuwste logboekregel is '{}', geen import", newest.action)));
        }
        self.bulk(super::Durable::Now, |w| {
            w.remove(TreeName::Audit, &key)?;
            let mut heads = Vec::with_capacity(lines.len());
            for (subject, line) in lines {
                let id = super::tx::next_id(w)?;
                w.insert(TreeName::Meta, ID_FLOOR_KEY, &id.to_be_bytes())?;
                let entry = AuditEntry {
                    id,
                    at: ctx.at,
                    user: ctx.user.clone(),
                    action: "uren toegevoegd".into(),
                    subject: subject.clone(),
                    before: None,
                    after: Some(serde_json::to_string(line).expect("records serialise to JSON")),
                };
                w.insert(TreeName::Audit, &id.to_be_bytes(), &encode(&entry))?;
                heads.push(super::audit::AuditHead::of(&entry));
            }
            // The log's indexes, as the transactions of keying would have written them.
            Store::unindex_audit_head(w, &super::audit::AuditHead::of(&newest))?;
            Store::index_audit_heads(w, &heads)
        })?;
        // The lines' networks were noted by the import; the log reaches no derived data.
        self.changed(super::tx::Touched::default());
        Ok(())
    }
}
