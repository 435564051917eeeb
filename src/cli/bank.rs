//! `sidw import bank FILE`: a camt.053 bank statement read, matched to the exported payment
//! lines and shown; stored unless `--dry-run` (the work is in `sidw::import::bank`). The file
//! comes from where the environment allows (over ssh: `-` or a name in the user's imports).

use anyhow::Result;
use std::path::Path;

use super::Env;

pub(super) fn run(env: &mut Env, file: &Path, dry_run: bool) -> Result<u8> {
    let ctx = env.context(None)?;
    let (bytes, name) = env.input(file)?;
    let name = Path::new(&name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
    let store = env.open()?;
    let plan = crate::import::bank::plan(&store, &ctx, &name, &bytes)?;
    write!(env.out, "{}", crate::import::bank::render(&plan))?;
    writeln!(env.out, "{}", crate::import::bank::outcome(&store, &ctx, &plan, dry_run)?)?;
    Ok(0)
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum BankCommand {
    /// Zet met de hand wat de bank van één betaling zei (rol finance): een verkeerd gekoppelde
    /// regel van een afschrift, of wat de bank anders liet weten. Komt met de reden in het logboek.
    #[command(help_template = super::HELP_TEMPLATE, next_help_heading = "Opties")]
    Correct {
        /// De betaling: het kenmerk (end-to-end id) uit het betaalbestand, bv. 2025-Q2-0001-003
        #[arg(long, value_name = "KENMERK")]
        line: String,
        /// De juiste status: open (de bank zei er niets van), paid (betaald) of returned (teruggeboekt)
        #[arg(long, value_name = "STATUS", value_parser = ["open", "paid", "returned"])]
        state: String,
        /// De boekdatum van de bank (bij paid en returned; dd-mm-jjjj of jjjj-mm-dd)
        #[arg(long, value_name = "DATUM")]
        date: Option<String>,
        /// De reden van de terugboeking (bij returned), bv. AC04
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        /// Waarom de status anders moet (komt in het logboek)
        #[arg(long, value_name = "TEKST")]
        why: String,
        /// Wie corrigeert (komt in het logboek)
        #[arg(long, value_name = "GEBRUIKER")]
        user: Option<String>,
    },
}

/// `sidw bank correct`: one line's bank state set by hand (`Store::correct_bank_line`).
pub(super) fn correct(env: &mut Env, command: BankCommand) -> Result<u8> {
    use crate::domain::bank::LineState;
    let BankCommand::Correct { line, state, date, code, why, user } = command;
    let line = line.trim().to_string();
    let Some((number, _)) =
        line.rsplit_once('-').filter(|(_, n)| n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()))
    else {
        return Err(super::usage(format!("--line: '{line}' is geen kenmerk van een betaling, bv. 2025-Q2-0001-003")));
    };
    let date = match date.as_deref() {
        Some(d) => Some(crate::domain::calendar::parse_date(d).map_err(|e| super::usage(format!("--date: {e}")))?),
        None => None,
    };
    let bank_ref = "correctie".to_string();
    let state = match (state.as_str(), date, code) {
        ("open", None, None) => LineState::Open,
        ("open", _, _) => return Err(super::usage(String::from("--date en --code horen niet bij --state open"))),
        ("paid", Some(date), None) => LineState::Paid { date, bank_ref },
        ("paid", _, Some(_)) => return Err(super::usage(String::from("--code hoort alleen bij --state returned"))),
        ("returned", Some(date), Some(code)) => {
            let reason =
                crate::domain::bank::parse_reason_code(&code).map_err(|e| super::usage(format!("--code: {e}")))?;
            LineState::Returned { date, reason, bank_ref }
        }
        ("returned", _, None) => return Err(super::usage(String::from("--state returned vraagt --code (bv. AC04)"))),
        _ => {
            return Err(super::usage(String::from(
                "--state paid en returned vragen --date (de boekdatum van de bank)",
            )));
        }
    };
    let ctx = env.context(user.as_deref())?;
    let store = env.open()?;
    let Some(batch) = store.batch_numbered(number)? else {
        return Err(crate::store::StoreError::NotFound(format!("betaalbatch {number}")).into());
    };
    let next = store.correct_bank_line(&ctx, batch.id, &line, &state, &why)?;
    writeln!(env.out, "Betaling {line}: {}. Vastgelegd in het logboek.", state.dutch())?;
    for said in next {
        writeln!(env.out, "Let op: {said}.")?;
    }
    Ok(0)
}
