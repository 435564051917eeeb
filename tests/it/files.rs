//! The app's files are a capability the runner gives it (`app::Files`): payment files, the year
//! report's workbook and the users file are written through it, never by the app itself. In
//! memory here (no file system), and on disk the way `sidw serve` gives them: into the user's
//! own exports folder beside the database, never outside it.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use std::sync::Arc;

use sidw::app::{MemoryFiles, Mode, Role};

/// Zwolle-Zuid's 2025-Q1 closed on the close screen (two steps), which stays open.
fn close_zwolle_zuid(app: &mut sidw::app::App) {
    press(app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q1<Enter>a");
    assert!(matches!(app.mode, Mode::Close(_)), "{:?}", app.message);
    press(app, "cja");
    assert!(app.message.as_ref().unwrap().text.contains("batch 2025-Q1-0001"), "{:?}", app.message);
}

fn said(app: &sidw::app::App) -> String {
    app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn payment_files_are_written_through_the_apps_files_whole_and_logged() {
    let files = MemoryFiles::new();
    let mut app = demo_app().with_files(Arc::new(files.clone()));
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q1<Enter>ae");
    assert!(said(&app).contains("nog niet afgesloten"), "{}", said(&app));
    assert!(files.export_names().is_empty(), "nothing written before the close");

    close_zwolle_zuid(&mut app);
    press(&mut app, "e");
    assert_eq!(
        files.export_names(),
        vec!["betalingen-2025-Q1-0001.csv".to_string(), "betalingen-2025-Q1-0001.xml".to_string()]
    );
    assert_eq!(said(&app), "Geschreven: (geheugen)/betalingen-2025-Q1-0001.xml en .csv.");
    let xml = String::from_utf8(files.export("betalingen-2025-Q1-0001.xml").unwrap()).unwrap();
    assert!(xml.contains("pain.001.001.09") && xml.contains("<CtrlSum>8564.05</CtrlSum>"), "{xml}");
    let csv = String::from_utf8(files.export("betalingen-2025-Q1-0001.csv").unwrap()).unwrap();
    assert!(csv.lines().count() > 1, "{csv}");
    let log = app.store().audit_log().unwrap();
    assert!(format!("{:?}", log[0]).contains("(geheugen)/betalingen-2025-Q1-0001.xml"), "{:?}", log[0]);

    // Written again: the same names, replaced, and a warning not to pay twice.
    press(&mut app, "e");
    assert_eq!(files.export_names().len(), 2);
    assert!(said(&app).contains("al eerder geschreven"), "{}", said(&app));
}

#[test]
fn the_year_report_workbook_is_written_through_the_apps_files_for_finance_only() {
    let files = MemoryFiles::new();
    let mut app = demo_app().with_files(Arc::new(files.clone()));
    press(&mut app, ":jaarverslag 2025<Enter>");
    assert!(matches!(app.mode, Mode::YearReport(_)), "{}", said(&app));
    press(&mut app, "e");
    assert_eq!(said(&app), "Geschreven: (geheugen)/jaarverslag-2025.xlsx.");
    let bytes = files.export("jaarverslag-2025.xlsx").unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");

    let others = MemoryFiles::new();
    let mut editor = demo_app().with_files(Arc::new(others.clone()));
    editor.role = Role::Editor;
    press(&mut editor, ":jaarverslag 2025<Enter>e");
    assert!(others.export_names().is_empty(), "an editor writes no workbook: {}", said(&editor));
}

#[test]
fn a_failing_write_is_said_and_nothing_is_logged_as_written() {
    struct Full;
    impl sidw::app::Files for Full {
        fn write_export(&self, _: &str, _: &[u8]) -> Result<std::path::PathBuf, String> {
            Err("schijf vol".into())
        }
        fn users_file(&self) -> Option<std::path::PathBuf> {
            None
        }
        fn users_text(&self) -> Result<String, String> {
            Err("geen".into())
        }
        fn append_user(&self, _: &str) -> Result<(), String> {
            Err("geen".into())
        }
        fn remove_user(&self, _: &str) -> Result<usize, String> {
            Err("geen".into())
        }
        fn import_folder(&self) -> Option<std::path::PathBuf> {
            None
        }
        fn imports(&self) -> Vec<String> {
            Vec::new()
        }
        fn read_import(&self, _: &str) -> Result<Vec<u8>, String> {
            Err("geen".into())
        }
    }
    let mut app = demo_app().with_files(Arc::new(Full));
    close_zwolle_zuid(&mut app);
    let entries = app.store().audit_log().unwrap().len();
    press(&mut app, "e");
    assert_eq!(said(&app), "Betaalbestanden niet geschreven: schijf vol");
    assert_eq!(app.store().audit_log().unwrap().len(), entries, "no export recorded");
}

#[test]
fn a_served_finance_users_payment_files_land_in_their_own_exports_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = sidw::store::Store::open(&db).unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let who = sidw::serve::session::Who {
        user: "fien".into(),
        role: Role::Finance,
        scope: sidw::domain::Scope::All,
        users_file: dir.path().join("db.users"),
        theme: sidw::ui::Theme::monochrome(),
        online: Default::default(),
    };
    let mut app = sidw::serve::session::served_app(
        store,
        &who,
        Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap()),
    );
    let folder = dir.path().join("db.exports").join("fien");
    assert!(folder.is_dir() && dir.path().join("db.imports").join("fien").is_dir(), "made at the start");
    close_zwolle_zuid(&mut app);
    press(&mut app, "e");
    let xml = folder.join("betalingen-2025-Q1-0001.xml");
    assert_eq!(said(&app), "Geschreven: exports/betalingen-2025-Q1-0001.xml en .csv.", "as sftp shows it");
    assert!(std::fs::read_to_string(&xml).unwrap().contains("pain.001.001.09"));
    assert!(folder.join("betalingen-2025-Q1-0001.csv").is_file());
    let mut names: Vec<String> =
        std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, vec!["betalingen-2025-Q1-0001.csv", "betalingen-2025-Q1-0001.xml"], "no temporary files");
    assert!(
        !std::env::current_dir().unwrap().join("betalingen-2025-Q1-0001.xml").exists(),
        "nothing in the server's working directory"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&dir.path().join("db.exports")), 0o700);
        assert_eq!(mode(&xml), 0o600);
    }
}

