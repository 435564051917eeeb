//! One SSH connection's app: its own thread (the store is blocking), keys in through a channel,
//! frames out through a bounded queue so that a slow client never holds up anyone else.

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{cursor, execute, terminal};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

use super::input::Input;
use crate::app::{Access, Action, App, OnlineUser, Role, Scope, system_clock};
use crate::store::Store;
use crate::ui::{self, Theme};

/// How often a session looks for colleagues' changes when no key arrives.
pub const TICK: Duration = Duration::from_millis(50);
/// The least time between two reloads for colleagues' changes: keeps twenty busy sessions from
/// spending the server on reloading, and keeps live updates well within 200 ms.
pub const REFRESH_AT_MOST_EVERY: Duration = Duration::from_millis(120);

/// How many frames may wait for a slow client, and how many bytes at most.
pub const QUEUED_FRAMES: usize = 16;
pub const QUEUED_BYTES_AT_MOST: usize = 8 * 1024 * 1024;

pub enum Event {
    /// Bytes the client typed, for the session's [`Input`] parser.
    Bytes(Vec<u8>),
    Resize(u16, u16),
    /// The users file gives the user another role or other regions.
    Role(Access),
    /// The user is no longer let in: the message is shown and the session ends.
    Revoked(String),
    /// The server stops (SIGTERM, Ctrl-C): the screen is left with a goodbye and the session ends.
    Shutdown,
    Closed,
}

/// Collects what ratatui writes and hands each frame to the connection's sender. When the client
/// cannot keep up, frames are dropped and the next one is drawn in full.
pub struct ChannelWriter {
    output: Sender<Vec<u8>>,
    buffer: Vec<u8>,
    state: Arc<WriterState>,
}

/// What the session loop needs to know about its writer.
#[derive(Default)]
pub struct WriterState {
    /// A frame was dropped: the client's screen is behind; draw the next one in full.
    dropped: AtomicBool,
    /// The connection is gone.
    closed: AtomicBool,
    /// Bytes handed to the connection and not yet sent.
    queued: AtomicUsize,
}

impl WriterState {
    /// The connection sent `len` bytes of the queue.
    pub fn sent(&self, len: usize) {
        let _ = self.queued.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |q| Some(q.saturating_sub(len)));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let len = self.buffer.len();
        if self.state.queued.load(Ordering::SeqCst) + len > QUEUED_BYTES_AT_MOST {
            // The client is far behind: forget this frame; the next one is drawn in full.
            self.buffer.clear();
            self.state.dropped.store(true, Ordering::SeqCst);
            return Ok(());
        }
        match self.output.try_send(std::mem::take(&mut self.buffer)) {
            Ok(()) => {
                self.state.queued.fetch_add(len, Ordering::SeqCst);
                Ok(())
            }
            Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                self.state.dropped.store(true, Ordering::SeqCst);
                Ok(())
            }
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => {
                // The connection is gone: the session loop sees the flag and ends.
                self.state.closed.store(true, Ordering::SeqCst);
                Ok(())
            }
        }
    }
}

/// Who the session is for, and how their screen looks.
pub struct Who {
    pub user: String,
    pub role: Role,
    /// The regions of the users file's line (none listed: all).
    pub scope: Scope,
    pub users_file: std::path::PathBuf,
    pub theme: Theme,
    /// The server's list of who has a screen open: the session is on it while it runs.
    pub online: OnlineList,
}

impl Who {
    pub fn access(&self) -> Access {
        Access::new(self.role, self.scope.clone())
    }
}

/// Who has a screen open on this server, one entry per screen (`:wie` and the admin's footer
/// read it through [`crate::app::Online`]). A session enters when it starts and leaves when it
/// ends, whatever ends it.
#[derive(Clone, Default)]
pub struct OnlineList {
    screens: Arc<std::sync::Mutex<Vec<(u64, OnlineUser)>>>,
    next: Arc<std::sync::atomic::AtomicU64>,
    /// Counts every change of the list (a screen in or out, a role changed): an open session
    /// compares it on its tick and redraws the admin's count and `:wie` when it moved.
    changes: Arc<std::sync::atomic::AtomicU64>,
}

