//! Who may change what (SPEC §7, issue 16), decided once, here: every tree a change writes asks
//! a least role ([`guard`], an exhaustive table, so a new tree must be classified), and a user
//! with a list of regions changes only what lies in them. [`super::tx::Tx`] notes each write
//! (`put`, `put_raw`, `remove`): the role is checked at once, the regions are collected; before
//! [`super::Store::write`] commits, [`check_regions`] reads the regions of every network the
//! change reached, as they stand before and after it. A refusal ends the change: nothing is
//! written, the audit log included. No repo function can forget it.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::close::PaymentBatch;
use crate::domain::municipality_list::{Municipality, MunicipalityList};
use crate::domain::{Access, HoursEntry, Network, NetworkId, Region, Role, Scope};

use super::codec::decode;
use super::error::StoreError;
use super::keys::TreeName;
use super::reader::Tables;

/// Where a tree's records lie, as far as regions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Nothing a user changes: the database info and counters, caches, preferences, the log's
    /// indexes (written with an audit entry, which is guarded itself).
    Free,
    /// The audit log: every change writes an entry; an event without a record (a user removed)
    /// needs no region.
    Log,
    /// The key starts with the network id.
    Network,
    /// The network records themselves: the region before and after the change.
    NetworkRecord,
    /// An hours line: its network is in the record (before and after the change).
    HoursLine,
    /// Keyed by payment batch id: the batch's networks.
    Batch,
    /// Keyed by municipality: the Medrie region of its record in the municipality list.
    Municipality,
    /// No region of its own (network names, invoice numbers): only written with a record of a
    /// network, whose region decides.
    WithNetwork,
    /// The whole programme (tariffs, S1 rates, the secretariat's payment account): only for a
    /// user with every region.
    Programme,
}

/// What writing a tree asks: the least role, where its records lie, and what it is in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub role: Role,
    pub place: Place,
    /// "uren wijzigen": for the refusal.
    pub what: &'static str,
}

/// The tree → role table. Viewer: nothing; editor: networks, practice teams, partners,
/// participants, agreements, hours (nihil months), invoices, municipalities' S1 data; finance:
/// also closes, reopenings, payment batches, payment files and the payment account; admin: also
/// tariffs, S1 rates and the municipality list. A municipality's S1 data lies in the Medrie region
/// of the municipality's own record (issue 17), whatever networks name it.
pub fn guard(tree: TreeName) -> Guard {
    use Place as P;
    use Role::{Admin, Editor, Finance, Viewer};
    let g = |role, place, what| Guard { role, place, what };
    match tree {
        TreeName::Meta
        | TreeName::Preferences
        | TreeName::SignalFacts
        | TreeName::AuditTime
        | TreeName::AuditWords
        | TreeName::AuditTerms
        | TreeName::AuditHeads => g(Viewer, P::Free, "niets"),
        TreeName::Audit => g(Editor, P::Log, "iets vastleggen"),
        TreeName::Networks => g(Editor, P::NetworkRecord, "netwerken wijzigen"),
        TreeName::NetworkNames => g(Editor, P::WithNetwork, "netwerken wijzigen"),
        TreeName::PracticeTeams => g(Editor, P::Network, "praktijkteams wijzigen"),
        TreeName::Partners => g(Editor, P::Network, "partners wijzigen"),
        TreeName::Participants => g(Editor, P::Network, "deelnemers wijzigen"),
        TreeName::Agreements => g(Editor, P::Network, "overeenkomsten wijzigen"),
        TreeName::Hours | TreeName::HoursIndex => {
            g(Editor, if tree == TreeName::Hours { P::HoursLine } else { P::Network }, "uren wijzigen")
        }
        TreeName::Nihil => g(Editor, P::Network, "nihil-maanden wijzigen"),
        TreeName::Invoices | TreeName::InvoiceIndex => g(Editor, P::Network, "facturen wijzigen"),
        TreeName::InvoiceNumbers => g(Editor, P::WithNetwork, "facturen wijzigen"),
        TreeName::MunicipalYears => g(Editor, P::Municipality, "S1-gegevens van gemeenten wijzigen"),
        TreeName::Closes | TreeName::BatchIndex | TreeName::Claims => {
            g(Finance, P::Network, "kwartalen afsluiten of heropenen")
        }
        TreeName::Batches | TreeName::BatchBases => g(Finance, P::Batch, "kwartalen afsluiten of heropenen"),
        TreeName::Exports => g(Finance, P::Batch, "betaalbestanden schrijven"),
        TreeName::BankLines => g(Finance, P::Batch, "bankafschriften inlezen"),
        TreeName::BankStatements => g(Finance, P::Programme, "bankafschriften inlezen"),
        TreeName::Settings => g(Finance, P::Programme, "de betaalrekening wijzigen"),
        TreeName::Tariffs => g(Admin, P::Programme, "tarieven wijzigen"),
        TreeName::S1Rates => g(Admin, P::Programme, "S1-tarieven wijzigen"),
        TreeName::MailSettings => g(Admin, P::Programme, "e-mailsjablonen en afzenders wijzigen"),
        // A mail lies in the region of its sender; the queue decides which signals a user sees
        // (their regions' only), as the Signalen list does.
        TreeName::Outbox => g(Editor, P::Log, "e-mail versturen"),
        TreeName::Municipalities => g(Admin, P::Programme, "de gemeentetabel wijzigen"),
    }
}

