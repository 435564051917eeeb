//! Logboek on a long log: a filter is looked up in the log's indexes (day, and the words of the
//! user, the action and the record's names: a filter word finds the words that begin with it), so
//! an old entry is found at once; a word that begins very many different words is searched for in
//! bounded parts, and moving past the last entry searches on. The indexes stay equal to the log
//! under random appends, `check` sees a damaged index, and a store without them gets them once.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use common::{ctx, press};
use rust_decimal::Decimal;
use sidw::app::log::{LOG_PAGE, LOG_SCAN};
use sidw::store::keys::TreeName;
use sidw::store::{AuditEntry, ChangeContext, Store};

/// A store whose log holds `n` entries "regel 0" (oldest) … "regel n-1" after the setup's; the
/// fourth oldest is "naald" instead.
fn long_log(n: usize) -> Store {
    let store = Store::temporary().unwrap();
    let network = common::network_with_ion(&store, "Noord", 10_000);
    let partner = common::add_partner(&store, network, "Fysio", sidw::domain::Discipline::Fysiotherapeut);
    store.import_hours(&ctx(), &[common::new_hours(network, partner, 1, Decimal::ONE)]).unwrap();
    let lines: Vec<(String, usize)> =
        (0..n).map(|i| (if i == 3 { "naald".into() } else { format!("regel {i}") }, i)).collect();
    store.audit_import_as_keyed_for_generator(&ctx(), &lines).unwrap();
    store
}

fn app(store: &Store) -> sidw::app::App {
    let clock: sidw::app::Clock =
        std::sync::Arc::new(|| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 10, 15, 10, 0, 0).unwrap());
    let mut app = sidw::app::App::new(store.clone(), "anna", clock);
    app.handle(sidw::app::Action::Resize(120, 40));
    app
}

fn subjects(app: &sidw::app::App) -> Vec<&str> {
    app.log.entries.iter().map(|e| e.subject.as_str()).collect()
}

#[test]
fn an_old_entry_is_found_at_once_through_the_index() {
    let n = LOG_SCAN * 5 + 500;
    let store = long_log(n);
    let mut app = app(&store);
    press(&mut app, "6");
    // No filter: one page of the newest.
    assert_eq!(app.log.entries.len(), LOG_PAGE);
    assert_eq!(app.log.entries[0].subject, format!("regel {}", n - 1));
    // Listed by their heads; the one selected is read whole for the screen.
    assert!(app.log.described(app.store(), 0).unwrap().changes.iter().any(|c| c.after.is_some()));
    assert!(app.log.truncated);

    // "naald" is the oldest but three, far beyond what one keystroke may scan: the word index
    // finds it without reading the log.
    press(&mut app, "/naald<Enter>");
    assert_eq!(subjects(&app), ["naald"]);
    assert!(!app.log.truncated);
    assert!(!app.log.unindexed);
    assert!(app.log.searched <= 2, "looked at {} entries", app.log.searched);
    // A word that is in no name, user or action: nothing, at once.
    press(&mut app, "/<BS><BS><BS><BS><BS>spijker<Enter>");
    assert!(app.log.entries.is_empty());
    assert!(!app.log.truncated);
    assert_eq!(app.log.searched, 0);
}

#[test]
fn a_word_in_many_entries_pages_through_its_index_and_a_very_broad_word_is_searched_in_parts() {
    let n = (LOG_SCAN * 4).max(2_000);
    let store = long_log(n);
    let mut app = app(&store);
    // "regel" is one word of n entries: read from its index list, a page at a time.
    press(&mut app, "6/regel<Enter>");
    assert!(!app.log.unindexed);
    assert_eq!(app.log.entries.len(), LOG_PAGE);
    assert!(app.log.truncated);
    press(&mut app, "G<Down>");
    assert_eq!(app.log.entries.len(), 2 * LOG_PAGE);
    assert_eq!(app.log.selection.index, LOG_PAGE, "on the first entry of the new page");
    let listed = subjects(&app);
    assert!(listed.windows(2).all(|w| w[0] != w[1]), "no entry listed twice");
    assert_eq!(listed[LOG_PAGE], format!("regel {}", n - 1 - LOG_PAGE));
    for _ in 0..(n / LOG_PAGE + 5) {
        if !app.log.truncated {
            break;
        }
        press(&mut app, "G<Down>");
    }
    assert_eq!(app.log.entries.len(), n - 1, "every 'regel' once (the fourth is 'naald')");

    // A broad word with a rare one: the rare one's index is read, the broad one checked.
    press(&mut app, "/<BS><BS><BS><BS><BS>regel 1234<Enter>");
    assert_eq!(subjects(&app), ["regel 1234"]);
    assert!(!app.log.unindexed);

    // "1" begins more different words than the index looks up (1, 10, 100, 1000, …): the log
    // itself is searched, a bounded part a keystroke, and searching on reaches the oldest.
    press(&mut app, "/<BS><BS><BS><BS><BS><BS><BS><BS><BS><BS>1<Enter>");
    assert!(app.log.unindexed);
    assert!(app.log.searched <= LOG_SCAN);
    for _ in 0..(n / LOG_PAGE + 5) {
        if !app.log.truncated {
            break;
        }
        press(&mut app, "G<Down>");
    }
    assert!(!app.log.truncated);
    let listed = subjects(&app);
    assert!(listed.contains(&"regel 1") && listed.contains(&"regel 10") && !listed.contains(&"regel 21"));
    assert!(app.log.searched <= n + 10, "every entry looked at once: {}", app.log.searched);
}

