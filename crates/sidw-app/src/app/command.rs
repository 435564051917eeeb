//! The `:` command line, from one table of commands ([`COMMANDS`]): the parser, the message for
//! an unknown command (with the nearest one) and `?` all read it.

use crate::domain::Quarter;

use super::key::KeyCode;
use super::list::matches;
use super::{Action, App, Mode, Pane, Role};

/// One `:` command.
pub struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// The arguments as the help writes them.
    pub args: &'static str,
    pub help: &'static str,
    pub needs: Option<Role>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Quit,
    Help,
    Network,
    Quarter,
    Close,
    YearReport,
    Import,
    Bank,
    Users,
    RemoveUser,
    Online,
    Mail,
    MailTemplate,
    MailSender,
    Pane,
}

const fn command(
    name: &'static str,
    aliases: &'static [&'static str],
    args: &'static str,
    help: &'static str,
    needs: Option<Role>,
) -> Command {
    Command { name, aliases, args, help, needs }
}

/// Every `:` command, in the order the help lists them.
pub static COMMANDS: &[Command] = &[
    command("q", &["quit", "stop", "stoppen"], "", "stoppen", None),
    command("netwerk", &["n"], "NAAM", "naar het netwerk (in Kwartaalbudget: zijn rooster)", None),
    command("kwartaal", &["k"], "2025-Q2", "kwartaal van Kwartaalbudget", None),
    command("afsluiten", &[], "[2025-Q1] [regio]", "kwartaal afsluiten: checklist en betalingen", None),
    command("jaarverslag", &["jaar"], "[JJJJ]", "jaarverslag van een jaar", None),
    command("importeer", &[], "PAD", "urenformulier (.xlsx of .csv) controleren en inlezen", Some(Role::Editor)),
    command("bank", &[], "NAAM", "bankafschrift (camt.053) inlezen: betaald en teruggeboekt", Some(Role::Finance)),
    command("gebruikers", &[], "", "gebruikers van de server; een gebruiker toevoegen", Some(Role::Admin)),
    command("gebruiker-weg", &[], "NAAM", "een gebruiker weghalen", Some(Role::Admin)),
    command("wie", &[], "", "wie er nu is ingelogd (gebruiker, rol, regio's, sinds)", Some(Role::Admin)),
    command(
        "mail",
        &["e-mail"],
        "",
        "herinneringen uit de signalen per e-mail: bekijken, v verstuurt",
        Some(Role::Editor),
    ),
    command(
        "sjabloon",
        &[],
        "SOORT",
        "e-mailsjabloon wijzigen: overeenkomst, urenformulier, jaarverplichtingen, kwartaaloverzicht, betaaladvies",
        Some(Role::Admin),
    ),
    command("afzender", &[], "REGIO", "het e-mailadres van een regio (de afzender)", Some(Role::Admin)),
    command("help", &["hulp", "?"], "", "alle toetsen en opdrachten", None),
    command("1", &["2", "3", "4", "5", "6", "7"], "", "paneel 1–7", None),
];

/// One entry per command of [`COMMANDS`], in the same order (a test holds them together).
const WHICH: [Which; 15] = [
    Which::Quit,
    Which::Network,
    Which::Quarter,
    Which::Close,
    Which::YearReport,
    Which::Import,
    Which::Bank,
    Which::Users,
    Which::RemoveUser,
    Which::Online,
    Which::Mail,
    Which::MailTemplate,
    Which::MailSender,
    Which::Help,
    Which::Pane,
];

impl Command {
    /// How the help writes it: `:netwerk NAAM (:n)`.
    pub fn usage(&self) -> String {
        let mut text = format!(":{}", self.name);
        if self.name == "1" {
            text = ":1–:7".into();
        }
        if !self.args.is_empty() {
            text.push(' ');
            text.push_str(self.args);
        }
        if self.name != "1" && !self.aliases.is_empty() {
            let aliases: Vec<String> = self.aliases.iter().map(|a| format!(":{a}")).collect();
            text.push_str(&format!(" ({})", aliases.join(" ")));
        }
        text
    }
}

