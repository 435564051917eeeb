//! The append-only audit log: who changed what, when, and the record before and after.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{self, Record, decode};
use super::keys::{TreeName, hex};
use super::{Store, StoreError};

/// Who makes a change, and when: passed in by the caller, so tests fix the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    pub user: String,
    pub at: DateTime<Utc>,
}

impl ChangeContext {
    pub fn new(user: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self { user: user.into(), at }
    }

    /// The current login name and the system clock: for the command line and the local UI.
    pub fn local_now() -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "onbekend".into());
        Self::new(user, Utc::now())
    }
}

/// One change, as the audit log keeps it. `before` and `after` are the records as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub user: String,
    /// What was done, in Dutch: "uren toegevoegd", "netwerk gewijzigd", ...
    pub action: String,
    /// What it was done to: a readable name, e.g. "Zwolle-Zuid / Fysio De Wijk / 2025-03".
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The first fields of an audit entry, without the records before and after (the bulk of the
/// log): what the Logboek lists and filters on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AuditHead {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub user: String,
    pub action: String,
    pub subject: String,
}

impl AuditHead {
    /// The head of a whole entry.
    pub fn of(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            user: entry.user.clone(),
            action: entry.action.clone(),
            subject: entry.subject.clone(),
        }
    }

    /// Does the entry hold `word` (lower case) in its user, its action or one of its record's
    /// names as the Logboek shows them? The same rule the word index answers.
    fn holds(&self, word: &str) -> bool {
        terms_of(self).iter().any(|(_, term)| term.contains(word))
    }
}

/// The parts of a subject as the Logboek shows them: "Zwolle-Zuid / Fysio De Wijk / 2025-03" is
/// the network, the partner and the month "maart 2025". One rule for the screen, the report and
/// the index.
pub fn subject_parts(subject: &str) -> Vec<String> {
    subject.split(" / ").map(str::trim).filter(|p| !p.is_empty()).map(subject_part).collect()
}

fn subject_part(part: &str) -> String {
    let bytes = part.as_bytes();
    let month_shaped =
        bytes.len() == 7 && bytes[4] == b'-' && bytes.iter().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit());
    match month_shaped.then(|| crate::domain::YearMonth::parse(part)) {
        Some(Ok(month)) => month.dutch_name(),
        _ => part.to_string(),
    }
}

/// The subject as the Logboek shows it: its parts joined again.
pub fn subject_text(subject: &str) -> String {
    subject_parts(subject).join(" / ")
}

const USER: u8 = b'u';
const ACTION: u8 = b'a';
const RECORD: u8 = b'r';

