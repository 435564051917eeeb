//! SSH exec requests: `ssh -p 2222 anna@server sidw report signals --region Zwolle` runs the
//! command inside the serving process as that user (their role and regions; audit entries under
//! their name), on a blocking thread of its own. Its stdout goes back as channel data and its
//! stderr as extended data (1), through a small bounded queue, so a large output (`backup -`)
//! waits for the client (russh's window) instead of filling memory; then the exit status, EOF,
//! close. Stdin is read only by a command given `-`, bounded, until the client's EOF.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::sync::Mutex;

use russh::server::{Msg, Session};
use russh::{Channel, ChannelId, ChannelMsg};

use super::Connection;
use crate::users::User;

/// Commands one user may run at once, and all users together.
pub const MAX_PER_USER: usize = 4;
pub const MAX_TOTAL: usize = 16;

/// Chunks of output on their way to the client (each at most [`CHUNK`] bytes).
const QUEUED: usize = 8;
const CHUNK: usize = 32 * 1024;

enum Chunk {
    Out(Vec<u8>),
    Err(Vec<u8>),
    Exit(u8),
}

/// Starts an exec request on the connection's session channel.
pub(super) fn start(conn: &mut Connection, id: ChannelId, command: &[u8], session: &mut Session) -> anyhow::Result<()> {
    // Still listed with this key? (The file may have changed since the login.)
    let user = conn.user.as_ref().and_then(|user| conn.known(&user.name, &user.key));
    let channel = conn.channel.take();
    let (Some(user), Some(channel)) = (user, channel) else {
        session.channel_failure(id)?;
        return Ok(());
    };
    if conn.events.is_some() || conn.session_channel != Some(id) {
        session.channel_failure(id)?;
        return Ok(());
    }
    session.channel_success(id)?;
    let handle = session.handle();
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(QUEUED);
    tokio::spawn(send_output(handle, id, rx));
    let (stdin_tx, stdin_rx) = tokio::sync::mpsc::channel::<Option<Vec<u8>>>(QUEUED);
    tokio::spawn(read_input(channel, stdin_tx));
    let text = String::from_utf8_lossy(command).into_owned();
    let Some(slot) = Slot::take(&user.name) else {
        println!(
            "sidw serve: {} heeft al {MAX_PER_USER} opdrachten lopen (of de server {MAX_TOTAL}); geweigerd",
            user.name
        );
        let message = format!(
            "sidw: er lopen al {MAX_PER_USER} opdrachten van u (of {MAX_TOTAL} op de server); probeer het zo opnieuw\n"
        );
        tokio::spawn(async move {
            let _ = tx.send(Chunk::Err(message.into_bytes())).await;
            let _ = tx.send(Chunk::Exit(1)).await;
        });
        return Ok(());
    };
    // Escaped: a newline in the command cannot forge a line of the server's log.
    println!("sidw serve: {} voert uit: {}", user.name, text.escape_debug());
    let store = conn.server.store.clone();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let code = run(&text, &user, store, tx.clone(), stdin_rx);
        let _ = tx.blocking_send(Chunk::Exit(code));
    });
    Ok(())
}

/// Runs the command text as `user` and returns its exit code (on the blocking thread).
fn run(
    text: &str,
    user: &User,
    store: crate::store::Store,
    tx: tokio::sync::mpsc::Sender<Chunk>,
    mut stdin: tokio::sync::mpsc::Receiver<Option<Vec<u8>>>,
) -> u8 {
    let db = store.path().to_path_buf();
    let exports = crate::files::exports_dir(&db, &user.name);
    let imports = super::imports_dir(&db, &user.name);
    let mut err = HidePaths::new(ChunkWriter { tx: tx.clone(), err: true }, &db, &exports, &imports);
    let Some(args) = arguments(text) else {
        let _ = err.write_all(b"sidw: de opdracht is niet te lezen (een aanhalingsteken te weinig?)\n");
        let _ = err.flush();
        return 2;
    };
    let mut out = BufWriter::with_capacity(CHUNK, ChunkWriter { tx, err: false });
    let mut env = crate::cli::Env {
        out: &mut out,
        err: &mut err,
        stdin: Some(Box::new(super::chunked_input::ChunkedInput::new(move || match stdin.blocking_recv() {
            Some(Some(bytes)) => super::chunked_input::Next::Chunk(bytes),
            Some(None) => super::chunked_input::Next::End,
            None => super::chunked_input::Next::Broken,
        }))),
        db: crate::cli::Db::Served(store),
        who: crate::cli::Who::Ssh { user: user.name.clone(), access: user.access() },
        place: crate::cli::Place::User { exports, imports },
        overwrite: false,
    };
    let code = crate::cli::execute(&args, &crate::cli::Remote::Ssh, &mut env);
    drop(env);
    let _ = out.flush();
    let _ = err.flush();
    code
}

