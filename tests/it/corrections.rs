//! Correction lines (SPEC §5): a correction of a closed quarter's line is booked in a later, open
//! quarter and takes back at most what the line recorded, on every path the store offers; and a
//! quarter that corrections take below 0 is closed with a claim, not refused.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use sidw::domain::{DomainError, HoursEntry, Invoice, InvoiceDecision, InvoiceId, NetworkId, Quarter, YearMonth};
use sidw::store::{CellChange, ChangeContext, NewHours, Store, StoreError};

/// After the end of Q3 2025: every quarter of the demo up to Q3 may be closed.
fn late() -> ChangeContext {
    ChangeContext::new("test", Utc.with_ymd_and_hms(2025, 10, 15, 9, 30, 0).unwrap())
}

fn demo() -> (Store, NetworkId) {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    (store, zwolle)
}

fn quarter(text: &str) -> Quarter {
    Quarter::parse(text).unwrap()
}

fn month(m: u32) -> YearMonth {
    YearMonth::new(2025, m).unwrap()
}

/// The physiotherapist's line of a month (the demo has one per month).
fn fysio_line(store: &Store, network: NetworkId, m: u32) -> HoursEntry {
    let fysio = store.partners(network).unwrap().into_iter().find(|p| p.name.starts_with("Fysio")).unwrap();
    store
        .hours_of(network, 2025)
        .unwrap()
        .into_iter()
        .find(|l| l.partner == fysio.id && l.month == month(m) && l.corrects.is_none())
        .unwrap()
}

/// A matching invoice for every partner whose quarter lines are worth more than 0 and that has none.
fn invoice_all(store: &Store, network: NetworkId, q: Quarter) {
    let tariffs = store.tariff_book().unwrap();
    let lines = store.hours_of(network, q.year()).unwrap();
    let known = store.invoices_of(network, q).unwrap();
    for partner in store.partners(network).unwrap() {
        let worth: Decimal = lines
            .iter()
            .filter(|l| l.partner == partner.id && q.contains(l.month) && !l.paid_by_practice_team)
            .map(|l| l.worth(&tariffs, partner.category).unwrap())
            .sum();
        if worth > Decimal::ZERO && !known.iter().any(|i| i.partner == partner.id) {
            let invoice = Invoice {
                id: InvoiceId(0),
                network,
                partner: partner.id,
                quarter: q,
                number: format!("{q}-{}", partner.id),
                date: q.last_day(),
                amount: worth,
                received: Some(q.last_day()),
                decision: InvoiceDecision::Open,
            };
            store.add_invoice(&late(), &invoice).unwrap();
        }
    }
}

fn close(store: &Store, network: NetworkId, q: &str) -> sidw::domain::close::PaymentBatch {
    invoice_all(store, network, quarter(q));
    store.close_quarter(&late(), &[network], quarter(q), &[]).unwrap()
}

fn correction(of: &HoursEntry, m: u32, hours: Decimal) -> NewHours {
    NewHours {
        network: of.network,
        partner: of.partner,
        month: month(m),
        hours,
        activity: "correctie".into(),
        paid_by_practice_team: of.paid_by_practice_team,
        double_funding_confirmed: of.double_funding_confirmed,
        corrects: Some(of.id),
    }
}

/// The field and message of a refusal by a correction rule.
fn field_of<T: std::fmt::Debug>(result: Result<T, StoreError>) -> (&'static str, String) {
    match result {
        Err(StoreError::Rule(DomainError::Field(f))) => (f.field, f.message),
        Err(StoreError::AtLine { error, .. }) => field_of::<()>(Err(*error)),
        other => panic!("not refused at a field: {other:?}"),
    }
}

