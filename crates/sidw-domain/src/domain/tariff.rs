//! The yearly tariff tables (handbook ch. 4). Rates are data, one table per year, never constants.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::error::{DomainError, FieldError};

/// The hourly tariff category of a partner with billing rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TariffCategory {
    /// Medical and/or university trained: GP, dentist, midwife, psychologist.
    A,
    /// Paramedical and/or higher vocational: physiotherapist, occupational therapist, dietitian.
    B,
    /// Other care providers: pedicure, lifestyle (GLI) coach.
    C,
}

impl TariffCategory {
    pub const ALL: [TariffCategory; 3] = [TariffCategory::A, TariffCategory::B, TariffCategory::C];

    pub fn letter(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
        }
    }

    /// The handbook's wording of the category.
    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::A => "medici en/of WO opgeleid",
            Self::B => "paramedici en/of HBO opgeleid",
            Self::C => "overige zorgverleners",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        match input.trim().to_uppercase().as_str() {
            "A" => Ok(Self::A),
            "B" => Ok(Self::B),
            "C" => Ok(Self::C),
            _ => Err(FieldError::new("tariefcategorie", "kies A (medisch/WO), B (paramedisch/HBO) of C (overig)")),
        }
    }
}

/// The rates of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffTable {
    pub year: i32,
    /// Practice-team money per ION per year (2025: € 3,40).
    pub practice_team_per_ion: Decimal,
    /// Partner budget per ION per year (2025: € 1,15).
    pub partner_per_ion: Decimal,
    /// Hourly tariff of category A (2025: € 101,00).
    pub hourly_a: Decimal,
    /// Hourly tariff of category B (2025: € 84,95).
    pub hourly_b: Decimal,
    /// Hourly tariff of category C (2025: € 59,35).
    pub hourly_c: Decimal,
}

impl TariffTable {
    /// The 2025 table of the handbook (version 2025, ch. 4): reference data for the demo and new databases.
    pub fn handbook_2025() -> Self {
        Self {
            year: 2025,
            practice_team_per_ion: Decimal::new(340, 2),
            partner_per_ion: Decimal::new(115, 2),
            hourly_a: Decimal::new(10100, 2),
            hourly_b: Decimal::new(8495, 2),
            hourly_c: Decimal::new(5935, 2),
        }
    }

    pub fn hourly(&self, category: TariffCategory) -> Decimal {
        match category {
            TariffCategory::A => self.hourly_a,
            TariffCategory::B => self.hourly_b,
            TariffCategory::C => self.hourly_c,
        }
    }

    /// What a former GEZ/OWZ practice team receives per ION: the full amount (practice team + partners).
    pub fn former_gez_owz_per_ion(&self) -> Decimal {
        self.practice_team_per_ion + self.partner_per_ion
    }

    /// Every rate is positive with at most 2 decimals.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !super::calendar::YEARS.contains(&self.year) {
            return Err(FieldError::new("jaar", format!("{} valt buiten de jaren die sidw kent", self.year)));
        }
        for (field, rate) in [
            ("tarief praktijkteam per ION", self.practice_team_per_ion),
            ("tarief partners per ION", self.partner_per_ion),
            ("uurtarief A", self.hourly_a),
            ("uurtarief B", self.hourly_b),
            ("uurtarief C", self.hourly_c),
        ] {
            if rate <= Decimal::ZERO {
                return Err(FieldError::new(field, "een tarief is groter dan 0"));
            }
            if rate.normalize().scale() > 2 {
                return Err(FieldError::new(field, "een tarief heeft hooguit 2 decimalen"));
            }
        }
        Ok(())
    }
}

/// All tariff tables, by year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TariffBook {
    tables: BTreeMap<i32, TariffTable>,
}

impl TariffBook {
    pub fn new(tables: impl IntoIterator<Item = TariffTable>) -> Self {
        Self { tables: tables.into_iter().map(|t| (t.year, t)).collect() }
    }

    pub fn for_year(&self, year: i32) -> Result<&TariffTable, DomainError> {
        self.tables.get(&year).ok_or(DomainError::NoTariffs(year))
    }

    pub fn years(&self) -> impl DoubleEndedIterator<Item = i32> + '_ {
        self.tables.keys().copied()
    }
}
