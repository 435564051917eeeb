//! The quarter close (handbook ch. 4, steps 1–4; appendix 1): the checklist that must be clear
//! before a network's quarter is locked, and the payment lines it produces: each practice's
//! share of the practice-team money, cent-exact, and each payable partner invoice.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::agreement::{Agreement, AgreementKind};
use super::budget::{practice_team_money, practice_team_split};
use super::calendar::{Quarter, YearMonth};
use super::error::DomainError;
use super::hours::HoursEntry;
use super::ids::{AgreementId, InvoiceId, NetworkId, PartnerId, PracticeId};
use super::invoice::{Invoice, InvoiceDecision, match_invoice};
use super::money::format_eur;
use super::network::Network;
use super::partner::Partner;
use super::practice::PracticeTeam;
use super::tariff::TariffBook;
use super::validate::Iban;

/// Everything one network's quarter close is computed from.
pub struct CloseInput<'a> {
    pub network: &'a Network,
    pub team: &'a PracticeTeam,
    pub partners: &'a [Partner],
    pub agreements: &'a [Agreement],
    /// The hours lines of the quarter.
    pub lines: &'a [HoursEntry],
    /// The invoices of the quarter.
    pub invoices: &'a [Invoice],
    /// The quarter's nihil marks: a form received without hours counts as a received form.
    pub nihil: &'a [super::hours::NihilMark],
    pub tariffs: &'a TariffBook,
    pub quarter: Quarter,
    /// The day of the close: milestones overdue on it are a warning.
    pub today: chrono::NaiveDate,
}

/// Where a checklist item is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckTarget {
    Network(NetworkId),
    Hours(NetworkId, YearMonth),
    Invoice(NetworkId, PartnerId),
    Agreement(NetworkId, Option<AgreementId>),
    Tariffs(i32),
    Milestones(NetworkId),
}

/// One item of the checklist; `ok: false` blocks the close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    pub network: String,
    pub ok: bool,
    /// Does not block, but the finance officer should see it (shown with a "!").
    pub warning: bool,
    /// A warning the finance officer must acknowledge before closing (recorded in the audit log).
    pub acknowledge: bool,
    pub text: String,
    pub target: CheckTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentKind {
    Practice,
    Partner,
}

impl PaymentKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Practice => "practice",
            Self::Partner => "partner",
        }
    }

    pub fn dutch_label(self) -> &'static str {
        match self {
            Self::Practice => "praktijk",
            Self::Partner => "partner",
        }
    }
}

/// One payment to one payee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLine {
    pub network: NetworkId,
    pub network_name: String,
    pub quarter: Quarter,
    pub kind: PaymentKind,
    pub payee: String,
    pub iban: Iban,
    pub amount: Decimal,
    pub practice: Option<PracticeId>,
    pub partner: Option<PartnerId>,
    pub invoice: Option<InvoiceId>,
    /// What the payment is for: network, quarter and invoice, as the remittance text says it.
    pub reference: String,
}

/// A line the practice team pays itself: listed on the close, never paid by the secretariat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByTeamLine {
    pub network_name: String,
    pub partner: String,
    pub month: YearMonth,
    pub hours: Decimal,
    pub worth: Decimal,
}

fn agreement_in_force(
    agreements: &[Agreement],
    kind: AgreementKind,
    partner: Option<PartnerId>,
    quarter: Quarter,
) -> bool {
    agreements.iter().any(|a| {
        a.kind == kind
            && a.partner == partner
            && a.signed.is_some_and(|s| s <= quarter.last_day())
            && a.ended.is_none_or(|e| e >= quarter.first_day())
    })
}

/// The worth of a partner's lines in the quarter that count against the partner budget (lines
/// paid by the practice team are not invoiced to the secretariat).
pub fn invoiced_worth(input: &CloseInput, partner: &Partner) -> Result<Decimal, DomainError> {
    input
        .lines
        .iter()
        .filter(|l| l.partner == partner.id && !l.paid_by_practice_team && input.quarter.contains(l.month))
        .map(|l| l.worth(input.tariffs, partner.category))
        .sum()
}

