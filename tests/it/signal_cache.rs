//! Signalen per network: a save computes again only the network it touched, the result is what a
//! computation from nothing gives, and the change log tells a session what a save touched.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{ctx, date};
use rust_decimal::Decimal;
use sidw::domain::signals::SignalTarget;
use sidw::domain::{NetworkId, TariffTable};
use sidw::store::{NewHours, Store};

fn demo() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

/// The signals as a computation from nothing gives them.
fn fresh(store: &Store) -> Vec<sidw::domain::signals::Signal> {
    store.forget_signals();
    store.signals(date(2025, 10, 15)).unwrap()
}

#[test]
fn a_saved_hours_line_computes_only_its_own_network_again() {
    let store = demo();
    let today = date(2025, 10, 15);
    let networks = store.networks().unwrap().len() as u64;
    let before = store.signals(today).unwrap();
    let computed = store.signal_computations();
    // Asked again with nothing changed: nothing is computed.
    assert_eq!(store.signals(today).unwrap(), before);
    assert_eq!(store.signal_computations(), computed);

    // A missing hours form, keyed: that signal goes, and only its network is computed again.
    let (network, month) = before
        .iter()
        .find_map(|s| match s.target {
            SignalTarget::Hours(network, month) if s.text.starts_with("urenformulier") => Some((network, month)),
            _ => None,
        })
        .expect("the demo misses an hours form");
    let partner =
        store.partners(network).unwrap().into_iter().find(|p| {
            before.iter().any(|s| s.target == SignalTarget::Hours(network, month) && s.text.contains(&p.name))
        });
    let partner = partner.expect("the signal names the partner");
    let generation = store.generation();
    store
        .add_hours(
            &ctx(),
            &NewHours {
                network,
                partner: partner.id,
                month,
                hours: Decimal::ONE,
                activity: String::new(),
                paid_by_practice_team: false,
                // Some demo partners (the pharmacy) need it confirmed.
                double_funding_confirmed: true,
                corrects: None,
            },
        )
        .unwrap();
    let touched = store.touched_since(generation);
    assert!(!touched.all);
    assert_eq!(touched.networks.iter().copied().collect::<Vec<NetworkId>>(), vec![network]);
    let after = store.signals(today).unwrap();
    assert_eq!(store.signal_computations(), computed + 1, "one network of {networks} computed again");
    assert_ne!(after, before);
    assert!(
        !after.iter().any(|s| s.target == SignalTarget::Hours(network, month) && s.text.contains(&partner.name)),
        "the form is no longer missing"
    );
    assert_eq!(after, fresh(&store));
}

#[test]
fn tariffs_and_another_day_compute_every_network_again() {
    let store = demo();
    let today = date(2025, 10, 15);
    let networks = store.networks().unwrap().len() as u64;
    assert!(networks > 1);
    store.signals(today).unwrap();
    let computed = store.signal_computations();
    store.signals(date(2025, 10, 16)).unwrap();
    assert_eq!(store.signal_computations(), computed + networks, "a new day: every network");

    let generation = store.generation();
    store.save_tariffs(&ctx(), &TariffTable { year: 2026, ..TariffTable::handbook_2025() }).unwrap();
    assert!(store.touched_since(generation).all, "tariffs reach every network");
    let computed = store.signal_computations();
    let after = store.signals(today).unwrap();
    assert_eq!(store.signal_computations(), computed + networks);
    assert_eq!(after, fresh(&store));
}

#[test]
fn the_log_and_the_municipalities_touch_no_network() {
    let store = demo();
    let generation = store.generation();
    store.record_event(&ctx(), "betaalbestand geschreven", "x", "y").unwrap();
    let touched = store.touched_since(generation);
    assert!(!touched.all && touched.networks.is_empty(), "{touched:?}");
    assert_eq!(store.touched_since(store.generation()), Default::default());
}

