//! The append-only audit log: who changed what, when, and the record before and after.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::audit_index::{Postings, day_key};
use serde::{Deserialize, Serialize};

use super::codec::{self, Record, decode};
use super::keys::{TreeName, hex};
use super::{Store, StoreError};

/// Who makes a change, when, and what they may change: passed in by the caller, so tests fix
/// the clock. The store refuses a change the access does not allow, whichever path asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    pub user: String,
    pub at: DateTime<Utc>,
    pub access: crate::domain::Access,
}

impl ChangeContext {
    /// A change with every role in every region: the local command line and screen.
    pub fn new(user: impl Into<String>, at: DateTime<Utc>) -> Self {
        Self { user: user.into(), at, access: crate::domain::Access::full() }
    }

    /// A change by a served user: their role and regions.
    pub fn with_access(mut self, access: crate::domain::Access) -> Self {
        self.access = access;
        self
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub user: String,
    pub action: String,
    pub subject: String,
    /// What changed, on one line in Dutch, as the Logboek lists it (`audit_text::changes_text`):
    /// made once when the entry is written, so listing an entry never reads its records before
    /// and after (a close's are the whole region's batch). `None` for a head read from the log
    /// itself (`Store::audit_heads_newest_first`), which does not describe the entry.
    pub changes: Option<String>,
}

/// The fields an audit entry begins with: its head without the changes line.
#[derive(Deserialize)]
struct HeadFields {
    id: u64,
    at: DateTime<Utc>,
    user: String,
    action: String,
    subject: String,
}

impl AuditHead {
    /// The head of a whole entry, with its changes line.
    pub fn of(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            user: entry.user.clone(),
            action: entry.action.clone(),
            subject: entry.subject.clone(),
            changes: Some(super::audit_text::changes_text(&super::audit_text::describe(entry).changes)),
        }
    }

    /// Does a word of the entry's user, action or record names (as the Logboek shows them)
    /// begin with `word` (lower case)? The same rule the word index answers.
    fn holds(&self, word: &str) -> bool {
        super::audit_index::each_word(self, |_, term| term.starts_with(word))
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

/// Decodes the head of an entry without its records before and after (the bulk of the log), and
/// so without its changes line.
pub(crate) fn decode_head(key: &[u8], bytes: &[u8]) -> Result<AuditHead, StoreError> {
    let broken = |reason: String| StoreError::Corrupt { tree: TreeName::Audit.name(), key: hex(key), reason };
    match bytes {
        // The current layout: its head is decoded alone (bincode reads fields in order).
        [codec::MAGIC, hi, lo, body @ ..] if u16::from_be_bytes([*hi, *lo]) == <AuditEntry as Record>::VERSION => {
            bincode::serde::decode_from_slice::<HeadFields, _>(body, bincode::config::standard())
                .map(|(h, _)| AuditHead {
                    id: h.id,
                    at: h.at,
                    user: h.user,
                    action: h.action,
                    subject: h.subject,
                    changes: None,
                })
                .map_err(|e| broken(e.to_string()))
        }
        _ => decode::<AuditEntry>(bytes)
            .map_err(|e| broken(e.to_string()))
            .map(|entry| AuditHead { changes: None, ..AuditHead::of(&entry) }),
    }
}

/// Decodes an entry whole into its head with the changes line: what the heads tree keeps.
pub(crate) fn decode_full_head(key: &[u8], bytes: &[u8]) -> Result<AuditHead, StoreError> {
    decode::<AuditEntry>(bytes)
        .map_err(|e| StoreError::Corrupt { tree: TreeName::Audit.name(), key: hex(key), reason: e.to_string() })
        .map(|entry| AuditHead::of(&entry))
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
            Self::Date { from, to } => (*from..=*to).contains(&office_day(head.at)),
            Self::Text(word) => head.holds(word),
        }
    }
}

/// A word that matches more record names, users or actions than this is not looked up in the
/// index: the log is searched for it in pages (the screen says so).
pub const MAX_TERMS: usize = 32;
/// How many index keys are counted to see which word of a filter is the most selective.
pub const ESTIMATE: usize = 200;

