//! The year report screen: a table of networks with region totals and the total, and the
//! selected network's detail (received and planned, open quarters, missed milestones).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState};

use crate::app::year_report::{YearLine, YearReportScreen};
use crate::domain::money::format_eur;
use crate::report::year::YearFigures;

use super::{Theme, fit};

/// `key_line`: the screen's keys, from the key table.
pub fn draw(frame: &mut Frame, area: Rect, screen: &YearReportScreen, key_line: &str, theme: &Theme) {
    frame.render_widget(Clear, area);
    let title = format!(" Jaarverslag {} · voor Zilveren Kruis · [ ] jaar ", screen.year);
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [list, detail, keys] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(5), Constraint::Length(1)]).areas(inner);
    let wide = inner.width >= 100;
    let amounts = |f: &YearFigures| -> Vec<String> {
        let practice = f.practice_team_received + f.practice_team_planned;
        let mut cells = if wide {
            vec![format_eur(f.practice_team_received), format_eur(f.practice_team_planned), format_eur(f.partners_paid)]
        } else {
            vec![format_eur(practice)]
        };
        cells.extend([
            format_eur(f.partner_budget),
            format_eur(f.partner_spent),
            format_eur(f.partner_unspent),
            format!("{}/{}", f.milestones_met, f.milestones_missed),
        ]);
        cells
    };
    let rows: Vec<Row> = screen
        .lines
        .iter()
        .map(|line| {
            let (name, figures, style) = match line {
                YearLine::Network(i) => {
                    let r = &screen.rows[*i];
                    let name = if r.former_gez_owz { format!("{} (GEZ/OWZ)", r.network) } else { r.network.clone() };
                    let style =
                        if r.figures.milestones_missed > 0 { theme.warning() } else { ratatui::style::Style::new() };
                    (name, &r.figures, style)
                }
                YearLine::Region(region, total) => (format!("totaal {}", region.name()), total, theme.header()),
                YearLine::Total(total) => ("totaal".to_string(), total, theme.title()),
            };
            let mut cells = vec![Cell::from(name).style(style)];
            cells.extend(amounts(figures).into_iter().map(|a| Cell::from(a).style(style)));
            Row::new(cells)
        })
        .collect();
    let mut header = vec!["Netwerk"];
    let mut widths = vec![Constraint::Min(14)];
    if wide {
        header.extend(["Ontvangen", "Gepland", "Partners bet."]);
        widths.extend([Constraint::Length(12), Constraint::Length(12), Constraint::Length(13)]);
    } else {
        header.push("Praktijkteam");
        widths.push(Constraint::Length(12));
    }
    header.extend(["Partnerbudget", "Besteed", "Niet besteed", "Mijlp."]);
    widths.extend([Constraint::Length(13), Constraint::Length(12), Constraint::Length(12), Constraint::Length(6)]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .row_highlight_style(theme.selected())
        .column_spacing(1);
    let mut state = TableState::default().with_selected(Some(screen.selection));
    frame.render_stateful_widget(table, list, &mut state);

    let text = match screen.selected_row() {
        Some(r) => {
            let f = &r.figures;
            let open = if r.open_quarters.is_empty() {
                "alle kwartalen afgesloten".to_string()
            } else {
                let quarters: Vec<String> = r.open_quarters.iter().map(|q| q.to_string()).collect();
                format!("open (gepland): {}", quarters.join(", "))
            };
            let missed = if r.missed.is_empty() { "geen".to_string() } else { r.missed.join(", ") };
            format!(
                "{}: praktijkteam ontvangen {}, gepland {} · partners betaald {}, gepland {} · door praktijkteam {} · {open} · mijlpalen gehaald {}, gemist: {missed}",
                r.network,
                format_eur(f.practice_team_received),
                format_eur(f.practice_team_planned),
                format_eur(f.partners_paid),
                format_eur(f.partners_planned),
                format_eur(f.paid_by_practice_team),
                f.milestones_met,
            )
        }
        None => "Praktijkteam = ontvangen + gepland (open kwartalen). Mijlp. = op tijd gehaald / gemist (te laat) in het jaar.".into(),
    };
    // Wrapped at spaces, never between € and its amount.
    let lines: Vec<Line> = super::wrap(&text, usize::from(detail.width)).into_iter().map(Line::from).collect();
    frame.render_widget(Paragraph::new(lines).style(theme.dim()), detail);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(fit(key_line, usize::from(keys.width)), theme.key()))),
        keys,
    );
}
