//! `export report --year`: the year in Excel for the finance officer. One sheet per region with
//! every network's practice-team money, partner budget, spent, remaining, paid by the practice
//! team and unspent, as real number cells formatted as euros, a frozen header row, and totals.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::Region;
use crate::store::{Store, StoreError};

use super::budget::BudgetRow;

const HEADERS: [&str; 8] = [
    "Netwerk",
    "Gemeente",
    "Praktijkteamgeld",
    "Partnerbudget",
    "Besteed",
    "Resterend",
    "Betaald door praktijkteam",
    "Niet besteed",
];

fn amounts(row: &BudgetRow) -> [Decimal; 6] {
    [
        row.practice_team_budget,
        row.partner_budget,
        row.partner_spent,
        row.partner_remaining,
        row.paid_by_practice_team,
        row.partner_remaining.max(Decimal::ZERO),
    ]
}

/// The workbook of `year` as bytes, and the number of networks in it (the runner writes the file).
pub fn bytes(store: &Store, year: i32) -> Result<(usize, Vec<u8>), StoreError> {
    bytes_in(store, year, &crate::domain::Scope::All)
}

/// [`bytes`] of the networks in `scope` only.
pub fn bytes_in(store: &Store, year: i32, scope: &crate::domain::Scope) -> Result<(usize, Vec<u8>), StoreError> {
    let rows = super::budget::rows_in(store, year, None, scope)?;
    let bytes = build(&rows, year).map_err(|e| StoreError::Refused(format!("kan het overzicht niet opmaken: {e}")))?;
    Ok((rows.len(), bytes))
}

fn build(rows: &[BudgetRow], year: i32) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap();
    let euro = Format::new().set_num_format("€ #,##0.00");
    let total_euro = Format::new().set_num_format("€ #,##0.00").set_bold();
    let bold = Format::new().set_bold();
    for region in Region::ALL {
        let sheet = workbook.add_worksheet();
        sheet.set_name(region.name())?;
        for (c, title) in HEADERS.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *title, &header)?;
        }
        sheet.set_column_width(0, 28)?;
        sheet.set_column_width(1, 16)?;
        for c in 2..HEADERS.len() as u16 {
            sheet.set_column_width(c, 16)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let region_rows: Vec<&BudgetRow> = rows.iter().filter(|r| r.region == region.name()).collect();
        let mut totals = [Decimal::ZERO; 6];
        for (r, row) in region_rows.iter().enumerate() {
            let line = r as u32 + 1;
            let name =
                if row.former_gez_owz { format!("{} (voormalig GEZ/OWZ)", row.network) } else { row.network.clone() };
            sheet.write_string(line, 0, &name)?;
            sheet.write_string(line, 1, &row.municipality)?;
            for (c, amount) in amounts(row).into_iter().enumerate() {
                totals[c] += amount;
                sheet.write_number_with_format(line, c as u16 + 2, amount.to_f64().unwrap_or_default(), &euro)?;
            }
        }
        let line = region_rows.len() as u32 + 1;
        sheet.write_string_with_format(line, 0, format!("Totaal {} {year}", region.name()), &bold)?;
        for (c, amount) in totals.into_iter().enumerate() {
            sheet.write_number_with_format(line, c as u16 + 2, amount.to_f64().unwrap_or_default(), &total_euro)?;
        }
    }
    workbook.save_to_buffer()
}
