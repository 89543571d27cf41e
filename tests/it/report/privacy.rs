//! What the report keeps private: NIKs only masked, no contact details, and
//! files only the owner can read, replaced whole.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::*;

#[test]
fn niks_appear_only_masked_and_contact_details_not_at_all() {
    let s = setup();
    let (html, csv, _) = s.written("2026-11", "2026-12-10");
    for case in cases().iter().filter(|c| c.is_request()) {
        let digits: String = case.nik.chars().filter(char::is_ascii_digit).collect();
        let middle = &digits[4..12];
        let spaced_middle = format!("{} {}", &digits[4..8], &digits[8..12]);
        for text in [&html, &csv] {
            for secret in [digits.as_str(), case.nik, middle, spaced_middle.as_str()] {
                assert!(!text.contains(secret), "{secret} leaked");
            }
        }
    }
    for masked in [
        "3517 **** **** 0001",
        "3517 **** **** 0002",
        "3517 **** **** 0003",
        "3517 **** **** 0004",
        "3517 **** **** 0005",
        "3517 **** **** 0006",
        "3517 **** **** 0007",
    ] {
        assert!(html.contains(masked) && csv.contains(masked), "{masked}");
    }
    for private in [
        "0812",
        "+62812",
        "0813",
        "pemohon@contoh.id",
        "Jl. Mawar",
        "Jl. Melati",
        "Keripik",
        "Antrean terlalu lama",
    ] {
        assert!(
            !html.contains(private) && !csv.contains(private),
            "{private} in the report"
        );
    }
}

#[test]
fn files_are_private_and_replaced_whole() {
    let s = setup();
    s.written("2026-11", "2026-12-10");
    let mode = |p: PathBuf| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(s.out.clone()), 0o700);
    assert_eq!(mode(s.out.join("laporan-2026-11.html")), 0o600);
    assert_eq!(mode(s.out.join("laporan-2026-11.csv")), 0o600);
    // Again: the files are replaced, and no temp file is left behind.
    s.written("2026-11", "2026-12-11");
    let names: Vec<String> = fs::read_dir(&s.out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let html = fs::read_to_string(s.out.join("laporan-2026-11.html")).unwrap();
    assert!(html.contains("Dibuat 11 Desember 2026"));
}
