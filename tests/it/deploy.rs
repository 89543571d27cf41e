//! The deploy kit of `deploy/` against the real thing.
//!
//! - Debian's nginx runs the shipped `deploy/nginx/loket.conf`, and Caddy
//!   the shipped `deploy/Caddyfile`, with only their ports, paths and
//!   certificate changed (mechanically: every replacement must match, and
//!   none of nginx's production values may be left), in front of the real
//!   `loket serve --trust-proxy 127.0.0.1`. curl talks HTTPS to them from
//!   127.0.0.2, 127.0.0.3 and 127.0.0.4, so the proxy sees three citizens,
//!   as it would on the internet: a 4.9 MB KTP is stored byte for byte, a
//!   6 MB photo gets loket's own form back (not nginx's 413), the rate limit
//!   counts per citizen whatever they write in X-Forwarded-For, HSTS is on,
//!   plain HTTP redirects (nginx: and serves ACME challenges), and no
//!   citizen's address is logged.
//! - `systemd-analyze verify` and `security --offline` on the shipped unit.
//! - The body limits of the nginx site and the Caddyfile against loket's.
//!
//! Needs nginx, caddy, curl and openssl (`.ci/run` installs them); without
//! one a proxy test is skipped with a loud message, except under CI (`CI`
//! set), where that is a failure. Without systemd-analyze the unit checks are
//! skipped loudly, under CI too (`.ci/run` does not install systemd; Debian
//! images have it).

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::form::{PENGADUAN_LAYANAN, PERMOHONAN, jpeg, permohonan_text, sha256_hex};
use crate::common::server::Server;
use crate::common::skip::skipped;
use crate::common::submit::{assert_nothing_stored, load_record, record_path, urlencoded};
use crate::common::{deploy_file, program, replace};

/// The site's name in the shipped files, and the one the test certificate is for.
const NAME: &str = "layanan.example.go.id";
/// Longest wait for nginx to accept connections.
const PATIENCE: Duration = Duration::from_secs(30);
const MB: usize = 1024 * 1024;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------
// nginx with the shipped site
// ---------------------------------------------------------------------------

/// The shipped site with only what differs here changed: ports on
/// 127.0.0.1 (no IPv6 wildcard listeners), the certificate, the ACME
/// webroot, and loket's port.
fn site_for_test(shipped: &str, dir: &Path, https: u16, http: u16, loket: SocketAddr) -> String {
    let d = dir.display();
    let mut site = shipped.to_string();
    for (from, to, times) in [
        ("listen 80;", format!("listen 127.0.0.1:{http};"), 1),
        ("listen [::]:80;", String::new(), 1),
        (
            "listen 443 ssl http2;",
            format!("listen 127.0.0.1:{https} ssl http2;"),
            1,
        ),
        ("listen [::]:443 ssl http2;", String::new(), 1),
        (
            "/etc/letsencrypt/live/layanan.example.go.id/fullchain.pem;",
            format!("{d}/cert.pem;"),
            1,
        ),
        (
            "/etc/letsencrypt/live/layanan.example.go.id/privkey.pem;",
            format!("{d}/key.pem;"),
            1,
        ),
        ("root /var/www/html;", format!("root {d}/www;"), 1),
        (
            "proxy_pass http://127.0.0.1:8080;",
            format!("proxy_pass http://{loket};"),
            1,
        ),
    ] {
        site = replace(&site, from, &to, times);
    }
    for production in ["/etc/", "/var/", ":8080", " 80;", " 443 ", "[::]"] {
        let left: Vec<&str> = site
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(production))
            .collect();
        assert!(left.is_empty(), "{production:?} left in the site: {left:?}");
    }
    site
}

/// Around the site, what Debian's /etc/nginx/nginx.conf sets in `http`
/// (the context the site is included in), with the process's own files in
/// `dir`. One process (no master and workers): nothing outlives the test.
fn wrapper_conf(dir: &Path) -> String {
    let d = dir.display();
    let mime = if Path::new("/etc/nginx/mime.types").is_file() {
        "include /etc/nginx/mime.types;"
    } else {
        ""
    };
    format!(
        "daemon off;
master_process off;
pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    {mime}
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {d}/access.log;
    gzip on;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {d}/loket.conf;
}}
"
    )
}

/// A proxy running a shipped configuration from a temp folder, in front
/// of loket: nginx or Caddy.
struct Front {
    child: Child,
    dir: tempfile::TempDir,
    https: u16,
    http: u16,
    /// Its log files in `dir`, to show on failure and to search for addresses.
    logs: &'static [&'static str],
}

