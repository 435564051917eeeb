//! The Signalen of the bank (issue 17): a batch exported but not paid 10 working days after its
//! execution date; a payment the bank returned; a payee whose IBAN was changed after a return
//! (information: the payment can be made again). Pure: the store gathers [`BatchBankFacts`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::bank::{LineState, add_working_days};
use super::calendar::{Quarter, format_date};
use super::ids::NetworkId;
use super::money::format_eur;
use super::region::Region;
use super::signals::{Signal, SignalTarget};

/// Working days the bank gets to pay a batch before a signal asks for its statement.
pub const PAY_WITHIN_WORKING_DAYS: u32 = 10;

/// One exported batch as the bank signals need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchBankFacts {
    pub number: String,
    pub quarter: Quarter,
    /// The network the signal leads to (the batch's first in force) and the batch's region when
    /// all its networks lie in one.
    pub network: Option<NetworkId>,
    pub region: Option<Region>,
    /// The day the bank was asked to pay (of the first payment file that kept it; `None` for a
    /// batch exported before sidw kept it: then no signal waits for the bank).
    pub execution_date: Option<NaiveDate>,
    /// Lines in force, and how many of them the bank has not reported paid or returned. `None`
    /// when the bank has said nothing of the batch (its lines were not read).
    pub lines: usize,
    pub open: Option<usize>,
    pub returned: Vec<ReturnedLine>,
    /// Returns corrected to paid after a re-close paid them again (its batch still in force).
    pub paid_twice: Vec<PaidTwice>,
}

/// A payment the bank was said to have returned, paid again by a re-close, and then found paid
/// after all (the bank state was corrected): the payee got it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidTwice {
    pub end_to_end_id: String,
    pub payee: String,
    pub network_name: String,
    pub amount: Decimal,
    /// The batch that paid it again.
    pub again: String,
}

/// A payment the bank returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedLine {
    pub end_to_end_id: String,
    pub payee: String,
    pub network_name: String,
    pub amount: Decimal,
    pub date: NaiveDate,
    pub reason: String,
    /// The payee's IBAN now differs from the one paid to: it was changed after the return.
    pub iban_changed: bool,
}

impl ReturnedLine {
    pub fn of(
        end_to_end_id: &str,
        line: &super::close::PaymentLine,
        state: &LineState,
        iban_changed: bool,
    ) -> Option<Self> {
        let LineState::Returned { date, reason, .. } = state else { return None };
        Some(Self {
            end_to_end_id: end_to_end_id.to_string(),
            payee: line.payee.clone(),
            network_name: line.network_name.clone(),
            amount: line.amount,
            date: *date,
            reason: reason.clone(),
            iban_changed,
        })
    }
}

