//! Authority in the store (issue 16): whichever path asks (screen, command line, exec, import),
//! the store refuses what the change's role and regions do not allow, and writes nothing, not
//! even in the audit log. The tests call the store directly with each role and scope.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use rust_decimal_macros::dec;

use sidw::domain::{
    Access, Agreement, AgreementId, AgreementKind, Invoice, InvoiceDecision, InvoiceId, NetworkId, Participant,
    ParticipantId, ParticipantKind, Partner, PartnerId, Quarter, Region, Role, Scope, TariffTable, YearMonth,
};
use sidw::store::{CellChange, ChangeContext, Store, StoreError};

/// The demo, loaded once and copied into each test's own store (loading it is the slow part).
fn demo_store() -> Store {
    static DEMO: std::sync::OnceLock<sidw::store::backup_file::Dump> = std::sync::OnceLock::new();
    let dump = DEMO.get_or_init(|| {
        let store = Store::temporary().unwrap();
        sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
        store.dump().unwrap()
    });
    let store = Store::temporary().unwrap();
    store.load_dump(dump).unwrap();
    store
}

fn as_user(role: Role, scope: Scope) -> ChangeContext {
    ctx().with_access(Access::new(role, scope))
}

fn everywhere(role: Role) -> ChangeContext {
    as_user(role, Scope::All)
}

fn regions(text: &str) -> Scope {
    Scope::parse(text).unwrap()
}

fn id(store: &Store, name: &str) -> NetworkId {
    store.network_by_name(name).unwrap().unwrap().id
}

fn q1() -> Quarter {
    Quarter::parse("2025-Q1").unwrap()
}

/// A partner of the network with a signed agreement (the demo's fysiotherapist).
fn fysio(store: &Store, network: NetworkId) -> Partner {
    store.partners(network).unwrap().into_iter().find(|p| p.name.starts_with("Fysio")).unwrap()
}

/// The refusal of a network outside the user's regions: as if it did not exist, and nothing of
/// it (name, region) told.
fn unseen(error: &StoreError, network: NetworkId) -> bool {
    matches!(error, StoreError::NotFound(_)) && error.to_string() == format!("netwerk {network} bestaat niet (meer)")
}

fn hours(store: &Store, network: NetworkId, month: u32) -> sidw::store::NewHours {
    new_hours(network, fysio(store, network).id, month, dec!(1))
}

fn invoice(store: &Store, network: NetworkId, number: &str) -> Invoice {
    Invoice {
        id: InvoiceId(0),
        network,
        partner: fysio(store, network).id,
        quarter: Quarter::parse("2025-Q4").unwrap(),
        number: number.into(),
        date: date(2025, 10, 10),
        amount: dec!(50),
        received: Some(date(2025, 10, 11)),
        decision: InvoiceDecision::Open,
    }
}

/// The store as the test sees it: how many changes and log entries, to prove a refusal wrote
/// nothing.
fn written(store: &Store) -> (u64, usize) {
    (store.generation(), store.audit_log().unwrap().len())
}

type Setup = fn(&Store) -> u64;
type Change = fn(&Store, &ChangeContext, u64) -> Result<(), StoreError>;

fn nothing(_: &Store) -> u64 {
    0
}

/// Zwolle-Zuid's first quarter closed with full access: the batch id.
fn closed_q1(store: &Store) -> u64 {
    store.close_quarter(&ctx(), &[id(store, "Zwolle-Zuid")], q1(), &[]).unwrap().id
}

