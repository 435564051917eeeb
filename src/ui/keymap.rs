//! The key bindings: one table that both binds the keys and is shown by `?`.

use crate::app::{Action, App, Key, KeyCode, Mode, Pane};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Pane),
}

pub struct Binding {
    pub scope: Scope,
    /// The keys as the help screen writes them.
    pub keys: &'static str,
    pub help: &'static str,
    pub action: fn(Key) -> Option<Action>,
}

fn plain(key: Key) -> Option<char> {
    key.typed()
}

macro_rules! bind {
    ($scope:expr, $keys:literal, $help:literal, $action:expr) => {
        Binding { scope: $scope, keys: $keys, help: $help, action: $action }
    };
}

use Scope::{Global, Pane as In};

/// Pane bindings come first, so a pane can give a key its own meaning.
pub static BINDINGS: &[Binding] = &[
    // Netwerken
    bind!(In(Pane::Networks), "n", "nieuw netwerk", |k| (plain(k) == Some('n')).then_some(Action::New)),
    bind!(In(Pane::Networks), "e", "bewerk netwerk, of het gekozen detail", |k| (plain(k) == Some('e'))
        .then_some(Action::Edit)),
    bind!(In(Pane::Networks), "Enter", "naar het detail (praktijken, partners, deelnemers)", |k| (k.code
        == KeyCode::Enter)
        .then_some(Action::Open)),
    bind!(In(Pane::Networks), "p", "nieuwe praktijk", |k| (plain(k) == Some('p')).then_some(Action::NewPractice)),
    bind!(In(Pane::Networks), "i", "nieuwe ION-telling van de gekozen praktijk", |k| (plain(k) == Some('i'))
        .then_some(Action::NewIonCount)),
    bind!(In(Pane::Networks), "v", "nieuwe verdeling (percentages) van het praktijkteam, vanaf een datum", |k| (plain(
        k
    )
        == Some('v'))
    .then_some(Action::EditShares)),
    bind!(In(Pane::Networks), "z", "nieuwe zorgverlener met declaratierecht", |k| (plain(k) == Some('z'))
        .then_some(Action::NewPartner)),
    bind!(In(Pane::Networks), "d", "nieuwe deelnemer zonder declaratierecht", |k| (plain(k) == Some('d'))
        .then_some(Action::NewParticipant)),
    bind!(In(Pane::Networks), "k", "wijkkernteam", |k| (plain(k) == Some('k')).then_some(Action::EditCoreTeam)),
    bind!(In(Pane::Networks), "m", "mijlpalen: termijnen, projectplannen, jaarlijkse verantwoording", |k| (plain(k)
        == Some('m'))
    .then_some(Action::ShowMilestones)),
    bind!(In(Pane::Networks), "s", "sorteer (regio, naam, gemeente, status)", |k| (plain(k) == Some('s'))
        .then_some(Action::CycleSort)),
    // Overeenkomsten
    bind!(In(Pane::Agreements), "n", "nieuwe overeenkomst", |k| (plain(k) == Some('n')).then_some(Action::New)),
    bind!(In(Pane::Agreements), "v", "verstuurd op …", |k| (plain(k) == Some('v')).then_some(Action::MarkSent)),
    bind!(In(Pane::Agreements), "t", "getekend retour op …", |k| (plain(k) == Some('t'))
        .then_some(Action::MarkSigned)),
    bind!(In(Pane::Agreements), "b", "beëindigd op …", |k| (plain(k) == Some('b')).then_some(Action::EndAgreement)),
    bind!(In(Pane::Agreements), "Enter", "naar het netwerk", |k| (k.code == KeyCode::Enter).then_some(Action::Open)),
    bind!(In(Pane::Agreements), "s", "sorteer (urgentie, netwerk, verzenddatum)", |k| (plain(k) == Some('s'))
        .then_some(Action::CycleSort)),
    // Kwartaalbudget
    bind!(
        In(Pane::Budget),
        "0-9",
        "typ uren in de cel (1,5 of 1.5); Enter opslaan ↓, Tab opslaan →, Esc annuleren",
        |k| { plain(k).filter(char::is_ascii_digit).map(Action::StartCellEdit) }
    ),
    bind!(In(Pane::Budget), "e", "bewerk de cel", |k| (plain(k) == Some('e')).then_some(Action::Edit)),
    bind!(In(Pane::Budget), "=", "uren van de vorige maand overnemen", |k| (plain(k) == Some('='))
        .then_some(Action::CopyPreviousMonth)),
    bind!(In(Pane::Budget), "x", "cel leegmaken (regel verwijderen)", |k| (plain(k) == Some('x')
        || k.code == KeyCode::Delete)
        .then_some(Action::Delete)),
    bind!(In(Pane::Budget), "Enter", "regels van de cel (activiteiten)", |k| (k.code == KeyCode::Enter)
        .then_some(Action::Open)),
    bind!(In(Pane::Budget), "[ ]", "vorig / volgend kwartaal", |k| match plain(k) {
        Some('[') => Some(Action::PreviousQuarter),
        Some(']') => Some(Action::NextQuarter),
        _ => None,
    }),
    bind!(In(Pane::Budget), "n", "kies netwerk", |k| (plain(k) == Some('n')).then_some(Action::PickNetwork)),
    bind!(In(Pane::Budget), "f", "factuur van de partner vastleggen", |k| (plain(k) == Some('f'))
        .then_some(Action::NewInvoice)),
    bind!(In(Pane::Budget), "i", "facturen van de partner: goedkeuren, afwijzen, verwijderen", |k| (plain(k)
        == Some('i'))
    .then_some(Action::ShowInvoices)),
    bind!(In(Pane::Budget), "o", "factuur goedkeuren (bij verschil met reden)", |k| (plain(k) == Some('o'))
        .then_some(Action::ApproveInvoice)),
    bind!(In(Pane::Budget), "r", "factuur afwijzen (met reden)", |k| (plain(k) == Some('r'))
        .then_some(Action::RejectInvoice)),
    bind!(In(Pane::Budget), "a", "kwartaal afsluiten: checklist, betalingen, afsluiten", |k| (plain(k) == Some('a'))
        .then_some(Action::CloseQuarter)),
    // Signalen
    bind!(In(Pane::Signals), "Enter", "ga naar het signaal", |k| (k.code == KeyCode::Enter).then_some(Action::Open)),
    bind!(In(Pane::Log), "Enter", "de hele regel: alle velden voor en na (Esc terug)", |k| (k.code == KeyCode::Enter)
        .then_some(Action::Open)),
    // Tarieven
    bind!(In(Pane::Tariffs), "n", "nieuw tariefjaar", |k| (plain(k) == Some('n')).then_some(Action::New)),
    bind!(In(Pane::Tariffs), "e Enter", "bewerk tarieven van het jaar", |k| (plain(k) == Some('e')
        || k.code == KeyCode::Enter)
        .then_some(Action::Edit)),
    // Gemeenten
    bind!(In(Pane::Municipalities), "e Enter", "S1-gegevens van de gemeente bewerken", |k| (plain(k) == Some('e')
        || k.code == KeyCode::Enter)
        .then_some(Action::Edit)),
    bind!(In(Pane::Municipalities), "n", "S1-gegevens van een andere gemeente vastleggen", |k| (plain(k) == Some('n'))
        .then_some(Action::New)),
    bind!(In(Pane::Municipalities), "[ ]", "vorig / volgend jaar", |k| match plain(k) {
        Some('[') => Some(Action::PreviousQuarter),
        Some(']') => Some(Action::NextQuarter),
        _ => None,
    }),
    bind!(In(Pane::Municipalities), "t", "S1-tarief van het jaar (admin)", |k| (plain(k) == Some('t'))
        .then_some(Action::EditS1Rate)),
    bind!(In(Pane::Municipalities), "x", "S1-gegevens verwijderen (vergissing)", |k| (plain(k) == Some('x')
        || k.code == KeyCode::Delete)
        .then_some(Action::Delete)),
    // Overal
    bind!(Global, "1-7 F1-F7", "paneel (in Kwartaalbudget: F1-F7 of Tab)", |k| match (k.code, k.typed()) {
        (_, Some(c @ '1'..='7')) => Some(Action::ShowPane(Pane::ALL[c as usize - '1' as usize])),
        (KeyCode::F(n @ 1..=7), _) => Some(Action::ShowPane(Pane::ALL[usize::from(n) - 1])),
        _ => None,
    }),
    bind!(Global, "Tab S-Tab", "volgend / vorig paneel", |k| match k.code {
        KeyCode::Tab => Some(Action::NextPane),
        KeyCode::BackTab => Some(Action::PreviousPane),
        _ => None,
    }),
    bind!(Global, "↑↓ j k", "omhoog / omlaag", |k| match (k.code, k.typed()) {
        (KeyCode::Up, _) | (_, Some('k')) => Some(Action::Up),
        (KeyCode::Down, _) | (_, Some('j')) => Some(Action::Down),
        _ => None,
    }),
    bind!(Global, "←→ h l", "links / rechts", |k| match (k.code, k.typed()) {
        (KeyCode::Left, _) | (_, Some('h')) => Some(Action::Left),
        (KeyCode::Right, _) | (_, Some('l')) => Some(Action::Right),
        _ => None,
    }),
    bind!(Global, "PgUp PgDn", "pagina omhoog / omlaag", |k| match k.code {
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        _ => None,
    }),
    bind!(Global, "Home End g G", "begin / eind", |k| match (k.code, k.typed()) {
        (KeyCode::Home, _) | (_, Some('g')) => Some(Action::Home),
        (KeyCode::End, _) | (_, Some('G')) => Some(Action::End),
        _ => None,
    }),
    bind!(Global, "Esc", "terug", |k| (k.code == KeyCode::Esc).then_some(Action::Back)),
    bind!(Global, "/", "filter de lijst", |k| (plain(k) == Some('/')).then_some(Action::StartFilter)),
    bind!(Global, ":", "opdracht (:q, :netwerk NAAM, :kwartaal 2025-Q2, :jaarverslag 2025)", |k| (plain(k)
        == Some(':'))
    .then_some(Action::StartCommand)),
    bind!(Global, "u", "laatste wijziging ongedaan maken", |k| (plain(k) == Some('u')).then_some(Action::Undo)),
    bind!(Global, "?", "alle toetsen", |k| (plain(k) == Some('?')).then_some(Action::ToggleHelp)),
    bind!(Global, "q Ctrl-C", "stoppen", |k| (plain(k) == Some('q') || k == Key::ctrl('c')).then_some(Action::Quit)),
];

