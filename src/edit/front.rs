//! A page file as the desk's editor shows it: the front matter's usual keys
//! as labelled fields ([`Fields`]: title, description, menu position, and a
//! service page's `service:` facts), every other line of the front matter
//! as it was typed ([`Fields::other`]: unknown keys, comments, `template`,
//! `updated`, …), and the Markdown body.
//!
//! Keys are taken out of the front matter and put back by
//! `cases::yaml_edit`, which edits lines and checks that nothing else
//! changed; a key it cannot take out cleanly (or a front matter that does
//! not parse) stays in [`Fields::other`], where the editor shows it as text.

use serde::Serialize;

use crate::cases::yaml_edit::{set_key, set_value};
use crate::core::yaml::{self, Value};

/// The facts of a service page, as typed (numbers too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceFields {
    pub decree: String,
    pub working_days: String,
    pub fee: String,
    pub product: String,
    pub form: String,
    pub form_label: String,
    pub complaint_days: String,
    pub decree_pdf: String,
}

/// The keys of `service:` the editor has fields for, and whether each is a
/// number.
const SERVICE_KEYS: [(&str, bool); 8] = [
    ("decree", false),
    ("working_days", true),
    ("fee", false),
    ("product", false),
    ("form", false),
    ("form_label", false),
    ("complaint_days", true),
    ("decree_pdf", false),
];

impl ServiceFields {
    /// The fields as a form posts them, each under its key's name.
    pub fn posted(get: impl Fn(&str) -> String) -> ServiceFields {
        let mut fields = ServiceFields::default();
        for (key, _) in SERVICE_KEYS {
            if let Some(slot) = fields.get_mut(key) {
                *slot = get(key);
            }
        }
        fields
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "decree" => &mut self.decree,
            "working_days" => &mut self.working_days,
            "fee" => &mut self.fee,
            "product" => &mut self.product,
            "form" => &mut self.form,
            "form_label" => &mut self.form_label,
            "complaint_days" => &mut self.complaint_days,
            "decree_pdf" => &mut self.decree_pdf,
            _ => return None,
        })
    }

    fn get(&self, key: &str) -> &str {
        match key {
            "decree" => &self.decree,
            "working_days" => &self.working_days,
            "fee" => &self.fee,
            "product" => &self.product,
            "form" => &self.form,
            "form_label" => &self.form_label,
            "complaint_days" => &self.complaint_days,
            "decree_pdf" => &self.decree_pdf,
            _ => "",
        }
    }

    /// The service's `service:` map: the fields filled in, numbers as
    /// numbers where they read as one (else as typed, for the check to
    /// point at).
    fn to_mapping(&self) -> yaml::Mapping {
        let mut map = yaml::Mapping::new();
        for (key, number) in SERVICE_KEYS {
            let value = self.get(key).trim();
            if value.is_empty() {
                continue;
            }
            let value = match value.parse::<u64>() {
                Ok(n) if number => Value::from(n),
                _ => Value::from(value),
            };
            map.insert(Value::from(key), value);
        }
        map
    }
}

/// The front matter, split for the editor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fields {
    pub title: String,
    pub description: String,
    /// The menu position, as typed ("" for none).
    pub menu: String,
    /// The page has a `service:` map the fields hold.
    pub has_service: bool,
    pub service: ServiceFields,
    /// Every other line of the front matter, as typed.
    pub other: String,
    /// The lines each field's key had in the file as opened (quotes and
    /// comments as typed): written again as they were while the field
    /// still holds the same value, so that an edit of the body changes no
    /// line of the front matter.
    pub kept: Vec<KeptLines>,
}

/// A key's lines in the file as opened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeptLines {
    pub key: String,
    pub lines: String,
}

/// The lines `before` has and `after` (the same text with one block taken
/// out) has not.
fn taken_out(before: &str, after: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a[head..a.len() - tail].join("\n") + "\n"
}

/// `text` without `key`'s lines; a front matter of that key alone leaves
/// nothing (which `remove_key` refuses: nothing is no mapping).
fn without(text: &str, key: &str) -> Result<String, String> {
    crate::cases::yaml_edit::remove_key(text, key).or_else(|e| {
        match yaml::from_str::<Value>(text) {
            Ok(Value::Mapping(map)) if map.len() == 1 && map.get(key).is_some() => {
                Ok(String::new())
            }
            _ => Err(e),
        }
    })
}