#[test]
fn a_short_log_is_searched_whole_at_once() {
    let store = long_log(50);
    let mut app = app(&store);
    press(&mut app, "6/regel 4<Enter>");
    assert!(!app.log.truncated);
    // Every word of the filter begins a word of the entry: "regel" and "4" (4, 40, …, 49; not 14).
    let expected: Vec<String> = (40..50).rev().map(|i| format!("regel {i}")).chain(["regel 4".to_string()]).collect();
    assert_eq!(subjects(&app), expected);
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> ChangeContext {
    ChangeContext::new("anna", Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap())
}

#[test]
fn a_date_finds_the_entries_of_that_day_month_or_year_and_both_sides_of_each_edge() {
    let store = Store::temporary().unwrap();
    let events = [
        (at(2024, 12, 31, 23, 59), "oud"),
        (at(2025, 3, 1, 0, 0), "begin maart"),
        (at(2025, 3, 12, 8, 0), "twaalf maart"),
        (ChangeContext { user: "Bert".into(), ..at(2025, 3, 12, 9, 0) }, "twaalf maart bert"),
        (at(2025, 3, 13, 0, 0), "dertien maart"),
        (at(2025, 3, 31, 23, 59), "eind maart"),
        (at(2025, 4, 1, 0, 0), "april"),
        (at(2026, 1, 1, 0, 0), "nieuw jaar"),
    ];
    for (ctx, subject) in &events {
        store.record_event(ctx, "notitie", subject, "").unwrap();
    }
    let found = |filter: &str| -> Vec<String> {
        let page = store.audit_search(filter, None, 100, 100).unwrap();
        assert!(page.resume.is_none());
        page.entries.into_iter().map(|e| e.subject).collect()
    };
    assert_eq!(found("12-03-2025"), ["twaalf maart bert", "twaalf maart"]);
    assert_eq!(found("13-03-2025"), ["dertien maart"]);
    assert_eq!(found("03-2025"), ["eind maart", "dertien maart", "twaalf maart bert", "twaalf maart", "begin maart"]);
    assert_eq!(found("3-2025").len(), 5);
    assert_eq!(found("04-2025"), ["april"]);
    assert_eq!(found("2025").len(), 6);
    assert_eq!(found("2024"), ["oud"]);
    assert!(found("01-01-2027").is_empty());
    // A user, any case; with a date.
    assert_eq!(found("bert"), ["twaalf maart bert"]);
    assert_eq!(found("BERT 12-03-2025"), ["twaalf maart bert"]);
    assert!(found("bert 13-03-2025").is_empty());
    assert_eq!(found("anna 12-03-2025"), ["twaalf maart"]);
    // An action word.
    assert_eq!(found("notitie").len(), events.len());
    // Not a date (no such day): a word like any other, found nowhere.
    assert!(found("31-02-2025").is_empty());
}

/// A small pseudo-random generator (xorshift), so the test repeats.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn the_indexes_follow_random_appends_and_answer_as_reading_the_whole_log_would() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let users = ["anna", "bert", "Carla", "daan"];
    let networks = ["Zwolle-Zuid", "Almere Haven", "Dalfsen"];
    let partners = ["Fysio De Wijk", "Pedicure Assendorp", "Apotheek Zuid"];
    let mut random = Random(0x5eed);
    for _ in 0..600 {
        let ctx = ChangeContext::new(
            users[random.below(4) as usize],
            Utc.with_ymd_and_hms(
                2024 + random.below(2) as i32,
                1 + random.below(12) as u32,
                1 + random.below(28) as u32,
                12,
                0,
                0,
            )
            .unwrap(),
        );
        let subject = format!(
            "{} / {} / 2025-{:02}",
            networks[random.below(3) as usize],
            partners[random.below(3) as usize],
            1 + random.below(12)
        );
        // Two actions: each is in more entries than one index block holds (256).
        let action = ["urencel gewijzigd", "nihil gemarkeerd"][random.below(2) as usize];
        store.record_event(&ctx, action, &subject, "").unwrap();
    }
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.counts["audit_time"], 600);

    // Every filter answers what reading the whole log answers, in pages, newest first.
    let log = store.audit_log().unwrap();
    let holds = |entry: &AuditEntry, word: &str| {
        let text = format!("{} {} {}", entry.user, entry.action, sidw::store::audit::subject_text(&entry.subject))
            .to_lowercase();
        // The words of the text, and the pieces of each between other signs.
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '/')
            .flat_map(|w| std::iter::once(w).chain(w.split(|c: char| !c.is_alphanumeric())))
            .collect();
        match word {
            "03-2025" => entry.at.format("%m-%Y").to_string() == word,
            "2024" | "2025" => entry.at.format("%Y").to_string() == word,
            _ => words.iter().any(|w| w.starts_with(word)),
        }
    };
    for filter in [
        "anna",
        "carla dalfsen",
        "maart",
        "pedicure 2024",
        "03-2025 zuid",
        "gemarkeerd bert",
        "nihil",
        "2025",
        "e",
        "zzz",
    ] {
        let expected: Vec<u64> =
            log.iter().filter(|e| filter.split_whitespace().all(|w| holds(e, w))).map(|e| e.id).collect();
        let mut found = Vec::new();
        let mut resume = None;
        loop {
            let page = store.audit_search(filter, resume.as_ref(), 7, 50).unwrap();
            found.extend(page.entries.iter().map(|e| e.id));
            resume = page.resume;
            if resume.is_none() {
                break;
            }
        }
        let mut sorted = expected.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let mut found_sorted = found.clone();
        found_sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(found_sorted, sorted, "filter '{filter}'");
        assert_eq!(found.len(), expected.len(), "filter '{filter}': none twice");
    }

    // A damaged index is a problem for check: an entry missing from its day, an id too many, a
    // broken block, a word of no entry.
    let newest = log[0].id;
    let (block_key, block) = store_pairs(&store, TreeName::AuditTime)
        .into_iter()
        .find(|(_, value)| value.chunks(8).any(|c| c == newest.to_be_bytes()))
        .unwrap();
    let without: Vec<u8> = block.chunks(8).filter(|c| *c != newest.to_be_bytes()).flatten().copied().collect();
    store.raw_insert_for_tests(TreeName::AuditTime, &block_key, &without).unwrap();
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&format!("logboekregel {newest} ontbreekt"))), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("'audit_time' heeft 599 plaatsen, het logboek maakt er 600")),
        "{problems:?}"
    );
    store.raw_insert_for_tests(TreeName::AuditTime, &block_key, &block).unwrap();
    assert!(store.check().unwrap().is_ok());
    let phantom = b"ufantoom\0\xff\xff\xff\xff\xff\xff\xff\xff";
    store.raw_insert_for_tests(TreeName::AuditWords, phantom, &1u64.to_be_bytes()).unwrap();
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("'audit_words' heeft") && p.contains("plaatsen")), "{problems:?}");
    store.raw_insert_for_tests(TreeName::AuditWords, phantom, &[1, 2, 3]).unwrap();
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("beschadigd")), "{problems:?}");
    store.raw_remove_for_tests(TreeName::AuditWords, phantom).unwrap();
    store.raw_insert_for_tests(TreeName::AuditTerms, b"ufantoom", &[]).unwrap();
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("'fantoom'")), "{problems:?}");
    store.raw_remove_for_tests(TreeName::AuditTerms, b"ufantoom").unwrap();
    assert!(store.check().unwrap().is_ok());
    // A head missing (the Logboek lists entries by their heads).
    let (head_key, head) = store_pairs(&store, TreeName::AuditHeads).pop().unwrap();
    store.raw_remove_for_tests(TreeName::AuditHeads, &head_key).unwrap();
    let problems = store.check().unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("de kop in 'audit_heads' ontbreekt")), "{problems:?}");
    store.raw_insert_for_tests(TreeName::AuditHeads, &head_key, &head).unwrap();
    assert!(store.check().unwrap().is_ok());

    // A store written before the indexes (no mark, no index trees) gets them at its next open, once.
    for tree in [TreeName::AuditTime, TreeName::AuditWords, TreeName::AuditTerms, TreeName::AuditHeads] {
        for (key, _) in store_pairs(&store, tree) {
            store.raw_remove_for_tests(tree, &key).unwrap();
        }
    }
    store.raw_remove_for_tests(TreeName::Meta, b"audit_index_built_2").unwrap();
    assert!(!store.check().unwrap().is_ok(), "an empty index is a problem");
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.counts["audit_time"], 600);
    assert_eq!(
        store.audit_search("carla", None, 1000, 1000).unwrap().entries.len(),
        log.iter().filter(|e| e.user == "Carla").count()
    );
}

