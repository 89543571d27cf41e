//! A citizen's case end to end, for the mail and lookup tests: a request
//! sent (with or without an email), the access code its receipt shows
//! once, staff's steps, and `/cek-status/`.

use std::path::Path;
use std::process::Output;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::form::{jpeg, permohonan_text};
use super::server::Server;
use super::submit::{client, post_multipart, ticket_of, urlencoded};

/// A request just sent: its ticket, and the one-time cookie that shows its
/// access code.
pub struct Sent {
    pub ticket: String,
    pub cookie: Option<String>,
}

/// Sends the valid request (with `email` if given) as a browser would.
pub async fn send_request(server: &Server, email: Option<&str>) -> Sent {
    let form =
        permohonan_text(&[("email", email)]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 7));
    sent(post_multipart(&client(), &server.url("/permohonan/"), form).await).await
}

/// The ticket and cookie of a form's 303.
pub async fn sent(response: reqwest::Response) -> Sent {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    let ticket = ticket_of(status, &headers, &body);
    let cookie = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("loket_kode="))
        .map(|v| v.split(';').next().unwrap().to_string());
    Sent { ticket, cookie }
}

/// The receipt page, asked for with `cookie` (if any).
pub async fn receipt(
    server: &Server,
    ticket: &str,
    cookie: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = client().get(server.url(&format!("/terkirim/?tiket={ticket}")));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// The access code a receipt page shows ("KXM4 7PRT"), if it shows one.
pub fn code_on(page: &str) -> Option<String> {
    let marker = "Kode akses: <strong class=\"code\">";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].to_string())
}

/// The code of a request just sent, from its receipt (shown once).
pub async fn code_of(server: &Server, sent: &Sent) -> String {
    let (status, _, page) = receipt(server, &sent.ticket, sent.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::OK);
    code_on(&page).unwrap_or_else(|| panic!("no access code on the receipt:\n{page}"))
}

/// POSTs `/cek-status/` as its form does; from `forwarded_for` when given
/// (a server trusting 127.0.0.1 as its proxy).
pub async fn look_up(
    server: &Server,
    ticket: &str,
    code: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = client()
        .post(server.url("/cek-status/"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(urlencoded(&[("tiket", ticket), ("kode", code)]));
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// Runs `loket status TICKET ARGS` on the server's folders, as staff do.
pub fn staff_step(server: &Server, ticket: &str, args: &[&str]) -> Output {
    let out = super::loket()
        .arg("status")
        .arg(ticket)
        .args(args)
        .arg("--root")
        .arg(server.site().root())
        .arg("--data")
        .arg(&server.data)
        .args(["--by", "Budi"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "loket status {ticket} {args:?}: {}",
        super::stderr(&out)
    );
    out
}

/// Waits until `data`'s outbox is empty: everything queued has been sent.
pub fn wait_sent(data: &Path) {
    let deadline = std::time::Instant::now() + super::server::PATIENCE;
    while !outbox(data).is_empty() {
        assert!(std::time::Instant::now() < deadline, "{:?}", outbox(data));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The messages waiting in `data`'s outbox (not a temp file being written).
pub fn outbox(data: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data.join("outbox"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
