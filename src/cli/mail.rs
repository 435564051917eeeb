//! `sidw mail …`: the reminders of the Signalen by e-mail (issue 17). `send --dry-run` prints every
//! mail that would go out; `send` queues them in the outbox and, when the database is not served
//! (then `sidw serve` delivers), delivers them at once through the SMTP server of `DB.mail.toml`.
//! `template` and `sender` show or change what an admin keeps; `outbox` lists what went out.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use std::path::Path;
use std::process::ExitCode;

use crate::domain::mail::{MailTemplate, TemplateKind};
use crate::domain::{Region, Scope};
use crate::mail_smtp::{MailSettings, deliver_due, settings_path};
use crate::store::records::OutboxState;
use crate::store::{ChangeContext, Store};

use super::HELP_TEMPLATE;

#[derive(Debug, Subcommand)]
pub(super) enum MailCommand {
    /// Herinneringen uit de signalen: één e-mail per ontvanger in de outbox, en versturen
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Send {
        /// Alleen laten zien wat er zou worden verstuurd
        #[arg(long)]
        dry_run: bool,
        /// Wie verstuurt (komt in het logboek); nodig zonder --dry-run
        #[arg(long, value_name = "NAAM", required_unless_present = "dry_run")]
        user: Option<String>,
        /// De dag van de signalen (dd-mm-jjjj; standaard vandaag)
        #[arg(long, value_name = "DATUM")]
        today: Option<String>,
    },
    /// Betaaladvies aan iedere ontvanger van een betaalbatch (partner; voor een praktijk de kartrekker)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Advice {
        /// De betaalbatch, bv. 2025-Q1-0001
        #[arg(long, value_name = "NUMMER")]
        batch: String,
        /// Alleen laten zien wat er zou worden verstuurd
        #[arg(long)]
        dry_run: bool,
        /// Wie verstuurt (komt in het logboek); nodig zonder --dry-run
        #[arg(long, value_name = "NAAM", required_unless_present = "dry_run")]
        user: Option<String>,
    },
    /// Toon een e-mailsjabloon, of wijzig het (admin): overeenkomst, urenformulier,
    /// jaarverplichtingen, kwartaaloverzicht, betaaladvies
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Template {
        #[arg(value_name = "SOORT")]
        kind: String,
        /// Nieuw onderwerp (met {velden})
        #[arg(long, value_name = "TEKST")]
        subject: Option<String>,
        /// Nieuwe tekst (met {velden})
        #[arg(long, value_name = "TEKST")]
        body: Option<String>,
        /// Wie wijzigt (komt in het logboek)
        #[arg(long, value_name = "NAAM", default_value = "admin")]
        user: String,
    },
    /// Toon of wijzig het eigen e-mailadres van een regio (de afzender)
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Sender {
        /// Zwolle, Flevoland of Hardenberg
        #[arg(long, value_name = "REGIO")]
        region: String,
        /// Het nieuwe adres
        #[arg(long, value_name = "ADRES")]
        email: Option<String>,
        #[arg(long, value_name = "NAAM", default_value = "admin")]
        user: String,
    },
    /// De outbox: elke e-mail met ontvanger, onderwerp en of hij is verstuurd
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Outbox,
}

