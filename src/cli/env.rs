//! Where a command runs: the one environment the three ways in (the local command line, an SSH
//! exec request, the local command line through the server's socket) give the same command runner.
//! It says where output goes, what stdin is, which database, who acts (and with what access) and
//! which files a command may read and write.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::domain::Access;
use crate::store::{ChangeContext, Store};

/// A usage error found after clap (a value that does not read, an option that may not be used
/// here): said as `sidw: …` on stderr, exit code 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A usage error as an `anyhow` error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Usage(message.into()).into()
}

/// The database a command works on.
pub enum Db {
    /// Opened per command (the process's own command line).
    Local(PathBuf),
    /// The serving process's open store.
    Served(Store),
}

/// Who runs the command.
#[derive(Debug, Clone)]
pub enum Who {
    /// An OS user on the server's machine (the command line, locally or through the socket): full
    /// access; `--user` names who acts, else the login name.
    Login(String),
    /// A user logged in over SSH: always that name, with that user's role and regions.
    Ssh { user: String, access: Access },
}

/// Which files a command may read and write.
#[derive(Debug, Clone)]
pub enum Place {
    /// Any path; a relative one from `cwd` (none: the process's own working directory).
    Local { cwd: Option<PathBuf> },
    /// Only bare names: written into `exports`, read from `imports` (an SSH user's folders).
    User { exports: PathBuf, imports: PathBuf },
}

/// Where a command's output file goes.
#[derive(Debug)]
pub enum Target {
    /// `-`: the command's standard output.
    Stdout,
    /// A file: where it is written, and how the message names it.
    File { path: PathBuf, shown: String },
}

impl Target {
    pub fn shown(&self) -> &str {
        match self {
            Target::Stdout => "-",
            Target::File { shown, .. } => shown,
        }
    }
}

/// The largest input read from stdin (the largest form a file may be).
pub const MAX_STDIN: u64 = crate::import::table::MAX_FILE_BYTES;

pub struct Env<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Read only by a command given `-` as its file.
    pub stdin: Option<Box<dyn Read + 'a>>,
    pub db: Db,
    pub who: Who,
    pub place: Place,
    /// `--overwrite`.
    pub overwrite: bool,
}

