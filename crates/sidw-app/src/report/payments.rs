//! `report payments`: the payment lines of a quarter, planned for open networks and final for
//! closed ones; and the same lines as the CSV the financial administration opens in Excel.

use serde::Serialize;

use crate::domain::Quarter;
use crate::domain::bank::{BatchStatus, LineState};
use crate::domain::close::{ByTeamLine, Claim, PaymentLine, SetOff, TeamDifference, total};
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
    pub team_differences: Vec<TeamDifference>,
    pub claims: Vec<Claim>,
    pub set_offs: Vec<SetOff>,
    /// What the bank said of each line (same order as `lines`; all open when nothing is known).
    pub bank: Vec<LineState>,
    /// The batch's status for this network's lines (closed networks only).
    pub batch_status: Option<BatchStatus>,
}

/// What a quarter lists beside its payments, each as its own kind: never paid as such.
pub struct Listed {
    /// `team_difference`, `set_off` or `claim`.
    pub code: &'static str,
    /// The kind in Dutch.
    pub label: &'static str,
    pub network: String,
    pub quarter: Quarter,
    pub payee: String,
    pub iban: String,
    pub amount: rust_decimal::Decimal,
    pub text: String,
    /// The batch that raised the claim (for a set-off or a claim; empty in a preview).
    pub claim_batch: String,
}

impl NetworkPayments {
    /// The excess of invoices above their hours, amounts set off against claims, claims raised.
    pub fn listed(&self) -> Vec<Listed> {
        let mut listed = Vec::new();
        for d in &self.team_differences {
            listed.push(Listed {
                code: "team_difference",
                label: "verschil praktijkteam",
                network: d.network_name.clone(),
                quarter: d.quarter,
                payee: d.payee.clone(),
                iban: String::new(),
                amount: d.amount,
                text: format!(
                    "factuur {} {} boven de uren {}: niet uit de € 1,15 (praktijkteam kan dit betalen)",
                    d.invoice_number,
                    format_eur(d.invoiced),
                    format_eur(d.worth)
                ),
                claim_batch: String::new(),
            });
        }
        for o in &self.set_offs {
            listed.push(Listed {
                code: "set_off",
                label: "verrekend",
                network: o.line.network_name.clone(),
                quarter: o.line.quarter,
                payee: o.line.payee.clone(),
                iban: o.line.iban.to_string(),
                amount: o.line.amount,
                text: format!(
                    "niet betaald: verrekend met vordering uit batch {} ({})",
                    o.claim_batch, o.claim_quarter
                ),
                claim_batch: o.claim_batch.clone(),
            });
        }
        for c in &self.claims {
            listed.push(Listed {
                code: "claim",
                label: "vordering",
                network: c.line.network_name.clone(),
                quarter: c.line.quarter,
                payee: c.line.payee.clone(),
                iban: c.line.iban.to_string(),
                amount: c.line.amount,
                text: "eerder te veel betaald: wordt verrekend met volgende betalingen".to_string(),
                claim_batch: c.batch.clone(),
            });
        }
        listed
    }
}

pub fn rows(store: &Store, quarter: Quarter) -> Result<Vec<NetworkPayments>, StoreError> {
    rows_in(store, quarter, &crate::domain::Scope::All)
}

