//! Assertions where money is written (TigerBeetle style): pure checks that the store runs right
//! before it writes a payment batch, again when it reads one for a payment file, and after every
//! change of hours lines. Each returns every violation it finds, in Dutch; an empty list means
//! the money is as the handbook's rules say (ch. 4, appendix 1).

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::agreement::AgreementKind;
use super::budget::{PartnerBudget, practice_team_money};
use super::close::{CloseInput, Payee, PaymentBatch, PaymentKind, PaymentLine, agreement_in_force, invoiced_worth};
use super::error::DomainError;
use super::ids::{InvoiceId, NetworkId, PartnerId};
use super::money::format_eur;

/// What one network's part of a batch was computed from, kept with the batch: the batch can be
/// checked against it again when it is read for a payment file, even after an ION count or the
/// practice-team rate changed (those may change after a close; what the close paid may not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkBasis {
    pub network: NetworkId,
    pub network_name: String,
    /// The quarter's practice-team money: what the practices together are due (0 without a team).
    pub practice_money: Decimal,
    /// The partners that can be paid (a partner agreement in force, not a former GEZ/OWZ network).
    pub partners: Vec<PartnerBasis>,
}

/// What one partner can be paid over the quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerBasis {
    pub partner: PartnerId,
    /// The worth of its quarter lines on the partner budget (not those paid by the practice team).
    pub worth: Decimal,
    /// Its payable invoices of the quarter, with what each asks.
    pub invoices: Vec<(InvoiceId, Decimal)>,
}

impl NetworkBasis {
    /// The basis of one network's quarter, computed from the close's input by the handbook's
    /// rules (not from the payment lines).
    pub fn of(input: &CloseInput) -> Result<Self, DomainError> {
        let n = input.network;
        let q = input.quarter;
        let practice_money = if input.team.practices.is_empty() {
            Decimal::ZERO
        } else {
            practice_team_money(n, input.team, input.tariffs, q)?.max(Decimal::ZERO)
        };
        let mut partners = Vec::new();
        if !n.former_gez_owz {
            for partner in input.partners {
                if !agreement_in_force(input.agreements, AgreementKind::Partner, Some(partner.id), q) {
                    continue;
                }
                let worth = invoiced_worth(input, partner)?;
                let invoices = input
                    .invoices
                    .iter()
                    .filter(|i| i.partner == partner.id && i.quarter == q && i.is_payable(worth))
                    .map(|i| (i.id, i.amount))
                    .collect();
                partners.push(PartnerBasis { partner: partner.id, worth, invoices });
            }
        }
        Ok(Self { network: n.id, network_name: n.name.clone(), practice_money, partners })
    }
}

/// Every violation of the money rules in `batch`, given what earlier (reopened) batches of the
/// same quarters already settled (`paid_before`, per [`PaymentBatch::settled_for`]). Checked:
/// - every payment above zero and in whole cents, of the batch's quarter and one of its networks,
///   shaped as its kind (a practice line names a practice, a partner line a partner and invoice);
/// - no payee twice per kind in the batch;
/// - the batch total is the sum of its lines (without overflow);
/// - claims, set-offs and differences for the practice team above zero and consistent;
/// - per network still in force, against its [`NetworkBasis`]: everything settled for the
///   practices over the quarter (this batch and the earlier ones) is the quarter's practice-team
///   money; no partner is paid without a partner agreement in force, nor above the worth of its
///   lines, nor on an invoice that is not its payable invoice, nor above that invoice.
///
/// A batch from before bases were kept (no basis at all) is checked without the last group.
pub fn batch_violations(batch: &PaymentBatch, paid_before: &[PaymentLine]) -> Vec<String> {
    let mut wrong = Vec::new();
    lines_violations(batch, &mut wrong);
    others_violations(batch, &mut wrong);
    if !batch.basis.is_empty() {
        for network in batch.networks.iter().filter(|n| batch.is_current_for(**n)) {
            match batch.basis.iter().find(|b| b.network == *network) {
                Some(basis) => basis_violations(batch, basis, paid_before, &mut wrong),
                None => {
                    wrong.push(format!("netwerk {network} staat in de batch zonder waar zijn betalingen op rusten"))
                }
            }
        }
    }
    wrong
}

