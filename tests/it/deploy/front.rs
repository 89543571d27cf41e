//! The proxy in front of loket: nginx with the shipped site, or Caddy with
//! the shipped Caddyfile, run from a temp folder with a self-signed
//! certificate, on free ports.

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::*;
use crate::common::port::KeptPort;
use crate::common::{deploy_file, replace};

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
pub(super) struct Front {
    child: Child,
    dir: tempfile::TempDir,
    pub(super) https: u16,
    pub(super) http: u16,
    /// Its log files in `dir`, to show on failure and to search for addresses.
    logs: &'static [&'static str],
}

impl Front {
    pub(super) fn nginx(nginx: &Path, loket: SocketAddr) -> Front {
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
        // The ports are kept until nginx has bound them, so nothing else
        // takes one meanwhile; a failed start is tried again all the same.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let kept = [KeptPort::new(), KeptPort::new()];
            let [https, http] = kept.each_ref().map(KeptPort::port);
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
    pub(super) fn caddy(caddy: &Path, loket: SocketAddr) -> Front {
        Front::caddy_with_desk(caddy, loket, None)
    }

    /// [`Front::caddy`], and with `desk` (loket's desk listener, and the
    /// one address let in) the desk's site docs/deploy.md says to add,
    /// with the same changes.
    pub(super) fn caddy_with_desk(
        caddy: &Path,
        loket: SocketAddr,
        desk: Option<(SocketAddr, &str)>,
    ) -> Front {
        let dir = dir_with_certificate();
        let d = dir.path();
        let shipped = fs::read_to_string(deploy_file("Caddyfile")).unwrap();
        let mut desk_site = String::new();
        if let Some((desk, office)) = desk {
            let block = caddy_desk_block();
            let mut block = replace(
                &block,
                &format!("{DESK_NAME} {{\n"),
                &format!(
                    "{DESK_NAME} {{\n\ttls {} {}\n",
                    d.join("cert.pem").display(),
                    d.join("key.pem").display()
                ),
                1,
            );
            block = replace(&block, "203.0.113.0/28", office, 1);
            block = replace(
                &block,
                "reverse_proxy 127.0.0.1:8081\n",
                &format!("reverse_proxy {desk}\n"),
                1,
            );
            desk_site = format!("\n{block}");
        }
        let mut failures = Vec::new();
        for _ in 0..3 {
            // Kept until Caddy has bound them, as for nginx.
            let kept = [KeptPort::new(), KeptPort::new(), KeptPort::new()];
            let [https, http, admin] = kept.each_ref().map(KeptPort::port);
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
            config.push_str(&desk_site);
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

    pub(super) fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.dir().join(name)).unwrap_or_default()
    }

    pub(super) fn all_logs(&self) -> String {
        self.logs
            .iter()
            .map(|name| format!("--- {name}\n{}", self.log(name)))
            .collect()
    }
}

/// The Caddy site for the desk in docs/deploy.md ("With Caddy instead, add
/// a second site"): the fenced block that starts with [`DESK_NAME`].
fn caddy_desk_block() -> String {
    let doc = fs::read_to_string(crate::common::repo_root().join("docs/deploy.md")).unwrap();
    let start = doc
        .find(&format!("```\n{DESK_NAME} {{\n"))
        .expect("docs/deploy.md has the desk's Caddy site")
        + 4;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

/// A temp folder holding a self-signed certificate for [`NAME`] and [`DESK_NAME`].
fn dir_with_certificate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", &format!("/CN={NAME}")])
        .args([
            "-addext",
            &format!("subjectAltName=DNS:{NAME},DNS:{DESK_NAME}"),
        ])
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
