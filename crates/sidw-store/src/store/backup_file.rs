//! The backup file: a portable, versioned, compressed and checksummed copy of every tree of the
//! database, independent of the store's on-disk layout.
//!
//! # Layout (format version 1)
//!
//! | bytes | content                                                                  |
//! |-------|--------------------------------------------------------------------------|
//! | 8     | magic `b"SIDWBAK\0"`                                                     |
//! | 2     | format version, u16 big-endian (now [`FORMAT_VERSION`] = 1)              |
//! | 8     | `n`: length of the compressed body, u64 big-endian                       |
//! | `n`   | the body: a zlib stream (deflate, via `flate2`) of the encoded trees     |
//! | 32    | SHA-256 of every byte before it (magic, version, length and body)        |
//!
//! Nothing may follow the checksum.
//!
//! # Body encoding (before compression)
//!
//! A simple length-prefixed format; every number is a u64 big-endian:
//!
//! ```text
//! body  = tree-count tree*
//! tree  = name-length name(UTF-8) pair-count pair*
//! pair  = key-length key value-length value
//! ```
//!
//! Trees and pairs are kept exactly in the order of the [`Dump`]: reading gives back the very dump
//! that was written.
//!
//! # Reading
//!
//! [`read`] checks, in this order: the magic, the version (a newer one is refused), the length
//! (a truncated file or bytes after the checksum are refused), and the checksum (any changed byte
//! is refused) — all before anything is decompressed. Only then is the body inflated, with a limit
//! ([`MAX_BODY`] bytes), and decoded; a lying length never makes it allocate more than the data
//! that is actually there. Hostile input gives an error, never a panic.

use sha2::{Digest, Sha256};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The first bytes of every backup file.
pub const MAGIC: [u8; 8] = *b"SIDWBAK\0";
/// The format version this sidw writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
/// The largest body (uncompressed) written or read: 4 GiB.
pub const MAX_BODY: u64 = 4 << 30;

const HEADER_LEN: usize = MAGIC.len() + 2 + 8;
const CHECKSUM_LEN: usize = 32;
/// Bytes are read and allocated in steps of at most this, so a lying length costs nothing.
const CHUNK: usize = 64 * 1024;

/// Everything in a database: its trees by name, each with its key/value pairs in key order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[allow(clippy::type_complexity)] // the plain shape is the point: no types to learn
pub struct Dump {
    pub trees: Vec<(String, Vec<(Vec<u8>, Vec<u8>)>)>,
}

