//! SEPA credit transfer files: written for three payees, validated with `xmllint` against the real
//! schemas in `formats/`, read back, and refused when the payments are wrong.
//!
//! `xmllint` comes with libxml2-utils; without it these tests fail on purpose (CI installs it).

use std::collections::HashSet;
use std::io::{ErrorKind, Write};
use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use sidw::domain::validate::Iban;
use sidw::payments::*;

fn iban(text: &str) -> Iban {
    Iban::parse(text).expect("test IBAN")
}

fn transfer(id: &str, name: &str, iban_text: &str, amount: Decimal, remittance: &str) -> Transfer {
    Transfer {
        end_to_end_id: id.into(),
        creditor_name: name.into(),
        creditor_iban: iban(iban_text),
        amount,
        remittance: remittance.into(),
    }
}

/// Three payments of a quarter, with names a Dutch bank would refuse as typed.
fn quarter_file(bic: Option<&str>) -> TransferFile {
    TransferFile {
        message_id: "SIDW-2025-Q3-0001".into(),
        created_at: Utc.with_ymd_and_hms(2025, 4, 30, 10, 0, 0).single().expect("valid time"),
        payment_info_id: "SIDW-2025-Q3-BATCH-1".into(),
        execution_date: NaiveDate::from_ymd_opt(2025, 5, 2).expect("valid date"),
        debtor: Debtor {
            name: "Stichting Samenwerken in de Wijk – Secretariaat & Co".into(),
            iban: iban("NL91 ABNA 0417 1643 00"),
            bic: bic.map(str::to_string),
        },
        transfers: vec![
            transfer(
                "SIDW-2025-Q3-1",
                "Diëtistenpraktijk Vr\u{133}dag",
                "NL39RABO0300065264",
                dec!(3570.00),
                "Kwartaal 2025-Q3: uren & overleg (42 uur)",
            ),
            transfer(
                "SIDW-2025-Q3-2",
                "Café-Fysio Zwolle_Zuid",
                "DE89 3704 0044 0532 0130 00",
                dec!(2380.00),
                "“Samen in de wijk” 2025-Q3 – info@fysio.nl",
            ),
            transfer(
                "SIDW-2025-Q3-3",
                &format!("Huisartsenpraktijk ’t Höfke {}", "en collega's ".repeat(8)),
                "NL91ABNA0417164300",
                dec!(127.43),
                &"Ondersteuning praktijkteam; ".repeat(8),
            ),
        ],
    }
}

/// Every element with text, as (path of local names joined by `/`, text); attributes as `path/@name`.
fn fields(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => {
                path.push(start.local_name().as_ref().to_string());
                for attribute in start.attributes() {
                    let attribute = attribute.expect("well-formed attribute");
                    let value =
                        attribute.normalized_value(XmlVersion::Explicit1_0).expect("known entities").into_owned();
                    out.push((format!("{}/@{}", path.join("/"), attribute.key.as_ref()), value));
                }
                text.clear();
            }
            Event::Text(chunk) => text.push_str(&chunk.xml10_content()),
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = match name.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "apos" => '\'',
                    "quot" => '"',
                    _ => reference.resolve_char_ref().expect("character reference").expect("known entity"),
                };
                text.push(resolved);
            }
            Event::End(_) => {
                if !text.is_empty() {
                    out.push((path.join("/"), std::mem::take(&mut text)));
                }
                path.pop();
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// The texts of all fields whose path ends in `suffix`.
fn all<'a>(fields: &'a [(String, String)], suffix: &str) -> Vec<&'a str> {
    fields.iter().filter(|(path, _)| path.ends_with(suffix)).map(|(_, text)| text.as_str()).collect()
}

/// The text of the one field whose path ends in `suffix`.
fn one<'a>(fields: &'a [(String, String)], suffix: &str) -> &'a str {
    match all(fields, suffix)[..] {
        [text] => text,
        ref found => panic!("expected one {suffix}, found {found:?}"),
    }
}

/// The EPC basic Latin set, written out independently of the code under test.
fn is_epc(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c))
}

