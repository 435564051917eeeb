//! Issue 14: an escape sequence is never split. Esc followed at once by ↑ (`ESC ESC [ A` in one
//! read, as when typing fast) once changed the quarter twice on the local screen: the `[` of the
//! arrow was taken as "previous quarter". Both runners now parse with the same parser that holds an
//! incomplete sequence until it completes or times out. Tested through a real pty (the real
//! binary) and through a served session (the real server, bytes over SSH).
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::pty;
use crate::server;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, load_secret_key};

/// The quarter in the Kwartaalbudget title (`· 2025-Q3 ·`).
fn quarter(screen: &str) -> Option<String> {
    screen
        .split(" · ")
        .find(|part| part.len() == 7 && part.as_bytes()[4] == b'-' && part[5..].starts_with('Q'))
        .map(String::from)
}

fn demo_db(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

#[test]
fn esc_and_an_arrow_in_one_write_leave_the_quarter_alone_on_the_local_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut command = Command::new(env!("CARGO_BIN_EXE_sidw"));
    command.arg("--db").arg(&db).env("USER", "anna");
    let mut term = pty::Pty::spawn(command, 80, 24);
    term.wait_for("1 Netwerken", Duration::from_secs(20));
    term.write(b"3");
    let screen = term.wait_for("Budget 20", Duration::from_secs(10));
    let before = quarter(&screen).unwrap_or_else(|| panic!("no quarter in the title:\n{screen}"));

    term.write(b"\x1b\x1b[A");
    std::thread::sleep(Duration::from_millis(400));
    let screen = term.contents();
    assert_eq!(quarter(&screen).as_deref(), Some(before.as_str()), "the quarter changed:\n{screen}");
    assert!(!screen.contains("Kwartaal 20"), "a quarter key was taken:\n{screen}");

    // The same sequence split over two writes (the rest within the timeout) is still ↑.
    term.write(b"\x1b");
    term.write(b"[A");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(quarter(&term.contents()).as_deref(), Some(before.as_str()), "{}", term.contents());

    // `[` itself still goes to the previous quarter: the test can see a change.
    term.write(b"[");
    let screen = term.wait_for("Kwartaal 20", Duration::from_secs(10));
    assert_ne!(quarter(&screen).as_deref(), Some(before.as_str()), "{screen}");
    // And a lone Esc is Esc once the timeout has passed (it does not hold up the next key).
    term.write(b"\x1b");
    std::thread::sleep(Duration::from_millis(200));
    term.write(b"]");
    let screen = term.wait_for(&format!("Kwartaal {before}."), Duration::from_secs(10));
    assert_eq!(quarter(&screen).as_deref(), Some(before.as_str()), "{screen}");
}

struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Reads the session's output into `screen` for `wait`, or until `done` and a little longer.
async fn read_for(
    channel: &mut russh::Channel<client::Msg>,
    screen: &mut vt100::Parser,
    wait: Duration,
    done: impl Fn(&str) -> bool,
) {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match tokio::time::timeout(left.min(Duration::from_millis(300)), channel.wait()).await {
            Ok(Some(russh::ChannelMsg::Data { data })) => screen.process(&data),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the session ended:\n{}", screen.screen().contents()),
            Err(_) if done(&screen.screen().contents()) => return,
            Err(_) => {}
        }
    }
}

#[test]
fn esc_and_an_arrow_leave_the_quarter_alone_in_a_served_session_also_when_split_over_two_packets() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "editor")]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut session =
            client::connect(Arc::new(client::Config::default()), ("127.0.0.1", served.port), Client).await.unwrap();
        let key = load_secret_key(served.keys.join("anna"), None).unwrap();
        let auth = session.authenticate_publickey("anna", PrivateKeyWithHashAlg::new(Arc::new(key), None)).await;
        assert!(auth.unwrap().success());
        let mut channel = session.channel_open_session().await.unwrap();
        channel.request_pty(false, "xterm-256color", 80, 24, 0, 0, &[]).await.unwrap();
        channel.request_shell(false).await.unwrap();
        let mut screen = vt100::Parser::new(24, 80, 0);
        read_for(&mut channel, &mut screen, Duration::from_secs(20), |s| s.contains("1 Netwerken")).await;
        channel.data(&b"3"[..]).await.unwrap();
        read_for(&mut channel, &mut screen, Duration::from_secs(10), |s| s.contains("Budget 20")).await;
        let contents = screen.screen().contents();
        let before = quarter(&contents).unwrap_or_else(|| panic!("no quarter in the title:\n{contents}"));

        // One packet: Esc, then ↑.
        channel.data(&b"\x1b\x1b[A"[..]).await.unwrap();
        // Two packets: Esc, then the rest of ↑ right after it.
        channel.data(&b"\x1b"[..]).await.unwrap();
        channel.data(&b"[A"[..]).await.unwrap();
        read_for(&mut channel, &mut screen, Duration::from_millis(800), |_| false).await;
        let contents = screen.screen().contents();
        assert_eq!(quarter(&contents).as_deref(), Some(before.as_str()), "the quarter changed:\n{contents}");
        assert!(!contents.contains("Kwartaal 20"), "a quarter key was taken:\n{contents}");

        // `[` alone does change it: the check can fail.
        channel.data(&b"["[..]).await.unwrap();
        read_for(&mut channel, &mut screen, Duration::from_secs(10), |s| s.contains("Kwartaal 20")).await;
        let contents = screen.screen().contents();
        assert_ne!(quarter(&contents).as_deref(), Some(before.as_str()), "{contents}");
    });
}
