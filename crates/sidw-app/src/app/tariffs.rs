//! Pane 5, Tarieven: the tariff table of each year.

use crate::domain::{TariffBook, TariffTable};

use super::forms::FormKind;
use super::list::Selection;
use super::{Action, App};

#[derive(Default)]
pub struct TariffsPane {
    pub tables: Vec<TariffTable>,
    pub selection: Selection,
}

impl TariffsPane {
    pub(crate) fn load(&mut self, book: &TariffBook) {
        self.tables = book.years().rev().filter_map(|y| book.for_year(y).ok().cloned()).collect();
        self.selection.clamp(self.tables.len());
    }

    pub fn selected(&self) -> Option<&TariffTable> {
        self.tables.get(self.selection.index)
    }
}

impl App {
    pub(super) fn tariffs_action(&mut self, action: Action) {
        let len = self.tariffs.tables.len();
        match action {
            Action::Up => self.tariffs.selection.up(len),
            Action::Down => self.tariffs.selection.down(len),
            Action::Home => self.tariffs.selection.home(),
            Action::End => self.tariffs.selection.end(len),
            Action::New => self.open_form(FormKind::Tariffs(None)),
            Action::Edit | Action::Open => match self.tariffs.selected().map(|t| t.year) {
                Some(year) => self.open_form(FormKind::Tariffs(Some(year))),
                None => self.open_form(FormKind::Tariffs(None)),
            },
            _ => {}
        }
    }
}
