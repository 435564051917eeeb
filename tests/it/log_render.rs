//! The audit log in Dutch, per record kind: the record's name and the changed fields old → new in
//! display format, never JSON or database ids; entries of older databases (JSON written by earlier
//! layouts) read the same way, and an unknown shape or broken text is shown, not a panic.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use common::*;
use rust_decimal_macros::dec;
use sidw::domain::YearMonth;
use sidw::report::log::{Change, Described, changes_text, describe};
use sidw::store::{AuditEntry, CellChange, Store};

fn demo() -> Store {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    store
}

fn newest(store: &Store) -> Described {
    describe(&store.audit_log().unwrap()[0])
}

fn change(label: &str, before: Option<&str>, after: Option<&str>) -> Change {
    Change { label: label.into(), before: before.map(Into::into), after: after.map(Into::into) }
}

/// No JSON punctuation, no field names, no ids anywhere in what a clerk reads.
fn readable(d: &Described) {
    let all = format!(
        "{} {} {} {}",
        d.record,
        changes_text(&d.changes),
        d.before.iter().map(|f| format!("{} {}", f.label, f.value)).collect::<Vec<_>>().join(" | "),
        d.after.iter().map(|f| format!("{} {}", f.label, f.value)).collect::<Vec<_>>().join(" | ")
    );
    for bad in ["{", "\"", "_", "null", "true", "false", "network:", "partner:", "id:"] {
        assert!(!all.contains(bad), "'{bad}' in {all}");
    }
}

fn partner_named(store: &Store, network: sidw::domain::NetworkId, name: &str) -> sidw::domain::Partner {
    store.partners(network).unwrap().into_iter().find(|p| p.name == name).unwrap()
}

#[test]
fn a_cell_value_and_an_hours_line() {
    let store = demo();
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap();
    let partner = partner_named(&store, network.id, "Pedicure Assendorp");
    let month = YearMonth::new(2025, 11).unwrap();
    let set = |hours| CellChange {
        network: network.id,
        partner: partner.id,
        month,
        hours,
        by_team_increase: false,
        double_funding_confirmed: false,
    };
    store.set_cell(&ctx(), &set(Some(dec!(1.5)))).unwrap();
    let d = newest(&store);
    assert_eq!(d.action, "urencel gewijzigd");
    assert_eq!(d.record, "Zwolle-Zuid / Pedicure Assendorp / november 2025");
    assert_eq!(d.changes, [change("Uren", Some("leeg"), Some("1,5 uur"))]);
    readable(&d);
    store.set_cell(&ctx(), &set(Some(dec!(2)))).unwrap();
    assert_eq!(newest(&store).changes, [change("Uren", Some("1,5 uur"), Some("2 uur"))]);
    store.set_cell(&ctx(), &set(Some(dec!(0)))).unwrap();
    assert_eq!(newest(&store).changes, [change("Uren", Some("2 uur"), Some("nihil"))]);
    assert_eq!(changes_text(&newest(&store).changes), "Uren: 2 uur → nihil");

    // An hours line as the line form and the import write it.
    let line = store
        .add_hours(
            &ctx(),
            &sidw::store::NewHours {
                activity: "valpreventie".into(),
                ..new_hours(network.id, partner.id, 12, dec!(1.25))
            },
        )
        .unwrap();
    let d = newest(&store);
    assert_eq!(d.action, "uren toegevoegd");
    assert_eq!(d.record, "Zwolle-Zuid / Pedicure Assendorp / december 2025");
    assert_eq!(
        d.changes,
        [
            change("Maand", None, Some("december 2025")),
            change("Uren", None, Some("1,25 uur")),
            change("Activiteit", None, Some("valpreventie")),
        ]
    );
    readable(&d);
    store.update_hours(&ctx(), &sidw::domain::HoursEntry { hours: dec!(3), ..line.clone() }).unwrap();
    assert_eq!(newest(&store).changes, [change("Uren", Some("1,25 uur"), Some("3 uur"))]);
    store.delete_hours(&ctx(), line.id).unwrap();
    let d = newest(&store);
    assert_eq!(d.action, "uren verwijderd");
    assert!(d.changes.contains(&change("Uren", Some("3 uur"), None)), "{:?}", d.changes);
    assert_eq!(d.after, []);
}

