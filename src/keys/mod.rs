//! The one key table: every key of every pane and mode, as data (helix/atuin style). Dispatch,
//! the role check, `?` help, the status-bar hints, the on-screen key lines and the tests' key
//! helpers all read this table; nothing else knows which key does what.

pub mod notation;

use std::sync::OnceLock;

use crate::app::{Action, App, Key, Mode, Pane, Role};
use notation::{Pattern, display_keys, parse_keys};

/// What has the keyboard, without its state: the modes of [`Mode`] by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModeKind {
    Welcome,
    /// The panes.
    Normal,
    Filter,
    Command,
    Help,
    Form,
    CellEdit,
    Confirm,
    PickNetwork,
    Lines,
    Close,
    Invoices,
    Milestones,
    YearReport,
}

impl ModeKind {
    pub const ALL: [ModeKind; 14] = [
        Self::Welcome,
        Self::Normal,
        Self::Filter,
        Self::Command,
        Self::Help,
        Self::Form,
        Self::CellEdit,
        Self::Confirm,
        Self::PickNetwork,
        Self::Lines,
        Self::Close,
        Self::Invoices,
        Self::Milestones,
        Self::YearReport,
    ];

    pub fn of(mode: &Mode) -> Self {
        match mode {
            Mode::Welcome => Self::Welcome,
            Mode::Normal => Self::Normal,
            Mode::Filter { .. } => Self::Filter,
            Mode::Command(_) => Self::Command,
            Mode::Help { .. } => Self::Help,
            Mode::Form(..) => Self::Form,
            Mode::CellEdit(_) => Self::CellEdit,
            Mode::Confirm(_) => Self::Confirm,
            Mode::PickNetwork(_) => Self::PickNetwork,
            Mode::Lines => Self::Lines,
            Mode::Close(_) => Self::Close,
            Mode::Invoices(_) => Self::Invoices,
            Mode::Milestones => Self::Milestones,
            Mode::YearReport(_) => Self::YearReport,
        }
    }

    /// The name in the help's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Welcome => "het welkomstscherm",
            Self::Normal => "de panelen",
            Self::Filter => "het filter",
            Self::Command => "de opdrachtregel",
            Self::Help => "de hulp",
            Self::Form => "een formulier",
            Self::CellEdit => "een urencel",
            Self::Confirm => "een vraag",
            Self::PickNetwork => "netwerk kiezen",
            Self::Lines => "de regels van een cel",
            Self::Close => "kwartaal afsluiten",
            Self::Invoices => "de facturen",
            Self::Milestones => "de mijlpalen",
            Self::YearReport => "het jaarverslag",
        }
    }
}

/// Where a binding holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// In every pane (after the pane's own bindings).
    Global,
    Pane(Pane),
    Mode(ModeKind),
    /// In every pane and mode (Ctrl-C).
    Always,
}

/// Which keys are live: the pane, and the mode that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub pane: Pane,
    pub mode: ModeKind,
}

impl Context {
    pub fn of(app: &App) -> Self {
        Self { pane: app.pane, mode: ModeKind::of(&app.mode) }
    }

    /// The context `?` explains: under the help, what it was opened over.
    pub fn explained(app: &App) -> Self {
        match &app.mode {
            Mode::Help { over, .. } => Self { pane: app.pane, mode: ModeKind::of(over) },
            other => Self { pane: app.pane, mode: ModeKind::of(other) },
        }
    }

    /// How the scope applies here: its rank (lower is found first), or `None`.
    fn rank(self, scope: Scope) -> Option<u8> {
        match scope {
            Scope::Mode(mode) if mode == self.mode => Some(0),
            Scope::Pane(pane) if pane == self.pane && self.mode == ModeKind::Normal => Some(0),
            Scope::Global if self.mode == ModeKind::Normal => Some(1),
            Scope::Always => Some(2),
            _ => None,
        }
    }
}

pub struct Binding {
    pub scope: Scope,
    /// The keys as written in the table (`"j Down"`, `"C-Home g"`); see [`notation`].
    pub keys: &'static str,
    pub action: Action,
    pub help: &'static str,
    /// The word of the status-bar hint; empty: not in the hint.
    pub hint: &'static str,
    /// The role the action needs; dispatch refuses the key below it.
    pub needs: Option<Role>,
    pub patterns: Vec<Pattern>,
}

impl Binding {
    /// The keys as the help writes them (`j ↓`, `Ctrl-Home`).
    pub fn shown_keys(&self) -> String {
        display_keys(self.keys)
    }

