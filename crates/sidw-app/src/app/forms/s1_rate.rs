//! The S1 rate of a year (admin): euro per insured person of 65 and over.

use rust_decimal::Decimal;

use crate::domain::municipality::S1Rate;
use crate::domain::validate::parse_amount;
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, amount_text};

form_fields! {
    pub(super) enum S1RateField {
        PerInsured => "Per 65+-verzekerde",
    }
}

pub(super) struct S1RateForm {
    pub year: i32,
}

impl FormSpec for S1RateForm {
    type Field = S1RateField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let rate = app.store.s1_rate(self.year)?;
        Ok(Form::new(format!("S1-tarief {}", self.year)).field(
            S1RateField::PerInsured,
            &rate.map(|r| amount_text(r.per_insured_65_plus)).unwrap_or_default(),
            "euro, bv. 9,40",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, S1RateField>) -> Result<Saved, Refusal<S1RateField>> {
        let year = self.year;
        let amount = form
            .read(S1RateField::PerInsured, |t| match parse_amount(t) {
                Ok(a) if a > Decimal::ZERO => Ok(a),
                Ok(_) => Err("moet groter zijn dan nul".to_string()),
                Err(e) => Err(e.message),
            })
            .ok_or(Refusal::Fields)?;
        let store = app.store.clone();
        let before = store.s1_rate(year)?;
        store.save_s1_rate(&app.ctx(), &S1Rate { year, per_insured_65_plus: amount })?;
        app.push_undo(match before {
            Some(before) => UndoOp::S1Rate(before),
            None => UndoOp::Created("S1-tarief"),
        });
        Ok(Saved::Done(format!(
            "S1-tarief {year}: {} per 65+-verzekerde opgeslagen.",
            crate::domain::money::format_eur(amount)
        )))
    }
}
