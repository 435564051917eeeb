//! Municipalities are data (issue 17): the list seeded from seed 000, Raalte added by an admin, a
//! merger that keeps old records readable, a network's municipality of the network's region on
//! every path, `check` on a network made before the rule, and the S1 rights by the municipality's
//! own region (the "Lokaas" finding).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;

use sidw::app::{Mode, Pane};
use sidw::domain::municipality::MunicipalYear;
use sidw::domain::municipality_list::Municipality;
use sidw::domain::signals::SignalTarget;
use sidw::domain::{Access, Network, Region, Role, Scope};
use sidw::store::keys::TreeName;
use sidw::store::{ChangeContext, Store, StoreError};

fn as_user(role: Role, scope: &str) -> ChangeContext {
    ctx().with_access(Access::new(role, Scope::parse(scope).unwrap()))
}

fn admin() -> ChangeContext {
    ctx().with_access(Access::new(Role::Admin, Scope::All))
}

fn raalte() -> Municipality {
    Municipality::new("Raalte", Some("0177"), &["IJsselvecht"], Some(Region::Zwolle))
}

fn actions(store: &Store) -> Vec<String> {
    store.audit_log().unwrap().into_iter().map(|e| format!("{}: {}", e.action, e.subject)).collect()
}

#[test]
fn raalte_is_refused_before_an_admin_adds_it_and_accepted_after() {
    let store = Store::temporary().unwrap();
    let draft = Network::draft("Raalte-Centrum", Region::Zwolle, "raalte", None);
    let error = store.create_network(&ctx(), &draft).unwrap_err().to_string();
    assert!(error.contains("'raalte' staat niet in de gemeentetabel"), "{error}");
    // Only an admin with every region changes the list; a refusal writes nothing.
    for who in [
        as_user(Role::Editor, "Zwolle"),
        as_user(Role::Admin, "Zwolle"),
        ctx().with_access(Access::new(Role::Editor, Scope::All)),
    ] {
        assert!(matches!(store.add_municipality(&who, &raalte()), Err(StoreError::Denied(_))));
    }
    assert!(store.audit_log().unwrap().is_empty());
    let added = store.add_municipality(&admin(), &raalte()).unwrap();
    assert_eq!((added.name.as_str(), added.cbs_code.as_deref()), ("Raalte", Some("0177")));
    assert_eq!(actions(&store), vec!["gemeente toegevoegd: gemeente Raalte"]);
    let id = store.create_network(&ctx(), &draft).unwrap();
    assert_eq!(store.network(id).unwrap().municipality, "Raalte", "the list's spelling");
    // Once only; and Raalte is Zwolle's, not Hardenberg's.
    assert!(store.add_municipality(&admin(), &raalte()).unwrap_err().to_string().contains("staat al in"));
    let hardenberg = Network::draft("Raalte-Noord", Region::Hardenberg, "Raalte", None);
    let error = store.create_network(&ctx(), &hardenberg).unwrap_err().to_string();
    assert!(error.contains("Raalte hoort bij regio Zwolle, niet bij Hardenberg"), "{error}");
}

