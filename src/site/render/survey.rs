//! What `/survei/` shows (rendered by [`super::Renderer::render_survey`]
//! from `survei.html`): the box for a walk-in code, the questionnaire of a
//! key, or what became of it. Holds no personal data: the key is the one
//! the citizen brought, and what they chose.

use serde::Serialize;

use super::SummaryError;

use crate::survey::Questionnaire;
use crate::survey::answer::PROFILE;

/// The longest suggestion accepted, in characters.
pub const MAX_SUGGESTION_CHARS: usize = 1000;

/// The page's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SurveyState {
    /// The box to type a walk-in code.
    #[default]
    Enter,
    /// The questionnaire of a key not answered yet.
    Form,
    /// A key nobody was given (404), with the box again.
    Unknown,
    /// The key's survey was answered already.
    Answered,
    /// After an answer was stored.
    Thanks,
}

/// `/survei/` as rendered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SurveyView {
    pub state: SurveyState,
    /// The key, in the questionnaire's hidden field ("" otherwise).
    pub kode: String,
    /// The code box's error ("" when none).
    pub kode_error: String,
    /// The questionnaire's error (nothing rated, a suggestion too long).
    pub errors: Vec<SummaryError>,
    pub questions: Vec<SurveyQuestion>,
    pub profile: Vec<ProfileField>,
    pub suggestion: String,
    pub max_chars: usize,
    /// `max_chars` as Indonesian writes it ("1.000").
    pub max_chars_text: String,
    /// Whether search engines may list the page (the server decides).
    pub listed: bool,
}

/// One element's fieldset.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyQuestion {
    /// The field name: the element's id ("persyaratan").
    pub name: String,
    pub number: usize,
    pub question: String,
    /// The four answers, scored 1 to 4 in this order.
    pub answers: Vec<String>,
    /// The score chosen (0: none).
    pub chosen: u8,
}

/// One profile question's fieldset.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileField {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: Vec<ProfileChoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub chosen: bool,
}

impl SurveyView {
    /// The questionnaire of `kode` with nothing chosen.
    pub fn form(kode: &str, questionnaire: &Questionnaire) -> SurveyView {
        SurveyView {
            state: SurveyState::Form,
            kode: kode.to_string(),
            questions: questionnaire
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| SurveyQuestion {
                    name: q.element.id().to_string(),
                    number: i + 1,
                    question: q.question.clone(),
                    answers: q.answers.to_vec(),
                    chosen: 0,
                })
                .collect(),
            profile: PROFILE
                .iter()
                .map(|p| ProfileField {
                    name: p.name,
                    label: p.label,
                    choices: p
                        .choices
                        .iter()
                        .map(|&(code, label)| ProfileChoice {
                            code,
                            label,
                            chosen: false,
                        })
                        .collect(),
                })
                .collect(),
            max_chars: MAX_SUGGESTION_CHARS,
            max_chars_text: thousands(MAX_SUGGESTION_CHARS),
            ..SurveyView::default()
        }
    }

    pub fn state(state: SurveyState) -> SurveyView {
        SurveyView {
            state,
            ..SurveyView::default()
        }
    }
}

/// A count as Indonesian writes it: "1.000", "12.500".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1.000");
        assert_eq!(super::thousands(1234567), "1.234.567");
    }
}
