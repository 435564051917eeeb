//! GP practices and the practice team (praktijkteam) they form in one network.

use chrono::NaiveDate;
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

/// A GP practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub id: PracticeId,
    pub name: String,
    pub agb: Agb,
    pub iban: Iban,
    /// Share of the practice-team money in percent, at most 2 decimals.
    pub share: Decimal,
    /// ION counts, any order; the latest on or before a date counts.
    pub ion_counts: Vec<IonCount>,
}

impl Practice {
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

    /// The rules of a practice team that can be stored: names present, shares of at most 2
    /// decimals that sum to exactly 100, no practice (AGB code) twice, no two counts on one date.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.practices.is_empty() {
            return Ok(());
        }
        for practice in &self.practices {
            super::validate::parse_required_text("naam praktijk", &practice.name, 80)?;
            if practice.share.is_sign_negative() || practice.share.normalize().scale() > 2 {
                return Err(FieldError::new(
                    "percentage",
                    format!("{}: 0 tot 100 met hooguit 2 decimalen", practice.name),
                )
                .into());
            }
            let mut dates: Vec<NaiveDate> = practice.ion_counts.iter().map(|c| c.reference_date).collect();
            dates.sort_unstable();
            if dates.windows(2).any(|w| w[0] == w[1]) {
                return Err(FieldError::new(
                    "peildatum",
                    format!("{}: twee ION-tellingen op één peildatum", practice.name),
                )
                .into());
            }
        }
        let mut agbs: Vec<&Agb> = self.practices.iter().map(|p| &p.agb).collect();
        agbs.sort_unstable();
        if agbs.windows(2).any(|w| w[0] == w[1]) {
            return Err(FieldError::new("AGB-code", "dezelfde praktijk staat twee keer in het praktijkteam").into());
        }
        let shares: Vec<Decimal> = self.practices.iter().map(|p| p.share).collect();
        check_percentages_sum(&shares)
            .map_err(|_| DomainError::SharesDoNotSum { total: shares.iter().sum::<Decimal>().normalize() })
    }

    /// Splits an amount (whole cents) over the practices by their shares, cent-exact.
    pub fn split(&self, total: Decimal) -> Result<Vec<(PracticeId, Decimal)>, DomainError> {
        if self.practices.is_empty() {
            return Err(DomainError::EmptyPracticeTeam);
        }
        self.validate()?;
        let shares: Vec<Decimal> = self.practices.iter().map(|p| p.share).collect();
        let parts = split_by_percentages(super::money::round_cents(total), &shares);
        Ok(self.practices.iter().map(|p| p.id).zip(parts).collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    pub(crate) fn practice(id: u64, share: Decimal, counts: &[(i32, u32, u32, u32)]) -> Practice {
        Practice {
            id: PracticeId(id),
            name: format!("Praktijk {id}"),
            agb: Agb::parse(&format!("0100{id:04}")).unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            share,
            ion_counts: counts
                .iter()
                .map(|&(y, m, d, count)| IonCount { reference_date: NaiveDate::from_ymd_opt(y, m, d).unwrap(), count })
                .collect(),
        }
    }

    #[test]
    fn latest_ion_on_or_before_a_date_counts() {
        let p = practice(1, dec!(100), &[(2024, 1, 1, 4000), (2025, 1, 1, 4200), (2025, 4, 2, 4300)]);
        let on = |y, m, d| p.ion_on(NaiveDate::from_ymd_opt(y, m, d).unwrap()).map(|c| c.count);
        assert_eq!(on(2023, 12, 31), None);
        assert_eq!(on(2024, 12, 31), Some(4000));
        assert_eq!(on(2025, 1, 1), Some(4200));
        assert_eq!(on(2025, 4, 1), Some(4200));
        assert_eq!(on(2025, 7, 1), Some(4300));
    }

    #[test]
    fn shares_must_sum_to_exactly_100() {
        let team = PracticeTeam {
            network: NetworkId(1),
            practices: vec![practice(1, dec!(60), &[]), practice(2, dec!(39.99), &[])],
        };
        assert_eq!(team.validate(), Err(DomainError::SharesDoNotSum { total: dec!(99.99) }));
        let parts = PracticeTeam { practices: vec![practice(1, dec!(60), &[]), practice(2, dec!(40), &[])], ..team }
            .split(dec!(5950))
            .unwrap();
        assert_eq!(parts, vec![(PracticeId(1), dec!(3570.00)), (PracticeId(2), dec!(2380.00))]);
    }

    #[test]
    fn duplicate_practice_refused() {
        let team = PracticeTeam {
            network: NetworkId(1),
            practices: vec![practice(1, dec!(50), &[]), practice(1, dec!(50), &[])],
        };
        assert!(matches!(team.validate(), Err(DomainError::Field(f)) if f.field == "AGB-code"));
    }
}
