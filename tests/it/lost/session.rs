//! A staff member whose session ended keeps what they typed: every page
//! states the timeout and carries the warning's script; a step or message
//! posted after the session ended is kept for that staff member and filled
//! in again after they sign in (not sent).

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::server::Server;
use crate::common::submit::load_record;
use crate::desk::{DeskClient, PASSWORD, add_staff, submit};

/// Seconds a session lasts unused in this test.
const IDLE: u64 = 4;

#[tokio::test]
async fn a_post_after_the_session_ended_is_kept_and_filled_in_after_signing_in_again() {
    let idle = IDLE.to_string();
    let server = Server::start_with(&["--rate-limit", "0", "--desk-idle-secs", &idle]);
    for name in ["Ani", "Budi"] {
        assert!(add_staff(&server.data, name, PASSWORD).status.success());
    }
    let ticket = submit(&server).await;
    let path = format!("/kasus/{ticket}/");
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let page = desk.get(&path).await;
    // Every page says when the session ends, and warns with a script.
    assert!(
        page.body.contains(&format!(
            "Sesi berakhir setelah {IDLE} detik tanpa aktivitas"
        )),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<script src=\"/aset/sesi.js\" defer></script>")
    );
    assert!(page.body.contains(&format!("data-idle-secs=\"{IDLE}\"")));
    let script = desk.get("/aset/sesi.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.header("content-type").starts_with("text/javascript"));
    assert!(script.body.contains("/sesi/") || script.body.contains("form.action"));
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    // The warning's button keeps the session going (the token required).
    let extended = desk.post("/sesi/", &[("csrf", &csrf)]).await;
    assert_eq!(extended.status, StatusCode::NO_CONTENT, "{}", extended.body);
    let forged = desk.post("/sesi/", &[("csrf", "0")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The session ends while Ani types.
    tokio::time::sleep(Duration::from_secs(IDLE + 2)).await;
    let note = "CATATAN-TERSIMPAN berkas dicek di loket";
    let step = desk
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("versi", &version),
                ("langkah", "diperiksa"),
                ("berkas", "lengkap"),
                ("catatan", note),
            ],
        )
        .await;
    assert_eq!(step.status, StatusCode::SEE_OTHER, "{}", step.body);
    let location = step.header("location").to_string();
    assert_eq!(
        location,
        format!("/masuk/?lanjut={}&tersimpan=1", path.replace('/', "%2F"))
    );
    let message = "PESAN-TERSIMPAN mohon bawa KTP asli";
    let sent = desk
        .post(
            &format!("{path}pesan/"),
            &[("csrf", &csrf), ("versi", &version), ("pesan", message)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // Without the session's token nothing is kept.
    let planted = desk
        .post(&format!("{path}pesan/"), &[("pesan", "DITANAM")])
        .await;
    assert_ne!(planted.status, StatusCode::SEE_OTHER);
    // Nothing was taken.
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["status"].as_str(), Some("baru"));
    let history = format!("{:?}", record["history"]);
    assert!(!history.contains("TERSIMPAN"), "{history}");
    let signin = desk.get(&location).await;
    assert!(
        signin.body.contains("Isian itu kami simpan"),
        "{}",
        signin.body
    );

    // Another staff member does not get it.
    let mut other = DeskClient::signed_in(&server, "Budi").await;
    let theirs = other.get(&path).await;
    assert!(!theirs.body.contains("TERSIMPAN"), "{}", theirs.body);

    // Ani signs in again and comes back to the case with the step filled
    // in, then (next load) the message: shown, not sent.
    let form = desk.get(&location).await;
    let (token, next) = (form.csrf(), form.hidden("lanjut"));
    let back = desk
        .post(
            "/masuk/",
            &[
                ("csrf", &token),
                ("nama", "Ani"),
                ("sandi", PASSWORD),
                ("lanjut", &next),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.header("location"), path);
    let again = desk.get(&path).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.body.contains("Isian Anda sudah dikembalikan"),
        "{}",
        again.body
    );
    assert!(again.body.contains(note), "{}", again.body);
    let again = desk.get(&path).await;
    assert!(again.body.contains(message), "{}", again.body);
    assert!(again.body.contains("Isian Anda sudah dikembalikan"));
    let plain = desk.get(&path).await;
    assert!(!plain.body.contains("TERSIMPAN"), "once");
    let record = load_record(&server.data, &ticket);
    assert_eq!(record["status"].as_str(), Some("baru"), "not sent");

    // Signed out, a post is not kept.
    let csrf = plain.csrf();
    let out = desk.post("/keluar/", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = desk
        .post(
            &format!("{path}pesan/"),
            &[("csrf", &csrf), ("pesan", "SETELAH-KELUAR")],
        )
        .await;
    assert_ne!(after.status, StatusCode::SEE_OTHER);
    let (_, log) = server.stop();
    assert!(!log.contains("TERSIMPAN") && !log.contains("SETELAH-KELUAR"));
}
