//! Delivering the outbox over SMTP (issue 17), with lettre: STARTTLS (or TLS, or plain for a
//! relay on the same machine), authentication, retries with back-off, every delivery and refusal
//! in the audit log (`Store::record_delivery`).
//!
//! The server is configured in a settings file beside the database, `DB.mail.toml`:
//!
//! ```toml
//! host = "smtp.medrie.nl"
//! port = 587
//! tls = "starttls"            # starttls (default), tls, of geen (alleen voor een relay op deze machine)
//! user = "secretariaat@medrie.nl"
//! password_file = "/etc/sidw/smtp-wachtwoord"   # of: password = "…"
//! ca_file = "/etc/sidw/relay-ca.pem"            # optioneel: de eigen CA van een relay op kantoor
//! retry_seconds = [60, 300, 1800, 7200]          # wachten na een tijdelijke weigering
//! interval_seconds = 60                          # hoe vaak `sidw serve` de outbox bekijkt
//! ```
//!
//! The password is read from the file into memory only: never into the database, the audit log
//! or any message. The settings file and the password file must be the owner's only (mode 0600).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;

use crate::store::records::{OutboxMessage, OutboxState};
use crate::store::{ChangeContext, Delivery, Store};

/// The user the deliveries are recorded under in the audit log.
pub const MAIL_USER: &str = "sidw-mail";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    host: String,
    port: Option<u16>,
    tls: Option<String>,
    user: Option<String>,
    password: Option<String>,
    password_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    retry_seconds: Option<Vec<u64>>,
    interval_seconds: Option<u64>,
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Tls,
    /// Plain text: only for a relay on this machine.
    None,
}

/// The SMTP settings, read from `DB.mail.toml`. `Debug` does not show the password.
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    password: Option<String>,
    /// A certificate (PEM) trusted besides the public roots: the office relay's own CA.
    ca: Option<Vec<u8>>,
    /// The waits after a temporary refusal; one more try than there are waits.
    pub retries: Vec<Duration>,
    pub interval: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// `DB.mail.toml` beside the database `DB`.
pub fn settings_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".mail.toml");
    PathBuf::from(name)
}

/// Refuses a file that others than its owner may read.
fn owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        std::fs::metadata(path).with_context(|| format!("kan {} niet lezen", path.display()))?.permissions().mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is leesbaar voor anderen (rechten {:o}); maak het alleen van de eigenaar: chmod 600",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

impl MailSettings {
    /// The settings beside `db`; `None` when there is no settings file (then nothing is sent).
    pub fn load(db: &Path) -> Result<Option<Self>> {
        let path = settings_path(db);
        if !path.exists() {
            return Ok(None);
        }
        owner_only(&path)?;
        let text = std::fs::read_to_string(&path).with_context(|| format!("kan {} niet lezen", path.display()))?;
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")))
            .map(Some)
            .with_context(|| format!("{}", path.display()))
    }

    fn parse(text: &str, dir: &Path) -> Result<Self> {
        let file: SettingsFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        let security = match file.tls.as_deref().map(str::to_lowercase).as_deref() {
            None | Some("starttls") => Security::StartTls,
            Some("tls") => Security::Tls,
            Some("geen" | "none") => Security::None,
            Some(other) => bail!("tls = \"{other}\" kent sidw niet; kies starttls, tls of geen"),
        };
        if file.host.trim().is_empty() {
            bail!("host is leeg");
        }
        // Without TLS the password and the mails cross the network readable: only to a relay on
        // this machine.
        let local = matches!(file.host.trim(), "localhost" | "127.0.0.1" | "::1");
        if matches!(security, Security::None) && !local {
            bail!(
                "tls = \"geen\" kan alleen met een relay op deze machine (host = \"127.0.0.1\"); {} krijgt starttls of tls",
                file.host.trim()
            );
        }
        let password = match (file.password, file.password_file) {
            (Some(_), Some(_)) => bail!("geef password of password_file, niet allebei"),
            (Some(p), None) => Some(p),
            (None, Some(path)) => {
                let path = if path.is_relative() { dir.join(path) } else { path };
                owner_only(&path)?;
                let text =
                    std::fs::read_to_string(&path).with_context(|| format!("kan {} niet lezen", path.display()))?;
                Some(text.trim_end_matches(['\n', '\r']).to_string())
            }
            (None, None) => None,
        };
        if password.is_some() && file.user.is_none() {
            bail!("een wachtwoord zonder user: geef ook user");
        }
        if password.is_none() && file.user.is_some() {
            bail!("user zonder wachtwoord: geef password_file (of password)");
        }
        let port = file.port.unwrap_or(match security {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        });
        let retries = file.retry_seconds.unwrap_or_else(|| vec![60, 300, 1800, 7200]);
        let ca = match file.ca_file {
            Some(path) => {
                let path = if path.is_relative() { dir.join(path) } else { path };
                let pem = std::fs::read(&path).with_context(|| format!("kan {} niet lezen", path.display()))?;
                lettre::transport::smtp::client::Certificate::from_pem(&pem)
                    .map_err(|e| anyhow::anyhow!("{} is geen PEM-certificaat: {e}", path.display()))?;
                Some(pem)
            }
            None => None,
        };
        Ok(Self {
            host: file.host.trim().to_string(),
            port,
            security,
            user: file.user,
            password,
            ca,
            retries: retries.into_iter().map(Duration::from_secs).collect(),
            interval: Duration::from_secs(file.interval_seconds.unwrap_or(60).max(1)),
        })
    }

