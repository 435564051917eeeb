//! `report year`: the year report the secretariat hands the insurer. Per network, the money of the
//! year's four quarters (received from the payment batches of closed quarters, planned for open
//! ones), the partner budget with what was spent, paid by the practice team and left unspent, and
//! the milestones due in the year that were met or missed; with totals per region and overall.
//!
//! [`rows`] computes and never prints, so a screen can show the same rows.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

use crate::domain::close::{PaymentKind, PaymentLine};
use crate::domain::milestones::milestones;
use crate::domain::money::{format_decimal_comma, format_eur, format_plain};
use crate::domain::{Quarter, Region};
use crate::store::{Store, StoreError};

use super::{Format, Table};

/// How `report year` is written: the text formats of the other reports, or an Excel workbook.
/// The variants' texts are the help of `--format`, so they are Dutch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum YearFormat {
    /// Uitgelijnde kolommen, Nederlandse bedragen (€ 8.050,00), met regiototalen
    Table,
    /// Gescheiden door ; met decimale komma's; een regel per netwerk, per regio en het totaal
    Csv,
    /// Eén object met netwerken, regio's en totaal; bedragen als tekst ("8050.00")
    Json,
    /// Excel: een blad per regio en een blad "Totaal", bedragen als euro's
    Xlsx,
}

impl YearFormat {
    /// The text format, or `None` for the workbook.
    pub fn text(self) -> Option<Format> {
        match self {
            Self::Table => Some(Format::Table),
            Self::Csv => Some(Format::Csv),
            Self::Json => Some(Format::Json),
            Self::Xlsx => None,
        }
    }
}

/// The figures of a network, a region or the programme for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFigures {
    /// Practice-team money settled by the batches of the year's quarters (reopened batches too):
    /// paid, or set off against a claim, less what a re-close claimed back.
    pub practice_team_received: Decimal,
    /// Practice-team money of quarters that are still open: planned, not yet paid.
    pub practice_team_planned: Decimal,
    /// Partner invoices settled by the batches of the year's quarters (reopened batches too),
    /// as `practice_team_received`.
    pub partners_paid: Decimal,
    /// Partner payments of quarters that are still open.
    pub partners_planned: Decimal,
    pub partner_budget: Decimal,
    pub partner_spent: Decimal,
    pub paid_by_practice_team: Decimal,
    /// max(0, partner budget − spent).
    pub partner_unspent: Decimal,
    /// Approved invoices above their hours: the excess, for the practice team, never from the € 1,15.
    pub team_differences: Decimal,
    /// Claims raised on the year's quarters that are not yet set off: paid too much, to recover.
    pub open_claims: Decimal,
    /// Milestones due in the year and done in time.
    pub milestones_met: usize,
    /// Milestones due in the year that are overdue or were done late.
    pub milestones_missed: usize,
}

impl YearFigures {
    fn add(&mut self, other: &YearFigures) {
        self.practice_team_received += other.practice_team_received;
        self.practice_team_planned += other.practice_team_planned;
        self.partners_paid += other.partners_paid;
        self.partners_planned += other.partners_planned;
        self.partner_budget += other.partner_budget;
        self.partner_spent += other.partner_spent;
        self.paid_by_practice_team += other.paid_by_practice_team;
        self.partner_unspent += other.partner_unspent;
        self.team_differences += other.team_differences;
        self.open_claims += other.open_claims;
        self.milestones_met += other.milestones_met;
        self.milestones_missed += other.milestones_missed;
    }

    /// The amounts in the order of the report's columns.
    pub fn amounts(&self) -> [Decimal; 10] {
        [
            self.practice_team_received,
            self.practice_team_planned,
            self.partners_paid,
            self.partners_planned,
            self.partner_budget,
            self.partner_spent,
            self.paid_by_practice_team,
            self.partner_unspent,
            self.team_differences,
            self.open_claims,
        ]
    }

    fn sum<'a>(figures: impl Iterator<Item = &'a YearFigures>) -> YearFigures {
        let mut total = YearFigures::default();
        figures.for_each(|f| total.add(f));
        total
    }
}

/// One network's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRow {
    pub network: String,
    pub region: Region,
    pub municipality: String,
    pub year: i32,
    pub former_gez_owz: bool,
    /// The year's quarters that are not closed: their payments are planned, not received.
    pub open_quarters: Vec<Quarter>,
    pub figures: YearFigures,
    /// The missed milestones with their state: "Financiële verantwoording 2024 (te laat)".
    pub missed: Vec<String>,
}

