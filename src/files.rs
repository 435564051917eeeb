//! The runners' side of the app's file capability (`app::Files`): the only place the screen's
//! exports, the users file and the forms to import touch the disk. Every write goes through
//! `out_file`'s atomic writer.
//!
//! - Locally (`DiskFiles::local`) exports go into the directory sidw was started in, as they always
//!   did; there is no users file, and `:importeer PAD` reads the path named.
//! - On `sidw serve` (`DiskFiles::served`) each user has an exports folder `DB.exports/USER` and an
//!   imports folder `DB.imports/USER` (both made mode 0700, exports written 0600); exports are named
//!   by a bare file name and never leave that folder, and forms are read only from the imports
//!   folder.

use std::path::{Path, PathBuf};

use crate::app::files::{Files, check_file_name};

/// Files on disk for one app.
#[derive(Debug, Clone)]
pub struct DiskFiles {
    /// The folder exports go into.
    exports: PathBuf,
    /// The database: nothing is written into it (or its backups).
    database: PathBuf,
    users: Option<PathBuf>,
    /// `None`: any path may be named to import (locally).
    imports: Option<PathBuf>,
    /// Served: exports are written mode 0600.
    private: bool,
}

impl DiskFiles {
    /// The local runner's files: exports into the current directory.
    pub fn local(database: &Path) -> Self {
        Self {
            exports: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            database: database.to_path_buf(),
            users: None,
            imports: None,
            private: false,
        }
    }

    /// A served user's files: their exports and imports folders beside the database (see
    /// [`DiskFiles::make_folders`]), and the server's users file.
    pub fn served(database: &Path, user: &str, users_file: &Path) -> Self {
        Self {
            exports: exports_dir(database, user),
            database: database.to_path_buf(),
            users: Some(users_file.to_path_buf()),
            imports: Some(crate::serve::imports_dir(database, user)),
            private: true,
        }
    }

    /// Makes a served user's exports and imports folders (and `DB.exports`, `DB.imports`), mode
    /// 0700; refuses a user name that is not a bare name.
    pub fn make_folders(&self) -> std::io::Result<()> {
        for dir in [Some(&self.exports), self.imports.as_ref()].into_iter().flatten() {
            Self::make_folder(dir)?;
        }
        Ok(())
    }

    /// One user's folder and the shared folder it is in: the shared one (`DB.exports`,
    /// `DB.imports`) may be a link the administrator made to another disk; the user's own never.
    fn make_folder(dir: &Path) -> std::io::Result<()> {
        let user = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        check_file_name(user).map_err(std::io::Error::other)?;
        if let Some(parent) = dir.parent() {
            crate::serve::create_shared_dir(parent)?;
        }
        crate::serve::create_private_dir(dir)
    }

    fn users_path(&self) -> Result<&Path, String> {
        self.users.as_deref().ok_or_else(|| "geen gebruikersbestand".to_string())
    }
}

/// A folder that is a folder itself, not a link to one elsewhere.
fn real_folder(folder: &Path) -> bool {
    std::fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_dir())
}

/// WinSCP uploads a larger file as `NAME.filepart` and renames it when it is complete.
fn is_partial_upload(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("filepart"))
}

