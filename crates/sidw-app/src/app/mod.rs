//! The application state machine: `Action` in, state change out. It owns the panes, the mode
//! (what has the keyboard), the messages and the undo history, and reads and writes the store.
//! It never touches a terminal: runners feed it actions and the ui draws it.

pub mod action;
mod agreements;
mod bank;
pub mod budget;
pub mod close;
pub mod command;
pub mod files;
pub mod form;
mod forms;
pub mod key;
pub mod list;
pub mod log;
mod mail;
pub mod milestones;
pub mod municipalities;
pub mod networks;
pub mod pane;
mod signals;
mod tariffs;
mod undo;
pub mod year_report;

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

pub use crate::domain::{Access, Role, Scope};
pub use action::Action;
pub use agreements::{AgreementRow, AgreementsPane};
pub use budget::{BudgetPane, BudgetView, CellEdit, Preview};
pub use files::{Files, FilesRef, MemoryFiles};
pub use form::Form;
pub use forms::FormKind;
pub use key::{Key, KeyCode};
pub use list::Selection;
pub use log::LogPane;
pub use municipalities::MunicipalitiesPane;
pub use networks::{DetailItem, NetworkRow, NetworksPane};
pub use pane::Pane;
pub use signals::SignalsPane;
pub use tariffs::TariffsPane;

use crate::domain::TariffBook;
use crate::store::{ChangeContext, Store, StoreError};
use undo::UndoOp;

/// Where "now" comes from: the system clock in the runners, a fixed time in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Warning,
    Error,
}

/// The last thing the app has to say, shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// A question the user must answer with one of the offered keys.
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub choices: Vec<(char, &'static str)>,
    pub kind: ConfirmKind,
}

pub enum ConfirmKind {
    /// Quit although an hours cell is half typed.
    QuitWithEntry(CellEdit),
    /// Save below zero: only as "paid by the practice team", or not at all.
    OverBudget(CellEdit),
    /// A pharmacy or sports coach: pay from the € 1,15 anyway?
    DoubleFunding(CellEdit),
    /// Delete one hours line of a cell with several.
    DeleteLine(crate::domain::HoursEntryId),
    /// Empty a cell (its one line).
    DeleteCell(crate::domain::HoursEntryId),
    /// Quit from a list, form or screen; `n` goes back to it.
    QuitFrom(Box<Mode>),
    /// Delete an invoice entered by mistake.
    DeleteInvoice(crate::domain::NetworkId, crate::domain::InvoiceId),
    /// Read in a checked hours form.
    Import(Box<crate::import::hours::HoursImport>),
    /// Store a bank statement as shown.
    Bank(Box<crate::import::bank::BankPlan>),
    /// Throw away a form that has been typed in; `n` goes back to it.
    DiscardForm(Box<Form>, FormKind),
    /// Remove this project plan of a network (found by its name and dates: a colleague may have
    /// changed the list meanwhile).
    DeleteProjectPlan(crate::domain::NetworkId, Box<crate::domain::ProjectPlan>),
    /// Remove a municipality's S1 year entered by mistake.
    DeleteMunicipalYear(String, i32),
    /// Closing a quarter: two steps.
    Close { screen: Box<close::CloseScreen>, step: u8 },
    /// Only to read (`:wie`): any key closes it.
    Notice,
    /// `:mail`: put these mails in the outbox.
    SendMail(Box<crate::mail::MailPlan>),
}

/// A list to choose a network from (Kwartaalbudget), filtered as one types.
pub struct Picker {
    pub filter: String,
    pub selection: Selection,
}

/// What has the keyboard.
pub enum Mode {
    /// Empty database: load the demo or start empty.
    Welcome,
    Normal,
    /// Typing a filter for the pane's list; Esc restores the one before.
    Filter {
        before: String,
    },
    /// Typing a `:` command.
    Command(String),
    /// `?`: the keys of what it was opened over (`over`), scrolled by `scroll` lines; the view
    /// writes the largest useful scroll into `max` when it draws.
    Help {
        over: Box<Mode>,
        scroll: usize,
        max: std::cell::Cell<usize>,
    },
    Form(Box<Form>, FormKind),
    CellEdit(CellEdit),
    Confirm(Confirm),
    PickNetwork(Picker),
    /// The lines of one hours cell, when it has several.
    Lines,
    /// The quarter close screen.
    Close(Box<close::CloseScreen>),
    /// The selected partner's invoices of the quarter (index of the selected one).
    Invoices(usize),
    /// The milestones of a network (`App::milestone_screen`).
    Milestones,
    /// The year report (`:jaarverslag`).
    YearReport(Box<year_report::YearReportScreen>),
}