/// A screen on the [`OnlineList`]: off it when dropped.
pub struct OnlineEntry {
    list: OnlineList,
    id: u64,
}

impl OnlineList {
    /// Puts a screen of `user` on the list, opened now.
    pub fn enter(&self, user: &str, access: &Access) -> OnlineEntry {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let entry = OnlineUser {
            user: user.to_string(),
            role: access.role,
            scope: access.scope.clone(),
            since: chrono::Utc::now(),
            screens: 1,
        };
        self.lock().push((id, entry));
        self.changed();
        OnlineEntry { list: self.clone(), id }
    }

    /// How many times the list has changed so far.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    fn changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, OnlineUser)>> {
        self.screens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl OnlineEntry {
    /// The users file changed the user's role or regions.
    pub fn set_access(&self, access: &Access) {
        let mut screens = self.list.lock();
        if let Some((_, entry)) = screens.iter_mut().find(|(id, _)| *id == self.id) {
            entry.role = access.role;
            entry.scope = access.scope.clone();
        }
        drop(screens);
        self.list.changed();
    }
}

impl Drop for OnlineEntry {
    fn drop(&mut self) {
        self.list.lock().retain(|(id, _)| *id != self.id);
        self.list.changed();
    }
}

impl crate::app::Online for OnlineList {
    /// One line per user, by name: since their first open screen, with how many are open.
    fn now(&self) -> Vec<OnlineUser> {
        let mut users: Vec<OnlineUser> = Vec::new();
        for (_, screen) in self.lock().iter() {
            match users.iter_mut().find(|u| u.user == screen.user) {
                Some(known) => {
                    known.screens += 1;
                    known.since = known.since.min(screen.since);
                }
                None => users.push(screen.clone()),
            }
        }
        users.sort_by(|a, b| a.user.cmp(&b.user));
        users
    }
}

/// The app of a served user: their role, and their files in their own exports and imports
/// folders beside the database (made now, so that forms can be dropped in; the screen says so
/// when they cannot be).
pub fn served_app(store: Store, who: &Who, clock: crate::app::Clock) -> App {
    let files = crate::files::DiskFiles::served(store.path(), &who.user, &who.users_file);
    let folders = files.make_folders();
    let mut app = App::with_access(store, who.user.clone(), who.access(), clock)
        .with_files(Arc::new(files))
        .with_online(Arc::new(who.online.clone()));
    if let Err(error) = folders {
        app.error(format!("Uw export- en importmap konden niet worden gemaakt: {error}"));
    }
    app
}

/// Runs one user's app until they quit or the connection goes.
pub fn run(
    store: Store,
    who: Who,
    size: (u16, u16),
    events: Receiver<Event>,
    output: Sender<Vec<u8>>,
    state: Arc<WriterState>,
) {
    let writer = ChannelWriter { output, buffer: Vec::new(), state: state.clone() };
    let viewport = Viewport::Fixed(Rect::new(0, 0, size.0.max(1), size.1.max(1)));
    let Ok(mut screen) = Terminal::with_options(CrosstermBackend::new(writer), TerminalOptions { viewport }) else {
        return;
    };
    let _ = execute!(
        screen.backend_mut(),
        terminal::EnterAlternateScreen,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All)
    );
    let theme = who.theme;
    let online = who.online.enter(&who.user, &who.access());
    let mut app = served_app(store, &who, system_clock());
    app.handle(Action::Resize(size.0, size.1));
    let mut dirty = true;
    let mut refreshed = std::time::Instant::now();
    let mut input = Input::default();
    let mut online_seen = who.online.changes();
    loop {
        if dirty {
            if state.dropped.swap(false, Ordering::SeqCst) {
                let _ = screen.clear();
            }
            if screen.draw(|frame| ui::draw(frame, &app, &theme)).is_err() || state.closed.load(Ordering::SeqCst) {
                let _ = screen.show_cursor();
                return;
            }
            dirty = false;
        }
        if app.quit {
            let _ = execute!(screen.backend_mut(), cursor::Show, terminal::LeaveAlternateScreen);
            return;
        }
        // A held part of a sequence waits at most ESC_TIMEOUT for its rest.
        let wait = input.due().map_or(TICK, |due| due.min(TICK));
        match events.recv_timeout(wait) {
            Ok(Event::Bytes(bytes)) => {
                for key in input.feed(&bytes) {
                    ui::keymap::dispatch(&mut app, key);
                }
                dirty = true;
            }
            Ok(Event::Resize(columns, rows)) => {
                let _ = screen.resize(Rect::new(0, 0, columns.max(1), rows.max(1)));
                app.handle(Action::Resize(columns, rows));
                dirty = true;
            }
            Ok(Event::Role(access)) => {
                online.set_access(&access);
                app.change_access(access);
                dirty = true;
            }
            Ok(Event::Revoked(message)) => {
                let backend = screen.backend_mut();
                let _ = execute!(backend, cursor::Show, terminal::LeaveAlternateScreen);
                let _ = write!(backend, "\r\n{message}\r\n");
                let _ = backend.flush();
                return;
            }
            Ok(Event::Shutdown) => {
                let backend = screen.backend_mut();
                let _ = execute!(backend, cursor::Show, terminal::LeaveAlternateScreen);
                let _ = write!(backend, "\r\n{}\r\n", goodbye(&app));
                let _ = backend.flush();
                return;
            }
            Ok(Event::Closed) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if input.due() == Some(Duration::ZERO) {
            for key in input.flush() {
                ui::keymap::dispatch(&mut app, key);
                dirty = true;
            }
        }
        // Someone logged in or out: the admin's footer count and an open `:wie` follow.
        let online_now = who.online.changes();
        if online_now != online_seen {
            online_seen = online_now;
            app.online_changed();
            dirty = true;
        }
        if app.is_stale() && refreshed.elapsed() >= REFRESH_AT_MOST_EVERY {
            app.handle(Action::Refresh);
            refreshed = std::time::Instant::now();
            dirty = true;
        }
    }
}

/// The one line a session leaves on the terminal when the server stops: saved work is kept, and
/// whether something being typed was not saved.
pub fn goodbye(app: &App) -> String {
    // Short enough for one line of an 80-column terminal.
    let lost = unsaved(&app.mode).unwrap_or_else(|| "er was niets half ingevoerd".to_string());
    format!("Server gestopt. Opgeslagen werk is bewaard; {lost}.")
}

/// What is lost with `mode`: typed hours or a form, also behind a question or the help.
fn unsaved(mode: &crate::app::Mode) -> Option<String> {
    use crate::app::{ConfirmKind, Mode};
    let typed = |text: &str| {
        let typed: String = text.chars().take(12).collect();
        format!("uw getypte {typed} is niet opgeslagen")
    };
    match mode {
        Mode::CellEdit(edit) if !edit.text.is_empty() => Some(typed(&edit.text)),
        Mode::Form(..) => Some("uw open formulier is niet opgeslagen".to_string()),
        Mode::Help { over, .. } => unsaved(over),
        Mode::Confirm(confirm) => match &confirm.kind {
            ConfirmKind::QuitWithEntry(edit) | ConfirmKind::OverBudget(edit) | ConfirmKind::DoubleFunding(edit)
                if !edit.text.is_empty() =>
            {
                Some(typed(&edit.text))
            }
            ConfirmKind::DiscardForm(..) => Some("uw open formulier is niet opgeslagen".to_string()),
            ConfirmKind::QuitFrom(over) => unsaved(over),
            ConfirmKind::Import(_) => Some("het urenformulier is niet ingelezen".to_string()),
            ConfirmKind::Close { .. } => Some("het kwartaal is niet afgesloten".to_string()),
            _ => None,
        },
        _ => None,
    }
}
