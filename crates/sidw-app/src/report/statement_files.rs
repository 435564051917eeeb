//! The statement as files: an Excel workbook (rust_xlsxwriter, amounts as euro number cells, as the
//! year workbook) and a PDF (printpdf, A4, the text statement set in the embedded DejaVu Sans Mono so
//! its columns stay aligned). Bytes only: the runner writes them, the screen through `app::Files`.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::store::StoreError;

use super::statement::{Block, Cell, Statement, layout, render_text};

/// DejaVu Sans Mono (Bitstream Vera licence, `fonts/DejaVu-LICENSE.txt`): every glyph is as wide,
/// so the text statement's aligned columns stay aligned in the PDF, € and ë included.
const FONT: &[u8] = include_bytes!("../../fonts/DejaVuSansMono.ttf");
/// The advance of every glyph of the font, as a share of the font size (1233 / 2048 units).
const ADVANCE: f32 = 1233.0 / 2048.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;
const MARGIN_MM: f32 = 15.0;
/// The largest and the smallest font size (points) the PDF is set in.
const LARGEST: f32 = 10.0;
const SMALLEST: f32 = 6.0;
const LINE_HEIGHT: f32 = 1.3;

/// The workbook: one sheet "Overzicht" with the statement's parts one under the other; amounts are
/// number cells formatted as euros, hours numbers, titles and totals bold.
pub fn xlsx_bytes(statement: &Statement) -> Result<Vec<u8>, StoreError> {
    build_xlsx(statement)
        .and_then(|mut workbook| workbook.save_to_buffer())
        .map_err(|e| StoreError::Refused(format!("kan het overzicht niet opmaken: {e}")))
}

fn build_xlsx(statement: &Statement) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(12);
    let header = Format::new().set_bold().set_text_wrap();
    let euro = Format::new().set_num_format("€ #,##0.00");
    let bold_euro = Format::new().set_num_format("€ #,##0.00").set_bold();
    let hours = Format::new().set_num_format("0.##");
    let bold_hours = Format::new().set_num_format("0.##").set_bold();
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let number = |amount: &Decimal| amount.to_f64().unwrap_or_default();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Overzicht")?;
    sheet.set_column_width(0, 34)?;
    for c in 1..10 {
        sheet.set_column_width(c, 14)?;
    }
    let mut row: u32 = 0;
    for block in layout(statement) {
        match block {
            Block::Title(text) => {
                sheet.write_string_with_format(row, 0, text, &title)?;
            }
            Block::Line(text) => {
                sheet.write_string(row, 0, crate::report::formula_safe(&text))?;
            }
            Block::Blank => {}
            Block::Figure(label, amount) => {
                sheet.write_string(row, 0, label)?;
                sheet.write_number_with_format(row, 1, number(&amount), &euro)?;
            }
            Block::Table { columns, rows, total } => {
                for (c, (text, _)) in columns.iter().enumerate() {
                    sheet.write_string_with_format(row, c as u16, text, &header)?;
                }
                let last = rows.len().saturating_sub(1);
                for (r, cells) in rows.iter().enumerate() {
                    row += 1;
                    let strong = total && r == last;
                    for (c, cell) in cells.iter().enumerate() {
                        let c = c as u16;
                        match cell {
                            Cell::Text(text) if text.is_empty() => {}
                            Cell::Text(text) => {
                                let format = if strong { &bold } else { &plain };
                                sheet.write_string_with_format(row, c, crate::report::formula_safe(text), format)?;
                            }
                            Cell::Euro(amount) => {
                                sheet.write_number_with_format(
                                    row,
                                    c,
                                    number(amount),
                                    if strong { &bold_euro } else { &euro },
                                )?;
                            }
                            Cell::Hours(value) => {
                                let format = if strong { &bold_hours } else { &hours };
                                sheet.write_number_with_format(row, c, number(value), format)?;
                            }
                        }
                    }
                }
            }
        }
        row += 1;
    }
    Ok(workbook)
}

/// What the runner does with a statement: print it, or write it to a file.
pub enum Output {
    /// Text for the screen (`--format txt` without `--out`).
    Print(String),
    /// A file's bytes, its name (`--out`, or [`Statement::file_name`]) and the line that says it was written.
    File { name: std::path::PathBuf, bytes: Vec<u8>, said: String },
}

/// The statement in `format`: text is printed unless `out` names a file; a workbook or PDF is
/// written to `out`, or to [`Statement::file_name`] in the current folder.
pub fn output(
    statement: &Statement,
    format: super::statement::StatementFormat,
    out: Option<std::path::PathBuf>,
) -> Result<Output, StoreError> {
    use super::statement::StatementFormat;
    let bytes = match (format, &out) {
        (StatementFormat::Txt, None) => return Ok(Output::Print(render_text(statement))),
        (StatementFormat::Txt, Some(_)) => render_text(statement).into_bytes(),
        (StatementFormat::Xlsx, _) => xlsx_bytes(statement)?,
        (StatementFormat::Pdf, _) => pdf_bytes(statement)?,
    };
    let name = out.unwrap_or_else(|| std::path::PathBuf::from(statement.file_name(format)));
    let said =
        format!("Geschreven: {} (kwartaaloverzicht {} {}).", name.display(), statement.network, statement.quarter);
    Ok(Output::File { name, bytes, said })
}

