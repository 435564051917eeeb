//! Files over SFTP (issue 16), with the real OpenSSH `sftp` and `scp -s` against `sidw serve`:
//! each user sees `exports/` (what their screen wrote, read-only) and `imports/` (forms for
//! `:importeer`), and nothing else of the server.

use crate::pty;
use crate::server;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sidw::app::Files;
use sidw::files::DiskFiles;

/// The options every client here is started with: the test's key, no host key prompt, no agent.
fn client_options(served: &server::Served, user: &str) -> Vec<String> {
    [
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "ConnectTimeout=10",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(["-P".into(), served.port.to_string(), "-i".into(), served.keys.join(user).display().to_string()])
    .collect()
}

/// Runs an `sftp -b -` batch as `user` in `cwd`, bounded in time.
fn sftp(served: &server::Served, user: &str, cwd: &Path, batch: &str) -> Output {
    let mut child = Command::new("sftp")
        .args(client_options(served, user))
        .args(["-b", "-"])
        .arg(format!("{user}@127.0.0.1"))
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("OpenSSH's sftp runs (Debian's openssh-client; .ci/run installs it)");
    child.stdin.take().unwrap().write_all(batch.as_bytes()).unwrap();
    wait_bounded(child)
}

fn wait_bounded(mut child: std::process::Child) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the client did not end within 30 s: {:?}", child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The served user's files as the app sees them (what `:importeer` lists and reads).
fn app_files(served: &server::Served, user: &str) -> DiskFiles {
    DiskFiles::served(&served.db, user, &served.db.with_extension("users"))
}

#[test]
fn the_root_has_two_folders_and_an_uploaded_form_is_what_importeer_lists() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "editor")]);
    let local = dir.path().join("thuis");
    std::fs::create_dir(&local).unwrap();
    let form = "netwerk;partner;maand;uren\nZwolle-Zuid;Pedicure Assendorp;oktober 2025;2\n";
    std::fs::write(local.join("oktober.csv"), form).unwrap();
    assert!(app_files(&served, "anna").imports().is_empty());

    let out = sftp(&served, "anna", &local, "pwd\nls -l\nput oktober.csv imports/oktober.csv\nls -l imports\n");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Remote working directory: /\n"), "{said}");
    let root: Vec<&str> = said
        .lines()
        .skip_while(|l| !l.starts_with("sftp> ls -l"))
        .skip(1)
        .take_while(|l| !l.starts_with("sftp>"))
        .collect();
    assert_eq!(root.len(), 2, "{said}");
    assert!(root[0].starts_with("dr-x------") && root[0].ends_with(" exports"), "{said}");
    assert!(root[1].starts_with("drwx------") && root[1].ends_with(" imports"), "{said}");
    assert!(said.lines().any(|l| l.starts_with("-rw-------") && l.ends_with(" oktober.csv")), "{said}");

    // What the screen's :importeer lists and reads is the uploaded form, whole.
    let files = app_files(&served, "anna");
    assert_eq!(files.imports(), vec!["oktober.csv".to_string()]);
    assert_eq!(files.read_import("oktober.csv").unwrap(), form.as_bytes());
    let on_disk: Vec<_> = std::fs::read_dir(served.db.with_extension("imports").join("anna"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, ["oktober.csv"], "no temporary file left");

    // Overwritten, read back, renamed and removed within imports/.
    std::fs::write(local.join("oktober.csv"), "netwerk;partner;maand;uren\n").unwrap();
    let out = sftp(
        &served,
        "anna",
        &local,
        "put oktober.csv imports/oktober.csv\nget imports/oktober.csv terug.csv\nrename imports/oktober.csv imports/okt.csv\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(local.join("terug.csv")).unwrap(), "netwerk;partner;maand;uren\n");
    assert_eq!(app_files(&served, "anna").imports(), vec!["okt.csv".to_string()]);
    let out = sftp(&served, "anna", &local, "rm imports/okt.csv\n");
    assert!(out.status.success(), "{}", text(&out));
    assert!(app_files(&served, "anna").imports().is_empty());
}

#[test]
fn exports_are_read_only_and_nothing_else_of_the_server_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "finance"), ("bert", "finance")]);
    let local = dir.path().join("thuis");
    std::fs::create_dir(&local).unwrap();
    std::fs::write(local.join("x.csv"), "x").unwrap();
    // The folders are made at the first session; then the screen's exports land in them.
    let out = sftp(&served, "anna", &local, "ls\n");
    assert!(out.status.success(), "{}", text(&out));
    let out = sftp(&served, "bert", &local, "ls\n");
    assert!(out.status.success(), "{}", text(&out));
    let exports = served.db.with_extension("exports");
    std::fs::write(exports.join("anna/betalingen-1.csv"), "anna's batch").unwrap();
    std::fs::write(exports.join("bert/betalingen-2.csv"), "bert's batch").unwrap();
    // A link planted in anna's folder, to the users file.
    std::os::unix::fs::symlink(served.db.with_extension("users"), exports.join("anna/gebruikers.csv")).unwrap();

    // Downloading works; the listing shows only anna's plain files.
    let out = sftp(&served, "anna", &local, "ls -1 exports\nget exports/betalingen-1.csv\n");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(std::fs::read_to_string(local.join("betalingen-1.csv")).unwrap(), "anna's batch");
    assert!(!said.contains("gebruikers.csv") && !said.contains("betalingen-2"), "{said}");

    // Each of these is refused (one batch each: sftp -b stops at the first failure).
    for (batch, why) in [
        ("put x.csv exports/x.csv", "Permission denied"),
        ("rm exports/betalingen-1.csv", "Permission denied"),
        ("rename exports/betalingen-1.csv imports/b.csv", "Permission denied"),
        ("mkdir imports/sub", "Permission denied"),
        ("get exports/gebruikers.csv", "not found"),
        ("get ../../etc/passwd", "not found"),
        ("get /etc/passwd", "not found"),
        ("get ../bert/betalingen-2.csv", "not found"),
        ("get ../../db.exports/bert/betalingen-2.csv", "not found"),
        ("cd /etc", "bestaat niet"),
        ("put x.csv /x.csv", "No such file"),
    ] {
        let out = sftp(&served, "anna", &local, &format!("{batch}\n"));
        let said = text(&out);
        assert!(!out.status.success(), "{batch} was not refused: {said}");
        assert!(said.contains(why), "{batch}: {said}");
    }
    assert!(!local.join("passwd").exists() && !local.join("gebruikers.csv").exists());
    assert!(!local.join("betalingen-2.csv").exists(), "bert's files are not anna's");
    assert_eq!(std::fs::read_to_string(exports.join("anna/betalingen-1.csv")).unwrap(), "anna's batch");
    assert!(!exports.join("anna/x.csv").exists());
    // `cd /` is the user's own root, with its two folders, not the server's.
    let out = sftp(&served, "anna", &local, "cd /\nls -1\n");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("exports\nimports\n") && !said.contains("etc"), "{said}");
}

