//! Restoring a database from a backup, all or nothing: the records are loaded into a sibling
//! directory (`DB.restoring-PID`), checked, flushed, and only then renamed into place. A restore
//! killed at any moment leaves either no database at `DB` or the complete one, never a half-filled
//! database that `check` would call sound; what a killed restore left beside it is removed by the
//! next restore.

use std::path::{Path, PathBuf};

use super::backup_file::Dump;
use super::{CheckReport, Store, StoreError};

/// What a finished restore found when it checked the restored database.
pub struct Restored {
    pub path: PathBuf,
    pub report: CheckReport,
}

/// Restores `dump` into `path`, which must not exist or be an empty directory. The database
/// appears at `path` only after it was loaded completely and `check` found it sound.
pub fn restore(path: &Path, dump: &Dump) -> Result<Restored, StoreError> {
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
    let result = load_and_check(&staging, dump);
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
fn load_and_check(staging: &Path, dump: &Dump) -> Result<CheckReport, StoreError> {
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(io(staging))?;
    }
    let store = Store::open(staging)?;
    store.load_dump(dump)?;
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
