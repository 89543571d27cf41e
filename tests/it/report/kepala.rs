//! The report for the Kepala Dinas (issue 28 §5) on a hand-made October
//! 2026 (no holidays; 1 October is a Thursday) with both forms, late cases,
//! every channel, outcome categories and two confidential cases: each form's
//! figures against hand-computed values, confidential cases counted but
//! never listed, the signature block, the quarter and the year, the outcome
//! asked for by `loket status`, and `loket check` on `outcomes:`.

use std::fs;

use super::numbers::{count_row, form_section};
use crate::common::*;

/// The fixture's permohonan form with the step the seed's procedure ends
/// with for a complaint about a business (fasilitasi di lokasi) and the
/// outcome categories a form may declare; and the complaint form's
/// `selesai` with two. (The fixture's forms are the shipped ones, which
/// declare none: the seed names no categories.)
pub(super) fn site_with_outcomes() -> TempSite {
    let site = TempSite::fixture();
    let forms = site.root().join("forms");
    let permohonan = fs::read_to_string(forms.join("permohonan.yaml")).unwrap();
    let permohonan = permohonan
        .replace(
            "    next: [pertemuan-dijadwalkan, selesai, ditolak]\n",
            "    next: [pertemuan-dijadwalkan, fasilitasi-selesai, selesai, ditolak]\n  \
- id: fasilitasi-selesai\n    label: \"Catat hasil fasilitasi\"\n    status: \"Fasilitasi sudah dilaksanakan\"\n    \
needs: [result]\n    final: true\n    outcomes:\n      \
- { id: mediasi-berhasil, label: \"Mediasi berhasil\" }\n      \
- { id: mediasi-tidak-berhasil, label: \"Mediasi tidak berhasil\" }\n      \
- { id: dirujuk-bpsk, label: \"Dirujuk ke BPSK\" }\n      \
- { id: dirujuk-dinkes, label: \"Dirujuk ke Dinas Kesehatan\" }\n      \
- { id: dirujuk-djki, label: \"Dirujuk ke DJKI\" }\n",
        );
    assert!(permohonan.contains("fasilitasi-selesai"));
    site.write("forms/permohonan.yaml", permohonan);
    let pengaduan = fs::read_to_string(forms.join("pengaduan-layanan.yaml")).unwrap();
    let line = pengaduan
        .lines()
        .find(|l| l.starts_with("  - { id: selesai,"))
        .unwrap();
    let pengaduan = pengaduan.replace(
        line,
        "  - id: selesai\n    label: \"Selesai\"\n    status: \"Selesai\"\n    needs: [result]\n    final: true\n    \
outcomes: [{ id: ditindaklanjuti, label: \"Keluhan ditindaklanjuti\" }, { id: dirujuk-inspektorat, label: \"Dirujuk ke Inspektorat\" }]",
    );
    site.write("forms/pengaduan-layanan.yaml", pengaduan);
    site
}

/// One hand-made record: `ticket`, received at `received` (WIB), in
/// `status`, by `channel`, with its deadlines and what happened.
struct Made<'a> {
    ticket: &'a str,
    received: &'a str,
    status: &'a str,
    channel: &'a str,
    response_due: &'a str,
    completion_due: Option<&'a str>,
    responded: Option<&'a str>,
    completed: Option<&'a str>,
    outcome: Option<&'a str>,
    confidential: bool,
    name: &'a str,
}

impl Made<'_> {
    fn yaml(&self) -> String {
        let request = self.ticket.starts_with("KP-");
        let fields = match request {
            true => format!(
                "fields:\n  jenis: pengaduan\n  nama: {}\n  nik: 3517 0152 0590 0001\nnormalized:\n  nik: '3517015205900001'\n",
                self.name
            ),
            false => format!("fields:\n  nama: {}\n  kontak: 0813 9876 5432\n", self.name),
        };
        let mut text = format!(
            "ticket: {}\nkind: {}\nreceived_at: {}T09:00:00+07:00\nchannel: {}\nstatus: {}\nresponse_due: {}\ncompletion_due: {}\n{fields}attachments: []\nhistory: []\n",
            self.ticket,
            if request {
                "permohonan"
            } else {
                "pengaduan-layanan"
            },
            self.received,
            self.channel,
            self.status,
            self.response_due,
            self.completion_due.unwrap_or("null"),
        );
        if let Some(day) = self.responded {
            text += &format!("first_response_at: {day}T10:00:00+07:00\n");
        }
        if let Some(day) = self.completed {
            text += &format!(
                "completed_at: {day}T14:00:00+07:00\nresult: Hasil rahasia {}\n",
                self.name
            );
        }
        if let Some(outcome) = self.outcome {
            text += &format!("outcome: {outcome}\n");
        }
        if self.confidential {
            text += &format!(
                "confidential:\n  by: pemohon\n  reason: ''\n  at: {}T09:00:00+07:00\n",
                self.received
            );
        }
        text
    }
}

const MADE: Made = Made {
    ticket: "",
    received: "",
    status: "baru",
    channel: "web",
    response_due: "",
    completion_due: None,
    responded: None,
    completed: None,
    outcome: None,
    confidential: false,
    name: "",
};