/// The bindings that apply in a pane, pane's own first.
pub fn bindings_for(pane: Pane) -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .filter(move |b| b.scope == Scope::Pane(pane))
        .chain(BINDINGS.iter().filter(|b| b.scope == Scope::Global))
}

/// Hands a key from a runner to the app: through the key table, Alt+key as Esc and key.
pub fn dispatch(app: &mut App, key: Key) {
    for key in key.unalt() {
        if let Some(action) = action_for(app, key) {
            app.handle(action);
        }
    }
}

/// What a key does now. Outside normal mode every key goes to whatever has the keyboard
/// (Ctrl-C asks to quit there).
pub fn action_for(app: &App, key: Key) -> Option<Action> {
    match &app.mode {
        Mode::Normal => bindings_for(app.pane).find_map(|b| (b.action)(key)),
        Mode::Welcome => match (key.code, key.typed()) {
            (_, Some('d')) => Some(Action::LoadDemo),
            (KeyCode::Enter, _) | (_, Some('l')) => Some(Action::StartEmpty),
            (_, Some('q')) => Some(Action::Quit),
            _ if key == Key::ctrl('c') => Some(Action::Quit),
            _ => None,
        },
        _ if key == Key::ctrl('c') => Some(Action::Quit),
        _ => Some(Action::Input(key)),
    }
}

