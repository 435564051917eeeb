//! The municipal side (seed 000, SPEC §6): Zilveren Kruis funds district nursing's part in the
//! neighbourhood per municipality from S1 "wijkgericht werken". Per municipality and year the
//! secretariat records the number of insured aged 65 and over, the budget that follows from it
//! (the year's S1 rate × that count), the district-nursing providers the municipality proposed,
//! ZK's award and its date (notice by 1 November of the year before), and whether the cooperation
//! agreements that are a condition of the award are there.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::calendar::format_date;
use super::error::FieldError;
use super::network::Network;

/// ZK's decision on the S1 award of a municipality for a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AwardStatus {
    /// Applied for and proposed; no decision yet.
    #[default]
    Aangevraagd,
    Toegekend,
    Afgewezen,
}

impl AwardStatus {
    pub const ALL: [AwardStatus; 3] = [Self::Aangevraagd, Self::Toegekend, Self::Afgewezen];

    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Aangevraagd => "aangevraagd",
            Self::Toegekend => "toegekend",
            Self::Afgewezen => "afgewezen",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.dutch_label() == text || (text.len() == 1 && s.dutch_label().starts_with(&text)))
            .ok_or_else(|| FieldError::new("toekenning", "kies aangevraagd, toegekend of afgewezen (a/t/f)"))
    }

    pub fn is_decided(self) -> bool {
        self != Self::Aangevraagd
    }
}

/// What the secretariat records of one municipality's S1 year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalYear {
    /// In the spelling of the municipality list ([`super::municipality_list`]).
    pub municipality: String,
    pub year: i32,
    /// Zilveren Kruis insured aged 65 and over in the municipality.
    pub insured_65_plus: Option<u32>,
    /// District-nursing providers the municipality proposed to ZK.
    pub proposed_providers: Vec<String>,
    pub award: AwardStatus,
    /// When ZK's decision arrived.
    pub award_date: Option<NaiveDate>,
    /// Since when the cooperation agreements (a condition of the award) are there.
    pub cooperation_agreement: Option<NaiveDate>,
}

impl MunicipalYear {
    pub fn new(municipality: &str, year: i32) -> Self {
        Self {
            municipality: municipality.into(),
            year,
            insured_65_plus: None,
            proposed_providers: Vec::new(),
            award: AwardStatus::Aangevraagd,
            award_date: None,
            cooperation_agreement: None,
        }
    }

    /// The S1 budget: rate × insured 65+, rounded half away from zero to cents. `None` when the
    /// count or the year's rate is not known.
    pub fn budget(&self, rate: Option<&S1Rate>) -> Option<Decimal> {
        let (count, rate) = (self.insured_65_plus?, rate?);
        Some(
            (rate.per_insured_65_plus * Decimal::from(count))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("gemeente", &self.municipality, 60)?;
        if !(2000..=2100).contains(&self.year) {
            return Err(FieldError::new("jaar", "kies een jaar tussen 2000 en 2100"));
        }
        for provider in &self.proposed_providers {
            super::validate::parse_required_text("aanbieders", provider, 80)?;
        }
        if self.award.is_decided() != self.award_date.is_some() {
            let message = if self.award.is_decided() {
                "vul de datum van het besluit in"
            } else {
                "een datum hoort bij toegekend of afgewezen"
            };
            return Err(FieldError::new("datum besluit", message));
        }
        Ok(())
    }
}

/// The day ZK's notice of the award for `year` is due: 1 November of the year before (seed 000).
pub fn award_notice_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year - 1, 11, 1).expect("1 November exists")
}

/// The (municipality, year) pairs that need an S1 award because a network there is funded in that
/// year, for this year and the next: the same list for the Gemeenten pane and the Signalen.
pub fn funded_years<'a>(networks: impl IntoIterator<Item = &'a Network>, today: NaiveDate) -> Vec<(String, i32)> {
    use chrono::Datelike;
    networks
        .into_iter()
        .flat_map(|n| {
            [today.year(), today.year() + 1].into_iter().filter_map(move |year| {
                let started = n.funding_start.is_some_and(|s| s.year() <= year);
                let running = n.funding_end.is_none_or(|e| e.year() >= year);
                (started && running).then(|| (n.municipality.clone(), year))
            })
        })
        .collect()
}

/// The S1 rate of a year: euros per ZK-insured person aged 65 and over in the municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S1Rate {
    pub year: i32,
    pub per_insured_65_plus: Decimal,
}

/// Why a municipality's S1 year needs attention, on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalSignal {
    pub municipality: String,
    pub year: i32,
    pub due: NaiveDate,
    pub overdue: bool,
    pub text: String,
}

