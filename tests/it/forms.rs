//! A form never loses what the citizen typed or chose: the real `loket
//! serve` on a temp copy of the site, over real HTTP. Files over the limit
//! bring the form back with everything typed; accepted files are kept
//! across error rounds; mistakes do not use up the rate limit; a second
//! press of the send button does not make a second record.

use crate::common::form::*;
use crate::common::server::Server;
use crate::common::submit::*;
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
    // Four citizens behind one address make a mistake each (posts with
    // files have a budget of their own, three per submission: 4 + 2 fit).
    for n in 0..4 {
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
    let message = "Ukuran berkas foto KTP 1,5 MB; paling besar 1 MB. Perkecil foto";
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

// ---------------------------------------------------------------------------
// Accepted files are kept across rounds with errors
// ---------------------------------------------------------------------------

/// The token of the held files, from the hidden field of a 422 page.
fn held_token(html: &str) -> String {
    let start = html
        .find("name=\"draf\" value=\"")
        .unwrap_or_else(|| panic!("no held-files token in:\n{html}"))
        + "name=\"draf\" value=\"".len();
    let token = &html[start..start + 32];
    assert!(
        token.bytes().all(|b| b.is_ascii_hexdigit()) && html[start + 32..].starts_with('"'),
        "token {token:?}"
    );
    token.to_string()
}

/// An unchosen file input, as a browser sends it.
fn unchosen(form: Multipart, name: &str) -> Multipart {
    form.file(name, "", "application/octet-stream", b"")
}

#[tokio::test]
async fn a_valid_ktp_next_to_a_wrong_nik_is_kept_over_several_rounds() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let ktp = jpeg(300_000, 5);
    let original = "foto <ktp> & saya.jpg";

    // Round 1: the KTP is fine, the NIK is not.
    let form = permohonan_text(&[("nik", Some("12345"))]).file("ktp", original, "image/jpeg", &ktp);
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    // The size is the kept file's (a photo is re-encoded when it arrives).
    let line = "foto &lt;ktp&gt; &amp; saya.jpg (";
    let after = " KB) sudah terunggah — pilih berkas lain untuk mengganti.";
    let at = html
        .find(line)
        .unwrap_or_else(|| panic!("no held-file line in:\n{html}"));
    assert!(html[at..].contains(after), "no held-file line in:\n{html}");
    assert!(
        html.contains("aria-describedby=\"f-ktp-hint f-ktp-held\""),
        "{html}"
    );
    assert!(html.contains("href=\"#f-nik\""));
    assert!(!html.contains("href=\"#f-ktp\""), "the KTP is no error");
    assert!(!html.contains("Silakan pilih ulang berkas"), "{html}");
    let first = held_token(&html);
    assert!(yaml_records(&server.data).is_empty(), "nothing stored yet");

    // Round 2: sent again without the file, another mistake.
    let form = unchosen(
        permohonan_text(&[("telepon", Some("12"))]).text("draf", &first),
        "ktp",
    );
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains(line), "still held in round 2:\n{html}");
    assert!(html.contains("href=\"#f-telepon\""));
    assert!(!html.contains("href=\"#f-ktp\""));
    let second = held_token(&html);

    // Round 3: all correct, still without choosing the file again.
    let form = unchosen(permohonan_text(&[]).text("draf", &second), "ktp");
    let ticket = ticket_from(post_multipart(&client, &url, form).await).await;
    let record = load_record(&server.data, &ticket);
    let attachments = record["attachments"].as_sequence().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(str_at(&attachments[0], "field"), "ktp");
    assert_eq!(str_at(&attachments[0], "original_name"), original);
    let stored = assert_stored_file(&server.data, &ticket, "ktp.jpg", &ktp);
    assert_eq!(str_at(&attachments[0], "sha256"), sha256_hex(&stored));
    assert_eq!(attachments[0]["size"].as_u64(), Some(stored.len() as u64));
    let folder = record_path(&server.data, &ticket).with_extension("");
    assert_eq!(
        files_under(&folder),
        vec![std::path::PathBuf::from("ktp.jpg")]
    );
}