    /// The action of this binding for `key`, if the key is one of its keys: a range says which
    /// pane or digit, `<tekst>` passes the key on.
    pub fn action_for(&self, key: Key) -> Option<Action> {
        let pattern = self.patterns.iter().find(|p| p.matches(key))?;
        Some(match self.action {
            Action::StartCellEdit(_) => Action::StartCellEdit(key.typed()?),
            Action::ShowPane(pane) => {
                let index = match (*pattern, key.code) {
                    (Pattern::Chars(from, _), _) => key.typed().map(|c| c as usize - from as usize),
                    (Pattern::Function(from, _), crate::app::KeyCode::F(n)) => Some(usize::from(n - from)),
                    _ => None,
                };
                Action::ShowPane(match index {
                    Some(index) => *Pane::ALL.get(index)?,
                    None => pane,
                })
            }
            Action::Input(_) => Action::Input(key),
            other => other,
        })
    }

    pub fn allowed(&self, role: Role) -> bool {
        self.needs.is_none_or(|needed| role >= needed)
    }
}

struct Table(Vec<Binding>);

impl Table {
    fn add(&mut self, scope: Scope, keys: &'static str, action: Action, help: &'static str) -> &mut Self {
        let patterns = parse_keys(keys).unwrap_or_else(|error| panic!("key table: {error}"));
        self.0.push(Binding { scope, keys, action, help, hint: "", needs: None, patterns });
        self
    }

    fn hint(&mut self, hint: &'static str) -> &mut Self {
        if let Some(last) = self.0.last_mut() {
            last.hint = hint;
        }
        self
    }

    fn needs(&mut self, role: Role) -> &mut Self {
        if let Some(last) = self.0.last_mut() {
            last.needs = Some(role);
        }
        self
    }

    /// ↑↓ PgUp PgDn Home End (and j k g G where letters are not typed) in a list screen.
    fn list(&mut self, scope: Scope, letters: bool) {
        let (up, down, home, end) =
            if letters { ("Up k", "Down j", "Home g", "End G") } else { ("Up", "Down", "Home", "End") };
        self.add(scope, up, Action::Up, "omhoog").hint("kies");
        self.add(scope, down, Action::Down, "omlaag").hint("kies");
        self.add(scope, "PgUp", Action::PageUp, "pagina omhoog");
        self.add(scope, "PgDn", Action::PageDown, "pagina omlaag");
        self.add(scope, home, Action::Home, "naar het begin");
        self.add(scope, end, Action::End, "naar het eind");
    }
}

