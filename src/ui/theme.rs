//! Colours, or none: 16 colours are enough, and `NO_COLOR` gives a monochrome screen that still
//! shows selection, warnings and errors (by reverse video, bold and underline).

use ratatui::style::{Color, Modifier, Style};

use crate::domain::budget::BudgetLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless the `NO_COLOR` environment variable is set to anything non-empty.
    pub fn from_env() -> Self {
        Self { color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    pub const fn colored() -> Self {
        Self { color: true }
    }

    pub const fn monochrome() -> Self {
        Self { color: false }
    }

    fn fg(&self, color: Color, fallback: Modifier) -> Style {
        if self.color { Style::new().fg(color) } else { Style::new().add_modifier(fallback) }
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// The selected row when the keyboard is elsewhere.
    pub fn selected_unfocused(&self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn editing(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Yellow).fg(Color::Black).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Cyan, Modifier::BOLD).add_modifier(Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow, Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green, Modifier::empty())
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow, Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red, Modifier::BOLD | Modifier::UNDERLINED).add_modifier(Modifier::BOLD)
    }

    pub fn budget(&self, level: BudgetLevel) -> Style {
        match level {
            BudgetLevel::Normal => self.ok().add_modifier(Modifier::BOLD),
            BudgetLevel::Amber => self.warning(),
            BudgetLevel::Red => self.error(),
        }
    }
}
