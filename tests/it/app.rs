//! The app driven by keys over a temporary store, as a user types: state and what is stored.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::app::{Mode, Pane};
use sidw::domain::YearMonth;

fn zwolle_q3(app: &mut sidw::app::App) {
    press(app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>");
    assert_eq!(app.pane, Pane::Budget);
    assert_eq!(app.budget.view.as_ref().unwrap().network.name, "Zwolle-Zuid");
    assert_eq!(app.budget.quarter.to_string(), "2025-Q3");
}

fn remaining(app: &sidw::app::App) -> rust_decimal::Decimal {
    app.budget.view.as_ref().unwrap().budget.unwrap().remaining()
}

#[test]
fn typing_hours_shows_the_new_remaining_budget_after_every_key_before_saving() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    assert_eq!(remaining(&app), dec!(1116.85));
    press(&mut app, "j"); // Fysiotherapie Zwolle-Zuid, July: 4 h = € 339,80
    assert_eq!(app.budget.selected_partner().unwrap().name, "Fysiotherapie Zwolle-Zuid");

    press(&mut app, "1");
    assert!(matches!(app.mode, Mode::CellEdit(_)));
    assert_eq!(app.preview().unwrap().remaining, dec!(1371.70)); // 1116.85 + 339.80 − 84.95
    assert!(screen_text(&app, 80, 24).contains("€ 1.371,70"));
    press(&mut app, ",");
    assert_eq!(app.preview().unwrap().remaining, dec!(1371.70));
    press(&mut app, "5");
    let preview = app.preview().unwrap();
    assert_eq!(preview.worth, dec!(127.43)); // 1,5 × 84,95 = 127,425
    assert_eq!(preview.remaining, dec!(1329.22));
    assert!(screen_text(&app, 80, 24).contains("€ 1.329,22"));
    let network = app.budget.view.as_ref().unwrap().network.id;
    let stored = |app: &sidw::app::App| {
        app.store()
            .hours_of(network, 2025)
            .unwrap()
            .into_iter()
            .filter(|l| l.month == YearMonth::new(2025, 7).unwrap())
            .map(|l| l.hours)
            .sum::<rust_decimal::Decimal>()
    };
    assert_eq!(stored(&app), dec!(9), "nothing saved before Enter: July is fysio 4 + pedicure 3 + psycholoog 2");

    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(remaining(&app), dec!(1329.22));
    assert_eq!(app.budget.row, 2, "Enter moves down");
    let fysio = app.budget.view.as_ref().unwrap().partners[1].id;
    let july: Vec<_> = app
        .store()
        .hours_of(network, 2025)
        .unwrap()
        .into_iter()
        .filter(|l| l.partner == fysio && l.month == YearMonth::new(2025, 7).unwrap())
        .collect();
    assert_eq!(july.len(), 1);
    assert_eq!(july[0].hours, dec!(1.5));
    assert_eq!(app.store().audit_log().unwrap()[0].user, "anna");
    assert!(app.store().check().unwrap().is_ok());
}

#[test]
fn escape_cancels_and_tab_saves_to_the_right() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    press(&mut app, "j9<Esc>");
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(remaining(&app), dec!(1116.85));
    press(&mut app, "2<Tab>");
    assert_eq!(app.budget.col, 1);
    assert_eq!(remaining(&app), dec!(1116.85) + dec!(339.80) - dec!(169.90));
}

#[test]
fn over_budget_asks_and_saves_only_as_paid_by_the_practice_team() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    press(&mut app, "jj"); // Pedicure: 3 h in July
    press(&mut app, "50");
    let shortfall = app.preview().unwrap().shortfall.expect("50 h of pedicure does not fit");
    assert!(screen_text(&app, 80, 24).contains("Tekort"));
    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    assert!(
        screen_text(&app, 80, 24).contains("betaald door praktijkteam"),
        "choices visible:\n{}",
        screen_text(&app, 80, 24)
    );
    press(&mut app, "n");
    assert!(matches!(app.mode, Mode::CellEdit(_)), "back to the number, nothing saved");
    assert_eq!(remaining(&app), dec!(1116.85));
    press(&mut app, "<Enter>b");
    assert!(matches!(app.mode, Mode::Normal));
    let view = app.budget.view.as_ref().unwrap();
    let pedicure = view.partners[2].id;
    let lines = view.cell_lines(pedicure, YearMonth::new(2025, 7).unwrap());
    // Issue 11 item 4: the earlier 3 h stay on the € 1,15; only the increase (47 h) is paid by the
    // practice team, so the remaining budget does not move.
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().any(|l| !l.paid_by_practice_team && l.hours == dec!(3)));
    assert!(lines.iter().any(|l| l.paid_by_practice_team && l.hours == dec!(47)));
    assert_eq!(remaining(&app), dec!(1116.85));
    // The dialog showed the shortfall of the increase: 47 h × € 59,35 − € 1.116,85.
    assert_eq!(shortfall, dec!(47) * dec!(59.35) - dec!(1116.85));
}

