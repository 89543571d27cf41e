//! The report for the Kepala Dinas (issue 28 §5) on a hand-made October
//! 2026 (no holidays; 1 October is a Thursday) with both forms, late cases,
//! every channel, outcome categories and two confidential cases: each form's
//! figures against hand-computed values, confidential cases counted but
//! never listed, the signature block, the quarter and the year, the outcome
//! asked for by `loket status`, and `loket check` on `outcomes:`.

use std::fs;

use super::numbers::{count_row, form_section};
use super::october::{MADE, Made, cases, site_with_outcomes};
use crate::common::*;

fn setup() -> (TempSite, std::path::PathBuf) {
    let site = site_with_outcomes();
    for case in cases() {
        let d = &case.ticket[3..11];
        let rel = format!(
            "data/submissions/{}/{}/{}/{}.yaml",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            case.ticket
        );
        site.write(&rel, case.yaml());
    }
    let out = site.root().join("laporan");
    (site, out)
}

/// `loket report FLAG VALUE` on 10 November 2026; the HTML and the CSV.
fn report(site: &TempSite, flag: &str, value: &str, stem: &str) -> (String, String, String) {
    let data = site.root().join("data");
    let out = site.root().join("laporan");
    let made = run(&[
        "report",
        flag,
        value,
        "--on",
        "2026-11-10",
        "--root",
        site.root_str(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}{}", stdout(&made), stderr(&made));
    let html = fs::read_to_string(out.join(format!("{stem}.html"))).unwrap();
    let csv = fs::read_to_string(out.join(format!("{stem}.csv"))).unwrap();
    (html, csv, stdout(&made))
}

fn assert_all(what: &str, text: &str, facts: &[String]) {
    for fact in facts {
        assert!(
            text.contains(fact.as_str()),
            "{what}: no {fact:?}\n---\n{text}"
        );
    }
}

#[test]
fn october_has_each_forms_figures_by_hand() {
    let (site, _) = setup();
    let (html, csv, said) = report(&site, "--month", "2026-10", "laporan-2026-10");
    assert!(said.contains("Laporan Oktober 2026: 12 kasus"), "{said}");
    // Requests: 8 in, one by each channel; on time 1, 2, 4, 5 and the
    // confidential one (5 of 8), late 3 (7 days), 6 and 7 (open, past
    // their deadline); completed in 2, 4, 7, 5, 1, 2 days: average 21/6 =
    // 3,5, median (2 + 4) / 2 = 3,0.
    let requests = form_section(&html, "permohonan");
    let mut facts: Vec<String> = [
        ("Diterima", 8),
        ("Tepat waktu", 5),
        ("Terlambat", 3),
        ("Belum jatuh tempo", 0),
        ("Selesai atau ditolak", 6),
        ("Masih berjalan", 2),
        ("Masih berjalan, melewati batas waktu", 2),
        ("Situs web", 1),
        ("Datang langsung", 1),
        ("Kotak aduan", 1),
        ("Telepon", 1),
        ("WhatsApp", 1),
        ("Surel", 1),
        ("SP4N-LAPOR!", 1),
        ("Media sosial", 1),
        ("Mediasi berhasil", 1),
        ("Mediasi tidak berhasil", 1),
        ("Dirujuk ke BPSK", 1),
        ("Dirujuk ke Dinas Kesehatan", 0),
        ("Dirujuk ke DJKI", 1),
    ]
    .iter()
    .map(|(l, n)| count_row(l, *n))
    .collect();
    facts.extend(
        [
            "<p>Batas waktu: 5 hari kerja.</p>",
            "<td>5 dari 8 (62,5%)</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>3,5 hari kerja</td>",
            "<th scope=\"row\">Median waktu penyelesaian</th><td>3,0 hari kerja</td>",
        ]
        .map(String::from),
    );
    assert_all("the requests", requests, &facts);
    // Complaints: 4 in; answered on time 1 and the confidential one, late
    // 2 (answered after its deadline) and 3 (never answered: overdue);
    // closed in 4 and 2 days: average and median 3,0.
    let complaints = form_section(&html, "pengaduan-layanan");
    let mut facts: Vec<String> = [
        ("Diterima", 4),
        ("Tepat waktu", 2),
        ("Terlambat", 2),
        ("Selesai atau ditolak", 2),
        ("Masih berjalan", 2),
        ("Masih berjalan, melewati batas waktu", 1),
        ("Situs web", 1),
        ("Datang langsung", 1),
        ("Kotak aduan", 1),
        ("Telepon", 1),
        ("WhatsApp", 0),
        ("Keluhan ditindaklanjuti", 1),
        ("Dirujuk ke Inspektorat", 1),
    ]
    .iter()
    .map(|(l, n)| count_row(l, *n))
    .collect();
    facts.extend(
        [
            "<td>2 dari 4 (50%)</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>3,0 hari kerja</td>",
            "<th scope=\"row\">Median waktu penyelesaian</th><td>3,0 hari kerja</td>",
        ]
        .map(String::from),
    );
    assert_all("the complaints", complaints, &facts);
    // The whole month: both confidential cases are in every count.
    assert_all(
        "the month",
        &html,
        &[
            count_row("Jumlah", 12),
            count_row("Situs web", 2),
            count_row("Permohonan: Fasilitasi selesai", 4),
            "2 kasus rahasia ikut dihitung dalam semua angka".to_string(),
            // Plain labels and the outcome in the list.
            "<td>Pengaduan masalah usaha</td><td>Fasilitasi selesai</td>".to_string(),
            "<td><strong>Mediasi berhasil</strong><br>Hasil rahasia Joko Susilo</td>".to_string(),
            // Mengetahui, with the name and NIP of site.yaml.
            "<p>Mengetahui,</p>\n<p>Kepala Dinas Koperasi dan Usaha Mikro</p>".to_string(),
            "<p class=\"nama\">Drs. Bambang Supriyadi, M.Si.</p>\n<p>NIP 196805121994031007</p>"
                .to_string(),
        ],
    );
    // Confidential cases: counted, never listed (ticket, name, result).
    for secret in [
        "KP-20261028-PRTV",
        "Sulastri Tersembunyi",
        "PL-20261022-6799",
        "Bejo Pelapor",
    ] {
        assert!(!html.contains(secret), "{secret} in the HTML");
        assert!(!csv.contains(secret), "{secret} in the CSV");
    }
    assert_eq!(
        csv.lines().count(),
        11,
        "a header and 10 listed cases\n{csv}"
    );
    assert!(
        csv.contains(
            "\nKP-20261005-WXY3;2026-10-05;Pengaduan masalah usaha;Fasilitasi selesai;2026-10-06;2026-10-14;7;0;tidak;Hasil rahasia Rudi Hartono;Rudi Hartono;3517 **** **** 0001;;Kotak aduan;Dirujuk ke BPSK\r\n"
        ),
        "{csv}"
    );
    // Nothing outside October.
    assert!(!html.contains("PL-20260930-TVWX") && !html.contains("PL-20261103-CDFH"));
}

#[test]
fn a_quarter_and_a_year_in_the_same_shape() {
    let (site, _) = setup();
    let (html, csv, said) = report(&site, "--quarter", "2026-Q4", "laporan-2026-Q4");
    assert!(
        said.contains("Laporan Triwulan IV 2026: 13 kasus"),
        "{said}"
    );
    assert_all(
        "the quarter",
        &html,
        &[
            "<p class=\"periode\">Triwulan IV 2026</p>".to_string(),
            count_row("Jumlah", 13),
            "<th scope=\"row\">Oktober</th><td>Oktober 2026</td><td class=\"angka\">12</td>"
                .to_string(),
            "<th scope=\"row\">November</th><td>November 2026</td><td class=\"angka\">1</td>"
                .to_string(),
            "<th scope=\"row\">Desember</th><td>Desember 2026</td><td class=\"angka\">0</td>"
                .to_string(),
            "<p>Mengetahui,</p>".to_string(),
        ],
    );
    // The November complaint, never answered by 6 Nov: one more late and
    // overdue complaint.
    let complaints = form_section(&html, "pengaduan-layanan");
    assert_all(
        "the quarter's complaints",
        complaints,
        &[
            count_row("Diterima", 5),
            count_row("Terlambat", 3),
            count_row("Masih berjalan, melewati batas waktu", 2),
        ],
    );
    assert!(csv.contains("PL-20261103-CDFH") && !csv.contains("PL-20260930-TVWX"));
    assert!(!csv.contains("Bejo Pelapor"));

    let (html, csv, said) = report(&site, "--year", "2026", "laporan-2026");
    assert!(said.contains("Laporan Tahun 2026: 14 kasus"), "{said}");
    assert_all(
        "the year",
        &html,
        &[
            "<p class=\"periode\">Tahun 2026</p>".to_string(),
            count_row("Jumlah", 14),
            "<th scope=\"row\">September</th><td>September 2026</td><td class=\"angka\">1</td>"
                .to_string(),
            "<th scope=\"row\">Januari</th><td>Januari 2026</td><td class=\"angka\">0</td>"
                .to_string(),
        ],
    );
    assert!(csv.contains("PL-20260930-TVWX") && csv.contains("PL-20261103-CDFH"));

    for (flag, bad) in [("--quarter", "2026-Q5"), ("--year", "26")] {
        let data = site.root().join("data");
        let out = run(&[
            "report",
            flag,
            bad,
            "--root",
            site.root_str(),
            "--data",
            data.to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{flag} {bad}");
        assert!(stderr(&out).contains(bad), "{}", stderr(&out));
    }
}

#[test]
fn closing_a_step_with_outcomes_asks_for_one() {
    let (site, _) = setup();
    let data = site.root().join("data");
    let status = |args: &[&str]| {
        let mut all = vec!["status", "KP-20261012-CJ7K"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "--late-reason",
            "Termohon dua kali tidak hadir",
            "--by",
            "Rina",
            "--root",
            site.root_str(),
            "--data",
            data.to_str().unwrap(),
        ]);
        loket_at("2026-11-10 10:00:00").args(&all).output().unwrap()
    };
    let record =
        || fs::read_to_string(data.join("submissions/2026/10/12/KP-20261012-CJ7K.yaml")).unwrap();
    let before = record();
    let refused = status(&["fasilitasi-selesai", "--note", "Kedua pihak sepakat"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("langkah fasilitasi-selesai perlu kategori hasil (--outcome)"),
        "{}",
        stderr(&refused)
    );
    let unknown = status(&["fasilitasi-selesai", "--note", "x", "--outcome", "berhasil"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("kategori hasil \"berhasil\" tidak dikenal")
            && stderr(&unknown).contains("mediasi-berhasil, mediasi-tidak-berhasil, dirujuk-bpsk"),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(record(), before, "nothing written");
    let done = status(&[
        "fasilitasi-selesai",
        "--note",
        "Dirujuk ke Dinas Kesehatan untuk izin PIRT",
        "--outcome",
        "Dirujuk ke Dinas Kesehatan",
    ]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(
        record().contains("\noutcome: dirujuk-dinkes\n"),
        "{}",
        record()
    );
    // Closed before the form had categories, with one it no longer has,
    // and reopened by hand (its category no longer counts).
    let kp = |ticket: &'static str, status, outcome| Made {
        ticket,
        received: "2026-10-09",
        status,
        response_due: "2026-10-16",
        completion_due: Some("2026-10-16"),
        responded: Some("2026-10-12"),
        completed: Some("2026-10-13"),
        outcome,
        name: "Lama",
        ..MADE
    };
    for made in [
        kp("KP-20261009-TVWX", "fasilitasi-selesai", None),
        kp(
            "KP-20261009-HJKM",
            "fasilitasi-selesai",
            Some("dirujuk-lama"),
        ),
        kp("KP-20261009-RTVW", "diperiksa", Some("mediasi-berhasil")),
    ] {
        site.write(
            &format!("data/submissions/2026/10/09/{}.yaml", made.ticket),
            made.yaml(),
        );
    }
    let (html, _, _) = report(&site, "--month", "2026-10", "laporan-2026-10");
    let requests = form_section(&html, "permohonan");
    for (label, n) in [
        ("Dirujuk ke Dinas Kesehatan", 1),
        ("Mediasi berhasil", 1),
        ("Tanpa kategori", 1),
        ("dirujuk-lama (kategori tidak dikenal)", 1),
        ("Masih berjalan", 2),
    ] {
        assert!(
            requests.contains(&count_row(label, n)),
            "{label} {n}\n{requests}"
        );
    }
}

#[test]
fn check_names_the_line_of_a_bad_outcome_and_warns_without_a_signatory() {
    let site = site_with_outcomes();
    let path = site.root().join("forms/permohonan.yaml");
    let text = fs::read_to_string(&path).unwrap();
    // Outcomes on a step that does not close the case, one id twice.
    let text = text.replace(
        "    needs: [meeting]\n",
        "    needs: [meeting]\n    outcomes: [{ id: a, label: \"A\" }, { id: a, label: \"B\" }]\n",
    );
    site.write("forms/permohonan.yaml", &text);
    let line = text
        .lines()
        .position(|l| l.starts_with("    outcomes: [{ id: a"))
        .unwrap()
        + 1;
    let out = run(&["check", "--root", site.root_str()]);
    assert!(!out.status.success());
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains(&format!(
            "forms/permohonan.yaml:{line}: langkah `pertemuan-dijadwalkan` bukan langkah akhir"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "forms/permohonan.yaml:{line}: kategori hasil `a` ditulis dua kali"
        )),
        "{said}"
    );
    assert!(!said.contains("office.head belum diisi"), "{said}");

    // A site without the head: a warning, and the report's block is blank.
    let site = TempSite::fixture();
    let config = fs::read_to_string(site.root().join("site.yaml")).unwrap();
    let config: String = config
        .lines()
        .filter(|l| !l.trim_start().starts_with("head:"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("site.yaml", &config);
    let out = run(&["check", "--root", site.root_str()]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("site.yaml:"), "{said}");
    assert!(said.contains("office.head belum diisi"), "{said}");
}
