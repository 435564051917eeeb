//! Payment timing (handbook appendix 1, "Uitbetaling volgt 1 maand na kwartaalafsluiting"): the
//! execution date the bank is asked for, the exports kept per batch, and the Signalen for a batch
//! not sent to the bank and a quarter not closed by its payment due date.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use common::{ctx, date};
use sidw::domain::Quarter;
use sidw::domain::signals::SignalTarget;
use sidw::payments::PainVersion;
use sidw::store::{ChangeContext, Store};

fn demo_store() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn q1() -> Quarter {
    Quarter::parse("2025-Q1").unwrap()
}

/// The demo with Zwolle-Zuid's 2025-Q1 closed: its batch.
fn closed_q1(store: &Store) -> (sidw::domain::NetworkId, sidw::domain::close::PaymentBatch) {
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let batch = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    (zwolle, batch)
}

fn xmllint(schema: &str, xml: &str) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, xml.as_bytes()).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("formats").join(schema);
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema)
        .arg(file.path())
        .output()
        .expect("xmllint is not installed: apt-get install -y libxml2-utils (.ci/run does)");
    assert!(out.status.success(), "does not validate: {}", String::from_utf8_lossy(&out.stderr));
}

/// The text of the `ReqdExctnDt` element (in .09 it wraps a `Dt`).
fn execution_date(xml: &str) -> String {
    let rest = xml.split_once("<ReqdExctnDt>").expect("ReqdExctnDt").1;
    let rest = rest.trim_start().strip_prefix("<Dt>").unwrap_or(rest);
    rest.split_once('<').unwrap().0.trim().to_string()
}

#[test]
fn the_bank_is_asked_to_pay_one_month_after_the_quarter_or_on_the_later_export_day() {
    let store = demo_store();
    let (_, batch) = closed_q1(&store);
    let now = Utc.with_ymd_and_hms(2025, 4, 2, 9, 0, 0).unwrap();
    for (version, schema) in [(PainVersion::V09, "pain.001.001.09.xsd"), (PainVersion::V03, "pain.001.001.03.xsd")] {
        for (export_day, expected) in [
            (date(2025, 4, 2), "2025-04-30"),  // before the due date: the due date
            (date(2025, 4, 30), "2025-04-30"), // on it
            (date(2025, 5, 1), "2025-05-01"),  // after it: the export day, never in the past
            (date(2026, 11, 30), "2026-11-30"),
        ] {
            let xml = sidw::report::export::pain001(&store, &batch, version, now, export_day).unwrap();
            xmllint(schema, &xml);
            assert_eq!(execution_date(&xml), expected, "{} exported {export_day}", version.name());
        }
    }
}

#[test]
fn exports_are_kept_per_batch_and_a_second_one_warns() {
    let store = demo_store();
    let (_, batch) = closed_q1(&store);
    assert!(store.batch_exports(batch.id).unwrap().entries.is_empty());
    let first = ChangeContext::new("fien", Utc.with_ymd_and_hms(2025, 4, 20, 10, 0, 0).unwrap());
    assert_eq!(sidw::report::export::record(&store, &first, &batch, "pain.001.001.09 → a.xml").unwrap(), None);
    let second = ChangeContext::new("joost", Utc.with_ymd_and_hms(2025, 4, 21, 10, 0, 0).unwrap());
    let earlier = sidw::report::export::record(&store, &second, &batch, "csv → a.csv").unwrap();
    let expected = first.at.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string();
    assert_eq!(earlier, Some(expected));

    let exports = store.batch_exports(batch.id).unwrap().entries;
    let kept: Vec<(&str, &str)> = exports.iter().map(|e| (e.by.as_str(), e.what.as_str())).collect();
    assert_eq!(kept, [("fien", "pain.001.001.09 → a.xml"), ("joost", "csv → a.csv")]);
    assert_eq!(exports[0].at, first.at);
    // Each export is in the audit log too, written with it.
    let logged = store
        .audit_log()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "betaalbestand geschreven" && e.subject == format!("betaalbatch {}", batch.number))
        .count();
    assert_eq!(logged, 2);
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

fn payment_signals(store: &Store, today: chrono::NaiveDate) -> Vec<(String, String, SignalTarget)> {
    store
        .signals(today)
        .unwrap()
        .into_iter()
        .filter(|s| s.text.contains("niet naar de bank") || s.text.contains("niet afgesloten"))
        .map(|s| (s.subject, s.text, s.target))
        .collect()
}

