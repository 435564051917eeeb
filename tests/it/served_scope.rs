//! What a user of some regions learns over `sidw serve` (issue 16): a record outside their regions
//! is answered, over the real OpenSSH client, exactly as a record that does not exist — no name,
//! amount or existence leaks from an error — while a record of their own that their role may not
//! change keeps its refusal.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use crate::server::Served;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The demo with an all-region finance user (`fien`) who closed 2025-Q1 of Lelystad-Atolwijk
/// (batch 2025-Q1-0001), a
/// Zwolle editor (`zara`) and a Zwolle finance user (`fenna`).
fn office(dir: &Path) -> Served {
    let served = Served::start(
        dir,
        &[("fien", "finance"), ("zara", "editor Zwolle"), ("fenna", "finance Zwolle"), ("vera", "viewer Zwolle")],
    );
    let closed =
        ssh(&served, "fien", "close --quarter 2025-Q1 --network Lelystad-Atolwijk --acknowledge-warnings", b"");
    assert_eq!(closed.status.code(), Some(0), "{}", text(&closed.stderr));
    assert!(text(&closed.stdout).contains("2025-Q1-0001"), "{}", text(&closed.stdout));
    served
}

fn ssh(served: &Served, user: &str, command: &str, stdin: &[u8]) -> Output {
    served.exec(user, command, stdin)
}

/// What a user sees of a command: exit code, stdout and stderr, with what they typed themselves
/// (`typed`) written as `NAAM`.
fn seen(out: &Output, typed: &str) -> (Option<i32>, String, String) {
    (out.status.code(), text(&out.stdout).replace(typed, "NAAM"), text(&out.stderr).replace(typed, "NAAM"))
}

/// What of Flevoland is in what the user saw (besides what they typed).
fn told(seen: &(Option<i32>, String, String)) -> Vec<&'static str> {
    let all = format!("{}{}", seen.1, seen.2);
    ["Almere", "Flevoland", "Lelystad", "Dronten", "€"].into_iter().filter(|word| all.contains(word)).collect()
}

/// Compares what the user saw for a record elsewhere and for none: the problem, if any.
fn compare(
    command: &str,
    elsewhere: &(Option<i32>, String, String),
    nowhere: &(Option<i32>, String, String),
) -> Option<String> {
    if elsewhere != nowhere {
        return Some(format!("{command}:\n  elsewhere {elsewhere:?}\n  nowhere   {nowhere:?}"));
    }
    if elsewhere.0 == Some(0) {
        return Some(format!("{command} is not refused: {elsewhere:?}"));
    }
    let told = told(elsewhere);
    (!told.is_empty()).then(|| format!("{command} tells of {told:?}: {elsewhere:?}"))
}

const NOWHERE: &str = "Nergenshuizen West";

/// Runs `command` (with `NET` for a network name) as `user` for the Flevoland network
/// `elsewhere` and for one that does not exist: the user sees the same, and nothing of Flevoland.
fn same_for(served: &Served, user: &str, elsewhere: &str, command: &str, stdin: &str) -> Option<String> {
    let run = |name: &str| {
        let out = ssh(served, user, &command.replace("NET", name), stdin.replace("NET", name).as_bytes());
        seen(&out, name)
    };
    compare(&format!("{user} ({elsewhere}): {command}"), &run(elsewhere), &run(NOWHERE))
}

