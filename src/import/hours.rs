//! Importing an hours form (ureninzetformulier): every row checked first, all or nothing.

use rust_decimal::Decimal;
use std::collections::HashMap;

use crate::domain::budget::PartnerBudget;
use crate::domain::hours::{NihilMark, check_agreement_for_hours};
use crate::domain::validate::Agb;
use crate::domain::validate::parse_cell_hours;
use crate::domain::{Network, NetworkId, Partner, YearMonth};
use crate::store::{ChangeContext, NewHours, Store, StoreError};

use super::table::Table;

/// A row that can be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub row: usize,
    pub network: String,
    pub partner: String,
    pub new: NewHours,
    pub worth: Decimal,
}

/// What the import does to one network's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetEffect {
    pub network: String,
    pub year: i32,
    pub remaining_before: Decimal,
    pub added: Decimal,
    pub remaining_after: Decimal,
}

/// A row with `0` hours: the partner's form of that month came in without hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedNihil {
    pub row: usize,
    pub network: String,
    pub partner: String,
    pub mark: NihilMark,
}

/// The checked import: the lines, or the problems (row number and reason, in Dutch).
#[derive(Debug, Default)]
pub struct HoursImport {
    pub lines: Vec<PlannedLine>,
    /// Months marked nihil (a month that also gets a real line in the file is not marked).
    pub nihil: Vec<PlannedNihil>,
    pub problems: Vec<(usize, String)>,
    pub effects: Vec<BudgetEffect>,
}

impl HoursImport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

struct Known {
    network: Network,
    partners: Vec<Partner>,
    agreements: Vec<crate::domain::Agreement>,
}

