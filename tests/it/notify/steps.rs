//! The citizen hears of the steps of their case: a meeting, a rejection,
//! the case completed, and a step on the desk with a message.

use reqwest::StatusCode;

use super::*;
use crate::common::case::*;
use crate::common::form::PHONE_E164;
use crate::common::smtp::{self, SmtpServer};
use crate::common::*;

#[tokio::test]
async fn the_citizen_hears_of_a_meeting_and_of_a_rejection_with_the_public_message() {
    if smtp::unavailable("notify: steps") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);
    // Checking the documents is no news to the citizen: no mail.
    staff_step(
        &server,
        &ticket,
        &[
            "diperiksa",
            "--berkas",
            "lengkap",
            "--note",
            "catatan internal A",
        ],
    );
    let out = staff_step(
        &server,
        &ticket,
        &[
            "pertemuan-dijadwalkan",
            "--meeting",
            "2027-01-06 10:00, Kantor Dinas Contoh",
            "--note",
            "catatan internal B",
            "--public-note",
            "Mohon bawa bukti pembelian.",
        ],
    );
    assert!(
        stdout(&out).contains("Surel untuk warga disiapkan"),
        "{}",
        stdout(&out)
    );
    let mails = relay.wait_for(3, PATIENCE);
    let meeting = &mails[2];
    assert_eq!(meeting.rcpt_to, ["siti@contoh.id"]);
    assert_eq!(
        meeting.subject,
        format!("Permohonan {ticket}: pertemuan sudah dijadwalkan")
    );
    assert!(
        meeting
            .body
            .contains("Waktu  : Rabu, 6 Januari 2027 pukul 10.00 WIB"),
        "{}",
        meeting.body
    );
    assert!(meeting.body.contains("Tempat : Kantor Dinas Contoh"));
    assert!(meeting.body.contains("Mohon bawa bukti pembelian."));
    staff_step(
        &server,
        &ticket,
        &[
            "ditolak",
            "--note",
            "Bukan wewenang dinas; silakan ke Disperindag.",
        ],
    );
    let mails = relay.wait_for(4, PATIENCE);
    let rejected = &mails[3];
    assert!(
        rejected
            .body
            .contains("Alasan: Bukan wewenang dinas; silakan ke Disperindag."),
        "{}",
        rejected.body
    );
    for mail in &mails {
        assert_no_personal_data(mail);
        assert!(!mail.raw.contains("catatan internal"), "{}", mail.raw);
    }
    // A citizen without an email gets nothing; staff still hear.
    let quiet = send_request(&server, None).await.ticket;
    let mails = relay.wait_for(5, PATIENCE);
    assert!(mails[4].subject.contains(&quiet));
    wait_sent(&server.data);
    // Nothing is queued for a citizen without email: the step says so at
    // once (it queues in its own process, or not at all).
    let step = staff_step(&server, &quiet, &["ditolak", "--note", "Ganda"]);
    assert!(!stdout(&step).contains("Surel untuk warga disiapkan"));
    assert!(outbox(&server.data).is_empty());
    assert_eq!(relay.received().len(), 5);
}

/// A completed case: the citizen is told it is done, with the result and
/// the staff's message, and nothing of the internal steps.
#[tokio::test]
async fn the_citizen_hears_that_the_case_is_completed_with_its_result() {
    if smtp::unavailable("notify: completed") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);
    // Checking and the consultation itself are no news: no mail is queued
    // (a step queues its mail in its own process before it returns).
    let checked = staff_step(&server, &ticket, &["diperiksa", "--berkas", "lengkap"]);
    let consulted = staff_step(
        &server,
        &ticket,
        &["konsultasi-diberikan", "--note", "catatan internal C"],
    );
    for step in [checked, consulted] {
        assert!(!stdout(&step).contains("Surel untuk warga disiapkan"));
    }
    staff_step(
        &server,
        &ticket,
        &[
            "selesai",
            "--note",
            "Dibantu mendaftar NIB lewat OSS.",
            "--public-note",
            "Sertifikat dapat diambil di kantor.",
        ],
    );
    let mails = relay.wait_for(3, PATIENCE);
    let done = &mails[2];
    assert_eq!(done.rcpt_to, ["siti@contoh.id"]);
    assert!(done.subject.contains(&ticket), "{}", done.subject);
    for part in [
        "sudah selesai ditangani",
        "Hasil: Dibantu mendaftar NIB lewat OSS.",
        "Sertifikat dapat diambil di kantor.",
    ] {
        assert!(done.body.contains(part), "{part} in\n{}", done.body);
    }
    assert!(!done.raw.contains("catatan internal"), "{}", done.raw);
    assert_no_personal_data(done);
    assert_eq!(relay.received().len(), 3, "three mails in all");
}

/// The desk works through the same mail: a step with a message for the
/// citizen queues their mail (the message in it, the internal note not),
/// the case page offers WhatsApp and `mailto:` replies prefilled with the
/// ticket and that message, and the history shows what the citizen was
/// told.
#[tokio::test]
async fn a_step_on_the_desk_with_a_message_tells_the_citizen() {
    use crate::desk::{DeskClient, PASSWORD, add_staff};
    if smtp::unavailable("notify: a step on the desk") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let ticket = send_request(&server, Some("siti@contoh.id")).await.ticket;
    relay.wait_for(2, PATIENCE);

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let done = desk
        .post(
            &format!("/kasus/{ticket}/"),
            &[
                ("csrf", csrf.as_str()),
                ("versi", version.as_str()),
                ("langkah", "diperiksa"),
                ("berkas", "tidak-lengkap"),
                ("catatan", "catatan internal C"),
                ("pesan", "Mohon kirim ulang foto KTP yang lebih jelas."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mails = relay.wait_for(3, PATIENCE);
    let step = &mails[2];
    assert_eq!(step.rcpt_to, ["siti@contoh.id"]);
    assert!(
        step.body
            .contains("Mohon kirim ulang foto KTP yang lebih jelas.")
    );
    assert!(!step.raw.contains("catatan internal"), "{}", step.raw);
    assert_no_personal_data(step);

    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let wa = format!(
        "href=\"https://wa.me/{}?text=",
        PHONE_E164.trim_start_matches('+')
    );
    assert!(page.body.contains(&wa), "{}", page.body);
    assert!(page.body.contains(&ticket));
    assert!(
        page.body
            .contains("href=\"mailto:siti@contoh.id?subject=Tiket%20"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Mohon%20kirim%20ulang%20foto%20KTP"),
        "prefilled"
    );
    assert!(
        page.body
            .contains("Pesan untuk pemohon:</strong> Mohon kirim ulang foto KTP")
    );
}
