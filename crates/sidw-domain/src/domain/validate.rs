//! Field parsers: text as typed by a user in, a checked value or a Dutch message out.
//!
//! Every parser trims, accepts the forms Dutch office staff write (`1,5`, `NL91 ABNA 0417 1643 00`),
//! and refuses anything ambiguous rather than guessing.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::FieldError;
use super::money::HUNDRED;

/// The most digits a typed number may have: enough for any amount sidw handles, and far from
/// what `Decimal` would round.
const MAX_DIGITS: usize = 15;

/// The largest amount sidw accepts in one field: € 10.000.000,00.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 2);

/// The most hours one line can hold: every hour of a 31-day month.
pub const MAX_HOURS_PER_LINE: Decimal = Decimal::from_parts(744, 0, 0, false, 0);

/// Reads a decimal number as written in Dutch or English: `1,5`, `1.5`, `12`, `-3,25`.
///
/// Refuses empty text, exponents (`1e3`), `NaN`, `inf`, thousands separators and more than one
/// decimal mark, so that nothing typed is ever silently read as something else.
pub fn parse_decimal(input: &str) -> Result<Decimal, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("vul een getal in".to_string());
    }
    let body = text.strip_prefix('-').unwrap_or(text);
    let marks = body.chars().filter(|c| *c == ',' || *c == '.').count();
    let all_allowed = body.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.');
    if !all_allowed || marks > 1 || !body.starts_with(|c: char| c.is_ascii_digit()) || body.ends_with([',', '.']) {
        return Err(format!("'{text}' is geen getal; schrijf bijvoorbeeld 1,5"));
    }
    if body.chars().filter(char::is_ascii_digit).count() > MAX_DIGITS {
        return Err(format!("'{text}' is te groot of te precies (hooguit {MAX_DIGITS} cijfers)"));
    }
    Decimal::from_str_exact(&text.replace(',', ".")).map_err(|_| format!("'{text}' is geen getal (te groot?)"))
}

fn decimals(value: Decimal) -> u32 {
    value.normalize().scale()
}

/// Hours of one line: more than 0, at most 744, at most 2 decimals. `1,5` and `1.5` are both 1½.
pub fn parse_hours(input: &str) -> Result<Decimal, FieldError> {
    let hours = parse_decimal(input).map_err(|m| FieldError::new("uren", m))?;
    check_hours(hours)
}

/// What is typed into an hours cell or an hours form's hours column: `0` (or `0,0`) is a month
/// without hours (a nihil mark); anything else follows [`parse_hours`].
pub fn parse_cell_hours(input: &str) -> Result<Decimal, FieldError> {
    match parse_decimal(input) {
        Ok(value) if value.is_zero() && !input.contains('-') => Ok(Decimal::ZERO),
        _ => parse_hours(input),
    }
}

/// The rules for the hours of one line, for values that did not come from text.
pub fn check_hours(hours: Decimal) -> Result<Decimal, FieldError> {
    let field = |m: String| FieldError::new("uren", m);
    if hours <= Decimal::ZERO {
        return Err(field("uren moeten meer dan 0 zijn".to_string()));
    }
    if decimals(hours) > 2 {
        return Err(field("uren hebben hooguit 2 decimalen (bijvoorbeeld 1,25)".to_string()));
    }
    if hours > MAX_HOURS_PER_LINE {
        return Err(field(format!("meer dan {MAX_HOURS_PER_LINE} uur in één maand kan niet")));
    }
    Ok(hours.normalize())
}

/// The hours of a correction line: not 0, at most 744 either way, at most 2 decimals.
pub fn check_correction_hours(hours: Decimal) -> Result<Decimal, FieldError> {
    if hours.is_zero() {
        return Err(FieldError::new("uren", "een correctie is niet 0 uur"));
    }
    check_hours(hours.abs()).map(|_| hours.normalize())
}

/// A share of the practice-team money: 0 to 100 with at most 2 decimals, `%` allowed.
pub fn parse_percentage(input: &str) -> Result<Decimal, FieldError> {
    let field = |m: String| FieldError::new("percentage", m);
    let text = input.trim();
    let text = text.strip_suffix('%').unwrap_or(text);
    let pct = parse_decimal(text).map_err(field)?;
    if pct < Decimal::ZERO || pct > HUNDRED {
        return Err(field("een percentage ligt tussen 0 en 100".to_string()));
    }
    if decimals(pct) > 2 {
        return Err(field("een percentage heeft hooguit 2 decimalen (bijvoorbeeld 33,33)".to_string()));
    }
    Ok(pct.normalize())
}

