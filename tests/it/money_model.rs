//! Model-based test of the money (in the spirit of TigerBeetle's workload + auditor): random
//! sequences of the store's operations run against the real store and against a small, naive
//! model of the handbook's rules written here from SPEC §3–§5 and §9, not from the code. After
//! every step the two must agree on what was accepted, and the invariants must hold:
//! - remaining partner budget = budget − Σ worth of the € 1,15 lines (rounded once a year);
//! - every close pays the practices their split and each payable invoice at most its hours' worth;
//! - the practices' parts add up to the quarter's practice-team money to the cent;
//! - a closed quarter's lines and batch never change;
//! - per payee: Σ paid over all batches − its open claims = Σ due at the last close of each quarter.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use common::date;
use sidw::domain::bank::LineState;
use sidw::domain::close::{PaymentBatch, PaymentKind};
use sidw::domain::practice::ShareFrom;
use sidw::domain::validate::{Agb, Iban};
use sidw::domain::{
    Agreement, AgreementId, AgreementKind, Discipline, HoursEntry, HoursEntryId, Invoice, InvoiceDecision, InvoiceId,
    IonCount, Milestones, Network, NetworkId, Partner, PartnerId, Practice, PracticeId, PracticeTeam, Quarter, Region,
    TariffTable, YearMonth,
};
use sidw::store::{ChangeContext, NewHours, Store};

// ---------------------------------------------------------------------------------------------
// The naive model: plain numbers, the rules as the handbook and SPEC state them.

const PRACTICE_RATE: Decimal = dec!(3.40);
const PARTNER_RATE: Decimal = dec!(1.15);
/// Hourly tariffs of the model's three partners: categories A, B and C of 2025.
const TARIFFS: [Decimal; 3] = [dec!(101.00), dec!(84.95), dec!(59.35)];

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Debug, Clone, PartialEq)]
struct MLine {
    id: HoursEntryId,
    partner: usize,
    month: YearMonth,
    hours: Decimal,
    by_team: bool,
    corrects: Option<HoursEntryId>,
}

impl MLine {
    fn worth(&self) -> Decimal {
        cents(self.hours * TARIFFS[self.partner])
    }
}

#[derive(Debug, Clone, PartialEq)]
enum MDecision {
    Open,
    Approved(Decimal),
    Rejected,
}

#[derive(Debug, Clone)]
struct MInvoice {
    id: InvoiceId,
    partner: usize,
    quarter: Quarter,
    amount: Decimal,
    decision: MDecision,
}

/// Who is paid: practice 0/1 or partner 0/1/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MPayee {
    Practice(usize),
    Partner(usize),
}

#[derive(Debug, Default)]
struct Model {
    lines: Vec<MLine>,
    invoices: Vec<MInvoice>,
    /// Per practice: (reference date, count).
    ion: [Vec<(NaiveDate, u32)>; 2],
    /// Per practice: (from, share in %).
    shares: [Vec<(NaiveDate, Decimal)>; 2],
    /// (partner, month) marked nihil: a received form without hours.
    nihil: Vec<(usize, YearMonth)>,
    closed: BTreeMap<Quarter, Closed>,
    /// What each quarter owed each payee at its last close (kept after a reopen: it was settled).
    last_due: BTreeMap<Quarter, BTreeMap<MPayee, Decimal>>,
    /// Every batch of each quarter, oldest first.
    batches: BTreeMap<Quarter, Vec<u64>>,
    /// Batches a payment file for the bank was written of while in force.
    sent: Vec<u64>,
    /// What the bank says of a line (batch, position): `true` returned, `false` paid.
    bank: BTreeMap<(u64, usize), bool>,
    /// Per close (its batch): the lines of earlier batches of its quarter the bank had returned
    /// when it closed: money that came back, which that close paid again.
    left_out: BTreeMap<u64, Vec<(u64, usize)>>,
}

#[derive(Debug, Clone)]
struct Closed {
    batch: u64,
    lines: Vec<MLine>,
}

impl Model {
    /// The lines and marks, to compute what a change should leave.
    fn clone_state(&self) -> Model {
        Model { lines: self.lines.clone(), nihil: self.nihil.clone(), ..Model::default() }
    }

    fn total_ion_on(&self, day: NaiveDate) -> u32 {
        self.ion
            .iter()
            .map(|counts| counts.iter().filter(|(d, _)| *d <= day).max_by_key(|(d, _)| *d).map_or(0, |(_, c)| *c))
            .sum()
    }

    /// The split in force on a day: each practice's latest share from on or before it.
    fn shares_on(&self, day: NaiveDate) -> [Decimal; 2] {
        [0, 1].map(|p| {
            self.shares[p].iter().filter(|(d, _)| *d <= day).max_by_key(|(d, _)| *d).map_or(Decimal::ZERO, |(_, s)| *s)
        })
    }

    fn budget(&self, year: i32) -> Decimal {
        let exact: Decimal = Quarter::of_year(year)
            .iter()
            .map(|q| PARTNER_RATE * Decimal::from(self.total_ion_on(q.first_day())) / dec!(4))
            .sum();
        cents(exact)
    }

    fn spent(&self, year: i32) -> Decimal {
        self.lines.iter().filter(|l| l.month.year() == year && !l.by_team).map(MLine::worth).sum()
    }

    fn remaining(&self, year: i32) -> Decimal {
        self.budget(year) - self.spent(year)
    }

    fn is_closed(&self, month: YearMonth) -> bool {
        self.closed.contains_key(&month.quarter())
    }

