//! Files staff attach on the desk, and a document the citizen hands in.

use super::*;

/// Staff attach a scan and a photo on the desk: sanitized, 0600, listed
/// with who added them, in the history and the audit log; a file that is
/// no photo or PDF, or a post without the CSRF token, writes nothing.
#[tokio::test]
async fn staff_attach_files_listed_with_who_added_them() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
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

    // Handed in by the citizen, but the case asks nothing (a stale page).
    assert!(!page.body.contains("name=\"dari_pemohon\""));
    let stale = desk
        .post_multipart(
            &path,
            Multipart::new()
                .text("csrf", &csrf)
                .file("berkas", "ktp.jpg", "image/jpeg", &jpeg(2048, 8))
                .text("dari_pemohon", "ya"),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("tidak sedang menunggu kelengkapan"),
        "{}",
        stale.body
    );
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
    // Staff's files are internal: the citizen's steps do not list them.
    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(lookup.matches("<li><strong>").count(), 1, "{lookup}");
    assert!(!lookup.contains("petugas-1"), "{lookup}");
}

/// A document the citizen hands in at the office: staff attach it as
/// theirs, which ends the wait like a reply on `/cek-status/` (the paused
/// clock moves the deadline by the two working days waited).
#[tokio::test]
async fn a_document_handed_in_at_the_office_ends_the_wait() {
    let (server, data) = pausing_server();
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
