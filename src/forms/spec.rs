//! The form file: one YAML file per form in `forms/` at the site root, the
//! contract offices write (docs/formulir.md). [`FormFile`] is what the file
//! says; [`FormSpec`] is a file that passed the checks of
//! [`crate::forms::registry`], with the words derived from it.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

/// A form's id: the file stem (`[a-z0-9-]+`), also the `kind:` of its records.
pub type FormId = Arc<str>;
/// A step's id (`diperiksa`), also the `status:` of a record in that step.
pub type StepId = String;

/// What the desk posts to move a case to another form (`langkah=pindah`):
/// no step may have this id.
pub const MOVE_STEP: &str = "pindah";

/// What a form file says.
#[derive(Debug, Clone, Deserialize)]
pub struct FormFile {
    /// What citizens and staff call the form.
    pub title: String,
    /// What a submission is called in running text ("permohonan", "pengaduan").
    pub noun: String,
    /// URL of the service page whose standard applies.
    pub service: String,
    /// Two capital letters that start its tickets.
    pub ticket_prefix: String,
    pub term: Term,
    #[serde(default = "one")]
    pub version: u32,
    /// An anonymous form (issue 28): no field asks who the citizen is (no
    /// `role: name`, phone, email or NIK field), so its cases get no access
    /// code, no status lookup and no mail to the citizen, and are
    /// confidential (`by: anonim`).
    #[serde(default)]
    pub anonymous: bool,
    /// A choice field whose values the report and inbox split cases by.
    pub report_by: Option<String>,
    /// The heading above the form, with a "Langsung ke formulir" link.
    pub heading: Option<String>,
    /// The submit button's text (default "Kirim").
    pub submit: Option<String>,
    /// A pointer to another form, for whoever landed on the wrong one.
    pub signpost: Option<Signpost>,
    /// What happens after sending, one sentence each: the receipt's
    /// "Langkah selanjutnya". A line with `when: { FIELD: VALUE }` is only
    /// for the cases whose choice holds that value.
    #[serde(default)]
    pub next_steps: Vec<NextStep>,
    pub fields: Vec<FieldSpec>,
    pub steps: Vec<StepSpec>,
}

fn one() -> u32 {
    1
}

/// The promise of the service standard: exactly one of `days` (working
/// days), `calendar_days` or `hours` (within office hours), counted until
/// the case is completed or first answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Term {
    pub days: Option<u32>,
    pub calendar_days: Option<u32>,
    pub hours: Option<u32>,
    pub until: Until,
}

/// What the term is counted until.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Until {
    /// Completed by then ("diselesaikan").
    Selesai,
    /// First answered by then ("ditanggapi").
    Tanggapan,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Signpost {
    pub text: String,
    pub href: String,
    pub link: String,
}

/// Its name, as the form file writes it, is its `Display` and `&str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::Display, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum FieldType {
    /// One line of text (default at most 150 characters).
    Text,
    /// Several lines of text (default at most 300 characters).
    Textarea,
    /// A 16-digit NIK, checked as today.
    Nik,
    /// An Indonesian mobile number.
    Phone,
    Email,
    /// A mobile number or an email address.
    Contact,
    Date,
    Choice,
    /// Checked means the value "ya".
    Checkbox,
    File,
}

impl FieldType {
    pub const NAMES: &str =
        "text, textarea, nik, phone, email, contact, date, choice, checkbox, file";
}

/// What a field is used for besides being shown to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// The citizen's name (inbox, mail, the desk).
    Name,
    /// The mobile number staff contact by WhatsApp.
    Phone,
    /// The address mail goes to.
    Email,
    /// A checkbox the citizen ticks to ask that their identity be kept
    /// confidential: the case is then seen only by the complaint handlers.
    Confidential,
    /// The other party of a complaint (termohon): a case with one is a
    /// mediation, and its documents name them.
    Respondent,
    /// The other party's address or contact (the invitation's "Kepada").
    RespondentContact,
    /// The scan of the identity card (a file field): withheld from staff
    /// who may only read a case (pimpinan, issue 28).
    Ktp,
}

