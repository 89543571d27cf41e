//! The one place that names the YAML crate.
//!
//! The crate is `yaml_serde`, serde_yaml's continuation maintained by the
//! YAML organisation (serde_yaml itself is archived); every other module,
//! tests included, goes through these functions.

use std::io;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use yaml_serde as backend;

/// A YAML value, for callers that need to look at a document before typing it.
pub type Value = backend::Value;
pub type Mapping = backend::Mapping;

/// A YAML error with the 1-based line it points at, when the parser knows it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
}

impl From<backend::Error> for YamlError {
    fn from(err: backend::Error) -> Self {
        let line = err.location().map(|l| l.line());
        // The backend appends " at line L column C"; we report the line separately.
        let mut message = err.to_string();
        if let Some(pos) = message.find(" at line ") {
            message.truncate(pos);
        }
        YamlError { line, message }
    }
}

/// The YAML file at `path` as a `T`; `None` when there is no file. A file
/// that does not read is an error naming `path:line` (never silently none).
pub fn read_if_exists<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    let Some(text) = crate::core::fs::if_exists(std::fs::read_to_string(path))? else {
        return Ok(None);
    };
    from_str(&text).map(Some).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}:{}: {}", path.display(), e.line.unwrap_or(0), e.message),
        )
    })
}

/// Deepest nesting accepted: far beyond any record, page or list people
/// write, and far below what makes the parser slow (a hand-edited record
/// nested 100,000 levels deep took minutes).
const MAX_DEPTH: usize = 64;

/// Refuses a text nested deeper than [`MAX_DEPTH`], by flow brackets or by
/// indentation, before the parser sees it. A scan of the text, not a YAML
/// parser: quoted scalars, comments and block scalars (`|`, `>`) are
/// skipped, which is all it needs to count nesting.
fn check_depth(text: &str) -> Result<(), YamlError> {
    let too_deep = |line: usize| YamlError {
        line: Some(line),
        message: format!("nested more than {MAX_DEPTH} levels deep"),
    };
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_parent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if let Some(parent) = block_parent {
            if content.is_empty() || indent > parent {
                continue;
            }
            block_parent = None;
        }
        if content.is_empty() || (quote.is_none() && content.starts_with('#')) {
            continue;
        }
        if flow == 0 && quote.is_none() {
            while indents.last().is_some_and(|&top| top > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
            let dashes = content.split(' ').take_while(|piece| *piece == "-").count();
            if indents.len() + dashes > MAX_DEPTH {
                return Err(too_deep(i + 1));
            }
        }
        let mut previous = ' ';
        let mut chars = content.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                // '' inside single quotes, \" inside double quotes: escapes.
                Some('\'') if c == '\'' && chars.peek() == Some(&'\'') => {
                    chars.next();
                }
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' if matches!(previous, ' ' | ':' | '-' | '[' | '{' | ',') => {
                        quote = Some(c)
                    }
                    '#' if previous == ' ' => break,
                    '[' | '{' => {
                        flow += 1;
                        if flow + indents.len() > MAX_DEPTH {
                            return Err(too_deep(i + 1));
                        }
                    }
                    ']' | '}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            previous = c;
        }
        let opens_block = flow == 0
            && quote.is_none()
            && content
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
                .ends_with(['|', '>']);
        if opens_block {
            block_parent = Some(indent);
        }
    }
    Ok(())
}

/// Parses `text` into `T`, calling `unknown` with the dotted path of every key
/// that `T` does not know (so callers can warn instead of failing).
pub fn from_str_reporting_unknown<T, F>(text: &str, mut unknown: F) -> Result<T, YamlError>
where
    T: DeserializeOwned,
    F: FnMut(String),
{
    check_depth(text)?;
    let de = backend::Deserializer::from_str(text);
    serde_ignored::deserialize(de, |path| unknown(path.to_string())).map_err(YamlError::from)
}

/// Parses `text` into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    check_depth(text)?;
    backend::from_str(text).map_err(YamlError::from)
}

/// Serializes `value` as a YAML document.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, YamlError> {
    backend::to_string(value).map_err(YamlError::from)
}

/// Finds the 1-based line of `key:` at the given nesting depth in a YAML text,
/// for pointing warnings at the key a person typed. Best effort: returns the
/// first line whose trimmed start is `key:` (or `- key:`).
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|line| {
            let t = line.trim_start().trim_start_matches("- ");
            t.strip_prefix(leaf)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// The 1-based line of the first occurrence of `value` in a YAML text, for
/// pointing at an entry of a list. Best effort, like [`line_of_key`].
pub fn line_of_value(text: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(value))
        .map(|i| i + 1)
}

/// The 1-based line of the entry of the list under `list_key` that holds
/// `key: value`, in flow style (`- { name: nik, … }`) or block style
/// (`- name: nik`), for pointing at `fields[name=nik]` or
/// `steps[id=selesai]`. Best effort, like [`line_of_key`].
pub fn line_of_entry(text: &str, list_key: &str, key: &str, value: &str) -> Option<usize> {
    lines_of_entry(text, list_key, key, value).first().copied()
}

