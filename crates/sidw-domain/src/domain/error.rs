//! Every way a domain rule can refuse, with the Dutch message the user reads.

use rust_decimal::Decimal;
use thiserror::Error;

use super::money::format_eur;

/// A bad value in one field: which field (its Dutch label) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

/// A rule of the programme that a change would break.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("er zijn geen tarieven voor {0}; leg eerst de tarieventabel van dat jaar vast")]
    NoTariffs(i32),
    #[error(
        "de percentages van het praktijkteam tellen{} op tot {total} %, niet tot precies 100 %",
        on.map(|d| format!(" per {}", super::calendar::format_date(d))).unwrap_or_default()
    )]
    SharesDoNotSum { on: Option<chrono::NaiveDate>, total: Decimal },
    #[error("het praktijkteam heeft geen praktijken")]
    EmptyPracticeTeam,
    #[error(
        "dit netwerk is een voormalig GEZ/OWZ-netwerk: het regelt zijn partners zelf en heeft geen urenadministratie"
    )]
    FormerGezOwzHasNoHours,
    #[error("deze uren brengen het partnerbudget {} onder nul; bewaar ze als \"betaald door het praktijkteam\" of niet", format_eur(*.shortfall))]
    OverBudget { shortfall: Decimal },
    #[error(
        "{discipline}: het handboek raadt af deze uren uit de € 1,15 te betalen (dubbelfinanciering); bevestig dit eerst"
    )]
    DoubleFundingNotConfirmed { discipline: &'static str },
    #[error("de partner hoort niet bij dit netwerk")]
    PartnerNotInNetwork,
    #[error("{partner} heeft in {month} geen getekende overeenkomst: daar horen geen uren bij")]
    NoSignedAgreement { partner: String, month: String },
}
