//! Pane 7, Gemeenten: per municipality and year the S1 "wijkgericht werken" facts (seed 000): 65+
//! insured, budget, proposed district-nursing providers, ZK's award, cooperation agreements; and the
//! networks that lie in the municipality with their district-nursing participants.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::municipality::{MunicipalYear, S1Rate, funded_years, municipal_signals};
use crate::domain::municipality_list::Municipality;
use crate::domain::{NetworkStatus, ParticipantKind};
use crate::store::{Store, StoreError};

use super::forms::FormKind;
use super::list::{Selection, visible};
use super::{Action, App, Confirm, ConfirmKind};

/// A network in the municipality, as the pane shows it.
pub struct MunicipalNetwork {
    pub name: String,
    pub status: NetworkStatus,
    /// Its district-nursing participants (funded from S1, never billing hours here).
    pub district_nursing: Vec<String>,
}

pub struct MunicipalityRow {
    /// Its name in the municipality list (the key of its S1 years).
    pub municipality: String,
    /// Its record in the list: CBS code, ZK and Medrie region, merger.
    pub info: Municipality,
    /// How it is shown: "Beemster (nu Purmerend)" after a merger.
    pub shown: String,
    /// What is recorded for the pane's year; `None` when nothing is yet.
    pub record: Option<MunicipalYear>,
    /// Rate × 65+ insured, when both are known.
    pub budget: Option<Decimal>,
    pub networks: Vec<MunicipalNetwork>,
    /// Why it needs attention (S1 signals), overdue ones.
    pub signals: Vec<String>,
}

pub struct MunicipalitiesPane {
    pub year: i32,
    pub rate: Option<S1Rate>,
    pub rows: Vec<MunicipalityRow>,
    pub selection: Selection,
}

impl MunicipalitiesPane {
    pub fn new(year: i32) -> Self {
        Self { year, rate: None, rows: Vec::new(), selection: Selection::default() }
    }

