//! Invoices and the quarter close from the screen: keys in, state and store out.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::app::{Mode, Pane};
use sidw::domain::{InvoiceDecision, Quarter};

fn q1(app: &mut sidw::app::App, network: &str) {
    press(app, &format!("3:netwerk {network}<Enter>:kwartaal 2025-Q1<Enter>"));
    assert_eq!(app.budget.view.as_ref().unwrap().network.name, network);
}

#[test]
fn close_a_ready_quarter_in_two_steps_and_find_it_locked() {
    let mut app = demo_app();
    q1(&mut app, "Zwolle-Zuid");
    let network = app.budget.view.as_ref().unwrap().network.id;
    press(&mut app, "a");
    let Mode::Close(screen) = &app.mode else { panic!("the close screen opens") };
    assert_eq!(screen.blocking(), 0);
    assert_eq!(screen.total(), dec!(8564.05));
    assert!(screen_text(&app, 80, 24).contains("klaar om af te sluiten"));

    press(&mut app, "cn");
    assert!(matches!(app.mode, Mode::Close(_)), "n goes back, nothing closed");
    assert!(app.store().quarter_close(network, Quarter::parse("2025-Q1").unwrap()).unwrap().is_none());
    press(&mut app, "cx"); // a key that answers nothing keeps the question
    assert!(matches!(app.mode, Mode::Confirm(_)));
    press(&mut app, "j");
    assert!(screen_text(&app, 80, 24).contains("stap 2 van 2"));
    press(&mut app, "a");
    assert!(matches!(app.mode, Mode::Close(_)));
    assert!(app.message.as_ref().unwrap().text.contains("batch 2025-Q1-0001"), "{:?}", app.message);
    assert!(app.store().quarter_close(network, Quarter::parse("2025-Q1").unwrap()).unwrap().is_some());
    assert_eq!(app.store().audit_log().unwrap()[0].user, "anna");

    press(&mut app, "<Esc>");
    assert!(screen_text(&app, 80, 24).contains("AFGESLOTEN"));
    let lines_before = app.store().hours_of(network, 2025).unwrap();
    press(&mut app, "j7");
    assert!(matches!(app.mode, Mode::Normal), "typing in a locked cell does not start editing");
    assert!(app.message.as_ref().unwrap().text.contains("afgesloten"));
    assert_eq!(app.store().hours_of(network, 2025).unwrap(), lines_before);

    // A correction goes into an open month and names the locked line.
    press(&mut app, "<Enter>c");
    let Mode::Form(form, _) = &app.mode else { panic!("correction form: {:?}", app.message) };
    assert_eq!(form.value(0), "2025-10");
    press(&mut app, "<Tab>-1<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let correction =
        app.store().hours_of(network, 2025).unwrap().into_iter().find(|l| l.corrects.is_some()).expect("stored");
    assert_eq!(correction.hours, dec!(-1));
    assert_eq!(correction.month.to_string(), "2025-10");
    // Taking back more than the line has left is refused at the hours field, nothing saved.
    press(&mut app, "<Enter>c<Tab>-99<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the form stays open: {:?}", app.message) };
    let error = form.fields[1].error.as_deref().unwrap_or_default();
    assert!(error.contains("komt met de correcties op") && error.contains("samen niet onder 0 uur"), "{error}");
    let corrections = app.store().hours_of(network, 2025).unwrap().into_iter().filter(|l| l.corrects.is_some()).count();
    assert_eq!(corrections, 1);
}

