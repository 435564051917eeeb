//! The SFTP subsystem of `sidw serve` (issue 16): a logged-in user fetches what their screen wrote
//! and drops forms to import, with OpenSSH's `sftp`/`scp -s`, WinSCP or FileZilla.
//!
//! Each user sees a virtual root with two folders (see `sftp_paths`):
//! - `exports/` is `DB.exports/USER`, read-only: list, stat, read. Every payment file, CSV and
//!   workbook the user's screen writes lands there (`DiskFiles::served`).
//! - `imports/` is `DB.imports/USER`: upload, overwrite, read back, remove and rename within.
//!   What is there is what `:importeer` lists and reads. An upload is written to a hidden
//!   temporary name (which `:importeer` does not list) and takes its own name only when the
//!   client closes it complete; a dropped connection leaves nothing.
//!
//! Nothing else is reached: a path is resolved from its text before any file system call, files
//! are opened with `O_NOFOLLOW` and must be plain files (a link, pipe or device planted in a
//! folder is refused and not listed), the folders themselves must be real folders (never links).
//! Uploads are bounded ([`MAX_UPLOAD`]) and so are the open handles of a session
//! ([`MAX_HANDLES`]). Whatever the client asks that is not offered gets an SFTP status, never a
//! closed connection.

use std::collections::HashMap;
use std::fs::File as FsFile;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, FileMode, Handle, Name, OpenFlags, Packet, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;

use super::sftp_paths::{Folder, Place, Refused, resolve};
use crate::files::DiskFiles;

/// The largest file that may be uploaded to `imports/` (an hours form or ION update is far less).
pub const MAX_UPLOAD: u64 = 64 * 1024 * 1024;
/// What one user's `imports/` may hold: files, bytes (published and under way), and uploads
/// under way at once (over all their sessions). A full folder refuses a new upload, so one user
/// cannot fill the disk the database and the backups live on.
pub const MAX_IMPORT_FILES: usize = 200;
pub const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;
pub const MAX_UPLOADS_UNDER_WAY: usize = 4;
/// Files and folders one SFTP session may have open at once.
pub const MAX_HANDLES: usize = 16;
/// The most bytes one read answers with (clients ask for 32 KiB; OpenSSH accepts 256 KiB packets).
const MAX_READ: u32 = 64 * 1024;
/// Entries per directory read.
const ENTRIES_PER_READ: usize = 100;
/// The start of an upload's temporary name in `imports/` (hidden: never listed nor importable).
const UPLOAD_PREFIX: &str = ".sftp-upload-";
/// OpenSSH's rename that replaces a file that is there (offered in the version answer).
const POSIX_RENAME: &str = "posix-rename@openssh.com";

/// Temporary names are unique within the process.
static UPLOADS: AtomicU64 = AtomicU64::new(0);

/// Serves SFTP on the session channel for `user` until the client closes it, then says the
/// subsystem ended (exit status 0, end of file, close: `scp` and `sftp` exit 0 only then). The
/// receiver ends with the session.
pub(super) fn start(
    channel: russh::Channel<russh::server::Msg>,
    slot: super::SessionSlot,
    database: &Path,
    user: &str,
    users_file: &Path,
) -> tokio::sync::oneshot::Receiver<()> {
    let (ended, receiver) = tokio::sync::oneshot::channel();
    let mut session = SftpSession::new(database, user, users_file);
    session.ended = Some(ended);
    session.slot = Some(slot);
    let (ours, theirs) = tokio::io::duplex(64 * 1024);
    tokio::spawn(russh_sftp::server::run(theirs, session));
    tokio::spawn(pump(channel, ours));
    receiver
}

/// Copies the channel's data to the SFTP server and its answers back; when the client's side
/// ends (end of file or close), the server ends, and the channel is closed with exit status 0.
async fn pump(channel: russh::Channel<russh::server::Msg>, pipe: tokio::io::DuplexStream) {
    use tokio::io::AsyncWriteExt;
    let (mut read_half, write_half) = channel.split();
    let (mut from_sftp, mut to_sftp) = tokio::io::split(pipe);
    let mut writer = write_half.make_writer();
    let inbound = async {
        let mut reader = read_half.make_reader();
        let _ = tokio::io::copy(&mut reader, &mut to_sftp).await;
        let _ = to_sftp.shutdown().await;
    };
    let outbound = async {
        let _ = tokio::io::copy(&mut from_sftp, &mut writer).await;
    };
    tokio::join!(inbound, outbound);
    let _ = write_half.exit_status(0).await;
    let _ = write_half.eof().await;
    let _ = write_half.close().await;
}

/// Follows the users file for one SFTP session: a user no longer listed with this key is
/// disconnected (as a screen is).
pub(super) async fn follow_users(
    server: super::SidwServer,
    user: crate::users::User,
    mut ended: tokio::sync::oneshot::Receiver<()>,
    handle: russh::server::Handle,
) {
    let mut changes = server.changes.subscribe();
    loop {
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            _ = &mut ended => return,
        }
        let listed = {
            let users = server.users.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            users.users.find(&user.name, &user.key).is_some()
        };
        if !listed {
            println!("sidw serve: {} staat niet meer in het gebruikersbestand; sftp wordt gesloten", user.name);
            let _ =
                handle.disconnect(russh::Disconnect::ByApplication, "toegang ingetrokken".into(), "nl".into()).await;
            return;
        }
    }
}

/// One user's SFTP session.
pub struct SftpSession {
    user: String,
    files: DiskFiles,
    exports: PathBuf,
    imports: PathBuf,
    handles: HashMap<String, Open>,
    next_handle: u64,
    /// Dropped with the session: tells [`follow_users`] it may stop.
    ended: Option<tokio::sync::oneshot::Sender<()>>,
    /// Counted among the user's sessions while it runs.
    slot: Option<super::SessionSlot>,
}

