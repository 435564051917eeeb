//! Reopening a closed quarter of a network, with the reason.

use crate::domain::{DomainError, NetworkId, Quarter};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved};

form_fields! {
    pub(super) enum ReopenField {
        Reason => "Reden",
    }
}

pub(super) struct ReopenForm {
    pub network: NetworkId,
    pub quarter: Quarter,
}

impl FormSpec for ReopenForm {
    type Field = ReopenField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let n = app.store.network(self.network)?;
        Ok(Form::new(format!("Heropenen {} van {} (de betaalbatch blijft bewaard)", self.quarter, n.name)).field(
            ReopenField::Reason,
            "",
            "verplicht, komt in het logboek",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, ReopenField>) -> Result<Saved, Refusal<ReopenField>> {
        let reason = form.text(ReopenField::Reason).ok_or(Refusal::Fields)?;
        let quarter = self.quarter;
        match app.store.reopen_quarter(&app.ctx(), self.network, quarter, &reason) {
            Ok(()) => Ok(Saved::Done(format!("{quarter} heropend; de eerdere betaalbatch blijft bewaard."))),
            Err(StoreError::Rule(DomainError::Field(error))) => Err(Refusal::At(ReopenField::Reason, error.message)),
            Err(error) => Err(error.into()),
        }
    }
}
