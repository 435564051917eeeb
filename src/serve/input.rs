//! Bytes from a terminal into key presses, with termwiz's input parser: multi-key chunks,
//! escape sequences, bracketed paste and UTF-8. Both runners use it (the local screen reads raw
//! stdin bytes into it, a served session its channel's bytes), so a key means the same on both.
//!
//! An escape sequence is never split: a chunk that ends inside one (a lone Esc, `Esc [`, half a
//! UTF-8 character) is held until the rest arrives or [`ESC_TIMEOUT`] passes without more bytes;
//! only then is a lone Esc the Esc key. `Esc Esc [ A` (Esc and ↑ typed fast) is Esc and ↑, never
//! Esc, `[`, `A`.

use std::time::{Duration, Instant};
use termwiz::input::{InputEvent, InputParser, KeyCode as T, Modifiers};

use crate::app::{Key, KeyCode};

/// How long an incomplete sequence (a lone Esc) waits for the rest before it counts as typed.
/// Terminals and SSH send a sequence in one write; 25 ms is far below a human's second key.
pub const ESC_TIMEOUT: Duration = Duration::from_millis(25);

/// One terminal's parser (it keeps a sequence split over two chunks).
pub struct Input {
    parser: InputParser,
    /// When the last chunk came, while the parser may hold part of a sequence.
    fed: Option<Instant>,
}

impl Default for Input {
    fn default() -> Self {
        Self { parser: InputParser::new(), fed: None }
    }
}

impl Input {
    /// The keys of a chunk of bytes; an incomplete sequence at its end is held (see [`Input::due`]).
    /// A paste arrives as the keys of its characters.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Key> {
        self.fed = Some(Instant::now());
        self.parse(bytes, true)
    }

    /// How long until what the parser may hold counts as typed (`None`: nothing held).
    pub fn due(&self) -> Option<Duration> {
        self.fed.map(|fed| ESC_TIMEOUT.saturating_sub(fed.elapsed()))
    }

    /// No more bytes came in time: a held lone Esc is the Esc key (and so on).
    pub fn flush(&mut self) -> Vec<Key> {
        self.fed = None;
        self.parse(&[], false)
    }

    /// The keys of a chunk known to be complete (feed, then flush at once).
    pub fn keys(&mut self, bytes: &[u8]) -> Vec<Key> {
        let mut keys = self.feed(bytes);
        keys.extend(self.flush());
        keys
    }

    fn parse(&mut self, bytes: &[u8], maybe_more: bool) -> Vec<Key> {
        let mut keys = Vec::new();
        self.parser.parse(
            bytes,
            |event| match event {
                InputEvent::Key(event) => keys.extend(convert(event.key, event.modifiers)),
                InputEvent::Paste(text) => keys.extend(text.chars().filter(|c| !c.is_control()).map(Key::char)),
                _ => {}
            },
            maybe_more,
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

    /// The keys as the app gets them (Alt+key is Esc and the key, as `keymap::dispatch` does).
    fn unalted(keys: Vec<Key>) -> Vec<Key> {
        keys.into_iter().flat_map(Key::unalt).collect()
    }

    #[test]
    fn esc_then_arrow_in_one_read_is_never_split() {
        let mut input = Input::default();
        let keys = unalted(input.feed(b"\x1b\x1b[A"));
        let keys = [keys, unalted(input.flush())].concat();
        assert_eq!(keys, vec![Key::new(KeyCode::Esc), Key::new(KeyCode::Up)]);
        assert!(!keys.contains(&Key::char('[')));
    }

    #[test]
    fn a_sequence_split_over_two_reads_waits_for_its_rest() {
        let mut input = Input::default();
        assert_eq!(input.feed(b"\x1b"), vec![], "a lone Esc is held");
        assert!(input.due().is_some());
        assert_eq!(input.feed(b"[A"), vec![Key::new(KeyCode::Up)]);
        assert_eq!(input.flush(), vec![]);
        assert_eq!(input.due(), None);
        assert_eq!(input.feed(b"\x1b["), vec![]);
        assert_eq!(input.feed(b"D"), vec![Key::new(KeyCode::Left)]);
        // Half a UTF-8 character waits too.
        let e = "ë".as_bytes();
        assert_eq!(input.feed(&e[..1]), vec![]);
        assert_eq!(input.feed(&e[1..]), vec![Key::char('ë')]);
    }

    #[test]
    fn a_lone_esc_is_esc_once_the_timeout_passed() {
        let mut input = Input::default();
        assert_eq!(input.feed(b"\x1b"), vec![]);
        std::thread::sleep(ESC_TIMEOUT);
        assert_eq!(input.due(), Some(Duration::ZERO));
        assert_eq!(input.flush(), vec![Key::new(KeyCode::Esc)]);
        // Esc and a digit typed apart are Esc and the digit.
        assert_eq!(input.feed(b"5"), vec![Key::char('5')]);
    }
}