    fn transport(&self) -> Result<SmtpTransport> {
        let tls = |host: &str| {
            let mut builder = TlsParameters::builder(host.to_string());
            if let Some(pem) = &self.ca {
                builder = builder.add_root_certificate(
                    lettre::transport::smtp::client::Certificate::from_pem(pem).context("ca_file")?,
                );
            }
            builder.build().context("TLS-instellingen")
        };
        let builder = SmtpTransport::builder_dangerous(&self.host).port(self.port);
        let builder = match self.security {
            Security::StartTls => builder.tls(Tls::Required(tls(&self.host)?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls(&self.host)?)),
            Security::None => builder.tls(Tls::None),
        };
        let builder = match (&self.user, &self.password) {
            (Some(user), Some(password)) => builder.credentials(Credentials::new(user.clone(), password.clone())),
            _ => builder,
        };
        // Each step waits at most this long; `SENDING_LIMIT_SECS` (when a mail left "being sent" is
        // onzeker) is counted from it.
        let step = Duration::from_secs(crate::domain::mail::SMTP_TIMEOUT_SECS.unsigned_abs());
        Ok(builder.timeout(Some(step)).build())
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Mails left "being sent" by a round that stopped: maybe sent, not tried again ("onzeker").
    pub uncertain: usize,
    /// Outcomes that came after an editor had resent or marked the mail: not recorded (logged).
    pub late: usize,
}

impl DeliveryReport {
    pub fn line(&self) -> String {
        let mut line = format!("{} verstuurd, {} later opnieuw, {} mislukt", self.sent, self.retried, self.failed);
        if self.late > 0 {
            line.push_str(&format!(", {} late uitkomst(en) niet vastgelegd (zie het logboek)", self.late));
        }
        if self.uncertain > 0 {
            line.push_str(&format!(
                ", {} onzeker (mogelijk verstuurd; controleer en verstuur zo nodig opnieuw: sidw mail outbox)",
                self.uncertain
            ));
        }
        line
    }
}

/// The message as it goes out: plain text (its paragraphs as they are), with its own
/// Message-ID (the same at a resend); with attachments a multipart/mixed of the text and each file.
fn message_of(id: u64, mail: &OutboxMessage) -> Result<Message, String> {
    use lettre::message::{Attachment, MultiPart, SinglePart, header::MessageId};
    let from: Mailbox = mail.from.parse().map_err(|e| format!("afzender {}: {e}", mail.from))?;
    let to: Mailbox = mail.to.parse().map_err(|e| format!("adres {}: {e}", mail.to))?;
    let builder =
        Message::builder().from(from).to(to).subject(mail.subject.clone()).header(MessageId::from(mail.message_id(id)));
    if mail.attachments.is_empty() {
        return builder.header(ContentType::TEXT_PLAIN).body(mail.body.clone()).map_err(|e| e.to_string());
    }
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(mail.body.clone()));
    for file in &mail.attachments {
        let kind = ContentType::parse(&file.content_type).map_err(|e| format!("{}: {e}", file.file_name))?;
        parts = parts.singlepart(Attachment::new(file.file_name.clone()).body(file.bytes.clone(), kind));
    }
    builder.multipart(parts).map_err(|e| e.to_string())
}

