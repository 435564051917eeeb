//! A partner's quarterly invoice (factuur) and how it is checked against the hours form
//! (handbook ch. 4, steps 2–4): match, or the difference both ways; a mismatch is approved only
//! with a written reason.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::calendar::Quarter;
use super::error::{DomainError, FieldError};
use super::ids::{InvoiceId, NetworkId, PartnerId};
use super::money::round_cents;

/// What the secretariat decided about an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceDecision {
    /// Not decided: payable when it matches the hours to the cent.
    Open,
    /// Approved against the hours as they were worth then; if the hours change, the approval
    /// no longer holds and the invoice must be judged again.
    Approved {
        reason: String,
        against: Decimal,
    },
    Rejected {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub network: NetworkId,
    pub partner: PartnerId,
    pub quarter: Quarter,
    pub number: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub received: Option<NaiveDate>,
    pub decision: InvoiceDecision,
}

/// The outcome of checking an invoice against the worth of the hours lines it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceMatch {
    /// The invoice equals the hours lines' worth to the cent.
    Klopt,
    /// The invoice asks more than the hours are worth, by this much.
    TeHoog(Decimal),
    /// The invoice asks less than the hours are worth, by this much.
    TeLaag(Decimal),
}

impl InvoiceMatch {
    pub fn dutch(self) -> String {
        match self {
            Self::Klopt => "klopt".into(),
            Self::TeHoog(d) => format!("{} te hoog", super::money::format_eur(d)),
            Self::TeLaag(d) => format!("{} te laag", super::money::format_eur(d)),
        }
    }
}

/// Matches an invoiced amount against the summed worth of the hours lines.
pub fn match_invoice(invoiced: Decimal, hours_worth: Decimal) -> InvoiceMatch {
    let difference = round_cents(invoiced) - round_cents(hours_worth);
    if difference.is_zero() {
        InvoiceMatch::Klopt
    } else if difference.is_sign_positive() {
        InvoiceMatch::TeHoog(difference)
    } else {
        InvoiceMatch::TeLaag(-difference)
    }
}

impl Invoice {
    /// May it be paid, given what its hours are worth? Approved, or open and matching.
    pub fn is_payable(&self, hours_worth: Decimal) -> bool {
        match &self.decision {
            InvoiceDecision::Approved { against, .. } => *against == round_cents(hours_worth),
            InvoiceDecision::Open => match_invoice(self.amount, hours_worth) == InvoiceMatch::Klopt,
            InvoiceDecision::Rejected { .. } => false,
        }
    }

    /// The decision to approve: a match needs no reason, a mismatch needs one.
    pub fn approval(&self, hours_worth: Decimal, reason: &str) -> Result<InvoiceDecision, DomainError> {
        let reason = super::validate::parse_optional_text("reden", reason, 300)?;
        if match_invoice(self.amount, hours_worth) != InvoiceMatch::Klopt && reason.is_empty() {
            return Err(FieldError::new(
                "reden",
                "een factuur die afwijkt van het urenformulier keurt u alleen goed met een reden",
            )
            .into());
        }
        Ok(InvoiceDecision::Approved { reason, against: round_cents(hours_worth) })
    }

    /// The decision to reject: always with a reason.
    pub fn rejection(reason: &str) -> Result<InvoiceDecision, DomainError> {
        let reason = super::validate::parse_required_text("reden", reason, 300)?;
        Ok(InvoiceDecision::Rejected { reason })
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("factuurnummer", &self.number, 35)?;
        if self.amount <= Decimal::ZERO || self.amount.normalize().scale() > 2 {
            return Err(FieldError::new("bedrag", "een factuurbedrag is groter dan 0, in centen"));
        }
        if self.received.is_some_and(|r| r < self.date) {
            return Err(FieldError::new("ontvangen", "ligt vóór de factuurdatum"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn invoice(amount: Decimal) -> Invoice {
        Invoice {
            id: InvoiceId(1),
            network: NetworkId(1),
            partner: PartnerId(2),
            quarter: Quarter::parse("2025-Q1").unwrap(),
            number: "F-2025-001".into(),
            date: NaiveDate::from_ymd_opt(2025, 4, 5).unwrap(),
            amount,
            received: None,
            decision: InvoiceDecision::Open,
        }
    }

    #[test]
    fn matching_both_ways() {
        assert_eq!(match_invoice(dec!(127.43), dec!(127.43)), InvoiceMatch::Klopt);
        assert_eq!(match_invoice(dec!(130), dec!(127.43)), InvoiceMatch::TeHoog(dec!(2.57)));
        assert_eq!(match_invoice(dec!(100), dec!(127.43)), InvoiceMatch::TeLaag(dec!(27.43)));
        assert_eq!(InvoiceMatch::TeHoog(dec!(2.57)).dutch(), "€ 2,57 te hoog");
    }

    #[test]
    fn exact_invoices_are_payable_mismatches_need_a_reason() {
        assert!(invoice(dec!(127.43)).is_payable(dec!(127.43)));
        let over = invoice(dec!(130));
        assert!(!over.is_payable(dec!(127.43)));
        assert!(over.approval(dec!(127.43), "  ").is_err());
        let approved = Invoice { decision: over.approval(dec!(127.43), "reiskosten afgesproken").unwrap(), ..over };
        assert!(approved.is_payable(dec!(127.43)));
        assert!(!approved.is_payable(dec!(84.95)), "an approval holds for the hours it was given for");
        assert!(Invoice::rejection("").is_err());
        let rejected = Invoice { decision: Invoice::rejection("dubbel ingediend").unwrap(), ..invoice(dec!(127.43)) };
        assert!(!rejected.is_payable(dec!(127.43)));
        assert!(invoice(dec!(127.43)).approval(dec!(127.43), "").is_ok());
    }
}
