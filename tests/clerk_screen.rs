//! Issue 14 (part B): a screen a clerk can trust: every budget figure follows the typed value,
//! panes 1 and 3 share the network, the layout at 40×12, 80×24 and 120×40, Dutch text.

mod common;

use common::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A Dutch amount as shown (`€ 1.019,40`, `€ -12,50`) as a number.
fn amount(text: &str) -> Decimal {
    let number = text.trim().trim_start_matches('€').trim().split(' ').next().unwrap_or_default();
    let digits = number.replace('.', "").replace(',', ".");
    Decimal::from_str(&digits).unwrap_or_else(|_| panic!("not an amount: {text:?}"))
}

/// The amount at the end of the screen line that starts (inside its border) with `label`.
fn figure(screen: &str, label: &str) -> Decimal {
    let line = screen
        .lines()
        .find_map(|l| l.split('│').find(|part| part.starts_with(label)))
        .unwrap_or_else(|| panic!("no '{label}' on screen:\n{screen}"));
    let at = line.rfind('€').unwrap_or_else(|| panic!("no amount in {line:?}"));
    amount(&line[at..])
}

/// The cells of the grid line that starts with `name` (after the border), split on runs of spaces.
fn grid_row(screen: &str, name: &str) -> Vec<String> {
    let line = screen
        .lines()
        .find_map(|l| l.strip_prefix('│').filter(|rest| rest.starts_with(name)))
        .unwrap_or_else(|| panic!("no row '{name}' on screen:\n{screen}"));
    let line = line.split('│').next().unwrap()[name.len()..].to_string();
    line.split("  ").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[test]
fn every_budget_figure_follows_the_typed_value_at_every_keystroke() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>");
    for (w, h) in [(80, 24), (120, 40)] {
        let before = screen_text(&app, w, h);
        let budget = figure(&before, "Partnerbudget");
        let spent = figure(&before, "Besteed");
        assert_eq!(spent + figure(&before, "Resterend"), budget);
        let total_before = grid_row(&before, "Totaal");
        // Fysiotherapie (B, € 84,95 an hour) has 4 hours in July; type 12,5 over them, key by key.
        let mut app = demo_app();
        press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter><Down>");
        let typed = ["1", "2", ",", "5"];
        let mut shown_hours = Vec::new();
        for (i, key) in typed.iter().enumerate() {
            press(&mut app, key);
            let screen = screen_text(&app, w, h);
            let spent_now = figure(&screen, "Besteed");
            let remaining_now = figure(&screen, "Resterend");
            assert_eq!(spent_now + remaining_now, budget, "after {:?} at {w}×{h}:\n{screen}", &typed[..=i]);
            shown_hours.push(spent_now);
            let row = grid_row(&screen, "Fysiotherapie Zwolle-Zuid (B)");
            let total = grid_row(&screen, "Totaal");
            let hours_now = Decimal::from_str(&typed[..=i].concat().trim_end_matches(',').replace(',', ".")).unwrap();
            // Besteed, the row's Waarde kw., the month's total: stored 4 h replaced by the typed hours.
            let worth = |hours: Decimal| sidw::domain::money::round_cents(hours * Decimal::from_str("84.95").unwrap());
            let delta = worth(hours_now) - worth(Decimal::from(4));
            assert_eq!(spent_now, spent + delta, "{screen}");
            assert_eq!(amount(&row[3]), Decimal::from_str("1019.40").unwrap() + delta, "{row:?}");
            let july_total =
                Decimal::from_str(&total_before[0].replace(',', ".")).unwrap() - Decimal::from(4) + hours_now;
            assert_eq!(total[0].replace(',', "."), july_total.normalize().to_string(), "{screen}");
            assert_eq!(amount(&total[3]), amount(&total_before[3]) + delta, "{screen}");
        }
        // 1 → 12 → 12, → 12,5: every keystroke moved Besteed (12, is still 12).
        assert!(shown_hours[0] < shown_hours[1] && shown_hours[1] == shown_hours[2] && shown_hours[2] < shown_hours[3]);
        // Esc: the stored figures are back.
        press(&mut app, "<Esc>");
        let after = screen_text(&app, w, h);
        assert_eq!(figure(&after, "Besteed"), spent);
        assert_eq!(grid_row(&after, "Totaal"), total_before);
    }
}

