//! The key table: the hints and `?` come from it and say what the keys do (per mode and role),
//! `?` at 80×24 and 120×40, `:` commands, and the entry flow of the quarter grid (issue 14).
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::common;
use crate::paper_form;
use paper_form::FORM;

use chrono::{TimeZone, Utc};
use common::{ctx, date, demo_app, press, screen_text};
use rust_decimal::Decimal;
use sidw::app::{App, Mode, Pane, Role};
use sidw::keys::{Context, ModeKind};

fn demo_as(role: Role) -> App {
    let store = sidw::store::Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let clock: sidw::app::Clock = std::sync::Arc::new(|| Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap());
    App::with_role(store, "vera", role, clock)
}

/// Zwolle-Zuid 2025-Q4 (no hours yet), cursor on the first cell.
fn zwolle_q4(app: &mut App) {
    press(app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q4<Enter><C-Home><Home>");
    assert_eq!((app.budget.row, app.budget.col), (0, 0));
    assert_eq!(app.budget.view.as_ref().unwrap().network.name, "Zwolle-Zuid");
}

/// Ways into every pane and mode: (keys from a fresh demo app, the mode they reach).
const FIXTURES: &[(&str, ModeKind)] = &[
    ("1", ModeKind::Normal),
    ("2", ModeKind::Normal),
    ("3", ModeKind::Normal),
    ("4", ModeKind::Normal),
    ("5", ModeKind::Normal),
    ("6", ModeKind::Normal),
    ("7", ModeKind::Normal),
    ("1/", ModeKind::Filter),
    ("1:", ModeKind::Command),
    ("1?", ModeKind::Help),
    ("3n", ModeKind::PickNetwork),
    ("3a", ModeKind::Close),
    ("3i", ModeKind::Invoices),
    ("1m", ModeKind::Milestones),
    (":jaarverslag 2025<Enter>", ModeKind::YearReport),
    ("3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q1<Enter><C-End><End><Enter>", ModeKind::Lines),
    ("3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q4<Enter>5", ModeKind::CellEdit),
    ("1n", ModeKind::Form),
    ("3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q4<Enter><C-Home>1<Tab>", ModeKind::Confirm),
];

#[test]
fn every_hint_names_a_key_that_does_what_it_says_per_mode_and_role() {
    let mut reached = std::collections::HashSet::new();
    for role in [Role::Viewer, Role::Editor, Role::Finance, Role::Admin] {
        for (keys, mode) in FIXTURES {
            let mut app = demo_as(role);
            press(&mut app, keys);
            if ModeKind::of(&app.mode) != *mode {
                assert!(role < Role::Editor, "{keys} does not reach {mode:?} for {role:?}");
                continue;
            }
            reached.insert((*mode, role));
            let context = Context::of(&app);
            let items = sidw::keys::hint_items(context, role);
            assert!(!items.is_empty() || *mode == ModeKind::Confirm, "no hints in {context:?}");
            for (binding, token) in &items {
                let key = sidw::keys::notation::parse_key(token).unwrap().example();
                let expected = binding.action_for(key);
                assert!(expected.is_some());
                assert_eq!(sidw::keys::action_for(&app, key), expected, "{token} in {context:?} for {role:?}");
                assert!(binding.needs.is_none_or(|needed| role >= needed), "{token} offered to {role:?}");
            }
            // The status bar shows the hints of the table.
            let hints = sidw::keys::hints_of(&app);
            let screen = screen_text(&app, 250, 40);
            assert!(screen.contains(&hints), "status bar lacks '{hints}' for {role:?}:\n{screen}");
        }
    }
    assert!(reached.contains(&(ModeKind::Lines, Role::Viewer)), "a viewer sees a cell's lines");
    assert_eq!(reached.len(), FIXTURES.iter().map(|(_, m)| m).collect::<std::collections::HashSet<_>>().len() * 4 - 3);
}

#[test]
fn a_viewer_is_not_offered_edit_keys_and_is_told_why_a_key_is_refused() {
    let mut viewer = demo_as(Role::Viewer);
    zwolle_q4(&mut viewer);
    let screen = screen_text(&viewer, 120, 40);
    assert!(!screen.contains("0-9 uren") && !screen.contains("f factuur"), "{screen}");
    assert!(screen.contains("[ ] kwartaal · n netwerk"), "{screen}");
    press(&mut viewer, "5");
    assert!(matches!(viewer.mode, Mode::Normal));
    let message = &viewer.message.as_ref().unwrap().text;
    assert!(message.contains("mag uw rol (viewer) niet") && message.contains("editor"), "{message}");
    press(&mut viewer, "?");
    let help = screen_text(&viewer, 120, 40);
    assert!(help.contains("vorig kwartaal") && !help.contains("typ uren in de cel"), "{help}");
    assert!(!help.contains(":importeer"), "{help}");

    let mut editor = demo_as(Role::Editor);
    zwolle_q4(&mut editor);
    assert!(screen_text(&editor, 120, 40).contains("0-9 uren"));
    press(&mut editor, "?");
    let help = screen_text(&editor, 120, 40);
    assert!(help.contains("typ uren in de cel") && help.contains(":importeer"), "{help}");
}

/// Everything the help shows, scrolled from top to bottom.
fn whole_help(app: &mut App, width: u16, height: u16) -> String {
    let mut text = String::new();
    for _ in 0..40 {
        let screen = screen_text(app, width, height);
        let inside: Vec<&str> =
            screen.lines().skip_while(|l| !l.contains("┌ Hulp")).take_while(|l| !l.contains('└')).collect();
        assert!(inside.len() > 3, "no help on screen:\n{screen}");
        for line in &inside[1..inside.len() - 1] {
            assert!(!line.contains('…'), "a description is cut at {width}×{height}:\n{screen}");
        }
        text.push_str(&inside.join("\n").replace('│', " "));
        let footer = inside[inside.len() - 1];
        let done = match footer.split("regel ").nth(1) {
            None => true,
            Some(range) => {
                let numbers: Vec<usize> =
                    range.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
                numbers.get(1) == numbers.get(2)
            }
        };
        if done {
            return text;
        }
        press(app, "<PgDn>");
    }
    panic!("the help does not scroll to its end");
}

#[test]
fn help_shows_every_key_and_whole_descriptions_at_80x24_and_120x40() {
    for (width, height) in [(80, 24), (120, 40)] {
        for (keys, context) in [
            ("3", Context { pane: Pane::Budget, mode: ModeKind::Normal }),
            ("1", Context { pane: Pane::Networks, mode: ModeKind::Normal }),
            ("3a", Context { pane: Pane::Budget, mode: ModeKind::Close }),
            ("1m", Context { pane: Pane::Networks, mode: ModeKind::Milestones }),
        ] {
            let mut app = demo_app();
            app.handle(sidw::app::Action::Resize(width, height));
            press(&mut app, keys);
            press(&mut app, "?");
            assert!(matches!(app.mode, Mode::Help { .. }));
            let text = whole_help(&mut app, width, height);
            let words: std::collections::HashSet<&str> = text.split_whitespace().collect();
            for (keys, help) in sidw::keys::help_lines(context, Role::Admin) {
                for key in keys.split(' ') {
                    assert!(words.contains(key), "{context:?} at {width}×{height}: key {key} missing");
                }
                for word in help.split_whitespace() {
                    assert!(text.contains(word), "{context:?} at {width}×{height}: '{word}' of '{help}' missing");
                }
            }
            if context.mode == ModeKind::Normal {
                for command in sidw::app::command::COMMANDS {
                    assert!(text.contains(&format!(":{}", command.name)), ":{} missing", command.name);
                }
            }
            press(&mut app, "<Esc>");
            assert_eq!(ModeKind::of(&app.mode), context.mode, "Esc goes back to what the help was over");
        }
    }
    // Help scrolls back up, and a short help does not scroll at all.
    let mut app = demo_app();
    app.handle(sidw::app::Action::Resize(80, 24));
    press(&mut app, "3?<End>");
    let Mode::Help { scroll, .. } = &app.mode else { panic!() };
    assert!(*scroll > 0);
    press(&mut app, "g");
    assert!(matches!(app.mode, Mode::Help { scroll: 0, .. }));
    let mut app = demo_app();
    app.handle(sidw::app::Action::Resize(120, 40));
    press(&mut app, "3a?");
    assert!(
        screen_text(&app, 120, 40).contains("Esc of ? sluit deze hulp\n")
            || !screen_text(&app, 120, 40).contains("scrollen · regel")
    );
}

#[test]
fn an_unknown_command_names_the_nearest_and_commands_check_the_role() {
    let mut app = demo_app();
    press(&mut app, ":importer x.csv<Enter>");
    let message = &app.message.as_ref().unwrap().text;
    assert!(message.contains("Onbekende opdracht ':importer'; bedoelde u :importeer?"), "{message}");
    press(&mut app, ":KWARTAAL 2025-Q2<Enter>");
    assert_eq!(app.pane, Pane::Budget);
    assert_eq!(app.budget.quarter.to_string(), "2025-Q2");
    let mut viewer = demo_as(Role::Viewer);
    press(&mut viewer, ":importeer x.csv<Enter>");
    let message = &viewer.message.as_ref().unwrap().text;
    assert!(message.contains("rol") && message.contains("editor"), "{message}");
}

fn cell(app: &App, partner: &str, month: u32) -> Option<Decimal> {
    let id = app.store().network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let partner = app.store().partners(id).unwrap().into_iter().find(|p| p.name.starts_with(partner)).unwrap();
    let lines = app.store().hours_of(id, 2025).unwrap();
    let ym = sidw::domain::YearMonth::new(2025, month).unwrap();
    let nihil =
        app.store().nihil_marks(id, ym.quarter()).unwrap().iter().any(|m| m.partner == partner.id && m.month == ym);
    let hours: Decimal = lines.iter().filter(|l| l.partner == partner.id && l.month == ym).map(|l| l.hours).sum();
    if hours.is_zero() { nihil.then_some(Decimal::ZERO) } else { Some(hours) }
}

#[test]
fn tab_wraps_to_the_next_partner_and_shift_tab_back() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    press(&mut app, "<Tab><Tab>");
    assert_eq!((app.budget.row, app.budget.col), (0, 2));
    assert_eq!(app.pane, Pane::Budget, "Tab moves in the grid, not to another pane");
    press(&mut app, "<Tab>");
    assert_eq!((app.budget.row, app.budget.col), (1, 0));
    press(&mut app, "<S-Tab>");
    assert_eq!((app.budget.row, app.budget.col), (0, 2));
    // Typing: Tab saves and wraps; Shift-Tab saves and goes back across the row's start.
    press(&mut app, "<Down>2<Tab>");
    assert_eq!((app.budget.row, app.budget.col), (2, 0));
    assert_eq!(cell(&app, "Fysio", 12), Some(Decimal::from(2)));
    press(&mut app, "3<S-Tab>");
    assert_eq!((app.budget.row, app.budget.col), (1, 2));
    assert_eq!(cell(&app, "Pedicure", 10), Some(Decimal::from(3)));
    // At the grid's last cell Tab stays; Home/End and Ctrl-Home/Ctrl-End.
    press(&mut app, "<C-End><End>");
    assert_eq!((app.budget.row, app.budget.col), (3, 2));
    press(&mut app, "<Tab>");
    assert_eq!((app.budget.row, app.budget.col), (3, 2));
    press(&mut app, "<Home>");
    assert_eq!(app.budget.col, 0);
    press(&mut app, "<C-Home>");
    assert_eq!((app.budget.row, app.budget.col), (0, 0));
}