pub(super) fn run(path: &Path, store: impl FnOnce() -> Result<Store>, command: MailCommand) -> Result<ExitCode> {
    let (text, code) = match command {
        MailCommand::Send { dry_run, user, today } => {
            let (today, now) = match day(today.as_deref()) {
                Ok(days) => days,
                Err(message) => return Ok(super::usage_error(&message)),
            };
            send(path, &store()?, dry_run, user.as_deref().unwrap_or("sidw"), today, now)?
        }
        MailCommand::Advice { batch, dry_run, user } => {
            let store = store()?;
            let now = Utc::now();
            let Some(plan) = crate::mail::advice_plan(&store, &batch, now, &Scope::All)? else {
                anyhow::bail!("betaalbatch '{batch}' bestaat niet");
            };
            deliver_plan(path, &store, &plan, dry_run, user.as_deref().unwrap_or("sidw"), now)?
        }
        MailCommand::Template { kind, subject, body, user } => {
            let kind = match TemplateKind::parse(&kind) {
                Ok(kind) => kind,
                Err(error) => return Ok(super::usage_error(&error.message)),
            };
            let store = store()?;
            let mut template = store.mail_template(kind)?;
            if subject.is_some() || body.is_some() {
                template =
                    MailTemplate { subject: subject.unwrap_or(template.subject), body: body.unwrap_or(template.body) };
                store.set_mail_template(&ChangeContext::new(user, Utc::now()), kind, &template)?;
            }
            let fields: Vec<String> = kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect();
            (
                format!("Onderwerp: {}\nTekst: {}\nVelden: {}\n", template.subject, template.body, fields.join(" ")),
                ExitCode::SUCCESS,
            )
        }
        MailCommand::Sender { region, email, user } => {
            let region = match Region::parse(&region) {
                Ok(region) => region,
                Err(error) => return Ok(super::usage_error(&error.message)),
            };
            let store = store()?;
            if let Some(email) = email {
                store.set_region_address(&ChangeContext::new(user, Utc::now()), region, &email)?;
            }
            (format!("{}: {}\n", region.name(), store.region_address(region)?), ExitCode::SUCCESS)
        }
        MailCommand::Outbox => (outbox_text(&store()?)?, ExitCode::SUCCESS),
    };
    print!("{text}");
    Ok(code)
}

/// `--today`, and the moment the week's hold-back counts from (noon of that day; now without it).
fn day(today: Option<&str>) -> Result<(NaiveDate, DateTime<Utc>), String> {
    match today {
        None => Ok((chrono::Local::now().date_naive(), Utc::now())),
        Some(text) => {
            let day = crate::domain::calendar::parse_date(text).map_err(|e| format!("--today: {e}"))?;
            let noon = day.and_hms_opt(12, 0, 0).map(|t| t.and_utc()).ok_or("--today: geen dag")?;
            Ok((day, noon))
        }
    }
}

/// What `sidw mail send` prints, and its exit code (1 when a mail failed).
pub fn send(
    db: &Path,
    store: &Store,
    dry_run: bool,
    user: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(String, ExitCode)> {
    let plan = crate::mail::plan(store, today, now, &Scope::All)?;
    deliver_plan(db, store, &plan, dry_run, user, now)
}

/// Prints `plan` (dry run), or queues it and delivers it when there are settings.
fn deliver_plan(
    db: &Path,
    store: &Store,
    plan: &crate::mail::MailPlan,
    dry_run: bool,
    user: &str,
    now: DateTime<Utc>,
) -> Result<(String, ExitCode)> {
    if dry_run {
        return Ok((plan.dry_run_text(), ExitCode::SUCCESS));
    }
    // A settings file that cannot be used is said before anything is queued.
    let settings = MailSettings::load(db)?;
    let queued = plan.queue(store, &ChangeContext::new(user, now))?;
    let mut text = format!("{queued} e-mail(s) in de outbox; {}\n", plan.summary());
    let Some(settings) = settings else {
        text.push_str(&format!(
            "Geen {}: de e-mails blijven in de outbox tot 'sidw serve' met instellingen draait.\n",
            settings_path(db).display()
        ));
        return Ok((text, ExitCode::SUCCESS));
    };
    // Every try now: the waits between them are for `sidw serve`; here each retry follows the last.
    let mut failed = 0;
    let mut sent = 0;
    for _ in 0..=settings.retries.len() {
        let report = deliver_due(store, &settings, &|| now, true)?;
        sent += report.sent;
        failed += report.failed;
        if report.retried == 0 {
            break;
        }
    }
    text.push_str(&format!("{sent} verstuurd, {failed} mislukt\n"));
    Ok((text, if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }))
}

fn outbox_text(store: &Store) -> Result<String> {
    let mut text = String::new();
    for (id, m) in store.outbox()? {
        let state = match m.state {
            OutboxState::Queued => format!("wacht (poging {})", m.attempts),
            OutboxState::Sent { at } => format!("verstuurd {}", at.format("%d-%m-%Y %H:%M")),
            OutboxState::Failed { at } => format!("mislukt {}: {}", at.format("%d-%m-%Y %H:%M"), m.last_error),
        };
        text.push_str(&format!("{id}\t{}\t{}\t{state}\n", m.to, m.subject));
    }
    if text.is_empty() {
        text.push_str("De outbox is leeg.\n");
    }
    Ok(text)
}
