//! Payment batches written before claims, set-offs and team differences (batch layout v1) still
//! decode. `tests/fixtures/records/payment_batch_v1.bin` holds bytes as stored on disk; it is
//! history and is never regenerated once committed.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use rust_decimal_macros::dec;
use sidw::domain::close::{ByTeamLine, PaymentBatch, PaymentKind, PaymentLine, Reopening};
use sidw::domain::validate::Iban;
use sidw::domain::{InvoiceId, NetworkId, PartnerId, PracticeId, Quarter, YearMonth};
use sidw::store::codec::{MAGIC, decode};
use sidw::store::legacy::PaymentBatchV1;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/records").join(name)
}

fn line(kind: PaymentKind, amount: rust_decimal::Decimal) -> PaymentLine {
    PaymentLine {
        network: NetworkId(7),
        network_name: "Zwolle-Zuid".into(),
        quarter: Quarter::parse("2025-Q1").unwrap(),
        kind,
        payee: "Huisartsenpraktijk De Esch".into(),
        iban: Iban::parse("NL91ABNA0417164300").unwrap(),
        amount,
        practice: (kind == PaymentKind::Practice).then_some(PracticeId(3)),
        partner: (kind == PaymentKind::Partner).then_some(PartnerId(9)),
        invoice: (kind == PaymentKind::Partner).then_some(InvoiceId(11)),
        reference: "SIDW Zwolle-Zuid 2025-Q1".into(),
    }
}

fn batch_v1() -> PaymentBatchV1 {
    let at = Utc.with_ymd_and_hms(2025, 4, 15, 9, 30, 0).unwrap();
    PaymentBatchV1 {
        id: 21,
        number: "2025-Q1-0001".into(),
        quarter: Quarter::parse("2025-Q1").unwrap(),
        networks: vec![NetworkId(7)],
        lines: vec![line(PaymentKind::Practice, dec!(3570.00)), line(PaymentKind::Partner, dec!(919.93))],
        by_team: vec![ByTeamLine {
            network_name: "Zwolle-Zuid".into(),
            partner: "Fysio De Wijk".into(),
            month: YearMonth::new(2025, 2).unwrap(),
            hours: dec!(1.5),
            worth: dec!(127.43),
        }],
        closed_by: "fien".into(),
        closed_at: at,
        reopenings: vec![Reopening { network: NetworkId(7), by: "fien".into(), at, reason: "ION gecorrigeerd".into() }],
    }
}

#[test]
#[ignore = "writes the fixture file"]
fn write_missing_fixtures() {
    let name = "payment_batch_v1.bin";
    if !fixture(name).exists() {
        let mut bytes = vec![MAGIC, 0, 1];
        bytes.extend(bincode::serde::encode_to_vec(batch_v1(), bincode::config::standard()).unwrap());
        std::fs::write(fixture(name), bytes).unwrap();
    }
}

#[test]
fn batch_v1_decodes() {
    let bytes = std::fs::read(fixture("payment_batch_v1.bin")).unwrap();
    assert_eq!(&bytes[..3], &[MAGIC, 0, 1], "the fixture is a version 1 envelope");
    let batch: PaymentBatch = decode(&bytes).unwrap();
    assert_eq!(batch, PaymentBatch::from(batch_v1()));
    assert!(batch.claims.is_empty() && batch.set_offs.is_empty() && batch.team_differences.is_empty());
    assert_eq!(batch.total(), dec!(4489.93));
    // Written now, a batch is version 2 and reads back whole.
    let again = sidw::store::codec::encode(&batch);
    assert_eq!(&again[..3], &[MAGIC, 0, 2]);
    assert_eq!(decode::<PaymentBatch>(&again).unwrap(), batch);
}
