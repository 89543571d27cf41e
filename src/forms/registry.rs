//! The forms of a site: every `forms/*.yaml` read, checked and kept by id
//! and by ticket prefix. Every mistake in a file is reported as
//! `forms/ID.yaml:LINE: message`, in Bahasa Indonesia, for office staff.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use self::check::{Lines, line_of_path};
use super::spec::{FieldType, FormFile, FormId, FormSpec};
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;

/// The folder of form files, beside `content/` and `templates/`.
pub const FORMS_DIR: &str = "forms";

/// The forms loket ships: a site made before form files (no `forms/`
/// folder) works with these, as it did when they were Rust.
const BUILTIN: [(&str, &str); 2] = [
    ("permohonan", include_str!("../../forms/permohonan.yaml")),
    (
        "pengaduan-layanan",
        include_str!("../../forms/pengaduan-layanan.yaml"),
    ),
];

/// The checked forms of a site, by id.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    by_id: BTreeMap<FormId, Arc<FormSpec>>,
    by_prefix: HashMap<String, FormId>,
}

impl Forms {
    /// Reads `<root>/forms/*.yaml` in name order. A form with a mistake is
    /// left out and its problems returned; a site without the folder has
    /// the forms loket ships ([`Forms::builtin`]).
    pub fn load(root: &Path) -> (Forms, Vec<Diagnostic>) {
        let dir = root.join(FORMS_DIR);
        let mut diags = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Forms::builtin().clone(), diags);
            }
            Err(e) => {
                diags.push(Diagnostic::error(
                    FORMS_DIR,
                    None,
                    format!("folder tidak dapat dibaca: {e}"),
                ));
                return (Forms::default(), diags);
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        // A form saved as .yml would be silently missing.
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        {
            diags.push(Diagnostic::warning(
                shown(&path.file_name().unwrap_or_default().to_string_lossy()),
                None,
                "berkas ini diabaikan: nama berkas formulir harus berakhiran .yaml",
            ));
        }
        paths.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
        let mut texts = Vec::new();
        for path in paths {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push((stem.to_string(), text)),
                Err(e) => diags.push(Diagnostic::error(
                    shown(&path.file_name().unwrap_or_default().to_string_lossy()),
                    None,
                    match e.kind() {
                        std::io::ErrorKind::InvalidData => {
                            "berkas bukan UTF-8 yang sah; simpan sebagai UTF-8".to_string()
                        }
                        _ => format!("berkas tidak dapat dibaca: {e}"),
                    },
                )),
            }
        }
        let (forms, more) = Forms::from_texts(texts.iter().map(|(i, t)| (i.as_str(), t.as_str())));
        diags.extend(more);
        (forms, diags)
    }

    /// Checks form files given as (id, text), in order; a ticket prefix
    /// already taken is a mistake of the later file.
    pub fn from_texts<'a>(
        texts: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Forms, Vec<Diagnostic>) {
        let mut forms = Forms::default();
        let mut diags = Vec::new();
        for (id, text) in texts {
            let spec = match parse(id, text) {
                Ok(spec) => spec,
                Err(errors) => {
                    diags.extend(errors);
                    continue;
                }
            };
            if let Some(other) = forms.by_prefix.get(&spec.ticket_prefix) {
                diags.push(Diagnostic::error(
                    &spec.path,
                    yaml::line_of_key(text, "ticket_prefix"),
                    format!(
                        "prefiks tiket `{}` sudah dipakai {}; pilih dua huruf lain",
                        spec.ticket_prefix,
                        shown(&format!("{other}.yaml")).display()
                    ),
                ));
                continue;
            }
            forms
                .by_prefix
                .insert(spec.ticket_prefix.clone(), spec.id.clone());
            forms.by_id.insert(spec.id.clone(), Arc::new(spec));
        }
        (forms, diags)
    }

    /// The forms loket ships (`forms/` of its repository), checked once.
    pub fn builtin() -> &'static Forms {
        static BUILT: LazyLock<Forms> = LazyLock::new(|| {
            let (forms, diags) = Forms::from_texts(BUILTIN);
            assert!(
                diags.is_empty(),
                "the shipped form files have mistakes: {diags:?}"
            );
            forms
        });
        &BUILT
    }

    pub fn get(&self, id: &str) -> Option<&Arc<FormSpec>> {
        self.by_id.get(id)
    }

    /// The form a record was written under (its `kind:`); `None` for a
    /// record of a form the site no longer has.
    pub fn of(&self, record: &crate::cases::Record) -> Option<&Arc<FormSpec>> {
        self.get(&record.kind)
    }

    /// Every step id of every form, once each, in file order (the inbox's
    /// status filter).
    pub fn step_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for id in self.iter().flat_map(|f| f.step_ids()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The form whose tickets start with these two letters.
    pub fn by_prefix(&self, prefix: &str) -> Option<&Arc<FormSpec>> {
        self.by_prefix.get(prefix).and_then(|id| self.by_id.get(id))
    }

    /// Every form, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<FormSpec>> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// `forms/NAME`, as people see it.
fn shown(file: &str) -> PathBuf {
    Path::new(FORMS_DIR).join(file)
}

/// Reads one form file and runs every check that needs only the file.
pub fn parse(id: &str, text: &str) -> Result<FormSpec, Vec<Diagnostic>> {
    let path = shown(&format!("{id}.yaml"));
    let mut unknown = Vec::new();
    let file: FormFile = yaml::from_str_reporting_unknown(text, |p| unknown.push(p))
        .map_err(|e| vec![Diagnostic::error(&path, e.line, serde_message(&e.message))])?;
    let mut diags: Vec<Diagnostic> = unknown
        .iter()
        .map(|p| {
            let key = p.rsplit('.').next().unwrap_or(p);
            Diagnostic::error(
                &path,
                line_of_path(text, &file, p),
                format!("kunci `{key}` tidak dikenal"),
            )
        })
        .collect();
    let at = Lines { text, file: &file };
    let mut fail =
        |line: Option<usize>, message: String| diags.push(Diagnostic::error(&path, line, message));
    if !check::is_id(id) {
        fail(None, "nama berkas formulir hanya boleh berisi huruf kecil, angka, dan tanda hubung (-), misalnya pendampingan-nib.yaml".into());
    }
    let prefix = &file.ticket_prefix;
    if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
        fail(
            yaml::line_of_key(text, "ticket_prefix"),
            format!("prefiks tiket harus dua huruf kapital, misalnya NB; tertulis `{prefix}`"),
        );
    }
    let term = &file.term;
    let given = [term.days, term.calendar_days, term.hours];
    if given.iter().flatten().count() != 1 {
        fail(
            yaml::line_of_key(text, "term"),
            "`term` harus memuat tepat satu dari days (hari kerja), calendar_days (hari kalender), atau hours (jam kerja)".into(),
        );
    } else if given.contains(&Some(0)) {
        fail(
            yaml::line_of_key(text, "term"),
            "jangka waktu `term` paling sedikit 1".into(),
        );
    }
    check::fields(&at, &mut fail);
    check::steps(&at, &mut fail);
    if diags.is_empty() {
        Ok(FormSpec {
            id: id.into(),
            path,
            file,
        })
    } else {
        crate::core::diagnostic::sort(&mut diags);
        Err(diags)
    }
}

