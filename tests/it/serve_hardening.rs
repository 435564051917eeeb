//! `sidw serve` stays up for everyone and lets in nobody who should not be in (issue 12, items 4, 5, 8,
//! 10, 11): a flood of idle connections under a low file limit, a huge pty, the users file changing
//! under open sessions over the real OpenSSH client, and a server without a users file.
#![allow(clippy::unwrap_used)]

use crate::server;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, load_secret_key};

/// A server started through `sh` (so that a test can lower its file limit), its log in a file.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
    keys: PathBuf,
    log: PathBuf,
}

impl Server {
    fn start(dir: &Path, users: &[(&str, &str)], ulimit: Option<u32>, env: &[(&str, &str)]) -> Self {
        let db = dir.join("db");
        let keys = dir.join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        let demo = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).arg("demo").output().unwrap();
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
        let lines: Vec<String> = users.iter().map(|(name, role)| server::user(&keys, name, role)).collect();
        std::fs::write(dir.join("db.users"), lines.join("\n") + "\n").unwrap();
        let log = dir.join("serve.log");
        let limit = ulimit.map(|n| format!("ulimit -n {n} && ")).unwrap_or_default();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("{limit}exec \"$0\" --db \"$1\" serve --listen 127.0.0.1:0"))
            .arg(env!("CARGO_BIN_EXE_sidw"))
            .arg(&db)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("the server printed where it listens").unwrap();
            if let Some(rest) = line.split("luistert op 127.0.0.1:").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Self { child, port, dir: dir.to_path_buf(), keys, log }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn ssh(&self, key: &str, user: &str) -> String {
        format!(
            "ssh -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -t -i {} {user}@127.0.0.1",
            self.port,
            self.keys.join(key).display()
        )
    }

    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(tag: &str) -> Self {
        Self { socket: format!("sidw-{tag}-{}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).env_remove("TMUX").output().expect("tmux runs")
    }

    fn window(&self, name: &str, command: &str) {
        let out = if self.run(&["has-session"]).status.success() {
            self.run(&["new-window", "-d", "-n", name, command])
        } else {
            let out = self.run(&["new-session", "-d", "-s", "ssh", "-n", name, "-x", "100", "-y", "30", command]);
            self.run(&["set-option", "-g", "remain-on-exit", "on"]);
            self.run(&["set-option", "-w", "-t", &format!("ssh:{name}"), "remain-on-exit", "on"]);
            out
        };
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn keys(&self, window: &str, keys: &[&str]) {
        let target = format!("ssh:{window}");
        let mut args = vec!["send-keys", "-t", &target];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    fn type_text(&self, window: &str, text: &str) {
        let target = format!("ssh:{window}");
        assert!(self.run(&["send-keys", "-t", &target, "-l", text]).status.success());
    }

    fn screen(&self, window: &str) -> String {
        let target = format!("ssh:{window}");
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", &target]).stdout).into_owned()
    }

    /// The ssh in the window has exited.
    fn dead(&self, window: &str) -> bool {
        let target = format!("ssh:{window}");
        String::from_utf8_lossy(&self.run(&["list-panes", "-t", &target, "-F", "#{pane_dead}"]).stdout).trim() == "1"
    }

    fn wait_for(&self, window: &str, text: &str, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if screen.contains(text) {
                return start.elapsed();
            }
            assert!(start.elapsed() < within, "'{text}' did not appear in {window} within {within:?}:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn open_zwolle_q3(tmux: &Tmux, window: &str) {
    tmux.wait_for(window, "1 Netwerken", Duration::from_secs(20));
    tmux.keys(window, &["3"]);
    tmux.type_text(window, ":netwerk Zwolle-Zuid");
    tmux.keys(window, &["Enter"]);
    tmux.type_text(window, ":kwartaal 2025-Q3");
    tmux.keys(window, &["Enter"]);
    tmux.wait_for(window, "Zwolle-Zuid · 2025-Q3", Duration::from_secs(20));
}

/// Counts the connections the server has closed (read gives end of file or an error).
fn closed(streams: &[TcpStream]) -> usize {
    let mut buffer = [0u8; 256];
    streams
        .iter()
        .filter(|stream| {
            stream.set_nonblocking(true).unwrap();
            loop {
                match (&**stream).read(&mut buffer) {
                    Ok(0) => return true,
                    Ok(_) => continue, // the server's greeting
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
                    Err(_) => return true,
                }
            }
        })
        .count()
}

#[test]
fn two_thousand_idle_connections_under_a_low_file_limit_do_not_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // No caps, so that the server does run out of files; a deadline of 4 s instead of 30.
    let mut served = Server::start(
        dir.path(),
        &[("anna", "editor"), ("bert", "viewer")],
        Some(1024),
        &[("SIDW_AUTH_DEADLINE_MS", "4000"), ("SIDW_MAX_UNAUTH", "100000"), ("SIDW_MAX_UNAUTH_PER_SOURCE", "100000")],
    );
    let tmux = Tmux::new("flood");
    tmux.window("anna", &served.ssh("anna", "anna"));
    open_zwolle_q3(&tmux, "anna");

    let flood_start = Instant::now();
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], served.port));
    let connect = |n| {
        (0..n).filter_map(|_| TcpStream::connect_timeout(&address, Duration::from_millis(300)).ok()).collect::<Vec<_>>()
    };
    let mut streams = connect(500);
    // Well within the deadline none of them is closed: they are closed by the deadline, not at once.
    assert!(flood_start.elapsed() < Duration::from_secs(2));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(closed(&streams), 0, "idle connections were closed before the deadline");
    streams.extend(connect(1500));
    assert!(streams.len() > 1100, "only {} connections were made", streams.len());
    eprintln!("{} idle connections in {} ms", streams.len(), flood_start.elapsed().as_millis());

    // Anna keeps working while the server is out of files.
    tmux.keys("anna", &["j", "1", ",", "5", "Enter"]);
    let took =
        tmux.wait_for("anna", "Opgeslagen: Fysiotherapie Zwolle-Zuid, juli 2025: 1,5 uur", Duration::from_secs(10));
    eprintln!("Anna's save was shown after {} ms", took.as_millis());
    assert!(served.alive(), "the server stopped: {}", served.log());
    let log = served.log();
    let bursts = log.matches("kan geen verbinding aannemen").count();
    assert!(bursts >= 1, "the server never ran out of files, so this test proves nothing:\n{log}");
    assert!(bursts <= 20, "logged {bursts} times: once per burst, not once per failure");

    // After the deadline every idle connection is closed, and the server is still there.
    let start = Instant::now();
    loop {
        let gone = closed(&streams);
        if gone == streams.len() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{gone} of {} idle connections closed", streams.len());
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!("all idle connections closed {} ms after the flood", flood_start.elapsed().as_millis());
    assert!(flood_start.elapsed() >= Duration::from_secs(4), "closed before the deadline");
    drop(streams);
    assert!(served.alive());
    tmux.window("bert", &served.ssh("bert", "bert"));
    tmux.wait_for("bert", "1 Netwerken", Duration::from_secs(20));
    tmux.keys("anna", &["j", "2", "Enter"]);
    tmux.wait_for("anna", "Opgeslagen: ", Duration::from_secs(10));
    assert!(served.log().contains("verbindingen worden weer aangenomen"));
}

struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

async fn log_in(port: u16, key: &Path, user: &str) -> Option<client::Handle<Client>> {
    let mut session = client::connect(Arc::new(client::Config::default()), ("127.0.0.1", port), Client).await.ok()?;
    let key = load_secret_key(key, None).unwrap();
    let auth = session.authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), None)).await.ok()?;
    auth.success().then_some(session)
}

