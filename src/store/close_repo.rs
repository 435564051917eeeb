//! The quarter close: preview (checklist and payment lines), close (one transaction that locks
//! the quarter and stores its numbered payment batch), reopen (finance, with a reason).

use crate::domain::close::{
    ByTeamLine, CheckItem, CloseInput, PaymentBatch, PaymentLine, QuarterClose, Reopening, checklist, payment_lines,
    settle,
};
use crate::domain::hours::NihilMark;
use crate::domain::{
    Agreement, HoursEntry, Invoice, Network, NetworkId, Partner, PracticeTeam, Quarter, TariffBook, TariffTable,
};

use chrono::NaiveDate;

use super::keys::{TreeName, in_network, network_quarter, network_year, year_key};
use super::records::{HoursIndex, InvoiceIndex, PaymentSettings};
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
    /// Set when the quarter is already closed: the lock and its batch.
    pub closed: Option<(QuarterClose, PaymentBatch)>,
}

impl NetworkClose {
    pub fn ready(&self) -> bool {
        self.closed.is_none() && self.checklist.iter().all(|i| i.ok)
    }
}

/// A network's checklist, payment lines and lines paid by the practice team.
type Evaluation = (Vec<CheckItem>, Vec<PaymentLine>, Vec<ByTeamLine>);

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
    /// Paid for this quarter by earlier, reopened batches (immutable once reopened).
    paid_before: Vec<PaymentLine>,
    /// The quarter's nihil marks (received forms without hours).
    nihil: Vec<NihilMark>,
}

impl Snapshot {
    fn read(store: &Store, network: NetworkId, quarter: Quarter) -> Result<Self, StoreError> {
        let year = quarter.year();
        let hours_index: Option<HoursIndex> = store.get(TreeName::HoursIndex, &network_year(network, year))?;
        let invoice_index: Option<InvoiceIndex> =
            store.get(TreeName::InvoiceIndex, &network_quarter(network, quarter))?;
        Ok(Self {
            network: store.network(network)?,
            team: store.practice_team(network)?,
            partners: store.partners(network)?,
            agreements: store.agreements(network)?,
            lines: store.hours_of(network, year)?,
            hours_index,
            invoices: store.invoices_of(network, quarter)?,
            invoice_index,
            tariffs: store.get(TreeName::Tariffs, &year_key(year))?,
            paid_before: paid_before(store, network, quarter)?,
            nihil: {
                let partners = store.partners(network)?;
                let mut marks = store.nihil_marks(network, quarter)?;
                marks.retain(|m| partners.iter().any(|p| p.id == m.partner));
                marks
            },
        })
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
        Ok(Self {
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
            nihil: nihil_in(tx, id, &before.partners, quarter)?,
        })
    }

