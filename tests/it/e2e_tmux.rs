//! The real binary in a real terminal (tmux at 80×24), typed at as a user would: load the demo
//! from the welcome screen, key hours in Kwartaalbudget, read the live remaining budget, quit,
//! and find the entry stored with `sidw report budget`.
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::paper_form;
use paper_form::FORM;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Self {
        static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SESSIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("sidw-e2e-{}-{n}", std::process::id());
        let tmux = Self { socket };
        let out = tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command]);
        assert!(
            out.status.success(),
            "tmux did not start (is tmux installed? .ci/run installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    /// Starts sidw on an empty database and loads the demo from the welcome screen, as a user would.
    fn with_demo(command: &str) -> Self {
        let tmux = Self::start(command);
        tmux.wait_for("demogegevens laden");
        tmux.keys(&["d"]);
        tmux.wait_for("Demogegevens geladen");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).env_remove("TMUX").output().expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types text literally (spaces and colons included).
    fn type_text(&self, text: &str) {
        assert!(self.run(&["send-keys", "-t", "e2e", "-l", text]).status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "'{text}' did not appear; the screen shows:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_until_gone(&self) {
        let start = Instant::now();
        while self.run(&["has-session", "-t", "e2e"]).status.success() {
            assert!(start.elapsed() < Duration::from_secs(15), "sidw did not quit:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn report(db: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "report",
            "budget",
            "--year",
            "2025",
            "--network",
            "Zwolle-Zuid",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap().remove(0)
}

#[test]
fn key_hours_in_a_real_terminal_and_find_them_stored() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("USER=anna {} --db {}", env!("CARGO_BIN_EXE_sidw"), dir.path().display());
    let tmux = Tmux::with_demo(&command);
    tmux.keys(&["3"]);
    tmux.wait_for("[ ] kwartaal · n netwerk");
    tmux.type_text(":netwerk Zwolle-Zuid");
    tmux.keys(&["Enter"]);
    tmux.type_text(":kwartaal 2025-Q3");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Zwolle-Zuid · 2025-Q3");
    assert!(screen.contains("€ 1.116,85"), "remaining before:\n{screen}");

    // Fysiotherapie Zwolle-Zuid, July: 4 h → 1,5 h. The remaining budget follows the typing.
    tmux.keys(&["j", "1"]);
    tmux.wait_for("€ 1.371,70");
    tmux.keys(&[",", "5"]);
    let typing = tmux.wait_for("€ 1.329,22");
    assert!(typing.contains("1,5▏"), "the cell shows what is typed:\n{typing}");
    tmux.keys(&["Enter"]);
    let saved = tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, juli 2025: 1,5 uur");
    assert!(saved.contains("€ 1.329,22"), "{saved}");
    assert!(saved.lines().any(|l| l.contains("Fysiotherapie Zwolle") && l.contains("1,5")), "{saved}");

    tmux.keys(&["q"]);
    tmux.wait_until_gone();

    let row = report(dir.path());
    assert_eq!(row["partner_budget"], "8050.00");
    assert_eq!(row["partner_remaining"], "1329.22");
    assert_eq!(row["partner_spent"], "6720.78");
    let check = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args(["--db", dir.path().to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn close_a_demo_quarter_on_screen_then_a_locked_hour_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let command =
        format!("cd {} && USER=fien {} --db {}", dir.path().display(), env!("CARGO_BIN_EXE_sidw"), db.display());
    let tmux = Tmux::with_demo(&command);
    tmux.keys(&["3"]);
    tmux.type_text(":afsluiten 2025-Q1");
    tmux.keys(&["Enter"]);
    // The default network of Kwartaalbudget is Almere Haven: not ready.
    let screen = tmux.wait_for("Kwartaalafsluiting 2025-Q1");
    assert!(screen.contains("2 punten open") && screen.contains("✗"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Almere Haven · 2025-Q1");
    tmux.type_text(":netwerk Zwolle-Zuid");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Zwolle-Zuid · 2025-Q1");
    tmux.keys(&["a"]);
    tmux.wait_for("klaar om af te sluiten");
    tmux.keys(&["c"]);
    tmux.wait_for("stap 1 van 2");
    tmux.keys(&["j"]);
    tmux.wait_for("stap 2 van 2");
    tmux.keys(&["a"]);
    let closed = tmux.wait_for("batch 2025-Q1-0001");
    assert!(closed.contains("€ 8.564,05"), "{closed}");
    tmux.keys(&["e"]);
    tmux.wait_for("Geschreven:");
    tmux.keys(&["Escape"]);
    tmux.wait_for("AFGESLOTEN");

    // Editing a locked hour: refused, with a message, and nothing stored.
    tmux.keys(&["j", "9"]);
    let refused = tmux.wait_for("is afgesloten");
    assert!(!refused.contains("9▏"), "no cell editing started:\n{refused}");
    tmux.keys(&["q"]);
    tmux.wait_until_gone();

    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args(["--db", db.to_str().unwrap(), "report", "payments", "--quarter", "2025-Q1", "--format", "json"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lines.iter().filter(|l| l["status"] == "final").count(), 6);
    let row = report(&db);
    assert_eq!(row["partner_remaining"], "1116.85", "the locked hour was not changed");
    let files: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("betalingen-2025-Q1")
                && std::path::Path::new(f).extension().is_some_and(|e| e == "xml")),
        "{files:?}"
    );
}

#[test]
fn record_an_s1_award_and_a_wijkplan_date_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("USER=sanne {} --db {}", env!("CARGO_BIN_EXE_sidw"), dir.path().display());
    let tmux = Tmux::with_demo(&command);

    // Gemeenten: Lelystad is still waiting for its award; record it.
    tmux.keys(&["7"]);
    tmux.wait_for("S1-budget");
    tmux.type_text("/Lely");
    tmux.keys(&["Enter"]);
    tmux.wait_for("S1-toekenning");
    tmux.keys(&["e"]);
    tmux.wait_for("Voorgedragen aanbieders");
    tmux.keys(&["Tab", "Tab"]);
    for _ in 0..12 {
        tmux.keys(&["BSpace"]);
    }
    tmux.type_text("toegekend");
    tmux.keys(&["Enter"]);
    tmux.wait_for("vul de datum van het besluit in");
    tmux.type_text("30-10-2025");
    tmux.keys(&["Enter"]);
    let saved = tmux.wait_for("van Lelystad opgeslagen");
    assert!(saved.contains("toegekend"), "{saved}");

    // Netwerken → Lelystad-Atolwijk → milestones: its intake is the only date.
    tmux.keys(&["1"]);
    tmux.type_text("/Atol");
    tmux.keys(&["Enter", "m"]);
    let screen = tmux.wait_for("Mijlpalen Lelystad-Atolwijk");
    let start = screen.lines().find(|l| l.contains("Start financiering")).expect("the start of funding row");
    assert!(start.contains("—          —"), "not funded yet, no start date:\n{screen}");
    tmux.keys(&["j"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Aanmeldformulier — Lelystad-Atolwijk");
    tmux.type_text("01-11-2026");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Aanmeldformulier: 01-11-2026 opgeslagen.");
    tmux.keys(&["Escape", "q"]);
    tmux.wait_until_gone();

    let check = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args(["--db", dir.path().to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

impl Tmux {
    /// Sends keys written as in the key table (`1,5<Tab>j<S-Tab><C-Home>`), one key at a time,
    /// and returns how many keys were sent.
    fn send(&self, keys: &str) -> usize {
        let parsed = sidw::keys::parse_typed(keys).unwrap();
        let mut rest = keys;
        let mut count = 0;
        while let Some(c) = rest.chars().next() {
            if c == '<'
                && let Some(end) = rest.find('>')
            {
                let name = match &rest[1..end] {
                    "S-Tab" => "BTab",
                    "Esc" => "Escape",
                    "BS" => "BSpace",
                    other => other,
                };
                self.keys(&[name]);
                rest = &rest[end + 1..];
            } else {
                self.type_text(&c.to_string());
                rest = &rest[c.len_utf8()..];
            }
            count += 1;
        }
        assert_eq!(count, parsed.len());
        count
    }

    /// Kwartaalbudget of Zwolle-Zuid 2025-Q4 (no hours yet), cursor on the first cell.
    fn zwolle_q4(&self) {
        self.keys(&["3"]);
        self.wait_for("n netwerk");
        self.type_text(":netwerk Zwolle-Zuid");
        self.keys(&["Enter"]);
        self.type_text(":kwartaal 2025-Q4");
        self.keys(&["Enter"]);
        self.wait_for("Zwolle-Zuid · 2025-Q4");
    }
}

/// `sidw hours list` of Zwolle-Zuid 2025-Q4: (partner, month) → hours, "0" for nihil.
fn q4_cells(db: &Path) -> std::collections::BTreeMap<(String, String), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "hours",
            "list",
            "--network",
            "Zwolle-Zuid",
            "--quarter",
            "2025-Q4",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut cells = std::collections::BTreeMap::new();
    for line in list["lines"].as_array().unwrap() {
        let key = (line["partner"].as_str().unwrap().to_string(), line["month"].as_str().unwrap().to_string());
        assert!(cells.insert(key, line["hours"].as_str().unwrap().to_string()).is_none(), "one line per cell");
    }
    for mark in list["nihil"].as_array().unwrap() {
        let key = (mark["partner"].as_str().unwrap().to_string(), mark["month"].as_str().unwrap().to_string());
        cells.insert(key, "0".into());
    }
    cells
}

/// Issue 14's key count: Zwolle-Zuid 2025-Q4 keyed from a paper form (4 partners × 3 months, in
/// the grid's order), every move and every answer to the pharmacy's and the budget's questions
/// counted. Target: at most 40 keys.
#[test]
fn key_a_4_by_3_form_in_at_most_40_keys() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("USER=anna {} --db {}", env!("CARGO_BIN_EXE_sidw"), dir.path().display());
    let tmux = Tmux::with_demo(&command);
    tmux.zwolle_q4();
    let mut sent = 0;
    for (i, (value, answer)) in FORM.iter().enumerate() {
        let then = if i + 1 == FORM.len() { "<Enter>" } else { "<Tab>" };
        sent += tmux.send(&format!("{value}{then}"));
        if !answer.is_empty() {
            tmux.wait_for(if *answer == "j" { "dubbelfinanciering" } else { "Partnerbudget overschreden" });
            sent += tmux.send(answer);
        }
    }
    // The message wraps at 80 columns: wait for its first words.
    tmux.wait_for("Opgeslagen: Psychologenpraktijk De Stadshagen, december 2025: 2");
    eprintln!("key count: {sent} keys for 12 values");
    assert_eq!(sent, 31, "keys sent for the 12 values, moves and answers included");
    assert!(sent <= 40);
    tmux.keys(&["q"]);
    tmux.wait_until_gone();

    let cells = q4_cells(dir.path());
    let partners =
        ["Apotheek Zuid", "Fysiotherapie Zwolle-Zuid", "Pedicure Assendorp", "Psychologenpraktijk De Stadshagen"];
    let months = ["2025-10", "2025-11", "2025-12"];
    for (i, (value, _)) in FORM.iter().enumerate() {
        let key = (partners[i / 3].to_string(), months[i % 3].to_string());
        assert_eq!(cells.get(&key).map(String::as_str), Some(value.replace(',', ".").as_str()), "{key:?}: {cells:?}");
    }
    assert_eq!(cells.len(), 12);
}

/// Tab on a row's last month goes to the next partner's first month; Shift-Tab back; Tab when
/// not editing moves in the grid, not to another pane.
#[test]
fn tab_wraps_in_the_grid_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("USER=anna {} --db {}", env!("CARGO_BIN_EXE_sidw"), dir.path().display());
    let tmux = Tmux::with_demo(&command);
    tmux.zwolle_q4();
    tmux.send("<Tab><Tab><Tab>");
    tmux.send("2<S-Tab>");
    tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, oktober 2025: 2 uur");
    tmux.send("0<Tab>");
    let screen = tmux.wait_for("Apotheek Zuid, december 2025: nihil");
    assert!(screen.contains("Zwolle-Zuid · 2025-Q4"), "still the grid:\n{screen}");
    tmux.send("4<Enter>");
    tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, oktober 2025: 4 uur");
    tmux.keys(&["q"]);
    tmux.wait_until_gone();
    let cells = q4_cells(dir.path());
    assert_eq!(cells.get(&("Apotheek Zuid".into(), "2025-12".into())).map(String::as_str), Some("0"));
    assert_eq!(cells.get(&("Fysiotherapie Zwolle-Zuid".into(), "2025-10".into())).map(String::as_str), Some("4"));
    assert_eq!(cells.len(), 2);
}

/// Arrows while editing save and move; Enter on an empty cell starts editing it.
#[test]
fn arrows_save_and_enter_edits_an_empty_cell_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let command = format!("USER=anna {} --db {}", env!("CARGO_BIN_EXE_sidw"), dir.path().display());
    let tmux = Tmux::with_demo(&command);
    tmux.zwolle_q4();
    tmux.send("<Down><Enter>");
    let editing = tmux.wait_for("opslaan ↓");
    assert!(editing.contains("▏"), "the empty cell is being edited:\n{editing}");
    tmux.send("3<Right>");
    tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, oktober 2025: 3 uur");
    tmux.send("2<Down>");
    tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, november 2025: 2 uur");
    tmux.send("1,5<Left>");
    tmux.wait_for("Opgeslagen: Pedicure Assendorp, november 2025: 1,5 uur");
    tmux.send("1<Up>");
    tmux.wait_for("Opgeslagen: Pedicure Assendorp, oktober 2025: 1 uur");
    // Now on Fysiotherapie, October: a letter is refused on screen, never dropped silently.
    tmux.send("4x");
    tmux.wait_for("'x' is geen cijfer");
    tmux.send("<Enter>");
    tmux.wait_for("Opgeslagen: Fysiotherapie Zwolle-Zuid, oktober 2025: 4 uur");
    tmux.keys(&["q"]);
    tmux.wait_until_gone();
    let cells = q4_cells(dir.path());
    let get = |p: &str, m: &str| cells.get(&(p.to_string(), m.to_string())).cloned();
    assert_eq!(get("Fysiotherapie Zwolle-Zuid", "2025-10").as_deref(), Some("4"));
    assert_eq!(get("Fysiotherapie Zwolle-Zuid", "2025-11").as_deref(), Some("2"));
    assert_eq!(get("Pedicure Assendorp", "2025-11").as_deref(), Some("1.5"));
    assert_eq!(get("Pedicure Assendorp", "2025-10").as_deref(), Some("1"));
}
