//! Pane 4, Signalen: everything due or overdue, oldest first; Enter goes to the thing.

use chrono::NaiveDate;

use crate::domain::signals::{Signal, SignalTarget};
use crate::store::{Store, StoreError};

use super::list::{Selection, visible};
use super::{Action, App, Pane};

#[derive(Default)]
pub struct SignalsPane {
    /// Shared with every session on Signalen (see `Store::signals_shared`).
    pub rows: std::sync::Arc<Vec<Signal>>,
    pub selection: Selection,
}

impl SignalsPane {
    pub(crate) fn load(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        self.rows = store.signals_shared(today)?;
        self.selection.clamp(self.visible().len());
        Ok(())
    }

    pub fn visible(&self) -> Vec<usize> {
        visible(&self.selection.filter, self.rows.iter().map(|s| format!("{} {}", s.subject, s.text)))
    }

    pub fn selected(&self) -> Option<&Signal> {
        self.visible().get(self.selection.index).map(|i| &self.rows[*i])
    }
}

impl App {
    pub(super) fn signals_action(&mut self, action: Action) {
        let len = self.signals.visible().len();
        let page = self.page();
        let selection = &mut self.signals.selection;
        match action {
            action if selection.apply(action, page, len) => {}
            Action::Open => {
                if let Some(target) = self.signals.selected().map(|s| s.target) {
                    self.jump(target);
                }
            }
            _ => {}
        }
    }

    /// Goes to what a signal is about.
    pub(super) fn jump(&mut self, target: SignalTarget) {
        match target {
            SignalTarget::Network(id) => {
                self.networks.select(id);
                self.networks.in_detail = false;
                let _ = self.networks.load_detail(&self.store);
                self.show_pane(Pane::Networks);
            }
            SignalTarget::Agreement(_, id) => {
                self.agreements.select(id);
                self.show_pane(Pane::Agreements);
            }
            SignalTarget::Hours(network, month) => {
                self.budget.network = Some(network);
                self.budget.quarter = month.quarter();
                self.budget.col = (month.month() as usize - 1) % 3;
                self.budget.row = 0;
                self.reload_budget();
                self.show_pane(Pane::Budget);
            }
            SignalTarget::Tariffs(_) => self.show_pane(Pane::Tariffs),
            SignalTarget::Milestones(id) => {
                self.networks.select(id);
                self.show_pane(Pane::Networks);
                self.open_milestones(id);
            }
            SignalTarget::Municipality(name, year) => self.show_municipality(name, year),
            SignalTarget::Close(network, quarter) => {
                self.budget.network = Some(network);
                self.budget.quarter = quarter;
                self.budget.row = 0;
                self.reload_budget();
                self.show_pane(Pane::Budget);
                self.open_close_screen(false);
            }
        }
    }
}