fn lines_violations(batch: &PaymentBatch, wrong: &mut Vec<String>) {
    let mut payees = HashSet::new();
    let mut total = Some(Decimal::ZERO);
    for line in &batch.lines {
        let who = format!("{} ({})", line.payee, line.network_name);
        if line.amount <= Decimal::ZERO {
            wrong.push(format!("betaling aan {who} van {} is niet meer dan nul", format_eur(line.amount)));
        }
        if line.amount.normalize().scale() > 2 {
            wrong.push(format!("betaling aan {who} van {} is geen bedrag in hele centen", line.amount));
        }
        if line.quarter != batch.quarter {
            wrong.push(format!("betaling aan {who} is van {}, de batch van {}", line.quarter, batch.quarter));
        }
        if !batch.networks.contains(&line.network) {
            wrong.push(format!("betaling aan {who} is van een netwerk dat niet in de batch staat"));
        }
        let shaped = match line.kind {
            PaymentKind::Practice => line.practice.is_some() && line.partner.is_none() && line.invoice.is_none(),
            PaymentKind::Partner => line.partner.is_some() && line.invoice.is_some() && line.practice.is_none(),
        };
        if !shaped {
            wrong.push(format!("betaling aan {who} noemt niet precies één {}", line.kind.dutch_label()));
        }
        if let Some(payee) = Payee::of(line)
            && !payees.insert((line.kind, payee))
        {
            wrong.push(format!("{who} staat twee keer als {} in de batch", line.kind.dutch_label()));
        }
        total = total.and_then(|t| t.checked_add(line.amount));
    }
    match total {
        None => wrong.push("het totaal van de batch is te groot om op te tellen".into()),
        Some(total) => {
            let parts: Option<Decimal> = batch.networks.iter().try_fold(Decimal::ZERO, |sum, n| {
                sum.checked_add(batch.lines.iter().filter(|l| l.network == *n).map(|l| l.amount).sum())
            });
            if parts != Some(total) {
                wrong
                    .push(format!("het totaal van de batch ({}) is niet de som van zijn netwerken", format_eur(total)));
            }
        }
    }
}

fn others_violations(batch: &PaymentBatch, wrong: &mut Vec<String>) {
    for claim in &batch.claims {
        let amount = claim.line.amount;
        if amount <= Decimal::ZERO || claim.open < Decimal::ZERO || claim.open > amount {
            wrong.push(format!(
                "vordering op {} van {} (open {}) klopt niet",
                claim.line.payee,
                format_eur(amount),
                format_eur(claim.open)
            ));
        }
    }
    for set_off in batch.set_offs.iter().filter(|s| s.line.amount <= Decimal::ZERO) {
        wrong.push(format!(
            "verrekening met {} van {} is niet meer dan nul",
            set_off.line.payee,
            format_eur(set_off.line.amount)
        ));
    }
    for d in batch.team_differences.iter().filter(|d| d.amount <= Decimal::ZERO || d.invoiced - d.worth != d.amount) {
        wrong.push(format!(
            "verschil voor het praktijkteam bij {} ({}) is niet factuur {} − uren {}",
            d.payee,
            format_eur(d.amount),
            format_eur(d.invoiced),
            format_eur(d.worth)
        ));
    }
}

