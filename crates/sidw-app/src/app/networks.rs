//! Pane 1, Netwerken: networks by region and municipality, and the detail of the selected one.

use chrono::NaiveDate;

use crate::domain::{Agreement, Network, NetworkId, Participant, Partner, PracticeTeam, Scope};
use crate::store::{Store, StoreError};

use super::forms::FormKind;
use super::list::{Selection, visible};
use super::{Action, App};

pub struct NetworkRow {
    pub network: Network,
    /// Σ ION of the practice team today.
    pub ion: u64,
    pub partners: usize,
}

impl NetworkRow {
    fn search_text(&self) -> String {
        let n = &self.network;
        format!("{} {} {} {}", n.name, n.region.name(), n.municipality, n.status.dutch_label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkSort {
    #[default]
    Region,
    Name,
    Municipality,
    Status,
}

impl NetworkSort {
    pub fn label(self) -> &'static str {
        match self {
            Self::Region => "regio",
            Self::Name => "naam",
            Self::Municipality => "gemeente",
            Self::Status => "status",
        }
    }

    fn next(self) -> Self {
        match self {
            Self::Region => Self::Name,
            Self::Name => Self::Municipality,
            Self::Municipality => Self::Status,
            Self::Status => Self::Region,
        }
    }
}

/// What the detail of a network holds.
pub struct NetworkDetail {
    pub id: NetworkId,
    pub team: PracticeTeam,
    pub partners: Vec<Partner>,
    pub participants: Vec<Participant>,
    pub agreements: Vec<Agreement>,
}

/// A selectable line of the detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailItem {
    Practice(usize),
    Partner(usize),
    Participant(usize),
}

#[derive(Default)]
pub struct NetworksPane {
    pub rows: Vec<NetworkRow>,
    pub selection: Selection,
    pub sort: NetworkSort,
    /// True when the keyboard is in the detail (practices, partners, participants).
    pub in_detail: bool,
    pub detail: Option<NetworkDetail>,
    pub detail_index: usize,
}

impl NetworksPane {
    /// Every network in `scope` (the user's regions).
    pub(crate) fn load(&mut self, store: &Store, today: NaiveDate, scope: &Scope) -> Result<(), StoreError> {
        let selected = self.selected().map(|r| r.network.id);
        self.rows = store
            .networks()?
            .into_iter()
            .filter(|network| scope.contains(network.region))
            .map(|network| {
                let team = store.practice_team(network.id)?;
                let partners = store.partners(network.id)?.len();
                Ok(NetworkRow { ion: team.total_ion_on(today), partners, network })
            })
            .collect::<Result<_, StoreError>>()?;
        self.sort_rows();
        if let Some(id) = selected {
            self.select(id);
        }
        self.load_detail(store)
    }

    /// Reads again only the rows of the networks a colleague's change touched (a new network is
    /// added), keeping the rest: what `load` gives, at the cost of the change, not the list.
    pub(crate) fn refresh(
        &mut self,
        store: &Store,
        today: NaiveDate,
        touched: &std::collections::BTreeSet<crate::domain::NetworkId>,
        scope: &Scope,
    ) -> Result<(), StoreError> {
        if touched.is_empty() {
            return Ok(());
        }
        let selected = self.selected().map(|r| r.network.id);
        for id in touched {
            let network = match store.network(*id) {
                Ok(network) => network,
                Err(StoreError::NotFound(_)) => {
                    // Gone: its row goes too.
                    self.rows.retain(|r| r.network.id != *id);
                    continue;
                }
                Err(error) => return Err(error),
            };
            if !scope.contains(network.region) {
                // Moved out of the user's regions: its row goes.
                self.rows.retain(|r| r.network.id != *id);
                continue;
            }
            let row = NetworkRow {
                ion: store.practice_team(*id)?.total_ion_on(today),
                partners: store.partners(*id)?.len(),
                network,
            };
            match self.rows.iter_mut().find(|r| r.network.id == *id) {
                Some(known) => *known = row,
                None => self.rows.push(row),
            }
        }
        self.sort_rows();
        if let Some(id) = selected {
            self.select(id);
        }
        match selected {
            Some(id) if touched.contains(&id) => self.load_detail(store),
            _ => Ok(()),
        }
    }

    fn sort_rows(&mut self) {
        let key = |r: &NetworkRow| -> (String, String) {
            let n = &r.network;
            let first = match self.sort {
                NetworkSort::Region => n.region.name().to_string(),
                NetworkSort::Name => String::new(),
                NetworkSort::Municipality => n.municipality.clone(),
                NetworkSort::Status => format!("{:?}", n.status),
            };
            (first, n.name.to_lowercase())
        };
        // Each key made once (not twice per comparison).
        self.rows.sort_by_cached_key(key);
    }

    pub fn visible(&self) -> Vec<usize> {
        visible(&self.selection.filter, self.rows.iter().map(NetworkRow::search_text))
    }

    pub fn selected(&self) -> Option<&NetworkRow> {
        self.visible().get(self.selection.index).map(|i| &self.rows[*i])
    }

    /// Selects the network, clearing a filter that hides it.
    pub fn select(&mut self, id: NetworkId) {
        if !self.visible().iter().any(|i| self.rows[*i].network.id == id) {
            self.selection.filter.clear();
        }
        if let Some(position) = self.visible().iter().position(|i| self.rows[*i].network.id == id) {
            self.selection.index = position;
        }
    }

