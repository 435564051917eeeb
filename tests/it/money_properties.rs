//! Property tests of the money rules: splits are cent-exact, budgets never lose a cent.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use sidw::domain::budget::{
    example_7000_ion, partner_budget_quarter_exact, partner_budget_year, practice_team_money, practice_team_money_year,
    practice_team_split,
};
use sidw::domain::money::{round_cents, split_by_percentages};
use sidw::domain::{Discipline, HoursEntry, PartnerId, Quarter, TariffTable};
use sidw::store::Store;

use crate::common;

/// Between 1 and 8 percentages with at most 2 decimals, summing to exactly 100.
fn percentages() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec(1u32..10_000, 1..8).prop_map(|weights| {
        // Spread 10 000 hundredths of a percent over the parts in proportion to the weights.
        let total: u32 = weights.iter().sum();
        let mut hundredths: Vec<u32> = weights.iter().map(|w| w * 10_000 / total).collect();
        let given: u32 = hundredths.iter().sum();
        hundredths[0] += 10_000 - given;
        hundredths.into_iter().map(|h| Decimal::new(i64::from(h), 2)).collect()
    })
}

fn cents() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000_000).prop_map(|c| Decimal::new(c, 2))
}

proptest! {
    #[test]
    fn split_sums_to_the_total_and_stays_within_a_cent(total in cents(), shares in percentages()) {
        prop_assert_eq!(shares.iter().sum::<Decimal>(), dec!(100));
        let parts = split_by_percentages(total, &shares);
        prop_assert_eq!(parts.len(), shares.len());
        prop_assert_eq!(parts.iter().sum::<Decimal>(), total);
        for (part, share) in parts.iter().zip(&shares) {
            let exact = total * share / dec!(100);
            prop_assert!((*part - exact).abs() < dec!(0.01), "part {} vs exact {}", part, exact);
            prop_assert!(part.scale() <= 2 && !part.is_sign_negative());
        }
    }

    #[test]
    fn practice_team_split_of_random_ion_is_cent_exact(
        ion in prop::collection::vec(0u32..60_000, 1..6),
        seed_shares in percentages(),
        quarter in 1u32..=4,
    ) {
        let (network, mut team, tariffs) = example_7000_ion();
        let template = team.practices[0].clone();
        let n = ion.len().min(seed_shares.len());
        let mut shares = seed_shares[..n].to_vec();
        let rest: Decimal = seed_shares[n..].iter().sum();
        shares[0] += rest;
        team.practices = (0..n)
            .map(|i| {
                let mut p = template.clone();
                p.id = sidw::domain::PracticeId(i as u64 + 1);
                p.agb = sidw::domain::validate::Agb::parse(&format!("{:08}", i + 1)).unwrap();
                p.shares[0].share = shares[i];
                p.ion_counts[0].count = ion[i];
                p
            })
            .collect();
        let q = Quarter::new(2025, quarter).unwrap();
        let money = practice_team_money(&network, &team, &tariffs, q).unwrap();
        let total_ion: u32 = ion[..n].iter().sum();
        prop_assert_eq!(money, round_cents(dec!(3.40) * Decimal::from(total_ion) / dec!(4)));
        let split = practice_team_split(&network, &team, &tariffs, q).unwrap();
        prop_assert_eq!(split.iter().map(|(_, part)| *part).sum::<Decimal>(), money);
    }

    #[test]
    fn year_budgets_are_the_sum_of_their_quarters(ion in 0u32..200_000) {
        let (network, mut team, tariffs) = example_7000_ion();
        team.practices.truncate(1);
        team.practices[0].shares[0].share = dec!(100);
        team.practices[0].ion_counts[0].count = ion;
        let quarters = Quarter::of_year(2025);
        let partner: Decimal =
            round_cents(quarters.iter().map(|q| partner_budget_quarter_exact(&network, &team, &tariffs, *q).unwrap()).sum());
        let practice: Decimal = quarters.iter().map(|q| practice_team_money(&network, &team, &tariffs, *q).unwrap()).sum();
        prop_assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), partner);
        prop_assert_eq!(practice_team_money_year(&network, &team, &tariffs, 2025).unwrap(), practice);
        // With ION constant the partner year is rate × ION rounded once (SPEC §9); the practice-team
        // money is paid per quarter, so it is exactly rate × ION when ION is divisible by 4.
        let table = TariffTable::handbook_2025();
        prop_assert_eq!(partner, round_cents(table.partner_per_ion * Decimal::from(ion)));
        if ion % 4 == 0 {
            prop_assert_eq!(practice, table.practice_team_per_ion * Decimal::from(ion));
        }
    }

    /// Random adds, changes and deletes of hours lines through the store: the remaining budget it
    /// reports always equals the budget minus the worth of the stored lines, each computed here
    /// independently (hours × tariff, rounded half away from zero), to the cent.
    #[test]
    fn remaining_budget_never_loses_a_cent(ops in prop::collection::vec((0u8..3, 0usize..4, 1u32..=12, 1i64..=2000, any::<bool>()), 1..25)) {
        let store = Store::temporary().unwrap();
        let network = common::network_with_ion(&store, "Eigenschap", 50_000); // budget 57 500.00
        let partners: Vec<_> = [Discipline::Psycholoog, Discipline::Dietist, Discipline::Pedicure, Discipline::Huisarts]
            .iter()
            .enumerate()
            .map(|(i, d)| common::add_partner(&store, network, &format!("P{i}"), *d))
            .collect();
        let mut lines: Vec<HoursEntry> = Vec::new();
        for (op, who, month, hundredths, by_team) in ops {
            let hours = Decimal::new(hundredths, 2);
            match op {
                0 => {
                    let mut new = common::new_hours(network, partners[who], month, hours);
                    new.paid_by_practice_team = by_team;
                    if let Ok(line) = store.add_hours(&common::ctx(), &new) {
                        lines.push(line);
                    }
                }
                1 if !lines.is_empty() => {
                    let i = who % lines.len();
                    let changed = HoursEntry { hours, paid_by_practice_team: by_team, ..lines[i].clone() };
                    if store.update_hours(&common::ctx(), &changed).is_ok() {
                        lines[i] = changed;
                    }
                }
                _ if !lines.is_empty() => {
                    let line = lines.remove(who % lines.len());
                    store.delete_hours(&common::ctx(), line.id).unwrap();
                }
                _ => {}
            }
        }
        let rate = |p: PartnerId| {
            let table = TariffTable::handbook_2025();
            table.hourly(store.partner(network, p).unwrap().category)
        };
        let worth = |l: &HoursEntry| (l.hours * rate(l.partner)).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let spent: Decimal = lines.iter().filter(|l| !l.paid_by_practice_team).map(worth).sum();
        let by_team: Decimal = lines.iter().filter(|l| l.paid_by_practice_team).map(worth).sum();
        let budget = store.partner_budget(network, 2025).unwrap();
        prop_assert_eq!(budget.budget, dec!(57500.00));
        prop_assert_eq!(budget.remaining(), dec!(57500.00) - spent);
        prop_assert_eq!(budget.spending.paid_by_practice_team, by_team);
        prop_assert_eq!(store.hours_of(network, 2025).unwrap().len(), lines.len());
        prop_assert!(store.check().unwrap().is_ok());
    }
}

#[test]
fn handbook_examples_hold() {
    let (network, team, tariffs) = example_7000_ion();
    assert_eq!(practice_team_money_year(&network, &team, &tariffs, 2025).unwrap(), dec!(23800.00));
    let mut big = team.clone();
    big.practices[0].ion_counts[0].count = 10_000;
    big.practices[1].ion_counts[0].count = 6_000;
    assert_eq!(practice_team_money_year(&network, &big, &tariffs, 2025).unwrap(), dec!(54400.00));
    assert_eq!(sidw::domain::money::format_eur(dec!(54400)), "€ 54.400,00");
}
