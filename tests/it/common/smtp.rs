//! A real SMTP server for tests: Debian's aiosmtpd (`python3-aiosmtpd`,
//! installed by `.ci/run`) with a small handler that appends each message
//! it accepts, parsed by Python's `email` package, as one JSON line to a
//! file the test reads. [`SmtpServer::start_tls`] starts one that requires
//! STARTTLS (with a certificate made by openssl for the test) and AUTH.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::port::KeptPort;
use super::skip::skipped;

/// Debian's Python, which has Debian's aiosmtpd (another python3 on the
/// PATH may not).
const PYTHON: &str = "/usr/bin/python3";

const HANDLER: &str = r#"
import email, json, logging, os, ssl, sys, threading
from email import policy
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

class Sink:
    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "subject": str(msg.get("subject", "")),
            "message_id": str(msg.get("message-id", "")),
            "reply_to": str(msg.get("reply-to", "") or ""),
            "body": part.get_content() if part is not None else "",
            "raw": envelope.content.decode("utf-8", "replace"),
            "auth_login": session.auth_data if session.authenticated else None,
        }
        with self.lock, open(self.out, "a") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return "250 OK"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"loket"
        and auth_data.password == PASSWORD.encode()
    )
    if ok:
        return AuthResult(success=True, auth_data="loket")
    return AuthResult(success=False, handled=False)

port, out = int(sys.argv[1]), sys.argv[2]
kwargs = {}
if len(sys.argv) > 3:
    # STARTTLS required before anything else, and AUTH before mail.
    cert, key, PASSWORD = sys.argv[3], sys.argv[4], sys.argv[5]
    # aiosmtpd warns about its own use of a deprecated field on each AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    kwargs = dict(
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
controller = Controller(Sink(out), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("ready", flush=True)
threading.Event().wait()
"#;

/// One message as the server received it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub subject: String,
    pub message_id: String,
    pub reply_to: String,
    /// The text, decoded, with `\n` line ends.
    pub body: String,
    /// The message as sent, headers and encoded body.
    pub raw: String,
    /// The user that authenticated before sending it, if any.
    pub auth_login: Option<String>,
}

/// What a TLS server needs, made by openssl for one test: a CA
/// (`ca.pem`, for the client to trust) and a certificate for 127.0.0.1
/// signed by it.
pub struct TestCa {
    dir: tempfile::TempDir,
}

impl TestCa {
    pub fn new() -> TestCa {
        let dir = tempfile::tempdir().unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl runs");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
        let args =
            |line: String| -> Vec<String> { line.split_whitespace().map(str::to_string).collect() };
        let run = |line: String, extra: &[&str]| {
            let mut all = args(line);
            all.extend(extra.iter().map(|s| s.to_string()));
            openssl(&all.iter().map(String::as_str).collect::<Vec<_>>());
        };
        run(
            format!("req -x509 {key} -keyout ca.key -out ca.pem -days 2"),
            &["-subj", "/CN=loket test CA"],
        );
        run(
            format!("req {key} -keyout server.key -out server.csr"),
            &["-subj", "/CN=127.0.0.1"],
        );
        fs::write(
            dir.path().join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]);
        TestCa { dir }
    }

    /// The CA's certificate, for `SSL_CERT_FILE`.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

/// Whether aiosmtpd is there (after a `SKIPPED:` line if not; under CI a
/// failure instead).
pub fn unavailable(what: &str) -> bool {
    skipped(what, &missing(false), true)
}

/// [`unavailable`], for a server with TLS: openssl too, for [`TestCa`].
pub fn unavailable_tls(what: &str) -> bool {
    skipped(what, &missing(true), true)
}

fn missing(tls: bool) -> Vec<String> {
    let ok = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    let mut missing = Vec::new();
    if !ok {
        missing.push("python3-aiosmtpd (Debian's /usr/bin/python3 with aiosmtpd)".to_string());
    }
    let openssl = || {
        Command::new("openssl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if tls && !openssl() {
        missing.push("openssl".to_string());
    }
    missing
}

/// A running SMTP server; killed when dropped. What it received stays in
/// its file across a restart on the same port ([`SmtpServer::restart`]).
pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    /// The port's socket, kept as long as the server, so that nothing else
    /// takes the port while the relay is down or starting again.
    _kept: KeptPort,
    /// Certificate, key and the one password taken, when TLS and AUTH are
    /// required.
    tls: Option<[String; 3]>,
}

impl SmtpServer {
    /// Starts one on a port of its own.
    pub fn start() -> SmtpServer {
        SmtpServer::start_as(None)
    }

    /// Starts one that requires STARTTLS, with `ca`'s certificate, then AUTH
    /// as `loket` with `password`, before it takes mail.
    pub fn start_tls(ca: &TestCa, password: &str) -> SmtpServer {
        let tls = [ca.cert(), ca.key()].map(|p| p.display().to_string());
        let [cert, key] = tls;
        SmtpServer::start_as(Some([cert, key, password.to_string()]))
    }

    /// One that is down until [`SmtpServer::restart`]: mail to its port is
    /// refused meanwhile, however long the test runs.
    pub fn down() -> SmtpServer {
        SmtpServer::made(None)
    }

    fn start_as(tls: Option<[String; 3]>) -> SmtpServer {
        let mut server = SmtpServer::made(tls);
        server.launch();
        server
    }

    fn made(tls: Option<[String; 3]>) -> SmtpServer {
        let kept = KeptPort::new();
        let port = kept.port();
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("sink.py"), HANDLER).unwrap();
        SmtpServer {
            child: None,
            port,
            dir,
            tls,
            _kept: kept,
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("received.jsonl")
    }

    fn launch(&mut self) {
        let mut child = Command::new(PYTHON)
            .arg(self.dir.path().join("sink.py"))
            .arg(self.port.to_string())
            .arg(self.out())
            .args(self.tls.iter().flatten())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.trim() == "ready" {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(20)).is_err() {
            let _ = child.kill();
            panic!("the SMTP server did not start on port {}", self.port);
        }
        self.child = Some(child);
    }

    /// Stops it, as a relay going down would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port, keeping what it received.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// What it received so far, in order (a line still being written is
    /// left for the next look).
    pub fn received(&self) -> Vec<Mail> {
        let text = fs::read_to_string(self.out()).unwrap_or_default();
        text.split_inclusive('\n')
            .filter(|l| l.ends_with('\n') && !l.trim().is_empty())
            .map(|l| {
                let mut mail: Mail = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                mail.body = mail.body.replace("\r\n", "\n");
                mail
            })
            .collect()
    }

    /// Waits until it has received at least `n` messages (at most
    /// `patience`), then returns them all.
    pub fn wait_for(&self, n: usize, patience: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + patience;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages arrived within {patience:?}: {:#?}",
                got.len(),
                got.iter().map(|m| &m.subject).collect::<Vec<_>>()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
