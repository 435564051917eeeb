//! Roles (SPEC §7): what a user may do. Locally the user has every role; over SSH the users
//! file gives each user one.

use super::{Action, Pane};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Keeps networks, agreements, hours and invoices.
    Editor,
    /// An editor who also closes and reopens quarters and writes payment files.
    Finance,
    /// Everything, and the tariffs and users.
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Finance => "finance",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Viewer, Self::Editor, Self::Finance, Self::Admin].into_iter().find(|r| r.name() == text)
    }

    pub fn can_edit(self) -> bool {
        self >= Self::Editor
    }

    pub fn can_close(self) -> bool {
        self >= Self::Finance
    }

    pub fn can_administer(self) -> bool {
        self == Self::Admin
    }
}

/// What an action in a pane needs, if anything beyond reading.
pub fn needed_for(action: Action, pane: Pane) -> Option<Role> {
    use Action::*;
    match (action, pane) {
        (New | Edit | Open, Pane::Tariffs) | (EditS1Rate, _) => Some(Role::Admin),
        (Open, Pane::Municipalities) => Some(Role::Editor),
        (
            New | Edit | NewPractice | NewIonCount | EditShares | NewPartner | NewParticipant | EditCoreTeam | MarkSent
            | MarkSigned | EndAgreement | StartCellEdit(_) | CopyPreviousMonth | Undo | Delete | NewInvoice
            | ApproveInvoice | RejectInvoice | LoadDemo,
            _,
        ) => Some(Role::Editor),
        (ReopenQuarter | ExportPayments, _) => Some(Role::Finance),
        _ => None,
    }
}
