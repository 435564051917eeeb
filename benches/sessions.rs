//! Issue 13's server CPU per saved cell, in one process: 20 sessions' apps on one store (10 on
//! Signalen, 10 on the saved cell's network in the hours grid), a colleague saves one cell, and
//! each session does what `serve/session.rs` does (the refresh after a colleague's change, a
//! frame). Prints the CPU per save (the saver's write, the sessions' reloads and frames) and each
//! part's percentiles; not run by `cargo test`. Profile it with `perf record -g`.
//!
//! ```text
//! SIDW_HISTORY_DB=/tmp/sidw-history cargo bench --bench sessions
//! ```
//!
//! The directory given is copied, never changed. `SIDW_BENCH_RUNS` sets the saves (40).
#![allow(clippy::unwrap_used)]

#[path = "fixture/drive.rs"]
mod drive;
#[path = "fixture/percentiles.rs"]
mod percentiles;
use drive::{copy_dir, press, type_text};
use percentiles::report;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use sidw::app::{Action, App, Clock, Key, KeyCode};
use sidw::domain::Region;
use sidw::store::{ChangeContext, Store, region_networks};
use sidw::ui::{self, Theme};

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap())
}

/// This thread's CPU time (the sessions all run on it, one after the other).
#[allow(unsafe_code)] // one libc call that reads the clock into a local
fn cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: writes the given live local.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec.cast_unsigned(), u32::try_from(t.tv_nsec).unwrap_or(0))
}

struct Session {
    app: App,
    terminal: Terminal<TestBackend>,
}

fn main() {
    let Some(given) = std::env::var_os("SIDW_HISTORY_DB") else {
        eprintln!("SIDW_HISTORY_DB is not set (see `cargo run --release --example gen-large`): nothing measured");
        return;
    };
    let runs: usize = std::env::var("SIDW_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(40);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("history");
    copy_dir(Path::new(&given), &dir);
    let store = Store::open(&dir).unwrap();
    let theme = Theme::colored();
    let zwolle = region_networks(&store, Region::Zwolle).unwrap();
    let network = store.network(zwolle[zwolle.len() / 2]).unwrap();
    let ctx = ChangeContext::new("keyer", Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap());
    let quarter = sidw::domain::Quarter::parse("2025-Q4").unwrap();
    if store.quarter_close(network.id, quarter).unwrap().is_some() {
        store.reopen_quarter(&ctx, network.id, quarter, "benchmark").unwrap();
    }
    let mut sessions: Vec<Session> = (0..20)
        .map(|i| {
            let mut app = App::new(store.clone(), format!("collega{i}"), clock());
            app.handle(Action::Resize(120, 40));
            if i % 2 == 0 {
                press(&mut app, Key::char('3'));
                type_text(&mut app, &format!(":netwerk {}", network.name));
                press(&mut app, Key::new(KeyCode::Enter));
                type_text(&mut app, ":kwartaal 2025-Q4");
                press(&mut app, Key::new(KeyCode::Enter));
            } else {
                press(&mut app, Key::char('4'));
            }
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|frame| ui::draw(frame, &app, &theme)).unwrap();
            Session { app, terminal }
        })
        .collect();
    let line = store.hours_of(network.id, 2025).unwrap().pop().unwrap();
    let (mut saves, mut signalen, mut cells, mut totals) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let hours = if i % 2 == 0 { rust_decimal::Decimal::TWO } else { rust_decimal::Decimal::ONE };
        let started = cpu();
        store.update_hours(&ctx, &sidw::domain::HoursEntry { hours, ..line.clone() }).unwrap();
        let saved = cpu();
        saves.push(saved - started);
        for (n, session) in sessions.iter_mut().enumerate() {
            let before = cpu();
            assert!(session.app.is_stale());
            session.app.handle(Action::Refresh);
            let app = &session.app;
            session.terminal.draw(|frame| ui::draw(frame, app, &theme)).unwrap();
            let took = cpu() - before;
            if n % 2 == 0 { cells.push(took) } else { signalen.push(took) }
        }
        totals.push(cpu() - started);
    }
    println!("{} saves, 20 sessions (10 on Signalen, 10 on the cell's network)", runs);
    report("the save itself (store write, audit, indexes)", saves);
    report("a session on Signalen: refresh + frame", signalen);
    report("a session on the cell's network: refresh + frame", cells);
    report("CPU per saved cell, all 20 sessions (target ≤ 20 ms)", totals);
}
