//! Hours lines (regels van het ureninzetformulier) and what they are worth.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::agreement::{Agreement, AgreementKind};
use super::calendar::YearMonth;
use super::error::{DomainError, FieldError};
use super::ids::{HoursEntryId, NetworkId, PartnerId};
use super::money::round_cents;
use super::partner::Partner;
use super::tariff::{TariffBook, TariffCategory};

/// Hours a partner spent in a network in a month, for one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntry {
    pub id: HoursEntryId,
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    /// More than 0, at most 2 decimals (see [`super::validate::parse_hours`]).
    pub hours: Decimal,
    /// Optional activity text; a partner may have several lines in a month.
    pub activity: String,
    /// Saved over budget and marked "paid by the practice team": not paid by the secretariat and
    /// not counted against the partner budget.
    pub paid_by_practice_team: bool,
    /// For pharmacies and sports coaches: the user confirmed paying them despite the advice.
    pub double_funding_confirmed: bool,
    /// A correction line (in an open quarter after the corrected line's) names the line of a
    /// closed quarter it corrects; its hours may then be negative (see [`check_corrections`]).
    pub corrects: Option<HoursEntryId>,
}

impl HoursEntry {
    /// Hours × the tariff of the category in the year of the line's month, rounded half away
    /// from zero to cents.
    ///
    /// ```
    /// use rust_decimal_macros::dec;
    /// use sidw_domain::domain::{TariffBook, TariffCategory, TariffTable, hours::worth};
    /// let book = TariffBook::new([TariffTable::handbook_2025()]);
    /// assert_eq!(worth(&book, TariffCategory::B, 2025, dec!(1.5)).unwrap(), dec!(127.43));
    /// ```
    pub fn worth(&self, tariffs: &TariffBook, category: TariffCategory) -> Result<Decimal, DomainError> {
        worth(tariffs, category, self.month.year(), self.hours)
    }

    pub fn year(&self) -> i32 {
        self.month.year()
    }
}

/// The worth of `hours` at `category`'s tariff of `year`, rounded to cents.
pub fn worth(
    tariffs: &TariffBook,
    category: TariffCategory,
    year: i32,
    hours: Decimal,
) -> Result<Decimal, DomainError> {
    Ok(round_cents(hours * tariffs.for_year(year)?.hourly(category)))
}

/// "Formulier ontvangen, geen uren": the partner's hours form of a month came in empty. The close
/// checklist counts it as a received form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NihilMark {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
}

/// The last day of a month.
pub fn month_end(month: YearMonth) -> chrono::NaiveDate {
    month.first_day() + chrono::Months::new(1) - chrono::Days::new(1)
}

/// The one rule for recording hours (or a nihil mark) of a partner in a month: a partner agreement
/// in force on some day of the month (signed by its last day, not ended before its first), so the
/// month an agreement starts or ends in is recorded and paid too. A correction line is checked
/// against the month of the line it corrects.
pub fn check_agreement_for_hours(
    agreements: &[Agreement],
    partner: &Partner,
    month: YearMonth,
) -> Result<(), DomainError> {
    let (first, end) = (month.first_day(), month_end(month));
    let covers = |a: &Agreement| a.signed.is_some_and(|s| s <= end) && a.ended.is_none_or(|e| e >= first);
    if agreements.iter().any(|a| a.kind == AgreementKind::Partner && a.partner == Some(partner.id) && covers(a)) {
        Ok(())
    } else {
        Err(DomainError::NoSignedAgreement { partner: partner.name.clone(), month: month.dutch_name() })
    }
}

