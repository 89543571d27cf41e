//! The site's pages on the desk (issue 30): the list of every page with its
//! address, last change and `loket check` diagnostics and the standard's
//! missing components; a new page published through the running server;
//! removing a page, refused while other pages link to it.

use loket::edit::versions::{Author, Change, Draft, Versions, token};
use reqwest::StatusCode;

use super::roles::add_with;
use super::{DeskClient, audited};
use crate::common::server::Server;

/// A server on the fixture site with an editor (sari, with her full name)
/// and a petugas (rina).
async fn editor() -> (Server, DeskClient) {
    let server = Server::start_at("2026-12-02 09:00:00");
    add_with(
        &server,
        "sari",
        &["--role", "penyunting", "--full-name", "Sari Wulandari"],
    );
    add_with(&server, "rina", &["--role", "petugas"]);
    let desk = DeskClient::signed_in(&server, "sari").await;
    (server, desk)
}

async fn public(server: &Server, path: &str) -> (StatusCode, String) {
    let response = reqwest::get(server.url(path)).await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_list_shows_every_page_its_diagnostics_and_the_missing_components() {
    let (server, mut desk) = editor().await;
    // A page with a warning at line 3 (an unknown front matter key),
    // written on the server itself.
    server.site().write(
        "content/catatan.md",
        "---\ntitle: \"Catatan rapat\"\njudul_lama: \"x\"\n---\n\nIsi catatan.\n",
    );
    // A draft of the permohonan page, kept by sari.
    let permohonan = server.site().read("content/permohonan.md");
    Versions::new(&server.data)
        .save_draft(&Draft {
            path: "content/permohonan.md".into(),
            author: Author {
                login: "sari".into(),
                name: "Sari Wulandari".into(),
                at: "2026-12-01T14:30:00+07:00".into(),
            },
            base: token(Some(permohonan.as_bytes())),
            text: format!("{permohonan}\nTambahan.\n"),
        })
        .unwrap();
    let mut rina = DeskClient::signed_in(&server, "rina").await;
    assert_eq!(rina.get("/halaman/").await.status, StatusCode::FORBIDDEN);

    let page = desk.get("/halaman/").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for (title, address, file) in [
        ("Beranda", "/", "content/_index.md"),
        (
            "Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro",
            "/layanan/fasilitasi-usaha-mikro/",
            "content/layanan/fasilitasi-usaha-mikro.md",
        ),
        (
            "Konsultasi dan pengaduan masalah usaha",
            "/permohonan/",
            "content/permohonan.md",
        ),
        ("Catatan rapat", "/catatan/", "content/catatan.md"),
    ] {
        assert!(body.contains(title), "{title} in {body}");
        assert!(
            body.contains(&format!("<code>{address}</code>")),
            "{address}"
        );
        assert!(
            body.contains(&format!("href=\"/halaman/{file}\"")),
            "{file}"
        );
        assert!(
            body.contains(&format!("href=\"/halaman/riwayat/{file}\"")),
            "{file}"
        );
    }
    // A page said to be removed is named only when it is gone.
    let forged = desk.get("/halaman/?dihapus=content/permohonan.md").await;
    assert!(!forged.body.contains("sudah dihapus"));
    // Only the home page cannot be removed.
    assert!(body.contains("href=\"/halaman/hapus/content/permohonan.md\""));
    assert!(!body.contains("href=\"/halaman/hapus/content/_index.md\""));
    assert!(body.contains("href=\"/halaman/baru/\""));
    assert!(body.contains("href=\"/halaman/berkas/\""));
    assert!(body.contains("aria-current=\"page\">Halaman situs"));
    let row = &body[body.find("<code>content/permohonan.md</code>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Ada draf: Sari Wulandari (sari), 1 Desember 2026, 14.30 WIB"),
        "{row}"
    );
    // Nobody changed a page on the desk yet.
    assert!(body.contains("di luar meja"));
    // The planted page's warning, with its line, under its file.
    let group = body
        .find("id=\"berkas-content-catatan-md\"")
        .expect("the page's diagnostics");
    let group = &body[group..];
    let group = &group[..group.find("</ul>").unwrap()];
    assert!(group.contains("baris 3"), "{group}");
    assert!(group.contains("peringatan"), "{group}");
    assert!(group.contains("judul_lama"), "{group}");
    assert!(body.contains("href=\"#berkas-content-catatan-md\">1 peringatan"));
    // The service page's components: six of fourteen, the rest named.
    assert!(body.contains("Memuat 6 dari 14 komponen."), "{body}");
    assert!(body.contains("Belum dimuat: dasar hukum; sarana dan prasarana"));
    assert!(body.contains("persyaratan: dimuat"));
    assert!(body.contains("kompetensi pelaksana: <strong>belum dimuat"));
}

#[tokio::test]
async fn a_new_page_is_published_at_its_address_with_its_first_version() {
    let (server, mut desk) = editor().await;
    let form = desk.get("/halaman/baru/").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body
            .contains("<option value=\"content/layanan\">Layanan (/layanan/)")
    );
    let csrf = form.csrf();

    let empty = desk
        .post("/halaman/baru/", &[("csrf", &csrf), ("kesepakatan", "x")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Tulis judul halaman."),
        "{}",
        empty.body
    );
    let post = |name: &'static str| {
        [
            ("bagian", "content"),
            ("judul", "Jam layanan"),
            ("nama", name),
            ("deskripsi", "Jam buka kantor untuk pelayanan."),
        ]
    };
    for (name, why) in [
        ("Jam Layanan!", "Nama berkas hanya boleh"),
        ("_index", "Nama berkas hanya boleh"),
        (
            "permohonan",
            "Sudah ada halaman dengan berkas content/permohonan.md",
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(post(name));
        let refused = desk.post("/halaman/baru/", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(refused.body.contains(why), "{name}: {}", refused.body);
        assert!(
            refused.body.contains("value=\"Jam layanan\""),
            "kept as typed"
        );
    }
    assert!(
        server
            .site()
            .read("content/permohonan.md")
            .contains("form: permohonan")
    );
    assert!(!server.site().root().join("content/jam-layanan.md").exists());
    // A page whose address a section has: the check's error, nothing made.
    let clash = desk
        .post(
            "/halaman/baru/",
            &[("csrf", &csrf), ("bagian", "content"), ("judul", "Layanan")],
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash.body.contains("sama-sama menjadi halaman /layanan/"),
        "{}",
        clash.body
    );
    assert!(!server.site().root().join("content/layanan.md").exists());
    assert_eq!(
        public(&server, "/jam-layanan/").await.0,
        StatusCode::NOT_FOUND
    );

    // The name left empty: made from the title.
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(post(""));
    let made = desk.post("/halaman/baru/", &fields).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.header("location"), "/halaman/content/jam-layanan.md");
    let (status, text) = public(&server, "/jam-layanan/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("Jam layanan"), "{text}");
    assert!(text.contains("Jam buka kantor untuk pelayanan."));
    let history = Versions::new(&server.data)
        .history("content/jam-layanan.md")
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].number, history[0].change), (1, Change::Terbit));
    assert_eq!(history[0].author.login, "sari");
    let audit = audited(&server.data, "page-published");
    assert!(
        audit.iter().any(|f| f[1] == "sari"
            && f.iter()
                .any(|x| x.contains("content/jam-layanan.md versi 1"))),
        "{audit:?}"
    );
    // The list names who made it.
    let list = desk.get("/halaman/").await;
    let row = &list.body[list
        .body
        .find("<code>content/jam-layanan.md</code>")
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Sari Wulandari (sari), 2 Desember 2026, "),
        "{row}"
    );
    assert!(!row.contains("di luar meja"), "{row}");
}

