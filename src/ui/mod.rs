//! ratatui views: draw the app state into a frame. Nothing here changes the app.

mod agreements;
mod budget;
mod close;
pub mod keymap;
mod lists;
mod log;
mod milestones;
mod municipalities;
mod networks;
mod overlays;
pub mod theme;
mod year_report;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{App, MessageKind, Mode, Pane};
pub use theme::Theme;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        frame.render_widget(Paragraph::new("sidw: venster te klein"), area);
        return;
    }
    if matches!(app.mode, Mode::Welcome) {
        welcome(frame, area, app, theme);
        return;
    }
    // A message longer than its room gets a second line rather than being cut.
    let message_rows =
        app.message.as_ref().map_or(1, |m| wrap(&m.text, message_width(app, area.width)).len().clamp(1, 2) as u16);
    let [tabs, main, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1 + message_rows)]).areas(area);
    draw_tabs(frame, tabs, app, theme);
    match app.pane {
        Pane::Networks => networks::draw(frame, main, app, theme),
        Pane::Agreements => agreements::draw(frame, main, app, theme),
        Pane::Budget => budget::draw(frame, main, app, theme),
        Pane::Signals => lists::signals(frame, main, app, theme),
        Pane::Tariffs => lists::tariffs(frame, main, app, theme),
        Pane::Log => log::draw(frame, main, app, theme),
        Pane::Municipalities => municipalities::draw(frame, main, app, theme),
    }
    let milestones_shown = matches!(app.mode, Mode::Milestones)
        || matches!(&app.mode, Mode::Form(_, kind) if kind.belongs_to_milestones())
        || matches!(&app.mode, Mode::Confirm(c) if matches!(c.kind, crate::app::ConfirmKind::DeleteProjectPlan(..)));
    if milestones_shown && let Some(screen) = &app.milestone_screen {
        milestones::draw(frame, main, screen, &screen_keys(app, crate::keys::ModeKind::Milestones), theme);
    }
    if let Mode::YearReport(screen) = &app.mode {
        year_report::draw(frame, main, screen, &screen_keys(app, crate::keys::ModeKind::YearReport), theme);
    }
    if let Mode::Close(screen) = &app.mode {
        close::draw(frame, main, screen, &screen_keys(app, crate::keys::ModeKind::Close), theme);
    }
    if let Mode::Confirm(confirm) = &app.mode
        && let crate::app::ConfirmKind::Close { screen, .. } = &confirm.kind
    {
        close::draw(frame, main, screen, &screen_keys(app, crate::keys::ModeKind::Close), theme);
    }
    draw_status(frame, status, app, theme);
    overlays::draw(frame, area, app, theme);
}

