//! The redb store: one database directory (the file `sidw.redb` in it), every record in a versioned
//! envelope, every change one transaction (with its audit entry) on disk before the call returns.

pub mod audit;
mod audit_index;
pub mod audit_text;
pub mod authority;
pub mod backup_file;
mod bank_repo;
mod cell_repo;
mod changes;
mod check;
mod close_repo;
pub mod codec;
pub mod error;
mod export_repo;
mod from_sled;
mod generator;
mod hours_repo;
mod invoice_repo;
pub mod keys;
pub mod legacy;
mod mail_repo;
pub mod money_check;
mod municipal_repo;
pub mod municipality_repo;
mod network_repo;
mod pref_repo;
mod reader;
pub mod records;
pub mod restore;
mod signal_repo;
mod tariff_repo;
pub mod tx;

use std::path::{Path, PathBuf};

pub use audit::{AuditEntry, AuditHead, ChangeContext};
pub use bank_repo::{BANK_ACTION, BankUpdate};
pub use cell_repo::{CellChange, CellOutcome, CellState};
pub use check::CheckReport;
pub use close_repo::{NetworkClose, acknowledgement, region_networks, to_acknowledge};
pub use error::StoreError;
pub use export_repo::ExportedFile;
pub use hours_repo::NewHours;
pub use mail_repo::Delivery;
pub use signal_repo::SignalList;
pub use tx::Touched;

use codec::{DecodeError, Record, decode, encode};
use keys::{META_KEY, TreeName, hex};
use reader::{Table, Tables};
use records::DatabaseInfo;
use redb::ReadableDatabase;
use tx::{Tx, TxResult};

/// Schema version of the database layout (which trees, which keys). Records carry their own.
pub const DATABASE_SCHEMA: u16 = 1;

/// The database file in the database directory (beside it: back-ups, the server's marker, the
/// users file, and `sled-oud/` of an office that came from sled).
pub const DATABASE_FILE: &str = "sidw.redb";

/// redb's page cache for a command that reads everything once (`backup`, `restore`, `check`):
/// one pass gains nothing from a cache.
const ONE_PASS_CACHE: usize = 4 * 1024 * 1024;
/// redb's page cache for `sidw serve`: what the screens of an office read again and again (the
/// networks, partners and agreements, this year's hours of the networks on screen and their
/// indexes).
const SERVE_CACHE: usize = 32 * 1024 * 1024;
/// redb's page cache for the TUI and the other commands (redb's default, 1 GiB, would keep every
/// page a report ever read).
const DEFAULT_CACHE: usize = 16 * 1024 * 1024;

/// An open database. Clone it freely: clones share the same redb `Database`.
#[derive(Clone)]
pub struct Store {
    db: std::sync::Arc<redb::Database>,
    path: PathBuf,
    /// Counts the changes written through this store (and its clones): sessions compare it to
    /// see that a colleague saved something.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Held by every change (and the caches' writes), so that the change counter and what each
    /// change touched follow the commits in order. A backup does not take it: it reads a snapshot.
    writing: std::sync::Arc<std::sync::Mutex<()>>,
    /// A write that waits for the next durable commit was made (see [`Store::flush`]).
    pending: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Which networks each recent change touched (for caches and the sessions' reloads).
    changes: std::sync::Arc<std::sync::Mutex<changes::ChangeLog>>,
    /// The Signalen of each network, as last computed (see `signal_repo`).
    signal_cache: std::sync::Arc<std::sync::Mutex<signal_repo::SignalCache>>,
}

/// How a write outside a change's transaction reaches the disk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durable {
    /// On disk when the call returns.
    Now,
    /// With the next change (a cache, a preference: losing it in a crash costs nothing).
    Later,
}

