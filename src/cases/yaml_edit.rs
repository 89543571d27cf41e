//! Editing a record's YAML *text* in place: one top-level key's line, or one
//! entry appended to `history`. Everything else, comments and hand edits
//! included, stays exactly as staff left it (re-serializing would drop them).
//!
//! The edit works on lines, so it checks itself: the edited text is read
//! back, and the edit stands only if the key now holds what was meant and
//! every other top-level key still holds what it held. A line that only
//! looks like `status: …` (inside a quoted text that runs over several
//! lines, in a hand-edited record) is then passed over for the real key, and
//! where no line gives the right result the edit is refused with a message
//! for staff, never written wrong. (A text that does not parse at all is
//! edited by its lines and refused later by `cases::update`.)

use crate::core::yaml::{self, Value};

/// What staff read when an edit cannot be made in place.
fn cannot_edit(key: &str) -> String {
    format!(
        "`{key}` tidak dapat disunting di tempat tanpa mengubah isian lain (mungkin ada kunci atau teks yang ditulis dengan tanda kutip); perbaiki berkas catatan ini dengan tangan"
    )
}

/// The top-level map of a text, if it parses as one.
fn top_level(text: &str) -> Option<yaml::Mapping> {
    match yaml::from_str::<Value>(text).ok()? {
        Value::Mapping(m) => Some(m),
        _ => None,
    }
}

/// Whether `edited` reads as `before` with only `key` changed, to `want`
/// (`None`: gone). Without a `before` (the original did not parse) there is
/// nothing to compare with.
fn only_changed(
    before: Option<&yaml::Mapping>,
    edited: &str,
    key: &str,
    want: Option<&Value>,
) -> bool {
    let Some(before) = before else {
        return true;
    };
    let Some(after) = top_level(edited) else {
        return false;
    };
    let other = |k: &Value| k.as_str() != Some(key);
    after.get(key) == want
        && before
            .iter()
            .filter(|(k, _)| other(k))
            .all(|(k, v)| after.get(k) == Some(v))
        && after
            .keys()
            .filter(|k| other(k))
            .all(|k| before.contains_key(k))
}

/// A YAML scalar for `value`, quoted as needed; multi-line text becomes a
/// block scalar indented by `indent` spaces. Where that would not read back
/// as the same text (a first line starting with spaces, nothing but line
/// breaks), one double-quoted line instead.
fn scalar(value: &str, indent: usize) -> String {
    let doc = yaml::to_string(value).unwrap_or_else(|_| double_quoted(value));
    let doc = doc.trim_end_matches('\n');
    let written = if doc.contains('\n') {
        let pad = " ".repeat(indent);
        let mut lines = doc.lines();
        let head = lines.next().unwrap_or("");
        let rest: Vec<String> = lines.map(|l| format!("{pad}{l}")).collect();
        format!("{head}\n{}", rest.join("\n"))
    } else {
        doc.to_string()
    };
    let reads_back = top_level(&format!("k: {written}\n"))
        .is_some_and(|m| m.get("k").and_then(Value::as_str) == Some(value));
    if reads_back {
        written
    } else {
        double_quoted(value)
    }
}

/// `value` as a YAML double-quoted scalar on one line.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

/// Where the value of the key on line `start` ends. Comments and blank
/// lines belong to the value when more of it follows them (a comment at
/// column 0 between two history entries), and to what comes next otherwise.
fn block_end(lines: &[&str], start: usize) -> usize {
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
    end
}

/// The lines that look like `key:` at the top level, first to last.
fn candidates<'a>(lines: &'a [&str], key: &'a str) -> impl Iterator<Item = usize> + 'a {
    (0..lines.len()).filter(move |&i| is_top_level_key(lines[i], key))
}

/// Sets a top-level `key: value`, replacing its old value or adding the line
/// at the end; every other line stays as it was.
pub fn set_key(text: &str, key: &str, value: &str) -> Result<String, String> {
    let want = Value::String(value.to_string());
    let line = format!("{key}: {}", scalar(value, 2));
    replace_block(text, key, |_| Ok(Some(want)), |_| Ok(vec![line.clone()]))
}

/// Sets a top-level key to any value (a map, a list), written as the YAML
/// writer writes it; every other line stays as it was.
pub fn set_value<T: serde::Serialize>(text: &str, key: &str, value: &T) -> Result<String, String> {
    let doc = yaml::to_string(&std::collections::BTreeMap::from([(key, value)]))
        .map_err(|e| e.message)?;
    let want = top_level(&doc).and_then(|m| m.get(key).cloned());
    let lines = vec![doc.trim_end_matches('\n').to_string()];
    replace_block(text, key, |_| Ok(want), |_| Ok(lines.clone()))
}

