//! Reading an office table (an hours form) from `.xlsx` or `.csv` into rows of text cells, so that
//! the caller can check them. Nothing here knows what the columns mean; values stay text.
//!
//! Row numbers are the ones a person sees in Excel: the header is row 1, a blank line or row still
//! counts, and a CSV field with a line break inside is one row. Every input, however broken, gives
//! a table or a [`TableError`]; nothing here panics.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

/// At most this many columns with a value; a form has a handful.
const MAX_COLUMNS: usize = 512;
/// At most this many cells (rows with a value times columns), so that a broken or hostile file
/// cannot exhaust the memory.
const MAX_CELLS: usize = 4_000_000;
/// At most this many bytes in a file read as a table (a form of 100 000 rows is about 5 MB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// At most this many bytes in one part of an `.xlsx` once decompressed, and in all parts together:
/// an 8 MB file can hold 8 GB of spaces.
const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;
const MAX_XLSX_BYTES: u64 = 256 * 1024 * 1024;

/// A table read from a file: the header row's names (trimmed, lower-cased) and the data rows.
///
/// Every row has as many cells as there are headers. A column with values but without a name
/// has the header `""`; trailing columns without a name and without values are left off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row: its row number in the file as a person sees it (1-based, counting the header row
/// as 1, so the first data row is 2), and its cells (same order as headers; missing cells are "").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// Why a file cannot be read as a table. Every message says what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The file itself cannot be read (missing, no access, a folder, ...).
    #[error("kan {path} niet lezen: {reason}")]
    Unreadable { path: String, reason: String },
    /// The file name ends in something else than `.xlsx` or `.csv`.
    #[error("{0}: kies een bestand dat eindigt op .xlsx of .csv")]
    UnknownExtension(String),
    /// No rows at all.
    #[error("het bestand is leeg")]
    Empty,
    /// The first row has no names in it.
    #[error("de eerste rij is leeg; zet de kolomnamen (de kopregel) in rij 1")]
    NoHeader,
    /// The bytes are not an `.xlsx` workbook, or a broken or protected one.
    #[error("het Excel-bestand kan niet worden gelezen: {0}")]
    Workbook(String),
    /// The workbook has no worksheet (only chart sheets, for example).
    #[error("het Excel-bestand heeft geen werkblad")]
    NoSheet,
    /// The first worksheet cannot be read.
    #[error("werkblad '{sheet}' kan niet worden gelezen: {reason}")]
    Sheet { sheet: String, reason: String },
    /// A line of a CSV file cannot be parsed; `line` is the line number in the file.
    #[error("regel {line} van het CSV-bestand kan niet worden gelezen: {reason}")]
    CsvLine { line: u64, reason: String },
    /// More columns or cells than a form can have.
    #[error("het bestand is te groot om in te lezen: {0}")]
    TooLarge(String),
}

#[derive(Clone, Copy)]
enum FormKind {
    Xlsx,
    Csv,
}

