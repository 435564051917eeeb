//! `sidw serve`: one process owns the database and is the SSH server. Every staff member connects
//! with a normal SSH client and gets their own session of the same app; colleagues' changes appear
//! live. Public keys only; users and roles come from the users file.

mod backup_schedule;
mod chunked_input;
mod exec;
mod host_key;
pub mod input;
pub mod session;
pub mod sftp;
pub mod sftp_paths;
pub mod socket;

use anyhow::{Context, Result};
use russh::server::{Auth, Handler, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet, Pty};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::store::Store;
use crate::users::User;
use crate::users_file::UsersFile;
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

/// The largest screen a client may ask for (columns × rows): bounds each session's memory.
pub const MAX_COLUMNS: u16 = 500;
pub const MAX_ROWS: u16 = 200;
/// Sessions (screens and SFTP) one user may have open at once, and all users together: each
/// screen is a thread and an app.
pub const MAX_SESSIONS_PER_USER: usize = 10;
pub const MAX_SESSIONS: usize = 200;

/// How long a connection may take to log in, and how many may be busy logging in at once
/// (OpenSSH's MaxStartups idea): beyond that a new connection is closed at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub auth_deadline: Duration,
    pub max_unauthenticated: usize,
    pub max_unauthenticated_per_source: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { auth_deadline: Duration::from_secs(30), max_unauthenticated: 200, max_unauthenticated_per_source: 30 }
    }
}

impl Limits {
    /// The defaults, or for tests: SIDW_AUTH_DEADLINE_MS, SIDW_MAX_UNAUTH, SIDW_MAX_UNAUTH_PER_SOURCE.
    pub fn from_env() -> Self {
        let read = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|v| *v > 0);
        let default = Self::default();
        Self {
            auth_deadline: read("SIDW_AUTH_DEADLINE_MS").map_or(default.auth_deadline, Duration::from_millis),
            max_unauthenticated: read("SIDW_MAX_UNAUTH").map_or(default.max_unauthenticated, |v| v as usize),
            max_unauthenticated_per_source: read("SIDW_MAX_UNAUTH_PER_SOURCE")
                .map_or(default.max_unauthenticated_per_source, |v| v as usize),
        }
    }
}

/// Refuses to serve without a readable users file (before any database is opened or made).
pub fn check_users_file(options: &ServeOptions) -> Result<()> {
    match std::fs::metadata(&options.users) {
        Ok(meta) if meta.is_file() => {
            std::fs::File::open(&options.users)
                .with_context(|| format!("kan het gebruikersbestand {} niet lezen", options.users.display()))?;
            Ok(())
        }
        Ok(_) => {
            anyhow::bail!("{} is geen bestand; geef met --users het gebruikersbestand op", options.users.display())
        }
        Err(_) => anyhow::bail!(
            "geen gebruikersbestand {}: zonder gebruikers kan niemand binnen. Maak het aan met regels 'GEBRUIKER ROL SLEUTELTYPE SLEUTEL' (of geef --users BESTAND op) en start opnieuw",
            options.users.display()
        ),
    }
}

