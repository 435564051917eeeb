//! Closing a quarter and writing its payment files from the command line, checked against the
//! bank's schemas with xmllint.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use rust_decimal::Decimal;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The schema check is the bank tests' (one place for how a file is validated).
use crate::bank::xmllint;

/// Every `<InstdAmt …>x</InstdAmt>` and the `<CtrlSum>` values of a pain.001 file.
fn amounts(xml: &str, tag: &str) -> Vec<Decimal> {
    xml.split(&format!("<{tag}"))
        .skip(1)
        .map(|rest| rest.split_once('>').unwrap().1.split_once('<').unwrap().0.parse().unwrap())
        .collect()
}

#[test]
fn close_report_and_export_a_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());

    // Nothing closed yet: no payment file.
    let early = sidw(
        &db,
        &[
            "export",
            "payments",
            "--quarter",
            "2025-Q1",
            "--format",
            "pain001",
            "--out",
            dir.path().join("x.xml").to_str().unwrap(),
        ],
    );
    assert_eq!(early.status.code(), Some(1));
    assert!(text(&early.stderr).contains("sluit eerst af"), "{}", text(&early.stderr));

    // A region that is not ready is refused with its checklist.
    let refused = sidw(&db, &["close", "--quarter", "2025-Q1", "--region", "Flevoland", "--user", "fien"]);
    assert_eq!(refused.status.code(), Some(1));
    let message = text(&refused.stderr);
    assert!(
        message.contains("kan niet worden afgesloten") && message.contains("te hoog") && message.contains("ontbreekt"),
        "{message}"
    );

    let closed = sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert!(closed.status.success(), "{}", text(&closed.stderr));
    assert!(
        text(&closed.stdout).contains("batch 2025-Q1-0001 met 6 betalingen, totaal € 8.564,05"),
        "{}",
        text(&closed.stdout)
    );

    let report = sidw(&db, &["report", "payments", "--quarter", "2025-Q1", "--format", "json"]);
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&report.stdout).unwrap();
    let zwolle: Vec<&serde_json::Value> = lines.iter().filter(|l| l["network"] == "Zwolle-Zuid").collect();
    assert_eq!(zwolle.len(), 6);
    assert!(zwolle.iter().all(|l| l["status"] == "final" && l["batch"] == "2025-Q1-0001"));
    assert!(lines.iter().filter(|l| l["network"] == "Almere Haven").all(|l| l["status"] == "planned"));
    let kinds: Vec<&str> = zwolle.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["practice", "practice", "partner", "partner", "partner", "partner"]);
    let total: Decimal = zwolle.iter().map(|l| l["amount"].as_str().unwrap().parse::<Decimal>().unwrap()).sum();
    assert_eq!(total, Decimal::new(856405, 2));

    for (n, (format, schema)) in
        [("pain001", "pain.001.001.09.xsd"), ("pain001-03", "pain.001.001.03.xsd")].into_iter().enumerate()
    {
        let file = dir.path().join(format!("{format}.xml"));
        let out = sidw(
            &db,
            &["export", "payments", "--quarter", "2025-Q1", "--format", format, "--out", file.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        // Every export is logged; a second one of the same batch warns against paying it twice.
        assert_eq!(text(&out.stderr).contains("al eerder geschreven"), n > 0, "{}", text(&out.stderr));
        xmllint(schema, &file);
        let xml = std::fs::read_to_string(&file).unwrap();
        let instructed = amounts(&xml, "InstdAmt");
        assert_eq!(instructed.len(), 6);
        assert_eq!(instructed.iter().sum::<Decimal>(), total, "the file pays exactly the payment lines");
        for control in amounts(&xml, "CtrlSum") {
            assert_eq!(control, total, "header and payment block control sums");
        }
        assert!(xml.contains("<IBAN>NL53RABO0305090000</IBAN>"), "the secretariat's account is the debtor");
        assert!(
            xml.contains("SIDW Zwolle-Zuid 2025-Q1 factuur FZZ-2025-014"),
            "remittance names network, quarter and invoice"
        );
    }

    let csv_file = dir.path().join("betalingen.csv");
    assert!(
        sidw(
            &db,
            &["export", "payments", "--quarter", "2025-Q1", "--format", "csv", "--out", csv_file.to_str().unwrap()]
        )
        .status
        .success()
    );
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.contains("Zwolle-Zuid;2025-Q1;praktijk;Huisartsenpraktijk De Esch;NL91ABNA0417164300;3570,00;"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 7);

    let reopened = sidw(
        &db,
        &["reopen", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien", "--reason", "IBAN gewijzigd"],
    );
    assert!(reopened.status.success(), "{}", text(&reopened.stderr));
    assert!(sidw(&db, &["check"]).status.success());
}