fn store_pairs(store: &Store, tree: TreeName) -> Vec<(Vec<u8>, Vec<u8>)> {
    let dump = store.dump().unwrap();
    dump.trees.into_iter().find(|(name, _)| name == tree.name()).map(|(_, pairs)| pairs).unwrap_or_default()
}

#[test]
fn a_restore_keeps_the_backups_indexes_and_indexes_an_older_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    for (i, user) in ["anna", "bert", "anna"].iter().enumerate() {
        let ctx = ChangeContext::new(*user, Utc.with_ymd_and_hms(2025, 3, 10 + i as u32, 9, 0, 0).unwrap());
        store.record_event(&ctx, "notitie", &format!("Zwolle-Zuid / 2025-0{}", i + 1), "").unwrap();
    }
    let dump = store.dump().unwrap();
    let restored = sidw::store::restore::restore(&dir.path().join("terug"), &dump).unwrap();
    assert!(restored.report.is_ok(), "{:?}", restored.report.problems);
    let again = open_when_free(&dir.path().join("terug"));
    assert_eq!(again.audit_search("anna", None, 10, 10).unwrap().entries.len(), 2);
    assert_eq!(again.audit_search("11-03-2025", None, 10, 10).unwrap().entries.len(), 1);
    drop(again);

    // A back-up written before the indexes: no index trees, no mark. Indexed by the restore.
    let mut old = dump.clone();
    old.trees.retain(|(name, _)| !name.starts_with("audit_"));
    for (name, pairs) in &mut old.trees {
        if name == "meta" {
            pairs.retain(|(key, _)| key.as_slice() != b"audit_index_built_2");
        }
    }
    let restored = sidw::store::restore::restore(&dir.path().join("oud"), &old).unwrap();
    assert!(restored.report.is_ok(), "{:?}", restored.report.problems);
    assert_eq!(restored.report.counts["audit_time"], 3);
    let old = open_when_free(&dir.path().join("oud"));
    assert_eq!(old.audit_search("bert februari", None, 10, 10).unwrap().entries.len(), 1);
    assert_eq!(old.check().unwrap().counts["audit_time"], 3);
}

