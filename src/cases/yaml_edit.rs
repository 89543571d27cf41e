//! Editing a record's YAML *text* in place: one top-level key's line, or one
//! entry appended to `history`. Everything else, comments and hand edits
//! included, stays exactly as staff left it (re-serializing would drop them).

use crate::core::yaml;

/// A YAML scalar for `value`, quoted as needed; multi-line text becomes a
/// block scalar indented by `indent` spaces.
fn scalar(value: &str, indent: usize) -> String {
    let doc = yaml::to_string(value).unwrap_or_else(|_| format!("{value:?}"));
    let doc = doc.trim_end_matches('\n');
    if !doc.contains('\n') {
        return doc.to_string();
    }
    let pad = " ".repeat(indent);
    let mut lines = doc.lines();
    let head = lines.next().unwrap_or("");
    let rest: Vec<String> = lines.map(|l| format!("{pad}{l}")).collect();
    format!("{head}\n{}", rest.join("\n"))
}

/// `key:` at column 0, followed by a space, a tab or the end of the line
/// (`status:x` is a plain scalar in YAML, not the key `status`).
fn is_top_level_key(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// A line that continues the value of the key above it: indented, or a
/// list item written at column 0.
fn continues(line: &str) -> bool {
    line.starts_with(' ') || line.starts_with('\t') || line.starts_with("- ") || line == "-"
}

/// A line that neither starts nor continues a value: blank, or a comment.
fn is_filler(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// The line range of a top-level key and its value. Comments and blank
/// lines belong to the value when more of it follows them (a comment at
/// column 0 between two history entries), and to what comes next otherwise.
fn key_block(lines: &[&str], key: &str) -> Option<(usize, usize)> {
    let start = lines.iter().position(|l| is_top_level_key(l, key))?;
    let mut end = start + 1;
    let mut scan = end;
    while scan < lines.len() {
        let l = lines[scan];
        if continues(l) {
            scan += 1;
            end = scan;
        } else if is_filler(l) {
            scan += 1;
        } else {
            break;
        }
    }
    Some((start, end))
}

/// Sets a top-level `key: value`, replacing its old value or adding the line
/// at the end; every other line stays as it was.
pub fn set_key(text: &str, key: &str, value: &str) -> String {
    replace_block(text, key, Some(format!("{key}: {}", scalar(value, 2))))
}

/// Sets a top-level key to any value (a map, a list), written as the YAML
/// writer writes it; every other line stays as it was.
pub fn set_value<T: serde::Serialize>(text: &str, key: &str, value: &T) -> Result<String, String> {
    let doc = yaml::to_string(&std::collections::BTreeMap::from([(key, value)]))
        .map_err(|e| e.message)?;
    Ok(replace_block(
        text,
        key,
        Some(doc.trim_end_matches('\n').to_string()),
    ))
}

/// Removes a top-level key and its value, if present.
pub fn remove_key(text: &str, key: &str) -> String {
    replace_block(text, key, None)
}

/// The text with every line break as LF: YAML also breaks lines at CR LF
/// and at a lone CR, which `str::lines` would not split on.
fn with_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}

fn replace_block(text: &str, key: &str, new_line: Option<String>) -> String {
    let text = with_lf(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 1);
    match key_block(&lines, key) {
        Some((start, end)) => {
            out.extend(lines[..start].iter().map(|l| l.to_string()));
            out.extend(new_line);
            out.extend(lines[end..].iter().map(|l| l.to_string()));
        }
        None => {
            out.extend(lines.iter().map(|l| l.to_string()));
            out.extend(new_line);
        }
    }
    out.join("\n") + "\n"
}

/// Appends an item (any serializable map) to the top-level `history:` list.
pub fn append_history<T: serde::Serialize>(text: &str, entry: &T) -> Result<String, String> {
    let body = yaml::to_string(entry).map_err(|e| e.message)?;
    let item: Vec<String> = body
        .trim_end_matches('\n')
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("- {l}")
            } else {
                format!("  {l}")
            }
        })
        .collect();
    let text = with_lf(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + item.len() + 1);
    match key_block(&lines, "history") {
        Some((start, end)) => {
            let head = lines[start]["history:".len()..].trim();
            let head = head.split(" #").next().unwrap_or("").trim();
            if !(head.is_empty() || head == "[]") {
                return Err("history ditulis dalam gaya flow ([...]); tulis sebagai daftar dengan satu entri `- ` per baris".into());
            }
            out.extend(lines[..start].iter().map(|l| l.to_string()));
            out.push("history:".to_string());
            out.extend(lines[start + 1..end].iter().map(|l| l.to_string()));
            out.extend(item);
            out.extend(lines[end..].iter().map(|l| l.to_string()));
        }
        None => {
            out.extend(lines.iter().map(|l| l.to_string()));
            out.push("history:".to_string());
            out.extend(item);
        }
    }
    Ok(out.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_only_a_key_when_a_space_or_the_line_end_follows() {
        let text = "status:x: 1\nstatus: baru\n";
        assert_eq!(
            set_key(text, "status", "diperiksa"),
            "status:x: 1\nstatus: diperiksa\n"
        );
    }

    #[test]
    fn carriage_returns_break_lines_as_in_yaml() {
        let text = "status: baru\r\nresult: x\rhistory: []\r";
        assert_eq!(
            set_key(text, "result", "y"),
            "status: baru\nresult: y\nhistory: []\n"
        );
        let appended = append_history(text, &std::collections::BTreeMap::from([("by", "Ani")]));
        assert_eq!(
            appended.unwrap(),
            "status: baru\nresult: x\nhistory:\n- by: Ani\n"
        );
    }

    #[test]
    fn appends_after_a_comment_inside_history() {
        let text = "ticket: X\nhistory:\n- at: a\n  status: diperiksa\n# called the citizen\n- at: b\n  status: selesai\n# trailing comment about result\nresult: ok\n";
        let new = append_history(
            text,
            &[("at", "c"), ("status", "x")]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .unwrap();
        let at_c = new.find("- at: c").unwrap();
        assert!(at_c > new.find("- at: b").unwrap(), "{new}");
        assert!(at_c < new.find("# trailing comment").unwrap(), "{new}");
        assert!(new.contains("# called the citizen\n- at: b"));
    }

    #[test]
    fn sets_and_removes_keys_keeping_the_rest() {
        let text = "a: 1\n# keep me\nb: 2\nc:\n  - x\n";
        assert_eq!(
            set_key(text, "b", "3"),
            "a: 1\n# keep me\nb: '3'\nc:\n  - x\n"
        );
        assert_eq!(remove_key(text, "c"), "a: 1\n# keep me\nb: 2\n");
        assert_eq!(set_key(text, "d", "x"), format!("{text}d: x\n"));
    }
}