/// The one rule for correction lines (SPEC §5: "a correction goes into an open quarter as a
/// correction line that names what it corrects"), over a corrected line and every correction line
/// that names it, as they would be stored after a change:
/// - a correction corrects a line of its own, not another correction;
/// - it is booked in a month after the corrected line's quarter (the money of that quarter was
///   settled at its close; an earlier quarter would pay or claim it a second time);
/// - the corrected line with all its corrections is not below 0 hours (no more is taken back
///   than was recorded).
///
/// The store also asks that the corrected line's quarter is closed when a correction is added, and
/// that the correction's own quarter is open.
pub fn check_corrections(original: &HoursEntry, corrections: &[&HoursEntry]) -> Result<(), DomainError> {
    if original.corrects.is_some() {
        return Err(FieldError::new(
            "uren",
            format!(
                "urenregel {} ({}) is zelf een correctie: corrigeer de oorspronkelijke regel",
                original.id,
                original.month.dutch_name()
            ),
        )
        .into());
    }
    let quarter = original.month.quarter();
    if let Some(early) = corrections.iter().find(|c| c.month.quarter() <= quarter) {
        return Err(FieldError::new(
            "maand",
            format!(
                "een correctie van {} hoort in een maand na {quarter} (een later, open kwartaal), niet in {}",
                original.month.dutch_name(),
                early.month.dutch_name()
            ),
        )
        .into());
    }
    let total = corrections.iter().fold(original.hours, |sum, c| sum + c.hours);
    if total < Decimal::ZERO {
        return Err(FieldError::new(
            "uren",
            format!(
                "de regel van {} ({} uur) komt met de correcties op {} uur: samen niet onder 0 uur",
                original.month.dutch_name(),
                super::dutch::number(original.hours),
                super::dutch::number(total)
            ),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tariff::TariffTable;
    use rust_decimal_macros::dec;

    #[test]
    fn worth_uses_the_year_of_the_month_and_rounds_half_away() {
        let mut y2026 = TariffTable::handbook_2025();
        y2026.year = 2026;
        y2026.hourly_c = dec!(60.00);
        let book = TariffBook::new([TariffTable::handbook_2025(), y2026]);
        assert_eq!(worth(&book, TariffCategory::A, 2025, dec!(2)).unwrap(), dec!(202.00));
        // 0.01 h × 59.35 = 0.5935 → 0.59; 0.1 h × 84.95 = 8.495 → 8.50 (half away from zero)
        assert_eq!(worth(&book, TariffCategory::C, 2025, dec!(0.01)).unwrap(), dec!(0.59));
        assert_eq!(worth(&book, TariffCategory::B, 2025, dec!(0.1)).unwrap(), dec!(8.50));
        assert_eq!(worth(&book, TariffCategory::C, 2026, dec!(1)).unwrap(), dec!(60.00));
        assert_eq!(worth(&book, TariffCategory::C, 2027, dec!(1)), Err(DomainError::NoTariffs(2027)));
    }

    fn line(id: u64, month: u32, hours: Decimal, corrects: Option<u64>) -> HoursEntry {
        HoursEntry {
            id: HoursEntryId(id),
            network: NetworkId(1),
            partner: PartnerId(2),
            month: YearMonth::new(2025, month).unwrap(),
            hours,
            activity: String::new(),
            paid_by_practice_team: false,
            double_funding_confirmed: false,
            corrects: corrects.map(HoursEntryId),
        }
    }

    #[test]
    fn a_correction_comes_after_the_corrected_quarter_and_takes_back_at_most_what_was_recorded() {
        let march = line(1, 3, dec!(2), None);
        let may = line(2, 5, dec!(-1.5), Some(1));
        assert_eq!(check_corrections(&march, &[&may]), Ok(()));
        let all_back = line(3, 7, dec!(-0.5), Some(1));
        assert_eq!(check_corrections(&march, &[&may, &all_back]), Ok(()), "back to exactly 0 hours");
        let field = |r: Result<(), DomainError>| match r {
            Err(DomainError::Field(f)) => (f.field, f.message),
            other => panic!("{other:?}"),
        };
        let (name, message) = field(check_corrections(&march, &[&may, &line(3, 7, dec!(-0.75), Some(1))]));
        assert_eq!(name, "uren");
        assert_eq!(
            message,
            "de regel van maart 2025 (2 uur) komt met de correcties op -0,25 uur: samen niet onder 0 uur"
        );
        // Booked in the corrected line's own quarter, or before it: refused at the month.
        for month in [1, 3] {
            let (name, message) =
                field(check_corrections(&line(9, 4, dec!(2), None), &[&line(2, month, dec!(-1), Some(9))]));
            assert_eq!(name, "maand");
            assert!(message.contains("na 2025-Q2"), "{message}");
        }
        // A correction of a correction is refused: the original is corrected.
        assert_eq!(field(check_corrections(&may, &[&line(4, 8, dec!(1), Some(2))])).0, "uren");
    }
}
