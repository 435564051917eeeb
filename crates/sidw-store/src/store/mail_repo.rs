//! E-mail (issue 17): the region's sender addresses and the mail templates an admin keeps, and
//! the outbox: mail queued by an editor, delivered by `sidw serve` (or `sidw mail send`), each
//! delivery and refusal in the audit log. The SMTP settings and password are never stored here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::audit::ChangeContext;
use super::keys::TreeName;
use super::records::{OutboxMessage, OutboxState, RegionAddress};
use super::tx::abort;
use super::{Store, StoreError};
use crate::domain::Region;
use crate::domain::calendar::format_date;
use crate::domain::mail::{
    Mail, MailTemplate, TemplateKind, check_template, default_region_address, holds_back, once_only,
};

/// A sent mail keeps its attachments' names and SHA-256, not their bytes (a statement's PDF is
/// some 400 kB; what was sent can be made again with `sidw report statement`).
fn drop_attachment_bytes(message: &mut OutboxMessage) {
    for attachment in &mut message.attachments {
        attachment.bytes = Vec::new();
    }
}

/// Every once-only key (a payment advice per batch and payee, a statement per network, quarter
/// and content) in `messages` that is held, with what became of it in Dutch ("al verstuurd op
/// 01-12-2026"). The one rule `queue_mail` refuses by and the plans leave out by. A failed mail
/// holds nothing: queueing the item again makes a new mail (to the address of now) that replaces
/// it (see `once_failed`); a replaced one holds nothing either.
fn once_held(messages: &[(u64, OutboxMessage)]) -> BTreeMap<String, String> {
    let mut held = BTreeMap::new();
    for (id, message) in messages {
        let day = |at: DateTime<Utc>| format_date(at.date_naive());
        let said = match message.state {
            OutboxState::Queued => format!("al in de outbox gezet op {}", day(message.queued_at)),
            OutboxState::Sent { at } => format!("al verstuurd op {}", day(at)),
            OutboxState::Sending { since, .. } => {
                format!(
                    "op {} aan de mailserver gegeven, uitkomst nog onbekend (sidw mail outbox, nr {id})",
                    day(since)
                )
            }
            OutboxState::Failed { .. } | OutboxState::Superseded { .. } => continue,
        };
        for key in message.keys.iter().filter(|k| once_only(k)) {
            held.entry(key.clone()).or_insert_with(|| said.clone());
        }
    }
    held
}

/// Every once-only key of a failed mail in `messages`: key → (its id, "aan X (550 …)"). Queueing
/// the key again replaces that mail.
fn once_failed(messages: &[(u64, OutboxMessage)]) -> BTreeMap<String, (u64, String)> {
    let mut failed = BTreeMap::new();
    for (id, message) in messages.iter().filter(|(_, m)| matches!(m.state, OutboxState::Failed { .. })) {
        let said = format!("aan {} ({})", message.to, message.last_error);
        for key in message.keys.iter().filter(|k| once_only(k)) {
            failed.insert(key.clone(), (*id, said.clone()));
        }
    }
    failed
}

fn region_key(region: Region) -> Vec<u8> {
    format!("regio:{}", region.name().to_lowercase()).into_bytes()
}

fn template_key(kind: TemplateKind) -> Vec<u8> {
    format!("sjabloon:{}", kind.key()).into_bytes()
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Refused for now (a 4xx, or no connection): tried again at the time given, or failed when
    /// it was the last try.
    Retry {
        error: String,
        next_try: Option<DateTime<Utc>>,
    },
    /// Refused for good (a 5xx).
    Refused(String),
}

impl Store {
    /// The region's own address: the stored one, or the handbook's.
    pub fn region_address(&self, region: Region) -> Result<String, StoreError> {
        let stored: Option<RegionAddress> = self.get(TreeName::MailSettings, &region_key(region))?;
        Ok(stored.map_or_else(|| default_region_address(region).to_string(), |a| a.email))
    }