/// Checks that percentages sum to exactly 100.
pub fn check_percentages_sum(percentages: &[Decimal]) -> Result<(), FieldError> {
    let total: Decimal = percentages.iter().sum();
    if total == HUNDRED {
        Ok(())
    } else {
        Err(FieldError::new(
            "percentage",
            format!("de percentages tellen op tot {} %, dat moet precies 100 % zijn", total.normalize()),
        ))
    }
}

/// An amount in euros: `1.234,56`, `1234,56`, `1234.56`, `€ 84,95`. At most 2 decimals.
///
/// With a comma, the comma is the decimal mark and dots group thousands. With only a dot followed by
/// exactly three digits (`1.234`) the amount is ambiguous and refused.
pub fn parse_amount(input: &str) -> Result<Decimal, FieldError> {
    let field = |m: String| FieldError::new("bedrag", m);
    let text = input.trim().trim_start_matches('€').trim();
    if text.is_empty() {
        return Err(field("vul een bedrag in".to_string()));
    }
    let normalised = if text.contains(',') {
        let (whole, fraction) = text.split_once(',').unwrap_or((text, ""));
        if fraction.contains('.') {
            return Err(field(format!("'{text}' is geen bedrag; na de komma staan alleen centen")));
        }
        let groups: Vec<&str> = whole.trim_start_matches('-').split('.').collect();
        let grouped_well = groups.len() == 1
            || (groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3));
        if !grouped_well {
            return Err(field(format!("'{text}' is geen bedrag; schrijf bijvoorbeeld 1.234,56")));
        }
        text.replace('.', "")
    } else if let Some((_, after)) = text.rsplit_once('.') {
        if after.len() == 3 {
            return Err(field(format!("'{text}' is onduidelijk; schrijf 1234,00 of 1,234")));
        }
        text.to_string()
    } else {
        text.to_string()
    };
    let amount = parse_decimal(&normalised)
        .map_err(|_| field(format!("'{text}' is geen bedrag; schrijf bijvoorbeeld 1.234,56")))?;
    if decimals(amount) > 2 {
        return Err(field("een bedrag heeft hooguit 2 decimalen (centen)".to_string()));
    }
    if amount.abs() > MAX_AMOUNT {
        return Err(field("een bedrag is hooguit € 10.000.000,00".to_string()));
    }
    let mut amount = amount;
    amount.rescale(2);
    Ok(amount)
}

/// A count of registered patients (ION): a whole number from 0, `7000` or `7.000`.
pub fn parse_ion(input: &str) -> Result<u32, FieldError> {
    let field = |m: String| FieldError::new("ION", m);
    let text = input.trim();
    let groups: Vec<&str> = text.split('.').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = text.replace('.', "");
    if digits.is_empty() || !grouped_well || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(field(format!("'{text}' is geen aantal; schrijf een heel getal, bijvoorbeeld 7000")));
    }
    digits.parse().map_err(|_| field("dat aantal is te groot".to_string()))
}

/// An AGB code (Algemeen Gegevens Beheer): exactly 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Agb(String);

