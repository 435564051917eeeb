//! The payment files of a closed quarter: SEPA pain.001 for the bank, CSV for the financial
//! administration. Only networks whose quarter is closed (their current batch) are paid.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Quarter;
use crate::domain::close::{PaymentBatch, PaymentLine};
use crate::payments::{Debtor, PainVersion, Transfer, TransferFile, write_pain001};
use crate::store::{Store, StoreError};

/// The current (not reopened) payment lines of a quarter, with their batch numbers.
pub fn closed_lines(store: &Store, quarter: Quarter) -> Result<Vec<(PaymentLine, String)>, StoreError> {
    let mut lines = Vec::new();
    let mut batches: Vec<PaymentBatch> = store.batches()?.into_iter().filter(|b| b.quarter == quarter).collect();
    batches.sort_by_key(|b| b.number.clone());
    for batch in batches {
        for line in &batch.lines {
            if batch.is_current_for(line.network)
                && store.quarter_close(line.network, quarter)?.is_some_and(|c| c.batch == batch.id)
            {
                lines.push((line.clone(), batch.number.clone()));
            }
        }
    }
    Ok(lines)
}

/// A pain.001 file of the quarter's closed payment lines, from the secretariat's account.
pub fn pain001(
    store: &Store,
    quarter: Quarter,
    version: PainVersion,
    now: DateTime<Utc>,
    execution_date: NaiveDate,
) -> Result<String, StoreError> {
    let lines = closed_lines(store, quarter)?;
    if lines.is_empty() {
        return Err(StoreError::Refused(format!("{quarter} heeft nog geen afgesloten netwerken: sluit eerst af")));
    }
    let settings = store.payment_settings()?.ok_or_else(|| {
        StoreError::Refused(
            "de betaalrekening van het secretariaat is nog niet ingesteld (sidw settings account)".into(),
        )
    })?;
    let mut counters: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let transfers = lines
        .iter()
        .map(|(line, batch)| {
            let n = counters.entry(batch.clone()).or_default();
            *n += 1;
            Transfer {
                end_to_end_id: format!("{batch}-{n:03}"),
                creditor_name: line.payee.clone(),
                creditor_iban: line.iban.clone(),
                amount: line.amount,
                remittance: line.reference.clone(),
            }
        })
        .collect();
    let file = TransferFile {
        message_id: format!("SIDW-{}-{}", quarter.to_string().replace('-', ""), now.format("%Y%m%dT%H%M%S")),
        created_at: now,
        payment_info_id: format!("SIDW-{quarter}"),
        execution_date,
        debtor: Debtor { name: settings.debtor_name, iban: settings.debtor_iban, bic: settings.debtor_bic },
        transfers,
    };
    write_pain001(&file, version).map_err(|e| StoreError::Refused(format!("betaalbestand: {e}")))
}

/// The CSV of the same lines for the financial administration.
pub fn csv(store: &Store, quarter: Quarter) -> Result<String, StoreError> {
    let lines = closed_lines(store, quarter)?;
    if lines.is_empty() {
        return Err(StoreError::Refused(format!("{quarter} heeft nog geen afgesloten netwerken: sluit eerst af")));
    }
    Ok(super::payments::csv(lines.iter().map(|(l, batch)| (l, true, Some(batch.as_str())))))
}
