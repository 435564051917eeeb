//! A region's quarter close timed on a database as it is (issue 13: the close after ten years of
//! batches against the same close on one year): the region's networks are reopened (not timed),
//! then closed again (timed), `RUNS` times; prints each run (with the bytes the process wrote to
//! the file meanwhile, from /proc/self/io) and the median.
//!
//! ```text
//! cargo run --release --example close-cost -- DIR [JJJJ-QN] [RUNS]
//! ```
//! DIR is changed (reopenings and closes are written): give it a copy.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use sidw::domain::{Quarter, Region};
use sidw::store::{ChangeContext, Store, region_networks, to_acknowledge};

/// Bytes this process has written with write calls so far (Linux), if it can be read.
fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines().find_map(|l| l.strip_prefix("wchar: ")).and_then(|n| n.trim().parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("gebruik: close-cost MAP [JJJJ-QN] [AANTAL]");
        std::process::exit(2);
    };
    let quarter = Quarter::parse(args.get(1).map_or("2025-Q4", String::as_str)).unwrap();
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(10);
    let store = Store::open(std::path::Path::new(dir)).unwrap();
    let networks = region_networks(&store, Region::Zwolle).unwrap();
    let day = quarter.last_day() + chrono::Days::new(12);
    let ctx = ChangeContext::new("meting", Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()));
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            for network in &networks {
                if store.quarter_close(*network, quarter).unwrap().is_some() {
                    store.reopen_quarter(&ctx, *network, quarter, "meting").unwrap();
                }
            }
            let preview = store.close_preview(&networks, quarter, day).unwrap();
            let acknowledged = to_acknowledge(&preview);
            let written = written_bytes();
            let started = Instant::now();
            store.close_quarter(&ctx, &networks, quarter, &acknowledged).unwrap();
            let took = started.elapsed();
            let written = written_bytes().zip(written).map(|(after, before)| after - before);
            let kib = written.map_or_else(|| "?".to_string(), |w| format!("{}", w / 1024));
            println!("{:>9.3} ms  {kib:>6} KiB written", took.as_secs_f64() * 1e3);
            took
        })
        .collect();
    times.sort();
    println!(
        "close {quarter} of {} networks: median {:.3} ms over {runs}",
        networks.len(),
        times[times.len() / 2].as_secs_f64() * 1e3
    );
}