/// Why a backup could not be written or read.
#[derive(Debug, Error)]
pub enum BackupError {
    #[error("dit is geen sidw-back-up")]
    NotABackup,
    #[error("back-up van een nieuwere sidw (versie {found}, deze kent tot {supported}); gebruik een nieuwere sidw")]
    NewerVersion { found: u16, supported: u16 },
    #[error("de back-up is afgekapt")]
    Truncated,
    #[error("de back-up is beschadigd: na het einde van de back-up staan nog gegevens")]
    TrailingBytes,
    #[error("de back-up is beschadigd: de controlesom klopt niet")]
    ChecksumMismatch,
    #[error("de back-up is beschadigd: {0}")]
    Corrupt(String),
    #[error("de back-up is te groot: uitgepakt meer dan {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{action} van {path} mislukt: {source}")]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("lezen of schrijven van de back-up mislukt: {0}")]
    Io(#[from] io::Error),
}

/// Writes the dump: the 8-byte magic b"SIDWBAK\0", a u16 format version (big-endian, now 1), a u64
/// length of the compressed body, the body (deflate/zlib via flate2 of an encoding of the trees),
/// then the 32-byte SHA-256 of everything before it.
pub fn write(dump: &Dump, out: &mut impl Write) -> Result<(), BackupError> {
    write_limited(dump, out, MAX_BODY)
}

fn write_limited(dump: &Dump, out: &mut impl Write, limit: u64) -> Result<(), BackupError> {
    let size = encoded_len(dump);
    if size > limit {
        return Err(BackupError::TooLarge { limit });
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encode(dump, &mut encoder)?;
    let body = encoder.finish()?;

    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(&MAGIC);
    header[8..10].copy_from_slice(&FORMAT_VERSION.to_be_bytes());
    header[10..].copy_from_slice(&(body.len() as u64).to_be_bytes());
    let checksum = Sha256::new().chain_update(header).chain_update(&body).finalize();

    out.write_all(&header)?;
    out.write_all(&body)?;
    out.write_all(&checksum)?;
    out.flush()?;
    Ok(())
}

/// The exact length of the uncompressed body.
fn encoded_len(dump: &Dump) -> u64 {
    let mut len: u64 = 8;
    for (name, pairs) in &dump.trees {
        len = len.saturating_add(16 + name.len() as u64);
        for (key, value) in pairs {
            len = len.saturating_add(16 + key.len() as u64 + value.len() as u64);
        }
    }
    len
}

fn encode(dump: &Dump, out: &mut impl Write) -> io::Result<()> {
    fn bytes(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
        out.write_all(&(bytes.len() as u64).to_be_bytes())?;
        out.write_all(bytes)
    }
    out.write_all(&(dump.trees.len() as u64).to_be_bytes())?;
    for (name, pairs) in &dump.trees {
        bytes(out, name.as_bytes())?;
        out.write_all(&(pairs.len() as u64).to_be_bytes())?;
        for (key, value) in pairs {
            bytes(out, key)?;
            bytes(out, value)?;
        }
    }
    Ok(())
}

/// Reads and verifies a backup: checks magic, version (refuse newer), length (refuse truncated or
/// trailing bytes), checksum (refuse any flipped byte) BEFORE decompressing, then decodes.
pub fn read(input: &mut impl Read) -> Result<Dump, BackupError> {
    read_limited(input, MAX_BODY)
}

fn read_limited(input: &mut impl Read, limit: u64) -> Result<Dump, BackupError> {
    let (header, body_len) = read_header(input, limit)?;
    let body = read_exactly(input, body_len).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => BackupError::Truncated,
        _ => BackupError::Io(e),
    })?;
    let checksum = read_checksum_and_end(input)?;
    let expected = Sha256::new().chain_update(header).chain_update(&body).finalize();
    if expected.as_slice() != checksum.as_slice() {
        return Err(BackupError::ChecksumMismatch);
    }
    let mut dump = Dump::default();
    let rest = inflate_and_decode(body.as_slice(), limit, &mut |item| {
        match item {
            Item::Tree(name) => dump.trees.push((name.to_string(), Vec::new())),
            Item::Pair(key, value) => {
                if let Some((_, pairs)) = dump.trees.last_mut() {
                    pairs.push((key.to_vec(), value.to_vec()));
                }
            }
        }
        Ok::<(), BackupError>(())
    })?;
    if !rest.is_empty() {
        return Err(BackupError::Corrupt("na de gecomprimeerde inhoud staan nog gegevens".to_string()));
    }
    Ok(dump)
}

/// Reads and checks the header: magic, version (a newer one is refused), and a body length that
/// a valid body can have. Returns the header and the body's length.
fn read_header(input: &mut impl Read, limit: u64) -> Result<([u8; HEADER_LEN], u64), BackupError> {
    let mut header = [0u8; HEADER_LEN];
    let magic_read = read_up_to(input, &mut header[..MAGIC.len()])?;
    if header[..magic_read] != MAGIC[..magic_read] {
        return Err(BackupError::NotABackup);
    }
    if magic_read < MAGIC.len() {
        return Err(BackupError::Truncated);
    }
    read_all(input, &mut header[MAGIC.len()..])?;
    let version = u16::from_be_bytes([header[8], header[9]]);
    if version > FORMAT_VERSION {
        return Err(BackupError::NewerVersion { found: version, supported: FORMAT_VERSION });
    }
    if version == 0 {
        return Err(BackupError::Corrupt(format!("onbekende formaatversie {version}")));
    }
    let body_len = u64::from_be_bytes(header[10..].try_into().expect("8 bytes"));
    // Deflate adds at most 5 bytes per 16 KiB block (plus a few): a longer body cannot be valid.
    if body_len > limit + limit / 1024 + 1024 {
        return Err(BackupError::TooLarge { limit });
    }
    Ok((header, body_len))
}

/// Reads the checksum after the body, and refuses anything after it.
fn read_checksum_and_end(input: &mut impl Read) -> Result<[u8; CHECKSUM_LEN], BackupError> {
    let mut checksum = [0u8; CHECKSUM_LEN];
    read_all(input, &mut checksum)?;
    if read_up_to(input, &mut [0u8; 1])? != 0 {
        return Err(BackupError::TrailingBytes);
    }
    Ok(checksum)
}

