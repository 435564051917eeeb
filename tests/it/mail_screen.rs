//! `:mail` on the screen: the preview of what the Signalen would send (one line per recipient),
//! `v` puts it in the outbox, and the same reminders are not offered again within the week; a
//! viewer cannot send, and a user with one region sees only that region's mail.

use crate::common::*;
use chrono::TimeZone;
use sidw::domain::{Access, Role, Scope};

fn app_as(access: Access) -> sidw::app::App {
    let store = sidw::store::Store::temporary().unwrap();
    sidw::demo::load(&store, &ctx(), date(2025, 10, 15)).unwrap();
    let clock: sidw::app::Clock = std::sync::Arc::new(|| chrono::Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap());
    sidw::app::App::with_access(store, "anna", access, clock)
}

#[test]
fn mail_preview_lists_one_mail_per_recipient_and_v_queues_them_once() {
    let mut app = demo_app();
    press(&mut app, ":mail<Enter>");
    let screen = screen_text(&app, 120, 40);
    contains_all(
        &screen,
        &[
            "E-mail: 3 e-mails (6 herinneringen), 0 deze week al verstuurd",
            "aan a.devries@hadesch.nl: Urenformulier juli 2025 Zwolle-Zuid ontbreekt (en 1",
            "aan m.yilmaz@gezondhavens.nl:",
            "aan s.bakker@atolwijk.nl: Overeenkomst Lelystad-Atolwijk: graag getekend",
            "[v] versturen",
            "[n] niets versturen",
        ],
    );
    // Hardenberg-Baalder's reminders are not due yet on 15-10-2025.
    assert!(!screen.contains("g.schuurman@hzbaalder.nl"), "{screen}");
    contains_all(&screen_text(&app, 80, 24), &["E-mail: 3 e-mails", "[v] versturen"]);

    press(&mut app, "v");
    contains_all(&screen_text(&app, 120, 40), &["3 e-mails in de outbox; 'sidw serve' verstuurt ze."]);
    let outbox = app_store_outbox(&app);
    assert_eq!(outbox, 3);

    // Opened again: nothing goes out twice within the week.
    press(&mut app, ":mail<Enter>");
    let screen = screen_text(&app, 120, 40);
    contains_all(
        &screen,
        &["E-mail: 0 e-mails (0 herinneringen)", "Er gaat niets uit", "deze week al verstuurd", "[n] sluiten"],
    );
    assert!(!screen.contains("[v]"), "{screen}");
    press(&mut app, "v");
    assert_eq!(app_store_outbox(&app), 3);

    // A refusal by the SMTP server shows in the preview for the week.
    let (id, refused) = app.store().outbox().unwrap().into_iter().find(|(_, m)| m.to.starts_with("s.bakker")).unwrap();
    let delivery = sidw::store::Delivery::Refused("550 5.1.1 Ontvanger onbekend".into());
    let at = chrono::Utc.with_ymd_and_hms(2025, 10, 15, 10, 5, 0).unwrap();
    let mailer = sidw::store::ChangeContext::new("sidw-mail", at);
    let attempt = app.store().mark_mail_sending(&mailer, id).unwrap();
    assert!(app.store().record_delivery(&mailer, id, attempt, &delivery).unwrap());
    press(&mut app, "n:mail<Enter>");
    let screen = screen_text(&app, 120, 40);
    contains_all(&screen, &["mislukt: aan s.bakker@atolwijk.nl:", "(550 5.1.1 Ontvanger onbekend)"]);
    assert!(refused.subject.contains("Lelystad-Atolwijk"));
    // Recorded once: a second outcome for the same attempt changes nothing.
    assert!(!app.store().record_delivery(&mailer, id, attempt, &sidw::store::Delivery::Sent).unwrap());
    let (_, after) = app.store().outbox().unwrap().into_iter().find(|(i, _)| *i == id).unwrap();
    assert!(matches!(after.state, sidw::store::records::OutboxState::Failed { .. }));
}

#[test]
fn n_sends_nothing_a_viewer_cannot_open_it_and_a_region_sees_its_own() {
    let mut app = demo_app();
    press(&mut app, ":mail<Enter>n");
    contains_all(&screen_text(&app, 120, 40), &["Niets verstuurd."]);
    assert_eq!(app_store_outbox(&app), 0);

    let mut viewer = app_as(Access::new(Role::Viewer, Scope::All));
    press(&mut viewer, ":mail<Enter>");
    let screen = screen_text(&viewer, 120, 40);
    assert!(!screen.contains("E-mail:"), "{screen}");
    contains_all(&screen, &["editor"]);

    let mut zwolle = app_as(Access::new(Role::Editor, Scope::parse("Zwolle").unwrap()));
    press(&mut zwolle, ":mail<Enter>");
    let screen = screen_text(&zwolle, 120, 40);
    contains_all(&screen, &["E-mail: 1 e-mail (", "aan a.devries@hadesch.nl"]);
    assert!(!screen.contains("m.yilmaz@"), "{screen}");
}

