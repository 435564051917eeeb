//! Logboek on a long log: a filter keystroke reads at most `LOG_SCAN` entry heads and lists one
//! page; moving past the last entry listed searches on, so an old entry is still found.

mod common;

use common::{ctx, press};
use rust_decimal::Decimal;
use sidw::app::log::{LOG_PAGE, LOG_SCAN};
use sidw::store::Store;

/// A store whose log holds `n` entries "regel 0" (oldest) … "regel n-1" after the setup's; the
/// fourth oldest is "naald" instead.
fn long_log(n: usize) -> Store {
    let store = Store::temporary().unwrap();
    let network = common::network_with_ion(&store, "Noord", 10_000);
    let partner = common::add_partner(&store, network, "Fysio", sidw::domain::Discipline::Fysiotherapeut);
    store.import_hours(&ctx(), &[common::new_hours(network, partner, 1, Decimal::ONE)]).unwrap();
    let lines: Vec<(String, usize)> =
        (0..n).map(|i| (if i == 3 { "naald".into() } else { format!("regel {i}") }, i)).collect();
    store.audit_import_as_keyed_for_generator(&ctx(), &lines).unwrap();
    store
}

fn app(store: &Store) -> sidw::app::App {
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store.clone(), "anna", clock);
    app.handle(sidw::app::Action::Resize(120, 40));
    app
}

#[test]
fn a_filter_keystroke_reads_a_bounded_part_and_an_old_entry_is_found_by_searching_on() {
    let n = LOG_SCAN + 500;
    let store = long_log(n);
    let mut app = app(&store);
    press(&mut app, "6");
    // No filter: one page of the newest, whole (with the record after).
    assert_eq!(app.log.entries.len(), LOG_PAGE);
    assert_eq!(app.log.entries[0].subject, format!("regel {}", n - 1));
    assert!(app.log.entries[0].after.is_some());
    assert!(app.log.truncated);

    // "naald" is the oldest but three, beyond the scan budget of one keystroke.
    press(&mut app, "/naald<Enter>");
    assert!(app.log.entries.is_empty(), "not searched yet: {} entries listed", app.log.entries.len());
    assert_eq!(app.log.searched, LOG_SCAN);
    assert!(app.log.truncated);
    // Searching on (down past the last listed) reaches it.
    for _ in 0..(LOG_PAGE * 3) {
        if !app.log.truncated {
            break;
        }
        press(&mut app, "G<Down>");
    }
    assert!(!app.log.truncated);
    let subjects: Vec<&str> = app.log.entries.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["naald"]);
    assert!(app.log.searched <= n + 10, "every entry searched once: {}", app.log.searched);

    // A filter matching many: pages of LOG_PAGE, searching on lists the next page, none twice.
    press(&mut app, "/<BS><BS><BS><BS><BS>regel<Enter>");
    assert_eq!(app.log.entries.len(), LOG_PAGE);
    press(&mut app, "G<Down>");
    assert_eq!(app.log.entries.len(), 2 * LOG_PAGE);
    assert_eq!(app.log.selection.index, LOG_PAGE, "on the first entry of the new page");
    let subjects: Vec<&String> = app.log.entries.iter().map(|e| &e.subject).collect();
    assert!(subjects.windows(2).all(|w| w[0] != w[1]), "no entry listed twice");
    assert_eq!(subjects[LOG_PAGE], &format!("regel {}", n - 1 - LOG_PAGE));
}

#[test]
fn a_short_log_is_searched_whole_at_once() {
    let store = long_log(50);
    let mut app = app(&store);
    press(&mut app, "6/regel 7<Enter>");
    assert!(!app.log.truncated);
    let subjects: Vec<&str> = app.log.entries.iter().map(|e| e.subject.as_str()).collect();
    // Every word of the filter occurs: "regel" and "7".
    assert_eq!(subjects, ["regel 47", "regel 37", "regel 27", "regel 17", "regel 7"]);
}
