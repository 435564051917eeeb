//! `sidw mail …`: the reminders of the Signalen by e-mail (issue 17). `send --dry-run` prints every
//! mail that would go out; `send` queues them in the outbox and, when the database is not served
//! (then `sidw serve` delivers), delivers them at once through the SMTP server of `DB.mail.toml`.
//! `template` and `sender` show or change what an admin keeps; `outbox` lists what went out.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use std::path::Path;

use super::{Db, Env, usage};
use crate::domain::Region;
use crate::domain::mail::{MailTemplate, TemplateKind, normalize_text};
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
        /// Wie verstuurt (komt in het logboek; standaard de inlognaam)
        #[arg(long, value_name = "NAAM")]
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
        /// Wie verstuurt (komt in het logboek; standaard de inlognaam)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Het kwartaaloverzicht (PDF als bijlage) aan de kartrekker van ieder netwerk, eenmaal per
    /// netwerk en kwartaal tenzij het overzicht is veranderd
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Statement {
        /// Het kwartaal, bv. 2025-Q2
        #[arg(long, value_name = "KWARTAAL")]
        quarter: String,
        /// Alleen dit netwerk (standaard: ieder netwerk van uw regio's)
        #[arg(long, value_name = "NAAM")]
        network: Option<String>,
        /// Alleen laten zien wat er zou worden verstuurd
        #[arg(long)]
        dry_run: bool,
        /// Wie verstuurt (komt in het logboek; standaard de inlognaam)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Verstuur een e-mail opnieuw die onzeker is (mogelijk verstuurd) of mislukt
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Resend {
        /// Het nummer uit sidw mail outbox
        #[arg(value_name = "NUMMER")]
        id: u64,
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// Een onzekere e-mail is wel aangekomen (nagegaan): noteer hem als verstuurd
    #[command(name = "mark-sent", help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    MarkSent {
        /// Het nummer uit sidw mail outbox
        #[arg(value_name = "NUMMER")]
        id: u64,
        #[arg(long, value_name = "NAAM")]
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
        /// Nieuwe tekst (met {velden}; \n in de tekst is geen nieuwe regel: gebruik --body-file)
        #[arg(long, value_name = "TEKST", conflicts_with = "body_file")]
        body: Option<String>,
        /// Nieuwe tekst uit een bestand, van meer regels (alinea's gescheiden door een lege regel);
        /// - is stdin
        #[arg(long, value_name = "BESTAND")]
        body_file: Option<std::path::PathBuf>,
        /// Wie wijzigt (komt in het logboek)
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
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
        #[arg(long, value_name = "NAAM")]
        user: Option<String>,
    },
    /// De outbox: elke e-mail met ontvanger, onderwerp en of hij is verstuurd
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "Opties")]
    Outbox,
}

impl MailCommand {
    /// `template --body-file -` reads its text from stdin.
    pub(super) fn reads_stdin(&self) -> bool {
        matches!(self, Self::Template { body_file: Some(file), .. } if file.as_os_str() == "-")
    }
}

