//! `report budget`: per network and year, the practice-team money, the partner budget, what the
//! hours spent of it, what remains, and what the practice team paid itself.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::budget::practice_team_money_year;
use crate::domain::money::{format_decimal_comma, format_eur, format_plain};
use crate::store::{Store, StoreError};

use super::{Format, Table};

/// One network's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub network: String,
    pub region: String,
    pub municipality: String,
    pub year: i32,
    pub former_gez_owz: bool,
    pub practice_team_budget: Decimal,
    pub partner_budget: Decimal,
    pub partner_spent: Decimal,
    pub partner_remaining: Decimal,
    pub paid_by_practice_team: Decimal,
}

/// The rows for `year`, every network or only the one named (case-insensitive), sorted by region
/// and name. Naming a network that does not exist is an error.
pub fn rows(store: &Store, year: i32, network: Option<&str>) -> Result<Vec<BudgetRow>, StoreError> {
    rows_in(store, year, network, &crate::domain::Scope::All)
}

/// [`rows`] as a user with `scope` sees them: only their regions' networks (a network named
/// outside them is not found).
pub fn rows_in(
    store: &Store,
    year: i32,
    network: Option<&str>,
    scope: &crate::domain::Scope,
) -> Result<Vec<BudgetRow>, StoreError> {
    let networks = match network {
        Some(name) => vec![
            store
                .network_by_name(name)?
                .filter(|n| scope.contains(n.region))
                .ok_or_else(|| StoreError::NotFound(format!("netwerk '{name}'")))?,
        ],
        None => store.networks()?.into_iter().filter(|n| scope.contains(n.region)).collect(),
    };
    let tariffs = store.tariff_book()?;
    let mut rows = networks
        .into_iter()
        .map(|network| {
            let team = store.practice_team(network.id)?;
            let budget = store.partner_budget(network.id, year)?;
            Ok(BudgetRow {
                practice_team_budget: practice_team_money_year(&network, &team, &tariffs, year)?,
                partner_budget: budget.budget,
                partner_spent: budget.spending.spent,
                partner_remaining: budget.remaining(),
                paid_by_practice_team: budget.spending.paid_by_practice_team,
                region: network.region.name().to_string(),
                municipality: network.municipality,
                former_gez_owz: network.former_gez_owz,
                network: network.name,
                year,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    rows.sort_by(|a, b| {
        (a.region.as_str(), a.network.to_lowercase()).cmp(&(b.region.as_str(), b.network.to_lowercase()))
    });
    Ok(rows)
}

#[derive(Serialize)]
struct JsonRow<'a> {
    network: &'a str,
    region: &'a str,
    municipality: &'a str,
    year: i32,
    former_gez_owz: bool,
    practice_team_budget: String,
    partner_budget: String,
    partner_spent: String,
    partner_remaining: String,
    paid_by_practice_team: String,
}

const COLUMNS: [&str; 9] = [
    "netwerk",
    "regio",
    "gemeente",
    "jaar",
    "praktijkteam",
    "partnerbudget",
    "besteed",
    "resterend",
    "betaald door praktijkteam",
];

/// Writes the rows in the chosen format. CSV starts with a UTF-8 byte-order mark for Excel.
pub fn render(rows: &[BudgetRow], format: Format) -> String {
    match format {
        Format::Json => {
            let json: Vec<JsonRow> = rows
                .iter()
                .map(|r| JsonRow {
                    network: &r.network,
                    region: &r.region,
                    municipality: &r.municipality,
                    year: r.year,
                    former_gez_owz: r.former_gez_owz,
                    practice_team_budget: format_plain(r.practice_team_budget),
                    partner_budget: format_plain(r.partner_budget),
                    partner_spent: format_plain(r.partner_spent),
                    partner_remaining: format_plain(r.partner_remaining),
                    paid_by_practice_team: format_plain(r.paid_by_practice_team),
                })
                .collect();
            serde_json::to_string_pretty(&json).expect("rows serialise") + "\n"
        }
        Format::Csv => super::excel_csv(
            &COLUMNS,
            rows.iter().map(|r| {
                let mut record = vec![r.network.clone(), r.region.clone(), r.municipality.clone(), r.year.to_string()];
                record.extend(amounts(r).map(format_decimal_comma));
                record
            }),
        ),
        Format::Table => {
            let mut table = Table::new(&[
                (COLUMNS[0], false),
                (COLUMNS[1], false),
                (COLUMNS[2], false),
                (COLUMNS[3], false),
                (COLUMNS[4], true),
                (COLUMNS[5], true),
                (COLUMNS[6], true),
                (COLUMNS[7], true),
                (COLUMNS[8], true),
            ]);
            for r in rows {
                let name = if r.former_gez_owz { format!("{} (GEZ/OWZ)", r.network) } else { r.network.clone() };
                let mut row = vec![name, r.region.clone(), r.municipality.clone(), r.year.to_string()];
                row.extend(amounts(r).map(format_eur));
                table.push(row);
            }
            let total = |f: fn(&BudgetRow) -> Decimal| format_eur(rows.iter().map(f).sum());
            table.push(vec![
                "totaal".into(),
                String::new(),
                String::new(),
                String::new(),
                total(|r| r.practice_team_budget),
                total(|r| r.partner_budget),
                total(|r| r.partner_spent),
                total(|r| r.partner_remaining),
                total(|r| r.paid_by_practice_team),
            ]);
            table.render()
        }
    }
}

fn amounts(r: &BudgetRow) -> [Decimal; 5] {
    [r.practice_team_budget, r.partner_budget, r.partner_spent, r.partner_remaining, r.paid_by_practice_team]
}