pub fn bank_signals(today: NaiveDate, batches: &[BatchBankFacts]) -> Vec<Signal> {
    let mut out = Vec::new();
    for b in batches {
        let subject = format!("betaalbatch {}", b.number);
        let target = match b.network {
            Some(network) => SignalTarget::Close(network, b.quarter),
            None => SignalTarget::Tariffs(b.quarter.year()),
        };
        let open = b.open.unwrap_or(b.lines);
        if let Some(executed) = b.execution_date
            && let due = add_working_days(executed, PAY_WITHIN_WORKING_DAYS)
            && open > 0
            && today > due
        {
            let what = match b.open {
                None => "de bank heeft de betaling nog niet gemeld".to_string(),
                Some(open) => format!("{open} van {} betalingen nog niet door de bank gemeld", b.lines),
            };
            out.push(Signal {
                due,
                overdue: true,
                subject: subject.clone(),
                text: format!(
                    "{what} (uitgevoerd {}, {PAY_WITHIN_WORKING_DAYS} werkdagen later {}): lees het bankafschrift in",
                    format_date(executed),
                    format_date(due)
                ),
                target: target.clone(),
                region: b.region,
            });
        }
        for r in &b.returned {
            let (overdue, text) = if r.iban_changed {
                (
                    false,
                    format!(
                        "IBAN van {} gewijzigd na terugboeking van {} ({}): kan opnieuw worden betaald; heropen {} van \
                         {} en sluit opnieuw af",
                        r.payee,
                        format_eur(r.amount),
                        r.end_to_end_id,
                        b.quarter,
                        r.network_name
                    ),
                )
            } else {
                (
                    true,
                    format!(
                        "betaling {} aan {} van {} teruggeboekt (reden {}): IBAN navragen, dan {} van {} heropenen en \
                         opnieuw afsluiten; de nieuwe batch betaalt het opnieuw",
                        r.end_to_end_id,
                        r.payee,
                        format_eur(r.amount),
                        r.reason,
                        b.quarter,
                        r.network_name
                    ),
                )
            };
            out.push(Signal {
                due: r.date,
                overdue,
                subject: subject.clone(),
                text,
                target: target.clone(),
                region: b.region,
            });
        }
        for twice in &b.paid_twice {
            out.push(Signal {
                due: b.execution_date.unwrap_or(b.quarter.last_day()),
                overdue: true,
                subject: subject.clone(),
                text: format!(
                    "betaling {} aan {} van {} is toch betaald, maar batch {} betaalde haar opnieuw: heropen {} van {} \
                     en sluit opnieuw af, dan wordt het teveel betaalde teruggevorderd",
                    twice.end_to_end_id,
                    twice.payee,
                    format_eur(twice.amount),
                    twice.again,
                    b.quarter,
                    twice.network_name
                ),
                target: target.clone(),
                region: b.region,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    fn facts(open: Option<usize>, returned: Vec<ReturnedLine>) -> BatchBankFacts {
        BatchBankFacts {
            number: "2025-Q1-0001".into(),
            quarter: Quarter::new(2025, 1).expect("quarter"),
            network: Some(NetworkId(7)),
            region: Some(Region::Zwolle),
            execution_date: Some(day(2025, 5, 2)),
            lines: 6,
            open,
            returned,
            paid_twice: Vec::new(),
        }
    }

    #[test]
    fn not_paid_after_ten_working_days_only() {
        // 2 May 2025 + 10 working days (5 May a holiday in 2025) = 19 May.
        assert!(bank_signals(day(2025, 5, 19), &[facts(None, vec![])]).is_empty());
        let late = bank_signals(day(2025, 5, 20), &[facts(None, vec![])]);
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].due, day(2025, 5, 19));
        assert!(late[0].text.contains("nog niet gemeld"), "{}", late[0].text);
        assert!(bank_signals(day(2025, 6, 1), &[facts(Some(0), vec![])]).is_empty());
        let partly = bank_signals(day(2025, 6, 1), &[facts(Some(2), vec![])]);
        let before = BatchBankFacts { execution_date: None, ..facts(None, vec![]) };
        assert!(bank_signals(day(2026, 6, 1), &[before]).is_empty(), "exported before sidw kept the date");
        assert!(partly[0].text.starts_with("2 van 6 betalingen"), "{}", partly[0].text);
    }

    #[test]
    fn a_return_asks_for_action_until_the_iban_was_changed() {
        let back = |changed| ReturnedLine {
            end_to_end_id: "2025-Q1-0001-003".into(),
            payee: "Fysio".into(),
            network_name: "Zwolle-Zuid".into(),
            amount: dec!(1019.40),
            date: day(2025, 5, 6),
            reason: "AC04".into(),
            iban_changed: changed,
        };
        let s = bank_signals(day(2025, 5, 7), &[facts(Some(0), vec![back(false)])]);
        assert_eq!(s.len(), 1);
        assert!(s[0].overdue && s[0].text.contains("teruggeboekt (reden AC04)"), "{}", s[0].text);
        assert!(s[0].text.contains("2025-Q1 van Zwolle-Zuid heropenen en opnieuw afsluiten"), "{}", s[0].text);
        let s = bank_signals(day(2025, 5, 7), &[facts(Some(0), vec![back(true)])]);
        assert!(!s[0].overdue && s[0].text.contains("kan opnieuw worden betaald"), "{}", s[0].text);
    }

    #[test]
    fn a_return_found_paid_after_a_re_close_paid_it_again_asks_for_the_claim() {
        let mut f = facts(Some(0), vec![]);
        f.paid_twice.push(PaidTwice {
            end_to_end_id: "2025-Q1-0001-003".into(),
            payee: "Fysio".into(),
            network_name: "Zwolle-Zuid".into(),
            amount: dec!(1019.40),
            again: "2025-Q1-0002".into(),
        });
        let s = bank_signals(day(2025, 6, 1), &[f]);
        assert_eq!(s.len(), 1);
        assert!(s[0].overdue, "money paid twice asks for action");
        assert!(
            s[0].text.contains("batch 2025-Q1-0002 betaalde haar opnieuw: heropen 2025-Q1 van Zwolle-Zuid"),
            "{}",
            s[0].text
        );
    }
}
