//! The exact numbers of a month (HTML and CSV), an empty month, working
//! days around Christmas, and a provisional deadline marked.

use std::fs;

use super::*;
use crate::common::*;

fn assert_has_all(what: &str, text: &str, facts: &[&str]) {
    for fact in facts {
        assert!(
            text.contains(fact),
            "{what} should contain {fact:?}\n---\n{text}"
        );
    }
}

pub(super) fn count_row(label: &str, n: usize) -> String {
    format!("<th scope=\"row\">{label}</th><td class=\"angka\">{n}</td>")
}

/// The section of one form's figures in a report.
pub(super) fn form_section<'a>(html: &'a str, form: &str) -> &'a str {
    let start = html
        .find(&format!(
            "<section class=\"formulir\" id=\"formulir-{form}\""
        ))
        .unwrap_or_else(|| panic!("no section for {form}"));
    let end = html[start..].find("</section>").unwrap();
    &html[start..start + end]
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
        // The chart is accessible.
        "role=\"img\" aria-labelledby=\"grafik-judul grafik-ket\"",
        "<title id=\"grafik-judul\">Jumlah kasus per minggu, November 2026</title>",
        "Minggu 1 (tanggal 1–7): 4; Minggu 2 (tanggal 8–14): 2; Minggu 3 (tanggal 15–21): 2; Minggu 4 (tanggal 22–28): 2; Minggu 5 (tanggal 29–30): 1.",
        // The broken November record is announced.
        "1 berkas kasus bulan ini tidak dapat dibaca dan tidak dihitung",
        // Rows: dates the Indonesian way, working days, on time or not.
        "<tr><td>KP-20261102-JKMN</td><td class=\"tanggal\">2 November 2026</td><td>Konsultasi masalah usaha</td><td>Selesai</td><td class=\"tanggal\">3 November 2026</td><td class=\"tanggal\">5 November 2026</td><td class=\"angka\">3</td><td class=\"angka\">—</td><td>ya</td><td>Konsultasi: pembukuan sederhana</td><td>Siti Aminah</td><td class=\"nik\">3517 **** **** 0001</td></tr>",
        "<tr><td>KP-20261101-CDFH</td><td class=\"tanggal\">1 November 2026</td>",
        "<tr><td>KP-20261106-WXY3</td><td class=\"tanggal\">6 November 2026</td><td>Pengaduan masalah usaha</td><td>Selesai</td><td class=\"tanggal\">9 November 2026</td><td class=\"tanggal\">13 November 2026</td><td class=\"angka\">5</td><td class=\"angka\">—</td><td>ya</td>",
        "<tr><td>KP-20261113-CJ7K</td><td class=\"tanggal\">13 November 2026</td><td>Pengaduan masalah usaha</td><td>Pertemuan dijadwalkan</td><td class=\"tanggal\">16 November 2026</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td class=\"angka\">—</td><td>tidak</td><td></td><td>Rudi Hartono</td>",
        "<td class=\"angka\">6</td><td class=\"angka\">—</td><td>tidak</td><td>=1+1 pemasaran daring</td>",
        "<tr><td>PL-20261126-Y346</td><td class=\"tanggal\">26 November 2026</td><td>Keluhan, saran, dan masukan tentang pelayanan kami</td><td>Baru</td><td class=\"tanggal\">—</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td class=\"angka\">—</td><td>tidak</td><td></td><td>Nur Hidayah</td><td class=\"nik\">-</td></tr>",
        "<tr><td>PL-20261127-79CD</td><td class=\"tanggal\">27 November 2026</td><td>Keluhan, saran, dan masukan tentang pelayanan kami</td><td>Cek administrasi</td><td class=\"tanggal\">2 Desember 2026</td><td class=\"tanggal\">—</td><td class=\"angka\">—</td><td class=\"angka\">—</td><td>ya</td>",
        // Record values are escaped.
        "<td>Ani &lt;b&gt;&amp;&lt;/b&gt; &quot;Bu&quot;</td>",
    ]
    .map(String::from)
    .to_vec();
    for (label, n) in [
        ("Konsultasi masalah usaha", 5),
        ("Pengaduan masalah usaha", 2),
        ("Keluhan, saran, dan masukan tentang pelayanan kami", 4),
        ("Jumlah", 11),
        // Every step of each form, in its file's order.
        ("Permohonan: Baru", 0),
        ("Permohonan: Diperiksa", 1),
        ("Permohonan: Konsultasi diberikan", 0),
        ("Permohonan: Pertemuan dijadwalkan", 1),
        ("Permohonan: Selesai", 4),
        ("Permohonan: Ditolak", 1),
        ("Keluhan, saran, atau masukan: Baru", 1),
        // Older complaint records in `diperiksa` count as cek administrasi.
        ("Keluhan, saran, atau masukan: Cek administrasi", 2),
        ("Keluhan, saran, atau masukan: Koordinasi", 0),
        ("Keluhan, saran, atau masukan: Ditanggapi", 0),
        ("Keluhan, saran, atau masukan: Selesai", 1),
        ("Keluhan, saran, atau masukan: Ditolak", 0),
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
    // Each form under its own term, never mixed: requests completed in
    // 3, 3, 5, 1 and 6 working days (average 18/5 = 3,6, median 3); one
    // complaint closed in 5. Open on 10 Dec: two requests (both past their
    // deadline), three complaints (one never answered, past its deadline).
    let requests = form_section(&html, "permohonan");
    assert_has_all(
        "the requests' figures",
        requests,
        &[
            &count_row("Diterima", 7),
            &count_row("Tepat waktu", 4),
            &count_row("Terlambat", 3),
            &count_row("Selesai atau ditolak", 5),
            &count_row("Masih berjalan", 2),
            &count_row("Masih berjalan, melewati batas waktu", 2),
            &count_row("Situs web", 7),
            "<td>4 dari 7 (57,1%)</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>3,6 hari kerja</td>",
            "<th scope=\"row\">Median waktu penyelesaian</th><td>3,0 hari kerja</td>",
        ],
    );
    let complaints = form_section(&html, "pengaduan-layanan");
    assert_has_all(
        "the complaints' figures",
        complaints,
        &[
            &count_row("Diterima", 4),
            &count_row("Tepat waktu", 2),
            &count_row("Terlambat", 2),
            &count_row("Selesai atau ditolak", 1),
            &count_row("Masih berjalan", 3),
            &count_row("Masih berjalan, melewati batas waktu", 1),
            "<td>2 dari 4 (50%)</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>5,0 hari kerja</td>",
            "<th scope=\"row\">Median waktu penyelesaian</th><td>5,0 hari kerja</td>",
        ],
    );
    // Plain labels: no raw codes in the report.
    for code in [
        "permohonan/konsultasi",
        "pertemuan-dijadwalkan",
        "<td>selesai</td>",
    ] {
        assert!(!html.contains(code), "{code}");
    }
    assert!(!html.contains("<b>&</b>"));
    assert!(!html.contains("Tidak ada kasus pada bulan ini."));
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
        "\u{feff}Tiket;Diterima;Jenis;Status;Ditanggapi;Selesai;Hari kerja sampai selesai;Hari kerja menunggu pemohon;Sesuai standar waktu;Hasil;Nama;NIK;Catatan batas waktu;Saluran;Kategori hasil"
    );
    assert_has_all(
        "the November CSV",
        &csv,
        &[
            "\nKP-20261102-JKMN;2026-11-02;Konsultasi masalah usaha;Selesai;2026-11-03;2026-11-05;3;0;ya;Konsultasi: pembukuan sederhana;Siti Aminah;3517 **** **** 0001;;Situs web;\r\n",
            "\nKP-20261110-4679;2026-11-10;Konsultasi masalah usaha;Ditolak;2026-11-11;2026-11-11;1;0;ya;\"Bukan usaha mikro; diarahkan ke Dinas Perdagangan\";Dewi Lestari;3517 **** **** 0004;;Situs web;\r\n",
            "\nKP-20261116-MNPR;2026-11-16;Konsultasi masalah usaha;Selesai;2026-11-17;2026-11-24;6;0;tidak;'=1+1 pemasaran daring;Sri Wahyuni;3517 **** **** 0006;;Situs web;\r\n",
            "\nPL-20261126-Y346;2026-11-26;\"Keluhan, saran, dan masukan tentang pelayanan kami\";Baru;;;;0;tidak;;Nur Hidayah;;;Situs web;\r\n",
        ],
    );
    assert!(!csv.contains("November 2026"), "ISO dates in the CSV");

    let printed = stdout(&out);
    assert!(
        printed.contains("Laporan November 2026: 11 kasus"),
        "{printed}"
    );
    assert!(printed.contains("laporan-2026-11.html") && printed.contains("laporan-2026-11.csv"));
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
            "<p class=\"kosong\">Tidak ada kasus pada bulan ini.</p>",
            "<td>tidak ada keluhan, saran, atau masukan yang sudah ditanggapi atau melewati batas waktu</td>",
            "<td>tidak ada permohonan yang sudah selesai atau melewati batas waktu</td>",
            "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>—</td>",
            &count_row("Jumlah", 0),
            &count_row("Permohonan: Ditolak", 0),
            &count_row("Keluhan, saran, atau masukan: Ditolak", 0),
        ],
    );
    assert!(!html.contains("berkas kasus bulan ini tidak dapat dibaca"));
    assert!(!html.contains("<table class=\"kasus\">"));
    assert_eq!(
        csv,
        "\u{feff}Tiket;Diterima;Jenis;Status;Ditanggapi;Selesai;Hari kerja sampai selesai;Hari kerja menunggu pemohon;Sesuai standar waktu;Hasil;Nama;NIK;Catatan batas waktu;Saluran;Kategori hasil\r\n"
    );
    assert!(stdout(&out).contains("Laporan Oktober 2026: 0 kasus"));
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
        "<th scope=\"row\">Rata-rata waktu penyelesaian</th><td>4,0 hari kerja</td>",
        "<tr><td>PL-20261201-MNRT</td><td class=\"tanggal\">1 Desember 2026</td>",
        "<td>Konsultasi masalah usaha</td><td>Selesai</td><td class=\"tanggal\">28 Desember 2026</td><td class=\"tanggal\">31 Desember 2026</td><td class=\"angka\">4</td><td class=\"angka\">—</td><td>ya</td>",
        "<td>belum jatuh tempo</td>",
        "<p class=\"dibuat\">Dibuat 31 Desember 2026</p>",
    ]
    .map(String::from)
    .to_vec();
    for (label, n) in [
        ("Konsultasi masalah usaha", 1),
        ("Pengaduan masalah usaha", 0),
        ("Keluhan, saran, dan masukan tentang pelayanan kami", 3),
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
        "\nPL-20261222-PTVW;2026-12-22;\"Keluhan, saran, dan masukan tentang pelayanan kami\";Cek administrasi;2026-12-28;;;0;ya;;Wati;;;Situs web;\r\n"
    ));
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
        html.contains(&format!("batas waktu kasus bertanda * adalah {note}.")),
        "{html}"
    );
    assert!(csv.contains(note), "{csv}");
}
