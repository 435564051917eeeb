//! Milestones as the secretariat keeps them: the start of funding follows the signed practice-team
//! agreement, overdue 6-month milestones hold a close until acknowledged, a partner without a
//! signed agreement is never paid, and the milestones screen as a user types in it.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::app::{Mode, Pane};
use sidw::domain::close::PaymentKind;
use sidw::domain::{
    Agreement, AgreementId, AgreementKind, Discipline, Invoice, InvoiceDecision, InvoiceId, Network, Quarter, Region,
};
use sidw::store::{Store, StoreError};

fn practice_team_agreement(network: sidw::domain::NetworkId, signed: Option<chrono::NaiveDate>) -> Agreement {
    Agreement {
        id: AgreementId(0),
        network,
        kind: AgreementKind::PracticeTeam,
        partner: None,
        sent: Some(date(2025, 1, 10)),
        signed,
        ended: None,
    }
}

#[test]
fn signing_the_practice_team_agreement_starts_funding_unless_a_start_was_set() {
    let store = Store::temporary().unwrap();
    let draft = Network::draft("Dronten-West", Region::Flevoland, "Dronten", None);
    let id = store.create_network(&ctx(), &draft).unwrap();
    let agreement_id = store.add_agreement(&ctx(), &practice_team_agreement(id, None)).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, None, "sent, not signed: no funding yet");

    let mut agreement = store.agreements(id).unwrap().into_iter().find(|a| a.id == agreement_id).unwrap();
    agreement.signed = Some(date(2025, 1, 31));
    store.update_agreement(&ctx(), &agreement).unwrap();
    let network = store.network(id).unwrap();
    assert_eq!(network.funding_start, Some(date(2025, 1, 31)));
    assert!(network.milestones.funding_start_derived);
    assert_eq!(network.six_month_deadline(), Some(date(2025, 7, 31)));
    let log = store.audit_log().unwrap();
    assert!(log.iter().any(|e| e.action == "start financiering afgeleid van overeenkomst praktijkteam"));

    // A corrected signed date is followed while the start is derived.
    agreement.signed = Some(date(2025, 2, 3));
    store.update_agreement(&ctx(), &agreement).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 2, 3)));

    // Set by hand, the start stays where it was put.
    let mut network = store.network(id).unwrap();
    network.funding_start = Some(date(2025, 3, 1));
    network.milestones.funding_start_derived = false;
    store.update_network(&ctx(), &network).unwrap();
    agreement.signed = Some(date(2025, 2, 4));
    store.update_agreement(&ctx(), &agreement).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 3, 1)));
}

/// A funded network (start 01-01-2024, no meeting, no wijkplan) whose 2025-Q1 can be closed.
fn late_network(store: &Store) -> sidw::domain::NetworkId {
    let id = network_with_ion(store, "Zwolle-Noord", 5000);
    store.add_agreement(&ctx(), &practice_team_agreement(id, Some(date(2025, 1, 20)))).unwrap();
    id
}

/// The warnings a close on the test day (01-05-2025) asks to acknowledge, as shown.
fn acknowledge_all(store: &Store, id: sidw::domain::NetworkId, quarter: Quarter) -> Vec<String> {
    sidw::store::to_acknowledge(&store.close_preview(&[id], quarter, date(2025, 5, 1)).unwrap())
}

#[test]
fn a_close_with_overdue_six_month_milestones_must_be_acknowledged_and_is_logged() {
    let store = Store::temporary().unwrap();
    let id = late_network(&store);
    let q1 = Quarter::parse("2025-Q1").unwrap();

    let preview = store.close_preview(&[id], q1, date(2025, 5, 1)).unwrap();
    let item = preview[0].checklist.iter().find(|i| i.acknowledge).expect("a warning to acknowledge");
    assert!(item.ok && item.warning, "a warning, not a blocking item");
    assert_eq!(
        item.text,
        "eerste netwerkbijeenkomst en gedragen wijkplan te laat (uiterlijk 01-07-2024): bespreek met de praktijken of de financiering doorgaat"
    );
    assert!(preview[0].ready(), "it does not block");
    // Before the deadline there is nothing to acknowledge.
    let early = store.close_preview(&[id], q1, date(2024, 7, 1)).unwrap();
    assert!(early[0].checklist.iter().all(|i| !i.acknowledge));

    let refused = store.close_quarter(&ctx(), &[id], q1, &[]).unwrap_err();
    assert!(
        matches!(&refused, StoreError::Refused(m) if m.contains("vraagt eerst erkenning") && m.contains("Zwolle-Noord")),
        "{refused}"
    );
    assert!(store.quarter_close(id, q1).unwrap().is_none(), "nothing closed");

    // Acknowledging something else than what is there is no acknowledgement.
    let other = vec!["Zwolle-Noord: iets anders".to_string()];
    assert!(store.close_quarter(&ctx(), &[id], q1, &other).is_err());
    let shown = acknowledge_all(&store, id, q1);
    assert_eq!(shown, vec![format!("Zwolle-Noord: {}", item.text)]);
    let batch = store.close_quarter(&ctx(), &[id], q1, &shown).unwrap();
    assert_eq!(batch.total(), dec!(4250.00), "5000 ION × € 3,40 / 4");
    let log = store.audit_log().unwrap();
    let acknowledged = log.iter().find(|e| e.action == "waarschuwing erkend bij afsluiting").expect("logged");
    assert_eq!(acknowledged.subject, format!("Zwolle-Noord / 2025-Q1 / batch {}", batch.number));
    assert!(acknowledged.after.as_deref().unwrap_or("").contains("te laat"));
}