/// Every binding, pane and mode bindings before the global ones.
pub fn table() -> &'static [Binding] {
    static TABLE: OnceLock<Vec<Binding>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn build() -> Vec<Binding> {
    use Action as A;
    use ModeKind as M;
    use Role::{Admin, Editor, Finance};
    let mut t = Table(Vec::new());

    // Netwerken
    let s = Scope::Pane(Pane::Networks);
    t.add(s, "n", A::New, "nieuw netwerk").hint("nieuw").needs(Editor);
    t.add(s, "e", A::Edit, "bewerk netwerk, of het gekozen detail").hint("bewerk").needs(Editor);
    t.add(s, "Enter", A::Open, "naar het detail (praktijken, partners, deelnemers)").hint("detail");
    t.add(s, "p", A::NewPractice, "nieuwe praktijk").hint("praktijk").needs(Editor);
    t.add(s, "i", A::NewIonCount, "nieuwe ION-telling van de gekozen praktijk").needs(Editor);
    t.add(s, "v", A::EditShares, "nieuwe verdeling (percentages) van het praktijkteam, vanaf een datum")
        .hint("verdeling")
        .needs(Editor);
    t.add(s, "z", A::NewPartner, "nieuwe zorgverlener met declaratierecht").hint("partner").needs(Editor);
    t.add(s, "d", A::NewParticipant, "nieuwe deelnemer zonder declaratierecht").needs(Editor);
    t.add(s, "k", A::EditCoreTeam, "wijkkernteam").needs(Editor);
    t.add(s, "m", A::ShowMilestones, "mijlpalen: termijnen, projectplannen, jaarlijkse verantwoording")
        .hint("mijlpalen");
    t.add(s, "s", A::CycleSort, "sorteer (regio, naam, gemeente, status)");
    t.add(s, "/", A::StartFilter, "filter de lijst").hint("filter");

    // Overeenkomsten
    let s = Scope::Pane(Pane::Agreements);
    t.add(s, "n", A::New, "nieuwe overeenkomst").hint("nieuw").needs(Editor);
    t.add(s, "v", A::MarkSent, "verstuurd op …").hint("verstuurd").needs(Editor);
    t.add(s, "t", A::MarkSigned, "getekend retour op …").hint("getekend").needs(Editor);
    t.add(s, "b", A::EndAgreement, "beëindigd op …").hint("beëindigd").needs(Editor);
    t.add(s, "Enter", A::Open, "naar het netwerk");
    t.add(s, "s", A::CycleSort, "sorteer (urgentie, netwerk, verzenddatum)").hint("sorteer");
    t.add(s, "/", A::StartFilter, "filter de lijst");

    // Kwartaalbudget
    let s = Scope::Pane(Pane::Budget);
    t.add(s, "0-9", A::StartCellEdit('0'), "typ uren in de cel (1,5 of 1.5; 0 = nihil)").hint("uren").needs(Editor);
    t.add(s, "Enter", A::Open, "bewerk de cel; een cel met meer regels toont de regels").hint("cel");
    t.add(s, "e", A::Edit, "bewerk de cel (met de uren erin)").needs(Editor);
    t.add(s, "+", A::ShowLines, "de regels van de cel: nog een regel toevoegen (andere activiteit)");
    t.add(s, "=", A::CopyPreviousMonth, "uren van de vorige maand overnemen").hint("vorige mnd").needs(Editor);
    t.add(s, "x Del", A::Delete, "cel leegmaken (regel verwijderen)").needs(Editor);
    t.add(s, "Tab", A::NextCell, "volgende cel; na de laatste maand de eerste van de volgende partner");
    t.add(s, "S-Tab", A::PreviousCell, "vorige cel; voor de eerste maand de laatste van de vorige partner");
    t.add(s, "Home", A::RowStart, "eerste maand van de rij");
    t.add(s, "End", A::RowEnd, "laatste maand van de rij");
    t.add(s, "C-Home g", A::FirstRow, "eerste partner");
    t.add(s, "C-End G", A::LastRow, "laatste partner");
    t.add(s, "[", A::PreviousQuarter, "vorig kwartaal").hint("kwartaal");
    t.add(s, "]", A::NextQuarter, "volgend kwartaal").hint("kwartaal");
    t.add(s, "n", A::PickNetwork, "kies netwerk").hint("netwerk");
    t.add(s, "f", A::NewInvoice, "factuur van de partner vastleggen").hint("factuur").needs(Editor);
    t.add(s, "i", A::ShowInvoices, "facturen van de partner: goedkeuren, afwijzen, verwijderen");
    t.add(s, "o", A::ApproveInvoice, "factuur goedkeuren (bij verschil met reden)").needs(Editor);
    t.add(s, "r", A::RejectInvoice, "factuur afwijzen (met reden)").needs(Editor);
    t.add(s, "a", A::CloseQuarter, "kwartaal afsluiten: checklist, betalingen, afsluiten").hint("afsluiten");
    t.add(s, "s", A::Export, "kwartaaloverzicht voor de kartrekker als pdf schrijven").hint("overzicht");
    t.add(s, "m", A::MailStatement, "kwartaaloverzicht (pdf) per e-mail naar de kartrekker").hint("mail").needs(Editor);
    t.add(s, "F1-F7", A::ShowPane(Pane::Networks), "paneel 1-7 (cijfers zijn hier uren)");

    // Signalen
    let s = Scope::Pane(Pane::Signals);
    t.add(s, "Enter", A::Open, "ga naar het signaal").hint("ga naar");
    t.add(s, "/", A::StartFilter, "filter de lijst").hint("filter");

    // Tarieven
    let s = Scope::Pane(Pane::Tariffs);
    t.add(s, "e Enter", A::Edit, "bewerk tarieven van het jaar").hint("bewerk").needs(Admin);
    t.add(s, "n", A::New, "nieuw tariefjaar").hint("nieuw jaar").needs(Admin);

    // Logboek
    let s = Scope::Pane(Pane::Log);
    t.add(s, "Enter", A::Open, "de hele regel: alle velden voor en na (Esc terug)").hint("hele regel");
    t.add(s, "/", A::StartFilter, "filter de lijst").hint("filter");

    // Gemeenten
    let s = Scope::Pane(Pane::Municipalities);
    t.add(s, "e Enter", A::Edit, "S1-gegevens van de gemeente bewerken").hint("bewerk").needs(Editor);
    t.add(s, "n", A::New, "S1-gegevens van een andere gemeente vastleggen").hint("gemeente").needs(Editor);
    t.add(s, "[", A::PreviousQuarter, "vorig jaar").hint("jaar");
    t.add(s, "]", A::NextQuarter, "volgend jaar").hint("jaar");
    t.add(s, "t", A::EditS1Rate, "S1-tarief van het jaar").hint("S1-tarief").needs(Admin);
    t.add(s, "a", A::AddMunicipality, "gemeente toevoegen aan de gemeentetabel").needs(Admin);
    t.add(s, "s", A::MergeMunicipalities, "samenvoeging van gemeenten vastleggen").needs(Admin);
    t.add(s, "x Del", A::Delete, "S1-gegevens verwijderen (vergissing)").needs(Editor);
    t.add(s, "/", A::StartFilter, "filter de lijst").hint("filter");

    // Overal in de panelen
    let s = Scope::Global;
    t.add(s, "1-7 F1-F7", A::ShowPane(Pane::Networks), "paneel 1-7");
    t.add(s, "Tab", A::NextPane, "volgend paneel");
    t.add(s, "S-Tab", A::PreviousPane, "vorig paneel");
    t.add(s, "Up k", A::Up, "omhoog");
    t.add(s, "Down j", A::Down, "omlaag");
    t.add(s, "Left h", A::Left, "links");
    t.add(s, "Right l", A::Right, "rechts");
    t.add(s, "PgUp", A::PageUp, "pagina omhoog");
    t.add(s, "PgDn", A::PageDown, "pagina omlaag");
    t.add(s, "Home g", A::Home, "naar het begin");
    t.add(s, "End G", A::End, "naar het eind");
    t.add(s, "Esc", A::Back, "terug");
    t.add(s, ":", A::StartCommand, "opdracht (zie Opdrachten hieronder)");
    t.add(s, "u", A::Undo, "laatste wijziging ongedaan maken").needs(Editor);
    t.add(s, "?", A::ToggleHelp, "alle toetsen").hint("meer");
    t.add(s, "q", A::Quit, "stoppen");

    // Een urencel typen
    let s = Scope::Mode(M::CellEdit);
    t.add(s, "0-9", A::Input(Key::char('0')), "cijfer van het aantal uren");
    t.add(s, ", .", A::Input(Key::char(',')), "decimaalteken (1,5 of 1.5), één keer");
    t.add(s, "BS", A::Input(Key::char('0')), "laatste teken wissen");
    t.add(s, "Enter", A::Save, "opslaan, naar de cel eronder").hint("opslaan ↓");
    t.add(s, "Tab", A::NextCell, "opslaan, volgende cel (na de laatste maand: volgende partner)").hint("opslaan →");
    t.add(s, "S-Tab", A::PreviousCell, "opslaan, vorige cel (voor de eerste maand: vorige partner)");
    t.add(s, "Up", A::Up, "opslaan, naar de cel erboven");
    t.add(s, "Down", A::Down, "opslaan, naar de cel eronder");
    t.add(s, "Left", A::Left, "opslaan, naar de cel links");
    t.add(s, "Right", A::Right, "opslaan, naar de cel rechts");
    t.add(s, "Esc", A::Back, "annuleren (niet opslaan)").hint("annuleren");
    t.add(s, "q", A::Quit, "stoppen (vraagt eerst: de uren zijn nog niet opgeslagen)");
    t.add(s, "?", A::ToggleHelp, "alle toetsen (het getypte blijft staan)");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "andere tekens worden geweigerd, met een melding");

    // Formulier
    let s = Scope::Mode(M::Form);
    t.add(s, "Enter", A::Save, "opslaan (in een tekst van meer regels: nieuwe regel)").hint("opslaan");
    t.add(s, "C-s", A::Input(Key::ctrl('s')), "opslaan, ook in een tekst van meer regels").hint("opslaan");
    t.add(s, "Esc", A::Back, "annuleren (vraagt eerst als u iets typte)").hint("annuleren");
    t.add(s, "Tab", A::NextField, "volgend veld").hint("volgend veld");
    t.add(s, "S-Tab", A::PreviousField, "vorig veld").hint("vorig");
    t.add(
        s,
        "Down",
        A::Input(Key::new(crate::app::key::KeyCode::Down)),
        "volgend veld (in een tekst van meer regels: regel omlaag)",
    );
    t.add(
        s,
        "Up",
        A::Input(Key::new(crate::app::key::KeyCode::Up)),
        "vorig veld (in een tekst van meer regels: regel omhoog)",
    );
    t.add(s, "F1", A::ToggleHelp, "alle toetsen (? is hier een teken)").hint("hulp");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "typen in het veld");
    t.add(s, "BS Del Left Right Home End", A::Input(Key::char('a')), "tekst in het veld bewerken");

    // Vraag
    let s = Scope::Mode(M::Confirm);
    t.add(s, "Esc", A::Back, "nee / terug").hint("nee");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "de letter van een keuze in de vraag");

    // Filter
    let s = Scope::Mode(M::Filter);
    t.add(s, "Enter", A::Save, "filter houden").hint("houden");
    t.add(s, "Esc", A::Back, "terug naar het filter van voor").hint("terug");
    t.add(s, "F1", A::ToggleHelp, "alle toetsen (? is hier een teken)").hint("hulp");
    t.add(s, "BS", A::Input(Key::char('a')), "laatste teken wissen");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "typ woorden om te filteren");

    // Opdrachtregel
    let s = Scope::Mode(M::Command);
    t.add(s, "Enter", A::Save, "opdracht uitvoeren").hint("uitvoeren");
    t.add(s, "Esc", A::Back, "annuleren").hint("annuleren");
    t.add(s, "F1", A::ToggleHelp, "alle toetsen (? is hier een teken)").hint("hulp");
    t.add(s, "BS", A::Input(Key::char('a')), "laatste teken wissen");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "de opdracht typen");

    // Netwerk kiezen
    let s = Scope::Mode(M::PickNetwork);
    t.list(s, false);
    t.add(s, "Enter", A::Open, "netwerk openen").hint("openen");
    t.add(s, "F1", A::ToggleHelp, "alle toetsen (? is hier een teken)").hint("hulp");
    t.add(s, "Esc", A::Back, "terug").hint("terug");
    t.add(s, "BS", A::Input(Key::char('a')), "laatste teken wissen");
    t.add(s, "<tekst>", A::Input(Key::char('a')), "typ om te filteren").hint("filter");

    // Regels van een cel
    let s = Scope::Mode(M::Lines);
    t.list(s, true);
    t.add(s, "a", A::New, "regel toevoegen").hint("toevoegen").needs(Editor);
    t.add(s, "Enter e", A::Edit, "regel bewerken").hint("bewerken").needs(Editor);
    t.add(s, "x Del", A::Delete, "regel verwijderen").hint("verwijderen").needs(Editor);
    t.add(s, "c", A::Correct, "correctie op een afgesloten kwartaal").needs(Editor);
    t.add(s, "u", A::Undo, "laatste wijziging ongedaan maken").needs(Editor);
    t.add(s, "Esc q", A::Back, "terug naar het rooster").hint("terug");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");

    // Facturen van een partner
    let s = Scope::Mode(M::Invoices);
    t.list(s, true);
    t.add(s, "o", A::ApproveInvoice, "factuur goedkeuren").hint("goedkeuren").needs(Editor);
    t.add(s, "r", A::RejectInvoice, "factuur afwijzen").hint("afwijzen").needs(Editor);
    t.add(s, "x Del", A::Delete, "factuur verwijderen (verkeerd ingevoerd)").hint("verwijderen").needs(Editor);
    t.add(s, "f", A::NewInvoice, "nieuwe factuur vastleggen").hint("nieuw").needs(Editor);
    t.add(s, "Esc q", A::Back, "terug naar het rooster").hint("terug");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");

    // Mijlpalen
    let s = Scope::Mode(M::Milestones);
    t.list(s, true);
    t.add(s, "Enter e", A::Edit, "datum invullen (of het projectplan bewerken)").hint("datum").needs(Editor);
    t.add(s, "n", A::New, "nieuw projectplan").hint("projectplan").needs(Editor);
    t.add(s, "x Del", A::Delete, "projectplan verwijderen").hint("weg").needs(Editor);
    t.add(s, "u", A::Undo, "laatste wijziging ongedaan maken").hint("ongedaan").needs(Editor);
    t.add(s, "Esc q", A::Back, "terug").hint("terug");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");

    // Jaarverslag
    let s = Scope::Mode(M::YearReport);
    t.list(s, true);
    t.add(s, "[", A::PreviousQuarter, "vorig jaar").hint("jaar");
    t.add(s, "]", A::NextQuarter, "volgend jaar").hint("jaar");
    t.add(s, "e", A::Export, "jaarverslag als xlsx schrijven").hint("xlsx").needs(Finance);
    t.add(s, "Esc q", A::Back, "terug").hint("terug");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");

    // Kwartaal afsluiten
    let s = Scope::Mode(M::Close);
    t.add(s, "Up k", A::Up, "vorig punt van de checklist");
    t.add(s, "Down j", A::Down, "volgend punt van de checklist");
    t.add(s, "Enter", A::Open, "ga naar het punt").hint("ga naar");
    t.add(s, "c", A::CloseQuarter, "kwartaal afsluiten (twee stappen)").hint("afsluiten").needs(Finance);
    t.add(s, "e", A::ExportPayments, "betaalbestanden schrijven").hint("bestanden").needs(Finance);
    t.add(s, "h", A::ReopenQuarter, "kwartaal heropenen").hint("heropenen").needs(Finance);
    t.add(s, "r", A::ToggleRegion, "hele regio of alleen dit netwerk").hint("regio");
    t.add(s, "PgUp", A::PageUp, "betalingen omhoog");
    t.add(s, "PgDn", A::PageDown, "betalingen omlaag").hint("betalingen");
    t.add(s, "Esc q", A::Back, "terug").hint("terug");
    t.add(s, "?", A::ToggleHelp, "alle toetsen");

    // Welkom
    let s = Scope::Mode(M::Welcome);
    t.add(s, "d", A::LoadDemo, "demogegevens laden").hint("demo").needs(Admin);
    t.add(s, "Enter l", A::StartEmpty, "leeg beginnen").hint("leeg");
    t.add(s, "q", A::Quit, "stoppen").hint("stoppen");

    // Hulp
    let s = Scope::Mode(M::Help);
    t.add(s, "Up k", A::Up, "regel omhoog").hint("scrollen");
    t.add(s, "Down j", A::Down, "regel omlaag").hint("scrollen");
    t.add(s, "PgUp", A::PageUp, "pagina omhoog");
    t.add(s, "PgDn Space", A::PageDown, "pagina omlaag");
    t.add(s, "Home g", A::Home, "naar het begin");
    t.add(s, "End G", A::End, "naar het eind");
    t.add(s, "Esc ? q Enter", A::Back, "hulp sluiten").hint("sluiten");

    t.add(Scope::Always, "C-c", A::Quit, "stoppen (vraagt eerst als er iets open staat)");
    t.0
}

