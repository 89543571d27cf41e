//! A case's documents (issue 28 §4): the laporan hasil, the invitations to
//! both parties and the berita acara of a mediation, each a template, with
//! the office's letterhead and emblem, the signers' full names, NIP and
//! positions, dates in Indonesian, never an internal note and never the
//! NIK; what staff type for them kept with the case (a reprint is the same
//! document), in its history and in the audit log.

use std::fs;

use reqwest::StatusCode;

use super::*;
use crate::common::TempSite;
use crate::common::form::{NIK, permohonan_text};
use crate::common::submit::load_record;

const INTERNAL: &str = "Catatan internal: pemohon pernah menunggak";
const OFFICER_NIP: &str = "198503122010012003";
const HEAD_NIP: &str = "196805121994031007";
/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The fixture site (which has a head of office) with a city and an emblem.
fn site_with_letterhead() -> TempSite {
    let site = TempSite::fixture();
    site.write("static/gambar/lambang.png", PNG);
    let config = site.read("site.yaml").replacen(
        "office:\n",
        "office:\n  city: \"Jombang\"\n  emblem: gambar/lambang.png\n",
        1,
    );
    site.write("site.yaml", config);
    site
}

/// Gives the account `login` a profile (the roles helper's command will
/// write the same keys).
fn give_profile(data: &std::path::Path, login: &str) {
    let path = data.join("staff.yaml");
    let text = fs::read_to_string(&path).unwrap().replacen(
        &format!("- name: {login}\n"),
        &format!(
            "- name: {login}\n  full_name: Rina Wulandari, S.E.\n  nip: '{OFFICER_NIP}'\n  position: Analis Pelayanan Usaha Mikro\n"
        ),
        1,
    );
    assert!(text.contains("full_name"), "{text}");
    fs::write(&path, text).unwrap();
}