#[test]
fn an_invoice_an_agreement_a_network_and_a_share() {
    let store = demo();
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap();
    let quarter = sidw::domain::Quarter::parse("2025-Q1").unwrap();
    // The demo's invoice of € 1.019,40, rejected.
    let invoice =
        store.invoices_of(network.id, quarter).unwrap().into_iter().find(|i| i.amount == dec!(1019.40)).unwrap();
    store.decide_invoice(&ctx(), network.id, invoice.id, false, "dubbel ingediend").unwrap_or_else(|e| panic!("{e}"));
    let d = newest(&store);
    assert_eq!(d.record, format!("Zwolle-Zuid / 2025-Q1 / factuur {}", invoice.number));
    assert_eq!(
        d.changes,
        [change("Besluit", Some("open"), Some("afgewezen")), change("Reden", Some("—"), Some("dubbel ingediend"))]
    );
    assert!(d.before.iter().any(|f| f.label == "Bedrag" && f.value == "€ 1.019,40"));
    assert!(d.before.iter().any(|f| f.label == "Factuurdatum" && f.value.len() == 10 && f.value.as_bytes()[2] == b'-'));
    readable(&d);

    // An agreement sent, then signed: the state and the date.
    let partner = partner_named(&store, network.id, "Apotheek Zuid");
    let agreement = store.agreements(network.id).unwrap().into_iter().find(|a| a.partner == Some(partner.id)).unwrap();
    let unsigned = sidw::domain::Agreement { signed: None, ..agreement.clone() };
    store.update_agreement(&ctx(), &unsigned).unwrap();
    store.update_agreement(&ctx(), &sidw::domain::Agreement { signed: Some(date(2025, 3, 12)), ..unsigned }).unwrap();
    let d = newest(&store);
    assert_eq!(d.record, "Zwolle-Zuid / Apotheek Zuid");
    assert_eq!(
        d.changes,
        [
            change("Status", Some("verstuurd"), Some("getekend")),
            change("Getekend retour", Some("—"), Some("12-03-2025"))
        ]
    );
    readable(&d);

    // A network: status and funding end.
    let changed = sidw::domain::Network {
        status: sidw::domain::NetworkStatus::Gestopt,
        funding_end: Some(date(2025, 12, 31)),
        ..network.clone()
    };
    store.update_network(&ctx(), &changed).unwrap();
    let d = newest(&store);
    assert_eq!(d.record, "Zwolle-Zuid");
    assert_eq!(
        d.changes,
        [
            change("Status", Some("actief"), Some("gestopt")),
            change("Einde financiering", Some("—"), Some("31-12-2025"))
        ]
    );
    readable(&d);

    // The practice team's split: a new percentage from a date.
    let mut team = store.practice_team(network.id).unwrap();
    for (practice, share) in team.practices.iter_mut().zip([dec!(55.5), dec!(44.5)]) {
        practice.shares.push(sidw::domain::ShareFrom { from: date(2026, 1, 1), share });
    }
    store.save_practice_team(&ctx(), &team).unwrap();
    let d = newest(&store);
    assert_eq!(d.action, "praktijkteam opgeslagen");
    let text = changes_text(&d.changes);
    assert!(
        text.contains("Praktijk Huisartsenpraktijk De Esch · verdeling vanaf 01-01-2026 · percentage: — → 55,5 %"),
        "{text}"
    );
    assert!(text.contains("verdeling vanaf 01-01-2026 · percentage: — → 44,5 %"), "{text}");
    assert!(!text.contains("01-10-2020"), "an unchanged share is not a change: {text}");
    readable(&d);
}

