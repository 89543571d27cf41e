//! A new access code from the desk, for a citizen who lost theirs.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::case::*;
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::load_record;
use crate::desk::{DeskClient, PASSWORD, add_staff, audited};

/// The new code on the desk's answer ("KXM4 7PRT").
fn new_code_on(page: &str) -> Option<String> {
    let marker = "Kode akses baru: <strong class=\"ticket\">";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].to_string())
}

#[tokio::test]
async fn staff_issue_a_new_code_after_checking_the_caller_and_the_old_one_stops_working() {
    if smtp::unavailable("a new access code and its mail") {
        return;
    }
    let relay = SmtpServer::start();
    let smtp_url = format!("smtp://127.0.0.1:{}", relay.port);
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--smtp-url",
        &smtp_url,
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]);
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let old = code_of(&server, &sent).await;
    let ticket = sent.ticket.clone();
    let receipt_mail = relay.wait_for(1, Duration::from_secs(60));
    assert_eq!(receipt_mail.len(), 1);
    let hash_before = load_record(&server.data, &ticket)["access_code_hash"].clone();

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert!(
        page.body.contains(&format!(
            "<form method=\"post\" action=\"/kasus/{ticket}/kode/\">"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("Identitas penelepon sudah saya periksa"));
    let csrf = page.csrf();
    let code_path = format!("/kasus/{ticket}/kode/");

    // Without the check, or without the session's token: nothing changes.
    let unchecked = desk.post(&code_path, &[("csrf", &csrf)]).await;
    assert_eq!(unchecked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchecked.body.contains("Periksa dulu identitas penelepon"));
    assert_eq!(new_code_on(&unchecked.body), None);
    let forged = desk.post(&code_path, &[("identitas", "ya")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(
        load_record(&server.data, &ticket)["access_code_hash"],
        hash_before
    );
    assert_eq!(
        desk.get(&code_path).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    // Checked: the new code, shown once, to read out or send by WhatsApp.
    let issued = desk
        .post(&code_path, &[("csrf", &csrf), ("identitas", "ya")])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_eq!(issued.header("cache-control"), "no-store");
    let new = new_code_on(&issued.body).expect("the new code on the page");
    assert_ne!(new, old);
    assert!(issued.body.contains("hanya ditampilkan sekali"));
    let links: Vec<&str> = issued
        .body
        .split("href=\"https://wa.me/6281234567890?text=")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(
        links.iter().any(|l| l.contains(&new.replace(' ', "%20"))),
        "no WhatsApp link with the code: {links:?}"
    );
    assert!(issued.body.contains("dikirim ke alamat surel pemohon"));
    // The case page shows it no more.
    let later = desk.get(&path).await;
    assert_eq!(new_code_on(&later.body), None);

    // The old code stops working; the new one opens the case.
    let (status, _, _) = look_up(&server, &ticket, &old, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, page) = look_up(&server, &ticket, &new, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let record =
        std::fs::read_to_string(crate::common::submit::record_path(&server.data, &ticket)).unwrap();
    assert!(!record.contains(&new.replace(' ', "")), "only its hash");

    // Audited with who issued it, never the code.
    let lines = audited(&server.data, "access-code");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0][1], "Ani");
    assert_eq!(lines[0][3], ticket);
    let log = crate::desk::audit_lines(&server.data).join("\n");
    assert!(!log.contains(&new.replace(' ', "")) && !log.contains(&new));

    // Mailed to the citizen's address.
    let mails = relay.wait_for(2, Duration::from_secs(60));
    let mail = mails
        .iter()
        .find(|m| m.subject == format!("Kode akses baru untuk permohonan {ticket}"))
        .unwrap_or_else(|| panic!("{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>()));
    assert_eq!(mail.rcpt_to, ["siti@contoh.id"]);
    assert!(
        mail.body.contains(&format!("Kode akses  : {new}")),
        "{}",
        mail.body
    );
    assert!(
        mail.body
            .contains("Kode akses yang lama tidak berlaku lagi")
    );
    let (_, log) = server.stop();
    assert!(!log.contains(&new.replace(' ', "")), "{log}");
}

#[tokio::test]
async fn loket_code_issues_a_new_code_from_the_command_line() {
    let server = Server::start();
    let sent = send_request(&server, None).await;
    let old = code_of(&server, &sent).await;
    let out = crate::common::loket()
        .arg("code")
        .arg(&sent.ticket)
        .arg("--root")
        .arg(server.site().root())
        .arg("--data")
        .arg(&server.data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prefix = format!("Kode akses baru untuk {}: ", sent.ticket);
    let new = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.get(..9))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string();
    let (status, _, _) = look_up(&server, &sent.ticket, &old, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = look_up(&server, &sent.ticket, &new, None).await;
    assert_eq!(status, StatusCode::OK);
    let lines = audited(&server.data, "access-code");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0][4].starts_with("cli"), "{lines:?}");
    // A ticket that is not there says so.
    let out = crate::common::loket()
        .args(["code", "KP-20261127-CDFH", "--data"])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