/// The bindings live in a context, found-first first.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    (0..3u8).flat_map(move |rank| table().iter().filter(move |b| context.rank(b.scope) == Some(rank)))
}

/// The bindings of a pane (as `?` over the pane shows them).
pub fn bindings_for(pane: Pane) -> impl Iterator<Item = &'static Binding> {
    bindings(Context { pane, mode: ModeKind::Normal })
}

/// The binding and action a key finds in a context, role not yet checked.
pub fn lookup(context: Context, key: Key) -> Option<(&'static Binding, Action)> {
    bindings(context).find_map(|b| b.action_for(key).map(|a| (b, a)))
}

/// What a key does now for the app's user: `Err` with the Dutch refusal when the role does not
/// allow it, `Ok(None)` for a key without a binding here.
pub fn resolve(app: &App, key: Key) -> Result<Option<Action>, String> {
    match lookup(Context::of(app), key) {
        None => Ok(None),
        Some((binding, action)) => match binding.needs {
            Some(needed) if app.role < needed => Err(refusal(app.role, needed, binding)),
            _ => Ok(Some(action)),
        },
    }
}

/// The message for a key the role does not allow.
pub fn refusal(role: Role, needed: Role, binding: &Binding) -> String {
    format!(
        "Dat mag uw rol ({}) niet: toets {} vraagt de rol {}.",
        role.name(),
        display_keys(binding.keys).split(' ').next().unwrap_or(""),
        needed.name()
    )
}

