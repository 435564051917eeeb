//! The seven panes, switched with 1..7 and Tab.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Networks,
    Agreements,
    Budget,
    Signals,
    Tariffs,
    Log,
    Municipalities,
}

impl Pane {
    pub const ALL: [Pane; 7] =
        [Self::Networks, Self::Agreements, Self::Budget, Self::Signals, Self::Tariffs, Self::Log, Self::Municipalities];

    pub fn title(self) -> &'static str {
        match self {
            Self::Networks => "Netwerken",
            Self::Agreements => "Overeenkomsten",
            Self::Budget => "Kwartaalbudget",
            Self::Signals => "Signalen",
            Self::Tariffs => "Tarieven",
            Self::Log => "Logboek",
            Self::Municipalities => "Gemeenten",
        }
    }

    /// The title in the tab bar of a narrow screen (80 columns hold all seven).
    pub fn short_title(self) -> &'static str {
        match self {
            Self::Agreements => "Overeenk.",
            Self::Budget => "Budget",
            other => other.title(),
        }
    }

    pub fn number(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).expect("in ALL") + 1
    }

    pub fn next(self) -> Self {
        Self::ALL[self.number() % Self::ALL.len()]
    }

    pub fn previous(self) -> Self {
        Self::ALL[(self.number() + Self::ALL.len() - 2) % Self::ALL.len()]
    }
}
