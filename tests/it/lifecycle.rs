//! `loket serve` starting and stopping: SIGTERM lets work in progress
//! finish; data folders that must not be used are refused untouched.

use std::fs;
use std::io::{self, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::TempSite;
use crate::common::form::*;
use crate::common::raw::*;
use crate::common::server::{PATIENCE, Server};
use crate::common::submit::*;
use reqwest::StatusCode;

// ---------------------------------------------------------------------------
// 7. Graceful shutdown
// ---------------------------------------------------------------------------

#[test]
fn sigterm_lets_an_upload_in_progress_finish_then_exits_zero() {
    let mut server = Server::start();
    // Larger than one write batch, so part of it is on disk while the rest is held back.
    let ktp = jpeg(1024 * 1024, 9);
    let form = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &ktp);
    let content_type = form.content_type();
    let body = form.finish();
    let (first, rest) = body.split_at(body.len() - 100 * 1024);

    let mut stream = connect(server.addr);
    stream
        .write_all(post_head(PERMOHONAN, &content_type, body.len()).as_bytes())
        .unwrap();
    stream.write_all(first).unwrap();

    // Wait until the server is streaming the KTP into a draft.
    let tmp = server.data.join(".tmp");
    let deadline = Instant::now() + PATIENCE;
    while !files_under(&tmp)
        .iter()
        .any(|p| p.to_string_lossy().contains("ktp"))
    {
        assert!(Instant::now() < deadline, "the upload never started");
        thread::sleep(Duration::from_millis(20));
    }

    server.terminate();
    // The listener closes: new connections are refused.
    let deadline = Instant::now() + PATIENCE;
    loop {
        match TcpStream::connect(server.addr) {
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => break,
            Err(e) => panic!("unexpected connect error {e}"),
            Ok(_) => {
                assert!(Instant::now() < deadline, "still accepting after SIGTERM");
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
    assert!(
        server.is_running(),
        "the server waits for the upload in progress"
    );

    stream.write_all(rest).unwrap();
    let response = read_response(&mut stream);
    let ticket = ticket_of(
        StatusCode::from_u16(response.status).unwrap(),
        &response.headers,
        &response.text(),
    );
    let status = server.wait_exit();
    assert!(status.success(), "exit status {status:?}");

    let record = load_record(&server.data, &ticket);
    let stored = assert_stored_file(&server.data, &ticket, "ktp.jpg", &ktp);
    assert_eq!(
        str_at(&record["attachments"][0], "sha256"),
        sha256_hex(&stored)
    );
}

#[test]
fn a_data_folder_that_would_be_published_is_refused() {
    let site = TempSite::fixture();
    for data in [site.out().join("data"), site.root().join("static/data")] {
        let out = crate::common::loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", data.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("overlaps"), "{err}");
        assert!(!data.exists(), "nothing created");
    }
}

/// A mistyped `--data` pointing at someone's folder: refused, with the
/// reason said once, and the folder left exactly as it was (no chmod, its
/// `.tmp/` kept). A folder others can read is refused too.
#[test]
fn a_folder_that_is_not_a_loket_data_folder_is_refused_and_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let site = TempSite::fixture();
    let shared = site.root().join("berkas-bersama");
    fs::create_dir_all(shared.join(".tmp")).unwrap();
    fs::write(shared.join(".tmp/draf.docx"), "punya orang").unwrap();
    fs::write(shared.join("laporan.xlsx"), "punya orang").unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o775)).unwrap();
    let before = crate::common::snapshot(&shared);
    let serve = |data: &std::path::Path| {
        crate::common::loket()
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(data)
            .output()
            .unwrap()
    };
    let out = serve(&shared);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a loket data folder"), "{err}");
    assert_eq!(
        err.matches("is not a loket data folder").count(),
        1,
        "said once: {err}"
    );
    assert_eq!(crate::common::snapshot(&shared), before, "nothing changed");
    assert_eq!(
        fs::metadata(&shared).unwrap().permissions().mode() & 0o777,
        0o775
    );

    let open = site.root().join("terbuka");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
    let out = serve(&open);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("can be read by other users"), "{err}");
    assert_eq!(fs::read_dir(&open).unwrap().count(), 0);
}