impl Agb {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text: String = input.trim().chars().filter(|c| !c.is_whitespace()).collect();
        if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(text))
        } else {
            Err(FieldError::new(
                "AGB-code",
                format!("'{}' is geen AGB-code; die bestaat uit precies 8 cijfers", input.trim()),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Agb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IBAN, checked with the `iban_validate` crate (country format and mod-97 check digits).
/// Stored in electronic form (no spaces), shown in groups of four.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim();
        let field = |m: String| FieldError::new("IBAN", m);
        if text.is_empty() {
            return Err(field("vul een IBAN in".to_string()));
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        match compact.parse::<iban::Iban>() {
            Ok(iban) => Ok(Self(iban::IbanLike::electronic_str(&iban).to_string())),
            Err(iban::ParseIbanError::InvalidBaseIban { source: iban::ParseBaseIbanError::InvalidChecksum }) => {
                Err(field(format!("'{text}' klopt niet: de controlecijfers (mod 97) passen niet; tikfout?")))
            }
            Err(iban::ParseIbanError::InvalidBban(_) | iban::ParseIbanError::UnknownCountry(_)) => {
                Err(field(format!("'{text}' heeft niet de vorm van een rekeningnummer uit dat land")))
            }
            Err(_) => Err(field(format!("'{text}' is geen IBAN; schrijf bijvoorbeeld NL91 ABNA 0417 1643 00"))),
        }
    }

    /// Electronic form, as payment files want it: `NL91ABNA0417164300`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Paper form, in groups of four: `NL91 ABNA 0417 1643 00`.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

/// A four-digit Dutch postcode area (PC4): 1000 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pc4(u16);

impl Pc4 {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim();
        let code: Option<u16> =
            (text.len() == 4 && text.chars().all(|c| c.is_ascii_digit())).then(|| text.parse().ok()).flatten();
        match code {
            Some(code) if code >= 1000 => Ok(Self(code)),
            _ => Err(FieldError::new(
                "postcode",
                format!("'{text}' is geen PC4-postcode; dat zijn 4 cijfers van 1000 tot 9999"),
            )),
        }
    }

    /// Several postcodes separated by commas or spaces: `8011, 8012 8013`.
    pub fn parse_list(input: &str) -> Result<Vec<Self>, FieldError> {
        let mut codes: Vec<Self> = input
            .split([',', ' ', ';', '\t', '\n', '\r'])
            .filter(|s| !s.trim().is_empty())
            .map(Self::parse)
            .collect::<Result<_, _>>()?;
        codes.sort();
        codes.dedup();
        Ok(codes)
    }

    pub fn value(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Pc4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A name or other required text: trimmed, not empty, at most `max` characters, no control characters.
pub fn parse_required_text(field: &'static str, input: &str, max: usize) -> Result<String, FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "dit veld is verplicht"));
    }
    parse_optional_text(field, text, max)
}

/// Optional text: trimmed, at most `max` characters, no control characters.
pub fn parse_optional_text(field: &'static str, input: &str, max: usize) -> Result<String, FieldError> {
    let text = input.trim();
    if text.chars().count() > max {
        return Err(FieldError::new(field, format!("hooguit {max} tekens")));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldError::new(field, "bevat een onzichtbaar stuurteken"));
    }
    Ok(text.to_string())
}

/// An e-mail address, loosely: something@domain.tld, no spaces. Empty is allowed (optional).
pub fn parse_email(input: &str) -> Result<String, FieldError> {
    let text = parse_optional_text("e-mail", input, 254)?;
    if text.is_empty() {
        return Ok(text);
    }
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if valid { Ok(text) } else { Err(FieldError::new("e-mail", format!("'{text}' is geen e-mailadres"))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn hours_accept_comma_and_dot() {
        assert_eq!(parse_hours("1,5"), Ok(dec!(1.5)));
        assert_eq!(parse_hours("1.5"), Ok(dec!(1.5)));
        assert_eq!(parse_hours(" 12 "), Ok(dec!(12)));
        assert_eq!(parse_hours("0,25"), Ok(dec!(0.25)));
        assert_eq!(parse_hours("744"), Ok(dec!(744)));
        assert_eq!(parse_hours("2.50"), Ok(dec!(2.5)));
    }

    #[test]
    fn hours_reject_everything_else() {
        for (bad, says) in [
            ("", "vul een getal in"),
            ("  ", "vul een getal in"),
            ("1e3", "geen getal"),
            ("NaN", "geen getal"),
            ("inf", "geen getal"),
            ("-1", "meer dan 0"),
            ("0", "meer dan 0"),
            ("0,00", "meer dan 0"),
            ("1,255", "2 decimalen"),
            ("1,5,0", "geen getal"),
            ("1.000,5", "geen getal"),
            ("1,", "geen getal"),
            (",5", "geen getal"),
            ("+1", "geen getal"),
            ("745", "744"),
            ("99999999999999999999999999999999", "te groot"),
            ("１", "geen getal"),
        ] {
            let error = parse_hours(bad).expect_err(bad);
            assert_eq!(error.field, "uren");
            assert!(error.message.contains(says), "{bad}: {}", error.message);
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("33,33"), Ok(dec!(33.33)));
        assert_eq!(parse_percentage("60%"), Ok(dec!(60)));
        assert!(parse_percentage("33,333").unwrap_err().message.contains("2 decimalen"));
        assert!(parse_percentage("101").unwrap_err().message.contains("tussen 0 en 100"));
        assert!(parse_percentage("-1").is_err());
        assert!(parse_percentage("").is_err());
        assert!(check_percentages_sum(&[dec!(60), dec!(40)]).is_ok());
        assert!(check_percentages_sum(&[dec!(33.33), dec!(33.33), dec!(33.33)]).unwrap_err().message.contains("99.99"));
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("1.234,56"), Ok(dec!(1234.56)));
        assert_eq!(parse_amount("€ 84,95"), Ok(dec!(84.95)));
        assert_eq!(parse_amount("84.95"), Ok(dec!(84.95)));
        assert_eq!(parse_amount("1234"), Ok(dec!(1234.00)));
        assert_eq!(parse_amount("-12,5"), Ok(dec!(-12.50)));
        assert!(parse_amount("1.234").unwrap_err().message.contains("onduidelijk"));
        assert!(parse_amount("12.34.56,00").is_err());
        assert!(parse_amount("1,234,56").is_err());
        assert!(parse_amount("0,001").unwrap_err().message.contains("2 decimalen"));
        assert!(parse_amount("").is_err());
        for bad in ["1,2.3", "1.234,5.6", "0,1.2"] {
            assert!(parse_amount(bad).unwrap_err().message.contains("na de komma"), "{bad}");
        }
        assert!(parse_amount("-79228162514264337593543950335").is_err());
        assert!(parse_amount("10.000.001,00").unwrap_err().message.contains("hooguit"));
        assert_eq!(parse_amount("10.000.000,00"), Ok(dec!(10000000.00)));
    }

    #[test]
    fn numbers_are_never_rounded_silently() {
        assert!(parse_hours("1.00000000000000000000000000001").is_err());
        assert!(parse_hours("744,0000000000000000000000000001").is_err());
        assert!(parse_percentage("50%%").is_err());
    }

    #[test]
    fn ion_counts() {
        assert_eq!(parse_ion("7000"), Ok(7000));
        assert_eq!(parse_ion("16.000"), Ok(16000));
        assert_eq!(parse_ion("0"), Ok(0));
        for bad in ["", "-5", "7,5", "70.00", "1e4", "abc", "99999999999"] {
            assert!(parse_ion(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn agb_is_eight_digits() {
        assert_eq!(Agb::parse(" 01234567 ").unwrap().as_str(), "01234567");
        for bad in ["1234567", "123456789", "1234567a", ""] {
            let error = Agb::parse(bad).unwrap_err();
            assert!(error.message.contains("8 cijfers"), "{bad}");
        }
    }

    #[test]
    fn iban_mod97() {
        let iban = Iban::parse("nl91 abna 0417 1643 00").unwrap();
        assert_eq!(iban.as_str(), "NL91ABNA0417164300");
        assert_eq!(iban.to_string(), "NL91 ABNA 0417 1643 00");
        assert!(Iban::parse("NL91ABNA0417164301").unwrap_err().message.contains("mod 97"));
        assert!(Iban::parse("NL91ABNA041716430").is_err());
        assert!(Iban::parse("hallo").unwrap_err().message.contains("geen IBAN"));
        assert!(Iban::parse("").unwrap_err().message.contains("vul een IBAN"));
        assert!(Iban::parse("DE89370400440532013000").is_ok());
    }

    #[test]
    fn postcodes() {
        assert_eq!(Pc4::parse("8011").unwrap().value(), 8011);
        for bad in ["0999", "801", "80111", "8011AB", "abcd", ""] {
            assert!(Pc4::parse(bad).is_err(), "{bad}");
        }
        let list = Pc4::parse_list("8012, 8011 8012;8013").unwrap();
        assert_eq!(list.iter().map(|p| p.value()).collect::<Vec<_>>(), vec![8011, 8012, 8013]);
    }

    #[test]
    fn texts_and_email() {
        assert!(parse_required_text("naam", "  ", 80).is_err());
        assert_eq!(parse_required_text("naam", " Zwolle-Zuid ", 80).unwrap(), "Zwolle-Zuid");
        assert!(parse_required_text("naam", "a\u{7}b", 80).is_err());
        assert!(parse_required_text("naam", &"x".repeat(81), 80).is_err());
        assert_eq!(parse_email("").unwrap(), "");
        assert!(parse_email("zwolle@medrie.nl").is_ok());
        for bad in ["zwolle", "a@b", "a b@c.nl", "@medrie.nl", "a@.nl"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