/// The words of an entry that the word index holds: (kind, lower-case word), each once.
fn terms_of(head: &AuditHead) -> Vec<(u8, String)> {
    let clean = |text: &str| text.trim().to_lowercase().replace('\0', "");
    let mut terms = vec![(USER, clean(&head.user)), (ACTION, clean(&head.action))];
    for part in subject_parts(&head.subject) {
        let term = (RECORD, clean(&part));
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms.retain(|(_, word)| !word.is_empty());
    terms
}

fn term_key(kind: u8, word: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(word.len() + 1);
    key.push(kind);
    key.extend_from_slice(word.as_bytes());
    key
}

/// The day part of a time-index key: year (u16), month, day.
fn day_key(date: NaiveDate) -> [u8; 4] {
    let year = super::keys::year_key(date.year());
    [year[0], year[1], date.month() as u8, date.day() as u8]
}

/// Every index key of one entry: its day, each of its words, and the words themselves. The
/// transaction that writes the entry writes these (values empty); a rebuild and `check` make
/// them the same way.
pub(crate) fn index_keys(head: &AuditHead) -> Vec<(TreeName, Vec<u8>)> {
    let id = head.id.to_be_bytes();
    let mut time = day_key(head.at.date_naive()).to_vec();
    time.extend_from_slice(&id);
    let mut keys = vec![(TreeName::AuditTime, time)];
    for (kind, word) in terms_of(head) {
        let term = term_key(kind, &word);
        let mut posting = term.clone();
        posting.push(0);
        posting.extend_from_slice(&id);
        keys.push((TreeName::AuditWords, posting));
        keys.push((TreeName::AuditTerms, term));
    }
    keys
}

/// Set in `meta` once the indexes of the log are built (a store written before them gets them
/// at its first open, or when its back-up is restored).
pub(crate) const INDEX_BUILT_KEY: &[u8] = b"audit_index_built";

/// Decodes the head of an entry without its records before and after (the bulk of the log).
pub(crate) fn decode_head(key: &[u8], bytes: &[u8]) -> Result<AuditHead, StoreError> {
    let broken = |reason: String| StoreError::Corrupt { tree: TreeName::Audit.name(), key: hex(key), reason };
    match bytes {
        // The current layout: its head is decoded alone (bincode reads fields in order).
        [codec::MAGIC, hi, lo, body @ ..] if u16::from_be_bytes([*hi, *lo]) == <AuditEntry as Record>::VERSION => {
            bincode::serde::decode_from_slice::<AuditHead, _>(body, bincode::config::standard())
                .map(|(head, _)| head)
                .map_err(|e| broken(e.to_string()))
        }
        _ => decode::<AuditEntry>(bytes).map_err(|e| broken(e.to_string())).map(|entry| AuditHead::of(&entry)),
    }
}

/// A filter word of the Logboek.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    /// `12-03-2025`, `03-2025` or `2025`: the entry was written on that day, in that month or year.
    Date { from: NaiveDate, to: NaiveDate },
    /// Any other word: in the user, the action or a record's name (lower case).
    Text(String),
}

impl Word {
    fn parse(word: &str) -> Self {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let year = |s: &str| (s.len() == 4 && digits(s)).then(|| s.parse::<i32>().ok()).flatten();
        let parts: Vec<&str> = word.split('-').collect();
        let range = match parts.as_slice() {
            [y] => year(y).and_then(|y| Some((NaiveDate::from_ymd_opt(y, 1, 1)?, NaiveDate::from_ymd_opt(y, 12, 31)?))),
            [m, y] if digits(m) && m.len() <= 2 => {
                year(y).and_then(|y| crate::domain::YearMonth::new(y, m.parse().ok()?)).map(|month| {
                    (
                        month.first_day(),
                        crate::domain::calendar::one_month_after(month.first_day())
                            .pred_opt()
                            .unwrap_or(month.first_day()),
                    )
                })
            }
            [_, _, _] => crate::domain::calendar::parse_date(word).ok().map(|day| (day, day)),
            _ => None,
        };
        match range {
            Some((from, to)) if crate::domain::calendar::YEARS.contains(&from.year()) => Self::Date { from, to },
            _ => Self::Text(word.to_lowercase()),
        }
    }

    fn holds(&self, head: &AuditHead) -> bool {
        match self {
            Self::Date { from, to } => (*from..=*to).contains(&head.at.date_naive()),
            Self::Text(word) => head.holds(word),
        }
    }
}

/// A word that matches more record names, users or actions than this is not looked up in the
/// index: the log is searched for it in pages (the screen says so).
pub const MAX_TERMS: usize = 256;
/// How many index keys are counted to see which word of a filter is the most selective.
const ESTIMATE: usize = 1_000;

/// Where the candidates of a search come from, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// The whole log (no word is in the index).
    All,
    /// A range of days in the time index.
    Days { from: [u8; 4], to: [u8; 4] },
    /// The postings of these words (each key ends in 0).
    Words(Vec<Vec<u8>>),
}

/// Where a search stopped: the source it reads (which word of the filter, `None` for the whole
/// log) and the key below which it goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    word: Option<usize>,
    below: Vec<u8>,
}

/// One page of a search of the log.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    /// The entries found, whole, in the order of the source (newest first).
    pub entries: Vec<AuditEntry>,
    /// Where to go on, when the search stopped before the end of its source.
    pub resume: Option<AuditCursor>,
    /// How many entries were looked at.
    pub examined: usize,
    /// The search reads the whole log (a word matched too much for the index).
    pub unindexed: bool,
}

