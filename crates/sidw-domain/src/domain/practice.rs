//! GP practices and the practice team (praktijkteam) they form in one network.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, FieldError};
use super::ids::{NetworkId, PracticeId};
use super::money::split_by_percentages;
use super::validate::{Agb, Iban, check_percentages_sum};

/// A count of registered patients (ION) at a reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IonCount {
    pub reference_date: NaiveDate,
    pub count: u32,
}

/// A practice's share of the practice-team money, in percent (at most 2 decimals), from a date on.
/// A quarter uses the share in force on its first day (SPEC §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShareFrom {
    pub from: NaiveDate,
    pub share: Decimal,
}

/// The date from which the single share of a practice stored before shares had history (practice
/// team record version 1) applies: the first day of the first year sidw knows
/// ([`super::calendar::YEARS`]), so every quarter that could exist keeps the split it had.
pub fn shares_since_always() -> NaiveDate {
    NaiveDate::from_ymd_opt(*super::calendar::YEARS.start(), 1, 1).expect("valid date")
}

/// A GP practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub id: PracticeId,
    pub name: String,
    pub agb: Agb,
    pub iban: Iban,
    /// Share of the practice-team money in percent, from a date on; any order, one entry a date.
    /// Before its first entry a practice has no share (0 %): it joined the team later.
    pub shares: Vec<ShareFrom>,
    /// ION counts, any order; the latest on or before a date counts.
    pub ion_counts: Vec<IonCount>,
}

impl Practice {
    /// The share in force on `date`: the latest entry from on or before it, 0 before the first.
    pub fn share_on(&self, date: NaiveDate) -> Decimal {
        self.shares.iter().filter(|s| s.from <= date).max_by_key(|s| s.from).map_or(Decimal::ZERO, |s| s.share)
    }

    /// Sets the share from `from` on (replacing an entry of that date); the entries stay sorted.
    pub fn set_share(&mut self, from: NaiveDate, share: Decimal) {
        self.shares.retain(|s| s.from != from);
        self.shares.push(ShareFrom { from, share });
        self.shares.sort();
    }

    /// The latest ION count on or before `date`, or `None` when there is none yet.
    pub fn ion_on(&self, date: NaiveDate) -> Option<IonCount> {
        self.ion_counts.iter().filter(|c| c.reference_date <= date).max_by_key(|c| c.reference_date).copied()
    }
}

/// The GP practices of one network together, with their percentage shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeTeam {
    pub network: NetworkId,
    pub practices: Vec<Practice>,
}

impl PracticeTeam {
    pub fn empty(network: NetworkId) -> Self {
        Self { network, practices: Vec::new() }
    }

    /// Σ ION of the practices, each at its latest count on or before `date`.
    pub fn total_ion_on(&self, date: NaiveDate) -> u64 {
        self.practices.iter().filter_map(|p| p.ion_on(date)).map(|c| u64::from(c.count)).sum()
    }

