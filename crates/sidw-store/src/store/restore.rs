//! Restoring a database from a backup, all or nothing: the records are loaded into a sibling
//! directory (`DB.restoring-PID`), checked, flushed, and only then renamed into place. A restore
//! killed at any moment leaves either no database at `DB` or the complete one, never a half-filled
//! database that `check` would call sound; what a killed restore left beside it is removed by the
//! next restore.
//!
//! A backup file is restored as it is read ([`restore_file`]): the file is verified whole first
//! (header, length, checksum), then inflated and decoded one pair at a time into the staging
//! database in bounded transactions, which is opened with a small page cache and checked one record at a
//! time. Memory stays the same whatever the size of the backup.

use std::path::{Path, PathBuf};

use super::backup_file::{BackupError, Dump, Item};
use super::keys::{self, TreeName};
use super::{CheckReport, Durable, Store, StoreError, Touched};

/// Why a backup file could not be restored: the file, or the database.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Pairs are written to the staging database in transactions of about this many bytes: redb
/// keeps a transaction's pages in memory until it commits.
const BATCH_BYTES: usize = 4 << 20;

/// What a finished restore found when it checked the restored database.
pub struct Restored {
    pub path: PathBuf,
    pub report: CheckReport,
}

/// Restores `dump` into `path`, which must not exist or be an empty directory. The database
/// appears at `path` only after it was loaded completely and `check` found it sound.
pub fn restore(path: &Path, dump: &Dump) -> Result<Restored, StoreError> {
    restore_with(path, |store| store.load_dump(dump))
}

/// Restores the backup file `file` into `path` (see [`restore`]), streaming: the file is verified
/// whole before anything is loaded, and read again pair by pair into the staging database. A
/// file that fails any check, or changes between the two reads, leaves nothing at `path`.
pub fn restore_file(path: &Path, file: &Path) -> Result<Restored, RestoreError> {
    let mut backup_error = None;
    let result = restore_with(path, |store| {
        let mut loader = Loader::begin(store)?;
        let read = super::backup_file::read_file_streamed(file, &mut |item| loader.item(item).map_err(Failed::Store));
        match read {
            Ok(()) => loader.finish(),
            Err(Failed::Store(error)) => Err(error),
            Err(Failed::Backup(error)) => {
                backup_error = Some(error);
                Err(StoreError::Refused(String::new()))
            }
        }
    });
    match (result, backup_error) {
        (_, Some(error)) => Err(error.into()),
        (result, None) => Ok(result?),
    }
}

/// What stopped the streaming read: the backup file, or loading into the database.
enum Failed {
    Backup(BackupError),
    Store(StoreError),
}

impl From<BackupError> for Failed {
    fn from(error: BackupError) -> Self {
        Self::Backup(error)
    }
}

fn restore_with(path: &Path, load: impl FnOnce(&Store) -> Result<(), StoreError>) -> Result<Restored, StoreError> {
    let refuse = |reason: String| StoreError::Refused(reason);
    if path.is_file() {
        return Err(refuse(format!("{} is een bestand; zet terug in een nieuwe map", path.display())));
    }
    if path.is_dir() && std::fs::read_dir(path).map_err(io(path))?.next().is_some() {
        return Err(refuse(format!("de database in {} is niet leeg; zet terug in een nieuwe map", path.display())));
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    remove_leftovers(path);
    let staging = sibling(path, &format!("restoring-{}", std::process::id()));
    let result = load_and_check(&staging, load);
    let report = match result {
        Ok(report) if report.is_ok() => report,
        Ok(report) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Ok(Restored { path: path.to_path_buf(), report });
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    // An empty directory at `path` is replaced by the rename itself (POSIX rename(2)).
    std::fs::rename(&staging, path).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staging);
        StoreError::Refused(format!("kan {} niet op zijn plaats zetten: {e}", path.display()))
    })?;
    if let Ok(dir) = std::fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(Restored { path: path.to_path_buf(), report })
}

/// Loads the dump into a new database at `staging`, checks it and flushes it; the store is
/// closed (its lock released) when this returns.
fn load_and_check(
    staging: &Path,
    load: impl FnOnce(&Store) -> Result<(), StoreError>,
) -> Result<CheckReport, StoreError> {
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(io(staging))?;
    }
    // One pass in, one pass of `check`: a small page cache, whatever the size of the backup.
    let store = Store::open_for_one_pass(staging)?;
    load(&store)?;
    let report = store.check()?;
    store.flush()?;
    drop(store);
    Ok(report)
}

/// `DB.restoring-*` directories of restores that were killed (their process is gone).
fn remove_leftovers(path: &Path) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return };
    let Some(parent) = path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p }) else {
        return;
    };
    let prefix = format!("{name}.restoring-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let alive = pid.parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive || pid == std::process::id().to_string() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Unreadable { path: path.to_path_buf(), reason: e.to_string() }
}

