//! `report statement` and `s` on the budget screen: the coordinator's statement of a network and
//! quarter. Every figure is checked against what `report budget` and `report payments` print for
//! the same network and quarter: the workbook read back with openpyxl, the PDF's text with
//! pdftotext (poppler-utils; `.ci/run` installs both).
#![allow(clippy::unwrap_used)]

use crate::common::{ok, sidw, text};

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;
use sidw::app::MemoryFiles;
use sidw::domain::Quarter;
use sidw::domain::money::format_eur;
use sidw::store::Store;

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    ok(sidw(&db, &["demo"]));
    db
}

fn q1() -> Quarter {
    Quarter::parse("2025-Q1").unwrap()
}

fn close_zwolle_zuid(db: &Path) -> String {
    let store = Store::open(db).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let batch = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    drop(store);
    batch.number
}

/// Every row of the workbook's one sheet, as openpyxl reads it (numbers stay numbers).
fn workbook_rows(file: &Path) -> Vec<Vec<Value>> {
    let script = r#"
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Overzicht"], wb.sheetnames
ws = wb["Overzicht"]
euro = [c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, float) and c.number_format.startswith("€")]
assert euro, "no euro cells"
print(json.dumps([list(r) for r in ws.iter_rows(values_only=True)], default=str))
"#;
    let out = Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .expect("python3 runs (with openpyxl: pip install openpyxl; .ci/run does)");
    assert!(out.status.success(), "openpyxl: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The rows of a section of the workbook: under the title that starts with `title` and its
/// column header, until the first row without a first cell or the first of `stops`.
fn section<'a>(rows: &'a [Vec<Value>], title: &str, stops: &[&str]) -> &'a [Vec<Value>] {
    let start = rows.iter().position(|r| r[0].as_str().is_some_and(|t| t.starts_with(title))).unwrap() + 2;
    let len = rows[start..]
        .iter()
        .position(|r| r[0].as_str().is_none_or(|t| stops.contains(&t)))
        .unwrap_or(rows.len() - start);
    &rows[start..start + len]
}

fn figure(rows: &[Vec<Value>], label: &str) -> f64 {
    rows.iter().find(|r| r[0].as_str() == Some(label)).and_then(|r| r[1].as_f64()).unwrap()
}

fn amount(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn close_to(number: &Value, expected: Decimal) -> bool {
    number.as_f64().is_some_and(|n| (n - expected.to_f64().unwrap()).abs() < 0.005)
}

fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (poppler-utils; .ci/run installs it)");
    assert!(out.status.success(), "pdftotext: {}", text(&out.stderr));
    text(&out.stdout)
}

fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes the statement of `network`'s `quarter` as txt, xlsx and pdf, and checks every figure in
/// them against `report budget` and `report payments`; returns the text and the workbook's rows.
fn statement_checked_against_the_reports(
    db: &Path,
    dir: &Path,
    network: &str,
    quarter: &str,
) -> (String, Vec<Vec<Value>>) {
    let args = |format: &str| {
        ["report", "statement", "--network", network, "--quarter", quarter, "--today", "01-12-2026", "--format", format]
            .map(String::from)
            .to_vec()
    };
    let run = |mut args: Vec<String>, extra: &[&str]| {
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(sidw(db, &args))
    };
    let txt = run(args("txt"), &[]);
    let xlsx = dir.join(format!("{network}-{quarter}.xlsx"));
    let said = run(args("xlsx"), &["--out", xlsx.to_str().unwrap()]);
    assert!(said.starts_with(&format!("Geschreven: {}", xlsx.display())), "{said}");
    let pdf = dir.join(format!("{network}-{quarter}.pdf"));
    run(args("pdf"), &["--out", pdf.to_str().unwrap()]);
    let rows = workbook_rows(&xlsx);
    let year = quarter.split('-').next().unwrap();

    // The partner budget of the year: `report budget`'s row, figure by figure.
    let budget: Value = serde_json::from_str(&ok(sidw(
        db,
        &["report", "budget", "--year", year, "--network", network, "--format", "json"],
    )))
    .unwrap();
    let budget = &budget[0];
    for (field, label) in [
        ("partner_budget", "Partnerbudget".to_string()),
        ("partner_spent", "Besteed".to_string()),
        ("partner_remaining", "Resterend".to_string()),
        ("paid_by_practice_team", "Betaald door praktijkteam".to_string()),
        ("practice_team_budget", format!("Praktijkteamgeld {year}")),
    ] {
        let expected = amount(budget[field].as_str().unwrap());
        assert!((figure(&rows, &label) - expected.to_f64().unwrap()).abs() < 0.005, "{label}: {expected}");
        let line = txt
            .lines()
            .find(|l| l.strip_prefix(label.as_str()).is_some_and(|rest| rest.starts_with("  ")))
            .unwrap_or_else(|| panic!("{label} in\n{txt}"));
        assert!(line.ends_with(&format_eur(expected)), "{line} ≠ {expected}");
    }

    // The payments: each line of `report payments` is a line of the statement, with its batch
    // (final) or planned (open quarter).
    let payments: Value =
        serde_json::from_str(&ok(sidw(db, &["report", "payments", "--quarter", quarter, "--format", "json"]))).unwrap();
    let lines: Vec<&Value> = payments
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["network"] == network && l["kind"] != "team_difference")
        .collect();
    assert!(!lines.is_empty());
    let paid = section(&rows, "Betalingen", &["Betaald (batches)"]);
    for line in &lines {
        let payee = line["payee"].as_str().unwrap();
        let expected = amount(line["amount"].as_str().unwrap());
        // A claim raised by a re-close is money back: negative in the statement.
        let (status, batch, expected) = match (line["status"].as_str().unwrap(), line["kind"].as_str().unwrap()) {
            ("planned", _) => ("gepland", Value::Null, expected),
            (_, "claim") => ("teruggevorderd", line["batch"].clone(), -expected),
            (_, "set_off") => ("verrekend", line["batch"].clone(), expected),
            _ => ("betaald", line["batch"].clone(), expected),
        };
        assert!(
            paid.iter().any(|r| r[0] == payee && close_to(&r[2], expected) && r[3] == status && r[4] == batch),
            "{payee} {expected} {status} {batch} not in {paid:?}"
        );
        assert!(txt.contains(&format_eur(expected)), "{expected} in\n{txt}");
    }
    // And nothing of the current batch that the report does not list.
    let current: Vec<&Vec<Value>> =
        paid.iter().filter(|r| !r[4].is_null() && lines.iter().any(|l| l["batch"] == r[4])).collect();
    assert_eq!(current.len(), lines.iter().filter(|l| l["status"] != "planned").count(), "{current:?}");
    // What each practice and partner was paid is the sum of its lines in the batches.
    let paid_to = |payee: &str| -> f64 {
        paid.iter().filter(|r| r[0] == payee && r[3] != "gepland").map(|r| r[2].as_f64().unwrap()).sum()
    };
    let practices = section(&rows, "Praktijkteamgeld", &["totaal"]);
    assert!(!practices.is_empty());
    for practice in practices {
        let name = practice[0].as_str().unwrap();
        assert!((practice[3].as_f64().unwrap() - paid_to(name)).abs() < 0.005, "{practice:?}");
    }
    let partners = section(&rows, "Partners", &["totaal"]);
    for partner in partners {
        let name = partner[0].as_str().unwrap().trim_end_matches(" (geen overeenkomst)");
        assert!((partner[8].as_f64().unwrap() - paid_to(name)).abs() < 0.005, "{partner:?}");
    }

    // The PDF says what the text says, line for line.
    let shown = pdf_text(&pdf);
    assert_eq!(shown.matches('\u{c}').count(), 1, "one page:\n{shown}");
    let pdf_lines: Vec<String> = shown.lines().map(squeeze).filter(|l| !l.is_empty()).collect();
    for line in txt.lines().map(squeeze).filter(|l| !l.is_empty()) {
        assert!(pdf_lines.contains(&line), "'{line}' not in the PDF:\n{}", pdf_lines.join("\n"));
    }
    assert_eq!(std::fs::read(&pdf).unwrap()[..5], *b"%PDF-");
    (txt, rows)
}

#[test]
fn a_closed_and_an_open_quarter_agree_with_report_budget_and_report_payments() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let batch = close_zwolle_zuid(&db);

    let (txt, rows) = statement_checked_against_the_reports(&db, dir.path(), "Zwolle-Zuid", "2025-Q1");
    assert!(txt.contains("afgesloten op ") && txt.contains(&format!(", batch {batch}")), "{txt}");
    // The practice team's 5 950,00 split 60/40 and paid in full; the partners at their invoices.
    let practices = section(&rows, "Praktijkteamgeld", &["totaal"]);
    let shares: Vec<(&str, f64, f64)> =
        practices.iter().map(|r| (r[0].as_str().unwrap(), r[2].as_f64().unwrap(), r[3].as_f64().unwrap())).collect();
    assert_eq!(shares, vec![("Huisartsenpraktijk De Esch", 3570.0, 3570.0), ("Huisartsen Assendorp", 2380.0, 2380.0)]);
    contains_all(
        &txt,
        &[
            "Netwerk Zwolle-Zuid · regio Zwolle · gemeente Zwolle",
            "Fysiotherapie Zwolle-Zuid",
            "FZZ-2025-014",
            "Psychologenpraktijk De Stadshagen: uren betaald door het praktijkteam € 202,00 (niet gefactureerd)",
        ],
    );
    let open = rows.iter().position(|r| r[0] == "Open punten").unwrap();
    assert_eq!(rows[open + 1][0], "geen", "a closed quarter has nothing open: {:?}", &rows[open..]);

    // An open quarter: the lines are planned, and what blocks its close is listed as open.
    let (txt, _) = statement_checked_against_the_reports(&db, dir.path(), "Almere Haven", "2025-Q1");
    contains_all(
        &txt,
        &[
            "open: de betalingen zijn gepland, nog niet gedaan",
            "- factuur van Eerstelijnspsycholoog Haven ontbreekt (uren € 909,00)",
            "gepland",
        ],
    );
}

