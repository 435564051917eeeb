//! The money at the edges a real quarter hits (issue 11): a close only after the quarter ended, an
//! approved invoice above its hours, a reopen that lowers what was due, the partner budget rounded
//! once a year. Each on both sides of its boundary, at the store and through the command line.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Datelike, TimeZone, Utc};
use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use sidw::domain::close::{PaymentKind, total};
use sidw::domain::{NetworkId, Quarter};
use sidw::store::{ChangeContext, Store, to_acknowledge};

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn at(y: i32, m: u32, d: u32) -> ChangeContext {
    // Midday UTC is the same date in every office time zone.
    ChangeContext::new("fien", Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap())
}

fn q(text: &str) -> Quarter {
    Quarter::parse(text).unwrap()
}

fn demo_store() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn id(store: &Store, name: &str) -> NetworkId {
    store.network_by_name(name).unwrap().unwrap().id
}

/// Closes with exactly the warnings a finance officer would be shown.
fn close(
    store: &Store,
    ctx: &ChangeContext,
    network: NetworkId,
    quarter: Quarter,
) -> sidw::domain::close::PaymentBatch {
    let today = ctx.at.with_timezone(&chrono::Local).date_naive();
    let shown = to_acknowledge(&store.close_preview(&[network], quarter, today).unwrap());
    store.close_quarter(ctx, &[network], quarter, &shown).unwrap()
}

#[test]
fn a_quarter_closes_only_after_its_last_day() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let refused = store.close_quarter(&at(2025, 3, 31), &[zwolle], q("2025-Q1"), &[]).unwrap_err().to_string();
    assert!(refused.contains("2025-Q1 loopt nog tot en met 31-03-2025: afsluiten kan vanaf 01-04-2025"), "{refused}");
    let preview = store.close_preview(&[zwolle], q("2025-Q1"), date(2025, 3, 31)).unwrap();
    assert!(!preview[0].ready(), "the preview on the last day says so too");
    let batch = close(&store, &at(2025, 4, 1), zwolle, q("2025-Q1"));
    assert_eq!(batch.total(), dec!(5950.00) + dec!(2614.05));
}

