//! The money rules of handbook ch. 4: practice-team money per quarter and its split, the partner
//! budget per year, and what remains of it after the hours lines.

use rust_decimal::Decimal;

use super::calendar::Quarter;
use super::error::DomainError;
use super::hours::HoursEntry;
use super::ids::PracticeId;
use super::money::round_cents;
use super::network::Network;
use super::partner::Partner;
use super::practice::PracticeTeam;
use super::tariff::{TariffBook, TariffCategory};

const QUARTERS_PER_YEAR: Decimal = Decimal::from_parts(4, 0, 0, false, 0);
/// Share of the partner budget spent at which the remaining budget turns amber.
pub const AMBER_AT_PERCENT: Decimal = Decimal::from_parts(80, 0, 0, false, 0);

/// Practice-team money of a quarter: rate × Σ ION / 4, rounded to cents, using each practice's
/// latest ION count on or before the quarter's first day. A former GEZ/OWZ network receives the
/// full per-ION amount (practice team + partners). Nothing for a quarter that is not funded.
///
/// ```
/// use rust_decimal_macros::dec;
/// # use sidw_domain::domain::budget::*;
/// # let (network, team, tariffs) = sidw_domain::domain::budget::example_7000_ion();
/// let year: rust_decimal::Decimal = sidw_domain::domain::Quarter::of_year(2025)
///     .iter()
///     .map(|q| practice_team_money(&network, &team, &tariffs, *q).unwrap())
///     .sum();
/// assert_eq!(year, dec!(23800.00)); // handbook example 1
/// ```
pub fn practice_team_money(
    network: &Network,
    team: &PracticeTeam,
    tariffs: &TariffBook,
    quarter: Quarter,
) -> Result<Decimal, DomainError> {
    if !network.is_funded_in(quarter) {
        return Ok(Decimal::ZERO.round_dp(2));
    }
    let table = tariffs.for_year(quarter.year())?;
    let rate = if network.former_gez_owz { table.former_gez_owz_per_ion() } else { table.practice_team_per_ion };
    Ok(per_quarter(rate, team, quarter))
}

/// The quarter's practice-team money split over the practices by the shares in force on the
/// quarter's first day (SPEC §9), cent-exact.
pub fn practice_team_split(
    network: &Network,
    team: &PracticeTeam,
    tariffs: &TariffBook,
    quarter: Quarter,
) -> Result<Vec<(PracticeId, Decimal)>, DomainError> {
    team.split_on(quarter.first_day(), practice_team_money(network, team, tariffs, quarter)?)
}

/// Practice-team money of a whole year: the sum of its four quarters.
pub fn practice_team_money_year(
    network: &Network,
    team: &PracticeTeam,
    tariffs: &TariffBook,
    year: i32,
) -> Result<Decimal, DomainError> {
    Quarter::of_year(year).into_iter().map(|q| practice_team_money(network, team, tariffs, q)).sum()
}

/// The exact partner budget of a quarter: partner rate × Σ ION / 4, not rounded (a quarter's
/// partner money is never paid as such; only the year's sum is rounded). Nothing for a former
/// GEZ/OWZ network or an unfunded quarter.
pub fn partner_budget_quarter_exact(
    network: &Network,
    team: &PracticeTeam,
    tariffs: &TariffBook,
    quarter: Quarter,
) -> Result<Decimal, DomainError> {
    if network.former_gez_owz || !network.is_funded_in(quarter) {
        return Ok(Decimal::ZERO);
    }
    let rate = tariffs.for_year(quarter.year())?.partner_per_ion;
    Ok(rate * Decimal::from(team.total_ion_on(quarter.first_day())) / QUARTERS_PER_YEAR)
}

