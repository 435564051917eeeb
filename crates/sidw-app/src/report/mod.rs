//! Reports over the store: the rows, and how they are written as a table, CSV or JSON.

pub mod budget;
pub mod export;
pub mod log;
pub mod payments;
pub mod signals;
pub mod statement;
pub mod statement_files;
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
/// right). Amounts are written by the caller with a decimal comma. Every text cell goes through
/// [`formula_safe`], so a name can never become a formula in Excel.
pub fn excel_csv<R, C>(header: &[&str], records: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for record in records {
        let cells: Vec<String> = record.into_iter().map(|c| formula_safe(c.as_ref()).into_owned()).collect();
        writer.write_record(&cells).expect("writing to memory");
    }
    let body = String::from_utf8(writer.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 text");
    format!("\u{feff}{body}")
}

/// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return) gets a `'` in front, as OWASP advises against CSV injection; numbers
/// (`-48,31`, `+1.5`) stay as they are.
///
/// ```
/// use sidw_app::report::formula_safe;
/// assert_eq!(formula_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(formula_safe("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
/// assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(formula_safe("-48,31"), "-48,31");
/// assert_eq!(formula_safe("Fysio De Wijk"), "Fysio De Wijk");
/// ```
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A plain number as sidw writes them: an optional sign, digits, and one decimal comma or point.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, [',', '.']);
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}
