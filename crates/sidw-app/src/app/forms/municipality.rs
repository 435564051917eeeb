//! The municipality list (Gemeenten pane, admin): a municipality added (Raalte), a merger recorded.
//! The list's own rules (domain `municipality_list`) check each field; the store applies them again.

use crate::domain::error::FieldError;
use crate::domain::municipality_list::{Municipality, parse_cbs_code, parse_medrie_region};
use crate::domain::validate::parse_required_text;
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field};
use crate::domain::calendar::parse_date;

form_fields! {
    pub(super) enum AddField {
        Name => "Naam",
        Cbs => "CBS-code",
        ZkRegion => "ZK-regio (S1)",
        Medrie => "Medrie-regio",
    }
}

pub(super) struct AddMunicipalityForm;

impl FormSpec for AddMunicipalityForm {
    type Field = AddField;

    fn build(&self, _app: &App) -> Result<Form, StoreError> {
        Ok(Form::new("Gemeente toevoegen")
            .field(AddField::Name, "", "bv. Raalte")
            .field(AddField::Cbs, "", "vier cijfers, bv. 0177; leeg = onbekend")
            .field(AddField::ZkRegion, "", "regio van Zilveren Kruis; leeg = geen")
            .field(AddField::Medrie, "", "Zwolle, Flevoland, Hardenberg; leeg = geen"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, AddField>) -> Result<Saved, Refusal<AddField>> {
        use AddField as F;
        let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 60)));
        let cbs = form.read(F::Cbs, field(parse_cbs_code));
        let zk = form.text(F::ZkRegion).map(|t| t.trim().to_string());
        let medrie = form.read(F::Medrie, field(parse_medrie_region));
        let (Some(name), Some(cbs), Some(zk), Some(medrie)) = (name, cbs, zk, medrie) else {
            return Err(Refusal::Fields);
        };
        let zk: Vec<&str> = if zk.is_empty() { Vec::new() } else { vec![zk.as_str()] };
        let new = Municipality::new(&name, cbs.as_deref(), &zk, medrie);
        let at = |e: FieldError| {
            let key = match e.field {
                "cbs-code" => F::Cbs,
                "zk-regio" => F::ZkRegion,
                "medrie-regio" => F::Medrie,
                _ => F::Name,
            };
            Refusal::At(key, e.message)
        };
        let store = app.store.clone();
        let added = store.municipality_list()?.adding(&new).map_err(at)?;
        let message = crate::municipal_list::add(&store, &app.ctx(), &new)?;
        app.push_undo(UndoOp::Created("item in de gemeentetabel"));
        app.reload();
        app.municipalities.select(&added.name);
        Ok(Saved::Done(message))
    }
}

form_fields! {
    pub(super) enum MergeField {
        Old => "Oude gemeenten",
        Into => "Nieuwe gemeente",
        From => "Per datum",
    }
}

pub(super) struct MergeForm;

impl FormSpec for MergeForm {
    type Field = MergeField;

    fn build(&self, _app: &App) -> Result<Form, StoreError> {
        Ok(Form::new("Samenvoeging van gemeenten")
            .field(MergeField::Old, "", "gescheiden door ;, bv. Beemster")
            .field(MergeField::Into, "", "staat in de tabel (voeg hem zo nodig eerst toe met a)")
            .field(MergeField::From, "", "dd-mm-jjjj"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, MergeField>) -> Result<Saved, Refusal<MergeField>> {
        use MergeField as F;
        let old = form
            .text(F::Old)
            .map(|t| t.split(';').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect::<Vec<String>>());
        let into = form.read(F::Into, field(|t| parse_required_text("nieuwe gemeente", t, 60)));
        let from = form.read(F::From, parse_date);
        let (Some(old), Some(into), Some(from)) = (old, into, from) else {
            return Err(Refusal::Fields);
        };
        let at = |e: FieldError| {
            let key = if e.field == "nieuwe gemeente" { F::Into } else { F::Old };
            Refusal::At(key, e.message)
        };
        let store = app.store.clone();
        store.municipality_list()?.merging(&old, &into, from).map_err(at)?;
        let message = crate::municipal_list::merge(&store, &app.ctx(), &old, &into, from)?;
        app.push_undo(UndoOp::Created("item in de gemeentetabel"));
        app.reload();
        Ok(Saved::Done(message))
    }
}
