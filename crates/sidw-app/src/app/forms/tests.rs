//! Every form kind builds, and every field of every form is a variant of its form's enum.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use super::{AgreementDate, FormKind};
use crate::app::App;
use crate::app::form::FieldKey;
use crate::domain::milestones::MilestoneKind;
use crate::domain::{Discipline, NetworkId, ProjectPlan, Quarter, YearMonth};
use crate::store::{ChangeContext, Store};

/// An app over the demo data, on 15-10-2025.
fn demo_app() -> App {
    let at = Utc.with_ymd_and_hms(2025, 10, 15, 9, 0, 0).unwrap();
    let store = Store::temporary().unwrap();
    crate::demo::load(&store, &ChangeContext::new("test", at), at.date_naive()).unwrap();
    App::new(store, "test", Arc::new(move || at))
}

/// The number of a kind, from a `match` that names every kind: a new kind does not compile
/// here until it is added to [`every_kind`] too.
fn number(kind: &FormKind) -> usize {
    match kind {
        FormKind::Network(_) => 0,
        FormKind::CoreTeam(_) => 1,
        FormKind::Practice(..) => 2,
        FormKind::IonCount(..) => 3,
        FormKind::Shares(..) => 4,
        FormKind::Partner(..) => 5,
        FormKind::Participant(..) => 6,
        FormKind::NewAgreement(_) => 7,
        FormKind::AgreementDate(..) => 8,
        FormKind::Tariffs(_) => 9,
        FormKind::HoursLine { .. } => 10,
        FormKind::Invoice { .. } => 11,
        FormKind::InvoiceDecision { .. } => 12,
        FormKind::Correction { .. } => 13,
        FormKind::Reopen { .. } => 14,
        FormKind::AddUser => 15,
        FormKind::MilestoneDate(..) => 16,
        FormKind::ProjectPlan(..) => 17,
        FormKind::MunicipalYear(..) => 18,
        FormKind::S1Rate(_) => 19,
        FormKind::MailTemplate(_) => 20,
        FormKind::MailSender(_) => 21,
        FormKind::AddMunicipality => 22,
        FormKind::MergeMunicipalities => 23,
    }
}
const KINDS: usize = 24;

