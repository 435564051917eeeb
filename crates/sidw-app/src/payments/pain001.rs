//! The ISO 20022 `pain.001` customer credit transfer initiation, as the EPC SCT customer-to-bank
//! implementation guideline (EPC132-08) allows it: one payment information block, SEPA service level,
//! charges shared (`SLEV`), euro amounts, IBANs only, and no BIC for payees in the EEA.
//!
//! [`write_pain001`] first checks and cleans the whole [`TransferFile`] into plain strings, then writes
//! them with `quick_xml`. The output validates against `formats/pain.001.001.09.xsd` (the EPC 2023
//! restricted schema) and `formats/pain.001.001.03.xsd`; `tests/pain001.rs` checks that with `xmllint`.

use std::collections::HashSet;
use std::io;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::epc_text::{cut, epc_text};
use super::{PaymentFileError, Transfer, TransferFile};
use crate::domain::money::format_plain;
use crate::domain::validate::Iban;

/// The most characters of a name (EPC usage rule: "Name is limited to 70 characters").
const NAME_MAX: usize = 70;
/// The most characters of the unstructured remittance information.
const REMITTANCE_MAX: usize = 140;
/// The most characters of an identification (`Max35Text`).
const ID_MAX: usize = 35;
/// The largest amount of one SEPA credit transfer: 999.999.999,99.
const AMOUNT_MAX: Decimal = dec!(999999999.99);
/// Control sums are `DecimalNumber`: 18 digits of which 2 decimals, so they stay below 10^16.
const TOTAL_LIMIT: Decimal = dec!(10000000000000000);
/// The countries of the EEA by IBAN prefix: payees there need no BIC.
const EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT",
    "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Which `pain.001` message to write. Both carry the same payments; banks differ in which they take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PainVersion {
    /// `pain.001.001.09` (ISO 20022 2019), required by the EPC 2023 SCT rulebook.
    V09,
    /// `pain.001.001.03` (ISO 20022 2009), still accepted by Dutch banks.
    V03,
}

impl PainVersion {
    /// The message name, as banks list it: `pain.001.001.09`.
    pub fn name(self) -> &'static str {
        match self {
            Self::V09 => "pain.001.001.09",
            Self::V03 => "pain.001.001.03",
        }
    }

    /// The XML namespace of the message's `Document`.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::V09 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
            Self::V03 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
        }
    }

    /// The element that holds a bank's BIC: renamed from `BIC` to `BICFI` in 2019.
    fn bic_element(self) -> &'static str {
        match self {
            Self::V09 => "BICFI",
            Self::V03 => "BIC",
        }
    }
}

/// Writes `file` as a `pain.001` XML document (UTF-8, indented by 2 spaces, ending in a newline).
///
/// Names and the remittance text are reduced with [`epc_text()`] and cut to 70 and 140 characters;
/// identifications are reduced the same way and must then be 1 to 35 characters. Refuses an empty file,
/// amounts that are not positive or have more than 2 decimals, repeated end-to-end ids, an invalid BIC
/// and payees outside the EEA (they would need a BIC this file does not carry).
pub fn write_pain001(file: &TransferFile, version: PainVersion) -> Result<String, PaymentFileError> {
    let checked = check_file(file)?;
    render(&checked, version).map_err(|e| PaymentFileError::Xml(e.to_string()))
}

/// A [`TransferFile`] with every value checked and formatted: exactly the text that goes into the XML.
struct CheckedFile<'a> {
    message_id: String,
    created_at: String,
    payment_info_id: String,
    execution_date: String,
    debtor_name: String,
    debtor_iban: &'a str,
    debtor_bic: Option<String>,
    count: String,
    total: String,
    transfers: Vec<CheckedTransfer<'a>>,
}

/// One [`Transfer`], checked and formatted.
struct CheckedTransfer<'a> {
    end_to_end_id: String,
    amount: String,
    creditor_name: String,
    creditor_iban: &'a str,
    remittance: Option<String>,
}

