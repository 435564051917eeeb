//! Kwartaalbudget: the hours grid of one network and quarter beside its budget.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};
use rust_decimal::Decimal;

use crate::app::{App, BudgetView, Mode};
use crate::domain::budget::{BudgetLevel, PartnerBudget};
use crate::domain::calendar::MONTH_ABBREVIATIONS;
use crate::domain::money::{format_eur, format_eur_signed};

use super::{Theme, fit, fit_end};

fn hours_text(hours: Decimal) -> String {
    if hours.is_zero() { String::new() } else { hours.normalize().to_string().replace('.', ",") }
}

/// Column widths of the grid (besides the names).
const MONTH: u16 = 6;
const WORTH: u16 = 12;
const TEAM: u16 = 12;
const INVOICE: u16 = 11;
/// Names are not cut below this while another column can make room.
const MIN_NAME: u16 = 12;
/// The summary beside the grid.
const SUMMARY: u16 = 40;

/// Which columns the grid shows at a width, and how wide its names are. From 90 grid columns the
/// practice-team part has a column of its own ("+praktijkt."); below, the legend line gives it.
/// When the width is short, the invoice and then the worth column go before the names are cut
/// below [`MIN_NAME`]; the months (where hours are typed) always show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GridColumns {
    name: u16,
    worth: bool,
    team: bool,
    invoice: bool,
}

impl GridColumns {
    fn at(width: u16, longest_name: u16) -> Self {
        let inner = width.saturating_sub(2);
        let mut columns = Self { name: 0, worth: true, team: width >= 90, invoice: true };
        loop {
            let fixed = 3 * MONTH
                + u16::from(columns.worth) * WORTH
                + u16::from(columns.team) * TEAM
                + u16::from(columns.invoice) * INVOICE;
            let gaps = 3 + u16::from(columns.worth) + u16::from(columns.team) + u16::from(columns.invoice);
            let room = inner.saturating_sub(fixed + gaps);
            let last = !columns.team && !columns.invoice && !columns.worth;
            if room >= MIN_NAME.min(longest_name) || last {
                columns.name = room.min(longest_name).max(1);
                return columns;
            }
            if columns.team {
                columns.team = false;
            } else if columns.invoice {
                columns.invoice = false;
            } else {
                columns.worth = false;
            }
        }
    }

    /// Every column shows, and the names are whole.
    fn complete(self, longest_name: u16) -> bool {
        self.name >= longest_name && self.worth && self.invoice
    }
}

fn partner_label(partner: &crate::domain::Partner) -> String {
    format!("{} ({})", partner.name, partner.category.letter())
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Drawn from the live view: with a number being typed, every figure is the domain's sum with
    // that number in the cell.
    let Some(view) = app.live_view() else {
        let block = Block::bordered().title(" Kwartaalbudget ");
        let text = "Nog geen netwerk gekozen: n kiest er een (of :netwerk NAAM).";
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }).block(block).style(theme.dim()),
            area,
        );
        return;
    };
    let longest =
        view.partners.iter().map(|p| partner_label(p).chars().count()).max().unwrap_or(0).clamp(14, 200) as u16;
    // Beside each other only when the grid keeps every column and whole names there.
    let side_by_side = area.width >= 110 && GridColumns::at(area.width - SUMMARY, longest).complete(longest);
    let summary_height = 9 + view.practice_money.len() as u16;
    let (grid_area, summary_area) = if side_by_side {
        let [grid, summary] = Layout::horizontal([Constraint::Min(50), Constraint::Length(SUMMARY)]).areas(area);
        (grid, summary)
    } else {
        // The grid keeps at least its borders, header, one row and the totals (so that the cell
        // being typed stays visible on a small screen); the summary gets the rest.
        let grid_wanted = view.partners.len() as u16 + 5;
        let [grid, summary] = if area.height >= grid_wanted + summary_height {
            // Room for both: the grid as tall as its rows, the summary the rest.
            Layout::vertical([Constraint::Length(grid_wanted), Constraint::Min(0)]).areas(area)
        } else {
            let grid_least = 5;
            let summary = summary_height
                .min(area.height / 2)
                .max(6)
                .min(area.height.saturating_sub(grid_least))
                .max(3)
                .min(area.height.saturating_sub(4));
            Layout::vertical([Constraint::Min(0), Constraint::Length(summary)]).areas(area)
        };
        (grid, summary)
    };
    draw_grid(frame, grid_area, app, &view, theme, GridColumns::at(grid_area.width, longest));
    draw_summary(frame, summary_area, app, &view, theme, side_by_side);
}

