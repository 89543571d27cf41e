//! CSV files staff open in a spreadsheet: the one home of how they are
//! written.
//!
//! - **Opens in columns in Excel set to Indonesian.** That locale's list
//!   separator is `;` (a comma is the decimal mark), so cells are separated
//!   by `;`, and the file starts with a UTF-8 byte order mark so Excel reads
//!   names with non-ASCII letters correctly. LibreOffice and Python's `csv`
//!   (with `delimiter=";"`) read it as well.
//! - **Never runs a citizen's text as a formula.** A spreadsheet may split a
//!   line on `,`, `;` or TAB whatever this file meant, and a piece that then
//!   starts with `=`, `+`, `-` or `@` is a formula. So every cell is cut on
//!   all of those separators (and line ends), and each piece that would
//!   start with a formula character gets a `'` in front, which spreadsheets
//!   show as text.

/// What separates cells.
pub const SEPARATOR: char = ';';
/// Written first, so Excel takes the file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Characters a spreadsheet may split a line or a cell on.
const SPLITTERS: [char; 5] = [',', ';', '\t', '\n', '\r'];
/// Characters that start a formula.
const FORMULA: [char; 4] = ['=', '+', '-', '@'];

/// `value` with a `'` before every piece that a spreadsheet could read as a
/// formula, however it splits the line.
fn defuse(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut at_piece_start = true;
    let mut pending = String::new();
    for c in value.chars() {
        if at_piece_start {
            // Spaces and quotes may stand before the formula character.
            if c == ' ' || c == '"' {
                pending.push(c);
                continue;
            }
            if FORMULA.contains(&c) {
                out.push('\'');
            }
            out.push_str(&pending);
            pending.clear();
            at_piece_start = false;
        }
        out.push(c);
        if SPLITTERS.contains(&c) {
            at_piece_start = true;
        }
    }
    out.push_str(&pending);
    out
}

/// One CSV cell: defused, and quoted when it holds a separator, quote or
/// line end.
pub fn cell(value: &str) -> String {
    let value = defuse(value);
    if value.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of cells, with its line end.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(&SEPARATOR.to_string());
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses() {
        assert_eq!(cell("Siti"), "Siti");
        assert_eq!(cell("Siti, Bu"), "\"Siti, Bu\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell(""), "");
        assert_eq!(cell("2026-11-27"), "2026-11-27");
    }

    #[test]
    fn defuses_after_every_separator_a_spreadsheet_may_use() {
        assert_eq!(defuse("Budi;=1+1;"), "Budi;'=1+1;");
        assert_eq!(defuse("x\t=1+1"), "x\t'=1+1");
        assert_eq!(defuse("a, +62 812"), "a,' +62 812");
        assert_eq!(defuse("a;\"=1+1\""), "a;'\"=1+1\"");
        assert_eq!(defuse("baris\n@SUM(A1)"), "baris\n'@SUM(A1)");
        assert_eq!(defuse("  -"), "'  -");
        assert_eq!(defuse("Jl. Merdeka 1"), "Jl. Merdeka 1");
    }
}
