//! One change as one sled transaction over every tree, with its audit entry written inside it.

use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use super::audit::{AuditEntry, ChangeContext};
use super::codec::{Record, decode, encode};
use super::error::StoreError;
use super::keys::{TreeName, hex};

/// Result inside a transaction: a conflict retries the closure, an abort carries a `StoreError`.
pub type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// Ends the transaction with this error; nothing of it is written.
pub fn abort(error: impl Into<StoreError>) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(error.into())
}

/// The trees as seen inside one transaction, and who is changing them.
pub struct Tx<'a> {
    pub(super) views: &'a [TransactionalTree],
    pub(super) ctx: &'a ChangeContext,
}

impl Tx<'_> {
    fn tree(&self, tree: TreeName) -> &TransactionalTree {
        &self.views[tree.index()]
    }

    pub fn get<R: Record>(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<R>> {
        match self.tree(tree).get(key)? {
            None => Ok(None),
            Some(bytes) => decode(&bytes)
                .map(Some)
                .map_err(|e| abort(StoreError::Corrupt { tree: tree.name(), key: hex(key), reason: e.to_string() })),
        }
    }

    /// Like [`Tx::get`], but a missing record ends the change with "`what` bestaat niet".
    pub fn require<R: Record>(&self, tree: TreeName, key: &[u8], what: impl FnOnce() -> String) -> TxResult<R> {
        self.get(tree, key)?.ok_or_else(|| abort(StoreError::NotFound(what())))
    }

    pub fn put<R: Record>(&self, tree: TreeName, key: &[u8], record: &R) -> TxResult<()> {
        self.tree(tree).insert(key, encode(record))?;
        Ok(())
    }

    pub fn put_raw(&self, tree: TreeName, key: &[u8], value: &[u8]) -> TxResult<()> {
        self.tree(tree).insert(key, value)?;
        Ok(())
    }

    pub fn get_raw(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<sled::IVec>> {
        Ok(self.tree(tree).get(key)?)
    }

    pub fn remove(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.tree(tree).remove(key)?;
        Ok(())
    }

    /// A new id, unique for the life of the database: sled's generator, but never at or below
    /// the floor a restore sets (a restored database's generator starts again from nothing).
    pub fn new_id(&self) -> TxResult<u64> {
        let generated = self.tree(TreeName::Meta).generate_id()? + 1;
        let floor = self
            .get_raw(TreeName::Meta, super::keys::ID_FLOOR_KEY)?
            .and_then(|b| b.as_ref().try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        if generated > floor {
            return Ok(generated);
        }
        self.put_raw(TreeName::Meta, super::keys::ID_FLOOR_KEY, &(floor + 1).to_be_bytes())?;
        Ok(floor + 1)
    }

    /// Appends the audit entry of this change: who, when, what, and the record before and after.
    pub fn audit<B: Serialize, A: Serialize>(
        &self,
        action: &str,
        subject: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> TxResult<()> {
        let id = self.new_id()?;
        let entry = AuditEntry {
            id,
            at: self.ctx.at,
            user: self.ctx.user.clone(),
            action: action.to_string(),
            subject: subject.to_string(),
            before: before.map(to_json),
            after: after.map(to_json),
        };
        self.put(TreeName::Audit, &id.to_be_bytes(), &entry)
    }
}

fn to_json<T: Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("records serialise to JSON")
}