pub(super) fn run(env: &mut Env, command: MailCommand) -> Result<u8> {
    let db = env.db_path();
    // Over ssh (and through the server's socket) the server delivers the outbox itself.
    let deliver = matches!(env.db, Db::Local(_));
    let scope = env.access().scope;
    let (text, code) = match command {
        MailCommand::Send { dry_run, user, today } => {
            let today_given = today.is_some();
            let (today, now) = day(today.as_deref()).map_err(usage)?;
            let ctx = env.context(user.as_deref())?;
            let store = env.open()?;
            let plan = crate::mail::plan(&store, today, now, &scope)?;
            // `--today` dates the change too (the log, the week's hold-back): only on the server
            // itself, where the command line has every right anyway; over ssh only with --dry-run.
            if today_given && !dry_run && matches!(env.who, super::Who::Ssh { .. }) {
                return Err(usage("--today kan over ssh alleen met --dry-run: wat u verstuurt, verstuurt u vandaag"));
            }
            let ctx = if today_given { ChangeContext { at: now, ..ctx } } else { ctx };
            deliver_plan(&db, &store, &plan, dry_run, &ctx, deliver)?
        }
        MailCommand::Advice { batch, dry_run, user } => {
            let ctx = env.context(user.as_deref())?;
            let store = env.open()?;
            // A batch without a network of the user's regions is one that does not exist (issue 16).
            let Some(plan) = crate::mail::advice_plan(&store, &batch, &scope)? else {
                anyhow::bail!("betaalbatch '{batch}' bestaat niet");
            };
            deliver_plan(&db, &store, &plan, dry_run, &ctx, deliver)?
        }
        MailCommand::Statement { quarter, network, dry_run, user } => {
            let quarter =
                crate::domain::Quarter::parse(&quarter).map_err(|error| usage(format!("--quarter: {error}")))?;
            let ctx = env.context(user.as_deref())?;
            let store = env.open()?;
            let today = chrono::Local::now().date_naive();
            let plan = crate::mail::statement_plan(&store, quarter, network.as_deref(), today, &scope)?;
            deliver_plan(&db, &store, &plan, dry_run, &ctx, deliver)?
        }
        MailCommand::Resend { id, user } => {
            let ctx = env.context(user.as_deref())?;
            let store = env.open()?;
            store.resend_mail(&ctx, id)?;
            let mut text = format!("E-mail {id} staat weer in de outbox.\n");
            text.push_str(&deliver_now(&db, &store, ctx.at, deliver)?.0);
            (text, 0)
        }
        MailCommand::MarkSent { id, user } => {
            let ctx = env.context(user.as_deref())?;
            env.open()?.mark_mail_sent(&ctx, id)?;
            (format!("E-mail {id} genoteerd als verstuurd.\n"), 0)
        }
        MailCommand::Template { kind, subject, body, body_file, user } => {
            let kind = TemplateKind::parse(&kind).map_err(|error| usage(error.message))?;
            let body = match body_file {
                Some(path) => {
                    let (bytes, name) = env.input(&path)?;
                    let text = String::from_utf8(bytes).map_err(|_| usage(format!("{name} is geen tekst in UTF-8")))?;
                    Some(text)
                }
                None => body,
            };
            let store = env.open()?;
            let mut template = store.mail_template(kind)?;
            if subject.is_some() || body.is_some() {
                template = MailTemplate {
                    subject: subject.map_or(template.subject, |s| s.trim().to_string()),
                    body: body.map_or(template.body, |b| normalize_text(&b)),
                };
                store.set_mail_template(&env.context(user.as_deref())?, kind, &template)?;
            }
            let fields: Vec<String> = kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect();
            let body = template.body.replace('\n', "\n  ");
            (format!("Onderwerp: {}\nTekst:\n  {body}\nVelden: {}\n", template.subject, fields.join(" ")), 0)
        }
        MailCommand::Sender { region, email, user } => {
            let region = Region::parse(&region).map_err(|error| usage(error.message))?;
            let store = env.open()?;
            if let Some(email) = email {
                store.set_region_address(&env.context(user.as_deref())?, region, &email)?;
            }
            (format!("{}: {}\n", region.name(), store.region_address(region)?), 0)
        }
        MailCommand::Outbox => (outbox_text(&env.open()?, &scope)?, 0),
    };
    write!(env.out, "{text}")?;
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

/// Prints `plan` (dry run), or queues it and (`deliver`: on the process's own database, with
/// settings) delivers it; exit code 1 when a mail failed.
fn deliver_plan(
    db: &Path,
    store: &Store,
    plan: &crate::mail::MailPlan,
    dry_run: bool,
    ctx: &ChangeContext,
    deliver: bool,
) -> Result<(String, u8)> {
    if dry_run {
        return Ok((plan.dry_run_text(), 0));
    }
    // A settings file that cannot be used is said before anything is queued.
    let settings = MailSettings::load(db)?;
    let queued = plan.queue(store, ctx)?;
    let mut text = format!("{queued} e-mail(s) in de outbox; {}\n", plan.summary());
    text.push_str(&plan.notes());
    let (said, failed) = deliver_with(db, store, settings, ctx.at, deliver);
    text.push_str(&said?);
    Ok((text, u8::from(failed > 0)))
}

/// Delivers the outbox now when `deliver` (the process's own database, with settings); else says
/// who will. Returns what it says and how many failed.
fn deliver_now(db: &Path, store: &Store, now: DateTime<Utc>, deliver: bool) -> Result<(String, usize)> {
    let settings = MailSettings::load(db)?;
    let (said, failed) = deliver_with(db, store, settings, now, deliver);
    Ok((said?, failed))
}

fn deliver_with(
    db: &Path,
    store: &Store,
    settings: Option<MailSettings>,
    now: DateTime<Utc>,
    deliver: bool,
) -> (Result<String>, usize) {
    if !deliver {
        return (Ok("'sidw serve' verstuurt ze (binnen een minuut als er instellingen zijn).\n".into()), 0);
    }
    let Some(settings) = settings else {
        return (
            Ok(format!(
                "Geen {}: de e-mails blijven in de outbox tot 'sidw serve' met instellingen draait.\n",
                settings_path(db).display()
            )),
            0,
        );
    };
    // Every try now: the waits between them are for `sidw serve`; here each retry follows the last.
    let mut failed = 0;
    let mut sent = 0;
    let mut uncertain = 0;
    let mut late = 0;
    for _ in 0..=settings.retries.len() {
        let report = match deliver_due(store, &settings, &|| now, true) {
            Ok(report) => report,
            Err(error) => return (Err(error), failed),
        };
        sent += report.sent;
        failed += report.failed;
        uncertain = report.uncertain;
        late += report.late;
        if report.retried == 0 {
            break;
        }
    }
    let mut text = format!("{sent} verstuurd, {failed} mislukt\n");
    if late > 0 {
        text.push_str(&format!(
            "{late} late uitkomst(en) niet vastgelegd: de e-mail was intussen opnieuw verstuurd of genoteerd (zie het logboek)\n"
        ));
    }
    if uncertain > 0 {
        text.push_str(&format!(
            "{uncertain} onzeker: mogelijk verstuurd; controleer en verstuur zo nodig opnieuw (sidw mail outbox)\n"
        ));
    }
    (Ok(text), failed)
}

/// The outbox as far as the user's regions go (a mail of no region: for users of every region).
fn outbox_text(store: &Store, scope: &crate::domain::Scope) -> Result<String> {
    let mut text = String::new();
    let mine = |region: Option<Region>| region.map_or(scope.is_all(), |r| scope.contains(r));
    let now = Utc::now();
    for (id, m) in store.outbox()?.into_iter().filter(|(_, m)| mine(m.region)) {
        let state = match m.state {
            OutboxState::Queued => format!("wacht (poging {})", m.attempts),
            OutboxState::Sent { at } => format!("verstuurd {}", at.format("%d-%m-%Y %H:%M")),
            OutboxState::Failed { at } => format!("mislukt {}: {}", at.format("%d-%m-%Y %H:%M"), m.last_error),
            OutboxState::Sending { since, .. } if !m.state.uncertain(now) => {
                format!("wordt verstuurd sinds {}", since.format("%d-%m-%Y %H:%M"))
            }
            OutboxState::Sending { since, .. } => format!(
                "onzeker sinds {}: mogelijk verstuurd; controleer en verstuur zo nodig opnieuw (sidw mail resend {id}, of mark-sent {id})",
                since.format("%d-%m-%Y %H:%M")
            ),
            OutboxState::Superseded { at, by } => format!(
                "mislukt ({}), vervangen door e-mail {by} op {}: niet opnieuw",
                m.last_error,
                at.format("%d-%m-%Y %H:%M")
            ),
        };
        let files: String = m.attachments.iter().map(|a| format!(" [bijlage {}]", a.file_name)).collect();
        text.push_str(&format!("{id}\t{}\t{}{files}\t{state}\n", m.to, m.subject));
    }
    if text.is_empty() {
        text.push_str("De outbox is leeg.\n");
    }
    Ok(text)
}
