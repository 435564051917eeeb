//! What the bank says of the payments: entries of a bank statement (camt.053) matched to the
//! payment lines sidw exported, each line's state (open, paid, returned) and a batch's status
//! derived from its lines. Pure: the reader of the statement and the store supply the values.
//!
//! Matching never guesses: an entry is matched by the end-to-end id sidw wrote in the pain.001;
//! when the bank left it out, by the payee's IBAN, the amount and the remittance text together,
//! and only when exactly one line fits. Everything else is listed as unmatched.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One booked transaction of a statement: one `TxDtls` of an entry (a batch-booked entry has
/// several), or the entry itself when it carries no details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    /// Identifies the transaction within the account's statements, for idempotence: the entry's
    /// bank reference (`AcctSvcrRef`, else `NtryRef`, else statement id and position) and the
    /// transaction's position within the entry.
    pub key: String,
    /// The bank's reference shown to the user (`AcctSvcrRef` of the transaction or entry).
    pub bank_ref: String,
    pub booking_date: NaiveDate,
    /// `CRDT`: money came in (a return); `DBIT`: money went out (a payment).
    pub credit: bool,
    /// The transaction's amount (of the details, else of the entry), positive.
    pub amount: Decimal,
    pub end_to_end_id: Option<String>,
    /// The other party's IBAN (the payee of a payment; the returning account of a return).
    pub iban: Option<String>,
    pub remittance: String,
    /// The return reason code (`RtrInf/Rsn/Cd`, e.g. `AC04`) of a returned payment.
    pub return_reason: Option<String>,
    /// The currency of the amount (`Ccy`), when the statement gives it: only `EUR` can match.
    pub currency: Option<String>,
    /// `RvslInd` true: the bank reverses an earlier booking (a storno); never matched.
    pub reversal: bool,
    /// Why the statement itself makes the transaction unusable (e.g. a batch-booked entry whose
    /// details do not add up to it): never matched, listed with this reason.
    pub problem: Option<String>,
}

/// A payment line as the bank was asked to pay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLine {
    pub end_to_end_id: String,
    /// Electronic form, no spaces.
    pub iban: String,
    pub amount: Decimal,
    pub remittance: String,
}

/// What the bank says of one payment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LineState {
    /// Nothing known from the bank yet.
    #[default]
    Open,
    Paid {
        date: NaiveDate,
        bank_ref: String,
    },
    /// The payment came back (after being paid or not): with the bank's reason code.
    Returned {
        date: NaiveDate,
        reason: String,
        bank_ref: String,
    },
}

impl LineState {
    /// Rank of what is known: a return outranks a payment, a payment outranks nothing, so the
    /// order in which statements are read does not matter.
    fn rank(&self) -> u8 {
        match self {
            Self::Open => 0,
            Self::Paid { .. } => 1,
            Self::Returned { .. } => 2,
        }
    }

    /// The state after learning `news`: the higher ranked one (the earlier on a tie, so reading
    /// a statement twice changes nothing).
    pub fn merged(&self, news: &LineState) -> LineState {
        if news.rank() > self.rank() { news.clone() } else { self.clone() }
    }

    /// `betaald`, `teruggeboekt`, `open`.
    pub fn dutch(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paid { .. } => "betaald",
            Self::Returned { .. } => "teruggeboekt",
        }
    }

    /// `paid`, `returned`, `open` (JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paid { .. } => "paid",
            Self::Returned { .. } => "returned",
        }
    }

    /// The booking date of the payment or the return.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Self::Open => None,
            Self::Paid { date, .. } | Self::Returned { date, .. } => Some(*date),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Returned { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// One entry matched to one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// Index into the entries.
    pub entry: usize,
    /// Index into the lines.
    pub line: usize,
    /// `true`: by end-to-end id; `false`: by IBAN, amount and remittance text.
    pub by_id: bool,
    pub state: LineState,
}

/// An entry matched to no line, and why (Dutch, for the list shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// Index into the entries.
    pub entry: usize,
    pub reason: String,
}

