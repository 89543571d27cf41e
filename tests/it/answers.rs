//! `loket serve` answers bad input with a status and a page in Indonesian,
//! and stores nothing: invalid fields, wrong types, bodies over the limits,
//! malformed multipart, the honeypot, the rate limit.

use std::io::Write;

use crate::common::form::*;
use crate::common::raw::*;
use crate::common::server::Server;
use crate::common::submit::*;
use reqwest::StatusCode;
use reqwest::header::{self};

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
        assert!(html.contains("Format isian tidak didukung"), "{html}");
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
        html.contains("Formulir tidak dapat dibaca"),
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
    assert!(html.contains("Terlalu banyak formulir terkirim"), "{html}");
    assert!(html.contains("Silakan coba lagi"), "{html}");
    assert_eq!(
        yaml_records(&server.data).len(),
        2,
        "the third is not stored"
    );
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