#[test]
fn the_command_line_refuses_a_close_of_the_running_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let today = chrono::Local::now().date_naive();
    let running = Quarter::of_date(today);
    let out = sidw(&db, &["close", "--quarter", &running.to_string(), "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let last = running.last_day();
    let message = text(&out.stderr);
    let expected = format!("{running} loopt nog tot en met {:02}-{:02}-{}", last.day(), last.month(), last.year());
    assert!(message.contains(&expected), "{message}");
    let out = sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// Almere Haven 2025-Q1: the physio's € 1.450,00 invoice is € 48,31 above its hours.
fn almere_ready(store: &Store, invoice_amount: Option<Decimal>) -> NetworkId {
    let almere = id(store, "Almere Haven");
    let partners = store.partners(almere).unwrap();
    let fysio = partners.iter().find(|p| p.name == "Fysio Almere Haven").unwrap();
    let psych = partners.iter().find(|p| p.name == "Eerstelijnspsycholoog Haven").unwrap();
    let mut invoice =
        store.invoices_of(almere, q("2025-Q1")).unwrap().into_iter().find(|i| i.partner == fysio.id).unwrap();
    if let Some(amount) = invoice_amount {
        store.delete_invoice(&ctx(), almere, invoice.id).unwrap();
        invoice = store
            .add_invoice(&ctx(), &sidw::domain::Invoice { amount, number: "FAH 2025-101b".into(), ..invoice })
            .unwrap();
    }
    if invoice.amount != dec!(1401.69) {
        store.decide_invoice(&ctx(), almere, invoice.id, true, "afgesproken met de praktijken").unwrap();
    }
    let missing = sidw::domain::Invoice {
        id: sidw::domain::InvoiceId(0),
        network: almere,
        partner: psych.id,
        quarter: q("2025-Q1"),
        number: "EPH-1".into(),
        date: date(2025, 4, 3),
        amount: dec!(909.00),
        received: Some(date(2025, 4, 4)),
        decision: sidw::domain::InvoiceDecision::Open,
    };
    store.add_invoice(&ctx(), &missing).unwrap();
    almere
}

fn fysio_paid(batch: &sidw::domain::close::PaymentBatch) -> Vec<Decimal> {
    batch.lines.iter().filter(|l| l.payee == "Fysio Almere Haven").map(|l| l.amount).collect()
}

#[test]
fn an_approved_invoice_above_its_hours_pays_the_hours_and_lists_the_excess() {
    let store = demo_store();
    let almere = almere_ready(&store, None);
    let batch = close(&store, &at(2025, 5, 1), almere, q("2025-Q1"));
    assert_eq!(fysio_paid(&batch), vec![dec!(1401.69)], "never above the tariffs from the € 1,15");
    assert_eq!(batch.team_differences.len(), 1);
    let difference = &batch.team_differences[0];
    assert_eq!((difference.invoiced, difference.worth, difference.amount), (dec!(1450.00), dec!(1401.69), dec!(48.31)));
    assert!(batch.lines.iter().all(|l| l.kind != PaymentKind::Partner || l.amount <= dec!(1401.69)));
}

#[test]
fn an_invoice_equal_to_or_below_its_hours_pays_the_invoice() {
    for (amount, paid) in
        [(dec!(1401.69), dec!(1401.69)), (dec!(1401.68), dec!(1401.68)), (dec!(1401.70), dec!(1401.69))]
    {
        let store = demo_store();
        let almere = almere_ready(&store, Some(amount));
        let batch = close(&store, &at(2025, 5, 1), almere, q("2025-Q1"));
        assert_eq!(fysio_paid(&batch), vec![paid], "invoice {amount}");
        let excess: Vec<Decimal> = batch.team_differences.iter().map(|d| d.amount).collect();
        let expected = if amount > dec!(1401.69) { vec![amount - dec!(1401.69)] } else { vec![] };
        assert_eq!(excess, expected, "invoice {amount}");
    }
}

/// Σ cash paid over all batches − Σ open claims = Σ due of the network's closed quarters.
fn assert_settled(store: &Store, network: NetworkId, due: Decimal) {
    let paid: Decimal = store
        .batches()
        .unwrap()
        .iter()
        .flat_map(|b| b.lines.iter())
        .filter(|l| l.network == network)
        .map(|l| l.amount)
        .sum();
    let open: Decimal = store.open_claims().unwrap().iter().filter(|c| c.line.network == network).map(|c| c.open).sum();
    assert_eq!(paid - open, due, "paid {paid}, open claims {open}");
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

fn lower_ion(store: &Store, network: NetworkId, by: u32) {
    let mut team = store.practice_team(network).unwrap();
    for count in &mut team.practices[0].ion_counts {
        count.count -= by;
    }
    store.save_practice_team(&ctx(), &team).unwrap();
}

fn practice_money(store: &Store, network: NetworkId, quarter: Quarter) -> Decimal {
    let n = store.network(network).unwrap();
    let team = store.practice_team(network).unwrap();
    sidw::domain::budget::practice_team_money(&n, &team, &store.tariff_book().unwrap(), quarter).unwrap()
}

#[test]
fn a_reopen_that_lowers_what_was_due_raises_a_claim_set_off_against_the_next_payments() {
    let store = demo_store();
    let baalder = id(&store, "Hardenberg-Baalder");
    let first = close(&store, &at(2025, 4, 2), baalder, q("2025-Q1"));
    let due_q1 = practice_money(&store, baalder, q("2025-Q1"));
    assert_eq!(first.total(), due_q1);
    assert_settled(&store, baalder, due_q1);

    // Reopened, 1 000 ION fewer counted: less was due than was paid.
    crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 3));
    store.reopen_quarter(&at(2025, 4, 3), baalder, q("2025-Q1"), "ION-telling gecorrigeerd").unwrap();
    lower_ion(&store, baalder, 1000);
    let lower_q1 = practice_money(&store, baalder, q("2025-Q1"));
    assert!(lower_q1 < due_q1);
    let second = close(&store, &at(2025, 4, 4), baalder, q("2025-Q1"));
    assert!(second.lines.is_empty(), "never a negative payment: {:?}", second.lines);
    let claimed: Decimal = second.claims.iter().map(|c| c.line.amount).sum();
    assert_eq!(claimed, due_q1 - lower_q1);
    assert!(second.claims.iter().all(|c| c.batch == second.number && c.open == c.line.amount));
    assert_settled(&store, baalder, lower_q1);

    // The next quarter's payments to the same practices are set off against the claims first.
    let due_q2 = practice_money(&store, baalder, q("2025-Q2"));
    let preview = store.close_preview(&[baalder], q("2025-Q2"), date(2025, 7, 2)).unwrap();
    let set_off: Decimal = preview[0].set_offs.iter().map(|s| s.line.amount).sum();
    assert_eq!(set_off, claimed, "the preview shows the set-off");
    let third = close(&store, &at(2025, 7, 2), baalder, q("2025-Q2"));
    assert_eq!(third.total(), due_q2 - claimed);
    assert!(third.set_offs.iter().all(|s| s.claim_batch == second.number && s.claim_quarter == q("2025-Q1")));
    assert!(store.open_claims().unwrap().is_empty(), "settled");
    assert_settled(&store, baalder, lower_q1 + due_q2);

    // Reopening the quarter that set off, and closing it unchanged, pays nothing twice.
    crate::common::file_written(&store, baalder, q("2025-Q2"), &at(2025, 7, 3));
    store.reopen_quarter(&at(2025, 7, 3), baalder, q("2025-Q2"), "controle").unwrap();
    let fourth = close(&store, &at(2025, 7, 4), baalder, q("2025-Q2"));
    assert!(fourth.lines.is_empty() && fourth.claims.is_empty(), "{:?} {:?}", fourth.lines, fourth.claims);
    assert_settled(&store, baalder, lower_q1 + due_q2);
    // A higher count again: the difference is paid.
    crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 7, 5));
    store.reopen_quarter(&at(2025, 7, 5), baalder, q("2025-Q1"), "ION toch hoger").unwrap();
    lower_ion(&store, baalder, 0);
    let mut team = store.practice_team(baalder).unwrap();
    for count in &mut team.practices[0].ion_counts {
        count.count += 1000;
    }
    store.save_practice_team(&ctx(), &team).unwrap();
    let fifth = close(&store, &at(2025, 7, 6), baalder, q("2025-Q1"));
    assert_eq!(total(&fifth.lines), due_q1 - lower_q1);
    assert_settled(&store, baalder, due_q1 + due_q2);
}