/// Removes a top-level key and its value, if present.
pub fn remove_key(text: &str, key: &str) -> Result<String, String> {
    replace_block(text, key, |_| Ok(None), |_| Ok(Vec::new()))
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

/// `lines` with `start..end` replaced by `new` (nothing: removed).
fn splice(lines: &[&str], start: usize, end: usize, new: &[String]) -> String {
    let mut out: Vec<&str> = Vec::with_capacity(lines.len() + new.len());
    out.extend(&lines[..start]);
    out.extend(new.iter().map(String::as_str));
    out.extend(&lines[end..]);
    out.join("\n") + "\n"
}

/// Puts the lines `new` makes of the key's line and value (none: removed)
/// in their place, or at the end (from no lines) if there is none, on the
/// first candidate line whose edit reads back as `want` says of the text's
/// top-level map ([module docs](self)).
fn replace_block(
    text: &str,
    key: &str,
    want: impl FnOnce(Option<&yaml::Mapping>) -> Result<Option<Value>, String>,
    new: impl Fn(&[&str]) -> Result<Vec<String>, String>,
) -> Result<String, String> {
    let text = with_lf(text);
    let lines: Vec<&str> = text.lines().collect();
    let before = top_level(&text);
    let want = want(before.as_ref())?;
    for start in candidates(&lines, key) {
        let end = block_end(&lines, start);
        let edited = splice(&lines, start, end, &new(&lines[start..end])?);
        if only_changed(before.as_ref(), &edited, key, want.as_ref()) {
            return Ok(edited);
        }
        if before.is_none() {
            break;
        }
    }
    let at_end = splice(&lines, lines.len(), lines.len(), &new(&[])?);
    if only_changed(before.as_ref(), &at_end, key, want.as_ref()) {
        return Ok(at_end);
    }
    Err(cannot_edit(key))
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
    // What `history` must read as afterwards: the old entries and this one.
    let want = |before: Option<&yaml::Mapping>| match before.map(|m| m.get("history")) {
        Some(Some(Value::Sequence(old))) => {
            let mut items = old.clone();
            items.extend(yaml::from_str::<Value>(&body).ok());
            Ok(Some(Value::Sequence(items)))
        }
        Some(None | Some(Value::Null)) => Ok(Some(Value::Sequence(
            yaml::from_str::<Value>(&body).ok().into_iter().collect(),
        ))),
        // Not a list: no edit can be right.
        Some(Some(_)) => Err(cannot_edit("history")),
        None => Ok(None),
    };
    // The list's old lines (none at the end), then the item.
    let with_item = |old: &[&str]| {
        if let Some(line) = old.first() {
            let head = line["history:".len()..].trim();
            let head = head.split(" #").next().unwrap_or("").trim();
            if !(head.is_empty() || head == "[]") {
                return Err("history ditulis dalam gaya flow ([...]); tulis sebagai daftar dengan satu entri `- ` per baris".into());
            }
        }
        let old = old.iter().skip(1).map(|l| l.to_string());
        let lines = std::iter::once("history:".to_string()).chain(old);
        Ok(lines.chain(item.iter().cloned()).collect())
    };
    replace_block(text, "history", want, with_item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_only_a_key_when_a_space_or_the_line_end_follows() {
        let text = "status:x: 1\nstatus: baru\n";
        assert_eq!(
            set_key(text, "status", "diperiksa").unwrap(),
            "status:x: 1\nstatus: diperiksa\n"
        );
    }

    #[test]
    fn carriage_returns_break_lines_as_in_yaml() {
        let text = "status: baru\r\nresult: x\rhistory: []\r";
        assert_eq!(
            set_key(text, "result", "y").unwrap(),
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
            set_key(text, "b", "3").unwrap(),
            "a: 1\n# keep me\nb: '3'\nc:\n  - x\n"
        );
        assert_eq!(remove_key(text, "c").unwrap(), "a: 1\n# keep me\nb: 2\n");
        assert_eq!(set_key(text, "d", "x").unwrap(), format!("{text}d: x\n"));
    }

    /// Found by the fuzzer: a hand-edited record whose quoted text runs
    /// over several lines, one of which looks like a key.
    const QUOTED: &str =
        "result: \"Selesai:\nstatus: baru\nnama: x\"\nstatus: diperiksa\nhistory: []\n";

    #[test]
    fn a_key_inside_a_quoted_text_is_passed_over_for_the_real_one() {
        let set = set_key(QUOTED, "status", "selesai").unwrap();
        assert_eq!(
            set,
            "result: \"Selesai:\nstatus: baru\nnama: x\"\nstatus: selesai\nhistory: []\n"
        );
        let removed = remove_key(QUOTED, "status").unwrap();
        assert_eq!(
            removed,
            "result: \"Selesai:\nstatus: baru\nnama: x\"\nhistory: []\n"
        );
        let appended = append_history(QUOTED, &std::collections::BTreeMap::from([("by", "Ani")]));
        assert!(appended.unwrap().ends_with("history:\n- by: Ani\n"));
    }

    #[test]
    fn an_edit_that_cannot_be_made_right_is_refused() {
        // The only `status:` line is inside the quoted text.
        let text = "result: \"Selesai:\nstatus: baru\"\nhistory: []\n";
        let set = set_key(text, "status", "selesai").unwrap();
        assert_eq!(
            set,
            format!("{text}status: selesai\n"),
            "added at the end instead"
        );
        // A key that must change but cannot: a `history` that is not a list.
        let text = "history: \"a\nb\"\n";
        assert!(append_history(text, &std::collections::BTreeMap::from([("by", "Ani")])).is_err());
    }

    #[test]
    fn notes_of_any_shape_are_set_exactly() {
        let text = "status: baru\nresult: x\nhistory: []\n";
        for note in [
            "baris satu\nbaris dua",
            "  diawali spasi\nlalu teks",
            "a\n\nb\n",
            "spasi di akhir \nx",
            "#bukan komentar\nx",
            "- bukan daftar\n- juga bukan",
            "key: value\nstatus: selesai",
            "\"kutip\" dan 'kutip'",
            "",
            "\n",
        ] {
            let set = set_key(text, "result", note).unwrap_or_else(|e| panic!("{note:?}: {e}"));
            let map = top_level(&set).unwrap();
            assert_eq!(
                map.get("result").and_then(Value::as_str),
                Some(note),
                "{set}"
            );
        }
    }
}
