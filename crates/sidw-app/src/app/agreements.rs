//! Pane 2, Overeenkomsten: every agreement with its state and how late it is.

use chrono::NaiveDate;

use crate::domain::{Agreement, AgreementKind, AgreementState};
use crate::store::{Store, StoreError};

use super::forms::{AgreementDate, FormKind};
use super::list::{Selection, visible};
use super::{Action, App, Pane};

pub struct AgreementRow {
    pub agreement: Agreement,
    pub network: String,
    pub party: String,
    pub state: AgreementState,
    pub days_overdue: i64,
}

impl AgreementRow {
    fn search_text(&self) -> String {
        format!("{} {} {} {}", self.network, self.agreement.kind.dutch_label(), self.party, self.state.dutch_label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgreementSort {
    /// Overdue first (most days first), then waiting, then the rest.
    #[default]
    Urgency,
    Network,
    Sent,
}

impl AgreementSort {
    pub fn label(self) -> &'static str {
        match self {
            Self::Urgency => "urgentie",
            Self::Network => "netwerk",
            Self::Sent => "verzenddatum",
        }
    }
}

#[derive(Default)]
pub struct AgreementsPane {
    pub rows: Vec<AgreementRow>,
    pub selection: Selection,
    pub sort: AgreementSort,
}

impl AgreementsPane {
    /// The agreements of every network in `scope` (the user's regions).
    pub(crate) fn load(
        &mut self,
        store: &Store,
        today: NaiveDate,
        scope: &crate::domain::Scope,
    ) -> Result<(), StoreError> {
        let selected = self.selected().map(|r| r.agreement.id);
        let mut rows = Vec::new();
        for network in store.networks()?.into_iter().filter(|n| scope.contains(n.region)) {
            let partners = store.partners(network.id)?;
            for agreement in store.agreements(network.id)? {
                let party = match (agreement.kind, agreement.partner) {
                    (AgreementKind::Partner, Some(id)) => {
                        partners.iter().find(|p| p.id == id).map_or_else(|| format!("partner {id}"), |p| p.name.clone())
                    }
                    (kind, _) => kind.dutch_label().to_string(),
                };
                rows.push(AgreementRow {
                    state: agreement.state(today),
                    days_overdue: agreement.days_overdue(today),
                    party,
                    network: network.name.clone(),
                    agreement,
                });
            }
        }
        self.rows = rows;
        self.sort_rows();
        if let Some(id) = selected
            && let Some(position) = self.visible().iter().position(|i| self.rows[*i].agreement.id == id)
        {
            self.selection.index = position;
        }
        Ok(())
    }

    fn sort_rows(&mut self) {
        let urgency = |r: &AgreementRow| match r.state {
            AgreementState::TeLaat => 0,
            AgreementState::Verstuurd => 1,
            AgreementState::Concept => 2,
            AgreementState::Getekend => 3,
            AgreementState::Beeindigd => 4,
        };
        match self.sort {
            AgreementSort::Urgency => self.rows.sort_by(|a, b| {
                (urgency(a), -a.days_overdue, a.agreement.sent, &a.network).cmp(&(
                    urgency(b),
                    -b.days_overdue,
                    b.agreement.sent,
                    &b.network,
                ))
            }),
            AgreementSort::Network => self.rows.sort_by(|a, b| (&a.network, &a.party).cmp(&(&b.network, &b.party))),
            AgreementSort::Sent => self.rows.sort_by_key(|r| std::cmp::Reverse(r.agreement.sent)),
        }
    }

    pub fn visible(&self) -> Vec<usize> {
        visible(&self.selection.filter, self.rows.iter().map(AgreementRow::search_text))
    }

    pub fn selected(&self) -> Option<&AgreementRow> {
        self.visible().get(self.selection.index).map(|i| &self.rows[*i])
    }

    /// Selects the agreement, clearing a filter that hides it.
    pub fn select(&mut self, id: crate::domain::AgreementId) {
        if !self.visible().iter().any(|i| self.rows[*i].agreement.id == id) {
            self.selection.filter.clear();
        }
        if let Some(position) = self.visible().iter().position(|i| self.rows[*i].agreement.id == id) {
            self.selection.index = position;
        }
    }
}

impl App {
    pub(super) fn agreements_action(&mut self, action: Action) {
        let len = self.agreements.visible().len();
        let page = self.page();
        let selected = self.agreements.selected().map(|r| (r.agreement.network, r.agreement.id));
        let selection = &mut self.agreements.selection;
        match action {
            action if selection.apply(action, page, len) => {}
            Action::CycleSort => {
                self.agreements.sort = match self.agreements.sort {
                    AgreementSort::Urgency => AgreementSort::Network,
                    AgreementSort::Network => AgreementSort::Sent,
                    AgreementSort::Sent => AgreementSort::Urgency,
                };
                self.agreements.sort_rows();
                self.info(format!("Gesorteerd op {}.", self.agreements.sort.label()));
            }
            Action::New => {
                let network = self.networks.selected().map(|r| r.network.id);
                self.open_form(FormKind::NewAgreement(network));
            }
            Action::MarkSent | Action::MarkSigned | Action::EndAgreement => match selected {
                Some((network, id)) => {
                    let which = match action {
                        Action::MarkSent => AgreementDate::Sent,
                        Action::MarkSigned => AgreementDate::Signed,
                        _ => AgreementDate::Ended,
                    };
                    self.open_form(FormKind::AgreementDate(network, id, which));
                }
                None => self.info("Geen overeenkomst gekozen."),
            },
            Action::Open => {
                if let Some((network, _)) = selected {
                    self.networks.select(network);
                    self.show_pane(Pane::Networks);
                    let _ = self.networks.load_detail(&self.store);
                }
            }
            _ => {}
        }
    }
}
