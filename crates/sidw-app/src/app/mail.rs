//! `:mail`: what would go out by e-mail from the current Signalen (one mail per recipient,
//! bundling their reminders), and `v` puts it in the outbox for `sidw serve` to deliver (editor).

use super::{App, Confirm, ConfirmKind, Mode};
use crate::mail::{MailPlan, plan};

impl App {
    /// The preview of the mail the Signalen would send now, as the user's regions see them.
    pub(super) fn show_mail(&mut self) {
        let now = (self.clock)();
        let plan = match plan(&self.store, self.today(), now, &self.scope) {
            Ok(plan) => plan,
            Err(error) => return self.error(format!("E-mail: {error}")),
        };
        let choices = if plan.mails.is_empty() {
            vec![('n', "sluiten")]
        } else {
            vec![('v', "versturen (in de outbox; sidw serve verstuurt)"), ('n', "niets versturen")]
        };
        self.mode = Mode::Confirm(Confirm {
            title: format!("E-mail: {}", plan.summary()),
            lines: plan.preview_lines(),
            choices,
            kind: ConfirmKind::SendMail(Box::new(plan)),
        });
    }

    /// `v` in the preview: the mails into the outbox (each audited).
    pub(super) fn send_mail(&mut self, plan: &MailPlan) {
        match plan.queue(&self.store, &self.ctx()) {
            Ok(0) => self.info("Niets in de outbox gezet: alles ging deze week al."),
            Ok(n) => self.info(format!(
                "{} in de outbox; 'sidw serve' verstuurt {}.",
                crate::domain::dutch::count(n, "e-mail", "e-mails"),
                if n == 1 { "hem" } else { "ze" }
            )),
            Err(error) => self.error(format!("Niet verstuurd: {error}")),
        }
    }
}
