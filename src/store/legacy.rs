//! Record layouts of earlier schema versions, kept so that old databases keep opening.
//!
//! Never change a struct here: it is what an earlier sidw wrote. Add a new one instead.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::{HoursEntry, HoursEntryId, NetworkId, PartnerId, YearMonth};

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

impl From<HoursEntryV1> for HoursEntry {
    fn from(v1: HoursEntryV1) -> Self {
        HoursEntry {
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