/// Tries every queued mail whose time has come (every queued one with `waits_over`: the command
/// line tries its retries one after the other), once, and records each outcome. `now` gives the
/// time of each record (the command line's `--today` or the wall clock).
///
/// At most once: each mail is recorded "being sent" (durably, by an attempt of its own) before the
/// SMTP transaction, and only that attempt records the outcome. One found in that state for
/// longer than a delivery can take (`SENDING_LIMIT_SECS`) was left by a round that stopped before
/// recording its outcome (a crash, a kill): it may have gone, so it is not tried again but counted
/// `uncertain` ("onzeker") until an editor resends it or marks it sent. A younger one is being
/// sent by another round right now.
pub fn deliver_due(
    store: &Store,
    settings: &MailSettings,
    now: &dyn Fn() -> DateTime<Utc>,
    waits_over: bool,
) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let outbox = store.outbox()?;
    let at = now();
    report.uncertain = outbox.iter().filter(|(_, m)| m.state.uncertain(at)).count();
    let due: Vec<(u64, OutboxMessage)> = outbox
        .into_iter()
        .filter(|(_, m)| m.state == OutboxState::Queued && (waits_over || m.next_try <= at))
        .collect();
    if due.is_empty() {
        return Ok(report);
    }
    let transport = settings.transport()?;
    for (id, mail) in due {
        let attempt = match store.mark_mail_sending(&ChangeContext::new(MAIL_USER, now()), id) {
            Ok(attempt) => attempt,
            // Another round took it meanwhile: not twice.
            Err(crate::store::StoreError::Refused(_)) => continue,
            // Not recorded "being sent": not sent either.
            Err(error) => return Err(error.into()),
        };
        let outcome = match message_of(id, &mail) {
            Err(error) => Delivery::Refused(error),
            Ok(message) => match transport.send(&message) {
                Ok(_) => Delivery::Sent,
                Err(error) if error.is_permanent() => Delivery::Refused(smtp_error(&error)),
                Err(error) => {
                    let wait = usize::try_from(mail.attempts).ok().and_then(|n| settings.retries.get(n));
                    Delivery::Retry {
                        error: smtp_error(&error),
                        next_try: wait.and_then(|w| chrono::Duration::from_std(*w).ok()).map(|w| now() + w),
                    }
                }
            },
        };
        if !store.record_delivery(&ChangeContext::new(MAIL_USER, now()), id, attempt, &outcome)? {
            // Resent or marked by an editor while this round was at it: their say stands (logged).
            report.late += 1;
            continue;
        }
        match &outcome {
            Delivery::Sent => report.sent += 1,
            Delivery::Retry { next_try: Some(_), .. } => report.retried += 1,
            Delivery::Retry { next_try: None, .. } | Delivery::Refused(_) => report.failed += 1,
        }
    }
    Ok(report)
}

/// The server's answer (code and text), or what went wrong with the connection.
fn smtp_error(error: &lettre::transport::smtp::Error) -> String {
    let text = error.to_string();
    match error.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}

/// `sidw serve`: looks at the outbox every `interval` and delivers what is due.
pub async fn deliver_while_serving(store: Store, settings: std::sync::Arc<MailSettings>) {
    // "onzeker" is said when it changes, not every round.
    let mut uncertain = 0;
    loop {
        let (store2, settings2) = (store.clone(), settings.clone());
        let result = tokio::task::spawn_blocking(move || deliver_due(&store2, &settings2, &Utc::now, false)).await;
        match result {
            Ok(Ok(report))
                if report.sent + report.retried + report.failed + report.late > 0 || report.uncertain != uncertain =>
            {
                uncertain = report.uncertain;
                println!("sidw serve: e-mail: {}", report.line());
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => eprintln!("sidw serve: e-mail: {error:#}"),
            Err(error) => eprintln!("sidw serve: e-mail: {error}"),
        }
        tokio::time::sleep(settings.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_with_defaults_and_refuse_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let s = MailSettings::parse("host = \"smtp.medrie.nl\"\n", dir.path()).unwrap();
        assert_eq!((s.port, s.security, s.retries.len()), (587, Security::StartTls, 4));
        let s = MailSettings::parse("host = \"localhost\"\nport = 2525\ntls = \"geen\"\n", dir.path()).unwrap();
        assert_eq!((s.port, s.security), (2525, Security::None));
        let remote = MailSettings::parse("host = \"smtp.medrie.nl\"\ntls = \"geen\"\n", dir.path()).unwrap_err();
        assert!(remote.to_string().contains("alleen met een relay op deze machine"), "{remote}");
        let s = MailSettings::parse("host = \"h\"\nuser = \"u\"\npassword = \"geheim-123\"\n", dir.path()).unwrap();
        assert!(!format!("{s:?}").contains("geheim-123"));
        assert!(MailSettings::parse("host = \"h\"\ntls = \"ssl3\"\n", dir.path()).is_err());
        assert!(MailSettings::parse("host = \"h\"\nhots = 1\n", dir.path()).is_err());
        assert!(MailSettings::parse("host = \"h\"\nuser = \"u\"\n", dir.path()).is_err());
        assert!(MailSettings::parse("host = \"h\"\npassword = \"p\"\n", dir.path()).is_err());
    }

    #[test]
    fn a_password_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "geheim\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let text = "host = \"h\"\nuser = \"u\"\npassword_file = \"pw\"\n";
        let error = MailSettings::parse(text, dir.path()).unwrap_err().to_string();
        assert!(error.contains("chmod 600"), "{error}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(MailSettings::parse(text, dir.path()).unwrap().password.as_deref(), Some("geheim"));
    }
}
