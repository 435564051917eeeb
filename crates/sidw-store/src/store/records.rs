//! Which types are stored, and the schema version of each layout.

use super::codec::{Record, decode_body};
use super::legacy::{HoursEntryV1, HoursEntryV2, NetworkV1, NetworkV2, NetworkV3, PracticeTeamV1};
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

impl BatchExports {
    /// When the first payment file for the bank (a pain.001, not a CSV) was written, if one was:
    /// what went out with it was paid ([`crate::domain::close::PaymentBatch::went_out`]).
    pub fn first_to_bank(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.entries.iter().filter(|e| e.to_bank()).map(|e| e.at).min()
    }
}

impl BatchExport {
    /// A payment file for the bank: a pain.001 (it asks an execution date; one recorded before
    /// the date was kept says so in `what`). A CSV is for the books, not the bank.
    pub fn to_bank(&self) -> bool {
        self.execution_date.is_some() || self.what.starts_with("pain")
    }
}

/// One payment file written: when, by whom, and what (format and file); since version 2 also
/// the file's name, the SHA-256 of its bytes and the execution date the bank was asked for
/// (empty and `None` for exports recorded before, and for a CSV no date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchExport {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub what: String,
    pub file: String,
    /// Lower-case hex.
    pub sha256: String,
    pub execution_date: Option<chrono::NaiveDate>,
}

/// The secretariat's own account, the debtor of payment files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSettings {
    pub debtor_name: String,
    pub debtor_iban: crate::domain::validate::Iban,
    pub debtor_bic: Option<String>,
}

/// What of one network's records can still give a Signalen row (`TreeName::SignalFacts`): its
/// [`crate::domain::signals::Standing`] as worked out from its hours lines, nihil marks,
/// partners, agreements, practice team, the network itself, the tariffs and its closes, and the
/// closes whose batch pays something; derived, never entered. Computed at `epoch` (see
/// `keys::FACTS_EPOCH_KEY`); any change to the network removes it in the change's transaction.
/// Version 1 kept the forms and spending of every year instead, and every close.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursFacts {
    pub epoch: u64,
    /// The funded months of years with tariffs in which a partner with an agreement in force has
    /// no form: (month, those partners' names).
    pub missing_forms: Vec<(crate::domain::YearMonth, Vec<String>)>,
    /// The funded quarters of years with tariffs that are not closed.
    pub unclosed: Vec<crate::domain::Quarter>,
    /// The years whose partner budget is 80 % spent or more: (year, partner budget, Σ counted
    /// against it, Σ paid by the practice team).
    pub budgets: Vec<(i32, rust_decimal::Decimal, rust_decimal::Decimal, rust_decimal::Decimal)>,
    /// The network's closed quarters whose batch pays something: (quarter, batch id). A close or
    /// reopening writes the network's `closes`, so it removes these facts; a batch's lines never
    /// change once written (a reopening only notes itself in it). Whether a payment file of the
    /// batch was written, and the number of one that was not, are looked up when the signals are
    /// made.
    pub closed: Vec<(crate::domain::Quarter, u64)>,
}

impl HoursFacts {
    /// The epoch of facts upgraded from an older layout: never the current one, so they are
    /// computed again before they are used (and `check` passes over them).
    pub const OUTDATED: u64 = u64::MAX;
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
record!(PaymentSettings, "betaalinstellingen", 1);
impl Record for BatchExports {
    const KIND: &'static str = "betaalbestanden van een batch";
    const VERSION: u16 = 2;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<super::legacy::BatchExportsV1>(body).map(Self::from),
            _ => Err(format!("betaalbestanden versie {version} is onbekend")),
        }
    }
}
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
    const VERSION: u16 = 4;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<NetworkV1>(body).map(Network::from),
            2 => decode_body::<NetworkV2>(body).map(Network::from),
            3 => decode_body::<NetworkV3>(body).map(Network::from),
            _ => Err(format!("netwerk versie {version} is onbekend")),
        }
    }
}

impl Record for HoursFacts {
    const KIND: &'static str = "urenfeiten van een netwerk";
    const VERSION: u16 = 2;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<super::legacy::HoursFactsV1>(body).map(HoursFacts::from),
            _ => Err(format!("urenfeiten versie {version} zijn onbekend")),
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

/// A region's own e-mail address, the sender of its mail (`TreeName::MailSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionAddress {
    pub email: String,
}

record!(RegionAddress, "afzender van een regio", 1);
record!(crate::domain::mail::MailTemplate, "e-mailsjabloon", 1);

/// Where a queued mail stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxState {
    /// Waiting for `sidw serve` (or `sidw mail send`) to deliver it, from `next_try` on.
    Queued,
    /// The SMTP server accepted it.
    Sent { at: chrono::DateTime<chrono::Utc> },
    /// Refused for good, or still refused after every retry.
    Failed { at: chrono::DateTime<chrono::Utc> },
    /// Handed to the SMTP server at `since` by delivery attempt `attempt` (a number of its own,
    /// from the store's ids; 0 for one marked before version 3) and no outcome recorded yet. Only
    /// that attempt records its outcome. Once older than `domain::mail::SENDING_LIMIT_SECS` it is
    /// "onzeker": the process stopped between the server's answer and recording it, so the mail
    /// may have gone. It is never sent again by itself: an editor resends it or marks it sent
    /// (`Store::resend_mail`, `Store::mark_mail_sent`), not before.
    Sending { since: chrono::DateTime<chrono::Utc>, attempt: u64 },
    /// Failed, and then replaced at `at` by mail `by`, queued for the same once-only items (a
    /// payment advice, a statement) to the address of then: never sent again itself.
    Superseded { at: chrono::DateTime<chrono::Utc>, by: u64 },
}