#[test]
fn a_served_screen_reads_forms_only_by_name_from_its_import_folder_in_memory() {
    let files = MemoryFiles::served("");
    let mut app = demo_app().with_files(Arc::new(files.clone()));
    press(&mut app, ":importeer<Enter>");
    assert!(said(&app).contains("Uw importmap (geheugen)/imports is leeg"), "{}", said(&app));
    files.put_import("oktober.csv", b"netwerk;partner;maand;uren\nZwolle-Zuid;Pedicure Assendorp;oktober 2025;2\n");
    press(&mut app, ":importeer<Enter>");
    assert!(said(&app).contains("uit uw importmap: oktober.csv"), "{}", said(&app));
    for path in ["../oktober.csv", "/etc/passwd", ".oktober.csv"] {
        press(&mut app, &format!(":importeer {path}<Enter>"));
        assert!(said(&app).contains("Alleen een bestandsnaam"), "{path}: {}", said(&app));
    }
    press(&mut app, ":importeer november.csv<Enter>");
    assert!(said(&app).contains("november.csv staat niet in uw importmap; wel: oktober.csv"), "{}", said(&app));
    press(&mut app, ":importeer oktober.csv<Enter>");
    let Mode::Confirm(confirm) = &app.mode else { panic!("the form is checked: {}", said(&app)) };
    assert_eq!(confirm.title, "Importeren: oktober.csv");
    assert!(confirm.lines[0].contains("1 urenregel klopt"), "{:?}", confirm.lines);
}
