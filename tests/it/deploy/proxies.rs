//! nginx and Caddy with the shipped configuration in front of loket, and
//! what citizens do through them.

use std::fs;

use super::compressed::compressed_through;
use super::curl::{Reply, curl, curl_to};
use super::front::Front;
use super::*;
use crate::common::form::{PENGADUAN_LAYANAN, PERMOHONAN, jpeg, permohonan_text, sha256_hex};
use crate::common::program;
use crate::common::server::Server;
use crate::common::skip::skipped;
use crate::common::submit::{assert_nothing_stored, load_record, record_path, urlencoded};

fn complaint(nama: &str) -> String {
    urlencoded(&[
        ("nama", nama),
        ("kontak", "0812 3456 7890"),
        ("isi", "Antrean di loket terlalu lama."),
        ("persetujuan", "ya"),
    ])
}

const URLENCODED: &str = "application/x-www-form-urlencoded";

fn assert_hsts(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("strict-transport-security"),
        Some("max-age=31536000"),
        "{what}: {:?}",
        reply.headers
    );
}

/// What is missing to run a proxy test with `proxy` (found or not).
fn missing_for(proxy: &str, found: bool) -> Vec<String> {
    let mut missing = Vec::new();
    if !found {
        missing.push(format!("{proxy} (apt-get install {proxy})"));
    }
    for tool in ["curl", "openssl"] {
        if program(tool).is_none() {
            missing.push(format!("{tool} (apt-get install {tool})"));
        }
    }
    missing
}

/// loket as the unit runs it behind a proxy on this machine, with a rate
/// limit of one accepted submission per citizen to test.
fn loket_behind_a_proxy() -> Server {
    // A 5 MB upload limit: the 6 MB photo is over it.
    Server::start_with(&[
        "--trust-proxy",
        "127.0.0.1",
        "--rate-limit",
        "1",
        "--max-upload-mb",
        "5",
    ])
}

const CITIZEN: &str = "127.0.0.2";
const OTHER: &str = "127.0.0.3";
const THIRD: &str = "127.0.0.4";

/// What citizens do through `front`, and what they must get: pages over
/// HTTP/2 with HSTS and loket's headers, loket's own answer to a photo
/// over the limit, a 4.9 MB KTP stored byte for byte, and the rate limit
/// per citizen whatever they write in X-Forwarded-For. Ends with loket
/// stopped and no citizen's address in its log or the proxy's.
fn citizens_through(front: &Front, loket: Server) {
    // A page over HTTPS (HTTP/2, as browsers speak it): loket's answer with
    // its own security headers, and HSTS from the proxy.
    let home = curl(front, CITIZEN, "https", "/", None, &[]);
    assert_eq!(home.status, 200, "{}", home.text());
    assert_eq!(home.version, "2", "HTTP/2 over TLS");
    assert_hsts(&home, "home page");
    assert!(
        home.header("content-security-policy")
            .is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
        "loket's headers pass through: {:?}",
        home.headers
    );

    // A 6 MB phone photo: loket's own answer, the form back with everything
    // typed and the size at the field (nginx's 1 MB default would have
    // answered with its own 413). Not counted towards the rate limit.
    let form = permohonan_text(&[("persetujuan", None)])
        .file("ktp", "IMG_20261127.jpg", "image/jpeg", &jpeg(6 * MB, 1))
        .text("persetujuan", "ya");
    let content_type = form.content_type();
    let body = form.finish();
    assert!(body.len() > 6 * MB);
    let big = curl(
        front,
        CITIZEN,
        "https",
        PERMOHONAN,
        Some((&content_type, &body)),
        &[],
    );
    let html = big.text();
    assert_eq!(big.status, 422, "{html}");
    assert_hsts(&big, "422");
    for needle in [
        "Ukuran berkas foto KTP 6 MB; paling besar 5 MB. Perkecil foto",
        "value=\"Keripik Bu Siti\"",
        "<form",
    ] {
        assert!(html.contains(needle), "the form lacks {needle:?}:\n{html}");
    }
    assert_nothing_stored(&loket, "a 6 MB photo");

    // A 4.9 MB KTP goes through and is stored byte for byte.
    let ktp = ktp_pdf(49 * MB / 10, 7);
    assert!(ktp.len() > 4 * MB && ktp.len() < 5 * MB, "{}", ktp.len());
    let form = permohonan_text(&[("persetujuan", None)])
        .file("ktp", "scan KTP.pdf", "application/pdf", &ktp)
        .text("persetujuan", "ya");
    let content_type = form.content_type();
    let accepted = curl(
        front,
        CITIZEN,
        "https",
        PERMOHONAN,
        Some((&content_type, &form.finish())),
        &[],
    );
    assert_eq!(accepted.status, 303, "{}", accepted.text());
    assert_hsts(&accepted, "303");
    let location = accepted.header("location").unwrap();
    let ticket = location.strip_prefix("/terkirim/?tiket=").unwrap();
    let stored = fs::read(
        record_path(&loket.data, ticket)
            .with_extension("")
            .join("ktp.pdf"),
    )
    .expect("the KTP is stored as ktp.pdf");
    assert_eq!(
        sha256_hex(&stored),
        sha256_hex(&ktp),
        "stored byte for byte"
    );
    let record = load_record(&loket.data, ticket);
    assert_eq!(
        record["attachments"][0]["sha256"].as_str(),
        Some(sha256_hex(&ktp).as_str())
    );
    let receipt = curl(front, CITIZEN, "https", location, None, &[]);
    assert_eq!(receipt.status, 200);
    assert!(receipt.text().contains(ticket));

    // The rate limit (1 here) counts per citizen as the proxy saw them. The
    // first citizen has used theirs; a second is still welcome.
    let post = |from: &str, forged: &[&str]| {
        curl(
            front,
            from,
            "https",
            PENGADUAN_LAYANAN,
            Some((URLENCODED, complaint("Budi").as_bytes())),
            forged,
        )
    };
    assert_eq!(post(OTHER, &[]).status, 303, "another citizen");
    assert_eq!(
        post(CITIZEN, &["X-Forwarded-For: 203.0.113.50"]).status,
        429,
        "a made-up X-Forwarded-For does not get the first citizen a new limit"
    );
    assert_eq!(post(OTHER, &[]).status, 429, "the second citizen's is used");
    assert_eq!(
        post(THIRD, &["X-Forwarded-For: 127.0.0.3"]).status,
        303,
        "nor can a third one spend someone else's"
    );
    let limited = post(CITIZEN, &[]);
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert!(limited.text().contains("Terlalu banyak formulir terkirim"));

    // No citizen's address in any log: loket's (the journal) and the proxy's.
    let (status, loket_log) = loket.stop();
    assert!(status.success(), "{loket_log}");
    let logs = format!("{loket_log}\n{}", front.all_logs());
    for address in [CITIZEN, OTHER, THIRD, "203.0.113.50"] {
        assert!(!logs.contains(address), "{address} logged:\n{logs}");
    }
    assert!(
        loket_log.contains("method=POST path=/permohonan/ status=303"),
        "loket logs requests:\n{loket_log}"
    );
}

