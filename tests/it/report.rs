//! `loket report` on hand-made records: exact numbers, masked NIKs, skipped
//! broken records, an empty month, and working days across holidays.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

use crate::common::*;

/// One stored submission, as the server writes it and `loket status` edits it.
struct Case {
    ticket: &'static str,
    received_at: &'static str,
    status: &'static str,
    response_due: &'static str,
    /// Requests only.
    completion_due: Option<&'static str>,
    /// Requests only: konsultasi or pengaduan.
    jenis: &'static str,
    nama: &'static str,
    /// Requests only.
    nik: &'static str,
    responded: Option<&'static str>,
    completed: Option<&'static str>,
    result: &'static str,
}

const CASE: Case = Case {
    ticket: "",
    received_at: "",
    status: "baru",
    response_due: "",
    completion_due: None,
    jenis: "",
    nama: "",
    nik: "",
    responded: None,
    completed: None,
    result: "",
};

/// A YAML scalar in single quotes.
fn q(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn history_entry(at: &str, status: &str, extra: &str) -> String {
    format!("- at: {at}\n  status: {status}\n  by: budi\n{extra}")
}

impl Case {
    fn is_request(&self) -> bool {
        self.ticket.starts_with("KP-")
    }

    /// `submissions/2026/11/27/KP-20261127-7KX4.yaml`, from the ticket's date.
    fn rel_path(&self) -> String {
        let d = &self.ticket[3..11];
        format!(
            "submissions/{}/{}/{}/{}.yaml",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            self.ticket
        )
    }

    fn fields(&self) -> String {
        if self.is_request() {
            let digits: String = self.nik.chars().filter(char::is_ascii_digit).collect();
            format!(
                "fields:\n  jenis: {}\n  nama: {}\n  nik: {}\n  alamat: Jl. Mawar No. 7, Candimulyo\n  telepon: 0812 3456 7890\n  email: pemohon@contoh.id\n  nama_usaha: Keripik Tempe Bu Siti\n  bidang_usaha: Makanan ringan\n  alamat_usaha: Jl. Melati No. 3, Jombang\n  uraian: Mohon pendampingan.\n  termohon_nama: ''\n  termohon_kontak: ''\n  persetujuan: ya\nnormalized:\n  nik: '{digits}'\n  telepon: '+6281234567890'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: foto ktp.jpg\n  size: 183204\n  type: image/jpeg\n  sha256: 5f1c00\n",
                self.jenis,
                q(self.nama),
                self.nik
            )
        } else {
            format!(
                "fields:\n  nama: {}\n  kontak: 0813 9876 5432\n  isi: Antrean terlalu lama.\nnormalized:\n  kontak: '+6281398765432'\nattachments: []\n",
                q(self.nama)
            )
        }
    }

    fn history(&self) -> String {
        let mut entries = String::new();
        let closed = matches!(self.status, "selesai" | "ditolak");
        if let Some(at) = self.responded {
            if self.completed == Some(at) {
                return history_entry(at, self.status, &format!("  note: {}\n", q(self.result)));
            }
            entries += &history_entry(at, "diperiksa", "  berkas: lengkap\n");
        }
        if self.status == "pertemuan-dijadwalkan" {
            let at = self.responded.unwrap();
            entries += &history_entry(
                at,
                self.status,
                "  meeting:\n    at: 2026-11-25 10:00\n    place: Kantor Dinkopum\n",
            );
        }
        if let (true, Some(at)) = (closed, self.completed) {
            entries += &history_entry(at, self.status, &format!("  note: {}\n", q(self.result)));
        }
        entries
    }

    fn yaml(&self) -> String {
        let kind = if self.is_request() {
            "permohonan"
        } else {
            "pengaduan-layanan"
        };
        let mut text = format!(
            "# {} · hand-made test record\nticket: {}\nkind: {kind}\nreceived_at: {}\nstatus: {}\nresponse_due: {}\ncompletion_due: {}\n{}",
            self.ticket,
            self.ticket,
            self.received_at,
            self.status,
            self.response_due,
            self.completion_due.unwrap_or("null"),
            self.fields()
        );
        let history = self.history();
        if history.is_empty() {
            text += "history: []\n";
        } else {
            text += "history:\n";
            text += &history;
        }
        if let Some(at) = self.responded {
            text += &format!("first_response_at: {at}\n");
        }
        if let Some(at) = self.completed {
            text += &format!("completed_at: {at}\nresult: {}\n", q(self.result));
        }
        text
    }
}

/// November 2026 (1 Nov is a Sunday; no holidays), plus December cases that
/// must stay out of it and cross Christmas (24 cuti bersama, 25 holiday).
fn cases() -> Vec<Case> {
    vec![
        // 1 Nov 03:30 in WIB although 31 Oct in UTC; done Wed 4 Nov: 3 days.
        Case {
            ticket: "KP-20261101-CDFH",
            received_at: "2026-10-31T20:30:00Z",
            status: "selesai",
            response_due: "2026-11-06",
            completion_due: Some("2026-11-06"),
            jenis: "konsultasi",
            nama: "Bambang Wijaya",
            nik: "3517 0203 0485 0002",
            responded: Some("2026-11-02T09:00:00+07:00"),
            completed: Some("2026-11-04T10:00:00+07:00"),
            result: "Konsultasi: perizinan NIB",
        },
        // Mon 2 → Thu 5 Nov: 3 days.
        Case {
            ticket: "KP-20261102-JKMN",
            received_at: "2026-11-02T09:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-09",
            completion_due: Some("2026-11-09"),
            jenis: "konsultasi",
            nama: "Siti Aminah",
            nik: "3517 0152 0590 0001",
            responded: Some("2026-11-03T09:00:00+07:00"),
            completed: Some("2026-11-05T14:00:00+07:00"),
            result: "Konsultasi: pembukuan sederhana",
        },
        // Complaint Thu 5 → response Mon 9 Nov (2 days, across a weekend); closed 12 Nov (5).
        Case {
            ticket: "PL-20261105-PRTV",
            received_at: "2026-11-05T08:30:00+07:00",
            status: "selesai",
            response_due: "2026-11-10",
            nama: "Ani <b>&</b> \"Bu\"",
            responded: Some("2026-11-09T10:00:00+07:00"),
            completed: Some("2026-11-12T10:00:00+07:00"),
            result: "Petugas loket ditegur; antrean diperbaiki",
            ..CASE
        },
        // Fri 6 → Fri 13 Nov: 5 days across a weekend.
        Case {
            ticket: "KP-20261106-WXY3",
            received_at: "2026-11-06T14:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-13",
            completion_due: Some("2026-11-13"),
            jenis: "pengaduan",
            nama: "Joko Susilo",
            nik: "3517.1108.1275.0003",
            responded: Some("2026-11-09T08:00:00+07:00"),
            completed: Some("2026-11-13T15:00:00+07:00"),
            result: "Mediasi berhasil; pembayaran dicicil",
        },
        // Refused the next day: 1 day.
        Case {
            ticket: "KP-20261110-4679",
            received_at: "2026-11-10T11:00:00+07:00",
            status: "ditolak",
            response_due: "2026-11-17",
            completion_due: Some("2026-11-17"),
            jenis: "konsultasi",
            nama: "Dewi Lestari",
            nik: "3517450990010004",
            responded: Some("2026-11-11T09:00:00+07:00"),
            completed: Some("2026-11-11T09:00:00+07:00"),
            result: "Bukan usaha mikro; diarahkan ke Dinas Perdagangan",
        },
        // Meeting scheduled, not completed, due 20 Nov: overdue.
        Case {
            ticket: "KP-20261113-CJ7K",
            received_at: "2026-11-13T10:00:00+07:00",
            status: "pertemuan-dijadwalkan",
            response_due: "2026-11-20",
            completion_due: Some("2026-11-20"),
            jenis: "pengaduan",
            nama: "Rudi Hartono",
            nik: "3517 2212 8802 0005",
            responded: Some("2026-11-16T09:00:00+07:00"),
            ..CASE
        },
        // Mon 16 → Tue 24 Nov: 6 days, late.
        Case {
            ticket: "KP-20261116-MNPR",
            received_at: "2026-11-16T13:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-23",
            completion_due: Some("2026-11-23"),
            jenis: "konsultasi",
            nama: "Sri Wahyuni",
            nik: "3517 3306 7703 0006",
            responded: Some("2026-11-17T09:00:00+07:00"),
            completed: Some("2026-11-24T16:00:00+07:00"),
            result: "=1+1 pemasaran daring",
        },
        // Complaint Thu 19 → response Wed 25 Nov: 4 days, late.
        Case {
            ticket: "PL-20261119-TVWX",
            received_at: "2026-11-19T09:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-11-24",
            nama: "Agus Salim",
            responded: Some("2026-11-25T09:00:00+07:00"),
            ..CASE
        },
        // Complaint never answered, due 1 Dec: overdue.
        Case {
            ticket: "PL-20261126-Y346",
            received_at: "2026-11-26T09:00:00+07:00",
            response_due: "2026-12-01",
            nama: "Nur Hidayah",
            ..CASE
        },
        // Complaint Fri 27 Nov → Wed 2 Dec: 3 days across a weekend.
        Case {
            ticket: "PL-20261127-79CD",
            received_at: "2026-11-27T17:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-02",
            nama: "Hendra",
            responded: Some("2026-12-02T08:00:00+07:00"),
            ..CASE
        },
        // Request still being checked, due 7 Dec: overdue on 10 Dec.
        Case {
            ticket: "KP-20261130-FHJK",
            received_at: "2026-11-30T08:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-07",
            completion_due: Some("2026-12-07"),
            jenis: "konsultasi",
            nama: "Yuli Astuti",
            nik: "3517 5511 6604 0007",
            responded: Some("2026-12-01T09:00:00+07:00"),
            ..CASE
        },
        // 30 Nov in UTC but 1 Dec in WIB: December.
        Case {
            ticket: "PL-20261201-MNRT",
            received_at: "2026-11-30T18:30:00+00:00",
            status: "diperiksa",
            response_due: "2026-12-04",
            nama: "Tono",
            responded: Some("2026-12-03T09:00:00+07:00"),
            ..CASE
        },
        // Tue 22 → Mon 28 Dec: 2 working days (24, 25 off), 4 if they counted.
        Case {
            ticket: "PL-20261222-PTVW",
            received_at: "2026-12-22T10:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-29",
            nama: "Wati",
            responded: Some("2026-12-28T09:00:00+07:00"),
            ..CASE
        },
        // Wed 23 → Thu 31 Dec: 4 working days (6 if 24, 25 counted).
        Case {
            ticket: "KP-20261223-XY34",
            received_at: "2026-12-23T10:00:00+07:00",
            status: "selesai",
            response_due: "2027-01-01",
            completion_due: Some("2027-01-01"),
            jenis: "konsultasi",
            nama: "Eko Prasetyo",
            nik: "3517 0707 0808 0008",
            responded: Some("2026-12-28T09:00:00+07:00"),
            completed: Some("2026-12-31T10:00:00+07:00"),
            result: "Konsultasi: kemasan produk",
        },
        // Not answered yet, not due on 31 Dec.
        Case {
            ticket: "PL-20261230-6799",
            received_at: "2026-12-30T10:00:00+07:00",
            response_due: "2027-01-04",
            nama: "Lina",
            ..CASE
        },
    ]
}

/// The broken record: an unknown status, in the November folder.
fn malformed() -> (String, String, usize) {
    let case = Case {
        ticket: "KP-20261120-CDFH",
        received_at: "2026-11-20T09:00:00+07:00",
        status: "entah",
        response_due: "2026-11-27",
        completion_due: Some("2026-11-27"),
        jenis: "konsultasi",
        nama: "Rusak",
        nik: "3517 9999 8888 0009",
        ..CASE
    };
    let text = case.yaml();
    let line = text.lines().position(|l| l == "status: entah").unwrap() + 1;
    (case.rel_path(), text, line)
}

struct Setup {
    site: TempSite,
    data: PathBuf,
    out: PathBuf,
}

fn setup() -> Setup {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    for case in cases() {
        site.write(&format!("data/{}", case.rel_path()), case.yaml());
    }
    let (rel, text, _) = malformed();
    site.write(&format!("data/{rel}"), text);
    let out = site.root().join("laporan");
    Setup { site, data, out }
}

impl Setup {
    fn report(&self, month: &str, on: &str) -> Output {
        run(&[
            "report",
            "--month",
            month,
            "--on",
            on,
            "--root",
            self.site.root_str(),
            "--data",
            self.data.to_str().unwrap(),
            "--out",
            self.out.to_str().unwrap(),
        ])
    }

    fn written(&self, month: &str, on: &str) -> (String, String, Output) {
        let output = self.report(month, on);
        assert!(
            output.status.success(),
            "report failed:\n{}\n{}",
            stdout(&output),
            stderr(&output)
        );
        let html = fs::read_to_string(self.out.join(format!("laporan-{month}.html"))).unwrap();
        let csv = fs::read_to_string(self.out.join(format!("laporan-{month}.csv"))).unwrap();
        (html, csv, output)
    }
}

fn assert_has_all(what: &str, text: &str, facts: &[&str]) {
    for fact in facts {
        assert!(
            text.contains(fact),
            "{what} should contain {fact:?}\n---\n{text}"
        );
    }
}

fn count_row(label: &str, n: usize) -> String {
    format!("<th scope=\"row\">{label}</th><td class=\"angka\">{n}</td>")
}

fn week_row(week: u8, days: &str, period: &str, n: usize) -> String {
    format!(
        "<th scope=\"row\">Minggu {week}</th><td>{days} {period}</td><td class=\"angka\">{n}</td>"
    )
}

fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"id\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "<link", " src=", "http:", "https:", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "report contains {banned:?}");
    }
    for tag in ["table", "tr", "section", "svg", "figure", "ul"] {
        assert_eq!(
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "unbalanced <{tag}>"
        );
    }
}