#[test]
fn claims_and_the_excess_show_in_report_payments_and_the_year_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let store = Store::open(&db).unwrap();
        sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
        let almere = almere_ready(&store, None);
        close(&store, &at(2025, 5, 1), almere, q("2025-Q1"));
        let baalder = id(&store, "Hardenberg-Baalder");
        close(&store, &at(2025, 4, 2), baalder, q("2025-Q1"));
        crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 3));
        store.reopen_quarter(&at(2025, 4, 3), baalder, q("2025-Q1"), "ION-telling gecorrigeerd").unwrap();
        lower_ion(&store, baalder, 1000);
        close(&store, &at(2025, 4, 4), baalder, q("2025-Q1"));
    }
    let out = sidw(&db, &["report", "payments", "--quarter", "2025-Q1", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let of_kind = |kind: &str| -> Vec<serde_json::Value> {
        lines.as_array().unwrap().iter().filter(|l| l["kind"] == kind).cloned().collect()
    };
    let differences = of_kind("team_difference");
    assert_eq!(differences.len(), 1, "{lines:#}");
    assert_eq!(differences[0]["amount"], "48.31");
    assert_eq!(differences[0]["payee"], "Fysio Almere Haven");
    let claims = of_kind("claim");
    assert!(!claims.is_empty(), "{lines:#}");
    assert!(claims.iter().all(|c| c["claim_batch"] == "2025-Q1-0003"), "{claims:#?}");
    let paid: Vec<&serde_json::Value> = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["payee"] == "Fysio Almere Haven" && l["kind"] == "partner")
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["amount"], "1401.69");

    let table = text(&sidw(&db, &["report", "payments", "--quarter", "2025-Q1"]).stdout);
    assert!(table.contains("verschil praktijkteam: Fysio Almere Haven € 48,31"), "{table}");
    assert!(table.contains("vordering: "), "{table}");

    let out = sidw(&db, &["report", "year", "--year", "2025", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let year = text(&out.stdout);
    assert!(year.contains("\"team_differences\": \"48.31\""), "{year}");
    // 1 000 ION fewer at the full GEZ/OWZ rate (€ 3,40 + € 1,15) for one quarter: € 1.137,50.
    assert!(year.contains("\"open_claims\": \"1137.50\""), "{year}");
}

#[test]
fn the_partner_budget_of_16_001_ion_is_rounded_once() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Wijk 16001", 16_001);
    assert_eq!(store.partner_budget(network, 2025).unwrap().budget, dec!(18401.15));
    let round_each_quarter = (dec!(1.15) * dec!(16001) / dec!(4)).round_dp(2) * dec!(4);
    assert_eq!(round_each_quarter, dec!(18401.16), "the old rounding, for the record");
}