fn app_store_outbox(app: &sidw::app::App) -> usize {
    app.store().outbox().unwrap().len()
}

#[test]
fn an_admin_edits_a_template_and_an_unknown_placeholder_is_refused_at_its_field() {
    use sidw::domain::mail::TemplateKind;
    let mut app = demo_app();
    press(&mut app, ":sjabloon urenformulier<Enter>");
    contains_all(&screen_text(&app, 120, 40), &["E-mailsjabloon urenformulier", "Onderwerp", "Tekst", "{maand}"]);
    press(&mut app, "<Tab> {bedrag}<C-s>");
    let screen = screen_text(&app, 120, 40);
    contains_all(&screen, &["onbekend veld '{bedrag}'"]);
    let default = sidw::domain::mail::default_template(TemplateKind::HoursForm);
    assert_eq!(app.store().mail_template(TemplateKind::HoursForm).unwrap(), default);
    press(&mut app, &"<BS>".repeat(9));
    press(&mut app, " Graag per omgaande.<C-s>");
    contains_all(&screen_text(&app, 120, 40), &["E-mailsjabloon urenformulier opgeslagen."]);
    let stored = app.store().mail_template(TemplateKind::HoursForm).unwrap();
    assert_eq!(stored.body, format!("{} Graag per omgaande.", default.body));
    // The preview's mail is made from it.
    let plan = sidw::mail::plan(app.store(), date(2025, 10, 15), chrono::Utc::now(), &Scope::All).unwrap();
    assert!(plan.mails[0].body.contains("zijn. Graag per omgaande."), "{}", plan.mails[0].body);

    // The region's sender: a wrong address is refused at the field, a right one used.
    press(&mut app, ":afzender zwolle<Enter>");
    contains_all(&screen_text(&app, 120, 40), &["Afzender regio Zwolle", "zwolle@medrie.nl"]);
    press(&mut app, &"<BS>".repeat(16));
    press(&mut app, "secretariaat zwolle<Enter>");
    contains_all(&screen_text(&app, 120, 40), &["is geen e-mailadres"]);
    press(&mut app, &"<BS>".repeat(19));
    press(&mut app, "swid.zwolle@medrie.nl<Enter>");
    assert_eq!(app.store().region_address(sidw::domain::Region::Zwolle).unwrap(), "swid.zwolle@medrie.nl");

    // An editor may not.
    let mut editor = app_as(Access::new(Role::Editor, Scope::All));
    press(&mut editor, ":sjabloon urenformulier<Enter>");
    assert!(!screen_text(&editor, 120, 40).contains("E-mailsjabloon urenformulier"));
}

#[test]
fn the_template_text_is_edited_over_more_lines_and_keeps_its_paragraphs() {
    use sidw::domain::mail::TemplateKind;
    let mut app = demo_app();
    press(&mut app, ":sjabloon betaaladvies<Enter><Tab>");
    // Enter in the text is a new line; ↑ moves within it; Ctrl-S saves.
    press(&mut app, "<Enter><Enter>Vragen? Mail {regio}.<Enter>Tot ziens.");
    let screen = screen_text(&app, 100, 30);
    // The form's own rows: what is between its borders.
    let inside = |row: &str| row.split('│').nth(2).unwrap_or("").trim_end().to_string();
    let rows: Vec<String> = screen.lines().map(inside).collect();
    let first = rows.iter().position(|r| r.contains("Voor {partner} in netwerk {netwerk}")).unwrap();
    assert!(rows[first].starts_with("Tekst"), "{screen}");
    assert_eq!(rows[first + 1], "", "an empty line:\n{screen}");
    assert_eq!(rows[first + 2].trim(), "Vragen? Mail {regio}.", "{screen}");
    assert_eq!(rows[first + 3].trim(), "Tot ziens.", "{screen}");
    contains_all(
        &screen,
        &[
            "{netwerk} {partner} {kwartaal} {bedrag} {batch} {regio}",
            "Enter: nieuwe regel · ↑↓: regel · Tab: volgend veld · Ctrl-S: opslaan",
        ],
    );
    press(&mut app, "<Up><End> {maand}<C-s>");
    contains_all(&screen_text(&app, 100, 30), &["onbekend veld '{maand}'"]);
    press(&mut app, &"<BS>".repeat(8));
    press(&mut app, "<C-s>");
    contains_all(&screen_text(&app, 100, 30), &["E-mailsjabloon betaaladvies opgeslagen."]);
    let stored = app.store().mail_template(TemplateKind::PaymentAdvice).unwrap();
    let default = sidw::domain::mail::default_template(TemplateKind::PaymentAdvice);
    assert_eq!(stored.body, format!("{}\n\nVragen? Mail {{regio}}.\nTot ziens.", default.body));
    // Opened again, it shows its lines as stored.
    press(&mut app, ":sjabloon betaaladvies<Enter>");
    let screen = screen_text(&app, 100, 30);
    let rows: Vec<String> = screen.lines().map(inside).collect();
    let first = rows.iter().position(|r| r.contains("Voor {partner} in netwerk {netwerk}")).unwrap();
    assert_eq!(rows[first + 2].trim(), "Vragen? Mail {regio}.", "{screen}");
}

