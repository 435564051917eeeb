//! A bank statement in: a camt.053 file read ([`crate::payments::camt053`]), its transactions
//! matched to the payment lines of every exported batch ([`crate::domain::bank::match_entries`]),
//! shown before anything is stored, then stored as one change ([`Store::record_bank_statement`]).
//! The command line (`sidw import bank`) and the screen (`:bank`) both use [`plan`], [`render`]
//! and [`apply`].

use crate::domain::bank::{BankEntry, ExpectedLine, LineState, match_entries, sent_lines};
use crate::domain::calendar::format_date;
use crate::domain::dutch::count;
use crate::domain::money::format_eur;
use crate::payments::camt053::{CamtVersion, read_camt053};
use crate::store::records::BankStatementImport;
use crate::store::{BankUpdate, ChangeContext, Store, StoreError};

/// One line the statement says something of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub update: BankUpdate,
    pub payee: String,
    pub amount: rust_decimal::Decimal,
    /// Matched by end-to-end id (else by IBAN, amount and remittance text).
    pub by_id: bool,
    /// The line's state moves (false: the store knows this already, or the statement was read
    /// before: a statement's news is taken once, so a state corrected by hand stays).
    pub new: bool,
}

/// What reading a statement file would do.
#[derive(Debug, Clone)]
pub struct BankPlan {
    pub file: String,
    pub version: CamtVersion,
    /// Each statement's key, its record, and when it was read before (if it was).
    pub statements: Vec<(String, BankStatementImport, Option<BankStatementImport>)>,
    pub lines: Vec<PlanLine>,
    /// Transactions that mark no line, each with the reason (Dutch): listed, never guessed.
    pub unmatched: Vec<(BankEntry, String)>,
}

impl BankPlan {
    /// Every statement was read before and no line changes: applying writes nothing.
    pub fn changes_nothing(&self) -> bool {
        self.statements.iter().all(|(_, _, before)| before.is_some()) && self.lines.iter().all(|l| !l.new)
    }

    pub fn paid(&self) -> usize {
        self.lines.iter().filter(|l| matches!(l.update.state, LineState::Paid { .. })).count()
    }

    pub fn returned(&self) -> usize {
        self.lines.iter().filter(|l| matches!(l.update.state, LineState::Returned { .. })).count()
    }
}

/// Reads `bytes` (named `file`) and matches every booked transaction to the lines that went to
/// the bank: of every batch a pain.001 was written of, the lines of each network still in force
/// when it was written (a network reopened since keeps its lines: the bank still pays or returns
/// them). Stores nothing.
pub fn plan(store: &Store, ctx: &ChangeContext, file: &str, bytes: &[u8]) -> Result<BankPlan, StoreError> {
    // A statement is matched against every region's payments and the plan names them: only who
    // may store it (finance of every region: statements are programme-wide) may read it, also
    // as a trial run.
    if ctx.access.role < crate::domain::Role::Finance || !ctx.access.scope.is_all() {
        return Err(StoreError::Refused(
            "een bankafschrift inlezen vraagt de rol finance voor alle regio's; er is niets gelezen".into(),
        ));
    }
    let read = read_camt053(bytes).map_err(|e| StoreError::Refused(format!("{file}: {e}")))?;
    let mut keys: Vec<(u64, String, String)> = Vec::new();
    let mut expected: Vec<ExpectedLine> = Vec::new();
    let mut payees: Vec<(String, rust_decimal::Decimal)> = Vec::new();
    for batch in store.batches()? {
        let first_sent = store.batch_exports(batch.id)?.first_to_bank();
        if first_sent.is_none() {
            continue;
        }
        for (id, line) in sent_lines(&batch, first_sent) {
            expected.push(ExpectedLine {
                end_to_end_id: id.clone(),
                iban: line.iban.as_str().to_string(),
                amount: line.amount,
                remittance: crate::payments::epc_text::cut(&crate::payments::epc_text(&line.reference), 140),
            });
            payees.push((line.payee.clone(), line.amount));
            keys.push((batch.id, batch.number.clone(), id));
        }
    }
    let entries: Vec<BankEntry> = read.entries().cloned().collect();
    let matching = match_entries(&entries, &expected);
    // Which statement each entry belongs to, and whether it was read before: its news was taken
    // then (the store decides again when it records).
    let mut read_before = Vec::with_capacity(entries.len());
    let mut statement_of = Vec::with_capacity(entries.len());
    for s in &read.statements {
        let before = store.bank_statement(&s.key())?.is_some();
        read_before.extend(std::iter::repeat_n(before, s.entries.len()));
        statement_of.extend(std::iter::repeat_n(s.key(), s.entries.len()));
    }
    let mut lines = Vec::new();
    let mut fresh = Vec::new();
    for m in &matching.matched {
        let (Some((batch, number, id)), Some((payee, amount))) = (keys.get(m.line), payees.get(m.line)) else {
            continue;
        };
        let update = BankUpdate {
            statement: statement_of.get(m.entry).cloned().unwrap_or_default(),
            batch: *batch,
            batch_number: number.clone(),
            end_to_end_id: id.clone(),
            state: m.state.clone(),
        };
        lines.push(PlanLine { update, payee: payee.clone(), amount: *amount, by_id: m.by_id, new: false });
        fresh.push(!read_before.get(m.entry).copied().unwrap_or(true));
    }
    let updates: Vec<BankUpdate> =
        lines.iter().zip(&fresh).filter(|(_, fresh)| **fresh).map(|(l, _)| l.update.clone()).collect();
    let changing = store.bank_changes(&updates)?;
    for (line, fresh) in lines.iter_mut().zip(&fresh) {
        line.new = *fresh && changing.iter().any(|u| **u == line.update);
    }
    let unmatched: Vec<(BankEntry, String)> =
        matching.unmatched.iter().filter_map(|u| entries.get(u.entry).map(|e| (e.clone(), u.reason.clone()))).collect();
    let mut statements = Vec::new();
    let mut offset = 0;
    for s in &read.statements {
        let range = offset..offset + s.entries.len();
        offset = range.end;
        let matched = matching.matched.iter().filter(|m| range.contains(&m.entry)).count();
        let not_matched = matching.unmatched.iter().filter(|u| range.contains(&u.entry)).count();
        let record = BankStatementImport {
            at: ctx.at,
            by: ctx.user.clone(),
            file: file.to_string(),
            entries: u32::try_from(s.entries.len()).unwrap_or(u32::MAX),
            matched: u32::try_from(matched).unwrap_or(u32::MAX),
            unmatched: u32::try_from(not_matched).unwrap_or(u32::MAX),
        };
        let before = store.bank_statement(&s.key())?;
        statements.push((s.key(), record, before));
    }
    Ok(BankPlan { file: file.to_string(), version: read.version, statements, lines, unmatched })
}

