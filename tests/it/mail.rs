//! Reminders by e-mail against a real SMTP server (Python's aiosmtpd, started by the test): the
//! messages arrive with the right recipients, subjects and figures, authenticated; a refused
//! recipient is retried (451) or failed at once (550) and reported; nothing is sent twice within a
//! week; the password is in neither the log nor the database. `.ci/run` installs aiosmtpd.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sidw::store::records::OutboxState;
use sidw::store::{ChangeContext, Store};

pub(crate) const PASSWORD: &str = "Zeer-Geheim-Wachtwoord-8472";

pub(crate) struct Smtp {
    child: Child,
    pub(crate) port: u16,
    pub(crate) log: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) fn private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Starts aiosmtpd with the password of `dir/smtp-wachtwoord` and waits until it listens.
pub(crate) fn start_smtp(dir: &Path) -> Smtp {
    start_smtp_with(dir, &[])
}

/// [`start_smtp`] with more arguments (a certificate and key: STARTTLS required).
fn start_smtp_with(dir: &Path, more: &[&Path]) -> Smtp {
    let password_file = dir.join("smtp-wachtwoord");
    private(&password_file, &format!("{PASSWORD}\n"));
    let port = free_port();
    let log = dir.join("smtp.jsonl");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/smtp_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(&log)
        .arg("secretariaat")
        .arg(&password_file)
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "klaar", "aiosmtpd did not start (pip install aiosmtpd; .ci/run does)");
    Smtp { child, port, log }
}

/// The settings file beside the database `db`: the relay of the test, plain, with authentication.
pub(crate) fn write_settings(db: &Path, port: u16, retries: &str, interval: u64) {
    let text = format!(
        "host = \"127.0.0.1\"\nport = {port}\ntls = \"geen\"\nuser = \"secretariaat\"\npassword_file = \"smtp-wachtwoord\"\nretry_seconds = {retries}\ninterval_seconds = {interval}\n"
    );
    private(&sidw::mail_smtp::settings_path(db), &text);
}

