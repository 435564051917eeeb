//! sidw: the administration of "Samenwerken in de wijk" for a regional secretariat. This crate is the
//! runner: the `sidw` binary, its command line (`cli`), the key table (`keys`), the ratatui views (`ui`),
//! the local terminal (`term`), the SSH server (`serve`) and everything that reads or writes files
//! (`files`, `out_file`, `office_files`, `users_file`).
//!
//! The layers are crates and depend one way only: `sidw-domain` (pure rules) ← `sidw-store` (redb) ←
//! `sidw-app` (state machine, reports, imports, payment files; no terminal, no file access) ← `sidw`. A
//! dependency that runs the other way does not compile. The app touches no file: the runners pass it
//! `files::DiskFiles` as its `app::Files` capability. The lower crates' modules are re-exported here, so
//! `sidw::domain`, `sidw::store`, `sidw::app`, … name the same modules as before the split.

pub use sidw_app::{app, demo, domain, import, mail, municipal_list, payments, report, store, users};

pub mod cli;
pub mod cli_hours;
pub mod files;
pub mod keys;
pub mod mail_smtp;
pub mod office_files;
pub mod out_file;
pub mod serve;
pub mod term;
pub mod ui;
pub mod users_file;
