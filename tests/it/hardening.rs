//! Hardening (issue 12): what leaves sidw can do no harm in the office's programs, and what comes
//! in cannot take sidw down.
#![allow(clippy::unwrap_used)]
#![allow(clippy::string_slice, reason = "slices the test's own text: a bad index fails the test")]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use sidw::store::Store;

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const PRACTICE: &str = "=HYPERLINK(\"http://evil.example\";\"klik\")";
const PARTNER: &str = "+cmd|' /C calc'!A0";
const OTHER: &str = "@SUM(1+1)";

/// The demo with a practice and two partners of Zwolle-Zuid named like formulas, 2025-Q1 closed.
fn hostile_demo(db: &Path) {
    let store = Store::open(db).unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let mut team = store.practice_team(zwolle).unwrap();
    team.practices[0].name = PRACTICE.into();
    store.save_practice_team(&ctx(), &team).unwrap();
    let mut partners = store.partners(zwolle).unwrap();
    partners.sort_by_key(|p| p.name.clone());
    for (partner, name) in partners.iter_mut().zip([PARTNER, OTHER]) {
        partner.name = name.into();
        store.update_partner(&ctx(), partner).unwrap();
    }
    let shown = sidw::store::to_acknowledge(&store.close_preview(&[zwolle], q1(), date(2025, 5, 1)).unwrap());
    store.close_quarter(&ctx(), &[zwolle], q1(), &shown).unwrap();
}

fn q1() -> sidw::domain::Quarter {
    sidw::domain::Quarter::parse("2025-Q1").unwrap()
}

/// Every cell of a `;`-separated file (a BOM dropped).
fn cells(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect()
}

fn assert_no_formulas(what: &str, csv_text: &str, expect_names: &[&str]) {
    let cells = cells(csv_text);
    for cell in &cells {
        let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
            || (cell.starts_with('-') && cell[1..].replace(',', "").parse::<f64>().is_err());
        assert!(!risky, "{what}: a cell a spreadsheet would run: {cell:?}");
    }
    for name in expect_names {
        assert!(cells.contains(&format!("'{name}")), "{what}: {name} kept as text with a quote: {cells:?}");
    }
}

