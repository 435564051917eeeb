//! Where an SFTP path leads, decided from its text alone before any file system call.
//!
//! A served user's SFTP root is virtual and holds exactly two folders: `exports` (the user's
//! `DB.exports/USER`, read-only) and `imports` (`DB.imports/USER`, writable). A path is read
//! against the root: empty parts and `.` are skipped, `..` goes one folder up and never above the
//! root (as `/..` is `/` on any server), so `../../etc/passwd` is `/etc/passwd`, which is nothing
//! here. Below a folder there is one level of plain file names, checked as the app checks an
//! export's name (no hidden names: an upload's temporary name is hidden).

use crate::app::files::check_file_name;

/// One of the two folders of the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Folder {
    Exports,
    Imports,
}

impl Folder {
    pub const ALL: [Folder; 2] = [Folder::Exports, Folder::Imports];

    pub fn name(self) -> &'static str {
        match self {
            Folder::Exports => "exports",
            Folder::Imports => "imports",
        }
    }

    /// Only `imports/` may be written to.
    pub fn writable(self) -> bool {
        self == Folder::Imports
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|folder| folder.name() == name)
    }
}

/// What a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Root,
    Folder(Folder),
    File(Folder, String),
}

impl Place {
    /// The path as the client is told it (SFTP realpath): `/`, `/exports`, `/imports/okt.csv`.
    pub fn display(&self) -> String {
        match self {
            Place::Root => "/".to_string(),
            Place::Folder(folder) => format!("/{}", folder.name()),
            Place::File(folder, name) => format!("/{}/{name}", folder.name()),
        }
    }
}

/// Why a path leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not one of the two folders, or deeper than a file in one.
    NoSuchFile,
    /// A name that is no plain file name (hidden, control characters, too long).
    NotAName(String),
}

/// Reads `path` against the virtual root (a relative path is relative to the root: the client's
/// starting folder is `/`).
pub fn resolve(path: &str) -> Result<Place, Refused> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    match parts.as_slice() {
        [] => Ok(Place::Root),
        [folder] => Folder::from_name(folder).map(Place::Folder).ok_or(Refused::NoSuchFile),
        [folder, name] => {
            let folder = Folder::from_name(folder).ok_or(Refused::NoSuchFile)?;
            check_file_name(name).map_err(Refused::NotAName)?;
            Ok(Place::File(folder, (*name).to_string()))
        }
        _ => Err(Refused::NoSuchFile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(folder: Folder, name: &str) -> Result<Place, Refused> {
        Ok(Place::File(folder, name.to_string()))
    }

    #[test]
    fn the_root_and_its_two_folders_whichever_way_they_are_written() {
        for root in ["", "/", ".", "/.", "//", "..", "/..", "/../..", "exports/..", "/imports/../"] {
            assert_eq!(resolve(root), Ok(Place::Root), "{root:?}");
        }
        for exports in ["exports", "/exports", "/exports/", "./exports", "/imports/../exports", "/../exports"] {
            assert_eq!(resolve(exports), Ok(Place::Folder(Folder::Exports)), "{exports:?}");
        }
        assert_eq!(resolve("/imports"), Ok(Place::Folder(Folder::Imports)));
        assert_eq!(resolve("/exports/betalingen-1.xml"), file(Folder::Exports, "betalingen-1.xml"));
        assert_eq!(resolve("imports//okt.csv"), file(Folder::Imports, "okt.csv"));
        assert_eq!(resolve("/exports/../imports/./okt.csv"), file(Folder::Imports, "okt.csv"));
        assert_eq!(resolve("/imports/oktober uren é.xlsx"), file(Folder::Imports, "oktober uren é.xlsx"));
    }

    #[test]
    fn nothing_outside_the_two_folders_is_reached() {
        for outside in [
            "/etc/passwd",
            "../../etc/passwd",
            "/../../etc/passwd",
            "/exports/../../etc/passwd",
            "/tmp",
            "/Exports",
            "exportsx",
            "/exports/sub/x.csv",
            "/imports/a/b",
            "/db.users",
            "/exports/../../db.users",
        ] {
            assert_eq!(resolve(outside), Err(Refused::NoSuchFile), "{outside:?}");
        }
    }

    #[test]
    fn a_name_in_a_folder_is_a_plain_visible_name() {
        for bad in ["/imports/.verborgen.csv", "/imports/.x.sftp-1", "/exports/a\u{7}b", "/imports/a\\b"] {
            assert!(matches!(resolve(bad), Err(Refused::NotAName(_))), "{bad:?}");
        }
        let long = format!("/imports/{}", "a".repeat(201));
        assert!(matches!(resolve(&long), Err(Refused::NotAName(_))));
        let just = format!("/imports/{}", "a".repeat(200));
        assert!(resolve(&just).is_ok());
    }

    #[test]
    fn realpath_shows_the_resolved_path() {
        assert_eq!(resolve("/exports/../imports/./okt.csv").unwrap().display(), "/imports/okt.csv");
        assert_eq!(resolve("..").unwrap().display(), "/");
        assert_eq!(resolve("exports/").unwrap().display(), "/exports");
    }
}
