//! Raw HTTP/1.1 over TCP, for requests a client library would tidy up
//! (paths, lengths, slow or chunked bodies) and answers read byte for byte.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::server::PATIENCE;
// ---------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------

/// A response read off a raw socket.
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("server accepts a connection");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads one response: up to its Content-Length, or to the end of the stream.
/// A reset after a complete response is fine (the server may close a
/// connection whose body it did not read).
pub fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut head_len = None;
    let mut content_length = None;
    loop {
        if let Some(head) = head_len
            && let Some(len) = content_length
            && buf.len() >= head + len
        {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && head_len.is_some() => break,
            Err(e) => panic!(
                "reading the response failed after {} bytes: {e}\n{}",
                buf.len(),
                String::from_utf8_lossy(&buf)
            ),
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
    let head_len = head_len.unwrap_or_else(|| {
        panic!(
            "no complete response head in {:?}",
            String::from_utf8_lossy(&buf)
        )
    });
    let head = String::from_utf8_lossy(&buf[..head_len - 4]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("odd status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    let mut body = buf[head_len..].to_vec();
    if let Some(len) = content_length {
        body.truncate(len);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

/// Sends `request` verbatim on a fresh connection and reads the response.
pub fn raw_exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    read_response(&mut stream)
}

/// `GET target` with the request target written exactly as given.
pub fn raw_get(addr: SocketAddr, target: &str) -> RawResponse {
    raw_exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// POST head for a body of `len` bytes.
pub fn post_head(path: &str, content_type: &str, len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

/// Sends a POST with a chunked body (no Content-Length, so only the body
/// itself can tell its size) while reading the answer at the same time, as a
/// browser does: the server may answer (and close) before it has read the
/// whole body.
pub fn raw_post_chunked_racing(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> RawResponse {
    let mut stream = connect(addr);
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = thread::spawn(move || {
        // Broken pipe / reset once the server has answered: expected.
        for chunk in body.chunks(64 * 1024) {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(chunk);
            framed.extend_from_slice(b"\r\n");
            if writer.write_all(&framed).is_err() {
                return;
            }
        }
        let _ = writer.write_all(b"0\r\n\r\n");
    });
    let response = read_response(&mut stream);
    drop(stream);
    sending.join().unwrap();
    response
}