/// The S1 signals: a missing award after 1 November (for every municipality that has a record for
/// the year or a network funded in it), and an award without cooperation agreements.
///
/// `funded` lists, per municipality, the years its networks are funded in (this year and the next
/// year are looked at).
pub fn municipal_signals(
    today: NaiveDate,
    records: &[MunicipalYear],
    funded: &[(String, i32)],
) -> Vec<MunicipalSignal> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let years = [today.year(), today.year() + 1];
    let mut subjects: Vec<(String, i32)> = records
        .iter()
        .filter(|r| years.contains(&r.year))
        .map(|r| (r.municipality.clone(), r.year))
        .chain(funded.iter().filter(|(_, y)| years.contains(y)).cloned())
        .collect();
    subjects.sort();
    subjects.dedup();
    for (municipality, year) in subjects {
        let due = award_notice_due(year);
        let record = records.iter().find(|r| r.municipality == municipality && r.year == year);
        if today > due && record.is_none_or(|r| !r.award.is_decided()) {
            out.push(MunicipalSignal {
                municipality: municipality.clone(),
                year,
                due,
                overdue: true,
                text: format!("S1-toekenning {year} niet ontvangen (bericht uiterlijk {})", format_date(due)),
            });
        }
        if let Some(r) = record
            && r.award == AwardStatus::Toegekend
            && r.cooperation_agreement.is_none()
        {
            out.push(MunicipalSignal {
                municipality: municipality.clone(),
                year,
                due: r.award_date.unwrap_or(due),
                overdue: true,
                text: format!("S1 {year} toegekend zonder samenwerkingsafspraken (voorwaarde voor toekenning)"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn budget_is_rate_times_insured_to_the_cent() {
        let rate = S1Rate { year: 2026, per_insured_65_plus: dec!(9.505) };
        let mut r = MunicipalYear::new("Zwolle", 2026);
        assert_eq!(r.budget(Some(&rate)), None, "no count yet");
        r.insured_65_plus = Some(13_001);
        assert_eq!(r.budget(Some(&rate)), Some(dec!(123574.51)), "123 574,505 rounds up");
        assert_eq!(r.budget(None), None, "no rate for the year");
    }

    #[test]
    fn award_notice_is_due_1_november_the_year_before() {
        assert_eq!(award_notice_due(2027), d(2026, 11, 1));
    }

    #[test]
    fn validation_names_the_field() {
        let mut r = MunicipalYear::new(" ", 2026);
        assert_eq!(r.validate().unwrap_err().field, "gemeente");
        r.municipality = "Zwolle".into();
        r.award = AwardStatus::Toegekend;
        assert_eq!(r.validate().unwrap_err().field, "datum besluit");
        r.award_date = Some(d(2025, 10, 20));
        assert!(r.validate().is_ok());
        assert_eq!(AwardStatus::parse("T").unwrap(), AwardStatus::Toegekend);
        assert_eq!(AwardStatus::parse(" afgewezen ").unwrap(), AwardStatus::Afgewezen);
        assert!(AwardStatus::parse("misschien").is_err());
    }

    #[test]
    fn missing_award_signals_only_after_1_november() {
        let funded = vec![("Zwolle".to_string(), 2027)];
        assert!(municipal_signals(d(2026, 11, 1), &[], &funded).is_empty(), "on 1 November it may still come");
        let found = municipal_signals(d(2026, 11, 2), &[], &funded);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "S1-toekenning 2027 niet ontvangen (bericht uiterlijk 01-11-2026)");
        assert_eq!((found[0].municipality.as_str(), found[0].year, found[0].due), ("Zwolle", 2027, d(2026, 11, 1)));
        // A decision, either way, ends it.
        let mut record = MunicipalYear::new("Zwolle", 2027);
        record.award = AwardStatus::Afgewezen;
        record.award_date = Some(d(2026, 11, 5));
        assert!(municipal_signals(d(2026, 11, 10), &[record], &funded).is_empty());
    }

    #[test]
    fn award_without_cooperation_agreement() {
        let mut record = MunicipalYear::new("Almere", 2026);
        record.award = AwardStatus::Toegekend;
        record.award_date = Some(d(2025, 10, 28));
        let found = municipal_signals(d(2026, 2, 1), std::slice::from_ref(&record), &[]);
        assert_eq!(found.len(), 1);
        assert!(found[0].text.contains("zonder samenwerkingsafspraken"));
        assert_eq!(found[0].due, d(2025, 10, 28));
        record.cooperation_agreement = Some(d(2026, 1, 15));
        assert!(municipal_signals(d(2026, 2, 1), &[record], &[]).is_empty());
    }

    #[test]
    fn old_years_are_not_signalled() {
        let record = MunicipalYear::new("Lelystad", 2024);
        assert!(municipal_signals(d(2026, 11, 20), &[record], &[("Lelystad".into(), 2024)]).is_empty());
    }
}
