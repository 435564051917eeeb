//! The municipal side (S1 "wijkgericht werken"): budgets and award signals on a test data set, and
//! the Gemeenten pane as a user sees and types in it.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::app::{Mode, Pane};
use sidw::domain::municipality::{AwardStatus, MunicipalYear, S1Rate};
use sidw::domain::signals::SignalTarget;
use sidw::domain::{Network, Region};
use sidw::store::Store;

fn record(municipality: &str, year: i32, insured: u32, award: Option<(AwardStatus, u32)>) -> MunicipalYear {
    let mut r = MunicipalYear::new(municipality, year);
    r.insured_65_plus = Some(insured);
    r.proposed_providers = vec!["Thuiszorg West".into()];
    if let Some((status, day)) = award {
        r.award = status;
        r.award_date = Some(date(year - 1, 10, day));
    }
    r
}

/// Four municipalities of 2026: awarded with agreements, awarded without, waiting, and one with a
/// network but nothing recorded; the S1 rate of 2026.
fn s1_store() -> Store {
    let store = Store::temporary().unwrap();
    store.save_s1_rate(&ctx(), &S1Rate { year: 2026, per_insured_65_plus: dec!(9.50) }).unwrap();
    let mut zwolle = record("Zwolle", 2026, 12_000, Some((AwardStatus::Toegekend, 20)));
    zwolle.cooperation_agreement = Some(date(2025, 9, 1));
    store.save_municipal_year(&ctx(), &zwolle).unwrap();
    store.save_municipal_year(&ctx(), &record("almere", 2026, 20_001, Some((AwardStatus::Toegekend, 27)))).unwrap();
    store.save_municipal_year(&ctx(), &record("Lelystad", 2026, 9_870, None)).unwrap();
    let dronten = Network::draft("Dronten-Midden", Region::Flevoland, "Dronten", Some(date(2025, 4, 1)));
    store.create_network(&ctx(), &dronten).unwrap();
    store
}

#[test]
fn s1_budget_is_rate_times_insured_and_the_names_are_the_reference_spelling() {
    let store = s1_store();
    let rate = store.s1_rate(2026).unwrap();
    let almere = store.municipal_year("ALMERE", 2026).unwrap().expect("found whatever the case");
    assert_eq!(almere.municipality, "Almere");
    assert_eq!(almere.budget(rate.as_ref()), Some(dec!(190009.50)));
    let zwolle = store.municipal_year("Zwolle", 2026).unwrap().unwrap();
    assert_eq!(zwolle.budget(rate.as_ref()), Some(dec!(114000.00)));
    assert_eq!(zwolle.budget(None), None, "no rate, no budget");
    let unknown = MunicipalYear::new("Atlantis", 2026);
    assert!(store.save_municipal_year(&ctx(), &unknown).unwrap_err().to_string().contains("gemeentetabel"));
}

fn s1_signals(store: &Store, today: chrono::NaiveDate) -> Vec<(String, String)> {
    store
        .signals(today)
        .unwrap()
        .into_iter()
        .filter(|s| matches!(s.target, SignalTarget::Municipality(..)))
        .map(|s| (s.subject, s.text))
        .collect()
}

#[test]
fn award_signals_before_and_after_1_november() {
    let store = s1_store();
    let pair = |s: &str, t: &str| (s.to_string(), t.to_string());
    // In 2026: Lelystad never got its 2026 decision, Almere has no agreements, Dronten (a funded
    // network, nothing recorded) has no 2026 award either. 2027 is not due before 1 November.
    let on_31_october = s1_signals(&store, date(2026, 10, 31));
    assert_eq!(
        on_31_october,
        vec![
            pair("gemeente Almere", "S1 2026 toegekend zonder samenwerkingsafspraken (voorwaarde voor toekenning)"),
            pair("gemeente Dronten", "S1-toekenning 2026 niet ontvangen (bericht uiterlijk 01-11-2025)"),
            pair("gemeente Lelystad", "S1-toekenning 2026 niet ontvangen (bericht uiterlijk 01-11-2025)"),
        ]
    );
    // After 1 November the 2027 award is missing where a network runs (Dronten), not elsewhere.
    let on_2_november = s1_signals(&store, date(2026, 11, 2));
    assert!(
        on_2_november
            .contains(&pair("gemeente Dronten", "S1-toekenning 2027 niet ontvangen (bericht uiterlijk 01-11-2026)"))
    );
    assert_eq!(on_2_november.len(), 4);
    // Every S1 signal is overdue and leads to the municipality's year.
    let signals = store.signals(date(2026, 11, 2)).unwrap();
    let dronten = signals.iter().find(|s| s.text.contains("2027")).unwrap();
    assert!(dronten.overdue);
    assert_eq!(dronten.target, SignalTarget::Municipality("Dronten".into(), 2027));
    assert_eq!(dronten.region, Some(Region::Flevoland));
    // Once the agreements are there, Almere's signal is gone.
    let mut almere = store.municipal_year("Almere", 2026).unwrap().unwrap();
    almere.cooperation_agreement = Some(date(2026, 1, 12));
    store.save_municipal_year(&ctx(), &almere).unwrap();
    assert!(s1_signals(&store, date(2026, 10, 31)).iter().all(|(s, _)| s != "gemeente Almere"));
}

