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
    plan_in(store, table, default_network, &crate::domain::Access::full())
}

/// [`plan`] for a user with `access`: a row of a network outside the user's regions is a problem
/// of that row (the store would refuse the whole import; this says which rows), and the trial
/// run asks the store with the user's own role and regions.
pub fn plan_in(
    store: &Store,
    table: &Table,
    default_network: Option<&str>,
    access: &crate::domain::Access,
) -> Result<HoursImport, StoreError> {
    let scope = &access.scope;
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
    // Rows already planned: a form sent twice in one file. A set, so a long file stays linear.
    let mut seen: std::collections::HashSet<(NetworkId, crate::domain::PartnerId, YearMonth, Decimal, String)> =
        std::collections::HashSet::new();
    // The stored lines of each network and year, read once for the whole file and kept by cell.
    let mut stored: HashMap<(NetworkId, i32), StoredCells> = HashMap::new();
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
            // A network outside the user's regions is one they do not know of: the same words as
            // for a name that is nowhere (issue 16).
            let Some(network) = store.network_by_name(&network_name)?.filter(|n| scope.contains(n.region)) else {
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
                    slot.insert(StoredCells::of(&store.hours_of(k.network.id, month.year())?))
                }
            };
            if existing.cells.contains_key(&(partner.id, month)) {
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
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(StoredCells::of(&store.hours_of(k.network.id, month.year())?))
            }
        };
        // A form sent twice: same partner, month and hours (and activity, when the row names one).
        let same = |(h, a): &(Decimal, String)| *h == hours && (entry.4.is_empty() || *a == entry.4);
        let stored_twice = existing.cells.get(&(partner.id, month)).is_some_and(|lines| lines.iter().any(same));
        if seen.contains(&entry) || stored_twice {
            let shown = hours.normalize().to_string().replace('.', ",");
            problem(&mut import, format!("{} {} {shown} uur staat er al (dubbel)", partner.name, month.dutch_name()));
            continue;
        }
        seen.insert(entry);
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
        let new = NewHours {
            network: k.network.id,
            partner: partner.id,
            month,
            hours,
            activity,
            paid_by_practice_team: false,
            double_funding_confirmed: false,
            corrects: None,
        };
        // The line's own fields as the store checks them (the same function).
        let new = match new.checked() {
            Ok(new) => new,
            Err(error) => {
                problem(&mut import, error.to_string());
                continue;
            }
        };
        *added += worth;
        import.lines.push(PlannedLine {
            row: row.number,
            network: k.network.name.clone(),
            partner: partner.name.clone(),
            worth,
            new,
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
    let planned: std::collections::HashSet<(NetworkId, crate::domain::PartnerId, YearMonth)> =
        import.lines.iter().map(|l| (l.new.network, l.new.partner, l.new.month)).collect();
    import.nihil.retain(|n| !planned.contains(&(n.mark.network, n.mark.partner, n.mark.month)));
    if import.is_ok() {
        // The trial run is the real import's own transaction, ended before it commits: what the
        // dry run accepts, the import stores; what it refuses is reported with its row.
        let (lines, nihil) = import.parts();
        let trial = ChangeContext::new("proef", chrono::Utc::now()).with_access(access.clone());
        if let Err(error) = store.try_import_hours_and_nihil(&trial, &lines, &nihil) {
            let (row, error) = import.row_of(error);
            import.problems.push((row, error.to_string()));
        }
    }
    Ok(import)
}

/// The stored lines of a network's year by cell: (partner, month) → [(hours, activity in lower case)].
struct StoredCells {
    cells: HashMap<(crate::domain::PartnerId, YearMonth), Vec<(Decimal, String)>>,
}

impl StoredCells {
    fn of(lines: &[crate::domain::HoursEntry]) -> Self {
        let mut cells: HashMap<_, Vec<(Decimal, String)>> = HashMap::new();
        for line in lines {
            cells.entry((line.partner, line.month)).or_default().push((line.hours, line.activity.to_lowercase()));
        }
        Self { cells }
    }
}

impl HoursImport {
    /// The lines and nihil marks as the store takes them.
    fn parts(&self) -> (Vec<NewHours>, Vec<NihilMark>) {
        (self.lines.iter().map(|l| l.new.clone()).collect(), self.nihil.iter().map(|n| n.mark).collect())
    }

    /// The row a store error of one line (or mark) came from, and the error itself.
    fn row_of(&self, error: StoreError) -> (usize, StoreError) {
        match error {
            StoreError::AtLine { index, error } => {
                let row = match self.lines.get(index) {
                    Some(line) => line.row,
                    None => self.nihil.get(index - self.lines.len()).map_or(1, |n| n.row),
                };
                (row, *error)
            }
            other => (1, other),
        }
    }
}

/// Stores a checked import in one transaction; nothing when it has problems.
pub fn apply(store: &Store, ctx: &ChangeContext, import: &HoursImport) -> Result<usize, StoreError> {
    if !import.is_ok() {
        return Err(StoreError::Refused(format!(
            "{} niet; er is niets ingelezen",
            crate::domain::dutch::count(import.problems.len(), "regel klopt", "regels kloppen")
        )));
    }
    let (lines, nihil) = import.parts();
    match store.import_hours_and_nihil(ctx, &lines, &nihil) {
        Ok(saved) => Ok(saved.len()),
        Err(error) => {
            let (row, error) = import.row_of(error);
            Err(StoreError::Refused(format!("regel {row}: {error}; er is niets ingelezen")))
        }
    }
}
