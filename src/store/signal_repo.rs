//! The Signalen list computed from everything stored: shared by the pane and `report signals`.
//!
//! A network's signals depend on that network's records only (and the tariffs, the payment
//! batches, the day): they are computed per network and kept with the network's stamp (see
//! `changes.rs`), so after a save only the networks that save touched are computed again, and
//! every session of `sidw serve` shares what was computed.

use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::budget::{PartnerBudget, Spending, partner_budget_year};
use crate::domain::close::QuarterClose;
use crate::domain::signals::{ClosedQuarter, NetworkFacts, Signal, network_signals, programme_signals, sort_signals};
use crate::domain::{HoursEntry, Network, NetworkId, PartnerId, TariffBook, YearMonth};

use super::keys::TreeName;
use super::{Store, StoreError};

/// Each network's signals as last computed, with the stamp and day they were computed for.
#[derive(Default)]
pub(crate) struct SignalCache {
    networks: HashMap<NetworkId, Cached>,
    /// The whole list as last made: (generation, day, list), shared by every session on Signalen.
    all: Option<(u64, NaiveDate, Arc<Vec<Signal>>)>,
    /// How many times a network's signals were computed (for the tests).
    computed: u64,
}

struct Cached {
    stamp: (u64, u64),
    today: NaiveDate,
    signals: Arc<Vec<Signal>>,
}

/// batch id → (number, exported): a region's batch is read once for all its networks.
type BatchNames = HashMap<u64, (String, bool)>;

impl Store {
    /// [`Store::signals`], made once per change and day and shared: after a colleague's save
    /// the sessions on Signalen (each held a copy of the whole list, 20 000 rows on ten years)
    /// take the same list instead of each making it again.
    pub fn signals_shared(&self, today: NaiveDate) -> Result<Arc<Vec<Signal>>, StoreError> {
        // The generation is read before the list is made: a change meanwhile only means that
        // the list is made once more, never that a stale one is kept.
        let generation = self.generation();
        {
            let cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((made, day, list)) = &cache.all
                && *made == generation
                && *day == today
            {
                return Ok(list.clone());
            }
        }
        let list = Arc::new(self.signals(today)?);
        let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.all = Some((generation, today, list.clone()));
        Ok(list)
    }

    /// Every signal on `today`, oldest due date first.
    pub fn signals(&self, today: NaiveDate) -> Result<Vec<Signal>, StoreError> {
        // Stamps are read before what they cover: data newer than its stamp only means that it
        // is computed once more, never that stale data is kept.
        let (everything, _) = self.network_stamp(NetworkId(0));
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let networks = self.networks()?;
        let mut batches = BatchNames::new();
        let mut all = Vec::new();
        for network in &networks {
            let stamp = (everything, self.network_stamp(network.id).1);
            let cached = self.cached_signals(network.id, stamp, today);
            let signals = match cached {
                Some(signals) => signals,
                None => {
                    let signals = Arc::new(self.network_signals(network.id, &tariffs, &years, today, &mut batches)?);
                    let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    cache.networks.insert(network.id, Cached { stamp, today, signals: signals.clone() });
                    cache.computed += 1;
                    signals
                }
            };
            all.extend(signals.iter().cloned());
        }
        let refs: Vec<&Network> = networks.iter().collect();
        all.extend(programme_signals(today, &years, &refs, &self.municipal_years()?));
        sort_signals(&mut all);
        Ok(all)
    }

    /// How many times a network's signals were computed since the store was opened.
    #[doc(hidden)]
    pub fn signal_computations(&self) -> u64 {
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).computed
    }

    /// Forgets every network's signals (the tests compare with a fresh computation).
    #[doc(hidden)]
    pub fn forget_signals(&self) {
        let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.networks.clear();
        cache.all = None;
    }

    fn cached_signals(&self, network: NetworkId, stamp: (u64, u64), today: NaiveDate) -> Option<Arc<Vec<Signal>>> {
        let cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .networks
            .get(&network)
            .filter(|cached| cached.stamp == stamp && cached.today == today)
            .map(|cached| cached.signals.clone())
    }

    /// One network's signals, from its records as they stand.
    fn network_signals(
        &self,
        network: NetworkId,
        tariffs: &TariffBook,
        years: &[i32],
        today: NaiveDate,
        batches: &mut BatchNames,
    ) -> Result<Vec<Signal>, StoreError> {
        let network = self.network(network)?;
        let partners = self.partners(network.id)?;
        let agreements = self.agreements(network.id)?;
        let team = self.practice_team(network.id)?;
        let mut present: HashSet<(PartnerId, YearMonth)> = HashSet::new();
        let mut budgets: Vec<(i32, PartnerBudget)> = Vec::new();
        // A month marked nihil is a received form too (one scan for all the network's marks).
        present.extend(self.nihil_marks_of(network.id)?.iter().map(|m| (m.partner, m.month)));
        for year in years {
            let lines = self.hours_of(network.id, *year)?;
            present.extend(hours_forms_present(&lines));
            if lines.is_empty() || network.former_gez_owz {
                continue;
            }
            let categorised =
                lines.iter().filter_map(|l| partners.iter().find(|p| p.id == l.partner).map(|p| (l, p.category)));
            let spending = Spending::of_lines(categorised, tariffs)?;
            budgets.push((
                *year,
                PartnerBudget { budget: partner_budget_year(&network, &team, tariffs, *year)?, spending },
            ));
        }
        let mut closed = Vec::new();
        for close in self.scan::<QuarterClose>(TreeName::Closes, &network.id.to_key())? {
            let (batch, exported) = match batches.get(&close.batch) {
                Some(known) => known.clone(),
                None => {
                    let batch = self.batch(close.batch)?;
                    // A batch that pays nothing (a re-close with no difference, or all set off)
                    // has no file for the bank: nothing to send, so nothing late.
                    let exported = batch.lines.is_empty()
                        || self.tree(TreeName::Exports).contains_key(close.batch.to_be_bytes())?;
                    batches.entry(close.batch).or_insert((batch.number, exported)).clone()
                }
            };
            closed.push(ClosedQuarter { quarter: close.quarter, batch, exported });
        }
        let facts = NetworkFacts {
            network: &network,
            partners: &partners,
            agreements: &agreements,
            hours_present: &present,
            budgets: &budgets,
            closed: &closed,
        };
        Ok(network_signals(today, years, &facts))
    }
}

/// The (partner, month) pairs whose hours form was received, from a year's lines of a network.
fn hours_forms_present(lines: &[HoursEntry]) -> impl Iterator<Item = (PartnerId, YearMonth)> + '_ {
    lines.iter().map(|l| (l.partner, l.month))
}
