//! The local command line on a served database: `sidw serve` listens on a Unix socket beside the
//! database (`DB.sock`, mode 0600, only for the OS user that runs the server), and a local
//! `sidw --db DB report …` that finds the database served sends its command there instead of
//! failing (the cron job of the README keeps working while the office is served).
//!
//! The protocol is frames: one byte kind, four bytes length (big-endian, at most
//! [`MAX_FRAME`]), the bytes. The client sends HELLO (user, working directory and arguments,
//! separated by NUL bytes), then, only when the command reads `-`, STDIN frames and STDIN_END. The
//! server sends OUT and ERR frames as the command writes, then EXIT (one byte: the exit code). A
//! connection that breaks before STDIN_END gives the command a broken input (nothing is imported).

use std::ffi::OsString;
use std::io::{BufWriter, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::chunked_input::{ChunkedInput, Next};
use crate::store::Store;

const HELLO: u8 = 1;
const STDIN: u8 = 2;
const STDIN_END: u8 = 3;
const OUT: u8 = 4;
const ERR: u8 = 5;
const EXIT: u8 = 6;

/// The largest frame either side sends or accepts.
pub const MAX_FRAME: usize = 256 * 1024;

/// How long the server waits for the next frame of a client (its hello, its stdin).
const CLIENT_SILENCE: Duration = Duration::from_secs(60);

/// The socket beside a served database: `DB.sock`.
pub fn socket_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".sock");
    PathBuf::from(name)
}

/// What the client asks: the arguments (without the program name), its working directory and
/// login name.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub args: Vec<OsString>,
    pub cwd: Option<PathBuf>,
    pub user: String,
}

impl Request {
    fn encode(&self) -> Vec<u8> {
        let mut bytes = self.user.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(self.cwd.as_deref().unwrap_or(Path::new("")).as_os_str().as_bytes());
        for arg in &self.args {
            bytes.push(0);
            bytes.extend_from_slice(arg.as_bytes());
        }
        bytes
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let mut parts = bytes.split(|b| *b == 0);
        let user = String::from_utf8(parts.next()?.to_vec()).ok()?;
        let cwd = parts.next()?;
        let cwd = (!cwd.is_empty()).then(|| PathBuf::from(OsString::from_vec(cwd.to_vec())));
        let args = parts.map(|a| OsString::from_vec(a.to_vec())).collect();
        Some(Self { args, cwd, user })
    }
}

fn write_frame(to: &mut impl Write, kind: u8, bytes: &[u8]) -> std::io::Result<()> {
    for chunk in bytes.chunks(MAX_FRAME).chain(bytes.is_empty().then_some(&[][..])) {
        let mut frame = Vec::with_capacity(5 + chunk.len());
        frame.push(kind);
        frame.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
        frame.extend_from_slice(chunk);
        to.write_all(&frame)?;
    }
    to.flush()
}

/// The next frame, or `None` when the other side closed cleanly between frames.
fn read_frame(from: &mut impl Read) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match from.read(&mut head[..1])? {
        0 => return Ok(None),
        _ => from.read_exact(&mut head[1..])?,
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "frame te groot"));
    }
    let mut bytes = vec![0u8; len];
    from.read_exact(&mut bytes)?;
    Ok(Some((head[0], bytes)))
}

/// Whether a peer may use the socket: only the OS user that runs the server.
pub fn admitted(peer_uid: u32, own_uid: u32) -> bool {
    peer_uid == own_uid
}

// ---------------------------------------------------------------------------------------------
// The server

/// Listens on `DB.sock` until the returned guard is dropped (it removes the socket). A stale
/// socket of a killed server is replaced (this process holds the database, so no server is there).
pub async fn listen(store: Store) -> Result<SocketGuard> {
    let path = socket_path(store.path());
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)
        .with_context(|| format!("kan de socket {} niet maken", path.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("kan de socket {} niet afschermen", path.display()))?;
    }
    let task = tokio::spawn(accept(listener, store));
    Ok(SocketGuard { path, task })
}

