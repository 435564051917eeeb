//! Reports over the store: the rows, and how they are written as a table, CSV or JSON.

pub mod budget;
pub mod export;
pub mod payments;
pub mod signals;
mod table;
pub mod workbook;
pub mod year;
pub mod year_workbook;

pub use table::Table;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, Dutch amounts (`€ 8.050,00`).
    Table,
    /// `;`-separated with decimal commas, as Dutch Excel opens it.
    Csv,
    /// An array of objects; amounts as strings with a dot and two decimals (`"8050.00"`).
    Json,
}

/// CSV as Dutch Excel opens it: `;`-separated, UTF-8 with a byte-order mark (so "Diëtist" reads
/// right). Amounts are written by the caller with a decimal comma.
pub fn excel_csv<R, C>(header: &[&str], records: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for record in records {
        writer.write_record(record).expect("writing to memory");
    }
    let body = String::from_utf8(writer.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 text");
    format!("\u{feff}{body}")
}
