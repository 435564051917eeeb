//! Money: rounding to cents, Dutch display, and the cent-exact split of a total by percentages.
//!
//! Every amount is a `rust_decimal::Decimal` in euros. Rounding is half away from zero, to cents.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// One hundred, the whole of a percentage split.
pub const HUNDRED: Decimal = Decimal::from_parts(100, 0, 0, false, 0);

/// Rounds an amount to whole cents, half away from zero (`0,005` → `0,01`, `-0,005` → `-0,01`).
///
/// ```
/// use rust_decimal_macros::dec;
/// use sidw_domain::domain::money::round_cents;
/// assert_eq!(round_cents(dec!(2012.7875)), dec!(2012.79));
/// assert_eq!(round_cents(dec!(-0.005)), dec!(-0.01));
/// ```
pub fn round_cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// Dutch display: `€ 8.050,00`, `€ -12,50`.
///
/// ```
/// use rust_decimal_macros::dec;
/// use sidw_domain::domain::money::format_eur;
/// assert_eq!(format_eur(dec!(8050)), "€ 8.050,00");
/// assert_eq!(format_eur(dec!(-1234567.891)), "€ -1.234.567,89");
/// ```
pub fn format_eur(amount: Decimal) -> String {
    format!("€ {}", format_nl(amount))
}

/// A difference with its sign always shown, in the one minus format of [`format_eur`]:
/// `€ +12,50`, `€ -12,50`, `€ 0,00`.
///
/// ```
/// use rust_decimal_macros::dec;
/// use sidw_domain::domain::money::format_eur_signed;
/// assert_eq!(format_eur_signed(dec!(12.5)), "€ +12,50");
/// assert_eq!(format_eur_signed(dec!(-1234.5)), "€ -1.234,50");
/// assert_eq!(format_eur_signed(dec!(0)), "€ 0,00");
/// ```
pub fn format_eur_signed(amount: Decimal) -> String {
    if amount > Decimal::ZERO { format!("€ +{}", format_nl(amount)) } else { format_eur(amount) }
}

/// Dutch number with thousands dots and two decimals, no currency sign: `8.050,00`.
pub fn format_nl(amount: Decimal) -> String {
    let plain = format_plain(amount);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    format!("{sign}{},{cents}", group_thousands(whole))
}

/// Digits in groups of three with Dutch thousands dots: `"7000"` → `"7.000"`.
pub fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    grouped
}

/// Machine display for JSON and interchange: dot, exactly two decimals, no grouping: `8050.00`.
pub fn format_plain(amount: Decimal) -> String {
    let rounded = round_cents(amount);
    if rounded.is_zero() {
        return "0.00".to_string();
    }
    format!("{rounded:.2}")
}

/// Decimal comma, two decimals, no grouping, as Dutch Excel reads it from CSV: `8050,00`.
pub fn format_decimal_comma(amount: Decimal) -> String {
    format_plain(amount).replace('.', ",")
}

/// Splits `total` (whole cents, not negative) over parts by percentages that sum to exactly 100.
///
/// Every part is its exact share rounded down to a cent; the cents left over go one each to the
/// parts with the largest remainders (earlier parts first on a tie). So the parts add up to the
/// total to the cent, and no part is a cent or more away from its exact share.
///
/// ```
/// use rust_decimal_macros::dec;
/// use sidw_domain::domain::money::split_by_percentages;
/// let parts = split_by_percentages(dec!(100.00), &[dec!(33.33), dec!(33.33), dec!(33.34)]);
/// assert_eq!(parts, vec![dec!(33.33), dec!(33.33), dec!(33.34)]);
/// let parts = split_by_percentages(dec!(0.01), &[dec!(50), dec!(50)]);
/// assert_eq!(parts, vec![dec!(0.01), dec!(0.00)]);
/// ```
///
/// # Panics
/// When the percentages do not sum to 100 or the total is negative or has fractions of cents:
/// callers validate both first (`PracticeTeam::validate`, `round_cents`).
pub fn split_by_percentages(total: Decimal, percentages: &[Decimal]) -> Vec<Decimal> {
    assert!(percentages.iter().sum::<Decimal>() == HUNDRED, "split_by_percentages: percentages must sum to 100");
    assert!(!total.is_sign_negative(), "split_by_percentages: negative total");
    let total_cents = total * HUNDRED;
    assert!(total_cents.fract().is_zero(), "split_by_percentages: total has fractions of cents");

    let exact: Vec<Decimal> = percentages.iter().map(|p| total_cents * *p / HUNDRED).collect();
    let mut cents: Vec<Decimal> = exact.iter().map(|e| e.floor()).collect();
    let distributed: Decimal = cents.iter().sum();
    let left_over = total_cents - distributed;

    let mut by_remainder: Vec<usize> = (0..exact.len()).collect();
    by_remainder.sort_by(|&a, &b| (exact[b] - cents[b]).cmp(&(exact[a] - cents[a])).then(a.cmp(&b)));
    let left_over = left_over.to_usize().expect("left-over cents are fewer than the parts");
    for &index in by_remainder.iter().take(left_over) {
        cents[index] += Decimal::ONE;
    }
    cents
        .into_iter()
        .map(|c| {
            let mut part = c / HUNDRED;
            part.rescale(2);
            part
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_dutch_style() {
        assert_eq!(format_eur(dec!(0)), "€ 0,00");
        assert_eq!(format_eur(dec!(1.15)), "€ 1,15");
        assert_eq!(format_eur(dec!(999.999)), "€ 1.000,00");
        assert_eq!(format_eur(dec!(23800)), "€ 23.800,00");
        assert_eq!(format_eur(dec!(54400)), "€ 54.400,00");
        assert_eq!(format_eur(dec!(-0.5)), "€ -0,50");
        assert_eq!(format_eur(dec!(123456789.01)), "€ 123.456.789,01");
    }

    #[test]
    fn formats_plain_and_comma() {
        assert_eq!(format_plain(dec!(8050)), "8050.00");
        assert_eq!(format_plain(dec!(-0.001)), "0.00");
        assert_eq!(format_plain(dec!(84.955)), "84.96");
        assert_eq!(format_decimal_comma(dec!(1234.5)), "1234,50");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_cents(dec!(0.125)), dec!(0.13));
        assert_eq!(round_cents(dec!(0.135)), dec!(0.14));
        assert_eq!(round_cents(dec!(-0.125)), dec!(-0.13));
        assert_eq!(round_cents(dec!(0.1249)), dec!(0.12));
    }

    #[test]
    fn split_sixty_forty() {
        assert_eq!(split_by_percentages(dec!(5950.00), &[dec!(60), dec!(40)]), vec![dec!(3570.00), dec!(2380.00)]);
    }

    #[test]
    fn split_gives_left_over_cents_to_largest_remainders() {
        // 10.00 over 3 × 33.33 + 0.01: exact 333.3, 333.3, 333.3, 0.1 cents → floors 999, 1 cent left.
        let parts = split_by_percentages(dec!(10.00), &[dec!(33.33), dec!(33.33), dec!(33.33), dec!(0.01)]);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(10.00));
        assert_eq!(parts, vec![dec!(3.34), dec!(3.33), dec!(3.33), dec!(0.00)]);
    }

    #[test]
    #[should_panic(expected = "sum to 100")]
    fn split_refuses_percentages_not_summing_to_100() {
        split_by_percentages(dec!(10), &[dec!(60), dec!(30)]);
    }
}
