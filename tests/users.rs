//! An admin manages the users of `sidw serve` from the screen; others may not.

mod common;

use common::*;
use sidw::app::{Mode, Role};

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl cees@laptop";

#[test]
fn an_admin_adds_and_removes_a_user_and_an_editor_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("db.users");
    std::fs::write(&file, format!("# sidw\nanna admin {KEY}\n")).unwrap();
    let mut app = demo_app();
    app.users_file = Some(file.clone());

    press(&mut app, ":gebruikers<Enter>");
    assert!(matches!(app.mode, Mode::Form(..)));
    press(&mut app, "cees<Tab><BS><BS><BS><BS><BS><BS>baas<Tab>");
    for c in KEY.chars() {
        press(&mut app, &c.to_string());
    }
    press(&mut app, "<Enter>");
    let Mode::Form(form, _) = &app.mode else { panic!("a bad role is refused at its field") };
    assert!(form.fields[1].error.as_deref().unwrap().contains("geen rol"));
    press(&mut app, "<BS><BS><BS><BS>viewer<Enter>");
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.message);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("cees viewer ssh-ed25519"), "{text}");
    assert_eq!(sidw::users::Users::parse(&text).users.len(), 2);
    assert_eq!(app.store().audit_log().unwrap()[0].action, "gebruiker toegevoegd");

    press(&mut app, ":gebruiker-weg cees<Enter>");
    assert!(!std::fs::read_to_string(&file).unwrap().lines().any(|l| l.starts_with("cees ")));
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("# sidw\n"), "comments stay");

    app.role = Role::Editor;
    press(&mut app, ":gebruikers<Enter>");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.message.as_ref().unwrap().text.contains("vraagt de rol admin"));
}
