//! Assertions where money is written (TigerBeetle style): pure checks that the store runs right
//! before it writes a payment batch, again when it reads one for a payment file, and after every
//! change of hours lines. Each returns every violation it finds, in Dutch; an empty list means
//! the money is as the handbook's rules say (ch. 4, appendix 1).

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::agreement::AgreementKind;
use super::budget::{PartnerBudget, practice_team_money};
use super::calendar::Quarter;
use super::close::{CloseInput, Payee, PaymentBatch, PaymentKind, PaymentLine, agreement_in_force, invoiced_worth};
use super::error::DomainError;
use super::ids::{InvoiceId, NetworkId, PartnerId};
use super::money::format_eur;

/// What one network's part of a batch was computed from, kept beside the batch: the batch can be
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
                let worth = invoiced_worth(input, partner)?;
                // Without an agreement a partner is never paid, but a quarter worth below 0
                // (corrections) is claimed back from it all the same.
                if !agreement_in_force(input.agreements, AgreementKind::Partner, Some(partner.id), q)
                    && worth >= Decimal::ZERO
                {
                    continue;
                }
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

/// Every violation of the money rules in `batch`, given what it was computed from (`basis`, one
/// per network) and what earlier (reopened) batches of the same quarters already settled
/// (`paid_before`, per [`PaymentBatch::settled_for`]). Checked:
/// - every payment above zero and in whole cents, of the batch's quarter and one of its networks,
///   shaped as its kind (a practice line names a practice, a partner line a partner and its
///   invoice, or no invoice when it pays back a claim on corrections that a re-close found smaller);
/// - no payee twice per kind (and invoice) in the batch;
/// - the batch total is the sum of its lines (without overflow);
/// - claims, set-offs and differences for the practice team above zero and consistent;
/// - per network still in force, against its [`NetworkBasis`]: everything settled for the
///   practices over the quarter (this batch and the earlier ones) is the quarter's practice-team
///   money; no partner is paid without a partner agreement in force, nor above the worth of its
///   lines, nor on an invoice that is not its payable invoice, nor above that invoice.
///
/// A batch from before bases were kept (no basis at all) is checked without the last group.
pub fn batch_violations(batch: &PaymentBatch, basis: &[NetworkBasis], paid_before: &[PaymentLine]) -> Vec<String> {
    let mut wrong = Vec::new();
    lines_violations(batch, &mut wrong);
    others_violations(batch, &mut wrong);
    if !basis.is_empty() {
        // What was settled per network, as [`PaymentBatch::settled_for`] counts it (cash and
        // set-offs, less claims raised), gathered in one pass: a region's batch holds ~100 networks.
        let mut settled: HashMap<NetworkId, Vec<(&PaymentLine, Decimal)>> = HashMap::new();
        let cash = batch.lines.iter().chain(batch.set_offs.iter().map(|s| &s.line)).chain(paid_before);
        for (line, amount) in cash.map(|l| (l, l.amount)).chain(batch.claims.iter().map(|c| (&c.line, -c.line.amount)))
        {
            settled.entry(line.network).or_default().push((line, amount));
        }
        for network in batch.networks.iter().filter(|n| batch.is_current_for(**n)) {
            match basis.iter().find(|b| b.network == *network) {
                Some(basis) => {
                    let lines = settled.get(network).map_or(&[][..], Vec::as_slice);
                    basis_violations(batch.quarter, basis, lines, &mut wrong)
                }
                None => {
                    wrong.push(format!("netwerk {network} staat in de batch zonder waar zijn betalingen op rusten"))
                }
            }
        }
    }
    wrong
}

/// The sum, or `None` when it does not fit in a `Decimal` (nothing here panics on a damaged record).
fn checked_sum(amounts: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    amounts.into_iter().try_fold(Decimal::ZERO, |sum, amount| sum.checked_add(amount))
}

/// A payee as a violation names it: "payee (network)", written only when said.
struct Who<'a>(&'a PaymentLine);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.payee, self.0.network_name)
    }
}