    pub(crate) fn load_detail(&mut self, store: &Store) -> Result<(), StoreError> {
        let Some(id) = self.selected().map(|r| r.network.id) else {
            self.detail = None;
            return Ok(());
        };
        self.detail = Some(NetworkDetail {
            id,
            team: store.practice_team(id)?,
            partners: store.partners(id)?,
            participants: store.participants(id)?,
            agreements: store.agreements(id)?,
        });
        let items = self.detail_items().len();
        self.detail_index = self.detail_index.min(items.saturating_sub(1));
        Ok(())
    }

    pub fn detail_items(&self) -> Vec<DetailItem> {
        let Some(detail) = &self.detail else { return Vec::new() };
        (0..detail.team.practices.len())
            .map(DetailItem::Practice)
            .chain((0..detail.partners.len()).map(DetailItem::Partner))
            .chain((0..detail.participants.len()).map(DetailItem::Participant))
            .collect()
    }

    pub fn selected_item(&self) -> Option<DetailItem> {
        self.in_detail.then(|| self.detail_items().get(self.detail_index).copied()).flatten()
    }

    /// The form of a detail item of `network`: its practice, partner or participant (`None`
    /// when the detail is not loaded or no longer has the item).
    pub(super) fn detail_form(&self, network: NetworkId, item: DetailItem) -> Option<FormKind> {
        let detail = self.detail.as_ref()?;
        Some(match item {
            DetailItem::Practice(i) => FormKind::Practice(network, Some(detail.team.practices.get(i)?.id)),
            DetailItem::Partner(i) => FormKind::Partner(network, Some(detail.partners.get(i)?.id)),
            DetailItem::Participant(i) => FormKind::Participant(network, Some(detail.participants.get(i)?.id)),
        })
    }
}

impl NetworksPane {
    /// Moves in the list or in the detail; false when the action is not a move.
    fn navigate(&mut self, action: Action, page: usize) -> bool {
        let len = if self.in_detail { self.detail_items().len() } else { self.visible().len() };
        let mut selection = Selection {
            index: if self.in_detail { self.detail_index } else { self.selection.index },
            filter: String::new(),
        };
        if !selection.apply(action, page, len) {
            return false;
        }
        if self.in_detail {
            self.detail_index = selection.index;
        } else {
            self.selection.index = selection.index;
        }
        true
    }
}

impl App {
    pub(super) fn networks_action(&mut self, action: Action) {
        let before = self.networks.selection.index;
        if !self.networks.navigate(action, self.page()) {
            let network = self.networks.selected().map(|r| r.network.id);
            match action {
                Action::Open | Action::Right if !self.networks.in_detail => {
                    if self.networks.detail_items().is_empty() {
                        self.info(
                            "Dit netwerk heeft nog geen praktijken, partners of deelnemers: p, z of d voegt ze toe.",
                        );
                    } else {
                        self.networks.in_detail = true;
                    }
                }
                Action::Back | Action::Left if self.networks.in_detail => self.networks.in_detail = false,
                Action::CycleSort => {
                    self.networks.sort = self.networks.sort.next();
                    self.networks.sort_rows();
                    if let Some(id) = network {
                        self.networks.select(id);
                    }
                    self.info(format!("Gesorteerd op {}.", self.networks.sort.label()));
                }
                Action::New => self.open_form(FormKind::Network(None)),
                Action::Edit => match (self.networks.selected_item(), network) {
                    (Some(item), Some(network)) => match self.networks.detail_form(network, item) {
                        Some(kind) => self.open_form(kind),
                        None => self.info("Het detail is niet geladen; kies het netwerk opnieuw."),
                    },
                    (None, Some(network)) => self.open_form(FormKind::Network(Some(network))),
                    _ => self.info("Geen netwerk gekozen."),
                },
                Action::NewPractice => self.with_network(|network| FormKind::Practice(network, None)),
                Action::EditShares => self.with_network(|network| FormKind::Shares(network, None)),
                Action::NewPartner => self.with_network(|network| FormKind::Partner(network, None)),
                Action::NewParticipant => self.with_network(|network| FormKind::Participant(network, None)),
                Action::EditCoreTeam => self.with_network(FormKind::CoreTeam),
                Action::ShowMilestones => match self.networks.selected().map(|r| r.network.id) {
                    Some(id) => self.open_milestones(id),
                    None => self.info("Geen netwerk gekozen; maak er een met n."),
                },
                Action::NewIonCount => match (self.networks.selected_item(), &self.networks.detail) {
                    (Some(DetailItem::Practice(i)), Some(detail)) => {
                        let kind = FormKind::IonCount(detail.id, detail.team.practices[i].id);
                        self.open_form(kind);
                    }
                    _ => self.info("Kies eerst een praktijk in het detail (Enter, dan ↑↓)."),
                },
                _ => {}
            }
        }
        if self.networks.selection.index != before {
            self.networks.detail_index = 0;
            if let Err(error) = self.networks.load_detail(&self.store) {
                self.error(error.to_string());
            }
        }
    }

    fn with_network(&mut self, kind: impl FnOnce(NetworkId) -> FormKind) {
        match self.networks.selected().map(|r| r.network.id) {
            Some(network) => self.open_form(kind(network)),
            None => self.info("Geen netwerk gekozen; maak er een met n."),
        }
    }
}
