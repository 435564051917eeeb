//! The versioned envelope every record is stored in: one magic byte, the record type's schema
//! version (u16, big-endian), then the record as bincode 2 (serde, standard config).
//!
//! A record type's current layout is `Record::VERSION`. When a layout changes, the version goes
//! up and the old layout stays in [`super::legacy`] with an `upgrade` from it, so that databases
//! written by any earlier sidw still open. A version newer than this build knows is refused.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// First byte of every stored value.
pub const MAGIC: u8 = 0x53;

/// A type stored in the database.
pub trait Record: Serialize + DeserializeOwned {
    /// Human name, for error messages and `check`.
    const KIND: &'static str;
    /// Schema version of the current layout.
    const VERSION: u16;

    /// Decodes a body written at an older `version`. The default knows no older versions.
    fn upgrade(version: u16, _body: &[u8]) -> Result<Self, String> {
        Err(format!("{} versie {version} is onbekend", Self::KIND))
    }
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes a record in its envelope at the current version.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut bytes = vec![MAGIC];
    bytes.extend_from_slice(&R::VERSION.to_be_bytes());
    bincode::serde::encode_into_std_write(record, &mut bytes, config()).expect("encoding into a Vec cannot fail");
    bytes
}

/// Decodes the bincode body of one layout, insisting every byte is used.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let (value, used) = bincode::serde::decode_from_slice(body, config()).map_err(|e| e.to_string())?;
    if used != body.len() {
        return Err(format!("{} bytes over na het record", body.len() - used));
    }
    Ok(value)
}

/// Why an envelope could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Written by a newer sidw: refuse rather than misread.
    Newer {
        found: u16,
        supported: u16,
    },
    Broken(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Newer { found, supported } => {
                write!(f, "geschreven door een nieuwere sidw (versie {found}, deze kent tot {supported})")
            }
            Self::Broken(reason) => f.write_str(reason),
        }
    }
}

/// Decodes a record from its envelope, upgrading older versions.
pub fn decode<R: Record>(bytes: &[u8]) -> Result<R, DecodeError> {
    let [magic, hi, lo, body @ ..] = bytes else {
        return Err(DecodeError::Broken("te kort voor een record".into()));
    };
    if *magic != MAGIC {
        return Err(DecodeError::Broken(format!("geen sidw-record (begint met {magic:#04x})")));
    }
    let version = u16::from_be_bytes([*hi, *lo]);
    match version.cmp(&R::VERSION) {
        std::cmp::Ordering::Equal => decode_body(body).map_err(DecodeError::Broken),
        std::cmp::Ordering::Less => R::upgrade(version, body).map_err(DecodeError::Broken),
        std::cmp::Ordering::Greater => Err(DecodeError::Newer { found: version, supported: R::VERSION }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TariffTable;

    #[test]
    fn round_trip_and_refusals() {
        let table = TariffTable::handbook_2025();
        let bytes = encode(&table);
        assert_eq!(bytes[0], MAGIC);
        assert_eq!(decode::<TariffTable>(&bytes), Ok(table));

        let mut newer = bytes.clone();
        newer[1..3].copy_from_slice(&(TariffTable::VERSION + 1).to_be_bytes());
        assert!(matches!(decode::<TariffTable>(&newer), Err(DecodeError::Newer { .. })));

        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(decode::<TariffTable>(&trailing), Err(DecodeError::Broken(_))));
        assert!(decode::<TariffTable>(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode::<TariffTable>(&[0x00, 0, 1]).is_err());
        assert!(decode::<TariffTable>(&[]).is_err());
    }
}
