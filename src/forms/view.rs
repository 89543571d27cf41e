//! What a form page shows ([`FormView`]): empty when the site is built, and
//! filled by the server when it sends a form back with errors, with what
//! was typed, the messages, and the files kept for the next round.

use std::collections::BTreeMap;

use serde::Serialize;

use super::spec::{FieldSpec, FieldType as SpecType, FormSpec, Signpost};
use super::validate::{FieldError, format_size};
use super::{HELD_TOKEN, HONEYPOT};

/// What a form page shows: the values typed and what is wrong with them.
#[derive(Debug, Clone, Serialize)]
pub struct FormView {
    /// The form file's heading, button and signpost.
    pub spec: SpecView,
    /// The fields to show, in groups, in the file's order (checkboxes apart).
    pub groups: Vec<GroupView>,
    /// The checkboxes, shown after the privacy notice.
    pub checkboxes: Vec<FieldView>,
    /// URL the form posts to (its own page).
    pub action: String,
    /// Every text field, "" when empty.
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    /// The errors in form order, for the summary at the top.
    pub error_list: Vec<FormError>,
    pub max_file_mb: u64,
    pub honeypot: &'static str,
    /// Files kept from an earlier round, by field, shown next to their input.
    pub held: BTreeMap<String, HeldFile>,
    /// Name and value of the hidden field that brings them back ("" for none).
    pub held_token_name: &'static str,
    pub held_token: String,
    /// Files were chosen but could not be kept: the form asks for them again.
    pub reselect: bool,
}

/// A held file as the form names it: the citizen's own file name and its
/// size ("1,2 MB").
#[derive(Debug, Clone, Serialize)]
pub struct HeldFile {
    pub name: String,
    pub size: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormError {
    pub field: String,
    /// Id of the input the summary links to.
    pub id: String,
    pub message: String,
}

impl FormView {
    /// An empty form, shown as its form file `spec` says; `purpose` is
    /// what the privacy notice says the data is used for.
    pub fn new(spec: &FormSpec, action: &str, max_file_mb: u64, purpose: &str) -> FormView {
        let values = spec
            .fields
            .iter()
            .filter(|f| f.kind != SpecType::File)
            .map(|f| (f.name.clone(), String::new()))
            .collect();
        FormView {
            spec: SpecView {
                id: spec.id.to_string(),
                noun: spec.noun.clone(),
                purpose: purpose.to_string(),
                asks_nik: spec.nik_field().is_some(),
                heading: spec.heading.clone().unwrap_or_default(),
                submit: spec.submit.clone().unwrap_or_else(|| "Kirim".into()),
                signpost: spec.signpost.clone(),
            },
            groups: groups(spec, max_file_mb),
            checkboxes: spec
                .fields
                .iter()
                .filter(|f| f.kind == SpecType::Checkbox)
                .map(|f| field_view(spec, f, max_file_mb))
                .collect(),
            action: action.to_string(),
            values,
            errors: BTreeMap::new(),
            error_list: Vec::new(),
            max_file_mb,
            honeypot: HONEYPOT,
            held: BTreeMap::new(),
            held_token_name: HELD_TOKEN,
            held_token: String::new(),
            reselect: false,
        }
    }

    /// The form again, with what was typed and the errors (files: see
    /// [`FormView::with_held`]).
    pub fn with_input(
        mut self,
        typed: &BTreeMap<String, String>,
        errors: &[FieldError],
    ) -> FormView {
        for (name, value) in self.values.iter_mut() {
            if let Some(v) = typed.get(name) {
                value.clone_from(v);
            }
        }
        for e in errors {
            self.errors.insert(e.field.to_string(), e.message.clone());
            self.error_list.push(FormError {
                field: e.field.to_string(),
                id: format!("f-{}", e.field),
                message: e.message.clone(),
            });
        }
        self
    }

    /// The files kept for the next round under `token`, each as (field,
    /// the citizen's file name, size in bytes).
    pub fn with_held<'a>(
        mut self,
        token: &str,
        files: impl IntoIterator<Item = (&'a str, &'a str, u64)>,
    ) -> FormView {
        self.held_token = token.to_string();
        for (field, name, size) in files {
            let held = HeldFile {
                name: name.to_string(),
                size: format_size(size),
            };
            self.held.insert(field.to_string(), held);
        }
        self
    }

    /// Files were chosen but could not be kept: the form asks for them again.
    pub fn asking_again(mut self) -> FormView {
        self.reselect = true;
        self
    }
}