/// A filter of the Logboek, its words looked up in the indexes.
struct Query {
    words: Vec<Word>,
    /// Per word, its candidates in the index; `None` for a word the index cannot narrow.
    sources: Vec<Option<Source>>,
    /// Some text word is in no record name, user or action: nothing matches.
    impossible: bool,
}

impl Store {
    /// Builds the indexes of the log when this store has none yet (written before them): once.
    pub(crate) fn index_audit_log(&self) -> Result<(), StoreError> {
        let meta = self.tree(TreeName::Meta);
        if meta.contains_key(INDEX_BUILT_KEY)? {
            return Ok(());
        }
        for tree in [TreeName::AuditTime, TreeName::AuditWords, TreeName::AuditTerms] {
            self.tree(tree).clear()?;
        }
        let mut batches: [sled::Batch; 3] = Default::default();
        let mut pending = 0;
        let mut terms = std::collections::HashSet::new();
        let slot = |tree: TreeName| match tree {
            TreeName::AuditTime => 0,
            TreeName::AuditWords => 1,
            _ => 2,
        };
        for item in self.tree(TreeName::Audit).iter() {
            let (key, bytes) = item?;
            let head = decode_head(&key, &bytes)?;
            for (tree, key) in index_keys(&head) {
                if tree == TreeName::AuditTerms && !terms.insert(key.clone()) {
                    continue;
                }
                batches[slot(tree)].insert(key, &[]);
                pending += 1;
            }
            if pending >= 50_000 {
                self.apply_index_batches(&mut batches)?;
                pending = 0;
            }
        }
        self.apply_index_batches(&mut batches)?;
        meta.insert(INDEX_BUILT_KEY, &[1u8])?;
        self.db.flush()?;
        Ok(())
    }

    fn apply_index_batches(&self, batches: &mut [sled::Batch; 3]) -> Result<(), StoreError> {
        for (tree, batch) in [TreeName::AuditTime, TreeName::AuditWords, TreeName::AuditTerms].iter().zip(batches) {
            self.tree(*tree).apply_batch(std::mem::take(batch))?;
        }
        Ok(())
    }

    /// Writes the index keys of entries written outside a transaction (the generator's bulk).
    pub(crate) fn index_audit_heads(&self, heads: &[AuditHead]) -> Result<(), StoreError> {
        let mut batches: [sled::Batch; 3] = Default::default();
        for head in heads {
            for (tree, key) in index_keys(head) {
                let slot = match tree {
                    TreeName::AuditTime => 0,
                    TreeName::AuditWords => 1,
                    _ => 2,
                };
                batches[slot].insert(key, &[]);
            }
        }
        self.apply_index_batches(&mut batches)
    }

    /// Takes an entry removed outside a transaction (the generator's) out of the indexes; a word
    /// stays listed while another entry holds it.
    pub(crate) fn unindex_audit_head(&self, head: &AuditHead) -> Result<(), StoreError> {
        for (tree, key) in index_keys(head) {
            if tree == TreeName::AuditTerms {
                let mut prefix = key.clone();
                prefix.push(0);
                if self.tree(TreeName::AuditWords).scan_prefix(&prefix).next().is_none() {
                    self.tree(tree).remove(key)?;
                }
            } else {
                self.tree(tree).remove(key)?;
            }
        }
        Ok(())
    }

