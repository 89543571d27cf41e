//! A page's history on the desk (issue 30): the versions kept of a page
//! with who, when and the lines they added and removed; restoring one
//! (published like an edit: the public listener serves it, a new version,
//! the audit log); a restore over a file changed meanwhile refused with who
//! changed it; and, when the site folder is a git repository, each version
//! a commit of that one file under the staff member's name.

use std::path::Path;
use std::process::Command;

use loket::edit::versions::{Author, Change, token};
use loket::edit::{EditPath, SiteFiles};
use reqwest::StatusCode;

use super::roles::add_with;
use super::{DeskClient, audited};
use crate::common::server::Server;

const PAGE: &str = "content/layanan/fasilitasi-usaha-mikro.md";
const HISTORY: &str = "/halaman/riwayat/content/layanan/fasilitasi-usaha-mikro.md";
const PUBLIC: &str = "/layanan/fasilitasi-usaha-mikro/";

const ONE: &str = "Jam layanan: Senin sampai Jumat, pukul 08.00–15.00.";
const TWO: &str = "Jam layanan: Senin sampai Kamis, pukul 08.00–14.00.";
const TWO_MORE: &str = "Loket tutup pada hari libur nasional.";

/// Two versions of the page published through the library, as the desk
/// records them: 1 by Sari Wulandari adds [`ONE`], 2 by Budi Santoso
/// replaces it with [`TWO`] and adds [`TWO_MORE`]. Returns the texts.
fn two_versions(site: &Path, data: &Path) -> (String, String) {
    let files = SiteFiles::new(site, data);
    let path = EditPath::parse(PAGE).unwrap();
    let original = files.read(&path).unwrap().unwrap();
    let one = format!("{original}\n{ONE}\n");
    let two = format!("{original}\n{TWO}\n\n{TWO_MORE}\n");
    for (text, login, name) in [
        (&one, "sari", "Sari Wulandari"),
        (&two, "budi", "Budi Santoso"),
    ] {
        let base = token(files.read(&path).unwrap().as_deref().map(str::as_bytes));
        let staged = files.stage(&path, Some(text.clone()), &base).unwrap();
        let applied = files.apply(staged).unwrap();
        let author = Author {
            login: login.into(),
            name: name.into(),
            at: "2026-12-01T10:15:00+07:00".into(),
        };
        files
            .record(&applied, Change::Terbit, author, None)
            .unwrap();
    }
    (one, two)
}