#[test]
fn zwolle_with_amsterdam_is_refused_by_the_store_and_at_the_forms_field() {
    let store = Store::temporary().unwrap();
    let amsterdam = Network::draft("Lokaas", Region::Zwolle, "Amsterdam", None);
    let error = store.create_network(&ctx(), &amsterdam).unwrap_err().to_string();
    assert!(error.contains("Amsterdam ligt buiten de Medrie-regio's"), "{error}");
    let almere = Network::draft("Lokaas", Region::Zwolle, "Almere", None);
    let error = store.create_network(&ctx(), &almere).unwrap_err().to_string();
    assert!(error.contains("Almere hoort bij regio Flevoland, niet bij Zwolle"), "{error}");
    // Moving an existing network there, or moving its region away from its municipality.
    let id = store.create_network(&ctx(), &Network::draft("Lokaas", Region::Zwolle, "Kampen", None)).unwrap();
    let stored = store.network(id).unwrap();
    let moved = Network { municipality: "Amsterdam".into(), ..stored.clone() };
    assert!(store.update_network(&ctx(), &moved).unwrap_err().to_string().contains("buiten de Medrie-regio's"));
    let other_region = Network { region: Region::Flevoland, ..stored.clone() };
    assert!(
        store.update_network(&ctx(), &other_region).unwrap_err().to_string().contains("Kampen hoort bij regio Zwolle")
    );
    assert_eq!(store.network(id).unwrap(), stored, "nothing changed");
    assert!(store.check().unwrap().is_ok());

    // On the screen: the error at the Gemeente field, nothing stored; a municipality of the
    // region is accepted.
    let mut app = demo_app();
    let networks = app.store().networks().unwrap().len();
    press(&mut app, "1nLokaas<Tab>Zwolle<Tab>Amsterdam<Tab>8011<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("the form stays open") };
    let error = form.fields.iter().find(|f| f.label == "Gemeente").unwrap().error.clone().unwrap();
    assert!(error.starts_with("Amsterdam ligt buiten de Medrie-regio's"), "{error}");
    assert!(screen_text(&app, 100, 30).contains("Amsterdam ligt buiten de Medrie-regio's"));
    assert_eq!(app.store().networks().unwrap().len(), networks);
    press(&mut app, &format!("{}Almere<Enter>", "<BS>".repeat(9)));
    let Mode::Form(form, _) = &app.mode else { panic!("Almere is Flevoland's") };
    let error = form.fields.iter().find(|f| f.label == "Gemeente").unwrap().error.clone().unwrap();
    assert_eq!(error, "Almere hoort bij regio Flevoland, niet bij Zwolle");
    press(&mut app, &format!("{}staphorst<Enter>", "<BS>".repeat(6)));
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    assert_eq!(app.store().networks().unwrap().len(), networks + 1);
    assert_eq!(app.networks.selected().unwrap().network.municipality, "Staphorst");
}

#[test]
fn a_merger_keeps_old_records_readable_and_their_s1_data_reachable() {
    let store = Store::temporary().unwrap();
    let id =
        store.create_network(&ctx(), &Network::draft("Genemuiden", Region::Zwolle, "Zwartewaterland", None)).unwrap();
    let mut old_year = MunicipalYear::new("Zwartewaterland", 2025);
    old_year.insured_65_plus = Some(4_210);
    store.save_municipal_year(&ctx(), &old_year).unwrap();
    let new = Municipality::new("Zwartewater-Staphorst", None, &["IJsselvecht"], Some(Region::Zwolle));
    store.add_municipality(&admin(), &new).unwrap();
    let old = vec!["Zwartewaterland".to_string(), "staphorst".to_string()];
    // A Zwolle editor may not; an admin of every region may, once.
    assert!(matches!(
        store.merge_municipalities(&as_user(Role::Editor, "Zwolle"), &old, "Zwartewater-Staphorst", date(2026, 1, 1)),
        Err(StoreError::Denied(_))
    ));
    let merged = store.merge_municipalities(&admin(), &old, "zwartewater-staphorst", date(2026, 1, 1)).unwrap();
    assert_eq!(merged.len(), 2);
    let log = actions(&store);
    assert_eq!(log[0], "gemeenten samengevoegd: gemeente Zwartewaterland, Staphorst → Zwartewater-Staphorst");
    assert!(store.merge_municipalities(&admin(), &old, "Zwartewater-Staphorst", date(2026, 1, 1)).is_err(), "once");

    // The network keeps its municipality, stays readable and changeable, and `check` is content.
    let network = store.network(id).unwrap();
    assert_eq!(network.municipality, "Zwartewaterland");
    store.update_network(&ctx(), &Network { district_manager: "Els".into(), ..network }).unwrap();
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    // Its S1 data of before the merger: there, and changeable; the year of the merger belongs to
    // the new municipality.
    assert_eq!(store.municipal_year("Zwartewaterland", 2025).unwrap().unwrap().insured_65_plus, Some(4_210));
    store.save_municipal_year(&ctx(), &old_year).unwrap();
    let error = store.save_municipal_year(&ctx(), &MunicipalYear::new("Zwartewaterland", 2026)).unwrap_err();
    assert!(error.to_string().contains("is per 01-01-2026 opgegaan in Zwartewater-Staphorst"), "{error}");
    store.save_municipal_year(&ctx(), &MunicipalYear::new("Zwartewater-Staphorst", 2026)).unwrap();
    let list = store.municipality_list().unwrap();
    assert_eq!(list.display("zwartewaterland"), "Zwartewaterland (nu Zwartewater-Staphorst)");
    assert_eq!(list.region_of("Staphorst"), Some(Region::Zwolle));
    // The S1 signal of the old municipality's year: named with the new one, in the list's region.
    let signals = store.signals(date(2025, 11, 20)).unwrap();
    let s1 = signals.iter().find(|s| s.target == SignalTarget::Municipality("Zwartewaterland".into(), 2025)).unwrap();
    assert_eq!(s1.subject, "gemeente Zwartewaterland (nu Zwartewater-Staphorst)");
    assert_eq!(s1.region, Some(Region::Zwolle));

    // The Gemeenten pane shows the old name with the new one, and its 2025 data.
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store, "anna", clock);
    press(&mut app, "7/zwartewaterland<Enter>");
    assert_eq!(app.pane, Pane::Municipalities);
    let text = screen_text(&app, 120, 30);
    contains_all(
        &text,
        &[
            "Zwartewaterland (nu Zwartewater-Staphorst)",
            "4.210",
            "regio Zwolle · CBS 1896 · ZK-regio IJsselvecht · per 01-01-2026 opgegaan in Zwartewater-Staphorst",
            "Genemuiden (actief)",
        ],
    );
}

