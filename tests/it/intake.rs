//! Reading a form's body, whatever the client does with it: the real `loket
//! serve` over raw TCP, where a client library would tidy up what we mean to
//! send (chunk sizes, pauses, odd parts). A text field that trickles in is
//! read to its end; a body that stops, or is still arriving at the overall
//! deadline, gets 408; an upload in 1-byte chunks is stored as sent; fields
//! the form does not have are dropped, and no post can make the server hold
//! much memory, however many parts or however long their headers.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::form::*;
use crate::common::server::{PATIENCE, Server};
use crate::common::submit::*;
use loket::forms::{FormSpec, Forms};
use loket::server::intake::max_parts;
use reqwest::StatusCode;

// ---------------------------------------------------------------------------
// Raw HTTP
// ---------------------------------------------------------------------------

struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("server accepts a connection");
    stream.set_nodelay(true).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads one response (up to its Content-Length, or to the end of the
/// stream). A reset after a complete head is fine: the server may close a
/// connection whose body it did not read.
fn read_response(stream: &mut TcpStream) -> Response {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut head_len = None;
    let mut content_length = None;
    loop {
        if let (Some(head), Some(len)) = (head_len, content_length)
            && buf.len() >= head + len
        {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && head_len.is_some() => break,
            Err(e) => panic!("reading the response failed after {} bytes: {e}", buf.len()),
        }
        if head_len.is_none()
            && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
        {
            head_len = Some(end + 4);
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            content_length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
        }
    }
    let head_len = head_len
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..head_len - 4]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("odd response head {head:?}"));
    Response {
        status,
        head,
        body: String::from_utf8_lossy(&buf[head_len..]).into_owned(),
    }
}

fn post_head(path: &str, content_type: &str, len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

fn chunked_head(path: &str, content_type: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
}

/// Sends `head` and `body` while reading the answer at the same time, as a
/// browser does: the server may answer (and close) before it has read the
/// whole body.
fn post_racing(addr: SocketAddr, head: String, body: Vec<u8>) -> Response {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().unwrap();
    let sending = thread::spawn(move || {
        // Broken pipe / reset once the server has answered: expected.
        if writer.write_all(head.as_bytes()).is_ok() {
            for piece in body.chunks(256 * 1024) {
                if writer.write_all(piece).is_err() {
                    return;
                }
            }
        }
    });
    let response = read_response(&mut stream);
    drop(stream);
    sending.join().unwrap();
    response
}

/// `data` in HTTP/1.1 chunked encoding, chunk sizes taken in turn from `sizes`.
fn chunked(data: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at == data.len() {
            break;
        }
        let piece = &data[at..data.len().min(at + size)];
        at += piece.len();
        let mut frame = format!("{:x}\r\n", piece.len()).into_bytes();
        frame.extend_from_slice(piece);
        frame.extend_from_slice(b"\r\n");
        frames.push(frame);
    }
    frames.push(b"0\r\n\r\n".to_vec());
    frames
}

fn assert_ticket(response: &Response, what: &str) -> String {
    assert_eq!(response.status, 303, "{what}: {}", response.body);
    let location = response.header("location").unwrap_or("");
    location
        .strip_prefix("/terkirim/?tiket=")
        .unwrap_or_else(|| panic!("{what}: Location {location:?}"))
        .to_string()
}

fn assert_timed_out(response: &Response, what: &str) {
    assert_eq!(response.status, 408, "{what}: {}", response.body);
    assert!(
        response.body.contains("Waktu pengiriman habis"),
        "{what}: {}",
        response.body
    );
}

fn assert_unreadable(response: &Response, what: &str) {
    assert_eq!(response.status, 400, "{what}: {}", response.body);
    assert!(
        response.body.contains("Formulir tidak dapat dibaca"),
        "{what}: {}",
        response.body
    );
}

