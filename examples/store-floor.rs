//! What redb costs by itself, whatever sidw does with the records (issue 13): opens a database
//! file with the page cache that `backup`, `restore` and `check` use, optionally reads every key
//! and value of every table once, and closes it. Run under `/usr/bin/time -f "%e s %M KB"`:
//!
//! ```text
//! cargo run --release --example store-floor -- DIR [open|scan]     open, or open and read every pair
//! cargo run --release --example store-floor -- FILE read            read a backup file as restore does
//! ```
//!
//! Knobs (environment): FLOOR_CACHE_MB (redb's page cache, 4), FLOOR_VERBOSE (resident set per
//! table).
#![allow(clippy::unwrap_used)]

use redb::{ReadableDatabase, ReadableTable};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("gebruik: store-floor MAP [open|scan] | BESTAND read");
        std::process::exit(2);
    };
    if args.get(1).is_some_and(|a| a == "read") {
        // Only reads a backup file (DIR is the file here) as a restore does, counting.
        let (mut pairs, mut bytes) = (0u64, 0u64);
        sidw::store::backup_file::read_file_streamed(std::path::Path::new(dir), &mut |item| {
            if let sidw::store::backup_file::Item::Pair(key, value) = item {
                pairs += 1;
                bytes += (key.len() + value.len()) as u64;
                if std::env::var_os("FLOOR_VERBOSE").is_some() && pairs % 100_000 == 0 {
                    eprintln!("{pairs} paren, nu {} KB", resident_kb());
                }
            }
            Ok::<(), sidw::store::backup_file::BackupError>(())
        })
        .expect("een geldige back-up");
        println!("{pairs} paren, {bytes} bytes gelezen");
        return;
    }
    let scan = args.get(1).is_some_and(|a| a == "scan");
    let cache: usize = std::env::var("FLOOR_CACHE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    let file = std::path::Path::new(dir).join(sidw::store::DATABASE_FILE);
    let db = redb::Database::builder().set_cache_size(cache << 20).open(&file).expect("de database opent");
    let (mut pairs, mut bytes) = (0u64, 0u64);
    if scan {
        let txn = db.begin_read().expect("lezen");
        for name in sidw::store::keys::TreeName::ALL {
            let definition: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new(name.name());
            let Ok(table) = txn.open_table(definition) else { continue };
            for item in table.iter().expect("tabel") {
                let (key, value) = item.expect("paar");
                pairs += 1;
                bytes += (key.value().len() + value.value().len()) as u64;
            }
            if std::env::var_os("FLOOR_VERBOSE").is_some() {
                eprintln!("{:<16} {pairs:>9} paren, nu {} KB", name.name(), resident_kb());
            }
        }
    }
    drop(db);
    println!("{pairs} paren, {bytes} bytes gelezen");
}

fn resident_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).map_or(0, |pages| pages * 4)
}