#[test]
fn a_close_reads_only_its_own_quarters_batches_and_an_older_database_is_indexed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (zwolle, baalder) = {
        let store = Store::open(&db).unwrap();
        sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
        let (zwolle, baalder) = (id(&store, "Zwolle-Zuid"), id(&store, "Hardenberg-Baalder"));
        close(&store, &at(2025, 4, 2), zwolle, q("2025-Q1"));
        close(&store, &at(2025, 4, 2), baalder, q("2025-Q1"));
        crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 3));
        store.reopen_quarter(&at(2025, 4, 3), baalder, q("2025-Q1"), "ION-telling gecorrigeerd").unwrap();
        close(&store, &at(2025, 4, 4), baalder, q("2025-Q1"));
        let numbers = |n| store.batches_of(n, q("2025-Q1")).unwrap().into_iter().map(|b| b.number).collect::<Vec<_>>();
        assert_eq!(numbers(zwolle), vec!["2025-Q1-0001"]);
        assert_eq!(numbers(baalder), vec!["2025-Q1-0002", "2025-Q1-0003"]);
        assert!(store.batches_of(zwolle, q("2025-Q2")).unwrap().is_empty());
        assert!(store.check().unwrap().is_ok());
        // As a database written before the index existed.
        for key in [
            sidw::store::keys::network_quarter(zwolle, q("2025-Q1")),
            sidw::store::keys::network_quarter(baalder, q("2025-Q1")),
        ] {
            store.raw_remove_for_tests(sidw::store::keys::TreeName::BatchIndex, &key).unwrap();
        }
        store.raw_remove_for_tests(sidw::store::keys::TreeName::Meta, b"batch_index_built").unwrap();
        assert!(!store.check().unwrap().is_ok(), "check sees the missing index");
        (zwolle, baalder)
    };
    let store = Store::open(&db).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    assert_eq!(store.batches_of(baalder, q("2025-Q1")).unwrap().len(), 2);
    assert_eq!(store.batches_of(zwolle, q("2025-Q1")).unwrap().len(), 1);
}

/// A network of 16 001 ION with a psychologist (A), a physio (B) and a pedicure (C), all signed.
fn network_16001(db: &Path) {
    use sidw::domain::{Agreement, AgreementId, AgreementKind, Discipline};
    let store = Store::open(db).unwrap();
    let network = network_with_ion(&store, "Wijk 16001", 16_001);
    for (name, discipline, agb) in [
        ("Psycholoog", Discipline::Psycholoog, "94000001"),
        ("Fysio", Discipline::Fysiotherapeut, "04000002"),
        ("Pedicure", Discipline::Pedicure, "90000003"),
    ] {
        let partner = store
            .add_partner(
                &ctx(),
                &sidw::domain::Partner {
                    id: sidw::domain::PartnerId(0),
                    network,
                    name: name.into(),
                    discipline,
                    category: discipline.usual_category(),
                    agb: sidw::domain::validate::Agb::parse(agb).unwrap(),
                    iban: sidw::domain::validate::Iban::parse("NL20INGB0001234567").unwrap(),
                    email: String::new(),
                },
            )
            .unwrap();
        let agreement = Agreement {
            id: AgreementId(0),
            network,
            kind: AgreementKind::Partner,
            partner: Some(partner),
            sent: Some(date(2024, 11, 1)),
            signed: Some(date(2024, 11, 20)),
            ended: None,
        };
        store.add_agreement(&ctx(), &agreement).unwrap();
    }
}

fn import(dir: &Path, name: &str, rows: &[(&str, &str)]) -> Output {
    let db = dir.join(name);
    network_16001(&db);
    let mut csv = String::from("netwerk;partner;maand;uren\n");
    for (partner, hours) in rows {
        csv.push_str(&format!("Wijk 16001;{partner};2025-03;{hours}\n"));
    }
    let file = dir.join(format!("{name}.csv"));
    std::fs::write(&file, csv).unwrap();
    sidw(&db, &["import", "hours", file.to_str().unwrap()])
}

#[test]
fn an_import_fits_the_year_budget_rounded_once_to_the_cent() {
    let dir = tempfile::tempdir().unwrap();
    // € 17.675,00 + € 67,96 + € 658,19 = € 18.401,15: exactly € 1,15 × 16 001.
    let exact = import(dir.path(), "exact", &[("Psycholoog", "175"), ("Fysio", "0,80"), ("Pedicure", "11,09")]);
    assert!(exact.status.success(), "{}{}", text(&exact.stdout), text(&exact.stderr));
    let store = Store::open(&dir.path().join("exact")).unwrap();
    let network = id(&store, "Wijk 16001");
    assert_eq!(store.partner_budget(network, 2025).unwrap().remaining(), dec!(0.00));
    drop(store);
    // € 17.675,00 + € 24,64 + € 701,52 = € 18.401,16: one cent over (the old per-quarter rounding let it in).
    let over = import(dir.path(), "over", &[("Psycholoog", "175"), ("Fysio", "0,29"), ("Pedicure", "11,82")]);
    assert_eq!(over.status.code(), Some(1), "{}", text(&over.stdout));
    let report = text(&over.stdout) + &text(&over.stderr);
    assert!(report.contains("gaat € 0,01 over het partnerbudget 2025 van Wijk 16001"), "{report}");
}

