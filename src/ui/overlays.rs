//! What is drawn over the panes: help, forms, questions, the network picker, a cell's lines.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::{App, Form, Mode};
use crate::domain::money::format_eur;

use super::{Theme, centered, fit};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.mode {
        Mode::Help { scroll, max, .. } => help(frame, area, app, *scroll, max, theme),
        Mode::Form(form, _) => draw_form(frame, area, form, &crate::keys::hints_of(app), theme),
        Mode::Confirm(confirm) => {
            let longest = confirm.lines.iter().map(|l| l.chars().count()).max().unwrap_or(30).max(40);
            let width = (longest as u16 + 2).min(area.width.saturating_sub(2)).min(80);
            let text_width = usize::from(width.saturating_sub(2)).max(1);
            // Wrapped at spaces, never between € and its amount.
            let mut lines: Vec<Line> =
                confirm.lines.iter().flat_map(|l| super::wrap(l, text_width)).map(Line::from).collect();
            let height = (lines.len() + confirm.choices.len() + 3) as u16;
            let rect = centered(area, width, height);
            lines.push(Line::from(""));
            for (key, label) in &confirm.choices {
                lines.push(Line::from(vec![Span::styled(format!("[{key}] "), theme.key()), Span::raw(*label)]));
            }
            frame.render_widget(Clear, rect);
            let block = Block::bordered().title(Span::styled(format!(" {} ", confirm.title), theme.warning()));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), rect);
        }
        Mode::PickNetwork(picker) => {
            let rect = centered(area, 50, area.height.saturating_sub(4).min(16));
            let choices = app.picker_choices(&picker.filter);
            let mut lines = vec![Line::from(vec![
                Span::styled("Zoek: ", theme.dim()),
                Span::raw(picker.filter.clone()),
                Span::styled("▏", theme.key()),
            ])];
            let room = usize::from(rect.height.saturating_sub(3));
            let start = picker.selection.index.saturating_sub(room.saturating_sub(1));
            for (i, (_, text)) in choices.iter().enumerate().skip(start).take(room) {
                let style = if i == picker.selection.index { theme.selected() } else { Style::new() };
                lines.push(Line::styled(fit(text, usize::from(rect.width.saturating_sub(2))), style));
            }
            frame.render_widget(Clear, rect);
            frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Kies netwerk ")), rect);
        }
        Mode::Lines => cell_lines(frame, area, app, theme),
        Mode::Invoices(selected) => invoices(frame, area, app, *selected, theme),
        _ => {}
    }
}

/// `?`: every key of the pane or mode it was opened over (the user's role's keys only), and in
/// the panes the `:` commands. Descriptions wrap, never cut; two columns from 100 columns on;
/// taller than the screen it scrolls (`scroll`; the largest useful one goes into `max`).
fn help(frame: &mut Frame, area: Rect, app: &App, scroll: usize, max: &std::cell::Cell<usize>, theme: &Theme) {
    let context = crate::keys::Context::explained(app);
    let entries: Vec<(String, String)> =
        crate::keys::help_lines(context, app.role).into_iter().map(|(k, h)| (k, h.to_string())).collect();
    let mut commands: Vec<(String, String)> = Vec::new();
    if context.mode == crate::keys::ModeKind::Normal {
        commands = crate::app::command::COMMANDS
            .iter()
            .filter(|c| c.needs.is_none_or(|needed| app.role >= needed))
            .map(|c| (c.usage(), c.help.to_string()))
            .collect();
    }
    let rect = centered(area, 120, area.height.saturating_sub(2).max(3));
    let inner_width = usize::from(rect.width.saturating_sub(2));
    let columns = if inner_width >= 100 { 2 } else { 1 };
    let column_width = (inner_width / columns).saturating_sub(usize::from(columns > 1));
    let key_width = entries.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(4).min(column_width / 3).max(1);
    let command_width = commands.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(4).min(inner_width / 2).max(1);
    let block_of = |items: &[(String, String)], width: usize, column_width: usize| -> Vec<Vec<Span<'static>>> {
        let mut rows = Vec::new();
        for (keys, help) in items {
            let text_width = column_width.saturating_sub(width + 1).max(8);
            let keys_lines = wrap(keys, width);
            let help_lines = wrap(help, text_width);
            for i in 0..keys_lines.len().max(help_lines.len()) {
                let k = keys_lines.get(i).cloned().unwrap_or_default();
                let h = help_lines.get(i).cloned().unwrap_or_default();
                let pad_k = width.saturating_sub(k.chars().count()) + 1;
                let pad_h = text_width.saturating_sub(h.chars().count());
                rows.push(vec![
                    Span::styled(format!("{k}{}", " ".repeat(pad_k)), theme.key()),
                    Span::raw(format!("{h}{}", " ".repeat(pad_h))),
                ]);
            }
        }
        rows
    };
    let mut body: Vec<Vec<Span<'static>>> = Vec::new();
    let key_rows = block_of(&entries, key_width, column_width);
    if columns == 2 {
        // Split the keys into two columns of about equal height, at an entry's start.
        let half = key_rows.len().div_ceil(2);
        let mut split = half;
        while split < key_rows.len() && key_rows[split].first().is_some_and(|s| s.content.trim().is_empty()) {
            split += 1;
        }
        let (left, right) = key_rows.split_at(split);
        for i in 0..left.len().max(right.len()) {
            let mut spans = left.get(i).cloned().unwrap_or_else(|| vec![Span::raw(" ".repeat(column_width))]);
            spans.push(Span::raw(" "));
            spans.extend(right.get(i).cloned().unwrap_or_default());
            body.push(spans);
        }
    } else {
        body = key_rows;
    }
    if !commands.is_empty() {
        body.push(Vec::new());
        body.push(vec![Span::styled("Opdrachten (typ : en dan de opdracht)", theme.title())]);
        body.extend(block_of(&commands, command_width, inner_width));
    }
    let title = match context.mode {
        crate::keys::ModeKind::Normal => format!("Toetsen in {}", app.pane.title()),
        mode => format!("Toetsen in {}", mode.title()),
    };
    let room = usize::from(rect.height.saturating_sub(4)).max(1);
    let total = body.len();
    let most = total.saturating_sub(room);
    max.set(most);
    let scroll = scroll.min(most);
    let mut lines = vec![Line::styled(title, theme.title())];
    lines.extend(body.into_iter().skip(scroll).take(room).map(Line::from));
    let shown_to = (scroll + room).min(total);
    let footer = if most == 0 {
        "Esc of ? sluit deze hulp".to_string()
    } else {
        format!("Esc of ? sluit deze hulp · ↑↓ PgUp PgDn scrollen · regel {}–{shown_to} van {total}", scroll + 1)
    };
    lines.push(Line::styled(fit(&footer, inner_width), theme.dim()));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" Hulp ")), rect);
}

