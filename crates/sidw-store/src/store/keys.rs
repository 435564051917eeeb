//! The trees of the database and how their keys are made. Ids are 8 big-endian bytes, so keys
//! sort by id and a network's records share a prefix.

use crate::domain::NetworkId;

/// Every tree. Each change runs as one transaction over these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeName {
    /// `database` → [`super::records::DatabaseInfo`].
    Meta,
    /// network id → `Network`.
    Networks,
    /// lower-case network name → network id (8 bytes): names are unique.
    NetworkNames,
    /// network id → `PracticeTeam`.
    PracticeTeams,
    /// network id + partner id → `Partner`.
    Partners,
    /// network id + participant id → `Participant`.
    Participants,
    /// network id + agreement id → `Agreement`.
    Agreements,
    /// hours entry id → `HoursEntry`.
    Hours,
    /// network id + year (u16) → `HoursIndex`.
    HoursIndex,
    /// year (u16) → `TariffTable`.
    Tariffs,
    /// network id + invoice id → `Invoice`.
    Invoices,
    /// network id + year + quarter → `InvoiceIndex`: the invoices of a network's quarter.
    InvoiceIndex,
    /// partner id + invoice number → invoice id: a number once per partner.
    InvoiceNumbers,
    /// network id + year + quarter → `QuarterClose`: present means locked.
    Closes,
    /// batch id → `PaymentBatch`, kept for ever (also after a reopening).
    Batches,
    /// batch id → `BatchExports`: every payment file written of the batch.
    Exports,
    /// batch id → `BatchBasis`: what the batch's payments were computed from (the quarters'
    /// practice-team money, what each partner could be paid), checked again at every export.
    BatchBases,
    /// network id + year + quarter → `BatchIds`: every batch that paid that network's quarter,
    /// reopened ones included, so a close reads only its own history.
    BatchIndex,
    /// name → setting (the secretariat's own account for payment files).
    Settings,
    /// lower-case municipality name + 0 + year (u16) → `MunicipalYear`.
    MunicipalYears,
    /// year (u16) → `S1Rate`.
    S1Rates,
    /// lower-case municipality name → `Municipality` (issue 17: name, CBS code, ZK and Medrie
    /// region, merger), seeded from seed 000's table.
    Municipalities,
    /// network id + payee id + payee kind (0 practice, 1 partner) → `OpenClaims`: what was paid
    /// too much to that payee and is still to be set off.
    Claims,
    /// audit id → `AuditEntry`, append-only.
    Audit,
    /// network id + year (u16) + month (u8) + partner id → `NihilMark`: a month's form came in
    /// without hours. A network's quarter is one range.
    Nihil,
    /// user name → `UserPreference`: the network and quarter the user last looked at. Not
    /// programme data and not audited (see `pref_repo`).
    Preferences,
    /// network id → `HoursFacts`: what of the network's hours lines, closes and other records
    /// can still give a Signalen row (its standing), derived and kept so that a fresh process
    /// need not read every line of every year, nor go over settled years again. A change that
    /// touches the network removes it in its transaction; a tariff change moves the facts epoch.
    SignalFacts,
    /// The audit log by day: year (u16) + month (u8) + day (u8) of the entry's time (UTC) +
    /// audit id → nothing. Written with the entry (see `audit::index_keys`).
    AuditTime,
    /// The audit log by user, action and record name: kind byte (`u`, `a`, `r`) + lower-case
    /// word + 0 + audit id → nothing.
    AuditWords,
    /// Every word of `AuditWords` once: kind byte + lower-case word → nothing. The Logboek's
    /// filter looks a typed word up here.
    AuditTerms,
    /// audit id → `AuditHead`: who, when, what and which record of each entry, without the
    /// records before and after, so the Logboek's search reads little per entry.
    AuditHeads,
    /// `regio:NAAM` → `RegionAddress`, `sjabloon:SOORT` → `MailTemplate`: the e-mail settings an
    /// admin keeps (the SMTP server and its password are never here: see the mail settings file).
    MailSettings,
    /// message id → `OutboxMessage`: every mail queued, and whether it was sent or failed.
    Outbox,
    /// batch id → `BankLines`: what the bank said of each payment line of the batch (paid,
    /// returned), by end-to-end id.
    BankLines,
    /// account + `/` + statement id → `BankStatementImport`: every bank statement read, so that
    /// reading it again changes nothing.
    BankStatements,
}

