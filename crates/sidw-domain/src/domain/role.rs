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

/// The regions a user works in: all of them, or a list from the users file
/// (`anna editor Zwolle,Hardenberg ssh-ed25519 …`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    #[default]
    All,
    /// Never empty: a users-file line with an empty list is refused.
    Regions(std::collections::BTreeSet<super::Region>),
}

impl Scope {
    pub fn contains(&self, region: super::Region) -> bool {
        match self {
            Self::All => true,
            Self::Regions(regions) => regions.contains(&region),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }

    /// `Zwolle,Hardenberg` (any case, spaces allowed around the commas); an empty list or an
    /// unknown region is refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut regions = std::collections::BTreeSet::new();
        for part in text.split(',') {
            let region = super::Region::parse(part).map_err(|e| e.message)?;
            regions.insert(region);
        }
        // Every region named is every region: the same rights as no list (programme-wide items too).
        if super::Region::ALL.iter().all(|r| regions.contains(r)) {
            return Ok(Self::All);
        }
        Ok(Self::Regions(regions))
    }

    /// "alle regio's" or "Zwolle, Hardenberg", for the screen and messages.
    pub fn describe(&self) -> String {
        match self {
            Self::All => "alle regio's".into(),
            Self::Regions(regions) => regions.iter().map(|r| r.name()).collect::<Vec<_>>().join(", "),
        }
    }
}

/// What one user may do and where: the role and the regions. Locally (the command line, the
/// local screen) the user has every role in every region ([`Access::full`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Access {
    pub role: Role,
    pub scope: Scope,
}

impl Access {
    pub fn full() -> Self {
        Self { role: Role::Admin, scope: Scope::All }
    }

    pub fn new(role: Role, scope: Scope) -> Self {
        Self { role, scope }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Region;

    #[test]
    fn a_scope_is_parsed_from_a_comma_list_and_refuses_an_unknown_or_empty_region() {
        let scope = Scope::parse("zwolle, Hardenberg").unwrap();
        assert!(scope.contains(Region::Zwolle) && scope.contains(Region::Hardenberg));
        assert!(!scope.contains(Region::Flevoland));
        assert_eq!(scope.describe(), "Zwolle, Hardenberg");
        assert!(Scope::parse("Zwolle,Utrecht").unwrap_err().contains("'Utrecht' is geen regio"));
        assert!(Scope::parse("Zwolle,").is_err());
        assert!(Scope::All.contains(Region::Flevoland));
        assert_eq!(Scope::parse("Hardenberg,Zwolle,Flevoland").unwrap(), Scope::All, "all three is all");
        assert!(!Scope::parse("Hardenberg,Zwolle").unwrap().is_all());
    }
}
