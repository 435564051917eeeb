//! The small key-value API the store's own code reads and writes redb through: a [`Table`] over
//! one read snapshot (get, scan_prefix, range, iter, len, is_empty) and the [`Tables`] of one
//! write transaction, opened on first use. No file of sidw outside `store/{mod,tx,reader}.rs`
//! names redb (and `error.rs`, which says its errors in Dutch; `from_sled.rs` writes through
//! these).

use std::cell::RefCell;
use std::ops::{Bound, RangeBounds};

use redb::{ReadableTable, ReadableTableMetadata};

use super::error::StoreError;
use super::keys::TreeName;

/// Every table holds raw bytes under raw byte keys (records are encoded by `codec`).
pub(crate) type Definition = redb::TableDefinition<'static, &'static [u8], &'static [u8]>;

pub(crate) fn definition(tree: TreeName) -> Definition {
    redb::TableDefinition::new(tree.name())
}

/// A key and its value, copied out of the database.
pub(crate) type Pair = (Vec<u8>, Vec<u8>);
/// A table of a read snapshot.
type ReadTable = redb::ReadOnlyTable<&'static [u8], &'static [u8]>;
/// A table of a write transaction.
type WriteTable<'t> = redb::Table<'t, &'static [u8], &'static [u8]>;
/// A pair as redb gives it.
type Guards = (redb::AccessGuard<'static, &'static [u8]>, redb::AccessGuard<'static, &'static [u8]>);

/// One table as one read snapshot saw it; it stays readable (and the same) as long as it lives,
/// whatever is written meanwhile.
pub(crate) struct Table {
    inner: Result<ReadTable, String>,
}

impl Table {
    pub(crate) fn open(txn: &redb::ReadTransaction, tree: TreeName) -> Self {
        let inner = match txn.open_table(definition(tree)) {
            Ok(table) => Ok(table),
            // A table no change has written yet is empty.
            Err(redb::TableError::TableDoesNotExist(_)) => Err(String::new()),
            Err(error) => Err(super::error::dutch_redb(&redb::Error::from(error))),
        };
        Self { inner }
    }

    /// A table that could not be opened: every read of it gives this error.
    pub(crate) fn failed(error: StoreError) -> Self {
        let reason = match error {
            StoreError::Storage(reason) => reason,
            other => other.to_string(),
        };
        Self { inner: Err(if reason.is_empty() { "onbekende fout".into() } else { reason }) }
    }

    fn table(&self) -> Result<Option<&ReadTable>, StoreError> {
        match &self.inner {
            Ok(table) => Ok(Some(table)),
            Err(reason) if reason.is_empty() => Ok(None),
            Err(reason) => Err(StoreError::Storage(reason.clone())),
        }
    }

    pub(crate) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(table) = self.table()? else { return Ok(None) };
        Ok(table.get(key.as_ref())?.map(|v| v.value().to_vec()))
    }

    pub(crate) fn contains_key(&self, key: impl AsRef<[u8]>) -> Result<bool, StoreError> {
        let Some(table) = self.table()? else { return Ok(false) };
        Ok(table.get(key.as_ref())?.is_some())
    }

    pub(crate) fn len(&self) -> Result<usize, StoreError> {
        let Some(table) = self.table()? else { return Ok(0) };
        Ok(table.len()? as usize)
    }

    pub(crate) fn is_empty(&self) -> Result<bool, StoreError> {
        let Some(table) = self.table()? else { return Ok(true) };
        Ok(table.is_empty()?)
    }

    /// Every pair in key order (reversible).
    pub(crate) fn iter(&self) -> Iter {
        self.range::<&[u8], _>(..)
    }

    /// The pairs whose keys lie in `range`, in key order (reversible).
    pub(crate) fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> Iter {
        let bound = |b: Bound<&K>| match b {
            Bound::Included(k) => Bound::Included(k.as_ref().to_vec()),
            Bound::Excluded(k) => Bound::Excluded(k.as_ref().to_vec()),
            Bound::Unbounded => Bound::Unbounded,
        };
        let (start, end) = (bound(range.start_bound()), bound(range.end_bound()));
        let empty = match (&start, &end) {
            (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e)) => {
                s > e || (s == e && !(matches!(start, Bound::Included(_)) && matches!(end, Bound::Included(_))))
            }
            _ => false,
        };
        match self.table() {
            Err(error) => Iter::Failed(Some(error)),
            Ok(None) => Iter::Empty,
            Ok(Some(_)) if empty => Iter::Empty,
            Ok(Some(table)) => match table.range::<&[u8]>((as_slice(&start), as_slice(&end))) {
                Ok(range) => Iter::Range(Box::new(range)),
                Err(error) => Iter::Failed(Some(error.into())),
            },
        }
    }

    /// The pairs whose keys start with `prefix`, in key order (everything for an empty prefix).
    pub(crate) fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> Iter {
        let prefix = prefix.as_ref();
        match prefix_end(prefix) {
            Some(end) => self.range(prefix.to_vec()..end),
            None => self.range(prefix.to_vec()..),
        }
    }

    /// The pair with the highest key.
    pub(crate) fn last(&self) -> Result<Option<Pair>, StoreError> {
        self.iter().next_back().transpose()
    }
}

