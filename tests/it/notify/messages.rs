//! A message to the citizen without a step (issue 27): sent from the desk
//! or with `loket status --public-note` alone, it is in the history with
//! who sent it, on `/cek-status/`, in the citizen's mail and the audit
//! log, and the status stays as it was.

use reqwest::StatusCode;

use super::*;
use crate::common::case::*;
use crate::common::smtp::{self, SmtpServer};
use crate::common::stdout;
use crate::common::submit::load_record;
use crate::desk::{DeskClient, PASSWORD, add_staff, audited};

const MESSAGE: &str = "Berkas Anda sedang kami teliti; mohon ditunggu sampai Jumat.";

#[tokio::test]
async fn a_message_from_the_desk_is_told_without_changing_the_step() {
    if smtp::unavailable("notify: a message from the desk") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let ticket = sent.ticket.clone();
    let code = code_of(&server, &sent).await;
    relay.wait_for(2, PATIENCE);

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert!(
        page.body.contains("Kirim pesan ke pemohon"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("action=\"/kasus/{ticket}/pesan/\""))
    );
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let (url, v, text) = (format!("/kasus/{ticket}/pesan/"), version.clone(), MESSAGE);

    // Without the CSRF token, or empty: nothing is written.
    let forged = desk
        .post(&url, &[("csrf", "salah"), ("versi", &v), ("pesan", text)])
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER, "{}", forged.body);
    let empty = desk
        .post(&url, &[("csrf", &csrf), ("versi", &v), ("pesan", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Tulis pesan untuk pemohon."),
        "{}",
        empty.body
    );
    assert!(
        load_record(&server.data, &ticket)["history"]
            .as_sequence()
            .is_none_or(|h| h.is_empty())
    );

    let done = desk
        .post(&url, &[("csrf", &csrf), ("versi", &v), ("pesan", text)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The history has it, with who sent it; the step is the same.
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["status"].as_str(), Some("baru"));
    let history = record["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["by"].as_str(), Some("Ani"));
    assert_eq!(history[0]["message"].as_bool(), Some(true));
    assert_eq!(history[0]["public_note"].as_str(), Some(MESSAGE));
    assert!(record.get("first_response_at").is_none());
    let page = desk.get(&format!("{path}?pesan=1")).await;
    assert!(
        page.body.contains("status kasus tidak berubah"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Pesan untuk pemohon (status tetap: "),
        "{}",
        page.body
    );

    // A second message from the page as it was before: the record changed.
    let stale = desk
        .post(
            &url,
            &[("csrf", &csrf), ("versi", &version), ("pesan", "lagi")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("baru saja diubah oleh Ani"));

    // Mailed to the citizen, with nothing personal in it.
    let mails = relay.wait_for(3, PATIENCE);
    let mail = &mails[2];
    assert_eq!(mail.rcpt_to, ["siti@contoh.id"]);
    assert_eq!(
        mail.subject,
        format!("Permohonan {ticket}: pesan dari petugas")
    );
    assert!(mail.body.contains(MESSAGE), "{}", mail.body);
    assert!(mail.body.contains("(tidak berubah)"), "{}", mail.body);
    assert_no_personal_data(mail);

    // Audited as a message, without its text.
    let lines = audited(&server.data, "message");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (lines[0][1].as_str(), lines[0][3].as_str()),
        ("Ani", ticket.as_str())
    );
    assert!(!lines[0].join("\t").contains("teliti"), "{lines:?}");

    // On /cek-status/.
    let (status, _, page) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("Pesan dari petugas: {MESSAGE}")),
        "{page}"
    );
    assert!(page.contains("Sudah diterima, menunggu diperiksa petugas"));

    // The command line sends one the same way.
    let out = staff_step(
        &server,
        &ticket,
        &["--public-note", "Mohon siapkan nota pembelian."],
    );
    assert!(
        stdout(&out).contains("pesan untuk pemohon dicatat; status tetap baru"),
        "{}",
        stdout(&out)
    );
    let mails = relay.wait_for(4, PATIENCE);
    assert!(mails[3].body.contains("Mohon siapkan nota pembelian."));
    assert_eq!(audited(&server.data, "message").len(), 2);
    assert_eq!(
        load_record(&server.data, &ticket)["status"].as_str(),
        Some("baru")
    );
}