/// How the text is set on A4: portrait when its widest line fits at a readable size, else
/// landscape; the size shrinks (down to [`SMALLEST`]) so that the statement fits one page where it
/// can; a longer one goes on to more pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfPage {
    pub width_mm: f32,
    pub height_mm: f32,
    pub font_size: f32,
    pub lines_per_page: usize,
}

/// The page and font size for `lines` lines of at most `widest` characters.
pub fn pdf_page(lines: usize, widest: usize) -> PdfPage {
    let fit = |width_mm: f32, height_mm: f32| {
        let across = (width_mm - 2.0 * MARGIN_MM) * POINTS_PER_MM / (widest.max(1) as f32 * ADVANCE);
        let down = (height_mm - 2.0 * MARGIN_MM) * POINTS_PER_MM / (lines.max(1) as f32 * LINE_HEIGHT);
        let font_size = across.min(LARGEST).min(down.max(SMALLEST));
        // A hair over, so that the size chosen to fit `lines` lines does fit them (no page for the last one).
        let (room, line) = ((height_mm - 2.0 * MARGIN_MM) * POINTS_PER_MM, font_size * LINE_HEIGHT);
        let lines_per_page = (2..=1000usize).take_while(|n| *n as f32 * line <= room + 0.01 * line).last().unwrap_or(1);
        PdfPage { width_mm, height_mm, font_size, lines_per_page }
    };
    let portrait = fit(210.0, 297.0);
    if portrait.font_size >= 7.5 { portrait } else { fit(297.0, 210.0) }
}

/// The PDF: [`render_text`] set in DejaVu Sans Mono on A4 (see [`pdf_page`]).
pub fn pdf_bytes(statement: &Statement) -> Result<Vec<u8>, StoreError> {
    use printpdf::{Mm, PdfDocument};
    let refused = |e: String| StoreError::Refused(format!("kan de PDF niet opmaken: {e}"));
    let text = render_text(statement);
    let lines: Vec<&str> = text.lines().collect();
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let page = pdf_page(lines.len(), widest);
    let title = format!("Kwartaaloverzicht {} {}", statement.network, statement.quarter);
    let (doc, first_page, first_layer) = PdfDocument::new(title, Mm(page.width_mm), Mm(page.height_mm), "tekst");
    let font = doc.add_external_font(FONT).map_err(|e| refused(e.to_string()))?;
    let step_mm = page.font_size * LINE_HEIGHT / POINTS_PER_MM;
    for (number, chunk) in lines.chunks(page.lines_per_page).enumerate() {
        let (page_index, layer_index) = if number == 0 {
            (first_page, first_layer)
        } else {
            doc.add_page(Mm(page.width_mm), Mm(page.height_mm), "tekst")
        };
        let layer = doc.get_page(page_index).get_layer(layer_index);
        let top = page.height_mm - MARGIN_MM - page.font_size / POINTS_PER_MM;
        for (i, line) in chunk.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            layer.use_text(*line, page.font_size, Mm(MARGIN_MM), Mm(top - i as f32 * step_mm), &font);
        }
    }
    doc.save_to_bytes().map_err(|e| refused(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_fits_one_portrait_page_and_a_wide_one_turns_landscape() {
        let page = pdf_page(60, 100);
        assert_eq!((page.width_mm, page.height_mm), (210.0, 297.0));
        assert!(page.lines_per_page >= 60, "{page:?}");
        assert!(page.font_size <= LARGEST && page.font_size >= 7.5);
        // 100 characters at the size chosen fit between the margins.
        assert!(100.0 * ADVANCE * page.font_size <= (210.0 - 2.0 * MARGIN_MM) * POINTS_PER_MM + 0.01);
        let wide = pdf_page(40, 150);
        assert_eq!((wide.width_mm, wide.height_mm), (297.0, 210.0));
        assert!(150.0 * ADVANCE * wide.font_size <= (297.0 - 2.0 * MARGIN_MM) * POINTS_PER_MM + 0.01);
        // The size that fits a statement's lines on one page fits all of them, to the last.
        for lines in 40..120 {
            let page = pdf_page(lines, 138);
            assert!(page.font_size > SMALLEST || page.lines_per_page < lines);
            if page.font_size > SMALLEST {
                assert!(page.lines_per_page >= lines, "{lines}: {page:?}");
            }
        }
        // Too long for one page even at the smallest size: several pages, never below it.
        let long = pdf_page(400, 80);
        assert_eq!(long.font_size, SMALLEST);
        assert!(long.lines_per_page < 400);
    }
}
