//! The command line: `sidw [--db MAP] [OPDRACHT]`.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::domain::Region;
use crate::report::{self, Format};
use crate::store::{ChangeContext, Store};

mod invoice;
mod municipality;
mod usage_nl;

const HELP_TEMPLATE: &str = "\
{before-help}{about-with-newline}
Gebruik: {usage}

{all-args}{after-help}";

/// sidw — administratie van Samenwerken in de wijk: netwerken, overeenkomsten, uren,
/// kwartaalbudgetten en betalingen.
#[derive(Debug, Parser)]
#[command(
    name = "sidw",
    version,
    override_usage = "sidw [--db MAP] [OPDRACHT]",
    help_template = HELP_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Opdrachten",
    subcommand_value_name = "OPDRACHT",
    next_help_heading = "Opties",
    after_help = "Zonder opdracht start sidw het scherm. De database staat standaard in de gegevensmap \
                  van de gebruiker (bijvoorbeeld ~/.local/share/sidw); --db of SIDW_DB kiest een andere."
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct GlobalOptions {
    /// Map van de database (anders $SIDW_DB, anders de gegevensmap van de gebruiker)
    #[arg(long, env = "SIDW_DB", global = true, value_name = "MAP")]
    db: Option<PathBuf>,
    /// Vervang een bestaand uitvoerbestand (--out, back-up); zonder dit weigert sidw
    #[arg(long, global = true)]
    overwrite: bool,
    /// Toon deze hulp
    #[arg(short, long, action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Toon de versie
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Vul een lege database met de demogegevens (tarieven 2025, netwerken in drie regio's, uren)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Demo,
    /// Rapporten over de database
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Rapporten",
        subcommand_value_name = "RAPPORT",
        next_help_heading = "Opties"
    )]
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// Controleer de database: alle records leesbaar, indexen kloppen, verdelingen tellen op tot 100 %
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Check,
    /// Sluit een kwartaal af voor één netwerk of alle netwerken van een regio (rol finance)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Close {
        /// Het kwartaal, bijvoorbeeld 2025-Q1
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        /// Eén netwerk (naam)
        #[arg(long, value_name = "NAAM", conflicts_with = "region", required_unless_present = "region")]
        network: Option<String>,
        /// Alle netwerken van een regio: Zwolle, Flevoland of Hardenberg
        #[arg(long, value_name = "REGIO")]
        region: Option<String>,
        /// Wie afsluit (komt in het logboek)
        #[arg(long, value_name = "NAAM")]
        user: String,
        /// Erken de waarschuwingen die erkenning vragen (netwerkbijeenkomst of wijkplan te laat);
        /// ze komen in het logboek
        #[arg(long)]
        acknowledge_warnings: bool,
    },
    /// Facturen van partners: vastleggen, goedkeuren, afwijzen, verwijderen en tonen
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Handelingen",
        subcommand_value_name = "HANDELING",
        next_help_heading = "Opties"
    )]
    Invoice {
        #[command(subcommand)]
        invoice: invoice::InvoiceCommand,
    },
    /// De gemeentetabel: tonen, een gemeente toevoegen, een samenvoeging vastleggen
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Handelingen",
        subcommand_value_name = "HANDELING",
        next_help_heading = "Opties"
    )]
    Municipality {
        #[command(subcommand)]
        municipality: municipality::MunicipalityCommand,
    },
    /// Uren vanaf de opdrachtregel: overzicht, cel zetten, regel toevoegen, nihil, verwijderen
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Opdrachten",
        subcommand_value_name = "OPDRACHT",
        next_help_heading = "Opties"
    )]
    Hours {
        #[command(subcommand)]
        hours: crate::cli_hours::HoursCommand,
    },
    /// Heropen het afgesloten kwartaal van een netwerk (rol finance, met reden)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Reopen {
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        #[arg(long, value_name = "NAAM")]
        network: String,
        #[arg(long, value_name = "NAAM")]
        user: String,
        /// Waarom (komt in het logboek; de eerdere batch blijft bewaard)
        #[arg(long, value_name = "TEKST")]
        reason: String,
    },
    /// Betaalbestanden van een afgesloten kwartaal
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Bestanden",
        subcommand_value_name = "BESTAND",
        next_help_heading = "Opties"
    )]
    Export {
        #[command(subcommand)]
        export: ExportCommand,
    },
    /// Bedien de database over SSH: iedere medewerker verbindt met ssh en krijgt het scherm
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Serve {
        /// Adres en poort
        #[arg(long, value_name = "ADRES:POORT", default_value = "127.0.0.1:2222")]
        listen: std::net::SocketAddr,
        /// Gebruikersbestand: GEBRUIKER ROL SLEUTELTYPE SLEUTEL [COMMENTAAR] per regel (standaard MAP.users)
        #[arg(long, value_name = "BESTAND")]
        users: Option<PathBuf>,
        /// Host key van de server; wordt bij de eerste start gemaakt (standaard MAP.host_key)
        #[arg(long, value_name = "BESTAND")]
        host_key: Option<PathBuf>,
    },
    /// Lees gegevens in: urenformulieren uit Excel (.xlsx) of CSV, alles of niets
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Gegevens",
        subcommand_value_name = "GEGEVENS",
        next_help_heading = "Opties"
    )]
    Import {
        #[command(subcommand)]
        import: ImportCommand,
    },
    /// Schrijf een leeg urenformulier voor een netwerk en kwartaal (.xlsx of .csv)
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Formulieren",
        subcommand_value_name = "FORMULIER",
        next_help_heading = "Opties"
    )]
    Template {
        #[command(subcommand)]
        template: TemplateCommand,
    },
    /// Schrijf alle records en het logboek naar één draagbaar, gecomprimeerd bestand met controlesom
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Backup {
        /// Het back-upbestand
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
    },
    /// Bouw een database op uit een back-up (in een nieuwe, lege map) en controleer hem
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Restore {
        /// Het back-upbestand
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
    },
    /// Instellingen
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Instellingen",
        subcommand_value_name = "INSTELLING",
        next_help_heading = "Opties"
    )]
    Settings {
        #[command(subcommand)]
        setting: SettingsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// De betalingen van een afgesloten kwartaal: SEPA pain.001 voor de bank of CSV voor de administratie
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Payments {
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        /// pain001 (pain.001.001.09, EPC 2023), pain001-03 (pain.001.001.03) of csv
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Het bestand dat wordt geschreven
        #[arg(long, value_name = "BESTAND")]
        out: PathBuf,
        /// Uitvoeringsdatum voor de bank (dd-mm-jjjj; standaard 1 maand na het kwartaal, of vandaag als dat later is)
        #[arg(long, value_name = "DATUM", value_parser = parse_day)]
        execution_date: Option<chrono::NaiveDate>,
        /// De betaalbatch (nodig als het kwartaal er meer heeft), bv. 2025-Q1-0001
        #[arg(long, value_name = "NUMMER")]
        batch: Option<String>,
    },
    /// Het jaar in Excel: een blad per regio met getallen als euro's en totalen
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Report {
        #[arg(long, value_name = "JJJJ", value_parser = clap::value_parser!(i32).range(2000..=2100))]
        year: i32,
        /// JAAR.xlsx
        #[arg(long, value_name = "BESTAND")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Een urenformulier: kolommen netwerk, partner of agb, maand, uren, activiteit
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Hours {
        /// .xlsx, of .csv (; of , gescheiden; UTF-8 of Windows-1252)
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
        /// Netwerk voor regels zonder netwerkkolom
        #[arg(long, value_name = "NAAM")]
        network: Option<String>,
        /// Alleen laten zien wat er zou worden ingelezen en wat het met de budgetten doet
        #[arg(long)]
        dry_run: bool,
    },
    /// De jaarlijkse ION-update: kolommen netwerk, praktijk of agb, ion, peildatum
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Practices {
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
        /// Alleen laten zien wat er zou worden ingelezen
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TemplateCommand {
    /// Het urenformulier: één regel per partner met getekende overeenkomst en maand, uren leeg
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Hours {
        #[arg(long, value_name = "NAAM")]
        network: String,
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        /// FORMULIER.xlsx of FORMULIER.csv
        #[arg(long, value_name = "BESTAND")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Pain001,
    #[value(name = "pain001-03")]
    Pain00103,
    Csv,
}

#[derive(Debug, Subcommand)]
enum SettingsCommand {
    /// De rekening van het secretariaat waarvan betaald wordt
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Account {
        #[arg(long, value_name = "NAAM")]
        name: String,
        #[arg(long, value_name = "IBAN")]
        iban: String,
        /// BIC van de eigen bank (optioneel)
        #[arg(long, value_name = "BIC")]
        bic: Option<String>,
    },
}

fn parse_quarter(text: &str) -> Result<crate::domain::Quarter, String> {
    crate::domain::Quarter::parse(text)
}

fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    crate::domain::calendar::parse_date(text)
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Per netwerk: praktijkteamgeld, partnerbudget, besteed, resterend en betaald door het praktijkteam
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Budget {
        /// Het jaar, bijvoorbeeld 2025
        #[arg(long, value_name = "JJJJ", value_parser = clap::value_parser!(i32).range(2000..=2100))]
        year: i32,
        /// Alleen dit netwerk (naam, hoofdletters maken niet uit)
        #[arg(long, value_name = "NAAM")]
        network: Option<String>,
        /// Uitvoer: table (Nederlandse bedragen), csv (; en decimale komma) of json
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// De betaalregels van een kwartaal: gepland zolang open, definitief na afsluiten
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Payments {
        /// Het kwartaal, bijvoorbeeld 2025-Q1
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        /// Uitvoer: table, csv of json
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Het jaarverslag voor de verzekeraar: betalingen, partnerbudget en mijlpalen per netwerk
    ///
    /// Per netwerk het ontvangen en geplande praktijkteamgeld, de betaalde en geplande partnerbetalingen,
    /// het partnerbudget met besteed, betaald door het praktijkteam en niet besteed, en de gehaalde en
    /// gemiste mijlpalen; met totalen per regio en in totaal.
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opties",
        after_help = "Ontvangen en betaald: de betaalbatches van afgesloten kwartalen (ook eerdere, heropende batches). \
                      Gepland: de betaalregels van kwartalen die nog open zijn. Mijlpalen: die met een termijn in het jaar, \
                      op tijd gehaald, of gemist (te laat of te laat gehaald) op --today."
    )]
    Year {
        /// Het jaar, bijvoorbeeld 2025
        #[arg(long, value_name = "JJJJ", value_parser = clap::value_parser!(i32).range(2000..=2100))]
        year: i32,
        /// Alleen deze regio: Zwolle, Flevoland of Hardenberg
        #[arg(long, value_name = "REGIO")]
        region: Option<String>,
        /// Uitvoer: table, csv (; en decimale komma), json of xlsx (Excel, een blad per regio en een totaalblad)
        #[arg(long, value_enum, default_value_t = report::year::YearFormat::Table)]
        format: report::year::YearFormat,
        /// Schrijf naar dit bestand in plaats van naar het scherm (xlsx: standaard jaarverslag-JJJJ.xlsx)
        #[arg(long, value_name = "BESTAND")]
        out: Option<PathBuf>,
        /// De dag waarop de mijlpalen worden beoordeeld (dd-mm-jjjj of jjjj-mm-dd; standaard vandaag)
        #[arg(long, value_name = "DATUM")]
        today: Option<String>,
    },
    /// Het logboek: wie wat wanneer wijzigde, met de gewijzigde velden oud → nieuw, oudste eerst
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opties",
        after_help = "De dagen zijn die waarop de wijziging werd opgeslagen (UTC), beide meegerekend. \
                      Eindigt met code 0, ook als er geen regels zijn (1 bij een fout, 2 bij een verkeerde opdracht)."
    )]
    Log {
        /// Vanaf deze dag (dd-mm-jjjj of jjjj-mm-dd)
        #[arg(long, value_name = "DATUM")]
        from: Option<String>,
        /// Tot en met deze dag (dd-mm-jjjj of jjjj-mm-dd)
        #[arg(long, value_name = "DATUM")]
        to: Option<String>,
        /// Alleen de wijzigingen van deze gebruiker (hoofdletters maken niet uit)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
        /// Uitvoer: table, csv (; en decimale komma) of json
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Schrijf naar dit bestand in plaats van naar het scherm
        #[arg(long, value_name = "BESTAND")]
        out: Option<PathBuf>,
    },
    /// Wat moet gebeuren of te laat is (de lijst Signalen), oudste termijn eerst: voor een dagelijkse e-mail
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opties",
        after_help = "Eindigt met code 0, of er nu signalen zijn of niet (1 bij een fout, 2 bij een verkeerde opdracht). \
                      Met --region blijven ook de signalen over het hele programma staan."
    )]
    Signals {
        /// De dag waarop de signalen gelden (dd-mm-jjjj of jjjj-mm-dd; standaard vandaag)
        #[arg(long, value_name = "DATUM")]
        today: Option<String>,
        /// Alleen deze regio (en het hele programma): Zwolle, Flevoland of Hardenberg
        #[arg(long, value_name = "REGIO")]
        region: Option<String>,
        /// Uitvoer: table, csv of json
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `--region` and `--today` of a report, read after clap so that a mistake is said in Dutch. A
/// mistake is a usage error (exit code 2), as clap's own are.
fn report_options(region: Option<&str>, today: Option<&str>) -> Result<(Option<Region>, NaiveDate), String> {
    let region = region.map(Region::parse).transpose().map_err(|e| e.to_string())?;
    let today = match today {
        Some(text) => crate::domain::calendar::parse_date(text).map_err(|e| format!("--today: {e}"))?,
        None => chrono::Local::now().date_naive(),
    };
    Ok((region, today))
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("sidw: {message}");
    ExitCode::from(2)
}

/// Runs the command line and returns the process exit code: 0 when all went well, 1 on an error
/// or when `check` found problems, 2 on a usage error.
pub fn main() -> ExitCode {
    owner_only_files();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_nl::report(error),
    };
    if !matches!(cli.command, None | Some(Command::Serve { .. })) {
        stop_quietly_on_a_closed_pipe();
    }
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("sidw: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whoever starts sidw, what it creates (database, backups, payment files, exports) can be read
/// only by that user: the database holds IBANs and money, the files go to the bank.
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn owner_only_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// A command whose output goes into a pipe that closes early (`sidw report payments | head`)
/// stops as every Unix tool does, by SIGPIPE, instead of panicking on the next line it prints.
/// Its changes are whole or absent either way: every change is one transaction. The screen and
/// the server keep Rust's default (ignored: a closed connection is an error they handle).
#[allow(unsafe_code, reason = "one libc call, see SAFETY")]
fn stop_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: sets the disposition of SIGPIPE back to the default before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let path = database_path(cli.global.db)?;
    let out_policy = crate::out_file::OutPolicy { overwrite: cli.global.overwrite, database: &path };
    match cli.command {
        None => {
            let store = open(&path)?;
            crate::term::run(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo) => {
            let store = open(&path)?;
            let ctx = ChangeContext::local_now();
            crate::demo::load(&store, &ctx, ctx.at.with_timezone(&chrono::Local).date_naive())?;
            println!("Demogegevens geladen in {}.", store.path().display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Budget { year, network, format } }) => {
            let (store, _copy) = open_reading(&path)?;
            let rows = report::budget::rows(&store, year, network.as_deref())?;
            print!("{}", report::budget::render(&rows, format));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Payments { quarter, format } }) => {
            let (store, _copy) = open_reading(&path)?;
            let rows = report::payments::rows(&store, quarter)?;
            print!("{}", report::payments::render(&rows, format));
            done_reading(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Year { year, region, format, out, today } }) => {
            let (region, today) = match report_options(region.as_deref(), today.as_deref()) {
                Ok(options) => options,
                Err(message) => return Ok(usage_error(&message)),
            };
            let (store, _copy) = open_reading(&path)?;
            let rows = report::year::rows(&store, year, region, today)?;
            match (format.text(), out) {
                (Some(format), None) => print!("{}", report::year::render(&rows, year, today, format)),
                (Some(format), Some(out)) => {
                    let text = report::year::render(&rows, year, today, format);
                    out_policy.write(&out, text.as_bytes())?;
                    println!(
                        "Geschreven: {} ({}).",
                        out.display(),
                        crate::domain::dutch::count(rows.len(), "netwerk", "netwerken")
                    );
                }
                (None, out) => {
                    let out = out.unwrap_or_else(|| PathBuf::from(format!("jaarverslag-{year}.xlsx")));
                    out_policy.write_with(&out, |temp| {
                        Ok(crate::office_files::write_year_workbook(&rows, year, region, temp)?)
                    })?;
                    println!(
                        "Geschreven: {} ({}, een blad per regio en een totaalblad).",
                        out.display(),
                        crate::domain::dutch::count(rows.len(), "netwerk", "netwerken")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Log { from, to, user, format, out } }) => {
            let day = |option: &str, text: Option<&str>| {
                text.map(|t| crate::domain::calendar::parse_date(t).map_err(|e| format!("{option}: {e}"))).transpose()
            };
            let (from, to) = match (day("--from", from.as_deref()), day("--to", to.as_deref())) {
                (Ok(from), Ok(to)) => (from, to),
                (Err(message), _) | (_, Err(message)) => return Ok(usage_error(&message)),
            };
            if let (Some(from), Some(to)) = (from, to)
                && from > to
            {
                return Ok(usage_error(&format!(
                    "--from ({}) ligt na --to ({})",
                    crate::domain::calendar::format_date(from),
                    crate::domain::calendar::format_date(to)
                )));
            }
            if user.as_deref().is_some_and(|u| u.trim().is_empty()) {
                return Ok(usage_error("--user is leeg: geef een gebruikersnaam"));
            }
            let (store, _copy) = open_reading(&path)?;
            let entries = report::log::rows(&store, from, to, user.as_deref().map(str::trim))?;
            let text = report::log::render(&entries, format);
            match out {
                None => print!("{text}"),
                Some(out) => {
                    out_policy.write(&out, text.as_bytes())?;
                    let noun = if entries.len() == 1 { "logboekregel" } else { "logboekregels" };
                    println!("Geschreven: {} ({} {noun}).", out.display(), entries.len());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Signals { today, region, format } }) => {
            let (region, today) = match report_options(region.as_deref(), today.as_deref()) {
                Ok(options) => options,
                Err(message) => return Ok(usage_error(&message)),
            };
            let (store, _copy) = open_reading(&path)?;
            let signals = report::signals::rows(&store, today, region)?;
            print!("{}", report::signals::render(&signals, format));
            done_reading(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Close { quarter, network, region, user, acknowledge_warnings }) => {
            let store = open(&path)?;
            let networks = match (network, region) {
                (Some(name), _) => {
                    vec![store.network_by_name(&name)?.with_context(|| format!("netwerk '{name}' bestaat niet"))?.id]
                }
                (None, Some(region)) => crate::store::region_networks(&store, crate::domain::Region::parse(&region)?)?,
                (None, None) => anyhow::bail!("noem --network of --region"),
            };
            let ctx = ChangeContext::new(user, chrono::Utc::now());
            let acknowledged = if acknowledge_warnings {
                let today = chrono::Local::now().date_naive();
                let texts = crate::store::to_acknowledge(&store.close_preview(&networks, quarter, today)?);
                for text in &texts {
                    println!("Erkend: {text}");
                }
                texts
            } else {
                Vec::new()
            };
            let batch = store.close_quarter(&ctx, &networks, quarter, &acknowledged)?;
            println!(
                "{quarter} afgesloten: batch {} met {}, totaal {}.",
                batch.number,
                crate::domain::dutch::count(batch.lines.len(), "betaling", "betalingen"),
                crate::domain::money::format_eur(batch.total())
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Invoice { invoice }) => invoice::run(|| open(&path), invoice),
        Some(Command::Municipality { municipality }) => municipality::run(|| open(&path), municipality),
        Some(Command::Hours { hours }) => {
            let store = open(&path)?;
            crate::cli_hours::run(&store, hours)
        }
        Some(Command::Reopen { quarter, network, user, reason }) => {
            let store = open(&path)?;
            let id = store.network_by_name(&network)?.with_context(|| format!("netwerk '{network}' bestaat niet"))?.id;
            store.reopen_quarter(&ChangeContext::new(user, chrono::Utc::now()), id, quarter, &reason)?;
            println!("{quarter} van {network} is heropend; de eerdere betaalbatch blijft bewaard.");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { export: ExportCommand::Payments { quarter, format, out, execution_date, batch } }) => {
            out_policy.check(&out)?;
            let store = open(&path)?;
            let now = chrono::Utc::now();
            let batch = report::export::choose_batch(&store, quarter, batch.as_deref())?;
            let (text, kind) = match format {
                ExportFormat::Csv => (report::export::csv(&batch), "csv"),
                ExportFormat::Pain001 | ExportFormat::Pain00103 => {
                    let version = if format == ExportFormat::Pain001 {
                        crate::payments::PainVersion::V09
                    } else {
                        crate::payments::PainVersion::V03
                    };
                    let today = now.with_timezone(&chrono::Local).date_naive();
                    let earliest = crate::domain::payment_timing::execution_date(quarter, today);
                    if let Some(asked) = execution_date.filter(|asked| *asked < earliest) {
                        anyhow::bail!(
                            "uitvoeringsdatum {} is te vroeg: {quarter} wordt betaald 1 maand na het kwartaal, \
                             niet in het verleden, dus op of na {}",
                            crate::domain::calendar::format_date(asked),
                            crate::domain::calendar::format_date(earliest)
                        );
                    }
                    (
                        report::export::pain001(&store, &batch, version, now, execution_date.unwrap_or(today))?,
                        version.name(),
                    )
                }
            };
            out_policy.write(&out, text.as_bytes())?;
            let earlier = report::export::record(
                &store,
                &ChangeContext::local_now(),
                &batch,
                &format!("{kind} → {}", out.display()),
            )?;
            println!(
                "Geschreven: {} (betaalbatch {}, {}).",
                out.display(),
                batch.number,
                crate::domain::money::format_eur(batch.total())
            );
            if let Some(earlier) = earlier {
                eprintln!(
                    "Let op: betaalbatch {} is al eerder geschreven ({earlier}); geef hem niet twee keer aan de bank.",
                    batch.number
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { export: ExportCommand::Report { year, out } }) => {
            let (store, _copy) = open_reading(&path)?;
            let networks = out_policy
                .write_with(&out, |temp| Ok(crate::office_files::write_budget_workbook(&store, year, temp)?))?;
            println!(
                "Geschreven: {} ({}, een blad per regio).",
                out.display(),
                crate::domain::dutch::count(networks, "netwerk", "netwerken")
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Settings { setting: SettingsCommand::Account { name, iban, bic } }) => {
            let store = open(&path)?;
            let settings = crate::store::records::PaymentSettings {
                debtor_name: name,
                debtor_iban: crate::domain::validate::Iban::parse(&iban)?,
                debtor_bic: bic.filter(|b| !b.trim().is_empty()),
            };
            store.save_payment_settings(&ChangeContext::local_now(), &settings)?;
            println!("Betaalrekening opgeslagen: {} {}.", settings.debtor_name, settings.debtor_iban);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Serve { listen, users, host_key }) => {
            let options = crate::serve::ServeOptions::beside(&path, listen, users, host_key);
            crate::serve::check_users_file(&options)?;
            let store = open_with(&path, Store::open_for_serving)?;
            crate::serve::run(store, options)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import { import: ImportCommand::Hours { file, network, dry_run } }) => {
            let store = open(&path)?;
            let table = crate::office_files::read_table(&file)?;
            let plan = crate::import::hours::plan(&store, &table, network.as_deref())?;
            for (row, problem) in &plan.problems {
                eprintln!("regel {row}: {problem}");
            }
            if !plan.is_ok() {
                anyhow::bail!(
                    "{} niet; er is niets ingelezen",
                    crate::domain::dutch::count(plan.problems.len(), "regel klopt", "regels kloppen")
                );
            }
            for line in &plan.lines {
                let hours = line.new.hours.normalize().to_string().replace('.', ",");
                let worth = crate::domain::money::format_eur(line.worth);
                println!(
                    "regel {}: {} / {} / {} {hours} uur = {worth}",
                    line.row, line.network, line.partner, line.new.month
                );
            }
            for e in &plan.effects {
                let fmt = crate::domain::money::format_eur;
                println!(
                    "{} {}: resterend {} − {} = {}",
                    e.network,
                    e.year,
                    fmt(e.remaining_before),
                    fmt(e.added),
                    fmt(e.remaining_after)
                );
            }
            if dry_run {
                println!(
                    "Proef: {} en {} zouden worden ingelezen; er is niets veranderd.",
                    crate::domain::dutch::count(plan.lines.len(), "regel", "regels"),
                    crate::domain::dutch::count(plan.nihil.len(), "nihil-maand", "nihil-maanden")
                );
            } else {
                let count = crate::import::hours::apply(&store, &ChangeContext::local_now(), &plan)?;
                match plan.nihil.len() {
                    0 => println!("{} ingelezen.", crate::domain::dutch::count(count, "urenregel", "urenregels")),
                    nihil => println!(
                        "{} en {} ingelezen.",
                        crate::domain::dutch::count(count, "urenregel", "urenregels"),
                        crate::domain::dutch::count(nihil, "nihil-maand", "nihil-maanden")
                    ),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import { import: ImportCommand::Practices { file, dry_run } }) => {
            let store = open(&path)?;
            let table = crate::office_files::read_table(&file)?;
            let plan = crate::import::practices::plan(&store, &table)?;
            for (row, problem) in &plan.problems {
                eprintln!("regel {row}: {problem}");
            }
            if !plan.problems.is_empty() {
                anyhow::bail!(
                    "{} niet; er is niets ingelezen",
                    crate::domain::dutch::count(plan.problems.len(), "regel klopt", "regels kloppen")
                );
            }
            for (row, network, practice, count, date) in &plan.counts {
                println!(
                    "regel {row}: {network} / {practice}: {count} ION per {}",
                    crate::domain::calendar::format_date(*date)
                );
            }
            if dry_run {
                println!("Proef: {} tellingen zouden worden ingelezen; er is niets veranderd.", plan.counts.len());
            } else {
                let count = crate::import::practices::apply(&store, &ChangeContext::local_now(), &plan)?;
                println!("{count} ION-tellingen ingelezen.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Template { template: TemplateCommand::Hours { network, quarter, out } }) => {
            let (store, _copy) = open_reading(&path)?;
            let id = store.network_by_name(&network)?.with_context(|| format!("netwerk '{network}' bestaat niet"))?.id;
            let rows = out_policy
                .write_with(&out, |temp| Ok(crate::office_files::write_template(&store, id, quarter, temp)?))?;
            println!(
                "Geschreven: {} ({}: partners met getekende overeenkomst × maanden).",
                out.display(),
                crate::domain::dutch::count(rows, "regel", "regels")
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Backup { file }) => {
            out_policy.check(&file)?;
            let (store, _copy) = open_reading_once(&path)?;
            let records = store.backup_to(&file)?;
            println!("Back-up geschreven: {} ({records} records en logboekregels).", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Restore { file }) => {
            let restored = crate::store::restore::restore_file(&path, &file)?;
            if !restored.report.is_ok() {
                for problem in &restored.report.problems {
                    println!("- {problem}");
                }
                anyhow::bail!(
                    "niet teruggezet: de controle vond {} in de back-up; {} is niet aangemaakt",
                    crate::domain::dutch::count(restored.report.problems.len(), "probleem", "problemen"),
                    path.display()
                );
            }
            println!("Teruggezet in {} en gecontroleerd: in orde.", restored.path.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check) => {
            let (store, _copy) = open_reading_once(&path)?;
            let report = store.check()?;
            let counts: Vec<String> = report.counts.iter().map(|(tree, n)| format!("{tree}: {n}")).collect();
            if report.is_ok() {
                println!("Database {} is in orde ({}).", path.display(), counts.join(", "));
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "Database {}: {} gevonden:",
                    path.display(),
                    crate::domain::dutch::count(report.problems.len(), "probleem", "problemen")
                );
                for problem in &report.problems {
                    println!("- {problem}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// `--db`, else `$SIDW_DB` (clap reads both), else `sidw` in the user's data directory.
fn database_path(explicit: Option<PathBuf>) -> Result<PathBuf> {
    match explicit {
        Some(path) => Ok(path),
        None => dirs::data_dir()
            .map(|dir| dir.join("sidw"))
            .context("geen gegevensmap gevonden voor deze gebruiker; geef --db MAP op"),
    }
}

/// Opens the database; a database served by `sidw serve` says how to connect instead.
fn open(path: &std::path::Path) -> Result<Store> {
    open_with(path, Store::open)
}

/// [`open`] with another way of opening the store (another page cache).
fn open_with(
    path: &std::path::Path,
    open_store: fn(&std::path::Path) -> Result<Store, crate::store::StoreError>,
) -> Result<Store> {
    match open_store(path) {
        Ok(store) => {
            // A marker left by a server that was killed: the database is free, so it is stale.
            let _ = std::fs::remove_file(crate::serve::marker_path(path));
            Ok(store)
        }
        Err(crate::store::StoreError::Locked { path }) => {
            match std::fs::read_to_string(crate::serve::marker_path(&path)) {
                Ok(marker) => {
                    let address = marker.lines().next().unwrap_or("").to_string();
                    let port = address.rsplit_once(':').map_or("2222", |(_, port)| port).to_string();
                    anyhow::bail!(
                        "de database in {} wordt bediend door 'sidw serve' op {address}; verbind met: ssh -p {port} GEBRUIKER@SERVER",
                        path.display()
                    )
                }
                Err(_) => Err(crate::store::StoreError::Locked { path }.into()),
            }
        }
        Err(crate::store::StoreError::Unreadable { path, reason }) if no_write_access(&reason) => anyhow::bail!(
            "u hebt geen schrijfrechten op de database in {}: wijzigen kan alleen met schrijfrechten. \
             Controleren (check), rapporten, sjablonen en back-ups hebben genoeg aan leesrechten",
            path.display()
        ),
        Err(crate::store::StoreError::Unreadable { path, reason }) if reason.contains("beschadigd") => {
            anyhow::bail!(
                "de database in {} kan niet worden geopend: {reason}. {}",
                path.display(),
                restore_hint(&path)
            )
        }
        Err(error) => Err(error.into()),
    }
}

/// Why opening failed says the files may not be written (read-only files or file system).
fn no_write_access(reason: &str) -> bool {
    reason.contains("systeemfout 13)") || reason.contains("systeemfout 30)") || reason.contains("systeemfout 1)")
}

/// Where the newest backup of a damaged database is, and how to restore it.
fn restore_hint(path: &std::path::Path) -> String {
    let dir = crate::serve::backups_dir(path);
    let newest = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "sidwbak")).max()
    });
    match newest {
        Some(backup) => format!(
            "De nieuwste back-up is {}; zet die terug in een nieuwe map: sidw --db NIEUWEMAP restore {}",
            backup.display(),
            backup.display()
        ),
        None => format!(
            "Er staat geen back-up in {}; zet een eigen back-up terug met: sidw --db NIEUWEMAP restore BESTAND",
            dir.display()
        ),
    }
}

/// Ends a command that read (and at most stored derived facts): everything is flushed to disk
/// and the database is closed, so that the next open finds it closed cleanly (a database left
/// open is repaired at its next open: half a second on ten years).
fn done_reading(store: Store) -> Result<()> {
    store.flush()?;
    drop(store);
    Ok(())
}

/// A copy of a database that may only be read, removed when dropped.
struct ReadingCopy(std::path::PathBuf);

impl Drop for ReadingCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens the database for a command that only reads: when the files may be read but not
/// written (the store always opens for writing), a private copy is opened instead, and the user is told.
fn open_reading(path: &std::path::Path) -> Result<(Store, Option<ReadingCopy>)> {
    open_reading_with(path, Store::open)
}

/// [`open_reading`] for a command that reads everything once (`backup`, `check`): a small cache.
fn open_reading_once(path: &std::path::Path) -> Result<(Store, Option<ReadingCopy>)> {
    open_reading_with(path, Store::open_for_one_pass)
}

fn open_reading_with(
    path: &std::path::Path,
    open_store: fn(&std::path::Path) -> Result<Store, crate::store::StoreError>,
) -> Result<(Store, Option<ReadingCopy>)> {
    match open_store(path) {
        Err(crate::store::StoreError::Unreadable { reason, .. }) if no_write_access(&reason) => {
            let copy = ReadingCopy(private_dir()?);
            copy_dir(path, &copy.0).with_context(|| {
                format!("kan de database in {} niet lezen (ook niet om te kopiëren)", path.display())
            })?;
            let store = open_store(&copy.0)?;
            eprintln!(
                "Let op: u mag de database in {} alleen lezen; sidw leest een kopie ervan (er wordt niets gewijzigd).",
                path.display()
            );
            Ok((store, Some(copy)))
        }
        Ok(store) => {
            let _ = std::fs::remove_file(crate::serve::marker_path(path));
            Ok((store, None))
        }
        Err(_) => Ok((open(path)?, None)),
    }
}

/// A new directory only this user can enter, under an unguessable name (never one that someone
/// else made first).
fn private_dir() -> Result<std::path::PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("sidw-lezen-{}-{nanos:09}-{attempt}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error).context("kan geen map maken voor een kopie om te lezen"),
        }
    }
    anyhow::bail!("kan geen map maken voor een kopie om te lezen")
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if !to.exists() {
        std::fs::create_dir(to)?;
    }
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            // The copy is this user's only, and writable for the store (the original may be 0444).
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}
