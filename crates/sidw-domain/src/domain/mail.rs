//! Reminders and notices by e-mail (issue 17): the mail templates with their placeholders, which
//! signal becomes which reminder to whom, one mail per recipient bundling their items, and the
//! rule that the same reminder does not go to the same recipient twice within a week.
//!
//! The addresses are the ones the clerk already keeps: the kartrekker's e-mail in the network
//! form and the partner's in the partner form (both checked by [`super::validate::parse_email`]);
//! the region's own address (the sender) defaults to the handbook's (appendix 1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::region::Region;
use super::signals::{Signal, SignalTarget};

/// The same reminder (recipient and signal) is not sent again within this many days.
pub const RESEND_DAYS: i64 = 7;

/// The kinds of mail sidw writes, each with its own template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TemplateKind {
    /// An agreement sent out and not returned signed after a month.
    Agreement,
    /// An hours form missing at the end of the month after.
    HoursForm,
    /// A yearly duty (reflection report, evaluation talk, financial accounting) due or overdue.
    YearlyDuties,
    /// The statement of a network's quarter for its kartrekker.
    Statement,
    /// A payment advice to each payee of a batch.
    PaymentAdvice,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 5] =
        [Self::Agreement, Self::HoursForm, Self::YearlyDuties, Self::Statement, Self::PaymentAdvice];

    /// The word an admin names it by: `sidw mail template overeenkomst`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Agreement => "overeenkomst",
            Self::HoursForm => "urenformulier",
            Self::YearlyDuties => "jaarverplichtingen",
            Self::Statement => "kwartaaloverzicht",
            Self::PaymentAdvice => "betaaladvies",
        }
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        Self::ALL.into_iter().find(|k| k.key().eq_ignore_ascii_case(text)).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|k| k.key()).collect();
            FieldError::new("sjabloon", format!("'{text}' is geen sjabloon; kies {}", known.join(", ")))
        })
    }

    /// The placeholders this template may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Self::Agreement => &["netwerk", "partner", "termijn", "regio", "punt"],
            Self::HoursForm => &["netwerk", "partner", "maand", "termijn", "regio", "punt"],
            Self::YearlyDuties => &["netwerk", "termijn", "regio", "punt"],
            Self::Statement => &["netwerk", "kwartaal", "bedrag", "regio"],
            Self::PaymentAdvice => &["netwerk", "partner", "kwartaal", "bedrag", "batch", "regio"],
        }
    }
}

/// A mail template: a subject line and a text, with `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTemplate {
    pub subject: String,
    pub body: String,
}

/// The template sidw uses until an admin stores another.
pub fn default_template(kind: TemplateKind) -> MailTemplate {
    let (subject, body) = match kind {
        TemplateKind::Agreement => (
            "Overeenkomst {netwerk}: graag getekend retour",
            "De overeenkomst van {partner} in netwerk {netwerk} is nog niet getekend retour; de termijn \
             was {termijn}. Wilt u haar getekend terugsturen?",
        ),
        TemplateKind::HoursForm => (
            "Urenformulier {maand} {netwerk} ontbreekt",
            "Het urenformulier van {maand} van netwerk {netwerk} is nog niet binnen van: {partner}. \
             Het moest er uiterlijk {termijn} zijn.",
        ),
        TemplateKind::YearlyDuties => {
            ("Jaarverplichtingen {netwerk}", "Voor netwerk {netwerk} staat een jaarverplichting open: {punt}.")
        }
        TemplateKind::Statement => (
            "Kwartaaloverzicht {kwartaal} {netwerk}",
            "Bijgaand het overzicht van {kwartaal} van netwerk {netwerk}. Betaald dit kwartaal: {bedrag}.",
        ),
        TemplateKind::PaymentAdvice => (
            "Betaaladvies {kwartaal} {netwerk}",
            "Voor {partner} in netwerk {netwerk} maken wij over {kwartaal} {bedrag} over (batch {batch}).",
        ),
    };
    MailTemplate { subject: subject.into(), body: body.into() }
}

