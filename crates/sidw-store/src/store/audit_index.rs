//! The indexes of the audit log: posting lists of audit ids, per day (`AuditTime`) and per word
//! (`AuditWords`: a user, an action, a record's name), and the words themselves (`AuditTerms`).
//!
//! A posting list is kept in blocks of at most [`BLOCK`] ids (ascending, 8 bytes each): the
//! open block under the list's prefix + `ff…ff`, each full block under the prefix + its first id.
//! The transaction that writes an entry appends its id to the open block of each of its lists
//! (one small read and write per list), so the log's index costs a few keys per hundred entries,
//! not a key per entry and word.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::audit::{AuditHead, decode_full_head, subject_parts};
use super::keys::{TreeName, hex};
use super::reader::Tables;
use super::tx::{Tx, TxResult};
use super::{Store, StoreError};

/// Ids per block.
pub(crate) const BLOCK: usize = 256;
/// The key suffix of a list's open block (sorts after every full block: it holds the newest ids).
const OPEN: [u8; 8] = [0xff; 8];

pub(crate) const USER: u8 = b'u';
pub(crate) const ACTION: u8 = b'a';
pub(crate) const RECORD: u8 = b'r';

/// Set in `meta` once the indexes of the log are built (a store written before them gets them
/// at its first open, or when its back-up is restored).
/// Set once the indexes are built. The heads' layout 2 (with the changes line) has its own key,
/// so a store indexed with layout-1 heads builds them again, once, at open.
pub(crate) const INDEX_BUILT_KEY: &[u8] = b"audit_index_built_2";
/// The mark of the heads' first layout (without their changes line).
const OLD_INDEX_BUILT_KEY: &[u8] = b"audit_index_built";

/// The words of an entry that the word index holds: (kind, lower-case word), each once. The words
/// are those of the user, the action and the subject's parts as the Logboek shows them, split at
/// spaces and slashes ("zwolle-zuid", "150-3", "maart"), and each of those again at every other
/// sign ("zwolle", "zuid", "150", "3"): a filter word finds the entries with a word that begins
/// with it.
pub(crate) fn terms_of(head: &AuditHead) -> Vec<(u8, String)> {
    let mut seen = std::collections::HashSet::new();
    let mut terms = Vec::new();
    each_word(head, |kind, term| {
        if seen.insert((kind, term.to_string())) {
            terms.push((kind, term.to_string()));
        }
        false
    });
    terms
}

/// Calls `found` with each word of the entry (see [`terms_of`]; a word may come more than once)
/// until it returns true; returns whether it did.
pub(crate) fn each_word(head: &AuditHead, mut found: impl FnMut(u8, &str) -> bool) -> bool {
    let mut visit = |kind: u8, text: &str| {
        for word in text.to_lowercase().split(|c: char| c.is_whitespace() || c == '/') {
            let word = word.replace('\0', "");
            if word.is_empty() {
                continue;
            }
            if found(kind, &word) {
                return true;
            }
            for part in word.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty() && *p != word) {
                if found(kind, part) {
                    return true;
                }
            }
        }
        false
    };
    visit(USER, &head.user)
        || visit(ACTION, &head.action)
        || subject_parts(&head.subject).iter().any(|part| visit(RECORD, part))
}

/// A word's key in `AuditTerms`: kind byte + the word.
pub(crate) fn term_key(kind: u8, word: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(word.len() + 1);
    key.push(kind);
    key.extend_from_slice(word.as_bytes());
    key
}

/// A word's posting list prefix in `AuditWords`: its term key and a zero byte.
pub(crate) fn word_prefix(term: &[u8]) -> Vec<u8> {
    let mut prefix = term.to_vec();
    prefix.push(0);
    prefix
}

/// A day's posting list prefix in `AuditTime`: year (u16), month, day.
pub(crate) fn day_key(date: NaiveDate) -> [u8; 4] {
    let year = super::keys::year_key(date.year());
    [year[0], year[1], date.month() as u8, date.day() as u8]
}

/// The posting lists an entry is in: its day, and each of its words.
pub(crate) fn lists_of(head: &AuditHead) -> Vec<(TreeName, Vec<u8>)> {
    let mut lists = vec![(TreeName::AuditTime, day_key(head.at.date_naive()).to_vec())];
    lists.extend(
        terms_of(head).into_iter().map(|(kind, word)| (TreeName::AuditWords, word_prefix(&term_key(kind, &word)))),
    );
    lists
}

fn block_key(prefix: &[u8], suffix: [u8; 8]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    key.extend_from_slice(&suffix);
    key
}

fn encode_ids(ids: &[u64]) -> Vec<u8> {
    ids.iter().flat_map(|id| id.to_be_bytes()).collect()
}

