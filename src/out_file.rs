//! Files the command line writes (`--out`, `backup`): never over an existing file unless
//! `--overwrite` is given, never inside the database directory or its backups, and always through a
//! temporary file in the same directory that is renamed into place, so a killed run leaves the old
//! file or the whole new one. Temporary files a killed run left behind are removed by the next
//! write into that directory.
//!
//! [`write_atomic`] is that one writer for every file sidw writes outside its store: the
//! command line's `--out`, the exports and users file the app writes through the runner's
//! capability (`crate::files`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Where the command line may write.
#[derive(Debug, Clone, Copy)]
pub struct OutPolicy<'a> {
    /// `--overwrite`: an existing file may be replaced.
    pub overwrite: bool,
    /// The database directory: nothing is ever written in it, or in `DB.backups`.
    pub database: &'a Path,
}

impl OutPolicy<'_> {
    /// Refuses a target that exists (without `--overwrite`), is a directory, or lies inside the
    /// database or its backups; in Dutch, naming the file.
    pub fn check(&self, path: &Path) -> Result<()> {
        let target = absolute(path);
        for protected in [self.database.to_path_buf(), sibling(self.database, ".backups")] {
            if target.starts_with(absolute(&protected)) {
                bail!(
                    "{} ligt in {}: daar schrijft sidw niets anders in; kies een andere map",
                    path.display(),
                    protected.display()
                );
            }
        }
        if path.is_dir() {
            bail!("{} is een map; geef een bestandsnaam", path.display());
        }
        if path.exists() && !self.overwrite {
            bail!("{} bestaat al; kies een andere naam of geef --overwrite om het te vervangen", path.display());
        }
        Ok(())
    }

    /// Checks the target, then has `write` fill a temporary file beside it (with the same
    /// extension) and renames that into place.
    pub fn write_with<T>(&self, path: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
        self.check(path)?;
        let overwrite = self.overwrite;
        replace_with(path, write, || {
            if path.exists() && !overwrite {
                bail!("{} is intussen aangemaakt; er is niets vervangen", path.display());
            }
            Ok(())
        })
    }

    /// Writes `bytes` to `path` as [`OutPolicy::write_with`] does.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.write_with(path, |temp| {
            std::fs::write(temp, bytes).with_context(|| format!("kan {} niet schrijven", temp.display()))
        })
    }
}

pub use crate::store::backup_file::remove_stale_temps;

/// Writes `bytes` to `path` atomically (see [`replace_with`]); on unix the new file gets `mode`
/// when one is given (else the umask's default). A reader sees the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    replace_with(
        path,
        |temp| {
            std::fs::write(temp, bytes).with_context(|| format!("kan {} niet schrijven", temp.display()))?;
            #[cfg(unix)]
            if let Some(mode) = mode {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(temp, std::fs::Permissions::from_mode(mode))
                    .with_context(|| format!("kan {} niet afschermen", temp.display()))?;
            }
            #[cfg(not(unix))]
            let _ = mode;
            Ok(())
        },
        || Ok(()),
    )
}

/// The atomic write itself: `write` fills a temporary file beside `path` (`.NAME.sidw-tmp-PID-N.EXT`,
/// unique within the process, so two sessions of one server never share one), which is synced,
/// checked by `before_rename`, renamed over `path`, and the folder synced. On an error the
/// temporary file is removed and `path` is as it was. Temporary files of killed runs in that
/// folder are removed first.
pub fn replace_with<T>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<T>,
    before_rename: impl FnOnce() -> Result<()>,
) -> Result<T> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    remove_stale_temps(&dir);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let short: String = name.chars().take(100).collect();
    let extension = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".{short}.sidw-tmp-{}-{n}{extension}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let result = write(&temp).and_then(|value| {
        std::fs::File::open(&temp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("kan {} niet naar schijf schrijven", path.display()))?;
        before_rename()?;
        std::fs::rename(&temp, path).with_context(|| format!("kan {} niet schrijven", path.display()))?;
        Ok(value)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
        return result;
    }
    if let Ok(dir) = std::fs::File::open(&dir) {
        let _ = dir.sync_all();
    }
    result
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The path made absolute and with `..` and links of its existing part resolved, so that
/// `db/../db/conf` and a link into the database are both seen for what they are.
fn absolute(path: &Path) -> PathBuf {
    let absolute =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    // Resolve the longest existing ancestor; keep the rest as written.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = existing.canonicalize() {
            let mut out = resolved;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}
