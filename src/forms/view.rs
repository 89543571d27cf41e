//! What a form page shows ([`FormView`]): empty when the site is built, and
//! filled by the server when it sends a form back with errors, with what
//! was typed, the messages, and the files kept for the next round.

use std::collections::BTreeMap;

use serde::Serialize;

use super::validate::{FieldError, format_size};
use super::{FieldType, FormKind, HELD_TOKEN, HONEYPOT};

/// What a form page shows: the values typed and what is wrong with them.
#[derive(Debug, Clone, Serialize)]
pub struct FormView {
    pub kind: FormKind,
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
    /// An empty form.
    pub fn new(kind: FormKind, action: &str, max_file_mb: u64) -> FormView {
        let values = kind
            .fields()
            .iter()
            .filter(|f| f.kind != FieldType::File)
            .map(|f| (f.name.to_string(), String::new()))
            .collect();
        FormView {
            kind,
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