/// What a handle is open on.
enum Open {
    File(OpenFile),
    /// The entries still to be read.
    Dir(Vec<File>),
}

struct OpenFile {
    file: Arc<FsFile>,
    folder: Folder,
    upload: Option<Upload>,
}

/// A file being uploaded: written to `temp`, renamed to `target` when closed complete.
struct Upload {
    temp: PathBuf,
    target: PathBuf,
    name: String,
    append: bool,
    /// A write failed (too large, disk full): the upload is not published.
    failed: Option<String>,
}

impl SftpSession {
    pub fn new(database: &Path, user: &str, users_file: &Path) -> Self {
        let files = DiskFiles::served(database, user, users_file);
        if let Err(error) = files.make_folders() {
            eprintln!("sidw serve: {user}: sftp-mappen niet te maken: {error}");
        }
        let session = Self {
            user: user.to_string(),
            exports: crate::files::exports_dir(database, user),
            imports: super::imports_dir(database, user),
            files,
            handles: HashMap::new(),
            next_handle: 0,
            ended: None,
            slot: None,
        };
        session.remove_stale_uploads();
        session
    }

    fn folder_path(&self, folder: Folder) -> &Path {
        match folder {
            Folder::Exports => &self.exports,
            Folder::Imports => &self.imports,
        }
    }

    /// The folder on disk, made when missing; refused when it is not a real folder.
    fn real_folder(&self, folder: Folder) -> Result<PathBuf, StatusReply> {
        let path = self.folder_path(folder).to_path_buf();
        if std::fs::symlink_metadata(&path).is_err() {
            let _ = self.files.make_folders();
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_dir() => Ok(path),
            _ => Err(failure(format!("de map {}/ is op de server geen gewone map; vraag de beheerder", folder.name()))),
        }
    }

    /// Uploads left by a server that stopped mid-upload (another process id) are removed.
    fn remove_stale_uploads(&self) {
        let own = format!("{UPLOAD_PREFIX}{}-", std::process::id());
        let Ok(entries) = std::fs::read_dir(&self.imports) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(UPLOAD_PREFIX) && !name.starts_with(&own) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn new_handle(&mut self, open: Open) -> Result<String, StatusReply> {
        if self.handles.len() >= MAX_HANDLES {
            return Err(too_many_open());
        }
        self.next_handle += 1;
        let handle = self.next_handle.to_string();
        self.handles.insert(handle.clone(), open);
        Ok(handle)
    }

    fn file(&self, handle: &str) -> Result<&OpenFile, StatusReply> {
        match self.handles.get(handle) {
            Some(Open::File(file)) => Ok(file),
            Some(Open::Dir(_)) => Err(failure("dit is een map, geen bestand")),
            None => Err(failure("onbekende handle")),
        }
    }

    /// The attributes of a place, as `stat` and a directory listing give them.
    fn attributes(&self, place: &Place) -> Result<FileAttributes, StatusReply> {
        match place {
            Place::Root => Ok(self.dir_attributes(None)),
            Place::Folder(folder) => {
                self.real_folder(*folder)?;
                Ok(self.dir_attributes(Some(*folder)))
            }
            Place::File(folder, name) => {
                let path = self.real_folder(*folder)?.join(name);
                let meta = std::fs::symlink_metadata(&path).map_err(io_status)?;
                if !meta.file_type().is_file() {
                    return Err(not_plain(name));
                }
                Ok(self.file_attributes(&meta, *folder))
            }
        }
    }

    fn dir_attributes(&self, folder: Option<Folder>) -> FileAttributes {
        let meta = folder.and_then(|f| std::fs::symlink_metadata(self.folder_path(f)).ok());
        let mode = if folder.is_some_and(Folder::writable) { 0o700 } else { 0o500 };
        FileAttributes {
            size: Some(meta.as_ref().map_or(0, |m| m.len())),
            uid: Some(meta.as_ref().map_or(0, |m| m.uid())),
            gid: Some(meta.as_ref().map_or(0, |m| m.gid())),
            user: Some(self.user.clone()),
            group: Some(self.user.clone()),
            permissions: Some(FileMode::DIR.bits() | mode),
            atime: Some(meta.as_ref().map_or(0, |m| unix_time(m.atime()))),
            mtime: Some(meta.as_ref().map_or(0, |m| unix_time(m.mtime()))),
        }
    }

    fn file_attributes(&self, meta: &std::fs::Metadata, folder: Folder) -> FileAttributes {
        let mode = if folder.writable() { 0o600 } else { 0o400 };
        FileAttributes {
            size: Some(meta.len()),
            uid: Some(meta.uid()),
            gid: Some(meta.gid()),
            user: Some(self.user.clone()),
            group: Some(self.user.clone()),
            permissions: Some(FileMode::REG.bits() | mode),
            atime: Some(unix_time(meta.atime())),
            mtime: Some(unix_time(meta.mtime())),
        }
    }

    /// A directory entry with its `ls -l` line (WinSCP and FileZilla read it).
    fn entry(&self, name: &str, attrs: FileAttributes) -> File {
        let longname = long_name(name, &attrs, &self.user, chrono::Utc::now().timestamp());
        File { filename: name.to_string(), longname, attrs }
    }

    fn listing(&self, place: &Place) -> Result<Vec<File>, StatusReply> {
        match place {
            Place::Root => Ok(Folder::ALL
                .into_iter()
                .map(|folder| self.entry(folder.name(), self.dir_attributes(Some(folder))))
                .collect()),
            Place::Folder(folder) => {
                let dir = self.real_folder(*folder)?;
                let mut entries: Vec<File> = std::fs::read_dir(&dir)
                    .map_err(io_status)?
                    .flatten()
                    .filter_map(|entry| {
                        let name = entry.file_name().to_str()?.to_string();
                        crate::app::files::check_file_name(&name).ok()?;
                        // Plain files only: no links, pipes or devices; no hidden (half-uploaded) names.
                        let meta = std::fs::symlink_metadata(entry.path()).ok()?;
                        meta.file_type().is_file().then(|| self.entry(&name, self.file_attributes(&meta, *folder)))
                    })
                    .collect();
                entries.sort_by(|a, b| a.filename.cmp(&b.filename));
                Ok(entries)
            }
            Place::File(..) => Err(failure("dit is een bestand, geen map")),
        }
    }

    fn open_file(&mut self, filename: &str, flags: OpenFlags) -> Result<String, StatusReply> {
        let (folder, name) = match place(filename)? {
            Place::File(folder, name) => (folder, name),
            Place::Root | Place::Folder(_) => return Err(failure("dit is een map, geen bestand")),
        };
        let writing = flags.intersects(OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE | OpenFlags::TRUNCATE);
        if writing && !folder.writable() {
            return Err(read_only());
        }
        // Before a temporary file is made.
        if self.handles.len() >= MAX_HANDLES {
            return Err(too_many_open());
        }
        let dir = self.real_folder(folder)?;
        let path = dir.join(&name);
        let open = if writing {
            let existing = match std::fs::symlink_metadata(&path) {
                Ok(meta) if !meta.file_type().is_file() => return Err(not_plain(&name)),
                Ok(_) if flags.contains(OpenFlags::CREATE | OpenFlags::EXCLUDE) => {
                    return Err(failure(format!("{name} bestaat al")));
                }
                Ok(_) => true,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    if !flags.contains(OpenFlags::CREATE) {
                        return Err(io_status(error));
                    }
                    false
                }
                Err(error) => return Err(io_status(error)),
            };
            folder_has_room(&dir)?;
            let temp =
                dir.join(format!("{UPLOAD_PREFIX}{}-{}", std::process::id(), UPLOADS.fetch_add(1, Ordering::Relaxed)));
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)
                .map_err(io_status)?;
            // Written in place (resume, append): the upload starts from what is there.
            if existing && !flags.contains(OpenFlags::TRUNCATE) {
                let copied = open_plain(&path).and_then(|mut from| {
                    if from.metadata().map_err(io_status)?.len() > MAX_UPLOAD {
                        return Err(too_large());
                    }
                    std::io::copy(&mut from, &mut &file).map_err(io_status)
                });
                if let Err(error) = copied {
                    let _ = std::fs::remove_file(&temp);
                    return Err(error);
                }
            }
            OpenFile {
                file: Arc::new(file),
                folder,
                upload: Some(Upload {
                    temp,
                    target: path,
                    name,
                    append: flags.contains(OpenFlags::APPEND),
                    failed: None,
                }),
            }
        } else {
            OpenFile { file: Arc::new(open_plain(&path)?), folder, upload: None }
        };
        self.new_handle(Open::File(open))
    }
}

