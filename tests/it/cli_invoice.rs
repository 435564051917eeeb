//! `sidw invoice …` as a finance officer scripts it: the real binary on the demo database, through
//! the same store functions as the screen, with Dutch refusals and exit codes 0 / 1 / 2.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sidw::store::Store;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = sidw(&db, &["demo"]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    (dir, db)
}

fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    stdout(&out)
}

/// Exit code 1 with a Dutch reason on stderr and nothing on stdout.
fn refused(out: Output, reason: &str) {
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains(reason), "expected '{reason}' in: {}", stderr(&out));
    assert_eq!(stderr(&out).matches(reason).count(), 1, "said once: {}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

fn usage(out: Output, reason: &str) {
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains(reason), "expected '{reason}' in: {}", stderr(&out));
}

const ALMERE: [&str; 6] = ["--network", "Almere Haven", "--quarter", "2025-Q1", "--user", "fien"];

fn args<'a>(verb: &'a str, partner: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["invoice", verb, "--partner", partner];
    all.extend(ALMERE);
    all.extend(extra);
    all
}

fn list(db: &Path) -> Vec<serde_json::Value> {
    let out =
        ok(sidw(db, &["invoice", "list", "--quarter", "2025-Q1", "--network", "almere haven", "--format", "json"]));
    serde_json::from_str(&out).unwrap()
}

fn find<'a>(rows: &'a [serde_json::Value], number: &str) -> Option<&'a serde_json::Value> {
    rows.iter().find(|r| r["number"] == number)
}

#[test]
fn list_shows_each_invoice_against_its_lines_on_the_partner_budget() {
    let (_dir, db) = demo_db();
    let rows = list(&db);
    let fysio = find(&rows, "FAH 2025-101").unwrap();
    assert_eq!(fysio["partner"], "Fysio Almere Haven");
    assert_eq!(fysio["amount"], "1450.00");
    assert_eq!(fysio["checked_against"], "1401.69");
    assert_eq!((&fysio["match"], &fysio["difference"]), (&"te hoog".into(), &"48.31".into()));
    assert_eq!((&fysio["decision"], &fysio["payable"]), (&"open".into(), &false.into()));
    let coach = find(&rows, "LF-2025-Q1").unwrap();
    assert_eq!(
        (&coach["match"], &coach["difference"], &coach["payable"]),
        (&"klopt".into(), &"0.00".into(), &true.into())
    );

    let table = ok(sidw(&db, &["invoice", "list", "--quarter", "2025-Q1"]));
    assert!(table.contains("Zwolle-Zuid   Fysiotherapie Zwolle-Zuid"), "{table}");
    assert!(table.contains("€ 1.450,00     € 1.401,69  € 48,31 te hoog  open"), "{table}");
    assert!(table.ends_with("6 facturen, 5 te betalen\n"), "{table}");
    assert_eq!(ok(sidw(&db, &["invoice", "list", "--quarter", "2024-Q1"])), "Geen facturen in 2024-Q1.\n");
    usage(sidw(&db, &["invoice", "list", "--quarter", "2025-Q5"]), "--quarter: '2025-Q5' is geen kwartaal");
    usage(sidw(&db, &["invoice", "list", "--quarter", "2025-Q1", "--format", "csv"]), "csv");
    refused(
        sidw(&db, &["invoice", "list", "--quarter", "2025-Q1", "--network", "Nergens"]),
        "netwerk 'Nergens' bestaat niet",
    );
}

