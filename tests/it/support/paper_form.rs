//! The paper form both key-count tests type (in-process and through tmux with the real binary).

/// Zwolle-Zuid 2025-Q4 from a paper form, row by row: (value, answer to the question it raises).
/// The pharmacy is asked about double funding once a quarter (j); the budget (€ 1.116,85 left)
/// runs out at the psychologist, whose hours then go as paid by the practice team (b).
pub const FORM: [(&str, &str); 12] = [
    ("1,5", "j"),
    ("0", ""),
    ("1", ""),
    ("2", ""),
    ("2", ""),
    ("1,5", ""),
    ("3", ""),
    ("0", ""),
    ("2", ""),
    ("1", "b"),
    ("0", ""),
    ("2", "b"),
];
