//! A form: labelled one-line text fields (ratatui-textarea), one with the keyboard, each able to
//! show its own Dutch error message. Every field is a variant of its form's field `enum`
//! ([`FieldKey`]); the form's code reads and refuses fields through [`Fields`], by that enum,
//! never by label text.

use std::marker::PhantomData;

use ratatui_textarea::TextArea;

use super::key::{Key, KeyCode};

/// A field of one kind of form: a variant of that form's own `enum`, which knows its label (the
/// one place the label is written).
pub trait FieldKey: Copy + Eq + std::fmt::Debug + 'static {
    /// The variant's number, stored in the form with the field.
    fn slot(self) -> usize;
    /// The variant of a stored number (`None`: not a field of this form).
    fn from_slot(slot: usize) -> Option<Self>;
    /// The Dutch label shown beside the field.
    fn label(self) -> &'static str;
}

/// Declares a form's field enum with the label of every variant.
macro_rules! form_fields {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every field this form can have, in the order of the enum.
            #[allow(dead_code)]
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
        }

        impl $crate::app::form::FieldKey for $name {
            fn slot(self) -> usize {
                self as usize
            }
            fn from_slot(slot: usize) -> Option<Self> {
                Self::ALL.get(slot).copied()
            }
            fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }
    };
}
pub(crate) use form_fields;

pub struct FormField {
    pub label: String,
    pub hint: &'static str,
    pub input: TextArea<'static>,
    pub error: Option<String>,
    /// The field's variant of its form's enum ([`FieldKey::slot`]).
    slot: usize,
    /// The label is the field's own (a practice's name), not its variant's.
    named: bool,
    /// The rows it shows: 1 for a one-line field; more for a text of paragraphs, where Enter
    /// starts a new line and ↑↓ move between its lines.
    pub rows: u16,
}

impl FormField {
    pub fn value(&self) -> String {
        self.input.lines().join(if self.multiline() { "\n" } else { " " })
    }

    /// A text of more lines (Enter is a new line, Ctrl-S saves).
    pub fn multiline(&self) -> bool {
        self.rows > 1
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

    /// Adds the field `key` (with its label) with a starting value and a hint shown beside it.
    pub fn field<K: FieldKey>(self, key: K, value: &str, hint: &'static str) -> Self {
        self.push(key.slot(), key.label().to_string(), false, value, hint)
    }

    /// Adds the field `key` under a label of its own (one field per practice of a team).
    pub fn named_field<K: FieldKey>(self, key: K, label: String, value: &str, hint: &'static str) -> Self {
        self.push(key.slot(), label, true, value, hint)
    }

    /// Adds the field `key` as a text of more lines, `rows` high: its paragraphs kept.
    pub fn text_field<K: FieldKey>(mut self, key: K, value: &str, hint: &'static str, rows: u16) -> Self {
        let lines: Vec<String> = value.split('\n').map(str::to_string).collect();
        let mut input = TextArea::new(lines);
        input.move_cursor(ratatui_textarea::CursorMove::Bottom);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        let (label, slot) = (key.label().to_string(), key.slot());
        self.fields.push(FormField { label, hint, input, error: None, slot, named: false, rows: rows.max(2) });
        self
    }

    fn push(mut self, slot: usize, label: String, named: bool, value: &str, hint: &'static str) -> Self {
        let mut input = TextArea::new(vec![value.to_string()]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        self.fields.push(FormField { label, hint, input, error: None, slot, named, rows: 1 });
        self
    }

    pub fn value(&self, index: usize) -> String {
        self.fields[index].value()
    }

    /// The form's fields as the variants of `K`, the form's field enum.
    pub(crate) fn typed<K: FieldKey>(&mut self) -> Fields<'_, K> {
        Fields { form: self, key: PhantomData }
    }

    /// Every field is a variant of `K` (its label that variant's unless it has its own) and no
    /// variant is there twice: the form can be read by `K` alone.
    pub(crate) fn check_addressable<K: FieldKey>(&self) -> Result<Vec<String>, String> {
        let mut keys = Vec::with_capacity(self.fields.len());
        for (i, field) in self.fields.iter().enumerate() {
            let key = K::from_slot(field.slot)
                .ok_or_else(|| format!("{}: veld {} ({}) is geen {}", self.title, i, field.label, type_name::<K>()))?;
            if key.slot() != field.slot {
                return Err(format!("{}: {key:?} staat op plaats {} en niet {}", self.title, key.slot(), field.slot));
            }
            if !field.named && field.label != key.label() {
                return Err(format!("{}: {key:?} heet {} en niet {}", self.title, key.label(), field.label));
            }
            if self.fields.iter().filter(|f| f.slot == field.slot).count() != 1 {
                return Err(format!("{}: {key:?} staat er meer dan eens", self.title));
            }
            keys.push(format!("{}::{key:?}", type_name::<K>()));
        }
        Ok(keys)
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in &mut self.fields {
            field.error = None;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Enter saves, Esc cancels, Tab/↓ and Shift-Tab/↑ move between fields; other keys edit. In
    /// a text of more lines Enter starts a new line and ↑↓ move between its lines (past the first
    /// or last to the field before or after); Ctrl-S saves from any field.
    pub fn input(&mut self, key: Key) -> FormEvent {
        let in_text =
            self.fields.get(self.focus).filter(|f| f.multiline()).map(|f| (f.input.cursor().0, f.input.lines().len()));
        match (key.code, in_text) {
            (KeyCode::Char('s'), _) if key.ctrl => return FormEvent::Submit,
            (KeyCode::Enter, Some(_)) => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    field.input.insert_newline();
                    field.error = None;
                    self.dirty = true;
                }
                return FormEvent::None;
            }
            (KeyCode::Down, Some((row, lines))) if row + 1 < lines => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    field.input.move_cursor(ratatui_textarea::CursorMove::Down);
                }
                return FormEvent::None;
            }
            (KeyCode::Up, Some((row, _))) if row > 0 => {
                if let Some(field) = self.fields.get_mut(self.focus) {
                    field.input.move_cursor(ratatui_textarea::CursorMove::Up);
                }
                return FormEvent::None;
            }
            _ => {}
        }
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

fn type_name<K>() -> &'static str {
    std::any::type_name::<K>().rsplit("::").next().unwrap_or("veld")
}

