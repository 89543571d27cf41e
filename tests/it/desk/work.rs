//! Working a case: the page, the steps of `loket status` through the same
//! code, the lost-update rule, attachments, the print view, the audit log.

use std::fs;

use reqwest::StatusCode;

use super::*;
use crate::common::form::NIK;
use crate::common::submit::{load_record, record_path};

/// Posts step `langkah` with `fields` from the case page as it was loaded.
async fn step(desk: &mut DeskClient, page: &Page, ticket: &str, fields: &[(&str, &str)]) -> Page {
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let mut form = vec![("csrf", csrf.as_str()), ("versi", version.as_str())];
    form.extend_from_slice(fields);
    desk.post(&format!("/kasus/{ticket}/"), &form).await
}

/// A submission is found in the inbox, shown with every field and its KTP,
/// moved along the procedure (diperiksa, konsultasi diberikan, selesai)
/// with the staff member's name in the history and hand edits kept, and
/// printed; steps the procedure does not allow, and closing without a
/// result, are refused with a message; each action is audited without the
/// citizen's data.
#[tokio::test]
async fn a_case_moves_through_the_procedure_as_with_loket_status() {
    let server = Server::start();
    assert!(
        add_staff(&server.data, "Budi Santoso", PASSWORD)
            .status
            .success()
    );
    let ticket = submit(&server).await;
    let mut desk = DeskClient::signed_in(&server, "Budi Santoso").await;

    let inbox = desk.get("/").await;
    assert!(
        inbox.body.contains(&format!("href=\"/kasus/{ticket}/\"")),
        "{}",
        inbox.body
    );
    assert!(inbox.body.contains("Siti Aminah"));
    assert!(inbox.body.contains("1 kasus: 1 terbuka"), "{}", inbox.body);

    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for typed in [
        "Siti Aminah",
        NIK,
        "Keripik Bu Siti",
        "Mohon konsultasi pemasaran.",
    ] {
        assert!(page.body.contains(typed), "{typed} shown");
    }
    let ktp_url = format!("/kasus/{ticket}/lampiran/ktp.jpg");
    assert!(
        page.body.contains(&format!("src=\"{ktp_url}\"")),
        "the KTP inline"
    );

    let ktp = desk.get(&ktp_url).await;
    assert_eq!(ktp.status, StatusCode::OK);
    assert_eq!(ktp.header("content-type"), "image/jpeg");
    assert_eq!(
        ktp.header("content-disposition"),
        format!("inline; filename=\"{ticket}-ktp.jpg\"")
    );
    assert_eq!(ktp.header("x-content-type-options"), "nosniff");
    assert_eq!(ktp.header("cache-control"), "no-store");
    let stored = fs::read(
        record_path(&server.data, &ticket)
            .with_extension("")
            .join("ktp.jpg"),
    )
    .unwrap();
    assert_eq!(ktp.bytes, stored);
    for wrong in ["ktp.png", "..%2Fx.yaml", ".hidden"] {
        let page = desk.get(&format!("/kasus/{ticket}/lampiran/{wrong}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{wrong}");
    }

    // A comment and a key written by hand survive the steps.
    let file = record_path(&server.data, &ticket);
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        format!("{text}# ditelepon, tidak diangkat\ncatatan_petugas: tangan\n"),
    )
    .unwrap();
    let page = desk.get(&path).await;

    let closing_early = step(
        &mut desk,
        &page,
        &ticket,
        &[("langkah", "selesai"), ("catatan", "x")],
    )
    .await;
    assert_eq!(closing_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        closing_early.body.contains("tidak dapat menjadi selesai"),
        "{}",
        closing_early.body
    );
    let no_berkas = step(
        &mut desk,
        &page,
        &ticket,
        &[("langkah", "diperiksa"), ("catatan", "dicek")],
    )
    .await;
    assert_eq!(no_berkas.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_berkas
            .body
            .contains("berkas lengkap atau berkas tidak lengkap")
    );
    assert!(
        no_berkas.body.contains("dicek</textarea>"),
        "typed text kept"
    );

    let checked = step(
        &mut desk,
        &page,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "lengkap")],
    )
    .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    assert_eq!(
        checked.header("location"),
        format!("/kasus/{ticket}/?diubah=diperiksa")
    );
    let page = desk.get(checked.header("location")).await;
    assert!(page.body.contains("Status kasus ini sekarang: Diperiksa."));
    let given = step(
        &mut desk,
        &page,
        &ticket,
        &[
            ("langkah", "konsultasi-diberikan"),
            ("catatan", "Konsultasi lewat telepon"),
        ],
    )
    .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    let page = desk.get(&path).await;
    let no_result = step(
        &mut desk,
        &page,
        &ticket,
        &[("langkah", "selesai"), ("catatan", "  ")],
    )
    .await;
    assert_eq!(no_result.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_result.body.contains("Tulis ringkasan hasil"));
    let done = step(
        &mut desk,
        &page,
        &ticket,
        &[
            ("langkah", "selesai"),
            ("catatan", "Pembukuan sederhana\ndijelaskan"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let record = load_record(&server.data, &ticket);
    assert_eq!(record["status"].as_str(), Some("selesai"));
    assert_eq!(
        record["result"].as_str(),
        Some("Pembukuan sederhana\ndijelaskan")
    );
    assert_eq!(record["catatan_petugas"].as_str(), Some("tangan"));
    let history = record["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 3);
    for entry in history {
        assert_eq!(entry["by"].as_str(), Some("Budi Santoso"));
    }
    assert_eq!(history[0]["berkas"].as_str(), Some("lengkap"));
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .contains("# ditelepon, tidak diangkat\n")
    );

    // Closed: no more steps.
    let page = desk.get(&path).await;
    assert!(page.body.contains("tidak ada langkah lagi"));
    assert!(!page.body.contains("name=\"langkah\""));

    let print = desk
        .get(&format!("/kasus/{ticket}/dokumen/laporan-hasil/"))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    for wanted in [
        "Dokumentasi dan Laporan Hasil Pelayanan",
        &ticket,
        "Pembukuan sederhana",
        "Budi Santoso",
        "Siti Aminah",
    ] {
        assert!(print.body.contains(wanted), "{wanted} in the print view");
    }

    let lines = audit_lines(&server.data);
    let statuses = audited(&server.data, "status");
    assert_eq!(statuses.len(), 3, "{lines:?}");
    assert!(
        statuses
            .iter()
            .all(|f| f[1] == "Budi Santoso" && f[3] == ticket)
    );
    assert_eq!(statuses[2][4], "selesai");
    assert_eq!(audited(&server.data, "attachment")[0][4], "ktp");
    assert_eq!(audited(&server.data, "print").len(), 1);
    let log = lines.join("\n");
    for personal in [
        "Siti",
        NIK,
        "3517 0152",
        "0812",
        "Keripik",
        "Pembukuan",
        "Jombang",
    ] {
        assert!(
            !log.contains(personal),
            "{personal} in the audit log:\n{log}"
        );
    }
    // Nor in the server's own log.
    let server_log = server.stderr_now();
    assert!(server_log.contains("loket::desk"), "the desk's access log");
    for personal in ["Siti", NIK, "Pembukuan"] {
        assert!(
            !server_log.contains(personal),
            "{personal} in the server log"
        );
    }
}

/// Two staff change one case at once: the second, sent from the page as it
/// was before the first change, is refused with who changed it and the case
/// as it is now; nothing is overwritten. A hand edit in between counts too.
#[tokio::test]
async fn a_change_from_a_page_that_is_out_of_date_is_refused() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    assert!(
        add_staff(&server.data, "Siti Rahayu", PASSWORD)
            .status
            .success()
    );
    let ticket = submit(&server).await;
    let path = format!("/kasus/{ticket}/");
    let mut budi = DeskClient::signed_in(&server, "Budi").await;
    let mut siti = DeskClient::signed_in(&server, "Siti Rahayu").await;
    let budi_page = budi.get(&path).await;
    let siti_page = siti.get(&path).await;
    assert_eq!(budi_page.hidden("versi"), siti_page.hidden("versi"));

    let first = step(
        &mut siti,
        &siti_page,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "tidak-lengkap")],
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let after_first = fs::read(record_path(&server.data, &ticket)).unwrap();
    let second = step(
        &mut budi,
        &budi_page,
        &ticket,
        &[("langkah", "ditolak"), ("catatan", "Bukan usaha mikro")],
    )
    .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert!(
        second
            .body
            .contains("Kasus ini baru saja diubah oleh Siti Rahayu"),
        "{}",
        second.body
    );
    assert!(second.body.contains("Diperiksa"), "the new state is shown");
    assert!(
        second.body.contains("Bukan usaha mikro</textarea>"),
        "what Budi typed is kept"
    );
    assert_eq!(
        fs::read(record_path(&server.data, &ticket)).unwrap(),
        after_first,
        "nothing written"
    );
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["status"].as_str(), Some("diperiksa"));
    assert_eq!(record["history"].as_sequence().unwrap().len(), 1);

    // The page it sent back carries the new version: a deliberate retry works.
    let again = step(
        &mut budi,
        &second,
        &ticket,
        &[("langkah", "ditolak"), ("catatan", "Bukan usaha mikro")],
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);

    // A hand edit after the page was loaded: refused too.
    let ticket = submit_other(&server).await;
    let path = format!("/kasus/{ticket}/");
    let page = budi.get(&path).await;
    let file = record_path(&server.data, &ticket);
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, format!("{text}# catatan tangan\n")).unwrap();
    let refused = step(
        &mut budi,
        &page,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "lengkap")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("baru saja diubah oleh orang lain"));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        format!("{text}# catatan tangan\n")
    );
}

