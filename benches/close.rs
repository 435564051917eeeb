//! Closing a quarter for all networks of a region: 100 networks with 10 partners each and a full
//! quarter of hours (3 000 lines), every invoice matching. Target: under 1 s.
#![allow(clippy::unwrap_used)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[path = "fixture/mod.rs"]
mod fixture;

use sidw::domain::{Quarter, Region};
use sidw::store::region_networks;

fn close_region(c: &mut Criterion) {
    let quarter = Quarter::parse("2025-Q1").unwrap();
    let store = fixture::store(100, 10, 2025..=2025, Some(quarter));
    let networks = region_networks(&store, Region::Zwolle).unwrap();
    assert_eq!(networks.len(), 100);
    let ctx = fixture::ctx();
    let closes = std::cell::Cell::new(0);
    let mut group = c.benchmark_group("quarter close");
    group.sample_size(10);
    group.bench_function("close 2025-Q1 for a region of 100 networks (3 000 hours lines, 1 000 invoices)", |b| {
        b.iter_batched(
            || {
                // Reopen what the previous iteration closed (not measured).
                for network in &networks {
                    if store.quarter_close(*network, quarter).unwrap().is_some() {
                        store.reopen_quarter(&ctx, *network, quarter, "benchmark").unwrap();
                    }
                }
            },
            |()| {
                let batch = store.close_quarter(&ctx, &networks, quarter, &[]).unwrap();
                // The first close pays every practice and invoice; a close after a reopening
                // computes them all again and pays only the difference with the reopened batches
                // (none here), so it is the same work with an empty batch.
                let expected = if closes.get() == 0 { 100 * 2 + 100 * 10 } else { 0 };
                assert_eq!(batch.lines.len(), expected);
                closes.set(closes.get() + 1);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// The money check of a region's batch as an export runs it (issue 15): read its basis and the
/// quarter's earlier batches, check every line. Small beside the close that wrote it.
fn check_region_batch(c: &mut Criterion) {
    let quarter = Quarter::parse("2025-Q1").unwrap();
    let store = fixture::store(100, 10, 2025..=2025, Some(quarter));
    let networks = region_networks(&store, Region::Zwolle).unwrap();
    let batch = store.close_quarter(&fixture::ctx(), &networks, quarter, &[]).unwrap();
    assert_eq!(batch.lines.len(), 100 * 2 + 100 * 10);
    let mut group = c.benchmark_group("quarter close");
    group.sample_size(10);
    group.bench_function("check the batch of a region of 100 networks (1 200 payments) for export", |b| {
        b.iter(|| store.check_batch_for_export(&batch).unwrap())
    });
    group.finish();
}

criterion_group!(benches, close_region, check_region_batch);
criterion_main!(benches);
