//! The Signalen list computed from everything stored: shared by the pane and `report signals`.
//!
//! A network's signals depend on that network's records only (and the tariffs, the payment
//! batches, the day): they are computed per network and kept with the network's stamp (see
//! `changes.rs`), so after a save only the networks that save touched are computed again, and
//! every session of `sidw serve` shares what was computed.
//!
//! What can still give a signal of the hours lines, nihil marks, practice team, agreements and
//! closes (the domain's `Standing`: months with a form missing, funded quarters not closed, years
//! whose budget is 80 % spent, closes whose batch pays something) is kept in the database as well
//! (`HoursFacts`, tree `signal_facts`), so that a fresh process (`report signals`, the screen's
//! start) need not read every line of every year, nor every batch, nor go over ten years of
//! settled months and quarters: every change removes the facts of the networks it touches inside
//! its own transaction, a tariff change moves the facts epoch, and facts missing or from another
//! epoch are computed from the lines and stored.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::budget::{PartnerBudget, Spending, partner_budget_year};
use crate::domain::close::{PaymentBatch, QuarterClose};
use crate::domain::signals::{
    ClosedQuarter, FormsReceived, NetworkFacts, Signal, Standing, StandingFacts, programme_signals,
    signals_of_standing, sort_signals, standing,
};
use crate::domain::{Network, NetworkId, Partner, TariffBook};

use super::codec::{MAGIC, Record, decode, encode};
use super::keys::{FACTS_EPOCH_KEY, TreeName};
use super::records::HoursFacts;
use super::{Store, StoreError};

/// Each network's signals as last computed, with the stamp and day they were computed for.
#[derive(Default)]
pub(crate) struct SignalCache {
    networks: HashMap<NetworkId, Cached>,
    /// The whole list as last made: (generation, day, list), shared by every session on Signalen
    /// and patched for the networks a change touched.
    all: Option<(u64, NaiveDate, Arc<SignalList>)>,
    /// How many times a network's signals were computed (for the tests).
    computed: u64,
    /// How many times a network's hours facts were computed and stored (for the tests).
    facts_computed: u64,
    /// How many rows' filter texts the shared list made (for the tests).
    texts_made: u64,
}

struct Cached {
    stamp: (u64, u64),
    today: NaiveDate,
    signals: Arc<Vec<Signal>>,
}

/// The Signalen list as every session on pane 4 shows it, made once per change and day and
/// shared: the rows (oldest due date first), each row's filter text and network, and what the
/// pane's title and columns need of all rows, so that neither a session's reload nor a frame goes
/// over the whole list.
#[derive(Default)]
pub struct SignalList {
    rows: Vec<Arc<Signal>>,
    /// "subject text" of each row in lower case (the filter looks through these).
    texts: Vec<Arc<str>>,
    /// The network each row is about; `None` for the programme's rows.
    owners: Vec<Option<NetworkId>>,
    /// The networks, by id (the programme's rows are made from them).
    networks: Vec<Network>,
    overdue: usize,
    widest_subject: usize,
}

impl SignalList {
    pub fn rows(&self) -> &[Arc<Signal>] {
        &self.rows
    }

    /// The lower-case filter text of each row ("subject text").
    pub fn texts(&self) -> &[Arc<str>] {
        &self.texts
    }

    /// How many rows are overdue.
    pub fn overdue(&self) -> usize {
        self.overdue
    }

    /// The longest subject, in characters.
    pub fn widest_subject(&self) -> usize {
        self.widest_subject
    }

    /// A list of `parts` (each sorted as `sort_signals` sorts, with its network), merged in the
    /// order `Store::signals` gives: by due date, subject and text, then by network id (in that
    /// order the networks are listed), the programme's last.
    fn merged(networks: Vec<Network>, parts: Vec<Vec<ListRow>>) -> Self {
        let mut all: Vec<ListRow> = parts.into_iter().flatten().collect();
        // Stable, and each part is sorted already: a merge in effect.
        all.sort_by(|a, b| order(&a.0, a.2).cmp(&order(&b.0, b.2)));
        let mut list = SignalList { networks, ..SignalList::default() };
        for (signal, text, owner) in all {
            list.overdue += usize::from(signal.overdue);
            list.widest_subject = list.widest_subject.max(signal.subject.chars().count());
            list.rows.push(signal);
            list.texts.push(text);
            list.owners.push(owner);
        }
        list
    }
}

/// The order of the shared list: `sort_signals`'s, then the network (the programme's last).
fn order(signal: &Signal, owner: Option<NetworkId>) -> (NaiveDate, &str, &str, u64) {
    (signal.due, &signal.subject, &signal.text, owner.map_or(u64::MAX, |n| n.0))
}