/// "u bent editor voor Zwolle" (or "u bent editor" with every region).
fn who(access: &Access) -> String {
    match &access.scope {
        Scope::All => format!("u bent {}", access.role.name()),
        scope => format!("u bent {} voor {}", access.role.name(), scope.describe()),
    }
}

/// The refusal of a write the role does not allow, or a programme-wide write by a user with a
/// list of regions.
pub(crate) fn refuse_tree(access: &Access, tree: TreeName) -> Option<StoreError> {
    let guard = guard(tree);
    if access.role < guard.role {
        return Some(StoreError::Denied(format!(
            "{}; {} vraagt de rol {}",
            who(access),
            guard.what,
            guard.role.name()
        )));
    }
    if guard.place == Place::Programme && !access.scope.is_all() {
        return Some(StoreError::Denied(format!(
            "{}; {} geldt voor het hele programma en vraagt alle regio's",
            who(access),
            guard.what
        )));
    }
    None
}

/// Where the writes of one change lie: collected only for a user with a list of regions.
#[derive(Debug, Default)]
pub(crate) struct Reached {
    /// Networks whose records were written.
    networks: BTreeSet<NetworkId>,
    /// The region (and name) of each network record as it was before the change.
    before: BTreeMap<NetworkId, (String, Region)>,
    /// Network records written by the change (a new one among them: named by the user).
    records: BTreeSet<NetworkId>,
    batches: BTreeSet<u64>,
    /// Lower-case municipality names.
    municipalities: BTreeSet<String>,
    /// A tree without a region of its own was written (what, for the refusal).
    loose: Option<&'static str>,
}

fn network_of_key(key: &[u8]) -> Option<NetworkId> {
    Some(NetworkId(u64::from_be_bytes(key.get(..8)?.try_into().ok()?)))
}

impl Reached {
    /// Notes a write to `tree` under `key`, before it is made (`tables` still hold the record
    /// before; `line` is the hours line being written, if it is one).
    pub(crate) fn note(
        &mut self,
        tables: &Tables,
        tree: TreeName,
        key: &[u8],
        line: Option<&HoursEntry>,
    ) -> Result<(), StoreError> {
        let guard = guard(tree);
        match guard.place {
            Place::Free | Place::Log | Place::Programme => {}
            Place::Network => self.networks.extend(network_of_key(key)),
            Place::NetworkRecord => {
                if let Some(id) = network_of_key(key) {
                    self.networks.insert(id);
                    self.records.insert(id);
                    if let std::collections::btree_map::Entry::Vacant(slot) = self.before.entry(id)
                        && let Some(bytes) = tables.get(tree, key)?
                        && let Ok(network) = decode::<Network>(&bytes)
                    {
                        slot.insert((network.name, network.region));
                    }
                }
            }
            Place::HoursLine => {
                self.networks.extend(line.map(|l| l.network));
                if let Some(bytes) = tables.get(tree, key)? {
                    match decode::<HoursEntry>(&bytes) {
                        Ok(before) => {
                            self.networks.insert(before.network);
                        }
                        // A line that cannot be read says nothing of its region: its network
                        // must come from the rest of the change.
                        Err(_) => {
                            self.loose.get_or_insert(guard.what);
                        }
                    }
                } else if line.is_none() {
                    self.loose.get_or_insert(guard.what);
                }
            }
            Place::Batch => {
                if let Some(id) = key.get(..8).and_then(|k| k.try_into().ok()).map(u64::from_be_bytes) {
                    self.batches.insert(id);
                }
            }
            Place::Municipality => {
                let name = key.split(|b| *b == 0).next().unwrap_or_default();
                self.municipalities.insert(String::from_utf8_lossy(name).into_owned());
            }
            Place::WithNetwork => {
                self.loose.get_or_insert(guard.what);
            }
        }
        Ok(())
    }
}

