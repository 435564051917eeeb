//! The sled store: one database directory, every record in a versioned envelope, every change one
//! transaction (with its audit entry) flushed to disk before the call returns.

pub mod audit;
mod audit_index;
pub mod audit_text;
pub mod backup_file;
mod cell_repo;
mod changes;
mod check;
mod close_repo;
pub mod codec;
pub mod error;
mod export_repo;
mod generator;
mod hours_repo;
mod invoice_repo;
pub mod keys;
pub mod legacy;
mod municipal_repo;
mod network_repo;
mod pref_repo;
pub mod records;
pub mod restore;
mod signal_repo;
mod tariff_repo;
pub mod tx;

use sled::Transactional;
use std::path::{Path, PathBuf};

pub use audit::{AuditEntry, AuditHead, ChangeContext};
pub use cell_repo::{CellChange, CellOutcome, CellState};
pub use check::CheckReport;
pub use close_repo::{NetworkClose, acknowledgement, region_networks, to_acknowledge};
pub use error::StoreError;
pub use hours_repo::NewHours;
pub use signal_repo::SignalList;
pub use tx::Touched;

use codec::{DecodeError, Record, decode, encode};
use keys::{META_KEY, TreeName, hex};
use records::DatabaseInfo;
use tx::{Tx, TxResult};

/// Schema version of the database layout (which trees, which keys). Records carry their own.
pub const DATABASE_SCHEMA: u16 = 1;

/// sled's page cache for a command that reads everything once (`backup`, `restore`, `check`):
/// one pass gains nothing from a cache, and sled keeps about 1,6 bytes a byte of it (on the
/// history store a scan peaks at 124 MB with 4 MiB, 150 MB with 16 MiB, in about the same time).
const ONE_PASS_CACHE: u64 = 4 * 1024 * 1024;
/// sled's page cache for `sidw serve`: what the screens of an office read again and again (the
/// networks, partners and agreements, this year's hours of the networks on screen and their
/// indexes) fits in it on the ten-year history store; sled's default (1 GiB) would keep every
/// page the start-up backup and the reports ever read.
const SERVE_CACHE: u64 = 32 * 1024 * 1024;

/// An open database. Clone it freely: clones share the same sled `Db`.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    path: PathBuf,
    /// Counts the changes written through this store (and its clones): sessions compare it to
    /// see that a colleague saved something.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Held by every change and by a backup, so that a backup sees no half of anything.
    writing: std::sync::Arc<std::sync::Mutex<()>>,
    /// Which networks each recent change touched (for caches and the sessions' reloads).
    changes: std::sync::Arc<std::sync::Mutex<changes::ChangeLog>>,
    /// The Signalen of each network, as last computed (see `signal_repo`).
    signal_cache: std::sync::Arc<std::sync::Mutex<signal_repo::SignalCache>>,
}