#[test]
fn met_milestones_need_no_acknowledgement() {
    let store = Store::temporary().unwrap();
    let id = late_network(&store);
    let mut network = store.network(id).unwrap();
    network.milestones.network_meeting = Some(date(2024, 6, 1));
    network.milestones.wijkplan = Some(date(2024, 8, 1)); // late, but there
    store.update_network(&ctx(), &network).unwrap();
    let q1 = Quarter::parse("2025-Q1").unwrap();
    store.close_quarter(&ctx(), &[id], q1, &[]).unwrap();
}

#[test]
fn a_partner_without_a_signed_agreement_is_never_in_a_payment_batch() {
    let store = Store::temporary().unwrap();
    let id = late_network(&store);
    let partner = add_unsigned_partner(&store, id, "Diëtistenpraktijk Noord", Discipline::Dietist);
    // The store refuses hours without a signed agreement (issue 11 item 6)…
    let refused = store.add_hours(&ctx(), &new_hours(id, partner, 1, dec!(2))).unwrap_err();
    assert!(refused.to_string().contains("geen getekende overeenkomst"), "{refused}");
    // …so hours without one come only from before that rule (or a signing taken back): sign, enter
    // the hours, then take the signature back.
    let mut agreement = sidw::domain::Agreement {
        id: sidw::domain::AgreementId(0),
        network: id,
        kind: sidw::domain::AgreementKind::Partner,
        partner: Some(partner),
        sent: Some(date(2024, 12, 1)),
        signed: Some(date(2024, 12, 20)),
        ended: None,
    };
    agreement.id = store.add_agreement(&ctx(), &agreement).unwrap();
    for month in 1..=3 {
        store.add_hours(&ctx(), &new_hours(id, partner, month, dec!(2))).unwrap();
    }
    store.update_agreement(&ctx(), &sidw::domain::Agreement { signed: None, ..agreement }).unwrap();
    let invoice = store
        .add_invoice(
            &ctx(),
            &Invoice {
                id: InvoiceId(0),
                network: id,
                partner,
                quarter: Quarter::parse("2025-Q1").unwrap(),
                number: "D-2025-01".into(),
                date: date(2025, 4, 2),
                received: Some(date(2025, 4, 3)),
                amount: dec!(509.70),
                decision: InvoiceDecision::Open,
            },
        )
        .unwrap();
    assert_eq!(invoice.amount, dec!(509.70), "6 h × € 84,95: the invoice matches the hours");
    let q1 = Quarter::parse("2025-Q1").unwrap();
    let preview = store.close_preview(&[id], q1, date(2025, 5, 1)).unwrap();
    assert!(preview[0].checklist.iter().any(|i| i.warning && i.text.contains("geen getekende overeenkomst")));
    assert!(preview[0].payments.iter().all(|l| l.kind == PaymentKind::Practice));
    let batch = store.close_quarter(&ctx(), &[id], q1, &acknowledge_all(&store, id, q1)).unwrap();
    assert!(batch.lines.iter().all(|l| l.partner.is_none()), "no partner line without a signed agreement");
}

fn zwolle_milestones(app: &mut sidw::app::App) {
    press(app, "1/Zwolle<Enter>m");
    assert!(matches!(app.mode, Mode::Milestones));
    assert_eq!(app.milestone_screen.as_ref().unwrap().network.name, "Zwolle-Zuid");
}

fn select(app: &mut sidw::app::App, label: &str) {
    press(app, "g");
    for _ in 0..40 {
        let screen = app.milestone_screen.as_ref().unwrap();
        if screen.selected().is_some_and(|m| m.label == label) {
            return;
        }
        press(app, "j");
    }
    panic!("no milestone {label}");
}

