//! Agreements (overeenkomsten, handbook 3.4) and their deadline: returned signed within one month.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::one_month_after;
use super::error::FieldError;
use super::ids::{AgreementId, NetworkId, PartnerId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgreementKind {
    /// Samenwerkingsovereenkomst praktijkteam: the practices and Medrie, with the percentage split.
    PracticeTeam,
    /// Samenwerkingsovereenkomst overige zorgverlener met declaratierecht: one partner and Medrie.
    Partner,
    /// Samenwerkingsovereenkomst wijknetwerk (optional).
    Network,
}

impl AgreementKind {
    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::PracticeTeam => "praktijkteam",
            Self::Partner => "zorgverlener",
            Self::Network => "wijknetwerk",
        }
    }
}

/// Where an agreement stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgreementState {
    /// Drawn up, not sent yet.
    Concept,
    /// Sent, waiting for the signed copy, within the month.
    Verstuurd,
    /// Sent more than a month ago and not returned signed.
    TeLaat,
    Getekend,
    Beeindigd,
}

impl AgreementState {
    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Concept => "concept",
            Self::Verstuurd => "verstuurd",
            Self::TeLaat => "te laat",
            Self::Getekend => "getekend",
            Self::Beeindigd => "beëindigd",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub network: NetworkId,
    pub kind: AgreementKind,
    /// The partner, for an agreement of kind [`AgreementKind::Partner`].
    pub partner: Option<PartnerId>,
    pub sent: Option<NaiveDate>,
    pub signed: Option<NaiveDate>,
    pub ended: Option<NaiveDate>,
}

impl Agreement {
    /// The day the signed copy is due: one calendar month after sending (31-01 → 28-02).
    pub fn due(&self) -> Option<NaiveDate> {
        self.sent.map(one_month_after)
    }

    pub fn state(&self, today: NaiveDate) -> AgreementState {
        if self.ended.is_some_and(|ended| ended <= today) {
            AgreementState::Beeindigd
        } else if self.signed.is_some() {
            AgreementState::Getekend
        } else if self.due().is_some_and(|due| today > due) {
            AgreementState::TeLaat
        } else if self.sent.is_some() {
            AgreementState::Verstuurd
        } else {
            AgreementState::Concept
        }
    }

    /// Days past the due date while unsigned; 0 when not overdue.
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        match (self.state(today), self.due()) {
            (AgreementState::TeLaat, Some(due)) => (today - due).num_days(),
            _ => 0,
        }
    }

    /// Signed and not ended on `date`: the partner's hours may be paid.
    pub fn is_in_force_on(&self, date: NaiveDate) -> bool {
        self.signed.is_some_and(|s| s <= date) && self.ended.is_none_or(|e| e >= date)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if (self.kind == AgreementKind::Partner) != self.partner.is_some() {
            return Err(FieldError::new("partij", "een zorgverleners-overeenkomst noemt precies één zorgverlener"));
        }
        if let (Some(sent), Some(signed)) = (self.sent, self.signed)
            && signed < sent
        {
            return Err(FieldError::new("getekend", "ligt vóór de verzenddatum"));
        }
        if self.signed.is_some() && self.sent.is_none() {
            return Err(FieldError::new("verstuurd", "een getekende overeenkomst is eerst verstuurd"));
        }
        if let (Some(ended), Some(start)) = (self.ended, self.signed.or(self.sent))
            && ended < start
        {
            return Err(FieldError::new("beëindigd", "ligt vóór verzenden of tekenen"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn agreement(sent: Option<NaiveDate>, signed: Option<NaiveDate>) -> Agreement {
        Agreement {
            id: AgreementId(1),
            network: NetworkId(1),
            kind: AgreementKind::PracticeTeam,
            partner: None,
            sent,
            signed,
            ended: None,
        }
    }

    #[test]
    fn sent_on_31_january_is_due_end_of_february() {
        let a = agreement(Some(d(2025, 1, 31)), None);
        assert_eq!(a.due(), Some(d(2025, 2, 28)));
        assert_eq!(a.state(d(2025, 2, 28)), AgreementState::Verstuurd);
        assert_eq!(a.state(d(2025, 3, 1)), AgreementState::TeLaat);
        assert_eq!(a.days_overdue(d(2025, 3, 3)), 3);
        let leap = agreement(Some(d(2024, 1, 31)), None);
        assert_eq!(leap.due(), Some(d(2024, 2, 29)));
    }

    #[test]
    fn states() {
        assert_eq!(agreement(None, None).state(d(2025, 1, 1)), AgreementState::Concept);
        let signed = agreement(Some(d(2025, 1, 1)), Some(d(2025, 3, 1)));
        assert_eq!(signed.state(d(2025, 6, 1)), AgreementState::Getekend);
        assert_eq!(signed.days_overdue(d(2025, 6, 1)), 0);
        assert!(signed.is_in_force_on(d(2025, 3, 1)));
        assert!(!signed.is_in_force_on(d(2025, 2, 28)));
        let ended = Agreement { ended: Some(d(2025, 5, 1)), ..signed };
        assert_eq!(ended.state(d(2025, 6, 1)), AgreementState::Beeindigd);
        assert!(!ended.is_in_force_on(d(2025, 6, 1)));
    }

    #[test]
    fn validation() {
        assert!(agreement(Some(d(2025, 2, 1)), Some(d(2025, 1, 1))).validate().is_err());
        assert!(agreement(None, Some(d(2025, 1, 1))).validate().is_err());
        let partner_without_partner = Agreement { kind: AgreementKind::Partner, ..agreement(None, None) };
        assert_eq!(partner_without_partner.validate().unwrap_err().field, "partij");
    }
}