/// A second submission with other text (an identical post gets the first ticket).
async fn submit_other(server: &Server) -> String {
    use crate::common::form::{jpeg, permohonan_text};
    let form = permohonan_text(&[("uraian", Some("Permohonan kedua."))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(2048, 2),
    );
    let response = crate::common::submit::post_multipart(
        &client(),
        &server.url(crate::common::form::PERMOHONAN),
        form,
    )
    .await;
    ticket_from(response).await
}

/// A meeting is scheduled with date, time and place; a PDF attachment is a
/// download; purged attachments are gone (410); unknown tickets are 404.
#[tokio::test]
async fn meetings_pdfs_purged_files_and_unknown_cases() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let ticket = "KP-20261102-CDFH";
    let path = write_record(
        &server.data,
        ticket,
        "2026-11-02T09:00:00+07:00",
        "diperiksa",
        "Ani",
        "2026-11-09",
        "2026-11-09",
        "",
    );
    let pdf = crate::common::form::pdf(1000, 7);
    let dir = path.with_extension("");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("dokumen_1.pdf"), &pdf).unwrap();
    let text = fs::read_to_string(&path).unwrap().replace(
        "attachments: []",
        "attachments:\n- field: dokumen_1\n  stored_name: dokumen_1.pdf\n  original_name: surat.pdf\n  size: 1000\n  type: application/pdf\n  sha256: x",
    );
    fs::write(&path, text).unwrap();
    let case = format!("/kasus/{ticket}/");
    let page = desk.get(&case).await;
    assert!(page.body.contains("(PDF)"), "{}", page.body);
    let file = desk.get(&format!("{case}lampiran/dokumen_1.pdf")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), "application/pdf");
    assert!(
        file.header("content-disposition")
            .starts_with("attachment; filename=")
    );
    assert_eq!(file.bytes, pdf);

    let bad = step(
        &mut desk,
        &page,
        ticket,
        &[
            ("langkah", "pertemuan-dijadwalkan"),
            ("tanggal", "2026-11-05"),
            ("jam", "25:00"),
            ("tempat", "Kantor"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Jadwal pertemuan belum benar"));
    let set = step(
        &mut desk,
        &page,
        ticket,
        &[
            ("langkah", "pertemuan-dijadwalkan"),
            ("tanggal", "2026-11-05"),
            ("jam", "10:00"),
            ("tempat", "Kantor Dinas, ruang 2"),
            // A meeting in the past is asked about first (desk::messages).
            ("yakin", "ya"),
        ],
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let record = load_record(&server.data, ticket);
    let meeting = &record["history"][0]["meeting"];
    assert_eq!(meeting["at"].as_str(), Some("2026-11-05 10:00"));
    assert_eq!(meeting["place"].as_str(), Some("Kantor Dinas, ruang 2"));

    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}attachments_purged: 2026-11-20\n")).unwrap();
    let gone = desk.get(&format!("{case}lampiran/dokumen_1.pdf")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(!gone.bytes.starts_with(b"%PDF"));

    for missing in [
        "/kasus/KP-20261102-WXYZ/",
        "/kasus/bukan-tiket/",
        "/kasus/KP-20261102-CDFH/entah/",
    ] {
        let page = desk.get(missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(page.body.contains("lang=\"id\""));
    }
}

/// A case filed in the wrong form is moved to the other form from its page,
/// as `loket status --kind` does: the reason and the form are required, the
/// deadlines are the other form's, and the history says where it came from.
#[tokio::test]
async fn a_case_filed_in_the_wrong_form_is_moved_to_the_other_kind() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let ticket = submit(&server).await;
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert!(
        page.body.contains("Pindahkan ke formulir lain"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("kasus ini menjadi Keluhan, saran, dan masukan")
    );
    // With one other form, the page names it in a hidden field.
    assert!(
        page.body
            .contains("<input type=\"hidden\" name=\"formulir\" value=\"pengaduan-layanan\">"),
        "{}",
        page.body
    );

    let no_reason = step(&mut desk, &page, &ticket, &[("langkah", "pindah")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Tulis alasan pemindahan"));
    assert_eq!(load_record(&server.data, &ticket)["kind"], "permohonan");

    let nowhere = step(
        &mut desk,
        &page,
        &ticket,
        &[
            ("langkah", "pindah"),
            ("catatan", "Isinya keluhan tentang pelayanan kantor."),
        ],
    )
    .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.body.contains("Pilih formulir tujuan pemindahan"));
    let moved = step(
        &mut desk,
        &page,
        &ticket,
        &[
            ("langkah", "pindah"),
            ("formulir", "pengaduan-layanan"),
            ("catatan", "Isinya keluhan tentang pelayanan kantor."),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        moved.header("location"),
        format!("/kasus/{ticket}/?diubah=pengaduan-layanan")
    );
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["kind"], "pengaduan-layanan");
    assert_eq!(
        record["status"], "baru",
        "a move is not a step of the procedure"
    );
    assert!(
        record["completion_due"].is_null(),
        "a complaint has a response term only"
    );
    let last = &record["history"][record["history"].as_sequence().unwrap().len() - 1];
    assert_eq!(last["moved_from"], "permohonan");
    assert_eq!(last["by"], "Budi");

    let page = desk.get(&format!("{path}?diubah=pengaduan-layanan")).await;
    assert!(
        page.body
            .contains("Kasus ini sekarang: Keluhan, saran, dan masukan")
    );
    assert!(page.body.contains("Dipindah dari"), "{}", page.body);
    let audit = fs::read_dir(server.data.join("audit"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(audit.contains("dipindah ke pengaduan-layanan"), "{audit}");
}
