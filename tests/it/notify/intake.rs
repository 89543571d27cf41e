//! A new case: staff are told and the citizen gets a receipt, neither with
//! personal data; with the relay down submissions go on, and every message
//! arrives once across a restart.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::*;
use crate::common::case::*;
use crate::common::form::NIK;
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};

#[tokio::test]
async fn staff_are_told_of_a_new_case_and_the_citizen_gets_a_receipt_without_personal_data() {
    if smtp::unavailable("notify: new case and receipt") {
        return;
    }
    let relay = SmtpServer::start();
    let server = start_mailing(relay.port);
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let ticket = sent.ticket.clone();
    let mails = relay.wait_for(2, PATIENCE);
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let staff = mails.iter().find(|m| m.rcpt_to.len() == 2).unwrap();
    let citizen = mails.iter().find(|m| m.rcpt_to.len() == 1).unwrap();

    assert_eq!(
        staff.rcpt_to,
        ["petugas@contoh.go.id", "kabid@contoh.go.id"]
    );
    assert_eq!(staff.mail_from, "loket@contoh.go.id");
    assert!(
        staff.subject.starts_with(&format!(
            "Permohonan baru {ticket} — selesai paling lambat "
        )),
        "{}",
        staff.subject
    );
    assert!(
        staff
            .body
            .contains(&format!("https://meja.contoh.go.id/kasus/{ticket}/")),
        "{}",
        staff.body
    );
    assert!(!staff.message_id.is_empty());
    assert_no_personal_data(staff);

    assert_eq!(citizen.rcpt_to, ["siti@contoh.id"]);
    assert_eq!(citizen.subject, format!("Tanda terima permohonan {ticket}"));
    assert_eq!(citizen.reply_to, "dinkopum@jombangkab.go.id");
    assert_no_personal_data(citizen);
    // The receipt mail has the code the confirmation page shows once.
    let shown = code_of(&server, &sent).await;
    assert!(
        citizen.body.contains(&format!("Kode akses  : {shown}")),
        "{shown}:\n{}",
        citizen.body
    );
    assert!(citizen.body.contains("/cek-status/"), "{}", citizen.body);
    let (status, _, page) = look_up(&server, &ticket, &shown, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // Sent mail leaves the outbox; nothing personal or secret in the log.
    wait_sent(&server.data);
    let (_, log) = server.stop();
    for secret in [
        NIK,
        "siti@contoh.id",
        shown.as_str(),
        &shown.replace(' ', ""),
    ] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    assert!(log.contains("mail on: through 127.0.0.1:"), "{log}");
}

#[tokio::test]
async fn with_the_relay_down_submissions_go_on_and_every_message_arrives_once_across_a_restart() {
    if smtp::unavailable("notify: relay down, restart") {
        return;
    }
    let mut relay = SmtpServer::down();
    let port = relay.port;
    let server = start_mailing(port);
    let mut tickets = Vec::new();
    let started = Instant::now();
    for _ in 0..12 {
        tickets.push(send_request_varied(&server, tickets.len()).await.ticket);
    }
    let first_round = started.elapsed();
    assert_eq!(outbox(&server.data).len(), 12, "one staff message each");
    // A crash with everything still queued, and more after the restart.
    let site = server.kill();
    let data = site.root().join("data");
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::launch(site, data, &args);
    let restarted = Instant::now();
    for _ in 0..3 {
        tickets.push(send_request_varied(&server, tickets.len()).await.ticket);
    }
    assert_eq!(outbox(&server.data).len(), 15);
    eprintln!("12 submissions with the relay down took {first_round:?}");

    relay.restart();
    // The sender tries the relay again after 2 s, 4 s, 8 s…: the next try
    // comes at most as long after the relay is up as the server had run.
    let patience = PATIENCE + restarted.elapsed();
    let mails = relay.wait_for(15, patience);
    // Once the outbox is empty, nothing more can come.
    wait_sent(&server.data);
    let mails = if relay.received().len() > mails.len() {
        relay.received()
    } else {
        mails
    };
    let mut per_ticket: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &mails {
        let ticket = tickets
            .iter()
            .find(|t| mail.subject.contains(t.as_str()))
            .unwrap_or_else(|| panic!("unknown mail {}", mail.subject));
        *per_ticket.entry(ticket.clone()).or_default() += 1;
    }
    assert_eq!(per_ticket.len(), 15, "{per_ticket:?}");
    assert!(per_ticket.values().all(|&n| n == 1), "{per_ticket:?}");
    let (_, log) = server.stop();
    assert!(log.contains("not sent"), "failures are logged:\n{log}");
}

/// The valid request, made different by `n` (a resend would get the
/// first's ticket).
async fn send_request_varied(server: &Server, n: usize) -> Sent {
    let form = crate::common::form::permohonan_text(&[(
        "uraian",
        Some(&format!("Mohon konsultasi pemasaran nomor {n}.")),
    )])
    .file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &crate::common::form::jpeg(2048, 100 + n as u32),
    );
    sent(
        crate::common::submit::post_multipart(
            &crate::common::submit::client(),
            &server.url("/permohonan/"),
            form,
        )
        .await,
    )
    .await
}

