//! Per-user preferences: the network and quarter a user last looked at in Kwartaalbudget.
//!
//! A preference is not a change of the programme's data: it is written straight into its own
//! tree, outside the change transactions, with no audit entry, without bumping the change
//! counter (colleagues' screens do not reload for it) and without waiting for the disk (it
//! goes to disk with the next change; losing the last one in a crash costs only where the
//! screen opens). A store that cannot be written simply does not remember.

use super::keys::TreeName;
use super::records::UserPreference;
use super::{Store, StoreError, codec::encode};

impl Store {
    /// What `user` last looked at (nothing for a user never seen, or an unreadable record).
    pub fn user_preference(&self, user: &str) -> Option<UserPreference> {
        self.get(TreeName::Preferences, user.as_bytes()).ok().flatten()
    }

    /// Remembers what `user` looks at now.
    /// Skipped while a save or a backup holds the write lock (a backup counts every tree's
    /// records and refuses a tree that changed while it was read): the next look remembers.
    pub fn remember_preference(&self, user: &str, preference: &UserPreference) -> Result<(), StoreError> {
        let _writing = match self.writing.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(()),
        };
        self.bulk(super::Durable::Later, |w| w.insert(TreeName::Preferences, user.as_bytes(), &encode(preference)))
    }
}