/// Before the commit: every network the change reached lies in the user's regions, before and
/// after the change (moving a network from Zwolle to Flevoland needs both).
///
/// A refusal never tells a user of a record outside their regions: a network they cannot see is
/// refused in the same words as one that does not exist ("netwerk 7 bestaat niet (meer)", as
/// [`super::Store::network`] says it), without its name or region. Only what the user named themselves is named: a new
/// network, or one of theirs they would move out of their regions.
pub(crate) fn check_regions(tables: &Tables, access: &Access, reached: &Reached) -> Result<(), StoreError> {
    let scope = &access.scope;
    if scope.is_all() {
        return Ok(());
    }
    let denied = |text: String| StoreError::Denied(format!("{}; {text}", who(access)));
    // As `Store::network` says it of an id that is not there.
    let unseen = |id: NetworkId| StoreError::NotFound(format!("netwerk {id}"));
    let network_now = |id: NetworkId| -> Result<Option<Network>, StoreError> {
        match tables.get(TreeName::Networks, &id.to_key())? {
            Some(bytes) => decode::<Network>(&bytes).map(Some).map_err(|e| StoreError::Corrupt {
                tree: "networks",
                key: super::keys::hex(&id.to_key()),
                reason: e.to_string(),
            }),
            None => Ok(None),
        }
    };
    for (id, (_, region)) in &reached.before {
        if !scope.contains(*region) {
            return Err(unseen(*id));
        }
    }
    let networks = &reached.networks;
    for id in networks {
        match network_now(*id)? {
            Some(network) if !scope.contains(network.region) => {
                // Before the change the network lay in the user's regions (checked above), or
                // did not exist: then it is the one this change makes.
                let moved = reached.before.get(id).is_some_and(|(_, region)| *region != network.region);
                let created = reached.records.contains(id) && !reached.before.contains_key(id);
                return Err(if moved {
                    denied(format!("{} komt dan in {} te liggen", network.name, network.region.name()))
                } else if created {
                    denied(format!("{} ligt in {}", network.name, network.region.name()))
                } else {
                    unseen(*id)
                });
            }
            Some(_) => {}
            None if reached.before.contains_key(id) => {}
            None => return Err(unseen(*id)),
        }
    }
    for batch in &reached.batches {
        match tables.get(TreeName::Batches, &batch.to_be_bytes())? {
            Some(bytes) => match decode::<PaymentBatch>(&bytes) {
                Ok(batch) => {
                    // A batch of none of the user's networks is one they do not know of; one
                    // they see by one of their networks may hold others too (closed by a user of
                    // every region): said without naming them.
                    let mut ours = 0;
                    for id in &batch.networks {
                        if network_now(*id)?.is_some_and(|n| scope.contains(n.region)) {
                            ours += 1;
                        }
                    }
                    if ours == 0 {
                        return Err(StoreError::NotFound(format!("betaalbatch {}", batch.number)));
                    }
                    if ours < batch.networks.len() {
                        return Err(denied(format!(
                            "betaalbatch {} hoort ook bij netwerken buiten uw regio's",
                            batch.number
                        )));
                    }
                }
                Err(_) => return Err(denied(format!("betaalbatch {batch} is niet te lezen"))),
            },
            None => return Err(denied(format!("betaalbatch {batch} hoort bij geen netwerk"))),
        }
    }
    if !reached.municipalities.is_empty() {
        // The municipality's own record decides (issue 17), not the networks that name it: a
        // network's municipality is free to type, the record's Medrie region is not.
        let mut all = Vec::new();
        for (_, bytes) in tables.values(TreeName::Municipalities)? {
            if let Ok(m) = decode::<Municipality>(&bytes) {
                all.push(m);
            }
        }
        let list = MunicipalityList::new(all);
        for name in &reached.municipalities {
            // The same words whether the municipality lies elsewhere or is not on the list.
            match list.region_of(name) {
                Some(region) if scope.contains(region) => {}
                _ => {
                    let shown = list.get(name).map_or(name.clone(), |m| m.name.clone());
                    return Err(denied(format!("de gemeente {shown} ligt niet in uw regio's")));
                }
            }
        }
    }
    // (A batch's networks were all found in the user's regions above.)
    if let Some(what) = reached.loose
        && networks.is_empty()
        && reached.batches.is_empty()
        && reached.before.is_empty()
    {
        return Err(denied(format!("{what} zonder netwerk van uw regio's kan niet")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tree_has_a_guard_and_the_log_asks_an_editor() {
        for tree in TreeName::ALL {
            let guard = guard(tree);
            assert!(!guard.what.is_empty());
            // Data trees are never free; what is free is not programme data (or is derived).
            if tree.holds_data() {
                assert_ne!(guard.place, Place::Free, "{}", tree.name());
                assert!(guard.role >= Role::Editor, "{}", tree.name());
            }
        }
        assert_eq!(guard(TreeName::Audit).role, Role::Editor);
        assert_eq!(guard(TreeName::Tariffs).role, Role::Admin);
        assert_eq!(guard(TreeName::Exports).role, Role::Finance);
        assert_eq!(guard(TreeName::Preferences).role, Role::Viewer);
    }

    #[test]
    fn a_refusal_names_the_role_and_what_it_asks() {
        let viewer = Access::new(Role::Viewer, Scope::All);
        let text = refuse_tree(&viewer, TreeName::Hours).unwrap().to_string();
        assert!(text.contains("u bent viewer; uren wijzigen vraagt de rol editor"), "{text}");
        assert!(refuse_tree(&viewer, TreeName::Preferences).is_none());
        let zwolle = Access::new(Role::Admin, Scope::parse("Zwolle").unwrap());
        let text = refuse_tree(&zwolle, TreeName::Tariffs).unwrap().to_string();
        assert!(text.contains("u bent admin voor Zwolle; tarieven wijzigen geldt voor het hele programma"), "{text}");
        assert!(refuse_tree(&Access::full(), TreeName::Tariffs).is_none());
        assert!(refuse_tree(&zwolle, TreeName::Hours).is_none());
    }
}