/// One thing in a backup's body, in order: a tree's name, then that tree's pairs.
pub enum Item<'a> {
    Tree(&'a str),
    Pair(&'a [u8], &'a [u8]),
}

/// Inflates the body (at most `limit` bytes) and hands each tree name and pair to `each`, in
/// order; the body must hold exactly one zlib stream with exactly one encoding in it. Returns the
/// compressed input after the stream (empty for a valid file).
fn inflate_and_decode<R: io::BufRead, E: From<BackupError>>(
    body: R,
    limit: u64,
    each: &mut dyn FnMut(Item<'_>) -> Result<(), E>,
) -> Result<R, E> {
    let mut inflater = Limited { inner: flate2::bufread::ZlibDecoder::new(body), left: limit, exceeded: false };
    let mut failed: Option<E> = None;
    match decode_with(&mut inflater, &mut |item| {
        each(item).map_err(|e| {
            failed = Some(e);
            io::Error::other("afgebroken")
        })
    }) {
        Ok(()) => {}
        Err(_) if failed.is_some() => return Err(failed.take().expect("set")),
        Err(_) if inflater.exceeded => return Err(BackupError::TooLarge { limit }.into()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(BackupError::Corrupt("de inhoud houdt te vroeg op".to_string()).into());
        }
        Err(e) => return Err(BackupError::Corrupt(e.to_string()).into()),
    }
    // The body must hold exactly one zlib stream with exactly the dump in it.
    match read_up_to(&mut inflater, &mut [0u8; 1]) {
        Ok(0) => {}
        Ok(_) => return Err(BackupError::Corrupt("na de inhoud staan nog gegevens".to_string()).into()),
        Err(_) if inflater.exceeded => return Err(BackupError::TooLarge { limit }.into()),
        Err(e) => return Err(BackupError::Corrupt(e.to_string()).into()),
    }
    Ok(inflater.inner.into_inner())
}

/// Decodes the body encoding, handing each tree name and pair to `each` as it is read: memory
/// holds one pair at a time.
fn decode_with(input: &mut impl Read, each: &mut dyn FnMut(Item<'_>) -> io::Result<()>) -> io::Result<()> {
    fn number(input: &mut impl Read) -> io::Result<u64> {
        let mut bytes = [0u8; 8];
        input.read_exact(&mut bytes)?;
        Ok(u64::from_be_bytes(bytes))
    }
    fn bytes(input: &mut impl Read) -> io::Result<Vec<u8>> {
        let len = number(input)?;
        read_exactly(input, len)
    }
    let tree_count = number(input)?;
    for _ in 0..tree_count {
        let name = String::from_utf8(bytes(input)?)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "een tabelnaam is geen geldige UTF-8"))?;
        each(Item::Tree(&name))?;
        let pair_count = number(input)?;
        for _ in 0..pair_count {
            let key = bytes(input)?;
            let value = bytes(input)?;
            each(Item::Pair(&key, &value))?;
        }
    }
    Ok(())
}

/// Reads exactly `len` bytes, allocating only as the data actually arrives.
fn read_exactly(input: &mut impl Read, len: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len.min(CHUNK as u64) as usize);
    while (bytes.len() as u64) < len {
        let start = bytes.len();
        let step = (len - start as u64).min(CHUNK as u64) as usize;
        bytes.resize(start + step, 0);
        input.read_exact(&mut bytes[start..])?;
    }
    Ok(bytes)
}

/// Fills `buf` as far as the input goes; returns how many bytes were read.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Fills `buf` completely; an early end of the input is a truncated backup.
fn read_all(input: &mut impl Read, buf: &mut [u8]) -> Result<(), BackupError> {
    if read_up_to(input, buf)? < buf.len() { Err(BackupError::Truncated) } else { Ok(()) }
}

