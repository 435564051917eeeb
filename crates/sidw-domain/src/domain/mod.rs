//! The pure core of sidw: the rules of "Samenwerken in de wijk" (handbook ch. 3, 4 and appendix 1).
//!
//! Nothing in here does I/O, reads the clock or knows a terminal. Whatever needs "today" takes it as
//! an argument. Storage (`crate::store`) and screens depend on this module, never the reverse.

pub mod agreement;
pub mod bank;
pub mod bank_signals;
pub mod budget;
pub mod calendar;
pub mod close;
pub mod dutch;
pub mod error;
pub mod hours;
pub mod ids;
pub mod invoice;
pub mod mail;
pub mod milestones;
pub mod money;
pub mod municipality;
pub mod municipality_list;
pub mod network;
pub mod participant;
pub mod partner;
pub mod payment_timing;
pub mod practice;
pub mod region;
pub mod role;
pub mod signals;
pub mod tariff;
pub mod validate;
pub mod verify;

pub use agreement::{Agreement, AgreementKind, AgreementState};
pub use calendar::{Quarter, YearMonth};
pub use error::DomainError;
pub use hours::HoursEntry;
pub use ids::{AgreementId, HoursEntryId, InvoiceId, NetworkId, ParticipantId, PartnerId, PracticeId};
pub use invoice::{Invoice, InvoiceDecision, InvoiceMatch};
pub use network::{Coordinator, CoreTeam, Milestones, Network, NetworkStatus, ProjectPlan, YearlyDuties};
pub use participant::{Participant, ParticipantKind};
pub use partner::{Discipline, Partner};
pub use practice::{IonCount, Practice, PracticeTeam, ShareFrom};
pub use region::Region;
pub use role::{Access, Role, Scope};
pub use tariff::{TariffBook, TariffCategory, TariffTable};
