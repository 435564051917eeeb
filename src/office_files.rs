//! The office files on disk: the hours form read from `.xlsx` or `.csv`, the hours form to send and the
//! Excel overviews written. The app crate builds and parses their bytes (`import::table`,
//! `import::template`, `report::workbook`, `report::year_workbook`); only the runner touches the files.

use std::path::Path;

use crate::domain::{NetworkId, Quarter, Region};
use crate::import::table::{self, Table, TableError};
use crate::report::year::YearRow;
use crate::store::{Store, StoreError};

/// The bytes of a form file, refused when it is larger than a form can be.
pub fn read_table_bytes(path: &Path) -> Result<Vec<u8>, TableError> {
    read_bytes(path, std::fs::File::open(path))
}

/// [`read_table_bytes`] of a plain file that is never reached through a link (a served user's
/// import folder): opened with `O_NOFOLLOW`, and the opened file itself must be a plain file, so a
/// link swapped in after a check is refused too.
pub fn read_plain_file_bytes(path: &Path) -> Result<Vec<u8>, TableError> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path);
    read_bytes(path, opened)
}

fn read_bytes(path: &Path, opened: std::io::Result<std::fs::File>) -> Result<Vec<u8>, TableError> {
    use std::io::Read;
    let unreadable =
        |error: std::io::Error| TableError::Unreadable { path: path.display().to_string(), reason: io_reason(&error) };
    let file = opened.map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(unreadable(std::io::Error::other("geen gewoon bestand")));
    }
    let size = meta.len();
    if size > table::MAX_FILE_BYTES {
        return Err(TableError::TooLarge(format!(
            "{} MB; een urenformulier is hooguit {} MB",
            size / (1024 * 1024),
            table::MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let mut bytes = Vec::new();
    // Bounded even if the file grows while it is read.
    file.take(table::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > table::MAX_FILE_BYTES {
        return Err(TableError::TooLarge(format!("hooguit {} MB", table::MAX_FILE_BYTES / (1024 * 1024))));
    }
    Ok(bytes)
}

/// Reads a form file, `.xlsx` (first worksheet, with calamine) or `.csv` by the file's extension.
pub fn read_table(path: &Path) -> Result<Table, TableError> {
    Table::check_name(&path.display().to_string())?;
    Table::from_named_bytes(&path.display().to_string(), &read_table_bytes(path)?)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "het bestand bestaat niet".into(),
        std::io::ErrorKind::PermissionDenied => {
            "geen toegang (is het bestand nog open in Excel, of mag u het niet lezen?)".into()
        }
        std::io::ErrorKind::IsADirectory => "dit is een map, geen bestand".into(),
        _ => error.to_string(),
    }
}

/// Writes `bytes` to `path` (the callers write to the temporary file of `out_file`, which moves it into place).
fn write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    std::fs::write(path, bytes).map_err(|e| StoreError::Refused(format!("kan {} niet schrijven: {e}", path.display())))
}

/// Writes the hours form of a network's quarter; `.xlsx` or `.csv` by the file's extension. The number of rows.
pub fn write_template(store: &Store, network: NetworkId, quarter: Quarter, path: &Path) -> Result<usize, StoreError> {
    let (rows, bytes) = crate::import::template::bytes(store, network, quarter, path)?;
    write(path, &bytes)?;
    Ok(rows)
}

/// Writes the budget workbook of `year` (`report::workbook`) of the networks in `scope`; the
/// number of networks in it.
pub fn write_budget_workbook(
    store: &Store,
    year: i32,
    scope: &crate::domain::Scope,
    path: &Path,
) -> Result<usize, StoreError> {
    let (networks, bytes) = crate::report::workbook::bytes_in(store, year, scope)?;
    write(path, &bytes)?;
    Ok(networks)
}

/// Writes the year report's workbook (`report::year_workbook`).
pub fn write_year_workbook(rows: &[YearRow], year: i32, region: Option<Region>, path: &Path) -> Result<(), StoreError> {
    write(path, &crate::report::year_workbook::xlsx_bytes(rows, year, region)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_extension_and_missing_file() {
        assert!(matches!(read_table(Path::new("uren.xls")), Err(TableError::UnknownExtension(_))));
        assert!(matches!(read_table(Path::new("uren")), Err(TableError::UnknownExtension(_))));
        let missing = read_table(Path::new("/bestaat/niet/uren.CSV"));
        assert!(matches!(&missing, Err(TableError::Unreadable { reason, .. }) if reason == "het bestand bestaat niet"));
    }
}
