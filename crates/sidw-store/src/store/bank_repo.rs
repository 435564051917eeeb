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
    /// The key of the statement it comes from (account + `/` + statement id): a statement's news
    /// is taken once, when it is first read.
    pub statement: String,
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

    /// What the bank said of each network's lines of a batch, in the batch's order (every line,
    /// also of a network reopened since: the bank still pays or returns what went to it). `None`
    /// when the bank has said nothing of the batch (the batch is then not read).
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
        for (n, line) in batch.lines.iter().enumerate() {
            out.entry(line.network).or_default().push(known.get(&batch.end_to_end_id(n)).cloned().unwrap_or_default());
        }
        Ok(Some(out))
    }

    /// What the bank signals need of every exported batch: its execution date and what the bank
    /// said of its lines (a batch is decoded only when the bank said something of it), and for
    /// each returned line whether the payee's IBAN was changed since.
    pub fn bank_signal_facts(&self) -> Result<Vec<crate::domain::bank_signals::BatchBankFacts>, StoreError> {
        use crate::domain::bank::{Unsettled, unsettled};
        use crate::domain::bank_signals::{BatchBankFacts, PaidTwice, ReturnedLine};
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
            let bank = self.bank_lines(id)?;
            // A batch the bank settled in full gives no Signaal: it is not read, so the Signalen
            // cost what is still open, not every batch ever paid.
            if (execution_date.is_none() && bank.lines.is_empty()) || bank.settled() {
                continue;
            }
            let known: std::collections::HashMap<String, LineState> = bank.lines.iter().cloned().collect();
            let batch = match self.batch(id) {
                Ok(batch) => batch,
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            // The lines that went to the bank: a network reopened since keeps them.
            let lines = crate::domain::bank::sent_lines(&batch, exports.first_to_bank());
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
                paid_twice: Vec::new(),
            };
            if !known.is_empty() {
                let mut open = 0;
                let mut latest: std::collections::HashMap<crate::domain::NetworkId, u64> =
                    std::collections::HashMap::new();
                for (e2e, line) in &lines {
                    let state = known.get(e2e).cloned().unwrap_or_default();
                    if state == LineState::Open {
                        open += 1;
                    }
                    // Measured against the latest close of the line's network quarter: did it
                    // count the line as the bank now has it?
                    let latest = match latest.entry(line.network) {
                        std::collections::hash_map::Entry::Occupied(o) => *o.get(),
                        std::collections::hash_map::Entry::Vacant(v) => {
                            let key = super::keys::network_quarter(line.network, batch.quarter);
                            let index: super::records::BatchIds =
                                self.get(TreeName::BatchIndex, &key)?.unwrap_or_default();
                            *v.insert(index.ids.last().copied().unwrap_or(batch.id))
                        }
                    };
                    let left_out = bank.settled_again.iter().any(|(id, by)| id == e2e && *by == latest);
                    match unsettled(&state, latest == batch.id, left_out) {
                        Unsettled::Nothing => {}
                        Unsettled::Returned => {
                            let changed = self.iban_now(line)?.is_some_and(|now| now != line.iban);
                            facts.returned.extend(ReturnedLine::of(e2e, line, &state, changed));
                        }
                        Unsettled::PaidTwice => facts.paid_twice.push(PaidTwice {
                            end_to_end_id: e2e.clone(),
                            payee: line.payee.clone(),
                            network_name: line.network_name.clone(),
                            amount: line.amount,
                            // The close that first paid it again (a later one left it out too,
                            // and counted that payment).
                            again: self
                                .batch(self.first_paid_again(&bank, e2e, line.network)?.unwrap_or(latest))?
                                .number,
                        }),
                    }
                }
                facts.open = Some(open);
            }
            out.push(facts);
        }
        Ok(out)
    }

    /// The batch of the first close that left returned line `e2e` out and whose payment file went
    /// out for `network`: the one that paid it again (a close reopened before its file paid
    /// nothing).
    fn first_paid_again(
        &self,
        bank: &BankLines,
        e2e: &str,
        network: crate::domain::NetworkId,
    ) -> Result<Option<u64>, StoreError> {
        for (_, by) in bank.settled_again.iter().filter(|(id, _)| id == e2e) {
            let batch = self.batch(*by)?;
            if batch.went_out(network, self.batch_exports(*by)?.first_to_bank()) {
                return Ok(Some(*by));
            }
        }
        Ok(None)
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
        let written = self.write(ctx, |tx| {
            let mut audit = BankAudit {
                file,
                statements: Vec::new(),
                paid: Vec::new(),
                returned: Vec::new(),
                unmatched: statements.iter().map(|(_, s)| s.unmatched).sum(),
            };
            // Decided here, in the transaction: a statement read meanwhile (another screen, the
            // command line) is not applied again, so it cannot undo a correction made since.
            let mut read_before = std::collections::HashSet::new();
            for (key, record) in statements {
                if tx.get::<BankStatementImport>(TreeName::BankStatements, key.as_bytes())?.is_none() {
                    tx.put(TreeName::BankStatements, key.as_bytes(), record)?;
                    audit.statements.push(key);
                } else {
                    read_before.insert(key.as_str());
                }
            }
            let updates: Vec<&BankUpdate> =
                updates.iter().filter(|u| !read_before.contains(u.statement.as_str())).collect();
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
                    lines.sent = Some(sent_in(tx, batch)?);
                    tx.put(TreeName::BankLines, &key, &lines)?;
                }
            }
            if audit.statements.is_empty() && changed == 0 {
                // Every statement was read before (here, or meanwhile elsewhere): nothing to write.
                return Err(StoreError::DryRun);
            }
            let subject = format!("bankafschrift {file}");
            tx.audit::<(), _>(BANK_ACTION, &subject, None, Some(&audit))?;
            Ok(changed)
        });
        match written {
            Err(StoreError::DryRun) => Ok(0),
            other => other,
        }
    }
}

