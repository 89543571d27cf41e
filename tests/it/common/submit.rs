//! Talking to a running server about submissions, and looking at what it
//! stored: posts, tickets, security headers, records and attachments.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use loket::core::yaml::Value;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use walkdir::WalkDir;

use super::form::{Multipart, sha256_hex};
use super::server::Server;

/// A client that shows us redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn post_multipart(
    client: &reqwest::Client,
    url: &str,
    form: Multipart,
) -> reqwest::Response {
    let content_type = form.content_type();
    post_raw(client, url, &content_type, form.finish()).await
}

pub async fn post_raw(
    client: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    client
        .post(url)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url} failed: {e:?}"))
}

pub fn urlencoded(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The security headers every response carries.
pub fn assert_secure(headers: &HeaderMap, what: &str) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} header in {headers:?}"))
            .to_string()
    };
    let csp = get("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}: CSP {csp:?}");
    assert!(!csp.contains("unsafe-eval"), "{what}: CSP {csp:?}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert!(
        !get("referrer-policy").is_empty(),
        "{what}: referrer-policy"
    );
}

pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

/// The ticket from a 303 to the confirmation page.
pub fn ticket_of(status: StatusCode, headers: &HeaderMap, body: &str) -> String {
    assert_eq!(status, StatusCode::SEE_OTHER, "expected 303; body:\n{body}");
    let location = header_str(headers, "location");
    let ticket = location
        .strip_prefix("/terkirim/?tiket=")
        .unwrap_or_else(|| panic!("Location {location:?}"));
    assert_ticket_shape(ticket);
    ticket.to_string()
}

pub async fn ticket_from(response: reqwest::Response) -> String {
    let status = response.status();
    let headers = response.headers().clone();
    assert_secure(&headers, "303 after a submission");
    let body = response.text().await.unwrap();
    ticket_of(status, &headers, &body)
}

/// `KP-YYYYMMDD-XXXX` / `PL-…` with the ticket alphabet.
pub fn assert_ticket_shape(ticket: &str) {
    assert_ticket_of(ticket, &["KP", "PL"]);
}

/// `PREFIX-YYYYMMDD-XXXX` with one of `prefixes` and the ticket alphabet.
pub fn assert_ticket_of(ticket: &str, prefixes: &[&str]) {
    let parts: Vec<&str> = ticket.split('-').collect();
    assert_eq!(parts.len(), 3, "ticket {ticket}");
    assert!(prefixes.contains(&parts[0]), "ticket {ticket}");
    assert!(
        parts[1].len() == 8 && parts[1].bytes().all(|b| b.is_ascii_digit()),
        "ticket {ticket}"
    );
    assert!(
        parts[2].len() == 4
            && parts[2]
                .bytes()
                .all(|b| b"CDFHJKMNPRTVWXY34679".contains(&b)),
        "ticket {ticket}"
    );
}

/// `data/submissions/YYYY/MM/DD/<ticket>.yaml`
/// The attachment `name` of `ticket` is stored: a PDF exactly as sent, a
/// photo re-encoded (a JPEG, with none of the bytes after its image).
/// Returns the stored bytes.
pub fn assert_stored_file(data: &Path, ticket: &str, name: &str, sent: &[u8]) -> Vec<u8> {
    let stored = record_path(data, ticket).with_extension("").join(name);
    let bytes = fs::read(&stored).unwrap_or_else(|e| panic!("{}: {e}", stored.display()));
    if sent.starts_with(b"%PDF-") {
        assert_eq!(bytes, sent, "{}", stored.display());
    } else {
        assert!(
            bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            "{} is a JPEG",
            stored.display()
        );
        assert_ne!(bytes, sent, "{} was re-encoded", stored.display());
    }
    bytes
}

/// The sha256 of a stored attachment.
pub fn stored_sha256(data: &Path, ticket: &str, name: &str) -> String {
    let stored = record_path(data, ticket).with_extension("").join(name);
    sha256_hex(&fs::read(&stored).unwrap_or_else(|e| panic!("{}: {e}", stored.display())))
}

/// `data/submissions/YYYY/MM/DD`, the day folder of a ticket's record.
pub fn day_dir(data: &Path, ticket: &str) -> PathBuf {
    let day = &ticket[3..11];
    data.join("submissions")
        .join(&day[0..4])
        .join(&day[4..6])
        .join(&day[6..8])
}

pub fn record_path(data: &Path, ticket: &str) -> PathBuf {
    day_dir(data, ticket).join(format!("{ticket}.yaml"))
}

pub fn load_record(data: &Path, ticket: &str) -> Value {
    let path = record_path(data, ticket);
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("record {} not readable: {e}", path.display()));
    loket::core::yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("record {} is not YAML: {e}\n{text}", path.display()))
}

pub fn str_at<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string: {:?}", value[key]))
}

/// A mapping as (key, value) pairs, in order; non-strings shown as `{:?}`.
pub fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_mapping()
        .unwrap_or_else(|| panic!("not a mapping: {value:?}"))
        .iter()
        .map(|(k, v)| {
            let v = v.as_str().map_or_else(|| format!("{v:?}"), str::to_string);
            (k.as_str().unwrap().to_string(), v)
        })
        .collect()
}

pub fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Files under `dir` (recursively), relative to it.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

pub fn yaml_records(data: &Path) -> Vec<PathBuf> {
    files_under(&data.join("submissions"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect()
}

/// Nothing was stored: no record, no ticket folder, no file, no draft left.
pub fn assert_nothing_stored(server: &Server, what: &str) {
    let submissions = server.data.join("submissions");
    assert!(submissions.is_dir(), "{what}: the store exists");
    let files = files_under(&submissions);
    assert!(files.is_empty(), "{what}: stored {files:?}");
    let ticket_dirs: Vec<_> = WalkDir::new(&submissions)
        .min_depth(4)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .collect();
    assert!(ticket_dirs.is_empty(), "{what}: left {ticket_dirs:?}");
    let drafts: Vec<_> = fs::read_dir(server.data.join(".tmp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(drafts.is_empty(), "{what}: drafts left in .tmp: {drafts:?}");
}
