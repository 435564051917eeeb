//! `report statement`: the statement a network's coordinator (kartrekker, handbook 3.4) gets for one
//! quarter: the practice-team money and each practice's share, per partner the hours per month,
//! their worth, the invoice and what was paid (batch and date), the partner budget of the year with
//! what was spent, what remains and what the practice team paid itself, and the open items.
//!
//! Every figure comes from the rule that computes it elsewhere: the domain's money rules
//! (`practice_team_money`, `practice_team_split`, `close::invoiced_worth`, the close's payment lines
//! and checklist through `Store::close_preview`), the batches the quarter's closes stored, and the
//! partner budget's row of `report budget`. [`statement`] computes; [`render_text`],
//! [`xlsx_bytes`] and [`pdf_bytes`] only lay it out.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::agreement::{AgreementKind, AgreementState};
use crate::domain::bank::LineState;
use crate::domain::budget::{practice_team_money, practice_team_split};
use crate::domain::calendar::format_date;
use crate::domain::close::{CloseInput, PaymentKind, PaymentLine, invoiced_worth};
use crate::domain::money::format_eur;
use crate::domain::{InvoiceDecision, PartnerId, PracticeId, Quarter, Scope};
use crate::store::{Store, StoreError};

use super::Table;
use super::budget::BudgetRow;

/// How a statement is written. The variants' texts are the help of `--format`, so they are Dutch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatementFormat {
    /// Platte tekst, uitgelijnd, Nederlandse bedragen (€ 8.050,00)
    Txt,
    /// Excel: één blad, bedragen als euro's
    Xlsx,
    /// PDF (A4), om te mailen of te printen
    Pdf,
}

impl StatementFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }
}

/// How an amount of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Planned: the quarter is open; what its close would pay now.
    Planned,
    /// Paid by a batch.
    Paid,
    /// Due in a batch, but set off against an open claim instead of paid.
    SetOff,
    /// Claimed back by a re-close (paid too much before): a negative amount.
    Claimed,
}

impl Settled {
    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Planned => "gepland",
            Self::Paid => "betaald",
            Self::SetOff => "verrekend",
            Self::Claimed => "teruggevorderd",
        }
    }
}

/// One amount to (or from) one payee: a payment line of a batch, a set-off, a claim, or a line planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub payee: String,
    pub kind: PaymentKind,
    pub practice: Option<PracticeId>,
    pub partner: Option<PartnerId>,
    pub amount: Decimal,
    pub settled: Settled,
    /// The batch number (`2025-Q2-0001`); `None` for a planned line.
    pub batch: Option<String>,
    /// The day the batch was made (the quarter's close).
    pub date: Option<NaiveDate>,
    /// The batch was reopened since (its payments stand; a later batch pays or claims the difference).
    pub reopened: bool,
    /// The line went out in a payment file (false: its batch part was reopened before any file
    /// was written, so it was never paid and a later batch pays it).
    pub went_out: bool,
    /// What the bank said of a paid line (the camt.053 import of issue 17's bank part): paid on a
    /// day, or returned on a day with a reason; `Open` until then and for every other line.
    pub bank: LineState,
}

impl Payment {
    /// Counts in what was settled for the quarter: paid, set off or claimed back; not a plan,
    /// and not a payment the bank returned (that money came back).
    pub fn settles(&self) -> bool {
        self.settled != Settled::Planned
            && !(self.settled == Settled::Paid && (!self.went_out || matches!(self.bank, LineState::Returned { .. })))
    }
}

/// A practice of the team and its share of the quarter's practice-team money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeShare {
    pub id: PracticeId,
    pub name: String,
    /// Percent, on the quarter's first day.
    pub share: Decimal,
    /// Its part of the quarter's practice-team money (the domain's cent-exact split).
    pub amount: Decimal,
    /// Σ settled by the quarter's batches (paid, set off, less claimed back).
    pub paid: Decimal,
}

