//! The district network (wijknetwerk): who leads it, where it lies, and when its funding runs.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::Quarter;
use super::error::FieldError;
use super::ids::NetworkId;
use super::region::Region;
use super::validate::Pc4;

/// Where a network stands in the handbook's steps (ch. 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NetworkStatus {
    /// Intake held or planned; nothing signed yet.
    Intake,
    /// Application form in; agreements under way.
    Aanmelding,
    /// Agreements signed; funding runs.
    Actief,
    /// Stopped; kept for history and reports.
    Gestopt,
}

impl NetworkStatus {
    pub const ALL: [NetworkStatus; 4] = [Self::Intake, Self::Aanmelding, Self::Actief, Self::Gestopt];

    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Aanmelding => "aanmelding",
            Self::Actief => "actief",
            Self::Gestopt => "gestopt",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.dutch_label() == text)
            .ok_or_else(|| FieldError::new("status", "kies intake, aanmelding, actief of gestopt"))
    }
}

/// The person leading on behalf of the practice team (kartrekker).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordinator {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The three representatives of the core team (wijkkernteam).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreTeam {
    pub gp_practices: String,
    pub social_domain: String,
    pub district_nursing: String,
}

/// The steps of a network that have a date (handbook ch. 3 and appendix 1). A date is when the
/// step was done; `None` means not yet. Due dates and states are in [`super::milestones`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    #[serde(with = "day_number::option")]
    pub intake: Option<NaiveDate>,
    #[serde(with = "day_number::option")]
    pub application_form: Option<NaiveDate>,
    /// First network meeting: due within 6 months of the start of funding.
    #[serde(with = "day_number::option")]
    pub network_meeting: Option<NaiveDate>,
    /// Supported wijkplan: due within 6 months of the start of funding.
    #[serde(with = "day_number::option")]
    pub wijkplan: Option<NaiveDate>,
    /// The network's start of funding was taken from the signed practice-team agreement, not typed
    /// in: it follows that agreement's signed date until someone sets it.
    pub funding_start_derived: bool,
    pub project_plans: Vec<ProjectPlan>,
    /// The yearly duties done, per calendar year (appendix 1, "jaarlijks").
    pub yearly: Vec<YearlyDuties>,
}

impl Milestones {
    /// The yearly duties of `year` as recorded (all open when nothing is).
    pub fn year(&self, year: i32) -> YearlyDuties {
        self.yearly.iter().find(|y| y.year == year).cloned().unwrap_or(YearlyDuties { year, ..Default::default() })
    }

    /// Records the yearly duties of one year, replacing what was there.
    pub fn set_year(&mut self, duties: YearlyDuties) {
        self.yearly.retain(|y| y.year != duties.year);
        if duties != (YearlyDuties { year: duties.year, ..Default::default() }) {
            self.yearly.push(duties);
            self.yearly.sort_by_key(|y| y.year);
        }
    }
}

/// A project plan (handbook 3.3): a theme of the wijkplan worked out, with a start and an end;
/// preferably no longer than one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPlan {
    pub name: String,
    #[serde(with = "day_number")]
    pub start: NaiveDate,
    #[serde(with = "day_number")]
    pub end: NaiveDate,
}

impl ProjectPlan {
    /// Longer than one year (the handbook prefers at most one year, then evaluate and revise):
    /// a year from 01-03 runs to the last of February, from 29-02 to 28-02.
    pub fn is_longer_than_a_year(&self) -> bool {
        let last_day_of_the_year = (self.start - chrono::Days::new(1)) + chrono::Months::new(12);
        self.end > last_day_of_the_year
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("naam", &self.name, 80)?;
        if self.end < self.start {
            return Err(FieldError::new("einde", "ligt vóór de start"));
        }
        Ok(())
    }
}