/// Serves the store until SIGTERM or Ctrl-C, then flushes and stops.
pub fn run(store: Store, options: ServeOptions) -> Result<()> {
    check_users_file(&options)?;
    // The nightly backups go here: a folder sidw cannot write is said now, not found out at 02:00.
    let backups = backups_dir(store.path());
    create_shared_dir(&backups).with_context(|| format!("de back-upmap {} is niet te gebruiken", backups.display()))?;
    // A mail settings file that cannot be used (others may read it, a typo) is said now.
    let mail =
        crate::mail_smtp::MailSettings::load(store.path()).context("de e-mailinstellingen zijn niet te gebruiken")?;
    few_heap_arenas();
    let users = UsersFile::load(&options.users)
        .with_context(|| format!("kan het gebruikersbestand {} niet lezen", options.users.display()))?;
    let key = host_key::load_or_create(&options.host_key)?;
    let limits = Limits::from_env();
    let runtime = tokio::runtime::Runtime::new().context("kan de server niet starten")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("kan niet luisteren op {}", options.listen))?;
        let address = listener.local_addr()?;
        let marker = marker_path(store.path());
        write_private(&marker, format!("{address}\n{}\n", std::process::id()).as_bytes())
            .with_context(|| format!("kan {} niet schrijven", marker.display()))?;
        // The local command line (cron) reaches the served database through DB.sock.
        let _socket = socket::listen(store.clone()).await?;
        println!(
            "sidw serve: database {} · luistert op {address} · host key {}",
            store.path().display(),
            host_key::fingerprint(&key)
        );
        println!(
            "sidw serve: {} uit {}",
            crate::domain::dutch::count(users.users.users.len(), "gebruiker", "gebruikers"),
            options.users.display()
        );
        println!(
            "sidw serve: aanmelden binnen {} s; hoogstens {} verbindingen tegelijk zonder aanmelding ({} per adres)",
            limits.auth_deadline.as_secs_f64(),
            limits.max_unauthenticated,
            limits.max_unauthenticated_per_source
        );
        let users = Arc::new(RwLock::new(users));
        let (changes, _) = tokio::sync::watch::channel(0u64);
        tokio::spawn(reload_users(users.clone(), changes.clone()));
        tokio::spawn(daily_backups(store.clone(), backups_dir(store.path())));
        match mail {
            Some(settings) => {
                println!("sidw serve: e-mail via {}:{}", settings.host, settings.port);
                tokio::spawn(crate::mail_smtp::deliver_while_serving(store.clone(), Arc::new(settings)));
            }
            None => println!("sidw serve: geen e-mailinstellingen; de outbox wordt niet verstuurd"),
        }
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
        let server = SidwServer {
            store: store.clone(),
            users,
            users_path: options.users.clone(),
            changes: Arc::new(changes),
            pending: Arc::new(Mutex::new(Pending::default())),
            sessions: Arc::new(Mutex::new(std::collections::HashMap::new())),
            stopping: Arc::new(tokio::sync::watch::channel(false).0),
            screens: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            online: session::OnlineList::default(),
        };
        let (stopping, screens) = (server.stopping.clone(), server.screens.clone());
        tokio::select! {
            _ = accept_loop(listener, Arc::new(config), server, limits) => {},
            _ = shutdown() => {},
        };
        // Every open screen says goodbye (leaves the alternate screen, shows the cursor, one line
        // on what was not saved) and its channel is closed; at most a few seconds for all.
        stopping.send_replace(true);
        let deadline = Instant::now() + GOODBYE_WITHIN;
        while screens.load(std::sync::atomic::Ordering::SeqCst) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = std::fs::remove_file(&marker);
        anyhow::Ok(())
    })?;
    store.flush()?;
    println!("sidw serve: gestopt; alles is weggeschreven.");
    Ok(())
}

/// How long a stopping server waits for its screens to say goodbye.
pub const GOODBYE_WITHIN: Duration = Duration::from_secs(3);