#[test]
fn november_report_has_the_exact_numbers() {
    let s = setup();
    let (html, csv, out) = s.written("2026-11", "2026-12-10");
    assert_self_contained(&html);
    let period = "November 2026";
    let mut facts: Vec<String> = [
        // Letterhead from site.yaml, title, date of the report.
        "<p class=\"induk\">Pemerintah Kabupaten Jombang</p>",
        "<p class=\"dinas\">Dinas Koperasi dan Usaha Mikro</p>",
        "Jl. Presiden KH. Abdurrahman Wahid No.153-155, Candi Mulyo, Kec. Jombang, Kabupaten Jombang, Jawa Timur 61419",
        "Telp. (0321) 861494 · www.jombangkab.go.id/opd/dinkopum",
        "<h1>Laporan Hasil Pelayanan</h1>",
        "<p class=\"periode\">November 2026</p>",
        "<p class=\"dibuat\">Dibuat 10 Desember 2026</p>",
        "@page { size: A4;",
        // Shares, with the exact rules.
        "<td>2 dari 4 (50%)</td>",
        "<td>4 dari 7 (57,1%)</td>",
        "<td>3,8 hari kerja (6 kiriman selesai/ditolak)</td>",
        // The chart is accessible.
        "role=\"img\" aria-labelledby=\"grafik-judul grafik-ket\"",
        "<title id=\"grafik-judul\">Jumlah kiriman per minggu, November 2026</title>",
        "Minggu 1 (tanggal 1–7): 4; Minggu 2 (tanggal 8–14): 2; Minggu 3 (tanggal 15–21): 2; Minggu 4 (tanggal 22–28): 2; Minggu 5 (tanggal 29–30): 1.",
        // The broken November record is announced.
        "1 berkas kiriman bulan ini tidak dapat dibaca dan tidak dihitung",
        // Rows: dates the Indonesian way, working days, on time or not.
        "<tr><td>KP-20261102-JKMN</td><td class=\"tanggal\">2 November 2026</td><td>permohonan/konsultasi</td><td>selesai</td><td class=\"tanggal\">3 November 2026</td><td class=\"tanggal\">5 November 2026</td><td class=\"angka\">3</td><td>ya</td><td>Konsultasi: pembukuan sederhana</td><td>Siti Aminah</td><td class=\"nik\">3517 **** **** 0001</td></tr>",
        "<tr><td>KP-20261101-CDFH</td><td class=\"tanggal\">1 November 2026</td>",
        "<tr><td>KP-20261106-WXY3</td><td class=\"tanggal\">6 November 2026</td><td>permohonan/pengaduan</td><td>selesai</td><td class=\"tanggal\">9 November 2026</td><td class=\"tanggal\">13 November 2026</td><td class=\"angka\">5</td><td>ya</td>",
        "<tr><td>KP-20261113-CJ7K</td><td class=\"tanggal\">13 November 2026</td><td>permohonan/pengaduan</td><td>pertemuan-dijadwalkan</td><td class=\"tanggal\">16 November 2026</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td>tidak</td><td></td><td>Rudi Hartono</td>",
        "<td class=\"angka\">6</td><td>tidak</td><td>=1+1 pemasaran daring</td>",
        "<tr><td>PL-20261126-Y346</td><td class=\"tanggal\">26 November 2026</td><td>pengaduan-layanan</td><td>baru</td><td class=\"tanggal\">—</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td>tidak</td><td></td><td>Nur Hidayah</td><td class=\"nik\">-</td></tr>",
        "<tr><td>PL-20261127-79CD</td><td class=\"tanggal\">27 November 2026</td><td>pengaduan-layanan</td><td>diperiksa</td><td class=\"tanggal\">2 Desember 2026</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td>ya</td>",
        // Record values are escaped.
        "<td>Ani &lt;b&gt;&amp;&lt;/b&gt; &quot;Bu&quot;</td>",
    ]
    .map(String::from)
    .to_vec();
    for (label, n) in [
        ("Konsultasi masalah usaha", 5),
        ("Pengaduan masalah usaha", 2),
        ("Keluhan, saran, dan masukan tentang pelayanan", 4),
        ("Jumlah", 11),
        ("Baru", 1),
        ("Diperiksa", 3),
        ("Konsultasi diberikan", 0),
        ("Pertemuan dijadwalkan", 1),
        ("Selesai", 5),
        ("Ditolak", 1),
    ] {
        facts.push(count_row(label, n));
    }
    for (week, days, n) in [
        (1, "1–7", 4),
        (2, "8–14", 2),
        (3, "15–21", 2),
        (4, "22–28", 2),
        (5, "29–30", 1),
    ] {
        facts.push(week_row(week, days, period, n));
    }
    let facts: Vec<&str> = facts.iter().map(String::as_str).collect();
    assert_has_all("the November report", &html, &facts);
    assert!(!html.contains("<b>&</b>"));
    assert!(!html.contains("Tidak ada kiriman pada bulan ini."));
    // December cases stay out, including the one that is 30 Nov in UTC.
    for ticket in ["PL-20261201-MNRT", "PL-20261222-PTVW", "KP-20261120-CDFH"] {
        assert!(!html.contains(ticket) && !csv.contains(ticket), "{ticket}");
    }
    // Oldest first.
    let first = html.find("KP-20261101-CDFH").unwrap();
    let last = html.find("KP-20261130-FHJK").unwrap();
    assert!(first < last);

    // CSV: header, one line per case, ISO dates, formula-safe.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 12, "{csv}");
    assert_eq!(
        lines[0],
        "\u{feff}Tiket;Diterima;Jenis;Status;Ditanggapi;Selesai;Hari kerja sampai selesai;Sesuai standar waktu;Hasil;Nama;NIK;Catatan batas waktu"
    );
    assert_has_all(
        "the November CSV",
        &csv,
        &[
            "\nKP-20261102-JKMN;2026-11-02;permohonan/konsultasi;selesai;2026-11-03;2026-11-05;3;ya;Konsultasi: pembukuan sederhana;Siti Aminah;3517 **** **** 0001;\r\n",
            "\nKP-20261110-4679;2026-11-10;permohonan/konsultasi;ditolak;2026-11-11;2026-11-11;1;ya;\"Bukan usaha mikro; diarahkan ke Dinas Perdagangan\";Dewi Lestari;3517 **** **** 0004;\r\n",
            "\nKP-20261116-MNPR;2026-11-16;permohonan/konsultasi;selesai;2026-11-17;2026-11-24;6;tidak;'=1+1 pemasaran daring;Sri Wahyuni;3517 **** **** 0006;\r\n",
            "\nPL-20261126-Y346;2026-11-26;pengaduan-layanan;baru;;;;tidak;;Nur Hidayah;;\r\n",
        ],
    );
    assert!(!csv.contains("November 2026"), "ISO dates in the CSV");

    let printed = stdout(&out);
    assert!(
        printed.contains("Laporan November 2026: 11 kiriman"),
        "{printed}"
    );
    assert!(printed.contains("laporan-2026-11.html") && printed.contains("laporan-2026-11.csv"));
}

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
fn unreadable_record_is_named_and_skipped() {
    let s = setup();
    let (rel, _, line) = malformed();
    let (_, csv, out) = s.written("2026-11", "2026-12-10");
    let err = stderr(&out);
    let expected = format!(
        "{}:{line}: status \"entah\" tidak dikenal",
        s.data.join(&rel).display()
    );
    assert!(err.contains(&expected), "want {expected:?} in:\n{err}");
    assert!(err.contains("1 record(s) could not be read and were skipped"));
    assert!(!csv.contains("Rusak"));
}

