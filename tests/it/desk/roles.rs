//! Roles (issue 28) over real HTTP: every desk route for every role, as
//! the route table in `loket::desk::roles` lists them; confidential cases
//! kept from those who may not see them; the pimpinan's read-only view.

use std::collections::BTreeSet;
use std::fs;

use reqwest::StatusCode;

use super::*;
use crate::common::form::{NIK, jpeg, permohonan_text};

/// The roles, in the order of [`EXPECTED`]'s columns.
const ROLES: [&str; 5] = [
    "petugas",
    "pengelola-pengaduan",
    "pimpinan",
    "admin",
    "penyunting",
];

/// Every route and what each role gets there, on an ordinary permohonan
/// (with its KTP) that the petugas works. A post that passes the role
/// check is sent empty, so it is refused for what it lacks (422, or 415
/// or 400 for a form that must be multipart) and changes nothing. Sign-out comes
/// last.
const EXPECTED: &[(&str, &str, [u16; 5])] = &[
    ("GET", "/", [200, 200, 200, 303, 303]),
    ("GET", "/laporan/", [200, 200, 200, 403, 403]),
    ("GET", "/laporan/{berkas}", [200, 200, 200, 403, 403]),
    // Without its period: no such report (404).
    ("POST", "/laporan/narasi/", [404, 404, 403, 403, 403]),
    ("GET", "/survei/", [200, 200, 200, 403, 403]),
    // Without their period: no such period (404).
    ("POST", "/survei/rencana/", [404, 404, 403, 403, 403]),
    ("POST", "/survei/terbitkan/", [404, 404, 403, 403, 403]),
    ("POST", "/survei/tarik/", [404, 404, 403, 403, 403]),
    ("GET", "/survei/kode/", [200, 200, 403, 403, 403]),
    // Without a service chosen: refused, no code made.
    ("POST", "/survei/kode/", [422, 422, 403, 403, 403]),
    ("GET", "/kasus-baru/", [200, 200, 403, 403, 403]),
    ("GET", "/kasus-baru/{formulir}/", [200, 200, 403, 403, 403]),
    ("POST", "/kasus-baru/{formulir}/", [415, 415, 403, 403, 403]),
    ("GET", "/kasus/{tiket}/", [200, 200, 200, 403, 403]),
    ("POST", "/kasus/{tiket}/", [422, 422, 403, 403, 403]),
    ("POST", "/kasus/{tiket}/pesan/", [422, 422, 403, 403, 403]),
    ("POST", "/kasus/{tiket}/kode/", [422, 422, 403, 403, 403]),
    // Of those who work cases, only the complaint handler marks one.
    ("POST", "/kasus/{tiket}/rahasia/", [403, 422, 403, 403, 403]),
    ("GET", "/kasus/{tiket}/dokumen/", [200, 200, 403, 403, 403]),
    ("POST", "/kasus/{tiket}/dokumen/", [422, 422, 403, 403, 403]),
    (
        "GET",
        "/kasus/{tiket}/dokumen/{dokumen}/",
        [200, 200, 200, 403, 403],
    ),
    (
        "GET",
        "/kasus/{tiket}/lampiran/{berkas}",
        [200, 200, 403, 403, 403],
    ),
    (
        "POST",
        "/kasus/{tiket}/lampiran/",
        [400, 400, 403, 403, 403],
    ),
    ("GET", "/staf/", [403, 403, 403, 200, 403]),
    ("POST", "/staf/", [403, 403, 403, 422, 403]),
    // The site's pages (issue 30): an empty post is refused for what it
    // lacks (422; the upload, not multipart: 400) and changes nothing;
    // the fixture site has no static/ file of that name (404).
    ("GET", "/halaman/", [403, 403, 403, 403, 200]),
    ("GET", "/halaman/baru/", [403, 403, 403, 403, 200]),
    ("POST", "/halaman/baru/", [403, 403, 403, 403, 422]),
    (
        "GET",
        "/halaman/content/{*berkas}",
        [403, 403, 403, 403, 200],
    ),
    (
        "POST",
        "/halaman/content/{*berkas}",
        [403, 403, 403, 403, 422],
    ),
    (
        "GET",
        "/halaman/riwayat/content/{*berkas}",
        [403, 403, 403, 403, 200],
    ),
    (
        "POST",
        "/halaman/riwayat/content/{*berkas}",
        [403, 403, 403, 403, 422],
    ),
    (
        "GET",
        "/halaman/hapus/content/{*berkas}",
        [403, 403, 403, 403, 200],
    ),
    (
        "POST",
        "/halaman/hapus/content/{*berkas}",
        [403, 403, 403, 403, 422],
    ),
    ("GET", "/halaman/berkas/", [403, 403, 403, 403, 200]),
    ("POST", "/halaman/berkas/", [403, 403, 403, 403, 400]),
    (
        "GET",
        "/halaman/berkas/static/{*berkas}",
        [403, 403, 403, 403, 404],
    ),
    ("POST", "/sesi/", [204, 204, 204, 204, 204]),
    ("POST", "/keluar/", [303, 303, 303, 303, 303]),
];

