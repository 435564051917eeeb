//! The command line inside the server (issue 16): SSH exec requests with the real OpenSSH client
//! (`ssh … sidw report signals`), and the local command line on a served database through the
//! server's Unix socket (the cron job of the README), compared with the same command unserved.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::pty;
use crate::server::{self, Served};

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A demo database with a users file beside it, not served yet.
fn office(dir: &Path, users: &[(&str, &str)]) -> (PathBuf, PathBuf) {
    let db = dir.join("db");
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let demo = sidw(&db, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let lines: Vec<String> = users.iter().map(|(name, role)| server::user(&keys, name, role)).collect();
    std::fs::write(dir.join("db.users"), lines.join("\n") + "\n").unwrap();
    (db, keys)
}

fn ssh(served: &Served, user: &str, command: &str, stdin: &[u8]) -> Output {
    served.exec(user, command, stdin)
}

const SIGNALS: [&str; 6] = ["report", "signals", "--region", "Zwolle", "--today", "01-12-2025"];

#[test]
fn an_exec_report_gives_the_same_bytes_and_exit_code_as_the_unserved_command() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let unserved = sidw(&db, &SIGNALS);
    let budget = sidw(&db, &["report", "budget", "--year", "2025", "--format", "csv"]);
    assert!(unserved.status.success() && !unserved.stdout.is_empty(), "{}", text(&unserved.stderr));
    let served = Served::spawn(db, keys);
    let remote = ssh(&served, "anna", &format!("sidw {}", SIGNALS.join(" ")), b"");
    assert_eq!(remote.status.code(), Some(0), "{}", text(&remote.stderr));
    assert_eq!(remote.stdout, unserved.stdout);
    // Without the leading `sidw`, too.
    let remote = ssh(&served, "anna", "report budget --year 2025 --format csv", b"");
    assert_eq!((remote.status.code(), &remote.stdout), (Some(0), &budget.stdout));
}

#[test]
fn usage_errors_and_commands_that_may_not_run_remotely_exit_2_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let local = sidw(&db, &["report", "signaal"]);
    let served = Served::spawn(db, keys);
    let remote = ssh(&served, "anna", "sidw report signaal", b"");
    assert_eq!(remote.status.code(), Some(2));
    assert_eq!(text(&remote.stderr), text(&local.stderr));
    assert!(text(&remote.stderr).contains("onbekende opdracht 'signaal'"), "{}", text(&remote.stderr));
    for (command, says) in [
        ("sidw serve", "'serve' kan niet over ssh"),
        ("sidw restore back-up.sidwbak", "'restore' kan niet over ssh"),
        ("demo", "'demo' kan niet over ssh"),
        ("sidw --db /tmp/elders report signals", "--db kan niet over ssh"),
        ("sidw report 'signals", "niet te lezen"),
        ("sidw hours nihil --network Zwolle-Zuid --partner x --month 2025-04 --user bert", "altijd als anna"),
    ] {
        let out = ssh(&served, "anna", command, b"");
        assert_eq!(out.status.code(), Some(2), "{command}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{command}: {}", text(&out.stderr));
    }
    let help = ssh(&served, "anna", "sidw report --help", b"");
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Rapporten"), "{}", text(&help.stdout));
}

const GOOD_FORM: &str =
    "netwerk;partner;maand;uren;activiteit\nAlmere Haven;Fysio Almere Haven;oktober 2025;1,5;overleg\n";
const BAD_FORM: &str = "netwerk;partner;maand;uren;activiteit\nAlmere Haven;Fysio Almere Haven;oktober 2025;1,5;overleg\nAlmere Haven;Niemand;oktober 2025;2;overleg\n";

