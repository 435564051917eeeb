//! The year report for the insurer: its money equals the quarters' payment reports, reopened
//! batches count, the budget columns are the budget report's, milestones are counted, and the
//! command line writes it as a table, CSV, JSON and an Excel workbook.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use common::{ctx, date};
use sidw::domain::close::{PaymentKind, PaymentLine};
use sidw::domain::money::format_eur;
use sidw::domain::{IonCount, NetworkId, Quarter, Region};
use sidw::report::year::{self, YearRow};
use sidw::report::{budget, payments};
use sidw::store::{ChangeContext, Store};

const YEAR: i32 = 2025;

fn today() -> NaiveDate {
    date(2025, 10, 15)
}

/// The finance officer, closing on the demo's day.
fn finance() -> ChangeContext {
    ChangeContext::new("fien", Utc.with_ymd_and_hms(2025, 10, 15, 9, 0, 0).unwrap())
}

fn q(number: u32) -> Quarter {
    Quarter::new(YEAR, number).unwrap()
}

fn id(store: &Store, name: &str) -> NetworkId {
    store.network_by_name(name).unwrap().unwrap_or_else(|| panic!("{name} in the demo")).id
}

fn load_demo(store: &Store) {
    sidw::demo::load(store, &ctx(), today()).unwrap();
}

/// The demo with quarters closed: 2025-Q1 of Zwolle-Zuid and Hardenberg-Baalder in one batch,
/// and Hardenberg-Baalder's Q2 and Q3 each in their own.
fn close_demo_quarters(store: &Store) {
    let zwolle = id(store, "Zwolle-Zuid");
    let hardenberg = id(store, "Hardenberg-Baalder");
    store.close_quarter(&finance(), &[zwolle, hardenberg], q(1), &[]).unwrap();
    store.close_quarter(&finance(), &[hardenberg], q(2), &[]).unwrap();
    store.close_quarter(&finance(), &[hardenberg], q(3), &[]).unwrap();
}

fn closed_demo() -> Store {
    let store = Store::temporary().unwrap();
    load_demo(&store);
    close_demo_quarters(&store);
    store
}

fn row<'a>(rows: &'a [YearRow], name: &str) -> &'a YearRow {
    rows.iter().find(|r| r.network == name).unwrap_or_else(|| panic!("{name} in the year report"))
}

fn sum(lines: &[PaymentLine], kind: PaymentKind) -> Decimal {
    lines.iter().filter(|l| l.kind == kind).map(|l| l.amount).sum()
}

/// Σ per network of the quarters' payment reports: (practice, partner) of closed and open quarters.
#[derive(Default, Debug, PartialEq)]
struct FromPayments {
    practice_closed: Decimal,
    practice_open: Decimal,
    partner_closed: Decimal,
    partner_open: Decimal,
}

fn from_payment_reports(store: &Store) -> HashMap<String, FromPayments> {
    let mut sums: HashMap<String, FromPayments> = HashMap::new();
    for quarter in Quarter::of_year(YEAR) {
        for r in payments::rows(store, quarter).unwrap() {
            let s = sums.entry(r.network.clone()).or_default();
            let (practice, partner) = (sum(&r.lines, PaymentKind::Practice), sum(&r.lines, PaymentKind::Partner));
            if r.closed {
                s.practice_closed += practice;
                s.partner_closed += partner;
            } else {
                s.practice_open += practice;
                s.partner_open += partner;
            }
        }
    }
    sums
}

