//! One cell of the hours grid (a partner's month) as one unit: set it the way the screen cell and
//! `sidw hours set` do, mark it nihil ("formulier ontvangen, geen uren"), and put it back (undo)
//! only while it is still as this session left it.

use rust_decimal::Decimal;

use crate::domain::budget::admit_line;
use crate::domain::hours::NihilMark;
use crate::domain::validate::check_hours;
use crate::domain::{
    Agreement, DomainError, HoursEntry, HoursEntryId, Network, NetworkId, Partner, PartnerId, Quarter, YearMonth,
};

use super::hours_repo::{YearInTx, check_agreement, check_correction_chains, ensure_open, require_partner};
use super::keys::{TreeName, network_year, nihil_key};
use super::network_repo::require_network;
use super::records::HoursIndex;
use super::tx::{Tx, TxResult, abort};
use super::{ChangeContext, Store, StoreError};

/// What is typed into a cell: `None` clears it, `0` marks it nihil, more sets the month's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub hours: Option<Decimal>,
    /// When raising the cell goes over the budget: store the increase as its own line paid by the
    /// practice team (the earlier hours stay on the € 1,15).
    pub by_team_increase: bool,
    pub double_funding_confirmed: bool,
}

/// A cell as stored: its lines and whether it is marked nihil.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellState {
    pub network: NetworkId,
    pub partner: PartnerId,
    pub month: YearMonth,
    pub lines: Vec<HoursEntry>,
    pub nihil: bool,
}

/// A cell before and after a change (for undo and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellOutcome {
    pub before: CellState,
    pub after: CellState,
}

impl Store {
    /// The nihil marks of a network's quarter, by month and partner.
    /// Every nihil mark of a network (all years): one prefix scan.
    pub fn nihil_marks_of(&self, network: NetworkId) -> Result<Vec<NihilMark>, StoreError> {
        self.scan(TreeName::Nihil, &network.to_key())
    }

    pub fn nihil_marks(&self, network: NetworkId, quarter: Quarter) -> Result<Vec<NihilMark>, StoreError> {
        let [first, _, last] = quarter.months();
        let from = nihil_key(network, first, PartnerId(0));
        let to = nihil_key(network, last, PartnerId(u64::MAX));
        self.tree(TreeName::Nihil)
            .range(from..=to)
            .map(|item| {
                let (key, bytes) = item?;
                super::decode_at(TreeName::Nihil, &key, &bytes)
            })
            .collect()
    }

    /// The cell's lines and nihil mark as stored now.
    pub fn cell(&self, network: NetworkId, partner: PartnerId, month: YearMonth) -> Result<CellState, StoreError> {
        let lines = self.hours_of(network, month.year())?;
        Ok(CellState {
            network,
            partner,
            month,
            lines: lines.into_iter().filter(|l| l.partner == partner && l.month == month).collect(),
            nihil: self.tree(TreeName::Nihil).contains_key(nihil_key(network, month, partner))?,
        })
    }

    /// Marks a partner's month nihil. Refused when the month has lines, the quarter is closed, the
    /// network is former GEZ/OWZ, or the partner has no signed agreement that month.
    pub fn mark_nihil(
        &self,
        ctx: &ChangeContext,
        network: NetworkId,
        partner: PartnerId,
        month: YearMonth,
    ) -> Result<CellOutcome, StoreError> {
        let agreements = self.agreements(network)?;
        self.write(ctx, |tx| {
            let (network, partner, before) = self.open_cell(tx, network, partner, month)?;
            if !before.lines.is_empty() {
                return Err(abort(StoreError::Refused(format!(
                    "{} heeft in {} al uren: een nihil-markering kan daar niet bij",
                    partner.name,
                    month.dutch_name()
                ))));
            }
            if before.nihil {
                return Err(abort(StoreError::Refused(format!(
                    "{} in {} is al nihil",
                    partner.name,
                    month.dutch_name()
                ))));
            }
            self.put_nihil(tx, &agreements, &network, &partner, month)?;
            self.finish(tx, &network, &partner, before, "nihil gemarkeerd")
        })
    }

