//! sidw-store: the sled store of sidw: versioned records, one transaction per change with its audit
//! entry, the audit index, backups, restore and the consistency check.
//!
//! `sidw-domain` ← **`sidw-store`** ← `sidw-app` ← `sidw`. It may use the domain; it never sees a terminal,
//! SSH or the app (`.ci/run` checks `cargo tree`). The domain is re-exported so `crate::domain::…` paths
//! keep working inside the store.

pub use sidw_domain::domain;
pub mod store;
