//! `loket serve --watch`: edits show up, broken files show an error page and
//! recover, editor droppings trigger nothing, the built site gets no reload script.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A `loket serve --watch` on a temp copy of the shipped site.
struct Preview {
    site: TempSite,
    child: Child,
    base: String,
    log: PathBuf,
}

impl Preview {
    fn start() -> Preview {
        Preview::start_with(&[])
    }

    fn start_with(extra: &[&str]) -> Preview {
        let site = TempSite::fixture();
        let log = site.root().join("server.log");
        let child = loket()
            .args([
                "serve",
                "--watch",
                "--addr",
                "127.0.0.1:0",
                "--desk-addr",
                "off",
            ])
            .args(extra)
            .arg("--root")
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        // Where it listens is a log line.
        let deadline = Instant::now() + Duration::from_secs(30);
        let line = loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains("Listening on http://")) {
                break line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "loket serve did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Preview {
            site,
            child,
            base,
            log,
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Polls `path` until `ok` holds (a rebuild takes a debounce interval).
    async fn wait_for(&self, path: &str, ok: impl Fn(u16, &str) -> bool) -> (u16, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.get(path).await;
            if ok(status, &body) {
                return (status, body);
            }
            assert!(
                Instant::now() < deadline,
                "{path} never matched; last {status}:\n{body}\nlog:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn an_edit_is_served_and_the_tab_reloads() {
    let p = Preview::start();
    let (_, page) = p.get("/permohonan/").await;
    assert!(
        page.contains("<script src=\"/__loket/reload.js\""),
        "watch mode injects the script"
    );
    let mut events = reqwest::get(format!("{}/__loket/events", p.base))
        .await
        .unwrap();
    assert_eq!(
        events.headers()["content-type"],
        "text/event-stream",
        "live reload stream"
    );

    let file = p.site.root().join("content/permohonan.md");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace(
            "## Yang perlu disiapkan",
            "## Yang perlu disiapkan\n\nTeks baru dari staf.",
        ),
    )
    .unwrap();

    p.wait_for("/permohonan/", |s, b| {
        s == 200 && b.contains("Teks baru dari staf.")
    })
    .await;
    let chunk = tokio::time::timeout(Duration::from_secs(20), events.chunk())
        .await
        .expect("an event arrives")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&chunk).contains("data: reload"));

    // The file on disk has the edit too, and the published file has no
    // reload script (only the form's photo script).
    let built = fs::read_to_string(p.site.out().join("permohonan/index.html")).unwrap();
    assert!(built.contains("Teks baru dari staf."));
    assert!(
        !built.contains("reload.js"),
        "the built site has no reload script"
    );
    assert_eq!(built.matches("<script").count(), 1, "only the photo script");
    // Its compressed copies are rewritten with it (the quick path), and
    // pages go out as the file itself with the script, whatever the
    // browser accepts.
    let copy =
        |suffix: &str| fs::read(p.site.out().join(format!("permohonan/index.html.{suffix}")));
    let mut from_br = String::new();
    brotli::Decompressor::new(&copy("br").unwrap()[..], 4096)
        .read_to_string(&mut from_br)
        .unwrap();
    let mut from_gz = String::new();
    flate2::read::GzDecoder::new(&copy("gz").unwrap()[..])
        .read_to_string(&mut from_gz)
        .unwrap();
    assert_eq!(from_br, built);
    assert_eq!(from_gz, built);
    let response = reqwest::Client::new()
        .get(format!("{}/permohonan/", p.base))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("content-encoding"), None);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Teks baru dari staf.")
    );
}

#[tokio::test]
async fn new_and_removed_pages_and_template_changes_rebuild_everything() {
    let p = Preview::start();
    p.site.write(
        "content/pengumuman.md",
        "---\ntitle: Pengumuman\nmenu: 5\n---\nIsi pengumuman.\n",
    );
    let (_, home) = p
        .wait_for("/", |s, b| s == 200 && b.contains("href=\"/pengumuman/\""))
        .await;
    assert!(
        home.contains("Pengumuman"),
        "the new page is in every page's menu"
    );
    let (status, page) = p.get("/pengumuman/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Isi pengumuman."));

    fs::remove_file(p.site.root().join("content/pengumuman.md")).unwrap();
    p.wait_for("/", |s, b| s == 200 && !b.contains("href=\"/pengumuman/\""))
        .await;

    let base = p.site.read("templates/base.html");
    p.site.write(
        "templates/base.html",
        base.replace("Langsung ke isi utama", "Lompat ke isi utama"),
    );
    p.wait_for("/layanan/", |s, b| {
        s == 200 && b.contains("Lompat ke isi utama")
    })
    .await;
}

