//! The streamed backup (`sidw backup`, serve's backups) writes the same layout as before: it reads
//! back as the very dump of the database, and a changed byte is still refused.

mod common;

use common::{ctx, date};
use sidw::store::{Store, backup_file};

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
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
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