/// A network's (or the programme's) rows for the shared list: each with its filter text.
fn with_texts(signals: impl IntoIterator<Item = Signal>, owner: Option<NetworkId>) -> Vec<ListRow> {
    let mut rows: Vec<_> = signals
        .into_iter()
        .map(|s| {
            let text: Arc<str> = format!("{} {}", s.subject, s.text).to_lowercase().into();
            (Arc::new(s), text, owner)
        })
        .collect();
    rows.sort_by(|a, b| order(&a.0, a.2).cmp(&order(&b.0, b.2)));
    rows
}

/// A row of the shared list: the signal, its filter text, its network.
type ListRow = (Arc<Signal>, Arc<str>, Option<NetworkId>);

/// batch id → `None` when a payment file of it was written, else its number: looked up once for
/// all the batch's networks.
type BatchNames = std::collections::BTreeMap<u64, Option<String>>;

impl Store {
    /// The Signalen list on `today`, made once per change and day and shared by every session on
    /// Signalen. After a change that touched some networks only, the list last made is patched:
    /// those networks' rows are made again (their signals computed again), the programme's rows
    /// too (they read every network's record and the municipal years), and the other rows are
    /// kept as they are, with their filter texts.
    pub fn signals_shared(&self, today: NaiveDate) -> Result<Arc<SignalList>, StoreError> {
        // The generation is read before the list is made: a change meanwhile only means that
        // the list is made once more, never that a stale one is kept.
        let generation = self.generation();
        let last = {
            let cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match &cache.all {
                Some((made, day, list)) if *made == generation && *day == today => return Ok(list.clone()),
                Some((made, day, list)) if *day == today && *made < generation => Some((*made, list.clone())),
                _ => None,
            }
        };
        let touched = match &last {
            Some((made, _)) => self.touched_since(*made),
            None => super::Touched::everything(),
        };
        let list = match last {
            Some((_, last)) if !touched.all => self.patched_signals(&last, &touched.networks, today)?,
            _ => self.whole_signals(today)?,
        };
        let list = Arc::new(list);
        let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let newer = cache.all.as_ref().is_some_and(|(made, day, _)| *day == today && *made > generation);
        if !newer {
            cache.all = Some((generation, today, list.clone()));
        }
        Ok(list)
    }

    /// The shared list made from every network's signals (as cached, or computed).
    fn whole_signals(&self, today: NaiveDate) -> Result<SignalList, StoreError> {
        let (everything, _) = self.network_stamp(NetworkId(0));
        let read_at = self.generation();
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let networks = self.networks()?;
        let mut batches = BatchNames::new();
        let mut parts = Vec::with_capacity(networks.len() + 1);
        for network in &networks {
            let read = (network, read_at);
            let signals = self.signals_of(read, everything, &tariffs, &years, today, &mut batches)?;
            parts.push(with_texts(signals.iter().cloned(), Some(network.id)));
        }
        let refs: Vec<&Network> = networks.iter().collect();
        parts.push(with_texts(
            programme_signals(today, &years, &refs, &self.municipal_years()?, &self.municipality_list()?),
            None,
        ));
        parts.push(with_texts(self.bank_signals(today)?, None));
        self.count_texts(&parts);
        Ok(SignalList::merged(networks, parts))
    }

    /// `last` with the rows of the `touched` networks and of the programme made again.
    fn patched_signals(
        &self,
        last: &SignalList,
        touched: &std::collections::BTreeSet<NetworkId>,
        today: NaiveDate,
    ) -> Result<SignalList, StoreError> {
        let (everything, _) = self.network_stamp(NetworkId(0));
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let mut networks: Vec<Network> = last.networks.iter().filter(|n| !touched.contains(&n.id)).cloned().collect();
        let mut batches = BatchNames::new();
        let mut parts = Vec::with_capacity(touched.len() + 2);
        for id in touched {
            let read_at = self.generation();
            let network = match self.network(*id) {
                Ok(network) => network,
                Err(StoreError::NotFound(_)) => continue, // removed: its rows go
                Err(error) => return Err(error),
            };
            let signals = self.signals_of((&network, read_at), everything, &tariffs, &years, today, &mut batches)?;
            parts.push(with_texts(signals.iter().cloned(), Some(*id)));
            networks.push(network);
        }
        networks.sort_by_key(|n| n.id);
        let refs: Vec<&Network> = networks.iter().collect();
        parts.push(with_texts(
            programme_signals(today, &years, &refs, &self.municipal_years()?, &self.municipality_list()?),
            None,
        ));
        parts.push(with_texts(self.bank_signals(today)?, None));
        self.count_texts(&parts);
        let kept = (0..last.rows.len())
            .filter(|i| last.owners[*i].is_some_and(|owner| !touched.contains(&owner)))
            .map(|i| (last.rows[i].clone(), last.texts[i].clone(), last.owners[i]))
            .collect();
        parts.push(kept);
        Ok(SignalList::merged(networks, parts))
    }

