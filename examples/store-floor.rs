//! What sled costs by itself, whatever sidw does with the records (issue 13): opens a database
//! with the page cache that `backup`, `restore` and `check` use, optionally reads every key and
//! value of every tree once, and closes it. Run under `/usr/bin/time -f "%e s %M KB"`:
//!
//! ```text
//! cargo run --release --example store-floor -- DIR [open|scan]     open, or open and read every pair
//! cargo run --release --example store-floor -- DIR load NEWDIR      copy every tree, in batches
//! cargo run --release --example store-floor -- FILE read            read a backup file as restore does
//! cargo run --release --example store-floor -- FILE load-file NEWDIR   and write it into sled
//! ```
//!
//! Knobs (environment): FLOOR_CACHE_MB (sled's page cache, 16), FLOOR_VERBOSE (resident set per
//! tree), FLOOR_CHUNK (scan in ranges of this many pairs), FLOOR_TRIM / FLOOR_FLUSH_EVERY (call
//! malloc_trim / collect epoch garbage every N pairs), FLOOR_BATCH (bytes a batch, 0: one insert
//! at a time), FLOOR_FLUSHES (epoch collections after each batch of load-file).
#![allow(clippy::unwrap_used)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("gebruik: store-floor MAP [open|scan]");
        std::process::exit(2);
    };
    if let Some(target) = args.get(2).filter(|_| args[1] == "load-file") {
        // Loads a backup file (DIR is the file) into a new sled database, in 1 MiB batches.
        let into = sled::Config::new().path(target).cache_capacity(16 << 20).open().expect("het doel opent");
        let mut tree: Option<sled::Tree> = None;
        let (mut batch, mut batched, mut pairs) = (sled::Batch::default(), 0usize, 0u64);
        let flushes: usize = std::env::var("FLOOR_FLUSHES").ok().and_then(|f| f.parse().ok()).unwrap_or(0);
        sidw::store::backup_file::read_file_streamed(std::path::Path::new(dir), &mut |item| {
            match item {
                sidw::store::backup_file::Item::Tree(name) => {
                    if let Some(t) = &tree {
                        t.apply_batch(std::mem::take(&mut batch)).expect("schrijft");
                    }
                    batched = 0;
                    tree = Some(into.open_tree(name).expect("opent"));
                }
                sidw::store::backup_file::Item::Pair(key, value) => {
                    pairs += 1;
                    batch.insert(key, value);
                    batched += key.len() + value.len() + 32;
                    if batched >= 1 << 20 {
                        tree.as_ref().unwrap().apply_batch(std::mem::take(&mut batch)).expect("schrijft");
                        batched = 0;
                        for _ in 0..flushes {
                            sled::pin().flush();
                        }
                    }
                    if std::env::var_os("FLOOR_VERBOSE").is_some() && pairs % 100_000 == 0 {
                        eprintln!("{pairs} paren, nu {} KB", resident_kb());
                    }
                }
            }
            Ok::<(), sidw::store::backup_file::BackupError>(())
        })
        .expect("een geldige back-up");
        if let Some(t) = &tree {
            t.apply_batch(batch).expect("schrijft");
        }
        into.flush().expect("schrijft weg");
        return;
    }
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
    let cache = std::env::var("FLOOR_CACHE_MB").ok().and_then(|m| m.parse::<u64>().ok()).unwrap_or(16);
    let db = sled::Config::new().path(dir).cache_capacity(cache << 20).open().expect("de database opent");
    let (mut pairs, mut bytes) = (0u64, 0u64);
    if scan {
        let rounds = if std::env::var_os("FLOOR_TWICE").is_some() { 2 } else { 1 };
        for name in (0..rounds).flat_map(|_| db.tree_names()) {
            let tree = db.open_tree(&name).expect("de tabel opent");
            let chunk: usize = std::env::var("FLOOR_CHUNK").ok().and_then(|c| c.parse().ok()).unwrap_or(usize::MAX);
            let mut from: Option<sled::IVec> = None;
            let flush_every: u64 = std::env::var("FLOOR_FLUSH_EVERY").ok().and_then(|c| c.parse().ok()).unwrap_or(0);
            let trim: u64 = std::env::var("FLOOR_TRIM").ok().and_then(|c| c.parse().ok()).unwrap_or(0);
            loop {
                let range = match &from {
                    Some(key) => {
                        tree.range::<&[u8], _>((std::ops::Bound::Excluded(key.as_ref()), std::ops::Bound::Unbounded))
                    }
                    None => tree.iter(),
                };
                let mut read = 0;
                for item in range.take(chunk) {
                    let (key, value) = item.expect("leesbaar");
                    pairs += 1;
                    bytes += (key.len() + value.len()) as u64;
                    read += 1;
                    if flush_every > 0 && pairs % flush_every == 0 {
                        sled::pin().flush();
                    }
                    if trim > 0 && pairs % trim == 0 {
                        // SAFETY: malloc_trim only hands free heap pages back to the system.
                        #[allow(unsafe_code)]
                        unsafe {
                            libc::malloc_trim(0)
                        };
                    }
                    from = Some(key);
                }
                if read < chunk {
                    break;
                }
            }
            if std::env::var_os("FLOOR_VERBOSE").is_some() {
                eprintln!("{}: {pairs} paren, nu {} KB", String::from_utf8_lossy(&name), resident_kb());
            }
        }
    }
    if let Some(target) = args.get(2).filter(|_| args[1] == "load") {
        // Copies every tree into a new database at `target`, in batches of FLOOR_BATCH bytes
        // (0: one insert at a time), the way a restore loads.
        let into = sled::Config::new().path(target).cache_capacity(cache << 20).open().expect("het doel opent");
        let batch_bytes: usize = std::env::var("FLOOR_BATCH").ok().and_then(|b| b.parse().ok()).unwrap_or(1 << 20);
        for name in db.tree_names() {
            let (from, to) = (db.open_tree(&name).expect("opent"), into.open_tree(&name).expect("opent"));
            let (mut batch, mut batched) = (sled::Batch::default(), 0);
            for item in from.iter() {
                let (key, value) = item.expect("leesbaar");
                pairs += 1;
                bytes += (key.len() + value.len()) as u64;
                if batch_bytes == 0 {
                    to.insert(key, value).expect("schrijft");
                    continue;
                }
                batched += key.len() + value.len() + 32;
                batch.insert(key, value);
                if batched >= batch_bytes {
                    to.apply_batch(std::mem::take(&mut batch)).expect("schrijft");
                    batched = 0;
                }
            }
            to.apply_batch(batch).expect("schrijft");
            if std::env::var_os("FLOOR_VERBOSE").is_some() {
                eprintln!("{}: {pairs} paren, nu {} KB", String::from_utf8_lossy(&name), resident_kb());
            }
        }
        into.flush().expect("schrijft weg");
    }
    drop(db);
    println!("{pairs} paren, {bytes} bytes gelezen");
}

/// The resident set now, from /proc/self/statm (0 where that cannot be read).
fn resident_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).map_or(0, |pages| pages * 4)
}
