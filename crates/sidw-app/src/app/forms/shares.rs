//! The split of the practice-team money over the practices, from a date; with a practice waiting
//! to be added or changed (from the practice form) when its percentage did not keep the split whole.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::validate::{check_percentages_sum, parse_percentage};
use crate::domain::{NetworkId, Practice};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{FieldKey, Fields, Form};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field, percent_text};

/// The fields of the split form: the date, and one percentage per practice of the team (in the
/// team's order, the waiting practice merged in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SharesField {
    From,
    Share(usize),
}

impl FieldKey for SharesField {
    fn slot(self) -> usize {
        match self {
            Self::From => 0,
            Self::Share(i) => 1 + i,
        }
    }

    fn from_slot(slot: usize) -> Option<Self> {
        Some(match slot {
            0 => Self::From,
            n => Self::Share(n - 1),
        })
    }

    /// A percentage's field is shown under its practice ([`share_label`]).
    fn label(self) -> &'static str {
        match self {
            Self::From => "Geldt vanaf",
            Self::Share(_) => "Percentage",
        }
    }
}

pub(super) struct SharesForm<'a> {
    pub network: NetworkId,
    pub pending: Option<&'a Practice>,
}

impl FormSpec for SharesForm<'_> {
    type Field = SharesField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let mut team = app.store.practice_team(self.network)?;
        merge_pending(&mut team.practices, self.pending);
        let from = app.default_share_date(self.network)?;
        let mut form = Form::new("Verdeling praktijkteamgeld (samen precies 100 %)").field(
            SharesField::From,
            &format_date(from),
            "dd-mm-jjjj (telt per kwartaal)",
        );
        for (i, p) in team.practices.iter().enumerate() {
            form = form.named_field(SharesField::Share(i), share_label(p), &percent_text(p.share_on(from)), "%");
        }
        Ok(form)
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, SharesField>) -> Result<Saved, Refusal<SharesField>> {
        let store = app.store.clone();
        let before = store.practice_team(self.network)?;
        let mut team = before.clone();
        merge_pending(&mut team.practices, self.pending);
        let from = form.read(SharesField::From, parse_date);
        let mut shares = Vec::with_capacity(team.practices.len());
        for (i, practice) in team.practices.iter_mut().enumerate() {
            // The waiting practice's percentage is in this form: its stored history counts.
            practice.shares =
                before.practices.iter().find(|p| p.id == practice.id).map_or(Vec::new(), |p| p.shares.clone());
            let key = SharesField::Share(i);
            if form.label(key) != Some(share_label(practice).as_str()) {
                return Err(Refusal::Form(format!(
                    "het praktijkteam is intussen gewijzigd ({}); Esc en opnieuw",
                    practice.name
                )));
            }
            shares.push(form.read(key, field(parse_percentage)));
        }
        let (Some(from), Some(shares)) = (from, shares.into_iter().collect::<Option<Vec<Decimal>>>()) else {
            return Err(Refusal::Fields);
        };
        check_percentages_sum(&shares).map_err(|error| Refusal::Form(error.message))?;
        for (practice, share) in team.practices.iter_mut().zip(shares) {
            if practice.share_on(from) != share {
                practice.set_share(from, share);
            }
        }
        team.validate().map_err(|error| Refusal::Form(error.to_string()))?;
        store.save_practice_team(&app.ctx(), &team)?;
        app.push_undo(UndoOp::Team(before));
        Ok(Saved::Done("Praktijkteam en verdeling opgeslagen.".into()))
    }
}

impl App {
    /// The date the split form offers for a new split: the first day of the current quarter, or
    /// of the first quarter after the network's last closed one when that is later (a closed
    /// quarter keeps its split). A team without shares yet starts with the network's funding.
    pub(super) fn default_share_date(&self, network: NetworkId) -> Result<NaiveDate, StoreError> {
        let store = self.store();
        let today = crate::domain::Quarter::of_date(self.today());
        let start = if store.practice_team(network)?.share_dates().is_empty() {
            store.network(network)?.funding_start.map_or(today, crate::domain::Quarter::of_date).min(today)
        } else {
            today
        };
        store.first_open_share_date(network, start)
    }
}

/// A practice's field in the split form: name and AGB code, unique even when names repeat.
fn share_label(practice: &Practice) -> String {
    format!("{} ({})", practice.name, practice.agb)
}

/// Adds the pending practice to the list, or puts it in place of the one with its id.
pub(super) fn merge_pending(practices: &mut Vec<Practice>, pending: Option<&Practice>) {
    let Some(pending) = pending else { return };
    match practices.iter_mut().find(|p| p.id == pending.id && pending.id.0 != 0) {
        Some(existing) => *existing = pending.clone(),
        None => practices.push(pending.clone()),
    }
}
