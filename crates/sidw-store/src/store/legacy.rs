//! Record layouts of earlier schema versions, kept so that old databases keep opening.
//!
//! Never change a struct here: it is what an earlier sidw wrote. Add a new one instead.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::domain::validate::Pc4;
use crate::domain::validate::{Agb, Iban};
use crate::domain::{
    Coordinator, CoreTeam, HoursEntry, HoursEntryId, IonCount, Milestones, Network, NetworkId, NetworkStatus,
    PartnerId, Practice, PracticeId, PracticeTeam, Region, ShareFrom, YearMonth,
};

/// Hours line, version 1: one line per partner and month, without activity text and without the
/// recorded double-funding confirmation (version 2 added both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntryV1 {
    pub id: HoursEntryId,
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub hours: Decimal,
    pub paid_by_practice_team: bool,
}

impl From<HoursEntryV1> for HoursEntryV2 {
    fn from(v1: HoursEntryV1) -> Self {
        HoursEntryV2 {
            id: v1.id,
            network: v1.network,
            partner: v1.partner,
            month: v1.month,
            hours: v1.hours,
            activity: String::new(),
            paid_by_practice_team: v1.paid_by_practice_team,
            double_funding_confirmed: false,
        }
    }
}

impl From<HoursEntryV1> for HoursEntry {
    fn from(v1: HoursEntryV1) -> Self {
        HoursEntryV2::from(v1).into()
    }
}

/// Hours line, version 2: with activity and the double-funding confirmation, without the
/// correction link (version 3 added it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntryV2 {
    pub id: HoursEntryId,
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub hours: Decimal,
    pub activity: String,
    pub paid_by_practice_team: bool,
    pub double_funding_confirmed: bool,
}

impl From<HoursEntryV2> for HoursEntry {
    fn from(v2: HoursEntryV2) -> Self {
        HoursEntry {
            id: v2.id,
            network: v2.network,
            partner: v2.partner,
            month: v2.month,
            hours: v2.hours,
            activity: v2.activity,
            paid_by_practice_team: v2.paid_by_practice_team,
            double_funding_confirmed: v2.double_funding_confirmed,
            corrects: None,
        }
    }
}

/// Network, version 1: without milestones (version 2 added them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkV1 {
    pub id: NetworkId,
    pub name: String,
    pub region: Region,
    pub municipality: String,
    pub postcodes: Vec<Pc4>,
    pub status: NetworkStatus,
    pub coordinator: Coordinator,
    pub district_manager: String,
    pub core_team: CoreTeam,
    pub former_gez_owz: bool,
    pub funding_start: Option<NaiveDate>,
    pub funding_end: Option<NaiveDate>,
}

impl From<NetworkV1> for Network {
    fn from(v1: NetworkV1) -> Self {
        Network {
            id: v1.id,
            name: v1.name,
            region: v1.region,
            municipality: v1.municipality,
            postcodes: v1.postcodes,
            status: v1.status,
            coordinator: v1.coordinator,
            district_manager: v1.district_manager,
            core_team: v1.core_team,
            former_gez_owz: v1.former_gez_owz,
            funding_start: v1.funding_start,
            funding_end: v1.funding_end,
            milestones: Milestones::default(),
        }
    }
}

/// Milestones, as network version 2 stored them: four dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestonesV2 {
    pub intake: Option<NaiveDate>,
    pub application_form: Option<NaiveDate>,
    pub network_meeting: Option<NaiveDate>,
    pub wijkplan: Option<NaiveDate>,
}

/// Network, version 2: milestones without project plans and yearly duties (version 3 added them,
/// and whether the start of funding was derived from the practice-team agreement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkV2 {
    pub id: NetworkId,
    pub name: String,
    pub region: Region,
    pub municipality: String,
    pub postcodes: Vec<Pc4>,
    pub status: NetworkStatus,
    pub coordinator: Coordinator,
    pub district_manager: String,
    pub core_team: CoreTeam,
    pub former_gez_owz: bool,
    pub funding_start: Option<NaiveDate>,
    pub funding_end: Option<NaiveDate>,
    pub milestones: MilestonesV2,
}

impl From<NetworkV2> for Network {
    fn from(v2: NetworkV2) -> Self {
        let m = v2.milestones;
        Network {
            id: v2.id,
            name: v2.name,
            region: v2.region,
            municipality: v2.municipality,
            postcodes: v2.postcodes,
            status: v2.status,
            coordinator: v2.coordinator,
            district_manager: v2.district_manager,
            core_team: v2.core_team,
            former_gez_owz: v2.former_gez_owz,
            funding_start: v2.funding_start,
            funding_end: v2.funding_end,
            milestones: Milestones {
                intake: m.intake,
                application_form: m.application_form,
                network_meeting: m.network_meeting,
                wijkplan: m.wijkplan,
                ..Milestones::default()
            },
        }
    }
}

/// A project plan as network version 3 stored it: dates as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPlanV3 {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A year's duties as network version 3 stored them: dates as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyDutiesV3 {
    pub year: i32,
    pub reflection_report: Option<NaiveDate>,
    pub evaluation_talk: Option<NaiveDate>,
    pub financial_accounting: Option<NaiveDate>,
}

