//! The audit log in Dutch: one formatter for the Logboek (pane 6), `sidw report log` and the
//! changes line kept in each entry's head (so the Logboek lists an entry without reading it whole).
//!
//! An entry keeps the records before and after as JSON (also in databases written long ago). Each
//! is read field by field with a Dutch label per field and formatted with the domain's display
//! functions: `€ 1.019,40`, `12-03-2025`, `maart 2025`, `1,5 uur`, `getekend`. Database ids are
//! never shown; the record's name (network, partner, month) is the entry's subject. A shape this
//! code does not know is still shown, with the field names as labels, and never panics.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::AuditEntry;
use super::audit::subject_text;
use crate::domain::calendar::format_date;
use crate::domain::money::format_eur;

/// One field of a record: its Dutch label and its value as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// A field that differs between before and after (`None`: the side has no such record or field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    #[serde(rename = "veld")]
    pub label: String,
    #[serde(rename = "voor")]
    pub before: Option<String>,
    #[serde(rename = "na")]
    pub after: Option<String>,
}

/// An audit entry as a clerk reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// `dd-mm-jjjj hh:mm`, local time.
    pub when: String,
    pub user: String,
    pub action: String,
    /// The record's name: "Zwolle-Zuid / Fysio De Wijk / maart 2025".
    pub record: String,
    /// The fields that changed (for a new record: its fields; for a removed one: what it held).
    pub changes: Vec<Change>,
    /// Every field before and after.
    pub before: Vec<Field>,
    pub after: Vec<Field>,
}

/// The time of an entry as the Logboek and the report show it (local time).
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%d-%m-%Y %H:%M").to_string()
}

/// Reads an entry into Dutch.
pub fn describe(entry: &AuditEntry) -> Described {
    let before = entry.before.as_deref().map(fields).unwrap_or_default();
    let after = entry.after.as_deref().map(fields).unwrap_or_default();
    Described {
        when: when(entry.at),
        user: entry.user.clone(),
        action: entry.action.clone(),
        record: subject_text(&entry.subject),
        changes: changes(entry.before.is_some(), &before, entry.after.is_some(), &after),
        before,
        after,
    }
}