/// The outcome of matching a statement's entries to the lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    pub matched: Vec<Matched>,
    /// Entries that fit no line, or more than one, or that contradict the line their end-to-end id
    /// names: listed with the reason, never guessed.
    pub unmatched: Vec<Unmatched>,
}

/// Compares remittance texts as banks pass them on: case, repeated spaces and the ends ignored.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    norm(a) == norm(b)
}

fn same_iban(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    norm(a) == norm(b)
}

/// Matches each entry to a line: a debit is a payment, a credit with a return reason a return;
/// a credit without one is not about sidw's payments and stays unmatched, as do a storno, an
/// amount in another currency than euro and a transaction the statement itself contradicts.
/// By end-to-end id first: the line it names must have the same amount and, when the entry
/// carries the payee's IBAN, the same IBAN (payment files written before the ids were renumbered
/// may name another payee's line); a contradicted id is listed, not matched otherwise. Without a
/// known id, by IBAN + amount + remittance text when exactly one line fits. Two entries may match
/// the same line (a payment and its return).
pub fn match_entries(entries: &[BankEntry], lines: &[ExpectedLine]) -> Matching {
    let mut out = Matching::default();
    let by_end_to_end: std::collections::HashMap<&str, usize> =
        lines.iter().enumerate().rev().map(|(n, l)| (l.end_to_end_id.as_str(), n)).collect();
    for (index, entry) in entries.iter().enumerate() {
        match match_one(entry, lines, &by_end_to_end) {
            Ok((line, by_id, state)) => out.matched.push(Matched { entry: index, line, by_id, state }),
            Err(reason) => out.unmatched.push(Unmatched { entry: index, reason }),
        }
    }
    out
}

/// The line one entry belongs to, how it was found and what it says of it; else why not.
fn match_one(
    entry: &BankEntry,
    lines: &[ExpectedLine],
    by_end_to_end: &std::collections::HashMap<&str, usize>,
) -> Result<(usize, bool, LineState), String> {
    if entry.reversal {
        return Err("storno: de bank draait een eerdere boeking terug".into());
    }
    if let Some(problem) = &entry.problem {
        return Err(problem.clone());
    }
    if let Some(currency) = entry.currency.as_deref().filter(|c| !c.eq_ignore_ascii_case("EUR")) {
        return Err(format!("bedrag in {currency}, niet in euro"));
    }
    let state = match (&entry.return_reason, entry.credit) {
        (None, false) => LineState::Paid { date: entry.booking_date, bank_ref: entry.bank_ref.clone() },
        (Some(reason), true) => {
            LineState::Returned { date: entry.booking_date, reason: reason.clone(), bank_ref: entry.bank_ref.clone() }
        }
        (None, true) => return Err("bijschrijving zonder reden van terugboeking".into()),
        (Some(_), false) => return Err("afschrijving met een reden van terugboeking".into()),
    };
    let named = entry
        .end_to_end_id
        .as_deref()
        .filter(|id| !id.is_empty() && *id != "NOTPROVIDED")
        .and_then(|id| Some((id, by_end_to_end.get(id).copied()?)));
    if let Some((id, line)) = named {
        let Some(l) = lines.get(line) else { return Err(format!("kenmerk {id} niet gevonden")) };
        if l.amount != entry.amount {
            return Err(format!("kenmerk {id} hoort bij een betaling van {}", super::money::format_eur(l.amount)));
        }
        if let Some(iban) = entry.iban.as_deref().filter(|iban| !same_iban(iban, &l.iban)) {
            return Err(format!("kenmerk {id} hoort bij een betaling aan {}, niet aan {iban}", l.iban));
        }
        return Ok((line, true, state));
    }
    let fits: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.amount == entry.amount
                && entry.iban.as_deref().is_some_and(|iban| same_iban(iban, &l.iban))
                && same_text(&entry.remittance, &l.remittance)
        })
        .map(|(n, _)| n)
        .collect();
    match fits.as_slice() {
        [only] => Ok((*only, false, state)),
        [] => Err("past bij geen betaling".into()),
        more => Err(format!("past bij {} betalingen met dezelfde IBAN, bedrag en omschrijving", more.len())),
    }
}

