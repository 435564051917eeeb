//! The quarter close: preview (checklist and payment lines), close (one transaction that locks
//! the quarter and stores its numbered payment batch), reopen (finance, with a reason).

use crate::domain::close::{
    ByTeamLine, CheckItem, Claim, CloseInput, Payee, PaymentBatch, PaymentLine, QuarterClose, Reopening, SetOff,
    TeamDifference, checklist, claim_item, paid_again_item, payment_lines, set_off, settle,
};
use crate::domain::hours::NihilMark;
use crate::domain::{
    Agreement, HoursEntry, Invoice, Network, NetworkId, Partner, PracticeTeam, Quarter, TariffBook, TariffTable,
};

use chrono::NaiveDate;

use crate::domain::verify::{NetworkBasis, batch_violations};

use super::keys::{TreeName, in_network, network_quarter, network_year, payee_key, year_key};
use super::money_check::enforce;
use super::records::{BankLines, BatchBasis, BatchIds, HoursIndex, InvoiceIndex, OpenClaims, PaymentSettings};
use super::tx::{Tx, TxResult, abort};
use super::{ChangeContext, Store, StoreError};

const BATCH_SEQUENCE: &[u8] = b"batch_sequence";
const PAYMENT_SETTINGS: &[u8] = b"payments";

/// One network's quarter as the close sees it.
pub struct NetworkClose {
    pub network: Network,
    pub checklist: Vec<CheckItem>,
    pub payments: Vec<PaymentLine>,
    pub by_team: Vec<ByTeamLine>,
    /// Approved invoices above their hours: the excess, listed for the practice team, not paid.
    pub team_differences: Vec<TeamDifference>,
    /// Claims the close raises (less due than an earlier, reopened batch paid).
    pub claims: Vec<Claim>,
    /// Amounts due that are set off against open claims instead of paid.
    pub set_offs: Vec<SetOff>,
    /// Set when the quarter is already closed: the lock and its batch (from `quarter_payments`:
    /// this network's part of the batch only).
    pub closed: Option<(QuarterClose, PaymentBatch)>,
}

impl NetworkClose {
    pub fn ready(&self) -> bool {
        self.closed.is_none() && self.checklist.iter().all(|i| i.ok)
    }

    /// A closed quarter shows what its batch holds for this network, not a new computation.
    fn show_batch(&mut self) {
        let Some((_, batch)) = &self.closed else { return };
        let id = self.network.id;
        self.payments = batch.lines.iter().filter(|l| l.network == id).cloned().collect();
        self.by_team = batch.by_team.iter().filter(|l| l.network_name == self.network.name).cloned().collect();
        self.team_differences = batch.team_differences.iter().filter(|d| d.network == id).cloned().collect();
        self.claims = batch.claims.iter().filter(|c| c.line.network == id).cloned().collect();
        self.set_offs = batch.set_offs.iter().filter(|s| s.line.network == id).cloned().collect();
    }
}

/// What a network's quarter close would do: its checklist, what it pays and what it lists.
struct Evaluation {
    checklist: Vec<CheckItem>,
    payments: Vec<PaymentLine>,
    by_team: Vec<ByTeamLine>,
    team_differences: Vec<TeamDifference>,
    /// Claims raised by this close.
    claims: Vec<Claim>,
    set_offs: Vec<SetOff>,
    /// The payees' open claims as they stand after this close (raised ones included).
    open_after: Vec<Claim>,
}

/// Everything a close reads, so that the transaction can see that nothing changed since.
#[derive(PartialEq)]
struct Snapshot {
    network: Network,
    team: PracticeTeam,
    partners: Vec<Partner>,
    agreements: Vec<Agreement>,
    hours_index: Option<HoursIndex>,
    lines: Vec<HoursEntry>,
    invoice_index: Option<InvoiceIndex>,
    invoices: Vec<Invoice>,
    tariffs: Option<TariffTable>,
    /// Settled for this quarter by earlier, reopened batches (immutable once reopened, but for
    /// what the bank returns since): see [`PaymentBatch::settled_for`].
    paid_before: Vec<PaymentLine>,
    /// Each earlier, reopened batch of the quarter with every line the bank returned (all its
    /// networks'), read again inside the closing transaction: a statement read meanwhile is seen.
    bank_returned: Vec<(u64, Vec<String>)>,
    /// This network's returned lines that `paid_before` leaves out, per earlier batch: the close
    /// records that its batch settled them again.
    returns_left_out: Vec<(u64, Vec<String>)>,
    /// The checklist's warnings of those returns: paid again by this close.
    paid_again: Vec<CheckItem>,
    /// The batches of this network's quarter (the batch index), read again inside the closing
    /// transaction: a close and reopen by a colleague meanwhile is seen, never paid over.
    batch_ids: BatchIds,
    /// The open claims on the network's payees, oldest first.
    claims: Vec<Claim>,
    /// The quarter's nihil marks (received forms without hours).
    nihil: Vec<NihilMark>,
}

