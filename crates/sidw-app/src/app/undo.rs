//! `u`: undo the last saved change of this session, as a new audited change.

use crate::domain::municipality::{MunicipalYear, S1Rate};
use crate::domain::{
    Agreement, Network, NetworkId, Participant, Partner, PartnerId, PracticeTeam, TariffTable, YearMonth,
};
use crate::store::{CellOutcome, Store, StoreError};

use super::App;

/// How to put back what one saved change did.
pub enum UndoOp {
    /// An hours cell (a partner's month: its lines and nihil mark) as it was, and as this session
    /// left it: put back only while it is still as left, so a colleague's later save is kept.
    /// Covers lines added, changed and deleted, nihil marked and removed.
    Hours(Box<CellOutcome>),
    /// A network as it was before, and as this session saved it: undone only while it is still
    /// as saved, so a colleague's change since (or a start of funding derived meanwhile) is kept.
    Network {
        before: Box<Network>,
        after: Box<Network>,
    },
    Partner(Partner),
    Participant(Participant),
    Team(PracticeTeam),
    Agreement(Agreement),
    Tariffs(TariffTable),
    /// A municipality's S1 year as it was (`None`: it was new).
    MunicipalYear {
        municipality: String,
        year: i32,
        before: Option<Box<MunicipalYear>>,
    },
    S1Rate(S1Rate),
    /// Something new was created: not undone (delete it by hand), but said so.
    Created(&'static str),
}

impl UndoOp {
    /// What the change was, for messages.
    fn describe(&self) -> String {
        match self {
            Self::Hours(cell) => format!("uren {}", cell.before.month.dutch_name()),
            Self::Network { before, .. } => format!("netwerk {}", before.name),
            Self::Partner(p) => format!("partner {}", p.name),
            Self::Participant(p) => format!("deelnemer {}", p.name),
            Self::Team(_) => "praktijkteam".into(),
            Self::Agreement(_) => "overeenkomst".into(),
            Self::Tariffs(t) => format!("tarieven {}", t.year),
            Self::MunicipalYear { municipality, year, .. } => format!("S1 {year} van {municipality}"),
            Self::S1Rate(rate) => format!("S1-tarief {}", rate.year),
            Self::Created(what) => format!("nieuw {what}"),
        }
    }
}

impl App {
    /// Remembers a network change for `u`: the record before, and as this session stored it.
    pub(super) fn push_network_undo(&mut self, before: Network, after: Network) {
        self.push_undo(UndoOp::Network { before: Box::new(before), after: Box::new(after) });
    }

    /// Runs a change of one hours cell and remembers it for `u`: the cell before, and as this
    /// session left it (read right after the change).
    pub(super) fn change_cell<T>(
        &mut self,
        (network, partner, month): (NetworkId, PartnerId, YearMonth),
        change: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let before = self.store.cell(network, partner, month)?;
        let value = change(&self.store)?;
        let after = self.store.cell(network, partner, month)?;
        self.push_undo(UndoOp::Hours(Box::new(CellOutcome { before, after })));
        Ok(value)
    }

    pub(super) fn push_undo(&mut self, op: UndoOp) {
        self.undo.push(op);
        if self.undo.len() > 100 {
            self.undo.remove(0);
        }
    }

    pub(super) fn undo(&mut self) {
        let Some(op) = self.undo.pop() else {
            self.info("Niets om ongedaan te maken.");
            return;
        };
        let ctx = self.ctx();
        let store = &self.store;
        let result: Result<String, StoreError> = match &op {
            UndoOp::Hours(cell) => store
                .restore_cell(&ctx, &cell.after, &cell.before)
                .map(|_| format!("uren {} teruggezet", cell.before.month.dutch_name())),
            UndoOp::Network { before, after } => match store.network(before.id) {
                Ok(now) if now == **after => {
                    store.update_network(&ctx, before).map(|_| format!("netwerk {}", before.name))
                }
                Ok(_) => Err(StoreError::Refused(format!(
                    "netwerk {} is sindsdien ook door een ander gewijzigd; pas het met de hand aan",
                    before.name
                ))),
                Err(error) => Err(error),
            },
            UndoOp::Partner(before) => store.update_partner(&ctx, before).map(|_| format!("partner {}", before.name)),
            UndoOp::Participant(before) => {
                store.update_participant(&ctx, before).map(|_| format!("deelnemer {}", before.name))
            }
            UndoOp::Team(before) => store.save_practice_team(&ctx, before).map(|_| "praktijkteam".to_string()),
            UndoOp::Agreement(before) => store.update_agreement(&ctx, before).map(|_| "overeenkomst".to_string()),
            UndoOp::Tariffs(before) => store.save_tariffs(&ctx, before).map(|_| format!("tarieven {}", before.year)),
            UndoOp::MunicipalYear { municipality, year, before } => match before {
                Some(before) => store.save_municipal_year(&ctx, before),
                None => store.delete_municipal_year(&ctx, municipality, *year),
            }
            .map(|_| format!("S1 {year} van {municipality}")),
            UndoOp::S1Rate(before) => store.save_s1_rate(&ctx, before).map(|_| format!("S1-tarief {}", before.year)),
            UndoOp::Created(what) => {
                self.info(format!("Een nieuw {what} maakt u niet ongedaan met u; pas het aan of laat het staan."));
                return;
            }
        };
        match result {
            Ok(what) => {
                self.info(format!("Ongedaan gemaakt: {what}."));
                self.reload();
            }
            Err(error) => {
                // Dropped: trying it again would fail again and keep older changes out of reach.
                self.error(format!("Ongedaan maken lukt niet ({}): {error}", op.describe()));
            }
        }
    }
}
