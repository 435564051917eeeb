//! The municipalities' S1 years and the yearly S1 rates.

use crate::domain::municipality::{MunicipalYear, S1Rate};

use super::keys::{TreeName, municipal_year, year_key};
use super::{ChangeContext, Store, StoreError};

impl Store {
    /// Every municipality's recorded years, by municipality and year.
    pub fn municipal_years(&self) -> Result<Vec<MunicipalYear>, StoreError> {
        self.scan(TreeName::MunicipalYears, &[])
    }

    pub fn municipal_year(&self, municipality: &str, year: i32) -> Result<Option<MunicipalYear>, StoreError> {
        self.get(TreeName::MunicipalYears, &municipal_year(municipality, year))
    }

    /// Stores (adds or replaces) a municipality's year; the municipality in its reference spelling.
    pub fn save_municipal_year(&self, ctx: &ChangeContext, record: &MunicipalYear) -> Result<(), StoreError> {
        record.validate()?;
        let list = self.municipality_list()?;
        let record = MunicipalYear {
            municipality: list.for_s1_year(&record.municipality, record.year)?.name.clone(),
            proposed_providers: record.proposed_providers.iter().map(|p| p.trim().to_string()).collect(),
            ..record.clone()
        };
        self.write(ctx, |tx| {
            let key = municipal_year(&record.municipality, record.year);
            let before: Option<MunicipalYear> = tx.get(TreeName::MunicipalYears, &key)?;
            tx.put(TreeName::MunicipalYears, &key, &record)?;
            let subject = format!("gemeente {} {}", record.municipality, record.year);
            tx.audit("S1-gegevens opgeslagen", &subject, before.as_ref(), Some(&record))
        })
    }

    /// Removes a municipality's year (entered by mistake).
    pub fn delete_municipal_year(&self, ctx: &ChangeContext, municipality: &str, year: i32) -> Result<(), StoreError> {
        self.write(ctx, |tx| {
            let key = municipal_year(municipality, year);
            let before: MunicipalYear =
                tx.require(TreeName::MunicipalYears, &key, || format!("S1-gegevens {municipality} {year}"))?;
            tx.remove(TreeName::MunicipalYears, &key)?;
            let subject = format!("gemeente {} {year}", before.municipality);
            tx.audit::<_, ()>("S1-gegevens verwijderd", &subject, Some(&before), None)
        })
    }

    pub fn s1_rates(&self) -> Result<Vec<S1Rate>, StoreError> {
        self.scan(TreeName::S1Rates, &[])
    }

    pub fn s1_rate(&self, year: i32) -> Result<Option<S1Rate>, StoreError> {
        self.get(TreeName::S1Rates, &year_key(year))
    }

    /// Stores (adds or replaces) the S1 rate of its year.
    pub fn save_s1_rate(&self, ctx: &ChangeContext, rate: &S1Rate) -> Result<(), StoreError> {
        if !(2000..=2100).contains(&rate.year) {
            return Err(StoreError::Refused("kies een jaar tussen 2000 en 2100".into()));
        }
        if rate.per_insured_65_plus <= rust_decimal::Decimal::ZERO {
            return Err(StoreError::Refused("het S1-tarief moet groter zijn dan nul".into()));
        }
        self.write(ctx, |tx| {
            let key = year_key(rate.year);
            let before: Option<S1Rate> = tx.get(TreeName::S1Rates, &key)?;
            tx.put(TreeName::S1Rates, &key, rate)?;
            tx.audit("S1-tarief opgeslagen", &format!("S1-tarief {}", rate.year), before.as_ref(), Some(rate))
        })
    }
}
