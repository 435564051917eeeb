//! Members of a network without billing rights (deelnemers zonder declaratierecht): funded
//! elsewhere (district nursing from S1, social domain by the municipality) or volunteers.

use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::ids::{NetworkId, ParticipantId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ParticipantKind {
    /// District nursing / home care: funded from S1.
    Wijkverpleging,
    /// Municipality, social domain, social work: funded by the municipality.
    SociaalDomein,
    /// Residents, taking part voluntarily.
    Buurtbewoner,
    Overig,
}

impl ParticipantKind {
    pub const ALL: [ParticipantKind; 4] = [Self::Wijkverpleging, Self::SociaalDomein, Self::Buurtbewoner, Self::Overig];

    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Wijkverpleging => "wijkverpleging",
            Self::SociaalDomein => "sociaal domein",
            Self::Buurtbewoner => "buurtbewoner",
            Self::Overig => "overig",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.dutch_label() == text)
            .ok_or_else(|| FieldError::new("soort", "kies wijkverpleging, sociaal domein, buurtbewoner of overig"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub network: NetworkId,
    pub name: String,
    pub kind: ParticipantKind,
    pub contact: String,
}

impl Participant {
    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("naam", &self.name, 80)?;
        super::validate::parse_optional_text("contact", &self.contact, 200)?;
        Ok(())
    }
}
