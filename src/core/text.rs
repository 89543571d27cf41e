//! Small helpers for the Indonesian text loket writes.

/// "Permohonan" from "permohonan": the first letter capitalised.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