/// The first screen of an empty database: what it is, the choice, and the seven panes by number.
fn welcome(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    use ratatui::widgets::{Block, Clear, Wrap};
    let rect = centered(area, 74, 17);
    let width = usize::from(rect.width.saturating_sub(2));
    let mut lines = vec![
        Line::styled(fit("Welkom bij sidw — Samenwerken in de wijk", width), theme.title()),
        Line::from(""),
        Line::from(fit(&format!("De database in {} is nog leeg.", app.store().path().display()), width)),
        Line::from(""),
        Line::from(vec![
            Span::styled("[d] ", theme.key()),
            Span::raw(fit("demogegevens laden: tarieven 2025, vier netwerken, uren", width.saturating_sub(4))),
        ]),
        Line::from(vec![Span::styled("[l] ", theme.key()), Span::raw("leeg beginnen (Enter)")]),
        Line::from(vec![Span::styled("[q] ", theme.key()), Span::raw("stoppen")]),
        Line::from(""),
        Line::styled("Daarna wisselt een cijfer van paneel (in Kwartaalbudget F1–F7):", theme.dim()),
    ];
    // The panes by number, two a line.
    for pair in Pane::ALL.chunks(2) {
        let mut spans = Vec::new();
        for pane in pair {
            spans.push(Span::styled(format!("  {} ", pane.number()), theme.key()));
            spans.push(Span::raw(format!("{:<20}", pane.title())));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled("? toont alle toetsen van het paneel.", theme.dim()));
    if let Some(message) = &app.message {
        lines.push(Line::styled(message.text.clone(), theme.error()));
    }
    frame.render_widget(Clear, area);
    frame
        .render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(Block::bordered().title(" sidw ")), rect);
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    if area.width >= 100 {
        spans.push(Span::styled("sidw ", theme.title()));
    }
    // Seven full titles need 91 columns; narrower screens get the short ones, and a screen too
    // narrow for those the numbers with only the shown pane's title (nothing cut).
    let short = area.width < 92;
    let all_short: usize = Pane::ALL.iter().map(|p| p.short_title().chars().count() + 3).sum();
    let numbers_only = usize::from(area.width) < all_short;
    for pane in Pane::ALL {
        let title = if short { pane.short_title() } else { pane.title() };
        let text = if numbers_only && pane != app.pane {
            pane.number().to_string()
        } else {
            format!("{} {title}", pane.number())
        };
        let style = if pane == app.pane { theme.selected() } else { Style::new() };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [top, bottom] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let typing = matches!(&app.mode, Mode::Filter { .. } | Mode::Command(_));
    let lines: Vec<Line> = match &app.mode {
        Mode::Filter { .. } => {
            let filter = match app.pane {
                Pane::Networks => &app.networks.selection.filter,
                Pane::Agreements => &app.agreements.selection.filter,
                Pane::Signals => &app.signals.selection.filter,
                Pane::Log => &app.log.selection.filter,
                Pane::Municipalities => &app.municipalities.selection.filter,
                _ => "",
            };
            vec![Line::from(vec![
                Span::styled("/", theme.key()),
                Span::raw(filter.to_string()),
                Span::styled("▏", theme.key()),
                Span::styled(format!("  {}", crate::keys::hints_of(app)), theme.dim()),
            ])]
        }
        Mode::Command(text) => {
            vec![Line::from(vec![
                Span::styled(":", theme.key()),
                Span::raw(text.clone()),
                Span::styled("▏", theme.key()),
            ])]
        }
        _ => match &app.message {
            Some(message) => {
                let style = match message.kind {
                    MessageKind::Info => Style::new(),
                    MessageKind::Warning => theme.warning(),
                    MessageKind::Error => theme.error(),
                };
                // Wrapped at spaces, never between € and its amount; what does not fit is cut.
                let width = message_width(app, area.width);
                let mut lines = wrap(&message.text, width);
                let rows = usize::from(top.height.max(1));
                if lines.len() > rows {
                    lines.truncate(rows);
                    if let Some(last) = lines.last_mut() {
                        *last = fit(&format!("{last} …"), width);
                    }
                }
                lines.into_iter().map(|l| Line::styled(l, style)).collect()
            }
            None => Vec::new(),
        },
    };
    frame.render_widget(Paragraph::new(lines), top);
    if !typing {
        draw_who(frame, top, app, theme);
    }
    let hints = keymap::hints_of(app);
    let hints = hints.as_str();
    let width = usize::from(bottom.width);
    let spans = vec![Span::styled(fit(hints, width), theme.key())];
    frame.render_widget(Paragraph::new(Line::from(spans)), bottom);
}

/// The key line of a screen (milestones, close), from the key table for the user's role.
fn screen_keys(app: &App, mode: crate::keys::ModeKind) -> String {
    crate::keys::hints(crate::keys::Context { pane: app.pane, mode }, app.role)
}

/// Who is working, with which role (and regions, when not all): on the right of the message
/// line. An admin on a served screen also sees how many users are logged in (`:wie` lists them).
fn who(app: &App) -> String {
    let mut who = format!("{} · {}", app.user, app.role.name());
    if !app.scope.is_all() {
        who.push_str(&format!(" · {}", app.scope.describe()));
    }
    if let Some(online) = app.online_now().filter(|users| !users.is_empty()) {
        who.push_str(&format!(" · {} ingelogd", online.len()));
    }
    who
}

/// The columns the message has beside [`who`].
fn message_width(app: &App, width: u16) -> usize {
    usize::from(width).saturating_sub(who(app).chars().count() + 2).max(10)
}

fn draw_who(frame: &mut Frame, line: Rect, app: &App, theme: &Theme) {
    let who = who(app);
    let len = who.chars().count() as u16;
    if line.width < len + 12 {
        return;
    }
    let at = Rect { x: line.x + line.width - len, y: line.y, width: len, height: 1 };
    frame.render_widget(Paragraph::new(Span::styled(who, theme.dim())), at);
}

/// Text in lines of at most `width` characters, broken at spaces, but never between `€` and its
/// amount; a word longer than a line is cut into pieces.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    // Words, with "€" joined to the amount after it.
    let mut words: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        match words.last_mut() {
            Some(last) if last.ends_with('€') => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in words {
        let needed = if line.is_empty() { 0 } else { line.chars().count() + 1 } + word.chars().count();
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest: Vec<char> = word.chars().collect();
        while rest.len() > width {
            lines.push(rest.drain(..width).collect());
        }
        line = rest.into_iter().collect();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts text to at most `width` characters, ending in … when cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// Cuts text to at most `width` characters from the left, starting with … when cut (for a value
/// being typed: its end, where the cursor is, stays visible).
pub(crate) fn fit_end(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        text.to_string()
    } else if width == 0 {
        String::new()
    } else {
        std::iter::once('…').chain(text.chars().skip(count - (width - 1))).collect()
    }
}

/// The widths a table's columns get inside `width` (as ratatui's `Table` lays them out: flex
/// start, `spacing` between columns), so that cells can be cut with an ellipsis first: a table
/// itself cuts silently.
pub(crate) fn column_widths(width: u16, constraints: &[Constraint], spacing: u16) -> Vec<usize> {
    Layout::horizontal(constraints.iter().copied())
        .flex(ratatui::layout::Flex::Start)
        .spacing(spacing)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// Every cell of `cells` cut to its column's width with an ellipsis.
pub(crate) fn fit_cells(cells: Vec<String>, widths: &[usize]) -> Vec<String> {
    cells.into_iter().enumerate().map(|(i, cell)| fit(&cell, widths.get(i).copied().unwrap_or(usize::MAX))).collect()
}

/// The one-line note inside an empty list ("Nog geen …", "Geen … past op het filter.").
pub(crate) fn empty_note(frame: &mut Frame, list: Rect, text: &str, style: Style) {
    let line = Rect { x: list.x + 2, y: list.y + 2, width: list.width.saturating_sub(4), height: 1 };
    frame.render_widget(Paragraph::new(text.to_string()).style(style), line.intersection(list));
}

/// A rectangle of at most `width` × `height` centred in `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}