/// The checklist of one network's quarter, failing items first.
pub fn checklist(input: &CloseInput) -> Vec<CheckItem> {
    let n = input.network;
    let q = input.quarter;
    let mut items = Vec::new();
    let mut add = |ok: bool, warning: bool, acknowledge: bool, text: String, target: CheckTarget| {
        items.push(CheckItem { network: n.name.clone(), ok, warning, acknowledge, text, target })
    };
    macro_rules! item {
        ($ok:expr, $text:expr, $target:expr $(,)?) => {
            add($ok, false, false, $text, $target)
        };
    }

    if !n.is_funded_in(q)
        && n.funding_start.is_none()
        && agreement_in_force(input.agreements, AgreementKind::PracticeTeam, None, q)
    {
        // Signed, yet no start of funding: closing now would lock the quarter with nothing paid.
        item!(
            false,
            "overeenkomst praktijkteam getekend, maar geen start financiering: vul die in (m: mijlpalen)".into(),
            CheckTarget::Milestones(n.id),
        );
        return sorted(items);
    }
    if !n.is_funded_in(q) {
        // A network in intake or stopped: nothing to pay and nothing to check this quarter.
        item!(true, format!("niet gefinancierd in {q}: niets te betalen"), CheckTarget::Network(n.id));
        return sorted(items);
    }
    let late = super::milestones::overdue_six_month(n, input.today);
    if let Some(first) = late.first() {
        let what: Vec<String> = late.iter().map(|m| m.label.to_lowercase()).collect();
        let text = format!(
            "{} te laat (uiterlijk {}): bespreek met de praktijken of de financiering doorgaat",
            what.join(" en "),
            super::calendar::format_date(first.due.unwrap_or(input.today))
        );
        add(true, true, true, text, CheckTarget::Milestones(n.id));
    }
    let has_tariffs = input.tariffs.for_year(q.year()).is_ok();
    let says = |ok: bool, yes: String, no: String| if ok { yes } else { no };
    let year = q.year();
    item!(
        has_tariffs,
        says(has_tariffs, format!("tarieven {year} vastgelegd"), format!("tarieven {year} ontbreken")),
        CheckTarget::Tariffs(year),
    );
    let team_ok = !input.team.practices.is_empty() && input.team.validate().is_ok();
    let text = says(
        team_ok,
        "praktijkteam met verdeling van samen 100 %".into(),
        "praktijkteam ontbreekt of de verdeling telt niet op tot 100 %".into(),
    );
    item!(team_ok, text, CheckTarget::Network(n.id));
    let signed = agreement_in_force(input.agreements, AgreementKind::PracticeTeam, None, q);
    let team_agreement = input.agreements.iter().find(|a| a.kind == AgreementKind::PracticeTeam).map(|a| a.id);
    let text = says(
        signed,
        "samenwerkingsovereenkomst praktijkteam getekend".into(),
        "samenwerkingsovereenkomst praktijkteam niet getekend".into(),
    );
    item!(signed, text, CheckTarget::Agreement(n.id, team_agreement));
    if input.team.total_ion_on(q.first_day()) == 0 {
        item!(
            false,
            format!("geen ION-telling op of vóór {}", super::calendar::format_date(q.first_day())),
            CheckTarget::Network(n.id),
        );
    }
    if n.former_gez_owz || !has_tariffs {
        return sorted(items);
    }
    for partner in input.partners {
        let in_force = agreement_in_force(input.agreements, AgreementKind::Partner, Some(partner.id), q);
        let lines: Vec<&HoursEntry> =
            input.lines.iter().filter(|l| l.partner == partner.id && q.contains(l.month)).collect();
        if in_force {
            for month in q.months() {
                let present = lines.iter().any(|l| l.month == month)
                    || input.nihil.iter().any(|m| m.partner == partner.id && m.month == month);
                let missing = if present { "" } else { " ontbreekt" };
                item!(
                    present,
                    format!("urenformulier {} van {}{missing}", month.dutch_name(), partner.name),
                    CheckTarget::Hours(n.id, month),
                );
            }
        } else {
            if lines.iter().any(|l| !l.paid_by_practice_team) {
                // Never paid without a signed agreement; the rest of the network can be closed.
                let agreement = input.agreements.iter().find(|a| a.partner == Some(partner.id)).map(|a| a.id);
                add(
                    true,
                    true,
                    false,
                    format!("{} heeft uren maar geen getekende overeenkomst: wordt niet betaald", partner.name),
                    CheckTarget::Agreement(n.id, agreement),
                );
            }
            continue;
        }
        let worth = match invoiced_worth(input, partner) {
            Ok(worth) => worth,
            Err(error) => {
                item!(false, error.to_string(), CheckTarget::Tariffs(q.year()));
                continue;
            }
        };
        let invoices: Vec<&Invoice> =
            input.invoices.iter().filter(|i| i.partner == partner.id && i.quarter == q).collect();
        let standing: Vec<&&Invoice> =
            invoices.iter().filter(|i| !matches!(i.decision, InvoiceDecision::Rejected { .. })).collect();
        if worth > Decimal::ZERO && invoices.is_empty() {
            item!(
                false,
                format!("factuur van {} ontbreekt (uren {})", partner.name, format_eur(worth)),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
        if standing.len() > 1 {
            item!(
                false,
                format!(
                    "{} facturen van {} staan open of goedgekeurd: wijs de dubbele af",
                    standing.len(),
                    partner.name
                ),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
        for invoice in &invoices {
            let payable = invoice.is_payable(worth);
            let state = match &invoice.decision {
                InvoiceDecision::Approved { against, .. } if *against != worth => format!(
                    "goedgekeurd bij uren {}, nu {}: opnieuw beoordelen",
                    format_eur(*against),
                    format_eur(worth)
                ),
                InvoiceDecision::Approved { reason, .. } if reason.is_empty() => "goedgekeurd".to_string(),
                InvoiceDecision::Approved { reason, .. } => format!("goedgekeurd: {reason}"),
                InvoiceDecision::Rejected { reason } => format!("afgewezen: {reason} (niet betaald)"),
                InvoiceDecision::Open => {
                    let verdict = match_invoice(invoice.amount, worth).dutch();
                    if payable { verdict } else { format!("{verdict}: keur goed met reden of wijs af") }
                }
            };
            let ok = payable || matches!(invoice.decision, InvoiceDecision::Rejected { .. });
            item!(
                ok,
                format!("factuur {} van {} ({}): {state}", invoice.number, partner.name, format_eur(invoice.amount)),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
        if worth > Decimal::ZERO && !invoices.is_empty() && standing.is_empty() {
            item!(
                false,
                format!("alle facturen van {} afgewezen: wacht op een nieuwe", partner.name),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
    }
    sorted(items)
}

fn sorted(mut items: Vec<CheckItem>) -> Vec<CheckItem> {
    items.sort_by_key(|i| (i.ok, !i.warning));
    items
}

/// The payment lines of one network's quarter, and the lines the practice team pays itself.
pub fn payment_lines(input: &CloseInput) -> Result<(Vec<PaymentLine>, Vec<ByTeamLine>), DomainError> {
    let n = input.network;
    let q = input.quarter;
    let mut payments = Vec::new();
    if !input.team.practices.is_empty() && practice_team_money(n, input.team, input.tariffs, q)? > Decimal::ZERO {
        for (id, amount) in practice_team_split(n, input.team, input.tariffs, q)? {
            let practice = input.team.practices.iter().find(|p| p.id == id).expect("split of the team's own practices");
            if amount.is_zero() {
                continue;
            }
            payments.push(PaymentLine {
                network: n.id,
                network_name: n.name.clone(),
                quarter: q,
                kind: PaymentKind::Practice,
                payee: practice.name.clone(),
                iban: practice.iban.clone(),
                amount,
                practice: Some(id),
                partner: None,
                invoice: None,
                reference: format!(
                    "SIDW {} {q} praktijkteamgeld {} %",
                    n.name,
                    practice.share.normalize().to_string().replace('.', ",")
                ),
            });
        }
    }
    let mut by_team = Vec::new();
    if !n.former_gez_owz {
        for partner in input.partners {
            if !agreement_in_force(input.agreements, AgreementKind::Partner, Some(partner.id), q) {
                continue; // never paid without a signed agreement
            }
            let worth = invoiced_worth(input, partner)?;
            for invoice in
                input.invoices.iter().filter(|i| i.partner == partner.id && i.quarter == q && i.is_payable(worth))
            {
                payments.push(PaymentLine {
                    network: n.id,
                    network_name: n.name.clone(),
                    quarter: q,
                    kind: PaymentKind::Partner,
                    payee: partner.name.clone(),
                    iban: partner.iban.clone(),
                    amount: invoice.amount,
                    practice: None,
                    partner: Some(partner.id),
                    invoice: Some(invoice.id),
                    reference: format!("SIDW {} {q} factuur {}", n.name, invoice.number),
                });
            }
        }
        for line in input.lines.iter().filter(|l| l.paid_by_practice_team && q.contains(l.month)) {
            let Some(partner) = input.partners.iter().find(|p| p.id == line.partner) else { continue };
            by_team.push(ByTeamLine {
                network_name: n.name.clone(),
                partner: partner.name.clone(),
                month: line.month,
                hours: line.hours,
                worth: line.worth(input.tariffs, partner.category)?,
            });
        }
    }
    Ok((payments, by_team))
}

/// Σ of payment amounts.
pub fn total(lines: &[PaymentLine]) -> Decimal {
    lines.iter().map(|l| l.amount).sum()
}

/// A locked quarter of one network, and the batch that paid it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterClose {
    pub network: NetworkId,
    pub quarter: Quarter,
    pub batch: u64,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
}

/// A reopened network quarter: who, when and why (the batch stays on record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopening {
    pub network: NetworkId,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub reason: String,
}

/// The payments one close produced, numbered, kept for ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBatch {
    pub id: u64,
    /// `2025-Q1-0001`: quarter and a running number.
    pub number: String,
    pub quarter: Quarter,
    pub networks: Vec<NetworkId>,
    pub lines: Vec<PaymentLine>,
    pub by_team: Vec<ByTeamLine>,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
    pub reopenings: Vec<Reopening>,
}

impl PaymentBatch {
    pub fn total(&self) -> Decimal {
        total(&self.lines)
    }

    /// Is this network's part of the batch still in force (not reopened since)?
    pub fn is_current_for(&self, network: NetworkId) -> bool {
        self.networks.contains(&network) && !self.reopenings.iter().any(|r| r.network == network)
    }
}

/// After a reopening, what an earlier (reopened) batch already paid is not paid again: each
/// payment becomes the difference with what was paid for the same practice or invoice. More
/// paid than due is never taken back here; it becomes a warning to settle by hand.
pub fn settle(
    payments: Vec<PaymentLine>,
    paid_before: &[PaymentLine],
    network_name: &str,
) -> (Vec<PaymentLine>, Vec<CheckItem>) {
    type Key = (NetworkId, PaymentKind, Option<PracticeId>, Option<InvoiceId>);
    let key = |l: &PaymentLine| -> Key { (l.network, l.kind, l.practice, l.invoice) };
    let mut keys: Vec<Key> = Vec::new();
    for line in payments.iter().chain(paid_before) {
        if !keys.contains(&key(line)) {
            keys.push(key(line));
        }
    }
    let mut settled = Vec::new();
    let mut warnings = Vec::new();
    for k in keys {
        let due_lines: Vec<&PaymentLine> = payments.iter().filter(|l| key(l) == k).collect();
        let paid: Decimal = paid_before.iter().filter(|l| key(l) == k).map(|l| l.amount).sum();
        if paid.is_zero() {
            settled.extend(due_lines.into_iter().cloned());
            continue;
        }
        let due: Decimal = due_lines.iter().map(|l| l.amount).sum();
        let template = due_lines
            .first()
            .copied()
            .or_else(|| paid_before.iter().find(|l| key(l) == k))
            .expect("a key comes from a line");
        let difference = due - paid;
        if difference > Decimal::ZERO {
            let mut line = template.clone();
            line.amount = difference;
            line.reference = format!("{} (aanvulling)", line.reference);
            settled.push(line);
        } else if difference < Decimal::ZERO {
            warnings.push(overpaid(network_name, &template.payee, -difference, template.network));
        }
    }
    (settled, warnings)
}

fn overpaid(network_name: &str, payee: &str, amount: Decimal, network: NetworkId) -> CheckItem {
    CheckItem {
        network: network_name.to_string(),
        ok: true,
        warning: true,
        acknowledge: false,
        text: format!(
            "aan {payee} is in een eerdere batch {} te veel betaald: verreken dit buiten sidw",
            format_eur(amount)
        ),
        target: CheckTarget::Network(network),
    }
}