#[test]
fn a_quarter_closed_reopened_and_closed_again_shows_both_batches_and_agrees_with_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let first = close_zwolle_zuid(&db);
    let store = Store::open(&db).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    crate::common::file_written(&store, zwolle, q1(), &ctx());
    store.reopen_quarter(&ctx(), zwolle, q1(), "ION-telling was te laag").unwrap();
    // 400 ION more from the start: more practice-team money, the difference paid by the re-close.
    let mut team = store.practice_team(zwolle).unwrap();
    let count = team.practices[0].ion_counts.iter_mut().min_by_key(|c| c.reference_date).unwrap();
    count.count += 400;
    store.save_practice_team(&ctx(), &team).unwrap();
    let second = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap().number;
    drop(store);
    assert_ne!(first, second);

    let (txt, rows) = statement_checked_against_the_reports(&db, dir.path(), "Zwolle-Zuid", "2025-Q1");
    let paid = section(&rows, "Betalingen", &["Betaald (batches)"]);
    assert!(paid.iter().any(|r| r[4] == first.as_str() && r[3] == "betaald (batch heropend)"), "{paid:?}");
    assert!(paid.iter().any(|r| r[4] == second.as_str() && r[3] == "betaald"), "{paid:?}");
    // Each practice got its whole (new) share over the two batches.
    for practice in section(&rows, "Praktijkteamgeld", &["totaal"]) {
        assert!((practice[2].as_f64().unwrap() - practice[3].as_f64().unwrap()).abs() < 0.005, "{practice:?}");
    }
    let total = section(&rows, "Praktijkteamgeld", &[]).iter().find(|r| r[0] == "totaal").unwrap().clone();
    assert!(total[2].as_f64().unwrap() > 5950.0, "{total:?}");
    assert!(txt.contains(&format!("batch {second}")), "{txt}");
}

