//! Free text reduced to the characters every SEPA bank accepts.
//!
//! The EPC's guidance on the character set (EPC217-08) obliges banks to accept only the basic Latin set:
//! `a-z A-Z 0-9 / - ? : ( ) . , ' +` and the space. Dutch banks reject or mangle anything else, so names
//! and descriptions are reduced to that set before they go into a payment file.

use deunicode::deunicode_with_tofu;

/// Whether `c` is in the EPC basic Latin set that every SEPA bank must accept.
pub fn is_epc_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+' | ' ')
}

/// Reduces any text to the EPC basic Latin set, keeping it as readable as possible.
///
/// 1. Letters are transliterated with `deunicode`: `é` → `e`, `ë` → `e`, `ĳ` → `ij`, `ß` → `ss`,
///    `ø` → `o`, `€` → `EUR`, curly quotes → straight quotes. Characters it cannot transliterate become a
///    space.
/// 2. What is then still outside the set is replaced by its nearest allowed meaning:
///
///    | in                 | out        |
///    |--------------------|------------|
///    | `&`                | `+`        |
///    | `_`                | `-`        |
///    | `@`                | `(at)`     |
///    | `"` and `` ` ``    | `'`        |
///    | `;`                | `,`        |
///    | `!`                | `.`        |
///    | `[ { <`            | `(`        |
///    | `] } >`            | `)`        |
///    | `\ \|`             | `/`        |
///    | `%`                | ` procent` |
///    | tab, line break    | space      |
///    | other control code | dropped    |
///    | anything else      | space      |
///
/// 3. Runs of spaces become one space and the ends are trimmed.
///
/// ```
/// use sidw_app::payments::epc_text;
/// assert_eq!(epc_text("Diëtistenpraktijk Vrĳdag & Zn."), "Dietistenpraktijk Vrijdag + Zn.");
/// assert_eq!(epc_text("  info@praktijk.nl\n#12 "), "info(at)praktijk.nl 12");
/// ```
pub fn epc_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in deunicode_with_tofu(s, " ").chars() {
        match c {
            c if is_epc_char(c) => out.push(c),
            '&' => out.push('+'),
            '_' => out.push('-'),
            '@' => out.push_str("(at)"),
            '"' | '`' => out.push('\''),
            ';' => out.push(','),
            '!' => out.push('.'),
            '[' | '{' | '<' => out.push('('),
            ']' | '}' | '>' => out.push(')'),
            '\\' | '|' => out.push('/'),
            '%' => out.push_str(" procent"),
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` (already EPC text, so ASCII) cut to at most `max` characters, without a trailing space.
pub(crate) fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect::<String>().trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_epc(text: &str) -> bool {
        text.chars().all(is_epc_char)
    }

    #[test]
    fn dutch_letters_are_transliterated() {
        assert_eq!(epc_text("Diëtistenpraktijk"), "Dietistenpraktijk");
        assert_eq!(epc_text("Vr\u{133}dag"), "Vrijdag");
        assert_eq!(epc_text("\u{132}sselmuiden"), "IJsselmuiden");
        assert_eq!(epc_text("Fysiotherapie Zwolle-Zuid"), "Fysiotherapie Zwolle-Zuid");
        assert_eq!(epc_text("Straße Ørsted Ærø"), "Strasse Orsted AEro");
        assert_eq!(epc_text("’s-Hertogenbosch"), "'s-Hertogenbosch");
    }

    #[test]
    fn symbols_become_their_nearest_allowed_meaning() {
        let cafe = epc_text("Café & Co");
        assert_eq!(cafe, "Cafe + Co");
        assert!(all_epc(&cafe));
        assert_eq!(epc_text("factuur_2025-07"), "factuur-2025-07");
        assert_eq!(epc_text("“Samen” in de wijk"), "'Samen' in de wijk");
        assert_eq!(epc_text("10% van €84,95; klaar!"), "10 procent van EUR84,95, klaar.");
        assert_eq!(epc_text("a\\b|c [d] {e} <f>"), "a/b/c (d) (e) (f)");
        assert_eq!(epc_text("nr. #12 *spoed*"), "nr. 12 spoed");
    }

    #[test]
    fn control_characters_are_removed_and_spaces_collapsed() {
        assert_eq!(epc_text("a\u{7}b"), "ab");
        assert_eq!(epc_text("\u{0}a\u{1b}"), "a");
        assert_eq!(epc_text("regel 1\r\nregel 2\tklaar"), "regel 1 regel 2 klaar");
        assert_eq!(epc_text("  veel    ruimte  "), "veel ruimte");
    }

    #[test]
    fn empty_and_unmappable_text_stays_empty() {
        assert_eq!(epc_text(""), "");
        assert_eq!(epc_text("   "), "");
        assert_eq!(epc_text("\u{7}\u{8}"), "");
    }

    #[test]
    fn any_text_comes_out_in_the_epc_set() {
        let samples = ["Ελληνικά", "日本語のテキスト", "emoji 😀 test", "ŁÓDŹ", "ﬁne", "x\u{200b}y", "$^~=*#"];
        for sample in samples {
            let text = epc_text(sample);
            assert!(all_epc(&text), "{sample:?} gave {text:?}");
            assert_eq!(text, text.trim());
            assert!(!text.contains("  "), "{text:?}");
        }
    }

    #[test]
    fn cut_keeps_at_most_max_characters_without_trailing_space() {
        assert_eq!(cut("abc def", 4), "abc");
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("", 3), "");
    }
}
