//! Partner invoices: recorded per network and quarter, a number once per partner, approved or
//! rejected with a reason, and never changed once the quarter is closed.

use crate::domain::close::{CloseInput, invoiced_worth};
use crate::domain::{Invoice, InvoiceDecision, InvoiceId, NetworkId, PartnerId, Quarter};

use super::hours_repo::ensure_open;
use super::keys::{TreeName, in_network, network_quarter};
use super::network_repo::require_network;
use super::records::InvoiceIndex;
use super::tx::{TxResult, abort};
use super::{ChangeContext, Store, StoreError};

fn number_key(invoice: &Invoice) -> Vec<u8> {
    let mut key = invoice.partner.to_key().to_vec();
    key.extend(invoice.number.trim().to_lowercase().into_bytes());
    key
}

/// Stores an invoice of an open quarter with its number, index entry and audit entry.
fn insert_invoice(tx: &super::tx::Tx, draft: &Invoice) -> TxResult<Invoice> {
    let network = require_network(tx, draft.network)?;
    let partner: crate::domain::Partner =
        tx.require(TreeName::Partners, &in_network(draft.network, draft.partner.0), || {
            format!("partner {}", draft.partner)
        })?;
    ensure_open(tx, &network, draft.quarter)?;
    let invoice = Invoice { id: InvoiceId(tx.new_id()?), ..draft.clone() };
    let number = number_key(&invoice);
    if tx.get_raw(TreeName::InvoiceNumbers, &number)?.is_some() {
        return Err(abort(StoreError::Refused(format!(
            "{} heeft al een factuur met nummer {}",
            partner.name, invoice.number
        ))));
    }
    tx.put_raw(TreeName::InvoiceNumbers, &number, &invoice.id.to_key())?;
    tx.put(TreeName::Invoices, &in_network(invoice.network, invoice.id.0), &invoice)?;
    let key = network_quarter(invoice.network, invoice.quarter);
    let mut index: InvoiceIndex = tx.get(TreeName::InvoiceIndex, &key)?.unwrap_or_default();
    index.entries.push(invoice.id);
    tx.put(TreeName::InvoiceIndex, &key, &index)?;
    let subject = format!("{} / {} / {} / factuur {}", network.name, partner.name, invoice.quarter, invoice.number);
    tx.audit::<(), _>("factuur ontvangen", &subject, None, Some(&invoice))?;
    Ok(invoice)
}

impl Store {
    /// The invoices of a network's quarter, in the order received.
    pub fn invoices_of(&self, network: NetworkId, quarter: Quarter) -> Result<Vec<Invoice>, StoreError> {
        let index: InvoiceIndex =
            self.get(TreeName::InvoiceIndex, &network_quarter(network, quarter))?.unwrap_or_default();
        index
            .entries
            .iter()
            .map(|id| {
                self.get(TreeName::Invoices, &in_network(network, id.0))?
                    .ok_or_else(|| StoreError::NotFound(format!("factuur {id}")))
            })
            .collect()
    }

    /// Records an invoice (its id is assigned here). The same number twice for one partner is refused.
    pub fn add_invoice(&self, ctx: &ChangeContext, draft: &Invoice) -> Result<Invoice, StoreError> {
        draft.validate()?;
        let draft =
            Invoice { number: draft.number.trim().to_string(), decision: InvoiceDecision::Open, ..draft.clone() };
        self.write(ctx, |tx| insert_invoice(tx, &draft))
    }

    /// Records many invoices in one transaction, each exactly as [`Store::add_invoice`] stores it
    /// (with its own audit entry): only for the generator of the benchmark data set.
    #[doc(hidden)]
    pub fn add_invoices_for_generator(&self, ctx: &ChangeContext, drafts: &[Invoice]) -> Result<(), StoreError> {
        let mut clean = Vec::with_capacity(drafts.len());
        for draft in drafts {
            draft.validate()?;
            clean.push(Invoice {
                number: draft.number.trim().to_string(),
                decision: InvoiceDecision::Open,
                ..draft.clone()
            });
        }
        self.write(ctx, |tx| {
            for draft in &clean {
                insert_invoice(tx, draft)?;
            }
            Ok(())
        })
    }

    /// Approves (with a reason when it does not match the hours) or rejects (always with a
    /// reason) an invoice of an open quarter.
    pub fn decide_invoice(
        &self,
        ctx: &ChangeContext,
        network: NetworkId,
        id: InvoiceId,
        approve: bool,
        reason: &str,
    ) -> Result<Invoice, StoreError> {
        let invoice: Invoice = self
            .get(TreeName::Invoices, &in_network(network, id.0))?
            .ok_or_else(|| StoreError::NotFound(format!("factuur {id}")))?;
        let decision = if approve {
            let worth = self.invoiced_worth(&invoice)?;
            invoice.approval(worth, reason)?
        } else {
            Invoice::rejection(reason)?
        };
        self.write(ctx, |tx| {
            let network = require_network(tx, invoice.network)?;
            ensure_open(tx, &network, invoice.quarter)?;
            let key = in_network(invoice.network, id.0);
            let before: Invoice = tx.require(TreeName::Invoices, &key, || format!("factuur {id}"))?;
            let action = if approve { "factuur goedgekeurd" } else { "factuur afgewezen" };
            put_decision(tx, &network, &before, &decision, action)
        })
    }

