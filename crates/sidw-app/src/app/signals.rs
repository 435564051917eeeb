//! Pane 4, Signalen: everything due or overdue, oldest first; Enter goes to the thing.

use chrono::NaiveDate;

use crate::domain::signals::{Signal, SignalTarget};
use crate::store::{Store, StoreError};

use super::list::Selection;
use super::{Action, App, Pane};

/// The rows of Signalen with what the filter and the view need, made once per load: the filter
/// text of each row (lower case) is kept, the rows that match the filter are kept for that filter,
/// and the view formats only the rows it draws (see [`SignalsPane::window`]).
#[derive(Default)]
pub struct SignalsPane {
    /// Shared with every session on Signalen (see `Store::signals_shared`).
    pub rows: std::sync::Arc<Vec<Signal>>,
    pub selection: Selection,
    /// "subject text" of each row in lower case, made when the rows are loaded.
    texts: Vec<String>,
    /// The rows that match `filter`, kept until the filter or the rows change.
    matching: std::cell::RefCell<Option<(String, std::sync::Arc<[usize]>)>>,
    /// Rows formatted for the filter (once per load) and for drawing, counted for the tests.
    texts_made: u64,
    rows_drawn: std::cell::Cell<u64>,
}

impl SignalsPane {
    pub(crate) fn load(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        self.rows = store.signals_shared(today)?;
        self.texts = self.rows.iter().map(|s| format!("{} {}", s.subject, s.text).to_lowercase()).collect();
        self.texts_made += self.rows.len() as u64;
        self.matching.replace(None);
        self.selection.clamp(self.visible().len());
        Ok(())
    }

    /// The indices of the rows that match the filter, in order: computed once per filter (a
    /// keystroke in the filter looks through the kept texts, formats nothing).
    pub fn visible(&self) -> std::sync::Arc<[usize]> {
        let filter = &self.selection.filter;
        if let Some((kept, rows)) = &*self.matching.borrow()
            && kept == filter
        {
            return rows.clone();
        }
        let words: Vec<String> = filter.to_lowercase().split_whitespace().map(str::to_string).collect();
        let rows: std::sync::Arc<[usize]> = self
            .texts
            .iter()
            .enumerate()
            .filter(|(_, text)| words.iter().all(|word| text.contains(word.as_str())))
            .map(|(i, _)| i)
            .collect();
        self.matching.replace(Some((filter.clone(), rows.clone())));
        rows
    }

    pub fn selected(&self) -> Option<&Signal> {
        self.visible().get(self.selection.index).map(|i| &self.rows[*i])
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

    /// Filter texts made since the pane was created (one per row per load).
    pub fn texts_made(&self) -> u64 {
        self.texts_made
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
