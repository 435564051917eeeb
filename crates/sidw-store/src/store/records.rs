//! Which types are stored, and the schema version of each layout.

use super::codec::{Record, decode_body};
use super::legacy::{HoursEntryV1, HoursEntryV2, NetworkV1, NetworkV2, PracticeTeamV1};
use crate::domain::{
    Agreement, HoursEntry, HoursEntryId, Invoice, Network, Participant, Partner, PracticeTeam, TariffTable,
};
use serde::{Deserialize, Serialize};

use super::audit::AuditEntry;

/// The hours lines of one network and year: the index that lets a network's year be read, and its
/// remaining budget recomputed inside a saving transaction, without scanning all hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursIndex {
    pub entries: Vec<HoursEntryId>,
}

/// The invoices of one network and quarter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceIndex {
    pub entries: Vec<crate::domain::InvoiceId>,
}

/// Every payment file written of one batch, oldest first (kept beside the audit log so that a
/// second export and the Signalen need not read the whole log).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchExports {
    pub entries: Vec<BatchExport>,
}

/// One payment file written: when, by whom, and what (format and file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchExport {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub what: String,
}

/// The secretariat's own account, the debtor of payment files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSettings {
    pub debtor_name: String,
    pub debtor_iban: crate::domain::validate::Iban,
    pub debtor_bic: Option<String>,
}

/// What one network's Signalen need from its hours lines and closes (`TreeName::SignalFacts`):
/// derived from the lines, the partners, the network, the tariffs and the closes' batches, never
/// entered. Computed at `epoch` (see
/// `keys::FACTS_EPOCH_KEY`); any change to the network removes it in the change's transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursFacts {
    pub epoch: u64,
    /// (partner, year, months with at least one line: bit 0 is January), for each year with tariffs.
    pub forms: Vec<(crate::domain::PartnerId, i32, u16)>,
    /// For each year with tariffs and lines: (year, Σ counted against the partner budget, Σ paid
    /// by the practice team). Empty for a network formerly under GEZ/OWZ.
    pub spending: Vec<(i32, rust_decimal::Decimal, rust_decimal::Decimal)>,
    /// The network's closed quarters: (quarter, batch id, batch number, the batch pays nothing).
    /// A close or reopening writes the network's `closes`, so it removes these facts; a batch's
    /// number and lines never change once written (a reopening only notes itself in it).
    pub closed: Vec<(crate::domain::Quarter, u64, String, bool)>,
}

/// Database-wide facts: the schema version of the database layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    pub schema: u16,
}

/// What a user last looked at in Kwartaalbudget, so that the next screen (locally, or after an
/// SSH reconnect) opens there again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPreference {
    pub network: Option<crate::domain::NetworkId>,
    pub quarter: Option<crate::domain::Quarter>,
}

macro_rules! record {
    ($type:ty, $kind:literal, $version:literal) => {
        impl Record for $type {
            const KIND: &'static str = $kind;
            const VERSION: u16 = $version;
        }
    };
}

record!(Partner, "partner", 1);
record!(Participant, "deelnemer", 1);
record!(Agreement, "overeenkomst", 1);
record!(TariffTable, "tarieventabel", 1);
record!(Invoice, "factuur", 1);
record!(AuditEntry, "logboekregel", 1);
record!(super::audit::AuditHead, "logboekregelkop", 2);
record!(HoursIndex, "urenindex", 1);
record!(DatabaseInfo, "database-info", 1);
record!(InvoiceIndex, "factuurindex", 1);
record!(HoursFacts, "urenfeiten van een netwerk", 1);
record!(PaymentSettings, "betaalinstellingen", 1);
record!(BatchExports, "betaalbestanden van een batch", 1);
record!(crate::domain::close::QuarterClose, "kwartaalafsluiting", 1);
record!(UserPreference, "voorkeur van een gebruiker", 1);
/// The open claims on one payee, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenClaims {
    pub claims: Vec<crate::domain::close::Claim>,
}

record!(OpenClaims, "vorderingen", 1);

/// The batches of one network's quarter, oldest first (reopened ones included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIds {
    pub ids: Vec<u64>,
}

record!(BatchIds, "batches van een kwartaal", 1);

/// What a payment batch was computed from, per network (kept beside the batch, not in it: a
/// close reads its quarter's earlier batches, and they stay as small as they were).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchBasis {
    pub networks: Vec<crate::domain::verify::NetworkBasis>,
}

record!(BatchBasis, "grondslag van een betaalbatch", 1);

impl Record for crate::domain::close::PaymentBatch {
    const KIND: &'static str = "betaalbatch";
    const VERSION: u16 = 2;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<super::legacy::PaymentBatchV1>(body).map(Self::from),
            _ => Err(format!("betaalbatch versie {version} is onbekend")),
        }
    }
}
record!(crate::domain::municipality::MunicipalYear, "gemeentejaar", 1);
record!(crate::domain::municipality::S1Rate, "s1-tarief", 1);
record!(crate::domain::municipality_list::Municipality, "gemeente", 1);
record!(crate::domain::hours::NihilMark, "nihil-markering", 1);

impl Record for HoursEntry {
    const KIND: &'static str = "urenregel";
    const VERSION: u16 = 3;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<HoursEntryV1>(body).map(HoursEntry::from),
            2 => decode_body::<HoursEntryV2>(body).map(HoursEntry::from),
            _ => Err(format!("urenregel versie {version} is onbekend")),
        }
    }
}

impl Record for Network {
    const KIND: &'static str = "netwerk";
    const VERSION: u16 = 3;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<NetworkV1>(body).map(Network::from),
            2 => decode_body::<NetworkV2>(body).map(Network::from),
            _ => Err(format!("netwerk versie {version} is onbekend")),
        }
    }
}

impl Record for PracticeTeam {
    const KIND: &'static str = "praktijkteam";
    const VERSION: u16 = 2;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<PracticeTeamV1>(body).map(PracticeTeam::from),
            _ => Err(format!("praktijkteam versie {version} is onbekend")),
        }
    }
}