/// [`rows`] of the networks in `scope` only.
pub fn rows_in(
    store: &Store,
    quarter: Quarter,
    scope: &crate::domain::Scope,
) -> Result<Vec<NetworkPayments>, StoreError> {
    let mut rows = Vec::new();
    let mut known = std::collections::HashMap::new();
    for (close, closed) in
        store.quarter_payments(quarter)?.into_iter().filter(|(c, _)| scope.contains(c.network.region))
    {
        let mut bank = vec![LineState::Open; close.payments.len()];
        let mut batch_status = None;
        if let Some((q, _)) = close.closed.as_ref().filter(|_| closed) {
            let states = match known.entry(q.batch) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(store.batch_line_states(q.batch)?),
            };
            if let Some(states) = states.as_ref().and_then(|s| s.get(&close.network.id))
                && states.len() == bank.len()
            {
                bank.clone_from(states);
            }
            // A CSV is for the books; only a pain.001 goes to the bank.
            let exported = store.batch_exports(q.batch)?.first_to_bank().is_some();
            batch_status = Some(BatchStatus::of(&bank, exported));
        }
        rows.push(NetworkPayments {
            batch: close.closed.as_ref().map(|(_, b)| b.number.clone()),
            network: close.network.name.clone(),
            closed,
            lines: close.payments,
            by_team: close.by_team,
            team_differences: close.team_differences,
            claims: close.claims,
            set_offs: close.set_offs,
            bank,
            batch_status,
        });
    }
    Ok(rows)
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
    /// What the bank said: `open`, `paid`, `returned` (payment lines of a closed quarter).
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_status: Option<&'static str>,
    /// The booking date of the payment or the return (yyyy-mm-dd).
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_date: Option<String>,
    /// The return reason code (AC04, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    return_reason: Option<String>,
    /// For a set-off or a claim: the batch that raised the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_batch: Option<String>,
}

/// The bank's state of each line of a row (open for lines the bank said nothing of).
fn bank_states(r: &NetworkPayments) -> impl Iterator<Item = LineState> + '_ {
    (0..r.lines.len()).map(|n| r.bank.get(n).cloned().unwrap_or_default())
}

/// `betaald 02-05-2025`, `teruggeboekt 06-05-2025 (AC04)`, `open`; empty for a planned line.
fn bank_text(state: &LineState, closed: bool) -> String {
    if !closed {
        return String::new();
    }
    match state {
        LineState::Open => "open".to_string(),
        LineState::Paid { date, .. } => format!("betaald {}", crate::domain::calendar::format_date(*date)),
        LineState::Returned { date, reason, .. } => {
            format!("teruggeboekt {} ({reason})", crate::domain::calendar::format_date(*date))
        }
    }
}

fn status(closed: bool) -> &'static str {
    if closed { "final" } else { "planned" }
}

pub fn render(rows: &[NetworkPayments], format: Format) -> String {
    match format {
        Format::Json => {
            let mut lines: Vec<JsonLine> = Vec::new();
            for r in rows {
                lines.extend(r.lines.iter().zip(bank_states(r)).map(|(l, bank)| JsonLine {
                    network: &r.network,
                    quarter: l.quarter.to_string(),
                    payee: &l.payee,
                    iban: l.iban.as_str(),
                    kind: l.kind.code(),
                    amount: format_plain(l.amount),
                    reference: &l.reference,
                    status: status(r.closed),
                    batch: r.batch.as_deref(),
                    bank_status: r.closed.then(|| bank.code()),
                    bank_date: bank.date().map(|d| d.format("%Y-%m-%d").to_string()),
                    return_reason: bank.reason().map(str::to_string),
                    claim_batch: None,
                }));
            }
            let listed: Vec<(&NetworkPayments, Listed)> =
                rows.iter().flat_map(|r| r.listed().into_iter().map(move |l| (r, l))).collect();
            lines.extend(listed.iter().map(|(r, l)| JsonLine {
                network: &r.network,
                quarter: l.quarter.to_string(),
                payee: &l.payee,
                iban: &l.iban,
                kind: l.code,
                amount: format_plain(l.amount),
                reference: &l.text,
                status: status(r.closed),
                batch: r.batch.as_deref(),
                bank_status: None,
                bank_date: None,
                return_reason: None,
                claim_batch: (l.code != "team_difference").then(|| l.claim_batch.clone()),
            }));
            serde_json::to_string_pretty(&lines).expect("lines serialise") + "\n"
        }
        Format::Csv => report_csv(rows),
        Format::Table => {
            let mut out = String::new();
            for r in rows {
                let state = match (&r.batch, r.closed) {
                    (Some(batch), true) => match r.batch_status {
                        Some(status) => format!("afgesloten, batch {batch}: {}", status.dutch()),
                        None => format!("afgesloten, batch {batch}"),
                    },
                    _ => "open: gepland".to_string(),
                };
                out.push_str(&format!("{} — {state}\n", r.network));
                let listed = r.listed();
                if r.lines.is_empty() {
                    out.push_str("  geen betalingen\n");
                    push_listed(&mut out, &listed);
                    out.push('\n');
                    continue;
                }
                let mut table = Table::new(&[
                    ("soort", false),
                    ("begunstigde", false),
                    ("IBAN", false),
                    ("bedrag", true),
                    ("omschrijving", false),
                    ("bank", false),
                ]);
                for (l, bank) in r.lines.iter().zip(bank_states(r)) {
                    table.push(vec![
                        l.kind.dutch_label().into(),
                        l.payee.clone(),
                        l.iban.to_string(),
                        format_eur(l.amount),
                        l.reference.clone(),
                        bank_text(&bank, r.closed),
                    ]);
                }
                table.push(vec![
                    "totaal".into(),
                    String::new(),
                    String::new(),
                    format_eur(total(&r.lines)),
                    String::new(),
                    String::new(),
                ]);
                out.push_str(&table.render());
                for t in &r.by_team {
                    out.push_str(&format!(
                        "  betaald door praktijkteam (niet door secretariaat): {} {} {} uur {}\n",
                        t.partner,
                        t.month.dutch_name(),
                        crate::domain::dutch::number(t.hours),
                        format_eur(t.worth)
                    ));
                }
                push_listed(&mut out, &listed);
                out.push('\n');
            }
            let all: rust_decimal::Decimal = rows.iter().map(|r| total(&r.lines)).sum();
            out.push_str(&format!("Totaal alle netwerken: {}\n", format_eur(all)));
            out
        }
    }
}

