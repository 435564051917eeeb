//! Where the domain's money checks ([`crate::domain::verify`]) are enforced: right before a payment
//! batch is written, when a batch is read for a payment file, and after every change of hours
//! lines. A violation is a bug or a damaged record, never a user's mistake: in a debug build (the
//! tests, the model-based workload) it fails a `debug_assert!`; in a release build it refuses the
//! write or export with [`StoreError::MoneyCheck`], and nothing is written.

use std::cell::Cell;

use super::StoreError;

thread_local! {
    /// Whether a violation panics on this thread (debug builds), or is only refused.
    static PANICS: Cell<bool> = Cell::new(panics_by_default());
}

/// Debug builds panic on a violation, unless `SIDW_MONEY_CHECK=weigeren` asks them to refuse as
/// a release build does (for tests that run the binary and expect the refusal).
fn panics_by_default() -> bool {
    cfg!(debug_assertions) && std::env::var("SIDW_MONEY_CHECK").map_or(true, |v| v != "weigeren")
}

/// While the returned guard lives, a violation on this thread is refused as in a release build
/// instead of failing a `debug_assert!` (for tests that show the refusal).
pub fn refuse_on_this_thread() -> RefuseGuard {
    let before = PANICS.with(|p| p.replace(false));
    RefuseGuard { before }
}

/// Restores this thread's behaviour on a violation when dropped.
pub struct RefuseGuard {
    before: bool,
}

impl Drop for RefuseGuard {
    fn drop(&mut self) {
        PANICS.with(|p| p.set(self.before));
    }
}

/// `Ok` without violations; otherwise a `debug_assert!` failure (debug builds) or the refusal.
pub(crate) fn enforce(what: &str, violations: Vec<String>) -> Result<(), StoreError> {
    if violations.is_empty() {
        return Ok(());
    }
    let error = StoreError::MoneyCheck { what: what.to_string(), violations };
    debug_assert!(!PANICS.with(Cell::get), "{error}");
    Err(error)
}
