//! What would go out by e-mail from the current Signalen (issue 17): per recipient one mail that
//! bundles their reminders, from the templates and addresses in the store, leaving out each
//! reminder that went (or was queued) to the same recipient less than a week ago. The same plan
//! feeds `:mail` on the screen and `sidw mail send` on the command line.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::calendar::format_date;
use crate::domain::mail::{
    Addressee, Attachment, Mail, MailItem, TemplateKind, advice_key, bundle, holds_back, reminder_of, signal_key,
    statement_key,
};
use crate::domain::signals::{Signal, SignalTarget};
use crate::domain::{Network, NetworkId, Quarter, Scope};
use crate::store::records::{OutboxMessage, OutboxState};
use crate::store::{ChangeContext, Store, StoreError};

/// What `:mail` and `sidw mail send` would send now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailPlan {
    pub mails: Vec<Mail>,
    /// Reminders left out because they went to the same recipient less than a week ago.
    pub held_back: usize,
    /// Reminders that have nobody to go to: "Zwolle-Zuid: kartrekker zonder e-mailadres".
    pub without_address: Vec<String>,
    /// Mail of the last week the SMTP server refused: "aan X: onderwerp (550 …)".
    pub failed: Vec<String>,
    /// What goes once ever and went before (a payment advice, an unchanged statement):
    /// "Fysiotherapie Zwolle-Zuid (Zwolle-Zuid): betaaladvies al verstuurd op 01-12-2026".
    pub already: Vec<String>,
    /// Mail of the user's regions left "being sent" by a delivery that stopped (maybe sent, not
    /// sent again by itself): (outbox id, "aan X: onderwerp"). One being sent right now (younger
    /// than `domain::mail::SENDING_LIMIT_SECS`) is not onzeker and not here.
    pub uncertain: Vec<(u64, String)>,
    /// Once-only mail that failed before and that a mail of this plan replaces (the failed one
    /// is then never sent again): "Fysiotherapie Zwolle-Zuid (Zwolle-Zuid): betaaladvies, vervangt
    /// mislukte e-mail 12 aan oud@x.nl (550 …)".
    pub replaces: Vec<String>,
}

/// The plan on `today` (signals) at `now` (the week's hold-back), for a user with `scope`.
pub fn plan(store: &Store, today: NaiveDate, now: DateTime<Utc>, scope: &Scope) -> Result<MailPlan, StoreError> {
    let signals = crate::report::signals::rows_in(store, today, None, scope)?;
    let outbox = store.outbox()?;
    let mut plan = plan_from(store, &signals, &outbox, now)?;
    plan.uncertain = outbox
        .iter()
        .filter(|(_, m)| m.state.uncertain(now))
        .filter(|(_, m)| m.region.map_or(scope.is_all(), |r| scope.contains(r)))
        .map(|(id, m)| (*id, format!("aan {}: {}", m.to, m.subject)))
        .collect();
    Ok(plan)
}

struct Recipient {
    name: String,
    from: String,
    region: Option<crate::domain::Region>,
    items: Vec<MailItem>,
}