/// Saves `xml` to a temporary file and validates it with `xmllint` against `formats/<schema>`.
fn assert_valid(xml: &str, schema: &str) {
    let mut file = tempfile::Builder::new().suffix(".xml").tempfile().expect("temporary file");
    file.write_all(xml.as_bytes()).expect("write temporary file");
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("formats").join(schema);
    let output =
        match Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema_path).arg(file.path()).output() {
            Ok(output) => output,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                panic!("xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils); CI does")
            }
            Err(e) => panic!("could not run xmllint: {e}"),
        };
    assert!(
        output.status.success(),
        "{schema} refuses the file:\n{}\n--- file ---\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Everything both versions must get right, read back from the XML.
fn assert_contents(xml: &str, file: &TransferFile) {
    let fields = fields(xml);
    let sum: Decimal = file.transfers.iter().map(|t| t.amount).sum();
    assert_eq!(sum, dec!(6077.43));

    for count in all(&fields, "/NbOfTxs") {
        assert_eq!(count, "3");
    }
    assert_eq!(all(&fields, "/NbOfTxs").len(), 2, "GrpHdr and PmtInf");
    for control_sum in all(&fields, "/CtrlSum") {
        assert_eq!(control_sum, "6077.43");
    }
    let amounts: Vec<Decimal> =
        all(&fields, "/Amt/InstdAmt").iter().map(|a| a.parse().expect("amount with a dot")).collect();
    assert_eq!(amounts, vec![dec!(3570.00), dec!(2380.00), dec!(127.43)]);
    assert_eq!(amounts.iter().sum::<Decimal>(), sum);
    assert!(all(&fields, "/Amt/InstdAmt").iter().all(|a| a.split_once('.').is_some_and(|(_, cents)| cents.len() == 2)));
    assert_eq!(all(&fields, "/InstdAmt/@Ccy"), vec!["EUR"; 3]);

    let ids = all(&fields, "/PmtId/EndToEndId");
    assert_eq!(ids.len(), 3);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3, "end-to-end ids are unique: {ids:?}");

    let names = all(&fields, "/Nm");
    assert_eq!(names.len(), 5, "InitgPty, Dbtr and three Cdtr");
    let remittances = all(&fields, "/RmtInf/Ustrd");
    assert_eq!(remittances.len(), 3);
    for text in names.iter().chain(&remittances) {
        assert!(is_epc(text), "outside the EPC set: {text:?}");
        assert!(!text.is_empty() && text.trim() == *text, "{text:?}");
    }
    assert!(names.iter().all(|n| n.len() <= 70) && remittances.iter().all(|r| r.len() <= 140));
    assert_eq!(all(&fields, "/Cdtr/Nm")[..2], ["Dietistenpraktijk Vrijdag", "Cafe-Fysio Zwolle-Zuid"]);
    let long_name = all(&fields, "/Cdtr/Nm")[2];
    assert!(
        long_name.starts_with("Huisartsenpraktijk 't Hofke en collega's en") && long_name.len() > 65,
        "{long_name}"
    );
    assert_eq!(remittances[0], "Kwartaal 2025-Q3: uren + overleg (42 uur)");
    assert_eq!(remittances[1], "'Samen in de wijk' 2025-Q3 - info(at)fysio.nl");
    assert!(remittances[2].len() <= 140 && remittances[2].len() > 130, "long text cut to 140");

    assert_eq!(one(&fields, "GrpHdr/MsgId"), "SIDW-2025-Q3-0001");
    assert_eq!(one(&fields, "GrpHdr/CreDtTm"), "2025-04-30T10:00:00");
    assert_eq!(one(&fields, "GrpHdr/InitgPty/Nm"), "Stichting Samenwerken in de Wijk - Secretariaat + Co");
    assert_eq!(one(&fields, "PmtInf/PmtMtd"), "TRF");
    assert_eq!(one(&fields, "PmtInf/BtchBookg"), "true");
    assert_eq!(one(&fields, "PmtTpInf/SvcLvl/Cd"), "SEPA");
    assert_eq!(one(&fields, "PmtInf/ChrgBr"), "SLEV");
    assert_eq!(one(&fields, "DbtrAcct/Id/IBAN"), "NL91ABNA0417164300");
    assert_eq!(
        all(&fields, "CdtrAcct/Id/IBAN"),
        vec!["NL39RABO0300065264", "DE89370400440532013000", "NL91ABNA0417164300"]
    );
    assert!(all(&fields, "CdtrAgt").is_empty() && !xml.contains("<CdtrAgt>"), "no BIC needed in the EEA");
}

#[test]
fn version_09_validates_against_the_epc_2023_schema_and_reads_back() {
    let file = quarter_file(Some("ABNANL2A"));
    let xml = write_pain001(&file, PainVersion::V09).expect("valid file");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">"));
    assert!(xml.contains("\n  <CstmrCdtTrfInitn>\n    <GrpHdr>\n"), "indented by 2 spaces");
    assert_valid(&xml, "pain.001.001.09.xsd");
    assert_contents(&xml, &file);
    let fields = fields(&xml);
    assert_eq!(one(&fields, "PmtInf/ReqdExctnDt/Dt"), "2025-05-02");
    assert_eq!(one(&fields, "DbtrAgt/FinInstnId/BICFI"), "ABNANL2A");
}