/// Refuses a new upload when the user's `imports/` is full ([`MAX_IMPORT_FILES`],
/// [`MAX_IMPORT_BYTES`], [`MAX_UPLOADS_UNDER_WAY`]).
fn folder_has_room(dir: &Path) -> Result<(), StatusReply> {
    let (mut files, mut bytes, mut under_way) = (0usize, 0u64, 0usize);
    for entry in std::fs::read_dir(dir).map_err(io_status)?.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        if entry.file_name().to_string_lossy().starts_with(UPLOAD_PREFIX) {
            under_way += 1;
        } else {
            files += 1;
        }
        bytes = bytes.saturating_add(meta.len());
    }
    if files >= MAX_IMPORT_FILES || bytes >= MAX_IMPORT_BYTES {
        return Err(status(
            StatusCode::Failure,
            format!(
                "uw importmap is vol (hooguit {MAX_IMPORT_FILES} bestanden en {} MB): ruim eerst op",
                MAX_IMPORT_BYTES / 1024 / 1024
            ),
        ));
    }
    if under_way >= MAX_UPLOADS_UNDER_WAY {
        return Err(status(
            StatusCode::Failure,
            format!("er zijn al {MAX_UPLOADS_UNDER_WAY} uploads bezig; wacht tot die klaar zijn"),
        ));
    }
    Ok(())
}

impl Drop for SftpSession {
    /// A connection that ends mid-upload leaves nothing behind.
    fn drop(&mut self) {
        for open in self.handles.values() {
            if let Open::File(OpenFile { upload: Some(upload), .. }) = open {
                let _ = std::fs::remove_file(&upload.temp);
            }
        }
    }
}