/// A batch's status, derived from its lines' states (and whether it was exported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    /// Closed, no payment file written yet.
    Closed,
    /// A payment file was written; the bank has said nothing of any line yet.
    Exported,
    /// Some lines paid or returned, others still open; or some paid and some returned.
    PartlyPaid,
    /// Every line paid.
    Paid,
    /// Every line returned.
    Returned,
}

impl BatchStatus {
    pub fn of(states: &[LineState], exported: bool) -> BatchStatus {
        let paid = states.iter().filter(|s| matches!(s, LineState::Paid { .. })).count();
        let returned = states.iter().filter(|s| matches!(s, LineState::Returned { .. })).count();
        let all = states.len();
        if all > 0 && paid == all {
            BatchStatus::Paid
        } else if all > 0 && returned == all {
            BatchStatus::Returned
        } else if paid + returned > 0 {
            BatchStatus::PartlyPaid
        } else if exported {
            BatchStatus::Exported
        } else {
            BatchStatus::Closed
        }
    }

    pub fn dutch(self) -> &'static str {
        match self {
            Self::Closed => "afgesloten",
            Self::Exported => "geëxporteerd",
            Self::PartlyPaid => "deels betaald",
            Self::Paid => "betaald",
            Self::Returned => "teruggeboekt",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Exported => "exported",
            Self::PartlyPaid => "partly_paid",
            Self::Paid => "paid",
            Self::Returned => "returned",
        }
    }
}

/// What a batch's lines add up to per state: paid + open + returned = the batch's total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateTotals {
    pub paid: Decimal,
    pub open: Decimal,
    pub returned: Decimal,
}

pub fn totals<'a>(lines: impl IntoIterator<Item = (Decimal, &'a LineState)>) -> StateTotals {
    let mut t = StateTotals::default();
    for (amount, state) in lines {
        match state {
            LineState::Open => t.open += amount,
            LineState::Paid { .. } => t.paid += amount,
            LineState::Returned { .. } => t.returned += amount,
        }
    }
    t
}

/// The payment lines of a batch still in force (not reopened since), each with the end-to-end id
/// sidw writes for it in the pain.001 ([`super::close::PaymentBatch::end_to_end_id`]).
pub fn batch_lines(batch: &super::close::PaymentBatch) -> Vec<(String, &super::close::PaymentLine)> {
    batch
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| batch.is_current_for(l.network))
        .map(|(n, l)| (batch.end_to_end_id(n), l))
        .collect()
}

/// The payment lines of a batch that went to the bank, with their end-to-end ids: every line of
/// a network still in force when the first payment file for the bank was written (`first_sent`;
/// `None`: no such file, nothing went). A network reopened after that keeps its lines here: the
/// bank still pays or returns them, and what it says of them counts.
pub fn sent_lines(
    batch: &super::close::PaymentBatch,
    first_sent: Option<chrono::DateTime<chrono::Utc>>,
) -> Vec<(String, &super::close::PaymentLine)> {
    let Some(sent) = first_sent else { return Vec::new() };
    batch
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| batch.networks.contains(&l.network) && batch.went_out(l.network, Some(sent)))
        .map(|(n, l)| (batch.end_to_end_id(n), l))
        .collect()
}

/// A SEPA return reason as the bank gives it (`RtrInf/Rsn/Cd`): four letters or digits,
/// upper case (`AC04`, `MS03`).
pub fn parse_reason_code(code: &str) -> Result<String, String> {
    let code = code.trim();
    if code.len() == 4 && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(format!("'{code}' is geen reden van de bank (vier tekens, bv. AC04)"))
    }
}

/// What a line's bank state leaves unsettled in its network's quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsettled {
    /// The latest close of the quarter counted the line as the bank has it.
    Nothing,
    /// Returned, and the latest close did not pay it again (it is that close's own line, or it
    /// was closed before the return was known): the payee misses the money until a re-close.
    Returned,
    /// Not returned (any more), but the latest close left it out as returned and paid it again:
    /// the payee has it twice until a re-close claims it back.
    PaidTwice,
}

