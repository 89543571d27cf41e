//! `loket serve` end to end: the real binary on a temp copy of the shipped
//! site, spoken to with reqwest, and over raw TCP wherever a client library
//! would tidy up the request we mean to send (paths, lengths, slow bodies).

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::TempSite;
use crate::common::form::*;
use crate::common::server::{PATIENCE, Server};
use crate::common::submit::*;
use loket::core::yaml::Value;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};

// ---------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------

/// A response read off a raw socket.
struct RawResponse {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("server accepts a connection");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads one response: up to its Content-Length, or to the end of the stream.
/// A reset after a complete response is fine (the server may close a
/// connection whose body it did not read).
fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut head_len = None;
    let mut content_length = None;
    loop {
        if let Some(head) = head_len
            && let Some(len) = content_length
            && buf.len() >= head + len
        {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && head_len.is_some() => break,
            Err(e) => panic!(
                "reading the response failed after {} bytes: {e}\n{}",
                buf.len(),
                String::from_utf8_lossy(&buf)
            ),
        }
        if head_len.is_none()
            && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
        {
            head_len = Some(end + 4);
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            content_length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
        }
    }
    let head_len = head_len.unwrap_or_else(|| {
        panic!(
            "no complete response head in {:?}",
            String::from_utf8_lossy(&buf)
        )
    });
    let head = String::from_utf8_lossy(&buf[..head_len - 4]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("odd status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    let mut body = buf[head_len..].to_vec();
    if let Some(len) = content_length {
        body.truncate(len);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

/// Sends `request` verbatim on a fresh connection and reads the response.
fn raw_exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    read_response(&mut stream)
}

/// `GET target` with the request target written exactly as given.
fn raw_get(addr: SocketAddr, target: &str) -> RawResponse {
    raw_exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// POST head for a body of `len` bytes.
fn post_head(path: &str, content_type: &str, len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

/// Sends a POST with a chunked body (no Content-Length, so only the body
/// itself can tell its size) while reading the answer at the same time, as a
/// browser does: the server may answer (and close) before it has read the
/// whole body.
fn raw_post_chunked_racing(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> RawResponse {
    let mut stream = connect(addr);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = thread::spawn(move || {
        // Broken pipe / reset once the server has answered: expected.
        for chunk in body.chunks(64 * 1024) {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(chunk);
            framed.extend_from_slice(b"\r\n");
            if writer.write_all(&framed).is_err() {
                return;
            }
        }
        let _ = writer.write_all(b"0\r\n\r\n");
    });
    let response = read_response(&mut stream);
    drop(stream);
    sending.join().unwrap();
    response
}

/// "2026-12-04" -> "4 Desember 2026", the way the site writes dates.
fn long_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    let mut parts = iso.split('-');
    let (y, m, d) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse::<usize>().unwrap(),
        parts.next().unwrap().parse::<u32>().unwrap(),
    );
    format!("{d} {} {y}", MONTHS[m - 1])
}

fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// 1. A full submission
// ---------------------------------------------------------------------------

#[tokio::test]
async fn permohonan_with_jpeg_ktp_is_stored_exactly_as_typed_and_privately() {
    let server = Server::start();
    let nama = "  Siti \"Ani\": Rahayuningsih # 🙂 ";
    let mut uraian = String::from(
        "Baris pertama: \"kutip\" dan 'kutip' — #bukan-komentar\n---\n- bukan daftar\n  \
         diawali spasi\n\tdiawali tab\nemoji: 🙂🇮🇩👍🏽\n...\n",
    );
    while uraian.chars().count() < 10_000 {
        uraian.push_str("dagangansepi ");
    }
    let uraian: String = uraian.chars().take(10_000).collect();
    let typed: Vec<(&str, &str)> = vec![
        ("jenis", "pengaduan"),
        ("nama", nama),
        ("nik", NIK),
        (
            "alamat",
            "Jl. Merdeka: No. 1\n---\n  RT 01 / RW 02\n# bukan komentar\n",
        ),
        ("telepon", PHONE),
        ("email", "siti+usaha@contoh.id"),
        ("nama_usaha", "Toko \"Berkah\" #1: Keripik 'Pedas'"),
        ("bidang_usaha", "---"),
        ("alamat_usaha", "\n  Pasar Legi, los 12\n\n"),
        ("uraian", &uraian),
        ("termohon_nama", "~"),
        ("termohon_kontak", "null\n- 0812: kontak\n\t tab: ya"),
        ("persetujuan", "ya"),
    ];
    let ktp = jpeg(50_000, 7);
    let original_name = "KTP Siti – Ñ (scan) 2026 🙂.jpg";
    let mut form = Multipart::new();
    for (name, value) in &typed {
        form = form.text(name, value);
    }
    let form = form.file("ktp", original_name, "image/jpeg", &ktp);

    let client = client();
    let response = post_multipart(&client, &server.url(PERMOHONAN), form).await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("KP-"), "{ticket}");

    // The record.
    let record = load_record(&server.data, &ticket);
    assert_eq!(str_at(&record, "ticket"), ticket);
    assert_eq!(str_at(&record, "kind"), "permohonan");
    assert_eq!(str_at(&record, "status"), "baru");
    assert_eq!(record["history"], Value::Sequence(vec![]));
    let received_at = str_at(&record, "received_at");
    assert!(received_at.ends_with("+07:00"), "{received_at}");
    let ticket_day = &ticket[3..11];
    assert_eq!(
        received_at[..10].replace('-', ""),
        ticket_day,
        "received_at is the ticket's day"
    );
    let response_due = str_at(&record, "response_due");
    let completion_due = str_at(&record, "completion_due");
    assert!(is_iso_date(response_due), "{response_due}");
    assert!(is_iso_date(completion_due), "{completion_due}");
    assert!(response_due > &received_at[..10], "due after receipt");

    let expected: Vec<(String, String)> = typed
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let stored = pairs(&record["fields"]);
    for ((name, want), (stored_name, got)) in expected.iter().zip(&stored) {
        assert_eq!(stored_name, name, "fields in form order");
        assert_eq!(got, want, "field {name} comes back exactly");
    }
    assert_eq!(stored.len(), expected.len(), "every text field: {stored:?}");
    assert_eq!(
        pairs(&record["normalized"]),
        vec![
            ("nik".to_string(), NIK.to_string()),
            ("telepon".to_string(), PHONE_E164.to_string()),
        ]
    );

    // The attachment.
    let attachments = record["attachments"].as_sequence().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    let ktp_entry = &attachments[0];
    assert_eq!(str_at(ktp_entry, "field"), "ktp");
    assert_eq!(str_at(ktp_entry, "stored_name"), "ktp.jpg");
    assert_eq!(str_at(ktp_entry, "original_name"), original_name);
    let stored = assert_stored_file(&server.data, &ticket, "ktp.jpg", &ktp);
    assert_eq!(ktp_entry["size"].as_u64(), Some(stored.len() as u64));
    assert_eq!(str_at(ktp_entry, "type"), "image/jpeg");
    assert_eq!(str_at(ktp_entry, "sha256"), sha256_hex(&stored));
    let record_file = record_path(&server.data, &ticket);
    let folder = record_file.with_extension("");
    assert_eq!(files_under(&folder), vec![PathBuf::from("ktp.jpg")]);

    // Private on disk.
    assert_eq!(mode(&server.data), 0o700, "data folder");
    assert_eq!(mode(&record_file), 0o600, "record");
    assert_eq!(mode(&folder), 0o700, "ticket folder");
    assert_eq!(mode(&folder.join("ktp.jpg")), 0o600, "attachment");
    assert_eq!(mode(record_file.parent().unwrap()), 0o700, "day folder");
    assert!(
        fs::read_dir(server.data.join(".tmp"))
            .unwrap()
            .next()
            .is_none(),
        "no draft left"
    );

    // The confirmation page: ticket and deadline, no personal data.
    let page = client
        .get(server.url(&format!("/terkirim/?tiket={ticket}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_secure(page.headers(), "confirmation page");
    assert_eq!(header_str(page.headers(), "cache-control"), "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains(&ticket), "ticket shown");
    let due_long = long_date(response_due);
    assert!(
        html.contains(&due_long),
        "deadline {due_long} shown:\n{html}"
    );
    assert!(html.contains(&format!("datetime=\"{response_due}\"")));
    for private in [NIK, "Rahayuningsih", PHONE, "81234567890", "siti+usaha"] {
        assert!(!html.contains(private), "confirmation shows {private:?}");
    }

    // The log never holds personal data, only the request line.
    let (status, stderr) = server.stop();
    assert!(status.success(), "exit on SIGTERM: {status:?}");
    assert!(
        stderr.contains("method=POST path=/permohonan/ status=303"),
        "the access log is captured:\n{stderr}"
    );
    for private in [NIK, "Rahayuningsih", PHONE, "81234567890", "dagangansepi"] {
        assert!(!stderr.contains(private), "stderr holds {private:?}");
    }
}

#[tokio::test]
async fn browser_style_post_with_crlf_png_and_empty_honeypot_is_stored() {
    let server = Server::start();
    // As a browser sends it: CRLF line ends in textareas, empty optional text
    // inputs, the (empty) honeypot; here a PNG as the second document.
    let png = png(3);
    let ktp = jpeg(4096, 11);
    let form = permohonan_text(&[
        ("uraian", Some("baris satu\r\nbaris dua\r\n")),
        ("email", Some("")),
        ("termohon_nama", Some("")),
        ("termohon_kontak", Some("")),
        ("situs_web", Some("")),
    ])
    .file("ktp", "IMG_0001.JPG", "image/jpeg", &ktp)
    .file("dokumen_2", "denah.png", "image/png", &png);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    let ticket = ticket_from(response).await;

    let record = load_record(&server.data, &ticket);
    assert_eq!(
        str_at(&record["fields"], "uraian"),
        "baris satu\nbaris dua\n",
        "CRLF is stored as LF"
    );
    assert_eq!(str_at(&record["fields"], "email"), "");
    assert_eq!(str_at(&record["fields"], "termohon_nama"), "");
    let stored: Vec<(&str, &str, &str)> = record["attachments"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| {
            (
                str_at(a, "field"),
                str_at(a, "stored_name"),
                str_at(a, "type"),
            )
        })
        .collect();
    assert_eq!(
        stored,
        vec![
            ("ktp", "ktp.jpg", "image/jpeg"),
            // Photos are kept as JPEGs, whatever they were sent as.
            ("dokumen_2", "dokumen-2.jpg", "image/jpeg"),
        ]
    );
    let folder = record_path(&server.data, &ticket).with_extension("");
    let mut files = files_under(&folder);
    files.sort();
    assert_eq!(
        files,
        vec![PathBuf::from("dokumen-2.jpg"), PathBuf::from("ktp.jpg")]
    );
    assert_stored_file(&server.data, &ticket, "dokumen-2.jpg", &png);
}

/// Browsers send every file input; one left unchosen is an empty part with
/// `filename=""`. That is "no file", not an empty file.
#[tokio::test]
async fn unchosen_optional_file_inputs_are_not_errors() {
    let server = Server::start();
    let form = valid_permohonan()
        .file("dokumen_1", "", "application/octet-stream", b"")
        .file("dokumen_2", "", "application/octet-stream", b"")
        .file("dokumen_3", "", "application/octet-stream", b"");
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    let ticket = ticket_from(response).await;
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["attachments"].as_sequence().unwrap().len(), 1);

    let form = Multipart::new()
        .text("nama", "Budi")
        .text("kontak", PHONE)
        .text("isi", "Loket tutup sebelum jam 12.")
        .text("persetujuan", "ya")
        .file("lampiran", "", "application/octet-stream", b"");
    let response = post_multipart(&client(), &server.url(PENGADUAN_LAYANAN), form).await;
    let ticket = ticket_from(response).await;
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["attachments"], Value::Sequence(vec![]));
}

#[tokio::test]
async fn pengaduan_layanan_with_pdf_attachment_is_stored() {
    let server = Server::start();
    let pdf = pdf(2000, 1);
    let form = Multipart::new()
        .text("nama", "Budi")
        .text("kontak", "budi@contoh.id")
        .text("isi", "Loket tutup sebelum jam 12.")
        .text("persetujuan", "ya")
        .file("lampiran", "bukti foto.pdf", "application/pdf", &pdf);
    let response = post_multipart(&client(), &server.url(PENGADUAN_LAYANAN), form).await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("PL-"), "{ticket}");
    let record = load_record(&server.data, &ticket);
    assert_eq!(
        pairs(&record["normalized"]),
        vec![],
        "an email is kept as typed"
    );
    let attachment = &record["attachments"][0];
    assert_eq!(str_at(attachment, "stored_name"), "lampiran.pdf");
    assert_eq!(str_at(attachment, "original_name"), "bukti foto.pdf");
    assert_eq!(str_at(attachment, "type"), "application/pdf");
    assert_eq!(str_at(attachment, "sha256"), sha256_hex(&pdf));
    assert_stored_file(&server.data, &ticket, "lampiran.pdf", &pdf);
}

// ---------------------------------------------------------------------------
// 2. The urlencoded path
// ---------------------------------------------------------------------------

#[tokio::test]
async fn urlencoded_pengaduan_layanan_is_stored_without_completion_deadline() {
    let server = Server::start();
    let isi = "Antrean terlalu lama: 2 jam.\nMohon diperbaiki & ditambah loket.";
    let body = urlencoded(&[
        ("nama", "Budi Santoso"),
        ("kontak", PHONE),
        ("isi", isi),
        ("persetujuan", "ya"),
    ]);
    let response = post_raw(
        &client(),
        &server.url(PENGADUAN_LAYANAN),
        "application/x-www-form-urlencoded",
        body,
    )
    .await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("PL-"), "{ticket}");

    let record = load_record(&server.data, &ticket);
    assert_eq!(str_at(&record, "kind"), "pengaduan-layanan");
    assert!(
        record.as_mapping().unwrap().contains_key("completion_due"),
        "completion_due is written"
    );
    assert_eq!(record["completion_due"], Value::Null);
    assert!(is_iso_date(str_at(&record, "response_due")));
    assert_eq!(
        pairs(&record["fields"]),
        vec![
            ("nama".to_string(), "Budi Santoso".to_string()),
            ("kontak".to_string(), PHONE.to_string()),
            ("isi".to_string(), isi.to_string()),
            ("persetujuan".to_string(), "ya".to_string()),
        ]
    );
    assert_eq!(
        pairs(&record["normalized"]),
        vec![("kontak".to_string(), PHONE_E164.to_string())]
    );
    assert_eq!(record["attachments"], Value::Sequence(vec![]));
    assert!(
        !record_path(&server.data, &ticket)
            .with_extension("")
            .exists()
    );
}

// ---------------------------------------------------------------------------
// 3. Many at once
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_submissions_each_get_their_own_complete_record() {
    const COUNT: u32 = 200;
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let slots = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..COUNT {
        let permit = slots.clone().acquire_owned().await.unwrap();
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            let nama = format!("Warga Penanda {i:03}");
            let form = permohonan_text(&[("nama", Some(&nama))]).file(
                "ktp",
                &format!("ktp-{i}.jpg"),
                "image/jpeg",
                &jpeg(1000 + i as usize * 37, i),
            );
            let response = post_multipart(&client, &url, form).await;
            drop(permit);
            (i, ticket_from(response).await)
        });
    }
    let mut tickets = Vec::new();
    while let Some(done) = tasks.join_next().await {
        tickets.push(done.expect("submission task"));
    }
    let distinct: HashSet<&String> = tickets.iter().map(|(_, t)| t).collect();
    assert_eq!(distinct.len(), COUNT as usize, "distinct tickets");

    for (i, ticket) in &tickets {
        let record = load_record(&server.data, ticket);
        assert_eq!(
            str_at(&record["fields"], "nama"),
            format!("Warga Penanda {i:03}"),
            "{ticket} holds its own values"
        );
        let sent = jpeg(1000 + *i as usize * 37, *i);
        let attachment = &record["attachments"][0];
        assert_eq!(str_at(attachment, "original_name"), format!("ktp-{i}.jpg"));
        let stored = assert_stored_file(&server.data, ticket, "ktp.jpg", &sent);
        assert_eq!(str_at(attachment, "sha256"), sha256_hex(&stored));
    }
    assert_eq!(yaml_records(&server.data).len(), COUNT as usize);
    assert_eq!(
        files_under(&server.data.join("submissions")).len(),
        2 * COUNT as usize,
        "one record and one attachment each, nothing else"
    );
    assert!(
        fs::read_dir(server.data.join(".tmp"))
            .unwrap()
            .next()
            .is_none(),
        "nothing left in .tmp"
    );
}

// ---------------------------------------------------------------------------
// 4. Bad input: an answer, and nothing stored
// ---------------------------------------------------------------------------

#[tokio::test]
async fn invalid_fields_get_422_with_error_summary_and_typed_values_kept() {
    let server = Server::start();
    let form = permohonan_text(&[
        ("nama", Some("Budi <b>")),
        ("nik", Some("12345")),
        ("telepon", None),
        ("persetujuan", None),
        ("uraian", Some("Baris satu\nBaris <dua> & \"tiga\"")),
    ]);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_secure(response.headers(), "422");
    assert_eq!(
        header_str(response.headers(), "cache-control"),
        "no-store",
        "the page holds what was typed"
    );
    assert!(header_str(response.headers(), "content-type").starts_with("text/html"));
    let html = response.text().await.unwrap();
    for needle in [
        "class=\"error-summary\"",
        "<title>Kesalahan:",
        "href=\"#f-nik\"",
        "href=\"#f-telepon\"",
        "href=\"#f-ktp\"",
        "href=\"#f-persetujuan\"",
        "NIK tidak sesuai. Periksa kembali 16 angka NIK pada KTP Anda.",
        "value=\"Budi &lt;b&gt;\"",
        "value=\"12345\"",
        "value=\"Keripik Bu Siti\"",
        // The newline after <textarea> keeps a leading newline of the value.
        ">\nBaris satu\nBaris &lt;dua&gt; &amp; &quot;tiga&quot;</textarea>",
        "name=\"jenis\" value=\"konsultasi\" checked",
    ] {
        assert!(html.contains(needle), "422 page lacks {needle:?}:\n{html}");
    }
    assert!(!html.contains("Budi <b>"), "typed HTML is escaped");
    assert!(
        !html.contains("href=\"#f-nama\""),
        "valid fields are not listed as errors"
    );
    assert_nothing_stored(&server, "invalid fields");
}

#[tokio::test]
async fn gif_upload_gets_422_naming_the_accepted_types() {
    let server = Server::start();
    let form = permohonan_text(&[]).file(
        "ktp",
        "ktp.gif",
        "image/gif",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!",
    );
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#f-ktp\""), "{html}");
    assert!(
        html.contains("harus berupa foto (JPG atau PNG) atau dokumen PDF"),
        "{html}"
    );
    assert_nothing_stored(&server, "GIF upload");
}

#[tokio::test]
async fn empty_upload_gets_422_saying_empty() {
    let server = Server::start();
    let form = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", b"");
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#f-ktp\""), "{html}");
    assert!(html.contains("kosong"), "{html}");
    assert_nothing_stored(&server, "empty upload");
}

/// A file over its own limit brings the form back (tests/forms.rs); a body
/// over the whole submission's limit is refused with the status page.
#[test]
fn body_over_the_whole_submission_limit_gets_413() {
    let server = Server::start_with(&["--rate-limit", "0", "--max-upload-mb", "1"]);
    // One file field: (1 + 3) × 1 MB + 1 MB in all.
    let form = Multipart::new()
        .text("nama", "Budi")
        .text("kontak", PHONE)
        .text("isi", "Foto antrean terlampir.")
        .file("lampiran", "besar.jpg", "image/jpeg", &jpeg(6 << 20, 3));
    let content_type = form.content_type();
    let response =
        raw_post_chunked_racing(server.addr, PENGADUAN_LAYANAN, &content_type, form.finish());
    assert_eq!(response.status, 413, "{}", response.text());
    assert_secure(&response.headers, "413");
    assert!(
        response.text().contains("paling besar 1 MB"),
        "{}",
        response.text()
    );
    assert_nothing_stored(&server, "6 MB body with a 1 MB file limit");
}

#[test]
fn declared_length_over_the_limit_gets_413_before_any_body_is_sent() {
    let server = Server::start();
    let mut stream = connect(server.addr);
    let head = format!(
        "POST {PERMOHONAN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {}\r\nContent-Length: 999999999\r\n\r\n",
        Multipart::new().content_type()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // Not one byte of body: the answer must come anyway.
    let response = read_response(&mut stream);
    assert_eq!(response.status, 413, "{}", response.text());
    assert_secure(&response.headers, "413 on Content-Length");
    assert_nothing_stored(&server, "oversized Content-Length");
}

#[tokio::test]
async fn unsupported_content_types_get_415() {
    let server = Server::start();
    let client = client();
    for (content_type, body) in [
        ("text/plain", "nama=Budi&kontak=0812345678901&isi=x"),
        (
            "application/json",
            r#"{"nama":"Budi","kontak":"0812 3456 7890","isi":"x"}"#,
        ),
    ] {
        let response = post_raw(&client, &server.url(PENGADUAN_LAYANAN), content_type, body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        assert_secure(response.headers(), "415");
        let html = response.text().await.unwrap();
        assert!(html.contains("Format kiriman tidak didukung"), "{html}");
        assert_nothing_stored(&server, content_type);
    }
}

#[tokio::test]
async fn unknown_path_gets_the_sites_404_page() {
    let server = Server::start();
    let response = client()
        .get(server.url("/tidak-ada/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_secure(response.headers(), "404");
    let html = response.text().await.unwrap();
    assert!(html.contains("Halaman tidak ditemukan"), "{html}");
    assert!(
        html.contains("href=\"/permohonan/\""),
        "the site's own page"
    );
}

#[tokio::test]
async fn wrong_method_gets_405_with_allow() {
    let server = Server::start();
    let client = client();
    let cases = [
        (reqwest::Method::PUT, PERMOHONAN, "GET, HEAD, POST"),
        (
            reqwest::Method::DELETE,
            PENGADUAN_LAYANAN,
            "GET, HEAD, POST",
        ),
        (reqwest::Method::POST, "/", "GET, HEAD"),
        (reqwest::Method::POST, "/terkirim/", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let response = client
            .request(method.clone(), server.url(path))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            header_str(response.headers(), "allow"),
            allow,
            "{method} {path}"
        );
        assert_secure(response.headers(), "405");
        let html = response.text().await.unwrap();
        assert!(html.contains("Metode tidak diizinkan"), "{html}");
    }
    assert_nothing_stored(&server, "wrong methods");
}

/// Posts a hand-made multipart body to the permohonan form and expects 400.
async fn assert_bad_request(server: &Server, content_type: &str, body: Vec<u8>, what: &str) {
    let response = post_raw(&client(), &server.url(PERMOHONAN), content_type, body).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
    assert_secure(response.headers(), what);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Kiriman tidak dapat dibaca"),
        "{what}: {html}"
    );
    assert_nothing_stored(server, what);
}

#[tokio::test]
async fn multipart_without_boundary_gets_400() {
    let server = Server::start();
    let body = valid_permohonan().finish();
    assert_bad_request(&server, "multipart/form-data", body, "no boundary").await;
}

#[tokio::test]
async fn multipart_with_a_boundary_the_body_does_not_use_gets_400() {
    let server = Server::start();
    let body = valid_permohonan().finish();
    assert_bad_request(
        &server,
        "multipart/form-data; boundary=tidak-ada-di-badan",
        body,
        "mismatched boundary",
    )
    .await;
}

#[tokio::test]
async fn multipart_body_cut_inside_a_part_gets_400() {
    let server = Server::start();
    let form = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(20_000, 2));
    let content_type = form.content_type();
    let mut body = form.finish();
    // Cut in the middle of the KTP's bytes; Content-Length is what is sent.
    body.truncate(body.len() - 10_000);
    assert_bad_request(&server, &content_type, body, "truncated body").await;
}

#[tokio::test]
async fn duplicate_field_gets_400() {
    let server = Server::start();
    let form = valid_permohonan().text("nama", "Orang Kedua");
    let content_type = form.content_type();
    assert_bad_request(&server, &content_type, form.finish(), "nama twice").await;
}

#[tokio::test]
async fn urlencoded_duplicate_field_gets_400() {
    let server = Server::start();
    let body = urlencoded(&[
        ("nama", "Budi"),
        ("nama", "Orang Kedua"),
        ("kontak", PHONE),
        ("isi", "x"),
    ]);
    let response = post_raw(
        &client(),
        &server.url(PENGADUAN_LAYANAN),
        "application/x-www-form-urlencoded",
        body,
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_nothing_stored(&server, "urlencoded nama twice");
}

#[tokio::test]
async fn part_with_forty_header_lines_gets_400() {
    let server = Server::start();
    let mut headers = vec!["Content-Disposition: form-data; name=\"nama_usaha\"".to_string()];
    headers.extend((0..40).map(|i| format!("X-Isian-{i}: {i}")));
    let form = permohonan_text(&[("nama_usaha", None)])
        .part(&headers, b"Keripik")
        .file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 1));
    let content_type = form.content_type();
    assert_bad_request(&server, &content_type, form.finish(), "40 part headers").await;
}

#[tokio::test]
async fn part_with_a_10_kb_header_gets_400() {
    let server = Server::start();
    let headers = [
        "Content-Disposition: form-data; name=\"bidang_usaha\"".to_string(),
        format!("X-Isian: {}", "a".repeat(10 * 1024)),
    ];
    let form = permohonan_text(&[("bidang_usaha", None)])
        .part(&headers, b"Makanan ringan")
        .file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 1));
    let content_type = form.content_type();
    assert_bad_request(&server, &content_type, form.finish(), "10 KB part header").await;
}

