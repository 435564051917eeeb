//! Signals: everything due or overdue that the secretariat must act on, computed from the facts
//! and a given `today` (handbook ch. 3, ch. 4 and appendix 1).

use chrono::{Datelike, Days, Months, NaiveDate};
use std::collections::HashMap;

use super::agreement::{Agreement, AgreementKind, AgreementState};
use super::budget::{BudgetLevel, PartnerBudget};
use super::calendar::{Quarter, YearMonth, format_date};
use super::ids::{AgreementId, NetworkId, PartnerId};
use super::milestones::{MilestoneKind, MilestoneState, first_open_duty_year, milestones_from};
use super::money::format_eur;
use super::municipality::{MunicipalYear, funded_years, municipal_signals};
use super::municipality_list::MunicipalityList;
use super::network::Network;
use super::partner::Partner;
use super::payment_timing::payment_due;
use super::region::Region;

/// What a signal leads to when the user presses Enter on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalTarget {
    Network(NetworkId),
    Agreement(NetworkId, AgreementId),
    Hours(NetworkId, YearMonth),
    Tariffs(i32),
    /// The milestones of a network.
    Milestones(NetworkId),
    /// A municipality's S1 year.
    Municipality(String, i32),
    /// The close screen of a network's quarter (its checklist, batch and payment files).
    Close(NetworkId, Quarter),
}

/// One thing due or overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub due: NaiveDate,
    pub overdue: bool,
    /// Network name, or "programma" for signals about the whole programme.
    pub subject: String,
    pub text: String,
    pub target: SignalTarget,
    /// The Medrie region it belongs to; `None` for the whole programme.
    pub region: Option<Region>,
}

/// The months whose hours form came in, per partner: a set of (partner, month), kept as one
/// month mask per partner and year (a network's ten years are ~100 entries, not ~1 200).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormsReceived {
    months: HashMap<(PartnerId, i32), u16, std::hash::BuildHasherDefault<SmallKeyHasher>>,
}

/// A multiply-and-rotate hash for a few hundred small integer keys of our own (the Signalen ask
/// ~1 200 times per network; SipHash's protection against chosen keys is not needed here).
#[derive(Default)]
struct SmallKeyHasher(u64);

impl std::hash::Hasher for SmallKeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n.cast_unsigned()));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FormsReceived {
    pub fn insert(&mut self, partner: PartnerId, month: YearMonth) {
        self.add_months(partner, month.year(), 1 << (month.month() - 1));
    }

    /// Adds the months of `year` whose bit is set in `months` (bit 0 is January).
    pub fn add_months(&mut self, partner: PartnerId, year: i32, months: u16) {
        *self.months.entry((partner, year)).or_default() |= months & 0x0fff;
    }

    /// The months of `year` whose form of `partner` came in (bit 0 is January).
    pub fn months(&self, partner: PartnerId, year: i32) -> u16 {
        self.months.get(&(partner, year)).copied().unwrap_or(0)
    }

    pub fn contains(&self, partner: PartnerId, month: YearMonth) -> bool {
        self.months.get(&(partner, month.year())).is_some_and(|m| m & (1 << (month.month() - 1)) != 0)
    }
}

impl FromIterator<(PartnerId, YearMonth)> for FormsReceived {
    fn from_iter<I: IntoIterator<Item = (PartnerId, YearMonth)>>(pairs: I) -> Self {
        let mut forms = Self::default();
        for (partner, month) in pairs {
            forms.insert(partner, month);
        }
        forms
    }
}

/// What the signals of one network are computed from.
pub struct NetworkFacts<'a> {
    pub network: &'a Network,
    pub partners: &'a [Partner],
    pub agreements: &'a [Agreement],
    /// The months of each partner whose hours form was received (a line, or marked nihil).
    pub hours_present: &'a FormsReceived,
    /// The partner budget of each year that has tariffs.
    pub budgets: &'a [(i32, PartnerBudget)],
    /// The network's closed quarters (reopened ones are not closed).
    pub closed: &'a [ClosedQuarter],
}