#[test]
fn a_zwolle_user_gets_the_same_answer_for_a_flevoland_network_as_for_none() {
    let dir = tempfile::tempdir().unwrap();
    let served = office(dir.path());
    let mut problems = Vec::new();
    let form = "netwerk;partner;maand;uren;activiteit\nNET;Fysio Almere Haven;oktober 2025;1,5;overleg\n";
    for command in [
        "report budget --year 2025 --network 'NET'",
        "report budget --year 2025 --network 'NET' --format json",
        "report statement --network 'NET' --quarter 2025-Q1",
        "report statement --network 'NET' --quarter 2025-Q1 --format pdf --out s.pdf",
        "hours list --network 'NET' --quarter 2025-Q1",
        "hours set --network 'NET' --partner 'Fysio Almere Haven' --month 2025-10 --hours 1",
        "hours add --network 'NET' --partner 'Fysio Almere Haven' --month 2025-10 --hours 1",
        "hours nihil --network 'NET' --partner 'Fysio Almere Haven' --month 2025-10",
        "invoice list --quarter 2025-Q1 --network 'NET'",
        "invoice add --network 'NET' --partner 'Fysio Almere Haven' --quarter 2025-Q4 --number F-1 --date 01-10-2025 --amount 10",
        "invoice approve --network 'NET' --partner 'Fysio Almere Haven' --quarter 2025-Q1",
        "invoice reject --network 'NET' --partner 'x' --quarter 2025-Q1 --reason nee",
        "invoice delete --network 'NET' --partner 'x' --quarter 2025-Q1 --number F-1",
        "template hours --network 'NET' --quarter 2025-Q4 --out t.csv",
        "import hours --format csv --dry-run -",
    ] {
        let stdin = if command.ends_with(" -") { form } else { "" };
        problems.extend(same_for(&served, "zara", "Almere Haven", command, stdin));
    }
    // Rows without a network column take --network.
    problems.extend(same_for(
        &served,
        "zara",
        "Almere Haven",
        "import hours --format csv --network 'NET' -",
        "partner;maand;uren\nFysio Almere Haven;oktober 2025;1,5\n",
    ));
    for command in [
        "close --quarter 2025-Q2 --network 'NET'",
        "close --quarter 2025-Q2 --network 'NET' --acknowledge-warnings",
        "reopen --quarter 2025-Q1 --network 'NET' --reason 'te vroeg'",
    ] {
        problems.extend(same_for(&served, "fenna", "Almere Haven", command, ""));
        problems.extend(same_for(&served, "fenna", "Lelystad-Atolwijk", command, ""));
    }

    // An hours line of Almere Haven is a line that does not exist.
    let listed = ssh(&served, "fien", "hours list --network 'Almere Haven' --quarter 2025-Q3 --format csv", b"");
    let line = text(&listed.stdout).lines().nth(1).and_then(|l| l.split(';').next()).unwrap().to_string();
    let missing = "987654321";
    let (elsewhere, nowhere) = (
        seen(&ssh(&served, "zara", &format!("hours delete --line {line}"), b""), &line),
        seen(&ssh(&served, "zara", &format!("hours delete --line {missing}"), b""), missing),
    );
    problems.extend(compare("hours delete --line", &elsewhere, &nowhere));
    let still = ssh(&served, "fien", "hours list --network 'Almere Haven' --quarter 2025-Q3 --format csv", b"");
    assert_eq!(still.stdout, listed.stdout, "nothing deleted");

    // Lelystad's batch 2025-Q1-0001 is a batch that does not exist; its quarter has no close.
    for command in [
        "export payments --quarter 2025-Q1 --format csv --out p.csv --batch BATCH",
        "mail advice --batch BATCH --dry-run",
    ] {
        let run = |batch: &str| seen(&ssh(&served, "fenna", &command.replace("BATCH", batch), b""), batch);
        let (elsewhere, nowhere) = (run("2025-Q1-0001"), run("2025-Q1-0077"));
        problems.extend(compare(command, &elsewhere, &nowhere));
    }
    let run = |quarter: &str| {
        let command = format!("export payments --quarter {quarter} --format csv --out p.csv");
        seen(&ssh(&served, "fenna", &command, b""), quarter)
    };
    problems.extend(compare("export payments without --batch", &run("2025-Q1"), &run("2025-Q3")));
    // A region is no record: its name is said, none of its networks.
    let region = ssh(&served, "fenna", "close --quarter 2025-Q2 --region Flevoland", b"");
    let said = text(&region.stderr);
    if region.status.code() != Some(1) || !said.contains("regio Flevoland ligt buiten uw regio's (Zwolle)") {
        problems.push(format!("close --region Flevoland: {said}"));
    }
    if said.contains("Almere") || said.contains("Lelystad") {
        problems.push(format!("close --region Flevoland names a network: {said}"));
    }
    assert!(!served.db.with_extension("exports").join("fenna/p.csv").exists());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_record_of_the_users_own_region_that_the_role_may_not_change_keeps_its_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let served = office(dir.path());
    let close = ssh(&served, "zara", "close --quarter 2025-Q1 --network Zwolle-Zuid --acknowledge-warnings", b"");
    assert_eq!(close.status.code(), Some(1));
    assert_eq!(
        text(&close.stderr),
        "sidw: geweigerd: u bent editor voor Zwolle; kwartalen afsluiten of heropenen vraagt de rol finance. \
         Er is niets vastgelegd\n"
    );
    let nihil = ssh(
        &served,
        "vera",
        "hours nihil --network Zwolle-Zuid --partner 'Fysiotherapie Zwolle-Zuid' --month 2025-10",
        b"",
    );
    assert_eq!(nihil.status.code(), Some(1));
    assert!(
        text(&nihil.stderr)
            .contains("geweigerd: u bent viewer voor Zwolle; nihil-maanden wijzigen vraagt de rol editor"),
        "{}",
        text(&nihil.stderr)
    );
    // And the user's own network is found, as before.
    let listed = ssh(&served, "zara", "hours list --network zwolle-zuid --quarter 2025-Q3", b"");
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
}

