//! An admin manages the users of `sidw serve` from the screen; others may not.

use crate::common;

use common::*;
use sidw::app::{MemoryFiles, Mode, Role};

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl cees@laptop";

#[test]
fn an_admin_adds_and_removes_a_user_and_an_editor_may_not() {
    // The app's files in memory: the users file is never on disk here.
    let files = MemoryFiles::served(&format!("# sidw\nanna admin {KEY}\n"));
    let mut app = demo_app().with_files(std::sync::Arc::new(files.clone()));

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
    let text = files.users().unwrap();
    assert!(text.contains("cees viewer ssh-ed25519"), "{text}");
    assert_eq!(sidw::users::Users::parse(&text).users.len(), 2);
    assert_eq!(app.store().audit_log().unwrap()[0].action, "gebruiker toegevoegd");

    press(&mut app, ":gebruiker-weg cees<Enter>");
    assert!(!files.users().unwrap().lines().any(|l| l.starts_with("cees ")));
    assert!(files.users().unwrap().starts_with("# sidw\n"), "comments stay");
    assert_eq!(app.store().audit_log().unwrap()[0].action, "gebruiker verwijderd");

    app.role = Role::Editor;
    press(&mut app, ":gebruikers<Enter>");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.message.as_ref().unwrap().text.contains("vraagt de rol admin"));
}