/// A kind of value as serde names it ("usize", "a sequence", `string "x"`),
/// in the words of office staff.
fn type_words(text: &str) -> String {
    let text = text.trim();
    let words = match text {
        "usize" | "u8" | "u16" | "u32" | "u64" | "i64" | "integer" | "an integer" => {
            "bilangan bulat"
        }
        "a boolean" | "boolean" => "true atau false",
        "a sequence" | "sequence" => "daftar [ … ]",
        "a string" | "string" => "teks",
        "map" | "a map" => "kunci dan nilai { … }",
        "unit value" => "kosong",
        _ => {
            if text.starts_with("struct ") {
                return "kunci dan nilai { … }".into();
            }
            for prefix in ["string ", "integer ", "boolean ", "floating point "] {
                if let Some(value) = text.strip_prefix(prefix) {
                    return value.replace('`', "").to_string();
                }
            }
            text
        }
    };
    words.to_string()
}

/// The YAML library's message in the words of the rest of `loket check`.
fn serde_message(message: &str) -> String {
    // The line is given; the path the library puts first ("fields[0].type: ") is not needed.
    let message = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => rest,
        _ => message,
    };
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let value = quoted(rest);
        let choices = rest
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .trim_start_matches("one of ")
            .replace('`', "")
            .replace(" or ", ", ");
        let choices = if message.contains("`textarea`") {
            FieldType::NAMES.to_string()
        } else {
            choices
        };
        return format!("nilai `{value}` tidak dikenal; pilih salah satu: {choices}");
    }
    if message.contains("unknown field ") {
        let key = quoted(message.split("unknown field ").nth(1).unwrap_or(""));
        return format!("kunci `{key}` tidak dikenal");
    }
    if message.contains("missing field ") {
        let key = quoted(message.split("missing field ").nth(1).unwrap_or(""));
        return format!("kunci `{key}` wajib ada");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "nilai tidak sesuai: tertulis {}, seharusnya {}",
            type_words(found),
            type_words(want)
        );
    }
    message.to_string()
}

mod check;

#[cfg(test)]
mod tests;
