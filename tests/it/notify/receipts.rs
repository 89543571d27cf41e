//! A form names any address: one address gets at most three receipts a
//! day, however many forms name it and however it is written; the
//! submissions past that are accepted all the same, and the log says so
//! without the address.

use super::*;
use crate::common::case::*;
use crate::common::form::{jpeg, permohonan_text};
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::{client, post_multipart, record_path};

/// Sends the valid request naming `email`, its text made unique by `n`
/// (the same form twice is one submission).
async fn send_naming(server: &Server, email: &str, n: usize) -> String {
    let uraian = format!("Mohon konsultasi pemasaran, kiriman ke-{n}.");
    let form = permohonan_text(&[("email", Some(email)), ("uraian", Some(&uraian))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(2048, 7),
    );
    sent(post_multipart(&client(), &server.url("/permohonan/"), form).await)
        .await
        .ticket
}

#[tokio::test]
async fn one_address_gets_three_receipts_a_day_however_many_forms_name_it() {
    if smtp::unavailable("notify: receipts per address") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    let written = [
        "siti@contoh.id",
        "Siti@Contoh.ID",
        "siti+loket@contoh.id",
        "SITI+lagi@contoh.id",
        "siti@contoh.id",
    ];
    let mut tickets = Vec::new();
    for (n, email) in written.iter().enumerate() {
        tickets.push(send_naming(&server, email, n).await);
    }
    // Every submission was accepted and stored.
    for ticket in &tickets {
        assert!(record_path(&server.data, ticket).is_file(), "{ticket}");
    }
    // Five staff notices and three receipts; the last two submissions'
    // receipts were never queued, so an empty outbox means all is sent.
    relay.wait_for(8, PATIENCE);
    wait_sent(&server.data);
    let mails = relay.received();
    assert_eq!(mails.len(), 8, "{mails:#?}");
    let receipts: Vec<&str> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Tanda terima"))
        .map(|m| m.subject.as_str())
        .collect();
    let expected: Vec<String> = tickets[..3]
        .iter()
        .map(|t| format!("Tanda terima permohonan {t}"))
        .collect();
    assert_eq!(receipts.len(), 3, "{receipts:?}");
    for subject in &expected {
        assert!(
            receipts.contains(&subject.as_str()),
            "{subject}: {receipts:?}"
        );
    }

    // Another address still gets its receipt.
    let other = send_naming(&server, "budi@contoh.id", 9).await;
    let mails = relay.wait_for(10, PATIENCE);
    assert!(
        mails
            .iter()
            .any(|m| m.subject == format!("Tanda terima permohonan {other}")
                && m.rcpt_to == ["budi@contoh.id"]),
        "{mails:#?}"
    );

    let (_, log) = server.stop();
    for ticket in &tickets[3..] {
        assert!(
            log.contains(&format!(
                "no receipt mail for {ticket}: its address was sent 3 receipts"
            )),
            "{log}"
        );
    }
    assert_eq!(log.matches("no receipt mail for").count(), 2, "{log}");
    assert!(!log.to_lowercase().contains("siti"), "{log}");
    assert!(!log.contains("@contoh.id"), "{log}");
}
