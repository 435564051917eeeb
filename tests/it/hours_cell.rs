//! Issue 11 items 1, 4 and 6 at the store: nihil marks, the cell function, the agreement rule on
//! every path, and the undo guard.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sidw::domain::{Discipline, Quarter, YearMonth};
use sidw::store::{CellChange, Store, StoreError};

fn april() -> YearMonth {
    YearMonth::new(2025, 4).unwrap()
}

fn cell(
    store: &Store,
    network: sidw::domain::NetworkId,
    partner: sidw::domain::PartnerId,
    hours: Option<Decimal>,
) -> CellChange {
    let _ = store;
    CellChange { network, partner, month: april(), hours, by_team_increase: false, double_funding_confirmed: false }
}

#[test]
fn nihil_is_a_received_form_and_a_real_line_removes_it() {
    let store = Store::temporary().unwrap();
    let n = network_with_ion(&store, "Noord", 7000);
    let fysio = add_partner(&store, n, "Fysio", Discipline::Fysiotherapeut);
    let q2 = Quarter::new(2025, 2).unwrap();
    store.mark_nihil(&ctx(), n, fysio, april()).unwrap();
    assert_eq!(store.nihil_marks(n, q2).unwrap().len(), 1);
    // Marked twice: refused; on a month with lines: refused.
    assert!(store.mark_nihil(&ctx(), n, fysio, april()).is_err());
    let mut may = new_hours(n, fysio, 5, dec!(1));
    may.month = YearMonth::new(2025, 5).unwrap();
    store.add_hours(&ctx(), &may).unwrap();
    let refused = store.mark_nihil(&ctx(), n, fysio, may.month).unwrap_err();
    assert!(refused.to_string().contains("al uren"), "{refused}");
    // A real line in the nihil month removes the mark in the same change.
    store.add_hours(&ctx(), &new_hours(n, fysio, 4, dec!(2))).unwrap();
    assert!(store.nihil_marks(n, q2).unwrap().is_empty());
    // 0 typed into a one-line cell: the line goes and the month is nihil, in one change.
    let outcome = store.set_cell(&ctx(), &cell(&store, n, fysio, Some(Decimal::ZERO))).unwrap();
    assert_eq!(outcome.before.lines.len(), 1);
    assert!(outcome.after.lines.is_empty() && outcome.after.nihil);
    assert_eq!(store.nihil_marks(n, q2).unwrap().len(), 1);
    // Undo puts the line back; a second undo of the same state is refused (cell changed since).
    store.restore_cell(&ctx(), &outcome.after, &outcome.before).unwrap();
    assert_eq!(store.cell(n, fysio, april()).unwrap(), outcome.before);
    let stale = store.restore_cell(&ctx(), &outcome.after, &outcome.before).unwrap_err();
    assert!(stale.to_string().contains("sindsdien"), "{stale}");
    assert!(store.check().unwrap().problems.is_empty());
}

#[test]
fn the_checklist_counts_a_nihil_month_as_a_received_form() {
    let store = Store::temporary().unwrap();
    let n = network_with_ion(&store, "Noord", 7000);
    let fysio = add_partner(&store, n, "Fysio", Discipline::Fysiotherapeut);
    let q2 = Quarter::new(2025, 2).unwrap();
    let missing = |store: &Store| -> usize {
        store.close_preview(&[n], q2, date(2025, 7, 10)).unwrap()[0]
            .checklist
            .iter()
            .filter(|i| !i.ok && i.text.starts_with("urenformulier"))
            .count()
    };
    assert_eq!(missing(&store), 3);
    store.mark_nihil(&ctx(), n, fysio, april()).unwrap();
    assert_eq!(missing(&store), 2);
    store.unmark_nihil(&ctx(), n, fysio, april()).unwrap();
    assert_eq!(missing(&store), 3);
}

