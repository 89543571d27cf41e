//! Issue 24 §2 and §9: a purge past the retention leaves no personal data
//! anywhere in the data folder (records, staff's notes, the index, the
//! outbox, reports and backups loket wrote) nor in the logs.

use std::fs;
use std::path::Path;

use crate::common::case::{outbox, staff_step};
use crate::common::form::*;
use crate::common::server::Server;
use crate::common::smtp::SmtpServer;
use crate::common::submit::*;
use crate::common::*;

/// What is planted in every field people type: a unique name, NIK, phone
/// and email.
const NAME: &str = "Zulkarnain Wibisana";
const NIK_PLANTED: &str = "3517015205900731";
const PHONE_PLANTED: &str = "081277665544";
/// The phone's digits as any form of it holds them (0812…, +62812…).
const PHONE_DIGITS: &str = "81277665544";
const EMAIL: &str = "zulkarnain.wibisana@contoh.id";

/// A sentence a person types, with all four in it.
fn typed(what: &str) -> String {
    format!("{what}: {NAME}, NIK {NIK_PLANTED}, HP {PHONE_PLANTED}, {EMAIL}")
}

/// Every file under `dir` (recursively, not following links) that holds
/// one of the planted values, as `path: value`.
fn planted_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in walk(dir) {
        let bytes = fs::read(&entry).unwrap_or_default();
        found.extend(
            planted_in_bytes(&bytes)
                .into_iter()
                .map(|v| format!("{}: {v}", entry.display())),
        );
    }
    found
}

fn planted_in_bytes(bytes: &[u8]) -> Vec<&'static str> {
    let lower = bytes.to_ascii_lowercase();
    let has = |needle: &str| {
        let needle = needle.to_ascii_lowercase();
        lower.windows(needle.len()).any(|w| w == needle.as_bytes())
    };
    ["zulkarnain", "wibisana", NIK_PLANTED, PHONE_DIGITS, EMAIL]
        .into_iter()
        .filter(|v| has(v))
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A request with the planted values in every field a citizen types.
fn planted_request(seed: u32) -> Multipart {
    permohonan_text(&[
        ("nama", Some(NAME)),
        ("nik", Some(NIK_PLANTED)),
        ("telepon", Some(PHONE_PLANTED)),
        ("email", Some(EMAIL)),
        ("alamat", Some(&typed("alamat"))),
        ("nama_usaha", Some(&format!("Usaha {NAME}"))),
        ("bidang_usaha", Some(&format!("Bidang {NAME}"))),
        ("alamat_usaha", Some(&typed("alamat usaha"))),
        ("uraian", Some(&typed("uraian"))),
        ("termohon_nama", Some(&typed("termohon"))),
        ("termohon_kontak", Some(PHONE_PLANTED)),
    ])
    .file(
        "ktp",
        &format!("ktp {NAME} {PHONE_PLANTED}.jpg"),
        "image/jpeg",
        &jpeg(4096, seed),
    )
    .file(
        "dokumen_1",
        &format!("surat {NAME}.pdf"),
        "application/pdf",
        &pdf(3000, u64::from(seed)),
    )
}

/// A complaint about the service with the planted values in every field.
fn planted_complaint() -> Multipart {
    Multipart::new()
        .text("nama", NAME)
        .text("kontak", PHONE_PLANTED)
        .text("isi", &typed("isi keluhan"))
        .text("persetujuan", "ya")
        .file(
            "lampiran",
            &format!("foto {NAME}.jpg"),
            "image/jpeg",
            &jpeg(3000, 9),
        )
}