thread_local! {
    /// Index keys (words, posting blocks) and entry heads read by the Logboek's searches on this
    /// thread: what a filter keystroke costs, counted for the tests.
    static KEYS_READ: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` keys read by a search.
pub(crate) fn count_read(n: usize) {
    KEYS_READ.with(|read| read.set(read.get() + n as u64));
}

/// Index keys and entry heads the Logboek's searches read on this thread so far.
#[doc(hidden)]
pub fn keys_read() -> u64 {
    KEYS_READ.with(std::cell::Cell::get)
}

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
/// log), and the list and id it goes on from (that id included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor {
    word: Option<usize>,
    list: Vec<u8>,
    id: u64,
}

/// One page of a search of the log.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    /// The heads of the entries found (without the records before and after, the bulk of the
    /// log), in the order of the source (newest first).
    pub entries: Vec<AuditHead>,
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

/// The office's day of a moment: the local date, as the Logboek and `report log` show the time.
pub fn office_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono::Local).date_naive()
}

/// The UTC days that hold every moment of the office days `from` to `to` (the time index is by
/// UTC day, which no office's offset moves by more than one).
fn utc_days_around(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from.pred_opt().unwrap_or(from), to.succ_opt().unwrap_or(to))
}

impl Store {
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
            None => self.tree(TreeName::Audit).iter(),
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
        count_read(1);
        self.get(TreeName::AuditHeads, &id.to_be_bytes())
    }

    /// The entries written on `from` to `to` (office days, as the Logboek shows the time; both
    /// included; open ends for `None`), oldest first: read through the time index when a day is
    /// given, else the log in order.
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
        // The index is by UTC day: read a day more on each side, keep the office's days.
        let wanted = move |entry: &AuditEntry| {
            let day = office_day(entry.at);
            from.is_none_or(|from| day >= from) && to.is_none_or(|to| day <= to)
        };
        let (wider_from, wider_to) = utc_days_around(from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX));
        let start = from.map_or([0; 4], |_| day_key(wider_from)).to_vec();
        let mut end = to.map_or([0xff; 4], |_| day_key(wider_to)).to_vec();
        end.extend_from_slice(&[0xff; 9]);
        let ids = self.tree(TreeName::AuditTime).range(start..end).flat_map(|item| {
            let ids: Vec<Result<u64, StoreError>> = match item {
                Ok((_, block)) => {
                    block.chunks_exact(8).map(|c| Ok(u64::from_be_bytes(c.try_into().expect("8 bytes")))).collect()
                }
                Err(error) => vec![Err(error)],
            };
            ids
        });
        Box::new(
            ids.filter_map(move |id| match id {
                Ok(id) => self.audit_entry(id).transpose(),
                Err(error) => Some(Err(error)),
            })
            .filter(move |entry| entry.as_ref().map_or(true, &wanted)),
        )
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
        let from = resume.map(|c| (c.list.clone(), c.id));
        let mut candidates = self.candidates(&source, from);
        while let Some(candidate) = candidates.next() {
            let (list, id, head) = candidate?;
            if result.examined == budget || result.entries.len() == page {
                // Go on from this one next time.
                result.resume = Some(AuditCursor { word, list, id });
                break;
            }
            result.examined += 1;
            let Some(head) = head else { continue };
            if query.words.iter().all(|w| w.holds(&head)) {
                result.entries.push(head);
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
        // The words that begin with each filter word, of each kind: a range of the terms, read
        // up to one more than the index looks up.
        let mut matched: Vec<Vec<Vec<u8>>> = vec![Vec::new(); words.len()];
        for (i, word) in &texts {
            for kind in [super::audit_index::USER, super::audit_index::ACTION, super::audit_index::RECORD] {
                let start = super::audit_index::term_key(kind, word);
                for term in self.tree(TreeName::AuditTerms).scan_prefix(&start).keys() {
                    if matched[*i].len() > MAX_TERMS {
                        break;
                    }
                    count_read(1);
                    matched[*i].push(super::audit_index::word_prefix(&term?));
                }
            }
        }
        let impossible = texts.iter().any(|(i, _)| matched[*i].is_empty());
        let sources = words
            .iter()
            .zip(matched)
            .map(|(word, terms)| match word {
                Word::Date { from, to } => {
                    let (from, to) = utc_days_around(*from, *to);
                    Some(Source::Days { from: day_key(from), to: day_key(to) })
                }
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
            let mut candidates = self.candidates(source, None);
            while count < ESTIMATE && candidates.next_id()?.is_some() {
                count += 1;
            }
            if best.is_none_or(|(_, least)| count < least) {
                best = Some((i, count));
            }
        }
        Ok(best.map(|(i, _)| i))
    }

    fn candidates(&self, source: &Source, from: Option<(Vec<u8>, u64)>) -> Candidates<'_> {
        match source {
            Source::All => {
                let tree = self.tree(TreeName::AuditHeads);
                let range = match from {
                    Some((_, id)) => tree.range(..=id.to_be_bytes()),
                    None => tree.iter(),
                };
                Candidates::All(range.rev())
            }
            Source::Days { from: first, to } => {
                Candidates::Days(self, Postings::new(&self.tree(TreeName::AuditTime), first, to, 4, from))
            }
            Source::Words(prefixes) => {
                let streams = prefixes
                    .iter()
                    .map(|prefix| {
                        let upto = from.as_ref().map(|(_, id)| (prefix.clone(), *id));
                        (Postings::new(&self.tree(TreeName::AuditWords), prefix, prefix, prefix.len(), upto), None)
                    })
                    .collect();
                Candidates::Merge(self, streams)
            }
        }
    }
}

/// The candidates of a search, newest first: (list, id, head). An id whose entry is gone gives
/// no head.
enum Candidates<'a> {
    All(std::iter::Rev<super::reader::Iter>),
    Days(&'a Store, Postings),
    /// The lists of several words, merged: each with its next id read ahead.
    Merge(&'a Store, Vec<(Postings, Option<u64>)>),
}

type Candidate = (Vec<u8>, u64, Option<AuditHead>);

impl Candidates<'_> {
    /// The next candidate's list and id, without reading the entry.
    fn next_id(&mut self) -> Result<Option<(Vec<u8>, u64)>, StoreError> {
        match self {
            Self::All(iter) => match iter.next().transpose()? {
                Some((key, _)) => {
                    count_read(1);
                    Ok(Some((Vec::new(), key.as_slice().try_into().map(u64::from_be_bytes).unwrap_or(0))))
                }
                None => Ok(None),
            },
            Self::Days(_, postings) => postings.next(),
            Self::Merge(_, streams) => {
                // The highest id of the lists' next ids; the same id in other lists (an entry
                // whose user and record both hold the word) is taken with it.
                let mut best: Option<u64> = None;
                for (postings, ahead) in streams.iter_mut() {
                    if ahead.is_none() {
                        *ahead = postings.next()?.map(|(_, id)| id);
                    }
                    best = best.max(*ahead);
                }
                let Some(best) = best else { return Ok(None) };
                for (_, ahead) in streams.iter_mut() {
                    if *ahead == Some(best) {
                        *ahead = None;
                    }
                }
                Ok(Some((Vec::new(), best)))
            }
        }
    }

    fn next(&mut self) -> Option<Result<Candidate, StoreError>> {
        if let Self::All(iter) = self {
            return iter.next().map(|item| {
                count_read(1);
                let (key, bytes) = item?;
                let id = key.as_slice().try_into().map(u64::from_be_bytes).unwrap_or(0);
                Ok((Vec::new(), id, Some(super::decode_at(TreeName::AuditHeads, &key, &bytes)?)))
            });
        }
        match self.next_id() {
            Ok(Some((list, id))) => {
                let store = match self {
                    Self::Days(store, _) | Self::Merge(store, _) => *store,
                    Self::All(_) => return None,
                };
                Some(store.audit_head(id).map(|head| (list, id, head)))
            }
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