#[test]
fn one_address_cannot_fill_the_server_and_others_still_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let served = Server::start(dir.path(), &[("anna", "editor")], None, &[("SIDW_AUTH_DEADLINE_MS", "3000")]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], served.port));
        let mut flood = Vec::new();
        for _ in 0..200 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
            flood.push(socket.connect(address).await.unwrap().into_std().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        let gone = closed(&flood);
        // 30 per address may be logging in; the rest is closed at once.
        assert_eq!(gone, 170, "{}", served.log());
        assert!(served.log().contains("te veel tegelijk zonder aanmelding"));
        // Anna, from another address, logs in meanwhile.
        let anna = log_in(served.port, &served.keys.join("anna"), "anna").await;
        assert!(anna.is_some(), "anna could not log in during the flood");
        tokio::time::sleep(Duration::from_millis(3000)).await;
        assert_eq!(closed(&flood), 200, "the 30 did not log in within the deadline and are closed");
        // Anna, logged in, is not closed by the deadline.
        let channel = anna.unwrap().channel_open_session().await;
        assert!(channel.is_ok());
    });
}

/// Reads the session's output into `screen` until `done`, then a little longer for the rest of the frame.
async fn read_until(
    channel: &mut russh::Channel<client::Msg>,
    screen: &mut vt100::Parser,
    done: impl Fn(&vt100::Screen) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut settled = false;
    while !settled {
        let wait = if done(screen.screen()) { Duration::from_millis(400) } else { Duration::from_secs(20) };
        let wait = wait.min(deadline.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(wait, channel.wait()).await {
            Ok(Some(russh::ChannelMsg::Data { data })) => screen.process(&data),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the session ended:\n{}", screen.screen().contents()),
            Err(_) if done(screen.screen()) => settled = true,
            Err(_) => panic!("the screen did not come:\n{}", screen.screen().contents()),
        }
    }
}

/// The width of the widest drawn line and the number of the last drawn row.
fn extent(screen: &vt100::Screen) -> (usize, usize) {
    let rows: Vec<String> = screen.rows(0, 800).collect();
    let last_row = rows.iter().rposition(|r| !r.trim().is_empty()).map_or(0, |r| r + 1);
    let widest = rows.iter().map(|r| r.trim_end().chars().count()).max().unwrap_or(0);
    (widest, last_row)
}

#[test]
fn a_huge_pty_or_window_is_clamped_and_costs_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Server::start(dir.path(), &[("vera", "viewer")], None, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let session = log_in(served.port, &served.keys.join("vera"), "vera").await.expect("vera logs in");
        let mut channel = session.channel_open_session().await.unwrap();
        channel.request_pty(false, "xterm-256color", 10_000, 10_000, 0, 0, &[]).await.unwrap();
        channel.request_shell(false).await.unwrap();
        // A terminal larger than the clamp: whatever were drawn beyond 500 × 200 would show.
        let mut screen = vt100::Parser::new(400, 800, 0);
        read_until(&mut channel, &mut screen, |s| s.contents().contains("1 Netwerken")).await;
        let (columns, rows) = extent(screen.screen());
        assert!(columns <= 500 && columns > 400 && rows == 200, "drawn {columns} × {rows}");
        assert!(served.rss_kb() < 300 * 1024, "{} kB", served.rss_kb());

        // A window change to 60 000 × 60 000 is clamped as well.
        channel.window_change(60_000, 60_000, 0, 0).await.unwrap();
        channel.data(&b"2"[..]).await.unwrap();
        screen = vt100::Parser::new(400, 800, 0);
        read_until(&mut channel, &mut screen, |s| extent(s).1 == 200).await;
        let (columns, rows) = extent(screen.screen());
        assert!(columns <= 500 && rows == 200, "drawn {columns} × {rows}");
        assert!(served.rss_kb() < 300 * 1024, "{} kB", served.rss_kb());

        // And a small window is drawn small: the clamp is a ceiling, not a size.
        channel.window_change(100, 30, 0, 0).await.unwrap();
        screen = vt100::Parser::new(400, 800, 0);
        read_until(&mut channel, &mut screen, |s| extent(s).1 == 30).await;
        let (columns, rows) = extent(screen.screen());
        assert!(columns <= 100 && rows == 30, "drawn {columns} × {rows}");
    });
    assert!(served.alive(), "{}", served.log());
}

