//! Overeenkomsten: every agreement with its dates, state and days overdue.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Cell, Row, Table, TableState};

use crate::app::App;
use crate::domain::AgreementState;
use crate::domain::calendar::format_date;

use super::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.agreements;
    let wide = area.width >= 96;
    let date = |d: Option<chrono::NaiveDate>| d.map(format_date).unwrap_or_default();
    let mut widths = vec![Constraint::Min(12)];
    if wide {
        widths.push(Constraint::Length(12));
    }
    widths.extend([
        Constraint::Min(14),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(7),
    ]);
    // Cut with an ellipsis where a column is too narrow (a table cuts silently).
    let columns = super::column_widths(area.width.saturating_sub(2), &widths, 1);
    let cut = |column: usize, text: &str| super::fit(text, columns.get(column).copied().unwrap_or(usize::MAX));
    let rows: Vec<Row> = pane
        .visible()
        .iter()
        .map(|i| {
            let r = &pane.rows[*i];
            let state_style = match r.state {
                AgreementState::TeLaat => theme.error(),
                AgreementState::Verstuurd => theme.warning(),
                AgreementState::Getekend => theme.ok(),
                _ => Style::new(),
            };
            let mut cells = vec![Cell::from(cut(0, &r.network))];
            if wide {
                cells.push(Cell::from(cut(1, r.agreement.kind.dutch_label())));
            }
            let party = usize::from(wide) + 1;
            cells.extend([
                Cell::from(cut(party, &r.party)),
                Cell::from(date(r.agreement.sent)),
                Cell::from(date(r.agreement.signed)),
                Cell::from(r.state.dutch_label()).style(state_style),
                Cell::from(if r.days_overdue > 0 { r.days_overdue.to_string() } else { String::new() })
                    .style(state_style),
            ]);
            Row::new(cells)
        })
        .collect();
    let mut header = vec!["Netwerk"];
    if wide {
        header.push("Soort");
    }
    header.extend(["Partij", "Verstuurd", "Getekend", "Status", "Te laat"]);
    let overdue = pane.rows.iter().filter(|r| r.state == AgreementState::TeLaat).count();
    let title = format!(
        " Overeenkomsten ({}) · {} te laat · {} · getekend retour binnen 1 maand ",
        pane.visible().len(),
        overdue,
        pane.sort.label()
    );
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1)
        .block(Block::bordered().title(super::fit(&title, usize::from(area.width.saturating_sub(2)))));
    let mut state = TableState::default().with_selected((!pane.visible().is_empty()).then_some(pane.selection.index));
    frame.render_stateful_widget(table, area, &mut state);
    if pane.rows.is_empty() {
        super::empty_note(frame, area, "Nog geen overeenkomsten: n maakt er een.", theme.dim());
    }
}