/// The command's stderr as the ssh user may read it: the server's folders never show. Whatever a
/// message says of a file (an io error, a file that is there already, a folder that is not one),
/// the user's folders read as sftp shows them (`exports/NAME`, `imports/NAME`), and the folder
/// of the database and the temporary folder are left out of any other path. Line by line, so a
/// path is never split between two writes.
pub struct HidePaths<W: Write> {
    inner: W,
    /// What is replaced, longest first, by what.
    replace: Vec<(String, String)>,
    line: Vec<u8>,
}

impl<W: Write> HidePaths<W> {
    pub fn new(inner: W, db: &std::path::Path, exports: &std::path::Path, imports: &std::path::Path) -> Self {
        let shown = |path: &std::path::Path| path.display().to_string();
        let mut replace = Vec::new();
        for (folder, name) in [(exports, "exports"), (imports, "imports")] {
            replace.push((shown(folder), name.to_string()));
            if let Some(parent) = folder.parent() {
                // `DB.exports` itself (the folder of every user's exports).
                replace.push((shown(parent), name.to_string()));
            }
        }
        for dir in [db.parent().map(std::path::Path::to_path_buf), Some(std::env::temp_dir())].into_iter().flatten() {
            if !dir.as_os_str().is_empty() {
                replace.push((format!("{}/", shown(&dir).trim_end_matches('/')), String::new()));
            }
        }
        // A path the server was given the long way round (a link, `..`) is hidden as well.
        for (path, name) in replace.clone() {
            if let Ok(real) = std::fs::canonicalize(path.trim_end_matches('/')) {
                let real = shown(&real);
                let real = if path.ends_with('/') { format!("{real}/") } else { real };
                if real != path {
                    replace.push((real, name));
                }
            }
        }
        replace.retain(|(path, _)| path.len() > 1);
        replace.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
        Self { inner, replace, line: Vec::new() }
    }

    /// `text` with the server's folders hidden.
    pub fn hide(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (path, name) in &self.replace {
            text = text.replace(path.as_str(), name);
        }
        text
    }

    fn send_line(&mut self) -> std::io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let hidden = self.hide(&String::from_utf8_lossy(&line));
        self.inner.write_all(hidden.as_bytes())
    }
}

impl<W: Write> Write for HidePaths<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(part);
            if part.ends_with(b"\n") {
                self.send_line()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.send_line()?;
        }
        self.inner.flush()
    }
}

/// The command's words, as a shell would split them; a leading `sidw` is the program's name.
pub fn arguments(text: &str) -> Option<Vec<OsString>> {
    let mut words = shlex::split(text)?;
    if words.first().is_some_and(|w| w == "sidw" || w.ends_with("/sidw")) {
        words.remove(0);
    }
    Some(words.into_iter().map(OsString::from).collect())
}

/// Sends the command's output to the client as it comes (waiting for the client's window), then
/// the exit status, EOF and close.
async fn send_output(handle: russh::server::Handle, id: ChannelId, mut rx: tokio::sync::mpsc::Receiver<Chunk>) {
    while let Some(chunk) = rx.recv().await {
        let sent = match chunk {
            Chunk::Out(bytes) => handle.data(id, bytes).await.is_ok(),
            Chunk::Err(bytes) => handle.extended_data(id, 1, bytes).await.is_ok(),
            Chunk::Exit(code) => {
                let _ = handle.exit_status_request(id, u32::from(code)).await;
                let _ = handle.eof(id).await;
                let _ = handle.close(id).await;
                return;
            }
        };
        if !sent {
            return; // the client went away: the command's next write fails
        }
    }
}

