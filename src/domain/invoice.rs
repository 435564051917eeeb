//! A partner's quarterly invoice (factuur) and how it matches the hours form (handbook ch. 4, step 4).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::calendar::Quarter;
use super::ids::{InvoiceId, NetworkId, PartnerId};
use super::money::round_cents;

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

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn matching_both_ways() {
        assert_eq!(match_invoice(dec!(127.43), dec!(127.43)), InvoiceMatch::Klopt);
        assert_eq!(match_invoice(dec!(130), dec!(127.43)), InvoiceMatch::TeHoog(dec!(2.57)));
        assert_eq!(match_invoice(dec!(100), dec!(127.43)), InvoiceMatch::TeLaag(dec!(27.43)));
    }
}
