//! The key table lives in [`crate::keys`]; the runners and the views reach it through here.

pub use crate::keys::{Binding, Context, ModeKind, Scope, action_for, bindings, bindings_for, dispatch, hints_of};