impl Env<'_> {
    /// The database's directory (for messages and to keep files out of it).
    pub fn db_path(&self) -> PathBuf {
        match &self.db {
            Db::Local(path) => path.clone(),
            Db::Served(store) => store.path().to_path_buf(),
        }
    }

    /// How a message names the database: its path, but over ssh only "de database" (the
    /// server's folders are not the user's to see).
    pub fn db_shown(&self) -> String {
        match &self.who {
            Who::Ssh { .. } => "de database".to_string(),
            Who::Login(_) => format!("database {}", self.db_path().display()),
        }
    }

    /// The store for a command that changes it.
    pub fn open(&self) -> Result<Store> {
        match &self.db {
            Db::Local(path) => super::open(path),
            Db::Served(store) => Ok(store.clone()),
        }
    }

    /// The store for a command that only reads (a private copy when the files may only be read).
    pub fn open_reading(&mut self) -> Result<(Store, Option<super::ReadingCopy>)> {
        match &self.db {
            Db::Local(path) => super::open_reading(path, self.err),
            Db::Served(store) => Ok((store.clone(), None)),
        }
    }

    /// [`Env::open_reading`] for a command that reads everything once (`backup`, `check`).
    pub fn open_reading_once(&mut self) -> Result<(Store, Option<super::ReadingCopy>)> {
        match &self.db {
            Db::Local(path) => super::open_reading_once(path, self.err),
            Db::Served(store) => Ok((store.clone(), None)),
        }
    }

    /// Ends a command that read: locally the database is flushed and closed cleanly; a served
    /// store stays open.
    pub fn done_reading(&self, store: Store) -> Result<()> {
        match &self.db {
            Db::Local(_) => super::done_reading(store),
            Db::Served(_) => Ok(()),
        }
    }

    /// What the user may see and change: everything locally (and through the socket); over SSH
    /// their role and regions. Reports show only the regions of this access.
    pub fn access(&self) -> Access {
        match &self.who {
            Who::Login(_) => Access::full(),
            Who::Ssh { access, .. } => access.clone(),
        }
    }

    /// Refuses `what` to a user with a list of regions: it reads every region's records (a
    /// backup, the log, the database check).
    pub fn require_every_region(&self, what: &str) -> Result<()> {
        if self.access().scope.is_all() {
            return Ok(());
        }
        anyhow::bail!("{what} is alleen voor wie alle regio's heeft: het bevat de gegevens van elke regio")
    }

    /// The network of that name as this user knows it: one outside their regions (over ssh) is
    /// not theirs to see and is answered as one that does not exist, in the same words (issue 16).
    pub fn network_named(&self, store: &Store, name: &str) -> Result<crate::domain::Network> {
        let scope = self.access().scope;
        store.network_by_name(name)?.filter(|network| scope.contains(network.region)).with_context(|| no_network(name))
    }

    /// Refuses a region outside the user's regions (over ssh); a region's name is no record, so
    /// it may be said.
    pub fn region_in_scope(&self, region: crate::domain::Region) -> Result<()> {
        let scope = self.access().scope;
        if scope.contains(region) {
            return Ok(());
        }
        anyhow::bail!("regio {} ligt buiten uw regio's ({})", region.name(), scope.describe())
    }

    /// Who a change is by: `--user` (locally; over SSH only the logged-in name), else the login.
    pub fn context(&self, asked: Option<&str>) -> Result<ChangeContext> {
        // An empty `--user " "` stays empty: the store refuses a change without a name.
        let asked = asked.map(str::trim);
        match &self.who {
            Who::Login(login) => Ok(ChangeContext::new(asked.unwrap_or(login), chrono::Utc::now())),
            Who::Ssh { user, access } => match asked {
                Some(other) if other != user => {
                    Err(usage(format!("--user {other}: over ssh werkt u altijd als {user}; laat --user weg")))
                }
                _ => Ok(ChangeContext::new(user.clone(), chrono::Utc::now()).with_access(access.clone())),
            },
        }
    }

    /// Where `--out FILE` (or the backup file) goes: `-` is the standard output; over SSH only a
    /// bare name, in the user's exports folder.
    pub fn target(&self, path: &Path) -> Result<Target> {
        if path == Path::new("-") {
            return Ok(Target::Stdout);
        }
        match &self.place {
            Place::Local { cwd } => {
                Ok(Target::File { path: resolve(cwd.as_deref(), path), shown: path.display().to_string() })
            }
            Place::User { exports, .. } => {
                let name = bare_name(path).ok_or_else(|| {
                    usage(format!(
                        "{}: over ssh schrijft sidw alleen in uw map exports; geef een bestandsnaam zonder map, \
                         of - voor de uitvoer",
                        path.display()
                    ))
                })?;
                make_user_folder(exports)?;
                Ok(Target::File { path: exports.join(&name), shown: format!("exports/{name}") })
            }
        }
    }

    /// Writes `bytes` to the target: atomically into a file (never over one without
    /// `--overwrite`), or to the standard output.
    pub fn write_target(&mut self, target: &Target, bytes: &[u8]) -> Result<()> {
        match target {
            Target::Stdout => Ok(self.out.write_all(bytes)?),
            Target::File { path, .. } => self.policy().write(path, bytes),
        }
    }

    /// Has `write` fill a file (it writes to a path), which then goes to the target.
    pub fn write_target_with<T>(&mut self, target: &Target, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
        match target {
            Target::File { path, .. } => self.policy().write_with(path, write),
            Target::Stdout => {
                let dir = super::PrivateDir(super::private_dir()?);
                // Every file written through here is a workbook unless it says otherwise.
                let temp = dir.0.join("uitvoer.xlsx");
                let value = write(&temp)?;
                let mut file = std::fs::File::open(&temp).context("kan de uitvoer niet teruglezen")?;
                std::io::copy(&mut file, self.out)?;
                Ok(value)
            }
        }
    }

    /// The message that a file was written: on the output, or on stderr when the file itself went
    /// to the output.
    pub fn tell(&mut self, target: &Target, line: &str) -> Result<()> {
        let to: &mut dyn Write = if matches!(target, Target::Stdout) { &mut *self.err } else { &mut *self.out };
        Ok(writeln!(to, "{line}")?)
    }

    /// Refuses a file target that may not be written (exists without `--overwrite`, lies in the
    /// database), before any work is done.
    pub fn check_target(&self, target: &Target) -> Result<()> {
        match target {
            Target::Stdout => Ok(()),
            Target::File { path, .. } => self.policy().check(path),
        }
    }

    fn policy(&self) -> OwnedPolicy {
        OwnedPolicy { overwrite: self.overwrite, database: self.db_path() }
    }

    /// The bytes of an input file and the name that says its kind: `-` is stdin (bounded); over
    /// SSH only a bare name in the user's imports folder.
    pub fn input(&mut self, path: &Path) -> Result<(Vec<u8>, String)> {
        if path == Path::new("-") {
            let Some(stdin) = self.stdin.take() else { anyhow::bail!("er is geen invoer (stdin) voor -") };
            return Ok((read_bounded(stdin, MAX_STDIN)?, "-".to_string()));
        }
        let file = match &self.place {
            Place::Local { cwd } => resolve(cwd.as_deref(), path),
            Place::User { imports, .. } => {
                let name = bare_name(path).ok_or_else(|| {
                    usage(format!(
                        "{}: over ssh leest sidw alleen uit uw map imports; geef een bestandsnaam zonder map, \
                         of - voor de invoer",
                        path.display()
                    ))
                })?;
                // As the screen and sftp read it: a plain file of a real folder, never through a
                // link, never a pipe (which would hold the command forever).
                let real = std::fs::symlink_metadata(imports).is_ok_and(|m| m.file_type().is_dir());
                if !real {
                    anyhow::bail!(
                        "uw map imports is er niet (of is geen gewone map): zet er eerst een bestand in met sftp"
                    );
                }
                let bytes = crate::office_files::read_plain_file_bytes(&imports.join(&name)).map_err(|e| {
                    anyhow::anyhow!("{}", e.to_string().replace(&imports.display().to_string(), "imports"))
                })?;
                return Ok((bytes, path.display().to_string()));
            }
        };
        let bytes = crate::office_files::read_table_bytes(&file)?;
        Ok((bytes, path.display().to_string()))
    }
}

