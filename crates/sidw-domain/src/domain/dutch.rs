//! Dutch text: counts with the right singular or plural, and numbers with a decimal comma.

use rust_decimal::Decimal;

/// A count with its noun: `1 regel`, `2 regels`, `0 regels`.
///
/// ```
/// use sidw_domain::domain::dutch::count;
/// assert_eq!(count(1, "regel", "regels"), "1 regel");
/// assert_eq!(count(0, "punt", "punten"), "0 punten");
/// assert_eq!(count(2, "punt", "punten"), "2 punten");
/// ```
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// A number the Dutch way, as many decimals as it has, a decimal comma and no thousands dots
/// (hours: `1,5`, `-0,25`, `12`).
///
/// ```
/// use rust_decimal_macros::dec;
/// use sidw_domain::domain::dutch::number;
/// assert_eq!(number(dec!(1.50)), "1,5");
/// assert_eq!(number(dec!(-0.25)), "-0,25");
/// assert_eq!(number(dec!(12.00)), "12");
/// ```
pub fn number(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}
