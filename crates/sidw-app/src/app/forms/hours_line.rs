//! One hours line of a cell (partner × month): new, or this one.

use crate::domain::validate::{parse_hours, parse_optional_text};
use crate::domain::{DomainError, HoursEntry, HoursEntryId, NetworkId, PartnerId, YearMonth};
use crate::store::{NewHours, StoreError};

use super::super::form::{Fields, Form, form_fields};
use super::super::{App, Mode};
use super::{FormSpec, Refusal, Saved, field, show_yes_no, yes_no};

form_fields! {
    pub(super) enum HoursField {
        Hours => "Uren",
        Activity => "Activiteit",
        PaidByPracticeTeam => "Betaald door praktijkteam",
        /// A pharmacy or sports coach only: paid from the € 1,15 against the handbook's advice.
        DoubleFunding => "Toch uit € 1,15",
    }
}

pub(super) struct HoursLineForm {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub line: Option<HoursEntryId>,
}

/// What the form reads.
struct Typed {
    hours: rust_decimal::Decimal,
    activity: String,
    paid_by_practice_team: bool,
    double_funding_confirmed: bool,
}

impl FormSpec for HoursLineForm {
    type Field = HoursField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use HoursField as F;
        let partner = app.store.partner(self.network, self.partner)?;
        let existing = match self.line {
            Some(id) => Some(app.store.hours_entry(id)?),
            None => None,
        };
        let line = existing.as_ref();
        let form = Form::new(format!("Uren {} — {}", partner.name, self.month.dutch_name()))
            .field(F::Hours, &line.map(|l| l.hours.to_string().replace('.', ",")).unwrap_or_default(), "bv. 1,5")
            .field(F::Activity, &line.map(|l| l.activity.clone()).unwrap_or_default(), "optioneel")
            .field(F::PaidByPracticeTeam, show_yes_no(line.is_some_and(|l| l.paid_by_practice_team)), "j/n");
        if !partner.discipline.risks_double_funding() {
            return Ok(form);
        }
        Ok(form.field(
            F::DoubleFunding,
            show_yes_no(line.is_some_and(|l| l.double_funding_confirmed)),
            "j = bevestigd ondanks advies",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, HoursField>) -> Result<Saved, Refusal<HoursField>> {
        let typed = read(form).ok_or(Refusal::Fields)?;
        let ctx = app.ctx();
        match self.line {
            Some(id) => {
                let before = app.store.hours_entry(id)?;
                let changed = HoursEntry {
                    hours: typed.hours,
                    activity: typed.activity,
                    paid_by_practice_team: typed.paid_by_practice_team,
                    double_funding_confirmed: typed.double_funding_confirmed,
                    ..before.clone()
                };
                app.change_cell((before.network, before.partner, before.month), |store| {
                    store.update_hours(&ctx, &changed)
                })
                .map_err(hours_refusal)?;
            }
            None => {
                let new = NewHours {
                    network: self.network,
                    partner: self.partner,
                    month: self.month,
                    hours: typed.hours,
                    activity: typed.activity,
                    paid_by_practice_team: typed.paid_by_practice_team,
                    double_funding_confirmed: typed.double_funding_confirmed,
                    corrects: None,
                };
                app.change_cell((new.network, new.partner, new.month), |store| store.add_hours(&ctx, &new))
                    .map_err(hours_refusal)?;
            }
        }
        app.mode = Mode::Lines;
        app.reload();
        app.info(format!("Uren {} opgeslagen.", self.month.dutch_name()));
        Ok(Saved::Stay)
    }
}

/// Reads every field (each error at its field); `None` when one is refused.
fn read(form: &mut Fields<'_, HoursField>) -> Option<Typed> {
    use HoursField as F;
    let hours = form.read(F::Hours, field(parse_hours));
    let activity = form.read(F::Activity, field(|t| parse_optional_text("activiteit", t, 200)));
    let by_team = form.read(F::PaidByPracticeTeam, yes_no);
    let confirmed = if form.has(F::DoubleFunding) { form.read(F::DoubleFunding, yes_no) } else { Some(false) };
    Some(Typed {
        hours: hours?,
        activity: activity?,
        paid_by_practice_team: by_team?,
        double_funding_confirmed: confirmed?,
    })
}

/// Puts a refused hours save at the field that can fix it.
fn hours_refusal(error: StoreError) -> Refusal<HoursField> {
    match &error {
        StoreError::Rule(DomainError::OverBudget { .. }) => {
            Refusal::At(HoursField::PaidByPracticeTeam, format!("{error}; zet hier j"))
        }
        StoreError::Rule(DomainError::DoubleFundingNotConfirmed { .. }) => {
            Refusal::At(HoursField::DoubleFunding, error.to_string())
        }
        // A correction rule (the line with its corrections below 0 hours): at the hours.
        StoreError::Rule(DomainError::Field(field)) if field.field == "uren" => {
            Refusal::At(HoursField::Hours, field.message.clone())
        }
        _ => Refusal::Form(error.to_string()),
    }
}
