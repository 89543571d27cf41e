//! What a history entry adds to a case without a step: the citizen's
//! answer on `/cek-status/` (files and a reply), files staff attach, or
//! the values staff set for the case's documents.

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
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// The values of the case's documents staff set (what, never the
    /// values: [`super::Documents::changes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

/// Who added: the citizen, or staff on the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddedFrom {
    Pemohon,
    Petugas,
}