#[tokio::test]
async fn a_file_chosen_again_replaces_the_held_one() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let form = permohonan_text(&[("nik", Some("12345"))]).file(
        "ktp",
        "lama.jpg",
        "image/jpeg",
        &jpeg(5000, 1),
    );
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let token = held_token(&response.text().await.unwrap());

    let png = png(2);
    let form = permohonan_text(&[])
        .text("draf", &token)
        .file("ktp", "baru.png", "image/png", &png);
    let ticket = ticket_from(post_multipart(&client, &url, form).await).await;
    let record = load_record(&server.data, &ticket);
    let attachments = record["attachments"].as_sequence().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(str_at(&attachments[0], "original_name"), "baru.png");
    // A PNG is kept as a JPEG, like every photo.
    assert_eq!(
        str_at(&attachments[0], "sha256"),
        stored_sha256(&server.data, &ticket, "ktp.jpg")
    );
    let folder = record_path(&server.data, &ticket).with_extension("");
    assert_eq!(
        files_under(&folder),
        vec![std::path::PathBuf::from("ktp.jpg")]
    );
}

#[tokio::test]
async fn a_bad_or_unknown_token_just_means_no_held_files() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    for token in [
        "bukan-token",
        "../../submissions",
        "0123456789abcdef0123456789abcdef",
        "",
    ] {
        let form = unchosen(permohonan_text(&[]).text("draf", token), "ktp");
        let response = post_multipart(&client, &url, form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{token:?}"
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Unggah foto atau pindaian fotokopi KTP Anda."),
            "{token:?}:\n{html}"
        );
        assert!(!html.contains("sudah terunggah"), "{token:?}");
    }
    // With a file of its own: held under a token of its own, then accepted.
    let form = permohonan_text(&[("nik", Some("12345"))])
        .text("draf", "0123456789abcdef0123456789abcdef")
        .file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 4));
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    // Held as it came (2 KB), not decoded while the text is wrong.
    assert!(html.contains("ktp.jpg (2 KB) sudah terunggah"), "{html}");
    let token = held_token(&html);
    assert_ne!(token, "0123456789abcdef0123456789abcdef");
    let form = valid_permohonan().text("draf", "0123456789abcdef0123456789abcdef");
    ticket_from(post_multipart(&client, &url, form).await).await;
}

// ---------------------------------------------------------------------------
// A second press of the send button
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_same_submission_sent_twice_is_stored_once_under_one_ticket() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let first = ticket_from(post_multipart(&client, &url, valid_permohonan()).await).await;
    let again = ticket_from(post_multipart(&client, &url, valid_permohonan()).await).await;
    assert_eq!(again, first, "the resend gets the first ticket");
    assert_eq!(yaml_records(&server.data).len(), 1);
    // Another submission (one field differs) is its own.
    let other = ticket_from(post_multipart(&client, &url, distinct_permohonan(7)).await).await;
    assert_ne!(other, first);
    assert_eq!(yaml_records(&server.data).len(), 2);
    assert!(
        files_under(&server.data.join(".tmp")).is_empty(),
        "the resend's own copy of the files is gone"
    );
}

