//! The payment files written of each batch: one small record per batch, written in the same
//! transaction as the audit entry, so that a second export and the Signalen read one key.

use chrono::{DateTime, Utc};

use crate::domain::close::PaymentBatch;

use super::keys::TreeName;
use super::records::{BatchExport, BatchExports};
use super::{ChangeContext, Store, StoreError};

/// The audit action of a payment file written.
pub const EXPORT_ACTION: &str = "betaalbestand geschreven";

impl Store {
    /// Records that a payment file of `batch` was written (`what`: format and file), with its
    /// audit entry, in one transaction. Returns when the batch was first written, if it was before.
    pub fn record_export(
        &self,
        ctx: &ChangeContext,
        batch: &PaymentBatch,
        what: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let key = batch.id.to_be_bytes();
        self.write(ctx, |tx| {
            let mut exports: BatchExports = tx.get(TreeName::Exports, &key)?.unwrap_or_default();
            let earlier = exports.entries.first().map(|e| e.at);
            exports.entries.push(BatchExport { at: ctx.at, by: ctx.user.clone(), what: what.to_string() });
            tx.put(TreeName::Exports, &key, &exports)?;
            tx.audit::<(), _>(EXPORT_ACTION, &format!("betaalbatch {}", batch.number), None, Some(&what))?;
            Ok(earlier)
        })
    }

    /// Every payment file written of a batch, oldest first (none: empty).
    pub fn batch_exports(&self, batch_id: u64) -> Result<BatchExports, StoreError> {
        Ok(self.get(TreeName::Exports, &batch_id.to_be_bytes())?.unwrap_or_default())
    }
}
