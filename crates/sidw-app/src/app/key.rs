//! A key press as the app understands it: no terminal library in sight. The local runner makes
//! these from crossterm events; the SSH runner makes them from the bytes of the channel.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn new(code: KeyCode) -> Self {
        Self { code, ctrl: false, alt: false }
    }

    pub const fn char(c: char) -> Self {
        Self::new(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: true, alt: false }
    }

    /// The keys of a plain string, one per character, for tests and pasted text.
    pub fn text(text: &str) -> Vec<Key> {
        text.chars().map(Key::char).collect()
    }

    /// The keys the user meant. sidw binds no Alt keys; terminals report Esc followed at once by
    /// another key as Alt+key, so that becomes Esc and the key.
    pub fn unalt(self) -> Vec<Key> {
        if self.alt && self.code != KeyCode::Esc {
            vec![Key::new(KeyCode::Esc), Key { alt: false, ..self }]
        } else {
            vec![self]
        }
    }

    /// The character typed, if this is plain typing (no Ctrl or Alt).
    pub fn typed(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }
}

impl From<Key> for ratatui_textarea::Input {
    fn from(key: Key) -> Self {
        use ratatui_textarea::Key as T;
        let code = match key.code {
            KeyCode::Char(c) => T::Char(c),
            KeyCode::Enter => T::Enter,
            KeyCode::Esc => T::Esc,
            KeyCode::Tab | KeyCode::BackTab => T::Tab,
            KeyCode::Backspace => T::Backspace,
            KeyCode::Delete => T::Delete,
            KeyCode::Left => T::Left,
            KeyCode::Right => T::Right,
            KeyCode::Up => T::Up,
            KeyCode::Down => T::Down,
            KeyCode::Home => T::Home,
            KeyCode::End => T::End,
            KeyCode::PageUp => T::PageUp,
            KeyCode::PageDown => T::PageDown,
            KeyCode::F(n) => T::F(n),
        };
        ratatui_textarea::Input { key: code, ctrl: key.ctrl, alt: key.alt, shift: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_is_esc_then_the_key() {
        let alt_tab = Key { code: KeyCode::Tab, ctrl: false, alt: true };
        assert_eq!(alt_tab.unalt(), vec![Key::new(KeyCode::Esc), Key::new(KeyCode::Tab)]);
        assert_eq!(Key::char('5').unalt(), vec![Key::char('5')]);
    }
}