/// Every write API, the least role that may use it, what it needs in place first (with full
/// access), and the change (all in Zwolle-Zuid, region Zwolle).
fn write_apis() -> Vec<(&'static str, Role, Setup, Change)> {
    vec![
        ("create_network", Role::Editor, nothing, |s, c, _| {
            s.create_network(c, &draft_network("Zwolle-Noord")).map(|_| ())
        }),
        ("update_network", Role::Editor, nothing, |s, c, _| {
            let mut n = s.network(id(s, "Zwolle-Zuid")).unwrap();
            n.district_manager = "Jan Wijk".into();
            s.update_network(c, &n).map(|_| ())
        }),
        ("change_network", Role::Editor, nothing, |s, c, _| {
            s.change_network(c, id(s, "Zwolle-Zuid"), |n| {
                n.district_manager = "Piet Wijk".into();
                Ok(())
            })
            .map(|_| ())
        }),
        ("save_practice_team", Role::Editor, nothing, |s, c, _| {
            let team = s.practice_team(id(s, "Zwolle-Zuid")).unwrap();
            s.save_practice_team(c, &team).map(|_| ())
        }),
        ("add_partner", Role::Editor, nothing, |s, c, _| {
            let mut p = fysio(s, id(s, "Zwolle-Zuid"));
            p.id = PartnerId(0);
            p.name = "Diëtist Zuid".into();
            s.add_partner(c, &p).map(|_| ())
        }),
        ("update_partner", Role::Editor, nothing, |s, c, _| {
            let mut p = fysio(s, id(s, "Zwolle-Zuid"));
            p.email = "fysio@example.nl".into();
            s.update_partner(c, &p)
        }),
        ("add_participant", Role::Editor, nothing, |s, c, _| {
            let participant = Participant {
                id: ParticipantId(0),
                network: id(s, "Zwolle-Zuid"),
                name: "Wijkteam Zuid".into(),
                kind: ParticipantKind::SociaalDomein,
                contact: String::new(),
            };
            s.add_participant(c, &participant).map(|_| ())
        }),
        ("add_agreement", Role::Editor, nothing, |s, c, _| {
            let network = id(s, "Zwolle-Zuid");
            let agreement = Agreement {
                id: AgreementId(0),
                network,
                kind: AgreementKind::Partner,
                partner: Some(fysio(s, network).id),
                sent: Some(date(2025, 9, 1)),
                signed: None,
                ended: None,
            };
            s.add_agreement(c, &agreement).map(|_| ())
        }),
        ("update_agreement", Role::Editor, nothing, |s, c, _| {
            let agreement = s.agreements(id(s, "Zwolle-Zuid")).unwrap().remove(0);
            s.update_agreement(c, &agreement)
        }),
        ("add_hours", Role::Editor, nothing, |s, c, _| s.add_hours(c, &hours(s, id(s, "Zwolle-Zuid"), 10)).map(|_| ())),
        ("import_hours", Role::Editor, nothing, |s, c, _| {
            let network = id(s, "Zwolle-Zuid");
            s.import_hours(c, &[hours(s, network, 10), hours(s, network, 11)]).map(|_| ())
        }),
        ("update_hours", Role::Editor, added_line, |s, c, line| {
            let mut entry = s.hours_entry(sidw::domain::HoursEntryId(line)).unwrap();
            entry.activity = "overleg".into();
            s.update_hours(c, &entry)
        }),
        ("delete_hours", Role::Editor, added_line, |s, c, line| s.delete_hours(c, sidw::domain::HoursEntryId(line))),
        ("set_cell", Role::Editor, nothing, |s, c, _| {
            let network = id(s, "Zwolle-Zuid");
            let change = CellChange {
                network,
                partner: fysio(s, network).id,
                month: YearMonth::new(2025, 11).unwrap(),
                hours: Some(dec!(2)),
                by_team_increase: false,
                double_funding_confirmed: false,
            };
            s.set_cell(c, &change).map(|_| ())
        }),
        ("mark_nihil", Role::Editor, nothing, |s, c, _| {
            let network = id(s, "Zwolle-Zuid");
            s.mark_nihil(c, network, fysio(s, network).id, YearMonth::new(2025, 12).unwrap()).map(|_| ())
        }),
        ("add_invoice", Role::Editor, nothing, |s, c, _| {
            s.add_invoice(c, &invoice(s, id(s, "Zwolle-Zuid"), "F-1")).map(|_| ())
        }),
        ("decide_invoice", Role::Editor, added_invoice, |s, c, invoice| {
            s.decide_invoice(c, id(s, "Zwolle-Zuid"), InvoiceId(invoice), false, "geen uren").map(|_| ())
        }),
        ("delete_invoice", Role::Editor, added_invoice, |s, c, invoice| {
            s.delete_invoice(c, id(s, "Zwolle-Zuid"), InvoiceId(invoice))
        }),
        ("save_municipal_year", Role::Editor, nothing, |s, c, _| {
            let record = s.municipal_year("Zwolle", 2025).unwrap().unwrap();
            s.save_municipal_year(c, &record)
        }),
        ("record_event", Role::Editor, nothing, |s, c, _| s.record_event(c, "notitie", "Zwolle-Zuid", "gebeld")),
        ("close_quarter", Role::Finance, nothing, |s, c, _| {
            s.close_quarter(c, &[id(s, "Zwolle-Zuid")], q1(), &[]).map(|_| ())
        }),
        ("reopen_quarter", Role::Finance, closed_q1, |s, c, _| {
            s.reopen_quarter(c, id(s, "Zwolle-Zuid"), q1(), "factuur verkeerd")
        }),
        ("record_export", Role::Finance, closed_q1, |s, c, batch| {
            s.record_export(c, &s.batch(batch).unwrap(), "csv → a.csv").map(|_| ())
        }),
        ("save_payment_settings", Role::Finance, nothing, |s, c, _| {
            s.save_payment_settings(c, &s.payment_settings().unwrap().unwrap())
        }),
        ("save_tariffs", Role::Admin, nothing, |s, c, _| s.save_tariffs(c, &TariffTable::handbook_2025())),
        ("save_s1_rate", Role::Admin, nothing, |s, c, _| {
            let rate = s.s1_rate(2025).unwrap().unwrap();
            s.save_s1_rate(c, &rate)
        }),
    ]
}