#[test]
fn an_unknown_network_or_a_bad_quarter_is_said_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = sidw(&db, &["report", "statement", "--network", "Bestaat Niet", "--quarter", "2025-Q1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("netwerk 'Bestaat Niet'"), "{}", text(&out.stderr));
    let out = sidw(&db, &["report", "statement", "--network", "Zwolle-Zuid", "--quarter", "2025-Q5"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = sidw(
        &db,
        &["report", "statement", "--network", "Zwolle-Zuid", "--quarter", "2025-Q1", "--today", "31-02-2025"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // xlsx and pdf without --out go to overzicht-NETWERK-KWARTAAL in the current folder.
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .current_dir(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["report", "statement", "--network", "zwolle-zuid", "--quarter", "2025-Q2", "--format", "pdf"])
        .env_remove("SIDW_DB")
        .output()
        .unwrap();
    let said = ok(out);
    assert_eq!(said, "Geschreven: overzicht-zwolle-zuid-2025-Q2.pdf (kwartaaloverzicht Zwolle-Zuid 2025-Q2).\n");
    assert!(dir.path().join("overzicht-zwolle-zuid-2025-Q2.pdf").exists());
}

#[test]
fn s_on_the_budget_screen_writes_the_pdf_through_the_apps_files_and_says_its_name() {
    let files = MemoryFiles::new();
    let mut app = demo_app().with_files(Arc::new(files.clone()));
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q1<Enter>");
    assert!(files.export_names().is_empty());
    press(&mut app, "s");
    assert_eq!(files.export_names(), vec!["overzicht-zwolle-zuid-2025-Q1.pdf".to_string()]);
    let screen = screen_text(&app, 160, 40);
    contains_all(&screen, &["Kwartaaloverzicht geschreven: (geheugen)/overzicht-zwolle-zuid-2025-Q1.pdf."]);
    let bytes = files.export("overzicht-zwolle-zuid-2025-Q1.pdf").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("o.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let shown = pdf_text(&pdf);
    // The screen's PDF is the command line's statement: the same figures.
    contains_all(&shown, &["Zwolle-Zuid", "€ 3.570,00", "€ 2.380,00", "Partnerbudget 2025"]);
    // On another quarter the name follows the quarter.
    press(&mut app, "]s");
    assert!(files.export_names().contains(&"overzicht-zwolle-zuid-2025-Q2.pdf".to_string()));
}

/// The options of the OpenSSH clients here: the test's key, no host key prompt, no agent.
fn client_options(served: &crate::server::Served, user: &str) -> Vec<String> {
    let options = ["StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null", "LogLevel=ERROR", "BatchMode=yes"];
    options
        .iter()
        .flat_map(|o| ["-o".to_string(), o.to_string()])
        .chain(["-o".into(), "IdentitiesOnly=yes".into(), "-o".into(), "ConnectTimeout=10".into()])
        .chain(["-P".into(), served.port.to_string(), "-i".into(), served.keys.join(user).display().to_string()])
        .collect()
}

/// A coordinator's statement written from a served screen lands in the user's `exports/` and is
/// fetched with the real `sftp`, byte for byte; a viewer may write it (it only reads).
#[test]
fn s_on_a_served_screen_writes_the_statement_to_exports_fetched_with_sftp() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let served = crate::server::Served::start(dir.path(), &[("kees", "viewer")]);
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("exec {}", served.ssh("kees", "kees")));
    let mut screen = crate::pty::Pty::spawn(command, 120, 30);
    screen.wait_for("1 Netwerken", Duration::from_secs(20));
    screen.write(b"3");
    screen.wait_for("Budget 20", Duration::from_secs(10));
    screen.write(b":netwerk Zwolle-Zuid\r");
    screen.wait_for("Netwerk Zwolle-Zuid.", Duration::from_secs(10));
    screen.write(b":kwartaal 2025-Q1\r");
    screen.wait_for("Zwolle-Zuid · 2025-Q1", Duration::from_secs(10));
    screen.write(b"s");
    screen
        .wait_for("Kwartaaloverzicht geschreven: exports/overzicht-zwolle-zuid-2025-Q1.pdf.", Duration::from_secs(20));
    let on_server = served.db.with_extension("exports").join("kees/overzicht-zwolle-zuid-2025-Q1.pdf");
    let written = std::fs::read(&on_server).unwrap();

    let local = dir.path().join("thuis");
    std::fs::create_dir(&local).unwrap();
    let mut child = Command::new("sftp")
        .args(client_options(&served, "kees"))
        .args(["-b", "-", "kees@127.0.0.1"])
        .current_dir(&local)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("OpenSSH's sftp runs (Debian's openssh-client; .ci/run installs it)");
    child.stdin.take().unwrap().write_all(b"get exports/overzicht-zwolle-zuid-2025-Q1.pdf\n").unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(30), "sftp did not end within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let fetched = local.join("overzicht-zwolle-zuid-2025-Q1.pdf");
    assert_eq!(std::fs::read(&fetched).unwrap(), written, "byte for byte");
    contains_all(&pdf_text(&fetched), &["Netwerk Zwolle-Zuid", "€ 3.570,00", "Partnerbudget 2025"]);
}

#[test]
fn a_re_close_that_finds_less_due_claims_it_back_and_the_statement_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let first = close_zwolle_zuid(&db);
    let store = Store::open(&db).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    crate::common::file_written(&store, zwolle, q1(), &ctx());
    store.reopen_quarter(&ctx(), zwolle, q1(), "ION-telling was te hoog").unwrap();
    let mut team = store.practice_team(zwolle).unwrap();
    let count = team.practices[0].ion_counts.iter_mut().min_by_key(|c| c.reference_date).unwrap();
    count.count -= 400;
    store.save_practice_team(&ctx(), &team).unwrap();
    let second = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap().number;
    drop(store);

    let (txt, rows) = statement_checked_against_the_reports(&db, dir.path(), "Zwolle-Zuid", "2025-Q1");
    let paid = section(&rows, "Betalingen", &["Betaald (batches)"]);
    assert!(paid.iter().any(|r| r[4] == first.as_str() && r[3] == "betaald (batch heropend)"), "{paid:?}");
    let claimed: Vec<_> = paid.iter().filter(|r| r[4] == second.as_str()).collect();
    assert!(
        !claimed.is_empty() && claimed.iter().all(|r| r[3] == "teruggevorderd" && r[2].as_f64().unwrap() < 0.0),
        "{claimed:?}"
    );
    // What each practice keeps over the two batches is its new, smaller share.
    for practice in section(&rows, "Praktijkteamgeld", &["totaal"]) {
        assert!((practice[2].as_f64().unwrap() - practice[3].as_f64().unwrap()).abs() < 0.005, "{practice:?}");
    }
    assert!(txt.contains("teruggevorderd"), "{txt}");
}
