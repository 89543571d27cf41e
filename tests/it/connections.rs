//! Connections under `loket serve`: slots, time limits and shutdown, spoken
//! over raw TCP so the tests choose every byte (or send none), plus HEAD on
//! static files and `X-Forwarded-For` behind a trusted proxy.
//!
//! Timeouts are set per test with `serve` flags (1 s where a test waits for
//! one to expire, 60 s where a test proves something else freed the slot).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::TempSite;
use crate::common::form::pdf;
use crate::common::server::{PATIENCE, Server};

/// Upper bound for anything expected to take about a second: generous, for a
/// loaded 2-core machine, and still far below the 60 s limits that would
/// explain it otherwise.
const PROMPTLY: Duration = Duration::from_secs(10);

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("server accepts a connection");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads one HTTP/1.1 response; the body up to its Content-Length, none for
/// HEAD.
fn read_response(stream: &mut TcpStream, head_request: bool) -> Response {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).expect("a response");
        assert!(n > 0, "closed before a response: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut response = Response {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        head,
        body: buf[head_end + 4..].to_vec(),
    };
    let len: usize = match head_request {
        true => 0,
        false => response.header("content-length").unwrap().parse().unwrap(),
    };
    while response.body.len() < len {
        let n = stream.read(&mut chunk).expect("the response body");
        assert!(n > 0, "closed inside the body");
        response.body.extend_from_slice(&chunk[..n]);
    }
    response
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").into_bytes()
}

/// A fresh connection, `GET /`, the whole answer: how long that took.
fn timed_get(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut stream = connect(addr);
    stream.write_all(&get("/")).unwrap();
    assert_eq!(read_response(&mut stream, false).status, 200);
    started.elapsed()
}

