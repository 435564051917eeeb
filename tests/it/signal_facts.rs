//! Signalen facts kept in the database (`signal_facts`): a fresh process reads them instead of
//! every hours line, and whatever was saved, they give the signals a computation from the lines
//! gives.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::reopen;

use common::{ctx, date};
use proptest::prelude::*;
use rust_decimal::Decimal;
use sidw::domain::signals::Signal;
use sidw::domain::{NetworkId, PartnerId, Quarter, TariffCategory, TariffTable, YearMonth};
use sidw::store::keys::TreeName;
use sidw::store::{CellChange, Store};

const TODAY: (i32, u32, u32) = (2025, 10, 15);

fn today() -> chrono::NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

/// A demo database in a directory of its own.
fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = reopen(dir.path());
    sidw::demo::load(&store, &ctx(), today()).unwrap();
    dir
}

/// The signals as computed from the lines, with no stored facts.
fn from_lines(store: &Store) -> Vec<Signal> {
    store.clear_signal_facts().unwrap();
    store.signals(today()).unwrap()
}

fn facts_stored(store: &Store) -> usize {
    store.scan::<sidw::store::records::HoursFacts>(TreeName::SignalFacts, &[]).unwrap().len()
}

#[test]
fn a_fresh_process_reads_the_facts_a_change_removes_them_for_its_network_only() {
    let dir = demo_dir();
    let expected = {
        let store = reopen(dir.path());
        let networks = store.networks().unwrap().len();
        let signals = store.signals(today()).unwrap();
        assert_eq!(store.facts_computations(), networks as u64, "first time: every network from its lines");
        assert_eq!(facts_stored(&store), networks);
        signals
    };
    // A fresh process: nothing computed from the lines, the same signals.
    let (network, partner) = {
        let store = reopen(dir.path());
        assert_eq!(store.signals(today()).unwrap(), expected);
        assert_eq!(store.facts_computations(), 0);
        let network = store.networks().unwrap()[0].id;
        (network, store.partners(network).unwrap()[0].id)
    };
    // One cell saved: its network's facts are gone in the same transaction, the others stay.
    {
        let store = reopen(dir.path());
        let before = facts_stored(&store);
        set_cell(&store, network, partner, YearMonth::new(2025, 2).unwrap(), Some(Decimal::new(35, 1)));
        assert_eq!(facts_stored(&store), before - 1);
        assert!(
            store.get::<sidw::store::records::HoursFacts>(TreeName::SignalFacts, &network.to_key()).unwrap().is_none()
        );
    }
    let store = reopen(dir.path());
    let signals = store.signals(today()).unwrap();
    assert_eq!(store.facts_computations(), 1, "only the changed network from its lines");
    assert_eq!(signals, from_lines(&store));
}

#[test]
fn a_tariff_change_makes_every_network_s_facts_old_a_close_does_not() {
    let dir = demo_dir();
    let networks = {
        let store = reopen(dir.path());
        store.signals(today()).unwrap();
        store.networks().unwrap().len() as u64
    };
    {
        let store = reopen(dir.path());
        let first = store.networks().unwrap()[0].id;
        let quarter = Quarter::parse("2025-Q1").unwrap();
        let preview = store.close_preview(&[first], quarter, today()).unwrap();
        let acknowledged = sidw::store::to_acknowledge(&preview);
        store.close_quarter(&ctx(), &[first], quarter, &acknowledged).unwrap();
    }
    {
        let store = reopen(dir.path());
        let signals = store.signals(today()).unwrap();
        // The batch reaches every network's signals, not their hours: only the closed network
        // (its closes and claims are its own records) is computed from its lines again.
        assert_eq!(store.facts_computations(), 1);
        assert_eq!(signals, from_lines(&store));
        // The tariffs of a year with hours are fixed: a new year's.
        store.save_tariffs(&ctx(), &TariffTable { year: 2026, ..TariffTable::handbook_2025() }).unwrap();
    }
    let store = reopen(dir.path());
    let signals = store.signals(today()).unwrap();
    assert_eq!(store.facts_computations(), networks, "a tariff change: every network from its lines");
    assert_eq!(signals, from_lines(&store));
}

#[test]
fn damaged_facts_are_computed_again_and_wrong_ones_are_found_by_check() {
    let dir = demo_dir();
    let store = reopen(dir.path());
    let expected = store.signals(today()).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    let networks = store.networks().unwrap();
    // Unreadable facts: a cache, so computed again (and stored again), never an error.
    store.raw_insert_for_tests(TreeName::SignalFacts, &networks[0].id.to_key(), b"rommel").unwrap();
    store.forget_signals();
    assert_eq!(store.signals(today()).unwrap(), expected);
    assert_eq!(store.facts_computations(), networks.len() as u64 + 1);
    // Facts that read well but say something else than the lines: check names the network.
    let key = networks
        .iter()
        .map(|n| n.id.to_key())
        .find(|key| {
            store
                .get::<sidw::store::records::HoursFacts>(TreeName::SignalFacts, key)
                .unwrap()
                .is_some_and(|f| !f.missing_forms.is_empty())
        })
        .expect("a network with a missing form");
    let mut wrong: sidw::store::records::HoursFacts = store.get(TreeName::SignalFacts, &key).unwrap().unwrap();
    wrong.missing_forms[0].1.push("Iemand anders".into());
    store.raw_insert_for_tests(TreeName::SignalFacts, &key, &sidw::store::codec::encode(&wrong)).unwrap();
    let report = store.check().unwrap();
    assert!(report.problems.iter().any(|p| p.contains("urenfeiten van netwerk")), "{:?}", report.problems);
    assert_eq!(report.counts.get("signal_facts"), Some(&networks.len()));
}

