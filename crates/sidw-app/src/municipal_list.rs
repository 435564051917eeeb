//! The municipality list from the command line (`sidw municipality …`, issue 17): what to print,
//! through the same store functions the Gemeenten pane uses, so every rule answers as on the screen.

use chrono::NaiveDate;

use crate::domain::Region;
use crate::domain::Scope;
use crate::domain::calendar::format_date;
use crate::domain::municipality_list::Municipality;
use crate::report::Table;
use crate::store::{ChangeContext, Store, StoreError};

/// The list as a table: every municipality (or, with `all` false, those of a Medrie region and
/// those merged), within the user's regions; merged ones with the municipality they are part of now.
pub fn list_text(store: &Store, scope: &Scope, all: bool) -> Result<String, StoreError> {
    let list = store.municipality_list()?;
    let mut table = Table::new(&[
        ("Gemeente", false),
        ("CBS", false),
        ("Medrie-regio", false),
        ("ZK-regio (S1)", false),
        ("Samengevoegd", false),
    ]);
    for m in list.all() {
        let region = list.region_of(&m.name);
        let ours = scope.is_all() || region.is_some_and(|r| scope.contains(r));
        if !ours || !(all || region.is_some() || m.merged_into.is_some()) {
            continue;
        }
        table.push(vec![
            m.name.clone(),
            m.cbs_code.clone().unwrap_or_else(|| "—".into()),
            region.map_or("—", Region::name).to_string(),
            if m.zk_regions.is_empty() { "—".into() } else { m.zk_regions.join(", ") },
            m.merged_into
                .as_ref()
                .map_or(String::new(), |g| format!("per {} in {}", format_date(g.from), list.current(m).name)),
        ]);
    }
    Ok(table.render())
}

/// Adds a municipality (admin with every region); the line to print.
pub fn add(store: &Store, ctx: &ChangeContext, municipality: &Municipality) -> Result<String, StoreError> {
    let added = store.add_municipality(ctx, municipality)?;
    let region = added.medrie_region.map_or("geen Medrie-regio".to_string(), |r| format!("regio {}", r.name()));
    Ok(format!("Gemeente {} toegevoegd ({region}).", added.name))
}

/// Records a merger (admin with every region); the line to print.
pub fn merge(
    store: &Store,
    ctx: &ChangeContext,
    old: &[String],
    into: &str,
    from: NaiveDate,
) -> Result<String, StoreError> {
    let merged = store.merge_municipalities(ctx, old, into, from)?;
    let names: Vec<&str> = merged.iter().map(|m| m.name.as_str()).collect();
    let into = merged.first().and_then(|m| m.merged_into.as_ref()).map_or(into, |g| g.into.as_str());
    Ok(format!(
        "{} per {} opgegaan in {into}; hun netwerken en S1-gegevens blijven te lezen.",
        names.join(", "),
        format_date(from)
    ))
}
