//! The redb store: transactions, the audit log, the hours index, the budget rules at save time,
//! and the clear refusals when a database cannot be used.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::domain::{Discipline, DomainError, YearMonth};
use sidw::store::keys::TreeName;
use sidw::store::{DATABASE_SCHEMA, Store, StoreError};

#[test]
fn hours_lines_are_indexed_by_network_and_year_and_budget_follows() {
    let store = Store::temporary().unwrap();
    let zwolle = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let almere = network_with_ion(&store, "Almere Haven", 16000);
    let fysio = add_partner(&store, zwolle, "Fysio", Discipline::Fysiotherapeut);
    let psy = add_partner(&store, almere, "Psycholoog", Discipline::Psycholoog);

    let first = store.add_hours(&ctx(), &new_hours(zwolle, fysio, 1, dec!(1.5))).unwrap();
    store.add_hours(&ctx(), &new_hours(zwolle, fysio, 2, dec!(4))).unwrap();
    store.add_hours(&ctx(), &new_hours(almere, psy, 1, dec!(10))).unwrap();

    assert_eq!(store.hours_of(zwolle, 2025).unwrap().len(), 2);
    assert_eq!(store.hours_of(almere, 2025).unwrap().len(), 1);
    assert!(store.hours_of(zwolle, 2024).unwrap().is_empty());
    let budget = store.partner_budget(zwolle, 2025).unwrap();
    assert_eq!(budget.budget, dec!(8050.00));
    // 1.5 × 84.95 = 127.425 → 127.43; 4 × 84.95 = 339.80
    assert_eq!(budget.spending.spent, dec!(467.23));
    assert_eq!(budget.remaining(), dec!(7582.77));

    // A line cannot move into a year without tariffs; with tariffs, it moves in the index.
    let mut moved = first.clone();
    moved.month = YearMonth::new(2026, 2).unwrap();
    let error = store.update_hours(&ctx(), &moved).unwrap_err();
    assert!(matches!(error, StoreError::NotFound(ref what) if what.contains("tarieventabel 2026")), "{error}");
    store
        .save_tariffs(&ctx(), &sidw::domain::TariffTable { year: 2026, ..sidw::domain::TariffTable::handbook_2025() })
        .unwrap();
    store.update_hours(&ctx(), &moved).unwrap();
    assert_eq!(store.hours_of(zwolle, 2025).unwrap().len(), 1);
    assert_eq!(store.hours_of(zwolle, 2026).unwrap(), vec![moved.clone()]);
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    store.update_hours(&ctx(), &first).unwrap();
    assert!(store.hours_of(zwolle, 2026).unwrap().is_empty());
    let mut changed = first.clone();
    changed.hours = dec!(2);
    store.update_hours(&ctx(), &changed).unwrap();
    assert_eq!(store.partner_budget(zwolle, 2025).unwrap().spending.spent, dec!(509.70));

    store.delete_hours(&ctx(), first.id).unwrap();
    assert_eq!(store.hours_of(zwolle, 2025).unwrap().len(), 1);
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn every_change_is_audited_with_before_and_after() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let fysio = add_partner(&store, network, "Fysio", Discipline::Fysiotherapeut);
    let line = store.add_hours(&ctx(), &new_hours(network, fysio, 3, dec!(2))).unwrap();
    let mut changed = line.clone();
    changed.hours = dec!(3);
    store.update_hours(&ctx(), &changed).unwrap();

    let log = store.audit_log().unwrap();
    let newest = &log[0];
    assert_eq!(newest.action, "uren gewijzigd");
    assert_eq!(newest.user, "test");
    assert_eq!(newest.subject, "Zwolle-Zuid / Fysio / 2025-03");
    assert_eq!(newest.at, ctx().at);
    assert!(newest.before.as_deref().unwrap().contains("\"hours\":\"2\""), "{:?}", newest.before);
    assert!(newest.after.as_deref().unwrap().contains("\"hours\":\"3\""), "{:?}", newest.after);
    assert_eq!(log[1].action, "uren toegevoegd");
    assert!(log[1].before.is_none());
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "tarieven opgeslagen",
            "netwerk aangemaakt",
            "praktijkteam opgeslagen",
            "partner toegevoegd",
            "overeenkomst aangemaakt",
            "uren toegevoegd",
            "uren gewijzigd"
        ]
    );
    assert_eq!(log.len(), 7, "one entry per change, no more");
}