impl russh_sftp::server::Handler for SftpSession {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        status(StatusCode::OpUnsupported, "dit verzoek kent deze server niet")
    }

    async fn init(&mut self, _version: u32, _extensions: HashMap<String, String>) -> Result<Version, Self::Error> {
        let mut version = Version::new();
        // WinSCP and OpenSSH's `rename` replace a file with it (WinSCP's `.filepart` uploads).
        version.extensions.insert(POSIX_RENAME.to_string(), "1".to_string());
        Ok(version)
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let place = resolve(&path).map_err(|_| no_such())?;
        Ok(Name { id, files: vec![File::dummy(place.display())] })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let place = place(&path)?;
        Ok(Attrs { id, attrs: self.attributes(&place)? })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        // Nothing here is a link that is followed: stat and lstat are one.
        self.stat(id, path).await
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        let open = self.file(&handle)?;
        let meta = open.file.metadata().map_err(io_status)?;
        Ok(Attrs { id, attrs: self.file_attributes(&meta, open.folder) })
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        let place = place(&path)?;
        let mut entries = self.listing(&place)?;
        entries.reverse(); // read from the end, in order
        Ok(Handle { id, handle: self.new_handle(Open::Dir(entries))? })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        match self.handles.get_mut(&handle) {
            Some(Open::Dir(entries)) if entries.is_empty() => Err(StatusCode::Eof.into()),
            Some(Open::Dir(entries)) => {
                let rest = entries.len().saturating_sub(ENTRIES_PER_READ);
                let mut files = entries.split_off(rest);
                files.reverse();
                Ok(Name { id, files })
            }
            Some(Open::File(_)) => Err(failure("dit is een bestand, geen map")),
            None => Err(failure("onbekende handle")),
        }
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        Ok(Handle { id, handle: self.open_file(&filename, pflags)? })
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<Data, Self::Error> {
        let file = self.file(&handle)?.file.clone();
        let len = len.min(MAX_READ) as usize;
        let data = tokio::task::spawn_blocking(move || {
            let mut buffer = vec![0u8; len];
            let mut filled = 0;
            while filled < len {
                match file.read_at(&mut buffer[filled..], offset + filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(io_status(error)),
                }
            }
            buffer.truncate(filled);
            Ok(buffer)
        })
        .await
        .map_err(|_| failure("lezen mislukt"))??;
        if data.is_empty() && len > 0 {
            return Err(StatusCode::Eof.into());
        }
        Ok(Data { id, data })
    }

    async fn write(&mut self, id: u32, handle: String, offset: u64, data: Vec<u8>) -> Result<Status, Self::Error> {
        let open = match self.handles.get_mut(&handle) {
            Some(Open::File(open)) => open,
            Some(Open::Dir(_)) => return Err(failure("dit is een map, geen bestand")),
            None => return Err(failure("onbekende handle")),
        };
        let file = open.file.clone();
        let Some(upload) = open.upload.as_mut() else {
            return Err(status(StatusCode::PermissionDenied, "dit bestand is alleen geopend om te lezen"));
        };
        if let Some(why) = &upload.failed {
            return Err(failure(why.clone()));
        }
        let append = upload.append;
        let written = tokio::task::spawn_blocking(move || {
            let offset = if append { file.metadata().map_err(io_status)?.len() } else { offset };
            let end = offset.saturating_add(data.len() as u64);
            if end > MAX_UPLOAD {
                return Err(too_large());
            }
            file.write_all_at(&data, offset).map_err(io_status)
        })
        .await
        .unwrap_or_else(|_| Err(failure("schrijven mislukt")));
        match written {
            Ok(()) => Ok(ok(id)),
            Err(error) => {
                upload.failed = Some(error.error_message.clone().unwrap_or_else(|| "schrijven mislukt".into()));
                Err(error)
            }
        }
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        match self.handles.remove(&handle) {
            Some(Open::File(OpenFile { file, upload: Some(upload), .. })) => {
                let user = self.user.clone();
                tokio::task::spawn_blocking(move || finish(&user, upload, &file))
                    .await
                    .unwrap_or_else(|_| Err(failure("afsluiten mislukt")))
                    .map(|()| ok(id))
            }
            Some(_) => Ok(ok(id)),
            None => Err(failure("onbekende handle")),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        let (dir, name) = self.writable_file(&filename)?;
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).map_err(io_status)?;
        if !meta.file_type().is_file() {
            return Err(not_plain(&name));
        }
        std::fs::remove_file(&path).map_err(io_status)?;
        println!("sidw serve: {} heeft imports/{name} verwijderd", self.user);
        Ok(ok(id))
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Result<Status, Self::Error> {
        // SFTP version 3: a rename never replaces a file that is there.
        self.rename_within(&oldpath, &newpath, false)?;
        Ok(ok(id))
    }

    async fn extended(&mut self, id: u32, request: String, data: Vec<u8>) -> Result<Packet, Self::Error> {
        if request != POSIX_RENAME {
            return Err(self.unimplemented());
        }
        let mut rest = data.as_slice();
        let (Some(old), Some(new)) = (take_string(&mut rest), take_string(&mut rest)) else {
            return Err(status(StatusCode::BadMessage, "onleesbaar verzoek"));
        };
        self.rename_within(&old, &new, true)?;
        Ok(Packet::Status(ok(id)))
    }

    async fn setstat(&mut self, id: u32, path: String, attrs: FileAttributes) -> Result<Status, Self::Error> {
        let (dir, name) = self.writable_file(&path)?;
        if attrs.size.is_some() {
            return Err(status(StatusCode::OpUnsupported, "de grootte verandert alleen door opnieuw te uploaden"));
        }
        // Times are kept (WinSCP keeps the original's); the mode stays 0600 whatever is asked.
        let file = open_plain(&dir.join(&name))?;
        set_times(&file, &attrs)?;
        Ok(ok(id))
    }

    async fn fsetstat(&mut self, id: u32, handle: String, attrs: FileAttributes) -> Result<Status, Self::Error> {
        let open = self.file(&handle)?;
        if open.upload.is_none() {
            return Err(read_only());
        }
        if let Some(size) = attrs.size {
            if size > MAX_UPLOAD {
                return Err(too_large());
            }
            open.file.set_len(size).map_err(io_status)?;
        }
        set_times(&open.file, &attrs)?;
        Ok(ok(id))
    }

    async fn mkdir(&mut self, _id: u32, _path: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        Err(status(StatusCode::PermissionDenied, "hier kunnen geen mappen bij: alleen exports/ en imports/"))
    }

    async fn rmdir(&mut self, _id: u32, _path: String) -> Result<Status, Self::Error> {
        Err(status(StatusCode::PermissionDenied, "exports/ en imports/ blijven bestaan"))
    }

    async fn symlink(&mut self, _id: u32, _linkpath: String, _targetpath: String) -> Result<Status, Self::Error> {
        Err(status(StatusCode::PermissionDenied, "koppelingen kunnen hier niet"))
    }
}

impl SftpSession {
    /// Renames a plain file within `imports/`; `replace`: over a plain file of that name too.
    fn rename_within(&self, oldpath: &str, newpath: &str, replace: bool) -> Result<(), StatusReply> {
        let (dir, old) = self.writable_file(oldpath)?;
        let (_, new) = self.writable_file(newpath)?;
        let meta = std::fs::symlink_metadata(dir.join(&old)).map_err(io_status)?;
        if !meta.file_type().is_file() {
            return Err(not_plain(&old));
        }
        if old == new {
            return Ok(());
        }
        match std::fs::symlink_metadata(dir.join(&new)) {
            Ok(there) if !there.file_type().is_file() => return Err(not_plain(&new)),
            Ok(_) if !replace => return Err(failure(format!("{new} bestaat al; verwijder het eerst"))),
            _ => {}
        }
        std::fs::rename(dir.join(&old), dir.join(&new)).map_err(io_status)
    }

    /// A file in `imports/` that may be changed (removed, renamed, its times set).
    fn writable_file(&self, path: &str) -> Result<(PathBuf, String), StatusReply> {
        match place(path)? {
            Place::File(Folder::Imports, name) => Ok((self.real_folder(Folder::Imports)?, name)),
            Place::File(Folder::Exports, _) => Err(read_only()),
            Place::Root | Place::Folder(_) => {
                Err(status(StatusCode::PermissionDenied, "exports/ en imports/ zelf veranderen niet"))
            }
        }
    }
}

/// Publishes a closed upload under its name (or removes it when it failed).
fn finish(user: &str, upload: Upload, file: &FsFile) -> Result<(), StatusReply> {
    if let Some(why) = upload.failed {
        let _ = std::fs::remove_file(&upload.temp);
        return Err(failure(format!("{} is niet opgeslagen: {why}", upload.name)));
    }
    let published = file.sync_all().and_then(|()| match std::fs::symlink_metadata(&upload.target) {
        Ok(meta) if meta.file_type().is_dir() => Err(std::io::Error::other(format!("{} is een map", upload.name))),
        _ => std::fs::rename(&upload.temp, &upload.target),
    });
    match published {
        Ok(()) => {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            println!("sidw serve: {} heeft imports/{} geplaatst ({size} bytes)", user, upload.name);
            Ok(())
        }
        Err(error) => {
            let _ = std::fs::remove_file(&upload.temp);
            Err(failure(format!("{} is niet opgeslagen: {error}", upload.name)))
        }
    }
}

/// One SSH string (length, bytes) from the front of `rest`.
fn take_string(rest: &mut &[u8]) -> Option<String> {
    let (length, after) = rest.split_first_chunk::<4>()?;
    let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
    let (text, after) = after.split_at_checked(length)?;
    *rest = after;
    String::from_utf8(text.to_vec()).ok()
}

/// Where a client's path leads, or the status that says it leads nowhere.
fn place(path: &str) -> Result<Place, StatusReply> {
    resolve(path).map_err(|refused| match refused {
        Refused::NoSuchFile => no_such(),
        Refused::NotAName(why) => status(StatusCode::PermissionDenied, why),
    })
}

/// Opens a plain file to read: never through a link, never a pipe or device.
fn open_plain(path: &Path) -> Result<FsFile, StatusReply> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io_status)?;
    if !file.metadata().map_err(io_status)?.file_type().is_file() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return Err(not_plain(&name));
    }
    Ok(file)
}

