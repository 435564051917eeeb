//! One keystroke in the hours grid, from key event to finished frame (TestBackend, 120×40), on a
//! store of 300 networks with 10 partners each (3 000 partners) and 10 years of monthly hours
//! (360 000 lines). Target: median under 1 ms.

use std::hint::black_box;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;

use sidw::app::{Action, App, Clock, Key, KeyCode};
use sidw::domain::validate::{Agb, Iban};
use sidw::domain::{
    Coordinator, CoreTeam, Discipline, IonCount, Network, NetworkId, NetworkStatus, Partner, PartnerId, Practice,
    PracticeId, PracticeTeam, Region, TariffTable, YearMonth,
};
use sidw::store::{ChangeContext, NewHours, Store};
use sidw::ui::{self, Theme};

const NETWORKS: usize = 300;
const PARTNERS_PER_NETWORK: usize = 10;
const YEARS: std::ops::RangeInclusive<i32> = 2016..=2025;

fn ctx() -> ChangeContext {
    ChangeContext::new("bench", Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap())
}

/// The store of the target: every network funded since 2015 with 12 000 ION, so that a year's
/// hours (10 partners × 12 months × 1 h) fit the partner budget.
fn big_store() -> Store {
    let store = Store::temporary().unwrap();
    let ctx = ctx();
    for year in YEARS {
        store.save_tariffs(&ctx, &TariffTable { year, ..TariffTable::handbook_2025() }).unwrap();
    }
    let disciplines = [
        Discipline::Psycholoog,
        Discipline::Fysiotherapeut,
        Discipline::Dietist,
        Discipline::Pedicure,
        Discipline::Leefstijlcoach,
    ];
    for n in 0..NETWORKS {
        let network = store
            .create_network(
                &ctx,
                &Network {
                    id: NetworkId(0),
                    name: format!("Wijk {n:03}"),
                    region: Region::ALL[n % 3],
                    municipality: ["Zwolle", "Almere", "Hardenberg"][n % 3].into(),
                    postcodes: vec![],
                    status: NetworkStatus::Actief,
                    coordinator: Coordinator::default(),
                    district_manager: String::new(),
                    core_team: CoreTeam::default(),
                    former_gez_owz: false,
                    funding_start: NaiveDate::from_ymd_opt(2015, 1, 1),
                    funding_end: None,
                    milestones: Default::default(),
                },
            )
            .unwrap();
        let practice = Practice {
            id: PracticeId(0),
            name: format!("Praktijk {n}"),
            agb: Agb::parse(&format!("01{n:06}")).unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            share: Decimal::from(100),
            ion_counts: vec![IonCount { reference_date: NaiveDate::from_ymd_opt(2014, 10, 1).unwrap(), count: 12_000 }],
        };
        store.save_practice_team(&ctx, &PracticeTeam { network, practices: vec![practice] }).unwrap();
        let partners: Vec<PartnerId> = (0..PARTNERS_PER_NETWORK)
            .map(|p| {
                let discipline = disciplines[p % disciplines.len()];
                store
                    .add_partner(
                        &ctx,
                        &Partner {
                            id: PartnerId(0),
                            network,
                            name: format!("Partner {n:03}-{p}"),
                            discipline,
                            category: discipline.usual_category(),
                            agb: Agb::parse(&format!("04{n:04}{p:02}")).unwrap(),
                            iban: Iban::parse("NL20INGB0001234567").unwrap(),
                            email: String::new(),
                        },
                    )
                    .unwrap()
            })
            .collect();
        let lines: Vec<NewHours> = YEARS
            .flat_map(|year| (1..=12).map(move |month| YearMonth::new(year, month).unwrap()))
            .flat_map(|month| {
                partners.iter().map(move |partner| NewHours {
                    network,
                    partner: *partner,
                    month,
                    hours: Decimal::ONE,
                    activity: String::new(),
                    paid_by_practice_team: false,
                    double_funding_confirmed: false,
                    corrects: None,
                })
            })
            .collect();
        store.import_hours(&ctx, &lines).unwrap();
    }
    store
}

fn keystroke(c: &mut Criterion) {
    let store = big_store();
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
