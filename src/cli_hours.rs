//! `sidw hours …`: every change the screen makes to hours, scriptable, through the same store
//! functions (the cell through `Store::set_cell`, nihil through `mark_nihil`/`unmark_nihil`).

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use rust_decimal::Decimal;
use std::io::Write;

use crate::domain::money::format_eur;
use crate::domain::validate::{Agb, check_correction_hours, parse_cell_hours, parse_decimal, parse_hours};
use crate::domain::{HoursEntryId, Network, Partner, Quarter, YearMonth};
use crate::report::Format;
use crate::store::{CellChange, ChangeContext, NewHours, Store};

const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Gebruik: {usage}

{all-args}{after-help}";

#[derive(Debug, Subcommand)]
pub enum HoursCommand {
    /// De urenregels en nihil-maanden van een netwerk en kwartaal
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    List {
        /// Het netwerk (naam)
        #[arg(long, value_name = "NAAM")]
        network: String,
        /// Het kwartaal, bijvoorbeeld 2025-Q2
        #[arg(long, value_name = "JJJJ-QN", value_parser = Quarter::parse)]
        quarter: Quarter,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Zet een cel zoals op het scherm: 0 = nihil, meer = de uren van de maand (één regel)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Set {
        #[arg(long, value_name = "NAAM")]
        network: String,
        /// De partner: naam of AGB-code
        #[arg(long, value_name = "NAAM|AGB")]
        partner: String,
        /// De maand, bijvoorbeeld 2025-04
        #[arg(long, value_name = "JJJJ-MM", value_parser = YearMonth::parse)]
        month: YearMonth,
        /// Uren, bijvoorbeeld 1,5 (0 = nihil: formulier ontvangen, geen uren)
        #[arg(long, value_name = "UREN", value_parser = parse_cell)]
        hours: Decimal,
        /// Past de verhoging niet in het partnerbudget: de verhoging als eigen regel, betaald door het praktijkteam
        #[arg(long)]
        by_team_increase: bool,
        /// Apotheek of sportcoach: toch uit de € 1,15 betalen (dubbelfinanciering bevestigd)
        #[arg(long)]
        confirm_double_funding: bool,
        /// Wie het wijzigt (komt in het logboek)
        /// Wie het doet (standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Voeg een extra urenregel toe (bijvoorbeeld een andere activiteit)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Add {
        #[arg(long, value_name = "NAAM")]
        network: String,
        #[arg(long, value_name = "NAAM|AGB")]
        partner: String,
        #[arg(long, value_name = "JJJJ-MM", value_parser = YearMonth::parse)]
        month: YearMonth,
        /// Uren, meer dan 0, bijvoorbeeld 1,5 (een correctie ook min: --hours=-1,5)
        #[arg(long, value_name = "UREN", value_parser = parse_line_hours, allow_negative_numbers = true)]
        hours: Decimal,
        #[arg(long, value_name = "TEKST", default_value = "")]
        activity: String,
        /// Betaald door het praktijkteam (niet uit het partnerbudget)
        #[arg(long)]
        by_team: bool,
        #[arg(long)]
        confirm_double_funding: bool,
        /// Een correctie van urenregel NUMMER uit een afgesloten kwartaal (nummer uit 'sidw hours
        /// list'), in een maand van een later, open kwartaal
        #[arg(long, value_name = "NUMMER")]
        corrects: Option<u64>,
        /// Wie het doet (standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Markeer een maand als nihil (formulier ontvangen, geen uren), of haal de markering weg
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Nihil {
        #[arg(long, value_name = "NAAM")]
        network: String,
        #[arg(long, value_name = "NAAM|AGB")]
        partner: String,
        #[arg(long, value_name = "JJJJ-MM", value_parser = YearMonth::parse)]
        month: YearMonth,
        /// Haal de nihil-markering weg
        #[arg(long)]
        remove: bool,
        /// Wie het doet (standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Verwijder een urenregel (nummer uit 'sidw hours list')
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Delete {
        #[arg(long, value_name = "NUMMER")]
        line: u64,
        /// Wie het doet (standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
}

fn parse_cell(text: &str) -> Result<Decimal, String> {
    parse_cell_hours(text).map_err(|e| e.message)
}

/// The hours of a line: more than 0, or for a correction (`--corrects`) also less (the store
/// says which: the sign's rule is its own).
fn parse_line_hours(text: &str) -> Result<Decimal, String> {
    match parse_decimal(text) {
        Ok(hours) if hours < Decimal::ZERO => check_correction_hours(hours).map_err(|e| e.message),
        _ => parse_hours(text).map_err(|e| e.message),
    }
}

fn hours_text(hours: Decimal) -> String {
    hours.normalize().to_string().replace('.', ",")
}

/// The network of that name among the user's regions (the change's access): one elsewhere is
/// answered as one that does not exist (issue 16).
fn network(store: &Store, ctx: &ChangeContext, name: &str) -> Result<Network> {
    let scope = &ctx.access.scope;
    store
        .network_by_name(name)?
        .filter(|network| scope.contains(network.region))
        .with_context(|| crate::cli::env::no_network(name))
}

/// A partner of the network named by name (any case) or AGB code.
fn partner(store: &Store, network: &Network, named: &str) -> Result<Partner> {
    let agb = Agb::parse(named).ok();
    store
        .partners(network.id)?
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(named.trim()) || agb.as_ref().is_some_and(|a| *a == p.agb))
        .with_context(|| format!("partner '{named}' bestaat niet in {}", network.name))
}

/// Runs `sidw hours …` in the environment: who acts (`--user`, or the login; over ssh the user).
pub fn run(env: &mut crate::cli::Env, command: HoursCommand) -> Result<u8> {
    let user = match &command {
        HoursCommand::List { .. } => None,
        HoursCommand::Set { user, .. }
        | HoursCommand::Add { user, .. }
        | HoursCommand::Nihil { user, .. }
        | HoursCommand::Delete { user, .. } => user.clone(),
    };
    // The change's access also says what may be seen: a network (or hours line) outside the
    // user's regions is answered as one that does not exist.
    let ctx = env.context(user.as_deref())?;
    let store = env.open()?;
    run_on(&store, &mut *env.out, &ctx, command)?;
    Ok(0)
}

fn run_on(store: &Store, out: &mut dyn Write, ctx: &ChangeContext, command: HoursCommand) -> Result<()> {
    match command {
        HoursCommand::List { network: name, quarter, format } => list(store, out, ctx, &name, quarter, format),
        HoursCommand::Set {
            network: name,
            partner: named,
            month,
            hours,
            by_team_increase,
            confirm_double_funding,
            ..
        } => set(store, out, ctx, (&name, &named, month, hours), by_team_increase, confirm_double_funding),
        HoursCommand::Add {
            network: name,
            partner: named,
            month,
            hours,
            activity,
            by_team,
            confirm_double_funding,
            corrects,
            ..
        } => {
            let marks = Marks { by_team, confirm_double_funding, corrects: corrects.map(HoursEntryId) };
            add(store, out, ctx, (&name, &named, month, hours), activity, marks)
        }
        HoursCommand::Nihil { network: name, partner: named, month, remove, .. } => {
            let network = network(store, ctx, &name)?;
            let partner = partner(store, &network, &named)?;
            if remove {
                store.unmark_nihil(ctx, network.id, partner.id, month)?;
                writeln!(out, "Nihil-markering van {} {} verwijderd.", partner.name, month.dutch_name())?;
            } else {
                store.mark_nihil(ctx, network.id, partner.id, month)?;
                writeln!(out, "{} {}: nihil (formulier ontvangen, geen uren).", partner.name, month.dutch_name())?;
            }
            Ok(())
        }
        HoursCommand::Delete { line, .. } => {
            if line == 0 {
                bail!("urenregel 0 bestaat niet");
            }
            let id = HoursEntryId(line);
            let before = store.hours_entry(id)?;
            // A line of a network outside the user's regions: as the store says of a missing one.
            if !ctx.access.scope.contains(store.network(before.network)?.region) {
                return Err(crate::store::StoreError::NotFound(format!("urenregel {id}")).into());
            }
            store.delete_hours(ctx, id)?;
            writeln!(
                out,
                "Urenregel {line} ({} uur, {}) verwijderd.",
                hours_text(before.hours),
                before.month.dutch_name()
            )?;
            Ok(())
        }
    }
}

/// A quarter's lines with their partner's name and worth, and its nihil marks (partner, month).
struct Listing {
    lines: Vec<(crate::domain::HoursEntry, String, Decimal)>,
    nihil: Vec<(String, YearMonth)>,
}

fn list(
    store: &Store,
    out: &mut dyn Write,
    ctx: &ChangeContext,
    name: &str,
    quarter: Quarter,
    format: Format,
) -> Result<()> {
    let network = network(store, ctx, name)?;
    let partners = store.partners(network.id)?;
    let tariffs = store.tariff_book()?;
    let mut lines: Vec<_> =
        store.hours_of(network.id, quarter.year())?.into_iter().filter(|l| quarter.contains(l.month)).collect();
    lines.sort_by_key(|l| (l.month, l.partner, l.id));
    let name_of = |id| partners.iter().find(|p| p.id == id).map_or(String::new(), |p| p.name.clone());
    let mut listing = Listing { lines: Vec::new(), nihil: Vec::new() };
    for line in lines {
        let partner = partners.iter().find(|p| p.id == line.partner).context("partner van urenregel")?;
        let worth = line.worth(&tariffs, partner.category)?;
        listing.lines.push((line, partner.name.clone(), worth));
    }
    for mark in store.nihil_marks(network.id, quarter)? {
        listing.nihil.push((name_of(mark.partner), mark.month));
    }
    match format {
        Format::Json => list_json(out, &network.name, quarter, &listing),
        Format::Table | Format::Csv => list_table(out, format == Format::Csv, &listing),
    }
}

fn list_json(out: &mut dyn Write, network: &str, quarter: Quarter, listing: &Listing) -> Result<()> {
    let rows: Vec<_> = listing
        .lines
        .iter()
        .map(|(line, partner, worth)| {
            serde_json::json!({
                "line": line.id.0,
                "partner": partner,
                "month": line.month.to_string(),
                "hours": line.hours.normalize().to_string(),
                "worth": format!("{worth:.2}"),
                "activity": line.activity,
                "paid_by_practice_team": line.paid_by_practice_team,
                "double_funding_confirmed": line.double_funding_confirmed,
                "corrects": line.corrects.map(|c| c.0),
            })
        })
        .collect();
    let marks: Vec<_> = listing
        .nihil
        .iter()
        .map(|(partner, month)| serde_json::json!({"partner": partner, "month": month.to_string()}))
        .collect();
    let whole = serde_json::json!({
        "network": network,
        "quarter": quarter.to_string(),
        "lines": rows,
        "nihil": marks,
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&whole)?)?;
    Ok(())
}

fn list_table(out: &mut dyn Write, csv: bool, listing: &Listing) -> Result<()> {
    if csv {
        writeln!(out, "regel;partner;maand;uren;waarde;activiteit;praktijkteam;bevestigd")?;
    } else {
        writeln!(
            out,
            "{:>8}  {:<34} {:<8} {:>7} {:>12}  {:<3} {:<3} activiteit",
            "regel", "partner", "maand", "uren", "waarde", "pt", "df"
        )?;
    }
    let yes = |b: bool| if b { "ja" } else { "" };
    for (line, partner, worth) in &listing.lines {
        let (team, confirmed) = (yes(line.paid_by_practice_team), yes(line.double_funding_confirmed));
        if csv {
            let worth = format!("{worth:.2}").replace('.', ",");
            let (id, month, hours, activity) = (line.id.0, line.month, hours_text(line.hours), &line.activity);
            writeln!(out, "{id};{partner};{month};{hours};{worth};{activity};{team};{confirmed}")?;
        } else {
            writeln!(
                out,
                "{:>8}  {:<34} {:<8} {:>7} {:>12}  {:<3} {:<3} {}",
                line.id.0,
                partner,
                line.month.to_string(),
                hours_text(line.hours),
                format_eur(*worth),
                team,
                confirmed,
                line.activity
            )?;
        }
    }
    for (partner, month) in &listing.nihil {
        if csv {
            writeln!(out, ";{partner};{month};0;0,00;nihil;;")?;
        } else {
            writeln!(
                out,
                "{:>8}  {:<34} {:<8} {:>7} {:>12}  nihil (formulier ontvangen, geen uren)",
                "",
                partner,
                month.to_string(),
                "0",
                format_eur(Decimal::ZERO)
            )?;
        }
    }
    Ok(())
}

/// A cell: network, partner, month and hours.
type Cell<'a> = (&'a str, &'a str, YearMonth, Decimal);

fn set(
    store: &Store,
    out: &mut dyn Write,
    ctx: &ChangeContext,
    (name, named, month, hours): Cell,
    by_team_increase: bool,
    confirm_double_funding: bool,
) -> Result<()> {
    let network = network(store, ctx, name)?;
    let partner = partner(store, &network, named)?;
    let change = CellChange {
        network: network.id,
        partner: partner.id,
        month,
        hours: Some(hours),
        by_team_increase,
        double_funding_confirmed: confirm_double_funding,
    };
    let outcome = store.set_cell(ctx, &change)?;
    if hours.is_zero() {
        writeln!(out, "{} {}: nihil (formulier ontvangen, geen uren).", partner.name, month.dutch_name())?;
    } else {
        let by_team: Decimal = outcome.after.lines.iter().filter(|l| l.paid_by_practice_team).map(|l| l.hours).sum();
        let team = if by_team.is_zero() {
            String::new()
        } else {
            format!(", waarvan {} uur betaald door het praktijkteam", hours_text(by_team))
        };
        writeln!(out, "{} {}: {} uur{team}.", partner.name, month.dutch_name(), hours_text(hours))?;
    }
    Ok(())
}

/// How a line added by `sidw hours add` is marked.
struct Marks {
    by_team: bool,
    confirm_double_funding: bool,
    /// A correction: the line of a closed quarter it corrects.
    corrects: Option<HoursEntryId>,
}

fn add(
    store: &Store,
    out: &mut dyn Write,
    ctx: &ChangeContext,
    (name, named, month, hours): Cell,
    activity: String,
    marks: Marks,
) -> Result<()> {
    let network = network(store, ctx, name)?;
    let partner = partner(store, &network, named)?;
    if let Some(corrected) = marks.corrects {
        // A line of a network outside the user's regions: as the store says of a missing one.
        let visible = store.hours_entry(corrected).ok().filter(|l| l.network == network.id);
        if visible.is_none() {
            return Err(crate::store::StoreError::NotFound(format!("gecorrigeerde urenregel {corrected}")).into());
        }
    }
    let line = store.add_hours(
        ctx,
        &NewHours {
            network: network.id,
            partner: partner.id,
            month,
            hours,
            activity,
            paid_by_practice_team: marks.by_team,
            double_funding_confirmed: marks.confirm_double_funding,
            corrects: marks.corrects,
        },
    )?;
    writeln!(
        out,
        "Urenregel {} toegevoegd: {} {} {} uur.",
        line.id.0,
        partner.name,
        month.dutch_name(),
        hours_text(line.hours)
    )?;
    Ok(())
}
