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