fn added_line(store: &Store) -> u64 {
    let network = id(store, "Zwolle-Zuid");
    store.add_hours(&ctx(), &hours(store, network, 12)).unwrap().id.0
}

fn added_invoice(store: &Store) -> u64 {
    store.add_invoice(&ctx(), &invoice(store, id(store, "Zwolle-Zuid"), "F-9")).unwrap().id.0
}

#[test]
fn every_write_api_asks_its_least_role_and_a_refusal_writes_nothing() {
    let roles = [Role::Viewer, Role::Editor, Role::Finance, Role::Admin];
    let mut failures = Vec::new();
    for (name, least, setup, change) in write_apis() {
        for role in roles {
            let store = demo_store();
            let arg = setup(&store);
            let before = written(&store);
            let result = change(&store, &everywhere(role), arg);
            match (role >= least, result) {
                (true, Ok(())) => assert!(written(&store).1 > before.1, "{name} as {}: no audit entry", role.name()),
                (false, Err(error)) if matches!(error.root(), StoreError::Denied(_)) => {
                    let text = error.to_string();
                    assert!(text.contains(&format!("u bent {}", role.name())), "{name}: {text}");
                    assert!(text.contains(&format!("vraagt de rol {}", least.name())), "{name}: {text}");
                    assert_eq!(written(&store), before, "{name} as {}: a refusal wrote something", role.name());
                }
                (allowed, result) => {
                    failures.push(format!("{name} as {} (allowed {allowed}): {result:?}", role.name()))
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_viewer_still_remembers_where_it_looked() {
    let store = demo_store();
    let preference =
        sidw::store::records::UserPreference { network: Some(id(&store, "Zwolle-Zuid")), quarter: Some(q1()) };
    store.remember_preference("vera", &preference).unwrap();
    assert_eq!(store.user_preference("vera"), Some(preference));
}

#[test]
fn an_editor_of_zwolle_changes_zwolle_and_not_flevoland() {
    let store = demo_store();
    let zwolle = as_user(Role::Editor, regions("Zwolle"));
    let zuid = id(&store, "Zwolle-Zuid");
    let almere = id(&store, "Almere Haven");

    store.add_hours(&zwolle, &hours(&store, zuid, 10)).unwrap();
    let before = written(&store);
    let error = store.add_hours(&zwolle, &hours(&store, almere, 10)).unwrap_err();
    // Nothing of the network is told (issue 16): the same words as for a network that does not exist.
    assert!(unseen(&error, almere), "{error:?}");
    let nowhere = NetworkId(almere.0 + 1000);
    let mut stray = hours(&store, zuid, 10);
    stray.network = nowhere;
    let missing = store.add_hours(&zwolle, &stray).unwrap_err();
    assert_eq!(
        missing.to_string().replace(&nowhere.to_string(), "N"),
        error.to_string().replace(&almere.to_string(), "N")
    );
    assert_eq!(written(&store), before);

    // Both sides for a partner, an invoice and a network's own record.
    let mut partner = fysio(&store, almere);
    partner.email = "x@example.nl".into();
    assert!(unseen(&store.update_partner(&zwolle, &partner).unwrap_err(), almere));
    let mut partner = fysio(&store, zuid);
    partner.email = "x@example.nl".into();
    store.update_partner(&zwolle, &partner).unwrap();
    assert!(unseen(&store.add_invoice(&zwolle, &invoice(&store, almere, "A-1")).unwrap_err(), almere));
    store.add_invoice(&zwolle, &invoice(&store, zuid, "Z-1")).unwrap();

    // Creating a network needs its region.
    let flevo = sidw::domain::Network::draft("Lelystad-Oost", Region::Flevoland, "Lelystad", Some(date(2025, 1, 1)));
    let error = store.create_network(&zwolle, &flevo).unwrap_err();
    assert!(error.to_string().contains("Lelystad-Oost ligt in Flevoland"), "{error}");
    assert!(store.network_by_name("Lelystad-Oost").unwrap().is_none());
    store.create_network(&zwolle, &draft_network("Zwolle-Noord")).unwrap();

    // Hardenberg too is outside; with both regions it is in.
    let both = as_user(Role::Editor, regions("Zwolle,Flevoland"));
    store.add_hours(&both, &hours(&store, almere, 10)).unwrap();
    store.create_network(&both, &flevo).unwrap();
}

#[test]
fn moving_a_network_needs_the_region_it_leaves_and_the_one_it_goes_to() {
    let store = demo_store();
    let zuid = id(&store, "Zwolle-Zuid");
    let moved = |store: &Store, ctx: &ChangeContext, network: NetworkId, to: Region| {
        store.change_network(ctx, network, |n| {
            n.region = to;
            Ok(())
        })
    };
    let before = written(&store);
    let zwolle = as_user(Role::Editor, regions("Zwolle"));
    let error = moved(&store, &zwolle, zuid, Region::Flevoland).unwrap_err();
    assert_eq!(
        error.to_string(),
        "geweigerd: u bent editor voor Zwolle; Zwolle-Zuid komt dan in Flevoland te liggen. Er is niets vastgelegd"
    );
    let flevoland = as_user(Role::Editor, regions("Flevoland"));
    let error = moved(&store, &flevoland, zuid, Region::Flevoland).unwrap_err();
    assert!(unseen(&error, zuid), "{error}");
    assert_eq!(written(&store), before);
    assert_eq!(store.network(zuid).unwrap().region, Region::Zwolle);

    let both = as_user(Role::Editor, regions("Flevoland, Zwolle"));
    moved(&store, &both, zuid, Region::Flevoland).unwrap();
    assert_eq!(store.network(zuid).unwrap().region, Region::Flevoland);
    // Now it lies in Flevoland: Zwolle's editor can no longer change it, nor move it back.
    assert!(unseen(&moved(&store, &zwolle, zuid, Region::Zwolle).unwrap_err(), zuid));
}

#[test]
fn an_import_with_one_line_outside_the_regions_stores_nothing() {
    let store = demo_store();
    let zuid = id(&store, "Zwolle-Zuid");
    let almere = id(&store, "Almere Haven");
    let zwolle = as_user(Role::Editor, regions("Zwolle"));
    let lines_before = (store.hours_of(zuid, 2025).unwrap().len(), store.hours_of(almere, 2025).unwrap().len());
    let before = written(&store);
    let lines = [hours(&store, zuid, 10), hours(&store, zuid, 11), hours(&store, almere, 10)];
    let error = store.import_hours(&zwolle, &lines).unwrap_err();
    assert!(unseen(error.root(), almere), "{error:?}");
    assert!(store.try_import_hours_and_nihil(&zwolle, &lines, &[]).is_err(), "the trial run says the same");
    assert_eq!(written(&store), before);
    assert_eq!((store.hours_of(zuid, 2025).unwrap().len(), store.hours_of(almere, 2025).unwrap().len()), lines_before);
    // The same import without the Flevoland line goes in whole.
    assert_eq!(store.import_hours(&zwolle, &lines[..2]).unwrap().len(), 2);
    assert_eq!(store.hours_of(zuid, 2025).unwrap().len(), lines_before.0 + 2);
}

#[test]
fn finance_closes_and_writes_payment_files_of_its_own_regions_only() {
    let store = demo_store();
    let zuid = id(&store, "Zwolle-Zuid");
    let almere = id(&store, "Almere Haven");
    let finance_flevoland = as_user(Role::Finance, regions("Flevoland"));
    let before = written(&store);
    let error = store.close_quarter(&finance_flevoland, &[zuid], q1(), &[]).unwrap_err();
    assert!(unseen(&error, zuid), "{error}");
    assert_eq!(written(&store), before);
    assert!(store.quarter_close(zuid, q1()).unwrap().is_none());

    let finance_zwolle = as_user(Role::Finance, regions("Zwolle"));
    let batch = store.close_quarter(&finance_zwolle, &[zuid], q1(), &[]).unwrap();
    // The batch lies in Zwolle: its payment file and reopening are Zwolle's.
    let error = store.record_export(&finance_flevoland, &batch, "csv").unwrap_err();
    assert_eq!(error.to_string(), format!("betaalbatch {} bestaat niet (meer)", batch.number));
    assert!(unseen(&store.reopen_quarter(&finance_flevoland, zuid, q1(), "fout").unwrap_err(), zuid));
    store.record_export(&finance_zwolle, &batch, "csv").unwrap();
    store.reopen_quarter(&finance_zwolle, zuid, q1(), "fout").unwrap();
    let _ = almere;
}

#[test]
fn programme_wide_items_need_every_region() {
    let store = demo_store();
    let before = written(&store);
    let admin_zwolle = as_user(Role::Admin, regions("Zwolle"));
    let error = store.save_tariffs(&admin_zwolle, &TariffTable::handbook_2025()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "geweigerd: u bent admin voor Zwolle; tarieven wijzigen geldt voor het hele programma en vraagt alle \
         regio's. Er is niets vastgelegd"
    );
    let rate = store.s1_rate(2025).unwrap().unwrap();
    assert!(matches!(store.save_s1_rate(&admin_zwolle, &rate), Err(StoreError::Denied(_))));
    let settings = store.payment_settings().unwrap().unwrap();
    let finance_zwolle = as_user(Role::Finance, regions("Zwolle"));
    assert!(matches!(store.save_payment_settings(&finance_zwolle, &settings), Err(StoreError::Denied(_))));
    assert_eq!(written(&store), before);
    store.save_tariffs(&everywhere(Role::Admin), &TariffTable::handbook_2025()).unwrap();
    store.save_payment_settings(&everywhere(Role::Finance), &settings).unwrap();
}

#[test]
fn municipal_data_is_changed_where_the_editors_networks_lie() {
    let store = demo_store();
    let zwolle = as_user(Role::Editor, regions("Zwolle"));
    let record = store.municipal_year("Zwolle", 2025).unwrap().unwrap();
    store.save_municipal_year(&zwolle, &record).unwrap();
    let almere = store.municipal_year("Almere", 2025).unwrap().unwrap();
    let error = store.save_municipal_year(&zwolle, &almere).unwrap_err();
    assert!(error.to_string().contains("de gemeente Almere ligt niet in uw regio's"), "{error}");
    assert!(matches!(store.delete_municipal_year(&zwolle, "Almere", 2025), Err(StoreError::Denied(_))));
    // The municipality's record decides, network or not: Urk is Flevoland's, Amsterdam nobody's
    // (only for whoever has every region).
    let empty = sidw::domain::municipality::MunicipalYear::new("Urk", 2025);
    assert!(matches!(store.save_municipal_year(&zwolle, &empty), Err(StoreError::Denied(_))));
    store.save_municipal_year(&as_user(Role::Editor, regions("Flevoland")), &empty).unwrap();
    let amsterdam = sidw::domain::municipality::MunicipalYear::new("Amsterdam", 2025);
    assert!(matches!(store.save_municipal_year(&zwolle, &amsterdam), Err(StoreError::Denied(_))));
    store.save_municipal_year(&everywhere(Role::Editor), &amsterdam).unwrap();
    store.delete_municipal_year(&as_user(Role::Editor, regions("Flevoland")), "Almere", 2025).unwrap();
}

// ---- On the screen: the lists hold the user's regions; `:wie` and the footer for admins. ----

fn clock() -> sidw::app::Clock {
    std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap())
}

fn app_for(user: &str, access: Access) -> sidw::app::App {
    sidw::app::App::with_access(demo_store(), user, access, clock())
}

fn said(app: &sidw::app::App) -> String {
    app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn a_zwolle_editor_sees_only_zwolle_on_every_list() {
    let mut app = app_for("anna", Access::new(Role::Editor, regions("Zwolle")));
    let networks = screen_text(&app, 120, 30);
    contains_all(&networks, &["Zwolle-Zuid", "anna · editor · Zwolle"]);
    assert!(!networks.contains("Almere Haven") && !networks.contains("Hardenberg"), "{networks}");
    // Everyone with every region sees the three regions' networks.
    let all = screen_text(&app_for("ad", Access::full()), 120, 30);
    contains_all(&all, &["Zwolle-Zuid", "Almere Haven"]);

    press(&mut app, "2");
    let agreements = screen_text(&app, 120, 30);
    assert!(agreements.contains("Zwolle-Zuid") && !agreements.contains("Almere"), "{agreements}");
    press(&mut app, "4");
    let signals = screen_text(&app, 160, 40);
    assert!(!signals.contains("Almere") && !signals.contains("programma"), "{signals}");
    let flevoland = app.signals.rows().iter().filter(|s| s.region == Some(Region::Flevoland)).count();
    assert!(flevoland > 0, "the shared list has Flevoland's signals; the pane shows none of them");
    assert!(app.signals.visible().iter().all(|i| app.signals.rows()[*i].region == Some(Region::Zwolle)));
    press(&mut app, "7");
    let municipalities = screen_text(&app, 120, 30);
    assert!(municipalities.contains("Zwolle") && !municipalities.contains("Almere"), "{municipalities}");
    press(&mut app, "6");
    assert_eq!(app.pane, sidw::app::Pane::Municipalities, "the Logboek is not opened");
    assert!(said(&app).contains("Het logboek beslaat alle regio's; u werkt in Zwolle"), "{}", said(&app));
    press(&mut app, ":jaarverslag 2025<Enter>");
    let year = screen_text(&app, 160, 40);
    assert!(year.contains("totaal Zwolle") && !year.contains("Almere") && !year.contains("Flevoland"), "{year}");
    press(&mut app, "<Esc>:netwerk Almere Haven<Enter>");
    assert_eq!(said(&app), "Geen netwerk 'Almere Haven'.");
}

#[test]
fn the_screens_changes_carry_the_users_access_to_the_store() {
    // An admin of Zwolle only: the key table lets an admin edit tariffs, the store does not.
    let mut app = app_for("ad", Access::new(Role::Admin, regions("Zwolle")));
    let entries = app.store().audit_log().unwrap().len();
    press(&mut app, "5e<Enter>");
    // The refusal is said in the form, which stays open.
    assert!(matches!(app.mode, sidw::app::Mode::Form(..)));
    let screen = screen_text(&app, 120, 30);
    contains_all(&screen, &["geweigerd: u bent admin voor Zwolle; tarieven wijzigen geldt voor het hel"]);
    assert_eq!(app.store().audit_log().unwrap().len(), entries);
    press(&mut app, "<Esc>j:gebruikers<Enter>");
    assert_eq!(said(&app), "Gebruikers beheert alleen een admin met alle regio's; u werkt in Zwolle.");
    // A network of the user's region is saved as before.
    let mut app = app_for("anna", Access::new(Role::Editor, regions("Zwolle")));
    press(&mut app, "1e<Enter>");
    assert_eq!(app.store().audit_log().unwrap()[0].user, "anna", "{}", said(&app));
}

#[test]
fn other_regions_in_the_users_file_reach_an_open_screen() {
    let mut app = app_for("anna", Access::new(Role::Editor, regions("Zwolle")));
    assert!(!screen_text(&app, 120, 30).contains("Almere Haven"));
    app.change_access(Access::new(Role::Editor, regions("Zwolle,Flevoland")));
    let screen = screen_text(&app, 120, 30);
    contains_all(&screen, &["Almere Haven", "Zwolle-Zuid", "editor · Zwolle, Flevoland"]);
    assert!(said(&app).contains("Uw rol is nu editor voor Zwolle, Flevoland"), "{}", said(&app));
    app.change_access(Access::new(Role::Viewer, regions("Flevoland")));
    let screen = screen_text(&app, 120, 30);
    assert!(screen.contains("Almere Haven") && !screen.contains("Zwolle-Zuid"), "{screen}");
}

#[test]
fn wie_lists_who_is_logged_in_for_an_admin_and_the_footer_counts_them() {
    let online = sidw::serve::session::OnlineList::default();
    let anna = online.enter("anna", &Access::new(Role::Editor, regions("Zwolle,Hardenberg")));
    let _ad = online.enter("ad", &Access::full());
    let _anna_again = online.enter("anna", &Access::new(Role::Editor, regions("Zwolle,Hardenberg")));
    let mut admin = app_for("ad", Access::full()).with_online(std::sync::Arc::new(online.clone()));
    contains_all(&screen_text(&admin, 120, 30), &["ad · admin · 2 ingelogd"]);
    press(&mut admin, ":wie<Enter>");
    let screen = screen_text(&admin, 120, 30);
    contains_all(
        &screen,
        &[
            "Ingelogd: 2 gebruikers",
            "ad · admin · alle regio's · sinds ",
            "anna · editor · Zwolle, Hardenberg · sinds ",
        ],
    );
    assert!(screen.contains("(2 schermen)"), "{screen}");
    press(&mut admin, "<Esc>");
    assert!(!screen_text(&admin, 120, 30).contains("Ingelogd:"));
    // A screen that closes leaves the list.
    drop(anna);
    drop(_anna_again);
    contains_all(&screen_text(&admin, 120, 30), &["ad · admin · 1 ingelogd"]);

    // Anyone else: no count in the footer, and a refusal.
    let mut editor = app_for("anna", Access::new(Role::Editor, Scope::All)).with_online(std::sync::Arc::new(online));
    let footer = screen_text(&editor, 120, 30);
    assert!(footer.contains("anna · editor") && !footer.contains("ingelogd"), "{footer}");
    press(&mut editor, ":wie<Enter>");
    assert!(said(&editor).contains("Dat mag uw rol (editor) niet"), "{}", said(&editor));
    // Locally (no server) nobody else is logged in.
    let mut local = app_for("ad", Access::full());
    press(&mut local, ":wie<Enter>");
    assert!(said(&local).starts_with("Niemand anders is ingelogd"), "{}", said(&local));
}

#[test]
fn an_hours_form_names_the_rows_outside_the_users_regions_and_its_import_is_refused_whole() {
    let store = demo_store();
    let zuid = fysio(&store, id(&store, "Zwolle-Zuid")).name;
    let almere = fysio(&store, id(&store, "Almere Haven")).name;
    let csv = format!(
        "netwerk;partner;maand;uren\nZwolle-Zuid;{zuid};2025-10;1\nAlmere Haven;{almere};2025-10;1\nZwolle-Zuid;{zuid};2025-11;1\n"
    );
    let table = sidw::import::table::Table::from_csv_bytes(csv.as_bytes()).unwrap();
    let zwolle = regions("Zwolle");
    let editor = sidw::domain::Access::new(Role::Editor, zwolle.clone());
    let scoped = sidw::import::hours::plan_in(&store, &table, None, &editor).unwrap();
    // The row is named by its number; the network as one that does not exist (issue 16).
    assert_eq!(scoped.problems, vec![(3, "onbekend netwerk 'Almere Haven'".to_string())]);
    // The trial run asks the store with the user's own role: a viewer's plan of a good form is refused.
    let good = sidw::import::table::Table::from_csv_bytes(
        format!("netwerk;partner;maand;uren\nZwolle-Zuid;{zuid};2025-10;1\n").as_bytes(),
    )
    .unwrap();
    assert!(sidw::import::hours::plan_in(&store, &good, None, &editor).unwrap().is_ok());
    let viewer = sidw::domain::Access::new(Role::Viewer, sidw::domain::Scope::All);
    let refused = sidw::import::hours::plan_in(&store, &good, None, &viewer).unwrap();
    assert!(
        refused.problems.iter().any(|(_, problem)| problem.contains("viewer")),
        "the viewer's trial run is refused: {:?}",
        refused.problems
    );
    let whole = sidw::import::hours::plan(&store, &table, None).unwrap();
    assert!(whole.is_ok(), "{:?}", whole.problems);
    // A plan made without the scope (as a path that forgets it would) is still refused whole.
    let before = written(&store);
    let error = sidw::import::hours::apply(&store, &as_user(Role::Editor, zwolle), &whole).unwrap_err();
    let almere = id(&store, "Almere Haven");
    assert!(error.to_string().contains(&format!("netwerk {almere} bestaat niet (meer)")), "{error}");
    assert_eq!(written(&store), before);
    assert_eq!(
        sidw::import::hours::apply(&store, &as_user(Role::Editor, regions("Zwolle,Flevoland")), &whole).unwrap(),
        3
    );
}