/// Reads the client's data on the channel: passed to the command (`Some`), EOF (`None`). The
/// channel is read to its end whether the command wants it or not (russh waits for a held
/// channel that is not read). A channel that closes without EOF drops the sender: broken input.
async fn read_input(mut channel: Channel<Msg>, tx: tokio::sync::mpsc::Sender<Option<Vec<u8>>>) {
    let mut tx = Some(tx);
    while let Some(message) = channel.wait().await {
        match message {
            ChannelMsg::Data { data } => {
                if let Some(sender) = &tx
                    && sender.send(Some(data.to_vec())).await.is_err()
                {
                    tx = None;
                }
            }
            ChannelMsg::Eof => {
                if let Some(sender) = tx.take() {
                    let _ = sender.send(None).await;
                }
            }
            _ => {}
        }
    }
}

/// The command's stdout or stderr as chunks in the bounded queue.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Chunk>,
    err: bool,
}

impl Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(CHUNK);
        let bytes = buf[..n].to_vec();
        let chunk = if self.err { Chunk::Err(bytes) } else { Chunk::Out(bytes) };
        self.tx
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "de verbinding is verbroken"))?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A running command counted per user and in all; uncounted when dropped.
struct Slot(String);

static RUNNING: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

impl Slot {
    fn take(user: &str) -> Option<Self> {
        let mut running = RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let total: usize = running.iter().map(|(_, n)| n).sum();
        let mine = running.iter().find(|(name, _)| name == user).map_or(0, |(_, n)| *n);
        if total >= MAX_TOTAL || mine >= MAX_PER_USER {
            return None;
        }
        match running.iter_mut().find(|(name, _)| name == user) {
            Some((_, n)) => *n += 1,
            None => running.push((user.to_string(), 1)),
        }
        Some(Self(user.to_string()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, n)) = running.iter_mut().find(|(name, _)| *name == self.0) {
            *n = n.saturating_sub(1);
        }
        running.retain(|(_, n)| *n > 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_split_as_a_shell_would_and_a_leading_sidw_is_the_program() {
        let words = |text| arguments(text).map(|a| a.into_iter().map(|w| w.into_string().unwrap()).collect::<Vec<_>>());
        assert_eq!(words("sidw report signals --region Zwolle").unwrap(), ["report", "signals", "--region", "Zwolle"]);
        assert_eq!(words("report signals").unwrap(), ["report", "signals"]);
        assert_eq!(
            words("reopen --reason 'te vroeg afgesloten' --network \"Zwolle Noord\"").unwrap(),
            ["reopen", "--reason", "te vroeg afgesloten", "--network", "Zwolle Noord"]
        );
        assert!(words("report 'signals").is_none());
    }

    #[test]
    fn the_servers_folders_are_hidden_line_by_line() {
        let db = std::path::Path::new("/var/lib/sidw/db");
        let (exports, imports) = (db.with_extension("exports").join("anna"), db.with_extension("imports").join("anna"));
        let mut hidden = HidePaths::new(Vec::new(), db, &exports, &imports);
        let text = "sidw: /var/lib/sidw/db.exports/anna/q1.csv bestaat al\nkan /var/lib/sidw/db.imports/anna/x.csv \
                    niet lezen; /var/lib/sidw/db.exports is geen map; /var/lib/sidw/db.mail ontbreekt";
        for chunk in text.as_bytes().chunks(7) {
            hidden.write_all(chunk).unwrap();
        }
        hidden.flush().unwrap();
        assert_eq!(
            String::from_utf8(hidden.inner).unwrap(),
            "sidw: exports/q1.csv bestaat al\nkan imports/x.csv niet lezen; exports is geen map; db.mail ontbreekt"
        );
    }

    #[test]
    fn a_user_runs_at_most_four_commands_and_the_server_sixteen() {
        let anna: Vec<Slot> = (0..MAX_PER_USER).map(|_| Slot::take("test-anna").unwrap()).collect();
        assert!(Slot::take("test-anna").is_none());
        let others: Vec<Slot> =
            (0..MAX_TOTAL - MAX_PER_USER).map(|i| Slot::take(&format!("test-{}", i / 3)).unwrap()).collect();
        assert!(Slot::take("test-nieuw").is_none(), "sixteen in all");
        drop(others);
        assert!(Slot::take("test-anna").is_none());
        drop(anna);
        assert!(Slot::take("test-anna").is_some());
    }
}