/// How many lines of batch `id` went to the bank, read inside a transaction (see
/// [`BankLines::sent`]).
fn sent_in(tx: &super::tx::Tx, id: u64) -> super::tx::TxResult<u32> {
    let batch: crate::domain::close::PaymentBatch =
        tx.require(TreeName::Batches, &id.to_be_bytes(), || format!("betaalbatch {id}"))?;
    let exports: super::records::BatchExports = tx.get(TreeName::Exports, &id.to_be_bytes())?.unwrap_or_default();
    let sent = crate::domain::bank::sent_lines(&batch, exports.first_to_bank()).len();
    Ok(u32::try_from(sent).unwrap_or(u32::MAX))
}

/// The audit action of a line's bank state set by hand.
pub const BANK_CORRECTION_ACTION: &str = "bankstatus gecorrigeerd";

#[derive(Serialize)]
struct CorrectionAudit<'a> {
    #[serde(rename = "betaling")]
    line: &'a str,
    #[serde(rename = "was")]
    before: String,
    #[serde(rename = "wordt")]
    after: String,
    #[serde(rename = "reden")]
    why: &'a str,
}

/// A state as the audit log and the messages name it: `betaald 02-05-2025 (ref)`.
fn state_text(state: &LineState) -> String {
    use crate::domain::calendar::format_date;
    match state {
        LineState::Open => "open".to_string(),
        LineState::Paid { date, bank_ref } => format!("betaald {} ({bank_ref})", format_date(*date)),
        LineState::Returned { date, reason, bank_ref } => {
            format!("teruggeboekt {} reden {reason} ({bank_ref})", format_date(*date))
        }
    }
}