/// The rule behind the bank's Signalen of returns, measured against the latest close of the
/// line's network quarter: `in_latest` — the line is that close's own (its batch is the
/// latest); `left_out_by_latest` — that close left the line out of what was settled before,
/// as returned (so it paid it again). A close counts what the bank said at that moment; what
/// the bank (or a correction) says later is unsettled until the quarter is closed again.
pub fn unsettled(state: &LineState, in_latest: bool, left_out_by_latest: bool) -> Unsettled {
    let returned = matches!(state, LineState::Returned { .. });
    match (in_latest, returned, left_out_by_latest) {
        (true, true, _) | (false, true, false) => Unsettled::Returned,
        (false, false, true) => Unsettled::PaidTwice,
        _ => Unsettled::Nothing,
    }
}

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Dutch public holidays on which banks do not book: New Year, Good Friday, Easter Monday,
/// King's Day (27 April, the 26th when the 27th is a Sunday), Ascension, Whit Monday, Christmas
/// (both days); Liberation Day (5 May) every fifth year.
pub fn is_dutch_holiday(date: NaiveDate) -> bool {
    let year = date.year();
    let (m, d) = (date.month(), date.day());
    if matches!((m, d), (1, 1) | (12, 25) | (12, 26)) {
        return true;
    }
    let kings_day = match NaiveDate::from_ymd_opt(year, 4, 27) {
        Some(k) if k.weekday() == Weekday::Sun => NaiveDate::from_ymd_opt(year, 4, 26),
        other => other,
    };
    if kings_day == Some(date) || ((m, d) == (5, 5) && year % 5 == 0) {
        return true;
    }
    let Some(easter) = easter(year) else { return false };
    [-2i64, 1, 39, 50].iter().any(|offset| easter + chrono::Duration::days(*offset) == date)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_dutch_holiday(date)
}

