//! Server-side validation of a submitted form. Messages are for citizens, in
//! Bahasa Indonesia, and say how to fix the field.

use std::collections::BTreeMap;

use super::spec::{FieldSpec, FieldType, FormSpec, Required};

/// File types we accept, recognised by their first bytes (never by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    /// Recognises a type from the start of a file; needs up to 8 bytes.
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
        }
    }
}

/// What validation needs to know of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    pub size: u64,
    pub detected: Option<FileType>,
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

const EMAIL_WRONG: &str = "Alamat email tidak sesuai. Periksa kembali, misalnya nama@contoh.id.";

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
                Some(f) if f.size > max_file_bytes => fail(format!(
                    "Ukuran berkas {label} {}; paling besar {}. Perkecil foto, misalnya dengan mengirim tangkapan layar (screenshot) foto itu, atau memotret ulang dengan resolusi kamera yang lebih rendah.",
                    format_size(f.size),
                    format_size(max_file_bytes)
                )),
                Some(f) if f.size == 0 => fail(format!(
                    "Berkas {label} yang Anda pilih kosong. Pilih berkas lain."
                )),
                Some(FileCheck {
                    refused: Some(why), ..
                }) => fail(why.clone()),
                Some(f) if f.detected.is_none() => fail(format!(
                    "Berkas {label} harus berupa foto (JPG atau PNG) atau dokumen PDF. Pilih berkas lain."
                )),
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
                            "Tuliskan nomor HP/WhatsApp (diawali 08) atau alamat email."
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
mod tests {
    use super::*;

    #[test]
    fn nik_rules() {
        assert_eq!(
            parse_nik("3517 0112 0590 0001"),
            Ok("3517011205900001".into())
        );
        assert_eq!(
            parse_nik("3517.01.520590.0001"),
            Ok("3517015205900001".into())
        );
        // Outside Jombang is fine.
        assert!(parse_nik("3171011205900001").is_ok());
        assert!(parse_nik("351701120590000").is_err(), "15 digits");
        assert!(parse_nik("3517011205900001x").is_err());
        assert!(parse_nik("9917011205900001").is_err(), "unknown province");
        assert!(parse_nik("3517013205900001").is_err(), "day 32");
        assert!(parse_nik("3517017205900001").is_err(), "day 72");
        assert!(parse_nik("3517010013900001").is_err(), "month 13");
        assert!(parse_nik("3517013002900001").is_err(), "30 February");
        assert!(parse_nik("3517012902960001").is_ok(), "29 Feb 96");
        assert!(parse_nik("3517012902970001").is_err(), "29 Feb 97");
        assert!(parse_nik("3517011205900000").is_err(), "serial 0000");
        assert!(parse_nik("9617011205900001").is_ok(), "Papua Barat Daya");
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(parse_mobile("0812 3456 7890"), Ok("+6281234567890".into()));
        assert_eq!(parse_mobile("62812-3456-7890"), Ok("+6281234567890".into()));
        assert_eq!(
            parse_mobile("+62 812 3456 7890"),
            Ok("+6281234567890".into())
        );
        assert_eq!(parse_mobile("082139751135"), Ok("+6282139751135".into()));
        assert!(parse_mobile("0321 8491519").is_err(), "landline");
        assert!(parse_mobile("0812").is_err());
        assert!(parse_mobile("08123456789012345").is_err());
        assert!(parse_mobile("0812abc67890").is_err());
    }

    #[test]
    fn emails() {
        assert!(is_email("dinkopum@jombangkab.go.id"));
        assert!(!is_email("dinkopum@jombangkab"));
        assert!(!is_email("a b@c.id"));
        assert!(!is_email("@c.id"));
    }

    const LIMIT: u64 = 5 * 1024 * 1024;