/// The command a typed word names (its name or an alias, any case).
pub fn find(word: &str) -> Option<&'static Command> {
    let word = word.to_lowercase();
    COMMANDS.iter().find(|c| c.name == word || c.aliases.contains(&word.as_str()))
}

/// The command name nearest to an unknown word: one it begins, or at most two letters off.
pub fn nearest(word: &str) -> Option<&'static str> {
    let word = word.to_lowercase();
    if word.is_empty() {
        return None;
    }
    let names = COMMANDS.iter().filter(|c| c.name.len() > 1);
    if let Some(c) = names.clone().find(|c| c.name.starts_with(&word)) {
        return Some(c.name);
    }
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    names
        .map(|c| (distance(&word, c.name), c.name))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The message for an unknown command.
pub fn unknown(word: &str) -> String {
    match nearest(word) {
        Some(name) => format!("Onbekende opdracht ':{word}'; bedoelde u :{name}? (? toont alle opdrachten)"),
        None => {
            let names: Vec<String> = COMMANDS.iter().map(|c| format!(":{}", c.name)).collect();
            format!("Onbekende opdracht ':{word}'. Bekend: {}, :2–:7.", names.join(", "))
        }
    }
}

impl App {
    pub(super) fn command_input(&mut self, mut text: String, action: Action) {
        match action {
            Action::Back => {}
            Action::Save => self.run_command(text.trim()),
            Action::Input(key) if key.code == KeyCode::Backspace => {
                if text.pop().is_some() {
                    self.mode = Mode::Command(text);
                }
            }
            Action::Input(key) if key.typed().is_some() => {
                text.extend(key.typed());
                self.mode = Mode::Command(text);
            }
            _ => self.mode = Mode::Command(text),
        }
    }

