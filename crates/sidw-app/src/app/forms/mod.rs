//! Every form of the app. A form kind ([`FormKind`]) names one module here, which implements
//! [`FormSpec`]: its fields (an enum, see [`super::form::FieldKey`]), how the form is built from
//! the app's state, and how its values become a stored change. [`FormKind::spec`] is the one
//! place that joins a kind to its module.

mod agreement;
mod agreement_date;
mod core_team;
mod correction;
mod decision;
mod hours_line;
mod invoice;
mod ion;
mod mail;
mod milestone;
mod municipal;
mod municipality;
mod network;
mod participant;
mod partner;
mod practice;
mod project_plan;
mod reopen;
mod s1_rate;
mod shares;
mod tariffs;
mod user;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::{AgreementId, HoursEntryId, NetworkId, ParticipantId, PartnerId, Practice, PracticeId, YearMonth};
use crate::store::StoreError;

use super::form::{FieldKey, Fields, Form, FormEvent};
use super::{Action, App, Mode};

/// Which date of an agreement a form sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementDate {
    Sent,
    Signed,
    Ended,
}

/// What a form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Network(Option<NetworkId>),
    CoreTeam(NetworkId),
    Practice(NetworkId, Option<PracticeId>),
    IonCount(NetworkId, PracticeId),
    /// The percentages of the practice team, with a practice waiting to be added or changed.
    Shares(NetworkId, Option<Box<Practice>>),
    Partner(NetworkId, Option<PartnerId>),
    Participant(NetworkId, Option<ParticipantId>),
    NewAgreement(Option<NetworkId>),
    AgreementDate(NetworkId, AgreementId, AgreementDate),
    Tariffs(Option<i32>),
    HoursLine {
        network: NetworkId,
        partner: PartnerId,
        month: YearMonth,
        line: Option<HoursEntryId>,
    },
    Invoice {
        network: NetworkId,
        partner: PartnerId,
        quarter: crate::domain::Quarter,
    },
    InvoiceDecision {
        invoice: Box<crate::domain::Invoice>,
        approve: bool,
    },
    /// A correction, in an open quarter, of a line of a closed one.
    Correction {
        line: Box<crate::domain::HoursEntry>,
    },
    Reopen {
        network: NetworkId,
        quarter: crate::domain::Quarter,
    },
    /// A user of `sidw serve` (admin).
    AddUser,
    /// The date a milestone was done (or the start of funding).
    MilestoneDate(NetworkId, crate::domain::milestones::MilestoneKind),
    /// A project plan of a network: new, or this one (found again by name and dates on saving).
    ProjectPlan(NetworkId, Option<Box<crate::domain::ProjectPlan>>),
    /// A municipality's S1 year: new (municipality typed in), or this municipality's.
    MunicipalYear(Option<String>, i32),
    /// A municipality added to the list (admin).
    AddMunicipality,
    /// A merger of municipalities (admin).
    MergeMunicipalities,
    /// The S1 rate of a year (admin).
    S1Rate(i32),
    /// A mail template (admin).
    MailTemplate(crate::domain::mail::TemplateKind),
    /// A region's own e-mail address, the sender of its mail (admin).
    MailSender(crate::domain::Region),
}

impl FormKind {
    /// Forms opened from the milestones screen return to it.
    pub fn belongs_to_milestones(&self) -> bool {
        matches!(self, Self::MilestoneDate(..) | Self::ProjectPlan(..))
    }

