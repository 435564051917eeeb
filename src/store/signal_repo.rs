//! The Signalen list computed from everything stored: shared by the pane and `report signals`.

use chrono::NaiveDate;
use std::collections::HashSet;

use crate::domain::budget::{PartnerBudget, Spending, partner_budget_year};
use crate::domain::close::QuarterClose;
use crate::domain::signals::{ClosedQuarter, NetworkFacts, Signal, signals};
use crate::domain::{PartnerId, YearMonth};

use super::keys::TreeName;
use super::{Store, StoreError};

impl Store {
    /// Every signal on `today`, oldest due date first.
    pub fn signals(&self, today: NaiveDate) -> Result<Vec<Signal>, StoreError> {
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let networks = self.networks()?;
        let mut owned = Vec::new();
        // batch id → (number, exported): a region's batch is read once for all its networks.
        let mut batches: std::collections::HashMap<u64, (String, bool)> = std::collections::HashMap::new();
        for network in &networks {
            let partners = self.partners(network.id)?;
            let agreements = self.agreements(network.id)?;
            let team = self.practice_team(network.id)?;
            let mut present: HashSet<(PartnerId, YearMonth)> = HashSet::new();
            let mut budgets: Vec<(i32, PartnerBudget)> = Vec::new();
            for year in &years {
                let lines = self.hours_of(network.id, *year)?;
                present.extend(lines.iter().map(|l| (l.partner, l.month)));
                // A month marked nihil is a received form too.
                for quarter in crate::domain::Quarter::of_year(*year) {
                    present.extend(self.nihil_marks(network.id, quarter)?.iter().map(|m| (m.partner, m.month)));
                }
                if lines.is_empty() || network.former_gez_owz {
                    continue;
                }
                let categorised =
                    lines.iter().filter_map(|l| partners.iter().find(|p| p.id == l.partner).map(|p| (l, p.category)));
                let spending = Spending::of_lines(categorised, &tariffs)?;
                budgets.push((
                    *year,
                    PartnerBudget { budget: partner_budget_year(network, &team, &tariffs, *year)?, spending },
                ));
            }
            let mut closed = Vec::new();
            for close in self.scan::<QuarterClose>(TreeName::Closes, &network.id.to_key())? {
                let (batch, exported) = match batches.get(&close.batch) {
                    Some(known) => known.clone(),
                    None => {
                        let batch = self.batch(close.batch)?;
                        // A batch that pays nothing (a re-close with no difference, or all set
                        // off) has no file for the bank: nothing to send, so nothing late.
                        let exported = batch.lines.is_empty()
                            || self.tree(TreeName::Exports).contains_key(close.batch.to_be_bytes())?;
                        let number = batch.number;
                        batches.entry(close.batch).or_insert((number, exported)).clone()
                    }
                };
                closed.push(ClosedQuarter { quarter: close.quarter, batch, exported });
            }
            owned.push((partners, agreements, present, budgets, closed));
        }
        let facts: Vec<NetworkFacts> = networks
            .iter()
            .zip(&owned)
            .map(|(network, (partners, agreements, present, budgets, closed))| NetworkFacts {
                network,
                partners,
                agreements,
                hours_present: present,
                budgets,
                closed,
            })
            .collect();
        Ok(signals(today, &years, &facts, &self.municipal_years()?))
    }
}
