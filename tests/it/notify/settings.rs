//! The mail settings: checked, the password never in loket.yaml or shown,
//! and mail off without them.

use std::fs;

use crate::common::server::Server;
use crate::common::*;

#[test]
fn mail_settings_are_checked_and_secrets_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("loket.yaml");
    fs::write(
        &config,
        "addr: 127.0.0.1:0\nsmtp_url: smtp://loket:rahasia@relay.contoh.go.id:587?tls=required\n",
    )
    .unwrap();
    let out = run(&["config", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("loket.yaml:2: smtp_url: no password"),
        "{said}"
    );
    assert!(!said.contains("rahasia"), "{said}");

    // From the environment it is allowed, and masked.
    fs::write(
        &config,
        "notify_to:\n  - a@contoh.go.id\n  - b@contoh.go.id\n",
    )
    .unwrap();
    let out = loket()
        .args(["config", "--config", config.to_str().unwrap()])
        .env(
            "LOKET_SMTP_URL",
            "smtp://loket:rahasia@relay.contoh.go.id:587?tls=required",
        )
        .env("LOKET_SMTP_PASSWORD", "lainnya")
        .output()
        .unwrap();
    let shown = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !shown.contains("rahasia") && !shown.contains("lainnya"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "smtp_url: smtp://loket:********@relay.contoh.go.id:587?tls=required  # LOKET_SMTP_URL"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("# SMTP password: ******** (LOKET_SMTP_PASSWORD)"),
        "{shown}"
    );
    assert!(
        shown.contains("notify_to: [a@contoh.go.id, b@contoh.go.id]  # loket.yaml"),
        "{shown}"
    );
    assert!(
        shown.contains("digest_at: \"07:00\"  # default")
            || shown.contains("digest_at: 07:00  # default"),
        "{shown}"
    );

    // A password file others can read is refused; so is mail without a sender.
    let site = TempSite::fixture();
    let secret = dir.path().join("smtp-password");
    fs::write(&secret, "rahasia\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    let serve = |extra: &[&str]| {
        loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .args(extra)
            .env_remove("LOKET_SMTP_PASSWORD")
            .output()
            .unwrap()
    };
    let out = serve(&[
        "--smtp-url",
        "smtp://loket@127.0.0.1:1",
        "--mail-from",
        "loket@contoh.go.id",
        "--smtp-password-file",
        secret.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("can be read by other users (mode 644)"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("rahasia"));
    let out = serve(&["--smtp-url", "smtp://127.0.0.1:1"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("mail_from is not"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_mail_settings_loket_says_once_that_mail_is_off() {
    let server = Server::start();
    let (_, log) = server.stop();
    assert_eq!(log.matches("mail is off").count(), 1, "{log}");
}
