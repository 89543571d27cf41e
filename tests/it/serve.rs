//! `loket serve` takes submissions: the real binary on a temp copy of the
//! fixture site, spoken to with reqwest, and over raw TCP wherever a client
//! library would tidy up the request we mean to send.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use crate::common::form::*;
use crate::common::server::Server;
use crate::common::submit::*;
use loket::core::yaml::Value;
use reqwest::StatusCode;

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
            ("rahasia".to_string(), String::new()),
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

/// `/healthz` names what failed only to a client on this machine, as the
/// trusted proxy resolves it: a citizen through nginx gets the bare status,
/// a `curl` on the server (directly or through the proxy) the reasons.
#[tokio::test]
async fn healthz_names_what_failed_only_to_this_machine() {
    // Asking for more free space than any test disk has: 503.
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--min-free-mb",
        "100000000",
        "--trust-proxy",
        "127.0.0.1",
    ]);
    let health = |forwarded: Option<&'static str>| {
        let url = server.url("/healthz");
        async move {
            let mut request = client().get(url);
            if let Some(ip) = forwarded {
                request = request.header("x-forwarded-for", ip);
            }
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    for local in [None, Some("127.0.0.1"), Some("::1")] {
        let (status, text) = health(local).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(text.contains("below 100000000 MB"), "{local:?}: {text}");
    }
    for citizen in ["203.0.113.7", "2001:db8::1", "127.0.0.1, 203.0.113.7"] {
        let (status, text) = health(Some(citizen)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(text, "tidak siap\n", "{citizen}");
    }
    drop(server);

    // A proxy loket does not trust: its X-Forwarded-For is not believed,
    // and its requests get no detail though they come from loopback.
    let server = Server::start_with(&["--rate-limit", "0", "--min-free-mb", "100000000"]);
    let response = client()
        .get(server.url("/healthz"))
        .header("x-forwarded-for", "127.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "tidak siap\n");
    let response = client().get(server.url("/healthz")).send().await.unwrap();
    assert!(response.text().await.unwrap().contains("free space"));
}