#[test]
fn the_gemeenten_pane_at_80_by_24() {
    let mut app = demo_app();
    press(&mut app, "7/Lely<Enter>");
    assert_eq!(app.pane, Pane::Municipalities);
    let text = screen_text(&app, 80, 24);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "1 Netwerken 2 Overeenk. 3 Budget 4 Signalen 5 Tarieven 6 Logboek 7 Gemeenten");
    contains_all(
        &text,
        &[
            "┌ Gemeenten 2025 · S1 € 9,40 per 65+ · totaal € 498.623,00",
            "│Gemeente           65+     S1-budget    Toekenning  Besluit    Afspraken  Netw│",
            "│Lelystad           9.870   € 92.778,00  aangevraagd —          —          1   │",
            "│! S1-toekenning 2025 niet ontvangen (bericht uiterlijk 01-11-2024)",
            "│Voorgedragen wijkverpleging: Zorggroep Almere wijkverpleging, Coloriet thuisz…│",
            "│Lelystad-Atolwijk (aanmelding) — geen wijkverpleging als deelnemer",
            "e bewerk · n gemeente · [ ] jaar · t S1-tarief · / filter · ? meer",
        ],
    );
    press(&mut app, "/<BS><BS><BS><BS><Enter>");
    let text = screen_text(&app, 80, 24);
    contains_all(
        &text,
        &[
            "┌ Gemeenten 2025 · S1 € 9,40 per 65+ · totaal € 498.623,00",
            "│Almere             21.310  € 200.314,00 toegekend   30-10-2024 01-12-2024 1   │",
            "│Hardenberg         7.045   € 66.223,00  toegekend   24-10-2024 19-11-2024 1   │",
            // The list's municipalities of the Medrie regions, with or without S1 data.
            "│Dalfsen            —       —            niets       —          —          0   │",
            "│regio Flevoland · CBS 0034 · ZK-regio Flevoland",
        ],
    );
    press(&mut app, "/zwolle<Enter>");
    let text = screen_text(&app, 80, 24);
    contains_all(&text, &["│Zwolle             14.820  € 139.308,00 toegekend   28-10-2024 10-12-2024 1   │"]);
    press(&mut app, "]");
    assert!(screen_text(&app, 80, 24).contains("Gemeenten 2026 · S1 € 9,65 per 65+"));
}

#[test]
fn recording_an_award_as_a_user_types() {
    let mut app = demo_app();
    press(&mut app, "7/Lely<Enter>e");
    assert!(matches!(app.mode, Mode::Form(..)));
    // 65+ | aanbieders | toekenning | datum besluit | samenwerkingsafspraken
    press(&mut app, &format!("<Tab><Tab>{}toegekend<Enter>", "<BS>".repeat(12)));
    let Mode::Form(form, _) = &app.mode else { panic!("refused: a decision needs its date") };
    assert_eq!(form.fields[3].error.as_deref(), Some("vul de datum van het besluit in"));
    press(&mut app, "29-10-2024<Enter>");
    assert!(matches!(app.mode, Mode::Normal));
    let message = &app.message.as_ref().unwrap().text;
    assert!(message.contains("S1 2025 van Lelystad opgeslagen") && message.contains("zonder samenwerkingsafspraken"));
    let stored = app.store().municipal_year("Lelystad", 2025).unwrap().unwrap();
    assert_eq!((stored.award, stored.award_date), (AwardStatus::Toegekend, Some(date(2024, 10, 29))));
    assert_eq!(stored.insured_65_plus, Some(9_870), "the other fields kept");
    assert!(screen_text(&app, 80, 24).contains("! S1 2025 toegekend zonder samenwerkingsafspraken"));
    press(&mut app, "u");
    let back = app.store().municipal_year("Lelystad", 2025).unwrap().unwrap();
    assert_eq!(back.award, AwardStatus::Aangevraagd, "u undoes it");
}

