//! Hours lines: stored with the budget rules checked inside the saving transaction, against the
//! lines as stored at that moment, so two users saving at once can never overspend unseen.

use rust_decimal::Decimal;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use crate::domain::budget::{PartnerBudget, Spending, admit_line, admit_removal, partner_budget_year};
use crate::domain::hours::{NihilMark, check_agreement_for_hours, check_corrections};
use crate::domain::validate::{check_correction_hours, check_hours, parse_optional_text};
use crate::domain::verify::spending_violations;
use crate::domain::{
    Agreement, HoursEntry, HoursEntryId, Network, NetworkId, Partner, PartnerId, PracticeTeam, TariffBook,
    TariffCategory, TariffTable, YearMonth,
};

use super::keys::{TreeName, in_network, network_year, nihil_key, year_key};
use super::money_check::enforce;
use super::network_repo::require_network;
use super::records::HoursIndex;
use super::tx::{Tx, TxResult, abort};
use super::{ChangeContext, Store, StoreError};

/// An hours line to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHours {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub hours: Decimal,
    pub activity: String,
    pub paid_by_practice_team: bool,
    pub double_funding_confirmed: bool,
    /// For a correction line: the line of a closed quarter it corrects.
    pub corrects: Option<HoursEntryId>,
}

impl NewHours {
    /// The line as it is stored under `id`.
    fn entry(&self, id: HoursEntryId) -> HoursEntry {
        HoursEntry {
            id,
            network: self.network,
            partner: self.partner,
            month: self.month,
            hours: self.hours,
            activity: self.activity.clone(),
            paid_by_practice_team: self.paid_by_practice_team,
            double_funding_confirmed: self.double_funding_confirmed,
            corrects: self.corrects,
        }
    }

    /// The line with its own fields checked as the store stores them: the hours (more than 0, or
    /// for a correction not 0) and the activity text (at most 200 characters, no control
    /// characters). The import's trial run and the real import check every line with this.
    pub fn checked(&self) -> Result<NewHours, StoreError> {
        Ok(NewHours {
            hours: self.checked_hours()?,
            activity: parse_optional_text("activiteit", &self.activity, 200)?,
            ..self.clone()
        })
    }

    /// The hours checked: more than 0, or for a correction line not 0 (it may subtract).
    fn checked_hours(&self) -> Result<Decimal, StoreError> {
        Ok(match self.corrects {
            None => check_hours(self.hours)?,
            Some(_) => check_correction_hours(self.hours)?,
        })
    }
}

impl Store {
    /// Whether any hours line exists for the network (in any year).
    pub fn network_has_hours(&self, network: NetworkId) -> Result<bool, StoreError> {
        Ok(self.tree(TreeName::HoursIndex).scan_prefix(network.to_key()).next().transpose()?.is_some())
    }

