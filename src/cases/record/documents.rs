//! What staff type for a case's printed documents (issue 28): the letter
//! numbers of the meeting invitations, the outcome of a mediation's berita
//! acara, and who signs "Mengetahui". Kept with the case so that a reprint
//! is the same document.

use serde::{Deserialize, Serialize};

use super::text;
use crate::office::config::Signatory;

/// The values a case's documents print besides the case itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documents {
    /// The number of the letter inviting the applicant to the meeting.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub invitation_number: Option<String>,
    /// The number of the letter inviting the other party (termohon).
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub respondent_invitation_number: Option<String>,
    /// Whether the parties of a mediation agreed (berita acara).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
    /// What they agreed, or why they did not, as the berita acara says it.
    #[serde(default, with = "text", skip_serializing_if = "Option::is_none")]
    pub agreement_text: Option<String>,
    /// Who signs "Mengetahui" (the head of division), as printed: kept as
    /// it was chosen, so a later change of their profile does not change
    /// a document already signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<Signatory>,
}

/// The outcome of a mediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    /// Kesepakatan tercapai.
    Reached,
    /// Kesepakatan tidak tercapai.
    NotReached,
}

impl Agreement {
    /// As the form posts it and the documents read it.
    pub fn id(self) -> &'static str {
        match self {
            Agreement::Reached => "tercapai",
            Agreement::NotReached => "tidak-tercapai",
        }
    }

    pub fn parse(text: &str) -> Option<Agreement> {
        let text = text.trim();
        [Agreement::Reached, Agreement::NotReached]
            .into_iter()
            .find(|a| a.id() == text)
    }
}

impl Documents {
    pub fn is_empty(&self) -> bool {
        *self == Documents::default()
    }

    /// What differs from `before`, in staff's words (the history entry
    /// and the audit line name these, never the values).
    pub fn changes(&self, before: &Documents) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.invitation_number != before.invitation_number {
            changed.push("nomor surat undangan pemohon");
        }
        if self.respondent_invitation_number != before.respondent_invitation_number {
            changed.push("nomor surat undangan termohon");
        }
        if self.agreement != before.agreement || self.agreement_text != before.agreement_text {
            changed.push("hasil berita acara");
        }
        if self.acknowledged_by != before.acknowledged_by {
            changed.push("penanda tangan mengetahui");
        }
        changed
    }
}