/// A closed quarter of a network: its payment batch and whether a payment file of it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedQuarter {
    pub quarter: Quarter,
    /// The batch number, `2025-Q1-0001`.
    pub batch: String,
    pub exported: bool,
}

/// Yearly duties show in the signals from this many days before their due date.
pub const YEARLY_DUTY_NOTICE_DAYS: u64 = 60;

/// Every signal, oldest due date first: of the networks, of the programme (tariffs) and of the
/// municipalities' S1 years.
pub fn signals(
    today: NaiveDate,
    tariff_years: &[i32],
    facts: &[NetworkFacts],
    municipal: &[MunicipalYear],
    list: &MunicipalityList,
) -> Vec<Signal> {
    let mut all = Vec::new();
    for f in facts {
        all.extend(network_signals(today, tariff_years, f));
    }
    let networks: Vec<&Network> = facts.iter().map(|f| f.network).collect();
    all.extend(programme_signals(today, tariff_years, &networks, municipal, list));
    sort_signals(&mut all);
    all
}

/// The signals of one network: its agreements, milestones, hours forms, budgets and payments.
/// They depend on that network's facts alone (and the day and the tariff years), so they can be
/// computed per network and kept until the network changes.
pub fn network_signals(today: NaiveDate, tariff_years: &[i32], f: &NetworkFacts) -> Vec<Signal> {
    let standing = standing(tariff_years, f);
    let facts = StandingFacts {
        network: f.network,
        partners: f.partners,
        agreements: f.agreements,
        standing: &standing,
        closed: f.closed,
    };
    signals_of_standing(today, &facts)
}

/// What of a network's facts can still give a signal on some day or other: worked out from the
/// facts and the tariff years alone, not the day, so that it can be kept with the facts and a
/// network's settled history (months whose forms all came in, closed quarters, budgets with room
/// left) is not gone over again for every list. [`network_signals`] is [`standing`] followed by
/// [`signals_of_standing`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// The funded months of years with tariffs in which a partner with an agreement in force at
    /// the month's end has no form (no line, not marked nihil), oldest first: with those
    /// partners' names, in the partners' order. A month's form is due by the end of the month
    /// after, so a month shows from the day after it ends.
    pub missing_forms: Vec<(YearMonth, Vec<String>)>,
    /// The funded quarters of years with tariffs that are not closed, oldest first.
    pub unclosed: Vec<Quarter>,
    /// The years whose partner budget is 80 % spent or more.
    pub budgets: Vec<(i32, PartnerBudget)>,
}

/// A network's [`Standing`]: every month and quarter from the start of funding to the end of the
/// last year with tariffs (later ones can give no signal: their hours and closes need tariffs).
pub fn standing(tariff_years: &[i32], f: &NetworkFacts) -> Standing {
    Standing {
        missing_forms: missing_forms(tariff_years, f),
        unclosed: unclosed_quarters(tariff_years, f),
        budgets: f.budgets.iter().filter(|(_, budget)| budget.level() != BudgetLevel::Normal).cloned().collect(),
    }
}

/// What a network's signals are made from once its [`Standing`] is known.
pub struct StandingFacts<'a> {
    pub network: &'a Network,
    pub partners: &'a [Partner],
    pub agreements: &'a [Agreement],
    pub standing: &'a Standing,
    /// The network's closed quarters (reopened ones are not closed); one whose batch was written
    /// to a payment file or pays nothing may be left out.
    pub closed: &'a [ClosedQuarter],
}

/// The signals of one network on `today`, from its standing.
pub fn signals_of_standing(today: NaiveDate, f: &StandingFacts) -> Vec<Signal> {
    let mut all = Vec::new();
    agreement_signals(today, f, &mut all);
    milestone_signals(today, f.network, &mut all);
    missing_hours_signals(today, f, &mut all);
    budget_signals(today, f, &mut all);
    payment_signals(today, f, &mut all);
    all
}

