//! Issue 25 §3: a third form written only as a file. The fixture site with
//! `tests/fixtures/third-form/` laid over it (the form
//! `forms/pendampingan-nib.yaml`, its service page and its form page) is
//! served, filled in, worked at the desk and with `loket status`, reported
//! and purged by the real binary, with no line of Rust about the form; and
//! `loket check` explains broken copies of it line by line.

use std::fs;

use reqwest::StatusCode;
use reqwest::header;

use crate::common::form::{Multipart, NIK, PHONE, jpeg};
use crate::common::server::Server;
use crate::common::submit::*;
use crate::common::*;
use crate::desk::{DeskClient, PASSWORD, add_staff};

const FORM: &str = "forms/pendampingan-nib.yaml";
const SERVICE_PAGE: &str = "content/layanan/pendampingan-nib.md";
const FORM_URL: &str = "/pendampingan-nib/";
const TITLE: &str = "Pendampingan pengurusan NIB";
const PURPOSE: &str =
    "Data Anda digunakan untuk menjadwalkan dan memberikan pendampingan pengurusan NIB.";

/// The labels of the form file, in its order.
const LABELS: [&str; 9] = [
    "Nama lengkap",
    "NIK",
    "Nomor HP/WhatsApp",
    "Surel",
    "Jenis usaha",
    "Sebutkan jenis usaha",
    "Alamat usaha",
    "Foto KTP",
    "Saya sudah membaca pemberitahuan pelindungan data pribadi di atas",
];

/// What the citizen types: every text field of the form.
const TYPED: [(&str, &str); 8] = [
    ("nama", "Siti Aminah"),
    ("nik", NIK),
    ("telepon", PHONE),
    ("email", "siti@contoh.id"),
    ("jenis_usaha", "Lainnya"),
    ("uraian_lain", "Toko kelontong"),
    ("alamat_usaha", "Pasar Legi blok C 7, Jombang"),
    ("persetujuan", "ya"),
];

/// The personal fields of the form file (`personal: true`), which purge empties.
const PERSONAL: [&str; 5] = ["nama", "nik", "telepon", "email", "alamat_usaha"];

/// The fixture site with the third form laid over it, site.yaml settled,
/// and the third form's purpose in the privacy notice.
fn third_form_site() -> TempSite {
    let site = TempSite::fixture();
    site.overlay("third-form");
    site.settle_config();
    let text = site.read("site.yaml");
    site.write(
        "site.yaml",
        replace(
            &text,
            "privacy:\n",
            &format!("privacy:\n  purposes:\n    pendampingan-nib: \"{PURPOSE}\"\n"),
            1,
        ),
    );
    site
}

/// The typed fields with `changes` (`None` leaves a field out), and a KTP.
fn filled(changes: &[(&str, Option<&str>)], seed: u32) -> Multipart {
    let mut form = Multipart::new();
    for (name, value) in TYPED {
        match changes.iter().find(|(n, _)| *n == name) {
            Some((_, Some(changed))) => form = form.text(name, changed),
            Some((_, None)) => {}
            None => form = form.text(name, value),
        }
    }
    form.file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, seed))
}

/// `loket status TICKET ARGS` on the server's folders, by Budi, on a fixed
/// day after every step's `--at`.
fn step(server: &Server, ticket: &str, args: &[&str]) -> std::process::Output {
    loket_at("2026-12-30 10:00:00")
        .args(["status", ticket])
        .args(args)
        .arg("--root")
        .arg(server.site().root())
        .arg("--data")
        .arg(&server.data)
        .args(["--by", "Budi"])
        .output()
        .unwrap()
}

/// The steps a desk case page offers, as (value, title), without the move
/// to another form (`pindah`), which is not a step of the procedure.
fn offered_steps(page: &str) -> Vec<(String, String)> {
    let mut steps = Vec::new();
    for (at, _) in page.match_indices("<section class=\"step\"") {
        let section = &page[at..];
        let section = &section[..section.find("</section>").unwrap_or(section.len())];
        let title = section
            .split_once("<h3 ")
            .and_then(|(_, rest)| rest.split_once("-judul\">"))
            .and_then(|(_, rest)| rest.split_once("</h3>"))
            .map(|(title, _)| title.to_string())
            .unwrap_or_else(|| panic!("a step without a title:\n{section}"));
        let value = attr_after(section, "name=\"langkah\" value=\"")
            .unwrap_or_else(|| panic!("a step without a value:\n{section}"));
        if value != "pindah" {
            steps.push((value, title));
        }
    }
    steps
}

