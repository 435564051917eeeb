//! `:mail`: what would go out by e-mail from the current Signalen (one mail per recipient,
//! bundling their reminders), and `v` puts it in the outbox for `sidw serve` to deliver (editor).

use super::{App, Confirm, ConfirmKind, Mode};
use crate::mail::{MailPlan, plan, statement_plan};

impl App {
    /// The preview of the mail the Signalen would send now, as the user's regions see them.
    pub(super) fn show_mail(&mut self) {
        let now = (self.clock)();
        let plan = match plan(&self.store, self.today(), now, &self.scope) {
            Ok(plan) => plan,
            Err(error) => return self.error(format!("E-mail: {error}")),
        };
        let mut choices = if plan.mails.is_empty() {
            vec![('n', "sluiten")]
        } else {
            vec![('v', "versturen (in de outbox; sidw serve verstuurt)"), ('n', "niets versturen")]
        };
        if !plan.uncertain.is_empty() {
            choices.insert(0, ('o', "onzekere opnieuw versturen"));
            choices.insert(1, ('a', "onzekere zijn aangekomen"));
        }
        self.mode = Mode::Confirm(Confirm {
            title: format!("E-mail: {}", plan.summary()),
            lines: plan.preview_lines(),
            choices,
            kind: ConfirmKind::SendMail(Box::new(plan)),
        });
    }

    /// `m` in Kwartaalbudget: the preview of the shown network's quarter statement by e-mail (its
    /// PDF attached) to the kartrekker; `v` puts it in the outbox. An unchanged statement that
    /// went before is said, not offered again.
    pub(super) fn show_statement_mail(&mut self) {
        let Some(view) = &self.budget.view else { return self.info("Kies eerst een netwerk (n).") };
        let quarter = self.budget.quarter;
        let plan = match statement_plan(&self.store, quarter, Some(&view.network.name), self.today(), &self.scope) {
            Ok(plan) => plan,
            Err(error) => return self.error(format!("Kwartaaloverzicht per e-mail: {error}")),
        };
        let mut lines = plan.preview_lines();
        for mail in &plan.mails {
            for file in &mail.attachments {
                lines.push(format!("bijlage: {} ({} kB)", file.file_name, file.bytes.len().div_ceil(1024)));
            }
        }
        let choices = if plan.mails.is_empty() {
            vec![('n', "sluiten")]
        } else {
            vec![('v', "versturen (in de outbox; sidw serve verstuurt)"), ('n', "niets versturen")]
        };
        self.mode = Mode::Confirm(Confirm {
            title: format!("Kwartaaloverzicht {quarter} {} per e-mail", view.network.name),
            lines,
            choices,
            kind: ConfirmKind::SendMail(Box::new(plan)),
        });
    }

    /// `o` / `a` in the preview: every "onzeker" mail shown goes back into the outbox (`o`), or is
    /// recorded as arrived after the user checked (`a`).
    pub(super) fn settle_uncertain(&mut self, plan: &MailPlan, resend: bool) {
        let ctx = self.ctx();
        for (id, _) in &plan.uncertain {
            let done = if resend { self.store.resend_mail(&ctx, *id) } else { self.store.mark_mail_sent(&ctx, *id) };
            if let Err(error) = done {
                return self.error(format!("E-mail {id}: {error}"));
            }
        }
        let n = crate::domain::dutch::count(plan.uncertain.len(), "onzekere e-mail", "onzekere e-mails");
        if resend {
            self.info(format!("{n} weer in de outbox; 'sidw serve' verstuurt ze opnieuw."));
        } else {
            self.info(format!("{n} genoteerd als verstuurd."));
        }
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