/// Reads (and drops) whatever arrives until the server closes the
/// connection; returns the bytes read. Panics if it is still open after
/// `within`.
fn wait_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return seen,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return seen,
            Err(e) => panic!(
                "still open after {within:?} ({e}); read {} bytes",
                seen.len()
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP/2 without TLS, by hand
// ---------------------------------------------------------------------------

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const H2_DATA: u8 = 0;
const H2_HEADERS: u8 = 1;
const H2_GOAWAY: u8 = 7;
const END_STREAM: u8 = 1;

fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = (payload.len() as u32).to_be_bytes();
    let mut frame = vec![len[1], len[2], len[3], kind, flags];
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// The preface and an empty SETTINGS frame: a client that then says nothing.
fn h2_hello() -> Vec<u8> {
    let mut bytes = H2_PREFACE.to_vec();
    bytes.extend(h2_frame(4, 0, 0, &[]));
    bytes
}

/// `GET /` on stream 1 (HPACK: :method GET, :scheme http, :path /, and a
/// literal :authority).
fn h2_get_home() -> Vec<u8> {
    let mut block = vec![0x82, 0x86, 0x84, 0x41, 9];
    block.extend_from_slice(b"127.0.0.1");
    h2_frame(H2_HEADERS, 0x4 | END_STREAM, 1, &block)
}

/// Reads frames until one of `kind` arrives (with END_STREAM, if `end`).
fn h2_read_until(stream: &mut TcpStream, kind: u8, end: bool) {
    loop {
        let mut head = [0u8; 9];
        stream.read_exact(&mut head).expect("an HTTP/2 frame");
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0u8; len];
        stream.read_exact(&mut payload).unwrap();
        if head[3] == kind && (!end || head[4] & END_STREAM != 0) {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Connections that hold a slot without using it
// ---------------------------------------------------------------------------

/// The ways a client can sit on a connection without a request in progress.
#[derive(Debug, Clone, Copy)]
enum Idle {
    /// Connected, nothing sent.
    Silent,
    /// The HTTP/2 preface, nothing more.
    H2Preface,
    /// Part of a request line.
    PartialLine,
    /// One request answered, the connection kept alive.
    KeptAlive,
}

fn open_idle(addr: SocketAddr, kind: Idle) -> TcpStream {
    let mut stream = connect(addr);
    match kind {
        Idle::Silent => {}
        Idle::H2Preface => stream.write_all(H2_PREFACE).unwrap(),
        Idle::PartialLine => stream.write_all(b"GET /layanan/ HT").unwrap(),
        Idle::KeptAlive => {
            stream.write_all(&get("/")).unwrap();
            assert_eq!(read_response(&mut stream, false).status, 200);
        }
    }
    stream
}

#[test]
fn connections_without_a_request_are_closed_after_the_header_timeout() {
    let server = Server::start_with(&["--header-timeout-secs", "1"]);
    for kind in [Idle::Silent, Idle::H2Preface, Idle::PartialLine] {
        let opened = Instant::now();
        let mut stream = open_idle(server.addr, kind);
        wait_closed(&mut stream, PROMPTLY);
        let after = opened.elapsed();
        assert!(
            after >= Duration::from_millis(900),
            "{kind:?}: closed after {after:?}"
        );
    }
}

#[test]
fn kept_alive_connections_close_after_the_idle_timeout() {
    let server = Server::start_with(&["--idle-timeout-secs", "1", "--header-timeout-secs", "60"]);
    // Timed from before the request: the idle second starts once it is
    // answered, however late this thread reads the answer.
    let asked = Instant::now();
    let mut stream = open_idle(server.addr, Idle::KeptAlive);
    wait_closed(&mut stream, PROMPTLY);
    // Not at once: keep-alive still works.
    assert!(asked.elapsed() >= Duration::from_millis(900), "HTTP/1.1");

    let asked = Instant::now();
    let mut stream = connect(server.addr);
    stream.write_all(&h2_hello()).unwrap();
    stream.write_all(&h2_get_home()).unwrap();
    h2_read_until(&mut stream, H2_DATA, true);
    h2_read_until(&mut stream, H2_GOAWAY, false);
    wait_closed(&mut stream, PROMPTLY);
    assert!(asked.elapsed() >= Duration::from_millis(900), "HTTP/2");
}

/// Every slot is held by an idle connection of `kind`, with timeouts far
/// away: a new client is still answered promptly.
fn a_new_client_is_served_while_idle_connections_hold_every_slot(kind: Idle) {
    let server = Server::start_with(&[
        "--max-connections",
        "4",
        "--header-timeout-secs",
        "60",
        "--idle-timeout-secs",
        "60",
    ]);
    let _idle: Vec<TcpStream> = (0..4).map(|_| open_idle(server.addr, kind)).collect();
    let took = timed_get(server.addr);
    assert!(took < PROMPTLY, "{kind:?}: answered after {took:?}");
}

#[test]
fn silent_connections_make_room_for_a_new_client() {
    a_new_client_is_served_while_idle_connections_hold_every_slot(Idle::Silent);
}

#[test]
fn h2_prefaces_make_room_for_a_new_client() {
    a_new_client_is_served_while_idle_connections_hold_every_slot(Idle::H2Preface);
}

#[test]
fn partial_request_lines_make_room_for_a_new_client() {
    a_new_client_is_served_while_idle_connections_hold_every_slot(Idle::PartialLine);
}

#[test]
fn kept_alive_connections_make_room_for_a_new_client() {
    a_new_client_is_served_while_idle_connections_hold_every_slot(Idle::KeptAlive);
}

#[test]
fn a_client_that_stops_reading_is_cut_off_after_the_write_timeout() {
    let site = TempSite::fixture();
    let big = vec![b'x'; 16 * 1024 * 1024];
    site.write("static/besar.txt", &big);
    let data = site.root().join("data");
    let server = Server::launch(
        site,
        data,
        &[
            "--max-connections",
            "1",
            "--write-timeout-secs",
            "1",
            "--rate-limit",
            "0",
        ],
    );
    let mut reader = connect(server.addr);
    reader.write_all(&get("/besar.txt")).unwrap();
    // The only slot is taken until the server gives up on this reader.
    let took = timed_get(server.addr);
    assert!(took < PROMPTLY, "answered after {took:?}");
    let received = wait_closed(&mut reader, PROMPTLY);
    assert!(
        received.len() < big.len(),
        "the whole file arrived: the reader was never cut off"
    );
}

// ---------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------

#[test]
fn sigterm_closes_idle_connections_at_once() {
    let mut server = Server::start();
    let mut h2 = connect(server.addr);
    h2.write_all(&h2_hello()).unwrap();
    h2.write_all(&h2_get_home()).unwrap();
    h2_read_until(&mut h2, H2_DATA, true);
    let _others: Vec<TcpStream> = [Idle::Silent, Idle::PartialLine, Idle::KeptAlive]
        .into_iter()
        .map(|kind| open_idle(server.addr, kind))
        .collect();
    server.terminate();
    let asked = Instant::now();
    let status = server.wait_exit();
    let took = asked.elapsed();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        took < Duration::from_secs(5),
        "exited {took:?} after SIGTERM"
    );
}

#[test]
fn sigterm_lets_an_upload_finish_while_idle_connections_close() {
    let mut server = Server::start();
    let mut idle = connect(server.addr);
    idle.write_all(&h2_hello()).unwrap();

    let boundary = "loketConnTest";
    let mut body = Vec::new();
    for (name, value) in [
        ("nama", "Budi"),
        ("kontak", "0812 3456 7890"),
        ("isi", "Antrean lama."),
        ("persetujuan", "ya"),
    ] {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"lampiran\"; filename=\"bukti.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .into_bytes(),
    );
    let attachment = pdf(1024 * 1024, 1);
    body.extend_from_slice(&attachment);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let (first, rest) = body.split_at(body.len() - 100 * 1024);

    let mut upload = connect(server.addr);
    let head = format!(
        "POST /pengaduan-layanan/formulir/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    upload.write_all(head.as_bytes()).unwrap();
    upload.write_all(first).unwrap();
    let drafts = server.data.join(".tmp");
    let deadline = Instant::now() + PATIENCE;
    while !walkdir::WalkDir::new(&drafts)
        .into_iter()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("lampiran"))
    {
        assert!(Instant::now() < deadline, "the upload never started");
        thread::sleep(Duration::from_millis(20));
    }

    server.terminate();
    let asked = Instant::now();
    wait_closed(&mut idle, PROMPTLY);
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "idle HTTP/2 closed {took:?} after SIGTERM"
    );
    // Longer than an idle connection is given to close: the upload is not idle.
    thread::sleep(Duration::from_secs(2));
    assert!(server.is_running(), "the server waits for the upload");

    upload.write_all(rest).unwrap();
    let response = read_response(&mut upload, false);
    assert_eq!(
        response.status,
        303,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let location = response.header("location").unwrap();
    let ticket = location.strip_prefix("/terkirim/?tiket=").unwrap();
    let status = server.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let stored = walkdir::WalkDir::new(server.data.join("submissions"))
        .into_iter()
        .flatten()
        .find(|e| e.path().ends_with(format!("{ticket}/lampiran.pdf")))
        .unwrap_or_else(|| panic!("{ticket}: no lampiran.pdf stored"));
    assert_eq!(std::fs::read(stored.path()).unwrap(), attachment);
}

// ---------------------------------------------------------------------------
// HEAD on static files, and X-Forwarded-For behind a trusted proxy
// ---------------------------------------------------------------------------

#[test]
fn head_on_a_static_file_has_the_headers_of_get() {
    let server = Server::start();
    let exchange_with = |method: &str, path: &str, extra: &str| {
        let mut stream = connect(server.addr);
        let request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        read_response(&mut stream, method == "HEAD")
    };
    let exchange = |method: &str, path: &str| exchange_with(method, path, "");
    // Every header but the date, on every page and file of the site.
    let without_date = |r: &Response| -> Vec<String> {
        let mut lines: Vec<String> = r.head.split("\r\n").skip(1).map(str::to_string).collect();
        lines.retain(|l| !l.to_ascii_lowercase().starts_with("date:"));
        lines.sort();
        lines
    };
    for path in [
        "/",
        "/layanan/",
        "/layanan/fasilitasi-usaha-mikro/",
        "/permohonan/",
        "/pengaduan-layanan/",
        "/pengaduan-layanan/formulir/",
        "/sitemap.xml",
        "/favicon.svg",
        "/layanan/index.html",
    ] {
        let (get, head) = (exchange("GET", path), exchange("HEAD", path));
        assert_eq!(get.status, 200, "{path}");
        assert_eq!(without_date(&head), without_date(&get), "{path}");
        assert!(head.body.is_empty(), "HEAD sent a body on {path}");
        // A condition that does not hold: the answer is built afresh, the same.
        let fresh = exchange_with("GET", path, "If-None-Match: \"other\"\r\n");
        assert_eq!(without_date(&fresh), without_date(&get), "{path}");
        assert_eq!(fresh.body, get.body, "{path}");
    }
    let get = exchange("GET", "/css/site.css");
    let head = exchange("HEAD", "/css/site.css");
    assert_eq!(head.status, 200);
    assert!(!get.body.is_empty());
    for name in [
        "content-type",
        "content-length",
        "etag",
        "last-modified",
        "cache-control",
    ] {
        assert!(get.header(name).is_some(), "GET has no {name}");
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    assert_eq!(head.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(head.body.is_empty(), "HEAD sent a body");
}

/// Posts a short complaint with these `X-Forwarded-For` lines; the status.
fn post_forwarded(addr: SocketAddr, forwarded: &[&str]) -> u16 {
    let body = "nama=Budi&kontak=0812+3456+7890&isi=Antrean+lama&persetujuan=ya";
    let mut request =
        "POST /pengaduan-layanan/formulir/ HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_string();
    for line in forwarded {
        request.push_str(&format!("X-Forwarded-For: {line}\r\n"));
    }
    request.push_str(&format!(
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = connect(addr);
    stream.write_all(request.as_bytes()).unwrap();
    read_response(&mut stream, false).status
}

#[test]
fn two_forwarded_for_lines_count_by_the_right_most_address() {
    let server = Server::start_with(&["--rate-limit", "1", "--trust-proxy"]);
    // The client wrote the first line; the proxy added the second.
    assert_eq!(
        post_forwarded(server.addr, &["203.0.113.7", "198.51.100.9"]),
        303
    );
    assert_eq!(
        post_forwarded(server.addr, &["203.0.113.7"]),
        303,
        "203.0.113.7 was not counted"
    );
    assert_eq!(
        post_forwarded(server.addr, &["198.51.100.9"]),
        429,
        "198.51.100.9 was"
    );
}