/// Checks a template's text: every `{…}` names a placeholder of `kind`, and braces are closed.
/// The message names the field ("onderwerp" or "tekst").
pub fn check_template(kind: TemplateKind, template: &MailTemplate) -> Result<(), FieldError> {
    check_text(kind, "onderwerp", &template.subject)?;
    check_text(kind, "tekst", &template.body)?;
    if template.subject.trim().is_empty() {
        return Err(FieldError::new("onderwerp", "het onderwerp is leeg"));
    }
    if template.subject.contains(['\n', '\r']) {
        return Err(FieldError::new("onderwerp", "het onderwerp is één regel"));
    }
    if template.body.trim().is_empty() {
        return Err(FieldError::new("tekst", "de tekst is leeg"));
    }
    if template.body.contains('\r') {
        return Err(FieldError::new("tekst", "de tekst heeft regeleinden met \\r; bewaar hem genormaliseerd"));
    }
    Ok(())
}

fn check_text(kind: TemplateKind, field: &'static str, text: &str) -> Result<(), FieldError> {
    let mut rest = text;
    while let Some((_, after)) = rest.split_once('{') {
        let Some((name, next)) = after.split_once('}') else {
            return Err(FieldError::new(field, "een '{' zonder '}'"));
        };
        if !kind.placeholders().contains(&name) {
            let known: Vec<String> = kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect();
            return Err(FieldError::new(
                field,
                format!("onbekend veld '{{{name}}}'; dit sjabloon kent {}", known.join(", ")),
            ));
        }
        rest = next;
    }
    if rest.contains('}') {
        return Err(FieldError::new(field, "een '}' zonder '{'"));
    }
    Ok(())
}

/// `text` with each `{name}` replaced by its value (an unknown one is left as it is).
pub fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, next)) = after.split_once('}') else {
            out.push('{');
            out.push_str(after);
            return out;
        };
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&format!("{{{name}}}")),
        }
        rest = next;
    }
    out.push_str(rest);
    out
}

/// Who a reminder goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    /// The network's kartrekker.
    Coordinator,
    /// A partner of the network (by name, as the signal names it).
    Partner,
}

/// Which template a signal is a reminder of, and to whom; `None` for a signal that is the
/// secretariat's own work (budgets, closes, tariffs, municipalities, new-network milestones).
pub fn reminder_of(signal: &Signal) -> Option<(TemplateKind, Addressee)> {
    match signal.target {
        // Only once the month has passed: "niet getekend retour".
        SignalTarget::Agreement(..) if signal.overdue => Some((TemplateKind::Agreement, Addressee::Partner)),
        SignalTarget::Hours(..) if signal.overdue => Some((TemplateKind::HoursForm, Addressee::Coordinator)),
        SignalTarget::Milestones(..) if is_yearly_duty(&signal.text) => {
            Some((TemplateKind::YearlyDuties, Addressee::Coordinator))
        }
        _ => None,
    }
}

fn is_yearly_duty(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["reflectieverslag", "evaluatiegesprek", "financiële verantwoording"].iter().any(|w| lower.starts_with(w))
}

/// What identifies a signal over the days (its text may say "3 dagen te laat" today and "4 dagen"
/// tomorrow): its target, its due date and the words of its text before any figure.
pub fn signal_key(signal: &Signal) -> String {
    let words: Vec<&str> = signal
        .text
        .split_whitespace()
        .take_while(|w| !w.starts_with('(') && !matches!(*w, "ontbreekt" | "uiterlijk" | "ontbreekt:"))
        .collect();
    format!("{:?}|{}|{}", signal.target, signal.due, words.join(" "))
}

/// How long sidw waits for each step of an SMTP conversation (the connection, each answer of the
/// server, each write of the message) before it gives that delivery up (`src/mail_smtp.rs`).
pub const SMTP_TIMEOUT_SECS: i64 = 30;

