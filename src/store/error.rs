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
    #[error(
        "kwartaal {quarter} van {network} is afgesloten: uren, facturen en betalingen liggen vast. Een correctie voert u in een open kwartaal in"
    )]
    QuarterClosed { network: String, quarter: crate::domain::Quarter },
    #[error("opslagfout: {0}")]
    Storage(#[from] sled::Error),
    #[error(
        "de wijziging is vastgelegd maar niet bevestigd naar schijf geschreven ({0}); controleer vóór u het opnieuw probeert"
    )]
    NotDurable(sled::Error),
}

impl From<crate::domain::error::FieldError> for StoreError {
    fn from(error: crate::domain::error::FieldError) -> Self {
        Self::Rule(error.into())
    }
}
