//! What a user sees: every pane rendered into a TestBackend at 80×24 and 120×40, asserting the
//! text on screen; a monochrome screen under NO_COLOR; and no panic at any size.

use crate::common;

use common::*;
use ratatui::style::{Color, Modifier};
use sidw::ui::Theme;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

#[test]
fn netwerken_shows_networks_and_the_detail() {
    let mut app = demo_app();
    press(&mut app, "1/zwolle<Enter>");
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        contains_all(
            &screen,
            &[
                "1 Netwerken",
                "Zwolle-Zuid",
                "Praktijkteam · 7.000 ION",
                "Huisartsenpraktijk De Esch",
                "60 %",
                "Fysiotherapie Zwolle-Zuid",
                "Deelnemers zonder declaratierecht",
                "Wijkverpleging IJsselheem",
            ],
        );
    }
    let wide = screen_text(&app, 120, 40);
    contains_all(&wide, &["Gemeente", "Regio", "Financiering sinds 01-04-2024", "Kartrekker: Anja de Vries"]);
    contains_all(&screen_text(&app, 200, 60), &["AGB 01012345", "NL91 ABNA 0417 1643 00"]);
}

#[test]
fn overeenkomsten_shows_states_and_days_overdue() {
    let mut app = demo_app();
    press(&mut app, "2");
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        contains_all(
            &screen,
            &[
                "Overeenkomsten (13)",
                "1 te laat",
                "Lelystad-Atolwijk",
                "te laat",
                "verstuurd",
                "getekend",
                "Diëtistenpraktijk",
            ],
        );
    }
    // Sent 45 days before 15-10-2025 (31-08-2025), due 30-09-2025: 15 days late.
    let screen = screen_text(&app, 120, 40);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Lelystad-Atolwijk") && l.contains("31-08-2025") && l.contains("te laat   15 ")),
        "{screen}"
    );
}

#[test]
fn kwartaalbudget_shows_the_grid_and_the_remaining_budget() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>");
    for (w, h) in SIZES {
        let screen = screen_text(&app, w, h);
        contains_all(
            &screen,
            &[
                "Zwolle-Zuid · 2025-Q3",
                "jul",
                "aug",
                "sep",
                "Fysiotherapie Zwolle-Zuid (B)",
                "€ 1.019,40",
                "€ 8.050,00",
                "€ 6.933,15",
                "Resterend (≥ 80 % besteed)",
                "€ 1.116,85",
                "Praktijkteamgeld 2025-Q3",
                "€ 5.950,00",
                "€ 3.570,00",
                "€ 2.380,00",
            ],
        );
    }
    // A network whose budget is barely touched shows the plain "Resterend".
    press(&mut app, ":netwerk Almere Haven<Enter>");
    contains_all(&screen_text(&app, 80, 24), &["€ 18.400,00", "Resterend", "€ 9.172,03"]);
}

#[test]
fn kwartaalbudget_of_a_former_gez_owz_network_says_why_there_are_no_hours() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Hardenberg-Baalder<Enter>");
    contains_all(&screen_text(&app, 80, 24), &["voormalig GEZ/OWZ-netwerk"]);
    press(&mut app, "5");
    assert!(app.message.as_ref().unwrap().text.contains("GEZ/OWZ"));
}

#[test]
fn signalen_tarieven_en_logboek() {
    let mut app = demo_app();
    press(&mut app, "4");
    for (w, h) in SIZES {
        // The payment timing signals of 2025-Q1 (due 30-04-2025) are among the first rows.
        contains_all(
            &screen_text(&app, w, h),
            &["Signalen (18)", "13 te laat", "Uiterlijk", "2025-Q1 van Zwolle-Zuid niet afgesloten"],
        );
    }
    press(&mut app, "5");
    for (w, h) in SIZES {
        contains_all(
            &screen_text(&app, w, h),
            &["Tarieven per jaar", "2025", "€ 3,40", "€ 1,15", "€ 101,00", "€ 84,95", "€ 59,35"],
        );
    }
    press(&mut app, "6");
    for (w, h) in SIZES {
        contains_all(
            &screen_text(&app, w, h),
            &["Logboek", "nieuwste eerst", "anna", "netwerk aangemaakt", "Wijzigingen"],
        );
    }
}

#[test]
fn help_lists_the_keys_of_the_pane_from_the_key_table() {
    let mut app = demo_app();
    press(&mut app, "3?");
    let screen = screen_text(&app, 120, 40);
    let budget = sidw::keys::Context { pane: sidw::app::Pane::Budget, mode: sidw::keys::ModeKind::Normal };
    for (keys, _) in sidw::keys::help_lines(budget, sidw::app::Role::Admin) {
        assert!(screen.contains(&keys), "help lacks {keys}");
    }
    assert!(!screen.contains("volgend paneel"), "Tab moves in the grid here, not to another pane");
    contains_all(&screen, &["typ uren in de cel", "vorig kwartaal", "volgend kwartaal", "uren van de vorige maand"]);
    press(&mut app, "<Esc>");
    assert!(!screen_text(&app, 120, 40).contains("Esc of ? sluit"));
}

#[test]
fn no_color_gives_a_monochrome_screen_that_still_marks_the_selection() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| sidw::ui::draw(f, &app, &Theme::monochrome())).unwrap();
    let buffer = terminal.backend().buffer();
    let mut reversed = 0;
    for cell in buffer.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "a colour under NO_COLOR: {cell:?}"
        );
        if cell.modifier.contains(Modifier::REVERSED) {
            reversed += 1;
        }
    }
    assert!(reversed > 0, "the selected cell is shown in reverse video");
}

#[test]
fn any_size_draws_without_panicking() {
    let mut app = demo_app();
    for keys in ["1", "1<Enter>", "2", "3", "3j1,5", "<Esc>4", "5", "6", "6?", "<Esc>1n"] {
        press(&mut app, keys);
        for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 10), (80, 24), (132, 43), (200, 60), (300, 100)] {
            let _ = screen(&app, w, h, Theme::colored());
            let _ = screen(&app, w, h, Theme::monochrome());
        }
    }
}