/// Fills an empty database pair by pair (a restore): each tree's pairs go in as they come, in
/// batches of about [`BATCH_BYTES`]; [`Loader::finish`] keeps every id of the backup taken and
/// builds what is derived from the records.
pub(crate) struct Loader<'a> {
    store: &'a Store,
    writing: std::sync::MutexGuard<'a, ()>,
    tree: Option<TreeName>,
    batch: Vec<(Vec<u8>, Vec<u8>)>,
    batched: usize,
    highest: u64,
}

impl<'a> Loader<'a> {
    /// Refuses a database that holds anything.
    pub(crate) fn begin(store: &'a Store) -> Result<Self, StoreError> {
        let snapshot = store.snapshot()?;
        // The municipality list every new database is seeded with is replaced by the back-up's.
        for tree in TreeName::ALL.iter().filter(|t| !matches!(t, TreeName::Meta | TreeName::Municipalities)) {
            if !snapshot.tree(*tree).is_empty()? {
                return Err(StoreError::Refused(format!(
                    "de database in {} is niet leeg; zet terug in een nieuwe map",
                    store.path.display()
                )));
            }
        }
        drop(snapshot);
        let writing = store.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // The mark that the log is indexed comes with the back-up's own `meta`, or not at all.
        store.bulk(Durable::Now, |w| {
            w.clear(TreeName::Municipalities)?;
            w.remove(TreeName::Meta, super::audit_index::INDEX_BUILT_KEY).map(|_| ())
        })?;
        Ok(Self { store, writing, tree: None, batch: Vec::new(), batched: 0, highest: 0 })
    }

    pub(crate) fn item(&mut self, item: Item<'_>) -> Result<(), StoreError> {
        match item {
            Item::Tree(name) => {
                self.write_batch()?;
                let Some(tree) = TreeName::ALL.iter().find(|t| t.name() == name) else {
                    return Err(StoreError::Refused(format!(
                        "de back-up bevat een onbekende tabel '{name}' (van een nieuwere sidw?)"
                    )));
                };
                self.tree = Some(*tree);
            }
            Item::Pair(key, value) => {
                let Some(tree) = self.tree else { return Ok(()) };
                // Every id in the backup (ids are the 8-byte parts of keys) stays taken.
                if tree.keys_hold_ids() {
                    let ids = key.chunks_exact(8).take(2).filter_map(|c| c.try_into().ok()).map(u64::from_be_bytes);
                    self.highest = ids.fold(self.highest, u64::max);
                }
                self.batch.push((key.to_vec(), value.to_vec()));
                self.batched += key.len() + value.len() + 32;
                if self.batched >= BATCH_BYTES {
                    self.write_batch()?;
                }
            }
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<(), StoreError> {
        let batch = std::mem::take(&mut self.batch);
        if let Some(tree) = self.tree
            && !batch.is_empty()
        {
            // Durable one by one, though the staging database is thrown away unless finished:
            // redb keeps what non-durable commits free in memory until a durable one.
            self.store.bulk(Durable::Now, |w| {
                for (key, value) in &batch {
                    w.insert(tree, key, value)?;
                }
                Ok(())
            })?;
        }
        self.batched = 0;
        Ok(())
    }

    /// Writes what is left, keeps the ids taken, and builds the derived records.
    pub(crate) fn finish(mut self) -> Result<(), StoreError> {
        self.write_batch()?;
        let store = self.store;
        let highest = self.highest;
        store.bulk(Durable::Now, |w| {
            // The counter as the back-up left it, but never below an id the back-up holds.
            let counted = super::tx::next_id(w)?.saturating_sub(1);
            w.insert(TreeName::Meta, keys::ID_FLOOR_KEY, &highest.max(counted).to_be_bytes())?;
            // A back-up from before the exports tree: its exports are in its audit log only.
            w.remove(TreeName::Meta, super::export_repo::EXPORTS_FROM_AUDIT_KEY)?;
            // A back-up from before the batch index: its batches are indexed now (an index in the
            // back-up is built again the same way: from the batches).
            w.clear(TreeName::BatchIndex)?;
            w.remove(TreeName::Meta, super::close_repo::BATCH_INDEX_BUILT)?;
            // Derived facts are computed again from what was restored, not taken from the back-up.
            w.clear(TreeName::SignalFacts)
        })?;
        drop(self.writing);
        store.exports_from_audit()?;
        store.index_batches()?;
        // A back-up from before the audit log's indexes: indexed now, once (one from this
        // version carries its indexes and the mark that they are built).
        store.index_audit_log()?;
        // A back-up from before the municipality list: seeded now, in one audited change.
        store.seed_municipalities(false)?;
        store.changed(Touched::everything());
        Ok(())
    }
}
