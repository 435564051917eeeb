//! Every field with a rule refuses bad values with a Dutch message naming the field, and a store
//! operation with a bad value stores nothing (not the record, not an audit entry).

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::domain::calendar::parse_date;
use sidw::domain::validate::{Agb, Iban, Pc4, parse_hours, parse_percentage};
use sidw::domain::{Discipline, PracticeTeam};
use sidw::store::Store;

#[test]
fn each_bad_value_is_refused_with_its_message() {
    type Outcome = Result<(), (&'static str, String)>;
    let cases: Vec<(&str, Outcome, &str)> = vec![
        (
            "IBAN NL91ABNA0417164301",
            Iban::parse("NL91ABNA0417164301").map(drop).map_err(|e| (e.field, e.message)),
            "mod 97",
        ),
        ("IBAN leeg", Iban::parse(" ").map(drop).map_err(|e| (e.field, e.message)), "vul een IBAN in"),
        ("IBAN onzin", Iban::parse("rekening 123").map(drop).map_err(|e| (e.field, e.message)), "geen IBAN"),
        ("AGB 7 cijfers", Agb::parse("1234567").map(drop).map_err(|e| (e.field, e.message)), "8 cijfers"),
        ("AGB letters", Agb::parse("1234567X").map(drop).map_err(|e| (e.field, e.message)), "8 cijfers"),
        ("percentage 3 dec", parse_percentage("33,333").map(drop).map_err(|e| (e.field, e.message)), "2 decimalen"),
        ("percentage 120", parse_percentage("120").map(drop).map_err(|e| (e.field, e.message)), "tussen 0 en 100"),
        ("uren leeg", parse_hours("").map(drop).map_err(|e| (e.field, e.message)), "vul een getal in"),
        ("uren 1e3", parse_hours("1e3").map(drop).map_err(|e| (e.field, e.message)), "geen getal"),
        ("uren NaN", parse_hours("NaN").map(drop).map_err(|e| (e.field, e.message)), "geen getal"),
        ("uren negatief", parse_hours("-2").map(drop).map_err(|e| (e.field, e.message)), "meer dan 0"),
        ("uren 3 dec", parse_hours("1,125").map(drop).map_err(|e| (e.field, e.message)), "2 decimalen"),
        ("PC4 0999", Pc4::parse("0999").map(drop).map_err(|e| (e.field, e.message)), "1000 tot 9999"),
        ("PC4 met letters", Pc4::parse("8011AB").map(drop).map_err(|e| (e.field, e.message)), "PC4"),
        ("datum 31-02", parse_date("31-02-2025").map(drop).map_err(|e| ("datum", e)), "bestaat niet"),
        ("datum onzin", parse_date("gisteren").map(drop).map_err(|e| ("datum", e)), "dd-mm-jjjj"),
    ];
    for (case, result, says) in cases {
        let (field, message) = result.expect_err(case);
        assert!(!field.is_empty());
        assert!(message.contains(says), "{case}: '{message}' should say '{says}'");
    }
    assert_eq!(parse_hours("1,5"), parse_hours("1.5"));
}

#[test]
fn the_store_refuses_bad_values_and_stores_nothing() {
    let store = Store::temporary().unwrap();
    let network = network_with_ion(&store, "Zwolle-Zuid", 7000);
    let partner = add_partner(&store, network, "Fysio", Discipline::Fysiotherapeut);
    let audit = store.audit_log().unwrap().len();

    for hours in [dec!(0), dec!(-1), dec!(1.125), dec!(745)] {
        let error = store.add_hours(&ctx(), &new_hours(network, partner, 1, hours)).unwrap_err();
        assert!(error.to_string().starts_with("uren: "), "{hours}: {error}");
    }
    let mut long_activity = new_hours(network, partner, 1, dec!(1));
    long_activity.activity = "x".repeat(201);
    assert!(store.add_hours(&ctx(), &long_activity).unwrap_err().to_string().contains("activiteit"));

    let mut team: PracticeTeam = store.practice_team(network).unwrap();
    team.practices[0].shares[0].share = dec!(99.99);
    assert!(store.save_practice_team(&ctx(), &team).unwrap_err().to_string().contains("99.99 %"));
    team.practices[0].shares[0].share = dec!(100.001);
    assert!(store.save_practice_team(&ctx(), &team).is_err());

    let mut network_record = store.network(network).unwrap();
    network_record.municipality = "Atlantis".into();
    assert!(store.update_network(&ctx(), &network_record).unwrap_err().to_string().contains("gemeente"));
    network_record.municipality = "Zwolle".into();
    network_record.coordinator.email = "geen-adres".into();
    assert!(store.update_network(&ctx(), &network_record).unwrap_err().to_string().contains("e-mail"));
    network_record.coordinator.email = String::new();
    network_record.name = "   ".into();
    assert!(store.update_network(&ctx(), &network_record).unwrap_err().to_string().contains("naam"));

    assert!(store.hours_of(network, 2025).unwrap().is_empty(), "no hours stored");
    assert_eq!(store.practice_team(network).unwrap().practices[0].shares[0].share, dec!(100));
    assert_eq!(store.network(network).unwrap().municipality, "Zwolle");
    assert_eq!(store.audit_log().unwrap().len(), audit, "no audit entries for refused changes");
    assert!(store.check().unwrap().is_ok());
}