/// A site's `templates/mail/NAME` is what the citizen reads (the staff's
/// message stays loket's), and a reload (SIGHUP) reads it again.
#[tokio::test]
async fn a_sites_mail_template_replaces_loket_s_and_a_reload_reads_it_again() {
    if smtp::unavailable("notify: a site's mail template") {
        return;
    }
    let relay = SmtpServer::start();
    let site = crate::common::TempSite::fixture();
    let receipt = |mark: &str| {
        format!(
            "Kiriman {{{{ case.ticket }}}} diterima ({mark})\n\nKode akses {{{{ code }}}}. Salam, {{{{ office.name }}}}.\n"
        )
    };
    site.write("templates/mail/warga-tanda-terima.txt", receipt("v1"));
    site.write(
        "templates/mail/warga-langkah.txt",
        "Kiriman {{ case.ticket }}: {{ step.words }} (situs)\n\n{{ step.outcome }}\n",
    );
    let data = site.root().join("data");
    let args = mail_args(relay.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::launch(site, data, &args);

    let first = send_request(&server, Some("siti@contoh.id")).await;
    let mails = relay.wait_for(2, PATIENCE);
    let citizen = mails.iter().find(|m| m.rcpt_to.len() == 1).unwrap();
    assert_eq!(
        citizen.subject,
        format!("Kiriman {} diterima (v1)", first.ticket)
    );
    let code = code_of(&server, &first).await;
    assert!(
        citizen
            .body
            .contains(&format!("Kode akses {code}. Salam, Dinas Koperasi")),
        "{}",
        citizen.body
    );
    assert_no_personal_data(citizen);
    let staff = mails.iter().find(|m| m.rcpt_to.len() == 2).unwrap();
    assert!(
        staff.subject.starts_with("Permohonan baru "),
        "{}",
        staff.subject
    );
    // `loket status` queues the step's mail in the site's words too.
    staff_step(
        &server,
        &first.ticket,
        &["ditolak", "--note", "Bukan wewenang dinas."],
    );
    let mails = relay.wait_for(3, PATIENCE);
    assert!(
        mails[2]
            .subject
            .starts_with(&format!("Kiriman {}: ", first.ticket))
            && mails[2].subject.ends_with(" (situs)"),
        "{}",
        mails[2].subject
    );
    assert_eq!(mails[2].body.trim(), "Bukan wewenang dinas.");

    // A new version of the template, and a page edit to see the reload by.
    server
        .site()
        .write("templates/mail/warga-tanda-terima.txt", receipt("v2"));
    let home = server.site().read("content/_index.md");
    server.site().write(
        "content/_index.md",
        home.replacen("title: \"Beranda\"", "title: \"Beranda v2\"", 1),
    );
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = Instant::now() + PATIENCE;
    while !reqwest::get(server.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains(">Beranda v2<")
    {
        assert!(Instant::now() < deadline, "the new build was never served");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Another submission (the same one again would be the first's ticket).
    let second = send_request(&server, Some("aminah@contoh.id")).await;
    assert_ne!(second.ticket, first.ticket);
    let mails = relay.wait_for(5, PATIENCE);
    let again = mails
        .iter()
        .find(|m| m.rcpt_to.len() == 1 && m.subject.contains(&second.ticket))
        .unwrap_or_else(|| panic!("{mails:#?}"));
    assert_eq!(
        again.subject,
        format!("Kiriman {} diterima (v2)", second.ticket)
    );
}