impl TreeName {
    pub const ALL: [TreeName; 35] = [
        Self::Meta,
        Self::Networks,
        Self::NetworkNames,
        Self::PracticeTeams,
        Self::Partners,
        Self::Participants,
        Self::Agreements,
        Self::Hours,
        Self::HoursIndex,
        Self::Tariffs,
        Self::Invoices,
        Self::InvoiceIndex,
        Self::InvoiceNumbers,
        Self::Closes,
        Self::Batches,
        Self::Exports,
        Self::BatchBases,
        Self::BatchIndex,
        Self::Settings,
        Self::MunicipalYears,
        Self::S1Rates,
        Self::Municipalities,
        Self::Claims,
        Self::Audit,
        Self::Nihil,
        Self::Preferences,
        Self::SignalFacts,
        Self::AuditTime,
        Self::AuditWords,
        Self::AuditTerms,
        Self::AuditHeads,
        Self::MailSettings,
        Self::Outbox,
        Self::BankLines,
        Self::BankStatements,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Meta => "meta",
            Self::Networks => "networks",
            Self::NetworkNames => "network_names",
            Self::PracticeTeams => "practice_teams",
            Self::Partners => "partners",
            Self::Participants => "participants",
            Self::Agreements => "agreements",
            Self::Hours => "hours",
            Self::HoursIndex => "hours_index",
            Self::Tariffs => "tariffs",
            Self::Invoices => "invoices",
            Self::InvoiceIndex => "invoice_index",
            Self::InvoiceNumbers => "invoice_numbers",
            Self::Closes => "closes",
            Self::Batches => "batches",
            Self::Exports => "exports",
            Self::BatchBases => "batch_bases",
            Self::BatchIndex => "batch_index",
            Self::Settings => "settings",
            Self::MunicipalYears => "municipal_years",
            Self::S1Rates => "s1_rates",
            Self::Municipalities => "municipalities",
            Self::Claims => "claims",
            Self::Audit => "audit",
            Self::Nihil => "nihil",
            Self::Preferences => "preferences",
            Self::SignalFacts => "signal_facts",
            Self::AuditTime => "audit_time",
            Self::AuditWords => "audit_words",
            Self::AuditTerms => "audit_terms",
            Self::AuditHeads => "audit_heads",
            Self::MailSettings => "mail_settings",
            Self::Outbox => "outbox",
            Self::BankLines => "bank_lines",
            Self::BankStatements => "bank_statements",
        }
    }

    /// Position in `ALL`, and in the transaction's views.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).expect("every tree is in ALL")
    }

    /// Trees whose keys start with record ids (8 bytes, and a second id after it): a restore keeps
    /// every one of them taken. Names, years and settings are not ids.
    pub fn keys_hold_ids(self) -> bool {
        !matches!(
            self,
            Self::Meta
                | Self::NetworkNames
                | Self::Tariffs
                | Self::Settings
                | Self::InvoiceNumbers
                | Self::MunicipalYears
                | Self::S1Rates
                | Self::Municipalities
                | Self::Nihil
                | Self::Preferences
                | Self::AuditTime
                | Self::AuditWords
                | Self::AuditTerms
                | Self::AuditHeads
                | Self::MailSettings
                | Self::BankStatements
        )
    }

    /// Trees holding the programme's data (not the database info, the settings, the log or what
    /// is derived from the data).
    pub fn holds_data(self) -> bool {
        !matches!(
            self,
            Self::Meta
                | Self::Audit
                | Self::Settings
                | Self::Preferences
                | Self::SignalFacts
                | Self::AuditTime
                | Self::AuditWords
                | Self::AuditTerms
                | Self::AuditHeads
                | Self::MailSettings
                | Self::Outbox
        )
    }
}

pub const META_KEY: &[u8] = b"database";
/// The highest id given or taken (u64, big-endian): every new id is above it. A restore and the
/// copy from sled set it to the highest id they found.
pub const ID_FLOOR_KEY: &[u8] = b"id_floor";
/// The facts epoch (u64, big-endian): moves with every change that reaches every network's
/// `HoursFacts` (tariffs); facts computed at another epoch are not used.
pub const FACTS_EPOCH_KEY: &[u8] = b"signal_facts_epoch";

/// Key of a record that belongs to a network: network id + own id.
pub fn in_network(network: NetworkId, id: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&network.to_key());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

/// Key of a network's year in the hours index.
pub fn network_year(network: NetworkId, year: i32) -> [u8; 10] {
    let mut key = [0u8; 10];
    key[..8].copy_from_slice(&network.to_key());
    key[8..].copy_from_slice(&year_key(year));
    key
}

/// Key of a network's quarter: network id + year + quarter number.
pub fn network_quarter(network: NetworkId, quarter: crate::domain::Quarter) -> [u8; 11] {
    let mut key = [0u8; 11];
    key[..8].copy_from_slice(&network.to_key());
    key[8..10].copy_from_slice(&year_key(quarter.year()));
    key[10] = quarter.number() as u8;
    key
}

/// Key of a payee's open claims: network id + practice or partner id + kind.
pub fn payee_key(network: NetworkId, payee: crate::domain::close::Payee) -> [u8; 17] {
    use crate::domain::close::Payee;
    let (id, kind) = match payee {
        Payee::Practice(id) => (id.0, 0),
        Payee::Partner(id) => (id.0, 1),
    };
    let mut key = [0u8; 17];
    key[..16].copy_from_slice(&in_network(network, id));
    key[16] = kind;
    key
}

/// Key of a nihil mark: network id + year + month + partner id.
pub fn nihil_key(network: NetworkId, month: crate::domain::YearMonth, partner: crate::domain::PartnerId) -> [u8; 19] {
    let mut key = [0u8; 19];
    key[..8].copy_from_slice(&network.to_key());
    key[8..10].copy_from_slice(&year_key(month.year()));
    key[10] = month.month() as u8;
    key[11..].copy_from_slice(&partner.0.to_be_bytes());
    key
}

/// A municipality's year: its lower-case name, a zero byte, then the year, so one municipality's
/// years sit together in year order.
pub fn municipal_year(municipality: &str, year: i32) -> Vec<u8> {
    let mut key = name_key(municipality);
    key.push(0);
    key.extend(year_key(year));
    key
}

/// A year as two key bytes. Years sidw accepts (2000..=2100) all fit; any other year maps to
/// key 0, under which nothing is ever stored, so reading it finds nothing instead of panicking.
pub fn year_key(year: i32) -> [u8; 2] {
    u16::try_from(year).unwrap_or(0).to_be_bytes()
}

pub fn year_from_key(bytes: &[u8]) -> Option<i32> {
    Some(i32::from(u16::from_be_bytes(bytes.get(..2)?.try_into().ok()?)))
}

/// The lower-case form a network name is unique in.
pub fn name_key(name: &str) -> Vec<u8> {
    name.trim().to_lowercase().into_bytes()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