#[test]
fn arrows_while_editing_save_and_move() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    press(&mut app, "<Down>1<Right>");
    assert_eq!((app.budget.row, app.budget.col), (1, 1));
    assert!(matches!(app.mode, Mode::Normal));
    press(&mut app, "2<Down>");
    assert_eq!((app.budget.row, app.budget.col), (2, 1));
    press(&mut app, "1,5<Left>");
    assert_eq!((app.budget.row, app.budget.col), (2, 0));
    press(&mut app, "4<Up>");
    assert_eq!((app.budget.row, app.budget.col), (1, 0));
    assert_eq!(cell(&app, "Fysio", 10), Some(Decimal::from(1)));
    assert_eq!(cell(&app, "Fysio", 11), Some(Decimal::from(2)));
    assert_eq!(cell(&app, "Pedicure", 11), Some(Decimal::new(15, 1)));
    assert_eq!(cell(&app, "Pedicure", 10), Some(Decimal::from(4)));
    // Esc keeps nothing and stays.
    press(&mut app, "7<Esc>");
    assert_eq!((app.budget.row, app.budget.col), (1, 0));
    assert_eq!(cell(&app, "Fysio", 10), Some(Decimal::from(1)));
}

#[test]
fn enter_on_an_empty_cell_edits_it_and_only_a_cell_with_lines_opens_the_list() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    press(&mut app, "<Down><Enter>");
    assert!(matches!(&app.mode, Mode::CellEdit(edit) if edit.text.is_empty()), "an empty cell is edited");
    press(&mut app, "3<Enter>");
    assert_eq!(cell(&app, "Fysio", 10), Some(Decimal::from(3)));
    assert_eq!(app.budget.row, 2, "Enter saves and moves down");
    // A cell with one line is edited with its value.
    press(&mut app, "<Up><Enter>");
    assert!(matches!(&app.mode, Mode::CellEdit(edit) if edit.text == "3"));
    press(&mut app, "<Esc>");
    // A cell with several lines opens the list (the psychologist's March, two activities).
    press(&mut app, ":kwartaal 2025-Q1<Enter><C-End><End><Enter>");
    assert!(matches!(app.mode, Mode::Lines));
    press(&mut app, "<Esc><Left><Enter>");
    assert!(matches!(app.mode, Mode::CellEdit(_)), "February has one line");
}