fn set_times(file: &FsFile, attrs: &FileAttributes) -> Result<(), StatusReply> {
    let time = |secs: u32| std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::from(secs));
    let mut times = std::fs::FileTimes::new();
    if let Some(mtime) = attrs.mtime {
        times = times.set_modified(time(mtime));
    }
    if let Some(atime) = attrs.atime {
        times = times.set_accessed(time(atime));
    }
    file.set_times(times).map_err(io_status)
}

/// SFTP version 3 carries times as 32-bit seconds.
fn unix_time(secs: i64) -> u32 {
    u32::try_from(secs.max(0)).unwrap_or(u32::MAX)
}

/// The `ls -l` line of an entry, as OpenSSH's server writes it: the time of day for what is less
/// than half a year old, the year otherwise.
pub fn long_name(name: &str, attrs: &FileAttributes, user: &str, now: i64) -> String {
    let mode = attrs.permissions.unwrap_or(0);
    let kind = if attrs.is_dir() { 'd' } else { '-' };
    let bits: String = [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1]
        .iter()
        .zip("rwxrwxrwx".chars())
        .map(|(bit, c)| if mode & bit != 0 { c } else { '-' })
        .collect();
    let mtime = i64::from(attrs.mtime.unwrap_or(0));
    let when = chrono::DateTime::from_timestamp(mtime, 0).unwrap_or_default();
    let half_year = 182 * 24 * 3600;
    let date = if (now - mtime).abs() < half_year {
        when.format("%b %e %H:%M").to_string()
    } else {
        when.format("%b %e  %Y").to_string()
    };
    format!("{kind}{bits}    1 {user:<8} {user:<8} {:>8} {date} {name}", attrs.size.unwrap_or(0))
}