/// The form file's presentation keys, as the template reads them.
#[derive(Debug, Clone, Serialize)]
pub struct SpecView {
    pub id: String,
    pub noun: String,
    /// What the data is used for (the privacy notice).
    pub purpose: String,
    /// Whether the form asks for a NIK (and so the KTP, in the notice).
    pub asks_nik: bool,
    /// The heading over the form, with the "Langsung ke formulir" link ("" for none).
    pub heading: String,
    pub submit: String,
    pub signpost: Option<Signpost>,
}

/// Consecutive fields of one `group` (a `<fieldset>` with this legend), or
/// fields in no group (legend "").
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub legend: String,
    pub fields: Vec<FieldView>,
}

/// One field, ready for its component in `form-components.html`.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// A file input's `accept` attribute ("" for other fields).
    pub accept: String,
    pub name: String,
    pub label: String,
    /// "wajib", "opsional", "wajib untuk …".
    pub need: String,
    /// The field type of the form file (text, choice, file, …).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The `type` of an `<input>`: text, tel, email or date.
    pub input_type: &'static str,
    pub hint: String,
    pub rows: u8,
    pub autocomplete: String,
    /// "numeric" for a NIK.
    pub inputmode: &'static str,
    /// A narrow input (NIK, phone).
    pub short: bool,
    pub options: Vec<OptionView>,
    /// The id of the "Silakan pilih ulang berkas Anda." note a file field
    /// points to ("" for other fields).
    pub note_id: String,
    /// The note is this field's own (a file outside any group).
    pub own_note: bool,
    /// The first file field of the form: the held-files token goes before it.
    pub held_token: bool,
    /// The first file field of a group: the group's note goes before it.
    pub group_note: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
}

/// `f-SLUG-ulang` for a group's note: "Dokumen" → "f-dokumen-ulang".
fn group_note_id(legend: &str) -> String {
    let slug: String = legend
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-");
    format!("f-{slug}-ulang")
}

fn field_view(spec: &FormSpec, f: &FieldSpec, max_file_mb: u64) -> FieldView {
    let own_hint = f.hint.clone().unwrap_or_default();
    let hint = if f.kind == SpecType::File {
        let mb = f.max_mb.map_or(max_file_mb, |mb| mb.min(max_file_mb));
        let size = format!("Berkas {}, paling besar {mb} MB.", f.accept_words());
        if own_hint.is_empty() {
            size
        } else {
            format!("{size} {own_hint}")
        }
    } else {
        own_hint
    };
    let file = f.kind == SpecType::File;
    FieldView {
        accept: if file {
            f.accept_attribute()
        } else {
            String::new()
        },
        name: f.name.clone(),
        label: f.label.clone(),
        need: f.need_text(spec),
        kind: f.kind.into(),
        input_type: match f.kind {
            SpecType::Phone => "tel",
            SpecType::Email => "email",
            SpecType::Date => "date",
            _ => "text",
        },
        hint,
        rows: f.rows.unwrap_or(3),
        autocomplete: f.autocomplete.clone().unwrap_or_default(),
        inputmode: if f.kind == SpecType::Nik {
            "numeric"
        } else {
            ""
        },
        short: matches!(f.kind, SpecType::Nik | SpecType::Phone),
        options: f
            .options
            .iter()
            .map(|c| OptionView {
                value: c.value.clone(),
                label: c.label.clone(),
            })
            .collect(),
        note_id: match (&f.group, file) {
            (_, false) => String::new(),
            (Some(g), true) => group_note_id(g),
            (None, true) => format!("f-{}-ulang", f.name),
        },
        own_note: file && f.group.is_none(),
        held_token: false,
        group_note: false,
    }
}

/// The fields in the form file's order, cut into groups; checkboxes are
/// left out (they follow the privacy notice).
fn groups(spec: &FormSpec, max_file_mb: u64) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = Vec::new();
    let mut seen_file = false;
    for f in spec.fields.iter().filter(|f| f.kind != SpecType::Checkbox) {
        let legend = f.group.clone().unwrap_or_default();
        let mut view = field_view(spec, f, max_file_mb);
        let same = groups
            .last()
            .is_some_and(|g| g.legend == legend && !legend.is_empty());
        if !same {
            groups.push(GroupView {
                legend,
                fields: Vec::new(),
            });
        }
        let group = groups.last_mut().expect("pushed above");
        if f.kind == SpecType::File {
            view.held_token = !seen_file;
            seen_file = true;
            view.group_note =
                !group.legend.is_empty() && !group.fields.iter().any(|g| g.kind == "file");
        }
        group.fields.push(view);
    }
    groups
}