fn attr_after(text: &str, needle: &str) -> Option<String> {
    let rest = &text[text.find(needle)? + needle.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The 1-based line of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"))
        + 1
}

/// `loket check` on a date whose holiday lists are all there.
fn check(site: &TempSite) -> std::process::Output {
    loket_at("2026-06-15 10:00:00")
        .args(["check", "--root", site.root_str()])
        .output()
        .unwrap()
}

/// The third form end to end, in the order a case lives: its page, a
/// required-when field refused, a submission with its own ticket prefix,
/// record and deadline, the desk offering exactly its steps, `loket status`
/// walking it to its final step, the report counting it under its title,
/// and purge emptying its personal fields.
#[tokio::test]
async fn a_third_form_written_only_as_a_file_lives_a_whole_case() {
    let site = third_form_site();
    let data = site.root().join("data");
    // Received on Wednesday 23 December 2026: 24 (cuti bersama) and 25
    // December (Christmas) and the weekend are not working days, so 3
    // working days end on Wednesday 30 December.
    let server = Server::launch_with(
        loket_at("2026-12-23 10:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let client = client();
    let url = server.url(FORM_URL);

    // The page shows every field of the file, with its label, and the
    // form's own purpose in the privacy notice.
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    for label in LABELS {
        assert!(page.contains(label), "label {label:?} missing:\n{page}");
    }
    for (name, _) in TYPED {
        assert!(
            page.contains(&format!("name=\"{name}\"")),
            "field {name} missing:\n{page}"
        );
    }
    assert!(
        page.contains("type=\"file\" id=\"f-ktp\" name=\"ktp\""),
        "{page}"
    );
    for option in ["Kuliner", "Kerajinan", "Jasa", "Lainnya"] {
        assert!(
            page.contains(&format!("value=\"{option}\"")),
            "{option}:\n{page}"
        );
    }
    assert!(
        page.contains(
            "<label for=\"f-uraian_lain\">Sebutkan jenis usaha (wajib untuk lainnya)</label>"
        ),
        "{page}"
    );
    assert!(page.contains(PURPOSE), "the form's own purpose:\n{page}");

    // Lainnya without saying which: refused at that field, nothing stored.
    let response = post_multipart(&client, &url, filled(&[("uraian_lain", None)], 1)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("<li><a href=\"#f-uraian_lain\">Sebutkan jenis usaha wajib diisi.</a></li>"),
        "{body}"
    );
    assert_eq!(
        body.matches("<li><a href=\"#f-").count(),
        1,
        "only that field is wrong:\n{body}"
    );
    assert!(yaml_records(&data).is_empty());

    // A valid post: an NB ticket, and the record holds what was typed.
    let response = post_multipart(&client, &url, filled(&[], 2)).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = header_str(&headers, "location");
    let ticket = location
        .strip_prefix("/terkirim/?tiket=")
        .unwrap_or_else(|| panic!("Location {location:?}"))
        .to_string();
    assert_ticket_of(&ticket, &["NB"]);
    assert!(ticket.starts_with("NB-20261223-"), "{ticket}");
    let record = load_record(&data, &ticket);
    assert_eq!(str_at(&record, "kind"), "pendampingan-nib");
    assert_eq!(record["form_version"].as_u64(), Some(1), "{record:?}");
    assert_eq!(str_at(&record, "status"), "baru");
    let fields = pairs(&record["fields"]);
    for (name, value) in TYPED {
        assert!(
            fields.contains(&(name.to_string(), value.to_string())),
            "{name}: {value} not in {fields:?}"
        );
    }
    assert_stored_file(&data, &ticket, "ktp.jpg", &jpeg(2048, 2));
    // The deadline follows the form's term: 3 working days, until selesai.
    assert_eq!(str_at(&record, "response_due"), "2026-12-30");
    assert_eq!(str_at(&record, "completion_due"), "2026-12-30");
    // And the receipt says so.
    let cookie = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("loket_kode="))
        .map(|v| v.split(';').next().unwrap().to_string());
    let receipt = crate::common::case::receipt(&server, &ticket, cookie.as_deref()).await;
    assert_eq!(receipt.0, StatusCode::OK);
    assert!(receipt.2.contains("30 Desember 2026"), "{}", receipt.2);

    // The desk lists it and offers exactly the steps its file allows
    // after `baru`.
    assert!(add_staff(&data, "Budi Santoso", PASSWORD).status.success());
    let mut desk = DeskClient::signed_in(&server, "Budi Santoso").await;
    let inbox = desk.get("/").await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    assert!(
        inbox.body.contains(&format!("href=\"/kasus/{ticket}/\"")),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("Siti Aminah"), "{}", inbox.body);
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_eq!(
        offered_steps(&case.body),
        [
            ("diperiksa".to_string(), "Berkas lengkap".to_string()),
            ("ditolak".to_string(), "Tolak".to_string()),
        ],
        "{}",
        case.body
    );

    // `loket status` walks it along the file's steps, and no other way.
    let path = record_path(&data, &ticket);
    let before = fs::read_to_string(&path).unwrap();
    let refused = step(&server, &ticket, &["selesai", "--note", "x"]);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        before,
        "a refused step writes nothing"
    );
    for args in [
        &["diperiksa", "--at", "2026-12-28 09:00"][..],
        &[
            "dijadwalkan",
            "--meeting",
            "2026-12-29 10:00, Kantor Dinkopum",
            "--at",
            "2026-12-28 10:00",
        ],
        &[
            "selesai",
            "--note",
            "NIB terbit lewat OSS",
            "--at",
            "2026-12-29 12:00",
        ],
    ] {
        let out = step(&server, &ticket, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let record = load_record(&data, &ticket);
    assert_eq!(str_at(&record, "status"), "selesai");
    let history: Vec<&str> = record["history"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["diperiksa", "dijadwalkan", "selesai"]);
    assert_eq!(record["history"][1]["meeting"]["place"], "Kantor Dinkopum");
    assert_eq!(
        str_at(&record, "first_response_at"),
        "2026-12-28T09:00:00+07:00"
    );
    assert_eq!(str_at(&record, "completed_at"), "2026-12-29T12:00:00+07:00");
    assert_eq!(str_at(&record, "result"), "NIB terbit lewat OSS");
    // Deadlines stay as written at receipt.
    assert_eq!(str_at(&record, "completion_due"), "2026-12-30");
    let closed = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(offered_steps(&closed.body).is_empty(), "{}", closed.body);

    // The report of December counts it under the form's title.
    let root = server.site().root().to_path_buf();
    let out_dir = root.join("laporan");
    let report = loket_at("2026-12-31 10:00:00")
        .args([
            "report",
            "--month",
            "2026-12",
            "--on",
            "2026-12-31",
            "--root",
        ])
        .arg(&root)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(
        stdout(&report).contains("Laporan Desember 2026: 1 kasus"),
        "{}",
        stdout(&report)
    );
    let html = fs::read_to_string(out_dir.join("laporan-2026-12.html")).unwrap();
    let csv = fs::read_to_string(out_dir.join("laporan-2026-12.csv")).unwrap();
    assert!(
        html.contains(&format!(
            "<th scope=\"row\">{TITLE}</th><td class=\"angka\">1</td>"
        )),
        "{html}"
    );
    assert!(html.contains(&ticket), "{html}");
    assert!(csv.contains(&ticket), "{csv}");

    // Past the retention (5 years after closing), purge empties every
    // personal field and the KTP, and keeps the kind of business.
    drop(desk);
    let mut server = server;
    server.terminate();
    server.wait_exit();
    let _site = server.kill();
    let purge = loket_at("2032-06-01 10:00:00")
        .args(["purge", "--on", "2032-06-01", "--root"])
        .arg(&root)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let said = stdout(&purge);
    assert!(purge.status.success(), "{said}{}", stderr(&purge));
    assert!(
        said.contains(&format!("{ticket}: data pribadi dihapus")),
        "{said}"
    );
    let text = fs::read_to_string(&path).unwrap();
    let record: loket::core::yaml::Value = loket::core::yaml::from_str(&text).unwrap();
    for name in PERSONAL {
        assert_eq!(
            record["fields"][name].as_str(),
            Some(""),
            "{name} emptied:\n{text}"
        );
    }
    assert_eq!(
        record["fields"]["jenis_usaha"].as_str(),
        Some("Lainnya"),
        "{text}"
    );
    for (name, value) in TYPED {
        if PERSONAL.contains(&name) {
            assert!(!text.contains(value), "{name} left in the record:\n{text}");
        }
    }
    assert!(!text.contains("+6281234567890"), "{text}");
    assert!(
        !path.with_extension("").join("ktp.jpg").exists(),
        "the KTP is deleted"
    );
    // verify reads the record through the site's form files (--root).
    let verify = loket_at("2032-06-01 10:00:00")
        .args(["verify", "--data", data.to_str().unwrap(), "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
}

/// A broken copy of the third form's file fails `loket check` with one
/// `forms/pendampingan-nib.yaml:LINE:` line per mistake, and only those.
#[test]
fn check_explains_a_broken_third_form_line_by_line() {
    let site = third_form_site();
    let good = site.read(FORM);
    let broken = replace(
        &good,
        "next: [dijadwalkan, selesai, ditolak]",
        "next: [dijadwalkan, selsai, ditolak]",
        1,
    );
    let broken = replace(
        &broken,
        "type: text, required: { when",
        "type: text, role: name, required: { when",
        1,
    );
    let broken = replace(
        &broken,
        "  - { id: selesai,",
        "  - { id: ditunda, label: \"Tunda\", status: \"Ditunda\", next: [selesai] }\n  - { id: selesai,",
        1,
    );
    site.write(FORM, &broken);
    let out = check(&site);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let nama = line_of(&broken, "{ name: nama,");
    let uraian = line_of(&broken, "{ name: uraian_lain,");
    let diperiksa = line_of(&broken, "{ id: diperiksa,");
    let ditunda = line_of(&broken, "{ id: ditunda,");
    let about_the_form: Vec<&str> = err.lines().filter(|l| l.starts_with("forms/")).collect();
    assert_eq!(
        about_the_form,
        [
            format!(
                "{FORM}:{uraian}: peran `name` diberikan dua kali (baris {nama} dan {uraian}); satu peran untuk satu isian"
            ),
            format!(
                "{FORM}:{diperiksa}: langkah `diperiksa` menyebut langkah berikutnya `selsai` yang tidak ada"
            ),
            format!(
                "{FORM}:{ditunda}: langkah `ditunda` tidak dapat dicapai dari langkah pertama `baru`"
            ),
        ],
        "{err}"
    );
}

/// The third form as shipped in the fixture checks clean; a service page
/// whose working days disagree with the form's term, and a page naming a
/// form that has no file, are each named at their line.
#[test]
fn check_names_pages_at_odds_with_the_third_form() {
    let site = third_form_site();
    // `loket status --help` lists every form's steps, the third one too.
    let help = loket_at("2026-06-15 10:00:00")
        .args(["status", "--help", "--root", site.root_str()])
        .output()
        .unwrap();
    let help = stdout(&help);
    for line in [
        format!("  pendampingan-nib ({TITLE}):"),
        "    diperiksa -> dijadwalkan, selesai, ditolak".to_string(),
        "    selesai -> (akhir)".to_string(),
        "    cek-administrasi -> cek-administrasi, koordinasi, ditanggapi, ditolak".to_string(),
    ] {
        assert!(help.lines().any(|l| l == line), "{line:?} in\n{help}");
    }
    let out = check(&site);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        stdout(&out).contains("Tidak ada kesalahan (0 peringatan)"),
        "{}{err}",
        stdout(&out)
    );

    let service = site.read(SERVICE_PAGE);
    let service = replace(&service, "working_days: 3", "working_days: 4", 1);
    site.write(SERVICE_PAGE, &service);
    site.write(
        "content/pendampingan-npwp.md",
        "---\ntitle: \"Pendampingan pengurusan NPWP\"\nform: pendampingan-npwp\n---\n\nFormulir pendampingan NPWP.\n",
    );
    // A form whose `service:` names no page of the site.
    let form = replace(
        &site.read(FORM),
        "service: /layanan/pendampingan-nib/",
        "service: /layanan/pendampingan-nb/",
        1,
    );
    site.write(FORM, &form);
    let out = check(&site);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let days = line_of(&service, "working_days:");
    let term = line_of(&site.read(FORM), "term:");
    let at = line_of(&form, "service:");
    for expected in [
        format!(
            "{FORM}:{at}: `service: /layanan/pendampingan-nb/` bukan alamat halaman di situs ini; tulis alamat halaman layanan yang standarnya berlaku untuk formulir ini"
        ),
        format!(
            "{SERVICE_PAGE}:{days}: `service.working_days` = 4, tetapi {FORM}:{term} menetapkan 3 hari kerja; samakan angkanya"
        ),
        "content/pendampingan-npwp.md:3: halaman menyebut formulir `pendampingan-npwp` yang tidak ada (forms/pendampingan-npwp.yaml)".to_string(),
    ] {
        assert!(err.lines().any(|l| l == expected), "{expected}\n{err}");
    }
}
