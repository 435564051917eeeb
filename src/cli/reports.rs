//! `sidw report …`: the reports, written to the environment's output (or a file with `--out`).

use anyhow::Result;
use std::path::PathBuf;

use super::{Env, ReportCommand, report_options, usage};
use crate::domain::dutch::count;
use crate::report;

pub(super) fn run(env: &mut Env, command: ReportCommand) -> Result<u8> {
    // A user with a list of regions (over ssh) sees only those regions' networks.
    let scope = env.access().scope;
    match command {
        ReportCommand::Budget { year, network, format } => {
            let (store, _copy) = env.open_reading()?;
            let rows = report::budget::rows_in(&store, year, network.as_deref(), &scope)?;
            write!(env.out, "{}", report::budget::render(&rows, format))?;
        }
        ReportCommand::Payments { quarter, format } => {
            let (store, _copy) = env.open_reading()?;
            let rows = report::payments::rows_in(&store, quarter, &scope)?;
            write!(env.out, "{}", report::payments::render(&rows, format))?;
            env.done_reading(store)?;
        }
        ReportCommand::Year { year, region, format, out, today } => year_report(env, year, region, format, out, today)?,
        ReportCommand::Log { from, to, user, format, out } => log(env, from, to, user, format, out)?,
        ReportCommand::Statement { network, quarter, format, out, today } => {
            super::statement::run(env, &network, quarter, format, out, today.as_deref())?;
        }
        ReportCommand::Signals { today, region, format } => {
            let (region, today) = report_options(region.as_deref(), today.as_deref())?;
            let (store, _copy) = env.open_reading()?;
            let signals = report::signals::rows_in(&store, today, region, &scope)?;
            write!(env.out, "{}", report::signals::render(&signals, format))?;
            env.done_reading(store)?;
        }
    }
    Ok(0)
}

fn year_report(
    env: &mut Env,
    year: i32,
    region: Option<String>,
    format: report::year::YearFormat,
    out: Option<PathBuf>,
    today: Option<String>,
) -> Result<()> {
    let (region, today) = report_options(region.as_deref(), today.as_deref())?;
    let (store, _copy) = env.open_reading()?;
    let rows = report::year::rows_in(&store, year, region, today, &env.access().scope)?;
    match (format.text(), out) {
        (Some(format), None) => write!(env.out, "{}", report::year::render(&rows, year, today, format))?,
        (Some(format), Some(out)) => {
            let target = env.target(&out)?;
            let text = report::year::render(&rows, year, today, format);
            env.write_target(&target, text.as_bytes())?;
            let line = format!("Geschreven: {} ({}).", target.shown(), count(rows.len(), "netwerk", "netwerken"));
            env.tell(&target, &line)?;
        }
        (None, out) => {
            let out = out.unwrap_or_else(|| PathBuf::from(format!("jaarverslag-{year}.xlsx")));
            let target = env.target(&out)?;
            env.write_target_with(&target, |temp| {
                Ok(crate::office_files::write_year_workbook(&rows, year, region, temp)?)
            })?;
            let line = format!(
                "Geschreven: {} ({}, een blad per regio en een totaalblad).",
                target.shown(),
                count(rows.len(), "netwerk", "netwerken")
            );
            env.tell(&target, &line)?;
        }
    }
    Ok(())
}

fn log(
    env: &mut Env,
    from: Option<String>,
    to: Option<String>,
    user: Option<String>,
    format: report::Format,
    out: Option<PathBuf>,
) -> Result<()> {
    let day = |option: &str, text: Option<&str>| {
        text.map(|t| crate::domain::calendar::parse_date(t).map_err(|e| usage(format!("{option}: {e}")))).transpose()
    };
    let (from, to) = (day("--from", from.as_deref())?, day("--to", to.as_deref())?);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(usage(format!(
            "--from ({}) ligt na --to ({})",
            crate::domain::calendar::format_date(from),
            crate::domain::calendar::format_date(to)
        )));
    }
    if user.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Err(usage("--user is leeg: geef een gebruikersnaam"));
    }
    // The log holds every region's records before and after: only for a user of every region
    // (as the Logboek pane).
    if !env.access().scope.is_all() {
        anyhow::bail!("het logboek is alleen voor wie alle regio's heeft: het bevat de gegevens van elke regio");
    }
    let (store, _copy) = env.open_reading()?;
    let entries = report::log::rows(&store, from, to, user.as_deref().map(str::trim))?;
    let text = report::log::render(&entries, format);
    match out {
        None => write!(env.out, "{text}")?,
        Some(out) => {
            let target = env.target(&out)?;
            env.write_target(&target, text.as_bytes())?;
            let noun = if entries.len() == 1 { "logboekregel" } else { "logboekregels" };
            let line = format!("Geschreven: {} ({} {noun}).", target.shown(), entries.len());
            env.tell(&target, &line)?;
        }
    }
    Ok(())
}
