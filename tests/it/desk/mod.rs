//! The staff desk (issue 17) over real HTTP: its own listener, accounts,
//! sessions, CSRF, the sign-in limits, the workflow, the lost-update rule,
//! attachments, the documents, the inbox, the report and the audit log.
//! Browser tests of the same pages are in `e2e/desk.test.mjs`.

mod access;
mod accounts;
mod channels;
mod documents;
mod halaman_berkas;
mod halaman_daftar;
mod halaman_riwayat;
mod halaman_sunting;
mod lists;
mod messages;
mod roles;
mod signin;
mod survei;
mod work;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use crate::common::form::valid_permohonan;
use crate::common::server::Server;
use crate::common::submit::{client, post_multipart, ticket_from};

pub const PASSWORD: &str = "kata sandi panjang";

pub use crate::common::add_staff;

/// Runs `loket staff ARGS --data DATA`.
pub fn staff(data: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = crate::common::loket()
        .arg("staff")
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A submission through the public form (with a KTP); its ticket.
pub async fn submit(server: &Server) -> String {
    let response = post_multipart(
        &client(),
        &server.url(crate::common::form::PERMOHONAN),
        valid_permohonan(),
    )
    .await;
    ticket_from(response).await
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        self.hidden("csrf")
    }

    /// The value of the first hidden field `name`.
    pub fn hidden(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\" value=\"");
        let at = self
            .body
            .find(&needle)
            .unwrap_or_else(|| panic!("no {name} field in:\n{}", self.body));
        let rest = &self.body[at + needle.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    /// All `Set-Cookie` lines.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

/// A browser's worth of the desk: its cookies, sent back as a browser would
/// (one jar for every path), no redirects followed.
pub struct DeskClient {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
    /// Sent as `X-Forwarded-For` (for a server that trusts this machine).
    pub forwarded_for: Option<String>,
}

impl DeskClient {
    pub fn new(server: &Server) -> DeskClient {
        DeskClient {
            http: client(),
            base: server.desk_url(""),
            cookies: BTreeMap::new(),
            forwarded_for: None,
        }
    }

    fn absorb(&mut self, headers: &HeaderMap) {
        for line in headers.get_all(header::SET_COOKIE) {
            let line = line.to_str().unwrap();
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, jar.join("; "));
        }
        if let Some(ip) = &self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let response = request.send().await.expect("the desk answers");
        let status = response.status();
        let headers = response.headers().clone();
        self.absorb(&headers);
        let bytes = response.bytes().await.unwrap().to_vec();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(crate::common::submit::urlencoded(pairs));
        self.send(request).await
    }

    /// The sign-in form, then the post; the post's answer.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> Page {
        let form = self.get("/masuk/").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            "/masuk/",
            &[("csrf", &csrf), ("nama", name), ("sandi", password)],
        )
        .await
    }

    /// Signs in and expects to get in.
    pub async fn signed_in(server: &Server, name: &str) -> DeskClient {
        let mut desk = DeskClient::new(server);
        let page = desk.sign_in(name, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert!(
            desk.cookies.contains_key("loket_meja")
                || desk.cookies.contains_key("__Host-loket_meja"),
            "{:?}",
            desk.cookies
        );
        desk
    }
}

/// Every line of the audit log.
pub fn audit_lines(data: &Path) -> Vec<String> {
    let dir = data.join("audit");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The audit lines of `action`, as their fields.
pub fn audited(data: &Path, action: &str) -> Vec<Vec<String>> {
    audit_lines(data)
        .iter()
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f.get(2).is_some_and(|a| a == action))
        .collect()
}

/// A record as the server writes one, made by hand (fast, any date): a
/// permohonan or a pengaduan-layanan with the given status and deadlines.
#[allow(clippy::too_many_arguments)]
pub fn write_record(
    data: &Path,
    ticket: &str,
    received: &str,
    status: &str,
    name: &str,
    response_due: &str,
    completion_due: &str,
    extra: &str,
) -> PathBuf {
    let path = crate::common::submit::record_path(data, ticket);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let kind = match &ticket[..2] {
        "KP" => "permohonan",
        _ => "pengaduan-layanan",
    };
    fs::write(
        &path,
        format!(
            "# {ticket}\nticket: {ticket}\nkind: {kind}\nreceived_at: {received}\nstatus: {status}\n\
response_due: {response_due}\ncompletion_due: {completion_due}\nfields:\n  jenis: konsultasi\n  nama: {name}\n  nik: 3517 0152 0590 0001\n\
normalized:\n  nik: '3517015205900001'\nattachments: []\nhistory: []\n{extra}"
        ),
    )
    .unwrap();
    path
}