fn basis_violations(batch: &PaymentBatch, basis: &NetworkBasis, paid_before: &[PaymentLine], wrong: &mut Vec<String>) {
    let name = &basis.network_name;
    let q = batch.quarter;
    let settled: Vec<PaymentLine> = paid_before
        .iter()
        .filter(|l| l.network == basis.network)
        .cloned()
        .chain(batch.settled_for(basis.network))
        .collect();
    let practices: Decimal = settled.iter().filter(|l| l.kind == PaymentKind::Practice).map(|l| l.amount).sum();
    if practices != basis.practice_money {
        wrong.push(format!(
            "{name}: de praktijken krijgen over {q} samen {}, het praktijkteamgeld is {}",
            format_eur(practices),
            format_eur(basis.practice_money)
        ));
    }
    let mut per_partner: BTreeMap<PartnerId, (String, Decimal)> = BTreeMap::new();
    let mut per_invoice: BTreeMap<(PartnerId, InvoiceId), Decimal> = BTreeMap::new();
    for line in settled.iter().filter(|l| l.kind == PaymentKind::Partner) {
        let Some(partner) = line.partner else { continue };
        per_partner.entry(partner).or_insert_with(|| (line.payee.clone(), Decimal::ZERO)).1 += line.amount;
        if let Some(invoice) = line.invoice {
            *per_invoice.entry((partner, invoice)).or_default() += line.amount;
        }
    }
    for (partner, (payee, paid)) in &per_partner {
        match basis.partners.iter().find(|p| p.partner == *partner) {
            None if !paid.is_zero() => wrong.push(format!(
                "{name}: {payee} krijgt {} over {q} zonder partnerovereenkomst die dan geldt",
                format_eur(*paid)
            )),
            Some(p) if *paid > p.worth => wrong.push(format!(
                "{name}: {payee} krijgt {} over {q}, meer dan de {} die de uren waard zijn",
                format_eur(*paid),
                format_eur(p.worth)
            )),
            _ => {}
        }
    }
    for ((partner, invoice), paid) in &per_invoice {
        let payee = per_partner.get(partner).map_or("", |p| p.0.as_str());
        let asked = basis
            .partners
            .iter()
            .find(|p| p.partner == *partner)
            .and_then(|p| p.invoices.iter().find(|(id, _)| id == invoice).map(|(_, amount)| *amount));
        match asked {
            None if !paid.is_zero() => wrong.push(format!(
                "{name}: {payee} krijgt {} op factuur {invoice}, die niet betaalbaar is of niet van deze partner",
                format_eur(*paid)
            )),
            Some(asked) if *paid > asked => wrong.push(format!(
                "{name}: {payee} krijgt {} op factuur {invoice}, meer dan de {} die de factuur vraagt",
                format_eur(*paid),
                format_eur(asked)
            )),
            _ => {}
        }
    }
}

/// Every violation of the partner budget after hours lines were saved. `assumed` is the year as
/// the save carried it along (the budget it admitted the lines against, with each line it added,
/// changed or removed counted in or out); `budget` and `lines` (each line's worth, and whether the
/// practice team pays it) are the year as derived again from what is now stored; `before` is the
/// year as the save found it. Checked: the remaining budget the save assumed is the budget less
/// the worth of the stored lines on the € 1,15 (the practice team's lines apart), and a save that
/// raised that worth left the remaining budget at zero or above (handbook: no hours above the
/// budget unless the practice team pays them).
pub fn spending_violations(
    before: &PartnerBudget,
    assumed: &PartnerBudget,
    budget: Decimal,
    lines: &[(Decimal, bool)],
) -> Vec<String> {
    let mut wrong = Vec::new();
    let counted: Decimal = lines.iter().filter(|(_, by_team)| !by_team).map(|(worth, _)| *worth).sum();
    let by_team: Decimal = lines.iter().filter(|(_, by_team)| *by_team).map(|(worth, _)| *worth).sum();
    let remaining = budget - counted;
    if assumed.remaining() != remaining {
        wrong.push(format!(
            "resterend partnerbudget na opslaan is {}, maar budget {} − uren {} is {}",
            format_eur(assumed.remaining()),
            format_eur(budget),
            format_eur(counted),
            format_eur(remaining)
        ));
    }
    if assumed.spending.paid_by_practice_team != by_team {
        wrong.push(format!(
            "uren betaald door het praktijkteam na opslaan zijn {}, de opgeslagen regels zeggen {}",
            format_eur(assumed.spending.paid_by_practice_team),
            format_eur(by_team)
        ));
    }
    if counted > before.spending.spent && remaining < Decimal::ZERO {
        wrong.push(format!(
            "de uren gaan {} over het partnerbudget van {}",
            format_eur(-remaining),
            format_eur(budget)
        ));
    }
    wrong
}