#[test]
fn year_totals_equal_the_payment_reports_of_the_four_quarters() {
    let store = closed_demo();
    let rows = year::rows(&store, YEAR, None, today()).unwrap();
    let expected = from_payment_reports(&store);
    assert_eq!(rows.len(), 4);
    assert_eq!(expected.len(), rows.len(), "every network in both reports");
    for r in &rows {
        let e = &expected[&r.network];
        let f = &r.figures;
        assert_eq!(f.practice_team_received, e.practice_closed, "{}: practice received", r.network);
        assert_eq!(f.practice_team_planned, e.practice_open, "{}: practice planned", r.network);
        assert_eq!(f.partners_paid, e.partner_closed, "{}: partners paid", r.network);
        assert_eq!(f.partners_planned, e.partner_open, "{}: partners planned", r.network);
    }
    let total = year::grand_total(&rows);
    let practice: Decimal = expected.values().map(|e| e.practice_closed + e.practice_open).sum();
    let partner: Decimal = expected.values().map(|e| e.partner_closed + e.partner_open).sum();
    assert_eq!(total.practice_team_received + total.practice_team_planned, practice);
    assert_eq!(total.partners_paid + total.partners_planned, partner);
    let received: Decimal = expected.values().map(|e| e.practice_closed).sum();
    assert_eq!(total.practice_team_received, received);

    // The figures themselves (handbook: 7 000 ION → € 23 800 a year; Q1 invoices € 2.614,05).
    let zwolle = row(&rows, "Zwolle-Zuid");
    assert_eq!(zwolle.figures.practice_team_received, dec!(5950.00));
    assert_eq!(zwolle.figures.practice_team_planned, dec!(17850.00));
    assert_eq!(zwolle.figures.partners_paid, dec!(2614.05));
    assert_eq!(zwolle.figures.partners_planned, Decimal::ZERO, "no invoices after Q1 in the demo");
    assert_eq!(zwolle.open_quarters, vec![q(2), q(3), q(4)]);
    let hardenberg = row(&rows, "Hardenberg-Baalder");
    assert_eq!(hardenberg.figures.practice_team_received, dec!(34125.00), "3 × 10 000 ION × € 4,55 / 4");
    assert_eq!(hardenberg.figures.practice_team_planned, dec!(11375.00));
    assert_eq!(hardenberg.open_quarters, vec![q(4)]);
    assert_eq!(row(&rows, "Lelystad-Atolwijk").figures, Default::default(), "not funded: nothing");
    assert_eq!(total.practice_team_received, dec!(40075.00));
    assert_eq!(total.practice_team_planned, dec!(83625.00));
    assert_eq!(total.partners_paid, dec!(2614.05));
    assert_eq!(total.partners_planned, dec!(1068.30));

    // Region totals add up to the grand total, regions in the programme's order.
    let regions = year::region_totals(&rows);
    assert_eq!(regions.iter().map(|(r, _)| *r).collect::<Vec<_>>(), Region::ALL.to_vec());
    let by_region: Decimal = regions.iter().map(|(_, f)| f.practice_team_received + f.practice_team_planned).sum();
    assert_eq!(by_region, practice);
    let names: Vec<&str> = rows.iter().map(|r| r.network.as_str()).collect();
    assert_eq!(names, ["Zwolle-Zuid", "Almere Haven", "Lelystad-Atolwijk", "Hardenberg-Baalder"]);
}

#[test]
fn a_reopened_and_reclosed_quarter_counts_the_earlier_batch_too() {
    let store = Store::temporary().unwrap();
    load_demo(&store);
    let zwolle = id(&store, "Zwolle-Zuid");
    let first = store.close_quarter(&finance(), &[zwolle], q(1), &[]).unwrap();
    crate::common::file_written(&store, zwolle, q(1), &finance());
    store.reopen_quarter(&finance(), zwolle, q(1), "ION-telling De Esch was te laag").unwrap();
    // De Esch counted 4 800 instead of 4 200 from December 2024: Q1's practice-team money becomes 7 600 × € 3,40 / 4.
    let mut team = store.practice_team(zwolle).unwrap();
    let esch = team.practices.iter_mut().find(|p| p.name == "Huisartsenpraktijk De Esch").unwrap();
    esch.ion_counts.push(IonCount { reference_date: date(2024, 12, 1), count: 4800 });
    store.save_practice_team(&finance(), &team).unwrap();

    let reopened = year::rows(&store, YEAR, Some(Region::Zwolle), today()).unwrap();
    let before = &reopened[0].figures;
    assert_eq!(before.practice_team_received, dec!(5950.00), "the reopened batch was paid");
    assert_eq!(before.partners_paid, dec!(2614.05));
    assert_eq!(before.practice_team_planned, dec!(510.00) + dec!(3) * dec!(6460.00), "Q1: only the difference");
    assert_eq!(reopened[0].open_quarters, vec![q(1), q(2), q(3), q(4)]);

    let second = store.close_quarter(&finance(), &[zwolle], q(1), &[]).unwrap();
    assert_ne!(first.number, second.number);
    assert_eq!(second.total(), dec!(510.00), "the second batch pays the supplement only");
    let rows = year::rows(&store, YEAR, Some(Region::Zwolle), today()).unwrap();
    let after = &rows[0].figures;
    let batches: Vec<_> = store.batches().unwrap().into_iter().filter(|b| b.quarter == q(1)).collect();
    assert_eq!(batches.len(), 2);
    let all_lines: Vec<PaymentLine> = batches.iter().flat_map(|b| b.lines.clone()).collect();
    assert_eq!(after.practice_team_received, sum(&all_lines, PaymentKind::Practice));
    assert_eq!(after.practice_team_received, dec!(6460.00));
    assert_eq!(after.partners_paid, sum(&all_lines, PaymentKind::Partner));
    assert_eq!(after.partners_paid, dec!(2614.05));
    assert_eq!(after.practice_team_planned, dec!(3) * dec!(6460.00));
    assert_eq!(
        after.practice_team_received + after.practice_team_planned,
        before.practice_team_received + before.practice_team_planned,
        "re-closing moves money from planned to received, nothing more"
    );
    // The payment report of the quarter shows the current batch only; the year report all of them.
    let q1 = payments::rows(&store, q(1)).unwrap();
    let current = q1.iter().find(|r| r.network == "Zwolle-Zuid").unwrap();
    assert_eq!(sum(&current.lines, PaymentKind::Practice), dec!(510.00));
}