pub(crate) fn entries(smtp: &Smtp) -> Vec<serde_json::Value> {
    std::fs::read_to_string(&smtp.log).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

pub(crate) fn accepted(smtp: &Smtp) -> Vec<serde_json::Value> {
    entries(smtp).into_iter().filter(|e| e.get("subject").is_some()).collect()
}

fn refusals(smtp: &Smtp, address: &str) -> Vec<serde_json::Value> {
    entries(smtp).into_iter().filter(|e| e["refused"] == address).collect()
}

pub(crate) fn to_of(message: &serde_json::Value) -> String {
    message["to"][0].as_str().unwrap().to_string()
}

/// The demo with two kartrekkers whose server refuses (for good, for now) and a partner with an
/// address whose agreement is a month overdue on 01-12-2026.
fn setup(store: &Store) {
    let ctx = ChangeContext::new("setup", chrono::Utc::now());
    for (name, email) in [("Hardenberg-Baalder", "weiger@hzbaalder.nl"), ("Lelystad-Atolwijk", "later@atolwijk.nl")] {
        let mut network = store.network_by_name(name).unwrap().unwrap();
        network.coordinator.email = email.into();
        store.update_network(&ctx, &network).unwrap();
    }
    let almere = store.network_by_name("Almere Haven").unwrap().unwrap();
    let mut dietist =
        store.partners(almere.id).unwrap().into_iter().find(|p| p.name == "Diëtistenpraktijk Almere").unwrap();
    dietist.email = "dietist@almere.nl".into();
    store.update_partner(&ctx, &dietist).unwrap();
    let mut agreement =
        store.agreements(almere.id).unwrap().into_iter().find(|a| a.partner == Some(dietist.id)).unwrap();
    agreement.sent = NaiveDate::from_ymd_opt(2026, 10, 1);
    store.update_agreement(&ctx, &agreement).unwrap();
}

pub(crate) fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

pub(crate) fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Every byte of every file under `dir` (the database file, the settings beside it excluded by the caller).
fn bytes_under(dir: &Path, skip: &[&Path]) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if skip.contains(&path.as_path()) {
            continue;
        }
        if path.is_dir() {
            all.extend(bytes_under(&path, skip));
        } else {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn mail_send_delivers_one_mail_per_recipient_reports_refusals_and_sends_nothing_twice_in_a_week() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    setup(&Store::open(&db).unwrap());
    let smtp = start_smtp(dir.path());
    write_settings(&db, smtp.port, "[0, 0]", 60);
    let mut printed = String::new();

    // The dry run shows every mail and sends nothing.
    let dry = sidw(&db, &["mail", "send", "--dry-run", "--today", "01-12-2026"]);
    printed += &text(&dry);
    assert!(dry.status.success(), "{}", text(&dry));
    let shown = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(shown.contains("Aan: dietist@almere.nl\nVan: flevoland@medrie.nl\n"), "{shown}");
    assert!(shown.contains("5 e-mails (20 herinneringen), 0 deze week al verstuurd"), "{shown}");
    assert!(entries(&smtp).is_empty());
    assert_eq!(String::from_utf8_lossy(&sidw(&db, &["mail", "outbox"]).stdout), "De outbox is leeg.\n");

    // Sent: three arrive, the refused two are reported (exit code 1).
    let sent = sidw(&db, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    printed += &text(&sent);
    assert_eq!(sent.status.code(), Some(1), "{}", text(&sent));
    assert!(text(&sent).contains("5 e-mail(s) in de outbox"), "{}", text(&sent));
    assert!(text(&sent).contains("3 verstuurd, 2 mislukt"), "{}", text(&sent));
    let mut got = accepted(&smtp);
    got.sort_by_key(to_of);
    let to: Vec<String> = got.iter().map(to_of).collect();
    assert_eq!(to, ["a.devries@hadesch.nl", "dietist@almere.nl", "m.yilmaz@gezondhavens.nl"]);
    assert!(got.iter().all(|m| m["auth"] == true), "{got:?}");
    let zwolle = &got[0];
    assert_eq!(zwolle["from"], "zwolle@medrie.nl");
    assert_eq!(zwolle["subject"], "Urenformulier juli 2025 Zwolle-Zuid ontbreekt (en 7 andere punten)");
    let body = zwolle["text"].as_str().unwrap();
    assert!(body.starts_with("Beste Anja de Vries,"), "{body}");
    assert!(body.contains("Het urenformulier van juli 2025 van netwerk Zwolle-Zuid is nog niet binnen van: Apotheek Zuid. Het moest er uiterlijk 31-08-2025 zijn."), "{body}");
    assert!(body.contains("evaluatiegesprek 2026 uiterlijk 31-12-2026"), "{body}");
    let dietist = &got[1];
    assert_eq!(dietist["from"], "flevoland@medrie.nl");
    assert_eq!(dietist["subject"], "Overeenkomst Almere Haven: graag getekend retour");
    let body = dietist["text"].as_str().unwrap();
    assert!(body.contains("De overeenkomst van Diëtistenpraktijk Almere in netwerk Almere Haven is nog niet getekend retour; de termijn was 01-11-2026."), "{body}");
    // The kartrekker of Almere Haven gets the hours and yearly duties, not the partner's agreement.
    assert!(!got[2]["text"].as_str().unwrap().contains("Diëtistenpraktijk"));
    // 550: once, failed; 451: the first try and both retries, then failed.
    assert_eq!(refusals(&smtp, "weiger@hzbaalder.nl").len(), 1);
    assert_eq!(refusals(&smtp, "later@atolwijk.nl").len(), 3);
    let outbox = String::from_utf8_lossy(&sidw(&db, &["mail", "outbox"]).stdout).to_string();
    assert_eq!(outbox.matches("\tverstuurd ").count(), 3, "{outbox}");
    let refused = outbox.lines().find(|l| l.contains("weiger@")).unwrap();
    assert!(refused.contains("mislukt") && refused.contains("550"), "{refused}");
    let later = outbox.lines().find(|l| l.contains("later@")).unwrap();
    assert!(later.contains("mislukt") && later.contains("451"), "{later}");

    // The same day, and six days later: nothing again (also not to the refusing addresses).
    for day in ["01-12-2026", "07-12-2026"] {
        let again = sidw(&db, &["mail", "send", "--user", "anna", "--today", day]);
        printed += &text(&again);
        assert!(again.status.success(), "{}", text(&again));
        assert!(
            text(&again).contains("0 e-mail(s) in de outbox; 0 e-mails (0 herinneringen), 20 deze week al verstuurd"),
            "{}",
            text(&again)
        );
    }
    assert_eq!(accepted(&smtp).len(), 3);
    assert_eq!(refusals(&smtp, "weiger@hzbaalder.nl").len(), 1);
    // A week after: they go again.
    let week = sidw(&db, &["mail", "send", "--user", "anna", "--today", "08-12-2026"]);
    printed += &text(&week);
    assert!(text(&week).contains("3 verstuurd, 2 mislukt"), "{}", text(&week));
    assert_eq!(accepted(&smtp).len(), 6);

    // The password: in no output, not in the database (the audit log holds the deliveries).
    assert!(!printed.contains(PASSWORD));
    let settings = sidw::mail_smtp::settings_path(&db);
    let password_file = dir.path().join("smtp-wachtwoord");
    let log = smtp.log.clone();
    let stored = bytes_under(dir.path(), &[settings.as_path(), password_file.as_path(), log.as_path()]);
    assert!(contains(&stored, "e-mail verstuurd"), "the audit log is in these bytes");
    assert!(contains(&stored, "e-mail mislukt"));
    assert!(!contains(&stored, PASSWORD));
}

#[test]
fn mail_send_refuses_settings_others_can_read_before_queueing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    private(&dir.path().join("smtp-wachtwoord"), PASSWORD);
    write_settings(&db, 2525, "[0]", 60);
    let settings = sidw::mail_smtp::settings_path(&db);
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sidw(&db, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("chmod 600"), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&sidw(&db, &["mail", "outbox"]).stdout), "De outbox is leeg.\n");
    // Made private, it is used.
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o600)).unwrap();
    let smtp = start_smtp(dir.path());
    write_settings(&db, smtp.port, "[0]", 60);
    let out = sidw(&db, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(accepted(&smtp).len(), 4);
}

