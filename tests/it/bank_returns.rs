//! What a payment the bank returned does to the money (issue 17): money that came back settled
//! nothing, so the re-close of the quarter pays it again, also when the network was reopened
//! after the file went to the bank; a wrongly read bank state is corrected by hand, and a return
//! that a re-close paid again but turns out paid asks for (and gets) the claim. Statements are
//! built from the pain.001 sidw wrote and validated against the ISO schema, as in `bank.rs`.
#![allow(clippy::unwrap_used)]

use crate::common::{ok, sidw, text};

use std::path::Path;

use rust_decimal::Decimal;

use crate::bank::{Fixture, Paid, camt053, closed_and_exported, xmllint};

fn statement(dir: &Path, name: &str, xml: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap();
    xmllint("camt.053.001.02.xsd", &path);
    path.to_str().unwrap().to_string()
}

fn reopen(db: &Path, why: &str) {
    ok(sidw(db, &["reopen", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien", "--reason", why]));
}

/// The payment file of batch `number` is written (it goes out).
fn export(db: &Path, dir: &Path, number: &str) {
    let pain = dir.join(format!("{number}.xml"));
    let out = pain.to_str().unwrap();
    ok(sidw(
        db,
        &["export", "payments", "--quarter", "2025-Q1", "--format", "pain001", "--batch", number, "--out", out],
    ));
    xmllint("pain.001.001.09.xsd", &pain);
}

/// Closes Zwolle-Zuid's 2025-Q1, acknowledging what the checklist asks (a return paid again).
fn close(db: &Path) -> String {
    ok(sidw(
        db,
        &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien", "--acknowledge-warnings"],
    ))
}

/// The payment lines of one batch (not its claims or set-offs): (payee, amount).
fn batch_lines(db: &Path, batch: &str) -> Vec<(String, Decimal)> {
    let out = ok(sidw(db, &["report", "payments", "--quarter", "2025-Q1", "--format", "json"]));
    serde_json::from_str::<Vec<serde_json::Value>>(&out)
        .unwrap()
        .into_iter()
        .filter(|l| l["batch"] == batch && (l["kind"] == "practice" || l["kind"] == "partner"))
        .map(|l| (l["payee"].as_str().unwrap().to_string(), l["amount"].as_str().unwrap().parse().unwrap()))
        .collect()
}

fn signals(db: &Path) -> Vec<String> {
    let out = ok(sidw(db, &["report", "signals", "--today", "2025-05-08", "--format", "csv"]));
    out.lines().filter(|l| l.contains("betaalbatch")).map(str::to_string).collect()
}

fn amount(p: &Paid) -> Decimal {
    p.amount.parse().unwrap()
}

/// The payee the pain.001 names for a payment: its line in `report payments` of the first batch.
fn payee_of(db: &Path, p: &Paid) -> String {
    let first = batch_lines(db, "2025-Q1-0001");
    first.iter().find(|(_, a)| *a == amount(p)).unwrap().0.clone()
}

/// "Betaald (batches)" of the coordinator's statement.
fn statement_paid(db: &Path) -> String {
    let out = ok(sidw(db, &["report", "statement", "--network", "Zwolle-Zuid", "--quarter", "2025-Q1"]));
    out.lines().find(|l| l.contains("Betaald (batches)")).unwrap().to_string()
}

fn eur(d: Decimal) -> String {
    sidw::domain::money::format_eur(d)
}

#[test]
fn a_returned_payment_is_paid_again_by_the_re_close_and_its_signal_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let total: Decimal = paid.iter().map(amount).sum();
    let back = &paid[2];
    let payee = payee_of(&db, back);
    assert!(statement_paid(&db).contains(&eur(total)), "{}", statement_paid(&db));

    let xml = camt053("S-1", &account, &[Fixture::Batch(&paid, &date), Fixture::Returned(back, &date, "AC04")]);
    ok(sidw(&db, &["import", "bank", &statement(dir.path(), "s1.xml", &xml)]));
    let s = signals(&db);
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].contains("heropenen en opnieuw afsluiten"), "{s:?}");
    // The money that came back is not counted as paid on the coordinator's statement.
    assert!(statement_paid(&db).contains(&eur(total - amount(back))), "{}", statement_paid(&db));

    reopen(&db, "terugboeking AC04, IBAN nagevraagd");
    // Paying a returned payment again is acknowledged, never done unseen (it may have been paid by
    // hand meanwhile).
    let unseen = sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert_eq!(unseen.status.code(), Some(1));
    let said = text(&unseen.stderr);
    assert!(
        said.contains("teruggeboekte betaling 2025-Q1-0001-003") && said.contains("wordt opnieuw betaald"),
        "{said}"
    );
    close(&db);
    // The re-close pays the returned payment again, and nothing else: the rest was paid.
    assert_eq!(batch_lines(&db, "2025-Q1-0002"), vec![(payee.clone(), amount(back))]);
    assert!(signals(&db).iter().all(|l| !l.contains("2025-Q1-0001-003")), "{:?}", signals(&db));
    assert!(statement_paid(&db).contains(&eur(total)), "{}", statement_paid(&db));
    // Its payment file passes the money check (which counts the return as the close did).
    export(&db, dir.path(), "2025-Q1-0002");
    ok(sidw(&db, &["check"]));

    // Reopened and closed once more without news: the payment is not made a third time.
    reopen(&db, "controle");
    close(&db);
    assert!(batch_lines(&db, "2025-Q1-0003").is_empty(), "{:?}", batch_lines(&db, "2025-Q1-0003"));
}