/// The changes on one line: "Uren: 1 uur → 1,5 uur; Activiteit: — → overleg".
pub fn changes_text(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| match (&c.before, &c.after) {
            (Some(before), Some(after)) => format!("{}: {before} → {after}", c.label),
            (None, Some(after)) => format!("{}: {after}", c.label),
            (Some(before), None) => format!("{}: {before} → (weg)", c.label),
            (None, None) => c.label.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn changes(had_before: bool, before: &[Field], had_after: bool, after: &[Field]) -> Vec<Change> {
    let find = |fields: &[Field], label: &str| fields.iter().find(|f| f.label == label).map(|f| f.value.clone());
    let shown = |value: &Option<String>| value.as_deref().is_some_and(|v| v != EMPTY && v != "nee");
    let mut labels: Vec<&str> = after.iter().map(|f| f.label.as_str()).collect();
    for field in before {
        if !labels.contains(&field.label.as_str()) {
            labels.push(&field.label);
        }
    }
    labels
        .into_iter()
        .filter_map(|label| {
            let (old, new) = (find(before, label), find(after, label));
            if old.as_deref().unwrap_or(EMPTY) == new.as_deref().unwrap_or(EMPTY) {
                return None;
            }
            // A new record lists what it holds; a removed one what it held; a changed one every
            // field that differs (an empty side shows as —).
            match (had_before, had_after) {
                (false, _) => shown(&new).then(|| Change { label: label.into(), before: None, after: new }),
                (_, false) => shown(&old).then(|| Change { label: label.into(), before: old, after: None }),
                _ => Some(Change {
                    label: label.into(),
                    before: Some(old.unwrap_or_else(|| EMPTY.into())),
                    after: Some(new.unwrap_or_else(|| EMPTY.into())),
                }),
            }
        })
        .collect()
}

/// How an empty value (no date, no text) is shown.
const EMPTY: &str = "—";

/// The fields of one side of an entry. Not JSON (or not a record this code knows): shown as it is.
fn fields(json: &str) -> Vec<Field> {
    // A payment batch (a close, a reopening) holds every payment line of a region: read only
    // what is shown, without building the whole record in memory.
    if json.contains("\"closed_by\"")
        && let Ok(head) = serde_json::from_str::<BatchHead>(json)
    {
        return batch(head);
    }
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return vec![Field { label: "Gegevens".into(), value: json.to_string() }];
    };
    let mut out = Vec::new();
    match &value {
        // A cell of the hours grid: its value first, then its lines.
        Value::Object(map) if map.contains_key("lines") && map.contains_key("nihil") => cell(map, &mut out),
        // An hours import: the lines and the nihil months.
        Value::Array(items) if items.len() == 2 && items.iter().all(Value::is_array) => {
            let count = |i: usize| items[i].as_array().map_or(0, Vec::len);
            push(&mut out, "Urenregels", count(0).to_string());
            push(&mut out, "Nihil-maanden", count(1).to_string());
            let hours: Decimal = items[0].as_array().into_iter().flatten().filter_map(|l| decimal(&l["hours"])).sum();
            push(&mut out, "Uren samen", hours_text(hours));
        }
        Value::String(text) => push(&mut out, "Gegevens", text.clone()),
        _ => flatten("", &value, &mut out),
    }
    if let Value::Object(map) = &value
        && map.contains_key("kind")
        && map.contains_key("signed")
    {
        // An agreement: where it stands, as pane 2 says it.
        let date = |key: &str| map.get(key).and_then(Value::as_str).is_some();
        let state = if date("ended") {
            "beëindigd"
        } else if date("signed") {
            "getekend"
        } else if date("sent") {
            "verstuurd"
        } else {
            "concept"
        };
        out.insert(0, Field { label: "Status".into(), value: state.into() });
    }
    out
}

fn push(out: &mut Vec<Field>, label: &str, value: String) {
    out.push(Field { label: label.to_string(), value });
}

fn cell(map: &serde_json::Map<String, Value>, out: &mut Vec<Field>) {
    let lines = map.get("lines").and_then(Value::as_array).cloned().unwrap_or_default();
    let hours: Decimal = lines.iter().filter_map(|l| decimal(&l["hours"])).sum();
    let value = if map.get("nihil").and_then(Value::as_bool) == Some(true) {
        "nihil".to_string()
    } else if lines.is_empty() {
        "leeg".to_string()
    } else {
        hours_text(hours)
    };
    push(out, "Uren", value);
    if lines.len() > 1 {
        push(out, "Regels", lines.len().to_string());
    }
    for (i, line) in lines.iter().enumerate() {
        let prefix = if lines.len() > 1 { format!("Regel {} · ", i + 1) } else { String::new() };
        if let Some(activity) = line["activity"].as_str().filter(|a| !a.is_empty()) {
            push(out, &format!("{prefix}Activiteit"), activity.to_string());
        }
        if line["paid_by_practice_team"].as_bool() == Some(true) {
            push(out, &format!("{prefix}Betaald door het praktijkteam"), "ja".into());
        }
        if line["double_funding_confirmed"].as_bool() == Some(true) {
            push(out, &format!("{prefix}Geen dubbele bekostiging bevestigd"), "ja".into());
        }
    }
}

/// What the Logboek shows of a payment batch; the rest of it is skipped unread.
#[derive(serde::Deserialize)]
struct BatchHead {
    number: String,
    quarter: Value,
    #[serde(default)]
    lines: Vec<LineAmount>,
    closed_by: String,
    closed_at: Option<String>,
    #[serde(default)]
    reopenings: Vec<ReopeningHead>,
}

#[derive(serde::Deserialize)]
struct LineAmount {
    amount: Value,
}

#[derive(serde::Deserialize)]
struct ReopeningHead {
    by: String,
    reason: String,
}

fn batch(head: BatchHead) -> Vec<Field> {
    let mut out = Vec::new();
    push(&mut out, "Batch", head.number);
    push(&mut out, "Kwartaal", value_text("quarter", &head.quarter));
    push(&mut out, "Betaalregels", head.lines.len().to_string());
    let total: Decimal = head.lines.iter().filter_map(|l| decimal(&l.amount)).sum();
    push(&mut out, "Totaal", format_eur(total));
    push(&mut out, "Afgesloten door", head.closed_by);
    if let Some(at) = head.closed_at.and_then(|t| t.parse::<DateTime<Utc>>().ok()) {
        push(&mut out, "Afgesloten op", when(at));
    }
    for (i, reopening) in head.reopenings.iter().enumerate() {
        push(&mut out, &format!("Heropend {}", i + 1), format!("door {}: {}", reopening.by, reopening.reason));
    }
    out
}

/// Keys that hold database ids: never shown.
const IDS: [&str; 6] = ["id", "network", "partner", "networks", "batch", "payee"];

/// Dutch labels of the fields sidw's records have (the same key means the same in every record),
/// in the order they are shown.
const LABELS: &[(&str, &str)] = &[
    ("name", "Naam"),
    ("number", "Factuurnummer"),
    ("date", "Factuurdatum"),
    ("amount", "Bedrag"),
    ("received", "Ontvangen"),
    ("decision", "Besluit"),
    ("reason", "Reden"),
    ("against", "Goedgekeurd tegen uren ter waarde van"),
    ("month", "Maand"),
    ("hours", "Uren"),
    ("activity", "Activiteit"),
    ("paid_by_practice_team", "Betaald door het praktijkteam"),
    ("double_funding_confirmed", "Geen dubbele bekostiging bevestigd"),
    ("corrects", "Correctie van een eerdere regel"),
    ("quarter", "Kwartaal"),
    ("kind", "Soort"),
    ("sent", "Verstuurd"),
    ("signed", "Getekend retour"),
    ("ended", "Beëindigd"),
    ("discipline", "Discipline"),
    ("category", "Tariefcategorie"),
    ("agb", "AGB-code"),
    ("iban", "IBAN"),
    ("email", "e-mail"),
    ("phone", "telefoon"),
    ("contact", "Contact"),
    ("region", "Regio"),
    ("municipality", "Gemeente"),
    ("postcodes", "Postcodes"),
    ("status", "Status"),
    ("coordinator", "Coördinator"),
    ("district_manager", "Wijkverpleging (manager)"),
    ("core_team", "Wijkkernteam"),
    ("gp_practices", "huisartsenpraktijken"),
    ("social_domain", "sociaal domein"),
    ("district_nursing", "wijkverpleging"),
    ("former_gez_owz", "Voormalig GEZ/OWZ"),
    ("funding_start", "Start financiering"),
    ("funding_end", "Einde financiering"),
    ("milestones", "Mijlpalen"),
    ("intake", "intake"),
    ("application_form", "aanmeldformulier"),
    ("network_meeting", "netwerkbijeenkomst"),
    ("wijkplan", "wijkplan"),
    ("funding_start_derived", "start financiering afgeleid"),
    ("project_plans", "projectplan"),
    ("start", "start"),
    ("end", "einde"),
    ("yearly", "jaar"),
    ("year", "Jaar"),
    ("reflection_report", "reflectieverslag"),
    ("evaluation_talk", "evaluatiegesprek"),
    ("financial_accounting", "financiële verantwoording"),
    ("practices", "Praktijk"),
    ("shares", "verdeling vanaf"),
    ("share", "percentage"),
    ("from", "vanaf"),
    ("ion_counts", "ION-telling"),
    ("reference_date", "peildatum"),
    ("count", "aantal"),
    ("practice_team_per_ion", "Praktijkteam per ION"),
    ("partner_per_ion", "Partners per ION"),
    ("hourly_a", "Uurtarief A"),
    ("hourly_b", "Uurtarief B"),
    ("hourly_c", "Uurtarief C"),
    ("insured_65_plus", "Verzekerden 65+"),
    ("proposed_providers", "Voorgestelde aanbieders"),
    ("award", "Gunning"),
    ("award_date", "Gunningsdatum"),
    ("per_insured_65_plus", "Per verzekerde 65+"),
    ("debtor_name", "Naam rekeninghouder"),
    ("debtor_iban", "IBAN"),
    ("debtor_bic", "BIC"),
    ("cooperation_agreement", "samenwerkingsovereenkomst"),
];

fn label(key: &str) -> String {
    match LABELS.iter().find(|(k, _)| *k == key) {
        Some((_, label)) => (*label).to_string(),
        // A field this code does not know: its name, readable.
        None => key.replace('_', " "),
    }
}

/// Where a field comes in the list: known fields in the table's order, others after them.
fn rank(key: &str) -> usize {
    LABELS.iter().position(|(k, _)| *k == key).unwrap_or(LABELS.len())
}

/// Fields holding amounts of money.
const MONEY: [&str; 8] = [
    "amount",
    "against",
    "practice_team_per_ion",
    "partner_per_ion",
    "hourly_a",
    "hourly_b",
    "hourly_c",
    "per_insured_65_plus",
];

fn join(prefix: &str, label: &str) -> String {
    if prefix.is_empty() {
        let mut chars = label.chars();
        chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
    } else {
        format!("{prefix} · {label}")
    }
}

/// Every leaf of a record, labelled by its path ("Coördinator · e-mail").
fn flatten(prefix: &str, value: &Value, out: &mut Vec<Field>) {
    flatten_but(prefix, value, None, out);
}

/// Like [`flatten`], leaving out the field `skip` (a list item's identity, already in its label).
fn flatten_but(prefix: &str, value: &Value, skip: Option<&str>, out: &mut Vec<Field>) {
    let Value::Object(map) = value else {
        push(out, if prefix.is_empty() { "Gegevens" } else { prefix }, value_text("", value));
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|key| rank(key));
    for key in keys {
        let value = &map[key];
        if IDS.contains(&key.as_str()) || key.ends_with("_id") || skip == Some(key.as_str()) {
            continue;
        }
        let label = join(prefix, &label(key));
        match value {
            Value::Object(inner) if !is_scalar_object(key, inner) => {
                if key == "decision" {
                    decision(&label, value, out);
                } else {
                    flatten(&label, value, out);
                }
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for (i, item) in items.iter().enumerate() {
                    let (name, key) = identity(item, i);
                    flatten_but(&format!("{label} {name}"), item, key, out);
                }
                if items.is_empty() {
                    push(out, &label, EMPTY.into());
                }
            }
            Value::String(_) if key == "decision" => decision(&label, value, out),
            _ => push(out, &label, value_text(key, value)),
        }
    }
}

/// Objects shown as one value: a month (`{year, month}`) and a quarter (`{year, number}`).
fn is_scalar_object(key: &str, map: &serde_json::Map<String, Value>) -> bool {
    matches!(key, "month" | "quarter") && map.len() == 2 && map.contains_key("year")
}

/// What tells the items of a list apart: a name, a date, a year, else the position; and the
/// field it was taken from.
fn identity(item: &Value, index: usize) -> (String, Option<&'static str>) {
    for key in ["name", "from", "reference_date", "year"] {
        match &item[key] {
            Value::String(text) => return (value_text(key, &Value::String(text.clone())), Some(key)),
            Value::Number(n) => return (n.to_string(), Some(key)),
            _ => {}
        }
    }
    ((index + 1).to_string(), None)
}

/// An invoice's decision: open, approved (reason, against) or rejected (reason).
fn decision(label: &str, value: &Value, out: &mut Vec<Field>) {
    match value {
        Value::String(kind) => push(out, label, decision_label(kind)),
        Value::Object(map) => {
            for (kind, inner) in map {
                push(out, label, decision_label(kind));
                flatten("", inner, out);
            }
        }
        other => push(out, label, value_text("", other)),
    }
}

fn decision_label(kind: &str) -> String {
    match kind {
        "Open" => "open".into(),
        "Approved" => "goedgekeurd".into(),
        "Rejected" => "afgewezen".into(),
        other => other.to_lowercase(),
    }
}

fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::String(text) => text.parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// `1,5 uur`.
pub fn hours_text(hours: Decimal) -> String {
    format!("{} uur", hours.normalize().to_string().replace('.', ","))
}

/// One value in display form, by what its field holds.
fn value_text(key: &str, value: &Value) -> String {
    use crate::domain::{AgreementKind, Discipline, NetworkStatus, ParticipantKind, Region};
    let label_of = |value: &Value| -> Option<String> {
        match key {
            "status" => {
                serde_json::from_value::<NetworkStatus>(value.clone()).ok().map(|s| s.dutch_label().to_string())
            }
            "kind" => serde_json::from_value::<AgreementKind>(value.clone())
                .ok()
                .map(|k| k.dutch_label().to_string())
                .or_else(|| {
                    serde_json::from_value::<ParticipantKind>(value.clone()).ok().map(|k| k.dutch_label().to_string())
                }),
            "discipline" => {
                serde_json::from_value::<Discipline>(value.clone()).ok().map(|d| d.dutch_label().to_string())
            }
            "region" => serde_json::from_value::<Region>(value.clone()).ok().map(|r| r.name().to_string()),
            "award" => serde_json::from_value::<crate::domain::municipality::AwardStatus>(value.clone())
                .ok()
                .map(|a| a.dutch_label().to_string()),
            _ => None,
        }
    };
    if let Some(label) = label_of(value) {
        return label;
    }
    match value {
        Value::Null => EMPTY.into(),
        Value::Bool(true) => "ja".into(),
        Value::Bool(false) => "nee".into(),
        Value::Number(_) if key == "corrects" => "ja".into(),
        Value::Number(n) => n.to_string(),
        Value::String(text) => {
            if MONEY.contains(&key)
                && let Ok(amount) = text.parse::<Decimal>()
            {
                return format_eur(amount);
            }
            if key == "hours"
                && let Ok(hours) = text.parse::<Decimal>()
            {
                return hours_text(hours);
            }
            if key == "share"
                && let Ok(share) = text.parse::<Decimal>()
            {
                return format!("{} %", share.normalize().to_string().replace('.', ","));
            }
            if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return format_date(date);
            }
            if let Ok(at) = text.parse::<DateTime<Utc>>() {
                return when(at);
            }
            if text.is_empty() {
                return EMPTY.into();
            }
            if key == "iban" || key == "debtor_iban" {
                return text
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            text.clone()
        }
        Value::Object(map) if key == "month" => {
            let number = |k: &str| map.get(k).and_then(Value::as_i64);
            match (number("year"), number("month")) {
                (Some(year), Some(month)) => (i32::try_from(year).ok().zip(u32::try_from(month).ok()))
                    .and_then(|(y, m)| crate::domain::YearMonth::new(y, m))
                    .map_or_else(|| format!("{month}-{year}"), |m| m.dutch_name()),
                _ => value.to_string(),
            }
        }
        Value::Object(map) if key == "quarter" => {
            let number = |k: &str| map.get(k).and_then(Value::as_i64);
            match (number("year"), number("number")) {
                (Some(year), Some(q)) => format!("{year}-Q{q}"),
                _ => value.to_string(),
            }
        }
        Value::Array(items) if items.is_empty() => EMPTY.into(),
        Value::Array(items) => items.iter().map(|item| value_text(key, item)).collect::<Vec<_>>().join(", "),
        Value::Object(_) => {
            let mut out = Vec::new();
            flatten("", value, &mut out);
            out.into_iter().map(|f| format!("{}: {}", f.label, f.value)).collect::<Vec<_>>().join(", ")
        }
    }
}
