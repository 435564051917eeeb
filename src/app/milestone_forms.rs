//! The forms of the milestones screen: the date a milestone was done, and a project plan.

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::milestones::MilestoneKind;
use crate::domain::validate::parse_required_text;
use crate::domain::{AgreementKind, Network, ProjectPlan, YearlyDuties};
use crate::store::StoreError;
use chrono::NaiveDate;

use super::App;
use super::form::Form;
use super::forms::{FormKind, Refusal, Saved, field, opt_date, show_date};

impl App {
    pub(super) fn build_milestone_form(&self, kind: &FormKind) -> Result<Form, StoreError> {
        Ok(match kind {
            FormKind::MilestoneDate(id, milestone) => {
                let n = self.store.network(*id)?;
                let m = &n.milestones;
                let (done, hint) = match milestone {
                    MilestoneKind::Intake => (m.intake, "dd-mm-jjjj, leeg = nog niet"),
                    MilestoneKind::ApplicationForm => (m.application_form, "dd-mm-jjjj, leeg = nog niet"),
                    MilestoneKind::FundingStart => {
                        (n.funding_start, "dd-mm-jjjj, leeg = volgt de getekende overeenkomst praktijkteam")
                    }
                    MilestoneKind::NetworkMeeting => (m.network_meeting, "binnen 6 maanden na start"),
                    MilestoneKind::Wijkplan => (m.wijkplan, "gedragen wijkplan, binnen 6 maanden na start"),
                    MilestoneKind::ReflectionReport(y) => (m.year(*y).reflection_report, "dd-mm-jjjj"),
                    MilestoneKind::EvaluationTalk(y) => (m.year(*y).evaluation_talk, "dd-mm-jjjj"),
                    MilestoneKind::FinancialAccounting(y) => (m.year(*y).financial_accounting, "dd-mm-jjjj"),
                    MilestoneKind::ProjectPlan(_) => (None, ""),
                };
                let label = if *milestone == MilestoneKind::FundingStart { "Start" } else { "Gedaan op" };
                Form::new(format!("{} — {}", milestone.label(), n.name)).field(label, &show_date(done), hint)
            }
            FormKind::ProjectPlan(id, plan) => {
                let n = self.store.network(*id)?;
                let plan = plan.as_deref();
                let title = match plan {
                    Some(p) => format!("Projectplan {} — {}", p.name, n.name),
                    None => format!("Nieuw projectplan — {}", n.name),
                };
                Form::new(title)
                    .field("Naam", &plan.map(|p| p.name.clone()).unwrap_or_default(), "het thema")
                    .field("Start", &plan.map(|p| format_date(p.start)).unwrap_or_default(), "dd-mm-jjjj")
                    .field("Einde", &plan.map(|p| format_date(p.end)).unwrap_or_default(), "bij voorkeur ≤ 1 jaar")
            }
            _ => unreachable!("only milestone forms come here"),
        })
    }

    pub(super) fn save_milestone_form(&mut self, form: &mut Form, kind: &FormKind) -> Result<Saved, Refusal> {
        let ctx = self.ctx();
        let store = self.store.clone();
        match kind {
            FormKind::MilestoneDate(id, milestone) => {
                let label = if *milestone == MilestoneKind::FundingStart { "Start" } else { "Gedaan op" };
                let date = form.parse(label, opt_date).ok_or(Refusal::Fields)?;
                if let Some(date) = date
                    && date > self.today()
                    && *milestone != MilestoneKind::FundingStart
                {
                    form.set_error(label, "ligt in de toekomst; vul de datum in waarop het gedaan is");
                    return Err(Refusal::Fields);
                }
                // Emptied, the start of funding follows the signed practice-team agreements again.
                let signed = store
                    .agreements(*id)?
                    .into_iter()
                    .filter(|a| a.kind == AgreementKind::PracticeTeam)
                    .filter_map(|a| a.signed)
                    .min();
                let set = |network: &mut Network| {
                    set_milestone(network, *milestone, date, signed);
                    Ok(())
                };
                let mut proposed = store.network(*id)?;
                set(&mut proposed)?;
                if let Err(error) = proposed.validate() {
                    form.set_error(label, error.message);
                    return Err(Refusal::Fields);
                }
                let (before, after) = store.change_network(&ctx, *id, set)?;
                self.push_network_undo(before, after.clone());
                let what = milestone.label();
                Ok(Saved::Done(match date {
                    Some(date) => format!("{what}: {} opgeslagen.", format_date(date)),
                    None if *milestone == MilestoneKind::FundingStart => match after.funding_start {
                        Some(start) => format!("{what} volgt de overeenkomst praktijkteam: {}.", format_date(start)),
                        None => format!("{what}: nog niet (geen getekende overeenkomst praktijkteam)."),
                    },
                    None => format!("{what}: leeggemaakt."),
                }))
            }
            FormKind::ProjectPlan(id, original) => {
                let name = form.parse("Naam", field(|t| parse_required_text("naam", t, 80)));
                let start = form.parse("Start", parse_date);
                let end = form.parse("Einde", parse_date);
                let (Some(name), Some(start), Some(end)) = (name, start, end) else {
                    return Err(Refusal::Fields);
                };
                let plan = ProjectPlan { name, start, end };
                if let Err(error) = plan.validate() {
                    form.set_error(if error.field == "einde" { "Einde" } else { "Naam" }, error.message);
                    return Err(Refusal::Fields);
                }
                let (before, after) = store.change_network(&ctx, *id, |network| {
                    let plans = &mut network.milestones.project_plans;
                    match original {
                        // Found again by name and dates: a colleague may have changed the list.
                        Some(original) => match plans.iter().position(|p| p == &**original) {
                            Some(i) => plans[i] = plan.clone(),
                            None => {
                                return Err(StoreError::Refused(format!(
                                    "projectplan {} is intussen gewijzigd of verwijderd door een collega; Esc en opnieuw",
                                    original.name
                                )));
                            }
                        },
                        None => plans.push(plan.clone()),
                    }
                    Ok(())
                })?;
                self.push_network_undo(before, after);
                if plan.is_longer_than_a_year() {
                    self.reload();
                    self.warn(format!(
                        "Projectplan {} opgeslagen; het loopt langer dan een jaar (het handboek raadt hooguit een jaar aan, dan evalueren en herzien).",
                        plan.name
                    ));
                    return Ok(Saved::Stay);
                }
                Ok(Saved::Done(format!("Projectplan {} opgeslagen.", plan.name)))
            }
            _ => unreachable!("only milestone forms come here"),
        }
    }
}

/// Sets the date a milestone was done (or the start of funding: typed in it is set; emptied it
/// follows `signed`, the earliest signed practice-team agreement).
fn set_milestone(network: &mut Network, milestone: MilestoneKind, date: Option<NaiveDate>, signed: Option<NaiveDate>) {
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
        MilestoneKind::ProjectPlan(_) => unreachable!("a project plan has its own form"),
    }
}
