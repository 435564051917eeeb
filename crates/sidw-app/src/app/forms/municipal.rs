//! A municipality's S1 year (Gemeenten pane): new (the municipality typed in), or this one's.

use chrono::NaiveDate;

use crate::domain::calendar::format_date;
use crate::domain::municipality::{AwardStatus, MunicipalYear, award_notice_due};
use crate::domain::municipality_list::MunicipalityList;
use crate::domain::validate::parse_ion;
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field, opt_date, show_date};

const PROVIDERS_HINT: &str = "gescheiden door ;";

form_fields! {
    pub(super) enum MunicipalField {
        /// A new municipality only.
        Municipality => "Gemeente",
        Insured => "65+-verzekerden",
        Providers => "Voorgedragen aanbieders",
        Award => "Toekenning",
        AwardDate => "Datum besluit",
        Cooperation => "Samenwerkingsafspraken",
    }
}

pub(super) struct MunicipalForm<'a> {
    /// The municipality; `None` for a new one (typed in).
    pub name: Option<&'a str>,
    pub year: i32,
}

impl FormSpec for MunicipalForm<'_> {
    type Field = MunicipalField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use MunicipalField as F;
        let (name, year) = (self.name, self.year);
        let record = match name {
            Some(name) => app.store.municipal_year(name, year)?,
            None => None,
        };
        let r = record.unwrap_or_else(|| MunicipalYear::new(name.unwrap_or(""), year));
        let form = match name {
            Some(name) => Form::new(format!("S1 {year} — gemeente {name}")),
            None => {
                Form::new(format!("S1 {year} — nieuwe gemeente")).field(F::Municipality, "", "uit de gemeentetabel")
            }
        };
        Ok(form
            .field(
                F::Insured,
                &r.insured_65_plus.map(|c| c.to_string()).unwrap_or_default(),
                "ZK-verzekerden van 65 jaar en ouder",
            )
            .field(F::Providers, &r.proposed_providers.join("; "), PROVIDERS_HINT)
            .field(F::Award, r.award.dutch_label(), "aangevraagd, toegekend of afgewezen")
            .field(F::AwardDate, &show_date(r.award_date), "bericht uiterlijk 1 november ervoor")
            .field(F::Cooperation, &show_date(r.cooperation_agreement), "sinds dd-mm-jjjj, leeg = nee"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, MunicipalField>) -> Result<Saved, Refusal<MunicipalField>> {
        let list = app.store.municipality_list()?;
        let (municipality, record) = self.read(form, &list).ok_or(Refusal::Fields)?;
        self.check(app, &record)?;
        let year = self.year;
        let store = app.store.clone();
        let before = store.municipal_year(&municipality, year)?;
        store.save_municipal_year(&app.ctx(), &record)?;
        app.push_undo(UndoOp::MunicipalYear { municipality: municipality.clone(), year, before: before.map(Box::new) });
        app.reload();
        app.municipalities.select(&municipality);
        let mut message = format!("S1 {year} van {municipality} opgeslagen.");
        if record.award == AwardStatus::Toegekend && record.cooperation_agreement.is_none() {
            message.push_str(" Let op: toegekend zonder samenwerkingsafspraken (voorwaarde).");
        } else if !record.award.is_decided() && app.today() > award_notice_due(year) {
            message.push_str(&format!(
                " Het besluit had er uiterlijk {} moeten zijn.",
                format_date(award_notice_due(year))
            ));
        }
        Ok(Saved::Done(message))
    }
}

impl MunicipalForm<'_> {
    /// The municipality and its record as typed (each error at its field); `None` when a field
    /// is refused.
    fn read(&self, form: &mut Fields<'_, MunicipalField>, list: &MunicipalityList) -> Option<(String, MunicipalYear)> {
        use MunicipalField as F;
        let municipality = match self.name {
            Some(name) => Some(name.to_string()),
            // The list decides (a municipality merged before the year is refused here too).
            None => form.read(F::Municipality, field(|t| list.for_s1_year(t, self.year).map(|m| m.name.clone()))),
        };
        let insured = form
            .read(F::Insured, |t| if t.is_empty() { Ok(None) } else { parse_ion(t).map(Some).map_err(|e| e.message) });
        let providers = form.text(F::Providers).map(|text| {
            text.split(';').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect::<Vec<String>>()
        });
        let award = form.read(F::Award, field(AwardStatus::parse));
        let award_date = form.read(F::AwardDate, opt_date);
        let cooperation = form.read(F::Cooperation, opt_date);
        let municipality = municipality?;
        let record = MunicipalYear {
            municipality: municipality.clone(),
            year: self.year,
            insured_65_plus: insured?,
            proposed_providers: providers?,
            award: award?,
            award_date: award_date?,
            cooperation_agreement: cooperation?,
        };
        Some((municipality, record))
    }

    /// Refuses dates in the future, a second record of a municipality's year, and what the
    /// record's own rules refuse.
    fn check(&self, app: &App, record: &MunicipalYear) -> Result<(), Refusal<MunicipalField>> {
        use MunicipalField as F;
        let today = app.today();
        let dates: [(F, Option<NaiveDate>); 2] =
            [(F::AwardDate, record.award_date), (F::Cooperation, record.cooperation_agreement)];
        for (key, date) in dates {
            if date.is_some_and(|d| d > today) {
                return Err(Refusal::At(key, "ligt in de toekomst; vul de datum in waarop het er was".into()));
            }
        }
        let (municipality, year) = (&record.municipality, self.year);
        if self.name.is_none() && app.store.municipal_year(municipality, year)?.is_some() {
            return Err(Refusal::At(
                F::Municipality,
                format!("{municipality} heeft al S1-gegevens over {year}; kies de gemeente en druk e"),
            ));
        }
        record.validate().map_err(|error| {
            let key = match error.field {
                "datum besluit" => F::AwardDate,
                "aanbieders" => F::Providers,
                "gemeente" => F::Municipality,
                _ => F::Award,
            };
            Refusal::At(key, error.message)
        })
    }
}
