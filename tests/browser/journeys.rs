//! The site in a real browser: the JavaScript tests in `e2e/` drive Debian's
//! Chromium (through playwright-core, no browser download) against the real
//! `loket serve` on a temp copy of the site: the citizen's journeys with and
//! without JavaScript, the forms' error states, keyboard use, axe-core,
//! screenshots (into `screenshots/`, not committed) and the page budget; and
//! the staff desk (`e2e/desk.test.mjs`, with an account made here) and
//! the site's editor on the desk (`e2e/sunting.test.mjs`, a penyunting).
//!
//! Needs `/usr/bin/chromium` (or `LOKET_CHROMIUM`), `node`,
//! `e2e/node_modules` (`npm ci --prefix e2e`) and ImageMagick's `convert`
//! (the camera photo of `e2e/foto.test.mjs`); `.ci/run` installs them. When
//! one is missing the test is skipped with a loud message, except under CI
//! (`CI` set), where that is a failure.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::server::Server;
use crate::common::skip::skipped;

/// A regional emblem for the documents' letterhead (a plain shield).
const EMBLEM: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 120\"><path d=\"M50 2 L96 18 L90 80 Q80 104 50 118 Q20 104 10 80 L4 18 Z\" fill=\"#0b5e3b\" stroke=\"#c9a227\" stroke-width=\"4\"/><circle cx=\"50\" cy=\"55\" r=\"22\" fill=\"#c9a227\"/></svg>";

/// Longest the whole browser run may take before it is stopped.
const NODE_PATIENCE: Duration = Duration::from_secs(15 * 60);

fn chromium() -> PathBuf {
    std::env::var_os("LOKET_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// `node` from PATH, if it runs.
fn node() -> Option<String> {
    let out = Command::new("node").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What is missing to run the browser tests, in words.
fn missing(e2e: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let browser = chromium();
    if !browser.is_file() {
        missing.push(format!(
            "Chromium at {} (apt-get install chromium)",
            browser.display()
        ));
    }
    if node().is_none() {
        missing.push("node (apt-get install nodejs)".to_string());
    }
    // e2e/photo.mjs makes the camera photo of foto.test.mjs with it.
    if Command::new("convert").arg("-version").output().is_err() {
        missing.push("ImageMagick's convert (apt-get install imagemagick)".to_string());
    }
    for module in ["playwright-core", "axe-core"] {
        if !e2e.join("node_modules").join(module).is_dir() {
            missing.push(format!(
                "{}/node_modules/{module} (npm ci --prefix e2e)",
                e2e.display()
            ));
        }
    }
    missing
}

/// The `*.test.mjs` files of `e2e/`, sorted; only those whose name holds
/// `LOKET_E2E_ONLY` when it is set (one file while working on it).
fn test_files(e2e: &Path) -> Vec<String> {
    let only = std::env::var("LOKET_E2E_ONLY").unwrap_or_default();
    let mut files: Vec<String> = fs::read_dir(e2e)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs") && name.contains(&only))
        .collect();
    files.sort();
    files
}

#[test]
fn citizen_journeys_in_chromium() {
    let root = crate::common::repo_root();
    let e2e = root.join("e2e");
    let missing = missing(&e2e);
    if skipped(
        "browser tests (Chromium journeys, axe-core, screenshots, page budget)",
        &missing,
        true,
    ) {
        return;
    }

    let files = test_files(&e2e);
    assert!(
        !files.is_empty(),
        "no *.test.mjs files in {}",
        e2e.display()
    );

    // Screenshots of this run only: old pictures would mislead.
    let screenshots = root.join("screenshots");
    fs::create_dir_all(&screenshots).unwrap();
    for entry in fs::read_dir(&screenshots).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "png") {
            fs::remove_file(path).unwrap();
        }
    }

    // A 5 MB limit, so the browser tests' "photo too large" round needs a
    // photo of 6 MB, not one over the 15 MB default. No limit on failed
    // lookups: every pass over the site's states (axe, keyboard, budget,
    // screenshots, Lighthouse) looks up a wrong code and an unknown survey
    // code, which count against one address's limit.
    // The fixture site with the letterhead of the desk's documents (an
    // emblem and the city; the fixture has the head of office: e2e/dokumen.test.mjs).
    let site = crate::common::TempSite::fixture();
    site.write("static/gambar/lambang.svg", EMBLEM);
    let config = site.read("site.yaml").replacen(
        "office:\n",
        "office:\n  city: \"Jombang\"\n  emblem: gambar/lambang.svg\n",
        1,
    );
    site.write("site.yaml", config);
    // Published survey results, so /survei/hasil/ is tested with a period.
    site.overlay("survei-hasil");
    let data = site.root().join("data");
    let server = Server::launch(
        site,
        data,
        &[
            "--rate-limit",
            "0",
            "--lookup-rate-limit",
            "0",
            "--max-upload-mb",
            "5",
        ],
    );
    // The staff desk's account for e2e/desk.test.mjs, with a profile (full
    // name, NIP, position) as documents print it.
    let (desk_user, desk_password) = ("Petugas Uji", "kata sandi untuk uji peramban");
    let added = crate::common::add_staff(&server.data, desk_user, desk_password);
    assert!(added.status.success(), "{added:?}");
    let staff = server.data.join("staff.yaml");
    let profiled = fs::read_to_string(&staff).unwrap().replacen(
        &format!("- name: {desk_user}\n"),
        &format!("- name: {desk_user}\n  full_name: Rina Wulandari, S.E.\n  nip: '198503122010012003'\n  position: Analis Pelayanan Usaha Mikro\n"),
        1,
    );
    fs::write(&staff, profiled).unwrap();
    // The site's editor for e2e/sunting.test.mjs (role penyunting only).
    let (editor, editor_password) = ("Penyunting Uji", "kata sandi penyunting untuk uji");
    let mut add = crate::common::loket()
        .args([
            "staff",
            "add",
            editor,
            "--password-stdin",
            "--role",
            "penyunting",
            "--data",
        ])
        .arg(&server.data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{editor_password}").unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{added:?}");
    let started = Instant::now();
    // node's output goes straight to the terminal (live progress, and
    // printed whether the test passes or fails).
    let mut child = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .current_dir(&e2e)
        .env("LOKET_URL", &server.base)
        .env("LOKET_DESK_URL", server.desk_url(""))
        .env("LOKET_DESK_USER", desk_user)
        .env("LOKET_DESK_PASSWORD", desk_password)
        .env("LOKET_EDITOR_USER", editor)
        .env("LOKET_EDITOR_PASSWORD", editor_password)
        .env("LOKET_DATA", &server.data)
        .env("LOKET_PUBLIC", server.public())
        .env("LOKET_SCREENSHOTS", &screenshots)
        .env("LOKET_CHROMIUM", chromium())
        .stdin(Stdio::null())
        .spawn()
        .expect("node starts");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > NODE_PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser tests did not finish in {NODE_PATIENCE:?}; server log:\n{}",
                server.stderr_now()
            );
        }
        thread::sleep(Duration::from_millis(100));
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "browser tests ({}) ran in {:.1} s; screenshots in {}",
        files.join(", "),
        started.elapsed().as_secs_f64(),
        screenshots.display()
    );
    let (_, log) = server.stop();
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len().saturating_sub(60)..].join("\n");
    assert!(
        status.success(),
        "the browser tests failed ({status}); their report is above. End of the server log:\n{tail}"
    );
}
