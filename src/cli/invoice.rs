//! `sidw invoice …`: partner invoices from the command line, through the same store functions the
//! screen uses (`add_invoice`, `decide_invoice`, `delete_invoice`), so a finance officer can script a
//! quarter and every rule answers as it does on the screen.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::invoice::{InvoiceMatch, match_invoice};
use crate::domain::money::{format_eur, format_plain};
use crate::domain::validate::{Agb, parse_amount};
use crate::domain::{Invoice, InvoiceDecision, InvoiceId, Network, Partner, Quarter};
use crate::report::Table;
use crate::store::Store;

use super::{Env, HELP_TEMPLATE, usage};

#[derive(Debug, Subcommand)]
pub(super) enum InvoiceCommand {
    /// Leg een ontvangen factuur vast (een nummer één keer per partner)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Add {
        #[command(flatten)]
        which: Which,
        /// Het factuurnummer, zoals op de factuur
        #[arg(long, value_name = "NUMMER")]
        number: String,
        /// De factuurdatum (dd-mm-jjjj of jjjj-mm-dd)
        #[arg(long, value_name = "DATUM")]
        date: String,
        /// Het bedrag: 1450,00 of 1450.00 (ook 1.450,00)
        #[arg(long, value_name = "BEDRAG", allow_hyphen_values = true)]
        amount: String,
        /// Wanneer de factuur binnenkwam (standaard vandaag)
        #[arg(long, value_name = "DATUM")]
        received: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Keur een factuur goed; een factuur die afwijkt van het urenformulier alleen met --reason
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Approve {
        #[command(flatten)]
        which: Which,
        /// Het factuurnummer (nodig als de partner meer facturen in het kwartaal heeft)
        #[arg(long, value_name = "NUMMER")]
        number: Option<String>,
        /// Waarom (verplicht bij een afwijking; komt in het logboek)
        #[arg(long, value_name = "TEKST", default_value = "")]
        reason: String,
        #[command(flatten)]
        out: Output,
    },
    /// Wijs een factuur af, altijd met een reden
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Reject {
        #[command(flatten)]
        which: Which,
        /// Het factuurnummer (nodig als de partner meer facturen in het kwartaal heeft)
        #[arg(long, value_name = "NUMMER")]
        number: Option<String>,
        /// Waarom (komt in het logboek)
        #[arg(long, value_name = "TEKST")]
        reason: String,
        #[command(flatten)]
        out: Output,
    },
    /// Verwijder een per vergissing vastgelegde factuur (alleen in een open kwartaal)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Delete {
        #[command(flatten)]
        which: Which,
        #[arg(long, value_name = "NUMMER")]
        number: String,
    },
    /// De facturen van een kwartaal: bedrag, urenformulier (de regels op de € 1,15), controle en besluit
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    List {
        /// Het kwartaal, bijvoorbeeld 2025-Q1
        #[arg(long, value_name = "JJJJ-QN")]
        quarter: String,
        /// Alleen dit netwerk (naam)
        #[arg(long, value_name = "NAAM")]
        network: Option<String>,
        /// Uitvoer: table of json
        #[arg(long, value_enum, default_value_t = InvoiceFormat::Table)]
        format: InvoiceFormat,
    },
}