#[test]
fn scp_in_sftp_mode_downloads_an_export_and_uploads_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "finance")]);
    let local = dir.path().join("thuis");
    std::fs::create_dir(&local).unwrap();
    assert!(sftp(&served, "anna", &local, "ls\n").status.success());
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(served.db.with_extension("exports").join("anna/jaarverslag-2025.xlsx"), &bytes).unwrap();
    let scp = |args: &[String]| {
        let child = Command::new("scp")
            .arg("-s")
            .args(client_options(&served, "anna"))
            .args(args)
            .current_dir(&local)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_bounded(child)
    };
    let out = scp(&["anna@127.0.0.1:exports/jaarverslag-2025.xlsx".into(), ".".into()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(local.join("jaarverslag-2025.xlsx")).unwrap(), bytes);
    std::fs::write(local.join("ion.csv"), "agb;naam\n").unwrap();
    let out = scp(&["ion.csv".into(), "anna@127.0.0.1:imports/".into()]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(app_files(&served, "anna").imports(), vec!["ion.csv".to_string()]);
    let out = scp(&["ion.csv".into(), "anna@127.0.0.1:exports/".into()]);
    assert!(!out.status.success(), "{}", text(&out));
}

#[test]
fn only_the_sftp_subsystem_is_offered_and_only_to_listed_users() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "viewer")]);
    let ssh = |user: &str, key: &str, subsystem: &str| {
        let mut options = client_options(&served, key);
        let port = options.iter().position(|o| o == "-P").unwrap();
        options[port] = "-p".into();
        let child = Command::new("ssh")
            .args(options)
            .arg("-s")
            .arg(format!("{user}@127.0.0.1"))
            .arg(subsystem)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_bounded(child)
    };
    let refused = ssh("anna", "anna", "netconf");
    assert!(!refused.status.success());
    assert!(text(&refused).contains("subsystem request failed"), "{}", text(&refused));
    // Unknown user: not in at all.
    let stranger = ssh("bert", "anna", "sftp");
    assert!(!stranger.status.success());
    assert!(text(&stranger).contains("Permission denied"), "{}", text(&stranger));
    // The same connection setup with sftp works (the subsystem ends when its input does).
    let out = sftp(&served, "anna", dir.path(), "ls\n");
    assert!(out.status.success(), "{}", text(&out));
}

