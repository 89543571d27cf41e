//! The mail settings: checked by `loket config` as at start; the password
//! only from a private file, never in a URL, the environment or an error;
//! never sent in clear text to another machine; and mail off without them.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;
use crate::common::case::*;
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer, TestCa};
use crate::common::*;

/// A password file with `text` and `mode` in `dir`.
fn password_file(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let file = dir.join("smtp-password");
    fs::write(&file, text).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
    file
}

/// `loket config` on `yaml`, without any LOKET_ variable of the test's.
fn config(yaml: &Path) -> std::process::Output {
    loket()
        .args(["config", "--config", yaml.to_str().unwrap()])
        .env_remove("LOKET_SMTP_PASSWORD")
        .env_remove("LOKET_SMTP_URL")
        .output()
        .unwrap()
}

#[test]
fn the_smtp_password_comes_from_a_private_file_alone_and_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("loket.yaml");

    // In loket.yaml: refused, with its line.
    fs::write(
        &yaml,
        "addr: 127.0.0.1:0\nsmtp_url: smtp://loket:rahasia@relay.contoh.go.id:587?tls=required\n",
    )
    .unwrap();
    let out = config(&yaml);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("loket.yaml:2: smtp_url: no password in smtp_url"),
        "{said}"
    );
    assert!(said.contains("smtp_password_file"), "{said}");
    assert!(!said.contains("rahasia"), "{said}");

    // In the environment's or the flag's URL: refused as well, and no
    // error repeats the URL, however it is wrong.
    fs::write(&yaml, "mail_from: loket@contoh.go.id\n").unwrap();
    for url in [
        "smtp://loket:rahasia@relay.contoh.go.id:587?tls=required",
        "smtp://loket:rahasia@relay.contoh.go.id:99999",
        "smpt://loket:rahasia@relay.contoh.go.id:587",
    ] {
        let out = loket()
            .args(["config", "--config", yaml.to_str().unwrap()])
            .env("LOKET_SMTP_URL", url)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(said.contains("smtp_url"), "{url}: {said}");
        assert!(!said.contains("rahasia"), "{url}: {said}");
        let out = run(&["serve", "--root", "/nonexistent", "--smtp-url", url]);
        assert!(!out.status.success(), "{url}");
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!said.contains("rahasia"), "{url}: {said}");
    }

    // LOKET_SMTP_PASSWORD: refused, pointing to the file.
    fs::write(
        &yaml,
        "smtp_url: smtp://loket@relay.contoh.go.id:587?tls=required\nmail_from: loket@contoh.go.id\n",
    )
    .unwrap();
    let out = loket()
        .args(["config", "--config", yaml.to_str().unwrap()])
        .env("LOKET_SMTP_PASSWORD", "lainnya")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("LOKET_SMTP_PASSWORD is set: loket takes the SMTP password only from a file (smtp_password_file"),
        "{said}"
    );
    assert!(!said.contains("lainnya"), "{said}");

    // From a private file: checked by `loket config`, and masked.
    let secret = password_file(dir.path(), "rahasia\n", 0o600);
    fs::write(
        &yaml,
        format!(
            "smtp_url: smtp://loket@relay.contoh.go.id:587?tls=required\nsmtp_password_file: {}\nmail_from: loket@contoh.go.id\ndesk_url: https://meja.contoh.go.id\nnotify_to:\n  - a@contoh.go.id\n  - b@contoh.go.id\n",
            secret.display()
        ),
    )
    .unwrap();
    let out = config(&yaml);
    let shown = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!shown.contains("rahasia"), "{shown}");
    assert!(
        shown.contains("smtp_url: smtp://loket@relay.contoh.go.id:587?tls=required  # loket.yaml"),
        "{shown}"
    );
    assert!(
        shown.contains("# SMTP password: ******** (smtp_password_file, checked)"),
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

    // A file others can read, an empty one, a missing one: `loket config`
    // says so (and fails), as the server does at start.
    for (text, mode, problem) in [
        ("rahasia\n", 0o644, "can be read by other users (mode 644)"),
        ("rahasia\n", 0o640, "can be read by other users (mode 640)"),
        ("\n", 0o600, "is empty"),
    ] {
        password_file(dir.path(), text, mode);
        let out = config(&yaml);
        assert!(!out.status.success(), "{mode:o}");
        let said = stderr(&out);
        assert!(
            said.contains(&format!(
                "smtp_password_file {}: {problem}",
                secret.display()
            )),
            "{said}"
        );
        assert!(!said.contains("rahasia"), "{said}");
    }
    fs::remove_file(&secret).unwrap();
    let said = stderr(&config(&yaml));
    assert!(
        said.contains(&format!(
            "smtp_password_file {}: does not exist",
            secret.display()
        )),
        "{said}"
    );

    // At start: the same checks; and mail without a sender is refused.
    let site = TempSite::fixture();
    password_file(dir.path(), "rahasia\n", 0o644);
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
        "--desk-url",
        "https://meja.contoh.go.id",
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
fn a_password_is_never_sent_in_clear_text_to_another_machine() {
    let dir = tempfile::tempdir().unwrap();
    let secret = password_file(dir.path(), "rahasia\n", 0o600);
    let yaml = dir.path().join("loket.yaml");
    let settings = |url: &str| {
        fs::write(
            &yaml,
            format!(
                "smtp_url: {url}\nsmtp_password_file: {}\nmail_from: loket@contoh.go.id\ndesk_url: https://meja.contoh.go.id\n",
                secret.display()
            ),
        )
        .unwrap();
    };
    for url in [
        "smtp://loket@smtp.example.go.id:587",
        "smtp://loket@smtp.example.go.id:587?tls=opportunistic",
        "smtp://loket@10.1.2.3:25",
    ] {
        settings(url);
        let out = config(&yaml);
        assert!(!out.status.success(), "{url}");
        let said = stderr(&out);
        assert!(
            said.contains("is not on this machine and smtp_url does not require TLS, so the password would cross the network in clear text"),
            "{url}: {said}"
        );
        // And at start: the server does not run.
        let site = TempSite::fixture();
        let out = loket()
            .args(["serve", "--config", yaml.to_str().unwrap()])
            .args(["--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .env_remove("LOKET_SMTP_PASSWORD")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        assert!(stderr(&out).contains("clear text"), "{}", stderr(&out));
    }
    for url in [
        "smtp://loket@smtp.example.go.id:587?tls=required",
        "smtps://loket@smtp.example.go.id:465",
        "smtp://loket@127.0.0.1:25",
        "smtp://loket@localhost:25",
    ] {
        settings(url);
        let out = config(&yaml);
        assert!(out.status.success(), "{url}: {}", stderr(&out));
    }
}

#[tokio::test]
async fn the_password_goes_to_the_relay_over_starttls_and_the_mail_arrives() {
    if smtp::unavailable_tls("notify: AUTH over STARTTLS") {
        return;
    }
    let ca = TestCa::new();
    let relay = SmtpServer::start_tls(&ca, "rahasia-smtp");
    let dir = tempfile::tempdir().unwrap();
    let secret = password_file(dir.path(), "rahasia-smtp\n", 0o400);
    let url = format!("smtp://loket@127.0.0.1:{}?tls=required", relay.port);
    let mut command = loket();
    // The relay's certificate is trusted as a national CA would be: in
    // the system's store, which SSL_CERT_FILE stands in for here.
    command
        .env("SSL_CERT_FILE", ca.ca())
        .env_remove("LOKET_SMTP_PASSWORD");
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let server = Server::launch_with(
        command,
        site,
        data,
        &[
            "--rate-limit",
            "0",
            "--smtp-url",
            &url,
            "--smtp-password-file",
            secret.to_str().unwrap(),
            "--mail-from",
            "loket@contoh.go.id",
            "--notify-to",
            "petugas@contoh.go.id",
            "--desk-url",
            "https://meja.contoh.go.id",
            "--digest-at",
            "off",
        ],
    );
    let sent = send_request(&server, None).await;
    let mails = relay.wait_for(1, PATIENCE);
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].auth_login.as_deref(), Some("loket"));
    assert!(
        mails[0].subject.contains(&sent.ticket),
        "{}",
        mails[0].subject
    );
    let (_, log) = server.stop();
    assert!(!log.contains("rahasia"), "{log}");
}

#[test]
fn without_mail_settings_loket_says_once_that_mail_is_off() {
    let server = Server::start();
    let (_, log) = server.stop();
    assert_eq!(log.matches("mail is off").count(), 1, "{log}");
}

#[test]
fn mail_needs_a_public_base_url_and_the_desk_url() {
    let site = TempSite::fixture();
    // Refused at start; a server that starts instead is stopped after a
    // minute and fails the test (it would serve until stopped).
    let serve = |extra: &[&str]| {
        let mut child = loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .args(["--desk-addr", "127.0.0.1:0", "--data"])
            .arg(site.root().join("data"))
            .args(["--smtp-url", "smtp://127.0.0.1:1"])
            .args(["--mail-from", "loket@contoh.go.id"])
            .args(extra)
            .env_remove("LOKET_SMTP_PASSWORD")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let limit = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > limit {
                child.kill().unwrap();
                let out = child.wait_with_output().unwrap();
                panic!("serve started with mail: {}", stderr(&out));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    // The fixture's base_url is http://127.0.0.1:8080: citizens' links would point here.
    let out = serve(&["--desk-url", "https://meja.contoh.go.id"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "mail: smtp_url is set but the site's base_url http://127.0.0.1:8080 is this machine"
        ),
        "{}",
        stderr(&out)
    );
    site.settle_config();
    let out = serve(&[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("smtp_url is set but desk_url is not"),
        "{}",
        stderr(&out)
    );
}
