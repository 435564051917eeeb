//! A participant of a network without a right to declare hours: new, or this one.

use crate::domain::validate::{parse_optional_text, parse_required_text};
use crate::domain::{NetworkId, Participant, ParticipantId, ParticipantKind};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum ParticipantField {
        Name => "Naam",
        Kind => "Soort",
        Contact => "Contact",
    }
}

pub(super) struct ParticipantForm {
    pub network: NetworkId,
    pub id: Option<ParticipantId>,
}

impl FormSpec for ParticipantForm {
    type Field = ParticipantField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use ParticipantField as F;
        let p = match self.id {
            Some(id) => app.store.participants(self.network)?.into_iter().find(|p| p.id == id),
            None => None,
        };
        let get = |f: fn(&Participant) -> String| p.as_ref().map(f).unwrap_or_default();
        let title =
            p.as_ref().map_or("Nieuwe deelnemer zonder declaratierecht".into(), |p| format!("Deelnemer {}", p.name));
        Ok(Form::new(title)
            .field(F::Name, &get(|p| p.name.clone()), "")
            .field(
                F::Kind,
                &get(|p| p.kind.dutch_label().to_string()),
                "wijkverpleging, sociaal domein, buurtbewoner, overig",
            )
            .field(F::Contact, &get(|p| p.contact.clone()), "optioneel"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, ParticipantField>) -> Result<Saved, Refusal<ParticipantField>> {
        use ParticipantField as F;
        let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 80)));
        let kind = form.read(F::Kind, field(ParticipantKind::parse));
        let contact = form.read(F::Contact, field(|t| parse_optional_text("contact", t, 200)));
        let (Some(name), Some(kind), Some(contact)) = (name, kind, contact) else {
            return Err(Refusal::Fields);
        };
        let participant =
            Participant { id: self.id.unwrap_or(ParticipantId(0)), network: self.network, name, kind, contact };
        let store = app.store.clone();
        let ctx = app.ctx();
        match self.id {
            Some(id) => {
                let before = store
                    .participants(self.network)?
                    .into_iter()
                    .find(|p| p.id == id)
                    .ok_or_else(|| StoreError::NotFound(format!("deelnemer {id}")))?;
                store.update_participant(&ctx, &participant)?;
                app.push_undo(UndoOp::Participant(before));
            }
            None => {
                store.add_participant(&ctx, &participant)?;
                app.push_undo(UndoOp::Created("deelnemer"));
            }
        }
        Ok(Saved::Done(format!("Deelnemer {} opgeslagen.", participant.name)))
    }
}
