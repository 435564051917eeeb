//! Logboek on the history data set (issue 13: < 5 ms per filter keystroke with 400 000 audit
//! entries): the one-time build of the log's indexes when a store from before them is opened,
//! then every keystroke of typing (and erasing) several filters, each to a drawn frame, and Enter
//! on an entry. Prints percentiles; not run by `cargo test`.
//!
//! ```text
//! SIDW_HISTORY_DB=/tmp/sidw-history cargo bench --bench logbook
//! ```
//!
//! The directory given is copied, never changed.
#![allow(clippy::unwrap_used)]

#[path = "fixture/drive.rs"]
mod drive;
#[path = "fixture/percentiles.rs"]
mod percentiles;
use drive::{copy_dir, press};
use percentiles::report;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use sidw::app::{App, Clock, Key, KeyCode};
use sidw::store::Store;
use sidw::ui::{self, Theme};

fn main() {
    let Some(given) = std::env::var_os("SIDW_HISTORY_DB") else {
        println!("SIDW_HISTORY_DB is not set: build the data set with the gen-large example first.");
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("db");
    copy_dir(Path::new(&given), &dir);
    let started = Instant::now();
    let store = Store::open(&dir).unwrap();
    println!("open, building the log's indexes if the store has none: {:.2} s", started.elapsed().as_secs_f64());
    drop(store);
    let started = Instant::now();
    let store = Store::open(&dir).unwrap();
    println!("open again (indexes built): {:.3} s", started.elapsed().as_secs_f64());
    let entries = store.audit_entries_newest_first().count();
    println!("audit entries: {entries}");

    let clock: Clock = Arc::new(|| Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap());
    let theme = Theme::colored();
    let mut app = App::new(store.clone(), "bench", clock);
    app.handle(sidw::app::Action::Resize(120, 40));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut frame = |app: &App| {
        terminal.draw(|f| ui::draw(f, app, &theme)).unwrap();
    };
    press(&mut app, Key::char('6'));
    frame(&app);
    let mut all = Vec::new();
    for filter in
        ["wijk 150 partner", "partner 150-3", "20-12-2019", "12-2019 wijk 007", "generator", "uren toegevoegd"]
    {
        press(&mut app, Key::char('/'));
        let text: Vec<char> = filter.chars().collect();
        let mut samples = Vec::new();
        let mut drawn = Vec::new();
        let mut listed = 0;
        for i in 0..text.len() * 2 {
            let key = if i < text.len() { Key::char(text[i]) } else { Key::new(KeyCode::Backspace) };
            let read = sidw::store::audit::keys_read();
            let started = Instant::now();
            press(&mut app, key);
            let pressed = Instant::now();
            let read = sidw::store::audit::keys_read() - read;
            frame(&app);
            drawn.push(pressed.elapsed());
            samples.push(started.elapsed());
            if started.elapsed() > std::time::Duration::from_millis(5) {
                // The slow ones, to find out why (`SIDW_BENCH_RUNS` is not used here).
                let typed: String =
                    text[..if i < text.len() { i + 1 } else { text.len() * 2 - 1 - i }].iter().collect();
                println!(
                    "  slow: '{typed}' {:.1} ms (key {:.1} ms, {read} index keys and heads read), {} listed, {} searched{}",
                    started.elapsed().as_secs_f64() * 1e3,
                    (pressed - started).as_secs_f64() * 1e3,
                    app.log.entries.len(),
                    app.log.searched,
                    if app.log.unindexed { ", unindexed" } else { "" }
                );
            }
            if i + 1 == text.len() {
                listed = app.log.entries.len();
            }
        }
        press(&mut app, Key::new(KeyCode::Enter));
        report(&format!("filter keystroke to frame, '{filter}' ({listed} listed)"), samples.clone());
        report("  of which the frame", drawn);
        all.extend(samples);
    }
    report(&format!("every filter keystroke above, {entries} entries (target < 5 ms)"), all);
    let (mut keys, mut frames) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        for key in [KeyCode::Enter, KeyCode::Esc] {
            let started = Instant::now();
            press(&mut app, Key::new(key));
            keys.push(started.elapsed());
            let started = Instant::now();
            frame(&app);
            frames.push(started.elapsed());
        }
    }
    report("Enter (whole entry) or Esc: the key alone", keys);
    report("Enter (whole entry) or Esc: the frame alone", frames);
}
