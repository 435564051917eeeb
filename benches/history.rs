//! The figures of issue 13's targets table that can be measured in one process, on the history
//! data set (300 networks, 3 000 partners, 360 000 hours lines 2016–2025, one audit entry per
//! keyed line, 120 region batches), each against the same on one year without history where the
//! target compares. Prints percentiles; not run by `cargo test`.
//!
//! ```text
//! cargo run --release --example gen-large -- /tmp/sidw-history     # once (minutes)
//! SIDW_HISTORY_DB=/tmp/sidw-history cargo bench --bench history
//! ```
//!
//! Without `SIDW_HISTORY_DB` the data set is generated into a temporary directory first. The
//! directory given is copied, never changed. `SIDW_BENCH_RUNS` sets the runs per figure (20).
#![allow(clippy::unwrap_used)]

#[path = "fixture/history.rs"]
mod history;

#[path = "fixture/drive.rs"]
mod drive;
#[path = "fixture/percentiles.rs"]
mod percentiles;
use drive::{copy_dir, press, type_text};
use percentiles::report;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use sidw::app::{App, Clock, Key, KeyCode};
use sidw::domain::{Quarter, Region};
use sidw::store::{ChangeContext, Store, region_networks};
use sidw::ui::{self, Theme};

const TODAY: (i32, u32, u32) = (2026, 1, 12);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
}

fn clock() -> Clock {
    Arc::new(|| Utc.with_ymd_and_hms(TODAY.0, TODAY.1, TODAY.2, 9, 0, 0).unwrap())
}

/// The full data set, or a smaller one for a quick try (`SIDW_BENCH_NETWORKS` per region,
/// `SIDW_BENCH_PARTNERS` per network).
fn shape() -> history::History {
    let number = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let full = history::History::full();
    history::History {
        networks_per_region: number("SIDW_BENCH_NETWORKS").unwrap_or(full.networks_per_region),
        partners_per_network: number("SIDW_BENCH_PARTNERS").unwrap_or(full.partners_per_network),
        ..full
    }
}

fn runs() -> usize {
    std::env::var("SIDW_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(20)
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let value = f();
    (started.elapsed(), value)
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| if e.file_type().unwrap().is_dir() { dir_size(&e.path()) } else { e.metadata().unwrap().len() })
        .sum()
}

/// Runs `sidw ARGS` and returns its wall time and peak resident memory (VmHWM, from wait4).
#[allow(clippy::zombie_processes)] // waited for by wait4, which also gives the peak memory
fn peak_memory(args: &[&str]) -> (Duration, u64) {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("sidw starts");
    let mut status = 0;
    // SAFETY: rusage is plain integers, for which all zeroes is a value.
    #[allow(unsafe_code)]
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let child_pid = child.id().cast_signed();
    // SAFETY: waits for our own child; both pointers are to live locals.
    #[allow(unsafe_code)]
    let pid = unsafe { libc::wait4(child_pid, &mut status, 0, &mut usage) };
    assert_eq!(pid, child_pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "sidw {args:?} failed: {status}");
    (started.elapsed(), u64::try_from(usage.ru_maxrss).unwrap() * 1024)
}