    fn permohonan() -> &'static FormSpec {
        crate::forms::registry::Forms::builtin()
            .get("permohonan")
            .unwrap()
    }

    fn pengaduan_layanan() -> &'static FormSpec {
        crate::forms::registry::Forms::builtin()
            .get("pengaduan-layanan")
            .unwrap()
    }

    #[test]
    fn sizes_read_the_indonesian_way_rounded_up() {
        assert_eq!(format_size(0), "0 KB");
        assert_eq!(format_size(1), "1 KB");
        assert_eq!(format_size(183_204), "179 KB");
        assert_eq!(format_size(999 * 1024), "999 KB");
        assert_eq!(format_size(1000 * 1024), "1 MB");
        assert_eq!(format_size(1_258_291), "1,2 MB");
        assert_eq!(format_size(LIMIT), "5 MB");
        assert_eq!(format_size(LIMIT + 1), "5,1 MB");
        assert_eq!(format_size(6_501_171), "6,2 MB");
        assert_eq!(format_size(u64::MAX), "17592186044416 MB");
    }

    #[test]
    fn a_file_over_the_limit_says_its_size_and_the_limit() {
        let files = BTreeMap::from([(
            "ktp".to_string(),
            FileCheck {
                size: 6_501_171,
                detected: Some(FileType::Jpeg),
                refused: None,
            },
        )]);
        let errors = validate(permohonan(), &complete(), &files, LIMIT).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "ktp");
        assert!(
            errors[0]
                .message
                .starts_with("Ukuran berkas fotokopi KTP 6,2 MB; paling besar 5 MB. Perkecil foto"),
            "{}",
            errors[0].message
        );
        assert!(validate(permohonan(), &complete(), &ktp(), 9).is_err());
    }

    fn complete() -> BTreeMap<String, String> {
        [
            ("jenis", "konsultasi"),
            ("nama", "Siti Aminah"),
            ("nik", "3517015205900001"),
            ("alamat", "Jl. Merdeka 1"),
            ("telepon", "0812 3456 7890"),
            ("nama_usaha", "Keripik Bu Siti"),
            ("bidang_usaha", "Makanan ringan"),
            ("alamat_usaha", "Jombang"),
            ("uraian", "Butuh konsultasi"),
            ("persetujuan", "ya"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn ktp() -> BTreeMap<String, FileCheck> {
        BTreeMap::from([(
            "ktp".to_string(),
            FileCheck {
                size: 10,
                detected: Some(FileType::Jpeg),
                refused: None,
            },
        )])
    }

    #[test]
    fn complete_request_passes() {
        let normalized = validate(permohonan(), &complete(), &ktp(), LIMIT).unwrap();
        assert!(normalized.contains(&("telepon".to_string(), "+6281234567890".to_string())));
        assert!(normalized.contains(&("nik".to_string(), "3517015205900001".to_string())));
    }

    #[test]
    fn complaint_needs_the_other_party() {
        let mut text = complete();
        text.insert("jenis".into(), "pengaduan".into());
        let errors = validate(permohonan(), &text, &ktp(), LIMIT).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["termohon_nama", "termohon_kontak"]);
    }

    #[test]
    fn files_are_checked_by_content() {
        let mut files = ktp();
        files.insert(
            "ktp".into(),
            FileCheck {
                size: 10,
                detected: None,
                refused: None,
            },
        );
        let errors = validate(permohonan(), &complete(), &files, LIMIT).unwrap_err();
        assert_eq!(errors[0].field, "ktp");
        files.insert(
            "ktp".into(),
            FileCheck {
                size: 0,
                detected: None,
                refused: None,
            },
        );
        let errors = validate(permohonan(), &complete(), &files, LIMIT).unwrap_err();
        assert!(errors[0].message.contains("kosong"));
        assert_eq!(FileType::sniff(b"%PDF-1.7"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"GIF89a"), None);
    }

    #[test]
    fn invisible_names_are_empty_and_bidi_controls_refused() {
        for nothing in [
            "\u{200B}\u{200B}",
            "\u{2800}",
            "\u{3164} \u{3164}",
            " \u{FEFF}\t",
        ] {
            let mut text = complete();
            text.insert("nama".into(), nothing.into());
            let errors = validate(permohonan(), &text, &ktp(), LIMIT).unwrap_err();
            assert_eq!(errors[0].field, "nama", "{nothing:?}");
            assert_eq!(errors[0].message, "Tuliskan nama Anda.");
        }
        let mut text = complete();
        text.insert("nama".into(), "Siti \u{202E}animA".into());
        let errors = validate(permohonan(), &text, &ktp(), LIMIT).unwrap_err();
        assert!(
            errors[0].message.contains("tidak dapat disimpan"),
            "{}",
            errors[0].message
        );
        // Letters of any script, and a joiner inside a word, are fine.
        text.insert("nama".into(), "Siti Aminah\u{200D}".into());
        assert!(validate(permohonan(), &text, &ktp(), LIMIT).is_ok());
    }

    #[test]
    fn lengths_and_lines() {
        let mut text = complete();
        text.insert("nama".into(), "x".repeat(101));
        text.insert("uraian".into(), "y".repeat(10_000));
        let errors = validate(permohonan(), &text, &ktp(), LIMIT).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "nama");
        text.insert("nama".into(), "a\nb".into());
        assert!(validate(permohonan(), &text, &ktp(), LIMIT).is_err());
    }

    #[test]
    fn complaint_about_service_takes_phone_or_email() {
        let mut text: BTreeMap<String, String> = [
            ("nama", "Budi"),
            ("isi", "Pelayanan lambat"),
            ("persetujuan", "ya"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let none = BTreeMap::new();
        text.insert("kontak".into(), "budi@contoh.id".into());
        assert!(validate(pengaduan_layanan(), &text, &none, LIMIT).is_ok());
        text.insert("kontak".into(), "0812-3456-7890".into());
        let normalized = validate(pengaduan_layanan(), &text, &none, LIMIT).unwrap();
        assert_eq!(
            normalized,
            vec![("kontak".to_string(), "+6281234567890".to_string())]
        );
        text.insert("kontak".into(), "besok saja".into());
        assert!(validate(pengaduan_layanan(), &text, &none, LIMIT).is_err());
    }

    /// A form with a date, a field needed for one choice, and a required
    /// field with no `missing` of its own.
    const OTHER: &str = r#"
title: "Pendampingan"
noun: "permohonan"
service: /layanan/pendampingan/
ticket_prefix: NB
term: { days: 3, until: selesai }
fields:
  - { name: nama, label: "Nama lengkap", type: text, required: true, role: name }
  - { name: jenis_usaha, label: "Jenis usaha", type: choice, options: [Kuliner, Lainnya], required: true }
  - { name: uraian_lain, label: "Sebutkan jenis usaha", type: text, required: { when: { jenis_usaha: Lainnya } }, missing: "Sebutkan jenis usaha Anda." }
  - { name: mulai, label: "Tanggal mulai usaha", type: date }
steps:
  - { id: baru, status: "Diterima", next: [selesai] }
  - { id: selesai, label: "Selesai", status: "Selesai", needs: [result], final: true }
"#;

    #[test]
    fn any_form_file_is_validated_as_it_says() {
        let (forms, diags) = crate::forms::registry::Forms::from_texts([("lain", OTHER)]);
        assert!(diags.is_empty(), "{diags:?}");
        let form = forms.get("lain").unwrap();
        let text = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let none = BTreeMap::new();
        let errors =
            validate(form, &text(&[("jenis_usaha", "Lainnya")]), &none, LIMIT).unwrap_err();
        let said: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("nama", "Nama lengkap wajib diisi."),
                ("uraian_lain", "Sebutkan jenis usaha Anda.")
            ]
        );
        let fine = text(&[
            ("nama", "Siti"),
            ("jenis_usaha", "Kuliner"),
            ("mulai", "2026-02-28"),
        ]);
        assert!(validate(form, &fine, &none, LIMIT).is_ok());
        let mut wrong = fine.clone();
        wrong.insert("mulai".into(), "2026-02-30".into());
        wrong.insert("jenis_usaha".into(), "Jasa".into());
        let errors = validate(form, &wrong, &none, LIMIT).unwrap_err();
        assert_eq!(errors[0].field, "jenis_usaha");
        assert_eq!(errors[1].field, "mulai");
        assert!(
            errors[1]
                .message
                .starts_with("Tanggal mulai usaha bukan tanggal yang sah.")
        );
    }
}
