//! Submissions are never lost or half-written: the server killed with SIGKILL
//! at random moments under load, and a data folder that runs out of space.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::TempSite;
use crate::common::server::Server;
use crate::common::skip::{is_root, skip};
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

/// A scan of a KTP as a PDF, unique per `seed`: PDFs are kept byte for
/// byte, so what was sent can be compared with what was stored.
fn ktp_pdf(len: usize, seed: u64) -> Vec<u8> {
    crate::common::form::pdf(len, seed)
}

/// SplitMix64: the crash test's numbers, all from one printed seed.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// LOKET_CRASH_SEED, or a fresh one; printed past the output capture so a
/// failing run can be repeated with the same kill moments and uploads.
fn crash_seed() -> u64 {
    let seed = std::env::var("LOKET_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).unwrap();
            u64::from_le_bytes(b)
        });
    let _ = writeln!(
        std::io::stderr().lock(),
        "crash test seed {seed} (again: LOKET_CRASH_SEED={seed} cargo test --test it sigkill)"
    );
    seed
}

fn form(nama: &str, ktp: Vec<u8>) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(ktp)
        .file_name("ktp.pdf")
        .mime_str("application/pdf")
        .unwrap();
    reqwest::multipart::Form::new()
        .text("jenis", "konsultasi")
        .text("nama", nama.to_string())
        .text("nik", "3517015205900001")
        .text("alamat", "Jl. Merdeka 1")
        .text("telepon", "0812 3456 7890")
        .text("nama_usaha", "Keripik")
        .text("bidang_usaha", "Makanan")
        .text("alamat_usaha", "Jombang")
        .text("uraian", "Uji ketahanan")
        .text("persetujuan", "ya")
        .part("ktp", part)
}

/// What a client was told: ticket -> (name sent, sha256 of the KTP sent).
type Receipts = Arc<Mutex<HashMap<String, (String, String)>>>;

/// Posts one submission; `Some(ticket)` on 303, `None` on any failure.
async fn submit(
    client: &reqwest::Client,
    base: &str,
    nama: &str,
    ktp: Vec<u8>,
) -> Option<(u16, String)> {
    let response = client
        .post(format!("{base}/permohonan/"))
        .multipart(form(nama, ktp))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let ticket = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.split("tiket=").nth(1))
        .map(str::to_string)
        .unwrap_or_default();
    Some((status, ticket))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Every record in the tree staff read must be complete: it parses, and
/// each attachment exists with the size and sha256 it lists. No temp files,
/// no attachment folder without its record. Returns ticket -> (nama, sha).
fn audit(data: &Path) -> HashMap<String, (String, String)> {
    let mut seen = HashMap::new();
    let tmp = data.join(".tmp");
    if tmp.exists() {
        let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
        assert!(left.is_empty(), "drafts left in .tmp: {left:?}");
    }
    for entry in WalkDir::new(data.join("submissions")) {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with('.') && !name.ends_with(".part"),
            "temp file {}",
            path.display()
        );
        if entry.depth() == 4 && entry.file_type().is_dir() {
            assert!(
                path.with_extension("yaml").is_file(),
                "orphan folder {}",
                path.display()
            );
        }
        if !(entry.file_type().is_file() && name.ends_with(".yaml")) {
            continue;
        }
        let text = fs::read_to_string(path).unwrap();
        let record: loket::core::yaml::Value = loket::core::yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a complete record: {e}", path.display()));
        let ticket = record["ticket"].as_str().unwrap().to_string();
        let attachments = record["attachments"].as_sequence().unwrap();
        assert_eq!(attachments.len(), 1, "{ticket}");
        let a = &attachments[0];
        let file = path
            .with_extension("")
            .join(a["stored_name"].as_str().unwrap());
        let bytes = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            bytes.len() as u64,
            a["size"].as_u64().unwrap(),
            "{ticket} size"
        );
        let sha = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(sha, a["sha256"].as_str().unwrap(), "{ticket} sha256");
        let nama = record["fields"]["nama"].as_str().unwrap().to_string();
        seen.insert(ticket, (nama, sha));
    }
    seen
}