/// Passes on at most `left` bytes; notes it (and fails) when the inner reader has more.
struct Limited<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            if read_up_to(&mut self.inner, &mut [0u8; 1])? == 0 {
                return Ok(0);
            }
            self.exceeded = true;
            return Err(io::Error::other("de inhoud is te groot"));
        }
        let max = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes atomically to a path: a temporary file in the same directory, fsync, rename (the
/// streaming writer, fed from the dump in memory).
pub fn write_file(dump: &Dump, path: &Path) -> Result<(), BackupError> {
    write_file_streamed(path, |mut out| encode(dump, &mut out))
}

/// Writes a backup atomically to a path, in the same layout as [`write_file`], streaming: `body`
/// writes the uncompressed body (see the module's body encoding) into the compressor, which
/// writes into the file as it goes; the length is filled in afterwards and the checksum is
/// computed by reading the file back. Memory stays the same whatever the size of the database.
pub fn write_file_streamed(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), BackupError> {
    use std::io::{Seek, SeekFrom};
    let file_error = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::File { action, path, source }
    };
    let Some(name) = path.file_name() else {
        let source = io::Error::new(io::ErrorKind::InvalidInput, "geen bestandsnaam");
        return Err(BackupError::File { action: "schrijven", path: path.to_path_buf(), source });
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let (temp_path, file) = create_temp(dir, &name.to_string_lossy()).map_err(file_error("aanmaken", dir))?;
    let result = (|| -> Result<(), BackupError> {
        let writing = |source| BackupError::File { action: "schrijven", path: temp_path.clone(), source };
        let mut out = BufWriter::new(file);
        let mut header = [0u8; HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8..10].copy_from_slice(&FORMAT_VERSION.to_be_bytes());
        out.write_all(&header).map_err(&writing)?;
        let mut limited = LimitedWriter {
            inner: flate2::write::ZlibEncoder::new(out, flate2::Compression::default()),
            left: MAX_BODY,
        };
        body(&mut limited).map_err(|e| {
            if limited.left == 0 && e.kind() == io::ErrorKind::FileTooLarge {
                BackupError::TooLarge { limit: MAX_BODY }
            } else {
                writing(e)
            }
        })?;
        let mut out = limited.inner.finish().map_err(&writing)?;
        let end = out.stream_position().map_err(&writing)?;
        let body_len = end - HEADER_LEN as u64;
        out.seek(SeekFrom::Start(10)).map_err(&writing)?;
        out.write_all(&body_len.to_be_bytes()).map_err(&writing)?;
        let mut file = out.into_inner().map_err(|e| e.into_error()).map_err(&writing)?;
        // The checksum of everything written, read back in chunks.
        file.seek(SeekFrom::Start(0)).map_err(&writing)?;
        let mut hasher = Sha256::new();
        let mut reader = BufReader::new(&mut file).take(end);
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = reader.read(&mut buf).map_err(&writing)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        file.seek(SeekFrom::Start(end)).map_err(&writing)?;
        file.write_all(&hasher.finalize()).map_err(&writing)?;
        file.sync_all().map_err(file_error("naar schijf schrijven", &temp_path))?;
        drop(file);
        std::fs::rename(&temp_path, path).map_err(file_error("vervangen", path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp_path);
        return result;
    }
    #[cfg(unix)]
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(file_error("naar schijf schrijven", dir))?;
    Ok(())
}

/// Passes bytes on until `left` runs out, then fails with `FileTooLarge`.
struct LimitedWriter<W: Write> {
    inner: W,
    left: u64,
}

impl<W: Write> Write for LimitedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.left {
            self.left = 0;
            return Err(io::Error::new(io::ErrorKind::FileTooLarge, "back-up te groot"));
        }
        let n = self.inner.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Removes `.NAME.sidw-tmp-PID-N…` files in `dir` whose process is gone: what a killed write left
/// (only sidw's own temporary names: a folder may be the user's working directory).
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with('.') {
            continue;
        }
        let Some((_, tail)) = name.rsplit_once(".sidw-tmp-") else { continue };
        let Some(pid) = tail.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Creates a new, not yet existing temporary file `.<name>.sidw-tmp-<pid>-<n>` in `dir`, after removing
/// the temporary files of killed runs there.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, std::fs::File)> {
    remove_stale_temps(dir);
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut attempt = 0;
    loop {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Shortened, so that a long target name still leaves room for the suffix.
        let short: String = name.chars().take(100).collect();
        let temp_path = dir.join(format!(".{short}.sidw-tmp-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&temp_path) {
            Ok(file) => return Ok((temp_path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Reads and verifies the backup in `path` (see [`read`]).
pub fn read_file(path: &Path) -> Result<Dump, BackupError> {
    let file = std::fs::File::open(path).map_err(|source| BackupError::File {
        action: "openen",
        path: path.to_path_buf(),
        source,
    })?;
    read(&mut BufReader::new(file)).map_err(|e| match e {
        BackupError::Io(source) => BackupError::File { action: "lezen", path: path.to_path_buf(), source },
        other => other,
    })
}

/// Reads the backup in `path` without holding it: a first pass checks the header, the length and
/// the checksum (nothing is decoded from a file that fails them, see [`read`]); a second pass
/// inflates and decodes the body and hands each tree name and pair to `each` as it comes, while
/// computing the checksum again (a file changed between the passes is refused at the end, so a
/// caller that commits only after this returns `Ok`, as `restore` does, never keeps it). Memory
/// stays the same whatever the size of the backup.
pub fn read_file_streamed<E: From<BackupError>>(
    path: &Path,
    each: &mut dyn FnMut(Item<'_>) -> Result<(), E>,
) -> Result<(), E> {
    read_file_streamed_limited(path, MAX_BODY, each)
}

fn read_file_streamed_limited<E: From<BackupError>>(
    path: &Path,
    limit: u64,
    each: &mut dyn FnMut(Item<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let open = || {
        std::fs::File::open(path).map(BufReader::new).map_err(|source| BackupError::File {
            action: "openen",
            path: path.to_path_buf(),
            source,
        })
    };
    let in_file = |e: BackupError| match e {
        BackupError::Io(source) => BackupError::File { action: "lezen", path: path.to_path_buf(), source },
        other => other,
    };
    // First pass: header, length, checksum, end.
    let checksum = (|| -> Result<_, BackupError> {
        let mut input = open()?;
        let (header, body_len) = read_header(&mut input, limit)?;
        let mut hashing = Hashing { inner: (&mut input).take(body_len), hasher: Sha256::new().chain_update(header) };
        let copied = io::copy(&mut hashing, &mut io::sink())?;
        if copied < body_len {
            return Err(BackupError::Truncated);
        }
        let computed = hashing.hasher.finalize();
        let checksum = read_checksum_and_end(&mut input)?;
        if computed.as_slice() != checksum.as_slice() {
            return Err(BackupError::ChecksumMismatch);
        }
        Ok(checksum)
    })()
    .map_err(in_file)?;
    // Second pass: decode, hashing again what is read.
    let mut input = open().map_err(in_file)?;
    let (header, body_len) = read_header(&mut input, limit).map_err(in_file)?;
    let hashing = Hashing { inner: (&mut input).take(body_len), hasher: Sha256::new().chain_update(header) };
    let mut rest = inflate_and_decode(BufReader::with_capacity(CHUNK, hashing), limit, each)?;
    let trailing = !rest.buffer().is_empty() || read_up_to(&mut rest, &mut [0u8; 1]).map_err(BackupError::Io)? != 0;
    if trailing {
        return Err(BackupError::Corrupt("na de gecomprimeerde inhoud staan nog gegevens".to_string()).into());
    }
    let hashing = rest.into_inner();
    if hashing.inner.limit() != 0 || hashing.hasher.finalize().as_slice() != checksum.as_slice() {
        // The file changed after the first pass.
        return Err(BackupError::ChecksumMismatch.into());
    }
    Ok(())
}

/// Passes reads on and feeds every byte read to the hasher.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dump {
        Dump {
            trees: vec![
                ("meta".to_string(), vec![(b"schema".to_vec(), vec![0, 1])]),
                ("leeg".to_string(), vec![]),
                (
                    "binair".to_string(),
                    vec![
                        (vec![], vec![]),
                        (vec![0], vec![0xff; 3]),
                        (vec![0, 0, 0, 0, 0, 0, 0, 7, 0xff], (0..=255).collect()),
                        (vec![0xff, 0xfe], b"SIDWBAK\0".to_vec()),
                    ],
                ),
                ("ünïcode".to_string(), vec![(b"k".to_vec(), vec![1; 10_000])]),
            ],
        }
    }

    fn bytes_of(dump: &Dump) -> Vec<u8> {
        let mut out = Vec::new();
        write(dump, &mut out).unwrap();
        out
    }

    /// A well-formed file (valid checksum) around an arbitrary, possibly hostile, body.
    fn forge(version: u16, body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
        out.extend_from_slice(body);
        let checksum = Sha256::digest(&out);
        out.extend_from_slice(&checksum);
        out
    }

    fn zlib(raw: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(raw).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        for dump in [sample(), Dump::default(), Dump { trees: vec![(String::new(), vec![])] }] {
            let bytes = bytes_of(&dump);
            assert_eq!(bytes[..8], MAGIC);
            assert_eq!(bytes[8..10], [0, 1]);
            assert_eq!(u64::from_be_bytes(bytes[10..18].try_into().unwrap()) as usize, bytes.len() - 18 - 32);
            assert_eq!(read(&mut bytes.as_slice()).unwrap(), dump);
        }
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes =
            bytes_of(&Dump { trees: vec![("a".to_string(), vec![(vec![1, 2], vec![3])]), ("b".to_string(), vec![])] });
        for position in 0..bytes.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[position] ^= mask;
                let result = read(&mut damaged.as_slice());
                assert!(result.is_err(), "byte {position} ^ {mask:#x} accepted: {result:?}");
            }
        }
    }

    #[test]
    fn flipped_body_byte_fails_the_checksum() {
        let mut bytes = bytes_of(&sample());
        bytes[HEADER_LEN + 3] ^= 0x10;
        assert!(matches!(read(&mut bytes.as_slice()), Err(BackupError::ChecksumMismatch)));
        let last = bytes.len() - 1;
        let mut bytes = bytes_of(&sample());
        bytes[last] ^= 0x10;
        let error = read(&mut bytes.as_slice()).unwrap_err();
        assert_eq!(error.to_string(), "de back-up is beschadigd: de controlesom klopt niet");
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = bytes_of(&sample());
        for len in 0..bytes.len() {
            let result = read(&mut &bytes[..len]);
            assert!(matches!(result, Err(BackupError::Truncated)), "length {len}: {result:?}");
        }
        assert_eq!(BackupError::Truncated.to_string(), "de back-up is afgekapt");
    }

    #[test]
    fn wrong_magic_is_refused() {
        let mut bytes = bytes_of(&sample());
        bytes[0] = b'X';
        let error = read(&mut bytes.as_slice()).unwrap_err();
        assert!(matches!(error, BackupError::NotABackup));
        assert_eq!(error.to_string(), "dit is geen sidw-back-up");
        for other in [&b"PK\x03\x04 een zip"[..], b"x", b"SIDWBAK!whatever, long enough to be a header and more"] {
            assert!(matches!(read(&mut &other[..]), Err(BackupError::NotABackup)));
        }
    }

    #[test]
    fn newer_version_is_refused_with_the_version() {
        let mut bytes = bytes_of(&sample());
        bytes[8..10].copy_from_slice(&7u16.to_be_bytes());
        let error = read(&mut bytes.as_slice()).unwrap_err();
        assert!(matches!(error, BackupError::NewerVersion { found: 7, supported: 1 }));
        let message = error.to_string();
        assert!(
            message.contains("nieuwere sidw") && message.contains("versie 7") && message.contains('1'),
            "{message}"
        );
        // Refused on the version alone, whatever follows.
        assert!(matches!(read(&mut &forge(2, b"unknown")[..]), Err(BackupError::NewerVersion { found: 2, .. })));
        assert!(read(&mut &forge(0, &zlib(&0u64.to_be_bytes()))[..]).is_err());
    }

    #[test]
    fn trailing_garbage_is_refused() {
        let mut bytes = bytes_of(&sample());
        bytes.push(0);
        assert!(matches!(read(&mut bytes.as_slice()), Err(BackupError::TrailingBytes)));
        let mut twice = bytes_of(&sample());
        twice.extend(bytes_of(&sample()));
        assert!(matches!(read(&mut twice.as_slice()), Err(BackupError::TrailingBytes)));
    }

    #[test]
    fn hostile_bodies_with_valid_checksums_are_refused() {
        let mut lying = Vec::new();
        lying.extend_from_slice(&1u64.to_be_bytes());
        lying.extend_from_slice(&u64::MAX.to_be_bytes()); // a name "of 16 EiB"
        let mut bad_utf8 = 1u64.to_be_bytes().to_vec();
        bad_utf8.extend_from_slice(&2u64.to_be_bytes());
        bad_utf8.extend_from_slice(&[0xc3, 0x28]);
        bad_utf8.extend_from_slice(&0u64.to_be_bytes());
        let mut extra = 0u64.to_be_bytes().to_vec();
        extra.push(9);
        let mut two_streams = zlib(&0u64.to_be_bytes());
        two_streams.extend(zlib(&0u64.to_be_bytes()));
        let many_trees = u64::MAX.to_be_bytes();
        for body in [
            Vec::new(),
            b"not zlib at all".to_vec(),
            zlib(&[]),
            zlib(&lying),
            zlib(&bad_utf8),
            zlib(&extra),
            zlib(&many_trees),
            two_streams,
            zlib(&0u64.to_be_bytes())[..5].to_vec(),
        ] {
            let result = read(&mut &forge(1, &body)[..]);
            assert!(matches!(result, Err(BackupError::Corrupt(_))), "{body:?}: {result:?}");
        }
        // A header claiming an absurd body length is refused before anything is read.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&1u16.to_be_bytes());
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(read(&mut huge.as_slice()), Err(BackupError::TooLarge { .. })));
        // A plausible length with little data behind it is simply truncated.
        let mut short = MAGIC.to_vec();
        short.extend_from_slice(&1u16.to_be_bytes());
        short.extend_from_slice(&(1u64 << 32).to_be_bytes());
        short.extend_from_slice(&[0; 100]);
        assert!(matches!(read(&mut short.as_slice()), Err(BackupError::Truncated)));
    }

    #[test]
    fn inflating_is_bounded() {
        // A megabyte of zeros compresses to about a kilobyte.
        let mut bomb = 1u64.to_be_bytes().to_vec();
        bomb.extend_from_slice(&0u64.to_be_bytes());
        bomb.extend_from_slice(&1u64.to_be_bytes());
        bomb.extend_from_slice(&0u64.to_be_bytes());
        bomb.extend_from_slice(&(1u64 << 20).to_be_bytes());
        bomb.resize(bomb.len() + (1 << 20), 0);
        let file = forge(1, &zlib(&bomb));
        assert!(file.len() < 4096);
        let read_back = read_limited(&mut file.as_slice(), 64 * 1024);
        assert!(matches!(read_back, Err(BackupError::TooLarge { limit: 65536 })), "{read_back:?}");
        assert!(read_limited(&mut file.as_slice(), 2 << 20).is_ok());
        // Exactly at the limit is fine; one byte less is not.
        let exact = encoded_len(&sample());
        let bytes = bytes_of(&sample());
        assert_eq!(read_limited(&mut bytes.as_slice(), exact).unwrap(), sample());
        assert!(matches!(read_limited(&mut bytes.as_slice(), exact - 1), Err(BackupError::TooLarge { .. })));
        // And the writer refuses what no reader would accept.
        assert!(matches!(write_limited(&sample(), &mut Vec::new(), exact - 1), Err(BackupError::TooLarge { .. })));
    }

    #[test]
    fn encoded_len_is_exact() {
        let mut raw = Vec::new();
        encode(&sample(), &mut raw).unwrap();
        assert_eq!(raw.len() as u64, encoded_len(&sample()));
    }

    /// Everything the streaming reader hands out, gathered back into a dump.
    fn read_streamed(path: &Path) -> Result<Dump, BackupError> {
        let mut dump = Dump::default();
        read_file_streamed(path, &mut |item| {
            match item {
                Item::Tree(name) => dump.trees.push((name.to_string(), Vec::new())),
                Item::Pair(key, value) => dump.trees.last_mut().unwrap().1.push((key.to_vec(), value.to_vec())),
            }
            Ok::<(), BackupError>(())
        })?;
        Ok(dump)
    }

    #[test]
    fn the_streaming_reader_gives_the_same_dump_and_refuses_what_read_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.sidwbak");
        for dump in [sample(), Dump::default()] {
            write_file(&dump, &path).unwrap();
            assert_eq!(read_streamed(&path).unwrap(), dump);
        }
        let small = Dump { trees: vec![("a".to_string(), vec![(vec![1, 2], vec![3])]), ("b".to_string(), vec![])] };
        let bytes = bytes_of(&small);
        for position in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[position] ^= 0x01;
            std::fs::write(&path, &damaged).unwrap();
            assert!(read_streamed(&path).is_err(), "byte {position} flipped and accepted");
        }
        for len in [0, 5, 17, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..len]).unwrap();
            let result = read_streamed(&path);
            assert!(matches!(result, Err(BackupError::Truncated)), "length {len}: {result:?}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&path, &longer).unwrap();
        assert!(matches!(read_streamed(&path), Err(BackupError::TrailingBytes)));
        // Hostile bodies with valid checksums, as for `read`.
        for body in
            [b"not zlib at all".to_vec(), zlib(&u64::MAX.to_be_bytes()), zlib(&0u64.to_be_bytes())[..5].to_vec()]
        {
            std::fs::write(&path, forge(1, &body)).unwrap();
            assert!(matches!(read_streamed(&path), Err(BackupError::Corrupt(_))), "{body:?}");
        }
        let mut two_streams = zlib(&0u64.to_be_bytes());
        two_streams.extend(zlib(&0u64.to_be_bytes()));
        std::fs::write(&path, forge(1, &two_streams)).unwrap();
        assert!(matches!(read_streamed(&path), Err(BackupError::Corrupt(_))));
        std::fs::write(&path, forge(1, &zlib(&0u64.to_be_bytes()))).unwrap();
        assert_eq!(read_streamed(&path).unwrap(), Dump::default());
        // Inflating is bounded the same way.
        let exact = encoded_len(&sample());
        write_file(&sample(), &path).unwrap();
        let mut ignore = |_: Item<'_>| Ok::<(), BackupError>(());
        assert!(read_file_streamed_limited(&path, exact, &mut ignore).is_ok());
        let over = read_file_streamed_limited(&path, exact - 1, &mut ignore);
        assert!(matches!(over, Err(BackupError::TooLarge { .. })), "{over:?}");
    }

    #[test]
    fn a_file_changed_while_it_is_read_is_refused_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.sidwbak");
        // Values that do not compress, so that the body is far longer than one read.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_be_bytes()
        };
        let pairs = (0..64u64).map(|i| (i.to_be_bytes().to_vec(), (0..1024).flat_map(|_| noise()).collect())).collect();
        let dump = Dump { trees: vec![("groot".to_string(), pairs)] };
        write_file(&dump, &path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 4 * CHUNK);
        // Unchanged, it reads whole.
        assert_eq!(read_streamed(&path).unwrap(), dump);
        // A byte near the end changes after the first pass, while the second is at the start.
        let position = bytes.len() - CHECKSUM_LEN - 100;
        bytes[position] ^= 0x01;
        let mut changed = false;
        let result = read_file_streamed(&path, &mut |_| {
            if !changed {
                std::fs::write(&path, &bytes).unwrap();
                changed = true;
            }
            Ok::<(), BackupError>(())
        });
        assert!(changed);
        assert!(result.is_err(), "a file changed mid-read was accepted");
    }

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn write_file_replaces_atomically_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sidw-1.sidwbak");
        let old = Dump { trees: vec![("oud".to_string(), vec![(b"a".to_vec(), b"1".to_vec())])] };
        write_file(&old, &path).unwrap();
        assert_eq!(read_file(&path).unwrap(), old);
        assert_eq!(dir_entries(dir.path()), ["sidw-1.sidwbak"]);

        write_file(&sample(), &path).unwrap();
        assert_eq!(read_file(&path).unwrap(), sample());
        assert_eq!(std::fs::read(&path).unwrap(), bytes_of(&sample()));
        assert_eq!(dir_entries(dir.path()), ["sidw-1.sidwbak"]);
    }

    #[test]
    fn failed_write_file_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.sidwbak");
        write_file(&sample(), &path).unwrap();
        // A directory in the way of the rename: the write fails, the temp file is removed.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("inside"), b"x").unwrap();
        let error = write_file(&Dump::default(), &blocked).unwrap_err();
        assert!(matches!(error, BackupError::File { .. }), "{error:?}");
        assert!(error.to_string().contains("blocked"), "{error}");
        assert_eq!(dir_entries(dir.path()), ["b.sidwbak", "blocked"]);
        assert_eq!(read_file(&path).unwrap(), sample());
    }

    #[test]
    fn file_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nergens.sidwbak");
        let error = read_file(&missing).unwrap_err();
        assert!(matches!(error, BackupError::File { .. }));
        assert!(error.to_string().contains("nergens.sidwbak"), "{error}");
        let error = write_file(&sample(), &dir.path().join("geen-map").join("x.sidwbak")).unwrap_err();
        assert!(error.to_string().contains("geen-map"), "{error}");
        std::fs::write(&missing, b"hallo").unwrap();
        assert!(matches!(read_file(&missing), Err(BackupError::NotABackup)));
    }
}