/// When the yearly duties of one calendar year were done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearlyDuties {
    pub year: i32,
    /// Reflection report: the practice team evaluates the wijkplan and the cooperation with the partners.
    #[serde(with = "day_number::option")]
    pub reflection_report: Option<NaiveDate>,
    /// Evaluation talk between the coordinator and Medrie.
    #[serde(with = "day_number::option")]
    pub evaluation_talk: Option<NaiveDate>,
    /// Financial accounting of the practice-team money received in the year.
    #[serde(with = "day_number::option")]
    pub financial_accounting: Option<NaiveDate>,
}

/// A district network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: NetworkId,
    pub name: String,
    pub region: Region,
    /// In the spelling of the municipality list ([`super::municipality_list`]), which also holds
    /// the rule that it lies in the network's region (the store applies it).
    pub municipality: String,
    pub postcodes: Vec<Pc4>,
    pub status: NetworkStatus,
    pub coordinator: Coordinator,
    /// Optional district manager (wijkmanager), paid from the practice-team money.
    pub district_manager: String,
    pub core_team: CoreTeam,
    /// Former GEZ/OWZ practice team (handbook appendix 2): receives the full per-ION amount and
    /// administers its partners itself; no partner hours here.
    pub former_gez_owz: bool,
    /// First day of funding: when the practice-team agreement was signed and everything was in.
    #[serde(with = "day_number::option")]
    pub funding_start: Option<NaiveDate>,
    /// Last day of funding, when a network stops.
    #[serde(with = "day_number::option")]
    pub funding_end: Option<NaiveDate>,
    pub milestones: Milestones,
}

impl Network {
    /// A new, active network (its id is given when it is stored): name, region, municipality and
    /// start of funding; everything else empty.
    pub fn draft(name: &str, region: Region, municipality: &str, funding_start: Option<NaiveDate>) -> Self {
        Network {
            id: NetworkId(0),
            name: name.into(),
            region,
            municipality: municipality.into(),
            postcodes: Vec::new(),
            status: NetworkStatus::Actief,
            coordinator: Coordinator::default(),
            district_manager: String::new(),
            core_team: CoreTeam::default(),
            former_gez_owz: false,
            funding_start,
            funding_end: None,
            milestones: Milestones::default(),
        }
    }

    /// A quarter is funded, in full, when funding started on or before its last day and had not
    /// ended before its first day. Without a funding start there is no money.
    pub fn is_funded_in(&self, quarter: Quarter) -> bool {
        // A day is on or before a quarter's last day exactly when its quarter is that quarter or
        // an earlier one (and on or after its first day when its quarter is that one or later):
        // compared as quarters, with no date arithmetic (the Signalen ask this per month).
        let started = self.funding_start.is_some_and(|start| Quarter::of_date(start) <= quarter);
        let not_ended = self.funding_end.is_none_or(|end| Quarter::of_date(end) >= quarter);
        started && not_ended
    }

    /// The day the first network meeting and the wijkplan are due: 6 months after funding starts.
    pub fn six_month_deadline(&self) -> Option<NaiveDate> {
        self.funding_start.map(six_month_deadline)
    }

    /// Checks the fields that have rules beyond their type.
    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("naam", &self.name, 80)?;
        super::validate::parse_required_text("gemeente", &self.municipality, 60)?;
        super::validate::parse_email(&self.coordinator.email)?;
        if let (Some(start), Some(end)) = (self.funding_start, self.funding_end)
            && end < start
        {
            return Err(FieldError::new("einde financiering", "ligt vóór de start van de financiering"));
        }
        for plan in &self.milestones.project_plans {
            plan.validate()?;
        }
        let mut years: Vec<i32> = self.milestones.yearly.iter().map(|y| y.year).collect();
        years.sort_unstable();
        if years.windows(2).any(|w| w[0] == w[1]) {
            return Err(FieldError::new("mijlpalen", "een jaar staat twee keer in de jaarlijkse verantwoording"));
        }
        Ok(())
    }
}

/// The day the first network meeting and the wijkplan are due: 6 calendar months after the start
/// of funding (a day that does not exist becomes the month's last: 31-08 → 28/29-02).
pub fn six_month_deadline(funding_start: NaiveDate) -> NaiveDate {
    funding_start + Months::new(6)
}

