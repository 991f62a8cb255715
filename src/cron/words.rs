//! One-line descriptions of expressions in English and Japanese.
use super::Expression;

/// Language of a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

/// Describes an expression in one line.
pub fn describe(expr: &Expression, lang: Lang) -> String {
    let _ = lang;
    expr.to_string()
}
