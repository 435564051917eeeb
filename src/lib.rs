//! sidw: the administration of "Samenwerken in de wijk" for a regional secretariat.
//!
//! Layers depend one way only: `domain` (pure rules) ← `store` (sled) ← `report`, `demo` ← `cli`.

pub mod app;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod report;
pub mod store;
