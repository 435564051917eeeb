//! `:bank NAAM`: a bank statement (camt.053) read through the runner's files (served: a name
//! from the user's import folder), matched and shown before anything is stored, as `:importeer`
//! does; `j` stores it (one audited change), `n` leaves everything as it was.

use super::{App, Confirm, ConfirmKind, Mode};
use crate::import::bank::{BankPlan, apply, plan, render};

impl App {
    pub(super) fn import_bank(&mut self, name: &str) {
        if name.is_empty() {
            let files = self.files.imports();
            return self.error(if files.is_empty() {
                "Welk afschrift? :bank NAAM (camt.053, .xml); zet het in uw importmap, met sftp: put AFSCHRIFT imports/"
                    .to_string()
            } else {
                format!("Welk afschrift? :bank NAAM, uit uw importmap: {}", files.join(", "))
            });
        }
        if self.files.import_folder().is_some() {
            if super::files::check_file_name(name).is_err() {
                return self.error("Alleen een bestandsnaam uit uw importmap (geen map of pad).");
            }
            if !self.files.imports().iter().any(|f| f == name) {
                return self.error(format!("{name} staat niet in uw importmap."));
            }
        }
        let bytes = match self.files.read_import(name) {
            Ok(bytes) => bytes,
            Err(error) => return self.error(error),
        };
        let ctx = self.ctx();
        let plan = match plan(&self.store, &ctx, name, &bytes) {
            Ok(plan) => plan,
            Err(error) => return self.error(error.to_string()),
        };
        let mut lines: Vec<String> = render(&plan).lines().map(str::to_string).collect();
        if lines.len() > 16 {
            let more = lines.len() - 15;
            lines.truncate(15);
            lines.push(format!("… en {more} regels meer (sidw import bank --dry-run toont alles)"));
        }
        let (title, choices) = if plan.changes_nothing() {
            (format!("Al ingelezen: {name}"), vec![('n', "sluiten")])
        } else {
            (format!("Bankafschrift: {name}"), vec![('j', "ja, inlezen"), ('n', "nee")])
        };
        self.mode = Mode::Confirm(Confirm { title, lines, choices, kind: ConfirmKind::Bank(Box::new(plan)) });
    }

    pub(super) fn apply_bank(&mut self, plan: &BankPlan) {
        let ctx = self.ctx();
        match apply(&self.store, &ctx, plan) {
            Ok(count) => {
                self.reload();
                self.info(format!(
                    "Bankafschrift ingelezen: {} bijgewerkt.",
                    crate::domain::dutch::count(count, "betaling", "betalingen")
                ));
            }
            Err(error) => self.error(error.to_string()),
        }
    }
}
