//! Waiting for the citizen (issue 27 §2) and files staff attach (§1): a
//! step that asks the citizen for something (`asks_citizen`), what the
//! citizen reads of it on `/cek-status/` and in the mail, their files and
//! reply sent from `/cek-status/` onto the case, the clock paused by the
//! office's choice (faketime), the report's waiting time, and files staff
//! attach on the desk.
//!
//! - [`reply`]: what the citizen is told and sends; bad replies.
//! - [`clock`]: the clock paused or not, and the report.
//! - [`attach`]: files staff attach, and a document handed in.
//! - [`pause`]: a paused clock when staff end the wait, no lateness
//!   while waiting, and the inbox's new-reply badge.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::common::case::*;
use crate::common::form::{Multipart, jpeg, pdf, sha256_hex};
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::*;
use crate::common::*;
use crate::desk::{DeskClient, PASSWORD, add_staff, audited};

const PATIENCE: Duration = Duration::from_secs(60);
const ASKED: &str = "Foto KTP buram; kirim ulang foto KTP yang jelas.";

/// A server of the fixture site with `office.pause_while_waiting: true`,
/// its clock at Tuesday 1 December 2026, 09:00 (faketime): the server and
/// its data folder.
fn pausing_server() -> (Server, std::path::PathBuf) {
    let site = TempSite::fixture();
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        config.replacen("office:\n", "office:\n  pause_while_waiting: true\n", 1),
    );
    let data = site.root().join("data");
    let server = Server::launch_with(
        loket_at("2026-12-01 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    (server, data)
}

/// `loket serve` arguments for mail through the relay on `port`.
fn mail_args(port: u16) -> Vec<String> {
    [
        "--rate-limit",
        "0",
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Staff take a step on the desk's case page; its answer.
async fn desk_step(
    desk: &mut DeskClient,
    ticket: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let mut all = vec![("csrf", csrf.as_str()), ("versi", version.as_str())];
    all.extend_from_slice(pairs);
    let done = desk.post(&format!("/kasus/{ticket}/"), &all).await;
    (done.status, done.body)
}

/// The value of the hidden input `name` on a page.
fn hidden(page: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} field in:\n{page}"));
    let rest = &page[at + needle.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Posts the reply form of a `/cek-status/` page, with `files` (field,
/// name, bytes) and the reply `text`.
async fn reply(
    server: &Server,
    page: &str,
    files: &[(&str, &str, &[u8])],
    text: &str,
) -> (StatusCode, String) {
    let action = page
        .split("action=\"/cek-status/balas/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no reply form in:\n{page}"));
    let mut form = Multipart::new()
        .text("tiket", &hidden(page, "tiket"))
        .text("izin", &hidden(page, "izin"));
    for (field, name, bytes) in files {
        form = form.file(field, name, "application/octet-stream", bytes);
    }
    let form = form.text("balasan", text);
    let response = post_multipart(
        &client(),
        &server.url(&format!("/cek-status/balas/{action}")),
        form,
    )
    .await;
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// `loket status` as staff run it, at a faked moment.
fn staff_step_at(server_data: &Path, root: &Path, wib: &str, ticket: &str, args: &[&str]) {
    let out = loket_at(wib)
        .arg("status")
        .arg(ticket)
        .args(args)
        .arg("--root")
        .arg(root)
        .arg("--data")
        .arg(server_data)
        .args(["--by", "Budi"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "loket status {args:?}: {}",
        stderr(&out)
    );
}

/// A case put to waiting by `loket status` (no mail): the ticket and code.
async fn waiting_case(server: &Server) -> (String, String) {
    let sent = send_request(server, None).await;
    let code = code_of(server, &sent).await;
    staff_step(
        server,
        &sent.ticket,
        &["diperiksa", "--berkas", "tidak-lengkap"],
    );
    staff_step(
        server,
        &sent.ticket,
        &["menunggu-kelengkapan", "--public-note", ASKED],
    );
    (sent.ticket, code)
}

/// What a reply must not leave behind: the record's text and the case's
/// folder as they were.
fn case_state(data: &Path, ticket: &str) -> (String, Vec<std::path::PathBuf>) {
    let text = std::fs::read_to_string(record_path(data, ticket)).unwrap();
    (text, files_under(&day_dir(data, ticket)))
}

mod attach;
mod clock;
mod pause;
mod reply;