#[test]
fn the_milestones_screen_at_80_by_24() {
    let mut app = demo_app();
    zwolle_milestones(&mut app);
    let text = screen_text(&app, 80, 24);
    contains_all(
        &text,
        &[
            "Mijlpalen Zwolle-Zuid — 0 te laat",
            "Mijlpaal                             Uiterlijk  Gedaan     Stand",
            "Eerste netwerkbijeenkomst            01-10-2024 01-06-2024 gehaald",
            "Projectplan Valpreventie 65+         30-06-2026 01-03-2025 langer dan een jaar",
            "Financiële verantwoording 2024       31-03-2025 12-03-2025 gehaald",
            "Reflectieverslag 2025                31-12-2025 —          open",
            "Enter datum · n projectplan · x weg · u ongedaan · Esc terug",
        ],
    );
}

#[test]
fn dates_and_project_plans_are_kept_from_the_milestones_screen() {
    let mut app = demo_app();
    zwolle_milestones(&mut app);
    select(&mut app, "Reflectieverslag 2025");
    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Form(..)));
    press(&mut app, "31-02-2025<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the form stays open on a bad date") };
    assert!(form.fields[0].error.is_some(), "the error is at the field");
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-11-2025<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("a future date is refused") };
    assert_eq!(form.fields[0].error.as_deref(), Some("ligt in de toekomst; vul de datum in waarop het gedaan is"));
    press(&mut app, &"<BS>".repeat(10));
    press(&mut app, "01-10-2025<Enter>");
    assert!(matches!(app.mode, Mode::Milestones), "back on the milestones screen");
    let id = app.milestone_screen.as_ref().unwrap().network.id;
    let stored = app.store().network(id).unwrap();
    assert_eq!(stored.milestones.year(2025).reflection_report, Some(date(2025, 10, 1)));
    assert_eq!(app.milestone_screen.as_ref().unwrap().selected().unwrap().label, "Reflectieverslag 2025");
    assert!(screen_text(&app, 80, 24).contains("Reflectieverslag 2025                31-12-2025 01-10-2025 gehaald"));

    // A new project plan of more than a year is kept, with a warning.
    press(&mut app, "nMantelzorg<Tab>01-01-2025<Tab>31-03-2026<Enter>");
    assert!(matches!(app.mode, Mode::Milestones));
    assert!(app.message.as_ref().unwrap().text.contains("langer dan een jaar"));
    let plans = app.store().network(id).unwrap().milestones.project_plans;
    assert_eq!(plans.len(), 3);
    assert_eq!((plans[2].name.as_str(), plans[2].end), ("Mantelzorg", date(2026, 3, 31)));

    // An end before the start is refused at the field.
    press(&mut app, "nKort<Tab>01-05-2025<Tab>01-04-2025<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("refused") };
    assert_eq!(form.fields[2].error.as_deref(), Some("ligt vóór de start"));
    press(&mut app, "<Esc>j");
    assert!(matches!(app.mode, Mode::Milestones), "discarding goes back to the screen");

    select(&mut app, "Projectplan Mantelzorg");
    press(&mut app, "xj");
    assert!(matches!(app.mode, Mode::Milestones));
    assert_eq!(app.store().network(id).unwrap().milestones.project_plans.len(), 2);
    press(&mut app, "<Esc>u");
    assert_eq!(app.store().network(id).unwrap().milestones.project_plans.len(), 3, "u brings the plan back");
    assert_eq!(app.pane, Pane::Networks);
}

#[test]
fn a_milestone_signal_opens_the_milestones_screen() {
    let mut app = demo_app();
    press(&mut app, "4/verantwoording<Enter>");
    let signal = app.signals.selected().expect("the missing accounting is a signal").clone();
    assert_eq!(signal.subject, "Almere Haven");
    assert_eq!(signal.text, "financiële verantwoording 2024 ontbreekt (uiterlijk 31-03-2025)");
    assert!(signal.overdue);
    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Milestones));
    assert_eq!(app.milestone_screen.as_ref().unwrap().network.name, "Almere Haven");
    assert!(screen_text(&app, 80, 24).contains("Mijlpalen Almere Haven — 1 te laat"));
}

#[test]
fn a_viewer_sees_the_milestones_but_cannot_change_them() {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::with_role(store, "vera", sidw::app::Role::Viewer, clock);
    zwolle_milestones(&mut app);
    press(&mut app, "<Enter>");
    assert!(matches!(app.mode, Mode::Milestones), "no form for a viewer");
    assert!(app.message.as_ref().unwrap().text.contains("rol"));
}

