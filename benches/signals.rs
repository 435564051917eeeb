//! The Signalen list (shown on every `4`, and `sidw report signals` for cron) computed over 100
//! networks with 10 partners each, their agreements, milestones and hours of 2025, and S1 records
//! of 95 municipalities. Target: under 100 ms, so the pane opens without a wait.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "fixture/mod.rs"]
mod fixture;

use chrono::NaiveDate;
use sidw::domain::Quarter;
use sidw::domain::municipality::{AwardStatus, MunicipalYear};
use sidw::domain::region::municipalities;

fn signals(c: &mut Criterion) {
    let store = fixture::store(100, 10, 2025..=2025, Some(Quarter::parse("2025-Q1").unwrap()));
    let ctx = fixture::ctx();
    for (i, name) in municipalities().into_iter().enumerate() {
        let mut record = MunicipalYear::new(name, 2025);
        record.insured_65_plus = Some(5_000 + i as u32);
        if i % 3 == 0 {
            record.award = AwardStatus::Toegekend;
            record.award_date = NaiveDate::from_ymd_opt(2024, 10, 30);
        }
        store.save_municipal_year(&ctx, &record).unwrap();
    }
    let today = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap();
    let count = store.signals(today).unwrap().len();
    assert!(count > 100, "the fixture gives work to do: {count} signals");
    let mut group = c.benchmark_group("signals");
    group.sample_size(20);
    group.bench_function("Signalen for 100 networks and 95 municipalities", |b| {
        b.iter(|| store.signals(today).unwrap())
    });
    group.finish();
}

criterion_group!(benches, signals);
criterion_main!(benches);