#[test]
fn serve_delivers_the_outbox_and_retries_with_back_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let smtp = start_smtp(dir.path());
    write_settings(&db, smtp.port, "[1, 2]", 1);
    let mut served = crate::server::Served::start_with(dir.path(), &[("anna", "editor")], |store| {
        setup(store);
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let plan = sidw::mail::plan(store, today, chrono::Utc::now(), &sidw::domain::Scope::All).unwrap();
        assert_eq!(plan.queue(store, &ChangeContext::new("anna", chrono::Utc::now())).unwrap(), 5);
    });
    let start = Instant::now();
    while refusals(&smtp, "later@atolwijk.nl").len() < 3 || accepted(&smtp).len() < 3 {
        assert!(start.elapsed() < Duration::from_secs(40), "{:?}", entries(&smtp));
        std::thread::sleep(Duration::from_millis(100));
    }
    // Let a fourth try show itself if there were one.
    std::thread::sleep(Duration::from_millis(2500));
    served.stop();
    let later: Vec<f64> = refusals(&smtp, "later@atolwijk.nl").iter().map(|e| e["time"].as_f64().unwrap()).collect();
    assert_eq!(later.len(), 3, "one try and two retries");
    assert!(later[1] - later[0] >= 0.9, "{later:?}");
    assert!(later[2] - later[1] >= 1.9, "{later:?}");
    assert_eq!(refusals(&smtp, "weiger@hzbaalder.nl").len(), 1);
    assert_eq!(accepted(&smtp).len(), 3);
    let store = Store::open(&db).unwrap();
    let outbox = store.outbox().unwrap();
    let sent = outbox.iter().filter(|(_, m)| matches!(m.state, OutboxState::Sent { .. })).count();
    let failed: Vec<_> = outbox.iter().filter(|(_, m)| matches!(m.state, OutboxState::Failed { .. })).collect();
    assert_eq!(sent, 3);
    assert_eq!(failed.len(), 2);
    let later = failed.iter().find(|(_, m)| m.to == "later@atolwijk.nl").unwrap();
    assert_eq!(later.1.attempts, 3);
    assert!(later.1.last_error.contains("451"), "{}", later.1.last_error);
}

