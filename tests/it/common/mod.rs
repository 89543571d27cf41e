//! Shared helpers for tests that run the real `loket` binary on temp folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use walkdir::WalkDir;

pub mod case;
pub mod form;
pub mod port;
pub mod raw;
pub mod server;
pub mod skip;
pub mod smtp;
pub mod submit;

/// The shipped site: the repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn loket() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loket"))
}

/// `loket` running as if the clock read `wib` ("2026-12-23 10:00:00", in
/// Western Indonesia Time), through libfaketime (Debian package
/// `faketime`, installed by `.ci/run`) preloaded into the real binary. The
/// clock runs on from there; monotonic time (timeouts) is left real.
pub fn loket_at(wib: &str) -> Command {
    let lib = fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|arch| arch.path().join("faketime/libfaketime.so.1"))
        .find(|lib| lib.is_file())
        .expect("this test needs libfaketime (apt-get install faketime)");
    let moment = time::PrimitiveDateTime::parse(
        wib,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    )
    .expect("a time as YYYY-MM-DD HH:MM:SS")
    .assume_offset(time::macros::offset!(+7))
    .to_offset(time::UtcOffset::UTC);
    let utc = format!(
        "@{} {:02}:{:02}:{:02}",
        moment.date(),
        moment.hour(),
        moment.minute(),
        moment.second()
    );
    let mut cmd = loket();
    cmd.env("LD_PRELOAD", lib)
        .env("FAKETIME", utc)
        .env("TZ", "UTC")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    cmd
}

/// Runs `loket ARGS` and returns its output.
pub fn run(args: &[&str]) -> Output {
    loket().args(args).output().expect("loket runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The fixture site: tests/fixtures/site, a copy of the office's content
/// taken when the tests were written, so that an edit of the shipped content
/// never breaks an engine test.
pub fn fixture_root() -> PathBuf {
    repo_root().join("tests/fixtures/site")
}

/// A temp folder holding a site to build, serve and break in a test.
pub struct TempSite {
    pub dir: tempfile::TempDir,
}

impl TempSite {
    /// The fixture site's content, form files, site.yaml and holiday lists, with loket's
    /// own templates and assets (the engine's, shipped in the repository).
    pub fn fixture() -> TempSite {
        TempSite::from_parts(&fixture_root())
    }

    /// The shipped site as it is in the repository (only the smoke test).
    pub fn shipped() -> TempSite {
        TempSite::from_parts(&repo_root())
    }

    fn from_parts(content_root: &Path) -> TempSite {
        let dir = tempfile::tempdir().unwrap();
        for name in ["content", "forms", "hari-libur"] {
            copy_dir(&content_root.join(name), &dir.path().join(name));
        }
        fs::copy(content_root.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
        for name in ["templates", "static"] {
            copy_dir(&repo_root().join(name), &dir.path().join(name));
        }
        TempSite { dir }
    }

    /// Gives `site.yaml` what an office fills in before publishing (a public
    /// base URL, the privacy notice), so checks are quiet about it.
    /// Settled already (a privacy notice given), it stays as it is.
    pub fn settle_config(&self) {
        let text = self
            .read("site.yaml")
            .replace("http://127.0.0.1:8080", "https://layanan.contoh.go.id");
        if text.contains("\nprivacy:") {
            return self.write("site.yaml", text);
        }
        self.write(
            "site.yaml",
            format!(
                "{text}privacy:\n  purpose_permohonan: \"Menangani permohonan Anda.\"\n  purpose_pengaduan: \"Menanggapi keluhan Anda.\"\n  legal_basis: \"Pasal 20 ayat (2) huruf e UU 27/2022.\"\n  ktp_reason: \"Persyaratan standar pelayanan.\"\n  ktp_tip: \"Tulis: hanya untuk Dinas Contoh.\"\n  retention: {{ attachments_days: 30, records_years: 5 }}\n  rights: \"Anda berhak mengakses dan memperbaiki data Anda.\"\n  contact: \"Hubungi kami.\"\n"
            ),
        );
    }

    /// Lays the folder `tests/fixtures/NAME` over this site: its files are
    /// added, or replace the site's own.
    pub fn overlay(&self, name: &str) {
        copy_dir(&repo_root().join("tests/fixtures").join(name), self.root());
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn root_str(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join(rel)).unwrap()
    }

    pub fn build(&self) -> Output {
        run(&["build", "--root", self.root_str()])
    }

    pub fn check(&self) -> Output {
        run(&["check", "--root", self.root_str()])
    }

    /// The built page at a site URL, e.g. "/layanan/".
    pub fn page(&self, url: &str) -> String {
        let rel = url.trim_start_matches('/');
        fs::read_to_string(self.out().join(rel).join("index.html"))
            .unwrap_or_else(|e| panic!("page {url} not built: {e}"))
    }
}

/// Every file under `dir` with its bytes, to prove a folder did not change.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Attribute values `href="..."` and `src="..."` in an HTML text.
pub fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// A file of the deploy kit, `deploy/REL`.
pub fn deploy_file(rel: &str) -> PathBuf {
    repo_root().join("deploy").join(rel)
}

/// A program from PATH or the sbin folders, if it is there.
pub fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `from` replaced by `to` in `text`, which must hold it exactly `times`
/// times: if not, the shipped file changed and this test with it.
pub fn replace(text: &str, from: &str, to: &str, times: usize) -> String {
    assert_eq!(
        text.matches(from).count(),
        times,
        "the shipped file should hold {from:?} {times} time(s)"
    );
    text.replace(from, to)
}

/// Adds a staff account with the real command (`loket staff add`).
pub fn add_staff(data: &Path, name: &str, password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = loket()
        .args(["staff", "add", name, "--password-stdin", "--data"])
        .arg(data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}
