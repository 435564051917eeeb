//! Helpers shared by the integration tests: a small network on a store, and a fixed clock.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use sidw::domain::validate::{Agb, Iban};
use sidw::domain::{
    Discipline, IonCount, Network, NetworkId, Partner, PartnerId, Practice, PracticeId, PracticeTeam, Region,
    ShareFrom, TariffTable, YearMonth,
};
use sidw::store::{ChangeContext, NewHours, Store};

pub fn ctx() -> ChangeContext {
    ChangeContext::new("test", Utc.with_ymd_and_hms(2025, 5, 1, 9, 30, 0).unwrap())
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn draft_network(name: &str) -> Network {
    Network::draft(name, Region::Zwolle, "Zwolle", Some(date(2024, 1, 1)))
}

/// A funded network with one practice of `ion` ION (100 %) and the 2025 tariffs.
pub fn network_with_ion(store: &Store, name: &str, ion: u32) -> NetworkId {
    if store.tariff_book().unwrap().for_year(2025).is_err() {
        store.save_tariffs(&ctx(), &TariffTable::handbook_2025()).unwrap();
    }
    let id = store.create_network(&ctx(), &draft_network(name)).unwrap();
    let practice = Practice {
        id: PracticeId(0),
        name: format!("Praktijk {name}"),
        agb: Agb::parse("01012345").unwrap(),
        iban: Iban::parse("NL91ABNA0417164300").unwrap(),
        shares: vec![ShareFrom { from: date(2024, 1, 1), share: Decimal::from(100) }],
        ion_counts: vec![IonCount { reference_date: date(2024, 10, 1), count: ion }],
    };
    store.save_practice_team(&ctx(), &PracticeTeam { network: id, practices: vec![practice] }).unwrap();
    id
}

/// A partner with a partner agreement signed on 1-1-2024 (hours need one, store rule).
pub fn add_partner(store: &Store, network: NetworkId, name: &str, discipline: Discipline) -> PartnerId {
    let id = add_unsigned_partner(store, network, name, discipline);
    store
        .add_agreement(
            &ctx(),
            &sidw::domain::Agreement {
                id: sidw::domain::AgreementId(0),
                network,
                kind: sidw::domain::AgreementKind::Partner,
                partner: Some(id),
                sent: Some(date(2023, 12, 1)),
                signed: Some(date(2024, 1, 1)),
                ended: None,
            },
        )
        .unwrap();
    id
}

/// A partner without any agreement.
pub fn add_unsigned_partner(store: &Store, network: NetworkId, name: &str, discipline: Discipline) -> PartnerId {
    store
        .add_partner(
            &ctx(),
            &Partner {
                id: PartnerId(0),
                network,
                name: name.into(),
                discipline,
                category: discipline.usual_category(),
                agb: Agb::parse("04012345").unwrap(),
                iban: Iban::parse("NL20INGB0001234567").unwrap(),
                email: String::new(),
            },
        )
        .unwrap()
}

pub fn new_hours(network: NetworkId, partner: PartnerId, month: u32, hours: Decimal) -> NewHours {
    NewHours {
        network,
        partner,
        month: YearMonth::new(2025, month).unwrap(),
        hours,
        activity: String::new(),
        paid_by_practice_team: false,
        double_funding_confirmed: false,
        corrects: None,
    }
}

/// An app over a temporary store with the demo loaded, on a fixed day in 2025.
pub fn demo_app() -> sidw::app::App {
    let store = Store::temporary().unwrap();
    let today = date(2025, 10, 15);
    sidw::demo::load(&store, &ctx(), today).unwrap();
    let clock: sidw::app::Clock = std::sync::Arc::new(|| Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap());
    sidw::app::App::new(store, "anna", clock)
}

/// Types keys as a user would, through the key table (the role checked as on a screen): every
/// character is a key; `<Enter>`, `<Esc>`, `<Tab>`, `<S-Tab>`, `<Up>`, `<BS>`, `<C-c>`, `<C-Home>`
/// … name the others in the table's notation (`sidw::keys::notation`).
pub fn press(app: &mut sidw::app::App, keys: &str) {
    for key in sidw::keys::parse_typed(keys).unwrap_or_else(|e| panic!("{e}")) {
        sidw::keys::dispatch(app, key);
    }
}

/// The screen as lines of text, drawn at `width` × `height`.
pub fn screen(app: &sidw::app::App, width: u16, height: u16, theme: sidw::ui::Theme) -> Vec<String> {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| sidw::ui::draw(frame, app, &theme)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| (0..width).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect()
}

pub fn screen_text(app: &sidw::app::App, width: u16, height: u16) -> String {
    screen(app, width, height, sidw::ui::Theme::colored()).join("\n")
}

/// Asserts that every text is somewhere on the screen, showing the screen when one is not.
pub fn contains_all(screen: &str, texts: &[&str]) {
    for text in texts {
        assert!(screen.contains(text), "missing '{text}' on screen:\n{screen}");
    }
}

/// Opens a database this process has just dropped, as a fresh process would. redb lets go of the
/// file lock when the last clone of the store is dropped; a clone in another thread (a session,
/// a server) may live a moment longer, so the lock is waited for (up to 30 s) instead of failing
/// with "in gebruik".
#[allow(dead_code)]
pub fn reopen(path: &std::path::Path) -> sidw::store::Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match sidw::store::Store::open(path) {
            Err(sidw::store::StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            other => return other.unwrap(),
        }
    }
}

/// `sidw --db DB ARGS…` run to its end (without `SIDW_DB` from the environment).
pub fn sidw(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SIDW_DB")
        .output()
        .unwrap()
}

/// Bytes a command wrote, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The standard output of a command that must succeed (else both streams in the failure).
pub fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "stdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// The payment file of `network`'s closed `quarter` is written at `at` (recorded as a pain.001):
/// what its batch holds went out, so a reopen after it settles against it.
pub fn file_written(
    store: &Store,
    network: sidw::domain::NetworkId,
    quarter: sidw::domain::Quarter,
    at: &ChangeContext,
) {
    let close = store.quarter_close(network, quarter).unwrap().expect("a closed quarter");
    let batch = store.batch(close.batch).unwrap();
    store.record_export(at, &batch, "pain.001.001.09 → betalingen.xml").unwrap();
}