/// File types a file field accepts, and an uploaded file's type as its
/// first bytes say ([`FileKind::sniff`]; never by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    /// As citizens read it: "JPG".
    pub fn word(self) -> &'static str {
        match self {
            FileKind::Jpeg => "JPG",
            FileKind::Png => "PNG",
            FileKind::Pdf => "PDF",
        }
    }

    /// Recognises a type from the start of a file; needs up to 8 bytes.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }

    /// The extensions an `accept:` entry may name; the first is the one a
    /// stored file gets (changing the order renames files staff find).
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Pdf => &["pdf"],
        }
    }

    /// The extension a stored file of this type gets.
    pub fn extension(self) -> &'static str {
        self.extensions()[0]
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    /// The label on the form ("Nama lengkap").
    pub label: String,
    pub hint: Option<String>,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: Required,
    /// Personal data: redacted by purge, never mailed or logged.
    #[serde(default)]
    pub personal: bool,
    #[serde(default)]
    pub role: Roles,
    #[serde(default)]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub accept: Vec<FileKind>,
    pub max_mb: Option<u64>,
    /// At most this many characters (text, textarea).
    pub max: Option<usize>,
    /// What an empty required field says.
    pub missing: Option<String>,
    /// How error messages name the field, when not the label with its first
    /// letter lowered ("alamat" for "Alamat sesuai KTP").
    pub error_label: Option<String>,
    /// The fieldset the field is shown in ("Data pemohon").
    pub group: Option<String>,
    pub rows: Option<u8>,
    pub autocomplete: Option<String>,
}

impl FieldSpec {
    /// The largest file this field takes: its `max_mb`, never more than
    /// the server's limit for every file (`max_file_bytes`).
    pub fn max_file_bytes(&self, max_file_bytes: u64) -> u64 {
        self.max_mb.map_or(max_file_bytes, |mb| {
            mb.saturating_mul(1024 * 1024).min(max_file_bytes)
        })
    }

    /// The file types this field takes (`accept`; all three when empty).
    pub fn accepted(&self) -> &[FileKind] {
        if self.accept.is_empty() {
            &[FileKind::Jpeg, FileKind::Png, FileKind::Pdf]
        } else {
            &self.accept
        }
    }

    /// "JPG, PNG, atau PDF", as the form and its errors name the types.
    pub fn accept_words(&self) -> String {
        let names: Vec<&str> = self.accepted().iter().map(|k| k.word()).collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, [one])) => format!("{one} atau {last}"),
            Some((last, rest)) => format!("{}, atau {last}", rest.join(", ")),
        }
    }

    /// The `accept` attribute of its input.
    pub fn accept_attribute(&self) -> String {
        let mut parts = Vec::new();
        for kind in self.accepted() {
            parts.extend(kind.extensions().iter().map(|e| format!(".{e}")));
        }
        for kind in self.accepted() {
            parts.push(kind.mime().to_string());
        }
        parts.join(",")
    }

    /// The most characters a text field takes.
    pub fn max_chars(&self) -> Option<usize> {
        match self.kind {
            FieldType::Text => Some(self.max.unwrap_or(150)),
            FieldType::Textarea => Some(self.max.unwrap_or(300)),
            _ => self.max,
        }
    }

    /// The values a choice offers.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.options.iter().map(|c| c.value.as_str())
    }

    /// "wajib", "opsional", or "wajib untuk OPTION" (shown after the label):
    /// the option's label in `form` as people read it, not its stored value.
    pub fn need_text(&self, form: &FormSpec) -> String {
        match &self.required {
            Required::Yes => "wajib".into(),
            Required::No => "opsional".into(),
            Required::When(when) => {
                let label = form
                    .field(&when.field)
                    .and_then(|f| f.options.iter().find(|c| c.value == when.value))
                    .map_or(when.value.as_str(), |c| c.label.as_str());
                format!("wajib untuk {}", lowered_first(label))
            }
        }
    }

    /// How error messages name the field: `error_label`, or the label with
    /// its first letter lowered unless the second is a capital too
    /// ("Fotokopi KTP" → "fotokopi KTP", "NIK" stays).
    pub fn error_label(&self) -> String {
        if let Some(label) = &self.error_label {
            return label.clone();
        }
        lowered_first(&self.label)
    }
}

/// A label inside a sentence: its first letter lowered unless the second is
/// a capital too ("Fotokopi KTP" → "fotokopi KTP", "NIK" stays).
fn lowered_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => first
            .to_lowercase()
            .chain(label[first.len_utf8()..].chars())
            .collect(),
        _ => label.to_string(),
    }
}