fn set_cell(store: &Store, network: NetworkId, partner: PartnerId, month: YearMonth, hours: Option<Decimal>) {
    let _ = store.set_cell(
        &ctx(),
        &CellChange { network, partner, month, hours, by_team_increase: true, double_funding_confirmed: true },
    );
}

/// One change the model makes; those the store refuses change nothing (and are fine).
#[derive(Debug, Clone)]
enum Change {
    /// Network, partner (indexes), month, tenths of an hour (0 is nihil, None clears).
    Cell(usize, usize, u32, Option<u32>),
    Category(usize, usize, u8),
    HourlyA(u32),
    Close(usize, u32),
    Reopen(usize, u32),
    /// Write the facts of a fresh process now (reopen and ask).
    FreshProcess,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => (0..4usize, 0..4usize, 1..=12u32, prop::option::of(0..60u32)).prop_map(|(n, p, m, h)| Change::Cell(n, p, m, h)),
        1 => (0..4usize, 0..4usize, 0..3u8).prop_map(|(n, p, c)| Change::Category(n, p, c)),
        1 => (9_000..11_000u32).prop_map(Change::HourlyA),
        1 => (0..4usize, 1..=3u32).prop_map(|(n, q)| Change::Close(n, q)),
        1 => (0..4usize, 1..=3u32).prop_map(|(n, q)| Change::Reopen(n, q)),
        2 => Just(Change::FreshProcess),
    ]
}

fn apply(store: &Store, change: &Change) {
    let networks = store.networks().unwrap();
    let network = |i: usize| networks[i % networks.len()].id;
    let partner = |n: NetworkId, i: usize| {
        let partners = store.partners(n).unwrap();
        (!partners.is_empty()).then(|| partners[i % partners.len()].clone())
    };
    match change {
        Change::Cell(n, p, month, hours) => {
            let n = network(*n);
            if let Some(p) = partner(n, *p) {
                let hours = hours.map(|h| Decimal::new(h.into(), 1));
                set_cell(store, n, p.id, YearMonth::new(2025, *month).unwrap(), hours);
            }
        }
        Change::Category(n, p, c) => {
            let n = network(*n);
            if let Some(mut p) = partner(n, *p) {
                p.category = [TariffCategory::A, TariffCategory::B, TariffCategory::C][*c as usize];
                let _ = store.update_partner(&ctx(), &p);
            }
        }
        Change::HourlyA(cents) => {
            // A year without hours (2025's tariffs are fixed by its hours): adds 2026 to the
            // years, then changes its rate.
            let table =
                TariffTable { year: 2026, hourly_a: Decimal::new((*cents).into(), 2), ..TariffTable::handbook_2025() };
            let _ = store.save_tariffs(&ctx(), &table);
        }
        Change::Close(n, q) => {
            let quarter = Quarter::new(2025, *q).unwrap();
            if let Ok(preview) = store.close_preview(&[network(*n)], quarter, today()) {
                let acknowledged = sidw::store::to_acknowledge(&preview);
                let _ = store.close_quarter(&ctx(), &[network(*n)], quarter, &acknowledged);
            }
        }
        Change::Reopen(n, q) => {
            let _ = store.reopen_quarter(&ctx(), network(*n), Quarter::new(2025, *q).unwrap(), "model");
        }
        Change::FreshProcess => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Random saves (cells with hours, nihil and cleared, partner categories, tariffs, closes and
    /// reopenings), with fresh processes in between that store facts: a fresh process's signals
    /// from the stored facts are the signals computed from the lines.
    #[test]
    fn stored_facts_give_what_the_lines_give(changes in prop::collection::vec(change(), 1..14)) {
        let dir = demo_dir();
        let mut store = reopen(dir.path());
        store.signals(today()).unwrap();
        for change in &changes {
            if let Change::FreshProcess = change {
                drop(store);
                store = reopen(dir.path());
                store.signals(today()).unwrap();
            } else {
                apply(&store, change);
            }
        }
        drop(store);
        let store = reopen(dir.path());
        let stored = store.signals(today()).unwrap();
        prop_assert_eq!(stored, from_lines(&store));
        prop_assert!(store.check().unwrap().is_ok());
    }
}

#[test]
fn a_restore_computes_the_facts_again_from_what_it_restored() {
    let dir = demo_dir();
    let store = reopen(dir.path());
    let expected = store.signals(today()).unwrap();
    let networks = store.networks().unwrap().len();
    assert_eq!(facts_stored(&store), networks);
    let dump = store.dump().unwrap();
    assert!(dump.trees.iter().any(|(name, pairs)| name == "signal_facts" && pairs.len() == networks));
    drop(store);
    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("terug");
    sidw::store::restore::restore(&restored, &dump).unwrap();
    let store = reopen(&restored);
    assert_eq!(facts_stored(&store), 0, "facts are not taken from a back-up");
    assert_eq!(store.signals(today()).unwrap(), expected);
    assert_eq!(store.facts_computations(), networks as u64);
}