fn users_file(served: &Server) -> PathBuf {
    served.dir.join("db.users")
}

fn line_of(served: &Server, name: &str) -> String {
    let text = std::fs::read_to_string(users_file(served)).unwrap();
    text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap().to_string()
}

#[test]
fn the_users_file_applies_to_open_sessions_and_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Server::start(dir.path(), &[("anna", "editor"), ("bert", "editor")], None, &[]);
    let (anna, bert) = (line_of(&served, "anna"), line_of(&served, "bert"));
    let tmux = Tmux::new("revoke");
    tmux.window("anna", &served.ssh("anna", "anna"));
    tmux.window("bert", &served.ssh("bert", "bert"));
    open_zwolle_q3(&tmux, "anna");
    open_zwolle_q3(&tmux, "bert");
    // Anna may edit: the edit key opens the cell's form (no refusal).
    tmux.keys("anna", &["j", "7"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!tmux.screen("anna").contains("Dat mag uw rol"), "{}", tmux.screen("anna"));
    tmux.keys("anna", &["Escape"]);

    // editor → viewer: at once in the open session.
    std::fs::write(users_file(&served), format!("{}\n{bert}\n", anna.replacen(" editor ", " viewer ", 1))).unwrap();
    tmux.wait_for("anna", "Uw rol is nu viewer", Duration::from_secs(3));
    tmux.keys("anna", &["j", "7"]);
    tmux.wait_for("anna", "Dat mag uw rol (viewer) niet", Duration::from_secs(2));

    // Regions too: a list on her line reaches the open screen (its lists hold only Flevoland).
    std::fs::write(users_file(&served), format!("{}\n{bert}\n", anna.replacen(" editor ", " viewer Flevoland ", 1)))
        .unwrap();
    tmux.wait_for("anna", "Uw rol is nu viewer voor Flevoland", Duration::from_secs(3));
    tmux.keys("anna", &["Escape", "F1"]);
    tmux.wait_for("anna", "anna · viewer · Flevoland", Duration::from_secs(2));
    assert!(!tmux.screen("anna").contains("Zwolle-Zuid"), "{}", tmux.screen("anna"));

    // Bert's line goes: within ~2 s his screen says so and his ssh ends; Anna stays.
    std::fs::write(users_file(&served), format!("{}\n", anna.replacen(" editor ", " viewer ", 1))).unwrap();
    let took = tmux.wait_for("bert", "Uw toegang tot sidw is ingetrokken", Duration::from_secs(3));
    eprintln!("Bert saw the message after {} ms", took.as_millis());
    let start = Instant::now();
    while !tmux.dead("bert") {
        assert!(start.elapsed() < Duration::from_secs(3), "bert's ssh did not end:\n{}", tmux.screen("bert"));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!tmux.dead("anna"));

    // The file gone: nobody new gets in, open sessions end, and the log says so.
    std::fs::remove_file(users_file(&served)).unwrap();
    tmux.wait_for("anna", "Uw toegang tot sidw is ingetrokken", Duration::from_secs(3));
    let start = Instant::now();
    while !tmux.dead("anna") {
        assert!(start.elapsed() < Duration::from_secs(3), "anna's ssh did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(served.log().contains("gebruikersbestand ontbreekt of is onleesbaar"), "{}", served.log());
    let refused = Command::new("sh").arg("-c").arg(format!("{} true", served.ssh("anna", "anna"))).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Permission denied"));

    // Back, with a line that is not UTF-8 and an RSA line: only those lines are skipped.
    let mut bytes = b"kapot editor \xff\xfe\n".to_vec();
    bytes.extend_from_slice(b"rob editor ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ rob\n");
    bytes.extend_from_slice(format!("{bert}\n").as_bytes());
    std::fs::write(users_file(&served), bytes).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let log = served.log();
    assert!(log.contains("regel 1 overgeslagen: geen geldige UTF-8-tekst"), "{log}");
    assert!(log.contains("regel 2 overgeslagen: RSA-sleutels worden niet ondersteund; gebruik ssh-ed25519"), "{log}");
    tmux.window("bert2", &served.ssh("bert", "bert"));
    tmux.wait_for("bert2", "1 Netwerken", Duration::from_secs(20));
    assert!(served.alive());
    drop(served);

    // And the server starts on such a file.
    let start = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(dir.path().join("db"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut restarted =
        Server { child: start, port: 0, dir: dir.path().into(), keys: PathBuf::new(), log: PathBuf::new() };
    let mut lines = BufReader::new(restarted.child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("luistert op"), "{first}");
    assert!(restarted.alive());
}

#[cfg(unix)]
#[test]
fn serve_without_a_users_file_refuses_to_start_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("geen gebruikersbestand"), "{stderr}");
    assert!(!db.exists(), "no empty database is made");

    let served = Server::start(dir.path(), &[("anna", "editor")], None, &[]);
    let mode = |path: PathBuf| std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    let backups = served.dir.join("db.backups");
    let start = Instant::now();
    let first_backup = || {
        std::fs::read_dir(&backups)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "sidwbak"))
    };
    while first_backup().is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "no backup at start");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(mode(backups.clone()), 0o700);
    let backup = first_backup().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(mode(backup), 0o600);
    assert_eq!(mode(served.dir.join("db.host_key")), 0o600);
    assert_eq!(mode(served.dir.join("db.serve")), 0o600);
}

