//! Practice shares with history (SPEC §9): a quarter uses the split in force on its first day, and
//! a closed quarter keeps its split.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use sidw::app::Mode;
use sidw::domain::budget::practice_team_split;
use sidw::domain::{NetworkId, PracticeTeam, Quarter};
use sidw::store::{Store, StoreError};

fn demo_store() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn zwolle(store: &Store) -> NetworkId {
    store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id
}

fn q(text: &str) -> Quarter {
    Quarter::parse(text).unwrap()
}

/// The amounts of the network's practice-team split in a quarter, as stored now.
fn split(store: &Store, network: NetworkId, quarter: &str) -> Vec<Decimal> {
    let team = store.practice_team(network).unwrap();
    let tariffs = store.tariff_book().unwrap();
    practice_team_split(&store.network(network).unwrap(), &team, &tariffs, q(quarter))
        .unwrap()
        .into_iter()
        .map(|(_, amount)| amount)
        .collect()
}

/// The stored team with 50/50 from `from` on.
fn fifty_fifty_from(store: &Store, network: NetworkId, from: chrono::NaiveDate) -> PracticeTeam {
    let mut team = store.practice_team(network).unwrap();
    for practice in &mut team.practices {
        practice.set_share(from, dec!(50));
    }
    team
}

#[test]
fn a_share_change_from_1_july_keeps_q1_and_q2_and_changes_q3() {
    let store = demo_store();
    let network = zwolle(&store);
    let sixty_forty = vec![dec!(3570.00), dec!(2380.00)];
    assert_eq!(split(&store, network, "2025-Q2"), sixty_forty, "the demo's Zwolle-Zuid is 60/40");
    store.save_practice_team(&ctx(), &fifty_fifty_from(&store, network, date(2025, 7, 1))).unwrap();
    assert_eq!(split(&store, network, "2025-Q1"), sixty_forty);
    assert_eq!(split(&store, network, "2025-Q2"), sixty_forty);
    assert_eq!(split(&store, network, "2025-Q3"), vec![dec!(2975.00), dec!(2975.00)]);
    assert_eq!(split(&store, network, "2025-Q4"), vec![dec!(2975.00), dec!(2975.00)]);
    // The payment reference names the share of the quarter's first day.
    let preview = store.close_preview(&[network], q("2025-Q2"), date(2025, 10, 15)).unwrap();
    assert!(preview[0].payments.iter().any(|l| l.reference.ends_with("praktijkteamgeld 60 %")));
    let preview = store.close_preview(&[network], q("2025-Q3"), date(2025, 10, 15)).unwrap();
    assert!(preview[0].payments.iter().any(|l| l.reference.ends_with("praktijkteamgeld 50 %")));
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn a_share_change_that_would_change_a_closed_quarter_is_refused() {
    let store = demo_store();
    let network = zwolle(&store);
    store.close_quarter(&ctx(), &[network], q("2025-Q1"), &[]).unwrap();
    assert_eq!(store.closed_quarters(network).unwrap(), vec![q("2025-Q1")]);
    let before = store.practice_team(network).unwrap();
    let audit = store.audit_log().unwrap().len();

    for from in [date(2024, 12, 31), date(2025, 1, 1)] {
        let error = store.save_practice_team(&ctx(), &fifty_fifty_from(&store, network, from)).unwrap_err();
        let StoreError::Refused(message) = &error else { panic!("{from}: {error:?}") };
        assert!(message.contains("2025-Q1 van Zwolle-Zuid is afgesloten"), "{message}");
        assert!(message.contains("vanaf 01-04-2025"), "{message}");
    }
    assert_eq!(store.practice_team(network).unwrap(), before, "nothing stored");
    assert_eq!(store.audit_log().unwrap().len(), audit, "no audit entry for a refused change");

    // One day later the closed quarter's first day keeps 60/40: allowed, and Q2 follows it.
    store.save_practice_team(&ctx(), &fifty_fifty_from(&store, network, date(2025, 1, 2))).unwrap();
    assert_eq!(split(&store, network, "2025-Q1"), vec![dec!(3570.00), dec!(2380.00)]);
    assert_eq!(split(&store, network, "2025-Q2"), vec![dec!(2975.00), dec!(2975.00)]);

    // A change that leaves the shares alone (a new IBAN) is never refused.
    let mut renamed = store.practice_team(network).unwrap();
    renamed.practices[0].name = "Huisartsenpraktijk De Esch-Zuid".into();
    store.save_practice_team(&ctx(), &renamed).unwrap();
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn the_first_open_share_date_follows_the_last_closed_quarter() {
    let store = demo_store();
    let network = zwolle(&store);
    assert_eq!(store.first_open_share_date(network, q("2025-Q1")).unwrap(), date(2025, 1, 1));
    store.close_quarter(&ctx(), &[network], q("2025-Q1"), &[]).unwrap();
    assert_eq!(store.first_open_share_date(network, q("2025-Q1")).unwrap(), date(2025, 4, 1));
    assert_eq!(store.first_open_share_date(network, q("2025-Q4")).unwrap(), date(2025, 10, 1));
}

#[test]
fn the_split_form_asks_from_when_the_new_split_applies_and_undo_restores_it() {
    let mut app = demo_app();
    press(&mut app, "1/zwolle<Enter>");
    let network = app.networks.selected().unwrap().network.id;
    let before = app.store().practice_team(network).unwrap();
    press(&mut app, "v");
    let Mode::Form(form, _) = &app.mode else { panic!("the split form opens: {:?}", app.message) };
    assert_eq!(form.fields[0].label, "Geldt vanaf");
    assert_eq!(form.fields[0].value(), "01-10-2025", "the first day of the current quarter (today 15-10-2025)");
    assert_eq!(form.fields[1].value(), "60");
    assert_eq!(form.fields[2].value(), "40");
    // A day that is no date stays at the field; nothing is stored.
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "31-06-2025<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the form stays open") };
    assert!(form.fields[0].error.is_some());
    assert_eq!(app.store().practice_team(network).unwrap(), before);
    // From 1 July: 50/50.
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-07-2025<Tab><BS><BS>50<Tab><BS><BS>50<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let team = app.store().practice_team(network).unwrap();
    assert_eq!(team.shares_on(date(2025, 6, 30)), vec![dec!(60), dec!(40)]);
    assert_eq!(team.shares_on(date(2025, 7, 1)), vec![dec!(50), dec!(50)]);
    // The detail shows the split in force and the earlier one.
    let text = screen_text(&app, 160, 60);
    contains_all(
        &text,
        &[
            "Verdeling praktijkteamgeld:",
            "vanaf 01-10-2020 (eerder): 60 / 40 %",
            "vanaf 01-07-2025 (geldt nu): 50 / 50 %",
        ],
    );
    press(&mut app, "u");
    assert_eq!(app.store().practice_team(network).unwrap(), before, "undo restores the split");
    // A split still to come is listed as later; this quarter's stays in force.
    press(&mut app, "v");
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-01-2026<Tab><BS><BS>55<Tab><BS><BS>45<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let text = screen_text(&app, 160, 60);
    contains_all(&text, &["vanaf 01-10-2020 (geldt nu): 60 / 40 %", "vanaf 01-01-2026 (later): 55 / 45 %"]);
    assert!(text.contains("Huisartsenpraktijk De Esch  60 %"), "the practice line shows this quarter's share");
}