pub struct App {
    pub(crate) store: Store,
    pub(crate) clock: Clock,
    pub user: String,
    /// What the user may do; locally every role.
    pub role: Role,
    /// The regions the user sees and changes (the users file's list; locally all of them).
    pub scope: Scope,
    /// Who else has a screen open (the server's list; empty locally): see [`Online`].
    online: OnlineRef,
    /// The files the app may read and write, given by the runner ([`App::set_files`]); in memory
    /// until then. The app has no other way to the file system.
    files: FilesRef,
    /// The store's change counter when this app last loaded from it.
    seen: u64,
    /// The day of the last load of everything (the lists read then hold for that day).
    loaded_on: Option<NaiveDate>,
    pub mode: Mode,
    pub pane: Pane,
    /// Screen size in columns and rows, as the runner last reported it.
    pub size: (u16, u16),
    pub networks: NetworksPane,
    pub agreements: AgreementsPane,
    pub budget: BudgetPane,
    pub signals: SignalsPane,
    pub tariffs: TariffsPane,
    pub log: LogPane,
    pub municipalities: MunicipalitiesPane,
    /// The milestones screen, while open (and its last selection).
    pub milestone_screen: Option<milestones::MilestonesScreen>,
    pub tariff_book: TariffBook,
    pub message: Option<Message>,
    undo: Vec<UndoOp>,
    pub quit: bool,
    /// The budget view missed a reload while another pane was shown.
    budget_stale: bool,
    /// The network and quarter of Kwartaalbudget as last remembered for the user.
    remembered: crate::store::records::UserPreference,
    /// The network selected in Netwerken after the last action.
    networks_selected: Option<crate::domain::NetworkId>,
}

impl App {
    /// An app over `store` for `user`. An empty store opens on the welcome screen.
    pub fn new(store: Store, user: impl Into<String>, clock: Clock) -> Self {
        Self::with_access(store, user, Access::full(), clock)
    }

    /// An app for a user with a role and regions (the SSH runner): the lists hold only what lies
    /// in the regions, and every change carries the access, which the store checks.
    pub fn with_access(store: Store, user: impl Into<String>, access: Access, clock: Clock) -> Self {
        let today = clock().with_timezone(&chrono::Local).date_naive();
        let mut app = Self {
            role: access.role,
            scope: access.scope,
            online: std::sync::Arc::new(NobodyElse),
            files: std::sync::Arc::new(MemoryFiles::new()),
            seen: store.generation(),
            loaded_on: None,
            mode: if store.is_empty() { Mode::Welcome } else { Mode::Normal },
            store,
            clock,
            user: user.into(),
            pane: Pane::Networks,
            size: (80, 24),
            networks: NetworksPane::default(),
            agreements: AgreementsPane::default(),
            budget: BudgetPane::new(crate::domain::Quarter::of_date(today)),
            signals: SignalsPane::default(),
            tariffs: TariffsPane::default(),
            log: LogPane::default(),
            municipalities: MunicipalitiesPane::new(chrono::Datelike::year(&today)),
            milestone_screen: None,
            tariff_book: TariffBook::default(),
            message: None,
            undo: Vec::new(),
            quit: false,
            budget_stale: false,
            remembered: Default::default(),
            networks_selected: None,
        };
        app.reload();
        app.open_where_left();
        app.budget.choose_default(&app.store, &app.networks, &app.tariff_book);
        app.reload_budget();
        // Netwerken opens on the same network.
        if let Some(id) = app.budget.network {
            app.networks.select(id);
            if let Err(error) = app.networks.load_detail(&app.store) {
                app.error(error.to_string());
            }
        }
        app.networks_selected = app.networks.selected().map(|row| row.network.id);
        app.follow_budget();
        if app.role < Role::Editor && matches!(app.mode, Mode::Welcome) {
            app.mode = Mode::Normal;
            app.info("De database is nog leeg; u heeft alleen leesrechten.");
        }
        app
    }

    /// The user's role and regions, as every change carries them to the store.
    pub fn access(&self) -> Access {
        Access::new(self.role, self.scope.clone())
    }