fn draw_grid(frame: &mut Frame, area: Rect, app: &App, view: &BudgetView, theme: &Theme, columns: GridColumns) {
    let pane = &app.budget;
    let months = pane.quarter.months();
    let editing = match &app.mode {
        Mode::CellEdit(edit) => Some(edit),
        _ => None,
    };
    let title = match &view.closed {
        Some(_) => format!(" {} · {} · AFGESLOTEN · a: afsluiting ", view.network.name, pane.quarter),
        None => format!(" {} · {} · [ ] kwartaal · n netwerk ", view.network.name, pane.quarter),
    };
    let title = fit(&title, usize::from(area.width.saturating_sub(2)));
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    if let Some(problem) = &view.problem {
        frame.render_widget(
            Paragraph::new(problem.clone())
                .wrap(ratatui::widgets::Wrap { trim: true })
                .style(theme.warning())
                .block(block),
            area,
        );
        return;
    }
    let GridColumns { name: name_width, worth: show_worth, team: wide, invoice: show_invoice } = columns;
    let name_width = usize::from(name_width);
    let month_width = usize::from(MONTH);
    let mut rows: Vec<Row> = Vec::new();
    for (r, partner) in view.partners.iter().enumerate() {
        let mut cells = vec![Cell::from(fit(&partner_label(partner), name_width))];
        for (c, month) in months.iter().enumerate() {
            let is_cursor = r == pane.row && c == pane.col;
            let cell = match editing {
                Some(edit) if edit.row == r && edit.col == c => {
                    // The end of what is typed, with the cursor, stays visible.
                    Cell::from(Line::from(fit_end(&format!("{}▏", edit.text), month_width)).right_aligned())
                        .style(theme.editing())
                }
                _ => {
                    let lines = view.cell_lines(partner.id, *month);
                    let mut text = if lines.is_empty() && view.cell_nihil(partner.id, *month) {
                        "0".to_string()
                    } else {
                        hours_text(lines.iter().map(|l| l.hours).sum())
                    };
                    if lines.len() > 1 {
                        text.push('+');
                    }
                    if lines.iter().any(|l| l.paid_by_practice_team) {
                        text.push('*');
                    }
                    let style = if is_cursor && matches!(app.mode, Mode::Normal | Mode::Lines) {
                        theme.selected()
                    } else if is_cursor {
                        theme.selected_unfocused()
                    } else {
                        Style::new()
                    };
                    Cell::from(Line::from(fit(&text, month_width)).right_aligned()).style(style)
                }
            };
            cells.push(cell);
        }
        // The figure the invoice is checked against: the lines on the € 1,15.
        if show_worth {
            cells.push(Cell::from(
                Line::from(format_eur(view.invoiceable_worth(partner.id, pane.quarter))).right_aligned(),
            ));
        }
        if wide {
            let team = view.by_team_worth(partner.id, pane.quarter);
            let text = if team.is_zero() { String::new() } else { format_eur_signed(team) };
            cells.push(Cell::from(Line::from(text).right_aligned()));
        }
        if show_invoice {
            let (invoice, style) = invoice_state(view, partner.id, pane.quarter, theme);
            cells.push(Cell::from(fit(&invoice, usize::from(INVOICE))).style(style));
        }
        rows.push(Row::new(cells));
    }
    let invoiceable_total: Decimal = view.partners.iter().map(|p| view.invoiceable_worth(p.id, pane.quarter)).sum();
    let totals = Row::new(
        std::iter::once(Cell::from("Totaal"))
            .chain(
                months.iter().map(|m| {
                    Cell::from(Line::from(fit(&hours_text(view.month_hours(*m)), month_width)).right_aligned())
                }),
            )
            .chain(show_worth.then(|| Cell::from(Line::from(format_eur(invoiceable_total)).right_aligned())))
            .chain(wide.then(|| {
                let team = view.quarter_worth(pane.quarter) - invoiceable_total;
                Cell::from(
                    Line::from(if team.is_zero() { String::new() } else { format_eur_signed(team) }).right_aligned(),
                )
            }))
            .chain(show_invoice.then(|| Cell::from("")))
            .collect::<Vec<_>>(),
    )
    .style(theme.title());
    rows.push(totals);
    let header: Vec<Line> = std::iter::once(Line::from(fit("Partner (cat.)", name_width)))
        .chain(months.iter().map(|m| Line::from(MONTH_ABBREVIATIONS[m.month() as usize - 1]).right_aligned()))
        .chain(show_worth.then(|| Line::from("Waarde kw.").right_aligned()))
        .chain(wide.then(|| Line::from("+praktijkt.").right_aligned()))
        .chain(show_invoice.then(|| Line::from("Factuur")))
        .collect();
    let mut widths = vec![
        Constraint::Length(name_width as u16),
        Constraint::Length(MONTH),
        Constraint::Length(MONTH),
        Constraint::Length(MONTH),
    ];
    if show_worth {
        widths.push(Constraint::Length(WORTH));
    }
    if wide {
        widths.push(Constraint::Length(TEAM));
    }
    if show_invoice {
        widths.push(Constraint::Length(INVOICE));
    }
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header())).column_spacing(1).block(block);
    // The selected (or typed) row stays in view: rows shown = height − borders − header.
    let shown_rows = usize::from(area.height.saturating_sub(3)).max(1);
    let mut state = TableState::default();
    if pane.row + 1 > shown_rows {
        state = state.with_offset(pane.row + 1 - shown_rows);
    }
    frame.render_stateful_widget(table, area, &mut state);
    let legend = Rect {
        x: area.x + 1,
        y: area.y + area.height.saturating_sub(1),
        width: area.width.saturating_sub(2),
        height: 1,
    };
    if area.height > view.partners.len() as u16 + 4 {
        let text = if wide {
            " Waarde kw. = factuurbedrag (€ 1,15)  * praktijkteam  + meer regels  0 nihil ".to_string()
        } else {
            // The selected partner's practice-team part, which "Waarde kw." leaves out.
            let team = view.partners.get(pane.row).map_or(Decimal::ZERO, |p| view.by_team_worth(p.id, pane.quarter));
            let total = view.quarter_worth(pane.quarter) - invoiceable_total;
            format!(
                " * w.v./+ praktijkteam {} (kw. {}), niet in Waarde kw.  + meer regels  0 nihil ",
                format_eur(team),
                format_eur(total)
            )
        };
        frame.render_widget(Paragraph::new(fit(&text, usize::from(legend.width))).style(theme.dim()), legend);
    }
}