#[test]
fn an_uncertain_mail_shows_in_the_preview_and_o_puts_it_back_in_the_outbox() {
    let mut app = demo_app();
    press(&mut app, ":mail<Enter>v");
    let (id, mail) = app.store().outbox().unwrap().into_iter().next().unwrap();
    // Being sent since 09:55, five minutes before the screen's 10:00: the round is still at it, so
    // it is not onzeker, and neither `o` nor a resend by hand can send it a second time.
    let at = chrono::Utc.with_ymd_and_hms(2025, 10, 15, 9, 55, 0).unwrap();
    app.store().mark_mail_sending(&sidw::store::ChangeContext::new("sidw-mail", at), id).unwrap();
    press(&mut app, ":mail<Enter>");
    let screen = screen_text(&app, 140, 40);
    assert!(!screen.contains("onzeker") && !screen.contains("[o]"), "{screen}");
    press(&mut app, "n");
    let ten = chrono::Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap();
    let refused = app.store().resend_mail(&sidw::store::ChangeContext::new("anna", ten), id).unwrap_err();
    assert!(refused.to_string().contains("wordt nu verstuurd (sinds 09:55)"), "{refused}");
    // At 10:30 still no outcome: longer than a delivery can take, so onzeker.
    let half_past = chrono::Utc.with_ymd_and_hms(2025, 10, 15, 10, 30, 0).unwrap();
    let mut app = sidw::app::App::new(app.store().clone(), "anna", std::sync::Arc::new(move || half_past));
    press(&mut app, ":mail<Enter>");
    let screen = screen_text(&app, 140, 40);
    contains_all(
        &screen,
        &[
            &format!("onzeker (nr {id}): aan {}: {}", mail.to, mail.subject.chars().take(10).collect::<String>()),
            "mogelijk verstuurd; controleer en verstuur zo nodig opnieuw",
            "[o] onzekere opnieuw versturen",
            "[a] onzekere zijn aangekomen",
        ],
    );
    press(&mut app, "o");
    contains_all(&screen_text(&app, 140, 40), &["1 onzekere e-mail weer in de outbox"]);
    let (_, again) = app.store().outbox().unwrap().into_iter().find(|(i, _)| *i == id).unwrap();
    assert_eq!(again.state, sidw::store::records::OutboxState::Queued);
    press(&mut app, ":mail<Enter>");
    assert!(!screen_text(&app, 140, 40).contains("onzeker (nr"));
    // A region sees only its own.
    app.store().mark_mail_sending(&sidw::store::ChangeContext::new("sidw-mail", at), id).unwrap();
    let region = mail.region.unwrap();
    let other =
        [sidw::domain::Region::Zwolle, sidw::domain::Region::Flevoland].into_iter().find(|r| *r != region).unwrap();
    let mut elsewhere = sidw::app::App::with_access(
        app.store().clone(),
        "bo",
        Access::new(Role::Editor, Scope::parse(other.name()).unwrap()),
        std::sync::Arc::new(move || half_past),
    );
    press(&mut elsewhere, ":mail<Enter>");
    assert!(!screen_text(&elsewhere, 140, 40).contains("onzeker (nr"));
}

#[test]
fn m_on_the_budget_screen_queues_the_statement_with_its_pdf_once() {
    let mut app = demo_app();
    press(&mut app, "3:netwerk Zwolle-Zuid<Enter>:kwartaal 2025-Q1<Enter>");
    contains_all(&screen_text(&app, 160, 40), &["m mail"]);
    press(&mut app, "m");
    let screen = screen_text(&app, 160, 40);
    contains_all(
        &screen,
        &[
            "Kwartaaloverzicht 2025-Q1 Zwolle-Zuid per e-mail",
            "aan a.devries@hadesch.nl: Kwartaaloverzicht 2025-Q1 Zwolle-Zuid",
            "bijlage: overzicht-zwolle-zuid-2025-Q1.pdf",
            "[v] versturen",
        ],
    );
    press(&mut app, "v");
    contains_all(&screen_text(&app, 160, 40), &["1 e-mail in de outbox"]);
    let outbox = app.store().outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].1.attachments[0].content_type, "application/pdf");
    assert!(outbox[0].1.attachments[0].bytes.starts_with(b"%PDF"));
    press(&mut app, "m");
    let screen = screen_text(&app, 160, 40);
    contains_all(
        &screen,
        &["niet opnieuw: Zwolle-Zuid: kwartaaloverzicht 2025-Q1 ongewijzigd", "gezet op 15-10-2025", "[n] sluiten"],
    );
    press(&mut app, "n");
    // A viewer has no m.
    let mut viewer = app_as(Access::new(Role::Viewer, Scope::All));
    press(&mut viewer, "3:netwerk Zwolle-Zuid<Enter>m");
    assert!(!screen_text(&viewer, 160, 40).contains("per e-mail"));
}