/// The rows of `year`, every network or those of one region, by region (Zwolle, Flevoland,
/// Hardenberg) and name. Milestones are judged on `today`.
pub fn rows(store: &Store, year: i32, region: Option<Region>, today: NaiveDate) -> Result<Vec<YearRow>, StoreError> {
    rows_in(store, year, region, today, &crate::domain::Scope::All)
}

/// [`rows`] of the networks in `scope` only (the region totals and the total are of those).
pub fn rows_in(
    store: &Store,
    year: i32,
    region: Option<Region>,
    today: NaiveDate,
    scope: &crate::domain::Scope,
) -> Result<Vec<YearRow>, StoreError> {
    let budgets: HashMap<String, super::budget::BudgetRow> =
        super::budget::rows_in(store, year, None, scope)?.into_iter().map(|r| (r.network.clone(), r)).collect();
    let claims = store.open_claims()?;
    let quarters = Quarter::of_year(year)
        .into_iter()
        .map(|q| store.quarter_payments(q).map(|closes| (q, closes)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut networks = store.networks()?;
    networks.retain(|n| region.is_none_or(|r| n.region == r) && scope.contains(n.region));
    networks.sort_by_key(|n| (n.region, n.name.to_lowercase()));
    // What the bank returned of each batch and when its first file was written, read once: a
    // region's batch pays every network in it.
    type Paid = (std::collections::HashSet<String>, Option<chrono::DateTime<chrono::Utc>>);
    let mut returned_of: HashMap<u64, Paid> = HashMap::new();
    networks
        .into_iter()
        .map(|network| -> Result<YearRow, StoreError> {
            let mut figures = YearFigures::default();
            let mut open_quarters = Vec::new();
            for (quarter, closes) in &quarters {
                let batches = store.batches_of(network.id, *quarter)?;
                // What was paid, set off and claimed, less what never went out or came back.
                let mut settled: Vec<PaymentLine> = Vec::new();
                for b in batches.iter().filter(|b| b.quarter == *quarter && b.networks.contains(&network.id)) {
                    let (returned, first_file) = match returned_of.entry(b.id) {
                        std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                        std::collections::hash_map::Entry::Vacant(new) => {
                            new.insert((store.bank_lines(b.id)?.returned(), store.batch_exports(b.id)?.first_to_bank()))
                        }
                    };
                    settled.extend(b.settled_for(network.id, *first_file, &|e2e| returned.contains(e2e)));
                }
                let (practice, partner) = by_kind(settled.iter());
                figures.team_differences += batches
                    .iter()
                    .filter(|b| b.quarter == *quarter && b.is_current_for(network.id))
                    .flat_map(|b| b.team_differences.iter().filter(|d| d.network == network.id))
                    .map(|d| d.amount)
                    .sum::<Decimal>();
                figures.practice_team_received += practice;
                figures.partners_paid += partner;
                let (close, closed) = closes
                    .iter()
                    .find(|(c, _)| c.network.id == network.id)
                    .ok_or_else(|| StoreError::NotFound(format!("{quarter} van netwerk {}", network.name)))?;
                if !closed {
                    open_quarters.push(*quarter);
                    // What is due, also the part that will be set off against an open claim
                    // (that claim is counted in the open claims, not here again).
                    let set_off = close.set_offs.iter().map(|s| &s.line);
                    let (practice, partner) = by_kind(close.payments.iter().chain(set_off));
                    figures.practice_team_planned += practice;
                    figures.partners_planned += partner;
                    figures.team_differences += close.team_differences.iter().map(|d| d.amount).sum::<Decimal>();
                }
            }
            let budget = budgets
                .get(&network.name)
                .ok_or_else(|| StoreError::NotFound(format!("budget {year} van netwerk {}", network.name)))?;
            figures.partner_budget = budget.partner_budget;
            figures.partner_spent = budget.partner_spent;
            figures.paid_by_practice_team = budget.paid_by_practice_team;
            figures.partner_unspent = (budget.partner_budget - budget.partner_spent).max(Decimal::ZERO);
            figures.open_claims = claims
                .iter()
                .filter(|c| c.line.network == network.id && c.line.quarter.year() == year)
                .map(|c| c.open)
                .sum();
            let mut missed = Vec::new();
            for m in milestones(&network, today) {
                if m.due.is_none_or(|due| due.year() != year) {
                    continue;
                }
                if m.state.is_met() {
                    figures.milestones_met += 1;
                }
                if m.state.is_missed() {
                    figures.milestones_missed += 1;
                    missed.push(format!("{} ({})", m.label, m.state.dutch_label()));
                }
            }
            Ok(YearRow {
                region: network.region,
                municipality: network.municipality,
                former_gez_owz: network.former_gez_owz,
                network: network.name,
                year,
                open_quarters,
                figures,
                missed,
            })
        })
        .collect()
}

/// Σ of the practice and of the partner payments among `lines`.
fn by_kind<'a>(lines: impl Iterator<Item = &'a PaymentLine>) -> (Decimal, Decimal) {
    lines.fold((Decimal::ZERO, Decimal::ZERO), |(practice, partner), l| match l.kind {
        PaymentKind::Practice => (practice + l.amount, partner),
        PaymentKind::Partner => (practice, partner + l.amount),
    })
}

/// The totals of each region that has rows, in the order of [`Region::ALL`].
pub fn region_totals(rows: &[YearRow]) -> Vec<(Region, YearFigures)> {
    Region::ALL
        .into_iter()
        .filter(|region| rows.iter().any(|r| r.region == *region))
        .map(|region| (region, YearFigures::sum(rows.iter().filter(|r| r.region == region).map(|r| &r.figures))))
        .collect()
}

/// The total of every row.
pub fn grand_total(rows: &[YearRow]) -> YearFigures {
    YearFigures::sum(rows.iter().map(|r| &r.figures))
}

const AMOUNT_COLUMNS: [&str; 10] = [
    "praktijkteam ontvangen",
    "praktijkteam gepland",
    "partners betaald",
    "partners gepland",
    "partnerbudget",
    "besteed",
    "betaald door praktijkteam",
    "niet besteed",
    "verschil voor praktijkteam",
    "vorderingen open",
];

/// Shorter titles for the terminal: each "gepland" stands beside what it plans.
const TABLE_AMOUNT_COLUMNS: [&str; 10] = [
    "praktijkteam ontvangen",
    "gepland",
    "partners betaald",
    "gepland",
    "partnerbudget",
    "besteed",
    "door praktijkteam",
    "niet besteed",
    "verschil p.team",
    "vorderingen",
];

pub(super) fn quarters_text(quarters: &[Quarter]) -> String {
    quarters.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", ")
}