async fn public_page(server: &Server) -> String {
    let response = reqwest::get(server.url(PUBLIC)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_history_shows_each_version_and_restores_one() {
    let server = Server::start_at("2026-12-02 09:00:00");
    add_with(
        &server,
        "sari",
        &["--role", "penyunting", "--full-name", "Sari Wulandari"],
    );
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut sari = DeskClient::signed_in(&server, "sari").await;

    // No version yet: said so.
    let empty = sari.get(HISTORY).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("Belum ada versi yang tercatat"));

    let (one, two) = two_versions(server.site().root(), &server.data);
    let page = sari.get(HISTORY).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    // Newest first, with who and when.
    let (at_two, at_one) = (
        body.find("Versi 2: diterbitkan").expect(body),
        body.find("Versi 1: diterbitkan").expect(body),
    );
    assert!(at_two < at_one);
    assert!(body.contains("Oleh Budi Santoso, 1 Desember 2026, 10.15 WIB."));
    assert!(body.contains("Oleh Sari Wulandari, 1 Desember 2026, 10.15 WIB."));
    // Version 2's changes in words.
    assert!(
        body.contains("3 baris ditambahkan, 1 baris dihapus"),
        "{body}"
    );
    let line = |label: &str, text: &str| {
        let needle = format!("</span> <code>{text}</code>");
        let at = body
            .find(&needle)
            .unwrap_or_else(|| panic!("{text}: {body}"));
        let item = &body[body[..at].rfind("<li").unwrap()..at];
        assert!(item.contains(label), "{label} {text}: {item}");
    };
    line("Dihapus, baris", ONE);
    line("Ditambahkan, baris", TWO);
    line("Ditambahkan, baris", TWO_MORE);
    assert!(!body.contains("berbeda dari versi terakhir"));
    // One version's whole text.
    let shown = sari.get(&format!("{HISTORY}?versi=1")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Teks lengkap versi 1"));
    assert!(shown.body.contains(ONE));
    assert_eq!(
        sari.get(&format!("{HISTORY}?versi=7")).await.status,
        StatusCode::NOT_FOUND
    );

    let csrf = page.csrf();
    let dasar = page.hidden("dasar");
    assert_eq!(dasar, token(Some(two.as_bytes())));
    let versions = || {
        SiteFiles::new(server.site().root(), &server.data)
            .versions()
            .history(PAGE)
            .unwrap()
            .len()
    };

    // Without the role: refused, nothing changed.
    let mut rina = DeskClient::signed_in(&server, "rina").await;
    assert_eq!(rina.get(HISTORY).await.status, StatusCode::FORBIDDEN);
    let rina_csrf = rina.get("/staf/").await.csrf();
    let refused = rina
        .post(
            HISTORY,
            &[("csrf", &rina_csrf), ("dasar", &dasar), ("versi", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // An unknown version, or no version: 422.
    for asked in ["9", "", "satu"] {
        let refused = sari
            .post(
                HISTORY,
                &[("csrf", &csrf), ("dasar", &dasar), ("versi", asked)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{asked}");
    }
    let undated = sari.post(HISTORY, &[("csrf", &csrf), ("versi", "1")]).await;
    assert_eq!(undated.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        undated
            .body
            .contains("Formulir pemulihan ini tidak lengkap")
    );
    // Opened before version 2: refused, naming who published it.
    let stale = token(Some(one.as_bytes()));
    let conflict = sari
        .post(
            HISTORY,
            &[("csrf", &csrf), ("dasar", &stale), ("versi", "1")],
        )
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    assert!(conflict.body.contains("sudah diubah oleh Budi Santoso"));
    assert_eq!(server.site().read(PAGE), two);
    assert_eq!(versions(), 2);
    assert!(audited(&server.data, "page-restored").is_empty());

    // Restored: written, built, served, kept as version 3, audited. (The
    // server built the site before the versions were written by hand.)
    assert!(!public_page(&server).await.contains("Senin sampai Jumat"));
    let restored = sari
        .post(
            HISTORY,
            &[("csrf", &csrf), ("dasar", &dasar), ("versi", "1")],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    assert_eq!(server.site().read(PAGE), one);
    let public = public_page(&server).await;
    assert!(public.contains("Senin sampai Jumat"), "{public}");
    assert!(!public.contains("Senin sampai Kamis"));
    let after = sari.get(restored.header("location")).await;
    assert!(
        after
            .body
            .contains("Versi 1 sudah diterbitkan lagi sebagai versi 3"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Versi 3: pemulihan versi 1"));
    let history = SiteFiles::new(server.site().root(), &server.data)
        .versions()
        .history(PAGE)
        .unwrap();
    assert_eq!(history[0].number, 3);
    assert_eq!(history[0].change, Change::Pulih);
    assert_eq!(history[0].restored, Some(1));
    assert_eq!(history[0].author.name, "Sari Wulandari");
    let lines = audited(&server.data, "page-restored");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0][1], "sari");
    assert!(lines[0].iter().any(|f| f.contains(PAGE)), "{lines:?}");

    // Changed on the server afterwards: the history says so, with the lines.
    let by_hand = "Baris yang ditulis langsung di server.";
    server
        .site()
        .write(PAGE, format!("{one}{by_hand}\n").as_bytes());
    let drifted = sari.get(HISTORY).await;
    assert!(drifted.body.contains("berbeda dari versi terakhir"));
    assert!(drifted.body.contains(&format!("<code>{by_hand}</code>")));

    // A version the site can no longer take (kept before a template
    // changed, say): refused with the check's problems, nothing changed.
    let files = SiteFiles::new(server.site().root(), &server.data);
    let broken = "---\ntitle: [tidak ditutup\n---\n\nIsi.\n";
    let author = Author {
        login: "budi".into(),
        name: "Budi Santoso".into(),
        at: "2026-12-02T09:30:00+07:00".into(),
    };
    files
        .versions()
        .record(PAGE, broken, Change::Terbit, author, None)
        .unwrap();
    let before = server.site().read(PAGE);
    let refused = sari
        .post(
            HISTORY,
            &[
                ("csrf", &csrf),
                ("dasar", &drifted.hidden("dasar")),
                ("versi", "4"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Versi 4 tidak dapat diterbitkan lagi")
    );
    assert!(
        refused.body.contains(&format!("<code>{PAGE}:")),
        "{}",
        refused.body
    );
    assert_eq!(server.site().read(PAGE), before);
    assert_eq!(files.versions().history(PAGE).unwrap().len(), 4);

    // Twenty versions a page, the newest first.
    let versions = files;
    for i in 5..=24 {
        let author = Author {
            login: "sari".into(),
            name: "Sari Wulandari".into(),
            at: "2026-12-02T10:00:00+07:00".into(),
        };
        let text = format!("{one}Perubahan ke-{i}.\n");
        versions
            .versions()
            .record(PAGE, &text, Change::Terbit, author, None)
            .unwrap();
    }
    let newest = sari.get(HISTORY).await;
    assert!(newest.body.contains("Versi yang terbit (24)"));
    assert!(newest.body.contains("Versi 24: diterbitkan"));
    assert!(!newest.body.contains("Versi 4: diterbitkan"));
    assert!(newest.body.contains("Versi 5: diterbitkan"));
    assert!(newest.body.contains("?hal=2\">Versi yang lebih lama</a>"));
    let older = sari.get(&format!("{HISTORY}?hal=2")).await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(older.body.contains("Versi 4: diterbitkan"));
    assert!(older.body.contains("Versi 1: diterbitkan"));
    assert!(older.body.contains("?hal=1\">Versi yang lebih baru</a>"));
    for page in ["3", &u64::MAX.to_string()] {
        let beyond = sari.get(&format!("{HISTORY}?hal={page}")).await;
        assert_eq!(beyond.status, StatusCode::NOT_FOUND, "{page}");
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Operator",
            "-c",
            "user.email=op@example.invalid",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn in_a_git_repository_each_version_is_a_commit_of_its_file_only() {
    let server = Server::start_at("2026-12-02 09:00:00");
    add_with(
        &server,
        "sari",
        &["--role", "penyunting", "--full-name", "Sari Wulandari"],
    );
    let site = server.site().root();
    // The site folder as a repository, its data folder (inside it here)
    // neither committed nor ignored.
    git(site, &["init", "--quiet"]);
    git(site, &["add", "--", "content", "templates", "site.yaml"]);
    git(site, &["commit", "--quiet", "-m", "Situs awal"]);
    let (one, _) = two_versions(site, &server.data);
    assert_eq!(
        git(site, &["log", "-1", "--format=%an|%ae|%s"]).trim(),
        format!("Budi Santoso|budi@loket.invalid|{PAGE}: versi 2 diterbitkan")
    );

    let mut sari = DeskClient::signed_in(&server, "sari").await;
    let page = sari.get(HISTORY).await;
    let restored = sari
        .post(
            HISTORY,
            &[
                ("csrf", &page.csrf()),
                ("dasar", &page.hidden("dasar")),
                ("versi", "1"),
            ],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    assert_eq!(
        git(site, &["log", "-1", "--format=%an|%cn|%ae|%s"]).trim(),
        format!(
            "Sari Wulandari|Sari Wulandari|sari@loket.invalid|{PAGE}: versi 1 dipulihkan sebagai versi 3"
        )
    );
    assert_eq!(
        git(site, &["show", "--name-only", "--format=", "HEAD"]).trim(),
        PAGE
    );
    assert_eq!(git(site, &["show", &format!("HEAD:{PAGE}")]), one);
    assert_eq!(git(site, &["log", "--format=%s"]).lines().count(), 4);
    assert!(git(site, &["ls-files", "--", "data"]).is_empty());
    let status = git(site, &["status", "--porcelain", "--", "content"]);
    assert!(status.is_empty(), "{status}");

    // A page made and then removed: its removal is a commit too, and
    // restoring its first version makes the file again.
    let files = SiteFiles::new(site, &server.data);
    let made = EditPath::parse("content/jadwal.md").unwrap();
    let text = "---\ntitle: \"Jadwal layanan\"\n---\n\nSenin sampai Jumat, pukul 08.00–15.00.\n";
    for (next, change) in [
        (Some(text.to_string()), Change::Terbit),
        (None, Change::Hapus),
    ] {
        let base = token(files.read(&made).unwrap().as_deref().map(str::as_bytes));
        let applied = files
            .apply(files.stage(&made, next, &base).unwrap())
            .unwrap();
        let author = Author {
            login: "Budi Santoso".into(),
            name: "Budi Santoso".into(),
            at: "2026-12-01T11:00:00+07:00".into(),
        };
        files.record(&applied, change, author, None).unwrap();
    }
    assert_eq!(
        git(site, &["log", "-1", "--format=%an|%ae|%s"]).trim(),
        "Budi Santoso|Budi.Santoso@loket.invalid|content/jadwal.md: dihapus (versi 2)"
    );
    assert!(git(site, &["ls-files", "--", "content/jadwal.md"]).is_empty());
    let removed = sari.get("/halaman/riwayat/content/jadwal.md").await;
    assert!(
        removed.body.contains("Versi 2: halaman dihapus"),
        "{}",
        removed.body
    );
    assert!(
        removed
            .body
            .contains("tidak ada di situs saat ini (sudah dihapus)")
    );
    assert_eq!(removed.hidden("dasar"), "-");
    let back = sari
        .post(
            "/halaman/riwayat/content/jadwal.md",
            &[("csrf", &removed.csrf()), ("dasar", "-"), ("versi", "1")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(server.site().read("content/jadwal.md"), text);
    let public = reqwest::get(server.url("/jadwal/")).await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert!(public.text().await.unwrap().contains("Senin sampai Jumat"));
    assert_eq!(
        git(site, &["log", "-1", "--format=%an|%s"]).trim(),
        "Sari Wulandari|content/jadwal.md: versi 1 dipulihkan sebagai versi 3"
    );
    assert_eq!(git(site, &["show", "HEAD:content/jadwal.md"]), text);
}