/// A partner's quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerQuarter {
    pub id: PartnerId,
    pub name: String,
    /// Hours of each month of the quarter (every line, also those the practice team pays).
    pub hours: [Decimal; 3],
    /// Worth of the lines counted against the partner budget: what the invoice should say.
    pub worth: Decimal,
    /// Worth of the lines the practice team pays itself (not invoiced to the secretariat).
    pub by_team: Decimal,
    /// The latest invoice of the quarter: number, amount and its state in Dutch.
    pub invoice: Option<(String, Decimal, String)>,
    /// Σ settled by the quarter's batches (paid, set off, less claimed back).
    pub paid: Decimal,
    /// The partner has a signed agreement in force in the quarter.
    pub agreement: bool,
}

/// The statement of one network and quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub network: String,
    pub region: String,
    pub municipality: String,
    pub former_gez_owz: bool,
    pub quarter: Quarter,
    /// The day the statement was made (open items are judged on it).
    pub today: NaiveDate,
    /// The quarter's lock: the batch in force and the day it was made; `None` while open.
    pub closed: Option<(String, NaiveDate)>,
    /// The quarter's practice-team money (`domain::budget::practice_team_money`).
    pub practice_team_money: Decimal,
    pub practices: Vec<PracticeShare>,
    pub partners: Vec<PartnerQuarter>,
    /// Every batch amount of the quarter, oldest batch first; then what is planned if it is open.
    pub payments: Vec<Payment>,
    /// The year's budget row, exactly as `report budget` computes it.
    pub budget: BudgetRow,
    /// What still has to happen: missing hours forms, invoices, agreements waiting.
    pub open_items: Vec<String>,
}

impl Statement {
    /// Σ paid, set off and claimed back by the batches (planned lines not counted).
    pub fn settled_total(&self) -> Decimal {
        self.payments.iter().filter(|p| p.settles()).map(|p| p.amount).sum()
    }

    /// Σ of the lines planned (open quarter).
    pub fn planned_total(&self) -> Decimal {
        self.payments.iter().filter(|p| p.settled == Settled::Planned).map(|p| p.amount).sum()
    }

    /// A file name for the statement: `overzicht-wijk-noord-2025-Q2.pdf` (letters, digits and `-` only).
    pub fn file_name(&self, format: StatementFormat) -> String {
        file_name(&self.network, self.quarter, format)
    }
}

/// `overzicht-NETWERK-KWARTAAL.EXT` with the network's name in lower-case letters, digits and `-`.
pub fn file_name(network: &str, quarter: Quarter, format: StatementFormat) -> String {
    let plain = deunicode::deunicode(network).to_lowercase();
    let mut slug = String::new();
    for c in plain.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = match slug.trim_matches('-') {
        "" => "netwerk",
        slug => slug,
    };
    format!("overzicht-{slug}-{quarter}.{}", format.extension())
}

