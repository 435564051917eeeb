//! Months, quarters and Dutch dates.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Dutch month names, as coordinators write them on hours forms (`maart 2025`).
pub const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// Dutch three-letter month abbreviations, as column headings.
pub const MONTH_ABBREVIATIONS: [&str; 12] =
    ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// Years sidw accepts anywhere: wide enough for history and planning, narrow enough to catch typos.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A calendar month of a year: the unit of an hours line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    /// `None` unless the year is within [`YEARS`] and the month is 1..=12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (YEARS.contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month: month as u8 })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    pub fn quarter(self) -> Quarter {
        Quarter { year: self.year, number: (self.month - 1) / 3 + 1 }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month(), 1).expect("valid year and month")
    }

    pub fn of_date(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() as u8 }
    }

    /// The month before, as `=` in the hours grid copies from.
    pub fn previous(self) -> Self {
        Self::of_date(self.first_day() - Months::new(1))
    }

    /// Dutch name: `maart 2025`.
    pub fn dutch_name(self) -> String {
        format!("{} {}", MONTH_NAMES[usize::from(self.month - 1)], self.year)
    }

    /// Reads `2025-03`, `03-2025`, `2025-3` or `maart 2025` (also `mrt 2025`, any case).
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim().to_lowercase();
        let bad = || format!("'{}' is geen maand; schrijf bijvoorbeeld 2025-03 of maart 2025", input.trim());
        if let Some((name, year)) = text.split_once(char::is_whitespace) {
            let year: i32 = year.trim().parse().map_err(|_| bad())?;
            let month = MONTH_NAMES
                .iter()
                .position(|m| {
                    *m == name || (name.len() >= 3 && m.starts_with(name)) || (name == "mrt" && *m == "maart")
                })
                .ok_or_else(bad)?;
            return Self::new(year, month as u32 + 1).ok_or_else(bad);
        }
        let (a, b) = text.split_once(['-', '/']).ok_or_else(bad)?;
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        let (year, month) = if a.len() == 4 { (a, b) } else { (b, a) };
        if year.len() != 4 || month.len() > 2 {
            return Err(bad());
        }
        Self::new(year.parse().map_err(|_| bad())?, month.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A quarter of a year, written `2025-Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    year: i32,
    number: u8,
}

impl Quarter {
    /// `None` unless the year is within [`YEARS`] and the number is 1..=4.
    pub fn new(year: i32, number: u32) -> Option<Self> {
        (YEARS.contains(&year) && (1..=4).contains(&number)).then_some(Self { year, number: number as u8 })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u32 {
        u32::from(self.number)
    }

    /// The four quarters of a year, in order.
    pub fn of_year(year: i32) -> [Quarter; 4] {
        [1, 2, 3, 4].map(|number| Quarter { year, number })
    }

    pub fn of_date(date: NaiveDate) -> Self {
        YearMonth::of_date(date).quarter()
    }

    /// The three months of the quarter.
    pub fn months(self) -> [YearMonth; 3] {
        let first = (self.number - 1) * 3 + 1;
        [0, 1, 2].map(|i| YearMonth { year: self.year, month: first + i })
    }

    pub fn first_day(self) -> NaiveDate {
        self.months()[0].first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.first_day() + Months::new(3) - chrono::Days::new(1)
    }

    pub fn contains(self, month: YearMonth) -> bool {
        month.quarter() == self
    }

    pub fn next(self) -> Self {
        Self::of_date(self.first_day() + Months::new(3))
    }

    pub fn previous(self) -> Self {
        Self::of_date(self.first_day() - Months::new(3))
    }

    /// Reads `2025-Q1` (also `2025-q1`, `2025 Q1`, `Q1-2025`, `Q1 2025`).
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim().to_uppercase().replace(' ', "-");
        let bad = || format!("'{}' is geen kwartaal; schrijf bijvoorbeeld 2025-Q1", input.trim());
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let (year, q) = if a.starts_with('Q') { (b, a) } else { (a, b) };
        let number = q.strip_prefix('Q').ok_or_else(bad)?;
        if year.len() != 4 || number.len() != 1 {
            return Err(bad());
        }
        Self::new(year.parse().map_err(|_| bad())?, number.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.number)
    }
}

/// Dutch date display: `dd-mm-jjjj`.
pub fn format_date(date: NaiveDate) -> String {
    match date.year() {
        // The same as `%d-%m-%Y` without parsing the format each time (reports print thousands).
        year @ 0..=9999 => format!("{:02}-{:02}-{year:04}", date.day(), date.month()),
        _ => date.format("%d-%m-%Y").to_string(),
    }
}

/// Reads a date as `dd-mm-jjjj` (also `d-m-jjjj`, with `/` or `.`) or ISO `jjjj-mm-dd`.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let text = input.trim();
    let bad = || format!("'{text}' is geen datum; schrijf dd-mm-jjjj, bijvoorbeeld 31-01-2025");
    if text.is_empty() {
        return Err("datum ontbreekt; schrijf dd-mm-jjjj".to_string());
    }
    let separators: Vec<char> = text.chars().filter(|c| matches!(c, '-' | '/' | '.')).collect();
    if separators.windows(2).any(|w| w[0] != w[1]) {
        return Err(bad());
    }
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return Err(bad());
    }
    let (day, month, year) =
        if parts[0].len() == 4 { (parts[2], parts[1], parts[0]) } else { (parts[0], parts[1], parts[2]) };
    if year.len() != 4 || day.len() > 2 || month.len() > 2 {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    if !YEARS.contains(&year) {
        return Err(format!("jaar {year} valt buiten {}–{}", YEARS.start(), YEARS.end()));
    }
    NaiveDate::from_ymd_opt(year, month.parse().map_err(|_| bad())?, day.parse().map_err(|_| bad())?)
        .ok_or_else(|| format!("'{text}' bestaat niet in de kalender"))
}

/// The date one calendar month after `date`, clamped to the month's end (31-01 → 28-02 or 29-02).
pub fn one_month_after(date: NaiveDate) -> NaiveDate {
    date + Months::new(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarter_parse_display_and_bounds() {
        let q = Quarter::parse("2025-Q1").unwrap();
        assert_eq!(q.to_string(), "2025-Q1");
        assert_eq!(Quarter::parse(" q3 2025 ").unwrap().to_string(), "2025-Q3");
        assert_eq!(q.first_day(), d(2025, 1, 1));
        assert_eq!(q.last_day(), d(2025, 3, 31));
        assert_eq!(Quarter::parse("2024-Q4").unwrap().last_day(), d(2024, 12, 31));
        assert_eq!(q.previous().to_string(), "2024-Q4");
        assert_eq!(q.next().next().next().next().to_string(), "2026-Q1");
        for bad in ["2025-Q5", "2025-Q0", "2025", "Q1", "25-Q1", "2025-Q12", ""] {
            assert!(Quarter::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn year_month_parse_forms() {
        let march = YearMonth::new(2025, 3).unwrap();
        for text in ["2025-03", "2025-3", "03-2025", "maart 2025", "Maart 2025", "mrt 2025", "MRT 2025"] {
            assert_eq!(YearMonth::parse(text), Ok(march), "{text}");
        }
        for bad in ["2025-13", "maar", "2025", "13-2025", "foo 2025", "2025-03-01"] {
            assert!(YearMonth::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(march.quarter().to_string(), "2025-Q1");
        assert_eq!(march.dutch_name(), "maart 2025");
        assert_eq!(YearMonth::new(2025, 1).unwrap().previous().to_string(), "2024-12");
    }

    #[test]
    fn dates_dutch_and_iso() {
        assert_eq!(parse_date("31-01-2025"), Ok(d(2025, 1, 31)));
        assert_eq!(parse_date("1-2-2025"), Ok(d(2025, 2, 1)));
        assert_eq!(parse_date("2025-02-01"), Ok(d(2025, 2, 1)));
        assert!(parse_date("31-02-2025").unwrap_err().contains("bestaat niet"));
        assert!(parse_date("").is_err());
        assert!(parse_date("morgen").is_err());
        assert!(parse_date("01-01-1899").is_err());
        assert!(parse_date("31-01/2025").is_err(), "mixed separators");
        assert_eq!(format_date(d(2025, 3, 9)), "09-03-2025");
        assert_eq!(format_date(d(2025, 12, 31)), "31-12-2025");
        assert_eq!(format_date(d(999, 1, 1)), "01-01-0999");
        for date in [d(-5, 1, 1), d(10_000, 1, 1), d(0, 2, 29)] {
            assert_eq!(format_date(date), date.format("%d-%m-%Y").to_string(), "{date:?}");
        }
    }

    #[test]
    fn one_month_after_clamps_to_month_end() {
        assert_eq!(one_month_after(d(2025, 1, 31)), d(2025, 2, 28));
        assert_eq!(one_month_after(d(2024, 1, 31)), d(2024, 2, 29));
        assert_eq!(one_month_after(d(2025, 3, 15)), d(2025, 4, 15));
        assert_eq!(one_month_after(d(2025, 12, 31)), d(2026, 1, 31));
    }
}