/// Opens a database a restore just closed (its lock goes with the restore's last store handle).
fn open_when_free(path: &std::path::Path) -> Store {
    for _ in 0..100 {
        match Store::open(path) {
            Ok(store) => return store,
            Err(sidw::store::StoreError::Locked { .. }) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(error) => panic!("{error}"),
        }
    }
    panic!("{} stays locked", path.display())
}

/// Each filter keystroke reads a bounded number of index keys and entry heads, whatever the
/// log's length: the words that begin with each filter word (at most `MAX_TERMS` + 1 of each
/// kind), their lists' blocks for the estimate and the search, and at most `LOG_SCAN` heads.
#[test]
fn a_filter_keystroke_reads_a_bounded_number_of_keys() {
    use sidw::store::audit::{ESTIMATE, MAX_TERMS, keys_read};
    let n = LOG_SCAN * 8;
    let store = long_log(n);
    let mut app = app(&store);
    press(&mut app, "6/");
    let mut most = 0;
    // "regel 1…": a word in every entry, and numbers that begin from one to very many words.
    for key in ["r", "e", "g", "e", "l", "<Space>", "1", "2", "3", "<BS>", "<BS>", "<BS>", "9", "<BS>"] {
        let before = keys_read();
        press(&mut app, key);
        let read = (keys_read() - before) as usize;
        let words = app.log.selection.filter.split_whitespace().count().max(1);
        let bound = words * (3 * (MAX_TERMS + 1) + 2 * (MAX_TERMS + ESTIMATE)) + 2 * LOG_SCAN;
        assert!(read <= bound, "'{}' read {read} keys (bound {bound})", app.log.selection.filter);
        most = most.max(read);
    }
    assert!(most > 0, "the keystrokes read the index");
    // The bound does not grow with the log: far below the log's length.
    assert!(most < n / 2, "at most {most} keys a keystroke for a log of {n}");
    // A broad word alone (more words than the index looks up) is searched in the log, in a part.
    press(&mut app, "<Esc>/1");
    assert!(app.log.unindexed);
}

