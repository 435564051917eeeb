//! A real `sidw serve` on 127.0.0.1 for the SSH tests, with users made by ssh-keygen.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub struct Served {
    pub child: Child,
    pub port: u16,
    pub db: PathBuf,
    pub keys: PathBuf,
}

/// Makes an Ed25519 key pair `keys/NAME` (+ `.pub`) with ssh-keygen and returns the users-file line.
pub fn user(keys: &Path, name: &str, role: &str) -> String {
    let key = keys.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs (Debian's openssh-client; .ci/run installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    format!("{name} {role} {}", std::fs::read_to_string(key.with_extension("pub")).unwrap().trim())
}

impl Served {
    /// `ssh -p PORT -i keys/USER USER@127.0.0.1 COMMAND`, without a terminal, its three streams
    /// piped: an SSH exec request as the user sends it.
    pub fn exec_command(&self, user: &str, command: &str) -> Command {
        let mut ssh = Command::new("ssh");
        ssh.args(["-p", &self.port.to_string()])
            .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"])
            .args(["-o", "BatchMode=yes", "-T", "-i"])
            .arg(self.keys.join(user))
            .arg(format!("{user}@127.0.0.1"))
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        ssh
    }

    /// [`Served::exec_command`] run to its end with `stdin` fed to it (from a thread, so a
    /// command that does not read it cannot block the test).
    pub fn exec(&self, user: &str, command: &str, stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self.exec_command(user, command).spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        let bytes = stdin.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = input.write_all(&bytes);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        out
    }

    /// Loads the demo into `dir/db`, writes the users file and starts the server on a free port.
    pub fn start(dir: &Path, users: &[(&str, &str)]) -> Self {
        let db = dir.join("db");
        let keys = dir.join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        let demo = Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(&db).arg("demo").output().unwrap();
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
        let lines: Vec<String> = users.iter().map(|(name, role)| user(&keys, name, role)).collect();
        std::fs::write(dir.join("db.users"), lines.join("\n") + "\n").unwrap();
        Self::spawn(db, keys)
    }

    /// Like [`Served::start`], with `setup` run on the store (after the demo) before serving.
    pub fn start_with(dir: &Path, users: &[(&str, &str)], setup: impl FnOnce(&sidw::store::Store)) -> Self {
        let db = dir.join("db");
        let keys = dir.join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        {
            let store = sidw::store::Store::open(&db).unwrap();
            let ctx = sidw::store::ChangeContext::new("setup", chrono::Utc::now());
            // A database copied in beforehand (the history data set of the load test) keeps its own data.
            if store.is_empty() {
                sidw::demo::load(&store, &ctx, ctx.at.date_naive()).unwrap();
            }
            setup(&store);
        }
        // The lock goes with the store's last clone (a thread may hold one a moment longer).
        for _ in 0..500 {
            match sidw::store::Store::open(&db) {
                Err(sidw::store::StoreError::Locked { .. }) => std::thread::sleep(std::time::Duration::from_millis(10)),
                _ => break,
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        let lines: Vec<String> = users.iter().map(|(name, role)| user(&keys, name, role)).collect();
        std::fs::write(dir.join("db.users"), lines.join("\n") + "\n").unwrap();
        Self::spawn(db, keys)
    }

    /// Starts (again) on an existing database and users file.
    pub fn spawn(db: PathBuf, keys: PathBuf) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sidw"))
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("the server printed where it listens").unwrap();
            if let Some(rest) = line.split("luistert op 127.0.0.1:").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Self { child, port, db, keys }
    }

    /// The ssh command line for a user, as a person would type it (host key accepted once).
    pub fn ssh(&self, key: &str, user: &str) -> String {
        format!(
            "ssh -p {} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -t -i {} {user}@127.0.0.1",
            self.port,
            self.keys.join(key).display()
        )
    }

    pub fn stop(&mut self) {
        unsafe_kill(&self.child, "TERM");
        let _ = self.child.wait();
    }
}

pub fn unsafe_kill(child: &Child, signal: &str) {
    let _ = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