#[test]
fn a_batch_not_sent_to_the_bank_is_a_signal_from_the_day_after_its_due_date() {
    let store = demo_store();
    let (zwolle, batch) = closed_q1(&store);
    let late = |today| payment_signals(&store, today).into_iter().filter(|s| s.1.contains("bank")).collect::<Vec<_>>();
    assert_eq!(late(date(2025, 4, 30)), vec![], "due 30-04-2025: not late on the day itself");
    assert_eq!(
        late(date(2025, 5, 1)),
        vec![(
            "Zwolle-Zuid".to_string(),
            format!("betaalbatch {} van 2025-Q1 niet naar de bank (uiterlijk 30-04-2025)", batch.number),
            SignalTarget::Close(zwolle, q1())
        )]
    );
    sidw::report::export::record(&store, &ctx(), &batch, "pain.001.001.09 → x.xml").unwrap();
    assert_eq!(late(date(2025, 5, 1)), vec![], "written: no signal");
}

#[test]
fn a_quarter_not_closed_is_a_signal_from_the_day_after_its_payment_due_date() {
    let store = demo_store();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let of_zwolle = |today| {
        payment_signals(&store, today)
            .into_iter()
            .filter(|s| s.0 == "Zwolle-Zuid" && s.1.contains("afgesloten"))
            .map(|s| (s.1, s.2))
            .collect::<Vec<_>>()
    };
    assert_eq!(of_zwolle(date(2025, 4, 30)), vec![]);
    let q1_open = (
        "2025-Q1 van Zwolle-Zuid niet afgesloten (betaling uiterlijk 30-04-2025)".to_string(),
        SignalTarget::Close(zwolle, q1()),
    );
    assert_eq!(of_zwolle(date(2025, 5, 1)), vec![q1_open.clone()]);
    assert_eq!(of_zwolle(date(2025, 7, 30)), vec![q1_open.clone()], "Q2 is due 30-07");
    assert_eq!(of_zwolle(date(2025, 7, 31)).len(), 2);

    // Closed: no longer "not closed"; reopened: again.
    store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    assert_eq!(of_zwolle(date(2025, 5, 1)), vec![]);
    store.reopen_quarter(&ctx(), zwolle, q1(), "IBAN gewijzigd").unwrap();
    assert_eq!(of_zwolle(date(2025, 5, 1)), vec![q1_open]);

    // Every funded network of the demo gets one for its 2025-Q1 on the day after.
    let networks: Vec<String> = payment_signals(&store, date(2025, 5, 1)).into_iter().map(|s| s.0).collect();
    assert!(networks.len() >= 3, "{networks:?}");
}

#[test]
fn enter_on_a_payment_signal_opens_the_close_screen_of_that_network_and_quarter() {
    let mut app = common::demo_app(); // 15-10-2025
    common::press(&mut app, "4");
    common::press(&mut app, "/2025-Q2 van Almere<Enter><Enter>");
    let sidw::app::Mode::Close(screen) = &app.mode else { panic!("no close screen: {:?}", app.pane) };
    assert_eq!(screen.quarter.to_string(), "2025-Q2");
    let names: Vec<&str> = screen.networks.iter().map(|n| n.network.name.as_str()).collect();
    assert_eq!(names, ["Almere Haven"]);
    assert_eq!(app.budget.quarter.to_string(), "2025-Q2", "Esc returns to that quarter's budget");
    assert_eq!(app.pane, sidw::app::Pane::Budget);
}

fn sidw_cli(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

#[test]
fn cli_export_refuses_an_execution_date_before_the_rule_and_keeps_a_later_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw_cli(&db, &["demo"]).status.success());
    let closed = sidw_cli(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert!(closed.status.success(), "{}", String::from_utf8_lossy(&closed.stderr));
    let file = dir.path().join("b.xml");
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "payments", "--quarter", "2025-Q1", "--format", "pain001-03"];
        // The same file again each time: --overwrite (sidw never replaces a file unasked).
        args.extend(["--out", file.to_str().unwrap(), "--overwrite"]);
        args.extend(extra);
        sidw_cli(&db, &args)
    };
    let today = chrono::Local::now().date_naive();

    let early = export(&["--execution-date", "30-04-2025"]);
    assert_eq!(early.status.code(), Some(1));
    let message = String::from_utf8_lossy(&early.stderr).to_string();
    assert!(message.contains("uitvoeringsdatum 30-04-2025 is te vroeg"), "{message}");
    assert!(!file.exists(), "nothing written");
    assert!(
        sidw_cli(&db, &["report", "signals", "--today", "2025-05-01"]).stdout.windows(10).any(|w| w == b"naar de ba"),
        "a refused export is no export"
    );

    let default = export(&[]);
    assert!(default.status.success(), "{}", String::from_utf8_lossy(&default.stderr));
    let xml = std::fs::read_to_string(&file).unwrap();
    xmllint("pain.001.001.03.xsd", &xml);
    assert_eq!(execution_date(&xml), today.format("%Y-%m-%d").to_string(), "2025-Q1 is long due: today");

    let later = today + chrono::Days::new(7);
    let chosen = export(&["--execution-date", &later.format("%d-%m-%Y").to_string()]);
    assert!(chosen.status.success(), "{}", String::from_utf8_lossy(&chosen.stderr));
    assert!(String::from_utf8_lossy(&chosen.stderr).contains("al eerder geschreven"));
    assert_eq!(execution_date(&std::fs::read_to_string(&file).unwrap()), later.format("%Y-%m-%d").to_string());
    let signals =
        String::from_utf8_lossy(&sidw_cli(&db, &["report", "signals", "--today", "2025-05-01"]).stdout).to_string();
    assert!(!signals.contains("niet naar de bank"), "{signals}");
}