#[test]
fn mail_templates_and_senders_on_the_command_line_refuse_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let shown = sidw(&db, &["mail", "template", "urenformulier"]);
    assert!(shown.status.success());
    assert!(text(&shown).contains("Onderwerp: Urenformulier {maand} {netwerk} ontbreekt"), "{}", text(&shown));
    assert!(text(&shown).contains("Velden: {netwerk} {partner} {maand} {termijn} {regio} {punt}"));

    let unknown = sidw(&db, &["mail", "template", "urenformulier", "--body", "Graag {bedrag} voor {maand}."]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown).contains("onbekend veld '{bedrag}'"), "{}", text(&unknown));
    let kind = sidw(&db, &["mail", "template", "brief"]);
    assert_eq!(kind.status.code(), Some(2));
    assert!(text(&kind).contains("'brief' is geen sjabloon"), "{}", text(&kind));
    let changed = sidw(&db, &["mail", "template", "urenformulier", "--body", "Graag het formulier van {maand}."]);
    assert!(changed.status.success(), "{}", text(&changed));
    let dry = sidw(&db, &["mail", "send", "--dry-run", "--today", "01-12-2026"]);
    assert!(text(&dry).contains("Graag het formulier van juli 2025."), "{}", text(&dry));

    let bad = sidw(&db, &["mail", "sender", "--region", "zwolle", "--email", "secretariaat zwolle"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("is geen e-mailadres"), "{}", text(&bad));
    let good = sidw(&db, &["mail", "sender", "--region", "zwolle", "--email", "swid.zwolle@medrie.nl"]);
    assert_eq!(String::from_utf8_lossy(&good.stdout), "Zwolle: swid.zwolle@medrie.nl\n");
    let dry = sidw(&db, &["mail", "send", "--dry-run", "--today", "01-12-2026"]);
    assert!(text(&dry).contains("Aan: a.devries@hadesch.nl\nVan: swid.zwolle@medrie.nl\n"), "{}", text(&dry));

    // Who sends is in the log (`--user`, else the login name); the database with an outbox checks clean.
    let queued = sidw(&db, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    assert!(text(&queued).contains("4 e-mail(s) in de outbox"), "{}", text(&queued));
    assert!(text(&queued).contains("blijven in de outbox"), "{}", text(&queued));
    let check = sidw(&db, &["check"]);
    assert!(check.status.success(), "{}", text(&check));
}

/// A CA and a server certificate for 127.0.0.1 signed by it, made with openssl: `(ca, cert, key)`.
fn office_ca(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=sidw test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

#[test]
fn mail_goes_out_over_starttls_to_a_server_the_office_ca_vouches_for_and_not_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert, key) = office_ca(dir.path());
    let smtp = start_smtp_with(dir.path(), &[cert.as_path(), key.as_path()]);
    let settings = |db: &Path, ca: &str| {
        let text = format!(
            "host = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\nuser = \"secretariaat\"\npassword_file = \"smtp-wachtwoord\"\nretry_seconds = [0]\n{ca}",
            smtp.port
        );
        private(&sidw::mail_smtp::settings_path(db), &text);
    };

    // Only the public roots: the server's certificate is not trusted, nothing is delivered.
    let untrusted = dir.path().join("zonder-ca");
    assert!(sidw(&untrusted, &["demo"]).status.success());
    settings(&untrusted, "");
    let out = sidw(&untrusted, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("0 verstuurd, 4 mislukt"), "{}", text(&out));
    assert!(accepted(&smtp).is_empty());

    // With the office's CA: delivered, every message inside TLS and authenticated.
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    settings(&db, "ca_file = \"ca.pem\"\n");
    let out = sidw(&db, &["mail", "send", "--user", "anna", "--today", "01-12-2026"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("4 verstuurd, 0 mislukt"), "{}", text(&out));
    let got = accepted(&smtp);
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|m| m["tls"] == true && m["auth"] == true), "{got:?}");
}