impl OutboxState {
    /// The moment of its last change of state (queued: when it was queued).
    pub fn at(&self, queued_at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        match *self {
            Self::Queued => queued_at,
            Self::Sent { at } | Self::Failed { at } | Self::Superseded { at, .. } => at,
            Self::Sending { since, .. } => since,
        }
    }

    /// Whether it is "onzeker" at `now`: being sent for longer than a delivery can take.
    pub fn uncertain(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        matches!(*self, Self::Sending { since, .. } if crate::domain::mail::sending_overdue(since, now))
    }
}

/// One mail in the outbox (`TreeName::Outbox`): one recipient, their reminders bundled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub to: String,
    pub name: String,
    pub from: String,
    pub region: Option<crate::domain::Region>,
    pub subject: String,
    pub body: String,
    /// The signals it reminds of (`domain::mail::signal_key`): the same one is not sent to the
    /// same recipient again within a week.
    pub keys: Vec<String>,
    pub queued_at: chrono::DateTime<chrono::Utc>,
    pub queued_by: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_try: chrono::DateTime<chrono::Utc>,
    /// What the SMTP server (or the connection) said the last time it was not accepted.
    pub last_error: String,
    /// Files sent with it (the quarter statement's PDF); version 1 had none.
    pub attachments: Vec<crate::domain::mail::Attachment>,
}

impl OutboxMessage {
    /// The mail's own Message-ID, the same at every try and resend of it (a resend is
    /// recognisable as the same mail): `<sidw.ID.QUEUED@DOMAIN-OF-SENDER>`.
    pub fn message_id(&self, id: u64) -> String {
        let domain = self.from.rsplit_once('@').map_or("sidw.local", |(_, d)| d.trim_end_matches('>'));
        format!("<sidw.{id}.{}@{domain}>", self.queued_at.timestamp())
    }
}

impl Record for OutboxMessage {
    const KIND: &'static str = "e-mail in de outbox";
    const VERSION: u16 = 3;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<super::legacy::OutboxMessageV1>(body).map(Self::from),
            2 => decode_body::<super::legacy::OutboxMessageV2>(body).map(Self::from),
            _ => Err(format!("e-mail in de outbox versie {version} is onbekend")),
        }
    }
}

/// What the bank said of the payment lines of one batch, by end-to-end id (lines the bank has
/// said nothing of are absent: open), and which later closes paid a returned line again.
/// Version 1 had no `settled_again` and no `sent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankLines {
    pub lines: Vec<(String, crate::domain::bank::LineState)>,
    /// (end-to-end id, batch id): a re-close of the line's network quarter that left this
    /// returned line out of what was settled before (so its batch paid the amount again, or
    /// claimed less). Written by that close, in its transaction; each such close adds its pair.
    pub settled_again: Vec<(String, u64)>,
    /// How many of the batch's lines went to the bank (`domain::bank::sent_lines`; fixed once the
    /// first pain.001 is written), kept by every statement and correction that writes this
    /// record, so that a batch the bank settled in full is passed over by the Signalen without
    /// being read. `None`: not known (a record of version 1).
    pub sent: Option<u32>,
}

impl BankLines {
    pub fn state(&self, end_to_end_id: &str) -> crate::domain::bank::LineState {
        self.lines.iter().find(|(id, _)| id == end_to_end_id).map(|(_, s)| s.clone()).unwrap_or_default()
    }

    /// The lines the bank returned, by end-to-end id.
    pub fn returned(&self) -> std::collections::HashSet<String> {
        self.lines
            .iter()
            .filter(|(_, s)| matches!(s, crate::domain::bank::LineState::Returned { .. }))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Nothing of this batch can give a Signaal: every line that went to the bank is paid, none
    /// returned, none paid again by a re-close.
    pub fn settled(&self) -> bool {
        self.sent.is_some_and(|sent| usize::try_from(sent).is_ok_and(|sent| sent == self.lines.len()))
            && self.lines.iter().all(|(_, s)| matches!(s, crate::domain::bank::LineState::Paid { .. }))
            && self.settled_again.is_empty()
    }

    /// The returned lines the close that made batch `batch` left out of what was settled before.
    pub fn settled_again_by(&self, batch: u64) -> std::collections::HashSet<String> {
        self.settled_again.iter().filter(|(_, b)| *b == batch).map(|(id, _)| id.clone()).collect()
    }
}

impl Record for BankLines {
    const KIND: &'static str = "bankstatus van een batch";
    const VERSION: u16 = 2;

    fn upgrade(version: u16, body: &[u8]) -> Result<Self, String> {
        match version {
            1 => decode_body::<super::legacy::BankLinesV1>(body).map(Self::from),
            _ => Err(format!("bankstatus versie {version} is onbekend")),
        }
    }
}

/// One bank statement read: when, by whom, from which file, and what it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankStatementImport {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub file: String,
    /// Transactions read, matched (paid or returned) and unmatched.
    pub entries: u32,
    pub matched: u32,
    pub unmatched: u32,
}

record!(BankStatementImport, "ingelezen bankafschrift", 1);