#[test]
fn a_month_without_records_gives_a_valid_empty_report() {
    let s = setup();
    // The 31 Oct UTC record belongs to November in WIB, so October is empty.
    let (html, csv, out) = s.written("2026-10", "2026-12-10");
    assert_self_contained(&html);
    assert_has_all(
        "the October report",
        &html,
        &[
            "<p class=\"periode\">Oktober 2026</p>",
            "<p class=\"kosong\">Tidak ada kiriman pada bulan ini.</p>",
            "<td>tidak ada pengaduan yang sudah ditanggapi atau melewati batas waktu</td>",
            "<td>tidak ada permohonan yang sudah selesai atau melewati batas waktu</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>—</td>",
            &count_row("Jumlah", 0),
            &count_row("Ditolak", 0),
        ],
    );
    assert!(!html.contains("berkas kiriman bulan ini tidak dapat dibaca"));
    assert!(!html.contains("<table class=\"kasus\">"));
    assert_eq!(
        csv,
        "\u{feff}Tiket;Diterima;Jenis;Status;Ditanggapi;Selesai;Hari kerja sampai selesai;Sesuai standar waktu;Hasil;Nama;NIK;Catatan batas waktu\r\n"
    );
    assert!(stdout(&out).contains("Laporan Oktober 2026: 0 kiriman"));
}

