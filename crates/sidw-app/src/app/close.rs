//! The quarter close screen: the checklist of one network or a whole region (Enter goes to what
//! must be fixed), the payment lines it would produce with totals, and closing in two steps.

use crate::domain::Quarter;
use crate::domain::close::{CheckItem, CheckTarget, total};
use crate::domain::money::format_eur;
use crate::store::{NetworkClose, region_networks};

use super::forms::FormKind;
use super::{Action, App, Confirm, ConfirmKind, Mode, Pane};

pub struct CloseScreen {
    pub quarter: Quarter,
    /// All networks of the region, or only the one from Kwartaalbudget.
    pub region_wide: bool,
    pub networks: Vec<NetworkClose>,
    /// The selected checklist item.
    pub selection: usize,
    /// First payment row shown (PgUp/PgDn scroll the payments).
    pub payment_offset: usize,
    /// What the bank said of each payment line, per network (same order as `networks` and their
    /// `payments`); empty for a network the bank said nothing of.
    pub bank: Vec<Vec<crate::domain::bank::LineState>>,
}

impl CloseScreen {
    /// Every checklist item of every network, failing ones first.
    pub fn items(&self) -> Vec<&CheckItem> {
        let mut items: Vec<&CheckItem> = self.networks.iter().flat_map(|n| n.checklist.iter()).collect();
        items.sort_by_key(|i| (i.ok, !i.warning));
        items
    }

    pub fn blocking(&self) -> usize {
        self.networks.iter().flat_map(|n| n.checklist.iter()).filter(|i| !i.ok).count()
    }

    pub fn all_closed(&self) -> bool {
        self.networks.iter().all(|n| n.closed.is_some())
    }

    /// Networks still open: what closing now would close.
    pub fn open_networks(&self) -> Vec<&NetworkClose> {
        self.networks.iter().filter(|n| n.closed.is_none()).collect()
    }

    /// The network of the selected checklist item (the only one when the screen has one).
    pub fn selected_network(&self) -> Option<&NetworkClose> {
        let name = self.items().get(self.selection).map(|i| i.network.clone())?;
        self.networks.iter().find(|n| n.network.name == name)
    }

    /// Rows of the payments table: a heading per network, its payments, its practice-team lines,
    /// and what it lists without paying.
    pub fn payment_rows(&self) -> usize {
        self.networks.iter().map(|n| 1 + n.payments.len() + n.by_team.len() + listed_rows(n).len()).sum()
    }

    pub fn total(&self) -> rust_decimal::Decimal {
        self.networks.iter().map(|n| total(&n.payments)).sum()
    }
}

/// A row the close screen lists under a network's payments without paying it.
pub struct ListedRow {
    /// "verschil" (voor het praktijkteam), "verrekend" or "vordering".
    pub kind: &'static str,
    pub payee: String,
    /// Invoice number, or the batch of the claim.
    pub note: String,
    pub amount: rust_decimal::Decimal,
}

/// The excess of invoices above their hours (for the practice team), amounts set off against
/// claims, and claims raised: listed beside the payments, never in their total.
pub fn listed_rows(network: &NetworkClose) -> Vec<ListedRow> {
    let differences = network.team_differences.iter().map(|d| ListedRow {
        kind: "verschil",
        payee: d.payee.clone(),
        note: "voor het praktijkteam".into(),
        amount: d.amount,
    });
    let set_offs = network.set_offs.iter().map(|s| ListedRow {
        kind: "verrekend",
        payee: s.line.payee.clone(),
        note: if s.claim_batch.is_empty() {
            "met vordering hiervan".into()
        } else {
            format!("vordering {}", s.claim_batch)
        },
        amount: s.line.amount,
    });
    let claims = network.claims.iter().map(|c| ListedRow {
        kind: "vordering",
        payee: c.line.payee.clone(),
        note: if c.batch.is_empty() { "bij deze afsluiting".into() } else { format!("batch {}", c.batch) },
        amount: c.line.amount,
    });
    differences.chain(set_offs).chain(claims).collect()
}