/// "netwerk 'X' bestaat niet": for a name that is nowhere and for one outside the user's regions.
pub fn no_network(name: &str) -> String {
    format!("netwerk '{}' bestaat niet", name.trim())
}

/// [`crate::out_file::OutPolicy`] with its database path owned.
struct OwnedPolicy {
    overwrite: bool,
    database: PathBuf,
}

impl OwnedPolicy {
    fn borrowed(&self) -> crate::out_file::OutPolicy<'_> {
        crate::out_file::OutPolicy { overwrite: self.overwrite, database: &self.database }
    }

    fn check(&self, path: &Path) -> Result<()> {
        self.borrowed().check(path)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.borrowed().write(path, bytes)
    }

    fn write_with<T>(&self, path: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
        self.borrowed().write_with(path, write)
    }
}

/// A relative path from `cwd`.
fn resolve(cwd: Option<&Path>, path: &Path) -> PathBuf {
    match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// The path when it is a bare file name (no folder, no `..`, not hidden).
pub fn bare_name(path: &Path) -> Option<String> {
    let name = path.to_str()?;
    crate::app::files::check_file_name(name).ok()?;
    (name != "..").then(|| name.to_string())
}

/// A served user's exports folder (and `DB.exports`), private.
fn make_user_folder(dir: &Path) -> Result<()> {
    if let Some(parent) = dir.parent() {
        crate::serve::create_shared_dir(parent)
            .with_context(|| format!("kan de map {} niet maken", parent.display()))?;
    }
    crate::serve::create_private_dir(dir).with_context(|| format!("kan de map {} niet maken", dir.display()))
}

/// Reads all of `input`, refusing more than `limit` bytes.
pub fn read_bounded(input: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input.take(limit + 1).read_to_end(&mut bytes).context("kan de invoer (stdin) niet lezen")?;
    if bytes.len() as u64 > limit {
        anyhow::bail!("de invoer is groter dan {} MB; er is niets ingelezen", limit / (1024 * 1024));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote<'a>(out: &'a mut Vec<u8>, err: &'a mut Vec<u8>, dir: &Path) -> Env<'a> {
        Env {
            out,
            err,
            stdin: None,
            db: Db::Local(dir.join("db")),
            who: Who::Ssh { user: "anna".into(), access: Access::full() },
            place: Place::User { exports: dir.join("db.exports/anna"), imports: dir.join("db.imports/anna") },
            overwrite: false,
        }
    }

    #[test]
    fn stdin_is_read_up_to_its_bound_and_refused_beyond() {
        assert_eq!(read_bounded(&b"0123456789"[..], 10).unwrap().len(), 10);
        let refused = read_bounded(&b"0123456789x"[..], 10).unwrap_err();
        assert!(refused.to_string().contains("er is niets ingelezen"), "{refused}");
    }

    #[test]
    fn over_ssh_the_audit_name_is_the_user_and_only_bare_names_reach_the_users_folders() {
        let dir = tempfile::tempdir().unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let env = remote(&mut out, &mut err, dir.path());
        assert_eq!(env.context(None).unwrap().user, "anna");
        assert_eq!(env.context(Some(" anna ")).unwrap().user, "anna");
        assert!(env.context(Some("bert")).unwrap_err().is::<Usage>());
        match env.target(Path::new("q1.csv")).unwrap() {
            Target::File { path, shown } => {
                assert_eq!((path, shown.as_str()), (dir.path().join("db.exports/anna/q1.csv"), "exports/q1.csv"));
            }
            Target::Stdout => panic!("a file"),
        }
        assert!(matches!(env.target(Path::new("-")).unwrap(), Target::Stdout));
        for path in ["/tmp/x.csv", "../x.csv", "sub/x.csv", ".verborgen", ".."] {
            assert!(env.target(Path::new(path)).unwrap_err().is::<Usage>(), "{path}");
        }
        let local =
            Env { who: Who::Login("root".into()), place: Place::Local { cwd: Some("/home/anna".into()) }, ..env };
        assert_eq!(local.context(None).unwrap().user, "root");
        assert_eq!(local.context(Some("fien")).unwrap().user, "fien");
        match local.target(Path::new("q1.csv")).unwrap() {
            Target::File { path, shown } => assert_eq!((path, shown.as_str()), ("/home/anna/q1.csv".into(), "q1.csv")),
            Target::Stdout => panic!("a file"),
        }
    }
}
