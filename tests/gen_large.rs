//! The generator of the benchmark data set (`examples/gen-large.rs`, `benches/fixture`) stores what
//! the real paths store: a small shape of it passes `check`, with the counts the shape promises.

#[path = "../benches/fixture/history.rs"]
mod history;

use sidw::domain::Quarter;
use sidw::store::Store;

#[test]
fn a_small_history_passes_check_with_one_audit_entry_per_keyed_cell() {
    let store = Store::temporary().unwrap();
    let shape = history::History { networks_per_region: 1, partners_per_network: 2, years: 2024..=2025, closed: true };
    history::generate(&store, &shape, |_| {}).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{report:?}");
    let networks = store.networks().unwrap();
    assert_eq!(networks.len(), 3);
    let lines: usize = networks.iter().map(|n| store.hours_of(n.id, 2024).unwrap().len()).sum();
    assert_eq!(lines, 3 * 2 * 12);
    // Every quarter of both years closed by region: 3 regions × 8 quarters.
    assert_eq!(store.batches().unwrap().len(), 24);
    for network in &networks {
        assert_eq!(store.closed_quarters(network.id).unwrap().len(), 8);
        assert_eq!(store.invoices_of(network.id, Quarter::parse("2025-Q3").unwrap()).unwrap().len(), 2);
    }
    let log = store.audit_log().unwrap();
    let keyed = log.iter().filter(|e| e.action == "uren toegevoegd").count();
    assert_eq!(keyed, 3 * 2 * 24, "one entry per hours line");
    assert!(log.iter().all(|e| e.action != "uren geïmporteerd"), "the import entries are replaced");
    let invoices = log.iter().filter(|e| e.action == "factuur ontvangen").count();
    assert_eq!(invoices, 3 * 2 * 8);
}

#[test]
fn the_generator_fills_only_an_empty_log_tail_of_an_import() {
    // The bulk audit function refuses unless the newest entry is the import it replaces.
    let store = Store::temporary().unwrap();
    let ctx = sidw::store::ChangeContext::new("t", chrono::Utc::now());
    store.record_event(&ctx, "betaalbestand geschreven", "x", "y").unwrap();
    let lines: Vec<(String, u32)> = vec![("a".into(), 1)];
    assert!(store.audit_import_as_keyed_for_generator(&ctx, &lines).is_err());
    assert_eq!(store.audit_log().unwrap().len(), 1);
}
