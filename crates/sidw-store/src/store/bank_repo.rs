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

    /// What the bank said of each network's lines of a batch, in the batch's order (the lines
    /// still in force). `None` when the bank has said nothing of the batch (the batch is then not
    /// read).
    pub fn batch_line_states(
        &self,
        batch_id: u64,
    ) -> Result<Option<std::collections::HashMap<crate::domain::NetworkId, Vec<LineState>>>, StoreError> {
        let known = self.bank_lines(batch_id)?;
        if known.lines.is_empty() {
            return Ok(None);
        }
        let known: std::collections::HashMap<String, LineState> = known.lines.into_iter().collect();
        let batch = self.batch(batch_id)?;
        let mut out: std::collections::HashMap<crate::domain::NetworkId, Vec<LineState>> =
            std::collections::HashMap::new();
        for (id, line) in crate::domain::bank::batch_lines(&batch) {
            out.entry(line.network).or_default().push(known.get(&id).cloned().unwrap_or_default());
        }
        Ok(Some(out))
    }

    /// What the bank signals need of every exported batch: its execution date and what the bank
    /// said of its lines (a batch is decoded only when the bank said something of it), and for
    /// each returned line whether the payee's IBAN was changed since.
    pub fn bank_signal_facts(&self) -> Result<Vec<crate::domain::bank_signals::BatchBankFacts>, StoreError> {
        use crate::domain::bank_signals::{BatchBankFacts, ReturnedLine};
        let mut out = Vec::new();
        let mut networks: Option<Vec<crate::domain::Network>> = None;
        for item in self.tree(TreeName::Exports).iter() {
            let (key, bytes) = item?;
            let Some(id) = key.as_slice().try_into().ok().map(u64::from_be_bytes) else { continue };
            let exports: super::records::BatchExports = super::decode_at(TreeName::Exports, &key, &bytes)?;
            // The day the bank was asked to pay is known of files written since sidw keeps it
            // (export record version 2); a batch exported before is asked about only once a
            // statement said something of it (its returns).
            let execution_date = exports.entries.iter().find_map(|e| e.execution_date);
            let known: std::collections::HashMap<String, LineState> = self.bank_lines(id)?.lines.into_iter().collect();
            if execution_date.is_none() && known.is_empty() {
                continue;
            }
            let batch = match self.batch(id) {
                Ok(batch) => batch,
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let lines = crate::domain::bank::batch_lines(&batch);
            let Some((_, head)) = lines.first() else { continue };
            let all = match &networks {
                Some(all) => all,
                None => networks.insert(self.networks()?),
            };
            let regions: std::collections::BTreeSet<_> = all
                .iter()
                .filter(|n| batch.networks.contains(&n.id) && batch.is_current_for(n.id))
                .map(|n| n.region)
                .collect();
            let region = if regions.len() == 1 { regions.into_iter().next() } else { None };
            let mut facts = BatchBankFacts {
                number: batch.number.clone(),
                quarter: batch.quarter,
                network: Some(head.network),
                region,
                execution_date,
                lines: lines.len(),
                open: None,
                returned: Vec::new(),
            };
            if !known.is_empty() {
                let mut open = 0;
                for (e2e, line) in &lines {
                    let state = known.get(e2e).cloned().unwrap_or_default();
                    if state == LineState::Open {
                        open += 1;
                    }
                    let changed = matches!(state, LineState::Returned { .. })
                        && self.iban_now(line)?.is_some_and(|now| now != line.iban);
                    facts.returned.extend(ReturnedLine::of(e2e, &line.payee, line.amount, &state, changed));
                }
                facts.open = Some(open);
            }
            out.push(facts);
        }
        Ok(out)
    }

    /// The payee's IBAN as it is now (`None` when the payee is gone).
    fn iban_now(
        &self,
        line: &crate::domain::close::PaymentLine,
    ) -> Result<Option<crate::domain::validate::Iban>, StoreError> {
        use crate::domain::close::PaymentKind;
        let found = match (line.kind, line.practice, line.partner) {
            (PaymentKind::Practice, Some(practice), _) => match self.practice_team(line.network) {
                Ok(team) => team.practices.into_iter().find(|p| p.id == practice).map(|p| p.iban),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            (PaymentKind::Partner, _, Some(partner)) => match self.partner(line.network, partner) {
                Ok(partner) => Some(partner.iban),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        Ok(found)
    }

    /// The bank's Signalen on `today` (see `domain::bank_signals`).
    pub fn bank_signals(&self, today: chrono::NaiveDate) -> Result<Vec<crate::domain::signals::Signal>, StoreError> {
        Ok(crate::domain::bank_signals::bank_signals(today, &self.bank_signal_facts()?))
    }

    /// When a statement (account + `/` + statement id) was read, if it was.
    pub fn bank_statement(&self, key: &str) -> Result<Option<BankStatementImport>, StoreError> {
        self.get(TreeName::BankStatements, key.as_bytes())
    }

    /// The updates that would change a line (its state moves up). Each batch's states are read
    /// once.
    pub fn bank_changes<'u>(&self, updates: &'u [BankUpdate]) -> Result<Vec<&'u BankUpdate>, StoreError> {
        let mut known: std::collections::HashMap<u64, std::collections::HashMap<String, LineState>> =
            std::collections::HashMap::new();
        let mut out = Vec::new();
        for u in updates {
            let states = match known.entry(u.batch) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(self.bank_lines(u.batch)?.lines.into_iter().collect())
                }
            };
            let now = states.get(&u.end_to_end_id).cloned().unwrap_or_default();
            let next = now.merged(&u.state);
            if next != now {
                states.insert(u.end_to_end_id.clone(), next);
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
                let mut at: std::collections::HashMap<String, usize> =
                    lines.lines.iter().enumerate().map(|(n, (id, _))| (id.clone(), n)).collect();
                let mut dirty = false;
                for u in updates.iter().filter(|u| u.batch == batch) {
                    let now = at.get(&u.end_to_end_id).and_then(|n| lines.lines.get(*n)).map(|(_, s)| s.clone());
                    let now = now.unwrap_or_default();
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
                    match at.get(&u.end_to_end_id).and_then(|n| lines.lines.get_mut(*n)) {
                        Some((_, state)) => *state = next,
                        None => {
                            at.insert(u.end_to_end_id.clone(), lines.lines.len());
                            lines.lines.push((u.end_to_end_id.clone(), next));
                        }
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
