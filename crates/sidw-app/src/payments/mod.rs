//! Payment files for the bank: SEPA credit transfers the secretariat uploads in its bank's portal.
//!
//! A [`TransferFile`] holds one batch of payments from the secretariat's own account. [`write_pain001`]
//! turns it into an ISO 20022 `pain.001` XML file (the 2019 version `.09` as the EPC 2023 SCT
//! implementation guideline allows it, or the older `.03` most Dutch banks still accept), after checking
//! everything a bank would refuse. [`epc_text()`] reduces free text to the characters SEPA banks accept.
//!
//! Nothing in here does I/O or reads the clock: the caller supplies the creation time and saves the text.

pub mod camt053;
pub mod epc_text;
pub mod pain001;

pub use epc_text::epc_text;
pub use pain001::{PainVersion, write_pain001};

use crate::domain::validate::Iban;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// The account the secretariat pays from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debtor {
    /// Account holder's name as the bank knows it; cut to 70 characters in the file.
    pub name: String,
    pub iban: Iban,
    /// The BIC of the secretariat's bank (`ABNANL2A`, spaces and lower case allowed). `None` or blank
    /// writes `NOTPROVIDED`, which the EPC guideline allows and Dutch banks accept.
    pub bic: Option<String>,
}

/// One payment to one payee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The payment's own reference, unique within the file, 1 to 35 characters; the payee sees it.
    pub end_to_end_id: String,
    /// Payee's name; cut to 70 characters in the file.
    pub creditor_name: String,
    /// Payee's account; must be in the EEA, because the file carries no BIC for the payee's bank.
    pub creditor_iban: Iban,
    /// Amount in euros: more than 0, at most 2 decimals, at most 999.999.999,99.
    pub amount: Decimal,
    /// Description the payee sees ("omschrijving"); cut to 140 characters, left out when empty.
    pub remittance: String,
}

/// A whole file: one payment information block with its transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFile {
    /// Identifies the file at the bank; 1 to 35 characters, unique per upload (banks refuse duplicates).
    pub message_id: String,
    /// When the file was made; written in UTC without an offset, to the second.
    pub created_at: DateTime<Utc>,
    /// Identifies the batch; 1 to 35 characters.
    pub payment_info_id: String,
    /// The day the bank should pay. A day in the past is executed on the next banking day by Dutch banks.
    pub execution_date: NaiveDate,
    pub debtor: Debtor,
    pub transfers: Vec<Transfer>,
}

/// Why a payment file cannot be written. Every message names the value the user must correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentFileError {
    #[error("geen betalingen in het bestand")]
    Empty,
    #[error("bedrag {0} is niet positief met hooguit 2 decimalen")]
    BadAmount(String),
    #[error("bedrag {0} is te groot voor één SEPA-overboeking (hooguit 999.999.999,99)")]
    AmountTooLarge(String),
    #[error("het totaal {0} is te groot voor één bestand; verdeel de betalingen over meer bestanden")]
    TotalTooLarge(String),
    #[error("kenmerk '{0}' is te lang of leeg (1 tot 35 tekens)")]
    BadId(String),
    #[error("kenmerk '{0}' mag niet met '/' beginnen of eindigen en geen '//' bevatten")]
    SlashInId(String),
    #[error("kenmerk '{0}' komt meer dan eens voor; elke betaling heeft een eigen kenmerk")]
    DuplicateId(String),
    /// The argument says whose name: "de opdrachtgever" or "de ontvanger van betaling '...'".
    #[error("de naam van {0} is leeg (of bevat alleen tekens die de bank niet accepteert)")]
    EmptyName(String),
    #[error("BIC '{0}' is geen geldige BIC; dat zijn 8 of 11 letters en cijfers, bijvoorbeeld ABNANL2A")]
    BadBic(String),
    #[error("rekening {0} is niet uit de EER; daarvoor vraagt de bank een BIC, en die staat niet in dit bestand")]
    OutsideEea(String),
    #[error("het XML-bestand kon niet worden opgebouwd: {0}")]
    Xml(String),
}
