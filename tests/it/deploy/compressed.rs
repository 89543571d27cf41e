//! Through the proxy, a browser gets loket's compressed copies as loket
//! sends them (the proxy neither drops them nor compresses again), with
//! `Vary`, and the hashed stylesheet with its year-long cache; pages made
//! per request go uncompressed.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::curl::curl;
use super::front::Front;

fn decoded(encoding: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .expect("a Brotli body");
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("a gzip body");
        }
        None => out = body.to_vec(),
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    }
    out
}

/// `front` passes loket's compressed answers for the site in `public`.
pub(super) fn compressed_through(front: &Front, from: &str, public: &Path) {
    let page = fs::read(public.join("index.html")).unwrap();
    let html = String::from_utf8(page.clone()).unwrap();
    let link = "rel=\"stylesheet\" href=\"";
    let at = html.find(link).unwrap() + link.len();
    let css_url = &html[at..at + html[at..].find('"').unwrap()];
    let css = fs::read(public.join(css_url.trim_start_matches('/'))).unwrap();
    for (accept, expected) in [
        (Some("br"), Some("br")),
        (Some("gzip"), Some("gzip")),
        (Some("gzip, deflate, br"), Some("br")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (None, None),
    ] {
        let header = accept.map(|a| format!("Accept-Encoding: {a}"));
        let headers: Vec<&str> = header.iter().map(String::as_str).collect();
        let reply = curl(front, from, "https", "/", None, &headers);
        assert_eq!(reply.status, 200, "{accept:?}");
        assert_eq!(reply.header("content-encoding"), expected, "{accept:?}");
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"), "{accept:?}");
        assert_eq!(decoded(expected, reply.body()), page, "{accept:?}");

        let reply = curl(front, from, "https", css_url, None, &headers);
        assert_eq!(reply.status, 200, "{css_url} {accept:?}");
        assert_eq!(reply.header("content-encoding"), expected);
        assert_eq!(
            reply.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{css_url}"
        );
        assert_eq!(decoded(expected, reply.body()), css, "{css_url}");
    }
    // What loket makes per request is not compressed on the way (BREACH:
    // the receipt carries an access code), by loket or the proxy.
    let lookup = curl(
        front,
        from,
        "https",
        "/cek-status/",
        None,
        &["Accept-Encoding: gzip, br"],
    );
    assert_eq!(lookup.status, 200);
    assert_eq!(lookup.header("content-encoding"), None, "/cek-status/");
}