impl Snapshot {
    fn read(
        store: &Store,
        network: NetworkId,
        quarter: Quarter,
        earlier: &mut EarlierBatches,
    ) -> Result<Self, StoreError> {
        let year = quarter.year();
        let hours_index: Option<HoursIndex> = store.get(TreeName::HoursIndex, &network_year(network, year))?;
        let invoice_index: Option<InvoiceIndex> =
            store.get(TreeName::InvoiceIndex, &network_quarter(network, quarter))?;
        Self {
            network: store.network(network)?,
            team: store.practice_team(network)?,
            partners: store.partners(network)?,
            agreements: store.agreements(network)?,
            lines: store.hours_of(network, year)?,
            hours_index,
            invoices: store.invoices_of(network, quarter)?,
            invoice_index,
            tariffs: store.get(TreeName::Tariffs, &year_key(year))?,
            paid_before: Vec::new(),
            bank_returned: Vec::new(),
            returns_left_out: Vec::new(),
            paid_again: Vec::new(),
            batch_ids: store.get(TreeName::BatchIndex, &network_quarter(network, quarter))?.unwrap_or_default(),
            claims: Vec::new(),
            nihil: {
                let partners = store.partners(network)?;
                let mut marks = store.nihil_marks(network, quarter)?;
                marks.retain(|m| partners.iter().any(|p| p.id == m.partner));
                marks
            },
        }
        .with_paid_before(store, quarter, earlier)?
        .with_claims(|key| store.get::<OpenClaims>(TreeName::Claims, key))
    }

    /// The snapshot with what earlier, reopened batches of the quarter settled for its network,
    /// less the payments the bank returned (see [`settled_before`]).
    fn with_paid_before(
        mut self,
        store: &Store,
        quarter: Quarter,
        earlier: &mut EarlierBatches,
    ) -> Result<Self, StoreError> {
        let settled = settled_before(store, self.network.id, quarter, earlier)?;
        self.paid_before = settled.paid;
        self.bank_returned = settled.bank_returned;
        self.returns_left_out = settled.left_out;
        self.paid_again = settled.paid_again;
        Ok(self)
    }

    /// The snapshot with the open claims on its network's payees, read through `get`.
    fn with_claims<E>(mut self, get: impl Fn(&[u8]) -> Result<Option<OpenClaims>, E>) -> Result<Self, E> {
        let mut claims = Vec::new();
        for payee in self.payees() {
            if let Some(open) = get(&payee_key(self.network.id, payee))? {
                claims.extend(open.claims);
            }
        }
        self.claims = claims;
        Ok(self)
    }

    /// Everyone this close can pay or claim from: the team and partners as they are now, and
    /// whoever an earlier batch of the quarter paid (a practice that left the team since can
    /// still owe a claim; it must be kept with the claims it already has).
    fn payees(&self) -> Vec<Payee> {
        let practices = self.team.practices.iter().map(|p| Payee::Practice(p.id));
        let mut payees: Vec<Payee> = practices.chain(self.partners.iter().map(|p| Payee::Partner(p.id))).collect();
        for payee in self.paid_before.iter().filter_map(Payee::of) {
            if !payees.contains(&payee) {
                payees.push(payee);
            }
        }
        payees
    }

    /// The same records read again inside the closing transaction.
    fn read_in(tx: &Tx, before: &Snapshot, quarter: Quarter) -> TxResult<Self> {
        let id = before.network.id;
        let year = quarter.year();
        let hours_index: Option<HoursIndex> = tx.get(TreeName::HoursIndex, &network_year(id, year))?;
        let mut lines = Vec::new();
        for line in hours_index.iter().flat_map(|i| i.entries.iter()) {
            lines.push(tx.require(TreeName::Hours, &line.to_key(), || format!("urenregel {line}"))?);
        }
        let invoice_index: Option<InvoiceIndex> = tx.get(TreeName::InvoiceIndex, &network_quarter(id, quarter))?;
        let mut invoices = Vec::new();
        for invoice in invoice_index.iter().flat_map(|i| i.entries.iter()) {
            invoices.push(tx.require(TreeName::Invoices, &in_network(id, invoice.0), || format!("factuur {invoice}"))?);
        }
        let mut partners = Vec::new();
        for p in &before.partners {
            if let Some(partner) = tx.get(TreeName::Partners, &in_network(id, p.id.0))? {
                partners.push(partner);
            }
        }
        let mut agreements = Vec::new();
        for a in &before.agreements {
            if let Some(agreement) = tx.get(TreeName::Agreements, &in_network(id, a.id.0))? {
                agreements.push(agreement);
            }
        }
        Self {
            network: tx.require(TreeName::Networks, &id.to_key(), || format!("netwerk {id}"))?,
            team: tx.get(TreeName::PracticeTeams, &id.to_key())?.unwrap_or_else(|| PracticeTeam::empty(id)),
            partners,
            agreements,
            hours_index,
            lines,
            invoice_index,
            invoices,
            tariffs: tx.get(TreeName::Tariffs, &year_key(year))?,
            paid_before: before.paid_before.clone(),
            bank_returned: {
                let mut returned = Vec::new();
                for (batch, _) in &before.bank_returned {
                    let lines: BankLines = tx.get(TreeName::BankLines, &batch.to_be_bytes())?.unwrap_or_default();
                    returned.push((*batch, sorted(lines.returned())));
                }
                returned
            },
            returns_left_out: before.returns_left_out.clone(),
            paid_again: before.paid_again.clone(),
            batch_ids: tx.get(TreeName::BatchIndex, &network_quarter(id, quarter))?.unwrap_or_default(),
            claims: Vec::new(),
            nihil: nihil_in(tx, id, &before.partners, quarter)?,
        }
        .with_claims(|key| tx.get::<OpenClaims>(TreeName::Claims, key))
    }