    /// What the partner's quarter lines paid from the € 1,15 are worth.
    fn worth(&self, partner: usize, quarter: Quarter) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.partner == partner && quarter.contains(l.month) && !l.by_team)
            .map(MLine::worth)
            .sum()
    }

    fn payable(&self, invoice: &MInvoice) -> bool {
        let worth = self.worth(invoice.partner, invoice.quarter);
        match invoice.decision {
            MDecision::Open => invoice.amount == worth,
            MDecision::Approved(against) => against == worth,
            MDecision::Rejected => false,
        }
    }

    /// The checklist, as SPEC §5 and the handbook state it, for a quarter that has ended.
    fn ready(&self, quarter: Quarter) -> bool {
        (0..3).all(|partner| {
            let forms = quarter.months().iter().all(|m| {
                self.lines.iter().any(|l| l.partner == partner && l.month == *m) || self.nihil.contains(&(partner, *m))
            });
            let worth = self.worth(partner, quarter);
            let invoices: Vec<&MInvoice> =
                self.invoices.iter().filter(|i| i.partner == partner && i.quarter == quarter).collect();
            let standing = invoices.iter().filter(|i| i.decision != MDecision::Rejected).count();
            forms
                && !(worth > Decimal::ZERO && invoices.is_empty())
                && standing <= 1
                && invoices.iter().all(|i| self.payable(i) || i.decision == MDecision::Rejected)
                && !(worth > Decimal::ZERO && !invoices.is_empty() && standing == 0)
        })
    }

    /// What the quarter owes each payee: the practice-team money split 60/40 by largest
    /// remainder, and each payable invoice, at most the worth of its hours.
    fn due(&self, quarter: Quarter) -> BTreeMap<MPayee, Decimal> {
        let money = cents(PRACTICE_RATE * Decimal::from(self.total_ion_on(quarter.first_day())) / dec!(4));
        let mut due = BTreeMap::new();
        for (practice, part) in largest_remainder(money, self.shares_on(quarter.first_day())).into_iter().enumerate() {
            due.insert(MPayee::Practice(practice), part);
        }
        for invoice in self.invoices.iter().filter(|i| i.quarter == quarter && self.payable(i)) {
            let paid = invoice.amount.min(self.worth(invoice.partner, quarter)).max(Decimal::ZERO);
            *due.entry(MPayee::Partner(invoice.partner)).or_default() += paid;
        }
        // Corrections of an earlier quarter's lines that take back more than this quarter's hours:
        // paid too much before, owed back (a claim).
        for partner in 0..3 {
            let worth = self.worth(partner, quarter);
            if worth < Decimal::ZERO {
                *due.entry(MPayee::Partner(partner)).or_default() += worth;
            }
        }
        due
    }
}

/// The correction rule (SPEC §5: a correction goes into an open quarter and names the line it
/// corrects) over the lines a change would leave: every correction names a line that is not itself
/// a correction, in a quarter before the correction's, and that line with all its corrections is
/// not below 0 hours. A corrected line is not removed while corrections name it; a correction
/// whose line was gone `before` the change is not checked.
fn corrections_hold(lines: &[MLine], before: &[MLine]) -> bool {
    lines.iter().filter_map(|c| c.corrects.map(|o| (c, o))).all(|(correction, o)| {
        match lines.iter().find(|l| l.id == o) {
            Some(original) => {
                let total: Decimal =
                    original.hours + lines.iter().filter(|l| l.corrects == Some(o)).map(|l| l.hours).sum::<Decimal>();
                original.corrects.is_none()
                    && correction.month.quarter() > original.month.quarter()
                    && total >= Decimal::ZERO
            }
            None => !before.iter().any(|l| l.id == o),
        }
    })
}

/// The naive split: whole cents by share, the left-over cents to the largest remainders.
fn largest_remainder(total: Decimal, shares: [Decimal; 2]) -> [Decimal; 2] {
    let total_cents = total * dec!(100);
    let exact = shares.map(|s| total_cents * s / dec!(100));
    let mut parts = exact.map(|e| e.floor());
    let mut left = total_cents - parts.iter().sum::<Decimal>();
    let mut order = [0, 1];
    order.sort_by(|&a, &b| (exact[b] - parts[b]).cmp(&(exact[a] - parts[a])).then(a.cmp(&b)));
    for i in order {
        if left > Decimal::ZERO {
            parts[i] += Decimal::ONE;
            left -= Decimal::ONE;
        }
    }
    parts.map(|p| p / dec!(100))
}

// ---------------------------------------------------------------------------------------------
// The operations.

#[derive(Debug, Clone)]
enum Op {
    AddLine {
        partner: usize,
        month: u32,
        quarter_hours: u32,
        by_team: bool,
    },
    ChangeLine {
        pick: Index,
        quarter_hours: u32,
    },
    RemoveLine {
        pick: Index,
    },
    /// A correction in an open month of a line in a closed quarter (may subtract; [`ALL_BACK`]
    /// takes back all that the partner's lines of that quarter have left, one correction each, so
    /// that the worth of the quarter the corrections go into can go below 0).
    Correct {
        pick: Index,
        month: u32,
        quarter_hours: i32,
    },
    /// An invoice of `cents` above (or below, negative) the hours' worth.
    Invoice {
        partner: usize,
        quarter: u32,
        off_by_cents: i64,
    },
    Approve {
        pick: Index,
    },
    Reject {
        pick: Index,
    },
    /// A new ION count of a practice from the first day of a month.
    Ion {
        practice: usize,
        month: u32,
        count: u32,
    },
    /// A new split (practice 1 gets `hundredths` / 100 %, practice 2 the rest) from a day of a
    /// month: refused when it would change the split of a closed quarter.
    Shares {
        month: u32,
        day: u32,
        hundredths: u32,
    },
    /// Marks a partner's month nihil (a form without hours), or removes the mark.
    Nihil {
        partner: usize,
        month: u32,
        remove: bool,
    },
    /// A cell typed as on the screen: `None` empties it, 0 marks it nihil, more sets its hours
    /// (raising it over the budget: the increase as its own line paid by the practice team).
    Cell {
        partner: usize,
        month: u32,
        quarter_hours: Option<u32>,
        by_team_increase: bool,
    },
    /// What a clerk does before a close: a form (1 hour) for every empty month of every partner,
    /// an invoice matching the hours for every partner that has none standing, and every standing
    /// invoice that does not match approved (with a reason); then, with `close`, the close. New
    /// invoices ask `over_cents` more than the hours (approved above them).
    Complete {
        quarter: u32,
        close: bool,
        over_cents: i64,
    },
    Close {
        quarter: u32,
    },
    Reopen {
        quarter: u32,
    },
    /// The payment file of a closed quarter's batch is written: what it holds went out.
    Export {
        quarter: u32,
    },
    /// The bank says a payment line was paid (or returned): a line of any batch, which gets a
    /// payment file first when it has none and is in force (a correction by hand; the statement
    /// import takes the same store path of states).
    Bank {
        pick: Index,
        returned: bool,
    },
}

