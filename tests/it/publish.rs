//! A running server picks up a new build without a restart, and a health
//! probe says whether it can take submissions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::common::server::Server;
use crate::common::skip::{is_root, skip};
use crate::common::*;
use reqwest::StatusCode;

/// The home page's title and a sentence of its text, each carrying a
/// version mark, so a response mixing two builds shows.
fn edit_home(server: &Server, version: &str) {
    let site = server.site();
    let text = site.read("content/_index.md");
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("title:") {
                format!("title: \"Beranda {version}\"")
            } else if l.starts_with("Situs ini memuat") {
                format!("Situs ini memuat ({version}) standar pelayanan.")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    site.write("content/_index.md", text + "\n");
}

/// The version a home page shows in its menu and its text; they must agree.
fn version_of(html: &str) -> String {
    let text = html
        .split("Situs ini memuat (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or("asli")
        .to_string();
    let menu = if html.contains(&format!(">Beranda {text}<")) {
        text.clone()
    } else if html.contains(">Beranda<") {
        "asli".to_string()
    } else {
        "?".to_string()
    };
    assert_eq!(menu, text, "a page from one build only:\n{html}");
    text
}

/// Fetches the home page without pause until told to stop; every answer
/// must be a whole page of one build. Returns the versions seen, in order,
/// and is told when it has seen the first.
fn hammer(
    base: String,
    stop: Arc<AtomicBool>,
) -> (
    tokio::task::JoinHandle<Vec<String>>,
    tokio::sync::oneshot::Receiver<()>,
) {
    let (first, first_seen) = tokio::sync::oneshot::channel();
    let mut first = Some(first);
    let load = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut seen: Vec<String> = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let response = client
                .get(format!("{base}/"))
                .send()
                .await
                .expect("no request fails");
            assert_eq!(response.status(), StatusCode::OK);
            let version = version_of(&response.text().await.unwrap());
            if seen.last() != Some(&version) {
                seen.push(version);
            }
            if let Some(first) = first.take() {
                let _ = first.send(());
            }
        }
        seen
    });
    (load, first_seen)
}

async fn wait_for(base: &str, version: &str) -> Duration {
    let started = Instant::now();
    loop {
        let html = reqwest::get(format!("{base}/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if version_of(&html) == version {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{version} never served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// On threads of its own, the hammer fetches while this test builds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_is_served_without_a_restart_and_never_mixed() {
    let server = Server::start();
    let stop = Arc::new(AtomicBool::new(false));
    let (load, first_seen) = hammer(server.base.clone(), stop.clone());
    first_seen.await.expect("the hammer saw the first build");

    // `loket build` by another process (a git hook, a timer).
    edit_home(&server, "v2");
    let out = server.site().build();
    assert!(out.status.success(), "{}", stderr(&out));
    let took = wait_for(&server.base, "v2").await;
    eprintln!("a new build was served {took:?} after it was written");

    // SIGHUP: the server builds itself.
    edit_home(&server, "v3");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    wait_for(&server.base, "v3").await;

    stop.store(true, Ordering::SeqCst);
    let seen = load.await.unwrap();
    assert_eq!(seen, ["asli", "v2", "v3"], "each build once, in order");
    // The form pages follow too: a 422 is rendered with the new build.
    let response = reqwest::Client::new()
        .post(server.url("/pengaduan-layanan/formulir/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nama=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains(">Beranda v3<"));
}

#[tokio::test]
async fn a_broken_edit_on_sighup_keeps_the_last_good_site() {
    let server = Server::start();
    server
        .site()
        .write("content/rusak.md", "---\ntitle: [\n---\n");
    std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server
        .stderr_now()
        .contains("still serving the last good site")
    {
        assert!(Instant::now() < deadline, "{}", server.stderr_now());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(server.stderr_now().contains("content/rusak.md:2:"));
    let response = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn healthz_says_ok_or_what_is_wrong() {
    let server = Server::start();
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.text().await.unwrap(), "ok\n");
    drop(server);

    // Asking for more free space than any test disk has.
    let server = Server::start_with(&["--rate-limit", "0", "--min-free-mb", "100000000"]);
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = response.text().await.unwrap();
    assert!(
        text.starts_with("free space ") && text.contains("below 100000000 MB"),
        "{text}"
    );
    drop(server);

    // A data folder that cannot be written (skipped as root, who may write anyway).
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let server = Server::start();
        std::fs::set_permissions(&server.data, std::fs::Permissions::from_mode(0o500)).unwrap();
        let response = reqwest::get(server.url("/healthz")).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.text().await.unwrap().contains("is not writable"));
        std::fs::set_permissions(&server.data, std::fs::Permissions::from_mode(0o700)).unwrap();
    } else {
        skip(
            "the unwritable data folder case of healthz",
            "running as root, who may write anywhere",
        );
    }
}
