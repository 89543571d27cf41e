//! How the form file's short forms read: `required: true` or `{ when }`,
//! an option as `"Kuliner"` or `{ value, label, report }`, a role or a list
//! of roles.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{Choice, NextStep, Required, Role, Roles, When};

/// The one `ISIAN: NILAI` pair of a `when`.
fn one_when<E: de::Error>(when: BTreeMap<String, String>) -> Result<When, E> {
    let mut pairs = when.into_iter();
    match (pairs.next(), pairs.next()) {
        (Some((field, value)), None) => Ok(When { field, value }),
        _ => Err(E::custom("`when` harus menyebut tepat satu ISIAN: NILAI")),
    }
}

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Required;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false, atau { when: { ISIAN: NILAI } }")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Required, E> {
                Ok(if v { Required::Yes } else { Required::No })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Required, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    when: BTreeMap<String, String>,
                }
                let raw = Raw::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Required::When(one_when(raw.when)?))
            }
        }
        de.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for NextStep {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NextStep;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("kalimat, atau { text: \"…\", when: { ISIAN: NILAI } }")
            }
            fn visit_str<E>(self, v: &str) -> Result<NextStep, E> {
                Ok(NextStep {
                    text: v.to_string(),
                    when: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NextStep, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    text: String,
                    when: BTreeMap<String, String>,
                }
                let raw = Raw::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(NextStep {
                    when: Some(one_when(raw.when)?),
                    text: raw.text,
                })
            }
        }
        de.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Choice;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("teks atau { value, label, report }")
            }
            fn visit_str<E>(self, v: &str) -> Result<Choice, E> {
                Ok(Choice {
                    value: v.into(),
                    label: v.into(),
                    report: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Choice, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Raw {
                    value: String,
                    label: Option<String>,
                    report: Option<String>,
                }
                let raw = Raw::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Choice {
                    label: raw.label.unwrap_or_else(|| raw.value.clone()),
                    value: raw.value,
                    report: raw.report,
                })
            }
        }
        de.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Roles;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("name, phone, email, respondent, respondent_contact, atau daftarnya")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Roles, E> {
                Ok(Roles(vec![Role::deserialize(v.into_deserializer())?]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Roles, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Roles)
            }
        }
        de.deserialize_any(V)
    }
}