fn app_over(store: &Store) -> sidw::app::App {
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store.clone(), "anna", clock);
    app.handle(sidw::app::Action::Resize(120, 40));
    app
}

#[test]
fn a_refresh_after_a_colleague_s_save_shows_it_and_keeps_the_rest() {
    let store = Store::temporary().unwrap();
    let north = common::network_with_ion(&store, "Noord", 10_000);
    let south = common::network_with_ion(&store, "Zuid", 10_000);
    let mut app = app_over(&store);
    let partners = |app: &sidw::app::App, id| app.networks.rows.iter().find(|r| r.network.id == id).unwrap().partners;
    assert_eq!((partners(&app, north), partners(&app, south)), (0, 0));

    // A colleague adds a partner to Noord and a network: both show after the refresh.
    let partner = common::add_partner(&store, north, "Fysio Noord", sidw::domain::Discipline::Fysiotherapeut);
    let west = common::network_with_ion(&store, "West", 10_000);
    assert!(app.is_stale());
    app.handle(sidw::app::Action::Refresh);
    assert!(!app.is_stale());
    assert_eq!((partners(&app, north), partners(&app, south), partners(&app, west)), (1, 0, 0));
    assert_eq!(app.networks.rows.len(), 3);

    // The budget of Noord is shown: a colleague's line in Noord shows, one in Zuid leaves it.
    common::press(&mut app, "3:netwerk Noord<Enter>:kwartaal 2025-Q1<Enter>");
    let lines = |app: &sidw::app::App| app.budget.view.as_ref().map(|v| (v.network.id, v.lines.len()));
    assert_eq!(lines(&app), Some((north, 0)));
    store.add_hours(&ctx(), &common::new_hours(north, partner, 1, Decimal::ONE)).unwrap();
    let other = common::add_partner(&store, south, "Fysio Zuid", sidw::domain::Discipline::Fysiotherapeut);
    store.add_hours(&ctx(), &common::new_hours(south, other, 1, Decimal::ONE)).unwrap();
    app.handle(sidw::app::Action::Refresh);
    assert_eq!(lines(&app), Some((north, 1)));
    assert_eq!(partners(&app, south), 1);
}

/// The shared list's rows, as `Store::signals` gives them.
fn rows_of(list: &sidw::store::SignalList) -> Vec<sidw::domain::signals::Signal> {
    list.rows().iter().map(|s| (**s).clone()).collect()
}

#[test]
fn sessions_on_signalen_share_one_list_made_once_per_change_and_day() {
    let store = demo();
    let today = date(2025, 10, 15);
    let first = store.signals_shared(today).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &store.signals_shared(today).unwrap()), "made twice without a change");
    assert_eq!(rows_of(&first), fresh(&store));
    // Any change makes it again (a log entry touches no network: the same rows).
    store.record_event(&ctx(), "proef", "niets", "").unwrap();
    let again = store.signals_shared(today).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &again));
    assert_eq!(rows_of(&again), rows_of(&first));
    // Another day too.
    assert!(!std::sync::Arc::ptr_eq(&again, &store.signals_shared(date(2025, 10, 16)).unwrap()));
}

#[test]
fn signalen_longer_than_the_screen_shows_the_selected_row_and_counts_them_all() {
    let store = demo();
    let mut app = app_over(&store);
    common::press(&mut app, "4");
    let rows = app.signals.rows().to_vec();
    assert!(rows.len() > 12, "the demo has {} signals", rows.len());
    // 20 lines: the table has room for far fewer rows than there are.
    let table_lines = |app: &sidw::app::App| -> String {
        let screen = common::screen_text(app, 120, 20);
        screen.lines().take_while(|l| !l.contains("Signaal (Enter")).collect::<Vec<_>>().join("\n")
    };
    let first = table_lines(&app);
    assert!(first.contains(&format!("Signalen ({})", rows.len())), "{first}");
    let subject = |s: &sidw::domain::signals::Signal| s.subject.chars().take(12).collect::<String>();
    assert!(first.contains(&subject(&rows[0])), "{first}");
    common::press(&mut app, &"j".repeat(rows.len() - 1));
    assert_eq!(app.signals.selection.index, rows.len() - 1);
    let last = table_lines(&app);
    assert!(last.contains(&format!("Signalen ({})", rows.len())), "{last}");
    assert!(last.contains(&subject(&rows[rows.len() - 1])), "the last row is in sight:\n{last}");
    assert_ne!(first, last, "the table scrolled");
}