fn display_name(row: &YearRow) -> String {
    if row.former_gez_owz { format!("{} (GEZ/OWZ)", row.network) } else { row.network.clone() }
}

#[derive(Serialize)]
struct JsonFigures {
    practice_team_received: String,
    practice_team_planned: String,
    partners_paid: String,
    partners_planned: String,
    partner_budget: String,
    partner_spent: String,
    paid_by_practice_team: String,
    partner_unspent: String,
    team_differences: String,
    open_claims: String,
    milestones_met: usize,
    milestones_missed: usize,
}

impl From<&YearFigures> for JsonFigures {
    fn from(f: &YearFigures) -> Self {
        Self {
            practice_team_received: format_plain(f.practice_team_received),
            practice_team_planned: format_plain(f.practice_team_planned),
            partners_paid: format_plain(f.partners_paid),
            partners_planned: format_plain(f.partners_planned),
            partner_budget: format_plain(f.partner_budget),
            partner_spent: format_plain(f.partner_spent),
            paid_by_practice_team: format_plain(f.paid_by_practice_team),
            partner_unspent: format_plain(f.partner_unspent),
            team_differences: format_plain(f.team_differences),
            open_claims: format_plain(f.open_claims),
            milestones_met: f.milestones_met,
            milestones_missed: f.milestones_missed,
        }
    }
}

#[derive(Serialize)]
struct JsonNetwork<'a> {
    network: &'a str,
    region: &'static str,
    municipality: &'a str,
    year: i32,
    former_gez_owz: bool,
    open_quarters: Vec<String>,
    #[serde(flatten)]
    figures: JsonFigures,
    missed_milestones: &'a [String],
}

#[derive(Serialize)]
struct JsonRegion {
    region: &'static str,
    #[serde(flatten)]
    figures: JsonFigures,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    year: i32,
    /// The day the milestones were judged on.
    today: String,
    networks: Vec<JsonNetwork<'a>>,
    regions: Vec<JsonRegion>,
    total: JsonFigures,
}

/// Writes the rows as a table, CSV (with a UTF-8 byte-order mark for Excel) or JSON.
pub fn render(rows: &[YearRow], year: i32, today: NaiveDate, format: Format) -> String {
    match format {
        Format::Json => json(rows, year, today),
        Format::Csv => csv(rows, year),
        Format::Table => table(rows, year, today),
    }
}

