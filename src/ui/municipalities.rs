//! Gemeenten: per municipality the S1 year (65+ insured, budget, award, cooperation agreements),
//! and below the selected one's proposed providers, networks and district nursing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use crate::app::App;
use crate::app::municipalities::MunicipalityRow;
use crate::domain::calendar::format_date;
use crate::domain::money::format_eur;
use crate::domain::municipality::AwardStatus;

use super::networks::group;
use super::{Theme, fit};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.municipalities;
    let detail_height = if area.height >= 20 { 8 } else { 5 };
    let [list, detail] = Layout::vertical([Constraint::Min(4), Constraint::Length(detail_height)]).areas(area);
    let visible = pane.visible();
    let dash = || "—".to_string();
    let widths = [
        Constraint::Min(12),
        Constraint::Length(7),
        Constraint::Length(12),
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(4),
    ];
    // Cut with an ellipsis where a column is too narrow (a table cuts silently).
    let columns = super::column_widths(list.width.saturating_sub(2), &widths, 1);
    let cut = |column: usize, text: String| fit(&text, columns.get(column).copied().unwrap_or(usize::MAX));
    let rows: Vec<Row> = visible
        .iter()
        .map(|i| {
            let r = &pane.rows[*i];
            let rec = r.record.as_ref();
            let award_style = match rec.map(|x| x.award) {
                _ if !r.signals.is_empty() => theme.error(),
                Some(AwardStatus::Toegekend) => theme.ok(),
                Some(AwardStatus::Afgewezen) => theme.warning(),
                _ => Style::new(),
            };
            Row::new(vec![
                Cell::from(cut(0, r.shown.clone())),
                Cell::from(cut(1, rec.and_then(|x| x.insured_65_plus).map_or_else(dash, |c| group(u64::from(c))))),
                Cell::from(cut(2, r.budget.map_or_else(dash, format_eur))),
                Cell::from(cut(3, rec.map_or("niets", |x| x.award.dutch_label()).to_string())).style(award_style),
                Cell::from(cut(4, rec.and_then(|x| x.award_date).map_or_else(dash, format_date))),
                Cell::from(cut(5, rec.and_then(|x| x.cooperation_agreement).map_or_else(dash, format_date))),
                Cell::from(cut(6, r.networks.len().to_string())),
            ])
        })
        .collect();
    let rate = pane
        .rate
        .as_ref()
        .map_or("S1-tarief ontbreekt (t)".to_string(), |r| format!("S1 {} per 65+", format_eur(r.per_insured_65_plus)));
    let title = format!(" Gemeenten {} · {rate} · totaal {} ", pane.year, format_eur(pane.total_budget()));
    let table = Table::new(rows, widths)
        .header(
            Row::new(["Gemeente", "65+", "S1-budget", "Toekenning", "Besluit", "Afspraken", "Netw"])
                .style(theme.header()),
        )
        .row_highlight_style(theme.selected())
        .column_spacing(1)
        .block(Block::bordered().title(fit(&title, usize::from(list.width.saturating_sub(2)))));
    let mut state = TableState::default().with_selected((!visible.is_empty()).then_some(pane.selection.index));
    frame.render_stateful_widget(table, list, &mut state);
    if visible.is_empty() {
        let text = if pane.rows.is_empty() {
            "Nog geen gemeenten: n legt S1-gegevens vast; netwerken brengen hun gemeente mee."
        } else {
            "Geen gemeente past op het filter."
        };
        super::empty_note(frame, list, text, theme.dim());
    }
    draw_detail(frame, detail, pane.selected(), theme);
}

fn draw_detail(frame: &mut Frame, area: Rect, row: Option<&MunicipalityRow>, theme: &Theme) {
    let block = Block::bordered().title(" Gemeente (e bewerkt) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(row) = row else { return };
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let info = &row.info;
    let region = info.medrie_region.map_or("buiten de Medrie-regio's".to_string(), |r| format!("regio {}", r.name()));
    let mut facts = vec![region, format!("CBS {}", info.cbs_code.as_deref().unwrap_or("onbekend"))];
    facts.push(if info.zk_regions.is_empty() {
        "geen ZK-regio".to_string()
    } else {
        format!("ZK-regio {}", info.zk_regions.join(", "))
    });
    if let Some(merger) = &info.merged_into {
        facts.push(format!("per {} opgegaan in {}", format_date(merger.from), merger.into));
    }
    lines.push(Line::from(Span::styled(fit(&facts.join(" · "), width), theme.dim())));
    for signal in &row.signals {
        lines.push(Line::from(Span::styled(fit(&format!("! {signal}"), width), theme.error())));
    }
    let providers = row.record.as_ref().map(|r| r.proposed_providers.join(", ")).unwrap_or_default();
    let providers = if providers.is_empty() { "—".to_string() } else { providers };
    lines.push(Line::from(fit(&format!("Voorgedragen wijkverpleging: {providers}"), width)));
    if row.networks.is_empty() {
        lines.push(Line::from(Span::styled("Geen netwerk in deze gemeente.", theme.dim())));
    }
    for n in &row.networks {
        let nursing = if n.district_nursing.is_empty() {
            "geen wijkverpleging als deelnemer".to_string()
        } else {
            format!("wijkverpleging (S1): {}", n.district_nursing.join(", "))
        };
        lines.push(Line::from(fit(&format!("{} ({}) — {nursing}", n.name, n.status.dutch_label()), width)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
