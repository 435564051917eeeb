//! What the bank said of the payments: the state of each payment line of a batch (`BankLines`)
//! and every bank statement read (`BankStatements`). One statement is one change with one audit
//! entry; reading it again changes nothing and writes nothing (a line's state only moves up:
//! open → paid → returned, see `domain::bank::LineState::merged`).

use serde::Serialize;

use crate::domain::bank::LineState;

use super::keys::TreeName;
use super::records::{BankLines, BankStatementImport};
use super::{ChangeContext, Store, StoreError};

/// The audit action of a bank statement read.
pub const BANK_ACTION: &str = "bankafschrift ingelezen";

/// One line's news from the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankUpdate {
    pub batch: u64,
    pub batch_number: String,
    pub end_to_end_id: String,
    pub state: LineState,
}

/// What a statement changed (for the audit entry).
#[derive(Serialize)]
struct BankAudit<'a> {
    #[serde(rename = "bestand")]
    file: &'a str,
    #[serde(rename = "afschriften")]
    statements: Vec<&'a str>,
    #[serde(rename = "betaald")]
    paid: Vec<String>,
    #[serde(rename = "teruggeboekt")]
    returned: Vec<String>,
    #[serde(rename = "onbekend")]
    unmatched: u32,
}

impl Store {
    /// What the bank said of the lines of a batch (none: every line open).
    pub fn bank_lines(&self, batch_id: u64) -> Result<BankLines, StoreError> {
        Ok(self.get(TreeName::BankLines, &batch_id.to_be_bytes())?.unwrap_or_default())
    }

    /// What the bank said of one network's lines of a batch, in the batch's order (the lines of
    /// `network` still in force), with each line's end-to-end id. Reads the batch only when the
    /// bank has said something of it.
    pub fn network_line_states(
        &self,
        batch_id: u64,
        network: crate::domain::NetworkId,
    ) -> Result<Option<Vec<(String, LineState)>>, StoreError> {
        let known = self.bank_lines(batch_id)?;
        if known.lines.is_empty() {
            return Ok(None);
        }
        let batch = self.batch(batch_id)?;
        Ok(Some(
            crate::domain::bank::batch_lines(&batch)
                .into_iter()
                .filter(|(_, l)| l.network == network)
                .map(|(id, _)| {
                    let state = known.state(&id);
                    (id, state)
                })
                .collect(),
        ))
    }

    /// When a statement (account + `/` + statement id) was read, if it was.
    pub fn bank_statement(&self, key: &str) -> Result<Option<BankStatementImport>, StoreError> {
        self.get(TreeName::BankStatements, key.as_bytes())
    }

    /// The updates that would change a line (its state moves up).
    pub fn bank_changes<'u>(&self, updates: &'u [BankUpdate]) -> Result<Vec<&'u BankUpdate>, StoreError> {
        let mut out = Vec::new();
        for u in updates {
            let now = self.bank_lines(u.batch)?.state(&u.end_to_end_id);
            if now.merged(&u.state) != now {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Records a bank statement file: the statements not read before and each line whose state
    /// moves up, with one audit entry, in one transaction. Returns how many lines changed. When
    /// every statement was read before and no line changes, writes nothing (not even the log).
    pub fn record_bank_statement(
        &self,
        ctx: &ChangeContext,
        file: &str,
        statements: &[(String, BankStatementImport)],
        updates: &[BankUpdate],
    ) -> Result<usize, StoreError> {
        let mut new_statements = false;
        for (key, _) in statements {
            if self.bank_statement(key)?.is_none() {
                new_statements = true;
            }
        }
        if !new_statements && self.bank_changes(updates)?.is_empty() {
            return Ok(0);
        }
        self.write(ctx, |tx| {
            let mut audit = BankAudit {
                file,
                statements: Vec::new(),
                paid: Vec::new(),
                returned: Vec::new(),
                unmatched: statements.iter().map(|(_, s)| s.unmatched).sum(),
            };
            for (key, record) in statements {
                if tx.get::<BankStatementImport>(TreeName::BankStatements, key.as_bytes())?.is_none() {
                    tx.put(TreeName::BankStatements, key.as_bytes(), record)?;
                    audit.statements.push(key);
                }
            }
            let mut changed = 0;
            let mut batches: Vec<u64> = updates.iter().map(|u| u.batch).collect();
            batches.sort_unstable();
            batches.dedup();
            for batch in batches {
                let key = batch.to_be_bytes();
                let mut lines: BankLines = tx.get(TreeName::BankLines, &key)?.unwrap_or_default();
                let mut dirty = false;
                for u in updates.iter().filter(|u| u.batch == batch) {
                    let now = lines.state(&u.end_to_end_id);
                    let next = now.merged(&u.state);
                    if next == now {
                        continue;
                    }
                    match &next {
                        LineState::Returned { reason, .. } => {
                            audit.returned.push(format!("{} ({reason})", u.end_to_end_id));
                        }
                        _ => audit.paid.push(u.end_to_end_id.clone()),
                    }
                    match lines.lines.iter_mut().find(|(id, _)| *id == u.end_to_end_id) {
                        Some((_, state)) => *state = next,
                        None => lines.lines.push((u.end_to_end_id.clone(), next)),
                    }
                    dirty = true;
                    changed += 1;
                }
                if dirty {
                    tx.put(TreeName::BankLines, &key, &lines)?;
                }
            }
            let subject = format!("bankafschrift {file}");
            tx.audit::<(), _>(BANK_ACTION, &subject, None, Some(&audit))?;
            Ok(changed)
        })
    }
}
