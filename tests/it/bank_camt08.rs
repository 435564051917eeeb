//! Bank statements in camt.053.001.08 (issue 17), the version Dutch banks move to: built here FROM
//! the pain.001 sidw exported, validated with `xmllint` against the ISO 20022 schema
//! `formats/camt.053.001.08.xsd`, read with `sidw import bank`, and checked line by line in
//! `report payments`. The statements carry what `.08` adds over `.02`: the entry status as a code,
//! each transaction's own booked amount and direction, parties as `Pty`, a booking date-time, the
//! batch's total, a UETR.
#![allow(clippy::unwrap_used)]

use crate::common::{ok, sidw};

use std::path::Path;

use rust_decimal::Decimal;

use crate::bank::{Paid, closed_and_exported, xmllint};

const SCHEMA: &str = "camt.053.001.08.xsd";

/// The bank states of batch 2025-Q1-0001's lines, in order, as `report payments` gives them.
fn states(db: &Path) -> Vec<(String, String)> {
    let out = ok(sidw(db, &["report", "payments", "--quarter", "2025-Q1", "--format", "json"]));
    serde_json::from_str::<Vec<serde_json::Value>>(&out)
        .unwrap()
        .into_iter()
        .filter(|l| l["network"] == "Zwolle-Zuid" && l["batch"] == "2025-Q1-0001")
        .map(|l| (l["bank_status"].as_str().unwrap().to_string(), l["bank_date"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// One entry of a statement.
enum Fixture<'a> {
    /// One debit `Ntry` carrying a `TxDtls` per payment, as a Dutch bank books a batch; booked on
    /// a date.
    Batch(&'a [Paid], &'a str),
    /// The payment came back: a credit with a return reason, booked at a date-time.
    Returned(&'a Paid, &'a str, &'a str),
}

/// The parties of a transaction in `.08`'s shape (`Pty` inside `Dbtr`/`Cdtr`).
fn parties(account: &str, p: &Paid, returned: bool) -> String {
    let secretariat = "<Pty><Nm>Medrie secretariaat</Nm></Pty>".to_string();
    let payee = "<Pty><Nm>Begunstigde</Nm></Pty>";
    let (debtor, debtor_iban, creditor, creditor_iban) = if returned {
        (payee.to_string(), p.iban.as_str(), secretariat, account)
    } else {
        (secretariat, account, payee.to_string(), p.iban.as_str())
    };
    format!(
        "<RltdPties><Dbtr>{debtor}</Dbtr><DbtrAcct><Id><IBAN>{debtor_iban}</IBAN></Id></DbtrAcct>\
         <Cdtr>{creditor}</Cdtr><CdtrAcct><Id><IBAN>{creditor_iban}</IBAN></Id></CdtrAcct></RltdPties>"
    )
}

fn tx(account: &str, n: usize, p: &Paid, reason: Option<&str>) -> String {
    let side = if reason.is_some() { "CRDT" } else { "DBIT" };
    let rmt = if p.text.is_empty() { String::new() } else { format!("<RmtInf><Ustrd>{}</Ustrd></RmtInf>", p.text) };
    let rtr = reason.map_or(String::new(), |code| {
        format!("<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Rekening opgeheven</AddtlInf></RtrInf>")
    });
    format!(
        "<TxDtls><Refs><AcctSvcrRef>TX-{n:04}</AcctSvcrRef><EndToEndId>{e2e}</EndToEndId>\
         <UETR>6f1c2a4e-1b7d-4c3a-9e5f-{n:012}</UETR></Refs>\
         <Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>\
         <AmtDtls><InstdAmt><Amt Ccy=\"EUR\">{amount}</Amt></InstdAmt><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>\
         {parties}{rmt}{rtr}</TxDtls>",
        e2e = p.e2e,
        amount = p.amount,
        parties = parties(account, p, reason.is_some()),
    )
}

/// A camt.053.001.08 statement of the secretariat's account with the given entries.
fn camt053_v08(id: &str, account: &str, entries: &[Fixture]) -> String {
    let mut body = String::new();
    for (n, e) in entries.iter().enumerate() {
        let (amount, side, booked, family, details) = match e {
            Fixture::Batch(paid, date) => {
                let total: Decimal = paid.iter().map(|p| p.amount.parse::<Decimal>().unwrap()).sum();
                let details: String = paid.iter().enumerate().map(|(i, p)| tx(account, 10 * n + i, p, None)).collect();
                let batch = format!(
                    "<Btch><PmtInfId>{id}-{n}</PmtInfId><NbOfTxs>{}</NbOfTxs><TtlAmt Ccy=\"EUR\">{total:.2}</TtlAmt>\
                     <CdtDbtInd>DBIT</CdtDbtInd></Btch>",
                    paid.len()
                );
                (format!("{total:.2}"), "DBIT", format!("<Dt>{date}</Dt>"), "ESCT", batch + &details)
            }
            Fixture::Returned(p, date, code) => (
                p.amount.clone(),
                "CRDT",
                format!("<DtTm>{date}T09:30:00+02:00</DtTm>"),
                "RRTN",
                tx(account, 10 * n, p, Some(code)),
            ),
        };
        body.push_str(&format!(
            "<Ntry><NtryRef>{n}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>\
             <Sts><Cd>BOOK</Cd></Sts><BookgDt>{booked}</BookgDt><ValDt>{booked}</ValDt>\
             <AcctSvcrRef>BANK-{id}-{n}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>{family}</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls>{details}</NtryDtls></Ntry>\n"
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>MSG-{id}</MsgId><CreDtTm>2025-05-20T06:00:00+02:00</CreDtTm></GrpHdr>\
         <Stmt><Id>{id}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2025-05-20T06:00:00+02:00</CreDtTm>\
         <Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">25000.00</Amt>\
         <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-04-30</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1000.00</Amt>\
         <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-05-20</Dt></Dt></Bal>\n{body}</Stmt></BkToCstmrStmt></Document>\n"
    )
}

/// Writes the statement and validates it against the `.08` schema: what the test reads is a valid
/// camt.053.001.08.
fn write(dir: &Path, name: &str, xml: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap();
    xmllint(SCHEMA, &path);
    path.to_str().unwrap().to_string()
}

#[test]
fn a_v08_statement_marks_the_batch_paid_and_a_return_marks_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, _) = closed_and_exported(dir.path());
    assert_eq!(paid.len(), 6);
    assert!(states(&db).iter().all(|(s, _)| s == "open"));

    // All six payments batch-booked in one entry.
    let first = camt053_v08("AFSCHRIFT08-2025-05-02", &account, &[Fixture::Batch(&paid, "2025-05-02")]);
    let first = write(dir.path(), "afschrift08-1.xml", &first);
    let dry = ok(sidw(&db, &["import", "bank", &first, "--dry-run"]));
    assert!(dry.contains("6 betalingen betaald, 0 teruggeboekt, 0 onbekend"), "{dry}");
    assert!(dry.contains("Proef: er is niets veranderd."), "{dry}");
    assert!(states(&db).iter().all(|(s, _)| s == "open"));
    let done = ok(sidw(&db, &["import", "bank", &first]));
    assert!(done.contains("Ingelezen: 6 betalingen bijgewerkt."), "{done}");
    let paid_on = ("paid".to_string(), "2025-05-02".to_string());
    assert_eq!(states(&db), vec![paid_on.clone(); 6]);
    let again = ok(sidw(&db, &["import", "bank", &first]));
    assert!(again.contains("Dit afschrift is al ingelezen; er is niets veranderd."), "{again}");

    // The third payee's account was closed: the bank returns the money (AC04), booked at a
    // date-time (the reader takes its date).
    let second = camt053_v08("AFSCHRIFT08-2025-05-06", &account, &[Fixture::Returned(&paid[2], "2025-05-06", "AC04")]);
    let second = write(dir.path(), "afschrift08-2.xml", &second);
    let back = ok(sidw(&db, &["import", "bank", &second]));
    assert!(back.contains("teruggeboekt op 06-05-2025 (reden AC04: rekening opgeheven)"), "{back}");
    let returned = ("returned".to_string(), "2025-05-06".to_string());
    let mut want = vec![paid_on; 6];
    want[2] = returned;
    assert_eq!(states(&db), want);
    let table = ok(sidw(&db, &["report", "payments", "--quarter", "2025-Q1"]));
    assert!(table.contains("batch 2025-Q1-0001: deels betaald"), "{table}");
    ok(sidw(&db, &["check"]));
}

/// `xml` with every element in namespace prefix `prefix` (`<Ntry>` → `<camt:Ntry>`), bound on
/// the root instead of the default namespace.
fn with_prefix(xml: &str, prefix: &str) -> String {
    let mut out = String::new();
    for (n, part) in xml.split('<').enumerate() {
        if n > 0 {
            out.push('<');
            match part.strip_prefix('/') {
                Some(closing) => out.push_str(&format!("/{prefix}:{closing}")),
                None if part.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                    out.push_str(&format!("{prefix}:{part}"))
                }
                None => out.push_str(part),
            }
        } else {
            out.push_str(part);
        }
    }
    out.replace(&format!("<{prefix}:Document xmlns="), &format!("<{prefix}:Document xmlns:{prefix}="))
}

/// A statement whose elements carry a namespace prefix (`<camt:Document xmlns:camt="…">`) is as
/// valid against the schema as one with a default namespace, and is read the same.
#[test]
fn a_v08_statement_with_a_namespace_prefix_is_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (db, paid, account, _) = closed_and_exported(dir.path());
    let plain = camt053_v08("AFSCHRIFT08-PREFIX", &account, &[Fixture::Batch(&paid[..5], "2025-05-02")]);
    let prefixed = with_prefix(&plain, "camt");
    assert!(prefixed.contains("<camt:Document xmlns:camt=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"));
    assert!(prefixed.contains("<camt:EndToEndId>2025-Q1-0001-001</camt:EndToEndId>"), "{prefixed}");
    let file = write(dir.path(), "afschrift08-prefix.xml", &prefixed);
    let said = ok(sidw(&db, &["import", "bank", &file]));
    assert!(said.contains("5 betalingen betaald, 0 teruggeboekt, 0 onbekend"), "{said}");
    let got: Vec<String> = states(&db).into_iter().map(|(s, _)| s).collect();
    assert_eq!(got, ["paid", "paid", "paid", "paid", "paid", "open"]);
}