/// The statement of the network named `network` (case-insensitive) for `quarter`, with open items
/// judged on `today`, as a user with `scope` sees it (a network outside it is not found).
pub fn statement(
    store: &Store,
    network: &str,
    quarter: Quarter,
    today: NaiveDate,
    scope: &Scope,
) -> Result<Statement, StoreError> {
    let budget = super::budget::rows_in(store, quarter.year(), Some(network), scope)?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::NotFound(format!("netwerk '{network}'")))?;
    let network = store
        .network_by_name(network)?
        .filter(|n| scope.contains(n.region))
        .ok_or_else(|| StoreError::NotFound(format!("netwerk '{network}'")))?;
    let id = network.id;
    let team = store.practice_team(id)?;
    let partners = store.partners(id)?;
    let agreements = store.agreements(id)?;
    let lines = store.hours_of(id, quarter.year())?;
    let invoices = store.invoices_of(id, quarter)?;
    let nihil = store.nihil_marks(id, quarter)?;
    let tariffs = store.tariff_book()?;
    let input = CloseInput {
        network: &network,
        team: &team,
        partners: &partners,
        agreements: &agreements,
        lines: &lines,
        invoices: &invoices,
        nihil: &nihil,
        tariffs: &tariffs,
        quarter,
        today,
    };
    let has_tariffs = tariffs.for_year(quarter.year()).is_ok();

    // What the quarter's batches paid, set off and claimed; then what an open quarter plans.
    let mut payments = Vec::new();
    for batch in store.batches_of(id, quarter)? {
        let date = Some(batch.closed_at.date_naive());
        let reopened = !batch.is_current_for(id);
        let went_out = batch.went_out(id, store.batch_exports(batch.id)?.first_to_bank());
        // What the bank said of this network's lines of the batch (in the batch's order of lines).
        let states = store.batch_line_states(batch.id)?.and_then(|mut by| by.remove(&id)).unwrap_or_default();
        let mut push = |line: &PaymentLine, amount: Decimal, settled: Settled, bank: LineState| {
            payments.push(Payment {
                payee: line.payee.clone(),
                kind: line.kind,
                practice: line.practice,
                partner: line.partner,
                amount,
                settled,
                batch: Some(batch.number.clone()),
                date,
                reopened,
                went_out,
                bank,
            })
        };
        for (index, line) in batch.lines.iter().filter(|l| l.network == id).enumerate() {
            push(line, line.amount, Settled::Paid, states.get(index).cloned().unwrap_or_default());
        }
        for set_off in batch.set_offs.iter().filter(|s| s.line.network == id) {
            push(&set_off.line, set_off.line.amount, Settled::SetOff, LineState::Open);
        }
        for claim in batch.claims.iter().filter(|c| c.line.network == id) {
            push(&claim.line, -claim.line.amount, Settled::Claimed, LineState::Open);
        }
    }
    let preview = store.close_preview(&[id], quarter, today)?.into_iter().next();
    let closed =
        preview.as_ref().and_then(|p| p.closed.as_ref()).map(|(_, b)| (b.number.clone(), b.closed_at.date_naive()));
    let mut open_items = Vec::new();
    if let Some(preview) = preview.filter(|p| p.closed.is_none()) {
        for line in &preview.payments {
            payments.push(Payment {
                payee: line.payee.clone(),
                kind: line.kind,
                practice: line.practice,
                partner: line.partner,
                amount: line.amount,
                settled: Settled::Planned,
                batch: None,
                date: None,
                reopened: false,
                went_out: false,
                bank: LineState::Open,
            });
        }
        // What blocks the close, and the warnings (a partner with hours but no agreement).
        open_items.extend(preview.checklist.iter().filter(|i| !i.ok || i.warning).map(|i| i.text.clone()));
    }
    for agreement in &agreements {
        let state = agreement.state(today);
        if !matches!(state, AgreementState::Verstuurd | AgreementState::TeLaat) {
            continue;
        }
        let whom = match (agreement.kind, agreement.partner) {
            (AgreementKind::Partner, Some(partner)) => partners
                .iter()
                .find(|p| p.id == partner)
                .map_or_else(|| "zorgverlener".to_string(), |p| format!("zorgverlener {}", p.name)),
            (kind, _) => kind.dutch_label().to_string(),
        };
        let sent = agreement.sent.map(format_date).unwrap_or_default();
        let due = agreement.due().map(format_date).unwrap_or_default();
        let late = if state == AgreementState::TeLaat { " (te laat)" } else { "" };
        open_items.push(format!(
            "overeenkomst {whom} verstuurd op {sent}, getekend terug uiterlijk {due}{late}: wacht op ondertekening"
        ));
    }

    let settled_of = |practice: Option<PracticeId>, partner: Option<PartnerId>| -> Decimal {
        payments
            .iter()
            .filter(|p| p.settles() && p.practice == practice && p.partner == partner)
            .filter(|_| practice.is_some() || partner.is_some())
            .map(|p| p.amount)
            .sum()
    };
    let practice_team_money = if has_tariffs && !team.practices.is_empty() {
        practice_team_money(&network, &team, &tariffs, quarter)?
    } else {
        Decimal::ZERO
    };
    let split = if has_tariffs && team.validate().is_ok() && !team.practices.is_empty() {
        practice_team_split(&network, &team, &tariffs, quarter)?
    } else {
        Vec::new()
    };
    let practices = team
        .practices
        .iter()
        .map(|p| PracticeShare {
            id: p.id,
            name: p.name.clone(),
            share: p.share_on(quarter.first_day()),
            amount: split.iter().find(|(id, _)| *id == p.id).map_or(Decimal::ZERO, |(_, a)| *a),
            paid: settled_of(Some(p.id), None),
        })
        .collect();
    let months = quarter.months();
    let mut partner_rows = Vec::new();
    for partner in &partners {
        let of_partner: Vec<_> =
            lines.iter().filter(|l| l.partner == partner.id && quarter.contains(l.month)).collect();
        let hours = months.map(|m| of_partner.iter().filter(|l| l.month == m).map(|l| l.hours).sum());
        let (worth, by_team) = if has_tariffs {
            let worth = invoiced_worth(&input, partner)?;
            let mut by_team = Decimal::ZERO;
            for line in of_partner.iter().filter(|l| l.paid_by_practice_team) {
                by_team += line.worth(&tariffs, partner.category)?;
            }
            (worth, by_team)
        } else {
            (Decimal::ZERO, Decimal::ZERO)
        };
        let invoice = invoices.iter().rev().find(|i| i.partner == partner.id).map(|i| {
            let state = match &i.decision {
                InvoiceDecision::Open => "open",
                InvoiceDecision::Approved { .. } => "goedgekeurd",
                InvoiceDecision::Rejected { .. } => "afgewezen",
            };
            (i.number.clone(), i.amount, state.to_string())
        });
        partner_rows.push(PartnerQuarter {
            id: partner.id,
            name: partner.name.clone(),
            hours,
            worth,
            by_team,
            invoice,
            paid: settled_of(None, Some(partner.id)),
            agreement: crate::domain::close::partner_agreement_in_force(&agreements, partner.id, quarter),
        });
    }
    Ok(Statement {
        network: network.name.clone(),
        region: network.region.name().to_string(),
        municipality: network.municipality.clone(),
        former_gez_owz: network.former_gez_owz,
        quarter,
        today,
        closed,
        practice_team_money,
        practices,
        partners: partner_rows,
        payments,
        budget,
        open_items,
    })
}