/// A page file's front matter (`None`: it has none) and body.
pub fn split(text: &str) -> (Option<&str>, &str) {
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return (
                Some(&after_open[..offset]),
                &after_open[offset + line.len()..],
            );
        }
        offset += line.len();
    }
    (None, text)
}

/// A page file of `front` (empty: none) and `body`.
pub fn join(front: &str, body: &str) -> String {
    if front.trim().is_empty() {
        return body.to_string();
    }
    let front = front.trim_end_matches('\n');
    format!("---\n{front}\n---\n{body}")
}

impl Fields {
    /// The fields of a front matter text.
    pub fn of(front: &str) -> Fields {
        let mut fields = Fields {
            other: front.to_string(),
            ..Fields::default()
        };
        let Ok(Value::Mapping(map)) = yaml::from_str::<Value>(front) else {
            return fields;
        };
        for key in ["title", "description", "menu"] {
            let value = match map.get(key) {
                Some(Value::String(s)) if key != "menu" => s.clone(),
                Some(Value::Number(n)) if key == "menu" && n.as_i64().is_some() => n.to_string(),
                _ => continue,
            };
            if let Ok(rest) = without(&fields.other, key) {
                fields.keep(key, rest);
                match key {
                    "title" => fields.title = value,
                    "description" => fields.description = value,
                    _ => fields.menu = value,
                }
            }
        }
        if let Some(service) = map.get("service").and_then(service_fields)
            && let Ok(rest) = without(&fields.other, "service")
        {
            fields.keep("service", rest);
            fields.service = service;
            fields.has_service = true;
        }
        fields
    }

    /// Takes `key`'s lines out of [`Fields::other`], which is `rest` without them.
    fn keep(&mut self, key: &str, rest: String) {
        self.kept.push(KeptLines {
            key: key.to_string(),
            lines: taken_out(&self.other, &rest),
        });
        self.other = rest;
    }

    /// `key`'s lines as opened, if they still say `value`.
    fn kept_for(&self, key: &str, value: &Value) -> Option<&str> {
        let kept = self.kept.iter().find(|k| k.key == key)?;
        let Ok(Value::Mapping(map)) = yaml::from_str::<Value>(&kept.lines) else {
            return None;
        };
        (map.len() == 1 && map.get(key) == Some(value)).then_some(kept.lines.as_str())
    }

    /// Sets `key` to `value` in `text`: its lines as opened when they say
    /// the same (at the end), else written anew (`set_key`/`set_value`).
    fn put(&self, text: String, key: &str, value: &Value) -> Result<String, String> {
        let top = |l: &str| l.strip_prefix(key).is_some_and(|r| r.starts_with(':'));
        if let Some(lines) = self.kept_for(key, value).filter(|_| !text.lines().any(top)) {
            return Ok(text + lines);
        }
        match value {
            Value::String(s) => set_key(&text, key, s),
            other => set_value(&text, key, other),
        }
    }

    /// The front matter text of these fields: the title and description,
    /// the other lines as typed, then the menu and the service. `Err`: a field could not be written
    /// without changing another line (said in Indonesian).
    pub fn to_front(&self) -> Result<String, String> {
        let mut text = self.other.replace("\r\n", "\n");
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let cannot = |key: &str| {
            format!(
                "Isian {key} tidak dapat ditulis ke front matter tanpa mengubah baris lain. Periksa kolom \"Front matter lainnya\": kunci {key} ditulis dua kali atau ada teks yang belum ditutup."
            )
        };
        // The title and description first, as pages are usually written
        // (unless the other lines have them: set there); the menu and the
        // service after the other lines.
        let mut head = String::new();
        for (key, value) in [("title", &self.title), ("description", &self.description)] {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let top = |l: &str| l.strip_prefix(key).is_some_and(|r| r.starts_with(':'));
            match text.lines().any(top) {
                true => text = set_key(&text, key, value).map_err(|_| cannot(key))?,
                false => {
                    head = self
                        .put(head, key, &Value::from(value))
                        .map_err(|_| cannot(key))?
                }
            }
        }
        text = head + &text;
        let menu = self.menu.trim();
        if !menu.is_empty() {
            let value = match menu.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::from(menu),
            };
            text = self.put(text, "menu", &value).map_err(|_| cannot("menu"))?;
        }
        if self.has_service {
            let value = Value::Mapping(self.service.to_mapping());
            text = self
                .put(text, "service", &value)
                .map_err(|_| cannot("service"))?;
        }
        Ok(text)
    }
}

