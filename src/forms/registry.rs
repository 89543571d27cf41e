//! The forms of a site: every `forms/*.yaml` read, checked and kept by id
//! and by ticket prefix. Every mistake in a file is reported as
//! `forms/ID.yaml:LINE: message`, in Bahasa Indonesia, for office staff.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use super::spec::{FieldType, FormFile, FormId, FormSpec, Required, Role};
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;

/// The folder of form files, beside `content/` and `templates/`.
pub const FORMS_DIR: &str = "forms";

/// The forms loket ships, for the code that does not read a site's files
/// yet (until every caller asks [`Forms::load`]).
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
    /// no forms and no problems.
    pub fn load(root: &Path) -> (Forms, Vec<Diagnostic>) {
        let dir = root.join(FORMS_DIR);
        let mut diags = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Forms::default(), diags);
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
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
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
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
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
    check_fields(&at, &mut fail);
    check_steps(&at, &mut fail);
    if diags.is_empty() {
        Ok(FormSpec {
            id: id.into(),
            path,
            file,
        })
    } else {
        diagnostic_sort(&mut diags);
        Err(diags)
    }
}

fn diagnostic_sort(diags: &mut [Diagnostic]) {
    crate::core::diagnostic::sort(diags);
}

/// Finds the lines of a form file's entries.
struct Lines<'a> {
    text: &'a str,
    file: &'a FormFile,
}

impl Lines<'_> {
    /// The line of the `nth` field named `name` (0 = the first).
    fn field(&self, name: &str, nth: usize) -> Option<usize> {
        yaml::lines_of_entry(self.text, "fields", "name", name)
            .get(nth)
            .copied()
    }

    fn field_key(&self, name: &str, key: &str) -> Option<usize> {
        let entry = self.field(name, 0)?;
        yaml::line_of_key_in_entry(self.text, entry, key).or(Some(entry))
    }

    fn step(&self, id: &str, nth: usize) -> Option<usize> {
        yaml::lines_of_entry(self.text, "steps", "id", id)
            .get(nth)
            .copied()
    }

    fn step_key(&self, id: &str, key: &str) -> Option<usize> {
        let entry = self.step(id, 0)?;
        yaml::line_of_key_in_entry(self.text, entry, key).or(Some(entry))
    }
}

/// The line of a dotted serde path such as `fields.3.lable` or `term.weeks`.
fn line_of_path(text: &str, file: &FormFile, path: &str) -> Option<usize> {
    let parts: Vec<&str> = path.split('.').collect();
    let leaf = parts.last().copied().unwrap_or(path);
    let at = Lines { text, file };
    match parts.as_slice() {
        ["fields", index, ..] => {
            let name = &file.fields.get(index.parse::<usize>().ok()?)?.name;
            at.field_key(name, leaf)
        }
        ["steps", index, ..] => {
            let id = &file.steps.get(index.parse::<usize>().ok()?)?.id;
            at.step_key(id, leaf)
        }
        _ => yaml::line_of_key(text, leaf),
    }
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
    if let Some(rest) = message.split("invalid type: ").nth(1) {
        return format!("jenis nilai tidak sesuai ({rest})");
    }
    message.to_string()
}

type Fail<'a> = dyn FnMut(Option<usize>, String) + 'a;