/// The few keys the status bar names for the pane.
pub fn hints(pane: Pane) -> &'static str {
    match pane {
        Pane::Networks => "n nieuw e bewerk Enter detail p praktijk z partner v verdeling ? meer",
        Pane::Agreements => "n nieuw v verstuurd t getekend b beëindigd s sorteer ? meer",
        Pane::Budget => "0-9 uren = vorige mnd [ ] kwartaal n netwerk f factuur a afsluiten ? meer",
        Pane::Signals => "Enter ga naar / filter ? meer",
        Pane::Tariffs => "e bewerk n nieuw jaar ? meer",
        Pane::Log => "Enter hele regel / filter ? meer",
        Pane::Municipalities => "e bewerk n gemeente [ ] jaar t S1-tarief / filter ? meer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pane_key_is_found_before_the_global_one() {
        let budget: Vec<&str> = bindings_for(Pane::Budget).map(|b| b.keys).collect();
        assert_eq!(budget[0], "0-9");
        let digit = bindings_for(Pane::Budget).find_map(|b| (b.action)(Key::char('3')));
        assert_eq!(digit, Some(Action::StartCellEdit('3')));
        let digit = bindings_for(Pane::Networks).find_map(|b| (b.action)(Key::char('3')));
        assert_eq!(digit, Some(Action::ShowPane(Pane::Budget)));
        let f1 = bindings_for(Pane::Budget).find_map(|b| (b.action)(Key::new(KeyCode::F(1))));
        assert_eq!(f1, Some(Action::ShowPane(Pane::Networks)));
    }
}
