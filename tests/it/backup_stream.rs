//! The streamed backup (`sidw backup`, serve's backups) writes the same layout as before: it reads
//! back as the very dump of the database, and a changed byte is still refused.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{ctx, date};
use sidw::store::{Store, backup_file, restore};

#[test]
fn a_streamed_backup_reads_back_as_the_database_and_a_changed_byte_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let path = dir.path().join("demo.sidwbak");
    let records = store.backup_to(&path).unwrap();
    let dump = store.dump().unwrap();
    assert_eq!(records, dump.trees.iter().map(|(_, pairs)| pairs.len()).sum::<usize>());
    assert!(records > 100);
    assert_eq!(backup_file::read_file(&path).unwrap(), dump);

    // The same layout as a backup written whole: header, length and checksum agree.
    let whole = dir.path().join("whole.sidwbak");
    backup_file::write_file(&dump, &whole).unwrap();
    let (streamed, written) = (std::fs::read(&path).unwrap(), std::fs::read(&whole).unwrap());
    assert_eq!(streamed[..10], written[..10], "magic and version");
    let length = u64::from_be_bytes(streamed[10..18].try_into().unwrap());
    assert_eq!(length as usize, streamed.len() - 18 - 32);

    let mut bytes = streamed;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(backup_file::read_file(&path), Err(backup_file::BackupError::ChecksumMismatch)));
    // No temporary file is left behind.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.contains(".sidw-tmp-")), "{names:?}");
}

#[test]
fn check_reading_one_record_at_a_time_still_finds_broken_hours_invoices_and_log_entries() {
    use sidw::store::keys::TreeName;
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    assert!(store.check().unwrap().is_ok());
    store.raw_insert_for_tests(TreeName::Audit, &u64::MAX.to_be_bytes(), b"kapot").unwrap();
    store.raw_insert_for_tests(TreeName::Hours, &u64::MAX.to_be_bytes(), b"kapot").unwrap();
    store.raw_insert_for_tests(TreeName::Invoices, &[0xff; 16], b"kapot").unwrap();
    let report = store.check().unwrap();
    let all = report.problems.join("\n");
    for tree in ["'audit'", "'hours'", "'invoices'"] {
        assert!(all.contains(tree), "{tree} in {all}");
    }
    assert_eq!(report.problems.len(), 3, "{all}");
}

/// The dump of a database without what a restore builds again (meta, the batch index).
type Trees = Vec<(String, Vec<(Vec<u8>, Vec<u8>)>)>;

fn data_of(store: &Store) -> Trees {
    store.dump().unwrap().trees.into_iter().filter(|(t, _)| t != "meta" && t != "batch_index").collect()
}

#[test]
fn a_backup_file_restores_as_it_streams_into_the_same_database_as_a_restore_of_its_dump() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let file = dir.path().join("demo.sidwbak");
    store.backup_to(&file).unwrap();

    let streamed = restore::restore_file(&dir.path().join("gestroomd"), &file).unwrap();
    assert!(streamed.report.is_ok(), "{:?}", streamed.report.problems);
    let whole = restore::restore(&dir.path().join("heel"), &backup_file::read_file(&file).unwrap()).unwrap();
    assert!(whole.report.is_ok());
    let (a, b) = (Store::open(&streamed.path).unwrap(), Store::open(&whole.path).unwrap());
    assert_eq!(data_of(&a), data_of(&store));
    assert_eq!(data_of(&a), data_of(&b));
    // Ids stay taken: a new network gets an id above every id in the backup.
    let highest = |s: &Store| s.networks().unwrap().iter().map(|n| n.id.0).max().unwrap();
    let new = a.create_network(&ctx(), &common::draft_network("Na het terugzetten")).unwrap();
    assert!(new.0 > highest(&store));
}