    /// `check`: the indexes hold exactly the keys the log's entries make (memory does not grow
    /// with the log: each entry's keys are looked up, then the trees' sizes compared).
    pub(crate) fn check_audit_index(&self, problems: &mut Vec<String>) -> Result<(usize, usize, usize), StoreError> {
        let mut expected = [0usize; 2];
        let mut missing = 0usize;
        for item in self.tree(TreeName::Audit).iter() {
            let (key, bytes) = item?;
            let Ok(head) = decode_head(&key, &bytes) else { continue };
            for (tree, index_key) in index_keys(&head) {
                match tree {
                    TreeName::AuditTime => expected[0] += 1,
                    TreeName::AuditWords => expected[1] += 1,
                    _ => {}
                }
                if !self.tree(tree).contains_key(&index_key)? {
                    missing += 1;
                    if missing <= 10 {
                        problems.push(format!(
                            "logboekregel {} ontbreekt in de index '{}' (sleutel {})",
                            head.id,
                            tree.name(),
                            hex(&index_key)
                        ));
                    }
                }
            }
        }
        if missing > 10 {
            problems.push(format!("nog {} sleutels van het logboek ontbreken in de indexen", missing - 10));
        }
        let found = [self.tree(TreeName::AuditTime).len(), self.tree(TreeName::AuditWords).len()];
        for ((tree, found), expected) in [TreeName::AuditTime, TreeName::AuditWords].iter().zip(found).zip(expected) {
            if found > expected {
                problems.push(format!(
                    "index '{}' heeft {} sleutels, het logboek maakt er {expected}: {} te veel",
                    tree.name(),
                    found,
                    found - expected
                ));
            }
        }
        let mut terms = 0;
        for item in self.tree(TreeName::AuditTerms).iter() {
            let (term, _) = item?;
            terms += 1;
            let mut prefix = term.to_vec();
            prefix.push(0);
            if self.tree(TreeName::AuditWords).scan_prefix(&prefix).next().transpose()?.is_none() {
                problems.push(format!(
                    "woord '{}' in de index '{}' komt in geen logboekregel voor",
                    String::from_utf8_lossy(&term[1..]),
                    TreeName::AuditTerms.name()
                ));
            }
        }
        Ok((found[0], found[1], terms))
    }