/// The day `days` working days after `from` (weekdays without Dutch public holidays).
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        match date.succ_opt() {
            Some(next) => date = next,
            None => return date,
        }
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    fn line(id: &str, iban: &str, amount: Decimal, text: &str) -> ExpectedLine {
        ExpectedLine { end_to_end_id: id.into(), iban: iban.into(), amount, remittance: text.into() }
    }

    fn entry(id: Option<&str>, iban: &str, amount: Decimal, text: &str) -> BankEntry {
        BankEntry {
            key: "k".into(),
            bank_ref: "r".into(),
            booking_date: day(2025, 5, 2),
            credit: false,
            amount,
            end_to_end_id: id.map(String::from),
            iban: Some(iban.into()),
            remittance: text.into(),
            return_reason: None,
            currency: Some("EUR".into()),
            reversal: false,
            problem: None,
        }
    }

    fn unmatched(m: &Matching) -> Vec<usize> {
        m.unmatched.iter().map(|u| u.entry).collect()
    }

    #[test]
    fn end_to_end_id_first_then_iban_amount_and_text_only_when_unique() {
        let lines = [
            line("2025-Q1-0001-001", "NL91ABNA0417164300", dec!(100), "uren Q1"),
            line("2025-Q1-0001-002", "NL91ABNA0417164300", dec!(50), "uren Q1"),
            line("2025-Q1-0001-003", "NL20INGB0001234567", dec!(50), "uren Q1"),
            line("2025-Q1-0001-004", "NL20INGB0001234567", dec!(50), "uren Q1"),
        ];
        let entries = [
            entry(Some("2025-Q1-0001-002"), "nl91 abna 0417 1643 00", dec!(50), ""),
            entry(None, "NL91 ABNA 0417 1643 00", dec!(100), " Uren  q1"),
            entry(Some("NOTPROVIDED"), "NL20INGB0001234567", dec!(50), "uren Q1"),
            entry(Some("2025-Q1-0001-001"), "NL91ABNA0417164300", dec!(99), "x"),
            entry(None, "NL91ABNA0417164300", dec!(100), "other text"),
        ];
        let m = match_entries(&entries, &lines);
        assert_eq!(
            m.matched.iter().map(|m| (m.entry, m.line, m.by_id)).collect::<Vec<_>>(),
            vec![(0, 1, true), (1, 0, false)]
        );
        // Two lines fit the third entry: not guessed. A wrong amount under an id: not matched.
        assert_eq!(unmatched(&m), vec![2, 3, 4]);
        let reasons: Vec<&str> = m.unmatched.iter().map(|u| u.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "past bij 2 betalingen met dezelfde IBAN, bedrag en omschrijving",
                "kenmerk 2025-Q1-0001-001 hoort bij een betaling van € 100,00",
                "past bij geen betaling"
            ]
        );
    }

    /// A payment file written before the end-to-end ids were renumbered may name another payee's
    /// line with the same amount: the IBAN the bank gives must be the line's, else it is listed.
    #[test]
    fn an_end_to_end_id_naming_another_payee_is_not_matched() {
        let lines = [
            line("2025-Q1-0001-001", "NL91ABNA0417164300", dec!(50), "uren Q1"),
            line("2025-Q1-0001-002", "NL20INGB0001234567", dec!(50), "uren Q1"),
        ];
        let mut without_iban = entry(Some("2025-Q1-0001-001"), "", dec!(50), "");
        without_iban.iban = None;
        let entries = [
            entry(Some("2025-Q1-0001-001"), "NL20INGB0001234567", dec!(50), "uren Q1"),
            entry(Some("2025-Q1-0001-001"), "NL91ABNA0417164300", dec!(50), "uren Q1"),
            without_iban,
        ];
        let m = match_entries(&entries, &lines);
        assert_eq!(
            m.matched.iter().map(|m| (m.entry, m.line, m.by_id)).collect::<Vec<_>>(),
            vec![(1, 0, true), (2, 0, true)]
        );
        assert_eq!(unmatched(&m), vec![0]);
        assert_eq!(
            m.unmatched[0].reason,
            "kenmerk 2025-Q1-0001-001 hoort bij een betaling aan NL91ABNA0417164300, niet aan NL20INGB0001234567"
        );
        // A return from another account than the line's is not that line's return either.
        let mut back = entry(Some("2025-Q1-0001-002"), "NL91ABNA0417164300", dec!(50), "");
        back.credit = true;
        back.return_reason = Some("AC04".into());
        let m = match_entries(std::slice::from_ref(&back), &lines);
        assert!(m.matched.is_empty(), "{m:?}");
        back.iban = Some("NL20INGB0001234567".into());
        assert_eq!(match_entries(&[back], &lines).matched.len(), 1);
    }

    #[test]
    fn a_storno_another_currency_or_a_contradicted_statement_never_matches() {
        let lines = [line("A-001", "NL91ABNA0417164300", dec!(10), "t")];
        let good = entry(Some("A-001"), "NL91ABNA0417164300", dec!(10), "t");
        let mut no_currency = good.clone();
        no_currency.currency = None;
        let mut dollars = good.clone();
        dollars.currency = Some("USD".into());
        let mut storno = good.clone();
        storno.reversal = true;
        let mut contradicted = good.clone();
        contradicted.problem = Some("de transacties tellen niet op".into());
        let m = match_entries(&[good, no_currency, dollars, storno, contradicted], &lines);
        assert_eq!(m.matched.iter().map(|m| m.entry).collect::<Vec<_>>(), vec![0, 1]);
        let reasons: Vec<(usize, &str)> = m.unmatched.iter().map(|u| (u.entry, u.reason.as_str())).collect();
        assert_eq!(
            reasons,
            [
                (2, "bedrag in USD, niet in euro"),
                (3, "storno: de bank draait een eerdere boeking terug"),
                (4, "de transacties tellen niet op")
            ]
        );
    }

    #[test]
    fn a_credit_is_a_return_only_with_a_reason() {
        let lines = [line("A-001", "NL91ABNA0417164300", dec!(10), "t")];
        let mut back = entry(Some("A-001"), "NL91ABNA0417164300", dec!(10), "t");
        back.credit = true;
        let plain_credit = back.clone();
        back.return_reason = Some("AC04".into());
        let m = match_entries(&[back, plain_credit], &lines);
        assert_eq!(m.matched.len(), 1);
        assert_eq!(m.matched[0].state.reason(), Some("AC04"));
        assert_eq!(unmatched(&m), vec![1]);
        assert_eq!(m.unmatched[0].reason, "bijschrijving zonder reden van terugboeking");
    }

    #[test]
    fn states_merge_in_any_order_and_status_follows_lines() {
        let paid = LineState::Paid { date: day(2025, 5, 2), bank_ref: "p".into() };
        let back = LineState::Returned { date: day(2025, 5, 6), reason: "AC04".into(), bank_ref: "b".into() };
        assert_eq!(LineState::Open.merged(&paid).merged(&back), back);
        assert_eq!(LineState::Open.merged(&back).merged(&paid), back);
        assert_eq!(paid.merged(&LineState::Paid { date: day(2025, 6, 1), bank_ref: "q".into() }), paid);
        assert_eq!(BatchStatus::of(&[LineState::Open, LineState::Open], false), BatchStatus::Closed);
        assert_eq!(BatchStatus::of(&[LineState::Open, LineState::Open], true), BatchStatus::Exported);
        assert_eq!(BatchStatus::of(&[paid.clone(), LineState::Open], true), BatchStatus::PartlyPaid);
        assert_eq!(BatchStatus::of(&[paid.clone(), back.clone()], true), BatchStatus::PartlyPaid);
        assert_eq!(BatchStatus::of(&[paid.clone(), paid.clone()], true), BatchStatus::Paid);
        assert_eq!(BatchStatus::of(std::slice::from_ref(&back), true), BatchStatus::Returned);
    }

    #[test]
    fn a_return_is_unsettled_until_a_close_pays_it_again_and_a_paid_again_one_found_paid_is_twice() {
        let paid = LineState::Paid { date: day(2025, 5, 2), bank_ref: "p".into() };
        let back = LineState::Returned { date: day(2025, 5, 6), reason: "AC04".into(), bank_ref: "b".into() };
        // The latest close's own line: a return is unsettled; nothing else is.
        assert_eq!(unsettled(&back, true, false), Unsettled::Returned);
        assert_eq!(unsettled(&paid, true, false), Unsettled::Nothing);
        assert_eq!(unsettled(&LineState::Open, true, false), Unsettled::Nothing);
        // An earlier batch's line: settled when the latest close counted it as the bank has it.
        assert_eq!(unsettled(&back, false, true), Unsettled::Nothing);
        assert_eq!(unsettled(&back, false, false), Unsettled::Returned);
        assert_eq!(unsettled(&paid, false, true), Unsettled::PaidTwice);
        assert_eq!(unsettled(&LineState::Open, false, true), Unsettled::PaidTwice);
        assert_eq!(unsettled(&paid, false, false), Unsettled::Nothing);
    }

    #[test]
    fn working_days_skip_weekends_and_dutch_holidays() {
        assert!(is_dutch_holiday(day(2025, 4, 18)), "Goede Vrijdag 2025");
        assert!(is_dutch_holiday(day(2025, 4, 21)), "tweede paasdag 2025");
        assert!(is_dutch_holiday(day(2025, 5, 29)), "Hemelvaart 2025");
        assert!(is_dutch_holiday(day(2025, 6, 9)), "tweede pinksterdag 2025");
        assert!(is_dutch_holiday(day(2025, 4, 26)), "Koningsdag 2025 op zaterdag 26");
        assert!(!is_dutch_holiday(day(2025, 4, 22)));
        assert!(is_dutch_holiday(day(2025, 5, 5)) && !is_dutch_holiday(day(2026, 5, 5)));
        // Friday 2025-05-02 + 10 working days: 5..9 May (5 May 2025 a holiday), 12..16, 19 May.
        assert_eq!(add_working_days(day(2025, 5, 2), 10), day(2025, 5, 19));
        assert_eq!(add_working_days(day(2025, 5, 2), 0), day(2025, 5, 2));
        // Thursday 2025-04-17: Good Friday and Easter Monday skipped.
        assert_eq!(add_working_days(day(2025, 4, 17), 1), day(2025, 4, 22));
    }
}
