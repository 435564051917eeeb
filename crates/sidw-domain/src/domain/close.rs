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

/// How a warning that must be acknowledged is named when it is: "network: text".
pub fn acknowledgement(item: &CheckItem) -> String {
    format!("{}: {}", item.network, item.text)
}

/// The warnings among the checklists of the networks still to close that closing must
/// acknowledge, as [`acknowledgement`] names them, in the order given.
pub fn to_acknowledge<'a>(open_checklists: impl IntoIterator<Item = &'a CheckItem>) -> Vec<String> {
    open_checklists.into_iter().filter(|i| i.acknowledge).map(acknowledgement).collect()
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

pub(super) fn agreement_in_force(
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

/// Has the partner a signed agreement in force in the quarter (the rule that lets the close pay it)?
pub fn partner_agreement_in_force(agreements: &[Agreement], partner: PartnerId, quarter: Quarter) -> bool {
    agreement_in_force(agreements, AgreementKind::Partner, Some(partner), quarter)
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

    if input.today <= q.last_day() {
        // Handbook ch. 4: "eenmaal per kwartaal (achteraf)": a quarter is paid after it ended.
        item!(
            false,
            format!(
                "{q} loopt nog tot en met {}: afsluiten kan vanaf {} (achteraf)",
                super::calendar::format_date(q.last_day()),
                super::calendar::format_date(q.last_day() + chrono::Days::new(1))
            ),
            CheckTarget::Network(n.id),
        );
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
            // A form is due for the months in which hours can be recorded at all: the one rule of
            // `check_agreement_for_hours` (signed and in force on the month's last day).
            let months = q
                .months()
                .into_iter()
                .filter(|m| super::hours::check_agreement_for_hours(input.agreements, partner, *m).is_ok());
            for month in months {
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
            // Corrections that take back more than the quarter's hours are money paid too much
            // earlier: a claim (see `payment_lines`), not hours left unpaid.
            let owes = invoiced_worth(input, partner).is_ok_and(|w| w < Decimal::ZERO);
            if lines.iter().any(|l| !l.paid_by_practice_team) && !owes {
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

/// The excess of an approved invoice above the worth of its hours: never paid from the € 1,15
/// (the tariffs are fixed); the practice team may pay it from its own money (handbook ch. 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDifference {
    pub network: NetworkId,
    pub network_name: String,
    pub quarter: Quarter,
    pub partner: PartnerId,
    pub payee: String,
    pub invoice: InvoiceId,
    pub invoice_number: String,
    /// What the invoice asks.
    pub invoiced: Decimal,
    /// What its hours are worth: what the secretariat pays.
    pub worth: Decimal,
    /// `invoiced − worth`: "verschil voor het praktijkteam".
    pub amount: Decimal,
}

/// What one network's quarter pays, and what it lists without paying.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuarterPayments {
    pub payments: Vec<PaymentLine>,
    /// Lines the practice team pays itself.
    pub by_team: Vec<ByTeamLine>,
    /// Approved invoices above their hours: the excess, for the practice team.
    pub team_differences: Vec<TeamDifference>,
    /// Per partner whose quarter lines are worth less than 0 (corrections of lines of earlier,
    /// closed quarters that take back more than the quarter's hours): that worth, as a negative
    /// amount on the partner without an invoice. [`settle`] makes it a [`Claim`].
    pub overpaid: Vec<PaymentLine>,
}

/// The payment lines of one network's quarter: each practice's share of the practice-team money,
/// and each payable invoice of a partner with a signed agreement, paid at most at the worth of
/// the partner's quarter lines that are not paid by the practice team (a lower invoice pays the
/// invoice; the excess of a higher one is a [`TeamDifference`]). Every amount is above zero.
pub fn payment_lines(input: &CloseInput) -> Result<QuarterPayments, DomainError> {
    let n = input.network;
    let q = input.quarter;
    let mut out = QuarterPayments::default();
    if !input.team.practices.is_empty() && practice_team_money(n, input.team, input.tariffs, q)? > Decimal::ZERO {
        for (id, amount) in practice_team_split(n, input.team, input.tariffs, q)? {
            let practice = input.team.practices.iter().find(|p| p.id == id).expect("split of the team's own practices");
            if amount.is_zero() {
                continue;
            }
            out.payments.push(PaymentLine {
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
                    practice.share_on(q.first_day()).normalize().to_string().replace('.', ",")
                ),
            });
        }
    }
    if !n.former_gez_owz {
        for partner in input.partners {
            let worth = invoiced_worth(input, partner)?;
            if worth < Decimal::ZERO {
                // Paid too much in an earlier quarter: claimed back, with or without an agreement.
                out.overpaid.push(overpaid_line(input, partner, worth));
            }
            if !agreement_in_force(input.agreements, AgreementKind::Partner, Some(partner.id), q) {
                continue; // never paid without a signed agreement
            }
            for invoice in
                input.invoices.iter().filter(|i| i.partner == partner.id && i.quarter == q && i.is_payable(worth))
            {
                let paid = invoice.amount.min(worth);
                if invoice.amount > worth {
                    out.team_differences.push(TeamDifference {
                        network: n.id,
                        network_name: n.name.clone(),
                        quarter: q,
                        partner: partner.id,
                        payee: partner.name.clone(),
                        invoice: invoice.id,
                        invoice_number: invoice.number.clone(),
                        invoiced: invoice.amount,
                        worth,
                        amount: invoice.amount - worth,
                    });
                }
                if paid <= Decimal::ZERO {
                    continue;
                }
                out.payments.push(PaymentLine {
                    network: n.id,
                    network_name: n.name.clone(),
                    quarter: q,
                    kind: PaymentKind::Partner,
                    payee: partner.name.clone(),
                    iban: partner.iban.clone(),
                    amount: paid,
                    practice: None,
                    partner: Some(partner.id),
                    invoice: Some(invoice.id),
                    reference: format!("SIDW {} {q} factuur {}", n.name, invoice.number),
                });
            }
        }
        for line in input.lines.iter().filter(|l| l.paid_by_practice_team && q.contains(l.month)) {
            let Some(partner) = input.partners.iter().find(|p| p.id == line.partner) else { continue };
            out.by_team.push(ByTeamLine {
                network_name: n.name.clone(),
                partner: partner.name.clone(),
                month: line.month,
                hours: line.hours,
                worth: line.worth(input.tariffs, partner.category)?,
            });
        }
    }
    Ok(out)
}

/// The line of a partner whose quarter is worth `worth` (below 0): a negative amount, no invoice.
fn overpaid_line(input: &CloseInput, partner: &Partner, worth: Decimal) -> PaymentLine {
    let n = input.network;
    let q = input.quarter;
    PaymentLine {
        network: n.id,
        network_name: n.name.clone(),
        quarter: q,
        kind: PaymentKind::Partner,
        payee: partner.name.clone(),
        iban: partner.iban.clone(),
        amount: worth,
        practice: None,
        partner: Some(partner.id),
        invoice: None,
        reference: format!("SIDW {} {q} correctie uren", n.name),
    }
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
    /// What is paid: every amount above zero, after set-off against open claims.
    pub lines: Vec<PaymentLine>,
    pub by_team: Vec<ByTeamLine>,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
    pub reopenings: Vec<Reopening>,
    /// Approved invoices above their hours: the excess, not paid (for the practice team).
    pub team_differences: Vec<TeamDifference>,
    /// Claims this close raised: a re-close that found less due than was paid before.
    pub claims: Vec<Claim>,
    /// Amounts due in this batch that were set off against open claims instead of paid.
    pub set_offs: Vec<SetOff>,
}

impl PaymentBatch {
    pub fn total(&self) -> Decimal {
        total(&self.lines)
    }

    /// Is this network's part of the batch still in force (not reopened since)?
    pub fn is_current_for(&self, network: NetworkId) -> bool {
        self.networks.contains(&network) && !self.reopenings.iter().any(|r| r.network == network)
    }

    /// The end-to-end id sidw writes in the pain.001 for the line at `index` of the batch's
    /// lines: the batch number and the line's position in the whole batch (`2025-Q1-0001-003`),
    /// so the ids stay the same when another network of the batch is reopened.
    pub fn end_to_end_id(&self, index: usize) -> String {
        format!("{}-{:03}", self.number, index + 1)
    }

    /// Did this network's part of the batch go out in a payment file? In force, it does (with the
    /// batch's file, now or later); reopened, only if a file (`first_file`: when the batch's first
    /// payment file for the bank, a pain.001, was written; a CSV is for the books) was written
    /// before (or at) the reopening — a file written after it leaves the network out, so a part
    /// reopened before any file was never paid.
    pub fn went_out(&self, network: NetworkId, first_file: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        match self.reopenings.iter().find(|r| r.network == network) {
            None => true,
            // At the same moment (a clock's resolution), the file is taken as written first.
            Some(reopened) => first_file.is_some_and(|written| written <= reopened.at),
        }
    }

    /// What this batch settled for one network, per payment key: cash paid plus amounts set off
    /// against claims, less the claims it raised. Cash that never went out (the part was reopened
    /// before any payment file, see [`PaymentBatch::went_out`]) or that the bank returned
    /// (`returned` names those lines by end-to-end id) settled nothing; set-offs and claims are
    /// the books' and stand. A later re-close of the same quarter pays (or claims) only the
    /// difference with this, so money that was not paid is paid by it.
    pub fn settled_for(
        &self,
        network: NetworkId,
        first_file: Option<chrono::DateTime<chrono::Utc>>,
        returned: &dyn Fn(&str) -> bool,
    ) -> Vec<PaymentLine> {
        let went_out = self.went_out(network, first_file);
        let lines = self
            .lines
            .iter()
            .enumerate()
            .filter(|(n, l)| l.network == network && went_out && !returned(&self.end_to_end_id(*n)))
            .map(|(_, l)| l.clone());
        let set_off = self.set_offs.iter().filter(|s| s.line.network == network).map(|s| s.line.clone());
        let claimed = self
            .claims
            .iter()
            .filter(|c| c.line.network == network)
            .map(|c| PaymentLine { amount: -c.line.amount, ..c.line.clone() });
        lines.chain(set_off).chain(claimed).collect()
    }
}

/// Who is paid, across quarters and batches: a practice or a partner (ids are unique in the
/// database, and each belongs to one network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Payee {
    Practice(PracticeId),
    Partner(PartnerId),
}

impl Payee {
    pub fn of(line: &PaymentLine) -> Option<Payee> {
        match line.kind {
            PaymentKind::Practice => line.practice.map(Payee::Practice),
            PaymentKind::Partner => line.partner.map(Payee::Partner),
        }
    }
}

/// Money paid too much to a payee (a reopened quarter turned out to owe less): set off against
/// the payee's next payments, oldest claim first, and reported until settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The payment key it arose on, with `amount` = the claim as raised.
    pub line: PaymentLine,
    /// What is still to be set off.
    pub open: Decimal,
    /// The batch that raised it (empty in a preview, before the close).
    pub batch: String,
    pub batch_id: u64,
}

/// An amount due that was set off against a claim instead of paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetOff {
    /// The payment it reduced, with `amount` = what was set off.
    pub line: PaymentLine,
    /// The batch that raised the claim, and the claim's quarter.
    pub claim_batch: String,
    pub claim_quarter: Quarter,
}

