//! `sidw import …`: hours forms and the ION update, all or nothing; the file from disk, from the
//! user's imports folder (over ssh) or from stdin (`-`).

use anyhow::Result;
use std::path::Path;

use super::{Env, FormFormat, ImportCommand, usage};
use crate::domain::dutch::count;
use crate::import::table::Table;

pub(super) fn run(env: &mut Env, command: ImportCommand) -> Result<u8> {
    match command {
        ImportCommand::Hours { file, format, network, dry_run } => {
            hours(env, &file, format, network.as_deref(), dry_run)
        }
        ImportCommand::Practices { file, format, dry_run } => practices(env, &file, format, dry_run),
        ImportCommand::Bank { file, dry_run } => super::bank::run(env, &file, dry_run),
    }
}

/// The form: its bytes from where the environment allows, read as `--format` or its extension says.
fn table(env: &mut Env, file: &Path, format: Option<FormFormat>) -> Result<Table> {
    if file == Path::new("-") && format.is_none() {
        return Err(usage("geef bij - (de invoer) het soort bestand: --format csv of --format xlsx"));
    }
    if format.is_none() {
        Table::check_name(&file.display().to_string())?;
    }
    let (bytes, name) = env.input(file)?;
    let name = match format {
        Some(FormFormat::Csv) => format!("{name}.csv"),
        Some(FormFormat::Xlsx) => format!("{name}.xlsx"),
        None => name,
    };
    Ok(Table::from_named_bytes(&name, &bytes)?)
}

fn hours(env: &mut Env, file: &Path, format: Option<FormFormat>, network: Option<&str>, dry_run: bool) -> Result<u8> {
    let ctx = env.context(None)?;
    let store = env.open()?;
    let table = table(env, file, format)?;
    let plan = crate::import::hours::plan_in(&store, &table, network, &env.access())?;
    for (row, problem) in &plan.problems {
        writeln!(env.err, "regel {row}: {problem}")?;
    }
    if !plan.is_ok() {
        anyhow::bail!("{} niet; er is niets ingelezen", count(plan.problems.len(), "regel klopt", "regels kloppen"));
    }
    for line in &plan.lines {
        let hours = line.new.hours.normalize().to_string().replace('.', ",");
        let worth = crate::domain::money::format_eur(line.worth);
        writeln!(
            env.out,
            "regel {}: {} / {} / {} {hours} uur = {worth}",
            line.row, line.network, line.partner, line.new.month
        )?;
    }
    for e in &plan.effects {
        let fmt = crate::domain::money::format_eur;
        writeln!(
            env.out,
            "{} {}: resterend {} − {} = {}",
            e.network,
            e.year,
            fmt(e.remaining_before),
            fmt(e.added),
            fmt(e.remaining_after)
        )?;
    }
    let nihil = count(plan.nihil.len(), "nihil-maand", "nihil-maanden");
    if dry_run {
        let lines = count(plan.lines.len(), "regel", "regels");
        writeln!(env.out, "Proef: {lines} en {nihil} zouden worden ingelezen; er is niets veranderd.")?;
        return Ok(0);
    }
    let lines = count(crate::import::hours::apply(&store, &ctx, &plan)?, "urenregel", "urenregels");
    match plan.nihil.len() {
        0 => writeln!(env.out, "{lines} ingelezen.")?,
        _ => writeln!(env.out, "{lines} en {nihil} ingelezen.")?,
    }
    Ok(0)
}

fn practices(env: &mut Env, file: &Path, format: Option<FormFormat>, dry_run: bool) -> Result<u8> {
    let ctx = env.context(None)?;
    let store = env.open()?;
    let table = table(env, file, format)?;
    let plan = crate::import::practices::plan(&store, &table)?;
    for (row, problem) in &plan.problems {
        writeln!(env.err, "regel {row}: {problem}")?;
    }
    if !plan.problems.is_empty() {
        anyhow::bail!("{} niet; er is niets ingelezen", count(plan.problems.len(), "regel klopt", "regels kloppen"));
    }
    for (row, network, practice, n, date) in &plan.counts {
        let date = crate::domain::calendar::format_date(*date);
        writeln!(env.out, "regel {row}: {network} / {practice}: {n} ION per {date}")?;
    }
    if dry_run {
        writeln!(env.out, "Proef: {} tellingen zouden worden ingelezen; er is niets veranderd.", plan.counts.len())?;
    } else {
        let n = crate::import::practices::apply(&store, &ctx, &plan)?;
        writeln!(env.out, "{n} ION-tellingen ingelezen.")?;
    }
    Ok(0)
}