#[test]
fn closing_on_screen_asks_to_acknowledge_an_overdue_meeting() {
    let mut app = demo_app();
    let id = app.store().network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let mut network = app.store().network(id).unwrap();
    network.milestones.network_meeting = None;
    app.store().update_network(&ctx(), &network).unwrap();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:afsluiten 2025-Q1<Enter>");
    let text = screen_text(&app, 80, 24);
    assert!(text.contains("Checklist (Enter: ga erheen) · ! te laat: erkennen bij afsluiten"), "{text}");
    assert!(text.contains("│! eerste netwerkbijeenkomst te laat (uiterlijk 01-10-2024)"), "{text}");
    press(&mut app, "c");
    let Mode::Confirm(confirm) = &app.mode else { panic!("step 1") };
    assert_eq!(confirm.choices.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec!['e', 'n']);
    assert!(confirm.lines.iter().any(|l| l.starts_with("! Zwolle-Zuid: eerste netwerkbijeenkomst te laat")));
    press(&mut app, "j");
    assert!(matches!(&app.mode, Mode::Confirm(c) if c.title.contains("stap 1")), "j is not offered here");
    press(&mut app, "ea");
    let q1 = Quarter::parse("2025-Q1").unwrap();
    assert!(app.store().quarter_close(id, q1).unwrap().is_some(), "{:?}", app.message);
    let log = app.store().audit_log().unwrap();
    assert!(log.iter().any(|e| e.action == "waarschuwing erkend bij afsluiting" && e.user == "anna"));
}

#[test]
fn the_command_line_close_needs_acknowledge_warnings_for_overdue_milestones() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        late_network(&store);
    }
    let close = |extra: &[&str]| {
        let mut args = vec!["--db", dir.path().to_str().unwrap(), "close", "--quarter", "2025-Q1"];
        args.extend(["--network", "Zwolle-Noord", "--user", "fien"]);
        args.extend(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_sidw")).args(args).output().unwrap()
    };
    let refused = close(&[]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("vraagt eerst erkenning") && stderr.contains("te laat"), "{stderr}");
    let closed = close(&["--acknowledge-warnings"]);
    assert!(closed.status.success(), "{}", String::from_utf8_lossy(&closed.stderr));
    assert!(String::from_utf8_lossy(&closed.stdout).contains("2025-Q1 afgesloten: batch 2025-Q1-0001"));
}

#[test]
fn a_renewal_or_a_draft_does_not_move_a_derived_start_and_a_closed_quarter_freezes_it() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Kampen-Oost", 4000);
    let mut network = store.network(id).unwrap();
    network.funding_start = None;
    store.update_network(&ctx(), &network).unwrap();
    store.add_agreement(&ctx(), &practice_team_agreement(id, Some(date(2025, 1, 20)))).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 1, 20)));

    // A renewal drafted, then signed later: the start stays at the first signature.
    let renewal = store.add_agreement(&ctx(), &practice_team_agreement(id, None)).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 1, 20)), "a draft does not wipe it");
    let mut signed = store.agreements(id).unwrap().into_iter().find(|a| a.id == renewal).unwrap();
    signed.sent = Some(date(2025, 1, 10));
    signed.signed = Some(date(2025, 6, 1));
    store.update_agreement(&ctx(), &signed).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 1, 20)), "the earliest signature");

    // Q1 paid on that start; a later correction of the first signature no longer moves it.
    let q1 = Quarter::parse("2025-Q1").unwrap();
    let batch = store.close_quarter(&ctx(), &[id], q1, &acknowledge_all(&store, id, q1)).unwrap();
    assert_eq!(batch.total(), dec!(3400.00));
    let mut first = store.agreements(id).unwrap().into_iter().find(|a| a.id != renewal).unwrap();
    first.signed = Some(date(2025, 2, 1));
    first.sent = Some(date(2025, 1, 10));
    store.update_agreement(&ctx(), &first).unwrap();
    assert_eq!(store.network(id).unwrap().funding_start, Some(date(2025, 1, 20)), "frozen by the close");
}

#[test]
fn a_signed_team_without_a_start_of_funding_cannot_be_closed_with_nothing_paid() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Kampen-West", 4000);
    store.add_agreement(&ctx(), &practice_team_agreement(id, Some(date(2025, 1, 20)))).unwrap();
    let mut network = store.network(id).unwrap();
    network.funding_start = None; // typed away by hand
    network.milestones.funding_start_derived = false;
    store.update_network(&ctx(), &network).unwrap();
    let q1 = Quarter::parse("2025-Q1").unwrap();
    let error = store.close_quarter(&ctx(), &[id], q1, &[]).unwrap_err().to_string();
    assert!(error.contains("geen start financiering"), "{error}");
}

