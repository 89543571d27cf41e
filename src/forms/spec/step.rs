//! A form's procedure as its file says it: each step ([`StepSpec`]), what
//! it asks staff for ([`Need`]), its outcome categories and referral.

use serde::Deserialize;

/// What a step asks staff for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// A note for the file.
    Note,
    /// Why the case is refused (told to the citizen).
    Reason,
    /// The outcome (told to the citizen, printed in the product).
    Result,
    /// Date, time and place of a meeting.
    Meeting,
    /// Whether the documents are complete (yes/no).
    FilesComplete,
    /// What the citizen is asked for, as the public message: every step
    /// with `asks_citizen: true` needs it (not written in `needs`).
    #[serde(skip)]
    Request,
    /// One of the step's outcome categories (`outcomes:`): every step
    /// with some needs it (not written in `needs`).
    #[serde(skip)]
    Outcome,
    /// To whom the case is referred (one of the step's `referral.to`), the
    /// letter's number (optional) and date: every step with `referral:`
    /// needs it (not written in `needs`).
    #[serde(skip)]
    Referral,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StepSpec {
    pub id: String,
    /// The desk's action title ("Periksa kelengkapan berkas"); every step
    /// but the first has one.
    pub label: Option<String>,
    /// The button's text (default: the label).
    pub button: Option<String>,
    /// Title and button when the step repeats itself.
    pub again: Option<Again>,
    /// The state as staff read it (default: the id, '-' as spaces, capitalised).
    pub name: Option<String>,
    /// The state as the citizen reads it.
    pub status: String,
    #[serde(default)]
    pub next: Vec<String>,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Older ids of this step, still read in records.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The step asks the citizen for something (a missing document): staff
    /// write what, as the public message, and the citizen may answer with
    /// files and a reply on `/cek-status/` while the case is in it.
    #[serde(default)]
    pub asks_citizen: bool,
    /// The categories of a final step's outcome the monthly report counts
    /// ("Mediasi berhasil", "Dirujuk ke BPSK"): staff choose one when they
    /// take the step.
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    /// The step refers the case to another body (a complaint naming an
    /// officer: the Inspektorat, the UPP Saber Pungli): staff record to
    /// whom, the letter's number and date.
    pub referral: Option<ReferralSpec>,
}

/// One outcome category of a final step: `{ id, label }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// What the record keeps (`outcome:`).
    pub id: String,
    /// What staff choose and the report prints.
    pub label: String,
}

/// `referral: { to: [...] }`: the bodies a step may refer a case to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralSpec {
    pub to: Vec<String>,
}

impl StepSpec {
    pub fn needs(&self, need: Need) -> bool {
        self.needs.contains(&need)
    }

    /// The desk's action title, and the button's text, when taken from
    /// `from` (the `again` words when the step repeats itself).
    pub fn action(&self, from: &str) -> (String, String) {
        let label = self.label.clone().unwrap_or_else(|| self.name());
        match &self.again {
            Some(again) if from == self.id => (again.label.clone(), again.button.clone()),
            _ => (label.clone(), self.button.clone().unwrap_or(label)),
        }
    }

    /// How the receipt and `/cek-status/` sum the step up: "selesai",
    /// "ditolak" (a final step that gives a reason) or "proses".
    pub fn state(&self) -> &'static str {
        match (self.is_final, self.needs(Need::Reason)) {
            (true, true) => "ditolak",
            (true, false) => "selesai",
            _ => "proses",
        }
    }

    /// What the note of this step is to the citizen: "Hasil", "Tanggapan"
    /// or "Alasan penolakan"; `None` for an internal note.
    pub fn outcome(&self) -> Option<&'static str> {
        if self.needs(Need::Reason) {
            Some("Alasan penolakan")
        } else if self.needs(Need::Result) {
            Some(if self.is_final { "Hasil" } else { "Tanggapan" })
        } else {
            None
        }
    }

    /// The outcome category with this id.
    pub fn outcome_of(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.id == id)
    }

    /// "pertemuan-dijadwalkan" → "Pertemuan dijadwalkan", unless `name` says.
    pub fn name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let words = self.id.replace('-', " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Again {
    pub label: String,
    pub button: String,
}