impl Table {
    /// The form's kind by the extension of its name: `.xlsx` or `.csv` (any case).
    fn kind(name: &str) -> Result<FormKind, TableError> {
        let extension = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_lowercase);
        match extension.as_deref() {
            Some("xlsx") => Ok(FormKind::Xlsx),
            Some("csv") => Ok(FormKind::Csv),
            _ => Err(TableError::UnknownExtension(name.to_string())),
        }
    }

    /// Refuses a name that is neither `.xlsx` nor `.csv` (before anything is read).
    pub fn check_name(name: &str) -> Result<(), TableError> {
        Table::kind(name).map(|_| ())
    }

    /// Reads the bytes of a form named `name` (a file name or path; its extension says `.xlsx`
    /// or `.csv`), read by whoever has the file (the app gets them through its file capability).
    pub fn from_named_bytes(name: &str, bytes: &[u8]) -> Result<Table, TableError> {
        match Table::kind(name)? {
            FormKind::Xlsx => Table::from_xlsx_bytes(bytes),
            FormKind::Csv => Table::from_csv_bytes(bytes),
        }
    }

    /// Reads CSV bytes: UTF-8 with or without BOM, or Windows-1252 when the bytes are not valid
    /// UTF-8 (decode with encoding_rs::WINDOWS_1252); the delimiter is `;` or `,` (or tab),
    /// detected from the header line (the most frequent of the three outside quotes).
    ///
    /// A file with a UTF-16 BOM (Excel's "Unicode" export) is read as UTF-16. A quoted field that
    /// is never closed is an error naming the line where it starts, rather than one cell holding
    /// the rest of the file.
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Table, TableError> {
        let text = decode(bytes);
        if text.chars().all(is_blank) {
            return Err(TableError::Empty);
        }
        let delimiter = detect_delimiter(text.as_bytes());
        if let Some(line) = scan(text.as_bytes(), delimiter, false).unclosed_quote_at {
            return Err(TableError::CsvLine {
                line,
                reason: "een veld begint met een aanhalingsteken (\") dat nergens wordt gesloten".into(),
            });
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        // Line breaks inside quoted fields so far: a person sees such a record as one row.
        let mut breaks_inside: u64 = 0;
        let mut previous: u64 = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    let line = error.position().map_or(previous.saturating_add(1), |p| p.line());
                    return Err(TableError::CsvLine { line, reason: error.to_string() });
                }
            }
            let line = record.position().map_or(previous.saturating_add(1), |p| start_line(text.as_bytes(), p));
            // Lines only count `\n`; the maximum keeps the numbers rising for files with bare `\r`.
            let number = line.saturating_sub(breaks_inside).max(previous.saturating_add(1));
            previous = number;
            breaks_inside = breaks_inside
                .saturating_add(record.iter().map(|f| f.bytes().filter(|&b| b == b'\n').count() as u64).sum());
            let cells: Vec<String> = record.iter().map(|field| unquote_formula(clean(field)).to_string()).collect();
            match header {
                None if number != 1 => return Err(TableError::NoHeader),
                None => header = Some(cells),
                Some(_) => {
                    if cells.iter().any(|c| !c.is_empty()) {
                        rows.push((usize::try_from(number).unwrap_or(usize::MAX), cells));
                    }
                }
            }
        }
        let header = header.ok_or(TableError::Empty)?;
        assemble(header, rows)
    }

    /// Reads xlsx bytes (first worksheet).
    ///
    /// Strings are kept as they are; numbers become a plain decimal with a dot (`1.5`, `4`);
    /// booleans `true`/`false`; dates and date-times `YYYY-MM-DD`; a time of day `HH:MM`; a
    /// duration (format `[h]:mm`) hours and minutes such as `1:30`; errors and empty cells `""`.
    /// The first visible worksheet is read (the first worksheet when all are hidden).
    pub fn from_xlsx_bytes(bytes: &[u8]) -> Result<Table, TableError> {
        check_decompressed_size(bytes)?;
        // calamine parses untrusted zip and XML; should it ever panic on a broken file, the user
        // gets an error instead of losing the programme.
        let cells = catch_unwind(AssertUnwindSafe(|| read_xlsx_cells(bytes))).unwrap_or_else(|_| {
            Err(TableError::Workbook("het bestand is beschadigd of heeft een onbekende opbouw".into()))
        })?;
        let Some(first) = cells.keys().next().copied() else {
            return Err(TableError::Empty);
        };
        if first != 0 {
            return Err(TableError::NoHeader);
        }
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for (row, values) in cells {
            let width = values.keys().next_back().map_or(0, |&c| c as usize + 1);
            let mut dense = vec![String::new(); width];
            for (column, value) in values {
                dense[column as usize] = value;
            }
            if row == 0 {
                header = dense;
            } else {
                rows.push((row as usize + 1, dense));
            }
        }
        assemble(header, rows)
    }

    /// The index of the first header among `names` (lower-case, e.g. &["uren", "hours"]).
    ///
    /// "First" is in column order: the leftmost column whose name is one of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers.iter().position(|header| !header.is_empty() && names.iter().any(|name| header == name))
    }
}