    /// Whether any hours line exists in the year (in any network).
    pub fn year_has_hours(&self, year: i32) -> Result<bool, StoreError> {
        for item in self.tree(TreeName::HoursIndex).iter() {
            let (key, _) = item?;
            if super::keys::year_from_key(&key[8..]) == Some(year) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the partner has any hours line (in any year).
    pub fn partner_has_hours(&self, network: NetworkId, partner: PartnerId) -> Result<bool, StoreError> {
        for index in self.scan::<HoursIndex>(TreeName::HoursIndex, &network.to_key())? {
            for id in index.entries {
                if self.hours_entry(id)?.partner == partner {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The hours lines of a network in a year, read through the index, in the order entered.
    pub fn hours_of(&self, network: NetworkId, year: i32) -> Result<Vec<HoursEntry>, StoreError> {
        // The index and its lines from one snapshot (and the lines' table opened once).
        let snapshot = self.snapshot()?;
        let key = network_year(network, year);
        let index: HoursIndex = match snapshot.tree(TreeName::HoursIndex).get(key)? {
            Some(bytes) => super::decode_at(TreeName::HoursIndex, &key, &bytes)?,
            None => HoursIndex::default(),
        };
        let lines = snapshot.tree(TreeName::Hours);
        index
            .entries
            .iter()
            .map(|id| {
                let key = id.to_key();
                let bytes = lines.get(key)?.ok_or_else(|| StoreError::NotFound(format!("urenregel {id}")))?;
                super::decode_at(TreeName::Hours, &key, &bytes)
            })
            .collect()
    }

    pub fn hours_entry(&self, id: HoursEntryId) -> Result<HoursEntry, StoreError> {
        self.get(TreeName::Hours, &id.to_key())?.ok_or_else(|| StoreError::NotFound(format!("urenregel {id}")))
    }

    /// The partner budget of a network and year against its stored lines.
    pub fn partner_budget(&self, network: NetworkId, year: i32) -> Result<PartnerBudget, StoreError> {
        let network = self.network(network)?;
        let team = self.practice_team(network.id)?;
        let tariffs = self.tariff_book()?;
        let budget = partner_budget_year(&network, &team, &tariffs, year)?;
        let partners: HashMap<PartnerId, TariffCategory> =
            self.partners(network.id)?.into_iter().map(|p| (p.id, p.category)).collect();
        let lines = self.hours_of(network.id, year)?;
        let categorised = lines
            .iter()
            .map(|line| match partners.get(&line.partner) {
                Some(category) => Ok((line, *category)),
                None => Err(StoreError::NotFound(format!("partner {} van urenregel {}", line.partner, line.id))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PartnerBudget { budget, spending: Spending::of_lines(categorised, &tariffs)? })
    }

    /// Adds an hours line after the rules of [`admit_line`], and returns it as stored.
    pub fn add_hours(&self, ctx: &ChangeContext, new: &NewHours) -> Result<HoursEntry, StoreError> {
        let hours = new.checked_hours()?;
        let activity = parse_optional_text("activiteit", &new.activity, 200)?;
        let agreements = self.agreements(new.network)?;
        self.write(ctx, |tx| {
            let network = require_network(tx, new.network)?;
            let partner = require_partner(tx, new.network, new.partner)?;
            ensure_open(tx, &network, new.month.quarter())?;
            let rule_month = check_correction(tx, new)?.map_or(new.month, |original| original.month);
            check_agreement(tx, &agreements, &partner, rule_month)?;
            drop_nihil(tx, new.network, new.partner, new.month)?;
            let mut year = YearInTx::read(tx, &network, new.month.year())?;
            let line = HoursEntry { hours, activity: activity.clone(), ..new.entry(HoursEntryId(tx.new_id()?)) };
            let worth = line.worth(&year.tariffs, partner.category).map_err(abort)?;
            admit_line(&network, &partner, &year.budget, Decimal::ZERO, &line, worth).map_err(abort)?;
            tx.put(TreeName::Hours, &line.id.to_key(), &line)?;
            year.with_entry(tx, line.id)?;
            year.count(&line, partner.category, true)?;
            year.check_after(tx, &network)?;
            check_correction_chains(tx, network.id, &[&line])?;
            tx.audit::<(), _>("uren toegevoegd", &subject(&network, &partner, &line), None, Some(&line))?;
            Ok(line)
        })
    }

    /// Adds many hours lines as one change, all or nothing: every line passes the rules of
    /// [`admit_line`] against the budget as it stands with the lines before it, or nothing is
    /// stored. One audit entry lists the lines.
    pub fn import_hours(&self, ctx: &ChangeContext, lines: &[NewHours]) -> Result<Vec<HoursEntry>, StoreError> {
        self.import_hours_and_nihil(ctx, lines, &[])
    }

    /// [`Store::import_hours`] with the nihil months of the same form, in the same transaction: a
    /// mark is refused when its month has stored lines, and left out when the import itself adds
    /// a line to its month.
    pub fn import_hours_and_nihil(
        &self,
        ctx: &ChangeContext,
        lines: &[NewHours],
        nihil: &[NihilMark],
    ) -> Result<Vec<HoursEntry>, StoreError> {
        self.import_in_one(ctx, lines, nihil, true)
    }

    /// The import's trial run: exactly the transaction of [`Store::import_hours_and_nihil`], every
    /// rule in it, ended before it commits. `Err(StoreError::AtLine { .. })` says which line (or
    /// nihil mark, counted after the lines) would be refused, and why.
    pub fn try_import_hours_and_nihil(
        &self,
        ctx: &ChangeContext,
        lines: &[NewHours],
        nihil: &[NihilMark],
    ) -> Result<(), StoreError> {
        match self.import_in_one(ctx, lines, nihil, false) {
            Err(StoreError::DryRun) => Ok(()),
            Ok(_) => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn import_in_one(
        &self,
        ctx: &ChangeContext,
        lines: &[NewHours],
        nihil: &[NihilMark],
        commit: bool,
    ) -> Result<Vec<HoursEntry>, StoreError> {
        if lines.is_empty() && nihil.is_empty() {
            return Ok(Vec::new()); // nothing to store, and nothing for the audit log
        }
        let at = |index: usize| move |error: StoreError| StoreError::AtLine { index, error: Box::new(error) };
        let mut clean = Vec::with_capacity(lines.len());
        for (index, new) in lines.iter().enumerate() {
            clean.push(new.checked().map_err(at(index))?);
        }
        let mut agreements: HashMap<NetworkId, Vec<Agreement>> = HashMap::new();
        for network in clean.iter().map(|l| l.network).chain(nihil.iter().map(|m| m.network)) {
            if let Entry::Vacant(slot) = agreements.entry(network) {
                slot.insert(self.agreements(network)?);
            }
        }
        let imported: HashSet<(NetworkId, PartnerId, YearMonth)> =
            clean.iter().map(|l| (l.network, l.partner, l.month)).collect();
        self.write(ctx, |tx| {
            let mut networks: HashMap<NetworkId, Network> = HashMap::new();
            let mut partners: HashMap<(NetworkId, PartnerId), Partner> = HashMap::new();
            let mut years: HashMap<(NetworkId, i32), YearInTx> = HashMap::new();
            let mut saved = Vec::with_capacity(clean.len());
            for (index, new) in clean.iter().enumerate() {
                let line = (|| {
                    let network: &Network = match networks.entry(new.network) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => slot.insert(require_network(tx, new.network)?),
                    };
                    let partner: &Partner = match partners.entry((new.network, new.partner)) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => slot.insert(require_partner(tx, new.network, new.partner)?),
                    };
                    ensure_open(tx, network, new.month.quarter())?;
                    let rule_month = check_correction(tx, new)?.map_or(new.month, |original| original.month);
                    check_agreement(tx, &agreements[&new.network], partner, rule_month)?;
                    drop_nihil(tx, new.network, new.partner, new.month)?;
                    let year = match years.entry((new.network, new.month.year())) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => slot.insert(YearInTx::read(tx, network, new.month.year())?),
                    };
                    let line = new.entry(HoursEntryId(tx.new_id()?));
                    let worth = line.worth(&year.tariffs, partner.category).map_err(abort)?;
                    admit_line(network, partner, &year.budget, Decimal::ZERO, &line, worth).map_err(abort)?;
                    year.budget.spending.add(worth, line.paid_by_practice_team);
                    year.index.entries.push(line.id);
                    tx.put(TreeName::Hours, &line.id.to_key(), &line)?;
                    Ok(line)
                })()
                .map_err(|e| at_line(index, e))?;
                saved.push(line);
            }
            for year in years.values() {
                tx.put(TreeName::HoursIndex, &year.key, &year.index)?;
            }
            for ((network, _), year) in &years {
                year.check_after(tx, &networks[network])?;
            }
            // The corrections among the lines, each against its corrected line with every
            // correction stored now (the import's own included); a refusal names the line.
            for (index, line) in saved.iter().enumerate().filter(|(_, l)| l.corrects.is_some()) {
                check_correction_chains(tx, line.network, &[line]).map_err(|e| at_line(index, e))?;
            }
            // The months that have stored lines, per network and year, read once.
            let mut with_lines: HashMap<(NetworkId, i32), HashSet<(PartnerId, YearMonth)>> = HashMap::new();
            let mut marked = Vec::new();
            for (offset, mark) in nihil.iter().enumerate() {
                if imported.contains(&(mark.network, mark.partner, mark.month)) {
                    continue; // the real line wins
                }
                (|| {
                    let network = require_network(tx, mark.network)?;
                    let partner = require_partner(tx, mark.network, mark.partner)?;
                    ensure_open(tx, &network, mark.month.quarter())?;
                    if network.former_gez_owz {
                        return Err(abort(crate::domain::DomainError::FormerGezOwzHasNoHours));
                    }
                    check_agreement(tx, &agreements[&mark.network], &partner, mark.month)?;
                    let cells = match with_lines.entry((mark.network, mark.month.year())) {
                        Entry::Occupied(known) => known.into_mut(),
                        Entry::Vacant(slot) => {
                            let key = network_year(mark.network, mark.month.year());
                            let index: HoursIndex = tx.get(TreeName::HoursIndex, &key)?.unwrap_or_default();
                            let mut cells = HashSet::new();
                            for id in &index.entries {
                                let line: HoursEntry =
                                    tx.require(TreeName::Hours, &id.to_key(), || format!("urenregel {id}"))?;
                                cells.insert((line.partner, line.month));
                            }
                            slot.insert(cells)
                        }
                    };
                    if cells.contains(&(mark.partner, mark.month)) {
                        return Err(abort(StoreError::Refused(format!(
                            "{} heeft in {} al uren: een nihil-markering kan daar niet bij",
                            partner.name,
                            mark.month.dutch_name()
                        ))));
                    }
                    tx.put(TreeName::Nihil, &nihil_key(mark.network, mark.month, mark.partner), mark)
                })()
                .map_err(|e| at_line(clean.len() + offset, e))?;
                marked.push(*mark);
            }
            if !commit {
                return Err(abort(StoreError::DryRun));
            }
            let subject = format!("{} urenregels en {} nihil-maanden", saved.len(), marked.len());
            tx.audit::<(), _>("uren geïmporteerd", &subject, None, Some(&(&saved, &marked)))?;
            Ok(saved.clone())
        })
    }

    /// Changes an hours line (hours, month, activity, marks). Network and partner stay.
    pub fn update_hours(&self, ctx: &ChangeContext, entry: &HoursEntry) -> Result<(), StoreError> {
        let entry = &HoursEntry {
            hours: if entry.corrects.is_some() {
                check_correction_hours(entry.hours)?
            } else {
                check_hours(entry.hours)?
            },
            activity: parse_optional_text("activiteit", &entry.activity, 200)?,
            ..entry.clone()
        };
        let agreements = self.agreements(entry.network)?;
        self.write(ctx, |tx| {
            let before: HoursEntry =
                tx.require(TreeName::Hours, &entry.id.to_key(), || format!("urenregel {}", entry.id))?;
            if before.network != entry.network || before.partner != entry.partner || before.corrects != entry.corrects {
                return Err(abort(StoreError::Refused(
                    "een urenregel verhuist niet naar een ander netwerk of een andere partner; verwijder en voeg toe"
                        .into(),
                )));
            }
            let network = require_network(tx, entry.network)?;
            let partner = require_partner(tx, entry.network, entry.partner)?;
            ensure_open(tx, &network, before.month.quarter())?;
            ensure_open(tx, &network, entry.month.quarter())?;
            if entry.month != before.month || entry.hours > before.hours {
                let rule_month = match entry.corrects {
                    None => entry.month,
                    // The corrected line may be gone since (its quarter reopened and the line
                    // removed): the correction then answers to its own month.
                    Some(corrected) => tx
                        .get::<HoursEntry>(TreeName::Hours, &corrected.to_key())?
                        .map_or(entry.month, |original| original.month),
                };
                check_agreement(tx, &agreements, &partner, rule_month)?;
            }
            drop_nihil(tx, entry.network, entry.partner, entry.month)?;
            let mut old_year = YearInTx::read(tx, &network, before.year())?;
            let mut new_year =
                if before.year() == entry.year() { None } else { Some(YearInTx::read(tx, &network, entry.year())?) };
            let target = new_year.as_ref().unwrap_or(&old_year);
            let worth = entry.worth(&target.tariffs, partner.category).map_err(abort)?;
            let counted_before = new_year.is_none() && !before.paid_by_practice_team;
            let old_worth = if counted_before {
                before.worth(&old_year.tariffs, partner.category).map_err(abort)?
            } else {
                Decimal::ZERO
            };
            admit_line(&network, &partner, &target.budget, old_worth, entry, worth).map_err(abort)?;
            tx.put(TreeName::Hours, &entry.id.to_key(), entry)?;
            if let Some(new_year) = &new_year {
                old_year.without_entry(tx, entry.id)?;
                new_year.with_entry(tx, entry.id)?;
            }
            old_year.count(&before, partner.category, false)?;
            new_year.as_mut().unwrap_or(&mut old_year).count(entry, partner.category, true)?;
            old_year.check_after(tx, &network)?;
            if let Some(new_year) = &new_year {
                new_year.check_after(tx, &network)?;
            }
            check_correction_chains(tx, network.id, &[&before, entry])?;
            tx.audit("uren gewijzigd", &subject(&network, &partner, entry), Some(&before), Some(entry))
        })
    }

    pub fn delete_hours(&self, ctx: &ChangeContext, id: HoursEntryId) -> Result<(), StoreError> {
        self.write(ctx, |tx| {
            let before: HoursEntry = tx.require(TreeName::Hours, &id.to_key(), || format!("urenregel {id}"))?;
            let network = require_network(tx, before.network)?;
            let partner = require_partner(tx, before.network, before.partner)?;
            ensure_open(tx, &network, before.month.quarter())?;
            let mut year = YearInTx::read(tx, &network, before.year())?;
            let worth = before.worth(&year.tariffs, partner.category).map_err(abort)?;
            admit_removal(&year.budget, &before, worth).map_err(abort)?;
            tx.remove(TreeName::Hours, &id.to_key())?;
            year.without_entry(tx, id)?;
            year.count(&before, partner.category, false)?;
            year.check_after(tx, &network)?;
            check_correction_chains(tx, network.id, &[&before])?;
            tx.audit::<_, ()>("uren verwijderd", &subject(&network, &partner, &before), Some(&before), None)
        })
    }
}

/// The rule of [`check_agreement_for_hours`] inside a saving transaction: the partner's agreements
/// read before it (`known`, the network's list) are read again in it, so a change since counts.
pub(super) fn check_agreement(tx: &Tx, known: &[Agreement], partner: &Partner, month: YearMonth) -> TxResult<()> {
    let mut agreements = Vec::new();
    for a in known.iter().filter(|a| a.partner == Some(partner.id)) {
        if let Some(now) = tx.get::<Agreement>(TreeName::Agreements, &in_network(a.network, a.id.0))? {
            agreements.push(now);
        }
    }
    check_agreement_for_hours(&agreements, partner, month).map_err(abort)
}

/// Removes the nihil mark of a partner's month, if there is one (a real line came in).
pub(super) fn drop_nihil(tx: &Tx, network: NetworkId, partner: PartnerId, month: YearMonth) -> TxResult<()> {
    tx.remove(TreeName::Nihil, &nihil_key(network, month, partner))
}

/// An error of one line of a change of many, with the line's place.
fn at_line(index: usize, error: StoreError) -> StoreError {
    abort(StoreError::AtLine { index, error: Box::new(error) })
}

fn subject(network: &Network, partner: &Partner, line: &HoursEntry) -> String {
    format!("{} / {} / {}", network.name, partner.name, line.month)
}

/// Refuses any change to the hours of a closed quarter.
pub(super) fn ensure_open(tx: &Tx, network: &Network, quarter: crate::domain::Quarter) -> TxResult<()> {
    if tx.get_raw(TreeName::Closes, &super::keys::network_quarter(network.id, quarter))?.is_some() {
        return Err(abort(StoreError::QuarterClosed { network: network.name.clone(), quarter }));
    }
    Ok(())
}

/// A correction names a line of the same network and partner in a quarter that is closed (an
/// open quarter's line is simply changed).
fn check_correction(tx: &Tx, new: &NewHours) -> TxResult<Option<HoursEntry>> {
    let Some(corrected) = new.corrects else { return Ok(None) };
    let original: HoursEntry =
        tx.require(TreeName::Hours, &corrected.to_key(), || format!("gecorrigeerde urenregel {corrected}"))?;
    if original.network != new.network || original.partner != new.partner {
        return Err(abort(StoreError::Refused("een correctie hoort bij dezelfde partner en hetzelfde netwerk".into())));
    }
    if tx.get_raw(TreeName::Closes, &super::keys::network_quarter(new.network, original.month.quarter()))?.is_none() {
        return Err(abort(StoreError::Refused(format!(
            "{} is niet afgesloten: wijzig de regel zelf in plaats van een correctie",
            original.month.quarter()
        ))));
    }
    Ok(Some(original))
}

/// The rule of [`check_corrections`] inside a saving transaction, after the change is written:
/// for each line of `touched` (a new correction, or an existing line as it was and as it is now),
/// the line it corrects (or the line itself) with every correction that names it as stored now.
/// A corrected line removed while corrections name it is refused; a correction whose corrected
/// line was gone before this change is not checked.
pub(super) fn check_correction_chains(tx: &Tx, network: NetworkId, touched: &[&HoursEntry]) -> TxResult<()> {
    let mut originals: Vec<(HoursEntryId, Option<HoursEntry>, i32)> = Vec::new();
    for line in touched {
        let id = line.corrects.unwrap_or(line.id);
        if originals.iter().any(|(known, _, _)| *known == id) {
            continue;
        }
        match tx.get::<HoursEntry>(TreeName::Hours, &id.to_key())? {
            Some(original) => {
                let year = original.year();
                originals.push((id, Some(original), year));
            }
            // Removed by this change: no correction may be left naming it.
            None if line.corrects.is_none() => originals.push((id, None, line.year())),
            None => {}
        }
    }
    // Only a line of a quarter that was ever closed can have been corrected (a correction names
    // a line of a closed quarter): a save in a quarter never closed — the keystroke path — reads
    // no other line for this rule.
    let mut could_be_corrected = Vec::with_capacity(originals.len());
    for (id, original, year) in originals {
        let by_a_correction = touched.iter().any(|l| l.corrects == Some(id));
        let quarter = original
            .as_ref()
            .map(|o| o.month.quarter())
            .or_else(|| touched.iter().find(|l| l.id == id).map(|l| l.month.quarter()));
        let ever_closed = match quarter {
            Some(quarter) => {
                tx.get_raw(TreeName::BatchIndex, &super::keys::network_quarter(network, quarter))?.is_some()
            }
            None => true,
        };
        if by_a_correction || ever_closed {
            could_be_corrected.push((id, original, year));
        }
    }
    let originals = could_be_corrected;
    let Some(from) = originals.iter().map(|(_, _, year)| *year).min() else { return Ok(()) };
    let last = tx
        .last_key_in(TreeName::HoursIndex, &network_year(network, from), &network_year(network, i32::from(u16::MAX)))?
        .and_then(|key| super::keys::year_from_key(key.get(8..)?))
        .unwrap_or(from);
    let mut corrections: HashMap<HoursEntryId, Vec<HoursEntry>> = HashMap::new();
    for year in from..=last {
        let index: HoursIndex = tx.get(TreeName::HoursIndex, &network_year(network, year))?.unwrap_or_default();
        for id in &index.entries {
            let line: HoursEntry =
                tx.require(TreeName::Hours, &id.to_key(), || format!("urenregel {id} uit de index"))?;
            if let Some(corrected) = line.corrects
                && originals.iter().any(|(known, _, _)| *known == corrected)
            {
                corrections.entry(corrected).or_default().push(line);
            }
        }
    }
    for (id, original, _) in &originals {
        let named: Vec<&HoursEntry> = corrections.get(id).map(|c| c.iter().collect()).unwrap_or_default();
        match original {
            Some(original) => check_corrections(original, &named).map_err(abort)?,
            None if !named.is_empty() => {
                let months: Vec<String> = named.iter().map(|c| c.month.dutch_name()).collect();
                return Err(abort(StoreError::Refused(format!(
                    "urenregel {id} heeft correcties ({}): een gecorrigeerde regel blijft staan; wijzig zijn uren",
                    months.join(", ")
                ))));
            }
            None => {}
        }
    }
    Ok(())
}

pub(super) fn require_partner(tx: &Tx, network: NetworkId, partner: PartnerId) -> TxResult<Partner> {
    tx.require(TreeName::Partners, &in_network(network, partner.0), || format!("partner {partner} in dit netwerk"))
}

/// A network's year as read inside a transaction: its tariffs, its index, and its budget
/// recomputed from the lines stored right now.
pub(super) struct YearInTx {
    pub(super) key: [u8; 10],
    pub(super) index: HoursIndex,
    pub(super) tariffs: TariffBook,
    /// The budget as the save carries it along: each line it adds, changes or removes is counted
    /// in or out ([`YearInTx::count`]), and checked against the stored lines at the end.
    pub(super) budget: PartnerBudget,
    year: i32,
    /// The budget as the save found it.
    found: PartnerBudget,
}

/// Each stored line of `ids` (read through the index) with its partner's tariff category, each
/// partner read once.
fn each_line(
    tx: &Tx,
    network: &Network,
    ids: &[HoursEntryId],
    mut each: impl FnMut(HoursEntry, TariffCategory) -> TxResult<()>,
) -> TxResult<()> {
    let mut categories: HashMap<PartnerId, TariffCategory> = HashMap::new();
    for id in ids {
        let line: HoursEntry = tx.require(TreeName::Hours, &id.to_key(), || format!("urenregel {id} uit de index"))?;
        let category = match categories.get(&line.partner) {
            Some(category) => *category,
            None => *categories.entry(line.partner).or_insert(require_partner(tx, network.id, line.partner)?.category),
        };
        each(line, category)?;
    }
    Ok(())
}

impl YearInTx {
    pub(super) fn read(tx: &Tx, network: &Network, year: i32) -> TxResult<Self> {
        let table: TariffTable = tx.require(TreeName::Tariffs, &year_key(year), || format!("tarieventabel {year}"))?;
        let tariffs = TariffBook::new([table]);
        let team: PracticeTeam =
            tx.get(TreeName::PracticeTeams, &network.id.to_key())?.unwrap_or_else(|| PracticeTeam::empty(network.id));
        let budget = partner_budget_year(network, &team, &tariffs, year).map_err(abort)?;
        let key = network_year(network.id, year);
        let index: HoursIndex = tx.get(TreeName::HoursIndex, &key)?.unwrap_or_default();
        let mut spending = Spending::default();
        each_line(tx, network, &index.entries, |line, category| {
            spending.add(line.worth(&tariffs, category).map_err(abort)?, line.paid_by_practice_team);
            Ok(())
        })?;
        let found = PartnerBudget { budget, spending };
        Ok(Self { key, index, tariffs, budget: found, year, found })
    }

    /// Counts a line of `category` in (`added`) or out of the budget this save carries along.
    pub(super) fn count(&mut self, line: &HoursEntry, category: TariffCategory, added: bool) -> TxResult<()> {
        let worth = line.worth(&self.tariffs, category).map_err(abort)?;
        if added {
            self.budget.spending.add(worth, line.paid_by_practice_team);
        } else {
            self.budget.spending.remove(worth, line.paid_by_practice_team);
        }
        Ok(())
    }

    /// The money check after hours were saved ([`spending_violations`]): the remaining budget this
    /// save carried along is the budget less the worth of the lines now stored (read again through
    /// the index, each once and of this network's year), and a raise stayed within the budget.
    pub(super) fn check_after(&self, tx: &Tx, network: &Network) -> TxResult<()> {
        let index: HoursIndex = tx.get(TreeName::HoursIndex, &self.key)?.unwrap_or_default();
        let mut wrong = Vec::new();
        let mut seen = HashSet::new();
        let mut ids = Vec::with_capacity(index.entries.len());
        for id in &index.entries {
            if seen.insert(*id) {
                ids.push(*id);
            } else {
                wrong.push(format!("urenregel {id} staat twee keer in de index van {} {}", network.name, self.year));
            }
        }
        let mut lines = Vec::with_capacity(ids.len());
        each_line(tx, network, &ids, |line, category| {
            if line.network != network.id || line.year() != self.year {
                wrong.push(format!(
                    "urenregel {} staat in de index van {} {}, maar hoort daar niet",
                    line.id, network.name, self.year
                ));
            } else {
                lines.push((line.worth(&self.tariffs, category).map_err(abort)?, line.paid_by_practice_team));
            }
            Ok(())
        })?;
        // The budget itself does not change in an hours save: the one the save found is the one.
        wrong.extend(spending_violations(&self.found, &self.budget, self.found.budget, &lines));
        enforce(&format!("partnerbudget {} {}", network.name, self.year), wrong).map_err(abort)
    }

    fn with_entry(&self, tx: &Tx, id: HoursEntryId) -> TxResult<()> {
        let mut index = self.index.clone();
        index.entries.push(id);
        tx.put(TreeName::HoursIndex, &self.key, &index)
    }

    fn without_entry(&self, tx: &Tx, id: HoursEntryId) -> TxResult<()> {
        let mut index = self.index.clone();
        index.entries.retain(|e| *e != id);
        if index.entries.is_empty() {
            tx.remove(TreeName::HoursIndex, &self.key)
        } else {
            tx.put(TreeName::HoursIndex, &self.key, &index)
        }
    }
}

/// A stored line added again (undo of a delete): everything but its id.
impl From<&HoursEntry> for NewHours {
    fn from(line: &HoursEntry) -> Self {
        NewHours {
            network: line.network,
            partner: line.partner,
            month: line.month,
            hours: line.hours,
            activity: line.activity.clone(),
            paid_by_practice_team: line.paid_by_practice_team,
            double_funding_confirmed: line.double_funding_confirmed,
            corrects: line.corrects,
        }
    }
}
