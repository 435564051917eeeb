//! A new ION count of a practice.

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::validate::parse_ion;
use crate::domain::{IonCount, NetworkId, PracticeId};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum IonField {
        Count => "ION",
        ReferenceDate => "Peildatum",
    }
}

pub(super) struct IonForm {
    pub network: NetworkId,
    pub practice: PracticeId,
}

fn not_found(practice: PracticeId) -> StoreError {
    StoreError::NotFound(format!("praktijk {practice}"))
}

impl FormSpec for IonForm {
    type Field = IonField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let team = app.store.practice_team(self.network)?;
        let p = team.practices.iter().find(|p| p.id == self.practice).ok_or_else(|| not_found(self.practice))?;
        let quarter_start = crate::domain::Quarter::of_date(app.today()).next().first_day();
        Ok(Form::new(format!("ION-telling {}", p.name)).field(IonField::Count, "", "ingeschrevenen op naam").field(
            IonField::ReferenceDate,
            &format_date(quarter_start),
            "geldt vanaf het kwartaal dat erna begint",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, IonField>) -> Result<Saved, Refusal<IonField>> {
        let store = app.store.clone();
        let before = store.practice_team(self.network)?;
        let count = form.read(IonField::Count, field(parse_ion));
        let date = form.read(IonField::ReferenceDate, parse_date);
        let (Some(count), Some(reference_date)) = (count, date) else { return Err(Refusal::Fields) };
        let mut team = before.clone();
        let p = team.practices.iter_mut().find(|p| p.id == self.practice).ok_or_else(|| not_found(self.practice))?;
        p.ion_counts.retain(|c| c.reference_date != reference_date);
        p.ion_counts.push(IonCount { reference_date, count });
        p.ion_counts.sort();
        store.save_practice_team(&app.ctx(), &team)?;
        app.push_undo(UndoOp::Team(before));
        Ok(Saved::Done(format!("ION-telling {count} per {} opgeslagen.", format_date(reference_date))))
    }
}
