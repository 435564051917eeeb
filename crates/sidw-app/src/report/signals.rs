//! `report signals`: the Signalen list on the command line, for a daily e-mail from cron. The
//! signals of one region keep the programme-wide ones (those without a region).

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::calendar::format_date;
use crate::domain::signals::Signal;
use crate::domain::{Region, Scope};
use crate::store::{Store, StoreError};

use super::{Format, Table};

/// Every signal on `today`, oldest due date first; with a region, only that region's signals and
/// the programme-wide ones.
pub fn rows(store: &Store, today: NaiveDate, region: Option<Region>) -> Result<Vec<Signal>, StoreError> {
    rows_in(store, today, region, &Scope::All)
}

/// [`rows`] as a user with `scope` sees them: only their regions' signals, and the
/// programme-wide ones only with every region.
pub fn rows_in(
    store: &Store,
    today: NaiveDate,
    region: Option<Region>,
    scope: &Scope,
) -> Result<Vec<Signal>, StoreError> {
    let mut signals = store.signals(today)?;
    if let Some(region) = region {
        signals.retain(|s| s.region.is_none_or(|r| r == region));
    }
    signals.retain(|s| sees(scope, s.region));
    Ok(signals)
}

/// Whether a user with `scope` sees what lies in `region` (`None`: the whole programme).
pub fn sees(scope: &Scope, region: Option<Region>) -> bool {
    region.map_or(scope.is_all(), |r| scope.contains(r))
}

#[derive(Serialize)]
struct JsonSignal<'a> {
    due: String,
    overdue: bool,
    subject: &'a str,
    text: &'a str,
    region: Option<&'static str>,
}

fn overdue_text(signal: &Signal) -> &'static str {
    if signal.overdue { "ja" } else { "" }
}

/// "12 signalen, 5 te laat".
pub fn count_line(signals: &[Signal]) -> String {
    let overdue = signals.iter().filter(|s| s.overdue).count();
    let noun = if signals.len() == 1 { "signaal" } else { "signalen" };
    format!("{} {noun}, {overdue} te laat", signals.len())
}

/// Writes the signals as a table (with a count line, or "Geen signalen."), CSV (with a UTF-8
/// byte-order mark for Excel) or JSON.
pub fn render(signals: &[Signal], format: Format) -> String {
    match format {
        Format::Json => {
            let json: Vec<JsonSignal> = signals
                .iter()
                .map(|s| JsonSignal {
                    due: s.due.format("%Y-%m-%d").to_string(),
                    overdue: s.overdue,
                    subject: &s.subject,
                    text: &s.text,
                    region: s.region.map(Region::name),
                })
                .collect();
            serde_json::to_string_pretty(&json).expect("signals serialise") + "\n"
        }
        Format::Csv => super::excel_csv(
            &["termijn", "te laat", "onderwerp", "signaal", "regio"],
            signals.iter().map(|s| {
                [
                    format_date(s.due),
                    overdue_text(s).to_string(),
                    s.subject.clone(),
                    s.text.clone(),
                    s.region.map_or("", Region::name).to_string(),
                ]
            }),
        ),
        Format::Table => {
            if signals.is_empty() {
                return "Geen signalen.\n".to_string();
            }
            let mut table =
                Table::new(&[("Termijn", false), ("Te laat", false), ("Onderwerp", false), ("Signaal", false)]);
            for s in signals {
                table.push(vec![format_date(s.due), overdue_text(s).into(), s.subject.clone(), s.text.clone()]);
            }
            format!("{}\n{}\n", table.render(), count_line(signals))
        }
    }
}