/// Accepts connections until the server stops. A failed accept (too many open files, …) is
/// passing: it is logged once per burst, the loop waits a moment and goes on.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    config: Arc<russh::server::Config>,
    server: SidwServer,
    limits: Limits,
) {
    let mut failing = false;
    let mut refused = 0usize;
    let mut refused_logged: Option<Instant> = None;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                if !failing {
                    eprintln!("sidw serve: kan geen verbinding aannemen ({error}); de server wacht even en gaat door");
                    failing = true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if failing {
            eprintln!("sidw serve: verbindingen worden weer aangenomen");
            failing = false;
        }
        let Some(slot) = Pending::admit(&server.pending, peer.ip(), &limits) else {
            drop(stream);
            refused += 1;
            if refused_logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
                eprintln!(
                    "sidw serve: {refused} verbinding(en) gesloten: te veel tegelijk zonder aanmelding (laatste van {})",
                    peer.ip()
                );
                refused = 0;
                refused_logged = Some(Instant::now());
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (authenticated, authenticated_rx) = tokio::sync::oneshot::channel();
        let handler = Connection::new(server.clone(), slot, authenticated);
        tokio::spawn(serve_connection(config.clone(), stream, handler, authenticated_rx, limits.auth_deadline));
    }
}

/// Runs one connection; one that has not logged in by the deadline is closed.
async fn serve_connection(
    config: Arc<russh::server::Config>,
    stream: tokio::net::TcpStream,
    handler: Connection,
    authenticated: tokio::sync::oneshot::Receiver<()>,
    deadline: Duration,
) {
    let deadline = tokio::time::sleep(deadline);
    tokio::pin!(deadline);
    let running = tokio::select! {
        running = russh::server::run_stream(config, stream, handler) => match running {
            Ok(running) => running,
            Err(_) => return,
        },
        // Not even the SSH greeting in time: dropping the stream closes it.
        _ = &mut deadline => return,
    };
    let handle = running.handle();
    tokio::pin!(running);
    tokio::select! {
        _ = &mut running => {}
        _ = authenticated => { let _ = running.await; }
        _ = &mut deadline => {
            let _ = handle
                .disconnect(russh::Disconnect::ByApplication, "niet op tijd aangemeld".into(), "nl".into())
                .await;
            let _ = tokio::time::timeout(Duration::from_secs(2), running).await;
        }
    }
}

/// Connections that have not logged in yet, overall and per source address.
#[derive(Default)]
struct Pending {
    total: usize,
    per_source: HashMap<IpAddr, usize>,
}

impl Pending {
    fn admit(pending: &Arc<Mutex<Pending>>, source: IpAddr, limits: &Limits) -> Option<PendingSlot> {
        let mut this = pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let from_source = this.per_source.get(&source).copied().unwrap_or(0);
        if this.total >= limits.max_unauthenticated || from_source >= limits.max_unauthenticated_per_source {
            return None;
        }
        this.total += 1;
        this.per_source.insert(source, from_source + 1);
        Some(PendingSlot { pending: pending.clone(), source })
    }
}

/// A place among the connections that have not logged in; given back when dropped.
struct PendingSlot {
    pending: Arc<Mutex<Pending>>,
    source: IpAddr,
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut this = self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        this.total = this.total.saturating_sub(1);
        if let Some(count) = this.per_source.get_mut(&self.source) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                this.per_source.remove(&self.source);
            }
        }
    }
}

/// Writes a file only its owner may read (0600).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)
    }
    #[cfg(not(unix))]
    std::fs::write(path, bytes)
}