    /// `f` of the close's input of this snapshot.
    fn with_input<T>(&self, quarter: Quarter, today: NaiveDate, f: impl FnOnce(&CloseInput) -> T) -> T {
        let tariffs = TariffBook::new(self.tariffs.clone());
        let lines: Vec<HoursEntry> = self.lines.iter().filter(|l| quarter.contains(l.month)).cloned().collect();
        f(&CloseInput {
            network: &self.network,
            team: &self.team,
            partners: &self.partners,
            agreements: &self.agreements,
            lines: &lines,
            invoices: &self.invoices,
            nihil: &self.nihil,
            tariffs: &tariffs,
            quarter,
            today,
        })
    }

    fn evaluate(&self, quarter: Quarter, today: NaiveDate) -> Result<Evaluation, StoreError> {
        self.with_input(quarter, today, |input| self.evaluate_input(input))
    }

    fn evaluate_input(&self, input: &CloseInput) -> Result<Evaluation, StoreError> {
        let mut items = checklist(input);
        let due =
            if items.iter().all(|i| i.ok) { payment_lines(input)? } else { payment_lines(input).unwrap_or_default() };
        // A partner's quarter worth below 0 is due as a negative amount: settled into a claim.
        let (payments, claims) = settle(due.payments.into_iter().chain(due.overpaid).collect(), &self.paid_before);
        items.extend(claims.iter().map(claim_item));
        items.extend(self.paid_again.iter().cloned());
        items.sort_by_key(|i| (i.ok, !i.warning));
        // Claims raised now come after the older ones, and are set off like them.
        let mut open_after: Vec<Claim> = self.claims.iter().chain(&claims).cloned().collect();
        let (payments, set_offs) = set_off(payments, &mut open_after);
        Ok(Evaluation {
            checklist: items,
            payments,
            by_team: due.by_team,
            team_differences: due.team_differences,
            claims,
            set_offs,
            open_after,
        })
    }
}

/// The nihil marks of the quarter read inside the transaction, in the order of the range scan
/// (month, then partner id), for the partners the snapshot knows.
fn nihil_in(tx: &Tx, network: NetworkId, partners: &[Partner], quarter: Quarter) -> TxResult<Vec<NihilMark>> {
    let mut ids: Vec<_> = partners.iter().map(|p| p.id).collect();
    ids.sort();
    let mut marks = Vec::new();
    for month in quarter.months() {
        for partner in &ids {
            if let Some(mark) = tx.get(TreeName::Nihil, &crate::store::keys::nihil_key(network, month, *partner))? {
                marks.push(mark);
            }
        }
    }
    Ok(marks)
}

pub use crate::domain::close::acknowledgement;

/// The warnings of a preview that closing must acknowledge (the domain's rule, over the networks
/// not closed yet).
pub fn to_acknowledge(preview: &[NetworkClose]) -> Vec<String> {
    crate::domain::close::to_acknowledge(preview.iter().filter(|n| n.closed.is_none()).flat_map(|n| &n.checklist))
}

/// What reopened batches of a network's quarter settled, and the bank's returns that it leaves out.
struct SettledBefore {
    paid: Vec<PaymentLine>,
    paid_again: Vec<CheckItem>,
    bank_returned: Vec<(u64, Vec<String>)>,
    left_out: Vec<(u64, Vec<String>)>,
}

