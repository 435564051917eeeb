//! The Signalen list computed from everything stored: shared by the pane and `report signals`.

use chrono::NaiveDate;
use std::collections::HashSet;

use crate::domain::budget::{PartnerBudget, Spending, partner_budget_year};
use crate::domain::signals::{NetworkFacts, Signal, signals};
use crate::domain::{PartnerId, YearMonth};

use super::{Store, StoreError};

impl Store {
    /// Every signal on `today`, oldest due date first.
    pub fn signals(&self, today: NaiveDate) -> Result<Vec<Signal>, StoreError> {
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let networks = self.networks()?;
        let mut owned = Vec::new();
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
            owned.push((partners, agreements, present, budgets));
        }
        let facts: Vec<NetworkFacts> = networks
            .iter()
            .zip(&owned)
            .map(|(network, (partners, agreements, present, budgets))| NetworkFacts {
                network,
                partners,
                agreements,
                hours_present: present,
                budgets,
            })
            .collect();
        Ok(signals(today, &years, &facts, &self.municipal_years()?))
    }
}