/// The must-show: a finance user closes a quarter and writes its payment files from the served
/// screen, then fetches the pain.001 file with `sftp`, byte for byte the file on the server.
#[test]
fn a_finance_users_payment_file_written_from_the_screen_is_fetched_with_sftp() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("fien", "finance")]);
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("exec {}", served.ssh("fien", "fien")));
    let mut screen = pty::Pty::spawn(command, 120, 30);
    screen.wait_for("1 Netwerken", Duration::from_secs(20));
    screen.write(b"3");
    screen.wait_for("Budget 20", Duration::from_secs(10));
    screen.write(b":netwerk Zwolle-Zuid\r");
    screen.wait_for("Netwerk Zwolle-Zuid.", Duration::from_secs(10));
    screen.write(b":kwartaal 2025-Q1\r");
    screen.wait_for("Zwolle-Zuid · 2025-Q1", Duration::from_secs(10));
    screen.write(b"a");
    screen.write(b"c");
    screen.write(b"j");
    screen.write(b"a");
    screen.wait_for("batch 2025-Q1-0001", Duration::from_secs(20));
    screen.write(b"e");
    let shown = screen.wait_for("Geschreven:", Duration::from_secs(20));
    let message = shown.lines().find(|l| l.contains("Geschreven:")).unwrap();
    assert!(message.contains("betalingen-2025-Q1-0001.xml"), "the message names the file: {message}");

    let on_server = served.db.with_extension("exports").join("fien/betalingen-2025-Q1-0001.xml");
    let written = std::fs::read(&on_server).unwrap();
    assert!(String::from_utf8_lossy(&written).contains("pain.001.001.09"));
    let local = dir.path().join("thuis");
    std::fs::create_dir(&local).unwrap();
    let out = sftp(&served, "fien", &local, "ls -1 exports\nget exports/betalingen-2025-Q1-0001.xml\n");
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("betalingen-2025-Q1-0001.csv"), "the CSV is there too: {said}");
    assert_eq!(std::fs::read(local.join("betalingen-2025-Q1-0001.xml")).unwrap(), written, "byte for byte");
    // The other way: a form put in imports/ is what the same screen's :importeer offers.
    std::fs::write(local.join("oktober.csv"), "netwerk;partner;maand;uren\n").unwrap();
    let out = sftp(&served, "fien", &local, "put oktober.csv imports/\n");
    assert!(out.status.success(), "{}", text(&out));
    // Esc leaves the close screen (a pause after it, as a person makes: Esc and ':' at once
    // would be Alt-':').
    screen.write(b"\x1b");
    std::thread::sleep(Duration::from_millis(300));
    screen.write(b":importeer\r");
    screen.wait_for("uit uw importmap: oktober.csv", Duration::from_secs(10));
}

/// An open SFTP session ends when its user leaves the users file (as a screen does); another
/// user's session stays.
#[test]
fn an_sftp_session_ends_when_its_user_leaves_the_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let served = server::Served::start(dir.path(), &[("anna", "editor"), ("bert", "editor")]);
    let users = served.db.with_extension("users");
    let open = |user: &str| {
        let mut child = Command::new("sftp")
            .args(client_options(&served, user))
            .args(["-b", "-"])
            .arg(format!("{user}@127.0.0.1"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The batch is not ended: the session stays open after its first command.
        child.stdin.as_mut().unwrap().write_all(b"ls\n").unwrap();
        child
    };
    let (mut anna, mut bert) = (open("anna"), open("bert"));
    let start = Instant::now();
    while !served.db.with_extension("imports").join("bert").is_dir()
        || !served.db.with_extension("imports").join("anna").is_dir()
    {
        assert!(start.elapsed() < Duration::from_secs(10), "the sessions did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(anna.try_wait().unwrap().is_none() && bert.try_wait().unwrap().is_none(), "both are open");
    let kept: Vec<String> =
        std::fs::read_to_string(&users).unwrap().lines().filter(|l| l.starts_with("anna ")).map(String::from).collect();
    std::fs::write(&users, kept.join("\n") + "\n").unwrap();
    // sftp notices the closed connection at its next command.
    let start = Instant::now();
    while bert.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(5), "bert's sftp did not end");
        let _ = bert.stdin.as_mut().unwrap().write_all(b"ls\n");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!bert.wait().unwrap().success());
    anna.stdin.as_mut().unwrap().write_all(b"ls imports\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(anna.try_wait().unwrap().is_none(), "anna's session stays");
    drop(anna.stdin.take());
    let start = Instant::now();
    while anna.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "anna's sftp did not end with its batch");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(anna.wait().unwrap().success());
}
