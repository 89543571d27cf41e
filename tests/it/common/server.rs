//! A running `loket serve` for tests: the real binary on a temp copy of the
//! shipped site, with its own data folder.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::TempSite;

/// Longest wait for the server to say it is listening, or to exit.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `loket serve` on its own copy of the shipped site, with its own
/// data folder; killed when dropped.
pub struct Server {
    /// Taken back by [`Server::kill`] to start again on the same folders.
    site: Option<TempSite>,
    child: Child,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The staff desk's listener (`--desk-addr`, a free port unless the
    /// test says otherwise; `None` with `--desk-addr off`).
    pub desk: Option<SocketAddr>,
    pub data: PathBuf,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// A server without a rate limit (most tests post more than it allows).
    pub fn start() -> Server {
        Server::start_with(&["--rate-limit", "0"])
    }

    /// A server with these extra `loket serve` arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        let site = TempSite::fixture();
        let data = site.root().join("data");
        Server::launch(site, data, extra)
    }

    /// A server on `site`, storing into `data`.
    pub fn launch(site: TempSite, data: PathBuf, extra: &[&str]) -> Server {
        Server::launch_with(super::loket(), site, data, extra)
    }

    /// A server without a rate limit whose clock reads `wib` at start
    /// ([`super::loket_at`]).
    pub fn start_at(wib: &str) -> Server {
        let site = TempSite::fixture();
        let data = site.root().join("data");
        Server::launch_with(super::loket_at(wib), site, data, &["--rate-limit", "0"])
    }

    /// A server run by `command` (the `loket` binary, set up as wanted).
    pub fn launch_with(
        mut command: Command,
        site: TempSite,
        data: PathBuf,
        extra: &[&str],
    ) -> Server {
        // Every server its own desk port: the default (8081) is one per machine.
        let desk_default: &[&str] = match extra.contains(&"--desk-addr") {
            true => &[],
            false => &["--desk-addr", "127.0.0.1:0"],
        };
        let desk_off = extra.windows(2).any(|w| w == ["--desk-addr", "off"]);
        // Mail refuses a site whose links point at this machine: mail goes
        // out from a site an office has settled (public base_url, privacy).
        if extra.contains(&"--smtp-url") {
            site.settle_config();
        }
        let mut child = command
            .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
            .arg("--data")
            .arg(&data)
            .args(desk_default)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("loket serve starts");

        // loket logs where it listens, as text or JSON, on stderr.
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let mut pipe = BufReader::new(child.stderr.take().unwrap());
        let sink = stderr.clone();
        let stderr_reader = thread::spawn(move || {
            let mut line = Vec::new();
            while pipe.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let text = String::from_utf8_lossy(&line);
                for said in ["Listening on http://", "Desk on http://"] {
                    if let Some(at) = text.find(said) {
                        let _ = ready_tx.send(text[at..].trim_end().to_string());
                    }
                }
                sink.lock().unwrap().extend_from_slice(&line);
                line.clear();
            }
        });
        // Nothing is said on stdout: a stray line goes with stderr's, marked.
        let stdout = child.stdout.take().unwrap();
        let sink = stderr.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut all = sink.lock().unwrap();
                all.extend_from_slice(format!("stdout: {line}\n").as_bytes());
            }
        });

        let line = match ready_rx.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = stderr_reader.join();
                panic!(
                    "loket serve did not report ready ({e}); stderr:\n{}",
                    String::from_utf8_lossy(&stderr.lock().unwrap())
                );
            }
        };
        // "Listening on http://127.0.0.1:PORT/ (submissions go to ...)"
        let url = line["Listening on ".len()..]
            .split_whitespace()
            .next()
            .unwrap();
        let addr: SocketAddr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .unwrap_or_else(|| panic!("odd ready line {line:?}"))
            .parse()
            .unwrap_or_else(|e| panic!("odd address in {line:?}: {e}"));
        assert!(
            line.contains(&data.display().to_string()),
            "ready line names the data folder: {line}"
        );
        // "Desk on http://127.0.0.1:PORT/ (...)", right after.
        let desk = match desk_off {
            true => None,
            false => {
                let line = ready_rx
                    .recv_timeout(PATIENCE)
                    .unwrap_or_else(|e| panic!("loket serve did not say where the desk is ({e})"));
                let url = line
                    .strip_prefix("Desk on http://")
                    .and_then(|rest| rest.split('/').next())
                    .unwrap_or_else(|| panic!("odd desk line {line:?}"));
                Some(
                    url.parse()
                        .unwrap_or_else(|e| panic!("odd address in {line:?}: {e}")),
                )
            }
        };
        Server {
            site: Some(site),
            child,
            addr,
            desk,
            base: format!("http://{addr}"),
            data,
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far (VmHWM), in MB.
    pub fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmHWM in {status}"));
        kb / 1024
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A URL on the staff desk's listener.
    pub fn desk_url(&self, path: &str) -> String {
        let desk = self.desk.expect("this server has a desk");
        format!("http://{desk}{path}")
    }

    pub fn site(&self) -> &TempSite {
        self.site.as_ref().expect("the site is there until kill")
    }

    pub fn public(&self) -> PathBuf {
        self.site().out()
    }

    /// Kills the server with SIGKILL, as a crash would, and hands back its
    /// folders for a restart.
    pub fn kill(mut self) -> TempSite {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.site.take().expect("the site is there until kill")
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM, as a service manager would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit on its own.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server still running {PATIENCE:?} after it was asked to stop; stderr:\n{}",
                self.stderr_now()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server with SIGTERM and returns everything it wrote to stderr.
    pub fn stop(mut self) -> (ExitStatus, String) {
        self.terminate();
        let status = self.wait_exit();
        if let Some(reader) = self.stderr_reader.take() {
            reader.join().unwrap();
        }
        (status, self.stderr_now())
    }

    /// What the server has written to stderr so far.
    pub fn stderr_now(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