#[test]
fn a_letter_or_second_comma_is_refused_visibly() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    press(&mut app, "<Down>1,5");
    press(&mut app, ",");
    let Mode::CellEdit(edit) = &app.mode else { panic!() };
    assert_eq!(edit.text, "1,5");
    let message = app.message.as_ref().unwrap();
    assert_eq!(message.kind, sidw::app::MessageKind::Error);
    assert!(message.text.contains("al een komma"), "{}", message.text);
    press(&mut app, "a");
    assert!(app.message.as_ref().unwrap().text.contains("'a' is geen cijfer"));
    press(&mut app, ".");
    assert!(app.message.as_ref().unwrap().text.contains("al een komma"));
    let Mode::CellEdit(edit) = &app.mode else { panic!() };
    assert_eq!(edit.text, "1,5");
    assert!(screen_text(&app, 80, 24).contains("komma"), "the refusal is on screen");
    // ? shows the keys of the cell and goes back to it, the typing kept.
    press(&mut app, "?");
    assert!(screen_text(&app, 80, 24).contains("Toetsen in een urencel"));
    press(&mut app, "<Esc>");
    assert!(matches!(&app.mode, Mode::CellEdit(edit) if edit.text == "1,5"));
    press(&mut app, "<BS>2<Enter>");
    assert_eq!(cell(&app, "Fysio", 10), Some(Decimal::new(12, 1)), "one comma is fine");
}

