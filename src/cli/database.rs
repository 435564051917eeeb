//! The database itself: `demo`, `check`, `restore`, `serve` and `settings`.

use anyhow::Result;

use super::{Command, Db, Env, SettingsCommand};
use crate::domain::dutch::count;
use crate::store::Store;

pub(super) fn run(env: &mut Env, command: Command) -> Result<u8> {
    match command {
        Command::Demo => {
            let store = env.open()?;
            let ctx = env.context(None)?;
            crate::demo::load(&store, &ctx, ctx.at.with_timezone(&chrono::Local).date_naive())?;
            writeln!(env.out, "Demogegevens geladen in {}.", store.path().display())?;
            Ok(0)
        }
        Command::Check => {
            env.require_every_region("de controle van de database")?;
            check(env)
        }
        Command::Restore { file } => restore(env, &file),
        Command::Serve { listen, users, host_key } => {
            let Db::Local(path) = &env.db else { anyhow::bail!("'serve' kan hier niet") };
            let options = crate::serve::ServeOptions::beside(path, listen, users, host_key);
            crate::serve::check_users_file(&options)?;
            let store = super::open_with(path, Store::open_for_serving)?;
            crate::serve::run(store, options)?;
            Ok(0)
        }
        Command::Settings { setting: SettingsCommand::Account { name, iban, bic } } => {
            let ctx = env.context(None)?;
            let store = env.open()?;
            let settings = crate::store::records::PaymentSettings {
                debtor_name: name,
                debtor_iban: crate::domain::validate::Iban::parse(&iban)?,
                debtor_bic: bic.filter(|b| !b.trim().is_empty()),
            };
            store.save_payment_settings(&ctx, &settings)?;
            writeln!(env.out, "Betaalrekening opgeslagen: {} {}.", settings.debtor_name, settings.debtor_iban)?;
            Ok(0)
        }
        _ => anyhow::bail!("geen opdracht voor de database"),
    }
}

fn check(env: &mut Env) -> Result<u8> {
    let shown = capitalised(&env.db_shown());
    let (store, _copy) = env.open_reading_once()?;
    let report = store.check()?;
    let counts: Vec<String> = report.counts.iter().map(|(tree, n)| format!("{tree}: {n}")).collect();
    if report.is_ok() {
        writeln!(env.out, "{shown} is in orde ({}).", counts.join(", "))?;
        return Ok(0);
    }
    writeln!(env.out, "{shown}: {} gevonden:", count(report.problems.len(), "probleem", "problemen"))?;
    for problem in &report.problems {
        writeln!(env.out, "- {problem}")?;
    }
    Ok(1)
}

fn restore(env: &mut Env, file: &std::path::Path) -> Result<u8> {
    let path = env.db_path();
    let file = match &env.place {
        super::Place::Local { cwd: Some(cwd) } if file.is_relative() => cwd.join(file),
        _ => file.to_path_buf(),
    };
    let restored = crate::store::restore::restore_file(&path, &file)?;
    if !restored.report.is_ok() {
        for problem in &restored.report.problems {
            writeln!(env.out, "- {problem}")?;
        }
        anyhow::bail!(
            "niet teruggezet: de controle vond {} in de back-up; {} is niet aangemaakt",
            count(restored.report.problems.len(), "probleem", "problemen"),
            path.display()
        );
    }
    writeln!(env.out, "Teruggezet in {} en gecontroleerd: in orde.", restored.path.display())?;
    Ok(0)
}

/// "de database" → "De database".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