/// After a reopening, what earlier (reopened) batches already settled is not paid again: each
/// payment key becomes the difference with what was settled for it (cash, set-off, less claims
/// raised: [`PaymentBatch::settled_for`]). A higher amount due pays the difference; a lower one
/// raises a [`Claim`] on that payee, never a negative payment. An amount due below 0 (a partner's
/// [`QuarterPayments::overpaid`]) is such a lower one, also at a first close.
pub fn settle(payments: Vec<PaymentLine>, paid_before: &[PaymentLine]) -> (Vec<PaymentLine>, Vec<Claim>) {
    type Key = (NetworkId, PaymentKind, Option<PracticeId>, Option<PartnerId>, Option<InvoiceId>);
    let key = |l: &PaymentLine| -> Key { (l.network, l.kind, l.practice, l.partner, l.invoice) };
    let mut keys: Vec<Key> = Vec::new();
    for line in payments.iter().chain(paid_before) {
        if !keys.contains(&key(line)) {
            keys.push(key(line));
        }
    }
    let mut settled = Vec::new();
    let mut claims = Vec::new();
    for k in keys {
        let due_lines: Vec<&PaymentLine> = payments.iter().filter(|l| key(l) == k).collect();
        let before: Vec<&PaymentLine> = paid_before.iter().filter(|l| key(l) == k).collect();
        if before.is_empty() && due_lines.iter().all(|l| l.amount > Decimal::ZERO) {
            settled.extend(due_lines.into_iter().cloned());
            continue;
        }
        let paid: Decimal = before.iter().map(|l| l.amount).sum();
        let due: Decimal = due_lines.iter().map(|l| l.amount).sum();
        let Some(template) = due_lines.first().or(before.first()).copied() else { continue };
        let difference = due - paid;
        if difference > Decimal::ZERO {
            let mut line = template.clone();
            line.amount = difference;
            if !paid.is_zero() {
                line.reference = format!("{} (aanvulling)", line.reference);
            }
            settled.push(line);
        } else if difference < Decimal::ZERO {
            let mut line = template.clone();
            line.amount = -difference;
            claims.push(Claim { line, open: -difference, batch: String::new(), batch_id: 0 });
        }
    }
    (settled, claims)
}

