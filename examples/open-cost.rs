//! Where a fresh process's time goes on a database (issue 13): redb's open alone, then
//! `Store::open`, then `report signals` and `report payments` of one quarter, each timed.
//!
//! ```text
//! cargo run --release --example open-cost -- DIR [JJJJ-QN]
//! ```
//! DIR is opened for writing: give it a copy.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

/// CPU time of the process so far (user + system), in ms: on a busy machine the wall time of a
/// step says little, its CPU time more.
#[allow(unsafe_code)] // one libc call that fills a struct we own
fn cpu_ms() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("gebruik: open-cost MAP [JJJJ-QN]");
        std::process::exit(2);
    };
    let path = std::path::Path::new(dir);
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let mut cpu = cpu_ms();
    let mut step = move || {
        let now = cpu_ms();
        let spent = now - cpu;
        cpu = now;
        spent
    };
    let started = Instant::now();
    {
        let file = path.join(sidw::store::DATABASE_FILE);
        let db = redb::Database::builder().open(&file).expect("redb opent");
        eprintln!("{:>9.1} ms  cpu {:>7.1} ms  redb::Builder::open", ms(started), step());
        let dropped = Instant::now();
        drop(db);
        eprintln!("{:>9.1} ms  cpu {:>7.1} ms  drop", ms(dropped), step());
    }
    let opened = Instant::now();
    // SIDW_SMALL_CACHE=1: with the small page cache of `check` and `backup`.
    let small = std::env::var_os("SIDW_SMALL_CACHE").is_some();
    let store = if small { sidw::store::Store::open_for_one_pass(path) } else { sidw::store::Store::open(path) }
        .expect("database openen");
    eprintln!(
        "{:>9.1} ms  cpu {:>7.1} ms  Store::open{}",
        ms(opened),
        step(),
        if small { " (kleine cache)" } else { "" }
    );
    let app_started = Instant::now();
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 30, 9, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store.clone(), "bench", clock);
    app.handle(sidw::app::Action::Resize(120, 40));
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  App::new", ms(app_started), step());
    let drawn = Instant::now();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| sidw::ui::draw(frame, &app, &sidw::ui::Theme::colored())).unwrap();
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  first frame", ms(drawn), step());
    let draw = |terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>, app: &sidw::app::App| {
        terminal.draw(|frame| sidw::ui::draw(frame, app, &sidw::ui::Theme::colored())).unwrap();
    };
    let pane = Instant::now();
    app.handle(sidw::app::Action::ShowPane(sidw::app::Pane::Signals));
    draw(&mut terminal, &app);
    eprintln!(
        "{:>9.1} ms  cpu {:>7.1} ms  Signalen (4) geopend en getekend ({} signalen)",
        ms(pane),
        step(),
        app.signals.rows().len()
    );
    let typed = Instant::now();
    for key in sidw::keys::parse_typed("/wijk").unwrap() {
        sidw::keys::dispatch(&mut app, key);
        draw(&mut terminal, &app);
    }
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  filter /wijk getypt, elke toets getekend", ms(typed), step());
    drop(app);
    store.forget_signals();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let signals = Instant::now();
    let rows = sidw::report::signals::rows(&store, today, None).expect("signalen");
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  report signals ({} regels)", ms(signals), step(), rows.len());
    let again = Instant::now();
    store.forget_signals();
    let rows = sidw::report::signals::rows(&store, today, None).expect("signalen");
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  report signals nogmaals ({} regels)", ms(again), step(), rows.len());
    let quarter: sidw::domain::Quarter =
        sidw::domain::Quarter::parse(args.get(1).map_or("2025-Q4", |q| q.as_str())).expect("kwartaal JJJJ-QN");
    let payments = Instant::now();
    let rows = sidw::report::payments::rows(&store, quarter).expect("betalingen");
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  report payments {quarter} ({} regels)", ms(payments), step(), rows.len());
    let dropped = Instant::now();
    drop(store);
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  drop", ms(dropped), step());
    eprintln!("{:>9.1} ms  cpu {:>7.1} ms  totaal", ms(started), step());
}
