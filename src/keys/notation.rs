//! Key notation as text, helix/vim style: `j`, `Enter`, `C-c`, `S-Tab`, `C-Home`, `F3`, ranges `0-9`,
//! `1-7`, `F1-F7`, and `<tekst>` for any typed character. A small parser of our own: the crates
//! for key notation (crokey, keybinds) parse into crossterm's `KeyEvent`, while the app's `Key`
//! is terminal-free and the SSH runner never sees crossterm; thirty lines here keep one `Key`.

use crate::app::{Key, KeyCode};

/// What one written key matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Exact(Key),
    /// Typed characters from … to (`0-9`, `1-7`).
    Chars(char, char),
    /// Function keys from … to (`F1-F7`).
    Function(u8, u8),
    /// Any typed character (no Ctrl or Alt): text into a field.
    Text,
}

impl Pattern {
    pub fn matches(&self, key: Key) -> bool {
        match *self {
            Pattern::Exact(k) => k == key,
            Pattern::Chars(from, to) => key.typed().is_some_and(|c| (from..=to).contains(&c)),
            Pattern::Function(from, to) => {
                !key.ctrl && !key.alt && matches!(key.code, KeyCode::F(n) if (from..=to).contains(&n))
            }
            Pattern::Text => key.typed().is_some(),
        }
    }

    /// A key this pattern matches (the first of a range), for tests and the key count.
    pub fn example(&self) -> Key {
        match *self {
            Pattern::Exact(k) => k,
            Pattern::Chars(from, _) => Key::char(from),
            Pattern::Function(from, _) => Key::new(KeyCode::F(from)),
            Pattern::Text => Key::char('a'),
        }
    }
}

const NAMES: &[(&str, KeyCode, &str)] = &[
    ("Enter", KeyCode::Enter, "Enter"),
    ("Esc", KeyCode::Esc, "Esc"),
    ("Tab", KeyCode::Tab, "Tab"),
    ("BS", KeyCode::Backspace, "Backspace"),
    ("Del", KeyCode::Delete, "Delete"),
    ("Up", KeyCode::Up, "↑"),
    ("Down", KeyCode::Down, "↓"),
    ("Left", KeyCode::Left, "←"),
    ("Right", KeyCode::Right, "→"),
    ("Home", KeyCode::Home, "Home"),
    ("End", KeyCode::End, "End"),
    ("PgUp", KeyCode::PageUp, "PgUp"),
    ("PgDn", KeyCode::PageDown, "PgDn"),
    ("Space", KeyCode::Char(' '), "spatie"),
];

fn function_key(text: &str) -> Option<u8> {
    let n: u8 = text.strip_prefix('F')?.parse().ok()?;
    (1..=12).contains(&n).then_some(n)
}

