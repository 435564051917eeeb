//! Importing a long hours form: 100 000 rows (40 networks × 10 partners × 12 months × 21
//! activities), checked row by row, its trial run and the real import in one transaction.
//! Target: under 2 s on a 2-core machine, growing linearly with the rows.
#![allow(clippy::unwrap_used)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[path = "fixture/mod.rs"]
mod fixture;

use sidw::import::hours::{apply, plan};
use sidw::import::table::Table;

/// An hours form with `rows` rows for the fixture's networks (`Wijk 000`…) and partners.
fn form(networks: usize, partners: usize, rows: usize) -> Table {
    let mut csv = String::from("netwerk;partner;maand;uren;activiteit\n");
    let mut n = 0;
    'all: for activity in 0.. {
        for network in 0..networks {
            for partner in 0..partners {
                for month in 1..=12 {
                    if n == rows {
                        break 'all;
                    }
                    csv.push_str(&format!(
                        "Wijk {network:03};Partner {network:03}-{partner};2025-{month:02};0,01;activiteit {activity}\n"
                    ));
                    n += 1;
                }
            }
        }
    }
    Table::from_csv_bytes(csv.as_bytes()).unwrap()
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("hours import");
    group.sample_size(10);
    for rows in [10_000, 100_000] {
        let table = form(40, 10, rows);
        group.bench_function(format!("{rows} rows: check, trial run and import"), |b| {
            b.iter_batched(
                || fixture::store(40, 10, 2025..=2025, None),
                |store| {
                    let planned = plan(&store, &table, None).unwrap();
                    assert!(planned.is_ok(), "{:?}", &planned.problems[..planned.problems.len().min(3)]);
                    assert_eq!(apply(&store, &fixture::ctx(), &planned).unwrap(), rows);
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