    fn count_texts(&self, parts: &[Vec<ListRow>]) {
        let made: usize = parts.iter().map(Vec::len).sum();
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).texts_made += made as u64;
    }

    /// Every signal on `today`, oldest due date first.
    pub fn signals(&self, today: NaiveDate) -> Result<Vec<Signal>, StoreError> {
        // Stamps are read before what they cover: data newer than its stamp only means that it
        // is computed once more, never that stale data is kept.
        let (everything, _) = self.network_stamp(NetworkId(0));
        let read_at = self.generation();
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        let networks = self.networks()?;
        let mut batches = BatchNames::new();
        let mut all = Vec::new();
        for network in &networks {
            let signals = self.signals_of((network, read_at), everything, &tariffs, &years, today, &mut batches)?;
            all.extend(signals.iter().cloned());
        }
        let refs: Vec<&Network> = networks.iter().collect();
        all.extend(programme_signals(today, &years, &refs, &self.municipal_years()?, &self.municipality_list()?));
        all.extend(self.bank_signals(today)?);
        sort_signals(&mut all);
        Ok(all)
    }

    /// One network's signals: as cached while its stamp and the day hold, else computed (and
    /// cached). `read` is the network's record as read after the store's generation was the
    /// number given: it is used when no change since touched the network, else read again (the
    /// data must never be older than the stamp it is kept under).
    fn signals_of(
        &self,
        read: (&Network, u64),
        everything: u64,
        tariffs: &TariffBook,
        years: &[i32],
        today: NaiveDate,
        batches: &mut BatchNames,
    ) -> Result<Arc<Vec<Signal>>, StoreError> {
        let (network, read_at) = read;
        let id = network.id;
        let (now_everything, now_network) = self.network_stamp(id);
        let stamp = (everything, now_network);
        if let Some(signals) = self.cached_signals(id, stamp, today) {
            return Ok(signals);
        }
        let fresh;
        let network = if now_everything.max(now_network) > read_at {
            fresh = self.network(id)?;
            &fresh
        } else {
            network
        };
        let signals = Arc::new(self.network_signals(network, tariffs, years, today, batches)?);
        let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.networks.insert(id, Cached { stamp, today, signals: signals.clone() });
        cache.computed += 1;
        Ok(signals)
    }

    /// How many rows' filter texts the shared Signalen list made since the store was opened.
    #[doc(hidden)]
    pub fn signal_texts_made(&self) -> u64 {
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).texts_made
    }

    /// How many times a network's signals were computed since the store was opened.
    #[doc(hidden)]
    pub fn signal_computations(&self) -> u64 {
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).computed
    }

    /// How many times a network's hours facts were computed and stored since the store was opened.
    #[doc(hidden)]
    pub fn facts_computations(&self) -> u64 {
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).facts_computed
    }

    /// Removes every network's stored hours facts (the tests compare with a computation from the
    /// lines).
    #[doc(hidden)]
    pub fn clear_signal_facts(&self) -> Result<(), StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(super::Durable::Later, |w| w.clear(TreeName::SignalFacts))?;
        self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).networks.clear();
        Ok(())
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

    /// One network's signals, from its records as they stand (its hours lines, nihil marks,
    /// practice team and closes through its stored standing).
    fn network_signals(
        &self,
        network: &Network,
        tariffs: &TariffBook,
        years: &[i32],
        today: NaiveDate,
        batches: &mut BatchNames,
    ) -> Result<Vec<Signal>, StoreError> {
        let partners = self.partners(network.id)?;
        let agreements = self.agreements(network.id)?;
        let facts = self.hours_facts(network, &partners, tariffs, years)?;
        let budgets = facts
            .budgets
            .iter()
            .map(|(year, budget, spent, paid_by_practice_team)| {
                let spending = Spending { spent: *spent, paid_by_practice_team: *paid_by_practice_team };
                (*year, PartnerBudget { budget: *budget, spending })
            })
            .collect();
        let mut closed = Vec::new();
        for (quarter, batch) in &facts.closed {
            let waiting = match batches.get(batch) {
                Some(waiting) => waiting.clone(),
                None => {
                    let exported = self.tree(TreeName::Exports).contains_key(batch.to_be_bytes())?;
                    let waiting = if exported { None } else { Some(self.batch_head(*batch)?.0) };
                    batches.insert(*batch, waiting.clone());
                    waiting
                }
            };
            // Only a batch not yet written to a payment file can give a signal.
            if let Some(number) = waiting {
                closed.push(ClosedQuarter { quarter: *quarter, batch: number, exported: false });
            }
        }
        let standing = Standing { missing_forms: facts.missing_forms, unclosed: facts.unclosed, budgets };
        let facts = StandingFacts {
            network,
            partners: &partners,
            agreements: &agreements,
            standing: &standing,
            closed: &closed,
        };
        Ok(signals_of_standing(today, &facts))
    }

    /// A batch's number and whether it pays nothing, without decoding its lines (a region's
    /// batch holds every payee of ~100 networks): the fields before the lines are decoded alone
    /// and the lines' count is the next byte. Another layout than the current is decoded whole.
    fn batch_head(&self, id: u64) -> Result<(String, bool), StoreError> {
        let key = id.to_be_bytes();
        let bytes =
            self.tree(TreeName::Batches).get(key)?.ok_or_else(|| StoreError::NotFound(format!("betaalbatch {id}")))?;
        if let Some(head) = batch_head(&bytes) {
            return Ok(head);
        }
        let batch: PaymentBatch = super::decode_at(TreeName::Batches, &key, &bytes)?;
        Ok((batch.number, batch.lines.is_empty()))
    }

    /// The network's hours facts: as stored when they are still current, else computed from its
    /// lines and stored (unless a change came in meanwhile).
    fn hours_facts(
        &self,
        network: &Network,
        partners: &[Partner],
        tariffs: &TariffBook,
        years: &[i32],
    ) -> Result<HoursFacts, StoreError> {
        // The stamp and the epoch are read before the facts and the lines they cover: a change
        // after this moves one of them, and then what is computed here is not stored.
        let stamp = self.network_stamp(network.id);
        let epoch = self.facts_epoch()?;
        // Only a cache: one that cannot be read (damaged, or from a newer sidw) is computed again.
        let stored = self.tree(TreeName::SignalFacts).get(network.id.to_key())?;
        if let Some(stored) = stored.and_then(|bytes| decode::<HoursFacts>(&bytes).ok())
            && stored.epoch == epoch
        {
            return Ok(stored);
        }
        let facts = self.compute_hours_facts(network, partners, tariffs, years, epoch)?;
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.network_stamp(network.id) == stamp && self.facts_epoch()? == epoch {
            // Only a cache: when it cannot be written, it is computed again next time.
            let _ = self.bulk(super::Durable::Later, |w| {
                w.insert(TreeName::SignalFacts, &network.id.to_key(), &encode(&facts))
            });
            let mut cache = self.signal_cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            cache.facts_computed += 1;
        }
        Ok(facts)
    }

    /// The facts epoch as stored (0 before the first tariff change that moved it).
    pub(crate) fn facts_epoch(&self) -> Result<u64, StoreError> {
        Ok(self
            .tree(TreeName::Meta)
            .get(FACTS_EPOCH_KEY)?
            .and_then(|b| b.as_slice().try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0))
    }

    /// A network's facts computed from its lines, nihil marks, partners, agreements, practice
    /// team, the tariffs and its closes: what of them can still give a signal (the domain's
    /// `standing`).
    pub(crate) fn compute_hours_facts(
        &self,
        network: &Network,
        partners: &[Partner],
        tariffs: &TariffBook,
        years: &[i32],
        epoch: u64,
    ) -> Result<HoursFacts, StoreError> {
        let mut present = FormsReceived::default();
        // A month marked nihil is a received form too (one scan for all the network's marks).
        for mark in self.nihil_marks_of(network.id)? {
            present.insert(mark.partner, mark.month);
        }
        let team = self.practice_team(network.id)?;
        let mut budgets = Vec::new();
        for year in years {
            let lines = self.hours_of(network.id, *year)?;
            for line in &lines {
                // A line filed under another year than its month's (never written so) counts
                // for its month, as the lines say.
                present.insert(line.partner, line.month);
            }
            if lines.is_empty() || network.former_gez_owz {
                continue;
            }
            let categorised =
                lines.iter().filter_map(|l| partners.iter().find(|p| p.id == l.partner).map(|p| (l, p.category)));
            let spending = Spending::of_lines(categorised, tariffs)?;
            budgets.push((
                *year,
                PartnerBudget { budget: partner_budget_year(network, &team, tariffs, *year)?, spending },
            ));
        }
        let mut heads: HashMap<u64, (String, bool)> = HashMap::new();
        let mut closed = Vec::new();
        for close in self.scan::<QuarterClose>(TreeName::Closes, &network.id.to_key())? {
            let (number, pays_nothing) = match heads.get(&close.batch) {
                Some(head) => head.clone(),
                None => heads.entry(close.batch).or_insert(self.batch_head(close.batch)?).clone(),
            };
            closed.push((close.quarter, close.batch, number, pays_nothing));
        }
        let agreements = self.agreements(network.id)?;
        // Whether a batch was written to a payment file does not matter for the standing.
        let quarters: Vec<ClosedQuarter> = closed
            .iter()
            .map(|(quarter, _, number, _)| ClosedQuarter { quarter: *quarter, batch: number.clone(), exported: false })
            .collect();
        let all = NetworkFacts {
            network,
            partners,
            agreements: &agreements,
            hours_present: &present,
            budgets: &budgets,
            closed: &quarters,
        };
        let standing = standing(years, &all);
        Ok(HoursFacts {
            epoch,
            missing_forms: standing.missing_forms,
            unclosed: standing.unclosed,
            budgets: standing
                .budgets
                .iter()
                .map(|(year, b)| (*year, b.budget, b.spending.spent, b.spending.paid_by_practice_team))
                .collect(),
            // A batch that pays nothing (a re-close with no difference, or all set off) has no
            // file for the bank: nothing to send, so nothing late.
            closed: closed
                .into_iter()
                .filter(|(_, _, _, pays_nothing)| !pays_nothing)
                .map(|(quarter, batch, _, _)| (quarter, batch))
                .collect(),
        })
    }
}

