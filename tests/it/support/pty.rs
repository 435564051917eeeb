//! A program in a real pseudo-terminal (libc's openpty; the pty is its controlling terminal), its
//! output read into a vt100 screen, bytes written to it as a terminal would: one write each.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]
#![allow(unsafe_code, reason = "a pty is libc: openpty, fds, setsid/TIOCSCTTY, write; each with its SAFETY")]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Pty {
    pub child: Child,
    master: std::fs::File,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote, for what comes after it left the alternate screen.
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// Runs `command` in a pty of `columns` × `rows`.
    pub fn spawn(mut command: Command, columns: u16, rows: u16) -> Self {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize { ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: openpty writes two fds into our locals and reads the winsize we own; the other pointers may be null.
        let made = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
        assert_eq!(made, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: openpty succeeded, so both fds are open, and each is owned only by what wraps it here.
        let slave = unsafe { OwnedFd::from_raw_fd(slave) };
        // SAFETY: as above.
        let master = unsafe { std::fs::File::from_raw_fd(master) };
        command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR");
        // SAFETY: the closure runs in the forked child before exec and calls only async-signal-safe
        // functions (setsid, ioctl) and reads errno.
        unsafe {
            command.pre_exec(|| {
                // A session of its own with the pty as its controlling terminal (/dev/tty).
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("the program starts in the pty");
        drop(slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, columns, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let (screen2, raw2) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                screen2.lock().unwrap().process(&buffer[..n]);
                raw2.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        Self { child, master, screen, raw }
    }

    /// Writes bytes to the program in one write, as a terminal does for one burst of typing.
    pub fn write(&mut self, bytes: &[u8]) {
        // SAFETY: writes from a live slice of exactly `bytes.len()` bytes to the fd we own.
        let written = unsafe { libc::write(self.master.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
        assert_eq!(usize::try_from(written).ok(), Some(bytes.len()), "one write");
        self.master.flush().unwrap();
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.screen.lock().unwrap().screen())
    }

    /// Everything written so far, as text.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    pub fn wait_for(&self, text: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(start.elapsed() < within, "'{text}' did not appear within {within:?}; the screen shows:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the program's output (not only the screen) satisfies `done`.
    pub fn wait_output(&self, within: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let output = self.output();
            if done(&output) {
                return output;
            }
            assert!(start.elapsed() < within, "the output did not come within {within:?}:\n{output:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Has the program ended (within `within`)?
    pub fn ended(&mut self, within: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
