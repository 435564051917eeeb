//! The milestones of a network with their due dates and states (handbook ch. 3, ch. 4 and
//! appendix 1): intake, application form, start of funding, first network meeting and wijkplan
//! within 6 months of the start, project plans, and every year a reflection report, an evaluation
//! talk and the financial accounting of the practice-team money.
//!
//! Due-date rules, with a given `today`:
//! - network meeting and wijkplan: 6 calendar months after the start of funding (31-08 → 28/29-02);
//! - reflection report and evaluation talk of year Y: 31-12-Y;
//! - financial accounting of year Y: 31-03-(Y+1), three months after the year (its last quarter is
//!   paid in arrears);
//! - the financial accounting applies to every calendar year in which the network was funded: money
//!   received is always accounted for. The reflection report and the evaluation talk apply from the
//!   year funding began when it began before 1 July; a network starting in the second half first
//!   reflects over the next year (this rule is ours: the handbook only says "jaarlijks");
//! - a former GEZ/OWZ network (appendix 2) has no network meeting, wijkplan or reflection report: its
//!   yearly evaluation talk over its own year and financial reports replaces them.

use chrono::{Datelike, NaiveDate};

use super::calendar::format_date;
pub use super::network::six_month_deadline;
use super::network::{Network, ProjectPlan};

/// Which milestone a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MilestoneKind {
    Intake,
    ApplicationForm,
    FundingStart,
    NetworkMeeting,
    Wijkplan,
    /// The project plan at this index of the network's list.
    ProjectPlan(usize),
    ReflectionReport(i32),
    EvaluationTalk(i32),
    FinancialAccounting(i32),
}

impl MilestoneKind {
    pub fn label(self) -> String {
        match self {
            Self::Intake => "Intakegesprek".into(),
            Self::ApplicationForm => "Aanmeldformulier".into(),
            Self::FundingStart => "Start financiering".into(),
            Self::NetworkMeeting => "Eerste netwerkbijeenkomst".into(),
            Self::Wijkplan => "Gedragen wijkplan".into(),
            Self::ProjectPlan(_) => "Projectplan".into(),
            Self::ReflectionReport(year) => format!("Reflectieverslag {year}"),
            Self::EvaluationTalk(year) => format!("Evaluatiegesprek {year}"),
            Self::FinancialAccounting(year) => format!("Financiële verantwoording {year}"),
        }
    }

    /// One of the two milestones due within 6 months of the start of funding, on which payments
    /// may be held (handbook ch. 4).
    pub fn is_six_month(self) -> bool {
        matches!(self, Self::NetworkMeeting | Self::Wijkplan)
    }
}

/// Where a milestone stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MilestoneState {
    /// Not done; no due date, or the due date has not passed.
    Open,
    /// Not done and the due date has passed.
    Overdue,
    /// Done on or before the due date (or without one).
    Met,
    /// Done, but after the due date.
    MetLate,
    /// A project plan that has not started yet.
    Planned,
    /// A project plan between its start and its end.
    Running,
    /// A project plan past its end.
    Ended,
    /// A project plan longer than one year that has not ended: allowed, but the handbook prefers
    /// at most one year, then evaluate and revise.
    TooLong,
}

impl MilestoneState {
    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Overdue => "te laat",
            Self::Met => "gehaald",
            Self::MetLate => "te laat gehaald",
            Self::Planned => "gepland",
            Self::Running => "loopt",
            Self::Ended => "afgelopen",
            Self::TooLong => "langer dan een jaar",
        }
    }

    /// Counted as met in the year report: done in time. (Done late counts as missed, so met and
    /// missed never count the same milestone.)
    pub fn is_met(self) -> bool {
        matches!(self, Self::Met)
    }

    /// Counted as missed in the year report: overdue, or done too late.
    pub fn is_missed(self) -> bool {
        matches!(self, Self::Overdue | Self::MetLate)
    }
}

/// One milestone of a network as the screen, the signals and the year report show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub kind: MilestoneKind,
    /// "Eerste netwerkbijeenkomst", or the project plan's name.
    pub label: String,
    pub due: Option<NaiveDate>,
    pub done: Option<NaiveDate>,
    pub state: MilestoneState,
    /// A remark: where a date comes from, a project plan's period.
    pub note: String,
}