#[tokio::test]
async fn filled_honeypot_looks_accepted_but_stores_nothing() {
    let server = Server::start();
    let form = valid_permohonan().text("situs_web", "http://spam.example/");
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("KP-"), "{ticket}");
    assert_nothing_stored(&server, "honeypot");
}

#[tokio::test]
async fn third_post_within_the_window_gets_429_with_retry_after() {
    let server = Server::start_with(&["--rate-limit", "2"]);
    let client = client();
    let url = server.url(PENGADUAN_LAYANAN);
    // Three different complaints (a resend of the same one is not a new submission).
    let body = |isi: &str| {
        urlencoded(&[
            ("nama", "Budi"),
            ("kontak", PHONE),
            ("isi", isi),
            ("persetujuan", "ya"),
        ])
    };
    for isi in ["Lambat.", "Antrean panjang."] {
        let response = post_raw(
            &client,
            &url,
            "application/x-www-form-urlencoded",
            body(isi),
        )
        .await;
        ticket_from(response).await;
    }
    let response = post_raw(
        &client,
        &url,
        "application/x-www-form-urlencoded",
        body("Ruang tunggu panas."),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_secure(response.headers(), "429");
    let retry_after: u64 = header_str(response.headers(), "retry-after")
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        (1..=600).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"id\""), "{html}");
    assert!(html.contains("Terlalu banyak kiriman"), "{html}");
    assert!(html.contains("Silakan coba lagi"), "{html}");
    assert_eq!(
        yaml_records(&server.data).len(),
        2,
        "the third is not stored"
    );
}