#[test]
fn budget_columns_are_the_budget_report() {
    let store = closed_demo();
    let rows = year::rows(&store, YEAR, None, today()).unwrap();
    let budgets = budget::rows(&store, YEAR, None).unwrap();
    assert_eq!(budgets.len(), rows.len());
    for b in &budgets {
        let f = &row(&rows, &b.network).figures;
        assert_eq!(f.partner_budget, b.partner_budget, "{}", b.network);
        assert_eq!(f.partner_spent, b.partner_spent, "{}", b.network);
        assert_eq!(f.paid_by_practice_team, b.paid_by_practice_team, "{}", b.network);
        assert_eq!(f.partner_unspent, (b.partner_budget - b.partner_spent).max(Decimal::ZERO), "{}", b.network);
    }
    let zwolle = &row(&rows, "Zwolle-Zuid").figures;
    assert_eq!(
        (zwolle.partner_budget, zwolle.partner_spent, zwolle.paid_by_practice_team, zwolle.partner_unspent),
        (dec!(8050.00), dec!(6933.15), dec!(202.00), dec!(1116.85))
    );

    // One region: only its networks, the same figures.
    let flevoland = year::rows(&store, YEAR, Some(Region::Flevoland), today()).unwrap();
    let names: Vec<&str> = flevoland.iter().map(|r| r.network.as_str()).collect();
    assert_eq!(names, ["Almere Haven", "Lelystad-Atolwijk"]);
    assert_eq!(flevoland[0], *row(&rows, "Almere Haven"));
    assert_eq!(year::region_totals(&flevoland).len(), 1);
}

#[test]
fn milestones_due_in_the_year_are_counted_met_and_missed() {
    let store = Store::temporary().unwrap();
    load_demo(&store);
    // The demo did every duty on time: the 2024 accounting (due 31-03-2025) is met; the 2025
    // reflection report and evaluation talk are not due yet on 15-10-2025.
    let rows = year::rows(&store, YEAR, None, today()).unwrap();
    let zwolle = row(&rows, "Zwolle-Zuid");
    assert_eq!((zwolle.figures.milestones_met, zwolle.figures.milestones_missed), (1, 0));
    assert!(zwolle.missed.is_empty());

    // The 2024 accounting never came, the 2025 talk came late, the reflection report not at all.
    let mut network = store.network(id(&store, "Zwolle-Zuid")).unwrap();
    let mut y2024 = network.milestones.year(2024);
    y2024.financial_accounting = None;
    network.milestones.set_year(y2024);
    let mut y2025 = network.milestones.year(2025);
    y2025.evaluation_talk = Some(date(2026, 1, 5));
    network.milestones.set_year(y2025);
    store.update_network(&finance(), &network).unwrap();

    // On 10-04-2026 the 2025 accounting (due 31-03-2026) is overdue too, but it is due in 2026.
    let rows = year::rows(&store, YEAR, None, date(2026, 4, 10)).unwrap();
    let zwolle = row(&rows, "Zwolle-Zuid");
    assert_eq!(
        zwolle.missed,
        [
            "Financiële verantwoording 2024 (te laat)",
            "Reflectieverslag 2025 (te laat)",
            "Evaluatiegesprek 2025 (te laat gehaald)"
        ]
    );
    assert_eq!(zwolle.figures.milestones_missed, 3);
    assert_eq!(zwolle.figures.milestones_met, 0, "the late talk counts as missed, not also as met");
    let total = year::grand_total(&rows);
    assert_eq!(total.milestones_missed, rows.iter().map(|r| r.missed.len()).sum::<usize>());
    // A year without tariffs has no budget to report on: a clear error, not zeros.
    let error = year::rows(&store, 2024, None, date(2026, 4, 10)).unwrap_err().to_string();
    assert!(error.contains("geen tarieven voor 2024"), "{error}");
}

