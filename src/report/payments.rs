//! `report payments`: the payment lines of a quarter, planned for open networks and final for
//! closed ones; and the same lines as the CSV the financial administration opens in Excel.

use serde::Serialize;

use crate::domain::Quarter;
use crate::domain::close::{ByTeamLine, PaymentLine, total};
use crate::domain::money::{format_decimal_comma, format_eur, format_plain};
use crate::store::{Store, StoreError};

use super::{Format, Table};

/// One network's part of the quarter.
pub struct NetworkPayments {
    pub network: String,
    pub closed: bool,
    pub batch: Option<String>,
    pub lines: Vec<PaymentLine>,
    pub by_team: Vec<ByTeamLine>,
}

pub fn rows(store: &Store, quarter: Quarter) -> Result<Vec<NetworkPayments>, StoreError> {
    Ok(store
        .quarter_payments(quarter)?
        .into_iter()
        .map(|(close, closed)| NetworkPayments {
            batch: close.closed.as_ref().map(|(_, b)| b.number.clone()),
            network: close.network.name.clone(),
            closed,
            lines: close.payments,
            by_team: close.by_team,
        })
        .collect())
}

#[derive(Serialize)]
struct JsonLine<'a> {
    network: &'a str,
    quarter: String,
    payee: &'a str,
    iban: &'a str,
    kind: &'static str,
    amount: String,
    reference: &'a str,
    status: &'static str,
    batch: Option<&'a str>,
}

fn status(closed: bool) -> &'static str {
    if closed { "final" } else { "planned" }
}

pub fn render(rows: &[NetworkPayments], format: Format) -> String {
    match format {
        Format::Json => {
            let lines: Vec<JsonLine> = rows
                .iter()
                .flat_map(|r| {
                    r.lines.iter().map(move |l| JsonLine {
                        network: &r.network,
                        quarter: l.quarter.to_string(),
                        payee: &l.payee,
                        iban: l.iban.as_str(),
                        kind: l.kind.code(),
                        amount: format_plain(l.amount),
                        reference: &l.reference,
                        status: status(r.closed),
                        batch: r.batch.as_deref(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&lines).expect("lines serialise") + "\n"
        }
        Format::Csv => csv(rows.iter().flat_map(|r| r.lines.iter().map(move |l| (l, r.closed, r.batch.as_deref())))),
        Format::Table => {
            let mut out = String::new();
            for r in rows {
                let state = match (&r.batch, r.closed) {
                    (Some(batch), true) => format!("afgesloten, batch {batch}"),
                    _ => "open: gepland".to_string(),
                };
                out.push_str(&format!("{} — {state}\n", r.network));
                if r.lines.is_empty() {
                    out.push_str("  geen betalingen\n\n");
                    continue;
                }
                let mut table = Table::new(&[
                    ("soort", false),
                    ("begunstigde", false),
                    ("IBAN", false),
                    ("bedrag", true),
                    ("omschrijving", false),
                ]);
                for l in &r.lines {
                    table.push(vec![
                        l.kind.dutch_label().into(),
                        l.payee.clone(),
                        l.iban.to_string(),
                        format_eur(l.amount),
                        l.reference.clone(),
                    ]);
                }
                table.push(vec![
                    "totaal".into(),
                    String::new(),
                    String::new(),
                    format_eur(total(&r.lines)),
                    String::new(),
                ]);
                out.push_str(&table.render());
                for t in &r.by_team {
                    out.push_str(&format!(
                        "  betaald door praktijkteam (niet door secretariaat): {} {} {} uur {}\n",
                        t.partner,
                        t.month.dutch_name(),
                        t.hours,
                        format_eur(t.worth)
                    ));
                }
                out.push('\n');
            }
            let all: rust_decimal::Decimal = rows.iter().map(|r| total(&r.lines)).sum();
            out.push_str(&format!("Totaal alle netwerken: {}\n", format_eur(all)));
            out
        }
    }
}

/// `;`-separated, decimal comma, UTF-8 with byte-order mark: opens cleanly in Dutch Excel.
pub fn csv<'a>(lines: impl Iterator<Item = (&'a PaymentLine, bool, Option<&'a str>)>) -> String {
    super::excel_csv(
        &["netwerk", "kwartaal", "soort", "begunstigde", "iban", "bedrag", "omschrijving", "status", "batch"],
        lines.map(|(l, closed, batch)| {
            [
                l.network_name.clone(),
                l.quarter.to_string(),
                l.kind.dutch_label().to_string(),
                l.payee.clone(),
                l.iban.as_str().to_string(),
                format_decimal_comma(l.amount),
                l.reference.clone(),
                if closed { "definitief" } else { "gepland" }.to_string(),
                batch.unwrap_or("").to_string(),
            ]
        }),
    )
}