#[test]
fn the_pane_shows_an_admin_the_list_and_a_zwolle_editor_only_zwolles_municipalities() {
    let mut app = demo_app();
    press(&mut app, "7");
    let text = screen_text(&app, 100, 40);
    contains_all(&text, &["│Almere ", "│Hardenberg ", "│Kampen ", "│Zeewolde ", "│Zwolle "]);
    assert!(!text.contains("│Amsterdam "), "outside Medrie, no data: not listed\n{text}");

    // The admin adds Raalte on the screen; then merges two municipalities.
    press(&mut app, "aRaalte<Tab>GM177<Tab>IJsselvecht<Tab>zwolle<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    assert_eq!(app.message.as_ref().unwrap().text, "Gemeente Raalte toegevoegd (regio Zwolle).");
    assert_eq!(app.municipalities.selected().unwrap().municipality, "Raalte");
    assert!(screen_text(&app, 100, 40).contains("regio Zwolle · CBS 0177 · ZK-regio IJsselvecht"));
    press(&mut app, "aRaalte<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("twice is refused") };
    assert_eq!(form.fields[0].error.as_deref(), Some("Raalte staat al in de gemeentetabel"));
    press(&mut app, "<Esc>j");
    press(&mut app, "sUrk<Tab>Zwolle<Tab>01-01-2027<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("a merger across regions is refused") };
    assert_eq!(form.fields[0].error.as_deref(), Some("Urk hoort bij regio Flevoland, Zwolle bij Zwolle"));
    press(&mut app, "<Esc>j");
    press(&mut app, "sBeemster<Tab>Purmerend<Tab>01-01-2022<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    assert!(app.message.as_ref().unwrap().text.starts_with("Beemster per 01-01-2022 opgegaan in Purmerend"));
    assert!(app.store().municipality_list().unwrap().get("Beemster").unwrap().merged_into.is_some());

    // A Zwolle editor: only Zwolle's municipalities, Raalte included; no admin forms.
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let store = app.store().clone();
    let access = Access::new(Role::Editor, Scope::parse("Zwolle").unwrap());
    let mut editor = sidw::app::App::with_access(store, "piet", access, clock);
    press(&mut editor, "7");
    let text = screen_text(&editor, 100, 40);
    contains_all(&text, &["│Dalfsen ", "│Kampen ", "│Raalte ", "│Zwolle ", "Gemeenten 2025"]);
    for other in ["│Almere ", "│Lelystad ", "│Hardenberg ", "│Ommen ", "│Urk "] {
        assert!(!text.contains(other), "{other} is not Zwolle's:\n{text}");
    }
    press(&mut editor, "a");
    assert!(!matches!(editor.mode, Mode::Form(..)), "adding asks the admin role");
}

/// A database made before the rule: a network of Zwolle in Almere ("Lokaas"), put there as an old
/// sidw could. `check` reports it and changes nothing; it gives its editors no right over Almere.
#[test]
fn check_reports_an_old_network_outside_its_region_and_it_gives_no_right_over_that_municipality() {
    let made = Store::temporary().unwrap();
    made.create_network(&ctx(), &Network::draft("Lokaas", Region::Zwolle, "Zwolle", None)).unwrap();
    let mut almere = MunicipalYear::new("Almere", 2025);
    almere.insured_65_plus = Some(21_310);
    made.save_municipal_year(&ctx(), &almere).unwrap();
    let mut dump = made.dump().unwrap();
    for (tree, pairs) in &mut dump.trees {
        if tree == TreeName::Networks.name() {
            for (_, value) in pairs.iter_mut() {
                let mut network: Network = sidw::store::codec::decode(value).unwrap();
                network.municipality = "Almere".into();
                *value = sidw::store::codec::encode(&network);
            }
        }
    }
    let store = Store::temporary().unwrap();
    store.load_dump(&dump).unwrap();
    let lokaas = store.network_by_name("Lokaas").unwrap().unwrap();
    assert_eq!(lokaas.municipality, "Almere", "readable as it was");
    let report = store.check().unwrap();
    assert_eq!(
        report.problems,
        vec!["netwerk 'Lokaas' (regio Zwolle): Almere hoort bij regio Flevoland, niet bij Zwolle"]
    );
    assert_eq!(store.network(lokaas.id).unwrap(), lokaas, "check changes nothing");

    // The Zwolle editor's network lies "in" Almere, yet Almere's S1 data is Flevoland's.
    let zwolle = as_user(Role::Editor, "Zwolle");
    let error = store.delete_municipal_year(&zwolle, "Almere", 2025).unwrap_err();
    assert!(matches!(error, StoreError::Denied(_)), "{error}");
    assert!(error.to_string().contains("de gemeente Almere ligt niet in uw regio's"), "{error}");
    assert!(store.save_municipal_year(&zwolle, &MunicipalYear::new("Almere", 2025)).is_err());
    assert_eq!(store.municipal_year("Almere", 2025).unwrap().unwrap().insured_65_plus, Some(21_310));
    // A new Lokaas is refused by the rule itself, and the old one can be changed where it is, or
    // put right.
    let again = Network::draft("Lokaas-2", Region::Zwolle, "Almere", None);
    assert!(store.create_network(&zwolle, &again).unwrap_err().to_string().contains("hoort bij regio Flevoland"));
    store.update_network(&zwolle, &Network { district_manager: "Els".into(), ..lokaas.clone() }).unwrap();
    store.update_network(&zwolle, &Network { municipality: "Zwolle".into(), ..lokaas }).unwrap();
    assert!(store.check().unwrap().is_ok());
    store.delete_municipal_year(&as_user(Role::Editor, "Flevoland"), "Almere", 2025).unwrap();
}

/// A back-up from before the list: restored, and the list seeded in one audited change.
#[test]
fn a_backup_without_the_list_is_seeded_once_when_restored() {
    let made = Store::temporary().unwrap();
    made.create_network(&ctx(), &Network::draft("Urk-Noord", Region::Flevoland, "Urk", None)).unwrap();
    let mut dump = made.dump().unwrap();
    dump.trees.retain(|(tree, _)| tree != TreeName::Municipalities.name());
    let store = Store::temporary().unwrap();
    store.load_dump(&dump).unwrap();
    assert_eq!(store.municipality_list().unwrap().all().len(), 95);
    let seeded: Vec<_> =
        store.audit_log().unwrap().into_iter().filter(|e| e.action == "gemeentetabel aangelegd").collect();
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0].user, "sidw");
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
}

fn sidw(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SIDW_DB")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The command line: the list, Raalte added, a merger, their refusals (1) and usage errors (2),
/// and `sidw check` on a database with a network made before the rule.
#[test]
fn the_command_line_lists_adds_and_merges_and_check_names_the_old_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path();
    let listed = sidw(db, &["municipality", "list"]);
    assert!(listed.status.success());
    let out = text(&listed.stdout);
    assert!(out.contains("Ommen            0175  Hardenberg    IJsselvecht"), "{out}");
    assert!(!out.contains("Amsterdam"), "outside Medrie: only with --all");
    assert!(text(&sidw(db, &["municipality", "list", "--all"]).stdout).contains("Amsterdam"));

    let add = ["municipality", "add", "--name", "Raalte", "--cbs", "GM0177", "--region", "zwolle", "--user", "anna"];
    let added = sidw(db, &add);
    assert_eq!(text(&added.stdout), "Gemeente Raalte toegevoegd (regio Zwolle).\n");
    let again = sidw(db, &add);
    assert_eq!(
        (again.status.code(), text(&again.stderr)),
        (Some(1), "sidw: naam: Raalte staat al in de gemeentetabel\n".into())
    );
    let bad = sidw(db, &["municipality", "add", "--name", "Olst-Wijhe", "--cbs", "12345", "--user", "anna"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--cbs: een CBS-code is vier cijfers"));

    let merge = ["municipality", "merge", "--old", "Beemster", "--into", "Purmerend", "--from", "01-01-2022"];
    let merged = sidw(db, &[&merge[..], &["--user", "anna"]].concat());
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    assert!(text(&merged.stdout).starts_with("Beemster per 01-01-2022 opgegaan in Purmerend"));
    let across =
        sidw(db, &["municipality", "merge", "--old", "Urk", "--into", "Zwolle", "--from", "2027-01-01", "--user", "x"]);
    assert_eq!(across.status.code(), Some(1));
    assert!(text(&across.stderr).contains("Urk hoort bij regio Flevoland, Zwolle bij Zwolle"));
    let out = text(&sidw(db, &["municipality", "list"]).stdout);
    assert!(out.contains("Raalte           0177  Zwolle"), "{out}");
    assert!(
        out.contains("Beemster         —     —             Zaanstreek-Waterland  per 01-01-2022 in Purmerend"),
        "{out}"
    );
    assert!(sidw(db, &["check"]).status.success());

    // A database with a network of Zwolle in Almere, as an old sidw could make it.
    let old = tempfile::tempdir().unwrap();
    let made = Store::temporary().unwrap();
    made.create_network(&ctx(), &Network::draft("Lokaas", Region::Zwolle, "Zwolle", None)).unwrap();
    let mut dump = made.dump().unwrap();
    for (tree, pairs) in &mut dump.trees {
        if tree == TreeName::Networks.name() {
            for (_, value) in pairs.iter_mut() {
                let mut network: Network = sidw::store::codec::decode(value).unwrap();
                network.municipality = "Almere".into();
                *value = sidw::store::codec::encode(&network);
            }
        }
    }
    Store::open(old.path()).unwrap().load_dump(&dump).unwrap();
    let checked = sidw(old.path(), &["check"]);
    assert_eq!(checked.status.code(), Some(1));
    let out = text(&checked.stdout);
    assert!(
        out.contains("netwerk 'Lokaas' (regio Zwolle): Almere hoort bij regio Flevoland, niet bij Zwolle"),
        "{out}"
    );
}