/// Milestones as network version 3 stored them: dates as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestonesV3 {
    pub intake: Option<NaiveDate>,
    pub application_form: Option<NaiveDate>,
    pub network_meeting: Option<NaiveDate>,
    pub wijkplan: Option<NaiveDate>,
    pub funding_start_derived: bool,
    pub project_plans: Vec<ProjectPlanV3>,
    pub yearly: Vec<YearlyDutiesV3>,
}

/// Network, version 3: every date as text (version 4 stores day numbers, which read several
/// times faster: ten years of yearly duties are thirty dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkV3 {
    pub id: NetworkId,
    pub name: String,
    pub region: Region,
    pub municipality: String,
    pub postcodes: Vec<Pc4>,
    pub status: NetworkStatus,
    pub coordinator: Coordinator,
    pub district_manager: String,
    pub core_team: CoreTeam,
    pub former_gez_owz: bool,
    pub funding_start: Option<NaiveDate>,
    pub funding_end: Option<NaiveDate>,
    pub milestones: MilestonesV3,
}

impl From<NetworkV3> for Network {
    fn from(v3: NetworkV3) -> Self {
        let m = v3.milestones;
        Network {
            id: v3.id,
            name: v3.name,
            region: v3.region,
            municipality: v3.municipality,
            postcodes: v3.postcodes,
            status: v3.status,
            coordinator: v3.coordinator,
            district_manager: v3.district_manager,
            core_team: v3.core_team,
            former_gez_owz: v3.former_gez_owz,
            funding_start: v3.funding_start,
            funding_end: v3.funding_end,
            milestones: Milestones {
                intake: m.intake,
                application_form: m.application_form,
                network_meeting: m.network_meeting,
                wijkplan: m.wijkplan,
                funding_start_derived: m.funding_start_derived,
                project_plans: m
                    .project_plans
                    .into_iter()
                    .map(|p| crate::domain::ProjectPlan { name: p.name, start: p.start, end: p.end })
                    .collect(),
                yearly: m
                    .yearly
                    .into_iter()
                    .map(|y| crate::domain::YearlyDuties {
                        year: y.year,
                        reflection_report: y.reflection_report,
                        evaluation_talk: y.evaluation_talk,
                        financial_accounting: y.financial_accounting,
                    })
                    .collect(),
            },
        }
    }
}

/// Payment batch, version 1: before claims, set-offs and the excess of invoices above their hours
/// (version 2 added all three; a version 1 batch had none of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBatchV1 {
    pub id: u64,
    pub number: String,
    pub quarter: crate::domain::Quarter,
    pub networks: Vec<NetworkId>,
    pub lines: Vec<crate::domain::close::PaymentLine>,
    pub by_team: Vec<crate::domain::close::ByTeamLine>,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
    pub reopenings: Vec<crate::domain::close::Reopening>,
}

impl From<PaymentBatchV1> for crate::domain::close::PaymentBatch {
    fn from(v1: PaymentBatchV1) -> Self {
        Self {
            id: v1.id,
            number: v1.number,
            quarter: v1.quarter,
            networks: v1.networks,
            lines: v1.lines,
            by_team: v1.by_team,
            closed_by: v1.closed_by,
            closed_at: v1.closed_at,
            reopenings: v1.reopenings,
            team_differences: Vec::new(),
            claims: Vec::new(),
            set_offs: Vec::new(),
        }
    }
}

/// Practice, as practice team version 1 stored it: one share, without history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeV1 {
    pub id: PracticeId,
    pub name: String,
    pub agb: Agb,
    pub iban: Iban,
    pub share: Decimal,
    pub ion_counts: Vec<IonCount>,
}

/// Practice team, version 1: each practice had one share (version 2 gave shares a history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeTeamV1 {
    pub network: NetworkId,
    pub practices: Vec<PracticeV1>,
}

/// The single share becomes one entry from [`crate::domain::practice::shares_since_always`]: every
/// quarter, closed or open, keeps the split it had.
impl From<PracticeTeamV1> for PracticeTeam {
    fn from(v1: PracticeTeamV1) -> Self {
        let from = crate::domain::practice::shares_since_always();
        PracticeTeam {
            network: v1.network,
            practices: v1
                .practices
                .into_iter()
                .map(|p| Practice {
                    id: p.id,
                    name: p.name,
                    agb: p.agb,
                    iban: p.iban,
                    shares: vec![ShareFrom { from, share: p.share }],
                    ion_counts: p.ion_counts,
                })
                .collect(),
        }
    }
}

/// A network's Signalen facts, version 1: the forms and spending of every year and every close
/// (version 2 keeps only what can still give a signal). Only a cache: what it said cannot be
/// carried over (version 2 needs the agreements and tariffs as well), so it upgrades to facts that
/// are never current and are computed again before use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursFactsV1 {
    pub epoch: u64,
    pub forms: Vec<(PartnerId, i32, u16)>,
    pub spending: Vec<(i32, Decimal, Decimal)>,
    pub closed: Vec<(crate::domain::Quarter, u64, String, bool)>,
}