fn plan_from(
    store: &Store,
    signals: &[Signal],
    outbox: &[(u64, OutboxMessage)],
    now: DateTime<Utc>,
) -> Result<MailPlan, StoreError> {
    let recent: Vec<(String, &str)> = recently(outbox, now).collect();
    let failed = outbox
        .iter()
        .filter_map(|(_, m)| match m.state {
            OutboxState::Failed { at } if holds_back(at, now) => {
                Some(format!("aan {}: {} ({})", m.to, m.subject, m.last_error))
            }
            _ => None,
        })
        .collect();
    let mut networks: HashMap<NetworkId, Network> = HashMap::new();
    let mut templates = HashMap::new();
    let mut senders = HashMap::new();
    let mut recipients: BTreeMap<String, Recipient> = BTreeMap::new();
    let mut plan = MailPlan { failed, ..MailPlan::default() };
    for signal in signals {
        let Some((kind, addressee)) = reminder_of(signal) else { continue };
        let network_id = match signal.target {
            SignalTarget::Agreement(n, _) | SignalTarget::Hours(n, _) | SignalTarget::Milestones(n) => n,
            _ => continue,
        };
        if let Entry::Vacant(slot) = networks.entry(network_id) {
            slot.insert(store.network(network_id)?);
        }
        let network = &networks[&network_id];
        let mut partner_name = String::new();
        let mut to = (network.coordinator.email.clone(), network.coordinator.name.clone());
        let mut who = "kartrekker".to_string();
        if let (Addressee::Partner, &SignalTarget::Agreement(_, agreement_id)) = (addressee, &signal.target) {
            let agreement = store.agreements(network_id)?.into_iter().find(|a| a.id == agreement_id);
            if let Some(partner) = agreement.and_then(|a| a.partner) {
                let partner = store.partner(network_id, partner)?;
                partner_name.clone_from(&partner.name);
                who = format!("partner {}", partner.name);
                to = (partner.email.clone(), partner.name.clone());
            } else {
                partner_name = "het praktijkteam".into();
            }
        }
        if let SignalTarget::Hours(..) = signal.target {
            partner_name =
                signal.text.split_once("ontbreekt: ").map(|(_, names)| names.to_string()).unwrap_or_default();
        }
        if to.0.trim().is_empty() {
            plan.without_address.push(format!("{}: {who} zonder e-mailadres ({})", network.name, signal.text));
            continue;
        }
        let key = signal_key(signal);
        let address = to.0.trim().to_lowercase();
        if recent.iter().any(|(t, k)| *t == address && *k == key) {
            plan.held_back += 1;
            continue;
        }
        if let Entry::Vacant(slot) = templates.entry(kind) {
            slot.insert(store.mail_template(kind)?);
        }
        if let Entry::Vacant(slot) = senders.entry(network.region) {
            slot.insert(store.region_address(network.region)?);
        }
        let month = match signal.target {
            SignalTarget::Hours(_, month) => month.dutch_name(),
            _ => String::new(),
        };
        let values = [
            ("netwerk", network.name.clone()),
            ("partner", partner_name),
            ("maand", month),
            ("termijn", format_date(signal.due)),
            ("regio", network.region.name().to_string()),
            ("punt", signal.text.clone()),
        ];
        let template = &templates[&kind];
        let item = MailItem::from_template(kind, key, template, &values);
        recipients
            .entry(address)
            .or_insert_with(|| Recipient {
                name: to.1.clone(),
                from: senders[&network.region].clone(),
                region: Some(network.region),
                items: Vec::new(),
            })
            .items
            .push(item);
    }
    for (to, r) in recipients {
        plan.mails.extend(bundle(&to, &r.name, &r.from, r.region, &r.items));
    }
    Ok(plan)
}

/// The payment advice of batch `number` (`2025-Q1-0001`): one per payee of the lines still in
/// force (a reopened network's payees get none from it), to the partner's address, or for a
/// practice to the network's kartrekker (who acts for the practice team); a payee without an
/// address is listed, and so is one whose advice of this batch was queued before (once ever, by
/// the store's rule). `None` when there is no such batch, or none of its networks lies in
/// `scope` (a batch of other regions is answered as one that does not exist, issue 16).
pub fn advice_plan(store: &Store, number: &str, scope: &Scope) -> Result<Option<MailPlan>, StoreError> {
    let Some(batch) = store.batch_numbered(number)? else {
        return Ok(None);
    };
    if !scope.is_all() && !batch.networks.iter().any(|n| store.network(*n).is_ok_and(|n| scope.contains(n.region))) {
        return Ok(None);
    }
    let once = store.mail_once_held()?;
    let failed = store.mail_once_failed()?;
    let template = store.mail_template(TemplateKind::PaymentAdvice)?;
    let mut networks: HashMap<NetworkId, Network> = HashMap::new();
    let mut recipients: BTreeMap<String, Recipient> = BTreeMap::new();
    let mut plan = MailPlan::default();
    for line in batch.lines.iter().filter(|l| batch.is_current_for(l.network)) {
        if let Entry::Vacant(slot) = networks.entry(line.network) {
            slot.insert(store.network(line.network)?);
        }
        let network = &networks[&line.network];
        if !scope.contains(network.region) {
            continue;
        }
        let (email, name) = match line.partner {
            Some(partner) => {
                let partner = store.partner(line.network, partner)?;
                (partner.email, partner.name)
            }
            None => (network.coordinator.email.clone(), network.coordinator.name.clone()),
        };
        if email.trim().is_empty() {
            let who = if line.partner.is_some() { "partner" } else { "kartrekker (voor de praktijk)" };
            plan.without_address.push(format!("{}: {who} {} zonder e-mailadres", network.name, line.payee));
            continue;
        }
        let address = email.trim().to_lowercase();
        let key = advice_key(batch.id, &format!("{}|{:?}|{:?}", line.network, line.partner, line.practice));
        if let Some(said) = once.get(&key) {
            plan.already.push(format!("{} ({}): betaaladvies {said}", line.payee, network.name));
            continue;
        }
        if let Some((id, said)) = failed.get(&key) {
            plan.replaces
                .push(format!("{} ({}): betaaladvies, vervangt mislukte e-mail {id} {said}", line.payee, network.name));
        }
        let values = [
            ("netwerk", network.name.clone()),
            ("partner", line.payee.clone()),
            ("kwartaal", line.quarter.to_string()),
            ("bedrag", crate::domain::money::format_eur(line.amount)),
            ("batch", batch.number.clone()),
            ("regio", network.region.name().to_string()),
        ];
        let item = MailItem::from_template(TemplateKind::PaymentAdvice, key, &template, &values);
        let from = store.region_address(network.region)?;
        recipients
            .entry(address)
            .or_insert_with(|| Recipient { name, from, region: Some(network.region), items: Vec::new() })
            .items
            .push(item);
    }
    for (to, r) in recipients {
        plan.mails.extend(bundle(&to, &r.name, &r.from, r.region, &r.items));
    }
    Ok(Some(plan))
}