#[tokio::test]
async fn a_broken_file_shows_the_error_page_and_fixing_it_recovers() {
    let p = Preview::start();
    let file = p.site.root().join("content/permohonan.md");
    let good = fs::read_to_string(&file).unwrap();
    fs::write(&file, good.replacen("menu: 3", "menu: [3", 1)).unwrap();

    let (status, page) = p.wait_for("/", |s, _| s == 500).await;
    assert_eq!(status, 500);
    assert!(page.contains("Situs gagal dibangun"), "{page}");
    assert!(
        page.contains("content/permohonan.md:"),
        "names file and line: {page}"
    );
    assert!(
        page.contains("<script src=\"/__loket/reload.js\""),
        "reloads itself when fixed"
    );
    // The last good site is still on disk, whole.
    let built = fs::read_to_string(p.site.out().join("permohonan/index.html")).unwrap();
    assert!(built.contains("Konsultasi dan pengaduan masalah usaha"));
    // Assets still come from the last good build.
    assert_eq!(p.get("/css/site.css").await.0, 200);

    fs::write(
        &file,
        good.replace(
            "Halaman ini menjelaskan",
            "Halaman ini (diperbaiki) menjelaskan",
        ),
    )
    .unwrap();
    p.wait_for("/permohonan/", |s, b| {
        s == 200 && b.contains("(diperbaiki)")
    })
    .await;
    let (status, _) = p.get("/").await;
    assert_eq!(status, 200, "recovered without a restart");
}

#[tokio::test]
async fn editor_droppings_and_output_trigger_nothing() {
    let p = Preview::start();
    let content = p.site.root().join("content");
    for name in [
        ".permohonan.md.swp",
        "permohonan.md~",
        "4913",
        ".#permohonan.md",
        "#permohonan.md#",
    ] {
        fs::write(content.join(name), "# sampah\n").unwrap();
    }
    fs::write(p.site.out().join("catatan.html"), "<p>x</p>").unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Then one real edit, which must be the only rebuild.
    let file = content.join("permohonan.md");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("Halaman ini menjelaskan", "Halaman ini sungguh menjelaskan"),
    )
    .unwrap();
    p.wait_for("/permohonan/", |s, b| {
        s == 200 && b.contains("sungguh menjelaskan")
    })
    .await;
    let log = p.log();
    let rebuilds: Vec<&str> = log.lines().filter(|l| l.contains(" rebuilt ")).collect();
    assert_eq!(rebuilds.len(), 1, "only the real edit rebuilt:\n{log}");
    assert!(rebuilds[0].contains(" rebuilt /permohonan/ in"), "{log}");
}

/// Opens `/__loket/events` on its own connection; the status of its answer
/// (a stream keeps its connection, and so a slot, for as long as it is open).
fn open_events(base: &str) -> (std::net::TcpStream, u16) {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /__loket/events HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the head arrives");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (stream, status)
}

/// Live-reload streams are capped (at half the slots, with few slots): as
/// many tabs as there are connection slots still leave a page servable.
#[tokio::test]
async fn live_reload_streams_never_hold_every_connection_slot() {
    let p = Preview::start_with(&["--max-connections", "4"]);
    let mut streams = Vec::new();
    for _ in 0..4 {
        streams.push(open_events(&p.base));
    }
    let statuses: Vec<u16> = streams.iter().map(|(_, s)| *s).collect();
    assert_eq!(statuses, [200, 200, 503, 503], "{}", p.log());
    // A bounded wait: on a server whose streams hold every slot, this hangs.
    let page = tokio::time::timeout(Duration::from_secs(20), p.get("/permohonan/"))
        .await
        .expect("a page is served while the streams are open");
    assert_eq!(page.0, 200);
    // Closing a stream frees its place for another tab.
    drop(streams.remove(0));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (stream, status) = open_events(&p.base);
        if status == 200 {
            drop(stream);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a closed stream's place came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
