//! Why and since when a case is kept from everyone but the complaint
//! handlers (issue 28): the citizen asked, the form is anonymous, or staff
//! marked it ([`crate::work::confidential`]).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{moment, whole_seconds_in_wib};
use crate::forms::spec::{FormSpec, Role};

/// Why and since when a case is confidential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confidential {
    /// `pemohon` (the citizen asked on the form), `anonim` (an anonymous
    /// form), or the login of the staff member who marked it.
    pub by: String,
    /// Why, in the words of whoever marked it ("" when the citizen asked).
    #[serde(default)]
    pub reason: String,
    #[serde(with = "moment")]
    pub at: OffsetDateTime,
}

impl Confidential {
    /// `by` of a case from an anonymous form.
    pub const ANONYMOUS: &str = "anonim";
    /// `by` of a case whose citizen ticked the form's confidentiality box.
    pub const ASKED: &str = "pemohon";

    /// Whether a new case of `form` with `fields` is confidential from the
    /// start, the one rule for the web form and the desk's new case: an
    /// anonymous form's always, and one whose citizen ticked the box with
    /// `role: confidential`.
    pub fn asked(
        form: &FormSpec,
        fields: &[(String, String)],
        at: OffsetDateTime,
    ) -> Option<Confidential> {
        let ticked = || {
            let field = form.role(Role::Confidential)?;
            fields
                .iter()
                .find(|(k, _)| *k == field.name)
                .filter(|(_, v)| v == "ya")
        };
        let by = if form.anonymous {
            Confidential::ANONYMOUS
        } else if ticked().is_some() {
            Confidential::ASKED
        } else {
            return None;
        };
        Some(Confidential {
            by: by.to_string(),
            reason: String::new(),
            at: whole_seconds_in_wib(at),
        })
    }

    /// Whether the case came from an anonymous form: nobody to tell.
    pub fn is_anonymous(&self) -> bool {
        self.by == Confidential::ANONYMOUS
    }
}