/// A valid permohonan whose `uraian` is `uraian`, split around that value.
fn around_uraian(uraian: &str) -> (String, Vec<u8>, Vec<u8>) {
    let form = permohonan_text(&[("uraian", Some(uraian))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(20_000, 4),
    );
    let content_type = form.content_type();
    let body = form.finish();
    let at = body
        .windows(uraian.len())
        .position(|w| w == uraian.as_bytes())
        .expect("the value is in the body");
    let rest = body[at + uraian.len()..].to_vec();
    let mut before = body;
    before.truncate(at);
    (content_type, before, rest)
}

// ---------------------------------------------------------------------------
// The body's time limits: no byte for the idle timeout, or not in by the
// overall deadline
// ---------------------------------------------------------------------------

/// A phone on a weak signal: the description arrives a byte every half
/// second for 6 s, three times the idle timeout, and is stored whole.
#[test]
fn a_text_field_trickling_in_for_longer_than_the_idle_timeout_is_accepted() {
    let server = Server::start_with(&["--rate-limit", "0", "--body-idle-timeout-secs", "2"]);
    let uraian = "Sinyal lemah";
    let (content_type, before, rest) = around_uraian(uraian);
    let len = before.len() + uraian.len() + rest.len();
    let mut stream = connect(server.addr);
    stream
        .write_all(post_head(PERMOHONAN, &content_type, len).as_bytes())
        .unwrap();
    stream.write_all(&before).unwrap();
    let mut sent = Ok(());
    for byte in uraian.bytes() {
        thread::sleep(Duration::from_millis(500));
        sent = sent.and_then(|()| stream.write_all(&[byte]));
    }
    // A write fails if the server has answered already: its answer says why.
    let _ = sent.and_then(|()| stream.write_all(&rest));
    let response = read_response(&mut stream);
    let ticket = assert_ticket(&response, "trickled uraian");
    let record = load_record(&server.data, &ticket);
    assert_eq!(str_at(&record["fields"], "uraian"), uraian);
}

#[test]
fn a_body_that_stops_for_longer_than_the_idle_timeout_gets_408() {
    let server = Server::start_with(&["--rate-limit", "0", "--body-idle-timeout-secs", "1"]);
    // Stopped inside a text field, inside the KTP, and in a urlencoded form.
    let (content_type, before, _) = around_uraian("Berhenti di sini");
    let form = valid_permohonan();
    let whole = form.finish();
    let in_ktp = whole[..whole.len() - 1000].to_vec();
    let urlencoded_part = b"nama=Budi&kontak=0812".to_vec();
    let cases = [
        (
            "in a text field",
            PERMOHONAN,
            content_type.clone(),
            before,
            100_000,
        ),
        ("in the KTP", PERMOHONAN, content_type, in_ktp, whole.len()),
        (
            "urlencoded",
            PENGADUAN_LAYANAN,
            "application/x-www-form-urlencoded".to_string(),
            urlencoded_part,
            1000,
        ),
    ];
    for (what, path, content_type, sent, declared) in cases {
        let mut stream = connect(server.addr);
        stream
            .write_all(post_head(path, &content_type, declared).as_bytes())
            .unwrap();
        stream.write_all(&sent).unwrap();
        let stopped = Instant::now();
        let response = read_response(&mut stream);
        assert_timed_out(&response, what);
        let waited = stopped.elapsed();
        assert!(
            waited >= Duration::from_millis(900),
            "{what}: 408 after only {waited:?}"
        );
    }
    assert_nothing_stored(&server, "bodies that stopped");
}

/// Every byte counts against the idle timeout, but not against the overall
/// deadline: a body still arriving then gets 408.
#[test]
fn a_body_still_arriving_at_the_overall_deadline_gets_408() {
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--body-idle-timeout-secs",
        "2",
        "--body-total-timeout-secs",
        "4",
    ]);
    let (content_type, before, _) = around_uraian("x");
    let mut stream = connect(server.addr);
    let started = Instant::now();
    stream
        .write_all(post_head(PERMOHONAN, &content_type, before.len() + 1_000_000).as_bytes())
        .unwrap();
    stream.write_all(&before).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let trickling = thread::spawn(move || {
        // A byte every half second until the server gives up.
        while writer.write_all(b"x").is_ok() {
            thread::sleep(Duration::from_millis(500));
        }
    });
    let response = read_response(&mut stream);
    let waited = started.elapsed();
    assert_timed_out(&response, "still arriving");
    assert!(
        waited >= Duration::from_millis(3900),
        "408 after only {waited:?}, before the overall deadline"
    );
    drop(stream);
    trickling.join().unwrap();
    assert_nothing_stored(&server, "a body still arriving");
}

