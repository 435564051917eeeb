//! Issue 11 items 1, 5 and 6 through the paths where they were found: the screen (keys into the
//! app, rendered buffers) and the hours form import.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;
use sidw::app::{Mode, Pane};
use sidw::domain::YearMonth;
use sidw::import::table::Table;
use sidw::store::CellChange;

fn zwolle(app: &mut sidw::app::App, quarter: &str) {
    press(app, &format!("3:netwerk Zwolle-Zuid<Enter>:kwartaal {quarter}<Enter>"));
    assert_eq!(app.pane, Pane::Budget);
}

fn message(app: &sidw::app::App) -> String {
    app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn zero_in_an_empty_cell_marks_it_nihil_shown_as_0_undone_with_u_removed_with_x() {
    let mut app = demo_app();
    zwolle(&mut app, "2025-Q3"); // row 0: Apotheek Zuid, no hours in Q3
    let view = app.budget.view.as_ref().unwrap();
    let (network, pharmacy) = (view.network.id, view.partners[0].id);
    let july = YearMonth::new(2025, 7).unwrap();
    press(&mut app, "0<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{}", message(&app));
    assert!(app.store().cell(network, pharmacy, july).unwrap().nihil);
    assert!(message(&app).contains("nihil"), "{}", message(&app));
    let screen = screen_text(&app, 120, 40);
    let row = screen.lines().find(|l| l.contains("Apotheek Zuid")).unwrap();
    assert!(row.split_whitespace().any(|w| w == "0"), "{row}");
    press(&mut app, "u");
    assert!(!app.store().cell(network, pharmacy, july).unwrap().nihil, "{}", message(&app));
    press(&mut app, "k0<Enter>k");
    assert!(app.store().cell(network, pharmacy, july).unwrap().nihil);
    press(&mut app, "x");
    assert!(!app.store().cell(network, pharmacy, july).unwrap().nihil, "{}", message(&app));
    // An empty cell stays empty with x.
    press(&mut app, "x");
    assert!(message(&app).contains("leeg"));
}

#[test]
fn zero_in_a_one_line_cell_removes_the_line_and_marks_nihil_in_one_step() {
    let mut app = demo_app();
    zwolle(&mut app, "2025-Q3");
    press(&mut app, "jj0<Enter>"); // Pedicure, July: 3 h → nihil
    let view = app.budget.view.as_ref().unwrap();
    let pedicure = view.partners[2].id;
    let july = YearMonth::new(2025, 7).unwrap();
    assert!(view.cell_lines(pedicure, july).is_empty());
    assert!(view.cell_nihil(pedicure, july));
    press(&mut app, "u");
    let view = app.budget.view.as_ref().unwrap();
    assert_eq!(view.cell_lines(pedicure, july)[0].hours, dec!(3));
    assert!(!view.cell_nihil(pedicure, july));
}

#[test]
fn a_minus_or_a_letter_is_refused_at_the_field_and_the_text_kept() {
    let mut app = demo_app();
    zwolle(&mut app, "2025-Q3");
    press(&mut app, "j1-");
    let Mode::CellEdit(edit) = &app.mode else { panic!("still typing") };
    assert_eq!(edit.text, "1");
    assert!(message(&app).contains("minteken"), "{}", message(&app));
    press(&mut app, "a");
    let Mode::CellEdit(edit) = &app.mode else { panic!("still typing") };
    assert_eq!(edit.text, "1");
    assert!(message(&app).contains("geen cijfer"), "{}", message(&app));
    // Digits still go in.
    press(&mut app, "2");
    let Mode::CellEdit(edit) = &app.mode else { panic!("still typing") };
    assert_eq!(edit.text, "12");
}

#[test]
fn undo_is_refused_when_a_colleague_changed_the_cell_since() {
    let mut app = demo_app();
    zwolle(&mut app, "2025-Q3");
    press(&mut app, "j6<Enter>"); // Fysio July 4 → 6
    let view = app.budget.view.as_ref().unwrap();
    let (network, fysio) = (view.network.id, view.partners[1].id);
    let july = YearMonth::new(2025, 7).unwrap();
    // Without a colleague: undo works (the other side of the boundary).
    press(&mut app, "u");
    assert_eq!(app.store().cell(network, fysio, july).unwrap().lines[0].hours, dec!(4));
    press(&mut app, "k6<Enter>");
    let colleague = CellChange {
        network,
        partner: fysio,
        month: july,
        hours: Some(dec!(7)),
        by_team_increase: false,
        double_funding_confirmed: false,
    };
    app.store().set_cell(&ctx(), &colleague).unwrap();
    press(&mut app, "u");
    assert!(message(&app).contains("sindsdien"), "{}", message(&app));
    assert_eq!(app.store().cell(network, fysio, july).unwrap().lines[0].hours, dec!(7), "the colleague's save stays");
}

#[test]
fn an_unsigned_partner_is_refused_on_the_screen() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Almere Haven<Enter>:kwartaal 2025-Q3<Enter>");
    let view = app.budget.view.as_ref().unwrap();
    let row = view.partners.iter().position(|p| p.name == "Diëtistenpraktijk Almere").unwrap();
    let spent = view.budget.unwrap().spending.spent;
    press(&mut app, &"j".repeat(row));
    press(&mut app, "2<Enter>");
    assert!(message(&app).contains("geen getekende overeenkomst"), "{}", message(&app));
    assert_eq!(app.budget.view.as_ref().unwrap().budget.unwrap().spending.spent, spent);
}