    /// Removes a partner's month's nihil mark.
    pub fn unmark_nihil(
        &self,
        ctx: &ChangeContext,
        network: NetworkId,
        partner: PartnerId,
        month: YearMonth,
    ) -> Result<CellOutcome, StoreError> {
        self.write(ctx, |tx| {
            let (network, partner, before) = self.open_cell(tx, network, partner, month)?;
            if !before.nihil {
                return Err(abort(StoreError::Refused(format!(
                    "{} in {} is niet als nihil gemarkeerd",
                    partner.name,
                    month.dutch_name()
                ))));
            }
            tx.remove(TreeName::Nihil, &nihil_key(network.id, month, partner.id))?;
            self.finish(tx, &network, &partner, before, "nihil verwijderd")
        })
    }

    /// A cell typed as on the screen: empty clears it (its single line and any nihil mark), `0`
    /// marks it nihil (removing its single line), more sets its single line or adds one. Raising a
    /// line over the budget with `by_team_increase` keeps the line and adds the increase as its own
    /// line paid by the practice team; a line already paid by the practice team stays so. A cell
    /// with several lines is changed per line. All in one transaction.
    pub fn set_cell(&self, ctx: &ChangeContext, change: &CellChange) -> Result<CellOutcome, StoreError> {
        let hours = match change.hours {
            Some(hours) if hours.is_zero() => Some(Decimal::ZERO),
            Some(hours) => Some(check_hours(hours)?),
            None => None,
        };
        let month = change.month;
        let agreements = self.agreements(change.network)?;
        self.write(ctx, |tx| {
            let (network, partner, before) = self.open_cell(tx, change.network, change.partner, month)?;
            let existing = match before.lines.as_slice() {
                [] => None,
                [line] => Some(line.clone()),
                lines => {
                    return Err(abort(StoreError::Refused(format!(
                        "deze cel heeft {} regels (verschillende activiteiten): wijzig ze per regel",
                        lines.len()
                    ))));
                }
            };
            let mut year = YearInTx::read(tx, &network, month.year())?;
            let key = nihil_key(network.id, month, partner.id);
            let action = match hours {
                None => {
                    if let Some(line) = &existing {
                        remove_line(tx, &mut year, line, &partner)?;
                    }
                    tx.remove(TreeName::Nihil, &key)?;
                    "urencel leeggemaakt"
                }
                Some(hours) if hours.is_zero() => {
                    if let Some(line) = &existing {
                        remove_line(tx, &mut year, line, &partner)?;
                    }
                    self.put_nihil(tx, &agreements, &network, &partner, month)?;
                    "nihil gemarkeerd"
                }
                Some(hours) => {
                    check_agreement(tx, &agreements, &partner, month)?;
                    tx.remove(TreeName::Nihil, &key)?;
                    match existing {
                        Some(line) => self.raise_line(tx, &network, &partner, &mut year, &line, hours, change)?,
                        None => {
                            let new = HoursEntry {
                                id: HoursEntryId(tx.new_id()?),
                                network: network.id,
                                partner: partner.id,
                                month,
                                hours,
                                activity: String::new(),
                                paid_by_practice_team: false,
                                double_funding_confirmed: change.double_funding_confirmed,
                                corrects: None,
                            };
                            let worth = new.worth(&year.tariffs, partner.category).map_err(abort)?;
                            let new = match admit_line(&network, &partner, &year.budget, Decimal::ZERO, &new, worth) {
                                Ok(()) => new,
                                Err(DomainError::OverBudget { .. }) if change.by_team_increase => {
                                    HoursEntry { paid_by_practice_team: true, ..new }
                                }
                                Err(error) => return Err(abort(error)),
                            };
                            add_line(tx, &mut year, &new, &partner)?;
                        }
                    }
                    "urencel gewijzigd"
                }
            };
            tx.put(TreeName::HoursIndex, &year.key, &year.index)?;
            if year.index.entries.is_empty() {
                tx.remove(TreeName::HoursIndex, &year.key)?;
            }
            year.check_after(tx, &network)?;
            check_correction_chains(tx, network.id, &before.lines.iter().collect::<Vec<_>>())?;
            self.finish(tx, &network, &partner, before, action)
        })
    }

