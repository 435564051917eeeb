//! The hours form to send to a coordinator: one row per partner with a signed agreement and
//! month of the quarter, hours empty. As `.xlsx` (rust_xlsxwriter) or Dutch-Excel `.csv`, as bytes: the runner
//! writes the file.

use std::path::Path;

use crate::domain::{AgreementKind, NetworkId, Quarter};
use crate::store::{Store, StoreError};

/// The columns of the form, as the import reads them.
pub const COLUMNS: [&str; 6] = ["netwerk", "partner", "agb", "maand", "uren", "activiteit"];

/// The rows of the form: (network, partner, AGB code, month).
pub fn rows(store: &Store, network: NetworkId, quarter: Quarter) -> Result<Vec<[String; 4]>, StoreError> {
    let n = store.network(network)?;
    let agreements = store.agreements(network)?;
    let mut partners = store.partners(network)?;
    partners.sort_by_key(|p| p.name.to_lowercase());
    let mut rows = Vec::new();
    for partner in partners {
        let signed = agreements.iter().any(|a| {
            a.kind == AgreementKind::Partner
                && a.partner == Some(partner.id)
                && a.signed.is_some_and(|s| s <= quarter.last_day())
                && a.ended.is_none_or(|e| e >= quarter.first_day())
        });
        if !signed {
            continue;
        }
        for month in quarter.months() {
            rows.push([n.name.clone(), partner.name.clone(), partner.agb.to_string(), month.to_string()]);
        }
    }
    Ok(rows)
}

/// The form's bytes, `.xlsx` or `.csv` by the extension of `path`, and the number of rows in it.
pub fn bytes(store: &Store, network: NetworkId, quarter: Quarter, path: &Path) -> Result<(usize, Vec<u8>), StoreError> {
    let rows = rows(store, network, quarter)?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    let result = match extension.as_deref() {
        Some("xlsx") => write_xlsx(&rows).map_err(|e| e.to_string()),
        Some("csv") => Ok(write_csv(&rows)),
        _ => {
            return Err(StoreError::Refused(format!(
                "{}: kies een bestand dat eindigt op .xlsx of .csv",
                path.display()
            )));
        }
    };
    let bytes = result.map_err(|e| StoreError::Refused(format!("kan {} niet opmaken: {e}", path.display())))?;
    Ok((rows.len(), bytes))
}

fn write_xlsx(rows: &[[String; 4]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Ureninzet")?;
    let bold = Format::new().set_bold();
    for (c, title) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, value)?;
        }
    }
    for (c, width) in [24.0, 34.0, 10.0, 10.0, 8.0, 30.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

fn write_csv(rows: &[[String; 4]]) -> Vec<u8> {
    let text =
        crate::report::excel_csv(&COLUMNS, rows.iter().map(|row| [row[0].as_str(), &row[1], &row[2], &row[3], "", ""]));
    text.into()
}