    /// Sets the region's own address (an admin with every region).
    pub fn set_region_address(&self, ctx: &ChangeContext, region: Region, email: &str) -> Result<(), StoreError> {
        let email = crate::domain::validate::parse_email(email).map_err(crate::domain::DomainError::from)?;
        if email.is_empty() {
            return Err(crate::domain::DomainError::from(crate::domain::error::FieldError::new(
                "e-mail",
                "een regio heeft een afzender nodig",
            ))
            .into());
        }
        let key = region_key(region);
        self.write(ctx, |tx| {
            let before: Option<RegionAddress> = tx.get(TreeName::MailSettings, &key)?;
            let after = RegionAddress { email: email.clone() };
            tx.put(TreeName::MailSettings, &key, &after)?;
            tx.audit("afzender gewijzigd", &format!("regio {}", region.name()), before.as_ref(), Some(&after))
        })
    }

    /// The template of `kind`: the stored one, or the default.
    pub fn mail_template(&self, kind: TemplateKind) -> Result<MailTemplate, StoreError> {
        let stored: Option<MailTemplate> = self.get(TreeName::MailSettings, &template_key(kind))?;
        Ok(stored.unwrap_or_else(|| crate::domain::mail::default_template(kind)))
    }

    /// Stores a template (an admin with every region); one with an unknown placeholder is refused.
    pub fn set_mail_template(
        &self,
        ctx: &ChangeContext,
        kind: TemplateKind,
        template: &MailTemplate,
    ) -> Result<(), StoreError> {
        check_template(kind, template).map_err(crate::domain::DomainError::from)?;
        let key = template_key(kind);
        self.write(ctx, |tx| {
            let before: Option<MailTemplate> = tx.get(TreeName::MailSettings, &key)?;
            tx.put(TreeName::MailSettings, &key, template)?;
            tx.audit("e-mailsjabloon gewijzigd", kind.key(), before.as_ref(), Some(template))
        })
    }

    /// Every mail in the outbox, oldest first, with its id.
    pub fn outbox(&self) -> Result<Vec<(u64, OutboxMessage)>, StoreError> {
        let tree = self.tree(TreeName::Outbox);
        let mut all = Vec::new();
        for item in tree.iter() {
            let (key, bytes) = item?;
            let id = key.get(..8).and_then(|k| k.try_into().ok()).map_or(0, u64::from_be_bytes);
            all.push((id, super::decode_at(TreeName::Outbox, &key, &bytes)?));
        }
        Ok(all)
    }

    /// The once-only items already in the outbox (see `once_held`): key → "al verstuurd op …".
    pub fn mail_once_held(&self) -> Result<BTreeMap<String, String>, StoreError> {
        Ok(once_held(&self.outbox()?))
    }

    /// The once-only items whose mail failed (see `once_failed`): key → (id, "aan X (550 …)").
    /// Queued again, each replaces its failed mail.
    pub fn mail_once_failed(&self) -> Result<BTreeMap<String, (u64, String)>, StoreError> {
        Ok(once_failed(&self.outbox()?))
    }