/// One cell of the statement's tables, written as text, or as a number cell in the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Euro(Decimal),
    Hours(Decimal),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Euro(amount) => format_eur(*amount),
            Self::Hours(hours) => crate::domain::dutch::number(*hours),
        }
    }
}

/// A part of the statement's layout, shared by the text (and so the PDF) and the workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Line(String),
    /// A table: its column titles (right-aligned when numeric) and rows; the last row is bold when `total`.
    Table {
        columns: Vec<(String, bool)>,
        rows: Vec<Vec<Cell>>,
        total: bool,
    },
    /// A label and an amount.
    Figure(String, Decimal),
    Blank,
}

/// The month's Dutch abbreviation: jan, feb, mrt, apr, mei, jun, jul, aug, sep, okt, nov, dec.
fn month_short(month: crate::domain::YearMonth) -> String {
    const SHORT: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    SHORT.get((month.month() as usize).saturating_sub(1)).copied().unwrap_or("").to_string()
}

/// The statement laid out in blocks, in the order it is printed.
pub fn layout(s: &Statement) -> Vec<Block> {
    let q = s.quarter;
    let mut blocks = vec![
        Block::Title(format!("Samenwerken in de wijk — kwartaaloverzicht {q}")),
        Block::Line(format!(
            "Netwerk {}{} · regio {} · gemeente {}",
            s.network,
            if s.former_gez_owz { " (voormalig GEZ/OWZ)" } else { "" },
            s.region,
            s.municipality
        )),
        Block::Line(format!(
            "Kwartaal {q}: {} t/m {} · {}",
            format_date(q.first_day()),
            format_date(q.last_day()),
            match &s.closed {
                Some((batch, day)) => format!("afgesloten op {}, batch {batch}", format_date(*day)),
                None => "open: de betalingen zijn gepland, nog niet gedaan".to_string(),
            }
        )),
        Block::Line(format!("Gemaakt op {}", format_date(s.today))),
        Block::Blank,
        Block::Title(format!("Praktijkteamgeld {q}")),
    ];
    let mut rows: Vec<Vec<Cell>> = s
        .practices
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.name.clone()),
                Cell::Text(format!("{} %", crate::domain::dutch::number(p.share))),
                Cell::Euro(p.amount),
                Cell::Euro(p.paid),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text("totaal".into()),
        Cell::Text(String::new()),
        Cell::Euro(s.practice_team_money),
        Cell::Euro(s.practices.iter().map(|p| p.paid).sum()),
    ]);
    blocks.push(Block::Table {
        columns: cols(&[("praktijk", false), ("aandeel", true), ("bedrag", true), ("betaald", true)]),
        rows,
        total: true,
    });
    blocks.push(Block::Blank);
    blocks.push(Block::Title(format!("Partners {q}")));
    if s.partners.is_empty() {
        blocks.push(Block::Line("geen partners".into()));
    } else {
        let mut columns = vec![("partner".to_string(), false)];
        columns.extend(q.months().map(|m| (month_short(m), true)));
        columns.extend(cols(&[
            ("uren", true),
            ("waarde", true),
            ("factuur", false),
            ("gefactureerd", true),
            ("betaald", true),
        ]));
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for p in &s.partners {
            let mut row =
                vec![Cell::Text(if p.agreement { p.name.clone() } else { format!("{} (geen overeenkomst)", p.name) })];
            row.extend(p.hours.map(Cell::Hours));
            row.push(Cell::Hours(p.hours.iter().sum()));
            row.push(Cell::Euro(p.worth));
            match &p.invoice {
                Some((number, amount, state)) => {
                    row.push(Cell::Text(format!("{number} ({state})")));
                    row.push(Cell::Euro(*amount));
                }
                None => {
                    row.push(Cell::Text("geen".into()));
                    row.push(Cell::Text(String::new()));
                }
            }
            row.push(Cell::Euro(p.paid));
            rows.push(row);
        }
        let mut total = vec![Cell::Text("totaal".into())];
        total.extend((0..3).map(|m| Cell::Hours(s.partners.iter().map(|p| p.hours[m]).sum())));
        total.push(Cell::Hours(s.partners.iter().flat_map(|p| p.hours).sum()));
        total.push(Cell::Euro(s.partners.iter().map(|p| p.worth).sum()));
        total.push(Cell::Text(String::new()));
        total.push(Cell::Euro(s.partners.iter().filter_map(|p| p.invoice.as_ref()).map(|i| i.1).sum()));
        total.push(Cell::Euro(s.partners.iter().map(|p| p.paid).sum()));
        rows.push(total);
        blocks.push(Block::Table { columns, rows, total: true });
        for p in s.partners.iter().filter(|p| !p.by_team.is_zero()) {
            blocks.push(Block::Line(format!(
                "{}: uren betaald door het praktijkteam {} (niet gefactureerd)",
                p.name,
                format_eur(p.by_team)
            )));
        }
    }
    blocks.push(Block::Blank);
    blocks.push(Block::Title("Betalingen".into()));
    if s.payments.is_empty() {
        blocks.push(Block::Line("geen betalingen".into()));
    } else {
        let rows = s
            .payments
            .iter()
            .map(|p| {
                let status = match (p.settled, &p.bank, p.reopened) {
                    (Settled::Paid, _, true) if !p.went_out => {
                        "niet uitbetaald: heropend vóór het betaalbestand".into()
                    }
                    (Settled::Paid, LineState::Paid { date, .. }, _) => format!("betaald, bank {}", format_date(*date)),
                    (Settled::Paid, LineState::Returned { date, reason, .. }, _) => {
                        format!("teruggeboekt {} ({reason})", format_date(*date))
                    }
                    (settled, _, true) => format!("{} (batch heropend)", settled.dutch_label()),
                    (settled, _, false) => settled.dutch_label().to_string(),
                };
                vec![
                    Cell::Text(p.payee.clone()),
                    Cell::Text(p.kind.dutch_label().into()),
                    Cell::Euro(p.amount),
                    Cell::Text(status),
                    Cell::Text(p.batch.clone().unwrap_or_default()),
                    Cell::Text(p.date.map(format_date).unwrap_or_default()),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            columns: cols(&[
                ("begunstigde", false),
                ("soort", false),
                ("bedrag", true),
                ("status", false),
                ("batch", false),
                ("datum", false),
            ]),
            rows,
            total: false,
        });
        blocks.push(Block::Figure("Betaald (batches)".into(), s.settled_total()));
        if s.closed.is_none() {
            blocks.push(Block::Figure("Gepland".into(), s.planned_total()));
        }
    }
    blocks.push(Block::Blank);
    let b = &s.budget;
    blocks.push(Block::Title(format!("Partnerbudget {}", b.year)));
    blocks.push(Block::Figure("Partnerbudget".into(), b.partner_budget));
    blocks.push(Block::Figure("Besteed".into(), b.partner_spent));
    blocks.push(Block::Figure("Resterend".into(), b.partner_remaining));
    blocks.push(Block::Figure("Betaald door praktijkteam".into(), b.paid_by_practice_team));
    blocks.push(Block::Figure(format!("Praktijkteamgeld {}", b.year), b.practice_team_budget));
    blocks.push(Block::Blank);
    blocks.push(Block::Title("Open punten".into()));
    if s.open_items.is_empty() {
        blocks.push(Block::Line("geen".into()));
    }
    blocks.extend(s.open_items.iter().map(|item| Block::Line(format!("- {item}"))));
    blocks
}

