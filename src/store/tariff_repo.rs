//! The yearly tariff tables.

use crate::domain::{TariffBook, TariffTable};

use super::keys::{TreeName, year_key};
use super::{ChangeContext, Store, StoreError};

impl Store {
    pub fn tariff_book(&self) -> Result<TariffBook, StoreError> {
        Ok(TariffBook::new(self.scan::<TariffTable>(TreeName::Tariffs, &[])?))
    }

    /// Stores (adds or replaces) the table of its year.
    pub fn save_tariffs(&self, ctx: &ChangeContext, table: &TariffTable) -> Result<(), StoreError> {
        table.validate()?;
        self.write(ctx, |tx| {
            let key = year_key(table.year);
            let before: Option<TariffTable> = tx.get(TreeName::Tariffs, &key)?;
            tx.put(TreeName::Tariffs, &key, table)?;
            tx.audit("tarieven opgeslagen", &format!("tarieven {}", table.year), before.as_ref(), Some(table))
        })
    }
}
