//! The year report on screen (`:jaarverslag 2025`): what the secretariat hands the insurer, the
//! same rows as `sidw report year`: per network the practice-team money received and planned, the
//! partner budget, spent and unspent, the milestones met and missed; region totals and the total.

use crate::domain::Region;
use crate::report::year::{YearFigures, YearRow, grand_total, region_totals, rows_in};
use crate::store::StoreError;

use super::{Action, App, Mode};

/// A line of the report's table.
pub enum YearLine {
    /// The network row at this index of `rows`.
    Network(usize),
    Region(Region, YearFigures),
    Total(YearFigures),
}

pub struct YearReportScreen {
    pub year: i32,
    pub rows: Vec<YearRow>,
    pub lines: Vec<YearLine>,
    pub selection: usize,
}

impl YearReportScreen {
    /// The network of the selected line, when it is a network's.
    pub fn selected_row(&self) -> Option<&YearRow> {
        match self.lines.get(self.selection) {
            Some(YearLine::Network(i)) => self.rows.get(*i),
            _ => None,
        }
    }
}

impl App {
    pub(super) fn open_year_report(&mut self, year: i32) {
        match self.year_report(year) {
            Ok(screen) => self.mode = Mode::YearReport(Box::new(screen)),
            Err(error) => self.error(format!("Jaarverslag {year}: {error}")),
        }
    }

    fn year_report(&self, year: i32) -> Result<YearReportScreen, StoreError> {
        let rows = rows_in(&self.store, year, None, self.today(), &self.scope)?;
        let mut lines = Vec::new();
        for (region, total) in region_totals(&rows) {
            lines
                .extend(rows.iter().enumerate().filter(|(_, r)| r.region == region).map(|(i, _)| YearLine::Network(i)));
            lines.push(YearLine::Region(region, total));
        }
        lines.push(YearLine::Total(grand_total(&rows)));
        Ok(YearReportScreen { year, rows, lines, selection: 0 })
    }

    pub(super) fn year_report_input(&mut self, mut screen: Box<YearReportScreen>, action: Action) {
        let len = screen.lines.len();
        let page = self.page();
        match action {
            Action::Back => return,
            action if super::list::move_index(&mut screen.selection, action, page, len) => {}
            Action::PreviousQuarter | Action::NextQuarter => {
                let year = screen.year + if action == Action::NextQuarter { 1 } else { -1 };
                match self.year_report(year) {
                    Ok(next) => screen = Box::new(next),
                    Err(error) => self.error(format!("Jaarverslag {year}: {error}")),
                }
            }
            Action::Export => {
                let written = crate::report::year_workbook::xlsx_bytes(&screen.rows, screen.year, None)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| self.files.write_export(&format!("jaarverslag-{}.xlsx", screen.year), &bytes));
                match written {
                    Ok(path) => self.info(format!("Geschreven: {}.", path.display())),
                    Err(error) => self.error(error),
                }
            }
            _ => {}
        }
        self.mode = Mode::YearReport(screen);
    }
}