impl App {
    /// Opens the close screen for the Kwartaalbudget network and quarter (or its whole region).
    pub(super) fn open_close_screen(&mut self, region_wide: bool) {
        let Some(view) = &self.budget.view else {
            self.info("Kies eerst een netwerk (Kwartaalbudget, n).");
            return;
        };
        let network = view.network.clone();
        let quarter = self.budget.quarter;
        let ids = if region_wide {
            match region_networks(&self.store, network.region) {
                Ok(ids) => ids,
                Err(error) => return self.error(error.to_string()),
            }
        } else {
            vec![network.id]
        };
        match self.store.close_preview(&ids, quarter, self.today()) {
            Ok(networks) => {
                let bank = match bank_states(&self.store, &networks) {
                    Ok(bank) => bank,
                    Err(error) => return self.error(error.to_string()),
                };
                self.mode = Mode::Close(Box::new(CloseScreen {
                    quarter,
                    region_wide,
                    networks,
                    selection: 0,
                    payment_offset: 0,
                    bank,
                }))
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    pub(super) fn close_input(&mut self, mut screen: Box<CloseScreen>, action: Action) {
        let items = screen.items().len();
        let page = self.page();
        match action {
            Action::Back => return,
            Action::Up | Action::Down | Action::Home | Action::End => {
                super::list::move_index(&mut screen.selection, action, page, items);
            }
            Action::ToggleRegion => return self.open_close_screen(!screen.region_wide),
            Action::PageDown => {
                screen.payment_offset = (screen.payment_offset + 10).min(screen.payment_rows().saturating_sub(1))
            }
            Action::PageUp => screen.payment_offset = screen.payment_offset.saturating_sub(10),
            Action::Open => {
                if let Some(target) = screen.items().get(screen.selection).map(|i| i.target) {
                    self.go_to_check(target);
                    return;
                }
            }
            Action::CloseQuarter => return self.ask_close(screen),
            Action::ExportPayments => self.export_payments(&screen),
            Action::ReopenQuarter => match screen.selected_network() {
                Some(network) if network.closed.is_some() => {
                    let kind = FormKind::Reopen { network: network.network.id, quarter: screen.quarter };
                    self.open_form(kind);
                    return;
                }
                _ => self.info("Kies een afgesloten netwerk in de checklist (↑↓) om te heropenen."),
            },
            _ => {}
        }
        self.mode = Mode::Close(screen);
    }

    /// Closing from the close screen: step 1, once nothing on the checklist blocks it.
    fn ask_close(&mut self, screen: Box<CloseScreen>) {
        if screen.all_closed() {
            self.info(format!("{} is al afgesloten; e schrijft de betaalbestanden.", screen.quarter));
        } else if screen.blocking() > 0 {
            self.error(format!(
                "Nog {} open op de checklist: los die eerst op (Enter gaat erheen).",
                crate::domain::dutch::count(screen.blocking(), "punt", "punten")
            ));
        } else {
            let mut lines = close_summary(&screen.open_networks());
            let to_acknowledge = crate::store::to_acknowledge(&screen.networks);
            let choices = if to_acknowledge.is_empty() {
                vec![('j', "ja, verder"), ('n', "nee, terug")]
            } else {
                lines.push("Eerst erkennen (komt in het logboek):".into());
                lines.extend(to_acknowledge.iter().map(|warning| format!("! {warning}")));
                vec![('e', "erkend, verder"), ('n', "nee, terug")]
            };
            self.mode = Mode::Confirm(Confirm {
                title: format!("{} afsluiten (stap 1 van 2)", screen.quarter),
                lines,
                choices,
                kind: ConfirmKind::Close { screen, step: 1 },
            });
            return;
        }
        self.mode = Mode::Close(screen);
    }

    /// The second step and the close itself.
    pub(super) fn confirm_close(&mut self, screen: Box<CloseScreen>, step: u8, choice: Option<char>) {
        match (step, choice) {
            (1, Some('j' | 'e')) => {
                self.mode = Mode::Confirm(Confirm {
                    title: format!("{} afsluiten (stap 2 van 2)", screen.quarter),
                    lines: vec![
                        format!("Totaal {}. Dit wordt één betaalbatch met een nummer.", format_eur(screen.total())),
                        "Heropenen kan alleen met de rol finance en een reden.".into(),
                    ],
                    choices: vec![('a', "afsluiten"), ('n', "nee, terug")],
                    kind: ConfirmKind::Close { screen, step: 2 },
                });
            }
            (2, Some('a')) => {
                let ids: Vec<_> = screen.open_networks().iter().map(|n| n.network.id).collect();
                let ctx = self.ctx();
                // Exactly the warnings the finance officer was shown and acknowledged in step 1.
                let acknowledged = crate::store::to_acknowledge(&screen.networks);
                match self.store.close_quarter(&ctx, &ids, screen.quarter, &acknowledged) {
                    Ok(batch) => {
                        self.reload();
                        self.open_close_screen(screen.region_wide);
                        self.info(format!(
                            "{} afgesloten: batch {}, {}, {}. e schrijft de betaalbestanden.",
                            screen.quarter,
                            batch.number,
                            crate::domain::dutch::count(batch.lines.len(), "betaling", "betalingen"),
                            format_eur(batch.total())
                        ));
                    }
                    Err(error) => {
                        self.error(error.to_string());
                        self.mode = Mode::Close(screen);
                    }
                }
            }
            _ => self.mode = Mode::Close(screen),
        }
    }

    /// Writes the pain.001 file and the CSV of the selected network's payment batch through the
    /// runner's files (locally the current directory, served the user's exports folder), and
    /// says so in the audit log.
    fn export_payments(&mut self, screen: &CloseScreen) {
        let Some((_, batch)) = screen.selected_network().and_then(|n| n.closed.as_ref()) else {
            self.info("Dit netwerk is nog niet afgesloten: er is nog geen betaalbatch.");
            return;
        };
        // A file the store would not record (role, the batch's regions) is never written.
        if let Err(error) = self.store.may_record_export(&self.ctx(), batch) {
            return self.error(format!("Betaalbestanden niet geschreven: {error}"));
        }
        let now = (self.clock)();
        let pain = match crate::report::export::pain001(
            &self.store,
            batch,
            crate::payments::PainVersion::V09,
            now,
            now.with_timezone(&chrono::Local).date_naive(),
        ) {
            Ok(pain) => pain,
            Err(error) => return self.error(error.to_string()),
        };
        let written =
            self.files.write_export(&format!("betalingen-{}.xml", batch.number), pain.as_bytes()).and_then(|xml| {
                let csv = crate::report::export::csv(batch);
                self.files.write_export(&format!("betalingen-{}.csv", batch.number), csv.as_bytes()).map(|_| xml)
            });
        let xml = match written {
            Ok(xml) => xml,
            Err(error) => return self.error(format!("Betaalbestanden niet geschreven: {error}")),
        };
        let ctx = self.ctx();
        let file = crate::store::ExportedFile {
            name: xml.display().to_string(),
            bytes: pain.into_bytes(),
            execution_date: Some(crate::domain::payment_timing::execution_date(
                batch.quarter,
                now.with_timezone(&chrono::Local).date_naive(),
            )),
        };
        let what = format!("pain.001.001.09 en csv → {}", xml.display());
        match crate::report::export::record_file(&self.store, &ctx, batch, &what, &file) {
            Ok(Some(earlier)) => self.warn(format!(
                "Geschreven: {}. Let op: batch {} is al eerder geschreven ({earlier}); niet twee keer aan de bank geven.",
                xml.display(),
                batch.number
            )),
            Ok(None) => self.info(format!("Geschreven: {} en .csv.", xml.display())),
            Err(error) => self.error(error.to_string()),
        }
    }

    /// Goes to where a checklist item is fixed.
    fn go_to_check(&mut self, target: CheckTarget) {
        match target {
            CheckTarget::Hours(network, month) => {
                self.jump(crate::domain::signals::SignalTarget::Hours(network, month))
            }
            CheckTarget::Invoice(network, partner) => {
                self.budget.network = Some(network);
                self.reload_budget();
                if let Some(row) =
                    self.budget.view.as_ref().and_then(|v| v.partners.iter().position(|p| p.id == partner))
                {
                    self.budget.row = row;
                }
                self.show_pane(Pane::Budget);
                self.info("f legt een factuur vast, o keurt goed, r wijst af.");
            }
            CheckTarget::Agreement(network, Some(id)) => {
                self.jump(crate::domain::signals::SignalTarget::Agreement(network, id))
            }
            CheckTarget::Agreement(network, None) | CheckTarget::Network(network) => {
                self.jump(crate::domain::signals::SignalTarget::Network(network))
            }
            CheckTarget::Tariffs(year) => self.jump(crate::domain::signals::SignalTarget::Tariffs(year)),
            CheckTarget::Milestones(network) => self.jump(crate::domain::signals::SignalTarget::Milestones(network)),
        }
    }
}

/// What closing the `open` networks comes to: the networks, the payments and their total, what is
/// not paid, set off or claimed, and that the quarter is locked afterwards.
fn close_summary(open: &[&NetworkClose]) -> Vec<String> {
    let payments: usize = open.iter().map(|n| n.payments.len()).sum();
    let amount: rust_decimal::Decimal = open.iter().map(|n| total(&n.payments)).sum();
    let names: Vec<&str> = open.iter().map(|n| n.network.name.as_str()).collect();
    let mut lines = vec![
        format!("Netwerken: {}.", names.join(", ")),
        format!("{}, samen {}.", crate::domain::dutch::count(payments, "betaling", "betalingen"), format_eur(amount)),
    ];
    let sum =
        |f: fn(&NetworkClose) -> rust_decimal::Decimal| -> rust_decimal::Decimal { open.iter().map(|n| f(n)).sum() };
    let excess = sum(|n| n.team_differences.iter().map(|d| d.amount).sum());
    let set_off = sum(|n| n.set_offs.iter().map(|s| s.line.amount).sum());
    let claims = sum(|n| n.claims.iter().map(|c| c.line.amount).sum());
    if !excess.is_zero() {
        lines.push(format!("Niet betaald: {} boven de uren (verschil voor het praktijkteam).", format_eur(excess)));
    }
    if !set_off.is_zero() {
        lines.push(format!("Verrekend met eerdere vorderingen: {}.", format_eur(set_off)));
    }
    if !claims.is_zero() {
        lines.push(format!("Nieuwe vorderingen (te veel betaald): {}.", format_eur(claims)));
    }
    lines.push("Daarna liggen uren, facturen en betalingen van dit kwartaal vast.".into());
    lines
}

/// What the bank said of each closed network's payment lines (empty where it said nothing).
pub fn bank_states(
    store: &crate::store::Store,
    networks: &[NetworkClose],
) -> Result<Vec<Vec<crate::domain::bank::LineState>>, crate::store::StoreError> {
    let mut out = Vec::with_capacity(networks.len());
    let mut known = std::collections::HashMap::new();
    for network in networks {
        let states = match &network.closed {
            Some((close, _)) => {
                let states = match known.entry(close.batch) {
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => v.insert(store.batch_line_states(close.batch)?),
                };
                states
                    .as_ref()
                    .and_then(|s| s.get(&network.network.id))
                    .filter(|s| s.len() == network.payments.len())
                    .cloned()
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        out.push(states);
    }
    Ok(out)
}

#[cfg(test)]
mod scope_tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::super::files::MemoryFiles;
    use super::super::{App, Mode, Pane};
    use crate::domain::{Access, Network, Quarter, Region, Role, Scope};
    use crate::store::{ChangeContext, Store};

    type Clock = Arc<dyn Fn() -> chrono::DateTime<Utc> + Send + Sync>;

    fn demo() -> (Store, ChangeContext, Clock) {
        let at = Utc.with_ymd_and_hms(2025, 10, 15, 9, 0, 0).unwrap();
        let store = Store::temporary().unwrap();
        let all = ChangeContext::new("admin", at);
        crate::demo::load(&store, &all, at.date_naive()).unwrap();
        (store, all, Arc::new(move || at))
    }

    fn network(store: &Store, name: &str) -> Network {
        store.network_by_name(name).unwrap().unwrap()
    }

    /// A colleague moves the network a Zwolle user has open to Flevoland: it leaves the user's
    /// budget pane, and the region's close screen does not become Flevoland's.
    #[test]
    fn a_network_moved_out_of_the_users_regions_leaves_their_budget_and_close_screens() {
        let (store, all, clock) = demo();
        let zuid = network(&store, "Zwolle-Zuid");
        let zwolle = Access::new(Role::Finance, Scope::parse("Zwolle").unwrap());
        let mut app = App::with_access(store.clone(), "z", zwolle, clock);
        app.budget.network = Some(zuid.id);
        app.show_pane(Pane::Budget);
        app.reload_budget();
        assert!(app.budget.view.is_some(), "shown while it lies in Zwolle");
        let moved = Network { region: Region::Flevoland, municipality: "Almere".into(), ..zuid.clone() };
        store.update_network(&all, &moved).unwrap();
        app.refresh();
        assert!(app.budget.view.is_none() && app.budget.network.is_none(), "gone from the budget pane");
        app.open_close_screen(true);
        if let Mode::Close(screen) = &app.mode {
            let names: Vec<_> = screen.networks.iter().map(|n| n.network.name.clone()).collect();
            assert!(names.iter().all(|n| network(&store, n).region == Region::Zwolle), "{names:?}");
        }
    }

    /// A batch holding a network outside the user's regions: its payment file is not written
    /// (the store would not record it), and nothing is recorded.
    #[test]
    fn a_payment_file_the_store_would_not_record_is_not_written() {
        let (store, all, clock) = demo();
        let lelystad = network(&store, "Lelystad-Atolwijk");
        let zuid = network(&store, "Zwolle-Zuid");
        let quarter = Quarter::new(2025, 1).unwrap();
        let ids = [lelystad.id, zuid.id];
        let acknowledged =
            crate::store::to_acknowledge(&store.close_preview(&ids, quarter, all.at.date_naive()).unwrap());
        let batch = store.close_quarter(&all, &ids, quarter, &acknowledged).unwrap();
        let export = |access: Access| {
            let files = MemoryFiles::new();
            let mut app =
                App::with_access(store.clone(), "f", access, clock.clone()).with_files(Arc::new(files.clone()));
            app.budget.network = Some(lelystad.id);
            app.budget.quarter = quarter;
            app.reload_budget();
            app.open_close_screen(false);
            let Mode::Close(screen) = std::mem::replace(&mut app.mode, Mode::Normal) else { panic!("no close screen") };
            app.export_payments(&screen);
            (files.export_names(), app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default())
        };
        let (written, said) = export(Access::new(Role::Finance, Scope::parse("Flevoland").unwrap()));
        assert!(written.is_empty(), "nothing written: {written:?}");
        // The batch's other network is not named (issue 16).
        assert!(said.contains("niet geschreven") && said.contains("buiten uw regio's"), "{said}");
        assert!(!said.contains("Zwolle"), "{said}");
        assert!(store.batch_exports(batch.id).unwrap().entries.is_empty(), "nothing recorded");
        // The other side: a finance user of every region writes and records it.
        let (written, said) = export(Access::new(Role::Finance, Scope::All));
        assert_eq!(written.len(), 2, "{said}");
        assert_eq!(store.batch_exports(batch.id).unwrap().entries.len(), 1);
    }
}