#[test]
fn over_budget_lines_are_refused_unless_paid_by_the_practice_team() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Klein", 100); // partner budget 1.15 × 100 = 115.00
    let psy = add_partner(&store, network, "Psycholoog", Discipline::Psycholoog);
    store.add_hours(&ctx(), &new_hours(network, psy, 1, dec!(1))).unwrap(); // 101.00
    let audit_before = store.audit_log().unwrap().len();

    let error = store.add_hours(&ctx(), &new_hours(network, psy, 2, dec!(1))).unwrap_err();
    assert!(matches!(error, StoreError::Rule(DomainError::OverBudget { shortfall }) if shortfall == dec!(87.00)));
    assert!(error.to_string().contains("€ 87,00"), "{error}");
    assert_eq!(store.hours_of(network, 2025).unwrap().len(), 1, "nothing stored");
    assert_eq!(store.audit_log().unwrap().len(), audit_before, "nothing audited");

    let mut marked = new_hours(network, psy, 2, dec!(1));
    marked.paid_by_practice_team = true;
    store.add_hours(&ctx(), &marked).unwrap();
    let budget = store.partner_budget(network, 2025).unwrap();
    assert_eq!(budget.remaining(), dec!(14.00));
    assert_eq!(budget.spending.paid_by_practice_team, dec!(101.00));
}

#[test]
fn pharmacy_hours_need_a_recorded_confirmation() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let pharmacy = add_partner(&store, network, "Apotheek Zuid", Discipline::Apotheek);
    let error = store.add_hours(&ctx(), &new_hours(network, pharmacy, 1, dec!(1))).unwrap_err();
    assert!(error.to_string().contains("dubbelfinanciering"), "{error}");
    assert!(store.hours_of(network, 2025).unwrap().is_empty());
    let mut confirmed = new_hours(network, pharmacy, 1, dec!(1));
    confirmed.double_funding_confirmed = true;
    let line = store.add_hours(&ctx(), &confirmed).unwrap();
    assert!(store.hours_entry(line.id).unwrap().double_funding_confirmed);
    assert!(store.audit_log().unwrap()[0].after.as_deref().unwrap().contains("\"double_funding_confirmed\":true"));
}

#[test]
fn former_gez_owz_network_keeps_no_hours() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Hardenberg", 10000);
    let mut network = store.network(id).unwrap();
    let partner = add_partner(&store, id, "Fysio", Discipline::Fysiotherapeut);
    network.former_gez_owz = true;
    store.update_network(&ctx(), &network).unwrap();
    let error = store.add_hours(&ctx(), &new_hours(id, partner, 1, dec!(1))).unwrap_err();
    assert!(matches!(error, StoreError::Rule(DomainError::FormerGezOwzHasNoHours)));
}

#[test]
fn network_names_are_unique_ignoring_case() {
    let store = Store::temporary().unwrap();
    let first = store.create_network(&ctx(), &draft_network("Zwolle-Zuid")).unwrap();
    let error = store.create_network(&ctx(), &draft_network(" zwolle-zuid ")).unwrap_err();
    assert!(error.to_string().contains("al een netwerk"), "{error}");
    let second = store.create_network(&ctx(), &draft_network("Zwolle-Noord")).unwrap();
    let mut renamed = store.network(second).unwrap();
    renamed.name = "ZWOLLE-ZUID".into();
    assert!(store.update_network(&ctx(), &renamed).is_err());
    renamed.name = "Zwolle-Stadshagen".into();
    store.update_network(&ctx(), &renamed).unwrap();
    assert_eq!(store.network_by_name("zwolle-stadshagen").unwrap().unwrap().id, second);
    assert!(store.network_by_name("Zwolle-Noord").unwrap().is_none());
    assert_eq!(store.network_by_name("ZWOLLE-ZUID").unwrap().unwrap().id, first);
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn practice_team_shares_must_sum_to_100_and_nothing_is_stored_otherwise() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let mut team = store.practice_team(id).unwrap();
    let mut second = team.practices[0].clone();
    second.id = sidw::domain::PracticeId(0);
    second.agb = sidw::domain::validate::Agb::parse("01099999").unwrap();
    second.shares[0].share = dec!(40);
    team.practices.push(second);
    let error = store.save_practice_team(&ctx(), &team).unwrap_err();
    assert!(error.to_string().contains("140 %"), "{error}");
    assert_eq!(store.practice_team(id).unwrap().practices.len(), 1);
    team.practices[0].shares[0].share = dec!(60);
    let stored = store.save_practice_team(&ctx(), &team).unwrap();
    assert!(stored.practices.iter().all(|p| p.id.0 != 0), "new practices get ids");
    assert_eq!(store.practice_team(id).unwrap(), stored);
}