/// [`Op::Correct`]'s quarter hours that mean: all that the partner's lines of the corrected line's
/// quarter have left, with their corrections.
const ALL_BACK: i32 = i32::MIN;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, 1..=6u32, 1..=24u32, prop::bool::weighted(0.15))
            .prop_map(|(partner, month, quarter_hours, by_team)| Op::AddLine { partner, month, quarter_hours, by_team }),
        2 => (any::<Index>(), 1..=24u32).prop_map(|(pick, quarter_hours)| Op::ChangeLine { pick, quarter_hours }),
        1 => any::<Index>().prop_map(|pick| Op::RemoveLine { pick }),
        2 => (any::<Index>(), 1..=6u32, prop_oneof![1 => -20..=20i32, 1 => Just(ALL_BACK)])
            .prop_map(|(pick, month, quarter_hours)| Op::Correct { pick, month, quarter_hours }),
        3 => (0..3usize, 1..=2u32, prop_oneof![2 => Just(0i64), 1 => -500..500i64, 1 => 1..5000i64])
            .prop_map(|(partner, quarter, off_by_cents)| Op::Invoice { partner, quarter, off_by_cents }),
        2 => any::<Index>().prop_map(|pick| Op::Approve { pick }),
        1 => any::<Index>().prop_map(|pick| Op::Reject { pick }),
        2 => (0..2usize, prop_oneof![Just(1u32), Just(4u32), 1..=6u32], 500..3000u32)
            .prop_map(|(practice, month, count)| Op::Ion { practice, month, count }),
        2 => (prop_oneof![Just(1u32), Just(4u32), 1..=6u32], prop_oneof![Just(1u32), 1..=28u32], 0..=10_000u32)
            .prop_map(|(month, day, hundredths)| Op::Shares { month, day, hundredths }),
        2 => (0..3usize, 1..=6u32, prop::bool::weighted(0.3))
            .prop_map(|(partner, month, remove)| Op::Nihil { partner, month, remove }),
        4 => (0..3usize, 1..=6u32, prop_oneof![1 => Just(None), 2 => Just(Some(0u32)), 6 => (1..=40u32).prop_map(Some)], any::<bool>())
            .prop_map(|(partner, month, quarter_hours, by_team_increase)| Op::Cell { partner, month, quarter_hours, by_team_increase }),
        3 => (1..=2u32, any::<bool>(), prop_oneof![2 => Just(0i64), 1 => 1..5000i64])
            .prop_map(|(quarter, close, over_cents)| Op::Complete { quarter, close, over_cents }),
        3 => (1..=2u32).prop_map(|quarter| Op::Close { quarter }),
        2 => (1..=2u32).prop_map(|quarter| Op::Reopen { quarter }),
        2 => (any::<Index>(), prop::bool::weighted(0.6)).prop_map(|(pick, returned)| Op::Bank { pick, returned }),
        3 => (1..=2u32).prop_map(|quarter| Op::Export { quarter }),
    ]
}

// ---------------------------------------------------------------------------------------------
// The real store, set up as the model: one funded network, two practices 60/40, three partners
// in categories A, B and C, every agreement signed, milestones met.

#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    steps: u64,
    closes: u64,
    reopens: u64,
    claims: u64,
    set_offs: u64,
    differences: u64,
    refused_over_budget: u64,
    /// Lines the bank returned, and closes that paid a return again.
    returns: u64,
    paid_again: u64,
    /// Reopens of a batch no payment file was written of.
    void_reopens: u64,
    /// Claims on a partner's quarter that corrections took below 0 (no invoice), and corrections
    /// the store refused by the correction rules.
    owed_back: u64,
    corrections_refused: u64,
}

static STATS: std::sync::Mutex<Stats> = std::sync::Mutex::new(Stats {
    steps: 0,
    closes: 0,
    reopens: 0,
    claims: 0,
    set_offs: 0,
    differences: 0,
    refused_over_budget: 0,
    returns: 0,
    paid_again: 0,
    void_reopens: 0,
    owed_back: 0,
    corrections_refused: 0,
});

struct World {
    store: Store,
    ctx: ChangeContext,
    network: NetworkId,
    practices: [PracticeId; 2],
    partners: [PartnerId; 3],
    model: Model,
    invoice_numbers: u32,
}

fn month(m: u32) -> YearMonth {
    YearMonth::new(2025, m).unwrap()
}

fn quarter(q: u32) -> Quarter {
    Quarter::new(2025, q).unwrap()
}

fn hours(quarter_hours: i32) -> Decimal {
    Decimal::from(quarter_hours) / dec!(4)
}

