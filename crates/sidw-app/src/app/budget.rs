//! Pane 3, Kwartaalbudget: one network and quarter as a grid of partners × months, the partner
//! budget of the year with what remains of it, and the quarter's practice-team money. Hours are
//! typed straight into the cells; the remaining budget follows every keystroke.

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

use crate::domain::budget::{PartnerBudget, Spending, partner_budget_year, practice_team_money, practice_team_split};
use crate::domain::hours::NihilMark;
use crate::domain::money::{format_eur, round_cents};
use crate::domain::validate::parse_cell_hours;
use crate::domain::{
    HoursEntry, HoursEntryId, InvoiceId, Network, NetworkId, Partner, PartnerId, PracticeTeam, Quarter, Scope,
    TariffBook, TariffTable, YearMonth,
};
use crate::import::hours::HoursImport;
use crate::store::{CellChange, Store, StoreError};

use super::forms::FormKind;
use super::key::KeyCode;
use super::list::{Selection, matches};
use super::networks::NetworksPane;
use super::undo::UndoOp;
use super::{Action, App, Confirm, ConfirmKind, Mode, Picker};

/// What the grid shows, loaded once per network and quarter (not per keystroke).
#[derive(Clone)]
pub struct BudgetView {
    pub network: Network,
    pub partners: Vec<Partner>,
    /// Every line of the quarter's year.
    pub lines: Vec<HoursEntry>,
    pub tariffs: Option<TariffTable>,
    /// The year's partner budget; `None` without tariffs for the year.
    pub budget: Option<PartnerBudget>,
    pub quarter_money: Option<Decimal>,
    /// Each practice's share of the quarter's practice-team money.
    pub practice_money: Vec<(String, Decimal)>,
    /// Why hours cannot be keyed here, if they cannot.
    pub problem: Option<String>,
    /// The partners' invoices for the quarter.
    pub invoices: Vec<crate::domain::Invoice>,
    /// Set when the quarter is closed (locked).
    pub closed: Option<crate::domain::close::QuarterClose>,
    /// The quarter's nihil marks (form received, no hours).
    pub nihil: Vec<NihilMark>,
}

impl BudgetView {
    pub fn cell_lines(&self, partner: PartnerId, month: YearMonth) -> Vec<&HoursEntry> {
        self.lines.iter().filter(|l| l.partner == partner && l.month == month).collect()
    }

    pub fn cell_hours(&self, partner: PartnerId, month: YearMonth) -> Decimal {
        self.cell_lines(partner, month).iter().map(|l| l.hours).sum()
    }

    pub fn worth_of(&self, partner: &Partner, hours: Decimal) -> Decimal {
        self.tariffs.as_ref().map_or(Decimal::ZERO, |t| round_cents(hours * t.hourly(partner.category)))
    }

    pub fn line_worth(&self, line: &HoursEntry) -> Decimal {
        self.partners.iter().find(|p| p.id == line.partner).map_or(Decimal::ZERO, |p| self.worth_of(p, line.hours))
    }

    /// Σ worth of a partner's lines in the quarter (lines paid by the practice team included).
    pub fn partner_quarter_worth(&self, partner: PartnerId, quarter: Quarter) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.partner == partner && quarter.contains(l.month))
            .map(|l| self.line_worth(l))
            .sum()
    }

    pub fn month_hours(&self, month: YearMonth) -> Decimal {
        self.lines.iter().filter(|l| l.month == month).map(|l| l.hours).sum()
    }

    pub fn quarter_worth(&self, quarter: Quarter) -> Decimal {
        self.lines.iter().filter(|l| quarter.contains(l.month)).map(|l| self.line_worth(l)).sum()
    }

    /// Σ worth of the partner's lines of the quarter that count against the budget: what the
    /// partner's invoice should say.
    pub fn invoiceable_worth(&self, partner: PartnerId, quarter: Quarter) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.partner == partner && quarter.contains(l.month) && !l.paid_by_practice_team)
            .map(|l| self.line_worth(l))
            .sum()
    }

    /// The partner's latest invoice of the quarter.
    pub fn invoice_of(&self, partner: PartnerId) -> Option<&crate::domain::Invoice> {
        self.invoices.iter().rev().find(|i| i.partner == partner)
    }

    /// Is the cell marked nihil ("formulier ontvangen, geen uren")?
    pub fn cell_nihil(&self, partner: PartnerId, month: YearMonth) -> bool {
        self.nihil.iter().any(|m| m.partner == partner && m.month == month)
    }

    /// Σ worth of the partner's lines of the quarter paid by the practice team (not invoiced).
    pub fn by_team_worth(&self, partner: PartnerId, quarter: Quarter) -> Decimal {
        self.partner_quarter_worth(partner, quarter) - self.invoiceable_worth(partner, quarter)
    }

    /// The view as it would be with `hours` in the cell instead of what is stored: the cell's one
    /// line with those hours (a new line in an empty cell, no line for 0), and the year's spending
    /// added up again by the domain from the lines (as `load` does), so that every figure drawn
    /// from it (Besteed, Resterend, the row's and the month's totals, Waarde kw.) follows the
    /// typed value. A cell with several lines is never typed into; its view stays as it is.
    pub fn with_cell(&self, partner: PartnerId, month: YearMonth, hours: Decimal) -> Self {
        let mut view = self.clone();
        if let Some(lines) = self.lines_with_cell(partner, month, hours) {
            view.lines = lines;
            if let Some(spending) = view.spending()
                && let Some(budget) = view.budget.as_mut()
            {
                budget.spending = spending;
            }
        }
        view
    }

    /// The year's spending with `hours` in the cell (what [`BudgetView::with_cell`] shows),
    /// without copying the rest of the view.
    pub fn spending_with_cell(&self, partner: PartnerId, month: YearMonth, hours: Decimal) -> Option<Spending> {
        let lines = self.lines_with_cell(partner, month, hours)?;
        spending_of(&self.partners, &lines, self.tariffs.as_ref()?).ok()
    }

    /// The year's spending of the view's lines, added up by the domain.
    fn spending(&self) -> Option<Spending> {
        spending_of(&self.partners, &self.lines, self.tariffs.as_ref()?).ok()
    }

    /// The year's lines with `hours` in the cell in place of its one line (none for 0); `None`
    /// for a cell with several lines.
    fn lines_with_cell(&self, partner: PartnerId, month: YearMonth, hours: Decimal) -> Option<Vec<HoursEntry>> {
        let in_cell = |l: &HoursEntry| l.partner == partner && l.month == month;
        if self.lines.iter().filter(|l| in_cell(l)).count() > 1 {
            return None;
        }
        let mut lines = self.lines.clone();
        match lines.iter().position(in_cell) {
            Some(at) if hours.is_zero() => {
                lines.remove(at);
            }
            Some(at) => lines[at].hours = hours,
            None if hours.is_zero() => {}
            None => lines.push(HoursEntry {
                id: crate::domain::HoursEntryId(0),
                network: self.network.id,
                partner,
                month,
                hours,
                activity: String::new(),
                paid_by_practice_team: false,
                double_funding_confirmed: false,
                corrects: None,
            }),
        }
        Some(lines)
    }

    /// Does the partner have a line paid by the practice team in this cell?
    pub fn cell_by_team(&self, partner: PartnerId, month: YearMonth) -> bool {
        self.cell_lines(partner, month).iter().any(|l| l.paid_by_practice_team)
    }
}

