//! A record's field values, in the order they were written, read from
//! any scalar a person may have typed.

use serde::de::{Deserializer, Error as _};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::core::yaml;

/// Field values in the order they were written (the form's order), read
/// from any scalar a person may have typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let value = yaml::Value::deserialize(de)?;
        match value {
            yaml::Value::Null => Ok(Fields::default()),
            yaml::Value::Mapping(map) => Ok(Fields(
                map.iter()
                    .map(|(k, v)| (scalar_text(k), scalar_text(v)))
                    .collect(),
            )),
            _ => Err(D::Error::custom("expected `name: value` lines")),
        }
    }
}

/// A scalar as text, whatever YAML made of it.
fn scalar_text(value: &yaml::Value) -> String {
    match value {
        yaml::Value::String(s) => s.clone(),
        yaml::Value::Null => String::new(),
        yaml::Value::Bool(b) => b.to_string(),
        yaml::Value::Number(n) => n.to_string(),
        other => yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}