/// Builds the table from the header cells and the non-empty data rows (already trimmed), each with
/// its row number: the width covers every column that has a name or a value.
fn assemble(header: Vec<String>, rows: Vec<(usize, Vec<String>)>) -> Result<Table, TableError> {
    let used = |cells: &[String]| cells.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
    let header_width = used(&header);
    if header_width == 0 {
        return Err(TableError::NoHeader);
    }
    let width = rows.iter().map(|(_, cells)| used(cells)).fold(header_width, usize::max);
    if width > MAX_COLUMNS {
        return Err(TableError::TooLarge(format!("er staan waarden in meer dan {MAX_COLUMNS} kolommen")));
    }
    if width.saturating_mul(rows.len().saturating_add(1)) > MAX_CELLS {
        return Err(TableError::TooLarge(format!("meer dan {MAX_CELLS} cellen")));
    }
    let fit = |mut cells: Vec<String>| {
        cells.resize(width, String::new());
        cells
    };
    let headers = fit(header).into_iter().map(|h| h.to_lowercase()).collect();
    let rows = rows.into_iter().map(|(number, cells)| Row { number, cells: fit(cells) }).collect();
    Ok(Table { headers, rows })
}

/// Whitespace, including the no-break space, and a byte order mark that slipped into the text.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn clean(text: &str) -> &str {
    text.trim_matches(is_blank)
}

/// A cell sidw itself wrote with a `'` before a formula character (CSV-injection guard,
/// `report::formula_safe`) reads back as the text it stood for.
fn unquote_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// The bytes as text: UTF-8 (a BOM is dropped), UTF-16 with a BOM, otherwise Windows-1252.
fn decode(bytes: &[u8]) -> String {
    match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => {
            encoding.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default()).0.into_owned()
        }
        Some((_, bom)) => utf8_or_windows_1252(bytes.get(bom..).unwrap_or_default()),
        None => utf8_or_windows_1252(bytes),
    }
}

fn utf8_or_windows_1252(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// The line where a record really starts: the csv crate reports where it began looking, before
/// the blank lines it skips.
fn start_line(text: &[u8], position: &csv::Position) -> u64 {
    let skipped = usize::try_from(position.byte())
        .ok()
        .and_then(|byte| text.get(byte..))
        .map_or(0, |rest| rest.iter().take_while(|&&b| b == b'\r' || b == b'\n').filter(|&&b| b == b'\n').count());
    position.line().saturating_add(skipped as u64)
}

/// The most frequent of `;`, `,` and tab outside quotes on the header line; `;` on a tie or
/// when there is none (a single column), so that a decimal comma never splits a cell.
fn detect_delimiter(text: &[u8]) -> u8 {
    let mut best = (b';', 0);
    for delimiter in [b';', b',', b'\t'] {
        let count = scan(text, delimiter, true).delimiters;
        if count > best.1 {
            best = (delimiter, count);
        }
    }
    best.0
}

/// What [`scan`] found.
struct Scan {
    /// Delimiters outside quotes.
    delimiters: usize,
    /// The line where a quoted field starts that is never closed.
    unclosed_quote_at: Option<u64>,
}

/// Walks the text the way the csv crate parses it: a quote opens a quoted field only at the start
/// of a field, `""` inside one is a quote, and `\r`, `\n` end a line outside quotes.
fn scan(text: &[u8], delimiter: u8, header_line_only: bool) -> Scan {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted(u64),
        QuoteInQuoted(u64),
    }
    let mut state = State::FieldStart;
    let mut line: u64 = 1;
    let mut delimiters = 0;
    for &byte in text {
        state = match state {
            State::Quoted(start) => {
                if byte == b'"' {
                    State::QuoteInQuoted(start)
                } else {
                    if byte == b'\n' {
                        line = line.saturating_add(1);
                    }
                    State::Quoted(start)
                }
            }
            State::QuoteInQuoted(start) if byte == b'"' => State::Quoted(start),
            State::FieldStart if byte == b'"' => State::Quoted(line),
            State::FieldStart | State::Unquoted | State::QuoteInQuoted(_) => {
                if byte == delimiter {
                    delimiters += 1;
                    State::FieldStart
                } else if byte == b'\n' || byte == b'\r' {
                    if header_line_only {
                        break;
                    }
                    if byte == b'\n' {
                        line = line.saturating_add(1);
                    }
                    State::FieldStart
                } else {
                    State::Unquoted
                }
            }
        };
    }
    let unclosed_quote_at = match state {
        State::Quoted(start) => Some(start),
        _ => None,
    };
    Scan { delimiters, unclosed_quote_at }
}

