//! Payment batches written before claims, set-offs and team differences (batch layout v1), and
//! before the batch kept what it was computed from (layout v2), still decode.
//! `tests/fixtures/records/payment_batch_v{1,2}.bin` hold bytes as stored on disk; they are
//! history and are never regenerated once committed.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use rust_decimal_macros::dec;
use sidw::domain::close::{
    ByTeamLine, Claim, PaymentBatch, PaymentKind, PaymentLine, Reopening, SetOff, TeamDifference,
};
use sidw::domain::validate::Iban;
use sidw::domain::verify::{NetworkBasis, PartnerBasis};
use sidw::domain::{InvoiceId, NetworkId, PartnerId, PracticeId, Quarter, YearMonth};
use sidw::store::codec::{MAGIC, decode};
use sidw::store::legacy::{PaymentBatchV1, PaymentBatchV2};

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

/// A version 2 batch of a re-close: a claim raised, a set-off, and an invoice above its hours.
fn batch_v2() -> PaymentBatchV2 {
    let v1 = batch_v1();
    let quarter = v1.quarter;
    let claimed = line(PaymentKind::Practice, dec!(12.50));
    PaymentBatchV2 {
        id: 22,
        number: "2025-Q1-0002".into(),
        quarter,
        networks: v1.networks,
        lines: vec![line(PaymentKind::Partner, dec!(80.07))],
        by_team: v1.by_team,
        closed_by: "fien".into(),
        closed_at: v1.closed_at,
        reopenings: Vec::new(),
        team_differences: vec![TeamDifference {
            network: NetworkId(7),
            network_name: "Zwolle-Zuid".into(),
            quarter,
            partner: PartnerId(9),
            payee: "Fysio De Wijk".into(),
            invoice: InvoiceId(11),
            invoice_number: "F-2025-014".into(),
            invoiced: dec!(1050.00),
            worth: dec!(1000.00),
            amount: dec!(50.00),
        }],
        claims: vec![Claim { line: claimed.clone(), open: dec!(2.50), batch: "2025-Q1-0002".into(), batch_id: 22 }],
        set_offs: vec![SetOff {
            line: PaymentLine { amount: dec!(10.00), ..claimed },
            claim_batch: "2025-Q1-0002".into(),
            claim_quarter: quarter,
        }],
    }
}

#[test]
#[ignore = "writes the fixture file"]
fn write_missing_fixtures() {
    let v1 = bincode::serde::encode_to_vec(batch_v1(), bincode::config::standard()).unwrap();
    let v2 = bincode::serde::encode_to_vec(batch_v2(), bincode::config::standard()).unwrap();
    for (name, version, body) in [("payment_batch_v1.bin", 1u8, v1), ("payment_batch_v2.bin", 2, v2)] {
        if !fixture(name).exists() {
            let mut bytes = vec![MAGIC, 0, version];
            bytes.extend(body);
            std::fs::write(fixture(name), bytes).unwrap();
        }
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
    assert!(batch.basis.is_empty(), "a version 1 batch kept no basis");
    // Written now, a batch is version 3 and reads back whole.
    let again = sidw::store::codec::encode(&batch);
    assert_eq!(&again[..3], &[MAGIC, 0, 3]);
    assert_eq!(decode::<PaymentBatch>(&again).unwrap(), batch);
}

#[test]
fn batch_v2_decodes_without_a_basis() {
    let bytes = std::fs::read(fixture("payment_batch_v2.bin")).unwrap();
    assert_eq!(&bytes[..3], &[MAGIC, 0, 2], "the fixture is a version 2 envelope");
    let batch: PaymentBatch = decode(&bytes).unwrap();
    assert_eq!(batch, PaymentBatch::from(batch_v2()));
    assert_eq!(batch.claims[0].open, dec!(2.50));
    assert_eq!(batch.set_offs[0].line.amount, dec!(10.00));
    assert_eq!(batch.team_differences[0].amount, dec!(50.00));
    assert!(batch.basis.is_empty(), "a version 2 batch kept no basis");
    // Its money is still checked where it needs no basis: the set-off, claim and difference hold.
    assert_eq!(sidw::domain::verify::batch_violations(&batch, &[]), Vec::<String>::new());
}

#[test]
fn a_version_3_batch_keeps_its_basis() {
    let mut batch = PaymentBatch::from(batch_v2());
    batch.basis = vec![NetworkBasis {
        network: NetworkId(7),
        network_name: "Zwolle-Zuid".into(),
        practice_money: dec!(3570.00),
        partners: vec![PartnerBasis {
            partner: PartnerId(9),
            worth: dec!(1000.00),
            invoices: vec![(InvoiceId(11), dec!(1050.00))],
        }],
    }];
    let bytes = sidw::store::codec::encode(&batch);
    assert_eq!(&bytes[..3], &[MAGIC, 0, 3]);
    assert_eq!(decode::<PaymentBatch>(&bytes).unwrap(), batch);
}
