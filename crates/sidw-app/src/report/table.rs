//! A plain text table with aligned columns, for reports on a terminal.

/// Rows of cells under a header; numeric columns are right-aligned.
pub struct Table {
    header: Vec<String>,
    right_aligned: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns as (title, right-aligned).
    pub fn new(columns: &[(&str, bool)]) -> Self {
        Self {
            header: columns.iter().map(|(title, _)| (*title).to_string()).collect(),
            right_aligned: columns.iter().map(|(_, right)| *right).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }

    pub fn render(&self) -> String {
        let width = |i: usize| {
            std::iter::once(&self.header[i])
                .chain(self.rows.iter().map(|r| &r[i]))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        // Written straight into one string (a report can have tens of thousands of rows).
        let line = |out: &mut String, cells: &[String]| {
            let start = out.len();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                let pad = widths[i] - cell.chars().count();
                if self.right_aligned[i] {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(cell);
                } else {
                    out.push_str(cell);
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            // The line without its trailing blanks (never into the lines before it).
            out.truncate(out.trim_end().len().max(start));
            out.push('\n');
        };
        let mut out = String::new();
        line(&mut out, &self.header);
        out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
        out.push('\n');
        for row in &self.rows {
            line(&mut out, row);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_to_the_widest_cell_and_lines_end_without_spaces() {
        let mut table = Table::new(&[("naam", false), ("bedrag", true), ("notitie", false)]);
        table.push(vec!["Één".into(), "€ 1,00".into(), String::new()]);
        table.push(vec!["Wijk Zuid".into(), "€ 12.345,67".into(), "te laat ".into()]);
        assert_eq!(
            table.render(),
            "naam            bedrag  notitie\n\
             ---------  -----------  --------\n\
             Één             € 1,00\n\
             Wijk Zuid  € 12.345,67  te laat\n"
        );
    }
}