#[test]
fn december_counts_working_days_around_christmas() {
    let s = setup();
    let (html, csv, _) = s.written("2026-12", "2026-12-31");
    let period = "Desember 2026";
    let mut facts: Vec<String> = [
        // 22 → 28 Dec is 2 working days (24 cuti bersama, 25 Natal), so on time;
        // 30 Dec is not due yet on the 31st.
        "<td>2 dari 2 (100%); 1 belum jatuh tempo (tidak dihitung)</td>",
        "<td>1 dari 1 (100%)</td>",
        "<td>4,0 hari kerja (1 kiriman selesai/ditolak)</td>",
        "<tr><td>PL-20261201-MNRT</td><td class=\"tanggal\">1 Desember 2026</td>",
        "<td>permohonan/konsultasi</td><td>selesai</td><td class=\"tanggal\">28 Desember 2026</td><td class=\"tanggal\">31 Desember 2026</td><td class=\"angka\">4</td><td>ya</td>",
        "<td>belum jatuh tempo</td>",
        "<p class=\"dibuat\">Dibuat 31 Desember 2026</p>",
    ]
    .map(String::from)
    .to_vec();
    for (label, n) in [
        ("Konsultasi masalah usaha", 1),
        ("Pengaduan masalah usaha", 0),
        ("Keluhan, saran, dan masukan tentang pelayanan", 3),
        ("Jumlah", 4),
    ] {
        facts.push(count_row(label, n));
    }
    for (week, days, n) in [
        (1, "1–7", 1),
        (2, "8–14", 0),
        (3, "15–21", 0),
        (4, "22–28", 2),
        (5, "29–31", 1),
    ] {
        facts.push(week_row(week, days, period, n));
    }
    let facts: Vec<&str> = facts.iter().map(String::as_str).collect();
    assert_has_all("the December report", &html, &facts);
    // The broken record is in November's folder: December says nothing of it.
    assert!(!html.contains("tidak dapat dibaca"));
    assert!(csv.contains(
        "\nPL-20261222-PTVW;2026-12-22;pengaduan-layanan;diperiksa;2026-12-28;;;ya;;Wati;;\r\n"
    ));
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

#[test]
fn bad_arguments_are_refused_clearly() {
    let s = setup();
    for bad in ["2026-13", "11-2026", "2026/11"] {
        let out = s.report(bad, "2026-12-10");
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("--month") && err.contains(bad), "{err}");
    }
    assert!(stderr(&s.report("2026-13", "2026-12-10")).contains("01 to 12"));
    let out = s.report("2026-11", "10-12-2026");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--on"));
    let out = run(&[
        "report",
        "--month",
        "2026-11",
        "--root",
        s.site.root_str(),
        "--data",
        s.site.root().join("tidak-ada").to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no submissions folder"),
        "{}",
        stderr(&out)
    );
    assert!(!s.out.exists(), "nothing written");
}

/// The report is a template built in to loket; an office puts its own
/// letterhead in place with a `templates/laporan.html` of its own.
#[test]
fn an_office_overrides_the_report_template() {
    let s = setup();
    s.site.write(
        "templates/laporan.html",
        "<!DOCTYPE html><html lang=\"id\"><title>Kop kami</title><p class=\"kop-kami\">{{ office.name }} · {{ r.period }}</p>{% for c in r.cases %}<p>{{ c.ticket }} {{ c.name }}</p>{% endfor %}</html>",
    );
    let (html, _, _) = s.written("2026-11", "2026-12-10");
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"id\"><title>Kop kami</title><p class=\"kop-kami\">Dinas Koperasi dan Usaha Mikro · November 2026</p>"),
        "{html}"
    );
    // Values are escaped in the office's template too.
    assert!(!html.contains("<b>"), "{html}");
}

/// A deadline computed through a year without a holiday list is marked in
/// the report as it is on the receipt and in the inbox.
#[test]
fn a_provisional_deadline_is_marked_in_the_report() {
    let s = setup();
    let path = crate::common::submit::record_path(&s.data, "PL-20261222-PTVW");
    let text = fs::read_to_string(&path).unwrap();
    let note = "perkiraan; daftar libur 2027 belum ditetapkan";
    fs::write(&path, format!("{text}due_note: {note}\n")).unwrap();
    let (html, csv, _) = s.written("2026-12", "2026-12-31");
    assert!(
        html.contains(&format!("batas waktu kiriman bertanda * adalah {note}.")),
        "{html}"
    );
    assert!(csv.contains(note), "{csv}");
}
