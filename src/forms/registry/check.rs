//! The checks of one form file that need only the file, each naming its
//! line (`forms/ID.yaml:LINE: message`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::core::yaml;
use crate::forms::spec::{FieldType, FormFile, Required, Role};

/// Finds the lines of a form file's entries.
pub(super) struct Lines<'a> {
    pub text: &'a str,
    pub file: &'a FormFile,
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
pub(super) fn line_of_path(text: &str, file: &FormFile, path: &str) -> Option<usize> {
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

pub(super) type Fail<'a> = dyn FnMut(Option<usize>, String) + 'a;

pub(super) fn fields(at: &Lines, fail: &mut Fail) {
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
        } else if [crate::forms::HONEYPOT, crate::forms::HELD_TOKEN].contains(&name) {
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
                Role::Respondent => field.kind == FieldType::Text,
                Role::RespondentContact => matches!(
                    field.kind,
                    FieldType::Text
                        | FieldType::Textarea
                        | FieldType::Contact
                        | FieldType::Phone
                        | FieldType::Email
                ),
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
    for step in &file.next_steps {
        let Some(when) = &step.when else { continue };
        let choice = file
            .fields
            .iter()
            .find(|f| f.name == when.field && f.kind == FieldType::Choice);
        match choice {
            None => fail(
                yaml::line_of_key(at.text, "next_steps"),
                format!(
                    "`next_steps`: `when` harus menyebut isian berjenis choice; `{}` bukan",
                    when.field
                ),
            ),
            Some(choice) if !choice.values().any(|v| v == when.value) => fail(
                yaml::line_of_key(at.text, "next_steps"),
                format!(
                    "`next_steps`: isian `{}` tidak punya pilihan `{}`; pilihannya: {}",
                    choice.name,
                    when.value,
                    choice.values().collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(_) => {}
        }
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

pub(super) fn steps(at: &Lines, fail: &mut Fail) {
    let steps = &at.file.steps;
    if steps.is_empty() {
        fail(yaml::line_of_key(at.text, "steps"), "formulir perlu paling sedikit satu langkah di `steps`; langkah pertama adalah tempat setiap kasus mulai".into());
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
        if id == crate::forms::spec::MOVE_STEP {
            fail(
                line,
                format!(
                    "id langkah `{id}` dipakai meja layanan untuk memindahkan kasus ke formulir lain; pilih id lain"
                ),
            );
        }
        if step.needs.len() > 1 {
            fail(
                at.step_key(id, "needs"),
                format!(
                    "langkah `{id}` hanya boleh meminta satu hal di `needs` (meja layanan menampilkan satu isian per langkah); bagi menjadi dua langkah"
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
        if step.asks_citizen && (i == 0 || step.is_final) {
            fail(
                at.step_key(id, "asks_citizen"),
                format!(
                    "langkah `{id}` tidak dapat meminta kelengkapan dari pemohon (`asks_citizen`): {}",
                    if i == 0 {
                        "langkah pertama diambil sebelum petugas memeriksa apa pun"
                    } else {
                        "langkah akhir menutup kasus, jadi pemohon tidak dapat lagi mengirim kekurangannya"
                    }
                ),
            );
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
