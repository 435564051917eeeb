//! The command line: `sidw [--db MAP] [OPDRACHT]`.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::domain::Region;
use crate::report::{self, Format};
use crate::store::{ChangeContext, Store};

mod bank;
mod close;
mod database;
pub mod env;
mod export;
mod import;
mod invoice;
mod mail;
mod municipality;
mod reports;
mod statement;
mod usage_nl;

pub use env::{Db, Env, Place, Usage, Who, usage};

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
        /// Wie afsluit (komt in het logboek; standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
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
    /// Wat de bank van een betaling zei met de hand corrigeren (een afschrift lees je in met import bank)
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Handelingen",
        subcommand_value_name = "HANDELING",
        next_help_heading = "Opties"
    )]
    Bank {
        #[command(subcommand)]
        bank: bank::BankCommand,
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
        /// Wie heropent (standaard de inlognaam, over ssh altijd de ingelogde gebruiker)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
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
    /// Lees gegevens in: urenformulieren (.xlsx of CSV), ION-tellingen, bankafschriften (camt.053)
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
    /// Herinneringen per e-mail: versturen (of --dry-run), sjablonen, afzenders, outbox
    #[command(
        help_template = HELP_TEMPLATE,
        subcommand_help_heading = "Opdrachten",
        subcommand_value_name = "OPDRACHT",
        next_help_heading = "Opties"
    )]
    Mail {
        #[command(subcommand)]
        mail: mail::MailCommand,
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
        /// .xlsx, of .csv (; of , gescheiden; UTF-8 of Windows-1252); - leest de invoer (stdin, met --format)
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
        /// Het soort bestand: csv of xlsx (standaard naar de extensie; nodig bij -)
        #[arg(long, value_enum)]
        format: Option<FormFormat>,
        /// Netwerk voor regels zonder netwerkkolom
        #[arg(long, value_name = "NAAM")]
        network: Option<String>,
        /// Alleen laten zien wat er zou worden ingelezen en wat het met de budgetten doet
        #[arg(long)]
        dry_run: bool,
    },
    /// Een bankafschrift (camt.053): betalingen als betaald of teruggeboekt markeren
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Bank {
        /// Het afschrift van de bank: camt.053.001.02 of .08 (XML)
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
        /// Alleen laten zien wat er zou worden ingelezen
        #[arg(long)]
        dry_run: bool,
    },
    /// De jaarlijkse ION-update: kolommen netwerk, praktijk of agb, ion, peildatum
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Practices {
        /// .xlsx of .csv; - leest de invoer (stdin, met --format)
        #[arg(value_name = "BESTAND")]
        file: PathBuf,
        /// Het soort bestand: csv of xlsx (standaard naar de extensie; nodig bij -)
        #[arg(long, value_enum)]
        format: Option<FormFormat>,
        /// Alleen laten zien wat er zou worden ingelezen
        #[arg(long)]
        dry_run: bool,
    },
}