/// Over ssh an error never shows the server's folders (issue 16): files are named as sftp shows
/// them (`exports/NAME`, `imports/NAME`), whatever went wrong with them.
#[test]
fn errors_over_ssh_name_files_as_sftp_does_and_never_the_servers_folders() {
    let dir = tempfile::tempdir().unwrap();
    let served = office(dir.path());
    let server_dir = std::fs::canonicalize(dir.path()).unwrap().display().to_string();
    let exports = served.db.with_extension("exports").join("fien");
    let imports = served.db.with_extension("imports").join("fien");
    let mut problems = Vec::new();
    let mut check = |what: &str, out: &Output, says: &str| {
        let said = text(&out.stderr);
        if out.status.success() || !said.contains(says) {
            problems.push(format!("{what}: expected a refusal saying '{says}': {said}"));
        }
        let all = format!("{}{said}", text(&out.stdout));
        for hidden in [server_dir.as_str(), dir.path().to_str().unwrap(), "db.exports", "db.imports", "/tmp/"] {
            if all.contains(hidden) {
                problems.push(format!("{what} shows {hidden}: {all}"));
            }
        }
    };
    // A file that is already there (a report, a statement, a template, a payment file, a backup).
    for (command, name) in [
        ("report year --year 2025 --format csv --out j.csv", "j.csv"),
        ("report statement --network Zwolle-Zuid --quarter 2025-Q1 --format pdf --out s.pdf", "s.pdf"),
        ("template hours --network Zwolle-Zuid --quarter 2025-Q4 --out t.xlsx", "t.xlsx"),
        ("export report --year 2025 --out r.xlsx", "r.xlsx"),
        ("export payments --quarter 2025-Q1 --format csv --out p.csv", "p.csv"),
        ("backup b.sidwbak", "b.sidwbak"),
    ] {
        let first = ssh(&served, "fien", command, b"");
        assert_eq!(first.status.code(), Some(0), "{command}: {}", text(&first.stderr));
        check(command, &ssh(&served, "fien", command, b""), &format!("exports/{name} bestaat al"));
    }
    // A folder where the file should go.
    std::fs::create_dir(exports.join("map.csv")).unwrap();
    check(
        "--out onto a folder",
        &ssh(&served, "fien", "report year --year 2025 --format csv --out map.csv", b""),
        "exports/map.csv",
    );
    // Files to read: missing, a folder, not a plain file.
    std::fs::create_dir_all(&imports).unwrap();
    check("a missing form", &ssh(&served, "fien", "import hours weg.csv", b""), "weg.csv");
    std::fs::create_dir(imports.join("map.csv")).unwrap();
    check("a folder as form", &ssh(&served, "fien", "import hours map.csv", b""), "map.csv");
    std::os::unix::fs::symlink("/etc/hostname", imports.join("link.csv")).unwrap();
    check("a link as form", &ssh(&served, "fien", "import hours link.csv", b""), "link.csv");
    check("a missing statement", &ssh(&served, "fien", "import bank weg.xml", b""), "weg.xml");
    // The user's exports folder is no folder.
    std::fs::remove_dir_all(&exports).unwrap();
    std::os::unix::fs::symlink("/tmp", &exports).unwrap();
    check(
        "exports is a link",
        &ssh(&served, "fien", "report year --year 2025 --format csv --out k.csv", b""),
        "exports",
    );
    // The database check names no folder either.
    let checked = ssh(&served, "fien", "check", b"");
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
    if text(&checked.stdout).contains(&server_dir) || !text(&checked.stdout).starts_with("De database is in orde") {
        problems.push(format!("check: {}", text(&checked.stdout)));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