/// The signals of the programme: the municipalities' S1 years and missing tariffs, which depend
/// on the networks' own records only (not their hours).
pub fn programme_signals(
    today: NaiveDate,
    tariff_years: &[i32],
    networks: &[&Network],
    municipal: &[MunicipalYear],
    list: &MunicipalityList,
) -> Vec<Signal> {
    let mut all = Vec::new();
    let funded = funded_years(networks.iter().copied(), today);
    for m in municipal_signals(today, municipal, &funded) {
        // The municipality list names it and gives its Medrie region (issue 17).
        let Some(known) = list.get(&m.municipality) else { continue };
        all.push(Signal {
            due: m.due,
            overdue: m.overdue,
            subject: format!("gemeente {}", list.display(&known.name)),
            text: m.text,
            target: SignalTarget::Municipality(known.name.clone(), m.year),
            region: list.region_of(&known.name),
        });
    }
    let this_year = YearMonth::of_date(today).year();
    let funded = networks
        .iter()
        .any(|n| n.funding_start.is_some_and(|s| s <= today) && n.funding_end.is_none_or(|e| e >= today));
    if funded && !tariff_years.contains(&this_year) {
        let first = NaiveDate::from_ymd_opt(this_year, 1, 1).expect("1 January exists");
        all.push(Signal {
            due: first,
            overdue: true,
            subject: "programma".into(),
            text: format!(
                "tarieven {this_year} ontbreken: uren en budgetten van {this_year} kunnen niet worden berekend"
            ),
            target: SignalTarget::Tariffs(this_year),
            region: None,
        });
    }
    all
}

/// Oldest due date first, then by subject and text.
pub fn sort_signals(all: &mut [Signal]) {
    all.sort_by(|a, b| (a.due, &a.subject, &a.text).cmp(&(b.due, &b.subject, &b.text)));
}

fn agreement_signals(today: NaiveDate, f: &StandingFacts, out: &mut Vec<Signal>) {
    for agreement in f.agreements {
        let state = agreement.state(today);
        let (Some(due), AgreementState::Verstuurd | AgreementState::TeLaat) = (agreement.due(), state) else {
            continue;
        };
        let party = match (agreement.kind, agreement.partner) {
            (AgreementKind::Partner, Some(id)) => {
                f.partners.iter().find(|p| p.id == id).map_or_else(|| format!("partner {id}"), |p| p.name.clone())
            }
            (kind, _) => kind.dutch_label().to_string(),
        };
        let text = if state == AgreementState::TeLaat {
            format!(
                "overeenkomst {party} niet getekend retour ({} te laat)",
                super::dutch::count(usize::try_from(agreement.days_overdue(today)).unwrap_or(0), "dag", "dagen")
            )
        } else {
            format!("overeenkomst {party} getekend retour uiterlijk {}", format_date(due))
        };
        out.push(Signal {
            due,
            overdue: state == AgreementState::TeLaat,
            subject: f.network.name.clone(),
            text,
            target: SignalTarget::Agreement(f.network.id, agreement.id),
            region: Some(f.network.region),
        });
    }
}