/// Words into lines of at most `width` characters (a longer word is cut into pieces).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        let needed =
            if line.is_empty() { word.chars().count() } else { line.chars().count() + 1 + word.chars().count() };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn draw_form(frame: &mut Frame, area: Rect, form: &Form, key_line: &str, theme: &Theme) {
    // A text of more lines has its rows, and its hint on a row of its own under it.
    let height_of =
        |f: &crate::app::form::FormField| f.rows + 2 * u16::from(f.multiline()) + u16::from(f.error.is_some());
    let height = form.fields.iter().map(height_of).sum::<u16>() + u16::from(form.error.is_some()) + 3;
    // A text of more lines gets more room across where the screen has it.
    let width =
        if form.fields.iter().any(|f| f.multiline()) { area.width.saturating_sub(4).clamp(76, 110) } else { 76 };
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(format!(" {} ", form.title), theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let label_width = form.fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(10).min(26) as u16;
    let mut y = inner.y;
    // Keep the focused field in view when the form is taller than the screen.
    let focus_line = form.fields.iter().take(form.focus).map(height_of).sum::<u16>();
    let skip = focus_line.saturating_sub(inner.height.saturating_sub(3));
    let mut line_no = 0u16;
    for (i, field) in form.fields.iter().enumerate() {
        let rows = height_of(field);
        if line_no < skip {
            line_no += rows;
            continue;
        }
        if y >= inner.y + inner.height {
            break;
        }
        let focused = i == form.focus;
        let label_style = if focused { theme.key() } else { Style::new() };
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&field.label, usize::from(label_width)), label_style)),
            Rect { x: inner.x, y, width: label_width, height: 1 },
        );
        let input_x = inner.x + label_width + 1;
        let input_width = inner.width.saturating_sub(label_width + 1);
        let value_width = if field.multiline() {
            input_width
        } else {
            input_width.saturating_sub(field.hint.chars().count() as u16 + 1).max(input_width / 2)
        };
        let field_rows = field.rows.min((inner.y + inner.height).saturating_sub(y));
        let input_rect = Rect { x: input_x, y, width: value_width, height: field_rows };
        if focused {
            let mut input = field.input.clone();
            input.set_cursor_line_style(Style::new());
            input.set_style(theme.editing());
            frame.render_widget(&input, input_rect);
        } else if field.multiline() {
            let lines: Vec<Line> = field.input.lines().iter().map(|l| Line::from(l.as_str())).collect();
            frame.render_widget(Paragraph::new(lines), input_rect);
        } else {
            frame.render_widget(Paragraph::new(field.value()), input_rect);
        }
        if field.multiline() {
            y += field_rows;
            for hint in [field.hint, "Enter: nieuwe regel · ↑↓: regel · Tab: volgend veld · Ctrl-S: opslaan"] {
                if y < inner.y + inner.height {
                    frame.render_widget(
                        Paragraph::new(Span::styled(fit(hint, usize::from(input_width)), theme.dim())),
                        Rect { x: input_x, y, width: input_width, height: 1 },
                    );
                    y += 1;
                }
            }
            y = y.saturating_sub(1);
        } else if input_width > value_width + 1 {
            let hint_rect = Rect { x: input_x + value_width + 1, y, width: input_width - value_width - 1, height: 1 };
            frame.render_widget(Paragraph::new(Span::styled(field.hint, theme.dim())), hint_rect);
        }
        y += 1;
        if let Some(error) = &field.error
            && y < inner.y + inner.height
        {
            frame.render_widget(
                Paragraph::new(Span::styled(fit(&format!("↳ {error}"), usize::from(input_width)), theme.error())),
                Rect { x: input_x, y, width: input_width, height: 1 },
            );
            y += 1;
        }
        line_no += rows;
    }
    if let Some(error) = &form.error
        && y < inner.y + inner.height
    {
        frame.render_widget(
            Paragraph::new(Span::styled(fit(error, usize::from(inner.width)), theme.error())),
            Rect { x: inner.x, y, width: inner.width, height: 1 },
        );
        y += 1;
    }
    if y < inner.y + inner.height {
        let footer = Rect { x: inner.x, y: inner.y + inner.height - 1, width: inner.width, height: 1 };
        frame.render_widget(Paragraph::new(Span::styled(fit(key_line, usize::from(inner.width)), theme.dim())), footer);
    }
}