impl Front {
    fn nginx(nginx: &Path, loket: SocketAddr) -> Front {
        let dir = dir_with_certificate();
        let d = dir.path();
        fs::create_dir_all(d.join("tmp")).unwrap();
        fs::create_dir_all(d.join("www/.well-known/acme-challenge")).unwrap();
        let shipped = fs::read_to_string(deploy_file("nginx/loket.conf")).unwrap();
        let command = |extra: &[&str]| {
            let mut cmd = Command::new(nginx);
            cmd.arg("-p")
                .arg(d)
                .arg("-e")
                .arg(d.join("error.log"))
                .arg("-c")
                .arg(d.join("nginx.conf"))
                .args(extra);
            cmd
        };
        // Ports are free when picked; another program could take one before
        // nginx binds it, so a failed start is tried again on new ones.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let (https, http) = (free_port(), free_port());
            fs::write(
                d.join("loket.conf"),
                site_for_test(&shipped, d, https, http, loket),
            )
            .unwrap();
            fs::write(d.join("nginx.conf"), wrapper_conf(d)).unwrap();
            let tested = command(&["-t"]).output().expect("nginx -t runs");
            assert!(
                tested.status.success(),
                "nginx -t refuses the shipped site:\n{}",
                String::from_utf8_lossy(&tested.stderr)
            );
            let mut child = command(&[])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nginx starts");
            // Both listeners: one may come up a moment after the other.
            match wait_ready(&mut child, https).and_then(|()| wait_ready(&mut child, http)) {
                Ok(()) => {
                    return Front {
                        child,
                        dir,
                        https,
                        http,
                        logs: &["access.log", "error.log"],
                    };
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = fs::read_to_string(d.join("error.log")).unwrap_or_default();
                    failures.push(format!("{e}; error.log:\n{log}"));
                }
            }
        }
        panic!("nginx did not start:\n{}", failures.join("\n"));
    }

    /// Caddy with the shipped Caddyfile: its certificate, ports, loket's
    /// address and its own folders given, nothing else.
    fn caddy(caddy: &Path, loket: SocketAddr) -> Front {
        let dir = dir_with_certificate();
        let d = dir.path();
        let shipped = fs::read_to_string(deploy_file("Caddyfile")).unwrap();
        let mut failures = Vec::new();
        for _ in 0..3 {
            let (https, http, admin) = (free_port(), free_port(), free_port());
            let mut config = shipped.clone();
            for (from, to) in [
                (
                    "\temail admin@example.go.id\n",
                    format!(
                        "\temail admin@example.go.id\n\thttp_port {http}\n\thttps_port {https}\n\tdefault_bind 127.0.0.1\n\tadmin 127.0.0.1:{admin}\n\tstorage file_system {}\n",
                        d.join("data").display()
                    ),
                ),
                (
                    "layanan.example.go.id {\n",
                    format!(
                        "layanan.example.go.id {{\n\ttls {} {}\n",
                        d.join("cert.pem").display(),
                        d.join("key.pem").display()
                    ),
                ),
                (
                    "reverse_proxy 127.0.0.1:8080\n",
                    format!("reverse_proxy {loket}\n"),
                ),
            ] {
                config = replace(&config, from, &to, 1);
            }
            fs::write(d.join("Caddyfile"), config).unwrap();
            let log = fs::File::create(d.join("caddy.log")).unwrap();
            let mut child = Command::new(caddy)
                .args(["run", "--adapter", "caddyfile", "--config"])
                .arg(d.join("Caddyfile"))
                .env("HOME", d)
                .env("XDG_DATA_HOME", d.join("data"))
                .env("XDG_CONFIG_HOME", d.join("config"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("caddy starts");
            // Both listeners: one may come up a moment after the other.
            match wait_ready(&mut child, https).and_then(|()| wait_ready(&mut child, http)) {
                Ok(()) => {
                    return Front {
                        child,
                        dir,
                        https,
                        http,
                        logs: &["caddy.log"],
                    };
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = fs::read_to_string(d.join("caddy.log")).unwrap_or_default();
                    failures.push(format!("{e}; caddy.log:\n{log}"));
                }
            }
        }
        panic!("caddy did not start:\n{}", failures.join("\n"));
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.dir().join(name)).unwrap_or_default()
    }

    fn all_logs(&self) -> String {
        self.logs
            .iter()
            .map(|name| format!("--- {name}\n{}", self.log(name)))
            .collect()
    }
}

/// A temp folder holding a self-signed certificate for [`NAME`].
fn dir_with_certificate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", &format!("/CN={NAME}")])
        .args(["-addext", &format!("subjectAltName=DNS:{NAME}")])
        .arg("-keyout")
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .output()
        .expect("openssl runs");
    assert!(
        openssl.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&openssl.stderr)
    );
    dir
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `port` accepts, or the process ends.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Err(format!("exited: {status}"));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nothing listens on {port} after {PATIENCE:?}"));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------
// curl as the citizen's browser
// ---------------------------------------------------------------------------