    fn run_command(&mut self, command: &str) {
        let (word, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
        let rest = rest.trim();
        if word.is_empty() {
            return;
        }
        let Some(found) = find(word) else {
            return self.error(unknown(word));
        };
        if let Some(needed) = found.needs
            && !self.allowed(needed)
        {
            return;
        }
        let which = COMMANDS.iter().position(|c| std::ptr::eq(c, found)).map_or(Which::Help, |i| WHICH[i]);
        if matches!(which, Which::Users | Which::RemoveUser) && !self.scope.is_all() {
            // The users file is the whole programme's, as the tariffs are.
            return self.error(format!(
                "Gebruikers beheert alleen een admin met alle regio's; u werkt in {}.",
                self.scope.describe()
            ));
        }
        match which {
            Which::Quit => self.quit = true,
            Which::Help => {
                self.mode =
                    Mode::Help { over: Box::new(Mode::Normal), scroll: 0, max: std::cell::Cell::new(usize::MAX) }
            }
            Which::Close => self.command_close(rest),
            Which::Network => self.go_to_network(rest),
            Which::YearReport => self.command_year_report(rest),
            Which::Users => self.manage_users(),
            Which::Import => self.import_hours(rest),
            Which::Bank => self.import_bank(rest),
            Which::RemoveUser => self.remove_user(rest),
            Which::Online => self.show_online(),
            Which::Mail => self.show_mail(),
            Which::MailTemplate => match crate::domain::mail::TemplateKind::parse(rest) {
                Ok(kind) => self.open_form(super::FormKind::MailTemplate(kind)),
                Err(error) => self.error(format!(":sjabloon: {}", error.message)),
            },
            Which::MailSender => match crate::domain::Region::parse(rest) {
                Ok(region) => self.open_form(super::FormKind::MailSender(region)),
                Err(error) => self.error(format!(":afzender: {}", error.message)),
            },
            Which::Quarter => self.command_quarter(rest),
            Which::Pane => {
                let index = word.parse::<usize>().unwrap_or(1).clamp(1, 7) - 1;
                self.show_pane(Pane::ALL[index]);
            }
        }
    }

    /// `:afsluiten [KWARTAAL] [regio]`: the close screen, of the network in Kwartaalbudget or the region.
    fn command_close(&mut self, rest: &str) {
        let mut region = false;
        for word in rest.split_whitespace() {
            if word.eq_ignore_ascii_case("regio") {
                region = true;
            } else {
                match Quarter::parse(word) {
                    Ok(quarter) => {
                        self.budget.quarter = quarter;
                        self.reload_budget();
                    }
                    Err(error) => return self.error(error),
                }
            }
        }
        self.show_pane(Pane::Budget);
        self.open_close_screen(region);
    }

    /// `:jaarverslag [JAAR]`: the year report, of this year without one.
    fn command_year_report(&mut self, rest: &str) {
        let year = if rest.is_empty() {
            Ok(chrono::Datelike::year(&self.today()))
        } else {
            rest.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or(format!("'{rest}' is geen jaar; bijvoorbeeld :jaarverslag 2025"))
        };
        match year {
            Ok(year) => self.open_year_report(year),
            Err(message) => self.error(message),
        }
    }

    /// `:kwartaal KWARTAAL`: Kwartaalbudget at that quarter.
    fn command_quarter(&mut self, rest: &str) {
        match Quarter::parse(rest) {
            Ok(quarter) => {
                self.budget.quarter = quarter;
                self.reload_budget();
                self.show_pane(Pane::Budget);
                self.info(format!("Kwartaal {quarter}."));
            }
            Err(error) => self.error(error),
        }
    }

    /// `:netwerk NAAM`: in Kwartaalbudget that network's grid, elsewhere its detail.
    fn go_to_network(&mut self, name: &str) {
        if name.is_empty() {
            self.error("Welk netwerk? Bijvoorbeeld :netwerk Zwolle-Zuid");
            return;
        }
        let exact = self.networks.rows.iter().find(|r| r.network.name.eq_ignore_ascii_case(name));
        let found: Vec<_> = match exact {
            Some(row) => vec![row],
            None => self.networks.rows.iter().filter(|r| matches(name, &r.network.name)).collect(),
        };
        match found.as_slice() {
            [] => self.error(format!("Geen netwerk '{name}'.")),
            [row] => {
                let id = row.network.id;
                let network_name = row.network.name.clone();
                if self.pane == Pane::Budget {
                    self.budget.network = Some(id);
                    self.budget.row = 0;
                    self.reload_budget();
                } else {
                    self.networks.select(id);
                    let _ = self.networks.load_detail(&self.store);
                    self.show_pane(Pane::Networks);
                }
                self.info(format!("Netwerk {network_name}."));
            }
            more => {
                let names: Vec<&str> = more.iter().take(5).map(|r| r.network.name.as_str()).collect();
                self.error(format!("'{name}' past op meer netwerken: {}", names.join(", ")));
            }
        }
    }
}

impl App {
    /// `:wie`: who has a screen open now (admin): user, role, regions and since when.
    fn show_online(&mut self) {
        let Some(users) = self.online_now() else {
            return self.error("Wie er is ingelogd ziet alleen een admin van alle regio's.");
        };
        if users.is_empty() {
            return self.info("Niemand anders is ingelogd: dit scherm draait niet via 'sidw serve'.");
        }
        let lines = users.iter().map(online_line).collect();
        self.mode = Mode::Confirm(super::Confirm {
            title: format!("Ingelogd: {}", crate::domain::dutch::count(users.len(), "gebruiker", "gebruikers")),
            lines,
            choices: vec![('n', "sluiten")],
            kind: super::ConfirmKind::Notice,
        });
    }

