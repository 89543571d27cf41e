//! Issue 24 §9: attachments are never reached through a symbolic link (the
//! desk, `backup`) nor through a hand-edited `../` stored name (`purge`),
//! `verify` names both; and `restore` of a damaged archive leaves nothing.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use reqwest::StatusCode;

use crate::common::form::{PERMOHONAN, jpeg, permohonan_text};
use crate::common::server::Server;
use crate::common::submit::*;
use crate::common::*;
use crate::desk::{DeskClient, add_staff};
use crate::operations::closed_case;

const SECRET: &[u8] = b"OUTSIDE-THE-DATA-FOLDER 7f3a9c";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A request of its own (a resend of the same form is the same case).
async fn submit(server: &Server, n: u32) -> String {
    let nama = format!("Warga {n}");
    let form = permohonan_text(&[("nama", Some(&nama))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(2048, n),
    );
    ticket_from(post_multipart(&client(), &server.url(PERMOHONAN), form).await).await
}

fn verify(data: &Path) -> (bool, String) {
    let out = run(&["verify", "--data", data.to_str().unwrap()]);
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[tokio::test]
async fn a_symlinked_attachment_is_not_served_backed_up_or_passed_by_verify() {
    let server = Server::start();
    assert!(
        add_staff(&server.data, "Budi", crate::desk::PASSWORD)
            .status
            .success()
    );
    let linked_folder = submit(&server, 1).await;
    let linked_file = submit(&server, 2).await;
    assert_ne!(linked_folder, linked_file);
    // A folder outside the data folder, with a file of the same name.
    let outside = server.site().root().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("ktp.jpg"), SECRET).unwrap();
    let folder = record_path(&server.data, &linked_folder).with_extension("");
    fs::rename(&folder, server.site().root().join("moved")).unwrap();
    symlink(&outside, &folder).unwrap();
    let file = record_path(&server.data, &linked_file)
        .with_extension("")
        .join("ktp.jpg");
    fs::remove_file(&file).unwrap();
    symlink(outside.join("ktp.jpg"), &file).unwrap();

    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    for ticket in [&linked_folder, &linked_file] {
        let page = desk.get(&format!("/kasus/{ticket}/lampiran/ktp.jpg")).await;
        assert_ne!(page.status, StatusCode::OK, "{ticket}");
        assert!(!contains(&page.bytes, SECRET), "served through a link");
    }

    let archive = server.site().root().join("backup.tar");
    let out = run(&[
        "backup",
        "--data",
        server.data.to_str().unwrap(),
        "--to",
        archive.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !contains(&fs::read(&archive).unwrap(), SECRET),
        "backup followed a link"
    );
    let said = stderr(&out);
    assert!(said.contains(&linked_folder), "{said}");
    assert!(said.contains("tautan simbolis"), "{said}");

    let (ok, said) = verify(&server.data);
    assert!(!ok, "{said}");
    for ticket in [&linked_folder, &linked_file] {
        assert!(
            said.lines()
                .any(|l| l.contains(ticket.as_str()) && l.contains("tautan simbolis")),
            "{ticket} not named as a link:\n{said}"
        );
    }
}

#[test]
fn purge_deletes_nothing_through_a_stored_name_that_is_a_path() {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let ticket = "KP-20260105-CDFH";
    closed_case(&data, ticket, "2026-01-10", "selesai");
    // From the case folder, six folders up is the site folder.
    let victim = site.root().join("victim.txt");
    fs::write(&victim, "not loket's").unwrap();
    let record = record_path(&data, ticket);
    let text = fs::read_to_string(&record).unwrap();
    fs::write(
        &record,
        text.replace(
            "stored_name: ktp.pdf",
            "stored_name: ../../../../../../victim.txt",
        ),
    )
    .unwrap();

    let (ok, said) = verify(&data);
    assert!(!ok);
    assert!(said.contains("bukan nama berkas biasa"), "{said}");

    let out = run(&[
        "purge",
        "--data",
        data.to_str().unwrap(),
        "--root",
        site.root_str(),
        "--on",
        "2026-06-01",
    ]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("bukan nama berkas biasa"),
        "{}",
        stderr(&out)
    );
    assert!(
        victim.exists(),
        "purge deleted a file outside the case folder"
    );
    assert!(
        !fs::read_to_string(&record)
            .unwrap()
            .contains("attachments_purged"),
        "nothing noted as purged"
    );
}

#[tokio::test]
async fn a_truncated_archive_restores_nothing() {
    let server = Server::start();
    for n in 0..3 {
        submit(&server, n).await;
    }
    let root = server.site().root().to_path_buf();
    let archive = root.join("backup.tar");
    let out = run(&[
        "backup",
        "--data",
        server.data.to_str().unwrap(),
        "--to",
        archive.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let whole = fs::read(&archive).unwrap();
    let key = fs::read(server.data.join("lookup.key")).unwrap();

    let restore = |from: &Path, to: &Path| {
        let out = run(&[
            "restore",
            from.to_str().unwrap(),
            "--data",
            to.to_str().unwrap(),
        ]);
        (out.status.success(), stderr(&out))
    };
    let drill = root.join("drill");
    fs::create_dir(&drill).unwrap();
    // Cut at an entry's boundary (it reads as a shorter archive) and in the
    // middle of a file.
    for cut in [whole.len() / 2 / 512 * 512, whole.len() / 2 + 100] {
        let truncated = root.join("truncated.tar");
        fs::write(&truncated, &whole[..cut]).unwrap();
        let target = drill.join("data");
        let (ok, said) = restore(&truncated, &target);
        assert!(!ok, "a truncated archive restored");
        assert!(said.contains("nothing was restored"), "{said}");
        assert!(!target.exists(), "a partial data folder was left");
        // An empty folder given as the target stays empty.
        fs::create_dir(&target).unwrap();
        let (ok, _) = restore(&truncated, &target);
        assert!(!ok);
        assert_eq!(fs::read_dir(&target).unwrap().count(), 0);
        fs::remove_dir(&target).unwrap();
        let left: Vec<_> = fs::read_dir(&drill).unwrap().flatten().collect();
        assert!(left.is_empty(), "left beside the target: {left:?}");
    }

    // Submissions without the key they were given codes under: refused.
    let keyless = root.join("keyless.tar");
    let mut files = vec![".loket-data".to_string()];
    let mut dirs = vec![server.data.join("submissions")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            match entry.file_type().unwrap().is_dir() {
                true => dirs.push(entry.path()),
                false => files.push(
                    entry
                        .path()
                        .strip_prefix(&server.data)
                        .unwrap()
                        .display()
                        .to_string(),
                ),
            }
        }
    }
    let tar = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&keyless)
        .arg("-C")
        .arg(&server.data)
        .args(&files)
        .status()
        .unwrap();
    assert!(tar.success());
    let (ok, said) = restore(&keyless, &drill.join("data"));
    assert!(!ok);
    assert!(said.contains("lookup.key"), "{said}");
    assert!(!drill.join("data").exists());

    // The whole archive restores, with the key codes were given under.
    let (ok, said) = restore(&archive, &drill.join("data"));
    assert!(ok, "{said}");
    assert_eq!(fs::read(drill.join("data/lookup.key")).unwrap(), key);
}
