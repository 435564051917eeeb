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
    pub tariffs: &'a TariffBook,
    pub quarter: Quarter,
}

/// Where a checklist item is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckTarget {
    Network(NetworkId),
    Hours(NetworkId, YearMonth),
    Invoice(NetworkId, PartnerId),
    Agreement(NetworkId, Option<AgreementId>),
    Tariffs(i32),
}

/// One item of the checklist; `ok: false` blocks the close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    pub network: String,
    pub ok: bool,
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
    let mut item = |ok: bool, text: String, target: CheckTarget| {
        items.push(CheckItem { network: n.name.clone(), ok, text, target })
    };

    let has_tariffs = input.tariffs.for_year(q.year()).is_ok();
    let says = |ok: bool, yes: String, no: String| if ok { yes } else { no };
    let year = q.year();
    item(
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
    item(team_ok, text, CheckTarget::Network(n.id));
    let signed = agreement_in_force(input.agreements, AgreementKind::PracticeTeam, None, q);
    let team_agreement = input.agreements.iter().find(|a| a.kind == AgreementKind::PracticeTeam).map(|a| a.id);
    let text = says(
        signed,
        "samenwerkingsovereenkomst praktijkteam getekend".into(),
        "samenwerkingsovereenkomst praktijkteam niet getekend".into(),
    );
    item(signed, text, CheckTarget::Agreement(n.id, team_agreement));
    if n.is_funded_in(q) && input.team.total_ion_on(q.first_day()) == 0 {
        item(
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
                let present = lines.iter().any(|l| l.month == month);
                item(
                    present,
                    format!(
                        "urenformulier {} van {}{}",
                        month.dutch_name(),
                        partner.name,
                        if present { "" } else { " ontbreekt" }
                    ),
                    CheckTarget::Hours(n.id, month),
                );
            }
        } else if !lines.is_empty() {
            let agreement = input.agreements.iter().find(|a| a.partner == Some(partner.id)).map(|a| a.id);
            item(
                false,
                format!("{} heeft uren maar geen getekende overeenkomst: wordt niet betaald", partner.name),
                CheckTarget::Agreement(n.id, agreement),
            );
        }
        let worth = match invoiced_worth(input, partner) {
            Ok(worth) => worth,
            Err(error) => {
                item(false, error.to_string(), CheckTarget::Tariffs(q.year()));
                continue;
            }
        };
        let invoices: Vec<&Invoice> =
            input.invoices.iter().filter(|i| i.partner == partner.id && i.quarter == q).collect();
        let all_rejected =
            !invoices.is_empty() && invoices.iter().all(|i| matches!(i.decision, InvoiceDecision::Rejected { .. }));
        if worth > Decimal::ZERO && invoices.is_empty() {
            item(
                false,
                format!("factuur van {} ontbreekt (uren {})", partner.name, format_eur(worth)),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
        for invoice in &invoices {
            let (ok, state) = match &invoice.decision {
                InvoiceDecision::Approved { reason } if reason.is_empty() => (true, "goedgekeurd".to_string()),
                InvoiceDecision::Approved { reason } => (true, format!("goedgekeurd: {reason}")),
                InvoiceDecision::Rejected { reason } => (true, format!("afgewezen: {reason} (niet betaald)")),
                InvoiceDecision::Open => {
                    let matched = match_invoice(invoice.amount, worth);
                    (
                        invoice.is_payable(worth),
                        format!(
                            "{}{}",
                            matched.dutch(),
                            if invoice.is_payable(worth) { "" } else { ": keur goed met reden of wijs af" }
                        ),
                    )
                }
            };
            item(
                ok,
                format!("factuur {} van {} ({}): {state}", invoice.number, partner.name, format_eur(invoice.amount)),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
        if worth > Decimal::ZERO && all_rejected {
            item(
                false,
                format!("alle facturen van {} afgewezen: wacht op een nieuwe", partner.name),
                CheckTarget::Invoice(n.id, partner.id),
            );
        }
    }
    sorted(items)
}

fn sorted(mut items: Vec<CheckItem>) -> Vec<CheckItem> {
    items.sort_by_key(|i| i.ok);
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
