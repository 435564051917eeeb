//! sidw: the administration of "Samenwerken in de wijk" for a regional secretariat.
//!
//! Layers depend one way only: `domain` (pure rules) ← `store` (redb) ← `app` (state machine) ←
//! `keys` (the key table) ← `ui` (ratatui views, key bindings) ← `term` (local runner) ← `cli`; `report` and `demo` use the store.

pub mod app;
pub mod cli;
pub mod cli_hours;
pub mod demo;
pub mod domain;
pub mod import;
pub mod keys;
pub mod out_file;
pub mod payments;
pub mod report;
pub mod serve;
pub mod store;
pub mod term;
pub mod ui;
pub mod users;