#[test]
fn a_payment_advice_goes_to_each_payee_of_a_batch_with_its_amount_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let close = sidw(&db, &["close", "--quarter", "2025-Q1", "--network", "Zwolle-Zuid", "--user", "fin"]);
    assert!(close.status.success(), "{}", text(&close));
    let (physio_amount, team_amounts) = {
        let store = Store::open(&db).unwrap();
        let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap();
        let mut physio =
            store.partners(zwolle.id).unwrap().into_iter().find(|p| p.name == "Fysiotherapie Zwolle-Zuid").unwrap();
        physio.email = "fysio@zwollezuid.nl".into();
        store.update_partner(&ChangeContext::new("setup", chrono::Utc::now()), &physio).unwrap();
        let batch = store.batches().unwrap().into_iter().find(|b| b.number == "2025-Q1-0001").unwrap();
        let physio_line = batch.lines.iter().find(|l| l.partner == Some(physio.id)).unwrap();
        let team: Vec<String> = batch
            .lines
            .iter()
            .filter(|l| l.practice.is_some())
            .map(|l| sidw::domain::money::format_eur(l.amount))
            .collect();
        (sidw::domain::money::format_eur(physio_line.amount), team)
    };
    let smtp = start_smtp(dir.path());
    write_settings(&db, smtp.port, "[0]", 60);
    let unknown = sidw(&db, &["mail", "advice", "--batch", "2025-Q1-0099", "--user", "fin"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown).contains("betaalbatch '2025-Q1-0099' bestaat niet"), "{}", text(&unknown));

    let sent = sidw(&db, &["mail", "advice", "--batch", "2025-Q1-0001", "--user", "fin"]);
    assert!(sent.status.success(), "{}", text(&sent));
    assert!(text(&sent).contains("2 verstuurd, 0 mislukt"), "{}", text(&sent));
    let mut got = accepted(&smtp);
    got.sort_by_key(to_of);
    assert_eq!(got.iter().map(to_of).collect::<Vec<_>>(), ["a.devries@hadesch.nl", "fysio@zwollezuid.nl"]);
    let physio = got[1]["text"].as_str().unwrap();
    assert!(
        physio.contains(&format!(
            "Voor Fysiotherapie Zwolle-Zuid in netwerk Zwolle-Zuid maken wij over 2025-Q1 {physio_amount} over (batch 2025-Q1-0001)."
        )),
        "{physio}"
    );
    assert_eq!(got[1]["subject"], "Betaaladvies 2025-Q1 Zwolle-Zuid");
    let coordinator = got[0]["text"].as_str().unwrap();
    assert_eq!(team_amounts.len(), 2);
    for amount in &team_amounts {
        assert!(coordinator.contains(amount.as_str()), "{amount} in {coordinator}");
    }
    // Once: the same advice is not sent again.
    let again = sidw(&db, &["mail", "advice", "--batch", "2025-Q1-0001", "--user", "fin"]);
    assert!(text(&again).contains("0 e-mail(s) in de outbox"), "{}", text(&again));
    assert_eq!(accepted(&smtp).len(), 2);
}

#[test]
fn serve_does_not_start_with_mail_settings_others_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    assert!(sidw(&db, &["demo"]).status.success());
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let line = crate::server::user(&keys, "anna", "editor");
    std::fs::write(dir.path().join("db.users"), line + "\n").unwrap();
    private(&dir.path().join("smtp-wachtwoord"), PASSWORD);
    write_settings(&db, 2525, "[0]", 60);
    std::fs::set_permissions(sidw::mail_smtp::settings_path(&db), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = sidw(&db, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("de e-mailinstellingen zijn niet te gebruiken"), "{}", text(&out));
    assert!(text(&out).contains("chmod 600"), "{}", text(&out));
    assert!(!text(&out).contains(PASSWORD));
}