#[test]
fn hours_and_nihil_need_a_signed_agreement_on_every_path() {
    let store = Store::temporary().unwrap();
    let n = network_with_ion(&store, "Noord", 7000);
    let unsigned = add_unsigned_partner(&store, n, "Dietist", Discipline::Dietist);
    let no = |e: StoreError| assert!(e.to_string().contains("geen getekende overeenkomst"), "{e}");
    no(store.add_hours(&ctx(), &new_hours(n, unsigned, 4, dec!(1))).unwrap_err());
    no(store.import_hours(&ctx(), &[new_hours(n, unsigned, 4, dec!(1))]).unwrap_err());
    no(store.mark_nihil(&ctx(), n, unsigned, april()).unwrap_err());
    no(store.set_cell(&ctx(), &cell(&store, n, unsigned, Some(dec!(1)))).unwrap_err());
    // Signed on 30 April: April (ends on the 30th) may be recorded, March may not.
    store
        .add_agreement(
            &ctx(),
            &sidw::domain::Agreement {
                id: sidw::domain::AgreementId(0),
                network: n,
                kind: sidw::domain::AgreementKind::Partner,
                partner: Some(unsigned),
                sent: Some(date(2025, 3, 1)),
                signed: Some(date(2025, 4, 30)),
                ended: None,
            },
        )
        .unwrap();
    store.add_hours(&ctx(), &new_hours(n, unsigned, 4, dec!(1))).unwrap();
    no(store.add_hours(&ctx(), &new_hours(n, unsigned, 3, dec!(1))).unwrap_err());
}

/// 6 796 ION: a partner budget of exactly 92 hours of category B (€ 7.815,40 = 92 × € 84,95).
fn tight(store: &Store) -> (sidw::domain::NetworkId, sidw::domain::PartnerId) {
    let n = network_with_ion(store, "Krap", 6796);
    let fysio = add_partner(store, n, "Fysio", Discipline::Fysiotherapeut);
    (n, fysio)
}

#[test]
fn raising_a_cell_over_budget_stores_only_the_increase_as_paid_by_the_practice_team() {
    let store = Store::temporary().unwrap();
    let (n, fysio) = tight(&store);
    assert_eq!(store.partner_budget(n, 2025).unwrap().budget, dec!(7815.40));
    store.add_hours(&ctx(), &new_hours(n, fysio, 1, dec!(90))).unwrap();
    store.set_cell(&ctx(), &cell(&store, n, fysio, Some(dec!(1)))).unwrap();
    assert_eq!(store.partner_budget(n, 2025).unwrap().remaining(), dec!(84.95));
    // The increase fits exactly: one line on the budget.
    let outcome = store
        .set_cell(&ctx(), &CellChange { by_team_increase: true, ..cell(&store, n, fysio, Some(dec!(2))) })
        .unwrap();
    assert_eq!(outcome.after.lines.len(), 1);
    assert!(!outcome.after.lines[0].paid_by_practice_team);
    assert_eq!(store.partner_budget(n, 2025).unwrap().remaining(), Decimal::ZERO);
    // One step over: refused without the choice; with it the earlier 2 h stay, the 0,01 h increase
    // is its own line paid by the practice team, and the remaining budget does not move.
    let over = cell(&store, n, fysio, Some(dec!(2.01)));
    match store.set_cell(&ctx(), &over) {
        Err(StoreError::Rule(sidw::domain::DomainError::OverBudget { shortfall })) => assert_eq!(shortfall, dec!(0.85)),
        other => panic!("{other:?}"),
    }
    let outcome = store.set_cell(&ctx(), &CellChange { by_team_increase: true, ..over }).unwrap();
    assert_eq!(outcome.after.lines.len(), 2);
    let (team, budgeted): (Vec<_>, Vec<_>) = outcome.after.lines.iter().partition(|l| l.paid_by_practice_team);
    assert_eq!(budgeted[0].hours, dec!(2));
    assert_eq!(team[0].hours, dec!(0.01));
    assert_eq!(store.partner_budget(n, 2025).unwrap().remaining(), Decimal::ZERO);
}

#[test]
fn a_cell_wholly_paid_by_the_practice_team_stays_so() {
    let store = Store::temporary().unwrap();
    let (n, fysio) = tight(&store);
    let mut line = new_hours(n, fysio, 4, dec!(50));
    line.paid_by_practice_team = true;
    store.add_hours(&ctx(), &line).unwrap();
    let outcome = store.set_cell(&ctx(), &cell(&store, n, fysio, Some(dec!(60)))).unwrap();
    assert_eq!(outcome.after.lines.len(), 1);
    assert!(outcome.after.lines[0].paid_by_practice_team);
    assert_eq!(store.partner_budget(n, 2025).unwrap().spending.spent, Decimal::ZERO);
}