/// The cells with a value of the first worksheet, by row and column (0-based), trimmed.
/// Decompresses every part of the archive into nothing, counting, and refuses the file as soon as
/// a part or the whole goes over its bound: what calamine would then allocate stays bounded, whatever
/// sizes the archive claims.
fn check_decompressed_size(bytes: &[u8]) -> Result<(), TableError> {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(_) => return Ok(()), // not a zip at all: calamine says what is wrong
    };
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(mut part) = archive.by_index(index) else { continue };
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        // Counted as it is read: a part that breaks off half-way (a bad checksum at its end)
        // counts what it gave, and the file is refused as damaged.
        let mut size: u64 = 0;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match std::io::Read::read(&mut part, &mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    size = size.saturating_add(n as u64);
                    if size > MAX_PART_BYTES || total.saturating_add(size) > MAX_XLSX_BYTES {
                        break;
                    }
                }
                Err(_) => {
                    return Err(TableError::Workbook(format!("onderdeel '{name}' is beschadigd")));
                }
            }
        }
        total = total.saturating_add(size);
        if size > MAX_PART_BYTES || total > MAX_XLSX_BYTES {
            return Err(TableError::TooLarge(format!(
                "'{name}' pakt uit tot meer dan {} MB; een urenformulier is veel kleiner (beschadigd of opzettelijk opgeblazen?)",
                MAX_PART_BYTES.min(MAX_XLSX_BYTES) / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

fn read_xlsx_cells(bytes: &[u8]) -> Result<BTreeMap<u32, BTreeMap<u32, String>>, TableError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|error| TableError::Workbook(workbook_reason(&error)))?;
    let worksheets: Vec<_> = workbook.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).collect();
    let sheet = worksheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets.first())
        .map(|s| s.name.clone())
        .ok_or(TableError::NoSheet)?;
    let sheet_error = |error: XlsxError| TableError::Sheet { sheet: sheet.clone(), reason: workbook_reason(&error) };
    let mut reader = workbook.worksheet_cells_reader(&sheet).map_err(sheet_error)?;
    let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut count: usize = 0;
    while let Some(cell) = reader.next_cell().map_err(sheet_error)? {
        let text = cell_text(cell.get_value());
        let value = clean(&text);
        if value.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        if column as usize >= MAX_COLUMNS {
            return Err(TableError::TooLarge(format!("er staan waarden in meer dan {MAX_COLUMNS} kolommen")));
        }
        count += 1;
        if count > MAX_CELLS {
            return Err(TableError::TooLarge(format!("meer dan {MAX_CELLS} cellen")));
        }
        cells.entry(row).or_default().insert(column, value.to_string());
    }
    Ok(cells)
}

/// One xlsx cell as text; see [`Table::from_xlsx_bytes`].
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_string(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => format_number(*number),
        DataRef::Bool(value) => value.to_string(),
        DataRef::DateTime(datetime) if datetime.is_duration() => format_duration(datetime.as_f64()),
        DataRef::DateTime(datetime) => {
            let serial = datetime.as_f64();
            if (0.0..1.0).contains(&serial) {
                // Only a time of day: Excel stores it on day 0, which is no date for a person.
                let (_, _, _, hour, minute, second, _) = datetime.to_ymd_hms_milli();
                if second == 0 {
                    format!("{hour:02}:{minute:02}")
                } else {
                    format!("{hour:02}:{minute:02}:{second:02}")
                }
            } else {
                let (year, month, day, ..) = datetime.to_ymd_hms_milli();
                format!("{year:04}-{month:02}-{day:02}")
            }
        }
        DataRef::DateTimeIso(text) => iso_date(text).unwrap_or(text).to_string(),
        DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// A number as a plain decimal with a dot, the shortest text that reads back as the same number:
/// 1.5 → `1.5`, 4.0 → `4`, 84.95 → `84.95` (never an exponent).
fn format_number(number: f64) -> String {
    if number == 0.0 {
        return "0".into(); // also -0.0
    }
    let text = number.to_string();
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// A duration (an Excel serial in days) as hours and minutes, `1:30`, with seconds when there are.
fn format_duration(days: f64) -> String {
    let seconds = (days * 86_400.0).round();
    if !seconds.is_finite() || seconds.abs() >= 1e15 {
        return format_number(days);
    }
    let sign = if seconds < 0.0 { "-" } else { "" };
    #[allow(clippy::cast_sign_loss, reason = "abs() of a finite number below 1e15: fits a u64 exactly")]
    let seconds = seconds.abs() as u64;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if seconds == 0 {
        format!("{sign}{hours}:{minutes:02}")
    } else {
        format!("{sign}{hours}:{minutes:02}:{seconds:02}")
    }
}

/// The `YYYY-MM-DD` at the start of an ISO 8601 date or date-time.
fn iso_date(text: &str) -> Option<&str> {
    let date = text.get(..10)?;
    let bytes = date.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit));
    let shape = digits(0..4) && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10);
    let rest_ok = text.get(10..).is_some_and(|rest| rest.is_empty() || rest.starts_with(['T', ' ']));
    (shape && rest_ok).then_some(date)
}