#[test]
fn an_import_from_stdin_is_all_or_nothing_and_logged_under_the_ssh_user() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let served = Served::spawn(db, keys);
    let before = ssh(&served, "anna", "report budget --year 2025 --format csv", b"");
    let bad = ssh(&served, "anna", "sidw import hours --format csv -", BAD_FORM.as_bytes());
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("regel 3: ") && text(&bad.stderr).contains("er is niets ingelezen"));
    assert_eq!(ssh(&served, "anna", "report budget --year 2025 --format csv", b"").stdout, before.stdout);
    let without = ssh(&served, "anna", "sidw import hours -", GOOD_FORM.as_bytes());
    assert_eq!(without.status.code(), Some(2), "- needs --format: {}", text(&without.stderr));
    let good = ssh(&served, "anna", "sidw import hours --format csv -", GOOD_FORM.as_bytes());
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(text(&good.stdout).contains("1 urenregel ingelezen."), "{}", text(&good.stdout));
    assert_ne!(ssh(&served, "anna", "report budget --year 2025 --format csv", b"").stdout, before.stdout);
    let log = ssh(&served, "anna", "report log --user anna --format csv", b"");
    assert!(
        text(&log.stdout).contains(";anna;uren geïmporteerd;1 urenregels"),
        "audit under anna: {}",
        text(&log.stdout)
    );
    // A file that is not in anna's imports folder is never read.
    let elsewhere = ssh(&served, "anna", "import hours /etc/passwd.csv", b"");
    assert_eq!(elsewhere.status.code(), Some(2), "{}", text(&elsewhere.stderr));
    assert!(text(&elsewhere.stderr).contains("alleen uit uw map imports"), "{}", text(&elsewhere.stderr));
}

#[test]
fn a_client_killed_halfway_through_its_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let served = Served::spawn(db.clone(), keys);
    let before = ssh(&served, "anna", "report budget --year 2025 --format csv", b"");
    // Over ssh: half the form, then the client is killed (no EOF).
    let mut child = served.exec_command("anna", "sidw import hours --format csv -").spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(GOOD_FORM.as_bytes()).unwrap();
    input.flush().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    child.kill().unwrap();
    let _ = child.wait();
    // Through the socket: the same.
    let mut local = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .arg("--db")
        .arg(&db)
        .args(["import", "hours", "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = local.stdin.take().unwrap();
    input.write_all(GOOD_FORM.as_bytes()).unwrap();
    input.flush().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    local.kill().unwrap();
    let _ = local.wait();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(ssh(&served, "anna", "report budget --year 2025 --format csv", b"").stdout, before.stdout);
    let log = ssh(&served, "anna", "report log --format csv", b"");
    assert!(!text(&log.stdout).contains("uren geïmporteerd"), "{}", text(&log.stdout));
}

#[test]
fn exports_go_to_stdout_or_the_users_exports_folder_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("fien", "finance")]);
    let served = Served::spawn(db.clone(), keys);
    let closed = ssh(&served, "fien", "sidw close --quarter 2025-Q1 --network Zwolle-Zuid", b"");
    assert_eq!(closed.status.code(), Some(0), "{}", text(&closed.stderr));
    let log = ssh(&served, "fien", "report log --user fien --format csv", b"");
    assert!(text(&log.stdout).contains("2025-Q1"), "the close is fien's: {}", text(&log.stdout));
    let xml = ssh(&served, "fien", "sidw export payments --quarter 2025-Q1 --format pain001 --out -", b"");
    assert_eq!(xml.status.code(), Some(0), "{}", text(&xml.stderr));
    let xml_text = text(&xml.stdout);
    assert!(xml_text.starts_with("<?xml") && xml_text.contains("pain.001.001.09"), "{xml_text}");
    assert!(xml_text.trim_end().ends_with("</Document>"), "only the file on stdout");
    assert!(text(&xml.stderr).contains("Geschreven: - (betaalbatch 2025-Q1-0001"), "{}", text(&xml.stderr));
    let named = ssh(&served, "fien", "sidw export payments --quarter 2025-Q1 --format csv --out q1.csv", b"");
    assert_eq!(named.status.code(), Some(0), "{}", text(&named.stderr));
    assert!(text(&named.stdout).contains("Geschreven: exports/q1.csv"), "{}", text(&named.stdout));
    let file = dir.path().join("db.exports").join("fien").join("q1.csv");
    assert!(std::fs::read_to_string(&file).unwrap().contains("Zwolle-Zuid"));
    let again = ssh(&served, "fien", "sidw export payments --quarter 2025-Q1 --format csv --out q1.csv", b"");
    assert_eq!(again.status.code(), Some(1), "not over an existing file: {}", text(&again.stderr));
    for path in ["/tmp/x.csv", "../x.csv", "sub/x.csv"] {
        let out = ssh(&served, "fien", &format!("export payments --quarter 2025-Q1 --format csv --out {path}"), b"");
        assert_eq!(out.status.code(), Some(2), "{path}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("alleen in uw map exports"), "{}", text(&out.stderr));
    }
    assert!(
        !Path::new("/tmp/x.csv").exists()
            || std::fs::read_to_string("/tmp/x.csv").is_ok_and(|t| !t.contains("Zwolle-Zuid"))
    );
}