/// The fields of a `PaymentBatch` before its lines, in the same order.
#[derive(serde::Deserialize)]
struct BatchHead {
    _id: u64,
    number: String,
    _quarter: crate::domain::Quarter,
    _networks: Vec<NetworkId>,
}

/// (number, pays nothing) of a batch stored in the current layout; `None` for any other.
fn batch_head(bytes: &[u8]) -> Option<(String, bool)> {
    let [MAGIC, hi, lo, body @ ..] = bytes else { return None };
    if u16::from_be_bytes([*hi, *lo]) != <PaymentBatch as Record>::VERSION {
        return None;
    }
    let (head, used) = bincode::serde::decode_from_slice::<BatchHead, _>(body, bincode::config::standard()).ok()?;
    // The lines' count follows (a variable-length integer: 0 is the one byte 0).
    let count = *body.get(used)?;
    Some((head.number, count == 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::close::PaymentBatch;

    /// The head read alone says what decoding the whole batch says, for a batch with and without
    /// lines, and a layout it does not know is left to the whole decoding.
    #[test]
    fn a_batch_head_agrees_with_the_whole_batch() {
        use crate::domain::close::{PaymentKind, PaymentLine};
        use crate::domain::{NetworkId, Quarter, validate::Iban};
        let quarter = Quarter::parse("2025-Q1").unwrap();
        let empty = PaymentBatch {
            id: 7,
            number: "2025-Q1-0003".into(),
            quarter,
            networks: vec![NetworkId(1), NetworkId(2)],
            lines: vec![],
            by_team: vec![],
            closed_by: "fin".into(),
            closed_at: chrono::DateTime::from_timestamp(1_743_584_400, 0).unwrap(),
            reopenings: vec![],
            team_differences: vec![],
            claims: vec![],
            set_offs: vec![],
        };
        assert_eq!(batch_head(&encode(&empty)), Some(("2025-Q1-0003".to_string(), true)));
        let line = PaymentLine {
            network: NetworkId(1),
            network_name: "Wijk".into(),
            quarter,
            kind: PaymentKind::Partner,
            payee: "Fysio".into(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            amount: rust_decimal::Decimal::new(12_345, 2),
            practice: None,
            partner: Some(crate::domain::PartnerId(3)),
            invoice: None,
            reference: "Wijk 2025-Q1".into(),
        };
        // 1 and 300 lines: a count of 251 and more takes more than one byte.
        for count in [1, 300] {
            let paying = PaymentBatch { lines: vec![line.clone(); count], ..empty.clone() };
            assert_eq!(batch_head(&encode(&paying)), Some(("2025-Q1-0003".to_string(), false)), "{count} lines");
        }
        let mut older = encode(&empty);
        older[2] = 1;
        assert_eq!(batch_head(&older), None);
        assert_eq!(batch_head(&[MAGIC]), None);
    }
}
