//! The quarter close screen: checklist, payment lines with totals, and the keys to close.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState};

use crate::app::close::CloseScreen;
use crate::domain::close::total;
use crate::domain::money::format_eur;

use super::{Theme, fit};

/// `key_line`: the screen's keys, from the key table.
pub fn draw(frame: &mut Frame, area: Rect, screen: &CloseScreen, key_line: &str, theme: &Theme) {
    frame.render_widget(Clear, area);
    let names: Vec<&str> = screen.networks.iter().map(|n| n.network.name.as_str()).collect();
    let scope = if screen.region_wide {
        format!("regio, {}", crate::domain::dutch::count(names.len(), "netwerk", "netwerken"))
    } else {
        names.join(", ")
    };
    let state = if screen.all_closed() {
        "afgesloten".to_string()
    } else if screen.blocking() == 0 {
        "klaar om af te sluiten".to_string()
    } else {
        format!("{} open", crate::domain::dutch::count(screen.blocking(), "punt", "punten"))
    };
    let title = format!(" Kwartaalafsluiting {} — {scope} — {state} ", screen.quarter);
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [checks, payments, keys] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Min(4), Constraint::Length(1)]).areas(inner);

    let items = screen.items();
    let width = usize::from(checks.width.saturating_sub(4));
    let rows: Vec<Row> = items
        .iter()
        .map(|item| {
            let (mark, style) = match (item.ok, item.warning) {
                (false, _) => ("✗", theme.error()),
                (true, true) => ("!", theme.warning()),
                (true, false) => ("✓", theme.ok()),
            };
            let text =
                if screen.networks.len() > 1 { format!("{}: {}", item.network, item.text) } else { item.text.clone() };
            Row::new(vec![
                Cell::from(mark).style(style),
                Cell::from(fit(&text, width)).style(if item.ok && !item.warning { Style::new() } else { style }),
            ])
        })
        .collect();
    let table = Table::new(rows, [Constraint::Length(1), Constraint::Min(10)])
        .row_highlight_style(theme.selected())
        .block(Block::bordered().title(if crate::store::to_acknowledge(&screen.networks).is_empty() {
            " Checklist (Enter: ga erheen) "
        } else {
            " Checklist (Enter: ga erheen) · ! te laat: erkennen bij afsluiten "
        }));
    let mut state = TableState::default().with_selected((!items.is_empty()).then_some(screen.selection));
    frame.render_stateful_widget(table, checks, &mut state);

    let mut rows = Vec::new();
    // A fifth column once the bank has said something of a line on this screen.
    let with_bank = screen.bank.iter().any(|b| !b.is_empty());
    for (n, network) in screen.networks.iter().enumerate() {
        let bank = screen.bank.get(n).map(Vec::as_slice).unwrap_or_default();
        let status = match &network.closed {
            Some((_, batch)) => format!("batch {}", batch.number),
            None => "gepland".into(),
        };
        rows.push(Row::new(vec![
            Cell::from(fit(&network.network.name, 24)).style(theme.header()),
            Cell::from(status).style(theme.header()),
            Cell::from(if bank.is_empty() { "" } else { crate::domain::bank::BatchStatus::of(bank, true).dutch() })
                .style(theme.header()),
            Cell::from(Line::from(format_eur(total(&network.payments))).right_aligned()).style(theme.header()),
        ]));
        for (i, line) in network.payments.iter().enumerate() {
            let mut cells = vec![
                Cell::from(format!("  {}", line.kind.dutch_label())),
                Cell::from(fit(&line.payee, 30)),
                Cell::from(line.iban.to_string()),
                Cell::from(Line::from(format_eur(line.amount)).right_aligned()),
            ];
            if with_bank {
                cells.push(bank_cell(bank.get(i), theme));
            }
            rows.push(Row::new(cells));
        }
        for team in &network.by_team {
            rows.push(Row::new(vec![
                Cell::from("  (praktijkteam)").style(theme.dim()),
                Cell::from(fit(&format!("{} {}", team.partner, team.month.dutch_name()), 30)).style(theme.dim()),
                Cell::from("niet via secretariaat").style(theme.dim()),
                Cell::from(Line::from(format_eur(team.worth)).right_aligned()).style(theme.dim()),
            ]));
        }
        for listed in crate::app::close::listed_rows(network) {
            rows.push(Row::new(vec![
                Cell::from(format!("  {}", listed.kind)).style(theme.warning()),
                Cell::from(fit(&listed.payee, 30)),
                Cell::from(fit(&listed.note, 22)).style(theme.dim()),
                Cell::from(Line::from(format_eur(listed.amount)).right_aligned()).style(theme.warning()),
            ]));
        }
    }
    let title = format!(" Betalingen · totaal {} · PgUp/PgDn ", format_eur(screen.total()));
    let rows: Vec<Row> = rows.into_iter().skip(screen.payment_offset).collect();
    let mut widths = vec![Constraint::Length(16), Constraint::Min(14), Constraint::Length(22), Constraint::Length(13)];
    if with_bank {
        widths.push(Constraint::Length(21));
    }
    let table = Table::new(rows, widths).column_spacing(1).block(Block::bordered().title(title));
    frame.render_widget(table, payments);
    frame.render_widget(Paragraph::new(Span::styled(fit(key_line, usize::from(keys.width)), theme.key())), keys);
}

/// `betaald 02-05-2025`, `terug 06-05-2025 AC04` (a warning), or `open` (dim).
fn bank_cell<'a>(state: Option<&crate::domain::bank::LineState>, theme: &Theme) -> Cell<'a> {
    use crate::domain::bank::LineState;
    use crate::domain::calendar::format_date;
    match state {
        Some(LineState::Paid { date, .. }) => Cell::from(format!("betaald {}", format_date(*date))).style(theme.ok()),
        Some(LineState::Returned { date, reason, .. }) => {
            Cell::from(format!("terug {} {reason}", format_date(*date))).style(theme.error())
        }
        Some(LineState::Open) | None => Cell::from("open").style(theme.dim()),
    }
}
