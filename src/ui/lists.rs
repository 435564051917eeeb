//! Signalen and Tarieven: lists with a detail line (Logboek is in `log.rs`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::app::App;
use crate::domain::calendar::format_date;
use crate::domain::money::format_eur;

use super::Theme;

pub fn signals(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.signals;
    let visible = pane.visible();
    let overdue = pane.rows.iter().filter(|s| s.overdue).count();
    let rows: Vec<Row> = visible
        .iter()
        .map(|i| {
            let s = &pane.rows[*i];
            let style = if s.overdue { theme.error() } else { theme.warning() };
            Row::new(vec![
                Cell::from(format_date(s.due)).style(style),
                Cell::from(s.subject.clone()),
                Cell::from(s.text.clone()),
            ])
        })
        .collect();
    let title = format!(" Signalen ({}) · {} te laat · oudste eerst ", visible.len(), overdue);
    let [area, detail] = Layout::vertical([Constraint::Min(4), Constraint::Length(4)]).areas(area);
    let text = pane.selected().map_or(String::new(), |s| format!("{} — {}", s.subject, s.text));
    let style = if pane.selected().is_some_and(|s| s.overdue) { theme.error() } else { Style::new() };
    frame.render_widget(
        Paragraph::new(text)
            .style(style)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Signaal (Enter: ga erheen) ")),
        detail,
    );
    let table = Table::new(rows, [Constraint::Length(10), Constraint::Length(18), Constraint::Min(20)])
        .header(Row::new(["Uiterlijk", "Onderwerp", "Signaal"]).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1)
        .block(Block::bordered().title(title));
    let mut state = TableState::default().with_selected((!visible.is_empty()).then_some(pane.selection.index));
    frame.render_stateful_widget(table, area, &mut state);
    if pane.rows.is_empty() {
        super::empty_note(frame, area, "Niets te laat of binnenkort.", theme.ok());
    }
}

pub fn tariffs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.tariffs;
    let rows: Vec<Row> = pane
        .tables
        .iter()
        .map(|t| {
            Row::new(vec![
                t.year.to_string(),
                format_eur(t.practice_team_per_ion),
                format_eur(t.partner_per_ion),
                format_eur(t.hourly_a),
                format_eur(t.hourly_b),
                format_eur(t.hourly_c),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(13),
            Constraint::Length(13),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(11),
        ],
    )
    .header(Row::new(["Jaar", "Praktijkteam", "Partners", "Uur A", "Uur B", "Uur C"]).style(theme.header()))
    .row_highlight_style(theme.selected())
    .column_spacing(1)
    .block(Block::bordered().title(" Tarieven per jaar (per ION per jaar; uurtarieven) "));
    let [top, bottom] = Layout::vertical([Constraint::Min(3), Constraint::Length(5)]).areas(area);
    let mut state = TableState::default().with_selected((!pane.tables.is_empty()).then_some(pane.selection.index));
    frame.render_stateful_widget(table, top, &mut state);
    let text = vec![
        Line::from("A: medici en/of WO opgeleid (huisarts, tandarts, verloskundige, psycholoog)"),
        Line::from("B: paramedici en/of HBO opgeleid (fysiotherapeut, ergotherapeut, diëtist)"),
        Line::from("C: overige zorgverleners (pedicure, leefstijlcoach)"),
    ];
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.dim())
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Categorieën ")),
        bottom,
    );
    if pane.tables.is_empty() {
        super::empty_note(frame, top, "Nog geen tarieven: n legt een jaar vast.", theme.warning());
    }
}
