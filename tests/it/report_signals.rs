//! `report signals`: the Signalen list on the command line, for a daily e-mail from cron.
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{ctx, date};
use sidw::report::{Format, signals};
use sidw::store::Store;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The demo as loaded on 15-10-2025, on disk; and the table the report must print that day.
fn demo_db() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = Store::open(&db).unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let expected = signals::render(&signals::rows(&store, date(2025, 10, 15), None).unwrap(), Format::Table);
    store.flush().unwrap();
    drop(store);
    (dir, db, expected)
}

fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn cli_signals_with_today_are_the_same_every_run() {
    let (_dir, db, expected) = demo_db();
    let first = ok(sidw(&db, &["report", "signals", "--today", "2025-10-15"]));
    assert_eq!(first, expected);
    assert_eq!(ok(sidw(&db, &["report", "signals", "--today", "2025-10-15"])), first);
    assert_eq!(ok(sidw(&db, &["report", "signals", "--today", "15-10-2025"])), first, "Dutch date too");

    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["Termijn", "Te", "laat", "Onderwerp", "Signaal"]);
    // 15 signals of hours, agreements, milestones and S1, less 3 for the pharmacy's April–June forms
    // marked nihil in the demo (received, no signal), and 6 of payment timing: 2025-Q1 (due
    // 30-04-2025) and 2025-Q2 (due 30-07-2025) of the three funded networks are not closed.
    assert_eq!(*lines.last().unwrap(), "18 signalen, 13 te laat");
    assert!(!first.contains("april 2025 ontbreekt: Apotheek Zuid"), "{first}");
    assert!(first.contains("juli 2025 ontbreekt: Apotheek Zuid"), "{first}");
    for network in ["Zwolle-Zuid", "Almere Haven", "Hardenberg-Baalder"] {
        for (quarter, due) in [("2025-Q1", "30-04-2025"), ("2025-Q2", "30-07-2025")] {
            let line = format!(
                "{due}  ja       {network:<18}  {quarter} van {network} niet afgesloten (betaling uiterlijk {due})"
            );
            assert!(lines.contains(&line.as_str()), "{line}\n{first}");
        }
    }
    assert!(!first.contains("2025-Q3 van"), "2025-Q3 is due 30-10-2025: {first}");
    assert!(
        lines.iter().any(|l| l.starts_with("31-08-2025  ja       Almere Haven")
            && l.ends_with("urenformulier juli 2025 ontbreekt: Eerstelijnspsycholoog Haven")),
        "{first}"
    );
    // Oldest first: the due dates never go back.
    let dues: Vec<chrono::NaiveDate> = lines[2..lines.len() - 2]
        .iter()
        .map(|l| chrono::NaiveDate::parse_from_str(&l[..10], "%d-%m-%Y").unwrap())
        .collect();
    assert_eq!(dues.len(), 18);
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{first}");
    // Not yet overdue: no "ja".
    let open = lines.iter().find(|l| l.contains("overeenkomst Diëtistenpraktijk Almere")).unwrap();
    assert!(open.starts_with("05-11-2025           Almere Haven"), "{open}");

    // Later, more is overdue: the day decides.
    let later = ok(sidw(&db, &["report", "signals", "--today", "2026-01-15"]));
    assert!(later.ends_with("36 signalen, 32 te laat\n"), "{later}");
    assert!(later.contains("2025-Q3 van Zwolle-Zuid niet afgesloten (betaling uiterlijk 30-10-2025)"), "{later}");
    assert!(!later.contains("2025-Q4 van"), "2025-Q4 is due 31-01-2026: {later}");
}

