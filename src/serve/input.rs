//! Bytes from an SSH channel into key presses, with termwiz's input parser: multi-key chunks,
//! escape sequences, bracketed paste and UTF-8.

use termwiz::input::{InputEvent, InputParser, KeyCode as T, Modifiers};

use crate::app::{Key, KeyCode};

/// One connection's parser (it keeps a sequence split over two chunks).
pub struct Input {
    parser: InputParser,
}

impl Default for Input {
    fn default() -> Self {
        Self { parser: InputParser::new() }
    }
}

impl Input {
    /// The keys in a chunk of bytes. A paste arrives as the keys of its characters.
    pub fn keys(&mut self, bytes: &[u8]) -> Vec<Key> {
        let mut keys = Vec::new();
        self.parser.parse(
            bytes,
            |event| match event {
                InputEvent::Key(event) => keys.extend(convert(event.key, event.modifiers)),
                InputEvent::Paste(text) => keys.extend(text.chars().filter(|c| !c.is_control()).map(Key::char)),
                _ => {}
            },
            false,
        );
        keys
    }
}

fn convert(key: T, modifiers: Modifiers) -> Option<Key> {
    let ctrl = modifiers.contains(Modifiers::CTRL);
    let alt = modifiers.contains(Modifiers::ALT);
    let shift = modifiers.contains(Modifiers::SHIFT);
    let code = match key {
        // Control characters arrive as Ctrl+letter.
        T::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
        T::Char('\r' | '\n') | T::Enter => KeyCode::Enter,
        T::Char('\t') | T::Tab if shift => KeyCode::BackTab,
        T::Char('\t') | T::Tab => KeyCode::Tab,
        T::Char('\u{7f}' | '\u{8}') | T::Backspace => KeyCode::Backspace,
        T::Char('\u{1b}') | T::Escape => KeyCode::Esc,
        T::Char(c) => KeyCode::Char(c),
        T::Delete => KeyCode::Delete,
        T::LeftArrow => KeyCode::Left,
        T::RightArrow => KeyCode::Right,
        T::UpArrow => KeyCode::Up,
        T::DownArrow => KeyCode::Down,
        T::Home => KeyCode::Home,
        T::End => KeyCode::End,
        T::PageUp => KeyCode::PageUp,
        T::PageDown => KeyCode::PageDown,
        T::Function(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key { code, ctrl, alt })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_escapes_paste_and_utf8() {
        let mut input = Input::default();
        assert_eq!(
            input.keys(b"1,5\r"),
            vec![Key::char('1'), Key::char(','), Key::char('5'), Key::new(KeyCode::Enter)]
        );
        assert_eq!(
            input.keys(b"\x1b[A\x1b[B\x1b[5~"),
            vec![Key::new(KeyCode::Up), Key::new(KeyCode::Down), Key::new(KeyCode::PageUp)]
        );
        assert_eq!(input.keys(b"\x1b"), vec![Key::new(KeyCode::Esc)]);
        assert_eq!(input.keys(b"\x03"), vec![Key::ctrl('c')]);
        assert_eq!(
            input.keys(b"\x7f\t\x1b[Z"),
            vec![Key::new(KeyCode::Backspace), Key::new(KeyCode::Tab), Key::new(KeyCode::BackTab)]
        );
        assert_eq!(input.keys("Diëtist".as_bytes()), Key::text("Diëtist"));
        assert_eq!(input.keys(b"\x1b[200~Zwolle-Zuid\x1b[201~"), Key::text("Zwolle-Zuid"));
        assert_eq!(input.keys(b"\x1bOP"), vec![Key::new(KeyCode::F(1))]);
    }
}