/// The network in the Kwartaalbudget title, and its quarter.
fn budget_title(screen: &str) -> (String, String) {
    let line =
        screen.lines().find(|l| l.contains(" · [ ] kwartaal") || l.contains("AFGESLOTEN")).unwrap_or_else(|| {
            panic!("no Kwartaalbudget title on screen:\n{screen}");
        });
    let mut parts = line.trim_start_matches(['┌', ' ']).split(" · ");
    (parts.next().unwrap().trim().to_string(), parts.next().unwrap().trim().to_string())
}

/// F1: Netwerken (in Kwartaalbudget the digits are hours).
fn pane_1(app: &mut sidw::app::App) {
    app.handle(sidw::app::Action::ShowPane(sidw::app::Pane::Networks));
}

#[test]
fn kwartaalbudget_opens_on_the_network_selected_in_netwerken_and_the_other_way_round() {
    let mut app = demo_app();
    press(&mut app, "3");
    let (first, _) = budget_title(&screen_text(&app, 80, 24));
    // Pane 1: select another network; pane 3 opens on it.
    pane_1(&mut app);
    press(&mut app, ":netwerk Lelystad-Atolwijk<Enter>3");
    let (shown, _) = budget_title(&screen_text(&app, 80, 24));
    assert_eq!(shown, "Lelystad-Atolwijk", "{}", screen_text(&app, 80, 24));
    assert_ne!(shown, first);
    // Pane 3: choose a network there; pane 1 has it selected (its detail is shown).
    press(&mut app, ":netwerk Zwolle-Zuid<Enter>");
    pane_1(&mut app);
    assert_eq!(app.networks.selected().map(|r| r.network.name.as_str()), Some("Zwolle-Zuid"));
    contains_all(&screen_text(&app, 120, 40), &["Praktijkteam · 7.000 ION", "Huisartsenpraktijk De Esch"]);
    // Up in pane 1, and pane 3 follows again; the quarter stays.
    press(&mut app, "3:kwartaal 2025-Q1<Enter>");
    pane_1(&mut app);
    press(&mut app, "<Up>");
    let below = app.networks.selected().unwrap().network.name.clone();
    assert_ne!(below, "Zwolle-Zuid");
    press(&mut app, "3");
    assert_eq!(budget_title(&screen_text(&app, 80, 24)), (below, "2025-Q1".to_string()));
}

#[test]
fn the_last_network_and_quarter_are_remembered_per_user_and_are_not_an_audited_change() {
    use sidw::app::App;
    let store = sidw::store::Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let log_before = store.audit_log().unwrap().len();
    let generation = store.generation();
    let mut anna = App::new(store.clone(), "anna", clock.clone());
    let bert_default = budget_title(&{
        let mut bert = App::new(store.clone(), "bert", clock.clone());
        press(&mut bert, "3");
        screen_text(&bert, 80, 24)
    });
    press(&mut anna, "3:netwerk Lelystad-Atolwijk<Enter>:kwartaal 2024-Q4<Enter>");
    drop(anna);
    // Anna comes back to Lelystad-Atolwijk 2024-Q4, on both panes.
    let mut anna = App::new(store.clone(), "anna", clock.clone());
    assert_eq!(anna.networks.selected().map(|r| r.network.name.as_str()), Some("Lelystad-Atolwijk"));
    press(&mut anna, "3");
    assert_eq!(budget_title(&screen_text(&anna, 80, 24)), ("Lelystad-Atolwijk".into(), "2024-Q4".into()));
    // Bert's screen is his own.
    let mut bert = App::new(store.clone(), "bert", clock.clone());
    press(&mut bert, "3");
    assert_eq!(budget_title(&screen_text(&bert, 80, 24)), bert_default);
    assert_ne!(bert_default.1, "2024-Q4");
    // Not a change: no log entry, and colleagues' screens are not told to reload.
    assert_eq!(store.audit_log().unwrap().len(), log_before);
    assert_eq!(store.generation(), generation);
}