    /// Approves every open invoice of a network's quarter, each exactly as [`Store::decide_invoice`]
    /// approves it (its worth against the hours, a reason where it differs, its own audit entry),
    /// in one transaction: only for the generator of the benchmark data set.
    #[doc(hidden)]
    pub fn approve_invoices_for_generator(
        &self,
        ctx: &ChangeContext,
        network: NetworkId,
        quarter: Quarter,
        reason: &str,
    ) -> Result<(), StoreError> {
        let open: Vec<Invoice> =
            self.invoices_of(network, quarter)?.into_iter().filter(|i| i.decision == InvoiceDecision::Open).collect();
        if open.is_empty() {
            return Ok(());
        }
        let partners: Vec<PartnerId> = open.iter().map(|i| i.partner).collect();
        let worths = self.invoiced_worths(network, quarter, &partners)?;
        let decided = open
            .into_iter()
            .zip(worths)
            .map(|(invoice, worth)| Ok((invoice.approval(worth, reason)?, invoice)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write(ctx, |tx| {
            let network = require_network(tx, network)?;
            ensure_open(tx, &network, quarter)?;
            for (decision, before) in &decided {
                put_decision(tx, &network, before, decision, "factuur goedgekeurd")?;
            }
            Ok(())
        })
    }

    /// Removes an invoice entered by mistake (open quarters only).
    pub fn delete_invoice(&self, ctx: &ChangeContext, network: NetworkId, id: InvoiceId) -> Result<(), StoreError> {
        self.write(ctx, |tx| -> TxResult<()> {
            let network = require_network(tx, network)?;
            let key = in_network(network.id, id.0);
            let before: Invoice = tx.require(TreeName::Invoices, &key, || format!("factuur {id}"))?;
            ensure_open(tx, &network, before.quarter)?;
            tx.remove(TreeName::Invoices, &key)?;
            tx.remove(TreeName::InvoiceNumbers, &number_key(&before))?;
            let index_key = network_quarter(network.id, before.quarter);
            let mut index: InvoiceIndex = tx.get(TreeName::InvoiceIndex, &index_key)?.unwrap_or_default();
            index.entries.retain(|e| *e != id);
            if index.entries.is_empty() {
                tx.remove(TreeName::InvoiceIndex, &index_key)?;
            } else {
                tx.put(TreeName::InvoiceIndex, &index_key, &index)?;
            }
            tx.audit::<_, ()>(
                "factuur verwijderd",
                &format!("{} / factuur {}", network.name, before.number),
                Some(&before),
                None,
            )
        })
    }

    /// What the partner's counted hours lines of the invoice's network and quarter are worth.
    pub fn invoiced_worth(&self, invoice: &Invoice) -> Result<rust_decimal::Decimal, StoreError> {
        let worths = self.invoiced_worths(invoice.network, invoice.quarter, &[invoice.partner])?;
        Ok(worths[0])
    }

    /// What each partner's counted hours lines of the network's quarter are worth (the network's
    /// records read once for them all).
    fn invoiced_worths(
        &self,
        network: NetworkId,
        quarter: Quarter,
        of: &[PartnerId],
    ) -> Result<Vec<rust_decimal::Decimal>, StoreError> {
        let record = self.network(network)?;
        let team = self.practice_team(network)?;
        let partners = self.partners(network)?;
        let lines = self.hours_of(network, quarter.year())?;
        let tariffs = self.tariff_book()?;
        let input = CloseInput {
            network: &record,
            team: &team,
            partners: &partners,
            agreements: &[],
            lines: &lines,
            invoices: &[],
            nihil: &[],
            tariffs: &tariffs,
            quarter,
            today: quarter.last_day(), // only the worth is read, not the checklist
        };
        of.iter()
            .map(|id| {
                let partner = partners
                    .iter()
                    .find(|p| p.id == *id)
                    .ok_or_else(|| StoreError::NotFound(format!("partner {id}")))?;
                Ok(invoiced_worth(&input, partner)?)
            })
            .collect()
    }
}

/// Writes an invoice's decision with its audit entry (approval, rejection).
fn put_decision(
    tx: &super::tx::Tx,
    network: &crate::domain::Network,
    before: &Invoice,
    decision: &InvoiceDecision,
    action: &str,
) -> TxResult<Invoice> {
    let after = Invoice { decision: decision.clone(), ..before.clone() };
    tx.put(TreeName::Invoices, &in_network(before.network, before.id.0), &after)?;
    tx.audit(
        action,
        &format!("{} / {} / factuur {}", network.name, before.quarter, before.number),
        Some(before),
        Some(&after),
    )?;
    Ok(after)
}
