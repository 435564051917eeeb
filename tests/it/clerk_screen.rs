//! Issue 14 (part B): a screen a clerk can trust: every budget figure follows the typed value,
//! panes 1 and 3 share the network, the layout at 40×12, 80×24 and 120×40, Dutch text.
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::common;

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

/// What is wrong with a text's Dutch: hours with a decimal point (`1.5 uur`), `€` at the end of a
/// line (its amount on the next), a sign before `€` (`-€ 5,00`: the one format is `€ -5,00`).
fn dutch_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_end_matches([' ', '│', '┐', '┘', '┤', '\u{a0}']);
        if trimmed.ends_with('€') {
            problems.push(format!("€ at the end of a line: {line:?}"));
        }
        if line.contains("-€") || line.contains("+€") {
            problems.push(format!("sign before €: {line:?}"));
        }
        let mut rest = line;
        while let Some(at) = rest.find(" uur") {
            let token = rest[..at].rsplit(' ').next().unwrap_or("");
            let digits = token.trim_start_matches(['(', '-', '+']);
            if digits.contains('.') && digits.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                problems.push(format!("decimal point in hours: {token:?} in {line:?}"));
            }
            rest = &rest[at + 4..];
        }
    }
    problems
}

#[test]
fn the_sweep_finds_what_it_looks_for() {
    assert_eq!(dutch_problems("Correctie van 1.5 uur").len(), 1);
    assert_eq!(dutch_problems("│Resterend €\n│ 12,00").len(), 1);
    assert_eq!(dutch_problems("factuur -€ 5,00").len(), 1);
    assert!(dutch_problems("Correctie van 1,5 uur · € 1.019,40 · € -5,00 · 12 uur").is_empty());
}

/// Every pane, typing, a confirmation, the lines of a cell, the close screen and help, at 40×12,
/// 80×24, 100×30 and 120×40; and the messages the app gave on the way.
#[test]
fn rendered_screens_and_messages_have_dutch_decimals_signs_and_keep_euro_with_its_amount() {
    use sidw::app::{Action, Pane};
    let mut app = demo_app();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut look = |app: &sidw::app::App, what: &str| {
        for (w, h) in [(40, 12), (80, 24), (100, 30), (120, 40)] {
            seen.push((format!("{what} at {w}×{h}"), screen_text(app, w, h)));
        }
        if let Some(message) = &app.message {
            seen.push((format!("{what}: message"), message.text.clone()));
        }
    };
    for pane in Pane::ALL {
        app.handle(Action::ShowPane(pane));
        look(&app, pane.title());
    }
    app.handle(Action::ShowPane(Pane::Budget));
    press(&mut app, ":netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter><Down><Down><Down><Right><Right>14,5");
    look(&app, "typing 14,5");
    press(&mut app, "<Enter>");
    look(&app, "over budget");
    press(&mut app, "b");
    look(&app, "saved by the practice team");
    press(&mut app, "<Up><Enter>");
    look(&app, "the lines of a cell");
    press(&mut app, "<Esc>?");
    look(&app, "help");
    press(&mut app, "<Esc>a");
    look(&app, "close screen");
    press(&mut app, "c");
    look(&app, "close refused");
    let problems: Vec<String> = seen
        .iter()
        .flat_map(|(what, text)| dutch_problems(text).into_iter().map(move |p| format!("{what}: {p}\n{text}")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The command line speaks the same Dutch: hours with a decimal comma (also a line paid by the
/// practice team in the payments report), no sign before €, € with its amount.
#[test]
fn command_line_messages_have_dutch_decimals_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let sidw = |args: &[&str]| {
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).args(args).output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    sidw(&["demo"]);
    let hours = |month: &str, hours: &str| {
        let partner = "Psychologenpraktijk De Stadshagen";
        let args = ["hours", "set", "--network", "Zwolle-Zuid", "--partner", partner, "--month", month];
        sidw(&[&args[..], &["--hours", hours, "--by-team-increase", "--user", "anna"]].concat())
    };
    let mut texts = vec![hours("2025-09", "14,5"), hours("2025-08", "2,25")];
    assert!(texts[0].contains("14,5 uur, waarvan 12,5 uur betaald door het praktijkteam"), "{}", texts[0]);
    for args in [
        &["hours", "list", "--network", "Zwolle-Zuid", "--quarter", "2025-Q3"][..],
        &["report", "payments", "--quarter", "2025-Q3"],
        &["report", "budget"],
        &["report", "signals"],
        &["invoice", "list", "--network", "Zwolle-Zuid", "--quarter", "2025-Q3"],
    ] {
        texts.push(sidw(args));
    }
    assert!(texts[3].contains("september 2025 12,5 uur"), "{}", texts[3]);
    for text in &texts {
        let problems = dutch_problems(text);
        assert!(problems.is_empty(), "{problems:?}\n{text}");
    }
}

#[test]
fn the_grid_at_80x24_and_120x40_uses_the_width_and_cuts_only_with_an_ellipsis() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>");
    let long = "Psychologenpraktijk De Stadshagen (A)";
    // 80×24: the long name is cut, with an ellipsis; every column is there.
    let narrow = screen_text(&app, 80, 24);
    contains_all(&narrow, &["Psychologenpraktijk De Stadshag…", "Waarde kw.", "Factuur", "€ 1.019,40", "ontbreekt"]);
    assert!(!narrow.contains(long) && !narrow.contains("+praktijkt."), "{narrow}");
    // 120×40: whole names, and the practice-team column (from 90 columns).
    let wide = screen_text(&app, 120, 40);
    contains_all(&wide, &[long, "+praktijkt.", "Waarde kw.", "Factuur", "Fysiotherapie Zwolle-Zuid (B)"]);
    assert!(!wide.contains('…'), "nothing is cut at 120 columns:\n{wide}");
    // 89 columns: no practice-team column yet; 90: there.
    assert!(!screen_text(&app, 89, 30).contains("+praktijkt."));
    assert!(screen_text(&app, 90, 30).contains("+praktijkt."));
    // The row of the practice team's part, when there is one: € +…, never +€.
    press(&mut app, "<Down><Down><Down><Right><Right>14,5<Enter>b");
    let wide = screen_text(&app, 120, 40);
    assert!(wide.lines().any(|l| l.contains(long) && l.contains("€ +1.262,50")), "{wide}");
}

#[test]
fn at_40x12_the_cell_being_typed_and_what_remains_stay_visible() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter><Down><Down><Down><Right>7,25");
    let screen = screen_text(&app, 40, 12);
    contains_all(&screen, &["7,25▏", "Psychologenprakt…", "Resterend"]);
    // The typed cell shows its end (with the cursor) when it is longer than the column.
    press(&mut app, "<BS><BS><BS><BS>123,25");
    assert!(screen_text(&app, 40, 12).contains("…3,25▏") || screen_text(&app, 40, 12).contains("123,25▏"));
    // The first row typed into at 40×12 is visible too (no scrolling past it).
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter>5");
    contains_all(&screen_text(&app, 40, 12), &["5▏", "Apotheek Zuid"]);
    // Every line of the 40×12 screen either fits or ends in an ellipsis: nothing is cut silently.
    for line in screen_text(&app, 40, 12).lines() {
        assert!(line.chars().count() <= 40, "{line}");
    }
}

#[test]
fn the_footer_names_user_and_role_and_the_welcome_names_the_seven_panes() {
    use sidw::app::{App, Role};
    let store = sidw::store::Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let viewer = App::with_role(store.clone(), "vera", Role::Viewer, sidw::app::system_clock());
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = screen(&viewer, w, h, sidw::ui::Theme::colored());
        assert!(screen[h as usize - 2].ends_with("vera · viewer"), "{}", screen.join("\n"));
    }
    let admin = demo_app();
    assert!(screen_text(&admin, 80, 24).contains("anna · admin"));
    // A long message makes room for the name rather than covering it.
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q3<Enter><Down>xj");
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("anna · admin"), "{screen}");

    let empty = App::new(sidw::store::Store::temporary().unwrap(), "anna", sidw::app::system_clock());
    let welcome = screen_text(&empty, 80, 24);
    contains_all(
        &welcome,
        &[
            "1 Netwerken",
            "2 Overeenkomsten",
            "3 Kwartaalbudget",
            "4 Signalen",
            "5 Tarieven",
            "6 Logboek",
            "7 Gemeenten",
        ],
    );
}