    /// Opens Kwartaalbudget on the network and quarter the user last looked at, if that network
    /// is still there.
    fn open_where_left(&mut self) {
        let Some(left) = self.store.user_preference(&self.user) else { return };
        if let Some(id) = left.network
            && self.networks.rows.iter().any(|r| r.network.id == id)
        {
            self.budget.network = Some(id);
            if let Some(quarter) = left.quarter {
                self.budget.quarter = quarter;
            }
        }
        self.remembered = left;
    }

    /// After every action, Netwerken and Kwartaalbudget show the same network: when
    /// Kwartaalbudget went to another network (n, :netwerk, a signal), Netwerken selects it; when
    /// the selection in Netwerken moved, Kwartaalbudget opens on that network (loaded when it is
    /// shown). The store remembers the network and quarter for the user: a preference is not an
    /// audited change (see `store::pref_repo`); a store that cannot be written does not remember.
    fn follow_budget(&mut self) {
        let selected = self.networks.selected().map(|row| row.network.id);
        if self.budget.network != self.remembered.network {
            if let Some(id) = self.budget.network
                && selected != Some(id)
            {
                self.networks.in_detail = false;
                self.networks.detail_index = 0;
                self.networks.select(id);
                if let Err(error) = self.networks.load_detail(&self.store) {
                    self.error(error.to_string());
                }
            }
        } else if selected != self.networks_selected
            && let Some(id) = selected
            && self.budget.network != Some(id)
        {
            self.budget.network = Some(id);
            self.budget.row = 0;
            self.budget.col = 0;
            if self.pane == Pane::Budget {
                self.reload_budget();
            } else {
                self.budget.view = None;
                self.budget_stale = true;
            }
        }
        self.networks_selected = self.networks.selected().map(|row| row.network.id);
        let now =
            crate::store::records::UserPreference { network: self.budget.network, quarter: Some(self.budget.quarter) };
        if now != self.remembered {
            let _ = self.store.remember_preference(&self.user, &now);
            self.remembered = now;
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn today(&self) -> NaiveDate {
        // The office's day: the server's local date (as `report signals` and `close` take it).
        (self.clock)().with_timezone(&chrono::Local).date_naive()
    }

    pub(crate) fn ctx(&self) -> ChangeContext {
        ChangeContext::new(self.user.clone(), (self.clock)()).with_access(self.access())
    }

    /// The users file gave this user another role. A lower role closes whatever is open (a
    /// form, a cell being typed, a question, the close screen): the role was checked when it was
    /// opened, and what it would save is no longer the user's to save.
    pub fn change_role(&mut self, role: Role) {
        self.change_access(Access::new(role, self.scope.clone()));
    }

    /// The users file gave this user another role or other regions. A lower role, or regions
    /// taken away, close whatever is open (it was opened under the old access); other regions
    /// read every list again.
    pub fn change_access(&mut self, access: Access) {
        let lower = access.role < self.role;
        let narrower = match (&self.scope, &access.scope) {
            (_, Scope::All) => false,
            (Scope::All, Scope::Regions(_)) => true,
            (Scope::Regions(old), Scope::Regions(new)) => !old.is_subset(new),
        };
        let regions_changed = self.scope != access.scope;
        self.role = access.role;
        self.scope = access.scope;
        let open = !matches!(self.mode, Mode::Normal | Mode::Welcome | Mode::Filter { .. });
        if regions_changed {
            self.loaded_on = None;
            self.budget.network = None;
            self.budget.view = None;
            if self.pane == Pane::Log && !self.scope.is_all() {
                self.pane = Pane::Networks;
            }
            self.reload();
            self.budget.choose_default(&self.store, &self.networks, &self.tariff_book);
            self.reload_budget();
        }
        let now = match &self.scope {
            Scope::All => self.role.name().to_string(),
            scope => format!("{} voor {}", self.role.name(), scope.describe()),
        };
        if (lower || narrower) && open {
            self.mode = Mode::Normal;
            self.warn(format!("Uw rol is nu {now}: wat open stond is gesloten, niet opgeslagen."));
        } else {
            self.info(format!("Uw rol is nu {now}."));
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { kind: MessageKind::Info, text: text.into() });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message { kind: MessageKind::Warning, text: text.into() });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { kind: MessageKind::Error, text: text.into() });
    }

