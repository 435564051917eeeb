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
        overlays::welcome(frame, area, app, theme);
        return;
    }
    // A message longer than the screen is wide gets a second line rather than being cut.
    let message_rows =
        app.message.as_ref().map_or(1, |m| if m.text.chars().count() > usize::from(area.width) { 2 } else { 1 });
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
        milestones::draw(frame, main, screen, theme);
    }
    if let Mode::YearReport(screen) = &app.mode {
        year_report::draw(frame, main, screen, theme);
    }
    if let Mode::Close(screen) = &app.mode {
        close::draw(frame, main, screen, theme);
    }
    if let Mode::Confirm(confirm) = &app.mode
        && let crate::app::ConfirmKind::Close { screen, .. } = &confirm.kind
    {
        close::draw(frame, main, screen, theme);
    }
    draw_status(frame, status, app, theme);
    overlays::draw(frame, area, app, theme);
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    if area.width >= 100 {
        spans.push(Span::styled("sidw ", theme.title()));
    }
    // Seven full titles need 91 columns; narrower screens get the short ones.
    let short = area.width < 92;
    for pane in Pane::ALL {
        let title = if short { pane.short_title() } else { pane.title() };
        let text = format!("{} {title}", pane.number());
        let style = if pane == app.pane { theme.selected() } else { Style::new() };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [top, bottom] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let top_line = match &app.mode {
        Mode::Filter { .. } => {
            let filter = match app.pane {
                Pane::Networks => &app.networks.selection.filter,
                Pane::Agreements => &app.agreements.selection.filter,
                Pane::Signals => &app.signals.selection.filter,
                Pane::Log => &app.log.selection.filter,
                Pane::Municipalities => &app.municipalities.selection.filter,
                _ => "",
            };
            Line::from(vec![
                Span::styled("/", theme.key()),
                Span::raw(filter.to_string()),
                Span::styled("▏", theme.key()),
                Span::styled("  Enter houden · Esc terug", theme.dim()),
            ])
        }
        Mode::Command(text) => {
            Line::from(vec![Span::styled(":", theme.key()), Span::raw(text.clone()), Span::styled("▏", theme.key())])
        }
        _ => match &app.message {
            Some(message) => {
                let style = match message.kind {
                    MessageKind::Info => Style::new(),
                    MessageKind::Warning => theme.warning(),
                    MessageKind::Error => theme.error(),
                };
                Line::from(Span::styled(message.text.clone(), style))
            }
            None => Line::from(""),
        },
    };
    frame.render_widget(Paragraph::new(top_line).wrap(ratatui::widgets::Wrap { trim: true }), top);
    let who = format!("{} · {}", app.user, app.store().path().display());
    let hints = match &app.mode {
        Mode::CellEdit(_) => "Enter opslaan ↓ Tab opslaan → Esc annuleren Backspace wissen",
        Mode::Form(..) => "Enter opslaan Esc annuleren Tab/↓ volgend veld Shift-Tab/↑ vorig",
        Mode::Lines => "a regel toevoegen  Enter/e bewerken  x verwijderen  Esc terug",
        Mode::PickNetwork(_) => "typ om te filteren  ↑↓ kies  Enter openen  Esc terug",
        Mode::Close(_) => "Enter ga naar c afsluiten e bestanden h heropenen r regio Esc terug",
        Mode::Invoices(_) => "↑↓ kies o goedkeuren r afwijzen x verwijderen f nieuw Esc terug",
        Mode::Milestones => "↑↓ kies Enter datum n projectplan x weg u ongedaan Esc terug",
        Mode::YearReport(_) => "↑↓ kies [ ] jaar e xlsx Esc terug",
        _ => keymap::hints(app.pane),
    };
    let width = usize::from(bottom.width);
    let room = width.saturating_sub(hints.chars().count() + 2);
    let mut spans = vec![Span::styled(fit(hints, width), theme.key())];
    if room >= 12 {
        let who = fit(&who, room);
        spans.push(Span::raw(" ".repeat(width - hints.chars().count() - who.chars().count())));
        spans.push(Span::styled(who, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bottom);
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