#[test]
fn the_checklist_asks_hours_forms_only_for_months_the_agreement_covers() {
    let store = demo_store();
    let almere = id(&store, "Almere Haven");
    let dietist = store.partners(almere).unwrap().into_iter().find(|p| p.name == "Diëtistenpraktijk Almere").unwrap();
    let mut agreement = store.agreements(almere).unwrap().into_iter().find(|a| a.partner == Some(dietist.id)).unwrap();
    agreement.sent = Some(date(2025, 2, 1));
    agreement.signed = Some(date(2025, 2, 28)); // in force on February's last day, not in January
    store.update_agreement(&ctx(), &agreement).unwrap();
    let preview = store.close_preview(&[almere], q("2025-Q1"), date(2025, 5, 1)).unwrap();
    let texts: Vec<String> = preview[0].checklist.iter().map(|i| i.text.clone()).collect();
    let has = |text: &str| texts.iter().any(|t| t == text);
    assert!(!texts.iter().any(|t| t.contains("januari 2025 van Diëtistenpraktijk Almere")), "{texts:#?}");
    assert!(has("urenformulier februari 2025 van Diëtistenpraktijk Almere ontbreekt"), "{texts:#?}");
    assert!(has("urenformulier maart 2025 van Diëtistenpraktijk Almere ontbreekt"), "{texts:#?}");
    // And January cannot be recorded, which is why it is not asked for.
    let january = sidw::domain::YearMonth::new(2025, 1).unwrap();
    assert!(store.mark_nihil(&ctx(), almere, dietist.id, january).is_err());
}

#[test]
fn a_practice_that_left_the_team_keeps_its_claim() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let first = close(&store, &at(2025, 4, 2), zwolle, q("2025-Q1"));
    let practices: Decimal = first.lines.iter().filter(|l| l.kind == PaymentKind::Practice).map(|l| l.amount).sum();
    assert_eq!(practices, dec!(5950.00));
    crate::common::file_written(&store, zwolle, q("2025-Q1"), &at(2025, 4, 3));
    store.reopen_quarter(&at(2025, 4, 3), zwolle, q("2025-Q1"), "Assendorp hoort niet bij het team").unwrap();
    let mut team = store.practice_team(zwolle).unwrap();
    let assendorp = team.practices.iter().find(|p| p.name == "Huisartsen Assendorp").unwrap().clone();
    team.practices.retain(|p| p.id != assendorp.id);
    let from = team.practices[0].shares[0].from;
    team.practices[0].set_share(from, dec!(100));
    store.save_practice_team(&ctx(), &team).unwrap();
    let second = close(&store, &at(2025, 4, 4), zwolle, q("2025-Q1"));
    let claims: Vec<(String, Decimal)> = store
        .open_claims()
        .unwrap()
        .into_iter()
        .filter(|c| c.line.network == zwolle)
        .map(|c| (c.line.payee, c.open))
        .collect();
    assert_eq!(claims, vec![("Huisartsen Assendorp".to_string(), dec!(2380.00))], "{:?}", second.claims);
    assert_settled(&store, zwolle, practice_money(&store, zwolle, q("2025-Q1")) + dec!(2614.05));
}