#[test]
fn a_correction_is_booked_after_the_corrected_quarter_and_never_takes_a_line_below_zero() {
    let (store, zwolle) = demo();
    close(&store, zwolle, "2025-Q1");
    close(&store, zwolle, "2025-Q2");
    let january = fysio_line(&store, zwolle, 1); // 4 hours
    let april = fysio_line(&store, zwolle, 4);
    let count = || store.hours_of(zwolle, 2025).unwrap().len();
    let before = count();

    // (a) Q1 reopened: a correction of a Q2 line is not booked in Q1 (the model's failing case),
    // nor is a correction of a Q1 line in its own quarter.
    store.reopen_quarter(&late(), zwolle, quarter("2025-Q1"), "test").unwrap();
    let (name, message) = field_of(store.add_hours(&late(), &correction(&april, 1, dec!(-3.25))));
    assert_eq!(name, "maand");
    assert_eq!(
        message,
        "een correctie van april 2025 hoort in een maand na 2025-Q2 (een later, open kwartaal), niet in januari 2025"
    );
    assert_eq!(count(), before, "nothing stored");
    store.close_quarter(&late(), &[zwolle], quarter("2025-Q1"), &[]).unwrap();

    // (b) Not below 0 hours: the line with all its corrections, on every path.
    let (name, message) = field_of(store.add_hours(&late(), &correction(&january, 7, dec!(-4.25))));
    assert_eq!(name, "uren");
    assert_eq!(
        message,
        "de regel van januari 2025 (4 uur) komt met de correcties op -0,25 uur: samen niet onder 0 uur"
    );
    let july = store.add_hours(&late(), &correction(&january, 7, dec!(-3))).unwrap();
    assert!(field_of(store.add_hours(&late(), &correction(&january, 8, dec!(-1.25)))).1.contains("op -0,25 uur"));
    // The import, all or nothing: two corrections that are each within the line but not together.
    let two = [correction(&january, 8, dec!(-0.5)), correction(&january, 9, dec!(-0.75))];
    assert!(field_of(store.import_hours(&late(), &two)).1.contains("op -0,25 uur"));
    assert_eq!(count(), before + 1, "nothing of the import stored");
    let august = store.add_hours(&late(), &correction(&january, 8, dec!(-1))).unwrap();
    // Changing a correction: further down is refused, up is fine.
    let lower = HoursEntry { hours: dec!(-1.5), ..august.clone() };
    assert!(field_of(store.update_hours(&late(), &lower)).1.contains("op -0,5 uur"));
    let august = HoursEntry { hours: dec!(-0.5), ..august };
    store.update_hours(&late(), &august).unwrap(); // 4 − 3 − 0,5 = 0,5
    // A correction that adds (in November: a month of its own) may be removed only while the
    // rest stays at 0 hours or more.
    let plus = store.add_hours(&late(), &correction(&january, 11, dec!(0.5))).unwrap(); // 1
    store.delete_hours(&late(), plus.id).unwrap(); // 0,5
    let plus = store.add_hours(&late(), &correction(&january, 11, dec!(0.5))).unwrap(); // 1
    store.update_hours(&late(), &HoursEntry { hours: dec!(-1), ..august.clone() }).unwrap(); // 0,5
    store.update_hours(&late(), &HoursEntry { hours: dec!(-3.5), ..july.clone() }).unwrap(); // 0
    assert!(field_of(store.delete_hours(&late(), plus.id)).1.contains("op -0,5 uur"));
    // The grid: a correction line alone in its cell, cleared or set, is the same rule.
    let cell = |m: u32, hours: Option<Decimal>| CellChange {
        network: zwolle,
        partner: january.partner,
        month: month(m),
        hours,
        by_team_increase: false,
        double_funding_confirmed: false,
    };
    assert!(field_of(store.set_cell(&late(), &cell(11, None))).1.contains("op -0,5 uur"));
    assert!(field_of(store.set_cell(&late(), &cell(11, Some(dec!(0))))).1.contains("op -0,5 uur"));
    store.set_cell(&late(), &cell(11, Some(dec!(2)))).unwrap(); // 4 − 3,5 − 1 + 2 = 1,5

    // The corrected line itself, its quarter reopened: not lowered below what was taken back,
    // not removed while corrections name it.
    store.reopen_quarter(&late(), zwolle, quarter("2025-Q1"), "test").unwrap();
    let lowered = HoursEntry { hours: dec!(2), ..january.clone() }; // 2 − 2,5 = −0,5
    assert!(field_of(store.update_hours(&late(), &lowered)).1.contains("(2 uur) komt met de correcties op -0,5 uur"));
    assert!(field_of(store.set_cell(&late(), &cell(1, Some(dec!(2))))).1.contains("op -0,5 uur"));
    let removed = store.delete_hours(&late(), january.id).unwrap_err().to_string();
    assert!(removed.contains("heeft correcties (juli 2025, augustus 2025, november 2025)"), "{removed}");
    assert!(store.set_cell(&late(), &cell(1, None)).unwrap_err().to_string().contains("heeft correcties"));
    store.close_quarter(&late(), &[zwolle], quarter("2025-Q1"), &[]).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn a_quarter_that_corrections_take_below_zero_closes_with_a_claim_on_the_partner() {
    let (store, zwolle) = demo();
    close(&store, zwolle, "2025-Q1");
    // Q2: the physiotherapist records 1 hour a month, and corrects each 4-hour month of Q1 to 0.
    for m in 4..=6 {
        let line = fysio_line(&store, zwolle, m);
        store.update_hours(&late(), &HoursEntry { hours: dec!(1), ..line }).unwrap();
    }
    let mut corrections = Vec::new();
    for (m, q1) in [(4, 1), (5, 2), (6, 3)] {
        let line = fysio_line(&store, zwolle, q1);
        corrections.push(store.add_hours(&late(), &correction(&line, m, dec!(-4))).unwrap());
    }
    // Worth of Q2: 3 h − 12 h = −9 h × € 84,95 = € −764,55: paid too much in Q1.
    let preview = store.close_preview(&[zwolle], quarter("2025-Q2"), date(2025, 10, 15)).unwrap();
    let items: Vec<&str> = preview[0].checklist.iter().map(|i| i.text.as_str()).collect();
    let claim = "aan Fysiotherapie Zwolle-Zuid is eerder € 764,55 te veel betaald: vordering, verrekend met de volgende betalingen";
    assert!(items.contains(&claim), "{items:#?}");
    assert!(!items.iter().any(|i| i.contains("factuur van Fysiotherapie")), "no invoice is asked: {items:#?}");
    let batch = close(&store, zwolle, "2025-Q2");
    let claims: Vec<(&str, Decimal)> = batch.claims.iter().map(|c| (c.line.payee.as_str(), c.line.amount)).collect();
    assert_eq!(claims, vec![("Fysiotherapie Zwolle-Zuid", dec!(764.55))]);
    assert!(!batch.lines.iter().any(|l| l.payee.starts_with("Fysio")), "the physiotherapist is not paid");
    let open: Vec<Decimal> = store.open_claims().unwrap().iter().map(|c| c.open).collect();
    assert_eq!(open, vec![dec!(764.55)]);
    store.check_batch_for_export(&batch).unwrap();

    // Reopened and closed again unchanged: nothing new is claimed or paid.
    store.reopen_quarter(&late(), zwolle, quarter("2025-Q2"), "test").unwrap();
    let again = store.close_quarter(&late(), &[zwolle], quarter("2025-Q2"), &[]).unwrap();
    assert!(again.claims.is_empty() && !again.lines.iter().any(|l| l.payee.starts_with("Fysio")), "{again:?}");
    assert_eq!(store.open_claims().unwrap().iter().map(|c| c.open).collect::<Vec<_>>(), vec![dec!(764.55)]);

    // Reopened, one correction taken out (−5 h, € −424,75): the € 339,80 less that is owed is
    // set off against the open claim, not paid.
    store.reopen_quarter(&late(), zwolle, quarter("2025-Q2"), "test").unwrap();
    store.delete_hours(&late(), corrections[0].id).unwrap();
    let third = store.close_quarter(&late(), &[zwolle], quarter("2025-Q2"), &[]).unwrap();
    assert!(third.claims.is_empty() && !third.lines.iter().any(|l| l.payee.starts_with("Fysio")), "{third:?}");
    let set_off: Vec<Decimal> = third.set_offs.iter().map(|s| s.line.amount).collect();
    assert_eq!(set_off, vec![dec!(339.80)]);
    assert_eq!(store.open_claims().unwrap().iter().map(|c| c.open).collect::<Vec<_>>(), vec![dec!(424.75)]);
    store.check_batch_for_export(&third).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

/// Review: clearing a grid cell whose line is a correction downwards raises spending; over the
/// budget it is refused at the hours like any raise (not left to the store's money check).
#[test]
fn clearing_a_correction_cell_over_the_budget_is_refused_like_a_raise() {
    let (store, zwolle) = demo();
    close(&store, zwolle, "2025-Q1");
    let january = fysio_line(&store, zwolle, 1);
    let taken_back = store.add_hours(&late(), &correction(&january, 12, dec!(-1))).unwrap();
    let tariffs = store.tariff_book().unwrap();
    let fysio = store.partners(zwolle).unwrap().into_iter().find(|p| p.id == january.partner).unwrap();
    let per_hour =
        HoursEntry { hours: dec!(1), corrects: None, ..taken_back.clone() }.worth(&tariffs, fysio.category).unwrap();
    // Spend the budget down to less than the correction gives back.
    let remaining = store.partner_budget(zwolle, 2025).unwrap().remaining();
    let hours = ((remaining - per_hour / dec!(2)) / per_hour * dec!(4)).floor() / dec!(4);
    store
        .add_hours(
            &late(),
            &NewHours {
                month: month(11),
                hours,
                corrects: None,
                activity: String::new(),
                ..correction(&january, 11, hours)
            },
        )
        .unwrap();
    assert!(store.partner_budget(zwolle, 2025).unwrap().remaining() < per_hour);
    let clear = CellChange {
        network: zwolle,
        partner: january.partner,
        month: month(12),
        hours: None,
        by_team_increase: false,
        double_funding_confirmed: false,
    };
    let refused = store.set_cell(&late(), &clear);
    assert!(matches!(refused, Err(StoreError::Rule(DomainError::OverBudget { .. }))), "{refused:?}");
    assert!(store.hours_of(zwolle, 2025).unwrap().iter().any(|l| l.id == taken_back.id), "nothing removed");
    // The same rule on the line form's delete.
    let deleted = store.delete_hours(&late(), taken_back.id);
    assert!(matches!(deleted, Err(StoreError::Rule(DomainError::OverBudget { .. }))), "{deleted:?}");
}