/// The fields of a `service:` map whose keys all have one and whose
/// values are plain text or numbers; `None` for anything else (it stays
/// text).
fn service_fields(value: &Value) -> Option<ServiceFields> {
    let Value::Mapping(map) = value else {
        return None;
    };
    let mut fields = ServiceFields::default();
    for (key, value) in map {
        let slot = fields.get_mut(key.as_str()?)?;
        *slot = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: \"Layanan A\"\n# kata kunci lama\nweight: 1\nextra:\n  warna: hijau\nmenu: 2\nservice:\n  decree: \"188/1\"\n  working_days: 5\n  fee: Gratis # tanpa biaya\n  product: Surat\n  form: /permohonan/\n---\n\n## Persyaratan\n\nKTP.\n";

    #[test]
    fn a_title_alone_is_a_field_and_goes_back_as_it_was() {
        // As a new page made on the desk has it.
        let fields = Fields::of("title: Jam layanan\n");
        assert_eq!(
            (fields.title.as_str(), fields.other.as_str()),
            ("Jam layanan", "")
        );
        assert_eq!(fields.to_front().unwrap(), "title: Jam layanan\n");
        let fields =
            Fields::of("service:\n  decree: \"1\"\n  fee: Gratis\n  product: Surat\n  form: /f/\n");
        assert!(fields.has_service && fields.other.is_empty());
    }

    #[test]
    fn fields_come_out_and_go_back_with_every_other_line_kept() {
        let (front, body) = split(PAGE);
        let front = front.unwrap();
        assert_eq!(body, "\n## Persyaratan\n\nKTP.\n");
        let fields = Fields::of(front);
        assert_eq!(fields.title, "Layanan A");
        assert_eq!(fields.menu, "2");
        assert!(fields.has_service);
        assert_eq!(fields.service.working_days, "5");
        assert_eq!(fields.service.decree, "188/1");
        assert_eq!(
            fields.other,
            "# kata kunci lama\nweight: 1\nextra:\n  warna: hijau\n"
        );
        let again = fields.to_front().unwrap();
        let before: Value = yaml::from_str(front).unwrap();
        let after: Value = yaml::from_str(&again).unwrap();
        assert_eq!(before, after);
        // Nothing changed: every line as it was, the menu after the others.
        assert_eq!(
            again,
            "title: \"Layanan A\"\n# kata kunci lama\nweight: 1\nextra:\n  warna: hijau\nmenu: 2\nservice:\n  decree: \"188/1\"\n  working_days: 5\n  fee: Gratis # tanpa biaya\n  product: Surat\n  form: /permohonan/\n"
        );
        // A changed field is written anew, the others kept.
        let mut changed = fields.clone();
        changed.service.fee = "Rp0".into();
        changed.title = "Layanan B".into();
        let edited = changed.to_front().unwrap();
        assert!(edited.starts_with("title: Layanan B\n# kata"), "{edited}");
        assert!(
            edited.contains("menu: 2\nservice:\n  decree: 188/1\n"),
            "{edited}"
        );
        assert!(edited.contains("fee: Rp0"), "{edited}");
        assert_eq!(join(&again, body), join(&again, body));
        assert!(join(&again, body).starts_with("---\ntitle: \"Layanan A\"\n# kata"));
    }

    #[test]
    fn a_changed_title_is_quoted_and_a_broken_front_matter_stays_text() {
        let fields = Fields {
            title: "Judul: [baru]".into(),
            other: "weight: 3\n".into(),
            ..Fields::default()
        };
        let front = fields.to_front().unwrap();
        let map: Value = yaml::from_str(&front).unwrap();
        assert_eq!(
            map.get("title").and_then(Value::as_str),
            Some("Judul: [baru]")
        );
        let broken = Fields::of("title: [\nweight: 1\n");
        assert_eq!(broken.title, "");
        assert_eq!(broken.other, "title: [\nweight: 1\n");
        // A service map with a key the fields do not know stays as text.
        let odd = Fields::of("service:\n  decree: x\n  baru: y\n");
        assert!(!odd.has_service);
        assert!(odd.other.contains("baru: y"));
        assert_eq!(join("", "Teks\n"), "Teks\n");
        assert_eq!(split("Teks\n"), (None, "Teks\n"));
    }
}