/// Sets payments off against the payees' open claims, oldest first: a payment shrinks by what is
/// set off (and is dropped at zero), each claim's `open` by the same. Returns what is still paid
/// and the set-offs; `open` holds the claims as they stand after.
pub fn set_off(payments: Vec<PaymentLine>, open: &mut [Claim]) -> (Vec<PaymentLine>, Vec<SetOff>) {
    let mut paid = Vec::new();
    let mut set_offs = Vec::new();
    for mut line in payments {
        let payee = Payee::of(&line);
        for claim in open.iter_mut().filter(|c| payee.is_some() && Payee::of(&c.line) == payee) {
            if line.amount <= Decimal::ZERO {
                break;
            }
            let take = claim.open.min(line.amount);
            if take <= Decimal::ZERO {
                continue;
            }
            claim.open -= take;
            line.amount -= take;
            set_offs.push(SetOff {
                line: PaymentLine { amount: take, ..line.clone() },
                claim_batch: claim.batch.clone(),
                claim_quarter: claim.line.quarter,
            });
        }
        if line.amount > Decimal::ZERO {
            paid.push(line);
        }
    }
    (paid, set_offs)
}

/// A returned payment a re-close pays again, as the checklist shows it: a warning to acknowledge,
/// so that money paid by hand meanwhile (the bank state then corrected to paid first) is never
/// paid twice unseen.
pub fn paid_again_item(line: &PaymentLine, end_to_end_id: &str) -> CheckItem {
    CheckItem {
        network: line.network_name.clone(),
        ok: true,
        warning: true,
        acknowledge: true,
        text: format!(
            "teruggeboekte betaling {end_to_end_id} aan {} van {} wordt opnieuw betaald (al met de hand betaald? zet \
             haar dan eerst op betaald met sidw bank correct)",
            line.payee,
            format_eur(line.amount)
        ),
        target: CheckTarget::Network(line.network),
    }
}