/// The Logboek lists an entry by its head: the changes line is kept in the head when the entry is
/// written (a close's records are the region's whole batch), the same line as the entry read
/// whole gives, and a row is drawn without reading the entry. A store whose heads were written
/// without the line (layout 1) builds them again at its next open, once.
#[test]
fn a_listed_entry_is_described_from_its_head_and_older_heads_are_built_again() {
    use sidw::report::log::{changes_text, describe};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    sidw::demo::load(&store, &ctx(), common::date(2025, 10, 15)).unwrap();
    let zwolle = store.network_by_name("Zwolle-Zuid").unwrap().unwrap().id;
    let q1 = sidw::domain::Quarter::parse("2025-Q1").unwrap();
    store.close_quarter(&ctx(), &[zwolle], q1, &[]).unwrap();
    store.reopen_quarter(&ctx(), zwolle, q1, "IBAN verouderd").unwrap();

    // Every head's line is the entry's own, read whole.
    let heads = store.audit_search("", None, 100_000, 100_000).unwrap().entries;
    assert!(heads.len() > 20, "{}", heads.len());
    for head in &heads {
        let entry = store.audit_entry(head.id).unwrap().unwrap();
        assert_eq!(head.changes.as_deref(), Some(changes_text(&describe(&entry).changes).as_str()), "{}", head.id);
    }
    let reopened = heads.iter().find(|h| h.action == "kwartaal heropend").unwrap().clone();
    let line = reopened.changes.clone().unwrap();
    assert!(line.contains("Heropend 1") && line.contains("IBAN verouderd"), "{line}");

    // The entry itself unreadable: its row is still drawn from its head; Enter says it cannot be read.
    let key = reopened.id.to_be_bytes().to_vec();
    let original = store_pairs(&store, TreeName::Audit).into_iter().find(|(k, _)| *k == key).unwrap().1;
    store.raw_insert_for_tests(TreeName::Audit, &key, b"kapot").unwrap();
    let mut app = app(&store);
    press(&mut app, "6");
    let index = app.log.entries.iter().position(|e| e.id == reopened.id).unwrap();
    assert_eq!(app.log.changes_line(app.store(), index), line);
    let whole = app.log.described(app.store(), index).unwrap();
    assert!(changes_text(&whole.changes).contains("onleesbaar"), "{:?}", whole.changes);
    drop(app);
    store.raw_insert_for_tests(TreeName::Audit, &key, &original).unwrap();
    assert!(store.check().unwrap().is_ok());

    // Heads in layout 1 (no changes line) and the mark of that time: `check` sees them; the next
    // open builds them again with their lines.
    for (key, _) in store_pairs(&store, TreeName::AuditHeads) {
        let id = u64::from_be_bytes(key.as_slice().try_into().unwrap());
        let head = heads.iter().find(|h| h.id == id).unwrap();
        let mut bytes = sidw::store::codec::encode(&sidw::store::AuditHead { changes: None, ..head.clone() });
        assert_eq!(bytes.pop(), Some(0), "an absent line is its last byte");
        bytes[1..3].copy_from_slice(&1u16.to_be_bytes());
        store.raw_insert_for_tests(TreeName::AuditHeads, &key, &bytes).unwrap();
    }
    store.raw_remove_for_tests(TreeName::Meta, b"audit_index_built_2").unwrap();
    store.raw_insert_for_tests(TreeName::Meta, b"audit_index_built", &[1]).unwrap();
    assert!(!store.check().unwrap().is_ok(), "layout-1 heads are not what the log's entries give");
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    let again = store.audit_search("", None, 100_000, 100_000).unwrap().entries;
    assert_eq!(again, heads);
    assert!(store_pairs(&store, TreeName::Meta).iter().all(|(k, _)| k.as_slice() != b"audit_index_built"));

    // An older sidw ran meanwhile (its mark is back beside ours): the heads are built again. One
    // entry's body cut short (its head still readable) does not stop the open: its row keeps the
    // head it has.
    let cut = original[..original.len() - 3].to_vec();
    store.raw_insert_for_tests(TreeName::Audit, &key, &cut).unwrap();
    store.raw_insert_for_tests(TreeName::Meta, b"audit_index_built", &[1]).unwrap();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert!(store_pairs(&store, TreeName::Meta).iter().all(|(k, _)| k.as_slice() != b"audit_index_built"));
    let rows = store.audit_search("", None, 100_000, 100_000).unwrap().entries;
    let damaged = rows.iter().find(|h| h.id == reopened.id).unwrap();
    assert_eq!(damaged.changes, None, "the damaged entry's row has no stored line");
    assert_eq!(rows.len(), heads.len());
}
