//! A form never loses what the citizen typed or chose: the real `loket
//! serve` on a temp copy of the site, over real HTTP. Files over the limit
//! bring the form back with everything typed; accepted files are kept
//! across error rounds; mistakes do not use up the rate limit; a second
//! press of the send button does not make a second record.

mod common;

use common::form::*;
use common::server::Server;
use common::submit::*;
use reqwest::StatusCode;

/// A valid permohonan that differs from others by its `uraian`.
fn distinct_permohonan(n: u32) -> Multipart {
    let uraian = format!("Mohon konsultasi pemasaran, nomor {n}.");
    permohonan_text(&[("uraian", Some(&uraian))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(4096, n),
    )
}

// ---------------------------------------------------------------------------
// The rate limit counts accepted submissions only
// ---------------------------------------------------------------------------

#[tokio::test]
async fn forms_sent_back_with_errors_do_not_use_up_the_rate_limit() {
    let server = Server::start_with(&["--rate-limit", "2"]);
    let client = client();
    let url = server.url(PERMOHONAN);
    // Five citizens behind one address make a mistake each.
    for n in 0..5 {
        let form = permohonan_text(&[("nik", Some("12345"))]).file(
            "ktp",
            "ktp.jpg",
            "image/jpeg",
            &jpeg(4096, n),
        );
        let response = post_multipart(&client, &url, form).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{n}");
    }
    // The limit is still whole: two accepted, then no more.
    for n in 0..2 {
        let response = post_multipart(&client, &url, distinct_permohonan(n)).await;
        ticket_from(response).await;
    }
    let response = post_multipart(&client, &url, distinct_permohonan(2)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(yaml_records(&server.data).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posts_from_one_address_never_pass_the_limit() {
    let server = Server::start_with(&["--rate-limit", "3"]);
    let client = client();
    let url = server.url(PERMOHONAN);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            post_multipart(&client, &url, distinct_permohonan(n))
                .await
                .status()
        });
    }
    let mut accepted = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::SEE_OTHER => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(accepted, 3);
    assert_eq!(yaml_records(&server.data).len(), 3);
}

// ---------------------------------------------------------------------------
// A file over the limit
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_file_over_the_limit_brings_the_form_back_with_everything_typed() {
    let server = Server::start_with(&["--rate-limit", "0", "--max-upload-mb", "1"]);
    // Files in the middle of the body and a field after them: reading goes on
    // past the file that is too large.
    let form = permohonan_text(&[("nama", Some("Budi <b> Santoso")), ("persetujuan", None)])
        .file(
            "ktp",
            "IMG_20261127.jpg",
            "image/jpeg",
            &jpeg(1536 * 1024, 3),
        )
        .file(
            "dokumen_1",
            "denah.gif",
            "image/gif",
            b"GIF89a not accepted",
        )
        .text("persetujuan", "ya");
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_secure(response.headers(), "422 for a file too large");
    let html = response.text().await.unwrap();
    let message = "Ukuran berkas fotokopi/foto KTP 1,5 MB; paling besar 1 MB. Perkecil foto";
    for needle in [
        // In the summary, like any other error, and at the field.
        &format!("<a href=\"#f-ktp\">{message}"),
        &format!("id=\"f-ktp-error\"><span class=\"visually-hidden\">Kesalahan:</span> {message}"),
        "href=\"#f-dokumen_1\"",
        // Everything typed is kept, also what came after the files.
        "value=\"Budi &lt;b&gt; Santoso\"",
        "value=\"Keripik Bu Siti\"",
        ">\nMohon konsultasi pemasaran.</textarea>",
        "name=\"jenis\" value=\"konsultasi\" checked",
        "name=\"persetujuan\" value=\"ya\" checked",
        // Before choosing a file, the form says what to do with a large photo.
        "paling besar 1 MB. Foto dari kamera HP sering lebih besar dari itu",
    ] {
        assert!(html.contains(needle), "422 page lacks {needle:?}:\n{html}");
    }
    assert_nothing_stored(&server, "a file over the limit");
    let ktp_anywhere: Vec<_> = files_under(&server.data)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("ktp"))
        .collect();
    assert!(ktp_anywhere.is_empty(), "{ktp_anywhere:?}");
}