fn decode_ids(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes"))).collect()
}

/// Adds an entry to its lists and its words to `AuditTerms`, inside the entry's transaction.
pub(crate) fn index_in_tx(tx: &Tx, head: &AuditHead) -> TxResult<()> {
    for (tree, prefix) in lists_of(head) {
        let open = block_key(&prefix, OPEN);
        let mut ids = tx.get_raw(tree, &open)?.map(|b| decode_ids(&b)).unwrap_or_default();
        ids.push(head.id);
        if ids.len() >= BLOCK {
            tx.put_raw(tree, &block_key(&prefix, ids[0].to_be_bytes()), &encode_ids(&ids))?;
            tx.remove(tree, &open)?;
        } else {
            tx.put_raw(tree, &open, &encode_ids(&ids))?;
        }
    }
    for (kind, word) in terms_of(head) {
        tx.put_raw(TreeName::AuditTerms, &term_key(kind, &word), &[])?;
    }
    tx.put(TreeName::AuditHeads, &head.id.to_be_bytes(), head)
}

/// The ids of a range of posting lists, newest first within each list and lists from the last
/// in key order: (list prefix, id).
pub(crate) struct Postings {
    blocks: std::iter::Rev<super::reader::Iter>,
    prefix_len: usize,
    /// Ids of the current block still to give, ascending (taken from the end).
    pending: Vec<u64>,
    prefix: Vec<u8>,
    /// Go on from here (inclusive): in this list, no id above this one.
    upto: Option<(Vec<u8>, u64)>,
}

impl Postings {
    /// The lists whose prefixes (of `prefix_len` bytes) are `from..=to`, or `..=upto`'s list.
    pub(crate) fn new(
        tree: &super::reader::Table,
        from: &[u8],
        to: &[u8],
        prefix_len: usize,
        upto: Option<(Vec<u8>, u64)>,
    ) -> Self {
        let last = match &upto {
            Some((prefix, _)) if prefix.as_slice() < to => prefix.as_slice(),
            _ => to,
        };
        let mut end = block_key(last, OPEN);
        end.push(0);
        Self { blocks: tree.range(from.to_vec()..end).rev(), prefix_len, pending: Vec::new(), prefix: Vec::new(), upto }
    }

    pub(crate) fn next(&mut self) -> Result<Option<(Vec<u8>, u64)>, StoreError> {
        loop {
            if let Some(id) = self.pending.pop() {
                return Ok(Some((self.prefix.clone(), id)));
            }
            let Some((key, value)) = self.blocks.next().transpose()? else { return Ok(None) };
            super::audit::count_read(1);
            let Some(prefix) = key.get(..self.prefix_len) else { continue };
            self.prefix = prefix.to_vec();
            self.pending = decode_ids(&value);
            if let Some((upto_prefix, upto)) = &self.upto
                && upto_prefix.as_slice() == prefix
            {
                self.pending.retain(|id| id <= upto);
            }
        }
    }
}

