//! The ISO 20022 `camt.053` bank-to-customer statement as Dutch banks deliver it (`camt.053.001.02`,
//! and `camt.053.001.08`): bytes in, the statements and their booked transactions out. Pure: no
//! I/O, no clock; matching the transactions to payment lines is `domain::bank::match_entries`.
//!
//! Each `Ntry` becomes one [`BankEntry`] per `TxDtls` (a batch-booked entry of sidw's pain.001
//! carries one per payment), or one for the entry itself when it has no details. Only booked
//! entries (`Sts` `BOOK`) are read; pending ones are counted and left out. What the statement
//! says that forbids matching is carried on the transaction for the matcher to list: the
//! currency (`Ccy`), a storno (`RvslInd`), and a batch-booked entry whose details do not add up
//! to the entry's amount (then none of its details is trusted).
//!
//! The tests in `tests/it/bank.rs` and `tests/it/bank_camt08.rs` validate their statements with
//! `xmllint` against the ISO 20022 schemas `formats/camt.053.001.02.xsd` and
//! `formats/camt.053.001.08.xsd` (copies from the MIT-licensed `genkgo/camt` repository; where
//! from exactly is in `formats/README`).

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::name::PrefixDeclaration;
use quick_xml::{Reader, XmlVersion};
use rust_decimal::Decimal;

use crate::domain::bank::BankEntry;
use crate::domain::money::format_eur;

/// Which statement message a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CamtVersion {
    V02,
    V08,
}

impl CamtVersion {
    pub fn name(self) -> &'static str {
        match self {
            Self::V02 => "camt.053.001.02",
            Self::V08 => "camt.053.001.08",
        }
    }
}

/// One account statement (`Stmt`) of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The file's `GrpHdr/MsgId`.
    pub message_id: String,
    /// The statement's `Id`.
    pub id: String,
    /// The account's IBAN (or other id).
    pub account: String,
    pub entries: Vec<BankEntry>,
    /// Entries not booked (pending, information): left out.
    pub not_booked: usize,
}

impl Statement {
    /// What identifies the statement for good: account and statement id.
    pub fn key(&self) -> String {
        format!("{}/{}", self.account, self.id)
    }
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFile {
    pub version: CamtVersion,
    pub statements: Vec<Statement>,
}

impl BankFile {
    pub fn entries(&self) -> impl Iterator<Item = &BankEntry> {
        self.statements.iter().flat_map(|s| s.entries.iter())
    }
}

/// Why a file cannot be read as a statement; every message says what is wrong in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CamtError {
    #[error("het bestand is geen leesbare XML: {0}")]
    Xml(String),
    #[error("het bestand is geen camt.053-rekeningafschrift (gevonden: {0})")]
    NotCamt053(String),
    #[error("{0} wordt niet ondersteund; lees camt.053.001.02 of camt.053.001.08 in")]
    Version(String),
    #[error("afschrift {statement}, boeking {entry}: {problem}")]
    Entry { statement: String, entry: usize, problem: String },
    #[error("het afschrift heeft geen boekingen of geen Stmt-element")]
    Empty,
}

/// Where a transaction's amount was read from; a better source replaces a worse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AmountSource {
    Instructed,
    Transaction,
    Booked,
}

#[derive(Default)]
struct Tx {
    amount: Option<String>,
    amount_source: Option<AmountSource>,
    currency: Option<String>,
    credit: Option<String>,
    end_to_end_id: Option<String>,
    bank_ref: Option<String>,
    creditor_iban: Option<String>,
    debtor_iban: Option<String>,
    remittance: Vec<String>,
    reason: Option<String>,
}

impl Tx {
    fn set_amount(&mut self, source: AmountSource, value: String, currency: Option<String>) {
        if self.amount_source.is_none_or(|had| had <= source) {
            self.amount = Some(value);
            self.currency = currency;
            self.amount_source = Some(source);
        }
    }
}