/// Adds `name` with `args` (`--role …`, `--form …`, profile) by the real
/// command, on the server's site.
pub fn add_with(server: &Server, name: &str, args: &[&str]) {
    let root = server.site().root_str().to_string();
    let mut all = vec!["add", name, "--password-stdin", "--root", &root];
    all.extend(args);
    let out = staff(&server.data, &all, &format!("{PASSWORD}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A permohonan through the public form, then marked confidential in its
/// record as the citizen's request would mark it.
async fn confidential_case(server: &Server) -> String {
    let form = permohonan_text(&[("uraian", Some("Pungutan Rp50.000 oleh petugas."))]);
    let form = form.file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 2));
    let url = server.url(crate::common::form::PERMOHONAN);
    let ticket = ticket_from(post_multipart(&client(), &url, form).await).await;
    let path = crate::common::submit::record_path(&server.data, &ticket);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("confidential:\n  by: pemohon\n  at: 2026-12-02T09:00:00+07:00\n");
    fs::write(&path, text).unwrap();
    ticket
}

/// Every route of the library's table has a row here, and no other: a
/// route added to the desk without its expected statuses fails this test.
#[test]
fn every_route_of_the_desk_is_in_the_table() {
    let listed: BTreeSet<(&str, &str)> = loket::desk::roles::ROUTES
        .iter()
        .map(|r| (r.method, r.path))
        .collect();
    let expected: BTreeSet<(&str, &str)> = EXPECTED.iter().map(|(m, p, _)| (*m, *p)).collect();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn each_role_gets_what_its_table_row_says_on_every_route() {
    let server = Server::start_at("2026-12-02 09:00:00");
    let ticket = submit(&server).await;
    for role in ROLES {
        let forms: &[&str] = match role {
            "petugas" => &["--form", "permohonan"],
            _ => &[],
        };
        add_with(&server, role, &[&["--role", role][..], forms].concat());
    }
    let record = crate::common::submit::record_path(&server.data, &ticket);
    let before = fs::read(&record).unwrap();
    let page = server.site().root().join("content/_index.md");
    let page_before = fs::read(&page).unwrap();
    for (column, role) in ROLES.iter().enumerate() {
        let mut desk = DeskClient::signed_in(&server, role).await;
        // Every page has it (the sign-out form), a refusal too.
        let csrf = desk.get("/staf/").await.csrf();
        for (method, template, statuses) in EXPECTED {
            let path = template
                .replace("{*berkas}", "_index.md")
                .replace("{tiket}", &ticket)
                .replace("{formulir}", "permohonan")
                .replace("{dokumen}", "laporan-hasil")
                .replace(
                    "{berkas}",
                    match template.starts_with("/laporan/") {
                        true => "laporan-2026-11.csv",
                        false => "ktp.jpg",
                    },
                );
            let page = match *method {
                "GET" => desk.get(&path).await,
                // Not an outcome the documents know: refused (422).
                _ => {
                    desk.post(&path, &[("csrf", &csrf), ("kesepakatan", "x")])
                        .await
                }
            };
            assert_eq!(
                page.status.as_u16(),
                statuses[column],
                "{role} {method} {path}: {}",
                page.body
            );
            if page.status == StatusCode::FORBIDDEN {
                // The router's page, or the confidential mark's own.
                let said = ["Tidak ada akses", "Tidak berwenang"];
                assert!(said.iter().any(|s| page.body.contains(s)), "{role} {path}");
            }
        }
    }
    assert_eq!(
        fs::read(&record).unwrap(),
        before,
        "no role changed the case"
    );
    assert_eq!(
        fs::read(&page).unwrap(),
        page_before,
        "no role changed the page"
    );
}

/// A confidential case is not there for a petugas (inbox, counts, search,
/// case, attachment, print: 404 as for no case) and is for the pejabat
/// pengelola pengaduan; a petugas of another form does not see an ordinary
/// one either.
#[tokio::test]
async fn a_confidential_case_is_seen_only_by_the_complaint_handler() {
    let server = Server::start_at("2026-12-02 09:00:00");
    let open = submit(&server).await;
    let kept = confidential_case(&server).await;
    add_with(&server, "rina", &["--role", "petugas"]);
    add_with(&server, "dewi", &["--role", "pengelola-pengaduan"]);
    add_with(
        &server,
        "agus",
        &["--role", "petugas", "--form", "pengaduan-layanan"],
    );
    let paths = |t: &str| {
        [
            format!("/kasus/{t}/"),
            format!("/kasus/{t}/lampiran/ktp.jpg"),
            format!("/kasus/{t}/dokumen/laporan-hasil/"),
        ]
    };

    let mut rina = DeskClient::signed_in(&server, "rina").await;
    for inbox in [
        "/".to_string(),
        format!("/?cari={kept}"),
        "/?cari=Siti".into(),
    ] {
        let page = rina.get(&inbox).await;
        assert_eq!(page.status, StatusCode::OK);
        let link = format!("/kasus/{kept}/");
        assert!(!page.body.contains(&link), "{inbox}: {}", page.body);
    }
    assert!(rina.get("/").await.body.contains("1 kasus:"));
    for path in paths(&kept) {
        let page = rina.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Siti"), "{path}");
    }
    let csrf = rina.get("/").await.csrf();
    let step = rina
        .post(
            &format!("/kasus/{kept}/"),
            &[("csrf", &csrf), ("langkah", "ditolak")],
        )
        .await;
    assert_eq!(step.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rina.get(&format!("/kasus/{open}/")).await.status,
        StatusCode::OK
    );

    let mut dewi = DeskClient::signed_in(&server, "dewi").await;
    let inbox = dewi.get(&format!("/?cari={kept}")).await;
    assert!(
        inbox.body.contains(&format!("/kasus/{kept}/")),
        "{}",
        inbox.body
    );
    assert!(dewi.get("/").await.body.contains("2 kasus:"));
    for path in paths(&kept) {
        assert_eq!(dewi.get(&path).await.status, StatusCode::OK, "{path}");
    }

    let mut agus = DeskClient::signed_in(&server, "agus").await;
    assert!(
        !agus
            .get("/")
            .await
            .body
            .contains(&format!("/kasus/{open}/"))
    );
    for path in paths(&open) {
        assert_eq!(
            agus.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let forms = agus.get("/kasus-baru/").await;
    assert!(
        !forms.body.contains("/kasus-baru/permohonan/"),
        "{}",
        forms.body
    );
    let form = agus.get("/kasus-baru/permohonan/").await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
}

/// The pimpinan reads the case without its NIK (masked as the report
/// masks it) or KTP, with no form to act, and cannot post a step.
#[tokio::test]
async fn the_pimpinan_reads_without_nik_or_ktp_and_takes_no_step() {
    let server = Server::start_at("2026-12-02 09:00:00");
    let ticket = submit(&server).await;
    add_with(&server, "kadis", &["--role", "pimpinan"]);
    add_with(&server, "rina", &["--role", "petugas"]);
    let digits: String = NIK.chars().filter(char::is_ascii_digit).collect();
    let masked = format!("{} **** **** {}", &digits[..4], &digits[12..]);

    let mut rina = DeskClient::signed_in(&server, "rina").await;
    let full = rina.get(&format!("/kasus/{ticket}/")).await;
    assert!(full.body.contains(NIK) && full.body.contains("lampiran/ktp.jpg"));

    let mut kadis = DeskClient::signed_in(&server, "kadis").await;
    let page = kadis.get(&format!("/kasus/{ticket}/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Siti Aminah"), "{}", page.body);
    assert!(page.body.contains(&masked), "{}", page.body);
    assert!(!page.body.contains(NIK) && !page.body.contains(&digits));
    assert!(!page.body.contains("ktp.jpg"), "{}", page.body);
    assert!(
        !page.body.contains("method=\"post\" action=\"/kasus/"),
        "no form to act"
    );
    let search = kadis.get(&format!("/?cari={digits}")).await;
    assert!(
        search.body.contains("hanya untuk petugas"),
        "{}",
        search.body
    );
    assert!(
        !search.body.contains(&format!("/kasus/{ticket}/")),
        "not found by NIK"
    );
    let printed = kadis
        .get(&format!("/kasus/{ticket}/dokumen/laporan-hasil/"))
        .await;
    assert_eq!(printed.status, StatusCode::OK);
    assert!(!printed.body.contains(NIK) && !printed.body.contains(&digits));
    let typing = kadis.get(&format!("/kasus/{ticket}/dokumen/")).await;
    assert_eq!(typing.status, StatusCode::FORBIDDEN);
    let ktp = kadis
        .get(&format!("/kasus/{ticket}/lampiran/ktp.jpg"))
        .await;
    assert_eq!(ktp.status, StatusCode::FORBIDDEN);
    assert!(!ktp.bytes.starts_with(&[0xFF, 0xD8]));

    let record = crate::common::submit::record_path(&server.data, &ticket);
    let before = fs::read(&record).unwrap();
    let version = full.hidden("versi");
    let step = kadis
        .post(
            &format!("/kasus/{ticket}/"),
            &[
                ("csrf", &page.csrf()),
                ("versi", &version),
                ("langkah", "ditolak"),
                ("catatan", "Bukan usaha mikro"),
            ],
        )
        .await;
    assert_eq!(step.status, StatusCode::FORBIDDEN);
    assert_eq!(fs::read(&record).unwrap(), before, "nothing changed");
}

/// A complaint a petugas records on the desk with "Rahasiakan identitas
/// saya" ticked is confidential at once: the answer gives the ticket but
/// no link to it, and the case is not there for them.
#[tokio::test]
async fn a_confidential_complaint_recorded_by_a_petugas_is_not_linked_for_them() {
    let server = Server::start_at("2026-12-02 09:00:00");
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut rina = DeskClient::signed_in(&server, "rina").await;
    let path = "/kasus-baru/pengaduan-layanan/";
    let csrf = rina.get(path).await.csrf();
    let form = crate::common::form::Multipart::new()
        .text("meja-csrf", &csrf)
        .text("meja-saluran", "langsung")
        .text("meja-diterima", "2026-12-02")
        .text("nama", "Siti Aminah")
        .text("kontak", "081234567890")
        .text("isi", "Diminta uang Rp50.000 oleh petugas loket.")
        .text("persetujuan", "ya")
        .text("rahasia", "ya");
    let page = rina.post_multipart(path, form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Kasus tercatat"), "{}", page.body);
    assert!(
        page.body.contains("hanya pejabat pengelola pengaduan"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("href=\"/kasus/PL-"), "{}", page.body);
    let at = page.body.find("PL-").expect("the ticket is given");
    let ticket = &page.body[at..at + "PL-20261202-XXXX".len()];
    assert_eq!(
        rina.get(&format!("/kasus/{ticket}/")).await.status,
        StatusCode::NOT_FOUND
    );
}