fn check_file(file: &TransferFile) -> Result<CheckedFile<'_>, PaymentFileError> {
    if file.transfers.is_empty() {
        return Err(PaymentFileError::Empty);
    }
    let message_id = check_id(&file.message_id)?;
    let payment_info_id = check_id(&file.payment_info_id)?;
    let debtor_name = check_name(&file.debtor.name, || "de opdrachtgever".to_string())?;
    let debtor_bic = check_bic(file.debtor.bic.as_deref())?;

    let mut seen = HashSet::new();
    let mut total = Decimal::ZERO;
    let mut transfers = Vec::with_capacity(file.transfers.len());
    for transfer in &file.transfers {
        let checked = check_transfer(transfer)?;
        if !seen.insert(checked.end_to_end_id.clone()) {
            return Err(PaymentFileError::DuplicateId(checked.end_to_end_id));
        }
        total = total.checked_add(transfer.amount).unwrap_or(Decimal::MAX);
        transfers.push(checked);
    }
    if total >= TOTAL_LIMIT {
        return Err(PaymentFileError::TotalTooLarge(format_plain(total)));
    }

    Ok(CheckedFile {
        message_id,
        created_at: file.created_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        payment_info_id,
        execution_date: file.execution_date.format("%Y-%m-%d").to_string(),
        debtor_name,
        debtor_iban: file.debtor.iban.as_str(),
        debtor_bic,
        count: transfers.len().to_string(),
        total: format_plain(total),
        transfers,
    })
}

fn check_transfer(transfer: &Transfer) -> Result<CheckedTransfer<'_>, PaymentFileError> {
    let end_to_end_id = check_id(&transfer.end_to_end_id)?;
    let amount = check_amount(transfer.amount)?;
    let creditor_name =
        check_name(&transfer.creditor_name, || format!("de ontvanger van betaling '{}'", transfer.end_to_end_id))?;
    let creditor_iban = check_eea(&transfer.creditor_iban)?;
    let remittance = Some(cut(&epc_text(&transfer.remittance), REMITTANCE_MAX)).filter(|text| !text.is_empty());
    Ok(CheckedTransfer { end_to_end_id, amount, creditor_name, creditor_iban, remittance })
}

/// An identification reduced to EPC text: 1 to 35 characters, no `/` at either end, no `//` (EPC rule).
fn check_id(raw: &str) -> Result<String, PaymentFileError> {
    let id = epc_text(raw);
    if id.is_empty() || id.chars().count() > ID_MAX {
        return Err(PaymentFileError::BadId(raw.to_string()));
    }
    if id.starts_with('/') || id.ends_with('/') || id.contains("//") {
        return Err(PaymentFileError::SlashInId(id));
    }
    Ok(id)
}

/// A name reduced to EPC text and cut to 70 characters; `whose` names its owner when it comes out empty.
fn check_name(raw: &str, whose: impl FnOnce() -> String) -> Result<String, PaymentFileError> {
    let name = cut(&epc_text(raw), NAME_MAX);
    if name.is_empty() { Err(PaymentFileError::EmptyName(whose())) } else { Ok(name) }
}

/// An amount of more than 0 with at most 2 decimals and at most 999.999.999,99, as `3570.00`.
fn check_amount(amount: Decimal) -> Result<String, PaymentFileError> {
    if amount <= Decimal::ZERO || amount.normalize().scale() > 2 {
        return Err(PaymentFileError::BadAmount(amount.to_string()));
    }
    if amount > AMOUNT_MAX {
        return Err(PaymentFileError::AmountTooLarge(format_plain(amount)));
    }
    Ok(format_plain(amount))
}

/// The payee's IBAN in electronic form, if its country is in the EEA (else the bank wants a BIC).
fn check_eea(iban: &Iban) -> Result<&str, PaymentFileError> {
    let electronic = iban.as_str();
    let country = electronic.get(..2).unwrap_or_default();
    if EEA.contains(&country) { Ok(electronic) } else { Err(PaymentFileError::OutsideEea(iban.to_string())) }
}