/// What reopened batches of this network's quarter already settled, per payment key, without the
/// payments the bank returned (money that came back settled nothing, so the re-close pays it
/// again, to the IBAN the payee has now): read through the batch index, so a close costs its own
/// history, not every batch ever written. A region's batch holds every network of the region:
/// `earlier` keeps each batch (and what the bank said of it) read, so that it is decoded once for
/// all of them, not once a network.
fn settled_before(
    store: &Store,
    network: NetworkId,
    quarter: Quarter,
    earlier: &mut EarlierBatches,
) -> Result<SettledBefore, StoreError> {
    let index: BatchIds = store.get(TreeName::BatchIndex, &network_quarter(network, quarter))?.unwrap_or_default();
    let mut out =
        SettledBefore { paid: Vec::new(), paid_again: Vec::new(), bank_returned: Vec::new(), left_out: Vec::new() };
    // Which of the quarter's batches went out for this network: a return an earlier close paid
    // again with a file is not paid again now.
    let mut went_out = std::collections::HashMap::new();
    for id in &index.ids {
        let (batch, _, first_file) = earlier.read_with_bank(store, *id)?;
        went_out.insert(*id, batch.went_out(network, first_file));
    }
    for id in index.ids {
        let (batch, bank, first_file) = earlier.read_with_bank(store, id)?;
        if batch.quarter == quarter && batch.networks.contains(&network) && !batch.is_current_for(network) {
            let returned = bank.returned();
            out.paid.extend(batch.settled_for(network, first_file, &|e2e| returned.contains(e2e)));
            let mut mine = Vec::new();
            for (n, line) in batch.lines.iter().enumerate().filter(|(_, l)| l.network == network) {
                let e2e = batch.end_to_end_id(n);
                if returned.contains(&e2e) {
                    let repaid =
                        bank.settled_again.iter().any(|(id, by)| *id == e2e && went_out.get(by) == Some(&true));
                    if !repaid {
                        out.paid_again.push(paid_again_item(line, &e2e));
                    }
                    mine.push(e2e);
                }
            }
            if !mine.is_empty() {
                out.left_out.push((id, mine));
            }
            out.bank_returned.push((id, sorted(returned)));
        }
    }
    Ok(out)
}

fn sorted(set: std::collections::HashSet<String>) -> Vec<String> {
    let mut ids: Vec<String> = set.into_iter().collect();
    ids.sort();
    ids
}

/// What a close needs of an earlier batch to know what it paid: what the bank said of it and
/// when its first payment file was written.
type Paid = (BankLines, Option<chrono::DateTime<chrono::Utc>>);

/// The batches read so far by one close or preview, by id, with (once asked) what they paid.
#[derive(Default)]
struct EarlierBatches(std::collections::HashMap<u64, (PaymentBatch, Option<Paid>)>);

impl EarlierBatches {
    fn read(&mut self, store: &Store, id: u64) -> Result<&PaymentBatch, StoreError> {
        match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(known) => Ok(&known.into_mut().0),
            std::collections::hash_map::Entry::Vacant(new) => Ok(&new.insert((store.batch(id)?, None)).0),
        }
    }

    /// The batch, what the bank said of it and when its first payment file was written.
    fn read_with_bank(
        &mut self,
        store: &Store,
        id: u64,
    ) -> Result<(&PaymentBatch, &BankLines, Option<chrono::DateTime<chrono::Utc>>), StoreError> {
        let (batch, paid) = match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => new.insert((store.batch(id)?, None)),
        };
        let (bank, first_file) = match paid {
            Some(paid) => paid,
            unread @ None => unread.insert((store.bank_lines(id)?, store.batch_exports(id)?.first_to_bank())),
        };
        Ok((batch, bank, *first_file))
    }
}

/// Set in the meta tree once the batch index holds every batch written before it existed.
pub(super) const BATCH_INDEX_BUILT: &[u8] = b"batch_index_built";

impl Store {
    pub fn quarter_close(&self, network: NetworkId, quarter: Quarter) -> Result<Option<QuarterClose>, StoreError> {
        self.get(TreeName::Closes, &network_quarter(network, quarter))
    }

    pub fn batch(&self, id: u64) -> Result<PaymentBatch, StoreError> {
        self.get(TreeName::Batches, &id.to_be_bytes())?.ok_or_else(|| StoreError::NotFound(format!("betaalbatch {id}")))
    }

    /// Every batch that paid a network's quarter, oldest first (reopened ones included).
    pub fn batches_of(&self, network: NetworkId, quarter: Quarter) -> Result<Vec<PaymentBatch>, StoreError> {
        let index: BatchIds = self.get(TreeName::BatchIndex, &network_quarter(network, quarter))?.unwrap_or_default();
        index.ids.iter().map(|id| self.batch(*id)).collect()
    }

