//! A correction, in an open quarter, of a line of a closed one.

use crate::domain::validate::{check_correction_hours, parse_decimal, parse_optional_text};
use crate::domain::{DomainError, HoursEntry, YearMonth};
use crate::store::{NewHours, StoreError};

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum CorrectionField {
        Month => "Maand",
        Hours => "Uren",
        Activity => "Activiteit",
    }
}

pub(super) struct CorrectionForm<'a> {
    /// The line corrected.
    pub line: &'a HoursEntry,
}

impl FormSpec for CorrectionForm<'_> {
    type Field = CorrectionField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use CorrectionField as F;
        let line = self.line;
        let partner = app.store.partner(line.network, line.partner)?;
        let month = YearMonth::of_date(app.today());
        let title = format!(
            "Correctie van {} uur {} — {}",
            crate::domain::dutch::number(line.hours),
            line.month.dutch_name(),
            partner.name
        );
        Ok(Form::new(title)
            .field(F::Month, &month.to_string(), "een open maand, bv. 2025-05")
            .field(F::Hours, "", "+ of −, bv. -1,5")
            .field(F::Activity, &format!("correctie {}", line.month.dutch_name()), ""))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, CorrectionField>) -> Result<Saved, Refusal<CorrectionField>> {
        use CorrectionField as F;
        let line = self.line;
        let month = form.read(F::Month, YearMonth::parse);
        let hours =
            form.read(F::Hours, |t| parse_decimal(t).and_then(|h| check_correction_hours(h).map_err(|e| e.message)));
        let activity = form.read(F::Activity, field(|t| parse_optional_text("activiteit", t, 200)));
        let (Some(month), Some(hours), Some(activity)) = (month, hours, activity) else {
            return Err(Refusal::Fields);
        };
        let new = NewHours {
            network: line.network,
            partner: line.partner,
            month,
            hours,
            activity,
            paid_by_practice_team: line.paid_by_practice_team,
            double_funding_confirmed: line.double_funding_confirmed,
            corrects: Some(line.id),
        };
        let ctx = app.ctx();
        match app.change_cell((new.network, new.partner, new.month), |store| store.add_hours(&ctx, &new)) {
            Ok(_) => {}
            Err(StoreError::QuarterClosed { .. }) => {
                return Err(Refusal::At(
                    F::Month,
                    "die maand valt in een afgesloten kwartaal; kies een open maand".into(),
                ));
            }
            // The correction rules (a later quarter; not below 0 hours): at their field.
            Err(StoreError::Rule(DomainError::Field(error))) if error.field == "maand" => {
                return Err(Refusal::At(F::Month, error.message));
            }
            Err(StoreError::Rule(DomainError::Field(error))) if error.field == "uren" => {
                return Err(Refusal::At(F::Hours, error.message));
            }
            Err(other) => return Err(other.into()),
        };
        Ok(Saved::Done(format!(
            "Correctie van {} uur vastgelegd in {}.",
            crate::domain::dutch::number(hours),
            month.dutch_name()
        )))
    }
}