#[test]
fn a_damaged_or_unknown_backup_file_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let file = dir.path().join("demo.sidwbak");
    store.backup_to(&file).unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let target = dir.path().join("terug");
    let error = restore::restore_file(&target, &file).err().expect("a damaged backup is refused");
    assert_eq!(error.to_string(), "de back-up is beschadigd: de controlesom klopt niet");
    // A valid file with a tree this sidw does not know.
    let unknown = backup_file::Dump { trees: vec![("toekomst".to_string(), vec![(b"k".to_vec(), b"v".to_vec())])] };
    backup_file::write_file(&unknown, &file).unwrap();
    let error = restore::restore_file(&target, &file).err().expect("an unknown tree is refused");
    assert!(error.to_string().contains("onbekende tabel 'toekomst'"), "{error}");
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["demo.sidwbak"], "nothing at the target, no staging left");
}

#[test]
fn a_backup_written_by_an_earlier_sidw_still_restores() {
    // Written by `sidw demo` + `sidw backup` before backups were restored as they stream.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backup/demo_v1.sidwbak");
    let dir = tempfile::tempdir().unwrap();
    let restored = restore::restore_file(&dir.path().join("terug"), &fixture).unwrap();
    assert!(restored.report.is_ok(), "{:?}", restored.report.problems);
    // 112 entries of the backup, and one: the municipality list (issue 17) seeded, audited.
    for (tree, count) in
        [("hours", 55), ("audit", 113), ("networks", 4), ("partners", 8), ("invoices", 6), ("municipalities", 95)]
    {
        assert_eq!(restored.report.counts.get(tree), Some(&count), "{tree}");
    }
    let store = Store::open(&restored.path).unwrap();
    let dump = backup_file::read_file(&fixture).unwrap();
    let hours = dump.trees.iter().find(|(t, _)| t == "hours").unwrap();
    assert_eq!(data_of(&store).iter().find(|(t, _)| t == "hours").unwrap(), hours);
}

#[test]
fn check_compares_indexes_without_holding_every_id_and_still_names_what_differs() {
    use sidw::store::keys::{TreeName, network_year};
    use sidw::store::records::HoursIndex;
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    assert!(store.check().unwrap().is_ok());
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let key = network_year(network, 2025);
    let index: HoursIndex = store.get(TreeName::HoursIndex, &key).unwrap().unwrap();
    assert!(index.entries.len() >= 2);
    let put = |entries: Vec<sidw::domain::HoursEntryId>| {
        store
            .raw_insert_for_tests(TreeName::HoursIndex, &key, &sidw::store::codec::encode(&HoursIndex { entries }))
            .unwrap()
    };
    // The same count, one line swapped for one that does not exist: both are named.
    let (kept, dropped) = (index.entries[1..].to_vec(), index.entries[0]);
    let mut swapped = kept.clone();
    swapped.push(sidw::domain::HoursEntryId(u64::MAX - 1));
    put(swapped);
    let all = store.check().unwrap().problems.join("\n");
    assert!(all.contains(&format!("urenregel {dropped} ontbreekt in urenindex")), "{all}");
    assert!(all.contains(&format!("noemt regel {}", sidw::domain::HoursEntryId(u64::MAX - 1))), "{all}");
    // The lines in another order: sound.
    let mut reversed = index.entries.clone();
    reversed.reverse();
    put(reversed);
    assert!(store.check().unwrap().is_ok());
    // One listed twice.
    let mut twice = index.entries.clone();
    twice.push(index.entries[0]);
    put(twice);
    let all = store.check().unwrap().problems.join("\n");
    assert!(all.contains("noemt een regel dubbel"), "{all}");
    put(index.entries.clone());
    assert!(store.check().unwrap().is_ok());

    // An invoice index that lists another invoice than the one stored.
    let (invoice_key, _) =
        store.dump().unwrap().trees.into_iter().find(|(t, _)| t == "invoice_index").unwrap().1[0].clone();
    let listed: sidw::store::records::InvoiceIndex = store.get(TreeName::InvoiceIndex, &invoice_key).unwrap().unwrap();
    let mut other = listed.entries.clone();
    other[0] = sidw::domain::InvoiceId(other[0].0 + 1_000_000);
    let encoded = sidw::store::codec::encode(&sidw::store::records::InvoiceIndex { entries: other });
    store.raw_insert_for_tests(TreeName::InvoiceIndex, &invoice_key, &encoded).unwrap();
    let all = store.check().unwrap().problems.join("\n");
    assert!(all.contains("factuurindex") && all.contains("klopt niet met de facturen"), "{all}");
}
