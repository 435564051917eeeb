//! The milestones screen of a network: each milestone with its due date, done date and state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState};

use crate::app::milestones::MilestonesScreen;
use crate::domain::calendar::format_date;
use crate::domain::milestones::{MilestoneKind, MilestoneState};

use super::{Theme, fit};

/// `key_line`: the screen's keys, from the key table.
pub fn draw(frame: &mut Frame, area: Rect, screen: &MilestonesScreen, key_line: &str, theme: &Theme) {
    frame.render_widget(Clear, area);
    let n = &screen.network;
    let late = screen.rows.iter().filter(|m| m.state == MilestoneState::Overdue).count();
    let title = format!(" Mijlpalen {} — {} te laat ", n.name, late);
    let block =
        Block::bordered().title(Span::styled(fit(&title, usize::from(area.width.saturating_sub(2))), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [list, note, keys] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1), Constraint::Length(1)]).areas(inner);
    let wide = inner.width >= 100;
    let dash = || "—".to_string();
    let rows: Vec<Row> = screen
        .rows
        .iter()
        .map(|m| {
            let style = match m.state {
                MilestoneState::Overdue => theme.error(),
                MilestoneState::MetLate | MilestoneState::TooLong => theme.warning(),
                MilestoneState::Met => theme.ok(),
                MilestoneState::Open | MilestoneState::Planned | MilestoneState::Running | MilestoneState::Ended => {
                    Style::new()
                }
            };
            let mut cells = vec![
                Cell::from(m.label.clone()),
                Cell::from(m.due.map_or_else(dash, format_date)),
                Cell::from(m.done.map_or_else(dash, format_date)),
                Cell::from(m.state.dutch_label()).style(style),
            ];
            if wide {
                cells.push(Cell::from(m.note.clone()).style(theme.dim()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Min(22), Constraint::Length(10), Constraint::Length(10), Constraint::Length(19)];
    let mut header = vec!["Mijlpaal", "Uiterlijk", "Gedaan", "Stand"];
    if wide {
        widths.push(Constraint::Min(20));
        header.push("Opmerking");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1);
    let mut state = TableState::default().with_selected((!screen.rows.is_empty()).then_some(screen.selection));
    frame.render_stateful_widget(table, list, &mut state);
    let remark = screen.selected().map_or(String::new(), |m| match m.kind {
        MilestoneKind::ProjectPlan(_) => format!("{}: {} (start en einde)", m.label, m.note),
        _ if m.note.is_empty() => m.label.clone(),
        _ => format!("{}: {}", m.label, m.note),
    });
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(fit(&remark, usize::from(note.width)), theme.dim()))),
        note,
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(fit(key_line, usize::from(keys.width)), theme.key()))),
        keys,
    );
}