/// Posts `form()` `times` times at once; returns every answer's ticket.
async fn post_at_once(server: &Server, times: usize, form: impl Fn() -> Multipart) -> Vec<String> {
    let client = client();
    let url = server.url(PERMOHONAN);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..times {
        let (client, url, form) = (client.clone(), url.clone(), form());
        tasks.spawn(async move { ticket_from(post_multipart(&client, &url, form).await).await });
    }
    let mut tickets = Vec::new();
    while let Some(ticket) = tasks.join_next().await {
        tickets.push(ticket.unwrap());
    }
    tickets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_posts_at_the_same_moment_make_one_record() {
    let server = Server::start();
    let ktp = jpeg(200_000, 9);
    let form = || permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &ktp);
    let tickets = post_at_once(&server, 8, form).await;
    assert!(tickets.iter().all(|t| *t == tickets[0]), "{tickets:?}");
    assert_eq!(yaml_records(&server.data).len(), 1);
    assert_stored_file(&server.data, &tickets[0], "ktp.jpg", &ktp);

    // The same after a round with errors: the corrected form, sent twice at
    // once with the token of its held KTP.
    let ktp = jpeg(200_000, 10);
    let form = permohonan_text(&[("nama", Some("Siti")), ("nik", Some("1"))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &ktp,
    );
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let token = held_token(&response.text().await.unwrap());
    let form = || {
        unchosen(
            permohonan_text(&[("nama", Some("Siti"))]).text("draf", &token),
            "ktp",
        )
    };
    let tickets = post_at_once(&server, 4, form).await;
    assert!(tickets.iter().all(|t| *t == tickets[0]), "{tickets:?}");
    assert_eq!(yaml_records(&server.data).len(), 2);
    assert_stored_file(&server.data, &tickets[0], "ktp.jpg", &ktp);
}

/// Uploads are checked beyond their first bytes: a JPEG header followed by
/// a web page, or a PDF that runs a script when opened, comes back to the
/// citizen with the reason at its field, and nothing is stored.
#[tokio::test]
async fn uploads_that_only_look_like_photos_or_carry_scripts_are_refused() {
    let server = Server::start();
    let client = client();
    let url = server.url(PERMOHONAN);
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.extend(b"<html><script>alert(1)</script></html>");
    let mut scripted = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n".to_vec();
    scripted.extend(b"trailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n");
    let mut elf = b"%PDF-1.7\n".to_vec();
    elf.extend(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    for (name, mime, bytes, says) in [
        ("ktp.jpg", "image/jpeg", fake, "foto"),
        ("ktp.pdf", "application/pdf", scripted, "skrip"),
        ("ktp.pdf", "application/pdf", elf, "PDF"),
    ] {
        let form = permohonan_text(&[]).file("ktp", name, mime, &bytes);
        let response = post_multipart(&client, &url, form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let html = response.text().await.unwrap();
        let error = html
            .split("id=\"f-ktp-error\"")
            .nth(1)
            .unwrap_or_else(|| panic!("an error at the KTP field: {html}"));
        let message = &error[..error.find("</p>").unwrap()];
        assert!(message.contains(says), "{name}: {message}");
        assert!(
            !html.contains("sudah terunggah"),
            "a refused file is not held"
        );
    }
    assert_nothing_stored(&server, "refused uploads");
}

/// A photo kept while another file is refused is named with the size the
/// citizen sent, not the size of the copy loket re-encoded.
#[tokio::test]
async fn a_kept_photo_shows_the_size_the_citizen_sent() {
    let server = Server::start();
    let ktp = jpeg(300_000, 5);
    let mut scripted = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n".to_vec();
    scripted.extend(b"trailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n");
    let form = permohonan_text(&[])
        .file("ktp", "ktp saya.jpg", "image/jpeg", &ktp)
        .file("dokumen_1", "surat.pdf", "application/pdf", &scripted);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"f-dokumen_1-error\""), "{html}");
    let sent = format!("ktp saya.jpg ({}) sudah terunggah", format_size(ktp.len()));
    assert!(html.contains(&sent), "{sent} in:\n{html}");
    // Sent again without choosing it, it is still the size sent.
    let token = held_token(&html);
    let form = unchosen(
        unchosen(
            permohonan_text(&[("nik", Some("1"))]).text("draf", &token),
            "ktp",
        ),
        "dokumen_1",
    );
    let html = post_multipart(&client(), &server.url(PERMOHONAN), form)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&sent), "{sent} in:\n{html}");
}

/// `format_size` as the form shows it (KB rounded up below 1000 KB).
fn format_size(bytes: usize) -> String {
    format!("{} KB", (bytes as u64).div_ceil(1024))
}

/// The receipt lists the next steps of the branch the citizen chose (the
/// form file's `next_steps` with `when`), never those of the other.
#[tokio::test]
async fn the_receipt_shows_only_the_branch_the_citizen_chose() {
    use crate::common::case::{receipt, sent};
    let server = Server::start();
    let konsultasi = "<li>Petugas langsung memberikan materi konsultasi sesuai kebutuhan.</li>";
    let pengaduan = "<li>Petugas menjadwalkan pertemuan antara pemohon dan termohon,";
    let both = "<li>Petugas memeriksa kelengkapan berkas.</li>";
    for (jenis, shown, hidden) in [
        ("konsultasi", konsultasi, pengaduan),
        ("pengaduan", pengaduan, konsultasi),
    ] {
        let form = permohonan_text(&[
            ("jenis", Some(jenis)),
            ("termohon_nama", Some("CV Contoh")),
            ("termohon_kontak", Some("Jl. Contoh 2")),
        ])
        .file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 3));
        let case = sent(post_multipart(&client(), &server.url(PERMOHONAN), form).await).await;
        let (status, _, page) = receipt(&server, &case.ticket, case.cookie.as_deref()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(both) && page.contains(shown),
            "{jenis}: {page}"
        );
        assert!(!page.contains(hidden), "{jenis}: {page}");
    }
}