#[tokio::test]
async fn purge_past_retention_leaves_no_planted_value_in_the_data_folder_or_the_logs() {
    let site = TempSite::fixture();
    site.settle_config();
    let text = site.read("site.yaml");
    site.write(
        "site.yaml",
        text.replace("records_years: 5 }", "records_years: 1 }"),
    );
    let data = site.root().join("data");
    // Mail through a relay that is not there: every message stays queued.
    let down = SmtpServer::down();
    let relay = format!("smtp://127.0.0.1:{}", down.port);
    let mut server = Server::launch_with(
        loket_at("2026-01-05 09:00:00"),
        site,
        data.clone(),
        &[
            "--rate-limit",
            "0",
            "--smtp-url",
            &relay,
            "--mail-from",
            "Dinas Contoh <loket@contoh.go.id>",
            "--notify-to",
            "petugas@contoh.go.id",
            "--desk-url",
            "https://meja.contoh.go.id",
            "--digest-at",
            "off",
        ],
    );
    let mut tickets = Vec::new();
    for seed in [1, 2] {
        let response =
            post_multipart(&client(), &server.url(PERMOHONAN), planted_request(seed)).await;
        tickets.push(ticket_from(response).await);
    }
    let response = post_multipart(
        &client(),
        &server.url(PENGADUAN_LAYANAN),
        planted_complaint(),
    )
    .await;
    let complaint = ticket_from(response).await;
    let (done, refused) = (&tickets[0], &tickets[1]);
    // Every field staff type, on every case.
    let step = |ticket: &str, args: &[&str]| {
        staff_step(&server, ticket, args);
    };
    for ticket in [done, refused, &complaint] {
        step(
            ticket,
            &[
                "diperiksa",
                "--berkas",
                "lengkap",
                "--at",
                "2026-01-06 09:00",
                "--note",
                &typed("catatan"),
                "--public-note",
                &typed("pesan"),
            ],
        );
    }
    step(
        done,
        &[
            "pertemuan-dijadwalkan",
            "--at",
            "2026-01-07 09:00",
            "--meeting",
            &format!("2026-01-08 10:00, rumah {NAME} HP {PHONE_PLANTED}"),
            "--note",
            &typed("catatan pertemuan"),
        ],
    );
    step(
        done,
        &[
            "selesai",
            "--at",
            "2026-01-09 09:00",
            "--note",
            &typed("hasil"),
            "--public-note",
            &typed("pesan akhir"),
        ],
    );
    step(
        refused,
        &[
            "ditolak",
            "--at",
            "2026-01-09 09:00",
            "--note",
            &typed("alasan"),
        ],
    );
    // The complaint's own procedure: answered, then closed.
    step(
        &complaint,
        &[
            "ditanggapi",
            "--at",
            "2026-01-08 09:00",
            "--note",
            &typed("tanggapan"),
        ],
    );
    step(
        &complaint,
        &[
            "selesai",
            "--at",
            "2026-01-09 09:00",
            "--note",
            &typed("tindak lanjut"),
            "--public-note",
            &typed("jawaban"),
        ],
    );
    assert!(!outbox(&data).is_empty(), "mail waits in the outbox");
    let folders = [
        "--root",
        server.site().root_str(),
        "--data",
        data.to_str().unwrap(),
    ];
    // A report and a backup, written under the data folder.
    let report = loket()
        .args(["report", "--month", "2026-01", "--on", "2026-02-01"])
        .args(folders)
        .arg("--out")
        .arg(data.join("laporan"))
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", stderr(&report));
    fs::create_dir(data.join("backup")).unwrap();
    let backup = loket()
        .args(["backup", "--data", data.to_str().unwrap(), "--to"])
        .arg(data.join("backup/data.tar"))
        .output()
        .unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    // Taken again: the archive holds neither the one before it nor the report.
    let again = loket()
        .args(["backup", "--data", data.to_str().unwrap(), "--to"])
        .arg(data.join("backup/data.tar"))
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(data.join("backup/data.tar"))
        .output()
        .unwrap();
    let listing = stdout(&listing);
    assert!(listing.contains("lookup.key"), "{listing}");
    assert!(
        !listing.contains("backup/") && !listing.contains("laporan/"),
        "{listing}"
    );
    // Nor the record index (derived; `report` made it).
    assert!(data.join(".index/records.sqlite").is_file());
    assert!(!listing.contains(".index"), "{listing}");
    let inbox = loket()
        .args(["inbox", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(inbox.status.success(), "{}", stderr(&inbox));
    assert!(
        !planted_in(&data).is_empty(),
        "the values were planted: the grep can find them"
    );
    // The record index holds the name, NIK and phone (the desk searches
    // them): the purge must leave none of them in its file, free pages too.
    let index = planted_in_bytes(&fs::read(data.join(".index/records.sqlite")).unwrap());
    for value in ["zulkarnain", NIK_PLANTED, PHONE_DIGITS] {
        assert!(
            index.contains(&value),
            "{value} not in the index: {index:?}"
        );
    }

    let root = server.site().root().to_path_buf();
    server.terminate();
    server.wait_exit();
    let server_log = server.stderr_now();
    let _site = server.kill();
    let purge = loket()
        .args(["purge", "--on", "2027-02-01", "--root"])
        .arg(&root)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let said = stdout(&purge);
    assert!(purge.status.success(), "{said}{}", stderr(&purge));
    for ticket in [done, refused, &complaint] {
        assert!(
            said.contains(&format!("{ticket}: data pribadi dihapus")),
            "{said}"
        );
    }
    assert!(said.contains("laporan lama"), "{said}");
    assert!(said.contains("cadangan lama"), "{said}");

    let left = planted_in(&data);
    assert!(
        left.is_empty(),
        "left after the purge:\n{}",
        left.join("\n")
    );
    for (what, log) in [
        ("the server's log", server_log.as_str()),
        ("purge's output", &format!("{said}{}", stderr(&purge))),
        (
            "report's output",
            &format!("{}{}", stdout(&report), stderr(&report)),
        ),
        (
            "backup's output",
            &format!("{}{}", stdout(&backup), stderr(&backup)),
        ),
    ] {
        let found = planted_in_bytes(log.as_bytes());
        assert!(found.is_empty(), "{found:?} in {what}:\n{log}");
    }
    // The cases are still counted, and the data folder is whole.
    let verify = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
}