#[test]
fn nginx_with_the_shipped_site_in_front_of_loket() {
    let nginx = program("nginx");
    let missing = missing_for("nginx", nginx.is_some());
    if skipped(
        "nginx in front of loket with deploy/nginx/loket.conf",
        &missing,
        true,
    ) {
        return;
    }
    let loket = loket_behind_a_proxy();
    let front = Front::nginx(&nginx.unwrap(), loket.addr);
    compressed_through(&front, CITIZEN, &loket.public());

    let home = curl(&front, CITIZEN, "https", "/", None, &[]);
    assert_eq!(home.header("server"), Some("nginx"), "no version");
    // Port 80: to HTTPS, the same path and query; ACME challenges answered.
    let plain = curl(&front, CITIZEN, "http", "/layanan/?a=1", None, &[]);
    assert_eq!(plain.status, 301);
    assert_eq!(
        plain.header("location"),
        Some(format!("https://{NAME}/layanan/?a=1").as_str())
    );
    assert_eq!(plain.header("strict-transport-security"), None);
    assert_eq!(
        plain.header("server"),
        Some("nginx"),
        "no version on port 80"
    );
    fs::write(
        front.dir().join("www/.well-known/acme-challenge/tOkEn-1"),
        "tOkEn-1.thumbprint",
    )
    .unwrap();
    let challenge = curl(
        &front,
        CITIZEN,
        "http",
        "/.well-known/acme-challenge/tOkEn-1",
        None,
        &[],
    );
    assert_eq!(challenge.status, 200);
    assert_eq!(challenge.text(), "tOkEn-1.thumbprint");
    // The desk's first certificate (docs/deploy.md, "Staff desk"): before
    // the desk has servers of its own, this port-80 server answers its name.
    let desk_challenge = curl_to(
        &front,
        DESK_NAME,
        CITIZEN,
        "http",
        "/.well-known/acme-challenge/tOkEn-1",
        None,
        &[],
    );
    assert_eq!(desk_challenge.status, 200);
    assert_eq!(desk_challenge.text(), "tOkEn-1.thumbprint");

    citizens_through(&front, loket);
}

#[test]
fn caddy_with_the_shipped_caddyfile_in_front_of_loket() {
    let caddy = program("caddy");
    let missing = missing_for("caddy", caddy.is_some());
    if skipped(
        "Caddy in front of loket with deploy/Caddyfile",
        &missing,
        true,
    ) {
        return;
    }
    let loket = loket_behind_a_proxy();
    let front = Front::caddy(&caddy.unwrap(), loket.addr);
    compressed_through(&front, CITIZEN, &loket.public());

    // HTTP: to HTTPS, the same path and query.
    let plain = curl(&front, CITIZEN, "http", "/layanan/?a=1", None, &[]);
    assert_eq!(plain.status, 308);
    assert_eq!(
        plain.header("location"),
        Some(format!("https://{NAME}/layanan/?a=1").as_str())
    );

    citizens_through(&front, loket);
}

#[test]
fn caddy_with_the_docs_desk_site_sends_hsts_and_lets_in_the_office_alone() {
    let caddy = program("caddy");
    let missing = missing_for("caddy", caddy.is_some());
    if skipped(
        "Caddy in front of the desk with docs/deploy.md's site",
        &missing,
        true,
    ) {
        return;
    }
    let loket = Server::start_with(&["--trust-proxy", "127.0.0.1"]);
    let desk = loket.desk.expect("a desk");
    let office = format!("{CITIZEN}/32");
    let front = Front::caddy_with_desk(&caddy.unwrap(), loket.addr, Some((desk, &office)));

    let inside = curl_to(&front, DESK_NAME, CITIZEN, "https", "/masuk/", None, &[]);
    assert_eq!(inside.status, 200, "{}", inside.text());
    assert!(
        inside.text().contains("Masuk ke meja layanan"),
        "{}",
        inside.text()
    );
    assert_hsts(&inside, "the desk");
    let outside = curl_to(&front, DESK_NAME, OTHER, "https", "/masuk/", None, &[]);
    assert_eq!(outside.status, 403);
    assert_hsts(&outside, "the desk's 403");
    // The site beside it is as before.
    let home = curl(&front, CITIZEN, "https", "/", None, &[]);
    assert_eq!(home.status, 200);
    assert_hsts(&home, "the site");
}