fn milestone_signals(today: NaiveDate, network: &Network, out: &mut Vec<Signal>) {
    // The years whose duties are all done give no signal: not made at all (ten years of them
    // would be most of the work).
    for m in milestones_from(network, today, first_open_duty_year(network)) {
        let target = SignalTarget::Milestones(network.id);
        let (due, text, overdue) = match (m.kind, m.due, m.state) {
            (MilestoneKind::NetworkMeeting | MilestoneKind::Wijkplan, Some(due), state)
                if matches!(state, MilestoneState::Open | MilestoneState::Overdue) =>
            {
                let what =
                    if m.kind == MilestoneKind::NetworkMeeting { "netwerkbijeenkomst" } else { "gedragen wijkplan" };
                let text = format!("{what} binnen 6 maanden na start financiering, uiterlijk {}", format_date(due));
                (due, text, state == MilestoneState::Overdue)
            }
            (MilestoneKind::ProjectPlan(i), _, MilestoneState::TooLong) => {
                let plan = &network.milestones.project_plans[i];
                if plan.end < today {
                    continue;
                }
                let text =
                    format!("projectplan {} duurt langer dan een jaar ({}): evalueer en herzie", plan.name, m.note);
                (plan.start, text, false)
            }
            (
                MilestoneKind::ReflectionReport(_)
                | MilestoneKind::EvaluationTalk(_)
                | MilestoneKind::FinancialAccounting(_),
                Some(due),
                MilestoneState::Overdue,
            ) => (due, format!("{} ontbreekt (uiterlijk {})", m.label.to_lowercase(), format_date(due)), true),
            (
                MilestoneKind::ReflectionReport(_)
                | MilestoneKind::EvaluationTalk(_)
                | MilestoneKind::FinancialAccounting(_),
                Some(due),
                MilestoneState::Open,
            ) if today + Days::new(YEARLY_DUTY_NOTICE_DAYS) >= due => {
                (due, format!("{} uiterlijk {}", m.label.to_lowercase(), format_date(due)), false)
            }
            _ => continue,
        };
        out.push(Signal { due, overdue, subject: network.name.clone(), text, target, region: Some(network.region) });
    }
}

/// An hours form per partner with a signed agreement and funded month is due by the end of the
/// following month: the months of [`Standing::missing_forms`] before this month, one signal per
/// network and month naming the partners whose form is missing.
fn missing_hours_signals(today: NaiveDate, f: &StandingFacts, out: &mut Vec<Signal>) {
    let network = f.network;
    let this_month = YearMonth::of_date(today);
    for (month, missing) in f.standing.missing_forms.iter().take_while(|(month, _)| *month < this_month) {
        let due = month.first_day() + Months::new(2) - Days::new(1);
        out.push(Signal {
            due,
            overdue: today > due,
            subject: network.name.clone(),
            text: format!("urenformulier {} ontbreekt: {}", month.dutch_name(), missing.join(", ")),
            target: SignalTarget::Hours(network.id, *month),
            region: Some(network.region),
        });
    }
}

/// The months of [`Standing::missing_forms`]: each funded month of a year with tariffs from the
/// start of funding on, in which a partner with an agreement in force at the month's end has no
/// form.
fn missing_forms(tariff_years: &[i32], f: &NetworkFacts) -> Vec<(YearMonth, Vec<String>)> {
    let network = f.network;
    let mut found = Vec::new();
    let (Some(start), Some(last_year)) = (network.funding_start, tariff_years.iter().max()) else { return found };
    if network.former_gez_owz {
        return found;
    }
    let mut month = YearMonth::of_date(start);
    // Ten years are 120 months a network: per month only what is needed, and the quarter's
    // funding once a quarter (date arithmetic is most of the cost where every form came in).
    let mut funded_quarter: Option<(Quarter, bool)> = None;
    // The months of the year in which every partner's form came in (once a year): in those no
    // partner is missing, so nothing more is asked.
    let mut every_form: Option<(i32, u16)> = None;
    while month.year() <= *last_year {
        let quarter = month.quarter();
        let funded = match funded_quarter {
            Some((known, funded)) if known == quarter => funded,
            _ => {
                let funded = network.is_funded_in(quarter);
                funded_quarter = Some((quarter, funded));
                funded
            }
        };
        let complete = match every_form {
            Some((year, months)) if year == month.year() => months,
            _ => {
                let months = f.partners.iter().fold(0x0fff, |all, p| all & f.hours_present.months(p.id, month.year()));
                every_form = Some((month.year(), months));
                months
            }
        };
        if complete & (1 << (month.month() - 1)) == 0 && funded && tariff_years.contains(&month.year()) {
            // The received form first: most months have every form, and then no agreement is read.
            let mut without: Vec<&Partner> =
                f.partners.iter().filter(|p| !f.hours_present.contains(p.id, month)).collect();
            if !without.is_empty() {
                let month_end = month.first_day() + Months::new(1) - Days::new(1);
                without.retain(|p| f.agreements.iter().any(|a| a.partner == Some(p.id) && a.is_in_force_on(month_end)));
            }
            if !without.is_empty() {
                found.push((month, without.iter().map(|p| p.name.clone()).collect()));
            }
        }
        month = following(month);
    }
    found
}