/// A claim as the checklist shows it: not blocking, said once.
pub fn claim_item(claim: &Claim) -> CheckItem {
    CheckItem {
        network: claim.line.network_name.clone(),
        ok: true,
        warning: true,
        acknowledge: false,
        text: format!(
            "aan {} is eerder {} te veel betaald: vordering, verrekend met de volgende betalingen",
            claim.line.payee,
            format_eur(claim.line.amount)
        ),
        target: CheckTarget::Network(claim.line.network),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(network: &str, acknowledge: bool, text: &str) -> CheckItem {
        CheckItem {
            network: network.into(),
            ok: true,
            warning: true,
            acknowledge,
            text: text.into(),
            target: CheckTarget::Network(NetworkId(1)),
        }
    }

    #[test]
    fn only_warnings_to_acknowledge_are_named_network_first_in_order() {
        let items = [
            item("Zwolle-Zuid", true, "eerste netwerkbijeenkomst te laat"),
            item("Zwolle-Zuid", false, "factuur nog niet beoordeeld"),
            item("Almere-Haven", true, "wijkplan te laat"),
        ];
        assert_eq!(
            to_acknowledge(&items),
            vec!["Zwolle-Zuid: eerste netwerkbijeenkomst te laat".to_string(), "Almere-Haven: wijkplan te laat".into()]
        );
        assert!(to_acknowledge(&items[1..2]).is_empty());
    }

    fn owed(partner: u64, amount: Decimal) -> PaymentLine {
        PaymentLine {
            network: NetworkId(1),
            network_name: "Zwolle-Zuid".into(),
            quarter: Quarter::parse("2025-Q2").unwrap(),
            kind: PaymentKind::Partner,
            payee: format!("partner {partner}"),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            amount,
            practice: None,
            partner: Some(PartnerId(partner)),
            invoice: None,
            reference: "SIDW Zwolle-Zuid 2025-Q2 correctie uren".into(),
        }
    }

    #[test]
    fn a_quarter_worth_below_zero_is_claimed_once_per_partner_and_a_smaller_one_paid_back() {
        use rust_decimal_macros::dec;
        // First close: each partner's negative worth is a claim of its own, nothing paid.
        let (paid, claims) = settle(vec![owed(1, dec!(-10)), owed(2, dec!(-5))], &[]);
        assert!(paid.is_empty());
        let claimed: Vec<_> = claims.iter().map(|c| (c.line.partner, c.open)).collect();
        assert_eq!(claimed, vec![(Some(PartnerId(1)), dec!(10)), (Some(PartnerId(2)), dec!(5))]);
        // A re-close: the same worth settles nothing; a smaller one pays the difference back.
        let before = [owed(1, dec!(-10))];
        assert_eq!(settle(vec![owed(1, dec!(-10))], &before), (vec![], vec![]));
        let (paid, claims) = settle(vec![owed(1, dec!(-4))], &before);
        assert_eq!((paid.len(), paid[0].amount, claims.len()), (1, dec!(6), 0));
        let (paid, _) = settle(vec![], &before);
        assert_eq!(paid[0].amount, dec!(10), "no longer below zero: all of it");
    }
}
