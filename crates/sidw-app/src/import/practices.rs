//! The yearly ION update: practices with their ION counts and reference dates, checked row by
//! row and stored all or nothing (one change for every network in the file).

use std::collections::BTreeMap;

use crate::domain::calendar::parse_date;
use crate::domain::validate::{Agb, parse_ion};
use crate::domain::{IonCount, NetworkId, PracticeTeam};
use crate::store::{ChangeContext, Store, StoreError};

use super::table::Table;

/// The checked file: the practice teams as they would be stored, or the problems by row.
#[derive(Debug, Default)]
pub struct PracticesImport {
    pub teams: Vec<PracticeTeam>,
    /// (row, network, practice, ION, reference date) of every count that would be added.
    pub counts: Vec<(usize, String, String, u32, chrono::NaiveDate)>,
    pub problems: Vec<(usize, String)>,
}

/// Checks every row: network, practice (name or AGB code) of its practice team, ION, reference date.
pub fn plan(store: &Store, table: &Table) -> Result<PracticesImport, StoreError> {
    let mut import = PracticesImport::default();
    let (Some(network_col), Some(ion_col), Some(date_col)) = (
        table.column(&["netwerk", "network"]),
        table.column(&["ion", "aantal ion"]),
        table.column(&["peildatum", "datum", "date"]),
    ) else {
        import.problems.push((1, "de kopregel mist 'netwerk', 'ion' of 'peildatum'".into()));
        return Ok(import);
    };
    let practice_col = table.column(&["praktijk", "naam", "practice"]);
    let agb_col = table.column(&["agb", "agb-code"]);
    let mut teams: BTreeMap<NetworkId, (String, PracticeTeam)> = BTreeMap::new();
    for row in &table.rows {
        let cell = |col: Option<usize>| col.and_then(|c| row.cells.get(c)).map(|s| s.trim()).unwrap_or("");
        let name = cell(Some(network_col));
        let Some(network) = store.network_by_name(name)? else {
            import.problems.push((row.number, format!("onbekend netwerk '{name}'")));
            continue;
        };
        let (network_name, team) = match teams.entry(network.id) {
            std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert((network.name.clone(), store.practice_team(network.id)?))
            }
        };
        let agb = Agb::parse(cell(agb_col)).ok();
        let Some(practice) = team.practices.iter_mut().find(|p| {
            agb.as_ref().is_some_and(|a| *a == p.agb)
                || (!cell(practice_col).is_empty() && p.name.eq_ignore_ascii_case(cell(practice_col)))
        }) else {
            import.problems.push((
                row.number,
                format!("praktijk '{}' staat niet in het praktijkteam van {network_name}", cell(practice_col)),
            ));
            continue;
        };
        let count = match parse_ion(cell(Some(ion_col))) {
            Ok(count) => count,
            Err(error) => {
                import.problems.push((row.number, error.message));
                continue;
            }
        };
        let date = match parse_date(cell(Some(date_col))) {
            Ok(date) => date,
            Err(error) => {
                import.problems.push((row.number, format!("peildatum: {error}")));
                continue;
            }
        };
        if practice.ion_counts.iter().any(|c| c.reference_date == date) {
            import.problems.push((row.number, format!("{} heeft al een telling op die peildatum", practice.name)));
            continue;
        }
        practice.ion_counts.push(IonCount { reference_date: date, count });
        practice.ion_counts.sort();
        import.counts.push((row.number, network_name.clone(), practice.name.clone(), count, date));
    }
    import.teams = teams.into_values().map(|(_, team)| team).collect();
    Ok(import)
}

/// Stores the counts in one change; nothing when the file has problems.
pub fn apply(store: &Store, ctx: &ChangeContext, import: &PracticesImport) -> Result<usize, StoreError> {
    if !import.problems.is_empty() {
        return Err(StoreError::Refused(format!(
            "{} niet; er is niets ingelezen",
            crate::domain::dutch::count(import.problems.len(), "regel klopt", "regels kloppen")
        )));
    }
    store.save_practice_teams(ctx, &import.teams)?;
    Ok(import.counts.len())
}
