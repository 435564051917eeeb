//! The close screen shows what is not paid: the excess of an invoice above its hours (for the
//! practice team), and a quarter that has not ended cannot be closed from the screen either.

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::app::Mode;

#[test]
fn the_excess_above_the_hours_is_listed_on_the_close_screen_and_not_paid() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Almere Haven<Enter>:kwartaal 2025-Q1<Enter>");
    let view = app.budget.view.as_ref().unwrap();
    let partners = view.partners.clone();
    let network = view.network.id;
    let fysio = partners.iter().find(|p| p.name == "Fysio Almere Haven").unwrap();
    let psych = partners.iter().find(|p| p.name == "Eerstelijnspsycholoog Haven").unwrap();
    let ctx = sidw::store::ChangeContext::new("anna", chrono::Utc::now());
    let store = app.store().clone();
    let invoice = store
        .invoices_of(network, sidw::domain::Quarter::parse("2025-Q1").unwrap())
        .unwrap()
        .into_iter()
        .find(|i| i.partner == fysio.id)
        .unwrap();
    store.decide_invoice(&ctx, network, invoice.id, true, "reistijd afgesproken").unwrap();
    let mut missing = invoice.clone();
    missing.partner = psych.id;
    missing.number = "EPH-1".into();
    missing.amount = dec!(909.00);
    missing.decision = sidw::domain::InvoiceDecision::Open;
    store.add_invoice(&ctx, &missing).unwrap();
    press(&mut app, ":kwartaal 2025-Q1<Enter>a");
    let Mode::Close(screen) = &app.mode else { panic!("the close screen opens: {:?}", app.message) };
    assert_eq!(screen.blocking(), 0);
    assert_eq!(screen.total(), dec!(16978.99), "the physio is paid its hours, € 1.401,69");
    // The listed rows follow the payments (at 80×24 after PgDn; here all at once).
    let text = screen_text(&app, 100, 40);
    contains_all(&text, &["verschil", "Fysio Almere Haven", "voor het praktijkteam", "€ 48,31"]);
    press(&mut app, "c");
    contains_all(
        &screen_text(&app, 80, 24),
        &["Niet betaald: € 48,31 boven de uren (verschil voor het praktijkteam)."],
    );
}