/// What a key does now (the role checked: a refused key does nothing). For tests and benches.
pub fn action_for(app: &App, key: Key) -> Option<Action> {
    resolve(app, key).ok().flatten()
}

/// Hands a key from a runner to the app: through the key table, the role checked here (once),
/// Alt+key as Esc and key.
pub fn dispatch(app: &mut App, key: Key) {
    for key in key.unalt() {
        match resolve(app, key) {
            Ok(Some(action)) => app.handle(action),
            Ok(None) => {}
            Err(message) => app.error(message),
        }
    }
}

/// The bindings of a context with the keys that reach them: a key an earlier binding finds
/// first is not this binding's (the global Tab is not live in Kwartaalbudget); bindings without a
/// live key are left out.
pub fn live(context: Context) -> Vec<(&'static Binding, Vec<&'static str>)> {
    let mut earlier: Vec<&'static Binding> = Vec::new();
    let mut out = Vec::new();
    for binding in bindings(context) {
        let keys: Vec<&'static str> = binding
            .keys
            .split_whitespace()
            .zip(&binding.patterns)
            .filter(|(_, p)| !earlier.iter().any(|e| e.action_for(p.example()).is_some()))
            .map(|(k, _)| k)
            .collect();
        earlier.push(binding);
        if !keys.is_empty() {
            out.push((binding, keys));
        }
    }
    out
}