#[test]
fn a_pharmacy_asks_for_confirmation_once_per_partner_and_quarter() {
    let mut app = demo_app();
    zwolle_q3(&mut app); // row 0: Apotheek Zuid, no hours in Q3
    press(&mut app, "1<Enter>");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    assert!(screen_text(&app, 80, 24).contains("dubbelfinanciering"));
    press(&mut app, "j");
    assert!(matches!(app.mode, Mode::Normal));
    press(&mut app, "k<Right>1<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "not asked again this quarter");
    let network = app.budget.view.as_ref().unwrap().network.id;
    let pharmacy = app.budget.view.as_ref().unwrap().partners[0].id;
    let lines: Vec<_> = app
        .store()
        .hours_of(network, 2025)
        .unwrap()
        .into_iter()
        .filter(|l| l.partner == pharmacy && l.month.quarter() == app.budget.quarter)
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.double_funding_confirmed), "the confirmation is recorded");
    press(&mut app, "]k1<Enter>");
    assert!(matches!(app.mode, Mode::Confirm(_)), "a new quarter asks again");
}

#[test]
fn undo_takes_back_the_last_save_as_an_audited_change() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    let before = remaining(&app);
    let audit = app.store().audit_log().unwrap().len();
    press(&mut app, "j6<Enter>");
    assert_ne!(remaining(&app), before);
    press(&mut app, "u");
    assert_eq!(remaining(&app), before);
    let log = app.store().audit_log().unwrap();
    assert_eq!(log.len(), audit + 2);
    assert_eq!(log[0].action, "uren ongedaan gemaakt");
    assert!(log[0].after.as_deref().unwrap().contains("\"hours\":\"4\""));
    press(&mut app, "u");
    press(&mut app, "u");
    assert!(app.message.as_ref().unwrap().text.contains("Niets om ongedaan"));
}

#[test]
fn equals_copies_the_previous_month() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    press(&mut app, "]"); // Q4: October is empty
    assert_eq!(app.budget.quarter.to_string(), "2025-Q4");
    press(&mut app, "j=");
    let view = app.budget.view.as_ref().unwrap();
    let fysio = view.partners[1].id;
    assert_eq!(
        view.cell_hours(fysio, YearMonth::new(2025, 10).unwrap()),
        dec!(4),
        "September's 4 h copied into October"
    );
}

#[test]
fn quitting_with_a_half_typed_cell_asks_first() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    press(&mut app, "j7<C-c>");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    assert!(!app.quit);
    press(&mut app, "v");
    assert!(matches!(app.mode, Mode::CellEdit(_)));
    press(&mut app, "<C-c>s");
    assert!(app.quit);
}

#[test]
fn a_cell_with_several_lines_opens_as_a_list() {
    let mut app = demo_app();
    zwolle_q3(&mut app);
    press(&mut app, ":kwartaal 2025-Q1<Enter>jjj"); // Psycholoog, January… March has 2 lines
    press(&mut app, "<Right><Right>");
    press(&mut app, "5");
    assert!(matches!(app.mode, Mode::Normal), "typing is refused on a cell with several lines");
    assert!(app.message.as_ref().unwrap().text.contains("2 regels"));
    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Lines));
    assert!(screen_text(&app, 80, 24).contains("extra groepssessie"));
    press(&mut app, "a");
    assert!(matches!(app.mode, Mode::Form(..)));
    press(&mut app, "1,25<Tab>intervisie<Enter>");
    assert!(matches!(app.mode, Mode::Lines), "{:?}", app.message);
    let view = app.budget.view.as_ref().unwrap();
    let psy = view.partners[3].id;
    assert_eq!(view.cell_lines(psy, YearMonth::new(2025, 3).unwrap()).len(), 3);
}

#[test]
fn forms_refuse_bad_values_at_the_field_and_store_nothing() {
    let mut app = demo_app();
    let networks = app.store().networks().unwrap().len();
    press(&mut app, "1n");
    assert!(matches!(app.mode, Mode::Form(..)));
    press(&mut app, "Dalfsen-Noord<Tab>Zwolle<Tab>Atlantis<Tab>80x1<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the form stays open") };
    let error = |label: &str| form.fields.iter().find(|f| f.label == label).unwrap().error.clone();
    assert!(error("Gemeente").unwrap().contains("gemeentetabel"));
    assert!(error("Postcodes").unwrap().contains("PC4"));
    assert!(screen_text(&app, 80, 24).contains("gemeentetabel"));
    assert_eq!(app.store().networks().unwrap().len(), networks);
    // The keyboard went to the first field in error (Gemeente); fix it and the next (Postcodes).
    press(&mut app, "<BS><BS><BS><BS><BS><BS><BS><BS>Dalfsen<Tab><BS><BS><BS><BS>8051<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    assert_eq!(app.store().networks().unwrap().len(), networks + 1);
    assert_eq!(app.networks.selected().unwrap().network.name, "Dalfsen-Noord");
}

