//! `sidw serve`: one process owns the database and is the SSH server. Every staff member connects
//! with a normal SSH client and gets their own session of the same app; colleagues' changes appear
//! live. Public keys only; users and roles come from the users file.

mod host_key;
pub mod input;
pub mod session;

use anyhow::{Context, Result};
use russh::server::{Auth, Handler, Msg, Server, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet, Pty};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::store::Store;
use crate::users::{User, UsersFile};
use session::Event;

/// Where the server listens and keeps its files.
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub users: PathBuf,
    pub host_key: PathBuf,
}

impl ServeOptions {
    /// The users file and host key beside the database directory: `DB.users`, `DB.host_key`.
    pub fn beside(db: &Path, listen: SocketAddr, users: Option<PathBuf>, host_key: Option<PathBuf>) -> Self {
        let sibling = |suffix: &str| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        Self {
            listen,
            users: users.unwrap_or_else(|| sibling(".users")),
            host_key: host_key.unwrap_or_else(|| sibling(".host_key")),
        }
    }
}

/// The file beside a served database that says where it is served.
pub fn marker_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".serve");
    PathBuf::from(name)
}

/// Serves the store until SIGTERM or Ctrl-C, then flushes and stops.
pub fn run(store: Store, options: ServeOptions) -> Result<()> {
    let users = UsersFile::load(&options.users).with_context(|| {
        format!(
            "kan het gebruikersbestand {} niet lezen; maak het aan met regels 'GEBRUIKER ROL SLEUTEL'",
            options.users.display()
        )
    })?;
    let key = host_key::load_or_create(&options.host_key)?;
    let runtime = tokio::runtime::Runtime::new().context("kan de server niet starten")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("kan niet luisteren op {}", options.listen))?;
        let address = listener.local_addr()?;
        let marker = marker_path(store.path());
        std::fs::write(&marker, format!("{address}\n{}\n", std::process::id()))
            .with_context(|| format!("kan {} niet schrijven", marker.display()))?;
        println!(
            "sidw serve: database {} · luistert op {address} · host key {}",
            store.path().display(),
            host_key::fingerprint(&key)
        );
        println!("sidw serve: {} gebruikers uit {}", users.users.users.len(), options.users.display());
        let users = Arc::new(RwLock::new(users));
        tokio::spawn(reload_users(users.clone()));
        tokio::spawn(daily_backups(store.clone(), backups_dir(store.path())));
        let config = russh::server::Config {
            methods: MethodSet::from(&[MethodKind::PublicKey][..]),
            keys: vec![key],
            inactivity_timeout: None,
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 10,
            auth_rejection_time: Duration::from_millis(500),
            auth_rejection_time_initial: Some(Duration::ZERO),
            nodelay: true,
            ..Default::default()
        };
        let mut server = SidwServer { store: store.clone(), users, users_path: options.users.clone() };
        let result = tokio::select! {
            result = server.run_on_socket(Arc::new(config), &listener) => result.map_err(anyhow::Error::from),
            _ = shutdown() => Ok(()),
        };
        let _ = std::fs::remove_file(&marker);
        result
    })?;
    store.flush()?;
    println!("sidw serve: gestopt; alles is weggeschreven.");
    Ok(())
}

/// The directory the server keeps its daily backups in: `DB.backups`.
pub fn backups_dir(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".backups");
    PathBuf::from(name)
}

/// How many daily backups are kept.
pub const BACKUPS_KEPT: usize = 30;

/// A backup at start and then every 24 hours; the oldest beyond the last 30 are removed.
async fn daily_backups(store: Store, dir: PathBuf) {
    loop {
        let (store, dir2) = (store.clone(), dir.clone());
        let result = tokio::task::spawn_blocking(move || write_backup(&store, &dir2)).await;
        match result {
            Ok(Ok(path)) => println!("sidw serve: back-up {}", path.display()),
            Ok(Err(error)) => eprintln!("sidw serve: back-up mislukt: {error:#}"),
            Err(error) => eprintln!("sidw serve: back-up mislukt: {error}"),
        }
        tokio::time::sleep(Duration::from_secs(24 * 60 * 60)).await;
    }
}

