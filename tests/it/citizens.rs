//! What a citizen is told about deadlines, black-box: the real `loket
//! serve` with its clock set by libfaketime, a fixture holiday list, a
//! submission, its receipt, its record and the inbox.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::common::server::Server;
use crate::common::*;
use reqwest::StatusCode;

/// The holiday list of 2026 the tests count with: cuti bersama on 24
/// December (25 December is off in every year without being listed).
const HOLIDAYS_2026: &str = "year: 2026\nsource: \"SKB contoh\"\ncuti_bersama:\n  - { date: 2026-12-24, name: \"Cuti bersama\" }\n";

/// A copy of the site with only the fixture holiday lists given.
fn site_with_holidays(lists: &[(&str, &str)]) -> TempSite {
    let site = TempSite::fixture();
    let dir = site.root().join("hari-libur");
    fs::remove_dir_all(&dir).unwrap();
    fs::create_dir(&dir).unwrap();
    for (name, text) in lists {
        site.write(&format!("hari-libur/{name}"), text);
    }
    site
}

fn start_at(site: TempSite, wib: &str) -> Server {
    let data = site.root().join("data");
    Server::launch_with(loket_at(wib), site, data, &["--rate-limit", "0"])
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn permohonan() -> reqwest::multipart::Form {
    let ktp = reqwest::multipart::Part::bytes(crate::common::form::jpeg(2048, 1))
        .file_name("ktp.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    reqwest::multipart::Form::new()
        .text("jenis", "konsultasi")
        .text("nama", "Siti Aminah")
        .text("nik", "3517015205900001")
        .text("alamat", "Jl. Merdeka 1")
        .text("telepon", "0812 3456 7890")
        .text("nama_usaha", "Keripik")
        .text("bidang_usaha", "Makanan")
        .text("alamat_usaha", "Jombang")
        .text("uraian", "Butuh konsultasi pembukuan")
        .text("persetujuan", "ya")
        .part("ktp", ktp)
}

fn keluhan() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("nama", "Budi")
        .text("kontak", "0812 3456 7890")
        .text("isi", "Telepon kantor tidak diangkat.")
        .text("persetujuan", "ya")
}

/// Posts a form and returns the ticket of its 303.
async fn submit(server: &Server, path: &str, form: reqwest::multipart::Form) -> String {
    let response = client()
        .post(server.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    location.split("tiket=").nth(1).unwrap().to_string()
}

async fn receipt(server: &Server, ticket: &str) -> (StatusCode, String) {
    let response = client()
        .get(server.url(&format!("/terkirim/?tiket={ticket}")))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn record_text(data: &Path, ticket: &str) -> String {
    let day = &ticket[3..11];
    let path = data
        .join("submissions")
        .join(&day[0..4])
        .join(&day[4..6])
        .join(&day[6..8])
        .join(format!("{ticket}.yaml"));
    fs::read_to_string(path).unwrap()
}

/// The December bug: requests received late in a year whose next year has
/// no holiday list yet get the right date (New Year's Day is a holiday in
/// every year), marked as an estimate on the receipt, in the record and in
/// the inbox.
#[tokio::test]
async fn deadlines_into_a_year_without_a_holiday_list() {
    for (received, due_iso, due_long) in [
        ("2026-12-23 10:00:00", "2027-01-04", "Senin, 4 Januari 2027"),
        ("2026-12-24 10:00:00", "2027-01-04", "Senin, 4 Januari 2027"),
        ("2026-12-25 10:00:00", "2027-01-04", "Senin, 4 Januari 2027"),
        (
            "2026-12-28 10:00:00",
            "2027-01-05",
            "Selasa, 5 Januari 2027",
        ),
        ("2026-12-31 10:00:00", "2027-01-08", "Jumat, 8 Januari 2027"),
    ] {
        let server = start_at(
            site_with_holidays(&[("2026.yaml", HOLIDAYS_2026)]),
            received,
        );
        let ticket = submit(&server, "/permohonan/", permohonan()).await;
        let (status, html) = receipt(&server, &ticket).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(&format!(
                "diselesaikan paling lambat <strong><time datetime=\"{due_iso}\">{due_long}</time></strong> (5 hari kerja sejak diterima)"
            )),
            "received {received}: {html}"
        );
        assert!(
            html.contains("Tanggal ini perkiraan; daftar libur 2027 belum ditetapkan."),
            "{html}"
        );
        let record = record_text(&server.data, &ticket);
        assert!(
            record.contains(&format!("\nresponse_due: {due_iso}\n")),
            "{record}"
        );
        assert!(
            record.contains(&format!("\ncompletion_due: {due_iso}\n")),
            "{record}"
        );
        assert!(
            record.contains("\ndue_note: perkiraan; daftar libur 2027 belum ditetapkan\n"),
            "{record}"
        );
        let inbox = run(&[
            "inbox",
            "--data",
            server.data.to_str().unwrap(),
            "--on",
            "2026-12-31",
        ]);
        let table = stdout(&inbox);
        assert!(table.contains(&format!("{due_iso}*")), "{table}");
        assert!(
            table.contains("* perkiraan; daftar libur 2027 belum ditetapkan"),
            "{table}"
        );
        let (_, log) = server.stop();
        assert!(
            log.contains("hari-libur/2027.yaml: peringatan: belum ada daftar hari libur 2027"),
            "the server says what is missing: {log}"
        );
    }
}

/// With next year's list in place the same deadline is exact, and listed
/// days off count.
#[tokio::test]
async fn deadlines_with_next_years_list_are_exact() {
    let site = site_with_holidays(&[
        ("2026.yaml", HOLIDAYS_2026),
        (
            "2027.yaml",
            "year: 2027\nsource: \"SKB contoh\"\ncuti_bersama:\n  - { date: 2027-01-04, name: \"Contoh\" }\n",
        ),
    ]);
    let server = start_at(site, "2026-12-28 10:00:00");
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (_, html) = receipt(&server, &ticket).await;
    // 29, 30, 31 Dec, (4 Jan off), 5, 6 Jan.
    assert!(
        html.contains("<time datetime=\"2027-01-06\">Rabu, 6 Januari 2027</time>"),
        "{html}"
    );
    assert!(!html.contains("perkiraan"), "{html}");
    let record = record_text(&server.data, &ticket);
    assert!(!record.contains("due_note"), "{record}");
    let (_, log) = server.stop();
    assert!(!log.contains("belum ada daftar hari libur"), "{log}");
}

/// A complaint about the service is answered (ditanggapi) within 3 working
/// days; a request is completed (diselesaikan) within 5. Nothing promises a
/// call.
#[tokio::test]
async fn the_receipt_says_what_the_standard_says() {
    let server = start_at(
        site_with_holidays(&[("2026.yaml", HOLIDAYS_2026)]),
        "2026-11-27 09:00:00",
    );
    let ticket = submit(&server, "/pengaduan-layanan/formulir/", keluhan()).await;
    let (status, complaint) = receipt(&server, &ticket).await;
    assert_eq!(status, StatusCode::OK);
    let html = &complaint;
    assert!(
        html.contains("Keluhan, saran, atau masukan ditanggapi paling lambat <strong><time datetime=\"2026-12-02\">Rabu, 2 Desember 2026</time></strong> (3 hari kerja sejak diterima)"),
        "{html}"
    );
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (_, html) = receipt(&server, &ticket).await;
    assert!(
        html.contains("Permohonan diselesaikan paling lambat <strong><time datetime=\"2026-12-04\">Jumat, 4 Desember 2026</time></strong>"),
        "{html}"
    );
    for html in [&complaint, &html] {
        assert!(!html.contains("menghubungi Anda"), "{html}");
        assert!(!html.contains("perkiraan"), "{html}");
    }
}

/// The receipt exists only for tickets that were issued, and tells the
/// truth about a rejected case.
#[tokio::test]
async fn receipts_only_for_issued_tickets_and_rejections_say_so() {
    let server = Server::start();
    for query in [
        "KP-20261127-CDFH",
        "PL-20261127-CDFH",
        "XX-1",
        "KP-20261399-CDFH",
        "",
    ] {
        let (status, html) = receipt(&server, query).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}");
        assert!(html.contains("Tiket tidak ditemukan"), "{query}: {html}");
    }
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (status, html) = receipt(&server, &ticket).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("paling lambat"), "{html}");
    let data = server.data.to_str().unwrap();
    for step in [
        vec!["status", &ticket, "diperiksa", "--berkas", "tidak-lengkap"],
        vec!["status", &ticket, "ditolak", "--note", "KTP tidak terbaca"],
    ] {
        let out = run(&[step.as_slice(), &["--data", data]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let (status, html) = receipt(&server, &ticket).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Permohonan ini <strong>ditolak</strong>"),
        "{html}"
    );
    assert!(!html.contains("paling lambat"), "{html}");
    assert!(!html.contains("Langkah selanjutnya"), "{html}");
    assert!(
        !html.contains("KTP tidak terbaca"),
        "no internal reason on a public page"
    );
}

/// A robot that fills in the honeypot gets a receipt like anyone else,
/// though nothing was stored.
#[tokio::test]
async fn a_robot_gets_a_receipt_but_nothing_is_stored() {
    let server = Server::start();
    let ticket = submit(
        &server,
        "/permohonan/",
        permohonan().text("situs_web", "http://spam"),
    )
    .await;
    let (status, html) = receipt(&server, &ticket).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&ticket), "{html}");
    assert!(!server.data.join("submissions").join(&ticket[3..7]).exists());
}

