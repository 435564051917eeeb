//! An office's database from before redb (sidw on sled 0.34: the files `conf`, `db`, `blobs/` and
//! `snap.*` in the database directory) is copied into a new `sidw.redb` the first time it is
//! opened: every tree streamed in bounded transactions, then counted and digested on both sides,
//! the id generator carried over as the floor of new ids. The copy is written to `sidw.redb.tmp`
//! and renamed into place only when it is verified; only then are the sled files moved into
//! `sled-oud/` (never deleted). A crash during the copy leaves the sled files as they were, and
//! the next open copies again. The only file that names sled.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{StoreError, dutch_io};
use super::keys::{ID_FLOOR_KEY, TreeName};

/// Where the sled files go once the copy is in place.
pub const SLED_ARCHIVE: &str = "sled-oud";
/// Pairs are copied in transactions of about this many bytes.
const BATCH_BYTES: usize = 4 << 20;
/// sled's page cache while copying: one pass.
const SLED_CACHE: u64 = 4 << 20;

/// Whether `dir` holds a sled database (its `conf` and `db` files).
pub(crate) fn holds_sled(dir: &Path) -> bool {
    dir.join("conf").is_file() && dir.join("db").is_file()
}

/// The files and directories of a sled database in `dir`.
fn sled_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            matches!(name, "conf" | "db" | "blobs") || name.starts_with("snap.")
        })
        .collect()
}