    /// Queues `mails` (one audit entry each). Within the same transaction every reminder that was
    /// queued, sent or refused to the same recipient less than a week ago is taken out of its mail, and a
    /// mail left with none is not queued: two editors pressing send at once queue it once.
    /// A once-only item (payment advice, statement) is refused while a mail holds it (`once_held`);
    /// a failed mail of it is replaced: marked superseded by the new one (audited), so that it
    /// can no longer be resent. Returns the ids queued.
    pub fn queue_mail(&self, ctx: &ChangeContext, mails: &[Mail]) -> Result<Vec<u64>, StoreError> {
        let now = ctx.at;
        self.write(ctx, |tx| {
            let mut recent: Vec<(String, String)> = Vec::new();
            let mut all = Vec::new();
            for (key, bytes) in tx.tables.values(TreeName::Outbox)? {
                let message: OutboxMessage = super::decode_at(TreeName::Outbox, &key, &bytes).map_err(abort)?;
                // A refused one too: the same address would refuse it again; a corrected address is
                // another recipient.
                // Not a once-only item: `once_held` is its rule (a failed one may be queued again
                // at once, also to the same address).
                if holds_back(message.state.at(message.queued_at), now) {
                    let to = message.to.to_lowercase();
                    recent.extend(message.keys.iter().filter(|k| !once_only(k)).map(|k| (to.clone(), k.clone())));
                }
                let id = key.get(..8).and_then(|k| k.try_into().ok()).map_or(0, u64::from_be_bytes);
                all.push((id, message));
            }
            // A payment advice or statement goes once, ever, to whomever it went.
            let mut once = once_held(&all);
            for mail in mails {
                if let Some(said) = mail.keys.iter().find_map(|k| once.get(k)) {
                    return Err(abort(StoreError::Refused(format!(
                        "de e-mail aan {} ({}) is {said}; niets opnieuw in de outbox gezet",
                        mail.to, mail.subject
                    ))));
                }
                once.extend(
                    mail.keys
                        .iter()
                        .filter(|k| once_only(k))
                        .map(|k| (k.clone(), String::from("al eerder in deze opdracht"))),
                );
            }
            let mut ids = Vec::new();
            for mail in mails {
                let to = mail.to.to_lowercase();
                let fresh: Vec<usize> = (0..mail.keys.len())
                    .filter(|i| !recent.iter().any(|(t, k)| *t == to && *k == mail.keys[*i]))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                if fresh.len() != mail.keys.len() {
                    // The mail was made from a preview older than another's send: make it again.
                    return Err(abort(StoreError::Refused(format!(
                        "een deel van de e-mail aan {} is deze week al verstuurd; bekijk :mail opnieuw",
                        mail.to
                    ))));
                }
                let id = tx.new_id()?;
                let message = OutboxMessage {
                    to: mail.to.clone(),
                    name: mail.name.clone(),
                    from: mail.from.clone(),
                    region: mail.region,
                    subject: mail.subject.clone(),
                    body: mail.body.clone(),
                    keys: mail.keys.clone(),
                    queued_at: now,
                    queued_by: ctx.user.clone(),
                    state: OutboxState::Queued,
                    attempts: 0,
                    next_try: now,
                    last_error: String::new(),
                    attachments: mail.attachments.clone(),
                };
                tx.put(TreeName::Outbox, &id.to_be_bytes(), &message)?;
                // The log keeps the mail without the attachments' bytes (their names and SHA-256 stay).
                let mut logged = message.clone();
                for attachment in &mut logged.attachments {
                    attachment.bytes.clear();
                }
                tx.audit::<(), _>("e-mail in outbox", &format!("{} — {}", mail.to, mail.subject), None, Some(&logged))?;
                // The failed mails of its once-only items: replaced, never sent again.
                for (old_id, old) in &mut all {
                    let shares = old.keys.iter().any(|k| once_only(k) && mail.keys.contains(k));
                    if !shares || !matches!(old.state, OutboxState::Failed { .. }) {
                        continue;
                    }
                    let before = old.clone();
                    old.state = OutboxState::Superseded { at: now, by: id };
                    tx.put(TreeName::Outbox, &old_id.to_be_bytes(), &*old)?;
                    let details =
                        format!("e-mail {old_id} aan {} vervangen door e-mail {id} aan {}", before.to, mail.to);
                    tx.audit::<(), _>(
                        "mislukte e-mail vervangen",
                        &format!("{} — {}", before.to, before.subject),
                        None,
                        Some(&details),
                    )?;
                }
                recent.extend(mail.keys.iter().filter(|k| !once_only(k)).map(|k| (to.clone(), k.clone())));
                ids.push(id);
            }
            Ok(ids)
        })
    }