/// The steps of delivering one mail that may each take up to [`SMTP_TIMEOUT_SECS`]: connect, the
/// greeting, EHLO, STARTTLS, the TLS handshake, EHLO again, AUTH (two answers), MAIL FROM, RCPT
/// TO, DATA, the message itself, its end, QUIT.
const SMTP_STEPS: i64 = 14;

/// How long a mail may be "being sent" before it is *onzeker*: the longest one delivery can take
/// (every step at its timeout: 14 × 30 s = 7 minutes), doubled as a margin for a large attachment
/// written in several timed writes and for recording the outcome on a slow disk. Younger, the
/// round that marked it is still at it: it is neither shown as onzeker nor resent by hand (that
/// would send it twice). Each mail is marked just before its own SMTP transaction, so a round of
/// many mails does not add up.
pub const SENDING_LIMIT_SECS: i64 = 2 * SMTP_STEPS * SMTP_TIMEOUT_SECS;

/// Whether a mail marked "being sent" at `since` is onzeker at `now`: no outcome recorded within
/// [`SENDING_LIMIT_SECS`], so the round that sent it stopped (a crash, a kill) and it may have gone.
pub fn sending_overdue(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(since) >= chrono::Duration::seconds(SENDING_LIMIT_SECS)
}

/// Whether a reminder sent (or queued) at `at` still holds back the same one at `now`.
pub fn holds_back(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now.signed_duration_since(at) < chrono::Duration::days(RESEND_DAYS)
}

/// The region's own address until an admin stores another (handbook appendix 1).
pub fn default_region_address(region: Region) -> &'static str {
    region.secretariat_email()
}

/// One item of a mail: a reminder filled in from its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    pub kind: TemplateKind,
    pub key: String,
    pub subject: String,
    pub paragraph: String,
}

impl MailItem {
    /// The item of `kind` made from its template, its placeholders filled with `values`.
    pub fn from_template(kind: TemplateKind, key: String, template: &MailTemplate, values: &[(&str, String)]) -> Self {
        Self { kind, key, subject: fill(&template.subject, values), paragraph: fill(&template.body, values) }
    }
}

/// A file sent with a mail (the quarter statement's PDF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// `overzicht-zwolle-zuid-2025-Q2.pdf`
    pub file_name: String,
    /// `application/pdf`
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The SHA-256 of `bytes` (hex), as the outbox and the log name it.
    pub sha256: String,
}

/// One mail to one recipient, bundling every item for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub name: String,
    pub from: String,
    pub region: Option<Region>,
    pub subject: String,
    pub body: String,
    pub keys: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// The key of a payment advice: one per batch and payee, sent once ever.
pub fn advice_key(batch_id: u64, payee: &str) -> String {
    format!("{ONCE_ADVICE}{batch_id}|{payee}")
}

/// The key of a quarter statement: one per network, quarter and content (`fingerprint`, the
/// SHA-256 of what it says), sent once ever: a changed statement has another key.
pub fn statement_key(network: u64, quarter: &str, fingerprint: &str) -> String {
    format!("{ONCE_STATEMENT}{network}|{quarter}|{fingerprint}")
}

const ONCE_ADVICE: &str = "betaaladvies|";
const ONCE_STATEMENT: &str = "kwartaaloverzicht|";

/// Whether the item of `key` goes out at most once, ever (a payment advice per batch and payee, a
/// statement per network, quarter and content), whoever it went to; other reminders are held back
/// for a week per recipient ([`holds_back`]).
pub fn once_only(key: &str) -> bool {
    key.starts_with(ONCE_ADVICE) || key.starts_with(ONCE_STATEMENT)
}

/// A template's text as stored: line ends as `\n`, trailing spaces of each line and empty lines
/// at the start and end dropped, at most one empty line between paragraphs.
pub fn normalize_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<&str> = Vec::new();
    for line in text.split('\n').map(str::trim_end) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// The one mail to `to` with all of `items` (at least one): the subject of the first item, with
