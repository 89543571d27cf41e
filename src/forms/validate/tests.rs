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
            detected: Some(FileKind::Jpeg),
            refused: None,
        },
    )]);
    let errors = validate(permohonan(), &complete(), &files, LIMIT).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "ktp");
    assert!(
        errors[0]
            .message
            .starts_with("Ukuran berkas foto KTP 6,2 MB; paling besar 5 MB. Perkecil foto"),
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
            detected: Some(FileKind::Jpeg),
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
    assert_eq!(FileKind::sniff(b"%PDF-1.7"), Some(FileKind::Pdf));
    assert_eq!(FileKind::sniff(b"GIF89a"), None);
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
  - { name: izin, label: "Surat izin", type: file, accept: [pdf], max_mb: 1 }
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
    let errors = validate(form, &text(&[("jenis_usaha", "Lainnya")]), &none, LIMIT).unwrap_err();
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

/// A file field takes only the types of its `accept`, up to its `max_mb`
/// (never past the server's limit), and its form says so.
#[test]
fn a_file_field_keeps_to_its_accept_and_max_mb() {
    let (forms, _) = crate::forms::registry::Forms::from_texts([("lain", OTHER)]);
    let form = forms.get("lain").unwrap();
    let text: BTreeMap<String, String> = [("nama", "Siti"), ("jenis_usaha", "Kuliner")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let file = |size: u64, detected| {
        BTreeMap::from([(
            "izin".to_string(),
            FileCheck {
                size,
                detected: Some(detected),
                refused: None,
            },
        )])
    };
    assert!(validate(form, &text, &file(900_000, FileKind::Pdf), LIMIT).is_ok());
    let photo = validate(form, &text, &file(900_000, FileKind::Jpeg), LIMIT).unwrap_err();
    assert_eq!(
        photo[0].message,
        "Berkas surat izin harus berupa berkas PDF. Pilih berkas lain."
    );
    let big = validate(form, &text, &file(1_100_000, FileKind::Pdf), LIMIT).unwrap_err();
    assert!(
        big[0].message.contains("paling besar 1 MB"),
        "{}",
        big[0].message
    );
    // The server's own limit is the ceiling.
    let field = form.field("izin").unwrap();
    assert_eq!(field.max_file_bytes(1000), 1000);
    assert_eq!(field.accept_words(), "PDF");
    assert_eq!(field.accept_attribute(), ".pdf,application/pdf");
    let view = crate::forms::view::FormView::new(form, "/x/", 15, "");
    let json = serde_json::to_string(&view).unwrap();
    assert!(json.contains("Berkas PDF, paling besar 1 MB."), "{json}");
    let ktp = permohonan().field("ktp").unwrap();
    assert_eq!(ktp.accept_words(), "JPG, PNG, atau PDF");
}
