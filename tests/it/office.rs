//! Office data in and out on real files: the hours form template filled in as Excel, Dutch-Excel
//! CSV in Windows-1252, UTF-8 CSV with BOM; every bad row refused with its row number and the
//! store unchanged; backups that round-trip and refuse a flipped byte.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use rust_decimal_macros::dec;
use sidw::domain::YearMonth;
use sidw::store::Store;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    db
}

/// A full backup of the database, for "nothing changed" comparisons.
fn snapshot(db: &Path, dir: &Path, name: &str) -> Vec<u8> {
    let file = dir.join(name);
    assert!(sidw(db, &["backup", file.to_str().unwrap()]).status.success());
    let dump = sidw::store::backup_file::read_file(&file).unwrap();
    format!("{:?}", dump.trees.iter().filter(|(t, _)| t != "audit").collect::<Vec<_>>()).into_bytes()
}

#[test]
fn the_template_filled_in_excel_imports_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let template = dir.path().join("uren-q4.xlsx");
    let out = sidw(
        &db,
        &["template", "hours", "--network", "Zwolle-Zuid", "--quarter", "2025-Q4", "--out", template.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("12 regels"), "{}", text(&out.stdout));

    // The coordinator fills in the hours (the pharmacy's rows stay empty).
    let table = sidw::office_files::read_table(&template).unwrap();
    assert_eq!(table.headers, ["netwerk", "partner", "agb", "maand", "uren", "activiteit"]);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.cells.iter().enumerate().take(4) {
            sheet.write_string(r, c as u16, value).unwrap();
        }
        match row.cells[1].as_str() {
            "Fysiotherapie Zwolle-Zuid" => sheet.write_number(r, 4, 1.0).map(drop).unwrap(),
            "Psychologenpraktijk De Stadshagen" => sheet.write_string(r, 4, "1,5").map(drop).unwrap(),
            "Pedicure Assendorp" => sheet.write_number(r, 4, 0.25).map(drop).unwrap(),
            _ => {}
        }
    }
    let filled = dir.path().join("uren-q4-ingevuld.xlsx");
    workbook.save(&filled).unwrap();

    let before = snapshot(&db, dir.path(), "voor.sidwbak");
    let dry = sidw(&db, &["import", "hours", filled.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(text(&dry.stdout).contains("Proef: 9 regels"), "{}", text(&dry.stdout));
    assert!(text(&dry.stdout).contains("Zwolle-Zuid 2025: resterend € 1.116,85"), "{}", text(&dry.stdout));
    assert_eq!(snapshot(&db, dir.path(), "na-proef.sidwbak"), before, "a dry run changes nothing");

    let real = sidw(&db, &["import", "hours", filled.to_str().unwrap()]);
    assert!(real.status.success(), "{}", text(&real.stderr));
    assert!(text(&real.stdout).contains("9 urenregels ingelezen"));
    // The same file again: every row is a duplicate, nothing is added.
    let again = sidw(&db, &["import", "hours", filled.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    let errors = text(&again.stderr);
    assert_eq!(errors.lines().filter(|l| l.contains("staat er al (dubbel)")).count(), 9, "{errors}");
    assert!(errors.contains("regel 5: Fysiotherapie Zwolle-Zuid oktober 2025 1 uur staat er al (dubbel)"), "{errors}");

    let store = Store::open(&db).unwrap();
    let network = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let q4: Vec<_> = store
        .hours_of(network, 2025)
        .unwrap()
        .into_iter()
        .filter(|l| l.month >= YearMonth::new(2025, 10).unwrap())
        .collect();
    assert_eq!(q4.len(), 9);
    assert_eq!(q4.iter().map(|l| l.hours).sum::<rust_decimal::Decimal>(), dec!(8.25));
}

#[test]
fn dutch_excel_csv_in_windows_1252_and_utf8_with_bom() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Windows-1252: ë is the single byte 0xEB.
    let mut latin =
        b"netwerk;partner;maand;uren;activiteit\r\nAlmere Haven;Fysio Almere Haven;oktober 2025;1,5;di".to_vec();
    latin.push(0xEB);
    latin.extend(b"tiek overleg\r\n");
    let file = dir.path().join("uren-1252.csv");
    std::fs::write(&file, latin).unwrap();
    let out = sidw(&db, &["import", "hours", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let bom = "\u{feff}network,partner,month,hours\nAlmere Haven,Leefstijlcoach Flevo,2025-11,2.25\n";
    let file = dir.path().join("uren-bom.csv");
    std::fs::write(&file, bom).unwrap();
    let out = sidw(&db, &["import", "hours", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let store = Store::open(&db).unwrap();
    let network = store.network_by_name("Almere Haven").unwrap().unwrap().id;
    let lines = store.hours_of(network, 2025).unwrap();
    assert!(lines.iter().any(|l| l.activity == "diëtiek overleg" && l.hours == dec!(1.5)), "ë read from Windows-1252");
    assert!(lines.iter().any(|l| l.month == YearMonth::new(2025, 11).unwrap() && l.hours == dec!(2.25)));
}

#[test]
fn every_bad_row_is_named_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    assert!(
        sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]).status.success()
    );
    let csv = "netwerk;partner;maand;uren\n\
               Zwolle-Zuid;Fysiotherapie Zwolle-Zuid;oktober 2025;2\n\
               Zwolle-Zuid;Onbekende Fysio;oktober 2025;2\n\
               Almere Haven;Diëtistenpraktijk Almere;oktober 2025;2\n\
               Zwolle-Zuid;Pedicure Assendorp;februari 2025;1\n\
               Zwolle-Zuid;Pedicure Assendorp;oktober 2025;1e3\n\
               Zwolle-Zuid;Fysiotherapie Zwolle-Zuid;september 2025;4\n\
               Zwolle-Zuid;Psychologenpraktijk De Stadshagen;november 2025;40\n\
               Atlantis;Fysio;oktober 2025;1\n";
    let file = dir.path().join("fout.csv");
    std::fs::write(&file, csv).unwrap();
    let before = snapshot(&db, dir.path(), "voor.sidwbak");
    let out = sidw(&db, &["import", "hours", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let errors = text(&out.stderr);
    for (row, says) in [
        (3, "onbekende partner"),
        (4, "geen getekende overeenkomst"),
        (5, "is afgesloten"),
        (6, "geen getal"),
        (7, "staat er al (dubbel)"),
        (8, "over het partnerbudget"),
        (9, "onbekend netwerk"),
    ] {
        assert!(
            errors.lines().any(|l| l.starts_with(&format!("regel {row}:")) && l.contains(says)),
            "row {row} '{says}':\n{errors}"
        );
    }
    assert!(!errors.contains("regel 2:"), "row 2 is fine:\n{errors}");
    assert!(errors.contains("er is niets ingelezen"));
    assert_eq!(snapshot(&db, dir.path(), "na.sidwbak"), before, "the store is unchanged");
}

#[test]
fn a_backup_round_trips_ten_years_and_refuses_a_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let store = Store::open(&db).unwrap();
        let ctx = common::ctx();
        sidw::demo::load(&store, &ctx, common::date(2025, 10, 15)).unwrap();
        for year in 2016..=2024 {
            store
                .save_tariffs(&ctx, &sidw::domain::TariffTable { year, ..sidw::domain::TariffTable::handbook_2025() })
                .unwrap();
        }
        let network = store.network_by_name("Almere Haven").unwrap().unwrap().id;
        let mut almere = store.network(network).unwrap();
        almere.funding_start = Some(common::date(2016, 1, 1));
        store.update_network(&ctx, &almere).unwrap();
        let mut team = store.practice_team(network).unwrap();
        for practice in &mut team.practices {
            let count = practice.ion_counts[0].count;
            practice.ion_counts.push(sidw::domain::IonCount { reference_date: common::date(2015, 10, 1), count });
        }
        store.save_practice_team(&ctx, &team).unwrap();
        let partners = store.partners(network).unwrap();
        // Hours need a signed agreement in their month (store rule): signed before 2016.
        for p in partners.iter().take(3) {
            let agreement = sidw::domain::Agreement {
                id: sidw::domain::AgreementId(0),
                network,
                kind: sidw::domain::AgreementKind::Partner,
                partner: Some(p.id),
                sent: Some(common::date(2015, 11, 1)),
                signed: Some(common::date(2015, 12, 1)),
                ended: None,
            };
            store.add_agreement(&ctx, &agreement).unwrap();
        }
        // Ten years of monthly hours (2016–2025; 2025 on top of the demo's).
        let lines: Vec<_> = (2016..=2025)
            .flat_map(|y| (1..=12).map(move |m| YearMonth::new(y, m).unwrap()))
            .flat_map(|month| {
                partners.iter().take(3).map(move |p| sidw::store::NewHours {
                    month,
                    hours: dec!(1),
                    ..common::new_hours(network, p.id, 1, dec!(1))
                })
            })
            .collect();
        store.import_hours(&ctx, &lines).unwrap();
    }
    let backup = dir.path().join("sidw.sidwbak");
    let out = sidw(&db, &["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let restored = dir.path().join("terug");
    let out = sidw(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let original = sidw::store::backup_file::read_file(&backup).unwrap();
    let again = dir.path().join("terug.sidwbak");
    assert!(sidw(&restored, &["backup", again.to_str().unwrap()]).status.success());
    let copy = sidw::store::backup_file::read_file(&again).unwrap();
    let without_meta =
        |d: &sidw::store::backup_file::Dump| d.trees.iter().filter(|(t, _)| t != "meta").cloned().collect::<Vec<_>>();
    assert_eq!(without_meta(&copy), without_meta(&original), "every record and audit entry, exactly");

    // New records after a restore get new ids, never one of the restored.
    let store = Store::open(&restored).unwrap();
    let highest = store.audit_log().unwrap()[0].id;
    store.save_payment_settings(&common::ctx(), &store.payment_settings().unwrap().unwrap()).unwrap();
    assert!(store.audit_log().unwrap()[0].id > highest);
    drop(store);

    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let broken = dir.path().join("kapot.sidwbak");
    std::fs::write(&broken, bytes).unwrap();
    let out = sidw(&dir.path().join("nieuw"), &["restore", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("beschadigd"), "{}", text(&out.stderr));
}

#[test]
fn the_year_workbook_opens_in_openpyxl_with_numbers_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let file = dir.path().join("jaar-2025.xlsx");
    let out = sidw(&db, &["export", "report", "--year", "2025", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A real reader: Python's openpyxl (.ci/run installs it).
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Zwolle", "Flevoland", "Hardenberg"], wb.sheetnames
for ws in wb.worksheets:
    assert ws.freeze_panes == "A2", ws.freeze_panes
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    body, total = rows[:-1], rows[-1]
    assert str(total[0]).startswith("Totaal"), total
    for c in range(2, 8):
        values = [r[c] for r in body]
        assert all(isinstance(v, (int, float)) for v in values), values
        assert abs(sum(values) - total[c]) < 0.005, (ws.title, c, values, total[c])
    assert ws.cell(row=2, column=3).number_format.startswith("€"), ws.cell(row=2, column=3).number_format
    for r in body:
        print(ws.title, r[0], "%.2f" % r[2], "%.2f" % r[3])
"#;
    let out = Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .expect("python3 runs (with openpyxl: pip install openpyxl; .ci/run does)");
    assert!(out.status.success(), "openpyxl: {}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("Zwolle Zwolle-Zuid 23800.00 8050.00"), "{printed}");
    assert!(printed.contains("Flevoland Almere Haven 54400.00 18400.00"), "{printed}");
}

#[test]
fn importing_from_the_screen_shows_the_report_and_the_budget_effect_first() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("goed.csv");
    std::fs::write(&good, "netwerk;partner;maand;uren\nZwolle-Zuid;Pedicure Assendorp;oktober 2025;2\n").unwrap();
    let bad = dir.path().join("fout.csv");
    std::fs::write(&bad, "netwerk;partner;maand;uren\nZwolle-Zuid;Niemand;oktober 2025;2\n").unwrap();
    // The local runner's files: `:importeer` reads the path named.
    let app = common::demo_app();
    let files = sidw::files::DiskFiles::local(app.store().path());
    let mut app = app.with_files(std::sync::Arc::new(files));

    common::press(&mut app, &format!(":importeer {}<Enter>", bad.display()));
    let screen = common::screen_text(&app, 100, 30);
    assert!(screen.contains("regel 2: onbekende partner"), "{screen}");
    common::press(&mut app, "n");
    assert!(matches!(app.mode, sidw::app::Mode::Normal));

    common::press(&mut app, &format!(":importeer {}<Enter>", good.display()));
    let screen = common::screen_text(&app, 100, 30);
    assert!(
        screen.contains("1 urenregel klopt.")
            && screen.contains("Zwolle-Zuid 2025: resterend € 1.116,85 − € 118,70 = € 998,15"),
        "{screen}"
    );
    let network = app.store().network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let before = app.store().hours_of(network, 2025).unwrap().len();
    common::press(&mut app, "j");
    assert_eq!(app.store().hours_of(network, 2025).unwrap().len(), before + 1);
    assert!(app.message.as_ref().unwrap().text.contains("1 urenregel ingelezen"));
}

#[test]
fn the_yearly_ion_update_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let good = "netwerk;praktijk;agb;ion;peildatum\n\
                Zwolle-Zuid;Huisartsenpraktijk De Esch;;4400;01-01-2026\n\
                Almere Haven;;01034567;6100;01-01-2026\n";
    let file = dir.path().join("ion.csv");
    std::fs::write(
        &file,
        format!("{good}Zwolle-Zuid;Onbekend;;100;01-01-2026\nAlmere Haven;;01045678;veel;01-01-2026\n"),
    )
    .unwrap();
    let before = snapshot(&db, dir.path(), "voor.sidwbak");
    let out = sidw(&db, &["import", "practices", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let errors = text(&out.stderr);
    assert!(errors.contains("regel 4: praktijk 'Onbekend' staat niet in het praktijkteam van Zwolle-Zuid"), "{errors}");
    assert!(errors.contains("regel 5:") && errors.contains("geen aantal"), "{errors}");
    assert_eq!(snapshot(&db, dir.path(), "na.sidwbak"), before, "nothing stored");

    std::fs::write(&file, good).unwrap();
    let out = sidw(&db, &["import", "practices", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 ION-tellingen ingelezen"));
    let store = Store::open(&db).unwrap();
    let team = store.practice_team(store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id).unwrap();
    assert_eq!(team.total_ion_on(common::date(2026, 1, 1)), 4400 + 2800);
    assert_eq!(team.total_ion_on(common::date(2025, 12, 31)), 7000, "2025 keeps its counts");
}

#[test]
fn a_backup_taken_while_someone_saves_is_consistent() {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &common::ctx(), common::date(2025, 10, 15)).unwrap();
    let network = store.network_by_name("Almere Haven").unwrap().unwrap().id;
    let partner = store.partners(network).unwrap()[0].id;
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for i in 0..150u32 {
                let month = YearMonth::new(2025, 10 + i % 3).unwrap();
                let new = sidw::store::NewHours {
                    month,
                    hours: dec!(0.25),
                    ..common::new_hours(network, partner, 10, dec!(0.25))
                };
                store.add_hours(&common::ctx(), &new).unwrap();
            }
        })
    };
    let mut sizes = Vec::new();
    while !writer.is_finished() {
        let dump = store.dump().unwrap();
        let copy = Store::temporary().unwrap();
        copy.load_dump(&dump).unwrap();
        let report = copy.check().unwrap();
        assert!(report.is_ok(), "a backup taken mid-save is inconsistent: {:?}", report.problems);
        let hours = dump.trees.iter().find(|(t, _)| t == "hours").unwrap().1.len();
        let audit = dump.trees.iter().find(|(t, _)| t == "audit").unwrap().1.len();
        sizes.push((hours, audit));
    }
    writer.join().unwrap();
    assert!(sizes.windows(2).all(|w| w[1].0 - w[0].0 == w[1].1 - w[0].1), "every line with its audit entry: {sizes:?}");
}
