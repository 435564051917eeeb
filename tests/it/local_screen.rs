//! The local screen (the real binary in a real pty) opens where the user left it: the network and
//! quarter of Kwartaalbudget are remembered per user in the store (issue 14).

use crate::pty;

use std::process::Command;
use std::time::Duration;

fn screen_of(db: &std::path::Path, user: &str) -> pty::Pty {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sidw"));
    command.arg("--db").arg(db).env("USER", user).env("LOGNAME", user);
    let term = pty::Pty::spawn(command, 80, 24);
    term.wait_for("1 Netwerken", Duration::from_secs(20));
    term
}

fn quit(term: &mut pty::Pty) {
    term.write(b"q");
    if !term.ended(Duration::from_secs(2)) && term.contents().contains("Stoppen") {
        term.write(b"s");
    }
    assert!(term.ended(Duration::from_secs(10)), "sidw did not quit:\n{}", term.contents());
}

#[test]
fn the_local_screen_opens_on_the_network_and_quarter_the_user_left() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut anna = screen_of(&db, "anna");
    anna.write(b"3");
    let first = anna.wait_for("Budget 20", Duration::from_secs(10));
    assert!(!first.contains("Lelystad-Atolwijk · 2024-Q4"));
    anna.write(b":netwerk Lelystad-Atolwijk\r");
    anna.wait_for("Netwerk Lelystad-Atolwijk.", Duration::from_secs(10));
    anna.write(b":kwartaal 2024-Q4\r");
    anna.wait_for("Lelystad-Atolwijk · 2024-Q4", Duration::from_secs(10));
    quit(&mut anna);

    let mut anna = screen_of(&db, "anna");
    // Netwerken has it selected, and Kwartaalbudget opens on it.
    anna.write(b"3");
    anna.wait_for("Lelystad-Atolwijk · 2024-Q4", Duration::from_secs(10));
    quit(&mut anna);

    // Another user starts where anyone new starts.
    let mut bert = screen_of(&db, "bert");
    bert.write(b"3");
    let screen = bert.wait_for("Budget 20", Duration::from_secs(10));
    assert!(!screen.contains("Lelystad-Atolwijk · 2024-Q4"), "{screen}");
    quit(&mut bert);
}