/// Whether a field must be filled: `true`, `false`, or
/// `{ when: { FIELD: VALUE } }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Required {
    Yes,
    #[default]
    No,
    When(When),
}

/// A line of the receipt's "Langkah selanjutnya": `"…"`, or
/// `{ text: "…", when: { FIELD: VALUE } }` for one branch of a choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub text: String,
    pub when: Option<When>,
}

/// Required only when another field holds a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub field: String,
    pub value: String,
}

/// An option of a choice: `"Kuliner"` (value and label alike) or
/// `{ value, label, report }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// How the monthly report names the cases with this value.
    pub report: Option<String>,
}

/// `role: name`, or a list (`[phone, email]` for a `contact` field).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roles(pub Vec<Role>);

impl Roles {
    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }
}

/// A form file that passed every check of [`crate::forms::registry`].
#[derive(Debug, Clone)]
pub struct FormSpec {
    pub id: FormId,
    /// Where it was read, as people see it (`forms/permohonan.yaml`).
    pub path: PathBuf,
    pub file: FormFile,
}

impl Deref for FormSpec {
    type Target = FormFile;
    fn deref(&self) -> &FormFile {
        &self.file
    }
}

impl FormSpec {
    /// The next steps of a case whose fields give `value_of`: the lines for
    /// every case and those of the branch it chose, none of another.
    pub fn next_steps_for<'a>(&self, value_of: impl Fn(&str) -> Option<&'a str>) -> Vec<String> {
        self.next_steps
            .iter()
            .filter(|s| {
                s.when
                    .as_ref()
                    .is_none_or(|w| value_of(&w.field) == Some(w.value.as_str()))
            })
            .map(|s| s.text.clone())
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The step with this id or alias.
    pub fn step(&self, id: &str) -> Option<&StepSpec> {
        self.steps
            .iter()
            .find(|s| s.id == id || s.aliases.iter().any(|a| a == id))
    }

    /// Where every case starts.
    pub fn first_step(&self) -> &StepSpec {
        &self.steps[0]
    }

    /// The steps before any that belongs to this form alone: the first, and
    /// the checking steps right after it (not final). A case may move to
    /// another form only while in one of these.
    pub fn early_steps(&self) -> impl Iterator<Item = &StepSpec> {
        let first = self.first_step();
        std::iter::once(first).chain(
            first
                .next
                .iter()
                .filter_map(|id| self.step(id))
                .filter(|s| !s.is_final),
        )
    }

    /// The step of this form a case in the early step `id` of `from` takes
    /// when moved here: the same id (or alias), else the step in the same
    /// place (new stays new, checked stays checked).
    pub fn matching_step(&self, from: &FormSpec, id: &str) -> Option<&StepSpec> {
        let same = self.step(id).map(|s| &s.id);
        if let Some(same) = self.early_steps().find(|s| Some(&s.id) == same) {
            return Some(same);
        }
        if from.first_step().id == id {
            return Some(self.first_step());
        }
        self.early_steps().nth(1)
    }

    /// The step ids in the file's order, as `loket status --help` and the
    /// inbox filter list them.
    pub fn step_ids(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.id.as_str())
    }

    /// The field that plays `role`, if any.
    pub fn role(&self, role: Role) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.role.has(role))
    }

    pub fn nik_field(&self) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.kind == FieldType::Nik)
    }

    pub fn file_fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.fields.iter().filter(|f| f.kind == FieldType::File)
    }

    /// The verb of the term: ("diselesaikan", "selesai") or
    /// ("ditanggapi", "ditanggapi").
    pub fn verb(&self) -> (&'static str, &'static str) {
        match self.term.until {
            Until::Selesai => ("diselesaikan", "selesai"),
            Until::Tanggapan => ("ditanggapi", "ditanggapi"),
        }
    }
}

impl AsRef<FormSpec> for FormSpec {
    fn as_ref(&self) -> &FormSpec {
        self
    }
}

mod de;
mod step;

pub use step::{Again, Need, Outcome, ReferralSpec, StepSpec};

#[cfg(test)]
mod tests {
    use super::FileKind;

    #[test]
    fn a_stored_file_keeps_its_extension() {
        let stored = [FileKind::Jpeg, FileKind::Png, FileKind::Pdf].map(FileKind::extension);
        assert_eq!(stored, ["jpg", "png", "pdf"]);
    }
}
