//! Invoices, the quarter close and its lock, at the store level (not only on screen).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::domain::close::PaymentKind;
use sidw::domain::{Invoice, InvoiceDecision, InvoiceId, Quarter, YearMonth};
use sidw::store::{NewHours, Store, StoreError};

fn demo_store() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn q1() -> Quarter {
    Quarter::parse("2025-Q1").unwrap()
}

fn id(store: &Store, name: &str) -> sidw::domain::NetworkId {
    store.network_by_name(name).unwrap().unwrap().id
}

#[test]
fn the_demo_has_a_closeable_quarter_and_one_that_is_not_ready() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let almere = id(&store, "Almere Haven");
    let preview = store.close_preview(&[zwolle, almere], q1(), date(2025, 10, 15)).unwrap();
    let failing = |i: usize| preview[i].checklist.iter().filter(|c| !c.ok).map(|c| c.text.clone()).collect::<Vec<_>>();
    assert!(preview[0].ready(), "{:#?}", failing(0));
    assert!(!preview[1].ready());
    let almere_failures = failing(1).join("\n");
    assert!(
        almere_failures.contains("factuur FAH 2025-101 van Fysio Almere Haven (€ 1.450,00): € 48,31 te hoog"),
        "{almere_failures}"
    );
    assert!(
        almere_failures.contains("factuur van Eerstelijnspsycholoog Haven ontbreekt (uren € 909,00)"),
        "{almere_failures}"
    );

    // Zwolle-Zuid Q1: 5 950,00 split 60/40, and four invoices that match the hours to the cent.
    let lines = &preview[0].payments;
    let practices: Vec<_> =
        lines.iter().filter(|l| l.kind == PaymentKind::Practice).map(|l| (l.payee.as_str(), l.amount)).collect();
    assert_eq!(practices, vec![("Huisartsenpraktijk De Esch", dec!(3570.00)), ("Huisartsen Assendorp", dec!(2380.00))]);
    let partners: Vec<_> = lines.iter().filter(|l| l.kind == PaymentKind::Partner).map(|l| l.amount).collect();
    assert_eq!(partners.len(), 4);
    assert_eq!(
        partners.iter().sum::<rust_decimal::Decimal>(),
        dec!(1019.40) + dec!(606.00) + dec!(534.15) + dec!(454.50)
    );
    assert_eq!(sidw::domain::close::total(lines), dec!(5950.00) + dec!(2614.05));
    // The psychologist's extra session paid by the practice team is listed, not paid.
    assert_eq!(preview[0].by_team.len(), 1);
    assert_eq!(preview[0].by_team[0].worth, dec!(202.00));
    assert!(lines.iter().all(|l| l.reference.contains("Zwolle-Zuid") && l.reference.contains("2025-Q1")));
}