/// A BIC without spaces, in capitals; `None` when absent or blank. Accepts what both schemas accept:
/// 6 letters, a letter or 2-9, a letter (not O) or digit, and an optional 3-character branch code.
fn check_bic(raw: Option<&str>) -> Result<Option<String>, PaymentFileError> {
    let Some(raw) = raw else { return Ok(None) };
    let bic: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if bic.is_empty() {
        return Ok(None);
    }
    let bytes = bic.as_bytes();
    let valid = matches!(bytes.len(), 8 | 11)
        && bytes.iter().take(6).all(u8::is_ascii_uppercase)
        && bytes.get(6).is_some_and(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'9'))
        && bytes.get(7).is_some_and(|b| matches!(b, b'A'..=b'N' | b'P'..=b'Z' | b'0'..=b'9'))
        && bytes.iter().skip(8).all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if valid { Ok(Some(bic)) } else { Err(PaymentFileError::BadBic(raw.trim().to_string())) }
}

type Xml = Writer<Vec<u8>>;

fn render(file: &CheckedFile<'_>, version: PainVersion) -> io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("Document").with_attribute(("xmlns", version.namespace())).write_inner_content(|w| {
        w.create_element("CstmrCdtTrfInitn").write_inner_content(|w| {
            group_header(w, file)?;
            payment_information(w, file, version)
        })?;
        Ok(())
    })?;
    let mut xml = String::from_utf8(w.into_inner()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    xml.push('\n');
    Ok(xml)
}

/// `<name>text</name>`. Only `<`, `>` and `&` are escaped, so the apostrophe of the EPC set stays readable.
fn leaf(w: &mut Xml, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::from_escaped(partial_escape(text)))?;
    Ok(())
}

/// `<outer><inner>text</inner></outer>`.
fn wrapped(w: &mut Xml, outer: &str, inner: &str, text: &str) -> io::Result<()> {
    w.create_element(outer).write_inner_content(|w| leaf(w, inner, text))?;
    Ok(())
}

/// `<name><Id><IBAN>iban</IBAN></Id></name>`.
fn account(w: &mut Xml, name: &str, iban: &str) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| wrapped(w, "Id", "IBAN", iban))?;
    Ok(())
}

fn group_header(w: &mut Xml, file: &CheckedFile<'_>) -> io::Result<()> {
    w.create_element("GrpHdr").write_inner_content(|w| {
        leaf(w, "MsgId", &file.message_id)?;
        leaf(w, "CreDtTm", &file.created_at)?;
        leaf(w, "NbOfTxs", &file.count)?;
        leaf(w, "CtrlSum", &file.total)?;
        wrapped(w, "InitgPty", "Nm", &file.debtor_name)
    })?;
    Ok(())
}