impl Store {
    /// Builds the indexes of the log when this store has none yet (written before them): once.
    /// The lists are gathered in memory (8 bytes an id) and written in key order.
    pub(crate) fn index_audit_log(&self) -> Result<(), StoreError> {
        // The first layout's mark is back when an older sidw ran on this database since (it
        // rebuilt its own heads): then these heads are rebuilt too.
        let meta = self.tree(TreeName::Meta);
        if meta.contains_key(INDEX_BUILT_KEY)? && !meta.contains_key(OLD_INDEX_BUILT_KEY)? {
            return Ok(());
        }
        let entries = self.tree(TreeName::Audit).len()?;
        if entries > 0 {
            // Once per database, after an upgrade: on ten years of keying this takes half a minute,
            // so whoever waits is told why (before any screen is drawn).
            eprintln!(
                "sidw: het logboek ({}) wordt eenmalig opnieuw geordend voor het zoeken; dit duurt even.",
                crate::domain::dutch::count(entries, "regel", "regels")
            );
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.bulk(super::Durable::Now, |w| {
            for tree in [TreeName::AuditTime, TreeName::AuditWords, TreeName::AuditTerms, TreeName::AuditHeads] {
                w.clear(tree)?;
            }
            let mut lists: [BTreeMap<Vec<u8>, Vec<u64>>; 2] = Default::default();
            let mut terms = std::collections::BTreeSet::new();
            for item in self.tree(TreeName::Audit).iter() {
                let (key, bytes) = item?;
                // An entry whose body cannot be read keeps the head it has (its row shows the
                // reason): one damaged entry must not stop the database from opening.
                let head = match decode_full_head(&key, &bytes) {
                    Ok(head) => head,
                    Err(_) => super::audit::decode_head(&key, &bytes)?,
                };
                w.insert(TreeName::AuditHeads, &key, &super::codec::encode(&head))?;
                for (tree, prefix) in lists_of(&head) {
                    let slot = usize::from(tree == TreeName::AuditWords);
                    lists[slot].entry(prefix).or_default().push(head.id);
                }
                for (kind, word) in terms_of(&head) {
                    terms.insert(term_key(kind, &word));
                }
            }
            for (tree, lists) in [TreeName::AuditTime, TreeName::AuditWords].into_iter().zip(lists) {
                for (prefix, ids) in lists {
                    for (key, block) in blocks(&prefix, &ids) {
                        w.insert(tree, &key, &block)?;
                    }
                }
            }
            for term in terms {
                w.insert(TreeName::AuditTerms, &term, &[])?;
            }
            // The mark of the first layout of the heads (without their changes line) goes.
            w.remove(TreeName::Meta, OLD_INDEX_BUILT_KEY)?;
            w.insert(TreeName::Meta, INDEX_BUILT_KEY, &[1u8])
        })
    }

    /// Adds entries written outside a transaction (the generator's bulk, ids above every entry
    /// indexed so far) to the indexes.
    pub(crate) fn index_audit_heads(w: &Tables, heads: &[AuditHead]) -> Result<(), StoreError> {
        let mut lists: BTreeMap<(usize, Vec<u8>), Vec<u64>> = BTreeMap::new();
        for head in heads {
            w.insert(TreeName::AuditHeads, &head.id.to_be_bytes(), &super::codec::encode(head))?;
            for (tree, prefix) in lists_of(head) {
                lists.entry((tree.index(), prefix)).or_default().push(head.id);
            }
            for (kind, word) in terms_of(head) {
                w.insert(TreeName::AuditTerms, &term_key(kind, &word), &[])?;
            }
        }
        for ((tree, prefix), mut ids) in lists {
            let tree = TreeName::ALL[tree];
            let open = block_key(&prefix, OPEN);
            if let Some(bytes) = w.remove(tree, &open)? {
                let mut all = decode_ids(&bytes);
                all.append(&mut ids);
                ids = all;
            }
            for (key, block) in blocks(&prefix, &ids) {
                w.insert(tree, &key, &block)?;
            }
        }
        Ok(())
    }

    /// Takes an entry removed outside a transaction (the generator's) out of the indexes; a word
    /// stays listed while another entry holds it.
    pub(crate) fn unindex_audit_head(w: &Tables, head: &AuditHead) -> Result<(), StoreError> {
        w.remove(TreeName::AuditHeads, &head.id.to_be_bytes())?;
        for (tree, prefix) in lists_of(head) {
            if let Some((key, mut ids)) = block_with(&(w, tree), &prefix, head.id)? {
                ids.retain(|id| *id != head.id);
                w.remove(tree, &key)?;
                if !ids.is_empty() {
                    let open = key.ends_with(&OPEN);
                    let suffix = if open { OPEN } else { ids[0].to_be_bytes() };
                    w.insert(tree, &block_key(&prefix, suffix), &encode_ids(&ids))?;
                }
            }
        }
        for (kind, word) in terms_of(head) {
            let term = term_key(kind, &word);
            if !w.any_with_prefix(TreeName::AuditWords, &word_prefix(&term))? {
                w.remove(TreeName::AuditTerms, &term)?;
            }
        }
        Ok(())
    }

    /// `check`: the indexes hold exactly the entries of the log (each entry is in each of its
    /// lists, and the lists hold no more ids than that), and every word has entries. Memory does
    /// not grow with the log. Returns the ids in the day lists and the word lists, and the words.
    pub(crate) fn check_audit_index(&self, problems: &mut Vec<String>) -> Result<(usize, usize, usize), StoreError> {
        let mut expected = [0usize; 2];
        let mut missing = 0usize;
        let mut heads = 0usize;
        // One snapshot for the whole check: a table opened once, not once a lookup.
        let snapshot = self.snapshot()?;
        let stored_heads_table = snapshot.tree(TreeName::AuditHeads);
        let lists_tables = [snapshot.tree(TreeName::AuditTime), snapshot.tree(TreeName::AuditWords)];
        for item in snapshot.tree(TreeName::Audit).iter() {
            let (key, bytes) = item?;
            let Ok(head) = decode_full_head(&key, &bytes) else { continue };
            heads += 1;
            let stored = stored_heads_table.get(&key)?;
            if stored.as_deref().map(super::codec::decode::<AuditHead>).and_then(Result::ok).as_ref() != Some(&head) {
                problems.push(format!(
                    "logboekregel {}: de kop in '{}' ontbreekt of wijkt af",
                    head.id,
                    TreeName::AuditHeads.name()
                ));
            }
            for (tree, prefix) in lists_of(&head) {
                expected[usize::from(tree == TreeName::AuditWords)] += 1;
                let table = &lists_tables[usize::from(tree == TreeName::AuditWords)];
                if block_with(table, &prefix, head.id)?.is_none() {
                    missing += 1;
                    if missing <= 10 {
                        problems.push(format!(
                            "logboekregel {} ontbreekt in de index '{}' (lijst {})",
                            head.id,
                            tree.name(),
                            hex(&prefix)
                        ));
                    }
                }
            }
        }
        if missing > 10 {
            problems.push(format!("nog {} plaatsen van logboekregels ontbreken in de indexen", missing - 10));
        }
        let mut found = [0usize; 2];
        for (slot, tree) in [TreeName::AuditTime, TreeName::AuditWords].into_iter().enumerate() {
            for item in snapshot.tree(tree).iter() {
                let (key, value) = item?;
                let ids = decode_ids(&value);
                found[slot] += ids.len();
                let sorted = ids.windows(2).all(|w| w[0] < w[1]);
                let keyed =
                    key.ends_with(&OPEN) || ids.first().is_some_and(|first| key.ends_with(&first.to_be_bytes()));
                if !sorted || !keyed || ids.is_empty() || value.len() % 8 != 0 {
                    problems.push(format!("blok {} in de index '{}' is beschadigd", hex(&key), tree.name()));
                }
            }
            if found[slot] != expected[slot] {
                problems.push(format!(
                    "index '{}' heeft {} plaatsen, het logboek maakt er {}",
                    tree.name(),
                    found[slot],
                    expected[slot]
                ));
            }
        }
        let stored_heads = stored_heads_table.len()?;
        if stored_heads != heads {
            problems.push(format!(
                "'{}' heeft {stored_heads} koppen, het logboek {heads} regels",
                TreeName::AuditHeads.name()
            ));
        }
        let mut terms = 0;
        for item in snapshot.tree(TreeName::AuditTerms).iter() {
            let (term, _) = item?;
            terms += 1;
            if lists_tables[1].scan_prefix(word_prefix(&term)).next().transpose()?.is_none() {
                problems.push(format!(
                    "woord '{}' in de index '{}' komt in geen logboekregel voor",
                    String::from_utf8_lossy(term.get(1..).unwrap_or_default()),
                    TreeName::AuditTerms.name()
                ));
            }
        }
        Ok((found[0], found[1], terms))
    }
}

/// The blocks of a list holding `ids` (ascending): full ones under their first id, the rest open.
fn blocks(prefix: &[u8], ids: &[u64]) -> Vec<(Vec<u8>, Vec<u8>)> {
    ids.chunks(BLOCK)
        .map(|chunk| {
            let suffix = if chunk.len() == BLOCK { chunk[0].to_be_bytes() } else { OPEN };
            (block_key(prefix, suffix), encode_ids(chunk))
        })
        .collect()
}

/// The block of a list that holds `id`, if any: the open block, or the full block with the
/// highest first id not above `id`.
/// A block: its key and its ids.
type Block = (Vec<u8>, Vec<u64>);

/// Where [`block_with`] looks: a table of a read snapshot, or of a write transaction.
trait Blocks {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn last_in(&self, from: &[u8], to: &[u8]) -> Result<Option<super::reader::Pair>, StoreError>;
}

impl Blocks for super::reader::Table {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        super::reader::Table::get(self, key)
    }
    fn last_in(&self, from: &[u8], to: &[u8]) -> Result<Option<super::reader::Pair>, StoreError> {
        self.range(from..to).next_back().transpose()
    }
}

impl Blocks for (&Tables<'_>, TreeName) {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(self.1, key)
    }
    fn last_in(&self, from: &[u8], to: &[u8]) -> Result<Option<super::reader::Pair>, StoreError> {
        self.0.last_in(self.1, from, to)
    }
}

fn block_with(tree: &impl Blocks, prefix: &[u8], id: u64) -> Result<Option<Block>, StoreError> {
    let open = block_key(prefix, OPEN);
    if let Some(bytes) = tree.get(&open)? {
        let ids = decode_ids(&bytes);
        if ids.contains(&id) {
            return Ok(Some((open, ids)));
        }
    }
    let mut end = block_key(prefix, id.to_be_bytes());
    end.push(0);
    if let Some((key, bytes)) = tree.last_in(prefix, &end)? {
        let ids = decode_ids(&bytes);
        if key.len() == prefix.len() + 8 && ids.contains(&id) {
            return Ok(Some((key.to_vec(), ids)));
        }
    }
    Ok(None)
}
