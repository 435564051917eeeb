//! One change as one redb write transaction over every table, with its audit entry written inside it.

use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeSet;

use super::audit::{AuditEntry, ChangeContext};
use super::codec::{Record, decode, encode};
use super::error::StoreError;
use super::keys::{TreeName, hex};
use crate::domain::NetworkId;

/// Result inside a transaction: an error ends it, and nothing of it is written.
pub type TxResult<T> = Result<T, StoreError>;

/// Ends the transaction with this error; nothing of it is written.
pub fn abort(error: impl Into<StoreError>) -> StoreError {
    error.into()
}

/// The tables as seen inside one transaction, and who is changing them.
pub struct Tx<'a> {
    pub(super) tables: super::reader::Tables<'a>,
    pub(super) ctx: &'a ChangeContext,
    /// What this change wrote to, as far as the caches of derived data care.
    pub(super) touched: &'a RefCell<Touched>,
    /// This change wrote to something every network's stored `HoursFacts` depend on (tariffs).
    pub(super) facts_everywhere: &'a std::cell::Cell<bool>,
    /// Where this change's writes lie, for the regions check before the commit (collected only
    /// for a user with a list of regions; see `authority`).
    pub(super) reached: &'a RefCell<super::authority::Reached>,
}

/// Which networks a change wrote to, or that it wrote to something every network depends on
/// (tariffs, batches, exports, a tree not known here): the caches of derived data (Signalen) and
/// the sessions' reloads ask this instead of reading everything again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    pub networks: BTreeSet<NetworkId>,
    pub all: bool,
}

impl Touched {
    /// Everything: a restore, the generator's bulk writes, a change log that no longer reaches back.
    pub fn everything() -> Self {
        Self { networks: BTreeSet::new(), all: true }
    }

    pub fn network(&self, network: NetworkId) -> bool {
        self.all || self.networks.contains(&network)
    }

    pub(super) fn add(&mut self, other: &Touched) {
        self.all |= other.all;
        self.networks.extend(other.networks.iter().copied());
    }
}

/// How a write to a tree reaches the networks' derived data.
enum Reach {
    /// Nothing derived per network reads it (the log, names, settings, municipal data: Signalen
    /// reads the municipal years afresh every time).
    Nothing,
    /// The key starts with the network id.
    KeyedByNetwork,
    /// An hours line: its network is in the record.
    HoursLine,
    /// Every network (tariffs, payment batches and their exports, and any tree added later until
    /// it is listed here).
    Everything,
}

fn reach(tree: TreeName) -> Reach {
    match tree {
        TreeName::Meta
        | TreeName::Audit
        | TreeName::AuditTime
        | TreeName::AuditWords
        | TreeName::AuditTerms
        | TreeName::AuditHeads
        | TreeName::NetworkNames
        | TreeName::InvoiceNumbers
        | TreeName::Settings
        | TreeName::MunicipalYears
        | TreeName::S1Rates
        | TreeName::Municipalities
        | TreeName::Preferences
        | TreeName::BatchBases
        | TreeName::SignalFacts
        | TreeName::MailSettings
        | TreeName::Outbox
        | TreeName::BankStatements => Reach::Nothing,
        TreeName::Networks
        | TreeName::PracticeTeams
        | TreeName::Partners
        | TreeName::Participants
        | TreeName::Agreements
        | TreeName::HoursIndex
        | TreeName::Invoices
        | TreeName::InvoiceIndex
        | TreeName::Closes
        | TreeName::BatchIndex
        | TreeName::Claims
        | TreeName::Nihil => Reach::KeyedByNetwork,
        TreeName::Hours => Reach::HoursLine,
        #[allow(unreachable_patterns)]
        _ => Reach::Everything,
    }
}

fn network_of_key(key: &[u8]) -> Option<NetworkId> {
    Some(NetworkId(u64::from_be_bytes(key.get(..8)?.try_into().ok()?)))
}