    /// A database from before the batch index: indexes every stored batch once (at open).
    pub(super) fn index_batches(&self) -> Result<(), StoreError> {
        if self.tree(TreeName::Meta).contains_key(BATCH_INDEX_BUILT)? {
            return Ok(());
        }
        let mut index: std::collections::BTreeMap<Vec<u8>, BatchIds> = std::collections::BTreeMap::new();
        for batch in self.batches()? {
            for network in &batch.networks {
                index.entry(network_quarter(*network, batch.quarter).to_vec()).or_default().ids.push(batch.id);
            }
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(super::Durable::Now, |w| {
            for (key, ids) in index {
                w.insert(TreeName::BatchIndex, &key, &super::codec::encode(&ids))?;
            }
            w.insert(TreeName::Meta, BATCH_INDEX_BUILT, &[1u8])
        })
    }

    /// Every open claim (paid too much, still to set off), by payee.
    pub fn open_claims(&self) -> Result<Vec<Claim>, StoreError> {
        Ok(self.scan::<OpenClaims>(TreeName::Claims, &[])?.into_iter().flat_map(|o| o.claims).collect())
    }

    /// Checks a batch read for a payment file against what it was computed from and what earlier
    /// (reopened) batches of its quarter settled ([`batch_violations`]): a violation refuses the
    /// export (a `debug_assert!` failure in a debug build).
    pub fn check_batch_for_export(&self, batch: &PaymentBatch) -> Result<(), StoreError> {
        let mut before = Vec::new();
        // Each earlier batch (and what the bank said of it) read once, though a region's batch is
        // in every network's index.
        let mut earlier = EarlierBatches::default();
        for network in batch.networks.iter().filter(|n| batch.is_current_for(**n)) {
            let index: BatchIds =
                self.get(TreeName::BatchIndex, &network_quarter(*network, batch.quarter))?.unwrap_or_default();
            for id in index.ids.into_iter().filter(|id| *id != batch.id) {
                let (b, bank, first_file) = earlier.read_with_bank(self, id)?;
                if b.quarter == batch.quarter && !b.is_current_for(*network) {
                    // The returns this batch's close left out, as it left them out then.
                    let again = bank.settled_again_by(batch.id);
                    before.extend(b.settled_for(*network, first_file, &|e2e| again.contains(e2e)));
                }
            }
        }
        // A batch from before bases were kept has none: checked without it.
        let basis: BatchBasis = self.get(TreeName::BatchBases, &batch.id.to_be_bytes())?.unwrap_or_default();
        let mut violations = batch_violations(batch, &basis.networks, &before);
        if !violations.is_empty() {
            // What the office can do about it: the batch is never paid as it stands.
            violations.push(format!(
                "wat nu: schrijf geen betaalbestand van deze batch; heropen kwartaal {} van de genoemde netwerken en sluit \
                 het opnieuw af: de nieuwe batch wordt opgebouwd en gecontroleerd",
                batch.quarter
            ));
        }
        enforce(&format!("betaalbatch {}", batch.number), violations)
    }

    /// The batch numbered `number` (`2025-Q1-0001`; case and spaces around it ignored), if any.
    /// Numbers are not indexed: every batch is read (a command's lookup, never a screen's).
    pub fn batch_numbered(&self, number: &str) -> Result<Option<PaymentBatch>, StoreError> {
        let number = number.trim();
        Ok(self.batches()?.into_iter().find(|b| b.number.eq_ignore_ascii_case(number)))
    }

    pub fn batches(&self) -> Result<Vec<PaymentBatch>, StoreError> {
        self.scan(TreeName::Batches, &[])
    }

    /// The checklist and payment lines of each network's quarter, and whether it is closed, as a
    /// close on `today` would see them.
    pub fn close_preview(
        &self,
        networks: &[NetworkId],
        quarter: Quarter,
        today: NaiveDate,
    ) -> Result<Vec<NetworkClose>, StoreError> {
        self.preview_with(networks, quarter, today, &mut EarlierBatches::default())
    }

    /// [`Store::close_preview`] with the batches read so far (by an earlier preview of the same
    /// quarter).
    fn preview_with(
        &self,
        networks: &[NetworkId],
        quarter: Quarter,
        today: NaiveDate,
        earlier: &mut EarlierBatches,
    ) -> Result<Vec<NetworkClose>, StoreError> {
        networks
            .iter()
            .map(|id| {
                let snapshot = Snapshot::read(self, *id, quarter, earlier)?;
                let evaluation = snapshot.evaluate(quarter, today)?;
                let closed = match self.quarter_close(*id, quarter)? {
                    Some(close) => {
                        let batch = earlier.read(self, close.batch)?.clone();
                        Some((close, batch))
                    }
                    None => None,
                };
                let mut close = NetworkClose {
                    network: snapshot.network,
                    checklist: evaluation.checklist,
                    payments: evaluation.payments,
                    by_team: evaluation.by_team,
                    team_differences: evaluation.team_differences,
                    claims: evaluation.claims,
                    set_offs: evaluation.set_offs,
                    closed,
                };
                close.show_batch();
                Ok(close)
            })
            .collect()
    }

    /// Closes the quarter of every network given, in one transaction: each checklist must be
    /// clear, and nothing it was computed from may have changed by the time it commits. The
    /// quarters become locked and one numbered payment batch holds all their payment lines.
    ///
    /// Warnings that must be acknowledged (6-month milestones overdue) refuse the close unless
    /// each is in `acknowledged`, as [`acknowledgement`] words it: exactly what the finance officer
    /// was shown, so a warning that appeared since is not acknowledged unseen. Each acknowledged
    /// warning is written to the audit log with the close.
    pub fn close_quarter(
        &self,
        ctx: &ChangeContext,
        networks: &[NetworkId],
        quarter: Quarter,
        acknowledged: &[String],
    ) -> Result<PaymentBatch, StoreError> {
        let today = ctx.at.with_timezone(&chrono::Local).date_naive();
        if networks.is_empty() {
            return Err(StoreError::Refused("geen netwerken om af te sluiten".into()));
        }
        let mut snapshots = Vec::new();
        let mut failures = Vec::new();
        let mut to_acknowledge = Vec::new();
        let mut earlier = EarlierBatches::default();
        for id in networks {
            if self.quarter_close(*id, quarter)?.is_some() {
                failures.push(format!("{}: {quarter} is al afgesloten", self.network(*id)?.name));
                continue;
            }
            let snapshot = Snapshot::read(self, *id, quarter, &mut earlier)?;
            let items = snapshot.evaluate(quarter, today)?.checklist;
            failures.extend(items.iter().filter(|i| !i.ok).map(|i| format!("{}: {}", i.network, i.text)));
            to_acknowledge.extend(items.into_iter().filter(|i| i.acknowledge));
            snapshots.push(snapshot);
        }
        if !failures.is_empty() {
            return Err(StoreError::Refused(format!(
                "{quarter} kan niet worden afgesloten:\n- {}",
                failures.join("\n- ")
            )));
        }
        let unseen: Vec<String> =
            to_acknowledge.iter().map(acknowledgement).filter(|t| !acknowledged.contains(t)).collect();
        if !unseen.is_empty() {
            let texts = unseen;
            return Err(StoreError::Refused(format!(
                "{quarter} afsluiten vraagt eerst erkenning van deze waarschuwingen:\n- {}",
                texts.join("\n- ")
            )));
        }
        self.write(ctx, |tx| {
            let mut lines = Vec::new();
            let mut by_team = Vec::new();
            let mut team_differences = Vec::new();
            let mut claims = Vec::new();
            let mut set_offs = Vec::new();
            let mut open_after = Vec::new();
            let mut basis = Vec::new();
            for before in &snapshots {
                let now = Snapshot::read_in(tx, before, quarter)?;
                if &now != before {
                    return Err(abort(StoreError::Refused(format!(
                        "{} is gewijzigd terwijl de afsluiting werd berekend; bekijk het opnieuw",
                        before.network.name
                    ))));
                }
                if tx.get_raw(TreeName::Closes, &network_quarter(before.network.id, quarter))?.is_some() {
                    return Err(abort(StoreError::Refused(format!(
                        "{}: {quarter} is al afgesloten",
                        before.network.name
                    ))));
                }
                let (evaluation, network_basis) = now
                    .with_input(quarter, today, |input| -> Result<_, StoreError> {
                        Ok((now.evaluate_input(input)?, NetworkBasis::of(input)?))
                    })
                    .map_err(abort)?;
                basis.push(network_basis);
                lines.extend(evaluation.payments);
                by_team.extend(evaluation.by_team);
                team_differences.extend(evaluation.team_differences);
                claims.extend(evaluation.claims);
                set_offs.extend(evaluation.set_offs);
                let payees = now.payees();
                if let Some(lost) =
                    evaluation.open_after.iter().find(|c| Payee::of(&c.line).is_none_or(|p| !payees.contains(&p)))
                {
                    // Never: every claim is kept under its payee, or the close does not happen.
                    return Err(abort(StoreError::Refused(format!(
                        "vordering op {} kan niet worden bewaard; er is niets afgesloten",
                        lost.line.payee
                    ))));
                }
                open_after.push((now.network.id, payees, evaluation.open_after));
            }
            let sequence = tx
                .get_raw(TreeName::Meta, BATCH_SEQUENCE)?
                .and_then(|b| b.as_slice().try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0)
                + 1;
            tx.put_raw(TreeName::Meta, BATCH_SEQUENCE, &sequence.to_be_bytes())?;
            let batch = PaymentBatch {
                id: tx.new_id()?,
                number: format!("{quarter}-{sequence:04}"),
                quarter,
                networks: snapshots.iter().map(|s| s.network.id).collect(),
                lines,
                by_team,
                closed_by: ctx.user.clone(),
                closed_at: ctx.at,
                reopenings: Vec::new(),
                team_differences,
                claims,
                set_offs,
            };
            let mut batch = batch;
            for claim in &mut batch.claims {
                claim.batch = batch.number.clone();
                claim.batch_id = batch.id;
            }
            for set_off in &mut batch.set_offs {
                if set_off.claim_batch.is_empty() {
                    set_off.claim_batch = batch.number.clone(); // raised and set off in this close
                }
            }
            // The batch's money checked right before it is written (TigerBeetle style).
            let paid_before: Vec<PaymentLine> = snapshots.iter().flat_map(|s| s.paid_before.iter().cloned()).collect();
            enforce(&format!("betaalbatch {}", batch.number), batch_violations(&batch, &basis, &paid_before))
                .map_err(abort)?;
            tx.put(TreeName::Batches, &batch.id.to_be_bytes(), &batch)?;
            tx.put(TreeName::BatchBases, &batch.id.to_be_bytes(), &BatchBasis { networks: basis.clone() })?;
            for network in &batch.networks {
                let key = network_quarter(*network, quarter);
                let mut index: BatchIds = tx.get(TreeName::BatchIndex, &key)?.unwrap_or_default();
                index.ids.push(batch.id);
                tx.put(TreeName::BatchIndex, &key, &index)?;
            }
            for (network, payees, open) in &open_after {
                write_open_claims(tx, *network, payees, open, &batch)?;
            }
            // The returned payments this close left out of what was settled before: it paid them
            // again (or claimed that much less), which the bank's Signalen and an export's check read.
            for (earlier, ids) in snapshots.iter().flat_map(|s| &s.returns_left_out) {
                let mut bank: BankLines = tx.get(TreeName::BankLines, &earlier.to_be_bytes())?.unwrap_or_default();
                bank.settled_again.extend(ids.iter().map(|id| (id.clone(), batch.id)));
                tx.put(TreeName::BankLines, &earlier.to_be_bytes(), &bank)?;
            }
            for snapshot in &snapshots {
                let close = QuarterClose {
                    network: snapshot.network.id,
                    quarter,
                    batch: batch.id,
                    closed_by: ctx.user.clone(),
                    closed_at: ctx.at,
                };
                tx.put(TreeName::Closes, &network_quarter(snapshot.network.id, quarter), &close)?;
            }
            let names: Vec<&str> = snapshots.iter().map(|s| s.network.name.as_str()).collect();
            let subject = format!(
                "{quarter} / {} / batch {} / {}",
                names.join(", "),
                batch.number,
                crate::domain::money::format_eur(batch.total())
            );
            tx.audit::<(), _>("kwartaal afgesloten", &subject, None, Some(&batch))?;
            for item in &to_acknowledge {
                let subject = format!("{} / {quarter} / batch {}", item.network, batch.number);
                tx.audit::<(), _>("waarschuwing erkend bij afsluiting", &subject, None, Some(&item.text))?;
            }
            Ok(batch)
        })
    }

    /// Reopens one network's closed quarter (finance, with a reason). The batch stays on record
    /// with the reopening noted; the network's hours and invoices can change again.
    pub fn reopen_quarter(
        &self,
        ctx: &ChangeContext,
        network: NetworkId,
        quarter: Quarter,
        reason: &str,
    ) -> Result<(), StoreError> {
        let reason = crate::domain::validate::parse_required_text("reden", reason, 300)?;
        self.write(ctx, |tx| {
            let n: Network = tx.require(TreeName::Networks, &network.to_key(), || format!("netwerk {network}"))?;
            let key = network_quarter(network, quarter);
            let close: QuarterClose = tx
                .get(TreeName::Closes, &key)?
                .ok_or_else(|| abort(StoreError::Refused(format!("{quarter} van {} is niet afgesloten", n.name))))?;
            let mut batch: PaymentBatch =
                tx.require(TreeName::Batches, &close.batch.to_be_bytes(), || format!("betaalbatch {}", close.batch))?;
            let before = batch.clone();
            batch.reopenings.push(Reopening { network, by: ctx.user.clone(), at: ctx.at, reason: reason.clone() });
            tx.put(TreeName::Batches, &batch.id.to_be_bytes(), &batch)?;
            tx.remove(TreeName::Closes, &key)?;
            tx.audit(
                "kwartaal heropend",
                &format!("{quarter} / {} / batch {} / reden: {reason}", n.name, batch.number),
                Some(&before),
                Some(&batch),
            )
        })
    }

    /// The payment lines of a quarter: final (from the batch) for closed networks, planned for
    /// open ones, every network in region and name order.
    pub fn quarter_payments(&self, quarter: Quarter) -> Result<Vec<(NetworkClose, bool)>, StoreError> {
        let mut networks = self.networks()?;
        networks.sort_by_key(|n| (n.region, n.name.to_lowercase()));
        let mut rows = Vec::with_capacity(networks.len());
        // Each batch read once for the whole list: a region's batch holds ~100 networks, and an
        // open network's preview reads its quarter's earlier batches.
        let mut batches = EarlierBatches::default();
        for network in networks {
            // A closed quarter is what its batch holds: read the batch (once for a whole region),
            // not the quarter's hours and invoices again.
            if let Some(close) = self.quarter_close(network.id, quarter)? {
                let batch = batches.read(self, close.batch)?;
                // This network's part of the batch only (a region's batch holds ~100 networks:
                // copying it whole for each of them was most of the report's time).
                let batch = network_part(batch, &network);
                let mut shown = NetworkClose {
                    network,
                    checklist: Vec::new(),
                    payments: Vec::new(),
                    by_team: Vec::new(),
                    team_differences: Vec::new(),
                    claims: Vec::new(),
                    set_offs: Vec::new(),
                    closed: Some((close, batch)),
                };
                shown.show_batch();
                rows.push((shown, true));
                continue;
            }
            // The checklist's warnings are not reported here; only the payment lines are.
            let open = self.preview_with(&[network.id], quarter, quarter.last_day(), &mut batches)?;
            rows.extend(open.into_iter().map(|close| (close, false)));
        }
        Ok(rows)
    }

    pub fn payment_settings(&self) -> Result<Option<PaymentSettings>, StoreError> {
        self.get(TreeName::Settings, PAYMENT_SETTINGS)
    }

    pub fn save_payment_settings(&self, ctx: &ChangeContext, settings: &PaymentSettings) -> Result<(), StoreError> {
        crate::domain::validate::parse_required_text("naam", &settings.debtor_name, 70)?;
        self.write(ctx, |tx| {
            let before: Option<PaymentSettings> = tx.get(TreeName::Settings, PAYMENT_SETTINGS)?;
            tx.put(TreeName::Settings, PAYMENT_SETTINGS, settings)?;
            tx.audit("betaalrekening opgeslagen", &settings.debtor_name, before.as_ref(), Some(settings))
        })
    }
}

/// A batch as far as one network is concerned: its lines, listed lines, claims and set-offs only.
fn network_part(batch: &PaymentBatch, network: &Network) -> PaymentBatch {
    let id = network.id;
    PaymentBatch {
        id: batch.id,
        number: batch.number.clone(),
        quarter: batch.quarter,
        networks: batch.networks.clone(),
        lines: batch.lines.iter().filter(|l| l.network == id).cloned().collect(),
        by_team: batch.by_team.iter().filter(|l| l.network_name == network.name).cloned().collect(),
        closed_by: batch.closed_by.clone(),
        closed_at: batch.closed_at,
        reopenings: batch.reopenings.clone(),
        team_differences: batch.team_differences.iter().filter(|d| d.network == id).cloned().collect(),
        claims: batch.claims.iter().filter(|c| c.line.network == id).cloned().collect(),
        set_offs: batch.set_offs.iter().filter(|s| s.line.network == id).cloned().collect(),
    }
}

/// Networks of a region (Medrie region), by name.
pub fn region_networks(store: &Store, region: crate::domain::Region) -> Result<Vec<NetworkId>, StoreError> {
    let mut networks: Vec<Network> = store.networks()?.into_iter().filter(|n| n.region == region).collect();
    networks.sort_by_key(|n| n.name.to_lowercase());
    Ok(networks.into_iter().map(|n| n.id).collect())
}

/// Stores the payees' open claims as a close leaves them: each claim raised by `batch` gets the
/// batch's number, fully set-off claims are dropped, a payee without open claims has no record.
fn write_open_claims(
    tx: &Tx,
    network: NetworkId,
    payees: &[Payee],
    open: &[Claim],
    batch: &PaymentBatch,
) -> TxResult<()> {
    for payee in payees {
        let key = payee_key(network, *payee);
        let claims: Vec<Claim> = open
            .iter()
            .filter(|c| Payee::of(&c.line) == Some(*payee) && c.open > rust_decimal::Decimal::ZERO)
            .map(|c| {
                let mut claim = c.clone();
                if claim.batch.is_empty() {
                    claim.batch = batch.number.clone();
                    claim.batch_id = batch.id;
                }
                claim
            })
            .collect();
        let before: Option<OpenClaims> = tx.get(TreeName::Claims, &key)?;
        match (claims.is_empty(), before) {
            (true, None) => {}
            (true, Some(_)) => tx.remove(TreeName::Claims, &key)?,
            (false, _) => tx.put(TreeName::Claims, &key, &OpenClaims { claims })?,
        }
    }
    Ok(())
}