fn state(due: Option<NaiveDate>, done: Option<NaiveDate>, today: NaiveDate) -> MilestoneState {
    match (done, due) {
        (Some(done), Some(due)) if done > due => MilestoneState::MetLate,
        (Some(_), _) => MilestoneState::Met,
        (None, Some(due)) if today > due => MilestoneState::Overdue,
        (None, _) => MilestoneState::Open,
    }
}

/// The reflection report and evaluation talk of `year` are due on its last day.
pub fn yearly_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists")
}

/// The financial accounting of `year` is due on 31 March of the year after.
pub fn accounting_due(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 3, 31).expect("31 March exists")
}

/// The calendar years whose reflection report and evaluation talk apply to the network, up to and
/// including `last_year`.
pub fn duty_years(network: &Network, last_year: i32) -> Vec<i32> {
    let Some(start) = network.funding_start else { return Vec::new() };
    let first = if start.month() < 7 { start.year() } else { start.year() + 1 };
    (first..=funded_until(network, last_year)).collect()
}

/// The calendar years in which the network was funded, up to and including `last_year`: each needs
/// its financial accounting.
pub fn accounting_years(network: &Network, last_year: i32) -> Vec<i32> {
    let Some(start) = network.funding_start else { return Vec::new() };
    (start.year()..=funded_until(network, last_year)).collect()
}

fn funded_until(network: &Network, last_year: i32) -> i32 {
    network.funding_end.map_or(last_year, |end| end.year().min(last_year))
}

/// Every milestone of the network, in the order of the handbook's steps, with the yearly duties of
/// each year from the start of funding up to `today`'s year.
pub fn milestones(network: &Network, today: NaiveDate) -> Vec<Milestone> {
    milestones_from(network, today, i32::MIN)
}

/// The first year whose yearly duties are not all done (a year with all three dates has no
/// duty left, whatever the day): the years before it show nothing in the Signalen.
pub fn first_open_duty_year(network: &Network) -> i32 {
    let Some(start) = network.funding_start else { return i32::MIN };
    let mut year = start.year();
    while network.milestones.yearly.iter().any(|d| {
        d.year == year
            && d.reflection_report.is_some()
            && d.evaluation_talk.is_some()
            && d.financial_accounting.is_some()
    }) {
        year += 1;
    }
    year
}

/// [`milestones`] with the yearly duties of the years from `first_year` on only.
pub fn milestones_from(network: &Network, today: NaiveDate, first_year: i32) -> Vec<Milestone> {
    let m = &network.milestones;
    let mut rows = Vec::new();
    let mut push = |kind: MilestoneKind, due: Option<NaiveDate>, done: Option<NaiveDate>, note: String| {
        rows.push(Milestone { kind, label: kind.label(), due, done, state: state(due, done, today), note })
    };
    push(MilestoneKind::Intake, None, m.intake, String::new());
    push(MilestoneKind::ApplicationForm, None, m.application_form, "na het intakegesprek".into());
    let source = match (network.funding_start, m.funding_start_derived) {
        (None, _) => "zodra de overeenkomst praktijkteam getekend is".to_string(),
        (Some(_), true) => "afgeleid van de getekende overeenkomst praktijkteam".to_string(),
        (Some(_), false) => "vastgesteld".to_string(),
    };
    push(MilestoneKind::FundingStart, None, network.funding_start, source);
    if !network.former_gez_owz {
        let due = network.funding_start.map(six_month_deadline);
        push(MilestoneKind::NetworkMeeting, due, m.network_meeting, "binnen 6 maanden na start".into());
        push(MilestoneKind::Wijkplan, due, m.wijkplan, "binnen 6 maanden na start".into());
        for (i, plan) in m.project_plans.iter().enumerate() {
            rows.push(project_plan(i, plan, today));
        }
    }
    let duty = duty_years(network, today.year());
    for year in accounting_years(network, today.year()).into_iter().filter(|y| *y >= first_year) {
        let duties = m.year(year);
        let reflects = duty.contains(&year);
        let mut push = |kind: MilestoneKind, due: NaiveDate, done: Option<NaiveDate>, note: &str| {
            rows.push(Milestone {
                kind,
                label: kind.label(),
                due: Some(due),
                done,
                state: state(Some(due), done, today),
                note: note.into(),
            })
        };
        if reflects && !network.former_gez_owz {
            push(
                MilestoneKind::ReflectionReport(year),
                yearly_due(year),
                duties.reflection_report,
                "met de wijkpartners",
            );
        }
        if reflects {
            let talk_note = if network.former_gez_owz {
                "jaar- en financiële verslagen (GEZ/OWZ)"
            } else {
                "kartrekker en Medrie"
            };
            push(MilestoneKind::EvaluationTalk(year), yearly_due(year), duties.evaluation_talk, talk_note);
        }
        push(
            MilestoneKind::FinancialAccounting(year),
            accounting_due(year),
            duties.financial_accounting,
            "inkomsten en uitgaven praktijkteamgeld",
        );
    }
    rows
}