/// Which partner's quarter: network, partner (name or AGB code), quarter, and who acts.
#[derive(Debug, Args)]
pub(super) struct Which {
    /// Het netwerk (naam)
    #[arg(long, value_name = "NAAM")]
    network: String,
    /// De partner: naam of AGB-code
    #[arg(long, value_name = "NAAM|AGB")]
    partner: String,
    /// Het kwartaal, bijvoorbeeld 2025-Q1
    #[arg(long, value_name = "JJJJ-QN")]
    quarter: String,
    /// Wie het doet (komt in het logboek; standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
    #[arg(long, value_name = "NAAM")]
    user: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct Output {
    /// Uitvoer: table (een zin) of json (de factuur met controle en besluit)
    #[arg(long, value_enum, default_value_t = InvoiceFormat::Table)]
    format: InvoiceFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum InvoiceFormat {
    Table,
    Json,
}

fn quarter(text: &str) -> Result<Quarter> {
    Quarter::parse(text).map_err(|e| usage(format!("--quarter: {e}")))
}

fn day(option: &str, text: &str) -> Result<NaiveDate> {
    parse_date(text).map_err(|e| usage(format!("{option}: {e}")))
}

/// Runs `sidw invoice …`: 0 when done, 1 on a refusal (the error), 2 when an option does not read.
pub(super) fn run(env: &mut Env, command: InvoiceCommand) -> Result<u8> {
    match command {
        InvoiceCommand::Add { which, number, date, amount, received, out } => {
            let quarter = quarter(&which.quarter)?;
            let date = day("--date", &date)?;
            let received = match received.as_deref() {
                Some(r) => day("--received", r)?,
                None => chrono::Local::now().date_naive(),
            };
            let amount = parse_amount(&amount).map_err(|e| usage(format!("--amount: {}", e.message)))?;
            let ctx = env.context(which.user.as_deref())?;
            let store = env.open()?;
            let (network, partner) = find(env, &store, &which)?;
            let draft = Invoice {
                id: InvoiceId(0),
                network: network.id,
                partner: partner.id,
                quarter,
                number,
                date,
                amount,
                received: Some(received),
                decision: InvoiceDecision::Open,
            };
            let saved = store.add_invoice(&ctx, &draft)?;
            let row = row(&store, &network, &partner, &saved)?;
            report(env, &row, out.format, &format!("Factuur {} vastgelegd: {}.", saved.number, row.check))?;
        }
        InvoiceCommand::Approve { which, number, reason, out } => {
            decide(env, &which, number.as_deref(), true, &reason, out.format)?;
        }
        InvoiceCommand::Reject { which, number, reason, out } => {
            decide(env, &which, number.as_deref(), false, &reason, out.format)?;
        }
        InvoiceCommand::Delete { which, number } => {
            let quarter = quarter(&which.quarter)?;
            let ctx = env.context(which.user.as_deref())?;
            let store = env.open()?;
            let (network, partner) = find(env, &store, &which)?;
            let invoice = invoice(&store, &network, &partner, quarter, Some(&number))?;
            store.delete_invoice(&ctx, network.id, invoice.id)?;
            writeln!(env.out, "Factuur {} van {} verwijderd.", invoice.number, partner.name)?;
        }
        InvoiceCommand::List { quarter: text, network, format } => list(env, &text, network, format)?,
    }
    Ok(0)
}

fn list(env: &mut Env, quarter_text: &str, network: Option<String>, format: InvoiceFormat) -> Result<()> {
    let quarter = quarter(quarter_text)?;
    let store = env.open()?;
    // A user with a list of regions sees only their networks' invoices (a named one elsewhere is
    // one that does not exist).
    let networks = match network {
        Some(name) => vec![env.network_named(&store, &name)?],
        None => store.networks()?,
    };
    let scope = env.access().scope;
    let networks: Vec<_> = networks.into_iter().filter(|n| scope.contains(n.region)).collect();
    let mut rows = Vec::new();
    for network in &networks {
        let partners = store.partners(network.id)?;
        for invoice in store.invoices_of(network.id, quarter)? {
            let partner = partners
                .iter()
                .find(|p| p.id == invoice.partner)
                .with_context(|| format!("partner {} van factuur {} bestaat niet", invoice.partner, invoice.number))?;
            rows.push(row(&store, network, partner, &invoice)?);
        }
    }
    write!(env.out, "{}", render(&rows, format, quarter)?)?;
    Ok(())
}

fn decide(
    env: &mut Env,
    which: &Which,
    number: Option<&str>,
    approve: bool,
    reason: &str,
    format: InvoiceFormat,
) -> Result<()> {
    let quarter = quarter(&which.quarter)?;
    let ctx = env.context(which.user.as_deref())?;
    let store = env.open()?;
    let (network, partner) = find(env, &store, which)?;
    let invoice = invoice(&store, &network, &partner, quarter, number)?;
    let decided = store.decide_invoice(&ctx, network.id, invoice.id, approve, reason)?;
    let row = row(&store, &network, &partner, &decided)?;
    let what = if approve { "goedgekeurd" } else { "afgewezen" };
    report(env, &row, format, &format!("Factuur {} van {} {what} ({}).", decided.number, partner.name, row.check))
}

/// The network by name (of the user's regions) and its partner by name (case and spaces do not matter) or AGB code.
fn find(env: &Env, store: &Store, which: &Which) -> Result<(Network, Partner)> {
    // A network outside the user's regions is one that does not exist: its partners are not told.
    let network = env.network_named(store, &which.network)?;
    let partners = store.partners(network.id)?;
    let wanted = which.partner.trim();
    if let Some(partner) = partners.iter().find(|p| p.name.trim().eq_ignore_ascii_case(wanted)) {
        return Ok((network, partner.clone()));
    }
    let by_agb: Vec<&Partner> = match Agb::parse(wanted) {
        Ok(agb) => partners.iter().filter(|p| p.agb == agb).collect(),
        Err(_) => Vec::new(),
    };
    match by_agb.as_slice() {
        [partner] => Ok((network, (*partner).clone())),
        [] => bail!("partner '{wanted}' bestaat niet in {} (noem de naam of de AGB-code)", network.name),
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "AGB-code {wanted} hoort in {} bij meerdere partners ({}); noem de naam",
                network.name,
                names.join(", ")
            )
        }
    }
}

/// The partner's invoice of the quarter: the one with `number`, or its only one.
fn invoice(
    store: &Store,
    network: &Network,
    partner: &Partner,
    quarter: Quarter,
    number: Option<&str>,
) -> Result<Invoice> {
    let invoices: Vec<Invoice> =
        store.invoices_of(network.id, quarter)?.into_iter().filter(|i| i.partner == partner.id).collect();
    match number {
        Some(number) => invoices
            .into_iter()
            .find(|i| i.number.eq_ignore_ascii_case(number.trim()))
            .with_context(|| format!("{} heeft geen factuur {} in {quarter}", partner.name, number.trim())),
        None => match invoices.len() {
            0 => bail!("{} heeft geen factuur in {quarter}", partner.name),
            1 => Ok(invoices.into_iter().next().expect("one invoice")),
            _ => {
                let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
                bail!(
                    "{} heeft {} facturen in {quarter}; kies er een met --number: {}",
                    partner.name,
                    numbers.len(),
                    numbers.join(", ")
                )
            }
        },
    }
}