#[test]
fn a_backup_to_stdout_restores_to_an_equal_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "admin")]);
    let budget = sidw(&db, &["report", "budget", "--year", "2025", "--format", "csv"]);
    let served = Served::spawn(db, keys);
    let backup = ssh(&served, "anna", "sidw backup -", b"");
    assert_eq!(backup.status.code(), Some(0), "{}", text(&backup.stderr));
    assert!(text(&backup.stderr).contains("Back-up geschreven: -"), "{}", text(&backup.stderr));
    let file = dir.path().join("kantoor.sidwbak");
    std::fs::write(&file, &backup.stdout).unwrap();
    let copy = dir.path().join("terug");
    let restored = sidw(&copy, &["restore", file.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert_eq!(sidw(&copy, &["report", "budget", "--year", "2025", "--format", "csv"]).stdout, budget.stdout);
    let check = |out: Output| text(&out.stdout).split_once('(').map(|(_, counts)| counts.to_string()).unwrap();
    assert_eq!(check(ssh(&served, "anna", "check", b"")), check(sidw(&copy, &["check"])));
}

fn ssh_in_pty(served: &Served, user: &str) -> pty::Pty {
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("exec {}", served.ssh(user, user)));
    let term = pty::Pty::spawn(command, 80, 24);
    term.wait_for("1 Netwerken", Duration::from_secs(20));
    term
}