/// A form read and refused by its field enum `K`.
pub struct Fields<'a, K> {
    form: &'a mut Form,
    key: PhantomData<K>,
}

impl<K: FieldKey> Fields<'_, K> {
    fn position(&self, key: K) -> Option<usize> {
        self.form.fields.iter().position(|f| f.slot == key.slot())
    }

    /// This form has the field (some fields are there only for a new record, or a discipline).
    pub fn has(&self, key: K) -> bool {
        self.position(key).is_some()
    }

    /// The label the field is shown with (a practice's own name for a named field).
    pub fn label(&self, key: K) -> Option<&str> {
        self.position(key).map(|index| self.form.fields[index].label.as_str())
    }

    /// The field's text as typed (not trimmed); a field this form does not have is refused.
    pub fn text(&mut self, key: K) -> Option<String> {
        self.read_raw(key, |text| Ok(text.to_string()), false)
    }

    /// Reads the field (trimmed) through `parse`; a refusal becomes that field's error (the
    /// first one gets the keyboard).
    pub fn read<T>(&mut self, key: K, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        self.read_raw(key, parse, true)
    }

    fn read_raw<T>(&mut self, key: K, parse: impl FnOnce(&str) -> Result<T, String>, trim: bool) -> Option<T> {
        let Some(index) = self.position(key) else {
            self.refuse_form(format!("het formulier heeft geen veld {}", key.label()));
            return None;
        };
        let value = self.form.fields[index].value();
        match parse(if trim { value.trim() } else { &value }) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                if !self.form.has_errors() {
                    self.form.focus = index;
                }
                self.form.fields[index].error = Some(message);
                None
            }
        }
    }

    /// Puts an error at the field and gives it the keyboard (on the form when it lacks the field).
    pub fn refuse(&mut self, key: K, message: impl Into<String>) {
        match self.position(key) {
            Some(index) => {
                self.form.fields[index].error = Some(message.into());
                self.form.focus = index;
            }
            None => self.form.error = Some(message.into()),
        }
    }

    /// Puts an error on the form as a whole.
    pub fn refuse_form(&mut self, message: impl Into<String>) {
        self.form.error = Some(message.into());
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldKey, Form};

    form_fields! {
        enum Two {
            A => "Eerste",
            B => "Tweede",
        }
    }

    form_fields! {
        enum One {
            A => "Eerste",
        }
    }

    #[test]
    fn a_form_of_its_enum_is_addressable() {
        let form = Form::new("t").field(Two::A, "1", "").field(Two::B, "2", "");
        assert_eq!(form.check_addressable::<Two>(), Ok(vec!["Two::A".to_string(), "Two::B".to_string()]));
        assert_eq!(form.fields[1].label, "Tweede", "the label is the variant's");
        assert_eq!(Two::from_slot(Two::B.slot()), Some(Two::B));
        assert_eq!(Two::from_slot(2), None);
    }

    #[test]
    fn a_field_twice_or_of_another_enum_is_not_addressable() {
        let twice = Form::new("t").field(Two::A, "1", "").field(Two::A, "2", "");
        assert!(twice.check_addressable::<Two>().unwrap_err().contains("meer dan eens"));
        let other = Form::new("t").field(Two::A, "1", "").field(Two::B, "2", "");
        assert!(other.check_addressable::<One>().unwrap_err().contains("geen One"));
        let relabelled = Form::new("t").field(One::A, "1", "");
        assert_eq!(relabelled.check_addressable::<Two>(), Ok(vec!["Two::A".to_string()]), "same slot, same label");
    }

    #[test]
    fn a_read_refusal_lands_at_its_field_and_the_first_gets_the_keyboard() {
        let mut form = Form::new("t").field(Two::A, " x ", "").field(Two::B, "y", "");
        let mut fields = form.typed::<Two>();
        let number = |t: &str| t.parse::<u8>().map_err(|_| format!("'{t}' is geen getal"));
        assert_eq!(fields.read(Two::B, number), None);
        assert_eq!(fields.read(Two::A, number), None);
        assert_eq!(fields.text(Two::A).as_deref(), Some(" x "), "text is as typed");
        assert_eq!(form.fields[0].error.as_deref(), Some("'x' is geen getal"), "read trims");
        assert_eq!(form.fields[1].error.as_deref(), Some("'y' is geen getal"));
        assert_eq!(form.focus, 1, "the first refused field keeps the keyboard");
        assert_eq!(form.error, None);
        form.typed::<Two>().refuse(Two::A, "nee");
        assert_eq!((form.focus, form.fields[0].error.as_deref()), (0, Some("nee")));
    }

    #[test]
    fn a_field_the_form_lacks_is_refused_on_the_form() {
        let mut form = Form::new("t").field(Two::A, "1", "");
        let mut fields = form.typed::<Two>();
        assert!(!fields.has(Two::B));
        assert_eq!(fields.read(Two::B, |t| Ok(t.to_string())), None);
        assert_eq!(form.error.as_deref(), Some("het formulier heeft geen veld Tweede"));
    }
}
