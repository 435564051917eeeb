//! The municipality list (issue 17): seeded from seed 000's table when a database has none, an
//! admin adds municipalities and records mergers; every change audited.

use chrono::NaiveDate;

use crate::domain::municipality_list::{Municipality, MunicipalityList, seed};

use super::audit::ChangeContext;
use super::codec::encode;
use super::keys::{TreeName, name_key};
use super::tx::{Tx, TxResult, abort};
use super::{Durable, Store, StoreError};

/// Who seeds the list into an existing database, in the audit log.
pub const SEEDER: &str = "sidw";

impl Store {
    /// Every municipality known (merged ones included), by name.
    pub fn municipality_list(&self) -> Result<MunicipalityList, StoreError> {
        Ok(MunicipalityList::new(self.scan(TreeName::Municipalities, &[])?))
    }

    /// Adds a municipality (admin, every region): Raalte, or one formed by a merger. Returns it as
    /// stored.
    pub fn add_municipality(
        &self,
        ctx: &ChangeContext,
        municipality: &Municipality,
    ) -> Result<Municipality, StoreError> {
        self.write(ctx, |tx| {
            let list = tx.municipality_list()?;
            let new = list.adding(municipality).map_err(abort)?;
            tx.put(TreeName::Municipalities, &name_key(&new.name), &new)?;
            tx.audit::<(), _>("gemeente toegevoegd", &format!("gemeente {}", new.name), None, Some(&new))?;
            Ok(new)
        })
    }

    /// Records a merger: the old municipalities go up in `into` from `from`. Their records stay
    /// (old networks and S1 years keep their name and stay readable); one audited change.
    pub fn merge_municipalities(
        &self,
        ctx: &ChangeContext,
        old: &[String],
        into: &str,
        from: NaiveDate,
    ) -> Result<Vec<Municipality>, StoreError> {
        self.write(ctx, |tx| {
            let list = tx.municipality_list()?;
            let merged = list.merging(old, into, from).map_err(abort)?;
            let before: Vec<Municipality> = merged.iter().filter_map(|m| list.get(&m.name)).cloned().collect();
            for m in &merged {
                tx.put(TreeName::Municipalities, &name_key(&m.name), m)?;
            }
            let names: Vec<&str> = merged.iter().map(|m| m.name.as_str()).collect();
            let into = list.find(into).map(|m| m.name.clone()).unwrap_or_else(|_| into.trim().to_string());
            let subject = format!("gemeente {} → {into}", names.join(", "));
            tx.audit("gemeenten samengevoegd", &subject, Some(&before), Some(&merged))?;
            Ok(merged)
        })
    }

    /// Seeds the list from seed 000's table when the database has none: a new database gets it
    /// with its tables (there is no history yet to explain); an existing one (made before the list
    /// existed) in one audited change by [`SEEDER`]. Nothing happens when there is a list.
    pub(crate) fn seed_municipalities(&self, new_database: bool) -> Result<(), StoreError> {
        if !self.tree(TreeName::Municipalities).is_empty()? {
            return Ok(());
        }
        let all = seed();
        if new_database {
            return self.bulk(Durable::Now, |w| {
                for m in &all {
                    w.insert(TreeName::Municipalities, &name_key(&m.name), &encode(m))?;
                }
                Ok(())
            });
        }
        let ctx = ChangeContext::new(SEEDER, chrono::Utc::now());
        self.write(&ctx, |tx| {
            // Another process may have seeded it meanwhile.
            if !tx.municipality_list()?.is_empty() {
                return Ok(());
            }
            for m in &all {
                tx.put(TreeName::Municipalities, &name_key(&m.name), m)?;
            }
            let subject = format!("gemeentetabel ({} gemeenten uit de tabel van Zilveren Kruis)", all.len());
            tx.audit::<(), _>("gemeentetabel aangelegd", &subject, None, Some(&all))
        })
    }
}

impl Tx<'_> {
    /// The municipality list as this change sees it.
    pub fn municipality_list(&self) -> TxResult<MunicipalityList> {
        let mut all = Vec::new();
        for (key, _) in self.tables.values(TreeName::Municipalities)? {
            if let Some(m) = self.get::<Municipality>(TreeName::Municipalities, &key)? {
                all.push(m);
            }
        }
        Ok(MunicipalityList::new(all))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::Region;

    fn seedings(store: &Store) -> usize {
        store.audit_log().unwrap().iter().filter(|e| e.action == "gemeentetabel aangelegd").count()
    }

    #[test]
    fn a_new_database_has_the_list_and_reopening_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.municipality_list().unwrap().all().len(), 95);
        assert!(store.audit_log().unwrap().is_empty(), "a new database: no history to explain");
        assert!(store.is_empty(), "the list is no programme data");
        let ctx = ChangeContext::new("anna", chrono::Utc::now());
        store.add_municipality(&ctx, &Municipality::new("Raalte", Some("0177"), &[], Some(Region::Zwolle))).unwrap();
        let log = store.audit_log().unwrap().len();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        let list = store.municipality_list().unwrap();
        assert_eq!(list.all().len(), 96, "the seed is not written again");
        assert_eq!(list.region_of("raalte"), Some(Region::Zwolle));
        assert_eq!(store.audit_log().unwrap().len(), log);
    }

    #[test]
    fn an_existing_database_without_the_list_is_seeded_once_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // A database of a sidw before the list: the table is there, empty.
        store.bulk(Durable::Now, |w| w.clear(TreeName::Municipalities)).unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.municipality_list().unwrap().all().len(), 95);
        assert_eq!(seedings(&store), 1);
        let entry = store.audit_log().unwrap().into_iter().next().unwrap();
        assert_eq!(
            (entry.user.as_str(), entry.subject.as_str()),
            (SEEDER, "gemeentetabel (95 gemeenten uit de tabel van Zilveren Kruis)")
        );
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(seedings(&store), 1, "once");
        assert_eq!(store.municipality_list().unwrap().all().len(), 95);
    }
}