#[test]
fn a_return_of_a_network_reopened_after_the_file_went_to_the_bank_is_matched_and_paid_again() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let back = &paid[4];
    let payee = payee_of(&db, back);
    // The file went to the bank; then the quarter is reopened and closed again without changes.
    reopen(&db, "controle na export");
    close(&db);
    assert!(batch_lines(&db, "2025-Q1-0002").is_empty());

    // The bank pays the first batch and returns one payment: both are the old batch's lines.
    let xml = camt053("S-1", &account, &[Fixture::Batch(&paid, &date), Fixture::Returned(back, &date, "MD07")]);
    let read = ok(sidw(&db, &["import", "bank", &statement(dir.path(), "s1.xml", &xml)]));
    assert!(read.contains("6 betalingen betaald, 1 teruggeboekt, 0 onbekend"), "{read}");
    assert!(!read.contains("onbekend:"), "{read}");
    let s = signals(&db);
    assert!(s.iter().any(|l| l.contains("2025-Q1-0001-005") && l.contains("teruggeboekt (reden MD07)")), "{s:?}");

    // The next close counts the return: it pays the money again.
    reopen(&db, "terugboeking MD07");
    close(&db);
    assert_eq!(batch_lines(&db, "2025-Q1-0003"), vec![(payee, amount(back))]);
    assert!(signals(&db).iter().all(|l| !l.contains("2025-Q1-0001-005")), "{:?}", signals(&db));
    ok(sidw(&db, &["check"]));
}

#[test]
fn a_return_corrected_to_paid_after_the_re_close_paid_it_again_is_claimed_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let back = &paid[2];
    let payee = payee_of(&db, back);
    let xml = camt053("S-1", &account, &[Fixture::Batch(&paid, &date), Fixture::Returned(back, &date, "AC04")]);
    let file = statement(dir.path(), "s1.xml", &xml);
    ok(sidw(&db, &["import", "bank", &file]));
    reopen(&db, "terugboeking");
    close(&db);
    assert_eq!(batch_lines(&db, "2025-Q1-0002"), vec![(payee.clone(), amount(back))]);
    export(&db, dir.path(), "2025-Q1-0002");

    // The return was the bank's mistake: the payee had the money. Corrected by hand.
    let said = ok(sidw(
        &db,
        &[
            "bank",
            "correct",
            "--line",
            "2025-Q1-0001-003",
            "--state",
            "paid",
            "--date",
            &date,
            "--why",
            "bank heeft de terugboeking ingetrokken",
            "--user",
            "fien",
        ],
    ));
    assert!(said.contains("Betaling 2025-Q1-0001-003: betaald."), "{said}");
    assert!(said.contains("Let op: batch 2025-Q1-0002 betaalde deze teruggeboekte betaling opnieuw"), "{said}");
    let s = signals(&db);
    assert!(s.iter().any(|l| l.contains("is toch betaald, maar batch 2025-Q1-0002")), "{s:?}");
    let log = ok(sidw(&db, &["report", "log", "--format", "csv"]));
    assert!(log.contains("bankstatus gecorrigeerd"), "{log}");

    // Reading the statement again does not undo the correction.
    let again = ok(sidw(&db, &["import", "bank", &file]));
    assert!(again.contains("al ingelezen"), "{again}");
    let store = crate::common::reopen(&db);
    let first = store.batch_numbered("2025-Q1-0001").unwrap().unwrap();
    assert!(
        matches!(
            store.bank_lines(first.id).unwrap().state("2025-Q1-0001-003"),
            sidw::domain::bank::LineState::Paid { .. }
        ),
        "the correction stands"
    );
    drop(store);

    // The next close claims the double payment back from the payee.
    reopen(&db, "dubbel betaald");
    let closed = close(&db);
    assert!(batch_lines(&db, "2025-Q1-0003").is_empty(), "{closed}");
    let store = crate::common::reopen(&db);
    let claims = store.open_claims().unwrap();
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert_eq!((claims[0].line.payee.as_str(), claims[0].open), (payee.as_str(), amount(back)));
    drop(store);
    assert!(signals(&db).iter().all(|l| !l.contains("is toch betaald")), "{:?}", signals(&db));
    ok(sidw(&db, &["check"]));
}