/// The listening socket; removed when dropped.
pub struct SocketGuard {
    path: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn accept(listener: tokio::net::UnixListener, store: Store) {
    let own = super::effective_user();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let peer = stream.peer_cred().map(|cred| cred.uid());
        let Ok(stream) = stream.into_std() else { continue };
        let store = store.clone();
        let spawned = std::thread::Builder::new().name("sidw-socket".into()).spawn(move || {
            let _ = stream.set_nonblocking(false);
            match peer {
                Ok(uid) if admitted(uid, own) => serve_one(stream, store),
                Ok(uid) => refuse(stream, &format!("sidw: geweigerd: alleen de gebruiker van 'sidw serve' (uid {own}) mag deze socket gebruiken, niet uid {uid}\n")),
                Err(_) => refuse(stream, "sidw: geweigerd: onbekende gebruiker\n"),
            }
        });
        if spawned.is_err() {
            eprintln!("sidw serve: kan geen opdracht via de socket starten");
        }
    }
}

fn refuse(mut stream: UnixStream, message: &str) {
    eprintln!("sidw serve: {}", message.trim_start_matches("sidw: ").trim_end());
    let _ = write_frame(&mut stream, ERR, message.as_bytes());
    let _ = write_frame(&mut stream, EXIT, &[1]);
}

/// One command through the socket, on its own thread.
fn serve_one(stream: UnixStream, store: Store) {
    let _ = stream.set_read_timeout(Some(CLIENT_SILENCE));
    let (Ok(mut reader), Ok(out_stream), Ok(err_stream)) = (stream.try_clone(), stream.try_clone(), stream.try_clone())
    else {
        return;
    };
    let request = match read_frame(&mut reader) {
        Ok(Some((HELLO, bytes))) => Request::decode(&bytes),
        _ => None,
    };
    let Some(request) = request else {
        refuse(stream, "sidw: de opdracht via de socket is niet te lezen\n");
        return;
    };
    let mut out = BufWriter::with_capacity(64 * 1024, FrameWriter { stream: out_stream, kind: OUT });
    let mut err = FrameWriter { stream: err_stream, kind: ERR };
    let mut env = crate::cli::Env {
        out: &mut out,
        err: &mut err,
        stdin: Some(Box::new(frame_reader(reader))),
        db: crate::cli::Db::Served(store),
        who: crate::cli::Who::Login(request.user.clone()),
        place: crate::cli::Place::Local { cwd: request.cwd.clone() },
        overwrite: false,
    };
    let code = crate::cli::execute(&request.args, &crate::cli::Remote::Socket, &mut env);
    drop(env);
    if out.flush().is_ok() {
        let mut stream = stream;
        let _ = write_frame(&mut stream, EXIT, &[code]);
    }
}

/// Output of the command as frames of one kind.
struct FrameWriter {
    stream: UnixStream,
    kind: u8,
}

impl Write for FrameWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(MAX_FRAME);
        write_frame(&mut self.stream, self.kind, &buf[..n])?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The client's stdin: STDIN frames until STDIN_END; a connection that ends before is an error.
fn frame_reader(mut stream: UnixStream) -> ChunkedInput<impl FnMut() -> Next> {
    ChunkedInput::new(move || match read_frame(&mut stream) {
        Ok(Some((STDIN, bytes))) => Next::Chunk(bytes),
        Ok(Some((STDIN_END, _))) => Next::End,
        Ok(_) | Err(_) => Next::Broken,
    })
}

// ---------------------------------------------------------------------------------------------
// The client

/// Sends the command to the server of `db` and relays its output and exit code. When the socket
/// cannot be reached, `served` (how to connect with ssh) is the error, as before there was a socket.
pub fn forward(db: &Path, mut request: Request, reads_stdin: bool, served: &str) -> u8 {
    let path = socket_path(db);
    let Ok(mut stream) = UnixStream::connect(&path) else {
        eprintln!("sidw: {served}");
        return 1;
    };
    request.cwd = request.cwd.or_else(|| std::env::current_dir().ok());
    let hello = request.encode();
    // The server reads one HELLO frame: a longer command would arrive cut short.
    if hello.len() > MAX_FRAME {
        eprintln!("sidw: de opdracht is te lang (meer dan {} kB); er is niets gedaan", MAX_FRAME / 1024);
        return 2;
    }
    ignore_closed_pipes();
    let sent = write_frame(&mut stream, HELLO, &hello)
        .and_then(|()| if reads_stdin { send_stdin(&mut stream) } else { Ok(()) });
    // A refusal may come before all stdin was taken: the answer is read either way.
    let _ = sent;
    relay(&mut stream)
}