    /// The server's list of who is logged in changed: an open `:wie` is drawn again from it (the
    /// footer's count is read at every frame).
    pub fn online_changed(&mut self) {
        if !matches!(&self.mode, Mode::Confirm(confirm) if matches!(confirm.kind, super::ConfirmKind::Notice)) {
            return;
        }
        // A user who is no longer an admin of every region does not keep the list open.
        match self.online_now() {
            Some(users) if !users.is_empty() => self.show_online(),
            _ => self.mode = Mode::Normal,
        }
    }

    /// `:gebruikers`: the users of the server, and a form to add one (admin).
    fn manage_users(&mut self) {
        if self.files.users_file().is_none() {
            return self.info("Gebruikers horen bij 'sidw serve'; lokaal bent u de enige gebruiker.");
        }
        match self.files.users_text() {
            Ok(text) => {
                let users = crate::users::Users::parse(&text);
                let names: Vec<String> =
                    users.users.iter().map(|u| format!("{} ({})", u.name, u.role.name())).collect();
                self.info(format!("Gebruikers: {}. Weghalen: :gebruiker-weg NAAM.", names.join(", ")));
                self.open_form(super::FormKind::AddUser);
            }
            Err(error) => self.error(format!("Gebruikersbestand: {error}")),
        }
    }