fn payment_information(w: &mut Xml, file: &CheckedFile<'_>, version: PainVersion) -> io::Result<()> {
    w.create_element("PmtInf").write_inner_content(|w| {
        leaf(w, "PmtInfId", &file.payment_info_id)?;
        leaf(w, "PmtMtd", "TRF")?;
        leaf(w, "BtchBookg", "true")?;
        leaf(w, "NbOfTxs", &file.count)?;
        leaf(w, "CtrlSum", &file.total)?;
        w.create_element("PmtTpInf").write_inner_content(|w| wrapped(w, "SvcLvl", "Cd", "SEPA"))?;
        match version {
            PainVersion::V09 => wrapped(w, "ReqdExctnDt", "Dt", &file.execution_date)?,
            PainVersion::V03 => leaf(w, "ReqdExctnDt", &file.execution_date)?,
        }
        wrapped(w, "Dbtr", "Nm", &file.debtor_name)?;
        account(w, "DbtrAcct", file.debtor_iban)?;
        debtor_agent(w, file.debtor_bic.as_deref(), version)?;
        leaf(w, "ChrgBr", "SLEV")?;
        for transfer in &file.transfers {
            credit_transfer(w, transfer)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The secretariat's bank: its BIC, or `Othr/Id` `NOTPROVIDED` as the EPC guideline allows.
fn debtor_agent(w: &mut Xml, bic: Option<&str>, version: PainVersion) -> io::Result<()> {
    w.create_element("DbtrAgt").write_inner_content(|w| {
        w.create_element("FinInstnId").write_inner_content(|w| match bic {
            Some(bic) => leaf(w, version.bic_element(), bic),
            None => wrapped(w, "Othr", "Id", "NOTPROVIDED"),
        })?;
        Ok(())
    })?;
    Ok(())
}

/// One `CdtTrfTxInf`. No `CdtrAgt`: payees are in the EEA, where the IBAN alone suffices.
fn credit_transfer(w: &mut Xml, transfer: &CheckedTransfer<'_>) -> io::Result<()> {
    w.create_element("CdtTrfTxInf").write_inner_content(|w| {
        wrapped(w, "PmtId", "EndToEndId", &transfer.end_to_end_id)?;
        w.create_element("Amt").write_inner_content(|w| {
            w.create_element("InstdAmt")
                .with_attribute(("Ccy", "EUR"))
                .write_text_content(BytesText::from_escaped(partial_escape(transfer.amount.as_str())))?;
            Ok(())
        })?;
        wrapped(w, "Cdtr", "Nm", &transfer.creditor_name)?;
        account(w, "CdtrAcct", transfer.creditor_iban)?;
        if let Some(remittance) = &transfer.remittance {
            wrapped(w, "RmtInf", "Ustrd", remittance)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_need_cents_at_most_and_more_than_zero() {
        assert_eq!(check_amount(dec!(3570)), Ok("3570.00".to_string()));
        assert_eq!(check_amount(dec!(127.430)), Ok("127.43".to_string()));
        assert_eq!(check_amount(dec!(0.01)), Ok("0.01".to_string()));
        for bad in [dec!(0), dec!(-5), dec!(12.345), dec!(0.001)] {
            assert!(matches!(check_amount(bad), Err(PaymentFileError::BadAmount(_))), "{bad}");
        }
        assert!(matches!(check_amount(dec!(1000000000)), Err(PaymentFileError::AmountTooLarge(_))));
        assert!(check_amount(AMOUNT_MAX).is_ok());
    }

    #[test]
    fn ids_are_epc_text_of_1_to_35_characters_without_stray_slashes() {
        assert_eq!(check_id(" SIDW_2025-Q3 "), Ok("SIDW-2025-Q3".to_string()));
        assert_eq!(check_id(&"x".repeat(35)).map(|id| id.len()), Ok(35));
        assert!(matches!(check_id(&"x".repeat(36)), Err(PaymentFileError::BadId(_))));
        assert!(matches!(check_id("  "), Err(PaymentFileError::BadId(_))));
        assert!(matches!(check_id("\u{7}\u{8}"), Err(PaymentFileError::BadId(_))));
        for bad in ["/abc", "abc/", "a//b"] {
            assert!(matches!(check_id(bad), Err(PaymentFileError::SlashInId(_))), "{bad}");
        }
        assert!(check_id("2025/Q3/1").is_ok());
    }

    #[test]
    fn bics_are_checked_and_normalised() {
        assert_eq!(check_bic(None), Ok(None));
        assert_eq!(check_bic(Some("  ")), Ok(None));
        assert_eq!(check_bic(Some("abnanl2a")), Ok(Some("ABNANL2A".to_string())));
        assert_eq!(check_bic(Some("RABO NL 2U XXX")), Ok(Some("RABONL2UXXX".to_string())));
        for bad in ["ABNANL2", "ABNANL2AX", "1BNANL2A", "ABNANL1A", "ABNANL2O", "ABNANL2A-01", "ÄBNANL2A"] {
            assert!(matches!(check_bic(Some(bad)), Err(PaymentFileError::BadBic(_))), "{bad}");
        }
    }

    #[test]
    fn payees_outside_the_eea_are_refused() {
        let iban = |s: &str| Iban::parse(s).expect("test IBAN");
        assert_eq!(check_eea(&iban("NL91ABNA0417164300")), Ok("NL91ABNA0417164300"));
        assert!(check_eea(&iban("DE89370400440532013000")).is_ok());
        let swiss = iban("CH9300762011623852957");
        assert!(
            matches!(check_eea(&swiss), Err(PaymentFileError::OutsideEea(ref shown)) if shown.starts_with("CH93 0076"))
        );
    }
}