#[tokio::test]
async fn removing_a_page_others_link_to_is_refused_naming_them() {
    let (server, mut desk) = editor().await;
    let file = "content/layanan/fasilitasi-usaha-mikro.md";
    let page = desk.get(&format!("/halaman/hapus/{file}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("belum dapat dihapus"), "{}", page.body);
    // The pages that link to it, with the broken link's line.
    assert!(
        page.body
            .contains("href=\"/halaman/content/_index.md\">Beranda</a>")
    );
    assert!(page.body.contains("Konsultasi dan pengaduan masalah usaha"));
    assert!(page.body.contains("tautan rusak"));
    assert!(!page.body.contains("name=\"dasar\""), "no button to press");

    // Posted anyway (the form of a moment ago): refused, nothing removed.
    let csrf = page.csrf();
    let before = server.site().read(file);
    let dasar = token(Some(before.as_bytes()));
    let refused = desk
        .post(
            &format!("/halaman/hapus/{file}"),
            &[("csrf", &csrf), ("dasar", &dasar)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Halaman ini tidak dihapus"));
    assert!(
        refused.body.contains("Beranda (content/_index.md)"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("content/permohonan.md"));
    assert_eq!(server.site().read(file), before);
    assert_eq!(
        public(&server, "/layanan/fasilitasi-usaha-mikro/").await.0,
        StatusCode::OK
    );
    assert!(audited(&server.data, "page-removed").is_empty());

    // The home page is never removed.
    let home = desk.get("/halaman/hapus/content/_index.md").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("tidak dapat dihapus"));
    let text = server.site().read("content/_index.md");
    let dasar = token(Some(text.as_bytes()));
    let refused = desk
        .post(
            "/halaman/hapus/content/_index.md",
            &[("csrf", &csrf), ("dasar", &dasar)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(server.site().root().join("content/_index.md").exists());
}

#[tokio::test]
async fn removing_an_unlinked_page_takes_it_off_the_site_and_keeps_its_text() {
    let (server, mut desk) = editor().await;
    // A page nobody links to, made on the desk.
    let csrf = desk.get("/halaman/baru/").await.csrf();
    let made = desk
        .post(
            "/halaman/baru/",
            &[
                ("csrf", &csrf),
                ("bagian", "content/layanan"),
                ("judul", "Pengumuman libur"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let file = "content/layanan/pengumuman-libur.md";
    let address = "/layanan/pengumuman-libur/";
    assert_eq!(public(&server, address).await.0, StatusCode::OK);
    let text = server.site().read(file);

    let page = desk.get(&format!("/halaman/hapus/{file}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Tidak ada halaman lain yang menautkan"));
    assert!(page.body.contains(&format!("<code>{address}</code>")));
    let dasar = page.hidden("dasar");
    // Without the version it was opened at: refused, nothing removed.
    let empty = desk
        .post(
            &format!("/halaman/hapus/{file}"),
            &[("csrf", &csrf), ("kesepakatan", "x")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(server.site().root().join(file).exists());

    let removed = desk
        .post(
            &format!("/halaman/hapus/{file}"),
            &[("csrf", &csrf), ("dasar", &dasar)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert!(!server.site().root().join(file).exists());
    assert_eq!(public(&server, address).await.0, StatusCode::NOT_FOUND);
    let versions = Versions::new(&server.data);
    let history = versions.history(file).unwrap();
    assert_eq!(history[0].change, Change::Hapus);
    assert_eq!(history[0].number, 2);
    assert_eq!(
        versions.text(file, 2).unwrap().as_deref(),
        Some(text.as_str())
    );
    let audit = audited(&server.data, "page-removed");
    assert!(
        audit.iter().any(|f| f.iter().any(|x| x.contains(file))),
        "{audit:?}"
    );
    let list = desk.get(removed.header("location")).await;
    assert!(
        list.body.contains("sudah dihapus dari situs"),
        "{}",
        list.body
    );
    assert!(!list.body.contains(&format!("<td><code>{file}</code></td>")));
    // Listed among the removed pages, with its history to restore it from.
    let gone = &list.body[list.body.find("id=\"dihapus\"").expect("removed pages")..];
    let gone = &gone[..gone.find("</ul>").unwrap()];
    assert!(
        gone.contains(&format!(
            "<a href=\"/halaman/riwayat/{file}\">Pengumuman libur</a>"
        )),
        "{gone}"
    );
    assert!(
        gone.contains("dihapus oleh Sari Wulandari (sari)"),
        "{gone}"
    );
}