#[test]
fn a_correction_says_in_dutch_what_is_wrong_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _paid, _account, _date) = closed_and_exported(dir.path());
    let correct = |args: &[&str]| {
        let mut all = vec!["bank", "correct", "--user", "fien"];
        all.extend_from_slice(args);
        sidw(&db, &all)
    };
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &[
                "--line",
                "2025-Q1-0001-003",
                "--state",
                "returned",
                "--date",
                "02-05-2025",
                "--code",
                "A-4",
                "--why",
                "x",
            ],
            2,
            "geen reden van de bank",
        ),
        (&["--line", "2025-Q1-0001", "--state", "open", "--why", "x"], 2, "geen kenmerk van een betaling"),
        (
            &["--line", "2025-Q1-0001-003", "--state", "returned", "--date", "2025-05-02", "--why", "x"],
            2,
            "vraagt --code",
        ),
        (&["--line", "2025-Q1-0001-003", "--state", "paid", "--why", "x"], 2, "vragen --date"),
        (&["--line", "2025-Q1-0001-003", "--state", "open", "--why", "x"], 1, "staat al op open"),
        (
            &["--line", "2025-Q1-0001-009", "--state", "paid", "--date", "02-05-2025", "--why", "x"],
            1,
            "niet met een betaalbestand",
        ),
        (&["--line", "2025-Q1-0001-003", "--state", "paid", "--date", "02-05-2025", "--why", " "], 1, "geef een reden"),
    ];
    for (args, code, message) in cases {
        let out = correct(args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr).lines().count(), 1, "once: {}", text(&out.stderr));
    }
    let log = ok(sidw(&db, &["report", "log", "--format", "csv"]));
    assert!(!log.contains("bankstatus gecorrigeerd"), "{log}");
}

#[test]
fn a_csv_only_export_is_not_a_file_for_the_bank() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(sidw(&db, &["demo"]));
    close(&db);
    let csv = dir.path().join("b.csv");
    ok(sidw(&db, &["export", "payments", "--quarter", "2025-Q1", "--format", "csv", "--out", csv.to_str().unwrap()]));
    let table = ok(sidw(&db, &["report", "payments", "--quarter", "2025-Q1"]));
    assert!(table.contains("batch 2025-Q1-0001: afgesloten"), "{table}");
    assert!(!table.contains("geëxporteerd"), "{table}");
}

/// A batch's bank states stored before the re-closes were recorded (version 1) read as they
/// were, with no re-close known.
#[test]
fn bank_lines_version_1_upgrades_from_its_stored_bytes() {
    use sidw::domain::bank::LineState;
    use sidw::store::codec::{MAGIC, Record, decode};
    let v1 = sidw::store::legacy::BankLinesV1 {
        lines: vec![
            (
                "2025-Q1-0001-001".into(),
                LineState::Paid { date: chrono::NaiveDate::from_ymd_opt(2025, 5, 2).unwrap(), bank_ref: "B-1".into() },
            ),
            (
                "2025-Q1-0001-003".into(),
                LineState::Returned {
                    date: chrono::NaiveDate::from_ymd_opt(2025, 5, 6).unwrap(),
                    reason: "AC04".into(),
                    bank_ref: "B-2".into(),
                },
            ),
        ],
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/records/bank_lines_v1.bin");
    if std::env::var_os("SIDW_WRITE_FIXTURES").is_some() {
        let mut bytes = vec![MAGIC, 0, 1];
        bytes.extend(bincode::serde::encode_to_vec(&v1, bincode::config::standard()).unwrap());
        std::fs::write(&path, bytes).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..3], &[MAGIC, 0, 1], "a version 1 envelope");
    assert_eq!(sidw::store::records::BankLines::VERSION, 2, "a new layout keeps this one in legacy.rs");
    let upgraded = decode::<sidw::store::records::BankLines>(&bytes).unwrap();
    assert_eq!(upgraded.lines, v1.lines);
    assert!(upgraded.settled_again.is_empty());
    assert_eq!(upgraded.sent, None, "not known: the Signalen read the batch");
    assert_eq!(upgraded.returned().into_iter().collect::<Vec<_>>(), vec!["2025-Q1-0001-003".to_string()]);
}

