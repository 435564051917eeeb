//! A form: labelled one-line text fields (ratatui-textarea), one with the keyboard, each able to
//! show its own Dutch error message.

use ratatui_textarea::TextArea;

use super::key::{Key, KeyCode};

pub struct FormField {
    pub label: String,
    pub hint: &'static str,
    pub input: TextArea<'static>,
    pub error: Option<String>,
}

impl FormField {
    pub fn value(&self) -> String {
        self.input.lines().join(" ")
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    None,
    Submit,
    Cancel,
}

pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// A message about the form as a whole (not one field).
    pub error: Option<String>,
    /// Something was typed since the form opened.
    pub dirty: bool,
}

impl Form {
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), fields: Vec::new(), focus: 0, error: None, dirty: false }
    }

    /// Adds a field with a starting value and a hint shown beside it.
    pub fn field(mut self, label: impl Into<String>, value: &str, hint: &'static str) -> Self {
        let mut input = TextArea::new(vec![value.to_string()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        self.fields.push(FormField { label: label.into(), hint, input, error: None });
        self
    }

    pub fn value(&self, index: usize) -> String {
        self.fields[index].value()
    }

    /// The value of the field with this label.
    pub fn get(&self, label: &str) -> String {
        self.fields.iter().find(|f| f.label == label).map(FormField::value).unwrap_or_default()
    }

    /// Reads the field with this label through `parse`; a refusal becomes that field's error.
    pub fn parse<T>(&mut self, label: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let value = self.get(label);
        match parse(value.trim()) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                if !self.has_errors() {
                    self.set_error(label, message);
                } else if let Some(field) = self.fields.iter_mut().find(|f| f.label == label) {
                    field.error = Some(message);
                }
                None
            }
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Puts an error at the field with this label (or on the form when no field has it), and
    /// gives that field the keyboard.
    pub fn set_error(&mut self, label: &str, message: impl Into<String>) {
        match self.fields.iter().position(|f| f.label == label) {
            Some(index) => {
                self.fields[index].error = Some(message.into());
                self.focus = index;
            }
            None => self.error = Some(message.into()),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Enter saves, Esc cancels, Tab/↓ and Shift-Tab/↑ move between fields; other keys edit.
    pub fn input(&mut self, key: Key) -> FormEvent {
        match key.code {
            KeyCode::Enter => return FormEvent::Submit,
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % self.fields.len().max(1),
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1)
            }
            _ => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    self.dirty |= field.input.input(key);
                    field.error = None;
                }
            }
        }
        FormEvent::None
    }
}
