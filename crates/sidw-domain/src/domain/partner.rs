//! Care providers with billing rights (zorgverleners met declaratierecht).

use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::ids::{NetworkId, PartnerId};
use super::tariff::TariffCategory;
use super::validate::{Agb, Iban};

/// The discipline of a partner. It suggests the tariff category and says whether the handbook
/// advises against paying it from the partner budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Discipline {
    Huisarts,
    Tandarts,
    Verloskundige,
    Psycholoog,
    Fysiotherapeut,
    Ergotherapeut,
    Dietist,
    Logopedist,
    Oefentherapeut,
    Pedicure,
    Leefstijlcoach,
    Apotheek,
    Sportcoach,
    Overig,
}

impl Discipline {
    pub const ALL: [Discipline; 14] = [
        Self::Huisarts,
        Self::Tandarts,
        Self::Verloskundige,
        Self::Psycholoog,
        Self::Fysiotherapeut,
        Self::Ergotherapeut,
        Self::Dietist,
        Self::Logopedist,
        Self::Oefentherapeut,
        Self::Pedicure,
        Self::Leefstijlcoach,
        Self::Apotheek,
        Self::Sportcoach,
        Self::Overig,
    ];

    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Huisarts => "huisarts",
            Self::Tandarts => "tandarts",
            Self::Verloskundige => "verloskundige",
            Self::Psycholoog => "psycholoog",
            Self::Fysiotherapeut => "fysiotherapeut",
            Self::Ergotherapeut => "ergotherapeut",
            Self::Dietist => "diëtist",
            Self::Logopedist => "logopedist",
            Self::Oefentherapeut => "oefentherapeut",
            Self::Pedicure => "pedicure",
            Self::Leefstijlcoach => "leefstijlcoach (GLI)",
            Self::Apotheek => "apotheek",
            Self::Sportcoach => "sportcoach",
            Self::Overig => "overig",
        }
    }

    /// The handbook's category for the discipline (ch. 4); the secretariat may choose otherwise.
    pub fn usual_category(self) -> TariffCategory {
        match self {
            Self::Huisarts | Self::Tandarts | Self::Verloskundige | Self::Psycholoog | Self::Apotheek => {
                TariffCategory::A
            }
            Self::Fysiotherapeut | Self::Ergotherapeut | Self::Dietist | Self::Logopedist | Self::Oefentherapeut => {
                TariffCategory::B
            }
            Self::Pedicure | Self::Leefstijlcoach | Self::Sportcoach | Self::Overig => TariffCategory::C,
        }
    }

    /// Pharmacies and sports coaches: the handbook advises not to pay them from the € 1,15
    /// (double funding); the practices decide, so hours need an explicit confirmation.
    pub fn risks_double_funding(self) -> bool {
        matches!(self, Self::Apotheek | Self::Sportcoach)
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim().to_lowercase().replace('ë', "e");
        Self::ALL
            .into_iter()
            .find(|d| {
                let label = d.dutch_label().replace('ë', "e");
                label == text || label.split(' ').next() == Some(text.as_str())
            })
            .ok_or_else(|| FieldError::new("discipline", format!("'{}' is geen bekende discipline", input.trim())))
    }
}

/// A care provider with billing rights in one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub network: NetworkId,
    pub name: String,
    pub discipline: Discipline,
    pub category: TariffCategory,
    pub agb: Agb,
    pub iban: Iban,
    pub email: String,
}

impl Partner {
    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("naam", &self.name, 80)?;
        super::validate::parse_email(&self.email)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disciplines() {
        assert_eq!(Discipline::parse("Diëtist").unwrap(), Discipline::Dietist);
        assert_eq!(Discipline::parse("dietist").unwrap(), Discipline::Dietist);
        assert_eq!(Discipline::parse("leefstijlcoach").unwrap(), Discipline::Leefstijlcoach);
        assert!(Discipline::parse("astronaut").is_err());
        assert!(Discipline::Apotheek.risks_double_funding());
        assert!(Discipline::Sportcoach.risks_double_funding());
        assert!(!Discipline::Fysiotherapeut.risks_double_funding());
        assert_eq!(Discipline::Fysiotherapeut.usual_category(), TariffCategory::B);
        assert_eq!(Discipline::Pedicure.usual_category(), TariffCategory::C);
    }
}