/// Waits for the answer to a request sent with `want_reply`: true on success, false on failure.
async fn answered(channel: &mut russh::Channel<client::Msg>) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), channel.wait()).await {
            Ok(Some(russh::ChannelMsg::Success)) => return true,
            Ok(Some(russh::ChannelMsg::Failure)) | Ok(None) | Err(_) => return false,
            Ok(Some(_)) => {}
        }
    }
}

#[test]
fn one_screen_per_connection_and_ten_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Server::start(dir.path(), &[("vera", "viewer")], None, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = served.keys.join("vera");
        let first = log_in(served.port, &key, "vera").await.expect("vera logs in");
        let mut channel = first.channel_open_session().await.unwrap();
        assert!(first.channel_open_session().await.is_err(), "a second session channel on one connection");
        channel.request_shell(true).await.unwrap();
        assert!(answered(&mut channel).await, "the first screen opens");
        let mut open = vec![(first, channel)];
        for _ in 1..10 {
            let session = log_in(served.port, &key, "vera").await.expect("vera logs in again");
            let mut channel = session.channel_open_session().await.unwrap();
            channel.request_shell(true).await.unwrap();
            assert!(answered(&mut channel).await, "up to ten screens");
            open.push((session, channel));
        }
        let eleventh = log_in(served.port, &key, "vera").await.expect("logging in is still allowed");
        let mut channel = eleventh.channel_open_session().await.unwrap();
        channel.request_shell(true).await.unwrap();
        assert!(!answered(&mut channel).await, "the eleventh screen of one user is refused");
        // A screen that closes makes room again.
        let (session, channel) = open.pop().unwrap();
        channel.close().await.unwrap();
        drop(session);
        let mut room = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let again = log_in(served.port, &key, "vera").await.expect("logs in");
            let mut channel = again.channel_open_session().await.unwrap();
            channel.request_shell(true).await.unwrap();
            if answered(&mut channel).await {
                room = true;
                break;
            }
        }
        assert!(room, "a closed screen is uncounted");
    });
    assert!(served.alive(), "{}", served.log());
}

