//! The office's wording file, `survei/kuesioner.yaml` in the site folder:
//! it may reword an element's question and its four answers, never add or
//! drop an element or change the 1–4 scale.
//!
//! ```yaml
//! waktu:
//!   pertanyaan: Bagaimana kecepatan pelayanan kami?
//!   jawaban: [Lambat sekali, Lambat, Cepat, Cepat sekali]   # skor 1 sampai 4
//! biaya:
//!   jawaban: [Sangat mahal, Mahal, Murah, Gratis]
//! ```
//!
//! Keys are the elements' ids ([`Element::id`]); an element left out keeps
//! the regulation's wording. Reading it is one small file and no more, so
//! the server can load it at start and on every rebuild; `loket check`
//! prints its mistakes.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::{Element, Questionnaire, WORDING_FILE};
use crate::core::diagnostic::Diagnostic;
use crate::core::yaml::{self, Value};

impl Element {
    /// Its key in the wording file and in URLs: "persyaratan", "waktu".
    pub fn id(self) -> &'static str {
        self.into()
    }

    /// The element of an id.
    pub fn from_id(id: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.id() == id)
    }
}

impl Questionnaire {
    /// The questionnaire of the site folder `site`: the regulation's wording
    /// with what `survei/kuesioner.yaml` rewords (the default when there is
    /// no such file). Every mistake in the file is returned, each with its
    /// line.
    pub fn load(site: &Path) -> Result<Questionnaire, Vec<Diagnostic>> {
        match std::fs::read_to_string(site.join(WORDING_FILE)) {
            Ok(text) => Questionnaire::parse(&text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Questionnaire::default()),
            Err(e) => Err(vec![Diagnostic::error(
                WORDING_FILE,
                None,
                format!("tidak dapat dibaca: {e}"),
            )]),
        }
    }

    /// [`Questionnaire::load`] of a file's text.
    pub fn parse(text: &str) -> Result<Questionnaire, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let at =
            |line: Option<usize>, message: String| Diagnostic::error(WORDING_FILE, line, message);
        // Two keys of one element: the parser would keep one silently.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let Some((key, _)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim_end().trim_matches(['"', '\'']);
            if line.starts_with([' ', '\t', '#', '-']) || key.is_empty() || key.contains(' ') {
                continue;
            }
            if let Some(first) = seen.insert(key, i + 1) {
                diags.push(at(
                    Some(i + 1),
                    format!(
                        "unsur `{key}` ditulis dua kali (juga di baris {first}); tulis sekali saja"
                    ),
                ));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let value: Value = match yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => return Err(vec![at(e.line, format!("YAML tidak sah: {}", e.message))]),
        };
        let mut questionnaire = Questionnaire::default();
        let entries = match value {
            Value::Null => return Ok(questionnaire),
            Value::Mapping(m) => m,
            _ => {
                return Err(vec![at(
                    Some(1),
                    "isi berkas harus daftar unsur (`persyaratan:`, `waktu:`, …), masing-masing dengan `pertanyaan` dan/atau `jawaban`".into(),
                )]);
            }
        };
        let ids: Vec<&str> = Element::ALL.iter().map(|e| e.id()).collect();
        for (key, entry) in entries {
            let key = key.as_str().unwrap_or_default().to_string();
            let line = yaml::line_of_key(text, &key);
            let Some(element) = Element::from_id(&key) else {
                diags.push(at(
                    line,
                    format!(
                        "`{key}` bukan unsur survei; unsurnya sembilan, tetap: {}",
                        ids.join(", ")
                    ),
                ));
                continue;
            };
            let question = questionnaire
                .questions
                .iter_mut()
                .find(|q| q.element == element)
                .expect("the default has every element");
            let fields = match entry {
                Value::Mapping(m) => m,
                _ => {
                    diags.push(at(
                        line,
                        format!("`{key}` harus berisi `pertanyaan` dan/atau `jawaban`"),
                    ));
                    continue;
                }
            };
            for (field, value) in fields {
                let field = field.as_str().unwrap_or_default().to_string();
                let field_line = line
                    .and_then(|l| yaml::line_of_key_in_entry(text, l, &field))
                    .or(line);
                match field.as_str() {
                    "pertanyaan" => match text_of(&value) {
                        Some(t) => question.question = t,
                        None => diags.push(at(
                            field_line,
                            format!("`{key}.pertanyaan` kosong atau bukan teks"),
                        )),
                    },
                    "jawaban" => match answers(&value) {
                        Ok(four) => question.answers = four,
                        Err(why) => diags.push(at(field_line, format!("`{key}.jawaban`: {why}"))),
                    },
                    other => diags.push(at(
                        field_line,
                        format!(
                            "`{key}.{other}` tidak dikenal; tiap unsur hanya dapat memuat `pertanyaan` dan `jawaban`"
                        ),
                    )),
                }
            }
        }
        if diags.is_empty() {
            Ok(questionnaire)
        } else {
            Err(diags)
        }
    }
}