/// One invoice as reported: amounts as plain strings (`1450.00`) in JSON.
#[derive(Debug, Serialize)]
struct Row {
    network: String,
    partner: String,
    agb: String,
    quarter: String,
    number: String,
    date: String,
    received: Option<String>,
    amount: String,
    /// The worth of the partner's quarter lines the invoice is checked against (the lines on
    /// the € 1,15; those paid by the practice team are not invoiced to the secretariat).
    checked_against: String,
    /// `klopt`, `te hoog` or `te laag`.
    #[serde(rename = "match")]
    matched: &'static str,
    /// Invoice minus lines: positive when too high, negative when too low.
    difference: String,
    /// `open`, `goedgekeurd` or `afgewezen`.
    decision: &'static str,
    reason: String,
    /// Will the close pay it as things stand?
    payable: bool,
    #[serde(skip)]
    check: String,
    #[serde(skip)]
    amount_nl: String,
    #[serde(skip)]
    against_nl: String,
}

fn row(store: &Store, network: &Network, partner: &Partner, invoice: &Invoice) -> Result<Row> {
    let worth = store.invoiced_worth(invoice)?;
    let matched = match_invoice(invoice.amount, worth);
    let (decision, reason) = match &invoice.decision {
        InvoiceDecision::Open => ("open", String::new()),
        InvoiceDecision::Approved { reason, .. } => ("goedgekeurd", reason.clone()),
        InvoiceDecision::Rejected { reason } => ("afgewezen", reason.clone()),
    };
    let difference = match matched {
        InvoiceMatch::Klopt => Decimal::ZERO,
        InvoiceMatch::TeHoog(d) => d,
        InvoiceMatch::TeLaag(d) => -d,
    };
    Ok(Row {
        network: network.name.clone(),
        partner: partner.name.clone(),
        agb: partner.agb.as_str().to_string(),
        quarter: invoice.quarter.to_string(),
        number: invoice.number.clone(),
        date: invoice.date.format("%Y-%m-%d").to_string(),
        received: invoice.received.map(|r| r.format("%Y-%m-%d").to_string()),
        amount: format_plain(invoice.amount),
        checked_against: format_plain(worth),
        matched: match matched {
            InvoiceMatch::Klopt => "klopt",
            InvoiceMatch::TeHoog(_) => "te hoog",
            InvoiceMatch::TeLaag(_) => "te laag",
        },
        difference: format_plain(difference),
        decision,
        reason,
        payable: invoice.is_payable(worth),
        check: format!("{} tegen urenformulier {}", matched.dutch(), format_eur(worth)),
        amount_nl: format_eur(invoice.amount),
        against_nl: format_eur(worth),
    })
}

fn report(env: &mut Env, row: &Row, format: InvoiceFormat, sentence: &str) -> Result<()> {
    match format {
        InvoiceFormat::Table => writeln!(env.out, "{sentence}")?,
        InvoiceFormat::Json => writeln!(env.out, "{}", serde_json::to_string_pretty(row)?)?,
    }
    Ok(())
}

fn render(rows: &[Row], format: InvoiceFormat, quarter: Quarter) -> Result<String> {
    Ok(match format {
        InvoiceFormat::Json => serde_json::to_string_pretty(rows)? + "\n",
        InvoiceFormat::Table if rows.is_empty() => format!("Geen facturen in {quarter}.\n"),
        InvoiceFormat::Table => {
            let mut table = Table::new(&[
                ("Netwerk", false),
                ("Partner", false),
                ("Factuur", false),
                ("Datum", false),
                ("Bedrag", true),
                ("Urenformulier", true),
                ("Controle", false),
                ("Besluit", false),
                ("Reden", false),
            ]);
            for row in rows {
                let date = NaiveDate::parse_from_str(&row.date, "%Y-%m-%d").map(format_date).unwrap_or_default();
                let mut check = row.matched.to_string();
                if row.matched != "klopt" {
                    check =
                        format!("{} {check}", format_eur(row.difference.parse::<Decimal>().unwrap_or_default().abs()));
                }
                let decision = if row.decision == "goedgekeurd" && !row.payable {
                    "goedkeuring vervallen (uren gewijzigd)".to_string()
                } else {
                    row.decision.to_string()
                };
                table.push(vec![
                    row.network.clone(),
                    row.partner.clone(),
                    row.number.clone(),
                    date,
                    row.amount_nl.clone(),
                    row.against_nl.clone(),
                    check,
                    decision,
                    row.reason.clone(),
                ]);
            }
            let mut out = table.render();
            let count = if rows.len() == 1 { "1 factuur".to_string() } else { format!("{} facturen", rows.len()) };
            out.push_str(&format!("\n{count}, {} te betalen\n", rows.iter().filter(|r| r.payable).count()));
            out
        }
    })
}
