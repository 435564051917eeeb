//! Served screens (issue 14): what a user last looked at survives an SSH reconnect, and when the
//! server stops (SIGTERM) every session leaves the alternate screen, shows the cursor and says in
//! one Dutch line that saved work is kept and whether a value being typed was not saved. With the
//! real OpenSSH client in a real pty.

use crate::pty;
use crate::server;

use std::process::Command;
use std::time::Duration;

fn ssh_in_pty(served: &server::Served, user: &str) -> pty::Pty {
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("exec {}", served.ssh(user, user)));
    let term = pty::Pty::spawn(command, 80, 24);
    term.wait_for("1 Netwerken", Duration::from_secs(20));
    term
}

/// The network and quarter in the Kwartaalbudget title.
fn budget_title(screen: &str) -> Option<(String, String)> {
    let line = screen.lines().find(|l| l.contains(" · [ ] kwartaal") || l.contains("AFGESLOTEN"))?;
    let mut parts = line.trim_start_matches(['┌', ' ']).split(" · ");
    Some((parts.next()?.trim().to_string(), parts.next()?.trim().to_string()))
}

#[test]
fn the_last_network_and_quarter_survive_an_ssh_reconnect_per_user() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "editor"), ("bert", "editor")]);
    let mut anna = ssh_in_pty(&served, "anna");
    anna.write(b"3");
    let first = budget_title(&anna.wait_for("Budget 20", Duration::from_secs(10))).unwrap();
    anna.write(b":netwerk Lelystad-Atolwijk\r");
    anna.wait_for("Netwerk Lelystad-Atolwijk.", Duration::from_secs(10));
    anna.write(b":kwartaal 2024-Q4\r");
    anna.wait_for("Lelystad-Atolwijk · 2024-Q4", Duration::from_secs(10));
    assert_ne!(first, ("Lelystad-Atolwijk".to_string(), "2024-Q4".to_string()));
    // The connection goes (the terminal is closed), and anna logs in again.
    let _ = anna.child.kill();
    drop(anna);
    std::thread::sleep(Duration::from_millis(300));
    let mut anna = ssh_in_pty(&served, "anna");
    anna.write(b"3");
    let again = budget_title(&anna.wait_for("Budget 20", Duration::from_secs(10))).unwrap();
    assert_eq!(again, ("Lelystad-Atolwijk".to_string(), "2024-Q4".to_string()), "{}", anna.contents());
    // Bert's screen opens where the screen opens for anyone new.
    let mut bert = ssh_in_pty(&served, "bert");
    bert.write(b"3");
    assert_eq!(budget_title(&bert.wait_for("Budget 20", Duration::from_secs(10))).unwrap(), first);
}

#[test]
fn sigterm_leaves_every_session_with_a_one_line_goodbye_saying_what_was_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = server::Served::start(dir.path(), &[("anna", "editor"), ("bert", "viewer")]);
    let mut anna = ssh_in_pty(&served, "anna");
    let mut bert = ssh_in_pty(&served, "bert");
    // Anna is typing 12,5 into a cell; Bert only looks.
    anna.write(b"3");
    anna.wait_for("Budget 20", Duration::from_secs(10));
    anna.write(b"12,5");
    anna.wait_for("12,5▏", Duration::from_secs(10));
    assert!(anna.with_screen(|s| s.alternate_screen()));
    assert!(bert.with_screen(|s| s.alternate_screen() && s.hide_cursor()));

    served.stop(); // SIGTERM, then wait for the server to end
    for (who, term, lost) in [
        ("anna", &mut anna, "uw getypte 12,5 is niet opgeslagen."),
        ("bert", &mut bert, "er was niets half ingevoerd."),
    ] {
        assert!(term.ended(Duration::from_secs(10)), "{who}'s ssh did not end:\n{}", term.contents());
        let screen = term.contents();
        let line = screen
            .lines()
            .find(|l| l.starts_with("Server gestopt."))
            .unwrap_or_else(|| panic!("no goodbye for {who}:\n{screen}\n{:?}", term.output()));
        assert_eq!(line, format!("Server gestopt. Opgeslagen werk is bewaard; {lost}"), "{who}");
        assert!(line.chars().count() <= 80, "one line at 80 columns: {line}");
        term.with_screen(|s| {
            assert!(!s.alternate_screen(), "{who} is still on the alternate screen");
            assert!(!s.hide_cursor(), "{who}'s cursor is hidden");
        });
    }
}