/// A non-empty text, trimmed.
fn text_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// Exactly four different non-empty answers, scored 1 to 4 in order.
fn answers(value: &Value) -> Result<[String; 4], String> {
    let Value::Sequence(items) = value else {
        return Err("tulis empat jawaban sebagai daftar, dari skor 1 sampai skor 4".into());
    };
    if items.len() != 4 {
        return Err(format!(
            "harus tepat empat jawaban (skor 1 sampai 4), tertulis {}",
            items.len()
        ));
    }
    let mut four: [String; 4] = Default::default();
    for (i, item) in items.iter().enumerate() {
        let Some(text) = text_of(item) else {
            return Err(format!("jawaban ke-{} kosong atau bukan teks", i + 1));
        };
        if let Some(j) = four[..i].iter().position(|a| a.eq_ignore_ascii_case(&text)) {
            return Err(format!(
                "jawaban ke-{} sama dengan jawaban ke-{}; keempat jawaban harus berbeda",
                i + 1,
                j + 1
            ));
        }
        four[i] = text;
    }
    Ok(four)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        Questionnaire::parse(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn ids_match_the_serialized_names() {
        for e in Element::ALL {
            assert_eq!(yaml::to_string(&e).unwrap().trim(), e.id());
            assert_eq!(Element::from_id(e.id()), Some(e));
        }
    }

    #[test]
    fn rewords_what_it_names_and_keeps_the_rest() {
        let q = Questionnaire::parse(
            "# kuesioner kantor\nwaktu:\n  pertanyaan: Seberapa cepat kami melayani?\n  jawaban:\n    - Lambat sekali\n    - Lambat\n    - Cepat\n    - Cepat sekali\nbiaya:\n  jawaban: [Sangat mahal, Mahal, Murah, Gratis]\n",
        )
        .unwrap();
        let waktu = &q.questions[2];
        assert_eq!(waktu.element, Element::Waktu);
        assert_eq!(waktu.question, "Seberapa cepat kami melayani?");
        assert_eq!(waktu.answers[0], "Lambat sekali");
        let biaya = &q.questions[3];
        assert_eq!(biaya.answers[1], "Mahal");
        assert_eq!(
            biaya.question,
            Questionnaire::default().questions[3].question
        );
        assert_eq!(q.questions[0], Questionnaire::default().questions[0]);
        assert_eq!(Questionnaire::parse("").unwrap(), Questionnaire::default());
        assert_eq!(
            Questionnaire::parse("# belum diubah\n").unwrap(),
            Questionnaire::default()
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(
            messages("waktu:\n  pertanyaan: Cepat?\nlayanan:\n  pertanyaan: x\n"),
            [
                "survei/kuesioner.yaml:3: `layanan` bukan unsur survei; unsurnya sembilan, tetap: persyaratan, prosedur, waktu, biaya, produk, kompetensi, perilaku, pengaduan, sarana"
            ]
        );
        let five = messages("sarana:\n  pertanyaan: Bagus?\n  jawaban: [a, b, c, d, e]\n");
        assert_eq!(five.len(), 1);
        assert!(
            five[0].starts_with("survei/kuesioner.yaml:3: `sarana.jawaban`: harus tepat empat"),
            "{five:?}"
        );
        let empty = messages("waktu:\n  pertanyaan: \"  \"\n");
        assert!(empty[0].starts_with("survei/kuesioner.yaml:2: `waktu.pertanyaan` kosong"));
        let blank = messages("waktu:\n  jawaban:\n    - a\n    - \"\"\n    - c\n    - d\n");
        assert!(
            blank[0].contains(":2: `waktu.jawaban`: jawaban ke-2 kosong"),
            "{blank:?}"
        );
        let twice = messages(
            "biaya:\n  pertanyaan: a?\nwaktu:\n  pertanyaan: b?\nbiaya:\n  pertanyaan: c?\n",
        );
        assert_eq!(
            twice,
            [
                "survei/kuesioner.yaml:5: unsur `biaya` ditulis dua kali (juga di baris 1); tulis sekali saja"
            ]
        );
        let same = messages("biaya:\n  jawaban: [Mahal, mahal, Murah, Gratis]\n");
        assert!(
            same[0].contains("jawaban ke-2 sama dengan jawaban ke-1"),
            "{same:?}"
        );
        let unknown = messages("waktu:\n  pertanyan: Cepat?\n");
        assert!(unknown[0].starts_with("survei/kuesioner.yaml:2: `waktu.pertanyan` tidak dikenal"));
        let broken = messages("waktu:\n  pertanyaan: [\n");
        assert!(
            broken[0].starts_with("survei/kuesioner.yaml:"),
            "{broken:?}"
        );
        assert!(broken[0].contains("YAML tidak sah"), "{broken:?}");
        let list = messages("- waktu\n");
        assert!(list[0].starts_with("survei/kuesioner.yaml:1: isi berkas"));
    }

    #[test]
    fn a_missing_file_is_the_default_and_a_bad_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Questionnaire::load(dir.path()).unwrap(),
            Questionnaire::default()
        );
        std::fs::create_dir_all(dir.path().join("survei")).unwrap();
        std::fs::write(dir.path().join(WORDING_FILE), "waktu: cepat\n").unwrap();
        let diags = Questionnaire::load(dir.path()).unwrap_err();
        assert_eq!(
            diags[0].to_string(),
            "survei/kuesioner.yaml:1: `waktu` harus berisi `pertanyaan` dan/atau `jawaban`"
        );
    }
}