    fn evaluate(&self, quarter: Quarter, today: NaiveDate) -> Result<Evaluation, StoreError> {
        let tariffs = TariffBook::new(self.tariffs.clone());
        let lines: Vec<HoursEntry> = self.lines.iter().filter(|l| quarter.contains(l.month)).cloned().collect();
        let input = CloseInput {
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
        };
        let mut items = checklist(&input);
        let (payments, by_team) =
            if items.iter().all(|i| i.ok) { payment_lines(&input)? } else { payment_lines(&input).unwrap_or_default() };
        let (payments, warnings) = settle(payments, &self.paid_before, &self.network.name);
        items.extend(warnings);
        items.sort_by_key(|i| (i.ok, !i.warning));
        Ok((items, payments, by_team))
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

/// How a warning that must be acknowledged is named when it is: "network: text".
pub fn acknowledgement(item: &CheckItem) -> String {
    format!("{}: {}", item.network, item.text)
}

/// The warnings of a preview that closing must acknowledge, as [`acknowledgement`] names them.
pub fn to_acknowledge(preview: &[NetworkClose]) -> Vec<String> {
    preview
        .iter()
        .filter(|n| n.closed.is_none())
        .flat_map(|n| n.checklist.iter())
        .filter(|i| i.acknowledge)
        .map(acknowledgement)
        .collect()
}

/// What reopened batches of this network's quarter already paid.
fn paid_before(store: &Store, network: NetworkId, quarter: Quarter) -> Result<Vec<PaymentLine>, StoreError> {
    Ok(store
        .batches()?
        .into_iter()
        .filter(|b| b.quarter == quarter && b.networks.contains(&network) && !b.is_current_for(network))
        .flat_map(|b| b.lines.into_iter().filter(|l| l.network == network))
        .collect())
}

impl Store {
    pub fn quarter_close(&self, network: NetworkId, quarter: Quarter) -> Result<Option<QuarterClose>, StoreError> {
        self.get(TreeName::Closes, &network_quarter(network, quarter))
    }

    pub fn batch(&self, id: u64) -> Result<PaymentBatch, StoreError> {
        self.get(TreeName::Batches, &id.to_be_bytes())?.ok_or_else(|| StoreError::NotFound(format!("betaalbatch {id}")))
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
        networks
            .iter()
            .map(|id| {
                let snapshot = Snapshot::read(self, *id, quarter)?;
                let (checklist, payments, by_team) = snapshot.evaluate(quarter, today)?;
                let closed = match self.quarter_close(*id, quarter)? {
                    Some(close) => {
                        let batch = self.batch(close.batch)?;
                        Some((close, batch))
                    }
                    None => None,
                };
                Ok(NetworkClose { network: snapshot.network, checklist, payments, by_team, closed })
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
        for id in networks {
            if self.quarter_close(*id, quarter)?.is_some() {
                failures.push(format!("{}: {quarter} is al afgesloten", self.network(*id)?.name));
                continue;
            }
            let snapshot = Snapshot::read(self, *id, quarter)?;
            let (items, _, _) = snapshot.evaluate(quarter, today)?;
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
                let (_, payments, team_lines) = now.evaluate(quarter, today).map_err(abort)?;
                lines.extend(payments);
                by_team.extend(team_lines);
            }
            let sequence = tx
                .get_raw(TreeName::Meta, BATCH_SEQUENCE)?
                .and_then(|b| b.as_ref().try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0)
                + 1;
            tx.put_raw(TreeName::Meta, BATCH_SEQUENCE, &sequence.to_be_bytes())?;
            let batch = PaymentBatch {
                id: tx.new_id()?,
                number: format!("{quarter}-{sequence:04}"),
                quarter,
                networks: snapshots.iter().map(|s| s.network.id).collect(),
                lines: lines.clone(),
                by_team: by_team.clone(),
                closed_by: ctx.user.clone(),
                closed_at: ctx.at,
                reopenings: Vec::new(),
            };
            tx.put(TreeName::Batches, &batch.id.to_be_bytes(), &batch)?;
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
        let ids: Vec<NetworkId> = networks.iter().map(|n| n.id).collect();
        Ok(self
            // The checklist's warnings are not reported here; only the payment lines are.
            .close_preview(&ids, quarter, quarter.last_day())?
            .into_iter()
            .map(|mut close| {
                let final_lines = close.closed.as_ref().map(|(_, batch)| {
                    let lines: Vec<PaymentLine> =
                        batch.lines.iter().filter(|l| l.network == close.network.id).cloned().collect();
                    let team: Vec<ByTeamLine> =
                        batch.by_team.iter().filter(|l| l.network_name == close.network.name).cloned().collect();
                    (lines, team)
                });
                let closed = final_lines.is_some();
                if let Some((lines, team)) = final_lines {
                    close.payments = lines;
                    close.by_team = team;
                }
                (close, closed)
            })
            .collect())
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

/// Networks of a region (Medrie region), by name.
pub fn region_networks(store: &Store, region: crate::domain::Region) -> Result<Vec<NetworkId>, StoreError> {
    let mut networks: Vec<Network> = store.networks()?.into_iter().filter(|n| n.region == region).collect();
    networks.sort_by_key(|n| n.name.to_lowercase());
    Ok(networks.into_iter().map(|n| n.id).collect())
}
