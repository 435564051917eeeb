//! The local runner: raw stdin bytes in, through the same parser as a served session
//! (`serve::input::Input`, which holds an incomplete escape sequence until it completes or times
//! out), frames out on the terminal sidw was started in. Crossterm (through ratatui) still does
//! raw mode, the alternate screen and the size.

use anyhow::Result;
use std::io::{IsTerminal, Read};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::app::{Action, App, system_clock};
use crate::serve::input::Input;
use crate::store::{ChangeContext, Store};
use crate::ui::{self, Theme};

/// How often the runner looks whether the terminal was resized while no key arrives.
const RESIZE_POLL: Duration = Duration::from_millis(100);

/// Runs the screen until the user quits. The terminal is restored on exit and on a panic.
pub fn run(store: Store) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "het scherm van sidw draait alleen in een terminal; gebruik de opdrachten (sidw --help) in scripts"
        );
    }
    let user = ChangeContext::local_now().user;
    let theme = Theme::from_env();
    let files = crate::files::DiskFiles::local(store.path());
    let mut app = App::new(store, user, system_clock()).with_files(std::sync::Arc::new(files));
    let mut terminal = ratatui::init(); // alternate screen, raw mode, and a panic hook that restores both
    let bytes = read_stdin();
    let result = (|| -> Result<()> {
        let mut size = terminal.size()?;
        app.handle(Action::Resize(size.width, size.height));
        let mut input = Input::default();
        let mut dirty = true;
        while !app.quit {
            if dirty {
                terminal.draw(|frame| ui::draw(frame, &app, &theme))?;
                dirty = false;
            }
            let wait = input.due().map_or(RESIZE_POLL, |due| due.min(RESIZE_POLL));
            let keys = match bytes.recv_timeout(wait) {
                Ok(chunk) => input.feed(&chunk),
                Err(RecvTimeoutError::Timeout) if input.due() == Some(Duration::ZERO) => input.flush(),
                Err(RecvTimeoutError::Timeout) => Vec::new(),
                Err(RecvTimeoutError::Disconnected) => break, // stdin closed: the terminal is gone
            };
            for key in keys {
                ui::keymap::dispatch(&mut app, key);
                dirty = true;
            }
            let now = terminal.size()?;
            if now != size {
                size = now;
                terminal.autoresize()?;
                app.handle(Action::Resize(size.width, size.height));
                dirty = true;
            }
        }
        Ok(())
    })();
    ratatui::restore();
    // Changes are flushed when saved; this writes out the remembered network and quarter too.
    let _ = app.store().flush();
    result
}

/// Stdin's bytes as they arrive, one chunk per read (a thread blocks on the reads; it ends with
/// the process).
fn read_stdin() -> Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buffer = [0u8; 4096];
        loop {
            match stdin.read(&mut buffer) {
                Ok(0) => return,
                Ok(n) => {
                    if sender.send(buffer[..n].to_vec()).is_err() {
                        return;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    });
    receiver
}