fn draw_summary(frame: &mut Frame, area: Rect, app: &App, view: &BudgetView, theme: &Theme, tall: bool) {
    let pane = &app.budget;
    let year = pane.quarter.year();
    let block = Block::bordered().title(format!(" Budget {year} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let row = |label: &str, amount: Decimal, style: Style| -> Line<'static> {
        let amount = format_eur(amount);
        let pad = width.saturating_sub(label.chars().count() + amount.chars().count()).max(1);
        Line::from(vec![Span::raw(label.to_string()), Span::raw(" ".repeat(pad)), Span::styled(amount, style)])
    };
    let mut lines = Vec::new();
    match view.budget {
        Some(budget) => {
            let rate = view.tariffs.as_ref().map_or(String::new(), |t| format_eur(t.partner_per_ion));
            lines.push(row(&format!("Partnerbudget ({rate}/ION)"), budget.budget, Style::new()));
            lines.push(row("Besteed", budget.spending.spent, Style::new()));
            lines.push(remaining_line(&budget, theme, width));
            if let Some(line) = preview_line(app, theme, width) {
                lines.push(line);
            }
            lines.push(row("Betaald door praktijkteam", budget.spending.paid_by_practice_team, theme.dim()));
        }
        None => {
            lines.push(Line::from(Span::styled(fit(&format!("Geen tarieven voor {year}."), width), theme.warning())))
        }
    }
    if usize::from(inner.height) < lines.len() {
        // A short screen: what remains (and, while typing, what the cell is worth) first.
        let remaining = if view.budget.is_some() { 2 } else { 0 };
        if remaining < lines.len() {
            let first = lines.remove(remaining);
            let preview = (remaining + 1 < lines.len() && app.preview().is_some()).then(|| lines.remove(remaining));
            lines.insert(0, first);
            if let Some(preview) = preview {
                lines.insert(1, preview);
            }
        }
    }
    if tall || inner.height as usize > lines.len() + 1 {
        if let Some(money) = view.quarter_money {
            lines.push(row(&format!("Praktijkteamgeld {}", pane.quarter), money, theme.title()));
        }
        for (name, amount) in &view.practice_money {
            lines.push(row(&format!("  {}", fit(name, width.saturating_sub(16))), *amount, Style::new()));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The remaining partner budget (of the live view: it follows a number being typed), amber from
/// 80 % spent, red at 100 %.
fn remaining_line(budget: &PartnerBudget, theme: &Theme, width: usize) -> Line<'static> {
    let (amount, level) = (budget.remaining(), budget.level());
    let label = match level {
        BudgetLevel::Normal => "Resterend",
        BudgetLevel::Amber => "Resterend (≥ 80 % besteed)",
        BudgetLevel::Red => "Resterend (op)",
    };
    let amount = format_eur(amount);
    let pad = width.saturating_sub(label.chars().count() + amount.chars().count()).max(1);
    Line::from(vec![
        Span::styled(label, theme.budget(level)),
        Span::raw(" ".repeat(pad)),
        Span::styled(amount, theme.budget(level)),
    ])
}

/// While typing: what the cell would be worth, or why the text is not a number yet.
fn preview_line(app: &App, theme: &Theme, width: usize) -> Option<Line<'static>> {
    let preview = app.preview()?;
    let text = match (&preview.error, preview.shortfall) {
        (Some(error), _) => return Some(Line::from(Span::styled(fit(error, width), theme.error()))),
        (None, Some(shortfall)) => {
            return Some(Line::from(Span::styled(
                fit(&format!("Tekort {} — bij opslaan: kiezen", format_eur(shortfall)), width),
                theme.error(),
            )));
        }
        (None, None) if preview.by_team => format!("Cel waard {} (praktijkteam)", format_eur(preview.worth)),
        (None, None) => format!("Cel waard {}", format_eur(preview.worth)),
    };
    Some(Line::from(Span::styled(fit(&text, width), theme.dim())))
}

/// The partner's invoice of the quarter against its hours: "klopt", the difference, the decision,
/// or "ontbreekt" when there are hours but no invoice.
fn invoice_state(
    view: &BudgetView,
    partner: crate::domain::PartnerId,
    quarter: crate::domain::Quarter,
    theme: &Theme,
) -> (String, Style) {
    use crate::domain::{InvoiceDecision, InvoiceMatch, invoice::match_invoice};
    let worth = view.invoiceable_worth(partner, quarter);
    match view.invoice_of(partner) {
        None if worth > Decimal::ZERO => ("ontbreekt".into(), theme.warning()),
        None => (String::new(), Style::new()),
        Some(invoice) => match &invoice.decision {
            InvoiceDecision::Approved { .. } => ("goedgekeurd".into(), theme.ok()),
            InvoiceDecision::Rejected { .. } => ("afgewezen".into(), theme.error()),
            InvoiceDecision::Open => match match_invoice(invoice.amount, worth) {
                InvoiceMatch::Klopt => ("klopt".into(), theme.ok()),
                InvoiceMatch::TeHoog(d) => (format_eur_signed(d), theme.error()),
                InvoiceMatch::TeLaag(d) => (format_eur_signed(-d), theme.error()),
            },
        },
    }
}