fn push_listed(out: &mut String, listed: &[Listed]) {
    for l in listed {
        let batch = if l.claim_batch.is_empty() || l.code == "set_off" {
            String::new()
        } else {
            format!(", batch {}", l.claim_batch)
        };
        out.push_str(&format!("  {}: {} {}{batch} — {}\n", l.label, l.payee, format_eur(l.amount), l.text));
    }
}

/// The report's CSV: the payment lines, then what is listed beside them, each with its kind.
fn report_csv(rows: &[NetworkPayments]) -> String {
    let paid = rows.iter().flat_map(|r| {
        r.lines.iter().zip(bank_states(r)).map(move |(l, bank)| {
            let [a, b, c, d, e, f, g, h, i] = payment_row(l, r.closed, r.batch.as_deref());
            let (state, date) = match (&bank, r.closed) {
                (_, false) => (String::new(), String::new()),
                (LineState::Returned { reason, .. }, true) => (format!("teruggeboekt ({reason})"), String::new()),
                (state, true) => (state.dutch().to_string(), String::new()),
            };
            let date = bank.date().map(crate::domain::calendar::format_date).unwrap_or(date);
            [a, b, c, d, e, f, g, h, i, state, date]
        })
    });
    let listed = rows.iter().flat_map(|r| {
        r.listed().into_iter().map(move |l| {
            [
                l.network,
                l.quarter.to_string(),
                l.label.to_string(),
                l.payee,
                l.iban,
                format_decimal_comma(l.amount),
                l.text,
                if r.closed { "definitief" } else { "gepland" }.to_string(),
                r.batch.clone().unwrap_or_default(),
                String::new(),
                String::new(),
            ]
        })
    });
    let mut header = CSV_HEADER.to_vec();
    header.extend(["bank", "bankdatum"]);
    super::excel_csv(&header, paid.chain(listed))
}

const CSV_HEADER: [&str; 9] =
    ["netwerk", "kwartaal", "soort", "begunstigde", "iban", "bedrag", "omschrijving", "status", "batch"];

fn payment_row(l: &PaymentLine, closed: bool, batch: Option<&str>) -> [String; 9] {
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
}

/// `;`-separated, decimal comma, UTF-8 with byte-order mark: opens cleanly in Dutch Excel.
pub fn csv<'a>(lines: impl Iterator<Item = (&'a PaymentLine, bool, Option<&'a str>)>) -> String {
    super::excel_csv(&CSV_HEADER, lines.map(|(l, closed, batch)| payment_row(l, closed, batch)))
}