/// The partner budget of a year: Σ over its four quarters of the exact rate × Σ ION / 4,
/// rounded once to cents (SPEC §9; = € 1,15 × ION when ION is constant).
///
/// ```
/// # use rust_decimal_macros::dec;
/// # let (network, mut team, tariffs) = sidw_domain::domain::budget::example_7000_ion();
/// team.practices[1].ion_counts[0].count = 2801; // 7 001 ION all year
/// let year = sidw_domain::domain::budget::partner_budget_year(&network, &team, &tariffs, 2025).unwrap();
/// assert_eq!(year, dec!(8051.15)); // € 1,15 × 7 001, not 4 × € 2.012,79
/// ```
pub fn partner_budget_year(
    network: &Network,
    team: &PracticeTeam,
    tariffs: &TariffBook,
    year: i32,
) -> Result<Decimal, DomainError> {
    let exact: Decimal = Quarter::of_year(year)
        .into_iter()
        .map(|q| partner_budget_quarter_exact(network, team, tariffs, q))
        .sum::<Result<Decimal, DomainError>>()?;
    Ok(round_cents(exact))
}

fn per_quarter(rate: Decimal, team: &PracticeTeam, quarter: Quarter) -> Decimal {
    round_cents(rate * Decimal::from(team.total_ion_on(quarter.first_day())) / QUARTERS_PER_YEAR)
}

/// What a year's hours lines add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spending {
    /// Σ worth of the lines counted against the partner budget.
    pub spent: Decimal,
    /// Σ worth of the lines marked "paid by the practice team".
    pub paid_by_practice_team: Decimal,
}

impl Spending {
    /// Adds up lines, each with its partner's tariff category.
    pub fn of_lines<'a>(
        lines: impl IntoIterator<Item = (&'a HoursEntry, TariffCategory)>,
        tariffs: &TariffBook,
    ) -> Result<Self, DomainError> {
        let mut spending = Self::default();
        for (line, category) in lines {
            spending.add(line.worth(tariffs, category)?, line.paid_by_practice_team);
        }
        Ok(spending)
    }

    pub fn add(&mut self, worth: Decimal, paid_by_practice_team: bool) {
        if paid_by_practice_team {
            self.paid_by_practice_team += worth;
        } else {
            self.spent += worth;
        }
    }

    pub fn remove(&mut self, worth: Decimal, paid_by_practice_team: bool) {
        self.add(-worth, paid_by_practice_team);
    }
}

/// The partner budget of a network and year against what its lines spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerBudget {
    pub budget: Decimal,
    pub spending: Spending,
}

/// How full the partner budget is, for colouring: amber from 80 % spent, red from 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BudgetLevel {
    Normal,
    Amber,
    Red,
}

impl PartnerBudget {
    /// Remaining partner budget = year budget − Σ worth of the year's lines (not those paid by the practice team).
    pub fn remaining(&self) -> Decimal {
        self.budget - self.spending.spent
    }

    pub fn level(&self) -> BudgetLevel {
        if self.spending.spent >= self.budget && !(self.budget.is_zero() && self.spending.spent.is_zero()) {
            BudgetLevel::Red
        } else if self.spending.spent * super::money::HUNDRED >= self.budget * AMBER_AT_PERCENT
            && !self.budget.is_zero()
        {
            BudgetLevel::Amber
        } else {
            BudgetLevel::Normal
        }
    }

    /// What the remaining budget would be with `new_worth` in place of `old_worth` (the line
    /// being changed, 0 for a new line): shown live while a number is typed.
    pub fn remaining_with(&self, old_worth: Decimal, new_worth: Decimal) -> Decimal {
        self.remaining() + old_worth - new_worth
    }
}

/// The checks for saving a line of `worth` for `partner` in `network` (old line's worth
/// `old_worth` replaced, 0 for a new line): no hours in a former GEZ/OWZ network, the partner is
/// the network's, double funding confirmed, and not below zero unless paid by the practice team.
/// The budget's rule for removing a line of `worth`: removing a negative line (a correction
/// downwards) raises spending, and is refused like any raise over the budget (a line paid by the
/// practice team is not counted).
pub fn admit_removal(budget: &PartnerBudget, line: &HoursEntry, worth: Decimal) -> Result<(), DomainError> {
    raise_within_budget(budget, worth, Decimal::ZERO, line.paid_by_practice_team)
}