#[test]
fn the_cron_command_works_through_the_socket_while_two_users_have_screens_open() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor"), ("bert", "viewer")]);
    let unserved = sidw(&db, &["report", "signals", "--region", "Zwolle"]);
    assert!(unserved.status.success());
    let mut served = Served::spawn(db.clone(), keys);
    let socket = PathBuf::from(format!("{}.sock", db.display()));
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let meta = std::fs::metadata(&socket).unwrap();
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let _anna = ssh_in_pty(&served, "anna");
    let _bert = ssh_in_pty(&served, "bert");
    let cron = sidw(&db, &["report", "signals", "--region", "Zwolle"]);
    assert_eq!(cron.status.code(), Some(0), "{}", text(&cron.stderr));
    assert_eq!(cron.stdout, unserved.stdout);
    // The README's line, piped as cron does.
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!("{} --db {} report signals --region Zwolle | wc -c", env!("CARGO_BIN_EXE_sidw"), db.display()))
        .output()
        .unwrap();
    assert_eq!(text(&piped.stdout).trim(), unserved.stdout.len().to_string());
    // Usage errors stay local; an exec command meanwhile works too.
    let usage = sidw(&db, &["report", "signaal"]);
    assert_eq!(usage.status.code(), Some(2));
    assert_eq!(ssh(&served, "anna", "report signals --region Zwolle", b"").stdout, unserved.stdout);
    // A relative --out is the caller's working directory; the message names it as given.
    let work = dir.path().join("werk");
    std::fs::create_dir(&work).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .current_dir(&work)
        .arg("--db")
        .arg(&db)
        .args(["report", "log", "--out", "logboek.csv", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Geschreven: logboek.csv"), "{}", text(&out.stdout));
    assert!(work.join("logboek.csv").is_file());
    // The screen keeps saying how to connect; the socket goes with the server.
    served.stop();
    assert!(!socket.exists(), "the socket is removed when the server stops");
}

#[test]
fn a_stale_socket_of_a_killed_server_is_replaced_and_a_missing_one_says_how_to_connect() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let mut served = Served::spawn(db.clone(), keys.clone());
    server::unsafe_kill(&served.child, "KILL");
    let _ = served.child.wait();
    let socket = PathBuf::from(format!("{}.sock", db.display()));
    assert!(socket.exists(), "a killed server leaves its socket");
    let served = Served::spawn(db.clone(), keys);
    let cron = sidw(&db, &["report", "signals"]);
    assert_eq!(cron.status.code(), Some(0), "{}", text(&cron.stderr));
    // Without the socket (an older server), the command says how to connect, exit 1.
    std::fs::remove_file(&socket).unwrap();
    let out = sidw(&db, &["report", "signals"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wordt bediend door 'sidw serve'"), "{}", text(&out.stderr));
    drop(served);
}

/// Over ssh the store and the reports hold the user's access: an editor of Zwolle sees no
/// Flevoland network in a report, cannot import Flevoland's hours nor read the log, and a
/// viewer's close is refused by the store (nothing closed).
#[test]
fn over_ssh_a_zwolle_editor_sees_and_changes_only_zwolle_and_a_viewer_closes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("zara", "editor"), ("vera", "viewer"), ("fien", "finance")]);
    let users = dir.path().join("db.users");
    let lines = std::fs::read_to_string(&users).unwrap().replace("zara editor ", "zara editor Zwolle ");
    std::fs::write(&users, lines).unwrap();
    let served = Served::spawn(db, keys);
    let budget = |user: &str| text(&ssh(&served, user, "report budget --year 2025 --format csv", b"").stdout);
    let (zwolle, all) = (budget("zara"), budget("fien"));
    assert!(zwolle.contains("Zwolle-Zuid") && !zwolle.contains("Almere Haven"), "{zwolle}");
    assert!(all.contains("Almere Haven"), "an all-region user sees Flevoland: {all}");
    let signals = text(&ssh(&served, "zara", "report signals --today 01-12-2025 --format csv", b"").stdout);
    assert!(!signals.contains("Almere") && !signals.contains("Lelystad"), "{signals}");

    let import = ssh(&served, "zara", "import hours --format csv -", GOOD_FORM.as_bytes());
    assert_eq!(import.status.code(), Some(1), "{}", text(&import.stderr));
    assert!(text(&import.stderr).contains("onbekend netwerk 'Almere Haven'"), "{}", text(&import.stderr));
    assert_eq!(budget("fien"), all, "nothing of the import stored");
    let log = ssh(&served, "zara", "report log", b"");
    assert_eq!(log.status.code(), Some(1));
    assert!(text(&log.stderr).contains("alle regio's"), "{}", text(&log.stderr));

    // Nothing of another region is read either: hours, invoices, templates; the whole
    // database (backup, check) only for users of every region.
    for command in [
        "hours list --network 'Almere Haven' --quarter 2025-Q1",
        "template hours --network 'Almere Haven' --quarter 2025-Q4 --out t.csv",
        "invoice list --quarter 2025-Q1 --network 'Almere Haven'",
        "backup -",
        "check",
    ] {
        let refused = ssh(&served, "zara", command, b"");
        assert_eq!(refused.status.code(), Some(1), "{command}: {}", text(&refused.stderr));
        assert!(refused.stdout.is_empty(), "{command} wrote: {}", text(&refused.stdout));
    }
    let invoices = text(&ssh(&served, "zara", "invoice list --quarter 2025-Q1", b"").stdout);
    assert!(!invoices.contains("Almere") && !invoices.contains("Lelystad"), "{invoices}");
    assert!(ssh(&served, "fien", "check", b"").status.success(), "an all-region user checks");
    // Over ssh nobody dates a change: `--today` only with --dry-run.
    let dated = ssh(&served, "fien", "mail send --today 20-12-2026", b"");
    assert_eq!(dated.status.code(), Some(2), "{}", text(&dated.stderr));
    assert!(text(&dated.stderr).contains("alleen met --dry-run"), "{}", text(&dated.stderr));
    assert!(ssh(&served, "fien", "mail send --dry-run --today 20-12-2026", b"").status.success());

    let close = ssh(&served, "vera", "close --quarter 2025-Q1 --network Zwolle-Zuid", b"");
    assert_eq!(close.status.code(), Some(1), "{}", text(&close.stderr));
    assert!(
        text(&close.stderr).contains("geweigerd") && text(&close.stderr).contains("viewer"),
        "{}",
        text(&close.stderr)
    );
    let payments = text(&ssh(&served, "fien", "report payments --quarter 2025-Q1 --format json", b"").stdout);
    assert!(!payments.contains("2025-Q1-0001"), "no batch was made: {payments}");
    // The other side: the finance user's close goes through.
    let close = ssh(&served, "fien", "close --quarter 2025-Q1 --network Zwolle-Zuid --acknowledge-warnings", b"");
    assert_eq!(close.status.code(), Some(0), "{}", text(&close.stderr));
    assert!(text(&close.stdout).contains("2025-Q1-0001"), "{}", text(&close.stdout));
}