/// Moves the sled files of `dir` into `dir/sled-oud/` once `sidw.redb` is in place (also after a
/// crash between the rename and the move). Leaves them where they are when `sled-oud` already
/// holds something: nothing is ever overwritten.
pub(crate) fn move_sled_files(dir: &Path) {
    if !holds_sled(dir) || !dir.join(super::DATABASE_FILE).is_file() {
        return;
    }
    let archive = dir.join(SLED_ARCHIVE);
    if archive.exists() && std::fs::read_dir(&archive).map(|mut e| e.next().is_some()).unwrap_or(true) {
        return;
    }
    if std::fs::create_dir_all(&archive).is_err() {
        return;
    }
    for file in sled_files(dir) {
        if let Some(name) = file.file_name() {
            let _ = std::fs::rename(&file, archive.join(name));
        }
    }
    sync_dir(dir);
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Per tree: how many pairs, and a digest of them all in key order.
#[derive(Debug, PartialEq, Eq)]
struct Tally {
    pairs: u64,
    digest: [u8; 32],
}

#[derive(Default)]
struct Tallying {
    pairs: u64,
    hasher: Sha256,
}

impl Tallying {
    fn add(&mut self, key: &[u8], value: &[u8]) {
        self.pairs += 1;
        self.hasher.update((key.len() as u64).to_be_bytes());
        self.hasher.update(key);
        self.hasher.update((value.len() as u64).to_be_bytes());
        self.hasher.update(value);
    }

    fn done(self) -> Tally {
        Tally { pairs: self.pairs, digest: self.hasher.finalize().into() }
    }
}

/// Copies the sled database in `dir` into `dir/sidw.redb` (see the module's comment).
pub(crate) fn copy_into_redb(dir: &Path, cache: usize) -> Result<(), StoreError> {
    let unreadable = |reason: String| StoreError::Unreadable { path: dir.to_path_buf(), reason };
    let sled_error = |error: sled::Error| match error {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked { path: dir.to_path_buf() }
        }
        sled::Error::Io(io) => {
            unreadable(format!("de oude database (sled) kan niet worden gelezen: {}", dutch_io(&io)))
        }
        other => unreadable(format!("de oude database (sled) kan niet worden gelezen: {other}")),
    };
    // One copy at a time: two processes started together on upgrade night (the server and a cron
    // job) both see no sidw.redb; the second waits here for the first, then finds its copy and
    // leaves it alone instead of copying again over a database already in use.
    let guard = std::fs::File::open(dir).map_err(|e| unreadable(dutch_io(&e)))?;
    guard.lock().map_err(|e| unreadable(dutch_io(&e)))?;
    if dir.join(super::DATABASE_FILE).exists() || !holds_sled(dir) {
        return Ok(());
    }
    let sled = sled::Config::new().path(dir).cache_capacity(SLED_CACHE).open().map_err(sled_error)?;
    let tmp = dir.join(format!("{}.tmp", super::DATABASE_FILE));
    // What a crashed copy left is started again.
    let _ = std::fs::remove_file(&tmp);
    let store = super::Store::open_file(&tmp, cache, dir)?;
    let mut records = 0;
    for tree in TreeName::ALL {
        let source = sled.open_tree(tree.name()).map_err(sled_error)?;
        let mut written = Tallying::default();
        let mut batch: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut batched = 0;
        let write = |batch: &mut Vec<(Vec<u8>, Vec<u8>)>| {
            let pairs = std::mem::take(batch);
            store.bulk(super::Durable::Later, |w| {
                for (key, value) in &pairs {
                    w.insert(tree, key, value)?;
                }
                Ok(())
            })
        };
        for item in source.iter() {
            let (key, value) = item.map_err(sled_error)?;
            written.add(&key, &value);
            batched += key.len() + value.len() + 32;
            batch.push((key.to_vec(), value.to_vec()));
            if batched >= BATCH_BYTES {
                write(&mut batch)?;
                batched = 0;
            }
        }
        write(&mut batch)?;
        let written = written.done();
        let mut copied = Tallying::default();
        for item in store.tree(tree).iter() {
            let (key, value) = item?;
            copied.add(&key, &value);
        }
        let copied = copied.done();
        if copied != written {
            drop(store);
            let _ = std::fs::remove_file(&tmp);
            return Err(unreadable(format!(
                "de kopie van tabel '{}' uit de oude database (sled) klopt niet ({} van {} records); \
                 de oude bestanden zijn niet veranderd",
                tree.name(),
                copied.pairs,
                written.pairs
            )));
        }
        records += copied.pairs;
    }
    // sled's generator gives, after an open, ids above every one it gave before: new ids start
    // above it (and above a restore's floor in the old meta tree).
    let generated = sled.generate_id().map_err(sled_error)? + 1;
    store.bulk(super::Durable::Now, |w| {
        let floor = super::tx::next_id(w)?.saturating_sub(1);
        w.insert(TreeName::Meta, ID_FLOOR_KEY, &floor.max(generated).to_be_bytes())
    })?;
    drop(store);
    let target = dir.join(super::DATABASE_FILE);
    std::fs::rename(&tmp, &target).map_err(|e| unreadable(dutch_io(&e)))?;
    sync_dir(dir);
    drop(sled);
    // Once in the life of an office's database, so said where the command, the screen or the
    // server's log shows it (before any screen is drawn).
    eprintln!(
        "sidw: de database in {} is omgezet naar de nieuwe opslag ({}, {records} records, elke tabel nageteld); \
         de oude bestanden staan in {} en mogen weg zodra alles klopt.",
        dir.display(),
        super::DATABASE_FILE,
        dir.join(SLED_ARCHIVE).display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two processes on upgrade night: the second copy starts after the first one's rename (it
    /// passed `Store::open`'s "no sidw.redb yet" before it); it must leave the database the first
    /// has opened and written to alone.
    #[test]
    fn a_second_copy_after_the_first_leaves_the_database_in_use_alone() {
        let dir = tempfile::tempdir().unwrap();
        {
            let sled = sled::Config::new().path(dir.path()).open().unwrap();
            sled.open_tree("networks").unwrap().insert(b"n1", b"old").unwrap();
            sled.flush().unwrap();
        }
        copy_into_redb(dir.path(), 1 << 20).unwrap();
        let target = dir.path().join(crate::store::DATABASE_FILE);
        let first = crate::store::Store::open_file(&target, 1 << 20, dir.path()).unwrap();
        first.bulk(crate::store::Durable::Now, |w| w.insert(TreeName::Networks, b"n2", b"saved by A")).unwrap();
        copy_into_redb(dir.path(), 1 << 20).unwrap();
        drop(first);
        let reopened = crate::store::Store::open_file(&target, 1 << 20, dir.path()).unwrap();
        assert!(reopened.tree(TreeName::Networks).get(b"n2").unwrap().is_some(), "the first's change is gone");
        assert!(reopened.tree(TreeName::Networks).get(b"n1").unwrap().is_some());
    }
}
