//! A practice of a network's practice team: new (with its first ION count), or this one.

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::validate::{Agb, Iban, parse_ion, parse_percentage, parse_required_text};
use crate::domain::{IonCount, NetworkId, Practice, PracticeId};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::shares::merge_pending;
use super::{FormKind, FormSpec, Refusal, Saved, field, percent_text};

form_fields! {
    pub(super) enum PracticeField {
        Name => "Naam",
        Agb => "AGB-code",
        Iban => "IBAN",
        Share => "Percentage",
        /// A new practice only: its first ION count.
        Ion => "ION",
        /// A new practice only: the date of that count.
        ReferenceDate => "Peildatum",
    }
}

pub(super) struct PracticeForm {
    pub network: NetworkId,
    pub id: Option<PracticeId>,
}

impl FormSpec for PracticeForm {
    type Field = PracticeField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use PracticeField as F;
        let team = app.store.practice_team(self.network)?;
        let p = self.id.and_then(|id| team.practices.iter().find(|p| p.id == id).cloned());
        let share = p.as_ref().map_or(if team.practices.is_empty() { "100".into() } else { String::new() }, |p| {
            percent_text(p.share_on(app.default_share_date(self.network).unwrap_or(chrono::NaiveDate::MIN)))
        });
        let get = |f: fn(&Practice) -> String| p.as_ref().map(f).unwrap_or_default();
        let form = Form::new(p.as_ref().map_or("Nieuwe praktijk".into(), |p| format!("Praktijk {}", p.name)))
            .field(F::Name, &get(|p| p.name.clone()), "")
            .field(F::Agb, &get(|p| p.agb.to_string()), "8 cijfers")
            .field(F::Iban, &get(|p| p.iban.to_string()), "")
            .field(F::Share, &share, "deel van het praktijkteamgeld; een nieuwe verdeling vraagt de datum");
        if p.is_some() {
            return Ok(form);
        }
        let quarter_start = crate::domain::Quarter::of_date(app.today()).first_day();
        Ok(form.field(F::Ion, "", "ingeschrevenen op naam").field(
            F::ReferenceDate,
            &format_date(quarter_start),
            "dd-mm-jjjj",
        ))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, PracticeField>) -> Result<Saved, Refusal<PracticeField>> {
        use PracticeField as F;
        let store = app.store.clone();
        let before = store.practice_team(self.network)?;
        let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 80)));
        let agb = form.read(F::Agb, field(Agb::parse));
        let iban = form.read(F::Iban, field(Iban::parse));
        let share = form.read(F::Share, field(parse_percentage));
        let counts = if self.id.is_none() {
            let ion = form.read(F::Ion, field(parse_ion));
            let date = form.read(F::ReferenceDate, parse_date);
            match (ion, date) {
                (Some(count), Some(reference_date)) => Some(vec![IonCount { reference_date, count }]),
                _ => None,
            }
        } else {
            before.practices.iter().find(|p| Some(p.id) == self.id).map(|p| p.ion_counts.clone())
        };
        let (Some(name), Some(agb), Some(iban), Some(share), Some(ion_counts)) = (name, agb, iban, share, counts)
        else {
            return Err(Refusal::Fields);
        };
        // The percentage applies from the split form's date; when the team's split does
        // not stay whole with it, the split form asks the others and the date.
        let from = app.default_share_date(self.network)?;
        let shares = before.practices.iter().find(|p| Some(p.id) == self.id).map(|p| p.shares.clone());
        let mut practice = Practice {
            id: self.id.unwrap_or(PracticeId(0)),
            name,
            agb,
            iban,
            shares: shares.unwrap_or_default(),
            ion_counts,
        };
        if practice.share_on(from) != share || practice.shares.is_empty() {
            practice.set_share(from, share);
        }
        let mut team = before.clone();
        merge_pending(&mut team.practices, Some(&practice));
        if team.validate().is_err() {
            app.warn("De percentages tellen niet op tot 100 %: pas de verdeling aan en sla op met Enter.");
            return Ok(Saved::Next(FormKind::Shares(self.network, Some(Box::new(practice)))));
        }
        store.save_practice_team(&app.ctx(), &team)?;
        app.push_undo(UndoOp::Team(before));
        Ok(Saved::Done(format!("Praktijk {} opgeslagen.", practice.name)))
    }
}