fn entry(action: &str, before: Option<&str>, after: Option<&str>) -> AuditEntry {
    AuditEntry {
        id: 7,
        at: Utc.with_ymd_and_hms(2019, 6, 3, 12, 0, 0).unwrap(),
        user: "oud".into(),
        action: action.into(),
        subject: "Dalfsen / Fysio Oud / 2019-05".into(),
        before: before.map(Into::into),
        after: after.map(Into::into),
    }
}

#[test]
fn entries_of_older_databases_read_the_same_way() {
    // An hours line as layout 1 wrote it (no activity, no marks; month as an object).
    let old = r#"{"id":12,"network":3,"partner":4,"month":{"year":2019,"month":5},"hours":"2.5"}"#;
    let d = describe(&entry("uren toegevoegd", None, Some(old)));
    assert_eq!(d.record, "Dalfsen / Fysio Oud / mei 2019");
    assert_eq!(d.changes, [change("Maand", None, Some("mei 2019")), change("Uren", None, Some("2,5 uur"))]);
    readable(&d);
    // A network of an early layout, changed: fields it had read as before, the new one as —.
    let before = r#"{"id":3,"name":"Dalfsen","region":"Zwolle","municipality":"Dalfsen","status":"Aanmelding"}"#;
    let after = r#"{"id":3,"name":"Dalfsen","region":"Zwolle","municipality":"Dalfsen","status":"Actief","funding_start":"2019-07-01"}"#;
    let d = describe(&entry("netwerk gewijzigd", Some(before), Some(after)));
    assert_eq!(
        d.changes,
        [
            change("Status", Some("aanmelding"), Some("actief")),
            change("Start financiering", Some("—"), Some("01-07-2019"))
        ]
    );
    readable(&d);
}

#[test]
fn an_unknown_shape_or_broken_text_is_shown_readably() {
    let d = describe(&entry("iets nieuws", None, Some(r#"{"nieuw_veld":"2020-02-29","aantal_keer":3,"lijst":[1,2]}"#)));
    assert_eq!(
        d.changes,
        [
            change("Aantal keer", None, Some("3")),
            change("Lijst", None, Some("1, 2")),
            change("Nieuw veld", None, Some("29-02-2020")),
        ]
    );
    let d = describe(&entry("kapot", Some("{niet: json"), Some("\"gewoon tekst\"")));
    assert_eq!(d.before[0].value, "{niet: json");
    assert_eq!(d.after[0].value, "gewoon tekst");
    // An event without records: no changes, no panic.
    let d = describe(&entry("gebruiker verwijderd", None, None));
    assert!(d.changes.is_empty());
    // Deeply odd values.
    for odd in ["[]", "{}", "null", "[[],[]]", r#"{"month":{"year":99999,"month":13}}"#, r#"{"hours":"x"}"#] {
        let _ = describe(&entry("raar", Some(odd), Some(odd)));
    }
}

#[test]
fn a_month_out_of_range_is_shown_as_written_never_wrapped_into_another() {
    // 2^32 + 2025 and 2^32 + 5: cut to 32 bits they would read as May 2025.
    let odd = r#"{"month":{"year":4294969321,"month":4294967301}}"#;
    let d = describe(&entry("raar", None, Some(odd)));
    assert_eq!(d.changes, [change("Maand", None, Some("4294967301-4294969321"))]);
    let fine = r#"{"month":{"year":2025,"month":5}}"#;
    assert_eq!(describe(&entry("raar", None, Some(fine))).changes, [change("Maand", None, Some("mei 2025"))]);
    let negative = r#"{"month":{"year":2025,"month":-7}}"#;
    assert_eq!(describe(&entry("raar", None, Some(negative))).changes, [change("Maand", None, Some("-7-2025"))]);
}
