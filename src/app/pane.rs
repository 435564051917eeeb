//! The six panes, switched with 1..6 and Tab.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Networks,
    Agreements,
    Budget,
    Signals,
    Tariffs,
    Log,
}

impl Pane {
    pub const ALL: [Pane; 6] =
        [Self::Networks, Self::Agreements, Self::Budget, Self::Signals, Self::Tariffs, Self::Log];

    pub fn title(self) -> &'static str {
        match self {
            Self::Networks => "Netwerken",
            Self::Agreements => "Overeenkomsten",
            Self::Budget => "Kwartaalbudget",
            Self::Signals => "Signalen",
            Self::Tariffs => "Tarieven",
            Self::Log => "Logboek",
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
