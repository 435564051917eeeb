//! The payment files of a closed quarter: SEPA pain.001 for the bank, CSV for the financial
//! administration. One file pays one batch, so a batch exported earlier is never paid again by
//! exporting a later one; every export is kept with its batch and written in the audit log, and a
//! second export of the same batch says when the first one was made. The bank is asked to pay
//! one month after the quarter's end, or on the export day when that is later
//! ([`crate::domain::payment_timing`]).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Quarter;
use crate::domain::close::{PaymentBatch, PaymentLine};
use crate::domain::payment_timing::execution_date;
use crate::payments::{Debtor, PainVersion, Transfer, TransferFile, write_pain001};
use crate::store::{ChangeContext, Store, StoreError};

/// The batch to pay: the one named, or the quarter's only current batch, its money checked
/// ([`Store::check_batch_for_export`]).
pub fn choose_batch(store: &Store, quarter: Quarter, number: Option<&str>) -> Result<PaymentBatch, StoreError> {
    choose_batch_in(store, quarter, number, &crate::domain::Scope::All)
}

/// [`choose_batch`] among the batches of a user's regions: a batch with a network elsewhere is
/// neither listed nor found, as one that does not exist (issue 16).
pub fn choose_batch_in(
    store: &Store,
    quarter: Quarter,
    number: Option<&str>,
    scope: &crate::domain::Scope,
) -> Result<PaymentBatch, StoreError> {
    let regions: std::collections::HashMap<_, _> = if scope.is_all() {
        std::collections::HashMap::new()
    } else {
        store.networks()?.into_iter().map(|n| (n.id, n.region)).collect()
    };
    let visible = |b: &PaymentBatch| {
        scope.is_all() || b.networks.iter().all(|n| regions.get(n).is_some_and(|r| scope.contains(*r)))
    };
    let batches: Vec<PaymentBatch> = store
        .batches()?
        .into_iter()
        .filter(|b| b.quarter == quarter && b.networks.iter().any(|n| b.is_current_for(*n)) && visible(b))
        .collect();
    let batch = match number {
        Some(number) => batches
            .into_iter()
            .find(|b| b.number == number)
            .ok_or_else(|| StoreError::NotFound(format!("betaalbatch {number} van {quarter}"))),
        None => match batches.len() {
            0 => Err(StoreError::Refused(format!("{quarter} heeft nog geen afgesloten netwerken: sluit eerst af"))),
            1 => Ok(batches.into_iter().next().expect("one batch")),
            _ => {
                let numbers: Vec<String> = batches.iter().map(|b| b.number.clone()).collect();
                Err(StoreError::Refused(format!(
                    "{quarter} heeft meerdere betaalbatches; kies er een met --batch: {}",
                    numbers.join(", ")
                )))
            }
        },
    }?;
    store.check_batch_for_export(&batch)?;
    Ok(batch)
}

/// The lines of a batch that are still in force (not reopened since).
pub fn current_lines(batch: &PaymentBatch) -> Vec<PaymentLine> {
    crate::domain::bank::batch_lines(batch).into_iter().map(|(_, l)| l.clone()).collect()
}

/// A pain.001 file of one batch (its money checked first), from the secretariat's account, written on `export_day`: the
/// requested execution date is [`execution_date`] of the batch's quarter and that day.
pub fn pain001(
    store: &Store,
    batch: &PaymentBatch,
    version: PainVersion,
    now: DateTime<Utc>,
    export_day: NaiveDate,
) -> Result<String, StoreError> {
    store.check_batch_for_export(batch)?;
    let execution_date = execution_date(batch.quarter, export_day);
    let lines = crate::domain::bank::batch_lines(batch);
    if lines.is_empty() {
        return Err(StoreError::Refused(format!("betaalbatch {} heeft geen betalingen", batch.number)));
    }
    let settings = store.payment_settings()?.ok_or_else(|| {
        StoreError::Refused(
            "de betaalrekening van het secretariaat is nog niet ingesteld (sidw settings account)".into(),
        )
    })?;
    let transfers = lines
        .into_iter()
        .map(|(end_to_end_id, line)| Transfer {
            end_to_end_id,
            creditor_name: line.payee.clone(),
            creditor_iban: line.iban.clone(),
            amount: line.amount,
            remittance: line.reference.clone(),
        })
        .collect();
    let file = TransferFile {
        message_id: format!("SIDW-{}-{}", batch.number.replace('-', ""), now.format("%Y%m%dT%H%M%S")),
        created_at: now,
        payment_info_id: format!("SIDW-{}", batch.number),
        execution_date,
        debtor: Debtor { name: settings.debtor_name, iban: settings.debtor_iban, bic: settings.debtor_bic },
        transfers,
    };
    write_pain001(&file, version).map_err(|e| StoreError::Refused(format!("betaalbestand: {e}")))
}

/// The CSV of one batch for the financial administration.
pub fn csv(batch: &PaymentBatch) -> String {
    let lines = current_lines(batch);
    super::payments::csv(lines.iter().map(|l| (l, true, Some(batch.number.as_str()))))
}

/// Keeps the export with its batch and in the audit log; returns when the batch was exported
/// before (local time, dd-mm-jjjj uu:mm), if it was.
pub fn record(
    store: &Store,
    ctx: &ChangeContext,
    batch: &PaymentBatch,
    what: &str,
) -> Result<Option<String>, StoreError> {
    let earlier = store.record_export(ctx, batch, what)?;
    Ok(earlier.map(|at| at.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string()))
}

/// [`record`] of a written file: its name, the SHA-256 of its bytes and, for a pain.001, the
/// execution date the bank was asked for are kept with the export.
pub fn record_file(
    store: &Store,
    ctx: &ChangeContext,
    batch: &PaymentBatch,
    what: &str,
    file: &crate::store::ExportedFile,
) -> Result<Option<String>, StoreError> {
    let earlier = store.record_export_file(ctx, batch, what, file)?;
    Ok(earlier.map(|at| at.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string()))
}