/// The hinted bindings of a context for a role, with the live key the hint names (the first).
pub fn hint_items(context: Context, role: Role) -> Vec<(&'static Binding, &'static str)> {
    live(context)
        .into_iter()
        .filter(|(b, _)| !b.hint.is_empty() && b.allowed(role))
        .map(|(b, keys)| (b, keys[0]))
        .collect()
}

/// The status-bar hint of a context for a role: the hinted bindings' first live keys, bindings
/// in a row with the same word sharing it (`[ ] kwartaal`); keys the role may not use are left out.
pub fn hints(context: Context, role: Role) -> String {
    let mut parts: Vec<(String, &str)> = Vec::new();
    for (binding, key) in hint_items(context, role) {
        let key = notation::display_key(key);
        match parts.last_mut() {
            Some((keys, hint)) if *hint == binding.hint => {
                keys.push(' ');
                keys.push_str(&key);
            }
            _ => parts.push((key, binding.hint)),
        }
    }
    parts.iter().map(|(keys, hint)| format!("{keys} {hint}")).collect::<Vec<_>>().join(" · ")
}

/// The status-bar hint of the app as it is now.
pub fn hints_of(app: &App) -> String {
    let hints = hints(Context::of(app), app.role);
    match &app.mode {
        // A question offers its own letters.
        Mode::Confirm(confirm) => {
            let choices: Vec<String> = confirm.choices.iter().map(|(key, label)| format!("{key} {label}")).collect();
            format!("{} · {hints}", choices.join(" · "))
        }
        _ => hints,
    }
}