#[test]
fn the_quarter_value_is_what_the_invoice_is_checked_against_with_the_practice_team_part_apart() {
    let mut app = demo_app();
    zwolle(&mut app, "2025-Q1"); // Psychologenpraktijk: 6 h on the budget (€ 606,00) + 2 h by the team (€ 202,00)
    for (width, height) in [(120, 40), (80, 24)] {
        let screen = screen_text(&app, width, height);
        let psy = screen.lines().find(|l| l.contains("Psychologenpr")).unwrap();
        assert!(psy.contains("€ 606,00") && psy.contains("klopt"), "{psy}");
        assert!(!psy.contains("808"), "{psy}");
        let total = screen.lines().find(|l| l.contains("Totaal")).unwrap();
        assert!(total.contains("€ 2.614,05"), "{total}");
        if width >= 90 {
            // Wide: the practice-team part has a column of its own, per row and in the total.
            assert!(psy.contains("€ +202,00") && total.contains("€ +202,00"), "{screen}");
            let pharmacy = screen.lines().find(|l| l.contains("Apotheek Zuid")).unwrap();
            assert!(!pharmacy.contains("€ +"), "{pharmacy}");
        } else {
            // Narrow: in the legend. Row 0 (the pharmacy) has no part; the quarter has € 202,00.
            assert!(screen.contains("w.v./+ praktijkteam € 0,00 (kw. € 202,00)"), "{screen}");
        }
    }
    press(&mut app, "jjj"); // the psychologists
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("w.v./+ praktijkteam € 202,00 (kw. € 202,00)"), "{screen}");
}

fn plan(app: &sidw::app::App, csv: &str) -> sidw::import::hours::HoursImport {
    let table = Table::from_csv_bytes(csv.as_bytes()).unwrap();
    sidw::import::hours::plan(app.store(), &table, None).unwrap()
}

#[test]
fn an_hours_form_with_0_marks_nihil_and_a_real_row_wins() {
    let app = demo_app();
    let csv = "netwerk;partner;agb;maand;uren\n\
               Zwolle-Zuid;Apotheek Zuid;;2025-10;0\n\
               Zwolle-Zuid;Apotheek Zuid;;2025-11;0,0\n\
               Zwolle-Zuid;Pedicure Assendorp;;2025-10;0\n\
               Zwolle-Zuid;Pedicure Assendorp;;2025-10;2\n\
               Zwolle-Zuid;Apotheek Zuid;;2025-12;\n";
    let import = plan(&app, csv);
    assert!(import.is_ok(), "{:?}", import.problems);
    assert_eq!(import.nihil.len(), 2, "the pedicure's real row wins");
    assert_eq!(import.lines.len(), 1);
    sidw::import::hours::apply(app.store(), &ctx(), &import).unwrap();
    let view_net = app.store().network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let marks = app.store().nihil_marks(view_net, sidw::domain::Quarter::new(2025, 4).unwrap()).unwrap();
    assert_eq!(marks.len(), 2);
    // A 0 row for a month that has lines: refused with its row number.
    let import = plan(&app, "netwerk;partner;maand;uren\nZwolle-Zuid;Fysiotherapie Zwolle-Zuid;2025-09;0\n");
    assert_eq!(import.problems.len(), 1);
    assert_eq!(import.problems[0].0, 2);
    assert!(import.problems[0].1.contains("al uren"), "{:?}", import.problems);
}

#[test]
fn a_name_and_an_agb_code_of_different_partners_are_refused() {
    let app = demo_app();
    // 04012345 is the physiotherapist's AGB code.
    let conflict = plan(&app, "netwerk;partner;agb;maand;uren\nZwolle-Zuid;Pedicure Assendorp;04012345;2025-10;1\n");
    assert_eq!(conflict.problems.len(), 1, "{:?}", conflict.problems);
    let (row, why) = &conflict.problems[0];
    assert_eq!(*row, 2);
    assert!(why.contains("Pedicure Assendorp") && why.contains("Fysiotherapie Zwolle-Zuid"), "{why}");
    // Name and AGB of the same partner: fine.
    let same = plan(&app, "netwerk;partner;agb;maand;uren\nZwolle-Zuid;Fysiotherapie Zwolle-Zuid;04012345;2025-10;1\n");
    assert!(same.is_ok(), "{:?}", same.problems);
}
