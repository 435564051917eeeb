//! Two staff members over the real OpenSSH client, in two tmux windows, against `sidw serve`:
//! A keys hours, B's screen shows the new remaining budget without typing; a viewer is refused
//! with a message; an unknown key is refused.

use crate::server;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use server::Served;

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own: the tests of this module run side by side in one process.
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self { socket: format!("sidw-ssh-{}-{n}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).env_remove("TMUX").output().expect("tmux runs")
    }

    fn window(&self, name: &str, command: &str) {
        let out = if self.run(&["has-session"]).status.success() {
            self.run(&["new-window", "-d", "-n", name, command])
        } else {
            self.run(&["new-session", "-d", "-s", "ssh", "-n", name, "-x", "80", "-y", "24", command])
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

    fn wait_for(&self, window: &str, text: &str) -> (String, Duration) {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if screen.contains(text) {
                return (screen, start.elapsed());
            }
            assert!(start.elapsed() < Duration::from_secs(20), "'{text}' did not appear in {window}:\n{screen}");
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
    tmux.wait_for(window, "1 Netwerken");
    tmux.keys(window, &["3"]);
    tmux.type_text(window, ":netwerk Zwolle-Zuid");
    tmux.keys(window, &["Enter"]);
    tmux.type_text(window, ":kwartaal 2025-Q3");
    tmux.keys(window, &["Enter"]);
    tmux.wait_for(window, "Zwolle-Zuid · 2025-Q3");
}

#[test]
fn two_users_see_each_other_live_a_viewer_is_refused_and_strangers_stay_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path(), &[("anna", "editor"), ("bert", "finance"), ("vera", "viewer")]);
    let tmux = Tmux::new();
    tmux.window("anna", &served.ssh("anna", "anna"));
    tmux.window("bert", &served.ssh("bert", "bert"));
    open_zwolle_q3(&tmux, "anna");
    open_zwolle_q3(&tmux, "bert");
    assert!(tmux.screen("bert").contains("€ 1.116,85"));

    // Anna keys 1,5 h for the physiotherapist in July; Bert types nothing.
    tmux.keys("anna", &["j", "1", ",", "5", "Enter"]);
    tmux.wait_for("anna", "Opgeslagen: Fysiotherapie Zwolle-Zuid, juli 2025: 1,5 uur");
    let (bert, after) = tmux.wait_for("bert", "€ 1.329,22");
    assert!(bert.lines().any(|l| l.contains("Fysiotherapie Zwolle") && l.contains("1,5")), "{bert}");
    eprintln!("Bert saw Anna's entry {} ms after hers was shown", after.as_millis());

    // A viewer may look but not change.
    tmux.window("vera", &served.ssh("vera", "vera"));
    open_zwolle_q3(&tmux, "vera");
    tmux.keys("vera", &["j", "7"]);
    tmux.wait_for("vera", "Dat mag uw rol (viewer) niet");

    // An unknown key, or a known key for another name, does not get in.
    let stranger = server::user(&served.keys, "stranger", "editor");
    assert!(stranger.starts_with("stranger editor ssh-ed25519"));
    for (key, name) in [("stranger", "anna"), ("vera", "anna")] {
        let out = Command::new("sh").arg("-c").arg(format!("{} true", served.ssh(key, name))).output().unwrap();
        assert!(!out.status.success(), "{name} with {key}'s key got in");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Permission denied"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The local screen on the served database says how to connect; a local command goes
    // through the server's socket (issue 16).
    let check = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&served.db).arg("check").output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).contains("is in orde"));
    let local = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&served.db).output().unwrap();
    assert!(!local.status.success());
    assert!(
        String::from_utf8_lossy(&local.stderr).contains(&format!("ssh -p {}", served.port)),
        "{}",
        String::from_utf8_lossy(&local.stderr)
    );

    tmux.keys("anna", &["q"]);
    tmux.keys("bert", &["q"]);
    tmux.keys("vera", &["q"]);
    served.stop();
    let report = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(&served.db)
        .args(["report", "budget", "--year", "2025", "--network", "Zwolle-Zuid", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&report.stdout).contains("\"partner_remaining\": \"1329.22\""),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let log = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&served.db).arg("check").output().unwrap();
    assert!(log.status.success());
}

/// `:wie` over the real ssh client (issue 16): an admin of every region and a Zwolle editor log
/// in with screens; the admin's footer counts them, `:wie` lists both with role and regions, and
/// both follow when the editor leaves, without a key from the admin. The editor's `:wie` is refused.
#[test]
fn wie_over_ssh_lists_who_is_logged_in_and_follows_when_one_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path(), &[("ad", "admin"), ("zara", "editor Zwolle")]);
    let tmux = Tmux::new();
    tmux.window("ad", &served.ssh("ad", "ad"));
    tmux.wait_for("ad", "ad · admin · 1 ingelogd");
    tmux.window("zara", &served.ssh("zara", "zara"));
    tmux.wait_for("zara", "zara · editor · Zwolle");
    // The admin typed nothing: the footer follows the login.
    tmux.wait_for("ad", "ad · admin · 2 ingelogd");
    tmux.type_text("ad", ":wie");
    tmux.keys("ad", &["Enter"]);
    let (list, _) = tmux.wait_for("ad", "Ingelogd: 2 gebruikers");
    assert!(list.contains("ad · admin · alle regio's · sinds "), "{list}");
    assert!(list.contains("zara · editor · Zwolle · sinds "), "{list}");

    // The editor may not see who is logged in.
    tmux.type_text("zara", ":wie");
    tmux.keys("zara", &["Enter"]);
    let (refused, _) = tmux.wait_for("zara", "Dat mag uw rol (editor) niet");
    assert!(!refused.contains("Ingelogd:") && !refused.contains("ad · admin"), "{refused}");

    // The editor leaves: the admin's open list and footer follow.
    tmux.run(&["kill-window", "-t", "ssh:zara"]);
    let (list, after) = tmux.wait_for("ad", "Ingelogd: 1 gebruiker");
    assert!(list.contains("ad · admin · alle regio's") && !list.contains("zara"), "{list}");
    eprintln!("the admin's list followed the logout in {} ms", after.as_millis());
    tmux.keys("ad", &["Escape"]);
    let (footer, _) = tmux.wait_for("ad", "n nieuw · e bewerk");
    assert!(footer.contains("ad · admin · 1 ingelogd") && !footer.contains("Ingelogd:"), "{footer}");
    tmux.keys("ad", &["q"]);
    served.stop();
}