#[test]
fn exports_from_before_the_exports_tree_are_read_from_the_audit_log_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let batch = {
        let store = Store::open(&db).unwrap();
        sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
        let (_, batch) = closed_q1(&store);
        // How an older sidw recorded an export: in the audit log only.
        let old = ChangeContext::new("fien", Utc.with_ymd_and_hms(2025, 4, 20, 10, 0, 0).unwrap());
        store
            .record_event(&old, "betaalbestand geschreven", &format!("betaalbatch {}", batch.number), "csv → a.csv")
            .unwrap();
        store.raw_remove_for_tests(sidw::store::keys::TreeName::Meta, b"exports_from_audit").unwrap();
        assert!(store.batch_exports(batch.id).unwrap().entries.is_empty());
        assert_eq!(payment_signals(&store, date(2025, 5, 1)).iter().filter(|s| s.1.contains("bank")).count(), 1);
        batch
    };
    // The first handle is dropped; a clone in another thread could hold the lock a moment longer:
    // reopen waits for the lock rather than failing.
    let store = common::reopen(&db);
    let exports = store.batch_exports(batch.id).unwrap().entries;
    assert_eq!(exports.len(), 1);
    assert_eq!((exports[0].by.as_str(), exports[0].what.as_str()), ("fien", "csv → a.csv"));
    assert_eq!(payment_signals(&store, date(2025, 5, 1)).iter().filter(|s| s.1.contains("bank")).count(), 0);
    let earlier = sidw::report::export::record(&store, &ctx(), &batch, "pain.001.001.09 → b.xml").unwrap();
    assert!(earlier.is_some(), "the old export still warns");
    drop(store);
    // Once: opening again copies nothing twice.
    let store = common::reopen(&db);
    assert_eq!(store.batch_exports(batch.id).unwrap().entries.len(), 2);
    assert!(store.check().unwrap().is_ok());
}

fn batch_exports_v1() -> sidw::store::legacy::BatchExportsV1 {
    use sidw::store::legacy::{BatchExportV1, BatchExportsV1};
    BatchExportsV1 {
        entries: vec![
            BatchExportV1 {
                at: Utc.with_ymd_and_hms(2025, 4, 20, 10, 0, 0).unwrap(),
                by: "fien".into(),
                what: "pain.001.001.09 → betalingen-2025-Q1-0001.xml".into(),
            },
            BatchExportV1 {
                at: Utc.with_ymd_and_hms(2025, 4, 21, 8, 30, 0).unwrap(),
                by: "joost".into(),
                what: "csv → betalingen.csv".into(),
            },
        ],
    }
}

fn exports_fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/records/batch_exports_v1.bin")
}

/// Writes the fixture of the first layout of a batch's exports (run once when it was added).
#[test]
#[ignore = "writes a missing fixture file"]
fn write_batch_exports_fixture() {
    if !exports_fixture().exists() {
        let mut bytes = vec![sidw::store::codec::MAGIC, 0, 1];
        bytes.extend(bincode::serde::encode_to_vec(batch_exports_v1(), bincode::config::standard()).unwrap());
        std::fs::write(exports_fixture(), bytes).unwrap();
    }
}

/// Version 1 (when, by whom, what) upgrades to version 2 with no file name, checksum or
/// execution date known.
#[test]
fn batch_exports_version_1_upgrades_from_its_stored_bytes() {
    use sidw::store::codec::{MAGIC, Record, decode};
    let bytes = std::fs::read(exports_fixture()).unwrap();
    assert_eq!(&bytes[..3], &[MAGIC, 0, 1], "a version 1 envelope");
    assert_eq!(sidw::store::records::BatchExports::VERSION, 2, "a new layout keeps this one in legacy.rs");
    let upgraded = decode::<sidw::store::records::BatchExports>(&bytes).unwrap();
    let v1 = batch_exports_v1();
    assert_eq!(upgraded.entries.len(), 2);
    for (new, old) in upgraded.entries.iter().zip(&v1.entries) {
        assert_eq!((new.at, &new.by, &new.what), (old.at, &old.by, &old.what));
        assert_eq!((new.file.as_str(), new.sha256.as_str(), new.execution_date), ("", "", None));
    }
}