fn as_slice(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The first key above every key that starts with `prefix` (none: no key is).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The pairs of a range of one read snapshot, copied out one at a time.
pub(crate) enum Iter {
    Range(Box<redb::Range<'static, &'static [u8], &'static [u8]>>),
    Empty,
    Failed(Option<StoreError>),
}

impl Iter {
    /// Only the keys.
    pub(crate) fn keys(self) -> impl DoubleEndedIterator<Item = Result<Vec<u8>, StoreError>> {
        self.map(|item| item.map(|(key, _)| key))
    }
}

fn copied(item: Option<Result<Guards, redb::StorageError>>) -> Option<Result<Pair, StoreError>> {
    item.map(|item| item.map(|(k, v)| (k.value().to_vec(), v.value().to_vec())).map_err(StoreError::from))
}

impl Iterator for Iter {
    type Item = Result<Pair, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Range(range) => copied(range.next()),
            Self::Empty => None,
            Self::Failed(error) => error.take().map(Err),
        }
    }
}

impl DoubleEndedIterator for Iter {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Self::Range(range) => copied(range.next_back()),
            Self::Empty => None,
            Self::Failed(error) => error.take().map(Err),
        }
    }
}

/// The tables of one write transaction, each opened when first used.
pub(crate) struct Tables<'t> {
    txn: &'t redb::WriteTransaction,
    open: RefCell<Vec<Option<WriteTable<'t>>>>,
}

impl<'t> Tables<'t> {
    pub(crate) fn new(txn: &'t redb::WriteTransaction) -> Self {
        Self { txn, open: RefCell::new((0..TreeName::ALL.len()).map(|_| None).collect()) }
    }

    fn with<T>(
        &self,
        tree: TreeName,
        f: impl FnOnce(&mut WriteTable<'t>) -> Result<T, redb::StorageError>,
    ) -> Result<T, StoreError> {
        let mut open = self.open.borrow_mut();
        let slot = &mut open[tree.index()];
        if slot.is_none() {
            *slot = Some(self.txn.open_table(definition(tree))?);
        }
        Ok(f(slot.as_mut().expect("just opened"))?)
    }

    pub(crate) fn get(&self, tree: TreeName, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(tree, |t| Ok(t.get(key)?.map(|v| v.value().to_vec())))
    }

    pub(crate) fn contains_key(&self, tree: TreeName, key: &[u8]) -> Result<bool, StoreError> {
        self.with(tree, |t| Ok(t.get(key)?.is_some()))
    }

    pub(crate) fn insert(&self, tree: TreeName, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.with(tree, |t| t.insert(key, value).map(|_| ()))
    }

    /// Removes a key; returns what it held.
    pub(crate) fn remove(&self, tree: TreeName, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(tree, |t| Ok(t.remove(key)?.map(|v| v.value().to_vec())))
    }

    /// Removes every pair of a table.
    pub(crate) fn clear(&self, tree: TreeName) -> Result<(), StoreError> {
        self.with(tree, |t| t.retain(|_, _| false))
    }

    /// The pair with the highest key in `from..to` (`to` excluded).
    pub(crate) fn last_in(&self, tree: TreeName, from: &[u8], to: &[u8]) -> Result<Option<Pair>, StoreError> {
        if from >= to {
            return Ok(None);
        }
        self.with(tree, |t| {
            Ok(t.range::<&[u8]>(from..to)?
                .next_back()
                .transpose()?
                .map(|(k, v)| (k.value().to_vec(), v.value().to_vec())))
        })
    }

    /// Every pair of a table, in key order (for small tables: the networks).
    pub(crate) fn values(&self, tree: TreeName) -> Result<Vec<Pair>, StoreError> {
        self.with(tree, |t| t.iter()?.map(|item| item.map(|(k, v)| (k.value().to_vec(), v.value().to_vec()))).collect())
    }

    /// Whether any key starts with `prefix`.
    pub(crate) fn any_with_prefix(&self, tree: TreeName, prefix: &[u8]) -> Result<bool, StoreError> {
        self.with(tree, |t| match prefix_end(prefix) {
            Some(end) => Ok(t.range::<&[u8]>(prefix..end.as_slice())?.next().transpose()?.is_some()),
            None => Ok(t.range::<&[u8]>(prefix..)?.next().transpose()?.is_some()),
        })
    }

    /// Closes the tables (before the transaction commits).
    pub(crate) fn close(self) {
        drop(self.open);
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn the_end_of_a_prefix_is_the_first_key_above_it() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