/// The folder of a served user's exports (payment files, CSV, workbooks): `DB.exports/USER`.
/// A removed user's exports and imports folders are set aside under a hidden name (kept for the
/// administrator, out of sftp's reach): their payment files do not pass to a later user of the
/// same name, and a re-added user starts with empty folders.
fn set_aside_folders(database: &Path, name: &str) -> Result<(), String> {
    if check_file_name(name).is_err() {
        return Ok(()); // never a folder of sidw's
    }
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    for folder in [exports_dir(database, name), crate::serve::imports_dir(database, name)] {
        let Some(parent) = folder.parent() else { continue };
        match std::fs::symlink_metadata(&folder) {
            Ok(meta) if meta.is_dir() => {
                let aside = parent.join(format!(".weg-{name}-{stamp}"));
                std::fs::rename(&folder, &aside)
                    .map_err(|e| format!("kan {} niet opzij zetten: {e}", folder.display()))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The two folders a served user reaches with sftp (`serve::sftp_paths`), as messages name them.
const SFTP_EXPORTS: &str = "exports";
const SFTP_IMPORTS: &str = "imports/";

pub fn exports_dir(db: &Path, user: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".exports");
    PathBuf::from(name).join(user)
}

impl Files for DiskFiles {
    fn write_export(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        check_file_name(name)?;
        let path = self.exports.join(name);
        let policy = crate::out_file::OutPolicy { overwrite: true, database: &self.database };
        let written = if self.private {
            // Only the exports folder: a problem with the imports folder does not stop a payment file.
            Self::make_folder(&self.exports)
                .map_err(|e| anyhow::anyhow!("kan de map {} niet maken: {e}", self.exports.display()))
                .and_then(|()| policy.check(&path))
                .and_then(|()| crate::out_file::write_atomic(&path, bytes, Some(0o600)))
        } else {
            policy.write(&path, bytes)
        };
        // A served user fetches the file with sftp from `exports/`: that is the name they are shown.
        let shown = if self.private { PathBuf::from(SFTP_EXPORTS).join(name) } else { path };
        written.map(|()| shown).map_err(|e| format!("{e:#}"))
    }

    fn users_file(&self) -> Option<PathBuf> {
        self.users.clone()
    }

    fn users_text(&self) -> Result<String, String> {
        let path = self.users_path()?;
        std::fs::read_to_string(path).map_err(|e| format!("kan {} niet lezen: {e}", path.display()))
    }

    fn append_user(&self, line: &str) -> Result<(), String> {
        let path = self.users_path()?;
        crate::users_file::append(path, line).map_err(|e| format!("kan {} niet schrijven: {e}", path.display()))
    }

    fn remove_user(&self, name: &str) -> Result<usize, String> {
        let path = self.users_path()?;
        let gone =
            crate::users_file::remove(path, name).map_err(|e| format!("kan {} niet schrijven: {e}", path.display()))?;
        if gone > 0 {
            set_aside_folders(&self.database, name)?;
        }
        Ok(gone)
    }

    fn import_folder(&self) -> Option<PathBuf> {
        // As the user reaches it with sftp: the server's own path is none of their business.
        self.imports.as_ref().map(|_| PathBuf::from(SFTP_IMPORTS))
    }

    fn imports(&self) -> Vec<String> {
        let Some(folder) = &self.imports else { return Vec::new() };
        if !real_folder(folder) {
            return Vec::new();
        }
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    // Plain files only: a link could point at the users file or another's export.
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    // Hidden names and WinSCP's `NAME.filepart` are uploads still under way.
                    .filter(|n| !n.starts_with('.') && !is_partial_upload(n))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn read_import(&self, name: &str) -> Result<Vec<u8>, String> {
        let path = match &self.imports {
            None => PathBuf::from(name),
            Some(folder) => {
                check_file_name(name)?;
                if !real_folder(folder) {
                    return Err(format!("{} is geen gewone map: daaruit leest sidw niet", folder.display()));
                }
                let path = folder.join(name);
                // A served user reads plain files of their own folder only: never through a link
                // (to the users file, a backup, another user's export) and never a pipe.
                match std::fs::symlink_metadata(&path) {
                    Ok(meta) if meta.file_type().is_file() => path,
                    Ok(_) => return Err(format!("{name} is geen gewoon bestand in {}", folder.display())),
                    Err(error) => return Err(format!("kan {} niet lezen: {error}", path.display())),
                }
            }
        };
        let read = if self.imports.is_some() {
            crate::office_files::read_plain_file_bytes(&path)
        } else {
            crate::office_files::read_table_bytes(&path)
        };
        read.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_export_lands_in_the_folder_whole_and_replaces_an_earlier_one() {
        let dir = tempfile::tempdir().unwrap();
        let files = DiskFiles { exports: dir.path().to_path_buf(), ..DiskFiles::local(&dir.path().join("db")) };
        let path = files.write_export("betalingen-1.csv", b"een").unwrap();
        assert_eq!(path, dir.path().join("betalingen-1.csv"));
        files.write_export("betalingen-1.csv", b"twee").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"twee");
        for bad in ["../weg.csv", "sub/x.csv", "..", "/tmp/x.csv", ".verborgen"] {
            assert!(files.write_export(bad, b"x").is_err(), "{bad}");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file, nothing outside: {names:?}");
        assert!(files.users_file().is_none() && files.import_folder().is_none());
        assert!(files.append_user("x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_served_users_folders_are_private_and_its_exports_stay_in_them() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let users = dir.path().join("db.users");
        std::fs::write(&users, "anna finance KEY\n").unwrap();
        let files = DiskFiles::served(&db, "anna", &users);
        files.make_folders().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for folder in ["db.exports", "db.exports/anna", "db.imports", "db.imports/anna"] {
            assert_eq!(mode(&dir.path().join(folder)), 0o700, "{folder}");
        }
        let shown = files.write_export("betalingen-1.xml", b"<xml/>").unwrap();
        assert_eq!(shown, PathBuf::from("exports/betalingen-1.xml"), "the name as sftp shows it");
        assert_eq!(mode(&dir.path().join("db.exports/anna/betalingen-1.xml")), 0o600);
        assert_eq!(files.import_folder(), Some(PathBuf::from("imports/")));
        assert!(files.write_export("../../db.users", b"x").is_err());
        assert!(files.write_export("../bert/x.xml", b"x").is_err());
        assert_eq!(std::fs::read_to_string(&users).unwrap(), "anna finance KEY\n");
        assert!(DiskFiles::served(&db, "..", &users).make_folders().is_err(), "a user name is no path");
        assert!(DiskFiles::served(&db, "..", &users).write_export("x.xml", b"x").is_err());
        std::fs::write(dir.path().join("db.imports/anna/okt.csv"), "a").unwrap();
        std::fs::write(dir.path().join("db.imports/anna/.half.csv"), "a").unwrap();
        std::fs::write(dir.path().join("db.imports/anna/nov.csv.filepart"), "a").unwrap();
        std::fs::write(dir.path().join("db.imports/anna/dec.csv.FILEPART"), "a").unwrap();
        std::fs::write(dir.path().join("geheim.csv"), "a").unwrap();
        assert_eq!(files.imports(), vec!["okt.csv".to_string()]);
        assert_eq!(files.read_import("okt.csv").unwrap(), b"a");
        assert!(files.read_import("../../geheim.csv").is_err());
        assert!(files.read_import(&dir.path().join("geheim.csv").display().to_string()).is_err());
        // A link dropped in the folder (by sftp, by a colleague) is neither listed nor read.
        std::os::unix::fs::symlink(&users, dir.path().join("db.imports/anna/gebruikers.csv")).unwrap();
        assert_eq!(files.imports(), vec!["okt.csv".to_string()]);
        let refused = files.read_import("gebruikers.csv").unwrap_err();
        assert!(refused.contains("geen gewoon bestand"), "{refused}");
    }

    /// A removed user's payment files do not pass to a later user of the same name: the folders
    /// are set aside (hidden, out of sftp's reach), and a user still listed keeps theirs.
    #[test]
    fn removing_a_user_sets_their_folders_aside() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let users = dir.path().join("db.users");
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        std::fs::write(&users, format!("anna finance {key}\nbert editor {key}\n")).unwrap();
        let anna = DiskFiles::served(&db, "anna", &users);
        let bert = DiskFiles::served(&db, "bert", &users);
        anna.write_export("betalingen-1.xml", b"<xml/>").unwrap();
        bert.write_export("b.csv", b"b").unwrap();
        assert_eq!(anna.remove_user("anna").unwrap(), 1);
        assert!(!dir.path().join("db.exports/anna").exists(), "not under the name any more");
        let aside: Vec<String> = std::fs::read_dir(dir.path().join("db.exports"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".weg-anna-"))
            .collect();
        assert_eq!(aside.len(), 1, "kept aside for the administrator");
        assert!(dir.path().join("db.exports").join(&aside[0]).join("betalingen-1.xml").is_file());
        assert!(dir.path().join("db.exports/bert/b.csv").is_file(), "another user keeps theirs");
        assert_eq!(anna.remove_user("nobody").unwrap(), 0);
    }

    /// A problem with a user's imports folder (here a link someone put in its place) is said for
    /// that folder, and never stops the user's payment files.
    #[test]
    fn a_broken_imports_folder_does_not_stop_the_exports() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let users = dir.path().join("db.users");
        std::fs::write(&users, "anna finance KEY\n").unwrap();
        let elsewhere = dir.path().join("ergens");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::create_dir(dir.path().join("db.imports")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("db.imports/anna")).unwrap();
        let files = DiskFiles::served(&db, "anna", &users);
        let refused = files.make_folders().unwrap_err().to_string();
        assert!(refused.contains("db.imports/anna") && refused.contains("geen gewone map"), "{refused}");
        assert_eq!(
            files.write_export("betalingen-1.xml", b"<xml/>").unwrap(),
            PathBuf::from("exports/betalingen-1.xml")
        );
        assert!(dir.path().join("db.exports/anna/betalingen-1.xml").is_file());
        std::fs::write(elsewhere.join("okt.csv"), "a").unwrap();
        assert!(files.imports().is_empty(), "nothing is listed through the link");
        assert!(files.read_import("okt.csv").unwrap_err().contains("geen gewone map"));
    }
}
