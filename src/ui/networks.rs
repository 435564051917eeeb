//! Netwerken: the list of networks and the detail of the selected one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

use crate::app::{App, DetailItem};
use crate::domain::calendar::format_date;
use crate::domain::money::format_eur;
use crate::domain::{AgreementKind, Network};

use super::{Theme, fit};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // From 120 columns the list is as wide as its longest name and municipality need (up to
    // three fifths of the screen); below, 30 columns and the names cut with an ellipsis.
    let list_width = if area.width >= 120 {
        let (name, municipality) = longest(app);
        (name + municipality + 10 + 10 + 3 + 2).clamp(52, area.width * 3 / 5)
    } else {
        30
    };
    let [list, detail] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(area);
    draw_list(frame, list, app, theme);
    draw_detail(frame, detail, app, theme);
}

/// The longest network name and municipality (at least their headers).
fn longest(app: &App) -> (u16, u16) {
    let rows = &app.networks.rows;
    let name = rows.iter().map(|r| r.network.name.chars().count()).max().unwrap_or(0).max(7);
    let municipality = rows.iter().map(|r| r.network.municipality.chars().count()).max().unwrap_or(0).max(8);
    (name.min(80) as u16, municipality.min(40) as u16)
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.networks;
    let wide = area.width >= 50;
    let widths: Vec<Constraint> = if wide {
        let (_, municipality) = longest(app);
        vec![
            Constraint::Min(16),
            Constraint::Length(municipality.max(11)),
            Constraint::Length(10),
            Constraint::Length(10),
        ]
    } else {
        vec![Constraint::Min(14), Constraint::Length(10)]
    };
    let columns = super::column_widths(area.width.saturating_sub(2), &widths, 1);
    let rows: Vec<Row> = pane
        .visible()
        .iter()
        .map(|i| {
            let r = &pane.rows[*i];
            let mut cells = vec![r.network.name.clone()];
            if wide {
                cells.push(r.network.municipality.clone());
                cells.push(r.network.region.name().to_string());
            }
            cells.push(r.network.status.dutch_label().to_string());
            Row::new(super::fit_cells(cells, &columns))
        })
        .collect();
    let title = format!(" Netwerken ({}) · {} ", pane.visible().len(), pane.sort.label());
    let highlight = if pane.in_detail { theme.selected_unfocused() } else { theme.selected() };
    let table = Table::new(rows, widths)
        .header(
            Row::new(if wide { vec!["Netwerk", "Gemeente", "Regio", "Status"] } else { vec!["Netwerk", "Status"] })
                .style(theme.header()),
        )
        .row_highlight_style(highlight)
        .block(Block::bordered().title(title));
    let mut state = TableState::default().with_selected((!pane.visible().is_empty()).then_some(pane.selection.index));
    frame.render_stateful_widget(table, area, &mut state);
    if pane.visible().is_empty() {
        let text = if pane.rows.is_empty() {
            "Nog geen netwerken: n maakt er een."
        } else {
            "Geen netwerk past op het filter."
        };
        super::empty_note(frame, area, text, theme.dim());
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.networks;
    let block = Block::bordered().title(" Detail ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (Some(row), Some(detail)) = (pane.selected(), &pane.detail) else { return };
    let n = &row.network;
    let width = usize::from(inner.width);
    let today = app.today();
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = None;
    let gez = if n.former_gez_owz { " · voormalig GEZ/OWZ" } else { "" };
    lines.push(Line::from(Span::styled(
        fit(
            &format!("{} — {} (regio {}) · {}{gez}", n.name, n.municipality, n.region.name(), n.status.dutch_label()),
            width,
        ),
        theme.title(),
    )));
    lines.push(Line::from(fit(&funding(n), width)));
    if !n.postcodes.is_empty() {
        let codes: Vec<String> = n.postcodes.iter().map(|p| p.to_string()).collect();
        lines.push(Line::from(fit(&format!("Postcodes: {}", codes.join(" ")), width)));
    }
    let coordinator = if n.coordinator.name.is_empty() {
        "—".to_string()
    } else {
        format!("{} {} {}", n.coordinator.name, n.coordinator.email, n.coordinator.phone)
    };
    lines.push(Line::from(fit(&format!("Kartrekker: {}", coordinator.trim()), width)));
    if !n.district_manager.is_empty() {
        lines.push(Line::from(fit(&format!("Wijkmanager: {}", n.district_manager), width)));
    }
    let core = &n.core_team;
    let dash = |s: &str| if s.is_empty() { "—".to_string() } else { s.to_string() };
    lines.push(Line::from(fit(
        &format!(
            "Kernteam: huisarts {} · sociaal domein {} · wijkverpleging {}",
            dash(&core.gp_practices),
            dash(&core.social_domain),
            dash(&core.district_nursing)
        ),
        width,
    )));
    lines.extend(milestones(n, today, theme, width));

    let ion = detail.team.total_ion_on(today);
    lines.push(Line::from(Span::styled(format!("Praktijkteam · {} ION", group(ion)), theme.header())));
    if detail.team.practices.is_empty() {
        lines.push(Line::from(Span::styled("  geen praktijken (p voegt toe)", theme.dim())));
    }
    let items = pane.detail_items();
    let is_selected = |item: DetailItem| pane.in_detail && items.get(pane.detail_index) == Some(&item);
    // A quarter uses the split in force on its first day (SPEC §9): this quarter's.
    let split_day = crate::domain::Quarter::of_date(today).first_day();
    for (i, p) in detail.team.practices.iter().enumerate() {
        let count = p.ion_on(today).map_or("geen ION".to_string(), |c| {
            format!("{} ION ({})", group(u64::from(c.count)), format_date(c.reference_date))
        });
        let mut text = format!("  {}  {} %  {}", p.name, percent(p.share_on(split_day)), count);
        if width >= 64 {
            text.push_str(&format!("  AGB {}  {}", p.agb, p.iban));
        }
        if is_selected(DetailItem::Practice(i)) {
            selected_line = Some(lines.len());
        }
        lines.push(item_line(text, width, is_selected(DetailItem::Practice(i)), theme));
    }
    lines.extend(split_history(&detail.team, split_day, theme, width));
    lines.push(Line::from(Span::styled("Zorgverleners met declaratierecht", theme.header())));
    if detail.partners.is_empty() {
        lines.push(Line::from(Span::styled("  geen (z voegt toe)", theme.dim())));
    }
    let tariffs = app.tariff_book.for_year(app.budget.quarter.year()).ok();
    for (i, p) in detail.partners.iter().enumerate() {
        let rate = tariffs.map_or(String::new(), |t| format_eur(t.hourly(p.category)));
        let agreement = detail
            .agreements
            .iter()
            .filter(|a| a.kind == AgreementKind::Partner && a.partner == Some(p.id))
            .map(|a| a.state(today).dutch_label())
            .next_back()
            .unwrap_or("geen overeenkomst");
        let warn = if p.discipline.risks_double_funding() { " ⚠ dubbelfinanciering" } else { "" };
        let text = format!(
            "  {}  {} {}  {}  {}{warn}",
            p.name,
            p.category.letter(),
            rate,
            agreement,
            p.discipline.dutch_label()
        );
        if is_selected(DetailItem::Partner(i)) {
            selected_line = Some(lines.len());
        }
        lines.push(item_line(text, width, is_selected(DetailItem::Partner(i)), theme));
    }
    lines.push(Line::from(Span::styled("Deelnemers zonder declaratierecht", theme.header())));
    if detail.participants.is_empty() {
        lines.push(Line::from(Span::styled("  geen (d voegt toe)", theme.dim())));
    }
    for (i, p) in detail.participants.iter().enumerate() {
        let text = format!("  {}  {}  {}", p.name, p.kind.dutch_label(), p.contact);
        if is_selected(DetailItem::Participant(i)) {
            selected_line = Some(lines.len());
        }
        lines.push(item_line(text, width, is_selected(DetailItem::Participant(i)), theme));
    }
    let height = usize::from(inner.height);
    let scroll = selected_line.map_or(0, |line| line.saturating_sub(height.saturating_sub(2)));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}

fn item_line(text: String, width: usize, selected: bool, theme: &Theme) -> Line<'static> {
    let style = if selected { theme.selected() } else { Style::new() };
    Line::from(Span::styled(fit(&text, width), style))
}

fn funding(n: &Network) -> String {
    match (n.funding_start, n.funding_end) {
        (None, _) => "Financiering: nog niet gestart".into(),
        (Some(start), None) => format!("Financiering sinds {}", format_date(start)),
        (Some(start), Some(end)) => format!("Financiering {} t/m {}", format_date(start), format_date(end)),
    }
}

fn milestones(n: &Network, today: chrono::NaiveDate, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let m = &n.milestones;
    let mark = |done: Option<chrono::NaiveDate>| done.map_or("—".to_string(), format_date);
    let text = format!(
        "Mijlpalen: intake {} · aanmelding {} · bijeenkomst {} · wijkplan {}",
        mark(m.intake),
        mark(m.application_form),
        mark(m.network_meeting),
        mark(m.wijkplan)
    );
    let late: Vec<String> = crate::domain::milestones::milestones(n, today)
        .into_iter()
        .filter(|m| m.state == crate::domain::milestones::MilestoneState::Overdue)
        .map(|m| m.label)
        .collect();
    let style = if late.iter().any(|l| l.contains("netwerkbijeenkomst") || l.contains("wijkplan")) {
        theme.error()
    } else {
        Style::new()
    };
    let mut lines = vec![Line::from(Span::styled(fit(&text, width), style))];
    if !late.is_empty() {
        let text = format!("! te laat: {} (m: mijlpalen)", late.join(", "));
        lines.push(Line::from(Span::styled(fit(&text, width), theme.error())));
    }
    lines
}

/// 7000 → "7.000".
pub(crate) fn group(n: u64) -> String {
    crate::domain::money::group_thousands(&n.to_string())
}

fn percent(share: rust_decimal::Decimal) -> String {
    share.normalize().to_string().replace('.', ",")
}

/// The practice team's splits by the date they start, when it has more than one: which one is in
/// force this quarter, which ones came before and which ones are still to come.
fn split_history(
    team: &crate::domain::PracticeTeam,
    split_day: chrono::NaiveDate,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let dates = team.share_dates();
    if dates.len() < 2 {
        return Vec::new();
    }
    let in_force = dates.iter().rev().find(|d| **d <= split_day).copied();
    let mut lines = vec![Line::from(Span::styled("  Verdeling praktijkteamgeld:", theme.dim()))];
    for date in dates {
        let label = match in_force {
            Some(d) if d == date => "geldt nu",
            _ if date > split_day => "later",
            _ => "eerder",
        };
        // In the order of the practices listed above: short enough for a narrow detail.
        let shares: Vec<String> = team.practices.iter().map(|p| percent(p.share_on(date))).collect();
        let text = format!("    vanaf {} ({label}): {} %", format_date(date), shares.join(" / "));
        let line = fit(&text, width);
        lines.push(if label == "geldt nu" { Line::from(line) } else { Line::from(Span::styled(line, theme.dim())) });
    }
    lines
}
