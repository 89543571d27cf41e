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

/// Whether `id` is a form's, step's or outcome's id: lowercase letters,
/// digits and `-`, not empty.
pub(super) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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
                    field.kind
                ),
            );
        }
        for role in &field.role.0 {
            let fits = match role {
                Role::Name => field.kind == FieldType::Text,
                Role::Phone => matches!(field.kind, FieldType::Phone | FieldType::Contact),
                Role::Email => matches!(field.kind, FieldType::Email | FieldType::Contact),
                Role::Confidential => field.kind == FieldType::Checkbox,
                Role::Respondent => field.kind == FieldType::Text,
                Role::RespondentContact => matches!(
                    field.kind,
                    FieldType::Text
                        | FieldType::Textarea
                        | FieldType::Contact
                        | FieldType::Phone
                        | FieldType::Email
                ),
                Role::Ktp => field.kind == FieldType::File,
            };
            if !fits {
                fail(
                    at.field_key(name, "role"),
                    format!(
                        "peran `{}` tidak cocok untuk isian berjenis {}",
                        role, field.kind
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
                            other.name, kind
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
                    role
                ),
            );
        }
    }
    if let Some(field) = file.fields.iter().find(|f| f.role.has(Role::Confidential))
        && field.required != Required::No
    {
        fail(
            at.field_key(&field.name, "required"),
            format!(
                "isian `{}` (`role: confidential`) tidak boleh wajib: pemohon memilih sendiri apakah identitasnya dirahasiakan",
                field.name
            ),
        );
    }
    if file.anonymous {
        anonymous(at, fail);
    } else if !roles.contains_key(&Role::Name) {
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

/// An anonymous form asks nothing that says who the citizen is: its cases
/// get no mail and no access code, so a name, contact or NIK would only be
/// kept, never used (docs/formulir.md).
fn anonymous(at: &Lines, fail: &mut Fail) {
    let line = yaml::line_of_key(at.text, "anonymous");
    let said = line.map(|l| format!(" (baris {l})")).unwrap_or_default();
    for field in &at.file.fields {
        let why = if field.kind == FieldType::Nik {
            "meminta NIK".to_string()
        } else if let Some(role) = field.role.0.iter().find(|r| **r != Role::Confidential) {
            format!("punya `role: {role}`")
        } else if field.role.has(Role::Confidential) {
            "punya `role: confidential` (kasus formulir anonim sudah dirahasiakan)".to_string()
        } else {
            continue;
        };
        fail(
            at.field_key(&field.name, "role").or(line),
            format!(
                "formulir ini `anonymous: true`{said}, tetapi isian `{}` {why}; formulir anonim tidak meminta identitas (nama, kontak, NIK): hapus isian itu atau hapus `anonymous: true`",
                field.name
            ),
        );
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
        if !is_id(id) {
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
        if step.asks_citizen && at.file.anonymous {
            fail(
                at.step_key(id, "asks_citizen"),
                format!(
                    "langkah `{id}` meminta kelengkapan dari pemohon (`asks_citizen`), tetapi formulir ini `anonymous: true`: pengirimnya tidak dapat membuka Cek Status untuk menjawab"
                ),
            );
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
        outcomes(at, step, fail);
        if let Some(referral) = &step.referral {
            let line = at.step_key(id, "referral");
            if referral.to.is_empty() || referral.to.iter().any(|t| t.trim().is_empty()) {
                fail(
                    line,
                    format!(
                        "langkah `{id}`: `referral` perlu `to`, daftar instansi tujuan rujukan (mis. `to: [\"Inspektorat Daerah\"]`)"
                    ),
                );
            }
            if i == 0 || step.asks_citizen || !step.needs.is_empty() {
                fail(
                    line,
                    format!(
                        "langkah `{id}` dengan `referral` {}",
                        if i == 0 {
                            "tidak dapat menjadi langkah pertama: langkah itu diambil sebelum petugas memeriksa apa pun"
                        } else {
                            "tidak boleh punya `needs` atau `asks_citizen`: meja layanan menampilkan satu isian per langkah, di sini tujuan, nomor, dan tanggal surat rujukan"
                        }
                    ),
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

/// A step's `outcomes:`: only on a final step; ids as step ids are, each
/// once; a label for each.
fn outcomes(at: &Lines, step: &crate::forms::spec::StepSpec, fail: &mut Fail) {
    if step.outcomes.is_empty() {
        return;
    }
    let id = step.id.as_str();
    let line = at.step_key(id, "outcomes");
    if !step.is_final {
        fail(
            line,
            format!(
                "langkah `{id}` bukan langkah akhir; `outcomes` (kategori hasil) hanya untuk langkah dengan `final: true`"
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for o in &step.outcomes {
        if !is_id(&o.id) {
            fail(
                line,
                format!(
                    "kategori hasil `{}` di langkah `{id}`: id hanya boleh berisi huruf kecil, angka, dan tanda hubung (-)",
                    o.id
                ),
            );
        }
        if !seen.insert(o.id.as_str()) {
            fail(
                line,
                format!(
                    "kategori hasil `{}` ditulis dua kali di langkah `{id}`",
                    o.id
                ),
            );
        }
        if o.label.trim().is_empty() {
            fail(
                line,
                format!("kategori hasil `{}` di langkah `{id}` perlu `label`", o.id),
            );
        }
    }
}