    /// The module of this kind of form: the one `match` from a kind to its form.
    fn spec(&self) -> Box<dyn AnyForm + '_> {
        match self {
            Self::Network(id) => Box::new(network::NetworkForm { id: *id }),
            Self::CoreTeam(network) => Box::new(core_team::CoreTeamForm { network: *network }),
            Self::Practice(network, id) => Box::new(practice::PracticeForm { network: *network, id: *id }),
            Self::IonCount(network, practice) => Box::new(ion::IonForm { network: *network, practice: *practice }),
            Self::Shares(network, pending) => {
                Box::new(shares::SharesForm { network: *network, pending: pending.as_deref() })
            }
            Self::Partner(network, id) => Box::new(partner::PartnerForm { network: *network, id: *id }),
            Self::Participant(network, id) => Box::new(participant::ParticipantForm { network: *network, id: *id }),
            Self::NewAgreement(network) => Box::new(agreement::AgreementForm { network: *network }),
            Self::AgreementDate(network, id, which) => {
                Box::new(agreement_date::AgreementDateForm { network: *network, id: *id, which: *which })
            }
            Self::Tariffs(year) => Box::new(tariffs::TariffsForm { year: *year }),
            Self::HoursLine { network, partner, month, line } => {
                Box::new(hours_line::HoursLineForm { network: *network, partner: *partner, month: *month, line: *line })
            }
            Self::Invoice { network, partner, quarter } => {
                Box::new(invoice::InvoiceForm { network: *network, partner: *partner, quarter: *quarter })
            }
            Self::InvoiceDecision { invoice, approve } => {
                Box::new(decision::DecisionForm { invoice, approve: *approve })
            }
            Self::Correction { line } => Box::new(correction::CorrectionForm { line }),
            Self::Reopen { network, quarter } => Box::new(reopen::ReopenForm { network: *network, quarter: *quarter }),
            Self::AddUser => Box::new(user::UserForm),
            Self::MilestoneDate(network, milestone) => {
                Box::new(milestone::MilestoneForm { network: *network, milestone: *milestone })
            }
            Self::ProjectPlan(network, plan) => {
                Box::new(project_plan::ProjectPlanForm { network: *network, original: plan.as_deref() })
            }
            Self::MunicipalYear(name, year) => {
                Box::new(municipal::MunicipalForm { name: name.as_deref(), year: *year })
            }
            Self::AddMunicipality => Box::new(municipality::AddMunicipalityForm),
            Self::MergeMunicipalities => Box::new(municipality::MergeForm),
            Self::S1Rate(year) => Box::new(s1_rate::S1RateForm { year: *year }),
            Self::MailTemplate(kind) => Box::new(mail::TemplateForm { kind: *kind }),
            Self::MailSender(region) => Box::new(mail::SenderForm { region: *region }),
        }
    }
}

/// One kind of form.
pub(super) trait FormSpec {
    /// The form's fields: every field it can have, each with its label.
    type Field: FieldKey;

    /// The form, filled from the app's state (the store, the tariffs, today).
    fn build(&self, app: &App) -> Result<Form, StoreError>;

    /// Parses the fields and saves through the store: what was saved, or a refusal (at the field
    /// that can fix it where there is one).
    fn save(&self, app: &mut App, form: &mut Fields<'_, Self::Field>) -> Result<Saved, Refusal<Self::Field>>;
}

/// What a saved form leads to.
pub(super) enum Saved {
    /// Saved: this message, and the panes reloaded.
    Done(String),
    /// Saved for now; this form follows.
    Next(FormKind),
    /// Saved; the form has set the mode and message itself.
    Stay,
}

/// Why a form was not saved.
pub(super) enum Refusal<K> {
    /// The errors are at the fields already (several fields read at once).
    Fields,
    /// This field refuses its value.
    At(K, String),
    /// The form as a whole refuses (not one field).
    Form(String),
    Store(StoreError),
}

impl<K> From<StoreError> for Refusal<K> {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// A form kind with its field enum hidden, so that [`FormKind::spec`] can return any of them.
trait AnyForm {
    fn build(&self, app: &App) -> Result<Form, StoreError>;
    /// Saves; `None` when refused, with the errors put in the form.
    fn save(&self, app: &mut App, form: &mut Form) -> Option<Saved>;
    /// Every field of a form this kind built can be read by the kind's enum: the fields as
    /// `Enum::Variant`.
    #[cfg_attr(not(test), allow(dead_code))]
    fn check_addressable(&self, form: &Form) -> Result<Vec<String>, String>;
}

impl<S: FormSpec> AnyForm for S {
    fn build(&self, app: &App) -> Result<Form, StoreError> {
        FormSpec::build(self, app)
    }

