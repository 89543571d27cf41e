//! What a history entry adds to a case without a step: the citizen's
//! answer on `/cek-status/` (files and a reply), or files staff attach.

use serde::{Deserialize, Serialize};

use super::text;

/// What a history entry added without a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub from: AddedFrom,
    /// Stored names of the attachments it added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The citizen's reply, as typed.
    #[serde(
        default,
        deserialize_with = "text::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reply: Option<String>,
}

/// Who added: the citizen, or staff on the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddedFrom {
    Pemohon,
    Petugas,
}