#[test]
fn closing_locks_the_quarter_at_the_store_level() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let batch = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    assert_eq!(batch.number, "2025-Q1-0001");
    assert_eq!(batch.total(), dec!(8564.05));
    assert!(store.quarter_close(zwolle, q1()).unwrap().is_some());
    assert_eq!(store.audit_log().unwrap()[0].action, "kwartaal afgesloten");

    let fysio = store.partners(zwolle).unwrap().into_iter().find(|p| p.name.starts_with("Fysio")).unwrap();
    let january = store
        .hours_of(zwolle, 2025)
        .unwrap()
        .into_iter()
        .find(|l| l.partner == fysio.id && l.month == YearMonth::new(2025, 1).unwrap())
        .unwrap();
    // An import names the line it was refused at; the reason is the lock all the same.
    let locked = |result: Result<(), StoreError>| {
        matches!(result.as_ref().map_err(StoreError::root), Err(StoreError::QuarterClosed { .. }))
    };
    assert!(locked(store.add_hours(&ctx(), &new_hours(zwolle, fysio.id, 2, dec!(1))).map(drop)));
    assert!(locked(store.update_hours(&ctx(), &sidw::domain::HoursEntry { hours: dec!(5), ..january.clone() })));
    assert!(locked(store.delete_hours(&ctx(), january.id)));
    // Moving a line of an open quarter into the closed one is refused too.
    let april = store.add_hours(&ctx(), &new_hours(zwolle, fysio.id, 4, dec!(1))).unwrap();
    assert!(locked(
        store.update_hours(&ctx(), &sidw::domain::HoursEntry { month: YearMonth::new(2025, 3).unwrap(), ..april })
    ));
    assert!(locked(store.import_hours(&ctx(), &[new_hours(zwolle, fysio.id, 3, dec!(1))]).map(drop)));
    let invoice = store.invoices_of(zwolle, q1()).unwrap()[0].clone();
    assert!(locked(store.decide_invoice(&ctx(), zwolle, invoice.id, true, "").map(drop)));
    assert!(locked(store.delete_invoice(&ctx(), zwolle, invoice.id)));
    assert!(locked(
        store.add_invoice(&ctx(), &Invoice { id: InvoiceId(0), number: "NIEUW-1".into(), ..invoice.clone() }).map(drop)
    ));
    assert!(
        matches!(store.close_quarter(&ctx(), &[zwolle], q1(), &[]), Err(StoreError::Refused(ref m)) if m.contains("al afgesloten"))
    );

    // A correction goes into an open quarter and names the line it corrects; it may subtract.
    let correction = NewHours {
        month: YearMonth::new(2025, 5).unwrap(),
        hours: dec!(-1),
        corrects: Some(january.id),
        ..new_hours(zwolle, fysio.id, 5, dec!(1))
    };
    let stored = store.add_hours(&ctx(), &correction).unwrap();
    assert_eq!((stored.hours, stored.corrects), (dec!(-1), Some(january.id)));
    let open_line = store
        .hours_of(zwolle, 2025)
        .unwrap()
        .into_iter()
        .find(|l| l.month == YearMonth::new(2025, 4).unwrap())
        .unwrap();
    let wrong = NewHours { corrects: Some(open_line.id), ..correction.clone() };
    assert!(store.add_hours(&ctx(), &wrong).unwrap_err().to_string().contains("niet afgesloten"));
    let zero = NewHours { hours: dec!(0), ..correction };
    assert!(store.add_hours(&ctx(), &zero).is_err());
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn reopening_needs_a_reason_and_keeps_the_batch() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let batch = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    assert!(store.reopen_quarter(&ctx(), zwolle, q1(), "  ").is_err());
    store.reopen_quarter(&ctx(), zwolle, q1(), "IBAN van de pedicure was verouderd").unwrap();
    assert!(store.quarter_close(zwolle, q1()).unwrap().is_none());
    let kept = store.batch(batch.id).unwrap();
    assert_eq!(kept.lines, batch.lines, "the earlier batch stays on record");
    assert_eq!(kept.reopenings.len(), 1);
    assert!(!kept.is_current_for(zwolle));
    let fysio = store.partners(zwolle).unwrap()[0].clone();
    assert!(fysio.name.starts_with("Fysio"));
    store.add_hours(&ctx(), &new_hours(zwolle, fysio.id, 2, dec!(0.5))).unwrap();
    // The invoice no longer matches the hours: the close says so, to the cent.
    let error = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap_err().to_string();
    assert!(error.contains("€ 42,48 te laag"), "{error}");
    let invoice = store.invoices_of(zwolle, q1()).unwrap().into_iter().find(|i| i.partner == fysio.id).unwrap();
    store.decide_invoice(&ctx(), zwolle, invoice.id, true, "half uur extra niet gefactureerd").unwrap();
    let second = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    assert_eq!(second.number, "2025-Q1-0002");
    // The first batch was reopened before its payment file was written: it paid nothing, so the
    // second pays the quarter in full (the same amounts: the approved invoice pays what it asks).
    let amounts =
        |b: &sidw::domain::close::PaymentBatch| b.lines.iter().map(|l| (l.payee.clone(), l.amount)).collect::<Vec<_>>();
    assert_eq!(amounts(&second), amounts(&batch), "nothing went out before the reopen: all is paid now");
    crate::common::file_written(&store, zwolle, q1(), &ctx());
    // Closed once more without changes after its file went out: nothing twice.
    store.reopen_quarter(&ctx(), zwolle, q1(), "controle").unwrap();
    let third = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    assert!(third.lines.is_empty(), "everything was paid by the second batch: nothing twice, {:?}", third.lines);
    crate::common::file_written(&store, zwolle, q1(), &ctx());

    // Reopened again, the pharmacy's invoice rejected: what it was paid is a claim, not a payment.
    store.reopen_quarter(&ctx(), zwolle, q1(), "apotheek factuur onterecht").unwrap();
    let pharmacy = store.invoices_of(zwolle, q1()).unwrap().into_iter().find(|i| i.number == "AZ/2025/1").unwrap();
    store.decide_invoice(&ctx(), zwolle, pharmacy.id, false, "dubbelfinanciering, niet uit 1,15").unwrap();
    let preview = store.close_preview(&[zwolle], q1(), date(2025, 10, 15)).unwrap();
    let warning = preview[0].checklist.iter().find(|i| i.warning).expect("a warning");
    assert!(
        warning.text.contains("aan Apotheek Zuid is eerder € 454,50 te veel betaald: vordering"),
        "{}",
        warning.text
    );
    assert!(preview[0].payments.is_empty());
    assert_eq!(preview[0].claims.len(), 1);
    assert_eq!((preview[0].claims[0].line.payee.as_str(), preview[0].claims[0].open), ("Apotheek Zuid", dec!(454.50)));
}

