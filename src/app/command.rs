//! The `:` command line: `:q`, `:netwerk NAAM`, `:kwartaal 2025-Q2`, `:jaarverslag 2025`, `:1`..`:7`,
//! `:help`.

use crate::domain::Quarter;

use super::key::KeyCode;
use super::list::matches;
use super::{Action, App, Mode, Pane};

pub const COMMANDS: &str = ":q, :netwerk NAAM, :kwartaal 2025-Q2, :afsluiten 2025-Q1 [regio], :jaarverslag [JJJJ], :importeer PAD, :gebruikers, :1 … :7";

impl App {
    pub(super) fn command_input(&mut self, mut text: String, action: Action) {
        let Action::Input(key) = action else {
            self.mode = Mode::Command(text);
            return;
        };
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => self.run_command(text.trim()),
            KeyCode::Backspace => {
                if text.pop().is_some() {
                    self.mode = Mode::Command(text);
                }
            }
            KeyCode::Char(c) if !key.ctrl => {
                text.push(c);
                self.mode = Mode::Command(text);
            }
            _ => self.mode = Mode::Command(text),
        }
    }

    fn run_command(&mut self, command: &str) {
        let (word, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
        let rest = rest.trim();
        match word.to_lowercase().as_str() {
            "" => {}
            "q" | "quit" | "stop" | "stoppen" => self.quit = true,
            "help" | "hulp" | "?" => self.mode = Mode::Help,
            "afsluiten" => {
                let mut words = rest.split_whitespace();
                let mut region = false;
                for word in words.by_ref() {
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
            "netwerk" | "n" => self.go_to_network(rest),
            "jaarverslag" | "jaar" => {
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
            "gebruikers" => self.manage_users(),
            "importeer" => self.import_hours(rest),
            "gebruiker-weg" => self.remove_user(rest),
            "kwartaal" | "k" => match Quarter::parse(rest) {
                Ok(quarter) => {
                    self.budget.quarter = quarter;
                    self.reload_budget();
                    self.show_pane(Pane::Budget);
                    self.info(format!("Kwartaal {quarter}."));
                }
                Err(error) => self.error(error),
            },
            number if number.len() == 1 && ('1'..='7').contains(&number.chars().next().unwrap_or('0')) => {
                let index = number.parse::<usize>().unwrap_or(1) - 1;
                self.show_pane(Pane::ALL[index]);
            }
            other => self.error(format!("Onbekende opdracht ':{other}'. Bekend: {COMMANDS}")),
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
    /// `:gebruikers`: the users of the server, and a form to add one (admin).
    fn manage_users(&mut self) {
        let Some(path) = self.users_file.clone() else {
            return self.info("Gebruikers horen bij 'sidw serve'; lokaal bent u de enige gebruiker.");
        };
        if !self.allowed(super::Role::Admin) {
            return;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let users = crate::users::Users::parse(&text);
                let names: Vec<String> =
                    users.users.iter().map(|u| format!("{} ({})", u.name, u.role.name())).collect();
                self.info(format!("Gebruikers: {}. Weghalen: :gebruiker-weg NAAM.", names.join(", ")));
                self.open_form(super::FormKind::AddUser);
            }
            Err(error) => self.error(format!("Kan {} niet lezen: {error}", path.display())),
        }
    }

    /// `:gebruiker-weg NAAM`: takes a user out of the users file (admin).
    fn remove_user(&mut self, name: &str) {
        let Some(path) = self.users_file.clone() else {
            return self.info("Gebruikers horen bij 'sidw serve'.");
        };
        if !self.allowed(super::Role::Admin) {
            return;
        }
        if name.is_empty() || name == self.user {
            return self.error("Noem een andere gebruiker dan uzelf: :gebruiker-weg NAAM");
        }
        match crate::users::remove(&path, name) {
            Ok(0) => self.error(format!("Geen gebruiker '{name}'.")),
            Ok(_) => {
                let ctx = self.ctx();
                let _ = self.store.record_event(&ctx, "gebruiker verwijderd", name, &path.display().to_string());
                self.info(format!("{name} kan niet meer inloggen (binnen een seconde van kracht)."));
            }
            Err(error) => self.error(format!("Kan {} niet schrijven: {error}", path.display())),
        }
    }
}

impl App {
    /// `:importeer PAD`: an hours form checked row by row; the report and what it does to the
    /// budgets are shown, and nothing is stored until the user says so.
    fn import_hours(&mut self, path: &str) {
        if !self.allowed(super::Role::Editor) {
            return;
        }
        let file = match &self.import_folder {
            None if path.is_empty() => return self.error("Welk bestand? :importeer PAD (.xlsx of .csv)"),
            None => std::path::PathBuf::from(path),
            Some(folder) => match served_import(folder, path) {
                Ok(file) => file,
                Err(message) => return self.error(message),
            },
        };
        let table = match crate::import::table::Table::read(&file) {
            Ok(table) => table,
            Err(error) => return self.error(error.to_string()),
        };
        let default_network = self.budget.view.as_ref().map(|v| v.network.name.clone());
        let plan = match crate::import::hours::plan(&self.store, &table, default_network.as_deref()) {
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

/// On a served screen a form is named by its file name in the user's own import folder: no
/// folders, no `..`, nothing hidden. Without a name, the folder's forms are listed.
fn served_import(folder: &std::path::Path, name: &str) -> Result<std::path::PathBuf, String> {
    let forms = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && name.chars().all(|c| !c.is_control());
    if !valid {
        let listed = forms();
        return Err(if name.is_empty() && listed.is_empty() {
            format!("Uw importmap {} is leeg: zet er een urenformulier (.xlsx of .csv) in.", folder.display())
        } else if name.is_empty() {
            format!("Welk formulier? :importeer NAAM, uit uw importmap: {}", listed.join(", "))
        } else {
            format!("Alleen een bestandsnaam uit uw importmap {} (geen map of pad).", folder.display())
        });
    }
    let file = folder.join(name);
    if !file.is_file() {
        let listed = forms();
        return Err(if listed.is_empty() {
            format!("{name} staat niet in uw importmap {} (die is leeg).", folder.display())
        } else {
            format!("{name} staat niet in uw importmap; wel: {}", listed.join(", "))
        });
    }
    Ok(file)
}
