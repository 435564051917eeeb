//! A partner's invoice of a quarter, as received.

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::validate::{parse_amount, parse_required_text};
use crate::domain::{Invoice, InvoiceDecision, InvoiceId, NetworkId, PartnerId, Quarter};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field, opt_date};

form_fields! {
    pub(super) enum InvoiceField {
        Number => "Factuurnummer",
        Date => "Factuurdatum",
        Amount => "Bedrag",
        Received => "Ontvangen",
    }
}

pub(super) struct InvoiceForm {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub quarter: Quarter,
}

impl FormSpec for InvoiceForm {
    type Field = InvoiceField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use InvoiceField as F;
        let partner = app.store.partner(self.network, self.partner)?;
        Ok(Form::new(format!("Factuur {} — {}", partner.name, self.quarter))
            .field(F::Number, "", "zoals op de factuur")
            .field(F::Date, &format_date(app.today()), "dd-mm-jjjj")
            .field(F::Amount, "", "bv. 1.019,40")
            .field(F::Received, &format_date(app.today()), "dd-mm-jjjj"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, InvoiceField>) -> Result<Saved, Refusal<InvoiceField>> {
        use InvoiceField as F;
        let number = form.read(F::Number, field(|t| parse_required_text("factuurnummer", t, 35)));
        let date = form.read(F::Date, parse_date);
        let amount = form.read(F::Amount, field(parse_amount));
        let received = form.read(F::Received, opt_date);
        let (Some(number), Some(date), Some(amount), Some(received)) = (number, date, amount, received) else {
            return Err(Refusal::Fields);
        };
        let invoice = Invoice {
            id: InvoiceId(0),
            network: self.network,
            partner: self.partner,
            quarter: self.quarter,
            number,
            date,
            amount,
            received,
            decision: InvoiceDecision::Open,
        };
        if let Err(error) = invoice.validate() {
            return Err(Refusal::At(if error.field == "bedrag" { F::Amount } else { F::Received }, error.message));
        }
        let store = app.store.clone();
        let saved = store.add_invoice(&app.ctx(), &invoice)?;
        app.push_undo(UndoOp::Created("factuur"));
        let worth = store.invoiced_worth(&saved)?;
        let matched = crate::domain::invoice::match_invoice(saved.amount, worth);
        let hours = crate::domain::money::format_eur(worth);
        Ok(Saved::Done(format!("Factuur {} vastgelegd: {} (urenformulier {hours}).", saved.number, matched.dutch())))
    }
}