#[test]
fn invoice_matching_and_decisions() {
    let store = demo_store();
    let almere = id(&store, "Almere Haven");
    let invoices = store.invoices_of(almere, q1()).unwrap();
    let over = invoices.iter().find(|i| i.number == "FAH 2025-101").unwrap();
    assert_eq!(store.invoiced_worth(over).unwrap(), dec!(1401.69));
    // A mismatch is approved only with a reason; the reason is audited.
    let error = store.decide_invoice(&ctx(), almere, over.id, true, "").unwrap_err();
    assert!(error.to_string().contains("reden"), "{error}");
    let approved =
        store.decide_invoice(&ctx(), almere, over.id, true, "extra materiaal afgesproken met kartrekker").unwrap();
    assert!(matches!(approved.decision, InvoiceDecision::Approved { ref reason, .. } if reason.contains("materiaal")));
    assert!(store.audit_log().unwrap()[0].after.as_deref().unwrap().contains("extra materiaal"));
    let rejected = store.decide_invoice(&ctx(), almere, over.id, false, "dubbel gefactureerd").unwrap();
    assert!(matches!(rejected.decision, InvoiceDecision::Rejected { .. }));
    assert!(store.decide_invoice(&ctx(), almere, over.id, false, "").is_err(), "rejection needs a reason");

    // The same number twice for one partner is refused, whatever the case or spaces.
    let duplicate =
        Invoice { id: InvoiceId(0), number: " fah 2025-101 ".into(), decision: InvoiceDecision::Open, ..over.clone() };
    let error = store.add_invoice(&ctx(), &duplicate).unwrap_err();
    assert!(error.to_string().contains("al een factuur met nummer"), "{error}");

    // Under: an invoice lower than the hours needs a reason as well; exact needs none.
    let psy = store.partners(almere).unwrap().into_iter().find(|p| p.name.starts_with("Eerstelijns")).unwrap();
    let under = store
        .add_invoice(
            &ctx(),
            &Invoice {
                id: InvoiceId(0),
                partner: psy.id,
                number: "EP-1".into(),
                amount: dec!(900.00),
                decision: InvoiceDecision::Open,
                ..over.clone()
            },
        )
        .unwrap();
    assert!(store.decide_invoice(&ctx(), almere, under.id, true, "").is_err());
    store.delete_invoice(&ctx(), almere, under.id).unwrap();
    let exact = store
        .add_invoice(
            &ctx(),
            &Invoice {
                id: InvoiceId(0),
                partner: psy.id,
                number: "EP-2".into(),
                amount: dec!(909.00),
                decision: InvoiceDecision::Open,
                ..over.clone()
            },
        )
        .unwrap();
    store.decide_invoice(&ctx(), almere, exact.id, true, "").unwrap();
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn a_region_closes_all_or_nothing() {
    let store = demo_store();
    let flevoland = sidw::store::region_networks(&store, sidw::domain::Region::Flevoland).unwrap();
    assert_eq!(flevoland.len(), 2);
    let error = store.close_quarter(&ctx(), &flevoland, q1(), &[]).unwrap_err().to_string();
    assert!(error.contains("Almere Haven: factuur van Eerstelijnspsycholoog Haven ontbreekt"), "{error}");
    assert!(!error.contains("Lelystad-Atolwijk"), "a network not funded yet has nothing to close: {error}");
    for network in &flevoland {
        assert!(store.quarter_close(*network, q1()).unwrap().is_none(), "nothing closed");
    }
}

#[test]
fn a_second_standing_invoice_blocks_and_an_approval_holds_only_for_its_hours() {
    let store = demo_store();
    let zwolle = id(&store, "Zwolle-Zuid");
    let invoices = store.invoices_of(zwolle, q1()).unwrap();
    let pharmacy_invoice = invoices.iter().find(|i| i.number == "AZ/2025/1").unwrap().clone();
    // The same invoice entered twice under another number: both would match.
    let twice = store
        .add_invoice(&ctx(), &Invoice { id: InvoiceId(0), number: "DUP-1".into(), ..pharmacy_invoice.clone() })
        .unwrap();
    let error = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap_err().to_string();
    assert!(error.contains("2 facturen van Apotheek Zuid staan open of goedgekeurd"), "{error}");
    store.decide_invoice(&ctx(), zwolle, twice.id, false, "dubbel ingevoerd").unwrap();

    // Approved while matching; then the hours change: the approval no longer holds.
    let fysio = invoices.iter().find(|i| i.number == "FZZ-2025-014").unwrap().clone();
    store.decide_invoice(&ctx(), zwolle, fysio.id, true, "").unwrap();
    let january = store
        .hours_of(zwolle, 2025)
        .unwrap()
        .into_iter()
        .find(|l| l.partner == fysio.partner && l.month == YearMonth::new(2025, 1).unwrap())
        .unwrap();
    store.update_hours(&ctx(), &sidw::domain::HoursEntry { hours: dec!(1), ..january }).unwrap();
    let error = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap_err().to_string();
    assert!(error.contains("goedgekeurd bij uren € 1.019,40, nu € 764,55: opnieuw beoordelen"), "{error}");
    store.decide_invoice(&ctx(), zwolle, fysio.id, true, "januari na controle 1 uur").unwrap();
    let batch = store.close_quarter(&ctx(), &[zwolle], q1(), &[]).unwrap();
    let apotheek: Vec<_> = batch.lines.iter().filter(|l| l.payee == "Apotheek Zuid").collect();
    assert_eq!(apotheek.len(), 1, "paid once");
}
