//! Waiting for the citizen (issue 27 §2) and files staff attach (§1): a
//! step that asks the citizen for something (`asks_citizen`), what the
//! citizen reads of it on `/cek-status/` and in the mail, their files and
//! reply sent from `/cek-status/` onto the case, the clock paused by the
//! office's choice (faketime), the report's waiting time, and files staff
//! attach on the desk.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::common::case::*;
use crate::common::form::{Multipart, jpeg, pdf, sha256_hex};
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::*;
use crate::common::*;
use crate::desk::{DeskClient, PASSWORD, add_staff, audited};

const PATIENCE: Duration = Duration::from_secs(60);
const ASKED: &str = "Foto KTP buram; kirim ulang foto KTP yang jelas.";

/// `loket serve` arguments for mail through the relay on `port`.
fn mail_args(port: u16) -> Vec<String> {
    [
        "--rate-limit",
        "0",
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Staff take a step on the desk's case page; its answer.
async fn desk_step(
    desk: &mut DeskClient,
    ticket: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let mut all = vec![("csrf", csrf.as_str()), ("versi", version.as_str())];
    all.extend_from_slice(pairs);
    let done = desk.post(&format!("/kasus/{ticket}/"), &all).await;
    (done.status, done.body)
}

/// The value of the hidden input `name` on a page.
fn hidden(page: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} field in:\n{page}"));
    let rest = &page[at + needle.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Posts the reply form of a `/cek-status/` page, with `files` (field,
/// name, bytes) and the reply `text`.
async fn reply(
    server: &Server,
    page: &str,
    files: &[(&str, &str, &[u8])],
    text: &str,
) -> (StatusCode, String) {
    let action = page
        .split("action=\"/cek-status/balas/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no reply form in:\n{page}"));
    let mut form = Multipart::new()
        .text("tiket", &hidden(page, "tiket"))
        .text("izin", &hidden(page, "izin"));
    for (field, name, bytes) in files {
        form = form.file(field, name, "application/octet-stream", bytes);
    }
    let form = form.text("balasan", text);
    let response = post_multipart(
        &client(),
        &server.url(&format!("/cek-status/balas/{action}")),
        form,
    )
    .await;
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// `loket status` as staff run it, at a faked moment.
fn staff_step_at(server_data: &Path, root: &Path, wib: &str, ticket: &str, args: &[&str]) {
    let out = loket_at(wib)
        .arg("status")
        .arg(ticket)
        .args(args)
        .arg("--root")
        .arg(root)
        .arg("--data")
        .arg(server_data)
        .args(["--by", "Budi"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "loket status {args:?}: {}",
        stderr(&out)
    );
}

/// Staff ask for the missing KTP on the desk (the text is required); the
/// citizen reads it in the mail and on `/cek-status/`, sends the file and a
/// reply from there; it lands on the case (sanitized, 0600, listed with
/// who sent it, in the history), staff are mailed without the citizen's
/// words, and the desk flags the new reply.
#[tokio::test]
async fn the_citizen_is_told_what_is_missing_and_sends_it_from_the_status_page() {
    if smtp::unavailable("waiting: reply") {
        return;
    }
    let relay = SmtpServer::start(smtp::free_port());
    let args = mail_args(relay.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start_with(&args);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let ticket = sent.ticket.clone();
    let code = code_of(&server, &sent).await;
    relay.wait_for(2, PATIENCE);

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let (status, _) = desk_step(
        &mut desk,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "tidak-lengkap")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The request needs the staff's words of what is missing.
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(
        page.body.contains("Yang perlu dilengkapi pemohon (wajib)"),
        "{}",
        page.body
    );
    let (status, body) =
        desk_step(&mut desk, &ticket, &[("langkah", "menunggu-kelengkapan")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Tulis apa yang perlu dilengkapi pemohon"),
        "{body}"
    );
    let (status, body) = desk_step(
        &mut desk,
        &ticket,
        &[("langkah", "menunggu-kelengkapan"), ("pesan", ASKED)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The mail says what is missing and where to send it.
    let mails = relay.wait_for(3, PATIENCE);
    let asked = &mails[2];
    assert_eq!(asked.rcpt_to, ["siti@contoh.id"]);
    assert!(
        asked
            .body
            .contains(&format!("Yang perlu Anda lengkapi:\n{ASKED}")),
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("Menunggu kelengkapan berkas dari Anda"),
        "{}",
        asked.body
    );

    // So does /cek-status/, with the form to send it.
    let (status, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "Status: <strong>Menunggu kelengkapan berkas dari Anda</strong>",
        "Yang perlu Anda lengkapi",
        ASKED,
        "Batas waktu tetap berjalan",
        "action=\"/cek-status/balas/permohonan/\"",
        "name=\"ktp\"",
    ] {
        assert!(lookup.contains(part), "{part} in\n{lookup}");
    }
    assert!(!lookup.contains(&code), "the code is not in the page");

    let photo = jpeg(4096, 11);
    let (status, body) = reply(
        &server,
        &lookup,
        &[("ktp", "ktp baru.jpg", &photo)],
        "Ini foto KTP yang baru.",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Balasan dan 1 berkas Anda sudah kami terima"),
        "{body}"
    );
    assert!(
        body.contains("Anda mengirim balasan dan 1 berkas"),
        "{body}"
    );

    // On the case: the file sanitized (re-encoded, not the bytes sent),
    // private, listed with who sent it; the reply in the history.
    let record = load_record(&server.data, &ticket);
    let attachments = record["attachments"].as_sequence().unwrap();
    assert_eq!(attachments.len(), 2, "{record:?}");
    let added = &attachments[1];
    assert_eq!(str_at(added, "stored_name"), "balasan-ktp-1.jpg");
    assert_eq!(str_at(added, "added_by"), "pemohon");
    let folder = day_dir(&server.data, &ticket).join(&ticket);
    let kept = std::fs::read(folder.join("balasan-ktp-1.jpg")).unwrap();
    assert_ne!(kept, photo, "re-encoded");
    assert_eq!(sha256_hex(&kept), str_at(added, "sha256"));
    assert_eq!(mode(&folder.join("balasan-ktp-1.jpg")), 0o600);
    assert_eq!(mode(&folder), 0o700);
    let history = record["history"].as_sequence().unwrap();
    let last = history.last().unwrap();
    assert_eq!(str_at(last, "status"), "menunggu-kelengkapan");
    assert_eq!(str_at(last, "by"), "pemohon");
    assert_eq!(str_at(&last["added"], "reply"), "Ini foto KTP yang baru.");
    let verify = loket()
        .args(["verify", "--root", server.site().root_str(), "--data"])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );

    // Staff hear of it, without the citizen's words.
    let mails = relay.wait_for(4, PATIENCE);
    let told = &mails[3];
    assert_eq!(told.rcpt_to, ["petugas@contoh.go.id"]);
    assert!(
        told.subject.contains(&format!("Balasan pemohon {ticket}")),
        "{}",
        told.subject
    );
    assert!(
        told.body
            .contains(&format!("https://meja.contoh.go.id/kasus/{ticket}/")),
        "{}",
        told.body
    );
    assert!(!told.raw.contains("Ini foto KTP"), "{}", told.raw);

    // The desk flags the reply and lists the file with who sent it.
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    for part in [
        "Balasan baru dari pemohon",
        "Balasan pemohon:</strong> Ini foto KTP yang baru.",
        "dikirim pemohon lewat Cek Status",
        "ktp baru.jpg",
    ] {
        assert!(page.body.contains(part), "{part} in\n{}", page.body);
    }
    // While the case waits, the citizen may add more.
    let (status, body) = reply(&server, &lookup, &[], "Satu lagi: NPWP menyusul.").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Staff check again: the flag goes, the citizen can no longer send.
    let (status, _) = desk_step(
        &mut desk,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "lengkap")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(!after.body.contains("Balasan baru dari pemohon"));
    let (status, body) = reply(&server, &lookup, &[], "lagi").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("tidak sedang menunggu kelengkapan"), "{body}");
}

/// A case put to waiting by `loket status` (no mail): the ticket and code.
async fn waiting_case(server: &Server) -> (String, String) {
    let sent = send_request(server, None).await;
    let code = code_of(server, &sent).await;
    staff_step(
        server,
        &sent.ticket,
        &["diperiksa", "--berkas", "tidak-lengkap"],
    );
    staff_step(
        server,
        &sent.ticket,
        &["menunggu-kelengkapan", "--public-note", ASKED],
    );
    (sent.ticket, code)
}

/// What a reply must not leave behind: the record's text and the case's
/// folder as they were.
fn case_state(data: &Path, ticket: &str) -> (String, Vec<std::path::PathBuf>) {
    let text = std::fs::read_to_string(record_path(data, ticket)).unwrap();
    (text, files_under(&day_dir(data, ticket)))
}

/// A file that is no photo or PDF, one over the form's limit, an empty
/// post, and a post without a good token are each refused with a page in
/// Bahasa Indonesia, and nothing is written.
#[tokio::test]
async fn a_bad_reply_is_refused_and_nothing_is_written() {
    let server = Server::start_with(&["--rate-limit", "0", "--max-upload-mb", "1"]);
    let (ticket, code) = waiting_case(&server).await;
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("paling besar 1 MB"), "{lookup}");
    let before = case_state(&server.data, &ticket);

    let (status, body) = reply(
        &server,
        &lookup,
        &[("ktp", "ktp.jpg", b"ini bukan foto, hanya teks biasa")],
        "Ini KTP saya.",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Balasan belum terkirim"), "{body}");
    assert!(
        body.contains("Berkas fotokopi KTP harus berupa foto (JPG atau PNG) atau dokumen PDF."),
        "{body}"
    );
    assert!(body.contains("Ini KTP saya."), "what was typed comes back");
    assert_eq!(case_state(&server.data, &ticket), before);

    let big = jpeg(1024 * 1024 + 10, 3);
    let (status, body) = reply(&server, &lookup, &[("ktp", "ktp.jpg", &big)], "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("paling besar 1 MB"), "{body}");
    assert_eq!(case_state(&server.data, &ticket), before);

    let (status, body) = reply(&server, &lookup, &[], "   ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Unggah berkas yang diminta petugas atau tulis balasan Anda."),
        "{body}"
    );
    assert_eq!(case_state(&server.data, &ticket), before);

    let token = hidden(&lookup, "izin");
    let forged = lookup.replace(&token, &format!("9{}", &token[1..]));
    let (status, body) = reply(&server, &forged, &[("ktp", "ktp.jpg", &jpeg(2048, 4))], "x").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Halaman balasan sudah kedaluwarsa"), "{body}");
    assert_eq!(case_state(&server.data, &ticket), before);
    assert!(
        files_under(&server.data.join(".tmp")).is_empty(),
        "no draft left"
    );
}

/// An office that pauses the clock: the citizen who answers after three
/// working days gets the completion deadline three working days later,
/// the receipt and `/cek-status/` say the clock stops, and the report
/// shows the days waited apart from the office's own.
#[tokio::test]
async fn a_paused_clock_moves_the_deadline_and_the_report_shows_the_wait() {
    let site = TempSite::fixture();
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        config.replacen("office:\n", "office:\n  pause_while_waiting: true\n", 1),
    );
    let data = site.root().join("data");
    // Tuesday 1 December 2026: due five working days later, Tuesday 8th.
    let server = Server::launch_with(
        loket_at("2026-12-01 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let sent = send_request(&server, None).await;
    let ticket = sent.ticket.clone();
    let (_, _, receipt_page) = receipt(&server, &ticket, sent.cookie.as_deref()).await;
    assert!(
        receipt_page.contains("batas waktu berhenti dihitung"),
        "{receipt_page}"
    );
    let code = code_on(&receipt_page).unwrap();
    assert_eq!(
        str_at(&load_record(&data, &ticket), "completion_due"),
        "2026-12-08"
    );
    let root = server.site().root().to_path_buf();
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:00:00",
        &ticket,
        &["diperiksa", "--berkas", "tidak-lengkap"],
    );
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:05:00",
        &ticket,
        &["menunggu-kelengkapan", "--public-note", ASKED],
    );
    let site = server.kill();
    // Monday 7th: waited Thursday, Friday and Monday.
    let server = Server::launch_with(
        loket_at("2026-12-07 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("batas waktu berhenti dihitung"), "{lookup}");
    let (status, body) = reply(&server, &lookup, &[("ktp", "ktp.jpg", &jpeg(2048, 5))], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let record = load_record(&data, &ticket);
    assert_eq!(str_at(&record, "completion_due"), "2026-12-11");
    // Answered on the 2nd already: the response deadline stays.
    assert_eq!(str_at(&record, "response_due"), "2026-12-08");
    assert!(body.contains("Jumat, 11 Desember 2026"), "{body}");

    let out_dir = tempfile::tempdir().unwrap();
    let out = loket()
        .args([
            "report",
            "--month",
            "2026-12",
            "--on",
            "2026-12-31",
            "--root",
        ])
        .arg(server.site().root())
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(out_dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(out_dir.path().join("laporan-2026-12.csv")).unwrap();
    assert!(
        csv.contains(&format!(
            "\n{ticket};2026-12-01;permohonan/konsultasi;menunggu-kelengkapan;2026-12-02;;;3;"
        )),
        "{csv}"
    );
    let html = std::fs::read_to_string(out_dir.path().join("laporan-2026-12.html")).unwrap();
    assert!(
        html.contains("<th scope=\"row\">Menunggu kelengkapan dari pemohon</th><td>1 kiriman, seluruhnya 3 hari kerja menunggu kelengkapan dari pemohon</td>"),
        "{html}"
    );
}

/// By default the clock runs on: the same answer moves no deadline.
#[tokio::test]
async fn by_default_the_clock_runs_while_waiting() {
    let server = Server::start();
    let (ticket, code) = waiting_case(&server).await;
    let before = load_record(&server.data, &ticket);
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("Batas waktu tetap berjalan"), "{lookup}");
    let (status, body) = reply(&server, &lookup, &[], "Sudah saya kirim lewat pos.").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Balasan Anda sudah kami terima"), "{body}");
    let after = load_record(&server.data, &ticket);
    assert_eq!(
        str_at(&after, "completion_due"),
        str_at(&before, "completion_due")
    );
}

/// Staff attach a scan and a photo on the desk: sanitized, 0600, listed
/// with who added them, in the history and the audit log; a file that is
/// no photo or PDF, or a post without the CSRF token, writes nothing.
#[tokio::test]
async fn staff_attach_files_listed_with_who_added_them() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let ticket = send_request(&server, None).await.ticket;
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(page.body.contains("Lampirkan berkas"), "{}", page.body);
    let csrf = page.csrf();
    let path = format!("/kasus/{ticket}/lampiran/");
    let before = case_state(&server.data, &ticket);

    let refused = desk
        .post_multipart(
            &path,
            Multipart::new().text("csrf", &csrf).file(
                "berkas",
                "catatan.txt",
                "text/plain",
                b"bukan dokumen",
            ),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Tidak ada berkas yang disimpan"),
        "{}",
        refused.body
    );
    assert_eq!(case_state(&server.data, &ticket), before);
    let forged = desk
        .post_multipart(
            &path,
            Multipart::new().text("csrf", "salah").file(
                "berkas",
                "surat.pdf",
                "application/pdf",
                &pdf(2000, 1),
            ),
        )
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER, "{}", forged.body);
    assert_eq!(case_state(&server.data, &ticket), before);

    let scan = pdf(3000, 2);
    let done = desk
        .post_multipart(
            &path,
            Multipart::new()
                .text("csrf", &csrf)
                .file("berkas", "surat pemohon.pdf", "application/pdf", &scan)
                .file("berkas", "pertemuan.jpg", "image/jpeg", &jpeg(4096, 9))
                .text("keterangan", "Surat asli dibawa pemohon"),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = load_record(&server.data, &ticket);
    let attachments = record["attachments"].as_sequence().unwrap();
    assert_eq!(attachments.len(), 3);
    let names: Vec<&str> = attachments[1..]
        .iter()
        .map(|a| str_at(a, "stored_name"))
        .collect();
    assert_eq!(names, ["petugas-1.pdf", "petugas-2.jpg"]);
    for a in &attachments[1..] {
        assert_eq!(str_at(a, "added_by"), "Ani");
        let file = day_dir(&server.data, &ticket)
            .join(&ticket)
            .join(str_at(a, "stored_name"));
        assert_eq!(mode(&file), 0o600);
    }
    let history = record["history"].as_sequence().unwrap();
    assert_eq!(str_at(&history[0]["added"], "from"), "petugas");
    assert_eq!(str_at(&history[0], "note"), "Surat asli dibawa pemohon");
    let lines = audited(&server.data, "attachment-added");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].iter().any(|f| f == "Ani"), "{lines:?}");

    let page = desk.get(&format!("/kasus/{ticket}/?diubah=lampiran")).await;
    for part in [
        "Berkas sudah dilampirkan.",
        "<strong>Berkas dari petugas</strong>: surat pemohon.pdf",
        "ditambahkan oleh Ani",
        "Berkas ditambahkan",
    ] {
        assert!(page.body.contains(part), "{part} in\n{}", page.body);
    }
}

/// A document the citizen hands in at the office: staff attach it as
/// theirs, which ends the wait like a reply on `/cek-status/` (the paused
/// clock moves the deadline by the two working days waited).
#[tokio::test]
async fn a_document_handed_in_at_the_office_ends_the_wait() {
    let site = TempSite::fixture();
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        config.replacen("office:\n", "office:\n  pause_while_waiting: true\n", 1),
    );
    let data = site.root().join("data");
    let server = Server::launch_with(
        loket_at("2026-12-01 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    assert!(add_staff(&data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
    let root = server.site().root().to_path_buf();
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:00:00",
        &ticket,
        &["diperiksa", "--berkas", "tidak-lengkap"],
    );
    staff_step_at(
        &data,
        &root,
        "2026-12-02 10:05:00",
        &ticket,
        &["menunggu-kelengkapan", "--public-note", ASKED],
    );
    let site = server.kill();
    // Friday 4th: waited Thursday and Friday.
    let server = Server::launch_with(
        loket_at("2026-12-04 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(page.body.contains("name=\"dari_pemohon\""), "{}", page.body);
    let done = desk
        .post_multipart(
            &format!("/kasus/{ticket}/lampiran/"),
            Multipart::new()
                .text("csrf", &page.csrf())
                .file("berkas", "ktp.jpg", "image/jpeg", &jpeg(4096, 12))
                .text("dari_pemohon", "ya"),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = load_record(&data, &ticket);
    assert_eq!(str_at(&record, "completion_due"), "2026-12-10");
    let last = record["history"]
        .as_sequence()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(str_at(&last["added"], "from"), "pemohon");
    assert_eq!(str_at(&last, "by"), "Ani");
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    for part in [
        "Berkas yang diserahkan pemohon",
        "diterima dari pemohon oleh Ani",
        "Balasan baru dari pemohon",
    ] {
        assert!(page.body.contains(part), "{part} in\n{}", page.body);
    }
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(
        lookup.contains("Petugas menerima 1 berkas yang Anda serahkan"),
        "{lookup}"
    );
}
