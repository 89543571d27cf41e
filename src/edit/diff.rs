//! What changed between two texts of a page, line by line, as the desk's
//! history tells it: the lines added and the lines removed, in the order
//! they come in the file, each with its line number (of the new text for
//! an added line, of the old one for a removed line).

use std::time::Duration;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// The longest a comparison may take: past it, the lines told are still
/// right, only not the fewest (two very long, very different texts).
const DEADLINE: Duration = Duration::from_millis(200);

/// Whether a line came or went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Added,
    Removed,
}

/// One changed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub kind: Kind,
    /// 1-based: in the new text if added, in the old one if removed.
    pub number: usize,
    /// The line, without its line end.
    pub text: String,
}

/// The lines that differ from `old` to `new` (`None`: no file, no line).
pub fn lines(old: Option<&str>, new: Option<&str>) -> Vec<Line> {
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    let diff = TextDiff::configure().timeout(DEADLINE).diff_lines(old, new);
    let mut out = Vec::new();
    for change in diff.iter_all_changes() {
        let (kind, index) = match change.tag() {
            ChangeTag::Equal => continue,
            ChangeTag::Insert => (Kind::Added, change.new_index()),
            ChangeTag::Delete => (Kind::Removed, change.old_index()),
        };
        out.push(Line {
            kind,
            number: index.map_or(0, |i| i + 1),
            text: change.value().trim_end_matches(['\n', '\r']).to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| format!("{:?} {} {}", l.kind, l.number, l.text))
            .collect()
    }

    #[test]
    fn added_and_removed_lines_with_their_numbers() {
        let old = "judul\nsatu\ndua\ntiga\n";
        let new = "judul\nsatu\nDUA\ntiga\nempat\n";
        assert_eq!(
            said(&lines(Some(old), Some(new))),
            ["Removed 3 dua", "Added 3 DUA", "Added 5 empat"]
        );
        assert!(lines(Some(old), Some(old)).is_empty());
    }

    #[test]
    fn a_file_that_comes_or_goes_is_all_added_or_removed() {
        assert_eq!(said(&lines(None, Some("a\nb"))), ["Added 1 a", "Added 2 b"]);
        assert_eq!(said(&lines(Some("a\n"), None)), ["Removed 1 a"]);
    }
}
