//! A mail being sent right now (issue 17, review): it is "onzeker" only once its "being sent"
//! mark is older than a delivery can take (`SENDING_LIMIT_SECS`); before that neither a resend
//! nor "arrived" by hand is taken (the round is still at it: that would send it twice), and only
//! the attempt that marked it records its outcome, so a late outcome after a resend changes
//! nothing and is logged. With the store API and a clock passed in (`ChangeContext.at`), and with
//! the command line and a round against the real SMTP server of `mail.rs`.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use sidw::domain::Scope;
use sidw::domain::mail::SENDING_LIMIT_SECS;
use sidw::store::records::OutboxState;
use sidw::store::{ChangeContext, Delivery, Store};

use crate::common::{ctx, date};
use crate::mail::{accepted, sidw, start_smtp, text, write_settings};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn state(store: &Store, id: u64) -> OutboxState {
    store.outbox().unwrap().into_iter().find(|(i, _)| *i == id).unwrap().1.state
}

fn uncertain_at(store: &Store, now: DateTime<Utc>) -> Vec<u64> {
    sidw::mail::plan(store, date(2025, 10, 15), now, &Scope::All)
        .unwrap()
        .uncertain
        .into_iter()
        .map(|(i, _)| i)
        .collect()
}

/// The demo's reminders of 15-10-2025 queued at 10:00; their ids.
fn queued(store: &Store) -> Vec<u64> {
    sidw::demo::load(store, &ctx(), date(2025, 10, 15)).unwrap();
    let plan = sidw::mail::plan(store, date(2025, 10, 15), at(0), &Scope::All).unwrap();
    let ids = store.queue_mail(&ChangeContext::new("anna", at(0)), &plan.mails).unwrap();
    assert!(ids.len() >= 2, "{ids:?}");
    ids
}

#[test]
fn the_limit_is_a_whole_delivery_at_its_timeouts_doubled() {
    // 14 steps of the SMTP conversation at lettre's 30 s each, twice over: 14 minutes.
    assert_eq!(sidw::domain::mail::SMTP_TIMEOUT_SECS, 30);
    assert_eq!(SENDING_LIMIT_SECS, 14 * 60);
}

#[test]
fn a_mail_being_sent_is_onzeker_and_settled_by_hand_only_after_the_limit() {
    let store = Store::temporary().unwrap();
    let ids = queued(&store);
    let (id, other) = (ids[0], ids[1]);
    store.mark_mail_sending(&ChangeContext::new("sidw-mail", at(1)), id).unwrap();
    let anna = |minutes: i64| ChangeContext::new("anna", at(minutes));
    // Five minutes in: being sent, not onzeker; a resend or "arrived" is refused and changes nothing.
    assert!(uncertain_at(&store, at(6)).is_empty());
    for error in [store.resend_mail(&anna(6), id).unwrap_err(), store.mark_mail_sent(&anna(6), id).unwrap_err()] {
        assert!(error.to_string().contains("wordt nu verstuurd (sinds 10:01)"), "{error}");
        assert!(error.to_string().contains("na 14 minuten geen uitkomst"), "{error}");
    }
    assert!(matches!(state(&store, id), OutboxState::Sending { .. }));
    // One second short of the limit: still not; at it: onzeker (the other mail, queued, never is).
    let limit = Duration::seconds(SENDING_LIMIT_SECS);
    let just_before = at(1) + limit - Duration::seconds(1);
    assert!(uncertain_at(&store, just_before).is_empty());
    assert!(store.resend_mail(&ChangeContext::new("anna", just_before), id).is_err());
    assert_eq!(uncertain_at(&store, at(1) + limit), vec![id]);
    assert!(!uncertain_at(&store, at(60)).contains(&other));
    // Then an editor settles it: resent, or recorded as arrived.
    store.mark_mail_sent(&anna(20), id).unwrap();
    assert_eq!(state(&store, id), OutboxState::Sent { at: at(20) });
    store.mark_mail_sending(&ChangeContext::new("sidw-mail", at(21)), other).unwrap();
    store.resend_mail(&anna(40), other).unwrap();
    assert_eq!(state(&store, other), OutboxState::Queued);
}