struct Reply {
    status: u16,
    /// "2" for HTTP/2, "1.1" …
    version: String,
    /// The final response's header lines, names lowercased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request to the proxy by name (resolved to 127.0.0.1) from the local
/// address `from`, over `scheme`; `body` is posted with `content_type`.
fn curl(
    front: &Front,
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
        .args(["--resolve", &format!("{NAME}:{port}:127.0.0.1")])
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
        .arg(format!("{scheme}://{NAME}:{port}{path}"))
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

/// A KTP scanned to PDF, `len` bytes: one page showing one grey image whose
/// samples are all 0x80–0xFF (so no PDF keyword can appear in them), with a
/// correct cross-reference table. A PDF, not a photo, because a PDF is kept
/// byte for byte also once uploads are sanitized (photos are re-encoded), so
/// the stored file can be compared with what was sent.
fn ktp_pdf(len: usize, seed: u32) -> Vec<u8> {
    const WIDTH: usize = 1000;
    let height = (len - 1000) / WIDTH;
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    let samples: Vec<u8> = (0..WIDTH * height)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as u8) | 0x80
        })
        .collect();
    let content = format!("q {WIDTH} 0 0 {height} 0 0 cm /Im1 Do Q");
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {WIDTH} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
        samples.len()
    )
    .into_bytes();
    image.extend(&samples);
    image.extend(b"\nendstream");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {height}] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
        )
        .into_bytes(),
        image,
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
    ];
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

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
        "Ukuran berkas fotokopi KTP 6 MB; paling besar 5 MB. Perkecil foto",
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
    assert!(limited.text().contains("Terlalu banyak kiriman"));

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

    // HTTP: to HTTPS, the same path and query.
    let plain = curl(&front, CITIZEN, "http", "/layanan/?a=1", None, &[]);
    assert_eq!(plain.status, 308);
    assert_eq!(
        plain.header("location"),
        Some(format!("https://{NAME}/layanan/?a=1").as_str())
    );

    citizens_through(&front, loket);
}

// ---------------------------------------------------------------------------
// Body limits
// ---------------------------------------------------------------------------

/// loket's largest body with its default limits, over both forms.
fn lokets_largest_body() -> u64 {
    let limits = loket::server::Limits::default().intake();
    loket::forms::FormKind::ALL
        .iter()
        .map(|&kind| loket::server::intake::max_body(kind, &limits))
        .max()
        .unwrap()
}

/// "64m", "40MiB" in bytes.
fn size(text: &str) -> u64 {
    let text = text.trim().trim_end_matches(';');
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u64 = digits.parse().unwrap();
    let unit = match &text[digits.len()..] {
        "k" | "K" | "KiB" => 1024,
        "m" | "M" | "MiB" => 1024 * 1024,
        "g" | "G" | "GiB" => 1024 * 1024 * 1024,
        "MB" => 1000 * 1000,
        other => panic!("unit {other:?} in {text:?}"),
    };
    n * unit
}

fn directive_values<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(name))
        .filter(|rest| rest.starts_with(' '))
        .map(str::trim)
        .collect()
}

#[test]
fn proxies_take_bodies_larger_than_lokets_largest() {
    let largest = lokets_largest_body();
    assert_eq!(
        largest,
        76 * MB as u64,
        "the README and nginx site say 76 MB"
    );
    let nginx = fs::read_to_string(deploy_file("nginx/loket.conf")).unwrap();
    let values = directive_values(&nginx, "client_max_body_size");
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(size(values[0]) > largest, "nginx: {}", values[0]);
    let caddy = fs::read_to_string(deploy_file("Caddyfile")).unwrap();
    let values = directive_values(&caddy, "max_size");
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(size(values[0]) > largest, "Caddy: {}", values[0]);
}

#[test]
fn the_pdf_made_here_is_one_loket_keeps_byte_for_byte() {
    // The KTP of the nginx test must survive sanitizing unchanged, or its
    // byte-for-byte check would fail for the wrong reason.
    let pdf = ktp_pdf(64 * 1024, 3);
    let dir = tempfile::tempdir().unwrap();
    let (raw, kept) = (dir.path().join("raw"), dir.path().join("kept"));
    fs::write(&raw, &pdf).unwrap();
    let sanitizer = loket::cases::sanitize::Sanitizer::new(Default::default());
    let result = sanitizer
        .sanitize(loket::forms::validate::FileType::Pdf, &raw, &kept)
        .expect("kept");
    assert_eq!(result.sha256, sha256_hex(&pdf));
    assert_eq!(fs::read(&kept).unwrap(), pdf);
}