fn cols(columns: &[(&str, bool)]) -> Vec<(String, bool)> {
    columns.iter().map(|(t, r)| ((*t).to_string(), *r)).collect()
}

/// The statement as aligned Dutch text: what `--format txt` prints and what the PDF shows.
pub fn render_text(s: &Statement) -> String {
    let blocks = layout(s);
    let width = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Figure(label, _) => Some(label.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for block in &blocks {
        match block {
            Block::Title(title) => {
                out.push_str(title);
                out.push('\n');
                out.push_str(&"=".repeat(title.chars().count()));
                out.push('\n');
            }
            Block::Line(line) => {
                out.push_str(line);
                out.push('\n');
            }
            Block::Table { columns, rows, .. } => {
                let titles: Vec<(&str, bool)> = columns.iter().map(|(t, r)| (t.as_str(), *r)).collect();
                let mut table = Table::new(&titles);
                for row in rows {
                    table.push(row.iter().map(Cell::text).collect());
                }
                out.push_str(&table.render());
            }
            Block::Figure(label, amount) => {
                out.push_str(&format!("{label:<width$}  {:>14}\n", format_eur(*amount)));
            }
            Block::Blank => out.push('\n'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_the_networks_name_in_plain_letters_and_the_quarter() {
        let q2 = Quarter::parse("2025-Q2").unwrap();
        assert_eq!(file_name("Zwolle-Zuid", q2, StatementFormat::Pdf), "overzicht-zwolle-zuid-2025-Q2.pdf");
        assert_eq!(
            file_name(" Wijk Noord/Zuïd (oud) ", q2, StatementFormat::Xlsx),
            "overzicht-wijk-noord-zuid-oud-2025-Q2.xlsx"
        );
        assert_eq!(file_name("../..", q2, StatementFormat::Txt), "overzicht-netwerk-2025-Q2.txt");
        assert!(crate::app::files::check_file_name(&file_name("../../etc", q2, StatementFormat::Pdf)).is_ok());
    }
}