fn check_fields(at: &Lines, fail: &mut Fail) {
    let file = at.file;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut roles: BTreeMap<Role, Vec<&str>> = BTreeMap::new();
    for field in &file.fields {
        let name = field.name.as_str();
        let nth = seen.entry(name).or_default();
        let line = at.field(name, *nth);
        *nth += 1;
        if *nth == 2 {
            fail(
                line,
                format!("isian `{name}` ditulis dua kali; nama isian harus berbeda"),
            );
            continue;
        }
        let valid_name = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            fail(
                line,
                format!(
                    "nama isian `{name}` hanya boleh berisi huruf kecil, angka, dan garis bawah (_), diawali huruf"
                ),
            );
        } else if [super::HONEYPOT, super::HELD_TOKEN].contains(&name) {
            fail(
                line,
                format!("nama isian `{name}` dipakai loket sendiri; pilih nama lain"),
            );
        }
        if field.kind == FieldType::Choice && field.options.is_empty() {
            fail(
                line,
                format!("isian `{name}` berjenis choice tetapi tidak punya `options`"),
            );
        }
        if field.kind != FieldType::Choice && !field.options.is_empty() {
            fail(
                at.field_key(name, "options"),
                format!(
                    "`options` hanya untuk isian berjenis choice; `{name}` berjenis {}",
                    type_name(field.kind)
                ),
            );
        }
        for role in &field.role.0 {
            let fits = match role {
                Role::Name => field.kind == FieldType::Text,
                Role::Phone => matches!(field.kind, FieldType::Phone | FieldType::Contact),
                Role::Email => matches!(field.kind, FieldType::Email | FieldType::Contact),
            };
            if !fits {
                fail(
                    at.field_key(name, "role"),
                    format!(
                        "peran `{}` tidak cocok untuk isian berjenis {}",
                        role.as_str(),
                        type_name(field.kind)
                    ),
                );
            }
            roles.entry(*role).or_default().push(name);
        }
        if let Required::When(when) = &field.required {
            let line = at.field_key(name, "required");
            match file.fields.iter().find(|f| f.name == when.field) {
                None => fail(
                    line,
                    format!(
                        "`required: {{ when }}` menyebut isian `{}` yang tidak ada",
                        when.field
                    ),
                ),
                Some(other) if other.name == name => fail(
                    line,
                    format!("isian `{name}` tidak dapat bergantung pada dirinya sendiri"),
                ),
                Some(other) => match other.kind {
                    FieldType::Choice
                        if !other.options.is_empty()
                            && !other.values().any(|v| v == when.value) =>
                    {
                        fail(
                            line,
                            format!(
                                "isian `{}` tidak punya pilihan `{}`; pilihannya: {}",
                                other.name,
                                when.value,
                                other.values().collect::<Vec<_>>().join(", ")
                            ),
                        )
                    }
                    FieldType::Checkbox if when.value != "ya" => fail(
                        line,
                        format!(
                            "isian `{}` berjenis checkbox; nilainya bila dicentang adalah `ya`",
                            other.name
                        ),
                    ),
                    FieldType::Choice | FieldType::Checkbox => {}
                    kind => fail(
                        line,
                        format!(
                            "`required: {{ when }}` hanya dapat menyebut isian berjenis choice atau checkbox; `{}` berjenis {}",
                            other.name,
                            type_name(kind)
                        ),
                    ),
                },
            }
        }
    }
    for (role, names) in &roles {
        if let [first, second, ..] = names.as_slice() {
            let (a, b) = (at.field_key(first, "role"), at.field_key(second, "role"));
            let lines = match (a, b) {
                (Some(a), Some(b)) => format!(" (baris {a} dan {b})"),
                _ => String::new(),
            };
            fail(
                b,
                format!(
                    "peran `{}` diberikan dua kali{lines}; satu peran untuk satu isian",
                    role.as_str()
                ),
            );
        }
    }
    if !file.anonymous && !roles.contains_key(&Role::Name) {
        fail(
            at.text.lines().position(|l| l.starts_with("fields")).map(|i| i + 1),
            "tidak ada isian dengan `role: name`; beri peran itu pada isian nama, atau tulis `anonymous: true` bila formulir boleh dikirim tanpa nama".into(),
        );
    }
    if let Some(by) = &file.report_by
        && !file
            .fields
            .iter()
            .any(|f| &f.name == by && f.kind == FieldType::Choice)
    {
        fail(
            yaml::line_of_key(at.text, "report_by"),
            format!("`report_by` harus menyebut isian berjenis choice; `{by}` bukan"),
        );
    }
}

fn type_name(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Text => "text",
        FieldType::Textarea => "textarea",
        FieldType::Nik => "nik",
        FieldType::Phone => "phone",
        FieldType::Email => "email",
        FieldType::Contact => "contact",
        FieldType::Date => "date",
        FieldType::Choice => "choice",
        FieldType::Checkbox => "checkbox",
        FieldType::File => "file",
    }
}

fn check_steps(at: &Lines, fail: &mut Fail) {
    let steps = &at.file.steps;
    if steps.is_empty() {
        fail(yaml::line_of_key(at.text, "steps"), "formulir perlu paling sedikit satu langkah di `steps`; langkah pertama adalah tempat setiap kiriman mulai".into());
        return;
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        let id = step.id.as_str();
        let nth = ids.entry(id).or_default();
        let line = at.step(id, *nth);
        *nth += 1;
        if *nth == 2 {
            fail(
                line,
                format!("langkah `{id}` ditulis dua kali; id langkah harus berbeda"),
            );
            continue;
        }
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            fail(
                line,
                format!(
                    "id langkah `{id}` hanya boleh berisi huruf kecil, angka, dan tanda hubung (-)"
                ),
            );
        }
        if i > 0 && step.label.is_none() {
            fail(
                line,
                format!("langkah `{id}` perlu `label`: judul tindakan yang dilihat petugas"),
            );
        }
        for alias in &step.aliases {
            if steps.iter().any(|s| &s.id == alias) {
                fail(
                    at.step_key(id, "aliases"),
                    format!("nama lama `{alias}` sudah menjadi id langkah lain"),
                );
            }
        }
        if step.is_final && !step.next.is_empty() {
            fail(
                at.step_key(id, "next"),
                format!("langkah akhir `{id}` tidak boleh punya `next`"),
            );
        }
        if !step.is_final && step.next.is_empty() {
            fail(
                line,
                format!(
                    "langkah `{id}` tidak punya `next` dan bukan langkah akhir; tulis langkah berikutnya, atau `final: true`"
                ),
            );
        }
        for next in &step.next {
            if !steps.iter().any(|s| &s.id == next) {
                fail(
                    at.step_key(id, "next"),
                    format!("langkah `{id}` menyebut langkah berikutnya `{next}` yang tidak ada"),
                );
            }
        }
    }
    // Every step must be reachable from the first.
    let mut reached: BTreeSet<&str> = BTreeSet::from([steps[0].id.as_str()]);
    let mut todo = vec![&steps[0]];
    while let Some(step) = todo.pop() {
        for next in &step.next {
            if let Some(s) = steps.iter().find(|s| &s.id == next)
                && reached.insert(s.id.as_str())
            {
                todo.push(s);
            }
        }
    }
    let mut reported = BTreeSet::new();
    for step in steps {
        if !reached.contains(step.id.as_str()) && reported.insert(step.id.as_str()) {
            fail(
                at.step(&step.id, 0),
                format!(
                    "langkah `{}` tidak dapat dicapai dari langkah pertama `{}`",
                    step.id, steps[0].id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
