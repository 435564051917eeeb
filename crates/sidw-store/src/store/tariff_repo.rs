//! The yearly tariff tables.

use crate::domain::{TariffBook, TariffTable};

use super::keys::{TreeName, year_key};
use super::{ChangeContext, Store, StoreError};

impl Store {
    pub fn tariff_book(&self) -> Result<TariffBook, StoreError> {
        Ok(TariffBook::new(self.scan::<TariffTable>(TreeName::Tariffs, &[])?))
    }

    /// Stores (adds or replaces) the table of its year.
    /// Hourly tariffs are fixed once a year has hours lines: changing them would change, after the
    /// fact, what lines already entered, invoiced or paid are worth.
    pub fn save_tariffs(&self, ctx: &ChangeContext, table: &TariffTable) -> Result<(), StoreError> {
        table.validate()?;
        if let Some(before) = self.get::<TariffTable>(TreeName::Tariffs, &year_key(table.year))?
            && (before.hourly_a, before.hourly_b, before.hourly_c) != (table.hourly_a, table.hourly_b, table.hourly_c)
            && self.year_has_hours(table.year)?
        {
            return Err(StoreError::Refused(format!(
                "er zijn al uren in {}; de uurtarieven van dat jaar liggen daarmee vast",
                table.year
            )));
        }
        self.write(ctx, |tx| {
            let key = year_key(table.year);
            let before: Option<TariffTable> = tx.get(TreeName::Tariffs, &key)?;
            tx.put(TreeName::Tariffs, &key, table)?;
            tx.audit("tarieven opgeslagen", &format!("tarieven {}", table.year), before.as_ref(), Some(table))
        })
    }
}