    /// Puts a cell back as it was (`u`), only while it is still exactly as `expected` (as this
    /// session left it): a colleague's later change is kept, and the undo refused.
    pub fn restore_cell(
        &self,
        ctx: &ChangeContext,
        expected: &CellState,
        target: &CellState,
    ) -> Result<CellOutcome, StoreError> {
        let agreements = self.agreements(expected.network)?;
        self.write(ctx, |tx| {
            let (network, partner, current) = self.open_cell(tx, expected.network, expected.partner, expected.month)?;
            if current != *expected {
                return Err(abort(StoreError::Refused(format!(
                    "de uren van {} in {} zijn sindsdien door een ander gewijzigd; pas ze met de hand aan",
                    partner.name,
                    expected.month.dutch_name()
                ))));
            }
            let mut year = YearInTx::read(tx, &network, expected.month.year())?;
            let counted = |lines: &[HoursEntry]| -> TxResult<Decimal> {
                let mut sum = Decimal::ZERO;
                for line in lines.iter().filter(|l| !l.paid_by_practice_team) {
                    sum += line.worth(&year.tariffs, partner.category).map_err(abort)?;
                }
                Ok(sum)
            };
            let (now, then) = (counted(&current.lines)?, counted(&target.lines)?);
            let remaining = year.budget.remaining_with(now, then);
            if then > now && remaining < Decimal::ZERO {
                return Err(abort(DomainError::OverBudget { shortfall: -remaining }));
            }
            let new_lines = target.lines.iter().filter(|l| !current.lines.iter().any(|c| c.id == l.id));
            for line in new_lines {
                let month = match line.corrects {
                    None => line.month,
                    Some(corrected) => {
                        tx.require::<HoursEntry>(TreeName::Hours, &corrected.to_key(), || {
                            format!("gecorrigeerde urenregel {corrected}")
                        })?
                        .month
                    }
                };
                check_agreement(tx, &agreements, &partner, month)?;
            }
            if target.nihil && !current.nihil {
                check_agreement(tx, &agreements, &partner, expected.month)?;
            }
            for line in current.lines.iter().filter(|l| !target.lines.iter().any(|t| t.id == l.id)) {
                remove_line(tx, &mut year, line, &partner)?;
            }
            for line in &target.lines {
                if let Some(was) = current.lines.iter().find(|c| c.id == line.id) {
                    tx.put(TreeName::Hours, &line.id.to_key(), line)?;
                    year.count(was, partner.category, false)?;
                    year.count(line, partner.category, true)?;
                } else {
                    add_line(tx, &mut year, line, &partner)?;
                }
            }
            if year.index.entries.is_empty() {
                tx.remove(TreeName::HoursIndex, &year.key)?;
            } else {
                tx.put(TreeName::HoursIndex, &year.key, &year.index)?;
            }
            year.check_after(tx, &network)?;
            check_correction_chains(tx, network.id, &current.lines.iter().chain(&target.lines).collect::<Vec<_>>())?;
            let key = nihil_key(network.id, expected.month, partner.id);
            if target.nihil {
                tx.put(TreeName::Nihil, &key, &mark(&network, &partner, expected.month))?;
            } else {
                tx.remove(TreeName::Nihil, &key)?;
            }
            self.finish(tx, &network, &partner, current, "uren ongedaan gemaakt")
        })
    }

    /// The network and partner of a cell that may change, and the cell as stored.
    fn open_cell(
        &self,
        tx: &Tx,
        network: NetworkId,
        partner: PartnerId,
        month: YearMonth,
    ) -> TxResult<(Network, Partner, CellState)> {
        let network = require_network(tx, network)?;
        let partner = require_partner(tx, network.id, partner)?;
        ensure_open(tx, &network, month.quarter())?;
        let cell = read_cell(tx, network.id, partner.id, month)?;
        Ok((network, partner, cell))
    }

    fn put_nihil(
        &self,
        tx: &Tx,
        agreements: &[Agreement],
        network: &Network,
        partner: &Partner,
        month: YearMonth,
    ) -> TxResult<()> {
        if network.former_gez_owz {
            return Err(abort(DomainError::FormerGezOwzHasNoHours));
        }
        check_agreement(tx, agreements, partner, month)?;
        tx.put(TreeName::Nihil, &nihil_key(network.id, month, partner.id), &mark(network, partner, month))
    }

