//! `sidw hours …` as a script runs it: the real binary on a demo database.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn demo_db() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = sidw(dir.path(), &["demo"]);
    assert!(out.status.success(), "demo failed: {}", text(&out.stderr));
    dir
}

fn list(db: &Path) -> serde_json::Value {
    let out = sidw(db, &["hours", "list", "--network", "Zwolle-Zuid", "--quarter", "2025-Q4", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_str(&text(&out.stdout)).unwrap()
}

#[test]
fn nihil_set_add_and_delete_from_the_command_line() {
    let dir = demo_db();
    let db = dir.path();
    let base = ["--network", "Zwolle-Zuid", "--month", "2025-10", "--user", "script"];
    // The pharmacy by AGB code: nihil for October, shown in the list, then removed.
    let mut args = vec!["hours", "nihil", "--partner", "06012345"];
    args.extend(base);
    let out = sidw(db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(list(db)["nihil"][0]["partner"], "Apotheek Zuid");
    // Marking it twice is an error (exit 1) with a Dutch reason.
    let again = sidw(db, &args);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("al nihil"), "{}", text(&again.stderr));
    // `set` with hours replaces the mark with a line (pharmacy: confirmation needed).
    let mut set = vec!["hours", "set", "--partner", "Apotheek Zuid", "--hours", "1,5"];
    set.extend(base);
    let refused = sidw(db, &set);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("dubbelfinanciering"), "{}", text(&refused.stderr));
    set.push("--confirm-double-funding");
    let out = sidw(db, &set);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = list(db);
    assert!(listed["nihil"].as_array().unwrap().is_empty());
    let line = listed["lines"].as_array().unwrap().iter().find(|l| l["partner"] == "Apotheek Zuid").unwrap().clone();
    assert_eq!(line["hours"], "1.5");
    assert_eq!(line["double_funding_confirmed"], true);
    // `set --hours 0` on that one-line cell: the line goes, the month is nihil.
    let mut zero = vec!["hours", "set", "--partner", "Apotheek Zuid", "--hours", "0"];
    zero.extend(base);
    assert!(sidw(db, &zero).status.success());
    let listed = list(db);
    assert_eq!(listed["nihil"].as_array().unwrap().len(), 1);
    assert!(!listed["lines"].as_array().unwrap().iter().any(|l| l["partner"] == "Apotheek Zuid"));
    // `add` a line by team, then delete it by its number.
    let mut add =
        vec!["hours", "add", "--partner", "Pedicure Assendorp", "--hours", "1", "--by-team", "--activity", "extra"];
    add.extend(base);
    let out = sidw(db, &add);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let added = list(db)["lines"].as_array().unwrap().iter().find(|l| l["activity"] == "extra").unwrap().clone();
    assert_eq!(added["paid_by_practice_team"], true);
    let id = added["line"].to_string();
    let out = sidw(db, &["hours", "delete", "--line", &id, "--user", "script"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!list(db)["lines"].as_array().unwrap().iter().any(|l| l["activity"] == "extra"));
}

#[test]
fn bad_input_is_refused_with_the_right_exit_code() {
    let dir = demo_db();
    let db = dir.path();
    // A minus sign is a usage error (2): never saved as 1.
    let out = sidw(
        db,
        &[
            "hours",
            "set",
            "--network",
            "Zwolle-Zuid",
            "--partner",
            "Pedicure Assendorp",
            "--month",
            "2025-10",
            "--hours",
            "-1",
            "--user",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // Almere's dietitian has only a sent agreement: refused with the reason (1).
    let out = sidw(
        db,
        &[
            "hours",
            "set",
            "--network",
            "Almere Haven",
            "--partner",
            "Diëtistenpraktijk Almere",
            "--month",
            "2025-10",
            "--hours",
            "1",
            "--user",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("geen getekende overeenkomst"), "{}", text(&out.stderr));
    // An unknown partner (1).
    let out = sidw(
        db,
        &["hours", "nihil", "--network", "Zwolle-Zuid", "--partner", "Niemand", "--month", "2025-10", "--user", "x"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("bestaat niet"));
}

#[test]
fn a_correction_from_the_command_line_answers_to_the_correction_rules() {
    let dir = demo_db();
    let db = dir.path();
    let out = sidw(db, &["close", "--network", "Zwolle-Zuid", "--quarter", "2025-Q1", "--user", "x"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = sidw(db, &["hours", "list", "--network", "Zwolle-Zuid", "--quarter", "2025-Q1", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let january = listed["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["partner"] == "Fysiotherapie Zwolle-Zuid" && l["month"] == "2025-01")
        .unwrap()["line"]
        .to_string();
    let correct = |month: &str, hours: &str| {
        let hours = format!("--hours={hours}");
        let args = ["hours", "add", "--network", "Zwolle-Zuid", "--partner", "Fysiotherapie Zwolle-Zuid"];
        let mut args = args.to_vec();
        args.extend(["--month", month, &hours, "--corrects", &january, "--user", "x"]);
        sidw(db, &args)
    };
    // More than the line's 4 hours taken back: refused at the hours, nothing saved.
    let out = correct("2025-05", "-4,25");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "uren: de regel van januari 2025 (4 uur) komt met de correcties op -0,25 uur: samen niet onder 0 uur"
        ),
        "{}",
        text(&out.stderr)
    );
    // In the closed quarter itself: refused.
    let out = correct("2025-03", "-1");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("afgesloten"), "{}", text(&out.stderr));
    // Within the line, in a later open quarter: saved, and listed as a correction of the line.
    let out = correct("2025-05", "-4");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Fysiotherapie Zwolle-Zuid mei 2025 -4 uur."), "{}", text(&out.stdout));
    let out = sidw(db, &["hours", "list", "--network", "Zwolle-Zuid", "--quarter", "2025-Q2", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let corrections: Vec<&serde_json::Value> = listed["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["corrects"].as_u64().map(|c| c.to_string()).as_deref() == Some(january.as_str()))
        .collect();
    assert_eq!(corrections.len(), 1);
    assert_eq!(corrections[0]["hours"], "-4");
    // Nothing more to take back: even 0,01 hour is refused.
    let out = correct("2025-06", "-0,01");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("op -0,01 uur"), "{}", text(&out.stderr));
}
