//! Load over SSH (loopback only, bounded): 20 concurrent sessions each key 200 hours lines into
//! the same network as fast as the server accepts them, through the screen as a user types; and
//! the server killed with SIGKILL in the middle of such a load.
//!
//! With `SIDW_LOAD_DB=DIR` the first test runs on a copy of that database (e.g. the history data
//! set of `cargo run --release --example gen-large -- DIR`) instead of the demo.
//!
//! Each session is a russh client with a pty; its output goes through a vt100 emulator, and a
//! save counts as shown when the screen shows the cell's new line count.
#![allow(clippy::unwrap_used)]

use crate::drive::copy_dir;
use crate::server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, load_secret_key};
use rust_decimal::Decimal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use server::Served;
use sidw::domain::validate::{Agb, Iban};
use sidw::domain::{Discipline, IonCount, Network, Partner, PartnerId, Practice, PracticeId, PracticeTeam, Quarter};
use sidw::store::{ChangeContext, Store};

struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// The network every session keys into: 100 000 ION (partner budget € 115.000,00), 20
/// physiotherapists; each session has its own.
fn setup(store: &Store, partners: usize) {
    let ctx = ChangeContext::new("setup", chrono::Utc::now());
    let network = store
        .create_network(
            &ctx,
            &Network::draft(
                "Belasting",
                sidw::domain::Region::Zwolle,
                "Zwolle",
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
            ),
        )
        .unwrap();
    let practice = Practice {
        id: PracticeId(0),
        name: "Praktijk Belasting".into(),
        agb: Agb::parse("01999999").unwrap(),
        iban: Iban::parse("NL91ABNA0417164300").unwrap(),
        shares: vec![sidw::domain::ShareFrom {
            from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            share: Decimal::from(100),
        }],
        ion_counts: vec![IonCount {
            reference_date: chrono::NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
            count: 100_000,
        }],
    };
    store.save_practice_team(&ctx, &PracticeTeam { network, practices: vec![practice] }).unwrap();
    for p in 0..partners {
        let partner = Partner {
            id: PartnerId(0),
            network,
            name: format!("Fysio {p:02}"),
            discipline: Discipline::Fysiotherapeut,
            category: Discipline::Fysiotherapeut.usual_category(),
            agb: Agb::parse(&format!("040000{p:02}")).unwrap(),
            iban: Iban::parse("NL20INGB0001234567").unwrap(),
            email: String::new(),
        };
        let id = store.add_partner(&ctx, &partner).unwrap();
        // The store takes hours only for a partner with a signed agreement.
        let agreement = sidw::domain::Agreement {
            id: sidw::domain::AgreementId(0),
            network,
            kind: sidw::domain::AgreementKind::Partner,
            partner: Some(id),
            sent: chrono::NaiveDate::from_ymd_opt(2024, 11, 1),
            signed: chrono::NaiveDate::from_ymd_opt(2024, 11, 20),
            ended: None,
        };
        store.add_agreement(&ctx, &agreement).unwrap();
    }
}

/// One staff member's terminal: keys out, screen in.
struct Terminal {
    stream: russh::ChannelStream<client::Msg>,
    screen: vt100::Parser,
    _session: client::Handle<Client>,
}

impl Terminal {
    async fn connect(port: u16, key: &std::path::Path, user: &str) -> Self {
        Self::connect_with(port, key, user, client::Config::default()).await
    }