// The command line.

fn sidw(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sidw")).arg("--db").arg(db).args(args).env_remove("SIDW_DB").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A database on disk with the demo of 15-10-2025 and its closed quarters, and the rows the
/// report must show.
fn demo_db() -> (tempfile::TempDir, Vec<YearRow>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    load_demo(&store);
    close_demo_quarters(&store);
    let rows = year::rows(&store, YEAR, None, today()).unwrap();
    store.flush().unwrap();
    drop(store);
    (dir, rows)
}

fn report(dir: &tempfile::TempDir, extra: &[&str]) -> Output {
    let mut args = vec!["report", "year", "--year", "2025", "--today", "15-10-2025"];
    args.extend(extra);
    let out = sidw(&dir.path().join("db"), &args);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    out
}

#[test]
fn cli_year_table_has_region_totals_and_the_grand_total() {
    let (dir, rows) = demo_db();
    let out = text(&report(&dir, &[]).stdout);
    let lines: Vec<&str> = out.lines().collect();
    let at = |start: &str| {
        lines.iter().position(|l| l.starts_with(start)).unwrap_or_else(|| panic!("a line '{start}' in\n{out}"))
    };
    assert!(at("Zwolle-Zuid") < at("totaal Zwolle"));
    assert!(at("totaal Zwolle") < at("Almere Haven"));
    assert!(at("Lelystad-Atolwijk") < at("totaal Flevoland"));
    assert!(at("Hardenberg-Baalder (GEZ/OWZ)") < at("totaal Hardenberg"));
    let total = lines[at("totaal  ")];
    let figures = year::grand_total(&rows);
    for amount in [figures.practice_team_received, figures.practice_team_planned, figures.partners_paid] {
        assert!(total.contains(&format_eur(amount)), "{} in {total}", format_eur(amount));
    }
    assert!(total.contains("€ 40.075,00") && total.contains("€ 2.614,05"), "{total}");
    let zwolle = lines[at("totaal Zwolle")];
    assert!(zwolle.contains("€ 5.950,00") && zwolle.contains("€ 17.850,00"), "{zwolle}");
    assert!(out.contains("mijlpalen op 15-10-2025"), "{out}");
    assert!(out.contains("Zwolle-Zuid: 2025-Q2, 2025-Q3, 2025-Q4"), "open quarters are named:\n{out}");
    assert!(out.contains("Gemiste mijlpalen:\n  Almere Haven: Financiële verantwoording 2024 (te laat)"), "{out}");
}

#[test]
fn cli_year_csv_has_the_bom_semicolons_and_total_rows() {
    let (dir, _) = demo_db();
    let out = report(&dir, &["--format", "csv"]).stdout;
    assert!(out.starts_with("\u{feff}".as_bytes()), "UTF-8 byte-order mark for Excel");
    let body = text(&out[3..]);
    let lines: Vec<Vec<&str>> = body.lines().map(|l| l.split(';').collect()).collect();
    assert_eq!(lines[0][..6], ["soort", "netwerk", "regio", "gemeente", "jaar", "open kwartalen"]);
    assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{body}");
    let kinds: Vec<&str> = lines[1..].iter().map(|l| l[0]).collect();
    assert_eq!(kinds, ["netwerk", "regio", "netwerk", "netwerk", "regio", "netwerk", "regio", "totaal"]);
    let zwolle = &lines[1];
    assert_eq!(zwolle[1..6], ["Zwolle-Zuid", "Zwolle", "Zwolle", "2025", "2025-Q2, 2025-Q3, 2025-Q4"]);
    assert_eq!(zwolle[6..10], ["5950,00", "17850,00", "2614,05", "0,00"], "decimal commas, no thousands dots");
    assert_eq!(lines.last().unwrap()[6], "40075,00");
}

#[test]
fn cli_year_json_parses_with_amounts_as_strings() {
    let (dir, rows) = demo_db();
    let out = report(&dir, &["--format", "json"]).stdout;
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["year"], 2025);
    assert_eq!(json["today"], "2025-10-15");
    let networks = json["networks"].as_array().unwrap();
    assert_eq!(networks.len(), rows.len());
    let zwolle = &networks[0];
    assert_eq!(zwolle["network"], "Zwolle-Zuid");
    assert_eq!(zwolle["region"], "Zwolle");
    assert_eq!(zwolle["practice_team_received"], "5950.00");
    assert_eq!(zwolle["practice_team_planned"], "17850.00");
    assert_eq!(zwolle["partners_paid"], "2614.05");
    assert_eq!(zwolle["partner_unspent"], "1116.85");
    assert_eq!(zwolle["milestones_met"], 1);
    assert_eq!(zwolle["open_quarters"], serde_json::json!(["2025-Q2", "2025-Q3", "2025-Q4"]));
    assert_eq!(json["regions"].as_array().unwrap().len(), 3);
    assert_eq!(json["total"]["practice_team_received"], "40075.00");
    assert_eq!(json["total"]["partners_planned"], "1068.30");
    for key in ["practice_team_received", "partners_paid", "partner_budget", "partner_spent", "partner_unspent"] {
        assert!(networks.iter().all(|n| n[key].is_string()), "{key} is a string");
    }
}