/// Writes one backup into `dir` and keeps the newest [`BACKUPS_KEPT`].
pub fn write_backup(store: &Store, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("kan {} niet maken", dir.display()))?;
    let path = dir.join(format!("sidw-{}.sidwbak", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
    crate::store::backup_file::write_file(&store.dump()?, &path)?;
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sidwbak"))
        .collect();
    backups.sort();
    while backups.len() > BACKUPS_KEPT {
        let _ = std::fs::remove_file(backups.remove(0));
    }
    Ok(path)
}

async fn shutdown() {
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}

/// Reads the users file again whenever it changes (checked every second).
async fn reload_users(users: Arc<RwLock<UsersFile>>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut file = users.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        match file.refresh() {
            Ok(true) => {
                println!("sidw serve: gebruikersbestand opnieuw gelezen: {} gebruikers", file.users.users.len())
            }
            Ok(false) => {}
            Err(error) => {
                eprintln!("sidw serve: gebruikersbestand onleesbaar ({error}); de vorige lijst blijft gelden")
            }
        }
    }
}

#[derive(Clone)]
struct SidwServer {
    store: Store,
    users: Arc<RwLock<UsersFile>>,
    users_path: PathBuf,
}

impl Server for SidwServer {
    type Handler = Connection;

    fn new_client(&mut self, _: Option<SocketAddr>) -> Connection {
        Connection {
            server: self.clone(),
            user: None,
            size: (80, 24),
            no_color: false,
            input: input::Input::default(),
            events: None,
        }
    }
}

/// One SSH connection.
struct Connection {
    server: SidwServer,
    user: Option<User>,
    size: (u16, u16),
    /// The client sent NO_COLOR (OpenSSH: `SendEnv NO_COLOR`).
    no_color: bool,
    input: input::Input,
    events: Option<std::sync::mpsc::Sender<Event>>,
}

impl Connection {
    fn known(&self, name: &str, key: &russh::keys::PublicKey) -> Option<User> {
        let users = self.server.users.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        users.users.find(name, key).cloned()
    }

    fn send(&self, event: Event) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.send(Event::Closed);
    }
}

fn size(columns: u32, rows: u32) -> (u16, u16) {
    (u16::try_from(columns).unwrap_or(u16::MAX).max(1), u16::try_from(rows).unwrap_or(u16::MAX).max(1))
}

impl Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(if self.known(user, offer.public_key).is_some() { Auth::Accept } else { Auth::reject() })
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        match self.known(user, key.public_key) {
            Some(known) => {
                println!("sidw serve: {} ({}) is binnen", known.name, known.role.name());
                self.user = Some(known);
                Ok(Auth::Accept)
            }
            None => Ok(Auth::reject()),
        }
    }

    async fn channel_open_session(
        &mut self,
        _: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.events.is_some() {
            reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
        } else {
            reply.accept().await;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _: &str,
        columns: u32,
        rows: u32,
        _: u32,
        _: u32,
        _: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = size(columns, rows);
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == "NO_COLOR" {
            self.no_color = !value.is_empty();
        }
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let Some(user) = self.user.clone() else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        let (events, receiver) = std::sync::mpsc::channel();
        let (output, mut frames) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
        let handle = session.handle();
        tokio::spawn(async move {
            while let Some(bytes) = frames.recv().await {
                if handle.data(channel, bytes).await.is_err() {
                    break;
                }
            }
            let _ = handle.exit_status_request(channel, 0).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });
        let store = self.server.store.clone();
        let users_file = self.server.users_path.clone();
        let size = self.size;
        let theme = if self.no_color { crate::ui::Theme::monochrome() } else { crate::ui::Theme::colored() };
        std::thread::Builder::new()
            .name(format!("sidw-{}", user.name))
            .spawn(move || {
                session::run(
                    store,
                    session::Who { user: user.name, role: user.role, users_file, theme },
                    size,
                    receiver,
                    output,
                )
            })
            .context("kan geen sessie starten")?;
        self.events = Some(events);
        session.channel_success(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _: ChannelId,
        columns: u32,
        rows: u32,
        _: u32,
        _: u32,
        _: &mut Session,
    ) -> Result<(), Self::Error> {
        let (columns, rows) = size(columns, rows);
        self.send(Event::Resize(columns, rows));
        Ok(())
    }

    async fn data(&mut self, _: ChannelId, data: &[u8], _: &mut Session) -> Result<(), Self::Error> {
        let keys = self.input.keys(data);
        if !keys.is_empty() {
            self.send(Event::Keys(keys));
        }
        Ok(())
    }

    async fn channel_eof(&mut self, _: ChannelId, _: &mut Session) -> Result<(), Self::Error> {
        self.send(Event::Closed);
        Ok(())
    }

    async fn channel_close(&mut self, _: ChannelId, _: &mut Session) -> Result<(), Self::Error> {
        self.send(Event::Closed);
        Ok(())
    }
}