#[test]
fn a_second_open_of_the_same_directory_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let error = Store::open(dir.path()).err().expect("second open must fail");
    assert!(matches!(error, StoreError::Locked { .. }));
    let message = error.to_string();
    assert!(message.contains(&dir.path().display().to_string()) && message.contains("in gebruik"), "{message}");
}

#[test]
fn a_file_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gewoon-een-bestand");
    std::fs::write(&file, b"hallo").unwrap();
    let error = Store::open(&file).err().unwrap();
    assert!(matches!(error, StoreError::Unreadable { .. }));
    assert!(error.to_string().contains("geen map"), "{error}");
}

#[test]
fn a_database_from_a_newer_sidw_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let info = sidw::store::records::DatabaseInfo { schema: DATABASE_SCHEMA + 1 };
        store.raw_insert_for_tests(TreeName::Meta, b"database", &sidw::store::codec::encode(&info)).unwrap();
    }
    let error = open_after_drop(dir.path()).err().expect("newer schema must be refused");
    assert!(matches!(error, StoreError::NewerSchema { found, .. } if found == DATABASE_SCHEMA + 1), "{error}");
    assert!(error.to_string().contains("nieuwere sidw"), "{error}");
}

#[test]
fn check_reports_a_broken_record_and_a_broken_index() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let fysio = add_partner(&store, network, "Fysio", Discipline::Fysiotherapeut);
    let line = store.add_hours(&ctx(), &new_hours(network, fysio, 1, dec!(1))).unwrap();
    assert!(store.check().unwrap().is_ok());

    // An hours line without its index entry, and a record that is not a record.
    store.raw_remove_for_tests(TreeName::HoursIndex, &sidw::store::keys::network_year(network, 2025)).unwrap();
    store.raw_insert_for_tests(TreeName::Partners, b"rommel", b"\x53\x00\x01garbage").unwrap();
    let report = store.check().unwrap();
    assert!(!report.is_ok());
    let all = report.problems.join("\n");
    assert!(all.contains("geen urenindex"), "{all}");
    assert!(all.contains("partner onder sleutel 726f6d6d656c"), "{all}");
    let _ = line;
}

/// Opens a database this process just closed: the lock goes with the last handle (a clone in
/// another thread may live a moment longer).
fn open_after_drop(path: &std::path::Path) -> Result<Store, StoreError> {
    // Up to 30 s: under load (a full test run on two cores) the threads can take seconds.
    for _ in 0..3000 {
        match Store::open(path) {
            Err(StoreError::Locked { .. }) => std::thread::sleep(std::time::Duration::from_millis(10)),
            other => return other,
        }
    }
    Store::open(path)
}

#[test]
fn a_change_that_lowers_spending_is_allowed_even_over_budget() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Krimp", 400); // partner budget 460.00
    let psy = add_partner(&store, id, "Psycholoog", Discipline::Psycholoog);
    let line = store.add_hours(&ctx(), &new_hours(id, psy, 1, dec!(4))).unwrap(); // 404.00
    // The practice team shrinks: the budget drops to 115.00, below what was spent.
    let mut team = store.practice_team(id).unwrap();
    team.practices[0].ion_counts.push(sidw::domain::IonCount { reference_date: date(2024, 12, 1), count: 100 });
    store.save_practice_team(&ctx(), &team).unwrap();
    assert_eq!(store.partner_budget(id, 2025).unwrap().remaining(), dec!(-289.00));

    let mut lower = line.clone();
    lower.hours = dec!(2);
    store.update_hours(&ctx(), &lower).unwrap();
    let mut text_only = lower.clone();
    text_only.activity = "  spreekuur  ".into();
    store.update_hours(&ctx(), &text_only).unwrap();
    assert_eq!(store.hours_entry(line.id).unwrap().activity, "spreekuur", "stored trimmed");
    let mut higher = text_only.clone();
    higher.hours = dec!(2.5);
    assert!(matches!(store.update_hours(&ctx(), &higher), Err(StoreError::Rule(DomainError::OverBudget { .. }))));
}