#[test]
fn only_the_attempt_that_marked_a_mail_records_its_outcome_and_a_late_one_is_logged() {
    let store = Store::temporary().unwrap();
    let id = queued(&store)[0];
    let mailer = |minutes: i64| ChangeContext::new("sidw-mail", at(minutes));
    // Round A hangs; after the limit an editor resends it.
    let first = store.mark_mail_sending(&mailer(1), id).unwrap();
    store.resend_mail(&ChangeContext::new("anna", at(20)), id).unwrap();
    // A's outcome arrives late, while the resent mail waits: not recorded, the queue stands.
    assert!(!store.record_delivery(&mailer(21), id, first, &Delivery::Sent).unwrap());
    assert_eq!(state(&store, id), OutboxState::Queued);
    let late = store.audit_log().unwrap().into_iter().rev().find(|e| e.action == "e-mail: late uitkomst").unwrap();
    let said = late.after.unwrap_or_default();
    assert!(said.contains("verstuurd; niet vastgelegd, de e-mail is intussen weer in de wachtrij gezet"), "{said}");
    // Round B takes it: a new attempt; A's outcome (any) still changes nothing, B's does.
    let second = store.mark_mail_sending(&mailer(22), id).unwrap();
    assert_ne!(first, second);
    let refused = Delivery::Refused("550 5.1.1 Ontvanger onbekend".into());
    assert!(!store.record_delivery(&mailer(22), id, first, &refused).unwrap());
    assert_eq!(state(&store, id), OutboxState::Sending { since: at(22), attempt: second });
    assert!(store.record_delivery(&mailer(23), id, second, &Delivery::Sent).unwrap());
    assert_eq!(state(&store, id), OutboxState::Sent { at: at(23) });
    // And never twice.
    assert!(!store.record_delivery(&mailer(24), id, second, &refused).unwrap());
    assert_eq!(state(&store, id), OutboxState::Sent { at: at(23) });
    let (_, mail) = store.outbox().unwrap().into_iter().find(|(i, _)| *i == id).unwrap();
    assert_eq!(mail.attempts, 1);
}

#[test]
fn a_round_and_the_command_line_leave_a_mail_being_sent_alone_and_call_an_old_one_onzeker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (fresh, old) = {
        let store = Store::open(&db).unwrap();
        let ids = queued(&store);
        // Both being sent: one by a round that started a minute ago, one by a round an hour ago.
        let now = Utc::now();
        store.mark_mail_sending(&ChangeContext::new("sidw-mail", now - Duration::minutes(1)), ids[0]).unwrap();
        store.mark_mail_sending(&ChangeContext::new("sidw-mail", now - Duration::hours(1)), ids[1]).unwrap();
        (ids[0], ids[1])
    };
    let smtp = start_smtp(dir.path());
    write_settings(&db, smtp.port, "[0]", 60);
    {
        let store = Store::open(&db).unwrap();
        let settings = sidw::mail_smtp::MailSettings::load(&db).unwrap().unwrap();
        let report = sidw::mail_smtp::deliver_due(&store, &settings, &Utc::now, true).unwrap();
        assert_eq!(report.uncertain, 1, "{report:?}");
        assert_eq!(report.sent, accepted(&smtp).len(), "the demo's other reminders");
        assert!(matches!(state(&store, fresh), OutboxState::Sending { .. }));
    }
    let before = accepted(&smtp).len();
    let fresh_to = Store::open(&db).unwrap().outbox().unwrap().into_iter().find(|(i, _)| *i == fresh).unwrap().1.to;
    let outbox = text(&sidw(&db, &["mail", "outbox"]));
    let line = |id: u64| outbox.lines().find(|l| l.starts_with(&format!("{id}\t"))).unwrap().to_string();
    assert!(line(fresh).contains("\twordt verstuurd sinds "), "{outbox}");
    assert!(!line(fresh).contains("onzeker"), "{outbox}");
    assert!(line(old).contains("\tonzeker sinds "), "{outbox}");
    let refused = sidw(&db, &["mail", "resend", &fresh.to_string(), "--user", "anna"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("wordt nu verstuurd"), "{}", text(&refused));
    let resent = sidw(&db, &["mail", "resend", &old.to_string(), "--user", "anna"]);
    assert!(resent.status.success(), "{}", text(&resent));
    assert!(text(&resent).contains("1 verstuurd, 0 mislukt"), "{}", text(&resent));
    // The one being sent was not sent by any of this (its own round will record it).
    assert_eq!(accepted(&smtp).len(), before + 1);
    assert!(!accepted(&smtp).iter().any(|m| crate::mail::to_of(m) == fresh_to));
}