fn send_stdin(stream: &mut UnixStream) -> std::io::Result<()> {
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stdin.read(&mut buf)?;
        if n == 0 {
            return write_frame(stream, STDIN_END, &[]);
        }
        write_frame(stream, STDIN, &buf[..n])?;
    }
}

/// Writes the server's OUT and ERR frames to stdout and stderr; the exit code.
fn relay(stream: &mut UnixStream) -> u8 {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = std::io::stderr().lock();
    loop {
        match read_frame(stream) {
            Ok(Some((OUT, bytes))) => {
                if out.write_all(&bytes).is_err() {
                    return 1; // the reader of our output went away (`| head`)
                }
            }
            Ok(Some((ERR, bytes))) => {
                let _ = out.flush();
                let _ = err.write_all(&bytes);
            }
            Ok(Some((EXIT, code))) => {
                let _ = out.flush();
                return code.first().copied().unwrap_or(1);
            }
            Ok(Some(_)) | Ok(None) | Err(_) => {
                let _ = out.flush();
                let _ = writeln!(
                    err,
                    "sidw: de verbinding met 'sidw serve' brak af voordat de opdracht klaar was; \
                     kijk met 'sidw report log' of er iets is veranderd"
                );
                return 1;
            }
        }
    }
}

/// A closed socket or output pipe is an error the client handles, not a signal that ends it.
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn ignore_closed_pipes() {
    // SAFETY: sets the disposition of SIGPIPE; the client has started no threads.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_survives_its_frame_with_empty_and_odd_arguments() {
        let request = Request {
            args: vec!["report".into(), "".into(), "met spatie".into(), OsString::from_vec(vec![0xff, b'x'])],
            cwd: Some(PathBuf::from("/home/anna/map")),
            user: "anna".into(),
        };
        let mut wire = Vec::new();
        write_frame(&mut wire, HELLO, &request.encode()).unwrap();
        let (kind, bytes) = read_frame(&mut wire.as_slice()).unwrap().unwrap();
        assert_eq!((kind, Request::decode(&bytes).unwrap()), (HELLO, request));
        let none = Request { args: Vec::new(), cwd: None, user: "bert".into() };
        assert_eq!(Request::decode(&none.encode()).unwrap(), none);
    }

    #[test]
    fn a_frame_longer_than_the_bound_is_refused_and_long_output_is_split() {
        let mut wire = vec![OUT];
        wire.extend_from_slice(&((MAX_FRAME as u32) + 1).to_be_bytes());
        assert!(read_frame(&mut wire.as_slice()).is_err());
        let mut wire = Vec::new();
        write_frame(&mut wire, OUT, &vec![7u8; MAX_FRAME + 10]).unwrap();
        let mut reader = wire.as_slice();
        assert_eq!(read_frame(&mut reader).unwrap().unwrap().1.len(), MAX_FRAME);
        assert_eq!(read_frame(&mut reader).unwrap().unwrap().1.len(), 10);
        assert!(read_frame(&mut reader).unwrap().is_none());
    }

    #[test]
    fn only_the_servers_own_user_is_admitted() {
        assert!(admitted(1000, 1000));
        assert!(!admitted(1001, 1000));
        assert!(!admitted(0, 1000), "not even root through this socket");
    }

    #[test]
    fn stdin_that_ends_before_its_end_frame_is_an_error_not_a_short_file() {
        let (mut client, server) = UnixStream::pair().unwrap();
        write_frame(&mut client, STDIN, b"netwerk;partner\n").unwrap();
        drop(client);
        let mut reader = frame_reader(server);
        let mut all = Vec::new();
        let error = reader.read_to_end(&mut all).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
        let (mut client, server) = UnixStream::pair().unwrap();
        write_frame(&mut client, STDIN, b"a;b\n").unwrap();
        write_frame(&mut client, STDIN_END, &[]).unwrap();
        let mut reader = frame_reader(server);
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"a;b\n");
    }
}