/// "(en N andere punten)" when there are more; the paragraphs one after the other, signed by the
/// region's secretariat.
pub fn bundle(to: &str, name: &str, from: &str, region: Option<Region>, items: &[MailItem]) -> Option<Mail> {
    let first = items.first()?;
    let subject = match items.len() {
        1 => first.subject.clone(),
        n => format!("{} (en {} andere {})", first.subject, n - 1, if n == 2 { "punt" } else { "punten" }),
    };
    let greeting = if name.trim().is_empty() { "Beste,".to_string() } else { format!("Beste {},", name.trim()) };
    let mut body = format!("{greeting}\n\n");
    for item in items {
        body.push_str(&item.paragraph);
        body.push_str("\n\n");
    }
    let signer = region.map_or_else(|| "Medrie".to_string(), |r| format!("Medrie, regio {}", r.name()));
    body.push_str(&format!("Met vriendelijke groet,\n\nHet secretariaat Samenwerken in de wijk\n{signer}\n{from}\n"));
    Some(Mail {
        to: to.to_string(),
        name: name.to_string(),
        from: from.to_string(),
        region,
        subject,
        body,
        keys: items.iter().map(|i| i.key.clone()).collect(),
        attachments: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{AgreementId, NetworkId};
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn every_default_template_passes_its_own_check() {
        for kind in TemplateKind::ALL {
            check_template(kind, &default_template(kind)).unwrap();
            assert_eq!(TemplateKind::parse(kind.key()).unwrap(), kind);
        }
        assert!(TemplateKind::parse("brief").unwrap_err().message.contains("kies overeenkomst"));
    }

    #[test]
    fn an_unknown_or_open_placeholder_is_refused_at_its_field() {
        let mut t = default_template(TemplateKind::Agreement);
        t.body.push_str(" {bedrag}");
        let error = check_template(TemplateKind::Agreement, &t).unwrap_err();
        assert_eq!(error.field, "tekst");
        assert!(error.message.contains("onbekend veld '{bedrag}'"), "{}", error.message);
        // The same placeholder is known to the payment advice.
        let mut advice = default_template(TemplateKind::PaymentAdvice);
        advice.body.push_str(" {bedrag}");
        check_template(TemplateKind::PaymentAdvice, &advice).unwrap();
        let open = MailTemplate { subject: "Over {netwerk".into(), body: "x".into() };
        assert_eq!(check_template(TemplateKind::Agreement, &open).unwrap_err().field, "onderwerp");
        let stray = MailTemplate { subject: "Over".into(), body: "x}".into() };
        assert!(check_template(TemplateKind::Agreement, &stray).is_err());
        let empty = MailTemplate { subject: " ".into(), body: "x".into() };
        assert!(check_template(TemplateKind::Agreement, &empty).is_err());
    }

    #[test]
    fn a_text_of_paragraphs_keeps_them_and_loses_stray_space_and_empty_lines() {
        assert_eq!(
            normalize_text("\r\nEen {netwerk}.  \r\nNog.\r\n\r\n\r\nTwee.\n\n"),
            "Een {netwerk}.\nNog.\n\nTwee."
        );
        let two = MailTemplate { subject: "Over {netwerk}".into(), body: normalize_text("Een.\n\nTwee {netwerk}.") };
        check_template(TemplateKind::Agreement, &two).unwrap();
        let wrong = MailTemplate { subject: "Over".into(), body: "Een.\n\nTwee {bedrag}.".into() };
        assert!(check_template(TemplateKind::Agreement, &wrong).unwrap_err().message.contains("{bedrag}"));
        assert!(once_only(&advice_key(3, "x")) && once_only(&statement_key(1, "2025-Q2", "ab")));
        assert!(!once_only("Agreement(NetworkId(1), AgreementId(2))|2026-10-31|overeenkomst"));
    }

    #[test]
    fn fill_replaces_known_names_and_keeps_the_rest() {
        let text = fill("{netwerk} {maand} {x} {", &[("netwerk", "Zwolle-Zuid".into()), ("maand", "mei".into())]);
        assert_eq!(text, "Zwolle-Zuid mei {x} {");
    }

    fn signal(target: SignalTarget, text: &str, overdue: bool) -> Signal {
        Signal {
            due: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            overdue,
            subject: "Zwolle-Zuid".into(),
            text: text.into(),
            target,
            region: Some(Region::Zwolle),
        }
    }

    #[test]
    fn only_overdue_agreements_and_forms_and_yearly_duties_become_reminders() {
        let agreement = SignalTarget::Agreement(NetworkId(1), AgreementId(2));
        assert_eq!(
            reminder_of(&signal(agreement.clone(), "overeenkomst X niet getekend retour (3 dagen te laat)", true)),
            Some((TemplateKind::Agreement, Addressee::Partner))
        );
        assert_eq!(reminder_of(&signal(agreement, "overeenkomst X getekend retour uiterlijk", false)), None);
        let month = crate::domain::YearMonth::new(2026, 9).unwrap();
        let hours = SignalTarget::Hours(NetworkId(1), month);
        assert_eq!(reminder_of(&signal(hours.clone(), "urenformulier", false)), None);
        assert_eq!(
            reminder_of(&signal(hours, "urenformulier", true)),
            Some((TemplateKind::HoursForm, Addressee::Coordinator))
        );
        let ms = SignalTarget::Milestones(NetworkId(1));
        assert!(reminder_of(&signal(ms.clone(), "reflectieverslag 2026 uiterlijk 31-10-2026", false)).is_some());
        assert_eq!(reminder_of(&signal(ms, "netwerkbijeenkomst binnen 6 maanden", true)), None);
        assert_eq!(reminder_of(&signal(SignalTarget::Tariffs(2026), "tarieven", true)), None);
    }

    #[test]
    fn a_signal_keeps_its_key_while_its_count_of_days_grows() {
        let agreement = SignalTarget::Agreement(NetworkId(1), AgreementId(2));
        let a = signal(agreement.clone(), "overeenkomst X niet getekend retour (3 dagen te laat)", true);
        let b = signal(agreement, "overeenkomst X niet getekend retour (4 dagen te laat)", true);
        assert_eq!(signal_key(&a), signal_key(&b));
        let other = SignalTarget::Agreement(NetworkId(1), AgreementId(3));
        assert_ne!(signal_key(&a), signal_key(&signal(other, &a.text, true)));
    }

    #[test]
    fn a_week_holds_a_reminder_back_and_not_a_second_longer() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap();
        assert!(holds_back(at, at + chrono::Duration::days(7) - chrono::Duration::seconds(1)));
        assert!(!holds_back(at, at + chrono::Duration::days(7)));
    }

    #[test]
    fn one_mail_bundles_every_item_of_a_recipient() {
        let item = |n: u32| MailItem {
            kind: TemplateKind::HoursForm,
            key: format!("k{n}"),
            subject: format!("Onderwerp {n}"),
            paragraph: format!("Punt {n}."),
        };
        assert_eq!(bundle("a@b.nl", "", "z@medrie.nl", None, &[]), None);
        let one = bundle("a@b.nl", "An", "zwolle@medrie.nl", Some(Region::Zwolle), &[item(1)]).unwrap();
        assert_eq!(one.subject, "Onderwerp 1");
        assert!(one.body.starts_with("Beste An,"));
        let three =
            bundle("a@b.nl", "An", "zwolle@medrie.nl", Some(Region::Zwolle), &[item(1), item(2), item(3)]).unwrap();
        assert_eq!(three.subject, "Onderwerp 1 (en 2 andere punten)");
        assert!(three.body.contains("Punt 1.\n\nPunt 2.\n\nPunt 3."));
        assert!(three.body.contains("regio Zwolle\nzwolle@medrie.nl"));
        assert_eq!(three.keys, ["k1", "k2", "k3"]);
    }
}
