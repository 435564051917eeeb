//! What can go wrong when reading or writing the database, in words a user can act on.

use std::path::PathBuf;
use thiserror::Error;

use crate::domain::DomainError;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "de database in {path} is in gebruik door een ander sidw-proces (of door 'sidw serve'); \
         sluit dat eerst af of maak verbinding met de server"
    )]
    Locked { path: PathBuf },
    #[error("de database in {path} kan niet worden geopend: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "de database in {path} heeft schemaversie {found}; deze sidw kent tot en met versie {supported}. \
         Gebruik een nieuwere sidw"
    )]
    NewerSchema { path: PathBuf, found: u16, supported: u16 },
    #[error("beschadigd record in '{tree}' (sleutel {key}): {reason}")]
    Corrupt { tree: &'static str, key: String, reason: String },
    #[error("{0} bestaat niet (meer)")]
    NotFound(String),
    /// Transparent: the rule's own words, said once (not again as its "source" by `{:#}`).
    #[error(transparent)]
    Rule(#[from] DomainError),
    #[error("{0}")]
    Refused(String),
    /// The user's role or regions do not allow the change (see `store::authority`): nothing written.
    #[error("geweigerd: {0}. Er is niets vastgelegd")]
    Denied(String),
    /// A money check failed where money is written ([`crate::domain::verify`]): nothing written.
    #[error("{what} klopt niet; er is niets geschreven (meld dit):\n- {}", .violations.join("\n- "))]
    MoneyCheck { what: String, violations: Vec<String> },
    #[error(
        "kwartaal {quarter} van {network} is afgesloten: uren, facturen en betalingen liggen vast. Een correctie voert u in een open kwartaal in"
    )]
    QuarterClosed { network: String, quarter: crate::domain::Quarter },
    /// A change of many lines (an import) refused at one of them: `index` counts from 0 over the
    /// lines, then the nihil marks.
    #[error("{error}")]
    AtLine { index: usize, error: Box<StoreError> },
    /// Not an error: a trial run of a change went through every rule and was not committed.
    #[error("proef geslaagd; niets vastgelegd")]
    DryRun,
    /// The storage itself failed (the reason in Dutch, see [`dutch_redb`]).
    #[error("opslagfout: {0}")]
    Storage(String),
    #[error(
        "de wijziging is vastgelegd maar niet bevestigd naar schijf geschreven ({0}); controleer vóór u het opnieuw probeert"
    )]
    NotDurable(String),
}

impl StoreError {
    /// The error itself, without the line of a many-line change it was found at.
    pub fn root(&self) -> &StoreError {
        match self {
            Self::AtLine { error, .. } => error.root(),
            other => other,
        }
    }
}

impl From<crate::domain::error::FieldError> for StoreError {
    fn from(error: crate::domain::error::FieldError) -> Self {
        Self::Rule(error.into())
    }
}

/// redb's errors in words a user can act on.
pub fn dutch_redb(error: &redb::Error) -> String {
    use redb::Error as E;
    match error {
        E::Io(io) => dutch_io(io),
        E::Corrupted(_) => "de bestanden van de database zijn beschadigd; zet een back-up terug".into(),
        E::DatabaseAlreadyOpen => "de database is al geopend door een ander proces".into(),
        E::UpgradeRequired(_) => "het bestand heeft een opslagformaat dat deze sidw niet kent".into(),
        E::ValueTooLarge(size) => format!("een record is te groot om op te slaan ({size} bytes)"),
        E::TableDoesNotExist(name) => format!("de tabel '{name}' van de database ontbreekt"),
        E::PreviousIo => "een eerdere schrijffout naar schijf; sluit sidw af en open de database opnieuw".into(),
        E::LockPoisoned(_) | E::TransactionPoisoned => {
            "interne fout in de opslag na een eerdere fout; sluit sidw af en open de database opnieuw".into()
        }
        E::RepairAborted => "het herstel van de database is afgebroken".into(),
        other => format!("fout in de opslag ({other}); maak een back-up en meld dit"),
    }
}

macro_rules! from_redb {
    ($($error:ty),*) => {$(
        impl From<$error> for StoreError {
            fn from(error: $error) -> Self {
                Self::Storage(dutch_redb(&redb::Error::from(error)))
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::DatabaseError,
    redb::SetDurabilityError
);

/// An operating-system error in Dutch, with the system's own code for whoever must fix it.
pub fn dutch_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let what = match error.kind() {
        ErrorKind::NotFound => "bestand of map bestaat niet",
        ErrorKind::PermissionDenied => "geen toegang: u mag dit bestand of deze map niet lezen of schrijven",
        ErrorKind::StorageFull => "de schijf is vol",
        ErrorKind::ReadOnlyFilesystem => "het bestandssysteem is alleen-lezen",
        ErrorKind::AlreadyExists => "bestaat al",
        ErrorKind::IsADirectory => "dit is een map, geen bestand",
        ErrorKind::NotADirectory => "dit is een bestand, geen map",
        ErrorKind::QuotaExceeded => "uw schijfquotum is op",
        ErrorKind::FileTooLarge => "het bestand is te groot",
        ErrorKind::OutOfMemory => "te weinig geheugen",
        ErrorKind::Interrupted | ErrorKind::TimedOut => "onderbroken; probeer het opnieuw",
        _ => return format!("fout van het systeem ({error})"),
    };
    match error.raw_os_error() {
        Some(code) => format!("{what} (systeemfout {code})"),
        None => what.to_string(),
    }
}