/// The month after `month`.
fn following(month: YearMonth) -> YearMonth {
    let next = if month.month() == 12 {
        YearMonth::new(month.year() + 1, 1)
    } else {
        YearMonth::new(month.year(), month.month() + 1)
    };
    // Past the last year sidw knows: as the calendar says.
    next.unwrap_or_else(|| YearMonth::of_date(month.first_day() + Months::new(1)))
}

/// Payment is due one month after the quarter's end (appendix 1): from the day after, a closed
/// quarter whose batch was never written to a payment file, and a funded quarter that is not
/// closed ([`Standing::unclosed`]), are overdue.
fn payment_signals(today: NaiveDate, f: &StandingFacts, out: &mut Vec<Signal>) {
    let network = f.network;
    for closed in f.closed.iter().filter(|c| !c.exported) {
        let due = payment_due(closed.quarter);
        if today > due {
            out.push(Signal {
                due,
                overdue: true,
                subject: network.name.clone(),
                text: format!(
                    "betaalbatch {} van {} niet naar de bank (uiterlijk {})",
                    closed.batch,
                    closed.quarter,
                    format_date(due)
                ),
                target: SignalTarget::Close(network.id, closed.quarter),
                region: Some(network.region),
            });
        }
    }
    for quarter in &f.standing.unclosed {
        let due = payment_due(*quarter);
        if due >= today {
            break;
        }
        out.push(Signal {
            due,
            overdue: true,
            subject: network.name.clone(),
            text: format!("{quarter} van {} niet afgesloten (betaling uiterlijk {})", network.name, format_date(due)),
            target: SignalTarget::Close(network.id, *quarter),
            region: Some(network.region),
        });
    }
}

/// The quarters of [`Standing::unclosed`]: funded, of a year with tariffs (only those can be
/// closed, so the years before sidw was used are not asked for), and not closed.
fn unclosed_quarters(tariff_years: &[i32], f: &NetworkFacts) -> Vec<Quarter> {
    let mut found = Vec::new();
    let (Some(start), Some(last_year)) = (f.network.funding_start, tariff_years.iter().max()) else { return found };
    let mut quarter = Quarter::of_date(start);
    while quarter.year() <= *last_year {
        if f.network.is_funded_in(quarter)
            && tariff_years.contains(&quarter.year())
            && !f.closed.iter().any(|c| c.quarter == quarter)
        {
            found.push(quarter);
        }
        quarter = quarter.next();
    }
    found
}