#[test]
fn the_months_an_agreement_starts_and_ends_in_are_recorded_and_asked_for() {
    let store = demo_store();
    let almere = id(&store, "Almere Haven");
    let dietist = store.partners(almere).unwrap().into_iter().find(|p| p.name == "Diëtistenpraktijk Almere").unwrap();
    let mut agreement = store.agreements(almere).unwrap().into_iter().find(|a| a.partner == Some(dietist.id)).unwrap();
    agreement.sent = Some(date(2025, 1, 2));
    agreement.signed = Some(date(2025, 1, 15));
    agreement.ended = Some(date(2025, 5, 15));
    store.update_agreement(&ctx(), &agreement).unwrap();
    let month = |m| sidw::domain::YearMonth::new(2025, m).unwrap();
    let hours = |m| sidw::store::NewHours {
        network: almere,
        partner: dietist.id,
        month: month(m),
        hours: dec!(0.5),
        activity: String::new(),
        paid_by_practice_team: false,
        double_funding_confirmed: false,
        corrects: None,
    };
    assert!(store.add_hours(&ctx(), &hours(1)).is_ok(), "signed on 15 January: January's hours count");
    assert!(store.add_hours(&ctx(), &hours(5)).is_ok(), "ended on 15 May: May's hours count");
    let refused = store.add_hours(&ctx(), &hours(6)).unwrap_err().to_string();
    assert!(refused.contains("geen getekende overeenkomst"), "{refused}");
    let preview = store.close_preview(&[almere], q("2025-Q2"), date(2025, 7, 2)).unwrap();
    let texts: Vec<String> = preview[0].checklist.iter().map(|i| i.text.clone()).collect();
    assert!(texts.iter().any(|t| t == "urenformulier april 2025 van Diëtistenpraktijk Almere ontbreekt"), "{texts:#?}");
    assert!(texts.iter().any(|t| t == "urenformulier mei 2025 van Diëtistenpraktijk Almere"), "{texts:#?}");
    assert!(!texts.iter().any(|t| t.contains("juni 2025 van Diëtistenpraktijk Almere")), "{texts:#?}");
}

/// The "not sent to the bank" signals on 01-06-2025.
fn not_sent(store: &Store) -> Vec<String> {
    let signals = store.signals(date(2025, 6, 1)).unwrap();
    signals.into_iter().map(|s| s.text).filter(|t| t.contains("niet naar de bank")).collect()
}

#[test]
fn a_batch_that_pays_nothing_is_never_late_for_the_bank() {
    let store = demo_store();
    let baalder = id(&store, "Hardenberg-Baalder");
    let first = close(&store, &at(2025, 4, 2), baalder, q("2025-Q1"));
    store.record_export(&at(2025, 4, 2), &first, "pain001 → test.xml").unwrap();
    crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 3));
    store.reopen_quarter(&at(2025, 4, 3), baalder, q("2025-Q1"), "controle").unwrap();
    let second = close(&store, &at(2025, 4, 4), baalder, q("2025-Q1"));
    assert!(second.lines.is_empty(), "nothing changed: nothing to pay");
    let late = not_sent(&store);
    assert!(late.is_empty(), "{late:?}");
    // A batch that does pay and was not sent is still signalled.
    crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 5));
    store.reopen_quarter(&at(2025, 4, 5), baalder, q("2025-Q1"), "ION gecorrigeerd").unwrap();
    lower_ion(&store, baalder, 0);
    let mut team = store.practice_team(baalder).unwrap();
    team.practices[0].ion_counts[0].count += 400;
    store.save_practice_team(&ctx(), &team).unwrap();
    let third = close(&store, &at(2025, 4, 6), baalder, q("2025-Q1"));
    assert!(!third.lines.is_empty());
    let late = not_sent(&store);
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(late[0].contains(&third.number), "{late:?}");
}

#[test]
fn the_year_report_counts_a_pending_set_off_once() {
    let store = demo_store();
    let baalder = id(&store, "Hardenberg-Baalder");
    close(&store, &at(2025, 4, 2), baalder, q("2025-Q1"));
    crate::common::file_written(&store, baalder, q("2025-Q1"), &at(2025, 4, 3));
    store.reopen_quarter(&at(2025, 4, 3), baalder, q("2025-Q1"), "ION-telling gecorrigeerd").unwrap();
    lower_ion(&store, baalder, 1000);
    close(&store, &at(2025, 4, 4), baalder, q("2025-Q1"));
    let claim: Decimal = store.open_claims().unwrap().iter().map(|c| c.open).sum();
    assert!(claim > Decimal::ZERO);
    let rows = sidw::report::year::rows(&store, 2025, None, date(2025, 4, 10)).unwrap();
    let row = rows.iter().find(|r| r.network == "Hardenberg-Baalder").unwrap();
    let due: Decimal = Quarter::of_year(2025).iter().map(|quarter| practice_money(&store, baalder, *quarter)).sum();
    let f = &row.figures;
    assert_eq!(f.practice_team_received + f.practice_team_planned, due, "settled + planned = due, the set-off once");
    assert_eq!(f.open_claims, claim);
}

// ---------------------------------------------------------------------------------------------
// Assertions where money is written (issue 15): a batch is checked when it is built and again when
// it is read for a payment file; hours saves are checked against the stored lines.

use sidw::domain::close::PaymentBatch;
use sidw::store::StoreError;
use sidw::store::keys::TreeName;
use sidw::store::money_check::refuse_on_this_thread;