    async fn connect_with(port: u16, key: &std::path::Path, user: &str, config: client::Config) -> Self {
        let config = Arc::new(config);
        let mut session = client::connect(config, ("127.0.0.1", port), Client).await.unwrap();
        let key = load_secret_key(key, None).unwrap();
        let auth = session.authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), None)).await.unwrap();
        assert!(auth.success(), "{user} could not log in");
        let channel = session.channel_open_session().await.unwrap();
        channel.request_pty(false, "xterm-256color", 80, 24, 0, 0, &[]).await.unwrap();
        channel.request_shell(false).await.unwrap();
        Self { stream: channel.into_stream(), screen: vt100::Parser::new(24, 80, 0), _session: session }
    }

    async fn keys(&mut self, text: &str) {
        assert!(self.try_keys(text).await, "the connection ended while typing {text:?}");
    }

    /// Types `text`; false when the connection has ended (the server was killed under load).
    async fn try_keys(&mut self, text: &str) -> bool {
        self.stream.write_all(text.as_bytes()).await.is_ok() && self.stream.flush().await.is_ok()
    }

    /// Reads the screen until it shows `text`; false when the connection ends first.
    async fn wait_for(&mut self, text: &str) -> bool {
        let mut buffer = [0u8; 16384];
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.screen.screen().contents().contains(text) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return false,
                Ok(Ok(n)) => self.screen.process(&buffer[..n]),
                Err(_) => {
                    panic!("'{text}' did not appear in 60 s; the screen shows:\n{}", self.screen.screen().contents())
                }
            }
        }
    }

    /// Opens the session's own cell (its partner, January 2025) as a list of lines.
    async fn open_cell(&mut self, row: usize) {
        assert!(self.wait_for("1 Netwerken").await);
        self.keys("3:netwerk Belasting\r:kwartaal 2025-Q1\r").await;
        assert!(self.wait_for("Belasting · 2025-Q1").await);
        self.keys(&"j".repeat(row)).await;
        self.keys("+").await;
        assert!(self.wait_for(" regel").await);
    }
}

/// The lines list's title once it holds `n` lines ("1 regel", "2 regels").
fn lines_shown(n: usize) -> String {
    if n == 1 { "· 1 regel ".to_string() } else { format!("· {n} regels") }
}

/// Keys `entries` lines of 0,25 h, each through the line form, and returns how many saves were
/// shown and the latency of each (Enter to the screen showing it).
async fn key_entries(
    port: u16,
    keys: std::path::PathBuf,
    user: String,
    row: usize,
    entries: usize,
) -> (usize, Vec<Duration>) {
    let mut terminal = Terminal::connect(port, &keys.join(&user), &user).await;
    terminal.open_cell(row).await;
    let mut latencies = Vec::with_capacity(entries);
    for n in 1..=entries {
        // The server may be killed at any moment (the kill test): a write that fails ends the run
        // like a read that does.
        if !terminal.try_keys("a0,25").await {
            return (n - 1, latencies);
        }
        let sent = Instant::now();
        if !terminal.try_keys("\r").await || !terminal.wait_for(&lines_shown(n)).await {
            return (n - 1, latencies);
        }
        latencies.push(sent.elapsed());
    }
    terminal.try_keys("\x1bq").await;
    (entries, latencies)
}