impl Store {
    /// Opens (or creates) the database in `path`. A directory held by another process, one that
    /// cannot be read, and one written by a newer sidw are refused with a clear error.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, None)
    }

    /// Opens for one pass over everything (`backup`, `check`): sled keeps a small page cache, so
    /// memory does not grow with the database (sled's default cache is 1 GiB).
    pub fn open_for_one_pass(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, Some(ONE_PASS_CACHE))
    }

    /// Opens for `sidw serve`: a page cache sized for an office's screens (see `SERVE_CACHE`).
    pub fn open_for_serving(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, Some(SERVE_CACHE))
    }

    fn open_with_cache(path: &Path, cache: Option<u64>) -> Result<Self, StoreError> {
        if path.exists() && !path.is_dir() {
            return Err(StoreError::Unreadable { path: path.into(), reason: "dat is een bestand, geen map".into() });
        }
        let mut config = sled::Config::new().path(path);
        if let Some(bytes) = cache {
            config = config.cache_capacity(bytes);
        }
        let db = config.open().map_err(|e| classify_open_error(path, e))?;
        Self::init(db, path.to_path_buf())
    }

    /// A database that lives in memory and a temporary directory only: for tests and benchmarks.
    pub fn temporary() -> Result<Self, StoreError> {
        let db = sled::Config::new().temporary(true).open()?;
        Self::init(db, PathBuf::from("(tijdelijk)"))
    }

    fn init(db: sled::Db, path: PathBuf) -> Result<Self, StoreError> {
        let trees = TreeName::ALL.iter().map(|t| db.open_tree(t.name())).collect::<Result<Vec<_>, _>>()?;
        let store = Self {
            db,
            trees,
            path,
            generation: Default::default(),
            writing: Default::default(),
            changes: Default::default(),
            signal_cache: Default::default(),
        };
        let meta = store.tree(TreeName::Meta);
        match meta.get(META_KEY)? {
            None => {
                meta.insert(META_KEY, encode(&DatabaseInfo { schema: DATABASE_SCHEMA }))?;
                store.db.flush()?;
            }
            Some(bytes) => {
                let newer =
                    |found| StoreError::NewerSchema { path: store.path.clone(), found, supported: DATABASE_SCHEMA };
                match decode::<DatabaseInfo>(&bytes) {
                    Ok(info) if info.schema > DATABASE_SCHEMA => return Err(newer(info.schema)),
                    Ok(_) => {}
                    Err(DecodeError::Newer { found, .. }) => return Err(newer(found)),
                    Err(DecodeError::Broken(reason)) => {
                        return Err(StoreError::Corrupt { tree: "meta", key: hex(META_KEY), reason });
                    }
                }
            }
        }
        store.exports_from_audit()?;
        store.index_batches()?;
        store.index_audit_log()?;
        Ok(store)
    }

    /// Notes a committed change: what it touched first, then the generation, so whoever sees the
    /// new generation also sees what it touched.
    pub(crate) fn changed(&self, touched: Touched) {
        let mut changes = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst) + 1;
        changes.record(generation, touched);
        self.generation.store(generation, std::sync::atomic::Ordering::SeqCst);
    }

    /// What the changes after `generation` (up to now) touched: everything when the change log
    /// no longer reaches back that far.
    pub fn touched_since(&self, generation: u64) -> Touched {
        let changes = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        changes.since(generation, self.generation())
    }

    /// The stamp of a network's derived data: it changes with every change that touches the
    /// network (or everything).
    pub fn network_stamp(&self, network: crate::domain::NetworkId) -> (u64, u64) {
        let changes = self.changes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        changes.stamp(network)
    }

    /// How many changes have been written through this store since it was opened.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Writes everything to disk (the server does this when it stops).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn tree(&self, tree: TreeName) -> &sled::Tree {
        &self.trees[tree.index()]
    }

    /// True when no programme data has been stored yet (the welcome screen and `demo` ask).
    pub fn is_empty(&self) -> bool {
        TreeName::ALL.iter().filter(|t| t.holds_data()).all(|t| self.tree(*t).is_empty())
    }

    /// Runs one change as a single transaction over every tree, then flushes it to disk. When
    /// this returns `Ok`, the change and its audit entry are durable; on `Err` nothing was written,
    /// except for [`StoreError::NotDurable`]: committed, but the flush to disk failed.
    pub fn write<T>(&self, ctx: &ChangeContext, change: impl Fn(&Tx) -> TxResult<T>) -> Result<T, StoreError> {
        if ctx.user.trim().is_empty() {
            return Err(StoreError::Refused(
                "wie de wijziging maakt ontbreekt: geef een gebruikersnaam (--user)".into(),
            ));
        }
        let refs: Vec<&sled::Tree> = self.trees.iter().collect();
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let touched = std::cell::RefCell::new(Touched::default());
        let facts_everywhere = std::cell::Cell::new(false);
        let result = refs.as_slice().transaction(|views| {
            // A conflict runs the change again: only the last run's writes count.
            *touched.borrow_mut() = Touched::default();
            facts_everywhere.set(false);
            let value = change(&Tx { views, ctx, touched: &touched, facts_everywhere: &facts_everywhere })?;
            tx::forget_facts(views, &touched.borrow(), facts_everywhere.get())?;
            Ok(value)
        });
        let value = result.map_err(|e| match e {
            sled::transaction::TransactionError::Abort(error) => error,
            sled::transaction::TransactionError::Storage(error) => StoreError::Storage(error),
        })?;
        self.changed(touched.into_inner());
        self.db.flush().map_err(StoreError::NotDurable)?;
        Ok(value)
    }

    /// Every tree's keys and values as they stand, consistent: no change is written meanwhile.
    pub fn dump(&self) -> Result<backup_file::Dump, StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut trees = Vec::new();
        for name in TreeName::ALL {
            let pairs = self
                .tree(name)
                .iter()
                .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())))
                .collect::<Result<Vec<_>, _>>()?;
            trees.push((name.name().to_string(), pairs));
        }
        Ok(backup_file::Dump { trees })
    }

    /// Writes a backup of every tree to `path` as it streams out of the database (the layout of
    /// [`backup_file::write_file`]): no change is written meanwhile, and memory does not grow
    /// with the database. Returns how many records and log entries it holds.
    pub fn backup_to(&self, path: &Path) -> Result<usize, backup_file::BackupError> {
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut records = 0;
        backup_file::write_file_streamed(path, |out| {
            let number = |out: &mut dyn std::io::Write, n: u64| out.write_all(&n.to_be_bytes());
            let bytes = |out: &mut dyn std::io::Write, b: &[u8]| {
                out.write_all(&(b.len() as u64).to_be_bytes())?;
                out.write_all(b)
            };
            number(out, TreeName::ALL.len() as u64)?;
            for name in TreeName::ALL {
                let tree = self.tree(name);
                bytes(out, name.name().as_bytes())?;
                number(out, tree.len() as u64)?;
                let mut written = 0u64;
                for item in tree.iter() {
                    let (key, value) = item.map_err(std::io::Error::other)?;
                    bytes(out, &key)?;
                    bytes(out, &value)?;
                    written += 1;
                }
                if written != tree.len() as u64 {
                    return Err(std::io::Error::other(format!("tabel {} veranderde tijdens de back-up", name.name())));
                }
                records += written as usize;
            }
            Ok(())
        })?;
        Ok(records)
    }

    /// Fills an empty database from a dump (restore); refuses a database that holds anything.
    pub fn load_dump(&self, dump: &backup_file::Dump) -> Result<(), StoreError> {
        let mut loader = restore::Loader::begin(self)?;
        for (name, pairs) in &dump.trees {
            loader.item(backup_file::Item::Tree(name))?;
            for (key, value) in pairs {
                loader.item(backup_file::Item::Pair(key, value))?;
            }
        }
        loader.finish()
    }

    /// Writes an event that changes no record (such as writing a payment file) in the audit log.
    pub fn record_event(
        &self,
        ctx: &ChangeContext,
        action: &str,
        subject: &str,
        details: &str,
    ) -> Result<(), StoreError> {
        self.write(ctx, |tx| tx.audit::<(), _>(action, subject, None, Some(&details)))
    }

    /// Reads and decodes one record outside a transaction.
    pub fn get<R: Record>(&self, tree: TreeName, key: &[u8]) -> Result<Option<R>, StoreError> {
        self.tree(tree).get(key)?.map(|bytes| decode_at(tree, key, &bytes)).transpose()
    }

    /// Reads every record under a key prefix (all records for an empty prefix), in key order.
    pub fn scan<R: Record>(&self, tree: TreeName, prefix: &[u8]) -> Result<Vec<R>, StoreError> {
        self.tree(tree)
            .scan_prefix(prefix)
            .map(|item| {
                let (key, bytes) = item?;
                decode_at(tree, &key, &bytes)
            })
            .collect()
    }

    /// Writes raw bytes under a key, bypassing records, transactions and the audit log: only for
    /// tests that must damage a database on purpose.
    #[doc(hidden)]
    pub fn raw_insert_for_tests(&self, tree: TreeName, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.tree(tree).insert(key, value)?;
        if tree != TreeName::SignalFacts {
            self.tree(TreeName::SignalFacts).clear()?;
        }
        self.changed(Touched::everything());
        self.db.flush()?;
        Ok(())
    }

    /// Removes a key, bypassing everything: only for tests that must damage a database on purpose.
    #[doc(hidden)]
    pub fn raw_remove_for_tests(&self, tree: TreeName, key: &[u8]) -> Result<(), StoreError> {
        self.tree(tree).remove(key)?;
        self.tree(TreeName::SignalFacts).clear()?;
        self.changed(Touched::everything());
        self.db.flush()?;
        Ok(())
    }
}

pub(crate) fn decode_at<R: Record>(tree: TreeName, key: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
    decode(bytes).map_err(|e| StoreError::Corrupt { tree: tree.name(), key: hex(key), reason: e.to_string() })
}

fn classify_open_error(path: &Path, error: sled::Error) -> StoreError {
    match error {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked { path: path.to_path_buf() }
        }
        sled::Error::Io(io) => StoreError::Unreadable { path: path.to_path_buf(), reason: error::dutch_io(&io) },
        sled::Error::Corruption { .. } => {
            StoreError::Unreadable { path: path.to_path_buf(), reason: "de bestanden zijn beschadigd".into() }
        }
        other => StoreError::Unreadable { path: path.to_path_buf(), reason: error::dutch_sled(&other) },
    }
}
