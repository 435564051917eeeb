//! The payment files written of each batch: one small record per batch, written in the same
//! transaction as the audit entry, so that a second export and the Signalen read one key.

use chrono::{DateTime, Utc};

use crate::domain::close::PaymentBatch;

use super::keys::TreeName;
use super::records::{BatchExport, BatchExports};
use super::{ChangeContext, Store, StoreError};

/// The audit action of a payment file written.
pub const EXPORT_ACTION: &str = "betaalbestand geschreven";

/// Set in the meta tree once the exports written before the `exports` tree existed (only in the
/// audit log then) have been copied into it.
pub(super) const EXPORTS_FROM_AUDIT_KEY: &[u8] = b"exports_from_audit";

/// A payment file as written: its name, its bytes, and for a pain.001 the execution date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub execution_date: Option<chrono::NaiveDate>,
}

impl Store {
    /// A database from before the `exports` tree kept its exports only in the audit log: copies
    /// them into the tree once, oldest first, so that the "al eerder geschreven" warning and the
    /// Signalen know them. Later exports are written to both in one transaction.
    pub(super) fn exports_from_audit(&self) -> Result<(), StoreError> {
        if self.tree(TreeName::Meta).contains_key(EXPORTS_FROM_AUDIT_KEY)? {
            return Ok(());
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut found: std::collections::BTreeMap<u64, BatchExports> = std::collections::BTreeMap::new();
        let mut numbers: Option<std::collections::HashMap<String, u64>> = None;
        // One entry at a time: the log is the bulk of the data (a restore runs this).
        for item in self.tree(TreeName::Audit).iter() {
            let (key, bytes) = item?;
            let entry: super::AuditEntry = super::decode_at(TreeName::Audit, &key, &bytes)?;
            let Some(number) = entry.subject.strip_prefix("betaalbatch ") else { continue };
            if entry.action != EXPORT_ACTION {
                continue;
            }
            if numbers.is_none() {
                numbers = Some(self.batches()?.into_iter().map(|b| (b.number, b.id)).collect());
            }
            let Some(id) = numbers.as_ref().and_then(|n| n.get(number)) else { continue };
            let what = entry.after.as_deref().and_then(|a| serde_json::from_str::<String>(a).ok()).unwrap_or_default();
            found.entry(*id).or_default().entries.push(BatchExport {
                at: entry.at,
                by: entry.user,
                what,
                file: String::new(),
                sha256: String::new(),
                execution_date: None,
            });
        }
        self.bulk(super::Durable::Now, |w| {
            for (id, record) in found {
                if !w.contains_key(TreeName::Exports, &id.to_be_bytes())? {
                    w.insert(TreeName::Exports, &id.to_be_bytes(), &super::codec::encode(&record))?;
                }
            }
            w.insert(TreeName::Meta, EXPORTS_FROM_AUDIT_KEY, &[1u8])
        })
    }

    /// Records that a payment file of `batch` was written (`what`: format and file), with its
    /// audit entry, in one transaction. Returns when the batch was first written, if it was before.
    pub fn record_export(
        &self,
        ctx: &ChangeContext,
        batch: &PaymentBatch,
        what: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.record_export_file(ctx, batch, what, &ExportedFile::default())
    }

    /// Whether [`Store::record_export`] would be allowed (the user's role and the batch's
    /// regions), asked before a payment file is written: a file the store would not record is
    /// never written. Nothing is stored.
    pub fn may_record_export(&self, ctx: &ChangeContext, batch: &PaymentBatch) -> Result<(), StoreError> {
        match self.export_change(ctx, batch, "proef", &ExportedFile::default(), false) {
            Err(StoreError::DryRun) | Ok(_) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// [`Store::record_export`] of a file whose name, bytes and execution date are known: kept
    /// with the export (the bytes as their SHA-256) and named in the audit entry.
    pub fn record_export_file(
        &self,
        ctx: &ChangeContext,
        batch: &PaymentBatch,
        what: &str,
        file: &ExportedFile,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.export_change(ctx, batch, what, file, true)
    }

    /// The export's one transaction; without `commit` it ends as a trial run, every rule asked.
    fn export_change(
        &self,
        ctx: &ChangeContext,
        batch: &PaymentBatch,
        what: &str,
        file: &ExportedFile,
        commit: bool,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        use sha2::{Digest, Sha256};
        let key = batch.id.to_be_bytes();
        let sha256: String = if file.bytes.is_empty() {
            String::new()
        } else {
            Sha256::digest(&file.bytes).iter().map(|b| format!("{b:02x}")).collect()
        };
        let audited = if sha256.is_empty() { what.to_string() } else { format!("{what} (SHA-256 {sha256})") };
        self.write(ctx, |tx| {
            let mut exports: BatchExports = tx.get(TreeName::Exports, &key)?.unwrap_or_default();
            let earlier = exports.entries.first().map(|e| e.at);
            exports.entries.push(BatchExport {
                at: ctx.at,
                by: ctx.user.clone(),
                what: what.to_string(),
                file: file.name.clone(),
                sha256: sha256.clone(),
                execution_date: file.execution_date,
            });
            tx.put(TreeName::Exports, &key, &exports)?;
            tx.audit::<(), _>(EXPORT_ACTION, &format!("betaalbatch {}", batch.number), None, Some(&audited))?;
            if commit { Ok(earlier) } else { Err(StoreError::DryRun) }
        })
    }

    /// Every payment file written of a batch, oldest first (none: empty).
    pub fn batch_exports(&self, batch_id: u64) -> Result<BatchExports, StoreError> {
        Ok(self.get(TreeName::Exports, &batch_id.to_be_bytes())?.unwrap_or_default())
    }
}
