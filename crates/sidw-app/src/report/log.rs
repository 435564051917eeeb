//! The audit log in Dutch: one formatter for the Logboek (pane 6) and `sidw report log`.
//!
//! An entry keeps the records before and after as JSON (also in databases written long ago). Each
//! is read field by field with a Dutch label per field and formatted with the domain's display
//! functions: `€ 1.019,40`, `12-03-2025`, `maart 2025`, `1,5 uur`, `getekend`. Database ids are
//! never shown; the record's name (network, partner, month) is the entry's subject. A shape this
//! code does not know is still shown, with the field names as labels, and never panics.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Format, Table};
pub use crate::store::audit_text::{Change, Described, Field, changes_text, describe, hours_text, when};
use crate::store::{Store, StoreError};

/// One row of `sidw report log`: when, and the entry in Dutch (its changes only: the records
/// before and after are dropped as each entry is read, so memory follows the output, not the log).
pub struct Row {
    pub at: DateTime<Utc>,
    pub described: Described,
}

/// The entries of `sidw report log`: written on `from` to `to` (office days, both included) and by
/// `user` (any case), oldest first. Read through the log's time index when a day is given.
pub fn rows(
    store: &Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    user: Option<&str>,
) -> Result<Vec<Row>, StoreError> {
    let user = user.map(str::to_lowercase);
    let mut rows = Vec::new();
    for entry in store.audit_entries_between(from, to) {
        let entry = entry?;
        if user.as_ref().is_none_or(|u| entry.user.to_lowercase() == *u) {
            let mut described = describe(&entry);
            described.before = Vec::new();
            described.after = Vec::new();
            rows.push(Row { at: entry.at, described });
        }
    }
    Ok(rows)
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(rename = "wanneer")]
    at: String,
    #[serde(rename = "wie")]
    user: &'a str,
    #[serde(rename = "wat")]
    action: &'a str,
    #[serde(rename = "onderwerp")]
    record: &'a str,
    #[serde(rename = "wijzigingen")]
    changes: &'a [Change],
}

/// Writes the rows as a table, CSV (for Dutch Excel) or JSON; each made by [`describe`].
pub fn render(rows: &[Row], format: Format) -> String {
    let described: Vec<&Described> = rows.iter().map(|r| &r.described).collect();
    match format {
        Format::Json => {
            let json: Vec<JsonEntry> = rows
                .iter()
                .map(|row| (row, &row.described))
                .map(|(e, d)| JsonEntry {
                    at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    user: &d.user,
                    action: &d.action,
                    record: &d.record,
                    changes: &d.changes,
                })
                .collect();
            serde_json::to_string_pretty(&json).expect("log entries serialise") + "\n"
        }
        Format::Csv => super::excel_csv(
            &["wanneer", "wie", "wat", "onderwerp", "wijzigingen"],
            described.iter().map(|d| {
                [d.when.clone(), d.user.clone(), d.action.clone(), d.record.clone(), changes_text(&d.changes)]
            }),
        ),
        Format::Table => {
            if described.is_empty() {
                return "Geen logboekregels.\n".to_string();
            }
            let mut table = Table::new(&[
                ("Wanneer", false),
                ("Wie", false),
                ("Wat", false),
                ("Onderwerp", false),
                ("Wijzigingen", false),
            ]);
            for d in &described {
                table.push(vec![
                    d.when.clone(),
                    d.user.clone(),
                    d.action.clone(),
                    d.record.clone(),
                    changes_text(&d.changes),
                ]);
            }
            let noun = if described.len() == 1 { "logboekregel" } else { "logboekregels" };
            format!("{}\n{} {noun}\n", table.render(), described.len())
        }
    }
}