/// Where the cursor goes after a cell is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Left,
    Right,
    /// Right, and from the last month to the first of the next partner (Tab).
    Next,
    /// Left, and from the first month to the last of the partner before (Shift-Tab).
    Previous,
    Stay,
}

/// An hours cell being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEdit {
    pub row: usize,
    pub col: usize,
    pub text: String,
    pub then: Move,
}

/// What saving the typed number would do, shown while it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub hours: Option<Decimal>,
    /// Why the text is not a valid number of hours yet.
    pub error: Option<String>,
    /// Worth of the cell with the typed hours.
    pub worth: Decimal,
    /// The year's remaining partner budget if this were saved.
    pub remaining: Decimal,
    /// How far below zero the remaining budget would go, when it would.
    pub shortfall: Option<Decimal>,
    /// The cell's line is paid by the practice team (not counted against the budget).
    pub by_team: bool,
}

pub struct BudgetPane {
    pub network: Option<NetworkId>,
    pub quarter: Quarter,
    pub view: Option<BudgetView>,
    pub row: usize,
    pub col: usize,
    /// Selected line when a cell's lines are open.
    pub line_index: usize,
    /// Pharmacies and sports coaches confirmed in this session, per quarter.
    confirmed: HashSet<(PartnerId, Quarter)>,
}

impl BudgetPane {
    pub fn new(quarter: Quarter) -> Self {
        Self { network: None, quarter, view: None, row: 0, col: 0, line_index: 0, confirmed: HashSet::new() }
    }

    /// Without a chosen network: the first network with partners, at the quarter of its latest
    /// hours (or this quarter).
    pub(crate) fn choose_default(&mut self, store: &Store, networks: &NetworksPane, tariffs: &TariffBook) {
        if self.network.is_some() {
            return;
        }
        let Some(row) = networks.rows.iter().find(|r| r.partners > 0 && !r.network.former_gez_owz) else { return };
        self.network = Some(row.network.id);
        let years: Vec<i32> = tariffs.years().collect();
        for year in years.into_iter().rev() {
            if let Ok(lines) = store.hours_of(row.network.id, year)
                && let Some(last) = lines.iter().map(|l| l.month).max()
            {
                self.quarter = last.quarter();
                return;
            }
        }
    }