#[derive(Default)]
struct Entry {
    amount: Option<String>,
    currency: Option<String>,
    reversal: Option<String>,
    credit: Option<String>,
    status: Option<String>,
    booking: Option<String>,
    entry_ref: Option<String>,
    bank_ref: Option<String>,
    details: Vec<Tx>,
}

#[derive(Default)]
struct Stmt {
    id: String,
    account: String,
    entries: Vec<Entry>,
}

/// Reads a `camt.053.001.02` or `.08` file.
pub fn read_camt053(bytes: &[u8]) -> Result<BankFile, CamtError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut version = None;
    let mut message_id = String::new();
    let mut statements: Vec<Stmt> = Vec::new();
    // The `Ccy` of the `Amt` being read.
    let mut currency: Option<String> = None;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| CamtError::Xml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_string();
                if path.is_empty() {
                    // The namespace bound to the root's own prefix: `<Document xmlns="…">`, or
                    // `<camt:Document xmlns:camt="…">` (as valid against the schema).
                    let prefix = start.name().prefix().map(|p| p.as_ref().to_string());
                    let namespace = start
                        .attributes()
                        .flatten()
                        .find(|a| match (a.key.as_namespace_binding(), prefix.as_deref()) {
                            (Some(PrefixDeclaration::Default), None) => true,
                            (Some(PrefixDeclaration::Named(bound)), Some(own)) => bound == own,
                            _ => false,
                        })
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                    version = Some(check_namespace(&name, &namespace)?);
                }
                match name.as_str() {
                    "Amt" => {
                        currency = start
                            .attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == "Ccy")
                            .map(|a| a.value.trim().to_string());
                    }
                    "Stmt" => statements.push(Stmt::default()),
                    "Ntry" => {
                        if let Some(s) = statements.last_mut() {
                            s.entries.push(Entry::default());
                        }
                    }
                    "TxDtls" => {
                        if let Some(e) = statements.last_mut().and_then(|s| s.entries.last_mut()) {
                            e.details.push(Tx::default());
                        }
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(chunk) => text.push_str(&chunk.xml_content(XmlVersion::Explicit1_0)),
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "apos" => Some('\''),
                    "quot" => Some('"'),
                    _ => reference.resolve_char_ref().ok().flatten(),
                };
                if let Some(c) = resolved {
                    text.push(c);
                }
            }
            Event::End(_) => {
                let value = std::mem::take(&mut text).trim().to_string();
                if !value.is_empty() {
                    let ccy = if path.last().is_some_and(|p| p == "Amt") { currency.take() } else { None };
                    take_field(&path, value, ccy, &mut message_id, &mut statements);
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let Some(version) = version else { return Err(CamtError::NotCamt053("een leeg bestand".into())) };
    if statements.is_empty() {
        return Err(CamtError::Empty);
    }
    let statements =
        statements.into_iter().map(|s| finish_statement(s, &message_id)).collect::<Result<Vec<_>, CamtError>>()?;
    Ok(BankFile { version, statements })
}

fn check_namespace(root: &str, namespace: &str) -> Result<CamtVersion, CamtError> {
    const PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:";
    if root != "Document" {
        return Err(CamtError::NotCamt053(format!("<{root}>")));
    }
    match namespace.strip_prefix(PREFIX) {
        Some("camt.053.001.02") => Ok(CamtVersion::V02),
        Some("camt.053.001.08") => Ok(CamtVersion::V08),
        Some(other) if other.starts_with("camt.053.") => Err(CamtError::Version(other.to_string())),
        Some(other) => Err(CamtError::NotCamt053(other.to_string())),
        None => {
            Err(CamtError::NotCamt053(if namespace.is_empty() { "geen namespace".into() } else { namespace.into() }))
        }
    }
}

/// The path below the last `name` in `path`, joined by `/`, if `name` is in it.
fn below(path: &[String], name: &str) -> Option<String> {
    let at = path.iter().rposition(|p| p == name)?;
    Some(path.get(at + 1..).unwrap_or_default().join("/"))
}

fn take_field(
    path: &[String],
    value: String,
    currency: Option<String>,
    message_id: &mut String,
    statements: &mut [Stmt],
) {
    if below(path, "GrpHdr").as_deref() == Some("MsgId") {
        *message_id = value;
        return;
    }
    let Some(stmt) = statements.last_mut() else { return };
    if let Some(rel) = below(path, "TxDtls") {
        let Some(tx) = stmt.entries.last_mut().and_then(|e| e.details.last_mut()) else { return };
        match rel.as_str() {
            "Refs/EndToEndId" => tx.end_to_end_id = Some(value),
            "Refs/AcctSvcrRef" => tx.bank_ref = Some(value),
            // The amount as booked on the account: `.08`'s own `Amt` first, then the
            // transaction amount of `AmtDtls` (all `.02` has), then the amount instructed.
            "Amt" => tx.set_amount(AmountSource::Booked, value, currency),
            "AmtDtls/TxAmt/Amt" => tx.set_amount(AmountSource::Transaction, value, currency),
            "AmtDtls/InstdAmt/Amt" => tx.set_amount(AmountSource::Instructed, value, currency),
            "CdtDbtInd" => tx.credit = Some(value),
            "RltdPties/CdtrAcct/Id/IBAN" => tx.creditor_iban = Some(value),
            "RltdPties/DbtrAcct/Id/IBAN" => tx.debtor_iban = Some(value),
            "RmtInf/Ustrd" => tx.remittance.push(value),
            "RtrInf/Rsn/Cd" | "RtrInf/Rsn/Prtry" => tx.reason = Some(value),
            _ => {}
        }
        return;
    }
    if let Some(rel) = below(path, "Ntry") {
        let Some(entry) = stmt.entries.last_mut() else { return };
        match rel.as_str() {
            "Amt" => {
                entry.amount = Some(value);
                entry.currency = currency;
            }
            "CdtDbtInd" => entry.credit = Some(value),
            "RvslInd" => entry.reversal = Some(value),
            "Sts" | "Sts/Cd" => entry.status = Some(value),
            "BookgDt/Dt" => entry.booking = Some(value),
            "BookgDt/DtTm" => entry.booking = Some(value.chars().take(10).collect()),
            "NtryRef" => entry.entry_ref = Some(value),
            "AcctSvcrRef" => entry.bank_ref = Some(value),
            _ => {}
        }
        return;
    }
    match below(path, "Stmt").as_deref() {
        Some("Id") => stmt.id = value,
        Some("Acct/Id/IBAN") | Some("Acct/Id/Othr/Id") => stmt.account = value,
        _ => {}
    }
}

fn finish_statement(stmt: Stmt, message_id: &str) -> Result<Statement, CamtError> {
    let mut entries = Vec::new();
    let mut not_booked = 0;
    for (index, entry) in stmt.entries.into_iter().enumerate() {
        let problem = |problem: String| CamtError::Entry { statement: stmt.id.clone(), entry: index + 1, problem };
        if entry.status.as_deref() != Some("BOOK") {
            not_booked += 1;
            continue;
        }
        let credit = parse_credit(entry.credit.as_deref()).map_err(problem)?;
        let amount = parse_amount(entry.amount.as_deref()).map_err(problem)?;
        let booking_date = entry
            .booking
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| problem("geen geldige boekdatum (BookgDt)".into()))?;
        let entry_ref =
            entry.bank_ref.clone().or(entry.entry_ref.clone()).unwrap_or_else(|| format!("{}#{}", stmt.id, index + 1));
        let entry_bank_ref = entry.bank_ref.clone().or(entry.entry_ref.clone()).unwrap_or_default();
        let reversal = matches!(entry.reversal.as_deref(), Some("true" | "1"));
        if entry.details.is_empty() {
            entries.push(BankEntry {
                key: format!("{}/{entry_ref}/0", stmt.account),
                bank_ref: entry_bank_ref,
                booking_date,
                credit,
                amount,
                end_to_end_id: None,
                iban: None,
                remittance: String::new(),
                return_reason: None,
                currency: entry.currency,
                reversal,
                problem: None,
            });
            continue;
        }
        let single = entry.details.len() == 1;
        let mut read = Vec::with_capacity(entry.details.len());
        for (n, tx) in entry.details.into_iter().enumerate() {
            let tx_credit = match tx.credit.as_deref() {
                Some(_) => parse_credit(tx.credit.as_deref()).map_err(problem)?,
                None => credit,
            };
            let tx_amount = match tx.amount.as_deref() {
                Some(_) => parse_amount(tx.amount.as_deref()).map_err(problem)?,
                None if single => amount,
                None => return Err(problem(format!("transactie {} zonder bedrag", n + 1))),
            };
            read.push((tx, tx_credit, tx_amount));
        }
        // The details of a batch-booked entry must add up to it (in the entry's direction);
        // if they do not, the statement contradicts itself and none of them marks a line.
        let signed = |credit: bool, amount: Decimal| if credit { amount } else { -amount };
        let details_sum: Decimal = read.iter().map(|(_, c, a)| signed(*c, *a)).sum();
        let contradiction = (details_sum != signed(credit, amount)).then(|| {
            format!(
                "de transacties van deze boeking tellen op tot {}, de boeking zelf is {}",
                format_eur(signed(credit, details_sum)),
                format_eur(amount)
            )
        });
        for (n, (tx, tx_credit, tx_amount)) in read.into_iter().enumerate() {
            let iban =
                if tx_credit { tx.debtor_iban.or(tx.creditor_iban) } else { tx.creditor_iban.or(tx.debtor_iban) };
            entries.push(BankEntry {
                key: format!("{}/{entry_ref}/{}", stmt.account, n + 1),
                bank_ref: tx.bank_ref.unwrap_or_else(|| entry_bank_ref.clone()),
                booking_date,
                credit: tx_credit,
                amount: tx_amount,
                end_to_end_id: tx.end_to_end_id,
                iban: iban.map(|i| i.split_whitespace().collect()),
                remittance: tx.remittance.join(" "),
                return_reason: tx.reason,
                currency: tx.currency.or(entry.currency.clone()),
                reversal,
                problem: contradiction.clone(),
            });
        }
    }
    Ok(Statement { message_id: message_id.to_string(), id: stmt.id, account: stmt.account, entries, not_booked })
}