    /// Every date on which a share of some practice starts, ascending, without repeats.
    pub fn share_dates(&self) -> Vec<NaiveDate> {
        let mut dates: Vec<NaiveDate> = self.practices.iter().flat_map(|p| p.shares.iter().map(|s| s.from)).collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// The shares in force on `date`, in the order of the practices.
    pub fn shares_on(&self, date: NaiveDate) -> Vec<Decimal> {
        self.practices.iter().map(|p| p.share_on(date)).collect()
    }

    /// The rules of a practice team that can be stored: names present, shares from 0 to 100 of at
    /// most 2 decimals, no practice (AGB code) twice, no two counts or two shares of a practice on
    /// one date, and on every date on which a share starts the shares in force sum to exactly 100
    /// (a practice that joins later counts 0 before its first share).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.practices.is_empty() {
            return Ok(());
        }
        for practice in &self.practices {
            super::validate::parse_required_text("naam praktijk", &practice.name, 80)?;
            for share in &practice.shares {
                if !super::calendar::YEARS.contains(&share.from.year()) {
                    return Err(FieldError::new(
                        "geldt vanaf",
                        format!("{}: een verdeling geldt vanaf een datum in 2000 tot en met 2100", practice.name),
                    )
                    .into());
                }
                if share.share.is_sign_negative() || share.share > HUNDRED || share.share.normalize().scale() > 2 {
                    return Err(FieldError::new(
                        "percentage",
                        format!("{}: 0 tot 100 met hooguit 2 decimalen", practice.name),
                    )
                    .into());
                }
            }
            if has_repeats(practice.ion_counts.iter().map(|c| c.reference_date)) {
                return Err(FieldError::new(
                    "peildatum",
                    format!("{}: twee ION-tellingen op één peildatum", practice.name),
                )
                .into());
            }
            if has_repeats(practice.shares.iter().map(|s| s.from)) {
                return Err(FieldError::new(
                    "geldt vanaf",
                    format!("{}: twee percentages vanaf dezelfde datum", practice.name),
                )
                .into());
            }
        }
        let mut agbs: Vec<&Agb> = self.practices.iter().map(|p| &p.agb).collect();
        agbs.sort_unstable();
        if agbs.windows(2).any(|w| w[0] == w[1]) {
            return Err(FieldError::new("AGB-code", "dezelfde praktijk staat twee keer in het praktijkteam").into());
        }
        let dates = self.share_dates();
        if dates.is_empty() {
            return Err(DomainError::SharesDoNotSum { on: None, total: Decimal::ZERO });
        }
        for date in dates {
            let shares = self.shares_on(date);
            check_percentages_sum(&shares).map_err(|_| DomainError::SharesDoNotSum {
                on: Some(date),
                total: shares.iter().sum::<Decimal>().normalize(),
            })?;
        }
        Ok(())
    }

    /// Splits an amount (whole cents) over the practices by the shares in force on `date`,
    /// cent-exact (largest remainder). Refused before the first share of the team.
    pub fn split_on(&self, date: NaiveDate, total: Decimal) -> Result<Vec<(PracticeId, Decimal)>, DomainError> {
        if self.practices.is_empty() {
            return Err(DomainError::EmptyPracticeTeam);
        }
        self.validate()?;
        let shares = self.shares_on(date);
        check_percentages_sum(&shares)
            .map_err(|_| DomainError::SharesDoNotSum { on: Some(date), total: shares.iter().sum::<Decimal>() })?;
        let parts = split_by_percentages(super::money::round_cents(total), &shares);
        Ok(self.practices.iter().map(|p| p.id).zip(parts).collect())
    }

    /// The practices whose share in force differs between this team and `other` on `date`
    /// (a practice missing from one team counts 0 there).
    pub fn shares_differ_on(&self, other: &PracticeTeam, date: NaiveDate) -> bool {
        let share = |team: &PracticeTeam, id: PracticeId| {
            team.practices.iter().find(|p| p.id == id).map_or(Decimal::ZERO, |p| p.share_on(date))
        };
        self.practices.iter().chain(&other.practices).any(|p| share(self, p.id) != share(other, p.id))
    }
}