    /// Records what delivery attempt `attempt` of message `id` came to, with an audit entry (sent,
    /// retried, failed). Only while the mail is still "being sent" by that attempt (see
    /// `mark_mail_sending`): an outcome that comes after an editor resent or marked it (the round
    /// took longer than `SENDING_LIMIT_SECS`) changes nothing; it is put in the log ("late
    /// uitkomst") and `false` is returned.
    pub fn record_delivery(
        &self,
        ctx: &ChangeContext,
        id: u64,
        attempt: u64,
        delivery: &Delivery,
    ) -> Result<bool, StoreError> {
        let key = id.to_be_bytes();
        self.write(ctx, |tx| {
            let before: OutboxMessage = tx.require(TreeName::Outbox, &key, || format!("e-mail {id}"))?;
            let said = match delivery {
                Delivery::Sent => "verstuurd".to_string(),
                Delivery::Retry { error, .. } | Delivery::Refused(error) => format!("niet verstuurd: {error}"),
            };
            if !matches!(before.state, OutboxState::Sending { attempt: marked, .. } if marked == attempt) {
                // Resent, marked sent or taken by another attempt meanwhile: never twice, never over it.
                let details = format!(
                    "poging nr {attempt}: {said}; niet vastgelegd, de e-mail is intussen {}",
                    state_word(&before.state)
                );
                tx.audit::<(), _>(
                    "e-mail: late uitkomst",
                    &format!("{} — {}", before.to, before.subject),
                    None,
                    Some(&details),
                )?;
                return Ok(false);
            }
            let mut after = before.clone();
            after.attempts += 1;
            after.state = OutboxState::Queued;
            let action = match delivery {
                Delivery::Sent => {
                    after.state = OutboxState::Sent { at: ctx.at };
                    after.last_error.clear();
                    drop_attachment_bytes(&mut after);
                    "e-mail verstuurd"
                }
                Delivery::Retry { error, next_try: Some(next) } => {
                    after.next_try = *next;
                    after.last_error.clone_from(error);
                    "e-mail uitgesteld"
                }
                Delivery::Retry { error, next_try: None } | Delivery::Refused(error) => {
                    after.state = OutboxState::Failed { at: ctx.at };
                    after.last_error.clone_from(error);
                    "e-mail mislukt"
                }
            };
            tx.put(TreeName::Outbox, &key, &after)?;
            let subject = format!("{} — {}", after.to, after.subject);
            let details = match &after.state {
                OutboxState::Sent { .. } => format!("verstuurd na {} poging(en)", after.attempts),
                _ => format!("poging {}: {}", after.attempts, after.last_error),
            };
            tx.audit::<(), _>(action, &subject, None, Some(&details))?;
            Ok(true)
        })
    }

    /// Marks message `id` as being handed to the SMTP server now, durably, before the SMTP
    /// transaction: a crash before its outcome is recorded leaves it "onzeker" (after
    /// `SENDING_LIMIT_SECS`), never sent again by itself. Returns the number of this attempt, which
    /// alone records the outcome (`record_delivery`). Refused when it is no longer queued (another
    /// round took it).
    pub fn mark_mail_sending(&self, ctx: &ChangeContext, id: u64) -> Result<u64, StoreError> {
        let key = id.to_be_bytes();
        self.write(ctx, |tx| {
            let before: OutboxMessage = tx.require(TreeName::Outbox, &key, || format!("e-mail {id}"))?;
            if before.state != OutboxState::Queued {
                return Err(abort(StoreError::Refused(format!("e-mail {id} is niet meer in de wachtrij"))));
            }
            let attempt = tx.new_id()?;
            let mut after = before;
            after.state = OutboxState::Sending { since: ctx.at, attempt };
            tx.put(TreeName::Outbox, &key, &after)?;
            let details = format!("poging {} (nr {attempt})", after.attempts + 1);
            tx.audit::<(), _>(
                "e-mail wordt verstuurd",
                &format!("{} — {}", after.to, after.subject),
                None,
                Some(&details),
            )?;
            Ok(attempt)
        })
    }

    /// An editor sends message `id` again: one that is "onzeker" (maybe sent) or failed goes back
    /// into the queue with its own Message-ID, tries counted afresh. A queued or sent one is
    /// refused, and so is one being sent right now (not yet onzeker: the round is still at it), a
    /// replaced one, and a failed one whose once-only item another mail holds.
    pub fn resend_mail(&self, ctx: &ChangeContext, id: u64) -> Result<(), StoreError> {
        self.settle_by_hand(ctx, id, true)
    }

    /// An editor has checked that message `id`, "onzeker", did arrive: it is recorded as sent (not
    /// while it is being sent right now: its own round records what came of it).
    pub fn mark_mail_sent(&self, ctx: &ChangeContext, id: u64) -> Result<(), StoreError> {
        self.settle_by_hand(ctx, id, false)
    }