fn status(code: StatusCode, message: impl Into<String>) -> StatusReply {
    StatusReply::new(code).with_message(message).with_language_tag("nl")
}

fn failure(message: impl Into<String>) -> StatusReply {
    status(StatusCode::Failure, message)
}

fn no_such() -> StatusReply {
    status(StatusCode::NoSuchFile, "bestaat niet: hier zijn alleen exports/ en imports/")
}

fn read_only() -> StatusReply {
    status(StatusCode::PermissionDenied, "exports/ is alleen om te lezen; zet formulieren in imports/")
}

fn too_large() -> StatusReply {
    failure(format!("groter dan {} MB: zo'n bestand neemt de server niet aan", MAX_UPLOAD / 1024 / 1024))
}

fn too_many_open() -> StatusReply {
    failure(format!("te veel open bestanden tegelijk (hoogstens {MAX_HANDLES}); sluit er eerst een"))
}

fn not_plain(name: &str) -> StatusReply {
    status(StatusCode::PermissionDenied, format!("{name} is geen gewoon bestand"))
}

fn ok(id: u32) -> Status {
    Status { id, status_code: StatusCode::Ok, error_message: "Ok".into(), language_tag: "nl".into() }
}

/// A file system error as an SFTP status (a link opened with O_NOFOLLOW is ELOOP: refused).
fn io_status(error: std::io::Error) -> StatusReply {
    match error.kind() {
        std::io::ErrorKind::NotFound => status(StatusCode::NoSuchFile, "bestaat niet"),
        std::io::ErrorKind::PermissionDenied => status(StatusCode::PermissionDenied, "geen toegang"),
        _ if error.raw_os_error() == Some(libc::ELOOP) => {
            status(StatusCode::PermissionDenied, "een koppeling wordt niet gevolgd")
        }
        _ => failure(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh_sftp::server::Handler;

    /// A session of `anna` on a database in a fresh folder.
    fn session() -> (tempfile::TempDir, SftpSession, DiskFiles) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        let users = dir.path().join("db.users");
        std::fs::write(&users, "anna editor KEY\n").unwrap();
        let session = SftpSession::new(&db, "anna", &users);
        let files = DiskFiles::served(&db, "anna", &users);
        (dir, session, files)
    }

    fn write_flags() -> OpenFlags {
        OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE
    }

    fn code<T: std::fmt::Debug>(result: Result<T, StatusReply>) -> StatusCode {
        result.unwrap_err().status_code
    }

    #[tokio::test]
    async fn an_upload_appears_under_its_name_only_when_closed_complete() {
        use crate::app::files::Files;
        let (dir, mut sftp, files) = session();
        let imports = dir.path().join("db.imports/anna");
        std::fs::write(imports.join("okt.csv"), "oud").unwrap();
        let handle = sftp.open(1, "/imports/okt.csv".into(), write_flags(), FileAttributes::default()).await.unwrap();
        sftp.write(2, handle.handle.clone(), 0, b"netwerk;".to_vec()).await.unwrap();
        sftp.write(3, handle.handle.clone(), 8, b"partner".to_vec()).await.unwrap();
        // Half uploaded: the app still lists and reads the old file, the temporary one is hidden.
        assert_eq!(files.imports(), vec!["okt.csv".to_string()]);
        assert_eq!(files.read_import("okt.csv").unwrap(), b"oud");
        let names = std::fs::read_dir(&imports).unwrap().count();
        assert_eq!(names, 2, "the old file and one hidden temporary file");
        let listed = sftp.opendir(4, "/imports".into()).await.unwrap();
        let entries = sftp.readdir(5, listed.handle.clone()).await.unwrap().files;
        assert_eq!(entries.iter().map(|f| f.filename.as_str()).collect::<Vec<_>>(), ["okt.csv"]);
        assert_eq!(entries[0].attrs.size, Some(3), "sftp too lists the old file");
        assert_eq!(code(sftp.readdir(6, listed.handle).await), StatusCode::Eof);
        sftp.close(7, handle.handle).await.unwrap();
        assert_eq!(files.read_import("okt.csv").unwrap(), b"netwerk;partner");
        assert_eq!(std::fs::read_dir(&imports).unwrap().count(), 1, "no temporary file left");
    }

    #[tokio::test]
    async fn a_connection_that_ends_mid_upload_leaves_nothing() {
        use crate::app::files::Files;
        let (dir, mut sftp, files) = session();
        let handle = sftp.open(1, "imports/nov.csv".into(), write_flags(), FileAttributes::default()).await.unwrap();
        sftp.write(2, handle.handle, 0, b"half".to_vec()).await.unwrap();
        drop(sftp);
        assert!(files.imports().is_empty());
        assert_eq!(std::fs::read_dir(dir.path().join("db.imports/anna")).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn uploads_and_open_handles_are_bounded() {
        let (dir, mut sftp, _) = session();
        let handle = sftp.open(1, "/imports/groot.csv".into(), write_flags(), FileAttributes::default()).await.unwrap();
        sftp.write(2, handle.handle.clone(), MAX_UPLOAD - 4, b"vier".to_vec()).await.unwrap();
        assert_eq!(
            code(sftp.write(3, handle.handle.clone(), MAX_UPLOAD - 4, b"vijf!".to_vec()).await),
            StatusCode::Failure
        );
        // The failed upload is not published, whatever comes after.
        let closed = sftp.close(4, handle.handle).await.unwrap_err();
        assert!(closed.error_message.unwrap().contains("niet opgeslagen"));
        assert!(!dir.path().join("db.imports/anna/groot.csv").exists());
        let mut open = Vec::new();
        for n in 0..MAX_HANDLES {
            open.push(sftp.opendir(10, "/".into()).await.unwrap_or_else(|e| panic!("{n}: {e:?}")));
        }
        assert_eq!(code(sftp.opendir(11, "/".into()).await), StatusCode::Failure);
        let refused = sftp.open(12, "/imports/x.csv".into(), write_flags(), FileAttributes::default()).await;
        assert_eq!(code(refused), StatusCode::Failure);
        assert_eq!(std::fs::read_dir(dir.path().join("db.imports/anna")).unwrap().count(), 0, "no temporary file");
        sftp.close(13, open.pop().unwrap().handle).await.unwrap();
        assert!(sftp.opendir(14, "/".into()).await.is_ok(), "a closed handle gives its place back");
    }

    /// A full imports folder (files, bytes, uploads under way) refuses a new upload; making room
    /// lets it in again.
    #[tokio::test]
    async fn a_full_imports_folder_refuses_new_uploads() {
        let (dir, mut sftp, _) = session();
        let imports = dir.path().join("db.imports/anna");
        async fn open(sftp: &mut SftpSession, id: u32, name: &str) -> Result<Handle, StatusReply> {
            sftp.open(id, format!("/imports/{name}"), write_flags(), FileAttributes::default()).await
        }
        for n in 0..MAX_IMPORT_FILES {
            std::fs::write(imports.join(format!("f{n}.csv")), "a").unwrap();
        }
        let refused = open(&mut sftp, 1, "nog.csv").await.unwrap_err();
        assert!(refused.error_message.unwrap_or_default().contains("importmap is vol"));
        std::fs::remove_file(imports.join("f0.csv")).unwrap();
        let mut under_way = Vec::new();
        for n in 0..MAX_UPLOADS_UNDER_WAY {
            let name = format!("u{n}.csv");
            under_way.push(open(&mut sftp, 2, &name).await.unwrap_or_else(|e| panic!("{n}: {e:?}")));
        }
        let refused = open(&mut sftp, 3, "nog.csv").await.unwrap_err();
        assert!(refused.error_message.unwrap_or_default().contains("uploads bezig"));
        sftp.close(4, under_way.pop().unwrap().handle).await.unwrap();
        for n in 1..MAX_IMPORT_FILES {
            std::fs::remove_file(imports.join(format!("f{n}.csv"))).unwrap();
        }
        let big = std::fs::File::create(imports.join("groot.csv")).unwrap();
        big.set_len(MAX_IMPORT_BYTES).unwrap();
        let refused = open(&mut sftp, 5, "nog.csv").await.unwrap_err();
        assert!(refused.error_message.unwrap_or_default().contains("importmap is vol"), "bytes count too");
        std::fs::remove_file(imports.join("groot.csv")).unwrap();
        assert!(open(&mut sftp, 6, "nog.csv").await.is_ok(), "room again");
    }

    #[tokio::test]
    async fn exports_are_read_only_and_imports_may_be_renamed_and_removed_within() {
        let (dir, mut sftp, _) = session();
        let exports = dir.path().join("db.exports/anna");
        std::fs::write(exports.join("betalingen-1.xml"), "<xml/>").unwrap();
        for flags in [write_flags(), OpenFlags::WRITE, OpenFlags::READ | OpenFlags::APPEND] {
            let refused = sftp.open(1, "/exports/betalingen-1.xml".into(), flags, FileAttributes::default()).await;
            assert_eq!(code(refused), StatusCode::PermissionDenied, "{flags:?}");
        }
        assert_eq!(code(sftp.remove(2, "/exports/betalingen-1.xml".into()).await), StatusCode::PermissionDenied);
        let renamed = sftp.rename(3, "/exports/betalingen-1.xml".into(), "/imports/b.xml".into()).await;
        assert_eq!(code(renamed), StatusCode::PermissionDenied);
        let setstat = sftp.setstat(4, "/exports/betalingen-1.xml".into(), FileAttributes::default()).await;
        assert_eq!(code(setstat), StatusCode::PermissionDenied);
        assert_eq!(
            code(sftp.mkdir(5, "/imports/sub".into(), FileAttributes::default()).await),
            StatusCode::PermissionDenied
        );
        assert_eq!(code(sftp.rmdir(6, "/imports".into()).await), StatusCode::PermissionDenied);
        assert_eq!(std::fs::read_to_string(exports.join("betalingen-1.xml")).unwrap(), "<xml/>");
        // Read: whole, then the end of the file.
        let handle =
            sftp.open(7, "exports/betalingen-1.xml".into(), OpenFlags::READ, FileAttributes::default()).await.unwrap();
        assert_eq!(sftp.read(8, handle.handle.clone(), 0, 32768).await.unwrap().data, b"<xml/>");
        assert_eq!(code(sftp.read(9, handle.handle.clone(), 6, 32768).await), StatusCode::Eof);
        assert_eq!(code(sftp.write(10, handle.handle, 0, b"x".to_vec()).await), StatusCode::PermissionDenied);
        // imports/: rename within (never over a file that is there), remove.
        let imports = dir.path().join("db.imports/anna");
        std::fs::write(imports.join("a.csv"), "a").unwrap();
        std::fs::write(imports.join("b.csv"), "b").unwrap();
        assert_eq!(code(sftp.rename(11, "/imports/a.csv".into(), "/imports/b.csv".into()).await), StatusCode::Failure);
        sftp.rename(12, "/imports/a.csv".into(), "/imports/c.csv".into()).await.unwrap();
        assert_eq!(
            code(sftp.rename(13, "/imports/c.csv".into(), "/exports/c.csv".into()).await),
            StatusCode::PermissionDenied
        );
        // OpenSSH's posix-rename (offered at the start) replaces a file, as WinSCP's .filepart needs.
        let version = sftp.init(3, HashMap::new()).await.unwrap();
        assert_eq!(version.extensions.get(POSIX_RENAME).map(String::as_str), Some("1"));
        std::fs::write(imports.join("d.csv.filepart"), "d").unwrap();
        let mut data = Vec::new();
        for path in ["/imports/d.csv.filepart", "/imports/c.csv"] {
            data.extend_from_slice(&u32::try_from(path.len()).unwrap().to_be_bytes());
            data.extend_from_slice(path.as_bytes());
        }
        assert!(matches!(sftp.extended(15, POSIX_RENAME.into(), data.clone()).await, Ok(Packet::Status(_))));
        assert_eq!(std::fs::read_to_string(imports.join("c.csv")).unwrap(), "d");
        assert_eq!(code(sftp.extended(16, POSIX_RENAME.into(), data[..10].to_vec()).await), StatusCode::BadMessage);
        sftp.remove(14, "/imports/b.csv".into()).await.unwrap();
        let mut left: Vec<_> = std::fs::read_dir(&imports).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["c.csv"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn links_pipes_and_paths_outside_are_refused_before_anything_is_read() {
        let (dir, mut sftp, _) = session();
        let exports = dir.path().join("db.exports/anna");
        let secret = dir.path().join("db.users");
        std::os::unix::fs::symlink(&secret, exports.join("gebruikers.csv")).unwrap();
        std::os::unix::fs::symlink(&secret, dir.path().join("db.imports/anna/link.csv")).unwrap();
        let fifo = std::ffi::CString::new(exports.join("pijp.csv").to_str().unwrap()).unwrap();
        #[allow(unsafe_code)]
        // SAFETY: a valid C string for mkfifo; nothing else is touched.
        let made = unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) };
        assert_eq!(made, 0);
        for path in ["/exports/gebruikers.csv", "/exports/pijp.csv", "/imports/link.csv"] {
            let read = sftp.open(1, path.into(), OpenFlags::READ, FileAttributes::default()).await;
            assert_eq!(code(read), StatusCode::PermissionDenied, "{path}");
            assert_eq!(code(sftp.stat(2, path.into()).await), StatusCode::PermissionDenied, "{path}");
        }
        // Writing over a link in imports/ is refused too (the link is left as it is).
        let write = sftp.open(3, "/imports/link.csv".into(), write_flags(), FileAttributes::default()).await;
        assert_eq!(code(write), StatusCode::PermissionDenied);
        assert_eq!(code(sftp.remove(4, "/imports/link.csv".into()).await), StatusCode::PermissionDenied);
        assert!(std::fs::symlink_metadata(dir.path().join("db.imports/anna/link.csv")).is_ok());
        let listed = sftp.opendir(5, "/exports".into()).await.unwrap();
        assert_eq!(code(sftp.readdir(6, listed.handle).await), StatusCode::Eof, "nothing listed");
        for outside in ["/../db.users", "../../db.users", "/etc/passwd", "/exports/../../db.users", "/bert/x.csv"] {
            let read = sftp.open(7, outside.into(), OpenFlags::READ, FileAttributes::default()).await;
            assert_eq!(code(read), StatusCode::NoSuchFile, "{outside}");
        }
        assert_eq!(code(sftp.realpath(8, "/etc".into()).await), StatusCode::NoSuchFile);
        assert_eq!(sftp.realpath(9, "/..".into()).await.unwrap().files[0].filename, "/");
        assert_eq!(sftp.realpath(10, ".".into()).await.unwrap().files[0].filename, "/");
        // The user's folder itself replaced by a link: refused, never followed.
        let elsewhere = dir.path().join("ergens");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("x.csv"), "x").unwrap();
        std::fs::remove_dir_all(&exports).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &exports).unwrap();
        assert_eq!(code(sftp.opendir(11, "/exports".into()).await), StatusCode::Failure);
        let read = sftp.open(12, "/exports/x.csv".into(), OpenFlags::READ, FileAttributes::default()).await;
        assert_eq!(code(read), StatusCode::Failure);
    }

    #[tokio::test]
    async fn unsupported_requests_get_a_status() {
        let (_dir, mut sftp, _) = session();
        assert_eq!(code(sftp.readlink(1, "/imports".into()).await), StatusCode::OpUnsupported);
        let extended = sftp.extended(2, "statvfs@openssh.com".into(), Vec::new()).await;
        assert_eq!(code(extended), StatusCode::OpUnsupported);
        assert_eq!(
            code(sftp.symlink(3, "/imports/a".into(), "/etc/passwd".into()).await),
            StatusCode::PermissionDenied
        );
    }

    #[test]
    fn a_long_name_reads_as_ls_l_with_time_or_year() {
        let attrs = FileAttributes {
            size: Some(1234),
            permissions: Some(FileMode::REG.bits() | 0o400),
            mtime: Some(1_764_547_200), // 01-12-2025 00:00 UTC
            ..Default::default()
        };
        let now = 1_764_547_200 + 3600;
        assert_eq!(
            long_name("betalingen-1.xml", &attrs, "anna", now),
            "-r--------    1 anna     anna         1234 Dec  1 00:00 betalingen-1.xml"
        );
        let year_later = now + 365 * 24 * 3600;
        assert!(long_name("x", &attrs, "anna", year_later).contains("Dec  1  2025 x"));
        let dir = FileAttributes { permissions: Some(FileMode::DIR.bits() | 0o700), ..attrs };
        assert!(long_name("imports", &dir, "anna", now).starts_with("drwx------ "));
    }
}