/// Makes one of sidw's own folders (`DB.backups`, `DB.exports`, `DB.exports/USER`,
/// `DB.imports/USER`) private: made 0700 when missing (with its missing parents), tightened to
/// 0700 when it is there with a wider mode, and refused when it is a link, not a folder, or
/// another user's (someone could otherwise point it at a place of their choosing).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        match std::fs::symlink_metadata(dir) {
            Ok(meta) if !meta.file_type().is_dir() => Err(std::io::Error::other(format!(
                "{} is geen gewone map (een koppeling of een bestand): sidw schrijft daar niet",
                dir.display()
            ))),
            Ok(meta) if meta.uid() != effective_user() => Err(not_ours(dir, meta.uid())),
            Ok(meta) if meta.mode() & 0o077 != 0 => {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            }
            Ok(_) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            }
            Err(error) => Err(error),
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Makes one of sidw's shared folders (`DB.backups`, `DB.exports`, `DB.imports`): as
/// [`create_private_dir`], but it may be a link the administrator made (to a bigger disk); the
/// folder it leads to must be this user's.
pub(crate) fn create_shared_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(dir) {
            Ok(link) if link.file_type().is_symlink() => match std::fs::metadata(dir) {
                Ok(meta) if !meta.is_dir() => {
                    Err(std::io::Error::other(format!("{} leidt niet naar een map", dir.display())))
                }
                Ok(meta) if meta.uid() != effective_user() => Err(not_ours(dir, meta.uid())),
                Ok(_) => Ok(()),
                Err(error) => Err(error),
            },
            _ => create_private_dir(dir),
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// A folder of another user: said with what to do.
#[cfg(unix)]
fn not_ours(dir: &Path, owner: u32) -> std::io::Error {
    std::io::Error::other(format!(
        "{} is van een andere gebruiker (uid {owner}) en sidw schrijft daar niet; maak de map van de gebruiker \
         die sidw draait (chown) of verwijder hem, dan maakt sidw hem opnieuw",
        dir.display()
    ))
}

/// Makes a folder the user named (the one a host key goes in) when it is missing, 0700; one that
/// is there is left as it is: it may be `/tmp` or the folder holding the database, whose mode is
/// not sidw's to change.
pub(crate) fn create_missing_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn effective_user() -> u32 {
    // SAFETY: geteuid only reads the process's effective user id; it cannot fail.
    unsafe { libc::geteuid() }
}

/// The directory the server keeps its daily backups in: `DB.backups`.
pub fn backups_dir(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".backups");
    PathBuf::from(name)
}

/// The directory of a served user's hours forms to import: `DB.imports/USER`. `:importeer` on
/// a served screen reads only from there, never any other path on the server.
pub fn imports_dir(db: &Path, user: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".imports");
    PathBuf::from(name).join(user)
}

/// How many daily backups are kept.
pub const BACKUPS_KEPT: usize = 30;