fn json(rows: &[YearRow], year: i32, today: NaiveDate) -> String {
    let report = JsonReport {
        year,
        today: today.format("%Y-%m-%d").to_string(),
        networks: rows
            .iter()
            .map(|r| JsonNetwork {
                network: &r.network,
                region: r.region.name(),
                municipality: &r.municipality,
                year: r.year,
                former_gez_owz: r.former_gez_owz,
                open_quarters: r.open_quarters.iter().map(|q| q.to_string()).collect(),
                figures: (&r.figures).into(),
                missed_milestones: &r.missed,
            })
            .collect(),
        regions: region_totals(rows)
            .iter()
            .map(|(region, f)| JsonRegion { region: region.name(), figures: f.into() })
            .collect(),
        total: (&grand_total(rows)).into(),
    };
    serde_json::to_string_pretty(&report).expect("the report serialises") + "\n"
}

fn csv(rows: &[YearRow], year: i32) -> String {
    let mut header = vec!["soort", "netwerk", "regio", "gemeente", "jaar", "open kwartalen"];
    header.extend(AMOUNT_COLUMNS);
    header.extend(["mijlpalen gehaald", "mijlpalen gemist", "gemiste mijlpalen"]);
    // soort, netwerk, regio, gemeente, open kwartalen, figures, gemiste mijlpalen
    let record = |cells: [&str; 5], f: &YearFigures, missed: &str| {
        let mut record: Vec<String> = cells[..4].iter().map(|c| c.to_string()).collect();
        record.extend([year.to_string(), cells[4].to_string()]);
        record.extend(f.amounts().map(format_decimal_comma));
        record.extend([f.milestones_met.to_string(), f.milestones_missed.to_string(), missed.to_string()]);
        record
    };
    let mut records = Vec::new();
    for (region, total) in region_totals(rows) {
        for r in rows.iter().filter(|r| r.region == region) {
            let open = quarters_text(&r.open_quarters);
            records.push(record(
                ["netwerk", &r.network, region.name(), &r.municipality, &open],
                &r.figures,
                &r.missed.join(", "),
            ));
        }
        records.push(record(["regio", "", region.name(), "", ""], &total, ""));
    }
    records.push(record(["totaal", "", "", "", ""], &grand_total(rows), ""));
    super::excel_csv(&header, records)
}

fn table(rows: &[YearRow], year: i32, today: NaiveDate) -> String {
    let mut columns = vec![("netwerk", false), ("regio", false)];
    columns.extend(TABLE_AMOUNT_COLUMNS.map(|c| (c, true)));
    columns.extend([("mijlpalen gehaald", true), ("gemist", true)]);
    let mut table = Table::new(&columns);
    let line = |name: String, region: &str, f: &YearFigures| {
        let mut cells = vec![name, region.to_string()];
        cells.extend(f.amounts().map(format_eur));
        cells.extend([f.milestones_met.to_string(), f.milestones_missed.to_string()]);
        cells
    };
    for (region, total) in region_totals(rows) {
        for r in rows.iter().filter(|r| r.region == region) {
            table.push(line(display_name(r), region.name(), &r.figures));
        }
        table.push(line(format!("totaal {}", region.name()), "", &total));
    }
    table.push(line("totaal".into(), "", &grand_total(rows)));

    let mut out = format!(
        "Jaarverslag {year}: ontvangen en betaald uit afgesloten kwartalen, gepland voor open kwartalen; \
         mijlpalen op {}\n\n",
        crate::domain::calendar::format_date(today)
    );
    out.push_str(&table.render());
    let open: Vec<&YearRow> = rows.iter().filter(|r| !r.open_quarters.is_empty()).collect();
    if !open.is_empty() {
        out.push_str("\nOpen kwartalen (bedragen gepland):\n");
        for r in open {
            out.push_str(&format!("  {}: {}\n", r.network, quarters_text(&r.open_quarters)));
        }
    }
    let missed: Vec<&YearRow> = rows.iter().filter(|r| !r.missed.is_empty()).collect();
    if missed.is_empty() {
        out.push_str(&format!("\nGeen gemiste mijlpalen in {year}.\n"));
    } else {
        out.push_str("\nGemiste mijlpalen:\n");
        for r in missed {
            out.push_str(&format!("  {}: {}\n", r.network, r.missed.join(", ")));
        }
    }
    out
}
