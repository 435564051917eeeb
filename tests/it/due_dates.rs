//! Every due-date rule of the programme, each on a fixed `today` on both sides of its boundary,
//! including the month-end cases (sent 31 January → due 28 or 29 February).

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::domain::milestones::{
    MilestoneKind, MilestoneState, accounting_due, duty_years, milestones, six_month_deadline, yearly_due,
};
use sidw::domain::municipality::{award_notice_due, municipal_signals};
use sidw::domain::{
    Agreement, AgreementId, AgreementKind, AgreementState, Discipline, Network, NetworkId, ProjectPlan, Region,
};
use sidw::store::Store;

fn sent_on(sent: chrono::NaiveDate) -> Agreement {
    Agreement {
        id: AgreementId(1),
        network: NetworkId(1),
        kind: AgreementKind::PracticeTeam,
        partner: None,
        sent: Some(sent),
        signed: None,
        ended: None,
    }
}

#[test]
fn an_agreement_is_due_back_signed_one_calendar_month_after_sending() {
    let a = sent_on(date(2025, 1, 31));
    assert_eq!(a.due(), Some(date(2025, 2, 28)), "no 31 February");
    assert_eq!(a.state(date(2025, 2, 28)), AgreementState::Verstuurd, "on the due date it is not late");
    assert_eq!(a.state(date(2025, 3, 1)), AgreementState::TeLaat);
    assert_eq!(a.days_overdue(date(2025, 3, 1)), 1);
    let leap = sent_on(date(2024, 1, 31));
    assert_eq!(leap.due(), Some(date(2024, 2, 29)), "leap year");
    assert_eq!(leap.state(date(2024, 2, 29)), AgreementState::Verstuurd);
    assert_eq!(leap.state(date(2024, 3, 1)), AgreementState::TeLaat);
    assert_eq!(sent_on(date(2025, 3, 31)).due(), Some(date(2025, 4, 30)));
    assert_eq!(sent_on(date(2025, 12, 15)).due(), Some(date(2026, 1, 15)));
}

#[test]
fn meeting_and_wijkplan_are_due_six_calendar_months_after_the_start_of_funding() {
    assert_eq!(six_month_deadline(date(2025, 8, 31)), date(2026, 2, 28));
    assert_eq!(six_month_deadline(date(2023, 8, 31)), date(2024, 2, 29));
    assert_eq!(six_month_deadline(date(2025, 1, 1)), date(2025, 7, 1));
    let n = Network::draft("Urk", Region::Flevoland, "Urk", Some(date(2025, 8, 31)));
    let state =
        |today| milestones(&n, today).into_iter().find(|m| m.kind == MilestoneKind::Wijkplan).map(|m| m.state).unwrap();
    assert_eq!(state(date(2026, 2, 28)), MilestoneState::Open);
    assert_eq!(state(date(2026, 3, 1)), MilestoneState::Overdue);
}

#[test]
fn yearly_duties_are_due_at_the_year_end_and_the_accounting_three_months_later() {
    assert_eq!(yearly_due(2025), date(2025, 12, 31));
    assert_eq!(accounting_due(2025), date(2026, 3, 31));
    let n = Network::draft("Urk", Region::Flevoland, "Urk", Some(date(2024, 6, 30)));
    assert_eq!(duty_years(&n, 2025), vec![2024, 2025], "started before 1 July: 2024 counts");
    let late_start = Network::draft("Urk", Region::Flevoland, "Urk", Some(date(2024, 7, 1)));
    assert_eq!(duty_years(&late_start, 2025), vec![2025], "started in the second half: from the next year");
    let state = |kind, today| milestones(&n, today).into_iter().find(|m| m.kind == kind).map(|m| m.state).unwrap();
    let talk = MilestoneKind::EvaluationTalk(2024);
    assert_eq!(state(talk, date(2024, 12, 31)), MilestoneState::Open);
    assert_eq!(state(talk, date(2025, 1, 1)), MilestoneState::Overdue);
    let accounting = MilestoneKind::FinancialAccounting(2024);
    assert_eq!(state(accounting, date(2025, 3, 31)), MilestoneState::Open);
    assert_eq!(state(accounting, date(2025, 4, 1)), MilestoneState::Overdue);
}

#[test]
fn a_project_plan_of_more_than_one_year_warns() {
    let plan = |start, end| ProjectPlan { name: "Valpreventie".into(), start, end };
    assert!(!plan(date(2024, 3, 1), date(2025, 2, 28)).is_longer_than_a_year());
    assert!(plan(date(2024, 3, 1), date(2025, 3, 1)).is_longer_than_a_year());
    assert!(!plan(date(2024, 2, 29), date(2025, 2, 28)).is_longer_than_a_year(), "from a leap day");
}

#[test]
fn the_s1_award_notice_is_due_on_1_november_of_the_year_before() {
    assert_eq!(award_notice_due(2026), date(2025, 11, 1));
    let funded = vec![("Urk".to_string(), 2026)];
    assert!(municipal_signals(date(2025, 11, 1), &[], &funded).is_empty());
    assert_eq!(municipal_signals(date(2025, 11, 2), &[], &funded).len(), 1);
}

#[test]
fn an_hours_form_is_due_at_the_end_of_the_next_month() {
    let store = Store::temporary().unwrap();
    let id = network_with_ion(&store, "Urk-Centrum", 3000);
    let partner = add_partner(&store, id, "Fysio Urk", Discipline::Fysiotherapeut);
    store
        .add_agreement(
            &ctx(),
            &Agreement {
                id: AgreementId(0),
                network: id,
                kind: AgreementKind::Partner,
                partner: Some(partner),
                sent: Some(date(2024, 12, 1)),
                signed: Some(date(2024, 12, 10)),
                ended: None,
            },
        )
        .unwrap();
    store.add_hours(&ctx(), &new_hours(id, partner, 1, dec!(2))).unwrap();
    // February's form is missing: due 31 March, late from 1 April.
    let february =
        |today| store.signals(today).unwrap().into_iter().find(|s| s.text.starts_with("urenformulier februari 2025"));
    assert_eq!(february(date(2025, 2, 28)), None, "not due before the month is over");
    let on_time = february(date(2025, 3, 31)).unwrap();
    assert_eq!((on_time.due, on_time.overdue), (date(2025, 3, 31), false));
    assert!(february(date(2025, 4, 1)).unwrap().overdue);
}