    /// `:gebruiker-weg NAAM`: takes a user out of the users file (admin).
    fn remove_user(&mut self, name: &str) {
        let Some(path) = self.files.users_file() else {
            return self.info("Gebruikers horen bij 'sidw serve'.");
        };
        if name.is_empty() || name == self.user {
            return self.error("Noem een andere gebruiker dan uzelf: :gebruiker-weg NAAM");
        }
        match self.files.remove_user(name) {
            Ok(0) => self.error(format!("Geen gebruiker '{name}'.")),
            Ok(_) => {
                let ctx = self.ctx();
                let _ = self.store.record_event(&ctx, "gebruiker verwijderd", name, &path.display().to_string());
                self.info(format!("{name} kan niet meer inloggen (binnen een seconde van kracht)."));
            }
            Err(error) => self.error(format!("Gebruikersbestand: {error}")),
        }
    }
}

impl App {
    /// `:importeer PAD`: an hours form checked row by row; the report and what it does to the
    /// budgets are shown, and nothing is stored until the user says so. The form is read through
    /// the runner's files: on a served screen only a name from the user's import folder.
    fn import_hours(&mut self, path: &str) {
        match self.files.import_folder() {
            None if path.is_empty() => return self.error("Welk bestand? :importeer PAD (.xlsx of .csv)"),
            None => {}
            Some(folder) => {
                if let Err(message) = served_import(&folder, &self.files.imports(), path) {
                    return self.error(message);
                }
            }
        }
        let table = crate::import::table::Table::check_name(path)
            .map_err(|e| e.to_string())
            .and_then(|()| self.files.read_import(path))
            .and_then(|bytes| crate::import::table::Table::from_named_bytes(path, &bytes).map_err(|e| e.to_string()));
        let table = match table {
            Ok(table) => table,
            Err(error) => return self.error(error),
        };
        let default_network = self.budget.view.as_ref().map(|v| v.network.name.clone());
        let plan = match crate::import::hours::plan_in(&self.store, &table, default_network.as_deref(), &self.access())
        {
            Ok(plan) => plan,
            Err(error) => return self.error(error.to_string()),
        };
        let fmt = crate::domain::money::format_eur;
        let (title, mut lines, choices) = if plan.is_ok() {
            let mut lines = vec![match plan.nihil.len() {
                0 => format!(
                    "{}.",
                    crate::domain::dutch::count(plan.lines.len(), "urenregel klopt", "urenregels kloppen")
                ),
                nihil => format!(
                    "{} en {} kloppen.",
                    crate::domain::dutch::count(plan.lines.len(), "urenregel", "urenregels"),
                    crate::domain::dutch::count(nihil, "nihil-maand", "nihil-maanden")
                ),
            }];
            lines.extend(plan.effects.iter().map(|e| {
                let (before, added, after) = (fmt(e.remaining_before), fmt(e.added), fmt(e.remaining_after));
                format!("{} {}: resterend {before} − {added} = {after}", e.network, e.year)
            }));
            (format!("Importeren: {path}"), lines, vec![('j', "ja, inlezen"), ('n', "nee")])
        } else {
            let mut lines = vec![format!(
                "{} niet; er wordt niets ingelezen:",
                crate::domain::dutch::count(plan.problems.len(), "regel klopt", "regels kloppen")
            )];
            lines.extend(plan.problems.iter().take(12).map(|(row, problem)| format!("regel {row}: {problem}")));
            if plan.problems.len() > 12 {
                lines.push(format!("… en {} meer (sidw import hours --dry-run toont alles)", plan.problems.len() - 12));
            }
            (format!("Niet te importeren: {path}"), lines, vec![('n', "sluiten")])
        };
        lines.truncate(16);
        self.mode =
            Mode::Confirm(super::Confirm { title, lines, choices, kind: super::ConfirmKind::Import(Box::new(plan)) });
    }
}

/// "anna · editor · Zwolle, Hardenberg · sinds 01-12-2026 09:14 (2 schermen)".
pub fn online_line(user: &super::OnlineUser) -> String {
    let since = user.since.with_timezone(&chrono::Local);
    let screens = if user.screens > 1 { format!(" ({} schermen)", user.screens) } else { String::new() };
    format!(
        "{} · {} · {} · sinds {}{screens}",
        user.user,
        user.role.name(),
        user.scope.describe(),
        since.format("%d-%m-%Y %H:%M")
    )
}

/// On a served screen a form is named by its file name in the user's own import folder (`forms`
/// are the names there): no folders, no `..`, nothing hidden. Without a name, the folder's forms
/// are listed.
fn served_import(folder: &std::path::Path, forms: &[String], name: &str) -> Result<(), String> {
    if super::files::check_file_name(name).is_err() {
        return Err(if name.is_empty() && forms.is_empty() {
            format!(
                "Uw importmap {} is leeg: zet er een urenformulier (.xlsx of .csv) in, met sftp: put FORMULIER imports/",
                folder.display()
            )
        } else if name.is_empty() {
            format!("Welk formulier? :importeer NAAM, uit uw importmap: {}", forms.join(", "))
        } else {
            format!("Alleen een bestandsnaam uit uw importmap {} (geen map of pad).", folder.display())
        });
    }
    if !forms.iter().any(|form| form == name) {
        return Err(if forms.is_empty() {
            format!("{name} staat niet in uw importmap {} (die is leeg).", folder.display())
        } else {
            format!("{name} staat niet in uw importmap; wel: {}", forms.join(", "))
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_is_found_once() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            for word in std::iter::once(&c.name).chain(c.aliases) {
                assert!(seen.insert(*word), "'{word}' twice");
                assert!(std::ptr::eq(find(word).unwrap(), c));
            }
        }
        assert_eq!(WHICH.len(), COMMANDS.len());
        assert!(find("IMPORTEER").is_some());
        assert!(find("importer").is_none());
    }

    #[test]
    fn an_unknown_command_names_the_nearest() {
        assert_eq!(nearest("importer"), Some("importeer"));
        assert_eq!(nearest("netwrk"), Some("netwerk"));
        assert_eq!(nearest("jaarv"), Some("jaarverslag"));
        assert_eq!(nearest("kwartal"), Some("kwartaal"));
        assert_eq!(nearest("xyzzy"), None);
        assert_eq!(nearest("gebruiker"), Some("gebruikers"));
        assert!(unknown("importer").contains("bedoelde u :importeer?"));
        assert!(unknown("xyzzy").contains(":netwerk"));
    }
}