    /// Rows a page-up or page-down moves: the list area of the screen.
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(8)).max(1)
    }

    /// An app for a user with a given role in every region.
    pub fn with_role(store: Store, user: impl Into<String>, role: Role, clock: Clock) -> Self {
        Self::with_access(store, user, Access::new(role, Scope::All), clock)
    }

    /// Gives the app the runner's list of who is logged in (`:wie`, the footer for admins).
    pub fn set_online(&mut self, online: OnlineRef) {
        self.online = online;
    }

    /// The app with this list of who is logged in.
    pub fn with_online(mut self, online: OnlineRef) -> Self {
        self.set_online(online);
        self
    }

    /// Who has a screen open now, for an admin (`None` for anyone else: the list is theirs).
    /// Who is logged in: for an admin of every region (the list names every region's users).
    pub fn online_now(&self) -> Option<Vec<OnlineUser>> {
        (self.role == Role::Admin && self.scope.is_all()).then(|| self.online.now())
    }

    /// Gives the app its files (the runner's capability).
    pub fn set_files(&mut self, files: FilesRef) {
        self.files = files;
    }

    /// The app with these files.
    pub fn with_files(mut self, files: FilesRef) -> Self {
        self.set_files(files);
        self
    }

    /// Has the store changed since this app last read it (a colleague saved something)?
    pub fn is_stale(&self) -> bool {
        self.store.generation() != self.seen
    }

    /// Refuses, with a message, what the user's role does not allow.
    pub(crate) fn allowed(&mut self, needed: Role) -> bool {
        if self.role >= needed {
            return true;
        }
        let what = match needed {
            Role::Viewer | Role::Editor => "wijzigen",
            Role::Finance => "afsluiten, heropenen en betaalbestanden",
            Role::Admin => "tarieven, gebruikers en wie er is ingelogd",
        };
        self.error(format!("Dat mag uw rol ({}) niet: {what} vraagt de rol {}.", self.role.name(), needed.name()));
        false
    }

    /// Reloads what is shown from the store after a change (one's own save, an import, an undo):
    /// everything at the first load and on another day, else what the changes since the last
    /// load touched (the change log says which networks; tariffs, batches and anything else reach
    /// everything), as a colleague's change is read.
    pub fn reload(&mut self) {
        let today = self.today();
        let touched = if self.loaded_on == Some(today) {
            self.store.touched_since(self.seen)
        } else {
            crate::store::Touched::everything()
        };
        if touched.all {
            self.loaded_on = Some(today);
        }
        self.reload_touched(&touched);
    }

    /// Reloads after colleagues' changes: what they touched only (the change log says which
    /// networks; tariffs, batches and anything else reach everything). The shown pane is read
    /// again as `reload` does (Signalen computes only the touched networks again).
    pub fn refresh(&mut self) {
        let touched = self.store.touched_since(self.seen);
        self.reload_touched(&touched);
    }

    fn reload_touched(&mut self, touched: &crate::store::Touched) {
        self.seen = self.store.generation();
        let result = (|| -> Result<(), StoreError> {
            if touched.all {
                self.tariff_book = self.store.tariff_book()?;
                self.tariffs.load(&self.tariff_book);
                // The network list serves every pane (picker, :netwerk); the rest only its own
                // pane, which is loaded again when it is shown.
                self.networks.load(&self.store, self.today(), &self.scope)?;
            } else {
                self.networks.refresh(&self.store, self.today(), &touched.networks, &self.scope)?;
            }
            match self.pane {
                Pane::Agreements => self.agreements.load(&self.store, self.today(), &self.scope)?,
                Pane::Signals => self.signals.load(&self.store, self.today(), &self.scope)?,
                Pane::Log if self.scope.is_all() => self.log.load(&self.store)?,
                Pane::Log => {}
                Pane::Municipalities => self.municipalities.load(&self.store, self.today(), &self.scope)?,
                Pane::Networks | Pane::Budget | Pane::Tariffs => {}
            }
            Ok(())
        })();
        if let Err(error) = result {
            self.error(error.to_string());
        }
        let budget_touched = self.budget.network.is_none_or(|network| touched.network(network));
        if !budget_touched && self.budget.view.is_some() {
            // The shown budget's network was not touched: what is shown still holds.
        } else if self.pane == Pane::Budget || self.budget.view.is_none() {
            self.reload_budget();
        } else {
            self.budget_stale = true;
        }
        if matches!(self.mode, Mode::Milestones) {
            self.refresh_milestones(); // a colleague saved while the screen is shown
        }
    }

    pub(crate) fn reload_budget(&mut self) {
        self.budget_stale = false;
        if let Err(error) = self.budget.load(&self.store, &self.tariff_book, &self.scope) {
            self.error(error.to_string());
        }
    }

    /// Applies one action.
    pub fn handle(&mut self, action: Action) {
        self.apply(action);
        self.follow_budget();
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Resize(columns, rows) => {
                self.size = (columns, rows);
                return;
            }
            Action::Refresh => {
                self.refresh();
                return;
            }
            _ => {}
        }
        if action == Action::Quit
            && matches!(
                self.mode,
                Mode::Form(..)
                    | Mode::Lines
                    | Mode::Close(_)
                    | Mode::PickNetwork(_)
                    | Mode::Filter { .. }
                    | Mode::Command(_)
                    | Mode::Invoices(_)
                    | Mode::Milestones
                    | Mode::YearReport(_)
            )
        {
            let from = std::mem::replace(&mut self.mode, Mode::Normal);
            let unsaved = matches!(from, Mode::Form(..));
            self.mode = Mode::Confirm(Confirm {
                title: "Stoppen?".into(),
                lines: vec![if unsaved {
                    "Het formulier is nog niet opgeslagen.".into()
                } else {
                    "sidw afsluiten.".into()
                }],
                choices: vec![('s', "stoppen"), ('n', "terug")],
                kind: ConfirmKind::QuitFrom(Box::new(from)),
            });
            return;
        }
        if action == Action::ToggleHelp && !matches!(self.mode, Mode::Help { .. }) {
            let over = std::mem::replace(&mut self.mode, Mode::Normal);
            self.mode = Mode::Help { over: Box::new(over), scroll: 0, max: std::cell::Cell::new(usize::MAX) };
            return;
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Welcome => self.welcome(action),
            Mode::Normal => self.normal(action),
            Mode::Filter { before } => self.filter_input(before, action),
            Mode::Command(text) => self.command_input(text, action),
            Mode::Help { over, scroll, max } => self.help_input(over, scroll, max, action),
            Mode::Form(form, kind) => self.form_input(form, kind, action),
            Mode::CellEdit(edit) => self.cell_input(edit, action),
            Mode::Confirm(confirm) => self.confirm_input(confirm, action),
            Mode::PickNetwork(picker) => self.picker_input(picker, action),
            Mode::Lines => self.lines_input(action),
            Mode::Close(screen) => self.close_input(screen, action),
            Mode::Invoices(selected) => self.invoices_input(selected, action),
            Mode::Milestones => self.milestones_input(action),
            Mode::YearReport(screen) => self.year_report_input(screen, action),
        }
    }

    /// The help scrolls with the list keys; Esc, ? or q closes it, back to what it was opened over.
    fn help_input(&mut self, over: Box<Mode>, scroll: usize, max: std::cell::Cell<usize>, action: Action) {
        let mut selection = Selection { index: scroll.min(max.get()), filter: String::new() };
        let len = max.get().saturating_add(1);
        match action {
            Action::Back | Action::ToggleHelp => self.mode = *over,
            Action::Quit => {
                self.mode = *over;
                self.handle(Action::Quit);
            }
            // Scrolling moves the top line: "down" shows later lines.
            action if selection.apply(action, self.page(), len) => {
                self.mode = Mode::Help { over, scroll: selection.index, max };
            }
            _ => self.mode = Mode::Help { over, scroll, max },
        }
    }

    fn welcome(&mut self, action: Action) {
        match action {
            Action::LoadDemo => {
                let ctx = self.ctx();
                match crate::demo::load(&self.store, &ctx, self.today()) {
                    Ok(()) => {
                        self.info("Demogegevens geladen: vier netwerken, tarieven 2025 en uren.");
                        self.reload();
                        self.budget.choose_default(&self.store, &self.networks, &self.tariff_book);
                        self.reload_budget();
                    }
                    Err(error) => {
                        self.error(error.to_string());
                        self.mode = Mode::Welcome;
                    }
                }
            }
            Action::StartEmpty => self.info("Lege database. Begin met n (nieuw netwerk) en de tarieven (5)."),
            Action::Quit => self.quit = true,
            _ => self.mode = Mode::Welcome,
        }
    }

    fn normal(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::ShowPane(pane) => self.show_pane(pane),
            Action::NextPane => self.show_pane(self.pane.next()),
            Action::PreviousPane => self.show_pane(self.pane.previous()),
            Action::StartFilter => match self.active_selection() {
                Some(selection) => {
                    let before = selection.filter.clone();
                    self.mode = Mode::Filter { before };
                }
                None => self.info("Deze lijst heeft geen filter."),
            },
            Action::StartCommand => self.mode = Mode::Command(String::new()),
            Action::Undo => self.undo(),
            other => match self.pane {
                Pane::Networks => self.networks_action(other),
                Pane::Agreements => self.agreements_action(other),
                Pane::Budget => self.budget_action(other),
                Pane::Signals => self.signals_action(other),
                Pane::Tariffs => self.tariffs_action(other),
                Pane::Log => self.log_action(other),
                Pane::Municipalities => self.municipalities_action(other),
            },
        }
    }

    pub fn show_pane(&mut self, pane: Pane) {
        if pane == Pane::Log && !self.scope.is_all() {
            // The log holds every region's records before and after each change.
            return self.error(format!(
                "Het logboek beslaat alle regio's; u werkt in {}. Vraag een collega met alle regio's.",
                self.scope.describe()
            ));
        }
        self.pane = pane;
        let today = self.today();
        let result = match pane {
            Pane::Signals => self.signals.load(&self.store, today, &self.scope),
            Pane::Log => self.log.load(&self.store),
            Pane::Municipalities => self.municipalities.load(&self.store, today, &self.scope),
            Pane::Agreements => self.agreements.load(&self.store, today, &self.scope),
            Pane::Budget if std::mem::take(&mut self.budget_stale) => {
                self.budget.load(&self.store, &self.tariff_book, &self.scope)
            }
            _ => Ok(()),
        };
        if let Err(error) = result {
            self.error(error.to_string());
        }
    }

    /// The selection of the pane's list that `/` filters.
    fn active_selection(&mut self) -> Option<&mut Selection> {
        match self.pane {
            Pane::Networks => Some(&mut self.networks.selection),
            Pane::Agreements => Some(&mut self.agreements.selection),
            Pane::Signals => Some(&mut self.signals.selection),
            Pane::Log => Some(&mut self.log.selection),
            Pane::Municipalities => Some(&mut self.municipalities.selection),
            Pane::Budget | Pane::Tariffs => None,
        }
    }

    fn filter_input(&mut self, before: String, action: Action) {
        let Some(selection) = self.active_selection() else { return };
        match action {
            Action::Save => {}
            Action::Back => selection.filter = before,
            Action::Input(key) if key.code == KeyCode::Backspace => {
                selection.filter.pop();
                self.mode = Mode::Filter { before };
            }
            Action::Input(key) if key.typed().is_some() => {
                selection.filter.extend(key.typed());
                selection.index = 0;
                self.mode = Mode::Filter { before };
            }
            _ => self.mode = Mode::Filter { before },
        }
        if self.pane == Pane::Log
            && let Err(error) = self.log.load(&self.store)
        {
            self.error(error.to_string());
        }
        self.clamp_selections();
    }

    pub(crate) fn clamp_selections(&mut self) {
        let n = self.networks.visible().len();
        self.networks.selection.clamp(n);
        let n = self.agreements.visible().len();
        self.agreements.selection.clamp(n);
        let n = self.signals.visible().len();
        self.signals.selection.clamp(n);
        let n = self.log.entries.len();
        self.log.selection.clamp(n);
        let n = self.municipalities.visible().len();
        self.municipalities.selection.clamp(n);
        self.networks
            .load_detail(&self.store)
            .unwrap_or_else(|e| self.message = Some(Message { kind: MessageKind::Error, text: e.to_string() }));
    }

    /// Is an entry half typed (so quitting must ask)?
    pub fn has_unsaved_entry(&self) -> bool {
        matches!(self.mode, Mode::CellEdit(_) | Mode::Form(..))
    }
}

/// One user with a screen open on the server: for `:wie` and the admin's footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineUser {
    pub user: String,
    pub role: Role,
    pub scope: Scope,
    /// When their (first open) screen was opened.
    pub since: DateTime<Utc>,
    /// How many screens they have open.
    pub screens: usize,
}

/// Who is logged in now: the runner's capability (the server knows; the app does not know about
/// the server). Locally nobody else is.
pub trait Online: Send + Sync {
    fn now(&self) -> Vec<OnlineUser>;
}

pub type OnlineRef = std::sync::Arc<dyn Online>;

/// The local runner's list: nobody (no server, no other screens).
pub struct NobodyElse;

impl Online for NobodyElse {
    fn now(&self) -> Vec<OnlineUser> {
        Vec::new()
    }
}
