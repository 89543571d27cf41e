//! Server-side validation of a submitted form. Messages are for citizens, in
//! Bahasa Indonesia, and say how to fix the field.

use std::collections::BTreeMap;

/// File types we accept, recognised by their first bytes (never by name).
pub use super::spec::FileKind;
use super::spec::{FieldSpec, FieldType, FormSpec, Required};

/// What validation needs to know of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    pub size: u64,
    pub detected: Option<FileKind>,
    /// Why the sanitizer refused it, for the citizen (a PDF with scripts,
    /// a photo that does not decode, ...).
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A file size the way citizens read it, rounded up: "183 KB", "1,2 MB",
/// "5 MB" (1 MB = 1024 × 1024 bytes, as the upload limit counts).
pub fn format_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    if bytes < 1000 * KB {
        return format!("{} KB", bytes.div_ceil(KB));
    }
    let tenths = (u128::from(bytes) * 10).div_ceil(u128::from(MB));
    match tenths % 10 {
        0 => format!("{} MB", tenths / 10),
        d => format!("{},{d} MB", tenths / 10),
    }
}

/// Values derived from valid input, stored beside what was typed.
pub type Normalized = Vec<(String, String)>;

/// Province codes of Kemendagri (the first two digits of a NIK), including the
/// Papua provinces formed in 2022.
const PROVINCES: [&str; 38] = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
    "91", "92", "93", "94", "95", "96",
];

/// Checks a NIK and returns its 16 digits. Any province is accepted: people
/// from outside Jombang may run a business here.
pub fn parse_nik(typed: &str) -> Result<String, &'static str> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("NIK tidak sesuai. Periksa kembali 16 angka NIK pada KTP Anda.");
    }
    if !PROVINCES.contains(&&digits[0..2]) {
        return Err(
            "NIK tidak sesuai: dua angka pertamanya bukan kode provinsi. Periksa kembali 16 angka NIK pada KTP Anda.",
        );
    }
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().unwrap_or(0);
    let raw_day = number(6..8);
    let month = number(8..10);
    let year = number(10..12);
    // Women's NIKs add 40 to the day of birth.
    let day = if raw_day > 40 { raw_day - 40 } else { raw_day };
    let max_day = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // The century is not in the NIK; 29 February needs a leap year.
        2 if year % 4 == 0 => 29,
        2 => 28,
        _ => {
            return Err(
                "NIK tidak sesuai: angka ke-9 dan ke-10 (bulan lahir) tidak mungkin. Periksa kembali 16 angka NIK pada KTP Anda.",
            );
        }
    };
    if day == 0 || day > max_day {
        return Err(
            "NIK tidak sesuai: angka ke-7 dan ke-8 (tanggal lahir) tidak mungkin. Periksa kembali 16 angka NIK pada KTP Anda.",
        );
    }
    if &digits[12..16] == "0000" {
        return Err(
            "NIK tidak sesuai: empat angka terakhirnya tidak mungkin 0000. Periksa kembali 16 angka NIK pada KTP Anda.",
        );
    }
    Ok(digits)
}

/// Checks an Indonesian mobile number and returns it in E.164 (`+628…`).
pub fn parse_mobile(typed: &str) -> Result<String, &'static str> {
    let compact: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let national = compact
        .strip_prefix("+62")
        .or_else(|| compact.strip_prefix("62"))
        .or_else(|| compact.strip_prefix('0'));
    match national {
        Some(n)
            if n.starts_with('8')
                && (9..=12).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(format!("+62{n}"))
        }
        _ => Err(
            "Nomor HP/WhatsApp tidak sesuai. Tuliskan nomor yang diawali 08, 628, atau +628, misalnya 0812 3456 7890.",
        ),
    }
}

/// A plain check that catches typos, not a full RFC 5322 parser.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && text.len() <= 254
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Characters that show nothing: a name typed only of these is no name.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' // soft hyphen
                | '\u{034F}' // combining grapheme joiner
                | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
                | '\u{180E}' // Mongolian vowel separator
                | '\u{200B}'..='\u{200F}' // zero-width space, joiners, marks
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{2800}' // Braille blank
                | '\u{FEFF}' // zero-width no-break space
        )
}

/// An empty field, also when it holds only characters that show nothing.
fn is_blank(value: &str) -> bool {
    value.chars().all(is_invisible)
}

/// Bidirectional controls, which can make a name read differently on
/// screen than it is stored (a spoofed name in the inbox).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

const EMAIL_WRONG: &str = "Alamat surel tidak sesuai. Periksa kembali, misalnya nama@contoh.id.";

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The default message of an empty required field without `missing`.
fn missing_text(field: &FieldSpec) -> String {
    match &field.missing {
        Some(text) => text.clone(),
        None => format!("{} wajib diisi.", capitalize(&field.error_label())),
    }
}

