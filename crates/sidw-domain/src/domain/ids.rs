//! Typed record ids: a `PartnerId` can never be passed where a `NetworkId` is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl $name {
            /// The id as 8 big-endian bytes: keys sort in id order.
            pub fn to_key(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }

            /// The id from 8 big-endian key bytes.
            pub fn from_key(bytes: &[u8]) -> Option<Self> {
                let array: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
                Some(Self(u64::from_be_bytes(array)))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

record_id!(
    /// A district network (wijknetwerk).
    NetworkId
);
record_id!(
    /// A GP practice (huisartsenpraktijk) within a practice team.
    PracticeId
);
record_id!(
    /// A care provider with billing rights (zorgverlener met declaratierecht).
    PartnerId
);
record_id!(
    /// A member without billing rights (deelnemer zonder declaratierecht).
    ParticipantId
);
record_id!(
    /// An agreement (overeenkomst).
    AgreementId
);
record_id!(
    /// One hours line (regel van het ureninzetformulier).
    HoursEntryId
);
record_id!(
    /// A partner's quarterly invoice (factuur).
    InvoiceId
);