#[test]
fn version_03_validates_against_its_schema_and_reads_back() {
    let file = quarter_file(Some("abna nl 2a"));
    let xml = write_pain001(&file, PainVersion::V03).expect("valid file");
    assert!(xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">"));
    assert_valid(&xml, "pain.001.001.03.xsd");
    assert_contents(&xml, &file);
    let fields = fields(&xml);
    assert_eq!(one(&fields, "PmtInf/ReqdExctnDt"), "2025-05-02");
    assert_eq!(one(&fields, "DbtrAgt/FinInstnId/BIC"), "ABNANL2A");
}

#[test]
fn without_a_bic_both_versions_say_notprovided_and_validate() {
    for (version, schema) in [(PainVersion::V09, "pain.001.001.09.xsd"), (PainVersion::V03, "pain.001.001.03.xsd")] {
        let file = quarter_file(None);
        let xml = write_pain001(&file, version).expect("valid file");
        assert_valid(&xml, schema);
        assert_eq!(one(&fields(&xml), "DbtrAgt/FinInstnId/Othr/Id"), "NOTPROVIDED");
        assert_contents(&xml, &file);
    }
}

#[test]
fn an_empty_remittance_is_left_out_and_still_validates() {
    let mut file = quarter_file(None);
    file.transfers.truncate(1);
    file.transfers[0].remittance = " \u{7} ".into();
    let xml = write_pain001(&file, PainVersion::V09).expect("valid file");
    assert_valid(&xml, "pain.001.001.09.xsd");
    assert!(!xml.contains("RmtInf"));
    assert_eq!(one(&fields(&xml), "GrpHdr/CtrlSum"), "3570.00");
}

#[test]
fn wrong_files_are_refused_with_a_dutch_message() {
    let refuse = |change: &dyn Fn(&mut TransferFile)| {
        let mut file = quarter_file(None);
        change(&mut file);
        for version in [PainVersion::V09, PainVersion::V03] {
            assert!(write_pain001(&file, version).is_err(), "{version:?} accepted a wrong file");
        }
        write_pain001(&file, PainVersion::V09).expect_err("refused")
    };

    let empty = refuse(&|f| f.transfers.clear());
    assert_eq!(empty, PaymentFileError::Empty);
    assert_eq!(empty.to_string(), "geen betalingen in het bestand");

    let negative = refuse(&|f| f.transfers[1].amount = dec!(-2380.00));
    assert_eq!(negative, PaymentFileError::BadAmount("-2380.00".into()));
    assert!(negative.to_string().contains("niet positief"));
    assert!(matches!(refuse(&|f| f.transfers[0].amount = Decimal::ZERO), PaymentFileError::BadAmount(_)));

    let three_decimals = refuse(&|f| f.transfers[2].amount = dec!(127.425));
    assert_eq!(three_decimals, PaymentFileError::BadAmount("127.425".into()));
    assert!(three_decimals.to_string().contains("hooguit 2 decimalen"));

    let long_id = "M".repeat(36);
    let too_long = refuse(&|f| f.message_id = long_id.clone());
    assert_eq!(too_long, PaymentFileError::BadId(long_id.clone()));
    assert!(too_long.to_string().contains("1 tot 35 tekens"));
    assert!(matches!(refuse(&|f| f.payment_info_id = " ".into()), PaymentFileError::BadId(_)));
    assert!(matches!(refuse(&|f| f.transfers[0].end_to_end_id = long_id.clone()), PaymentFileError::BadId(_)));

    let twice = refuse(&|f| f.transfers[2].end_to_end_id = "SIDW-2025-Q3-1".into());
    assert_eq!(twice, PaymentFileError::DuplicateId("SIDW-2025-Q3-1".into()));

    let nameless = refuse(&|f| f.transfers[1].creditor_name = "\u{7}".into());
    assert!(nameless.to_string().contains("SIDW-2025-Q3-2"), "{nameless}");
    assert!(matches!(refuse(&|f| f.debtor.bic = Some("ABNA".into())), PaymentFileError::BadBic(_)));
    assert!(matches!(
        refuse(&|f| f.transfers[0].creditor_iban = iban("CH93 0076 2011 6238 5295 7")),
        PaymentFileError::OutsideEea(_)
    ));
}

#[test]
fn exactly_35_characters_and_the_largest_amount_are_accepted() {
    let mut file = quarter_file(None);
    file.message_id = "M".repeat(35);
    file.transfers[0].end_to_end_id = "E".repeat(35);
    file.transfers[0].amount = dec!(999999999.99);
    for (version, schema) in [(PainVersion::V09, "pain.001.001.09.xsd"), (PainVersion::V03, "pain.001.001.03.xsd")] {
        let xml = write_pain001(&file, version).expect("valid file");
        assert_valid(&xml, schema);
        assert_eq!(one(&fields(&xml), "GrpHdr/CtrlSum"), "1000002507.42");
    }
}