/// The kind of a form file read: by its extension, or named (stdin has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormFormat {
    Csv,
    Xlsx,
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
    /// Het kwartaaloverzicht voor de kartrekker van een netwerk: geld, uren, betalingen, budget, open punten
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "Opties",
        after_help = "Het praktijkteamgeld en het aandeel van elke praktijk; per partner de uren per maand, de waarde, \
                      de factuur en wat betaald is (batch en datum); het partnerbudget van het jaar; de open punten \
                      (ontbrekende urenformulieren en facturen, overeenkomsten die op ondertekening wachten). \
                      xlsx en pdf gaan standaard naar overzicht-NETWERK-JJJJ-QN.xlsx/.pdf."
    )]
    Statement {
        /// Het netwerk (naam, hoofdletters maken niet uit)
        #[arg(long, value_name = "NAAM")]
        network: String,
        /// Het kwartaal, bijvoorbeeld 2025-Q2
        #[arg(long, value_name = "JJJJ-QN", value_parser = parse_quarter)]
        quarter: crate::domain::Quarter,
        /// Uitvoer: txt (tekst), xlsx (Excel) of pdf
        #[arg(long, value_enum, default_value_t = report::statement::StatementFormat::Txt)]
        format: report::statement::StatementFormat,
        /// Schrijf naar dit bestand (txt: in plaats van naar het scherm)
        #[arg(long, value_name = "BESTAND")]
        out: Option<PathBuf>,
        /// De dag waarop de open punten gelden (dd-mm-jjjj of jjjj-mm-dd; standaard vandaag)
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
fn report_options(region: Option<&str>, today: Option<&str>) -> Result<(Option<Region>, NaiveDate)> {
    let region = region.map(Region::parse).transpose().map_err(|e| usage(e.to_string()))?;
    let today = match today {
        Some(text) => crate::domain::calendar::parse_date(text).map_err(|e| usage(format!("--today: {e}")))?,
        None => chrono::Local::now().date_naive(),
    };
    Ok((region, today))
}

/// Runs the command line and returns the process exit code: 0 when all went well, 1 on an error
/// or when `check` found problems, 2 on a usage error. A command on a database that `sidw serve`
/// serves goes through the server's socket.
pub fn main() -> ExitCode {
    owner_only_files();
    let args: Vec<OsString> = std::env::args_os().collect();
    // Not locked for the whole run: `serve` prints from its other threads.
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let cli = match parse(&args, &mut out, &mut err) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    if !matches!(cli.command, None | Some(Command::Serve { .. })) {
        stop_quietly_on_a_closed_pipe();
    }
    let path = match database_path(cli.global.db.clone()) {
        Ok(path) => path,
        Err(error) => return ExitCode::from(failure(&error, &mut err)),
    };
    let (screen, reads_stdin) = (cli.command.is_none(), reads_stdin(&cli));
    let login = ChangeContext::local_now().user;
    let mut env = Env {
        out: &mut out,
        err: &mut err,
        stdin: Some(Box::new(std::io::stdin())),
        db: env::Db::Local(path.clone()),
        who: Who::Login(login.clone()),
        place: Place::Local { cwd: None },
        overwrite: cli.global.overwrite,
    };
    let code = match run(cli, &mut env) {
        Ok(code) => code,
        Err(error) if !screen && error.is::<ServedHere>() => {
            let _ = env.out.flush();
            let request = crate::serve::socket::Request { args: args[1..].to_vec(), cwd: None, user: login };
            crate::serve::socket::forward(&path, request, reads_stdin, &error.to_string())
        }
        Err(error) => failure(&error, env.err),
    };
    let _ = env.out.flush();
    ExitCode::from(code)
}

/// Parses `args` (the program name first); a usage error, the help or the version is written to
/// `out`/`err` and its exit code returned.
fn parse(args: &[OsString], out: &mut dyn Write, err: &mut dyn Write) -> Result<Cli, u8> {
    Cli::try_parse_from(args).map_err(|error| usage_nl::report(error, out, err))
}

/// Whether the command reads its file from stdin (`-`).
fn reads_stdin(cli: &Cli) -> bool {
    match &cli.command {
        Some(Command::Import {
            import:
                ImportCommand::Hours { file, .. } | ImportCommand::Practices { file, .. } | ImportCommand::Bank { file, .. },
        }) => file.as_os_str() == "-",
        Some(Command::Mail { mail }) => mail.reads_stdin(),
        _ => false,
    }
}

/// The message and exit code of a command that ended in an error: 2 for a usage error, else 1.
fn failure(error: &anyhow::Error, err: &mut dyn Write) -> u8 {
    if let Some(Usage(message)) = error.downcast_ref::<Usage>() {
        let _ = writeln!(err, "sidw: {message}");
        return 2;
    }
    let _ = writeln!(err, "sidw: {error:#}");
    1
}

/// How a command reaches the server: over SSH (a logged-in user, only their own folders) or
/// through the socket (an OS user of the server's machine, with its working directory).
pub enum Remote {
    Ssh,
    Socket,
}

/// Runs a command inside the serving process: `args` without the program name, in `env` (whose
/// database is the served store). What may not run there is refused with exit code 2.
pub fn execute(args: &[OsString], remote: &Remote, env: &mut Env) -> u8 {
    let mut argv = vec![OsString::from("sidw")];
    argv.extend(args.iter().cloned());
    let matches = match Cli::command().try_get_matches_from(&argv) {
        Ok(matches) => matches,
        Err(error) => return usage_nl::report(error, env.out, env.err),
    };
    let db_given = matches.value_source("db") == Some(clap::parser::ValueSource::CommandLine);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_nl::report(error, env.out, env.err),
    };
    env.overwrite = cli.global.overwrite;
    if let Some(refusal) = refused_remotely(&cli, remote, db_given) {
        return failure(&usage(refusal), env.err);
    }
    // Input is read only by a command given `-`: for any other the channel's data is let go
    // (an ssh client that keeps sending must not hold up the connection).
    if !reads_stdin(&cli) {
        env.stdin = None;
    }
    match run(cli, env) {
        Ok(code) => code,
        Err(error) => failure(&error, env.err),
    }
}