#[test]
fn add_by_name_or_agb_with_comma_or_dot_and_a_number_once_per_partner() {
    let (_dir, db) = demo_db();
    // Eerstelijnspsycholoog Haven's lines are worth € 909,00.
    let common = ["--date", "2025-04-05", "--received", "07-04-2025"];
    let mut first = args("add", "Eerstelijnspsycholoog Haven", &common);
    first.extend(["--number", "EH-1", "--amount", "909,00"]);
    let out = ok(sidw(&db, &first));
    assert_eq!(out, "Factuur EH-1 vastgelegd: klopt tegen urenformulier € 909,00.\n");

    // By AGB code, a dot as decimal mark, JSON out: the row as `list` shows it.
    let agb = find(&list(&db), "EH-1").unwrap()["agb"].as_str().unwrap().to_string();
    let mut second = args("add", &agb, &common);
    second.extend(["--number", "EH-2", "--amount", "1000.50", "--format", "json"]);
    let row: serde_json::Value = serde_json::from_str(&ok(sidw(&db, &second))).unwrap();
    assert_eq!((&row["partner"], &row["amount"]), (&"Eerstelijnspsycholoog Haven".into(), &"1000.50".into()));
    assert_eq!((&row["match"], &row["difference"]), (&"te hoog".into(), &"91.50".into()));
    assert_eq!((&row["received"], &row["date"]), (&"2025-04-07".into(), &"2025-04-05".into()));

    // The same number again for that partner (any case) is refused by the store, as on the screen.
    let mut again = args("add", "eerstelijnspsycholoog haven", &common);
    again.extend(["--number", "eh-1", "--amount", "1,00"]);
    refused(sidw(&db, &again), "Eerstelijnspsycholoog Haven heeft al een factuur met nummer eh-1");
    assert_eq!(list(&db).len(), 4, "nothing added");

    let mut unknown = args("add", "Fysio Nergens", &common);
    unknown.extend(["--number", "X-1", "--amount", "10"]);
    refused(sidw(&db, &unknown), "partner 'Fysio Nergens' bestaat niet in Almere Haven");

    for (amount, reason) in [
        ("12x", "--amount: '12x' is geen bedrag"),
        ("1.234", "--amount: '1.234' is onduidelijk"),
        ("10,001", "--amount: een bedrag heeft hooguit 2 decimalen"),
    ] {
        let mut bad = args("add", "Eerstelijnspsycholoog Haven", &common);
        bad.extend(["--number", "X-2", "--amount", amount]);
        usage(sidw(&db, &bad), reason);
    }
    let mut negative = args("add", "Eerstelijnspsycholoog Haven", &common);
    negative.extend(["--number", "X-3", "--amount", "-5,00"]);
    refused(sidw(&db, &negative), "een factuurbedrag is groter dan 0");
    let mut early = args("add", "Eerstelijnspsycholoog Haven", &["--date", "2025-04-05", "--received", "2025-04-04"]);
    early.extend(["--number", "X-4", "--amount", "5"]);
    assert_eq!(sidw(&db, &early).status.code(), Some(1), "received before the invoice date");
    let mut bad_date = args("add", "Eerstelijnspsycholoog Haven", &["--date", "31-02-2025"]);
    bad_date.extend(["--number", "X-5", "--amount", "5"]);
    usage(sidw(&db, &bad_date), "--date: '31-02-2025' bestaat niet in de kalender");
    usage(sidw(&db, &["invoice", "add", "--network", "Almere Haven"]), "--partner");
    assert_eq!(list(&db).len(), 4, "nothing added by the refusals");

    // Every change is in the audit log under --user.
    let store = Store::open(&db).unwrap();
    let log = store.audit_log().unwrap();
    let added: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "factuur ontvangen" && e.user == "fien")
        .map(|e| e.subject.as_str())
        .collect();
    assert_eq!(added.len(), 2, "{added:?}");
}