    /// The audit log newest first, read lazily (the log can be long).
    pub fn audit_entries_newest_first(&self) -> impl Iterator<Item = Result<AuditEntry, StoreError>> + '_ {
        self.tree(TreeName::Audit).iter().rev().map(|item| {
            let (key, bytes) = item?;
            super::decode_at(TreeName::Audit, &key, &bytes)
        })
    }

    /// The heads of the audit entries below `below` (all for `None`), newest first, read lazily
    /// and without decoding the records before and after.
    pub fn audit_heads_newest_first(
        &self,
        below: Option<u64>,
    ) -> impl Iterator<Item = Result<AuditHead, StoreError>> + '_ {
        let range = match below {
            Some(id) => self.tree(TreeName::Audit).range(..id.to_be_bytes()),
            None => self.tree(TreeName::Audit).range::<&[u8], _>(..),
        };
        range.rev().map(|item| {
            let (key, bytes) = item?;
            decode_head(&key, &bytes)
        })
    }

    /// One audit entry whole.
    pub fn audit_entry(&self, id: u64) -> Result<Option<AuditEntry>, StoreError> {
        self.get(TreeName::Audit, &id.to_be_bytes())
    }

    fn audit_head(&self, id: u64) -> Result<Option<AuditHead>, StoreError> {
        let key = id.to_be_bytes();
        self.tree(TreeName::Audit).get(key)?.map(|bytes| decode_head(&key, &bytes)).transpose()
    }

    /// The entries written on `from` to `to` (UTC days, both included; open ends for `None`),
    /// oldest first: read through the time index when a day is given, else the log in order.
    pub fn audit_entries_between(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Box<dyn Iterator<Item = Result<AuditEntry, StoreError>> + '_> {
        if from.is_none() && to.is_none() {
            return Box::new(self.tree(TreeName::Audit).iter().map(|item| {
                let (key, bytes) = item?;
                super::decode_at(TreeName::Audit, &key, &bytes)
            }));
        }
        let start = from.map_or([0; 4], day_key).to_vec();
        let end = to.map_or([0xff; 4], day_key);
        let mut end = end.to_vec();
        end.extend_from_slice(&[0xff; 9]);
        Box::new(self.tree(TreeName::AuditTime).range(start..end).filter_map(move |item| {
            let key = match item {
                Ok((key, _)) => key,
                Err(error) => return Some(Err(error.into())),
            };
            let id = u64::from_be_bytes(key[key.len().saturating_sub(8)..].try_into().ok()?);
            self.audit_entry(id).transpose()
        }))
    }

    /// Every audit entry, newest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = self.scan::<AuditEntry>(TreeName::Audit, &[])?;
        entries.reverse();
        Ok(entries)
    }

    /// Searches the log for the entries that hold every word of `filter` (see [`Word`]), newest
    /// first: at most `page` entries, looking at no more than `budget` entries, going on from
    /// `resume` (a search of the same filter that stopped). The most selective word's index is
    /// read; every other word is checked on the entry's head.
    pub fn audit_search(
        &self,
        filter: &str,
        resume: Option<&AuditCursor>,
        page: usize,
        budget: usize,
    ) -> Result<AuditPage, StoreError> {
        let query = self.query(filter)?;
        let mut result = AuditPage::default();
        if query.impossible {
            return Ok(result);
        }
        let word = match resume {
            Some(cursor) => cursor.word,
            None => self.most_selective(&query)?,
        };
        let source = word.and_then(|w| query.sources.get(w).cloned().flatten()).unwrap_or(Source::All);
        result.unindexed = source == Source::All && !query.words.is_empty();
        let below = resume.map(|c| c.below.as_slice());
        let mut candidates = self.candidates(&source, below)?;
        while let Some(candidate) = candidates.next() {
            let (position, head) = candidate?;
            if result.examined == budget || result.entries.len() == page {
                // Go on from this one next time: `below` is exclusive, so from the key above it.
                result.resume = Some(AuditCursor { word, below: successor(&position) });
                break;
            }
            result.examined += 1;
            let Some(head) = head else { continue };
            if query.words.iter().all(|w| w.holds(&head))
                && let Some(entry) = self.audit_entry(head.id)?
            {
                result.entries.push(entry);
            }
        }
        Ok(result)
    }

    fn query(&self, filter: &str) -> Result<Query, StoreError> {
        let words: Vec<Word> = filter.split_whitespace().map(Word::parse).collect();
        let texts: Vec<(usize, &str)> = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| match w {
                Word::Text(text) => Some((i, text.as_str())),
                Word::Date { .. } => None,
            })
            .collect();
        let mut matched: Vec<Vec<Vec<u8>>> = vec![Vec::new(); words.len()];
        if !texts.is_empty() {
            for item in self.tree(TreeName::AuditTerms).iter().keys() {
                let term = item?;
                let Ok(text) = std::str::from_utf8(&term[1..]) else { continue };
                for (i, word) in &texts {
                    if matched[*i].len() <= MAX_TERMS && text.contains(word) {
                        let mut prefix = term.to_vec();
                        prefix.push(0);
                        matched[*i].push(prefix);
                    }
                }
            }
        }
        let impossible = texts.iter().any(|(i, _)| matched[*i].is_empty());
        let sources = words
            .iter()
            .zip(matched)
            .map(|(word, terms)| match word {
                Word::Date { from, to } => Some(Source::Days { from: day_key(*from), to: day_key(*to) }),
                Word::Text(_) => (terms.len() <= MAX_TERMS).then_some(Source::Words(terms)),
            })
            .collect();
        Ok(Query { words, sources, impossible })
    }

    /// The word whose index holds the fewest keys (counted up to a bound), if any word is indexed.
    fn most_selective(&self, query: &Query) -> Result<Option<usize>, StoreError> {
        let mut best: Option<(usize, usize)> = None;
        for (i, source) in query.sources.iter().enumerate() {
            let Some(source) = source else { continue };
            let mut count = 0;
            let mut candidates = self.candidates(source, None)?;
            while count < ESTIMATE && candidates.next_key()?.is_some() {
                count += 1;
            }
            if best.is_none_or(|(_, least)| count < least) {
                best = Some((i, count));
            }
        }
        Ok(best.map(|(i, _)| i))
    }

    fn candidates(&self, source: &Source, below: Option<&[u8]>) -> Result<Candidates<'_>, StoreError> {
        Ok(match source {
            Source::All => {
                let tree = self.tree(TreeName::Audit);
                let range = match below {
                    Some(below) => tree.range(..below.to_vec()),
                    None => tree.range::<&[u8], _>(..),
                };
                Candidates::All(range.rev())
            }
            Source::Days { from, to } => {
                let mut end = to.to_vec();
                end.extend_from_slice(&[0xff; 8]);
                let end = match below {
                    Some(below) if below < end.as_slice() => below.to_vec(),
                    _ => successor(&end),
                };
                Candidates::Index(self, self.tree(TreeName::AuditTime).range(from.to_vec()..end).rev())
            }
            Source::Words(prefixes) => {
                let below_id = below.map(|b| b.to_vec());
                let streams = prefixes
                    .iter()
                    .map(|prefix| {
                        let tree = self.tree(TreeName::AuditWords);
                        let mut end = prefix.clone();
                        match &below_id {
                            Some(id) => end.extend_from_slice(id),
                            None => *end.last_mut().expect("a prefix ends in 0") = 1,
                        }
                        tree.range(prefix.clone()..end).rev().peekable()
                    })
                    .collect();
                Candidates::Merge(self, streams)
            }
        })
    }
}