/// Every line that [`line_of_entry`] could name, in order: one per entry
/// that holds `key: value` (more than one when a name is given twice).
pub fn lines_of_entry(text: &str, list_key: &str, key: &str, value: &str) -> Vec<usize> {
    let Some(start) = line_of_key(text, list_key) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let list_indent = indent_of(lines[start - 1]);
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // The list ends at the next key as far left as its own.
        if indent_of(line) <= list_indent && !trimmed.starts_with('-') {
            break;
        }
        let plain: String = trimmed
            .chars()
            .filter(|c| !matches!(c, '"' | '\'' | '{' | '}'))
            .collect();
        let holds = plain.split(',').any(|part| {
            let part = part.trim_start().trim_start_matches("- ").trim_start();
            part.strip_prefix(key)
                .and_then(|rest| rest.trim_start().strip_prefix(':'))
                .map(|rest| rest.split(" #").next().unwrap_or("").trim())
                == Some(value)
        });
        if holds {
            found.push(i + 1);
        }
    }
    found
}

/// The 1-based line of `key:` within the entry that starts at line `entry`
/// (the entry's own line in flow style, a later line of it in block style).
pub fn line_of_key_in_entry(text: &str, entry: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.get(entry.checked_sub(1)?)?;
    let is_key = |part: &str| {
        let part = part.trim_start().trim_start_matches("- ").trim_start();
        part.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    if first.replace('{', ",").split(',').any(&is_key) {
        return Some(entry);
    }
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let entry_indent = indent_of(first);
    for (i, line) in lines.iter().enumerate().skip(entry) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent_of(line) <= entry_indent {
            break;
        }
        if is_key(trimmed) {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct T {
        a: u32,
    }

    #[test]
    fn reports_unknown_keys_and_lines() {
        let mut seen = Vec::new();
        let t: T = from_str_reporting_unknown("a: 1\nzzz: 2\n", |k| seen.push(k)).unwrap();
        assert_eq!(t.a, 1);
        assert_eq!(seen, vec!["zzz".to_string()]);
        assert_eq!(line_of_key("a: 1\nzzz: 2\n", "zzz"), Some(2));
    }

    #[test]
    fn refuses_deep_nesting_quickly_and_keeps_ordinary_text() {
        let flow = format!("a:\n  b: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let err = from_str::<Value>(&flow).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message.contains("nested more than 64"),
            "{}",
            err.message
        );
        let block: String = (0..3000)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        assert_eq!(from_str::<Value>(&block).unwrap_err().line, Some(65));
        // Brackets in quoted, commented and block text are not nesting.
        let text = format!(
            "nama: 'Jum''at {b}'\nuraian: \"{b}\"\ncatatan: |\n  {b}\n  lagi {b}\nlain: ok # {b}\ndaftar: [1, [2, 3]]\n",
            b = "[".repeat(200)
        );
        let value: Value = from_str(&text).unwrap();
        assert_eq!(value["lain"], Value::String("ok".into()));
    }

    #[test]
    fn error_has_line() {
        let err = from_str::<T>("a: 1\nb: [\n").unwrap_err();
        assert!(err.line.is_some());
        let err = from_str::<T>("\n\na: nope\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn a_file_read_if_it_exists_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        assert!(read_if_exists::<T>(&path).unwrap().is_none());
        std::fs::write(&path, "\n\na: nope\n").unwrap();
        let err = read_if_exists::<T>(&path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let said = err.to_string();
        assert!(
            said.starts_with(&format!("{}:3: ", path.display())),
            "{said}"
        );
    }

    #[test]
    fn finds_entries_of_a_list_in_flow_and_block_style() {
        let text = "title: x\nfields:\n  - { name: nama, label: \"Nama\" }\n  - name: nik\n    label: NIK\n    lable: salah\n  - { name: \"nama\" }   # again\nsteps:\n- id: baru   # first\n  next: [selesai]\n- { id: selesai, final: true }\nname: nik\n";
        assert_eq!(line_of_entry(text, "fields", "name", "nama"), Some(3));
        assert_eq!(line_of_entry(text, "fields", "name", "nik"), Some(4));
        assert_eq!(lines_of_entry(text, "fields", "name", "nama"), vec![3, 7]);
        assert_eq!(line_of_entry(text, "steps", "id", "baru"), Some(9));
        assert_eq!(line_of_entry(text, "steps", "id", "selesai"), Some(11));
        assert_eq!(line_of_entry(text, "fields", "name", "x"), None);
        assert_eq!(line_of_key_in_entry(text, 4, "lable"), Some(6));
        assert_eq!(line_of_key_in_entry(text, 3, "label"), Some(3));
        assert_eq!(line_of_key_in_entry(text, 9, "next"), Some(10));
        assert_eq!(line_of_key_in_entry(text, 9, "final"), None);
    }
}