#[test]
fn cli_signals_of_a_region_keep_the_programme_wide_ones() {
    let (_dir, db, _) = demo_db();
    let all = ok(sidw(&db, &["report", "signals", "--today", "2026-01-15", "--format", "json"]));
    let all: Vec<serde_json::Value> = serde_json::from_str(&all).unwrap();
    let regions: Vec<&serde_json::Value> = all.iter().map(|s| &s["region"]).collect();
    assert!(regions.contains(&&serde_json::json!("Zwolle")) && regions.contains(&&serde_json::json!("Hardenberg")));
    assert!(regions.contains(&&serde_json::Value::Null), "tariffs 2026 missing: a programme-wide signal");

    let flevoland =
        ok(sidw(&db, &["report", "signals", "--today", "2026-01-15", "--region", "flevoland", "--format", "json"]));
    let flevoland: Vec<serde_json::Value> = serde_json::from_str(&flevoland).unwrap();
    let expected: Vec<&serde_json::Value> =
        all.iter().filter(|s| s["region"] == "Flevoland" || s["region"].is_null()).collect();
    assert_eq!(flevoland.iter().collect::<Vec<_>>(), expected);
    assert!(flevoland.iter().any(|s| s["subject"] == "programma" && s["region"].is_null()));
    assert!(flevoland.iter().any(|s| s["subject"] == "Almere Haven"));
    assert!(flevoland.iter().all(|s| s["subject"] != "Zwolle-Zuid" && s["subject"] != "Hardenberg-Baalder"));

    let table = ok(sidw(&db, &["report", "signals", "--today", "2026-01-15", "--region", "Flevoland"]));
    let overdue = expected.iter().filter(|s| s["overdue"] == true).count();
    assert!(table.ends_with(&format!("{} signalen, {overdue} te laat\n", expected.len())), "{table}");
    assert!(!table.contains("Zwolle-Zuid"), "{table}");
}

#[test]
fn cli_signals_as_json_and_csv() {
    let (_dir, db, _) = demo_db();
    let out = ok(sidw(&db, &["report", "signals", "--today", "2025-10-15", "--format", "json"]));
    let json: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(json.len(), 18);
    assert_eq!(
        json[0],
        serde_json::json!({
            "due": "2024-11-01",
            "overdue": true,
            "subject": "gemeente Lelystad",
            "text": "S1-toekenning 2025 niet ontvangen (bericht uiterlijk 01-11-2024)",
            "region": "Flevoland",
        })
    );
    let second = &json[1];
    assert_eq!((&second["due"], &second["overdue"]), (&serde_json::json!("2025-03-01"), &serde_json::json!(false)));
    assert_eq!(
        (&second["subject"], &second["region"]),
        (&serde_json::json!("Zwolle-Zuid"), &serde_json::json!("Zwolle"))
    );
    assert_eq!(json.iter().filter(|s| s["overdue"] == true).count(), 13);
    assert!(json.iter().all(|s| s["due"].as_str().unwrap().len() == 10 && s["overdue"].is_boolean()));

    let out = sidw(&db, &["report", "signals", "--today", "2025-10-15", "--format", "csv"]);
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()), "UTF-8 byte-order mark for Excel");
    let body = text(&out.stdout[3..]);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "termijn;te laat;onderwerp;signaal;regio");
    assert_eq!(lines.len(), 19);
    assert!(
        lines.contains(&"31-08-2025;ja;Zwolle-Zuid;urenformulier juli 2025 ontbreekt: Apotheek Zuid;Zwolle"),
        "{body}"
    );
}

#[test]
fn cli_signals_refuse_a_bad_day_or_region_in_dutch() {
    let (_dir, db, _) = demo_db();
    for (day, message) in [("morgen", "'morgen' is geen datum"), ("31-02-2025", "bestaat niet in de kalender")] {
        let out = sidw(&db, &["report", "signals", "--today", day]);
        assert_eq!(out.status.code(), Some(2), "{day}");
        assert!(text(&out.stderr).contains(message), "{day}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--today"), "names the option");
        assert!(out.stdout.is_empty());
    }
    let out = sidw(&db, &["report", "signals", "--region", "Drenthe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'Drenthe' is geen regio"), "{}", text(&out.stderr));
}

#[test]
fn no_signals_say_so_and_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert_eq!(ok(sidw(&db, &["report", "signals", "--today", "2025-10-15"])), "Geen signalen.\n");
    assert_eq!(ok(sidw(&db, &["report", "signals", "--format", "json"])).trim(), "[]");
}
