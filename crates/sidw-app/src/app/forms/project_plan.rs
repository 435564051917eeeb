//! A project plan of a network: new, or this one (found again by name and dates on saving).

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::validate::parse_required_text;
use crate::domain::{NetworkId, ProjectPlan};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum ProjectPlanField {
        Name => "Naam",
        Start => "Start",
        End => "Einde",
    }
}

pub(super) struct ProjectPlanForm<'a> {
    pub network: NetworkId,
    /// The plan changed; `None` for a new one.
    pub original: Option<&'a ProjectPlan>,
}

impl FormSpec for ProjectPlanForm<'_> {
    type Field = ProjectPlanField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use ProjectPlanField as F;
        let n = app.store.network(self.network)?;
        let plan = self.original;
        let title = match plan {
            Some(p) => format!("Projectplan {} — {}", p.name, n.name),
            None => format!("Nieuw projectplan — {}", n.name),
        };
        Ok(Form::new(title)
            .field(F::Name, &plan.map(|p| p.name.clone()).unwrap_or_default(), "het thema")
            .field(F::Start, &plan.map(|p| format_date(p.start)).unwrap_or_default(), "dd-mm-jjjj")
            .field(F::End, &plan.map(|p| format_date(p.end)).unwrap_or_default(), "bij voorkeur ≤ 1 jaar"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, ProjectPlanField>) -> Result<Saved, Refusal<ProjectPlanField>> {
        use ProjectPlanField as F;
        let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 80)));
        let start = form.read(F::Start, parse_date);
        let end = form.read(F::End, parse_date);
        let (Some(name), Some(start), Some(end)) = (name, start, end) else {
            return Err(Refusal::Fields);
        };
        let plan = ProjectPlan { name, start, end };
        if let Err(error) = plan.validate() {
            return Err(Refusal::At(if error.field == "einde" { F::End } else { F::Name }, error.message));
        }
        let (before, after) = app.store.change_network(&app.ctx(), self.network, |network| {
            let plans = &mut network.milestones.project_plans;
            match self.original {
                // Found again by name and dates: a colleague may have changed the list.
                Some(original) => match plans.iter().position(|p| p == original) {
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
        app.push_network_undo(before, after);
        if plan.is_longer_than_a_year() {
            app.reload();
            app.warn(format!(
                "Projectplan {} opgeslagen; het loopt langer dan een jaar (het handboek raadt hooguit een jaar aan, dan evalueren en herzien).",
                plan.name
            ));
            return Ok(Saved::Stay);
        }
        Ok(Saved::Done(format!("Projectplan {} opgeslagen.", plan.name)))
    }
}
