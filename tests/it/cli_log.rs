//! `sidw report log`: the audit log exported through the Logboek's formatter, as a table, CSV or
//! JSON, filtered by days and user; bad input gets a Dutch message and exit code 2.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use chrono::{TimeZone, Utc};
use sidw::store::{ChangeContext, Store};

/// Runs sidw on the database; while the test's own store (just dropped) still holds the lock (a
/// clone in a thread of this process may live a moment longer) it tries again.
fn sidw(db: &Path, args: &[&str]) -> Output {
    for _ in 0..100 {
        let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("SIDW_DB")
            .env("TZ", "UTC")
            .output()
            .unwrap();
        if !stderr(&out).contains("in gebruik door een ander sidw-proces") {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the database stays locked")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The demo (written on 01-05-2025 by "test"), then anna on 12-03-2025 (twice, the second at the
/// last minute of the day) and bert on 13-03-2025 00:00.
fn db() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    sidw::demo::load(&store, &common::ctx(), common::date(2025, 10, 15)).unwrap();
    let at = |d, h, m| Utc.with_ymd_and_hms(2025, 3, d, h, m, 0).unwrap();
    store
        .record_event(&ChangeContext::new("anna", at(12, 8, 0)), "notitie", "Zwolle-Zuid / 2025-02", "gebeld")
        .unwrap();
    store
        .record_event(&ChangeContext::new("Anna", at(12, 23, 59)), "notitie", "=HYPERLINK(\"http://x\")", "laat")
        .unwrap();
    store.record_event(&ChangeContext::new("bert", at(13, 0, 0)), "notitie", "Dalfsen", "vroeg").unwrap();
    drop(store);
    dir
}

#[test]
fn a_table_filtered_by_user_and_days_on_both_sides_of_each_edge() {
    let dir = db();
    let out = sidw(dir.path(), &["report", "log", "--user", "ANNA"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Wanneer"), "{text}");
    let line = text.lines().find(|l| l.starts_with("12-03-2025 08:00  anna ")).unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("notitie") && line.contains("Zwolle-Zuid / februari 2025") && line.ends_with("Gegevens: gebeld")
    );
    assert!(text.contains("12-03-2025 23:59  Anna"), "{text}");
    assert!(text.ends_with("2 logboekregels\n"), "{text}");
    assert!(!text.contains("bert") && !text.contains("test"), "{text}");

    let days = |from: &str, to: &str| stdout(&sidw(dir.path(), &["report", "log", "--from", from, "--to", to]));
    let day = days("12-03-2025", "12-03-2025");
    assert!(day.ends_with("2 logboekregels\n") && !day.contains("bert"), "{day}");
    assert_eq!(days("11-03-2025", "11-03-2025"), "Geen logboekregels.\n");
    let next = days("2025-03-13", "13-03-2025");
    assert!(next.ends_with("1 logboekregel\n") && next.contains("bert"), "{next}");
    // Oldest first; an open end reads on to the last entry.
    let from = stdout(&sidw(dir.path(), &["report", "log", "--from", "12-03-2025"]));
    let (anna, bert, demo) =
        (from.find("anna").unwrap(), from.find("bert").unwrap(), from.find("netwerk aangemaakt").unwrap());
    assert!(anna < bert && bert < demo, "{from}");
    let to = stdout(&sidw(dir.path(), &["report", "log", "--to", "12-03-2025"]));
    assert!(to.ends_with("2 logboekregels\n"), "{to}");
}

#[test]
fn csv_is_formula_safe_and_json_holds_the_changes_in_display_form() {
    let dir = db();
    let out = sidw(dir.path(), &["report", "log", "--user", "anna", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(csv.starts_with("\u{feff}wanneer;wie;wat;onderwerp;wijzigingen\n"), "{csv}");
    assert!(csv.contains("12-03-2025 08:00;anna;notitie;Zwolle-Zuid / februari 2025;Gegevens: gebeld"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");

    let out = sidw(dir.path(), &["report", "log", "--to", "01-05-2025", "--user", "test", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let invoice = rows
        .iter()
        .find(|r| r["wat"] == "factuur ontvangen" && r["onderwerp"].as_str().unwrap().contains("FZZ-2025-014"))
        .unwrap();
    assert_eq!(invoice["wie"], "test");
    assert_eq!(invoice["wanneer"], "2025-05-01T09:30:00Z");
    let changes = invoice["wijzigingen"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["veld"] == "Bedrag" && c["na"] == "€ 1.019,40" && c["voor"].is_null()),
        "{changes:?}"
    );
    assert!(changes.iter().any(|c| c["veld"] == "Factuurdatum" && c["na"] == "03-04-2025"), "{changes:?}");
    let text = stdout(&out);
    for bad in ["\"network\"", "\"partner\"", "\"id\"", "\\\""] {
        assert!(!text.contains(bad), "{bad} in the export");
    }
    // No entries: an empty array, still exit 0.
    let out = sidw(dir.path(), &["report", "log", "--user", "niemand", "--format", "json"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn out_writes_a_file_and_keeps_an_existing_one() {
    let dir = db();
    let file = tempfile::tempdir().unwrap();
    let path = file.path().join("logboek.csv");
    let path_text = path.to_str().unwrap();
    let out = sidw(dir.path(), &["report", "log", "--user", "bert", "--format", "csv", "--out", path_text]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("(1 logboekregel)"), "{}", stdout(&out));
    assert!(std::fs::read_to_string(&path).unwrap().contains(";bert;notitie;Dalfsen;"));
    let again = sidw(dir.path(), &["report", "log", "--out", path_text]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(std::fs::read_to_string(&path).unwrap().contains(";bert;"), "the file is kept");
}

#[test]
fn bad_input_is_said_in_dutch_with_exit_code_2() {
    let dir = db();
    for (args, message) in [
        (vec!["--from", "31-02-2025"], "--from: '31-02-2025' bestaat niet in de kalender"),
        (vec!["--to", "morgen"], "--to: 'morgen' is geen datum"),
        (vec!["--from", "2025"], "--from: '2025' is geen datum"),
        (vec!["--from", "13-03-2025", "--to", "12-03-2025"], "--from (13-03-2025) ligt na --to (12-03-2025)"),
        (vec!["--user", " "], "--user is leeg"),
    ] {
        let mut all = vec!["report", "log"];
        all.extend(args);
        let out = sidw(dir.path(), &all);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{all:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    let out = sidw(dir.path(), &["report", "log", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    // The same day as from and to is fine.
    assert!(sidw(dir.path(), &["report", "log", "--from", "12-03-2025", "--to", "12-03-2025"]).status.success());
}

/// The days of `--from`/`--to` are the office's days, as the times are shown: an entry at 23:30
/// UTC is the next day at UTC+1, on both sides of midnight.
#[test]
fn days_are_the_office_days_the_times_are_shown_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let late = Utc.with_ymd_and_hms(2025, 3, 12, 23, 30, 0).unwrap();
    store.record_event(&ChangeContext::new("anna", late), "notitie", "Dalfsen", "laat").unwrap();
    drop(store);
    let at_utc_plus_one = |args: &[&str]| {
        for _ in 0..100 {
            let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
                .arg("--db")
                .arg(dir.path())
                .args(args)
                .env_remove("SIDW_DB")
                .env("TZ", "CET-1")
                .output()
                .unwrap();
            if !stderr(&out).contains("in gebruik door een ander sidw-proces") {
                assert!(out.status.success(), "{}", stderr(&out));
                return stdout(&out);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("the database stays locked")
    };
    let next_day = at_utc_plus_one(&["report", "log", "--from", "13-03-2025", "--to", "13-03-2025"]);
    assert!(next_day.contains("13-03-2025 00:30") && next_day.contains("Dalfsen"), "{next_day}");
    let day_before = at_utc_plus_one(&["report", "log", "--to", "12-03-2025"]);
    assert!(!day_before.contains("Dalfsen"), "{day_before}");
    let after = at_utc_plus_one(&["report", "log", "--from", "14-03-2025"]);
    assert!(!after.contains("Dalfsen"), "{after}");
}