/// October 2026 (and a case either side of it), one request by every
/// channel. Requests: 5 working days to completion; complaints: 3 to the
/// first response.
fn cases() -> Vec<Made<'static>> {
    let kp = |ticket, received, due| Made {
        ticket,
        received,
        response_due: due,
        completion_due: Some(due),
        ..MADE
    };
    let pl = |ticket, received, due| Made {
        ticket,
        received,
        response_due: due,
        ..MADE
    };
    vec![
        // Thu 1 → Mon 5 Oct: 2 days, on time; selesai declares no outcomes.
        Made {
            status: "selesai",
            responded: Some("2026-10-02"),
            completed: Some("2026-10-05"),
            name: "Siti Aminah",
            ..kp("KP-20261001-CDFH", "2026-10-01", "2026-10-08")
        },
        // Fri 2 → Thu 8 Oct: 4 days, on time; mediation succeeded.
        Made {
            status: "fasilitasi-selesai",
            channel: "langsung",
            responded: Some("2026-10-05"),
            completed: Some("2026-10-08"),
            outcome: Some("mediasi-berhasil"),
            name: "Joko Susilo",
            ..kp("KP-20261002-JKMN", "2026-10-02", "2026-10-09")
        },
        // Mon 5 → Wed 14 Oct: 7 days, late; referred to BPSK.
        Made {
            status: "fasilitasi-selesai",
            channel: "kotak-aduan",
            responded: Some("2026-10-06"),
            completed: Some("2026-10-14"),
            outcome: Some("dirujuk-bpsk"),
            name: "Rudi Hartono",
            ..kp("KP-20261005-WXY3", "2026-10-05", "2026-10-12")
        },
        // Tue 6 → Tue 13 Oct: 5 days, on time; mediation failed.
        Made {
            status: "fasilitasi-selesai",
            channel: "telepon",
            responded: Some("2026-10-07"),
            completed: Some("2026-10-13"),
            outcome: Some("mediasi-tidak-berhasil"),
            name: "Dewi Lestari",
            ..kp("KP-20261006-4679", "2026-10-06", "2026-10-13")
        },
        // Wed 7 → refused Thu 8 Oct: 1 day, on time.
        Made {
            status: "ditolak",
            channel: "whatsapp",
            responded: Some("2026-10-08"),
            completed: Some("2026-10-08"),
            name: "Sri Wahyuni",
            ..kp("KP-20261007-MNPR", "2026-10-07", "2026-10-14")
        },
        // Open, due 19 Oct: late and overdue on 10 Nov.
        Made {
            status: "pertemuan-dijadwalkan",
            channel: "surel",
            responded: Some("2026-10-13"),
            name: "Agus Salim",
            ..kp("KP-20261012-CJ7K", "2026-10-12", "2026-10-19")
        },
        // Open, due 2 Nov: late and overdue.
        Made {
            status: "diperiksa",
            channel: "lapor",
            responded: Some("2026-10-27"),
            name: "Yuli Astuti",
            ..kp("KP-20261026-FHJK", "2026-10-26", "2026-11-02")
        },
        // Confidential: Wed 28 → Fri 30 Oct, 2 days, on time; to DJKI.
        Made {
            status: "fasilitasi-selesai",
            channel: "media-sosial",
            responded: Some("2026-10-29"),
            completed: Some("2026-10-30"),
            outcome: Some("dirujuk-djki"),
            confidential: true,
            name: "Sulastri Tersembunyi",
            ..kp("KP-20261028-PRTV", "2026-10-28", "2026-11-04")
        },
        // Complaint Thu 1 → answered Mon 5 (due 6): on time; closed Wed 7: 4 days.
        Made {
            status: "selesai",
            responded: Some("2026-10-05"),
            completed: Some("2026-10-07"),
            outcome: Some("ditindaklanjuti"),
            name: "Nur Hidayah",
            ..pl("PL-20261001-MNRT", "2026-10-01", "2026-10-06")
        },
        // Thu 8 → answered Wed 14 (due 13): late; answered, so not overdue.
        Made {
            status: "ditanggapi",
            channel: "telepon",
            responded: Some("2026-10-14"),
            name: "Hendra",
            ..pl("PL-20261008-PTVW", "2026-10-08", "2026-10-13")
        },
        // Tue 20, never answered (due 23): late and overdue.
        Made {
            channel: "kotak-aduan",
            name: "Tono",
            ..pl("PL-20261020-XY34", "2026-10-20", "2026-10-23")
        },
        // Confidential (an officer's levy): Thu 22 → answered Fri 23, on
        // time; closed Mon 26: 2 days; to the Inspektorat.
        Made {
            status: "selesai",
            channel: "langsung",
            responded: Some("2026-10-23"),
            completed: Some("2026-10-26"),
            outcome: Some("dirujuk-inspektorat"),
            confidential: true,
            name: "Bejo Pelapor",
            ..pl("PL-20261022-6799", "2026-10-22", "2026-10-27")
        },
        // September and November: outside the month, inside the year (and
        // November inside the quarter).
        Made {
            name: "Wati",
            ..pl("PL-20260930-TVWX", "2026-09-30", "2026-10-05")
        },
        Made {
            name: "Lina",
            ..pl("PL-20261103-CDFH", "2026-11-03", "2026-11-06")
        },
    ]
}

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
    let (html, _, _) = report(&site, "--month", "2026-10", "laporan-2026-10");
    let requests = form_section(&html, "permohonan");
    assert!(requests.contains(&count_row("Dirujuk ke Dinas Kesehatan", 1)));
    assert!(requests.contains(&count_row("Masih berjalan", 1)));
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