fn project_plan(index: usize, plan: &ProjectPlan, today: NaiveDate) -> Milestone {
    let state = if plan.end < today {
        MilestoneState::Ended
    } else if plan.is_longer_than_a_year() {
        MilestoneState::TooLong
    } else if plan.start > today {
        MilestoneState::Planned
    } else {
        MilestoneState::Running
    };
    Milestone {
        kind: MilestoneKind::ProjectPlan(index),
        label: format!("Projectplan {}", plan.name),
        due: Some(plan.end),
        done: Some(plan.start),
        state,
        note: format!("{} t/m {}", format_date(plan.start), format_date(plan.end)),
    }
}

/// The 6-month milestones that are overdue on `today` (not done, deadline passed): the reason a
/// quarter close must acknowledge that funding may not continue (handbook ch. 4).
pub fn overdue_six_month(network: &Network, today: NaiveDate) -> Vec<Milestone> {
    // No year's duties: they are not six-month milestones (a close would go over every year).
    milestones_from(network, today, i32::MAX)
        .into_iter()
        .filter(|m| m.kind.is_six_month() && m.state == MilestoneState::Overdue)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::network::YearlyDuties;
    use crate::domain::region::Region;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn network(start: NaiveDate) -> Network {
        Network::draft("Zwolle-Zuid", Region::Zwolle, "Zwolle", Some(start))
    }

    fn find(rows: &[Milestone], kind: MilestoneKind) -> &Milestone {
        rows.iter().find(|m| m.kind == kind).unwrap_or_else(|| panic!("{kind:?} in {rows:#?}"))
    }

    #[test]
    fn six_month_deadline_keeps_the_day_or_takes_the_month_end() {
        assert_eq!(six_month_deadline(d(2025, 1, 15)), d(2025, 7, 15));
        assert_eq!(six_month_deadline(d(2025, 8, 31)), d(2026, 2, 28), "no 31 February: month end");
        assert_eq!(six_month_deadline(d(2023, 8, 31)), d(2024, 2, 29), "leap year");
        assert_eq!(six_month_deadline(d(2025, 12, 31)), d(2026, 6, 30));
        assert_eq!(six_month_deadline(d(2025, 3, 31)), d(2025, 9, 30));
    }

    #[test]
    fn six_month_milestones_open_overdue_met_and_met_late() {
        let mut n = network(d(2025, 8, 31));
        let on_deadline = d(2026, 2, 28);
        let rows = milestones(&n, on_deadline);
        assert_eq!(find(&rows, MilestoneKind::NetworkMeeting).due, Some(on_deadline));
        assert_eq!(find(&rows, MilestoneKind::NetworkMeeting).state, MilestoneState::Open, "due today is not late");
        let rows = milestones(&n, d(2026, 3, 1));
        assert_eq!(find(&rows, MilestoneKind::Wijkplan).state, MilestoneState::Overdue);
        assert_eq!(overdue_six_month(&n, d(2026, 3, 1)).len(), 2);
        assert!(overdue_six_month(&n, on_deadline).is_empty());

        n.milestones.network_meeting = Some(on_deadline);
        n.milestones.wijkplan = Some(d(2026, 3, 2));
        let rows = milestones(&n, d(2026, 4, 1));
        assert_eq!(find(&rows, MilestoneKind::NetworkMeeting).state, MilestoneState::Met);
        assert_eq!(find(&rows, MilestoneKind::Wijkplan).state, MilestoneState::MetLate);
        assert!(overdue_six_month(&n, d(2026, 4, 1)).is_empty(), "done late is no longer overdue");
    }

    #[test]
    fn no_funding_start_means_no_deadlines_and_no_yearly_duties() {
        let n = Network { funding_start: None, ..network(d(2025, 1, 1)) };
        let rows = milestones(&n, d(2030, 1, 1));
        assert_eq!(find(&rows, MilestoneKind::NetworkMeeting).due, None);
        assert_eq!(find(&rows, MilestoneKind::NetworkMeeting).state, MilestoneState::Open);
        assert!(rows.iter().all(|m| !matches!(m.kind, MilestoneKind::EvaluationTalk(_))));
        assert!(overdue_six_month(&n, d(2030, 1, 1)).is_empty());
    }

    #[test]
    fn yearly_duties_from_the_first_funded_year() {
        // Started before 1 July: 2025 is the first year.
        let n = network(d(2025, 6, 30));
        assert_eq!(duty_years(&n, 2026), vec![2025, 2026]);
        // Started in the second half: the first reflection covers the next year; the money of the
        // first months is accounted for all the same.
        let n = network(d(2025, 7, 1));
        assert_eq!(duty_years(&n, 2025), Vec::<i32>::new());
        assert_eq!(duty_years(&n, 2027), vec![2026, 2027]);
        assert_eq!(accounting_years(&n, 2025), vec![2025]);
        let rows = milestones(&n, d(2026, 4, 1));
        assert_eq!(find(&rows, MilestoneKind::FinancialAccounting(2025)).state, MilestoneState::Overdue);
        assert!(rows.iter().all(|m| m.kind != MilestoneKind::ReflectionReport(2025)));
        // Started and stopped in the second half of one year: still one accounting.
        let brief = Network { funding_end: Some(d(2025, 11, 30)), ..network(d(2025, 8, 1)) };
        assert_eq!(accounting_years(&brief, 2027), vec![2025]);
        assert!(duty_years(&brief, 2027).is_empty());
        // Stopped in 2026: still accounts for 2026, nothing after.
        let n = Network { funding_end: Some(d(2026, 3, 31)), ..network(d(2024, 1, 1)) };
        assert_eq!(duty_years(&n, 2028), vec![2024, 2025, 2026]);
    }

    #[test]
    fn yearly_due_dates_and_states() {
        let mut n = network(d(2025, 1, 1));
        n.milestones.set_year(YearlyDuties {
            year: 2025,
            reflection_report: Some(d(2025, 11, 30)),
            evaluation_talk: Some(d(2026, 1, 15)),
            financial_accounting: None,
        });
        let rows = milestones(&n, d(2026, 4, 1));
        let reflection = find(&rows, MilestoneKind::ReflectionReport(2025));
        assert_eq!((reflection.due, reflection.state), (Some(d(2025, 12, 31)), MilestoneState::Met));
        let talk = find(&rows, MilestoneKind::EvaluationTalk(2025));
        assert_eq!(talk.state, MilestoneState::MetLate);
        let accounting = find(&rows, MilestoneKind::FinancialAccounting(2025));
        assert_eq!((accounting.due, accounting.state), (Some(d(2026, 3, 31)), MilestoneState::Overdue));
        // On its due date it is still open.
        let rows = milestones(&n, d(2026, 3, 31));
        assert_eq!(find(&rows, MilestoneKind::FinancialAccounting(2025)).state, MilestoneState::Open);
        // 2026's duties are listed and open.
        assert_eq!(find(&rows, MilestoneKind::ReflectionReport(2026)).state, MilestoneState::Open);
        assert!(rows.iter().all(|m| m.kind != MilestoneKind::ReflectionReport(2027)));
    }

    #[test]
    fn setting_an_empty_year_removes_it() {
        let mut n = network(d(2025, 1, 1));
        n.milestones.set_year(YearlyDuties { year: 2025, evaluation_talk: Some(d(2025, 5, 1)), ..Default::default() });
        assert_eq!(n.milestones.yearly.len(), 1);
        n.milestones.set_year(YearlyDuties { year: 2025, ..Default::default() });
        assert!(n.milestones.yearly.is_empty());
    }

    #[test]
    fn former_gez_owz_has_only_the_evaluation_talk_and_the_accounting() {
        let n = Network { former_gez_owz: true, ..network(d(2025, 1, 1)) };
        let rows = milestones(&n, d(2026, 12, 1));
        assert!(rows.iter().all(|m| !m.kind.is_six_month()));
        assert!(rows.iter().all(|m| !matches!(m.kind, MilestoneKind::ReflectionReport(_))));
        assert_eq!(find(&rows, MilestoneKind::EvaluationTalk(2025)).state, MilestoneState::Overdue);
        assert!(overdue_six_month(&n, d(2026, 12, 1)).is_empty());
    }

    #[test]
    fn project_plans_warn_over_one_year() {
        let plan = |start, end| ProjectPlan { name: "Valpreventie".into(), start, end };
        assert!(!plan(d(2025, 1, 1), d(2025, 12, 31)).is_longer_than_a_year(), "exactly one year");
        assert!(plan(d(2025, 1, 1), d(2026, 1, 1)).is_longer_than_a_year());
        assert!(!plan(d(2024, 3, 1), d(2025, 2, 28)).is_longer_than_a_year(), "one year over a leap day");
        assert!(plan(d(2025, 3, 1), d(2026, 3, 1)).is_longer_than_a_year());
        assert!(plan(d(2025, 3, 1), d(2025, 2, 1)).validate().is_err(), "end before start");
        let mut n = network(d(2025, 1, 1));
        n.milestones.project_plans = vec![plan(d(2025, 3, 1), d(2026, 6, 30))];
        let rows = milestones(&n, d(2025, 4, 1));
        let row = find(&rows, MilestoneKind::ProjectPlan(0));
        assert_eq!(row.state, MilestoneState::TooLong);
        assert_eq!(row.note, "01-03-2025 t/m 30-06-2026");
        let ended = milestones(&n, d(2026, 7, 1));
        assert_eq!(find(&ended, MilestoneKind::ProjectPlan(0)).state, MilestoneState::Ended, "no warning once over");
        n.milestones.project_plans = vec![plan(d(2025, 3, 1), d(2025, 12, 31))];
        let state_on = |day| find(&milestones(&n, day), MilestoneKind::ProjectPlan(0)).state;
        assert_eq!(state_on(d(2025, 2, 28)), MilestoneState::Planned);
        assert_eq!(state_on(d(2025, 3, 1)), MilestoneState::Running);
        assert_eq!(state_on(d(2025, 12, 31)), MilestoneState::Running);
        assert_eq!(state_on(d(2026, 1, 1)), MilestoneState::Ended);
    }

    #[test]
    fn funding_start_says_where_it_comes_from() {
        let mut n = network(d(2025, 1, 1));
        let rows = milestones(&n, d(2025, 2, 1));
        assert_eq!(find(&rows, MilestoneKind::FundingStart).note, "vastgesteld");
        n.milestones.funding_start_derived = true;
        let rows = milestones(&n, d(2025, 2, 1));
        assert_eq!(
            find(&rows, MilestoneKind::FundingStart).note,
            "afgeleid van de getekende overeenkomst praktijkteam"
        );
    }

    /// The first year with a duty left: the years before have all three dates; a year with one
    /// date missing, or not recorded at all, is open. `milestones_from` that year gives the
    /// rows `milestones` gives less those of the years before, and none of those could be open.
    #[test]
    fn years_whose_duties_are_all_done_can_be_left_out() {
        let mut n = network(d(2022, 3, 1));
        let done = |year| YearlyDuties {
            year,
            reflection_report: Some(d(year, 11, 1)),
            evaluation_talk: Some(d(year, 11, 2)),
            financial_accounting: Some(d(year + 1, 2, 1)),
        };
        assert_eq!(first_open_duty_year(&n), 2022, "nothing recorded");
        n.milestones.set_year(done(2022));
        n.milestones.set_year(done(2023));
        n.milestones.set_year(YearlyDuties { financial_accounting: None, ..done(2024) });
        n.milestones.set_year(done(2025));
        assert_eq!(first_open_duty_year(&n), 2024, "2024's accounting is missing");
        let today = d(2026, 5, 1);
        let all = milestones(&n, today);
        let year_of = |m: &Milestone| match m.kind {
            MilestoneKind::ReflectionReport(y)
            | MilestoneKind::EvaluationTalk(y)
            | MilestoneKind::FinancialAccounting(y) => Some(y),
            _ => None,
        };
        let left_out: Vec<&Milestone> = all.iter().filter(|m| year_of(m).is_some_and(|y| y < 2024)).collect();
        assert_eq!(left_out.len(), 6);
        assert!(left_out.iter().all(|m| matches!(m.state, MilestoneState::Met | MilestoneState::MetLate)));
        let kept: Vec<Milestone> = all.iter().filter(|m| year_of(m).is_none_or(|y| y >= 2024)).cloned().collect();
        assert_eq!(milestones_from(&n, today, 2024), kept);
        n.milestones.set_year(done(2024));
        assert_eq!(first_open_duty_year(&n), 2026, "2026 has nothing yet");
        assert_eq!(first_open_duty_year(&Network { funding_start: None, ..n }), i32::MIN);
    }
}
