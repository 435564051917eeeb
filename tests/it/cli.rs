//! The command line as a user runs it: the real binary on a real database directory.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use sidw::store::Store;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn demo_db() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = sidw(dir.path(), &["demo"]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    dir
}

#[test]
fn demo_budget_report_as_json_holds_the_handbook_figures() {
    let dir = demo_db();
    let out = sidw(dir.path(), &["report", "budget", "--year", "2025", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let by_name: BTreeMap<&str, &serde_json::Value> =
        rows.iter().map(|r| (r["network"].as_str().unwrap(), r)).collect();

    let zwolle = by_name["Zwolle-Zuid"]; // 7 000 ION, 60/40
    assert_eq!(zwolle["year"], 2025);
    assert_eq!(zwolle["practice_team_budget"], "23800.00");
    assert_eq!(zwolle["partner_budget"], "8050.00");
    let almere = by_name["Almere Haven"]; // 16 000 ION
    assert_eq!(almere["practice_team_budget"], "54400.00");
    assert_eq!(almere["partner_budget"], "18400.00");
    let gez = by_name["Hardenberg-Baalder"];
    assert_eq!(gez["former_gez_owz"], true);
    assert_eq!(gez["partner_budget"], "0.00");

    for row in &rows {
        for key in ["practice_team_budget", "partner_budget", "partner_spent", "partner_remaining"] {
            let amount = row[key].as_str().unwrap();
            let (_, cents) = amount.split_once('.').expect("a dot");
            assert_eq!(cents.len(), 2, "{key} = {amount}");
        }
        let spent: rust_decimal::Decimal = row["partner_spent"].as_str().unwrap().parse().unwrap();
        let remaining: rust_decimal::Decimal = row["partner_remaining"].as_str().unwrap().parse().unwrap();
        let budget: rust_decimal::Decimal = row["partner_budget"].as_str().unwrap().parse().unwrap();
        assert_eq!(spent + remaining, budget, "{}", row["network"]);
    }
}

#[test]
fn budget_report_as_table_and_csv_is_dutch() {
    let dir = demo_db();
    let out = sidw(dir.path(), &["report", "budget", "--year", "2025", "--network", "zwolle-zuid"]);
    let table = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(table.contains("Zwolle-Zuid") && table.contains("€ 23.800,00") && table.contains("€ 8.050,00"), "{table}");
    assert!(!table.contains("Almere"), "filtered to one network:\n{table}");

    let out = sidw(dir.path(), &["report", "budget", "--year", "2025", "--format", "csv"]);
    let csv = stdout(&out);
    assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    assert!(csv.contains("\nZwolle-Zuid;Zwolle;Zwolle;2025;23800,00;8050,00;"), "{csv}");
}

#[test]
fn demo_refuses_a_database_that_is_not_empty() {
    let dir = demo_db();
    let out = sidw(dir.path(), &["demo"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("niet leeg"), "{}", stderr(&out));
}

#[test]
fn unknown_network_and_bad_year_are_clear_errors() {
    let dir = demo_db();
    let out = sidw(dir.path(), &["report", "budget", "--year", "2025", "--network", "Atlantis"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("netwerk 'Atlantis' bestaat niet"), "{}", stderr(&out));
    let out = sidw(dir.path(), &["report", "budget", "--year", "twintig"]);
    assert_eq!(out.status.code(), Some(2));
    let out = sidw(dir.path(), &["report", "budget", "--year", "1999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_passes_on_the_demo_and_fails_with_a_list_on_damage() {
    let dir = demo_db();
    let out = sidw(dir.path(), &["check"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("in orde"));
    {
        let store = Store::open(dir.path()).unwrap();
        store.raw_insert_for_tests(sidw::store::keys::TreeName::Networks, &[0xff; 8], b"kapot").unwrap();
    }
    let out = wait_unlocked(|| sidw(dir.path(), &["check"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("1 probleem gevonden:")
            && stdout(&out).contains("netwerk onder sleutel ffffffffffffffff"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_second_process_on_the_same_database_is_refused_and_changes_nothing() {
    let dir = demo_db();
    let held = Store::open(dir.path()).unwrap();
    let before = snapshot(dir.path());
    for args in [&["demo"][..], &["check"], &["report", "budget", "--year", "2025"]] {
        let out = sidw(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let message = stderr(&out);
        assert!(message.contains(&dir.path().display().to_string()), "names the directory: {message}");
        assert!(message.contains("in gebruik"), "{message}");
    }
    assert_eq!(snapshot(dir.path()), before, "the database files did not change");
    drop(held);
}

/// Every file below `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap().path();
            if entry.is_dir() {
                stack.push(entry);
            } else {
                files.insert(entry.display().to_string(), std::fs::read(&entry).unwrap());
            }
        }
    }
    files
}

/// Runs a command that opens the database right after this process closed it (the lock goes with
/// the last clone of the store; a thread of this process may still hold one a moment).
fn wait_unlocked(run: impl Fn() -> Output) -> Output {
    for _ in 0..200 {
        let out = run();
        if !stderr(&out).contains("in gebruik") {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    run()
}

/// `sidw report … | head`: the reader goes early; sidw stops by SIGPIPE as any Unix
/// tool does, without a panic or a backtrace on the terminal.
#[test]
fn a_report_into_a_pipe_that_closes_early_stops_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let dir = demo_db();
    for args in [&["report", "budget", "--year", "2025"][..], &["report", "log"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sidw"))
            .arg("--db")
            .arg(dir.path())
            .args(args)
            .env_remove("SIDW_DB")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before sidw has opened the database (as `| head -c 0` would be):
        // its first line meets a closed pipe whatever the output's size.
        drop(child.stdout.take());
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert!(status.success() || status.signal() == Some(libc::SIGPIPE), "{args:?}: {status:?} {err}");
    }
}