/// Reopens the region's quarter (not measured) and closes it again (measured), `runs` times.
fn close_cycles(store: &Store, networks: &[sidw::domain::NetworkId], quarter: Quarter) -> Vec<Duration> {
    let ctx =
        ChangeContext::new("bench", Utc.from_utc_datetime(&history::close_day(quarter).and_hms_opt(9, 0, 0).unwrap()));
    (0..runs())
        .map(|_| {
            for network in networks {
                if store.quarter_close(*network, quarter).unwrap().is_some() {
                    store.reopen_quarter(&ctx, *network, quarter, "benchmark").unwrap();
                }
            }
            let preview = store.close_preview(networks, quarter, history::close_day(quarter)).unwrap();
            let acknowledged = sidw::store::to_acknowledge(&preview);
            time(|| store.close_quarter(&ctx, networks, quarter, &acknowledged).unwrap()).0
        })
        .collect()
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken from the command line.
    let work = tempfile::tempdir().unwrap();
    let dir: PathBuf = work.path().join("history");
    match std::env::var_os("SIDW_HISTORY_DB") {
        Some(given) => {
            let (took, ()) = time(|| copy_dir(Path::new(&given), &dir));
            eprintln!("copied {} in {:.1} s", Path::new(&given).display(), took.as_secs_f64());
        }
        None => {
            let store = Store::open(&dir).unwrap();
            let (took, result) = time(|| history::generate(&store, &shape(), |w| eprintln!("{w}")));
            result.unwrap();
            store.flush().unwrap();
            eprintln!("generated in {:.1} s", took.as_secs_f64());
        }
    }
    println!("history data set: {} MB on disk", dir_size(&dir) / 1_000_000);
    let quarter = Quarter::parse("2025-Q4").unwrap();
    let theme = Theme::colored();

    // TUI cold start to first full frame (the database opened anew each time).
    let cold: Vec<Duration> = (0..runs().min(10))
        .map(|_| {
            time(|| {
                let store = Store::open(&dir).unwrap();
                let mut app = App::new(store, "bench", clock());
                app.handle(sidw::app::Action::Resize(120, 40));
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                terminal.draw(|frame| ui::draw(frame, &app, &theme)).unwrap();
            })
            .0
        })
        .collect();
    report("TUI cold start to first frame (target < 50 ms)", cold);

    // backup and check peak memory, as the command line runs them.
    let db = dir.to_str().unwrap();
    let backup = work.path().join("history.sidwbak");
    let (took, rss) = peak_memory(&["--db", db, "backup", backup.to_str().unwrap()]);
    println!("{:<64} {:>6} MB peak RSS, {:.2} s", "sidw backup (target < 64 MB)", rss / 1_000_000, took.as_secs_f64());
    let (took, rss) = peak_memory(&["--db", db, "check"]);
    println!("{:<64} {:>6} MB peak RSS, {:.2} s", "sidw check (target < 64 MB)", rss / 1_000_000, took.as_secs_f64());

    let store = Store::open(&dir).unwrap();
    let batches = store.batches().unwrap().len();
    println!("batches in the history store: {batches}");

    // The same shape on one year with no history (for the ratios): on disk as well, beside the
    // history store, so that both closes write and wait for the same disk (a store in memory
    // would leave the file's writes and fsync out of the one-year figure only).
    let fresh = Store::open(&work.path().join("one-year")).unwrap();
    let one_year = history::History { years: 2025..=2025, closed: false, ..shape() };
    history::generate(&fresh, &one_year, |_| {}).unwrap();
    for q in 1..=3 {
        history::close_by_region(&fresh, Quarter::parse(&format!("2025-Q{q}")).unwrap()).unwrap();
    }

    // Region close (100 networks) after 120 batches and with (almost) no history.
    let zwolle = region_networks(&store, Region::Zwolle).unwrap();
    let zwolle_fresh = region_networks(&fresh, Region::Zwolle).unwrap();
    let with_history =
        report("close --region Zwolle 2025-Q4, 120 earlier batches", close_cycles(&store, &zwolle, quarter));
    let without = report("close --region Zwolle 2025-Q4, one year only", close_cycles(&fresh, &zwolle_fresh, quarter));
    println!("  ratio {:.2} (target ≤ 1,1 and < 300 ms)", with_history.as_secs_f64() / without.as_secs_f64());

    // The quarter open again, for the keystrokes below.
    let ctx = ChangeContext::new("bench", Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap());
    for network in &zwolle {
        store.reopen_quarter(&ctx, *network, quarter, "benchmark").unwrap();
    }

    // report payments for one quarter.
    let samples = (0..runs()).map(|_| time(|| sidw::report::payments::rows(&store, quarter).unwrap()).0).collect();
    report("report payments 2025-Q4, history (target < 150 ms)", samples);

    // report signals and opening Signalen, 10 years vs 1 year.
    let mut medians = Vec::new();
    for (label, s) in [("10 years", &store), ("1 year", &fresh)] {
        let samples = (0..runs()).map(|_| time(|| sidw::report::signals::rows(s, today(), None).unwrap()).0).collect();
        medians.push(report(&format!("report signals, {label}"), samples));
    }
    println!("  ratio {:.2} (target < 100 ms and ≤ 1,3)", medians[0].as_secs_f64() / medians[1].as_secs_f64());
    let mut medians = Vec::new();
    for (label, s) in [("10 years", &store), ("1 year", &fresh)] {
        let mut app = App::new(s.clone(), "bench", clock());
        app.handle(sidw::app::Action::Resize(120, 40));
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        let samples = (0..runs())
            .map(|_| {
                press(&mut app, Key::char('1'));
                time(|| {
                    press(&mut app, Key::char('4'));
                    terminal.draw(|frame| ui::draw(frame, &app, &theme)).unwrap();
                })
                .0
            })
            .collect();
        medians.push(report(&format!("opening Signalen (4) to frame, {label}"), samples));
    }
    println!("  ratio {:.2} (target < 100 ms and ≤ 1,3)", medians[0].as_secs_f64() / medians[1].as_secs_f64());

    // Logboek: one filter keystroke to frame.
    let entries = store.audit_entries_newest_first().count();
    let mut app = App::new(store.clone(), "bench", clock());
    app.handle(sidw::app::Action::Resize(120, 40));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    press(&mut app, Key::char('6'));
    press(&mut app, Key::char('/'));
    let text: Vec<char> = "wijk 150 partner".chars().collect();
    let mut samples = Vec::new();
    for i in 0..runs().max(text.len() * 2) {
        let round = i % (text.len() * 2);
        let key = if round < text.len() { Key::char(text[round]) } else { Key::new(KeyCode::Backspace) };
        samples.push(
            time(|| {
                press(&mut app, key);
                terminal.draw(|frame| ui::draw(frame, &app, &theme)).unwrap();
            })
            .0,
        );
    }
    report(&format!("Logboek filter keystroke to frame, {entries} entries (target < 5 ms)"), samples);

    // Keystroke in the hours grid, alone and after a colleague's save (the reload a session does).
    let mut app = App::new(store.clone(), "bench", clock());
    app.handle(sidw::app::Action::Resize(120, 40));
    press(&mut app, Key::char('3'));
    type_text(&mut app, &format!(":netwerk {}", store.network(zwolle[zwolle.len() / 2]).unwrap().name));
    press(&mut app, Key::new(KeyCode::Enter));
    type_text(&mut app, ":kwartaal 2025-Q4");
    press(&mut app, Key::new(KeyCode::Enter));
    press(&mut app, Key::char('j'));
    press(&mut app, Key::char('2'));
    let editing = app.preview().is_some();
    let colleague = store.hours_of(zwolle[0], 2025).unwrap().pop().unwrap();
    let mut typed = false;
    let mut key = |app: &mut App, terminal: &mut Terminal<TestBackend>| {
        let key = if typed { Key::new(KeyCode::Backspace) } else { Key::char('5') };
        typed = !typed;
        press(app, key);
        terminal.draw(|frame| ui::draw(frame, app, &theme)).unwrap();
    };
    let samples = (0..runs() * 10).map(|_| time(|| key(&mut app, &mut terminal)).0).collect();
    report(&format!("keystroke in the hours grid to frame (editing: {editing})"), samples);
    let samples = (0..runs())
        .map(|i| {
            let hours = if i % 2 == 0 { rust_decimal::Decimal::TWO } else { rust_decimal::Decimal::ONE };
            store
                .update_hours(
                    &ChangeContext { user: "collega".into(), ..ctx.clone() },
                    &sidw::domain::HoursEntry { hours, ..colleague.clone() },
                )
                .unwrap();
            // What a session does after a colleague's save (`serve/session.rs`): a refresh of
            // what the save touched.
            time(|| {
                if app.is_stale() {
                    app.handle(sidw::app::Action::Refresh);
                }
                key(&mut app, &mut terminal)
            })
            .0
        })
        .collect();
    report("colleague's save: reload + keystroke to frame (target < 1 ms)", samples);
}
