//! The date an agreement was sent, signed or ended.

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::{AgreementId, NetworkId};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{AgreementDate, FormSpec, Refusal, Saved};

form_fields! {
    pub(super) enum AgreementDateField {
        Date => "Datum",
    }
}

pub(super) struct AgreementDateForm {
    pub network: NetworkId,
    pub id: AgreementId,
    pub which: AgreementDate,
}

impl FormSpec for AgreementDateForm {
    type Field = AgreementDateField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let title = match self.which {
            AgreementDate::Sent => "Overeenkomst verstuurd op",
            AgreementDate::Signed => "Overeenkomst getekend retour op",
            AgreementDate::Ended => "Overeenkomst beëindigd op",
        };
        Ok(Form::new(title).field(AgreementDateField::Date, &format_date(app.today()), "dd-mm-jjjj"))
    }

    fn save(
        &self,
        app: &mut App,
        form: &mut Fields<'_, AgreementDateField>,
    ) -> Result<Saved, Refusal<AgreementDateField>> {
        let date = form.read(AgreementDateField::Date, parse_date).ok_or(Refusal::Fields)?;
        let store = app.store.clone();
        let before = store
            .agreements(self.network)?
            .into_iter()
            .find(|a| a.id == self.id)
            .ok_or_else(|| StoreError::NotFound(format!("overeenkomst {}", self.id)))?;
        let mut agreement = before.clone();
        match self.which {
            AgreementDate::Sent => agreement.sent = Some(date),
            AgreementDate::Signed => agreement.signed = Some(date),
            AgreementDate::Ended => agreement.ended = Some(date),
        }
        agreement.validate().map_err(|error| Refusal::At(AgreementDateField::Date, error.message))?;
        store.update_agreement(&app.ctx(), &agreement)?;
        app.push_undo(UndoOp::Agreement(before));
        Ok(Saved::Done("Overeenkomst bijgewerkt.".into()))
    }
}
