//! The citizen told what is missing, and the answer sent from `/cek-status/`.

use super::*;

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
    let relay = SmtpServer::start();
    let args = mail_args(relay.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::start_with(&args);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let ticket = sent.ticket.clone();
    let code = code_of(&server, &sent).await;
    // The receipt says the clock runs while the office waits (the default).
    let mails = relay.wait_for(2, PATIENCE);
    let receipt = mails
        .iter()
        .find(|m| m.rcpt_to == ["siti@contoh.id"])
        .unwrap();
    assert!(
        receipt
            .body
            .contains("Batas waktu tetap berjalan selama kami menunggu kelengkapan dari Anda."),
        "{}",
        receipt.body
    );

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
        body.contains("Berkas foto KTP harus berupa foto (JPG atau PNG) atau dokumen PDF."),
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
