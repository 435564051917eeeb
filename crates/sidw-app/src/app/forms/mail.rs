//! The e-mail settings an admin keeps (issue 17): a mail template (subject and text, with its
//! `{placeholders}`; an unknown one is refused at its field) and a region's own address.

use crate::domain::Region;
use crate::domain::mail::{MailTemplate, TemplateKind, check_template, normalize_text};
use crate::domain::validate::parse_email;
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved};

form_fields! {
    pub(super) enum TemplateField {
        Subject => "Onderwerp",
        Body => "Tekst",
    }
}

pub(super) struct TemplateForm {
    pub kind: TemplateKind,
}

impl FormSpec for TemplateForm {
    type Field = TemplateField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let template = app.store.mail_template(self.kind)?;
        let hint = fields_hint(self.kind);
        Ok(Form::new(format!("E-mailsjabloon {}", self.kind.key()))
            .field(TemplateField::Subject, &template.subject, hint)
            .text_field(TemplateField::Body, &template.body, hint, 8))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, TemplateField>) -> Result<Saved, Refusal<TemplateField>> {
        let subject = form.read(TemplateField::Subject, |t| Ok::<_, String>(t.trim().to_string()));
        let body = form.read(TemplateField::Body, |t| Ok::<_, String>(normalize_text(t)));
        let (Some(subject), Some(body)) = (subject, body) else { return Err(Refusal::Fields) };
        let template = MailTemplate { subject, body };
        if let Err(error) = check_template(self.kind, &template) {
            let field = if error.field == "onderwerp" { TemplateField::Subject } else { TemplateField::Body };
            return Err(Refusal::At(field, error.message));
        }
        app.store.clone().set_mail_template(&app.ctx(), self.kind, &template)?;
        Ok(Saved::Done(format!("E-mailsjabloon {} opgeslagen.", self.kind.key())))
    }
}

/// The placeholders of `kind`, as the hint under its fields (the same list as
/// `TemplateKind::placeholders`; a test holds them together).
fn fields_hint(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::Agreement => "{netwerk} {partner} {termijn} {regio} {punt}",
        TemplateKind::HoursForm => "{netwerk} {partner} {maand} {termijn} {regio} {punt}",
        TemplateKind::YearlyDuties => "{netwerk} {termijn} {regio} {punt}",
        TemplateKind::Statement => "{netwerk} {kwartaal} {bedrag} {regio}",
        TemplateKind::PaymentAdvice => "{netwerk} {partner} {kwartaal} {bedrag} {batch} {regio}",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hint_names_every_placeholder_of_its_template() {
        for kind in crate::domain::mail::TemplateKind::ALL {
            let named: Vec<String> = kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect();
            assert_eq!(super::fields_hint(kind), named.join(" "));
        }
    }
}

form_fields! {
    pub(super) enum SenderField {
        Email => "E-mailadres",
    }
}

pub(super) struct SenderForm {
    pub region: Region,
}

impl FormSpec for SenderForm {
    type Field = SenderField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let address = app.store.region_address(self.region)?;
        Ok(Form::new(format!("Afzender regio {}", self.region.name())).field(
            SenderField::Email,
            &address,
            "de afzender van de e-mail van de regio",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, SenderField>) -> Result<Saved, Refusal<SenderField>> {
        let email = form
            .read(SenderField::Email, |t| match parse_email(t) {
                Ok(e) if e.is_empty() => Err("een regio heeft een afzender nodig".to_string()),
                Ok(e) => Ok(e),
                Err(e) => Err(e.message),
            })
            .ok_or(Refusal::Fields)?;
        app.store.clone().set_region_address(&app.ctx(), self.region, &email)?;
        Ok(Saved::Done(format!("Afzender regio {}: {email}.", self.region.name())))
    }
}
