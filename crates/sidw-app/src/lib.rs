//! sidw-app: the application without a terminal and without file access of its own: the state machine
//! (`app`), the reports and workbooks as bytes (`report`), the imports from bytes (`import`), the payment
//! files (`payments`), the demo data (`demo`) and the users file's lines (`users`).
//!
//! `sidw-domain` ← `sidw-store` ← **`sidw-app`** ← `sidw`. Files are read and written by the runner (the
//! `sidw` crate), which passes the app its `app::Files` capability. `users` uses russh only to parse and
//! compare public keys.

pub use sidw_store::{domain, store};

pub mod app;
pub mod demo;
pub mod import;
pub mod mail;
pub mod municipal_list;
pub mod payments;
pub mod report;
pub mod users;
