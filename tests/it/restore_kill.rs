//! A restore is all or nothing (issue 12): killed at any moment, it leaves either no database or
//! the complete one; never a half-filled database that `check` calls sound.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use rust_decimal::Decimal;
use sidw::domain::{Discipline, YearMonth};
use sidw::store::{NewHours, Store};

/// A backup of about 3 000 hours lines.
fn backup(dir: &Path) -> (std::path::PathBuf, usize) {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Wijk Terug", 600_000);
    let partners: Vec<_> =
        (0..25).map(|p| add_partner(&store, network, &format!("Partner {p}"), Discipline::Pedicure)).collect();
    let lines: Vec<NewHours> = (1..=12)
        .flat_map(|m| {
            let partners = partners.clone();
            (0..10).flat_map(move |activity| {
                partners.clone().into_iter().map(move |partner| NewHours {
                    network,
                    partner,
                    month: YearMonth::new(2025, m).unwrap(),
                    hours: Decimal::ONE,
                    activity: format!("activiteit {activity}"),
                    paid_by_practice_team: true,
                    double_funding_confirmed: false,
                    corrects: None,
                })
            })
        })
        .collect();
    store.import_hours(&ctx(), &lines).unwrap();
    let file = dir.join("terug.sidwbak");
    sidw::store::backup_file::write_file(&store.dump().unwrap(), &file).unwrap();
    (file, lines.len())
}

fn sidw(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sidw"));
    command.arg("--db").arg(db).env_remove("SIDW_DB").stdout(Stdio::null()).stderr(Stdio::null());
    command
}

fn hours_in(db: &Path) -> usize {
    let store = Store::open(db).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    store.networks().unwrap().iter().map(|n| store.hours_of(n.id, 2025).unwrap().len()).sum()
}

#[test]
fn a_restore_killed_at_any_moment_leaves_no_database_or_the_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    let (file, lines) = backup(dir.path());
    // How long a whole restore takes here, to kill within it.
    let timed = dir.path().join("timed");
    let started = Instant::now();
    assert!(sidw(&timed).arg("restore").arg(&file).status().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(hours_in(&timed), lines);

    let runs = 100;
    let (mut none, mut complete) = (0, 0);
    for run in 0..runs {
        let db = dir.path().join(format!("db{run}"));
        let mut child = sidw(&db).arg("restore").arg(&file).spawn().unwrap();
        // Spread the kills over the whole restore, and a little past it.
        let at = whole.mul_f64(f64::from(run) / f64::from(runs) * 1.1);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        if db.exists() {
            assert_eq!(hours_in(&db), lines, "run {run}: a database at {} must be complete", db.display());
            complete += 1;
        } else {
            none += 1;
            // The next restore cleans up what the killed one left, and completes.
            assert!(sidw(&db).arg("restore").arg(&file).status().unwrap().success(), "run {run}");
            assert_eq!(hours_in(&db), lines);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("db{run}.restoring-")))
            .collect();
        assert!(leftovers.is_empty(), "run {run}: {leftovers:?}");
    }
    println!("restore of {lines} lines takes {whole:?}; killed: {none} left no database, {complete} a complete one");
    assert!(none > 0, "some kills must land during the restore");
    assert!(whole < Duration::from_secs(60));
}

#[test]
fn a_restore_into_a_database_that_holds_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = backup(dir.path());
    let db = dir.path().join("db");
    assert!(sidw(&db).arg("restore").arg(&file).status().unwrap().success());
    let out = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).arg("restore").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is niet leeg"), "{}", String::from_utf8_lossy(&out.stderr));
}