fn users(n: usize) -> Vec<(String, &'static str)> {
    (0..n).map(|i| (format!("user{i:02}"), "editor")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_sessions_key_two_hundred_entries_each() {
    const SESSIONS: usize = 20;
    const ENTRIES: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let data_set = std::env::var_os("SIDW_LOAD_DB");
    if let Some(given) = &data_set {
        copy_dir(std::path::Path::new(given), &dir.path().join("db"));
    }
    let names = users(SESSIONS);
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let mut served = Served::start_with(dir.path(), &refs, |store| setup(store, SESSIONS));
    let start = Instant::now();
    let tasks: Vec<_> = (0..SESSIONS)
        .map(|i| tokio::spawn(key_entries(served.port, served.keys.clone(), names[i].0.clone(), i, ENTRIES)))
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        let (shown, times) = task.await.unwrap();
        assert_eq!(shown, ENTRIES);
        latencies.extend(times);
    }
    let elapsed = start.elapsed();
    latencies.sort();
    #[allow(clippy::cast_sign_loss, reason = "q is a fraction in 0..=1")]
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    eprintln!(
        "load on {}: {} entries in {:.1} s = {:.0} entries/s; Enter-to-screen latency p50 {} ms, p99 {} ms, max {} ms",
        data_set.as_ref().map_or("the demo".into(), |d| d.to_string_lossy()),
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        p(0.5).as_millis(),
        p(0.99).as_millis(),
        latencies.last().unwrap().as_millis()
    );
    served.stop();

    let store = Store::open(&served.db).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    let network = store.network_by_name("Belasting").unwrap().unwrap().id;
    let lines = store.hours_of(network, 2025).unwrap();
    assert_eq!(lines.len(), SESSIONS * ENTRIES, "exactly 4 000 entries stored");
    let budget = store.partner_budget(network, 2025).unwrap();
    // 0,25 h × € 84,95 = € 21,2375 → € 21,24 a line.
    let worth = Decimal::new(2124, 2) * Decimal::from(SESSIONS * ENTRIES);
    assert_eq!(budget.budget, Decimal::new(11_500_000, 2));
    assert_eq!(budget.remaining(), budget.budget - worth);
    assert!(store.quarter_close(network, Quarter::parse("2025-Q1").unwrap()).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_load_keeps_every_save_that_was_shown() {
    const SESSIONS: usize = 5;
    let dir = tempfile::tempdir().unwrap();
    let names = users(SESSIONS);
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let served = Served::start_with(dir.path(), &refs, |store| setup(store, SESSIONS));
    let tasks: Vec<_> = (0..SESSIONS)
        .map(|i| tokio::spawn(key_entries(served.port, served.keys.clone(), names[i].0.clone(), i, 1_000)))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server::unsafe_kill(&served.child, "KILL");
    let mut shown = Vec::new();
    for task in tasks {
        shown.push(task.await.unwrap().0);
    }
    assert!(shown.iter().all(|n| *n < 1_000), "the kill came mid-load: {shown:?}");
    let (db, keys) = (served.db.clone(), served.keys.clone());
    drop(served);

    let mut again = Served::spawn(db.clone(), keys);
    again.stop();
    let store = Store::open(&db).unwrap();
    assert!(store.check().unwrap().is_ok());
    let network = store.network_by_name("Belasting").unwrap().unwrap().id;
    let lines = store.hours_of(network, 2025).unwrap();
    let partners = store.partners(network).unwrap();
    for (i, count) in shown.iter().enumerate() {
        let partner = partners.iter().find(|p| p.name == format!("Fysio {i:02}")).unwrap().id;
        let stored = lines.iter().filter(|l| l.partner == partner).count();
        assert!(stored >= *count, "session {i}: {count} saves were shown, {stored} stored");
        assert!(stored <= count + 1, "session {i}: at most the one save in flight more");
    }
    eprintln!("kill -9 mid-load: saves shown per session {shown:?}, all present after restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_stops_reading_holds_up_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let names = users(2);
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let served = Served::start_with(dir.path(), &refs, |store| setup(store, 2));
    // A opens the same grid with a tiny SSH window, then never reads again: every redraw for
    // B's saves piles up against A's full window.
    let config = client::Config { window_size: 1024, ..Default::default() };
    let mut stalled = Terminal::connect_with(served.port, &served.keys.join("user00"), "user00", config).await;
    stalled.open_cell(0).await;
    stalled.keys("\x1b").await;
    let start = Instant::now();
    let (shown, latencies) = key_entries(served.port, served.keys.clone(), "user01".into(), 1, 60).await;
    assert_eq!(shown, 60);
    let slowest = latencies.iter().max().unwrap();
    eprintln!(
        "with a stalled client beside it: 60 entries in {} ms, slowest {} ms",
        start.elapsed().as_millis(),
        slowest.as_millis()
    );
    assert!(*slowest < Duration::from_secs(5), "a stalled client held up another session: {slowest:?}");
    drop(stalled);
}

/// The server's resident set (KB) and CPU time so far (utime + stime, ms) from /proc.
fn server_usage(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which ends with ')'): utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf only reads a constant of the system.
    #[allow(unsafe_code)]
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap();
    (rss, ticks * 1000 / per_second)
}

/// Issue 13 on a history database (only with `SIDW_LOAD_DB=DIR`; run it with `--release`):
/// the server's resident set idle with 10 sessions open; then one session saves cells while 20
/// colleagues watch (10 on the same cell's lines, 10 on Signalen): the server's CPU per saved
/// cell, and Enter-to-screen of the save in each colleague's session (p50/p99).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_history_database_served_to_twenty_one_sessions() {
    let Some(given) = std::env::var_os("SIDW_LOAD_DB") else {
        eprintln!("SIDW_LOAD_DB is not set: skipped");
        return;
    };
    const WATCHERS: usize = 20;
    const SAVES: usize = 50;
    let dir = tempfile::tempdir().unwrap();
    copy_dir(std::path::Path::new(&given), &dir.path().join("db"));
    let names = users(WATCHERS + 1);
    let refs: Vec<(&str, &str)> = names.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let served = Served::start_with(dir.path(), &refs, |store| setup(store, 1));
    let pid = served.child.id();
    // The start-up backup first.
    let backups = sidw::serve::backups_dir(&served.db);
    let waited = Instant::now();
    while std::fs::read_dir(&backups)
        .map_or(true, |d| d.flatten().all(|e| e.path().extension().is_none_or(|x| x != "sidwbak")))
    {
        assert!(waited.elapsed() < Duration::from_secs(120), "no start-up backup");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (after_backup, _) = server_usage(pid);

    // 20 colleagues: the even ones on the keyer's cell, the odd ones on Signalen (or on pane 1
    // with SIDW_LOAD_NO_SIGNALEN, to see what Signalen costs).
    let on_signalen = std::env::var_os("SIDW_LOAD_NO_SIGNALEN").is_none();
    let mut watchers = Vec::new();
    for (i, (name, _)) in names.iter().enumerate().skip(1) {
        let mut terminal = Terminal::connect(served.port, &served.keys.join(name), name).await;
        if i % 2 == 0 {
            terminal.open_cell(0).await;
        } else {
            assert!(terminal.wait_for("1 Netwerken").await);
            if on_signalen {
                terminal.keys("4").await;
                assert!(terminal.wait_for("Signalen (").await);
            }
        }
        watchers.push((i % 2 == 0, terminal));
        if watchers.len() == 10 {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let (ten, _) = server_usage(pid);
            eprintln!(
                "history served: resident {after_backup} KB after the start-up backup, {ten} KB idle with 10 sessions"
            );
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (twenty, _) = server_usage(pid);

    // Each cell watcher reports when its screen shows the n-th line.
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    let mut tasks = Vec::new();
    for (on_cell, mut terminal) in watchers {
        let seen = seen_tx.clone();
        tasks.push(tokio::spawn(async move {
            if !on_cell {
                // Reads (and so keeps receiving) until the connection ends.
                let mut buffer = [0u8; 16384];
                while let Ok(n) = terminal.stream.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                }
                return;
            }
            for n in 1..=SAVES {
                assert!(terminal.wait_for(&lines_shown(n)).await);
                seen.send((n, Instant::now())).unwrap();
            }
        }));
    }
    let mut keyer = Terminal::connect(served.port, &served.keys.join(&names[0].0), &names[0].0).await;
    keyer.open_cell(0).await;
    let (_, cpu_before) = server_usage(pid);
    let mut latencies = Vec::new();
    for n in 1..=SAVES {
        keyer.keys("a0,25").await;
        let sent = Instant::now();
        keyer.keys("\r").await;
        assert!(keyer.wait_for(&lines_shown(n)).await);
        for _ in 0..WATCHERS / 2 {
            let (shown, at) = seen_rx.recv().await.unwrap();
            assert_eq!(shown, n);
            latencies.push(at - sent);
        }
    }
    let (rss_end, cpu_after) = server_usage(pid);
    latencies.sort();
    #[allow(clippy::cast_sign_loss, reason = "q is a fraction in 0..=1")]
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    eprintln!(
        "history served, 1 keying + {WATCHERS} watching (10 on the cell, 10 on {}): resident {twenty} KB with 20 \
         sessions, {rss_end} KB after {SAVES} saves; server CPU {:.1} ms per saved cell; a save seen by the 10 on the \
         cell: p50 {} ms, p99 {} ms, max {} ms",
        if on_signalen { "Signalen" } else { "pane 1" },
        (cpu_after - cpu_before) as f64 / SAVES as f64,
        p(0.5).as_millis(),
        p(0.99).as_millis(),
        latencies.last().unwrap().as_millis()
    );
    for task in tasks {
        task.abort();
    }
}
