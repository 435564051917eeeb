//! The selection in a list: which row, which filter, moved by keys.

/// The selected row of a list of `len` visible rows (after the filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub index: usize,
    pub filter: String,
}

impl Selection {
    pub fn clamp(&mut self, len: usize) {
        self.index = self.index.min(len.saturating_sub(1));
    }

    pub fn up(&mut self, len: usize) {
        self.index = self.index.saturating_sub(1);
        self.clamp(len);
    }

    pub fn down(&mut self, len: usize) {
        self.index = (self.index + 1).min(len.saturating_sub(1));
    }

    pub fn page_up(&mut self, page: usize, len: usize) {
        self.index = self.index.saturating_sub(page.max(1));
        self.clamp(len);
    }

    pub fn page_down(&mut self, page: usize, len: usize) {
        self.index = (self.index + page.max(1)).min(len.saturating_sub(1));
    }

    pub fn home(&mut self) {
        self.index = 0;
    }

    pub fn end(&mut self, len: usize) {
        self.index = len.saturating_sub(1);
    }

    /// Applies a move (↑↓, PgUp/PgDn, Home/End) in a list of `len` rows; false when the action
    /// is not a move.
    pub fn apply(&mut self, action: super::Action, page: usize, len: usize) -> bool {
        use super::Action;
        match action {
            Action::Up => self.up(len),
            Action::Down => self.down(len),
            Action::PageUp => self.page_up(page, len),
            Action::PageDown => self.page_down(page, len),
            Action::Home => self.home(),
            Action::End => self.end(len),
            _ => return false,
        }
        true
    }
}

/// [`Selection::apply`] on a screen's bare index (the modal screens keep only the row).
pub fn move_index(index: &mut usize, action: super::Action, page: usize, len: usize) -> bool {
    let mut selection = Selection { index: *index, filter: String::new() };
    selection.clamp(len);
    let moved = selection.apply(action, page, len);
    *index = selection.index;
    moved
}

/// Does `text` match a filter? Every word of the filter must occur, ignoring case.
pub fn matches(filter: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    filter.to_lowercase().split_whitespace().all(|word| text.contains(word))
}

/// The indices of the rows whose text matches the filter, in order.
pub fn visible<'a>(filter: &str, texts: impl Iterator<Item = String> + 'a) -> Vec<usize> {
    // No filter: every row, without making the texts (Signalen on ten years has 20 000 rows,
    // and this is asked several times a frame).
    if filter.trim().is_empty()
        && let (rows, Some(exact)) = texts.size_hint()
        && rows == exact
    {
        return (0..rows).collect();
    }
    texts.enumerate().filter(|(_, text)| matches(filter, text)).map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_within_bounds() {
        let mut s = Selection::default();
        s.up(3);
        assert_eq!(s.index, 0);
        s.down(3);
        s.down(3);
        s.down(3);
        assert_eq!(s.index, 2);
        s.page_up(10, 3);
        assert_eq!(s.index, 0);
        s.page_down(10, 3);
        assert_eq!(s.index, 2);
        s.down(0);
        assert_eq!(s.index, 0);
    }

    #[test]
    fn filter_words() {
        assert!(matches("zwolle zuid", "Zwolle-Zuid Zwolle"));
        assert!(!matches("almere", "Zwolle-Zuid"));
        assert!(matches("", "anything"));
    }
}
