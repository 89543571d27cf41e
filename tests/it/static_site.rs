//! `loket serve` as a static site: paths never leave public/, validators,
//! 304, HEAD and Range, redirects and types.

use std::fs;

use crate::common::raw::*;
use crate::common::server::Server;
use crate::common::submit::*;
use reqwest::StatusCode;
use reqwest::header::{self};

// ---------------------------------------------------------------------------
// 5. Paths never leave public/
// ---------------------------------------------------------------------------

#[test]
fn path_traversal_never_reaches_files_outside_public() {
    let server = Server::start();
    let secret = "RAHASIA-7d41c0";
    server.site().write("rahasia.txt", secret);
    fs::write(server.data.join("rahasia.txt"), secret).unwrap();
    fs::write(server.public().join(".gitignore"), secret).unwrap();
    fs::create_dir_all(server.public().join(".tersembunyi")).unwrap();
    fs::write(server.public().join(".tersembunyi/isi.txt"), secret).unwrap();

    // The raw client itself works.
    let control = raw_get(server.addr, "/css/site.css");
    assert_eq!(control.status, 200);

    for target in [
        "/../rahasia.txt",
        "/%2e%2e/rahasia.txt",
        "/%2E%2E/rahasia.txt",
        "/%2e%2e%2frahasia.txt",
        "/..%2frahasia.txt",
        "/..\\rahasia.txt",
        "/%5c..%5crahasia.txt",
        "/css/../../rahasia.txt",
        "/css/%2e%2e/%2e%2e/rahasia.txt",
        "/../data/rahasia.txt",
        "/%2e%2e/data/rahasia.txt",
        "/../../../../../../etc/passwd",
        "//etc/passwd",
        "/%00",
        "/rahasia.txt%00.html",
        "/data/submissions/",
        "/data/rahasia.txt",
        "/.gitignore",
        "/%2egitignore",
        "/.tersembunyi/isi.txt",
        "/rahasia.txt",
    ] {
        let response = raw_get(server.addr, target);
        let text = response.text();
        assert!(!text.contains(secret), "{target} leaked the secret");
        assert!(!text.contains("root:x:0:0"), "{target} leaked /etc/passwd");
        assert!(
            response.status == 404 || response.status == 400,
            "{target}: status {}",
            response.status
        );
        if response.status == 404 {
            assert!(text.contains("Halaman tidak ditemukan"), "{target}: {text}");
            assert_secure(&response.headers, target);
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Static files
// ---------------------------------------------------------------------------

#[tokio::test]
async fn home_page_is_html_with_validators_and_revalidates_to_304() {
    let server = Server::start();
    let client = client();
    let home = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert_secure(home.headers(), "GET /");
    let content_type = header_str(home.headers(), "content-type");
    assert!(
        content_type.starts_with("text/html") && content_type.contains("charset=utf-8"),
        "{content_type}"
    );
    let etag = header_str(home.headers(), "etag").to_string();
    let last_modified = header_str(home.headers(), "last-modified").to_string();
    let body = home.bytes().await.unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("Dinas Koperasi dan Usaha Mikro"),
        "the home page"
    );

    let by_etag = client
        .get(server.url("/"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(by_etag.status(), StatusCode::NOT_MODIFIED, "If-None-Match");
    assert_secure(by_etag.headers(), "304 on If-None-Match");
    assert_eq!(header_str(by_etag.headers(), "etag"), etag);
    assert!(by_etag.bytes().await.unwrap().is_empty());

    let other_etag = client
        .get(server.url("/"))
        .header(header::IF_NONE_MATCH, "\"lain\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other_etag.status(), StatusCode::OK, "a different ETag");

    let by_date = client
        .get(server.url("/"))
        .header(header::IF_MODIFIED_SINCE, &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_date.status(),
        StatusCode::NOT_MODIFIED,
        "If-Modified-Since"
    );
    assert_secure(by_date.headers(), "304 on If-Modified-Since");
}

#[tokio::test]
async fn head_and_range_requests_on_the_home_page() {
    let server = Server::start();
    let client = client();
    let full = client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(full.len() > 10);

    let head = client.head(server.url("/")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_secure(head.headers(), "HEAD /");
    assert_eq!(
        header_str(head.headers(), "content-length"),
        full.len().to_string()
    );
    assert!(head.bytes().await.unwrap().is_empty(), "HEAD has no body");

    let range = client
        .get(server.url("/"))
        .header(header::RANGE, "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), StatusCode::PARTIAL_CONTENT);
    assert_secure(range.headers(), "206");
    assert_eq!(
        header_str(range.headers(), "content-range"),
        format!("bytes 0-9/{}", full.len())
    );
    assert_eq!(range.bytes().await.unwrap(), full[..10]);
}

#[tokio::test]
async fn folder_without_slash_redirects_and_css_is_utf8() {
    let server = Server::start();
    let client = client();
    let response = client.get(server.url("/layanan")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(header_str(response.headers(), "location"), "/layanan/");
    assert_secure(response.headers(), "301");

    let css = client
        .get(server.url("/css/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(
        header_str(css.headers(), "content-type"),
        "text/css; charset=utf-8"
    );
    assert_secure(css.headers(), "CSS");
}