impl Store {
    /// Opens (or creates) the database in `path`. A directory held by another process, one that
    /// cannot be read, and one written by a newer sidw are refused with a clear error. A directory
    /// that holds a sled database (sidw before redb) is copied into a new `sidw.redb` first.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, DEFAULT_CACHE)
    }

    /// Opens for one pass over everything (`backup`, `check`): a small page cache, so memory does
    /// not grow with the database.
    pub fn open_for_one_pass(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, ONE_PASS_CACHE)
    }

    /// Opens for `sidw serve`: a page cache sized for an office's screens (see `SERVE_CACHE`).
    pub fn open_for_serving(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, SERVE_CACHE)
    }

    fn open_with_cache(path: &Path, cache: usize) -> Result<Self, StoreError> {
        if path.exists() && !path.is_dir() {
            return Err(StoreError::Unreadable { path: path.into(), reason: "dat is een bestand, geen map".into() });
        }
        std::fs::create_dir_all(path)
            .map_err(|e| StoreError::Unreadable { path: path.into(), reason: error::dutch_io(&e) })?;
        let file = path.join(DATABASE_FILE);
        if !file.exists() && from_sled::holds_sled(path) {
            from_sled::copy_into_redb(path, cache)?;
        }
        let db = Self::builder(cache).create(&file).map_err(|e| classify_open_error(path, e))?;
        // A copy from sled that was renamed into place but whose sled files were not moved yet.
        from_sled::move_sled_files(path);
        Self::init(db, path.to_path_buf())
    }

    pub(crate) fn builder(cache: usize) -> redb::Builder {
        let mut builder = redb::Database::builder();
        builder.set_cache_size(cache);
        builder
    }

    /// A database that lives in memory only: for tests and benchmarks.
    pub fn temporary() -> Result<Self, StoreError> {
        let db = Self::builder(DEFAULT_CACHE)
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| classify_open_error(Path::new("(tijdelijk)"), e))?;
        Self::init(db, PathBuf::from("(tijdelijk)"))
    }

    /// A database file opened as it is: no table made, nothing derived built (the copy from sled
    /// fills it).
    pub(crate) fn open_file(file: &Path, cache: usize, dir: &Path) -> Result<Self, StoreError> {
        let db = Self::builder(cache).create(file).map_err(|e| classify_open_error(dir, e))?;
        Ok(Self::bare(db, dir.to_path_buf()))
    }

    fn bare(db: redb::Database, path: PathBuf) -> Self {
        Self {
            db: std::sync::Arc::new(db),
            path,
            generation: Default::default(),
            writing: Default::default(),
            pending: Default::default(),
            changes: Default::default(),
            signal_cache: Default::default(),
        }
    }

    fn init(db: redb::Database, path: PathBuf) -> Result<Self, StoreError> {
        let store = Self::bare(db, path);
        let meta = store.tree(TreeName::Meta);
        let new_database = meta.get(META_KEY)?.is_none();
        match meta.get(META_KEY)? {
            None => {
                // Every table exists from the start, so that a read never finds one missing.
                store.bulk(Durable::Now, |w| {
                    for tree in TreeName::ALL {
                        w.contains_key(tree, META_KEY)?;
                    }
                    w.insert(TreeName::Meta, META_KEY, &encode(&DatabaseInfo { schema: DATABASE_SCHEMA }))
                })?;
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
        drop(meta);
        store.exports_from_audit()?;
        store.index_batches()?;
        store.current_network_layout()?;
        store.index_audit_log()?;
        store.seed_municipalities(new_database)?;
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

    /// Writes everything to disk (the server does this when it stops): the caches' writes that
    /// wait for the next change go with an empty durable commit.
    pub fn flush(&self) -> Result<(), StoreError> {
        if !self.pending.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(Durable::Now, |_| Ok(()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One read snapshot of the database: every table read through it sees the same moment.
    pub(crate) fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(Snapshot(self.db.begin_read()?))
    }

    /// One table as it stands now (a snapshot of its own). Reading several tables consistently:
    /// [`Store::snapshot`].
    pub(crate) fn tree(&self, tree: TreeName) -> Table {
        match self.db.begin_read() {
            Ok(txn) => Table::open(&txn, tree),
            Err(error) => Table::failed(error.into()),
        }
    }

    /// Writes outside a change's transaction, all or nothing (derived data, caches, bulk loads):
    /// no audit entry, no change counted. The caller holds `writing` where order matters.
    pub(crate) fn bulk<T>(
        &self,
        durable: Durable,
        write: impl FnOnce(&Tables) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_quick_repair(true);
        if durable == Durable::Later {
            txn.set_durability(redb::Durability::None)?;
        }
        let tables = Tables::new(&txn);
        let value = write(&tables)?;
        tables.close();
        txn.commit()?;
        self.pending.store(durable == Durable::Later, std::sync::atomic::Ordering::SeqCst);
        Ok(value)
    }

    /// True when no programme data has been stored yet (the welcome screen and `demo` ask). The
    /// municipality list is reference data every database has from the start: it does not count.
    pub fn is_empty(&self) -> bool {
        let Ok(snapshot) = self.snapshot() else { return false };
        TreeName::ALL
            .iter()
            .filter(|t| t.holds_data() && **t != TreeName::Municipalities)
            .all(|t| snapshot.tree(*t).is_empty().unwrap_or(false))
    }

    /// Runs one change as a single transaction over every table, committed durably: when this
    /// returns `Ok`, the change and its audit entry are on disk; on `Err` nothing was written,
    /// except for [`StoreError::NotDurable`]: perhaps committed, but not confirmed on disk.
    pub fn write<T>(&self, ctx: &ChangeContext, change: impl FnOnce(&Tx) -> TxResult<T>) -> Result<T, StoreError> {
        if ctx.user.trim().is_empty() {
            return Err(StoreError::Refused(
                "wie de wijziging maakt ontbreekt: geef een gebruikersnaam (--user)".into(),
            ));
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut txn = self.db.begin_write()?;
        // Quick repair: the allocator's state is saved with each commit, so the open after a
        // crash need not walk the whole file.
        txn.set_quick_repair(true);
        let touched = std::cell::RefCell::new(Touched::default());
        let facts_everywhere = std::cell::Cell::new(false);
        let reached = std::cell::RefCell::new(authority::Reached::default());
        let tx = Tx {
            tables: Tables::new(&txn),
            ctx,
            touched: &touched,
            facts_everywhere: &facts_everywhere,
            reached: &reached,
        };
        let value = match change(&tx) {
            Ok(value) => {
                // The user's regions, against every network the change reached (before and after).
                authority::check_regions(&tx.tables, &ctx.access, &reached.borrow())
                    .and_then(|()| tx::forget_facts(&tx.tables, &touched.borrow(), facts_everywhere.get()))
                    .map(|()| value)
            }
            // A trial run went through every rule: the regions are one of them.
            Err(StoreError::DryRun) => {
                authority::check_regions(&tx.tables, &ctx.access, &reached.borrow()).and(Err(StoreError::DryRun))
            }
            Err(error) => Err(error),
        };
        drop(tx);
        let value = match value {
            Ok(value) => value,
            Err(error) => {
                let _ = txn.abort();
                return Err(error);
            }
        };
        txn.commit().map_err(|e| match e {
            redb::CommitError::Storage(redb::StorageError::Io(io)) => StoreError::NotDurable(error::dutch_io(&io)),
            other => other.into(),
        })?;
        self.pending.store(false, std::sync::atomic::Ordering::SeqCst);
        self.changed(touched.into_inner());
        Ok(value)
    }

    /// Every tree's keys and values as they stand, consistent: one read snapshot.
    pub fn dump(&self) -> Result<backup_file::Dump, StoreError> {
        let snapshot = self.snapshot()?;
        let mut trees = Vec::new();
        for name in TreeName::ALL {
            let pairs = snapshot.tree(name).iter().collect::<Result<Vec<_>, _>>()?;
            trees.push((name.name().to_string(), pairs));
        }
        Ok(backup_file::Dump { trees })
    }

    /// Writes a backup of every tree to `path` as it streams out of one read snapshot (the layout
    /// of [`backup_file::write_file`]): colleagues keep saving meanwhile, the backup is the one
    /// moment the snapshot was taken, and memory does not grow with the database. Returns how many
    /// records and log entries it holds.
    pub fn backup_to(&self, path: &Path) -> Result<usize, backup_file::BackupError> {
        let snapshot = self.snapshot().map_err(std::io::Error::other)?;
        let mut records = 0;
        backup_file::write_file_streamed(path, |out| {
            let number = |out: &mut dyn std::io::Write, n: u64| out.write_all(&n.to_be_bytes());
            let bytes = |out: &mut dyn std::io::Write, b: &[u8]| {
                out.write_all(&(b.len() as u64).to_be_bytes())?;
                out.write_all(b)
            };
            number(out, TreeName::ALL.len() as u64)?;
            for name in TreeName::ALL {
                let tree = snapshot.tree(name);
                let len = tree.len().map_err(std::io::Error::other)? as u64;
                bytes(out, name.name().as_bytes())?;
                number(out, len)?;
                let mut written = 0u64;
                for item in tree.iter() {
                    let (key, value) = item.map_err(std::io::Error::other)?;
                    bytes(out, &key)?;
                    bytes(out, &value)?;
                    written += 1;
                }
                if written != len {
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
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(Durable::Now, |w| {
            w.insert(tree, key, value)?;
            if tree != TreeName::SignalFacts {
                w.clear(TreeName::SignalFacts)?;
            }
            Ok(())
        })?;
        self.changed(Touched::everything());
        Ok(())
    }

    /// Removes a key, bypassing everything: only for tests that must damage a database on purpose.
    #[doc(hidden)]
    pub fn raw_remove_for_tests(&self, tree: TreeName, key: &[u8]) -> Result<(), StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(Durable::Now, |w| {
            w.remove(tree, key)?;
            w.clear(TreeName::SignalFacts)
        })?;
        self.changed(Touched::everything());
        Ok(())
    }
}

/// One read snapshot: every table read through it sees the same moment, whatever is written
/// meanwhile.
pub(crate) struct Snapshot(redb::ReadTransaction);

impl Snapshot {
    pub(crate) fn tree(&self, tree: TreeName) -> Table {
        Table::open(&self.0, tree)
    }
}

pub(crate) fn decode_at<R: Record>(tree: TreeName, key: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
    decode(bytes).map_err(|e| StoreError::Corrupt { tree: tree.name(), key: hex(key), reason: e.to_string() })
}

fn classify_open_error(path: &Path, error: redb::DatabaseError) -> StoreError {
    let unreadable = |reason: String| StoreError::Unreadable { path: path.to_path_buf(), reason };
    match error {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked { path: path.to_path_buf() },
        redb::DatabaseError::Storage(redb::StorageError::Io(io)) => unreadable(error::dutch_io(&io)),
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(_)) => {
            unreadable("de bestanden zijn beschadigd".into())
        }
        other => unreadable(error::dutch_redb(&redb::Error::from(other))),
    }
}