/// Every kind of form, each new and of a record of the demo, and each variant that changes
/// the fields (a pharmacy's hours, the start of funding, a new tariff year, …).
fn every_kind(app: &App) -> Vec<FormKind> {
    let store = app.store();
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap();
    let id = network.id;
    let team = store.practice_team(id).unwrap();
    let practice = team.practices[0].clone();
    let partners = store.partners(id).unwrap();
    let pharmacy = partners.iter().find(|p| p.discipline == Discipline::Apotheek).unwrap().id;
    let physio = partners.iter().find(|p| !p.discipline.risks_double_funding()).unwrap().id;
    let participant = store.participants(id).unwrap()[0].id;
    let agreement = store.agreements(id).unwrap()[0].id;
    let lines = store.hours_of(id, 2025).unwrap();
    let line = lines.first().unwrap().clone();
    let invoice = invoice_of(app, id);
    let month = YearMonth::of_date(NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
    let quarter = Quarter::of_date(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    let plan = ProjectPlan {
        name: "Valpreventie".into(),
        start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
    };
    vec![
        FormKind::Network(None),
        FormKind::Network(Some(id)),
        FormKind::CoreTeam(id),
        FormKind::Practice(id, None),
        FormKind::Practice(id, Some(practice.id)),
        FormKind::IonCount(id, practice.id),
        FormKind::Shares(id, None),
        FormKind::Shares(id, Some(Box::new(practice))),
        FormKind::Partner(id, None),
        FormKind::Partner(id, Some(physio)),
        FormKind::Participant(id, None),
        FormKind::Participant(id, Some(participant)),
        FormKind::NewAgreement(None),
        FormKind::NewAgreement(Some(id)),
        FormKind::AgreementDate(id, agreement, AgreementDate::Sent),
        FormKind::AgreementDate(id, agreement, AgreementDate::Signed),
        FormKind::AgreementDate(id, agreement, AgreementDate::Ended),
        FormKind::Tariffs(None),
        FormKind::Tariffs(Some(2025)),
        FormKind::HoursLine { network: id, partner: physio, month, line: None },
        FormKind::HoursLine { network: id, partner: pharmacy, month, line: None },
        FormKind::HoursLine { network: line.network, partner: line.partner, month: line.month, line: Some(line.id) },
        FormKind::Invoice { network: id, partner: physio, quarter },
        FormKind::InvoiceDecision { invoice: Box::new(invoice.clone()), approve: true },
        FormKind::InvoiceDecision { invoice: Box::new(invoice), approve: false },
        FormKind::Correction { line: Box::new(line) },
        FormKind::Reopen { network: id, quarter },
        FormKind::AddUser,
        FormKind::MilestoneDate(id, MilestoneKind::Intake),
        FormKind::MilestoneDate(id, MilestoneKind::FundingStart),
        FormKind::MilestoneDate(id, MilestoneKind::ReflectionReport(2025)),
        FormKind::ProjectPlan(id, None),
        FormKind::ProjectPlan(id, Some(Box::new(plan))),
        FormKind::MunicipalYear(None, 2025),
        FormKind::MunicipalYear(Some("Zwolle".into()), 2025),
        FormKind::S1Rate(2025),
        FormKind::MailTemplate(crate::domain::mail::TemplateKind::HoursForm),
        FormKind::MailSender(crate::domain::Region::Zwolle),
        FormKind::AddMunicipality,
        FormKind::MergeMunicipalities,
    ]
}

/// An invoice of the demo (any network, any quarter of 2025).
fn invoice_of(app: &App, id: NetworkId) -> crate::domain::Invoice {
    let store = app.store();
    let networks: Vec<NetworkId> =
        std::iter::once(id).chain(store.networks().unwrap().into_iter().map(|n| n.id)).collect();
    networks
        .iter()
        .flat_map(|n| (1..=4).map(move |q| (*n, Quarter::new(2025, q).unwrap())))
        .find_map(|(n, q)| store.invoices_of(n, q).unwrap().into_iter().next())
        .expect("the demo has an invoice")
}

#[test]
fn every_form_kind_builds_and_every_field_is_addressed_by_its_enum() {
    let app = demo_app();
    let kinds = every_kind(&app);
    let covered: BTreeSet<usize> = kinds.iter().map(number).collect();
    assert_eq!(covered, (0..KINDS).collect(), "every kind of form is tried");
    for kind in &kinds {
        let spec = kind.spec();
        let form = spec.build(&app).unwrap_or_else(|e| panic!("{kind:?} builds: {e}"));
        assert!(!form.fields.is_empty(), "{kind:?} has fields");
        let keys = spec.check_addressable(&form).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(keys.len(), form.fields.len(), "{kind:?}: every field has its variant");
    }
}

#[test]
fn every_variant_of_every_field_enum_is_a_field_of_some_form() {
    let app = demo_app();
    let built: BTreeSet<String> = every_kind(&app)
        .iter()
        .flat_map(|kind| {
            let spec = kind.spec();
            spec.check_addressable(&spec.build(&app).unwrap()).unwrap()
        })
        .map(|key| key.split('(').next().unwrap().to_string())
        .collect();
    let mut declared = BTreeSet::new();
    let mut add = |keys: Vec<String>| declared.extend(keys);
    add(names(super::network::NetworkField::ALL));
    add(names(super::core_team::CoreTeamField::ALL));
    add(names(super::practice::PracticeField::ALL));
    add(names(super::ion::IonField::ALL));
    add(names(&[super::shares::SharesField::From, super::shares::SharesField::Share(0)]));
    add(names(super::partner::PartnerField::ALL));
    add(names(super::participant::ParticipantField::ALL));
    add(names(super::agreement::AgreementField::ALL));
    add(names(super::agreement_date::AgreementDateField::ALL));
    add(names(super::tariffs::TariffsField::ALL));
    add(names(super::hours_line::HoursField::ALL));
    add(names(super::invoice::InvoiceField::ALL));
    add(names(super::decision::DecisionField::ALL));
    add(names(super::correction::CorrectionField::ALL));
    add(names(super::reopen::ReopenField::ALL));
    add(names(super::user::UserField::ALL));
    add(names(super::milestone::MilestoneField::ALL));
    add(names(super::project_plan::ProjectPlanField::ALL));
    add(names(super::municipal::MunicipalField::ALL));
    add(names(super::s1_rate::S1RateField::ALL));
    add(names(super::mail::TemplateField::ALL));
    add(names(super::mail::SenderField::ALL));
    add(names(super::municipality::AddField::ALL));
    add(names(super::municipality::MergeField::ALL));
    assert_eq!(built, declared, "each variant is a field of a form, and each field a variant");
}

fn names<K: FieldKey>(keys: &[K]) -> Vec<String> {
    let ty = std::any::type_name::<K>().rsplit("::").next().unwrap();
    keys.iter().map(|k| format!("{ty}::{k:?}").split('(').next().unwrap().to_string()).collect()
}

#[test]
fn a_form_reads_its_fields_by_variant_and_refuses_at_them() {
    use super::hours_line::HoursField;
    let app = demo_app();
    let kinds = every_kind(&app);
    // The physiotherapist's hours: no field for the € 1,15.
    let kind = kinds.iter().find(|k| matches!(k, FormKind::HoursLine { line: None, .. })).unwrap();
    let mut form = kind.spec().build(&app).unwrap();
    let mut fields = form.typed::<HoursField>();
    assert!(fields.has(HoursField::Hours));
    assert!(!fields.has(HoursField::DoubleFunding), "a physiotherapist has no € 1,15 field");
    assert_eq!(fields.text(HoursField::PaidByPracticeTeam).as_deref(), Some("n"));
    assert_eq!(fields.read(HoursField::Hours, |t| t.parse::<u32>().map_err(|_| "geen getal".to_string())), None);
    fields.refuse(HoursField::DoubleFunding, "bevestig");
    assert_eq!(form.fields[0].error.as_deref(), Some("geen getal"), "at the field read");
    assert_eq!(form.focus, 0);
    assert_eq!(form.error.as_deref(), Some("bevestig"), "a field the form lacks: on the form");
}
