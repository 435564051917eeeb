//! Roles (SPEC §7): what a user may do. Locally the user has every role; over SSH the users
//! file gives each user one.

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
