//! A user of `sidw serve` (admin): a line added to the users file.

use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved};

form_fields! {
    pub(super) enum UserField {
        Name => "Naam",
        Role => "Rol",
        Key => "Sleutel",
    }
}

pub(super) struct UserForm;

impl FormSpec for UserForm {
    type Field = UserField;

    fn build(&self, _app: &App) -> Result<Form, StoreError> {
        Ok(Form::new("Gebruiker toevoegen")
            .field(UserField::Name, "", "inlognaam voor ssh")
            .field(UserField::Role, "editor", "viewer, editor, finance of admin")
            .field(UserField::Key, "", "de regel uit id_ed25519.pub"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, UserField>) -> Result<Saved, Refusal<UserField>> {
        let mut text = |key| form.text(key).map(|t| t.trim().to_string()).ok_or(Refusal::Fields);
        let line = format!("{} {} {}", text(UserField::Name)?, text(UserField::Role)?, text(UserField::Key)?);
        let user = crate::users::check_line(&line).map_err(|problem| {
            let key = if problem.contains("rol") {
                UserField::Role
            } else if problem.contains("gebruikersnaam") {
                UserField::Name
            } else {
                UserField::Key
            };
            Refusal::At(key, problem)
        })?;
        let Some(path) = app.files.users_file() else {
            return Err(Refusal::Store(StoreError::Refused("geen gebruikersbestand".into())));
        };
        app.files.append_user(&line).map_err(|e| Refusal::Store(StoreError::Refused(e)))?;
        app.store.record_event(
            &app.ctx(),
            "gebruiker toegevoegd",
            &format!("{} ({})", user.name, user.role.name()),
            &path.display().to_string(),
        )?;
        Ok(Saved::Done(format!(
            "{} ({}) kan inloggen met ssh (binnen een seconde van kracht).",
            user.name,
            user.role.name()
        )))
    }
}