#[test]
fn a_new_practice_leads_to_the_split_and_both_are_stored_together() {
    let mut app = demo_app();
    press(&mut app, "1/zwolle<Enter>");
    assert_eq!(app.networks.selected().unwrap().network.name, "Zwolle-Zuid");
    press(&mut app, "p");
    press(&mut app, "Praktijk Zuiderkerk<Tab>01099999<Tab>NL91ABNA0417164300<Tab>20<Tab>1500<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the split form opens: {:?}", app.message) };
    assert!(form.title.contains("Verdeling"));
    assert_eq!(form.fields.len(), 4, "the date and three percentages");
    assert_eq!(form.fields[0].label, "Geldt vanaf");
    let team_before = app.store().practice_team(app.networks.selected().unwrap().network.id).unwrap();
    assert_eq!(team_before.practices.len(), 2, "nothing stored yet");
    // 60/40/20 → 50/30/20
    press(&mut app, "<Tab><BS><BS>50<Tab><BS><BS>30<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let team = app.store().practice_team(app.networks.selected().unwrap().network.id).unwrap();
    let from = sidw::domain::Quarter::of_date(app.today()).first_day();
    assert_eq!(team.shares_on(from), vec![dec!(50), dec!(30), dec!(20)]);
    assert_eq!(
        team.shares_on(from.pred_opt().unwrap()),
        vec![dec!(60), dec!(40), dec!(0)],
        "earlier quarters keep 60/40"
    );
}

#[test]
fn filters_commands_and_the_welcome_screen() {
    let mut app = demo_app();
    press(&mut app, "1/almere");
    assert_eq!(app.networks.visible().len(), 1);
    press(&mut app, "<Esc>");
    assert_eq!(app.networks.visible().len(), 4, "Esc restores the filter before");
    press(&mut app, ":bestaatniet<Enter>");
    assert!(app.message.as_ref().unwrap().text.contains("Onbekende opdracht"));
    press(&mut app, ":q<Enter>");
    assert!(app.quit);

    let empty = sidw::app::App::new(sidw::store::Store::temporary().unwrap(), "anna", sidw::app::system_clock());
    assert!(matches!(empty.mode, Mode::Welcome));
    assert!(screen_text(&empty, 80, 24).contains("demogegevens laden"));
    let mut empty = empty;
    press(&mut empty, "d");
    assert!(matches!(empty.mode, Mode::Normal));
    assert_eq!(empty.networks.rows.len(), 4);
}

#[test]
fn signals_list_what_is_due_and_enter_jumps_there() {
    let mut app = demo_app();
    press(&mut app, "4");
    assert!(!app.signals.rows().is_empty());
    let texts: Vec<&str> = app.signals.rows().iter().map(|s| s.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("partnerbudget 2025 voor 80 %")), "{texts:#?}");
    assert!(texts.iter().any(|t| t.contains("niet getekend retour")), "{texts:#?}");
    press(&mut app, "/atolwijk<Enter><Enter>");
    assert_eq!(app.pane, Pane::Agreements);
    assert_eq!(app.agreements.selected().unwrap().network, "Lelystad-Atolwijk");
}

#[test]
fn a_lower_role_closes_what_is_open_and_a_higher_one_keeps_it() {
    use sidw::app::Role;
    let mut app = demo_app();
    zwolle_q3(&mut app);
    app.role = Role::Finance;
    press(&mut app, "12");
    assert!(matches!(app.mode, Mode::CellEdit(_)));
    app.change_role(Role::Admin);
    assert!(matches!(app.mode, Mode::CellEdit(_)), "a higher role keeps the cell");
    app.change_role(Role::Viewer);
    assert!(matches!(app.mode, Mode::Normal), "a lower role closes it");
    assert!(message(&app).contains("Uw rol is nu viewer") && message(&app).contains("niet opgeslagen"));
    // The close screen too: its steps were opened under the old role.
    app.change_role(Role::Finance);
    press(&mut app, "a");
    assert!(!matches!(app.mode, Mode::Normal));
    app.change_role(Role::Editor);
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn the_goodbye_names_typed_hours_behind_the_help_and_a_question() {
    use sidw::serve::session::goodbye;
    let mut app = demo_app();
    zwolle_q3(&mut app);
    assert!(goodbye(&app).contains("niets half ingevoerd"), "{}", goodbye(&app));
    press(&mut app, "12?");
    assert!(matches!(app.mode, Mode::Help { .. }));
    assert!(goodbye(&app).contains("uw getypte 12 is niet opgeslagen"), "{}", goodbye(&app));
    press(&mut app, "<Esc>"); // back in the cell, "12" kept
    assert!(matches!(app.mode, Mode::CellEdit(_)));
    press(&mut app, "<Esc>");
    // Over the budget: the question holds the typed value.
    press(&mut app, "200<Enter>");
    assert!(matches!(app.mode, Mode::Confirm(_)), "{}", message(&app));
    assert!(goodbye(&app).contains("uw getypte 200"), "{}", goodbye(&app));
}

fn message(app: &sidw::app::App) -> String {
    app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}