#[test]
fn a_save_the_store_refuses_keeps_the_typed_value_and_the_cell() {
    let mut app = demo_app();
    // Almere Haven: one partner's agreement is still out, so the store refuses its hours.
    press(&mut app, "3:netwerk Almere Haven<Enter>:kwartaal 2025-Q2<Enter>");
    let view = app.budget.view.as_ref().unwrap();
    let agreements = app.store().agreements(view.network.id).unwrap();
    let row = view
        .partners
        .iter()
        .position(|p| !agreements.iter().any(|a| a.partner == Some(p.id) && a.signed.is_some()))
        .expect("a partner without a signed agreement");
    press(&mut app, "<C-Home>");
    for _ in 0..row {
        press(&mut app, "<Down>");
    }
    press(&mut app, "2,5<Tab>");
    let Mode::CellEdit(edit) = &app.mode else { panic!("the cell stays open: {:?}", app.message) };
    assert_eq!((edit.text.as_str(), edit.row, edit.col), ("2,5", row, 0));
    assert_eq!((app.budget.row, app.budget.col), (row, 0));
    assert_eq!(app.message.as_ref().unwrap().kind, sidw::app::MessageKind::Error);
}

#[test]
fn q_asks_before_quitting_while_a_cell_or_form_is_open() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    press(&mut app, "4q");
    assert!(matches!(&app.mode, Mode::Confirm(c) if c.title == "Stoppen?") && !app.quit);
    press(&mut app, "v");
    assert!(matches!(&app.mode, Mode::CellEdit(edit) if edit.text == "4"));
    press(&mut app, "<Esc><F1>n<C-c>");
    assert!(matches!(&app.mode, Mode::Confirm(c) if c.title == "Stoppen?") && !app.quit);
    press(&mut app, "n");
    assert!(matches!(app.mode, Mode::Form(..)));
    // F1 shows the form's keys (? is typed text here) and goes back to the form.
    press(&mut app, "<F1>");
    assert!(screen_text(&app, 80, 24).contains("Toetsen in een formulier"));
    press(&mut app, "<Esc>");
    assert!(matches!(app.mode, Mode::Form(..)));
    press(&mut app, "<Esc>q");
    assert!(app.quit, "q in a pane with nothing open quits");
}