#[test]
fn switching_a_practice_team_line_back_to_the_budget_is_checked() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Klein", 100); // 115.00
    let psy = add_partner(&store, id, "Psycholoog", Discipline::Psycholoog);
    let mut by_team = new_hours(id, psy, 1, dec!(2));
    by_team.paid_by_practice_team = true;
    let line = store.add_hours(&ctx(), &by_team).unwrap();
    let mut back = line.clone();
    back.paid_by_practice_team = false;
    let error = store.update_hours(&ctx(), &back).unwrap_err();
    assert!(
        matches!(error, StoreError::Rule(DomainError::OverBudget { shortfall }) if shortfall == dec!(87.00)),
        "{error}"
    );
    back.hours = dec!(1);
    store.update_hours(&ctx(), &back).unwrap();
    assert_eq!(store.partner_budget(id, 2025).unwrap().remaining(), dec!(14.00));
}

#[test]
fn what_fixes_the_worth_of_existing_lines_cannot_change_under_them() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Vast", 7000);
    let fysio = add_partner(&store, id, "Fysio", Discipline::Fysiotherapeut);
    let other = add_partner(&store, id, "Nieuw", Discipline::Fysiotherapeut);
    store.add_hours(&ctx(), &new_hours(id, fysio, 1, dec!(1))).unwrap();

    let raised = sidw::domain::TariffTable { hourly_b: dec!(99.00), ..sidw::domain::TariffTable::handbook_2025() };
    assert!(store.save_tariffs(&ctx(), &raised).unwrap_err().to_string().contains("liggen daarmee vast"));
    let per_ion =
        sidw::domain::TariffTable { partner_per_ion: dec!(1.20), ..sidw::domain::TariffTable::handbook_2025() };
    store.save_tariffs(&ctx(), &per_ion).unwrap();

    let mut partner = store.partner(id, fysio).unwrap();
    partner.category = sidw::domain::TariffCategory::A;
    assert!(store.update_partner(&ctx(), &partner).unwrap_err().to_string().contains("tariefcategorie"));
    let mut fresh = store.partner(id, other).unwrap();
    fresh.category = sidw::domain::TariffCategory::A;
    store.update_partner(&ctx(), &fresh).unwrap();

    let mut network = store.network(id).unwrap();
    network.former_gez_owz = true;
    assert!(store.update_network(&ctx(), &network).unwrap_err().to_string().contains("heeft al uren"));
}

#[test]
fn practice_ids_come_from_the_store() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let mut team = store.practice_team(id).unwrap();
    team.practices[0].id = sidw::domain::PracticeId(999);
    assert!(store.save_practice_team(&ctx(), &team).unwrap_err().to_string().contains("praktijk 999"));
}

#[test]
fn municipality_is_stored_in_its_reference_spelling() {
    let store = Store::temporary().unwrap();
    let mut draft = draft_network("Spelling");
    draft.municipality = "  zwolle ".into();
    draft.name = "  Spelling  ".into();
    let id = store.create_network(&ctx(), &draft).unwrap();
    let stored = store.network(id).unwrap();
    assert_eq!((stored.municipality.as_str(), stored.name.as_str()), ("Zwolle", "Spelling"));
}