/// A change of a counted line's worth from `old_worth` to `worth` may raise spending only within
/// the budget; one that does not raise it is always allowed, even when the year is already over.
fn raise_within_budget(
    budget: &PartnerBudget,
    old_worth: Decimal,
    worth: Decimal,
    by_team: bool,
) -> Result<(), DomainError> {
    let remaining = budget.remaining_with(old_worth, worth);
    if !by_team && worth > old_worth && remaining.is_sign_negative() && !remaining.is_zero() {
        return Err(DomainError::OverBudget { shortfall: -remaining });
    }
    Ok(())
}

pub fn admit_line(
    network: &Network,
    partner: &Partner,
    budget: &PartnerBudget,
    old_worth: Decimal,
    line: &HoursEntry,
    worth: Decimal,
) -> Result<(), DomainError> {
    if network.former_gez_owz {
        return Err(DomainError::FormerGezOwzHasNoHours);
    }
    if partner.network != network.id || line.partner != partner.id || line.network != network.id {
        return Err(DomainError::PartnerNotInNetwork);
    }
    if partner.discipline.risks_double_funding() && !line.double_funding_confirmed && !line.paid_by_practice_team {
        return Err(DomainError::DoubleFundingNotConfirmed { discipline: partner.discipline.dutch_label() });
    }
    // A change that does not raise spending (a correction downwards, a new activity text) is
    // always allowed, even when the year is already over budget.
    raise_within_budget(budget, old_worth, worth, line.paid_by_practice_team)
}