/// Review: a statement names every region's payments, so only finance of every region reads
/// one (also as a trial); a correction tells nothing of a batch the user may not change.
#[test]
fn only_finance_of_every_region_reads_a_statement_and_a_correction_tells_nothing_outside_the_users_regions() {
    use sidw::domain::{Access, Role, Scope};
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let xml = camt053("S-1", &account, &[Fixture::Returned(&paid[0], &date, "AC04")]);
    let store = crate::common::reopen(&db);
    let at = chrono::Utc::now();
    let who = |role, scope: &str| {
        sidw::store::ChangeContext::new("anna", at).with_access(Access { role, scope: Scope::parse(scope).unwrap() })
    };
    for ctx in [who(Role::Finance, "Zwolle"), who(Role::Editor, "Zwolle,Flevoland,Hardenberg")] {
        let refused = sidw::import::bank::plan(&store, &ctx, "s.xml", xml.as_bytes()).unwrap_err().to_string();
        assert!(refused.contains("vraagt de rol finance voor alle regio's"), "{refused}");
        assert!(!refused.contains(&paid[0].iban), "{refused}");
    }
    assert!(
        sidw::import::bank::plan(&store, &who(Role::Finance, "Zwolle,Flevoland,Hardenberg"), "s", xml.as_bytes())
            .is_ok()
    );

    let batch = store.batches().unwrap().into_iter().next().unwrap();
    let open = sidw::domain::bank::LineState::Open;
    let outside = store.correct_bank_line(&who(Role::Finance, "Flevoland"), batch.id, "2025-Q1-0001-999", &open, "x");
    let missing = outside.unwrap_err().to_string();
    assert!(missing.contains("betaalbatch 2025-Q1-0001") && !missing.contains("naar de bank"), "{missing}");
    let viewer = store.correct_bank_line(&who(Role::Viewer, "Zwolle"), batch.id, "2025-Q1-0001-001", &open, "x");
    assert_eq!(viewer.unwrap_err().to_string(), missing);
    // Finance of the batch's region gets the real answer.
    let own = store.correct_bank_line(&who(Role::Finance, "Zwolle"), batch.id, "2025-Q1-0001-001", &open, "x");
    assert!(own.unwrap_err().to_string().contains("staat al op open"));
    // The store holds the rule for a return's reason, whatever path asks.
    let bad = sidw::domain::bank::LineState::Returned {
        date: chrono::NaiveDate::from_ymd_opt(2025, 5, 6).unwrap(),
        reason: "x".into(),
        bank_ref: "r".into(),
    };
    let refused = store.correct_bank_line(&who(Role::Finance, "Zwolle"), batch.id, "2025-Q1-0001-001", &bad, "x");
    assert!(refused.unwrap_err().to_string().contains("geen code van de bank"));
}

/// A batch the bank paid in full is passed over by the Signalen without being read (its bank
/// record says so), so they cost what is still open; a return brings it back.
#[test]
fn a_batch_the_bank_paid_in_full_is_passed_over_by_the_signalen() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let store = crate::common::reopen(&db);
    assert_eq!(store.bank_signal_facts().unwrap().len(), 1, "exported, not yet paid: read");
    drop(store);
    let all = camt053("S-1", &account, &[Fixture::Batch(&paid, &date)]);
    ok(sidw(&db, &["import", "bank", &statement(dir.path(), "s1.xml", &all)]));
    let store = crate::common::reopen(&db);
    let batch = store.batches().unwrap().remove(0);
    let bank = store.bank_lines(batch.id).unwrap();
    assert_eq!((bank.sent, bank.settled()), (Some(6), true));
    assert!(store.bank_signal_facts().unwrap().is_empty(), "paid in full: not read");
    drop(store);
    let back = camt053("S-2", &account, &[Fixture::Returned(&paid[1], &date, "AC04")]);
    ok(sidw(&db, &["import", "bank", &statement(dir.path(), "s2.xml", &back)]));
    let store = crate::common::reopen(&db);
    let facts = store.bank_signal_facts().unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].returned.len(), 1);
    drop(store);
    ok(sidw(&db, &["check"]));
}

