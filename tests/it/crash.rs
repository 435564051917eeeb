//! Kill -9 at a random moment while hours are being saved: afterwards the store checks clean and
//! every entry whose save had returned is there, with its audit entry (no half-changes).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use rust_decimal_macros::dec;
use sidw::domain::{Discipline, HoursEntryId, TariffTable, YearMonth};
use sidw::store::{Store, StoreError};

const ROUNDS: usize = 20;
const CHILD_ENV: &str = "SIDW_CRASH_CHILD_DB";
const YEARS: std::ops::RangeInclusive<i32> = 2025..=2034;

/// The writer, run as a child process of the test below (ignored when run on its own).
#[test]
#[ignore = "child process of every_saved_entry_survives_sigkill"]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let store = open_when_released(Path::new(&dir));
    let network = store.network_by_name("Crash").unwrap().unwrap().id;
    let partner = store.partners(network).unwrap()[0].id;
    let mut out = std::io::stdout().lock();
    for i in 0u32.. {
        let year = YEARS.start() + i32::try_from(i % 10).unwrap();
        let mut line = new_hours(network, partner, 1, dec!(0.25));
        line.month = YearMonth::new(year, i / 10 % 12 + 1).unwrap();
        let saved = store.add_hours(&ctx(), &line).unwrap();
        // Printed only after the store returned: the id is promised to be durable.
        writeln!(out, "saved {}", saved.id.0).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn every_saved_entry_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        network_with_ion(&store, "Crash", 10_000_000);
        for year in YEARS {
            store.save_tariffs(&ctx(), &TariffTable { year, ..TariffTable::handbook_2025() }).unwrap();
        }
        let network = store.network_by_name("Crash").unwrap().unwrap().id;
        add_partner(&store, network, "Fysio", Discipline::Fysiotherapeut);
    }
    let random = RandomState::new();
    let mut promised: HashSet<u64> = HashSet::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash::crash_child_writer", "--include-ignored", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("saved ") {
                    let _ = sender.send(id.parse::<u64>().unwrap());
                }
            }
        });
        // Let it write at least one entry (it waits for the previous round's lock to go), then
        // kill it at a random moment within the next 150 ms.
        let first = receiver.recv_timeout(Duration::from_secs(30)).expect("the writer saved nothing in 30 s");
        promised.insert(first);
        std::thread::sleep(Duration::from_millis(random.hash_one(round) % 150));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        promised.extend(receiver.try_iter());

        let store = open_when_released(dir.path());
        let report = store.check().unwrap();
        assert!(report.is_ok(), "round {round}: {:#?}", report.problems);
        let network = store.network_by_name("Crash").unwrap().unwrap().id;
        let stored: HashSet<u64> =
            YEARS.flat_map(|year| store.hours_of(network, year).unwrap()).map(|line| line.id.0).collect();
        let lost: Vec<&u64> = promised.difference(&stored).collect();
        assert!(lost.is_empty(), "round {round}: saved entries lost after SIGKILL: {lost:?}");
        for id in &promised {
            assert!(store.hours_entry(HoursEntryId(*id)).is_ok());
        }
        let audited = store.audit_log().unwrap().iter().filter(|e| e.action == "uren toegevoegd").count();
        assert_eq!(audited, stored.len(), "round {round}: every stored line has its audit entry and no more");
    }
    assert!(promised.len() >= ROUNDS, "each round saved at least one entry");
    eprintln!("{} entries promised over {ROUNDS} kills, all present", promised.len());
}

/// Opens the database once its previous user let go: after SIGKILL the kernel drops the child's
/// lock, and after a drop in this process the last clone of the store does; either may take a moment.
fn open_when_released(path: &Path) -> Store {
    for _ in 0..500 {
        match Store::open(path) {
            Err(StoreError::Locked { .. }) => std::thread::sleep(Duration::from_millis(10)),
            other => return other.unwrap(),
        }
    }
    panic!("database still locked 5 s after the writer was killed");
}
