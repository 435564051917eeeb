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

/// The most a terminal may send without a key coming out (an unclosed paste): beyond it what is
/// held is dropped, so a client cannot make the server hold bytes without bound.
pub const HELD_AT_MOST: usize = 64 * 1024;

/// One terminal's parser (it keeps a sequence split over two chunks).
pub struct Input {
    parser: InputParser,
    /// When the last chunk came, while the parser may hold part of a sequence.
    fed: Option<Instant>,
    /// The start of a UTF-8 character whose other bytes are still to come.
    partial: Vec<u8>,
    /// Bytes given to the parser since a key last came out of it.
    held: usize,
    /// Dropping the rest of a paste that grew past [`HELD_AT_MOST`]: until its end marker, or
    /// until the terminal is silent for [`ESC_TIMEOUT`] (its rest must not arrive as keys).
    dropping: bool,
}

impl Default for Input {
    fn default() -> Self {
        Self { parser: InputParser::new(), fed: None, partial: Vec::new(), held: 0, dropping: false }
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
        let mut clean = self.clean(bytes, maybe_more);
        if self.dropping {
            const END: &[u8] = b"\x1b[201~";
            match clean.windows(END.len()).position(|w| w == END) {
                Some(at) => {
                    clean.drain(..at + END.len());
                    self.dropping = false;
                }
                None => {
                    self.dropping = maybe_more;
                    return Vec::new();
                }
            }
        }
        let mut keys = Vec::new();
        let mut events = 0;
        self.parser.parse(
            &clean,
            |event| {
                events += 1;
                match event {
                    InputEvent::Key(event) => keys.extend(convert(event.key, event.modifiers)),
                    InputEvent::Paste(text) => keys.extend(text.chars().filter(|c| !c.is_control()).map(Key::char)),
                    _ => {}
                }
            },
            maybe_more,
        );
        self.held = if events > 0 { 0 } else { self.held + clean.len() };
        if self.held > HELD_AT_MOST {
            self.parser = InputParser::new();
            self.held = 0;
            self.dropping = true;
        }
        keys
    }

    /// The bytes as valid UTF-8 (termwiz miscounts a paste with invalid bytes and can panic, and
    /// an invalid first byte stops its parsing): an invalid byte becomes U+FFFD, the start of a
    /// character split over two chunks waits for the rest. `Esc O H` / `Esc O F` (Home and End
    /// with application cursor keys) become the `Esc [` forms termwiz knows.
    fn clean(&mut self, bytes: &[u8], maybe_more: bool) -> Vec<u8> {
        let mut input = std::mem::take(&mut self.partial);
        input.extend_from_slice(bytes);
        let mut out = Vec::with_capacity(input.len());
        let mut rest = input.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.extend_from_slice(text.as_bytes());
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    out.extend_from_slice(valid);
                    match error.error_len() {
                        Some(bad) => {
                            out.extend_from_slice("\u{fffd}".as_bytes());
                            rest = &after[bad..];
                        }
                        None if maybe_more => {
                            self.partial = after.to_vec();
                            break;
                        }
                        None => {
                            out.extend_from_slice("\u{fffd}".as_bytes());
                            break;
                        }
                    }
                }
            }
        }
        replace_all(replace_all(out, b"\x1bOH", b"\x1b[H"), b"\x1bOF", b"\x1b[F")
    }
}

fn replace_all(bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    if !bytes.windows(from.len()).any(|w| w == from) {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
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
        T::LeftArrow | T::ApplicationLeftArrow => KeyCode::Left,
        T::RightArrow | T::ApplicationRightArrow => KeyCode::Right,
        T::UpArrow | T::ApplicationUpArrow => KeyCode::Up,
        T::DownArrow | T::ApplicationDownArrow => KeyCode::Down,
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
    fn invalid_bytes_in_a_paste_or_typed_neither_panic_nor_stop_the_keys() {
        let mut input = Input::default();
        // A paste with an invalid byte (termwiz alone panics on it).
        let keys = input.keys(b"\x1b[200~a\xffb\x1b[201~");
        assert_eq!(keys, Key::text("a\u{fffd}b"));
        // A Latin-1 character typed, then plain keys: the keys after it still come.
        let keys = input.keys(b"\xeb");
        assert_eq!(keys, Key::text("\u{fffd}"));
        assert_eq!(input.keys(b"abc"), Key::text("abc"));
        // A character split over two chunks waits for its second byte.
        assert!(input.feed(&"ë".as_bytes()[..1]).is_empty());
        assert_eq!(input.feed(&"ë".as_bytes()[1..]), Key::text("ë"));
    }

    #[test]
    fn an_unclosed_paste_is_held_at_most_so_far() {
        let mut input = Input::default();
        assert!(input.feed(b"\x1b[200~").is_empty());
        let chunk = vec![b'x'; 16 * 1024];
        for i in 0..(2 * HELD_AT_MOST / chunk.len()) {
            let keys = input.feed(&chunk);
            assert!(keys.is_empty(), "chunk {i}: {} keys, the paste's rest came as keys", keys.len());
        }
        // Dropped up to the paste's end: the terminal's keys come through again.
        assert_eq!(input.keys(b"xx\x1b[201~1"), vec![Key::char('1')]);
        // Or after a silence, when the end never comes.
        let mut input = Input::default();
        assert!(input.feed(b"\x1b[200~").is_empty());
        for _ in 0..(2 * HELD_AT_MOST / chunk.len()) {
            assert!(input.feed(&chunk).is_empty());
        }
        assert!(input.flush().is_empty());
        assert_eq!(input.keys(b"2"), vec![Key::char('2')]);
    }

    #[test]
    fn application_cursor_keys_are_arrows_home_and_end() {
        let mut input = Input::default();
        assert_eq!(
            input.keys(b"\x1bOA\x1bOB\x1bOC\x1bOD\x1bOH\x1bOF"),
            vec![
                Key::new(KeyCode::Up),
                Key::new(KeyCode::Down),
                Key::new(KeyCode::Right),
                Key::new(KeyCode::Left),
                Key::new(KeyCode::Home),
                Key::new(KeyCode::End)
            ]
        );
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