#[test]
fn a_quarter_that_is_not_ready_says_what_to_fix_and_gets_fixed_from_the_screen() {
    let mut app = demo_app();
    q1(&mut app, "Almere Haven");
    press(&mut app, "a");
    let Mode::Close(screen) = &app.mode else { panic!() };
    assert_eq!(screen.blocking(), 2);
    press(&mut app, "c");
    assert!(app.message.as_ref().unwrap().text.contains("Nog 2 punten open"));
    // The first failing item is the physiotherapist's invoice: Enter goes to its row.
    press(&mut app, "<Enter>");
    assert_eq!(app.pane, Pane::Budget);
    assert_eq!(app.budget.selected_partner().unwrap().name, "Fysio Almere Haven");
    assert!(screen_text(&app, 80, 24).contains("€ +48,31"));
    press(&mut app, "o<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("a mismatch needs a reason") };
    assert!(form.fields[0].error.as_deref().unwrap().contains("reden"));
    press(&mut app, "materiaalkosten afgesproken<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let network = app.budget.view.as_ref().unwrap().network.id;
    let q = Quarter::parse("2025-Q1").unwrap();
    let invoices = app.store().invoices_of(network, q).unwrap();
    assert!(invoices.iter().any(
        |i| matches!(&i.decision, InvoiceDecision::Approved { reason, .. } if reason == "materiaalkosten afgesproken")
    ));

    // The psychologist's invoice: recorded with f, it matches at once.
    let psy =
        app.budget.view.as_ref().unwrap().partners.iter().position(|p| p.name.starts_with("Eerstelijns")).unwrap();
    app.budget.row = psy;
    press(&mut app, "fEP-2025-1<Tab><Tab>909,00<Enter>");
    assert!(app.message.as_ref().unwrap().text.contains("klopt"), "{:?}", app.message);
    press(&mut app, "fEP-2025-1<Tab><Tab>1,00<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("a duplicate number is refused in the form") };
    assert!(form.error.as_deref().unwrap().contains("al een factuur met nummer EP-2025-1"));
    // Esc on a typed form asks before throwing it away.
    press(&mut app, "<Esc>");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    press(&mut app, "ja");
    let Mode::Close(screen) = &app.mode else { panic!() };
    assert_eq!(screen.blocking(), 0);
    press(&mut app, "cja");
    assert!(app.store().quarter_close(network, q).unwrap().is_some());
}

#[test]
fn the_close_screen_at_both_sizes() {
    let mut app = demo_app();
    q1(&mut app, "Zwolle-Zuid");
    assert!(screen_text(&app, 80, 24).contains("Factuur"));
    press(&mut app, "a");
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = screen_text(&app, w, h);
        for text in [
            "Kwartaalafsluiting 2025-Q1",
            "Checklist",
            "✓ samenwerkingsovereenkomst praktijkteam getekend",
            "Betalingen · totaal € 8.564,05",
            "€ 3.570,00",
        ] {
            assert!(screen.contains(text), "missing '{text}' at {w}x{h}:\n{screen}");
        }
    }
    let wide = screen_text(&app, 120, 40);
    assert!(wide.contains("niet via secretariaat"), "{wide}");
    press(&mut app, "r");
    let Mode::Close(screen) = &app.mode else { panic!() };
    assert!(screen.region_wide);
}

#[test]
fn a_partner_with_several_invoices_gets_a_list_to_decide_and_delete() {
    let mut app = demo_app();
    q1(&mut app, "Almere Haven");
    let fysio = app.budget.view.as_ref().unwrap().partners.iter().position(|p| p.name == "Fysio Almere Haven").unwrap();
    app.budget.row = fysio;
    press(&mut app, "fNEW-1<Tab><Tab>1.401,69<Enter>");
    assert!(app.message.as_ref().unwrap().text.contains("klopt"), "{:?}", app.message);
    press(&mut app, "o");
    assert!(matches!(app.mode, Mode::Invoices(0)), "several invoices: choose one");
    assert!(screen_text(&app, 80, 24).contains("FAH 2025-101"));
    press(&mut app, "rvervangen door NEW-1<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let network = app.budget.view.as_ref().unwrap().network.id;
    let q = Quarter::parse("2025-Q1").unwrap();
    let invoices = app.store().invoices_of(network, q).unwrap();
    let fah = invoices.iter().find(|i| i.number == "FAH 2025-101").unwrap();
    assert!(matches!(fah.decision, InvoiceDecision::Rejected { .. }), "{:?}", app.message);
    // A typo'd invoice is deleted from the list, after a question; its number is free again.
    press(&mut app, "fTYPO<Tab><Tab>1,00<Enter>ijjx");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    press(&mut app, "j");
    assert_eq!(app.store().invoices_of(network, q).unwrap().len(), 3, "LF, FAH and NEW-1; TYPO gone");
    press(&mut app, "<Esc>a");
    let Mode::Close(screen) = &app.mode else { panic!() };
    assert_eq!(screen.blocking(), 1, "only the psychologist's missing invoice is left");
}