#[test]
fn keying_a_4_by_3_form_takes_at_most_40_keys() {
    let mut app = demo_app();
    zwolle_q4(&mut app);
    let mut sent = 0;
    for (i, (value, answer)) in FORM.iter().enumerate() {
        let keys = format!("{value}{}{answer}", if i == FORM.len() - 1 { "<Enter>" } else { "<Tab>" });
        let keys = sidw::keys::parse_typed(&keys).unwrap();
        sent += keys.len();
        for key in keys {
            sidw::keys::dispatch(&mut app, key);
        }
        assert!(matches!(app.mode, Mode::Normal), "value {i} ({value}) left {:?}", sidw::keys::ModeKind::of(&app.mode));
    }
    assert_eq!(sent, 31);
    assert!(sent <= 40);
    let partners = ["Apotheek", "Fysio", "Pedicure", "Psycholoog"];
    for (i, (value, _)) in FORM.iter().enumerate() {
        let partner = if i / 3 == 3 { "Psychologen" } else { partners[i / 3] };
        let expected: Decimal = value.replace(',', ".").parse().unwrap();
        assert_eq!(cell(&app, partner, 10 + (i % 3) as u32), Some(expected), "value {i}");
    }
    let id = app.store().network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let by_team = app
        .store()
        .hours_of(id, 2025)
        .unwrap()
        .iter()
        .filter(|l| l.month.month() >= 10 && l.paid_by_practice_team)
        .count();
    assert_eq!(by_team, 2);
}

/// README's key list is the key table's (`SIDW_WRITE_README=1` writes it).
#[test]
fn readme_lists_the_keys_of_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (begin, end) = ("<!-- keys: generated from src/keys by tests/it/keys.rs -->\n", "<!-- keys end -->");
    let start = readme.find(begin).expect("README has the key list") + begin.len();
    let stop = readme[start..].find(end).expect("the key list ends") + start;
    let table = sidw::keys::markdown();
    if std::env::var_os("SIDW_WRITE_README").is_some() {
        std::fs::write(path, format!("{}{table}{}", &readme[..start], &readme[stop..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[start..stop],
        table,
        "README's keys differ from the table: SIDW_WRITE_README=1 cargo test --test it keys::readme"
    );
}