fn lines_violations(batch: &PaymentBatch, wrong: &mut Vec<String>) {
    let mut payees = HashSet::new();
    let mut total = Some(Decimal::ZERO);
    let mut parts: HashMap<NetworkId, Option<Decimal>> = HashMap::new();
    for line in &batch.lines {
        let who = Who(line);
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
            // A partner line pays an invoice, or (no invoice) pays back a claim on corrections
            // that a re-close found smaller.
            PaymentKind::Partner => line.partner.is_some() && line.practice.is_none(),
        };
        if !shaped {
            wrong.push(format!("betaling aan {who} noemt niet precies één {}", line.kind.dutch_label()));
        }
        if let Some(payee) = Payee::of(line)
            && !payees.insert((line.kind, payee, line.invoice))
        {
            wrong.push(format!("{who} staat twee keer als {} in de batch", line.kind.dutch_label()));
        }
        total = total.and_then(|t| t.checked_add(line.amount));
        let part = parts.entry(line.network).or_insert(Some(Decimal::ZERO));
        *part = part.and_then(|p| p.checked_add(line.amount));
    }
    match total {
        None => wrong.push("het totaal van de batch is te groot om op te tellen".into()),
        Some(total) => {
            let parts: Option<Decimal> = batch.networks.iter().try_fold(Decimal::ZERO, |sum, n| {
                sum.checked_add(parts.get(n).copied().unwrap_or(Some(Decimal::ZERO))?)
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
    for d in batch
        .team_differences
        .iter()
        .filter(|d| d.amount <= Decimal::ZERO || d.invoiced.checked_sub(d.worth) != Some(d.amount))
    {
        wrong.push(format!(
            "verschil voor het praktijkteam bij {} ({}) is niet factuur {} − uren {}",
            d.payee,
            format_eur(d.amount),
            format_eur(d.invoiced),
            format_eur(d.worth)
        ));
    }
}

fn basis_violations(q: Quarter, basis: &NetworkBasis, settled: &[(&PaymentLine, Decimal)], wrong: &mut Vec<String>) {
    let name = &basis.network_name;
    let Some(practices) =
        checked_sum(settled.iter().filter(|(l, _)| l.kind == PaymentKind::Practice).map(|(_, amount)| *amount))
    else {
        wrong.push(format!("{name}: wat de praktijken over {q} krijgen is te groot om op te tellen"));
        return;
    };
    if practices != basis.practice_money {
        wrong.push(format!(
            "{name}: de praktijken krijgen over {q} samen {}, het praktijkteamgeld is {}",
            format_eur(practices),
            format_eur(basis.practice_money)
        ));
    }
    let mut per_partner: BTreeMap<PartnerId, (&str, Decimal)> = BTreeMap::new();
    let mut per_invoice: BTreeMap<(PartnerId, InvoiceId), Decimal> = BTreeMap::new();
    // Money without an invoice only claims back (a quarter corrections took below 0) and pays such
    // a claim back: over the quarter it never comes to more than nothing.
    let mut without_invoice: BTreeMap<PartnerId, (&str, Decimal)> = BTreeMap::new();
    for (line, amount) in settled.iter().filter(|(l, _)| l.kind == PaymentKind::Partner) {
        let Some(partner) = line.partner else { continue };
        if line.invoice.is_none() {
            let sum = &mut without_invoice.entry(partner).or_insert_with(|| (line.payee.as_str(), Decimal::ZERO)).1;
            *sum = sum.checked_add(*amount).unwrap_or(Decimal::MAX);
        }
        let paid = &mut per_partner.entry(partner).or_insert_with(|| (line.payee.as_str(), Decimal::ZERO)).1;
        let on_invoice = line.invoice.map(|invoice| per_invoice.entry((partner, invoice)).or_default());
        match (paid.checked_add(*amount), on_invoice) {
            (Some(sum), None) => *paid = sum,
            (Some(sum), Some(on_invoice)) if on_invoice.checked_add(*amount).is_some() => {
                *paid = sum;
                *on_invoice += *amount;
            }
            _ => {
                wrong.push(format!("{name}: wat {} over {q} krijgt is te groot om op te tellen", line.payee));
                return;
            }
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
    for (payee, paid) in without_invoice.values().filter(|(_, paid)| *paid > Decimal::ZERO) {
        wrong.push(format!("{name}: {payee} krijgt {} over {q} zonder factuur", format_eur(*paid)));
    }
    for ((partner, invoice), paid) in &per_invoice {
        let payee = per_partner.get(partner).map_or("", |p| p.0);
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
    let counted = checked_sum(lines.iter().filter(|(_, by_team)| !by_team).map(|(worth, _)| *worth));
    let by_team = checked_sum(lines.iter().filter(|(_, by_team)| *by_team).map(|(worth, _)| *worth));
    let (Some(counted), Some(by_team), Some(remaining)) =
        (counted, by_team, counted.and_then(|c| budget.checked_sub(c)))
    else {
        return vec!["de uren van het jaar zijn te groot om op te tellen".into()];
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::budget::Spending;
    use crate::domain::close::{Claim, Reopening, SetOff, TeamDifference};
    use crate::domain::ids::PracticeId;
    use crate::domain::validate::Iban;
    use rust_decimal_macros::dec;

    const NETWORK: NetworkId = NetworkId(7);

    fn q() -> Quarter {
        Quarter::parse("2025-Q1").unwrap()
    }

    fn practice(id: u64, amount: Decimal) -> PaymentLine {
        PaymentLine {
            network: NETWORK,
            network_name: "Zwolle-Zuid".into(),
            quarter: q(),
            kind: PaymentKind::Practice,
            payee: format!("Praktijk {id}"),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            amount,
            practice: Some(PracticeId(id)),
            partner: None,
            invoice: None,
            reference: "SIDW Zwolle-Zuid 2025-Q1 praktijkteamgeld".into(),
        }
    }

    fn partner(amount: Decimal) -> PaymentLine {
        PaymentLine {
            kind: PaymentKind::Partner,
            payee: "Fysio De Wijk".into(),
            iban: Iban::parse("NL20INGB0001234567").unwrap(),
            practice: None,
            partner: Some(PartnerId(9)),
            invoice: Some(InvoiceId(11)),
            ..practice(0, amount)
        }
    }

    /// A batch and what it was computed from.
    #[derive(Clone)]
    struct Case {
        batch: PaymentBatch,
        basis: Vec<NetworkBasis>,
    }

    impl std::ops::Deref for Case {
        type Target = PaymentBatch;
        fn deref(&self) -> &PaymentBatch {
            &self.batch
        }
    }

    /// 5 950,00 practice-team money split 60/40, and an invoice of 919,93 on hours worth 1 000,00.
    fn batch() -> Case {
        let batch = PaymentBatch {
            id: 1,
            number: "2025-Q1-0001".into(),
            quarter: q(),
            networks: vec![NETWORK],
            lines: vec![practice(1, dec!(3570.00)), practice(2, dec!(2380.00)), partner(dec!(919.93))],
            by_team: Vec::new(),
            closed_by: "fien".into(),
            closed_at: chrono::DateTime::from_timestamp(1_743_584_400, 0).unwrap(),
            reopenings: Vec::new(),
            team_differences: Vec::new(),
            claims: Vec::new(),
            set_offs: Vec::new(),
        };
        let basis = vec![NetworkBasis {
            network: NETWORK,
            network_name: "Zwolle-Zuid".into(),
            practice_money: dec!(5950.00),
            partners: vec![PartnerBasis {
                partner: PartnerId(9),
                worth: dec!(1000.00),
                invoices: vec![(InvoiceId(11), dec!(919.93))],
            }],
        }];
        Case { batch, basis }
    }

    impl Case {
        fn violations(&self, paid_before: &[PaymentLine]) -> Vec<String> {
            batch_violations(&self.batch, &self.basis, paid_before)
        }
    }

    fn wrong(case: &Case) -> String {
        case.violations(&[]).join("\n")
    }

    /// The case with `f` applied to the batch and its basis.
    fn changed(f: impl FnOnce(&mut PaymentBatch, &mut Vec<NetworkBasis>)) -> Case {
        let mut case = batch();
        f(&mut case.batch, &mut case.basis);
        case
    }

    #[test]
    fn a_batch_as_the_close_builds_it_has_no_violations() {
        assert_eq!(batch().violations(&[]), Vec::<String>::new());
    }

    #[test]
    fn every_amount_is_above_zero_and_in_whole_cents() {
        let at = |amount: Decimal| {
            wrong(&changed(|b, basis| {
                b.lines[2].amount = amount;
                basis[0].partners[0].invoices[0].1 = amount.max(Decimal::ZERO);
            }))
        };
        assert_eq!(at(dec!(0.01)), "");
        assert!(at(dec!(0.00)).contains("betaling aan Fysio De Wijk (Zwolle-Zuid) van € 0,00 is niet meer dan nul"));
        assert!(at(dec!(-0.01)).contains("is niet meer dan nul"));
        assert_eq!(at(dec!(919.930)), "", "trailing zeros are whole cents");
        assert!(at(dec!(919.935)).contains("919.935 is geen bedrag in hele centen"), "{}", at(dec!(919.935)));
    }

    #[test]
    fn the_practices_together_get_exactly_the_quarters_practice_team_money() {
        let at = |amount: Decimal| wrong(&changed(|b, _| b.lines[0].amount = amount));
        assert_eq!(at(dec!(3570.00)), "");
        assert_eq!(
            at(dec!(3570.01)),
            "Zwolle-Zuid: de praktijken krijgen over 2025-Q1 samen € 5.950,01, het praktijkteamgeld is € 5.950,00"
        );
        assert!(at(dec!(3569.99)).contains("samen € 5.949,99"));
        // A practice left out is money not paid.
        assert!(wrong(&changed(|b, _| drop(b.lines.remove(1)))).contains("samen € 3.570,00"));
    }

    #[test]
    fn no_partner_is_paid_above_its_hours_its_invoice_or_without_an_agreement() {
        let worth = |w: Decimal| wrong(&changed(|_, basis| basis[0].partners[0].worth = w));
        assert_eq!(worth(dec!(919.93)), "", "paid exactly the worth of its hours");
        assert_eq!(
            worth(dec!(919.92)),
            "Zwolle-Zuid: Fysio De Wijk krijgt € 919,93 over 2025-Q1, meer dan de € 919,92 die de uren waard zijn"
        );
        let asked = |a: Decimal| wrong(&changed(|_, basis| basis[0].partners[0].invoices[0].1 = a));
        assert_eq!(asked(dec!(919.93)), "");
        assert!(asked(dec!(919.92)).contains("op factuur 11, meer dan de € 919,92 die de factuur vraagt"));
        let unpayable = wrong(&changed(|_, basis| basis[0].partners[0].invoices.clear()));
        assert!(unpayable.contains("op factuur 11, die niet betaalbaar is of niet van deze partner"), "{unpayable}");
        let unsigned = wrong(&changed(|_, basis| basis[0].partners.clear()));
        assert!(
            unsigned.contains("Fysio De Wijk krijgt € 919,93 over 2025-Q1 zonder partnerovereenkomst"),
            "{unsigned}"
        );
    }

    #[test]
    fn no_payee_is_paid_twice_per_kind_but_two_payees_may_share_an_account() {
        let twice = wrong(&changed(|b, basis| {
            b.lines.push(partner(dec!(0.01)));
            basis[0].partners[0].worth = dec!(2000);
            basis[0].partners[0].invoices[0].1 = dec!(2000);
        }));
        assert_eq!(twice, "Fysio De Wijk (Zwolle-Zuid) staat twee keer als partner in de batch");
        assert!(wrong(&changed(|b, _| b.lines[1].practice = Some(PracticeId(1)))).contains("twee keer als praktijk"));
        // Both practices pay into the same IBAN (as in the fixtures): two payees, not one twice.
        assert_eq!(batch().lines[0].iban, batch().lines[1].iban);
        assert_eq!(wrong(&batch()), "");
    }

    #[test]
    fn lines_belong_to_the_batch_and_are_shaped_as_their_kind() {
        let later = Quarter::parse("2025-Q2").unwrap();
        assert!(wrong(&changed(|b, _| b.lines[0].quarter = later)).contains("is van 2025-Q2, de batch van 2025-Q1"));
        let elsewhere = wrong(&changed(|b, _| b.networks = vec![NetworkId(8)]));
        assert!(elsewhere.contains("is van een netwerk dat niet in de batch staat"), "{elsewhere}");
        assert!(
            wrong(&changed(|b, _| b.lines[2].practice = Some(PracticeId(1))))
                .contains("noemt niet precies één partner")
        );
        // Without an invoice a partner line only pays back a claim on corrections: never more than
        // was claimed (here nothing was), and still at most the worth of the partner's hours.
        let unasked = wrong(&changed(|b, _| b.lines[2].invoice = None));
        assert!(unasked.contains("zonder factuur"), "{unasked}");
        let above = wrong(&changed(|b, basis| {
            b.lines[2].invoice = None;
            basis[0].partners[0].worth = dec!(-10);
        }));
        assert!(above.contains("meer dan de € -10,00 die de uren waard zijn"), "{above}");
        assert!(
            wrong(&changed(|b, _| b.lines[0].partner = Some(PartnerId(9)))).contains("noemt niet precies één praktijk")
        );
    }

    #[test]
    fn the_total_adds_up_without_overflow() {
        let huge = changed(|b, basis| {
            b.lines = vec![practice(1, Decimal::MAX), practice(2, Decimal::MAX)];
            basis.clear();
        });
        assert_eq!(wrong(&huge), "het totaal van de batch is te groot om op te tellen");
        let one = changed(|b, basis| {
            b.lines = vec![practice(1, Decimal::MAX)];
            basis.clear();
        });
        assert_eq!(wrong(&one), "");
        // Interleaved networks whose own sums overflow: said, never a panic.
        let mixed = changed(|b, basis| {
            b.networks = vec![NETWORK, NetworkId(8)];
            let other = PaymentLine { network: NetworkId(8), ..practice(2, -Decimal::MAX) };
            b.lines = vec![practice(1, Decimal::MAX), other, practice(3, Decimal::MAX)];
            basis.clear();
        });
        assert!(wrong(&mixed).contains("is niet de som van zijn netwerken"), "{}", wrong(&mixed));
    }

    #[test]
    fn claims_set_offs_and_differences_are_above_zero_and_consistent() {
        let claim = |open: Decimal| {
            wrong(&changed(|b, basis| {
                b.claims = vec![Claim { line: practice(1, dec!(5.00)), open, batch: String::new(), batch_id: 0 }];
                basis.clear();
            }))
        };
        assert_eq!(claim(dec!(5.00)), "");
        assert_eq!(claim(dec!(0.00)), "");
        assert!(claim(dec!(5.01)).contains("vordering op Praktijk 1 van € 5,00 (open € 5,01) klopt niet"));
        assert!(claim(dec!(-0.01)).contains("klopt niet"));
        let set_off = |amount: Decimal| {
            wrong(&changed(|b, basis| {
                let line = practice(1, amount);
                b.set_offs = vec![SetOff { line, claim_batch: "x".into(), claim_quarter: q() }];
                basis.clear();
            }))
        };
        assert_eq!(set_off(dec!(0.01)), "");
        assert!(set_off(dec!(0)).contains("verrekening met Praktijk 1 van € 0,00 is niet meer dan nul"));
        let difference = |amount: Decimal| {
            wrong(&changed(|b, _| {
                b.team_differences = vec![TeamDifference {
                    network: NETWORK,
                    network_name: "Zwolle-Zuid".into(),
                    quarter: q(),
                    partner: PartnerId(9),
                    payee: "Fysio De Wijk".into(),
                    invoice: InvoiceId(11),
                    invoice_number: "F-1".into(),
                    invoiced: dec!(1050.00),
                    worth: dec!(1000.00),
                    amount,
                }]
            }))
        };
        assert_eq!(difference(dec!(50.00)), "");
        assert!(difference(dec!(50.01)).contains("verschil voor het praktijkteam bij Fysio De Wijk (€ 50,01)"));
    }

    #[test]
    fn a_re_close_adds_up_with_what_earlier_batches_settled() {
        // ION raised after a reopen: 5 960,00 due, 5 950,00 paid before; practice 1 gets the 10,00.
        let re_close = changed(|b, basis| {
            b.id = 2;
            b.lines = vec![practice(1, dec!(10.00))];
            basis[0].practice_money = dec!(5960.00);
            basis[0].partners.clear();
        });
        let before = vec![practice(1, dec!(3570.00)), practice(2, dec!(2380.00))];
        assert_eq!(re_close.violations(&before), Vec::<String>::new());
        assert!(wrong(&re_close).contains("samen € 10,00, het praktijkteamgeld is € 5.960,00"));
        // Lower: a claim raised (a negative settlement), nothing paid.
        let lower = changed(|b, basis| {
            b.lines.clear();
            b.claims =
                vec![Claim { line: practice(1, dec!(10.00)), open: dec!(10.00), batch: String::new(), batch_id: 0 }];
            basis[0].practice_money = dec!(5940.00);
            basis[0].partners.clear();
        });
        assert_eq!(lower.violations(&before), Vec::<String>::new());
        let other_network: Vec<PaymentLine> =
            before.iter().map(|l| PaymentLine { network: NetworkId(8), ..l.clone() }).collect();
        assert!(!lower.violations(&other_network).is_empty(), "another network's payments do not count");
    }

    #[test]
    fn a_reopened_part_and_a_batch_without_a_basis_are_checked_without_it() {
        let wrong_money = |b: &mut PaymentBatch, _: &mut Vec<NetworkBasis>| b.lines[0].amount = dec!(3570.01);
        let reopened = changed(|b, basis| {
            wrong_money(b, basis);
            b.reopenings = vec![Reopening { network: NETWORK, by: "fien".into(), at: b.closed_at, reason: "x".into() }];
        });
        assert_eq!(wrong(&reopened), "");
        let legacy = changed(|b, basis| {
            wrong_money(b, basis);
            basis.clear();
        });
        assert_eq!(wrong(&legacy), "");
        assert!(!wrong(&changed(wrong_money)).is_empty());
        let missing = changed(|_, basis| basis[0].network = NetworkId(8));
        assert!(wrong(&missing).contains("netwerk 7 staat in de batch zonder waar zijn betalingen op rusten"));
    }

    fn year(budget: Decimal, spent: Decimal, by_team: Decimal) -> PartnerBudget {
        PartnerBudget { budget, spending: Spending { spent, paid_by_practice_team: by_team } }
    }

    #[test]
    fn the_remaining_budget_a_save_carried_is_budget_less_the_stored_lines() {
        let before = year(dec!(100), dec!(50), dec!(0));
        let lines = [(dec!(50), false), (dec!(30), false), (dec!(5), true)];
        assert_eq!(
            spending_violations(&before, &year(dec!(100), dec!(80), dec!(5)), dec!(100), &lines),
            Vec::<String>::new()
        );
        let off = spending_violations(&before, &year(dec!(100), dec!(80.01), dec!(5)), dec!(100), &lines);
        assert_eq!(
            off,
            ["resterend partnerbudget na opslaan is € 19,99, maar budget € 100,00 − uren € 80,00 is € 20,00"]
        );
        let budget = spending_violations(&before, &year(dec!(100), dec!(80), dec!(5)), dec!(99.99), &lines);
        assert!(budget[0].contains("maar budget € 99,99"), "{budget:?}");
        let team = spending_violations(&before, &year(dec!(100), dec!(80), dec!(5.01)), dec!(100), &lines);
        assert_eq!(
            team,
            ["uren betaald door het praktijkteam na opslaan zijn € 5,01, de opgeslagen regels zeggen € 5,00"]
        );
    }

    #[test]
    fn a_save_that_raises_the_spending_stays_within_the_budget() {
        let before = year(dec!(100), dec!(50), dec!(0));
        let to = |spent: Decimal| {
            spending_violations(&before, &year(dec!(100), spent, dec!(0)), dec!(100), &[(spent, false)])
        };
        assert_eq!(to(dec!(100.00)), Vec::<String>::new());
        assert_eq!(to(dec!(100.01)), ["de uren gaan € 0,01 over het partnerbudget van € 100,00"]);
        // Lowering a year already over its budget (an ION count lowered since) is always allowed.
        let over = year(dec!(100), dec!(120), dec!(0));
        let lower = spending_violations(&over, &year(dec!(100), dec!(110), dec!(0)), dec!(100), &[(dec!(110), false)]);
        assert_eq!(lower, Vec::<String>::new());
        let higher = spending_violations(&over, &year(dec!(100), dec!(121), dec!(0)), dec!(100), &[(dec!(121), false)]);
        assert_eq!(higher.len(), 1);
    }
}