/// A client that sends input to a command that does not read it gets its answer, and an import
/// from `-` on the next connection still gets its input. (The hang this guards against needs
/// more output than the queues hold — `yes | ssh … report log` on a year of data — and was
/// checked by hand on the one-year store: see the session note.)
#[test]
fn input_a_command_does_not_read_is_let_go() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("anna", "editor")]);
    let served = Served::spawn(db, keys);
    let flood = vec![b'y'; 8 * 1024 * 1024];
    let started = std::time::Instant::now();
    let out = ssh(&served, "anna", "report signals --today 01-12-2025", &flood);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
    assert!(started.elapsed() < Duration::from_secs(30), "answered in {:?}", started.elapsed());
    // An import from `-` still gets its input.
    let good = ssh(&served, "anna", "import hours --format csv -", GOOD_FORM.as_bytes());
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
}

/// The mail commands over ssh hold the user's regions: a Zwolle editor mails only Zwolle's
/// statement, cannot name Flevoland's, and cannot resend nor mark a Flevoland mail; an admin sets
/// a template of two paragraphs from stdin.
#[test]
fn over_ssh_the_mail_commands_see_and_change_only_the_users_regions() {
    let dir = tempfile::tempdir().unwrap();
    let (db, keys) = office(dir.path(), &[("zara", "editor"), ("ada", "admin")]);
    let users = dir.path().join("db.users");
    let lines = std::fs::read_to_string(&users).unwrap().replace("zara editor ", "zara editor Zwolle ");
    std::fs::write(&users, lines).unwrap();
    // A Flevoland mail left "onzeker".
    let flevoland = {
        let store = sidw::store::Store::open(&db).unwrap();
        let ctx = sidw::store::ChangeContext::new("fien", chrono::Utc::now());
        let plan = sidw::mail::statement_plan(
            &store,
            sidw::domain::Quarter::parse("2025-Q1").unwrap(),
            Some("Almere Haven"),
            chrono::NaiveDate::from_ymd_opt(2025, 10, 15).unwrap(),
            &sidw::domain::Scope::All,
        )
        .unwrap();
        let id = store.queue_mail(&ctx, &plan.mails).unwrap()[0];
        let hour_ago = sidw::store::ChangeContext::new("sidw-mail", chrono::Utc::now() - chrono::Duration::hours(1));
        store.mark_mail_sending(&hour_ago, id).unwrap();
        id
    };
    let served = Served::spawn(db, keys);
    let dry = ssh(&served, "zara", "mail statement --quarter 2025-Q1 --dry-run", b"");
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let shown = text(&dry.stdout);
    assert!(
        shown.contains("Aan: a.devries@hadesch.nl") && shown.contains("Bijlage: overzicht-zwolle-zuid-2025-Q1.pdf"),
        "{shown}"
    );
    assert!(!shown.contains("gezondhavens"), "{shown}");
    let other = ssh(&served, "zara", "mail statement --quarter 2025-Q1 --network 'Almere Haven' --dry-run", b"");
    assert_eq!(other.status.code(), Some(1), "{}", text(&other.stderr));
    let outbox = text(&ssh(&served, "zara", "mail outbox", b"").stdout);
    assert_eq!(outbox, "De outbox is leeg.\n");
    for command in [format!("mail resend {flevoland}"), format!("mail mark-sent {flevoland}")] {
        let refused = ssh(&served, "zara", &command, b"");
        assert_eq!(refused.status.code(), Some(1), "{command}: {}", text(&refused.stderr));
    }
    let all = text(&ssh(&served, "ada", "mail outbox", b"").stdout);
    assert!(all.contains("onzeker sinds"), "{all}");
    let set = ssh(
        &served,
        "ada",
        "mail template kwartaaloverzicht --body-file -",
        b"Bijgaand {netwerk}.\n\nGroet uit {regio}.\n",
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(
        text(&set.stdout).contains("Tekst:\n  Bijgaand {netwerk}.\n  \n  Groet uit {regio}.\n"),
        "{}",
        text(&set.stdout)
    );
    let path = ssh(&served, "ada", "mail template kwartaaloverzicht --body-file /etc/passwd", b"");
    assert_eq!(path.status.code(), Some(2), "{}", text(&path.stderr));
    // Resent by a user of the region: back in the queue (the server delivers it).
    let resent = ssh(&served, "ada", &format!("mail resend {flevoland}"), b"");
    assert!(resent.status.success(), "{}", text(&resent.stderr));
    assert!(text(&resent.stdout).contains("staat weer in de outbox"), "{}", text(&resent.stdout));
}