fn single(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// One written key: `j`, `Enter`, `C-c`, `S-Tab`, `C-Home`, `0-9`, `F1-F7`, `<tekst>`.
pub fn parse_key(text: &str) -> Result<Pattern, String> {
    if text == "<tekst>" {
        return Ok(Pattern::Text);
    }
    if text == "S-Tab" {
        return Ok(Pattern::Exact(Key::new(KeyCode::BackTab)));
    }
    if let Some(rest) = text.strip_prefix("C-").filter(|r| !r.is_empty()) {
        return match parse_key(rest)? {
            Pattern::Exact(key) if !key.ctrl => {
                let code = match key.code {
                    KeyCode::Char(c) => KeyCode::Char(c.to_ascii_lowercase()),
                    other => other,
                };
                Ok(Pattern::Exact(Key { code, ctrl: true, alt: false }))
            }
            _ => Err(format!("'{text}': Ctrl gaat alleen met één toets")),
        };
    }
    if let Some(c) = single(text) {
        return Ok(Pattern::Exact(Key::char(c)));
    }
    if let Some((from, to)) = text.split_once('-') {
        if let (Some(a), Some(b)) = (single(from), single(to))
            && a.is_ascii_digit()
            && b.is_ascii_digit()
            && a <= b
        {
            return Ok(Pattern::Chars(a, b));
        }
        if let (Some(a), Some(b)) = (function_key(from), function_key(to))
            && a <= b
        {
            return Ok(Pattern::Function(a, b));
        }
    }
    if let Some(n) = function_key(text) {
        return Ok(Pattern::Exact(Key::new(KeyCode::F(n))));
    }
    NAMES
        .iter()
        .find(|(name, _, _)| *name == text)
        .map(|(_, code, _)| Pattern::Exact(Key::new(*code)))
        .ok_or_else(|| format!("onbekende toets '{text}'"))
}

/// Keys written with spaces between them: `j Down`, `Enter e`.
pub fn parse_keys(text: &str) -> Result<Vec<Pattern>, String> {
    text.split_whitespace().map(parse_key).collect()
}

/// How the help and the status bar write one key: arrows as arrows, `Ctrl-c`, `Shift-Tab`.
pub fn display_key(text: &str) -> String {
    if text == "<tekst>" {
        return "tekens".into();
    }
    if text == "S-Tab" {
        return "Shift-Tab".into();
    }
    if let Some(rest) = text.strip_prefix("C-").filter(|r| !r.is_empty()) {
        return format!("Ctrl-{}", display_key(rest));
    }
    NAMES.iter().find(|(name, _, _)| *name == text).map_or_else(|| text.to_string(), |(_, _, shown)| shown.to_string())
}

/// The written keys of a binding as shown: `j Down` → `j ↓`.
pub fn display_keys(text: &str) -> String {
    text.split_whitespace().map(display_key).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_notation() {
        assert_eq!(parse_key("C-c"), Ok(Pattern::Exact(Key::ctrl('c'))));
        assert_eq!(parse_key("Enter"), Ok(Pattern::Exact(Key::new(KeyCode::Enter))));
        assert_eq!(parse_key("S-Tab"), Ok(Pattern::Exact(Key::new(KeyCode::BackTab))));
        assert_eq!(parse_key("C-Home"), Ok(Pattern::Exact(Key { code: KeyCode::Home, ctrl: true, alt: false })));
        assert_eq!(parse_key("F3"), Ok(Pattern::Exact(Key::new(KeyCode::F(3)))));
        assert_eq!(parse_key("0-9"), Ok(Pattern::Chars('0', '9')));
        assert_eq!(parse_key("F1-F7"), Ok(Pattern::Function(1, 7)));
        assert_eq!(parse_key("-"), Ok(Pattern::Exact(Key::char('-'))));
        assert_eq!(parse_key("<tekst>"), Ok(Pattern::Text));
        assert!(parse_key("Entr").is_err());
        assert!(parse_key("9-0").is_err());
        assert!(parse_key("C-0-9").is_err());
        assert!(parse_key("F13").is_err());
    }

    #[test]
    fn patterns_match_only_their_keys() {
        let digits = parse_key("0-9").unwrap();
        assert!(digits.matches(Key::char('0')) && digits.matches(Key::char('9')));
        assert!(!digits.matches(Key::char('a')) && !digits.matches(Key::ctrl('1')));
        let f = parse_key("F1-F7").unwrap();
        assert!(f.matches(Key::new(KeyCode::F(7))) && !f.matches(Key::new(KeyCode::F(8))));
        let home = parse_key("C-Home").unwrap();
        assert!(!home.matches(Key::new(KeyCode::Home)));
        assert!(Pattern::Text.matches(Key::char('é')) && !Pattern::Text.matches(Key::ctrl('c')));
    }

    #[test]
    fn shows_keys_readably() {
        assert_eq!(display_keys("j Down C-c S-Tab C-End"), "j ↓ Ctrl-c Shift-Tab Ctrl-End");
    }
}
