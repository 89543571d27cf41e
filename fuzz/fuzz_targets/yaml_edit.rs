//! The in-place YAML editor used by `loket status`, the desk and `purge`:
//! whatever the record's text (hand edits, comments, odd layouts), an edit
//! never panics, and is either refused or, when its result parses, says what
//! was meant: the key set holds the new value, every other top-level key
//! keeps its value, and the history gains exactly the new entry, last. (A
//! result that does not parse is refused by `cases::update` before anything
//! is written.)
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use loket::cases::yaml_edit::{append_history, remove_key, set_key};
use loket::core::yaml::{self, Value};

/// The top-level map of a text, if it is one.
fn map(text: &str) -> Option<BTreeMap<String, Value>> {
    match yaml::from_str::<Value>(text).ok()? {
        Value::Mapping(m) => m
            .into_iter()
            .map(|(k, v)| Some((k.as_str()?.to_string(), v)))
            .collect(),
        _ => None,
    }
}

fn others_unchanged(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>, key: &str) {
    for (k, v) in before {
        if k != key {
            assert_eq!(after.get(k), Some(v), "{k} changed");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // First line: the value to write; the rest: the record's text.
    let Ok(all) = std::str::from_utf8(data) else {
        return;
    };
    let (value, text) = all.split_once('\n').unwrap_or(("", all));
    // An edit ends the text with a line break, which can only change the
    // last value of a text that had none; loket's records and editors'
    // files end with one.
    let text = &format!("{}\n", text.strip_suffix('\n').unwrap_or(text));
    let before = map(text);

    // An edit that cannot be made right is refused, never made wrong.
    if let Ok(set) = set_key(text, "status", value)
        && let (Some(before), Some(after)) = (&before, map(&set))
    {
        assert_eq!(
            after.get("status").and_then(Value::as_str),
            Some(value),
            "{set}"
        );
        others_unchanged(before, &after, "status");
    }

    if let Ok(removed) = remove_key(text, "result")
        && let (Some(before), Some(after)) = (&before, map(&removed))
    {
        assert!(!after.contains_key("result"), "{removed}");
        others_unchanged(before, &after, "result");
    }

    let entry = BTreeMap::from([("by", value), ("status", "diperiksa")]);
    if let Ok(appended) = append_history(text, &entry)
        && let (Some(before), Some(after)) = (&before, map(&appended))
    {
        others_unchanged(before, &after, "history");
        let old: &[Value] = match before.get("history") {
            Some(Value::Sequence(items)) => items,
            _ => &[],
        };
        let new = after["history"].as_sequence().expect("history is a list");
        assert_eq!(new.len(), old.len() + 1, "{appended}");
        assert_eq!(&new[..old.len()], old, "{appended}");
        assert_eq!(new[old.len()]["by"].as_str(), Some(value), "{appended}");
    }
});