    fn save(&self, app: &mut App, form: &mut Form) -> Option<Saved> {
        let mut fields = form.typed::<S::Field>();
        match FormSpec::save(self, app, &mut fields) {
            Ok(saved) => Some(saved),
            Err(Refusal::Fields) => None,
            Err(Refusal::At(key, message)) => {
                fields.refuse(key, message);
                None
            }
            Err(Refusal::Form(message)) => {
                fields.refuse_form(message);
                None
            }
            Err(Refusal::Store(error)) => {
                fields.refuse_form(error.to_string());
                None
            }
        }
    }

    fn check_addressable(&self, form: &Form) -> Result<Vec<String>, String> {
        form.check_addressable::<S::Field>()
    }
}

pub(super) fn opt_date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() { Ok(None) } else { parse_date(text).map(Some) }
}

pub(super) fn show_date(date: Option<NaiveDate>) -> String {
    date.map(format_date).unwrap_or_default()
}

fn yes_no(text: &str) -> Result<bool, String> {
    match text.to_lowercase().as_str() {
        "j" | "ja" => Ok(true),
        "n" | "nee" | "" => Ok(false),
        _ => Err("antwoord j of n".into()),
    }
}

fn show_yes_no(value: bool) -> &'static str {
    if value { "j" } else { "n" }
}

pub(super) fn field<T>(
    parse: impl FnOnce(&str) -> Result<T, crate::domain::error::FieldError>,
) -> impl FnOnce(&str) -> Result<T, String> {
    move |text| parse(text).map_err(|e| e.message)
}

fn amount_text(amount: Decimal) -> String {
    crate::domain::money::format_decimal_comma(amount)
}

/// A percentage as the forms show it: `62,5`.
fn percent_text(share: Decimal) -> String {
    share.normalize().to_string().replace('.', ",")
}

impl App {
    pub(super) fn open_form(&mut self, kind: FormKind) {
        let built = kind.spec().build(self);
        match built {
            Ok(form) => self.mode = Mode::Form(Box::new(form), kind),
            Err(error) => self.error(error.to_string()),
        }
    }

    pub(super) fn form_input(&mut self, mut form: Box<Form>, kind: FormKind, action: Action) {
        use super::key::{Key, KeyCode};
        let key = match action {
            Action::Save => Key::new(KeyCode::Enter),
            Action::Back => Key::new(KeyCode::Esc),
            Action::NextField => Key::new(KeyCode::Tab),
            Action::PreviousField => Key::new(KeyCode::BackTab),
            Action::Input(key) => key,
            _ => {
                self.mode = Mode::Form(form, kind);
                return;
            }
        };
        match form.input(key) {
            FormEvent::None => self.mode = Mode::Form(form, kind),
            FormEvent::Cancel if form.dirty => {
                self.mode = Mode::Confirm(super::Confirm {
                    title: "Invoer weggooien?".into(),
                    lines: vec![format!("{}: wat u typte is nog niet opgeslagen.", form.title)],
                    choices: vec![('j', "ja, weggooien"), ('n', "nee, terug naar het formulier")],
                    kind: super::ConfirmKind::DiscardForm(form, kind),
                });
            }
            FormEvent::Cancel => {
                self.info("Niets opgeslagen.");
                if kind.belongs_to_milestones() {
                    self.back_to_milestones();
                }
            }
            FormEvent::Submit => {
                form.clear_errors();
                match self.submit_form(&mut form, &kind) {
                    Ok(Some(next)) => self.open_form(next),
                    Ok(None) if kind.belongs_to_milestones() => self.back_to_milestones(),
                    Ok(None) => {}
                    Err(()) => self.mode = Mode::Form(form, kind),
                }
            }
        }
    }

    /// Saves the form. `Ok(Some(kind))` opens a follow-up form, `Ok(None)` is done, `Err` keeps
    /// the form open with its errors.
    fn submit_form(&mut self, form: &mut Form, kind: &FormKind) -> Result<Option<FormKind>, ()> {
        match kind.spec().save(self, form) {
            Some(Saved::Done(message)) => {
                self.info(message);
                self.reload();
                Ok(None)
            }
            Some(Saved::Next(next)) => Ok(Some(next)),
            Some(Saved::Stay) => Ok(None),
            None => Err(()),
        }
    }
}

#[cfg(test)]
mod tests;