#[test]
fn approve_a_mismatch_only_with_a_reason_reject_always_with_one() {
    let (_dir, db) = demo_db();
    refused(
        sidw(&db, &args("approve", "Fysio Almere Haven", &[])),
        "reden: een factuur die afwijkt van het urenformulier keurt u alleen goed met een reden",
    );
    assert_eq!(find(&list(&db), "FAH 2025-101").unwrap()["decision"], "open");

    let out = ok(sidw(&db, &args("approve", "Fysio Almere Haven", &["--reason", "afgesproken met het praktijkteam"])));
    assert_eq!(
        out,
        "Factuur FAH 2025-101 van Fysio Almere Haven goedgekeurd (€ 48,31 te hoog tegen urenformulier € 1.401,69).\n"
    );
    let fysio = find(&list(&db), "FAH 2025-101").unwrap().clone();
    assert_eq!(
        (&fysio["decision"], &fysio["reason"]),
        (&"goedgekeurd".into(), &"afgesproken met het praktijkteam".into())
    );

    // A matching invoice needs no reason; named by its number.
    let out = ok(sidw(&db, &args("approve", "Leefstijlcoach Flevo", &["--number", "lf-2025-q1", "--format", "json"])));
    let row: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((&row["decision"], &row["payable"]), (&"goedgekeurd".into(), &true.into()));

    refused(
        sidw(&db, &args("approve", "Leefstijlcoach Flevo", &["--number", "LF-9"])),
        "Leefstijlcoach Flevo heeft geen factuur LF-9 in 2025-Q1",
    );
    refused(
        sidw(&db, &args("approve", "Eerstelijnspsycholoog Haven", &[])),
        "Eerstelijnspsycholoog Haven heeft geen factuur in 2025-Q1",
    );

    usage(sidw(&db, &args("reject", "Fysio Almere Haven", &[])), "--reason");
    refused(sidw(&db, &args("reject", "Fysio Almere Haven", &["--reason", "  "])), "reden: dit veld is verplicht");
    ok(sidw(&db, &args("reject", "Fysio Almere Haven", &["--reason", "dubbel gefactureerd"])));
    let fysio = find(&list(&db), "FAH 2025-101").unwrap().clone();
    assert_eq!((&fysio["decision"], &fysio["payable"]), (&"afgewezen".into(), &false.into()));

    let store = Store::open(&db).unwrap();
    let actions: Vec<(String, String)> = store
        .audit_log()
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("factuur "))
        .map(|e| (e.action, e.user))
        .collect();
    assert_eq!(
        actions[..3],
        [
            ("factuur afgewezen".to_string(), "fien".to_string()),
            ("factuur goedgekeurd".to_string(), "fien".to_string()),
            ("factuur goedgekeurd".to_string(), "fien".to_string()),
        ]
    );
}

#[test]
fn several_invoices_need_a_number_and_delete_removes_one() {
    let (_dir, db) = demo_db();
    let mut second = args("add", "Fysio Almere Haven", &["--date", "2025-04-05", "--number", "FAH 2025-102"]);
    second.extend(["--amount", "1,00"]);
    ok(sidw(&db, &second));
    refused(
        sidw(&db, &args("approve", "Fysio Almere Haven", &["--reason", "x"])),
        "Fysio Almere Haven heeft 2 facturen in 2025-Q1; kies er een met --number: FAH 2025-101, FAH 2025-102",
    );
    usage(sidw(&db, &args("delete", "Fysio Almere Haven", &[])), "--number");
    refused(
        sidw(&db, &args("delete", "Fysio Almere Haven", &["--number", "FAH 9"])),
        "Fysio Almere Haven heeft geen factuur FAH 9 in 2025-Q1",
    );
    assert_eq!(
        ok(sidw(&db, &args("delete", "Fysio Almere Haven", &["--number", "fah 2025-102"]))),
        "Factuur FAH 2025-102 van Fysio Almere Haven verwijderd.\n"
    );
    assert!(find(&list(&db), "FAH 2025-102").is_none());
    assert!(find(&list(&db), "FAH 2025-101").is_some());
    // The number is free again.
    ok(sidw(&db, &second));
}

#[test]
fn a_closed_quarter_refuses_every_invoice_change() {
    let (_dir, db) = demo_db();
    ok(sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]));
    let zwolle = |verb: &'static str, extra: &[&'static str]| {
        let mut all = vec!["invoice", verb, "--network", "Zwolle-Zuid", "--partner", "Apotheek Zuid"];
        all.extend(["--quarter", "2025-Q1", "--user", "fien"]);
        all.extend(extra);
        sidw(&db, &all)
    };
    for out in [
        zwolle("add", &["--number", "AZ/2", "--date", "2025-04-05", "--amount", "5"]),
        zwolle("approve", &[]),
        zwolle("reject", &["--reason", "te laat"]),
        zwolle("delete", &["--number", "AZ/2025/1"]),
    ] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("afgesloten"), "{}", stderr(&out));
    }
}