#[test]
fn an_import_is_all_or_nothing_and_counts_the_lines_before_it() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Import", 100); // 115.00
    let psy = add_partner(&store, id, "Psycholoog", Discipline::Psycholoog);
    let audit = store.audit_log().unwrap().len();
    // Each line alone fits; together they do not (101 + 101 > 115).
    let lines = [new_hours(id, psy, 1, dec!(1)), new_hours(id, psy, 2, dec!(1))];
    let error = store.import_hours(&ctx(), &lines).unwrap_err();
    assert!(matches!(error, StoreError::AtLine { index: 1, .. }), "the second line is the one refused: {error:?}");
    assert!(
        matches!(error.root(), StoreError::Rule(DomainError::OverBudget { shortfall }) if *shortfall == dec!(87.00)),
        "{error}"
    );
    assert!(store.hours_of(id, 2025).unwrap().is_empty());
    assert_eq!(store.audit_log().unwrap().len(), audit);

    let saved = store.import_hours(&ctx(), &lines[..1]).unwrap();
    assert_eq!(store.hours_of(id, 2025).unwrap(), saved);
    assert_eq!(store.audit_log().unwrap()[0].action, "uren geïmporteerd");
    assert!(store.check().unwrap().is_ok());
}

/// Writes `source`'s trees into a sled database at `dir` as sidw before redb kept them (sled 0.34,
/// one sled tree per table), without the id counter: sled's own generator held it, moved past
/// every id. Returns sled's generator as a fresh open sees it.
fn sled_database_like(source: &Store, dir: &std::path::Path) -> u64 {
    let dump = source.dump().unwrap();
    let highest = source.audit_log().unwrap()[0].id;
    let db = sled::Config::new().path(dir).open().unwrap();
    for (name, pairs) in &dump.trees {
        let tree = db.open_tree(name).unwrap();
        for (key, value) in pairs {
            if name == "meta" && key.as_slice() == sidw::store::keys::ID_FLOOR_KEY {
                continue;
            }
            tree.insert(key, value.as_slice()).unwrap();
        }
    }
    while db.generate_id().unwrap() <= highest {}
    db.flush().unwrap();
    drop(db);
    // sled's threads let go of the directory's lock a moment after the drop.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match sled::Config::new().path(dir).open() {
            Ok(db) => return db.generate_id().unwrap(),
            Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(error) => panic!("{error}"),
        }
    }
}

#[test]
fn a_sled_database_is_copied_into_redb_on_open_and_its_files_are_kept_aside() {
    let source = Store::temporary().unwrap();
    let zwolle = network_with_ion(&source, "Zwolle-Zuid", 7000);
    let fysio = add_partner(&source, zwolle, "Fysio", Discipline::Fysiotherapeut);
    let line = source.add_hours(&ctx(), &new_hours(zwolle, fysio, 3, dec!(2.5))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let generated = sled_database_like(&source, &db);
    // A copy killed halfway left its file; it is started again.
    std::fs::write(db.join("sidw.redb.tmp"), b"half a copy").unwrap();
    assert!(!db.join("sidw.redb").exists());

    let store = reopen(&db);
    assert!(db.join("sidw.redb").is_file());
    assert!(!db.join("sidw.redb.tmp").exists());
    for moved in ["conf", "db"] {
        assert!(!db.join(moved).exists(), "{moved} is still in the database directory");
        assert!(db.join("sled-oud").join(moved).is_file(), "{moved} is not in sled-oud");
    }
    assert_eq!(store.hours_of(zwolle, 2025).unwrap(), vec![line]);
    assert_eq!(store.audit_log().unwrap(), source.audit_log().unwrap());
    assert_eq!(store.dump().unwrap().trees.len(), source.dump().unwrap().trees.len());
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    // New ids start above sled's generator, not just above the highest id stored.
    let highest = source.audit_log().unwrap()[0].id;
    assert!(generated > highest + 1, "sled's generator jumps ahead after an open");
    store.record_event(&ctx(), "test", "na de kopie", "").unwrap();
    let newest = store.audit_log().unwrap()[0].id;
    assert!(newest > generated, "{newest} ≤ {generated}");
    drop(store);

    // Opened again: the redb file is used, the old files stay where they were put.
    let store = reopen(&db);
    assert_eq!(store.audit_log().unwrap()[0].id, newest);
    assert!(db.join("sled-oud").join("db").is_file());
}

#[test]
fn a_directory_without_sled_files_gets_a_new_redb_file_and_no_sled_oud() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(store.is_empty());
    assert!(dir.path().join("sidw.redb").is_file());
    assert!(!dir.path().join("sled-oud").exists());
    // Held by this process: a second open is refused as locked, and free again once dropped.
    assert!(matches!(Store::open(dir.path()), Err(StoreError::Locked { .. })));
    drop(store);
    Store::open(dir.path()).unwrap();
}

