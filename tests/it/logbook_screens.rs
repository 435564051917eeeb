//! Logboek on screen at 80×24 and 120×40: each change in Dutch (record name, fields old → new),
//! Enter shows the whole entry with every field before and after, Esc goes back to the list.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use common::*;
use rust_decimal_macros::dec;
use sidw::domain::YearMonth;
use sidw::store::{CellChange, ChangeContext};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The demo, then bert keys 1,5 hours for Pedicure Assendorp in November 2025.
fn app_with_a_change() -> sidw::app::App {
    let app = demo_app();
    let store = app.store().clone();
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap();
    let partner = store.partners(network.id).unwrap().into_iter().find(|p| p.name == "Pedicure Assendorp").unwrap();
    let ctx = ChangeContext::new("bert", Utc.with_ymd_and_hms(2025, 10, 15, 9, 0, 0).unwrap());
    store
        .set_cell(
            &ctx,
            &CellChange {
                network: network.id,
                partner: partner.id,
                month: YearMonth::new(2025, 11).unwrap(),
                hours: Some(dec!(1.5)),
                by_team_increase: false,
                double_funding_confirmed: false,
            },
        )
        .unwrap();
    app
}

#[test]
fn the_list_shows_each_change_in_dutch() {
    let mut app = app_with_a_change();
    press(&mut app, "6");
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        contains_all(
            &screen,
            &[
                "Logboek · nieuwste eerst",
                "bert",
                "urencel gewijzigd",
                "Wijzigingen (Enter: hele regel)",
                "Uren: leeg → 1,5 uur",
            ],
        );
        // The record's name: whole in the detail, and no JSON or ids anywhere.
        assert!(screen.contains("Zwolle-Zuid / Pedicure Assendorp / november 2025"), "{screen}");
        for bad in ["{\"", "\"hours\"", "\"network\""] {
            assert!(!screen.contains(bad), "'{bad}' on screen:\n{screen}");
        }
    }
    // Wide: the changes have their own column on every row.
    let wide = screen_text(&app, 120, 40);
    let row = wide.lines().find(|l| l.contains("bert") && l.contains("urencel gewijzigd")).unwrap();
    assert!(row.contains("Uren: leeg → 1,5 uur"), "{row}");
    // Narrow: no such column.
    assert!(!screen_text(&app, 80, 24).lines().any(|l| l.contains("Wijzigingen") && l.contains("Onderwerp")));
}

#[test]
fn enter_shows_the_whole_entry_and_esc_returns() {
    let mut app = app_with_a_change();
    press(&mut app, "6");
    // An invoice entry: every field before and after.
    press(&mut app, "/factuur fzz<Enter>");
    assert!(!app.log.entries.is_empty());
    press(&mut app, "<Enter>");
    assert!(app.log.open);
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        contains_all(
            &screen,
            &[
                "Logboekregel",
                "Esc terug",
                "Wanneer",
                "Onderwerp",
                "Veld",
                "Factuurnummer",
                "FZZ-2025-014",
                "Bedrag",
                "€ 1.019,40",
                "Factuurdatum",
                "03-04-2025",
                "Besluit",
                "open",
            ],
        );
    }
    press(&mut app, "<Esc>");
    assert!(!app.log.open);
    let screen = screen_text(&app, 80, 24);
    contains_all(&screen, &["Logboek · nieuwste eerst", "factuur ontvangen"]);
    assert!(!screen.contains("Logboekregel ·"));

    // A changed cell: before and after side by side, the changed field marked.
    press(&mut app, "/<BS><BS><BS><BS><BS><BS><BS><BS><BS><BS><BS>bert<Enter><Enter>");
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        let row = screen.lines().find(|l| l.contains("Uren") && l.contains('•')).unwrap_or_else(|| panic!("{screen}"));
        assert!(row.contains("leeg") && row.contains("1,5 uur"), "{row}");
        contains_all(&screen, &["bert", "urencel gewijzigd", "Zwolle-Zuid / Pedicure Assendorp / november 2025"]);
    }
    // Enter again also returns.
    press(&mut app, "<Enter>");
    assert!(!app.log.open);
}

#[test]
fn a_date_filter_on_screen_and_no_panic_at_any_size() {
    let mut app = app_with_a_change();
    press(&mut app, "6/15-10-2025<Enter>");
    let screen = screen_text(&app, 80, 24);
    contains_all(&screen, &["bert", "1 regel"]);
    press(&mut app, "/<BS><BS><BS><BS><BS><BS><BS><BS><BS><BS>16-10-2025<Enter>");
    contains_all(&screen_text(&app, 80, 24), &["Geen regels passen op het filter."]);
    press(&mut app, "/<BS><BS><BS><BS><BS><BS><BS><BS><BS><BS><Enter>");
    for open in [false, true] {
        if open {
            press(&mut app, "<Enter>");
        }
        for (w, h) in [(20, 6), (40, 12), (60, 15), (200, 60)] {
            let _ = screen_text(&app, w, h);
        }
    }
}

#[test]
fn a_colleagues_save_keeps_the_entry_being_read() {
    let mut app = app_with_a_change();
    press(&mut app, "6<Down><Down><Enter>");
    assert!(app.log.open);
    let reading = app.log.selected().unwrap().id;
    let ctx = ChangeContext::new("carla", Utc.with_ymd_and_hms(2025, 10, 15, 9, 30, 0).unwrap());
    app.store().record_event(&ctx, "notitie", "Dalfsen", "").unwrap();
    app.handle(sidw::app::Action::Refresh);
    assert_eq!(app.log.entries[0].user, "carla", "the new entry is listed");
    assert!(app.log.open, "still reading");
    assert_eq!(app.log.selected().unwrap().id, reading);
    contains_all(&screen_text(&app, 80, 24), &["Logboekregel"]);
    // A filter that no longer lists it closes it.
    press(&mut app, "/carla<Enter>");
    assert!(!app.log.open);
    assert_eq!(app.log.entries.len(), 1);
}