    /// Sets a cell's single line to `hours`: within the budget the line itself; over it, with
    /// `by_team_increase`, the line stays and the increase becomes a line paid by the practice team.
    #[allow(clippy::too_many_arguments)]
    fn raise_line(
        &self,
        tx: &Tx,
        network: &Network,
        partner: &Partner,
        year: &mut YearInTx,
        line: &HoursEntry,
        hours: Decimal,
        change: &CellChange,
    ) -> TxResult<()> {
        let changed = HoursEntry {
            hours,
            double_funding_confirmed: line.double_funding_confirmed || change.double_funding_confirmed,
            ..line.clone()
        };
        let worth = changed.worth(&year.tariffs, partner.category).map_err(abort)?;
        let old_worth = if line.paid_by_practice_team {
            Decimal::ZERO
        } else {
            line.worth(&year.tariffs, partner.category).map_err(abort)?
        };
        match admit_line(network, partner, &year.budget, old_worth, &changed, worth) {
            Ok(()) => {
                tx.put(TreeName::Hours, &changed.id.to_key(), &changed)?;
                year.count(line, partner.category, false)?;
                year.count(&changed, partner.category, true)
            }
            Err(DomainError::OverBudget { .. }) if change.by_team_increase && hours > line.hours => {
                let increase = HoursEntry {
                    id: HoursEntryId(tx.new_id()?),
                    hours: hours - line.hours,
                    activity: String::new(),
                    paid_by_practice_team: true,
                    double_funding_confirmed: changed.double_funding_confirmed,
                    corrects: None,
                    ..line.clone()
                };
                add_line(tx, year, &increase, partner)
            }
            Err(error) => Err(abort(error)),
        }
    }

    /// Reads the cell after the change, writes one audit entry, and returns before and after.
    fn finish(
        &self,
        tx: &Tx,
        network: &Network,
        partner: &Partner,
        before: CellState,
        action: &str,
    ) -> TxResult<CellOutcome> {
        let after = read_cell(tx, network.id, partner.id, before.month)?;
        let subject = format!("{} / {} / {}", network.name, partner.name, before.month);
        tx.audit(action, &subject, Some(&before), Some(&after))?;
        Ok(CellOutcome { before, after })
    }
}

fn mark(network: &Network, partner: &Partner, month: YearMonth) -> NihilMark {
    NihilMark { network: network.id, partner: partner.id, month }
}

fn read_cell(tx: &Tx, network: NetworkId, partner: PartnerId, month: YearMonth) -> TxResult<CellState> {
    let index: HoursIndex = tx.get(TreeName::HoursIndex, &network_year(network, month.year()))?.unwrap_or_default();
    let mut lines = Vec::new();
    for id in &index.entries {
        let line: HoursEntry = tx.require(TreeName::Hours, &id.to_key(), || format!("urenregel {id} uit de index"))?;
        if line.partner == partner && line.month == month {
            lines.push(line);
        }
    }
    let nihil = tx.get_raw(TreeName::Nihil, &nihil_key(network, month, partner))?.is_some();
    Ok(CellState { network, partner, month, lines, nihil })
}

/// Removes a line of the cell's partner, counted out of the budget the save carries along.
fn remove_line(tx: &Tx, year: &mut YearInTx, line: &HoursEntry, partner: &Partner) -> TxResult<()> {
    // Removing a negative line (a correction downwards) raises spending: within the budget only.
    let worth = line.worth(&year.tariffs, partner.category).map_err(abort)?;
    crate::domain::budget::admit_removal(&year.budget, line, worth).map_err(abort)?;
    tx.remove(TreeName::Hours, &line.id.to_key())?;
    year.index.entries.retain(|e| *e != line.id);
    year.count(line, partner.category, false)
}

/// Adds a line of the cell's partner, counted into the budget the save carries along.
fn add_line(tx: &Tx, year: &mut YearInTx, line: &HoursEntry, partner: &Partner) -> TxResult<()> {
    tx.put(TreeName::Hours, &line.id.to_key(), line)?;
    year.index.entries.push(line.id);
    year.count(line, partner.category, true)
}