fn cell_lines(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = &app.budget;
    let (Some(view), Some(partner)) = (&pane.view, pane.selected_partner()) else { return };
    let month = pane.month();
    let lines = view.cell_lines(partner.id, month);
    let rect = centered(area, 70, lines.len() as u16 + 5);
    let mut text = Vec::new();
    if lines.is_empty() {
        text.push(Line::styled("Geen regels. a voegt er een toe.", theme.dim()));
    }
    for (i, line) in lines.iter().enumerate() {
        let mut marks =
            if line.paid_by_practice_team { " · betaald door praktijkteam".to_string() } else { String::new() };
        if let Some(corrected) = line.corrects {
            marks.push_str(&format!(" · correctie van regel {corrected}"));
        }
        let activity = if line.activity.is_empty() { "—" } else { &line.activity };
        let row = format!(
            "{:>6} uur  {:>11}  {activity}{marks}",
            line.hours.normalize().to_string().replace('.', ","),
            format_eur(view.line_worth(line))
        );
        let style = if i == pane.line_index { theme.selected() } else { Style::new() };
        text.push(Line::styled(fit(&row, 66), style));
    }
    text.push(Line::styled(
        fit(
            &crate::keys::hints(crate::keys::Context { pane: app.pane, mode: crate::keys::ModeKind::Lines }, app.role),
            66,
        ),
        theme.dim(),
    ));
    frame.render_widget(Clear, rect);
    let title = format!(
        " {} — {} · {} ",
        partner.name,
        month.dutch_name(),
        crate::domain::dutch::count(lines.len(), "regel", "regels")
    );
    frame.render_widget(Paragraph::new(text).block(Block::bordered().title(title)), rect);
}

/// The selected partner's invoices of the quarter, each against its hours.
fn invoices(frame: &mut Frame, area: Rect, app: &App, selected: usize, theme: &Theme) {
    use crate::domain::{InvoiceDecision, invoice::match_invoice};
    let (Some(view), Some(partner)) = (&app.budget.view, app.budget.selected_partner()) else { return };
    let invoices = app.partner_invoices();
    let worth = view.invoiceable_worth(partner.id, app.budget.quarter);
    let rect = centered(area, 76, invoices.len() as u16 + 6);
    let mut text =
        vec![Line::styled(format!("Urenformulier {}: {}", app.budget.quarter, format_eur(worth)), theme.dim())];
    if invoices.is_empty() {
        text.push(Line::styled("Geen facturen. f legt er een vast.", theme.dim()));
    }
    for (i, invoice) in invoices.iter().enumerate() {
        let state = match &invoice.decision {
            InvoiceDecision::Approved { .. } if invoice.is_payable(worth) => "goedgekeurd".to_string(),
            InvoiceDecision::Approved { .. } => "goedgekeurd, uren gewijzigd".to_string(),
            InvoiceDecision::Rejected { .. } => "afgewezen".to_string(),
            InvoiceDecision::Open => match_invoice(invoice.amount, worth).dutch(),
        };
        let date = crate::domain::calendar::format_date(invoice.date);
        let row = format!("{:<18} {date} {:>12}  {state}", invoice.number, format_eur(invoice.amount));
        let style = if i == selected.min(invoices.len() - 1) { theme.selected() } else { Style::new() };
        text.push(Line::styled(fit(&row, 72), style));
    }
    text.push(Line::styled(
        fit(
            &crate::keys::hints(
                crate::keys::Context { pane: app.pane, mode: crate::keys::ModeKind::Invoices },
                app.role,
            ),
            72,
        ),
        theme.dim(),
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text).block(Block::bordered().title(format!(" Facturen {} ", partner.name))),
        rect,
    );
}
