//! Files out of the database: `export payments`, `export report`, `template hours` and `backup`,
//! into a file (atomically, never over one without `--overwrite`) or to the output (`-`).

use anyhow::{Context, Result};
use std::path::Path;

use super::{Env, ExportCommand, ExportFormat};
use crate::domain::Quarter;
use crate::domain::dutch::count;
use crate::domain::money::format_eur;
use crate::report;

pub(super) fn run(env: &mut Env, command: ExportCommand) -> Result<u8> {
    match command {
        ExportCommand::Payments { quarter, format, out, execution_date, batch } => {
            payments(env, quarter, format, &out, execution_date, batch.as_deref())
        }
        ExportCommand::Report { year, out } => {
            let target = env.target(&out)?;
            let scope = env.access().scope;
            let (store, _copy) = env.open_reading()?;
            let networks = env.write_target_with(&target, |temp| {
                Ok(crate::office_files::write_budget_workbook(&store, year, &scope, temp)?)
            })?;
            let line = format!(
                "Geschreven: {} ({}, een blad per regio).",
                target.shown(),
                count(networks, "netwerk", "netwerken")
            );
            env.tell(&target, &line)?;
            Ok(0)
        }
    }
}

fn payments(
    env: &mut Env,
    quarter: Quarter,
    format: ExportFormat,
    out: &Path,
    execution_date: Option<chrono::NaiveDate>,
    batch: Option<&str>,
) -> Result<u8> {
    let target = env.target(out)?;
    env.check_target(&target)?;
    let ctx = env.context(None)?;
    let store = env.open()?;
    let now = chrono::Utc::now();
    let batch = report::export::choose_batch_in(&store, quarter, batch, &env.access().scope)?;
    // A file the store would not record (role, the batch's regions) is never written.
    store.may_record_export(&ctx, &batch)?;
    let mut executed = None;
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
            // The day asked of the bank, as the pain.001 says it (the bank's statement is checked against it).
            executed = Some(crate::domain::payment_timing::execution_date(quarter, execution_date.unwrap_or(today)));
            (report::export::pain001(&store, &batch, version, now, execution_date.unwrap_or(today))?, version.name())
        }
    };
    env.write_target(&target, text.as_bytes())?;
    let written = crate::store::ExportedFile {
        name: target.shown().to_string(),
        bytes: text.into_bytes(),
        execution_date: executed,
    };
    let earlier = report::export::record_file(&store, &ctx, &batch, &format!("{kind} → {}", target.shown()), &written)?;
    let line = format!("Geschreven: {} (betaalbatch {}, {}).", target.shown(), batch.number, format_eur(batch.total()));
    env.tell(&target, &line)?;
    if let Some(earlier) = earlier {
        writeln!(
            env.err,
            "Let op: betaalbatch {} is al eerder geschreven ({earlier}); geef hem niet twee keer aan de bank.",
            batch.number
        )?;
    }
    Ok(0)
}

pub(super) fn template(env: &mut Env, network: &str, quarter: Quarter, out: &Path) -> Result<u8> {
    let target = env.target(out)?;
    let (store, _copy) = env.open_reading()?;
    let id = env.network_named(&store, network)?.id;
    let rows =
        env.write_target_with(&target, |temp| Ok(crate::office_files::write_template(&store, id, quarter, temp)?))?;
    let line = format!(
        "Geschreven: {} ({}: partners met getekende overeenkomst × maanden).",
        target.shown(),
        count(rows, "regel", "regels")
    );
    env.tell(&target, &line)?;
    Ok(0)
}

/// `backup FILE`: one consistent snapshot, streamed into the file; with `-` it is written to a
/// private temporary file first and then copied to the output in chunks (memory does not grow
/// with the database).
pub(super) fn backup(env: &mut Env, file: &Path) -> Result<u8> {
    env.require_every_region("een back-up")?;
    let target = env.target(file)?;
    env.check_target(&target)?;
    let (store, _copy) = env.open_reading_once()?;
    let records = match &target {
        super::env::Target::File { path, .. } => store.backup_to(path)?,
        super::env::Target::Stdout => {
            let dir = super::PrivateDir(super::private_dir()?);
            let temp = dir.0.join("backup.sidwbak");
            let records = store.backup_to(&temp)?;
            drop(store);
            let mut written = std::fs::File::open(&temp).context("kan de back-up niet teruglezen")?;
            std::io::copy(&mut written, env.out)?;
            records
        }
    };
    let line = format!("Back-up geschreven: {} ({records} records en logboekregels).", target.shown());
    env.tell(&target, &line)?;
    Ok(0)
}
