//! The generator of the benchmark data set (`examples/gen-large.rs`, `benches/fixture`) stores what
//! the real paths store: a small shape of it passes `check`, with the counts the shape promises.

use crate::history;

use sidw::domain::signals::SignalTarget;
use sidw::domain::{InvoiceDecision, Quarter, YearlyDuties};
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
    assert_eq!(log.iter().filter(|e| e.action == "factuur goedgekeurd").count(), 3 * 2 * 8);
}

/// Left as a real office leaves it: every invoice approved, every batch's file written, each
/// year's duties recorded; Signalen shows only what is open today (2026), nothing of the history.
#[test]
fn a_small_history_is_left_as_an_office_leaves_it() {
    let store = Store::temporary().unwrap();
    let shape = history::History { networks_per_region: 1, partners_per_network: 2, years: 2024..=2025, closed: true };
    history::generate(&store, &shape, |_| {}).unwrap();
    assert!(store.check().unwrap().is_ok());
    for network in store.networks().unwrap() {
        for q in ["2024-Q1", "2025-Q4"] {
            let invoices = store.invoices_of(network.id, Quarter::parse(q).unwrap()).unwrap();
            assert!(invoices.iter().all(|i| matches!(i.decision, InvoiceDecision::Approved { .. })), "{invoices:?}");
        }
        // Funded from 2023: the duties of 2023–2025 done, 2026's still to come.
        for year in 2023..=2025 {
            let duties = network.milestones.year(year);
            assert!(duties.reflection_report.is_some() && duties.evaluation_talk.is_some(), "{year}");
            assert!(duties.financial_accounting.is_some(), "{year}");
        }
        assert_eq!(network.milestones.year(2026), YearlyDuties { year: 2026, ..Default::default() });
    }
    for batch in store.batches().unwrap() {
        let exports = store.batch_exports(batch.id).unwrap().entries;
        assert_eq!(exports.len(), 1, "batch {}", batch.number);
        assert_eq!(exports[0].at.date_naive(), history::close_day(batch.quarter) + chrono::Days::new(1));
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let signals = store.signals(today).unwrap();
    // The networks' own signals (the municipalities' S1 years of 2026–2027 and 2026's tariffs are
    // the programme's, not kept by the generator: the same on one year as on ten).
    let of_history = |s: &&sidw::domain::signals::Signal| {
        !matches!(s.target, SignalTarget::Municipality(..) | SignalTarget::Tariffs(_))
            && (s.text.contains("niet naar de bank")
                || ["2023", "2024", "2025"].iter().any(|y| s.text.contains(y))
                || s.due < chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    };
    let old: Vec<_> = signals.iter().filter(of_history).collect();
    assert!(old.is_empty(), "signals of the history: {old:#?}");
    // What is open is still shown: 2026's reflection report, one a network.
    let due = signals.iter().filter(|s| s.text == "reflectieverslag 2026 uiterlijk 31-12-2026").count();
    assert_eq!(due, 3, "{signals:#?}");
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