/// Whether `field` must be filled, given what the rest of the form holds.
fn is_required(field: &FieldSpec, text: &BTreeMap<String, String>) -> bool {
    match &field.required {
        Required::Yes => true,
        Required::No => false,
        Required::When(when) => text.get(&when.field).is_some_and(|v| *v == when.value),
    }
}

/// Validates every field of `form`, as its file says. `text` holds text
/// values as typed (normalized to `\n` line ends), `files` the uploads
/// that were chosen (with their whole size, also past `max_file_bytes`).
pub fn validate(
    form: &FormSpec,
    text: &BTreeMap<String, String>,
    files: &BTreeMap<String, FileCheck>,
    max_file_bytes: u64,
) -> Result<Normalized, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut normalized = Vec::new();
    for field in &form.fields {
        let required = is_required(field, text);
        let mut fail = |message: String| {
            errors.push(FieldError {
                field: field.name.clone(),
                message,
            })
        };
        let label = field.error_label();
        if field.kind == FieldType::File {
            match files.get(&field.name) {
                None if required => fail(missing_text(field)),
                None => {}
                Some(f) if f.size > field.max_file_bytes(max_file_bytes) => fail(format!(
                    "Ukuran berkas {label} {}; paling besar {}. Perkecil foto, misalnya dengan mengirim tangkapan layar (screenshot) foto itu, atau memotret ulang dengan resolusi kamera yang lebih rendah.",
                    format_size(f.size),
                    format_size(field.max_file_bytes(max_file_bytes))
                )),
                Some(f) if f.size == 0 => fail(format!(
                    "Berkas {label} yang Anda pilih kosong. Pilih berkas lain."
                )),
                Some(FileCheck {
                    refused: Some(why), ..
                }) => fail(why.clone()),
                Some(f) if f.detected.is_none() && field.accepted().len() == 3 => fail(format!(
                    "Berkas {label} harus berupa foto (JPG atau PNG) atau dokumen PDF. Pilih berkas lain."
                )),
                Some(f) if !f.detected.is_some_and(|t| field.accepted().contains(&t)) => {
                    fail(format!(
                        "Berkas {label} harus berupa berkas {}. Pilih berkas lain.",
                        field.accept_words()
                    ))
                }
                Some(_) => {}
            }
            continue;
        }
        let value = text.get(&field.name).map(String::as_str).unwrap_or("");
        if is_blank(value) {
            if required {
                fail(missing_text(field));
            }
            continue;
        }
        if value
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
        {
            fail(format!(
                "{} berisi tanda yang tidak dapat disimpan. Hapus tanda itu lalu kirim ulang.",
                capitalize(&label)
            ));
            continue;
        }
        if let Some(max) = field.max_chars() {
            let count = value.chars().count();
            if count > max {
                fail(format!(
                    "{} paling banyak {max} huruf; sekarang {count}. Persingkat isiannya.",
                    capitalize(&label)
                ));
                continue;
            }
        }
        match field.kind {
            FieldType::Text => {
                if value.contains('\n') {
                    fail(format!("{} cukup satu baris.", capitalize(&label)));
                }
            }
            FieldType::Textarea => {}
            FieldType::Nik => match parse_nik(value) {
                Ok(digits) => normalized.push((field.name.clone(), digits)),
                Err(m) => fail(m.to_string()),
            },
            FieldType::Phone => match parse_mobile(value) {
                Ok(e164) => normalized.push((field.name.clone(), e164)),
                Err(m) => fail(m.to_string()),
            },
            FieldType::Email => {
                if !is_email(value.trim()) {
                    fail(EMAIL_WRONG.to_string());
                }
            }
            FieldType::Contact => {
                if value.contains('@') {
                    if !is_email(value.trim()) {
                        fail(EMAIL_WRONG.to_string());
                    }
                } else {
                    match parse_mobile(value) {
                        Ok(e164) => normalized.push((field.name.clone(), e164)),
                        Err(_) => fail(
                            "Tuliskan nomor HP/WhatsApp (diawali 08) atau alamat surel."
                                .to_string(),
                        ),
                    }
                }
            }
            FieldType::Date => {
                if parse_date(value.trim()).is_none() {
                    fail(format!(
                        "{} bukan tanggal yang sah. Pilih tanggal dari kalender, misalnya 2026-08-17.",
                        capitalize(&label)
                    ));
                }
            }
            FieldType::Choice => {
                if !field.values().any(|v| v == value) {
                    fail(missing_text(field));
                }
            }
            FieldType::Checkbox => {
                if value != "ya" {
                    fail(missing_text(field));
                }
            }
            FieldType::File => {}
        }
    }
    if errors.is_empty() {
        Ok(normalized)
    } else {
        Err(errors)
    }
}

/// A date as a browser's date input sends it (`YYYY-MM-DD`).
fn parse_date(value: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format).ok()
}

#[cfg(test)]
mod tests;
