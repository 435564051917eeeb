//! The tariffs of a year: this year's, or a new year (offered as the last year's, one year on).

use rust_decimal::Decimal;

use crate::domain::TariffTable;
use crate::domain::validate::parse_amount;
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, amount_text, field};

form_fields! {
    pub(super) enum TariffsField {
        /// A new year only.
        Year => "Jaar",
        PracticeTeam => "Praktijkteam per ION",
        Partners => "Partners per ION",
        HourlyA => "Uurtarief A",
        HourlyB => "Uurtarief B",
        HourlyC => "Uurtarief C",
    }
}

pub(super) struct TariffsForm {
    /// The year changed; `None` for a new one.
    pub year: Option<i32>,
}

/// The rates in the form's order.
const RATES: [TariffsField; 5] = [
    TariffsField::PracticeTeam,
    TariffsField::Partners,
    TariffsField::HourlyA,
    TariffsField::HourlyB,
    TariffsField::HourlyC,
];

impl FormSpec for TariffsForm {
    type Field = TariffsField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use TariffsField as F;
        let book = &app.tariff_book;
        let table = match self.year {
            Some(year) => book.for_year(year).cloned().map_err(StoreError::from)?,
            None => match book.years().last().and_then(|y| book.for_year(y).ok()) {
                Some(t) => TariffTable { year: t.year + 1, ..t.clone() },
                None => TariffTable::handbook_2025(),
            },
        };
        let form = match self.year {
            Some(_) => Form::new(format!("Tarieven {}", table.year)),
            None => Form::new("Nieuw tariefjaar").field(F::Year, &table.year.to_string(), "jjjj"),
        };
        Ok(form
            .field(F::PracticeTeam, &amount_text(table.practice_team_per_ion), "€ per jaar")
            .field(F::Partners, &amount_text(table.partner_per_ion), "€ per jaar")
            .field(F::HourlyA, &amount_text(table.hourly_a), "medisch / WO")
            .field(F::HourlyB, &amount_text(table.hourly_b), "paramedisch / HBO")
            .field(F::HourlyC, &amount_text(table.hourly_c), "overig"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, TariffsField>) -> Result<Saved, Refusal<TariffsField>> {
        let year = match self.year {
            Some(year) => Some(year),
            None => form.read(TariffsField::Year, |t| {
                t.parse::<i32>()
                    .ok()
                    .filter(|y| crate::domain::calendar::YEARS.contains(y))
                    .ok_or_else(|| "een jaar van 2000 tot 2100".to_string())
            }),
        };
        let rates: Vec<Option<Decimal>> = RATES.iter().map(|key| form.read(*key, field(parse_amount))).collect();
        let (Some(year), [Some(pt), Some(partner), Some(a), Some(b), Some(c)]) = (year, rates.as_slice()) else {
            return Err(Refusal::Fields);
        };
        let table = TariffTable {
            year,
            practice_team_per_ion: *pt,
            partner_per_ion: *partner,
            hourly_a: *a,
            hourly_b: *b,
            hourly_c: *c,
        };
        table.validate().map_err(|error| Refusal::Form(error.to_string()))?;
        let before = app.tariff_book.for_year(year).ok().cloned();
        app.store.save_tariffs(&app.ctx(), &table)?;
        app.push_undo(before.map_or(UndoOp::Created("tariefjaar"), UndoOp::Tariffs));
        Ok(Saved::Done(format!("Tarieven {year} opgeslagen.")))
    }
}