/// The term is the form file's; a service page or a form page whose text
/// says another number is an error naming file and line.
#[tokio::test]
async fn the_term_comes_from_the_form_file() {
    let site = site_with_holidays(&[("2026.yaml", HOLIDAYS_2026)]);
    let form = "forms/permohonan.yaml";
    let text = site
        .read(form)
        .replace("term: { days: 5,", "term: { days: 7,");
    site.write(form, text);
    let term_line = line_of(&site.read(form), "term:");
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let out = site.check();
    assert!(!out.status.success());
    let err = stderr(&out);
    let line = line_of(&site.read("content/permohonan.md"), "5 hari kerja");
    assert!(
        err.contains(&format!(
            "content/permohonan.md:{line}: teks halaman menyebut 5 hari kerja, tetapi term di {form} menetapkan 7 hari kerja; samakan angkanya"
        )),
        "{err}"
    );
    let working_days = line_of(&site.read(service), "working_days:");
    assert!(
        err.contains(&format!(
            "{service}:{working_days}: `service.working_days` = 5, tetapi {form}:{term_line} menetapkan 7 hari kerja; samakan angkanya"
        )),
        "{err}"
    );
    let page = site
        .read("content/permohonan.md")
        .replace("5 hari kerja", "7 hari kerja");
    site.write("content/permohonan.md", page);
    let text = site
        .read(service)
        .replace("working_days: 5", "working_days: 7");
    site.write(service, text);
    let out = site.check();
    assert!(out.status.success(), "{}", stderr(&out));

    let server = start_at(site, "2026-11-27 09:00:00");
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (_, html) = receipt(&server, &ticket).await;
    // 30 Nov, 1, 2, 3, 4, 7, 8 Dec.
    assert!(
        html.contains("<time datetime=\"2026-12-08\">Selasa, 8 Desember 2026</time></strong> (7 hari kerja sejak diterima)"),
        "{html}"
    );
    let record = record_text(&server.data, &ticket);
    assert!(
        record.contains("\ncompletion_due: 2026-12-08\n"),
        "{record}"
    );
    let out_dir = server.site().root().join("laporan");
    let report = run(&[
        "report",
        "--month",
        "2026-11",
        "--on",
        "2026-11-30",
        "--root",
        server.site().root_str(),
        "--data",
        server.data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(report.status.success(), "{}", stderr(&report));
    let html = fs::read_to_string(out_dir.join("laporan-2026-11.html")).unwrap();
    assert!(
        html.contains("Permohonan diselesaikan dalam 7 hari kerja"),
        "{html}"
    );
}

/// On a site without form files a form with no service page giving its
/// term cannot be published.
#[test]
fn a_form_without_a_term_is_an_error() {
    let site = TempSite::fixture();
    fs::remove_dir_all(site.root().join("forms")).unwrap();
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let text = site.read(service).replace("  complaint_days: 3 #", "  #");
    site.write(service, text);
    let out = site.check();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("content/pengaduan-layanan/formulir.md:4: formulir /pengaduan-layanan/formulir/ tidak punya batas waktu tanggapan"),
        "{}",
        stderr(&out)
    );
}

/// The 1-based line of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// A copy of the fixture whose request form counts its term in `term`
/// (`{ calendar_days: 7, until: selesai }`), its service page giving no
/// number of working days and its text `says`.
fn site_with_term(term: &str, says: &str) -> TempSite {
    let site = site_with_holidays(&[("2026.yaml", HOLIDAYS_2026)]);
    let form = "forms/permohonan.yaml";
    let text = site.read(form).replace(
        "term: { days: 5, until: selesai }",
        &format!("term: {term}"),
    );
    site.write(form, text);
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let text = site.read(service).replace("  working_days: 5\n", "");
    site.write(service, text);
    let page = site
        .read("content/permohonan.md")
        .replace("5 hari kerja", says);
    site.write("content/permohonan.md", page);
    site
}

/// A term in calendar days counts the weekend: received on Friday 27
/// November, 7 calendar days is Friday 4 December (7 working days would be
/// 8 December); the receipt, the record and the report say "hari kalender",
/// and a service page or a text that speaks of working days is an error.
#[tokio::test]
async fn a_term_in_calendar_days() {
    let site = site_with_term("{ calendar_days: 7, until: selesai }", "7 hari kerja");
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let text = site
        .read(service)
        .replace("  fee:", "  working_days: 7\n  fee:");
    site.write(service, text);
    let out = site.check();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("teks halaman menyebut 7 hari kerja, tetapi term di forms/permohonan.yaml menetapkan 7 hari kalender; samakan angkanya"),
        "{err}"
    );
    assert!(
        err.contains("`service.working_days` = 7, tetapi forms/permohonan.yaml:8 menetapkan 7 hari kalender; halaman layanan hanya dapat menyebut hari kerja; hapus `service.working_days` dari halaman ini"),
        "{err}"
    );
    let text = site.read(service).replace("  working_days: 7\n", "");
    site.write(service, text);
    let page = site
        .read("content/permohonan.md")
        .replace("7 hari kerja", "7 hari kalender");
    site.write("content/permohonan.md", page);
    let out = site.check();
    assert!(out.status.success(), "{}", stderr(&out));

    let server = start_at(site, "2026-11-27 09:00:00");
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (_, html) = receipt(&server, &ticket).await;
    assert!(
        html.contains("diselesaikan paling lambat <strong><time datetime=\"2026-12-04\">Jumat, 4 Desember 2026</time></strong> (7 hari kalender sejak diterima)"),
        "{html}"
    );
    let record = record_text(&server.data, &ticket);
    assert!(record.contains("\nresponse_due: 2026-12-04\n"), "{record}");
    assert!(
        record.contains("\ncompletion_due: 2026-12-04\n"),
        "{record}"
    );
    // The complaint form still counts working days.
    let complaint = submit(&server, "/pengaduan-layanan/formulir/", keluhan()).await;
    let (_, html) = receipt(&server, &complaint).await;
    assert!(html.contains("(3 hari kerja sejak diterima)"), "{html}");
    let out_dir = server.site().root().join("laporan");
    let report = run(&[
        "report",
        "--month",
        "2026-11",
        "--on",
        "2026-11-30",
        "--root",
        server.site().root_str(),
        "--data",
        server.data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(report.status.success(), "{}", stderr(&report));
    let html = fs::read_to_string(out_dir.join("laporan-2026-11.html")).unwrap();
    assert!(
        html.contains("Permohonan diselesaikan dalam 7 hari kalender"),
        "{html}"
    );
    assert!(
        html.contains("Keluhan, saran, atau masukan ditanggapi dalam 3 hari kerja"),
        "{html}"
    );
}

/// A term in hours runs within the office hours of site.yaml, which a form
/// counting in hours needs: received on Friday at 15.00 with the office
/// closing at 15.30, two hours end on Monday.
#[tokio::test]
async fn a_term_in_office_hours() {
    let site = site_with_term("{ hours: 2, until: selesai }", "2 jam kerja");
    let out = site.check();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("forms/permohonan.yaml:8: batas waktu dihitung dalam jam kerja, tetapi site.yaml tidak menyebut jam layanannya; tambahkan `service_hours: \"08.00-15.30\"`"),
        "{}",
        stderr(&out)
    );
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        config.replace("office:\n", "office:\n  service_hours: \"8-15\"\n"),
    );
    let out = site.check();
    assert!(
        stderr(&out)
            .contains("site.yaml:6: office.service_hours: jam layanan `8-15` tidak dapat dibaca"),
        "{}",
        stderr(&out)
    );
    site.write(
        "site.yaml",
        config.replace("office:\n", "office:\n  service_hours: \"08.00-15.30\"\n"),
    );
    let out = site.check();
    assert!(out.status.success(), "{}", stderr(&out));

    let server = start_at(site, "2026-11-27 15:00:00");
    let ticket = submit(&server, "/permohonan/", permohonan()).await;
    let (_, html) = receipt(&server, &ticket).await;
    assert!(
        html.contains("<time datetime=\"2026-11-30\">Senin, 30 November 2026</time></strong> (2 jam kerja sejak diterima)"),
        "{html}"
    );
    let record = record_text(&server.data, &ticket);
    assert!(
        record.contains("\ncompletion_due: 2026-11-30\n"),
        "{record}"
    );
}
