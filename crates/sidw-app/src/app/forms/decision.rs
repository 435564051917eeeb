//! Approving or rejecting an invoice, with the reason.

use crate::domain::money::format_eur;
use crate::domain::{DomainError, Invoice, InvoiceMatch};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved};

form_fields! {
    pub(super) enum DecisionField {
        Reason => "Reden",
    }
}

pub(super) struct DecisionForm<'a> {
    pub invoice: &'a Invoice,
    pub approve: bool,
}

impl FormSpec for DecisionForm<'_> {
    type Field = DecisionField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let invoice = self.invoice;
        let worth = app.store.invoiced_worth(invoice)?;
        let matched = crate::domain::invoice::match_invoice(invoice.amount, worth);
        // The verdict first: at 80 columns the end of a long title is cut.
        let title = format!(
            "{}: {} · {} {} (uren {})",
            if self.approve { "Goedkeuren" } else { "Afwijzen" },
            matched.dutch(),
            invoice.number,
            format_eur(invoice.amount),
            format_eur(worth)
        );
        let hint = if self.approve && matched == InvoiceMatch::Klopt { "optioneel" } else { "verplicht" };
        Ok(Form::new(title).field(DecisionField::Reason, "", hint))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, DecisionField>) -> Result<Saved, Refusal<DecisionField>> {
        let reason = form.text(DecisionField::Reason).ok_or(Refusal::Fields)?;
        let invoice = self.invoice;
        match app.store.decide_invoice(&app.ctx(), invoice.network, invoice.id, self.approve, &reason) {
            Ok(_) => {
                let what = if self.approve { "goedgekeurd" } else { "afgewezen" };
                Ok(Saved::Done(format!("Factuur {} {what}.", invoice.number)))
            }
            Err(StoreError::Rule(DomainError::Field(error))) => Err(Refusal::At(DecisionField::Reason, error.message)),
            Err(error) => Err(error.into()),
        }
    }
}