/// Stores `batch` as it is, behind the store's back (a damaged record, or a bug that wrote it).
fn put_raw(store: &Store, batch: &PaymentBatch) {
    store.raw_insert_for_tests(TreeName::Batches, &batch.id.to_be_bytes(), &sidw::store::codec::encode(batch)).unwrap();
}

fn money_check(error: &StoreError) -> String {
    assert!(matches!(error.root(), StoreError::MoneyCheck { .. }), "not a money check: {error}");
    error.to_string()
}

#[test]
fn a_batch_whose_money_does_not_add_up_is_never_written_to_a_payment_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let closed = sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]);
    assert!(closed.status.success(), "{}", text(&closed.stderr));
    let export = |format: &str, file: &Path, refuse: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sidw"));
        command.arg("--db").arg(&db).env_remove("SIDW_DB").env_remove("SIDW_MONEY_CHECK");
        if refuse {
            command.env("SIDW_MONEY_CHECK", "weigeren");
        }
        command.args(["export", "payments", "--quarter", "2025-Q1", "--format", format, "--out"]).arg(file);
        command.output().unwrap()
    };
    // As the close wrote it, the batch checks out and is written.
    let good = dir.path().join("goed.xml");
    let out = export("pain001", &good, true);
    assert!(out.status.success() && good.exists(), "{}", text(&out.stderr));

    // One cent more to the first practice: the practices get more than the quarter's money.
    {
        let store = reopen(&db);
        let close = store.quarter_close(id(&store, "Zwolle-Zuid"), q("2025-Q1")).unwrap().unwrap();
        let mut batch = store.batch(close.batch).unwrap();
        assert_eq!(batch.lines[0].kind, PaymentKind::Practice);
        batch.lines[0].amount += dec!(0.01);
        put_raw(&store, &batch);
    }
    for format in ["pain001", "csv"] {
        let file = dir.path().join(format!("fout-{format}"));
        let out = export(format, &file, true);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out.stdout));
        let message = text(&out.stderr);
        assert!(message.contains("betaalbatch 2025-Q1-0001 klopt niet; er is niets geschreven"), "{message}");
        assert!(
            message.contains(
                "Zwolle-Zuid: de praktijken krijgen over 2025-Q1 samen € 5.950,01, het praktijkteamgeld is € 5.950,00"
            ),
            "{message}"
        );
        assert!(
            message.contains("wat nu: schrijf geen betaalbestand van deze batch; heropen kwartaal 2025-Q1"),
            "{message}"
        );
        assert!(!file.exists(), "no {format} file of a wrong batch");
    }
    // In a debug build (the tests) the same violation fails a debug_assert!, and writes nothing.
    let file = dir.path().join("fout-debug.xml");
    let out = export("pain001", &file, false);
    assert_eq!(out.status.code(), Some(101), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("klopt niet"), "{}", text(&out.stderr));
    assert!(!file.exists());
}

#[test]
fn every_export_path_checks_the_batch_it_reads_against_what_it_was_built_from() {
    let _refuse = refuse_on_this_thread();
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let batch = close(&store, &at(2025, 4, 2), zwolle, q("2025-Q1"));
    let basis: sidw::store::records::BatchBasis =
        store.get(TreeName::BatchBases, &batch.id.to_be_bytes()).unwrap().expect("kept beside the batch");
    assert_eq!(basis.networks.len(), 1, "what the batch was computed from");
    assert_eq!(basis.networks[0].practice_money, dec!(5950.00));
    store.check_batch_for_export(&batch).unwrap();
    let chosen = sidw::report::export::choose_batch(&store, q("2025-Q1"), None).unwrap();
    assert_eq!(chosen, batch);

    // A partner paid twice (the same invoice on two lines): refused by every export path.
    let mut twice = batch.clone();
    let partner = twice.lines.iter().find(|l| l.kind == PaymentKind::Partner).unwrap().clone();
    twice.lines.push(partner.clone());
    put_raw(&store, &twice);
    let error = sidw::report::export::choose_batch(&store, q("2025-Q1"), None).unwrap_err();
    let message = money_check(&error);
    assert!(
        message.contains(&format!("{} (Zwolle-Zuid) staat twee keer als partner in de batch", partner.payee)),
        "{message}"
    );
    assert!(message.contains("meer dan de"), "paid above its hours and invoice too: {message}");
    let now = at(2025, 5, 1).at;
    let pain = sidw::report::export::pain001(&store, &twice, sidw::payments::PainVersion::V09, now, date(2025, 5, 1));
    money_check(&pain.unwrap_err());
    assert!(store.batch_exports(batch.id).unwrap().entries.is_empty(), "nothing recorded as written");

    // Put back as built, it is exported again.
    put_raw(&store, &batch);
    sidw::report::export::choose_batch(&store, q("2025-Q1"), None).unwrap();
}

