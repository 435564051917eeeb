//! sidw-domain: the rules of "Samenwerken in de wijk" (handbook ch. 3, 4 and appendix 1): money, calendar,
//! networks, practices, tariffs, budgets, hours, the quarter close, signals, validation.
//!
//! The bottom crate of the workspace: `sidw-domain` ← `sidw-store` ← `sidw-app` ← `sidw`. It depends on no
//! storage, terminal, SSH or async crate (`.ci/run` checks `cargo tree`), does no I/O and reads no clock:
//! whatever needs "today" takes it as an argument. The module keeps its name, so `crate::domain::…` paths
//! read the same in every crate.

pub mod domain;