#[test]
fn a_new_municipality_is_checked_against_the_table() {
    let mut app = demo_app();
    press(&mut app, "7nAtlantis<Tab>12.500<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("refused") };
    assert_eq!(
        form.fields[0].error.as_deref(),
        Some("'Atlantis' staat niet in de gemeentetabel; een beheerder voegt een gemeente toe op Gemeenten")
    );
    press(&mut app, &"<BS>".repeat(8));
    press(&mut app, "dronten<Tab><Tab>Thuiszorg Dronten; Icare<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let stored = app.store().municipal_year("Dronten", 2025).unwrap().unwrap();
    assert_eq!(stored.insured_65_plus, Some(12_500));
    assert_eq!(stored.proposed_providers, vec!["Thuiszorg Dronten".to_string(), "Icare".to_string()]);
    assert_eq!(app.municipalities.selected().unwrap().municipality, "Dronten");
    // Twice the same municipality and year is refused.
    press(&mut app, "nZwolle<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("refused") };
    assert!(
        form.fields[0].error.as_deref().unwrap_or("").contains("Zwolle heeft al S1-gegevens over 2025"),
        "{:?}",
        form.fields[0].error
    );
}

#[test]
fn the_s1_rate_is_set_by_an_admin_only() {
    let mut app = demo_app();
    press(&mut app, "7]t");
    press(&mut app, &format!("{}10,00<Enter>", "<BS>".repeat(6)));
    assert_eq!(app.store().s1_rate(2026).unwrap().unwrap().per_insured_65_plus, dec!(10.00));
    assert!(screen_text(&app, 80, 24).contains("Gemeenten 2026 · S1 € 10,00 per 65+"));

    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut editor = sidw::app::App::with_role(store, "eva", sidw::app::Role::Editor, clock);
    press(&mut editor, "7t");
    assert!(matches!(editor.mode, Mode::Normal));
    assert!(editor.message.as_ref().unwrap().text.contains("admin"));
}

#[test]
fn an_s1_signal_leads_to_the_municipality() {
    let mut app = demo_app();
    press(&mut app, "4/S1-toekenning<Enter><Enter>");
    assert_eq!(app.pane, Pane::Municipalities);
    assert_eq!(app.municipalities.year, 2025);
    assert_eq!(app.municipalities.selected().unwrap().municipality, "Lelystad");
}

#[test]
fn check_reads_the_s1_records_and_finds_one_out_of_place() {
    let store = s1_store();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    let zwolle = store.municipal_year("Zwolle", 2026).unwrap().unwrap();
    let key = sidw::store::keys::municipal_year("Zwolle", 2027);
    store
        .raw_insert_for_tests(sidw::store::keys::TreeName::MunicipalYears, &key, &sidw::store::codec::encode(&zwolle))
        .unwrap();
    let report = store.check().unwrap();
    assert!(
        report.problems.iter().any(|p| p.starts_with("S1 Zwolle 2026 staat onder sleutel")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_restore_keeps_ids_small_although_s1_keys_begin_with_a_name() {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let highest_before = store.networks().unwrap().iter().map(|n| n.id.0).max().unwrap();
    let copy = Store::temporary().unwrap();
    copy.load_dump(&store.dump().unwrap()).unwrap();
    assert_eq!(copy.municipal_years().unwrap(), store.municipal_years().unwrap(), "S1 years restored");
    assert_eq!(copy.s1_rates().unwrap(), store.s1_rates().unwrap());
    let id = copy.create_network(&ctx(), &Network::draft("Urk-Noord", Region::Flevoland, "Urk", None)).unwrap();
    assert!(id.0 > highest_before && id.0 < highest_before + 10_000, "next id {} after {highest_before}", id.0);
}