/// Checks every row of an hours form against the store: network, partner (name or AGB code),
/// signed agreement, month, hours, closed quarter, duplicates and the partner budget.
pub fn plan(store: &Store, table: &Table, default_network: Option<&str>) -> Result<HoursImport, StoreError> {
    let mut import = HoursImport::default();
    let column = |names: &[&str]| table.column(names);
    let (Some(month_col), Some(hours_col)) = (column(&["maand", "month"]), column(&["uren", "hours"])) else {
        import.problems.push((1, "de kopregel mist de kolom 'maand' of 'uren'".into()));
        return Ok(import);
    };
    let network_col = column(&["netwerk", "network"]);
    let partner_col = column(&["partner", "zorgverlener", "naam"]);
    let agb_col = column(&["agb", "agb-code", "agb code"]);
    let activity_col = column(&["activiteit", "activity"]);
    if partner_col.is_none() && agb_col.is_none() {
        import.problems.push((1, "de kopregel mist de kolom 'partner' of 'agb'".into()));
        return Ok(import);
    }
    if network_col.is_none() && default_network.is_none() {
        import.problems.push((1, "de kopregel mist de kolom 'netwerk'; geef anders --network op".into()));
        return Ok(import);
    }
    let tariffs = store.tariff_book()?;
    let mut known: HashMap<String, Known> = HashMap::new();
    let mut budgets: HashMap<(NetworkId, i32), (String, i32, PartnerBudget, Decimal)> = HashMap::new();
    let mut seen: Vec<(NetworkId, crate::domain::PartnerId, YearMonth, Decimal, String)> = Vec::new();
    // The stored lines of each network and year, read once for the whole file.
    let mut stored: HashMap<(NetworkId, i32), Vec<crate::domain::HoursEntry>> = HashMap::new();
    for row in &table.rows {
        let cell = |col: Option<usize>| col.and_then(|c| row.cells.get(c)).map(|s| s.trim()).unwrap_or("");
        let problem = |import: &mut HoursImport, text: String| import.problems.push((row.number, text));
        if cell(Some(hours_col)).is_empty() {
            continue; // a template row not filled in
        }
        let network_name = match cell(network_col) {
            "" => default_network.unwrap_or("").to_string(),
            name => name.to_string(),
        };
        let key = network_name.to_lowercase();
        if !known.contains_key(&key) {
            let Some(network) = store.network_by_name(&network_name)? else {
                problem(&mut import, format!("onbekend netwerk '{network_name}'"));
                continue;
            };
            known.insert(
                key.clone(),
                Known { partners: store.partners(network.id)?, agreements: store.agreements(network.id)?, network },
            );
        }
        let k = &known[&key];
        let by_agb = Agb::parse(cell(agb_col)).ok();
        let agb_partner = k.partners.iter().find(|p| by_agb.as_ref().is_some_and(|agb| *agb == p.agb));
        let name_partner =
            k.partners.iter().find(|p| !cell(partner_col).is_empty() && p.name.eq_ignore_ascii_case(cell(partner_col)));
        if let (Some(by_agb), Some(by_name)) = (agb_partner, name_partner)
            && by_agb.id != by_name.id
        {
            problem(
                &mut import,
                format!(
                    "naam '{}' is {}, maar AGB-code {} is {}: welke partner is bedoeld?",
                    cell(partner_col),
                    by_name.name,
                    cell(agb_col),
                    by_agb.name
                ),
            );
            continue;
        }
        let partner = agb_partner.or(name_partner);
        let Some(partner) = partner else {
            problem(
                &mut import,
                format!(
                    "onbekende partner '{}' in {}",
                    [cell(partner_col), cell(agb_col)].join(" ").trim(),
                    k.network.name
                ),
            );
            continue;
        };
        // Excel may have turned "2025-03" into the date 2025-03-01: that is March too.
        let month_text = cell(Some(month_col));
        let parsed = YearMonth::parse(month_text).or_else(|error| {
            crate::domain::calendar::parse_date(month_text).map(YearMonth::of_date).map_err(|_| error)
        });
        let month = match parsed {
            Ok(month) => month,
            Err(error) => {
                problem(&mut import, error);
                continue;
            }
        };
        let hours = match parse_cell_hours(cell(Some(hours_col))) {
            Ok(hours) => hours,
            Err(error) => {
                problem(&mut import, error.message);
                continue;
            }
        };
        let activity = cell(activity_col).to_string();
        if let Err(error) = check_agreement_for_hours(&k.agreements, partner, month) {
            problem(&mut import, error.to_string());
            continue;
        }
        if store.quarter_close(k.network.id, month.quarter())?.is_some() {
            problem(&mut import, format!("{} van {} is afgesloten", month.quarter(), k.network.name));
            continue;
        }
        if hours.is_zero() {
            let existing = match stored.entry((k.network.id, month.year())) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(store.hours_of(k.network.id, month.year())?)
                }
            };
            if existing.iter().any(|l| l.partner == partner.id && l.month == month) {
                problem(
                    &mut import,
                    format!(
                        "0 uur (nihil) voor {} in {}, maar die maand heeft al uren; verwijder die eerst",
                        partner.name,
                        month.dutch_name()
                    ),
                );
                continue;
            }
            let mark = NihilMark { network: k.network.id, partner: partner.id, month };
            if !import.nihil.iter().any(|n| n.mark == mark) {
                import.nihil.push(PlannedNihil {
                    row: row.number,
                    network: k.network.name.clone(),
                    partner: partner.name.clone(),
                    mark,
                });
            }
            continue;
        }
        if partner.discipline.risks_double_funding() {
            problem(
                &mut import,
                format!(
                    "{} is een {}: voer deze uren op het scherm in (bevestiging nodig)",
                    partner.name,
                    partner.discipline.dutch_label()
                ),
            );
            continue;
        }
        let entry = (k.network.id, partner.id, month, hours, activity.to_lowercase());
        let existing = match stored.entry((k.network.id, month.year())) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => slot.insert(store.hours_of(k.network.id, month.year())?),
        };
        // A form sent twice: same partner, month and hours (and activity, when the row names one).
        let same = |l: &crate::domain::HoursEntry| {
            l.partner == partner.id
                && l.month == month
                && l.hours == hours
                && (entry.4.is_empty() || l.activity.to_lowercase() == entry.4)
        };
        if seen.contains(&entry) || existing.iter().any(same) {
            let shown = hours.normalize().to_string().replace('.', ",");
            problem(&mut import, format!("{} {} {shown} uur staat er al (dubbel)", partner.name, month.dutch_name()));
            continue;
        }
        seen.push(entry);
        let worth = match crate::domain::hours::worth(&tariffs, partner.category, month.year(), hours) {
            Ok(worth) => worth,
            Err(error) => {
                problem(&mut import, error.to_string());
                continue;
            }
        };
        let budget_key = (k.network.id, month.year());
        let (_, _, budget, added) = match budgets.entry(budget_key) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let budget = store.partner_budget(k.network.id, month.year())?;
                slot.insert((k.network.name.clone(), month.year(), budget, Decimal::ZERO))
            }
        };
        if budget.remaining() - *added - worth < Decimal::ZERO {
            problem(
                &mut import,
                format!(
                    "gaat {} over het partnerbudget {} van {}",
                    crate::domain::money::format_eur(worth - (budget.remaining() - *added)),
                    month.year(),
                    k.network.name
                ),
            );
            continue;
        }
        *added += worth;
        import.lines.push(PlannedLine {
            row: row.number,
            network: k.network.name.clone(),
            partner: partner.name.clone(),
            worth,
            new: NewHours {
                network: k.network.id,
                partner: partner.id,
                month,
                hours,
                activity,
                paid_by_practice_team: false,
                double_funding_confirmed: false,
                corrects: None,
            },
        });
    }
    let mut effects: Vec<BudgetEffect> = budgets
        .into_values()
        .map(|(network, year, budget, added)| BudgetEffect {
            network,
            year,
            remaining_before: budget.remaining(),
            added,
            remaining_after: budget.remaining() - added,
        })
        .collect();
    effects.sort_by(|a, b| (&a.network, a.year).cmp(&(&b.network, b.year)));
    import.effects = effects;
    // A 0 row and a real row for the same month: the real line wins.
    let lines = &import.lines;
    import.nihil.retain(|n| {
        !lines
            .iter()
            .any(|l| l.new.network == n.mark.network && l.new.partner == n.mark.partner && l.new.month == n.mark.month)
    });
    Ok(import)
}

/// Stores a checked import in one transaction; nothing when it has problems.
pub fn apply(store: &Store, ctx: &ChangeContext, import: &HoursImport) -> Result<usize, StoreError> {
    if !import.is_ok() {
        return Err(StoreError::Refused(format!(
            "{} regels kloppen niet; er is niets ingelezen",
            import.problems.len()
        )));
    }
    let lines: Vec<NewHours> = import.lines.iter().map(|l| l.new.clone()).collect();
    let nihil: Vec<NihilMark> = import.nihil.iter().map(|n| n.mark).collect();
    Ok(store.import_hours_and_nihil(ctx, &lines, &nihil)?.len())
}