/// A network reopened before its batch's payment file was written was never paid (the file
/// leaves it out): the re-close pays the quarter in full, its file holds every payment, and the
/// coordinator's statement counts the money once. (Before, the re-close paid only the difference
/// with the unpaid batch: nothing, and nobody was ever paid.)
#[test]
fn a_quarter_reopened_before_its_payment_file_is_paid_in_full_by_the_re_close() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(sidw(&db, &["demo"]));
    close(&db);
    let first = batch_lines(&db, "2025-Q1-0001");
    assert_eq!(first.len(), 6);
    let total: Decimal = first.iter().map(|(_, a)| *a).sum();
    reopen(&db, "IBAN van de pedicure was verouderd");
    close(&db);
    let mut second = batch_lines(&db, "2025-Q1-0002");
    let mut expected = first.clone();
    second.sort();
    expected.sort();
    assert_eq!(second, expected, "nothing went out before the reopen: everything is paid now");
    export(&db, dir.path(), "2025-Q1-0002");
    let pain = std::fs::read_to_string(dir.path().join("2025-Q1-0002.xml")).unwrap();
    assert_eq!(pain.matches("<EndToEndId>").count(), 6);
    let statement = ok(sidw(&db, &["report", "statement", "--network", "Zwolle-Zuid", "--quarter", "2025-Q1"]));
    assert_eq!(statement.matches("niet uitbetaald: heropend vóór het betaalbestand").count(), 6, "{statement}");
    assert!(statement_paid(&db).contains(&eur(total)), "{}", statement_paid(&db));
    ok(sidw(&db, &["check"]));
}

/// Review: a statement shown on one screen and read meanwhile elsewhere (a line then corrected
/// by hand) is not applied again when the first screen confirms: the store decides "read
/// before" in its transaction, so the correction stands.
#[test]
fn a_stale_plan_of_a_statement_read_meanwhile_does_not_undo_a_correction() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let xml = camt053("S-1", &account, &[Fixture::Returned(&paid[2], &date, "AC04")]);
    let store = crate::common::reopen(&db);
    let ctx = sidw::store::ChangeContext::new("fien", chrono::Utc::now());
    let shown = sidw::import::bank::plan(&store, &ctx, "s.xml", xml.as_bytes()).unwrap();
    let elsewhere = sidw::import::bank::plan(&store, &ctx, "s.xml", xml.as_bytes()).unwrap();
    assert_eq!(sidw::import::bank::apply(&store, &ctx, &elsewhere).unwrap(), 1);
    let batch = store.batch_numbered("2025-Q1-0001").unwrap().unwrap();
    let paid_state = sidw::domain::bank::LineState::Paid {
        date: chrono::NaiveDate::from_ymd_opt(2025, 5, 2).unwrap(),
        bank_ref: "correctie".into(),
    };
    store.correct_bank_line(&ctx, batch.id, "2025-Q1-0001-003", &paid_state, "bank trok de terugboeking in").unwrap();
    assert_eq!(sidw::import::bank::apply(&store, &ctx, &shown).unwrap(), 0, "the stale plan changes nothing");
    assert_eq!(store.bank_lines(batch.id).unwrap().state("2025-Q1-0001-003"), paid_state);
}

/// Review: a return paid again by one re-close (its file written) is not paid again by the
/// next, which asks no acknowledgement for it; found paid after all, the message names the batch
/// that paid it again, not the latest.
#[test]
fn a_return_is_paid_again_once_and_a_double_payment_names_the_batch_that_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, date) = closed_and_exported(dir.path());
    let back = &paid[2];
    let xml = camt053("S-1", &account, &[Fixture::Batch(&paid, &date), Fixture::Returned(back, &date, "AC04")]);
    ok(sidw(&db, &["import", "bank", &statement(dir.path(), "s1.xml", &xml)]));
    reopen(&db, "terugboeking");
    close(&db);
    export(&db, dir.path(), "2025-Q1-0002");
    reopen(&db, "controle");
    // Nothing to acknowledge: the return was paid again by 2025-Q1-0002, whose file went out.
    ok(sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]));
    assert!(batch_lines(&db, "2025-Q1-0003").is_empty());
    let said = ok(sidw(
        &db,
        &[
            "bank",
            "correct",
            "--line",
            "2025-Q1-0001-003",
            "--state",
            "paid",
            "--date",
            &date,
            "--why",
            "toch betaald",
            "--user",
            "fien",
        ],
    ));
    assert!(said.contains("batch 2025-Q1-0002 betaalde deze teruggeboekte betaling opnieuw"), "{said}");
    let s = signals(&db);
    assert!(s.iter().any(|l| l.contains("maar batch 2025-Q1-0002 betaalde haar opnieuw")), "{s:?}");
}
