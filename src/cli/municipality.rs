//! `sidw municipality …`: the municipality list (issue 17) from the command line. The work is in
//! `municipal_list` (sidw-app); this file reads the options.

use anyhow::Result;
use clap::Subcommand;

use super::{Env, HELP_TEMPLATE, usage};
use crate::domain::calendar::parse_date;
use crate::domain::municipality_list::{Municipality, parse_cbs_code, parse_medrie_region};

#[derive(Debug, Subcommand)]
pub(super) enum MunicipalityCommand {
    /// Toon de gemeentetabel: de gemeenten van de Medrie-regio's en de samengevoegde (--all: alle)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    List {
        /// Ook de gemeenten buiten de Medrie-regio's
        #[arg(long)]
        all: bool,
    },
    /// Voeg een gemeente toe aan de tabel (rol admin, alle regio's), bv. Raalte
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Add {
        /// De naam van de gemeente
        #[arg(long, value_name = "NAAM")]
        name: String,
        /// De CBS-code, vier cijfers (bv. 0177)
        #[arg(long, value_name = "CODE")]
        cbs: Option<String>,
        /// De regio van Zilveren Kruis (S1), bv. IJsselvecht
        #[arg(long, value_name = "REGIO")]
        zk_region: Option<String>,
        /// De Medrie-regio: Zwolle, Flevoland of Hardenberg (leeg: geen)
        #[arg(long, value_name = "REGIO")]
        region: Option<String>,
        /// Wie toevoegt (komt in het logboek)
        #[arg(long, value_name = "GEBRUIKER")]
        user: Option<String>,
    },
    /// Leg een samenvoeging vast: de oude gemeenten gaan op in de nieuwe, vanaf een datum (rol admin)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Merge {
        /// Een oude gemeente (herhaal voor meer)
        #[arg(long = "old", value_name = "NAAM", required = true)]
        old: Vec<String>,
        /// De nieuwe gemeente (staat al in de tabel)
        #[arg(long, value_name = "NAAM")]
        into: String,
        /// Vanaf (dd-mm-jjjj of jjjj-mm-dd)
        #[arg(long, value_name = "DATUM")]
        from: String,
        /// Wie het vastlegt (komt in het logboek)
        #[arg(long, value_name = "GEBRUIKER")]
        user: Option<String>,
    },
}

pub(super) fn run(env: &mut Env, command: MunicipalityCommand) -> Result<u8> {
    match command {
        MunicipalityCommand::List { all } => {
            let scope = env.access().scope;
            let (store, _copy) = env.open_reading()?;
            write!(env.out, "{}", crate::municipal_list::list_text(&store, &scope, all)?)?;
        }
        MunicipalityCommand::Add { name, cbs, zk_region, region, user } => {
            let cbs =
                parse_cbs_code(cbs.as_deref().unwrap_or("")).map_err(|e| usage(format!("--cbs: {}", e.message)))?;
            let region = parse_medrie_region(region.as_deref().unwrap_or(""))
                .map_err(|e| usage(format!("--region: {}", e.message)))?;
            let zk: Vec<&str> = zk_region.as_deref().map(str::trim).filter(|z| !z.is_empty()).into_iter().collect();
            let municipality = Municipality::new(&name, cbs.as_deref(), &zk, region);
            let ctx = env.context(user.as_deref())?;
            let said = crate::municipal_list::add(&env.open()?, &ctx, &municipality)?;
            writeln!(env.out, "{said}")?;
        }
        MunicipalityCommand::Merge { old, into, from, user } => {
            let from = parse_date(&from).map_err(|e| usage(format!("--from: {e}")))?;
            let ctx = env.context(user.as_deref())?;
            let said = crate::municipal_list::merge(&env.open()?, &ctx, &old, &into, from)?;
            writeln!(env.out, "{said}")?;
        }
    }
    Ok(0)
}
