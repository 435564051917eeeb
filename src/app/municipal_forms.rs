//! The forms of the Gemeenten pane: a municipality's S1 year, and the year's S1 rate.

use crate::domain::calendar::format_date;
use crate::domain::municipality::{AwardStatus, MunicipalYear, S1Rate, award_notice_due};
use crate::domain::region::parse_municipality;
use crate::domain::validate::{parse_amount, parse_ion};
use crate::store::StoreError;

use super::App;
use super::form::Form;
use super::forms::{FormKind, Refusal, Saved, field, opt_date, show_date};
use super::undo::UndoOp;

const PROVIDERS_HINT: &str = "gescheiden door ;";

impl App {
    pub(super) fn build_municipal_form(&self, kind: &FormKind) -> Result<Form, StoreError> {
        Ok(match kind {
            FormKind::MunicipalYear(name, year) => {
                let record = match name {
                    Some(name) => self.store.municipal_year(name, *year)?,
                    None => None,
                };
                let r = record.unwrap_or_else(|| MunicipalYear::new(name.unwrap_or(""), *year));
                let title = match name {
                    Some(name) => format!("S1 {year} — gemeente {name}"),
                    None => format!("S1 {year} — nieuwe gemeente"),
                };
                let form = Form::new(title);
                let form = if name.is_none() { form.field("Gemeente", "", "uit de gemeentetabel") } else { form };
                form.field(
                    "65+-verzekerden",
                    &r.insured_65_plus.map(|c| c.to_string()).unwrap_or_default(),
                    "ZK-verzekerden van 65 jaar en ouder",
                )
                .field("Voorgedragen aanbieders", &r.proposed_providers.join("; "), PROVIDERS_HINT)
                .field("Toekenning", r.award.dutch_label(), "aangevraagd, toegekend of afgewezen")
                .field("Datum besluit", &show_date(r.award_date), "bericht uiterlijk 1 november ervoor")
                .field(
                    "Samenwerkingsafspraken",
                    &show_date(r.cooperation_agreement),
                    "sinds dd-mm-jjjj, leeg = nee",
                )
            }
            FormKind::S1Rate(year) => {
                let rate = self.store.s1_rate(*year)?;
                Form::new(format!("S1-tarief {year}")).field(
                    "Per 65+-verzekerde",
                    &rate
                        .map(|r| crate::domain::money::format_decimal_comma(r.per_insured_65_plus))
                        .unwrap_or_default(),
                    "euro, bv. 9,40",
                )
            }
            _ => unreachable!("only municipal forms come here"),
        })
    }

    pub(super) fn save_municipal_form(&mut self, form: &mut Form, kind: &FormKind) -> Result<Saved, Refusal> {
        let ctx = self.ctx();
        let store = self.store.clone();
        match kind {
            FormKind::MunicipalYear(name, year) => {
                let municipality = match name {
                    Some(name) => Some(*name),
                    None => form.parse("Gemeente", field(parse_municipality)),
                };
                let insured = form.parse("65+-verzekerden", |t| {
                    if t.is_empty() { Ok(None) } else { parse_ion(t).map(Some).map_err(|e| e.message) }
                });
                let providers: Vec<String> = form
                    .get("Voorgedragen aanbieders")
                    .split(';')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                let award = form.parse("Toekenning", field(AwardStatus::parse));
                let award_date = form.parse("Datum besluit", opt_date);
                let cooperation = form.parse("Samenwerkingsafspraken", opt_date);
                let (Some(municipality), Some(insured_65_plus), Some(award), Some(award_date), Some(cooperation)) =
                    (municipality, insured, award, award_date, cooperation)
                else {
                    return Err(Refusal::Fields);
                };
                let today = self.today();
                for (label, date) in [("Datum besluit", award_date), ("Samenwerkingsafspraken", cooperation)] {
                    if date.is_some_and(|d| d > today) {
                        form.set_error(label, "ligt in de toekomst; vul de datum in waarop het er was");
                        return Err(Refusal::Fields);
                    }
                }
                if name.is_none() && store.municipal_year(municipality, *year)?.is_some() {
                    form.set_error(
                        "Gemeente",
                        format!("{municipality} heeft al S1-gegevens over {year}; kies de gemeente en druk e"),
                    );
                    return Err(Refusal::Fields);
                }
                let record = MunicipalYear {
                    municipality: municipality.to_string(),
                    year: *year,
                    insured_65_plus,
                    proposed_providers: providers,
                    award,
                    award_date,
                    cooperation_agreement: cooperation,
                };
                if let Err(error) = record.validate() {
                    let label = match error.field {
                        "datum besluit" => "Datum besluit",
                        "aanbieders" => "Voorgedragen aanbieders",
                        "gemeente" => "Gemeente",
                        _ => "Toekenning",
                    };
                    form.set_error(label, error.message);
                    return Err(Refusal::Fields);
                }
                let before = store.municipal_year(municipality, *year)?;
                store.save_municipal_year(&ctx, &record)?;
                self.push_undo(UndoOp::MunicipalYear { municipality, year: *year, before: before.map(Box::new) });
                self.reload();
                self.municipalities.select(municipality);
                let mut message = format!("S1 {year} van {municipality} opgeslagen.");
                if award == AwardStatus::Toegekend && record.cooperation_agreement.is_none() {
                    message.push_str(" Let op: toegekend zonder samenwerkingsafspraken (voorwaarde).");
                } else if !award.is_decided() && self.today() > award_notice_due(*year) {
                    message.push_str(&format!(
                        " Het besluit had er uiterlijk {} moeten zijn.",
                        format_date(award_notice_due(*year))
                    ));
                }
                Ok(Saved::Done(message))
            }
            FormKind::S1Rate(year) => {
                let amount = form
                    .parse("Per 65+-verzekerde", |t| match parse_amount(t) {
                        Ok(a) if a > rust_decimal::Decimal::ZERO => Ok(a),
                        Ok(_) => Err("moet groter zijn dan nul".to_string()),
                        Err(e) => Err(e.message),
                    })
                    .ok_or(Refusal::Fields)?;
                let before = store.s1_rate(*year)?;
                store.save_s1_rate(&ctx, &S1Rate { year: *year, per_insured_65_plus: amount })?;
                self.push_undo(match before {
                    Some(before) => UndoOp::S1Rate(before),
                    None => UndoOp::Created("S1-tarief"),
                });
                Ok(Saved::Done(format!(
                    "S1-tarief {year}: {} per 65+-verzekerde opgeslagen.",
                    crate::domain::money::format_eur(amount)
                )))
            }
            _ => unreachable!("only municipal forms come here"),
        }
    }
}