// ---------------------------------------------------------------------------
// Chunk sizes are the client's business: 1-byte chunks are read (and
// stored) like any others
// ---------------------------------------------------------------------------

#[test]
fn an_upload_in_tiny_chunks_is_stored_byte_for_byte() {
    let server = Server::start();
    // 1-byte chunks in bulk and one write each; sizes around the server's
    // own thresholds (8 KB copied or not, 64 KB gathered) mixed.
    let cases: [(&str, &[usize], bool); 3] = [
        ("1-byte chunks in large writes", &[1], false),
        ("1-byte chunks, a write each", &[1], true),
        (
            "mixed sizes",
            &[1, 8191, 8192, 3, 70_000, 65_536, 2, 100_000],
            true,
        ),
    ];
    for (n, (what, sizes, write_each)) in cases.into_iter().enumerate() {
        // A PDF: kept byte for byte, so the chunking is seen to lose nothing.
        let ktp = pdf(200_000, 10 + n as u64);
        let uraian = format!("Unggahan dalam potongan kecil, nomor {n}.");
        let form = permohonan_text(&[("uraian", Some(&uraian))]).file(
            "ktp",
            "ktp.pdf",
            "application/pdf",
            &ktp,
        );
        let head = chunked_head(PERMOHONAN, &form.content_type());
        let frames = chunked(&form.finish(), sizes);
        let mut stream = connect(server.addr);
        stream.write_all(head.as_bytes()).unwrap();
        if write_each {
            for frame in &frames {
                stream.write_all(frame).unwrap();
            }
        } else {
            stream.write_all(&frames.concat()).unwrap();
        }
        let response = read_response(&mut stream);
        let ticket = assert_ticket(&response, what);
        let stored = assert_stored_file(&server.data, &ticket, "ktp.pdf", &ktp);
        let record = load_record(&server.data, &ticket);
        assert_eq!(str_at(&record["fields"], "uraian"), uraian, "{what}");
        assert_eq!(
            str_at(&record["attachments"][0], "sha256"),
            sha256_hex(&stored),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------
// Fields the form does not have, and what one post can make the server hold
// ---------------------------------------------------------------------------

#[tokio::test]
async fn fields_the_form_does_not_have_are_read_and_dropped() {
    let server = Server::start();
    let form = valid_permohonan()
        .text("utm_source", "whatsapp")
        .text("utm_source", "whatsapp")
        .file("foto_tambahan", "x.jpg", "image/jpeg", &jpeg(30_000, 5))
        .text("catatan_ekstensi", "diisi oleh ekstensi peramban");
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    let ticket = ticket_from(response).await;
    let record = load_record(&server.data, &ticket);
    let text = std::fs::read_to_string(record_path(&server.data, &ticket)).unwrap();
    for dropped in [
        "utm_source",
        "whatsapp",
        "foto_tambahan",
        "catatan_ekstensi",
    ] {
        assert!(!text.contains(dropped), "{dropped} in\n{text}");
    }
    assert_eq!(record["attachments"].as_sequence().unwrap().len(), 1);
}

#[tokio::test]
async fn a_post_with_more_fields_than_its_form_can_have_gets_400() {
    let server = Server::start();
    let most = max_parts(fixture_form("permohonan"));
    // The valid permohonan has 11 parts.
    let with_extra = |extra: usize| {
        (0..extra).fold(valid_permohonan(), |form, i| {
            form.text(&format!("tambahan_{i}"), "x")
        })
    };
    let form = with_extra(most - 11);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    ticket_from(response).await;

    let form = with_extra(most - 11 + 1);
    let response = post_multipart(&client(), &server.url(PERMOHONAN), form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert!(html.contains("Formulir tidak dapat dibaca"), "{html}");
    assert_eq!(yaml_records(&server.data).len(), 1);

    let mut pairs: Vec<(String, String)> = [("nama", "Budi"), ("kontak", PHONE), ("isi", "x")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.extend(
        (0..max_parts(fixture_form("pengaduan-layanan"))).map(|i| (format!("t{i}"), "x".into())),
    );
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = post_raw(
        &client(),
        &server.url(PENGADUAN_LAYANAN),
        "application/x-www-form-urlencoded",
        urlencoded(&pairs),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "urlencoded");
}

/// Posts `body` from `clients` connections at once; returns how much the
/// server's peak memory grew, in MB, and the answers.
fn peak_growth_posting(server: &Server, clients: usize, body: &[u8]) -> (u64, Vec<Response>) {
    let before = server.peak_rss_mb();
    let content_type = Multipart::new().content_type();
    let posts: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, body) = (server.addr, body.to_vec());
            let head = post_head(PERMOHONAN, &content_type, body.len());
            thread::spawn(move || post_racing(addr, head, body))
        })
        .collect();
    let responses = posts.into_iter().map(|p| p.join().unwrap()).collect();
    let growth = server.peak_rss_mb().saturating_sub(before);
    eprintln!("peak memory: {before} MB, grew by {growth} MB");
    (growth, responses)
}

/// Each post: 2,000 empty parts with distinct 8,000-byte names, 16 MB in
/// all (under the permohonan's 21 MB body limit). The server used to keep
/// every name it saw (20 such posts took it past 300 MB).
#[test]
fn many_parts_with_long_names_do_not_make_the_server_hold_them() {
    let server = Server::start();
    let mut form = Multipart::new();
    for i in 0..2000 {
        form = form.text(&format!("{i:04}{}", "n".repeat(7996)), "");
    }
    let body = form.finish();
    assert!(body.len() > 16_000_000);
    let (growth, responses) = peak_growth_posting(&server, 20, &body);
    assert!(growth < 64, "peak memory grew by {growth} MB");
    for response in responses {
        assert_unreadable(&response, "2,000 long names");
    }
    assert_nothing_stored(&server, "2,000 long names");
}

/// A part's headers that never end, or 16 MB before the first boundary:
/// the multipart parser holds everything until it finds their end, so the
/// server stops reading long before.
#[test]
fn part_headers_or_a_preamble_that_never_end_are_not_held() {
    let server = Server::start();
    let boundary = Multipart::new().content_type();
    let boundary = boundary.split("boundary=").nth(1).unwrap();
    let filler = "a".repeat(16 << 20);
    let endless_header = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"nama\"\r\nX-Isian: {filler}"
    );
    let (growth, responses) = peak_growth_posting(&server, 10, endless_header.as_bytes());
    assert!(
        growth < 64,
        "endless header: peak memory grew by {growth} MB"
    );
    for response in responses {
        assert_unreadable(&response, "endless header");
    }
    let mut preamble = filler.into_bytes();
    preamble.extend_from_slice(b"\r\n");
    preamble.extend_from_slice(&valid_permohonan().finish());
    let (growth, responses) = peak_growth_posting(&server, 10, &preamble);
    assert!(growth < 64, "preamble: peak memory grew by {growth} MB");
    for response in responses {
        assert_unreadable(&response, "16 MB preamble");
    }
    assert_nothing_stored(&server, "endless headers and preambles");
}

/// The fixture site's form `id`.
fn fixture_form(id: &str) -> std::sync::Arc<FormSpec> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    Forms::load(&root).0.get(id).unwrap().clone()
}
