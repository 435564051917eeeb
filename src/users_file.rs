//! The users file on disk (`sidw serve`'s list of users): adding and removing a user's lines with an atomic
//! replace, and reading the file again when it changes. The lines themselves are parsed and edited by
//! `sidw_app::users`, which touches no file.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::users::{Users, with_line, without_user};

/// Adds a line to the users file (the server reads it again within a second).
pub fn append(path: &Path, line: &str) -> std::io::Result<()> {
    let _editing = edit_lock(path)?;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    replace(path, &with_line(&bytes, line))
}

/// One edit of the users file at a time, across sessions and processes (two admins, or the
/// screen and the command line): each reads, edits and replaces the file while holding a lock on
/// its folder, so an addition can never bring back a user another admin just removed. The lock is
/// on the folder, not the file, because the replace puts a new file in its place.
fn edit_lock(path: &Path) -> std::io::Result<std::fs::File> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let guard = std::fs::File::open(folder)?;
    guard.lock()?;
    Ok(guard)
}

/// Writes the whole file anew beside it and renames it into place (`out_file::write_atomic`,
/// keeping the file's permissions): the server, reading it every second, sees the old list or
/// the new one, never a half-written file (which would end the sessions of users still in it).
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
    };
    #[cfg(not(unix))]
    let mode = None;
    crate::out_file::write_atomic(path, bytes, mode).map_err(|e| std::io::Error::other(format!("{e:#}")))
}

/// Removes every line of the user (comments and other users stay as they are); how many went.
pub fn remove(path: &Path, name: &str) -> std::io::Result<usize> {
    let _editing = edit_lock(path)?;
    let (kept, gone) = without_user(&std::fs::read(path)?, name);
    replace(path, &kept)?;
    Ok(gone)
}

/// A users file that is read again when it changes. When it is missing or unreadable, nobody is listed
/// (fail closed): nobody new gets in and open sessions end.
pub struct UsersFile {
    path: PathBuf,
    /// What the last read saw: modification time and length, or the error.
    seen: Option<Result<(Option<SystemTime>, u64), String>>,
    pub users: Users,
}

impl UsersFile {
    /// Reads the file; fails when it cannot be read (the server then does not start).
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let mut file = Self { path: path.to_path_buf(), seen: None, users: Users::default() };
        let bytes = std::fs::read(path)?;
        file.seen = Some(Ok(stamp(path).unwrap_or((None, bytes.len() as u64))));
        file.take(&bytes);
        Ok(file)
    }

    /// Reads the file again if it changed since the last read. `Ok(true)` when the list changed;
    /// `Err` (once per change) when it is missing or unreadable: the list is then empty.
    pub fn refresh(&mut self) -> Result<bool, String> {
        let now = stamp(&self.path).map_err(|e| e.to_string());
        if self.seen.as_ref() == Some(&now) {
            return Ok(false);
        }
        let read = now.clone().and_then(|_| std::fs::read(&self.path).map_err(|e| e.to_string()));
        // Changed while it was read (an editor writing in place): read it at the next tick.
        if stamp(&self.path).map_err(|e| e.to_string()) != now {
            return Ok(false);
        }
        self.seen = Some(now);
        match read {
            Ok(bytes) => {
                self.take(&bytes);
                Ok(true)
            }
            Err(error) => {
                self.users = Users::default();
                Err(error)
            }
        }
    }

    fn take(&mut self, bytes: &[u8]) {
        self.users = Users::parse_bytes(bytes);
        for (line, problem) in &self.users.problems {
            eprintln!("sidw serve: {} regel {line} overgeslagen: {problem}", self.path.display());
        }
    }
}

fn stamp(path: &Path) -> std::io::Result<(Option<SystemTime>, u64)> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.modified().ok(), meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl anna@laptop";

    /// Two admins at once: one adds users while the other removes anna. Every addition stays and
    /// anna stays gone (without the lock, an addition read before the removal wrote her back).
    #[test]
    fn an_addition_never_brings_back_a_user_removed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.users");
        for round in 0..20 {
            std::fs::write(
                &path,
                format!(
                    "anna editor {KEY}
"
                ),
            )
            .unwrap();
            let adder = {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..5 {
                        append(&path, &format!("u{round}x{i} viewer {KEY}")).unwrap();
                    }
                })
            };
            assert_eq!(remove(&path, "anna").unwrap(), 1);
            adder.join().unwrap();
            let users = Users::parse(&std::fs::read_to_string(&path).unwrap());
            let names: Vec<_> = users.users.iter().map(|u| u.name.clone()).collect();
            assert!(!names.contains(&"anna".to_string()), "round {round}: anna is back: {names:?}");
            assert_eq!(names.len(), 5, "round {round}: {names:?}");
        }
    }

    #[test]
    fn a_missing_file_lists_nobody_and_coming_back_lists_them_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.users");
        std::fs::write(&path, format!("anna editor {KEY}\n")).unwrap();
        let mut file = UsersFile::load(&path).unwrap();
        assert_eq!(file.users.users.len(), 1);
        assert_eq!(file.refresh(), Ok(false));
        std::fs::remove_file(&path).unwrap();
        assert!(file.refresh().is_err());
        assert!(file.users.users.is_empty(), "fails closed");
        assert_eq!(file.refresh(), Ok(false), "the error is told once");
        std::fs::write(&path, format!("anna viewer {KEY}\nbert editor {KEY}\n")).unwrap();
        assert_eq!(file.refresh(), Ok(true));
        assert_eq!(file.users.users.len(), 2);
        assert!(UsersFile::load(&dir.path().join("weg")).is_err());
    }

    #[test]
    fn names_that_are_paths_are_refused_and_the_file_is_replaced_whole() {
        const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        let users = Users::parse(&format!(".. editor {KEY}\n. viewer {KEY}\n-x viewer {KEY}\nanna editor {KEY}\n"));
        assert_eq!(users.users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), vec!["anna"]);
        assert_eq!(users.problems.iter().map(|(line, _)| *line).collect::<Vec<_>>(), vec![1, 2, 3]);
        let dir = std::env::temp_dir().join(format!("sidw-users-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.users");
        append(&path, &format!("anna editor {KEY}")).unwrap();
        append(&path, &format!("bert viewer {KEY}")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert_eq!(remove(&path, "anna").unwrap(), 1);
        assert_eq!(remove(&path, "anna").unwrap(), 0);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("bert viewer {KEY}\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the users file keeps its permissions when it is replaced");
        }
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left beside it");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