fn workbook_reason(error: &XlsxError) -> String {
    match error {
        XlsxError::Password => "het is met een wachtwoord beveiligd; sla het op zonder wachtwoord".into(),
        XlsxError::Zip(_) | XlsxError::Io(_) => {
            "dit is geen .xlsx-bestand; sla het in Excel op als 'Excel-werkmap (*.xlsx)' of als CSV".into()
        }
        other => format!("het bestand is beschadigd of wordt niet ondersteund ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Table {
        Table::from_csv_bytes(text.as_bytes()).expect("readable CSV")
    }

    fn cells(table: &Table) -> Vec<(usize, Vec<&str>)> {
        table.rows.iter().map(|r| (r.number, r.cells.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn dutch_excel_csv_with_semicolons_decimal_comma_and_windows_1252() {
        let mut bytes = b"Netwerk;Partner;AGB;Maand;Uren;Activiteit\r\n".to_vec();
        bytes.extend(b"Wijk Noord;Di\xebtistenpraktijk De Linde;12345678;2025-01;1,5;overleg\r\n");
        bytes.extend(b"Wijk Noord;Fysio Oost;;2025-02;4;\r\n");
        let table = Table::from_csv_bytes(&bytes).expect("readable");
        assert_eq!(table.headers, ["netwerk", "partner", "agb", "maand", "uren", "activiteit"]);
        assert_eq!(
            cells(&table),
            [
                (2, vec!["Wijk Noord", "Diëtistenpraktijk De Linde", "12345678", "2025-01", "1,5", "overleg"]),
                (3, vec!["Wijk Noord", "Fysio Oost", "", "2025-02", "4", ""]),
            ]
        );
    }

    #[test]
    fn utf8_with_bom_keeps_the_bom_out_of_the_first_header() {
        let table = Table::from_csv_bytes("\u{feff}Uren;Maand\n2,25;2025-03\n".as_bytes()).expect("readable");
        assert_eq!(table.headers, ["uren", "maand"]);
        assert_eq!(table.column(&["uren"]), Some(0));
        assert_eq!(cells(&table), [(2, vec!["2,25", "2025-03"])]);
    }

    #[test]
    fn utf8_without_bom_is_not_mistaken_for_windows_1252() {
        let table = csv("partner\nDiëtist Ëlla\n");
        assert_eq!(cells(&table), [(2, vec!["Diëtist Ëlla"])]);
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "uren\tmaand\r\n1,5\t2025-01\r\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let table = Table::from_csv_bytes(&bytes).expect("readable");
        assert_eq!(table.headers, ["uren", "maand"]);
        assert_eq!(cells(&table), [(2, vec!["1,5", "2025-01"])]);
    }

    #[test]
    fn comma_csv_with_quoted_fields_containing_commas_and_quotes() {
        let table = csv("name,hours,note\n\"Jansen, P.\",1.5,\"zei \"\"ja\"\", toen\"\nBakker,2,\n");
        assert_eq!(table.headers, ["name", "hours", "note"]);
        assert_eq!(cells(&table), [(2, vec!["Jansen, P.", "1.5", "zei \"ja\", toen"]), (3, vec!["Bakker", "2", ""])]);
    }

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes_on_the_header_line() {
        // Two commas inside quotes, two semicolons outside.
        let table = csv("\"a,b,c\";uren;maand\nx;1,5;2025-01\n");
        assert_eq!(table.headers, ["a,b,c", "uren", "maand"]);
        assert_eq!(cells(&table), [(2, vec!["x", "1,5", "2025-01"])]);
        let tabs = csv("uren\tmaand\n1,5\t2025-01\n");
        assert_eq!(cells(&tabs), [(2, vec!["1,5", "2025-01"])]);
        // One column: a decimal comma must not split the value.
        let single = csv("uren\n1,5\n");
        assert_eq!(cells(&single), [(2, vec!["1,5"])]);
    }

    #[test]
    fn empty_rows_are_skipped_but_counted() {
        let table = csv("uren;maand\n1;2025-01\n;\n\n  ;  \n2;2025-02\n\"3\n4\";2025-03\n5;2025-04\n");
        assert_eq!(
            cells(&table),
            [
                (2, vec!["1", "2025-01"]),
                (6, vec!["2", "2025-02"]),
                (7, vec!["3\n4", "2025-03"]),
                (8, vec!["5", "2025-04"])
            ]
        );
        let crlf = csv("uren;maand\r\n1;2025-01\r\n\r\n2;2025-02\r\n");
        assert_eq!(cells(&crlf), [(2, vec!["1", "2025-01"]), (4, vec!["2", "2025-02"])]);
    }

    #[test]
    fn cells_are_trimmed_padded_and_extra_values_kept() {
        let table = csv(" Uren ; Maand ;;\n 1 \n2;2025-02;;x\n");
        assert_eq!(table.headers, ["uren", "maand", "", ""]);
        assert_eq!(cells(&table), [(2, vec!["1", "", "", ""]), (3, vec!["2", "2025-02", "", "x"])]);
        let trailing = csv("uren;maand;;\n1;2;;\n");
        assert_eq!(trailing.headers, ["uren", "maand"]);
        assert_eq!(cells(&trailing), [(2, vec!["1", "2"])]);
    }

    #[test]
    fn column_finds_the_first_matching_header() {
        let table = csv("Netwerk;Hours;Uren;Maand\n");
        assert!(table.rows.is_empty());
        assert_eq!(table.column(&["uren", "hours"]), Some(1));
        assert_eq!(table.column(&["maand", "month"]), Some(3));
        assert_eq!(table.column(&["agb"]), None);
        assert_eq!(table.column(&[]), None);
    }

    #[test]
    fn broken_csv_gives_dutch_errors() {
        assert_eq!(Table::from_csv_bytes(b""), Err(TableError::Empty));
        assert_eq!(Table::from_csv_bytes(b"\xEF\xBB\xBF \r\n"), Err(TableError::Empty));
        assert_eq!(Table::from_csv_bytes(b";;;\n1;2;3\n"), Err(TableError::NoHeader));
        assert_eq!(Table::from_csv_bytes(b"\nuren\n1\n"), Err(TableError::NoHeader));
        let unclosed = Table::from_csv_bytes(b"uren;maand\n1;2025-01\n\"2;2025-02\n3;2025-03\n");
        assert!(matches!(unclosed, Err(TableError::CsvLine { line: 3, .. })), "{unclosed:?}");
        let message = unclosed.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.starts_with("regel 3 van het CSV-bestand"), "{message}");
    }

    #[test]
    fn quote_inside_an_unquoted_field_is_just_a_character() {
        let table = csv("maat;uren\n5\" scherm;1\n");
        assert_eq!(cells(&table), [(2, vec!["5\" scherm", "1"])]);
    }

    #[test]
    fn numbers_are_formatted_without_loss() {
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(4.0), "4");
        assert_eq!(format_number(84.95), "84.95");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(-2.25), "-2.25");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(1e-7), "0.0000001");
        assert_eq!(format_duration(1.5 / 24.0), "1:30");
        assert_eq!(format_duration(26.0 / 24.0), "26:00");
        assert_eq!(format_duration(f64::NAN), "NaN");
        assert_eq!(iso_date("2025-03-01T08:00:00"), Some("2025-03-01"));
        assert_eq!(iso_date("2025-03-01"), Some("2025-03-01"));
        assert_eq!(iso_date("08:00:00"), None);
        assert_eq!(iso_date("2025-03-01x"), None);
    }

    #[test]
    fn xlsx_written_by_rust_xlsxwriter_reads_back() -> Result<(), Box<dyn std::error::Error>> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("Ureninzet")?;
        for (c, title) in
            [" Netwerk", "Partner", "Uren", "Datum", "Tijd", "Duur", "Akkoord", "Tarief"].iter().enumerate()
        {
            sheet.write_string(0, c as u16, *title)?;
        }
        let date = Format::new().set_num_format("dd-mm-yyyy");
        let time = Format::new().set_num_format("hh:mm");
        let duration = Format::new().set_num_format("[h]:mm");
        sheet.write_string(1, 0, "Wijk Noord")?;
        sheet.write_string(1, 1, "  Diëtistenpraktijk De Linde ")?;
        sheet.write_number(1, 2, 1.5)?;
        sheet.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2025, 3, 14)?, &date)?;
        sheet.write_datetime_with_format(1, 4, ExcelDateTime::from_hms(8, 30, 0)?, &time)?;
        sheet.write_number_with_format(1, 5, 1.5 / 24.0, &duration)?;
        sheet.write_boolean(1, 6, true)?;
        sheet.write_number(1, 7, 84.95)?;
        // Row 3 stays empty; row 4 has only some cells.
        sheet.write_string(3, 0, "Wijk Zuid")?;
        sheet.write_number(3, 2, 4)?;
        sheet.write_datetime_with_format(3, 3, ExcelDateTime::parse_from_str("2024-12-31 17:45:00")?, &date)?;
        let table = Table::from_named_bytes("uren.xlsx", &workbook.save_to_buffer()?)?;
        assert_eq!(table.headers, ["netwerk", "partner", "uren", "datum", "tijd", "duur", "akkoord", "tarief"]);
        assert_eq!(
            cells(&table),
            [
                (
                    2,
                    vec![
                        "Wijk Noord",
                        "Diëtistenpraktijk De Linde",
                        "1.5",
                        "2025-03-14",
                        "08:30",
                        "1:30",
                        "true",
                        "84.95"
                    ]
                ),
                (4, vec!["Wijk Zuid", "", "4", "2024-12-31", "", "", "", ""]),
            ]
        );
        assert_eq!(table.column(&["uren", "hours"]), Some(2));
        Ok(())
    }

    #[test]
    fn xlsx_first_visible_worksheet_and_header_in_row_one() -> Result<(), Box<dyn std::error::Error>> {
        use rust_xlsxwriter::Workbook;
        let mut workbook = Workbook::new();
        let hidden = workbook.add_worksheet();
        hidden.write_string(0, 0, "verborgen")?;
        hidden.set_hidden(true);
        let visible = workbook.add_worksheet();
        visible.write_string(0, 0, "uren")?;
        visible.write_number(1, 0, 2.75)?;
        visible.set_active(true);
        let table = Table::from_xlsx_bytes(&workbook.save_to_buffer()?)?;
        assert_eq!(table.headers, ["uren"]);
        assert_eq!(cells(&table), [(2, vec!["2.75"])]);

        let mut late_header = Workbook::new();
        late_header.add_worksheet().write_string(2, 0, "uren")?;
        assert_eq!(Table::from_xlsx_bytes(&late_header.save_to_buffer()?), Err(TableError::NoHeader));
        let mut empty = Workbook::new();
        empty.add_worksheet();
        assert_eq!(Table::from_xlsx_bytes(&empty.save_to_buffer()?), Err(TableError::Empty));
        Ok(())
    }

    #[test]
    fn not_an_xlsx_gives_a_dutch_error() {
        let error = Table::from_xlsx_bytes(b"uren;maand\n1;2\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("het Excel-bestand kan niet worden gelezen: dit is geen .xlsx-bestand"), "{error}");
    }
}