/// The lines `?` shows for a context and role: (live keys as shown, help); the role's keys only.
pub fn help_lines(context: Context, role: Role) -> Vec<(String, &'static str)> {
    live(context)
        .into_iter()
        .filter(|(b, _)| b.allowed(role))
        .map(|(b, keys)| (display_keys(&keys.join(" ")), b.help))
        .collect()
}

/// The key table as Markdown, for README.md (a test keeps README's copy equal to this): each
/// pane's own keys, the keys of every pane, each mode's keys, and the `:` commands.
pub fn markdown() -> String {
    let line = |bindings: &mut dyn Iterator<Item = (&'static Binding, Vec<&'static str>)>| -> String {
        bindings
            .map(|(b, keys)| {
                let keys: Vec<String> = keys.iter().map(|k| format!("`{}`", notation::display_key(k))).collect();
                let role = b.needs.map_or(String::new(), |r| format!(" ({})", r.name()));
                format!("{} {}{role}", keys.join(" "), b.help)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut out = String::new();
    for pane in Pane::ALL {
        let context = Context { pane, mode: ModeKind::Normal };
        let own = live(context).into_iter().filter(|(b, _)| b.scope == Scope::Pane(pane));
        out.push_str(&format!("- **{} {}**: {}\n", pane.number(), pane.title(), line(&mut own.into_iter())));
    }
    // Signalen binds no letters of its own: every global key is live there.
    let context = Context { pane: Pane::Signals, mode: ModeKind::Normal };
    let global = live(context).into_iter().filter(|(b, _)| b.scope == Scope::Global);
    out.push_str(&format!(
        "- **In every pane** (unless the pane uses the key itself): {}\n",
        line(&mut global.into_iter())
    ));
    for mode in ModeKind::ALL.into_iter().filter(|m| *m != ModeKind::Normal) {
        let context = Context { pane: Pane::Budget, mode };
        let own = live(context).into_iter().filter(|(b, _)| b.scope == Scope::Mode(mode));
        out.push_str(&format!("- **In {}**: {}\n", mode.title(), line(&mut own.into_iter())));
    }
    out.push_str("- **Everywhere**: `Ctrl-c` stoppen (asks first when something is open)\n");
    let commands: Vec<String> = crate::app::command::COMMANDS
        .iter()
        .map(|c| {
            let role = c.needs.map_or(String::new(), |r| format!(" ({})", r.name()));
            format!("`{}` {}{role}", c.usage(), c.help)
        })
        .collect();
    out.push_str(&format!("- **Commands** (`:`): {}\n", commands.join("; ")));
    out
}

/// Parses keys written as in the table, `<…>` around a named key: `3<Tab>1,5<Enter><C-Home>`.
/// For tests and the key count; a name the notation does not know is an error.
pub fn parse_typed(text: &str) -> Result<Vec<Key>, String> {
    let mut keys = Vec::new();
    let mut rest = text;
    loop {
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if let Some((name, tail)) =
            rest.strip_prefix('<').and_then(|after| after.split_once('>')).filter(|(name, _)| !name.is_empty())
        {
            match notation::parse_key(name)? {
                Pattern::Exact(key) => keys.push(key),
                _ => return Err(format!("<{name}> is geen enkele toets")),
            }
            rest = tail;
        } else {
            keys.push(Key::char(c));
            rest = chars.as_str();
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::KeyCode;

    #[test]
    fn every_key_of_the_table_parses() {
        assert!(table().len() > 100);
        for b in table() {
            assert!(!b.patterns.is_empty(), "{}", b.keys);
        }
    }

    #[test]
    fn pane_keys_are_found_before_global_ones() {
        let budget = Context { pane: Pane::Budget, mode: ModeKind::Normal };
        let networks = Context { pane: Pane::Networks, mode: ModeKind::Normal };
        assert_eq!(lookup(budget, Key::char('3')).map(|x| x.1), Some(Action::StartCellEdit('3')));
        assert_eq!(lookup(networks, Key::char('3')).map(|x| x.1), Some(Action::ShowPane(Pane::Budget)));
        assert_eq!(lookup(budget, Key::new(KeyCode::F(1))).map(|x| x.1), Some(Action::ShowPane(Pane::Networks)));
        assert_eq!(lookup(budget, Key::new(KeyCode::F(7))).map(|x| x.1), Some(Action::ShowPane(Pane::Municipalities)));
        assert_eq!(lookup(budget, Key::new(KeyCode::Tab)).map(|x| x.1), Some(Action::NextCell));
        assert_eq!(lookup(networks, Key::new(KeyCode::Tab)).map(|x| x.1), Some(Action::NextPane));
        // Ctrl-C holds everywhere; global pane keys do not hold in a mode.
        let cell = Context { pane: Pane::Budget, mode: ModeKind::CellEdit };
        assert_eq!(lookup(cell, Key::ctrl('c')).map(|x| x.1), Some(Action::Quit));
        assert_eq!(lookup(cell, Key::char('u')).map(|x| x.1), Some(Action::Input(Key::char('u'))));
    }

    #[test]
    fn hints_merge_and_follow_the_role() {
        let budget = Context { pane: Pane::Budget, mode: ModeKind::Normal };
        let admin = hints(budget, Role::Admin);
        assert!(admin.contains("[ ] kwartaal · n netwerk"), "{admin}");
        assert!(admin.starts_with("0-9 uren"), "{admin}");
        let viewer = hints(budget, Role::Viewer);
        assert!(!viewer.contains("uren") && !viewer.contains("factuur"), "{viewer}");
        assert!(viewer.contains("[ ] kwartaal"), "{viewer}");
    }

    #[test]
    fn typed_keys_parse() {
        assert_eq!(
            parse_typed("1,<Tab><C-Home><S-Tab>").unwrap(),
            vec![
                Key::char('1'),
                Key::char(','),
                Key::new(KeyCode::Tab),
                Key { code: KeyCode::Home, ctrl: true, alt: false },
                Key::new(KeyCode::BackTab)
            ]
        );
        assert!(parse_typed("<Bogus>").is_err());
        assert_eq!(parse_typed("<").unwrap(), vec![Key::char('<')]);
        // Letters of more than one byte, and `<>` (no name) as the two characters it is.
        assert_eq!(
            parse_typed("é<>ë<Tab>").unwrap(),
            vec![Key::char('é'), Key::char('<'), Key::char('>'), Key::char('ë'), Key::new(KeyCode::Tab)]
        );
    }
}