#[test]
fn cli_year_xlsx_is_written_and_reads_back_with_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};

    let (dir, rows) = demo_db();
    let file = dir.path().join("jaar.xlsx");
    let out = report(&dir, &["--format", "xlsx", "--out", file.to_str().unwrap()]);
    assert!(text(&out.stdout).contains(file.to_str().unwrap()), "{}", text(&out.stdout));
    let mut workbook: Xlsx<_> = open_workbook(&file).unwrap();
    assert_eq!(workbook.sheet_names(), ["Zwolle", "Flevoland", "Hardenberg", "Totaal"]);
    let number = |range: &calamine::Range<Data>, row: u32, col: u32| match range.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        other => panic!("a number at ({row}, {col}), not {other:?}"),
    };
    let zwolle = workbook.worksheet_range("Zwolle").unwrap();
    assert_eq!(zwolle.get_value((1, 0)), Some(&Data::String("Zwolle-Zuid".into())));
    assert_eq!(number(&zwolle, 1, 3), 5950.0);
    assert_eq!(zwolle.get_value((2, 0)), Some(&Data::String("Totaal Zwolle 2025".into())));
    let totaal = workbook.worksheet_range("Totaal").unwrap();
    assert_eq!(totaal.get_value((4, 0)), Some(&Data::String("Totaal 2025".into())));
    let grand = year::grand_total(&rows);
    let f = |d: Decimal| d.to_string().parse::<f64>().unwrap();
    assert_eq!(number(&totaal, 4, 3), f(grand.practice_team_received));
    assert_eq!(number(&totaal, 4, 4), f(grand.practice_team_planned));
    assert_eq!(number(&totaal, 4, 5), f(grand.partners_paid));
    assert_eq!(number(&totaal, 4, 3), 40075.0);
    assert_eq!(number(&totaal, 3, 3), 34125.0, "Hardenberg's row");

    // Without --out: jaarverslag-2025.xlsx in the current directory.
    let out = Command::new(env!("CARGO_BIN_EXE_sidw"))
        .current_dir(dir.path())
        .args(["--db", "db", "report", "year", "--year", "2025", "--format", "xlsx", "--region", "flevoland"])
        .env_remove("SIDW_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("jaarverslag-2025.xlsx"), "{}", text(&out.stdout));
    let mut workbook: Xlsx<_> = open_workbook(dir.path().join("jaarverslag-2025.xlsx")).unwrap();
    assert_eq!(workbook.sheet_names(), ["Flevoland", "Totaal"]);
    let flevoland = workbook.worksheet_range("Flevoland").unwrap();
    assert_eq!(flevoland.get_value((1, 0)), Some(&Data::String("Almere Haven".into())));
}

#[test]
fn cli_year_refuses_an_unknown_region_and_a_bad_day_in_dutch() {
    let (dir, _) = demo_db();
    let db = dir.path().join("db");
    let out = sidw(&db, &["report", "year", "--year", "2025", "--region", "Atlantis"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'Atlantis' is geen regio; kies Zwolle, Flevoland of Hardenberg"));
    let out = sidw(&db, &["report", "year", "--year", "2025", "--today", "gisteren"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("'gisteren' is geen datum"), "{}", text(&out.stderr));
    let out = sidw(&db, &["report", "year", "--year", "1999"]);
    assert_eq!(out.status.code(), Some(2));
}