#[test]
fn saves_go_on_during_a_backup_and_each_backup_is_one_moment() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let zwolle = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let fysio = add_partner(&store, zwolle, "Fysio", Discipline::Fysiotherapeut);
    for _ in 0..200 {
        store.add_hours(&ctx(), &new_hours(zwolle, fysio, 1, dec!(0.25))).unwrap();
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let backups = {
        let (store, stop, dir) = (store.clone(), stop.clone(), dir.path().to_path_buf());
        std::thread::spawn(move || {
            let mut spans = Vec::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let file = dir.join(format!("b{n}.sidwbak"));
                let started = std::time::Instant::now();
                store.backup_to(&file).unwrap();
                spans.push((started, std::time::Instant::now(), file));
                n += 1;
            }
            spans
        })
    };
    let mut saved = Vec::new();
    for _ in 0..60 {
        store.add_hours(&ctx(), &new_hours(zwolle, fysio, 2, dec!(0.5))).unwrap();
        saved.push(std::time::Instant::now());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let spans = backups.join().unwrap();
    // Some save was finished while a backup was being written: a backup holds no lock.
    assert!(
        saved.iter().any(|at| spans.iter().any(|(from, to, _)| from < at && at < to)),
        "no save finished during any of {} backups",
        spans.len()
    );
    // Each backup is one moment: restored, every line is in its index and in the log once.
    for (i, (_, _, file)) in spans.iter().enumerate().step_by((spans.len() / 4).max(1)) {
        let restored = sidw::store::restore::restore_file(&dir.path().join(format!("r{i}")), file).unwrap();
        assert!(restored.report.is_ok(), "backup {i}: {:?}", restored.report.problems);
    }
}

/// An office's first command after the upgrade converts its database and says so, once; what it
/// reports comes from the converted data.
#[test]
fn the_first_command_on_a_sled_database_converts_it_and_says_so_once() {
    let source = Store::temporary().unwrap();
    sidw::demo::load(&source, &ctx(), chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    sled_database_like(&source, &db);
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sidw"))
            .arg("--db")
            .arg(&db)
            .args(["report", "budget", "--year", "2025"])
            .env_remove("SIDW_DB")
            .output()
            .unwrap()
    };
    let first = run();
    let (out, err) = (String::from_utf8_lossy(&first.stdout), String::from_utf8_lossy(&first.stderr));
    assert!(first.status.success(), "{err}");
    assert!(out.contains("Zwolle-Zuid"), "{out}");
    assert!(err.contains("is omgezet naar de nieuwe opslag") && err.contains("sled-oud"), "{err}");
    let again = run();
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stderr).contains("omgezet"));
    assert_eq!(again.stdout, first.stdout);
}

/// A served office where people browse but nobody saves (a weekend): every look writes a
/// preference without waiting for the disk, and redb frees pages only at a durable commit. The
/// file must not grow with the number of looks.
#[test]
fn looks_without_saves_do_not_grow_the_database_file() {
    use sidw::store::records::UserPreference;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let zwolle = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let file = dir.path().join(sidw::store::DATABASE_FILE);
    let look = |i: u32| {
        let quarter = sidw::domain::Quarter::parse(&format!("{}-Q{}", 2016 + i % 10, 1 + i % 4)).unwrap();
        let preference = UserPreference { network: Some(zwolle), quarter: Some(quarter) };
        store.remember_preference(&format!("gebruiker{}", i % 20), &preference).unwrap();
    };
    for i in 0..200 {
        look(i);
    }
    let before = std::fs::metadata(&file).unwrap().len();
    for i in 0..3000 {
        look(i);
    }
    let after = std::fs::metadata(&file).unwrap().len();
    assert!(after <= before + (1 << 20), "{before} → {after} bytes after 3 000 looks");
}