/// Submissions under load while the server is killed with SIGKILL at random
/// moments and restarted: every ticket a client received exists, complete.
/// LOKET_CRASH_ROUNDS sets the number of kills (CI runs the short default).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_never_loses_or_halves_a_submission() {
    let rounds: usize = std::env::var("LOKET_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(6);
    let seed = crash_seed();
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let receipts: Receipts = Arc::default();
    let mut site = Some(site);
    let mut attempts = 0u64;
    for round in 0..rounds {
        let server = Server::launch(site.take().unwrap(), data.clone(), &["--rate-limit", "0"]);
        let base = server.base.clone();
        let mut clients = Vec::new();
        for c in 0..8u64 {
            let (base, receipts) = (base.clone(), receipts.clone());
            clients.push(tokio::spawn(async move {
                let client = client();
                let mut sent = 0u64;
                for n in 0.. {
                    let nama = format!("round {round} client {c} n {n}");
                    let ktp = ktp_pdf(
                        48 * 1024 + (n as usize % 7) * 1000,
                        mix(seed ^ mix(round as u64 * 1_000_003 + c * 10_007 + n)),
                    );
                    let sha = format!("{:x}", Sha256::digest(&ktp));
                    sent += 1;
                    match submit(&client, &base, &nama, ktp).await {
                        Some((303, ticket)) => {
                            receipts.lock().unwrap().insert(ticket, (nama, sha));
                        }
                        Some((status, _)) => panic!("unexpected status {status}"),
                        None => break, // the server is gone
                    }
                }
                sent
            }));
        }
        // Kill at a random moment, 50 to 450 ms into the load.
        tokio::time::sleep(Duration::from_millis(50 + mix(seed + round as u64) % 400)).await;
        site = Some(server.kill());
        for c in clients {
            attempts += c.await.unwrap();
        }
    }
    // A last start cleans what the last kill left; then a clean stop.
    let mut server = Server::launch(site.take().unwrap(), data.clone(), &["--rate-limit", "0"]);
    server.terminate();
    assert!(server.wait_exit().success());
    let _site = server.kill(); // keeps the folders until the end of the test

    let stored = audit(&data);
    let receipts = receipts.lock().unwrap();
    assert!(!receipts.is_empty(), "some submissions went through");
    for (ticket, (nama, sha)) in receipts.iter() {
        let Some((stored_nama, stored_sha)) = stored.get(ticket) else {
            panic!("ticket {ticket} was given to a client but is not stored");
        };
        assert_eq!(stored_nama, nama, "{ticket}");
        assert_eq!(stored_sha, sha, "{ticket}");
    }
    eprintln!(
        "crash test: {rounds} kills, {attempts} attempts, {} acknowledged, {} stored",
        receipts.len(),
        stored.len()
    );
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> Result<SmallDisk, String> {
        fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(SmallDisk(path.to_path_buf()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The data folder on a 3 MB tmpfs: past the space, 503 and nothing
/// half-written; pages are still served; space freed, submissions resume.
#[tokio::test]
async fn a_full_disk_gets_503_and_recovers() {
    if !is_root() {
        skip(
            "a_full_disk_gets_503_and_recovers",
            "mounting a tmpfs needs root",
        );
        return;
    }
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let _disk = SmallDisk::mount(&data, "3m").expect("mount a tmpfs as root");
    let server = Server::launch(site, data.clone(), &["--rate-limit", "0"]);
    let client = client();

    let mut accepted = Vec::new();
    let mut full = None;
    for n in 0..20 {
        let ktp = ktp_pdf(600 * 1024, n);
        let (status, ticket) = submit(&client, &server.base, &format!("pemohon {n}"), ktp)
            .await
            .expect("the server answers");
        match status {
            303 => accepted.push(ticket),
            503 => {
                full = Some(n);
                break;
            }
            other => panic!("unexpected status {other} at submission {n}"),
        }
    }
    assert!(full.is_some(), "the disk filled up");
    assert!(!accepted.is_empty(), "some fitted before it did");

    // The 503 page says what to do, and pages are still served.
    let page = client
        .post(format!("{}/permohonan/", server.base))
        .multipart(form("lagi", ktp_pdf(600 * 1024, 99)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 503);
    assert!(page.headers().contains_key("retry-after"));
    let text = page.text().await.unwrap();
    assert!(
        text.contains("coba lagi") && text.contains("WhatsApp"),
        "{text}"
    );
    let home = client
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status().as_u16(), 200);

    // Nothing half-written: every record complete, no drafts left.
    let stored = audit(&data);
    assert_eq!(
        stored.len(),
        accepted.len(),
        "exactly the acknowledged ones"
    );

    // Free space (staff archive one case), and submissions resume.
    let first = &accepted[0];
    let yaml = WalkDir::new(data.join("submissions"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy() == format!("{first}.yaml"))
        })
        .unwrap();
    fs::remove_dir_all(yaml.with_extension("")).unwrap();
    fs::remove_file(&yaml).unwrap();
    let (status, _) = submit(
        &client,
        &server.base,
        "setelah dikosongkan",
        ktp_pdf(600 * 1024, 7),
    )
    .await
    .unwrap();
    assert_eq!(status, 303, "accepts again once space is freed");
    drop(server);
}
