//! A partner (a care provider who may declare hours): new, or this one.

use crate::domain::validate::{Agb, Iban, parse_email, parse_required_text};
use crate::domain::{Discipline, NetworkId, Partner, PartnerId, TariffCategory};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum PartnerField {
        Name => "Naam",
        Discipline => "Discipline",
        Category => "Tariefcategorie",
        Agb => "AGB-code",
        Iban => "IBAN",
        Email => "E-mail",
    }
}

pub(super) struct PartnerForm {
    pub network: NetworkId,
    pub id: Option<PartnerId>,
}

impl FormSpec for PartnerForm {
    type Field = PartnerField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use PartnerField as F;
        let p = match self.id {
            Some(id) => Some(app.store.partner(self.network, id)?),
            None => None,
        };
        let get = |f: fn(&Partner) -> String| p.as_ref().map(f).unwrap_or_default();
        let title =
            p.as_ref().map_or("Nieuwe zorgverlener met declaratierecht".into(), |p| format!("Partner {}", p.name));
        Ok(Form::new(title)
            .field(F::Name, &get(|p| p.name.clone()), "")
            .field(
                F::Discipline,
                &get(|p| p.discipline.dutch_label().to_string()),
                "bv. fysiotherapeut, diëtist, apotheek",
            )
            .field(F::Category, &get(|p| p.category.letter().to_string()), "A, B of C; leeg = volgens discipline")
            .field(F::Agb, &get(|p| p.agb.to_string()), "8 cijfers")
            .field(F::Iban, &get(|p| p.iban.to_string()), "")
            .field(F::Email, &get(|p| p.email.clone()), "optioneel"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, PartnerField>) -> Result<Saved, Refusal<PartnerField>> {
        let partner = self.read(form).ok_or(Refusal::Fields)?;
        let store = app.store.clone();
        let ctx = app.ctx();
        match self.id {
            Some(id) => {
                let before = store.partner(self.network, id)?;
                store.update_partner(&ctx, &partner)?;
                app.push_undo(UndoOp::Partner(before));
            }
            None => {
                store.add_partner(&ctx, &partner)?;
                app.push_undo(UndoOp::Created("partner"));
            }
        }
        let warning = if partner.discipline.risks_double_funding() {
            " Let op: het handboek raadt af een apotheek of sportcoach uit de € 1,15 te betalen."
        } else {
            ""
        };
        Ok(Saved::Done(format!(
            "Partner {} opgeslagen (categorie {}).{warning}",
            partner.name,
            partner.category.letter()
        )))
    }
}

impl PartnerForm {
    /// The partner as typed (each error at its field); `None` when a field is refused.
    fn read(&self, form: &mut Fields<'_, PartnerField>) -> Option<Partner> {
        use PartnerField as F;
        let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 80)));
        let discipline = form.read(F::Discipline, field(Discipline::parse));
        let category = form.read(F::Category, |t| {
            if t.is_empty() { Ok(None) } else { TariffCategory::parse(t).map(Some).map_err(|e| e.message) }
        });
        let agb = form.read(F::Agb, field(Agb::parse));
        let iban = form.read(F::Iban, field(Iban::parse));
        let email = form.read(F::Email, field(parse_email));
        let discipline = discipline?;
        Some(Partner {
            id: self.id.unwrap_or(PartnerId(0)),
            network: self.network,
            name: name?,
            discipline,
            category: category?.unwrap_or(discipline.usual_category()),
            agb: agb?,
            iban: iban?,
            email: email?,
        })
    }
}
