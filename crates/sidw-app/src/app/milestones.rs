//! The milestones screen of a network (`m` in Netwerken, Enter on a milestone signal): every
//! milestone with its due date, done date and state; Enter sets a date, `n` adds a project plan,
//! `x` removes one.

use crate::domain::milestones::{Milestone, MilestoneKind, milestones};
use crate::domain::{Network, NetworkId, ProjectPlan};
use crate::store::StoreError;

use super::forms::FormKind;
use super::list::move_index;
use super::{Action, App, Confirm, ConfirmKind, Mode};

pub struct MilestonesScreen {
    pub network: Network,
    pub rows: Vec<Milestone>,
    pub selection: usize,
}

impl MilestonesScreen {
    pub fn selected(&self) -> Option<&Milestone> {
        self.rows.get(self.selection)
    }
}

impl App {
    /// Opens (or refreshes) the milestones screen of a network.
    pub(super) fn open_milestones(&mut self, id: NetworkId) {
        let selection = match &self.milestone_screen {
            Some(screen) if screen.network.id == id => screen.selection,
            _ => 0,
        };
        match self.load_milestones(id, selection) {
            Ok(screen) => {
                self.milestone_screen = Some(screen);
                self.mode = Mode::Milestones;
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    pub(super) fn load_milestones(&self, id: NetworkId, selection: usize) -> Result<MilestonesScreen, StoreError> {
        let network = self.store.network(id)?;
        // A network moved out of the user's regions (by a colleague) is gone for this user.
        if !self.scope.contains(network.region) {
            return Err(StoreError::NotFound(format!("netwerk {}", network.name)));
        }
        let rows = milestones(&network, self.today());
        let selection = selection.min(rows.len().saturating_sub(1));
        Ok(MilestonesScreen { network, rows, selection })
    }

    /// Reads the milestones screen again (a colleague may have saved); closes it when the network
    /// is gone.
    pub(super) fn refresh_milestones(&mut self) {
        let Some((id, selection)) = self.milestone_screen.as_ref().map(|s| (s.network.id, s.selection)) else {
            return;
        };
        match self.load_milestones(id, selection) {
            Ok(screen) => self.milestone_screen = Some(screen),
            Err(_) => {
                self.milestone_screen = None;
                if matches!(self.mode, Mode::Milestones) {
                    self.mode = Mode::Normal;
                }
            }
        }
    }

    /// Back to the milestones screen after one of its forms or questions, with fresh rows.
    pub(super) fn back_to_milestones(&mut self) {
        if let Some(id) = self.milestone_screen.as_ref().map(|s| s.network.id) {
            self.open_milestones(id);
        }
    }

    pub(super) fn milestones_input(&mut self, action: Action) {
        self.mode = Mode::Milestones;
        let page = self.page();
        let Some(screen) = self.milestone_screen.as_mut() else {
            self.mode = Mode::Normal;
            return;
        };
        let len = screen.rows.len();
        let id = screen.network.id;
        let selected = screen.selected().map(|m| m.kind);
        let gez = screen.network.former_gez_owz;
        let plan = match selected {
            Some(MilestoneKind::ProjectPlan(index)) => screen.network.milestones.project_plans.get(index).cloned(),
            _ => None,
        };
        match action {
            Action::Back => self.mode = Mode::Normal,
            action if move_index(&mut screen.selection, action, page, len) => {}
            Action::Edit => match selected {
                Some(MilestoneKind::ProjectPlan(_)) => self.open_form(FormKind::ProjectPlan(id, plan.map(Box::new))),
                Some(kind) => self.open_form(FormKind::MilestoneDate(id, kind)),
                None => {}
            },
            Action::New if gez => {
                self.info("Een voormalig GEZ/OWZ-netwerk heeft geen projectplannen bij Medrie (handboek bijlage 2).")
            }
            Action::New => self.open_form(FormKind::ProjectPlan(id, None)),
            // The undo reloads, which refreshes this screen (it is shown).
            Action::Undo => self.undo(),
            Action::Delete => {
                let Some(plan) = plan else {
                    self.info("Alleen een projectplan kan worden verwijderd; een datum maakt u leeg met Enter.");
                    return;
                };
                let Some(screen) = self.milestone_screen.as_ref() else { return };
                self.mode = Mode::Confirm(Confirm {
                    title: "Projectplan verwijderen?".into(),
                    lines: vec![format!("Projectplan {} van {}.", plan.name, screen.network.name)],
                    choices: vec![('j', "ja, verwijderen"), ('n', "nee")],
                    kind: ConfirmKind::DeleteProjectPlan(id, Box::new(plan)),
                });
            }
            _ => {}
        }
    }

    pub(super) fn delete_project_plan(&mut self, id: NetworkId, plan: &ProjectPlan) {
        let ctx = self.ctx();
        let result = self.store.change_network(&ctx, id, |network| {
            let plans = &mut network.milestones.project_plans;
            let Some(index) = plans.iter().position(|p| p == plan) else {
                return Err(StoreError::Refused(format!(
                    "projectplan {} is intussen gewijzigd of verwijderd door een collega",
                    plan.name
                )));
            };
            plans.remove(index);
            Ok(())
        });
        let result = result.map(|(before, after)| {
            self.push_network_undo(before, after);
            plan.name.clone()
        });
        match result {
            Ok(name) => {
                self.info(format!("Projectplan {name} verwijderd (u maakt het ongedaan)."));
                self.reload();
            }
            Err(error) => self.error(error.to_string()),
        }
        self.back_to_milestones();
    }
}
