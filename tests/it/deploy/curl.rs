//! curl as the citizen's browser: a request to the proxy by name, from a
//! local address of the citizen's own.

use std::fs;
use std::process::Command;

use super::front::Front;
use super::*;

pub(super) struct Reply {
    pub(super) status: u16,
    /// "2" for HTTP/2, "1.1" …
    pub(super) version: String,
    /// The final response's header lines, names lowercased.
    pub(super) headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn body(&self) -> &[u8] {
        &self.body
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request to the proxy by name (resolved to 127.0.0.1) from the local
/// address `from`, over `scheme`; `body` is posted with `content_type`.
pub(super) fn curl(
    front: &Front,
    from: &str,
    scheme: &str,
    path: &str,
    post: Option<(&str, &[u8])>,
    extra_headers: &[&str],
) -> Reply {
    curl_to(front, NAME, from, scheme, path, post, extra_headers)
}

/// [`curl`] to the site `host` of the proxy (the site's [`NAME`], or the
/// desk's [`DESK_NAME`]).
pub(super) fn curl_to(
    front: &Front,
    host: &str,
    from: &str,
    scheme: &str,
    path: &str,
    post: Option<(&str, &[u8])>,
    extra_headers: &[&str],
) -> Reply {
    let port = if scheme == "https" {
        front.https
    } else {
        front.http
    };
    let work = tempfile::tempdir_in(front.dir()).unwrap();
    let (headers_file, body_file) = (work.path().join("headers"), work.path().join("body"));
    let mut cmd = Command::new("curl");
    cmd.args(["--silent", "--show-error", "--max-time", "120"])
        .arg("--cacert")
        .arg(front.dir().join("cert.pem"))
        .args(["--resolve", &format!("{host}:{port}:127.0.0.1")])
        .args(["--interface", from])
        .arg("--dump-header")
        .arg(&headers_file)
        .arg("--output")
        .arg(&body_file)
        .args(["--write-out", "%{http_code} %{http_version}"]);
    for header in extra_headers {
        cmd.args(["--header", header]);
    }
    if let Some((content_type, body)) = post {
        let file = work.path().join("post");
        fs::write(&file, body).unwrap();
        cmd.args(["--header", &format!("Content-Type: {content_type}")])
            .arg("--data-binary")
            .arg(format!("@{}", file.display()));
    }
    let output = cmd
        .arg(format!("{scheme}://{host}:{port}{path}"))
        .output()
        .expect("curl runs");
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "curl {path} from {from}: {}\n{said}\n{}",
        String::from_utf8_lossy(&output.stderr),
        front.all_logs()
    );
    let (status, version) = said.split_once(' ').unwrap();
    let raw = fs::read_to_string(&headers_file).unwrap();
    // 100 Continue and the like come first: the last block is the answer.
    let last = raw
        .split("\r\n\r\n")
        .filter(|b| !b.trim().is_empty())
        .last()
        .unwrap_or("");
    let headers = last
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status: status.parse().unwrap(),
        version: version.to_string(),
        headers,
        body: fs::read(&body_file).unwrap_or_default(),
    }
}
