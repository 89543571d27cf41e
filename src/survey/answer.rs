//! One respondent's answer: the nine scores, the optional profile and the
//! optional suggestion. No name, no ticket, no code, no time of day (the
//! date only, for the period): nothing in it says who answered.

use serde::{Deserialize, Serialize};
use time::Date;

use super::index::Scores;
use super::store::Kind;

/// An answer as stored in `survei/jawaban/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    #[serde(with = "crate::core::dates::day")]
    pub answered: Date,
    pub kind: Kind,
    /// The form (service) the invitation was for, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// 1–4 per element in [`super::Element::ALL`]'s order; `None` where the
    /// respondent left the question out.
    pub scores: Scores,
    #[serde(default)]
    pub profile: Profile,
    /// Free text for staff only: never published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The respondent's optional profile, each a code from its list below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
}

/// A profile question: its field name, label and (code, label) choices.
pub struct ProfileQuestion {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: &'static [(&'static str, &'static str)],
}

/// The profile questions, in the order the form asks them.
pub const PROFILE: [ProfileQuestion; 4] = [
    ProfileQuestion {
        name: "umur",
        label: "Umur",
        choices: &[
            ("sampai-25", "25 tahun ke bawah"),
            ("26-35", "26–35 tahun"),
            ("36-45", "36–45 tahun"),
            ("46-55", "46–55 tahun"),
            ("56-ke-atas", "56 tahun ke atas"),
        ],
    },
    ProfileQuestion {
        name: "jenis_kelamin",
        label: "Jenis kelamin",
        choices: &[("laki-laki", "Laki-laki"), ("perempuan", "Perempuan")],
    },
    ProfileQuestion {
        name: "pendidikan",
        label: "Pendidikan terakhir",
        choices: &[
            ("sd", "SD atau sederajat"),
            ("smp", "SMP atau sederajat"),
            ("sma", "SMA/SMK atau sederajat"),
            ("diploma", "D1–D3"),
            ("s1", "D4/S1"),
            ("s2", "S2 ke atas"),
        ],
    },
    ProfileQuestion {
        name: "pekerjaan",
        label: "Pekerjaan utama",
        choices: &[
            ("pns", "PNS/TNI/Polri"),
            ("swasta", "Pegawai swasta"),
            ("wirausaha", "Wirausaha/pelaku usaha"),
            ("pelajar", "Pelajar/mahasiswa"),
            ("lainnya", "Lainnya"),
        ],
    },
];

impl Profile {
    /// The label of a stored code, for reports ("Wirausaha/pelaku usaha").
    pub fn label(question: &str, code: &str) -> Option<&'static str> {
        PROFILE
            .iter()
            .find(|q| q.name == question)?
            .choices
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, label)| *label)
    }
}