/// Why a command may not run inside the server, if it may not.
fn refused_remotely(cli: &Cli, remote: &Remote, db_given: bool) -> Option<String> {
    let served = "terwijl 'sidw serve' de database bedient";
    let what =
        match (&cli.command, remote) {
            (None, _) => return Some(
                "geef een opdracht, bijvoorbeeld: sidw report signals (het scherm krijgt u met ssh zonder opdracht)"
                    .into(),
            ),
            (Some(Command::Serve { .. }), _) => "serve",
            (Some(Command::Demo), _) => "demo",
            (Some(Command::Restore { .. }), Remote::Ssh) => "restore",
            _ if db_given && matches!(remote, Remote::Ssh) => {
                return Some("--db kan niet over ssh: u werkt altijd in de database van de server".into());
            }
            _ => return None,
        };
    Some(match remote {
        Remote::Ssh => format!("'{what}' kan niet over ssh; dat doet de beheerder op de server zelf"),
        Remote::Socket => format!("'{what}' kan niet {served}"),
    })
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

/// Runs one parsed command in its environment: the exit code, or the error (a [`Usage`] error
/// is exit code 2).
fn run(cli: Cli, env: &mut Env) -> Result<u8> {
    let Some(command) = cli.command else {
        let Db::Local(path) = &env.db else { anyhow::bail!("het scherm kan hier niet") };
        crate::term::run(open(path)?)?;
        return Ok(0);
    };
    match command {
        Command::Report { report } => reports::run(env, report),
        Command::Close { quarter, network, region, user, acknowledge_warnings } => {
            close::close(env, quarter, close::Which { network, region }, user.as_deref(), acknowledge_warnings)
        }
        Command::Reopen { quarter, network, user, reason } => {
            close::reopen(env, quarter, &network, user.as_deref(), &reason)
        }
        Command::Invoice { invoice } => invoice::run(env, invoice),
        Command::Hours { hours } => crate::cli_hours::run(env, hours),
        Command::Import { import } => import::run(env, import),
        Command::Export { export } => export::run(env, export),
        Command::Template { template: TemplateCommand::Hours { network, quarter, out } } => {
            export::template(env, &network, quarter, &out)
        }
        Command::Mail { mail } => mail::run(env, mail),
        Command::Municipality { municipality } => municipality::run(env, municipality),
        Command::Bank { bank } => bank::correct(env, bank),
        Command::Backup { file } => export::backup(env, &file),
        Command::Demo | Command::Check | Command::Restore { .. } | Command::Serve { .. } | Command::Settings { .. } => {
            database::run(env, command)
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

/// The database is served by `sidw serve` (its marker is there): the command goes through the
/// server's socket; the message says how to connect with ssh.
#[derive(Debug)]
struct ServedHere(String);

impl std::fmt::Display for ServedHere {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServedHere {}

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
                    Err(ServedHere(format!(
                        "de database in {} wordt bediend door 'sidw serve' op {address}; verbind met: ssh -p {port} GEBRUIKER@SERVER",
                        path.display()
                    ))
                    .into())
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

/// A private directory (a copy of a database that may only be read, or a file on its way to the
/// standard output), removed when dropped.
pub struct PrivateDir(std::path::PathBuf);

pub type ReadingCopy = PrivateDir;

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens the database for a command that only reads: when the files may be read but not
/// written (the store always opens for writing), a private copy is opened instead, and the user is told.
fn open_reading(path: &std::path::Path, err: &mut dyn Write) -> Result<(Store, Option<ReadingCopy>)> {
    open_reading_with(path, Store::open, err)
}

/// [`open_reading`] for a command that reads everything once (`backup`, `check`): a small cache.
fn open_reading_once(path: &std::path::Path, err: &mut dyn Write) -> Result<(Store, Option<ReadingCopy>)> {
    open_reading_with(path, Store::open_for_one_pass, err)
}

fn open_reading_with(
    path: &std::path::Path,
    open_store: fn(&std::path::Path) -> Result<Store, crate::store::StoreError>,
    err: &mut dyn Write,
) -> Result<(Store, Option<ReadingCopy>)> {
    match open_store(path) {
        Err(crate::store::StoreError::Unreadable { reason, .. }) if no_write_access(&reason) => {
            let copy = PrivateDir(private_dir()?);
            copy_dir(path, &copy.0).with_context(|| {
                format!("kan de database in {} niet lezen (ook niet om te kopiëren)", path.display())
            })?;
            let store = open_store(&copy.0)?;
            writeln!(
                err,
                "Let op: u mag de database in {} alleen lezen; sidw leest een kopie ervan (er wordt niets gewijzigd).",
                path.display()
            )?;
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
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("sidw-lezen-{}-{nanos:09}-{n}-{attempt}", std::process::id());
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
