//! The command line: `sidw [--db MAP] [OPDRACHT]`.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::report::{self, Format};
use crate::store::{ChangeContext, Store};

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
}

/// Runs the command line and returns the process exit code: 0 when all went well, 1 on an error
/// or when `check` found problems, 2 on a usage error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("sidw: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let path = database_path(cli.global.db)?;
    match cli.command {
        None => {
            let store = open(&path)?;
            crate::term::run(store)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo) => {
            let store = open(&path)?;
            let ctx = ChangeContext::local_now();
            crate::demo::load(&store, &ctx, ctx.at.date_naive())?;
            println!("Demogegevens geladen in {}.", store.path().display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report { report: ReportCommand::Budget { year, network, format } }) => {
            let store = open(&path)?;
            let rows = report::budget::rows(&store, year, network.as_deref())?;
            print!("{}", report::budget::render(&rows, format));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check) => {
            let store = open(&path)?;
            let report = store.check()?;
            let counts: Vec<String> = report.counts.iter().map(|(tree, n)| format!("{tree}: {n}")).collect();
            if report.is_ok() {
                println!("Database {} is in orde ({}).", store.path().display(), counts.join(", "));
                Ok(ExitCode::SUCCESS)
            } else {
                println!("Database {}: {} problemen gevonden:", store.path().display(), report.problems.len());
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

fn open(path: &std::path::Path) -> Result<Store> {
    Ok(Store::open(path)?)
}