#[test]
fn a_plan_a_colleague_moved_or_changed_is_never_deleted_by_mistake() {
    let mut app = demo_app();
    zwolle_milestones(&mut app);
    let id = app.milestone_screen.as_ref().unwrap().network.id;
    select(&mut app, "Projectplan Valpreventie 65+");
    press(&mut app, "x");
    assert!(matches!(app.mode, Mode::Confirm(_)));
    // Meanwhile a colleague removes the plan before it and adds another: the indexes shift.
    let mut network = app.store().network(id).unwrap();
    network.milestones.project_plans.remove(0);
    network.milestones.project_plans.push(sidw::domain::ProjectPlan {
        name: "Derde".into(),
        start: date(2025, 9, 1),
        end: date(2026, 3, 1),
    });
    app.store().update_network(&ctx(), &network).unwrap();
    press(&mut app, "j");
    let names: Vec<String> =
        app.store().network(id).unwrap().milestones.project_plans.into_iter().map(|p| p.name).collect();
    assert_eq!(names, vec!["Derde".to_string()], "the plan asked about was deleted, not its neighbour");

    // A plan the colleague changed after it was chosen is not deleted at all.
    select(&mut app, "Projectplan Derde");
    press(&mut app, "x");
    let mut network = app.store().network(id).unwrap();
    network.milestones.project_plans[0].end = date(2026, 2, 1);
    app.store().update_network(&ctx(), &network).unwrap();
    press(&mut app, "j");
    assert_eq!(app.store().network(id).unwrap().milestones.project_plans.len(), 1);
    assert!(app.message.as_ref().unwrap().text.contains("intussen gewijzigd"), "{:?}", app.message);
    assert!(matches!(app.mode, Mode::Milestones));
}

#[test]
fn undo_does_not_wipe_a_colleagues_later_change() {
    let mut app = demo_app();
    zwolle_milestones(&mut app);
    let id = app.milestone_screen.as_ref().unwrap().network.id;
    select(&mut app, "Intakegesprek");
    press(&mut app, &format!("<Enter>{}05-12-2023<Enter>", "<BS>".repeat(10)));
    assert_eq!(app.store().network(id).unwrap().milestones.intake, Some(date(2023, 12, 5)));
    let mut network = app.store().network(id).unwrap();
    network.milestones.wijkplan = Some(date(2024, 9, 2)); // a colleague, meanwhile
    app.store().update_network(&ctx(), &network).unwrap();
    press(&mut app, "u");
    let stored = app.store().network(id).unwrap();
    assert_eq!(stored.milestones.wijkplan, Some(date(2024, 9, 2)), "the colleague's change stays");
    assert_eq!(stored.milestones.intake, Some(date(2023, 12, 5)));
    assert!(app.message.as_ref().unwrap().text.contains("sindsdien ook door een ander gewijzigd"));
}

#[test]
fn a_milestone_change_reads_and_writes_in_one_transaction() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Zwolle-Oost", 3000);
    let stale = store.network(id).unwrap(); // what a form opened earlier saw
    let mut colleague = stale.clone();
    colleague.milestones.wijkplan = Some(date(2024, 5, 1));
    store.update_network(&ctx(), &colleague).unwrap();
    let (before, after) = store
        .change_network(&ctx(), id, |n| {
            n.milestones.intake = Some(date(2023, 10, 1));
            Ok(())
        })
        .unwrap();
    assert_eq!(before.milestones.wijkplan, Some(date(2024, 5, 1)), "changed from the stored record, not the stale one");
    assert_eq!(after.milestones.wijkplan, Some(date(2024, 5, 1)), "the colleague's date is kept");
    assert_eq!(store.network(id).unwrap(), after);
    let renamed = store.change_network(&ctx(), id, |n| {
        n.name = "Andere naam".into();
        Ok(())
    });
    assert!(renamed.is_err(), "a name is changed in the network form (it is unique)");
    let invalid = store.change_network(&ctx(), id, |n| {
        n.milestones.project_plans.push(sidw::domain::ProjectPlan {
            name: "Achterstevoren".into(),
            start: date(2025, 6, 1),
            end: date(2025, 5, 1),
        });
        Ok(())
    });
    assert!(invalid.is_err());
    assert_eq!(store.network(id).unwrap(), after, "nothing written by a refused change");
}
