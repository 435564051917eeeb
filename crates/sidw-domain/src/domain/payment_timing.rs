//! When a quarter is paid (handbook appendix 1, "Uitbetaling volgt 1 maand na kwartaalafsluiting";
//! SPEC §9): one calendar month after the quarter's last day. A payment file asks the bank to
//! execute on that day, or on the day it is written when that is later.

use chrono::NaiveDate;

use super::calendar::{Quarter, one_month_after};

/// The day a quarter's payments are due: its last day plus one calendar month (31-03 → 30-04,
/// 30-06 → 30-07, 30-09 → 30-10, 31-12 → 31-01).
pub fn payment_due(quarter: Quarter) -> NaiveDate {
    one_month_after(quarter.last_day())
}

/// The requested execution date of a payment file for `quarter` written on `export_day`: the
/// payment due date, or the export day when that is later (a bank executes nothing in the past).
pub fn execution_date(quarter: Quarter, export_day: NaiveDate) -> NaiveDate {
    payment_due(quarter).max(export_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn due_one_month_after_each_quarter_end() {
        let due: Vec<NaiveDate> = Quarter::of_year(2025).into_iter().map(payment_due).collect();
        assert_eq!(due, vec![d(2025, 4, 30), d(2025, 7, 30), d(2025, 10, 30), d(2026, 1, 31)]);
    }

    #[test]
    fn execution_date_is_the_due_date_or_the_later_export_day() {
        let q1 = Quarter::parse("2025-Q1").unwrap();
        assert_eq!(execution_date(q1, d(2025, 4, 2)), d(2025, 4, 30), "exported before the due date");
        assert_eq!(execution_date(q1, d(2025, 4, 30)), d(2025, 4, 30), "exported on the due date");
        assert_eq!(execution_date(q1, d(2025, 5, 1)), d(2025, 5, 1), "exported the day after");
    }
}