impl Tx<'_> {
    pub fn get<R: Record>(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<R>> {
        match self.tables.get(tree, key)? {
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

    pub fn put<R: Record + 'static>(&self, tree: TreeName, key: &[u8], record: &R) -> TxResult<()> {
        let line = (record as &dyn std::any::Any).downcast_ref::<crate::domain::HoursEntry>();
        self.guard(tree, key, line)?;
        self.touch(tree, key, line.map(|l| l.network))?;
        self.tables.insert(tree, key, &encode(record))?;
        Ok(())
    }

    pub fn put_raw(&self, tree: TreeName, key: &[u8], value: &[u8]) -> TxResult<()> {
        self.guard(tree, key, None)?;
        self.touch(tree, key, None)?;
        self.tables.insert(tree, key, value)?;
        Ok(())
    }

    /// Every write passes here first: the role is checked at once (a refusal ends the change),
    /// and for a user with a list of regions, where the write lies is noted for the check
    /// before the commit.
    fn guard(&self, tree: TreeName, key: &[u8], line: Option<&crate::domain::HoursEntry>) -> TxResult<()> {
        let access = &self.ctx.access;
        if let Some(refusal) = super::authority::refuse_tree(access, tree) {
            return Err(refusal);
        }
        if access.scope.is_all() {
            return Ok(());
        }
        self.reached.borrow_mut().note(&self.tables, tree, key, line)
    }

    /// Notes what a write to `tree` under `key` reaches; `network` when the caller knows it.
    fn touch(&self, tree: TreeName, key: &[u8], network: Option<NetworkId>) -> TxResult<()> {
        let network = match reach(tree) {
            Reach::Nothing => return Ok(()),
            Reach::KeyedByNetwork => network_of_key(key),
            Reach::HoursLine => match network {
                Some(network) => Some(network),
                None => match self.tables.get(tree, key)? {
                    Some(bytes) => decode::<crate::domain::HoursEntry>(&bytes).ok().map(|l| l.network),
                    None => None,
                },
            },
            Reach::Everything => {
                // Batches and their exports are not in the hours facts; tariffs (and any tree not
                // known here) are.
                if !matches!(tree, TreeName::Batches | TreeName::Exports | TreeName::BankLines) {
                    self.facts_everywhere.set(true);
                }
                None
            }
        };
        let mut touched = self.touched.borrow_mut();
        match network {
            Some(network) => {
                touched.networks.insert(network);
            }
            None => touched.all = true,
        }
        Ok(())
    }

    pub fn get_raw(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<Vec<u8>>> {
        self.tables.get(tree, key)
    }

    /// The highest key in `from..to` (`to` excluded), as this transaction sees it.
    pub fn last_key_in(&self, tree: TreeName, from: &[u8], to: &[u8]) -> TxResult<Option<Vec<u8>>> {
        Ok(self.tables.last_in(tree, from, to)?.map(|(key, _)| key))
    }

    pub fn remove(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.guard(tree, key, None)?;
        self.touch(tree, key, None)?;
        self.tables.remove(tree, key)?;
        Ok(())
    }

    /// A new id, unique for the life of the database: one above the highest id given or taken
    /// (the counter in `meta`, which a restore and the copy from sled set to their floor).
    pub fn new_id(&self) -> TxResult<u64> {
        let id = next_id(&self.tables)?;
        self.tables.insert(TreeName::Meta, super::keys::ID_FLOOR_KEY, &id.to_be_bytes())?;
        Ok(id)
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
        self.put(TreeName::Audit, &id.to_be_bytes(), &entry)?;
        // The indexes of the log, in the same transaction as the entry.
        super::audit_index::index_in_tx(self, &super::audit::AuditHead::of(&entry))
    }
}

/// Inside a change's transaction, once the change has run: the stored `HoursFacts` of every
/// network it touched are removed, and a change to what every network's facts depend on moves
/// the facts epoch, so no facts computed before the change are used after it.
pub(super) fn forget_facts(
    tables: &super::reader::Tables,
    touched: &Touched,
    everywhere: bool,
) -> Result<(), StoreError> {
    for network in &touched.networks {
        tables.remove(TreeName::SignalFacts, &network.to_key())?;
    }
    if everywhere {
        let epoch = tables
            .get(TreeName::Meta, super::keys::FACTS_EPOCH_KEY)?
            .and_then(|b| b.as_slice().try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        tables.insert(TreeName::Meta, super::keys::FACTS_EPOCH_KEY, &(epoch + 1).to_be_bytes())?;
    }
    Ok(())
}

/// The next id: one above the counter in `meta` (the highest id given, or the floor a restore or
/// the copy from sled set). Not written: the caller writes it in the same transaction.
pub(super) fn next_id(tables: &super::reader::Tables) -> Result<u64, StoreError> {
    let last = tables
        .get(TreeName::Meta, super::keys::ID_FLOOR_KEY)?
        .and_then(|b| b.as_slice().try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0);
    last.checked_add(1).ok_or_else(|| StoreError::Refused("de nummers van de database zijn op".into()))
}

fn to_json<T: Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("records serialise to JSON")
}