#[test]
fn the_split_form_refuses_a_date_in_a_closed_quarter_at_the_form() {
    let mut app = demo_app();
    let network = zwolle(app.store());
    app.store().close_quarter(&ctx(), &[network], q("2025-Q1"), &[]).unwrap();
    press(&mut app, "1/zwolle<Enter>v");
    let Mode::Form(_, _) = &app.mode else { panic!("the split form opens") };
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-01-2025<Tab><BS><BS>50<Tab><BS><BS>50<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("refused, the form stays open: {:?}", app.message) };
    let shown = format!("{:?} {:?}", form.error, app.message);
    assert!(shown.contains("2025-Q1 van Zwolle-Zuid is afgesloten"), "{shown}");
    assert_eq!(app.store().practice_team(network).unwrap().shares_on(date(2025, 1, 1)), vec![dec!(60), dec!(40)]);
    // The first day of the next quarter is allowed.
    press(&mut app, "<Esc>j");
    assert!(matches!(app.mode, Mode::Normal), "discarded: {:?}", app.message);
    press(&mut app, "v");
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-04-2025<Tab><BS><BS>50<Tab><BS><BS>50<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    assert_eq!(app.store().practice_team(network).unwrap().shares_on(date(2025, 4, 1)), vec![dec!(50), dec!(50)]);
}

#[test]
fn the_first_practice_of_a_team_has_its_share_from_the_start_of_funding() {
    let mut app = demo_app();
    let network = app.store().create_network(&ctx(), &draft_network("Dalfsen-Noord")).unwrap();
    app.reload();
    press(&mut app, "1/dalfsen<Enter>p");
    let Mode::Form(form, _) = &app.mode else { panic!("the practice form opens") };
    assert_eq!(form.fields[3].value(), "100", "the only practice has 100 %");
    press(&mut app, "Praktijk Dalfsen<Tab>01099998<Tab>NL91ABNA0417164300<Tab><Tab>1500<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let team = app.store().practice_team(network).unwrap();
    // Funded since 1 January 2024: every funded quarter has a split.
    assert_eq!(team.practices[0].shares, vec![sidw::domain::ShareFrom { from: date(2024, 1, 1), share: dec!(100) }]);
    assert_eq!(team.shares_on(date(2023, 12, 31)), vec![Decimal::ZERO]);
}

#[test]
fn changing_a_practice_s_percentage_asks_the_split_and_its_date() {
    let mut app = demo_app();
    press(&mut app, "1/zwolle<Enter>");
    let network = app.networks.selected().unwrap().network.id;
    let before = app.store().practice_team(network).unwrap();
    // The practice form of De Esch, the first item of the detail.
    press(&mut app, "<Enter>e");
    let Mode::Form(form, _) = &app.mode else { panic!("the practice form opens: {:?}", app.message) };
    assert!(form.title.contains("De Esch"), "{}", form.title);
    assert_eq!(form.fields[3].value(), "60");
    press(&mut app, "<Tab><Tab><Tab><BS><BS>70<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the split form follows: {:?}", app.message) };
    assert_eq!(form.fields[0].label, "Geldt vanaf");
    assert_eq!(form.fields[1].value(), "70", "the new percentage waits in the split form");
    assert_eq!(app.store().practice_team(network).unwrap(), before, "nothing stored yet");
    press(&mut app, "<Tab><Tab><BS><BS>30<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let team = app.store().practice_team(network).unwrap();
    assert_eq!(team.shares_on(date(2025, 9, 30)), vec![dec!(60), dec!(40)]);
    assert_eq!(team.shares_on(date(2025, 10, 1)), vec![dec!(70), dec!(30)]);
}