/// Names cut without an ellipsis on a screen: where the start of a name shows but not the whole
/// name, the text after the shown part must be `…`.
fn silently_cut<'a>(screen: &str, names: &'a [String]) -> Vec<(&'a str, String)> {
    let mut cut = Vec::new();
    for name in names {
        let start: String = name.chars().take(10).collect();
        if start.chars().count() < 10 {
            continue;
        }
        for line in screen.lines() {
            for (at, _) in line.match_indices(&start) {
                // Another name with the same start, shown whole, is no cut.
                if names.iter().any(|other| line[at..].starts_with(other.as_str())) {
                    continue;
                }
                let shown: Vec<char> = line[at..].chars().collect();
                let whole: Vec<char> = name.chars().collect();
                let same = shown.iter().zip(&whole).take_while(|(a, b)| a == b).count();
                // Cut where the name stops and a gap, a border or the line's end follows (a
                // letter there is another name with the same start).
                if same > 10 && same < whole.len() && matches!(shown.get(same), None | Some(' ' | '│')) {
                    cut.push((name.as_str(), line.to_string()));
                }
            }
        }
    }
    cut
}

#[test]
fn no_pane_cuts_a_name_without_an_ellipsis() {
    use sidw::app::{Action, Pane};
    let mut app = demo_app();
    let store = app.store().clone();
    let mut names: Vec<String> = Vec::new();
    for network in store.networks().unwrap() {
        names.push(network.name.clone());
        names.push(network.municipality.clone());
        names.extend(store.partners(network.id).unwrap().into_iter().map(|p| p.name));
        names.extend(store.practice_team(network.id).unwrap().practices.into_iter().map(|p| p.name));
    }
    let mut problems = Vec::new();
    let mut look = |app: &sidw::app::App, what: &str| {
        for (w, h) in [(80, 24), (100, 30), (120, 40), (160, 50)] {
            for (name, line) in silently_cut(&screen_text(app, w, h), &names) {
                problems.push(format!("{what} at {w}×{h}: {name:?} cut in {line:?}"));
            }
        }
    };
    for pane in Pane::ALL {
        app.handle(Action::ShowPane(pane));
        look(&app, pane.title());
    }
    app.handle(Action::ShowPane(Pane::Budget));
    for network in ["Zwolle-Zuid", "Almere Haven", "Lelystad-Atolwijk", "Hardenberg-Baalder"] {
        press(&mut app, &format!(":netwerk {network}<Enter>"));
        look(&app, network);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check itself sees a silent cut.
    assert_eq!(silently_cut("│Psychologenpraktijk De Sta  │", &["Psychologenpraktijk De Stadshagen".into()]).len(), 1);
    assert!(silently_cut("│Psychologenpraktijk De Sta…│", &["Psychologenpraktijk De Stadshagen".into()]).is_empty());
}