impl From<HoursFactsV1> for super::records::HoursFacts {
    fn from(_: HoursFactsV1) -> Self {
        super::records::HoursFacts { epoch: super::records::HoursFacts::OUTDATED, ..Default::default() }
    }
}

/// The payment files of a batch, version 1: each export with when, by whom and what (format and
/// file) only; version 2 added the file name, its SHA-256 and the execution date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchExportsV1 {
    pub entries: Vec<BatchExportV1>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchExportV1 {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub what: String,
}

impl From<BatchExportsV1> for super::records::BatchExports {
    fn from(v1: BatchExportsV1) -> Self {
        Self {
            entries: v1
                .entries
                .into_iter()
                .map(|e| super::records::BatchExport {
                    at: e.at,
                    by: e.by,
                    what: e.what,
                    file: String::new(),
                    sha256: String::new(),
                    execution_date: None,
                })
                .collect(),
        }
    }
}

/// What the bank said of a batch's lines, version 1: the states only; version 2 added which
/// re-closes paid a returned line again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankLinesV1 {
    pub lines: Vec<(String, crate::domain::bank::LineState)>,
}

impl From<BankLinesV1> for super::records::BankLines {
    fn from(v1: BankLinesV1) -> Self {
        Self { lines: v1.lines, settled_again: Vec::new(), sent: None }
    }
}

/// Where a queued mail stood, version 1 of the outbox (version 2 added "being sent").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxStateV1 {
    Queued,
    Sent { at: chrono::DateTime<chrono::Utc> },
    Failed { at: chrono::DateTime<chrono::Utc> },
}

/// A mail in the outbox, version 1: without attachments (version 2 added them, and the state
/// "being sent").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessageV1 {
    pub to: String,
    pub name: String,
    pub from: String,
    pub region: Option<Region>,
    pub subject: String,
    pub body: String,
    pub keys: Vec<String>,
    pub queued_at: chrono::DateTime<chrono::Utc>,
    pub queued_by: String,
    pub state: OutboxStateV1,
    pub attempts: u32,
    pub next_try: chrono::DateTime<chrono::Utc>,
    pub last_error: String,
}

impl From<OutboxMessageV1> for super::records::OutboxMessage {
    fn from(v1: OutboxMessageV1) -> Self {
        use super::records::OutboxState;
        Self {
            to: v1.to,
            name: v1.name,
            from: v1.from,
            region: v1.region,
            subject: v1.subject,
            body: v1.body,
            keys: v1.keys,
            queued_at: v1.queued_at,
            queued_by: v1.queued_by,
            state: match v1.state {
                OutboxStateV1::Queued => OutboxState::Queued,
                OutboxStateV1::Sent { at } => OutboxState::Sent { at },
                OutboxStateV1::Failed { at } => OutboxState::Failed { at },
            },
            attempts: v1.attempts,
            next_try: v1.next_try,
            last_error: v1.last_error,
            attachments: Vec::new(),
        }
    }
}

/// Where a queued mail stood, version 2 of the outbox (version 3 gave "being sent" the attempt
/// that marked it, and added "superseded").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxStateV2 {
    Queued,
    Sent { at: chrono::DateTime<chrono::Utc> },
    Failed { at: chrono::DateTime<chrono::Utc> },
    Sending { since: chrono::DateTime<chrono::Utc> },
}

/// A mail in the outbox, version 2 (with attachments; "being sent" without its attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessageV2 {
    pub to: String,
    pub name: String,
    pub from: String,
    pub region: Option<Region>,
    pub subject: String,
    pub body: String,
    pub keys: Vec<String>,
    pub queued_at: chrono::DateTime<chrono::Utc>,
    pub queued_by: String,
    pub state: OutboxStateV2,
    pub attempts: u32,
    pub next_try: chrono::DateTime<chrono::Utc>,
    pub last_error: String,
    pub attachments: Vec<crate::domain::mail::Attachment>,
}

impl From<OutboxMessageV2> for super::records::OutboxMessage {
    /// A mail left "being sent" by version 2 keeps its moment; its attempt is 0 (no attempt of
    /// version 3 has that number, so no round records an outcome for it: it stays onzeker).
    fn from(v2: OutboxMessageV2) -> Self {
        use super::records::OutboxState;
        Self {
            to: v2.to,
            name: v2.name,
            from: v2.from,
            region: v2.region,
            subject: v2.subject,
            body: v2.body,
            keys: v2.keys,
            queued_at: v2.queued_at,
            queued_by: v2.queued_by,
            state: match v2.state {
                OutboxStateV2::Queued => OutboxState::Queued,
                OutboxStateV2::Sent { at } => OutboxState::Sent { at },
                OutboxStateV2::Failed { at } => OutboxState::Failed { at },
                OutboxStateV2::Sending { since } => OutboxState::Sending { since, attempt: 0 },
            },
            attempts: v2.attempts,
            next_try: v2.next_try,
            last_error: v2.last_error,
            attachments: v2.attachments,
        }
    }
}
