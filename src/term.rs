//! The local runner: crossterm events in, frames out, on the terminal sidw was started in.

use anyhow::Result;
use ratatui::crossterm::event::{self, Event, KeyCode as CKey, KeyEvent, KeyEventKind, KeyModifiers};
use std::io::IsTerminal;

use crate::app::{Action, App, Key, KeyCode, Mode, system_clock};
use crate::store::{ChangeContext, Store};
use crate::ui::{self, Theme};

/// Runs the screen until the user quits. The terminal is restored on exit and on a panic.
pub fn run(store: Store) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "het scherm van sidw draait alleen in een terminal; gebruik de opdrachten (sidw --help) in scripts"
        );
    }
    let user = ChangeContext::local_now().user;
    let theme = Theme::from_env();
    let mut app = App::new(store, user, system_clock());
    let mut terminal = ratatui::init(); // alternate screen, raw mode, and a panic hook that restores both
    let result = (|| -> Result<()> {
        let size = terminal.size()?;
        app.handle(Action::Resize(size.width, size.height));
        while !app.quit {
            terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    if let Some(key) = convert(key) {
                        ui::keymap::dispatch(&mut app, key);
                    }
                }
                Event::Paste(text) if !matches!(app.mode, Mode::Normal | Mode::Welcome) => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        app.handle(Action::Input(Key::char(c)));
                    }
                }
                Event::Resize(columns, rows) => app.handle(Action::Resize(columns, rows)),
                _ => {}
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result
}

/// A crossterm key event as the app's key.
pub fn convert(event: KeyEvent) -> Option<Key> {
    let code = match event.code {
        CKey::Char(c) => KeyCode::Char(c),
        CKey::Enter => KeyCode::Enter,
        CKey::Esc => KeyCode::Esc,
        CKey::Tab => KeyCode::Tab,
        CKey::BackTab => KeyCode::BackTab,
        CKey::Backspace => KeyCode::Backspace,
        CKey::Delete => KeyCode::Delete,
        CKey::Left => KeyCode::Left,
        CKey::Right => KeyCode::Right,
        CKey::Up => KeyCode::Up,
        CKey::Down => KeyCode::Down,
        CKey::Home => KeyCode::Home,
        CKey::End => KeyCode::End,
        CKey::PageUp => KeyCode::PageUp,
        CKey::PageDown => KeyCode::PageDown,
        CKey::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key {
        code,
        ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        alt: event.modifiers.contains(KeyModifiers::ALT),
    })
}
