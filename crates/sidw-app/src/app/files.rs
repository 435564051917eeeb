//! The files the app reads and writes, as a capability the runner passes in: the app itself
//! never touches the file system. The local runner gives one over the user's working directory
//! (`sidw::files::DiskFiles::local`), `sidw serve` one over the user's own export and import
//! folders beside the database (`DiskFiles::served`); tests give [`MemoryFiles`].
//!
//! Every write is atomic (the runner's writer: a temporary file beside the target, synced, renamed
//! into place), and an export is named by a bare file name ([`check_file_name`]): it can never
//! land outside its folder.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What the app may do with files. Errors are Dutch sentences for the status bar.
pub trait Files: Send + Sync {
    /// Writes `bytes` as the export `name` (a bare file name, see [`check_file_name`]), replacing
    /// an earlier one of that name whole; the path written, for the message.
    fn write_export(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, String>;

    /// The users file of `sidw serve`, when this runner has one (admins manage users with
    /// `:gebruikers`); `None` locally.
    fn users_file(&self) -> Option<PathBuf>;

    /// The users file's text.
    fn users_text(&self) -> Result<String, String>;

    /// Adds a line to the users file (written whole and renamed into place).
    fn append_user(&self, line: &str) -> Result<(), String>;

    /// Takes every line of the user `name` out of the users file; how many went.
    fn remove_user(&self, name: &str) -> Result<usize, String>;

    /// The folder `:importeer` reads forms from, named by their file name only (served); `None`
    /// when any path may be named (locally).
    fn import_folder(&self) -> Option<PathBuf>;

    /// The forms in the import folder, sorted (hidden files left out); empty without a folder.
    fn imports(&self) -> Vec<String>;

    /// The bytes of a form to import: a file name in the import folder, or locally a path.
    fn read_import(&self, name: &str) -> Result<Vec<u8>, String>;
}

/// The capability as the app holds it: shared, so a runner or a test may keep a handle to it.
pub type FilesRef = Arc<dyn Files>;

/// Refuses a name that is not a bare file name: empty, hidden (`.`, `..`, `.x`), with a folder
/// separator or a control character. Exports and served imports are only ever named this way.
pub fn check_file_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && name.chars().all(|c| !c.is_control());
    if valid { Ok(()) } else { Err(format!("'{name}' is geen bestandsnaam (geen map, pad of verborgen bestand)")) }
}

/// Files held in memory: for tests, and for an app no runner gave files to (it writes nowhere on
/// disk). Cloning shares the same files.
#[derive(Clone, Default)]
pub struct MemoryFiles {
    inner: Arc<Mutex<Memory>>,
}

#[derive(Default)]
struct Memory {
    exports: BTreeMap<String, Vec<u8>>,
    users: Option<String>,
    imports: Option<BTreeMap<String, Vec<u8>>>,
}

impl MemoryFiles {
    /// Exports only: no users file, no import folder (as locally, but any path to import is
    /// refused: there is no disk).
    pub fn new() -> Self {
        Self::default()
    }

    /// As served: a users file with this text and an (empty) import folder.
    pub fn served(users: &str) -> Self {
        let files = Self::default();
        {
            let mut memory = files.lock();
            memory.users = Some(users.to_string());
            memory.imports = Some(BTreeMap::new());
        }
        files
    }

    /// Puts a form into the import folder.
    pub fn put_import(&self, name: &str, bytes: &[u8]) {
        self.lock().imports.get_or_insert_with(BTreeMap::new).insert(name.to_string(), bytes.to_vec());
    }

    /// The export of that name, as last written.
    pub fn export(&self, name: &str) -> Option<Vec<u8>> {
        self.lock().exports.get(name).cloned()
    }

    /// The names of the exports written.
    pub fn export_names(&self) -> Vec<String> {
        self.lock().exports.keys().cloned().collect()
    }

    /// The users file's text (`None` without one).
    pub fn users(&self) -> Option<String> {
        self.lock().users.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

const MEMORY: &str = "(geheugen)";

impl Files for MemoryFiles {
    fn write_export(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        check_file_name(name)?;
        self.lock().exports.insert(name.to_string(), bytes.to_vec());
        Ok(PathBuf::from(MEMORY).join(name))
    }

    fn users_file(&self) -> Option<PathBuf> {
        self.lock().users.as_ref().map(|_| PathBuf::from(MEMORY).join("users"))
    }

    fn users_text(&self) -> Result<String, String> {
        self.lock().users.clone().ok_or_else(|| "geen gebruikersbestand".to_string())
    }

    fn append_user(&self, line: &str) -> Result<(), String> {
        let mut memory = self.lock();
        let users = memory.users.as_mut().ok_or("geen gebruikersbestand")?;
        *users = String::from_utf8_lossy(&crate::users::with_line(users.as_bytes(), line)).into_owned();
        Ok(())
    }

    fn remove_user(&self, name: &str) -> Result<usize, String> {
        let mut memory = self.lock();
        let users = memory.users.as_mut().ok_or("geen gebruikersbestand")?;
        let (kept, gone) = crate::users::without_user(users.as_bytes(), name);
        *users = String::from_utf8_lossy(&kept).into_owned();
        Ok(gone)
    }

    fn import_folder(&self) -> Option<PathBuf> {
        self.lock().imports.as_ref().map(|_| PathBuf::from(MEMORY).join("imports"))
    }

    fn imports(&self) -> Vec<String> {
        let memory = self.lock();
        memory.imports.iter().flat_map(|forms| forms.keys()).filter(|n| !n.starts_with('.')).cloned().collect()
    }

    fn read_import(&self, name: &str) -> Result<Vec<u8>, String> {
        let memory = self.lock();
        memory.imports.as_ref().and_then(|forms| forms.get(name).cloned()).ok_or_else(|| format!("{name} bestaat niet"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_file_names_are_names() {
        for good in ["betalingen-2025-Q1-0001.xml", "jaarverslag 2025.xlsx", "a"] {
            assert!(check_file_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "../x.csv", "a/b.csv", "/etc/passwd", "a\\b", ".verborgen", "a\nb", &"x".repeat(201)]
        {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn memory_files_keep_exports_users_and_imports() {
        let files = MemoryFiles::served("# sidw\nanna admin KEY\n");
        assert_eq!(files.write_export("a.csv", b"1").unwrap(), PathBuf::from("(geheugen)/a.csv"));
        files.write_export("a.csv", b"2").unwrap();
        assert_eq!(files.export("a.csv").as_deref(), Some(&b"2"[..]));
        assert!(files.write_export("../a.csv", b"3").is_err());
        assert_eq!(files.export_names(), vec!["a.csv".to_string()]);
        files.append_user("bert viewer KEY").unwrap();
        assert_eq!(files.users_text().unwrap(), "# sidw\nanna admin KEY\nbert viewer KEY\n");
        assert_eq!(files.remove_user("anna").unwrap(), 1);
        assert_eq!(files.remove_user("anna").unwrap(), 0);
        assert_eq!(files.users_text().unwrap(), "# sidw\nbert viewer KEY\n");
        files.put_import("b.csv", b"x");
        files.put_import(".a.csv", b"x");
        assert_eq!(files.imports(), vec!["b.csv".to_string()]);
        assert!(files.read_import("c.csv").is_err());
        let local = MemoryFiles::new();
        assert!(local.users_file().is_none() && local.import_folder().is_none());
        assert!(local.append_user("x").is_err());
    }
}
