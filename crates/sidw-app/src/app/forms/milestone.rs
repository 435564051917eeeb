//! The date a milestone of a network was done (or the start of its funding).

use chrono::NaiveDate;

use crate::domain::calendar::format_date;
use crate::domain::milestones::MilestoneKind;
use crate::domain::{AgreementKind, Network, NetworkId, YearlyDuties};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved, opt_date, show_date};

form_fields! {
    pub(super) enum MilestoneField {
        /// Every milestone but the start of funding.
        Done => "Gedaan op",
        /// The start of funding.
        Start => "Start",
    }
}

pub(super) struct MilestoneForm {
    pub network: NetworkId,
    pub milestone: MilestoneKind,
}

impl MilestoneForm {
    fn key(&self) -> MilestoneField {
        if self.milestone == MilestoneKind::FundingStart { MilestoneField::Start } else { MilestoneField::Done }
    }
}

impl FormSpec for MilestoneForm {
    type Field = MilestoneField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        let n = app.store.network(self.network)?;
        let m = &n.milestones;
        let (done, hint) = match self.milestone {
            MilestoneKind::Intake => (m.intake, "dd-mm-jjjj, leeg = nog niet"),
            MilestoneKind::ApplicationForm => (m.application_form, "dd-mm-jjjj, leeg = nog niet"),
            MilestoneKind::FundingStart => {
                (n.funding_start, "dd-mm-jjjj, leeg = volgt de getekende overeenkomst praktijkteam")
            }
            MilestoneKind::NetworkMeeting => (m.network_meeting, "binnen 6 maanden na start"),
            MilestoneKind::Wijkplan => (m.wijkplan, "gedragen wijkplan, binnen 6 maanden na start"),
            MilestoneKind::ReflectionReport(y) => (m.year(y).reflection_report, "dd-mm-jjjj"),
            MilestoneKind::EvaluationTalk(y) => (m.year(y).evaluation_talk, "dd-mm-jjjj"),
            MilestoneKind::FinancialAccounting(y) => (m.year(y).financial_accounting, "dd-mm-jjjj"),
            MilestoneKind::ProjectPlan(_) => (None, ""),
        };
        Ok(Form::new(format!("{} — {}", self.milestone.label(), n.name)).field(self.key(), &show_date(done), hint))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, MilestoneField>) -> Result<Saved, Refusal<MilestoneField>> {
        let (id, milestone, key) = (self.network, self.milestone, self.key());
        let date = form.read(key, opt_date).ok_or(Refusal::Fields)?;
        if date.is_some_and(|date| date > app.today()) && milestone != MilestoneKind::FundingStart {
            return Err(Refusal::At(key, "ligt in de toekomst; vul de datum in waarop het gedaan is".into()));
        }
        let store = app.store.clone();
        // Emptied, the start of funding follows the signed practice-team agreements again.
        let signed = store
            .agreements(id)?
            .into_iter()
            .filter(|a| a.kind == AgreementKind::PracticeTeam)
            .filter_map(|a| a.signed)
            .min();
        let set = |network: &mut Network| set_milestone(network, milestone, date, signed);
        let mut proposed = store.network(id)?;
        set(&mut proposed)?;
        proposed.validate().map_err(|error| Refusal::At(key, error.message))?;
        let (before, after) = store.change_network(&app.ctx(), id, set)?;
        app.push_network_undo(before, after.clone());
        let what = milestone.label();
        Ok(Saved::Done(match date {
            Some(date) => format!("{what}: {} opgeslagen.", format_date(date)),
            None if milestone == MilestoneKind::FundingStart => match after.funding_start {
                Some(start) => format!("{what} volgt de overeenkomst praktijkteam: {}.", format_date(start)),
                None => format!("{what}: nog niet (geen getekende overeenkomst praktijkteam)."),
            },
            None => format!("{what}: leeggemaakt."),
        }))
    }
}

/// Sets the date a milestone was done (or the start of funding: typed in it is set; emptied it
/// follows `signed`, the earliest signed practice-team agreement). A project plan is refused: it
/// has its own form.
fn set_milestone(
    network: &mut Network,
    milestone: MilestoneKind,
    date: Option<NaiveDate>,
    signed: Option<NaiveDate>,
) -> Result<(), StoreError> {
    let m = &mut network.milestones;
    let in_year = |m: &mut crate::domain::Milestones, year: i32, set: fn(&mut YearlyDuties, Option<NaiveDate>)| {
        let mut duties = m.year(year);
        set(&mut duties, date);
        m.set_year(duties);
    };
    match milestone {
        MilestoneKind::Intake => m.intake = date,
        MilestoneKind::ApplicationForm => m.application_form = date,
        MilestoneKind::NetworkMeeting => m.network_meeting = date,
        MilestoneKind::Wijkplan => m.wijkplan = date,
        MilestoneKind::ReflectionReport(y) => in_year(m, y, |d, date| d.reflection_report = date),
        MilestoneKind::EvaluationTalk(y) => in_year(m, y, |d, date| d.evaluation_talk = date),
        MilestoneKind::FinancialAccounting(y) => in_year(m, y, |d, date| d.financial_accounting = date),
        MilestoneKind::FundingStart => {
            network.funding_start = date.or(signed);
            network.milestones.funding_start_derived = date.is_none() && signed.is_some();
        }
        MilestoneKind::ProjectPlan(_) => {
            return Err(StoreError::Refused("een projectplan heeft een eigen formulier (n of Enter)".into()));
        }
    }
    Ok(())
}