/// Stores the plan as one change with its audit entry; returns how many lines changed (0: the
/// statement was read before, nothing is written).
pub fn apply(store: &Store, ctx: &ChangeContext, plan: &BankPlan) -> Result<usize, StoreError> {
    let statements: Vec<(String, BankStatementImport)> =
        plan.statements.iter().map(|(k, r, _)| (k.clone(), r.clone())).collect();
    let updates: Vec<BankUpdate> = plan.lines.iter().filter(|l| l.new).map(|l| l.update.clone()).collect();
    store.record_bank_statement(ctx, &plan.file, &statements, &updates)
}

/// The plan in Dutch: per statement, the lines paid and returned, and the transactions that match
/// nothing (listed, never guessed).
pub fn render(plan: &BankPlan) -> String {
    let mut out = String::new();
    for (key, record, before) in &plan.statements {
        out.push_str(&format!(
            "Afschrift {key} ({}): {}",
            plan.version.name(),
            count(record.entries as usize, "transactie", "transacties")
        ));
        if let Some(before) = before {
            out.push_str(&format!(
                "; al ingelezen op {} door {}",
                before.at.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M"),
                before.by
            ));
        }
        out.push('\n');
    }
    for l in &plan.lines {
        let how = if l.by_id { "kenmerk" } else { "IBAN, bedrag en omschrijving" };
        let known = if l.new { "" } else { " (al bekend)" };
        let what = match &l.update.state {
            LineState::Paid { date, .. } => format!("betaald op {}", format_date(*date)),
            LineState::Returned { date, reason, .. } => {
                format!("teruggeboekt op {} (reden {reason}: {})", format_date(*date), reason_text(reason))
            }
            LineState::Open => "open".to_string(),
        };
        out.push_str(&format!(
            "  {} {} {}: {what} — op {how}{known}\n",
            l.update.end_to_end_id,
            l.payee,
            format_eur(l.amount)
        ));
    }
    for (e, reason) in &plan.unmatched {
        let side = if e.credit { "bij" } else { "af" };
        out.push_str(&format!(
            "  onbekend: {} {side} {} {}{}{} — {reason}; niet verwerkt\n",
            format_date(e.booking_date),
            format_eur(e.amount),
            e.iban.as_deref().unwrap_or("zonder IBAN"),
            e.end_to_end_id.as_deref().map(|id| format!(" kenmerk {id}")).unwrap_or_default(),
            if e.remittance.is_empty() { String::new() } else { format!(" '{}'", e.remittance) },
        ));
    }
    out.push_str(&format!(
        "{}, {}, {} onbekend.\n",
        count(plan.paid(), "betaling betaald", "betalingen betaald"),
        count(plan.returned(), "teruggeboekt", "teruggeboekt"),
        plan.unmatched.len()
    ));
    out
}

/// The Dutch meaning of the SEPA return reasons a Dutch bank uses most.
pub fn reason_text(code: &str) -> &'static str {
    match code {
        "AC01" => "rekeningnummer onjuist",
        "AC04" => "rekening opgeheven",
        "AC06" => "rekening geblokkeerd",
        "AG01" => "transactie niet toegestaan op deze rekening",
        "AM05" => "dubbele betaling",
        "BE04" => "adres van begunstigde ontbreekt",
        "MD07" => "rekeninghouder overleden",
        "MS02" | "MS03" => "reden niet opgegeven",
        "RC01" => "BIC onjuist",
        "RR01" | "RR02" | "RR03" | "RR04" => "wettelijke reden",
        _ => "zie de bank",
    }
}

/// Applies the plan unless `dry_run`, and says in Dutch what happened.
pub fn outcome(store: &Store, ctx: &ChangeContext, plan: &BankPlan, dry_run: bool) -> Result<String, StoreError> {
    if plan.changes_nothing() {
        return Ok("Dit afschrift is al ingelezen; er is niets veranderd.".to_string());
    }
    if dry_run {
        return Ok("Proef: er is niets veranderd.".to_string());
    }
    let changed = apply(store, ctx, plan)?;
    Ok(format!("Ingelezen: {} bijgewerkt.", count(changed, "betaling", "betalingen")))
}