/// (recipient, key) of every mail that holds its reminders back at `now`.
fn recently(outbox: &[(u64, OutboxMessage)], now: DateTime<Utc>) -> impl Iterator<Item = (String, &str)> {
    outbox
        .iter()
        .filter(move |(_, m)| holds_back(m.state.at(m.queued_at), now))
        .flat_map(|(_, m)| m.keys.iter().map(|k| (m.to.to_lowercase(), k.as_str())))
}

/// The quarter statement of `quarter` by mail: per network of `scope` (or only the one named)
/// one mail to its kartrekker with the statement's PDF attached (the bytes of `sidw report
/// statement --format pdf`), made on `today`. A network without a kartrekker address is listed;
/// a statement that was queued before and has not changed since is listed and not queued again
/// (its key holds the SHA-256 of what it says, not of the day it was made).
pub fn statement_plan(
    store: &Store,
    quarter: Quarter,
    network: Option<&str>,
    today: NaiveDate,
    scope: &Scope,
) -> Result<MailPlan, StoreError> {
    use crate::report::statement::{StatementFormat, render_text, statement};
    let names: Vec<String> = match network {
        Some(name) => vec![name.to_string()],
        None => store.networks()?.into_iter().filter(|n| scope.contains(n.region)).map(|n| n.name).collect(),
    };
    let once = store.mail_once_held()?;
    let failed = store.mail_once_failed()?;
    let template = store.mail_template(TemplateKind::Statement)?;
    let mut plan = MailPlan::default();
    for name in names {
        let made = match statement(store, &name, quarter, today, scope) {
            Ok(made) => made,
            // A network without a budget row that year has no statement.
            Err(StoreError::NotFound(_)) if network.is_none() => continue,
            Err(error) => return Err(error),
        };
        let Some(network) = store.network_by_name(&name)? else { continue };
        let email = network.coordinator.email.trim().to_lowercase();
        if email.is_empty() {
            plan.without_address.push(format!("{}: kartrekker zonder e-mailadres (kwartaaloverzicht)", network.name));
            continue;
        }
        // What it says, without the day it was made: the same statement tomorrow is unchanged.
        let fingerprint = sha256_hex(
            render_text(&crate::report::statement::Statement { today: NaiveDate::MIN, ..made.clone() }).as_bytes(),
        );
        let key = statement_key(network.id.0, &quarter.to_string(), &fingerprint);
        if let Some(said) = once.get(&key) {
            plan.already.push(format!("{}: kwartaaloverzicht {quarter} ongewijzigd, {said}", network.name));
            continue;
        }
        if let Some((id, said)) = failed.get(&key) {
            plan.replaces
                .push(format!("{}: kwartaaloverzicht {quarter}, vervangt mislukte e-mail {id} {said}", network.name));
        }
        let values = [
            ("netwerk", network.name.clone()),
            ("kwartaal", quarter.to_string()),
            ("bedrag", crate::domain::money::format_eur(made.settled_total())),
            ("regio", network.region.name().to_string()),
        ];
        let item = MailItem::from_template(TemplateKind::Statement, key, &template, &values);
        let from = store.region_address(network.region)?;
        let Some(mut mail) = bundle(&email, &network.coordinator.name, &from, Some(network.region), &[item]) else {
            continue;
        };
        let bytes = crate::report::statement_files::pdf_bytes(&made)?;
        mail.attachments.push(Attachment {
            file_name: made.file_name(StatementFormat::Pdf),
            content_type: "application/pdf".into(),
            sha256: sha256_hex(&bytes),
            bytes,
        });
        plan.mails.push(mail);
    }
    Ok(plan)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl MailPlan {
    /// The preview: one line per mail (recipient, subject, number of items), then what is held
    /// back and who has no address.
    pub fn preview_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.mails.is_empty() {
            lines.push("Er gaat niets uit: geen herinneringen voor wie een e-mailadres heeft.".to_string());
        }
        const SHOWN: usize = 12;
        for mail in self.mails.iter().take(SHOWN) {
            lines.push(format!("aan {}: {}", mail.to, mail.subject));
        }
        if self.mails.len() > SHOWN {
            lines.push(format!("… en nog {} (sidw mail send --dry-run toont alles)", self.mails.len() - SHOWN));
        }
        if self.held_back > 0 {
            lines.push(format!(
                "{} deze week al verstuurd (niet opnieuw)",
                crate::domain::dutch::count(self.held_back, "herinnering", "herinneringen")
            ));
        }
        for (id, mail) in &self.uncertain {
            lines.push(format!("onzeker (nr {id}): {mail}"));
            lines.push("  mogelijk verstuurd; controleer en verstuur zo nodig opnieuw".to_string());
        }
        for already in &self.already {
            lines.push(format!("niet opnieuw: {already}"));
        }
        for replaced in &self.replaces {
            lines.push(format!("opnieuw: {replaced}"));
        }
        for missing in &self.without_address {
            lines.push(format!("geen adres: {missing}"));
        }
        for failed in &self.failed {
            lines.push(format!("mislukt: {failed}"));
        }
        lines
    }

    /// The whole text of every mail, for `sidw mail send --dry-run`.
    pub fn dry_run_text(&self) -> String {
        let mut out = String::new();
        for mail in &self.mails {
            out.push_str(&format!("Aan: {}\nVan: {}\nOnderwerp: {}\n", mail.to, mail.from, mail.subject));
            for file in &mail.attachments {
                out.push_str(&format!(
                    "Bijlage: {} ({}, {} bytes, SHA-256 {})\n",
                    file.file_name,
                    file.content_type,
                    file.bytes.len(),
                    file.sha256
                ));
            }
            out.push_str(&format!("\n{}\n", mail.body));
            out.push_str("----\n");
        }
        out.push_str(&self.summary());
        out.push('\n');
        out.push_str(&self.notes());
        out
    }

    /// What is not sent and why, one line each: once-only mail that went before, once-only mail
    /// that failed and is sent anew, who has no address, what the mail server refused this week.
    pub fn notes(&self) -> String {
        let mut out = String::new();
        for already in &self.already {
            out.push_str(&format!("niet opnieuw: {already}\n"));
        }
        for replaced in &self.replaces {
            out.push_str(&format!("opnieuw: {replaced}\n"));
        }
        for missing in &self.without_address {
            out.push_str(&format!("geen adres: {missing}\n"));
        }
        for failed in &self.failed {
            out.push_str(&format!("mislukt: {failed}\n"));
        }
        out
    }

    /// "3 e-mails (7 herinneringen), 2 deze week al verstuurd".
    pub fn summary(&self) -> String {
        let items: usize = self.mails.iter().map(|m| m.keys.len()).sum();
        format!(
            "{} ({}), {} deze week al verstuurd",
            crate::domain::dutch::count(self.mails.len(), "e-mail", "e-mails"),
            crate::domain::dutch::count(items, "herinnering", "herinneringen"),
            self.held_back
        ) + &if self.already.is_empty() {
            String::new()
        } else {
            format!(", {} eerder al (niet opnieuw)", self.already.len())
        }
    }

    /// Puts the mails in the outbox (each audited); returns how many were queued.
    pub fn queue(&self, store: &Store, ctx: &ChangeContext) -> Result<usize, StoreError> {
        store.queue_mail(ctx, &self.mails).map(|ids| ids.len())
    }
}

/// The kinds that come from the Signalen (the statement and the payment advice are sent with
/// their own documents).
pub const FROM_SIGNALS: [TemplateKind; 3] =
    [TemplateKind::Agreement, TemplateKind::HoursForm, TemplateKind::YearlyDuties];