    /// The municipalities of the list that belong to a Medrie region, and those with a record for
    /// the year or a network, by name. With a list of regions: only the municipalities of those
    /// regions (by the municipality's own record, as the store decides who may change its S1 data).
    pub(crate) fn load(
        &mut self,
        store: &Store,
        today: NaiveDate,
        scope: &crate::domain::Scope,
    ) -> Result<(), StoreError> {
        let selected = self.selected().map(|r| r.municipality.clone());
        let list = store.municipality_list()?;
        let mut records = store.municipal_years()?;
        let mut networks = store.networks()?;
        let ours = |name: &str| scope.is_all() || list.region_of(name).is_some_and(|r| scope.contains(r));
        if !scope.is_all() {
            networks.retain(|n| scope.contains(n.region));
            records.retain(|r| ours(&r.municipality));
        }
        self.rate = store.s1_rate(self.year)?;
        let mut names: Vec<String> = list
            .all()
            .iter()
            .filter(|m| m.medrie_region.is_some())
            .map(|m| m.name.as_str())
            .chain(records.iter().filter(|r| r.year == self.year).map(|r| r.municipality.as_str()))
            .chain(networks.iter().map(|n| n.municipality.as_str()))
            .filter(|name| ours(name))
            .filter_map(|name| list.get(name).map(|m| m.name.clone()))
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup();
        let funded = funded_years(&networks, today);
        let signals = municipal_signals(today, &records, &funded);
        self.rows = names
            .into_iter()
            .filter_map(|name| list.get(&name).cloned().map(|info| (name, info)))
            .map(|(name, info)| {
                let record = records.iter().find(|r| r.municipality == name && r.year == self.year).cloned();
                let mut in_municipality = Vec::new();
                for n in networks.iter().filter(|n| n.municipality == name) {
                    let district_nursing = store
                        .participants(n.id)?
                        .into_iter()
                        .filter(|p| p.kind == ParticipantKind::Wijkverpleging)
                        .map(|p| p.name)
                        .collect();
                    in_municipality.push(MunicipalNetwork { name: n.name.clone(), status: n.status, district_nursing });
                }
                Ok(MunicipalityRow {
                    shown: list.display(&name),
                    budget: record.as_ref().and_then(|r| r.budget(self.rate.as_ref())),
                    record,
                    networks: in_municipality,
                    signals: signals
                        .iter()
                        .filter(|s| s.municipality == name && s.year == self.year)
                        .map(|s| s.text.clone())
                        .collect(),
                    info,
                    municipality: name,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        if let Some(name) = selected {
            self.select(&name);
        }
        self.selection.clamp(self.visible().len());
        Ok(())
    }

    pub fn visible(&self) -> Vec<usize> {
        visible(
            &self.selection.filter,
            self.rows.iter().map(|r| {
                let award = r.record.as_ref().map_or("", |rec| rec.award.dutch_label());
                let networks: Vec<&str> = r.networks.iter().map(|n| n.name.as_str()).collect();
                let region = r.info.medrie_region.map_or("", crate::domain::Region::name);
                format!("{} {region} {award} {}", r.shown, networks.join(" "))
            }),
        )
    }

    pub fn selected(&self) -> Option<&MunicipalityRow> {
        self.visible().get(self.selection.index).map(|i| &self.rows[*i])
    }

    pub fn select(&mut self, name: &str) {
        if let Some(index) = self.visible().iter().position(|i| self.rows[*i].municipality == name) {
            self.selection.index = index;
        }
    }

    /// The budgets of the rows that have one, summed.
    pub fn total_budget(&self) -> Decimal {
        self.rows.iter().filter_map(|r| r.budget).sum()
    }
}

impl App {
    pub(super) fn municipalities_action(&mut self, action: Action) {
        let len = self.municipalities.visible().len();
        let page = self.page();
        if self.municipalities.selection.apply(action, page, len) {
            return;
        }
        let year = self.municipalities.year;
        let selected = self.municipalities.selected().map(|r| (r.municipality.clone(), r.record.is_some()));
        match action {
            Action::PreviousQuarter | Action::NextQuarter => {
                self.municipalities.year += if action == Action::NextQuarter { 1 } else { -1 };
                self.municipalities.year = self.municipalities.year.clamp(2000, 2100);
                self.show_pane(super::Pane::Municipalities);
            }
            Action::New => self.open_form(FormKind::MunicipalYear(None, year)),
            Action::Edit | Action::Open => match selected {
                Some((name, _)) => self.open_form(FormKind::MunicipalYear(Some(name), year)),
                None => self.info("Geen gemeente gekozen; n legt S1-gegevens van een gemeente vast."),
            },
            // The admin role is checked before the pane sees the action (role::needed_for).
            Action::EditS1Rate => self.open_form(FormKind::S1Rate(year)),
            Action::AddMunicipality => self.open_form(FormKind::AddMunicipality),
            Action::MergeMunicipalities => self.open_form(FormKind::MergeMunicipalities),
            Action::Delete => match selected {
                Some((name, true)) => {
                    self.mode = super::Mode::Confirm(Confirm {
                        title: "S1-gegevens verwijderen?".into(),
                        lines: vec![format!(
                            "De S1-gegevens {year} van {name} (alleen als ze per vergissing zijn ingevoerd)."
                        )],
                        choices: vec![('j', "ja, verwijderen"), ('n', "nee")],
                        kind: ConfirmKind::DeleteMunicipalYear(name, year),
                    })
                }
                Some((name, false)) => self.info(format!("Voor {name} is over {year} nog niets vastgelegd.")),
                None => {}
            },
            _ => {}
        }
    }

    pub(super) fn delete_municipal_year(&mut self, name: &str, year: i32) {
        let ctx = self.ctx();
        match self.store.delete_municipal_year(&ctx, name, year) {
            Ok(()) => {
                self.info(format!("S1-gegevens {year} van {name} verwijderd."));
                self.reload();
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    /// Goes to a municipality's year (from a signal).
    pub(super) fn show_municipality(&mut self, name: &str, year: i32) {
        self.municipalities.year = year;
        self.municipalities.selection.filter.clear();
        self.show_pane(super::Pane::Municipalities);
        self.municipalities.select(name);
    }
}