#[test]
fn no_csv_sidw_writes_starts_a_text_cell_with_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    hostile_demo(&db);

    let out = sidw(&db, &["report", "payments", "--quarter", "2025-Q1", "--format", "csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_formulas("report payments", &text(&out.stdout), &[PRACTICE, PARTNER, OTHER]);

    let file = dir.path().join("betalingen.csv");
    let out =
        sidw(&db, &["export", "payments", "--quarter", "2025-Q1", "--format", "csv", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_formulas("export payments", &std::fs::read_to_string(&file).unwrap(), &[PRACTICE, PARTNER, OTHER]);
    // Amounts stay numbers, a negative one too.
    assert_eq!(sidw::report::formula_safe("-48,31"), "-48,31");

    let template = dir.path().join("formulier.csv");
    let out = sidw(
        &db,
        &["template", "hours", "--network", "Zwolle-Zuid", "--quarter", "2025-Q2", "--out", template.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_formulas("hours template", &std::fs::read_to_string(&template).unwrap(), &[PARTNER, OTHER]);

    for kind in ["budget", "signals"] {
        let args: Vec<&str> = match kind {
            "budget" => vec!["report", "budget", "--year", "2025", "--format", "csv"],
            _ => vec!["report", "signals", "--format", "csv"],
        };
        let out = sidw(&db, &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_no_formulas(kind, &text(&out.stdout), &[]);
    }
}

#[test]
fn a_template_with_quoted_formula_names_reads_back_as_those_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    hostile_demo(&db);
    let template = dir.path().join("formulier.csv");
    let out = sidw(
        &db,
        &["template", "hours", "--network", "Zwolle-Zuid", "--quarter", "2025-Q2", "--out", template.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = sidw::office_files::read_table(&template).unwrap();
    let partner = table.column(&["partner"]).unwrap();
    let names: Vec<&str> = table.rows.iter().map(|r| r.cells[partner].as_str()).collect();
    assert!(names.contains(&PARTNER) && names.contains(&OTHER), "{names:?}");
}

#[test]
fn the_xlsx_writers_store_formula_names_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    hostile_demo(&db);
    let template = dir.path().join("formulier.xlsx");
    let out = sidw(
        &db,
        &["template", "hours", "--network", "Zwolle-Zuid", "--quarter", "2025-Q2", "--out", template.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let year = dir.path().join("jaar.xlsx");
    let out = sidw(&db, &["report", "year", "--year", "2025", "--format", "xlsx", "--out", year.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = r#"
import sys, openpyxl
for path in sys.argv[1:]:
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == 'f':
                    print('FORMULA', path, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in '=+@':
                    print('TEXT', cell.value)
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(&template).arg(&year).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let found = text(&out.stdout);
    assert!(!found.contains("FORMULA"), "{found}");
    assert!(found.contains(&format!("TEXT {PARTNER}")), "the name is kept, as text: {found}");
}

#[test]
fn out_files_never_overwrite_or_land_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    hostile_demo(&db);
    let export = |out: &Path, extra: &[&str]| {
        let mut args =
            vec!["export", "payments", "--quarter", "2025-Q1", "--format", "csv", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        sidw(&db, &args)
    };
    // Inside the database directory, its backups, or through `..`: refused, the database intact.
    for target in [db.join("conf"), dir.path().join("db.backups").join("x.csv"), db.join("..").join("db").join("blobs")]
    {
        let out = export(&target, &["--overwrite"]);
        assert_eq!(out.status.code(), Some(1), "{}", target.display());
        assert!(text(&out.stderr).contains("daar schrijft sidw niets anders in"), "{}", text(&out.stderr));
    }
    assert!(sidw(&db, &["check"]).status.success(), "the database still opens and is sound");

    // An existing file is kept unless --overwrite is given.
    let file = dir.path().join("betalingen.csv");
    std::fs::write(&file, "van de boekhouding").unwrap();
    let out = export(&file, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bestaat al; kies een andere naam of geef --overwrite"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "van de boekhouding");
    assert!(export(&file, &["--overwrite"]).status.success());
    assert!(std::fs::read_to_string(&file).unwrap().contains("2025-Q1"));

    // The same for a backup; and what a killed run left beside it is cleaned up.
    let stale = dir.path().join(".oud.sidwbak.sidw-tmp-4194303-0");
    std::fs::write(&stale, "half").unwrap();
    // A file of the user's that only looks like a temporary name is not sidw's to remove.
    let users_own = dir.path().join(".aantekeningen.tmp-4194303-0");
    std::fs::write(&users_own, "van mij").unwrap();
    let backup = dir.path().join("kopie.sidwbak");
    std::fs::write(&backup, "ouder").unwrap();
    assert_eq!(sidw(&db, &["backup", backup.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "ouder");
    assert!(sidw(&db, &["backup", backup.to_str().unwrap(), "--overwrite"]).status.success());
    assert!(!stale.exists(), "the temporary file of a killed run is removed");
    assert!(users_own.exists(), "a file sidw did not make stays");
    let temps: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".sidw-tmp-"))
        .map(|e| e.file_name())
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
    for args in [
        vec!["template", "hours", "--network", "Zwolle-Zuid", "--quarter", "2025-Q2", "--out"],
        vec!["report", "year", "--year", "2025", "--format", "xlsx", "--out"],
        vec!["export", "report", "--year", "2025", "--out"],
    ] {
        let target = dir.path().join("bestaat.xlsx");
        std::fs::write(&target, "bewaren").unwrap();
        let mut with_out = args.clone();
        with_out.push(target.to_str().unwrap());
        let out = sidw(&db, &with_out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "bewaren", "{args:?}");
        with_out.push("--overwrite");
        let out = sidw(&db, &with_out);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        std::fs::remove_file(&target).unwrap();
    }
}

/// An `.xlsx` whose sheet decompresses to `spaces` bytes of spaces, built with Python's zipfile.
fn bomb(path: &Path, spaces: u64) {
    let script = r#"
import sys, zipfile
path, spaces = sys.argv[1], int(sys.argv[2])
types = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
workbook = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Uren" sheetId="1" r:id="rId1"/></sheets></workbook>'
wbrels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', types)
    z.writestr('_rels/.rels', rels)
    z.writestr('xl/workbook.xml', workbook)
    z.writestr('xl/_rels/workbook.xml.rels', wbrels)
    with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as sheet:
        sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
        chunk = b' ' * (1 << 20)
        left = spaces
        while left > 0:
            sheet.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)
        sheet.write(b'</t></is></c></row></sheetData></worksheet>')
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(path).arg(spaces.to_string()).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_workbook_that_decompresses_to_gigabytes_is_refused_without_allocating_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    hostile_demo(&db);
    let file = dir.path().join("bom.xlsx");
    bomb(&file, 600 << 20); // 600 MB of spaces in a file of under a megabyte
    assert!(std::fs::metadata(&file).unwrap().len() < 16 << 20);
    let started = std::time::Instant::now();
    let out = Command::new("/usr/bin/env")
        .args(["sh", "-c", "ulimit -v 1048576; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(&db)
        .args(["import", "hours"])
        .arg(&file)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "refused, not aborted (1 GB address space): {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("pakt uit tot meer dan 128 MB"), "{}", text(&out.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));

    // A sheet just within the bound still reads (it is only spaces: no rows).
    let small = dir.path().join("klein.xlsx");
    bomb(&small, 1 << 20);
    let out = sidw(&db, &["import", "hours", small.to_str().unwrap(), "--dry-run"]);
    assert!(!text(&out.stderr).contains("pakt uit"), "{}", text(&out.stderr));

    // A file too large to be a form is refused before it is read.
    let huge = dir.path().join("groot.xlsx");
    std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    let out = sidw(&db, &["import", "hours", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("te groot om in te lezen"), "{}", text(&out.stderr));
}

#[test]
fn what_sidw_creates_is_the_owners_only_and_a_change_needs_a_name() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let run = |args: &[&str]| {
        Command::new("/bin/sh")
            .arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_sidw"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("SIDW_DB")
            .output()
            .unwrap()
    };
    assert!(run(&["demo"]).status.success());
    let backup = dir.path().join("kopie.sidwbak");
    assert!(run(&["backup", backup.to_str().unwrap()]).status.success());
    let out = run(&["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", " "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wie de wijziging maakt ontbreekt"), "{}", text(&out.stderr));
    assert!(run(&["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien"]).status.success());
    let export = dir.path().join("bank.xml");
    assert!(
        run(&["export", "payments", "--quarter", "2025-Q1", "--format", "pain001", "--out", export.to_str().unwrap()])
            .status
            .success()
    );
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o700, "the database directory");
    for entry in std::fs::read_dir(&db).unwrap().flatten() {
        let expected = if entry.path().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&entry.path()), expected, "{}", entry.path().display());
    }
    assert_eq!(mode(&backup), 0o600);
    assert_eq!(mode(&export), 0o600);
}

#[test]
fn usage_errors_and_refusals_are_dutch_and_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let cases: [(&[&str], i32, &str); 8] = [
        (&["report"], 2, "Gebruik: sidw report [OPTIES] <RAPPORT>"),
        (
            &["report", "budget", "--year", "2101"],
            2,
            "ongeldige waarde '2101' voor --year <JJJJ>: 2101 ligt niet tussen 2000 en 2100",
        ),
        (&["report", "budget", "--year", "twintig"], 2, "dat is geen geheel getal"),
        (&["report", "budgett"], 2, "onbekende opdracht 'budgett'; bedoelt u 'budget'?"),
        (&["close", "--quarter", "2025-Q1"], 2, "deze optie ontbreekt: --network <NAAM>"),
        (&["report", "payments", "--quarter", "2025-Q1", "--format", "xml"], 2, "kies uit: table, csv, json"),
        (&["report", "budget", "--year", "2100"], 1, "er zijn geen tarieven voor 2100"),
        (
            &["reopen", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fien", "--reason", ""],
            1,
            "reden: dit veld is verplicht",
        ),
    ];
    for (args, code, expected) in cases {
        let out = sidw(&db, args);
        let message = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {message}");
        assert_eq!(message.matches(expected).count(), 1, "{args:?}: said once: {message}");
        for english in ["error:", "Usage:", "For more information", "not in", "tip:", "[OPTIONS]"] {
            assert!(!message.contains(english), "{args:?}: {message}");
        }
    }
}

/// Runs sidw as the user `nobody` (the tests run as root in CI; elsewhere this is skipped).
fn as_nobody(binary_dir: &Path, db: &Path, args: &[&str]) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok().is_some_and(|o| text(&o.stdout).trim() == "0");
    if !root || !Path::new("/usr/bin/setpriv").exists() {
        return None;
    }
    let binary = binary_dir.join("sidw");
    if !binary.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_sidw"), &binary).unwrap();
    }
    Some(
        Command::new("/usr/bin/setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&binary)
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("SIDW_DB")
            .env("TMPDIR", binary_dir)
            .output()
            .unwrap(),
    )
}

#[test]
fn a_read_only_database_is_checked_and_reported_and_a_damaged_one_names_its_backup() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    // Owned by nobody, and read-only for everyone.
    let chown = Command::new("chown").args(["-R", "nobody:nogroup"]).arg(&db).status();
    let chmod = Command::new("chmod").args(["-R", "a-w"]).arg(&db).status();
    if let Some(out) = as_nobody(dir.path(), &db, &["check"])
        && chown.is_ok_and(|s| s.success())
        && chmod.is_ok_and(|s| s.success())
    {
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
        assert!(text(&out.stdout).contains(&format!("Database {} is in orde", db.display())), "{}", text(&out.stdout));
        assert!(text(&out.stderr).contains("alleen lezen; sidw leest een kopie"), "{}", text(&out.stderr));
        let out = as_nobody(dir.path(), &db, &["report", "budget", "--year", "2025"]).unwrap();
        assert!(out.status.success() && text(&out.stdout).contains("Zwolle-Zuid"), "{}", text(&out.stderr));
        let out =
            as_nobody(dir.path(), &db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "x"])
                .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("geen schrijfrechten"), "{}", text(&out.stderr));
        let copies: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("sidw-lezen"))
            .collect();
        assert!(copies.is_empty(), "the private copy is removed");
        Command::new("chmod").args(["-R", "u+w"]).arg(&db).status().unwrap();
    } else {
        eprintln!("overgeslagen: niet als root, of geen setpriv");
    }

    // A damaged database names the newest backup in DB.backups and the restore command.
    let damaged = dir.path().join("kapot");
    assert!(sidw(&damaged, &["demo"]).status.success());
    let backups = dir.path().join("kapot.backups");
    std::fs::create_dir_all(&backups).unwrap();
    // As `sidw serve` keeps them (sidw backup itself never writes into DB.backups).
    let own = dir.path().join("eigen.sidwbak");
    assert!(sidw(&damaged, &["backup", own.to_str().unwrap()]).status.success());
    for name in ["sidw-20251001-020000.sidwbak", "sidw-20251002-020000.sidwbak"] {
        std::fs::copy(&own, backups.join(name)).unwrap();
    }
    let file = damaged.join(sidw::store::DATABASE_FILE);
    let mut bytes = std::fs::read(&file).unwrap();
    for i in (100..bytes.len()).step_by(97) {
        bytes[i] ^= 0xff;
    }
    std::fs::write(&file, bytes).unwrap();
    let out = sidw(&damaged, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let message = text(&out.stderr);
    let newest = backups.join("sidw-20251002-020000.sidwbak");
    assert!(message.contains("beschadigd"), "{message}");
    assert!(message.contains(&format!("sidw --db NIEUWEMAP restore {}", newest.display())), "{message}");
}

#[test]
fn the_dry_run_is_the_import_without_the_commit_row_numbers_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let long = "a".repeat(250);
    for (activity, expected) in [
        (long.as_str(), "regel 3: activiteit: hooguit 200 tekens"),
        ("val\u{1b}[2Jpreventie", "regel 3: activiteit: bevat een onzichtbaar stuurteken"),
        ("nul\u{1}teken", "regel 3: activiteit: bevat een onzichtbaar stuurteken"),
    ] {
        let file = dir.path().join("uren.csv");
        std::fs::write(
            &file,
            format!(
                "netwerk;partner;maand;uren;activiteit\nZwolle-Zuid;Fysiotherapie Zwolle-Zuid;2025-11;0,5;\nZwolle-Zuid;Pedicure Assendorp;2025-11;0,5;{activity}\n"
            ),
        )
        .unwrap();
        for dry in [true, false] {
            let mut args = vec!["import", "hours", file.to_str().unwrap()];
            if dry {
                args.push("--dry-run");
            }
            let out = sidw(&db, &args);
            let said = text(&out.stdout) + &text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "dry run {dry}: {said}");
            assert_eq!(said.matches(expected).count(), 1, "dry run {dry}, once and with its row: {said}");
        }
    }
    // Nothing was imported, and a refused import wrote nothing in the log either.
    let log = text(&sidw(&db, &["report", "budget", "--year", "2025"]).stdout);
    assert!(log.contains("Zwolle-Zuid"));
}

#[test]
fn an_import_of_no_lines_writes_no_audit_entry() {
    let store = Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let before = store.audit_log().unwrap().len();
    assert!(store.import_hours(&ctx(), &[]).unwrap().is_empty());
    assert_eq!(store.audit_log().unwrap().len(), before);
}

#[test]
fn a_served_screen_imports_only_from_the_users_own_import_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("db.imports").join("anna");
    let secret = dir.path().join("geheim.csv");
    std::fs::write(&secret, "netwerk;partner;maand;uren\n").unwrap();
    // The served runner's files for anna: her folders beside the database.
    let files = sidw::files::DiskFiles::served(&dir.path().join("db"), "anna", &dir.path().join("db.users"));
    files.make_folders().unwrap();
    assert!(folder.is_dir());
    let mut app = demo_app().with_files(std::sync::Arc::new(files));
    let said = |app: &sidw::app::App| app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    press(&mut app, &format!(":importeer {}<Enter>", secret.display()));
    assert!(said(&app).contains("Alleen een bestandsnaam uit uw importmap"), "{}", said(&app));
    assert!(!matches!(app.mode, sidw::app::Mode::Confirm(_)));
    press(&mut app, ":importeer ../geheim.csv<Enter>");
    assert!(said(&app).contains("Alleen een bestandsnaam"), "{}", said(&app));
    press(&mut app, ":importeer<Enter>");
    assert!(said(&app).contains("is leeg"), "{}", said(&app));
    std::fs::write(
        folder.join("oktober.csv"),
        "netwerk;partner;maand;uren\nZwolle-Zuid;Fysiotherapie Zwolle-Zuid;2025-11;0,5\n",
    )
    .unwrap();
    press(&mut app, ":importeer<Enter>");
    assert!(said(&app).contains("oktober.csv"), "{}", said(&app));
    press(&mut app, ":importeer oktober.csv<Enter>");
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("Importeren: oktober.csv"), "{screen}");
}