/// The smallest key above `key`: `below` bounds are exclusive.
fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = key.to_vec();
    next.push(0);
    next
}

/// The candidates of a search: (position to go on from, head), newest first. An index key whose
/// entry is gone gives no head.
enum Candidates<'a> {
    All(std::iter::Rev<sled::Iter>),
    Index(&'a Store, std::iter::Rev<sled::Iter>),
    Merge(&'a Store, Vec<std::iter::Peekable<std::iter::Rev<sled::Iter>>>),
}

type Candidate = (Vec<u8>, Option<AuditHead>);

impl Candidates<'_> {
    /// The next candidate's position and audit id, without reading the entry.
    fn next_key(&mut self) -> Result<Option<(Vec<u8>, u64)>, StoreError> {
        let id_of = |key: &[u8]| -> u64 {
            key.len().checked_sub(8).and_then(|at| key[at..].try_into().ok()).map_or(0, u64::from_be_bytes)
        };
        match self {
            Self::All(iter) | Self::Index(_, iter) => match iter.next().transpose()? {
                Some((key, _)) => Ok(Some((key.to_vec(), id_of(&key)))),
                None => Ok(None),
            },
            Self::Merge(_, streams) => {
                // The highest id of the streams' next keys; the same id in other streams (an
                // entry whose user and record both hold the word) is taken with it.
                let mut best: Option<u64> = None;
                for stream in streams.iter_mut() {
                    match stream.peek() {
                        Some(Ok((key, _))) => best = best.max(Some(id_of(key))),
                        Some(Err(_)) => {
                            return Err(stream.next().expect("peeked").expect_err("peeked an error").into());
                        }
                        None => {}
                    }
                }
                let Some(best) = best else { return Ok(None) };
                for stream in streams.iter_mut() {
                    if matches!(stream.peek(), Some(Ok((key, _))) if id_of(key) == best) {
                        stream.next();
                    }
                }
                Ok(Some((best.to_be_bytes().to_vec(), best)))
            }
        }
    }

    fn next(&mut self) -> Option<Result<Candidate, StoreError>> {
        if let Self::All(iter) = self {
            return iter.next().map(|item| {
                let (key, bytes) = item?;
                Ok((key.to_vec(), Some(decode_head(&key, &bytes)?)))
            });
        }
        match self.next_key() {
            Ok(Some((position, id))) => {
                let store = match self {
                    Self::Index(store, _) | Self::Merge(store, _) => *store,
                    Self::All(_) => unreachable!("handled above"),
                };
                Some(store.audit_head(id).map(|head| (position, head)))
            }
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
