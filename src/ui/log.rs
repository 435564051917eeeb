//! Pane 6, Logboek: the list of changes in Dutch (who, when, what, which record, old → new), the
//! selected change's fields below it, and Enter's whole entry (every field before and after).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::app::App;
use crate::report::log::{Described, changes_text, when};
use crate::store::audit::subject_text;

use super::{Theme, fit};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match app.log.described(app.store(), app.log.selection.index) {
        Some(entry) if app.log.open => whole(frame, area, &entry, app.log.scroll, theme),
        _ => list(frame, area, app, theme),
    }
}

fn list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.log;
    let [top, bottom] = Layout::vertical([Constraint::Min(5), Constraint::Length(6)]).areas(area);
    // Only the rows on screen are read into Dutch: a page at a time, the selected row on it.
    let height = usize::from(top.height.saturating_sub(3)).max(1);
    let start = pane.selection.index / height * height;
    let wide = area.width >= 120;
    // Column widths: when, who and what fixed; the record (and on a wide screen the changes)
    // share the rest. Every cell is cut to its column with an ellipsis.
    let inner = usize::from(area.width.saturating_sub(2));
    let (who, what) = if wide { (10, 22) } else { (8, 18) };
    let rest = inner.saturating_sub(16 + who + what + if wide { 4 } else { 3 });
    let (record, changes) = if wide { (rest * 2 / 5, rest - rest * 2 / 5 - 1) } else { (rest, 0) };
    // Who, when, what and which record come from the entry's head; only the changes column of
    // a wide screen reads the records before and after.
    let rows: Vec<Row> = pane
        .entries
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, head)| {
            let mut cells = vec![
                Cell::from(when(head.at)),
                Cell::from(fit(&head.user, who)),
                Cell::from(fit(&head.action, what)),
                Cell::from(fit(&subject_text(&head.subject), record)),
            ];
            if wide {
                let text = pane.changes_line(app.store(), i);
                cells.push(Cell::from(fit(&text, changes)));
            }
            Row::new(cells)
        })
        .collect();
    let more = if pane.truncated {
        format!(" ({} doorzocht; ↓ voorbij de laatste zoekt verder)", pane.searched)
    } else {
        String::new()
    };
    let noun = if pane.entries.len() == 1 { "regel" } else { "regels" };
    let title = format!(" Logboek · nieuwste eerst · {} {noun}{more} ", pane.entries.len());
    let length = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
    let mut widths = vec![length(16), length(who), length(what), length(record)];
    let mut header = vec!["Wanneer", "Wie", "Wat", "Onderwerp"];
    if wide {
        widths.push(length(changes));
        header.push("Wijzigingen");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1)
        .block(Block::bordered().title(title));
    let selected = (!pane.entries.is_empty()).then_some(pane.selection.index - start);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, top, &mut state);
    if pane.entries.is_empty() {
        let text = if pane.truncated {
            "Nog niets gevonden in het doorzochte deel: ↓ zoekt verder."
        } else if pane.selection.filter.is_empty() {
            "Het logboek is leeg."
        } else {
            "Geen regels passen op het filter."
        };
        super::empty_note(frame, top, text, theme.dim());
    }
    let width = usize::from(bottom.width.saturating_sub(2));
    let detail: Vec<Line> = match pane.described(app.store(), pane.selection.index) {
        Some(d) => {
            let mut lines = vec![Line::from(fit(&d.record, width))];
            if d.changes.is_empty() {
                lines.push(Line::styled("Geen velden gewijzigd.", theme.dim()));
            }
            lines.extend(d.changes.iter().map(|c| Line::from(fit(&changes_text(std::slice::from_ref(c)), width))));
            lines
        }
        None => vec![Line::from("Geen regels.")],
    };
    let unindexed =
        if pane.unindexed { " · een woord past op veel namen: het logboek zelf wordt doorzocht" } else { "" };
    frame.render_widget(
        Paragraph::new(detail).block(Block::bordered().title(fit(
            &format!(" Wijzigingen (Enter: hele regel){unindexed} "),
            usize::from(bottom.width.saturating_sub(2)),
        ))),
        bottom,
    );
}

/// The whole entry: who, when, what, which record, then every field before and after (changed
/// fields marked).
fn whole(frame: &mut Frame, area: Rect, d: &Described, scroll: usize, theme: &Theme) {
    let mut lines = vec![
        Line::from(vec![Span::styled("Wanneer    ", theme.dim()), Span::raw(d.when.clone())]),
        Line::from(vec![Span::styled("Wie        ", theme.dim()), Span::raw(d.user.clone())]),
        Line::from(vec![Span::styled("Wat        ", theme.dim()), Span::raw(d.action.clone())]),
        Line::from(vec![Span::styled("Onderwerp  ", theme.dim()), Span::raw(d.record.clone())]),
        Line::from(""),
    ];
    let mut labels: Vec<&str> = d.after.iter().map(|f| f.label.as_str()).collect();
    for field in &d.before {
        if !labels.contains(&field.label.as_str()) {
            labels.push(&field.label);
        }
    }
    // A side without the field shows —, a side without a record (new, removed) nothing.
    let value = |fields: &[crate::report::log::Field], label: &str| match fields.iter().find(|f| f.label == label) {
        Some(field) => field.value.clone(),
        None if fields.is_empty() => String::new(),
        None => "—".to_string(),
    };
    let inner = usize::from(area.width.saturating_sub(2));
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4).clamp(4, 34.max(inner / 3));
    let column = inner.saturating_sub(label_width + 4) / 2;
    let has = |side: &[crate::report::log::Field]| !side.is_empty();
    lines.push(Line::styled(
        format!(
            "{:<label_width$}   {:<column$} {}",
            "Veld",
            if has(&d.before) { "Voor" } else { "Voor (nieuw)" },
            if has(&d.after) { "Na" } else { "Na (verwijderd)" }
        ),
        theme.header(),
    ));
    for label in labels {
        let (before, after) = (value(&d.before, label), value(&d.after, label));
        let changed = d.changes.iter().any(|c| c.label == label);
        let marker = if changed { "•" } else { " " };
        let style = if changed { theme.warning() } else { Style::new() };
        lines.push(Line::styled(
            format!(
                "{:<label_width$} {marker} {:<column$} {}",
                fit(label, label_width),
                fit(&before, column),
                fit(&after, column.max(1))
            ),
            style,
        ));
    }
    let title = fit(" Logboekregel · • gewijzigd · ↑↓ schuiven · Esc terug ", inner);
    let visible = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(Block::bordered().title(title)),
        area,
    );
}