// ---------------------------------------------------------------------------
// 5. Paths never leave public/
// ---------------------------------------------------------------------------

#[test]
fn path_traversal_never_reaches_files_outside_public() {
    let server = Server::start();
    let secret = "RAHASIA-7d41c0";
    server.site().write("rahasia.txt", secret);
    fs::write(server.data.join("rahasia.txt"), secret).unwrap();
    fs::write(server.public().join(".gitignore"), secret).unwrap();
    fs::create_dir_all(server.public().join(".tersembunyi")).unwrap();
    fs::write(server.public().join(".tersembunyi/isi.txt"), secret).unwrap();

    // The raw client itself works.
    let control = raw_get(server.addr, "/css/site.css");
    assert_eq!(control.status, 200);

    for target in [
        "/../rahasia.txt",
        "/%2e%2e/rahasia.txt",
        "/%2E%2E/rahasia.txt",
        "/%2e%2e%2frahasia.txt",
        "/..%2frahasia.txt",
        "/..\\rahasia.txt",
        "/%5c..%5crahasia.txt",
        "/css/../../rahasia.txt",
        "/css/%2e%2e/%2e%2e/rahasia.txt",
        "/../data/rahasia.txt",
        "/%2e%2e/data/rahasia.txt",
        "/../../../../../../etc/passwd",
        "//etc/passwd",
        "/%00",
        "/rahasia.txt%00.html",
        "/data/submissions/",
        "/data/rahasia.txt",
        "/.gitignore",
        "/%2egitignore",
        "/.tersembunyi/isi.txt",
        "/rahasia.txt",
    ] {
        let response = raw_get(server.addr, target);
        let text = response.text();
        assert!(!text.contains(secret), "{target} leaked the secret");
        assert!(!text.contains("root:x:0:0"), "{target} leaked /etc/passwd");
        assert!(
            response.status == 404 || response.status == 400,
            "{target}: status {}",
            response.status
        );
        if response.status == 404 {
            assert!(text.contains("Halaman tidak ditemukan"), "{target}: {text}");
            assert_secure(&response.headers, target);
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Static files
// ---------------------------------------------------------------------------

#[tokio::test]
async fn home_page_is_html_with_validators_and_revalidates_to_304() {
    let server = Server::start();
    let client = client();
    let home = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert_secure(home.headers(), "GET /");
    let content_type = header_str(home.headers(), "content-type");
    assert!(
        content_type.starts_with("text/html") && content_type.contains("charset=utf-8"),
        "{content_type}"
    );
    let etag = header_str(home.headers(), "etag").to_string();
    let last_modified = header_str(home.headers(), "last-modified").to_string();
    let body = home.bytes().await.unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("Dinas Koperasi dan Usaha Mikro"),
        "the home page"
    );

    let by_etag = client
        .get(server.url("/"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(by_etag.status(), StatusCode::NOT_MODIFIED, "If-None-Match");
    assert_secure(by_etag.headers(), "304 on If-None-Match");
    assert_eq!(header_str(by_etag.headers(), "etag"), etag);
    assert!(by_etag.bytes().await.unwrap().is_empty());

    let other_etag = client
        .get(server.url("/"))
        .header(header::IF_NONE_MATCH, "\"lain\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other_etag.status(), StatusCode::OK, "a different ETag");

    let by_date = client
        .get(server.url("/"))
        .header(header::IF_MODIFIED_SINCE, &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_date.status(),
        StatusCode::NOT_MODIFIED,
        "If-Modified-Since"
    );
    assert_secure(by_date.headers(), "304 on If-Modified-Since");
}

#[tokio::test]
async fn head_and_range_requests_on_the_home_page() {
    let server = Server::start();
    let client = client();
    let full = client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(full.len() > 10);

    let head = client.head(server.url("/")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_secure(head.headers(), "HEAD /");
    assert_eq!(
        header_str(head.headers(), "content-length"),
        full.len().to_string()
    );
    assert!(head.bytes().await.unwrap().is_empty(), "HEAD has no body");

    let range = client
        .get(server.url("/"))
        .header(header::RANGE, "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    assert_secure(range.headers(), "206");
    assert_eq!(
        header_str(range.headers(), "content-range"),
        format!("bytes 0-9/{}", full.len())
    );
    assert_eq!(range.bytes().await.unwrap(), full[..10]);
}

#[tokio::test]
async fn folder_without_slash_redirects_and_css_is_utf8() {
    let server = Server::start();
    let client = client();
    let response = client.get(server.url("/layanan")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(header_str(response.headers(), "location"), "/layanan/");
    assert_secure(response.headers(), "301");

    let css = client
        .get(server.url("/css/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        header_str(css.headers(), "content-type"),
        "text/css; charset=utf-8"
    );
    assert_secure(css.headers(), "CSS");
}

// ---------------------------------------------------------------------------
// 7. Graceful shutdown
// ---------------------------------------------------------------------------

#[test]
fn sigterm_lets_an_upload_in_progress_finish_then_exits_zero() {
    let mut server = Server::start();
    // Larger than one write batch, so part of it is on disk while the rest is held back.
    let ktp = jpeg(1024 * 1024, 9);
    let form = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &ktp);
    let content_type = form.content_type();
    let body = form.finish();
    let (first, rest) = body.split_at(body.len() - 100 * 1024);

    let mut stream = connect(server.addr);
    stream
        .write_all(post_head(PERMOHONAN, &content_type, body.len()).as_bytes())
        .unwrap();
    stream.write_all(first).unwrap();

    // Wait until the server is streaming the KTP into a draft.
    let tmp = server.data.join(".tmp");
    let deadline = Instant::now() + PATIENCE;
    while !files_under(&tmp)
        .iter()
        .any(|p| p.to_string_lossy().contains("ktp"))
    {
        assert!(Instant::now() < deadline, "the upload never started");
        thread::sleep(Duration::from_millis(20));
    }

    server.terminate();
    // The listener closes: new connections are refused.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match TcpStream::connect(server.addr) {
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => break,
            Err(e) => panic!("unexpected connect error {e}"),
            Ok(_) => {
                assert!(Instant::now() < deadline, "still accepting after SIGTERM");
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
    assert!(
        server.is_running(),
        "the server waits for the upload in progress"
    );

    stream.write_all(rest).unwrap();
    let response = read_response(&mut stream);
    let ticket = ticket_of(
        StatusCode::from_u16(response.status).unwrap(),
        &response.headers,
        &response.text(),
    );
    let status = server.wait_exit();
    assert!(status.success(), "exit status {status:?}");

    let record = load_record(&server.data, &ticket);
    let stored = assert_stored_file(&server.data, &ticket, "ktp.jpg", &ktp);
    assert_eq!(
        str_at(&record["attachments"][0], "sha256"),
        sha256_hex(&stored)
    );
}

#[test]
fn a_data_folder_that_would_be_published_is_refused() {
    let site = TempSite::fixture();
    for data in [site.out().join("data"), site.root().join("static/data")] {
        let out = crate::common::loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", data.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("overlaps"), "{err}");
        assert!(!data.exists(), "nothing created");
    }
}

/// A mistyped `--data` pointing at someone's folder: refused, with the
/// reason said once, and the folder left exactly as it was (no chmod, its
/// `.tmp/` kept). A folder others can read is refused too.
#[test]
fn a_folder_that_is_not_a_loket_data_folder_is_refused_and_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let site = TempSite::fixture();
    let shared = site.root().join("berkas-bersama");
    fs::create_dir_all(shared.join(".tmp")).unwrap();
    fs::write(shared.join(".tmp/draf.docx"), "punya orang").unwrap();
    fs::write(shared.join("laporan.xlsx"), "punya orang").unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o775)).unwrap();
    let before = crate::common::snapshot(&shared);
    let serve = |data: &std::path::Path| {
        crate::common::loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(data)
            .output()
            .unwrap()
    };
    let out = serve(&shared);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a loket data folder"), "{err}");
    assert_eq!(
        err.matches("is not a loket data folder").count(),
        1,
        "said once: {err}"
    );
    assert_eq!(crate::common::snapshot(&shared), before, "nothing changed");
    assert_eq!(
        fs::metadata(&shared).unwrap().permissions().mode() & 0o777,
        0o775
    );

    let open = site.root().join("terbuka");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
    let out = serve(&open);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("can be read by other users"), "{err}");
    assert_eq!(fs::read_dir(&open).unwrap().count(), 0);
}

#[tokio::test]
async fn text_field_far_over_its_limit_gets_413_saying_so() {
    let server = Server::start();
    let huge = "x".repeat(100 * 1024);
    let form = permohonan_text(&[("uraian", Some(huge.as_str()))]);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = response.text().await.unwrap();
    assert!(html.contains("Isian terlalu panjang"), "{html}");
    assert_nothing_stored(&server, "text too long");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rate_limit_is_per_forwarded_address() {
    let server = Server::start_with(&["--rate-limit", "1", "--trust-proxy"]);
    let post = |forwarded: &'static str| {
        let url = server.url(PENGADUAN_LAYANAN);
        async move {
            client()
                .post(url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-forwarded-for", forwarded)
                .body(urlencoded(&[
                    ("nama", "Budi"),
                    ("kontak", "0812 3456 7890"),
                    ("isi", "Antrean lama"),
                    ("persetujuan", "ya"),
                ]))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post("203.0.113.7").await, StatusCode::SEE_OTHER);
    assert_eq!(
        post("198.51.100.2, 203.0.113.8").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(post("203.0.113.7").await, StatusCode::TOO_MANY_REQUESTS);
}