fn budget_signals(today: NaiveDate, f: &StandingFacts, out: &mut Vec<Signal>) {
    for (year, budget) in &f.standing.budgets {
        let level = budget.level();
        if level == BudgetLevel::Normal {
            continue;
        }
        let text = if level == BudgetLevel::Red {
            format!("partnerbudget {year} op: resterend {}", format_eur(budget.remaining()))
        } else {
            format!("partnerbudget {year} voor 80 % of meer besteed: resterend {}", format_eur(budget.remaining()))
        };
        let month = if *year == today.year() {
            YearMonth::of_date(today)
        } else {
            YearMonth::new(*year, 12).unwrap_or(YearMonth::of_date(today))
        };
        out.push(Signal {
            due: NaiveDate::from_ymd_opt(*year, 12, 31).unwrap_or(today).min(today),
            overdue: level == BudgetLevel::Red,
            subject: f.network.name.clone(),
            text,
            target: SignalTarget::Hours(f.network.id, month),
            region: Some(f.network.region),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::budget::Spending;
    use crate::domain::ids::NetworkId;
    use crate::domain::partner::Discipline;
    use crate::domain::validate::{Agb, Iban};
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn network() -> Network {
        let (mut network, _, _) = crate::domain::budget::example_7000_ion();
        network.name = "Zwolle-Zuid".into();
        network.funding_start = Some(d(2025, 1, 1));
        network
    }

    fn partner(id: u64) -> Partner {
        Partner {
            id: PartnerId(id),
            network: NetworkId(1),
            name: format!("Partner {id}"),
            discipline: Discipline::Fysiotherapeut,
            category: Discipline::Fysiotherapeut.usual_category(),
            agb: Agb::parse("04012345").unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            email: String::new(),
        }
    }

    fn signed(id: u64, partner: u64) -> Agreement {
        Agreement {
            id: AgreementId(id),
            network: NetworkId(1),
            kind: AgreementKind::Partner,
            partner: Some(PartnerId(partner)),
            sent: Some(d(2024, 12, 1)),
            signed: Some(d(2024, 12, 10)),
            ended: None,
        }
    }

    /// The month after: within a year, over a year's end, and past the last year sidw knows
    /// (as the calendar says), each as adding a month to the first day gives.
    #[test]
    fn the_following_month_is_the_calendars() {
        let last = *crate::domain::calendar::YEARS.end();
        for (y, m) in [(2025, 1), (2025, 11), (2025, 12), (last, 11), (last, 12)] {
            let Some(month) = YearMonth::new(y, m) else { continue };
            let calendar = YearMonth::of_date(month.first_day() + Months::new(1));
            assert_eq!(following(month), calendar, "{y}-{m}");
        }
        assert_eq!(following(YearMonth::new(2025, 12).unwrap()), YearMonth::new(2026, 1).unwrap());
    }

    #[test]
    fn agreements_milestones_hours_and_budget() {
        let mut network = network();
        network.milestones.network_meeting = Some(d(2025, 3, 1));
        let partners = [partner(1), partner(2)];
        let mut waiting = signed(3, 2);
        waiting.kind = AgreementKind::PracticeTeam;
        waiting.partner = None;
        waiting.sent = Some(d(2025, 1, 31));
        waiting.signed = None;
        let agreements = [signed(1, 1), waiting];
        let hours: FormsReceived =
            [(PartnerId(1), YearMonth::new(2025, 1).unwrap()), (PartnerId(1), YearMonth::new(2025, 3).unwrap())]
                .into_iter()
                .collect();
        let budgets =
            [(2025, PartnerBudget { budget: dec!(100), spending: Spending { spent: dec!(85), ..Default::default() } })];
        let facts = [NetworkFacts {
            network: &network,
            partners: &partners,
            agreements: &agreements,
            hours_present: &hours,
            budgets: &budgets,
            closed: &[],
        }];

        let found = signals(d(2025, 4, 10), &[2025], &facts, &[], &MunicipalityList::seeded());
        let texts: Vec<(&str, bool)> = found.iter().map(|s| (s.text.as_str(), s.overdue)).collect();
        assert_eq!(
            texts,
            vec![
                // No S1 record for Zwolle 2025 while a network there is funded.
                ("S1-toekenning 2025 niet ontvangen (bericht uiterlijk 01-11-2024)", true),
                ("overeenkomst praktijkteam niet getekend retour (41 dagen te laat)", true),
                ("urenformulier februari 2025 ontbreekt: Partner 1", true),
                ("partnerbudget 2025 voor 80 % of meer besteed: resterend € 15,00", false),
                ("gedragen wijkplan binnen 6 maanden na start financiering, uiterlijk 01-07-2025", false),
            ]
        );
        assert_eq!(found[1].due, d(2025, 2, 28), "sent 31 January, due 28 February");
        assert_eq!(found[0].target, SignalTarget::Municipality("Zwolle".into(), 2025));
        // Partner 2 has no signed agreement, so its missing forms are no signal; March is there.
    }

    #[test]
    fn forms_received_is_a_set_of_partner_months() {
        let month = |y, m| YearMonth::new(y, m).unwrap();
        let mut forms: FormsReceived =
            [(PartnerId(1), month(2025, 1)), (PartnerId(1), month(2025, 12))].into_iter().collect();
        assert!(forms.contains(PartnerId(1), month(2025, 1)));
        assert!(forms.contains(PartnerId(1), month(2025, 12)));
        assert!(!forms.contains(PartnerId(1), month(2025, 2)));
        assert!(!forms.contains(PartnerId(1), month(2024, 1)), "another year");
        assert!(!forms.contains(PartnerId(2), month(2025, 1)), "another partner");
        forms.add_months(PartnerId(2), 2024, 0b1000_0000_0010);
        assert!(forms.contains(PartnerId(2), month(2024, 2)) && forms.contains(PartnerId(2), month(2024, 12)));
        assert!(!forms.contains(PartnerId(2), month(2024, 1)) && !forms.contains(PartnerId(2), month(2024, 11)));
        // Bits above December are no months.
        forms.add_months(PartnerId(3), 2024, 0xf000);
        assert_eq!(forms, {
            let mut same: FormsReceived =
                [(PartnerId(1), month(2025, 1)), (PartnerId(1), month(2025, 12))].into_iter().collect();
            same.add_months(PartnerId(2), 2024, 0b1000_0000_0010);
            same.add_months(PartnerId(3), 2024, 0);
            same
        });
    }

    #[test]
    fn missing_tariffs_for_this_year() {
        let network = network();
        let none = FormsReceived::default();
        let facts = [NetworkFacts {
            network: &network,
            partners: &[],
            agreements: &[],
            hours_present: &none,
            budgets: &[],
            closed: &[],
        }];
        let found = signals(d(2026, 2, 1), &[2025], &facts, &[], &MunicipalityList::seeded());
        assert!(
            found
                .iter()
                .any(|s| s.text.starts_with("tarieven 2026 ontbreken") && s.target == SignalTarget::Tariffs(2026))
        );
    }

    #[test]
    fn payment_due_one_month_after_the_quarter_then_overdue() {
        let network = network();
        let none = FormsReceived::default();
        let q1 = Quarter::parse("2025-Q1").unwrap();
        let q2 = q1.next();
        let closed = [ClosedQuarter { quarter: q1, batch: "2025-Q1-0001".into(), exported: false }];
        let facts = [NetworkFacts {
            network: &network,
            partners: &[],
            agreements: &[],
            hours_present: &none,
            budgets: &[],
            closed: &closed,
        }];
        let payments = |today| -> Vec<(String, SignalTarget)> {
            signals(today, &[2025], &facts, &[], &MunicipalityList::seeded())
                .into_iter()
                .filter(|s| s.text.contains("bank") || s.text.contains("afgesloten"))
                .map(|s| (s.text, s.target))
                .collect()
        };
        // Q1 is due 30-04-2025: on that day nothing yet, the day after the batch is late.
        assert_eq!(payments(d(2025, 4, 30)), vec![]);
        assert_eq!(
            payments(d(2025, 5, 1)),
            vec![(
                "betaalbatch 2025-Q1-0001 van 2025-Q1 niet naar de bank (uiterlijk 30-04-2025)".to_string(),
                SignalTarget::Close(network.id, q1)
            )]
        );
        // Q2 is due 30-07-2025 and not closed.
        assert_eq!(payments(d(2025, 7, 30)).len(), 1);
        let late = payments(d(2025, 7, 31));
        assert_eq!(late.len(), 2);
        assert_eq!(
            late[1],
            (
                "2025-Q2 van Zwolle-Zuid niet afgesloten (betaling uiterlijk 30-07-2025)".to_string(),
                SignalTarget::Close(network.id, q2)
            )
        );

        // Once written to a payment file, the batch is no signal; a quarter before funding none
        // either, nor a quarter of a year without tariffs (it cannot be closed).
        assert_eq!(
            signals(d(2025, 7, 31), &[2024], &facts, &[], &MunicipalityList::seeded())
                .iter()
                .filter(|s| s.text.contains("afgesloten"))
                .count(),
            0
        );
        let exported = [ClosedQuarter { exported: true, ..closed[0].clone() }];
        let mut late_start = network.clone();
        late_start.funding_start = Some(d(2025, 4, 1));
        let facts = [NetworkFacts { network: &late_start, closed: &exported, ..facts[0] }];
        let found: Vec<String> = signals(d(2025, 7, 31), &[2025], &facts, &[], &MunicipalityList::seeded())
            .into_iter()
            .filter(|s| s.text.contains("bank") || s.text.contains("afgesloten"))
            .map(|s| s.text)
            .collect();
        assert_eq!(found, vec!["2025-Q2 van Zwolle-Zuid niet afgesloten (betaling uiterlijk 30-07-2025)"]);
    }

    /// Ten years of settled history leave a standing of only what is still open, however old:
    /// one missing form of 2017 and one unclosed quarter of 2019 among ten years of complete
    /// forms and closed quarters. The signals made from it are those of every day.
    #[test]
    fn the_standing_keeps_what_is_open_of_ten_years_and_nothing_settled() {
        let mut network = network();
        network.funding_start = Some(d(2016, 1, 1));
        let partners = [partner(1), partner(2)];
        let mut agreement = signed(1, 1);
        agreement.sent = Some(d(2015, 12, 1));
        agreement.signed = Some(d(2015, 12, 10));
        let agreements = [agreement];
        let years: Vec<i32> = (2016..=2025).collect();
        let mut forms = FormsReceived::default();
        for year in &years {
            forms.add_months(PartnerId(1), *year, if *year == 2017 { 0x0fff & !(1 << 2) } else { 0x0fff });
        }
        let q = |s| Quarter::parse(s).unwrap();
        let closed: Vec<ClosedQuarter> = years
            .iter()
            .flat_map(|y| Quarter::of_year(*y))
            .filter(|quarter| *quarter != q("2019-Q2"))
            .map(|quarter| ClosedQuarter { quarter, batch: format!("{quarter}-0001"), exported: true })
            .collect();
        let budgets =
            [(2024, PartnerBudget { budget: dec!(100), spending: Spending { spent: dec!(10), ..Default::default() } })];
        let facts = NetworkFacts {
            network: &network,
            partners: &partners,
            agreements: &agreements,
            hours_present: &forms,
            budgets: &budgets,
            closed: &closed,
        };
        let found = standing(&years, &facts);
        assert_eq!(
            found,
            Standing {
                missing_forms: vec![(YearMonth::new(2017, 3).unwrap(), vec!["Partner 1".to_string()])],
                unclosed: vec![q("2019-Q2")],
                budgets: vec![],
            },
            "partner 2 has no agreement, so its forms are not asked for"
        );
        for today in [d(2017, 4, 30), d(2017, 5, 1), d(2019, 7, 30), d(2019, 7, 31), d(2026, 12, 1)] {
            let texts: Vec<String> = network_signals(today, &years, &facts).into_iter().map(|s| s.text).collect();
            let from_standing = StandingFacts {
                network: &network,
                partners: &partners,
                agreements: &agreements,
                standing: &found,
                closed: &[],
            };
            let again: Vec<String> = signals_of_standing(today, &from_standing).into_iter().map(|s| s.text).collect();
            assert_eq!(texts, again, "{today}");
            let form = texts.iter().any(|t| t == "urenformulier maart 2017 ontbreekt: Partner 1");
            let close = texts.iter().any(|t| t.starts_with("2019-Q2 van Zwolle-Zuid niet afgesloten"));
            assert_eq!((form, close), (today >= d(2017, 4, 1), today > d(2019, 7, 30)), "{today}");
        }
    }
}
