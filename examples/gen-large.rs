//! Builds the history data set of issue 13 into a new database directory:
//!
//! ```text
//! cargo run --release --example gen-large -- DIR [NETWORKS_PER_REGION PARTNERS FIRST_YEAR]
//! ```
//!
//! By default 3 × 100 networks, 10 partners each, hours 2016–2025, every quarter closed by region
//! (120 batches). `check` passes on the result.

#[path = "../benches/fixture/history.rs"]
mod history;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("gebruik: gen-large MAP [NETWERKEN_PER_REGIO PARTNERS EERSTE_JAAR]");
        std::process::exit(2);
    };
    let mut shape = history::History::full();
    let number = |i: usize| args.get(i).map(|a| a.parse::<usize>().expect("een getal"));
    if let Some(n) = number(1) {
        shape.networks_per_region = n;
    }
    if let Some(p) = number(2) {
        shape.partners_per_network = p;
    }
    if let Some(y) = number(3) {
        shape.years = i32::try_from(y).expect("een jaartal")..=2025;
    }
    let path = std::path::Path::new(dir);
    if path.exists() && std::fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(true) {
        eprintln!("{dir} bestaat al en is niet leeg");
        std::process::exit(1);
    }
    let started = Instant::now();
    let store = sidw::store::Store::open(path).expect("database openen");
    history::generate(&store, &shape, |what| eprintln!("{:>7.1} s  {what}", started.elapsed().as_secs_f64()))
        .expect("genereren");
    // A database in use has had its Signalen opened: each network's hours facts are stored, as
    // after the first `report signals` or screen start (facts do not depend on the day).
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 12).expect("a day");
    store.signals(today).expect("signalen");
    eprintln!("{:>7.1} s  urenfeiten van de signalen opgeslagen", started.elapsed().as_secs_f64());
    store.flush().expect("wegschrijven");
    eprintln!("{:>7.1} s  klaar: {shape:?} in {dir}", started.elapsed().as_secs_f64());
}