fn parse_credit(value: Option<&str>) -> Result<bool, String> {
    match value {
        Some("CRDT") => Ok(true),
        Some("DBIT") => Ok(false),
        other => Err(format!("CdtDbtInd '{}' is geen CRDT of DBIT", other.unwrap_or(""))),
    }
}

fn parse_amount(value: Option<&str>) -> Result<Decimal, String> {
    let text = value.unwrap_or("");
    text.parse::<Decimal>()
        .ok()
        .filter(|a| *a >= Decimal::ZERO)
        .ok_or_else(|| format!("bedrag '{text}' is geen bedrag"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const BATCH_BOOKED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2025-05-03T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <CreDtTm>2025-05-03T06:00:00</CreDtTm>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">150.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-05-02</Dt></BookgDt><AcctSvcrRef>REF-1</AcctSvcrRef>
        <NtryDtls>
          <TxDtls><Refs><EndToEndId>B-001</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
            <RltdPties><CdtrAcct><Id><IBAN>NL39RABO0300065264</IBAN></Id></CdtrAcct></RltdPties>
            <RmtInf><Ustrd>uren &amp; overleg</Ustrd></RmtInf></TxDtls>
          <TxDtls><Refs><EndToEndId>B-002</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">50.00</Amt></TxAmt></AmtDtls></TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-05-06</Dt></BookgDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>B-002</EndToEndId></Refs>
          <RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls>
      </Ntry>
      <Ntry><Amt Ccy="EUR">9.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts></Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>"#;

    #[test]
    fn reads_a_batch_booked_entry_and_a_return() {
        let file = read_camt053(BATCH_BOOKED.as_bytes()).expect("statement");
        assert_eq!(file.version, CamtVersion::V02);
        let [stmt] = file.statements.as_slice() else { panic!("one statement") };
        assert_eq!(
            (stmt.key().as_str(), stmt.message_id.as_str(), stmt.not_booked),
            ("NL91ABNA0417164300/STMT-1", "MSG-1", 1)
        );
        let e = &stmt.entries;
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].amount, e[0].credit, e[0].end_to_end_id.as_deref()), (dec!(100.00), false, Some("B-001")));
        assert_eq!(e[0].remittance, "uren & overleg");
        assert_eq!(e[0].iban.as_deref(), Some("NL39RABO0300065264"));
        assert_eq!((e[1].amount, e[1].bank_ref.as_str()), (dec!(50.00), "REF-1"));
        assert_ne!(e[0].key, e[1].key);
        assert_eq!((e[2].credit, e[2].return_reason.as_deref(), e[2].amount), (true, Some("AC04"), dec!(50.00)));
        assert_eq!(e[2].booking_date, NaiveDate::from_ymd_opt(2025, 5, 6).expect("date"));
    }

    #[test]
    fn carries_the_currency_a_storno_and_details_that_do_not_add_up() {
        let file = read_camt053(BATCH_BOOKED.as_bytes()).expect("statement");
        assert!(file.entries().all(|e| e.currency.as_deref() == Some("EUR") && !e.reversal && e.problem.is_none()));

        // The details add up to € 140,00, the entry says € 150,00: none of them is trusted.
        let short = BATCH_BOOKED.replace(">50.00</Amt></TxAmt>", ">40.00</Amt></TxAmt>");
        let file = read_camt053(short.as_bytes()).expect("statement");
        let e: Vec<&BankEntry> = file.entries().collect();
        let want = "de transacties van deze boeking tellen op tot € 140,00, de boeking zelf is € 150,00";
        assert_eq!((e[0].problem.as_deref(), e[1].problem.as_deref()), (Some(want), Some(want)));
        assert_eq!(e[2].problem, None, "the return's entry has no amounts of its own details to contradict");

        let dollars = BATCH_BOOKED.replace("<Amt Ccy=\"EUR\">100.00", "<Amt Ccy=\"USD\">100.00");
        let file = read_camt053(dollars.as_bytes()).expect("statement");
        let currencies: Vec<Option<&str>> = file.entries().map(|e| e.currency.as_deref()).collect();
        assert_eq!(currencies, [Some("USD"), Some("EUR"), Some("EUR")]);

        let storno =
            BATCH_BOOKED.replace("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>");
        let file = read_camt053(storno.as_bytes()).expect("statement");
        let reversals: Vec<bool> = file.entries().map(|e| e.reversal).collect();
        assert_eq!(reversals, [false, false, true]);
    }

    #[test]
    fn refuses_other_messages_and_bad_entries() {
        let pain = BATCH_BOOKED.replace("camt.053.001.02", "pain.001.001.03");
        assert!(matches!(read_camt053(pain.as_bytes()), Err(CamtError::NotCamt053(_))));
        let v04 = BATCH_BOOKED.replace("camt.053.001.02", "camt.053.001.04");
        assert!(matches!(read_camt053(v04.as_bytes()), Err(CamtError::Version(_))));
        let bad = BATCH_BOOKED.replace("<CdtDbtInd>CRDT", "<CdtDbtInd>XXXX");
        assert!(matches!(read_camt053(bad.as_bytes()), Err(CamtError::Entry { entry: 2, .. })));
        assert!(matches!(read_camt053(b"<Document"), Err(CamtError::Xml(_) | CamtError::NotCamt053(_))));
        assert!(matches!(read_camt053(b"not xml at all"), Err(CamtError::NotCamt053(_))));
    }

    /// `xml` with every element name given `prefix` (`<Ntry>` → `<camt:Ntry>`).
    fn prefixed(xml: &str, prefix: &str) -> String {
        let mut parts = xml.split('<');
        let mut out = parts.next().unwrap_or_default().to_string();
        for part in parts {
            out.push('<');
            match part.strip_prefix('/') {
                Some(closing) => out.push_str(&format!("/{prefix}:{closing}")),
                None if part.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                    out.push_str(&format!("{prefix}:{part}"))
                }
                None => out.push_str(part),
            }
        }
        out.replace(&format!("{prefix}:Document xmlns="), &format!("{prefix}:Document xmlns:{prefix}="))
    }

    #[test]
    fn reads_a_document_whose_namespace_has_a_prefix() {
        let camt = prefixed(BATCH_BOOKED, "camt");
        assert!(camt.contains("<camt:Document xmlns:camt=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"));
        assert!(camt.contains("<camt:TxDtls><camt:Refs><camt:EndToEndId>B-001</camt:EndToEndId>"));
        let file = read_camt053(camt.as_bytes()).expect("statement");
        assert_eq!(file, read_camt053(BATCH_BOOKED.as_bytes()).expect("statement"));
        let v08 = prefixed(&BATCH_BOOKED.replace("camt.053.001.02", "camt.053.001.08"), "ns2");
        assert_eq!(read_camt053(v08.as_bytes()).expect("statement").version, CamtVersion::V08);

        // The prefix of the root decides: another namespace bound to it is refused.
        let other = camt.replace(
            "xmlns:camt=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"",
            "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\" xmlns:camt=\"urn:example:other\"",
        );
        assert!(
            matches!(read_camt053(other.as_bytes()), Err(CamtError::NotCamt053(found)) if found == "urn:example:other")
        );
        let unbound = camt.replace("xmlns:camt=", "xmlns:other=");
        assert!(
            matches!(read_camt053(unbound.as_bytes()), Err(CamtError::NotCamt053(found)) if found == "geen namespace")
        );
    }

    #[test]
    fn a_v08_transaction_is_read_at_its_booked_amount() {
        let v08 = BATCH_BOOKED
            .replace("camt.053.001.02", "camt.053.001.08")
            .replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>");
        let eur_100 = "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">100.00</Amt></TxAmt></AmtDtls>";
        // Booked € 100,00; the payment itself was $ 110,00 (instructed and as transaction).
        let dollars = v08.replace(
            eur_100,
            "<Amt Ccy=\"EUR\">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>\
             <AmtDtls><InstdAmt><Amt Ccy=\"USD\">110.00</Amt></InstdAmt><TxAmt><Amt Ccy=\"USD\">110.00</Amt></TxAmt></AmtDtls>",
        );
        let file = read_camt053(dollars.as_bytes()).expect("statement");
        let first = file.entries().next().expect("entry");
        assert_eq!(
            (first.amount, first.currency.as_deref(), first.problem.as_deref()),
            (dec!(100.00), Some("EUR"), None)
        );

        // Without a booked amount: the transaction amount before the instructed one, in either order.
        for details in [
            "<AmtDtls><InstdAmt><Amt Ccy=\"EUR\">99.00</Amt></InstdAmt><TxAmt><Amt Ccy=\"EUR\">100.00</Amt></TxAmt></AmtDtls>",
            "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">100.00</Amt></TxAmt><InstdAmt><Amt Ccy=\"EUR\">99.00</Amt></InstdAmt></AmtDtls>",
            "<AmtDtls><InstdAmt><Amt Ccy=\"EUR\">100.00</Amt></InstdAmt></AmtDtls>",
        ] {
            let file = read_camt053(v08.replace(eur_100, details).as_bytes()).expect("statement");
            assert_eq!(file.entries().next().map(|e| e.amount), Some(dec!(100.00)), "{details}");
        }
    }

    #[test]
    fn reads_version_08_with_amounts_on_the_transactions() {
        let v08 = BATCH_BOOKED
            .replace("camt.053.001.02", "camt.053.001.08")
            .replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>")
            .replace(
                "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">100.00</Amt></TxAmt></AmtDtls>",
                "<Amt Ccy=\"EUR\">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>",
            );
        let file = read_camt053(v08.as_bytes()).expect("statement");
        assert_eq!(file.version, CamtVersion::V08);
        assert_eq!(file.entries().count(), 3);
        assert_eq!(file.entries().next().map(|e| e.amount), Some(dec!(100.00)));
    }
}
