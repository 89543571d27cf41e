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

use crate::cases::yaml_edit::{remove_key, set_key, set_value};
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
            if let Ok(rest) = remove_key(&fields.other, key) {
                fields.other = rest;
                match key {
                    "title" => fields.title = value,
                    "description" => fields.description = value,
                    _ => fields.menu = value,
                }
            }
        }
        if let Some(service) = map.get("service").and_then(service_fields)
            && let Ok(rest) = remove_key(&fields.other, "service")
        {
            fields.other = rest;
            fields.service = service;
            fields.has_service = true;
        }
        fields
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
                false => head = set_key(&head, key, value).map_err(|_| cannot(key))?,
            }
        }
        text = head + &text;
        let menu = self.menu.trim();
        if !menu.is_empty() {
            text = match menu.parse::<i64>() {
                Ok(n) => set_value(&text, "menu", &n),
                Err(_) => set_key(&text, "menu", menu),
            }
            .map_err(|_| cannot("menu"))?;
        }
        if self.has_service {
            text = set_value(&text, "service", &self.service.to_mapping())
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

    const PAGE: &str = "---\ntitle: \"Layanan A\"\n# kata kunci lama\nweight: 1\nextra:\n  warna: hijau\nmenu: 2\nservice:\n  decree: \"188/1\"\n  working_days: 5\n  fee: Gratis\n  product: Surat\n  form: /permohonan/\n---\n\n## Persyaratan\n\nKTP.\n";

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
        assert!(
            again.starts_with(
                "title: Layanan A\n# kata kunci lama\nweight: 1\nextra:\n  warna: hijau\nmenu: 2\nservice:\n"
            ),
            "{again}"
        );
        assert_eq!(join(&again, body), join(&again, body));
        assert!(join(&again, body).starts_with("---\ntitle: Layanan A\n# kata"));
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