/// The shared list patched after changes to some networks (an hours line, a rename that moves the
/// network's rows in the order, a new network) is the list a computation from nothing gives.
#[test]
fn the_shared_list_patched_for_the_touched_networks_is_the_whole_list() {
    let store = demo();
    let today = date(2025, 10, 15);
    let first = store.signals_shared(today).unwrap();
    let networks = store.networks().unwrap();
    let computed = store.signal_computations();
    let renamed = sidw::domain::Network { name: "Aaa-voorop".into(), ..networks[1].clone() };
    store.update_network(&ctx(), &renamed).unwrap();
    let patched = store.signals_shared(today).unwrap();
    assert_eq!(store.signal_computations(), computed + 1, "only the renamed network computed again");
    assert_ne!(rows_of(&patched), rows_of(&first));
    assert!(patched.rows().iter().any(|s| s.subject == "Aaa-voorop"));
    let texts: Vec<String> =
        patched.rows().iter().map(|s| format!("{} {}", s.subject, s.text).to_lowercase()).collect();
    assert_eq!(patched.texts().iter().map(|t| t.to_string()).collect::<Vec<_>>(), texts);
    assert_eq!(patched.overdue(), patched.rows().iter().filter(|s| s.overdue).count());
    let kept = rows_of(&patched);
    assert_eq!(kept, fresh(&store), "patched = computed from nothing");
    // A new network (it starts in 2024: its forms and milestones are due).
    store.signals_shared(today).unwrap();
    let new = sidw::domain::Network::draft("Nieuwwijk", sidw::domain::Region::Zwolle, "Zwolle", Some(date(2024, 1, 1)));
    store.create_network(&ctx(), &new).unwrap();
    let patched = store.signals_shared(today).unwrap();
    assert!(patched.rows().iter().any(|s| s.subject == "Nieuwwijk"), "the new network's signals are listed");
    assert_eq!(rows_of(&patched), fresh(&store));
}

/// The reload after one's own save reads what the changes since the last load touched: the own
/// change, and a colleague's change to another network made before it (not yet refreshed).
#[test]
fn the_reload_after_an_own_save_shows_every_change_since_the_last_load() {
    let store = Store::temporary().unwrap();
    let north = common::network_with_ion(&store, "Noord", 10_000);
    let south = common::network_with_ion(&store, "Zuid", 10_000);
    let mut app = app_over(&store);
    let partners = |app: &sidw::app::App, id| app.networks.rows.iter().find(|r| r.network.id == id).unwrap().partners;
    // A colleague's partner in Zuid, then (before any refresh) a save of the app's own in Noord.
    common::add_partner(&store, south, "Fysio Zuid", sidw::domain::Discipline::Fysiotherapeut);
    common::add_partner(&store, north, "Fysio Noord", sidw::domain::Discipline::Fysiotherapeut);
    let west = common::network_with_ion(&store, "West", 10_000);
    assert_eq!((partners(&app, north), partners(&app, south)), (0, 0));
    app.reload();
    assert!(!app.is_stale());
    assert_eq!((partners(&app, north), partners(&app, south), partners(&app, west)), (1, 1, 0));
    assert_eq!(app.networks.rows.len(), 3);
    // Nothing changed since: a reload keeps every row.
    app.reload();
    assert_eq!(app.networks.rows.len(), 3);
}
