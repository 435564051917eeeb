//! Reading a table never panics, whatever the bytes: every input gives a table or an error.

use proptest::prelude::*;
use sidw::import::table::{Table, TableError};

/// Reads the bytes both ways; a table that comes back keeps its promises.
fn read_both(bytes: &[u8]) {
    for result in [Table::from_csv_bytes(bytes), Table::from_xlsx_bytes(bytes)] {
        check(result);
    }
}

fn check(result: Result<Table, TableError>) {
    match result {
        Ok(table) => {
            assert!(table.headers.iter().any(|h| !h.is_empty()), "a table has a header: {table:?}");
            assert!(table.headers.iter().all(|h| !h.starts_with('\u{feff}')));
            let mut previous = 1;
            for row in &table.rows {
                assert_eq!(row.cells.len(), table.headers.len());
                assert!(row.number > previous, "row numbers rise from 2: {table:?}");
                assert!(row.cells.iter().any(|c| !c.is_empty()), "no empty rows: {table:?}");
                previous = row.number;
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// Bytes that mean something to a CSV reader or a decoder; the fuzzer picks them about half the time.
const CSV_BYTES: &[u8] = b";,\t\"\n\r \xEB\xEF\xBB\xBF\xFF";

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_both(&bytes);
    }

    #[test]
    fn csv_like_bytes_never_panic(
        bytes in proptest::collection::vec((0..24usize, any::<u8>()).prop_map(|(k, b)| CSV_BYTES.get(k).copied().unwrap_or(b)), 0..2048)
    ) {
        read_both(&bytes);
    }

    #[test]
    fn zip_like_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        read_both(&bytes);
    }
}

/// A small valid workbook, to be damaged by the fuzzer.
fn workbook_bytes() -> Vec<u8> {
    fn build() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("dd-mm-yyyy");
        for (c, title) in ["netwerk", "partner", "uren", "datum"].iter().enumerate() {
            sheet.write_string(0, c as u16, *title)?;
        }
        sheet.write_string(1, 0, "Wijk Noord")?;
        sheet.write_string(1, 1, "Diëtistenpraktijk")?;
        sheet.write_number(1, 2, 1.5)?;
        sheet.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2025, 3, 14)?, &date)?;
        sheet.write_boolean(2, 0, true)?;
        sheet.write_formula(2, 2, "=C2*2")?;
        workbook.save_to_buffer()
    }
    build().expect("a workbook in memory")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn damaged_workbooks_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = workbook_bytes();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        read_both(&bytes);
    }
}

#[test]
fn the_undamaged_workbook_reads() {
    let table = Table::from_xlsx_bytes(&workbook_bytes()).expect("readable");
    assert_eq!(table.headers, ["netwerk", "partner", "uren", "datum"]);
    assert_eq!(table.rows[0].cells, ["Wijk Noord", "Diëtistenpraktijk", "1.5", "2025-03-14"]);
    assert_eq!(table.rows[1].number, 3);
    assert_eq!(table.rows[1].cells[0], "true");
}

#[test]
fn nasty_inputs_never_panic() {
    let mut cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\"".to_vec(),
        b"uren;maand\n\"".to_vec(),
        b"\"\"\"".to_vec(),
        b"\xff\xfe".to_vec(),
        b"\xfe\xff\x00".to_vec(),
        b"\xef\xbb\xbf".to_vec(),
        b"\xef\xbb\xbf\xef\xbb\xbfuren\n1\n".to_vec(),
        b"\xc3\x28;\x80\xff\n\xe2\x82".to_vec(),
        vec![0; 1],
        vec![0; 100],
        b"\r\r\r\n\n;;;\n".to_vec(),
        b"PK\x03\x04".to_vec(),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00junkjunkjunk".to_vec(),
        b"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec(),
        [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".as_slice(), &[0xff; 600]].concat(),
    ];
    cases.push(";".repeat(100_000).into_bytes());
    cases.push(format!("a{}\n", ";".repeat(5000)).repeat(3).into_bytes());
    for bytes in &cases {
        read_both(bytes);
    }
    assert_eq!(Table::from_csv_bytes(b"\""), Err(TableError::CsvLine { line: 1, reason: unclosed_reason() }));
    assert!(matches!(Table::from_xlsx_bytes(b"PK\x03\x04junk"), Err(TableError::Workbook(_))));
    assert_eq!(Table::from_csv_bytes(&[]), Err(TableError::Empty));
}

fn unclosed_reason() -> String {
    "een veld begint met een aanhalingsteken (\") dat nergens wordt gesloten".into()
}

#[test]
fn too_many_columns_is_an_error_not_a_memory_blowup() {
    let mut text = String::from("uren\n");
    text.push_str(&";".repeat(10_000));
    text.push_str("x\n");
    let result = Table::from_csv_bytes(text.as_bytes());
    assert!(matches!(result, Err(TableError::TooLarge(_))), "{result:?}");
}