impl Store {
    /// Sets what the bank said of one payment line by hand, with a reason: a statement matched
    /// wrongly (by IBAN, amount and text), or the bank told otherwise. Any state may follow any
    /// other, unlike a statement's news, which only moves a line up. One change, audited with the
    /// state before and after. Returns what the office must do next (Dutch), if anything: a
    /// return a re-close already paid again that turns out paid was paid twice.
    pub fn correct_bank_line(
        &self,
        ctx: &ChangeContext,
        batch_id: u64,
        end_to_end_id: &str,
        state: &LineState,
        why: &str,
    ) -> Result<Vec<String>, StoreError> {
        let why = why.trim();
        if why.is_empty() {
            return Err(StoreError::Refused("geef een reden voor de correctie (--reden)".into()));
        }
        if let LineState::Returned { reason, .. } = state
            && crate::domain::bank::parse_reason_code(reason).as_deref() != Ok(reason.as_str())
        {
            return Err(StoreError::Refused(format!("reden van terugboeking {reason}: geen code van de bank")));
        }
        let batch = self.batch(batch_id)?;
        // Nothing of a batch the user may not change is told: it is answered as a missing one.
        let mut ours = ctx.access.role >= crate::domain::Role::Finance;
        for network in &batch.networks {
            ours &=
                ctx.access.scope.is_all() || self.network(*network).is_ok_and(|n| ctx.access.scope.contains(n.region));
        }
        if !ours {
            return Err(StoreError::NotFound(format!("betaalbatch {}", batch.number)));
        }
        let exports = self.batch_exports(batch_id)?;
        let sent = crate::domain::bank::sent_lines(&batch, exports.first_to_bank());
        let Some((_, line)) = sent.iter().find(|(id, _)| id == end_to_end_id) else {
            return Err(StoreError::Refused(format!(
                "betaling {end_to_end_id} is niet met een betaalbestand van batch {} naar de bank gegaan",
                batch.number
            )));
        };
        let now = self.bank_lines(batch_id)?;
        // What the correction leaves unsettled, by the rule of the Signalen.
        let index: super::records::BatchIds = self
            .get(TreeName::BatchIndex, &super::keys::network_quarter(line.network, batch.quarter))?
            .unwrap_or_default();
        let latest = index.ids.last().copied().unwrap_or(batch_id);
        let left_out = now.settled_again.iter().any(|(id, by)| id == end_to_end_id && *by == latest);
        let amount = crate::domain::money::format_eur(line.amount);
        let mut next = Vec::new();
        match crate::domain::bank::unsettled(state, latest == batch_id, left_out) {
            crate::domain::bank::Unsettled::Nothing => {}
            crate::domain::bank::Unsettled::PaidTwice => next.push(format!(
                "batch {} betaalde deze teruggeboekte betaling opnieuw: heropen {} van {} en sluit opnieuw af, dan \
                 wordt {amount} aan {} teruggevorderd",
                self.batch(self.first_paid_again(&now, end_to_end_id, line.network)?.unwrap_or(latest))?.number,
                batch.quarter,
                line.network_name,
                line.payee
            )),
            crate::domain::bank::Unsettled::Returned => next.push(format!(
                "{amount} aan {} is niet betaald: heropen {} van {} en sluit opnieuw af, dan wordt het opnieuw betaald",
                line.payee, batch.quarter, line.network_name
            )),
        }
        let key = batch_id.to_be_bytes();
        self.write(ctx, |tx| {
            let mut lines: BankLines = tx.get(TreeName::BankLines, &key)?.unwrap_or_default();
            // Decided in the transaction: a statement or a colleague's correction meanwhile counts.
            let was = lines.state(end_to_end_id);
            if was == *state {
                return Err(super::tx::abort(StoreError::Refused(format!(
                    "betaling {end_to_end_id} staat al op {}; er is niets veranderd",
                    state_text(state)
                ))));
            }
            lines.lines.retain(|(id, _)| id != end_to_end_id);
            if *state != LineState::Open {
                lines.lines.push((end_to_end_id.to_string(), state.clone()));
            }
            lines.sent = Some(u32::try_from(sent.len()).unwrap_or(u32::MAX));
            tx.put(TreeName::BankLines, &key, &lines)?;
            let audit =
                CorrectionAudit { line: end_to_end_id, before: state_text(&was), after: state_text(state), why };
            let subject = format!("betaalbatch {} / {end_to_end_id} / {}", batch.number, line.payee);
            tx.audit::<(), _>(BANK_CORRECTION_ACTION, &subject, None, Some(&audit))?;
            Ok(())
        })?;
        Ok(next)
    }
}