fn has_repeats(dates: impl Iterator<Item = NaiveDate>) -> bool {
    let mut dates: Vec<NaiveDate> = dates.collect();
    dates.sort_unstable();
    dates.windows(2).any(|w| w[0] == w[1])
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A practice with one share from 1 January 2025.
    pub(crate) fn practice(id: u64, share: Decimal, counts: &[(i32, u32, u32, u32)]) -> Practice {
        Practice {
            id: PracticeId(id),
            name: format!("Praktijk {id}"),
            agb: Agb::parse(&format!("0100{id:04}")).unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            shares: vec![ShareFrom { from: day(2025, 1, 1), share }],
            ion_counts: counts
                .iter()
                .map(|&(y, m, d, count)| IonCount { reference_date: day(y, m, d), count })
                .collect(),
        }
    }

    fn team(practices: Vec<Practice>) -> PracticeTeam {
        PracticeTeam { network: NetworkId(1), practices }
    }

    #[test]
    fn latest_ion_on_or_before_a_date_counts() {
        let p = practice(1, dec!(100), &[(2024, 1, 1, 4000), (2025, 1, 1, 4200), (2025, 4, 2, 4300)]);
        let on = |y, m, d| p.ion_on(day(y, m, d)).map(|c| c.count);
        assert_eq!(on(2023, 12, 31), None);
        assert_eq!(on(2024, 12, 31), Some(4000));
        assert_eq!(on(2025, 1, 1), Some(4200));
        assert_eq!(on(2025, 4, 1), Some(4200));
        assert_eq!(on(2025, 7, 1), Some(4300));
    }

    #[test]
    fn shares_must_sum_to_exactly_100() {
        let refused = team(vec![practice(1, dec!(60), &[]), practice(2, dec!(39.99), &[])]);
        assert_eq!(
            refused.validate(),
            Err(DomainError::SharesDoNotSum { on: Some(day(2025, 1, 1)), total: dec!(99.99) })
        );
        let parts =
            team(vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[])]).split_on(day(2025, 4, 1), dec!(5950));
        assert_eq!(parts.unwrap(), vec![(PracticeId(1), dec!(3570.00)), (PracticeId(2), dec!(2380.00))]);
    }

    #[test]
    fn duplicate_practice_refused() {
        let team = team(vec![practice(1, dec!(50), &[]), practice(1, dec!(50), &[])]);
        assert!(matches!(team.validate(), Err(DomainError::Field(f)) if f.field == "AGB-code"));
    }

    /// 60/40 from 1 January 2025, 50/50 from 1 July 2025.
    fn changing_team() -> PracticeTeam {
        let mut team = team(vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[])]);
        team.practices[0].set_share(day(2025, 7, 1), dec!(50));
        team.practices[1].set_share(day(2025, 7, 1), dec!(50));
        team
    }

    #[test]
    fn a_share_applies_from_its_date_and_is_zero_before_the_first() {
        let team = changing_team();
        let p = &team.practices[0];
        assert_eq!(p.share_on(day(2024, 12, 31)), Decimal::ZERO);
        assert_eq!(p.share_on(day(2025, 1, 1)), dec!(60));
        assert_eq!(p.share_on(day(2025, 6, 30)), dec!(60));
        assert_eq!(p.share_on(day(2025, 7, 1)), dec!(50));
        assert_eq!(p.shares.first().map(|s| s.from), Some(day(2025, 1, 1)), "entries stay sorted");
        assert_eq!(team.validate(), Ok(()));
    }

    #[test]
    fn split_uses_the_shares_in_force_on_the_date() {
        let team = changing_team();
        let split = |y, m, d| team.split_on(day(y, m, d), dec!(100.01)).unwrap();
        assert_eq!(split(2025, 4, 1), vec![(PracticeId(1), dec!(60.01)), (PracticeId(2), dec!(40.00))]);
        assert_eq!(split(2025, 6, 30), vec![(PracticeId(1), dec!(60.01)), (PracticeId(2), dec!(40.00))]);
        let july = split(2025, 7, 1);
        assert_eq!(july.iter().map(|(_, a)| *a).sum::<Decimal>(), dec!(100.01), "cent-exact");
        assert!(july.iter().all(|(_, a)| *a == dec!(50.00) || *a == dec!(50.01)));
        assert_eq!(
            team.split_on(day(2024, 12, 31), dec!(100)),
            Err(DomainError::SharesDoNotSum { on: Some(day(2024, 12, 31)), total: Decimal::ZERO }),
            "no split before the team's first share"
        );
    }

    #[test]
    fn every_start_date_must_sum_to_100() {
        // Only practice 1 changes on 1 July: 50 + 40 = 90 on that date.
        let mut team = team(vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[])]);
        team.practices[0].set_share(day(2025, 7, 1), dec!(50));
        assert_eq!(team.validate(), Err(DomainError::SharesDoNotSum { on: Some(day(2025, 7, 1)), total: dec!(90) }));
        team.practices[1].set_share(day(2025, 7, 1), dec!(50));
        assert_eq!(team.validate(), Ok(()));
    }

    #[test]
    fn a_practice_joining_later_has_no_share_before_its_first() {
        let mut joining = practice(3, dec!(20), &[]);
        joining.shares = vec![ShareFrom { from: day(2025, 10, 1), share: dec!(20) }];
        let mut team = team(vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[]), joining]);
        // Before the others change, 60 + 40 + 20 = 120 on 1 October.
        assert_eq!(team.validate(), Err(DomainError::SharesDoNotSum { on: Some(day(2025, 10, 1)), total: dec!(120) }));
        team.practices[0].set_share(day(2025, 10, 1), dec!(50));
        team.practices[1].set_share(day(2025, 10, 1), dec!(30));
        assert_eq!(team.validate(), Ok(()));
        assert_eq!(team.shares_on(day(2025, 9, 30)), vec![dec!(60), dec!(40), Decimal::ZERO]);
        let split = team.split_on(day(2025, 7, 1), dec!(1000)).unwrap();
        assert_eq!(split[2], (PracticeId(3), dec!(0.00)));
    }

    #[test]
    fn each_share_is_0_to_100_with_at_most_2_decimals() {
        let with = |share: Decimal| {
            let mut team = team(vec![practice(1, dec!(100), &[]), practice(2, Decimal::ZERO, &[])]);
            team.practices[1].set_share(day(2025, 7, 1), share);
            team.practices[0].set_share(day(2025, 7, 1), dec!(100) - share);
            team.validate()
        };
        assert_eq!(with(dec!(100)), Ok(()));
        assert_eq!(with(dec!(0)), Ok(()));
        assert_eq!(with(dec!(33.33)), Ok(()));
        assert!(matches!(with(dec!(100.01)), Err(DomainError::Field(f)) if f.field == "percentage"));
        assert!(matches!(with(dec!(-0.01)), Err(DomainError::Field(f)) if f.field == "percentage"));
        assert!(matches!(with(dec!(33.333)), Err(DomainError::Field(f)) if f.field == "percentage"));
    }

    #[test]
    fn two_shares_of_a_practice_on_one_date_refused() {
        let mut team = team(vec![practice(1, dec!(100), &[])]);
        team.practices[0].shares.push(ShareFrom { from: day(2025, 1, 1), share: dec!(100) });
        assert!(matches!(team.validate(), Err(DomainError::Field(f)) if f.field == "geldt vanaf"));
        team.practices[0].shares[1].from = day(2025, 1, 2);
        assert_eq!(team.validate(), Ok(()));
        team.practices[0].shares[1].from = day(2101, 1, 1);
        assert!(matches!(team.validate(), Err(DomainError::Field(f)) if f.field == "geldt vanaf"));
        team.practices[0].shares[1].from = day(2100, 12, 31);
        assert_eq!(team.validate(), Ok(()));
    }

    #[test]
    fn a_team_without_any_share_is_refused() {
        let mut team = team(vec![practice(1, dec!(100), &[])]);
        team.practices[0].shares.clear();
        assert_eq!(team.validate(), Err(DomainError::SharesDoNotSum { on: None, total: Decimal::ZERO }));
    }

    #[test]
    fn shares_differ_on_compares_the_shares_in_force() {
        let before = team(vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[])]);
        let after = changing_team();
        assert!(!before.shares_differ_on(&after, day(2025, 6, 30)));
        assert!(before.shares_differ_on(&after, day(2025, 7, 1)));
        let mut removed = before.clone();
        removed.practices.pop();
        assert!(before.shares_differ_on(&removed, day(2025, 1, 1)));
        assert!(!before.shares_differ_on(&removed, day(2024, 12, 31)), "both 0 before the first share");
    }
}
