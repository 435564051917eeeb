//! Pane 4, Signalen: everything due or overdue, oldest first; Enter goes to the thing.

use chrono::NaiveDate;

use crate::domain::Scope;
use crate::domain::signals::{Signal, SignalTarget};
use crate::store::{SignalList, Store, StoreError};

use super::list::Selection;
use super::{Action, App, Pane};

/// Signalen as the store shares it (see `Store::signals_shared`: the rows with their filter
/// texts and counts, made once per change for every session), the selection, and the rows that
/// match the filter, kept for that filter; the view formats only the rows it draws (see
/// [`SignalsPane::window`]).
#[derive(Default)]
pub struct SignalsPane {
    /// Shared with every session on Signalen.
    list: std::sync::Arc<SignalList>,
    pub selection: Selection,
    /// The rows that match `filter`, kept until the filter or the rows change.
    matching: std::cell::RefCell<Option<(String, std::sync::Arc<[usize]>)>>,
    /// Rows formatted for drawing, counted for the tests.
    rows_drawn: std::cell::Cell<u64>,
    /// With a list of regions: the rows in them (indices into the shared list) and how many of
    /// those are overdue; `None`: every row.
    in_scope: Option<(std::sync::Arc<[usize]>, usize)>,
}

impl SignalsPane {
    /// Takes the shared list (made by the store once per change; a reload makes no text).
    /// With a list of regions, only their signals (the programme-wide ones only with every
    /// region: see `report::signals::sees`).
    pub(crate) fn load(&mut self, store: &Store, today: NaiveDate, scope: &Scope) -> Result<(), StoreError> {
        let list = store.signals_shared(today)?;
        let scoped = !scope.is_all();
        if !std::sync::Arc::ptr_eq(&list, &self.list) || scoped != self.in_scope.is_some() || scoped {
            self.list = list;
            self.matching.replace(None);
            self.in_scope = scoped.then(|| {
                let rows: std::sync::Arc<[usize]> = (0..self.list.rows().len())
                    .filter(|i| crate::report::signals::sees(scope, self.list.rows()[*i].region))
                    .collect();
                let overdue = rows.iter().filter(|i| self.list.rows()[**i].overdue).count();
                (rows, overdue)
            });
        }
        self.selection.clamp(self.visible().len());
        Ok(())
    }

    /// Every row, oldest due date first.
    pub fn rows(&self) -> &[std::sync::Arc<Signal>] {
        self.list.rows()
    }

    /// The shared list (its counts of all rows).
    pub fn list(&self) -> &SignalList {
        &self.list
    }

    /// How many of the rows the user sees are overdue.
    pub fn overdue(&self) -> usize {
        match &self.in_scope {
            Some((_, overdue)) => *overdue,
            None => self.list.overdue(),
        }
    }

    /// The indices of the rows that match the filter, in order: computed once per filter (a
    /// keystroke in the filter looks through the shared texts, formats nothing).
    pub fn visible(&self) -> std::sync::Arc<[usize]> {
        let filter = &self.selection.filter;
        if let Some((kept, rows)) = &*self.matching.borrow()
            && kept == filter
        {
            return rows.clone();
        }
        let words: Vec<String> = filter.to_lowercase().split_whitespace().map(str::to_string).collect();
        let texts = self.list.texts();
        let rows: std::sync::Arc<[usize]> = match (&self.in_scope, words.is_empty()) {
            (Some((rows, _)), true) => rows.clone(),
            (Some((rows, _)), false) => rows
                .iter()
                .copied()
                .filter(|i| texts.get(*i).is_some_and(|text| words.iter().all(|word| text.contains(word.as_str()))))
                .collect(),
            (None, true) => (0..self.list.rows().len()).collect(),
            (None, false) => texts
                .iter()
                .enumerate()
                .filter(|(_, text)| words.iter().all(|word| text.contains(word.as_str())))
                .map(|(i, _)| i)
                .collect(),
        };
        self.matching.replace(Some((filter.clone(), rows.clone())));
        rows
    }

    pub fn selected(&self) -> Option<&Signal> {
        self.visible().get(self.selection.index).map(|i| &*self.list.rows()[*i])
    }

    /// The rows a table of `height` rows shows: the first drawn (the selected row kept in view,
    /// at the bottom when it is below the first screen, as a table scrolls) and their indices.
    /// Each call counts the rows as drawn.
    pub fn window(&self, height: usize) -> (usize, Vec<usize>) {
        let visible = self.visible();
        let height = height.max(1);
        let first = self.selection.index.saturating_sub(height - 1).min(visible.len());
        let shown: Vec<usize> = visible[first..].iter().take(height).copied().collect();
        self.rows_drawn.set(self.rows_drawn.get() + shown.len() as u64);
        (first, shown)
    }

    /// Rows formatted for drawing since the pane was created.
    pub fn rows_drawn(&self) -> u64 {
        self.rows_drawn.get()
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
                if let Some(target) = self.signals.selected().map(|s| s.target.clone()) {
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
            SignalTarget::Municipality(name, year) => self.show_municipality(&name, year),
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