/// A channel that an SFTP subsystem or an exec request took gives no screen as well (its frames
/// would mix into the other's stream and take a second session slot); a fresh channel does.
#[test]
fn a_channel_that_runs_sftp_or_a_command_gets_no_screen_too() {
    let dir = tempfile::tempdir().unwrap();
    let served = Server::start(dir.path(), &[("vera", "viewer")], None, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = served.keys.join("vera");
        let sftp = log_in(served.port, &key, "vera").await.expect("vera logs in");
        let mut channel = sftp.channel_open_session().await.unwrap();
        channel.request_subsystem(true, "sftp").await.unwrap();
        assert!(answered(&mut channel).await, "sftp starts");
        channel.request_shell(true).await.unwrap();
        assert!(!answered(&mut channel).await, "no screen on the sftp channel");

        let exec = log_in(served.port, &key, "vera").await.expect("vera logs in");
        let mut channel = exec.channel_open_session().await.unwrap();
        channel.exec(true, "sidw report signals --today 01-12-2025").await.unwrap();
        assert!(answered(&mut channel).await, "the command runs");
        channel.request_shell(true).await.unwrap();
        assert!(!answered(&mut channel).await, "no screen on the command's channel");

        let screen = log_in(served.port, &key, "vera").await.expect("vera logs in");
        let mut channel = screen.channel_open_session().await.unwrap();
        channel.request_shell(true).await.unwrap();
        assert!(answered(&mut channel).await, "a fresh channel gets its screen");
    });
}
