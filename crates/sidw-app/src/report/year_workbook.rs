//! The year report as an xlsx workbook for the insurer: one sheet per region and a "Totaal"
//! sheet, real number cells with a euro format, bold totals.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::domain::Region;
use crate::store::StoreError;

use super::year::{YearFigures, YearRow, grand_total, quarters_text, region_totals};

const XLSX_HEADERS: [&str; 14] = [
    "Netwerk",
    "Gemeente",
    "Open kwartalen (gepland)",
    "Praktijkteam ontvangen",
    "Praktijkteam gepland",
    "Partners betaald",
    "Partners gepland",
    "Partnerbudget",
    "Besteed",
    "Betaald door praktijkteam",
    "Niet besteed",
    "Mijlpalen gehaald",
    "Mijlpalen gemist",
    "Gemiste mijlpalen",
];

/// The workbook as bytes (the runner writes the file; the screen through the app's files): a sheet per
/// region (the one asked for, or all three) and a sheet "Totaal" with a row per region and the total;
/// amounts are number cells formatted as euros.
pub fn xlsx_bytes(rows: &[YearRow], year: i32, region: Option<Region>) -> Result<Vec<u8>, StoreError> {
    let regions: Vec<Region> = match region {
        Some(region) => vec![region],
        None => Region::ALL.to_vec(),
    };
    build_xlsx(rows, year, &regions)
        .and_then(|mut workbook| workbook.save_to_buffer())
        .map_err(|e| StoreError::Refused(format!("kan het jaarverslag niet opmaken: {e}")))
}

fn build_xlsx(
    rows: &[YearRow],
    year: i32,
    regions: &[Region],
) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};

    let header = CellFormat::new().set_bold().set_text_wrap();
    let euro = CellFormat::new().set_num_format("€ #,##0.00");
    let total_euro = CellFormat::new().set_num_format("€ #,##0.00").set_bold();
    let bold = CellFormat::new().set_bold();
    let plain = CellFormat::new();
    let number = |amount: Decimal| amount.to_f64().unwrap_or_default();
    let write_figures = |sheet: &mut Worksheet, line: u32, f: &YearFigures, total: bool| -> Result<(), XlsxError> {
        let (money, count) = if total { (&total_euro, &bold) } else { (&euro, &plain) };
        for (c, amount) in f.amounts().into_iter().enumerate() {
            sheet.write_number_with_format(line, c as u16 + 3, number(amount), money)?;
        }
        sheet.write_number_with_format(line, 11, f.milestones_met as f64, count)?;
        sheet.write_number_with_format(line, 12, f.milestones_missed as f64, count)?;
        Ok(())
    };
    let headed = |workbook: &mut Workbook, name: &str, first: &str| -> Result<(), XlsxError> {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        for (c, title) in XLSX_HEADERS.iter().enumerate() {
            let title = if c == 0 { first } else { title };
            sheet.write_string_with_format(0, c as u16, title, &header)?;
        }
        sheet.set_column_width(0, 28)?;
        for c in 1..XLSX_HEADERS.len() as u16 {
            sheet.set_column_width(c, 16)?;
        }
        sheet.set_column_width(13, 48)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    };

    let mut workbook = Workbook::new();
    let totals = region_totals(rows);
    for region in regions {
        headed(&mut workbook, region.name(), "Netwerk")?;
        let sheet = workbook.worksheet_from_name(region.name())?;
        let region_rows: Vec<&YearRow> = rows.iter().filter(|r| r.region == *region).collect();
        for (i, row) in region_rows.iter().enumerate() {
            let line = i as u32 + 1;
            let name =
                if row.former_gez_owz { format!("{} (voormalig GEZ/OWZ)", row.network) } else { row.network.clone() };
            sheet.write_string(line, 0, &name)?;
            sheet.write_string(line, 1, &row.municipality)?;
            sheet.write_string(line, 2, quarters_text(&row.open_quarters))?;
            write_figures(sheet, line, &row.figures, false)?;
            sheet.write_string(line, 13, row.missed.join(", "))?;
        }
        let line = region_rows.len() as u32 + 1;
        sheet.write_string_with_format(line, 0, format!("Totaal {} {year}", region.name()), &bold)?;
        let total = totals.iter().find(|(r, _)| r == region).map(|(_, f)| f.clone()).unwrap_or_default();
        write_figures(sheet, line, &total, true)?;
    }
    headed(&mut workbook, "Totaal", "Regio")?;
    let sheet = workbook.worksheet_from_name("Totaal")?;
    for (i, region) in regions.iter().enumerate() {
        let line = i as u32 + 1;
        sheet.write_string(line, 0, region.name())?;
        let total = totals.iter().find(|(r, _)| r == region).map(|(_, f)| f.clone()).unwrap_or_default();
        write_figures(sheet, line, &total, false)?;
    }
    let line = regions.len() as u32 + 1;
    sheet.write_string_with_format(line, 0, format!("Totaal {year}"), &bold)?;
    write_figures(sheet, line, &grand_total(rows), true)?;
    Ok(workbook)
}
