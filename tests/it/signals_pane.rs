//! Signalen (pane 4) on a long list: the filter texts are made once per load, a filter keystroke
//! formats nothing, and drawing formats only the rows that fit on the screen.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use common::{ctx, date, press, screen_text};
use sidw::store::Store;

/// The demo looked at more than a year later: many signals, more than a screen holds.
fn late_app() -> sidw::app::App {
    late_app_over(&late_store())
}

fn late_store() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn late_app_over(store: &Store) -> sidw::app::App {
    let store = store.clone();
    let clock: sidw::app::Clock = std::sync::Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store, "anna", clock);
    press(&mut app, "4");
    app
}

/// Rows of the table at 80×24: the screen's height less the pane's chrome.
fn drawn_by_one_frame(app: &sidw::app::App) -> (u64, String) {
    let before = app.signals.rows_drawn();
    let screen = screen_text(app, 80, 24);
    (app.signals.rows_drawn() - before, screen)
}

#[test]
fn a_frame_formats_only_the_rows_it_shows() {
    let app = late_app();
    let total = app.signals.rows().len();
    let (drawn, screen) = drawn_by_one_frame(&app);
    // The rows on the screen: lines with a due date in the first column of the table.
    let shown = screen.lines().filter(|l| l.starts_with("│") && l.chars().nth(3) == Some('-')).count();
    assert!(total > 2 * shown, "the demo in 2026 has more signals ({total}) than a screen shows ({shown})");
    assert!(shown > 0, "{screen}");
    assert_eq!(drawn, shown as u64, "formatted as many rows as shown\n{screen}");
}

#[test]
fn the_window_follows_the_selection_to_the_last_row() {
    let mut app = late_app();
    let last = app.signals.rows().last().unwrap().clone();
    let first = app.signals.rows().first().unwrap().clone();
    let (_, top) = drawn_by_one_frame(&app);
    assert!(top.contains(&sidw::domain::calendar::format_date(first.due)), "{top}");
    press(&mut app, "<End>");
    assert_eq!(app.signals.selected().map(|s| s.text.clone()), Some(last.text.clone()));
    let (drawn, bottom) = drawn_by_one_frame(&app);
    let detail = format!("{} — ", last.subject);
    assert!(bottom.contains(&detail), "the last signal is selected and shown\n{bottom}");
    assert!(drawn < app.signals.rows().len() as u64 / 2);
}

#[test]
fn a_filter_keystroke_formats_no_signal_and_the_list_follows_the_filter() {
    let store = late_store();
    let mut app = late_app_over(&store);
    let made = store.signal_texts_made();
    assert_eq!(made, app.signals.rows().len() as u64, "one text per row, made at the load");
    let all = app.signals.visible().len();
    // The first signal's network, typed in capitals: the filter ignores case.
    let network = app.signals.rows()[0].subject.clone();
    let word = network.split_whitespace().next().unwrap().to_uppercase();
    press(&mut app, &format!("/{word}"));
    let narrowed = app.signals.visible().len();
    assert!(narrowed > 0 && narrowed < all, "{narrowed} of {all}");
    let lower = word.to_lowercase();
    let about = |s: &sidw::domain::signals::Signal| format!("{} {}", s.subject, s.text).to_lowercase().contains(&lower);
    assert!(app.signals.visible().iter().all(|i| about(&app.signals.rows()[*i])));
    assert_eq!(narrowed, app.signals.rows().iter().filter(|s| about(s)).count());
    press(&mut app, &"<BS>".repeat(word.chars().count()));
    assert_eq!(app.signals.visible().len(), all, "the filter emptied again: every row");
    assert_eq!(store.signal_texts_made(), made, "no text made again while filtering");
    // Showing the pane again, and a second session, take the shared texts: none made.
    press(&mut app, "<Esc>1 4");
    let mut colleague = late_app_over(&store);
    assert_eq!(colleague.signals.rows().len(), all);
    assert_eq!(store.signal_texts_made(), made, "a reload and another session make no text");
    // A change to one network makes the texts of that network's rows and the programme's only.
    let network = store.networks().unwrap()[0].clone();
    let renamed = sidw::domain::Network { name: format!("{} Noord", network.name), ..network.clone() };
    store.update_network(&ctx(), &renamed).unwrap();
    colleague.handle(sidw::app::Action::Refresh);
    let again = store.signal_texts_made() - made;
    let own = colleague.signals.rows().iter().filter(|s| s.subject == renamed.name).count() as u64;
    // The programme's rows: its own and the municipalities'.
    let programme = colleague
        .signals
        .rows()
        .iter()
        .filter(|s| s.subject == "programma" || s.subject.starts_with("gemeente "))
        .count() as u64;
    assert!(own > 0, "the renamed network has signals");
    assert_eq!(again, own + programme, "only the changed network's rows (and the programme's) made again");
    assert!(again < all as u64, "{again} of {all}");
}

/// The counts in the title come with the shared list: the same as counting the rows.
#[test]
fn the_title_counts_every_row_and_the_overdue_ones() {
    let app = late_app();
    let overdue = app.signals.rows().iter().filter(|s| s.overdue).count();
    assert!(overdue > 0 && overdue < app.signals.rows().len());
    assert_eq!(app.signals.list().overdue(), overdue);
    let widest = app.signals.rows().iter().map(|s| s.subject.chars().count()).max().unwrap();
    assert_eq!(app.signals.list().widest_subject(), widest);
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains(&format!("Signalen ({}) · {overdue} te laat", app.signals.rows().len())), "{screen}");
}