#[test]
fn a_re_close_is_checked_with_what_the_reopened_batch_settled() {
    let _refuse = refuse_on_this_thread();
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let first = close(&store, &at(2025, 4, 2), zwolle, q("2025-Q1"));
    crate::common::file_written(&store, zwolle, q("2025-Q1"), &at(2025, 4, 3));
    store.reopen_quarter(&at(2025, 4, 3), zwolle, q("2025-Q1"), "ION-telling gecorrigeerd").unwrap();
    lower_ion(&store, zwolle, 300);
    let second = close(&store, &at(2025, 4, 4), zwolle, q("2025-Q1"));
    assert!(!second.claims.is_empty(), "less due than paid: a claim");
    // The second batch pays only differences: it adds up with the first one's settlement only.
    store.check_batch_for_export(&second).unwrap();
    let basis: sidw::store::records::BatchBasis =
        store.get(TreeName::BatchBases, &second.id.to_be_bytes()).unwrap().unwrap();
    let alone = sidw::domain::verify::batch_violations(&second, &basis.networks, &[]);
    assert!(!alone.is_empty(), "without the first batch it does not");
    let reopened = store.batch(first.id).unwrap();
    assert!(!reopened.is_current_for(zwolle));
    store.check_batch_for_export(&reopened).unwrap(); // a reopened part is not checked against today's money
}

#[test]
fn a_damaged_hours_index_refuses_the_next_save_and_stores_nothing() {
    let _refuse = refuse_on_this_thread();
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Wijk Index", 7000);
    let partner = add_partner(&store, network, "Fysio Index", sidw::domain::Discipline::Fysiotherapeut);
    store.add_hours(&ctx(), &new_hours(network, partner, 1, dec!(2))).unwrap();
    let key = sidw::store::keys::network_year(network, 2025);
    let mut index: sidw::store::records::HoursIndex = store.get(TreeName::HoursIndex, &key).unwrap().unwrap();
    index.entries.push(index.entries[0]);
    store.raw_insert_for_tests(TreeName::HoursIndex, &key, &sidw::store::codec::encode(&index)).unwrap();

    let error = store.add_hours(&ctx(), &new_hours(network, partner, 2, dec!(1))).unwrap_err();
    let message = money_check(&error);
    assert!(message.contains("partnerbudget Wijk Index 2025 klopt niet"), "{message}");
    assert!(message.contains("staat twee keer in de index van Wijk Index 2025"), "{message}");
    let after: sidw::store::records::HoursIndex = store.get(TreeName::HoursIndex, &key).unwrap().unwrap();
    assert_eq!(after, index, "nothing stored");
    let cell = sidw::store::CellChange {
        network,
        partner,
        month: sidw::domain::YearMonth::new(2025, 3).unwrap(),
        hours: Some(dec!(1)),
        by_team_increase: false,
        double_funding_confirmed: false,
    };
    money_check(&store.set_cell(&ctx(), &cell).unwrap_err());

    // Repaired, the same saves go through.
    index.entries.pop();
    store.raw_insert_for_tests(TreeName::HoursIndex, &key, &sidw::store::codec::encode(&index)).unwrap();
    store.add_hours(&ctx(), &new_hours(network, partner, 2, dec!(1))).unwrap();
    store.set_cell(&ctx(), &cell).unwrap();
}

/// In the tests (a debug build) a money violation is a `debug_assert!` failure, not a refusal.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "klopt niet")]
fn in_a_debug_build_a_money_violation_fails_a_debug_assert() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Wijk Assert", 7000);
    let partner = add_partner(&store, network, "Fysio Assert", sidw::domain::Discipline::Fysiotherapeut);
    store.add_hours(&ctx(), &new_hours(network, partner, 1, dec!(2))).unwrap();
    let key = sidw::store::keys::network_year(network, 2025);
    let mut index: sidw::store::records::HoursIndex = store.get(TreeName::HoursIndex, &key).unwrap().unwrap();
    index.entries.push(index.entries[0]);
    store.raw_insert_for_tests(TreeName::HoursIndex, &key, &sidw::store::codec::encode(&index)).unwrap();
    let _ = store.add_hours(&ctx(), &new_hours(network, partner, 2, dec!(1)));
}