    fn settle_by_hand(&self, ctx: &ChangeContext, id: u64, resend: bool) -> Result<(), StoreError> {
        let key = id.to_be_bytes();
        self.write(ctx, |tx| {
            let before: OutboxMessage = tx.require(TreeName::Outbox, &key, || format!("e-mail {id}"))?;
            let mine = before.region.map_or(ctx.access.scope.is_all(), |r| ctx.access.scope.contains(r));
            if !mine {
                return Err(abort(StoreError::NotFound(format!("e-mail {id}"))));
            }
            if let OutboxState::Sending { since, .. } = before.state
                && !before.state.uncertain(ctx.at)
            {
                return Err(abort(StoreError::Refused(format!(
                    "e-mail {id} wordt nu verstuurd (sinds {}); pas als er na {} minuten geen uitkomst is, is hij onzeker",
                    since.format("%H:%M"),
                    crate::domain::mail::SENDING_LIMIT_SECS / 60
                ))));
            }
            if resend && matches!(before.state, OutboxState::Failed { .. }) {
                // A once-only item goes once: not again while another mail holds it.
                let mut others = Vec::new();
                for (other_key, bytes) in tx.tables.values(TreeName::Outbox)? {
                    if other_key.as_slice() != key.as_slice() {
                        let other: OutboxMessage =
                            super::decode_at(TreeName::Outbox, &other_key, &bytes).map_err(abort)?;
                        let other_id =
                            other_key.get(..8).and_then(|k| k.try_into().ok()).map_or(0, u64::from_be_bytes);
                        others.push((other_id, other));
                    }
                }
                let held = once_held(&others);
                if let Some(said) = before.keys.iter().find_map(|k| held.get(k)) {
                    return Err(abort(StoreError::Refused(format!(
                        "e-mail {id} gaat niet opnieuw: de e-mail aan {} is {said}",
                        before.to
                    ))));
                }
            }
            let mut after = before.clone();
            let action = match (&before.state, resend) {
                (OutboxState::Superseded { by, .. }, _) => {
                    return Err(abort(StoreError::Refused(format!(
                        "e-mail {id} is mislukt en vervangen door e-mail {by} (naar het adres van toen); niet opnieuw"
                    ))));
                }
                (OutboxState::Sending { .. } | OutboxState::Failed { .. }, true) => {
                    after.state = OutboxState::Queued;
                    after.attempts = 0;
                    after.next_try = ctx.at;
                    "e-mail opnieuw in de outbox"
                }
                (OutboxState::Sending { .. }, false) => {
                    after.state = OutboxState::Sent { at: ctx.at };
                    after.last_error.clear();
                    drop_attachment_bytes(&mut after);
                    "e-mail als verstuurd gemarkeerd"
                }
                (OutboxState::Queued, _) => {
                    return Err(abort(StoreError::Refused(format!("e-mail {id} staat al in de wachtrij"))));
                }
                (OutboxState::Sent { at }, _) => {
                    return Err(abort(StoreError::Refused(format!(
                        "e-mail {id} is al verstuurd op {}",
                        format_date(at.date_naive())
                    ))));
                }
                (OutboxState::Failed { .. }, false) => {
                    return Err(abort(StoreError::Refused(format!(
                        "e-mail {id} is mislukt, niet onzeker: verstuur hem opnieuw (resend)"
                    ))));
                }
            };
            tx.put(TreeName::Outbox, &key, &after)?;
            let details = format!("door {} (Message-ID {})", ctx.user, after.message_id(id));
            tx.audit::<(), _>(action, &format!("{} — {}", after.to, after.subject), None, Some(&details))
        })
    }
}

/// What became of a mail, for the log ("opnieuw in de wachtrij gezet").
fn state_word(state: &OutboxState) -> String {
    match state {
        OutboxState::Queued => "weer in de wachtrij gezet".into(),
        OutboxState::Sent { at } => format!("als verstuurd genoteerd ({})", format_date(at.date_naive())),
        OutboxState::Failed { .. } => "als mislukt genoteerd".into(),
        OutboxState::Sending { attempt, .. } => format!("opnieuw aan het versturen (poging nr {attempt})"),
        OutboxState::Superseded { by, .. } => format!("vervangen door e-mail {by}"),
    }
}
