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
    // Counted once per change, with the shared list (not per frame).
    let overdue = pane.overdue();
    // From 120 columns the subject is as wide as the longest (up to 40); below, 18.
    let subject = if area.width >= 120 { pane.list().widest_subject().clamp(18, 40) as u16 } else { 18 };
    let widths = [Constraint::Length(10), Constraint::Length(subject), Constraint::Min(20)];
    let title = format!(" Signalen ({}) · {} te laat · oudste eerst ", visible.len(), overdue);
    let [area, detail] = Layout::vertical([Constraint::Min(4), Constraint::Length(4)]).areas(area);
    // Cut with an ellipsis where a column is too narrow; the whole signal is in the detail below.
    let columns = super::column_widths(area.width.saturating_sub(2), &widths, 1);
    // Only the rows that fit are formatted (borders and the header take three lines).
    let (first, shown) = pane.window(usize::from(area.height.saturating_sub(3)));
    let rows: Vec<Row> = shown
        .iter()
        .map(|i| {
            let s = &pane.rows()[*i];
            let style = if s.overdue { theme.error() } else { theme.warning() };
            let cells = super::fit_cells(vec![format_date(s.due), s.subject.clone(), s.text.clone()], &columns);
            Row::new(
                cells
                    .into_iter()
                    .enumerate()
                    .map(|(c, text)| if c == 0 { Cell::from(text).style(style) } else { Cell::from(text) }),
            )
        })
        .collect();
    let selected = pane.selected();
    let text = selected.map_or(String::new(), |s| format!("{} — {}", s.subject, s.text));
    let style = if selected.is_some_and(|s| s.overdue) { theme.error() } else { Style::new() };
    // Wrapped at spaces, never between € and its amount.
    let lines: Vec<Line> =
        super::wrap(&text, usize::from(detail.width.saturating_sub(2))).into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(lines).style(style).block(Block::bordered().title(" Signaal (Enter: ga erheen) ")),
        detail,
    );
    let table = Table::new(rows, widths)
        .header(Row::new(["Uiterlijk", "Onderwerp", "Signaal"]).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1)
        .block(Block::bordered().title(title));
    let mut state =
        TableState::default().with_selected((!shown.is_empty()).then_some(pane.selection.index.saturating_sub(first)));
    frame.render_stateful_widget(table, area, &mut state);
    if pane.rows().is_empty() {
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