/// Posts a step from the case page as it is now.
async fn step(desk: &mut DeskClient, ticket: &str, fields: &[(&str, &str)]) -> Page {
    let page = desk.get(&format!("/kasus/{ticket}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let mut form = vec![("csrf", csrf.as_str()), ("versi", version.as_str())];
    form.extend_from_slice(fields);
    let done = desk.post(&format!("/kasus/{ticket}/"), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    done
}

/// A mediation (a complaint naming the other party) taken through its
/// steps on 7 December 2026, with a meeting on the 10th: every document
/// prints the parties, the officer's and the head's names and NIP, the
/// dates in Indonesian, the letter numbers staff typed, and neither the
/// internal note nor the NIK; a reprint is byte for byte the same.
#[tokio::test]
async fn a_mediation_prints_its_four_documents_with_signers_and_without_internal_notes() {
    let site = site_with_letterhead();
    let data = site.root().join("data");
    let server = Server::launch_with(
        crate::common::loket_at("2026-12-07 09:00:00"),
        site,
        data,
        &["--rate-limit", "0"],
    );
    assert!(add_staff(&server.data, "rina", PASSWORD).status.success());
    give_profile(&server.data, "rina");
    let form = permohonan_text(&[
        ("jenis", Some("pengaduan")),
        ("uraian", Some("Pembeli belum membayar 40 bungkus keripik.")),
        ("termohon_nama", Some("Toko Maju Jaya")),
        ("termohon_kontak", Some("Jl. Sudirman 5, Jombang")),
    ])
    .file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &crate::common::form::jpeg(2048, 3),
    );
    let response = post_multipart(
        &client(),
        &server.url(crate::common::form::PERMOHONAN),
        form,
    )
    .await;
    let ticket = ticket_from(response).await;
    let mut desk = DeskClient::signed_in(&server, "rina").await;

    // Before a meeting: only the laporan hasil.
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(
        case.body
            .contains(&format!("/kasus/{ticket}/dokumen/laporan-hasil/"))
    );
    assert!(
        !case.body.contains("/dokumen/berita-acara/"),
        "{}",
        case.body
    );
    let early = desk
        .get(&format!("/kasus/{ticket}/dokumen/berita-acara/"))
        .await;
    assert_eq!(early.status, StatusCode::NOT_FOUND);
    assert!(early.body.contains("Belum ada jadwal pertemuan"));

    step(
        &mut desk,
        &ticket,
        &[
            ("langkah", "diperiksa"),
            ("berkas", "lengkap"),
            ("catatan", INTERNAL),
        ],
    )
    .await;
    step(
        &mut desk,
        &ticket,
        &[
            ("langkah", "pertemuan-dijadwalkan"),
            ("tanggal", "2026-12-10"),
            ("jam", "10:00"),
            ("tempat", "Ruang Rapat Dinkopum"),
            ("catatan", INTERNAL),
            ("pesan", "Mohon hadir tepat waktu."),
            ("yakin", "ya"),
        ],
    )
    .await;

    // The documents' form: numbers, the outcome, who signs "Mengetahui".
    let form = desk.get(&format!("/kasus/{ticket}/dokumen/")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Drs. Bambang Supriyadi, M.Si."),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains("Rina Wulandari, S.E. (Analis Pelayanan Usaha Mikro)")
    );
    let (csrf, version) = (form.csrf(), form.hidden("versi"));
    let values = [
        ("csrf", csrf.as_str()),
        ("versi", version.as_str()),
        ("nomor_undangan", "005/123/415.27/2026"),
        ("nomor_undangan_termohon", "005/124/415.27/2026"),
        ("kesepakatan", "tercapai"),
        (
            "isi_kesepakatan",
            "Toko Maju Jaya membayar 40 bungkus paling lambat 20 Desember 2026.",
        ),
        ("mengetahui", "kepala"),
    ];
    let saved = desk
        .post(&format!("/kasus/{ticket}/dokumen/"), &values)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The same form again, from the page as it was: someone changed it.
    let stale = desk
        .post(&format!("/kasus/{ticket}/dokumen/"), &values)
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("baru saja diubah oleh rina"),
        "{}",
        stale.body
    );

    step(
        &mut desk,
        &ticket,
        &[
            ("langkah", "selesai"),
            ("catatan", "Para pihak sepakat; pembayaran dijadwalkan."),
        ],
    )
    .await;

    let record = load_record(&server.data, &ticket);
    let kept = &record["documents"];
    assert_eq!(
        kept["invitation_number"].as_str(),
        Some("005/123/415.27/2026")
    );
    assert_eq!(kept["agreement"].as_str(), Some("reached"));
    assert_eq!(kept["acknowledged_by"]["nip"].as_str(), Some(HEAD_NIP));
    let history = record["history"].as_sequence().unwrap();
    assert_eq!(history.len(), 4, "{history:?}");
    let entry = &history[2]["added"];
    assert_eq!(entry["from"].as_str(), Some("petugas"));
    assert_eq!(
        entry["documents"].as_sequence().unwrap().len(),
        4,
        "{entry:?}"
    );
    assert_eq!(history[2]["status"].as_str(), Some("pertemuan-dijadwalkan"));
    let audited_docs = audited(&server.data, "documents");
    assert_eq!(audited_docs.len(), 1, "{audited_docs:?}");
    assert!(audited_docs[0][4].contains("nomor surat undangan pemohon"));
    assert!(
        !audited_docs[0][4].contains("005/123"),
        "values never in the audit log"
    );

    let common = [
        "Dinas Koperasi dan Usaha Mikro",
        "Pemerintah Kabupaten Jombang",
        "src=\"data:image/png;base64,iVBORw0KGgo",
    ];
    let documents: [(&str, &[&str]); 4] = [
        (
            "laporan-hasil",
            &[
                "Dokumentasi dan Laporan Hasil Pelayanan",
                "Siti Aminah",
                "Toko Maju Jaya",
                "Rina Wulandari, S.E.",
                OFFICER_NIP,
                "Analis Pelayanan Usaha Mikro",
                "Mengetahui,",
                "Drs. Bambang Supriyadi, M.Si.",
                HEAD_NIP,
                "Jombang, 7 Desember 2026",
                "Kamis, 10 Desember 2026 pukul 10.00 WIB",
                "Berkas lengkap.",
                "Mohon hadir tepat waktu.",
                "Para pihak sepakat; pembayaran dijadwalkan.",
                "Termohon,",
            ],
        ),
        (
            "undangan-pemohon",
            &[
                "005/123/415.27/2026",
                "Sdr. Siti Aminah",
                "Jombang, 7 Desember 2026",
                "Kamis, 10 Desember 2026",
                "10.00 WIB",
                "Ruang Rapat Dinkopum",
                "Drs. Bambang Supriyadi, M.Si.",
                HEAD_NIP,
            ],
        ),
        (
            "undangan-termohon",
            &[
                "005/124/415.27/2026",
                "Sdr. Toko Maju Jaya",
                "Jl. Sudirman 5, Jombang",
                "yang menyebut Saudara sebagai pihak termohon",
                "Kamis, 10 Desember 2026",
            ],
        ),
        (
            "berita-acara",
            &[
                "Berita Acara Mediasi",
                "Kesepakatan tercapai.",
                "Toko Maju Jaya membayar 40 bungkus paling lambat 20 Desember 2026.",
                "Jombang, 10 Desember 2026",
                "Rina Wulandari, S.E.",
                OFFICER_NIP,
                "Drs. Bambang Supriyadi, M.Si.",
                "Pemohon,",
                "Termohon,",
            ],
        ),
    ];
    for (name, wanted) in documents {
        let path = format!("/kasus/{ticket}/dokumen/{name}/");
        let page = desk.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        for w in common.iter().chain(wanted) {
            assert!(
                page.body.contains(w),
                "{name}: {w:?} missing in\n{}",
                page.body
            );
        }
        for never in [INTERNAL, NIK, "3517 0152", "2026-12-10", ">ya<", ">rina<"] {
            assert!(!page.body.contains(never), "{name}: {never:?} printed");
        }
        let again = desk.get(&path).await;
        assert_eq!(
            again.body, page.body,
            "{name}: a reprint is the same document"
        );
    }
    let printed: Vec<String> = audited(&server.data, "print")
        .iter()
        .map(|f| f[4].clone())
        .collect();
    assert_eq!(printed.len(), 8, "{printed:?}");
    assert!(printed.contains(&"berita-acara".to_string()));
}

/// A consultation has no other party: the laporan hasil has no line for
/// one, and the mediation's documents are refused with a page that says
/// why; the old print view is gone.
#[tokio::test]
async fn a_case_without_a_respondent_has_no_mediation_documents() {
    let server = Server::start();
    assert!(add_staff(&server.data, "rina", PASSWORD).status.success());
    let ticket = submit(&server).await;
    let mut desk = DeskClient::signed_in(&server, "rina").await;
    let report = desk
        .get(&format!("/kasus/{ticket}/dokumen/laporan-hasil/"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Siti Aminah"));
    assert!(!report.body.contains("Termohon,"), "{}", report.body);
    assert!(report.body.contains("Mengetahui,"));
    assert!(!report.body.contains(NIK));
    for name in ["undangan-termohon", "berita-acara"] {
        let page = desk.get(&format!("/kasus/{ticket}/dokumen/{name}/")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{name}");
        assert!(
            page.body.contains("Kasus ini tanpa termohon"),
            "{name}: {}",
            page.body
        );
    }
    let form = desk.get(&format!("/kasus/{ticket}/dokumen/")).await;
    assert!(!form.body.contains("nomor_undangan_termohon"));
    for gone in [
        format!("/kasus/{ticket}/cetak/"),
        format!("/kasus/{ticket}/dokumen/lain/"),
    ] {
        assert_eq!(
            desk.get(&gone).await.status,
            StatusCode::NOT_FOUND,
            "{gone}"
        );
    }
}

/// `loket check` names site.yaml's line of an emblem that is not there or
/// not an image.
#[test]
fn a_missing_or_wrong_emblem_is_an_error_at_its_line() {
    let site = TempSite::fixture();
    let config =
        site.read("site.yaml")
            .replacen("office:\n", "office:\n  emblem: gambar/lambang.png\n", 1);
    site.write("site.yaml", &config);
    let line = config.lines().position(|l| l.contains("emblem:")).unwrap() + 1;
    let out = site.check();
    assert!(!out.status.success());
    let said = crate::common::stderr(&out) + &crate::common::stdout(&out);
    assert!(
        said.contains(&format!("site.yaml:{line}: "))
            && said.contains("static/gambar/lambang.png tidak ada"),
        "{said}"
    );
    site.write("static/gambar/lambang.png", "bukan gambar");
    let out = site.check();
    let said = crate::common::stderr(&out) + &crate::common::stdout(&out);
    assert!(!out.status.success());
    assert!(said.contains("bukan gambar PNG, JPEG, atau SVG"), "{said}");
    site.write("static/gambar/lambang.png", PNG);
    let out = site.check();
    let said = crate::common::stderr(&out) + &crate::common::stdout(&out);
    assert!(!said.contains("emblem"), "{said}");
}