/// A network of 7 000 ION (60/40 over two practices), funded since 2024, with the 2025 tariffs:
/// handbook example 1, for documentation and tests.
#[doc(hidden)]
pub fn example_7000_ion() -> (Network, PracticeTeam, TariffBook) {
    use super::ids::NetworkId;
    use super::practice::{IonCount, Practice};
    use super::validate::{Agb, Iban};
    use chrono::NaiveDate;
    let date = NaiveDate::from_ymd_opt(2024, 10, 1).expect("valid date");
    let practice = |id: u64, share: i64, count: u32| Practice {
        id: PracticeId(id),
        name: format!("Praktijk {id}"),
        agb: Agb::parse(&format!("0100000{id}")).expect("valid AGB"),
        iban: Iban::parse("NL91ABNA0417164300").expect("valid IBAN"),
        shares: vec![super::practice::ShareFrom { from: date, share: Decimal::from(share) }],
        ion_counts: vec![IonCount { reference_date: date, count }],
    };
    let network = Network {
        id: NetworkId(1),
        name: "Voorbeeld".into(),
        region: super::region::Region::Zwolle,
        municipality: "Zwolle".into(),
        postcodes: vec![],
        status: super::network::NetworkStatus::Actief,
        coordinator: Default::default(),
        district_manager: String::new(),
        core_team: Default::default(),
        former_gez_owz: false,
        funding_start: Some(date),
        funding_end: None,
        milestones: Default::default(),
    };
    let team = PracticeTeam { network: network.id, practices: vec![practice(1, 60, 4200), practice(2, 40, 2800)] };
    (network, team, TariffBook::new([super::tariff::TariffTable::handbook_2025()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::YearMonth;
    use crate::domain::ids::{HoursEntryId, PartnerId};
    use crate::domain::partner::Discipline;
    use crate::domain::practice::IonCount;
    use crate::domain::validate::{Agb, Iban};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn q(text: &str) -> Quarter {
        Quarter::parse(text).unwrap()
    }

    #[test]
    fn handbook_examples() {
        let (network, team, tariffs) = example_7000_ion();
        assert_eq!(practice_team_money_year(&network, &team, &tariffs, 2025).unwrap(), dec!(23800.00));
        assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), dec!(8050.00));
        assert_eq!(practice_team_money(&network, &team, &tariffs, q("2025-Q2")).unwrap(), dec!(5950.00));
        let split = practice_team_split(&network, &team, &tariffs, q("2025-Q2")).unwrap();
        assert_eq!(split, vec![(PracticeId(1), dec!(3570.00)), (PracticeId(2), dec!(2380.00))]);

        let mut big = team.clone();
        big.practices[0].ion_counts[0].count = 9600;
        big.practices[1].ion_counts[0].count = 6400;
        assert_eq!(practice_team_money_year(&network, &big, &tariffs, 2025).unwrap(), dec!(54400.00));
        assert_eq!(partner_budget_year(&network, &big, &tariffs, 2025).unwrap(), dec!(18400.00));
    }

    #[test]
    fn ion_change_counts_from_the_next_quarter_start() {
        let (network, mut team, tariffs) = example_7000_ion();
        // 1 000 more ION counted on 2 April: Q2 starts 1 April, so only Q3 and Q4 see them.
        team.practices[0]
            .ion_counts
            .push(IonCount { reference_date: NaiveDate::from_ymd_opt(2025, 4, 2).unwrap(), count: 5200 });
        assert_eq!(practice_team_money(&network, &team, &tariffs, q("2025-Q2")).unwrap(), dec!(5950.00));
        assert_eq!(practice_team_money(&network, &team, &tariffs, q("2025-Q3")).unwrap(), dec!(6800.00));
        // 1.15 × 7000 / 4 = 2012.50 twice, 1.15 × 8000 / 4 = 2300.00 twice
        assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), dec!(8625.00));
    }

    #[test]
    fn odd_ion_rounds_the_partner_year_once() {
        let (network, mut team, tariffs) = example_7000_ion();
        team.practices[1].ion_counts[0].count = 2801; // 7001 ION: 1.15 × 7001 / 4 = 2012.7875
        assert_eq!(partner_budget_quarter_exact(&network, &team, &tariffs, q("2025-Q1")).unwrap(), dec!(2012.7875));
        // Rounded once for the year (SPEC §9): € 1,15 × 7 001 = € 8.051,15, not 4 × € 2.012,79.
        assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), dec!(8051.15));
        team.practices[1].ion_counts[0].count = 2800 + 9001; // 16 001 ION: the issue's example
        assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), dec!(18401.15));
    }

    #[test]
    fn former_gez_owz_gets_the_full_amount_and_no_partner_budget() {
        let (mut network, team, tariffs) = example_7000_ion();
        network.former_gez_owz = true;
        assert_eq!(practice_team_money_year(&network, &team, &tariffs, 2025).unwrap(), dec!(31850.00));
        assert_eq!(partner_budget_year(&network, &team, &tariffs, 2025).unwrap(), dec!(0));
    }

    #[test]
    fn unfunded_network_and_missing_tariffs() {
        let (mut network, team, tariffs) = example_7000_ion();
        assert_eq!(
            practice_team_money_year(&network, &team, &tariffs, 2024).unwrap_err(),
            DomainError::NoTariffs(2024)
        );
        network.funding_start = None;
        assert_eq!(practice_team_money_year(&network, &team, &tariffs, 2025).unwrap(), dec!(0));
    }

    fn partner(discipline: Discipline) -> Partner {
        Partner {
            id: PartnerId(7),
            network: crate::domain::ids::NetworkId(1),
            name: "Fysio De Wijk".into(),
            discipline,
            category: discipline.usual_category(),
            agb: Agb::parse("04001234").unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            email: String::new(),
        }
    }

    fn line(hours: Decimal) -> HoursEntry {
        HoursEntry {
            id: HoursEntryId(1),
            network: crate::domain::ids::NetworkId(1),
            partner: PartnerId(7),
            month: YearMonth::new(2025, 3).unwrap(),
            hours,
            activity: String::new(),
            paid_by_practice_team: false,
            double_funding_confirmed: false,
            corrects: None,
        }
    }

    #[test]
    fn remaining_budget_and_levels() {
        let mut budget = PartnerBudget { budget: dec!(1000), spending: Spending::default() };
        assert_eq!(budget.level(), BudgetLevel::Normal);
        budget.spending.add(dec!(799.99), false);
        assert_eq!(budget.level(), BudgetLevel::Normal);
        budget.spending.add(dec!(0.01), false);
        assert_eq!(budget.level(), BudgetLevel::Amber);
        budget.spending.add(dec!(500), true);
        assert_eq!(budget.remaining(), dec!(200.00), "lines paid by the practice team do not count");
        budget.spending.add(dec!(200), false);
        assert_eq!(budget.level(), BudgetLevel::Red);
        assert_eq!(budget.remaining_with(dec!(100), dec!(40)), dec!(60));
    }

    /// Removing a correction downwards raises spending: refused over the budget, like a raise.
    #[test]
    fn removing_a_negative_line_is_a_raise_within_the_budget() {
        let mut budget = PartnerBudget { budget: dec!(100), spending: Spending::default() };
        budget.spending.add(dec!(90), false);
        let correction = line(dec!(-1));
        assert_eq!(admit_removal(&budget, &correction, dec!(-5)), Ok(()));
        assert_eq!(admit_removal(&budget, &correction, dec!(-10)), Ok(()), "exactly the budget");
        assert_eq!(admit_removal(&budget, &correction, dec!(-15)), Err(DomainError::OverBudget { shortfall: dec!(5) }));
        let by_team = HoursEntry { paid_by_practice_team: true, ..correction.clone() };
        assert_eq!(admit_removal(&budget, &by_team, dec!(-15)), Ok(()), "not counted");
        budget.spending.add(dec!(50), false);
        assert_eq!(
            admit_removal(&budget, &line(dec!(1)), dec!(20)),
            Ok(()),
            "a removal that lowers spending, over budget"
        );
    }

    #[test]
    fn admitting_lines() {
        let (network, _, tariffs) = example_7000_ion();
        let budget = PartnerBudget { budget: dec!(100), spending: Spending::default() };
        let fysio = partner(Discipline::Fysiotherapeut);
        let ok = line(dec!(1));
        let worth = ok.worth(&tariffs, fysio.category).unwrap();
        assert_eq!(admit_line(&network, &fysio, &budget, dec!(0), &ok, worth), Ok(()));

        let two = line(dec!(2));
        let worth = two.worth(&tariffs, fysio.category).unwrap();
        assert_eq!(
            admit_line(&network, &fysio, &budget, dec!(0), &two, worth),
            Err(DomainError::OverBudget { shortfall: dec!(69.90) })
        );
        let marked = HoursEntry { paid_by_practice_team: true, ..two.clone() };
        assert_eq!(admit_line(&network, &fysio, &budget, dec!(0), &marked, worth), Ok(()));
        // Replacing a line of worth 84.95 by one of 169.90 within a budget of 100 spent 84.95: fits.
        let spent =
            PartnerBudget { budget: dec!(100), spending: Spending { spent: dec!(84.95), ..Default::default() } };
        assert_eq!(admit_line(&network, &fysio, &spent, dec!(84.95), &line(dec!(1.1)), dec!(93.45)), Ok(()));

        let pharmacy = Partner { discipline: Discipline::Apotheek, ..partner(Discipline::Apotheek) };
        assert!(matches!(
            admit_line(&network, &pharmacy, &budget, dec!(0), &ok, dec!(1)),
            Err(DomainError::DoubleFundingNotConfirmed { .. })
        ));
        let confirmed = HoursEntry { double_funding_confirmed: true, ..ok.clone() };
        assert_eq!(admit_line(&network, &pharmacy, &budget, dec!(0), &confirmed, dec!(1)), Ok(()));

        let gez = Network { former_gez_owz: true, ..network.clone() };
        assert_eq!(admit_line(&gez, &fysio, &budget, dec!(0), &ok, dec!(1)), Err(DomainError::FormerGezOwzHasNoHours));
        let elsewhere = Partner { network: crate::domain::ids::NetworkId(2), ..fysio };
        assert_eq!(
            admit_line(&network, &elsewhere, &budget, dec!(0), &ok, dec!(1)),
            Err(DomainError::PartnerNotInNetwork)
        );
    }
}