/// A network's dates as the database stores them: day numbers (days since 1 January of year 1),
/// and as text where the format is one for people (the log's JSON). Reading ten years of yearly
/// duties as text was most of the cost of reading a network.
pub mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            date.serialize(serializer)
        } else {
            date.num_days_from_ce().serialize(serializer)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        if deserializer.is_human_readable() {
            NaiveDate::deserialize(deserializer)
        } else {
            day(i32::deserialize(deserializer)?)
        }
    }

    fn day<E: serde::de::Error>(number: i32) -> Result<NaiveDate, E> {
        NaiveDate::from_num_days_from_ce_opt(number).ok_or_else(|| E::custom(format!("dag {number} bestaat niet")))
    }

    /// The same for a date that may be absent.
    pub mod option {
        use chrono::{Datelike, NaiveDate};
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
            if serializer.is_human_readable() {
                date.serialize(serializer)
            } else {
                date.map(|d| d.num_days_from_ce()).serialize(serializer)
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
            if deserializer.is_human_readable() {
                Option::<NaiveDate>::deserialize(deserializer)
            } else {
                Option::<i32>::deserialize(deserializer)?.map(super::day).transpose()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn network() -> Network {
        Network {
            id: NetworkId(1),
            funding_end: NaiveDate::from_ymd_opt(2025, 9, 30),
            ..Network::draft("Zwolle-Zuid", Region::Zwolle, "Zwolle", NaiveDate::from_ymd_opt(2025, 2, 15))
        }
    }

    #[test]
    fn funded_quarters() {
        let n = network();
        let q = |s| Quarter::parse(s).unwrap();
        assert!(!n.is_funded_in(q("2024-Q4")));
        assert!(n.is_funded_in(q("2025-Q1")), "quarter in which funding starts is funded");
        assert!(n.is_funded_in(q("2025-Q3")));
        assert!(!n.is_funded_in(q("2025-Q4")));
        let unfunded = Network { funding_start: None, ..n };
        assert!(!unfunded.is_funded_in(q("2025-Q1")));
    }

    /// Funding compared as quarters says what comparing the days says: a start on any day up to
    /// a quarter's last day and an end on any day from its first day on.
    #[test]
    fn funded_quarters_as_the_days_say() {
        let quarters: Vec<Quarter> = (2024..=2026).flat_map(Quarter::of_year).collect();
        let first = NaiveDate::from_ymd_opt(2023, 12, 20).unwrap();
        for offset in (0..1_150).step_by(9) {
            let day = first + chrono::Days::new(offset);
            for q in &quarters {
                let from = Network { funding_start: Some(day), funding_end: None, ..network() };
                assert_eq!(from.is_funded_in(*q), day <= q.last_day(), "start {day} {q}");
                let until =
                    Network { funding_start: NaiveDate::from_ymd_opt(2020, 1, 1), funding_end: Some(day), ..network() };
                assert_eq!(until.is_funded_in(*q), day >= q.first_day(), "end {day} {q}");
            }
        }
    }

    #[test]
    fn validation() {
        assert!(network().validate().is_ok());
        let bad = Network { municipality: "  ".into(), ..network() };
        assert_eq!(bad.validate().unwrap_err().field, "gemeente");
        let reversed = Network { funding_end: NaiveDate::from_ymd_opt(2025, 1, 1), ..network() };
        assert_eq!(reversed.validate().unwrap_err().field, "einde financiering");
        let mut plans = network();
        let day = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        plans.milestones.project_plans = vec![ProjectPlan { name: "Valpreventie".into(), start: day(6), end: day(5) }];
        assert_eq!(plans.validate().unwrap_err().field, "einde");
        let mut twice = network();
        twice.milestones.yearly = vec![YearlyDuties { year: 2025, ..Default::default() }; 2];
        assert_eq!(twice.validate().unwrap_err().field, "mijlpalen");
    }
}