/// A backup every night at 02:00 office time, and at start when the newest is a day old or there
/// is none (see `backup_schedule`); the oldest beyond the last 30 are removed.
async fn daily_backups(store: Store, dir: PathBuf) {
    let mut due = backup_schedule::first_backup(backup_schedule::now(), backup_schedule::newest_backup(&dir));
    loop {
        let wait = (due - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if !wait.is_zero() {
            println!("sidw serve: volgende back-up {}", due.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M"));
            tokio::time::sleep(wait).await;
        }
        let (store, dir2) = (store.clone(), dir.clone());
        let result = tokio::task::spawn_blocking(move || {
            let written = write_backup(&store, &dir2);
            give_back_free_memory();
            written
        })
        .await;
        match result {
            Ok(Ok(path)) => println!("sidw serve: back-up {}", path.display()),
            Ok(Err(error)) => eprintln!("sidw serve: back-up mislukt: {error:#}"),
            Err(error) => eprintln!("sidw serve: back-up mislukt: {error}"),
        }
        due = backup_schedule::next_night(backup_schedule::now());
    }
}

/// Every session is a thread, and glibc gives each thread that allocates a heap of its own (up to
/// 8 per core), which keeps what a session's first load freed: with 20 sessions on the history
/// store the resident set was 643 MB with the default, 607 MB with two heaps, 378 MB with one.
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn few_heap_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, before the sessions start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Hands the heap pages that a pass over the whole database freed back to the system (glibc
/// keeps them otherwise, and the resident set stays at the backup's peak for good).
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the heap to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Writes one backup into `dir` and keeps the newest [`BACKUPS_KEPT`].
pub fn write_backup(store: &Store, dir: &Path) -> Result<PathBuf> {
    create_shared_dir(dir).with_context(|| format!("kan {} niet maken", dir.display()))?;
    let path = dir.join(format!("sidw-{}.sidwbak", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
    store.backup_to(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("kan {} niet afschermen", path.display()))?;
    }
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

/// Reads the users file again whenever it changes (checked every second) and tells the open
/// connections, which end or change role accordingly.
async fn reload_users(users: Arc<RwLock<UsersFile>>, changes: tokio::sync::watch::Sender<u64>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut file = users.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        match file.refresh() {
            Ok(true) => {
                println!(
                    "sidw serve: gebruikersbestand opnieuw gelezen: {}",
                    crate::domain::dutch::count(file.users.users.len(), "gebruiker", "gebruikers")
                )
            }
            Ok(false) => continue,
            Err(error) => eprintln!(
                "sidw serve: gebruikersbestand ontbreekt of is onleesbaar ({error}); niemand kan nu inloggen en open sessies worden gesloten"
            ),
        }
        drop(file);
        changes.send_modify(|generation| *generation += 1);
    }
}

#[derive(Clone)]
struct SidwServer {
    store: Store,
    users: Arc<RwLock<UsersFile>>,
    users_path: PathBuf,
    /// Bumped whenever the users file was read again.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
    pending: Arc<Mutex<Pending>>,
    /// Open screens per user: one per connection, at most [`MAX_SESSIONS_PER_USER`] a user and
    /// [`MAX_SESSIONS`] in all.
    sessions: Arc<Mutex<std::collections::HashMap<String, usize>>>,
    /// Set when the server stops: every screen says goodbye.
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// Screens whose channel is still open (the stopping server waits for their goodbye).
    screens: Arc<std::sync::atomic::AtomicUsize>,
    /// Who has a screen open (user, role, regions, since): `:wie` and the admin's footer.
    online: session::OnlineList,
}

/// A screen counted in [`SidwServer::sessions`]; uncounted when its thread ends.
struct SessionSlot {
    sessions: Arc<Mutex<std::collections::HashMap<String, usize>>>,
    user: String,
}

impl SessionSlot {
    fn take(sessions: &Arc<Mutex<std::collections::HashMap<String, usize>>>, user: &str) -> Option<Self> {
        let mut open = sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(user).copied().unwrap_or(0);
        if total >= MAX_SESSIONS || mine >= MAX_SESSIONS_PER_USER {
            return None;
        }
        *open.entry(user.to_string()).or_default() += 1;
        Some(Self { sessions: sessions.clone(), user: user.to_string() })
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut open = self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user);
            }
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
    events: Option<std::sync::mpsc::Sender<Event>>,
    /// The one session channel this connection may have (a second is refused).
    session_channel: Option<ChannelId>,
    /// That channel, held until a request says what it is for: an exec request (its stdin) or a
    /// subsystem (SFTP) takes it as its stream; a shell lets it go (russh also hands a held channel's data to `Handler::data`, and
    /// waits on a held channel nobody reads).
    channel: Option<Channel<Msg>>,
    /// Held until the user has logged in.
    pending: Option<PendingSlot>,
    authenticated: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Connection {
    fn new(server: SidwServer, pending: PendingSlot, authenticated: tokio::sync::oneshot::Sender<()>) -> Self {
        Self {
            server,
            user: None,
            size: (80, 24),
            no_color: false,
            events: None,
            session_channel: None,
            channel: None,
            pending: Some(pending),
            authenticated: Some(authenticated),
        }
    }

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

/// A screen size as a client asks for it, clamped to 1..=500 columns and 1..=200 rows.
pub fn clamp_size(columns: u32, rows: u32) -> (u16, u16) {
    (columns.clamp(1, u32::from(MAX_COLUMNS)) as u16, rows.clamp(1, u32::from(MAX_ROWS)) as u16)
}

/// Follows the users file for one open session: a user no longer listed with this key is shown
/// why and disconnected; a changed role is passed to the app at once.
async fn follow_users(
    server: SidwServer,
    user: User,
    events: std::sync::mpsc::Sender<Event>,
    handle: russh::server::Handle,
) {
    let mut changes = server.changes.subscribe();
    let mut access = user.access();
    while changes.changed().await.is_ok() {
        let now = {
            let users = server.users.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            users.users.find(&user.name, &user.key).map(|u| u.access())
        };
        match now {
            Some(now) if now == access => continue,
            Some(now) => {
                access = now.clone();
                println!("sidw serve: {} heeft nu de rol {} ({})", user.name, now.role.name(), now.scope.describe());
                if events.send(Event::Role(now)).is_err() {
                    return;
                }
            }
            None => {
                println!(
                    "sidw serve: {} staat niet meer in het gebruikersbestand; de sessie wordt gesloten",
                    user.name
                );
                let _ = events.send(Event::Revoked(
                    "Uw toegang tot sidw is ingetrokken: u staat niet (meer) met deze sleutel in het gebruikersbestand. De verbinding wordt gesloten.".into(),
                ));
                tokio::time::sleep(Duration::from_millis(500)).await;
                let _ = handle
                    .disconnect(russh::Disconnect::ByApplication, "toegang ingetrokken".into(), "nl".into())
                    .await;
                return;
            }
        }
    }
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
                self.pending = None;
                if let Some(authenticated) = self.authenticated.take() {
                    let _ = authenticated.send(());
                }
                Ok(Auth::Accept)
            }
            None => Ok(Auth::reject()),
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _: &mut Session,
    ) -> Result<(), Self::Error> {
        // One screen per connection: a second session channel would be a second thread and app.
        if self.session_channel.is_some() {
            reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
        } else {
            self.session_channel = Some(channel.id());
            self.channel = Some(channel);
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
        self.size = clamp_size(columns, rows);
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

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        exec::start(self, channel, data, session)
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        // The screen reads its keys through `Handler::data`, so the held channel goes. A channel an
        // exec request or the SFTP subsystem already took is theirs: no screen on it.
        if self.channel.take_if(|held| held.id() == channel).is_none() {
            session.channel_failure(channel)?;
            return Ok(());
        }
        // Still listed with this key? (The file may have changed since the login.)
        let Some(user) = self.user.as_ref().and_then(|user| self.known(&user.name, &user.key)) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        if self.events.is_some() || self.session_channel != Some(channel) {
            session.channel_failure(channel)?; // one screen per connection
            return Ok(());
        }
        let Some(slot) = SessionSlot::take(&self.server.sessions, &user.name) else {
            eprintln!(
                "sidw serve: {} heeft al {MAX_SESSIONS_PER_USER} schermen open (of de server {MAX_SESSIONS}); nieuw scherm geweigerd",
                user.name
            );
            session.channel_failure(channel)?;
            return Ok(());
        };
        let (events, receiver) = std::sync::mpsc::channel();
        let (output, mut frames) = tokio::sync::mpsc::channel::<Vec<u8>>(session::QUEUED_FRAMES);
        let writer_state = Arc::new(session::WriterState::default());
        let handle = session.handle();
        let queued = writer_state.clone();
        let screens = self.server.screens.clone();
        screens.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (closed, mut screen_closed) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            while let Some(bytes) = frames.recv().await {
                let len = bytes.len();
                let sent = handle.data(channel, bytes).await;
                queued.sent(len);
                if sent.is_err() {
                    break;
                }
            }
            let _ = handle.exit_status_request(channel, 0).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
            screens.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            let _ = closed.send(());
        });
        // When the server stops while this screen is open, it says goodbye.
        let mut stopping = self.server.stopping.subscribe();
        let goodbye = events.clone();
        tokio::spawn(async move {
            tokio::select! {
                stopped = stopping.wait_for(|stopping| *stopping) => {
                    if stopped.is_ok() {
                        let _ = goodbye.send(Event::Shutdown);
                    }
                }
                _ = &mut screen_closed => {}
            }
        });
        let store = self.server.store.clone();
        let users_file = self.server.users_path.clone();
        let size = self.size;
        tokio::spawn(follow_users(self.server.clone(), user.clone(), events.clone(), session.handle()));
        let theme = if self.no_color { crate::ui::Theme::monochrome() } else { crate::ui::Theme::colored() };
        let online = self.server.online.clone();
        std::thread::Builder::new()
            .name(format!("sidw-{}", user.name))
            .spawn(move || {
                let _slot = slot; // counted while the screen runs
                session::run(
                    store,
                    session::Who { user: user.name, role: user.role, scope: user.scope, users_file, theme, online },
                    size,
                    receiver,
                    output,
                    writer_state,
                )
            })
            .context("kan geen sessie starten")?;
        self.events = Some(events);
        session.channel_success(channel)?;
        Ok(())
    }

    /// `sftp` (the only subsystem): a logged-in user still in the users file gets their exports
    /// and imports folders on this channel (see `sftp`).
    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let user = self.user.as_ref().and_then(|user| self.known(&user.name, &user.key));
        let Some(user) = user.filter(|_| name == "sftp" && self.events.is_none()) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        let Some(held) = self.channel.take_if(|held| held.id() == channel) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        // Counted with the screens: a user opens at most MAX_SESSIONS_PER_USER at once.
        let Some(slot) = SessionSlot::take(&self.server.sessions, &user.name) else {
            eprintln!(
                "sidw serve: {} heeft al {MAX_SESSIONS_PER_USER} sessies open (of de server {MAX_SESSIONS}); sftp geweigerd",
                user.name
            );
            session.channel_failure(channel)?;
            return Ok(());
        };
        session.channel_success(channel)?;
        println!("sidw serve: {} opent sftp", user.name);
        let ended = sftp::start(held, slot, self.server.store.path(), &user.name, &self.server.users_path);
        tokio::spawn(sftp::follow_users(self.server.clone(), user, ended, session.handle()));
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
        let (columns, rows) = clamp_size(columns, rows);
        self.send(Event::Resize(columns, rows));
        Ok(())
    }

    async fn data(&mut self, _: ChannelId, data: &[u8], _: &mut Session) -> Result<(), Self::Error> {
        // The session's parser makes keys of them (it holds a sequence split over two chunks).
        if !data.is_empty() {
            self.send(Event::Bytes(data.to_vec()));
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

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// A host key or a database in `/tmp` once made `/tmp` itself 0700 (every other user locked
    /// out of it): a folder the user named that is already there keeps its mode.
    #[test]
    fn a_folder_the_user_named_keeps_its_mode_and_a_missing_one_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("gedeeld");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        super::create_missing_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o1777);
        let made = shared.join("a").join("b");
        super::create_missing_dir(&made).unwrap();
        assert_eq!((mode(&shared.join("a")), mode(&made)), (0o700, 0o700));
        assert_eq!(mode(&shared), 0o1777);
    }

    /// sidw's own folders (exports, imports, backups): made private, tightened when someone
    /// widened them, and never a link to somewhere else.
    #[test]
    fn sidws_own_folders_are_private_and_never_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("db.exports");
        super::create_private_dir(&exports.join("anna")).unwrap();
        assert_eq!((mode(&exports), mode(&exports.join("anna"))), (0o700, 0o700));
        std::fs::set_permissions(&exports, std::fs::Permissions::from_mode(0o777)).unwrap();
        super::create_private_dir(&exports).unwrap();
        assert_eq!(mode(&exports), 0o700);
        let elsewhere = dir.path().join("ergens");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, exports.join("bert")).unwrap();
        let refused = super::create_private_dir(&exports.join("bert")).unwrap_err();
        assert!(refused.to_string().contains("geen gewone map"), "{refused}");
        std::fs::write(exports.join("carla"), b"").unwrap();
        assert!(super::create_private_dir(&exports.join("carla")).is_err());
        // A shared folder (backups) may be a link the administrator made to another disk.
        let disk = dir.path().join("grote-schijf");
        std::fs::create_dir(&disk).unwrap();
        let backups = dir.path().join("db.backups");
        std::os::unix::fs::symlink(&disk, &backups).unwrap();
        super::create_shared_dir(&backups).unwrap();
        assert!(super::create_private_dir(&backups).is_err(), "a user's own folder is never a link");
    }
}
