//! The year report on screen (`:jaarverslag`): the same figures as `sidw report year`.

use crate::common;

use common::*;

use sidw::app::Mode;
use sidw::domain::money::format_eur;
use sidw::report::year;

#[test]
fn the_year_report_screen_at_80_by_24_shows_the_report_rows_and_totals() {
    let mut app = demo_app();
    press(&mut app, ":jaarverslag 2025<Enter>");
    assert!(matches!(app.mode, Mode::YearReport(_)));
    let rows = year::rows(app.store(), 2025, None, date(2025, 10, 15)).unwrap();
    let total = year::grand_total(&rows);
    let text = screen_text(&app, 80, 24);
    contains_all(
        &text,
        &[
            "┌ Jaarverslag 2025 · voor Zilveren Kruis · [ ] jaar",
            "│Netwerk            Praktijkteam Partnerbudget Besteed      Niet besteed Mijlp.│",
            "│Zwolle-Zuid        € 23.800,00  € 8.050,00    € 6.933,15   € 1.116,85   1/0   │",
            "│totaal Flevoland   € 54.400,00  € 18.400,00   € 9.227,97   € 9.172,03   0/1   │",
            "│totaal             € 123.700,00 € 26.450,00   € 16.161,12  € 10.288,88  2/1   │",
        ],
    );
    let practice = total.practice_team_received + total.practice_team_planned;
    assert!(text.contains(&format_eur(practice)) && text.contains(&format_eur(total.partner_unspent)));

    // Wider, the practice-team money is split into received and planned, and partners paid show.
    let wide = screen_text(&app, 120, 40);
    assert!(wide.contains("Ontvangen    Gepland      Partners bet."), "{wide}");
    assert!(
        wide.contains("│totaal                          € 0,00       € 123.700,00 € 0,00        € 26.450,00"),
        "{wide}"
    );

    press(&mut app, "jj");
    let text = screen_text(&app, 80, 24);
    assert!(
        text.contains("mijlpalen gehaald 0, gemist:") && text.contains("Financiële verantwoording 2024 (te laat)"),
        "{text}"
    );

    // No tariffs for 2026: said, and the 2025 report stays.
    press(&mut app, "]");
    assert!(matches!(&app.mode, Mode::YearReport(s) if s.year == 2025));
    assert!(app.message.as_ref().unwrap().text.starts_with("Jaarverslag 2026:"), "{:?}", app.message);
    press(&mut app, "<Esc>");
    assert!(matches!(app.mode, Mode::Normal));

    press(&mut app, ":jaarverslag twintig<Enter>");
    assert_eq!(app.message.as_ref().unwrap().text, "'twintig' is geen jaar; bijvoorbeeld :jaarverslag 2025");
}
