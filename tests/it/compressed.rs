//! Compressed and cached right (issue 31): `loket serve` sends the build's
//! Brotli or gzip copy the client accepts, with `Vary`, the right length and
//! encoding, HEAD, ranges and 304s still right; CSS and the icon have
//! content-hashed URLs cached for a year, pages a short while; a new build
//! (by another process, or by the server on SIGHUP) gives pages new
//! stylesheet URLs and keeps the previous build's for one build.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::common::server::Server;
use crate::common::submit::*;
use crate::common::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("a Brotli body");
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn encoding(&self) -> Option<&str> {
        self.header("content-encoding")
    }

    /// The body as the client reads it, decoded.
    fn decoded(&self) -> Vec<u8> {
        match self.encoding() {
            Some("br") => brotli(&self.body),
            Some("gzip") => gunzip(&self.body),
            None => self.body.clone(),
            Some(other) => panic!("unexpected Content-Encoding {other}"),
        }
    }

    /// The bytes of the answer's head, as sent over HTTP/1.1.
    fn head_len(&self) -> usize {
        let lines: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.as_str().len() + 2 + v.len() + 2)
            .sum();
        "HTTP/1.1 200 OK\r\n".len() + lines + 2
    }
}

async fn fetch(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Got {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client().request(method, server.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Got {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

async fn get(server: &Server, path: &str, accept: &str) -> Got {
    let headers: &[(&str, &str)] = match accept {
        "" => &[],
        _ => &[("accept-encoding", accept)],
    };
    fetch(server, "GET", path, headers).await
}

/// The stylesheet URL a page names.
fn css_url(html: &str) -> String {
    let at = html
        .find("rel=\"stylesheet\" href=\"")
        .expect("a stylesheet link");
    let rest = &html[at + "rel=\"stylesheet\" href=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn assert_varies(got: &Got, what: &str) {
    assert_eq!(got.header("vary"), Some("Accept-Encoding"), "{what}: Vary");
}

#[tokio::test]
async fn pages_and_css_go_compressed_as_the_client_accepts() {
    let server = Server::start();
    let original = std::fs::read(server.public().join("index.html")).unwrap();

    let plain = get(&server, "/", "").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.encoding(), None, "nothing accepted: the file itself");
    assert_eq!(plain.body, original);
    assert_varies(&plain, "identity");
    assert_eq!(plain.header("cache-control"), Some("public, max-age=300"));

    for (accept, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("gzip, deflate, br, zstd", Some("br")),
        ("br;q=0, gzip", Some("gzip")),
        ("br;q=0, gzip;q=0", None),
        ("gzip;q=0, *", Some("br")),
        ("*;q=0", None),
        ("identity", None),
        ("deflate", None),
    ] {
        let got = get(&server, "/", accept).await;
        assert_eq!(got.status, StatusCode::OK, "{accept}");
        assert_eq!(got.encoding(), expected, "Accept-Encoding: {accept}");
        assert_varies(&got, accept);
        assert_eq!(
            got.header("content-length"),
            Some(got.body.len().to_string().as_str()),
            "{accept}: Content-Length of what is sent"
        );
        assert_eq!(got.decoded(), original, "{accept}: decodes to the page");
        if expected.is_some() {
            assert!(got.body.len() < original.len() / 2, "{accept}: compressed");
        }
        assert_secure(&got.headers, accept);
    }

    // HEAD: the headers of the GET it stands for.
    let br = get(&server, "/", "br").await;
    let head = fetch(&server, "HEAD", "/", &[("accept-encoding", "br")]).await;
    assert_eq!(head.encoding(), Some("br"));
    assert_eq!(
        head.header("content-length"),
        Some(br.body.len().to_string().as_str())
    );
    assert_eq!(head.header("etag"), br.header("etag"));
    assert!(head.body.is_empty());

    // A range is of the file itself, never of a compressed copy.
    let range = fetch(
        &server,
        "GET",
        "/",
        &[("accept-encoding", "br, gzip"), ("range", "bytes=0-14")],
    )
    .await;
    assert_eq!(range.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range.encoding(), None);
    assert_eq!(range.body, original[..15]);

    // Revalidating the Brotli copy: 304, still saying it varies.
    let etag = br.header("etag").unwrap().to_string();
    assert_ne!(
        Some(etag.as_str()),
        plain.header("etag"),
        "one ETag per copy"
    );
    let again = fetch(
        &server,
        "GET",
        "/",
        &[("accept-encoding", "br"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_varies(&again, "304");
    // The same validator from a client now taking gzip is another copy.
    let other = fetch(
        &server,
        "GET",
        "/",
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.encoding(), Some("gzip"));

    // The stylesheet: a content-hashed URL, cached for a year.
    let html = String::from_utf8(original.clone()).unwrap();
    let css = css_url(&html);
    assert!(
        css.starts_with("/css/site.") && css.ends_with(".css") && css != "/css/site.css",
        "{css}"
    );
    for accept in ["br", "gzip", ""] {
        let got = get(&server, &css, accept).await;
        assert_eq!(got.status, StatusCode::OK, "{css} {accept}");
        assert_eq!(got.header("cache-control"), Some(IMMUTABLE), "{accept}");
        assert_varies(&got, &css);
        assert!(
            got.header("content-type")
                .is_some_and(|t| t.starts_with("text/css")),
            "{accept}"
        );
        assert_eq!(
            got.decoded(),
            std::fs::read(server.site().root().join("static/css/site.css")).unwrap()
        );
    }
    // The icon too; the plain URLs stay for old links, with a short cache,
    // and no page names them.
    assert!(html.contains("href=\"/favicon."), "hashed icon");
    assert!(!html.contains("\"/css/site.css\"") && !html.contains("\"/favicon.svg\""));
    let old = get(&server, "/css/site.css", "br").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.header("cache-control"), Some("public, max-age=300"));

    // A compressed copy is never taken for a page that does not exist.
    let missing = get(&server, "/tidak-ada/", "br").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.encoding(), None);
}

#[tokio::test]
async fn the_first_visit_is_light() {
    let server = Server::start();
    let accept = "gzip, deflate, br, zstd";
    let home = get(&server, "/", accept).await;
    let html = String::from_utf8(home.decoded()).unwrap();
    let css = get(&server, &css_url(&html), accept).await;
    let icon_at = html.find("rel=\"icon\" href=\"").unwrap() + "rel=\"icon\" href=\"".len();
    let icon_url = &html[icon_at..icon_at + html[icon_at..].find('"').unwrap()];
    let icon = get(&server, icon_url, accept).await;
    let total: usize = [&home, &css, &icon]
        .iter()
        .map(|g| g.body.len() + g.head_len())
        .sum();
    eprintln!(
        "first visit: page {} + {} B, CSS {} + {} B, icon {} + {} B: {total} B",
        home.body.len(),
        home.head_len(),
        css.body.len(),
        css.head_len(),
        icon.body.len(),
        icon.head_len()
    );
    assert!(total <= 15 * 1024, "first visit {total} bytes");
}

/// Waits until the home page names a stylesheet other than `old`.
async fn next_css(server: &Server, old: &str) -> String {
    let started = Instant::now();
    loop {
        let html = String::from_utf8(get(server, "/", "").await.body).unwrap();
        let css = css_url(&html);
        if css != old {
            return css;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the new build never served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn restyle(server: &Server, mark: &str) {
    let site = server.site();
    let css = site.read("static/css/site.css");
    site.write("static/css/site.css", format!("{css}/* {mark} */\n"));
}

#[tokio::test]
async fn a_new_build_names_new_css_and_keeps_the_last_builds_for_one_build() {
    let server = Server::start();
    let html = String::from_utf8(get(&server, "/", "").await.body).unwrap();
    let first = css_url(&html);

    // `loket build` by another process, which the server follows.
    restyle(&server, "v2");
    let out = server.site().build();
    assert!(out.status.success(), "{}", stderr(&out));
    let second = next_css(&server, &first).await;
    let got = get(&server, &second, "br").await;
    assert_eq!(got.header("cache-control"), Some(IMMUTABLE));
    assert!(
        String::from_utf8(got.decoded())
            .unwrap()
            .contains("/* v2 */")
    );
    // A page of the last build, loaded just before the swap, still gets
    // its own stylesheet, compressed and immutable.
    let kept = get(&server, &first, "br").await;
    assert_eq!(kept.status, StatusCode::OK, "{first} kept a build long");
    assert_eq!(kept.encoding(), Some("br"));
    assert_eq!(kept.header("cache-control"), Some(IMMUTABLE));
    assert!(
        !String::from_utf8(kept.decoded())
            .unwrap()
            .contains("/* v2 */")
    );

    // The server's own build (SIGHUP) does the same; the first is gone now.
    restyle(&server, "v3");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let third = next_css(&server, &second).await;
    assert_eq!(get(&server, &third, "gzip").await.encoding(), Some("gzip"));
    assert_eq!(get(&server, &second, "").await.status, StatusCode::OK);
    assert_eq!(get(&server, &first, "").await.status, StatusCode::NOT_FOUND);
}

#[test]
fn the_build_writes_smaller_copies_and_names_a_missing_asset() {
    let site = TempSite::fixture();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.out();
    for rel in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "css/site.css",
        "favicon.svg",
    ] {
        let file = std::fs::read(public.join(rel)).unwrap();
        let br = std::fs::read(public.join(format!("{rel}.br"))).unwrap();
        let gz = std::fs::read(public.join(format!("{rel}.gz"))).unwrap();
        assert!(br.len() < file.len() && gz.len() < file.len(), "{rel}");
        assert_eq!(brotli(&br), file, "{rel}.br");
        assert_eq!(gunzip(&gz), file, "{rel}.gz");
    }

    copies_match(&public);

    // A rebuild takes the copies of the pages that did not change from the
    // last build, and makes the edited page's anew.
    let text = site.read("content/_index.md");
    site.write(
        "content/_index.md",
        format!("{text}\nKalimat baru di beranda.\n"),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let home = brotli(&std::fs::read(public.join("index.html.br")).unwrap());
    assert!(
        String::from_utf8(home)
            .unwrap()
            .contains("Kalimat baru di beranda.")
    );
    copies_match(&public);

    let base = site.read("templates/base.html");
    site.write(
        "templates/base.html",
        base.replace("path=\"css/site.css\"", "path=\"css/tidak-ada.css\""),
    );
    let out = site.build();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("static/css/tidak-ada.css"),
        "{}",
        stderr(&out)
    );
}

/// Every compressed copy under `public` decodes to the file beside it.
fn copies_match(public: &std::path::Path) {
    let mut copies = 0;
    for entry in walkdir::WalkDir::new(public) {
        let path = entry.unwrap().into_path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let decode = match ext {
            "br" => brotli,
            "gz" => gunzip,
            _ => continue,
        };
        let file = std::fs::read(path.with_extension("")).unwrap();
        assert_eq!(
            decode(&std::fs::read(&path).unwrap()),
            file,
            "{}",
            path.display()
        );
        copies += 1;
    }
    assert!(copies > 10, "{copies} copies");
}