    pub(crate) fn load(&mut self, store: &Store, tariffs: &TariffBook, scope: &Scope) -> Result<(), StoreError> {
        let Some(id) = self.network else {
            self.view = None;
            return Ok(());
        };
        let network = match store.network(id) {
            // A network a colleague moved out of the user's regions is gone for this user.
            Ok(network) if scope.contains(network.region) => network,
            Ok(_) | Err(StoreError::NotFound(_)) => {
                self.network = None;
                self.view = None;
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let year = self.quarter.year();
        let mut partners = store.partners(id)?;
        partners.sort_by_key(|p| p.name.to_lowercase());
        let lines = store.hours_of(id, year)?;
        let team = store.practice_team(id)?;
        let table = tariffs.for_year(year).ok().cloned();
        let problem = budget_problem(&network, table.is_some(), partners.is_empty(), year);
        let (budget, quarter_money, practice_money) = match &table {
            Some(table) => {
                let money = budget_money(&network, &team, &partners, &lines, table, self.quarter)?;
                (Some(money.budget), Some(money.quarter), money.practices)
            }
            None => (None, None, Vec::new()),
        };
        self.row = self.row.min(partners.len().saturating_sub(1));
        self.view = Some(BudgetView {
            network,
            partners,
            lines,
            tariffs: table,
            budget,
            quarter_money,
            practice_money,
            problem,
            invoices: store.invoices_of(id, self.quarter)?,
            closed: store.quarter_close(id, self.quarter)?,
            nihil: store.nihil_marks(id, self.quarter)?,
        });
        Ok(())
    }

    pub fn month(&self) -> YearMonth {
        self.quarter.months()[self.col.min(2)]
    }

    /// The lines of the selected cell (the month's lines of the selected partner).
    pub fn selected_cell_lines(&self) -> Vec<HoursEntry> {
        match (&self.view, self.selected_partner()) {
            (Some(view), Some(partner)) => view.cell_lines(partner.id, self.month()).into_iter().cloned().collect(),
            _ => Vec::new(),
        }
    }

    pub fn selected_partner(&self) -> Option<&Partner> {
        self.view.as_ref().and_then(|v| v.partners.get(self.row))
    }
}

/// Why hours cannot be keyed in a network's grid for `year`, if they cannot.
fn budget_problem(network: &Network, has_tariffs: bool, no_partners: bool, year: i32) -> Option<String> {
    if network.former_gez_owz {
        Some("voormalig GEZ/OWZ-netwerk: het regelt zijn partners zelf, hier worden geen uren bijgehouden".to_string())
    } else if !has_tariffs {
        Some(format!("er zijn geen tarieven voor {year}: leg die eerst vast in Tarieven (5)"))
    } else if no_partners {
        Some("dit netwerk heeft nog geen partners met declaratierecht (Netwerken, z)".to_string())
    } else {
        None
    }
}

/// The money of a network's grid, see [`budget_money`].
struct BudgetMoney {
    budget: PartnerBudget,
    /// The quarter's practice-team money.
    quarter: Decimal,
    /// Each practice's share of it, by practice name.
    practices: Vec<(String, Decimal)>,
}

/// Under the year's `table`: the partner budget with its spending, the quarter's practice-team
/// money and each practice's share of it (by practice name).
fn budget_money(
    network: &Network,
    team: &PracticeTeam,
    partners: &[Partner],
    lines: &[HoursEntry],
    table: &TariffTable,
    quarter: Quarter,
) -> Result<BudgetMoney, StoreError> {
    let year = quarter.year();
    let book = TariffBook::new([table.clone()]);
    let spending = spending_of(partners, lines, table)?;
    let budget = PartnerBudget { budget: partner_budget_year(network, team, &book, year)?, spending };
    let money = practice_team_money(network, team, &book, quarter)?;
    let split = if team.practices.is_empty() {
        Vec::new()
    } else {
        practice_team_split(network, team, &book, quarter)?
            .into_iter()
            .map(|(pid, amount)| {
                let name = team.practices.iter().find(|p| p.id == pid).map(|p| p.name.clone()).unwrap_or_default();
                (name, amount)
            })
            .collect()
    };
    Ok(BudgetMoney { budget, quarter: money, practices: split })
}

/// The spending of a year's lines, each at its partner's category (lines of a partner no longer in
/// the network are left out).
fn spending_of(partners: &[Partner], lines: &[HoursEntry], table: &TariffTable) -> Result<Spending, StoreError> {
    let book = TariffBook::new([table.clone()]);
    let categories: HashMap<PartnerId, crate::domain::TariffCategory> =
        partners.iter().map(|p| (p.id, p.category)).collect();
    let categorised = lines.iter().filter_map(|l| categories.get(&l.partner).map(|c| (l, *c)));
    Ok(Spending::of_lines(categorised, &book)?)
}

/// The hours a cell's text stands for so far: "1," is "1" on its way to "1,5", an empty cell is 0.
fn typed_hours(text: &str) -> Result<Decimal, String> {
    let text = text.trim_end_matches([',', '.']);
    if text.is_empty() { Ok(Decimal::ZERO) } else { parse_cell_hours(text).map_err(|e| e.message) }
}

impl App {
    /// The effect of the number being typed, recomputed on every keystroke from the loaded view.
    pub fn preview(&self) -> Option<Preview> {
        let Mode::CellEdit(edit) = &self.mode else { return None };
        self.preview_of(edit)
    }

    /// The budget view as drawn: while a valid number is typed, with that number in the cell in
    /// place of the stored one ([`BudgetView::with_cell`]); otherwise as loaded.
    pub fn live_view(&self) -> Option<std::borrow::Cow<'_, BudgetView>> {
        let view = self.budget.view.as_ref()?;
        let Mode::CellEdit(edit) = &self.mode else { return Some(std::borrow::Cow::Borrowed(view)) };
        Some(match self.typed_view(view, edit) {
            Some(live) => std::borrow::Cow::Owned(live),
            None => std::borrow::Cow::Borrowed(view),
        })
    }

    fn typed_view(&self, view: &BudgetView, edit: &CellEdit) -> Option<BudgetView> {
        let partner = view.partners.get(edit.row)?;
        let month = *self.budget.quarter.months().get(edit.col)?;
        let hours = typed_hours(&edit.text).ok()?;
        Some(view.with_cell(partner.id, month, hours))
    }

    fn preview_of(&self, edit: &CellEdit) -> Option<Preview> {
        let view = self.budget.view.as_ref()?;
        let budget = view.budget?;
        let partner = view.partners.get(edit.row)?;
        let month = self.budget.quarter.months()[edit.col];
        let lines = view.cell_lines(partner.id, month);
        let by_team = lines.iter().any(|l| l.paid_by_practice_team);
        let old_worth: Decimal = lines.iter().filter(|l| !l.paid_by_practice_team).map(|l| view.line_worth(l)).sum();
        let (hours, error) = match typed_hours(&edit.text) {
            Ok(hours) => (Some(hours), None),
            Err(message) => (None, Some(message)),
        };
        let worth = hours.map_or(old_worth, |h| view.worth_of(partner, h));
        // One computation: the remaining budget is the live view's, the domain's sum of its lines.
        let remaining = match hours.and_then(|h| view.spending_with_cell(partner.id, month, h)) {
            Some(spending) => PartnerBudget { budget: budget.budget, spending }.remaining(),
            None => budget.remaining(),
        };
        let shortfall = (!by_team && worth > old_worth && remaining < Decimal::ZERO).then_some(-remaining);
        Some(Preview { hours, error, worth, remaining, shortfall, by_team })
    }

    pub(super) fn budget_action(&mut self, action: Action) {
        if self.budget_cursor(action) {
            return;
        }
        match action {
            Action::PreviousQuarter | Action::NextQuarter => self.step_quarter(action == Action::NextQuarter),
            Action::PickNetwork => {
                self.mode = Mode::PickNetwork(Picker { filter: String::new(), selection: Selection::default() })
            }
            Action::StartCellEdit(c) => self.start_cell(c.to_string()),
            Action::Edit => {
                let text = self.current_cell_text();
                self.start_cell(text);
            }
            Action::Open => self.open_cell(),
            Action::ShowLines if self.cell_ready().is_some() => {
                self.budget.line_index = 0;
                self.mode = Mode::Lines;
            }
            Action::CopyPreviousMonth => self.copy_previous_month(),
            Action::NewInvoice => self.new_invoice(),
            Action::ShowInvoices if self.budget.selected_partner().is_some() => self.mode = Mode::Invoices(0),
            Action::ApproveInvoice | Action::RejectInvoice if self.partner_invoices().len() > 1 => {
                self.info("Deze partner heeft meerdere facturen: kies er een (↑↓), dan o of r.");
                self.mode = Mode::Invoices(0);
            }
            Action::ApproveInvoice | Action::RejectInvoice => self.decide_invoice(action == Action::ApproveInvoice),
            Action::CloseQuarter => self.open_close_screen(false),
            Action::Delete => self.delete_cell(),
            Action::Export => self.write_statement(),
            Action::MailStatement => self.show_statement_mail(),
            _ => {}
        }
    }

    /// The grid's cursor keys; `false` when `action` is not one of them.
    fn budget_cursor(&mut self, action: Action) -> bool {
        let rows = self.budget.view.as_ref().map_or(0, |v| v.partners.len());
        let page = self.page();
        let pane = &mut self.budget;
        let last_row = rows.saturating_sub(1);
        match action {
            Action::Up => pane.row = pane.row.saturating_sub(1),
            Action::Down => pane.row = (pane.row + 1).min(last_row),
            Action::PageUp => pane.row = pane.row.saturating_sub(page),
            Action::PageDown => pane.row = (pane.row + page).min(last_row),
            Action::Home | Action::FirstRow => pane.row = 0,
            Action::End | Action::LastRow => pane.row = last_row,
            Action::Left => pane.col = pane.col.saturating_sub(1),
            Action::Right => pane.col = (pane.col + 1).min(2),
            Action::RowStart => pane.col = 0,
            Action::RowEnd => pane.col = 2,
            Action::NextCell => (pane.row, pane.col) = step((pane.row, pane.col), Move::Next, rows),
            Action::PreviousCell => (pane.row, pane.col) = step((pane.row, pane.col), Move::Previous, rows),
            _ => return false,
        }
        true
    }

    /// The quarter before or after, reloaded.
    fn step_quarter(&mut self, next: bool) {
        let pane = &mut self.budget;
        pane.quarter = if next { pane.quarter.next() } else { pane.quarter.previous() };
        let quarter = pane.quarter;
        self.reload_budget();
        self.info(format!("Kwartaal {quarter}."));
    }

    /// `s`: the coordinator's statement of the network and quarter (`report::statement`) as PDF,
    /// written through the app's files (served: the user's `exports/`); the message names the file.
    fn write_statement(&mut self) {
        let Some(view) = &self.budget.view else { return self.info("Kies eerst een netwerk (n).") };
        let format = crate::report::statement::StatementFormat::Pdf;
        let written = crate::report::statement::statement(
            &self.store,
            &view.network.name,
            self.budget.quarter,
            self.today(),
            &self.scope,
        )
        .and_then(|statement| {
            crate::report::statement_files::pdf_bytes(&statement).map(|bytes| (statement.file_name(format), bytes))
        })
        .map_err(|e| e.to_string())
        .and_then(|(name, bytes)| self.files.write_export(&name, &bytes));
        match written {
            Ok(path) => self.info(format!("Kwartaaloverzicht geschreven: {}.", path.display())),
            Err(error) => self.error(format!("Kwartaaloverzicht: {error}")),
        }
    }

    /// `f`: the invoice form for the selected partner and the quarter.
    fn new_invoice(&mut self) {
        if let (Some(partner), Some(view)) = (self.budget.selected_partner().map(|p| p.id), &self.budget.view) {
            let kind = FormKind::Invoice { network: view.network.id, partner, quarter: self.budget.quarter };
            self.open_form(kind);
        }
    }

    /// `o` / `r` on a partner with one invoice: the decision form.
    fn decide_invoice(&mut self, approve: bool) {
        let invoice = self
            .budget
            .selected_partner()
            .and_then(|p| self.budget.view.as_ref().and_then(|v| v.invoice_of(p.id)).cloned());
        match invoice {
            Some(invoice) => self.open_form(FormKind::InvoiceDecision { invoice: Box::new(invoice), approve }),
            None => self.info("Deze partner heeft dit kwartaal geen factuur; f legt er een vast."),
        }
    }

    /// `x` on a cell: a nihil mark goes, a single line is asked about, more lines are opened first.
    fn delete_cell(&mut self) {
        let Some((_, month)) = self.cell_ready() else { return };
        let lines = self.budget.selected_cell_lines();
        let nihil = self
            .budget
            .view
            .as_ref()
            .zip(self.budget.selected_partner())
            .is_some_and(|(v, p)| v.cell_nihil(p.id, month));
        match lines.as_slice() {
            [] if nihil => self.remove_nihil(month),
            [] => self.info("Deze cel is leeg."),
            [line] => {
                let what =
                    format!("{} uur {}", line.hours.normalize().to_string().replace('.', ","), month.dutch_name());
                self.mode = Mode::Confirm(Confirm {
                    title: "Uren verwijderen?".into(),
                    lines: vec![format!(
                        "{what} van {} verwijderen.",
                        self.budget.selected_partner().map_or("", |p| p.name.as_str())
                    )],
                    choices: vec![('j', "ja, verwijderen"), ('n', "nee")],
                    kind: ConfirmKind::DeleteCell(line.id),
                });
            }
            _ => self.info("Deze cel heeft meerdere regels: Enter opent ze."),
        }
    }

    /// Enter on a cell: a cell with several lines (or any line of a closed quarter, for a
    /// correction) shows its lines; any other cell is edited, an empty one too.
    fn open_cell(&mut self) {
        let Some((partner, month)) = self.cell_ready() else { return };
        let Some(view) = &self.budget.view else { return };
        let count = view.cell_lines(partner, month).len();
        let closed = view.closed.is_some();
        // A closed quarter's cell shows its lines (a correction starts there: c), also when empty.
        if count > 1 || closed || (count == 1 && !self.role.can_edit()) {
            self.budget.line_index = 0;
            self.mode = Mode::Lines;
        } else if !self.role.can_edit() {
            self.info("Deze cel is leeg.");
        } else {
            let text = self.current_cell_text();
            self.start_cell(text);
        }
    }

    /// The selected cell's partner and month, when hours can be keyed there; else says why not.
    fn cell_ready(&mut self) -> Option<(PartnerId, YearMonth)> {
        let problem = match &self.budget.view {
            None => Some("Kies eerst een netwerk met n.".to_string()),
            Some(view) => view.problem.clone(),
        };
        if let Some(problem) = problem {
            self.warn(format!("Hier kunnen geen uren in: {problem}."));
            return None;
        }
        let partner = self.budget.selected_partner()?.id;
        Some((partner, self.budget.month()))
    }

    fn current_cell_text(&self) -> String {
        let Some(view) = &self.budget.view else { return String::new() };
        let Some(partner) = view.partners.get(self.budget.row) else { return String::new() };
        let hours = view.cell_hours(partner.id, self.budget.month());
        if !hours.is_zero() {
            hours.normalize().to_string().replace('.', ",")
        } else if view.cell_nihil(partner.id, self.budget.month()) {
            "0".into()
        } else {
            String::new()
        }
    }

    fn start_cell(&mut self, text: String) {
        let Some((partner, month)) = self.cell_ready() else { return };
        if let Some(view) = &self.budget.view
            && view.closed.is_some()
        {
            let (network, quarter) = (view.network.name.clone(), self.budget.quarter);
            self.error(format!("{quarter} van {network} is afgesloten: niet te wijzigen. Correctie: Enter, dan c."));
            return;
        }
        let count = self.budget.view.as_ref().map_or(0, |v| v.cell_lines(partner, month).len());
        if count > 1 {
            self.info(format!("Deze cel heeft {count} regels (verschillende activiteiten): Enter opent ze."));
            return;
        }
        self.mode = Mode::CellEdit(CellEdit { row: self.budget.row, col: self.budget.col, text, then: Move::Stay });
    }

    pub(super) fn cell_input(&mut self, mut edit: CellEdit, action: Action) {
        let then = match action {
            Action::Save => Move::Down,
            Action::NextCell => Move::Next,
            Action::PreviousCell => Move::Previous,
            Action::Up => Move::Up,
            Action::Down => Move::Down,
            Action::Left => Move::Left,
            Action::Right => Move::Right,
            Action::Back => return self.info("Niet opgeslagen."),
            Action::Quit => {
                self.mode = Mode::Confirm(Confirm {
                    title: "Stoppen?".into(),
                    lines: vec![format!("U bent uren aan het typen ({}). Die zijn nog niet opgeslagen.", edit.text)],
                    choices: vec![('s', "stoppen zonder opslaan"), ('v', "verder typen")],
                    kind: ConfirmKind::QuitWithEntry(edit),
                });
                return;
            }
            Action::Input(key) => {
                if key.code == KeyCode::Backspace {
                    edit.text.pop();
                } else if let Some(c) = key.typed() {
                    // Never dropped silently: "-1" is not 1, "1,5,2" is not 1,52.
                    match cell_char(&edit.text, c) {
                        Ok(()) => edit.text.push(c),
                        Err(why) => self.error(why),
                    }
                }
                self.mode = Mode::CellEdit(edit);
                return;
            }
            _ => {
                self.mode = Mode::CellEdit(edit);
                return;
            }
        };
        edit.then = then;
        self.save_cell(edit);
    }

    /// Saves a typed cell, after the questions the rules ask (double funding, over budget).
    fn save_cell(&mut self, edit: CellEdit) {
        let Some(view) = &self.budget.view else { return };
        let Some(partner) = view.partners.get(edit.row).cloned() else { return };
        let month = self.budget.quarter.months()[edit.col];
        let existing: Option<HoursEntry> = view.cell_lines(partner.id, month).first().map(|l| (*l).clone());
        let nihil = view.cell_nihil(partner.id, month);
        if edit.text.is_empty() {
            if existing.is_some() || nihil {
                self.store_cell(edit, false, false);
            } else {
                self.move_after(&edit);
            }
            return;
        }
        let hours = match parse_cell_hours(&edit.text) {
            Ok(hours) => hours,
            Err(error) => {
                self.error(format!("{error} — typ een aantal uren, bijvoorbeeld 1,5 (0 = nihil)"));
                self.mode = Mode::CellEdit(edit);
                return;
            }
        };
        let unchanged = match &existing {
            Some(line) => line.hours == hours,
            None => hours.is_zero() && nihil,
        };
        if unchanged {
            self.move_after(&edit);
            return;
        }
        if hours.is_zero() {
            self.store_cell(edit, false, false);
            return;
        }
        let quarter = self.budget.quarter;
        let by_team = existing.as_ref().is_some_and(|l| l.paid_by_practice_team);
        // Over budget first: a line the practice team pays needs no double-funding question.
        if let Some(Preview { shortfall: Some(shortfall), remaining, .. }) = self.preview_of(&edit) {
            self.ask_over_budget(edit, shortfall, remaining);
            return;
        }
        let risky = partner.discipline.risks_double_funding() && !by_team;
        let confirmed = existing.as_ref().is_some_and(|l| l.double_funding_confirmed)
            || self.budget.confirmed.contains(&(partner.id, quarter));
        if risky && !confirmed {
            self.mode = Mode::Confirm(Confirm {
                title: format!("{}: {}", partner.discipline.dutch_label(), partner.name),
                lines: vec![
                    "Het handboek raadt af een apotheek of sportcoach uit de € 1,15 per ION te betalen:".into(),
                    "hun inzet is al elders gefinancierd (dubbelfinanciering). De praktijken beslissen.".into(),
                    format!("Toch betalen uit het partnerbudget, dit kwartaal ({quarter})? Dit wordt vastgelegd."),
                ],
                choices: vec![('j', "ja, bevestigen"), ('n', "nee, niet opslaan")],
                kind: ConfirmKind::DoubleFunding(edit),
            });
            return;
        }
        self.store_cell(edit, false, risky);
    }

    fn ask_over_budget(&mut self, edit: CellEdit, shortfall: Decimal, remaining: Decimal) {
        self.mode = Mode::Confirm(Confirm {
            title: "Partnerbudget overschreden".into(),
            lines: vec![
                format!(
                    "Met deze uren komt het resterende budget op {}: een tekort van {}.",
                    format_eur(remaining),
                    format_eur(shortfall)
                ),
                "De tarieven liggen vast; deze uren kunnen alleen als \"betaald door het praktijkteam\".".into(),
            ],
            choices: vec![('b', "opslaan als betaald door praktijkteam"), ('n', "niet opslaan")],
            kind: ConfirmKind::OverBudget(edit),
        });
    }

    /// Stores a typed cell through [`Store::set_cell`] (the same rules as `sidw hours set`).
    /// `by_team_increase`: the over-budget question was answered "paid by the practice team".
    fn store_cell(&mut self, edit: CellEdit, by_team_increase: bool, confirmed: bool) {
        let Some(view) = &self.budget.view else { return };
        let Some(partner) = view.partners.get(edit.row).cloned() else { return };
        let month = self.budget.quarter.months()[edit.col];
        let hours = if edit.text.is_empty() {
            None
        } else {
            match parse_cell_hours(&edit.text) {
                Ok(hours) => Some(hours),
                Err(_) => return,
            }
        };
        let ctx = self.ctx();
        let change = CellChange {
            network: partner.network,
            partner: partner.id,
            month,
            hours,
            by_team_increase,
            double_funding_confirmed: confirmed,
        };
        match self.store.set_cell(&ctx, &change) {
            Ok(outcome) => {
                let split = outcome.after.lines.len() > outcome.before.lines.len().max(1);
                self.push_undo(UndoOp::Hours(Box::new(outcome)));
                self.reload_budget();
                self.report_cell(&partner, month, hours, split, by_team_increase);
                self.move_after(&edit);
            }
            Err(StoreError::Rule(crate::domain::DomainError::OverBudget { shortfall })) => {
                // A colleague spent budget in the meantime: ask again with the stored figures.
                self.reload_budget();
                let remaining = -shortfall;
                self.ask_over_budget(edit, shortfall, remaining);
            }
            Err(error) => {
                self.error(error.to_string());
                self.mode = Mode::CellEdit(edit);
            }
        }
    }

    /// The message after a stored cell: emptied, nihil or the hours with their worth, and what remains.
    /// `split`: the store paid the increase by the practice team.
    fn report_cell(&mut self, partner: &Partner, month: YearMonth, hours: Option<Decimal>, split: bool, by_team: bool) {
        let remaining = self.budget.view.as_ref().and_then(|v| v.budget).map(|b| b.remaining()).unwrap_or_default();
        match hours {
            None => self.info(format!(
                "Uren {} leeggemaakt (u maakt het ongedaan). Resterend {}.",
                month.dutch_name(),
                format_eur(remaining)
            )),
            Some(hours) if hours.is_zero() => self.info(format!(
                "{}, {}: nihil (formulier ontvangen, geen uren). Resterend {}.",
                partner.name,
                month.dutch_name(),
                format_eur(remaining)
            )),
            Some(hours) => {
                let worth = self.budget.view.as_ref().map_or(Decimal::ZERO, |v| v.worth_of(partner, hours));
                let team = if split {
                    " (de verhoging betaald door praktijkteam)"
                } else if by_team {
                    " (betaald door praktijkteam)"
                } else {
                    ""
                };
                self.info(format!(
                    "Opgeslagen: {}, {}: {} uur = {}{team}. Resterend {}.",
                    partner.name,
                    month.dutch_name(),
                    hours.normalize().to_string().replace('.', ","),
                    format_eur(worth),
                    format_eur(remaining)
                ));
            }
        }
    }

    fn move_after(&mut self, edit: &CellEdit) {
        let rows = self.budget.view.as_ref().map_or(0, |v| v.partners.len());
        (self.budget.row, self.budget.col) = step((edit.row, edit.col), edit.then, rows);
    }

    fn delete_line(&mut self, line: HoursEntry) {
        let ctx = self.ctx();
        match self.change_cell((line.network, line.partner, line.month), |store| store.delete_hours(&ctx, line.id)) {
            Ok(()) => {
                self.reload_budget();
                self.info(format!("Uren {} verwijderd (u maakt het ongedaan).", line.month.dutch_name()));
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    /// `x` on a nihil cell: the mark goes (undoable).
    fn remove_nihil(&mut self, month: YearMonth) {
        let Some(partner) = self.budget.selected_partner().cloned() else { return };
        let ctx = self.ctx();
        match self.store.unmark_nihil(&ctx, partner.network, partner.id, month) {
            Ok(outcome) => {
                self.push_undo(UndoOp::Hours(Box::new(outcome)));
                self.reload_budget();
                self.info(format!(
                    "Nihil {} van {} verwijderd (u maakt het ongedaan).",
                    month.dutch_name(),
                    partner.name
                ));
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    /// `=`: the partner's hours of the month before, typed into this cell and saved.
    fn copy_previous_month(&mut self) {
        let Some((partner, month)) = self.cell_ready() else { return };
        let previous = month.previous();
        let hours: Decimal = if previous.year() == month.year() {
            self.budget.view.as_ref().map_or(Decimal::ZERO, |v| v.cell_hours(partner, previous))
        } else {
            match self.store.hours_of(partner_network(&self.budget), previous.year()) {
                Ok(lines) => {
                    lines.iter().filter(|l| l.partner == partner && l.month == previous).map(|l| l.hours).sum()
                }
                Err(error) => {
                    self.error(error.to_string());
                    return;
                }
            }
        };
        if hours.is_zero() {
            self.info(format!(
                "{} heeft geen uren in {}.",
                self.budget.selected_partner().map_or("", |p| p.name.as_str()),
                previous.dutch_name()
            ));
            return;
        }
        let count = self.budget.view.as_ref().map_or(0, |v| v.cell_lines(partner, month).len());
        if count > 1 {
            self.info("Deze cel heeft meerdere regels: Enter opent ze.");
            return;
        }
        let text = hours.normalize().to_string().replace('.', ",");
        self.save_cell(CellEdit { row: self.budget.row, col: self.budget.col, text, then: Move::Stay });
    }

    pub(super) fn confirm_input(&mut self, confirm: Confirm, action: Action) {
        let Some(choice) = confirm_choice(&confirm, action) else {
            self.mode = Mode::Confirm(confirm);
            return;
        };
        match (confirm.kind, choice) {
            (ConfirmKind::Close { screen, step }, choice) => self.confirm_close(screen, step, choice),
            (ConfirmKind::QuitWithEntry(_), Some('s')) => self.quit = true,
            (ConfirmKind::QuitWithEntry(edit), Some('v' | 'n')) => self.mode = Mode::CellEdit(edit),
            (ConfirmKind::DoubleFunding(edit), Some('j')) => self.confirm_double_funding(edit),
            (ConfirmKind::DoubleFunding(edit), Some('n')) => {
                self.info("Niet opgeslagen.");
                self.mode = Mode::CellEdit(edit);
            }
            (ConfirmKind::OverBudget(edit), Some('b')) => {
                self.store_cell(edit, true, false);
            }
            (ConfirmKind::OverBudget(edit), Some('n')) => {
                self.info("Niet opgeslagen; pas het aantal aan of Esc.");
                self.mode = Mode::CellEdit(edit);
            }
            (ConfirmKind::DeleteLine(id), Some('j')) => {
                self.delete_line_by_id(id);
                self.mode = Mode::Lines;
            }
            (ConfirmKind::DeleteLine(_), Some('n')) => self.mode = Mode::Lines,
            (ConfirmKind::DeleteCell(id), Some('j')) => self.delete_line_by_id(id),
            (ConfirmKind::DeleteCell(_), Some('n')) => self.info("Niets verwijderd."),
            (ConfirmKind::Import(plan), Some('j')) if plan.is_ok() => self.apply_import(&plan),
            (ConfirmKind::Import(_), Some('n')) => self.info("Niets ingelezen."),
            (ConfirmKind::Bank(plan), Some('j')) if !plan.changes_nothing() => self.apply_bank(&plan),
            (ConfirmKind::Bank(_), Some('n')) => self.info("Niets ingelezen."),
            (ConfirmKind::DeleteInvoice(network, id), Some('j')) => {
                self.delete_invoice(network, id);
                self.mode = Mode::Invoices(0);
            }
            (ConfirmKind::DeleteInvoice(..), Some('n')) => self.mode = Mode::Invoices(0),
            (ConfirmKind::QuitFrom(_), Some('s')) => self.quit = true,
            (ConfirmKind::QuitFrom(mode), Some('n' | 'v')) => self.mode = *mode,
            (ConfirmKind::DiscardForm(_, kind), Some('j')) => {
                self.info("Niets opgeslagen.");
                if kind.belongs_to_milestones() {
                    self.back_to_milestones();
                }
            }
            (ConfirmKind::DeleteProjectPlan(network, plan), Some('j')) => self.delete_project_plan(network, &plan),
            (ConfirmKind::DeleteProjectPlan(..), Some('n')) => self.back_to_milestones(),
            (ConfirmKind::DeleteMunicipalYear(name, year), Some('j')) => self.delete_municipal_year(&name, year),
            (ConfirmKind::DeleteMunicipalYear(..), Some('n')) => {}
            (ConfirmKind::DiscardForm(form, kind), Some('n')) => self.mode = Mode::Form(form, kind),
            (ConfirmKind::Notice, _) => {}
            (ConfirmKind::SendMail(plan), Some('v')) if !plan.mails.is_empty() => self.send_mail(&plan),
            (ConfirmKind::SendMail(plan), Some(c @ ('o' | 'a'))) if !plan.uncertain.is_empty() => {
                self.settle_uncertain(&plan, c == 'o')
            }
            (ConfirmKind::SendMail(_), Some('n')) => self.info("Niets verstuurd."),
            (kind, _) => self.mode = Mode::Confirm(Confirm { kind, ..confirm }),
        }
    }

    /// "Yes" to the double-funding question: remembered for the partner and quarter, then saved.
    fn confirm_double_funding(&mut self, edit: CellEdit) {
        if let Some(partner) = self.budget.view.as_ref().and_then(|v| v.partners.get(edit.row)) {
            self.budget.confirmed.insert((partner.id, self.budget.quarter));
        }
        self.save_cell(edit);
    }

    /// Deletes the stored hours line `id` (undoable).
    fn delete_line_by_id(&mut self, id: HoursEntryId) {
        match self.store.hours_entry(id) {
            Ok(line) => self.delete_line(line),
            Err(error) => self.error(error.to_string()),
        }
    }

    /// Reads in an hours import that was checked and confirmed.
    fn apply_import(&mut self, plan: &HoursImport) {
        let ctx = self.ctx();
        match crate::import::hours::apply(&self.store, &ctx, plan) {
            Ok(count) => {
                self.reload();
                self.info(format!("{} ingelezen.", crate::domain::dutch::count(count, "urenregel", "urenregels")));
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    /// Deletes a confirmed invoice; its number is free again.
    fn delete_invoice(&mut self, network: NetworkId, id: InvoiceId) {
        let ctx = self.ctx();
        match self.store.delete_invoice(&ctx, network, id) {
            Ok(()) => {
                self.reload_budget();
                self.info("Factuur verwijderd; het nummer is weer vrij.");
            }
            Err(error) => self.error(error.to_string()),
        }
    }

    pub(super) fn picker_input(&mut self, mut picker: Picker, action: Action) {
        let choices = self.picker_choices(&picker.filter);
        let page = self.page();
        match action {
            Action::Back => return,
            Action::Open => {
                if let Some(id) = choices.get(picker.selection.index).map(|(id, _)| *id) {
                    self.budget.network = Some(id);
                    self.budget.row = 0;
                    self.reload_budget();
                    let name = self.budget.view.as_ref().map(|v| v.network.name.clone()).unwrap_or_default();
                    self.info(format!("Netwerk {name}, {}.", self.budget.quarter));
                }
                return;
            }
            action if picker.selection.apply(action, page, choices.len()) => {}
            Action::Input(key) if key.code == KeyCode::Backspace => {
                picker.filter.pop();
                picker.selection.index = 0;
            }
            Action::Input(key) if key.typed().is_some() => {
                picker.filter.extend(key.typed());
                picker.selection.index = 0;
            }
            _ => {}
        }
        self.mode = Mode::PickNetwork(picker);
    }

    /// Networks the picker offers for a filter: (id, "name — municipality").
    pub fn picker_choices(&self, filter: &str) -> Vec<(NetworkId, String)> {
        self.networks
            .rows
            .iter()
            .map(|r| (r.network.id, format!("{} — {}", r.network.name, r.network.municipality)))
            .filter(|(_, text)| matches(filter, text))
            .collect()
    }

    pub(super) fn lines_input(&mut self, action: Action) {
        let Some((partner, month)) = self.budget.selected_partner().map(|p| (p.id, self.budget.month())) else {
            return;
        };
        let network = partner_network(&self.budget);
        let lines = self.budget.selected_cell_lines();
        let mut selection = Selection { index: self.budget.line_index, filter: String::new() };
        selection.clamp(lines.len());
        self.budget.line_index = selection.index;
        let page = self.page();
        match action {
            Action::Back => {}
            Action::Undo => {
                self.undo();
                self.mode = Mode::Lines;
            }
            action if selection.apply(action, page, lines.len()) => {
                self.budget.line_index = selection.index;
                self.mode = Mode::Lines;
            }
            Action::Correct => {
                match (lines.get(selection.index), self.budget.view.as_ref().and_then(|v| v.closed.as_ref())) {
                    (Some(line), Some(_)) => self.open_form(FormKind::Correction { line: Box::new(line.clone()) }),
                    (Some(_), None) => {
                        self.info("Dit kwartaal is open: wijzig de regel zelf (e).");
                        self.mode = Mode::Lines;
                    }
                    (None, _) => self.mode = Mode::Lines,
                }
            }
            Action::New => self.open_form(FormKind::HoursLine { network, partner, month, line: None }),
            Action::Edit => match lines.get(selection.index) {
                Some(line) => self.open_form(FormKind::HoursLine { network, partner, month, line: Some(line.id) }),
                None => self.open_form(FormKind::HoursLine { network, partner, month, line: None }),
            },
            Action::Delete => match lines.get(selection.index) {
                Some(line) => {
                    self.mode = Mode::Confirm(Confirm {
                        title: "Regel verwijderen?".into(),
                        lines: vec![format!(
                            "{} uur {} ({}).",
                            crate::domain::dutch::number(line.hours),
                            month.dutch_name(),
                            if line.activity.is_empty() { "geen activiteit" } else { &line.activity }
                        )],
                        choices: vec![('j', "ja, verwijderen"), ('n', "nee")],
                        kind: ConfirmKind::DeleteLine(line.id),
                    });
                }
                None => self.mode = Mode::Lines,
            },
            _ => self.mode = Mode::Lines,
        }
    }
}

/// The key typed to a question: `Some(None)` for a key that is no choice, `None` when the
/// question stays open untouched (no key typed, or a close step that does not offer the key).
fn confirm_choice(confirm: &Confirm, action: Action) -> Option<Option<char>> {
    let choice = match action {
        Action::Back => Some('n'),
        Action::Input(key) => key.typed().map(|c| c.to_ascii_lowercase()),
        _ => return None,
    };
    // Only the offered keys count for a close (step 1 offers e instead of j when warnings need acknowledging).
    let offered = confirm.choices.iter().any(|(key, _)| Some(*key) == choice);
    if matches!(confirm.kind, ConfirmKind::Close { .. }) && !offered {
        return None;
    }
    Some(choice)
}

/// Where the cursor of a grid of `rows` partners × 3 months goes from `(row, col)`.
fn step((row, col): (usize, usize), how: Move, rows: usize) -> (usize, usize) {
    let last = rows.saturating_sub(1);
    match how {
        Move::Up => (row.saturating_sub(1), col),
        Move::Down => ((row + 1).min(last), col),
        Move::Left => (row, col.saturating_sub(1)),
        Move::Right => (row, (col + 1).min(2)),
        Move::Next if col < 2 => (row, col + 1),
        Move::Next if row < last => (row + 1, 0),
        Move::Previous if col > 0 => (row, col - 1),
        Move::Previous if row > 0 => (row - 1, 2),
        Move::Next | Move::Previous | Move::Stay => (row, col),
    }
}

/// May `c` be typed after `text` in an hours cell? Else the short Dutch reason.
fn cell_char(text: &str, c: char) -> Result<(), String> {
    match c {
        '0'..='9' if text.chars().count() >= 12 => Err("Dat is te lang voor een aantal uren.".into()),
        '0'..='9' => Ok(()),
        ',' | '.' if text.contains([',', '.']) => {
            Err(format!("Er staat al een komma in '{text}': uren hebben één decimaalteken, bijvoorbeeld 1,5."))
        }
        ',' | '.' => Ok(()),
        '-' => Err("Een minteken kan niet: uren zijn 0 (nihil) of meer; een correctie gaat via Enter, c.".into()),
        c => Err(format!("'{c}' is geen cijfer: typ een aantal uren, bijvoorbeeld 1,5 (0 = nihil).")),
    }
}

fn partner_network(pane: &BudgetPane) -> NetworkId {
    pane.view.as_ref().map(|v| v.network.id).or(pane.network).unwrap_or(NetworkId(0))
}

impl App {
    /// The selected partner's invoices of the quarter, in the order received.
    pub fn partner_invoices(&self) -> Vec<crate::domain::Invoice> {
        let (Some(view), Some(partner)) = (&self.budget.view, self.budget.selected_partner()) else {
            return Vec::new();
        };
        view.invoices.iter().filter(|i| i.partner == partner.id).cloned().collect()
    }

    /// The list of a partner's invoices: ↑↓ choose, o approve, r reject, x delete, f new, Esc back.
    pub(super) fn invoices_input(&mut self, selected: usize, action: Action) {
        let invoices = self.partner_invoices();
        let mut selection = Selection { index: selected, filter: String::new() };
        selection.clamp(invoices.len());
        let chosen = invoices.get(selection.index).cloned();
        let page = self.page();
        match (action, chosen) {
            (Action::Back, _) => {}
            (action, _) if selection.apply(action, page, invoices.len()) => self.mode = Mode::Invoices(selection.index),
            (Action::ApproveInvoice, Some(invoice)) => {
                self.open_form(FormKind::InvoiceDecision { invoice: Box::new(invoice), approve: true })
            }
            (Action::RejectInvoice, Some(invoice)) => {
                self.open_form(FormKind::InvoiceDecision { invoice: Box::new(invoice), approve: false })
            }
            (Action::Delete, Some(invoice)) => {
                self.mode = Mode::Confirm(Confirm {
                    title: "Factuur verwijderen?".into(),
                    lines: vec![format!(
                        "Factuur {} ({}), verkeerd ingevoerd.",
                        invoice.number,
                        format_eur(invoice.amount)
                    )],
                    choices: vec![('j', "ja, verwijderen"), ('n', "nee")],
                    kind: ConfirmKind::DeleteInvoice(invoice.network, invoice.id),
                });
            }
            (Action::NewInvoice, _) => self.budget_action(Action::NewInvoice),
            _ => self.mode = Mode::Invoices(selection.index),
        }
    }
}