impl World {
    fn new() -> Self {
        let store = Store::temporary().unwrap();
        // Every quarter of 2025 has ended on this day: closes are allowed.
        let ctx = ChangeContext::new("model", Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap());
        store.save_tariffs(&ctx, &TariffTable::handbook_2025()).unwrap();
        let network = store
            .create_network(
                &ctx,
                &Network {
                    milestones: Milestones {
                        network_meeting: Some(date(2024, 3, 1)),
                        wijkplan: Some(date(2024, 5, 1)),
                        ..Default::default()
                    },
                    ..Network::draft("Modelwijk", Region::Zwolle, "Zwolle", Some(date(2024, 1, 1)))
                },
            )
            .unwrap();
        let start = date(2024, 10, 1);
        let practice = |n: u64, count: u32| Practice {
            id: PracticeId(0),
            name: format!("Praktijk {n}"),
            agb: Agb::parse(&format!("0101000{n}")).unwrap(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            shares: vec![ShareFrom { from: start, share: [dec!(60), dec!(40)][n as usize - 1] }],
            ion_counts: vec![IonCount { reference_date: start, count }],
        };
        let team = store
            .save_practice_team(&ctx, &PracticeTeam { network, practices: vec![practice(1, 1200), practice(2, 801)] })
            .unwrap();
        let signed = |kind, partner| Agreement {
            id: AgreementId(0),
            network,
            kind,
            partner,
            sent: Some(date(2024, 11, 1)),
            signed: Some(date(2024, 11, 20)),
            ended: None,
        };
        store.add_agreement(&ctx, &signed(AgreementKind::PracticeTeam, None)).unwrap();
        let disciplines = [Discipline::Psycholoog, Discipline::Fysiotherapeut, Discipline::Pedicure];
        let partners = [0, 1, 2].map(|p| {
            let discipline = disciplines[p];
            let id = store
                .add_partner(
                    &ctx,
                    &Partner {
                        id: PartnerId(0),
                        network,
                        name: format!("Partner {p}"),
                        discipline,
                        category: discipline.usual_category(),
                        agb: Agb::parse(&format!("0400000{p}")).unwrap(),
                        iban: Iban::parse("NL20INGB0001234567").unwrap(),
                        email: String::new(),
                    },
                )
                .unwrap();
            store.add_agreement(&ctx, &signed(AgreementKind::Partner, Some(id))).unwrap();
            id
        });
        let model = Model {
            ion: [vec![(start, 1200)], vec![(start, 801)]],
            shares: [vec![(start, dec!(60))], vec![(start, dec!(40))]],
            ..Default::default()
        };
        let practices = [team.practices[0].id, team.practices[1].id];
        World { store, ctx, network, practices, partners, model, invoice_numbers: 0 }
    }

    fn partner_index(&self, id: PartnerId) -> usize {
        self.partners.iter().position(|p| *p == id).unwrap()
    }

    fn payee(&self, line: &sidw::domain::close::PaymentLine) -> MPayee {
        match line.kind {
            PaymentKind::Practice => {
                MPayee::Practice(self.practices.iter().position(|p| Some(*p) == line.practice).unwrap())
            }
            PaymentKind::Partner => MPayee::Partner(self.partner_index(line.partner.unwrap())),
        }
    }

    /// Runs one operation on both; returns what happened, for the failure message.
    fn apply(&mut self, op: &Op) -> Result<String, TestCaseError> {
        // Each step a second later: a payment file and a reopening are never at the same moment.
        self.ctx.at += chrono::Duration::seconds(1);
        match op {
            Op::AddLine { partner, month: m, quarter_hours, by_team } => {
                let (month, hours) = (month(*m), hours(i32::try_from(*quarter_hours).unwrap()));
                let line =
                    MLine { id: HoursEntryId(0), partner: *partner, month, hours, by_team: *by_team, corrects: None };
                let expect = !self.model.is_closed(month)
                    && (*by_team || self.model.remaining(2025) - line.worth() >= Decimal::ZERO);
                let result = self.store.add_hours(&self.ctx, &self.new_hours(&line));
                self.agree("uren toevoegen", expect, &result)?;
                if result.is_ok() {
                    self.model.nihil.retain(|n| *n != (*partner, month));
                }
                if result.is_err() && !self.model.is_closed(month) {
                    STATS.lock().unwrap().refused_over_budget += 1;
                }
                if let Ok(stored) = result {
                    self.model.lines.push(MLine { id: stored.id, ..line });
                }
            }
            Op::ChangeLine { pick, quarter_hours } => {
                if self.model.lines.is_empty() {
                    return Ok("geen regels".into());
                }
                let i = pick.index(self.model.lines.len());
                let before = self.model.lines[i].clone();
                let after = MLine {
                    hours: if before.corrects.is_some() && before.hours < Decimal::ZERO {
                        -hours(i32::try_from(*quarter_hours).unwrap())
                    } else {
                        hours(i32::try_from(*quarter_hours).unwrap())
                    },
                    ..before.clone()
                };
                let raises = !after.by_team && after.worth() > before.worth();
                let over = self.model.remaining(2025) + before.worth() - after.worth() < Decimal::ZERO;
                let over_budget = raises && over;
                let mut lines = self.model.lines.clone();
                lines[i] = after.clone();
                let expect =
                    !self.model.is_closed(before.month) && !over_budget && corrections_hold(&lines, &self.model.lines);
                let stored = self.store.hours_entry(before.id).unwrap();
                let result = self.store.update_hours(&self.ctx, &HoursEntry { hours: after.hours, ..stored });
                self.agree("uren wijzigen", expect, &result)?;
                if result.is_ok() {
                    self.model.lines[i] = after;
                }
            }
            Op::RemoveLine { pick } => {
                if self.model.lines.is_empty() {
                    return Ok("geen regels".into());
                }
                let i = pick.index(self.model.lines.len());
                let line = self.model.lines[i].clone();
                let mut lines = self.model.lines.clone();
                lines.remove(i);
                // Removing a negative line (a correction downwards) raises spending: within budget.
                let within = line.by_team
                    || line.worth() >= Decimal::ZERO
                    || self.model.remaining(2025) + line.worth() >= Decimal::ZERO;
                let expect = !self.model.is_closed(line.month) && corrections_hold(&lines, &self.model.lines) && within;
                let result = self.store.delete_hours(&self.ctx, line.id);
                self.agree("uren verwijderen", expect, &result)?;
                if result.is_ok() {
                    self.model.lines.remove(i);
                }
            }
            Op::Correct { pick, month: m, quarter_hours } => {
                let locked: Vec<MLine> =
                    self.model.lines.iter().filter(|l| self.model.is_closed(l.month)).cloned().collect();
                if locked.is_empty() || *quarter_hours == 0 {
                    return Ok("niets te corrigeren".into());
                }
                let original = locked[pick.index(locked.len())].clone();
                if *quarter_hours != ALL_BACK {
                    self.correct(&original, month(*m), hours(*quarter_hours))?;
                    return Ok(format!("{op:?}"));
                }
                // All the partner's lines of that quarter taken back, each what it has left, in a
                // month of the next quarter (the model's half year has one after Q1 only).
                let quarter = original.month.quarter();
                let later = quarter.months()[2].month() + 1 + (*m - 1) % 3;
                if later > 6 {
                    return Ok("geen later kwartaal".into());
                }
                let whole: Vec<MLine> = locked
                    .iter()
                    .filter(|l| l.partner == original.partner && quarter.contains(l.month) && l.corrects.is_none())
                    .cloned()
                    .collect();
                for line in whole {
                    let left = line.hours
                        + self
                            .model
                            .lines
                            .iter()
                            .filter(|l| l.corrects == Some(line.id))
                            .map(|l| l.hours)
                            .sum::<Decimal>();
                    if left > Decimal::ZERO {
                        self.correct(&line, month(later), -left)?;
                    }
                }
            }
            Op::Invoice { partner, quarter: q, off_by_cents } => {
                let quarter = quarter(*q);
                let amount = self.model.worth(*partner, quarter) + Decimal::new(*off_by_cents, 2);
                if amount <= Decimal::ZERO {
                    return Ok("geen factuurbedrag".into());
                }
                self.invoice_numbers += 1;
                let draft = Invoice {
                    id: InvoiceId(0),
                    network: self.network,
                    partner: self.partners[*partner],
                    quarter,
                    number: format!("M-{}", self.invoice_numbers),
                    date: quarter.last_day(),
                    amount,
                    received: None,
                    decision: InvoiceDecision::Open,
                };
                let expect = !self.model.closed.contains_key(&quarter);
                let result = self.store.add_invoice(&self.ctx, &draft);
                self.agree("factuur", expect, &result)?;
                if let Ok(stored) = result {
                    self.model.invoices.push(MInvoice {
                        id: stored.id,
                        partner: *partner,
                        quarter,
                        amount,
                        decision: MDecision::Open,
                    });
                }
            }
            Op::Approve { pick } | Op::Reject { pick } => {
                if self.model.invoices.is_empty() {
                    return Ok("geen facturen".into());
                }
                let i = pick.index(self.model.invoices.len());
                return self.decide(i, matches!(op, Op::Approve { .. }));
            }
            Op::Ion { practice, month: m, count } => {
                let day = month(*m).first_day();
                let mut team = self.store.practice_team(self.network).unwrap();
                let counts = &mut team.practices[*practice].ion_counts;
                counts.retain(|c| c.reference_date != day);
                counts.push(IonCount { reference_date: day, count: *count });
                let result = self.store.save_practice_team(&self.ctx, &team);
                self.agree("ION", true, &result)?;
                let model = &mut self.model.ion[*practice];
                model.retain(|(d, _)| *d != day);
                model.push((day, *count));
            }
            Op::Shares { month: m, day, hundredths } => {
                let from = NaiveDate::from_ymd_opt(2025, *m, *day).unwrap();
                let first = Decimal::new(i64::from(*hundredths), 2);
                let split = [first, dec!(100) - first];
                let mut after = [self.model.shares[0].clone(), self.model.shares[1].clone()];
                for (p, share) in split.into_iter().enumerate() {
                    after[p].retain(|(d, _)| *d != from);
                    after[p].push((from, share));
                }
                let changed = Model { shares: after.clone(), ..Model::default() };
                let expect = self
                    .model
                    .closed
                    .keys()
                    .all(|q| changed.shares_on(q.first_day()) == self.model.shares_on(q.first_day()));
                let mut team = self.store.practice_team(self.network).unwrap();
                for (p, share) in split.into_iter().enumerate() {
                    team.practices[p].set_share(from, share);
                }
                let result = self.store.save_practice_team(&self.ctx, &team);
                self.agree("verdeling", expect, &result)?;
                if result.is_ok() {
                    self.model.shares = after;
                }
            }
            Op::Nihil { partner, month: m, remove } => {
                let month = month(*m);
                let marked = self.model.nihil.contains(&(*partner, month));
                let has_lines = self.model.lines.iter().any(|l| l.partner == *partner && l.month == month);
                let open = !self.model.is_closed(month);
                let result = if *remove {
                    let result = self.store.unmark_nihil(&self.ctx, self.network, self.partners[*partner], month);
                    self.agree("nihil weghalen", open && marked, &result)?;
                    result
                } else {
                    let result = self.store.mark_nihil(&self.ctx, self.network, self.partners[*partner], month);
                    self.agree("nihil", open && !marked && !has_lines, &result)?;
                    result
                };
                if result.is_ok() {
                    if *remove {
                        self.model.nihil.retain(|n| *n != (*partner, month));
                    } else {
                        self.model.nihil.push((*partner, month));
                    }
                }
            }
            Op::Cell { partner, month: m, quarter_hours, by_team_increase } => {
                let month = month(*m);
                let cell: Vec<usize> = (0..self.model.lines.len())
                    .filter(|i| self.model.lines[*i].partner == *partner && self.model.lines[*i].month == month)
                    .collect();
                let hours = quarter_hours.map(|q| hours(i32::try_from(q).unwrap()));
                let change = sidw::store::CellChange {
                    network: self.network,
                    partner: self.partners[*partner],
                    month,
                    hours,
                    by_team_increase: *by_team_increase,
                    double_funding_confirmed: false,
                };
                if self.model.is_closed(month) || cell.len() > 1 {
                    let result = self.store.set_cell(&self.ctx, &change);
                    self.agree("cel (afgesloten of meerdere regels)", false, &result)?;
                    return Ok(format!("{op:?}: geweigerd"));
                }
                let existing = cell.first().copied();
                // What the model expects: (accepted, the lines and mark after).
                let mut after = self.model.clone_state();
                let accepted = match hours {
                    None => {
                        if let Some(i) = existing {
                            after.lines.remove(i);
                        }
                        after.nihil.retain(|n| *n != (*partner, month));
                        true
                    }
                    Some(h) if h.is_zero() => {
                        if let Some(i) = existing {
                            after.lines.remove(i);
                        }
                        if !after.nihil.contains(&(*partner, month)) {
                            after.nihil.push((*partner, month));
                        }
                        true
                    }
                    Some(h) => {
                        after.nihil.retain(|n| *n != (*partner, month));
                        match existing {
                            Some(i) => {
                                let line = self.model.lines[i].clone();
                                let changed = MLine { hours: h, ..line.clone() };
                                let old = if line.by_team { Decimal::ZERO } else { line.worth() };
                                let over = !line.by_team
                                    && changed.worth() > old
                                    && self.model.remaining(2025) + old - changed.worth() < Decimal::ZERO;
                                if !over {
                                    after.lines[i] = changed;
                                    true
                                } else if *by_team_increase && h > line.hours {
                                    after.lines.push(MLine {
                                        id: HoursEntryId(0),
                                        hours: h - line.hours,
                                        by_team: true,
                                        corrects: None,
                                        ..line
                                    });
                                    true
                                } else {
                                    false
                                }
                            }
                            None => {
                                let line = MLine {
                                    id: HoursEntryId(0),
                                    partner: *partner,
                                    month,
                                    hours: h,
                                    by_team: false,
                                    corrects: None,
                                };
                                let over = self.model.remaining(2025) - line.worth() < Decimal::ZERO;
                                if over && !*by_team_increase {
                                    false
                                } else {
                                    after.lines.push(MLine { by_team: over, ..line });
                                    true
                                }
                            }
                        }
                    }
                };
                let accepted = accepted && corrections_hold(&after.lines, &self.model.lines);
                let result = self.store.set_cell(&self.ctx, &change);
                self.agree("cel", accepted, &result)?;
                if result.is_ok() {
                    // New lines get the ids the store gave them (the cell's lines in order).
                    let stored = self.store.cell(self.network, self.partners[*partner], month).unwrap();
                    let mut model_cell: Vec<&mut MLine> =
                        after.lines.iter_mut().filter(|l| l.partner == *partner && l.month == month).collect();
                    prop_assert_eq!(model_cell.len(), stored.lines.len(), "the cell's lines");
                    for (model_line, line) in model_cell.iter_mut().zip(&stored.lines) {
                        if model_line.id == HoursEntryId(0) {
                            model_line.id = line.id;
                        }
                        prop_assert_eq!(
                            (model_line.id, model_line.hours, model_line.by_team),
                            (line.id, line.hours, line.paid_by_practice_team)
                        );
                    }
                    prop_assert_eq!(stored.nihil, after.nihil.contains(&(*partner, month)), "the cell's nihil mark");
                    self.model.lines = after.lines;
                    self.model.nihil = after.nihil;
                }
            }
            Op::Complete { quarter: q, close, over_cents } => {
                let quarter = quarter(*q);
                let mut steps = Vec::new();
                for partner in 0..3 {
                    for m in quarter.months() {
                        if !self.model.lines.iter().any(|l| l.partner == partner && l.month == m) {
                            let add = Op::AddLine { partner, month: m.month(), quarter_hours: 4, by_team: false };
                            steps.push(self.apply(&add)?);
                        }
                    }
                    let standing = self
                        .model
                        .invoices
                        .iter()
                        .any(|i| i.partner == partner && i.quarter == quarter && i.decision != MDecision::Rejected);
                    if !standing {
                        steps.push(self.apply(&Op::Invoice { partner, quarter: *q, off_by_cents: *over_cents })?);
                    }
                }
                for i in 0..self.model.invoices.len() {
                    let invoice = &self.model.invoices[i];
                    if invoice.quarter == quarter
                        && invoice.decision != MDecision::Rejected
                        && !self.model.payable(invoice)
                    {
                        steps.push(self.decide(i, true)?);
                    }
                }
                if *close {
                    steps.push(self.apply(&Op::Close { quarter: *q })?);
                }
                return Ok(format!("{op:?}: {steps:?}"));
            }
            Op::Close { quarter: q } => {
                let quarter = quarter(*q);
                let expect = !self.model.closed.contains_key(&quarter) && self.model.ready(quarter);
                // The finance officer acknowledges what the preview asks (returns paid again).
                let preview = self.store.close_preview(&[self.network], quarter, date(2026, 1, 15)).unwrap();
                let seen = sidw::store::to_acknowledge(&preview);
                let result = self.store.close_quarter(&self.ctx, &[self.network], quarter, &seen);
                if result.is_ok() != expect {
                    let preview = self.store.close_preview(&[self.network], quarter, date(2026, 1, 15)).unwrap();
                    let failing: Vec<String> =
                        preview[0].checklist.iter().filter(|i| !i.ok).map(|i| i.text.clone()).collect();
                    return Err(TestCaseError::fail(format!(
                        "afsluiten {quarter}: model {expect}, store {:?}; checklist {failing:?}; model lines {:?} nihil {:?} invoices {:?}",
                        result.as_ref().map(|b| &b.number),
                        self.model.lines,
                        self.model.nihil,
                        self.model.invoices
                    )));
                }
                if let Ok(batch) = result {
                    self.check_batch(&batch, quarter)?;
                    let mut stats = STATS.lock().unwrap();
                    stats.closes += 1;
                    stats.claims += batch.claims.len() as u64;
                    stats.owed_back += batch
                        .claims
                        .iter()
                        .filter(|c| c.line.kind == PaymentKind::Partner && c.line.invoice.is_none())
                        .count() as u64;
                    stats.set_offs += batch.set_offs.len() as u64;
                    stats.differences += batch.team_differences.len() as u64;
                    drop(stats);
                    let lines = self.model.lines.iter().filter(|l| quarter.contains(l.month)).cloned().collect();
                    self.model.closed.insert(quarter, Closed { batch: batch.id, lines });
                    let earlier = self.model.batches.entry(quarter).or_default();
                    let returned: Vec<(u64, usize)> = self
                        .model
                        .bank
                        .iter()
                        .filter(|((b, _), back)| **back && earlier.contains(b))
                        .map(|(line, _)| *line)
                        .collect();
                    earlier.push(batch.id);
                    if !returned.is_empty() {
                        STATS.lock().unwrap().paid_again += 1;
                    }
                    self.model.left_out.insert(batch.id, returned);
                    self.model.last_due.insert(quarter, self.model.due(quarter));
                }
            }
            Op::Reopen { quarter: q } => {
                let quarter = quarter(*q);
                let expect = self.model.closed.contains_key(&quarter);
                let result = self.store.reopen_quarter(&self.ctx, self.network, quarter, "model heropent");
                self.agree("heropenen", expect, &result)?;
                if result.is_ok() {
                    STATS.lock().unwrap().reopens += 1;
                    let closed = self.model.closed.remove(&quarter).expect("closed in the model");
                    if !self.model.sent.contains(&closed.batch) {
                        // Reopened before its payment file: its cash never went out, so what the
                        // quarter settled is its last close's due less that cash (its set-offs and
                        // claims are the books' and stand); the next close pays it.
                        let batch = self.store.batch(closed.batch).unwrap();
                        STATS.lock().unwrap().void_reopens += 1;
                        for line in &batch.lines {
                            let payee = self.payee(line);
                            *self.model.last_due.entry(quarter).or_default().entry(payee).or_default() -= line.amount;
                        }
                    }
                }
            }
            Op::Bank { pick, returned } => return self.bank(pick, *returned),
            Op::Export { quarter: q } => {
                let Some(closed) = self.model.closed.get(&quarter(*q)) else { return Ok("niets af te sluiten".into()) };
                let batch = self.store.batch(closed.batch).unwrap();
                self.store.record_export(&self.ctx, &batch, "pain.001.001.09 → model.xml").unwrap();
                if !self.model.sent.contains(&batch.id) {
                    self.model.sent.push(batch.id);
                }
            }
        }
        Ok(format!("{op:?}"))
    }

    /// The bank's word on one line of some batch (see [`Op::Bank`]).
    fn bank(&mut self, pick: &Index, returned: bool) -> Result<String, TestCaseError> {
        let lines: Vec<(PaymentBatch, usize)> = self
            .store
            .batches()
            .unwrap()
            .into_iter()
            .flat_map(|b| (0..b.lines.len()).map(move |n| (b.clone(), n)))
            .collect();
        if lines.is_empty() {
            return Ok("geen betalingen voor de bank".into());
        }
        let (batch, n) = &lines[pick.index(lines.len())];
        if !self.model.sent.contains(&batch.id) && batch.is_current_for(self.network) {
            self.store.record_export(&self.ctx, batch, "pain.001.001.09 → model.xml").unwrap();
            self.model.sent.push(batch.id);
        }
        let e2e = batch.end_to_end_id(*n);
        let day = date(2025, 12, 1);
        let state = if returned {
            LineState::Returned { date: day, reason: "AC04".into(), bank_ref: "model".into() }
        } else {
            LineState::Paid { date: day, bank_ref: "model".into() }
        };
        let known = self.model.bank.get(&(batch.id, *n)).copied();
        let expect = self.model.sent.contains(&batch.id) && known != Some(returned);
        let result = self.store.correct_bank_line(&self.ctx, batch.id, &e2e, &state, "model");
        self.agree("bankstatus", expect, &result)?;
        if result.is_ok() {
            self.model.bank.insert((batch.id, *n), returned);
            STATS.lock().unwrap().returns += u64::from(returned);
        }
        Ok(format!("bank: {e2e} {}", if returned { "teruggeboekt" } else { "betaald" }))
    }

    /// Approves (against the hours as they are now) or rejects the model's invoice `i`.
    fn decide(&mut self, i: usize, approve: bool) -> Result<String, TestCaseError> {
        let invoice = self.model.invoices[i].clone();
        let expect = !self.model.closed.contains_key(&invoice.quarter);
        let result = self.store.decide_invoice(&self.ctx, self.network, invoice.id, approve, "gecontroleerd (model)");
        self.agree("factuur beoordelen", expect, &result)?;
        if result.is_ok() {
            self.model.invoices[i].decision = if approve {
                MDecision::Approved(self.model.worth(invoice.partner, invoice.quarter))
            } else {
                MDecision::Rejected
            };
        }
        Ok(format!("{} factuur {}", if approve { "goedgekeurd" } else { "afgewezen" }, invoice.id))
    }

    fn new_hours(&self, line: &MLine) -> NewHours {
        NewHours {
            network: self.network,
            partner: self.partners[line.partner],
            month: line.month,
            hours: line.hours,
            activity: String::new(),
            paid_by_practice_team: line.by_team,
            double_funding_confirmed: false,
            corrects: line.corrects,
        }
    }

    /// A correction of `original` in `month` of `hours` (see [`Op::Correct`]).
    fn correct(&mut self, original: &MLine, month: YearMonth, hours: Decimal) -> Result<(), TestCaseError> {
        let line = MLine {
            id: HoursEntryId(0),
            partner: original.partner,
            month,
            hours,
            by_team: original.by_team,
            corrects: Some(original.id),
        };
        let raises = !line.by_team && line.worth() > Decimal::ZERO;
        let over_budget = raises && self.model.remaining(2025) - line.worth() < Decimal::ZERO;
        let mut lines = self.model.lines.clone();
        lines.push(line.clone());
        let expect = !self.model.is_closed(line.month) && !over_budget && corrections_hold(&lines, &self.model.lines);
        let result = self.store.add_hours(&self.ctx, &self.new_hours(&line));
        self.agree("correctie", expect, &result)?;
        if result.is_err() && !self.model.is_closed(line.month) && !over_budget {
            STATS.lock().unwrap().corrections_refused += 1;
        }
        if let Ok(stored) = result {
            self.model.nihil.retain(|n| *n != (line.partner, line.month));
            self.model.lines.push(MLine { id: stored.id, ..line });
        }
        Ok(())
    }

    fn agree<T, E: std::fmt::Display>(
        &self,
        what: &str,
        expect: bool,
        result: &Result<T, E>,
    ) -> Result<(), TestCaseError> {
        match result {
            Ok(_) if expect => Ok(()),
            Err(_) if !expect => Ok(()),
            Ok(_) => Err(TestCaseError::fail(format!("{what}: het model weigert, de store neemt aan"))),
            Err(e) => Err(TestCaseError::fail(format!("{what}: het model neemt aan, de store weigert: {e}"))),
        }
    }

    /// A new batch: practices get their split (the parts sum to the quarter's money), no invoice
    /// is paid above its hours, and the excess of an approved higher invoice is listed.
    fn check_batch(&self, batch: &PaymentBatch, quarter: Quarter) -> Result<(), TestCaseError> {
        prop_assert!(batch.lines.iter().all(|l| l.amount > Decimal::ZERO), "a payment of 0 or less");
        let first_close = !self.model.last_due.contains_key(&quarter);
        let due = self.model.due(quarter);
        if first_close {
            // Cash plus what was set off is exactly what is due, payee by payee.
            let mut settled: BTreeMap<MPayee, Decimal> = BTreeMap::new();
            for line in batch.lines.iter().chain(batch.set_offs.iter().map(|s| &s.line)) {
                *settled.entry(self.payee(line)).or_default() += line.amount;
            }
            let due: BTreeMap<MPayee, Decimal> =
                due.iter().filter(|(_, a)| **a > Decimal::ZERO).map(|(p, a)| (*p, *a)).collect();
            prop_assert_eq!(&settled, &due, "first close of {}", quarter);
            // What is owed back (a quarter worth below 0) is claimed, payee by payee.
            let mut claimed: BTreeMap<MPayee, Decimal> = BTreeMap::new();
            for claim in &batch.claims {
                *claimed.entry(self.payee(&claim.line)).or_default() -= claim.line.amount;
            }
            let owed: BTreeMap<MPayee, Decimal> =
                self.model.due(quarter).into_iter().filter(|(_, a)| *a < Decimal::ZERO).collect();
            prop_assert_eq!(&claimed, &owed, "claims at the first close of {}", quarter);
            let practices: Decimal =
                settled.iter().filter(|(p, _)| matches!(p, MPayee::Practice(_))).map(|(_, a)| *a).sum();
            let money = cents(PRACTICE_RATE * Decimal::from(self.model.total_ion_on(quarter.first_day())) / dec!(4));
            prop_assert_eq!(practices, money, "the split sums to the quarter's money");
            let shares = self.model.shares_on(quarter.first_day());
            for (p, part) in largest_remainder(money, shares).into_iter().enumerate() {
                let paid = settled.get(&MPayee::Practice(p)).copied().unwrap_or_default();
                prop_assert_eq!(paid, part, "practice {} gets its share {} % of {}", p, shares[p], money);
            }
        }
        for invoice in self.model.invoices.iter().filter(|i| i.quarter == quarter && self.model.payable(i)) {
            let worth = self.model.worth(invoice.partner, quarter);
            let excess: Decimal =
                batch.team_differences.iter().filter(|d| d.invoice == invoice.id).map(|d| d.amount).sum();
            prop_assert_eq!(excess, (invoice.amount - worth).max(Decimal::ZERO), "excess of invoice {}", invoice.id);
        }
        Ok(())
    }

    /// The invariants that hold after every step.
    fn check(&self) -> Result<(), TestCaseError> {
        let budget = self.store.partner_budget(self.network, 2025).unwrap();
        prop_assert_eq!(budget.budget, self.model.budget(2025));
        prop_assert_eq!(budget.remaining(), self.model.remaining(2025), "remaining = budget − Σ € 1,15 lines");

        let stored = self.store.hours_of(self.network, 2025).unwrap();
        prop_assert_eq!(stored.len(), self.model.lines.len());
        let mut marks: Vec<(usize, YearMonth)> = [1, 2]
            .into_iter()
            .flat_map(|q| self.store.nihil_marks(self.network, quarter(q)).unwrap())
            .map(|m| (self.partner_index(m.partner), m.month))
            .collect();
        let mut expected = self.model.nihil.clone();
        marks.sort();
        expected.sort();
        prop_assert_eq!(marks, expected, "nihil marks");
        for (quarter, closed) in &self.model.closed {
            let now: Vec<(HoursEntryId, Decimal)> =
                stored.iter().filter(|l| quarter.contains(l.month)).map(|l| (l.id, l.hours)).collect();
            let then: Vec<(HoursEntryId, Decimal)> = closed.lines.iter().map(|l| (l.id, l.hours)).collect();
            prop_assert_eq!(now, then, "the lines of closed {} never change", quarter);
            let close = self.store.quarter_close(self.network, *quarter).unwrap().expect("closed in the store");
            prop_assert_eq!(close.batch, closed.batch);
        }

        // Per payee: Σ paid − open claims = Σ due at the last close of every quarter ever closed,
        // where paid is what the bank did not return, a return the last close of its quarter did not
        // pay again is still owed, and a return that close paid again but the bank paid after all
        // was paid twice.
        let batches = self.store.batches().unwrap();
        let mut paid: BTreeMap<MPayee, Decimal> = BTreeMap::new();
        let (mut owed, mut twice) = (0usize, 0usize);
        let in_force: Vec<u64> = self.model.closed.values().map(|c| c.batch).collect();
        for batch in &batches {
            // A batch reopened before its payment file was written paid nothing (a file is only
            // written of a batch in force, so one written at all was written before the reopen).
            let went_out = in_force.contains(&batch.id) || self.model.sent.contains(&batch.id);
            if !went_out {
                continue;
            }
            let latest = self.model.batches.get(&batch.quarter).and_then(|b| b.last().copied());
            let left_out = latest.and_then(|l| self.model.left_out.get(&l));
            for (n, line) in batch.lines.iter().enumerate() {
                let returned = self.model.bank.get(&(batch.id, n)).copied().unwrap_or(false);
                let paid_again = left_out.is_some_and(|l| l.contains(&(batch.id, n)));
                let entry = paid.entry(self.payee(line)).or_default();
                if !returned {
                    *entry += line.amount;
                }
                if returned && !paid_again {
                    *entry += line.amount;
                    owed += 1;
                }
                if !returned && paid_again {
                    *entry -= line.amount;
                    twice += 1;
                }
            }
        }
        // The store's Signalen name exactly those lines.
        let facts = self.store.bank_signal_facts().unwrap();
        let signalled: (usize, usize) =
            (facts.iter().map(|f| f.returned.len()).sum(), facts.iter().map(|f| f.paid_twice.len()).sum());
        prop_assert_eq!(signalled, (owed, twice), "returns owed and paid twice in the Signalen");
        for claim in self.store.open_claims().unwrap() {
            prop_assert!(claim.open > Decimal::ZERO && claim.open <= claim.line.amount);
            *paid.entry(self.payee(&claim.line)).or_default() -= claim.open;
        }
        let mut due: BTreeMap<MPayee, Decimal> = BTreeMap::new();
        for per_quarter in self.model.last_due.values() {
            for (payee, amount) in per_quarter {
                *due.entry(*payee).or_default() += amount;
            }
        }
        paid.retain(|_, a| !a.is_zero());
        due.retain(|_, a| !a.is_zero());
        prop_assert_eq!(paid, due, "Σ paid − open claims = Σ due");
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("SIDW_MODEL_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(96)
}

/// Runs the model test's cases and reports how much of the money it reached, and how fast.
#[test]
fn the_store_keeps_the_money_as_the_model_does() {
    let started = std::time::Instant::now();
    let config = ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // A fixed seed in CI, so the workload (and its reach, asserted below) is the same every run;
    // SIDW_MODEL_SEED=N explores other sequences (thousands of cases were run so while building this).
    let seed: u64 = std::env::var("SIDW_MODEL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(11);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &bytes);
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(config, rng);
    let before = *STATS.lock().unwrap();
    runner
        .run(&prop::collection::vec(op(), 1..80), |ops| {
            let mut world = World::new();
            let mut done = Vec::new();
            for op in &ops {
                STATS.lock().unwrap().steps += 1;
                let step = world.apply(op).map_err(|e| TestCaseError::fail(format!("{e}\nna: {done:#?}")))?;
                done.push(step);
                world.check().map_err(|e| TestCaseError::fail(format!("{e}\nna: {done:#?}")))?;
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    let after = *STATS.lock().unwrap();
    let delta = |f: fn(&Stats) -> u64| f(&after) - f(&before);
    let steps = delta(|s| s.steps);
    println!(
        "model: {steps} steps in {:.2} s ({:.0} steps/s); {} closes, {} reopens, {} claims, {} set-offs, {} excess invoices, {} refused over budget, {} returns, {} closes paying a return again, {} reopens before the payment file, {} claims on a quarter below 0, {} corrections refused by their rules",
        started.elapsed().as_secs_f64(),
        steps as f64 / started.elapsed().as_secs_f64(),
        delta(|s| s.closes),
        delta(|s| s.reopens),
        delta(|s| s.claims),
        delta(|s| s.set_offs),
        delta(|s| s.differences),
        delta(|s| s.refused_over_budget),
        delta(|s| s.returns),
        delta(|s| s.paid_again),
        delta(|s| s.void_reopens),
        delta(|s| s.owed_back),
        delta(|s| s.corrections_refused),
    );
    // The workload must reach the edges it exists for, or it proves nothing.
    assert!(delta(|s| s.closes) > 0 && delta(|s| s.reopens) > 0, "{after:?}");
    assert!(delta(|s| s.claims) > 0 && delta(|s| s.set_offs) > 0 && delta(|s| s.differences) > 0, "{after:?}");
    assert!(delta(|s| s.returns) > 0 && delta(|s| s.paid_again) > 0 && delta(|s| s.void_reopens) > 0, "{after:?}");
}

#[test]
fn the_models_split_and_budget_agree_with_the_handbook() {
    // Handbook example: 7 000 ION → € 23.800 practice-team money and € 8.050 partner budget a year.
    let model = Model { ion: [vec![(date(2024, 1, 1), 4200)], vec![(date(2024, 1, 1), 2800)]], ..Default::default() };
    assert_eq!(model.budget(2025), dec!(8050.00));
    let split = [dec!(60), dec!(40)];
    assert_eq!(largest_remainder(dec!(5950.00), split), [dec!(3570.00), dec!(2380.00)]);
    assert_eq!(largest_remainder(dec!(0.05), split), [dec!(0.03), dec!(0.02)]);
}
