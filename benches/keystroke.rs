//! One keystroke in the hours grid, from key event to finished frame (TestBackend, 120×40), on a
//! store of 300 networks with 10 partners each (3 000 partners) and 10 years of monthly hours
//! (360 000 lines). Target: median under 1 ms.

use std::hint::black_box;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "fixture/mod.rs"]
mod fixture;

use sidw::app::{Action, App, Clock, Key, KeyCode};
use sidw::ui::{self, Theme};

const NETWORKS: usize = 300;
const PARTNERS_PER_NETWORK: usize = 10;

fn keystroke(c: &mut Criterion) {
    let store = fixture::store(NETWORKS, PARTNERS_PER_NETWORK, 2016..=2025, None);
    let clock: Clock = Arc::new(|| Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap());
    let mut app = App::new(store, "bench", clock);
    let theme = Theme::colored();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.handle(Action::Resize(120, 40));
    let press = |app: &mut App, key: Key| {
        if let Some(action) = ui::keymap::action_for(app, key) {
            app.handle(action);
        }
    };
    press(&mut app, Key::char('3'));
    for c in ":netwerk Wijk 150".chars() {
        press(&mut app, Key::char(c));
    }
    press(&mut app, Key::new(KeyCode::Enter));
    for c in ":kwartaal 2025-Q2".chars() {
        press(&mut app, Key::char(c));
    }
    press(&mut app, Key::new(KeyCode::Enter));
    press(&mut app, Key::char('j'));
    press(&mut app, Key::char('j'));
    press(&mut app, Key::char('2')); // the cell is being typed from here on
    assert!(app.preview().is_some(), "the grid cell is in edit mode");

    // Each iteration is one keystroke and one frame: a digit, then Backspace, alternately, so the
    // cell never grows; every keystroke recomputes the cell's worth and the remaining budget.
    let mut typed = false;
    c.bench_function("keystroke in hours grid (event to frame, 360 000 lines)", |b| {
        b.iter(|| {
            let key = if typed { Key::new(KeyCode::Backspace) } else { Key::char('5') };
            typed = !typed;
            press(&mut app, key);
            terminal.draw(|frame| ui::draw(frame, &app, &theme)).unwrap();
            black_box(app.preview().map(|p| p.remaining));
        })
    });
}

criterion_group!(benches, keystroke);
criterion_main!(benches);
